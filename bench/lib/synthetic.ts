// Seeded synthetic clustered vectors (gaussian blobs) for benchmarks; called by bench/lib/data.ts.

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): tiny, fast and good enough for test
 * data. Our own copy so a dataset depends only on its seed, never on Math.random.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box-Muller; the second value of each pair is kept for the next call. */
export function gaussian(uniform: () => number): () => number {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const value = spare;
      spare = NaN;
      return value;
    }
    const u = 1 - uniform(); // in (0, 1]: log(0) would give Infinity
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

export interface SyntheticOptions {
  n: number;
  queries: number;
  dim: number;
  /** Number of blobs; default 100. */
  clusters?: number;
  seed?: number;
  /** Standard deviation of a blob around its centre; centres are N(0, 1) per coordinate. Default 0.5. */
  sigma?: number;
}

export interface SyntheticData {
  base: Float32Array;
  queries: Float32Array;
  centres: Float32Array;
}

/**
 * Gaussian blobs around random centres, deterministic given the seed. Queries are drawn
 * from the same mixture after the base rows, so they fall near the data as real queries
 * do (a query far from every cluster makes HNSW look better than it is).
 */
export function syntheticClustered(opts: SyntheticOptions): SyntheticData {
  const { n, queries, dim, clusters = 100, seed = 42, sigma = 0.5 } = opts;
  for (const [name, value] of Object.entries({ n, queries, dim, clusters })) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  }
  if (dim === 0 || clusters === 0) throw new Error(`dim and clusters must be positive, got dim ${dim}, clusters ${clusters}`);
  const uniform = mulberry32(seed);
  const normal = gaussian(uniform);

  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = normal();

  const sample = (rows: number): Float32Array => {
    const out = new Float32Array(rows * dim);
    for (let i = 0; i < rows; i++) {
      const c = Math.floor(uniform() * clusters) * dim;
      for (let j = 0; j < dim; j++) out[i * dim + j] = centres[c + j] + sigma * normal();
    }
    return out;
  };
  const base = sample(n);
  return { base, queries: sample(queries), centres };
}

export interface HardOptions {
  n: number;
  queries: number;
  dim: number;
  seed?: number;
  /**
   * Spectrum decay: coordinate i (before rotation) has standard deviation (i + 1)^-decay.
   * 0 is isotropic (intrinsic dimension = dim, the hardest case); larger values concentrate
   * variance in fewer directions, as real embeddings do. Default 0.5.
   */
  decay?: number;
}

/**
 * A set on which HNSW recall does not saturate: one gaussian (no clusters to hop
 * between) with a slowly decaying spectrum, so its intrinsic dimension stays high, turned
 * by a seeded random rotation so no coordinate is special to quantizers. Queries come from
 * the same distribution. Deterministic given the options.
 */
export function syntheticHard(opts: HardOptions): SyntheticData {
  const { n, queries, dim, seed = 42, decay = 0.5 } = opts;
  for (const [name, value] of Object.entries({ n, queries, dim })) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  }
  if (dim === 0) throw new Error('dim must be positive');
  const normal = gaussian(mulberry32(seed));
  const rotation = randomRotation(dim, normal);
  const scale = new Float64Array(dim);
  for (let i = 0; i < dim; i++) scale[i] = (i + 1) ** -decay;

  const z = new Float64Array(dim);
  const sample = (rows: number): Float32Array => {
    const out = new Float32Array(rows * dim);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < dim; i++) z[i] = scale[i] * normal();
      // out = R z, R row-major: one dot product per output coordinate.
      for (let j = 0; j < dim; j++) {
        let sum = 0;
        const row = j * dim;
        for (let i = 0; i < dim; i++) sum += rotation[row + i] * z[i];
        out[r * dim + j] = sum;
      }
    }
    return out;
  };
  const base = sample(n);
  return { base, queries: sample(queries), centres: new Float32Array(0) };
}

/** A random orthogonal dim × dim matrix (row-major): Gram-Schmidt on gaussian rows. */
function randomRotation(dim: number, normal: () => number): Float64Array {
  const m = new Float64Array(dim * dim);
  for (let i = 0; i < m.length; i++) m[i] = normal();
  for (let r = 0; r < dim; r++) {
    const row = r * dim;
    for (let p = 0; p < r; p++) {
      const prev = p * dim;
      let dot = 0;
      for (let i = 0; i < dim; i++) dot += m[row + i] * m[prev + i];
      for (let i = 0; i < dim; i++) m[row + i] -= dot * m[prev + i];
    }
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += m[row + i] * m[row + i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < dim; i++) m[row + i] /= norm;
  }
  return m;
}
