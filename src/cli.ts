#!/usr/bin/env node
// The `wann` command (package.json "bin"): build an index from a .fvecs/.bvecs file,
// query it, and, from a clone of the repository, run the benchmark lab. Self-contained:
// it uses only the public API (./index.js) and Node's standard library.
//
//   wann build base.fvecs -o index.wann [--metric l2|ip|cosine] [--M 16] [--ef-construction 200] [--flat]
//   wann query index.wann query.fvecs [-k 10] [--ef 64] [--gt gt.ivecs] [--out ids.ivecs]
//   wann bench [kernels|search|report|browser|all] [args passed to the script …]

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FlatIndex, HnswIndex, loadIndex } from './index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)); // the package: dist/ (or src/) sits one level down
const BENCH_SCRIPTS = { kernels: 'bench/kernels.ts', search: 'bench/search.ts', report: 'bench/report.ts', browser: 'bench/browser/build.ts' } as const;
const USAGE = `usage:
  wann build <base.fvecs|.bvecs> -o <index.wann> [--metric l2|ip|cosine] [--M 16] [--ef-construction 200] [--flat]
  wann query <index.wann> <query.fvecs|.bvecs> [-k 10] [--ef 64] [--gt gt.ivecs] [--out ids.ivecs]
  wann bench [kernels|search|report|browser|all] [arguments of that script]   (from a clone of the repository)`;

/** Rows of a texmex file: int32 dim, then dim values (f32 for fvecs, u8 for bvecs, i32 for ivecs). */
function readVecs(path: string): { n: number; dim: number; data: Float32Array | Int32Array } {
  const kind = path.slice(path.lastIndexOf('.') + 1);
  const width = kind === 'bvecs' ? 1 : 4;
  if (kind !== 'fvecs' && kind !== 'bvecs' && kind !== 'ivecs') throw new Error(`${path}: expected .fvecs, .bvecs or .ivecs, got .${kind}`);
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dim = bytes.byteLength >= 4 ? view.getInt32(0, true) : 0;
  const rowBytes = 4 + dim * width;
  if (dim <= 0 || bytes.byteLength % rowBytes !== 0) throw new Error(`${path}: not a whole number of ${kind} rows (dim ${dim}, ${bytes.byteLength} bytes)`);
  const n = bytes.byteLength / rowBytes;
  const data = kind === 'ivecs' ? new Int32Array(n * dim) : new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    if (view.getInt32(i * rowBytes, true) !== dim) throw new Error(`${path}: row ${i} has dim ${view.getInt32(i * rowBytes, true)}, expected ${dim}`);
    for (let j = 0; j < dim; j++) {
      const at = i * rowBytes + 4 + j * width;
      data[i * dim + j] = kind === 'bvecs' ? bytes[at] : kind === 'ivecs' ? view.getInt32(at, true) : view.getFloat32(at, true);
    }
  }
  return { n, dim, data };
}

