// Graph integrity check for tests (after hnswlib's checkIntegrity): every link
// points to a used slot on a level it has, no self-links or repeated links, degree
// bounds hold, the entry point is on the top level, the id table finds every slot.
// Called by index.ts checkIntegrity(); reads only.

import { Kind } from '../src/abi';
import { kind, M, M0, labelsPtr } from './layout';
import { count, entrySlot, maxLevel } from './state';
import { levelOf, linksPtr } from './hnsw';
import { findSlot } from './idmap';

export const INTEGRITY_OK = 0;
export const BAD_ENTRY = 1;
export const TOO_MANY_LINKS = 2;
export const LINK_OUT_OF_RANGE = 3;
export const SELF_LINK = 4;
export const LINK_BELOW_LEVEL = 5;
export const REPEATED_LINK = 6;
export const ID_TABLE_MISMATCH = 7;
export const LEVEL_ABOVE_TOP = 8;

/** 0 when the index is consistent, otherwise the first problem found. */
export function checkIntegrity(): i32 {
  for (let slot: u32 = 0; slot < count; slot++) {
    if (findSlot(load<u32>(labelsPtr + (<usize>slot << 2))) != <i32>slot) return ID_TABLE_MISMATCH;
  }
  if (kind != Kind.HNSW || count == 0) return INTEGRITY_OK;
  if (entrySlot >= count || levelOf(entrySlot) != maxLevel) return BAD_ENTRY;
  for (let slot: u32 = 0; slot < count; slot++) {
    let top = levelOf(slot);
    if (top > maxLevel) return LEVEL_ABOVE_TOP;
    for (let level = 0; level <= top; level++) {
      let links = linksPtr(slot, level);
      let n = load<u32>(links);
      if (n > <u32>(level == 0 ? M0 : M)) return TOO_MANY_LINKS;
      for (let i: u32 = 0; i < n; i++) {
        let next = load<u32>(links + 4 + (<usize>i << 2));
        if (next >= count) return LINK_OUT_OF_RANGE;
        if (next == slot) return SELF_LINK;
        if (levelOf(next) < level) return LINK_BELOW_LEVEL;
        for (let j: u32 = 0; j < i; j++) {
          if (load<u32>(links + 4 + (<usize>j << 2)) == next) return REPEATED_LINK;
        }
      }
    }
  }
  return INTEGRITY_OK;
}
