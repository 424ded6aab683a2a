// Runs one create() in a child process and prints the outcome as JSON, for tests of
// inputs that might hang the WASM core (a loop in WASM cannot be interrupted from
// the same thread). Usage: node --import tsx create-child.ts <HnswIndex|FlatIndex> '<options json>'

import { FlatIndex, HnswIndex } from '../../src/index.ts';

const [kind, json] = process.argv.slice(2);
const create = kind === 'FlatIndex' ? FlatIndex.create : HnswIndex.create;
try {
  const index = await create(JSON.parse(json));
  console.log(JSON.stringify({ ok: true, capacity: index.capacity, memoryBytes: index.memoryBytes }));
} catch (error) {
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  console.log(JSON.stringify({ ok: false, name, code, message }));
}
