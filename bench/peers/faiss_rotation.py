#!/usr/bin/python3
# Does a rotation before product quantization pay on real data? (issue 9 asks for OPQ or
# a random orthogonal rotation only if it measures better.) Trains FAISS 1.7.3's
# IndexPQ, IndexPreTransform(RandomRotationMatrix, PQ) and IndexPreTransform(OPQMatrix,
# PQ) on a texmex folder's base rows, one thread, and prints recall@10 of each against
# the folder's exact ground truth with its training time. A development-only check,
# run with Debian's /usr/bin/python3 (python3-faiss + numpy):
#
#   /usr/bin/python3 bench/peers/faiss_rotation.py ../shared/data/siftsmall [M]
import os

for _var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_var] = '1'  # before numpy and faiss load (OpenBLAS runs its own threads)

import sys
import time

import faiss
import numpy as np

faiss.omp_set_num_threads(1)


def vecs(path, dtype):
    raw = np.fromfile(path, dtype=np.int32)
    dim = raw[0]
    return raw.reshape(-1, dim + 1)[:, 1:].copy().view(dtype)


def main():
    folder = sys.argv[1]
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    base = vecs(os.path.join(folder, 'base.fvecs'), np.float32)
    queries = vecs(os.path.join(folder, 'query.fvecs'), np.float32)
    truth = vecs(os.path.join(folder, 'gt.ivecs'), np.int32)[:, :10]
    dim = base.shape[1]
    name = os.path.basename(os.path.normpath(folder))
    for label, key in (('PQ', f'PQ{m}'), ('random rotation, PQ', f'RR{dim},PQ{m}'), ('OPQ, PQ', f'OPQ{m},PQ{m}')):
        index = faiss.index_factory(dim, key)
        start = time.perf_counter()
        index.train(base)
        seconds = time.perf_counter() - start
        index.add(base)
        _, found = index.search(queries, 10)
        recall = np.mean([len(set(found[i]) & set(truth[i])) / 10 for i in range(len(queries))])
        print(f'{name} m {m}, {label}: recall@10 {recall:.4f}, training {seconds:.1f} s', flush=True)


if __name__ == '__main__':
    main()
