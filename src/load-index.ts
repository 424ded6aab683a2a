// loadIndex(): loads whatever kind of index serialize() wrote, dispatching on the
// kind in the file's header. Used by callers that store indexes of both kinds.

import { Kind, State } from './abi.js';
import { FlatIndex } from './flat-index.js';
import { loadCore, type LoadOptions } from './format.js';
import { HnswIndex } from './hnsw-index.js';

/** An HnswIndex or a FlatIndex, whichever `bytes` hold; checks as HnswIndex.load(). */
export async function loadIndex(bytes: Uint8Array, options: LoadOptions = {}): Promise<HnswIndex | FlatIndex> {
  const { core, file } = await loadCore(bytes, options);
  return file.state[State.KIND] === Kind.HNSW ? HnswIndex.fromLoaded(core, file) : FlatIndex.fromLoaded(core, file);
}
