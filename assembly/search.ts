// A search, start to finish: prepare the query, run the graph or the scan the index
// kind calls for, then re-rank and write the results; or the same for a group of queries
// scanned together (storage.ts groupsQueries). Called by index.ts and batch.ts; never
// grows memory (src/ has called reserveEf for the width).

import { Admit, Kind } from '../src/abi';
import { ctx } from './context';
import { graph, kind } from './params';
import { count, deletedCount } from './state';
import { prepareGroupQuery, prepareQuery, preparedPtr, scanCodesGroup, searchLists } from './storage';
import { takeGroupResults } from './groupscan';
import { searchGraph } from './hnsw';
import { searchFlat } from './flat';
import { finishSearch } from './results';

/**
 * The k nearest to the input row of the context among live items (only those whose
 * filter bit is set when `filtered`), by the graph with beam `ef`, by the `probes` nearest
 * inverted lists (IVF; every list when `exact`) or, when `exact` or a FlatIndex, by a scan. `rerank` > 0 re-scores that many candidates exactly (storage.ts
 * canRerank), so ef must be at least rerank. Returns how many results.
 */
export function search(k: i32, ef: i32, filtered: bool, rerank: i32, exact: bool, probes: i32): i32 {
  if (count() == 0) return 0; // nothing to find, and an untrained quantizer cannot prepare a query
  let c = ctx;
  prepareQuery(c);
  let q = preparedPtr(c);
  let admit = admitMode(filtered);
  rerank = rerankDepth(k, rerank);
  let width = max(k, rerank);
  let found = kind == Kind.IVF ? searchLists(c, width, exact ? 0x7fffffff : probes, admit)
    : graph && !exact ? searchGraph(c, q, max(ef, width), admit) : searchFlat(c, q, width, admit);
  return finishSearch(c, found, k, rerank);
}

/** Makes the input row of the context query `i` of a group (storage.ts groupsQueries), for searchGroup(). */
export function prepareGroup(i: i32): void {
  if (count() > 0) prepareGroupQuery(ctx, i);
}

/**
 * The first phase of search() for the group's first `queries` queries at once, with the
 * same arguments (a FlatIndex ignores ef, exact and probes): one scan leaves each
 * query's candidates for finishGroup().
 */
export function searchGroup(queries: i32, k: i32, filtered: bool, rerank: i32): void {
  if (count() == 0) return;
  scanCodesGroup(ctx, queries, max(k, rerankDepth(k, rerank)), admitMode(filtered));
}

/** The rest of search() for query `i` of the group searchGroup() scanned: its results, as search() returns them. */
export function finishGroup(i: i32, k: i32, rerank: i32): i32 {
  if (count() == 0) return 0;
  let c = ctx;
  return finishSearch(c, takeGroupResults(c, i), k, rerankDepth(k, rerank));
}

/** Which slots a search may return (src/abi.ts Admit). */
// @ts-ignore: decorator
@inline function admitMode(filtered: bool): i32 {
  return filtered ? Admit.FILTERED : deletedCount() > 0 ? Admit.LIVE : Admit.ALL;
}

/** Candidates re-scored: none, or at least k (re-scoring fewer than k would return fewer). */
// @ts-ignore: decorator
@inline function rerankDepth(k: i32, rerank: i32): i32 {
  return rerank > 0 ? max(rerank, k) : 0;
}
