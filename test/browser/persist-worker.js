// The Worker half of test/browser/persist.html: OPFS through sync access handles.
// Each message { id, op, name } is answered with { id, result } or { id, error }.
import { HnswIndex, FlatIndex, opfsSink, opfsSource } from '/dist/wann.browser.js';
import { answers, buildFlat, buildHnsw, codeOf, describeError } from './persist-common.js';

const ops = {
  async save({ name }) {
    const index = await buildHnsw();
    await index.saveTo(await opfsSink(name));
    const result = answers(index);
    index.dispose();
    return result;
  },
  async open({ name }) {
    const index = await HnswIndex.openFrom(await opfsSource(name));
    const result = answers(index);
    index.dispose();
    return result;
  },
  async saveTooBig({ name, n, dim }) {
    // Chromium's quota override does not limit sync access handles: the refusal a full
    // quota gives them (QuotaExceededError from write) is simulated on the third write.
    const write = FileSystemSyncAccessHandle.prototype.write;
    let writes = 0;
    FileSystemSyncAccessHandle.prototype.write = function (...args) {
      if (++writes === 3) throw new DOMException('simulated: the quota is full', 'QuotaExceededError');
      return write.apply(this, args);
    };
    const index = await buildFlat(n, dim);
    const code = await codeOf(async () => index.saveTo(await opfsSink(name)));
    FileSystemSyncAccessHandle.prototype.write = write;
    index.dispose();
    return code;
  },
  async timeFlat({ name, n, dim }) {
    const index = await buildFlat(n, dim);
    const bytes = index.serialize().length;
    let start = performance.now();
    await index.saveTo(await opfsSink(name));
    const saveMs = performance.now() - start;
    start = performance.now();
    const again = await FlatIndex.openFrom(await opfsSource(name));
    const openMs = performance.now() - start;
    const same = again.size === index.size;
    index.dispose();
    again.dispose();
    return { bytes, saveMs, openMs, same, ...(await timeBareHandle(`${name}.bare`, bytes)) };
  },
};

/** The storage's own speed: `bytes` bytes from a plain buffer written, then read, through a bare sync handle in 16 MiB pieces. */
async function timeBareHandle(name, bytes) {
  const directory = await navigator.storage.getDirectory();
  const file = await directory.getFileHandle(name, { create: true });
  const buffer = new Uint8Array(bytes).map((_, i) => i & 255), piece = 16 << 20;
  const timed = async (move) => {
    const handle = await file.createSyncAccessHandle();
    const start = performance.now();
    for (let at = 0; at < bytes; at += piece) move(handle, buffer.subarray(at, Math.min(at + piece, bytes)), at);
    handle.flush();
    handle.close();
    return performance.now() - start;
  };
  const bareWriteMs = await timed((handle, part, at) => handle.write(part, { at }));
  const bareReadMs = await timed((handle, part, at) => handle.read(part, { at }));
  await directory.removeEntry(name);
  return { bareWriteMs, bareReadMs };
}

self.onmessage = async ({ data }) => {
  try {
    self.postMessage({ id: data.id, result: await ops[data.op](data) });
  } catch (error) {
    self.postMessage({ id: data.id, error: describeError(error) });
  }
};
