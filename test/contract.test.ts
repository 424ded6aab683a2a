// Contracts (after hash-wasm's): the WASM ABI of both builds matches the WannExports
// interface of src/wasm.ts, read from its source so neither side can drift; build
// selection and the `wasm` option; the public surface every index class shares.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { Kind, Metric, State, Status, Storage } from '../src/abi.ts';
import * as wann from '../src/index.ts';
import { FlatIndex, HnswIndex, simdSupported } from '../src/index.ts';
import { compileBuild, instantiate } from '../src/wasm.ts';
import { BUILDS, seededVectors, simdOption } from './helpers/data.ts';
import { expectWannRejection } from './helpers/expect.ts';

const WASM_TS = fileURLToPath(new URL('../src/wasm.ts', import.meta.url));
const buildFile = (build: wann.Build) => fileURLToPath(new URL(`../build/wann-${build}.wasm`, import.meta.url));

/** Members of `interface WannExports` in src/wasm.ts: name → parameter count (null for `memory`). */
function declaredExports(): Map<string, number | null> {
  const source = ts.createSourceFile(WASM_TS, readFileSync(WASM_TS, 'utf8'), ts.ScriptTarget.ES2022, true);
  const members = new Map<string, number | null>();
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'WannExports') return;
    for (const member of node.members) {
      const name = member.name!.getText(source);
      members.set(name, ts.isMethodSignature(member) ? member.parameters.length : null);
    }
  });
  return members;
}

describe('the WASM ABI', () => {
  const declared = declaredExports();

  test('src/wasm.ts declares WannExports (the parse found it)', () => {
    expect(declared.size).toBeGreaterThan(10);
    expect(declared.get('memory')).toBeNull();
    expect(declared.get('init')).toBe(13);
  });

  test.each([...BUILDS, 'threads'] as const)('the %s build exports exactly the keys of WannExports, with their arities', async (build) => {
    const module = await compileBuild(build);
    const exported = WebAssembly.Module.exports(module);
    expect(exported.map((e) => e.name).sort()).toEqual([...declared.keys()].sort());
    const shared = build === 'threads' ? new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }) : undefined; // it imports its memory
    const instance = (await instantiate(module, shared)) as unknown as Record<string, unknown>;
    const shapes = exported.map(({ name, kind }) => [name, kind, kind === 'function' ? (instance[name] as () => void).length : null]);
    expect(shapes).toEqual(exported.map(({ name }) => {
      const arity = declared.get(name);
      return [name, arity === null ? 'memory' : 'function', arity];
    }));
  });

  test('both builds have identical export lists and import nothing but (at most) env.abort', async () => {
    const [simd, scalar] = await Promise.all(BUILDS.map((build) => compileBuild(build)));
    expect(WebAssembly.Module.exports(simd)).toEqual(WebAssembly.Module.exports(scalar));
    expect(WebAssembly.Module.imports(simd)).toEqual(WebAssembly.Module.imports(scalar));
    // With asc's noAssert the builds import nothing today; src/wasm.ts still provides env.abort.
    const abort = { module: 'env', name: 'abort', kind: 'function' };
    for (const module of [simd, scalar]) {
      expect(WebAssembly.Module.imports(module).filter((i) => JSON.stringify(i) !== JSON.stringify(abort))).toEqual([]);
    }
  });

  test.each(BUILDS)('the %s build says which it is, and refuses a second init()', async (build) => {
    const x = await instantiate(await compileBuild(build));
    expect(x.simdBuild()).toBe(build === 'simd' ? 1 : 0);
    expect(x.init(Kind.HNSW, Metric.L2, Storage.F32, 8, 16, 200, 1, 0, 10, 0)).toBe(Status.OK);
    expect(x.init(Kind.FLAT, Metric.IP, Storage.F32, 4, 0, 0, 0, 0, 10, 0)).toBe(Status.ALREADY_INITIALIZED);
    const state = new Uint32Array(x.memory.buffer, x.stateRecordPtr() >>> 0, State.WORDS);
    expect([state[State.DIM], state[State.CAPACITY], x.size()]).toEqual([8, 10, 0]);
  });
});

