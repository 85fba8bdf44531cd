import { PvaError } from "@pva/core";
import { describe, expect, it } from "vitest";
import { blockSlot, finalSlot, type HookSite, parseHookSite, siteSlot } from "./hook-site.js";

/** Every site of a two-block model, written out in the order the forward pass reaches them. */
const TWO_BLOCK_SITES: HookSite[] = [
  "blocks.0.hook_resid_pre",
  "blocks.0.hook_resid_mid",
  "blocks.0.hook_resid_post",
  "blocks.1.hook_resid_pre",
  "blocks.1.hook_resid_mid",
  "blocks.1.hook_resid_post",
  "ln_final.hook_normalized",
];

function thrown(run: () => unknown): PvaError {
  try {
    run();
  } catch (error) {
    return error as PvaError;
  }
  throw new Error("expected a throw");
}

describe("parseHookSite", () => {
  it("returns each TransformerLens site name as it was written", () => {
    for (const text of [...TWO_BLOCK_SITES, "blocks.31.hook_resid_post"])
      expect(parseHookSite(text)).toBe(text);
    expect(parseHookSite("blocks.1.hook_resid_mid", 2)).toBe("blocks.1.hook_resid_mid");
  });

  it("rejects an unknown name with one line that lists the names there are", () => {
    for (const text of [
      "blocks.1.hook_resid",
      "blocks.x.hook_resid_post",
      "ln_final",
      "blocks.1.hook_attn_out",
      "",
    ]) {
      const error = thrown(() => parseHookSite(text));
      expect(error).toBeInstanceOf(PvaError);
      expect(error.code).toBe("E_HOOK_SITE");
      expect(error.message).toBe(
        `hook site ${JSON.stringify(text)}: expected blocks.{L}.hook_resid_pre|mid|post or ln_final.hook_normalized`,
      );
    }
  });

  it("with the model's depth, rejects a block past its last one and names the blocks there are", () => {
    const error = thrown(() => parseHookSite("blocks.2.hook_resid_pre", 2));
    expect(error.message).toBe(
      'hook site "blocks.2.hook_resid_pre": expected blocks.{0..1}.hook_resid_pre|mid|post or ln_final.hook_normalized',
    );
    expect(error.message).not.toContain("\n");
  });

  it("is the only way from an arbitrary string to a HookSite (the type refuses other names)", () => {
    // @ts-expect-error a name that is not a residual site does not type-check
    const wrong: HookSite = "blocks.1.hook_attn_out";
    // @ts-expect-error nor does a plain string
    const plain: HookSite = String("ln_final.hook_normalized");
    expect([wrong, plain]).toHaveLength(2);
  });
});

describe("hook places", () => {
  it("numbers every site of a model in the order the forward pass reaches them", () => {
    expect(TWO_BLOCK_SITES.map((site) => siteSlot(site, 2))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("gives a site the place the block loop names for it", () => {
    expect(siteSlot("blocks.1.hook_resid_pre", 2)).toBe(blockSlot(1, "pre"));
    expect(siteSlot("blocks.0.hook_resid_post", 2)).toBe(blockSlot(0, "post"));
    expect(siteSlot("ln_final.hook_normalized", 2)).toBe(finalSlot(2));
    expect([blockSlot(1, "pre"), blockSlot(0, "post"), finalSlot(2)]).toEqual([3, 2, 6]);
  });

  it("refuses a site past the model's depth, as a caller without types can pass one", () => {
    expect(() => siteSlot("blocks.2.hook_resid_pre", 2)).toThrow(/expected blocks.\{0..1\}/);
  });
});
