import type * as z from "zod";
import { InputError } from "./errors.js";
import { type IssueReport, reportIssue } from "./issue-expectation.js";

/**
 * Validates `data` against `schema`; on failure throws an InputError naming `source`, the path of
 * the first problem and what was expected there. The count of further problems is appended so the
 * user knows there is more to fix without a wall of text. `formatPath` lets a caller name the
 * place its own way (a CSV reader says `line 5, category`).
 */
export function parseWithSchema<T>(
  schema: z.ZodType<T>,
  data: unknown,
  source: string,
  formatPath: (report: IssueReport) => string = (report) => report.path,
): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  if (!first) throw new InputError(source, "(root)", "invalid value");
  const report = reportIssue(first, data);
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
  throw new InputError(source, formatPath(report), `${report.expectation}${more}`);
}
