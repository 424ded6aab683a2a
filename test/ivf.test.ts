// IvfIndex's layout (assembly/ivf.ts, ivf-lists.ts): codes kept once, grouped by list in
// place; l2 distances from a norm term per code and one table per query, equal to the
// distances to the decoded rows through removals, reuses, updates and growth; files keep
// the grouped order, and files from before it (codes in slot order) still load.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { FlatIndex, IvfIndex, type MetricName } from '../src/index.ts';
import { Header, Region, State } from '../src/abi.ts';
import { integrityProblem } from '../src/errors.ts';
import { distance64 } from '../bench/lib/brute.ts';
import { firstDifference } from './helpers/brute.ts';
import { mulberry32 } from '../bench/lib/data.ts';
import { BUILDS, normalizeRows, row, seededVectors, simdOption } from './helpers/data.ts';
import { expectWannRejection } from './helpers/expect.ts';
import { regionOffset, reseal, stateAt } from './helpers/wann-file.ts';

const PAGE = 65536;

/** The core's own check (assembly/integrity.ts: each slot's list, its position and the slot there, its code), named; null when sound. */
function integrity(index: IvfIndex): string | null {
  return integrityProblem((index as unknown as { core: { x: { checkIntegrity(): number } } }).core.x.checkIntegrity());
}

/** State.LISTS_STALE: 0 grouped, 1 stale (the next search regroups), 2 changed rows waiting beside grouped lists. */
function listsState(index: IvfIndex): number {
  return (index as unknown as { core: { state(word: State): number } }).core.state(State.LISTS_STALE);
}

/** Every live item's decoded row (get()), by id. */
function decodedRows(index: IvfIndex, ids: Iterable<number>): Map<number, Float32Array> {
  return new Map([...ids].map((id) => [id, index.get(id)!]));
}

/**
 * The search over every list against a float64 scan of the decoded rows: the same
 * distances rank by rank (ties may swap ids), each within a tolerance for the f32 sums,
 * whose terms (||q - c||², the norm term, -2 q·r) are each about ||q||² + ||x||².
 */
function expectDecodedDistances(index: IvfIndex, metric: MetricName, query: Float32Array, live: Map<number, Float32Array>, k: number): void {
  const dim = index.dim;
  const q = metric === 'cosine' ? normalizeRows(query, dim) : query;
  const scored = [...live].map(([id, v]) => ({ id, d: distance64(metric === 'cosine' ? 'ip' : metric, q, 0, v, 0, dim) }));
  scored.sort((a, b) => a.d - b.d || a.id - b.id);
  const { ids, distances } = index.search(query, k, { nprobe: index.nlist });
  expect(ids.length).toBe(Math.min(k, live.size));
  ids.forEach((id, i) => {
    const v = live.get(id)!;
    let scale = 1;
    for (let t = 0; t < dim; t++) scale += q[t] * q[t] + v[t] * v[t];
    const tolerance = 1e-5 * scale;
    expect(Math.abs(distances[i] - distance64(metric === 'cosine' ? 'ip' : metric, q, 0, v, 0, dim))).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(distances[i] - scored[i].d)).toBeLessThanOrEqual(tolerance);
  });
}

