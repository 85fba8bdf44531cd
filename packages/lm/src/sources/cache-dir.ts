import { homedir } from "node:os";
import { join } from "node:path";

/** Where downloaded and generated models live: `PVA_CACHE_DIR`, else ~/.cache/pva/models. */
export function defaultCacheDir(): string {
  return process.env.PVA_CACHE_DIR || join(homedir(), ".cache", "pva", "models");
}
