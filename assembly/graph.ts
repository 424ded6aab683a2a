// The HNSW graph's link lists: level 0 in a fixed-stride region, levels 1 … in an
// arena addressed through a per-slot offset, and each slot's top level. Called by
// hnsw.ts, update.ts, integrity.ts; allocate() may grow memory (the arena).
//
//   LINKS0 ─► ┌───────┬────────┬─  ─┬──────────┐   one record per slot:
//             │ count │ slot 1 │ …  │ slot M0  │   (1 + M0) u32
//             └───────┴────────┴─  ─┴──────────┘
//   UPPER_OFF[slot] ─► ARENA word where the slot's lists start:
//             ┌───────┬───────────┬───────┬───────────┬─  ─┐   levels 1 … top,
//             │ count │ M slots   │ count │ M slots   │ …  │   upperWords each
//             └───────┴───────────┴───────┴───────────┴─  ─┘

import { Region, State, Status } from '../src/abi';
import { regionStart } from './layout';
import { links0Bytes, upperWords } from './params';
import { setStateWord, stateWord } from './state';
import { reserveArena } from './resize';

/** The list [count, slots …] of `slot` on `level`. */
// @ts-ignore: decorator
@inline export function linksPtr(slot: u32, level: i32): usize {
  if (level == 0) return regionStart(Region.LINKS0) + <usize>slot * links0Bytes;
  let first = load<u32>(regionStart(Region.UPPER_OFF) + (<usize>slot << 2));
  return regionStart(Region.ARENA) + ((<usize>first + <usize>(level - 1) * upperWords) << 2);
}

// @ts-ignore: decorator
@inline export function levelOf(slot: u32): i32 {
  return load<u8>(regionStart(Region.LEVELS) + slot);
}

/**
 * Gives `slot` empty link lists on levels 0 … `level`, growing the arena when its
 * upper lists do not fit. Returns Status.OK or OUT_OF_MEMORY / TOO_LARGE (nothing changed).
 */
export function allocate(slot: u32, level: i32): i32 {
  if (level > 0) {
    let used = stateWord(State.ARENA_USED);
    let words = <u32>level * upperWords;
    let status = reserveArena(used + words);
    if (status != Status.OK) return status;
    store<u32>(regionStart(Region.UPPER_OFF) + (<usize>slot << 2), used);
    memory.fill(regionStart(Region.ARENA) + (<usize>used << 2), 0, <usize>words << 2);
    setStateWord(State.ARENA_USED, used + words);
  }
  store<u8>(regionStart(Region.LEVELS) + slot, <u8>level);
  store<u32>(linksPtr(slot, 0), 0);
  return Status.OK;
}
