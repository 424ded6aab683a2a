// An index past 2 GiB of WASM memory: filtered search, get(), hnswlib export and save
// all work (addresses are read unsigned, src/core.ts), and its file loads. Run in a child
// process so the few GiB it maps are returned as soon as it ends.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

test('an HnswIndex of 1.5M × 384 capacity (over 2 GiB) searches, filters, exports and saves; its file loads', () => {
  const child = fileURLToPath(new URL('./helpers/large-child.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', child], {
    cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL',
  });
  expect(run.error).toBeUndefined();
  expect(run.stderr).not.toMatch(/RangeError|RuntimeError/);
  const outcome = JSON.parse(run.stdout);
  expect(outcome.memoryBytes).toBeGreaterThan(2 ** 31);
  expect(outcome).toMatchObject({ found: 7, row: [true, true, true], hnswlib: 51, integrity: null, size: 51, reloaded: [51, 7, null] });
  expect(outcome.reloadedMemoryBytes).toBeLessThan(2 ** 26); // a load reserves what the file holds, not its capacity
  expect(outcome.filtered % 2).toBe(0);
  expect(outcome.filtered).toBe(outcome.filteredExact); // the graph with a filter bitset past 2 GiB, against the scan
}, 150_000);
