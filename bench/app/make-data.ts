// Writes the search app's data (bench/app/data/) from ../shared/data/mnist-784-10k:
// each .fvecs becomes raw uint8 rows (MNIST pixels are integers 0 … 255, so nothing is
// lost), gzipped. Run once; the outputs are committed. Usage: npx tsx bench/app/make-data.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { decodeVecs } from '../../src/texmex.js';

const SOURCE = new URL('../../../shared/data/mnist-784-10k/', import.meta.url);
const OUT = new URL('./data/', import.meta.url);

for (const [from, to] of [['base.fvecs', 'mnist-base.u8.gz'], ['query.fvecs', 'mnist-query.u8.gz']] as const) {
  const { n, dim, data } = decodeVecs(readFileSync(new URL(from, SOURCE)), 'fvecs', from);
  const pixels = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (!Number.isInteger(value) || value < 0 || value > 255) throw new Error(`${from}[${i}] = ${value} is not a pixel`);
    pixels[i] = value;
  }
  const packed = gzipSync(pixels, { level: 9 });
  writeFileSync(new URL(to, OUT), packed);
  console.log(`${to}: ${n} × ${dim} pixels, ${packed.length} bytes gzipped`);
}
