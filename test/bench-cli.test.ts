// The `wann` command (src/cli.ts), run from source with tsx: build an index from an
// .fvecs file, query it with ground truth, and the messages for misuse.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { syntheticClustered, writeVecs } from '../bench/lib/data.js';
import { bruteForceTopK } from '../bench/lib/brute.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'wann-cli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

test('wann build, then wann query with --gt, writes ids and reports recall', () => {
  const dim = 16;
  const { base, queries } = syntheticClustered({ n: 1000, queries: 20, dim, seed: 3 });
  writeVecs(join(tmp, 'base.fvecs'), base, dim);
  writeVecs(join(tmp, 'query.fvecs'), queries, dim);
  writeVecs(join(tmp, 'gt.ivecs'), bruteForceTopK(base, queries, dim, 10).ids, 10);

  const built = cli(['build', join(tmp, 'base.fvecs'), '-o', join(tmp, 'index.wann')]);
  expect(built.status, built.stderr).toBe(0);
  expect(built.stdout).toContain('HNSW index of 1000 × 16');

  const queried = cli(['query', join(tmp, 'index.wann'), join(tmp, 'query.fvecs'), '-k', '10', '--ef', '64', '--gt', join(tmp, 'gt.ivecs'), '--out', join(tmp, 'ids.ivecs')]);
  expect(queried.status, queried.stderr).toBe(0);
  expect(Number(/recall@10 ([\d.]+)/.exec(queried.stderr)![1])).toBeGreaterThanOrEqual(0.9);
  expect(readFileSync(join(tmp, 'ids.ivecs')).byteLength).toBe(20 * 11 * 4);
});

test('misuse gets the usage or a clear error, never a stack trace', () => {
  const unknown = cli(['frobnicate']);
  expect(unknown.status).toBe(2);
  expect(unknown.stdout).toContain('wann build');
  const noOut = cli(['build', join(tmp, 'base.fvecs')]);
  expect(noOut.status).toBe(1);
  expect(noOut.stderr).toContain('-o <index.wann>');
  const badBench = cli(['bench', 'nope']);
  expect(badBench.stderr).toContain("unknown 'nope'");
  expect(execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--version'], { cwd: ROOT, encoding: 'utf8' }).trim())
    .toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});
