// Debian's Chromium for the browser tests and the headless page runners: where it is,
// the flags this machine needs (its closed network refuses Chromium's background
// connections), and a watcher that records every error a page shows. Used by
// test/browser.test.ts, test/browser-bench.test.ts and the bench/browser runners.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM_PATH);

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync',
];

/** Launches headless Chromium, or throws naming the path and the fix. */
export function launchChromium(): Promise<Browser> {
  if (!HAVE_CHROMIUM) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/**
 * Headless Chromium with a regular profile in `dir`, as a user's browser has (its OPFS
 * and IndexedDB are files there), where launchChromium()'s contexts are off the record.
 */
export function launchChromiumProfile(dir: string): Promise<BrowserContext> {
  if (!HAVE_CHROMIUM) throw new Error(`no Chromium at ${CHROMIUM_PATH}`);
  return chromium.launchPersistentContext(dir, { executablePath: CHROMIUM_PATH, args: ARGS });
}

/**
 * Pushes onto `problems` every console error, uncaught page error, failed request and
 * HTTP status >= 400 of `page`, except for URLs `expected(url)` accepts and blob:
 * requests cancelled by a navigation.
 */
export function watchProblems(page: Page, problems: string[], expected: (url: string) => boolean = () => false): void {
  page.on('console', (message) => {
    if (message.type() !== 'error' || expected(message.location().url)) return;
    problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error.message}`));
  page.on('requestfailed', (request) => {
    // A worker's blob: script still loading when the test navigates away is cancelled
    // with the page (seen under load, once in a full run): nothing the page did wrong.
    const leftBehind = request.url().startsWith('blob:') && request.failure()?.errorText === 'net::ERR_ABORTED';
    if (!leftBehind && !expected(request.url())) problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !expected(response.url())) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
}
