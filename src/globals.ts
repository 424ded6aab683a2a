// Types of the runtime globals wann's API names that only some `lib` settings declare:
// URL (DOM or @types/node), WebAssembly (DOM; @types/node 20 has none), Symbol.dispose
// (esnext.disposable or @types/node) and FileSystemDirectoryHandle (DOM). Each alias is
// resolved in the program that reads wann's .d.ts files: the real type where that
// program declares the global, `never` (or nothing) where it does not. So the .d.ts
// files compile under `lib: ["ES2022"]` alone, with DOM, and with @types/node,
// skipLibCheck false (test/package.test.ts). Used by src/wasm.ts, src/base-index.ts and
// src/browser-io.ts; types only.

type Global = typeof globalThis;

/** `URL` where the program declares it, else never. */
export type UrlType = Global extends { URL: { prototype: infer T } } ? T : never;

/** `WebAssembly.Module` where the program declares it, else never. */
export type WasmModule = Global extends { WebAssembly: { Module: { prototype: infer T } } } ? T : never;

/** `WebAssembly.Memory` where the program declares it, else never. */
export type WasmMemory = Global extends { WebAssembly: { Memory: { prototype: infer T } } } ? T : never;

/** `AbortSignal` where the program declares it (DOM or @types/node), else never. */
export type AbortSignalType = Global extends { AbortSignal: { prototype: infer T } } ? T : never;

/** `FileSystemDirectoryHandle` (OPFS) where the program declares it (DOM), else never. */
export type DirectoryHandle = Global extends { FileSystemDirectoryHandle: { prototype: infer T } } ? T : never;

/**
 * `{ [Symbol.dispose](): void }` where the program knows Symbol.dispose (so `using`
 * accepts an index), else the empty object type (an interface may extend it; not `unknown`).
 */
export type Disposal = SymbolConstructor extends { readonly dispose: infer K extends symbol } ? { [P in K]: () => void } : {};

/** Gives `prototype` [Symbol.dispose]() calling its dispose(), where the runtime knows Symbol.dispose: `using index = await HnswIndex.create(…)`. */
export function defineDispose(prototype: { dispose(): void }): void {
  if (typeof Symbol.dispose !== 'symbol') return;
  Object.defineProperty(prototype, Symbol.dispose, {
    value(this: { dispose(): void }) {
      this.dispose();
    },
  });
}
