// save() and open() on Node (src/node-io.ts): a save killed between writing its temporary
// and renaming it leaves the target intact, and the next save of that path removes the
// leftover; which stale temporaries are removed and which are kept; errors that name the
// caller's path; paths that are not strings.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { FlatIndex, HnswIndex } from '../src/index.ts';
import { expectWannRejection } from './helpers/expect.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wann-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function small(): Promise<HnswIndex> {
  const index = await HnswIndex.create({ dim: 4 });
  index.addBatch(Array.from({ length: 20 }, (_, i) => [i, -i, 1, 0]));
  return index;
}

/** A pid that was a process a moment ago and is none now. */
function deadPid(): number {
  const run = spawnSync(process.execPath, ['-e', '']);
  return run.pid!;
}

test('a save killed mid-write leaves the target intact; the next save of that path removes its temporary', async () => {
  const target = join(dir, 'killed.wann');
  const index = await small();
  await index.save(target);
  const before = readFileSync(target);

  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/save-child.ts', target], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('written') && resolve());
    child.on('exit', () => reject(new Error('the child exited before writing its temporary')));
  });
  const temporaries = () => readdirSync(dir).filter((name) => name.startsWith('.killed.wann.') && name.endsWith('.tmp'));
  expect(temporaries()).toEqual([expect.stringMatching(new RegExp(`^\\.killed\\.wann\\.${child.pid}\\.\\d+\\.tmp$`))]);
  child.kill('SIGKILL');
  await exited;

  expect(readFileSync(target)).toEqual(before); // the target was never touched
  expect(temporaries()).toHaveLength(1); // nothing runs at SIGKILL: the leftover stays …
  index.add([100, 0, 0, 0], 100);
  await index.save(target); // … until the next save of that path
  expect(temporaries()).toEqual([]);
  expect((await HnswIndex.open(target)).has(100)).toBe(true);
  index.dispose();
}, 60_000);

test('only temporaries of the same path whose process is gone are removed', async () => {
  const target = join(dir, 'x.wann');
  const dead = deadPid(), alive = process.ppid, stamp = Date.now();
  const stale = `.x.wann.${dead}.${stamp}.tmp`;
  const kept = [
    `.x.wann.${alive}.${stamp}.tmp`, // a live process: perhaps saving right now
    `.x.wann.${process.pid}.${stamp}.tmp`, // this process: another save of the path may be under way
    `.y.wann.${dead}.${stamp}.tmp`, // another target
    `.x.wann.5.${dead}.${stamp}.tmp`, // the target x.wann.5's
    `.x.wann.${dead}.tmp`, `.x.wann.${dead}.${stamp}.tmp.bak`, `x.wann.${dead}.${stamp}.tmp`, `.x.wann.p${dead}.${stamp}.tmp`, // not the pattern
  ];
  for (const name of [stale, ...kept]) writeFileSync(join(dir, name), 'partial');
  const index = await small();
  await index.save(target);
  const names = readdirSync(dir);
  expect(names).not.toContain(stale);
  for (const name of kept) expect(names).toContain(name);
  expect(readFileSync(target)).toEqual(Buffer.from(index.serialize()));
  index.dispose();
});

test('two saves of one path at once both finish; the file is one of them, whole', async () => {
  const target = join(dir, 'twice.wann');
  const a = await small(), b = await small();
  b.addBatch(Array.from({ length: 500 }, (_, i) => [i, i, i, 1]), Array.from({ length: 500 }, (_, i) => 1000 + i)); // a longer file
  await Promise.all([a.save(target), b.save(target), a.save(target)]);
  const saved = readFileSync(target);
  expect([Buffer.from(a.serialize()), Buffer.from(b.serialize())]).toContainEqual(saved);
  expect(readdirSync(dir).filter((name) => name.startsWith('.twice.wann.'))).toEqual([]);
  a.dispose();
  b.dispose();
});

test('a missing directory: the error names the path given, not the temporary; nothing is left behind', async () => {
  const index = await small();
  const target = join(dir, 'missing', 'x.wann');
  const error = await index.save(target).then(() => undefined, (caught: NodeJS.ErrnoException) => caught);
  expect(error).toBeInstanceOf(Error);
  expect(error!.code).toBe('ENOENT');
  expect(error!.path).toBe(target);
  expect(error!.message).toBe(`ENOENT: no such file or directory, save '${target}'`);
  expect(existsSync(join(dir, 'missing'))).toBe(false);
  index.dispose();
});

test('save() and open() take a path: anything else is INVALID_ARGUMENT', async () => {
  const index = await small();
  for (const path of [42, undefined, null, '', { path: 'x' }]) {
    await expectWannRejection(index.save(path as never), 'INVALID_ARGUMENT', 'save()', 'file path');
    await expectWannRejection(HnswIndex.open(path as never), 'INVALID_ARGUMENT', 'HnswIndex.open()');
    await expectWannRejection(FlatIndex.open(path as never), 'INVALID_ARGUMENT', 'FlatIndex.open()');
  }
  index.dispose();
});
