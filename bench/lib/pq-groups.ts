// What bench/pq.ts measures: groups of wann and FAISS configurations swept over the same
// points (nprobe, re-rank depth, ef), each wann configuration beside the FAISS index with
// the same m, nbits and nlist.
import type { FaissConfig } from './pq-faiss.js';
import type { SweepPoint } from './pq-report.js';
import type { WannSpec } from './pq-wann.js';

export interface RunnerDef {
  name: string;
  side: 'wann' | 'faiss';
  /** The group's key figure for this runner, e.g. 'flat8': target rows look runners up by name. */
  group: string;
  /** What it is, for tables: class and parameters. */
  label: string;
  /** Bytes of one PQ code (m·nbits/8); undefined for f32 rows. */
  codeBytesPerVector?: number;
  wann?: {
    spec: WannSpec;
    simd: boolean;
    /** Load this runner's index into the other build instead of building again (same codes). */
    twinOf?: string;
    /** Time search(), one query per call, instead of one searchBatch() (with twinOf: the same codes). */
    oneByOne?: boolean;
    /** Which sweep point fields become search options. */
    params: (keyof SweepPoint)[];
    /** Search options fixed for this runner (e.g. rerank 100 at every ef). */
    extra?: Record<string, number>;
  };
  faiss?: FaissConfig;
}

export interface GroupDef {
  name: string;
  points: SweepPoint[];
  runners: RunnerDef[];
}

export interface GroupParams {
  dim: number; k: number; m: number; m4: number; nlist: number; iterations: number; trainRows: number;
  M: number; efConstruction: number; nprobes: number[]; reranks: number[]; efs: number[];
}

/** The two-stage search's re-rank depth in the issue ("rerank 100"). */
export const TWO_STAGE_RERANK = 100;

