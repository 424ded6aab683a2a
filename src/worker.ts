// What each thread of a worker pool runs (src/pool.ts): one instance of the threads
// build over the index's shared memory, waiting on the pool's control block for a call,
// running its share through the instance's exports (assembly/batch.ts), then counting
// itself done. The pool starts it from this function's source text (a Blob URL in a
// browser, eval in Node: src/spawn-worker.ts), so no bundler has to find a separate
// worker file: the function must stay self-contained, every name it uses declared
// inside it or passed in.

import type { WorkerPort } from './spawn-worker.js';

/** Words of the control block (an Int32Array over a SharedArrayBuffer) the pool and its workers share. */
export enum Control {
  /** Incremented by the pool for each call: workers wait for it to change. */
  CALL = 0,
  /** What to run: an Op. */
  OP = 1,
  /** Workers done with the current call. */
  DONE = 2,
  /** Set when a worker failed the current call; the text is in the MESSAGE words. */
  FAILED = 3,
  /** Workers started and waiting. */
  READY = 4,
  /** 1: the last worker done posts a message (a call awaited, not waited for). */
  POST = 5,
  /** Workers in the pool. */
  WORKERS = 6,
  /** Workers that take part in the current call (numbers below it); a blocking caller is one more. */
  ACTIVE = 7,
  /** First of the call's arguments. */
  ARGS = 8,
  /** First word of a failure's text (one UTF-16 unit per word). */
  MESSAGE = 16,
  /** Words of the block. */
  WORDS = 16 + 256,
}

/** The calls a worker runs (the exports of assembly/batch.ts). */
export enum Op {
  /** searchRange(ARGS 0 … 6) on every worker. */
  SEARCH = 1,
  /** storeRange(ARGS 0) on the first worker alone, in context 0 (the caller's: it waits meanwhile). */
  STORE = 2,
  /** linkRange() on every worker. */
  LINK = 3,
}

/** What the pool posts a worker once: the build, the index's memory, the control block and the worker's context. */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** The worker's number: 0 … workers - 1; it uses context number + 1. */
  number: number;
}

/** The worker's whole program. Runs in the worker; every other name it uses is declared inside it. */
export function workerMain(portOf: () => WorkerPort): void {
  // Constants repeated from Control and Op above: this function is sent as text.
  const CALL = 0, OP = 1, DONE = 2, FAILED = 3, READY = 4, POST = 5, WORKERS = 6, ACTIVE = 7, ARGS = 8, MESSAGE = 16, MESSAGE_WORDS = 256;
  const SEARCH = 1, STORE = 2, LINK = 3;
  type Port = { postMessage(message: unknown): void };
  type Exports = {
    attach(context: number): void;
    searchRange(k: number, ef: number, filtered: number, rerank: number, exact: number, probes: number, ofSlots: number): number;
    storeRange(defer: number): number;
    linkRange(): number;
  };

  function run(start: WorkerStart, port: Port): void {
    const control = new Int32Array(start.control);
    let x: Exports;
    try {
      const imports = { env: { memory: start.memory, abort: () => { throw new Error('the WASM core aborted'); } } };
      x = new WebAssembly.Instance(start.module, imports).exports as unknown as Exports;
    } catch (error) {
      fail(control, error);
      Atomics.add(control, READY, 1);
      Atomics.notify(control, READY);
      return;
    }
    let seen = Atomics.load(control, CALL); // before READY: the pool starts no call until every worker is ready
    Atomics.add(control, READY, 1);
    Atomics.notify(control, READY);
    for (;;) {
      Atomics.wait(control, CALL, seen);
      seen = Atomics.load(control, CALL);
      const a = (i: number) => control[ARGS + i];
      try {
        const op = start.number < control[ACTIVE] ? control[OP] : 0; // 0: sits this call out
        if (op === SEARCH) {
          x.attach(start.number + 1);
          x.searchRange(a(0), a(1), a(2), a(3), a(4), a(5), a(6));
        } else if (op === STORE) {
          if (start.number === 0) {
            x.attach(0);
            x.storeRange(a(0));
          }
        } else if (op === LINK) {
          x.attach(start.number + 1);
          x.linkRange();
        }
      } catch (error) {
        fail(control, error);
      }
      const post = control[POST] === 1;
      if (Atomics.add(control, DONE, 1) + 1 === control[WORKERS]) {
        Atomics.notify(control, DONE);
        if (post) port.postMessage({ call: seen });
      }
    }
  }

  function fail(control: Int32Array, error: unknown): void {
    if (Atomics.compareExchange(control, FAILED, 0, 1) !== 0) return; // the first failure tells
    const text = String((error as Error)?.message ?? error).slice(0, MESSAGE_WORDS - 1);
    for (let i = 0; i < text.length; i++) control[MESSAGE + i] = text.charCodeAt(i);
    control[MESSAGE + text.length] = 0;
  }

  const port = portOf();
  port.listen((start) => run(start as WorkerStart, port)); // the pool posts once
}