describe.each(BUILDS)('IvfIndex lists (%s build)', (build) => {
  const simd = simdOption(build);

  test.each([
    ['l2', 8], ['l2', 4], ['ip', 8], ['cosine', 4],
  ] as [MetricName, 4 | 8][])('%s, %i-bit codes: distances equal those to the decoded rows through removals, reuses, updates and growth, searched in between', async (metric, bits) => {
    const dim = 12;
    const data = seededVectors({ n: 700, dim, seed: 31 });
    const index = await IvfIndex.create({ dim, metric, nlist: 5, pq: { m: 3, bits, iterations: 4 }, capacity: 8, seed: 3, simd, threads: 1 });
    index.train(data.base);
    const random = mulberry32(17);
    const live = new Set<number>();
    let nextRow = 0;
    for (let step = 0; step < 160; step++) {
      const roll = random();
      const ids = [...live];
      if (roll < 0.55 || live.size < 4) { // a new id: appended, or into a freed slot
        const id = 1000 + step;
        index.add(row(data.base, dim, nextRow++ % data.n), id);
        live.add(id);
      } else if (roll < 0.75) {
        const id = ids[Math.floor(random() * ids.length)];
        expect(index.remove(id)).toBe(true);
        live.delete(id);
      } else { // an update: the id's row changes, and maybe its list
        index.add(row(data.base, dim, nextRow++ % data.n), ids[Math.floor(random() * ids.length)]);
      }
      if (step % 7 === 3) expectDecodedDistances(index, metric, row(data.base, dim, (step * 13) % data.n), decodedRows(index, live), 10);
      if (step % 40 === 39) expect(integrity(index)).toBeNull();
    }
    expect(index.capacity).toBeGreaterThan(8); // grew, with the lists both stale and grouped
    const copy = await IvfIndex.load(index.serialize(), { simd, threads: 1 });
    expect(integrity(copy)).toBeNull();
    for (let q = 0; q < 5; q++) {
      const query = row(data.base, dim, 600 + q);
      expect(copy.search(query, 10, { nprobe: 2 })).toEqual(index.search(query, 10, { nprobe: 2 }));
      expectDecodedDistances(copy, metric, query, decodedRows(copy, live), 10);
    }
    copy.dispose();
    index.dispose();
  });

  test('a file keeps the codes grouped by list: the same bytes before and after a search, and after a load', async () => {
    const data = seededVectors({ n: 400, queries: 3, dim: 16, seed: 8 });
    const index = await IvfIndex.create({ dim: 16, nlist: 9, pq: { m: 4, bits: 4, iterations: 3 }, simd, threads: 1 });
    index.addBatch(data.base);
    index.remove(3);
    index.add(row(data.base, 16, 9), 3000);
    const stale = index.serialize(); // grouped for the file
    index.search(row(data.queries, 16, 0), 5);
    expect(firstDifference(index.serialize(), stale)).toBeNull();
    expect(new DataView(stale.buffer).getUint32(stateAt(State.LIST_ORDER), true)).toBe(2);
    const copy = await IvfIndex.load(stale, { simd, threads: 1 });
    expect(firstDifference(copy.serialize(), stale)).toBeNull();
    copy.dispose();
    index.dispose();
  });

  test('a version 3 file from before (codes in slot order) loads as the index today\'s code builds', async () => {
    // Written by wann at 777904b: State.LIST_ORDER absent (20 state words), codes by slot.
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/v3-ivf-pq.wann', import.meta.url)));
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(Header.STATE_WORDS * 4, true)).toBe(20);
    const data = seededVectors({ n: 300, dim: 16, seed: 45 });
    const loaded = await IvfIndex.load(bytes, { simd, threads: 1 });
    const fresh = await IvfIndex.create({ dim: 16, nlist: 6, nprobe: 3, pq: { m: 4, iterations: 5, init: 'k-means++' }, seed: 7, capacity: 310, simd, threads: 1 });
    fresh.train(data.base);
    fresh.addBatch(data.base);
    for (const id of [4, 77, 150]) fresh.remove(id);
    fresh.add(row(data.base, 16, 10), 5000);
    fresh.add(row(data.base, 16, 20), 21);
    expect([loaded.size, loaded.nlist, loaded.nprobe, integrity(loaded)]).toEqual([298, 6, 3, null]);
    for (const id of [0, 21, 150, 5000, 299]) expect(loaded.get(id)).toEqual(fresh.get(id)); // before the first regrouping
    const query = row(data.base, 16, 33);
    expect(loaded.search(query, 10)).toEqual(fresh.search(query, 10));
    expect(firstDifference(loaded.serialize(), fresh.serialize())).toBeNull();
    loaded.add(row(data.base, 16, 40), 77); // and it goes on as the fresh one does
    fresh.add(row(data.base, 16, 40), 77);
    expect(firstDifference(loaded.serialize(), fresh.serialize())).toBeNull();
    loaded.dispose();
    fresh.dispose();
  });

  test('a version 3 file with grouped lists (each slot\'s list saved) loads as the index today\'s code builds, and goes on', async () => {
    // Written by wann at e39f211 (State.LIST_ORDER 1, LIST_OF): grouped by list, slots in
    // increasing order in each list, removed slots last; two removed, one reused, one updated.
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/v3-ivf-pq-grouped.wann', import.meta.url)));
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(stateAt(State.LIST_ORDER), true)).toBe(1);
    const data = seededVectors({ n: 300, dim: 16, seed: 45 });
    const loaded = await IvfIndex.load(bytes, { simd, threads: 1 });
    const fresh = await IvfIndex.create({ dim: 16, nlist: 6, nprobe: 3, pq: { m: 4, iterations: 5, init: 'k-means++' }, seed: 7, capacity: 310, simd, threads: 1 });
    fresh.train(data.base);
    fresh.addBatch(data.base);
    fresh.search(row(data.base, 16, 1), 5);
    for (const id of [4, 77, 150]) fresh.remove(id);
    fresh.add(row(data.base, 16, 10), 5000);
    fresh.add(row(data.base, 16, 20), 21);
    fresh.remove(200);
    expect([loaded.size, integrity(loaded)]).toEqual([297, null]);
    for (const id of [0, 21, 150, 5000, 299]) expect(loaded.get(id)).toEqual(fresh.get(id));
    for (const id of [4, 77, 200]) expect(loaded.get(id)).toBeUndefined();
    // The order inside a list is the file's, so compare what is found and at what distance.
    const byId = ({ ids, distances }: { ids: Uint32Array; distances: Float32Array }) => [...ids].map((id, i) => [id, distances[i]]).sort((a, b) => a[0]! - b[0]!);
    for (const q of [33, 150, 280]) {
      const query = row(data.base, 16, q);
      expect(byId(loaded.search(query, 10, { nprobe: 6 }))).toEqual(byId(fresh.search(query, 10, { nprobe: 6 })));
    }
    loaded.add(row(data.base, 16, 40), 77); // a reuse, as in the fresh one
    fresh.add(row(data.base, 16, 40), 77);
    loaded.remove(5);
    fresh.remove(5);
    const query = row(data.base, 16, 40);
    expect(byId(loaded.search(query, 10, { nprobe: 6 }))).toEqual(byId(fresh.search(query, 10, { nprobe: 6 })));
    expect(integrity(loaded)).toBeNull();
    const again = await IvfIndex.load(loaded.serialize(), { simd, threads: 1 });
    expect(firstDifference(again.serialize(), loaded.serialize())).toBeNull();
    for (const index of [loaded, fresh, again]) index.dispose();
  });

  for (const bits of [8, 4] as const) {
    test(`${bits}-bit codes: norm terms from a list's table (a bulk add) equal those summed code by code (adds between searches), bit for bit`, async () => {
      const data = seededVectors({ n: 1200, queries: 5, dim: 12, seed: 31 });
      const make = async () => {
        const index = await IvfIndex.create({ dim: 12, nlist: 3, nprobe: 3, pq: { m: 3, bits, iterations: 4 }, seed: 9, simd, threads: 1 });
        index.train(data.base);
        return index;
      };
      const bulk = await make(), piecemeal = await make();
      bulk.addBatch(data.base); // every list gets hundreds of new codes: tables
      const step = bits === 8 ? 100 : 10; // fewer new codes a list than centroids: code by code
      for (let from = 0; from < 1200; from += step) {
        piecemeal.addBatch(data.base.subarray(from * 12, (from + step) * 12), Uint32Array.from({ length: step }, (_, i) => from + i));
        piecemeal.search(row(data.queries, 12, 0), 1);
      }
      const byId = ({ ids, distances }: { ids: Uint32Array; distances: Float32Array }) => [...ids].map((id, i) => [id, distances[i]]).sort((a, b) => a[0]! - b[0]!);
      for (let q = 0; q < 5; q++) {
        const query = row(data.queries, 12, q);
        expect(byId(bulk.search(query, 1200))).toEqual(byId(piecemeal.search(query, 1200)));
      }
      bulk.dispose();
      piecemeal.dispose();
    });
  }

  for (const [metric, bits] of [['l2', 8], ['ip', 4]] as const) {
    test(`${metric}, ${bits}-bit: rows added, removed, updated and reused between searches wait beside the lists until there are many, answering as an index grouped at once`, async () => {
      const dim = 12, data = seededVectors({ n: 2400, queries: 4, dim, seed: 23 });
      const make = async () => {
        const index = await IvfIndex.create({ dim, metric, nlist: 4, nprobe: 2, pq: { m: 3, bits, iterations: 4 }, seed: 3, simd, threads: 1 });
        index.train(data.base);
        return index;
      };
      // The same distances, and the same ids but where a tie at the last distance let either scan order keep another one.
      const answer = ({ ids, distances }: { ids: Uint32Array; distances: Float32Array }) => {
        const last = distances[distances.length - 1];
        return { distances: Array.from(distances), inside: [...ids].filter((_, i) => distances[i]! < last!).sort((a, b) => a - b) };
      };
      const byId = ({ ids, distances }: { ids: Uint32Array; distances: Float32Array }) => [...ids].map((id, i) => [id, distances[i]]).sort((a, b) => a[0]! - b[0]!);
      const rowOf = new Map<number, number>(); // id -> the row of data.base it holds
      const stepwise = await make();
      stepwise.addBatch(data.base.subarray(0, 2000 * dim));
      for (let id = 0; id < 2000; id++) rowOf.set(id, id);
      stepwise.search(row(data.queries, dim, 0), 10); // grouped: 2000 rows, so up to 256 changed rows wait aside
      const random = mulberry32(5);
      const anyId = () => [...rowOf.keys()][Math.floor(random() * rowOf.size)]!;
      for (let added = 2000; added < 2400; added++) {
        stepwise.add(row(data.base, dim, added), added); // appended, or into the slot of a removed id
        rowOf.set(added, added);
        if (added % 3 === 0) for (const id of [anyId(), added - 1]) if (rowOf.delete(id)) stepwise.remove(id);
        if (added % 4 === 0) { // an update: another row, maybe in another list
          const id = anyId(), other = Math.floor(random() * 2400);
          stepwise.add(row(data.base, dim, other), id);
          rowOf.set(id, other);
        }
        if (added % 50 !== 49 && added !== 2010) continue;
        const atOnce = await make(); // the same rows, grouped by its first search
        const ids = [...rowOf.keys()];
        const rows = new Float32Array(ids.length * dim);
        ids.forEach((id, i) => rows.set(row(data.base, dim, rowOf.get(id)!), i * dim));
        atOnce.addBatch(rows, ids);
        for (let q = 0; q < 4; q++) {
          const query = row(data.queries, dim, q);
          expect(answer(stepwise.search(query, 10))).toEqual(answer(atOnce.search(query, 10)));
          expect(answer(stepwise.search(query, 50, { nprobe: 4 }))).toEqual(answer(atOnce.search(query, 50, { nprobe: 4 })));
          expect(byId(stepwise.search(query, 2400, { nprobe: 4 }))).toEqual(byId(atOnce.search(query, 2400, { nprobe: 4 }))); // every row: no ties at an edge
        }
        for (const id of [added, anyId()]) expect(stepwise.get(id)).toEqual(atOnce.get(id));
        if (added === 2010) expect(listsState(stepwise)).toBe(2); // the 20 or so changes still wait aside: no search regrouped
        expect(integrity(stepwise)).toBeNull();
        atOnce.dispose();
      }
      stepwise.add(row(data.base, dim, 0), 5000); // waits aside again; the file groups it
      stepwise.add(row(data.base, dim, 1), anyId());
      const copy = await IvfIndex.load(stepwise.serialize(), { simd, threads: 1 });
      for (let q = 0; q < 4; q++) expect(answer(copy.search(row(data.queries, dim, q), 10))).toEqual(answer(stepwise.search(row(data.queries, dim, q), 10)));
      copy.dispose();
      stepwise.dispose();
    });
  }

  test('knnGraph() without kept rows decodes every item by a map from slot to position, made once: the graph equals searches from the decoded rows, on 1 and 2 threads', async () => {
    const data = seededVectors({ n: 1500, dim: 16, seed: 12 });
    const serial = await IvfIndex.create({ dim: 16, nlist: 8, nprobe: 8, pq: { m: 4, iterations: 3 }, simd, threads: 1 });
    serial.addBatch(data.base);
    serial.remove(3); // a slot left out of the graph
    const before = serial.memoryBytes;
    const graph = await serial.knnGraph(4);
    expect(serial.memoryBytes - before).toBeGreaterThanOrEqual(1500 * 4); // the map
    expect(serial.memoryBytes - before).toBeLessThanOrEqual(1500 * 4 + PAGE);
    const grown = serial.memoryBytes;
    expect(Array.from((await serial.knnGraph(4)).neighbours)).toEqual(Array.from(graph.neighbours));
    expect(serial.memoryBytes).toBe(grown); // once
    expect(graph.ids.length).toBe(1499);
    for (let i = 0; i < graph.ids.length; i += 37) { // each item's neighbours: a search from its decoded row, itself left out
      const found = serial.search(serial.get(graph.ids[i]!)!, 5);
      const others = Array.from(found.ids).filter((id) => id !== graph.ids[i]).slice(0, 4);
      expect(Array.from(graph.neighbours.subarray(i * 4, i * 4 + 4))).toEqual(others);
    }
    if (simd) { // the threads build is a SIMD build
      const parallel = await IvfIndex.load(serial.serialize(), { threads: 2 });
      const graph2 = await parallel.knnGraph(4);
      expect(Array.from(graph2.neighbours)).toEqual(Array.from(graph.neighbours));
      expect(Array.from(graph2.distances)).toEqual(Array.from(graph.distances));
      expect(integrity(parallel)).toBeNull();
      parallel.dispose();
    }
    expect(integrity(serial)).toBeNull();
    serial.dispose();
  });

  test('a file whose lists lie is CORRUPT_GRAPH: a slot twice, starts out of order or short, a tag, a live slot among the removed', async () => {
    const data = seededVectors({ n: 200, dim: 8, seed: 4 });
    const index = await IvfIndex.create({ dim: 8, nlist: 4, pq: { m: 2, bits: 4, iterations: 2 }, simd, threads: 1 });
    index.addBatch(data.base);
    index.remove(5); // the last position holds a removed slot
    const bytes = index.serialize();
    const lists = regionOffset(bytes, Region.LISTS), nlist = 4, n = 200;
    const slotWord = (p: number) => lists + (nlist + 2 + p) * 4, startWord = (l: number) => lists + l * 4;
    const lies: [string, (v: DataView) => void][] = [
      ['a slot twice', (v) => v.setUint32(slotWord(1), v.getUint32(slotWord(0), true), true)],
      ['starts out of order', (v) => v.setUint32(startWord(1), v.getUint32(startWord(2), true) + 1, true)],
      ['the starts ending short of the count', (v) => v.setUint32(startWord(nlist + 1), n - 1, true)],
      ['a slot tagged as added since', (v) => v.setUint32(slotWord(0), v.getUint32(slotWord(0), true) | 0x80000000, true)],
      ['a live slot among the removed', (v) => {
        const live = v.getUint32(slotWord(0), true);
        v.setUint32(slotWord(0), v.getUint32(slotWord(n - 1), true), true);
        v.setUint32(slotWord(n - 1), live, true);
      }],
    ];
    const untouched = await IvfIndex.load(reseal(bytes.slice()), { simd, threads: 1 });
    expect(integrity(untouched)).toBeNull();
    untouched.dispose();
    for (const [what, lie] of lies) {
      const copy = bytes.slice();
      lie(new DataView(copy.buffer));
      await expectWannRejection(IvfIndex.load(reseal(copy), { simd, threads: 1 }), 'CORRUPT_GRAPH', 'BAD_ROW')
        .catch((error: Error) => { throw new Error(`${what}: ${error.message}`); });
    }
    index.dispose();
  });

  test('a list order other than 0, 1 or 2, or one in another kind\'s file, is refused', async () => {
    const data = seededVectors({ n: 300, dim: 8, seed: 2 });
    const ivf = await IvfIndex.create({ dim: 8, nlist: 4, pq: { m: 2, bits: 4, iterations: 2 }, simd, threads: 1 });
    ivf.addBatch(data.base);
    const flat = await FlatIndex.create({ dim: 8, simd });
    flat.addBatch(data.base.subarray(0, 80));
    for (const [bytes, value] of [[ivf.serialize(), 3], [flat.serialize(), 1]] as const) {
      new DataView(bytes.buffer).setUint32(stateAt(State.LIST_ORDER), value, true);
      await expectWannRejection(IvfIndex.load(reseal(bytes)), 'BAD_HEADER', `listOrder ${value}`);
    }
    ivf.dispose();
    flat.dispose();
  });
});

