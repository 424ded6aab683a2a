// Streaming persistence: writeIndex() sends an index's file to a sink and readIndex()
// fills a new instance from a source, a chunk at a time straight out of and into WASM
// memory, so neither ever holds a second full copy of the index in JS memory. The file
// is exactly what serialize() returns (src/format.ts, whose header code both reuse).
// Called by BaseIndex.saveTo() and save(), the classes' openFrom() and open(); the
// sinks and sources are src/node-io.ts (files), src/browser-io.ts (OPFS, IndexedDB)
// and bytesSource() here.

import { Kind } from './abi.js';
import type { Core } from './core.js';
import { WannError } from './errors.js';
import {
  align16, checkMagic, finishLoad, fileLayout, layOut, MAX_HEADER_BYTES, newCore, readHeader,
  stagedUpdate, TRAILER_BYTES, type FileExtras, type LoadedFile, type LoadOptions, type RegionEntry,
} from './format.js';
import { describe, resolveLoadOptions } from './options.js';

/** Where writeIndex() puts a file's bytes, first to last. */
export interface IndexSink {
  /** Before the first chunk: the file's length, to make room for it or refuse it early (quota). */
  start?(fileBytes: number): void | Promise<void>;
  /**
   * Takes the next bytes. `chunk` may be a view of WASM memory: use or copy it before
   * the returned promise settles (or before returning, if nothing is returned).
   */
  write(chunk: Uint8Array): void | Promise<void>;
  /** After the last chunk: makes the file durable and visible (flush, rename into place, commit). */
  close?(): void | Promise<void>;
  /** After a failure: drops what was written; the previous file, if any, stays. */
  abort?(reason: unknown): void | Promise<void>;
}

/** Throws INVALID_ARGUMENT unless `sink` looks like an IndexSink (saveTo()'s argument). */
export function checkSink(sink: unknown): asserts sink is IndexSink {
  if (typeof sink !== 'object' || sink === null || typeof (sink as IndexSink).write !== 'function') {
    throw new WannError('INVALID_ARGUMENT', `saveTo() takes an IndexSink: { write(chunk), close?(), abort?() }, got ${describe(sink)}`);
  }
}

/** Where readIndex() gets a file's bytes. */
export interface IndexSource {
  /** The file's length in bytes, when known before reading (lets a bad length fail before any region is read). */
  readonly size?: number;
  /**
   * Fills `into` with the bytes from `position` on; returns how many it wrote, fewer
   * than `into.length` only where the file ends. `into` may be a view of WASM memory.
   */
  read(into: Uint8Array, position: number): number | Promise<number>;
  /** After the last read, or a failure: releases the file. */
  close?(): void | Promise<void>;
}

/** Bytes of WASM memory handed to a sink per write: large enough for fast I/O, small next to an index. */
export const WRITE_CHUNK = 4 * 1024 * 1024;
/**
 * Bytes asked of a source per read, straight into WASM memory. Larger than format.ts's
 * LOAD_CHUNK (sized for the checksum's cache): in headless Chromium an OPFS sync handle
 * read a 52 MB file in 256 KiB pieces in 240 ms, in 16 MiB pieces in ~75 ms (open:
 * 200 -> 120 ms). Sources that must copy through JS (a Blob) cut it smaller themselves.
 */
const READ_CHUNK = 16 * 1024 * 1024;

/**
 * Writes the file of the index in `core` to `sink`, then closes it; aborts it on a
 * failure. The caller keeps the index unchanged until the promise settles (BaseIndex
 * refuses changes and searches meanwhile).
 */
export async function writeIndex(core: Core, extras: FileExtras, sink: IndexSink): Promise<void> {
  try {
    const { header, regions, fileBytes } = fileLayout(core, extras);
    // The checksum first, in one synchronous pass: the core's checksum state is shared by
    // every call on it (serialize(), another save), so it must not stay open across an await.
    const trailer = fileChecksum(core, header, regions);
    await sink.start?.(fileBytes);
    await put(sink, header);
    // A browser writes no view of shared memory (the threads build's): through one chunk of its own then.
    const scratch = core.shared ? new Uint8Array(WRITE_CHUNK) : undefined;
    for (const region of regions) {
      const ptr = core.regionPtr(region.tag);
      for (let done = 0; done < region.bytes; done += WRITE_CHUNK) {
        const now = Math.min(WRITE_CHUNK, region.bytes - done);
        const view = core.u8.subarray(ptr + done, ptr + done + now); // a view: no copy here
        if (scratch) scratch.set(view);
        await put(sink, scratch ? scratch.subarray(0, now) : view); // the sink is done with it once write() settles
      }
      const end = region.offset + region.bytes;
      if (align16(end) > end) await put(sink, new Uint8Array(align16(end) - end)); // zero padding
    }
    await put(sink, trailer);
    await sink.close?.();
  } catch (error) {
    await Promise.resolve(sink.abort?.(error)).catch(() => undefined);
    throw error;
  }
}

