// Creating, loading and growing an index: fixes the parameters in the state record,
// sizes every region for a capacity, a search width and an arena, then re-places the
// working memory and rehashes the ids. The only caller of layout.relayout(). Called by
// index.ts (init, reserve, reserveEf, restoreLayout) and graph.ts (arena growth).

import { Kind, Region, State, Status } from '../src/abi';
import { regionBytes, regionStart, relayout } from './layout';
import { batchBytes, batchK, batchRows, setBatchShape } from './batch';
import { deriveParameters, efConstruction, graph, initialized, M, upperWords } from './params';
import { capacity, count, deletedCount, setEntry, setRandomState, setStateWord, stateWord } from './state';
import { deriveStorage, groupBytes, groupsQueries, ivf, needsTraining, preparedBytes } from './storage';
import { placeContexts } from './context';
import { labelsImplicit, rebuildIdTable, tableSizeFor } from './idmap';
import { setWanted, wantedTotal } from './regions';
import { invertPositions, listsResized } from './ivf-lists';

/** Working memory always holds searches this wide. */
const MIN_EF_MAX = 64;
/** What a load may reserve beyond twice the slots its file holds: a file's capacity is a wish. */
const LOAD_BUDGET_BYTES: u64 = 16 << 20;
/** Largest slot count or ef considered; anything above cannot fit in 4 GiB. */
const MAX_COUNT: u64 = 1 << 30;

/**
 * Sets the parameters of a new index and sizes it for `capacity` items. Returns a
 * Status; ALREADY_INITIALIZED when the instance holds an index.
 */
export function init(
  kind: i32, metric: i32, storage: i32, dim: i32, M: i32, efConstruction: i32,
  seed: u64, capacity: u32, keepVectors: i32, pqM: i32, pqBits: i32, nlist: i32,
): i32 {
  if (initialized()) return Status.ALREADY_INITIALIZED;
  let graph = kind == Kind.HNSW;
  setStateWord(State.KIND, kind);
  setStateWord(State.METRIC, metric);
  setStateWord(State.STORAGE, storage);
  setStateWord(State.DIM, dim);
  setStateWord(State.M, graph ? M : 0);
  setStateWord(State.EF_CONSTRUCTION, graph ? efConstruction : 0);
  setStateWord(State.KEEP_VECTORS, keepVectors);
  setStateWord(State.PQ_M, pqM);
  setStateWord(State.PQ_BITS, pqBits);
  setStateWord(State.NLIST, nlist);
  setStateWord(State.LIST_ORDER, kind == Kind.IVF ? 2 : 0);
  setStateWord(State.TRAINED, needsTraining(storage) ? 0 : 1);
  setStateWord(State.LABELS_ARE_SLOTS, 1); // until an id differs from its slot: no labels, no id table
  setEntry(0, -1);
  setRandomState(seed);
  deriveParameters();
  deriveStorage();
  return resize(capacity, MIN_EF_MAX, graph ? expectedArenaWords(capacity) : 0);
}

/** Bytes one more slot adds to the regions (regions.ts), for the load budget. */
function slotBytes(): u64 {
  return max<u64>(wantedTotal(1024) - wantedTotal(0), 1024) / 1024;
}

/**
 * Sizes every region for the state record src/ wrote from a file, in one memory.grow.
 * The file's capacity is only a wish: a load reserves at most twice the slots the file
 * holds, or 16 MiB's worth, whichever is more, so a small file can never reserve
 * gigabytes; the index grows again as items are added. src/ has checked the parameters.
 */
export function restoreLayout(): i32 {
  if (initialized()) return Status.ALREADY_INITIALIZED;
  deriveParameters();
  deriveStorage();
  let slots = <u64>stateWord(State.COUNT);
  let affordable = max<u64>(2 * slots, LOAD_BUDGET_BYTES / slotBytes());
  let capacity = <u32>max<u64>(min<u64>(<u64>stateWord(State.CAPACITY), affordable), 1);
  let arena = max(stateWord(State.ARENA_USED), graph ? expectedArenaWords(capacity) : 0);
  setStateWord(State.REMOVAL_ROOM, deletedCount() > 0 ? 1 : 0);
  setStateWord(State.GROUP_ROOM, 0);
  setStateWord(State.FILTER_ROOM, 0);
  // No rehash yet: the labels are not in place until src/ has copied the regions (restore.ts).
  return resize(capacity, MIN_EF_MAX, arena, false);
}

