import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PreferenceScoresSchema } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onlyRunFolder, runPva, SMOKE_STUDY } from "./pva-child.test-support.js";

// An OpenAI-compatible completions server whose "model" prefers the shorter activity text with
// probability 0.8: enough to check that `--endpoint` drives the elicitation end to end.
function preferShorter(prompt: string): { A: number; B: number } {
  const match = /\(A\) (.*) or \(B\) (.*)\?/.exec(prompt);
  if (!match) throw new Error(`unexpected prompt ${prompt}`);
  const pA = match[1].length <= match[2].length ? 0.8 : 0.2;
  return { A: Math.log(pA), B: Math.log(1 - pA) };
}

let dir: string;
let server: Server;
let url: string;
let requests = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-cli-endpoint-"));
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      requests++;
      const { prompt, model } = JSON.parse(body) as { prompt: string; model: string };
      const top = preferShorter(prompt);
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          id: `cmpl-${requests}`,
          object: "text_completion",
          model,
          choices: [
            {
              index: 0,
              text: top.A > top.B ? "A" : "B",
              logprobs: { top_logprobs: [top] },
              finish_reason: "length",
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("pva run --endpoint", () => {
  it("takes the choices from an OpenAI-compatible server, and without local weights still fits and reports them", async () => {
    const folder = join(dir, "api-study");
    await mkdir(folder, { recursive: true });
    const study = JSON.parse(await readFile(join(SMOKE_STUDY, "study.json"), "utf8"));
    await writeFile(
      join(folder, "study.json"),
      JSON.stringify({
        ...study,
        activities: join(SMOKE_STUDY, "activities.csv"),
        model: { source: "hf:example/weights-not-here" },
      }),
    );
    // A hub that refuses connections: the weights cannot be fetched, whatever the network.
    const result = await runPva(
      ["run", folder, "--out", "runs", "--endpoint", url, "--model", "served-model"],
      dir,
      {
        HF_ENDPOINT: "http://127.0.0.1:9",
      },
    );
    expect(result.stderr).not.toMatch(/^pva: /m);
    expect(result.code).toBe(0);
    expect(requests).toBe(240);
    expect(result.stderr).toMatch(
      /^vectors: skipped, reading activations needs local weights \(.*weights-not-here/m,
    );
    expect(result.stderr).toMatch(/^steer: skipped/m);
    const run = await onlyRunFolder(join(dir, "runs"));
    const preferences = PreferenceScoresSchema.parse(
      JSON.parse(await readFile(join(run, "preferences.json"), "utf8")),
    );
    expect(preferences.model).toBe("openai:served-model");
    // Shorter texts win 80% of their comparisons, so Elo falls with text length.
    const byLength = [...preferences.activities].sort((x, y) => x.text.length - y.text.length);
    expect(byLength[0].elo).toBeGreaterThan(byLength[byLength.length - 1].elo);
    expect(preferences.diagnostics.meanOffLabelMass).toBeCloseTo(0, 6);
    expect((await stat(join(run, "report", "index.html"))).isFile()).toBe(true);
    const manifest = JSON.parse(await readFile(join(run, "manifest.json"), "utf8"));
    expect(manifest.model.id).toBe("openai:served-model");
    expect(manifest.config.model).toMatchObject({ backend: "openai", name: "served-model" });
  });
});
