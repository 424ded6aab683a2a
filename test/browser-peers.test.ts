// bench/browser/peers.html (wann beside hnswlib-wasm in one tab) in headless Chromium at
// toy size: all three libraries build, score recall against exact search, and produce
// rounds and per-round ratios. Shapes and recall only, never timings. Needs
// `npm run build` and /usr/bin/chromium.
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, watchProblems } from './browser/chromium.js';
import { startServer, type StaticServer } from './browser/serve.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_MS = 120_000;

interface PeersResults { done: boolean; errors: string[]; names: string[]; recall: Record<string, number>; qps: Record<string, number[]>; ratios: Record<string, number[]> }

describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)('wann beside hnswlib-wasm in one tab (bench/browser/peers.html)', () => {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let results: PeersResults;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI is set but there is no Chromium at ${CHROMIUM_PATH}`);
    server = await startServer(ROOT);
    browser = await launchChromium();
    const page = await browser.newPage();
    watchProblems(page, problems);
    await page.goto(`${server.url}/bench/browser/peers.html?n=1500&rounds=2&roundMs=20`);
    await page.waitForFunction(() => (window as unknown as { peersResults?: PeersResults }).peersResults?.done === true, null, { timeout: TIMEOUT_MS - 20_000 });
    results = await page.evaluate(() => (window as unknown as { peersResults: PeersResults }).peersResults);
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('no errors; both wann builds and hnswlib-wasm ran', () => {
    expect(results.errors).toEqual([]);
    expect(problems).toEqual([]);
    expect(results.names).toEqual(['wann simd', 'wann scalar', 'hnswlib-wasm']);
  });

  test('each finds the true neighbours (recall@10 >= 0.95 on 1500 rows), the two wann builds alike', () => {
    for (const name of results.names) expect(results.recall[name]).toBeGreaterThanOrEqual(0.95);
    expect(results.recall['wann simd']).toBe(results.recall['wann scalar']);
  });

  test('every round timed every library, and the ratios are per round', () => {
    for (const name of results.names) expect(results.qps[name]!.map((qps) => qps > 0)).toEqual([true, true]);
    expect(Object.keys(results.ratios)).toEqual(['wann SIMD ÷ scalar', 'wann SIMD ÷ hnswlib-wasm', 'wann scalar ÷ hnswlib-wasm']);
    for (const ratios of Object.values(results.ratios)) expect(ratios).toHaveLength(2);
  });
});
