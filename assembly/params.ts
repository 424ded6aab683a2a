// Parameters of the index, derived once from the state record (state.ts) when an
// index is created or loaded, and constant for the life of the instance: the kind,
// metric, dimensions and graph degrees every other module reads. Row formats derive
// their own sizes (storage.ts). Called by resize.ts; read everywhere.

import { Kind, State } from '../src/abi';
import { stateWord } from './state';

export let kind: i32 = Kind.HNSW;
export let metric: i32 = 0;
export let dim: i32 = 0;
/** f32 row length: dim rounded up to a multiple of 4 (one v128); the padding is zero. */
export let stride: i32 = 0;
/** Bytes of one f32 row (stride × 4). */
export let rowBytes: usize = 0;
/** Whether f32 rows are kept beside compressed codes. */
export let keepVectors: bool = false;
export let graph: bool = false;
export let M: i32 = 0;
/** Links per node on level 0 (2M, as hnswlib's maxM0). */
export let M0: i32 = 0;
export let efConstruction: i32 = 0;
/** Bytes of one level-0 record: [count, M0 slots]. */
export let links0Bytes: usize = 0;
/** Words of one upper-level list: [count, M slots]. */
export let upperWords: u32 = 0;
/** Level multiplier mL = 1 / ln M (Malkov & Yashunin). */
export let mL: f64 = 0;

/** Whether init() or a load has set the parameters. */
export function initialized(): bool {
  return stride != 0;
}

/** Reads the parameters from the state record and derives the rest. */
export function deriveParameters(): void {
  kind = stateWord(State.KIND);
  metric = stateWord(State.METRIC);
  dim = stateWord(State.DIM);
  stride = (dim + 3) & ~3;
  rowBytes = <usize>stride << 2;
  keepVectors = stateWord(State.KEEP_VECTORS) != 0;
  graph = kind == Kind.HNSW;
  M = graph ? stateWord(State.M) : 0;
  M0 = 2 * M;
  efConstruction = graph ? max(<i32>stateWord(State.EF_CONSTRUCTION), M) : 0; // as hnswlib: max(efC, M)
  links0Bytes = graph ? <usize>(1 + M0) << 2 : 0;
  upperWords = graph ? <u32>(1 + M) : 0;
  mL = graph ? 1 / Math.log(<f64>M) : 0;
}
