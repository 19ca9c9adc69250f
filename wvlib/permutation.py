"""A uniformly random permutation made by several threads: the order of GloVe's epochs.

NumPy's ``Generator.shuffle`` of 85 M indices takes about 10 s of one core, a serial step
that 16 threads training an epoch in under 4 s would wait for. :func:`parallel_permutation`
splits the work into jobs on :func:`wvlib.jobs.run_jobs`: every index goes to a random
bucket (two passes over slices of the indices: count, then scatter), each bucket is shuffled
by Fisher–Yates, and the buckets are laid end to end. Random buckets with uniformly shuffled
contents make a uniform permutation (Sanders 1998). The random numbers are the compiled
trainers' generator (:mod:`wvlib._lcg`), seeded from a NumPy generator, so the same seed
gives the same permutation on any number of threads.

References
----------
P. Sanders (1998). Random permutations on distributed, external and hierarchical memory.
Information Processing Letters 67(6).
"""
from __future__ import annotations

import numpy as np

from ._jit import njit
from ._lcg import lcg_below, lcg_next
from .jobs import run_jobs

__all__ = ["parallel_permutation"]

#: Indices per bucket of the parallel shuffle (a bucket is shuffled in cache).
_SHUFFLE_BUCKET = 65_536


@njit
def _count_buckets(start, stop, n_buckets, seed, counts):
    """How many of the indices start .. stop − 1 fall in each bucket (drawn by the
    generator seeded with ``seed``)."""
    state = seed
    for _ in range(start, stop):
        state = lcg_next(state)
        counts[lcg_below(state, n_buckets)] += 1


@njit
def _scatter_buckets(start, stop, n_buckets, seed, cursor, out):
    """Write each index start .. stop − 1 at its bucket's cursor (the same draws as
    :func:`_count_buckets` with the same seed)."""
    state = seed
    for i in range(start, stop):
        state = lcg_next(state)
        bucket = lcg_below(state, n_buckets)
        out[cursor[bucket]] = i
        cursor[bucket] += 1


@njit
def _shuffle_range(out, start, stop, seed):
    """Fisher–Yates shuffle of ``out[start:stop]`` in place."""
    state = seed
    for k in range(stop - start - 1, 0, -1):
        state = lcg_next(state)
        j = lcg_below(state, k + 1)
        out[start + k], out[start + j] = out[start + j], out[start + k]


def parallel_permutation(n, threads, rng):
    """A uniformly random permutation of ``0 .. n − 1`` (int32), made by ``threads``
    threads: every index goes to one of about n / 65,536 buckets at random, each bucket is
    shuffled, and the buckets are laid end to end (Sanders 1998: random buckets of uniformly
    shuffled contents make a uniform permutation). NumPy's shuffle of 85 M pairs takes
    about 10 s of one core, a serial step that 16 threads training in under 4 s would wait
    for; here each pass is split into jobs. ``rng`` gives the seeds: the same ``rng`` state,
    the same permutation, whatever ``threads``."""
    out = np.empty(n, dtype=np.int32)
    n_buckets = max(1, -(-n // _SHUFFLE_BUCKET))
    n_slices = max(1, min(64, -(-n // _SHUFFLE_BUCKET)))
    edges = np.linspace(0, n, n_slices + 1).astype(np.int64)
    seeds = rng.integers(1, 2 ** 63, size=n_slices + n_buckets,
                         dtype=np.int64).astype(np.uint64)
    counts = np.zeros((n_slices, n_buckets), dtype=np.int64)
    run_jobs(lambda s, t, _: _count_buckets(edges[s], edges[s + 1], n_buckets, seeds[s],
                                            counts[s]), n_slices, threads)
    sizes = counts.sum(axis=0)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    cursor = np.ascontiguousarray(starts[:-1] + np.cumsum(counts, axis=0) - counts)
    run_jobs(lambda s, t, _: _scatter_buckets(edges[s], edges[s + 1], n_buckets, seeds[s],
                                              cursor[s], out), n_slices, threads)
    run_jobs(lambda b, t, _: _shuffle_range(out, starts[b], starts[b + 1],
                                            seeds[n_slices + b]), n_buckets, threads)
    return out
