// Which calls an index takes while others are under way. A callback of the caller's
// (onProgress, a filter) runs inside a call: from there, changing or searching the
// index would pull the ground from under that call, so only reading is allowed. A save
// reads the index over several turns of the event loop: changes and searches wait for
// it. An async call (addBatchAsync, searchBatchAsync, knnGraph) holds the index until it
// settles; sync changes and searches are refused meanwhile and async calls queue
// behind it. Refusals are BUSY WannErrors that say what to do instead.

import { WannError } from './errors.js';

export class CallGuard {
  /** Set while a callback of the caller's runs. */
  #inCallback = false;
  /** Saves under way (saveTo, save). */
  #saving = 0;
  /** An async call under way. */
  #running = false;
  /** Settles when the last async call queued settles. */
  #queue: Promise<unknown> = Promise.resolve();

  /** `owner` names the index in messages ("this HnswIndex"). */
  constructor(private readonly owner: () => string) {}

  /** Throws BUSY unless a call that changes or searches the index may start now. */
  checkIdle(): void {
    this.checkNotInCallback(`this ${this.owner()}`);
    if (this.#saving > 0) {
      throw new WannError('BUSY', `this ${this.owner()} is being saved: change or search it after save() / saveTo() settles`);
    }
    if (this.#running) {
      throw new WannError('BUSY', `an async call (addBatchAsync, searchBatchAsync, knnGraph) is running on this ${this.owner()}: await it first`);
    }
  }

  /** Throws BUSY inside a callback: for calls that only read but must not start from there (a save, dispose()). */
  checkNotInCallback(what: string): void {
    if (this.#inCallback) {
      throw new WannError('BUSY', `${what} is running a callback of yours (onProgress, a filter): call the index after it returns, not from inside`);
    }
  }

  /** Runs a callback of the caller's; until it returns, checkIdle() refuses. */
  callback<T>(run: () => T): T {
    this.#inCallback = true;
    try {
      return run();
    } finally {
      this.#inCallback = false;
    }
  }

  /** Runs `work` after every async call queued before it, once `check` passes, holding the index meanwhile. */
  exclusive<T>(check: () => void, work: () => Promise<T>): Promise<T> {
    const turn = this.#queue.then(async () => {
      check();
      this.#running = true;
      try {
        return await work();
      } finally {
        this.#running = false;
      }
    });
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Runs a save: from this call on, changes and searches wait for it (several saves may run at once). */
  async saving<T>(work: () => Promise<T>): Promise<T> {
    this.#saving++;
    try {
      return await work();
    } finally {
      this.#saving--;
    }
  }
}
