import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { sha256Hex } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-main.js";
import { folderDigest, onlyRunFolder, runPva, SMOKE_STUDY } from "./pva-child.test-support.js";

// The bad-input probe of issue #16, kept: one row per bad input with the exit status and the
// words its one `pva:` line must hold. The rows run in this process through runCli (main.ts is
// runCli and nothing else), one after the other, so 100+ cases cost one module load; rows that
// need a process of their own (a live lock holder, a server) say so. Every row runs against the
// same output folder as one earlier smoke run, whose files must be byte-identical at the end.

interface Row {
  /** What is wrong, as a user would put it; `#N` names the finding of issue #16 it reproduces. */
  name: string;
  /** Command line after `pva`, run in the scratch folder. */
  args: string[];
  /** Files to write first (paths relative to the scratch folder). */
  files?: Record<string, string | Buffer>;
  /** A copy of the smoke study at `study/`, edited. */
  study?: { folder: string; edit?: (study: Record<string, unknown>) => void };
  code: number;
  /** Substrings the one `pva:` line holds (for code 0: stderr as a whole). */
  words: string[];
  /** `pva:` lines expected (one problem each); default 1. */
  lines?: number;
  /** Substrings no output may hold. */
  never?: string[];
  /** More checks once it ran (the files it left). */
  after?: () => Promise<void>;
}

const smokeCsv = () => readFile(join(SMOKE_STUDY, "activities.csv"), "utf8");
let csvText = "";
const csvLines = () => csvText.trimEnd().split("\n");

/** A CSV of the smoke activities with `text` as the first activity's text. */
function csvWithFirstText(text: string): string {
  const [header, first, ...rest] = csvLines();
  const [id, , category] = first.split(",");
  return [header, `${id},"${text.replaceAll('"', '""')}",${category}`, ...rest].join("\n");
}

const smokeStudy = (folder: string, edit?: (s: Record<string, unknown>) => void) => ({ folder, edit });

