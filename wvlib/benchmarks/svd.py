"""Benchmark: our randomized truncated SVD against ``scipy.sparse.linalg.svds`` (ARPACK).

Run it with ``python -m wvlib bench svd`` or ``python -m wvlib.benchmarks.svd`` (same options).

The test matrix imitates a word co-occurrence matrix, which is what the course factorises: both
the row and the column of every non-zero are drawn from a Zipf distribution (P(word i) ∝ 1/(i+1)^a),
so a few frequent "words" have dense rows and columns and most are rare; repeated draws add up to
counts, and the counts are damped with log(1 + count) as embedding methods do. Such a matrix has
a few large singular values and then a long, slowly decaying tail — harder for randomized methods
than a matrix with a clean low-rank part, and realistic. (A plain ``scipy.sparse.random`` matrix
would have an almost flat spectrum, which no truncated SVD problem in practice looks like.)

Both methods run in this one process, one after the other, on the same matrix; we print their
wall-clock times, the ratio, and the largest relative difference of the top singular values.
On a machine shared with other busy processes, multi-threaded OpenBLAS can slow down badly
(threads wait for each other); ``OPENBLAS_NUM_THREADS=1`` gives steadier timings.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import scipy.sparse as sp_sparse

from .._validate import check_float, check_positive_int, check_random_state
from ..linalg import truncated_svd


def zipf_cooccurrence_matrix(n, nnz, *, exponent=1.0, seed=0):
    """A random sparse ``n × n`` "co-occurrence" matrix with about ``nnz`` non-zeros.

    Row and column indices are drawn independently from a Zipf distribution with the given
    ``exponent``; repeated draws of the same cell add up, and the entries are ``log(1 + count)``.
    Draws are repeated (more of them each round) until at least 98 % of ``nnz`` cells are filled.
    """
    n = check_positive_int(n, "n")
    nnz = check_positive_int(nnz, "nnz")
    if nnz > n * n // 2:
        raise ValueError(f"nnz must be at most half of n*n = {n * n} for a sparse matrix, "
                         f"got {nnz}")
    exponent = check_float(exponent, "exponent", low=0)
    rng = check_random_state(seed)
    p = 1.0 / np.arange(1, n + 1) ** exponent
    p /= p.sum()
    draws = nnz
    for _ in range(20):
        rows = rng.choice(n, size=draws, p=p)
        cols = rng.choice(n, size=draws, p=p)
        counts = sp_sparse.csr_matrix((np.ones(draws), (rows, cols)), shape=(n, n))
        counts.sum_duplicates()
        if counts.nnz >= 0.98 * nnz:
            break
        draws = int(draws * 1.05 * nnz / counts.nnz)  # more draws next round
    counts.data = np.log1p(counts.data)
    return counts


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the benchmark's options to ``parser``."""
    parser.add_argument("--n", type=int, default=20_000, help="rows = columns (default 20000)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--nnz", type=int, default=None,
                       help="number of non-zeros (default 2,000,000)")
    group.add_argument("--density", type=float, default=None,
                       help="fraction of non-zero entries (alternative to --nnz)")
    parser.add_argument("--exponent", type=float, default=1.0,
                        help="Zipf exponent of the row/column frequencies (default 1.0)")
    parser.add_argument("--k", type=int, default=300, help="rank of the truncated SVD (300)")
    parser.add_argument("--top", type=int, default=100,
                        help="compare this many leading singular values (100)")
    parser.add_argument("--n-iter", type=int, default=None,
                        help="power iterations of the randomized SVD (default: the library's)")
    parser.add_argument("--oversamples", type=int, default=None,
                        help="oversampling of the randomized SVD (default: the library's)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.add_argument("--skip-svds", action="store_true",
                        help="time only our randomized SVD")
    return parser


def run(args) -> int:
    """Run the benchmark described by parsed ``args``; print a table; return an exit code."""
    n = check_positive_int(args.n, "--n")
    if args.density is not None:
        nnz = int(round(check_float(args.density, "--density", low=0, high=0.5, low_open=True)
                        * n * n))
    else:
        nnz = args.nnz if args.nnz is not None else 2_000_000
    k = check_positive_int(args.k, "--k")
    top = min(check_positive_int(args.top, "--top"), k)
    options = {}
    if args.n_iter is not None:
        options["n_iter"] = check_positive_int(args.n_iter, "--n-iter", allow_zero=True)
    if args.oversamples is not None:
        options["n_oversamples"] = check_positive_int(args.oversamples, "--oversamples",
                                                      allow_zero=True)

    start = time.perf_counter()
    A = zipf_cooccurrence_matrix(n, nnz, exponent=args.exponent, seed=args.seed)
    print(f"matrix: {n} × {n}, {A.nnz:,} non-zeros (Zipf exponent {args.exponent}, "
          f"log(1 + count) entries), built in {time.perf_counter() - start:.1f} s")
    print(f"truncated SVD of rank k = {k}; randomized options: {options or 'library defaults'}")

    start = time.perf_counter()
    _, s_ours, _ = truncated_svd(A, k, method="randomized", seed=args.seed, **options)
    t_ours = time.perf_counter() - start
    rows = [("wvlib randomized", t_ours)]
    if not args.skip_svds:
        start = time.perf_counter()
        _, s_ref, _ = truncated_svd(A, k, method="reference", seed=args.seed)
        t_ref = time.perf_counter() - start
        rows.append(("scipy svds (ARPACK)", t_ref))

    print()
    print(f"| {'method':<22} | {'time (s)':>9} |")
    print(f"|{'-' * 24}|{'-' * 11}|")
    for name, seconds in rows:
        print(f"| {name:<22} | {seconds:9.2f} |")
    if args.skip_svds:
        return 0
    error = np.abs(s_ours[:top] - s_ref[:top]) / s_ref[:top]
    print()
    print(f"speed-up (svds time / ours): {t_ref / t_ours:.2f}×")
    print(f"max relative error of the top {top} singular values: {error.max():.2e} "
          f"(at index {int(error.argmax())})")
    print(f"σ₁ = {s_ref[0]:.4g}, σ_{top} = {s_ref[top - 1]:.4g}, σ_{k} = {s_ref[k - 1]:.4g}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wvlib.benchmarks.svd",
                                     description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
