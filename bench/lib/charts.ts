// Charts as Vega-Lite specs, rendered to SVG by Vega's headless View (no canvas and no
// DOM needed, so the same code runs in Node for bench/report.ts and in the browser
// bench page). Text is measured by Vega's estimate when no canvas exists.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { KernelRow } from './kernel-bench.js';
import type { SweepResult } from './tables.js';

const PATTERN_LABELS: Record<string, string> = { in: 'in cache', 'out-seq': 'out of cache, sequential', 'out-random': 'out of cache, random order' };

/** SIMD ÷ scalar vs dimension: one line per (memory pattern, metric), the metric shown by its dash. */
export function kernelRatioSpec(rows: readonly KernelRow[], title = 'Distance kernels: SIMD ÷ scalar build'): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: 'solid: l2 · dashed: ip · dotted: cosine' }, width: 560, height: 300,
    data: { values: rows.map((r) => ({ dim: r.dim, ratio: r.simdOverScalar, memory: PATTERN_LABELS[r.pattern] ?? r.pattern, metric: r.metric })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'dim', type: 'quantitative', scale: { type: 'log', base: 2 }, axis: { values: [...new Set(rows.map((r) => r.dim))] }, title: 'dimension' },
      y: { field: 'ratio', type: 'quantitative', title: 'SIMD ÷ scalar (ns per distance)', scale: { zero: true } },
      color: { field: 'memory', type: 'nominal', title: 'rows', sort: Object.values(PATTERN_LABELS), legend: { labelLimit: 260 } },
      // Named in the subtitle: Vega draws no visible dash legend symbols without a canvas.
      strokeDash: { field: 'metric', type: 'nominal', legend: null, scale: { domain: ['l2', 'ip', 'cosine'], range: [[1, 0], [6, 3], [2, 2]] } },
      detail: [{ field: 'metric' }, { field: 'memory' }],
    },
  };
}

/** Recall@10 vs queries/s (log scale), one line per library, points in ef order. */
export function searchSpec(results: readonly SweepResult[], title: string): TopLevelSpec {
  const values = results.flatMap((r) => r.points.map((p, order) => ({ library: r.name, recall: p.recall, qps: p.qps, ef: p.ef, order })));
  // Below recall 0.5 nobody picks an index: a curve that starts lower (binary codes at a
  // shallow re-rank) is clipped rather than squeezing every other curve to the right.
  const minRecall = Math.max(0.5, Math.floor(Math.min(...values.map((v) => v.recall)) * 20) / 20);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title, width: 560, height: 340,
    data: { values },
    mark: { type: 'line', point: true, clip: true },
    encoding: {
      x: { field: 'recall', type: 'quantitative', title: 'recall@10', scale: { domain: [minRecall, 1] } },
      y: { field: 'qps', type: 'quantitative', title: 'queries/s (log scale)', scale: { type: 'log' } },
      color: { field: 'library', type: 'nominal', title: 'library', sort: results.map((r) => r.name), legend: { labelLimit: 260 } },
      order: { field: 'order', type: 'quantitative' },
    },
  };
}

/** Renders a Vega-Lite spec to a standalone SVG document. */
export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
