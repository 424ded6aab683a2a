#!/usr/bin/python3
# PyNNDescent, the kNN-graph peer of bench/threads.ts: builds NNDescent over rows the
# harness wrote and times the construction, which is the graph. A development-only
# peer: run with Debian's /usr/bin/python3 (python3-pynndescent 0.5.8, numba, numpy),
# driven as a child process by bench/lib/pynndescent.ts.
#
#   pynndescent_knn.py DIR
#
# DIR holds raw little-endian float32 rows base.f32 (n x dim) and spec.json:
#   {"n", "dim", "nNeighbors", "nJobs", "runs", "seed"}
# Runs NNDescent `runs` times in this one process: the first call compiles the numba
# kernels (cold; the harness points NUMBA_CACHE_DIR at an empty folder so it always
# does), the later ones reuse them (warm). After each run prints one JSON line
# {"run", "seconds", "idsFile"} and writes the graph's ids (n x nNeighbors int32, the
# point itself usually first) to DIR/ids-<run>.i32. A last line {"done": true, versions}.
import json
import os
import sys
import time

import numpy as np


def main(folder):
    with open(os.path.join(folder, 'spec.json')) as f:
        spec = json.load(f)
    n, dim = spec['n'], spec['dim']
    data = np.fromfile(os.path.join(folder, 'base.f32'), dtype='<f4')
    if data.size != n * dim:
        raise ValueError(f'base.f32: {data.size} values, expected {n} x {dim}')
    data = np.ascontiguousarray(data.reshape(n, dim))

    start = time.perf_counter()
    import numba
    import pynndescent
    import_seconds = time.perf_counter() - start
    for run in range(spec['runs']):
        start = time.perf_counter()
        index = pynndescent.NNDescent(data, metric='euclidean', n_neighbors=spec['nNeighbors'],
                                      n_jobs=spec['nJobs'], random_state=spec['seed'] + run,
                                      low_memory=True, compressed=False, verbose=False)
        ids, _ = index.neighbor_graph
        seconds = time.perf_counter() - start
        path = os.path.join(folder, f'ids-{run}.i32')
        np.ascontiguousarray(ids, dtype='<i4').tofile(path)
        print(json.dumps({'run': run, 'seconds': seconds, 'idsFile': path}), flush=True)
        del index
    print(json.dumps({'done': True, 'pynndescent': pynndescent.__version__ if hasattr(pynndescent, '__version__') else 'unknown',
                      'numba': numba.__version__, 'numpy': np.__version__, 'importSeconds': import_seconds,
                      'numbaThreads': numba.config.NUMBA_NUM_THREADS}), flush=True)


if __name__ == '__main__':
    main(sys.argv[1])
