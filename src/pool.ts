// A pool of workers over one index's shared memory: each runs src/worker.ts with its own
// instance of the threads build and its own context, and waits on a control block for
// the next call. A call is run on every worker at once; the caller either blocks until
// all are done (Atomics.wait: Node's main thread, any worker) or awaits the message the
// last one posts (a page's main thread, which may not block). Workers start on first
// use, from the source of workerMain (src/spawn-worker.ts: no worker file to locate), and are unref'd in
// Node, so an idle pool never keeps a process alive; dispose() ends them. Used by
// src/parallel.ts.

import { WannError } from './errors.js';
import type { NodeThreading } from './wasm.js';
import { spawnWorker, workerPort, workerSource, type WorkerHandle } from './spawn-worker.js';
import { Control, type Op, workerMain, type WorkerStart } from './worker.js';

/** How long a blocked caller waits between looks at a pool whose workers may have died. */
const WAIT_SLICE_MS = 1000;
/** How long a blocked caller waits for the workers to start. */
const START_TIMEOUT_MS = 30_000;
/**
 * How long a blocked caller, its share done, spins for the workers' last rows before it
 * sleeps: waking from Atomics.wait took ~30 µs on the 2-core development VM, against a
 * few hundred for a 100-query call's share. Spinning measured 1-3% faster there (an A/B
 * in one process, ef 10-64 on siftsmall); workers spinning between calls measured
 * slower, so they sleep.
 */
const END_SPIN_MS = 0.5;

export class WorkerPool {
  readonly #control = new Int32Array(new SharedArrayBuffer(Control.WORDS * 4));
  readonly #workers: WorkerHandle[] = [];
  #call = 0;
  /** Resolves the awaited call when its last worker posts. */
  #settle: (() => void) | undefined;
  #disposed = false;

  /**
   * Starts `size` workers over `memory`, each instantiating `module`. `node` is Node's
   * worker_threads (src/node-io.ts), or undefined where Web Workers are used.
   */
  constructor(readonly size: number, module: WebAssembly.Module, memory: WebAssembly.Memory, node: NodeThreading | undefined) {
    this.#control[Control.WORKERS] = size;
    const source = workerSource(workerMain, workerPort);
    for (let number = 0; number < size; number++) {
      const worker = spawnWorker(source, node, () => this.#settled(), (error) => this.#lost(error));
      worker.unref?.(); // an idle pool must not keep Node running (after the listeners: adding one refs the worker again)
      const start: WorkerStart = { module, memory, control: this.#control.buffer as SharedArrayBuffer, number };
      worker.postMessage(start);
      this.#workers.push(worker);
    }
  }

  #settled(): void {
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.();
  }

  /** A worker died outside a call's try (it cannot start, or ran out of memory): fail what waits. */
  #lost(error: Error): void {
    if (Atomics.compareExchange(this.#control, Control.FAILED, 0, 1) === 0) writeMessage(this.#control, error.message);
    Atomics.store(this.#control, Control.DONE, this.size);
    Atomics.notify(this.#control, Control.DONE);
    this.#settled();
  }

  /**
   * Runs `op` with `args` on all workers but one while the calling thread runs `here`
   * (its share of the same call), then blocks until all are done (not on a page's main
   * thread): the caller is the last thread, and a small call waits for one wake-up less.
   */
  runBlocking(op: Op, args: readonly number[], here: () => void): void {
    this.#waitReady();
    this.#start(op, args, false, this.size - 1);
    try {
      here();
    } finally {
      const spinUntil = performance.now() + END_SPIN_MS;
      for (let spins = 1; Atomics.load(this.#control, Control.DONE) < this.size; spins++) {
        if ((spins & 63) === 0 && performance.now() > spinUntil) break;
      }
      for (;;) { // the workers use the memory until they are done, whatever `here` did
        const done = Atomics.load(this.#control, Control.DONE);
        if (done >= this.size) break;
        Atomics.wait(this.#control, Control.DONE, done, WAIT_SLICE_MS);
      }
    }
    this.#throwIfFailed();
  }

  /** Runs `op` with `args` on every worker; settles when all are done, leaving the calling thread free. */
  async run(op: Op, args: readonly number[]): Promise<void> {
    for (const worker of this.#workers) worker.ref?.(); // Node: the awaited call keeps the process alive
    try {
      while (Atomics.load(this.#control, Control.READY) < this.size && !this.#failed() && !this.#disposed) await pause(1);
      const done = new Promise<void>((resolve) => { this.#settle = resolve; });
      this.#start(op, args, true, this.size);
      await done;
      if (this.#disposed) throw new WannError('DISPOSED', 'the index was disposed while a call ran on its threads');
      this.#throwIfFailed();
    } finally {
      for (const worker of this.#workers) worker.unref?.();
    }
  }

  /** Ends every worker (a call awaited meanwhile rejects with DISPOSED); the pool cannot run calls afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const worker of this.#workers) void worker.terminate();
    this.#settled();
  }

  #failed(): boolean {
    return Atomics.load(this.#control, Control.FAILED) !== 0;
  }

  /** Whether every worker has started and waits for calls. */
  get ready(): boolean {
    return Atomics.load(this.#control, Control.READY) >= this.size;
  }

  #waitReady(): void {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const ready = Atomics.load(this.#control, Control.READY);
      if (ready >= this.size || this.#failed()) return;
      if (Date.now() > deadline) {
        this.dispose();
        throw new WannError('WASM_UNAVAILABLE', `${this.size - ready} of ${this.size} worker threads did not start within ${START_TIMEOUT_MS / 1000} s`);
      }
      Atomics.wait(this.#control, Control.READY, ready, WAIT_SLICE_MS);
    }
  }

  #start(op: Op, args: readonly number[], post: boolean, active: number): void {
    if (this.#disposed) throw new WannError('DISPOSED', 'the worker pool was disposed');
    this.#throwIfFailed();
    const control = this.#control;
    control[Control.OP] = op;
    for (let i = 0; i < args.length; i++) control[Control.ARGS + i] = args[i];
    control[Control.POST] = post ? 1 : 0;
    control[Control.ACTIVE] = active;
    Atomics.store(control, Control.DONE, 0);
    Atomics.store(control, Control.CALL, ++this.#call);
    Atomics.notify(control, Control.CALL);
  }

  #throwIfFailed(): void {
    if (!this.#failed()) return;
    const text = readMessage(this.#control);
    this.dispose(); // a worker that failed may be anywhere: never run another call on this pool
    throw new WannError('WASM_ABORT', `a worker thread failed: ${text}; please report this`);
  }
}

function writeMessage(control: Int32Array, text: string): void {
  const units = text.slice(0, 255);
  for (let i = 0; i < units.length; i++) control[Control.MESSAGE + i] = units.charCodeAt(i);
  control[Control.MESSAGE + units.length] = 0;
}

function readMessage(control: Int32Array): string {
  let text = '';
  for (let i = Control.MESSAGE; i < Control.WORDS && control[i] !== 0; i++) text += String.fromCharCode(control[i]);
  return text;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
