// Installed version of a peer package, read from node_modules; called by bench/peers/*.ts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Walks up from this file to the nearest node_modules/<name>/package.json. Not
 * require.resolve('<name>/package.json'): usearch's "exports" map hides that path and
 * hnswlib-wasm has no "main" to resolve from.
 */
export function packageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package '${name}' is not installed (no node_modules/${name}/package.json)`);
    dir = parent;
  }
}

export function packageVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
