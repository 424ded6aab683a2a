// The state record that crosses the ABI when an index is saved or loaded: src/format.ts
// reads it after saveState() and writes it before restoreLayout() / restoreState().
// Region contents travel separately (src/ copies them straight to and from memory).
// Called by index.ts.
//
//   stateRecord ─► ┌──────┬────────┬─────┬───┬─────┬──────────┬───────┬─────────┐
//    (u32 words)   │ kind │ metric │ dim │ M │ efC │ capacity │ count │ deleted │  0 … 7
//                  ├──────┴──┬─────┴─────┴───┴──┬──┴──────────┼───────┴──┬──────┴──┐
//                  │ entry   │ maxLevel (i32)   │ arenaUsed   │ arenaWds │ rng lo  │  8 … 12
//                  ├─────────┼──────────────────┴─────────────┴──────────┴─────────┘
//                  │ rng hi  │                                                        13
//                  └─────────┘

import { Status } from '../src/abi';
import * as layout from './layout';
import * as state from './state';
import { randomState, seedRandom } from './rng';
import { rebuildIdTable } from './idmap';
import { checkIntegrity, DUPLICATE_ID } from './integrity';

export const STATE_WORDS = 14;
export const stateRecord = memory.data(STATE_WORDS * 4);

// @ts-ignore: decorator
@inline function word(i: i32): u32 {
  return load<u32>(stateRecord + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function setWord(i: i32, value: u32): void {
  store<u32>(stateRecord + (<usize>i << 2), value);
}

/** Fills the record from the live index. */
export function saveState(): usize {
  setWord(0, layout.kind); setWord(1, layout.metric); setWord(2, layout.dim);
  setWord(3, layout.M); setWord(4, layout.efConstruction); setWord(5, layout.capacity);
  setWord(6, state.count); setWord(7, state.deletedCount); setWord(8, state.entrySlot);
  setWord(9, <u32>state.maxLevel); setWord(10, state.arenaUsed); setWord(11, layout.arenaWords);
  let rng = randomState();
  setWord(12, <u32>rng); setWord(13, <u32>(rng >> 32));
  return stateRecord;
}

/**
 * Sets the parameters from the record and sizes every region exactly for its
 * capacity and arena, in one memory.grow. src/ has checked the parameters.
 */
export function restoreLayout(minEfMax: i32): i32 {
  if (layout.stride != 0) return Status.ALREADY_INITIALIZED;
  layout.setParameters(word(0), word(1), word(2), word(3), word(4));
  let ok = layout.relayout(word(5), max(layout.efConstruction, minEfMax), word(11));
  return ok ? Status.OK : Status.OUT_OF_MEMORY;
}

/**
 * Takes the counters from the record once src/ has copied the regions in, rebuilds
 * the id table and checks the whole structure before anything follows a link.
 * Returns 0, or the integrity problem found (assembly/integrity.ts).
 */
export function restoreState(): i32 {
  state.setCount(word(6));
  state.setDeletedCount(word(7));
  state.setEntry(word(8), <i32>word(9));
  state.setArenaUsed(word(10));
  seedRandom((<u64>word(13) << 32) | word(12));
  let problem = checkIntegrity(false);
  if (problem != 0) return problem;
  return rebuildIdTable() ? 0 : DUPLICATE_ID;
}
