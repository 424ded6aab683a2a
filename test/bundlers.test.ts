// The packed package in a fresh app, built by Vite, esbuild, webpack 5 and Rollup with
// the configuration the README gives for each (none for Vite and webpack), plus a bare
// <script type="module"> page with an import map; each page runs in headless Chromium
// and must return the right neighbours from both builds. The bundlers are wann's
// devDependencies and run through their JS APIs on the app's files. Needs `npm run build`.

import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, watchProblems } from './browser/chromium.js';
import { startServer, type StaticServer } from './browser/serve.js';
import { installApp, packTarball } from './helpers/packed.js';

const TIMEOUT_MS = 120_000;

// The app: seeded points, the queries are points moved a little; ids come back from
// HnswIndex (both builds) and FlatIndex; a PQ index trained by trainAsync() (a worker
// started from the bundle's own text) must equal one trained by train(). The test computes the true neighbours in Node
// from the same data.js.
const DATA_JS = `
export const DIM = 16, N = 600, NQ = 20, K = 5;
export function makeData() {
  let state = 12345;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const base = new Float32Array(N * DIM).map(() => random() * 2 - 1);
  const queries = new Float32Array(NQ * DIM);
  for (let q = 0; q < NQ; q++) {
    for (let j = 0; j < DIM; j++) queries[q * DIM + j] = base[(q * 29) * DIM + j] + (random() - 0.5) * 0.2;
  }
  return { base, queries };
}
`;
const MAIN_JS = `
import { HnswIndex, FlatIndex } from 'wann';
import { DIM, K, makeData } from './data.js';

async function run() {
  const { base, queries } = makeData();
  const out = {};
  for (const [name, create] of [
    ['simd', () => HnswIndex.create({ dim: DIM, seed: 3, simd: true })],
    ['scalar', () => HnswIndex.create({ dim: DIM, seed: 3, simd: false })],
    ['flat', () => FlatIndex.create({ dim: DIM })],
  ]) {
    const index = await create();
    index.addBatch(base);
    const found = index.searchBatch(queries, K, { ef: 200 });
    out[name] = { build: index.build, ids: [...found.ids] };
    if (name === 'flat') {
      out.saveError = await index.save('x.wann').then(() => 'none', (error) => error.code);
    }
    index.dispose();
    if (name === 'flat') out.disposed = (() => { try { return String(index.size); } catch (error) { return error.message; } })();
  }
  // PQ trained in a worker started from the bundle's own text (trainAsync), against train() here
  const pq = () => FlatIndex.create({ dim: DIM, storage: 'pq', pq: { m: 4, bits: 4, iterations: 3 } });
  const [here, there] = [await pq(), await pq()];
  let steps = 0;
  here.train(base);
  await there.trainAsync(base, { onProgress: () => steps++ });
  for (const index of [here, there]) index.addBatch(base);
  const [a, b] = [here.serialize(), there.serialize()];
  out.trainAsync = { steps, same: a.length === b.length && a.every((byte, i) => byte === b[i]) };
  return out;
}
run().then((result) => { window.result = result; }, (error) => { window.result = { error: String(error && error.stack || error) }; });
`;
const PAGE = (script: string, head = '') => `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>wann app</title><link rel="icon" href="data:,">${head}
<script type="module" src="${script}"></script>
<p>wann in a bundled app</p>
</html>
`;

interface PageResult {
  error?: string;
  simd: { build: string; ids: number[] };
  scalar: { build: string; ids: number[] };
  flat: { build: string; ids: number[] };
  saveError: string;
  disposed: string;
  trainAsync: { steps: number; same: boolean };
}

/** Exact k nearest by squared L2, as flat id lists. */
function trueNeighbours(base: Float32Array, queries: Float32Array, dim: number, k: number): number[] {
  const ids: number[] = [];
  for (let q = 0; q < queries.length / dim; q++) {
    const scored: [number, number][] = [];
    for (let i = 0; i < base.length / dim; i++) {
      let sum = 0;
      for (let j = 0; j < dim; j++) sum += (base[i * dim + j]! - queries[q * dim + j]!) ** 2;
      scored.push([sum, i]);
    }
    scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    ids.push(...scored.slice(0, k).map(([, id]) => id));
  }
  return ids;
}

