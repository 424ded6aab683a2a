// Compiles the kernel benchmark harnesses (bench/kernels/scan.ts as SIMD and scalar
// builds, bench/kernels/naive.ts) to bench/results/wasm/, with the library's own asc
// options (asconfig.json). Used by bench/kernels.ts and bench/browser/build.ts.
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

export type KernelBuild = 'simd' | 'scalar' | 'naive';
export const KERNEL_BUILDS: readonly KernelBuild[] = ['simd', 'scalar', 'naive'];

const here = dirname(fileURLToPath(import.meta.url));
export const KERNEL_WASM_DIR = join(here, '..', 'results', 'wasm');

/** Path of the compiled harness for one build. */
export function kernelWasmPath(build: KernelBuild): string {
  return join(KERNEL_WASM_DIR, `kernels-${build}.wasm`);
}

/** Compiles all three harnesses; returns their bytes by build. */
export async function compileKernels(): Promise<Record<KernelBuild, Uint8Array<ArrayBuffer>>> {
  mkdirSync(KERNEL_WASM_DIR, { recursive: true });
  const out = {} as Record<KernelBuild, Uint8Array<ArrayBuffer>>;
  for (const build of KERNEL_BUILDS) {
    // baseDir here: asc would otherwise read the repo's asconfig.json and add assembly/index.ts.
    const source = build === 'naive' ? 'naive.ts' : 'scan.ts';
    const flags = ['-O3', '--runtime', 'stub', '--noAssert', '--converge'];
    // Written under a private name, then renamed: test files compile in parallel and must never read a half-written file.
    const tmp = kernelWasmPath(build).replace(/\.wasm$/, `.${process.pid}.tmp.wasm`);
    const { error, stderr } = await asc.main([source, '--baseDir', here, ...flags, ...(build === 'simd' ? ['--enable', 'simd'] : []), '-o', tmp]);
    if (error) throw new Error(`asc ${build}: ${error.message}\n${stderr.toString()}`);
    out[build] = new Uint8Array(readFileSync(tmp));
    renameSync(tmp, kernelWasmPath(build));
  }
  return out;
}
