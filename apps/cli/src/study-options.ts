import { endpointUrlProblem, QUANTIZE_TYPES, type QuantizeTypeName } from "@pva/core";
import { type Command, InvalidArgumentError, Option } from "commander";

/** Options that override the study file; each command takes only those its stages use. */
export interface StudyOptions {
  model?: string;
  endpoint?: string[];
  out?: string;
  seed?: number;
  concurrency?: number;
  budget?: number;
  quantize?: QuantizeTypeName;
}

export type StudyOptionName = keyof StudyOptions;

/** The one parser of integer option values: `--seed expects an integer >= 0, got "x"`. */
export function integerOption(name: string, min: number): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} expects an integer >= ${min}, got ${JSON.stringify(value)}`);
    // Past 2^53 a number is stored rounded: 1e20 and 1e20+1 would be one seed and one run folder.
    if (!Number.isSafeInteger(n))
      throw new InvalidArgumentError(
        `${name} expects an integer <= ${Number.MAX_SAFE_INTEGER} (larger ones lose digits), got ${JSON.stringify(value)}`,
      );
    return n;
  };
}

/** The one parser of --quantize (model info and pull take it too). */
export function quantizeType(value: string): QuantizeTypeName {
  const type = QUANTIZE_TYPES.find((t) => t === value.toLowerCase());
  if (!type)
    throw new InvalidArgumentError(
      `--quantize expects one of ${QUANTIZE_TYPES.join(", ")}, got ${JSON.stringify(value)}`,
    );
  return type;
}

/** --quantize for every command that loads a model. */
export const quantizeOption = () =>
  new Option(
    "--quantize <type>",
    "quantize F32/F16/BF16 weights while loading (q8_0 takes ~1.06 bytes per weight; quantized GGUF weights stay as stored)",
  ).argParser(quantizeType);

/** An option whose value names something (a model, a folder): an empty string names nothing. */
function nonEmpty(name: string, what: string): (value: string) => string {
  return (value: string): string => {
    if (value.trim() === "") throw new InvalidArgumentError(`${name} expects ${what}, got an empty string`);
    return value;
  };
}

/** Each --endpoint checked when it is read (http/https, no credentials), not at the first request. */
function collectEndpoint(value: string, previous: string[] = []): string[] {
  const problem = endpointUrlProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(`--endpoint ${problem}`);
  return [...previous, value];
}

const STUDY_OPTIONS: Record<StudyOptionName, () => Option> = {
  model: () =>
    new Option(
      "--model <source>",
      "model to use: a HF folder, a .gguf file, hf:org/name[@rev] or builtin:random-tiny (with --endpoint: the served model's name)",
    ).argParser(nonEmpty("--model", "a model source or served model name")),
  endpoint: () =>
    new Option(
      "--endpoint <url>",
      "ask an OpenAI-compatible server (base URL, e.g. http://localhost:8080/v1) for the choices; repeat to spread the load",
    ).argParser(collectEndpoint),
  out: () =>
    new Option("--out <dir>", "folder the run folder is created in (default: ./runs)").argParser(
      nonEmpty("--out", "a folder"),
    ),
  seed: () => new Option("--seed <n>", "seed for every random choice").argParser(integerOption("--seed", 0)),
  concurrency: () =>
    new Option("--concurrency <n>", "requests in flight (API backends)").argParser(
      integerOption("--concurrency", 1),
    ),
  budget: () =>
    new Option(
      "--budget <comparisons>",
      "ask an active sample of this many comparisons (one comparison = one ordered prompt; each chosen pair is asked in both orders) instead of all ordered pairs; stops early, saying so, once the ranking is stable",
    ).argParser(integerOption("--budget", 1)),
  quantize: quantizeOption,
};

/** The order options are listed in under --help. */
const OPTION_ORDER: readonly StudyOptionName[] = [
  "model",
  "endpoint",
  "out",
  "seed",
  "concurrency",
  "budget",
  "quantize",
];

/** Adds the named overriding options (and no others) to a command that takes a study. */
export function withStudyOptions(command: Command, names: Iterable<StudyOptionName>): Command {
  const wanted = new Set(names);
  for (const name of OPTION_ORDER) if (wanted.has(name)) command.addOption(STUDY_OPTIONS[name]());
  return command;
}
