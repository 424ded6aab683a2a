// What each storage kind costs and buys, from the search benchmark's results: memory,
// recall at equal ef, queries/s at a target recall (and the re-rank depth it took), each
// beside wann's f32 index of the same run. Used by bench/report.ts for RESULTS.md, the
// README and the memory chart. No Node imports.
import type { TopLevelSpec } from 'vega-lite';
import { qpsAtRecall, type Point } from './stats.js';
import type { SweepResult } from './tables.js';

/** A library's sweep with the memory its index held. */
export interface StorageResult extends SweepResult { memoryBytes?: number; buildSeconds?: number }
/** One dataset of the search benchmark. */
export interface StorageSearch { dataset: string; n: number; dim: number; results: StorageResult[] }

const F32 = 'wann simd';
/** wann's f32 index and its storage variants, in the benchmark's order. */
const isStorage = (r: StorageResult) => r.name === F32 || (r.name.startsWith('wann ') && !['wann scalar', 'wann flat (exact)'].includes(r.name));
const label = (name: string) => (name === F32 ? 'f32' : name.slice('wann '.length));
const fixed = (x: number | undefined, digits: number) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(digits));

/** The sweep point at `ef`, or the nearest ef above it. */
function pointAt(points: readonly Point[], ef: number): Point | undefined {
  return [...points].sort((a, b) => a.ef - b.ef).find((p) => p.ef >= ef);
}

/** The smallest swept ef whose recall reaches `target`: the beam (and, re-ranking the beam, the depth) it takes. */
function efReaching(points: readonly Point[], target: number): number | undefined {
  return [...points].sort((a, b) => a.ef - b.ef).find((p) => p.recall >= target)?.ef;
}

/**
 * One row per dataset and storage: memory (÷ f32), build time (÷ f32), recall@10 at
 * `ef`, queries/s at recall `target` (÷ f32: above 1.00x faster than f32) and the
 * smallest swept ef reaching it.
 */
export function storageTable(searches: readonly StorageSearch[], target: number, ef = 64): string {
  const lines = [
    `| dataset | storage | memory MB | ÷ f32 | build ÷ f32 | recall@10 at ef ${ef} | QPS at recall ${target} | ÷ f32 | ef (= re-rank depth) reaching ${target} |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of searches) {
    const f32 = s.results.find((r) => r.name === F32);
    if (!f32) continue;
    const f32At = qpsAtRecall(f32.points, target);
    for (const r of s.results.filter(isStorage)) {
      const at = qpsAtRecall(r.points, target);
      const memoryRatio = r.memoryBytes && f32.memoryBytes ? r.memoryBytes / f32.memoryBytes : undefined;
      const buildRatio = r.buildSeconds && f32.buildSeconds ? r.buildSeconds / f32.buildSeconds : undefined;
      lines.push(`| ${s.dataset} | ${label(r.name)} | ${fixed(r.memoryBytes && r.memoryBytes / 1e6, 1)} | ${fixed(memoryRatio, 3)} | ${fixed(buildRatio, 2)} | ` +
        `${fixed(pointAt(r.points, ef)?.recall, 4)} | ${at ? Math.round(at.qps).toLocaleString('en-US') : 'not reached'} | ` +
        `${at && f32At ? `${(at.qps / f32At.qps).toFixed(2)}x` : ''} | ${efReaching(r.points, target) ?? 'not reached'} |`);
    }
  }
  return lines.join('\n');
}

/** Memory against queries/s at recall `target`, one point per storage kind: the trade in one picture. */
export function memorySpec(search: StorageSearch, target: number): TopLevelSpec {
  const values = search.results.filter(isStorage).flatMap((r) => {
    const at = qpsAtRecall(r.points, target);
    return at && r.memoryBytes ? [{ storage: label(r.name), memory: r.memoryBytes / 1e6, qps: at.qps }] : [];
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${search.dataset}: memory vs queries/s at recall@10 = ${target}`, subtitle: 'each storage kind of wann, SIMD build, one run' },
    width: 560, height: 300,
    data: { values },
    layer: [
      { mark: { type: 'point', filled: true, size: 90 }, encoding: { color: { field: 'storage', type: 'nominal', title: 'storage' } } },
      { mark: { type: 'text', dx: 8, align: 'left' }, encoding: { text: { field: 'storage' } } },
    ],
    encoding: {
      x: { field: 'memory', type: 'quantitative', title: 'memoryBytes (MB)', scale: { zero: true } },
      y: { field: 'qps', type: 'quantitative', title: `queries/s at recall@10 = ${target}`, scale: { zero: true } },
    },
  };
}
