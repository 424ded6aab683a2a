// Search benchmark: recall@10 against exact ground truth vs queries/s over an ef sweep,
// for wann (SIMD, scalar, exact) and every peer that loads, all in one process and one
// run. Libraries are timed round-robin at each ef so machine noise falls on all alike;
// each figure is the median of --runs rounds. Reports build time, memory (memoryBytes
// where the library tells, process RSS growth for all), wann's distance evaluations and
// hops per query, and queries/s at recall@10 = 0.95 as ratios of wann SIMD to each
// peer. Writes search-<dataset>.json (machine, build, parameters) and .md to --out;
// bench/report.ts turns them into bench/RESULTS.md and charts.
//
//   npm run bench:search -- [DATASET ...] [--data DATASET ...] [--peers hnswlib-node,usearch] [--ef 10,20,40]
//                           [--runs 5] [--queries 300] [--metric l2|ip] [--M 16] [--efConstruction 200]
//                           [--wann simd,scalar,flat] [--storage f16,i8,i8+rerank,binary+rerank | --storage none]
//
// DATASET: a folder of base/query .fvecs|.bvecs|.npy (+ gt.ivecs) or synthetic:N:DIM[:QUERIES[:SEED]] or hard:N:DIM[:QUERIES[:SEED]] (bench/lib/data.ts);
// default: the standard set, DEFAULT_DATASETS below.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { progress, type Progress } from '../src/progress.js';
import { recallAtK } from '../src/recall.js';
import { datasetName, loadDataset, type Dataset } from './lib/data.js';
import { buildInfo, formatMachine, machineInfo } from './lib/machine.js';
import { median, qpsAtRecall, type Point } from './lib/stats.js';
import { loadPeers, type AnnPeer, type BuildOptions } from './peers/index.js';
import { createWannPeer, STORAGE_VARIANTS, WANN_VARIANTS, type WannVariant } from './peers/wann.js';

const K = 10;
const TARGET_RECALL = 0.95;
const MIN_RUN_MS = 100; // shorter timed runs are dominated by timer and scheduler noise
const JS_PEER_MAX_WORK = 2_000_000; // n·dim; the pure-JS peer needs minutes beyond siftsmall; name it in --peers to force
const here = dirname(fileURLToPath(import.meta.url));
const MNIST = join(here, '..', '..', 'shared', 'data', 'mnist-784-10k');
/** The issue's standard set: real SIFT, synthetic 128-d at 100k, synthetic 768-d (text-embedding width), MNIST when present. */
const DEFAULT_DATASETS = [
  join(here, 'data', 'siftsmall'), 'synthetic:100000:128', 'synthetic:20000:768',
  ...(existsSync(MNIST) ? [MNIST] : []),
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string', multiple: true },
    peers: { type: 'string' },
    ef: { type: 'string', default: '10,15,20,30,40,60,80,120,160,320,800' },
    runs: { type: 'string', default: '5' },
    queries: { type: 'string', default: '300' },
    metric: { type: 'string', default: 'l2' },
    M: { type: 'string', default: '16' },
    efConstruction: { type: 'string', default: '200' },
    wann: { type: 'string', default: 'simd,scalar,flat' },
    storage: { type: 'string', default: STORAGE_VARIANTS.join(',') },
    out: { type: 'string', default: join(here, 'results') },
  },
});
if (values.metric !== 'l2' && values.metric !== 'ip') throw new Error(`--metric must be l2 or ip, got '${values.metric}'`);
const metric = values.metric;
const efs = values.ef.split(',').map(Number);
const runs = Number(values.runs);
const buildOpts: BuildOptions = { M: Number(values.M), efConstruction: Number(values.efConstruction), metric, seed: 42 };
const given = [...(values.data ?? []), ...positionals];
const specs = given.length > 0 ? given : DEFAULT_DATASETS;
const requested = values.peers?.split(',');
const storageVariants = values.storage === 'none' ? [] : values.storage.split(',') as WannVariant[];
const baseVariants = values.wann.split(',') as WannVariant[];
for (const [flag, variants] of [['--storage', storageVariants], ['--wann', baseVariants]] as const) {
  for (const variant of variants) {
    if (!(variant in WANN_VARIANTS)) throw new Error(`${flag}: unknown '${variant}'; known: ${Object.keys(WANN_VARIANTS).join(', ')}${flag === '--storage' ? ', or none' : ''}`);
  }
}

