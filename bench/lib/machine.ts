// Machine and build description (CPU, cores, memory, OS, Node, commit) stored by the Node bench scripts.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  memoryGiB: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

export function formatMachine(info: MachineInfo = machineInfo()): string {
  return `${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.platform}, Node ${info.node}`;
}

export interface BuildInfo {
  /** `git describe --always --dirty` of the checkout, or 'unknown' outside git. */
  commit: string;
  /** Bytes of build/wann-simd.wasm and build/wann-scalar.wasm, the code that was measured. */
  wasmBytes: { simd: number; scalar: number };
}

/** Which code a result file measured: the checkout and the WASM builds beside it. */
export function buildInfo(): BuildInfo {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['describe', '--always', '--dirty'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout (an unpacked tarball): the result still names the wasm sizes
  }
  const size = (build: string) => statSync(join(root, 'build', `wann-${build}.wasm`), { throwIfNoEntry: false })?.size ?? 0;
  return { commit, wasmBytes: { simd: size('simd'), scalar: size('scalar') } };
}
