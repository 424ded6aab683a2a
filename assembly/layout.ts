// Region mechanics: the region table (start and size of each region of src/abi.ts
// Region), moving regions when sizes change, and growing memory. The only caller of
// memory.grow. What each region holds and how big it must be is decided elsewhere
// (regions.ts); resize.ts calls relayout().
//
//  __heap_base                                                                   memory end
//  ┌─────────┬───────┬─────┬───────┬────────┬────────┬────────┬──────────┬─  ─┬───────┐
//  │ context │ codes │ raw │ quant │ links0 │ labels │ levels │ upperOff │ …  │ arena │
//  └─────────┴───────┴─────┴───────┴────────┴────────┴────────┴──────────┴─  ─┴───────┘
//  Regions lie in Region order, each 16-byte aligned. Sizes never shrink, so growing
//  moves every region up or leaves it: moving from the last region to the first never
//  overwrites data still to be moved.
//
//   regionTable ─► ┌──────────┬──────────┬──────────┬──────────┬─  ─┐   u32 pairs, one
//                  │ start 0  │ bytes 0  │ start 1  │ bytes 1  │ …  │   per region
//                  └──────────┴──────────┴──────────┴──────────┴─  ─┘

import { Region, Status } from '../src/abi';

const ALIGN: u64 = 64;
const PAGE_BYTES: u64 = 65536;
const MAX_PAGES: u64 = 65536; // wasm32: 4 GiB

const regionTable = memory.data(Region.COUNT * 8, 16);
const newTable = memory.data(Region.COUNT * 8, 16);
/** Bytes each region should have after the next relayout(), as u64: filled by resize.ts. */
export const wantedBytes = memory.data(Region.COUNT * 8, 16);

/** Start of region `region`. */
// @ts-ignore: decorator
@inline export function regionStart(region: i32): usize {
  return <usize>load<u32>(regionTable + (<usize>region << 3));
}

/** Bytes region `region` holds. */
// @ts-ignore: decorator
@inline export function regionBytes(region: i32): usize {
  return <usize>load<u32>(regionTable + (<usize>region << 3), 4);
}

// @ts-ignore: decorator
@inline function align(bytes: u64): u64 {
  return (bytes + ALIGN - 1) & ~(ALIGN - 1);
}

/**
 * Gives every region the size in wantedBytes (never less than it has), moving the
 * regions' contents into place and zeroing what is new. Returns Status.OK, or
 * TOO_LARGE / OUT_OF_MEMORY with nothing changed.
 */
export function relayout(): i32 {
  let end: u64 = align(<u64>__heap_base);
  for (let r = 0; r < Region.COUNT; r++) {
    let wanted = max(load<u64>(wantedBytes + (<usize>r << 3)), <u64>regionBytes(r));
    store<u64>(wantedBytes + (<usize>r << 3), wanted);
    end += align(wanted);
  }
  if (end > MAX_PAGES * PAGE_BYTES) return Status.TOO_LARGE;
  let pagesNeeded = <i32>((end + PAGE_BYTES - 1) / PAGE_BYTES);
  let pagesNow = memory.size();
  if (pagesNeeded > pagesNow && memory.grow(pagesNeeded - pagesNow) < 0) return Status.OUT_OF_MEMORY;
  // Fresh pages from memory.grow are zero already: only bytes below the old end need
  // zeroing (a load sizes everything in one grow, and filling it again cost 60 ms per 100 MB).
  let oldEnd = <usize>pagesNow * <usize>PAGE_BYTES;

  let start = <usize>align(<u64>__heap_base);
  for (let r = 0; r < Region.COUNT; r++) {
    let bytes = <usize>load<u64>(wantedBytes + (<usize>r << 3));
    store<u32>(newTable + (<usize>r << 3), <u32>start);
    store<u32>(newTable + (<usize>r << 3), <u32>bytes, 4);
    start += <usize>align(<u64>bytes);
  }
  for (let r = Region.COUNT - 1; r >= 0; r--) {
    let from = regionStart(r), to = <usize>load<u32>(newTable + (<usize>r << 3));
    let keep = regionBytes(r);
    if (keep > 0 && from != to) memory.copy(to, from, keep);
  }
  for (let r = 0; r < Region.COUNT; r++) {
    let to = <usize>load<u32>(newTable + (<usize>r << 3));
    let bytes = <usize>load<u32>(newTable + (<usize>r << 3), 4);
    let keep = regionBytes(r);
    let zeroEnd = min(to + bytes, oldEnd);
    if (to + keep < zeroEnd) memory.fill(to + keep, 0, zeroEnd - (to + keep));
  }
  memory.copy(regionTable, newTable, Region.COUNT * 8);
  return Status.OK;
}
