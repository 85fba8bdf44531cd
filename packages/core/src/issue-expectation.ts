import type * as z from "zod";
import { formatIssuePath } from "./issue-path.js";

/** One zod issue, reduced to what a user needs: where (path) and what was expected. */
export interface IssueReport {
  /** `activities[12].category` */
  path: string;
  /** The same path as keys and indices, for callers that name places differently (CSV lines). */
  segments: PropertyKey[];
  expectation: string;
}

type Issue = z.core.$ZodIssue;

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  array: "an array",
  object: "an object",
  null: "null",
  bigint: "an integer",
  date: "a date",
  tuple: "an array",
  record: "an object",
};

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "string")
    return value.length > 40 ? `"${value.slice(0, 37)}..."` : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `a ${typeof value}`;
}

function listValues(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  return shown.length === 1 ? JSON.stringify(values[0]) : `one of ${shown.join(", ")}`;
}

function bound(issue: Extract<Issue, { code: "too_small" | "too_big" }>): string {
  const small = issue.code === "too_small";
  const limit = Number(small ? issue.minimum : issue.maximum);
  const inclusive = issue.inclusive !== false;
  const op = small ? (inclusive ? ">=" : ">") : inclusive ? "<=" : "<";
  switch (issue.origin) {
    case "string":
      if (small && limit === 1) return "non-empty text";
      return `text of ${small ? "at least" : "at most"} ${limit} characters`;
    case "array":
    case "set":
      if (small && limit === 1) return "a non-empty list";
      return `${small ? "at least" : "at most"} ${limit} items`;
    default:
      return `a number ${op} ${limit}`;
  }
}

/** The `X` of "expected X" for an issue, without the value that was found. */
function expected(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return TYPE_NAMES[issue.expected] ?? String(issue.expected);
    case "invalid_value":
      return listValues(issue.values);
    case "too_small":
    case "too_big":
      return bound(issue);
    case "invalid_format":
      if (issue.format === "regex" && "pattern" in issue) return `text matching ${String(issue.pattern)}`;
      return `a valid ${issue.format}`;
    case "not_multiple_of":
      return `a multiple of ${issue.divisor}`;
    case "invalid_union": {
      if ("options" in issue && Array.isArray(issue.options)) return listValues(issue.options);
      const alternatives = issue.errors.map((branch) => (branch[0] ? expected(branch[0]) : "something else"));
      const unique = [...new Set(alternatives)];
      return unique.length <= 1
        ? (unique[0] ?? "a valid value")
        : `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
    }
    default:
      return "a valid value";
  }
}

/**
 * Turns one zod issue into `path` + `expectation`, e.g. `activities[12].category` +
 * `expected one of Helpful, Engaging, ... (got "Helpfull")`. Union failures are reported at the
 * branch that got furthest, because "expected a string or an array" hides the real typo.
 */
export function reportIssue(issue: Issue, data: unknown, prefix: readonly PropertyKey[] = []): IssueReport {
  const fullPath = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && !("options" in issue)) {
    let deepest: { issue: Issue; depth: number } | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (first && first.path.length > 0 && (!deepest || first.path.length > deepest.depth))
        deepest = { issue: first, depth: first.path.length };
    }
    if (deepest) return reportIssue(deepest.issue, data, fullPath);
  }
  if (issue.code === "unrecognized_keys") {
    // Point at the misspelt key itself: `elicitaton: unknown key`.
    const [only] = issue.keys;
    if (issue.keys.length === 1 && only !== undefined)
      return {
        path: formatIssuePath([...fullPath, only]),
        segments: [...fullPath, only],
        expectation: "unknown key; check its spelling",
      };
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
    return {
      path: formatIssuePath(fullPath),
      segments: fullPath,
      expectation: `unknown keys ${keys}; check their spelling`,
    };
  }
  const path = formatIssuePath(fullPath);
  // Schema authors write their own messages in the same "expected ..." voice; zod's defaults
  // ("Invalid input: ...") are replaced by the generic wording below.
  if (issue.code === "custom" || issue.message.startsWith("expected ")) {
    return { path, segments: fullPath, expectation: issue.message };
  }
  const got = describeValue(valueAt(data, fullPath));
  return { path, segments: fullPath, expectation: `expected ${expected(issue)}, got ${got}` };
}