/** Makes room for at least `wanted` slots. */
export function reserveSlots(wanted: u32): i32 {
  if (wanted <= capacity()) return Status.OK;
  let arena = max(stateWord(State.ARENA_WORDS), stateWord(State.KIND) == Kind.HNSW ? expectedArenaWords(wanted) : 0);
  return resize(wanted, <i32>stateWord(State.EF_MAX), arena);
}

/** Makes the working memory hold searches with ef (or k) up to `ef`. */
export function reserveEf(ef: i32): i32 {
  if (ef <= <i32>stateWord(State.EF_MAX)) return Status.OK;
  return resize(capacity(), ef, stateWord(State.ARENA_WORDS));
}

/**
 * Gives an index whose labels were its slot numbers the LABELS and ID_TABLE regions,
 * before an add gives a slot another id (mutation.ts). Returns a Status; on failure
 * nothing changed.
 */
export function reserveLabels(): i32 {
  if (!labelsImplicit()) return Status.OK;
  setStateWord(State.LABELS_ARE_SLOTS, 0);
  let status = resize(capacity(), <i32>stateWord(State.EF_MAX), stateWord(State.ARENA_WORDS), false);
  if (status != Status.OK) {
    setStateWord(State.LABELS_ARE_SLOTS, 1);
    return status;
  }
  let labels = regionStart(Region.LABELS);
  for (let slot: u32 = 0, n = count(); slot < n; slot++) store<u32>(labels + (<usize>slot << 2), slot);
  rebuildIdTable();
  return Status.OK;
}

/** Gives the index the DELETED and FREE regions, before its first removal (mutation.ts). */
export function reserveRemovals(): i32 {
  return reserveRoom(State.REMOVAL_ROOM);
}

/** Gives the index the FILTER region, before its first filtered search (src/filter.ts). */
export function reserveFilter(): i32 {
  return reserveRoom(State.FILTER_ROOM);
}

/** Gives an IvfIndex its map from slot to position (ivf-lists.ts), before calls that find rows by slot many times; once. */
export function reservePositions(): i32 {
  if (!ivf || stateWord(State.POSITION_ROOM) != 0) return Status.OK;
  let status = reserveRoom(State.POSITION_ROOM);
  if (status == Status.OK) invertPositions();
  return status;
}

/** Sets `room` (a State word regions.ts sizes regions by) and lays the regions out for it, once; on failure nothing changed. */
function reserveRoom(room: State): i32 {
  if (stateWord(room) != 0) return Status.OK;
  setStateWord(room, 1);
  let status = resize(capacity(), <i32>stateWord(State.EF_MAX), stateWord(State.ARENA_WORDS));
  if (status != Status.OK) setStateWord(room, 0);
  return status;
}

/** Makes the arena hold at least `words`, growing by half again so growth is amortised. */
export function reserveArena(words: u32): i32 {
  let now = stateWord(State.ARENA_WORDS);
  if (words <= now) return Status.OK;
  let wanted = <u32>min<u64>(max<u64>(<u64>words, <u64>now + (<u64>now >> 1) + 1024), 0xffffffff);
  return resize(capacity(), <i32>stateWord(State.EF_MAX), wanted);
}

/**
 * Makes the TRAINING region hold a sample of `rows` rows ('pq'): the sample and
 * k-means' arrays. Used in a scratch instance only (src/pq-training.ts), whose memory is
 * dropped afterwards.
 */
export function reserveTraining(rows: u32): i32 {
  setStateWord(State.TRAIN_ROWS, rows);
  let status = resize(capacity(), <i32>stateWord(State.EF_MAX), stateWord(State.ARENA_WORDS));
  if (status != Status.OK) setStateWord(State.TRAIN_ROWS, 0);
  return status;
}

/** Makes the TRAINING region hold a renumbering of `slots` slots (assembly/reorder.ts). */
export function reserveReorder(slots: u32): i32 {
  setStateWord(State.REORDER_SLOTS, slots);
  let status = resize(capacity(), <i32>stateWord(State.EF_MAX), stateWord(State.ARENA_WORDS));
  if (status != Status.OK) setStateWord(State.REORDER_SLOTS, 0);
  return status;
}

