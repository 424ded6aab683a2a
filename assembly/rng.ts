// Seeded PRNG (SplitMix64) and HNSW level sampling. Same seed => same levels =>
// same graph. The generator's state lives in the state record (state.ts), so a saved
// index goes on drawing the same levels. Called by hnsw.ts insertion.

import { randomState, setRandomState } from './state';

/** Next 64 random bits (Steele, Lea & Flood, SplitMix64). */
function next(): u64 {
  let seed = randomState() + 0x9e3779b97f4a7c15;
  setRandomState(seed);
  let z = seed;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** level = floor(-ln(U) * mL) with U uniform in (0, 1] (Malkov & Yashunin, Alg. 1). */
export function randomLevel(mL: f64): i32 {
  let unit = 1.0 - <f64>(next() >> 11) * 1.1102230246251565e-16; // (0, 1], 53 bits
  return <i32>Math.floor(-Math.log(unit) * mL);
}
