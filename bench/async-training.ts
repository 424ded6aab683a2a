// How long the event loop stalls while an untrained 'pq' index trains and fills: a sync
// addBatch() (training and adds on the calling thread) against await addBatchAsync()
// (k-means in a worker, src/training-worker.ts, then the adds in slices or on the
// index's workers), and await trainAsync() alone. One IvfIndex (8-bit codes, one thread)
// and one 8-bit FlatIndex, each call on a fresh index; longest gap of a 1 ms timer.
//
//   npx tsx bench/async-training.ts [DATASET] [--nlist 256] [--m 16] [--iterations 25] [--rounds 3]
//
// DATASET as bench/search.ts (bench/lib/data.ts); default synthetic:100000:128.
import { parseArgs } from 'node:util';
import { FlatIndex, IvfIndex } from '../src/index.js';
import { datasetName, loadDataset } from './lib/data.js';
import { median } from './lib/stats.js';
import { withTicker } from './lib/ticker.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    nlist: { type: 'string', default: '256' },
    m: { type: 'string', default: '16' },
    iterations: { type: 'string', default: '25' },
    rounds: { type: 'string', default: '3' },
  },
});
const data = loadDataset(positionals[0] ?? 'synthetic:100000:128');
const [nlist, m, iterations, rounds] = [values.nlist, values.m, values.iterations, values.rounds].map(Number) as [number, number, number, number];
const kinds = {
  ivf: () => IvfIndex.create({ dim: data.dim, nlist, pq: { m, iterations }, threads: 1 }),
  flat: () => FlatIndex.create({ dim: data.dim, storage: 'pq', pq: { m, iterations }, threads: 1 }),
};
const calls = {
  'addBatch': (index: IvfIndex | FlatIndex) => index.addBatch(data.base),
  'await addBatchAsync': (index: IvfIndex | FlatIndex) => index.addBatchAsync(data.base),
  'await trainAsync': (index: IvfIndex | FlatIndex) => index.trainAsync(data.base),
};

const rows: Record<string, unknown>[] = [];
for (const [kind, make] of Object.entries(kinds)) {
  const seconds: Record<string, number[]> = {}, gaps: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, call] of Object.entries(calls)) { // round-robin: each round times every call once
      const index = await make();
      const { ms, stall } = await withTicker(() => call(index));
      (seconds[name] ??= []).push(ms / 1000);
      (gaps[name] ??= []).push(stall.maxGapMs);
      index.dispose();
    }
  }
  for (const name of Object.keys(calls)) {
    rows.push({ kind, call: name, seconds: +median(seconds[name]!).toFixed(2), longestGapMs: gaps[name]!.map((g) => +g.toFixed(1)) });
  }
}
console.log(`${datasetName(positionals[0] ?? 'synthetic:100000:128')}: ${data.n} × ${data.dim}, nlist ${nlist}, m ${m}, ${iterations} iterations, one thread, ${rounds} rounds`);
console.table(rows);
