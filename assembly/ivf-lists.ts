// The inverted lists' layout: every code is stored once, at a position of CODES, and a
// search scans a list's positions in order (as FAISS's inverted lists hold each list's
// codes together). Adds and removals leave the grouping stale; the next search regroups
// in place: a counting sort gives every slot its new position, then the codes (and
// their norm terms) move there a cycle of the permutation at a time, through two codes
// of scratch, so the index never holds a second copy of its codes. Slot numbers, which
// ids, kept f32 rows and filters use, never change. Called by ivf.ts, regions.ts
// (sizes) and resize.ts (growth).
//
//   CODES ─► capacity × pq.ts's per-slot code, indexed by position
//   LISTS ─► ┌─────────────────┬─────────────────────────┬─────────────────────┬──────────────────────────────┐
//            │ starts: NLIST+2 │ positions: capacity u32 │ slots: capacity u32 │ norm terms: capacity f32 (l2) │
//            └─────────────────┴─────────────────────────┴─────────────────────┴──────────────────────────────┘
//   positions: each slot's position; slots: each position's slot. Positions 0 … COUNT-1
//   always hold slots 0 … COUNT-1, one each (an appended slot takes position COUNT). Once
//   grouped, list l is positions starts[l] … starts[l+1]-1, slots in increasing order, and
//   removed slots follow up to starts[NLIST+1] = COUNT: a canonical order, which a file
//   stores (State.LIST_ORDER) and a load derives again from each slot's list.
//   norm terms (ivf.ts normTerm) by position; l2 only.

import { Metric, Region, State } from '../src/abi';
import { regionStart } from './layout';
import { metric } from './params';
import { count, setStateWord, stateWord } from './state';
import { codeBytesPq } from './pq';
import { isDeleted } from './idmap';

/** Lists of this index (0 unless IVF). */
export let nlist: i32 = 0;

export function deriveLists(): void {
  nlist = stateWord(State.NLIST);
}

/** Whether codes carry a norm term (l2; the dot metrics need none). */
// @ts-ignore: decorator
@inline export function hasNormTerms(): bool { return metric == Metric.L2; }

/** Bytes of the LISTS region for `capacity` slots. */
export function listsBytes(capacity: u64): u64 {
  return ((<u64>nlist + 2) << 2) + (capacity << 2) * (hasNormTerms() ? 3 : 2);
}

// @ts-ignore: decorator
@inline function startsAt(): usize { return regionStart(Region.LISTS); }
// @ts-ignore: decorator
@inline function positionsAt(): usize { return startsAt() + (<usize>(nlist + 2) << 2); }
// @ts-ignore: decorator
@inline function slotsAt(capacity: u32): usize { return positionsAt() + (<usize>capacity << 2); }
// @ts-ignore: decorator
@inline function termsAt(capacity: u32): usize { return positionsAt() + (<usize>capacity << 3); }

/** Where list `list` starts (grouped lists only); list + 1 gives where it ends. */
// @ts-ignore: decorator
@inline export function listStart(list: i32): u32 {
  return load<u32>(startsAt() + (<usize>list << 2));
}

/** Position of the code of `slot`. */
// @ts-ignore: decorator
@inline export function positionOf(slot: u32): u32 {
  return load<u32>(positionsAt() + (<usize>slot << 2));
}

/** Slot at `position`. */
// @ts-ignore: decorator
@inline export function slotAt(position: u32): u32 {
  return load<u32>(slotsAt(stateWord(State.CAPACITY)) + (<usize>position << 2));
}

/** The norm terms, by position (l2). */
// @ts-ignore: decorator
@inline export function normTermsAt(): usize {
  return termsAt(stateWord(State.CAPACITY));
}

/** Gives an appended `slot` (slot >= COUNT) the position of the same number, free until COUNT passes it. */
export function placeAppended(slot: u32): void {
  store<u32>(positionsAt() + (<usize>slot << 2), slot);
  store<u32>(slotsAt(stateWord(State.CAPACITY)) + (<usize>slot << 2), slot);
}

/** Called whenever a slot joins, changes or leaves a list. */
export function markListsStale(): void {
  setListsStale(true);
}

function setListsStale(stale: bool): void {
  setStateWord(State.LISTS_STALE, stale ? 1 : 0);
}

/**
 * Sets every slot's position to its grouped one (a stable counting sort by list, removed
 * slots and lists out of range last) and the starts; moves nothing.
 */
