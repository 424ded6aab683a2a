// usearch driven in batches with its own threads, for bench/threads.ts: add(keys, rows,
// threads) and search(queries, k, threads), both native and blocking the calling thread,
// as wann's searchBatch / addBatch on its workers. As in bench/peers/usearch.ts, the binding
// fixes expansion_search (ef) at construction, so each ef loads the saved graph into a new
// Index built with that ef.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVersion } from '../peers/version.js';

type Usearch = typeof import('usearch');
type UsearchIndex = InstanceType<Usearch['Index']>;

export interface UsearchParams { dim: number; M: number; efConstruction: number }

export class UsearchBatch {
  readonly version = packageVersion('usearch');
  readonly #mod: Pick<Usearch, 'Index' | 'MetricKind' | 'ScalarKind'>;
  readonly #params: UsearchParams;
  readonly #dir = mkdtempSync(join(tmpdir(), 'wann-usearch-threads-'));
  #index: UsearchIndex | undefined;
  #ef = -1;

  private constructor(mod: Pick<Usearch, 'Index' | 'MetricKind' | 'ScalarKind'>, params: UsearchParams) {
    this.#mod = mod;
    this.#params = params;
  }

  /** The binding, imported; throws when usearch does not load here. */
  static async create(params: UsearchParams): Promise<UsearchBatch> {
    const mod = (await import('usearch')) as Usearch & { default?: Usearch };
    return new UsearchBatch(mod.default?.Index ? mod.default : mod, params);
  }

  #make(ef: number): UsearchIndex {
    const { Index, MetricKind, ScalarKind } = this.#mod;
    return new Index({
      dimensions: this.#params.dim, metric: MetricKind.L2sq, quantization: ScalarKind.F32,
      connectivity: this.#params.M, expansion_add: this.#params.efConstruction, expansion_search: ef, multi: false,
    });
  }

  get #file(): string {
    return join(this.#dir, 'index.usearch');
  }

  /** Builds a new graph over `rows` (row i gets key i) on `threads` threads; returns its seconds. Saves it for search(). */
  build(rows: Float32Array, n: number, threads: number): number {
    this.#index = undefined;
    const index = this.#make(64);
    const keys = new BigUint64Array(n);
    for (let i = 0; i < n; i++) keys[i] = BigInt(i);
    const start = performance.now();
    index.add(keys, rows.subarray(0, n * this.#params.dim), threads);
    const seconds = (performance.now() - start) / 1000;
    index.save(this.#file);
    this.#index = index;
    this.#ef = 64;
    return seconds;
  }

  /** Makes the next searches use beam width `ef` (reloads the saved graph; not part of any timing). */
  useEf(ef: number): void {
    if (ef === this.#ef) return;
    const index = this.#make(ef);
    index.load(this.#file);
    this.#index = index;
    this.#ef = ef;
  }

  /** Every query at once on `threads` threads; the raw result (keys as BigUint64Array, nq·k). */
  search(queries: Float32Array, k: number, threads: number): { keys: BigUint64Array } {
    if (!this.#index) throw new Error('usearch: search before build');
    return this.#index.search(queries, k, threads) as unknown as { keys: BigUint64Array };
  }

  dispose(): void {
    this.#index = undefined;
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** usearch's keys as ids (-1 where a query found fewer than k: the binding pads with 2^64 - 1). */
export function keysToIds(keys: BigUint64Array): Int32Array {
  const ids = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) ids[i] = keys[i] > 0x7fffffffn ? -1 : Number(keys[i]);
  return ids;
}
