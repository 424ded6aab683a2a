// Builds the browser bench page: compiles the kernel harnesses (bench/kernels/compile.ts)
// and bundles bench-page.ts with esbuild into bench/results/browser/. With --serve, also
// serves the repository (test/browser/serve.ts) and prints the page's URL.
// Used by `npm run bench:browser` and test/browser-bench.test.ts.
//
//   npm run bench:browser -- [--port 8080]
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { compileKernels } from '../kernels/compile.js';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');
export const PAGE_PATH = '/bench/browser/bench.html';

/** Compiles the harnesses and writes bench/results/browser/bench-page.js. */
export async function buildBenchPage(): Promise<void> {
  await compileKernels();
  await build({
    entryPoints: [join(here, 'bench-page.ts')],
    outfile: join(here, '..', 'results', 'browser', 'bench-page.js'),
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
    external: ['node:*'], // src/wasm.ts reads files only under Node
    logLevel: 'warning',
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildBenchPage();
  const portAt = process.argv.indexOf('--port');
  const { startServer } = await import('../../test/browser/serve.js');
  const { url } = await startServer(ROOT, { port: portAt > 0 ? Number(process.argv[portAt + 1]) : 0 });
  console.log(`benchmark page: ${url}${PAGE_PATH}`);
  console.log(`  quick run:    ${url}${PAGE_PATH}?dims=128,768&time=100&outMiB=16&n=5000`);
  console.log('Ctrl-C to stop');
}
