// Runs demo.html in headless Chromium, prints its table and saves a screenshot:
//   npx tsx bench/browser/headless.ts [screenshot.png] [?M=16&efConstruction=200&ef=64]
// Chromium from CHROMIUM_PATH, else /usr/bin/chromium. Needs `npm run build` first.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../test/browser/chromium.js';
import { startServer } from '../../test/browser/serve.js';

interface DemoRow {
  index: string;
  build: string;
  skipped?: string;
  buildMs: number;
  recall: number | null;
  qps: number;
  distancesPerQuery: number;
  memoryBytes: number;
}
interface DemoResults {
  done: boolean;
  error: string | null;
  rows: DemoRow[];
  env: Record<string, unknown>;
  params: unknown;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const screenshotPath = process.argv[2] ?? '/tmp/demo.png';
const query = process.argv[3] ?? '';

for (const file of ['dist/wann.browser.js', 'dist/texmex.js', 'dist/recall.js']) {
  if (!existsSync(`${ROOT}${file}`)) throw new Error(`${file} is missing: run npm run build`);
}

const server = await startServer(ROOT);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`page console: ${message.text()}`);
  });
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${server.url}/bench/browser/demo.html${query}`);
  await page.waitForFunction(() => (window as unknown as { demo?: DemoResults }).demo?.done === true, null, { timeout: 600_000 });
  const demo = await page.evaluate(() => {
    const { rows, ...rest } = (window as unknown as { demo: DemoResults }).demo;
    return { ...rest, rows: rows.map(({ ids: _ids, ...row }: DemoRow & { ids?: number[] }) => row) };
  });
  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(demo.env);
  console.log(demo.params);
  console.table(demo.rows.map((row) => row.skipped ? { index: row.index, build: row.build, skipped: row.skipped } : {
    index: row.index,
    build: row.build,
    'build ms': Math.round(row.buildMs),
    'recall@10': row.recall?.toFixed(3) ?? '–',
    'queries/s': Math.round(row.qps),
    'distances/query': Math.round(row.distancesPerQuery),
    'memory MB': +(row.memoryBytes / 2 ** 20).toFixed(1),
  }));
  console.log(await page.innerText('#notes'));
  console.log(`screenshot: ${screenshotPath}`);
  if (demo.error) {
    console.error(`the demo failed: ${demo.error}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  await server.close();
}
