// Markdown tables of kernel and search results, shared by the Node bench scripts,
// bench/report.ts and the browser bench page. No Node imports.
import type { CodeRow } from './code-bench.js';
import type { BoundaryRow, KernelRow } from './kernel-bench.js';
import { qpsAtRecall, type Point } from './stats.js';

const PATTERN_NAMES: Record<string, string> = { in: 'in cache', 'out-seq': 'out, sequential', 'out-random': 'out, random order' };

const fixed = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '');

/** One line per (dim, metric, pattern): ns per distance of each build, ratios, GFLOP/s. */
export function kernelTable(rows: readonly KernelRow[]): string {
  const lines = [
    '| dim | metric | rows | SIMD ns | scalar ns | naive ns | JS ns | SIMD ÷ scalar | SIMD ÷ naive | SIMD ÷ JS | SIMD GFLOP/s | scalar GFLOP/s |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(`| ${r.dim} | ${r.metric} | ${PATTERN_NAMES[r.pattern] ?? r.pattern} (${r.rows.toLocaleString('en-US')}) | ${fixed(r.simdNs, 1)} | ${fixed(r.scalarNs, 1)} | ${fixed(r.naiveNs, 1)} | ${fixed(r.jsNs, 1)} | ${fixed(r.simdOverScalar, 2)}x | ${fixed(r.simdOverNaive, 2)}x | ${fixed(r.simdOverJs, 2)}x | ${fixed(r.simdGflops, 1)} | ${fixed(r.scalarGflops, 1)} |`);
  }
  return lines.join('\n');
}

/** SIMD ÷ scalar by dimension, one column per (metric, pattern): the compact view. */
export function ratioTable(rows: readonly KernelRow[]): string {
  const keys = [...new Set(rows.map((r) => `${r.metric}|${r.pattern}`))];
  const dims = [...new Set(rows.map((r) => r.dim))];
  const lines = [
    `| dim | ${keys.map((k) => { const [m, p] = k.split('|'); return `${m} ${PATTERN_NAMES[p] ?? p}`; }).join(' | ')} |`,
    `| ---: | ${keys.map(() => '---:').join(' | ')} |`,
  ];
  for (const dim of dims) {
    const cells = keys.map((k) => rows.find((r) => r.dim === dim && `${r.metric}|${r.pattern}` === k));
    lines.push(`| ${dim} | ${cells.map((r) => (r ? `${fixed(r.simdOverScalar, 2)}x` : '')).join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * One line per (dim, row format, kernel): bytes per row, then SIMD ns, scalar ns and
 * SIMD ÷ scalar for each memory pattern measured.
 */
export function codeTable(rows: readonly CodeRow[]): string {
  const patterns = [...new Set(rows.map((r) => r.pattern))];
  const keys = [...new Set(rows.map((r) => `${r.dim}|${r.format}|${r.kernel}`))];
  const lines = [
    `| dim | code | kernel | bytes/row | ${patterns.map((p) => `${PATTERN_NAMES[p] ?? p}: SIMD ns | scalar ns | SIMD ÷ scalar`).join(' | ')} |`,
    `| ---: | --- | --- | ---: | ${patterns.map(() => '---: | ---: | ---:').join(' | ')} |`,
  ];
  for (const key of keys) {
    const of = rows.filter((r) => `${r.dim}|${r.format}|${r.kernel}` === key);
    const cells = patterns.map((p) => {
      const r = of.find((x) => x.pattern === p);
      return r ? `${fixed(r.simdNs, 1)} | ${fixed(r.scalarNs, 1)} | ${fixed(r.simdOverScalar, 2)}x` : ' | | ';
    });
    lines.push(`| ${of[0].dim} | ${of[0].format} | ${of[0].kernel} | ${of[0].rowBytes} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function boundaryTable(rows: readonly BoundaryRow[]): string {
  const lines = [
    '| dim | l2 called from JS, ns | same l2 repeated in WASM, ns | boundary, ns per call | SIMD scan in WASM, ns per distance | JS call ÷ scan |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) lines.push(`| ${r.dim} | ${fixed(r.callNs, 1)} | ${fixed(r.inWasmNs, 1)} | ${fixed(r.boundaryNs, 1)} | ${fixed(r.scanNs, 1)} | ${fixed(r.callNs / r.scanNs, 2)}x |`);
  return lines.join('\n');
}

/** A library's sweep as the search benchmark stores it. */
export interface SweepResult { name: string; version?: string; kind?: string; points: Point[] }

/** QPS at the target recall per library and wann SIMD's ratio to each. */
export function ratioAtRecallTable(results: readonly SweepResult[], target: number, reference = 'wann simd'): string {
  const ref = results.find((r) => r.name === reference);
  const refAt = ref && qpsAtRecall(ref.points, target);
  const lines = [`| library | QPS at recall@10 = ${target} | ${reference} ÷ this |`, '| --- | ---: | ---: |'];
  for (const r of results) {
    const at = r.name.includes('exact') ? { qps: r.points[0].qps, note: 'exact' } : qpsAtRecall(r.points, target);
    lines.push(`| ${r.name}${r.version && r.version !== 'this checkout' ? ` ${r.version}` : ''}${r.kind ? ` (${r.kind})` : ''} | ${at ? `${Math.round(at.qps).toLocaleString('en-US')} (${at.note})` : 'not reached'} | ${at && refAt ? `${(refAt.qps / at.qps).toFixed(2)}x` : ''} |`);
  }
  return lines.join('\n');
}
