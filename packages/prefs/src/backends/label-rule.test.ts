import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultActivities } from "@pva/core";
import { loadModel, type Model, writeRandomCheckpoint } from "@pva/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmbeddedBackend, labelTokenIds } from "./embedded-backend.js";
import { createOpenAIBackend } from "./openai-backend.js";

// One random checkpoint answered two ways: in process (logits) and by an OpenAI-compatible server
// that serves the same model's next-token log-probabilities for the whole vocabulary. Its
// vocabulary is given the tokens " A", "(A" and "A)", which the HTTP backends once counted as A
// and the embedded one did not, so a rule that differs between backends shows here.

let dir: string;
let model: Model;
let server: Server;
let url: string;

/** log(exp(x) + exp(y)) without overflow. */
function logAddExp(x: number, y: number): number {
  const m = Math.max(x, y);
  return m === Number.NEGATIVE_INFINITY ? m : m + Math.log(Math.exp(x - m) + Math.exp(y - m));
}

/** The model's next-token log-probabilities after `prompt`, by token text (ids with the same text summed). */
async function servedLogprobs(prompt: string): Promise<Record<string, number>> {
  const { logits } = await model.forward(model.tokenizer.encode(prompt), { logits: "last" });
  let max = Number.NEGATIVE_INFINITY;
  for (const x of logits) max = Math.max(max, x);
  let z = 0;
  for (const x of logits) z += Math.exp(x - max);
  const lse = max + Math.log(z);
  const byText: Record<string, number> = {};
  for (let id = 0; id < model.tokenizer.vocabSize; id++) {
    const text = model.tokenizer.decode([id]);
    byText[text] = logAddExp(byText[text] ?? Number.NEGATIVE_INFINITY, logits[id] - lse);
  }
  return byText;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-prefs-label-rule-"));
  await writeRandomCheckpoint(dir, {
    architecture: "llama",
    hiddenSize: 32,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    intermediateSize: 64,
    vocabSize: 400,
    maxPositions: 256,
    seed: "label-rule",
    initStd: 0.5,
  });
  // the last three tokens of the vocabulary become " A" (byte-level "ĠA"), "(A" and "A)"
  const file = join(dir, "tokenizer.json");
  const tokenizer = JSON.parse(await readFile(file, "utf8"));
  const vocab = tokenizer.model.vocab as Record<string, number>;
  const replaced = Object.entries(vocab)
    .sort((x, y) => x[1] - y[1])
    .slice(-3);
  const added = ["ĠA", "(A", "A)"];
  replaced.forEach(([token, id], k) => {
    delete vocab[token];
    vocab[added[k]] = id;
  });
  const merges = tokenizer.model.merges as string[];
  merges.splice(-3, 3, "Ġ A", "( A", "A )");
  await writeFile(file, JSON.stringify(tokenizer));
  model = await loadModel(dir, { backend: "js", threads: 1 });

  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => {
      raw += chunk.toString();
    });
    req.on("end", async () => {
      const body = JSON.parse(raw) as { prompt: string; model: string };
      const top = await servedLogprobs(body.prompt);
      const best = Object.entries(top).reduce((x, y) => (y[1] > x[1] ? y : x));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "cmpl-1",
          object: "text_completion",
          created: 1,
          model: body.model,
          choices: [
            {
              index: 0,
              text: best[0],
              finish_reason: "length",
              // a real server caps the list at top_logprobs; this one serves the whole distribution
              logprobs: {
                tokens: [best[0]],
                token_logprobs: [best[1]],
                top_logprobs: [top],
                text_offset: [0],
              },
            },
          ],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await model.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("the label-token rule", () => {
  it("picks the embedded model's label tokens from the vocabulary by the same rule", () => {
    const text = (ids: number[]) => ids.map((id) => model.tokenizer.decode([id])).sort();
    expect(text(labelTokenIds(model, "A"))).toEqual([" A", "A"]);
    expect(text(labelTokenIds(model, "B"))).toEqual(["B"]);
  });

  it("gives the same P(A) and off-label mass in process and over HTTP, within 1e-6", async () => {
    const embedded = createEmbeddedBackend(model, { template: "raw", prefixReuse: false });
    const http = createOpenAIBackend({
      endpoints: [url],
      model: "served",
      readout: "logprobs",
      template: "raw",
    });
    const activities = defaultActivities.slice(0, 4);
    let mergedShare = 0;
    for (const a of activities)
      for (const b of activities) {
        if (a === b) continue;
        const request = { a, b, sampleIndex: 0, seed: 1 };
        const local = await embedded.answer({ ...request, readout: "logits" });
        const served = await http.answer({ ...request, readout: "logprobs" });
        expect(local.pA).not.toBeNull();
        expect(Math.abs((served.pA ?? Number.NaN) - (local.pA ?? Number.NaN))).toBeLessThan(1e-6);
        expect(
          Math.abs((served.offLabelMass ?? Number.NaN) - (local.offLabelMass ?? Number.NaN)),
        ).toBeLessThan(1e-6);
        const top = await servedLogprobs(embedded.prompt(a, b));
        mergedShare = Math.max(mergedShare, Math.exp(top["(A"]) + Math.exp(top["A)"]));
      }
    // the merged tokens carry enough mass that counting them on one side only would show above
    expect(mergedShare).toBeGreaterThan(1e-4);
  });
});
