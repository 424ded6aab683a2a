// Load-speed benchmark: builds an n × dim HnswIndex (seeded normal vectors), serializes
// it, then times HnswIndex.load() — header and XXH64 checks, one memory.grow, region
// copies, graph validation, id table rebuild — and reports GB/s of index bytes (median
// of --runs loads). Also times serialize() and a bare copy of the bytes for scale.
//
//   npx tsx bench/load.ts [--n 100000] [--dim 128] [--runs 7] [--simd auto|true|false]
import { parseArgs } from 'node:util';
import { HnswIndex } from '../src/index.js';
import { median } from './lib/stats.js';
import { gaussian, mulberry32 } from './lib/synthetic.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '128' },
    runs: { type: 'string', default: '7' },
    simd: { type: 'string', default: 'auto' },
  },
});
const n = Number(values.n), dim = Number(values.dim), runs = Number(values.runs);
const simd = values.simd === 'auto' ? 'auto' : values.simd === 'true';

const normal = gaussian(mulberry32(1));
const base = Float32Array.from({ length: n * dim }, normal);
const index = await HnswIndex.create({ dim, capacity: n, M: 16, efConstruction: 100, simd });
let start = performance.now();
index.addBatch(base);
console.log(`built ${n} × ${dim} (M 16, efConstruction 100, ${index.build}) in ${((performance.now() - start) / 1000).toFixed(1)} s`);

const saveMs: number[] = [], loadMs: number[] = [], copyMs: number[] = [];
let bytes = index.serialize();
for (let r = 0; r < runs; r++) {
  start = performance.now();
  bytes = index.serialize();
  saveMs.push(performance.now() - start);
  start = performance.now();
  const loaded = await HnswIndex.load(bytes, { simd });
  loadMs.push(performance.now() - start);
  loaded.dispose();
  start = performance.now();
  bytes.slice();
  copyMs.push(performance.now() - start);
}
const gb = bytes.length / 1e9;
const rate = (ms: number[]) => `${median(ms).toFixed(1)} ms, ${(gb / (median(ms) / 1000)).toFixed(2)} GB/s`;
console.log(`index bytes: ${(bytes.length / 1e6).toFixed(1)} MB; median of ${runs} runs, Node ${process.version}`);
console.log(`load():      ${rate(loadMs)}`);
console.log(`serialize(): ${rate(saveMs)}`);
console.log(`bytes.slice: ${rate(copyMs)} (a plain copy, for scale)`);
index.dispose();
