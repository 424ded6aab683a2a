// The measurements of bench/threads.ts on one dataset: builds on 1 and 2 threads (sync,
// async, usearch) round-robin with the event loop watched, searchBatch over one graph on
// 1 and 2 threads beside usearch, and the kNN graph beside PyNNDescent.
import { HnswIndex } from '../../src/index.js';
import { recallAtK } from '../../src/recall.js';
import type { Dataset } from './data.js';
import { levelZeroReach } from './graph-reach.js';
import { graphRecall, knnTruth } from './knn-truth.js';
import { runPynndescent } from './pynndescent.js';
import { median } from './stats.js';
import { NAMES, TARGET_RECALL, type BuildRow, type Identical, type KnnResult, type KnnRow, type SweepPoint, type SweepRow } from './threads-report.js';
import { withTicker } from './ticker.js';
import { keysToIds, type UsearchBatch } from './usearch-batch.js';

export const K = 10;

export interface Settings {
  M: number; efConstruction: number; seed: number;
  efs: number[]; knnEfs: number[];
  runs: number; buildRuns: number; knnRuns: number; pynndescentRuns: number;
  /** PyNNDescent's n_neighbors, one child process each: k + 1 alone reaches a lower recall than our graph. */
  pynndescentNeighbors: number[];
  minRunMs: number; sample: number;
}

type Log = (line: string) => void;

const create = (data: Dataset, s: Settings, threads: 1 | 2) =>
  HnswIndex.create({ dim: data.dim, metric: 'l2', M: s.M, efConstruction: s.efConstruction, seed: s.seed, capacity: data.n, threads });

const recalls = (index: HnswIndex, data: Dataset, efs: number[]) =>
  efs.map((ef) => recallAtK(index.searchBatch(data.queries, K, { ef }).ids, K, data.gt, data.gtK, K));

/**
 * Builds round-robin: wann on 1 thread (addBatch), on 2 (addBatch; addBatchAsync) and
 * usearch on 2, `buildRuns` rounds. Returns the rows and the serial build's bytes (seeded,
 * the same every round), which the search and kNN measurements load.
 */
export async function measureBuilds(data: Dataset, s: Settings, usearch: UsearchBatch | undefined, log: Log): Promise<{ rows: BuildRow[]; bytes: Uint8Array }> {
  const row = (name: string, threads: number): BuildRow => ({ name, threads, seconds: [], stalls: [], recalls: [], integrity: [], reach: [] });
  const one = row(NAMES.build1, 1), two = row(NAMES.build2, 2), twoAsync = row(NAMES.build2Async, 2), theirs = row(NAMES.usearchBuild, 2);
  let bytes: Uint8Array | undefined;
  for (let round = 0; round < s.buildRuns; round++) {
    const serial = await create(data, s, 1);
    const a = await withTicker(() => serial.addBatch(data.base));
    record(one, serial, a, round === 0 ? recalls(serial, data, s.efs) : undefined, round === 0);
    bytes ??= serial.serialize();
    serial.dispose();

    const parallel = await create(data, s, 2);
    const b = await withTicker(() => parallel.addBatch(data.base)); // the pool starts inside, counted
    record(two, parallel, b, recalls(parallel, data, s.efs), true);
    parallel.dispose();

    const awaited = await create(data, s, 2);
    const c = await withTicker(() => awaited.addBatchAsync(data.base));
    record(twoAsync, awaited, c, recalls(awaited, data, s.efs), true);
    awaited.dispose();

    if (usearch) theirs.seconds.push(usearch.build(data.base, data.n, 2));
    log(`  build round ${round + 1}/${s.buildRuns}: ${[one, two, twoAsync, ...(usearch ? [theirs] : [])].map((r) => `${r.name} ${r.seconds.at(-1)!.toFixed(2)} s`).join(' | ')}`
      + ` | longest gap during addBatchAsync ${c.stall.maxGapMs.toFixed(1)} ms`);
  }
  return { rows: [one, two, twoAsync, ...(usearch ? [theirs] : [])], bytes: bytes! };
}

function record(row: BuildRow, index: HnswIndex, timed: Awaited<ReturnType<typeof withTicker>>, recall: number[] | undefined, check: boolean): void {
  row.threads = index.threads;
  row.seconds.push(timed.ms / 1000);
  row.stalls.push(timed.stall);
  if (recall) row.recalls.push(recall);
  if (check) {
    row.integrity.push(index.checkIntegrity());
    row.reach.push(levelZeroReach(index.toHnswlib()));
  }
}

