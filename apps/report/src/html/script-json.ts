/**
 * JSON safe inside a `<script>` element: `<`, `>` and `&` become \u escapes, so no `</script>` or
 * `<!--` can end or change the script element, and U+2028/U+2029 are escaped for old JS parsers.
 * JSON.parse reads the escapes back to the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
