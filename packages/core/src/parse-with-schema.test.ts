import { describe, expect, it } from "vitest";
import { InputError, PvaError } from "./errors.js";
import { parseWithSchema } from "./parse-with-schema.js";
import { StudyConfigSchema } from "./schemas/study-config.js";

const FILE = "experiments/x/study.json";
const base = { name: "x", model: { source: "builtin:random-tiny" } };

function messageFor(data: unknown): string {
  try {
    parseWithSchema(StudyConfigSchema, data, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect(error).toBeInstanceOf(PvaError);
    expect((error as InputError).code).toBe("E_INPUT");
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected the data to be rejected");
}

const activity = (id: string, text: string, category: string) => ({ id, text, category });
const twelveGood = Array.from({ length: 12 }, (_, i) => activity(`a${i}`, `do thing ${i}`, "Neutral"));

describe("parseWithSchema messages: file: path: expectation", () => {
  const cases: [string, unknown, string][] = [
    [
      "unknown category deep in an inline activity list",
      { ...base, activities: [...twelveGood, activity("a12", "do more", "Helpfull")] },
      `${FILE}: activities[12].category: expected one of Helpful, Engaging, Social, Self-curiosity, Neutral, Aversive, Misaligned, Unsafe, got "Helpfull"`,
    ],
    [
      "empty activity text",
      { ...base, activities: [activity("a", "x", "Helpful"), activity("b", "   ", "Helpful")] },
      `${FILE}: activities[1].text: expected non-empty text`,
    ],
    [
      "duplicate activity id",
      { ...base, activities: [activity("a", "x", "Helpful"), activity("a", "y", "Helpful")] },
      `${FILE}: activities[1].id: expected a unique id, "a" is already used by [0]`,
    ],
    [
      "duplicate activity text (case and spacing ignored)",
      {
        ...base,
        activities: [activity("a", "Sort  words", "Neutral"), activity("b", "sort words", "Neutral")],
      },
      `${FILE}: activities[1].text: expected a unique text, the same text is already used by [0]`,
    ],
    [
      "activities of the wrong type",
      { ...base, activities: 5 },
      `${FILE}: activities: expected "default", a path to a .json/.csv activity file, or an array of activities`,
    ],
    ["missing model", { name: "x" }, `${FILE}: model: expected an object, got nothing`],
    [
      "missing model source",
      { name: "x", model: {} },
      `${FILE}: model.source: expected a string, got nothing`,
    ],
    ["misspelt section", { ...base, elicitaton: {} }, `${FILE}: elicitaton: unknown key; check its spelling`],
    [
      "unknown backend",
      { ...base, model: { source: "m", backend: "ollama" } },
      `${FILE}: model.backend: expected one of embedded, openai, anthropic, got "ollama"`,
    ],
    [
      "bad design kind",
      { ...base, elicitation: { design: { kind: "swiss" } } },
      `${FILE}: elicitation.design.kind: expected a design of kind "full" or "active"`,
    ],
    [
      "negative budget",
      { ...base, elicitation: { design: { kind: "active", budget: -1 } } },
      `${FILE}: elicitation.design.budget: expected a number >= 1, got -1`,
    ],
    ["fractional seed", { ...base, seed: 1.5 }, `${FILE}: seed: expected an integer, got 1.5`],
    [
      "string where a number belongs",
      { ...base, rating: { bootstrap: "many" } },
      `${FILE}: rating.bootstrap: expected a number, got "many"`,
    ],
    [
      "ci level out of range",
      { ...base, rating: { ciLevel: 95 } },
      `${FILE}: rating.ciLevel: expected a number < 1, got 95`,
    ],
    [
      "emotion not in the catalog",
      { ...base, emotions: ["happy", "hapy"] },
      `${FILE}: emotions[1]: expected an emotion of the 171-word catalog (e.g. "blissful", "at ease"), got "hapy"`,
    ],
    [
      "reversed steering layers",
      { ...base, steering: { emotions: ["blissful"], layers: [9, 3] } },
      `${FILE}: steering.layers: expected [from, to] with from <= to`,
    ],
    [
      "steering layers of the wrong length",
      { ...base, steering: { emotions: ["blissful"], layers: [3] } },
      `${FILE}: steering.layers: expected "auto", a number or at least 2 items, got an array of 1`,
    ],
    [
      "endpoint that is not a URL",
      { ...base, model: { source: "m", backend: "openai", endpoints: ["localhost"] } },
      `${FILE}: model.endpoints[0]: expected a base URL such as http://localhost:8080/v1`,
    ],
    [
      "run name with a slash",
      { ...base, name: "a/b" },
      `${FILE}: name: expected a name of letters, digits, '.', '_' or '-' (it names the run folder)`,
    ],
    [
      "prompt template without its placeholders",
      { ...base, prompts: { choice: "Pick one: {a}" } },
      `${FILE}: prompts.choice: expected a template containing {a} and {b}`,
    ],
    ["not an object at all", [], `${FILE}: (root): expected an object, got an array of 0`],
  ];
  it.each(cases)("%s", (_name, data, message) => {
    expect(messageFor(data)).toBe(message);
  });

  it("counts the further problems instead of listing them", () => {
    expect(messageFor({ name: "a b", seed: "x", model: 3 })).toBe(
      `${FILE}: name: expected a name of letters, digits, '.', '_' or '-' (it names the run folder) (and 2 more problems)`,
    );
  });

  it("returns the parsed value when valid", () => {
    expect(parseWithSchema(StudyConfigSchema, base, FILE).seed).toBe(1234);
  });
});
