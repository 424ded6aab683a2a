// Product-quantization benchmark (issue 9): wann's PQ indexes beside FAISS 1.7.3 (Debian
// python3-faiss, driven through bench/peers/faiss_pq.py) with the same m, nbits, nlist,
// nprobe and re-rank depth, trained on the same rows, in one run. Both sides run one
// thread and search every query in one batch; at each sweep point the libraries are
// timed round-robin (wann, FAISS, wann, ...) and each figure is the median of --runs
// rounds. Recall@10 is scored on every query of the set, queries/s on batches of the
// first --queries. Writes pq-<dataset>.json and .md to --out and pq-<dataset>.svg to --charts,
// and prints each of the issue's targets as a ratio measured in this run.
//
//   npm run bench:pq -- [DATASET ...] [--quick] [--groups flat8,flat4,...] [--queries 300 (timed)] [--runs 5]
//                       [--m 16] [--m4 32] [--nlist N] [--nprobe 1,2,4,...] [--rerank 20,50,100,200] [--ef 16,32,...]
//
// DATASET as bench/search.ts (bench/lib/data.ts); default: siftsmall, MNIST-784 10k (when
// ../shared/data has it) and synthetic:100000:128. --quick: siftsmall, fewer queries, rounds,
// iterations and sweep points: a smoke run of every path, not figures to quote. --report:
// rewrite the .md tables and charts from the pq-*.json in --out, measuring nothing.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { recallAtK } from '../src/recall.js';
import { datasetName, loadDataset, mulberry32, type Dataset } from './lib/data.js';
import { buildInfo, formatMachine, machineInfo } from './lib/machine.js';
import { FaissServer, faissUnavailable } from './lib/pq-faiss.js';
import { pqGroups, type GroupDef, type RunnerDef } from './lib/pq-groups.js';
import { pqChartSpec, pqMarkdown, pqTargets, type PqFile, type PqPoint, type PqResult, type SweepPoint } from './lib/pq-report.js';
import { WannRunner } from './lib/pq-wann.js';
import { toSvg } from './lib/charts.js';
import { median } from './lib/stats.js';

const K = 10;
const here = dirname(fileURLToPath(import.meta.url));
const MNIST = join(here, '..', '..', 'shared', 'data', 'mnist-784-10k');
const DEFAULT_DATASETS = [join(here, 'data', 'siftsmall'), ...(existsSync(MNIST) ? [MNIST] : []), 'synthetic:100000:128'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    report: { type: 'boolean', default: false },
    groups: { type: 'string' },
    queries: { type: 'string' },
    runs: { type: 'string' },
    m: { type: 'string', default: '16' },
    m4: { type: 'string' },
    nlist: { type: 'string' },
    nprobe: { type: 'string' },
    rerank: { type: 'string' },
    ef: { type: 'string' },
    iterations: { type: 'string' },
    'train-rows': { type: 'string', default: '65536' },
    M: { type: 'string', default: '16' },
    efConstruction: { type: 'string' },
    out: { type: 'string', default: join(here, 'results') },
    charts: { type: 'string', default: join(here, 'charts') },
  },
});
const quick = values.quick;
const list = (text: string) => text.split(',').map(Number);
const settings = {
  queries: Number(values.queries ?? (quick ? 100 : 300)),
  runs: Number(values.runs ?? (quick ? 3 : 5)),
  minRunMs: quick ? 20 : 100, // shorter timed runs are dominated by timer and scheduler noise
  m: Number(values.m),
  iterations: Number(values.iterations ?? (quick ? 10 : 25)),
  trainRows: Number(values['train-rows']),
  M: Number(values.M),
  efConstruction: Number(values.efConstruction ?? (quick ? 64 : 200)),
  nprobes: list(values.nprobe ?? (quick ? '1,4,16' : '1,2,4,8,16,32,64')),
  reranks: list(values.rerank ?? (quick ? '20,100' : '20,50,100,200')),
  efs: list(values.ef ?? (quick ? '32,128' : '16,32,64,128,256')),
};
const specs = positionals.length > 0 ? positionals : quick ? [DEFAULT_DATASETS[0]] : DEFAULT_DATASETS;
const faissMissing = faissUnavailable();
/** The checkout measured: read once, as the wasm and sources are loaded once (a commit during the run changes neither). */
const build = buildInfo();


