// Kernel benchmark: ns per distance for the SIMD build, the scalar build (one running
// sum per SIMD lane), a naive one-sum AssemblyScript loop and a plain JS loop, in
// cache and out of cache. Distances run inside WASM over rows already in memory
// (the library's scan() export), so the timed loop never crosses the JS boundary;
// the boundary's own cost is measured separately.
//
//   npm run bench:kernels -- [--dims 128,784] [--time 400] [--json out.json]

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import asc from 'assemblyscript/asc';
import { Kind, Metric } from '../src/abi.js';
import { compileBuild, instantiate, type WannExports } from '../src/wasm.js';

const here = dirname(fileURLToPath(import.meta.url));
const OPS = [{ name: 'l2', op: 0, flopsPerDim: 3 }, { name: 'ip', op: 1, flopsPerDim: 2 }] as const;
const IN_CACHE_BYTES = 128 * 1024; // well inside a 256 KiB+ L2
const OUT_OF_CACHE_BYTES = 64 * 1024 * 1024; // past any L3 of this class of machine
const TARGET_CALL_MS = 2;

interface Args { dims: number[]; timeMs: number; json?: string }

function parseArgs(argv: string[]): Args {
  const args: Args = { dims: [128], timeMs: 400 };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--dims') args.dims = value.split(',').map(Number);
    else if (argv[i] === '--time') args.timeMs = Number(value);
    else if (argv[i] === '--json') args.json = value;
    else throw new Error(`unknown argument ${argv[i]}; usage: --dims 128,784 --time 400 --json out.json`);
    i++;
  }
  return args;
}

/** One kernel implementation: scan(op, rows, repeat) over rows already in place. */
interface Scanner { name: string; scan(op: number, rows: number, repeat: number): number }

function seededRows(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (s + 0x6d2b79f5) >>> 0; // mulberry32
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

async function wannScanner(build: 'simd' | 'scalar', dim: number, rows: Float32Array, query: Float32Array): Promise<Scanner & { x: WannExports }> {
  const n = rows.length / dim;
  const x = await instantiate(await compileBuild(build));
  if (x.init(Kind.FLAT, Metric.L2, dim, 0, 0, 0, 0, n) < 0) throw new Error('out of memory');
  const f32 = new Float32Array(x.memory.buffer);
  for (let i = 0; i < n; i++) f32.set(rows.subarray(i * dim, (i + 1) * dim), x.vectorPtr(i) >>> 2);
  f32.set(query, x.queryPtr() >>> 2);
  return { name: `wann ${build}`, x, scan: (op, count, repeat) => x.scan(op, count, repeat) };
}

async function naiveScanner(dim: number, rows: Float32Array, query: Float32Array): Promise<Scanner> {
  const out = join(here, 'results', 'naive-kernels.wasm');
  mkdirSync(dirname(out), { recursive: true });
  const { error } = await asc.main([join(here, 'kernels', 'naive.ts'), '-O3', '--runtime', 'stub', '-o', out]);
  if (error) throw error;
  const { readFileSync } = await import('node:fs');
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(out)), { env: { abort() {} } });
  const exports = instance.exports as unknown as { memory: WebAssembly.Memory; scan(op: number, q: number, base: number, dim: number, rows: number, repeat: number): number };
  const mem = exports.memory;
  const pages = Math.ceil((rows.byteLength + query.byteLength) / 65536) + 2; // data stays below the first 64 KiB
  mem.grow(Math.max(0, pages - mem.buffer.byteLength / 65536));
  const qPtr = 65536, basePtr = qPtr + query.byteLength;
  new Float32Array(mem.buffer).set(query, qPtr >>> 2);
  new Float32Array(mem.buffer).set(rows, basePtr >>> 2);
  return { name: 'naive AS (1 sum)', scan: (op, count, repeat) => exports.scan(op, qPtr, basePtr, dim, count, repeat) };
}

function jsScanner(dim: number, rows: Float32Array, query: Float32Array): Scanner {
  const l2 = (off: number) => {
    let sum = 0;
    for (let i = 0; i < dim; i++) {
      const d = query[i] - rows[off + i];
      sum += d * d;
    }
    return sum;
  };
  const dot = (off: number) => {
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += query[i] * rows[off + i];
    return sum;
  };
  return {
    name: 'plain JS',
    scan(op, count, repeat) {
      let total = 0;
      for (let r = 0; r < repeat; r++) for (let i = 0; i < count; i++) total += op === 0 ? l2(i * dim) : dot(i * dim);
      return total;
    },
  };
}