/** The 8-byte trailer: the XXH64 of header, regions and padding, as serializeCore() computes it. */
function fileChecksum(core: Core, header: Uint8Array, regions: RegionEntry[]): Uint8Array {
  core.x.checksumReset();
  stagedUpdate(core, header);
  for (const region of regions) {
    core.x.checksumUpdate(core.regionPtr(region.tag), region.bytes);
    const end = region.offset + region.bytes;
    stagedUpdate(core, new Uint8Array(align16(end) - end));
  }
  core.x.checksumFinish();
  const trailer = new Uint8Array(TRAILER_BYTES);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, core.x.checksumLow(), true);
  view.setUint32(4, core.x.checksumHigh(), true);
  return trailer;
}

/**
 * A new instance holding the index `source` holds, checked exactly as load() checks
 * bytes (magic, version, header checksum, parameters, kind, length, region table, file
 * checksum, structure); the regions are read straight into WASM memory. Closes the source.
 */
export async function readIndex(source: IndexSource, options: LoadOptions, kind?: Kind): Promise<{ core: Core; file: LoadedFile }> {
  try {
    options = resolveLoadOptions(options);
    checkSource(source);
    const prefix = new Uint8Array(source.size === undefined ? MAX_HEADER_BYTES : Math.min(MAX_HEADER_BYTES, source.size));
    const view = new DataView(prefix.buffer, 0, await readFully(source, prefix, 0));
    checkMagic(view);
    const core = await newCore(options);
    const file = readHeader(core, view, options, kind);
    if (source.size !== undefined && source.size !== file.fileBytes) throw lengthError(source.size, file.fileBytes);
    layOut(core, file);
    core.x.checksumReset();
    stagedUpdate(core, prefix.subarray(0, file.headerBytes));
    const padding = new Uint8Array(16);
    // A browser reads into no view of shared memory (the threads build's): through a chunk of its own then.
    const scratch = core.shared ? new Uint8Array(READ_CHUNK) : undefined;
    for (const { tag, offset, bytes: size } of file.regions) {
      const ptr = core.regionPtr(tag);
      for (let done = 0; done < size; done += READ_CHUNK) {
        const now = Math.min(READ_CHUNK, size - done);
        const into = scratch ? scratch.subarray(0, now) : core.u8.subarray(ptr + done, ptr + done + now);
        await readExactly(source, into, offset + done, file.fileBytes);
        if (scratch) core.u8.set(into, ptr + done);
        core.x.checksumUpdate(ptr + done, now);
      }
      const pad = align16(offset + size) - (offset + size);
      if (pad > 0) {
        await readExactly(source, padding.subarray(0, pad), offset + size, file.fileBytes);
        stagedUpdate(core, padding.subarray(0, pad));
      }
    }
    const trailer = new Uint8Array(TRAILER_BYTES + 1); // one byte more: a file that goes on past its trailer
    const got = await readFully(source, trailer, file.fileBytes - TRAILER_BYTES);
    if (got < TRAILER_BYTES) throw lengthError(file.fileBytes - TRAILER_BYTES + got, file.fileBytes);
    if (got > TRAILER_BYTES) throw new WannError('BAD_HEADER', `the file goes on past the ${file.fileBytes} bytes its header says: trailing bytes`);
    finishLoad(core, trailer.subarray(0, TRAILER_BYTES));
    return { core, file };
  } finally {
    await source.close?.();
  }
}

/** A source over bytes already in memory (what load() is given): for tests and for callers holding a file. */
export function bytesSource(bytes: Uint8Array): IndexSource {
  if (!(bytes instanceof Uint8Array)) throw new WannError('INVALID_ARGUMENT', 'bytesSource() takes a Uint8Array');
  return {
    size: bytes.length,
    read(into, position) {
      const part = bytes.subarray(position, position + into.length);
      into.set(part);
      return part.length;
    },
  };
}

/** sink.write(chunk): awaited by the caller (for a synchronous sink, `await undefined`). */
function put(sink: IndexSink, chunk: Uint8Array): void | Promise<void> {
  return sink.write(chunk);
}

function checkSource(source: IndexSource): void {
  if (typeof source !== 'object' || source === null || typeof source.read !== 'function') {
    throw new WannError('INVALID_ARGUMENT', 'openFrom() takes an IndexSource: { read(into, position), size?, close?() } (see opfsSource, idbSource)');
  }
}

function lengthError(actual: number, expected: number): WannError {
  return actual < expected
    ? new WannError('TRUNCATED', `${actual} bytes, the header says ${expected}`)
    : new WannError('BAD_HEADER', `${actual} bytes, the header says ${expected}: trailing bytes`);
}

/** Reads until `into` is full or the source ends; how many bytes it got. */
async function readFully(source: IndexSource, into: Uint8Array, position: number): Promise<number> {
  let got = 0;
  while (got < into.length) {
    const now = await source.read(into.subarray(got), position + got);
    if (!Number.isInteger(now) || now < 0 || now > into.length - got) {
      throw new WannError('INVALID_ARGUMENT', `a source's read() returned ${now}, expected a count of 0 … ${into.length - got}`);
    }
    if (now === 0) break;
    got += now;
  }
  return got;
}

/** Fills `into` from `position`, or TRUNCATED (the file ends before `fileBytes`). */
async function readExactly(source: IndexSource, into: Uint8Array, position: number, fileBytes: number): Promise<void> {
  const got = await readFully(source, into, position);
  if (got < into.length) throw lengthError(position + got, fileBytes);
}
