#!/usr/bin/env node
// The `wann` command (package.json "bin"): build an index from a .fvecs/.bvecs file,
// query it, and, from a clone of the repository, run the benchmark lab. Self-contained:
// the public API (./index.js), the helpers it shares with bench/ and test/ (./texmex.js,
// ./recall.js, ./progress.js) and Node's standard library.
//
//   wann build base.fvecs -o index.wann [--metric l2|ip|cosine] [--M 16] [--efConstruction 200] [--flat]
//   wann query index.wann query.fvecs [-k 10] [--ef 64] [--gt gt.ivecs] [--out ids.ivecs]
//   wann bench [kernels|search|report|browser|all] [args passed to the script …]
// Options take the API's names (--efConstruction; --ef-construction is an alias); --help
// prints the usage. Exit status: 0 done, 1 failed, 2 not understood (the usage is printed).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FlatIndex, HnswIndex, loadIndex } from './index.js';
import { progress } from './progress.js';
import { recallAtK } from './recall.js';
import { decodeVecs, encodeVecs, vecsKindOf, type Matrix } from './texmex.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)); // the package: dist/ (or src/) sits one level down
const BENCH_SCRIPTS = { kernels: 'bench/kernels.ts', search: 'bench/search.ts', report: 'bench/report.ts', browser: 'bench/browser/build.ts' } as const;
const USAGE = `usage:
  wann build <base.fvecs|.bvecs> -o <index.wann> [--metric l2|ip|cosine] [--M 16] [--efConstruction 200] [--flat]
  wann query <index.wann> <query.fvecs|.bvecs> [-k 10] [--ef 64] [--gt gt.ivecs] [--out ids.ivecs]
  wann bench [kernels|search|report|browser|all] [arguments of that script]   (from a clone of the repository)
  wann --help | --version`;
/** Taken by every command: prints the usage instead of running. */
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** A mistake in the command line rather than a failure while running: exit status 2, with the usage. */
class UsageError extends Error {}

/** The vectors of an .fvecs / .bvecs file (the one decoder, ./texmex.js); an .ivecs file holds ids. */
function readVectors(path: string): Matrix<Float32Array> {
  const kind = vecsKindOf(path); // before reading, so a wrong extension is named as such
  const rows = decodeVecs(readFileSync(path), kind, path);
  if (rows.data instanceof Int32Array) throw new Error(`${path}: an .ivecs file holds ids, not vectors`);
  if (rows.n === 0) throw new Error(`${path}: the file holds no rows`);
  return rows as Matrix<Float32Array>;
}

async function build(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      ...HELP, out: { type: 'string', short: 'o' }, metric: { type: 'string', default: 'l2' }, M: { type: 'string', default: '16' },
      efConstruction: { type: 'string' }, 'ef-construction': { type: 'string' }, flat: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  if (positionals.length !== 1 || !values.out) throw new UsageError('wann build needs one input file and -o <index.wann>');
  if (values.efConstruction !== undefined && values['ef-construction'] !== undefined) {
    throw new UsageError('--efConstruction and --ef-construction are the same option: give one');
  }
  const efConstruction = Number(values.efConstruction ?? values['ef-construction'] ?? '200');
  const base = readVectors(positionals[0]);
  const metric = values.metric as 'l2' | 'ip' | 'cosine';
  const start = performance.now();
  const index = values.flat
    ? await FlatIndex.create({ dim: base.dim, metric, capacity: base.n })
    : await HnswIndex.create({ dim: base.dim, metric, capacity: base.n, M: Number(values.M), efConstruction });
  const bar = progress(`adding ${base.n} × ${base.dim}`, base.n);
  index.addBatch(base.data, undefined, { onProgress: (done) => bar.tick(done) });
  bar.done();
  await index.save(values.out);
  console.log(`${values.out}: ${values.flat ? 'flat' : 'HNSW'} index of ${index.size} × ${index.dim} (${index.metric}, ${index.build} build) in ${((performance.now() - start) / 1000).toFixed(2)} s`);
  index.dispose();
}

