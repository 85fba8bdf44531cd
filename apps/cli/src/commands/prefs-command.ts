import {
  type Activity,
  defaultActivities,
  InputError,
  loadActivities,
  type PreferenceScores,
} from "@pva/core";
import { fitPreferences } from "@pva/prefs";
import { Command, InvalidArgumentError, Option } from "commander";
import { examples } from "../help-examples.js";
import { readChoicesFile } from "../read-choices-file.js";

interface FitOptions {
  json?: boolean;
  activities?: string;
  bootstrap: number;
  seed: number;
  prior: number;
  refusalPolicy: "tie" | "skip" | "loss-both";
  condition?: string;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected an integer >= 0, got ${value}`);
  return n;
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

/** The activities the records name: from --activities, else the built-in catalog. */
async function activitiesFor(file: string, ids: Set<string>, activitiesFile?: string): Promise<Activity[]> {
  const catalog = activitiesFile ? await loadActivities(activitiesFile) : defaultActivities;
  const known = new Set(catalog.map((a) => a.id));
  const unknown = [...ids].find((id) => !known.has(id));
  if (unknown)
    throw new InputError(
      file,
      "",
      `activity "${unknown}" is not in ${activitiesFile ?? "the built-in catalog"}; pass the study's list with --activities <file>`,
    );
  return catalog.filter((a) => ids.has(a.id));
}

const fit = new Command("fit")
  .description("fit Bradley-Terry/Elo scores with bootstrap CIs to a choices.jsonl file")
  .argument("<choices.jsonl>", "choice records, e.g. runs/<study>-<hash>/choices.jsonl")
  .option("--json", "print the PreferenceScores JSON instead of a table")
  .option("--activities <file>", "the activities (.json or .csv) when they are not the built-in 64")
  .option("--bootstrap <n>", "bootstrap resamples", nonNegativeInt, 1000)
  .option("--seed <n>", "seed of the bootstrap", nonNegativeInt, 1234)
  .option("--prior <games>", "virtual comparisons per activity against the average", Number, 0.5)
  .addOption(
    new Option("--refusal-policy <policy>", "how refusals count")
      .choices(["tie", "skip", "loss-both"])
      .default("skip"),
  )
  .option("--condition <id>", "which condition to fit when the file holds several (default: baseline)")
  .option("--verbose", "show stack traces of errors")
  .addHelpText(
    "after",
    examples(
      "pva prefs fit runs/emotion-preferences-0123456789ab/choices.jsonl",
      "pva prefs fit choices.jsonl --json --bootstrap 2000 > preferences.json",
      "pva prefs fit choices.jsonl --activities my-activities.csv",
    ),
  )
  .action(async (file: string, opts: FitOptions) => {
    const all = await readChoicesFile(file);
    if (all.length === 0) throw new InputError(file, "", "no choice records");
    const conditions = [...new Set(all.map((r) => r.condition))].sort();
    const condition =
      opts.condition ??
      (conditions.includes("baseline") || conditions.length > 1 ? "baseline" : conditions[0]);
    const records = all.filter((r) => r.condition === condition);
    if (records.length === 0)
      throw new InputError(
        file,
        "",
        `no records of condition "${condition}" (have ${conditions.join(", ")})`,
      );
    const ids = new Set(records.flatMap((r) => [r.a, r.b]));
    const activities = await activitiesFor(file, ids, opts.activities);
    const scores = fitPreferences(records, activities, {
      bootstrap: opts.bootstrap,
      seed: opts.seed,
      prior: opts.prior,
      refusalPolicy: opts.refusalPolicy,
    });
    process.stdout.write(opts.json ? `${JSON.stringify(scores, null, 2)}\n` : `${scoreTable(scores)}\n`);
  });

export const prefsCommand = () =>
  new Command("prefs").description("preference fits on their own").addCommand(fit);
