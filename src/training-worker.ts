// Training product quantization's codebooks off the calling thread, for the async calls
// (trainAsync(), and addBatchAsync() of an untrained index): a worker of its own runs
// startTraining() (src/pq-training.ts) on its own instance of the index's build, the
// sample streamed to it in chunks, and posts each k-means step, then the trained
// QUANTIZER bytes. Same build, same rows, same calls: the codebooks trainCodebooks()
// makes on the calling thread, bit for bit. It shares no memory, so it runs with
// `threads: 1` and in pages that are not cross-origin isolated; where no worker can
// start (no Worker API, or a page's policy refuses it) the caller trains on its own
// thread. Used by base-index.ts.

import { Region } from './abi.js';
import type { Core } from './core.js';
import { WannError } from './errors.js';
import { nodeThreading } from './node-io.js';
import { type PqTraining, sampleRow, sampleRowCount, startTraining, type Training, type TrainingExports, trainingJob, type TrainingJob } from './pq-training.js';
import { spawnWorker, workerPort, workerSource, type WorkerHandle, type WorkerPort } from './spawn-worker.js';
import type { Batch } from './vectors.js';
import { compiledModule } from './wasm.js';

/** Bytes of sample rows per message to the worker: the calling thread copies one chunk, then yields. */
const CHUNK_BYTES = 1 << 22;

/** The worker's first message: the build, the training, and which region holds the codebooks. */
interface TrainerStart {
  module: WebAssembly.Module;
  job: TrainingJob;
  region: number;
}

/** What the worker posts: a k-means step done, the codebooks, or a failure (a core status, or an error's text). */
type TrainerMessage = { done: number; total: number } | { quantizer: Uint8Array } | { status: number } | { error: string };

/**
 * The worker's whole program: a TrainerStart, then Float32Array chunks of sample rows
 * until job.rows are fed, then the steps. `start` is startTraining and `portOf`
 * workerPort, passed as text. Runs in the worker; every other name it uses is declared inside it.
 */
export function trainerMain(start: (x: TrainingExports, job: TrainingJob) => Training, portOf: () => WorkerPort): void {
  type Exports = TrainingExports & { regionPtr(region: number): number; regionUsedBytes(region: number): number };
  const port = portOf();
  let x: Exports | undefined, begun: TrainerStart | undefined, training: Training | undefined;
  let fed = 0;

  function receive(data: unknown): void {
    try {
      if (!begun) {
        begun = data as TrainerStart;
        const shared = WebAssembly.Module.imports(begun.module).some((entry) => entry.kind === 'memory'); // the threads build
        const env: Record<string, WebAssembly.ImportValue> = { abort: () => { throw new Error('the WASM core aborted'); } };
        if (shared) env.memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
        x = new WebAssembly.Instance(begun.module, { env }).exports as unknown as Exports;
        training = start(x, begun.job);
        if (training.status < 0) port.postMessage({ status: training.status });
        return;
      }
      if (training!.status < 0) return;
      const rows = data as Float32Array, dim = begun.job.dim;
      for (let at = 0; at < rows.length; at += dim) training!.add(rows.subarray(at, at + dim));
      fed += rows.length / dim;
      if (fed < begun.job.rows) return;
      const status = training!.run((done, total) => port.postMessage({ done, total }));
      if (status < 0) {
        port.postMessage({ status });
        return;
      }
      const at = x!.regionPtr(begun.region) >>> 0;
      const quantizer = new Uint8Array(x!.memory.buffer).slice(at, at + (x!.regionUsedBytes(begun.region) >>> 0));
      port.postMessage({ quantizer }, [quantizer.buffer]);
    } catch (error) {
      port.postMessage({ error: String((error as Error)?.message ?? error) });
    }
  }

  port.listen(receive);
}

/**
 * The QUANTIZER region `training` makes from `batch`, trained in a worker: `progress`
 * after each k-means step, `signal` terminating it (rejects ABORTED: `what` names the
 * call). Undefined when no worker can start here: the caller trains on its own thread.
 * Throws INVALID_ARGUMENT with too few rows, as trainCodebooks().
 */
export async function trainInWorker(of: Core, training: PqTraining, batch: Batch, what: string,
  progress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  const rows = sampleRowCount(training, batch);
  if (signal?.aborted) throw aborted(what);
  const node = await nodeThreading();
  if (!node && typeof Worker === 'undefined') return undefined;
  const module = compiledModule(of.x);
  return new Promise<Uint8Array | undefined>((resolve, reject) => {
    let worker: WorkerHandle | undefined, settled = false, heard = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker?.terminate();
      settle();
    };
    const onAbort = () => finish(() => reject(aborted(what)));
    const onMessage = (data: unknown) => {
      heard = true;
      const message = data as TrainerMessage;
      try {
        if ('done' in message) progress?.(message.done, message.total);
        else if ('quantizer' in message) finish(() => resolve(message.quantizer));
        else if ('status' in message) finish(() => reject(WannError.fromStatus(message.status, `training on ${rows} rows of ${training.dim}`)));
        else finish(() => reject(new WannError('WASM_ABORT', `the training worker failed: ${message.error}; please report this`)));
      } catch (error) { // onProgress threw
        finish(() => reject(error));
      }
    };
    // A worker that dies before it says anything could not start (a page's policy): train on the calling thread.
    const onError = (error: Error) => finish(() => heard ? reject(new WannError('WASM_ABORT', `the training worker failed: ${error.message}`)) : resolve(undefined));
    try {
      worker = spawnWorker(workerSource(trainerMain, startTraining, workerPort), node, onMessage, onError);
    } catch {
      resolve(undefined);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const start: TrainerStart = { module, job: trainingJob(training, rows), region: Region.QUANTIZER };
    worker.postMessage(start);
    void streamSample(worker, batch, rows, training.dim, () => settled);
  });
}

/** Posts the sample's rows to `worker` in chunks (moved, not copied), yielding to the event loop after each. */
async function streamSample(worker: WorkerHandle, batch: Batch, rows: number, dim: number, stopped: () => boolean): Promise<void> {
  const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / (dim * 4)));
  for (let first = 0; first < rows && !stopped(); first += chunkRows) {
    const count = Math.min(chunkRows, rows - first);
    const chunk = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) chunk.set(sampleRow(batch, rows, first + i), i * dim);
    worker.postMessage(chunk, [chunk.buffer]);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

function aborted(what: string): WannError {
  return new WannError('ABORTED', `${what} was aborted while training the quantizer; the index is still untrained`);
}
