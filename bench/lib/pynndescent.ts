// The PyNNDescent peer of bench/threads.ts: writes the rows where
// bench/peers/pynndescent_knn.py reads them, runs it once as a child process (Debian's
// /usr/bin/python3, python3-pynndescent) and reads back each run's time and graph.
// PyNNDescent is a development-only peer, never a dependency.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env.WANN_PYNNDESCENT_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'pynndescent_knn.py');

/** Why PyNNDescent cannot run here, or undefined when it imports. */
export function pynndescentUnavailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy, numba, pynndescent'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON}: ${probe.error.message}`;
  if (probe.status !== 0) return `${PYTHON} -c 'import pynndescent' failed: ${probe.stderr.trim().split('\n').at(-1)}`;
  return undefined;
}

export interface PynndescentRun {
  /** Seconds of NNDescent(...) plus reading neighbor_graph: the graph's construction. */
  seconds: number;
  /** n rows of nNeighbors ids (the point itself usually among them). */
  ids: Int32Array;
}

export interface PynndescentResult {
  /** Run 0 compiles numba's kernels (cold), the later runs reuse them (warm). */
  runs: PynndescentRun[];
  versions: { pynndescent: string; numba: string; numpy: string };
  /** Seconds of `import pynndescent` in the child (numba compiles some kernels there too). */
  importSeconds: number;
  numbaThreads: number;
}

export interface PynndescentOptions {
  nNeighbors: number;
  nJobs: number;
  /** Runs in the one process: the first is cold. */
  runs: number;
  seed: number;
}

/**
 * NNDescent over `base` (n × dim) `runs` times in one child process. NUMBA_CACHE_DIR points
 * at an empty temporary folder, so the first run always compiles (as on a fresh machine)
 * and numba writes nothing into the system's package folders.
 */
export async function runPynndescent(base: Float32Array, n: number, dim: number, options: PynndescentOptions,
  onProgress?: (line: string) => void): Promise<PynndescentResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wann-pynndescent-'));
  try {
    writeFileSync(join(dir, 'base.f32'), new Uint8Array(base.buffer, base.byteOffset, n * dim * 4)); // little-endian hosts only, as the wasm
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ n, dim, ...options }));
    const env = { ...process.env, NUMBA_CACHE_DIR: join(dir, 'numba-cache'), NUMBA_NUM_THREADS: String(options.nJobs), OMP_NUM_THREADS: String(options.nJobs) };
    const child = spawn(PYTHON, [SCRIPT, dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const runs: PynndescentRun[] = [];
    let done: (Omit<PynndescentResult, 'runs' | 'versions'> & PynndescentResult['versions']) | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      const message = JSON.parse(line) as { run?: number; seconds?: number; idsFile?: string; done?: boolean } & typeof done;
      if (message.done) {
        done = message;
        continue;
      }
      const raw = readFileSync(message.idsFile!);
      const ids = new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      if (ids.length !== n * options.nNeighbors) throw new Error(`pynndescent_knn.py wrote ${ids.length} ids, expected ${n} × ${options.nNeighbors}`);
      runs.push({ seconds: message.seconds!, ids });
      onProgress?.(`PyNNDescent run ${message.run} (${message.run === 0 ? 'cold' : 'warm'}): ${message.seconds!.toFixed(2)} s`);
    }
    const code = await exited;
    if (code !== 0 || !done) throw new Error(`pynndescent_knn.py exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return {
      runs, versions: { pynndescent: done.pynndescent, numba: done.numba, numpy: done.numpy },
      importSeconds: done.importSeconds, numbaThreads: done.numbaThreads,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