/** The rows; built after beforeAll read the smoke files. */
function rows(): Row[] {
  const out = ["--out", "runs"];
  const run = (study: string, ...more: string[]) => ["run", study, ...out, ...more];
  const list: Row[] = [
    // CLI options: every command, one `pva:` line, exit 2 (#12).
    {
      name: "#12 --concurrency 0",
      args: run(SMOKE_STUDY, "--concurrency", "0"),
      code: 2,
      words: ["run:", "--concurrency expects an integer >= 1"],
    },
    {
      name: "--concurrency 1.5",
      args: run(SMOKE_STUDY, "--concurrency", "1.5"),
      code: 2,
      words: ["--concurrency expects an integer >= 1", '"1.5"'],
    },
    {
      name: "--concurrency empty",
      args: run(SMOKE_STUDY, "--concurrency", ""),
      code: 2,
      words: ["--concurrency expects an integer"],
    },
    {
      name: "--seed -1",
      args: run(SMOKE_STUDY, "--seed=-1"),
      code: 2,
      words: ["--seed expects an integer >= 0"],
    },
    {
      name: "--seed abc",
      args: run(SMOKE_STUDY, "--seed", "abc"),
      code: 2,
      words: ["--seed expects an integer >= 0", '"abc"'],
    },
    {
      name: "#11 --seed 1e20 (would be stored rounded)",
      args: run(SMOKE_STUDY, "--seed", "1e20"),
      code: 2,
      words: ["--seed expects an integer <= 9007199254740991", "lose digits"],
    },
    {
      name: "--seed 2^53",
      args: run(SMOKE_STUDY, "--seed", "9007199254740992"),
      code: 2,
      words: ["--seed expects an integer <= 9007199254740991"],
    },
    {
      name: "--budget 0",
      args: run(SMOKE_STUDY, "--budget", "0"),
      code: 2,
      words: ["--budget expects an integer >= 1"],
    },
    {
      name: "--budget x",
      args: run(SMOKE_STUDY, "--budget", "x"),
      code: 2,
      words: ["--budget expects an integer >= 1"],
    },
    {
      name: "--budget 1e30",
      args: run(SMOKE_STUDY, "--budget", "1e30"),
      code: 2,
      words: ["--budget expects an integer <="],
    },
    {
      name: "unknown option on run",
      args: run(SMOKE_STUDY, "--bogus"),
      code: 2,
      words: ["run: unknown option '--bogus'"],
    },
    {
      name: "unknown option on elicit",
      args: ["elicit", SMOKE_STUDY, ...out, "--bogus"],
      code: 2,
      words: ["elicit: unknown option '--bogus'"],
    },
    {
      name: "vectors takes no --seed",
      args: ["vectors", SMOKE_STUDY, ...out, "--seed", "1"],
      code: 2,
      words: ["vectors: unknown option '--seed'"],
    },
    {
      name: "vectors takes no --endpoint",
      args: ["vectors", SMOKE_STUDY, ...out, "--endpoint", "http://127.0.0.1:9/v1"],
      code: 2,
      words: ["vectors: unknown option '--endpoint'"],
    },
    {
      name: "probe takes no --budget",
      args: ["probe", SMOKE_STUDY, ...out, "--budget", "4"],
      code: 2,
      words: ["probe: unknown option '--budget'"],
    },
    {
      name: "report takes no --model",
      args: ["report", SMOKE_STUDY, ...out, "--model", "x"],
      code: 2,
      words: ["report: unknown option '--model'"],
    },
    {
      name: "report of a run folder with --out",
      args: ["report", "@earlier", "--out", "elsewhere"],
      code: 2,
      words: ["--out places a study's run folders", "is a run folder"],
    },
    {
      name: "run without a study",
      args: ["run"],
      code: 2,
      words: ["run: missing required argument 'study'"],
    },
    {
      name: "elicit without a study",
      args: ["elicit"],
      code: 2,
      words: ["elicit: missing required argument 'study'"],
    },
    {
      name: "report without a target",
      args: ["report"],
      code: 2,
      words: ["report: missing required argument"],
    },
    { name: "an unknown command", args: ["nosuchcmd"], code: 2, words: ["unknown command 'nosuchcmd'"] },
    {
      name: "a missing option value",
      args: ["run", SMOKE_STUDY, "--seed"],
      code: 2,
      words: ["run:", "--seed", "argument missing"],
    },
    {
      name: "too many arguments",
      args: ["run", SMOKE_STUDY, "extra", ...out],
      code: 2,
      words: ["run:", "too many arguments"],
    },
    {
      name: "init without a folder",
      args: ["init"],
      code: 2,
      words: ["init: missing required argument 'dir'"],
    },
    {
      name: "model info of an unknown builtin",
      args: ["model", "info", "builtin:nope"],
      code: 2,
      words: ["builtin:nope: unknown builtin model"],
    },
    {
      name: "model without a subcommand",
      args: ["model", "frobnicate"],
      code: 2,
      words: ["model:", "unknown command 'frobnicate'"],
    },
    // prefs fit (#11).
    {
      name: "#11 prefs fit --prior -1",
      args: ["prefs", "fit", "@earlier/choices.jsonl", "--prior=-1"],
      code: 2,
      words: ["prefs fit:", "--prior expects a number > 0", '"-1"'],
    },
    {
      name: "prefs fit --prior 0",
      args: ["prefs", "fit", "@earlier/choices.jsonl", "--prior", "0"],
      code: 2,
      words: ["--prior expects a number > 0"],
    },
    {
      name: "prefs fit --prior abc",
      args: ["prefs", "fit", "@earlier/choices.jsonl", "--prior", "abc"],
      code: 2,
      words: ["--prior expects a number > 0"],
    },
    {
      name: "prefs fit --prior Infinity",
      args: ["prefs", "fit", "@earlier/choices.jsonl", "--prior", "Infinity"],
      code: 2,
      words: ["--prior expects a number > 0"],
    },
    {
      name: "#11 prefs fit --bootstrap 1e9",
      args: ["prefs", "fit", "@earlier/choices.jsonl", "--bootstrap", "1e9"],
      code: 2,
      words: ["--bootstrap expects an integer <= 100000"],
    },
    {
      name: "prefs fit --bootstrap 1.5",
      args: ["prefs", "fit", "@earlier/choices.jsonl", "--bootstrap", "1.5"],
      code: 2,
      words: ["--bootstrap expects an integer >= 0"],
    },
    {
      name: "prefs fit --refusal-policy maybe",
      args: ["prefs", "fit", "@earlier/choices.jsonl", "--refusal-policy", "maybe"],
      code: 2,
      words: ["prefs fit:", "maybe", "tie, skip, loss-both"],
    },
    {
      name: "#11 prefs fit of an empty file",
      files: { "empty.jsonl": "" },
      args: ["prefs", "fit", "empty.jsonl"],
      code: 2,
      words: ["empty.jsonl", "no choice records to fit"],
    },
    {
      name: "#11 prefs fit --condition nosuch",
      args: ["prefs", "fit", "@earlier/choices.jsonl", "--condition", "nosuch"],
      code: 2,
      words: ["choices.jsonl", 'no records of condition "nosuch"', "baseline"],
    },
    {
      name: "prefs fit of a missing file",
      args: ["prefs", "fit", "no-such.jsonl"],
      code: 2,
      words: ["no-such.jsonl", "file not found"],
    },
    {
      name: "prefs fit of a line that is not JSON",
      files: { "bad.jsonl": '{"a":"x","b":"y","pA":0.5}\nnot json\n' },
      args: ["prefs", "fit", "bad.jsonl"],
      code: 2,
      words: ["bad.jsonl", "line 2", "expected a JSON object"],
    },
    {
      name: "prefs fit of pA 1.5",
      files: { "pa.jsonl": '{"a":"x","b":"y","pA":1.5}\n' },
      args: ["prefs", "fit", "pa.jsonl"],
      code: 2,
      words: ["pa.jsonl", "line 1.pA", "expected a number in [0, 1]"],
    },
    {
      name: "prefs fit of a == b",
      files: { "same.jsonl": '{"a":"x","b":"x","pA":0.5}\n' },
      args: ["prefs", "fit", "same.jsonl"],
      code: 2,
      words: ["same.jsonl", "line 1.b", "other than a"],
    },
    {
      name: "prefs fit of an array row",
      files: { "arr.jsonl": "[1,2]\n" },
      args: ["prefs", "fit", "arr.jsonl"],
      code: 2,
      words: ["arr.jsonl", "line 1", "expected a JSON object"],
    },
    {
      name: "prefs fit --activities missing",
      args: ["prefs", "fit", "@earlier/choices.jsonl", "--activities", "nope.csv"],
      code: 2,
      words: ["nope.csv", "no such file"],
    },
    // Study files.
    {
      name: "a missing study",
      args: run("no-such-study"),
      code: 2,
      words: ["no-such-study: no such study file or folder"],
    },
    {
      name: "a folder without study.json",
      files: { "empty-study/.keep": "" },
      args: run("empty-study"),
      code: 2,
      words: ["empty-study: no study.json in this folder"],
    },
    {
      name: "invalid JSON",
      files: {
        "broken/study.json": '{\n "name": "b",\n "model": {"source": "builtin:random-tiny"}\n "seed": 3\n}\n',
      },
      args: run("broken"),
      code: 2,
      words: ["broken/study.json: line 4:2: invalid JSON"],
    },
    {
      name: "an empty study file",
      files: { "blank/study.json": "" },
      args: run("blank"),
      code: 2,
      words: ["blank/study.json", "invalid JSON"],
    },
    {
      name: "a study that is an array",
      files: { "arr/study.json": "[]" },
      args: run("arr"),
      code: 2,
      words: ["arr/study.json"],
    },
    {
      name: "#11 a duplicate seed key",
      files: {
        "dup/study.json": '{"name":"dup","seed":1,"model":{"source":"builtin:random-tiny"},"seed":2}',
      },
      args: run("dup"),
      code: 2,
      words: ["dup/study.json", "line 1:", 'duplicate key "seed"'],
    },
    {
      name: "a duplicate key in a nested object",
      files: {
        "dup2/study.json":
          '{"name":"dup2","model":{"source":"builtin:random-tiny","source":"builtin:random-135m"}}',
      },
      args: run("dup2"),
      code: 2,
      words: ["dup2/study.json", 'duplicate key "source"'],
    },
    {
      name: "a misspelt key",
      study: smokeStudy("misspelt", (s) => {
        s.elicitaton = {};
      }),
      args: run("misspelt"),
      code: 2,
      words: ["misspelt/study.json", "elicitaton"],
    },
    {
      name: "no name",
      study: smokeStudy("noname", (s) => {
        delete s.name;
      }),
      args: run("noname"),
      code: 2,
      words: ["noname/study.json", "name"],
    },
    {
      name: "a name with a slash",
      study: smokeStudy("slash", (s) => {
        s.name = "a/b";
      }),
      args: run("slash"),
      code: 2,
      words: ["slash/study.json", "name", "letters, digits"],
    },
    {
      name: "seed 1.5 in the study",
      study: smokeStudy("seedf", (s) => {
        s.seed = 1.5;
      }),
      args: run("seedf"),
      code: 2,
      words: ["seedf/study.json", "seed"],
    },
    {
      name: "#11 seed 1e20 in the study",
      study: smokeStudy("seedbig", (s) => {
        s.seed = 1e20;
      }),
      args: run("seedbig"),
      code: 2,
      words: ["seedbig/study.json", "seed"],
    },
    {
      name: "seed as a string",
      study: smokeStudy("seeds", (s) => {
        s.seed = "1";
      }),
      args: run("seeds"),
      code: 2,
      words: ["seeds/study.json", "seed"],
    },
    {
      name: "no model",
      study: smokeStudy("nomodel", (s) => {
        delete s.model;
      }),
      args: run("nomodel"),
      code: 2,
      words: ["nomodel/study.json", "model"],
    },
    {
      name: "an empty model source",
      study: smokeStudy("emptysrc", (s) => {
        s.model = { source: "" };
      }),
      args: run("emptysrc"),
      code: 2,
      words: ["emptysrc/study.json", "model.source"],
    },
    {
      name: "an unknown emotion",
      study: smokeStudy("emo", (s) => {
        s.emotions = ["blissful", "grumpyish"];
      }),
      args: run("emo"),
      code: 2,
      words: ["emo/study.json", "emotions", "grumpyish"],
    },
    {
      name: "an empty emotion list",
      study: smokeStudy("noemo", (s) => {
        s.emotions = [];
      }),
      args: run("noemo"),
      code: 2,
      words: ["noemo/study.json", "emotions"],
    },
    {
      name: "emotions not a list",
      study: smokeStudy("emostr", (s) => {
        s.emotions = "blissful";
      }),
      args: run("emostr"),
      code: 2,
      words: ["emostr/study.json", "emotions"],
    },
    {
      name: "an unknown template",
      study: smokeStudy("tpl", (s) => {
        s.elicitation = { template: "xml" };
      }),
      args: run("tpl"),
      code: 2,
      words: ["tpl/study.json", "elicitation.template"],
    },
    {
      name: "an unknown design kind",
      study: smokeStudy("design", (s) => {
        s.elicitation = { design: { kind: "half" } };
      }),
      args: run("design"),
      code: 2,
      words: ["design/study.json", "design"],
    },
    {
      name: "rating.bootstrap -1",
      study: smokeStudy("boot", (s) => {
        s.rating = { bootstrap: -1 };
      }),
      args: run("boot"),
      code: 2,
      words: ["boot/study.json", "rating.bootstrap"],
    },
    {
      name: "analysis.permutations 0.5",
      study: smokeStudy("perm", (s) => {
        s.analysis = { permutations: 0.5 };
      }),
      args: run("perm"),
      code: 2,
      words: ["perm/study.json", "analysis.permutations"],
    },
    {
      name: "an unknown backend",
      study: smokeStudy("backend", (s) => {
        s.model = { source: "builtin:random-tiny", backend: "grpc" };
      }),
      args: run("backend"),
      code: 2,
      words: ["backend/study.json", "model.backend"],
    },
    {
      name: "an endpoint that is not a URL in the study",
      study: smokeStudy("eurl", (s) => {
        s.model = { source: "builtin:random-tiny", backend: "openai", endpoints: ["notaurl"] };
      }),
      args: run("eurl"),
      code: 2,
      words: ["eurl/study.json", "model.endpoints"],
    },
    // Activities.
    {
      name: "activities file missing",
      study: smokeStudy("noact", (s) => {
        s.activities = "nope.csv";
      }),
      args: run("noact"),
      code: 2,
      words: ["noact/study.json", "activities", "no such file"],
    },
    {
      name: "activities with a .txt extension",
      study: smokeStudy("txt", (s) => {
        s.activities = "acts.txt";
      }),
      files: { "txt/acts.txt": "x" },
      args: run("txt"),
      code: 2,
      words: ["acts.txt", "expected an activity file ending in .json or .csv"],
    },
    {
      name: "a CSV without a header",
      study: smokeStudy("nohead", (s) => {
        s.activities = "a.csv";
      }),
      files: { "nohead/a.csv": "" },
      args: run("nohead"),
      code: 2,
      words: ["nohead/a.csv", "header"],
    },
    {
      name: "a CSV missing the category column",
      study: smokeStudy("nocat", (s) => {
        s.activities = "a.csv";
      }),
      files: { "nocat/a.csv": "id,text\na,b\nc,d\n" },
      args: run("nocat"),
      code: 2,
      words: ["nocat/a.csv", "line 1", "missing category"],
    },
    {
      name: "a CSV with an unknown category",
      study: smokeStudy("badcat", (s) => {
        s.activities = "a.csv";
      }),
      files: { "badcat/a.csv": "id,text,category\na,aa,Helpful\nb,bb,Boring\n" },
      args: run("badcat"),
      code: 2,
      words: ["badcat/a.csv", "line 3, category", "Boring"],
    },
    {
      name: "a CSV with a duplicate id",
      study: smokeStudy("dupid", (s) => {
        s.activities = "a.csv";
      }),
      files: { "dupid/a.csv": "id,text,category\na,aa,Helpful\na,bb,Helpful\n" },
      args: run("dupid"),
      code: 2,
      words: ["dupid/a.csv", "line 3, id", "unique id"],
    },
    {
      name: "a CSV with a duplicate text",
      study: smokeStudy("duptext", (s) => {
        s.activities = "a.csv";
      }),
      files: { "duptext/a.csv": "id,text,category\na,same text,Helpful\nb,Same  Text,Helpful\n" },
      args: run("duptext"),
      code: 2,
      words: ["duptext/a.csv", "line 3, text", "unique text"],
    },
    {
      name: "a CSV with an empty text",
      study: smokeStudy("emptytext", (s) => {
        s.activities = "a.csv";
      }),
      files: { "emptytext/a.csv": "id,text,category\na,,Helpful\nb,bb,Helpful\n" },
      args: run("emptytext"),
      code: 2,
      words: ["emptytext/a.csv", "line 2, text", "non-empty"],
    },
    {
      name: "a CSV with a bad id",
      study: smokeStudy("badid", (s) => {
        s.activities = "a.csv";
      }),
      files: { "badid/a.csv": "id,text,category\na b,aa,Helpful\nb,bb,Helpful\n" },
      args: run("badid"),
      code: 2,
      words: ["badid/a.csv", "line 2, id"],
    },
    {
      name: "a CSV with an unclosed quote",
      study: smokeStudy("quote", (s) => {
        s.activities = "a.csv";
      }),
      files: { "quote/a.csv": 'id,text,category\na,"aa,Helpful\nb,bb,Helpful\n' },
      args: run("quote"),
      code: 2,
      words: ["quote/a.csv", "invalid CSV"],
    },
    {
      name: "#3 a CSV of one activity",
      study: smokeStudy("one", (s) => {
        s.activities = "a.csv";
      }),
      files: { "one/a.csv": "id,text,category\na,tidy the desk,Helpful\n" },
      args: run("one"),
      code: 2,
      words: ["one/a.csv", "at least 2 activities", "found 1"],
    },
    {
      name: "#3 a CSV of no activities",
      study: smokeStudy("zero", (s) => {
        s.activities = "a.csv";
      }),
      files: { "zero/a.csv": "id,text,category\n" },
      args: run("zero"),
      code: 2,
      words: ["zero/a.csv", "at least 2 activities", "found 0"],
    },
    {
      name: "#3 a JSON file of one activity",
      study: smokeStudy("onej", (s) => {
        s.activities = "a.json";
      }),
      files: { "onej/a.json": '[{"id":"a","text":"tidy the desk","category":"Helpful"}]' },
      args: run("onej"),
      code: 2,
      words: ["onej/a.json", "at least 2 activities", "found 1"],
    },
    {
      name: "#3 an inline list of one activity",
      study: smokeStudy("inline1", (s) => {
        s.activities = [{ id: "a", text: "tidy", category: "Helpful" }];
      }),
      args: run("inline1"),
      code: 2,
      words: ["inline1/study.json", "activities"],
    },
    {
      name: "a JSON activities file that is an object",
      study: smokeStudy("obj", (s) => {
        s.activities = "a.json";
      }),
      files: { "obj/a.json": '{"rows":[]}' },
      args: run("obj"),
      code: 2,
      words: ["obj/a.json", "activities: expected an array"],
    },
    {
      name: "#2 a NUL in an activity text (JSON)",
      study: smokeStudy("nul", (s) => {
        s.activities = "a.json";
      }),
      files: {
        "nul/a.json": JSON.stringify([
          { id: "a", text: "tidy the desk \u0000 now", category: "Helpful" },
          { id: "b", text: "bb", category: "Helpful" },
        ]),
      },
      args: run("nul"),
      code: 2,
      words: ["nul/a.json", "[0].text", "control characters", "U+0000"],
    },
    {
      name: "#2 an ESC in an activity text (CSV)",
      study: smokeStudy("esc", (s) => {
        s.activities = "a.csv";
      }),
      files: { "esc/a.csv": csvWithFirstText("tidy the desk \u001b[31m now") },
      args: run("esc"),
      code: 2,
      words: ["esc/a.csv", "line 2, text", "U+001B"],
    },
    {
      name: "a newline inside a quoted CSV text",
      study: smokeStudy("nl", (s) => {
        s.activities = "a.csv";
      }),
      files: { "nl/a.csv": csvWithFirstText("tidy the desk\nnow") },
      args: run("nl"),
      code: 2,
      words: ["nl/a.csv", "text", "U+000A"],
    },
    {
      name: "a C1 control character (Latin-1 read as UTF-8 elsewhere)",
      study: smokeStudy("c1", (s) => {
        s.activities = "a.csv";
      }),
      files: { "c1/a.csv": csvWithFirstText("caf\u0089 cr\u0088me") },
      args: run("c1"),
      code: 2,
      words: ["c1/a.csv", "line 2, text", "U+0089"],
    },
    {
      name: "a control character in an inline activity",
      study: smokeStudy("inlinectl", (s) => {
        s.activities = [
          { id: "a", text: "x\u0007y", category: "Helpful" },
          { id: "b", text: "bb", category: "Helpful" },
        ];
      }),
      args: run("inlinectl"),
      code: 2,
      words: ["inlinectl/study.json", "activities[0].text", "U+0007"],
    },
    {
      name: "#7 Latin-1 bytes in a CSV",
      study: smokeStudy("latin1", (s) => {
        s.activities = "a.csv";
      }),
      files: { "latin1/a.csv": Buffer.from(`${csvWithFirstText("café crème")}\n`, "latin1") },
      args: run("latin1"),
      code: 2,
      words: ["latin1/a.csv", "line 2", "not UTF-8", "save it as UTF-8"],
    },
    {
      name: "Latin-1 bytes in study.json",
      files: {
        "latin1s/study.json": Buffer.from(
          '{"name":"x","model":{"source":"builtin:random-tiny"},"emotions":["calm"],"prompts":{}, "z":"café"}',
          "latin1",
        ),
      },
      args: run("latin1s"),
      code: 2,
      words: ["latin1s/study.json", "line 1", "not UTF-8"],
    },
    {
      name: "a U+FFFD already in a text",
      study: smokeStudy("fffd", (s) => {
        s.activities = "a.csv";
      }),
      files: { "fffd/a.csv": csvWithFirstText("caf\ufffd") },
      args: run("fffd"),
      code: 2,
      words: ["fffd/a.csv", "line 2, text", "U+FFFD"],
    },
    // Models.
    {
      name: "an unknown local model",
      args: run(SMOKE_STUDY, "--model", "./no-such-model"),
      code: 2,
      words: ["no-such-model", "no such file or folder"],
    },
    {
      name: "an unknown builtin model",
      args: run(SMOKE_STUDY, "--model", "builtin:random-huge"),
      code: 2,
      words: ["random-huge"],
    },
    {
      name: '#10 --model ""',
      args: run(SMOKE_STUDY, "--model", ""),
      code: 2,
      words: ["run:", "--model expects a model source", "empty string"],
    },
    {
      name: "--model of spaces",
      args: ["vectors", SMOKE_STUDY, ...out, "--model", "  "],
      code: 2,
      words: ["vectors:", "--model expects", "empty string"],
    },
    {
      name: '--out ""',
      args: ["run", SMOKE_STUDY, "--out", ""],
      code: 2,
      words: ["run:", "--out expects a folder", "empty string"],
    },
    {
      name: "model info of a missing folder",
      args: ["model", "info", "./no-such-model"],
      code: 2,
      words: ["no-such-model"],
    },
    // Endpoints (#4, #5): checked when read, never written with a secret.
    {
      name: "#4 --endpoint notaurl",
      args: run(SMOKE_STUDY, "--endpoint", "notaurl", "--model", "x"),
      code: 2,
      words: ["run:", "--endpoint expected an http:// or https:// base URL", '"notaurl"'],
    },
    {
      name: "#4 --endpoint file:///etc/passwd",
      args: run(SMOKE_STUDY, "--endpoint", "file:///etc/passwd", "--model", "x"),
      code: 2,
      words: ["--endpoint", "got a file: URL"],
    },
    {
      name: "#4 --endpoint with user:pw@",
      args: run(SMOKE_STUDY, "--endpoint", "http://user:pw-SECRET@127.0.0.1:9/v1", "--model", "x"),
      code: 2,
      words: ["--endpoint", "no user:password@", "http://127.0.0.1:9/v1", "OPENAI_API_KEY"],
      never: ["pw-SECRET"],
    },
    {
      name: "--endpoint ftp://",
      args: ["elicit", SMOKE_STUDY, ...out, "--endpoint", "ftp://h/v1", "--model", "x"],
      code: 2,
      words: ["elicit:", "got a ftp: URL"],
    },
    {
      name: "--endpoint not a URL with a key in it",
      args: run(SMOKE_STUDY, "--endpoint", "host?key=sk-q-SECRET", "--model", "x"),
      code: 2,
      words: ["--endpoint", "base URL"],
      never: ["sk-q-SECRET"],
    },
    {
      name: "a second bad --endpoint",
      args: run(
        SMOKE_STUDY,
        "--endpoint",
        "http://127.0.0.1:9/v1",
        "--endpoint",
        "gopher://h",
        "--model",
        "x",
      ),
      code: 2,
      words: ["got a gopher: URL"],
    },
    {
      name: "#4 --endpoint without --model for a builtin model",
      args: run(SMOKE_STUDY, "--endpoint", "http://127.0.0.1:9/v1"),
      code: 2,
      words: ["--endpoint needs --model <served model name>", "builtin:random-tiny"],
    },
    {
      name: "a study endpoint with user:pw@",
      study: smokeStudy("eauth", (s) => {
        s.model = {
          source: "builtin:random-tiny",
          backend: "openai",
          name: "x",
          endpoints: ["http://u:pw-SECRET@h/v1"],
        };
      }),
      args: run("eauth"),
      code: 2,
      words: ["eauth/study.json", "model.endpoints[0]", "no user:password@"],
      never: ["pw-SECRET"],
    },
    {
      name: "a study endpoint with file:",
      study: smokeStudy("efile", (s) => {
        s.model = {
          source: "builtin:random-tiny",
          backend: "openai",
          name: "x",
          endpoints: ["file:///etc/passwd"],
        };
      }),
      args: run("efile"),
      code: 2,
      words: ["efile/study.json", "model.endpoints[0]", "file: URL"],
    },
    // More of the study file.
    {
      name: "vectors.layers empty",
      study: smokeStudy("vlempty", (s) => {
        s.vectors = { layers: [] };
      }),
      args: run("vlempty"),
      code: 2,
      words: ["vlempty/study.json", "vectors.layers"],
    },
    {
      name: "vectors.layers -1",
      study: smokeStudy("vlneg", (s) => {
        s.vectors = { layers: [-1] };
      }),
      args: run("vlneg"),
      code: 2,
      words: ["vlneg/study.json", "vectors.layers"],
    },
    {
      name: "vectors.tokenOffset text",
      study: smokeStudy("voff", (s) => {
        s.vectors = { tokenOffset: "x" };
      }),
      args: run("voff"),
      code: 2,
      words: ["voff/study.json", "vectors.tokenOffset"],
    },
    {
      name: "vectors.neutralVarianceShare 1",
      study: smokeStudy("vnvs", (s) => {
        s.vectors = { neutralVarianceShare: 1 };
      }),
      args: run("vnvs"),
      code: 2,
      words: ["vnvs/study.json", "vectors.neutralVarianceShare"],
    },
    {
      name: "vectors.storiesPerEmotion 0",
      study: smokeStudy("vspe", (s) => {
        s.vectors = { storiesPerEmotion: 0 };
      }),
      args: run("vspe"),
      code: 2,
      words: ["vspe/study.json", "vectors.storiesPerEmotion"],
    },
    {
      name: "probe.readout unknown",
      study: smokeStudy("pread", (s) => {
        s.probe = { readout: "mean" };
      }),
      args: run("pread"),
      code: 2,
      words: ["pread/study.json", "probe.readout"],
    },
    {
      name: "analysis.fdrAlpha 2",
      study: smokeStudy("fdr", (s) => {
        s.analysis = { fdrAlpha: 2 };
      }),
      args: run("fdr"),
      code: 2,
      words: ["fdr/study.json", "analysis.fdrAlpha"],
    },
    {
      name: "rating.ciLevel 1",
      study: smokeStudy("cil", (s) => {
        s.rating = { ciLevel: 1 };
      }),
      args: run("cil"),
      code: 2,
      words: ["cil/study.json", "rating.ciLevel"],
    },
    {
      name: "rating.prior 0",
      study: smokeStudy("prior0", (s) => {
        s.rating = { prior: 0 };
      }),
      args: run("prior0"),
      code: 2,
      words: ["prior0/study.json", "rating.prior", "expected a number > 0"],
    },
    {
      name: "elicitation.concurrency 0",
      study: smokeStudy("conc", (s) => {
        s.elicitation = { concurrency: 0 };
      }),
      args: run("conc"),
      code: 2,
      words: ["conc/study.json", "elicitation.concurrency"],
    },
    {
      name: "elicitation.temperature -1",
      study: smokeStudy("temp", (s) => {
        s.elicitation = { temperature: -1 };
      }),
      args: run("temp"),
      code: 2,
      words: ["temp/study.json", "elicitation.temperature"],
    },
    {
      name: "elicitation.readout unknown",
      study: smokeStudy("readout", (s) => {
        s.elicitation = { readout: "vibes" };
      }),
      args: run("readout"),
      code: 2,
      words: ["readout/study.json", "elicitation.readout"],
    },
    {
      name: "active design budget 0",
      study: smokeStudy("budget0", (s) => {
        s.elicitation = { design: { kind: "active", budget: 0 } };
      }),
      args: run("budget0"),
      code: 2,
      words: ["budget0/study.json", "budget"],
    },
    {
      name: "prompts.choice without {b}",
      study: smokeStudy("pchoice", (s) => {
        s.prompts = { choice: "Do you prefer {a}?" };
      }),
      args: run("pchoice"),
      code: 2,
      words: ["pchoice/study.json", "prompts.choice", "{a} and {b}"],
    },
    {
      name: "prompts.probe without {activity}",
      study: smokeStudy("pprobe", (s) => {
        s.prompts = { probe: "How?" };
      }),
      args: run("pprobe"),
      code: 2,
      words: ["pprobe/study.json", "prompts.probe", "{activity}"],
    },
    {
      name: "steering without emotions",
      study: smokeStudy("snoemo", (s) => {
        s.steering = { strengths: [1] };
      }),
      args: run("snoemo"),
      code: 2,
      words: ["snoemo/study.json", "steering.emotions"],
    },
    {
      name: "steering.layers reversed",
      study: smokeStudy("srev", (s) => {
        s.steering = { emotions: ["calm"], layers: [3, 1] };
      }),
      args: run("srev"),
      code: 2,
      words: ["srev/study.json", "steering.layers", "from <= to"],
    },
    {
      name: "steering.strengths empty",
      study: smokeStudy("sstr", (s) => {
        s.steering = { emotions: ["calm"], strengths: [] };
      }),
      args: run("sstr"),
      code: 2,
      words: ["sstr/study.json", "steering.strengths"],
    },
    {
      name: "steering.splits 0",
      study: smokeStudy("ssplit", (s) => {
        s.steering = { emotions: ["calm"], splits: 0 };
      }),
      args: run("ssplit"),
      code: 2,
      words: ["ssplit/study.json", "steering.splits"],
    },
    {
      name: "output.dir empty",
      study: smokeStudy("odir", (s) => {
        s.output = { dir: "" };
      }),
      args: ["run", "odir"],
      code: 2,
      words: ["odir/study.json", "output.dir"],
    },
    {
      name: "an inline activity with an unknown category",
      study: smokeStudy("icat", (s) => {
        s.activities = [
          { id: "a", text: "aa", category: "Nope" },
          { id: "b", text: "bb", category: "Helpful" },
        ];
      }),
      args: run("icat"),
      code: 2,
      words: ["icat/study.json", "activities[0].category"],
    },
    {
      name: "inline activities with a duplicate id",
      study: smokeStudy("iid", (s) => {
        s.activities = [
          { id: "a", text: "aa", category: "Helpful" },
          { id: "a", text: "bb", category: "Helpful" },
        ];
      }),
      args: run("iid"),
      code: 2,
      words: ["iid/study.json", "activities[1].id", "unique id"],
    },
    {
      name: "activities as a number",
      study: smokeStudy("anum", (s) => {
        s.activities = 3;
      }),
      args: run("anum"),
      code: 2,
      words: ["anum/study.json", "activities"],
    },
    {
      name: "model.name empty",
      study: smokeStudy("mname", (s) => {
        s.model = { source: "builtin:random-tiny", name: "" };
      }),
      args: run("mname"),
      code: 2,
      words: ["mname/study.json", "model.name"],
    },
    {
      name: "$schema a number",
      study: smokeStudy("schemanum", (s) => {
        s.$schema = 3;
      }),
      args: run("schemanum"),
      code: 2,
      words: ["schemanum/study.json", "$schema"],
    },
    {
      name: "study.json is a folder",
      files: { "sdir/study.json/.keep": "" },
      args: run("sdir"),
      code: 2,
      words: ["sdir/study.json", "is a folder"],
    },
    // Config mistakes found before the first stage (#9), all at once.
    {
      name: "#9 a missing vectors.corpus",
      study: smokeStudy("nocorpus", (s) => {
        s.vectors = { corpus: "no-such-corpus.jsonl" };
      }),
      args: run("nocorpus"),
      code: 2,
      words: ["nocorpus/study.json: vectors.corpus", "no-such-corpus.jsonl", "no such file or folder"],
    },
    {
      name: "#9 valenceNorms that are not norms",
      study: smokeStudy("badnorms", (s) => {
        s.analysis = { valenceNorms: "norms.json" };
      }),
      files: { "badnorms/norms.json": '{"norms": 3}' },
      args: run("badnorms"),
      code: 2,
      words: ["badnorms/norms.json"],
    },
    {
      name: "#9 valenceNorms missing",
      study: smokeStudy("nonorms", (s) => {
        s.analysis = { valenceNorms: "norms.json" };
      }),
      args: run("nonorms"),
      code: 2,
      words: ["nonorms/study.json", "analysis.valenceNorms", "no such file"],
    },
    {
      name: "#9 vectors.layers [4] on a 4-layer model",
      study: smokeStudy("vl4", (s) => {
        s.vectors = { layers: [4] };
      }),
      args: run("vl4"),
      code: 2,
      words: ["vl4/study.json: vectors.layers: layer 4 outside the model's layers 0..3"],
    },
    {
      name: "#9 steering.layers [2, 50]",
      study: smokeStudy("sl50", (s) => {
        s.steering = { emotions: ["calm"], layers: [2, 50] };
      }),
      args: run("sl50"),
      code: 2,
      words: ["sl50/study.json: steering.layers: layer 50 outside the model's layers 0..3"],
    },
    {
      name: "steering.layerSweep [9]",
      study: smokeStudy("sweep9", (s) => {
        s.steering = { emotions: ["calm"], layerSweep: [1, 9] };
      }),
      args: run("sweep9"),
      code: 2,
      words: ["sweep9/study.json: steering.layerSweep: layer 9 outside"],
    },
    {
      name: "a steered emotion the study does not read",
      study: smokeStudy("steerother", (s) => {
        s.steering = { emotions: ["furious"] };
      }),
      args: run("steerother"),
      code: 2,
      words: ["steerother/study.json: steering.emotions", '"furious" not among the study\'s emotions'],
    },
    {
      name: "#9 two config mistakes reported together",
      study: smokeStudy("two", (s) => {
        s.vectors = { corpus: "nope", layers: [7] };
      }),
      args: run("two"),
      code: 2,
      lines: 2,
      words: ["vectors.corpus", "vectors.layers: layer 7"],
    },
    {
      name: "vectors alone checks its layers too",
      study: smokeStudy("vl9", (s) => {
        s.vectors = { layers: [9] };
      }),
      args: ["vectors", "vl9", ...out],
      code: 2,
      words: ["vl9/study.json: vectors.layers: layer 9"],
    },
    // Poor messages (#10).
    {
      name: "#10 a 10,000-character activity",
      study: smokeStudy("long", (s) => {
        s.activities = "a.csv";
      }),
      files: { "long/a.csv": csvWithFirstText("x".repeat(10_000)) },
      args: run("long"),
      code: 2,
      words: ["long/a.csv", "line 2, text", "at most 1000 characters", "got 10000"],
    },
    {
      name: "#10 a stale lock holding a live pid that is not pva",
      files: { "stale/smoke-run/stages.jsonl": "", "stale/smoke-run/stages.jsonl.lock": "1\n" },
      args: ["report", "stale/smoke-run"],
      code: 2,
      words: ["another pva run (process 1)", "stale/smoke-run/stages.jsonl.lock", "delete"],
    },
    // Endpoints (#4, #5, #10): a local server plays each broken or odd endpoint.
    {
      name: "#4 a port nothing listens on",
      args: run(SMOKE_STUDY, "--endpoint", "@closed/v1?key=sk-q-SECRET", "--model", "x"),
      code: 2,
      words: ["cannot reach the endpoint", "/v1?key=REDACTED", "ECONNREFUSED"],
      never: ["sk-q-SECRET"],
    },
    {
      name: "#4 a port fetch refuses (9)",
      args: run(SMOKE_STUDY, "--endpoint", "http://127.0.0.1:9/v1", "--model", "x"),
      code: 2,
      words: ["cannot reach the endpoint http://127.0.0.1:9/v1", "bad port"],
    },
    {
      name: "#4 a host that does not exist",
      args: run(SMOKE_STUDY, "--endpoint", "http://no-such-host.invalid/v1", "--model", "x"),
      code: 2,
      words: ["cannot reach the endpoint http://no-such-host.invalid/v1"],
    },
    {
      name: "#4 two dead endpoints, both named",
      args: run(
        SMOKE_STUDY,
        "--endpoint",
        "http://127.0.0.1:9/v1",
        "--endpoint",
        "@closed/v1",
        "--model",
        "x",
      ),
      code: 2,
      words: ["cannot reach the endpoints http://127.0.0.1:9/v1 (bad port), http://127.0.0.1:"],
    },
    {
      name: "#4 a server that accepts and never answers",
      study: smokeStudy("hang", (s) => {
        s.elicitation = { readout: "logprobs", requestTimeoutSeconds: 0.5, maxRetries: 0, concurrency: 16 };
      }),
      args: run("hang", "--endpoint", "@server/hang/v1", "--model", "x"),
      code: 2,
      words: ["/hang/v1: no answer within 0.5 s on 1 attempt, and no endpoint has answered yet"],
    },
    {
      name: "#4 401 on every request",
      args: run(SMOKE_STUDY, "--endpoint", "@server/401/v1?key=sk-q-SECRET", "--model", "x"),
      code: 2,
      words: ["/401/v1?key=REDACTED", "rejected", "401", "OPENAI_API_KEY"],
      never: ["sk-q-SECRET"],
    },
    {
      name: "#4 a model the server does not have (404)",
      args: run(SMOKE_STUDY, "--endpoint", "@server/404/v1", "--model", "nosuch"),
      code: 2,
      words: ["/404/v1", "rejected", '404 not found: no such model "nosuch"'],
    },
    {
      name: "#10 a logprob of 1e999 is the server's error",
      args: run(SMOKE_STUDY, "--endpoint", "@server/inf/v1", "--model", "x"),
      code: 2,
      words: ["/inf/v1", "the server broke the OpenAI protocol", "logprob Infinity"],
      never: ["choices.jsonl"],
    },
    {
      name: "#10 a positive logprob is the server's error",
      args: run(SMOKE_STUDY, "--endpoint", "@server/positive/v1", "--model", "x"),
      code: 2,
      words: ["/positive/v1", "the server broke the OpenAI protocol", "logprob 0.5"],
    },
    // Degenerate but valid: runs to the end (#3).
    {
      name: "#3 #5 a model that always answers A, its key never written",
      study: smokeStudy("always-a", (s) => {
        s.steering = null;
        s.analysis = { bootstrap: 20, permutations: 20 };
        s.rating = { bootstrap: 20 };
      }),
      args: [
        "run",
        "always-a",
        "--out",
        "degenerate",
        "--endpoint",
        "@server/always-a/v1?key=sk-q-SECRET",
        "--model",
        "x",
      ],
      code: 0,
      words: ["report:"],
      never: ["sk-q-SECRET"],
      after: async () => {
        const folder = await onlyRunFolder(join(dir, "degenerate"));
        for (const file of await filesBelow(folder))
          expect(await readFile(file, "latin1"), file).not.toContain("sk-q-SECRET");
        const correlations = JSON.parse(await readFile(join(folder, "correlations.json"), "utf8"));
        expect(correlations.valence).toBeNull();
        expect(
          correlations.emotions.every((e: { note?: string }) => e.note?.startsWith("Elo is constant")),
        ).toBe(true);
        await rm(join(dir, "degenerate"), { recursive: true });
      },
    },
    {
      name: "#3 one emotion",
      study: smokeStudy("one-emotion", (s) => {
        s.emotions = ["blissful"];
        s.steering = { emotions: ["blissful"], strengths: [0.5], splits: 1 };
        s.analysis = { bootstrap: 20, permutations: 20 };
        s.rating = { bootstrap: 20 };
      }),
      args: ["run", "one-emotion", "--out", "degenerate"],
      code: 0,
      words: ["report:"],
      after: async () => {
        const folder = await onlyRunFolder(join(dir, "degenerate"));
        const correlations = JSON.parse(await readFile(join(folder, "correlations.json"), "utf8"));
        expect(correlations.emotions).toHaveLength(1);
        expect(correlations.valence).toBeNull();
        await rm(join(dir, "degenerate"), { recursive: true });
      },
    },
    {
      name: "#3 bootstrap 0: no intervals",
      study: smokeStudy("boot0", (s) => {
        s.steering = null;
        s.analysis = { bootstrap: 0, permutations: 0 };
        s.rating = { bootstrap: 0 };
      }),
      args: ["run", "boot0", "--out", "degenerate"],
      code: 0,
      words: ["report:"],
      after: async () => {
        const folder = await onlyRunFolder(join(dir, "degenerate"));
        const correlations = JSON.parse(await readFile(join(folder, "correlations.json"), "utf8"));
        expect(correlations.emotions.every((e: { pearsonCi: unknown }) => e.pearsonCi === null)).toBe(true);
        expect(await readFile(join(folder, "report", "summary.md"), "utf8")).toContain(
          "none (no bootstrap resamples)",
        );
        await rm(join(dir, "degenerate"), { recursive: true });
      },
    },
    // The run folder: one writer, a manifest of the files as they are (#1, #6, #8).
    {
      name: "#1 #6 pva report of a run folder: temp leftovers gone, manifest up to date",
      files: {
        "@earlier/.vectors.safetensors.99999.deadbeef.tmp": "torn",
        "@earlier/stray.txt": "not the run's",
      },
      args: ["report", "@earlier"],
      code: 0,
      words: [],
      after: async () => {
        await expect(stat(join(earlier, ".vectors.safetensors.99999.deadbeef.tmp"))).rejects.toThrow();
        const manifest = JSON.parse(await readFile(join(earlier, "manifest.json"), "utf8"));
        expect(Object.keys(manifest.artifacts).filter((f) => f.includes("tmp") || f === "stray.txt")).toEqual(
          [],
        );
        expect(manifest.artifacts["report/index.html"]).toBe(
          sha256Hex(await readFile(join(earlier, "report", "index.html"))),
        );
        await rm(join(earlier, "stray.txt"));
      },
    },
    {
      name: "#8 --out under /proc",
      args: ["run", SMOKE_STUDY, "--out", "/proc/pvaout"],
      code: 2,
      words: ["/proc/pvaout/smoke-", "cannot create the run folder"],
    },
    // Output folders.
    {
      name: "--out under a file",
      files: { "a-file": "x" },
      args: ["run", SMOKE_STUDY, "--out", "a-file/runs"],
      code: 2,
      words: ["a-file/runs/smoke-", "cannot create the run folder", "a parent of it is a file"],
    },
  ];
  return list;
}

