// wann's threads in headless Chromium, through the real bundle: test/browser/threads.html
// served cross-origin isolated (COOP + COEP: SharedArrayBuffer, so threads: 2 runs a
// pool of Web Workers over shared memory) and served plain (no SharedArrayBuffer: the
// same calls on one thread, no error). The page builds with addBatchAsync, searches
// with searchBatchAsync and knnGraph, and every answer must equal that of the same
// bytes loaded on one thread; the graph built on two threads must leave no item without
// a link to it, as a serial build of the same rows does not. It samples the main thread
// during a larger build (the longest gap is printed; only a generous bound is asserted),
// disposes an index mid-build, and runs the sync batch calls in a module Worker
// (test/browser/threads-worker.js). Needs `npm run build` and /usr/bin/chromium
// (CHROMIUM_PATH overrides); skipped without Chromium, except under CI. About 40 s.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, watchProblems } from './browser/chromium.js';
import { startServer, type StaticServer } from './browser/serve.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_MS = 60_000;
/** Rows and queries of the page's first build, and its larger one (test/browser/threads.html). */
const N = 4000, QUERIES = 200, K = 10, LARGE = 20000;
/** The longest the main thread may go without a turn during the larger build: generous, only a hang should fail it. */
const MAX_GAP_MS = 500;

/** What threads.html leaves on window.threads: each step's result under its name, or its error in `errors`. */
interface PageResults {
  done: boolean;
  errors: string[];
  [step: string]: unknown;
}
interface Found { ids: number[]; distances: number[] }
interface BuildStep extends Found {
  threads: number;
  loadedThreads: number[];
  size: number;
  poolWorkers: number;
  progress: [number, number][];
  integrity: string | null;
  recall: number;
  unlinked: number[];
  syncIds: number[]; syncDistances: number[];
  oneIds: number[]; oneDistances: number[];
  oneAsyncIds: number[];
  reloadedIds: number[]; reloadedDistances: number[];
  graph: {
    k: number; rows: number; ownId: number; missing: number; unsorted: number;
    sameIdsAsOneThread: boolean; sameNeighboursAsOneThread: boolean; sameDistancesAsOneThread: boolean;
  };
}
interface WorkerStep extends Found {
  threads: number;
  loadedThreads: number;
  size: number;
  poolWorkers: number;
  integrity: string | null;
  recall: number;
  addMs: number;
  searchMs: number;
  oneIds: number[]; oneDistances: number[];
}

/** Opens threads.html from `server` and waits for its results. */
async function runPage(browser: Browser, server: StaticServer): Promise<{ results: PageResults; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  watchProblems(page, problems);
  try {
    await page.goto(`${server.url}/test/browser/threads.html`);
    await page.waitForFunction(() => (window as unknown as { threads?: PageResults }).threads?.done === true,
      null, { timeout: TIMEOUT_MS - 5_000 });
    return { results: await page.evaluate(() => (window as unknown as { threads: PageResults }).threads), problems };
  } finally {
    await page.close();
  }
}

/** The result of the page's step `name`, or a throw with the error the page recorded for it. */
function stepOf<T>(results: PageResults, name: string): T {
  const failure = results.errors.find((error) => error.startsWith(`${name}: `));
  if (failure !== undefined) throw new Error(`the page's step failed: ${failure}`);
  if (results[name] === undefined) throw new Error(`the page has no result for ${name}`);
  return results[name] as T;
}

const STEPS = ['env', 'build', 'flat', 'responsive', 'dispose', 'worker', 'workerWarm', 'training', 'auto'];

describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)('threads in headless Chromium (dist/wann.browser.js)', () => {
  let browser: Browser | undefined;
  const servers: StaticServer[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) {
      throw new Error(`CI is set but there is no Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
    }
    for (const file of ['dist/wann.browser.js', 'build/wann-simd.wasm', 'build/wann-threads.wasm']) {
      if (!existsSync(`${ROOT}${file}`)) throw new Error(`${file} is missing: run npm run build before the browser test`);
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.close();
  });

  describe.each([
    { isolated: true, served: 'cross-origin isolated (COOP same-origin, COEP require-corp)' },
    { isolated: false, served: 'without the isolation headers' },
  ])('a page served $served', ({ isolated }) => {
    /** Threads an index on `threads: 2` runs on here. */
    const threads = isolated ? 2 : 1;
    let results: PageResults;
    let problems: string[];

    beforeAll(async () => {
      const server = await startServer(ROOT, { crossOriginIsolated: isolated });
      servers.push(server);
      ({ results, problems } = await runPage(browser!, server));
    }, TIMEOUT_MS);

    test(`crossOriginIsolated is ${isolated}, and SharedArrayBuffer ${isolated ? 'exists' : 'does not'}`, () => {
      expect(stepOf(results, 'env')).toMatchObject({ crossOriginIsolated: isolated, sharedArrayBuffer: isolated });
    });

    test(`threads: 2 gives index.threads === ${threads}, on create() and on load(bytes, { threads })`, () => {
      const build = stepOf<BuildStep>(results, 'build');
      expect(build.threads).toBe(threads);
      expect(build.loadedThreads).toEqual([1, threads]);
      expect(build.poolWorkers).toBe(isolated ? 4 : 0); // two Blob-URL workers per index on two threads
      expect(stepOf<{ threads: number }>(results, 'flat').threads).toBe(threads);
    });

    test(`threads: 'auto' is ${isolated ? "the page's cores (at most 16)" : '1'}`, () => {
      const auto = stepOf<{ threads: number; cores: number }>(results, 'auto');
      expect(auto.threads).toBe(isolated ? Math.min(auto.cores, 16) : 1);
    });

    test(`addBatchAsync of ${N} rows builds a sound graph: checkIntegrity() null, recall@${K} >= 0.95, progress to the end`, () => {
      const build = stepOf<BuildStep>(results, 'build');
      expect(build.size).toBe(N);
      expect(build.integrity).toBeNull();
      expect(build.recall).toBeGreaterThanOrEqual(0.95);
      expect(build.progress.at(-1)).toEqual([N, N]);
    });

    test('every item is linked to on level 0, as in a serial build of the same rows', () => {
      // A serial build links each new item from the neighbours it picks; an item no list
      // holds is found by no search, not even with its own vector.
      const large = stepOf<{ unreachable: number[]; unlinked: number[]; serialUnreachable: number[]; serialUnlinked: number[] }>(results, 'responsive');
      console.log(`${isolated ? 'isolated, 2 threads' : 'not isolated, 1 thread'}: of ${LARGE} rows, ${large.unreachable.length} `
        + `are not found by a search with their own vector (k 1, ef 64) and ${large.unlinked.length} have no link to them; `
        + `added serially: ${large.serialUnreachable.length} and ${large.serialUnlinked.length}`);
      expect(large.serialUnlinked).toEqual([]); // the control: what the check expects holds for a serial build
      expect(stepOf<BuildStep>(results, 'build').unlinked).toEqual([]);
      expect(large.unlinked).toEqual([]);
      expect(stepOf<{ nextUnlinked: number[] }>(results, 'dispose').nextUnlinked).toEqual([]);
    });

    test('searchBatchAsync answers exactly as the same serialize() bytes loaded on one thread (and as searchBatch)', () => {
      const build = stepOf<BuildStep>(results, 'build');
      expect(build.ids).toHaveLength(QUERIES * K);
      expect(build.ids).toEqual(build.oneIds);
      expect(build.distances).toEqual(build.oneDistances);
      expect(build.syncIds).toEqual(build.ids); // sync on the page's main thread: serial, same answers
      expect(build.syncDistances).toEqual(build.distances);
      expect(build.oneAsyncIds).toEqual(build.ids); // one thread, sliced between turns of the event loop
      expect(build.reloadedIds).toEqual(build.ids); // the bytes loaded on two threads again
      expect(build.reloadedDistances).toEqual(build.distances);
    });

    test('knnGraph(5): every row has 5 neighbours, nearest first, never its own id, and the graph one thread gives', () => {
      const graph = stepOf<BuildStep>(results, 'build').graph;
      expect(graph).toEqual({
        k: 5, rows: N, ownId: 0, missing: 0, unsorted: 0,
        sameIdsAsOneThread: true, sameNeighboursAsOneThread: true, sameDistancesAsOneThread: true,
      });
    });

    test('FlatIndex: searchBatchAsync gives the exact neighbours', () => {
      const flat = stepOf<{ ids: number[]; exact: number[] }>(results, 'flat');
      expect(flat.ids).toEqual(flat.exact);
    });

    test(`the main thread keeps turning during addBatchAsync of ${LARGE} rows (longest gap printed; bound ${MAX_GAP_MS} ms)`, () => {
      const run = stepOf<{ ms: number; ticks: number; frames: number; maxGapMs: number; threads: number; size: number; integrity: string | null }>(results, 'responsive');
      console.log(`${isolated ? 'isolated, 2 threads' : 'not isolated, 1 thread'}: addBatchAsync of ${LARGE} rows took ${run.ms.toFixed(0)} ms; `
        + `${run.ticks} setTimeout ticks, ${run.frames} animation frames, longest gap between ticks ${run.maxGapMs.toFixed(1)} ms`);
      expect(run).toMatchObject({ threads, size: LARGE, integrity: null });
      expect(run.ticks).toBeGreaterThan(1);
      expect(run.maxGapMs).toBeLessThan(MAX_GAP_MS);
    });

    test('trainAsync() trains in a worker of its own: the codebooks train() makes, timers running between its k-means steps', () => {
      const training = stepOf<{ trained: boolean; steps: number; ticksBetweenSteps: number; sameAsTrain: boolean }>(results, 'training');
      expect(training).toMatchObject({ trained: true, sameAsTrain: true });
      expect(training.steps).toBeGreaterThan(10);
      expect(training.ticksBetweenSteps).toBeGreaterThan(0);
    });

    test('dispose() during addBatchAsync rejects it with WannError DISPOSED, and the page goes on building and searching', () => {
      const run = stepOf<{
        settled: { resolved: boolean; isWannError?: boolean; code?: string; message?: string };
        settleMs: number; after: Record<string, unknown>; nextThreads: number; nextSize: number; nextRecall: number; nextSameAsOneThread: boolean;
      }>(results, 'dispose');
      expect(run.settled, `settled ${run.settleMs.toFixed(0)} ms after dispose()`).toMatchObject({ resolved: false, isWannError: true, code: 'DISPOSED' });
      expect(run.after).toEqual({ disposed: true, size: 'DISPOSED', search: 'DISPOSED' });
      expect(run).toMatchObject({ nextThreads: threads, nextSize: N, nextSameAsOneThread: true });
      expect(run.nextRecall).toBeGreaterThanOrEqual(0.95);
    });

    test.each([
      ['worker', 'the first call on the index is addBatch'],
      ['workerWarm', 'an awaited addBatchAsync of 100 rows started the pool first'],
    ])(`in a module Worker (%s: %s), sync addBatch and searchBatch on ${threads} thread(s) answer as one thread does`, (name) => {
      const run = stepOf<WorkerStep>(results, name);
      expect(run).toMatchObject({ threads, loadedThreads: 1, size: N, poolWorkers: isolated ? 2 : 0, integrity: null });
      expect(run.recall).toBeGreaterThanOrEqual(0.95);
      expect(run.ids).toHaveLength(QUERIES * K);
      expect(run.ids).toEqual(run.oneIds);
      expect(run.distances).toEqual(run.oneDistances);
    });

    test('nothing else went wrong: no uncaught error, no console error, no failed request', () => {
      expect(results.errors.filter((error) => !STEPS.some((step) => error.startsWith(`${step}: `)))).toEqual([]);
      expect(problems).toEqual([]);
    });
  });
});
