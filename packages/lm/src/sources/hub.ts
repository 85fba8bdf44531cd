import { PvaError } from "@pva/core";

export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number;
}

export interface HubOptions {
  cacheDir: string;
  onProgress?: (p: DownloadProgress) => void;
  hubUrl?: string;
}

export async function resolveHub(spec: string, _opts: HubOptions): Promise<string> {
  throw new PvaError(`hf:${spec}: hub downloads are not available in this build`, "E_MODEL_SOURCE");
}