let dir: string;
let earlier: string;
let earlierDigest: Record<string, string>;

let server: Server;
let serverUrl: string;
let closedUrl: string;

/** `@earlier` stands for the earlier run folder, `@server` for the test server, `@closed` for a port nothing listens on. */
function resolveArgs(args: string[]): string[] {
  return args.map((arg) =>
    arg.replace("@earlier", earlier).replace("@server", serverUrl).replace("@closed", closedUrl),
  );
}

/** Every file below a folder. */
async function filesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/**
 * One OpenAI-compatible server, its behaviour named by the path's first part: always-a (" A" at
 * -0.5, " B" at -1.0), positive and inf (logprobs no server may send), 401, 404, hang (accepts,
 * never answers).
 */
function startServer(): Promise<Server> {
  const answer = (top: string) =>
    `{"id":"c","object":"text_completion","created":0,"model":"x","choices":[{"index":0,"text":" A","finish_reason":"length","logprobs":{"tokens":[" A"],"token_logprobs":[-0.5],"top_logprobs":[${top}]}}]}`;
  const bodies: Record<string, [number, string]> = {
    "always-a": [200, answer('{" A": -0.5, " B": -1.0}')],
    positive: [200, answer('{" A": 0.5, " B": -1.0}')],
    inf: [200, answer('{" A": 1e999, " B": -1.0}')],
    "401": [401, '{"error":{"message":"invalid key"}}'],
    "404": [404, '{"error":{"message":"model not found"}}'],
  };
  const created = createServer((req, res) => {
    req.resume();
    const kind = (req.url ?? "").split("/")[1];
    if (kind === "hang") return;
    const [status, body] = bodies[kind] ?? [404, "{}"];
    req.on("end", () => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body);
    });
  });
  return new Promise((resolve) => created.listen(0, "127.0.0.1", () => resolve(created)));
}

