// A one-shot XXH64 in BigInt arithmetic, from the xxHash specification: slow, and
// independent of assembly/checksum.ts, so tests can re-seal crafted files and check
// the WASM checksum against it.

const MASK = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n, P2 = 0xc2b2ae3d27d4eb4fn, P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n, P5 = 0x27d4eb2f165667c5n;

const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK;
const mul = (a: bigint, b: bigint) => (a * b) & MASK;
const round = (acc: bigint, input: bigint) => mul(rotl((acc + mul(input, P2)) & MASK, 31n), P1);

export function xxh64(bytes: Uint8Array): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (at: number) => view.getBigUint64(at, true);
  let p = 0;
  let h: bigint;
  if (bytes.length >= 32) {
    let v = [(P1 + P2) & MASK, P2, 0n, (0n - P1) & MASK];
    for (; p + 32 <= bytes.length; p += 32) v = v.map((lane, i) => round(lane, u64(p + 8 * i)));
    h = (rotl(v[0], 1n) + rotl(v[1], 7n) + rotl(v[2], 12n) + rotl(v[3], 18n)) & MASK;
    for (const lane of v) h = (mul(h ^ round(0n, lane), P1) + P4) & MASK;
  } else {
    h = P5;
  }
  h = (h + BigInt(bytes.length)) & MASK;
  for (; p + 8 <= bytes.length; p += 8) h = (mul(rotl(h ^ round(0n, u64(p)), 27n), P1) + P4) & MASK;
  if (p + 4 <= bytes.length) {
    h = (mul(rotl(h ^ mul(BigInt(view.getUint32(p, true)), P1), 23n), P2) + P3) & MASK;
    p += 4;
  }
  for (; p < bytes.length; p++) h = mul(rotl(h ^ mul(BigInt(bytes[p]), P5), 11n), P1);
  h ^= h >> 33n;
  h = mul(h, P2);
  h ^= h >> 29n;
  h = mul(h, P3);
  return h ^ (h >> 32n);
}