/** Each bundler's build of the app into `out-<name>/`, with exactly the README's configuration: its warnings. */
const BUILDERS: Record<string, (dir: string) => Promise<string[]>> = {
  async vite(dir) {
    const { build, createLogger } = await import('vite');
    const warnings: string[] = [];
    const logger = createLogger('warn', { allowClearScreen: false });
    logger.warn = (message) => void warnings.push(message);
    logger.warnOnce = (message) => void warnings.push(message);
    writeFileSync(join(dir, 'index.html'), PAGE('/src/main.js'));
    await build({ root: dir, configFile: false, base: './', logLevel: 'warn', customLogger: logger, build: { outDir: 'out-vite', emptyOutDir: true } });
    return warnings;
  },
  async esbuild(dir) {
    const { build } = await import('esbuild');
    const out = join(dir, 'out-esbuild');
    const result = await build({ entryPoints: [join(dir, 'src/main.js')], bundle: true, format: 'esm', outdir: join(out, 'assets'), logLevel: 'silent' });
    // esbuild leaves new URL('../build/…', import.meta.url) as written: the README's one step.
    cpSync(join(dir, 'node_modules/wann/build'), join(out, 'build'), { recursive: true });
    writeFileSync(join(out, 'index.html'), PAGE('./assets/main.js'));
    return result.warnings.map((warning) => warning.text);
  },
  async webpack(dir) {
    const { default: webpack } = await import('webpack');
    const out = join(dir, 'out-webpack');
    const stats = await new Promise<import('webpack').Stats>((done, fail) => {
      webpack({ mode: 'production', context: dir, entry: './src/main.js', output: { path: out } }, (error, result) => (error || !result ? fail(error) : done(result)));
    });
    const info = stats.toJson({ all: false, errors: true, warnings: true });
    if (stats.hasErrors()) throw new Error(info.errors!.map((error) => error.message).join('\n'));
    writeFileSync(join(out, 'index.html'), PAGE('./main.js'));
    return info.warnings!.map((warning) => warning.message);
  },
  async rollup(dir) {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const { importMetaAssets } = await import('@web/rollup-plugin-import-meta-assets');
    const warnings: string[] = [];
    const bundle = await rollup({
      input: join(dir, 'src/main.js'),
      plugins: [nodeResolve({ browser: true }), importMetaAssets()],
      onwarn: (warning) => void warnings.push(warning.message),
    });
    const out = join(dir, 'out-rollup');
    await bundle.write({ dir: out, format: 'es' });
    await bundle.close();
    writeFileSync(join(out, 'index.html'), PAGE('./main.js'));
    return warnings;
  },
  async bare(dir) {
    // No build: the browser bundle straight from node_modules, named by an import map.
    const map = `\n<script type="importmap">{ "imports": { "wann": "../node_modules/wann/dist/wann.browser.js" } }</script>`;
    mkdirSync(join(dir, 'out-bare'), { recursive: true });
    writeFileSync(join(dir, 'out-bare/index.html'), PAGE('../src/main.js', map));
    return [];
  },
};

describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)('the packed package in an app, per bundler, in headless Chromium', () => {
  let dir: string;
  let tarball: string;
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let expected: number[];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI is set but there is no Chromium at ${CHROMIUM_PATH}`);
    tarball = packTarball().tarball;
    dir = installApp(tarball).dir;
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/data.js'), DATA_JS);
    writeFileSync(join(dir, 'src/main.js'), MAIN_JS);
    const { DIM, K, makeData } = await import(join(dir, 'src/data.js')) as { DIM: number; K: number; makeData(): { base: Float32Array; queries: Float32Array } };
    const { base, queries } = makeData();
    expected = trueNeighbours(base, queries, DIM, K);
    server = await startServer(dir);
    browser = await launchChromium();
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const folder of [dir, tarball && dirname(tarball)]) if (folder) rmSync(folder, { recursive: true, force: true });
  });

  /** Opens `url`, waits for the app's window.result and checks it. */
  async function expectTrueNeighbours(url: string): Promise<void> {
    const page = await browser!.newPage();
    const problems: string[] = [];
    watchProblems(page, problems);
    try {
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 30_000 });
      const result = await page.evaluate(() => (window as unknown as { result: PageResult }).result);
      expect(result.error).toBeUndefined();
      expect(problems).toEqual([]);
      expect([result.simd.build, result.scalar.build, result.flat.build]).toEqual(['simd', 'scalar', 'simd']);
      expect(result.flat.ids).toEqual(expected);
      expect(result.simd.ids).toEqual(expected);
      expect(result.scalar.ids).toEqual(expected);
      expect(result.saveError).toBe('UNSUPPORTED'); // save(path) is Node's; the browser build says so
      expect(result.disposed).toBe('this FlatIndex was disposed'); // minified, yet messages name the class
      expect(result.trainAsync).toEqual({ steps: 16, same: true }); // m 4 × (seeding + 3 iterations), in a worker from the bundle's text
    } finally {
      await page.close();
    }
  }

  test.each(Object.keys(BUILDERS))('%s: builds without warnings, and the page finds the true neighbours in both builds', async (name) => {
    expect(await BUILDERS[name]!(dir)).toEqual([]);
    await expectTrueNeighbours(`${server!.url}/out-${name}/index.html`);
  }, TIMEOUT_MS);

  test('vite dev server (dependency pre-bundling on): the page finds the true neighbours', async () => {
    const { createServer } = await import('vite');
    writeFileSync(join(dir, 'index.html'), PAGE('/src/main.js'));
    const vite = await createServer({ root: dir, configFile: false, logLevel: 'silent', server: { host: '127.0.0.1', port: 0, hmr: false } });
    try {
      await vite.listen();
      await expectTrueNeighbours(vite.resolvedUrls!.local[0]!);
    } finally {
      await vite.close();
    }
  }, TIMEOUT_MS);
});
