// Runs bench/browser/peers.html (wann beside hnswlib-wasm in one tab) in headless
// Chromium and prints its tables: build time, recall@10, queries/s as medians of rounds
// with min … max, and per-round ratios with their spread.
// Needs `npm run build`. Usage: npx tsx bench/browser/tab-peers.ts [--rounds 7] [--ef 64] [--n 10000]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium, watchProblems } from '../../test/browser/chromium.js';
import { startServer } from '../../test/browser/serve.js';
import { median } from '../lib/stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, ef: { type: 'string', default: '64' }, n: { type: 'string', default: '10000' } } });
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface PeersResults {
  done: boolean; errors: string[]; n: number; names: string[];
  buildMs: Record<string, number>; recall: Record<string, number>; qps: Record<string, number[]>; ratios: Record<string, number[]>;
}

const server = await startServer(ROOT);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const problems: string[] = [];
  watchProblems(page, problems);
  await page.goto(`${server.url}/bench/browser/peers.html?rounds=${values.rounds}&ef=${values.ef}&n=${values.n}`);
  await page.waitForFunction(() => (window as unknown as { peersResults?: PeersResults }).peersResults?.done === true, null, { timeout: 600_000 });
  const result = await page.evaluate(() => (window as unknown as { peersResults: PeersResults }).peersResults);
  if (result.errors.length > 0 || problems.length > 0) throw new Error([...result.errors, ...problems].join('\n'));
  const spread = (v: number[], digits = 0) => `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)} … ${Math.max(...v).toFixed(digits)})`;
  console.log(`siftsmall ${result.n} × 128 in one headless Chromium tab, M 16, efConstruction 200, ef ${values.ef}, k 10, ${values.rounds} alternating rounds`);
  console.log('| library | build (s) | recall@10 | queries/s: median (min … max) |\n| --- | --- | --- | --- |');
  for (const name of result.names) {
    console.log(`| ${name} | ${(result.buildMs[name]! / 1000).toFixed(1)} | ${result.recall[name]!.toFixed(3)} | ${spread(result.qps[name]!)} |`);
  }
  for (const [name, ratios] of Object.entries(result.ratios)) console.log(`${name}: ${spread(ratios, 2)} (per-round ratios)`);
} finally {
  await browser.close();
  await server.close();
}
