// IvfIndex under changes: what one add(), remove() or update costs the search after it.
// Builds an IvfIndex (8-bit codes, one thread) over the data set, then times, as medians
// of --rounds rounds of --steps steps each: a search alone; an add of a new id then a
// search; a remove then a search; an update of an id then a search; a removal and an
// add that reuses its slot, then a search. Changed rows wait beside the lists until
// there are many (assembly/ivf-lists.ts), so most searches regroup nothing. Also the
// bulk add and the first search after it.
//
//   npx tsx bench/ivf-updates.ts [DATASET] [--nlist 256] [--nprobe 16] [--m 16] [--steps 200] [--rounds 5]
//
// DATASET as bench/search.ts (bench/lib/data.ts); default synthetic:100000:128.
import { parseArgs } from 'node:util';
import { IvfIndex } from '../src/index.js';
import { datasetName, loadDataset } from './lib/data.js';
import { median } from './lib/stats.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    nlist: { type: 'string', default: '256' },
    nprobe: { type: 'string', default: '16' },
    m: { type: 'string', default: '16' },
    steps: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
  },
});
const data = loadDataset(positionals[0] ?? 'synthetic:100000:128');
const { dim, n } = data;
const [nlist, nprobe, m, steps, rounds] = [values.nlist, values.nprobe, values.m, values.steps, values.rounds].map(Number) as [number, number, number, number, number];
const row = (i: number) => data.base.subarray((i % n) * dim, (i % n + 1) * dim);
const query = (i: number) => data.queries.subarray((i % data.nq) * dim, (i % data.nq + 1) * dim);

const index = await IvfIndex.create({ dim, nlist, nprobe, pq: { m, iterations: 10 }, threads: 1, capacity: n + rounds * steps });
index.train(data.base.subarray(0, Math.min(n, 65536) * dim));
let start = performance.now();
index.addBatch(data.base);
const addBatchMs = performance.now() - start;
start = performance.now();
index.search(query(0), 10);
const firstSearchMs = performance.now() - start;

/** Milliseconds per step of `step` (a change and a search), the median of the rounds. */
function time(step: (i: number) => void): number {
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const begin = performance.now();
    for (let i = 0; i < steps; i++) step(r * steps + i);
    perRound.push((performance.now() - begin) / steps);
  }
  return median(perRound);
}

let nextId = n;
const results = {
  dataset: datasetName(positionals[0] ?? 'synthetic:100000:128'), n, dim, nlist, nprobe, m, build: index.build,
  addBatchMs: Math.round(addBatchMs),
  firstSearchMs: +firstSearchMs.toFixed(2),
  searchMs: +time((i) => index.search(query(i), 10)).toFixed(3),
  addThenSearchMs: +time((i) => { index.add(row(i), nextId++); index.search(query(i), 10); }).toFixed(3),
  removeThenSearchMs: +time((i) => { index.remove(i * 7 % n); index.search(query(i), 10); }).toFixed(3),
  updateThenSearchMs: +time((i) => { index.add(row(i + 1), n / 2 + i); index.search(query(i), 10); }).toFixed(3),
  reuseThenSearchMs: +time((i) => { index.remove(n / 4 + i); index.add(row(i + 2), nextId++); index.search(query(i), 10); }).toFixed(3),
  memoryBytes: index.memoryBytes,
};
console.log(JSON.stringify(results));
index.dispose();
