// Starting a worker from the source text of functions, so no bundler has to find a
// worker file: Node's worker_threads (eval) or a Web Worker from a Blob URL; and, inside
// it, its port back. Used by src/pool.ts (a pool's threads) and src/training-worker.ts
// (a training).

import type { NodeThreading } from './wasm.js';

/** A started worker: Node's worker_threads.Worker or a Web Worker. */
export interface WorkerHandle {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  terminate(): unknown;
  /** Node only: whether the worker keeps the process alive. */
  ref?(): void;
  unref?(): void;
}

/**
 * The text of a program that calls `main(...args)`, each function given by its own
 * source text: a minifier renames what one function's text would name of another's.
 * Each must be self-contained, in syntax no transpiler lowers to a helper it would
 * define outside the function (spread, async, classes).
 */
export function workerSource(main: (...args: never[]) => void, ...args: ((...args: never[]) => unknown)[]): string {
  // A transpiler that keeps function names (tsx, esbuild's keepNames) wraps inner
  // functions in __name(): give the text its own, which does nothing.
  return `var __name = (f) => f;\n(${main.toString()})(${args.map((f) => f.toString()).join(', ')});`;
}

/** Starts a worker running `source`; `node` is Node's worker_threads (src/node-io.ts), or undefined where Web Workers run. */
export function spawnWorker(source: string, node: NodeThreading | undefined, onMessage: (data: unknown) => void, onError: (error: Error) => void): WorkerHandle {
  if (node) {
    const worker = new node.Worker(source, { eval: true });
    worker.on('message', onMessage);
    worker.on('error', onError);
    return worker;
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    const worker = new Worker(url);
    worker.onmessage = (event) => onMessage(event.data);
    worker.onerror = (event) => onError(new Error(event.message));
    return {
      postMessage: (message, transfer) => worker.postMessage(message, transfer ?? []),
      terminate: () => worker.terminate(),
    };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** A worker's end of its messages: what workerPort() gives the program. */
export interface WorkerPort {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  /** Calls `receive` with every message the starting thread posts. */
  listen(receive: (data: unknown) => void): void;
}

/**
 * Inside a worker: its port to the thread that started it (a Web Worker's global
 * scope, or worker_threads' parentPort). Self-contained: a worker's main gets it as text.
 */
export function workerPort(): WorkerPort {
  type Scope = { postMessage(m: unknown, t: ArrayBuffer[]): void; addEventListener?(t: string, f: (e: { data: unknown }) => void): void };
  type NodePort = { postMessage(m: unknown, t?: ArrayBuffer[]): void; on(t: string, f: (m: unknown) => void): void };
  const scope = globalThis as unknown as Scope;
  if (typeof scope.addEventListener === 'function') {
    return { postMessage: (m, t) => scope.postMessage(m, t ?? []), listen: (receive) => scope.addEventListener!('message', (e) => receive(e.data)) };
  }
  const port = (globalThis as unknown as { process: { getBuiltinModule(id: string): { parentPort: NodePort } } }).process.getBuiltinModule('worker_threads').parentPort;
  return { postMessage: (m, t) => port.postMessage(m, t), listen: (receive) => port.on('message', receive) };
}
