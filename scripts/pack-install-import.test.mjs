// What a user of the published packages gets: every workspace package packed with `pnpm pack`,
// the tarballs installed together into a scratch project outside the workspace (third-party
// dependencies from pnpm's store, else the npm registry), then each package imported there by
// name and asked to do one small real thing. Run by `pnpm test` after the build:
// node --test scripts/pack-install-import.test.mjs
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PACKAGES = {
  "@pva/core": "packages/core",
  "@pva/lm": "packages/lm",
  "@pva/stimuli": "packages/stimuli",
  "@pva/prefs": "packages/prefs",
  "@pva/analysis": "packages/analysis",
  "@pva/report": "apps/report",
  "@pva/cli": "apps/cli",
};

/** pnpm as the user runs it: the one on PATH (pnpm's scripts have it there), else through npx. */
async function pnpm(args, cwd) {
  try {
    return await run("pnpm", args, { cwd, maxBuffer: 64 << 20 });
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
    return run("npx", ["-y", "pnpm@10.34.8", ...args], { cwd, maxBuffer: 64 << 20 });
  }
}

/** Runs an ES module in the scratch project, where only the installed tarballs resolve @pva/*. */
async function inProject(cwd, source) {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", source], { cwd });
  return stdout.trim();
}

let scratch;
const tarballs = {};
const listings = {};
const license = await readFile(join(root, "LICENSE"), "utf8");

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "pva-pack-"));
  for (const [name, dir] of Object.entries(PACKAGES)) {
    const { stdout } = await pnpm(["pack", "--pack-destination", scratch], join(root, dir));
    tarballs[name] = stdout.trim().split("\n").at(-1).trim();
    listings[name] = (await run("tar", ["-tzf", tarballs[name]])).stdout.split("\n").filter(Boolean);
  }
  const project = join(scratch, "project");
  const files = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
  await run("mkdir", ["-p", project]);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({
      name: "pva-pack-check",
      private: true,
      type: "module",
      dependencies: files,
      // the tarballs ask for each other by version range; these are the ones to use, not the registry's
      pnpm: { overrides: files },
    }),
  );
  await pnpm(["install", "--prefer-offline", "--reporter=silent"], project);
});

after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("each package's tarball", () => {
  for (const name of Object.keys(PACKAGES)) {
    it(`${name}: LICENSE, README, built code, and a package.json fit to publish`, async () => {
      const listing = listings[name];
      for (const file of [
        "package/LICENSE",
        "package/README.md",
        "package/package.json",
        "package/dist/index.js",
      ])
        assert.ok(listing.includes(file), `${name} tarball lacks ${file}`);
      assert.deepEqual(
        listing.filter((file) => /\.test\.|\/src\//.test(file)),
        [],
        `${name} tarball carries sources or tests`,
      );
      const packed = JSON.parse((await run("tar", ["-xzOf", tarballs[name], "package/package.json"])).stdout);
      const shipped = (await run("tar", ["-xzOf", tarballs[name], "package/LICENSE"])).stdout;
      assert.equal(shipped, license, `${name}: LICENSE differs from the repository's`);
      assert.equal(packed.license, "MIT");
      assert.equal(packed.type, "module");
      assert.equal(packed.engines.node, ">=20.19");
      assert.match(packed.repository.url, /^git\+https:\/\/.+\.git$/);
      assert.equal(packed.repository.directory, PACKAGES[name]);
      assert.match(packed.homepage, /^https:\/\//);
      assert.match(packed.bugs.url, /^https:\/\//);
      assert.ok(packed.files.includes("CHANGELOG.md"), `${name}: CHANGELOG.md is not in files`);
      const ranges = { ...packed.dependencies, ...packed.peerDependencies };
      for (const [dep, range] of Object.entries(ranges))
        assert.doesNotMatch(range, /^workspace:/, `${name}: ${dep} still says ${range}`);
    });
  }
});

describe("installed from the tarballs outside the workspace", () => {
  const project = () => join(scratch, "project");

  it("@pva/core reads the catalogs and hashes, and ships the study file's JSON Schema", async () => {
    const out = await inProject(
      project(),
      `import { readFileSync } from "node:fs";
       import { fileURLToPath } from "node:url";
       import { emotionCatalog, defaultActivities, sha256Hex } from "@pva/core";
       const schema = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve("@pva/core/study.schema.json")), "utf8"));
       console.log(emotionCatalog.length, defaultActivities.length, sha256Hex("pva").slice(0, 8), schema.title);`,
    );
    assert.equal(out, "171 64 f0db8185 pva study"); // sha256 of "pva", from sha256sum
  });

  it("@pva/lm writes a random checkpoint and runs it on its shipped wasm kernels", async () => {
    const out = await inProject(
      project(),
      `import { loadModel, writeRandomCheckpoint } from "@pva/lm";
       const dir = ${JSON.stringify(join(scratch, "tiny-model"))};
       await writeRandomCheckpoint(dir, { architecture: "llama", hiddenSize: 32, numLayers: 1, numHeads: 2,
         numKvHeads: 1, intermediateSize: 64, vocabSize: 300, maxPositions: 64, seed: "pack", initStd: 0.2 });
       const model = await loadModel(dir);
       const { logits } = await model.forward([1, 2, 3], { logits: "last" });
       console.log(logits.length, logits.every(Number.isFinite));
       process.exit(0);`,
    );
    assert.equal(out, "300 true");
  });

  it("@pva/stimuli loads the corpus it ships", async () => {
    const out = await inProject(
      project(),
      `import { loadCorpus } from "@pva/stimuli";
       const corpus = await loadCorpus();
       console.log(corpus.stories.length > 0);`,
    );
    assert.equal(out, "true");
  });

  it("@pva/prefs and @pva/analysis import with their entry points", async () => {
    const out = await inProject(
      project(),
      `import { elicit, fitPreferences } from "@pva/prefs";
       import { correlate, emotionVectors } from "@pva/analysis";
       console.log([elicit, fitPreferences, correlate, emotionVectors].map((f) => typeof f).join(" "));`,
    );
    assert.equal(out, "function function function function");
  });

  it("@pva/report finds its font files where npm put them", async () => {
    const out = await inProject(
      project(),
      `import { chartFontFiles } from "@pva/report";
       const files = await chartFontFiles();
       console.log(JSON.stringify(files));`,
    );
    const files = JSON.parse(out);
    assert.equal(files.length, 2);
    for (const file of files)
      assert.match(file, /[\\/]dejavu-fonts-ttf[\\/]ttf[\\/]DejaVuSans(-Bold)?\.ttf$/);
  });

  it("@pva/cli installs the pva command", async () => {
    const bin = join(project(), "node_modules", ".bin", process.platform === "win32" ? "pva.cmd" : "pva");
    const { stdout } = await run(bin, ["--version"], { cwd: project() });
    const { version } = JSON.parse(await readFile(join(root, PACKAGES["@pva/cli"], "package.json"), "utf8"));
    assert.equal(stdout.trim(), version);
  });
});
