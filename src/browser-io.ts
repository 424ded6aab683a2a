// Browser storage for saveTo() and openFrom() (src/persist.ts): the origin private file
// system (OPFS) and IndexedDB. OPFS uses a sync access handle inside a Worker (reads go
// straight into WASM memory) and a writable stream on the main thread (atomic on
// close); IndexedDB keeps a file as 1 MiB chunk records under a generation that one
// transaction makes current, so a failed save leaves the previous file whole. Missing
// APIs are UNSUPPORTED, a full quota QUOTA_EXCEEDED, an unknown name NOT_FOUND.
// Exported from src/index.ts; in Node (no OPFS, no IndexedDB) they say UNSUPPORTED.

import { WannError } from './errors.js';
import type { DirectoryHandle } from './globals.js';
import type { IndexSink, IndexSource } from './persist.js';

/** Where an OPFS file lives: the origin's root directory unless `directory` is given. */
export interface OpfsOptions {
  directory?: DirectoryHandle;
}

/** Which IndexedDB database holds the files: 'wann' unless `database` is given. */
export interface IdbOptions {
  database?: string;
}

/** Bytes per IndexedDB record: one is all a save or an open holds in JS memory. */
const IDB_CHUNK = 1024 * 1024;
/** Bytes of an OPFS File read through JS memory at a time on the main thread. */
const BLOB_SLICE = 4 * 1024 * 1024;

