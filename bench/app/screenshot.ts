// The README's picture of the search app: serves the repo, opens bench/app/ in headless
// Chromium, waits for the index, draws a 7 on the pad and saves the page to
// bench/app/screenshot.png. Needs `npm run build`. Usage: npx tsx bench/app/screenshot.ts
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../test/browser/chromium.js';
import { startServer } from '../../test/browser/serve.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const server = await startServer(ROOT);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 }, deviceScaleFactor: 1 });
  await page.goto(`${server.url}/bench/app/`);
  await page.waitForFunction(() => (window as unknown as { app?: { ready: boolean } }).app?.ready === true, null, { timeout: 120_000 });
  const box = (await page.locator('#pad').boundingBox())!;
  const stroke = async (points: [number, number][]) => {
    await page.mouse.move(box.x + points[0]![0], box.y + points[0]![1]);
    await page.mouse.down();
    for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 12 });
    await page.mouse.up();
  };
  await stroke([[70, 60], [150, 56], [215, 62], [170, 140], [130, 240]]);
  await page.waitForFunction(() => (window as unknown as { app: { results: unknown } }).app.results !== null);
  await page.waitForTimeout(300);
  const path = fileURLToPath(new URL('./screenshot.png', import.meta.url));
  await page.screenshot({ path, fullPage: true });
  console.log(`wrote ${path}`);
} finally {
  await browser.close();
  await server.close();
}
