// The benchmark lab's own machinery: interpolation at a target recall, the kernel
// harness builds, charts, and kernels → search → report end to end at toy sizes
// (writing into a temporary folder, never bench/RESULTS.md). No timing assertions.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { compileKernels } from '../bench/kernels/compile.js';
import { searchSpec, toSvg } from '../bench/lib/charts.js';
import { CODE_KERNELS, runCodeBench } from '../bench/lib/code-bench.js';
import { runKernelBench } from '../bench/lib/kernel-bench.js';
import { qpsAtRecall } from '../bench/lib/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'wann-bench-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (script: string, args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('qpsAtRecall', () => {
  const points = [{ ef: 10, recall: 0.9, qps: 1000 }, { ef: 20, recall: 1.0, qps: 100 }];

  test('interpolates log(qps) linearly in recall between the points around the target', () => {
    expect(qpsAtRecall(points, 0.95)!.qps).toBeCloseTo(Math.sqrt(1000 * 100), 6);
    expect(qpsAtRecall(points, 0.95)!.note).toBe('ef 10..20');
  });

  test('undefined when never reached; the fastest point when reached at the smallest ef', () => {
    expect(qpsAtRecall([points[0]], 0.95)).toBeUndefined();
    expect(qpsAtRecall(points, 0.5)!.qps).toBe(1000);
  });
});

describe('kernel harness', () => {
  test('SIMD, scalar and naive builds all run every case and report positive figures', async () => {
    const bytes = await compileKernels();
    const modules = { simd: await WebAssembly.compile(bytes.simd), scalar: await WebAssembly.compile(bytes.scalar), naive: await WebAssembly.compile(bytes.naive) };
    const { rows, boundary } = await runKernelBench(modules, {
      dims: [16, 100], metrics: ['l2', 'cosine'], patterns: ['in', 'out-random'], timeMs: 5, inCacheBytes: 16384, outOfCacheBytes: 1 << 20,
    });
    expect(rows.map((r) => `${r.dim} ${r.metric} ${r.pattern}`)).toEqual([
      '16 l2 in', '16 cosine in', '16 l2 out-random', '16 cosine out-random',
      '100 l2 in', '100 cosine in', '100 l2 out-random', '100 cosine out-random',
    ]);
    for (const r of rows) expect([r.simdNs, r.scalarNs, r.naiveNs, r.jsNs].every((ns) => ns > 0 && Number.isFinite(ns))).toBe(true);
    expect(boundary.map((b) => b.dim)).toEqual([16, 100]);
  }, 30_000);

  test('every code kernel runs at every pattern with positive figures; SIMD and scalar sums agree bit for bit (runCodeBench throws otherwise)', async () => {
    const bytes = await compileKernels();
    const modules = { simd: await WebAssembly.compile(bytes.simd), scalar: await WebAssembly.compile(bytes.scalar) };
    const rows = await runCodeBench(modules, {
      dims: [16, 100], kernels: CODE_KERNELS.map((k) => k.id), patterns: ['in', 'out-random'], timeMs: 5, inCacheBytes: 16384, outOfCacheBytes: 1 << 20,
    });
    expect(rows).toHaveLength(2 * 2 * CODE_KERNELS.length);
    expect(new Set(rows.map((r) => `${r.format} ${r.kernel}`)).size).toBe(CODE_KERNELS.length);
    for (const r of rows) expect([r.simdNs, r.scalarNs, r.rowBytes, r.simdGBps].every((x) => x > 0 && Number.isFinite(x))).toBe(true);
  }, 30_000);

  test('the SIMD and scalar harnesses compute bit-identical sums (the library kernels are twins)', async () => {
    const bytes = await compileKernels();
    const sums = await Promise.all((['simd', 'scalar'] as const).map(async (build) => {
      const { exports } = await WebAssembly.instantiate(await WebAssembly.compile(bytes[build]), { env: { abort() {} } });
      const x = exports as unknown as { memory: WebAssembly.Memory; scan(...args: number[]): number };
      x.memory.grow(2);
      const f32 = new Float32Array(x.memory.buffer);
      for (let i = 0; i < 64 + 8 * 64; i++) f32[16384 + i] = Math.sin(i * 0.37);
      new Uint32Array(x.memory.buffer).set([3, 0, 7, 5, 1, 2, 6, 4], 24576);
      return [0, 1].map((op) => x.scan(op, 65536, 65536 + 256, 64, 98304, 8, 1));
    }));
    expect(sums[1]).toEqual(sums[0]);
  }, 30_000);
});

test('a search chart renders to SVG with one legend entry per library', async () => {
  const svg = await toSvg(searchSpec([
    { name: 'wann simd', points: [{ ef: 10, recall: 0.9, qps: 5000 }, { ef: 20, recall: 0.97, qps: 3000 }] },
    { name: 'hnswlib-node', points: [{ ef: 10, recall: 0.91, qps: 4000 }] },
  ], 'toy'));
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('wann simd');
  expect(svg).toContain('hnswlib-node');
});

test('kernels, search and report end to end: JSON, Markdown, charts and RESULTS.md', () => {
  run('bench/kernels.ts', ['--dims', '16,128', '--metrics', 'l2', '--patterns', 'in,out-random', '--time', '5', '--out-mib', '2', '--out', tmp]);
  run('bench/search.ts', ['synthetic:600:16:20', '--peers', 'hnsw', '--ef', '10,40', '--runs', '1', '--out', tmp]);
  const search = JSON.parse(readFileSync(join(tmp, 'search-synthetic-600-16-20.json'), 'utf8'));
  expect(search.results.map((r: { name: string }) => r.name)).toEqual(['wann simd', 'wann scalar', 'wann flat (exact)', 'wann f16', 'wann i8', 'wann i8+rerank', 'wann binary+rerank', 'hnsw']);
  expect(search.machine.node).toBe(process.version);
  expect(search.build.commit).toBeTypeOf('string');
  expect(search.results[0].points[0].distances).toBeGreaterThan(0);
  expect(search.results[2].points[0].recall).toBe(1); // exact search against exact ground truth
  run('bench/report.ts', ['--results', tmp, '--out', tmp, '--no-readme']);
  const results = readFileSync(join(tmp, 'RESULTS.md'), 'utf8');
  expect(results).toContain('| synthetic-600-16-20 (600 × 16) |');
  expect(results).toContain('## Where the time goes');
  expect(results).toContain('### Code types');
  expect(results).toContain('| 128 | i8 | l2 | 128 |'); // --dims 16,128 measures the code types there too
  for (const chart of ['kernels-simd-ratio', 'search-synthetic-600-16-20']) expect(existsSync(join(tmp, 'charts', `${chart}.svg`))).toBe(true);
}, 120_000);