interface LibraryResult {
  name: string; version: string; kind: string;
  buildSeconds: number; memoryBytes?: number; indexBytes?: number; rssGrowthBytes: number;
  points: Point[];
}

/** Every query once at this ef; the flat nq·K id table (-1 where fewer came back). */
function searchAll(peer: AnnPeer, data: Dataset, ef: number): Int32Array {
  const found = new Int32Array(data.nq * K).fill(-1);
  for (let q = 0; q < data.nq; q++) {
    const ids = peer.search(data.queries.subarray(q * data.dim, (q + 1) * data.dim), K, ef);
    for (let j = 0; j < Math.min(K, ids.length); j++) found[q * K + j] = ids[j];
  }
  return found;
}

async function benchDataset(spec: string): Promise<void> {
  const data = firstQueries(loadDataset(spec, { metric, onProgress: (m) => console.error(m) }), Number(values.queries));
  const { peers, unavailable } = await loadPeers(requested);
  const wann = [...baseVariants, ...storageVariants].map(createWannPeer);
  const libraries = [...wann, ...peers]
    .filter((peer) => {
      const skip = !peer.metrics.includes(metric) ? `no '${metric}' metric`
        : peer.kind === 'js' && data.n * data.dim > JS_PEER_MAX_WORK && !requested?.includes(peer.name) ? `too slow above ${JS_PEER_MAX_WORK.toLocaleString()} n·dim (name it in --peers to run it)` : '';
      if (skip) unavailable.push({ name: peer.name, reason: skip });
      return !skip;
    });
  const name = datasetName(spec);
  console.log(`\n## ${name}: ${data.n.toLocaleString()} × ${data.dim}, ${data.nq} queries, ${metric}`);
  console.log(`M=${buildOpts.M}, efConstruction=${buildOpts.efConstruction}, k=${K}, single thread, median of ${runs} round-robin rounds; ${formatMachine()}`);
  for (const { name: peer, reason } of unavailable) console.log(`not run: ${peer}: ${reason}`);

  const results = new Map<AnnPeer, LibraryResult>();
  const bar = progress(name, libraries.length + efs.length);
  for (const lib of libraries) {
    bar.tick(results.size, `building ${lib.name}`);
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const start = performance.now();
    await lib.build(data.base, data.n, data.dim, buildOpts);
    const buildSeconds = (performance.now() - start) / 1000;
    results.set(lib, {
      name: lib.name, version: lib.version, kind: lib.kind, buildSeconds,
      memoryBytes: lib.memoryBytes?.(), indexBytes: lib.indexBytes?.(),
      rssGrowthBytes: process.memoryUsage().rss - rssBefore, points: [],
    });
    log(bar, `built ${lib.name} in ${buildSeconds.toFixed(2)} s`);
  }

  for (const [step, ef] of efs.entries()) {
    bar.tick(libraries.length + step, `ef ${ef}`);
    const active = libraries.filter((lib) => !lib.name.includes('exact') || ef === efs[0]);
    const reps = new Map<AnnPeer, number>();
    for (const lib of active) {
      lib.takeCounters?.();
      const recall = recallAtK(searchAll(lib, data, ef), K, data.gt, data.gtK, K); // doubles as warm-up
      const counters = lib.takeCounters?.();
      results.get(lib)!.points.push({ ef, recall, qps: 0, distances: counters && counters.distances / data.nq, hops: counters && counters.hops / data.nq });
      const start = performance.now();
      searchAll(lib, data, ef);
      reps.set(lib, Math.max(1, Math.ceil(MIN_RUN_MS / (performance.now() - start))));
    }
    const times = new Map<AnnPeer, number[]>(active.map((lib) => [lib, []]));
    for (let round = 0; round < runs; round++) {
      for (const lib of active) {
        const start = performance.now();
        for (let r = 0; r < reps.get(lib)!; r++) searchAll(lib, data, ef);
        times.get(lib)!.push((performance.now() - start) / reps.get(lib)!);
      }
    }
    for (const lib of active) {
      const point = results.get(lib)!.points.at(-1)!;
      point.qps = (data.nq * 1000) / median(times.get(lib)!);
    }
    log(bar, `ef ${ef}: ${active.map((lib) => `${lib.name} ${results.get(lib)!.points.at(-1)!.recall.toFixed(3)}@${Math.round(results.get(lib)!.points.at(-1)!.qps)}`).join(' | ')}`);
  }
  bar.done();
  for (const lib of libraries) lib.dispose?.();
  report(name, data, [...results.values()]);
}

