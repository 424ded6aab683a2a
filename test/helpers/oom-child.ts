// Fills an index until WASM memory runs out, in a child process started with a small
// --wasm-max-mem-pages, then checks the index still works; prints the outcome as JSON.
// Used by test/oom.test.ts. Usage: node --wasm-max-mem-pages=N --import tsx oom-child.ts <HnswIndex|FlatIndex>

import { FlatIndex, HnswIndex, WannError } from '../../src/index.ts';

const dim = 64;
const kind = process.argv[2];
const index = kind === 'FlatIndex' ? await FlatIndex.create({ dim, capacity: 16 }) : await HnswIndex.create({ dim, capacity: 16, M: 8, efConstruction: 32 });
const vector = (i: number) => Float32Array.from({ length: dim }, (_, j) => Math.sin(i * 7 + j));
// An id that is not its slot's number and a removal, first: the labels and the removal
// regions are made while memory can still grow, so the reuse below needs none.
index.add(vector(-1), 4_000_000_000);
index.remove(4_000_000_000);
let added = 0;
let error: WannError | undefined;
try {
  for (; added < 10_000_000; added++) index.add(vector(added), added);
} catch (caught) {
  error = caught as WannError;
}
const sizeAfterError = index.size;
let batchError: string | undefined;
try {
  index.addBatch(Array.from({ length: 5000 }, (_, i) => vector(added + i)));
} catch (caught) {
  batchError = (caught as WannError).code;
}
const found = index.search(vector(3), 1).ids[0];
const memoryBefore = index.memoryBytes;
index.remove(5);
index.add(vector(99_999), 123_456_789); // reuses the freed slot: no growth needed
const reused = index.search(vector(99_999), 1).ids[0];
const integrity = index instanceof HnswIndex ? index.checkIntegrity() : null;
const again = await (index instanceof HnswIndex ? HnswIndex.load(index.serialize()) : FlatIndex.load(index.serialize()));
// A full index that never removed anything: its first removal, and its first id that is
// not a slot number, need memory there is not; both refuse and change nothing.
const full = await FlatIndex.create({ dim, capacity: 16 });
try {
  for (let i = 0; ; i++) full.add(vector(i), i);
} catch {
  // full
}
const codeOf = (call: () => unknown) => {
  try {
    call();
    return undefined;
  } catch (caught) {
    return (caught as WannError).code;
  }
};
const fullSize = full.size;
const lazy = {
  removeError: codeOf(() => full.remove(5)),
  renumberError: codeOf(() => full.add(vector(5), 987_654_321)),
  kept: full.has(5) && !full.has(987_654_321) && full.size === fullSize && full.search(vector(5), 1).ids[0] === 5,
};
console.log(JSON.stringify({
  code: error?.code, message: error?.message, added, sizeAfterError, batchError, sizeAfterBatch: index.size,
  found, reused, integrity, grew: index.memoryBytes !== memoryBefore, reloadedSize: again.size, ...lazy,
}));
