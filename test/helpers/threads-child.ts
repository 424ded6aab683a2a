// Uses an index on two threads, and never disposes it: the process must still exit
// (src/pool.ts unrefs idle workers). Blocking calls only (then an awaited one with
// `--async`): an awaited call refs and unrefs the workers itself, which would hide a pool
// that never unref'd them. Usage: node --import tsx threads-child.ts [--async]

import { HnswIndex } from '../../src/index.ts';

const dim = 8, rows = Float32Array.from({ length: 2000 * dim }, (_, i) => Math.sin(i));
const index = await HnswIndex.create({ dim, threads: 2 });
index.addBatch(rows);
index.searchBatch(rows, 3);
if (process.argv.includes('--async')) await index.searchBatchAsync(rows, 3);
console.log(`threads ${index.threads}`);
