// Builds an index whose WASM memory passes 2 GiB (a large capacity, few rows), then
// searches it with and without a filter, reads a row back, exports it to hnswlib, adds
// more and saves it; the file loads again (sized by what it holds, not its capacity).
// Prints the outcome as JSON. Addresses above 2^31 arrive from WASM as negative i32:
// every one must be read unsigned (src/core.ts). Used by test/large.test.ts.
// Usage: node --import tsx large-child.ts

import { HnswIndex } from '../../src/index.ts';

const dim = 384;
const index = await HnswIndex.create({ dim, capacity: 1_500_000, M: 8, efConstruction: 32 });
const vector = (i: number) => Float32Array.from({ length: dim }, (_, j) => Math.sin(i * 3 + j));
index.addBatch(Array.from({ length: 50 }, (_, i) => vector(i)));
index.add(vector(50), 50);
const even = (id: number) => id % 2 === 0;
const bytes = index.serialize();
const again = await HnswIndex.load(bytes);
console.log(JSON.stringify({
  memoryBytes: index.memoryBytes,
  found: index.search(vector(7), 1).ids[0],
  filtered: index.search(vector(7), 1, { filter: even, exact: false }).ids[0],
  filteredExact: index.search(vector(7), 1, { filter: even, exact: true }).ids[0],
  row: Array.from(index.get(9)!.subarray(0, 3)).map((v, j) => v === Math.fround(Math.sin(27 + j))),
  hnswlib: (await HnswIndex.fromHnswlib(index.toHnswlib(), { metric: 'l2' })).size,
  integrity: index.checkIntegrity(),
  size: index.size,
  reloaded: [again.size, again.search(vector(7), 1).ids[0], again.checkIntegrity()],
  reloadedMemoryBytes: again.memoryBytes,
}));
