// loadIndex(): loads whatever kind of index serialize() wrote, dispatching on the
// kind in the file's header. Used by callers that store indexes of several kinds.

import { Kind, State } from './abi.js';
import { FlatIndex } from './flat-index.js';
import { loadCore, type LoadOptions } from './format.js';
import { HnswIndex } from './hnsw-index.js';
import { IvfIndex } from './ivf-index.js';

/** An HnswIndex, a FlatIndex or an IvfIndex, whichever `bytes` hold; checks as HnswIndex.load(). */
export async function loadIndex(bytes: Uint8Array, options: LoadOptions = {}): Promise<HnswIndex | FlatIndex | IvfIndex> {
  const { core, file } = await loadCore(bytes, options);
  const kind = file.state[State.KIND];
  return kind === Kind.HNSW ? HnswIndex.fromLoaded(core, file) : kind === Kind.IVF ? IvfIndex.fromLoaded(core, file) : FlatIndex.fromLoaded(core, file);
}
