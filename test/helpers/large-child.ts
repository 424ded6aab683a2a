// Builds an index whose WASM memory passes 2 GiB (a large capacity, few rows), then
// saves, loads, searches with and without a filter, reads a row back and adds more;
// prints the outcome as JSON. Addresses above 2^31 arrive from WASM as negative i32:
// every one must be read unsigned (src/core.ts). Used by test/large.test.ts.
// Usage: node --import tsx large-child.ts

import { HnswIndex } from '../../src/index.ts';

const dim = 384;
const index = await HnswIndex.create({ dim, capacity: 1_500_000, M: 8, efConstruction: 32 });
const vector = (i: number) => Float32Array.from({ length: dim }, (_, j) => Math.sin(i * 3 + j));
index.addBatch(Array.from({ length: 50 }, (_, i) => vector(i)));
const memoryBytes = index.memoryBytes;
const bytes = index.serialize();
const again = await HnswIndex.load(bytes);
again.add(vector(50), 50);
console.log(JSON.stringify({
  memoryBytes,
  loadedMemoryBytes: again.memoryBytes,
  found: again.search(vector(7), 1).ids[0],
  filtered: again.search(vector(7), 1, { filter: (id) => id % 2 === 0, exact: false }).ids[0],
  filteredExact: again.search(vector(7), 1, { filter: (id) => id % 2 === 0, exact: true }).ids[0],
  row: Array.from(again.get(9)!.subarray(0, 3)).map((v, j) => v === Math.fround(Math.sin(27 + j))),
  hnswlib: (await HnswIndex.fromHnswlib(again.toHnswlib(), { metric: 'l2' })).size,
  integrity: again.checkIntegrity(),
  size: again.size,
}));
