// Turns the JSON written by bench/kernels.ts and bench/search.ts into bench/RESULTS.md,
// the SVG charts under bench/charts/, and the figures between the bench markers of the
// README's Performance section. Every number comes from the JSON files: nothing is typed in.
//
//   npm run bench:report -- [--results bench/results] [--out bench] [--no-readme]
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { kernelRatioSpec, searchSpec, toSvg } from './lib/charts.js';
import { CODE_TYPES_NOTE, type CodeRow } from './lib/code-bench.js';
import type { BoundaryRow, KernelRow } from './lib/kernel-bench.js';
import { formatMachine, type BuildInfo, type MachineInfo } from './lib/machine.js';
import { profileTable, type SearchFile } from './lib/profile.js';
import { qpsAtRecall } from './lib/stats.js';
import { boundaryTable, codeTable, kernelTable, ratioTable } from './lib/tables.js';
import { memorySpec, storageTable } from './lib/storage-table.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { values } = parseArgs({
  options: { results: { type: 'string', default: join(here, 'results') }, out: { type: 'string', default: here }, 'no-readme': { type: 'boolean', default: false } },
});
const CHARTS = join(values.out, 'charts');
const RESULTS_MD = join(values.out, 'RESULTS.md');
const BEGIN = '<!-- bench:begin (written by npm run bench:report) -->', END = '<!-- bench:end -->';
const TARGET = 0.95;

