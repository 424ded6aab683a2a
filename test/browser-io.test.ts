// OPFS and IndexedDB (src/browser-io.ts) in headless Chromium, through the real bundle:
// test/browser/persist.html saves indexes (main thread: writable stream and IndexedDB;
// Worker: sync access handle), is loaded again (a new document, as a reload) and must
// answer identically; unknown names are NOT_FOUND; a small quota gives QUOTA_EXCEEDED
// and leaves the saved files whole (the main thread's OPFS stream under Chromium's quota
// override; IndexedDB and the Worker's sync handle simulated, as the override does not
// reach them); the save and open speed of a 100k × 128 index is printed (no timing
// assertion), in Playwright's off-the-record context and in a regular profile on a
// memory file system. Needs `npm run build` and /usr/bin/chromium.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, launchChromiumProfile, watchProblems } from './browser/chromium.js';
import { startServer, type StaticServer } from './browser/serve.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_MS = 120_000;

interface Answers { kind: string; size: number; ids: number[]; distances: number[] }
type Results = Record<string, unknown> & { done: boolean; errors: string[] };

describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)('OPFS and IndexedDB in headless Chromium', () => {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const saved: Record<string, Results> = {};

  async function runPhase(phase: string, on: Page = page): Promise<Results> {
    await on.goto(`${server!.url}/test/browser/persist.html?phase=${phase}`);
    await on.waitForFunction(() => (window as unknown as { persist?: Results }).persist?.done === true, null, { timeout: TIMEOUT_MS - 20_000 });
    const results = await on.evaluate(() => (window as unknown as { persist: Results }).persist);
    expect(results.errors).toEqual([]);
    expect(problems).toEqual([]);
    return results;
  }

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI is set but there is no Chromium at ${CHROMIUM_PATH}`);
    if (!existsSync(`${ROOT}dist/wann.browser.js`)) throw new Error('dist/wann.browser.js is missing: run npm run build first');
    server = await startServer(ROOT);
    browser = await launchChromium();
    context = await browser.newContext(); // one origin storage for every phase, as one user's browser
    page = await context.newPage();
    watchProblems(page, problems);
    saved.save = await runPhase('save');
  }, TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('in the same page load, each store gives back what was saved, in page and worker', () => {
    const built = saved.save!.hnswBuilt as Answers;
    expect(built.size).toBe(3000);
    expect(saved.save!.workerBuilt).toEqual(built); // same seed, same data: the worker built the same index
    for (const answers of Object.values(saved.save!.sameLoad as Record<string, Answers>)) expect(answers).toEqual(built);
  });

  test('after a reload every index reopens and answers identically', async () => {
    const reopened = await runPhase('open');
    const { opfsMain, idbMain, idbFlat, workerFile } = reopened.reopened as Record<string, Answers>;
    expect(opfsMain).toEqual(saved.save!.hnswBuilt);
    expect(idbMain).toEqual(saved.save!.hnswBuilt);
    expect(workerFile).toEqual(saved.save!.workerBuilt);
    expect(idbFlat).toEqual(saved.save!.flatBuilt);
    expect(idbFlat!.kind).toBe('FlatIndex');
    expect(reopened.refusals).toEqual({ opfsMissing: 'NOT_FOUND', idbMissing: 'NOT_FOUND', wrongKind: 'WRONG_KIND', badName: 'INVALID_ARGUMENT' });
  }, TIMEOUT_MS);

  test('a full quota is QUOTA_EXCEEDED for every way of saving, and the files saved before stay whole', async () => {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: server!.url, quotaSize: 4 * 1024 * 1024 });
    try {
      const results = await runPhase('quota');
      // Chromium reports the main thread's stream failing on quota as QuotaExceededError, or now and then as an
      // AbortError (2 of 16 runs here): both are WannErrors, and the saved file stays whole either way.
      const { opfsStream, ...others } = results.quota as Record<string, unknown>;
      expect(['QUOTA_EXCEEDED', 'ABORTED']).toContain(opfsStream);
      expect(others).toEqual({ opfsWorker: 'QUOTA_EXCEEDED', idbEstimate: 'QUOTA_EXCEEDED', idbPut: 'QUOTA_EXCEEDED' });
      const after = results.afterQuota as Record<string, Answers>;
      expect(after.opfsMain).toEqual(saved.save!.hnswBuilt);
      expect(after.idbMain).toEqual(saved.save!.hnswBuilt);
      expect(after.workerFile).toEqual(saved.save!.workerBuilt);
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: server!.url });
    }
  }, TIMEOUT_MS);

  test('save and open speed of a 100k × 128 index (printed; the issue asks >= 200 MB/s save, >= 500 MB/s open in OPFS)', async () => {
    // Playwright's contexts are off the record: Chromium keeps their OPFS in memory behind
    // IPC (about 120 MB/s written, 500 MB/s read by a bare sync handle here). A user's
    // profile keeps real files: one on a memory file system shows what wann's own code
    // costs, where this VM's disk (about 90 MB/s written) would show the disk.
    const lines: string[] = [];
    const profile = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'wann-profile-'));
    const regular = await launchChromiumProfile(profile);
    try {
      const profilePage = await regular.newPage();
      watchProblems(profilePage, problems);
      lines.push(describeSpeed(`regular profile in ${profile}`, await runPhase('speed', profilePage)));
    } finally {
      await regular.close();
      rmSync(profile, { recursive: true, force: true });
    }
    lines.push(describeSpeed('off-the-record context', await runPhase('speed')));
    console.log(lines.join('\n'));
  }, TIMEOUT_MS);
});

/** The speed phase's figures as lines of MB/s; checks that the worker's reopened index is whole. */
function describeSpeed(where: string, results: Results): string {
  const worker = results.speedWorker as { bytes: number; saveMs: number; openMs: number; same: boolean; bareWriteMs: number; bareReadMs: number };
  const main = results.speedMain as Record<string, number>;
  expect(worker.same).toBe(true);
  const rate = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
  return [
    `${where}: index file ${(worker.bytes / 1e6).toFixed(1)} MB (FlatIndex 100k x 128)`,
    `  OPFS, worker (sync access handle): save ${rate(worker.bytes, worker.saveMs)}, open ${rate(worker.bytes, worker.openMs)}`
      + ` (a bare handle, the same bytes from a plain buffer: write ${rate(worker.bytes, worker.bareWriteMs)}, read ${rate(worker.bytes, worker.bareReadMs)})`,
    `  OPFS, main thread (writable stream / File): save ${rate(main.bytes!, main.opfsSaveMs!)}, open ${rate(main.bytes!, main.opfsOpenMs!)}`,
    `  IndexedDB, main thread: save ${rate(main.bytes!, main.idbSaveMs!)}, open ${rate(main.bytes!, main.idbOpenMs!)}`,
  ].join('\n');
}