export function pqGroups(p: GroupParams): GroupDef[] {
  const pq = (m: number, bits: number) => ({ storage: 'pq', pq: { m, bits, iterations: p.iterations, sampleRows: p.trainRows } });
  const flat = (m: number, bits: number, keepVectors: boolean): WannSpec => ({ cls: 'FlatIndex', options: { ...pq(m, bits), keepVectors }, train: true });
  const ivf = (keepVectors: boolean): WannSpec => ({ cls: 'IvfIndex', options: { nlist: p.nlist, ...pq(p.m, 8), keepVectors }, train: true });
  const hnsw = (options: Record<string, unknown>, train: boolean): WannSpec => ({ cls: 'HnswIndex', options: { M: p.M, efConstruction: p.efConstruction, seed: 42, ...options }, train });
  const pq8 = `m=${p.m}, nbits=8`, pq4 = `m=${p.m4}, nbits=4`;
  const code8 = p.m, code4 = p.m4 / 2;
  const nprobes = p.nprobes.filter((x) => x <= p.nlist);
  // The three deepest re-ranks: enough to find the fastest way to recall 0.9, and past it where PQ codes order poorly.
  const ivfReranks = p.reranks.filter((r) => r >= p.k).slice(-3);
  const ivfPoints = nprobes.flatMap((nprobe) => ivfReranks.map((rerank) => ({ nprobe, rerank })));
  const reranked = (rerank: number) => rerank >= p.k;
  return [
    {
      name: 'flat8', points: [{}],
      runners: [
        { name: 'wann pq8', side: 'wann', group: 'flat8', label: `FlatIndex pq ${pq8}`, codeBytesPerVector: code8, wann: { spec: flat(p.m, 8, false), simd: true, params: [] } },
        { name: 'wann pq8 scalar', side: 'wann', group: 'flat8', label: `same index, scalar build`, codeBytesPerVector: code8, wann: { spec: flat(p.m, 8, false), simd: false, twinOf: 'wann pq8', params: [] } },
        { name: 'wann pq8 search()', side: 'wann', group: 'flat8', label: 'same index, search() one query per call', codeBytesPerVector: code8, wann: { spec: flat(p.m, 8, false), simd: true, twinOf: 'wann pq8', oneByOne: true, params: [] } },
        { name: 'faiss IndexPQ 8-bit', side: 'faiss', group: 'flat8', label: `IndexPQ ${pq8}`, codeBytesPerVector: code8, faiss: { name: 'faiss IndexPQ 8-bit', kind: 'pq', m: p.m, nbits: 8, iterations: p.iterations } },
      ],
    },
    {
      name: 'flat4', points: [{}],
      runners: [
        { name: 'wann pq4', side: 'wann', group: 'flat4', label: `FlatIndex pq ${pq4}`, codeBytesPerVector: code4, wann: { spec: flat(p.m4, 4, false), simd: true, params: [] } },
        { name: 'wann pq4 scalar', side: 'wann', group: 'flat4', label: 'same index, scalar build', codeBytesPerVector: code4, wann: { spec: flat(p.m4, 4, false), simd: false, twinOf: 'wann pq4', params: [] } },
        { name: 'wann pq4 search()', side: 'wann', group: 'flat4', label: 'same index, search() one query per call', codeBytesPerVector: code4, wann: { spec: flat(p.m4, 4, false), simd: true, twinOf: 'wann pq4', oneByOne: true, params: [] } },
        { name: 'faiss IndexPQ 4-bit', side: 'faiss', group: 'flat4', label: `IndexPQ ${pq4}`, codeBytesPerVector: code4, faiss: { name: 'faiss IndexPQ 4-bit', kind: 'pq', m: p.m4, nbits: 4, iterations: p.iterations } },
        { name: 'faiss IndexPQFastScan', side: 'faiss', group: 'flat4', label: `IndexPQFastScan ${pq4}`, codeBytesPerVector: code4, faiss: { name: 'faiss IndexPQFastScan', kind: 'pqfs', m: p.m4, nbits: 4, iterations: p.iterations } },
      ],
    },
    {
      name: 'flat+rerank', points: p.reranks.filter(reranked).map((rerank) => ({ rerank })),
      runners: [
        { name: 'wann pq8+rerank', side: 'wann', group: 'flat+rerank', label: `FlatIndex pq ${pq8}, keepVectors`, codeBytesPerVector: code8, wann: { spec: flat(p.m, 8, true), simd: true, params: ['rerank'] } },
        { name: 'faiss IndexPQ+refine', side: 'faiss', group: 'flat+rerank', label: `IndexRefineFlat(IndexPQ ${pq8}), k_factor = rerank / k`, codeBytesPerVector: code8, faiss: { name: 'faiss IndexPQ+refine', from: 'faiss IndexPQ 8-bit' } },
        { name: 'wann pq4+rerank', side: 'wann', group: 'flat+rerank', label: `FlatIndex pq ${pq4}, keepVectors`, codeBytesPerVector: code4, wann: { spec: flat(p.m4, 4, true), simd: true, params: ['rerank'] } },
        { name: 'faiss FastScan+refine', side: 'faiss', group: 'flat+rerank', label: `IndexRefineFlat(IndexPQFastScan ${pq4})`, codeBytesPerVector: code4, faiss: { name: 'faiss FastScan+refine', from: 'faiss IndexPQFastScan' } },
      ],
    },
    {
      name: 'ivf', points: nprobes.map((nprobe) => ({ nprobe })),
      runners: [
        { name: 'wann ivfpq', side: 'wann', group: 'ivf', label: `IvfIndex nlist=${p.nlist}, pq ${pq8}`, codeBytesPerVector: code8, wann: { spec: ivf(false), simd: true, params: ['nprobe'] } },
        { name: 'faiss IndexIVFPQ', side: 'faiss', group: 'ivf', label: `IndexIVFPQ(IndexFlatL2) nlist=${p.nlist}, ${pq8}`, codeBytesPerVector: code8, faiss: { name: 'faiss IndexIVFPQ', kind: 'ivfpq', m: p.m, nbits: 8, nlist: p.nlist, iterations: p.iterations } },
      ],
    },
    {
      name: 'ivf+rerank', points: ivfPoints,
      runners: [
        { name: 'wann ivfpq+rerank', side: 'wann', group: 'ivf+rerank', label: `IvfIndex nlist=${p.nlist}, pq ${pq8}, keepVectors`, codeBytesPerVector: code8, wann: { spec: ivf(true), simd: true, params: ['nprobe', 'rerank'] } },
        { name: 'faiss IVFPQ+refine', side: 'faiss', group: 'ivf+rerank', label: `IndexRefineFlat(IndexIVFPQ nlist=${p.nlist}, ${pq8})`, codeBytesPerVector: code8, faiss: { name: 'faiss IVFPQ+refine', from: 'faiss IndexIVFPQ' } },
      ],
    },
    {
      name: 'hnsw', points: p.efs.map((ef) => ({ ef })),
      runners: [
        { name: 'wann hnsw f32', side: 'wann', group: 'hnsw', label: `HnswIndex f32, M=${p.M}, efConstruction=${p.efConstruction}`, wann: { spec: hnsw({}, false), simd: true, params: ['ef'] } },
        { name: 'wann hnsw-pq', side: 'wann', group: 'hnsw', label: `HnswIndex pq ${pq8}, codes and links only`, codeBytesPerVector: code8, wann: { spec: hnsw(pq(p.m, 8), true), simd: true, params: ['ef'] } },
        { name: 'wann hnsw-pq+rerank', side: 'wann', group: 'hnsw', label: `HnswIndex pq ${pq8}, keepVectors, rerank ${TWO_STAGE_RERANK}`, codeBytesPerVector: code8, wann: { spec: hnsw({ ...pq(p.m, 8), keepVectors: true }, true), simd: true, params: ['ef'], extra: { rerank: TWO_STAGE_RERANK } } },
      ],
    },
  ];
}
