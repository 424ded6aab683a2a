// Mutable state of the index beside the regions: how many slots are used and how
// many of them are deleted, the entry point, the arena fill, and counters for
// benchmarks. Set by hnsw.ts, flat.ts, mutation.ts and restore.ts; read by index.ts.

/** Used slots: slots 0 .. count-1 hold items. */
export let count: u32 = 0;
/** Entry point of every search: a slot on the top level (HNSW only). */
export let entrySlot: u32 = 0;
/** Top level of the graph; -1 while empty. */
export let maxLevel: i32 = -1;
/** Words of the arena in use. */
export let arenaUsed: u32 = 0;
/** Deleted slots (awaiting reuse): the height of the free stack. Live items = count - deletedCount. */
export let deletedCount: u32 = 0;

/** Distance evaluations since the last resetCounters(), for benchmarks. */
export let distanceCount: f64 = 0;
/** Nodes expanded (their neighbour lists read) since the last resetCounters(). */
export let hopCount: f64 = 0;

export function setCount(value: u32): void { count = value; }
export function setEntry(slot: u32, level: i32): void { entrySlot = slot; maxLevel = level; }
export function setArenaUsed(words: u32): void { arenaUsed = words; }
export function setDeletedCount(value: u32): void { deletedCount = value; }
export function resetCounters(): void { distanceCount = 0; hopCount = 0; }
// @ts-ignore: decorator
@inline export function countDistance(): void { distanceCount += 1; }
// @ts-ignore: decorator
@inline export function countHop(): void { hopCount += 1; }
