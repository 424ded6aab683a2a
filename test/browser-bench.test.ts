// The browser benchmark page (bench/browser/bench.html) in headless Chromium, at small
// sizes: both builds run the kernel benchmark and the search sweep and produce figures.
// Checks shapes and sanity only, never timings. Needs build/*.wasm (npm run build) and
// /usr/bin/chromium (CHROMIUM_PATH overrides); skipped without Chromium, except under CI.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildBenchPage, PAGE_PATH, ROOT } from '../bench/browser/build.js';
import type { KernelResults } from '../bench/lib/kernel-bench.js';
import type { SweepResult } from '../bench/lib/tables.js';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, watchProblems } from './browser/chromium.js';
import { startServer, type StaticServer } from './browser/serve.js';

const TIMEOUT_MS = 120_000;
const QUERY = '?dims=16,128&metrics=l2,cosine&time=20&outMiB=4&n=1500&dim=32&nq=50&ef=10,40';

interface BenchResults { done: boolean; errors: string[]; simdSupported?: boolean; kernels?: KernelResults; search?: SweepResult[] }

describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)('browser benchmark page (headless Chromium)', () => {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let results: BenchResults;
  let charts: number;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI is set but there is no Chromium at ${CHROMIUM_PATH}`);
    for (const file of ['build/wann-simd.wasm', 'build/wann-scalar.wasm']) {
      if (!existsSync(`${ROOT}/${file}`)) throw new Error(`${file} is missing: run npm run build first`);
    }
    await buildBenchPage();
    server = await startServer(ROOT);
    browser = await launchChromium();
    const page = await browser.newPage();
    watchProblems(page, problems);
    await page.goto(`${server.url}${PAGE_PATH}${QUERY}`);
    await page.waitForFunction(() => (window as unknown as { benchResults?: BenchResults }).benchResults?.done === true, null, { timeout: TIMEOUT_MS - 20_000 });
    results = await page.evaluate(() => (window as unknown as { benchResults: BenchResults }).benchResults);
    charts = await page.locator('.chart svg').count();
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the page ran without errors and drew both charts', () => {
    expect(results.errors).toEqual([]);
    expect(problems).toEqual([]);
    expect(results.simdSupported).toBe(true);
    expect(charts).toBe(2);
  });

  test('kernels: every case has positive, finite figures for the SIMD, scalar, naive and JS runs', () => {
    const { rows, boundary } = results.kernels!;
    expect(rows).toHaveLength(2 * 2 * 3); // dims × metrics × memory patterns
    for (const r of rows) {
      for (const ns of [r.simdNs, r.scalarNs, r.naiveNs, r.jsNs]) expect(Number.isFinite(ns) && ns > 0).toBe(true);
      expect(r.simdOverScalar).toBeCloseTo(r.scalarNs / r.simdNs, 9);
    }
    expect(boundary.map((b) => b.dim)).toEqual([16, 128]);
  });

  test('search: both builds swept every ef, with the same recall and work (same graph, bit-identical kernels)', () => {
    const [simd, scalar] = results.search!;
    expect([simd.name, scalar.name]).toEqual(['wann simd', 'wann scalar']);
    for (const sweep of [simd, scalar]) {
      expect(sweep.points.map((p) => p.ef)).toEqual([10, 40]);
      for (const p of sweep.points) expect(p.qps > 0 && p.recall > 0.5 && p.distances! > 0).toBe(true);
    }
    expect(scalar.points.map((p) => [p.recall, p.distances])).toEqual(simd.points.map((p) => [p.recall, p.distances]));
  });
});
