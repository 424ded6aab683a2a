// Results of bench/pq.ts: the issue's targets as ratios measured in one run (wann ÷ FAISS,
// or wann ÷ wann), the markdown tables, and the chart (memory per vector, recall@10 and
// queries/s, wann and FAISS side by side). No Node imports.
import type { TopLevelSpec } from 'vega-lite';
import type { BuildInfo, MachineInfo } from './machine.js';
import { TWO_STAGE_RERANK } from './pq-groups.js';
import { qpsAtRecall } from './stats.js';

export interface SweepPoint { nprobe?: number; rerank?: number; ef?: number }
export interface PqPoint extends SweepPoint { recall: number; qps: number }

export interface PqResult {
  name: string;
  side: 'wann' | 'faiss';
  group: string;
  label: string;
  codeBytesPerVector?: number;
  trainSeconds?: number;
  addSeconds?: number;
  /** wann's memoryBytes. */
  memoryBytes?: number;
  /** wann: serialize().length; FAISS: faiss.serialize_index(index).size. */
  serializedBytes?: number;
  /** FAISS refine wrappers: the serialized size of the index without its f32 rows. */
  codeBytes?: number;
  points: PqPoint[];
  /** Why this configuration did not run. */
  skipped?: string;
}

export interface PqTarget { target: string; goal: string; value: string; meets?: boolean }

export interface PqFile {
  /** nq: queries recall@10 is scored on; nqTimed: the first queries each timed batch holds. */
  dataset: string; n: number; dim: number; nq: number; nqTimed: number; k: number;
  params: { m: number; m4: number; nlist: number; iterations: number; trainRows: number; M: number; efConstruction: number };
  runs: number; minRunMs: number; quick: boolean;
  machine: MachineInfo; build: BuildInfo; faiss?: { faiss: string; compile: string }; date: string; command: string;
  results: PqResult[];
  /** FAISS's own IndexPQ training on every base row, sampling 256 rows per centroid itself. */
  faissTrainBench?: { m: number; nbits: number; iterations: number; rows: number; seconds: number };
  targets: PqTarget[];
}

const fixed = (x: number | undefined, digits: number) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(digits));
const ratio = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'not measured' : `${x.toFixed(2)}x`);

/** Queries/s at `target` recall on the sweep's Pareto front (several parameters mixed), interpolated in log(qps). */
export function qpsAtRecallFront(points: readonly PqPoint[], target: number): number | undefined {
  const front = [...points].sort((a, b) => b.recall - a.recall || b.qps - a.qps)
    .filter((p, i, all) => all.slice(0, i).every((q) => q.qps < p.qps));
  return qpsAtRecall(front.map((p, i) => ({ ef: i, recall: p.recall, qps: p.qps })), target)?.qps;
}

/** The bytes each side holds per vector: wann's memoryBytes, FAISS's serialized size. */
export function bytesPerVector(r: PqResult, n: number): number | undefined {
  const bytes = r.side === 'wann' ? r.memoryBytes : r.serializedBytes;
  return bytes === undefined ? undefined : bytes / n;
}