// The parts of the DOM file-system API used here, typed locally so this file needs no DOM lib in readers' programs.
interface SyncHandle {
  read(into: Uint8Array, options: { at: number }): number;
  write(data: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}
interface Writable {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}
interface FileHandle {
  getFile(): Promise<Blob>;
  createWritable?(): Promise<Writable>;
  createSyncAccessHandle?(): Promise<SyncHandle>;
  move?(name: string): Promise<void>;
}
interface Directory {
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandle>;
  removeEntry(name: string): Promise<void>;
}

/**
 * A sink writing the OPFS file `name`. In a Worker it writes a temporary file through a
 * sync access handle and moves it over `name` on close(); on the main thread it writes
 * through a writable stream, which the browser swaps in atomically on close().
 */
export async function opfsSink(name: string, options: OpfsOptions = {}): Promise<IndexSink> {
  const directory = await opfsDirectory(name, options);
  return inWorker() ? opfsSyncSink(directory, name) : opfsStreamSink(directory, name);
}

/** Sync access handles exist in dedicated workers only ([Exposed=DedicatedWorker]). */
function inWorker(): boolean {
  return typeof (globalThis as { FileSystemSyncAccessHandle?: unknown }).FileSystemSyncAccessHandle === 'function';
}

async function opfsSyncSink(directory: Directory, name: string): Promise<IndexSink> {
  const temporary = `.${name}.saving`;
  const file = await opfs(() => directory.getFileHandle(temporary, { create: true }), name);
  if (typeof file.move !== 'function') throw unsupported('OPFS FileSystemFileHandle.move');
  const handle = await opfs(() => file.createSyncAccessHandle!(), name);
  let at = 0, open = true;
  const close = () => {
    if (open) handle.close();
    open = false;
  };
  opfsSync(() => handle.truncate(0), name);
  return {
    start: (fileBytes) => checkRoom(fileBytes, name, 'OPFS'), // not truncate(fileBytes): Chromium grows a file past its quota that way
    write(chunk) { // synchronous: a worker's save never yields between chunks
      opfsSync(() => {
        for (let done = 0; done < chunk.length;) done += handle.write(chunk.subarray(done), { at: at + done });
      }, name);
      at += chunk.length;
    },
    async close() {
      opfsSync(() => handle.flush(), name);
      close();
      await opfs(() => file.move!(name), name);
    },
    async abort() {
      close();
      await directory.removeEntry(temporary).catch(() => undefined);
    },
  };
}

async function opfsStreamSink(directory: Directory, name: string): Promise<IndexSink> {
  const existed = await directory.getFileHandle(name).then(() => true, () => false);
  const target = await opfs(() => directory.getFileHandle(name, { create: true }), name);
  if (typeof target.createWritable !== 'function') throw unsupported('OPFS writable streams (FileSystemFileHandle.createWritable)');
  const writable = await opfs(() => target.createWritable!(), name);
  return {
    start: (fileBytes) => checkRoom(fileBytes, name, 'OPFS'),
    write: (chunk) => opfs(() => writable.write(chunk), name),
    close: () => opfs(() => writable.close(), name),
    async abort(reason) {
      await writable.abort(reason).catch(() => undefined); // the old file, if any, is untouched
      if (!existed) await directory.removeEntry(name).catch(() => undefined);
    },
  };
}

/** A source over the OPFS file `name`: a sync access handle in a Worker (reads land in WASM memory), the File elsewhere. */
export async function opfsSource(name: string, options: OpfsOptions = {}): Promise<IndexSource> {
  const directory = await opfsDirectory(name, options);
  const file = await opfs(() => directory.getFileHandle(name), name);
  if (typeof file.createSyncAccessHandle === 'function') {
    const handle = await opfs(() => file.createSyncAccessHandle!(), name);
    return {
      size: handle.getSize(),
      read: (into, position) => handle.read(into, { at: position }),
      close: () => handle.close(),
    };
  }
  const blob = await opfs(() => file.getFile(), name);
  return {
    size: blob.size,
    async read(into, position) {
      // At most BLOB_SLICE through JS memory at a time: the one copy this path cannot avoid.
      const bytes = new Uint8Array(await blob.slice(position, position + Math.min(into.length, BLOB_SLICE)).arrayBuffer());
      into.set(bytes);
      return bytes.length;
    },
  };
}

/** Deletes the OPFS file `name` (nothing if there is none). */
export async function opfsRemove(name: string, options: OpfsOptions = {}): Promise<void> {
  const directory = await opfsDirectory(name, options);
  await directory.removeEntry(name).catch((error: unknown) => {
    if ((error as Error)?.name !== 'NotFoundError') throw mapStorageError(error, name, 'OPFS');
  });
}

async function opfsDirectory(name: string, options: OpfsOptions): Promise<Directory> {
  checkName(name);
  if (options.directory !== undefined) return options.directory as unknown as Directory;
  const storage = (globalThis as { navigator?: { storage?: { getDirectory?(): Promise<Directory> } } }).navigator?.storage;
  if (typeof storage?.getDirectory !== 'function') throw unsupported('OPFS (navigator.storage.getDirectory)');
  return opfs(() => storage.getDirectory!(), name);
}

/** A sink writing the IndexedDB file `name`: 1 MiB records of a new generation, made current by one transaction on close(). */
export async function idbSink(name: string, options: IdbOptions = {}): Promise<IndexSink> {
  checkName(name);
  const db = await openDatabase(options);
  const generation = Date.now() * 1000 + Math.floor(Math.random() * 1000);
  const buffer = new Uint8Array(IDB_CHUNK);
  let filled = 0, records = 0, size = 0;
  const flush = async () => {
    if (filled === 0) return;
    const record = buffer.slice(0, filled).buffer; // the one copy: IndexedDB clones what it stores
    await transaction(db, 'readwrite', name, (stores) => stores.chunks.put(record, [name, generation, records]));
    records++;
    filled = 0;
  };
  return {
    start: (fileBytes) => checkRoom(fileBytes, name, 'IndexedDB'),
    async write(chunk) {
      for (let done = 0; done < chunk.length;) {
        const now = Math.min(IDB_CHUNK - filled, chunk.length - done);
        buffer.set(chunk.subarray(done, done + now), filled);
        filled += now;
        done += now;
        size += now;
        if (filled === IDB_CHUNK) await flush();
      }
    },
    async close() {
      await flush();
      await transaction(db, 'readwrite', name, (stores) => {
        stores.files.put({ generation, size, chunkBytes: IDB_CHUNK, records }, name);
        stores.chunks.delete(IDBKeyRange.bound([name], [name, generation], false, true)); // older generations
        stores.chunks.delete(IDBKeyRange.bound([name, generation, Infinity], [name, []], true, false)); // newer, abandoned
      });
      db.close();
    },
    async abort() {
      await transaction(db, 'readwrite', name, (stores) => stores.chunks.delete(IDBKeyRange.bound([name, generation], [name, generation, Infinity])))
        .catch(() => undefined);
      db.close();
    },
  };
}

/** A source over the IndexedDB file `name`; holds one record at a time. */
export async function idbSource(name: string, options: IdbOptions = {}): Promise<IndexSource> {
  checkName(name);
  const db = await openDatabase(options);
  const meta = await transaction(db, 'readonly', name, (stores) => stores.files.get(name)) as
    { generation: number; size: number; chunkBytes: number } | undefined;
  if (meta === undefined) {
    db.close();
    throw new WannError('NOT_FOUND', `IndexedDB holds no index named '${name}' (database '${options.database ?? 'wann'}')`);
  }
  let cached: { record: number; bytes: Uint8Array } | undefined;
  return {
    size: meta.size,
    async read(into, position) {
      let got = 0;
      while (got < into.length && position + got < meta.size) {
        const record = Math.floor((position + got) / meta.chunkBytes);
        if (cached?.record !== record) {
          const stored = await transaction(db, 'readonly', name, (stores) => stores.chunks.get([name, meta.generation, record])) as ArrayBuffer | undefined;
          if (stored === undefined) throw new WannError('TRUNCATED', `IndexedDB lost record ${record} of '${name}'`);
          cached = { record, bytes: new Uint8Array(stored) };
        }
        const from = position + got - record * meta.chunkBytes;
        const part = cached.bytes.subarray(from, from + into.length - got);
        into.set(part, got);
        got += part.length;
        if (part.length === 0) break;
      }
      return got;
    },
    close: () => db.close(),
  };
}

/** Deletes the IndexedDB file `name` and its records (nothing if there is none). */
export async function idbRemove(name: string, options: IdbOptions = {}): Promise<void> {
  checkName(name);
  const db = await openDatabase(options);
  try {
    await transaction(db, 'readwrite', name, (stores) => {
      stores.files.delete(name);
      stores.chunks.delete(IDBKeyRange.bound([name], [name, []]));
    });
  } finally {
    db.close();
  }
}

/**
 * QUOTA_EXCEEDED when the origin's quota, as navigator.storage.estimate() reports it,
 * cannot hold `fileBytes` more: asked before the first record, so a save that cannot
 * fit fails at once instead of after writing what fits.
 */
async function checkRoom(fileBytes: number, name: string, where: string): Promise<void> {
  const storage = (globalThis as { navigator?: { storage?: { estimate?(): Promise<{ usage?: number; quota?: number }> } } }).navigator?.storage;
  if (typeof storage?.estimate !== 'function') return;
  const { usage = 0, quota = Infinity } = await storage.estimate();
  if (usage + fileBytes > quota) {
    throw new WannError('QUOTA_EXCEEDED', `${where}: no room for '${name}' (${fileBytes} bytes) in this origin's storage quota (${usage} of ${quota} bytes used); free space or ask for more with navigator.storage.persist()`);
  }
}

interface Stores {
  files: IDBObjectStore;
  chunks: IDBObjectStore;
}

function openDatabase(options: IdbOptions): Promise<IDBDatabase> {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined) throw unsupported('IndexedDB');
  const name = options.database ?? 'wann';
  return new Promise((resolve, reject) => {
    const request = factory.open(name, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('files');
      request.result.createObjectStore('chunks');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(mapStorageError(request.error, name, 'IndexedDB'));
    request.onblocked = () => reject(new WannError('BUSY', `IndexedDB database '${name}' is held open by an older version in another tab`));
  });
}

/** Runs `work` in one transaction over both stores; resolves with the last request's result once it commits. */
function transaction(db: IDBDatabase, mode: IDBTransactionMode, name: string, work: (stores: Stores) => IDBRequest | void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    try {
      const tx = db.transaction(['files', 'chunks'], mode);
      const request = work({ files: tx.objectStore('files'), chunks: tx.objectStore('chunks') });
      tx.oncomplete = () => resolve(request?.result);
      tx.onabort = tx.onerror = () => reject(mapStorageError(tx.error, name, 'IndexedDB'));
    } catch (error) {
      reject(mapStorageError(error, name, 'IndexedDB')); // a request refused at once (DataCloneError, QuotaExceededError …)
    }
  });
}

