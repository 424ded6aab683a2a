// Calls over many rows at once, which several threads share: each thread's instance
// claims the next row from a counter in the BATCH region until none is left, so the
// rows spread over the threads as fast as each goes (src/pool.ts runs one call per
// worker). searchRange() searches queries (or stored rows, for the kNN graph);
// storeRange() stores rows to add, in order, on one thread; linkRange() links the rows
// it stored, on every thread (locks.ts). In the builds without threads the same calls
// run on the calling thread alone. Called by index.ts; only storeRange() grows memory.
//
//   BATCH ─► ┌──────────┬────────┬──────┬────────────┬──────────────────┬──────────────┐
//            │ BatchWord│ rows   │ ids  │ result ids │ result distances │ pending      │
//            │ 16 words │ stride │ u32  │ rows × k   │ rows × k f32     │ (row, slot)  │
//            └──────────┴────────┴──────┴────────────┴──────────────────┴──────────────┘
//   each part (src/abi.ts BatchPart) 64-byte aligned; State.BATCH_ROWS rows, State.BATCH_K results each

import { BatchPart, BatchWord, Region, State } from '../src/abi';
import { ctx } from './context';
import { regionStart } from './layout';
import { graph, rowBytes } from './params';
import { count, deletedCount, setStateWord, stateWord } from './state';
import { beginConstruction, constructionQuery, decodeRow, endConstruction, groupsQueries, prepareQuery } from './storage';
import { findSlot, labelOf } from './idmap';
import { levelOf } from './graph';
import { linkNode } from './hnsw';
import { addItem } from './mutation';
import { finishGroup, prepareGroup, search, searchGroup } from './search';
import { GROUP } from './groupscan';
import { claim, setLinking, tally } from './locks';

const NO_ID: u32 = 0xffffffff;

export function batchRows(): u32 { return stateWord(State.BATCH_ROWS); }
export function batchK(): u32 { return stateWord(State.BATCH_K); }

export function setBatchShape(rows: u32, k: u32): void {
  setStateWord(State.BATCH_ROWS, rows);
  setStateWord(State.BATCH_K, k);
}

// @ts-ignore: decorator
@inline function align64(bytes: u64): u64 {
  return (bytes + 63) & ~63;
}

function partBytes(part: i32, rows: u64, k: u64): u64 {
  switch (part) {
    case BatchPart.ROWS: return rows * <u64>rowBytes;
    case BatchPart.IDS: return rows << 2;
    case BatchPart.RESULT_IDS:
    case BatchPart.RESULT_DISTANCES: return (rows * k) << 2;
    default: return rows << 3; // PENDING
  }
}

/** Bytes of the BATCH region for the shape in the state record; 0 while no batch was asked for. */
export function batchBytes(): u64 {
  let rows = <u64>batchRows(), k = <u64>batchK();
  if (rows == 0) return 0;
  let bytes = <u64>BatchWord.WORDS << 2;
  for (let part = 0; part < BatchPart.COUNT; part++) bytes += align64(partBytes(part, rows, k));
  return bytes;
}

/** Where `part` of the BATCH region starts (moves when memory is relaid out: ask again after storeRange()). */
export function batchPart(part: i32): usize {
  let rows = <u64>batchRows(), k = <u64>batchK();
  let at = regionStart(Region.BATCH) + (<usize>BatchWord.WORDS << 2);
  for (let p = 0; p < part; p++) at += <usize>align64(partBytes(p, rows, k));
  return at;
}

// @ts-ignore: decorator
@inline function word(which: BatchWord): usize {
  return regionStart(Region.BATCH) + (<usize>which << 2);
}

/** Whether src/ asked the call to stop: an atomic read in the threads build, so every thread sees it. */
// @ts-ignore: decorator
@inline function stopped(): bool {
  if (ASC_FEATURE_THREADS) return atomic.load<u32>(word(BatchWord.STOP)) != 0;
  return load<u32>(word(BatchWord.STOP)) != 0;
}

/**
 * Searches the batch's rows, claimed one at a time (or a group at a time where the
 * storage scans groups: search.ts searchGroup, the same results), for their `found`
 * nearest (as search.ts search() with the other arguments), writing each row's results,
 * padded to BATCH_K with NO_ID and Infinity, to RESULT_IDS and RESULT_DISTANCES. With
 * `ofSlots` the rows are slots of the index: each is searched with its own stored row
 * for found + 1 and its own id left out (the kNN graph). Returns how many rows this call searched.
 */
export function searchRange(found: i32, ef: i32, filtered: i32, rerank: i32, exact: i32, probes: i32, ofSlots: bool): u32 {
  if (groupsQueries() && ctx.group != 0) return searchGroups(found, filtered != 0, rerank, ofSlots);
  let rows = batchRows(), searched: u32 = 0;
  while (!stopped()) {
    let row = claim(word(BatchWord.NEXT), 1);
    if (row >= rows) break;
    let own = readRow(row, ofSlots);
    writeRow(row, search(ofSlots ? found + 1 : found, ef, filtered != 0, rerank, exact != 0, probes), found, own);
    searched++;
  }
  return searched;
}

