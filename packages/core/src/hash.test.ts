import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, contentHash, sha256Hex } from "./hash.js";

describe("hashing", () => {
  it("sha256Hex matches the known digest of 'abc' (FIPS 180-2 test vector)", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex(new TextEncoder().encode("abc"))).toBe(sha256Hex("abc"));
  });

  it("canonical JSON sorts keys at every depth and drops whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("key order does not change the hash; values do", () => {
    const h = contentHash({ model: "m", pair: ["a", "b"], params: { t: 1, n: 5 } });
    expect(contentHash({ params: { n: 5, t: 1 }, pair: ["a", "b"], model: "m" })).toBe(h);
    expect(contentHash({ model: "m", pair: ["b", "a"], params: { t: 1, n: 5 } })).not.toBe(h);
    expect(h).toBe(
      createHash("sha256").update('{"model":"m","pair":["a","b"],"params":{"n":5,"t":1}}').digest("hex"),
    );
  });

  it("follows JSON semantics: undefined members vanish, non-finite numbers are refused", () => {
    expect(contentHash({ a: 1, b: undefined })).toBe(contentHash({ a: 1 }));
    expect(() => contentHash({ a: Number.NaN })).toThrow(/non-finite/);
    expect(() => contentHash(undefined)).toThrow(TypeError);
  });

  it("writes numbers in their shortest form (RFC 8785)", () => {
    expect(canonicalJson([1.0, 1e21, 0.1, -0])).toBe("[1,1e+21,0.1,0]");
  });
});
