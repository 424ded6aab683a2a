// Where wann's search time goes, from measured figures only: the sweep's distances per
// query and µs per query, priced with the kernel benchmark's ns per distance (in cache
// and in random order out of cache) and with the exact scan's own ns per distance (all
// n rows per query, in order), next to hnswlib-node at the same ef. Used by bench/report.ts.
import type { KernelRow } from './kernel-bench.js';
import type { BuildInfo, MachineInfo } from './machine.js';
import type { Point } from './stats.js';
import type { SweepResult } from './tables.js';

/** A search-<dataset>.json file as bench/search.ts writes it. */
export interface SearchFile {
  dataset: string; n: number; dim: number; nq: number; M: number; efConstruction: number;
  machine: MachineInfo; build: BuildInfo; date: string; command: string;
  results: Array<SweepResult & { buildSeconds: number; memoryBytes?: number; rssGrowthBytes: number }>;
}

const pointAt = (points: readonly Point[], ef: number) => points.find((p) => p.ef === ef);

export function profileTable(searches: readonly SearchFile[], kernels: readonly KernelRow[], target: number): string {
  const lines = [
    '| dataset | ef | recall@10 | µs/query | distances/query | hops/query | ns/distance: kernel in cache … exact scan … kernel random order | distances × those ns, share of µs/query | search SIMD ÷ scalar (kernel, in cache) | hnswlib-node at this ef: recall, µs/query |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of searches) {
    const simd = s.results.find((r) => r.name === 'wann simd');
    const p = simd?.points.filter((x) => x.recall >= target).sort((a, b) => a.ef - b.ef)[0];
    if (!simd || !p || p.distances === undefined) continue;
    const us = 1e6 / p.qps;
    const kernel = (pattern: string) => kernels.find((k) => k.dim === s.dim && k.metric === 'l2' && k.pattern === pattern);
    const inCache = kernel('in'), random = kernel('out-random');
    const share = (ns?: number) => (ns === undefined ? '?' : `${Math.round((100 * p.distances! * ns) / 1000 / us)}%`);
    const flat = s.results.find((r) => r.name.includes('exact'))?.points[0];
    const flatNs = flat && 1e9 / (flat.qps * s.n); // one query of exact search = n distances + a top-k heap
    const scalar = pointAt(s.results.find((r) => r.name === 'wann scalar')?.points ?? [], p.ef);
    const hnswlib = pointAt(s.results.find((r) => r.name === 'hnswlib-node')?.points ?? [], p.ef);
    lines.push(`| ${s.dataset} | ${p.ef} | ${p.recall.toFixed(3)} | ${us.toFixed(1)} | ${Math.round(p.distances)} | ${p.hops?.toFixed(1) ?? ''} | ` +
      `${inCache ? inCache.simdNs.toFixed(1) : '?'} … ${flatNs ? flatNs.toFixed(1) : '?'} … ${random ? random.simdNs.toFixed(1) : '?'} | ${share(inCache?.simdNs)} … ${share(flatNs)} … ${share(random?.simdNs)} | ` +
      `${scalar ? `${(p.qps / scalar.qps).toFixed(2)}x` : ''} (${inCache ? `${inCache.simdOverScalar.toFixed(2)}x` : '?'}) | ` +
      `${hnswlib ? `${hnswlib.recall.toFixed(3)}, ${(1e6 / hnswlib.qps).toFixed(1)}` : 'not run'} |`);
  }
  return lines.join('\n');
}
