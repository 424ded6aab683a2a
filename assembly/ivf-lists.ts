// The inverted lists' layout: every code is stored once, at a position of CODES, and a
// search scans a list's positions in order (as FAISS's inverted lists hold each list's
// codes together). Beside each code the index keeps 8 bytes, as FAISS's lists keep an
// 8-byte id: the slot at its position and its norm term (ivf.ts). Nothing maps a slot to
// its list: an add writes its code at a free position, its list in place of its norm
// term (a tag, bit 31 of the slot word), and a removal only flags the slot. A search
// regroups in place when enough has changed (regroupLists): an American flag sort (McIlroy, Bostic &
// McIlroy, "Engineering radix sort", 1993) of the positions by list, each one's list
// read from its tag, or from the old starts for an untagged one, its codes moved
// through two codes of scratch, so the index never holds a second copy of its codes or
// a map per row. Slot numbers, which ids, kept f32 rows and filters use, never change.
// Called by ivf.ts, regions.ts (sizes) and resize.ts (growth).
//
//   CODES ─► capacity × pq.ts's per-slot code, indexed by position
//   LISTS ─► ┌─────────────────┬──────────────┬──────────────────┬──────────────────────┬─────────────────┐
//            │ starts: NLIST+2 │ slots: cap.  │ terms: cap. f32  │ positions: cap. u32  │ sort: 2×NLIST+4 │
//            │ u32             │ u32          │ (or u32 tags)    │ (POSITION_ROOM only) │ u32 (scratch)   │
//            └─────────────────┴──────────────┴──────────────────┴──────────────────────┴─────────────────┘
//   slots: each position's slot, TAG set while its term word holds its list. Positions
//   0 … COUNT-1 hold slots 0 … COUNT-1, one each; an appended slot takes the position of
//   its own number. Grouped (State.LISTS_STALE 0): no tags, list l is positions
//   starts[l] … starts[l+1]-1, live slots only, and the removed slots follow up to
//   starts[NLIST+1] = COUNT. Appended since (LISTS_STALE APPENDED): the same, but for rows
//   appended after starts[NLIST+1], each tagged, and removed slots still in their lists;
//   a search scans the appended rows beside the lists and skips the removed (ivf.ts)
//   until either count passes tailLimit(), so adds and removals between searches do not
//   regroup every time. An update or a reuse joins the appended rows: its position is
//   vacated to theirs one bucket at a time (vacateToTail). Only a file from before
//   leaves the lists stale (1): the next search regroups. A file stores the starts and slots of a grouped index
//   (State.LIST_ORDER 2), the first (NLIST + 2 + COUNT) words of the region.
//   terms: norm terms (ivf.ts normTerm) by position, l2 only; tags for every metric.
//   positions: each slot's position, made by the first call that finds rows by slot
//   many times (an update, a reuse, knnGraph, the 32nd get(): reservePositions); until
//   then a scan finds one.

import { Metric, Region, State } from '../src/abi';
import { regionStart } from './layout';
import { metric } from './params';
import { count, deletedCount, setStateWord, stateWord } from './state';
import { codeBytesPq } from './pq';
import { isDeleted } from './idmap';

/** Lists of this index (0 unless IVF). */
export let nlist: i32 = 0;

/** A slot word's flag: its term word holds its list, not its norm term. */
const TAG: u32 = 0x80000000;
/** A slot word's flag while listsSound() checks the slots are a permutation. */
const MARK: u32 = 0x40000000;
const SLOT_BITS: u32 = 0x3fffffff;

export function deriveLists(): void {
  nlist = stateWord(State.NLIST);
}

/** Whether codes carry a norm term (l2; the dot metrics need none). */
// @ts-ignore: decorator
@inline export function hasNormTerms(): bool { return metric == Metric.L2; }

/** Whether the slot → position map is kept (reservePositions). */
// @ts-ignore: decorator
@inline function keepsPositions(): bool { return stateWord(State.POSITION_ROOM) != 0; }

// @ts-ignore: decorator
@inline function startsWords(): usize { return <usize>nlist + 2; }

/** Bytes of the LISTS region for `capacity` slots. */
export function listsBytes(capacity: u64): u64 {
  return (<u64>startsWords() * 3 << 2) + (capacity << 2) * (keepsPositions() ? 3 : 2);
}

