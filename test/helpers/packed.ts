// The package as a user gets it: `npm pack` of the built repo, installed from the
// tarball into a fresh app folder. Used by test/package.test.ts and
// test/bundlers.test.ts. Needs `npm run build` first (packing skips the prepack build).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Files `npm run build` writes that the package must ship. */
const BUILT = ['dist/index.js', 'dist/index.d.ts', 'dist/browser.d.ts', 'dist/wann.browser.js', 'build/wann-simd.wasm', 'build/wann-scalar.wasm'];

export interface Packed {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the tarball, without the leading `package/`. */
  files: string[];
}

/** Packs the repo (without running prepack: the build must exist) into a new temporary folder. */
export function packTarball(): Packed {
  for (const file of BUILT) {
    if (!existsSync(join(ROOT, file))) throw new Error(`${file} is missing: run npm run build before this test`);
  }
  const destination = mkdtempSync(join(tmpdir(), 'wann-pack-'));
  const output = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [info] = JSON.parse(output) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(destination, info!.filename), files: info!.files.map((file) => file.path).sort() };
}

export interface InstalledApp {
  /** The app folder; wann is in its node_modules/wann. */
  dir: string;
  /** What npm printed on stderr while installing (warnings). */
  npmStderr: string;
}

/** A fresh `"type": "module"` app with the tarball installed as a user would (`npm install <tgz>`). */
export function installApp(tarball: string): InstalledApp {
  const dir = mkdtempSync(join(tmpdir(), 'wann-app-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'wann-test-app', private: true, type: 'module' }, null, 2));
  // wann has no dependencies, so the install needs no registry: --offline keeps CI off the network.
  const result = spawnSync(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=warn', tarball], {
    cwd: dir, encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm install ${tarball} failed:\n${result.stderr}`);
  return { dir, npmStderr: result.stderr };
}
