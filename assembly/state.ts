// The index state record: parameters, counts, the entry point, the top level, the
// arena fill, the PRNG and the working sizes, in linear memory at a fixed address, as
// u32 words named by State in src/abi.ts. It is the truth about the index: a saved
// file stores its first State.PERSISTED words, src/ reads and writes it by name, and
// every instance over the same memory sees the same index. Module globals elsewhere
// hold only constants derived from it once (params.ts) and the current context.
//
//   stateRecord ─► ┌──────┬────────┬─────────┬─────┬───┬─────┬──────┬─────────┐
//    (u32 words)   │ kind │ metric │ storage │ dim │ M │ efC │ keep │ trained │  0 … 7
//                  ├──────┴───┬────┴───┬─────┴─────┴┬──┴─────┴──┬───┴─────────┤
//                  │ capacity │ count  │ deleted    │ entry     │ maxLevel    │  8 … 12
//                  ├──────────┼────────┴─┬──────────┼───────────┼─────────────┤
//                  │ arenaUsed│ rng lo   │ rng hi   │ efMax     │ tableSize   │ 13 … 17
//                  ├──────────┼──────────┴──────────┴───────────┴─────────────┘
//                  │ arenaWds │   18 (words from efMax on are sizes of this instance's memory, not saved)
//                  └──────────┘

import { State } from '../src/abi';

export const stateRecord = memory.data(State.WORDS * 4, 16);

// @ts-ignore: decorator
@inline export function stateWord(word: State): u32 {
  return load<u32>(stateRecord + (<usize>word << 2));
}

// @ts-ignore: decorator
@inline export function setStateWord(word: State, value: u32): void {
  store<u32>(stateRecord + (<usize>word << 2), value);
}

/** Used slots: slots 0 … count - 1 hold items, live or deleted. */
// @ts-ignore: decorator
@inline export function count(): u32 { return stateWord(State.COUNT); }
/** Deleted slots awaiting reuse; live items = count - deletedCount. */
// @ts-ignore: decorator
@inline export function deletedCount(): u32 { return stateWord(State.DELETED_COUNT); }
/** Entry point of every graph search: a slot on the top level. */
// @ts-ignore: decorator
@inline export function entrySlot(): u32 { return stateWord(State.ENTRY_SLOT); }
/** Top level of the graph; -1 while empty. */
// @ts-ignore: decorator
@inline export function maxLevel(): i32 { return <i32>stateWord(State.MAX_LEVEL); }
/** Slots the regions hold. */
// @ts-ignore: decorator
@inline export function capacity(): u32 { return stateWord(State.CAPACITY); }

export function setCount(value: u32): void { setStateWord(State.COUNT, value); }
export function setDeletedCount(value: u32): void { setStateWord(State.DELETED_COUNT, value); }
export function setEntry(slot: u32, level: i32): void {
  setStateWord(State.ENTRY_SLOT, slot);
  setStateWord(State.MAX_LEVEL, <u32>level);
}

/** The PRNG state (assembly/rng.ts), as two words. */
export function randomState(): u64 {
  return (<u64>stateWord(State.RNG_HI) << 32) | <u64>stateWord(State.RNG_LO);
}

export function setRandomState(value: u64): void {
  setStateWord(State.RNG_LO, <u32>value);
  setStateWord(State.RNG_HI, <u32>(value >> 32));
}
