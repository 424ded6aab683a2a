// hnswlib interoperability (src/hnswlib.ts) against hnswlib-node, the native library:
// an index hnswlib wrote loads into wann and answers with the same neighbours, and an
// index wann wrote loads into hnswlib and answers as wann does, for l2, ip and cosine,
// with deleted elements; malformed hnswlib files are rejected with a code.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { afterAll, describe, expect, test } from 'vitest';
import { HnswIndex } from '../src/index.ts';
import { row, seededVectors } from './helpers/data.ts';
import { expectWannRejection } from './helpers/expect.ts';

const DIM = 16;
const EF = 50;
const data = seededVectors({ n: 1000, queries: 50, dim: DIM, seed: 12 });
const labelOf = (i: number) => 1000 + 3 * i;
const dir = mkdtempSync(join(tmpdir(), 'wann-hnswlib-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Share of the k results per query that both lists hold (order aside). */
function agreement(a: number[][], b: number[][]): number {
  let same = 0, total = 0;
  a.forEach((ids, q) => {
    const other = new Set(b[q]);
    same += ids.filter((id) => other.has(id)).length;
    total += Math.max(ids.length, b[q].length);
  });
  return same / total;
}

function hnswlibSearch(index: hnswlib.HierarchicalNSW, k: number): number[][] {
  index.setEf(EF);
  return Array.from({ length: data.nq }, (_, q) => index.searchKnn(Array.from(row(data.queries, DIM, q)), k).neighbors);
}

function wannSearch(index: HnswIndex, k: number): number[][] {
  return Array.from({ length: data.nq }, (_, q) => Array.from(index.search(row(data.queries, DIM, q), k, { ef: EF }).ids));
}

describe.each(['l2', 'ip', 'cosine'] as const)('hnswlib-node ⇄ wann, %s', (metric) => {
  test('an hnswlib file loads into wann: same neighbours, deleted elements stay out', async () => {
    const native = new hnswlib.HierarchicalNSW(metric, DIM);
    native.initIndex({ maxElements: data.n, m: 8, efConstruction: 64, randomSeed: 7 });
    for (let i = 0; i < data.n; i++) native.addPoint(Array.from(row(data.base, DIM, i)), labelOf(i));
    for (const i of [4, 40, 400]) native.markDelete(labelOf(i));
    const path = join(dir, `native-${metric}.bin`);
    native.writeIndexSync(path);
    const index = await HnswIndex.fromHnswlib(readFileSync(path), { metric, dim: DIM });
    expect([index.size, index.M, index.metric, index.has(labelOf(40)), index.has(labelOf(41))]).toEqual([data.n - 3, 8, metric, false, true]);
    expect(index.checkIntegrity()).toBeNull();
    const ours = wannSearch(index, 10), theirs = hnswlibSearch(native, 10);
    const share = agreement(ours, theirs);
    console.log(`hnswlib → wann (${metric}): ${(share * 100).toFixed(1)}% of neighbours agree`);
    expect(share).toBeGreaterThanOrEqual(0.98);
    expect(ours.flat()).not.toContain(labelOf(4));
    const memory = index.memoryBytes;
    index.add(row(data.base, DIM, 4), 1); // and it keeps working: a deleted slot is reused
    expect([index.size, index.has(1), index.memoryBytes, index.checkIntegrity()]).toEqual([data.n - 2, true, memory, null]);
    expect(index.search(row(data.base, DIM, 4), 10, { ef: EF }).ids).toContain(1);
    index.dispose();
  });

  test('a wann index written with toHnswlib() loads into hnswlib: same neighbours', async () => {
    const index = await HnswIndex.create({ dim: DIM, metric, M: 8, efConstruction: 64 });
    index.addBatch(data.base, Uint32Array.from({ length: data.n }, (_, i) => labelOf(i)));
    index.remove(labelOf(9));
    const path = join(dir, `wann-${metric}.bin`);
    writeFileSync(path, index.toHnswlib());
    const native = new hnswlib.HierarchicalNSW(metric, DIM);
    native.readIndexSync(path);
    expect([native.getCurrentCount(), native.getMaxElements()]).toEqual([data.n, data.n]);
    const ours = wannSearch(index, 10), theirs = hnswlibSearch(native, 10);
    const share = agreement(ours, theirs);
    console.log(`wann → hnswlib (${metric}): ${(share * 100).toFixed(1)}% of neighbours agree`);
    expect(share).toBeGreaterThanOrEqual(0.98);
    expect(theirs.flat()).not.toContain(labelOf(9));
    // And back again: the round trip through hnswlib's format keeps the graph.
    const again = await HnswIndex.fromHnswlib(index.toHnswlib(), { metric });
    expect(wannSearch(again, 10)).toEqual(ours);
    index.dispose();
    again.dispose();
  });
});

test('malformed hnswlib files are rejected with a code', async () => {
  const index = await HnswIndex.create({ dim: 4, M: 4 });
  index.addBatch(data.base.subarray(0, 100 * 4));
  const bytes = index.toHnswlib();
  await expectWannRejection(HnswIndex.fromHnswlib(bytes.subarray(0, 50), { metric: 'l2' }), 'TRUNCATED');
  await expectWannRejection(HnswIndex.fromHnswlib(bytes.subarray(0, bytes.length - 3), { metric: 'l2' }), 'TRUNCATED');
  await expectWannRejection(HnswIndex.fromHnswlib(bytes, { metric: 'l2', dim: 5 }), 'DIMENSION_MISMATCH');
  await expectWannRejection(HnswIndex.fromHnswlib(bytes, {} as { metric: 'l2' }), 'INVALID_OPTION', 'metric');
  const link = bytes.slice();
  new DataView(link.buffer).setUint32(96 + 4, 5000, true); // element 0's first neighbour
  await expectWannRejection(HnswIndex.fromHnswlib(link, { metric: 'l2' }), 'CORRUPT_GRAPH', 'LINK_OUT_OF_RANGE');
  const header = bytes.slice();
  new DataView(header.buffer).setUint32(64, 9, true); // maxM0
  await expectWannRejection(HnswIndex.fromHnswlib(header, { metric: 'l2' }), 'BAD_HEADER');
  index.dispose();
});