/** searchRange() a group of GROUP rows at a time: their queries prepared, one scan, then each one's results. */
function searchGroups(found: i32, filtered: bool, rerank: i32, ofSlots: bool): u32 {
  let rows = batchRows(), searched: u32 = 0;
  let wanted = ofSlots ? found + 1 : found;
  while (!stopped()) {
    let first = claim(word(BatchWord.NEXT), GROUP);
    if (first >= rows) break;
    let queries = <i32>min<u32>(GROUP, rows - first);
    for (let i = 0; i < queries; i++) {
      readRow(first + i, ofSlots);
      prepareGroup(i);
    }
    searchGroup(queries, wanted, filtered, rerank);
    for (let i = 0; i < queries; i++) {
      let row = first + i;
      writeRow(row, finishGroup(i, wanted, rerank), found, ofSlots ? labelOf(load<u32>(batchPart(BatchPart.ROWS) + (<usize>row << 2))) : NO_ID);
    }
    searched += queries;
  }
  return searched;
}

/** Puts batch row `row` in the input row of the context; returns its own id (the kNN graph's rows), else NO_ID. */
function readRow(row: u32, ofSlots: bool): u32 {
  let rowsPart = batchPart(BatchPart.ROWS);
  if (!ofSlots) {
    memory.copy(ctx.input, rowsPart + <usize>row * rowBytes, rowBytes);
    return NO_ID;
  }
  let slot = load<u32>(rowsPart + (<usize>row << 2));
  decodeRow(slot, ctx.input);
  return labelOf(slot);
}

/** Writes the context's `results` results but `own` as row `row`'s `found`, padded to BATCH_K; counts the row done. */
function writeRow(row: u32, results: i32, found: i32, own: u32): void {
  let c = ctx, k = <i32>batchK();
  let ids = batchPart(BatchPart.RESULT_IDS) + ((<usize>row * <usize>k) << 2), dists = batchPart(BatchPart.RESULT_DISTANCES) + ((<usize>row * <usize>k) << 2);
  let written = 0;
  for (let i = 0; i < results && written < found; i++) {
    let id = load<u32>(c.resultIds + (<usize>i << 2));
    if (id == own) continue; // the row itself (once: ids are unique)
    store<u32>(ids + (<usize>written << 2), id);
    store<f32>(dists + (<usize>written << 2), load<f32>(c.resultDists + (<usize>i << 2)));
    written++;
  }
  for (; written < k; written++) {
    store<u32>(ids + (<usize>written << 2), NO_ID);
    store<f32>(dists + (<usize>written << 2), Infinity);
  }
  tally(word(BatchWord.DONE), 1);
}

/**
 * Adds the batch's rows under their ids in order, on one thread, from row NEXT on (as
 * index.ts add()). With `defer`, a new row appended to a non-empty graph is stored but
 * not linked: its (row, slot) goes to PENDING for linkRange(). Stops before a row that
 * cannot wait (an update, a reused slot) while rows are pending, so that linking them
 * first keeps the order of a serial add; at the end; when src/ sets STOP; or at a
 * failure, left in STATUS. Returns rows stored by this call.
 */
export function storeRange(defer: bool): u32 {
  let rows = batchRows(), stored: u32 = 0;
  while (!stopped()) {
    let row = load<u32>(word(BatchWord.NEXT));
    if (row >= rows) break;
    let id = load<u32>(batchPart(BatchPart.IDS) + (<usize>row << 2));
    let unlinked = defer && graph && count() > 0 && deletedCount() == 0 && findSlot(id) < 0;
    let pending = load<u32>(word(BatchWord.PENDING));
    if (!unlinked && pending > 0) break; // link those first
    memory.copy(ctx.input, batchPart(BatchPart.ROWS) + <usize>row * rowBytes, rowBytes);
    let slot = addItem(id, unlinked); // may relay memory out: every address is asked for again below
    if (slot < 0) {
      store<i32>(word(BatchWord.STATUS), slot);
      break;
    }
    store<u32>(word(BatchWord.NEXT), row + 1);
    if (unlinked) {
      let at = batchPart(BatchPart.PENDING) + (<usize>pending << 3);
      store<u32>(at, row);
      store<u32>(at, slot, 4);
      store<u32>(word(BatchWord.PENDING), pending + 1);
    } else {
      tally(word(BatchWord.DONE), 1);
    }
    stored++;
  }
  return stored;
}

/**
 * Links the rows storeRange() left pending, claimed one at a time, beside the other
 * threads doing the same (hnsw.ts linkNode, under locks.ts's locks). Always finishes:
 * a stored row must not stay unlinked. Returns how many this call linked.
 */
export function linkRange(): u32 {
  let pending = load<u32>(word(BatchWord.PENDING)), linked: u32 = 0;
  let pairs = batchPart(BatchPart.PENDING), rowsPart = batchPart(BatchPart.ROWS);
  let c = ctx;
  setLinking(true);
  for (;;) {
    let i = claim(word(BatchWord.LINK_NEXT), 1);
    if (i >= pending) break;
    let row = load<u32>(pairs + (<usize>i << 3)), slot = load<u32>(pairs + (<usize>i << 3), 4);
    memory.copy(c.input, rowsPart + <usize>row * rowBytes, rowBytes);
    prepareQuery(c);
    beginConstruction();
    linkNode(c, constructionQuery(c), slot, levelOf(slot));
    endConstruction();
    tally(word(BatchWord.DONE), 1);
    linked++;
  }
  setLinking(false);
  return linked;
}
