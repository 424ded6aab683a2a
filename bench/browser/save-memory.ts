// Memory a browser save takes: a FlatIndex of 100,000 × 128 built in headless Chromium,
// then saved to OPFS from the page (writable stream) three times while Node samples the
// renderer's JS heap (CDP Runtime.getHeapUsage) and its resident memory (/proc, which
// also sees ArrayBuffers and the browser's own write buffers). Prints the peak growth of
// each over the save, against the file's size. Needs `npm run build` and Chromium.
//   npx tsx bench/browser/save-memory.ts [--isolated]     (--isolated: COOP/COEP, shared memory)
import { readFileSync, readdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH } from '../../test/browser/chromium.js';
import { startServer } from '../../test/browser/serve.js';
const ROOT = new URL('../..', import.meta.url).pathname;
const server = await startServer(ROOT, { crossOriginIsolated: process.argv.includes('--isolated') });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--js-flags=--expose-gc' /* gc() before each round */] });
const page = await browser.newPage();
await page.goto(`${server.url}/test/browser/smoke.html`);
const cdp = await page.context().newCDPSession(page);
const renderers = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => { try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--type=renderer'); } catch { return false; } });
const rss = (pids: string[]) => pids.reduce((s, p) => { try { const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8')); return s + Number(m![1]) * 1024; } catch { return s; } }, 0);
const bytes = await page.evaluate(async () => {
  const bundle: string = '/dist/wann.browser.js'; // served by the test server, not resolved by tsc
  const w = await import(bundle);
  const n = 100_000, dim = 128, v = new Float32Array(n * dim);
  let x = 1; for (let i = 0; i < v.length; i++) { x = (x * 1103515245 + 12345) >>> 0; v[i] = x / 2 ** 32; }
  const idx = await w.FlatIndex.create({ dim, threads: 1 });
  idx.addBatch(v);
  (globalThis as any).idx = idx; (globalThis as any).w = w;
  return idx.serialize().length;
});
for (let round = 0; round < 3; round++) {
  await page.evaluate(() => { (globalThis as any).gc(); });
  const pids = renderers();
  const before = rss(pids);
  const heap0 = (await cdp.send('Runtime.getHeapUsage')).usedSize;
  let peak = before, heapPeak = heap0, sampling = true;
  const sampler = (async () => { while (sampling) { peak = Math.max(peak, rss(pids)); const h = await cdp.send('Runtime.getHeapUsage'); heapPeak = Math.max(heapPeak, h.usedSize); } })();
  const ms = await page.evaluate(async () => { const g = globalThis as any; const t = performance.now(); await g.idx.saveTo(await g.w.opfsSink('m.wann')); return performance.now() - t; });
  sampling = false; await sampler;
  console.log(`round ${round}: file ${(bytes / 1e6).toFixed(1)} MB, save ${ms.toFixed(0)} ms; renderer RSS growth at peak ${((peak - before) / 1e6).toFixed(2)} MB (${(100 * (peak - before) / bytes).toFixed(1)}%); JS heap growth at peak ${((heapPeak - heap0) / 1e6).toFixed(2)} MB (${(100 * (heapPeak - heap0) / bytes).toFixed(1)}%)`);
}
await browser.close(); await server.close();