async function query(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { ...HELP, k: { type: 'string', short: 'k', default: '10' }, ef: { type: 'string' }, gt: { type: 'string' }, out: { type: 'string' } },
  });
  if (values.help) return console.log(USAGE);
  if (positionals.length !== 2) throw new UsageError('wann query needs <index.wann> <queries>');
  const index = await loadIndex(new Uint8Array(readFileSync(positionals[0])));
  const queries = readVectors(positionals[1]);
  const k = Number(values.k);
  const gt = values.gt === undefined ? undefined : readGroundTruth(values.gt, queries.n, k); // refused before any query runs
  const options = values.ef === undefined ? {} : { ef: Number(values.ef) };
  const ids = new Int32Array(queries.n * k).fill(-1);
  const bar = progress(`querying ${queries.n}`, queries.n);
  const start = performance.now();
  for (let q = 0; q < queries.n; q++) {
    const found = index.search(queries.data.subarray(q * queries.dim, (q + 1) * queries.dim), k, options);
    ids.set(found.ids, q * k);
    if (q % 256 === 255 || q === queries.n - 1) bar.tick(q + 1);
  }
  const seconds = (performance.now() - start) / 1000;
  bar.done();
  index.dispose();
  if (values.out) {
    writeFileSync(values.out, encodeVecs(ids, k, 'ivecs'));
  } else {
    for (let q = 0; q < queries.n; q++) console.log(Array.from(ids.subarray(q * k, (q + 1) * k)).join('\t'));
  }
  let summary = `${queries.n} queries, k=${k}, ${Math.round(queries.n / seconds).toLocaleString('en-US')} queries/s (single thread)`;
  if (gt) {
    const recall = recallAtK(ids, k, gt.data.subarray(0, queries.n * gt.dim), gt.dim, k); // a longer gt: its first rows
    summary += `, recall@${k} ${recall.toFixed(4)}`;
  }
  console.error(summary);
}

/**
 * The ground truth of `--gt`, refused unless it can score recall@k of every query: an
 * .ivecs file (ids; any other kind would be read as garbage ids) with a row per query
 * (extra rows are ignored: texmex ships 10,000 for subsets of the queries) and at least k ids per row.
 */
function readGroundTruth(path: string, queries: number, k: number): Matrix<Int32Array> {
  if (vecsKindOf(path) !== 'ivecs') throw new Error(`--gt ${path}: the ground truth must be an .ivecs file of ids`);
  const gt = decodeVecs(readFileSync(path), 'ivecs', path) as Matrix<Int32Array>;
  if (gt.n < queries) throw new Error(`--gt ${path}: ${gt.n} rows, expected one per query (${queries})`);
  if (gt.dim < k) throw new Error(`--gt ${path}: ${gt.dim} ids per query, fewer than k = ${k}: recall@${k} needs k of them`);
  return gt;
}

/** Runs the benchmark scripts of a clone with tsx; each draws its own progress bar on a terminal. */
function bench(argv: string[]): void {
  const [what = 'all', ...rest] = argv;
  if (what === '--help' || what === '-h') return console.log(USAGE);
  if (!existsSync(`${ROOT}/bench/search.ts`) || !existsSync(`${ROOT}/node_modules/tsx`)) {
    throw new Error('the benchmarks are not published with the package (they need the peers as dev dependencies): ' +
      'git clone the repository, npm install, then npx wann bench (see README "Performance")');
  }
  const steps = what === 'all' ? (['kernels', 'search', 'report'] as const) : [what];
  for (const step of steps) {
    const script = BENCH_SCRIPTS[step as keyof typeof BENCH_SCRIPTS];
    if (!script) throw new UsageError(`wann bench: unknown '${step}' (kernels, search, report, browser or all)`);
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
  else if (command === '--help' || command === '-h') console.log(USAGE);
  else throw new UsageError(command === undefined ? 'no command given' : `unknown command '${command}'`);
} catch (error) {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_');
  console.error(`wann: ${error instanceof Error ? error.message : String(error)}`);
  if (usage) console.error(USAGE);
  process.exitCode = usage ? 2 : 1;
}