/** Runs an OPFS call, turning DOM errors into WannErrors. */
async function opfs<T>(call: () => Promise<T>, name: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapStorageError(error, name, 'OPFS');
  }
}

function opfsSync(call: () => void, name: string): void {
  try {
    call();
  } catch (error) {
    throw mapStorageError(error, name, 'OPFS');
  }
}

/** QuotaExceededError, NotFoundError, AbortError and missing-permission errors as WannErrors; anything else unchanged. */
function mapStorageError(error: unknown, name: string, where: string): unknown {
  if (error instanceof WannError) return error;
  const kind = (error as Error | null)?.name;
  const message = (error as Error | null)?.message ?? String(error);
  if (kind === 'QuotaExceededError') {
    return new WannError('QUOTA_EXCEEDED', `${where}: no room for '${name}' in this origin's storage quota (${message}); free space or ask for more with navigator.storage.persist()`);
  }
  if (kind === 'NotFoundError') return new WannError('NOT_FOUND', `${where} holds no index named '${name}'`);
  if (kind === 'AbortError') {
    // Chromium now and then reports a stream's quota failure this way (2 of 16 runs of the quota test here).
    return new WannError('ABORTED', `${where}: the browser aborted saving '${name}' (${message}); the previous file is untouched. A full storage quota is the usual cause: free space or ask for more with navigator.storage.persist()`);
  }
  if (kind === 'NoModificationAllowedError') {
    return new WannError('BUSY', `${where}: '${name}' is open in another tab or worker (a sync access handle is exclusive); try again when it is closed`);
  }
  if (kind === 'SecurityError' || kind === 'NotAllowedError' || kind === 'InvalidStateError') {
    return new WannError('UNSUPPORTED', `${where} refused '${name}' here (${kind}: ${message}); pages from file:// and some private windows have no storage`);
  }
  return error;
}

function unsupported(what: string): WannError {
  return new WannError('UNSUPPORTED', `${what} is not available in this runtime; in Node use save(path) and open(path)`);
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '' || name.includes('/')) {
    throw new WannError('INVALID_ARGUMENT', `a saved index's name is a non-empty string without '/', got ${JSON.stringify(name)}`);
  }
}
