import { PvaError } from "@pva/core";

const PAGE_BYTES = 65536;
/** wasm32 addresses 4 GiB at most. */
const MAX_WASM_PAGES = 65536;
/** Cache-line alignment: no two allocations share a line, and SIMD loads start aligned. */
const ALIGN = 64;

interface Block {
  address: number;
  bytes: number;
}

/**
 * Allocates Float32Arrays inside one shared WebAssembly.Memory, so that the kernels and their
 * worker threads read weights and activations in place. Grows the memory on demand (growing
 * shared memory never moves it, so earlier views stay valid) and reuses freed blocks first-fit.
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Every ArrayBuffer the memory has handed out: one per size it has grown to. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly live = new Map<number, number>();
  /** Free blocks below `top`, sorted by address, never adjacent (merged on free). */
  private readonly freeBlocks: Block[] = [];
  private top: number;

  /** The first `reservedBytes` bytes are left alone (the wasm module's static data lives there). */
  constructor(memory: WebAssembly.Memory, reservedBytes: number) {
    this.memory = memory;
    this.buffers.add(this.memory.buffer);
    this.top = alignUp(reservedBytes);
  }

  /** Zero-filled floats inside the memory. */
  allocF32(length: number): Float32Array {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`allocF32: bad length ${length}`);
    const bytes = alignUp(Math.max(length * 4, 1));
    const address = this.takeFreeBlock(bytes) ?? this.bump(bytes);
    this.live.set(address, bytes);
    // V8 hands out a fresh SharedArrayBuffer object after ANY shared memory in the process grows
    // (another backend's included), so register the one this view is made from.
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    const view = new Float32Array(buffer, address, length);
    view.fill(0);
    return view;
  }

  /** Returns an array from allocF32 to the heap; the array must not be used afterwards. */
  free(view: Float32Array): void {
    const address = this.addressOf(view);
    const bytes = address === undefined ? undefined : this.live.get(address);
    if (address === undefined || bytes === undefined)
      throw new RangeError("free: array was not allocated here");
    this.live.delete(address);
    if (address + bytes === this.top) {
      this.top = address;
      const last = this.freeBlocks.at(-1);
      if (last && last.address + last.bytes === this.top) {
        this.top = last.address;
        this.freeBlocks.pop();
      }
      return;
    }
    this.insertFree({ address, bytes });
  }

  /** Byte address of an array that lives in this memory, or undefined for any other array. */
  addressOf(view: ArrayBufferView): number | undefined {
    return this.buffers.has(view.buffer) ? view.byteOffset : undefined;
  }

  /**
   * Whether an allocF32 of `length` floats would end at or below byte `limit` (in a freed block or
   * at the bump pointer), so a caller spreading arrays over several memories can pick one.
   */
  fitsBelow(length: number, limit: number): boolean {
    const bytes = alignUp(Math.max(length * 4, 1));
    // The block allocF32 would take: the first free one that is large enough (takeFreeBlock).
    const block = this.freeBlocks.find((b) => b.bytes >= bytes);
    return (block ? block.address : this.top) + bytes <= limit;
  }

  /** Bytes in use or free-listed below the bump pointer: what the heap costs in RSS at most. */
  get highWaterBytes(): number {
    return this.top;
  }

  private bump(bytes: number): number {
    const address = this.top;
    const end = address + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE_BYTES);
      const total = have / PAGE_BYTES + pages;
      if (total > MAX_WASM_PAGES) {
        throw new PvaError(
          `compute backend: an array of ${formatMiB(bytes)} does not fit in one WebAssembly memory (${formatMiB(address)} in use of wasm32's 4 GiB); use a smaller model or kind "js"`,
          "E_WASM_MEMORY",
        );
      }
      try {
        this.memory.grow(pages);
      } catch (cause) {
        throw new PvaError(
          `compute backend: could not grow WebAssembly memory to ${formatMiB(total * PAGE_BYTES)} (${String(cause)})`,
          "E_WASM_MEMORY",
        );
      }
      this.buffers.add(this.memory.buffer);
    }
    this.top = end;
    return address;
  }

  private takeFreeBlock(bytes: number): number | undefined {
    const index = this.freeBlocks.findIndex((block) => block.bytes >= bytes);
    if (index < 0) return undefined;
    const block = this.freeBlocks[index];
    const address = block.address;
    if (block.bytes === bytes) this.freeBlocks.splice(index, 1);
    else {
      block.address += bytes;
      block.bytes -= bytes;
    }
    return address;
  }

  private insertFree(block: Block): void {
    let index = this.freeBlocks.findIndex((b) => b.address > block.address);
    if (index < 0) index = this.freeBlocks.length;
    this.freeBlocks.splice(index, 0, block);
    const next = this.freeBlocks[index + 1];
    if (next && block.address + block.bytes === next.address) {
      block.bytes += next.bytes;
      this.freeBlocks.splice(index + 1, 1);
    }
    const previous = this.freeBlocks[index - 1];
    if (previous && previous.address + previous.bytes === block.address) {
      previous.bytes += block.bytes;
      this.freeBlocks.splice(index, 1);
    }
  }
}

/** A shared memory that can grow to wasm32's 4 GiB, for kernels running on several threads. */
export function createSharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 1, maximum: MAX_WASM_PAGES, shared: true });
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}
