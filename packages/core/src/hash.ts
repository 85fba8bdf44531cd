import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

// canonicalize ships `module.exports = fn` with an `export default` declaration; under NodeNext the
// default import is that function at run time, whatever shape the declaration suggests.
const serializeCanonical = canonicalize as unknown as (value: unknown) => string | undefined;

/**
 * RFC 8785 canonical JSON: sorted keys, no whitespace, shortest number form. The value first goes
 * through JSON semantics (toJSON, undefined members dropped) so the hash is that of what would be
 * written to disk; NaN and Infinity are refused because JSON cannot carry them.
 */
export function canonicalJson(value: unknown): string {
  const plain = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "number" && !Number.isFinite(v))
      throw new TypeError(`cannot hash non-finite number ${v}`);
    return v;
  });
  if (plain === undefined) throw new TypeError(`cannot hash ${typeof value}: it has no JSON form`);
  const canonical = serializeCanonical(JSON.parse(plain));
  if (canonical === undefined) throw new TypeError("cannot hash a value with no JSON form");
  return canonical;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The content address used for cache keys, record keys, config hashes and manifests. */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
