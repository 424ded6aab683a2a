// texmex .bvecs / .ivecs reading for pages (fetch instead of readFile); the browser
// twin of bench/lib/texmex.ts. Used by bench/browser/demo.js and test/browser/smoke.html.

const ELEMENT_BYTES = { bvecs: 1, ivecs: 4 };

/**
 * Rows of a texmex file: { n, dim, data }, data a Float32Array (bvecs widened from
 * uint8) or an Int32Array (ivecs). Every row header is checked, as texmex has no
 * file header: a truncated file only shows up as an inconsistent row.
 */
export function decodeVecs(buffer, kind, label = kind) {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) throw new Error(`${label}: ${bytes.byteLength} bytes is shorter than one row header (4)`);
  const dim = view.getInt32(0, true);
  const rowBytes = 4 + dim * ELEMENT_BYTES[kind];
  if (dim <= 0 || bytes.byteLength % rowBytes !== 0) {
    throw new Error(`${label}: ${bytes.byteLength} bytes is not a whole number of ${kind} rows of dim ${dim}`);
  }
  const n = bytes.byteLength / rowBytes;
  const data = kind === 'ivecs' ? new Int32Array(n * dim) : new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const at = i * rowBytes;
    const got = view.getInt32(at, true);
    if (got !== dim) throw new Error(`${label}: row ${i} has dim ${got}, expected ${dim} (as row 0)`);
    if (kind === 'bvecs') data.set(bytes.subarray(at + 4, at + rowBytes), i * dim);
    else for (let j = 0; j < dim; j++) data[i * dim + j] = view.getInt32(at + 4 + 4 * j, true);
  }
  return { n, dim, data };
}

/** Fetches and decodes a texmex file, the kind taken from the URL's extension. */
export async function fetchVecs(url) {
  const kind = url.slice(url.lastIndexOf('.') + 1);
  if (!(kind in ELEMENT_BYTES)) throw new Error(`${url}: expected a .bvecs or .ivecs file`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  return decodeVecs(await response.arrayBuffer(), kind, url);
}

/** The shipped siftsmall set: 10,000 base and 100 query vectors (128-d), exact top-100 ids. */
export async function fetchSiftsmall(dir = '/bench/data/siftsmall') {
  const [base, queries, truth] = await Promise.all([
    fetchVecs(`${dir}/base.bvecs`), fetchVecs(`${dir}/query.bvecs`), fetchVecs(`${dir}/gt.ivecs`),
  ]);
  return { base, queries, truth };
}

/** Mean fraction of each query's true top k found among its first k results. */
export function recallAt(k, ids, resultK, truthIds, truthK) {
  const queries = truthIds.length / truthK;
  let hits = 0;
  for (let q = 0; q < queries; q++) {
    const found = new Set(ids.subarray(q * resultK, q * resultK + k));
    for (let j = 0; j < k; j++) if (found.has(truthIds[q * truthK + j])) hits++;
  }
  return hits / (queries * k);
}