/** Every target of issue 9 with this run's ratio; `meets` is left undefined where a side did not run. */
export function pqTargets(file: PqFile): PqTarget[] {
  const get = (name: string) => file.results.find((r) => r.name === name && !r.skipped);
  const one = (name: string) => get(name)?.points[0];
  const out: PqTarget[] = [];
  const add = (target: string, goal: string, value: number | undefined, text: string, meets: (v: number) => boolean, missing = 'not measured') =>
    out.push({ target, goal, value: value === undefined || !Number.isFinite(value) ? missing : text, meets: value === undefined || !Number.isFinite(value) ? undefined : meets(value) });
  const diff = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);

  for (const [w, f] of [['wann pq8', 'faiss IndexPQ 8-bit'], ['wann pq4', 'faiss IndexPQ 4-bit']]) {
    const d = diff(one(w)?.recall, one(f)?.recall);
    add(`recall@10 ${w} − ${f}`, '|Δ| ≤ 0.01', d, `${fixed(one(w)?.recall, 4)} − ${fixed(one(f)?.recall, 4)} = ${fixed(d, 4)}`, (v) => Math.abs(v) <= 0.01);
  }
  const ivfW = get('wann ivfpq'), ivfF = get('faiss IndexIVFPQ');
  const ivfDiffs = ivfW && ivfF ? ivfW.points.flatMap((p) => {
    const q = ivfF.points.find((x) => x.nprobe === p.nprobe);
    return q ? [{ nprobe: p.nprobe, d: p.recall - q.recall }] : [];
  }) : [];
  const worst = ivfDiffs.reduce<{ nprobe?: number; d: number } | undefined>((a, b) => (!a || Math.abs(b.d) > Math.abs(a.d) ? b : a), undefined);
  add('recall@10 wann ivfpq − IndexIVFPQ, largest |Δ| over nprobe', '|Δ| ≤ 0.01', worst?.d, `${fixed(worst?.d, 4)} at nprobe ${worst?.nprobe}`, (v) => Math.abs(v) <= 0.01);

  const f32 = get('wann hnsw f32')?.memoryBytes;
  for (const [w, f] of [['wann pq8', 'faiss IndexPQ 8-bit'], ['wann pq4', 'faiss IndexPQ 4-bit'], ['wann ivfpq', 'faiss IndexIVFPQ']]) {
    const mine = get(w), theirs = get(f)?.serializedBytes;
    const r = mine?.memoryBytes && theirs ? mine.memoryBytes / theirs : undefined;
    add(`memory ${w} memoryBytes ÷ ${f} serialized`, '≤ 1.05x', r, `${ratio(r)} (${mine?.memoryBytes} B ÷ ${theirs} B; serialized ${mine?.serializedBytes} B = ${ratio(mine?.serializedBytes && theirs ? mine.serializedBytes / theirs : undefined)})`, (v) => v <= 1.05);
    const g = mine?.memoryBytes && f32 ? mine.memoryBytes / f32 : undefined;
    add(`memory ${w} ÷ wann hnsw f32 memoryBytes`, '≤ 0.125 (1/8)', g, fixed(g, 4), (v) => v <= 0.125);
  }
  const hnswPq = get('wann hnsw-pq');
  const perItem = hnswPq?.memoryBytes === undefined ? undefined : hnswPq.memoryBytes / file.n;
  add(`memory wann hnsw-pq (codes + links) per item, M=${file.params.M}`, `report (links about 130 B, code ${file.params.m} B)`, perItem, `${fixed(perItem, 1)} B`, () => true);

  const qps = (name: string) => one(name)?.qps;
  const speed = (target: string, goal: string, a: number | undefined, b: number | undefined, min: number, note = '', missing = 'not measured') =>
    add(target, goal, a && b ? a / b : undefined, `${ratio(a && b ? a / b : undefined)} (${Math.round(a ?? 0)} ÷ ${Math.round(b ?? 0)} q/s)${note}`, (v) => v >= min, missing);
  speed('8-bit ADC: wann pq8 ÷ IndexPQ queries/s', '≥ 1.0x', qps('wann pq8'), qps('faiss IndexPQ 8-bit'), 1);
  const codes = `; codes ${file.params.m4 / 2} B vs ${file.params.m} B`;
  speed('4-bit fast scan, batches: wann pq4 ÷ wann pq8 queries/s (8-bit codes scanned for eight queries at once)', '≥ 3x', qps('wann pq4'), qps('wann pq8'), 3, codes);
  speed('4-bit fast scan, search() one query per call: wann pq4 search() ÷ wann pq8 search()', '≥ 3x', qps('wann pq4 search()'), qps('wann pq8 search()'), 3, codes);
  speed('4-bit: wann pq4 ÷ IndexPQFastScan queries/s', 'report', qps('wann pq4'), qps('faiss IndexPQFastScan'), 0);
  speed('SIMD ÷ scalar ADC: wann pq8', '≥ 2x', qps('wann pq8'), qps('wann pq8 scalar'), 2);
  speed('SIMD ÷ scalar: wann pq4', 'report', qps('wann pq4'), qps('wann pq4 scalar'), 0);
  const ivfAt = (name: string) => { const r = get(name); return r && qpsAtRecallFront(r.points, 0.9); };
  const topRecall = (name: string) => fixed(get(name)?.points.reduce((a, q) => Math.max(a, q.recall), 0), 4);
  speed('IVF-PQ + re-rank at recall@10 0.9: wann ÷ IndexIVFPQ + refine', '≥ 1.0x', ivfAt('wann ivfpq+rerank'), ivfAt('faiss IVFPQ+refine'), 1,
    '', `not reached by both: best recall@10 of the sweep wann ${topRecall('wann ivfpq+rerank')}, FAISS ${topRecall('faiss IVFPQ+refine')}`);

  for (const [w, f] of [['wann pq8', 'faiss IndexPQ 8-bit'], ['wann ivfpq', 'faiss IndexIVFPQ']]) {
    const a = get(w)?.trainSeconds, b = get(f)?.trainSeconds;
    add(`training ${w} ÷ ${f} (${file.params.trainRows} rows, ${file.params.iterations} iterations)`, '≤ 1.5x', a && b ? a / b : undefined,
      `${ratio(a && b ? a / b : undefined)} (${fixed(a, 2)} s ÷ ${fixed(b, 2)} s)`, (v) => v <= 1.5);
  }
  const tb = file.faissTrainBench;
  if (tb) out.push({ target: `FAISS's own IndexPQ training on all ${tb.rows} base rows (m ${tb.m}, ${tb.nbits} bits, ${tb.iterations} iterations)`, goal: 'reference', value: `${tb.seconds.toFixed(2)} s` });

  const best = (name: string, pick: (p: PqPoint) => boolean) => get(name)?.points.filter(pick).reduce<number | undefined>((a, p) => Math.max(a ?? 0, p.recall), undefined);
  const atDepth = (p: PqPoint) => p.rerank === TWO_STAGE_RERANK;
  for (const [name, peer] of [['wann pq8+rerank', 'faiss IndexPQ+refine'], ['wann ivfpq+rerank', 'faiss IVFPQ+refine'], ['wann hnsw-pq+rerank', undefined]] as const) {
    const r = best(name, name.includes('hnsw') ? () => true : atDepth);
    const theirs = peer && best(peer, atDepth);
    add(`two-stage recall@10, ${name} ${TWO_STAGE_RERANK} (best of the sweep)`, '≥ 0.95', r,
      `${fixed(r, 4)}${peer ? ` (${peer}, k_factor ${TWO_STAGE_RERANK / file.k}: ${fixed(theirs, 4)})` : ''}`, (v) => v >= 0.95);
  }
  const two = get('wann hnsw-pq+rerank'), flat = get('wann hnsw f32');
  const a = two && qpsAtRecallFront(two.points, 0.95), b = flat && qpsAtRecallFront(flat.points, 0.95);
  add('two-stage curve: hnsw-pq + rerank ÷ hnsw f32 queries/s at recall@10 0.95', 'report', a && b ? a / b : undefined, `${ratio(a && b ? a / b : undefined)} (${Math.round(a ?? 0)} ÷ ${Math.round(b ?? 0)} q/s)`, () => true);
  return out;
}

