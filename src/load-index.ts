// loadIndex() and openIndex(): load whatever kind of index serialize() wrote, from bytes
// or from a source (src/persist.ts), dispatching on the kind in the file's header. Used
// by callers that store indexes of several kinds.

import { Kind, State } from './abi.js';
import type { Core } from './core.js';
import { FlatIndex } from './flat-index.js';
import { loadCore, type LoadedFile, type LoadOptions } from './format.js';
import { HnswIndex } from './hnsw-index.js';
import { IvfIndex } from './ivf-index.js';
import { readIndex, type IndexSource } from './persist.js';

/** An HnswIndex, a FlatIndex or an IvfIndex, whichever `bytes` hold; checks as HnswIndex.load(). */
export async function loadIndex(bytes: Uint8Array, options: LoadOptions = {}): Promise<HnswIndex | FlatIndex | IvfIndex> {
  const { core, file } = await loadCore(bytes, options);
  return fromFile(core, file);
}

/** An HnswIndex, a FlatIndex or an IvfIndex, whichever `source` holds; checks as HnswIndex.openFrom(). */
export async function openIndex(source: IndexSource, options: LoadOptions = {}): Promise<HnswIndex | FlatIndex | IvfIndex> {
  const { core, file } = await readIndex(source, options);
  return fromFile(core, file);
}

function fromFile(core: Core, file: LoadedFile): HnswIndex | FlatIndex | IvfIndex {
  const kind = file.state[State.KIND];
  return kind === Kind.HNSW ? HnswIndex.fromLoaded(core, file) : kind === Kind.IVF ? IvfIndex.fromLoaded(core, file) : FlatIndex.fromLoaded(core, file);
}
