// Node file helpers for save() and open(). node:fs is imported inside the functions,
// so the browser bundle holds no static import of it (as wasm.ts does for file: URLs).
// Used by base-index.ts save() and the index classes' open().

/**
 * Writes `bytes` to a temporary file beside `path`, flushes it, then renames it into
 * place: a crash mid-write leaves the old file (or none), never a half-written one.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const temporary = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${process.pid}.${Date.now()}.tmp`;
  try {
    const handle = await fs.open(temporary, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** The bytes of the file at `path`. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  return fs.readFile(path);
}
