// loadIndex(): loads whatever kind of index serialize() wrote, dispatching on the
// kind in the file's header. Used by callers that store indexes of both kinds.

import { Kind } from './abi.js';
import { FlatIndex } from './flat-index.js';
import { loadCore, type LoadOptions } from './format.js';
import { HnswIndex } from './hnsw-index.js';

/** An HnswIndex or a FlatIndex, whichever `bytes` hold; checks as HnswIndex.load(). */
export async function loadIndex(bytes: Uint8Array, options: LoadOptions = {}): Promise<HnswIndex | FlatIndex> {
  const { x, header } = await loadCore(bytes, options);
  return header.kind === Kind.HNSW ? HnswIndex.fromLoaded(x, header) : FlatIndex.fromLoaded(x, header);
}
