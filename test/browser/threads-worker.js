// The Worker half of test/browser/threads.html: a Worker may block (Atomics.wait), so
// the sync addBatch and searchBatch of an index on two threads run on its pool while
// this thread waits. Answers the one message { n, queries, warm } with the results, or
// { error }; with warm, an awaited addBatchAsync of the first rows starts the pool first.
import { HnswIndex } from '/dist/wann.browser.js';
import { EF, HNSW, K, countPoolWorkers, describeError, exactIds, makeRows, recall } from './threads-common.js';

const pool = countPoolWorkers(globalThis);

/** Rows the warm run adds with addBatchAsync before its sync calls. */
const WARM_ROWS = 100;

async function run({ n, queries: count, warm }) {
  const { base, queries } = makeRows(n, count, 13);
  const index = await HnswIndex.create({ ...HNSW, threads: 2 });
  let single;
  try {
    const first = warm ? WARM_ROWS : 0;
    if (warm) await index.addBatchAsync(base.subarray(0, first * HNSW.dim));
    let start = performance.now();
    index.addBatch(base.subarray(first * HNSW.dim));
    const addMs = performance.now() - start;
    start = performance.now();
    const found = index.searchBatch(queries, K, { ef: EF });
    const searchMs = performance.now() - start;
    single = await HnswIndex.load(index.serialize(), { threads: 1 });
    const one = single.searchBatch(queries, K, { ef: EF });
    return {
      threads: index.threads, loadedThreads: single.threads, size: index.size, poolWorkers: pool.started,
      integrity: index.checkIntegrity(), addMs, searchMs,
      recall: recall(found.ids, exactIds(base, queries, K), K),
      ids: [...found.ids], distances: [...found.distances],
      oneIds: [...one.ids], oneDistances: [...one.distances],
    };
  } finally {
    index.dispose();
    single?.dispose();
  }
}

self.onmessage = ({ data }) => {
  run(data).then((result) => self.postMessage(result), (error) => self.postMessage({ error: describeError(error) }));
};