/** A one-line progress bar on stderr when it is a terminal. */
function bar(title: string): (done: number, total: number) => void {
  if (!process.stderr.isTTY) return () => {};
  return (done, total) => {
    const filled = Math.round((28 * done) / total);
    process.stderr.write(`\r\x1b[2K${title} [${'#'.repeat(filled)}${'.'.repeat(28 - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

async function build(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, metric: { type: 'string', default: 'l2' }, M: { type: 'string', default: '16' }, 'ef-construction': { type: 'string', default: '200' }, flat: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1 || !values.out) throw new Error(`wann build needs one input file and -o <index.wann>\n${USAGE}`);
  const base = readVecs(positionals[0]);
  if (base.data instanceof Int32Array) throw new Error(`${positionals[0]}: an .ivecs file holds ids, not vectors`);
  const metric = values.metric as 'l2' | 'ip' | 'cosine';
  const start = performance.now();
  const index = values.flat
    ? await FlatIndex.create({ dim: base.dim, metric, capacity: base.n })
    : await HnswIndex.create({ dim: base.dim, metric, capacity: base.n, M: Number(values.M), efConstruction: Number(values['ef-construction']) });
  index.addBatch(base.data, undefined, { onProgress: bar(`adding ${base.n} × ${base.dim}`) });
  await index.save(values.out);
  console.log(`${values.out}: ${values.flat ? 'flat' : 'HNSW'} index of ${index.size} × ${index.dim} (${index.metric}, ${index.build} build) in ${((performance.now() - start) / 1000).toFixed(2)} s`);
  index.dispose();
}

async function query(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { k: { type: 'string', short: 'k', default: '10' }, ef: { type: 'string' }, gt: { type: 'string' }, out: { type: 'string' } },
  });
  if (positionals.length !== 2) throw new Error(`wann query needs <index.wann> <queries>\n${USAGE}`);
  const index = await loadIndex(new Uint8Array(readFileSync(positionals[0])));
  const queries = readVecs(positionals[1]);
  if (queries.data instanceof Int32Array) throw new Error(`${positionals[1]}: an .ivecs file holds ids, not vectors`);
  const k = Number(values.k);
  const options = values.ef === undefined ? {} : { ef: Number(values.ef) };
  const ids = new Int32Array(queries.n * k).fill(-1);
  const tick = bar(`querying ${queries.n}`);
  const start = performance.now();
  for (let q = 0; q < queries.n; q++) {
    const found = index.search(queries.data.subarray(q * queries.dim, (q + 1) * queries.dim), k, options);
    ids.set(found.ids, q * k);
    if (q % 256 === 255 || q === queries.n - 1) tick(q + 1, queries.n);
  }
  const seconds = (performance.now() - start) / 1000;
  index.dispose();
  if (values.out) {
    const bytes = new DataView(new ArrayBuffer(queries.n * (k + 1) * 4));
    for (let q = 0; q < queries.n; q++) {
      bytes.setInt32(q * (k + 1) * 4, k, true);
      for (let j = 0; j < k; j++) bytes.setInt32((q * (k + 1) + 1 + j) * 4, ids[q * k + j], true);
    }
    writeFileSync(values.out, new Uint8Array(bytes.buffer));
  } else {
    for (let q = 0; q < queries.n; q++) console.log(Array.from(ids.subarray(q * k, (q + 1) * k)).join('\t'));
  }
  let summary = `${queries.n} queries, k=${k}, ${Math.round(queries.n / seconds).toLocaleString('en-US')} queries/s (single thread)`;
  if (values.gt) {
    const gt = readVecs(values.gt);
    let hits = 0;
    for (let q = 0; q < queries.n; q++) {
      const truth = new Set(gt.data.subarray(q * gt.dim, q * gt.dim + k));
      for (let j = 0; j < k; j++) if (truth.delete(ids[q * k + j])) hits++;
    }
    summary += `, recall@${k} ${(hits / (queries.n * k)).toFixed(4)}`;
  }
  console.error(summary);
}

/** Runs the benchmark scripts of a clone with tsx; each draws its own progress bar on a terminal. */
function bench(argv: string[]): void {
  const [what = 'all', ...rest] = argv;
  if (!existsSync(`${ROOT}/bench/search.ts`) || !existsSync(`${ROOT}/node_modules/tsx`)) {
    throw new Error('the benchmarks are not published with the package (they need the peers as dev dependencies): ' +
      'git clone the repository, npm install, then npx wann bench (see README "Performance")');
  }
  const steps = what === 'all' ? (['kernels', 'search', 'report'] as const) : [what];
  for (const step of steps) {
    const script = BENCH_SCRIPTS[step as keyof typeof BENCH_SCRIPTS];
    if (!script) throw new Error(`wann bench: unknown '${step}' (kernels, search, report, browser or all)`);
    const flags = step === 'search' ? ['--expose-gc'] : []; // gc() before each build makes RSS growth comparable
    const run = spawnSync(process.execPath, [...flags, '--import', 'tsx', script, ...(what === 'all' ? [] : rest)], { cwd: ROOT, stdio: 'inherit' });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'build') await build(args);
  else if (command === 'query') await query(args);
  else if (command === 'bench') bench(args);
  else if (command === '--version' || command === '-v') console.log(JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version);
  else {
    console.log(USAGE);
    if (command !== undefined && command !== '--help' && command !== '-h') process.exitCode = 2;
  }
} catch (error) {
  console.error(`wann: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