test('an IvfIndex keeps its codes once and no table per list: beside a FlatIndex of the same codes it adds 8 bytes a slot (FAISS\'s id) and its centroids, whatever nlist', async () => {
  const dim = 32, m = 16, capacity = 50000;
  const data = seededVectors({ n: 3000, dim, seed: 5 });
  const flat = await FlatIndex.create({ dim, storage: 'pq', pq: { m, iterations: 2 }, capacity, threads: 1 });
  flat.train(data.base);
  flat.addBatch(data.base);
  for (const nlist of [8, 512]) {
    const ivf = await IvfIndex.create({ dim, nlist, pq: { m, iterations: 2 }, capacity, threads: 1 });
    ivf.addBatch(data.base);
    ivf.search(row(data.base, dim, 0), 10); // grouped
    // Each position's slot and norm term; coarse centroids, list starts, sort scratch and scores per list; page rounding.
    const allowance = capacity * 8 + nlist * (dim * 4 + 16) + 2 * PAGE;
    // Before: a second copy of the codes (m bytes a slot), nlist × m × 256 floats of precomputed table terms, then each slot's list and position.
    expect(ivf.memoryBytes - flat.memoryBytes).toBeLessThanOrEqual(allowance);
    const before = ivf.memoryBytes;
    if (nlist === 8) {
      const first = Array.from({ length: 31 }, (_, id) => ivf.get(id)); // each found by a scan
      expect(ivf.memoryBytes).toBe(before);
      expect(ivf.get(31)).toEqual(ivf.get(31)); // the 32nd get() makes the slot map, 4 bytes a slot
      expect(ivf.memoryBytes - before).toBeGreaterThanOrEqual(capacity * 4 - PAGE); // less the last page's slack
      expect(ivf.memoryBytes - before).toBeLessThanOrEqual(capacity * 4 + 2 * PAGE);
      expect(Array.from({ length: 31 }, (_, id) => ivf.get(id))).toEqual(first); // now through the map
    } else {
      ivf.remove(7);
      ivf.add(row(data.base, dim, 9), 9); // an update: the slot map from now on
      expect(ivf.memoryBytes - before).toBeGreaterThanOrEqual(capacity * 4 - PAGE); // less the last page's slack
      expect(ivf.memoryBytes - before).toBeLessThanOrEqual(capacity * 9 + 2 * PAGE); // and the removal flags (1 byte a slot) and free stack (4)
    }
    ivf.dispose();
  }
  flat.dispose();
});