describe('choosing a build', () => {
  test("simd: 'auto' (the default) picks SIMD on Node 20, and index.build / index.simd say so", async () => {
    expect(simdSupported()).toBe(true);
    for (const options of [{ dim: 4, simd: 'auto' as const }, { dim: 4 }]) {
      for (const Index of [HnswIndex, FlatIndex]) {
        const index = await Index.create(options);
        expect([index.build, index.simd]).toEqual(['simd', true]);
        index.dispose();
      }
    }
  });

  test.each(BUILDS)('forcing the %s build runs it', async (build) => {
    for (const Index of [HnswIndex, FlatIndex]) {
      const index = await Index.create({ dim: 4, simd: simdOption(build), threads: 1 });
      expect([index.build, index.simd]).toEqual([build, build === 'simd']);
      index.dispose();
    }
  });

  test('wasm: bytes, a Module, a URL or { simd, scalar }; the build reported is what really runs', async () => {
    const scalarBytes = new Uint8Array(readFileSync(buildFile('scalar')));
    const simdUrl = new URL(`file://${buildFile('simd')}`);
    const cases: Array<[wann.HnswOptions, wann.Build]> = [
      [{ dim: 4, simd: true, wasm: scalarBytes }, 'scalar'], // one source is used whatever simd says
      [{ dim: 4, simd: false, wasm: simdUrl }, 'simd'],
      [{ dim: 4, wasm: await compileBuild('scalar') }, 'scalar'],
      [{ dim: 4, simd: false, wasm: { simd: simdUrl, scalar: scalarBytes } }, 'scalar'],
      [{ dim: 4, simd: 'auto', wasm: { simd: simdUrl.href, scalar: scalarBytes } }, 'simd'],
    ];
    for (const [options, build] of cases) {
      const index = await HnswIndex.create(options);
      index.add([1, 2, 3, 4]);
      expect([index.build, index.search([1, 2, 3, 4], 1).ids[0]]).toEqual([build, 0]);
      index.dispose();
    }
  });

  test('wasm that cannot be loaded or compiled gives WASM_UNAVAILABLE', async () => {
    await expectWannRejection(HnswIndex.create({ dim: 4, wasm: new Uint8Array([0, 97, 115, 109, 9, 9]) }), 'WASM_UNAVAILABLE', 'compile');
    await expectWannRejection(FlatIndex.create({ dim: 4, wasm: new URL('file:///nonexistent/wann.wasm') }), 'WASM_UNAVAILABLE', '/nonexistent/wann.wasm');
    // A failed load is not cached: the next create() works.
    const index = await FlatIndex.create({ dim: 4 });
    expect(index.build).toBe('simd');
    index.dispose();
  });
});

describe.each([
  ['HnswIndex', HnswIndex],
  ['FlatIndex', FlatIndex],
] as const)('%s: the shared index contract', (_, Index) => {
  test('create() is async and the constructor is not for callers; instances have the whole API', async () => {
    const created = Index.create({ dim: 3 });
    expect(created).toBeInstanceOf(Promise);
    const index = await created;
    for (const method of ['add', 'addBatch', 'search', 'searchBatch', 'has', 'dispose', 'resetCounters']) {
      expect(typeof (index as unknown as Record<string, unknown>)[method], method).toBe('function');
    }
    expect(typeof index[Symbol.dispose]).toBe('function');
    expect([index.dim, index.metric, index.size, index.disposed]).toEqual([3, 'l2', 0, false]);
    expect(index.capacity).toBe(1024);
    expect(index.memoryBytes % 65536).toBe(0);
    expect(index.counters).toEqual({ distances: 0, hops: 0 });
    index.dispose();
  });

  test('[Symbol.dispose]() disposes, as `using` would', async () => {
    const index = await Index.create({ dim: 3 });
    index[Symbol.dispose]();
    expect(index.disposed).toBe(true);
    expect(() => index.size).toThrow(wann.WannError);
  });

  test('results are copies: later searches and memory growth leave them unchanged', async () => {
    const dim = 8;
    const data = seededVectors({ n: 100, queries: 2, dim, seed: 1 });
    const index = await Index.create({ dim, capacity: 100 });
    try {
      index.addBatch(data.base);
      const one = index.search(data.queries.subarray(0, dim), 5);
      const batch = index.searchBatch(data.queries, 5);
      const saved = structuredClone({ one, batch });
      expect(one.ids.buffer.byteLength).toBe(one.ids.byteLength); // not a view over WASM memory
      index.search(data.queries.subarray(dim), 5);
      index.addBatch(seededVectors({ n: 5000, dim, seed: 2 }).base); // grows memory
      expect({ one, batch }).toEqual(saved);
    } finally {
      index.dispose();
    }
  });

  test('two indexes are independent instances with their own memory', async () => {
    const a = await Index.create({ dim: 2 });
    const b = await Index.create({ dim: 2 });
    a.add([1, 1], 7);
    expect([a.size, b.size, b.has(7)]).toEqual([1, 0, false]);
    b.addBatch([[5, 5], [6, 6]]);
    expect(Array.from(a.search([6, 6], 5).ids)).toEqual([7]);
    a.dispose();
    expect(b.search([6, 6], 1).ids[0]).toBe(1); // disposing one leaves the other working
    b.dispose();
  });
});

test('the public entry point exports exactly these values (update when the API grows)', () => {
  expect(Object.keys(wann).sort()).toEqual(['FlatIndex', 'HnswIndex', 'IvfIndex', 'MAX_ID', 'NO_ID', 'ProductQuantizer', 'WannError', 'bytesSource', 'idbRemove', 'idbSink', 'idbSource', 'loadIndex', 'openIndex', 'opfsRemove', 'opfsSink', 'opfsSource', 'simdSupported', 'threadsSupported']);
  expect([wann.NO_ID, wann.MAX_ID]).toEqual([0xffffffff, 0xfffffffe]);
  const error = new wann.WannError('INTERNAL', 'x');
  expect([error instanceof Error, error.name, error.code, error.message]).toEqual([true, 'WannError', 'INTERNAL', 'x']);
});