/** One library's batch search at a given ef; ids() turns its raw answer into nq·k ids. */
interface Searcher { name: string; threads: number; run(ef: number): unknown; ids(found: unknown): ArrayLike<number> }

/**
 * queries/s and recall@10 at each ef: wann's 1-thread build loaded with threads 1 and 2,
 * and usearch's last build searched with threads 1 and 2; every query in one batch,
 * libraries timed round-robin, median of `runs` rounds. Checks that wann's two answer alike.
 */
export async function measureSearch(data: Dataset, s: Settings, bytes: Uint8Array, usearch: UsearchBatch | undefined,
  log: Log): Promise<{ rows: SweepRow[]; identical: Identical[]; one: HnswIndex; two: HnswIndex }> {
  const one = await HnswIndex.load(bytes, { threads: 1 });
  const two = await HnswIndex.load(bytes, { threads: 2 });
  await two.searchBatchAsync(data.queries, K, { ef: s.efs[0] }); // starts the workers before any timed search
  const results: Record<string, { distances: Float32Array }> = {};
  const wann = (name: string, index: HnswIndex): Searcher => ({
    name, threads: index.threads,
    run(ef) {
      return (results[name] = index.searchBatch(data.queries, K, { ef }));
    },
    ids: (found) => (found as { ids: Uint32Array }).ids,
  });
  const searchers: Searcher[] = [wann(NAMES.wann1, one), wann(NAMES.wann2, two)];
  if (usearch) {
    for (const threads of [1, 2]) {
      searchers.push({
        name: threads === 1 ? NAMES.usearch1 : NAMES.usearch2, threads,
        run: () => usearch.search(data.queries, K, threads), ids: (found) => keysToIds((found as { keys: BigUint64Array }).keys),
      });
    }
  }
  const rows: SweepRow[] = searchers.map((x) => ({ name: x.name, threads: x.threads, points: [] }));
  const identical: Identical[] = [];
  for (const ef of s.efs) {
    usearch?.useEf(ef);
    const inner = new Map<Searcher, number>();
    const ids = new Map<Searcher, ArrayLike<number>>();
    searchers.forEach((x, i) => { // one untimed batch: the ids scored, a warm-up and the repetitions a round needs
      const start = performance.now();
      const found = x.run(ef);
      const ms = performance.now() - start;
      const flat = x.ids(found);
      ids.set(x, flat);
      rows[i].points.push({ ef, recall: recallAtK(flat, K, data.gt, data.gtK, K), qps: 0, roundMs: [] });
      inner.set(x, Math.max(1, Math.ceil(s.minRunMs / Math.max(ms, 1e-3))));
    });
    identical.push(compare(ef, ids.get(searchers[0])!, ids.get(searchers[1])!, results[NAMES.wann1].distances!, results[NAMES.wann2].distances!));
    const times = new Map<Searcher, number[]>(searchers.map((x) => [x, []]));
    for (let round = 0; round < s.runs; round++) {
      for (const x of searchers) {
        const start = performance.now();
        for (let r = 0; r < inner.get(x)!; r++) x.run(ef);
        times.get(x)!.push((performance.now() - start) / inner.get(x)!);
      }
    }
    searchers.forEach((x, i) => Object.assign(rows[i].points.at(-1)!, { qps: (data.nq * 1000) / median(times.get(x)!), roundMs: times.get(x)! }));
    log(`  ef ${ef}: ${rows.map((r) => `${r.name} ${fmtPoint(r.points.at(-1)!)}`).join(' | ')} | wann 1 = 2 threads: ${identical.at(-1)!.ids ? 'yes' : 'NO'}`);
  }
  return { rows, identical, one, two };
}

const fmtPoint = (p: SweepPoint) => `${p.recall.toFixed(3)}@${Math.round(p.qps)}`;

function compare(ef: number, a: ArrayLike<number>, b: ArrayLike<number>, da: Float32Array, db: Float32Array): Identical {
  let idsSame = true, distancesSame = true;
  const rows = new Set<number>();
  for (let i = 0; i < a.length; i++) {
    const idDiffers = a[i] !== b[i], distanceDiffers = !Object.is(da[i], db[i]);
    if (idDiffers) idsSame = false;
    if (distanceDiffers) distancesSame = false;
    if (idDiffers || distanceDiffers) rows.add(Math.floor(i / K));
  }
  return { ef, ids: idsSame, distances: distancesSame, rowsDiffering: rows.size };
}

