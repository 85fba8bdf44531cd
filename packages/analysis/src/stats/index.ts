export { type BootstrapOptions, bootstrapCi, bootstrapPearsonCis } from "./bootstrap.js";
export { pearson, spearman } from "./correlation.js";
export { benjaminiHochberg } from "./fdr.js";
export { partialPearson } from "./partial.js";
export { type PermutationOptions, permutationPValue, permutationPValues } from "./permutation.js";
