// Views over a WASM instance's linear memory. memory.grow detaches every view over
// the old buffer, so each getter checks the buffer on every access and rebuilds the
// view when it changed: a stale view is impossible. Used by the index classes.

export class WasmMemory {
  #f32 = new Float32Array(0);
  #u32 = new Uint32Array(0);

  constructor(readonly memory: WebAssembly.Memory) {}

  /** Whole-memory f32 view (index = byte address / 4). */
  get f32(): Float32Array {
    const buffer = this.memory.buffer;
    if (this.#f32.buffer !== buffer) this.#f32 = new Float32Array(buffer);
    return this.#f32;
  }

  /** Whole-memory u32 view (index = byte address / 4). */
  get u32(): Uint32Array {
    const buffer = this.memory.buffer;
    if (this.#u32.buffer !== buffer) this.#u32 = new Uint32Array(buffer);
    return this.#u32;
  }

  /** Bytes of linear memory the instance holds. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }
}
