import { loadActivities, type PreferenceScores } from "@pva/core";
import { fitChoicesFile } from "@pva/prefs";
import { Command, InvalidArgumentError, Option } from "commander";
import { examples } from "../help-examples.js";
import { integerOption } from "../study-options.js";

interface FitOptions {
  json?: boolean;
  activities?: string;
  bootstrap: number;
  seed: number;
  prior: number;
  refusalPolicy: "tie" | "skip" | "loss-both";
  condition: string;
}

/** Resamples past this are a typo, not a wish for tighter intervals (and would exhaust memory). */
const MAX_BOOTSTRAP = 100_000;

function boundedInteger(name: string, min: number, max: number): (value: string) => number {
  const parse = integerOption(name, min);
  return (value: string): number => {
    const n = parse(value);
    if (n > max)
      throw new InvalidArgumentError(`${name} expects an integer <= ${max}, got ${JSON.stringify(value)}`);
    return n;
  };
}

function positiveNumber(name: string): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${name} expects a number > 0, got ${JSON.stringify(value)}`);
    return n;
  };
}

function scoreTable(scores: PreferenceScores): string {
  const rows = [...scores.activities].sort((x, y) => y.elo - x.elo);
  const idWidth = Math.max(8, ...rows.map((a) => a.id.length));
  const lines = rows.map(
    (a, i) =>
      `${String(i + 1).padStart(3)}  ${a.id.padEnd(idWidth)}  ${a.category.padEnd(14)}  ${a.elo.toFixed(0).padStart(5)}  [${a.eloCi[0].toFixed(0)}, ${a.eloCi[1].toFixed(0)}]  ${(100 * a.winRate).toFixed(0).padStart(3)}%`,
  );
  const d = scores.diagnostics;
  return [
    `  #  ${"activity".padEnd(idWidth)}  ${"category".padEnd(14)}    elo  95% CI        wins`,
    ...lines,
    `${scores.comparisons} comparisons; P(first) ${d.pFirst.toFixed(3)}; intransitive triads ${(100 * d.intransitiveTriadShare).toFixed(1)}%; refusals ${d.refusals}; unparseable ${d.unparseable}`,
  ].join("\n");
}

const fit = new Command("fit")
  .description(
    "fit Bradley-Terry/Elo scores with bootstrap CIs to a choices file: pva's choices.jsonl, or rows {a, b, pA} from another harness",
  )
  .argument("<choices.jsonl>", "choice records, e.g. runs/<study>-<hash>/choices.jsonl")
  .option("--json", "print the PreferenceScores JSON instead of a table")
  .option(
    "--activities <file>",
    "the activities (.json or .csv); default: the ids in the file, described from the built-in catalog",
  )
  .option("--bootstrap <n>", "bootstrap resamples", boundedInteger("--bootstrap", 0, MAX_BOOTSTRAP), 1000)
  .option("--seed <n>", "seed of the bootstrap", integerOption("--seed", 0), 1234)
  .option(
    "--prior <games>",
    "virtual comparisons per activity against the average",
    positiveNumber("--prior"),
    0.5,
  )
  .addOption(
    new Option("--refusal-policy <policy>", "how refusals count")
      .choices(["tie", "skip", "loss-both"])
      .default("skip"),
  )
  .option("--condition <id>", "which condition to fit (a run with steering holds several)", "baseline")
  .addHelpText(
    "after",
    examples(
      "pva prefs fit runs/emotion-preferences-0123456789ab/choices.jsonl",
      "pva prefs fit choices.jsonl --json --bootstrap 2000 > preferences.json",
      "pva prefs fit choices.jsonl --activities my-activities.csv",
    ),
  )
  .action(async (file: string, opts: FitOptions) => {
    const scores = await fitChoicesFile(file, {
      bootstrap: opts.bootstrap,
      seed: opts.seed,
      prior: opts.prior,
      refusalPolicy: opts.refusalPolicy,
      condition: opts.condition,
      onTornLine: (line) =>
        process.stderr.write(
          `pva: note: ${file}: line ${line} has no final newline, so it is a torn write and was left out\n`,
        ),
      ...(opts.activities ? { activities: await loadActivities(opts.activities) } : {}),
    });
    process.stdout.write(opts.json ? `${JSON.stringify(scores, null, 2)}\n` : `${scoreTable(scores)}\n`);
  });

export const prefsCommand = () =>
  new Command("prefs").description("preference fits on their own").addCommand(fit);
