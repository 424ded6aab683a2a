// Uses an index on two threads, blocking and awaited, and never disposes it: the process
// must still exit (src/pool.ts unrefs idle workers). Usage: node --import tsx threads-child.ts

import { HnswIndex } from '../../src/index.ts';

const dim = 8, rows = Float32Array.from({ length: 2000 * dim }, (_, i) => Math.sin(i));
const index = await HnswIndex.create({ dim, threads: 2 });
index.addBatch(rows);
await index.searchBatchAsync(rows, 3);
index.searchBatch(rows, 3);
console.log(`threads ${index.threads}`);
