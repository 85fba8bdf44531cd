import { PvaError } from "@pva/core";
import { describe, expect, it } from "vitest";
import { createSharedMemory, WasmHeap } from "./wasm-heap.js";

describe("WasmHeap", () => {
  it("places arrays inside the shared memory, 64-byte aligned and past the reserved bytes", () => {
    const heap = new WasmHeap(createSharedMemory(), 256);
    const a = heap.allocF32(3);
    const b = heap.allocF32(100);
    expect(a.buffer).toBe(heap.memory.buffer);
    expect(heap.addressOf(a)).toBe(256);
    expect(heap.addressOf(b)).toBe(320);
    expect(heap.addressOf(new Float32Array(4))).toBeUndefined();
  });

  it("grows the memory without invalidating earlier arrays", () => {
    const heap = new WasmHeap(createSharedMemory(), 0);
    const small = heap.allocF32(4);
    small.set([1, 2, 3, 4]);
    const big = heap.allocF32(1 << 20);
    expect(heap.memory.buffer.byteLength).toBeGreaterThanOrEqual(4 * (1 << 20) + 64);
    expect(Array.from(small)).toEqual([1, 2, 3, 4]);
    expect(heap.addressOf(small)).toBe(0);
    expect(heap.addressOf(big)).toBe(64);
  });

  it("reuses freed blocks, merges neighbours, and hands them back zeroed", () => {
    const heap = new WasmHeap(createSharedMemory(), 0);
    const a = heap.allocF32(16); // 64 bytes at 0
    const b = heap.allocF32(16); // at 64
    const c = heap.allocF32(16); // at 128
    heap.allocF32(16); // at 192, keeps the top above c
    b.fill(7);
    heap.free(a);
    heap.free(b);
    heap.free(c);
    const merged = heap.allocF32(48);
    expect(heap.addressOf(merged)).toBe(0);
    expect(merged.every((v) => v === 0)).toBe(true);
    expect(heap.highWaterBytes).toBe(256);
  });

  it("lowers the top when the last block is freed", () => {
    const heap = new WasmHeap(createSharedMemory(), 0);
    heap.allocF32(16);
    const last = heap.allocF32(1000);
    heap.free(last);
    expect(heap.highWaterBytes).toBe(64);
    expect(() => heap.free(last)).toThrow(/not allocated here/);
  });

  it("says whether an array would fit below a limit, counting the free block allocF32 would take", () => {
    const heap = new WasmHeap(createSharedMemory(), 0);
    const a = heap.allocF32(16); // 64 bytes at 0
    heap.allocF32(16); // at 64; top 128
    expect(heap.fitsBelow(16, 192)).toBe(true); // would go at 128..192
    expect(heap.fitsBelow(17, 192)).toBe(false); // 128 bytes at 128..256
    heap.free(a);
    expect(heap.fitsBelow(16, 64)).toBe(true); // the freed block at 0..64
    expect(heap.fitsBelow(17, 64)).toBe(false); // too big for it: at the top, 128..256
  });

  it("refuses more than wasm32's 4 GiB with a PvaError, without growing", () => {
    const heap = new WasmHeap(createSharedMemory(), 0);
    let error: unknown;
    try {
      heap.allocF32(2 ** 30 + 1);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PvaError);
    expect((error as PvaError).message).toBe(
      'compute backend: an array of 4096 MiB does not fit in one WebAssembly memory (0 MiB in use of wasm32\'s 4 GiB); use a smaller model or kind "js"',
    );
    expect(heap.memory.buffer.byteLength).toBe(65536);
  });
});
