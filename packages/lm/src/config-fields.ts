import { InputError } from "@pva/core";
import { type GgufFile, ggufNumber, ggufString } from "./formats/gguf.js";
import { failModelFile } from "./formats/tensor-store.js";

type Json = Record<string, unknown>;

/**
 * Where a checkpoint says its weights are random, so any report on it can say its outputs mean
 * nothing: config.json `"pva": { "random_weights": true }`, GGUF metadata `pva.random_weights`
 * (bool). Keys under `pva` belong to this project; transformers and llama.cpp ignore them.
 */
export const RANDOM_WEIGHTS_GGUF_KEY = "pva.random_weights";

/**
 * Typed reads from a config.json object, each failing with one line that names the file and the
 * field. Architectures read their fields through this, so every config speaks the same errors.
 */
export class HfConfigFields {
  readonly raw: Json;

  constructor(
    raw: unknown,
    readonly file: string,
  ) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw))
      throw new InputError(file, "(root)", "expected a JSON object");
    this.raw = raw as Json;
  }

  /** model_type, lower-cased ("" when absent). */
  get modelType(): string {
    return typeof this.raw.model_type === "string" ? this.raw.model_type.toLowerCase() : "";
  }

  /** The `architectures` class names, lower-cased. */
  get classNames(): string[] {
    return Array.isArray(this.raw.architectures)
      ? this.raw.architectures.map((a) => String(a).toLowerCase())
      : [];
  }

  fail(key: string, expectation: string): never {
    throw new InputError(this.file, key, expectation);
  }

  /** A finite number; `fallback` when the field is absent or null (missing is an error without one). */
  number(key: string, fallback?: number): number {
    const v = this.raw[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v))
      this.fail(key, v === undefined ? "missing" : "expected a number");
    return v;
  }

  /** A finite number, or null when the field is absent or null. */
  optionalNumber(key: string): number | null {
    const v = this.raw[key];
    return v === undefined || v === null ? null : this.number(key);
  }

  string(key: string): string | undefined {
    const v = this.raw[key];
    return typeof v === "string" ? v : undefined;
  }

  /** A nested object, or null when absent. */
  object(key: string): Json | null {
    const v = this.raw[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== "object" || Array.isArray(v)) this.fail(key, "expected an object");
    return v as Json;
  }

  /** Whether the checkpoint marks its weights as random (`"pva": { "random_weights": true }`). */
  get randomWeights(): boolean {
    const pva = this.raw.pva;
    return typeof pva === "object" && pva !== null && (pva as Json).random_weights === true;
  }

  /** A token id given as a number or as a list whose first entry is the id. */
  firstId(key: string): number | null {
    const v = this.raw[key];
    if (typeof v === "number") return v;
    if (Array.isArray(v) && typeof v[0] === "number") return v[0];
    return null;
  }
}

/** Typed reads of one architecture's GGUF metadata (`{arch}.{key}`), failing like the tensor reads do. */
export class GgufConfigFields {
  constructor(
    readonly gguf: GgufFile,
    readonly arch: string,
  ) {}

  get source(): string {
    return this.gguf.source;
  }

  key(key: string): string {
    return `${this.arch}.${key}`;
  }

  number(key: string, fallback?: number): number {
    return ggufNumber(this.gguf, this.key(key), fallback);
  }

  optionalNumber(key: string): number | null {
    return this.gguf.metadata.has(this.key(key)) ? this.number(key) : null;
  }

  string(key: string): string | undefined {
    return ggufString(this.gguf, this.key(key));
  }

  /** A tensor's row-major shape; missing is an error. */
  shape(tensor: string): number[] {
    const info = this.gguf.info(tensor);
    if (!info) failModelFile(this.gguf.source, `tensor ${tensor}`, "missing");
    return info.shape;
  }

  hasTensor(tensor: string): boolean {
    return this.gguf.info(tensor) !== undefined;
  }

  /** Whether the file marks its weights as random (`pva.random_weights`). */
  get randomWeights(): boolean {
    return this.gguf.metadata.get(RANDOM_WEIGHTS_GGUF_KEY) === true;
  }

  /** A token id from tokenizer.ggml.* metadata, or null. */
  tokenId(key: string): number | null {
    const v = this.gguf.metadata.get(`tokenizer.ggml.${key}`);
    return typeof v === "number" ? v : null;
  }
}
