// Quick check of every peer adapter: build time, recall@10 and QPS over an ef sweep on one dataset.
//
//   npm run bench:peers-check -- [DATASET] [--peers hnswlib-node,usearch] [--ef 10,20,40,80,160] [--runs 5]
//                                [--metric l2|ip] [--M 16] [--efConstruction 200]
//
// DATASET is a texmex folder or synthetic:N:DIM (see bench/lib/data.ts); default
// ../shared/data/siftsmall, else the in-repo bench/data/siftsmall.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDataset } from './lib/data.js';
import { formatMachine } from './lib/machine.js';
import { recallAtK, timeRuns } from './lib/stats.js';
import { loadPeers, type AnnPeer, type BuildOptions } from './peers/index.js';

const K = 10;
/** Shortest timed run; shorter ones are dominated by timer and scheduler noise. */
const MIN_RUN_MS = 100;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    peers: { type: 'string' },
    ef: { type: 'string', default: '10,20,40,80,160' },
    runs: { type: 'string', default: '5' },
    metric: { type: 'string', default: 'l2' },
    M: { type: 'string', default: '16' },
    efConstruction: { type: 'string', default: '200' },
  },
});
const spec = positionals[0] ?? [join(root, '../shared/data/siftsmall'), join(root, 'bench/data/siftsmall')].find(existsSync);
if (!spec) throw new Error('no dataset given and neither ../shared/data/siftsmall nor bench/data/siftsmall exists');
const efs = values.ef.split(',').map(Number);
const runs = Number(values.runs);
if (values.metric !== 'l2' && values.metric !== 'ip') throw new Error(`--metric must be l2 or ip, got '${values.metric}'`);
const metric = values.metric;
const buildOpts: BuildOptions = { M: Number(values.M), efConstruction: Number(values.efConstruction), metric, seed: 42 };

const data = loadDataset(spec, { metric, onProgress: (m) => console.error(m) });
const { peers, unavailable } = await loadPeers(values.peers?.split(','));

console.log(`peers-check: ${data.name}, ${data.n} x ${data.dim}, ${data.nq} queries, ${data.metric}`);
console.log(`M=${buildOpts.M} efConstruction=${buildOpts.efConstruction} k=${K}, single thread, QPS = median of ${runs} timed runs (each >= ${MIN_RUN_MS} ms) after warmup`);
console.log(`machine: ${formatMachine()}`);
for (const { name, reason } of unavailable) console.log(`unavailable: ${name}: ${reason}`);

/** Runs every query once at this ef and returns the flat nq * K id table (-1 where a peer returned fewer). */
function searchAll(peer: AnnPeer, ef: number): Int32Array {
  const found = new Int32Array(data.nq * K).fill(-1);
  for (let q = 0; q < data.nq; q++) {
    const ids = peer.search(data.queries.subarray(q * data.dim, (q + 1) * data.dim), K, ef);
    for (let j = 0; j < Math.min(K, ids.length); j++) found[q * K + j] = ids[j];
  }
  return found;
}

for (const peer of peers) {
  if (!peer.metrics.includes(data.metric)) {
    console.log(`\n${peer.name} ${peer.version}: skipped, no '${data.metric}' metric`);
    continue;
  }
  try {
    const start = performance.now();
    await peer.build(data.base, data.n, data.dim, buildOpts);
    const buildMs = performance.now() - start;
    const memory = peer.memoryBytes ? `, memory ${(peer.memoryBytes() / 2 ** 20).toFixed(1)} MiB` : '';
    console.log(`\n${peer.name} ${peer.version} (${peer.kind}): build ${(buildMs / 1000).toFixed(2)} s${memory}`);
    console.log('     ef  recall@10        QPS');
    for (const ef of efs) {
      const recall = recallAtK(searchAll(peer, ef), K, data.gt, data.gtK, K); // also the warmup run
      // 100 queries can take under 5 ms: repeat the set so each timed run lasts ~MIN_RUN_MS.
      const onceStart = performance.now();
      searchAll(peer, ef);
      const reps = Math.max(1, Math.ceil(MIN_RUN_MS / (performance.now() - onceStart)));
      const ms = await timeRuns(() => { for (let r = 0; r < reps; r++) searchAll(peer, ef); }, runs, 0);
      const qps = (reps * data.nq) / (ms / 1000);
      console.log(`${String(ef).padStart(7)}  ${recall.toFixed(4).padStart(9)}  ${qps.toFixed(0).padStart(9)}`);
    }
  } catch (err) {
    console.log(`\n${peer.name} ${peer.version}: failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    peer.dispose?.();
  }
}
