// texmex files fetched by pages: fetch, then the one decoder, src/texmex.ts as compiled
// to dist/texmex.js (npm run build). Used by test/browser/smoke.html and bench/browser/peers.js.

import { decodeVecs, vecsKindOf } from '/dist/texmex.js';

/** Fetches and decodes a texmex file, the kind taken from the URL's extension. */
export async function fetchVecs(url) {
  const kind = vecsKindOf(url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  return decodeVecs(new Uint8Array(await response.arrayBuffer()), kind, url);
}

/** The shipped siftsmall set: 10,000 base and 100 query vectors (128-d), exact top-100 ids. */
export async function fetchSiftsmall(dir = '/bench/data/siftsmall') {
  const [base, queries, truth] = await Promise.all([
    fetchVecs(`${dir}/base.bvecs`), fetchVecs(`${dir}/query.bvecs`), fetchVecs(`${dir}/gt.ivecs`),
  ]);
  return { base, queries, truth };
}