interface KernelFile {
  machine: MachineInfo; build: BuildInfo; date: string; command: string; rows: KernelRow[]; boundary: BoundaryRow[];
  /** Each row format's kernels (absent from files written before the code types were measured). */
  codes?: CodeRow[];
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const kernelsPath = join(values.results, 'kernels.json');
const kernels = existsSync(kernelsPath) ? readJson<KernelFile>(kernelsPath) : undefined;
const searches = readdirSync(values.results).filter((f) => /^search-.*\.json$/.test(f))
  .map((f) => readJson<SearchFile>(join(values.results, f)))
  .sort((a, b) => a.n * a.dim - b.n * b.dim);
if (!kernels && searches.length === 0) throw new Error(`${values.results}: no kernels.json or search-*.json; run npm run bench first`);

mkdirSync(CHARTS, { recursive: true });
const chartPath = (name: string) => join(CHARTS, `${name}.svg`);
if (kernels) writeFileSync(chartPath('kernels-simd-ratio'), await toSvg(kernelRatioSpec(kernels.rows)));
for (const s of searches) {
  writeFileSync(chartPath(`search-${s.dataset}`), await toSvg(searchSpec(s.results, `${s.dataset}: ${s.n.toLocaleString('en-US')} × ${s.dim}, recall@10 vs queries/s (M=${s.M}, efConstruction=${s.efConstruction})`)));
}
const link = (from: string, name: string) => relative(from, chartPath(name));
const storageSearch = searches.find((s) => s.dataset.startsWith('synthetic-100000')) ?? searches[0];
if (storageSearch) writeFileSync(chartPath(`storage-${storageSearch.dataset}`), await toSvg(memorySpec(storageSearch, TARGET)));

/** wann SIMD's queries/s at `target` recall over each library's, one row per dataset. */
function headlineTable(target = TARGET): string {
  // Peers and the scalar build; wann's storage kinds have their own table (storageTable).
  const peers = [...new Set(searches.flatMap((s) => s.results.map((r) => r.name)))]
    .filter((n) => n !== 'wann simd' && !n.includes('exact') && (!n.startsWith('wann ') || n === 'wann scalar'));
  const lines = [`| dataset | wann SIMD QPS | ${peers.map((p) => `÷ ${p}`).join(' | ')} |`, `| --- | ---: | ${peers.map(() => '---:').join(' | ')} |`];
  for (const s of searches) {
    const simd = qpsAtRecall(s.results.find((r) => r.name === 'wann simd')!.points, target);
    const cells = peers.map((p) => {
      const r = s.results.find((x) => x.name === p);
      const at = r && qpsAtRecall(r.points, target);
      return !r ? 'not run' : !at ? 'not reached' : simd ? `${(simd.qps / at.qps).toFixed(2)}x` : '';
    });
    lines.push(`| ${s.dataset} (${s.n.toLocaleString('en-US')} × ${s.dim}) | ${simd ? Math.round(simd.qps).toLocaleString('en-US') : 'not reached'} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function kernelHeadline(): string {
  if (!kernels) return '';
  const at = (pattern: string) => kernels.rows.find((r) => r.dim === 128 && r.metric === 'l2' && r.pattern === pattern);
  const lines = ['| 128-d l2 | SIMD ns | scalar ns | naive ns | SIMD ÷ scalar | SIMD ÷ naive |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const [pattern, label] of [['in', 'in cache'], ['out-seq', 'out of cache, sequential'], ['out-random', 'out of cache, random order']]) {
    const r = at(pattern);
    if (r) lines.push(`| ${label} | ${r.simdNs.toFixed(1)} | ${r.scalarNs.toFixed(1)} | ${r.naiveNs.toFixed(1)} | ${r.simdOverScalar.toFixed(2)}x | ${r.simdOverNaive.toFixed(2)}x |`);
  }
  return lines.join('\n');
}

const first = kernels ?? searches[0];
const commands = [...new Set([...(kernels ? [kernels.command] : []), ...searches.map((s) => s.command)])];
const results: string[] = [
  '# wann benchmark results', '',
  '<!-- Written by `npm run bench:report` from bench/results/*.json; do not edit by hand. -->', '',
  `Measured on ${formatMachine(first.machine)}, checkout \`${first.build?.commit ?? 'unknown'}\`, ${first.date.slice(0, 16).replace('T', ' ')} UTC. ` +
    'Single thread; the machine is shared, so compare ratios within one run, not absolute figures across runs.', '',
  'Commands:', '', '```sh', ...commands, 'npm run bench:report', '```', '',
  '## Search: wann SIMD ÷ each library at recall@10 = 0.95', '',
  'Queries/s at recall@10 = 0.95, interpolated between the two sweep points around it (log QPS, linear in recall); above 1.00x wann is faster.', '',
  headlineTable(), '',
  'The same at recall@10 = 0.99: here the recall each library reaches at a given ef counts as much as its speed per ef (compare the recall columns of the sweeps below).', '',
  headlineTable(0.99), '',
  ...(searches.length > 0 ? [
    '## Storage kinds: memory, recall and speed beside f32', '',
    'wann over each row format, same graph parameters, one run. `+rerank` keeps the f32 rows and re-scores the whole beam (rerank = ef), so its ef column is also the re-rank depth. Above 1.00x a storage kind is faster than f32.', '',
    storageTable(searches, TARGET), '',
    `![memory vs queries/s](${link(values.out, `storage-${storageSearch.dataset}`)})`, '',
  ] : []),
  ...(kernels ? ['## Distance kernels at 128-d', '', kernelHeadline(), ''] : []),
  ...(searches.length > 0 ? ['## Where the time goes (wann SIMD at the first ef reaching recall 0.95)', '', profileTable(searches, kernels?.rows ?? [], TARGET), ''] : []),
];
for (const s of searches) {
  const md = join(values.results, `search-${s.dataset}.md`);
  results.push(`## ${s.dataset}`, '', `![${s.dataset}](${link(values.out, `search-${s.dataset}`)})`, '', `\`${s.command}\``, '');
  if (existsSync(md)) results.push(readFileSync(md, 'utf8').split('\n').slice(2).join('\n').trim(), '');
}
if (kernels) {
  results.push('## Distance kernels', '', `![SIMD ÷ scalar](${link(values.out, 'kernels-simd-ratio')})`, '', `\`${kernels.command}\`. Cosine is the dot kernel over rows normalised at insert, as the library stores them.`, '',
    '### SIMD ÷ scalar by dimension', '', ratioTable(kernels.rows), '', '### All figures (ns per distance)', '', kernelTable(kernels.rows), '',
    '### The JS → WASM boundary (SIMD build, l2, in cache)', '', 'One `l2` call made from JavaScript, against the same distance repeated inside WASM (the difference is the crossing) and against the SIMD scan over many rows.', '', boundaryTable(kernels.boundary), '');
  if (kernels.codes?.length) results.push('### Code types: each row format\'s kernels (ns per distance)', '', CODE_TYPES_NOTE, '', codeTable(kernels.codes), '');
}
writeFileSync(RESULTS_MD, results.join('\n'));
console.log(`wrote ${relative(root, RESULTS_MD)} and ${relative(root, CHARTS)}/*.svg`);

if (!values['no-readme']) {
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const a = readme.indexOf(BEGIN), b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md: markers '${BEGIN}' … '${END}' not found; add them to the Performance section`);
  const search = searches.find((s) => s.dataset.startsWith('synthetic-100000')) ?? searches[0];
  const body = [
    BEGIN, '',
    ...(search ? [`![recall@10 vs queries/s on ${search.dataset}](${link(root, `search-${search.dataset}`)})`, ''] : []),
    `wann SIMD's queries/s at recall@10 = 0.95 divided by each library's (above 1.00x wann is faster), ${formatMachine(first.machine)}, single thread, M=16, efConstruction=200:`, '',
    headlineTable(), '',
    'Storage kinds beside f32 (memory, recall@10 at ef 64, queries/s at recall@10 = 0.95; `+rerank` re-scores the beam from kept f32 rows):', '',
    storageTable(searches, TARGET), '',
    ...(kernels ? ['Distance kernels, 128-d l2, ns per distance:', '', kernelHeadline(), '', `![SIMD ÷ scalar by dimension](${link(root, 'kernels-simd-ratio')})`, ''] : []),
    END,
  ].join('\n');
  writeFileSync(readmePath, readme.slice(0, a) + body + readme.slice(b + END.length));
  console.log('updated the Performance section of README.md');
}
