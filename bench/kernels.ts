// Kernel benchmark (`npm run bench:kernels`): ns per distance, GFLOP/s and SIMD ÷ scalar
// for l2, ip and cosine at every dimension of DIMS, in cache, out of cache sequentially
// and out of cache in random order, for the library's kernels built with and without
// SIMD (bench/kernels/scan.ts), a naive one-sum loop and plain JS. Distances run inside
// WASM over rows already in memory; the JS → WASM call cost is reported separately.
// Then the same for every row format (f32, f16, i8, binary: bench/lib/code-bench.ts) at
// the code dims, SIMD and scalar, with bytes per row.
// Writes kernels.json and kernels.md to --out (default bench/results/).
//
//   npm run bench:kernels -- [--dims 128,784] [--metrics l2,ip,cosine]
//                            [--patterns in,out-seq,out-random] [--time 150] [--out-mib 64] [--out DIR]
//                            [--code-dims 128,384,768,784 (default: --dims when given)]
//                            [--codes f32-l2,f16-l2,i8-l2,i8-dot,binary-hamming,binary-planes (also f32-dot, f16-dot) | none]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { progress } from '../src/progress.js';
import { compileKernels } from './kernels/compile.js';
import { CODE_TYPES_NOTE, codeCaseCount, codeKernel, DEFAULT_CODE_OPTIONS, runCodeBench } from './lib/code-bench.js';
import { DEFAULT_KERNEL_OPTIONS, runKernelBench, type CachePattern, type KernelMetric } from './lib/kernel-bench.js';
import { buildInfo, formatMachine, machineInfo } from './lib/machine.js';
import { boundaryTable, codeTable, kernelTable, ratioTable } from './lib/tables.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    dims: { type: 'string' }, // default DEFAULT_KERNEL_OPTIONS.dims; when given, also the code dims' default
    metrics: { type: 'string', default: DEFAULT_KERNEL_OPTIONS.metrics.join(',') },
    patterns: { type: 'string', default: DEFAULT_KERNEL_OPTIONS.patterns.join(',') },
    time: { type: 'string', default: String(DEFAULT_KERNEL_OPTIONS.timeMs) },
    'out-mib': { type: 'string', default: String(DEFAULT_KERNEL_OPTIONS.outOfCacheBytes / 2 ** 20) },
    'code-dims': { type: 'string' },
    codes: { type: 'string', default: DEFAULT_CODE_OPTIONS.kernels.join(',') },
    out: { type: 'string', default: join(here, 'results') },
  },
});
const list = (text: string) => (text === 'none' ? [] : text.split(','));
const options = {
  ...DEFAULT_KERNEL_OPTIONS,
  dims: values.dims?.split(',').map(Number) ?? DEFAULT_KERNEL_OPTIONS.dims,
  metrics: values.metrics.split(',') as KernelMetric[],
  patterns: values.patterns.split(',') as CachePattern[],
  timeMs: Number(values.time),
  outOfCacheBytes: Number(values['out-mib']) * 2 ** 20,
};
for (const m of options.metrics) if (!DEFAULT_KERNEL_OPTIONS.metrics.includes(m)) throw new Error(`--metrics: unknown '${m}' (known: l2, ip, cosine)`);
for (const p of options.patterns) if (!DEFAULT_KERNEL_OPTIONS.patterns.includes(p)) throw new Error(`--patterns: unknown '${p}' (known: in, out-seq, out-random)`);
if (!options.dims.every((d) => Number.isInteger(d) && d > 0)) throw new Error(`--dims: expected positive integers, got '${values.dims}'`);
const codeOptions = {
  ...options,
  // Asked for dims measure the code types there too; the default is a few common sizes, to keep `npm run bench` short.
  dims: values['code-dims'] !== undefined ? list(values['code-dims']).map(Number) : values.dims !== undefined ? options.dims : DEFAULT_CODE_OPTIONS.dims,
  kernels: list(values.codes),
};
codeOptions.kernels.forEach(codeKernel); // --codes: throws for an unknown kernel before anything runs
if (!codeOptions.dims.every((d) => Number.isInteger(d) && d > 0)) throw new Error(`--code-dims: expected positive integers, got '${values['code-dims']}'`);

console.log(`wann kernel benchmark — ${formatMachine()}`);
const bytes = await compileKernels();
const modules = {
  simd: await WebAssembly.compile(bytes.simd), scalar: await WebAssembly.compile(bytes.scalar), naive: await WebAssembly.compile(bytes.naive),
};
const f32Cases = options.dims.length * options.patterns.length * options.metrics.length;
const bar = progress('kernels', f32Cases + codeCaseCount(codeOptions));
const results = await runKernelBench(modules, { ...options, onStep: (done, _total, label) => bar.tick(done, label) });
const codes = await runCodeBench(modules, { ...codeOptions, onStep: (done, _total, label) => bar.tick(f32Cases + done, label) });
bar.done();

const command = `npm run bench:kernels${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const markdown = [
  `### Distance kernels: ns per distance, single thread`, '',
  `${formatMachine()}. \`${command}\`. Cosine is the dot kernel over rows normalised at insert (as the library stores them). ` +
    `In cache: ${options.inCacheBytes / 1024} KiB of rows; out of cache: ${options.outOfCacheBytes / 2 ** 20} MiB, scanned in order or in a seeded random order.`, '',
  '#### SIMD ÷ scalar', '', ratioTable(results.rows), '',
  '#### All figures', '', kernelTable(results.rows), '',
  '#### The JS → WASM boundary (SIMD build, l2, in cache)', '', boundaryTable(results.boundary),
  ...(codes.length > 0 ? ['', '#### Code types: each row format\'s kernels, ns per distance', '', CODE_TYPES_NOTE, '', codeTable(codes)] : []),
].join('\n');
console.log(`\n${markdown}`);
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'kernels.md'), `${markdown}\n`);
writeFileSync(join(values.out, 'kernels.json'), JSON.stringify({
  kind: 'kernels', machine: machineInfo(), build: buildInfo(), date: new Date().toISOString(), command,
  parameters: { ...options, onStep: undefined, codeDims: codeOptions.dims, codes: codeOptions.kernels }, ...results, codes,
}, null, 2));