/** Every base row when there are at most `count`, else a seeded sample of `count`: the rows both sides train on. */
function trainingRows(data: Dataset, count: number): Float32Array {
  if (data.n <= count) return data.base;
  const order = Uint32Array.from({ length: data.n }, (_, i) => i);
  const random = mulberry32(7);
  for (let i = 0; i < count; i++) { // partial Fisher-Yates: the first `count` entries are the sample
    const j = i + Math.floor(random() * (data.n - i));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const rows = order.subarray(0, count).sort();
  const out = new Float32Array(count * data.dim);
  rows.forEach((row, i) => out.set(data.base.subarray(row * data.dim, (row + 1) * data.dim), i * data.dim));
  return out;
}

/** A runner built and ready to search, or its reason for not running. */
interface Live {
  def: RunnerDef;
  result: PqResult;
  wann?: WannRunner;
}

async function buildRunner(def: RunnerDef, data: Dataset, train: Float32Array, faiss: FaissServer | undefined, group: Live[]): Promise<Live> {
  const result: PqResult = { name: def.name, side: def.side, group: def.group, label: def.label, codeBytesPerVector: def.codeBytesPerVector, points: [] };
  if (def.faiss) {
    if (!faiss) return { def, result: { ...result, skipped: `FAISS not available: ${faissMissing}` } };
    try {
      const built = await faiss.build(def.faiss);
      return { def, result: { ...result, trainSeconds: built.trainSeconds || undefined, addSeconds: built.addSeconds, serializedBytes: built.serializedBytes, codeBytes: built.codeBytes ?? undefined } };
    } catch (error) {
      return { def, result: { ...result, skipped: (error as Error).message } };
    }
  }
  const spec = def.wann!;
  if (spec.twinOf) {
    const of = group.find((l) => l.def.name === spec.twinOf);
    if (!of?.wann) return { def, result: { ...result, skipped: `${spec.twinOf} did not build` } };
    const twin = await of.wann.twin(spec.spec, spec.simd, spec.oneByOne);
    if (typeof twin === 'string') return { def, result: { ...result, skipped: twin } };
    return { def, wann: twin, result: { ...result, memoryBytes: of.result.memoryBytes, serializedBytes: of.result.serializedBytes } };
  }
  const built = await WannRunner.build(spec.spec, { dim: data.dim, base: data.base, train }, spec.simd);
  if (typeof built === 'string') return { def, result: { ...result, skipped: built } };
  return { def, wann: built.runner, result: { ...result, ...built.built } };
}

/** The search options each side takes for one sweep point. */
function wannOptions(def: RunnerDef, point: SweepPoint): Record<string, number> {
  const options: Record<string, number> = { ...def.wann!.extra };
  for (const key of def.wann!.params) if (point[key] !== undefined) options[key] = point[key]!;
  return options;
}
const faissPoint = (point: SweepPoint) => ({ nprobe: point.nprobe, kFactor: point.rerank === undefined ? undefined : point.rerank / K });

/**
 * Builds the group's runners, then at each sweep point scores recall@10 on every query
 * (one batch, also the warm-up) and times batches of the first `timed` queries round-robin.
 */
async function measureGroup(group: GroupDef, data: Dataset, timed: number, train: Float32Array, faiss: FaissServer | undefined): Promise<PqResult[]> {
  const timedQueries = data.queries.subarray(0, timed * data.dim);
  const live: Live[] = [];
  for (const def of group.runners) {
    console.error(`  building ${def.name} (${def.label})`);
    const built = await buildRunner(def, data, train, faiss, live);
    if (built.result.skipped) console.log(`  skipped ${def.name}: ${built.result.skipped}`);
    live.push(built);
  }
  const running = live.filter((l) => !l.result.skipped);
  for (const point of group.points) {
    const inner = new Map<Live, number>();
    for (const l of running) { // one untimed batch: the ids scored, a warm-up and the repetitions a round needs
      let ids: ArrayLike<number>, seconds: number;
      if (l.wann) {
        const start = performance.now();
        ids = l.wann.search(data.queries, K, wannOptions(l.def, point));
        seconds = (performance.now() - start) / 1000;
      } else {
        ({ ids, seconds } = await faiss!.searchIds(l.def.name, faissPoint(point), K));
      }
      l.result.points.push({ ...point, recall: recallAtK(ids, K, data.gt, data.gtK, K), qps: 0 });
      const timedSeconds = (seconds * timed) / data.nq;
      inner.set(l, Math.max(1, Math.ceil(settings.minRunMs / 1000 / Math.max(timedSeconds, 1e-6))));
    }
    const times = new Map<Live, number[]>(running.map((l) => [l, []]));
    for (let round = 0; round < settings.runs; round++) {
      // Each round starts one runner later: whoever runs right after FAISS's process, or first, is not always the same.
      for (let i = 0; i < running.length; i++) {
        const l = running[(round + i) % running.length];
        times.get(l)!.push(l.wann ? l.wann.time(timedQueries, K, wannOptions(l.def, point), inner.get(l)!)
          : await faiss!.time(l.def.name, faissPoint(point), K, timed, inner.get(l)!));
      }
    }
    for (const l of running) l.result.points.at(-1)!.qps = timed / median(times.get(l)!);
    console.log(`  ${group.name} ${JSON.stringify(point)}: ${running.map((l) => `${l.def.name} ${fmtPoint(l.result.points.at(-1)!)}`).join(' | ')}`);
  }
  for (const l of live) l.wann?.dispose();
  return live.map((l) => l.result);
}

const fmtPoint = (p: PqPoint) => `${p.recall.toFixed(3)}@${Math.round(p.qps)}`;

async function benchDataset(spec: string): Promise<void> {
  const data = loadDataset(spec, { onProgress: (m) => console.error(m) });
  const timed = Math.min(data.nq, settings.queries);
  const name = datasetName(spec);
  const train = trainingRows(data, settings.trainRows);
  const params = {
    m: settings.m,
    m4: Number(values.m4 ?? fourBitM(data.dim, settings.m)),
    nlist: Number(values.nlist ?? 2 ** Math.round(Math.log2(Math.sqrt(data.n)))),
    iterations: settings.iterations, trainRows: train.length / data.dim, M: settings.M, efConstruction: settings.efConstruction,
  };
  console.log(`\n## ${name}: ${data.n.toLocaleString('en-US')} × ${data.dim}, recall over ${data.nq} queries, queries/s over the first ${timed}, k=${K}, l2`);
  console.log(`m=${params.m} (8-bit), m=${params.m4} (4-bit), nlist=${params.nlist}, ${params.iterations} k-means iterations on ${params.trainRows} rows, one thread, median of ${settings.runs} round-robin rounds; ${formatMachine()}`);
  if (faissMissing) console.log(`FAISS not run: ${faissMissing}`);
  const faiss = faissMissing ? undefined : await FaissServer.start({ dim: data.dim, base: data.base, queries: data.queries, train, gt: data.gt, gtK: data.gtK });
  if (faiss) console.log(`FAISS ${faiss.info.faiss} (${faiss.info.compile})`);
  const results: PqResult[] = [];
  let faissTrainBench: PqFile['faissTrainBench'];
  try {
    const wanted = values.groups?.split(',');
    for (const group of pqGroups({ ...params, ...settings, dim: data.dim, k: K })) {
      if (wanted && !wanted.includes(group.name)) continue;
      console.error(`${name}: ${group.name}`);
      results.push(...await measureGroup(group, data, timed, train, faiss));
    }
    if (faiss && data.dim % params.m === 0) {
      const { seconds, rows } = await faiss.trainBench(params.m, 8, params.iterations);
      faissTrainBench = { m: params.m, nbits: 8, iterations: params.iterations, rows, seconds };
    }
  } finally {
    await faiss?.close();
  }
  const file: PqFile = {
    dataset: name, n: data.n, dim: data.dim, nq: data.nq, nqTimed: timed, k: K, params, runs: settings.runs, minRunMs: settings.minRunMs, quick,
    machine: machineInfo(), build, faiss: faiss?.info, date: new Date().toISOString(),
    command: `npm run bench:pq${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    results, faissTrainBench, targets: [],
  };
  await writeResults(file);
}

/** pq-<dataset>.json, its .md tables and its chart; the targets are computed from the file. */
async function writeResults(file: PqFile): Promise<void> {
  file.targets = pqTargets(file);
  const markdown = pqMarkdown(file);
  console.log(`\n${markdown}`);
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, `pq-${file.dataset}.json`), JSON.stringify(file, null, 2));
  writeFileSync(join(values.out, `pq-${file.dataset}.md`), `${markdown}\n`);
  mkdirSync(values.charts, { recursive: true });
  writeFileSync(join(values.charts, `pq-${file.dataset}.svg`), await toSvg(pqChartSpec(file)));
}

/**
 * The 4-bit m with the 8-bit index's code size (2m), or when FAISS cannot split dim into
 * 2m sub-vectors (784 = 16·49), the largest even divisor of dim below 2m (28 for MNIST).
 */
function fourBitM(dim: number, m: number): number {
  for (let m4 = 2 * m; m4 >= 2; m4 -= 2) if (dim % m4 === 0) return m4;
  return 2 * m;
}

if (values.report) {
  // Tables and charts again from the JSON of earlier runs (after a change to the report code): nothing is measured.
  const files = readdirSync(values.out).filter((f) => /^pq-.*\.json$/.test(f));
  if (files.length === 0) throw new Error(`${values.out}: no pq-*.json; run npm run bench:pq first`);
  for (const f of files) await writeResults(JSON.parse(readFileSync(join(values.out, f), 'utf8')) as PqFile);
} else {
  for (const spec of specs) await benchDataset(spec);
}