/** Bytes of the LISTS region a file stores for `n` slots: the starts and each position's slot. */
export function listsSavedBytes(n: u64): u64 {
  return (<u64>startsWords() + n) << 2;
}

// @ts-ignore: decorator
@inline function startsAt(): usize { return regionStart(Region.LISTS); }
// @ts-ignore: decorator
@inline function slotsAt(): usize { return startsAt() + (startsWords() << 2); }
// @ts-ignore: decorator
@inline function termsAt(capacity: u32): usize { return slotsAt() + (<usize>capacity << 2); }
// @ts-ignore: decorator
@inline function positionsAt(capacity: u32): usize { return termsAt(capacity) + (<usize>capacity << 2); }
// @ts-ignore: decorator
@inline function sortAt(capacity: u32): usize { return positionsAt(capacity) + (keepsPositions() ? <usize>capacity << 2 : 0); }
// @ts-ignore: decorator
@inline function cap(): u32 { return stateWord(State.CAPACITY); }

/** Where list `list` starts (grouped lists only); list + 1 gives where it ends, NLIST + 1 the removed slots' end. */
// @ts-ignore: decorator
@inline export function listStart(list: i32): u32 {
  return load<u32>(startsAt() + (<usize>list << 2));
}

/** Slot at `position`. */
// @ts-ignore: decorator
@inline export function slotAt(position: u32): u32 {
  return load<u32>(slotsAt() + (<usize>position << 2)) & SLOT_BITS;
}

/** Whether the code at `position` is tagged with its list (stored since the last regrouping). */
// @ts-ignore: decorator
@inline export function taggedAt(position: u32): bool {
  return (load<u32>(slotsAt() + (<usize>position << 2)) & TAG) != 0;
}

/** The norm terms, by position (l2). */
// @ts-ignore: decorator
@inline export function normTermsAt(): usize {
  return termsAt(cap());
}

/** Position of the code of `slot` (< COUNT): from the map when kept, else by a scan. */
export function positionOf(slot: u32): u32 {
  if (keepsPositions()) return load<u32>(positionsAt(cap()) + (<usize>slot << 2));
  let slots = slotsAt(), n = count();
  let position: u32 = 0;
  while (position < n && (load<u32>(slots + (<usize>position << 2)) & SLOT_BITS) != slot) position++;
  return position;
}

/** The list the code at `position` belongs to: its tag, else where the starts put it (NLIST: the removed slots). */
export function listAt(position: u32): u32 {
  return taggedAt(position) ? tagOf(position) : listByStarts(position);
}

/** The list a tagged code's term word holds (NLIST when out of range: a file's lie, refused by listsSound()). */
// @ts-ignore: decorator
@inline function tagOf(position: u32): u32 {
  return min<u32>(load<u32>(termsAt(cap()) + (<usize>position << 2)), <u32>nlist);
}

/** Turns counts per bucket, at words 1 … NLIST + 1 of `words` (word 0 zero), into each bucket's start. */
function countsToStarts(words: usize): void {
  for (let b = 1; b <= nlist + 1; b++) {
    let at = words + (<usize>b << 2);
    store<u32>(at, load<u32>(at) + load<u32>(at - 4));
  }
}

