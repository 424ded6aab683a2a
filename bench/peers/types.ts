// The uniform interface every benchmark peer adapter implements; used by bench/peers/*.ts and the bench scripts.

export type PeerMetric = 'l2' | 'ip';

export interface BuildOptions {
  M: number;
  efConstruction: number;
  metric: PeerMetric;
  seed: number;
}

export interface AnnPeer {
  /** npm package name, e.g. 'hnswlib-node'. */
  name: string;
  /** Installed package version, read from its package.json. */
  version: string;
  /** 'native' (C++ addon), 'wasm' or 'js', for grouping in reports. */
  kind: 'native' | 'wasm' | 'js';
  /** Metrics the package supports; a bench skips the peer for any other. */
  metrics: readonly PeerMetric[];
  /** Builds a fresh index over n rows of base (row i gets id i), single-threaded; drops any previous index. */
  build(base: Float32Array, n: number, dim: number, opts: BuildOptions): Promise<void> | void;
  /** Ids of up to k nearest rows, nearest first, searching with beam width ef (raised to k where the peer requires). */
  search(query: Float32Array, k: number, ef: number): Uint32Array | number[];
  /** Bytes the index holds, where the peer can tell (WASM memory size, for example). */
  memoryBytes?(): number;
  /**
   * Bytes of the peer's own saved index (vectors + links + labels), where it can save one:
   * the least memory its data structure needs, to compare memoryBytes with.
   */
  indexBytes?(): number;
  /** Distance evaluations and expanded nodes since the last call, where the peer counts them. */
  takeCounters?(): { distances: number; hops: number };
  /** Frees the index; the peer can be built again afterwards. */
  dispose?(): void;
}

/** A peer that could not be imported or initialised, with the reason to print. */
export interface UnavailablePeer {
  name: string;
  reason: string;
}