export function groupPositions(): void {
  let starts = startsAt(), positions = positionsAt();
  let listOf = regionStart(Region.LIST_OF);
  let n = count();
  memory.fill(starts, 0, <usize>(nlist + 2) << 2);
  for (let slot: u32 = 0; slot < n; slot++) {
    let at = starts + (<usize>(bucketOf(listOf, slot) + 1) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  for (let b = 1; b <= nlist + 1; b++) {
    let at = starts + (<usize>b << 2);
    store<u32>(at, load<u32>(at) + load<u32>(at - 4));
  }
  // Each bucket fills from its start; the start words end one bucket ahead and are shifted back after.
  for (let slot: u32 = 0; slot < n; slot++) {
    let at = starts + (<usize>bucketOf(listOf, slot) << 2);
    let position = load<u32>(at);
    store<u32>(at, position + 1);
    store<u32>(positions + (<usize>slot << 2), position);
  }
  for (let b = nlist + 1; b > 0; b--) store<u32>(starts + (<usize>b << 2), load<u32>(starts + (<usize>(b - 1) << 2)));
  store<u32>(starts, 0);
}

/** The bucket of `slot` in the grouping: its list, or NLIST when removed (or its list is out of range: a loaded file). */
// @ts-ignore: decorator
@inline function bucketOf(listOf: usize, slot: u32): u32 {
  let list = load<u32>(listOf + (<usize>slot << 2));
  return isDeleted(slot) || list >= <u32>nlist ? <u32>nlist : list;
}

/** Writes each position's slot from the slots' positions. */
export function invertPositions(): void {
  let positions = positionsAt(), slots = slotsAt(stateWord(State.CAPACITY));
  for (let slot: u32 = 0, n = count(); slot < n; slot++) store<u32>(slots + (<usize>load<u32>(positions + (<usize>slot << 2)) << 2), slot);
}

/** Positions equal to slots: the order of a file written before the lists were kept grouped. */
export function identityPositions(): void {
  let positions = positionsAt(), slots = slotsAt(stateWord(State.CAPACITY));
  for (let slot: u32 = 0, n = count(); slot < n; slot++) {
    store<u32>(positions + (<usize>slot << 2), slot);
    store<u32>(slots + (<usize>slot << 2), slot);
  }
}

/**
 * Groups the lists: every slot's new position, then the codes and norm terms moved
 * there. Whatever stands at position p belongs at the position of its slot: it is carried
 * around its cycle of the permutation, each code it lands on carried on in turn, until
 * the cycle closes at p. `scratch`: two codes' bytes.
 */
export function regroupLists(scratch: usize): void {
  groupPositions();
  let codes = regionStart(Region.CODES), bytes = codeBytesPq;
  let positions = positionsAt(), slots = slotsAt(stateWord(State.CAPACITY)), terms = normTermsAt();
  let terms4 = hasNormTerms();
  let carry = scratch, landed = scratch + bytes;
  for (let p: u32 = 0, n = count(); p < n; p++) {
    let slot = load<u32>(slots + (<usize>p << 2));
    let to = load<u32>(positions + (<usize>slot << 2));
    if (to == p) continue;
    memory.copy(carry, codes + <usize>p * bytes, bytes);
    let term: f32 = terms4 ? load<f32>(terms + (<usize>p << 2)) : 0;
    while (true) {
      let next = to == p ? 0 : load<u32>(slots + (<usize>to << 2));
      let nextTerm: f32 = 0;
      if (to != p) {
        memory.copy(landed, codes + <usize>to * bytes, bytes);
        if (terms4) nextTerm = load<f32>(terms + (<usize>to << 2));
      }
      memory.copy(codes + <usize>to * bytes, carry, bytes);
      if (terms4) store<f32>(terms + (<usize>to << 2), term);
      store<u32>(slots + (<usize>to << 2), slot);
      if (to == p) break;
      let swap = carry; carry = landed; landed = swap;
      slot = next;
      term = nextTerm;
      to = load<u32>(positions + (<usize>slot << 2));
    }
  }
  setListsStale(false);
}

/**
 * After a relayout for `newCapacity` slots (was `oldCapacity`): the region kept its old
 * bytes at its start, where the starts and the positions still are; the slots and norm
 * terms move to their new offsets, the terms first (both move up, the terms furthest).
 */
export function listsResized(oldCapacity: u32, newCapacity: u32): void {
  let bytes = <usize>count() << 2;
  if (hasNormTerms()) memory.copy(termsAt(newCapacity), termsAt(oldCapacity), bytes);
  memory.copy(slotsAt(newCapacity), slotsAt(oldCapacity), bytes);
}