export function pqMarkdown(file: PqFile): string {
  const p = file.params;
  const lines = [
    `### ${file.dataset}: ${file.n.toLocaleString('en-US')} × ${file.dim}, recall@10 over ${file.nq} queries, queries/s over batches of the first ${file.nqTimed}, k=${file.k}${file.quick ? ' (--quick: a smoke run, not figures to quote)' : ''}`, '',
    `${file.machine.cpu}, ${file.machine.cores} cores, Node ${file.machine.node}, wann ${file.build.commit}; FAISS ${file.faiss ? `${file.faiss.faiss} (${file.faiss.compile})` : 'not run'}. ` +
    `One thread on both sides; every query in one batch; queries/s are medians of ${file.runs} round-robin rounds. m=${p.m} (8-bit), m=${p.m4} (4-bit), nlist=${p.nlist}, ` +
    `${p.iterations} k-means iterations on the same ${p.trainRows} training rows; HNSW M=${p.M}, efConstruction=${p.efConstruction}. \`${file.command}\``, '',
    '| target | goal | this run | meets |', '| --- | --- | --- | --- |',
    ...file.targets.map((t) => `| ${t.target} | ${t.goal} | ${t.value} | ${t.meets === undefined || /^(report|reference)/.test(t.goal) ? '' : t.meets ? 'yes' : 'no'} |`), '',
    '| config | what | code B/vector | train s | add s | bytes/vector | memoryBytes | serialized B |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of file.results) {
    if (r.skipped) { lines.push(`| ${r.name} | ${r.label} | not run: ${r.skipped.replace(/\|/g, '/')} | | | | | |`); continue; }
    lines.push(`| ${r.name} | ${r.label} | ${r.codeBytesPerVector ?? 'f32'} | ${fixed(r.trainSeconds, 2)} | ${fixed(r.addSeconds, 2)} | ${fixed(bytesPerVector(r, file.n), 1)} | ${r.memoryBytes ?? ''} | ${r.serializedBytes ?? ''} |`);
  }
  lines.push('', '| config | nprobe | rerank | ef | recall@10 | queries/s |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of file.results) {
    for (const q of r.points) lines.push(`| ${r.name} | ${q.nprobe ?? ''} | ${q.rerank ?? ''} | ${q.ef ?? ''} | ${q.recall.toFixed(4)} | ${Math.round(q.qps).toLocaleString('en-US')} |`);
  }
  return lines.join('\n');
}

