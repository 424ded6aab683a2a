#!/usr/bin/python3
# FAISS anchor for the product-quantization benchmark (issue 9): builds IndexPQ,
# IndexPQFastScan, IndexIVFPQ and their IndexRefineFlat wrappers on rows bench/pq.ts
# wrote, and times them single-threaded. A development-only peer: run with Debian's
# /usr/bin/python3 (python3-faiss 1.7.3 + numpy), driven as a child process by
# bench/lib/pq-faiss.ts.
#
#   faiss_pq.py run DIR     reads DIR/spec.json, runs every config and sweep point,
#                           prints one JSON object (standalone use and tests)
#   faiss_pq.py serve DIR   one JSON command per stdin line, one JSON answer per stdout
#                           line, so bench/pq.ts can interleave FAISS and wann rounds
#
# DIR holds raw little-endian float32 rows base.f32 (n x dim), query.f32 (nq x dim),
# train.f32 (ntrain x dim) and int32 gt.i32 (nq x gtK), and spec.json:
#   {"dim", "n", "nq", "ntrain", "gtK", "k", "runs", "minSeconds",
#    "configs": [{"name", "kind": "pq"|"pqfs"|"ivfpq", "m", "nbits", "nlist"?,
#                 "iterations"?, "refine"?: bool, "points": [{"nprobe"?, "kFactor"?}]}]}
#   a config {"name", "from": NAME, "points"} wraps the index NAME, built before, in
#   IndexRefineFlat (its f32 rows re-rank k * kFactor candidates) without training again
import os

# Before numpy and faiss load: OpenBLAS (used by k-means) runs its own pthreads,
# which faiss.omp_set_num_threads does not reach.
for _var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_var] = '1'

import json
import math
import sys
import time

import faiss
import numpy as np

faiss.omp_set_num_threads(1)


def read_rows(path, rows, cols, dtype):
    data = np.fromfile(path, dtype=dtype)
    if data.size != rows * cols:
        raise ValueError(f'{path}: {data.size} values, expected {rows} x {cols} = {rows * cols}')
    return np.ascontiguousarray(data.reshape(rows, cols))


class Data:
    def __init__(self, folder, spec):
        dim = spec['dim']
        self.spec = spec
        self.folder = folder
        self.dim = dim
        self.base = read_rows(os.path.join(folder, 'base.f32'), spec['n'], dim, '<f4')
        self.queries = read_rows(os.path.join(folder, 'query.f32'), spec['nq'], dim, '<f4')
        self.train = read_rows(os.path.join(folder, 'train.f32'), spec['ntrain'], dim, '<f4')
        self.gt = read_rows(os.path.join(folder, 'gt.i32'), spec['nq'], spec['gtK'], '<i4')


def use_all_rows(cp, rows, centroids, iterations):
    """Train on exactly the rows given (the rows wann trains on), with wann's iteration count."""
    cp.niter = iterations
    cp.max_points_per_centroid = max(256, math.ceil(rows / centroids))
    cp.seed = 1234


class Built:
    """One trained, filled index and the objects it points into (kept alive for SWIG)."""

    def __init__(self, config, index, ivf, keep):
        self.config = config
        self.index = index
        self.ivf = ivf
        self.keep = keep


def build(data, config, built=None):
    if config.get('from'):
        if config['from'] not in built:
            raise ValueError(f"config {config['name']}: '{config['from']}' must be built before it is wrapped")
        return wrap_refine(data, config, built[config['from']])
    dim, m, nbits = data.dim, config['m'], config['nbits']
    iterations = config.get('iterations', 25)
    kind = config['kind']
    ntrain = data.train.shape[0]
    ivf = None
    keep = []
    if kind == 'pq':
        inner = faiss.IndexPQ(dim, m, nbits)
        use_all_rows(inner.pq.cp, ntrain, 1 << nbits, iterations)
    elif kind == 'pqfs':
        inner = faiss.IndexPQFastScan(dim, m, nbits)
        use_all_rows(inner.pq.cp, ntrain, 1 << nbits, iterations)
    elif kind == 'ivfpq':
        coarse = faiss.IndexFlatL2(dim)
        keep.append(coarse)
        inner = faiss.IndexIVFPQ(coarse, dim, config['nlist'], m, nbits)
        use_all_rows(inner.pq.cp, ntrain, 1 << nbits, iterations)
        use_all_rows(inner.cp, ntrain, config['nlist'], iterations)
        ivf = inner
    else:
        raise ValueError(f"config {config['name']}: unknown kind '{kind}' (expected pq, pqfs or ivfpq)")
    start = time.perf_counter()
    inner.train(data.train)
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    inner.add(data.base)
    add_seconds = time.perf_counter() - start
    index = inner
    if config.get('refine'):
        # The second IndexRefineFlat constructor takes the f32 rows of an index already
        # filled, so the refine variant shares the base index's training.
        keep.append(inner)
        start = time.perf_counter()
        index = faiss.IndexRefineFlat(inner, faiss.swig_ptr(data.base))
        add_seconds += time.perf_counter() - start
    return Built(config, index, ivf, keep), {
        'name': config['name'],
        'trainSeconds': train_seconds,
        'addSeconds': add_seconds,
        'serializedBytes': int(faiss.serialize_index(index).size),
        'codeBytes': int(faiss.serialize_index(inner).size) if index is not inner else None,
        'trainRows': ntrain,
    }


