/**
 * A URL as it may be written anywhere (manifest, report, error lines, ids): userinfo
 * (`user:password@`) is dropped and every query value is replaced by `REDACTED`, since endpoints
 * carry keys there (`…/v1?key=sk-…`). Query names are kept, so two endpoints that differ only in
 * a key read the same while a reader still sees that a key was given. The fragment is dropped.
 * Text that is not a URL is returned with anything that looks like `user:pw@` or `?query` cut,
 * so a malformed endpoint in an error line leaks nothing either.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@?#]*@/, "//").replace(/[?#].*$/, "");
  }
  parsed.username = "";
  parsed.password = "";
  parsed.hash = "";
  const names = [...parsed.searchParams.keys()];
  if (names.length === 0) {
    parsed.search = "";
    return parsed.toString();
  }
  parsed.search = names.map((name) => `${encodeURIComponent(name)}=REDACTED`).join("&");
  return parsed.toString();
}
