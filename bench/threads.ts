// Threads benchmark: what the worker pool buys, in one run per dataset. (1) searchBatch
// queries/s on 1 and 2 threads over the same graph (the serial build, serialized and
// loaded with threads 1 and 2) at each ef, and whether the answers are identical;
// (2) addBatch build time on 1 and 2 threads and the recall of both graphs; (3) usearch's
// batch search and build on 2 threads beside wann's, queries/s at recall@10 = 0.95;
// (4) knnGraph(10) beside PyNNDescent (n_jobs 2, a child process per n_neighbors: more
// neighbours buy it recall, so each is compared with our smallest ef at equal or better
// recall), recall on a sampled exact kNN; (5) the longest event-loop gap during await addBatchAsync, and during the
// blocking addBatch for contrast. Ratios are measured within the run (round-robin where
// both sides are in process). Writes threads-<dataset>.md and .json to --out.
//
//   npm run bench:threads -- [DATASET ...] [--quick] [--ef 16,32,...] [--knn-ef 12,16,...] [--runs 5]
//                            [--build-runs 3] [--knn-runs 3] [--pynndescent-runs 4] [--pynndescent-neighbors 11,20,30] [--sample 2000]
//                            [--peers usearch,pynndescent | --peers none] [--no-knn] [--out bench/results]
//
// DATASET as bench/search.ts (bench/lib/data.ts); default: siftsmall (../shared/data's
// copy when present, else bench/data's) and synthetic:100000:128. --quick: siftsmall,
// efConstruction 64, fewer efs and rounds: a smoke run of every path, not figures to quote.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { datasetName, loadDataset, type Dataset } from './lib/data.js';
import { buildInfo, formatMachine, machineInfo } from './lib/machine.js';
import { pynndescentUnavailable } from './lib/pynndescent.js';
import { K, measureBuilds, measureKnn, measureSearch, type Settings } from './lib/threads-measure.js';
import { threadsMarkdown, threadsTargets, type ThreadsFile } from './lib/threads-report.js';
import { UsearchBatch } from './lib/usearch-batch.js';

const here = dirname(fileURLToPath(import.meta.url));
const SHARED_SIFT = join(here, '..', '..', 'shared', 'data', 'siftsmall');
const SIFT = existsSync(SHARED_SIFT) ? SHARED_SIFT : join(here, 'data', 'siftsmall');
const PEERS = ['usearch', 'pynndescent'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    ef: { type: 'string' },
    'knn-ef': { type: 'string' },
    runs: { type: 'string' },
    'build-runs': { type: 'string' },
    'knn-runs': { type: 'string' },
    'pynndescent-runs': { type: 'string' },
    'pynndescent-neighbors': { type: 'string' },
    sample: { type: 'string', default: '2000' },
    M: { type: 'string', default: '16' },
    efConstruction: { type: 'string' },
    peers: { type: 'string', default: PEERS.join(',') },
    'no-knn': { type: 'boolean', default: false },
    out: { type: 'string', default: join(here, 'results') },
  },
});
const quick = values.quick;
const list = (text: string) => text.split(',').map(Number);
const settings: Settings = {
  M: Number(values.M),
  efConstruction: Number(values.efConstruction ?? (quick ? 64 : 200)),
  seed: 42,
  efs: list(values.ef ?? (quick ? '16,64,256' : '10,12,16,24,32,48,64,96,128,192,256')),
  knnEfs: list(values['knn-ef'] ?? (quick ? '16,32' : '12,16,24,32,48,64')),
  runs: Number(values.runs ?? (quick ? 3 : 7)),
  buildRuns: Number(values['build-runs'] ?? (quick ? 2 : 3)),
  knnRuns: Number(values['knn-runs'] ?? (quick ? 2 : 3)),
  pynndescentRuns: Number(values['pynndescent-runs'] ?? (quick ? 2 : 4)),
  pynndescentNeighbors: list(values['pynndescent-neighbors'] ?? (quick ? '11' : '11,20,30')),
  minRunMs: quick ? 20 : 100, // shorter timed runs are dominated by timer and scheduler noise
  sample: Number(values.sample),
};
const peers = values.peers === 'none' ? [] : values.peers.split(',');
for (const peer of peers) if (!PEERS.includes(peer)) throw new Error(`--peers: unknown '${peer}'; known: ${PEERS.join(', ')}, or none`);
const specs = positionals.length > 0 ? positionals : quick ? [SIFT] : [SIFT, 'synthetic:100000:128'];
/** The checkout measured: read once, as the wasm and sources are loaded once. */
const build = buildInfo();
const log = (line: string) => console.log(line);

async function benchDataset(spec: string): Promise<void> {
  const started = performance.now(), loadStart = os.loadavg()[0];
  const data: Dataset = loadDataset(spec, { onProgress: (m) => console.error(m) });
  const name = datasetName(spec);
  const notRun: ThreadsFile['notRun'] = [];
  let usearch: UsearchBatch | undefined;
  if (peers.includes('usearch')) {
    try {
      usearch = await UsearchBatch.create({ dim: data.dim, M: settings.M, efConstruction: settings.efConstruction });
    } catch (error) {
      notRun.push({ name: 'usearch', reason: (error as Error).message.split('\n')[0] });
    }
  }
  const pynndescent = !peers.includes('pynndescent') ? false : pynndescentUnavailable() ?? true;
  if (typeof pynndescent === 'string') notRun.push({ name: 'PyNNDescent', reason: pynndescent });
  console.log(`\n## ${name}: ${data.n.toLocaleString('en-US')} × ${data.dim}, ${data.nq} queries, k ${K}, M ${settings.M}, efConstruction ${settings.efConstruction}; ${formatMachine()}`);
  for (const { name: peer, reason } of notRun) console.log(`not run: ${peer}: ${reason}`);

  try {
    console.log('builds, round-robin:');
    const { rows: builds, bytes } = await measureBuilds(data, settings, usearch, log);
    console.log('searchBatch over one graph, round-robin:');
    const { rows: search, identical, one, two } = await measureSearch(data, settings, bytes, usearch, log);
    let knn: ThreadsFile['knn'];
    if (!values['no-knn']) {
      console.log(`knnGraph(${K}):`);
      knn = await measureKnn(data, settings, one, two, pynndescent, log);
    }
    one.dispose();
    two.dispose();
    const file: ThreadsFile = {
      dataset: name, n: data.n, dim: data.dim, nq: data.nq, k: K, M: settings.M, efConstruction: settings.efConstruction, seed: settings.seed,
      efs: settings.efs, runs: settings.runs, buildRuns: settings.buildRuns, minRunMs: settings.minRunMs, quick,
      machine: machineInfo(), build, date: new Date().toISOString(),
      command: `npm run bench:threads${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      load: { start: loadStart, end: os.loadavg()[0] }, usearch: usearch?.version, notRun,
      builds, search, identical, knn, seconds: (performance.now() - started) / 1000, targets: [],
    };
    file.targets = threadsTargets(file);
    const markdown = threadsMarkdown(file);
    console.log(`\n${markdown}`);
    mkdirSync(values.out, { recursive: true });
    writeFileSync(join(values.out, `threads-${name}.md`), `${markdown}\n`);
    writeFileSync(join(values.out, `threads-${name}.json`), JSON.stringify(file, null, 2));
  } finally {
    usearch?.dispose();
  }
}

for (const spec of specs) await benchDataset(spec);
