// Filters of search(): turns an allow-list or a predicate into the bitset over slots
// that assembly/hnsw.ts reads (the filter region), so the search itself never calls
// back into JS. Used by base-index.ts search() and searchBatch().
//
//   filter region ─► ┌──────────┬──────────┬─  ─┐   bit (slot & 31) of word slot >> 5
//                    │ slots 0… │ slots 32…│ …  │   is set when the slot may be returned
//                    └──────────┴──────────┴─  ─┘

import { Region, State } from './abi.js';
import type { Core } from './core.js';
import { WannError } from './errors.js';
import { describe } from './options.js';
import { checkId } from './vectors.js';

/** Which ids a search may return: a predicate, or the allowed ids themselves. */
export type Filter = ((id: number) => boolean) | Uint32Array | ReadonlySet<number> | Iterable<number>;

/**
 * Writes the bitset of `filter` over the live slots; returns how many are allowed.
 * An allow-list costs one id lookup per entry (ids not in the index are ignored);
 * a predicate is called once per live item, whatever k or the selectivity.
 */
export function writeFilter(core: Core, filter: Filter): number {
  const status = core.x.reserveFilter();
  if (status < 0) throw WannError.fromStatus(status, 'a filtered search');
  const slots = core.state(State.COUNT);
  const words = (slots + 31) >>> 5;
  const bits = new Uint32Array(core.x.memory.buffer, core.regionPtr(Region.FILTER), words);
  bits.fill(0);
  let allowed = 0;
  if (typeof filter === 'function') {
    const labels = core.labels(), deleted = core.deletedFlags();
    for (let slot = 0; slot < slots; slot++) {
      if ((deleted !== null && deleted[slot] !== 0) || !filter(labels === null ? slot : labels[slot])) continue;
      bits[slot >>> 5] |= 1 << (slot & 31);
      allowed++;
    }
    return allowed;
  }
  if (filter === null || typeof filter !== 'object' || typeof (filter as Iterable<number>)[Symbol.iterator] !== 'function') {
    throw new WannError('INVALID_ARGUMENT',
      `filter must be a function (id) => boolean or an iterable of ids (Uint32Array, Set, array), got ${describe(filter)}`);
  }
  for (const id of filter as Iterable<number>) {
    const slot = core.x.slotOf(checkId(id, 'a filter id'));
    if (slot < 0) continue;
    const mask = 1 << (slot & 31);
    if ((bits[slot >>> 5] & mask) !== 0) continue; // listed twice
    bits[slot >>> 5] |= mask;
    allowed++;
  }
  return allowed;
}
