// Running out of wasm32 memory (src/base-index.ts #reserve, assembly/layout.ts relayout):
// a clear OUT_OF_MEMORY error, nothing half-added, and the index keeps working. The
// limit is lowered with V8's --wasm-max-mem-pages in a child process, so the test
// reaches it in milliseconds instead of filling 4 GiB.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const PAGES = 160; // 10 MiB per WASM memory

test.each(['HnswIndex', 'FlatIndex'])('%s: OUT_OF_MEMORY when memory cannot grow, and the index stays usable', (kind) => {
  const child = fileURLToPath(new URL('./helpers/oom-child.ts', import.meta.url));
  const run = spawnSync(process.execPath, [`--wasm-max-mem-pages=${PAGES}`, '--import', 'tsx', child, kind], {
    cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL',
  });
  expect(run.error).toBeUndefined();
  expect(run.stderr).not.toMatch(/RangeError|RuntimeError/);
  const outcome = JSON.parse(run.stdout);
  expect(outcome).toMatchObject({
    code: 'OUT_OF_MEMORY', batchError: 'OUT_OF_MEMORY', found: 3, reused: 123_456_789, integrity: null, grew: false,
    removeError: 'OUT_OF_MEMORY', renumberError: 'OUT_OF_MEMORY', kept: true,
  });
  expect(outcome.message).toMatch(/4 GiB/);
  expect(outcome.added).toBeGreaterThan(1000);
  expect([outcome.sizeAfterError, outcome.sizeAfterBatch, outcome.reloadedSize]).toEqual([outcome.added, outcome.added, outcome.added]);
}, 90_000);
