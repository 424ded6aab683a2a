// The real build in headless Chromium: test/browser/smoke.html imports dist/wann.browser.js
// from a local server and leaves its results on window.smoke, checked here. Needs
// `npm run build` first and /usr/bin/chromium (CHROMIUM_PATH overrides); skipped without
// Chromium, except under CI, where a missing browser is a failure.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, watchProblems } from './browser/chromium.js';
import { startServer, type StaticServer } from './browser/serve.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_MS = 60_000;

/** What smoke.html leaves on window.smoke. */
interface SeedResult {
  build: 'simd' | 'scalar';
  names: string[];
  distances: number[];
}
interface SiftBuildResult {
  build: 'simd' | 'scalar';
  recall: number;
  integrity: string | null;
  hnswIds: number[];
  flatIds: number[];
}
interface SmokeResults {
  done: boolean;
  errors: string[];
  simdSupported?: boolean;
  seedSimd?: SeedResult;
  seedScalar?: SeedResult;
  sift?: {
    n: number;
    queries: number;
    simd: SiftBuildResult;
    scalar: SiftBuildResult;
    flatVsGroundTruth: { checked: number; agree: number };
  };
  explicitWasm?: { bytes: SeedResult; url: SeedResult; module: SeedResult; missingUrlError: string };
}

// The one failed request smoke.html makes on purpose, to see that `wasm: url` is honoured.
const EXPECTED_404 = '/build/missing.wasm';

describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)('browser (headless Chromium, dist/wann.browser.js)', () => {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let smoke: SmokeResults;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) {
      throw new Error(`CI is set but there is no Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
    }
    for (const file of ['dist/wann.browser.js', 'dist/texmex.js', 'dist/recall.js', 'build/wann-simd.wasm', 'build/wann-scalar.wasm']) {
      if (!existsSync(`${ROOT}${file}`)) throw new Error(`${file} is missing: run npm run build before the browser test`);
    }
    server = await startServer(ROOT);
    browser = await launchChromium();
    const page = await browser.newPage();
    watchProblems(page, pageProblems, (url) => url.endsWith(EXPECTED_404));
    await page.goto(`${server.url}/test/browser/smoke.html`);
    await page.waitForFunction(() => (window as unknown as { smoke?: SmokeResults }).smoke?.done === true,
      null, { timeout: TIMEOUT_MS - 10_000 });
    smoke = await page.evaluate(() => (window as unknown as { smoke: SmokeResults }).smoke);
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the page reports no errors, and the console none either', () => {
    expect(smoke.errors).toEqual([]);
    expect(pageProblems).toEqual([]);
  });

  test('Chromium runs WebAssembly SIMD', () => {
    expect(smoke.simdSupported).toBe(true);
  });

  test.each(['seedSimd', 'seedScalar'] as const)('%s: the seed example finds the three fruit, nearest first', (key) => {
    const result = smoke[key]!;
    expect(result.build).toBe(key === 'seedSimd' ? 'simd' : 'scalar');
    expect(result.names).toEqual(['Apple', 'Banana', 'Cherry']);
  });

  test('the seed example gives bit-identical distances in both builds', () => {
    expect(smoke.seedSimd!.distances).toEqual(smoke.seedScalar!.distances);
  });

  test('siftsmall (first 2000): recall@10 >= 0.95 per build, and both builds return the same ids', () => {
    const sift = smoke.sift!;
    for (const result of [sift.simd, sift.scalar]) {
      expect(result.recall).toBeGreaterThanOrEqual(0.95);
      expect(result.integrity).toBeNull();
      expect(result.hnswIds).toHaveLength(sift.queries * 10);
    }
    expect(sift.simd.build).toBe('simd');
    expect(sift.scalar.build).toBe('scalar');
    expect(sift.scalar.hnswIds).toEqual(sift.simd.hnswIds);
    expect(sift.scalar.flatIds).toEqual(sift.simd.flatIds);
  });

  test('FlatIndex in the browser agrees with gt.ivecs on the 2000-row subset', () => {
    const { checked, agree } = smoke.sift!.flatVsGroundTruth;
    expect(checked).toBeGreaterThanOrEqual(50); // ~20 of each query's top 100 fall below 2000
    expect(agree).toBe(checked);
  });

  test('the wasm passed explicitly: bytes, a URL string, a compiled module', () => {
    const explicit = smoke.explicitWasm!;
    expect(explicit.bytes).toMatchObject({ build: 'scalar', names: ['Apple', 'Banana', 'Cherry'] });
    expect(explicit.url).toMatchObject({ build: 'simd', names: ['Apple', 'Banana', 'Cherry'] });
    expect(explicit.module).toMatchObject({ build: 'scalar', names: ['Apple', 'Banana', 'Cherry'] });
    expect(explicit.missingUrlError).toBe('WASM_UNAVAILABLE'); // the URL given is the one fetched
  });
});