/** Titles of the sweep groups of bench/lib/pq-groups.ts, one small chart each. */
const GROUP_TITLES: Record<string, string> = {
  flat8: 'flat, 8-bit ADC', flat4: 'flat, 4-bit (fast scan)', 'flat+rerank': 'flat + exact re-rank (sweep: rerank)',
  ivf: 'IVF-PQ (sweep: nprobe)', 'ivf+rerank': 'IVF-PQ + re-rank (nprobe × rerank)', hnsw: 'HNSW f32 and over PQ (sweep: ef)',
};

/**
 * One small chart per sweep group, recall@10 against queries/s (log), wann and FAISS in
 * the same panel; below them bytes per vector (log) against the best recall@10 each
 * configuration reached. Circles are wann, squares FAISS; one colour legend for all.
 */
export function pqChartSpec(file: PqFile): TopLevelSpec {
  const ran = file.results.filter((r) => !r.skipped && r.points.length > 0);
  const groups = [...new Set(ran.map((r) => r.group))];
  // A line per configuration, and in the IVF re-rank sweep one per re-rank depth, drawn along nprobe.
  const sweep = ran.flatMap((r) => r.points.map((q, order) => ({
    group: GROUP_TITLES[r.group] ?? r.group, config: r.name, side: r.side, recall: q.recall, qps: q.qps, order,
    series: r.group === 'ivf+rerank' ? `${r.name} rerank ${q.rerank}` : r.name,
  })));
  const memory = ran.flatMap((r) => {
    const bytes = bytesPerVector(r, file.n);
    return bytes === undefined ? [] : [{ config: r.name, side: r.side, bytes, recall: Math.max(...r.points.map((q) => q.recall)) }];
  });
  const color = { field: 'config', type: 'nominal', title: 'configuration', sort: ran.map((r) => r.name), scale: { scheme: 'tableau20' }, legend: { labelLimit: 260 } } as const;
  const shape = { field: 'side', type: 'nominal', title: 'library', scale: { domain: ['wann', 'faiss'], range: ['circle', 'square'] } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${file.dataset}: PQ in wann and FAISS ${file.faiss?.faiss ?? ''}`, subtitle: `m=${file.params.m} (8-bit), m=${file.params.m4} (4-bit), nlist=${file.params.nlist}, one thread; circles wann, squares FAISS` },
    vconcat: [
      {
        data: { values: sweep },
        facet: { field: 'group', type: 'nominal', title: null, sort: groups.map((g) => GROUP_TITLES[g] ?? g) },
        columns: 3,
        spec: {
          width: 260, height: 200,
          layer: [
            { mark: { type: 'line' }, encoding: { order: { field: 'order', type: 'quantitative' }, detail: { field: 'series', type: 'nominal' } } },
            { mark: { type: 'point', filled: true, size: 50 }, encoding: { shape } },
          ],
          encoding: {
            x: { field: 'recall', type: 'quantitative', title: 'recall@10', scale: { zero: false } },
            y: { field: 'qps', type: 'quantitative', title: 'queries/s (log)', scale: { type: 'log' } },
            color,
          },
        },
        resolve: { scale: { x: 'independent', y: 'independent' } },
      },
      {
        title: 'memory per vector vs best recall@10 of the sweep', width: 560, height: 240, data: { values: memory },
        mark: { type: 'point', filled: true, size: 80 },
        encoding: {
          x: { field: 'bytes', type: 'quantitative', title: 'bytes per vector (wann memoryBytes, FAISS serialized; log)', scale: { type: 'log' } },
          y: { field: 'recall', type: 'quantitative', title: 'best recall@10', scale: { zero: false } },
          color, shape,
        },
      },
    ],
  };
}
