// The threads benchmark (bench/threads.ts) end to end in --quick mode on tiny synthetic
// data, usearch included, writing into a temporary folder; and the kNN-graph recall it
// scores with. PyNNDescent is left out here: every fresh process spends 20-25 s compiling
// its numba kernels, whatever the data size (`npm run bench:threads -- --quick` runs it).
// No timing or quality assertions: those are the benchmark's figures, not facts to test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { levelZeroReach } from '../bench/lib/graph-reach.js';
import { graphRecall, othersFirst, sampleRows } from '../bench/lib/knn-truth.js';
import { HnswIndex } from '../src/index.js';
import type { ThreadsFile } from '../bench/lib/threads-report.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'wann-bench-threads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kNN-graph recall', () => {
  test('sampleRows: distinct, ascending, seeded; every row when the sample is larger', () => {
    const rows = sampleRows(1000, 50, 7);
    expect(rows.length).toBe(50);
    expect(new Set(rows).size).toBe(50);
    expect([...rows]).toEqual([...rows].sort((a, b) => a - b));
    expect([...sampleRows(1000, 50, 7)]).toEqual([...rows]);
    expect([...sampleRows(5, 50, 7)]).toEqual([0, 1, 2, 3, 4]);
  });

  test('othersFirst drops the item itself wherever it is; graphRecall counts the overlap', () => {
    expect(othersFirst([3, 1, 2], 3, 2)).toEqual([1, 2]);
    expect(othersFirst([1, 3, 2], 3, 2)).toEqual([1, 2]);
    expect(othersFirst([1, 2, 4], 3, 2)).toEqual([1, 2]);
    const truth = { rows: Uint32Array.of(0, 5), ids: Int32Array.of(1, 2, 6, 7), k: 2 };
    expect(graphRecall(truth, (row) => (row === 0 ? [0, 1, 2] : [5, 6, 9]))).toBe(0.75);
  });
});

test('levelZeroReach reads toHnswlib(): a seeded serial build reaches every item; an item cut off is counted', async () => {
  const index = await HnswIndex.create({ dim: 8, M: 4, efConstruction: 32, seed: 1, threads: 1 });
  try {
    index.addBatch(Float32Array.from({ length: 300 * 8 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1));
    const file = index.toHnswlib();
    expect(levelZeroReach(file)).toEqual({ noInLinks: 0, unreachable: 0 });
    // Empty every level-0 list that points to item 7: nothing reaches it any more.
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const size = Number(view.getBigUint64(24, true));
    for (let item = 0; item < 300; item++) {
      const at = 96 + item * size, degree = view.getUint32(at, true) & 0xffff;
      for (let j = 0; j < degree; j++) if (view.getUint32(at + 4 + 4 * j, true) === 7) view.setUint32(at, 0, true);
    }
    expect(levelZeroReach(file).noInLinks).toBeGreaterThanOrEqual(1);
    expect(levelZeroReach(file).unreachable).toBeGreaterThanOrEqual(1);
  } finally {
    index.dispose();
  }
});

test('npm run bench:threads -- --quick on 2000 × 32 writes threads-<dataset>.json and .md', () => {
  const stdout = execFileSync(process.execPath, [
    '--import', 'tsx', 'bench/threads.ts', '--quick', 'synthetic:2000:32:100', '--peers', 'usearch', '--sample', '200', '--out', tmp,
  ], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(stdout).toContain('| target | goal | this run | meets |');

  const file = JSON.parse(readFileSync(join(tmp, 'threads-synthetic-2000-32-100.json'), 'utf8')) as ThreadsFile;
  expect([file.n, file.dim, file.nq, file.k]).toEqual([2000, 32, 100, 10]);
  expect(file.builds.map((b) => [b.name, b.threads, b.seconds.length])).toEqual([
    ['wann, 1 thread: addBatch', 1, 2], ['wann, 2 threads: addBatch', 2, 2],
    ['wann, 2 threads: await addBatchAsync', 2, 2], ['usearch, 2 threads: add', 2, 2],
  ]);
  for (const b of file.builds) {
    expect(b.integrity.every((x) => x === null), b.name).toBe(true);
    expect(b.reach.length, b.name).toBe(b.name.startsWith('usearch') ? 0 : b.integrity.length);
  }
  expect(file.search.map((r) => r.name)).toEqual(['wann, 1 thread', 'wann, 2 threads', 'usearch, 1 thread', 'usearch, 2 threads']);
  for (const r of file.search) {
    expect(r.points.map((p) => p.ef)).toEqual(file.efs);
    for (const p of r.points) expect(p.qps > 0 && p.recall >= 0 && p.recall <= 1, r.name).toBe(true);
  }
  expect(file.identical.every((x) => x.ids)).toBe(true); // the same graph answers alike on 1 and 2 threads
  expect(file.knn!.rows.map((r) => r.name)).toContain('wann, 2 threads');
  expect(file.knn!.chosenEf).toBeGreaterThan(0);
  expect(readFileSync(join(tmp, 'threads-synthetic-2000-32-100.md'), 'utf8')).toContain('**kNN graph**');
}, 60_000);
