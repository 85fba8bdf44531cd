import { type Command, InvalidArgumentError, Option } from "commander";

/** Options that override the study file, shared by every command that reads one. */
export interface StudyOptions {
  model?: string;
  endpoint?: string[];
  out?: string;
  seed?: number;
  concurrency?: number;
  budget?: number;
  verbose?: boolean;
}

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} expects an integer >= ${min}, got ${JSON.stringify(value)}`);
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds the overriding options to a command that takes a study. */
export function withStudyOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--model <source>",
        "model to use: a HF folder, a .gguf file, hf:org/name[@rev] or builtin:random-tiny (with --endpoint: the served model's name)",
      ),
    )
    .addOption(
      new Option(
        "--endpoint <url>",
        "ask an OpenAI-compatible server (base URL, e.g. http://localhost:8080/v1) for the choices; repeat to spread the load",
      ).argParser(collect),
    )
    .addOption(new Option("--out <dir>", "folder the run folder is created in (default: ./runs)"))
    .addOption(new Option("--seed <n>", "seed for every random choice").argParser(integer("--seed", 0)))
    .addOption(
      new Option("--concurrency <n>", "requests in flight (API backends)").argParser(
        integer("--concurrency", 1),
      ),
    )
    .addOption(
      new Option(
        "--budget <n>",
        "compare an active sample of this many pairs instead of all ordered pairs",
      ).argParser(integer("--budget", 1)),
    );
}