/** Runs `pva args` in this process with cwd `dir`, stdout and stderr captured. */
async function pvaHere(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const streams = { stdout: "", stderr: "" };
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (name: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array) => {
      streams[name] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof process.stdout.write;
  const cwd = process.cwd();
  process.chdir(dir);
  process.stdout.write = capture("stdout");
  process.stderr.write = capture("stderr");
  try {
    const code = await runCli(["node", "pva", ...args]);
    return { code, ...streams };
  } finally {
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
    process.chdir(cwd);
  }
}

async function prepare(row: Row): Promise<void> {
  if (row.study) {
    const folder = join(dir, row.study.folder);
    await mkdir(folder, { recursive: true });
    const study = JSON.parse(await readFile(join(SMOKE_STUDY, "study.json"), "utf8"));
    study.activities = join(SMOKE_STUDY, "activities.csv");
    study.$schema = undefined;
    row.study.edit?.(study);
    await writeFile(join(folder, "study.json"), JSON.stringify(study, null, 2));
  }
  for (const [path, content] of Object.entries(row.files ?? {})) {
    const file = path.startsWith("@earlier/")
      ? join(earlier, path.slice("@earlier/".length))
      : join(dir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

function checkRow(row: Row, result: { code: number; stdout: string; stderr: string }): void {
  const context = `${row.name}\n${result.stderr}`;
  expect(result.code, context).toBe(row.code);
  if (row.code !== 0) {
    // Progress lines may come first; the error is its `pva:` lines, and never a stack trace.
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("pva: "));
    expect(lines, context).toHaveLength(row.lines ?? 1);
    expect(result.stderr, context).not.toMatch(/\n\s+at /);
    for (const word of row.words)
      expect(lines.join("\n"), context).toContain(word.replace("@earlier", earlier));
  } else for (const word of row.words) expect(result.stderr, context).toContain(word);
  for (const word of row.never ?? []) expect(`${result.stdout}${result.stderr}`, context).not.toContain(word);
}

beforeAll(async () => {
  process.setMaxListeners(0); // each in-process command adds its Ctrl-C listener
  dir = await mkdtemp(join(tmpdir(), "pva-bad-input-"));
  csvText = await smokeCsv();
  server = await startServer();
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = await startServer();
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  const result = await runPva(["run", SMOKE_STUDY, "--out", "runs"], dir);
  expect(result.code, result.stderr).toBe(0);
  earlier = await onlyRunFolder(join(dir, "runs"));
  earlierDigest = await folderDigest(earlier);
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("bad inputs (issue #16's probe)", () => {
  it("has at least 115 rows, each named once", () => {
    const names = rows().map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(115);
  });

  it("every row: its exit status and one line with its words; the earlier run untouched", async () => {
    const failures: string[] = [];
    for (const row of rows()) {
      await prepare(row);
      const result = await pvaHere(resolveArgs(row.args));
      try {
        checkRow(row, result);
        await row.after?.();
      } catch (error) {
        failures.push(`${row.name}: ${(error as Error).message.split("\n").slice(0, 3).join(" | ")}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await onlyRunFolder(join(dir, "runs"))).toBe(earlier);
    expect(await folderDigest(earlier)).toEqual(earlierDigest);
    expect(basename(earlier)).toMatch(/^smoke-[0-9a-f]{12}$/);
    expect((await readdir(join(dir, "runs"))).length).toBe(1);
  });
});
