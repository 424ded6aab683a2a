// Seeded PRNG (SplitMix64) and HNSW level sampling. Same seed => same levels =>
// same graph. Called by hnsw.ts add(); the state is part of a saved index.

let state: u64 = 0;

/** Restarts the sequence. Called by index.ts init(). */
export function seedRandom(seed: u64): void {
  state = seed;
}

/** The current state, for serialization. */
export function randomState(): u64 {
  return state;
}

/** Next 64 random bits (Steele, Lea & Flood, SplitMix64). */
function next(): u64 {
  state += 0x9e3779b97f4a7c15;
  let z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** level = floor(-ln(U) * mL) with U uniform in (0, 1] (Malkov & Yashunin, Alg. 1). */
export function randomLevel(mL: f64): i32 {
  let unit = 1.0 - <f64>(next() >> 11) * 1.1102230246251565e-16; // (0, 1], 53 bits
  return <i32>Math.floor(-Math.log(unit) * mL);
}
