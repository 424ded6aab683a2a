// What each region holds and how many bytes it takes: the sizes a capacity, a search
// width and an arena need, and the used part a saved index stores. The one place the
// size of a region is written. Called by resize.ts (relayout) and index.ts
// (regionUsedBytes, for src/format.ts).

import { Region, State } from '../src/abi';
import { wantedBytes } from './layout';
import { labelsImplicit, tableSizeFor } from './idmap';
import { graph, keepVectors, links0Bytes, rowBytes } from './params';
import { count, deletedCount, stateWord } from './state';
import { codesBytes, groupBytes, ivf, preparedBytes, quantizerBytes, trainingBytes } from './storage';
import { listsBytes, listsSavedBytes } from './ivf-lists';
import { contextStride } from './context';
import { batchBytes } from './batch';
import { reorderBytes } from './reorder';

// @ts-ignore: decorator
@inline function want(region: Region, bytes: u64): void {
  store<u64>(wantedBytes + (<usize>region << 3), bytes);
}

/**
 * Fills layout's wantedBytes for `capacity` slots, searches up to `efMax` wide,
 * `arenaWords` of upper links, `contexts` threads; with `everything`, the regions made
 * only when needed (labels, removal flags, filter bits) as if they were.
 */
export function setWanted(capacity: u32, efMax: i32, arenaWords: u32, tableSize: u64, contexts: u32 = 1, everything: bool = false): void {
  let cap = <u64>capacity;
  let labels = everything || !labelsImplicit();
  let removals = everything || stateWord(State.REMOVAL_ROOM) != 0;
  let filter = everything || stateWord(State.FILTER_ROOM) != 0;
  want(Region.CONTEXT, <u64>contexts * contextStride(efMax, capacity, preparedBytes(), groupBytes(efMax)));
  want(Region.CODES, codesBytes(cap));
  want(Region.RAW, keepVectors ? cap * <u64>rowBytes : 0);
  want(Region.QUANTIZER, <u64>quantizerBytes(true));
  want(Region.LINKS0, cap * <u64>links0Bytes);
  want(Region.LABELS, labels ? cap << 2 : 0);
  want(Region.LEVELS, graph ? cap : 0);
  want(Region.UPPER_OFF, graph ? cap << 2 : 0);
  want(Region.ID_TABLE, tableSize << 2);
  want(Region.DELETED, removals ? cap : 0);
  want(Region.FREE, removals ? cap << 2 : 0);
  want(Region.FILTER, filter ? ((cap + 31) >> 5) << 2 : 0);
  want(Region.ARENA, <u64>arenaWords << 2);
  want(Region.TRAINING, max<u64>(trainingBytes(), reorderBytes(stateWord(State.REORDER_SLOTS), stateWord(State.ARENA_USED))));
  want(Region.LIST_OF, ivf && stateWord(State.LIST_ORDER) < 2 ? cap << 2 : 0); // a file from before, until it is laid out
  want(Region.LISTS, ivf ? listsBytes(cap) : 0);
  want(Region.BATCH, batchBytes());
  want(Region.LOCKS, contexts > 1 && graph ? cap << 2 : 0);
}

/**
 * Bytes every region together would take for `capacity` slots (searches 64 wide, no
 * arena), with every region made: what an index may come to, whatever it needs today.
 */
export function wantedTotal(capacity: u32): u64 {
  setWanted(capacity, 64, 0, tableSizeFor(<u64>capacity), 1, true);
  let total: u64 = 0;
  for (let r = 0; r < Region.COUNT; r++) total += load<u64>(wantedBytes + (<usize>r << 3));
  return total;
}

/** Bytes of `region` a saved index stores: its used part; 0 for working memory and empty regions. */
export function usedBytes(region: i32): usize {
  let n = <usize>count();
  switch (region) {
    case Region.CODES: return <usize>codesBytes(n);
    case Region.RAW: return keepVectors ? n * rowBytes : 0;
    case Region.QUANTIZER: return quantizerBytes(false);
    case Region.LINKS0: return n * links0Bytes;
    case Region.LABELS: return labelsImplicit() ? 0 : n << 2;
    case Region.LEVELS: return graph ? n : 0;
    case Region.UPPER_OFF: return graph ? n << 2 : 0;
    case Region.DELETED: return deletedCount() == 0 ? 0 : n; // all 0: loads as fresh memory
    case Region.FREE: return <usize>deletedCount() << 2;
    case Region.ARENA: return <usize>stateWord(State.ARENA_USED) << 2;
    case Region.LIST_OF: return ivf && stateWord(State.LIST_ORDER) < 2 ? n << 2 : 0; // files from before only
    case Region.LISTS: return ivf && stateWord(State.LIST_ORDER) == 2 ? <usize>listsSavedBytes(n) : 0;
    default: return 0; // CONTEXT, ID_TABLE, FILTER, TRAINING, BATCH, LOCKS: rebuilt, per call or scratch
  }
}