/** Median ns per distance of one scanner, via tinybench. */
async function measure(scanner: Scanner, op: number, rows: number, timeMs: number): Promise<number> {
  const start = performance.now();
  scanner.scan(op, rows, 1);
  const once = Math.max(performance.now() - start, 1e-3);
  const repeat = Math.max(1, Math.round(TARGET_CALL_MS / once));
  const bench = new Bench({ time: timeMs, warmupTime: 50 });
  bench.add(scanner.name, () => { scanner.scan(op, rows, repeat); });
  await bench.run();
  const result = bench.tasks[0].result;
  if (!('latency' in result)) throw new Error(`${scanner.name} did not complete`);
  return (result.latency.p50 * 1e6) / (rows * repeat);
}

/** ns per l2() call made from JS, beyond the distance itself. */
function boundaryCost(x: WannExports, dim: number, inWasmNs: number): number {
  const a = x.vectorPtr(0), b = x.vectorPtr(1), stride = x.stride();
  const calls = 200_000;
  const times: number[] = [];
  for (let run = 0; run < 7; run++) {
    const start = performance.now();
    let sum = 0;
    for (let i = 0; i < calls; i++) sum += x.l2(a, b, stride);
    times.push((performance.now() - start) * 1e6 / calls);
    if (sum < 0) console.log(sum);
  }
  times.sort((p, q) => p - q);
  return times[3] - inWasmNs;
}

const args = parseArgs(process.argv.slice(2));
const rowsOut: Record<string, unknown>[] = [];
console.log(`wann kernel benchmark — Node ${process.version}, ${(await import('node:os')).cpus()[0]?.model ?? 'unknown CPU'}`);
console.log('dim  metric  cache    simd ns  scalar ns  naive ns   JS ns   simd/scalar  simd/naive  simd GFLOP/s');
for (const dim of args.dims) {
  for (const [cache, budget] of [['in', IN_CACHE_BYTES], ['out', OUT_OF_CACHE_BYTES]] as const) {
    const count = Math.max(16, Math.floor(budget / (dim * 4)));
    const rows = seededRows(count * dim, dim);
    const query = seededRows(dim, dim + 1);
    const simd = await wannScanner('simd', dim, rows, query);
    const scanners: Scanner[] = [simd, await wannScanner('scalar', dim, rows, query), await naiveScanner(dim, rows, query), jsScanner(dim, rows, query)];
    for (const { name, op, flopsPerDim } of OPS) {
      const ns: number[] = [];
      for (const scanner of scanners) ns.push(await measure(scanner, op, count, args.timeMs));
      const [s, sc, nv, js] = ns;
      const gflops = (flopsPerDim * dim) / s;
      rowsOut.push({ dim, metric: name, cache, rows: count, simdNs: s, scalarNs: sc, naiveNs: nv, jsNs: js, simdOverScalar: sc / s, simdOverNaive: nv / s, simdGflops: gflops });
      console.log(`${String(dim).padStart(4)}  ${name.padEnd(6)}  ${cache.padEnd(4)} ${s.toFixed(1).padStart(9)} ${sc.toFixed(1).padStart(10)} ${nv.toFixed(1).padStart(9)} ${js.toFixed(1).padStart(7)} ${(sc / s).toFixed(2).padStart(12)}x ${(nv / s).toFixed(2).padStart(10)}x ${gflops.toFixed(2).padStart(12)}`);
    }
    if (cache === 'in') {
      const l2InWasm = rowsOut.find((r) => r.dim === dim && r.metric === 'l2' && r.cache === 'in')!.simdNs as number;
      console.log(`      JS → WASM boundary: ${boundaryCost(simd.x, dim, l2InWasm).toFixed(1)} ns per call on top of the distance (simd, dim ${dim})`);
    }
  }
}
if (args.json) {
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, JSON.stringify({ node: process.version, date: new Date().toISOString(), rows: rowsOut }, null, 2));
}
