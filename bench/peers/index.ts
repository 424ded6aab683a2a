// loadPeers(): every benchmark peer that imports and initialises here, and why the others do not.
import { createHnswJsPeer } from './hnsw-js.js';
import { createHnswlibNodePeer } from './hnswlib-node.js';
import { createHnswlibWasmPeer } from './hnswlib-wasm.js';
import type { AnnPeer, UnavailablePeer } from './types.js';
import { createUsearchPeer } from './usearch.js';

export type { AnnPeer, BuildOptions, PeerMetric, UnavailablePeer } from './types.js';

/** Each factory imports its package dynamically, so a missing or broken one throws here, not at startup. */
const FACTORIES: ReadonlyArray<[name: string, create: () => Promise<AnnPeer>]> = [
  ['hnswlib-node', createHnswlibNodePeer],
  ['hnswlib-wasm', createHnswlibWasmPeer],
  ['usearch', createUsearchPeer],
  ['hnsw', createHnswJsPeer],
];

/**
 * Loads the peers named in `only` (default: all). A peer that fails to install, import or
 * initialise is listed in `unavailable` with its error, never thrown: one broken native
 * addon must not stop the benchmark of the others.
 */
export async function loadPeers(only?: readonly string[]): Promise<{ peers: AnnPeer[]; unavailable: UnavailablePeer[] }> {
  const peers: AnnPeer[] = [];
  const unavailable: UnavailablePeer[] = [];
  for (const name of only ?? []) {
    if (!FACTORIES.some(([known]) => known === name)) unavailable.push({ name, reason: `unknown peer (known: ${FACTORIES.map(([n]) => n).join(', ')})` });
  }
  for (const [name, create] of FACTORIES) {
    if (only && !only.includes(name)) continue;
    try {
      peers.push(await create());
    } catch (err) {
      unavailable.push({ name, reason: err instanceof Error ? err.message.split('\n')[0] : String(err) });
    }
  }
  return { peers, unavailable };
}
