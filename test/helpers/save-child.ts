// A process that dies mid-save: it starts save(path), holds it after the temporary file
// is written and before the rename (the flush never returns), prints "written" and
// waits to be killed. Used by test/node-io.test.ts. Usage: node --import tsx save-child.ts <path>

import { open } from 'node:fs/promises';
import { HnswIndex } from '../../src/index.ts';

const path = process.argv[2];
const probe = await open(process.argv[1], 'r'); // any FileHandle, for the class save() uses
const fileHandle = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
await probe.close();
fileHandle.sync = () => {
  console.log('written');
  return new Promise(() => undefined); // the save stops here, between write and rename
};
setInterval(() => undefined, 60_000); // alive until killed

const index = await HnswIndex.create({ dim: 4 });
index.addBatch(Array.from({ length: 50 }, (_, i) => [i, 1, 2, 3]));
void index.save(path);