/**
 * knnGraph(10) on 2 threads at each knn ef, on 1 thread (and a blocking searchBatch of
 * every row, for reference) at the chosen ef, and PyNNDescent's graph (cold, then warm),
 * all scored on the same sampled rows.
 */
export async function measureKnn(data: Dataset, s: Settings, one: HnswIndex, two: HnswIndex, pynndescent: boolean | string,
  log: Log): Promise<KnnResult> {
  const truth = knnTruth(data.base, data.dim, K, s.sample, 7, log);
  const result: KnnResult = { k: K, sample: truth.rows.length, seed: 7, rows: [] };
  const wannRow = async (name: string, index: HnswIndex, ef: number, note?: string): Promise<KnnRow> => {
    const row: KnnRow = { name, ef, seconds: [], recall: NaN, maxGapMs: 0, note };
    for (let round = 0; round < s.knnRuns; round++) {
      const timed = await withTicker(() => index.knnGraph(K, { ef }));
      row.seconds.push(timed.ms / 1000);
      row.maxGapMs = Math.max(row.maxGapMs!, timed.stall.maxGapMs);
      if (round === 0) {
        const at = new Int32Array(data.n).fill(-1);
        timed.value.ids.forEach((id, i) => { at[id] = i; });
        row.recall = graphRecall(truth, (r) => timed.value.neighbours.subarray(at[r] * K, at[r] * K + K));
      }
    }
    log(`  ${name}, ef ${ef}: ${median(row.seconds).toFixed(2)} s, recall ${row.recall.toFixed(4)}`);
    return row;
  };
  for (const ef of s.knnEfs) result.rows.push(await wannRow(NAMES.wann2, two, ef));

  const peer: KnnRow[] = [];
  if (typeof pynndescent === 'string') result.skipped = pynndescent;
  else if (pynndescent) {
    for (const nNeighbors of s.pynndescentNeighbors) {
      const ran = await runPynndescent(data.base, data.n, data.dim, { nNeighbors, nJobs: 2, runs: s.pynndescentRuns, seed: s.seed }, log);
      const recallOf = (ids: Int32Array) => graphRecall(truth, (r) => ids.subarray(r * nNeighbors, (r + 1) * nNeighbors));
      const { runs, versions, ...rest } = ran;
      result.pynndescent = { ...versions, ...rest };
      peer.push({ name: 'PyNNDescent, cold', nNeighbors, seconds: [runs[0].seconds], recall: recallOf(runs[0].ids), note: 'first call in a new process: numba compiles its kernels' });
      if (runs.length > 1) {
        const warm = runs.slice(1);
        peer.push({ name: 'PyNNDescent, warm', nNeighbors, seconds: warm.map((r) => r.seconds), recall: median(warm.map((r) => recallOf(r.ids))), note: `calls 2 … ${runs.length} in the same process (recall: median)` });
      }
      log(`  PyNNDescent, n_neighbors ${nNeighbors}: recall ${peer.at(-1)!.recall.toFixed(4)}`);
    }
  }
  // The ef the 1-thread rows use: the smallest reaching the target recall.
  const wanted = result.rows.find((r) => r.recall >= TARGET_RECALL) ?? result.rows.at(-1)!;
  result.chosenEf = wanted.ef;
  result.rows.push(await wannRow(NAMES.wann1, one, wanted.ef!, 'async on one thread: slices of rows between turns of the event loop'));
  result.rows.push(await searchEveryRow(data, s, one, wanted.ef!, truth));
  result.rows.push(...peer);
  return result;
}

/** The blocking reference for the 1-thread knnGraph: searchBatch of every stored row for k + 1 on the calling thread. */
async function searchEveryRow(data: Dataset, s: Settings, one: HnswIndex, ef: number, truth: ReturnType<typeof knnTruth>): Promise<KnnRow> {
  const row: KnnRow = { name: `${NAMES.wann1}: searchBatch of every row, k ${K + 1}`, ef, seconds: [], recall: NaN, note: 'blocking; what the 1-thread knnGraph computes' };
  for (let round = 0; round < s.knnRuns; round++) {
    const start = performance.now();
    const found = one.searchBatch(data.base, K + 1, { ef });
    row.seconds.push((performance.now() - start) / 1000);
    if (round === 0) row.recall = graphRecall(truth, (r) => found.ids.subarray(r * (K + 1), (r + 1) * (K + 1)));
  }
  return row;
}