def wrap_refine(data, config, base):
    """IndexRefineFlat over an index already built (config 'from'): shares its training."""
    start = time.perf_counter()
    index = faiss.IndexRefineFlat(base.index, faiss.swig_ptr(data.base))
    add_seconds = time.perf_counter() - start
    return Built({**base.config, **config, 'refine': True}, index, base.ivf, [base]), {
        'name': config['name'],
        'trainSeconds': 0.0,
        'addSeconds': add_seconds,
        'serializedBytes': int(faiss.serialize_index(index).size),
        'codeBytes': int(faiss.serialize_index(base.index).size),
        'trainRows': data.train.shape[0],
    }


def set_point(built, point):
    if built.ivf is not None:
        built.ivf.nprobe = int(point.get('nprobe', 1))
    if built.config.get('refine'):
        built.index.k_factor = float(point.get('kFactor', 1))


def search_seconds(built, queries, k, inner):
    """Seconds per batch search of every query, timing `inner` back-to-back batches."""
    start = time.perf_counter()
    for _ in range(inner):
        built.index.search(queries, k)
    return (time.perf_counter() - start) / inner


def recall_at_k(ids, gt, k):
    """|found top-k ∩ gt top-k| / k averaged over queries: src/recall.ts recallAtK."""
    hits = sum(len(set(row[:k].tolist()) & set(truth[:k].tolist())) for row, truth in zip(ids, gt))
    return hits / (ids.shape[0] * k)


def train_bench(data_rows, m, nbits, iterations):
    """FAISS's own IndexPQ training: default sampling (256 rows per centroid), `iterations` Lloyd steps."""
    index = faiss.IndexPQ(data_rows.shape[1], m, nbits)
    index.pq.cp.niter = iterations
    start = time.perf_counter()
    index.train(data_rows)
    return time.perf_counter() - start


def run(folder):
    with open(os.path.join(folder, 'spec.json')) as f:
        spec = json.load(f)
    data = Data(folder, spec)
    k, runs, min_seconds = spec.get('k', 10), spec.get('runs', 5), spec.get('minSeconds', 0.1)
    results = []
    built_by_name = {}
    for config in spec['configs']:
        built, info = build(data, config, built_by_name)
        built_by_name[config['name']] = built
        info['points'] = []
        for point in config.get('points', [{}]):
            set_point(built, point)
            start = time.perf_counter()
            _, ids = built.index.search(data.queries, k)  # warm-up, and the ids scored
            inner = max(1, math.ceil(min_seconds / max(time.perf_counter() - start, 1e-9)))
            times = [search_seconds(built, data.queries, k, inner) for _ in range(runs)]
            seconds = float(np.median(times))
            info['points'].append({**point, 'recall': recall_at_k(ids, data.gt, k), 'qps': data.queries.shape[0] / seconds})
        results.append(info)
    out = {'faiss': faiss.__version__, 'compile': faiss.get_compile_options(), 'threads': 1, 'results': results}
    if spec.get('trainBench'):
        tb = spec['trainBench']
        out['trainBench'] = {**tb, 'seconds': train_bench(data.base, tb['m'], tb['nbits'], tb['iterations'])}
    print(json.dumps(out))


def serve(folder):
    """The command loop bench/lib/pq-faiss.ts drives; every answer is one JSON line."""
    data = None
    built = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        try:
            op = cmd['cmd']
            if op == 'hello':
                answer = {'faiss': faiss.__version__, 'compile': faiss.get_compile_options(), 'threads': 1}
            elif op == 'load':
                with open(os.path.join(folder, 'spec.json')) as f:
                    data = Data(folder, json.load(f))
                answer = {'n': data.base.shape[0], 'nq': data.queries.shape[0], 'ntrain': data.train.shape[0]}
            elif op == 'build':
                index, answer = build(data, cmd['config'], built)
                built[cmd['config']['name']] = index
            elif op == 'search':
                # With `idsFile`: one untimed batch whose ids go to that file (int32, nq x k).
                index = built[cmd['name']]
                set_point(index, cmd.get('point', {}))
                k = cmd.get('k', 10)
                if cmd.get('idsFile'):
                    start = time.perf_counter()
                    _, ids = index.index.search(data.queries, k)
                    seconds = time.perf_counter() - start
                    ids.astype('<i4').tofile(cmd['idsFile'])
                    answer = {'seconds': seconds, 'recall': recall_at_k(ids, data.gt, k)}
                else:  # timed over the first `nq` queries (default all)
                    queries = data.queries[:cmd.get('nq', data.queries.shape[0])]
                    answer = {'seconds': search_seconds(index, queries, k, cmd.get('inner', 1))}
            elif op == 'drop':
                built.pop(cmd['name'], None)
                answer = {}
            elif op == 'trainBench':
                rows = data.base
                answer = {'seconds': train_bench(rows, cmd['m'], cmd['nbits'], cmd['iterations']), 'rows': rows.shape[0]}
            elif op == 'quit':
                print(json.dumps({'ok': True}), flush=True)
                return
            else:
                raise ValueError(f"unknown command '{op}'")
            print(json.dumps({'ok': True, **answer}), flush=True)
        except Exception as error:  # reported to the harness, which names the config it skips
            print(json.dumps({'ok': False, 'error': f'{type(error).__name__}: {error}'}), flush=True)


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[1] not in ('run', 'serve'):
        sys.exit('usage: faiss_pq.py run|serve DIR')
    (run if sys.argv[1] == 'run' else serve)(sys.argv[2])
