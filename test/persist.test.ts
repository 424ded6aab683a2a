// The streaming pair (src/persist.ts): saveTo() writes exactly serialize()'s bytes in
// chunks no larger than WRITE_CHUNK, straight from WASM memory; openFrom() reads any
// source (sized or not, short reads) into an index answering identically, and refuses
// damaged files with the codes load() gives; an index being saved refuses changes and
// searches (BUSY); failing sinks are aborted. OPFS and IndexedDB are test/browser-io.test.ts.

import { describe, expect, test } from 'vitest';
import { bytesSource, FlatIndex, HnswIndex, IvfIndex, openIndex, WannError, type IndexSink, type IndexSource } from '../src/index.ts';
import { WRITE_CHUNK } from '../src/persist.ts';
import { seededVectors } from './helpers/data.ts';
import { expectWannRejection } from './helpers/expect.ts';

/** Byte equality without vitest's element-by-element diff (slow on megabytes). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** A sink keeping copies of what it is given (as a file would), optionally async. */
function collectingSink(options: { async?: boolean } = {}) {
  const chunks: Uint8Array[] = [];
  let closed = false, aborted: unknown;
  const sink: IndexSink = {
    write(chunk) {
      chunks.push(chunk.slice());
      return options.async ? new Promise((resolve) => setTimeout(resolve, 1)) : undefined;
    },
    close() {
      closed = true;
    },
    abort(reason) {
      aborted = reason;
    },
  };
  return {
    sink, chunks,
    get closed() { return closed; },
    get aborted() { return aborted; },
    bytes(): Uint8Array {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const chunk of chunks) { out.set(chunk, at); at += chunk.length; }
      return out;
    },
  };
}

/** A source over `bytes` that does not say its size and hands out at most `step` bytes per read, asynchronously. */
function tricklingSource(bytes: Uint8Array, step: number): IndexSource & { closed: boolean } {
  return {
    closed: false,
    async read(into, position) {
      const part = bytes.subarray(position, position + Math.min(step, into.length));
      into.set(part);
      return part.length;
    },
    close() {
      this.closed = true;
    },
  };
}

const data = seededVectors({ n: 3000, queries: 20, dim: 24, seed: 5 });

describe.each(['f32', 'i8'] as const)('saveTo / openFrom (%s rows)', (storage) => {
  test('saveTo writes serialize()\'s bytes; openFrom from a sized or a trickling source answers identically', async () => {
    const index = await HnswIndex.create({ dim: 24, seed: 5, storage });
    index.addBatch(data.base);
    const saved = collectingSink();
    await index.saveTo(saved.sink);
    expect(saved.closed).toBe(true);
    expect(sameBytes(saved.bytes(), index.serialize())).toBe(true);
    const expected = index.searchBatch(data.queries, 10, { ef: 50 });
    for (const source of [bytesSource(saved.bytes()), tricklingSource(saved.bytes(), 777)]) {
      const again = await HnswIndex.openFrom(source);
      expect(again.searchBatch(data.queries, 10, { ef: 50 })).toEqual(expected);
      expect(sameBytes(again.serialize(), saved.bytes())).toBe(true);
      again.dispose();
    }
    index.dispose();
  });
});

test('an IvfIndex goes the same way: saveTo, then openIndex or IvfIndex.openFrom, answers identically', async () => {
  const index = await IvfIndex.create({ dim: 24, nlist: 8, nprobe: 4, pq: { m: 6, iterations: 3 } });
  index.addBatch(data.base);
  const saved = collectingSink();
  await index.saveTo(saved.sink);
  expect(sameBytes(saved.bytes(), index.serialize())).toBe(true);
  const expected = index.searchBatch(data.queries, 10);
  for (const again of [await openIndex(tricklingSource(saved.bytes(), 999)), await IvfIndex.openFrom(bytesSource(saved.bytes()))]) {
    expect(again).toBeInstanceOf(IvfIndex);
    expect(again.searchBatch(data.queries, 10)).toEqual(expected);
    again.dispose();
  }
  await expectWannRejection(HnswIndex.openFrom(bytesSource(saved.bytes())), 'WRONG_KIND', 'IvfIndex');
  index.dispose();
});

test('chunks are never larger than WRITE_CHUNK: a large region goes out in pieces', async () => {
  const index = await FlatIndex.create({ dim: 512 });
  index.addBatch(new Float32Array(5000 * 512).map((_, i) => Math.sin(i))); // ~10 MB of rows
  const saved = collectingSink();
  await index.saveTo(saved.sink);
  expect(Math.max(...saved.chunks.map((chunk) => chunk.length))).toBe(WRITE_CHUNK);
  expect(sameBytes(saved.bytes(), index.serialize())).toBe(true);
  const again = await openIndex(tricklingSource(saved.bytes(), 1 << 20));
  expect(again).toBeInstanceOf(FlatIndex);
  expect(again.search(new Float32Array(512).fill(0.5), 3)).toEqual(index.search(new Float32Array(512).fill(0.5), 3));
  index.dispose();
  again.dispose();
});

