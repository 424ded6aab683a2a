// A search, start to finish: prepare the query, run the graph or the scan the index
// kind calls for, then re-rank and write the results. Called by index.ts; never grows
// memory (src/ has called reserveEf for the width).

import { Admit, Kind } from '../src/abi';
import { ctx } from './context';
import { graph, kind } from './params';
import { count, deletedCount } from './state';
import { prepareQuery, preparedPtr, searchLists } from './storage';
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
  let admit = filtered ? Admit.FILTERED : deletedCount() > 0 ? Admit.LIVE : Admit.ALL;
  if (rerank > 0) rerank = max(rerank, k); // re-scoring fewer than k would return fewer
  let width = max(k, rerank);
  let found = kind == Kind.IVF ? searchLists(c, width, exact ? 0x7fffffff : probes, admit)
    : graph && !exact ? searchGraph(c, q, max(ef, width), admit) : searchFlat(c, q, width, admit);
  return finishSearch(c, found, k, rerank);
}
