// The `wann` command (src/cli.ts), run from source with tsx: build an index from an
// .fvecs file, query it with ground truth, the ground truth it refuses, --help, option
// names, and the messages and exit statuses for misuse.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { syntheticClustered, writeVecs } from '../bench/lib/data.js';
import { bruteForceTopK } from '../bench/lib/brute.js';
import { HnswIndex } from '../src/index.ts';

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

test('wann query --gt refuses ground truth that cannot score every query at k, before running a query', async () => {
  const dim = 8;
  const { base, queries } = syntheticClustered({ n: 300, queries: 12, dim, seed: 5 });
  const index = await HnswIndex.create({ dim });
  index.addBatch(base);
  await index.save(join(tmp, 'gt-test.wann'));
  index.dispose();
  writeVecs(join(tmp, 'gt-test.fvecs'), queries, dim);
  const truth = bruteForceTopK(base, queries, dim, 10).ids;
  writeVecs(join(tmp, 'gt10.ivecs'), truth, 10);
  writeVecs(join(tmp, 'gt-short.ivecs'), truth.subarray(0, 5 * 10), 10); // 5 rows for 12 queries
  copyFileSync(join(tmp, 'gt10.ivecs'), join(tmp, 'gt10.bvecs')); // valid ivecs bytes, but not named .ivecs
  const query = (gt: string, k: string) => {
    rmSync(join(tmp, 'gt-ids.ivecs'), { force: true });
    return cli(['query', join(tmp, 'gt-test.wann'), join(tmp, 'gt-test.fvecs'), '-k', k, '--gt', join(tmp, gt), '--out', join(tmp, 'gt-ids.ivecs')]);
  };
  const refusals: Array<[string, string, RegExp]> = [
    ['gt10.ivecs', '11', /gt10\.ivecs: 10 ids per query, fewer than k = 11/],
    ['gt-short.ivecs', '10', /gt-short\.ivecs: 5 rows, expected one per query \(12\)/],
    ['gt10.bvecs', '10', /gt10\.bvecs: the ground truth must be an \.ivecs file/],
  ];
  for (const [gt, k, message] of refusals) {
    const run = query(gt, k);
    expect(run.status, `${gt} -k ${k}: ${run.stderr}`).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(existsSync(join(tmp, 'gt-ids.ivecs'))).toBe(false); // refused before querying, so nothing was written
  }
  const fits = query('gt10.ivecs', '10'); // k equal to the columns is fine
  expect(fits.status, fits.stderr).toBe(0);
  expect(fits.stderr).toMatch(/recall@10 /);
});

test('--help prints the usage for every command; build takes the API\'s --efConstruction and the --ef-construction alias', async () => {
  for (const args of [['--help'], ['-h'], ['build', '--help'], ['query', '--help'], ['bench', '--help'], ['build', '-h']]) {
    const run = cli(args);
    expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('wann build');
    expect(run.stdout).toContain('--efConstruction');
  }
  const base = join(tmp, 'small.fvecs');
  writeVecs(base, syntheticClustered({ n: 200, queries: 1, dim: 4, seed: 1 }).base, 4);
  for (const [flag, value] of [['--efConstruction', 48], ['--ef-construction', 56]] as const) {
    const out = join(tmp, `ef-${value}.wann`);
    const run = cli(['build', base, '-o', out, flag, String(value)]);
    expect(run.status, run.stderr).toBe(0);
    const opened = await HnswIndex.open(out);
    expect(opened.efConstruction).toBe(value);
    opened.dispose();
  }
  const both = cli(['build', base, '-o', join(tmp, 'both.wann'), '--efConstruction', '48', '--ef-construction', '56']);
  expect(both.status).toBe(2);
  expect(both.stderr).toContain('give one');
});

test('misuse gets the usage or a clear error, never a stack trace; exit 2 when the command line is not understood', () => {
  for (const args of [[], ['frobnicate'], ['build', '--frobnicate']]) {
    const run = cli(args);
    expect(run.status, args.join(' ')).toBe(2);
    expect(run.stderr).toContain('usage:');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }
  expect(cli([]).stderr).toContain('no command given');
  const noOut = cli(['build', join(tmp, 'base.fvecs')]);
  expect(noOut.status).toBe(2);
  expect(noOut.stderr).toContain('-o <index.wann>');
  const badBench = cli(['bench', 'nope']);
  expect(badBench.stderr).toContain("unknown 'nope'");
  expect(execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--version'], { cwd: ROOT, encoding: 'utf8' }).trim())
    .toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
});
