// Locks for linking rows from several threads at once (the threads build, linkRange()
// in batch.ts): one word per slot guarding its link lists on every level, and one
// guarding the entry point and the top level, as hnswlib's link_list_locks_ and
// global lock. Spin locks: a critical section is one list update of microseconds, and
// a thread never holds two slot locks, so no cycle can form. Searches read lists
// without locks: a list being rewritten still holds valid slots. Outside a linkRange()
// call, and in the builds without threads, every call here is free.
//
//   LOCKS ─► ┌────────┬────────┬─  ─┐   one i32 per slot: 0 free, 1 held
//            │ slot 0 │ slot 1 │ …  │
//            └────────┴────────┴─  ─┘

import { Region, State } from '../src/abi';
import { regionStart } from './layout';
import { stateRecord } from './state';

/** Whether this instance is linking rows beside other threads: only then are locks taken. */
let linking = false;

export function setLinking(on: bool): void {
  linking = on;
}

/** Whether this instance links beside other threads (lists may hold links before their owner writes them). */
// @ts-ignore: decorator
@inline export function isLinking(): bool {
  return linking;
}

// @ts-ignore: decorator
@inline function acquire(word: usize): void {
  if (ASC_FEATURE_THREADS) {
    // Test, then test-and-set: waiters spin on a plain load, not on the bus-locking write.
    while (atomic.cmpxchg<i32>(word, 0, 1) != 0) {
      while (atomic.load<i32>(word) != 0) {}
    }
  }
}

// @ts-ignore: decorator
@inline function release(word: usize): void {
  if (ASC_FEATURE_THREADS) atomic.store<i32>(word, 0);
}

/** Takes the lock on `slot`'s link lists (while linking). */
export function lockSlot(slot: u32): void {
  if (linking) acquire(regionStart(Region.LOCKS) + (<usize>slot << 2));
}

export function unlockSlot(slot: u32): void {
  if (linking) release(regionStart(Region.LOCKS) + (<usize>slot << 2));
}

/** Takes the lock on the entry point and top level (while linking). */
export function lockGraph(): void {
  if (linking) acquire(stateRecord + (<usize>State.GRAPH_LOCK << 2));
}

export function unlockGraph(): void {
  if (linking) release(stateRecord + (<usize>State.GRAPH_LOCK << 2));
}

/** Claims `n` items of a shared counter at `counter`: returns the first; atomic in the threads build. */
export function claim(counter: usize, n: u32): u32 {
  if (ASC_FEATURE_THREADS) return atomic.add<u32>(counter, n);
  let first = load<u32>(counter);
  store<u32>(counter, first + n);
  return first;
}

/** Adds `n` to the counter at `counter` (progress): atomic in the threads build. */
export function tally(counter: usize, n: u32): void {
  if (ASC_FEATURE_THREADS) atomic.add<u32>(counter, n);
  else store<u32>(counter, load<u32>(counter) + n);
}
