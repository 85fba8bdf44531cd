// One percentile rule for every interval pva reports (bootstrap CIs of preferences, correlations
// and Elo shifts): core's.
export { percentileInterval, percentileSorted } from "@pva/core";