/**
 * Makes the CONTEXT region hold `contexts` contexts (one per thread, and the caller's)
 * and, past one, a lock per slot. Before init() or a load, only notes them, so the
 * first layout has them: adding contexts later moves every region.
 */
export function reserveContexts(contexts: u32): i32 {
  if (contexts > 256) return Status.TOO_LARGE;
  if (!initialized()) {
    setStateWord(State.CONTEXTS_WANTED, contexts);
    return Status.OK;
  }
  if (contexts <= stateWord(State.CONTEXTS)) return Status.OK; // never fewer: a worker may hold its context
  return resize(capacity(), <i32>stateWord(State.EF_MAX), stateWord(State.ARENA_WORDS), true, contexts);
}

/**
 * Makes the BATCH region hold `rows` rows and `k` results each (assembly/batch.ts); a
 * search (`k` > 0) over a storage that scans query groups also gets its group areas.
 */
export function reserveBatch(rows: u32, k: u32): i32 {
  if (<u64>rows * <u64>max<u32>(k, 1) > MAX_COUNT) return Status.TOO_LARGE;
  let oldRows = batchRows(), oldK = batchK(), oldGroups = stateWord(State.GROUP_ROOM);
  setBatchShape(rows, k);
  if (k > 0 && groupsQueries()) setStateWord(State.GROUP_ROOM, 1);
  if (batchBytes() <= <u64>regionBytes(Region.BATCH) && stateWord(State.GROUP_ROOM) == oldGroups) return Status.OK;
  let status = resize(capacity(), <i32>stateWord(State.EF_MAX), stateWord(State.ARENA_WORDS));
  if (status != Status.OK) {
    setBatchShape(oldRows, oldK);
    setStateWord(State.GROUP_ROOM, oldGroups);
  }
  return status;
}

/** Expected upper-level words for n items: P(level >= 1) = 1/M, geometric above. */
function expectedArenaWords(n: u32): u32 {
  return <u32>min<f64>(<f64>n / <f64>(M - 1) * <f64>upperWords + 1024, 0xffffffff);
}

/**
 * Sizes the regions (never shrinking them) for `newCapacity` slots, searches `newEfMax`
 * wide and `newArenaWords` of upper links, then re-places the context and, when
 * `rehash`, rehashes the ids if the table changed size. Returns a Status; on failure nothing changed.
 */
function resize(newCapacity: u32, newEfMax: i32, newArenaWords: u32, rehash: bool = true,
  contexts: u32 = max<u32>(max<u32>(stateWord(State.CONTEXTS), stateWord(State.CONTEXTS_WANTED)), 1)): i32 {
  if (<u64>newCapacity > MAX_COUNT || newEfMax < 1 || <u64>newEfMax > MAX_COUNT) return Status.TOO_LARGE;
  // An insertion's beam holds at most min(efConstruction, slots) results: keep room for
  // that, and no more, so a huge efConstruction costs memory only as the index grows.
  newEfMax = max(newEfMax, min(efConstruction, <i32>newCapacity));
  let oldTableSize = stateWord(State.TABLE_SIZE);
  let oldCapacity = capacity(), listed = regionBytes(Region.LISTS) > 0; // IVF lists laid out already (not a load)
  let tableSize = labelsImplicit() ? 0 : max<u64>(tableSizeFor(<u64>newCapacity), <u64>oldTableSize);
  setWanted(newCapacity, newEfMax, newArenaWords, tableSize, contexts);
  let status = relayout();
  if (status != Status.OK) return status;
  let capacityChanged = newCapacity != capacity();
  setStateWord(State.CAPACITY, newCapacity);
  setStateWord(State.EF_MAX, newEfMax);
  setStateWord(State.ARENA_WORDS, newArenaWords);
  setStateWord(State.TABLE_SIZE, <u32>tableSize);
  placeContexts(regionStart(Region.CONTEXT), newEfMax, newCapacity, preparedBytes(), groupBytes(newEfMax), contexts);
  if (capacityChanged && listed) listsResized(oldCapacity, newCapacity); // IVF lists are laid out by capacity
  if (rehash && <u32>tableSize != oldTableSize) rebuildIdTable();
  return Status.OK;
}