/**
 * The first `count` queries and their ground truth: 300 measure recall to ±0.01 and keep a
 * full sweep of every library within minutes; the cached ground truth keeps all of them.
 */
function firstQueries(data: Dataset, count: number): Dataset {
  if (!(count > 0) || count >= data.nq) return data;
  return { ...data, nq: count, queries: data.queries.subarray(0, count * data.dim), gt: data.gt.subarray(0, count * data.gtK) };
}

/** A result line above the progress bar. */
function log(bar: Progress, line: string): void {
  bar.done();
  console.log(line);
}

function report(name: string, data: Dataset, results: LibraryResult[]): void {
  const lines: string[] = [];
  const simd = results.find((r) => r.name === 'wann simd')!;
  const simdAt = qpsAtRecall(simd.points, TARGET_RECALL);
  const hnswlibBytes = results.find((r) => r.indexBytes !== undefined)?.indexBytes;
  lines.push(`### ${name}: ${data.n.toLocaleString()} × ${data.dim}, ${data.nq} queries, ${metric}`, '');
  lines.push(`${formatMachine()}. M=${buildOpts.M}, efConstruction=${buildOpts.efConstruction}, k=${K}, single thread (builds too; wann graphs are optimize()d after the build, which the build time includes); queries/s are medians of ${runs} round-robin rounds.`, '');
  lines.push('| library | build s | memory MB | RSS growth MB | QPS at recall@10 = 0.95 | wann SIMD ÷ this |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const at = r.name.includes('exact') ? { qps: r.points[0].qps, note: 'exact' } : qpsAtRecall(r.points, TARGET_RECALL);
    const memory = r.memoryBytes ?? r.indexBytes;
    const memoryNote = r.memoryBytes === undefined && r.indexBytes !== undefined ? ' (saved index)' : '';
    lines.push(`| ${r.name} ${r.version === 'this checkout' ? '' : r.version} (${r.kind}) | ${r.buildSeconds.toFixed(2)} | ${memory === undefined ? '' : (memory / 1e6).toFixed(1)}${memoryNote} | ${(r.rssGrowthBytes / 1e6).toFixed(1)} | ${at ? `${Math.round(at.qps).toLocaleString()} (${at.note})` : 'not reached'} | ${at && simdAt ? `${(simdAt.qps / at.qps).toFixed(2)}x` : ''} |`);
  }
  if (hnswlibBytes && simd.memoryBytes) lines.push('', `wann memoryBytes ÷ hnswlib's saved index (vectors + links + labels): ${(simd.memoryBytes / hnswlibBytes).toFixed(3)}`);
  lines.push('', '| library | ef | recall@10 | queries/s | distances/query | hops/query |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    for (const p of r.points) {
      lines.push(`| ${r.name} | ${r.name.includes('exact') ? '' : p.ef} | ${p.recall.toFixed(4)} | ${Math.round(p.qps).toLocaleString()} | ${p.distances === undefined ? '' : p.distances.toFixed(0)} | ${p.hops === undefined ? '' : p.hops.toFixed(1)} |`);
    }
  }
  const markdown = lines.join('\n');
  console.log(`\n${markdown}`);
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, `search-${name}.md`), `${markdown}\n`);
  writeFileSync(join(values.out, `search-${name}.json`), JSON.stringify({
    dataset: name, n: data.n, dim: data.dim, nq: data.nq, k: K, ...buildOpts, runs, efs, minRunMs: MIN_RUN_MS, targetRecall: TARGET_RECALL,
    machine: machineInfo(), build: buildInfo(), date: new Date().toISOString(), command: `npm run bench:search${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`, results,
  }, null, 2));
}

for (const spec of specs) await benchDataset(spec);
