// The FAISS peer of bench/pq.ts: writes a dataset's rows where bench/peers/faiss_pq.py
// reads them and talks to it in serve mode, one JSON line each way, so the harness can
// interleave FAISS and wann rounds. FAISS is a development-only peer (Debian python3-faiss).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env.WANN_FAISS_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'faiss_pq.py');
/** One thread everywhere: FAISS's OpenMP and the OpenBLAS its k-means calls (the script sets them too). */
const SINGLE_THREAD = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/** Why FAISS cannot run here, or undefined when `import faiss` works. */
export function faissUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import faiss, numpy'], { encoding: 'utf8', env: { ...process.env, ...SINGLE_THREAD } });
  if (probe.error) return `${PYTHON}: ${probe.error.message}`;
  if (probe.status !== 0) return `${PYTHON} -c 'import faiss, numpy' failed: ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

/** One FAISS index as faiss_pq.py builds it (see the script's header for the fields). */
export interface FaissConfig {
  name: string;
  kind?: 'pq' | 'pqfs' | 'ivfpq';
  m?: number;
  nbits?: number;
  nlist?: number;
  iterations?: number;
  /** The name of an index built before, wrapped in IndexRefineFlat without training again. */
  from?: string;
}

export interface FaissBuilt {
  name: string;
  trainSeconds: number;
  addSeconds: number;
  /** faiss.serialize_index(index).size. */
  serializedBytes: number;
  /** For a refine wrapper: the serialized size of the index it wraps (codes only). */
  codeBytes: number | null;
  trainRows: number;
}

export interface FaissPoint { nprobe?: number; kFactor?: number }

export interface FaissRows {
  dim: number;
  base: Float32Array;
  queries: Float32Array;
  train: Float32Array;
  /** nq rows of gtK ids. */
  gt: Int32Array;
  gtK: number;
}

/** A running faiss_pq.py serve process over one dataset's rows. */
export class FaissServer {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  readonly #dir: string;
  readonly #nq: number;
  #stderr = '';
  readonly info: { faiss: string; compile: string };

  private constructor(child: ChildProcessWithoutNullStreams, dir: string, nq: number, info: { faiss: string; compile: string }) {
    this.#child = child;
    this.#dir = dir;
    this.#nq = nq;
    this.#lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    this.info = info;
    child.stderr.on('data', (chunk: Buffer) => { this.#stderr = (this.#stderr + chunk.toString()).slice(-4000); });
  }

  /** Writes the rows to a temporary folder, starts the child and has it read them. */
  static async start(rows: FaissRows): Promise<FaissServer> {
    const dir = mkdtempSync(join(tmpdir(), 'wann-faiss-'));
    const nq = rows.queries.length / rows.dim;
    const bytes = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength); // little-endian hosts only, as the wasm
    writeFileSync(join(dir, 'base.f32'), bytes(rows.base));
    writeFileSync(join(dir, 'query.f32'), bytes(rows.queries));
    writeFileSync(join(dir, 'train.f32'), bytes(rows.train));
    writeFileSync(join(dir, 'gt.i32'), bytes(rows.gt));
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({
      dim: rows.dim, n: rows.base.length / rows.dim, nq, ntrain: rows.train.length / rows.dim, gtK: rows.gtK,
    }));
    const child = spawn(PYTHON, [SCRIPT, 'serve', dir], { env: { ...process.env, ...SINGLE_THREAD }, stdio: ['pipe', 'pipe', 'pipe'] });
    const server = new FaissServer(child, dir, nq, { faiss: '', compile: '' });
    const hello = await server.#call<{ faiss: string; compile: string }>({ cmd: 'hello' });
    Object.assign(server.info, { faiss: hello.faiss, compile: hello.compile });
    await server.#call({ cmd: 'load' });
    return server;
  }

  async #call<T>(command: Record<string, unknown>): Promise<T> {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
    const next = await this.#lines.next();
    if (next.done) throw new Error(`faiss_pq.py exited (code ${this.#child.exitCode}) during ${command.cmd}: ${this.#stderr.trim()}`);
    const answer = JSON.parse(next.value) as { ok: boolean; error?: string } & T;
    if (!answer.ok) throw new Error(`faiss_pq.py ${command.cmd}: ${answer.error}`);
    return answer;
  }

  build(config: FaissConfig): Promise<FaissBuilt> {
    return this.#call<FaissBuilt>({ cmd: 'build', config });
  }

  /** One untimed-for-throughput batch of every query: its ids (nq·k, -1 where missing) and its seconds. */
  async searchIds(name: string, point: FaissPoint, k: number): Promise<{ ids: Int32Array; seconds: number }> {
    const idsFile = join(this.#dir, 'ids.i32');
    const { seconds } = await this.#call<{ seconds: number }>({ cmd: 'search', name, point, k, idsFile });
    const raw = readFileSync(idsFile);
    const ids = new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    if (ids.length !== this.#nq * k) throw new Error(`faiss_pq.py wrote ${ids.length} ids, expected ${this.#nq} × ${k}`);
    return { ids, seconds };
  }

  /** Seconds per batch of the first `nq` queries, timed inside Python over `inner` back-to-back batches. */
  async time(name: string, point: FaissPoint, k: number, nq: number, inner: number): Promise<number> {
    return (await this.#call<{ seconds: number }>({ cmd: 'search', name, point, k, nq, inner })).seconds;
  }

  async drop(name: string): Promise<void> {
    await this.#call({ cmd: 'drop', name });
  }

  /** FAISS's own IndexPQ training on every base row (it samples 256 rows per centroid itself). */
  trainBench(m: number, nbits: number, iterations: number): Promise<{ seconds: number; rows: number }> {
    return this.#call({ cmd: 'trainBench', m, nbits, iterations });
  }

  async close(): Promise<void> {
    try {
      if (this.#child.exitCode === null) await this.#call({ cmd: 'quit' });
    } finally {
      this.#child.kill();
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }
}