test('while a save runs, changes and searches are BUSY and reading is fine; two saves at once both write whole files', async () => {
  const index = await HnswIndex.create({ dim: 24, seed: 1 });
  index.addBatch(data.base.subarray(0, 500 * 24));
  const first = collectingSink({ async: true }), second = collectingSink({ async: true });
  const saving = Promise.all([index.saveTo(first.sink), index.saveTo(second.sink)]);
  expect(() => index.add(new Float32Array(24), 9999)).toThrow(expect.objectContaining({ code: 'BUSY' }));
  expect(() => index.search(new Float32Array(24), 1)).toThrow(expect.objectContaining({ code: 'BUSY' }));
  expect(index.size).toBe(500);
  expect(index.has(3)).toBe(true);
  const bytes = index.serialize(); // synchronous, and safe in the middle of the saves
  await saving;
  expect(sameBytes(first.bytes(), bytes)).toBe(true);
  expect(sameBytes(second.bytes(), bytes)).toBe(true);
  index.add(new Float32Array(24), 9999); // free again
  index.dispose();
});

test('a sink that fails is aborted with the error, which reaches the caller; the index stays usable', async () => {
  const index = await FlatIndex.create({ dim: 4 });
  index.addBatch([[1, 2, 3, 4], [4, 3, 2, 1]]);
  let writes = 0, aborted: unknown;
  const failure = new WannError('QUOTA_EXCEEDED', 'no room');
  const sink: IndexSink = {
    write: async () => {
      if (++writes === 2) throw failure;
    },
    abort: (reason) => void (aborted = reason),
  };
  await expect(index.saveTo(sink)).rejects.toBe(failure);
  expect(aborted).toBe(failure);
  index.add([0, 0, 0, 0], 7);
  expect(index.size).toBe(3);
  index.dispose();
});

test('what saveTo and openFrom refuse: not a sink, not a source, a source that miscounts', async () => {
  const index = await FlatIndex.create({ dim: 2 });
  await expectWannRejection(index.saveTo(null as never), 'INVALID_ARGUMENT', 'IndexSink');
  await expectWannRejection(index.saveTo({} as never), 'INVALID_ARGUMENT', 'IndexSink');
  await expectWannRejection(FlatIndex.openFrom(new Uint8Array(8) as never), 'INVALID_ARGUMENT', 'IndexSource');
  await expectWannRejection(FlatIndex.openFrom({ read: () => 1e9 }), 'INVALID_ARGUMENT', 'read() returned');
  index.dispose();
});

describe('a damaged file gets the same code from openFrom (sized, and unsized short reads) as from load()', () => {
  test.each([
    ['truncated in a region', (b: Uint8Array) => b.slice(0, b.length - 100)],
    ['truncated in the trailer', (b: Uint8Array) => b.slice(0, b.length - 3)],
    ['trailing bytes', (b: Uint8Array) => Uint8Array.from([...b, 0, 0])],
    ['a flipped bit in a region', (b: Uint8Array) => { const c = b.slice(); c[c.length - 40]! ^= 1; return c; }],
    ['a flipped bit in the header', (b: Uint8Array) => { const c = b.slice(); c[20]! ^= 4; return c; }],
    ['not a wann file', () => new Uint8Array(64).fill(7)],
    ['empty', () => new Uint8Array(0)],
  ])('%s', async (_, damage) => {
    const index = await HnswIndex.create({ dim: 8, seed: 2 });
    index.addBatch(data.base.subarray(0, 200 * 8));
    const bytes = damage(index.serialize());
    index.dispose();
    const code = await HnswIndex.load(bytes).then(() => 'none', (error: WannError) => error.code);
    expect(code).not.toBe('none');
    const sized = await HnswIndex.openFrom(bytesSource(bytes)).then(() => 'none', (error: WannError) => error.code);
    const trickling = tricklingSource(bytes, 5);
    const unsized = await HnswIndex.openFrom(trickling).then(() => 'none', (error: WannError) => error.code);
    expect([sized, unsized]).toEqual([code, code]);
    expect(trickling.closed).toBe(true);
  });
});

test('OPFS and IndexedDB in Node: UNSUPPORTED, naming what is missing; names are checked first', async () => {
  const { idbSink, idbSource, opfsSink, opfsSource } = await import('../src/index.ts');
  await expectWannRejection(opfsSink('x.wann'), 'UNSUPPORTED', 'OPFS');
  await expectWannRejection(opfsSource('x.wann'), 'UNSUPPORTED', 'OPFS');
  await expectWannRejection(idbSink('x'), 'UNSUPPORTED', 'IndexedDB');
  await expectWannRejection(idbSource('x'), 'UNSUPPORTED', 'IndexedDB');
  await expectWannRejection(opfsSink(''), 'INVALID_ARGUMENT', 'name');
  await expectWannRejection(idbSink(42 as never), 'INVALID_ARGUMENT', 'name');
});

test('save(path) of a 52 MB index holds under 10% of it in JS memory at any time (serialize() holds all of it)', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { fileSink } = await import('../src/node-io.ts');
  const dir = mkdtempSync(join(tmpdir(), 'wann-heap-'));
  const index = await FlatIndex.create({ dim: 128 });
  index.addBatch(new Float32Array(100_000 * 128).map((_, i) => Math.sin(i)));
  const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  const base = used();
  let peak = 0;
  const file = await fileSink(join(dir, 'heap.wann'));
  const sample = () => void (peak = Math.max(peak, used() - base));
  await index.saveTo({ async write(chunk) { sample(); await file.write(chunk); sample(); }, close: () => file.close!(), abort: (error) => file.abort!(error) });
  const before = used();
  const fileBytes = index.serialize().length; // the control: the measure sees a whole copy
  expect(used() - before).toBeGreaterThan(fileBytes * 0.9);
  expect(fileBytes).toBeGreaterThan(50e6);
  expect(peak).toBeLessThan(fileBytes / 10);
  index.dispose();
  rmSync(dir, { recursive: true, force: true });
});
