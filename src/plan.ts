// How one search() or searchBatch() call runs, worked out once per call: the options
// checked, the beam and re-rank depth clamped to the index, the filter written into the
// core's bitset and the cheaper of graph or scan chosen, the working memory sized. Used
// by base-index.ts search() and searchBatch().

import type { Core } from './core.js';
import { WannError } from './errors.js';
import type { Filter } from './filter.js';
import { describe } from './options.js';

/** Options of search() and searchBatch(). */
export interface SearchOptions {
  /** Beam width (HNSW; raised to at least k and rerank). FlatIndex checks it and ignores it; IvfIndex refuses it. */
  ef?: number;
  /**
   * Inverted lists scanned (IvfIndex only; more while fewer than k allowed items were
   * found). Default: the index's nprobe.
   */
  nprobe?: number;
  /**
   * Candidates re-scored exactly from the kept f32 rows before the k best are returned
   * (two-stage search; raised to k); 0 turns it off. Default: the index's `rerank`.
   */
  rerank?: number;
  /**
   * Only ids this allows may be returned: a predicate (id) => boolean, called once per
   * live item per call, or the allowed ids (Uint32Array, Set, any iterable; ids not in
   * the index are ignored).
   */
  filter?: Filter;
  /**
   * With a filter: true scans the allowed items exactly, false searches the graph;
   * by default the cheaper is chosen (HnswIndex: exact when allowed² ≤ ef · 2M · size).
   */
  exact?: boolean;
}

/** What the core's search export is called with. */
export interface Plan {
  /** Results per query. */
  found: number;
  /** Beam width. */
  beam: number;
  /** Candidates re-scored exactly. */
  rerank: number;
  /** 1 when the filter region restricts the results. */
  filtered: number;
  /** 1 for a scan instead of the graph (IVF: every list). */
  exact: number;
  /** Inverted lists to scan (IVF), else 0. */
  probes: number;
}

/** What planning asks of the index kind. */
export interface Planner {
  /** The beam for a search of k: HNSW's ef (at least k), k for a scan. */
  width(k: number, options: SearchOptions): number;
  /** The re-rank depth for k with beam `width`: the one asked (checked), else the index's default. */
  rerank(k: number, width: number, asked: number | undefined): number;
  /** Inverted lists to scan (IVF); 0 for the other kinds, which refuse `nprobe`. */
  probes(options: SearchOptions): number;
  /** Whether a filter allowing `allowed` items is cheaper to scan than to search with `beam`. */
  prefersExact(allowed: number, beam: number): boolean;
  /** Writes `filter`'s bitset (running the caller's code); returns how many items it allows. */
  allow(filter: Filter): number;
}

/** Checks the options, writes the filter, sizes the working memory: once per call. */
export function planSearch(core: Core, k: number, options: SearchOptions, planner: Planner): Plan {
  const width = planner.width(k, options);
  const probes = planner.probes(options);
  if (options.exact !== undefined && typeof options.exact !== 'boolean') {
    throw new WannError('INVALID_ARGUMENT', `exact must be true or false, got ${describe(options.exact)}`);
  }
  const size = core.x.size();
  // Neither k, the beam nor the re-ranked candidates can usefully exceed the items held;
  // clamping also keeps working memory proportional to the index, whatever the caller passes.
  const depth = planner.rerank(k, width, options.rerank);
  const rerank = Math.min(depth, size); // the core raises a re-rank shallower than k to k (assembly/search.ts)
  const beam = Math.min(Math.max(width, rerank), size);
  let found = Math.min(k, size);
  let heap = beam; // working memory is sized for searches this wide
  let filtered = 0, exact = 0;
  if (options.filter !== undefined) {
    const allowed = planner.allow(options.filter);
    found = Math.min(found, allowed);
    filtered = 1;
    exact = (options.exact ?? planner.prefersExact(allowed, beam)) ? 1 : 0;
    // A filtered graph search expands about beam / selectivity nodes before W holds
    // ef allowed ones: give its candidate heap room for that many (assembly/hnsw.ts).
    if (!exact && allowed > 0) heap = Math.min(size, Math.ceil(beam * size / allowed));
  }
  if (found > 0) {
    const status = core.x.reserveEf(Math.max(heap, found)); // grows memory only the first time a wider search is asked
    if (status < 0) throw WannError.fromStatus(status, `search with ef ${heap}`);
  }
  return { found, beam, rerank, filtered, exact, probes };
}

/** Writes `query` into the input row and searches as `plan` says; the results stay in WASM memory (Core.results). Returns how many. */
export function searchOne(core: Core, query: ArrayLike<number>, plan: Plan): number {
  if (plan.found === 0) return 0;
  core.f32.set(query, core.inputIndex());
  return core.x.search(plan.found, plan.beam, plan.filtered, plan.rerank, plan.exact, plan.probes);
}