/** The last bucket (list, or NLIST) whose start is at or before `position`. */
function listByStarts(position: u32): u32 {
  let low: u32 = 0, high: u32 = <u32>nlist; // starts[0] = 0 <= position
  while (low < high) {
    let middle = (low + high + 1) >> 1;
    if (listStart(middle) <= position) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * The bucket of the code at `position`: NLIST for a removed slot, else its list. `list`:
 * where the old starts put it when `exact`, else a guess (listNear).
 */
function bucketAt(position: u32, list: u32, exact: bool): u32 {
  let word = load<u32>(slotsAt() + (<usize>position << 2));
  if (isDeleted(word & SLOT_BITS)) return <u32>nlist;
  if ((word & TAG) != 0) return tagOf(position);
  return exact ? list : listNear(position, list);
}

/** listByStarts(), tried first at `guess` and the bucket after it: a regrouping moves most codes by less than a list. */
function listNear(position: u32, guess: u32): u32 {
  for (let l = guess; l <= min<u32>(guess + 1, <u32>nlist); l++) {
    if (listStart(l) <= position && (l == <u32>nlist || position < listStart(l + 1))) return l;
  }
  return listByStarts(position);
}

/**
 * Gives `slot` its position for a code about to be stored in `list`, tagged with `list`:
 * an appended slot (slot = COUNT) the position of its number; an updated or reused one
 * its own if that is among the appended rows (or the lists are stale anyway), else the
 * first appended position, vacated for it (vacateToTail).
 */
export function placeRow(slot: u32, list: u32): u32 {
  let stale = stateWord(State.LISTS_STALE) == 1;
  let position = slot >= count() ? slot : positionOf(slot);
  if (!stale && position < tailStart()) position = vacateToTail(position);
  store<u32>(slotsAt() + (<usize>position << 2), slot | TAG);
  store<u32>(termsAt(cap()) + (<usize>position << 2), list);
  if (keepsPositions()) store<u32>(positionsAt(cap()) + (<usize>slot << 2), position);
  setStateWord(State.LISTS_STALE, stale ? 1 : APPENDED);
  return position;
}

/**
 * Takes the code at grouped `position` out of its bucket, without regrouping: each
 * bucket from its own on gives its last code to the gap its predecessor left, and its
 * range starts one position earlier, until the gap is the appended rows' first
 * position (returned), its code not carried: the caller stores the new one. One code
 * moved per bucket (NLIST + 1 at most) where a regrouping moves them all.
 */
function vacateToTail(position: u32): u32 {
  let codes = regionStart(Region.CODES), slots = slotsAt(), terms = termsAt(cap());
  let positions = keepsPositions() ? positionsAt(cap()) : 0;
  for (let b = listByStarts(position); b <= <u32>nlist; b++) {
    let last = listStart(b + 1) - 1, at = startsAt() + (<usize>(b + 1) << 2);
    if (last != position) {
      put(codes, slots, terms, positions, position, codes + <usize>last * codeBytesPq,
        load<u32>(slots + (<usize>last << 2)), load<u32>(terms + (<usize>last << 2)));
    }
    store<u32>(at, last);
    position = last;
  }
  return position;
}

/** State.LISTS_STALE when only appended rows wait, after the grouped ones, and removed slots in their lists. */
const APPENDED: u32 = 2;

/** Called whenever a slot changes list (a load of a file from before). */
export function markListsStale(): void {
  setStateWord(State.LISTS_STALE, 1);
}

/** Called when a slot is removed: it stays in its list, skipped by searches, until the next regrouping. */
export function markRowRemoved(): void {
  if (stateWord(State.LISTS_STALE) != 1) setStateWord(State.LISTS_STALE, APPENDED);
}

/** Whether adds or removals left the lists ungrouped. */
export function listsStale(): bool {
  return stateWord(State.LISTS_STALE) != 0;
}

/** Where rows appended since the lists were grouped start (COUNT when grouped). */
export function tailStart(): u32 {
  return listStart(nlist + 1);
}

/** Appended (or removed) rows a search passes over before it regroups the lists: each appended one costs a tag test per probed list. */
function tailLimit(grouped: u32): u32 {
  return max<u32>(256, grouped >> 8);
}

/** Whether the next search regroups: the lists are stale, or too many rows were appended or removed since. */
export function needsRegroup(): bool {
  let state = stateWord(State.LISTS_STALE), grouped = tailStart(), limit = tailLimit(grouped);
  if (state != APPENDED) return state == 1;
  let removedInLists = deletedCount() - (grouped - listStart(nlist)); // the removed bucket holds only removed slots
  return count() - grouped > limit || removedInLists > limit;
}

/**
 * Groups the lists: an American flag sort of positions 0 … COUNT-1 by bucket (list, or
 * NLIST for removed slots). The new starts are counted first; then each bucket's range
 * is filled from its start, every misplaced code carried to the next free position of its
 * own bucket, the code found there carried on in turn, until one belongs where the
 * cycle began. A position not yet filled still holds its first code, so its bucket is
 * read as before the sort (its tag, or the old starts). Tags stay: the caller replaces
 * them by norm terms (ivf.ts). `scratch`: two codes' bytes.
 */
export function regroupLists(scratch: usize): void {
  let n = count(), capacity = cap();
  let ends = sortAt(capacity), next = ends + (startsWords() << 2);
  memory.fill(ends, 0, startsWords() << 2);
  // Both passes visit positions in increasing order, so the old starts' list of each is found by walking.
  let old: u32 = 0;
  for (let p: u32 = 0; p < n; p++) {
    while (old < <u32>nlist && p >= listStart(old + 1)) old++;
    let at = ends + (<usize>(bucketAt(p, old, true) + 1) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  old = 0;
  countsToStarts(ends);
  memory.copy(next, ends, startsWords() << 2);
  let codes = regionStart(Region.CODES), bytes = codeBytesPq;
  let slots = slotsAt(), terms = termsAt(capacity);
  let positions = keepsPositions() ? positionsAt(capacity) : 0;
  let carry = scratch, landed = scratch + bytes;
  for (let b: u32 = 0; b <= <u32>nlist; b++) {
    let end = load<u32>(ends + (<usize>(b + 1) << 2)), nextB = next + (<usize>b << 2);
    while (load<u32>(nextB) < end) {
      let p = load<u32>(nextB);
      while (old < <u32>nlist && p >= listStart(old + 1)) old++;
      let into = bucketAt(p, old, true);
      store<u32>(nextB, p + 1);
      if (into == b) continue; // already in its bucket
      // Carry the code at p to its bucket, and each code it displaces to theirs, until one belongs at p.
      memory.copy(carry, codes + <usize>p * bytes, bytes);
      let word = load<u32>(slots + (<usize>p << 2)), term = load<u32>(terms + (<usize>p << 2));
      while (into != b) {
        // The next free position of bucket `into` that holds another bucket's code: codes
        // already in their bucket stay (after an add, a list's range then moves by
        // rotating one code from its start to its end, not by shifting all of them).
        let nextInto = next + (<usize>into << 2);
        let q = load<u32>(nextInto), qInto = bucketAt(q, into, false);
        while (qInto == into) qInto = bucketAt(++q, into, false);
        store<u32>(nextInto, q + 1);
        memory.copy(landed, codes + <usize>q * bytes, bytes);
        let qWord = load<u32>(slots + (<usize>q << 2)), qTerm = load<u32>(terms + (<usize>q << 2));
        put(codes, slots, terms, positions, q, carry, word, term);
        let swap = carry; carry = landed; landed = swap;
        word = qWord; term = qTerm; into = qInto;
      }
      put(codes, slots, terms, positions, p, carry, word, term);
    }
  }
  memory.copy(startsAt(), ends, startsWords() << 2);
}

function put(codes: usize, slots: usize, terms: usize, positions: usize, position: u32, code: usize, word: u32, term: u32): void {
  memory.copy(codes + <usize>position * codeBytesPq, code, codeBytesPq);
  store<u32>(slots + (<usize>position << 2), word);
  store<u32>(terms + (<usize>position << 2), term);
  if (positions != 0) store<u32>(positions + (<usize>(word & SLOT_BITS) << 2), position);
}

/** Sets the norm term of the code at `position` (0 for the dot metrics), its tag cleared. */
export function setTerm(position: u32, term: f32): void {
  let at = slotsAt() + (<usize>position << 2);
  store<u32>(at, load<u32>(at) & ~TAG);
  store<f32>(termsAt(cap()) + (<usize>position << 2), term);
}

/** Called once the lists are grouped and every tag replaced by a term. */
export function markListsGrouped(): void {
  setStateWord(State.LISTS_STALE, 0);
}

/** Writes each slot's position (the map, once kept: reservePositions). */
export function invertPositions(): void {
  let slots = slotsAt(), positions = positionsAt(cap());
  for (let p: u32 = 0, n = count(); p < n; p++) store<u32>(positions + (<usize>(load<u32>(slots + (<usize>p << 2)) & SLOT_BITS) << 2), p);
}

/**
 * Lays out the lists of a file from before (State.LIST_ORDER 0 or 1), from each slot's
 * list (the LIST_OF region it holds): codes in slot order (0), or grouped by list, each
 * list's slots in increasing order and the removed ones last (1). Every position is
 * tagged with its list and the lists are stale: the first regrouping settles them.
 * False when a list is out of range.
 */
export function adoptListOf(): bool {
  let listOf = regionStart(Region.LIST_OF), starts = startsAt(), slots = slotsAt(), terms = termsAt(cap());
  let n = count(), grouped = stateWord(State.LIST_ORDER) == 1;
  for (let slot: u32 = 0; slot < n; slot++) if (load<u32>(listOf + (<usize>slot << 2)) >= <u32>nlist) return false;
  // Grouped: a counting sort by bucket gives each slot the position the old release gave it.
  memory.fill(starts, 0, startsWords() << 2);
  for (let slot: u32 = 0; grouped && slot < n; slot++) {
    let at = starts + (<usize>(oldBucket(listOf, slot) + 1) << 2);
    store<u32>(at, load<u32>(at) + 1);
  }
  if (grouped) countsToStarts(starts);
  for (let slot: u32 = 0; slot < n; slot++) {
    let position = slot;
    if (grouped) {
      let at = starts + (<usize>oldBucket(listOf, slot) << 2);
      position = load<u32>(at);
      store<u32>(at, position + 1);
    }
    store<u32>(slots + (<usize>position << 2), slot | TAG);
    store<u32>(terms + (<usize>position << 2), load<u32>(listOf + (<usize>slot << 2)));
  }
  memory.fill(starts, 0, startsWords() << 2); // no position grouped: every one tagged
  setStateWord(State.LIST_ORDER, 2);
  markListsStale();
  return true;
}

// @ts-ignore: decorator
@inline function oldBucket(listOf: usize, slot: u32): u32 {
  return isDeleted(slot) ? <u32>nlist : load<u32>(listOf + (<usize>slot << 2));
}

/**
 * Whether the layout is one this file can describe: starts from 0 in order, up to COUNT
 * (grouped) or to the positions grouped last (stale, the rest tagged), each slot at
 * exactly one position, tags only while stale and naming a list, an untagged removed
 * slot only among the removed (or, stale, in its old list) and an untagged live one
 * only in a list, the map (when kept) agreeing.
 */
export function listsSound(): bool {
  let n = count(), stale = listsStale(), grouped = listStart(nlist + 1);
  if (listStart(0) != 0 || (stale ? grouped > n : grouped != n)) return false;
  for (let l = 0; l <= nlist; l++) if (listStart(l + 1) < listStart(l)) return false;
  let slots = slotsAt(), terms = termsAt(cap());
  let sound = true, marked: u32 = 0;
  for (; marked < n; marked++) {
    let word = load<u32>(slots + (<usize>marked << 2)), slot = word & SLOT_BITS;
    if (slot >= n || (load<u32>(slots + (<usize>slot << 2)) & MARK) != 0) { sound = false; break; } // out of range, or seen twice
    store<u32>(slots + (<usize>slot << 2), load<u32>(slots + (<usize>slot << 2)) | MARK);
  }
  for (let p: u32 = 0; p < n; p++) store<u32>(slots + (<usize>p << 2), load<u32>(slots + (<usize>p << 2)) & ~MARK);
  if (!sound) return false;
  let positions = keepsPositions() ? positionsAt(cap()) : 0;
  for (let p: u32 = 0; p < n; p++) {
    let slot = slotAt(p), removed = isDeleted(slot);
    if (positions != 0 && load<u32>(positions + (<usize>slot << 2)) != p) return false;
    if (taggedAt(p)) {
      if (!stale || (!removed && load<u32>(terms + (<usize>p << 2)) >= <u32>nlist)) return false;
    } else if (p >= grouped || ((listByStarts(p) == <u32>nlist) != removed && !(removed && stale))) return false;
  }
  return true;
}

/**
 * After a relayout for `newCapacity` slots (was `oldCapacity`): the region kept its old
 * bytes at its start, where the starts and the slots still are; the terms and the map
 * move to their new offsets, the map first (both move up, the map furthest).
 */
export function listsResized(oldCapacity: u32, newCapacity: u32): void {
  let bytes = <usize>count() << 2;
  if (keepsPositions()) memory.copy(positionsAt(newCapacity), positionsAt(oldCapacity), bytes);
  memory.copy(termsAt(newCapacity), termsAt(oldCapacity), bytes);
}
