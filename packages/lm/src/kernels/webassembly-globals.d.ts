// Node runs WebAssembly, but @types/node 20 declares none of its JavaScript API and the repo's
// lib is ES2023 without DOM. These are the parts the kernels use, per the WebAssembly JS API.
declare global {
  namespace WebAssembly {
    interface MemoryDescriptor {
      initial: number;
      maximum?: number;
      shared?: boolean;
    }
    class Memory {
      constructor(descriptor: MemoryDescriptor);
      /** A SharedArrayBuffer for shared memory; a new object after each grow. */
      readonly buffer: ArrayBuffer | SharedArrayBuffer;
      grow(deltaPages: number): number;
    }
    class Module {
      constructor(bytes: Uint8Array);
    }
    type Imports = Record<string, Record<string, unknown>>;
    class Instance {
      constructor(module: Module, imports?: Imports);
      readonly exports: Record<string, unknown>;
    }
    function validate(bytes: Uint8Array): boolean;
    function compile(bytes: Uint8Array): Promise<Module>;
  }
}

export {};
