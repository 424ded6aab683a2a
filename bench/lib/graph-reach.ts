// How many items of an HNSW graph no search can reach: walks level 0 from the entry
// point in the graph toHnswlib() writes (hnswlib's own file layout, so nothing of wann's
// internal layout is assumed). A serial build leaves none; bench/threads.ts reports it
// beside each build's recall, since a parallel build that drops links shows up here first.

/** hnswlib's header (hnswalg.h saveIndex): ten size_t / int fields, then a double and a size_t. */
const HEADER = { count: 16, sizePerElement: 24, entry: 52, bytes: 96 } as const;

export interface Reach {
  /** Items no level-0 link points to. */
  noInLinks: number;
  /** Items a walk over level-0 links from the entry point does not reach. */
  unreachable: number;
}

/** Reachability of every item at level 0, from the bytes of index.toHnswlib(). */
export function levelZeroReach(file: Uint8Array): Reach {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const count = Number(view.getBigUint64(HEADER.count, true));
  const size = Number(view.getBigUint64(HEADER.sizePerElement, true));
  const entry = view.getUint32(HEADER.entry, true);
  if (count === 0) return { noInLinks: 0, unreachable: 0 };
  const linked = new Uint8Array(count), seen = new Uint8Array(count);
  const links = (item: number, visit: (to: number) => void) => {
    const at = HEADER.bytes + item * size;
    const degree = view.getUint32(at, true) & 0xffff; // the low 16 bits of the list's header word
    for (let j = 0; j < degree; j++) visit(view.getUint32(at + 4 + 4 * j, true));
  };
  for (let item = 0; item < count; item++) links(item, (to) => { linked[to] = 1; });
  const stack = [entry];
  seen[entry] = 1;
  let reached = 1;
  while (stack.length > 0) {
    links(stack.pop()!, (to) => {
      if (seen[to]) return;
      seen[to] = 1;
      reached++;
      stack.push(to);
    });
  }
  let noInLinks = 0;
  for (let item = 0; item < count; item++) if (!linked[item]) noInLinks++;
  return { noInLinks, unreachable: count - reached };
}
