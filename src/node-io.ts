// Node files for save(), open() and the wasm of file: URLs: the only module of src/
// that reaches node:fs. save() and open() stream through src/persist.ts with the sink
// and source here. Used by base-index.ts save(), the index classes' open() and wasm.ts.
// The browser bundle holds none of it (see nodeFs below).
//
// save() writes `.<name>.<pid>.<stamp>.tmp` beside the target, then renames it into
// place. A process killed mid-write cannot delete its temporary (SIGKILL, a crash, power
// loss), so each save of a path first removes the temporaries of that same path whose
// process is gone (removeStale).

import { WannError } from './errors.js';
import { describe } from './options.js';
import type { IndexSink, IndexSource } from './persist.js';
import type { NodeThreading } from './wasm.js';

// The browser bundle is built with --define:WANN_BROWSER=true (package.json build:browser).
// There `typeof WANN_BROWSER === 'undefined'` folds to false, so esbuild drops the
// import('node:fs/promises') below as dead code: no bundler that reads the bundle ever
// meets a node: specifier, and a Node-only call says so. Anywhere else the identifier
// is undeclared and the test is true.
declare const WANN_BROWSER: boolean;

/**
 * Node's fs/promises, or UNSUPPORTED (naming `what`) in the browser bundle. Called
 * first by each function that needs it, so the bundle keeps none of their code: its
 * test folds to a throw, and esbuild drops what follows one.
 */
async function nodeFs(what: string): Promise<typeof import('node:fs/promises')> {
  if (typeof WANN_BROWSER === 'undefined') return import('node:fs/promises');
  throw browserHasNoFiles(what);
}

function browserHasNoFiles(what: string): WannError {
  return new WannError('UNSUPPORTED', `${what} uses Node's file system, which a browser does not have; `
    + 'in a browser save to OPFS or IndexedDB with saveTo() and openFrom() (opfsSink, idbSink …)');
}

/** Throws INVALID_ARGUMENT unless `path` is a non-empty string; `what` names the call. */
export function checkPath(path: unknown, what: string): asserts path is string {
  if (typeof path !== 'string' || path === '') {
    throw new WannError('INVALID_ARGUMENT', `${what} takes a file path (a non-empty string), got ${describe(path)}`);
  }
}

let lastStamp = 0;

/** Date.now(), never the same twice in this process: two saves of one path in one millisecond get two temporaries. */
function uniqueStamp(): number {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return lastStamp;
}

/**
 * A sink (src/persist.ts) that writes `path` through a temporary file beside it: each
 * chunk goes from WASM memory to the file, close() flushes and renames it into place,
 * abort() removes it, so a crash mid-write leaves the old file (or none), never a
 * half-written one. File-system errors are Node's (code ENOENT, EACCES, ENOSPC …),
 * naming `path`, not the temporary.
 */
export async function fileSink(path: string): Promise<IndexSink> {
  if (typeof WANN_BROWSER !== 'undefined') throw browserHasNoFiles('save()');
  const fs = await nodeFs('save()');
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dir = path.slice(0, slash + 1), name = path.slice(slash + 1);
  await removeStale(dir, name); // first: a killed save's temporary may hold the space this one needs
  const temporary = `${dir}.${name}.${process.pid}.${uniqueStamp()}.tmp`;
  let handle: import('node:fs/promises').FileHandle | undefined;
  try {
    handle = await fs.open(temporary, 'wx'); // exclusive: never writes into another save's file
  } catch (error) {
    throw namingTarget(error, path);
  }
  const file = handle;
  let closed = false;
  return {
    async write(chunk) {
      try {
        for (let done = 0; done < chunk.length;) done += (await file.write(chunk, done, chunk.length - done)).bytesWritten;
      } catch (error) {
        throw namingTarget(error, path);
      }
    },
    async close() {
      try {
        await file.sync();
        closed = true;
        await file.close();
        await fs.rename(temporary, path);
      } catch (error) {
        throw namingTarget(error, path);
      }
    },
    async abort() {
      if (!closed) await file.close().catch(() => undefined);
      await fs.unlink(temporary).catch(() => undefined);
    },
  };
}

/**
 * Deletes the temporaries of `dir` + `name` whose save died: files named exactly
 * `.<name>.<pid>.<digits>.tmp` whose pid is no running process on this machine. Kept:
 * this process's own (a save of the same path may be under way), those of live pids
 * (another process saving; a reused pid only delays the cleanup), and every other name.
 * Best effort: an error here never fails the save.
 */
async function removeStale(dir: string, name: string): Promise<void> {
  const fs = await nodeFs('save()');
  const pattern = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.\\d+\\.tmp$`);
  const entries = await fs.readdir(dir === '' ? '.' : dir).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(pattern.exec(entry)?.[1]);
    if (pid > 0 && pid !== process.pid && !isRunning(pid)) await fs.unlink(dir + entry).catch(() => undefined);
  }
}

/** Whether a process `pid` exists here (signal 0 only checks; EPERM means it exists under another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Node's error as it would read had the target itself been written: "ENOENT: no such file or directory, save '<path>'". */
function namingTarget(error: unknown, path: string): unknown {
  const { code, errno, syscall, message } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof syscall !== 'string') return error;
  const reason = message.split(`, ${syscall}`)[0]; // "ENOENT: no such file or directory"
  return Object.assign(new Error(`${reason}, save '${path}'`, { cause: error }), { code, errno, syscall, path });
}

/** A source (src/persist.ts) over the file at `path`: reads go straight into WASM memory; `what` names the call. */
export async function fileSource(path: string, what: string): Promise<IndexSource> {
  if (typeof WANN_BROWSER !== 'undefined') throw browserHasNoFiles(what);
  checkPath(path, what);
  const fs = await nodeFs(what);
  const file = await fs.open(path, 'r');
  try {
    const { size } = await file.stat();
    return {
      size,
      read: async (into, position) => (await file.read(into, 0, into.length, position)).bytesRead,
      close: () => file.close(),
    };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** The bytes of a file: URL (a build's .wasm in Node). */
export async function readFileUrl(url: URL): Promise<Uint8Array> {
  if (typeof WANN_BROWSER !== 'undefined') throw browserHasNoFiles(`loading ${url.href}`);
  const fs = await nodeFs(`loading ${url.href}`);
  return fs.readFile(url);
}

/** Node's worker_threads and core count; undefined in the browser bundle and where Node is not. */
export async function nodeThreading(): Promise<NodeThreading | undefined> {
  if (typeof WANN_BROWSER === 'undefined' && typeof process !== 'undefined' && process.versions?.node) {
    const [threads, os] = await Promise.all([import('node:worker_threads'), import('node:os')]);
    return { Worker: threads.Worker, cores: os.availableParallelism() };
  }
  return undefined;
}
