// The PQ benchmark (bench/pq.ts) end to end in --quick mode on tiny synthetic data, FAISS
// child process included, writing into a temporary folder. Checks that every
// configuration either ran or says why not, and that the files are whole; no timing
// or quality assertions (those are the benchmark's figures, not facts to test).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { faissUnavailable } from '../bench/lib/pq-faiss.js';
import type { PqFile } from '../bench/lib/pq-report.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const missing = faissUnavailable();
const tmp = mkdtempSync(join(tmpdir(), 'wann-bench-pq-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test.skipIf(missing !== undefined)(
  `npm run bench:pq -- --quick on 2000 × 32 writes pq-<dataset>.json, .md and .svg${missing ? ` (skipped: FAISS unavailable: ${missing})` : ''}`,
  () => {
    const stdout = execFileSync(process.execPath, [
      '--import', 'tsx', 'bench/pq.ts', '--quick', 'synthetic:2000:32:20', '--ef', '32', '--out', tmp, '--charts', tmp,
    ], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(stdout).toContain('| target | goal | this run | meets |');

    const file = JSON.parse(readFileSync(join(tmp, 'pq-synthetic-2000-32-20.json'), 'utf8')) as PqFile;
    expect([file.n, file.dim, file.nq, file.k]).toEqual([2000, 32, 20, 10]);
    expect(file.faiss?.faiss).toMatch(/^\d+\.\d+/);
    for (const r of file.results) {
      if (r.skipped !== undefined) {
        expect(r.skipped.length, `${r.name} says why it did not run`).toBeGreaterThan(0);
        continue;
      }
      expect(r.points.length, r.name).toBeGreaterThan(0);
      for (const p of r.points) {
        expect(p.recall, r.name).toBeGreaterThanOrEqual(0);
        expect(p.recall, r.name).toBeLessThanOrEqual(1);
        expect(p.qps > 0 && Number.isFinite(p.qps), r.name).toBe(true);
      }
    }
    // Every FAISS configuration runs wherever faiss imports (dim 32 splits into m = 16 and 32).
    const faiss = file.results.filter((r) => r.side === 'faiss');
    expect(faiss.map((r) => [r.name, r.skipped])).toEqual(faiss.map((r) => [r.name, undefined]));
    expect(file.targets.length).toBeGreaterThan(10);
    expect(readFileSync(join(tmp, 'pq-synthetic-2000-32-20.md'), 'utf8')).toContain('| config |');
    expect(readFileSync(join(tmp, 'pq-synthetic-2000-32-20.svg'), 'utf8')).toMatch(/^<svg/);
  },
  60_000,
);
