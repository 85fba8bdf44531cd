import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseModelSource } from "@pva/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../load.js";
import { modelFingerprint } from "../model-fingerprint.js";
import { writeRandomCheckpoint } from "../random-checkpoint.js";

/**
 * A local stand-in for huggingface.co serving what @huggingface/hub and our downloader ask for:
 * the tree API (`/api/models/{repo}/tree/{rev}`) with git sha1 / LFS sha256 ids, and
 * `/{repo}/resolve/{rev}/{path}`, which redirects LFS files to a CDN path that honours ranges.
 */
interface FakeHub {
  url: string;
  requests: { url: string; range?: string }[];
  /** Send this many bytes of this path, once, then cut the connection when `cut` resolves. */
  cutAfter: Map<string, { bytes: number; cut: Promise<unknown> }>;
  /** Serve these bytes instead of the listed content, for this path. */
  corrupt: Map<string, Buffer>;
  server: Server;
}

let dir: string;
let modelDir: string;
let hub: FakeHub;

async function startFakeHub(repo: string, folder: string): Promise<FakeHub> {
  const files = new Map<string, Buffer>();
  for (const name of await readdir(folder)) files.set(name, await readFile(join(folder, name)));
  const isLfs = (path: string) => path.endsWith(".safetensors");
  const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
  // Git's own blob ids, computed by git, so our sha1 check is tested against the real definition.
  const gitOid = (path: string) =>
    execFileSync("git", ["hash-object", join(folder, path)], { encoding: "utf8" }).trim();
  const tree = [...files].map(([path, content]) => ({
    type: "file",
    path,
    size: content.length,
    oid: isLfs(path) ? "0".repeat(40) : gitOid(path),
    ...(isLfs(path) ? { lfs: { oid: sha256(content), size: content.length, pointerSize: 134 } } : {}),
  }));
  const fake: Omit<FakeHub, "url" | "server"> = { requests: [], cutAfter: new Map(), corrupt: new Map() };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    fake.requests.push({ url: url.pathname, range: req.headers.range });
    if (url.pathname === `/api/models/${repo}/tree/main` && url.searchParams.get("recursive") === "true") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(tree));
      return;
    }
    const resolve = new RegExp(`^/${repo}/resolve/main/(.+)$`).exec(url.pathname);
    if (resolve && files.has(resolve[1])) {
      const path = resolve[1];
      if (isLfs(path)) {
        res.writeHead(302, { Location: `/cdn/${path}` });
        res.end();
        return;
      }
      res.writeHead(200, { "Content-Length": files.get(path)!.length });
      res.end(files.get(path));
      return;
    }
    const cdn = /^\/cdn\/(.+)$/.exec(url.pathname);
    if (cdn && files.has(cdn[1])) {
      const path = cdn[1];
      const content = fake.corrupt.get(path) ?? files.get(path)!;
      const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0);
      const body = content.subarray(start);
      const cut = fake.cutAfter.get(path);
      res.writeHead(start > 0 ? 206 : 200, {
        "Content-Length": body.length,
        ...(start > 0 ? { "Content-Range": `bytes ${start}-${content.length - 1}/${content.length}` } : {}),
      });
      if (cut !== undefined) {
        fake.cutAfter.delete(path);
        // Dropped only once the client says it stored some bytes: a close that arrives with the
        // data can make the client discard chunks it had not yet read, leaving nothing to resume.
        res.write(body.subarray(0, cut.bytes));
        cut.cut.then(() => res.socket?.destroy());
        return;
      }
      res.end(body);
      return;
    }
    res.writeHead(404, { "X-Error-Code": "RepoNotFound", "Content-Type": "application/json" });
    res.end(JSON.stringify({ error: "Repository not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { ...fake, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** An address where nothing listens: a port the OS just handed out and took back. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pva-lm-hub-"));
  modelDir = join(dir, "served");
  await writeRandomCheckpoint(modelDir, {
    architecture: "qwen2",
    hiddenSize: 32,
    numLayers: 1,
    numHeads: 2,
    numKvHeads: 1,
    intermediateSize: 64,
    vocabSize: 300,
    maxPositions: 64,
    seed: "hub-test",
    initStd: 0.2,
  });
  hub = await startFakeHub("acme/tiny", modelDir);
});
afterAll(async () => {
  await new Promise((resolve) => hub.server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("hf: sources", () => {
  it("downloads with progress, verifies, and loads the same model as the folder", async () => {
    const cacheDir = join(dir, "cache-1");
    const progress = new Map<string, { loaded: number; total: number }>();
    const model = await loadModel("hf:acme/tiny", {
      cacheDir,
      hubUrl: hub.url,
      onProgress: (p) => progress.set(p.file, p),
    });
    const weights = (await stat(join(modelDir, "model.safetensors"))).size;
    expect(progress.get("model.safetensors")).toMatchObject({ loaded: weights, total: weights });
    expect([...progress.keys()].sort()).toEqual([
      "config.json",
      "model.safetensors",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    const downloaded = (await model.forward([1, 2, 3])).logits;
    await model.dispose();
    const local = await loadModel(modelDir);
    expect(model.hash).toBe(local.hash);
    expect(downloaded).toEqual((await local.forward([1, 2, 3])).logits);
    await local.dispose();

    // A second load uses the verified copy: the listing only, no file requests.
    hub.requests.length = 0;
    await loadModel("hf:acme/tiny", { cacheDir, hubUrl: hub.url });
    expect(hub.requests.map((r) => r.url)).toEqual(["/api/models/acme/tiny/tree/main"]);

    // The verified list names every file and is replaced whole: no temporary file beside it.
    const files = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"];
    const copy = join(cacheDir, "hub", "acme--tiny", "main");
    expect((await readdir(copy)).sort()).toEqual([".pva-manifest.json", ...files]);
    const verified = JSON.parse(await readFile(join(copy, ".pva-manifest.json"), "utf8"));
    expect(Object.keys(verified).sort()).toEqual(files);
  });

  it("resumes an interrupted download with a range request", async () => {
    const cacheDir = join(dir, "cache-2");
    let storedSome = () => {};
    const cut = new Promise((resolve) => {
      storedSome = () => resolve(undefined);
    });
    hub.cutAfter.set("model.safetensors", { bytes: 3000, cut });
    const onProgress = (p: { file: string; loaded: number }) => {
      if (p.file === "model.safetensors" && p.loaded > 0) storedSome();
    };
    await expect(loadModel("hf:acme/tiny", { cacheDir, hubUrl: hub.url, onProgress })).rejects.toThrow(
      /hf:acme\/tiny: download of model.safetensors (interrupted|stopped) at \d+ of \d+ bytes.*run again to resume/,
    );
    hub.requests.length = 0;
    const model = await loadModel("hf:acme/tiny", { cacheDir, hubUrl: hub.url });
    const resumed = hub.requests.find((r) => r.url === "/cdn/model.safetensors");
    expect(resumed?.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(model.hash).toBe((await loadModel(modelDir)).hash);
  });

  it("rejects and removes a file whose checksum does not match the listing", async () => {
    const cacheDir = join(dir, "cache-3");
    const tampered = Buffer.from(await readFile(join(modelDir, "model.safetensors")));
    tampered[tampered.length - 1] ^= 0xff;
    hub.corrupt.set("model.safetensors", tampered);
    try {
      await expect(loadModel("hf:acme/tiny", { cacheDir, hubUrl: hub.url })).rejects.toThrow(
        /hf:acme\/tiny: model.safetensors failed verification \(sha256 [0-9a-f]{64}, the hub lists [0-9a-f]{64}\); removed, run again/,
      );
    } finally {
      hub.corrupt.clear();
    }
    await expect(
      stat(join(cacheDir, "hub", "acme--tiny", "main", "model.safetensors.incomplete")),
    ).rejects.toThrow();
  });

  it("says in one line when the hub is unreachable or the repository does not exist", async () => {
    const cacheDir = join(dir, "cache-4");
    const closed = await closedPortUrl();
    const unreachable = await loadModel("hf:acme/tiny", { cacheDir, hubUrl: closed }).catch((e: Error) => e);
    expect((unreachable as Error).message).toBe(
      `hf:acme/tiny: cannot reach the Hugging Face hub at ${closed} (ECONNREFUSED); check the network or set HF_ENDPOINT`,
    );
    await expect(loadModel("hf:acme/missing@v2", { cacheDir, hubUrl: hub.url })).rejects.toThrow(
      /^hf:acme\/missing@v2: not found on http:\/\/127.0.0.1:\d+ \(check the name and revision/,
    );
    await expect(loadModel("hf:not a repo", { cacheDir })).rejects.toThrow(
      /expected hf:org\/name or hf:org\/name@revision/,
    );
  });

  it("reads the hub address from HF_ENDPOINT and works offline from a verified copy", async () => {
    const cacheDir = join(dir, "cache-5");
    const previous = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = hub.url;
    try {
      await loadModel("hf:acme/tiny", { cacheDir });
    } finally {
      if (previous === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = previous;
    }
    const offline = await loadModel("hf:acme/tiny", { cacheDir, hubUrl: await closedPortUrl() });
    expect(offline.config.architecture).toBe("qwen2");
  });
});

describe("hub fingerprints", () => {
  it("are the hub's file checksums: seen from the listing alone, the same offline, new when the revision moves", async () => {
    const cacheDir = join(dir, "cache-fingerprint");
    const source = parseModelSource("hf:acme/tiny", dir);
    const listed = await modelFingerprint(source, { cacheDir, hubUrl: hub.url });
    await loadModel(source, { cacheDir, hubUrl: hub.url });
    const offline = await modelFingerprint(source, { cacheDir, hubUrl: await closedPortUrl() });
    expect(offline).toBe(listed);

    // main moved: the same repository now serves other weights
    const movedDir = join(dir, "served-moved");
    await writeRandomCheckpoint(movedDir, {
      architecture: "qwen2",
      hiddenSize: 32,
      numLayers: 1,
      numHeads: 2,
      numKvHeads: 1,
      intermediateSize: 64,
      vocabSize: 300,
      maxPositions: 64,
      seed: "hub-test-moved",
      initStd: 0.2,
    });
    const moved = await startFakeHub("acme/tiny", movedDir);
    try {
      expect(await modelFingerprint(source, { cacheDir, hubUrl: moved.url })).not.toBe(listed);
      // told apart from the listing, before any file is downloaded
      expect(moved.requests.every((r) => r.url.startsWith("/api/"))).toBe(true);
    } finally {
      await new Promise((resolve) => moved.server.close(resolve));
    }
  });
});
