// The search app (bench/app, `npm run demo`) in headless Chromium: the first visit
// builds the index in its Worker and saves it to OPFS; test digits find their true
// nearest neighbours (brute force here over the shipped pixels); a drawing searches; a
// reload opens the index from OPFS and answers identically; with the server gone the
// service worker still serves the app, which still searches; from file:// it says what
// to do. Needs `npm run build` and /usr/bin/chromium.

import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, watchProblems } from './browser/chromium.js';
import { startServer, type StaticServer } from './browser/serve.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_MS = 240_000;
const DIM = 784;
const TEST_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7];

interface Results { ids: number[]; distances: number[]; k: number; ef: number; build: string; storage: string; ms: number }
interface AppState { ready: boolean; opened: { how: string; ms: number; size: number; build: string; storage: string } | null; results: Results | null; errors: string[] }

const pixels = (name: string) => gunzipSync(readFileSync(`${ROOT}bench/app/data/${name}`));

/** The k nearest base digits to query row `q` by squared L2 (ties by id). */
function nearest(base: Uint8Array, queries: Uint8Array, q: number, k: number): number[] {
  const scored: [number, number][] = [];
  for (let i = 0; i < base.length / DIM; i++) {
    let sum = 0;
    for (let j = 0; j < DIM; j++) sum += (base[i * DIM + j]! - queries[q * DIM + j]!) ** 2;
    scored.push([sum, i]);
  }
  return scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, k).map(([, id]) => id);
}

describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)('the search app (bench/app) in headless Chromium', () => {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let firstAnswers: Results[] = [];

  const state = () => page.evaluate(() => {
    const { ready, opened, results, errors } = (window as unknown as { app: AppState }).app;
    return { ready, opened, results: results && { ...results, images: undefined }, errors } as AppState;
  });
  /** Waits until the app is ready, or fails with the errors it showed instead. */
  async function waitReady(): Promise<void> {
    await page.waitForFunction(() => {
      const app = (window as unknown as { app?: AppState }).app;
      return app?.ready === true || (app?.errors.length ?? 0) > 0;
    }, null, { timeout: TIMEOUT_MS - 60_000 });
    expect((await state()).errors).toEqual([]);
  }
  async function answersFor(digits: number[]): Promise<Results[]> {
    const out: Results[] = [];
    for (const which of digits) {
      await page.evaluate((i) => (window as unknown as { app: { showTestDigit(i: number): Promise<void> } }).app.showTestDigit(i), which);
      out.push((await state()).results!);
    }
    return out;
  }

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI is set but there is no Chromium at ${CHROMIUM_PATH}`);
    server = await startServer(ROOT);
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    watchProblems(page, problems);
    await page.goto(`${server.url}/bench/app/`);
    await waitReady();
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the first visit builds the index of 10,000 digits in the Worker', async () => {
    const { opened, errors } = await state();
    expect(errors).toEqual([]);
    expect(opened).toMatchObject({ how: 'built', size: 10_000, storage: 'f32', build: 'simd' });
    console.log(`built in ${(opened!.ms / 1000).toFixed(1)} s`);
  });

  test('test digits find their true nearest neighbours (recall@12 >= 0.9, the nearest one exact)', async () => {
    const base = pixels('mnist-base.u8.gz'), queries = pixels('mnist-query.u8.gz');
    firstAnswers = await answersFor(TEST_DIGITS);
    let hits = 0;
    TEST_DIGITS.forEach((which, i) => {
      const truth = nearest(base, queries, which, 12);
      expect(firstAnswers[i]!.ids[0]).toBe(truth[0]);
      hits += firstAnswers[i]!.ids.filter((id) => truth.includes(id)).length;
    });
    expect(hits / (12 * TEST_DIGITS.length)).toBeGreaterThanOrEqual(0.9);
    expect(firstAnswers[0]!.ms).toBeGreaterThan(0);
  }, TIMEOUT_MS);

  test('drawing on the pad searches', async () => {
    await page.click('#clear');
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(box.x + 140, box.y + 40);
    await page.mouse.down();
    for (let y = 40; y <= 240; y += 20) await page.mouse.move(box.x + 140 + (y - 40) / 20, box.y + y);
    await page.mouse.up();
    await page.waitForFunction(() => (window as unknown as { app: AppState }).app.results !== null);
    expect((await state()).results!.ids).toHaveLength(12);
    expect(await page.locator('#neighbours li').count()).toBe(12);
  });

  test('a reload opens the index from OPFS and answers identically', async () => {
    await page.reload();
    await waitReady();
    const { opened } = await state();
    expect(opened).toMatchObject({ how: 'opened', size: 10_000 });
    console.log(`opened from OPFS in ${opened!.ms.toFixed(0)} ms; a search took ${(firstAnswers[0]!.ms * 1000).toFixed(0)} µs`);
    const again = await answersFor(TEST_DIGITS);
    expect(again.map((r) => [r.ids, r.distances])).toEqual(firstAnswers.map((r) => [r.ids, r.distances]));
  }, TIMEOUT_MS);

  test('the scalar build gives the same neighbours', async () => {
    await page.check('input[value=scalar]');
    await waitReady();
    const scalar = await answersFor(TEST_DIGITS.slice(0, 3));
    expect(scalar.map((r) => r.build)).toEqual(['scalar', 'scalar', 'scalar']);
    expect(scalar.map((r) => r.ids)).toEqual(firstAnswers.slice(0, 3).map((r) => r.ids));
  }, TIMEOUT_MS);

  test.each(['f16', 'i8', 'binary', 'pq'])('storage %s: built, kept and searched like f32 (its nearest digits mostly the true ones)', async (storage) => {
    await page.selectOption('#storage', storage);
    await waitReady();
    const { opened } = await state();
    expect(opened).toMatchObject({ storage, size: 10_000 });
    const [answer] = await answersFor([1]);
    expect(answer!.storage).toBe(storage);
    const truth = nearest(pixels('mnist-base.u8.gz'), pixels('mnist-query.u8.gz'), 1, 12);
    expect(answer!.ids.filter((id) => truth.includes(id)).length).toBeGreaterThanOrEqual(storage === 'binary' ? 3 : 6);
  }, TIMEOUT_MS);

  test('offline: with the server gone, the service worker serves the app and it still searches', async () => {
    await page.evaluate(() => navigator.serviceWorker.ready);
    await server!.close();
    server = undefined;
    await page.reload();
    await waitReady();
    expect((await state()).opened).toMatchObject({ how: 'opened' });
    await page.selectOption('#storage', 'f32');
    await page.check('input[value=simd]');
    await waitReady();
    const [offline] = await answersFor([0]);
    expect(offline!.ids).toEqual(firstAnswers[0]!.ids);
    expect((await state()).errors).toEqual([]);
  }, TIMEOUT_MS);

  test('from file:// the page says to run npm run demo', async () => {
    const local = await context.newPage();
    await local.goto(pathToFileURL(`${ROOT}bench/app/index.html`).href);
    expect(await local.locator('#file-warning').isVisible()).toBe(true);
    expect(await local.locator('#file-warning').textContent()).toContain('npm run demo');
    expect(await local.locator('#app').isVisible()).toBe(false);
    await local.close();
  });

  test('the page showed no errors', () => {
    // Benign: requests refused once the server is gone (the service worker's refresh of
    // its cache), and requests Chromium aborts when the service worker takes over a
    // request or a reload cuts one short.
    const benign = /net::ERR_(CONNECTION_REFUSED|ABORTED)/;
    expect(problems.filter((problem) => !benign.test(problem))).toEqual([]);
  });
});
