"""Sorted runs of ``(key, count)`` pairs, spilled to disk and merged: an external sort.

Co-occurrence counting (:mod:`wvlib.cooccurrence`) turns every pair of tokens into an
integer key and needs, for every distinct key, the sum of its counts. When all keys of a
corpus fit in memory one sort does it. When they do not, the keys are sorted a buffer at a
time; each sorted buffer, reduced to its distinct keys and their counts, is a *run*, and
:class:`SortedRuns` writes the runs to files and merges them at the end — the
``cooccur -memory`` scheme of the GloVe C code, and the shuffle-and-reduce step of a
map-reduce job.

The merge reads every run a chunk at a time. The chunk heads are sorted, so every key up to
the smallest of their last keys (the *threshold*) is known: all its occurrences are in the
current chunks (a run holds each key once, and the run whose chunk ends at the threshold has
no more keys up to it). Those entries are taken from every chunk, sorted together and
reduced, and the run that set the threshold reads its next chunk. Each round empties at
least one chunk, so the merge ends; each key comes out once, with the exact integer sum of
its counts, whatever the runs were: the merged counts do not depend on where the buffers
were cut. Memory: one chunk per run and the round's arrays.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["SortedRuns", "reduce_sorted"]

COUNT_TYPE = np.dtype(np.int64)


def reduce_sorted(keys, counts=None):
    """Distinct keys of the sorted array ``keys`` and the sum of ``counts`` over each
    (``counts=None``: each occurrence counts 1).

    Returns
    -------
    keys : ndarray (same dtype), counts : ndarray of int64
    """
    n = len(keys)
    if n == 0:
        return keys[:0].copy(), np.zeros(0, COUNT_TYPE)
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    del first
    if counts is None:
        sums = np.diff(np.append(starts, n)).astype(COUNT_TYPE)
    else:
        sums = np.add.reduceat(counts, starts, dtype=COUNT_TYPE)
    return keys[starts], sums


class SortedRuns:
    """A list of sorted runs, each in memory or in a file, and their merge.

    Parameters
    ----------
    key_dtype : numpy dtype
        Of the keys (unsigned integers).
    temp_dir : str or None
        Where the temporary folder for the run files is made (default: the system's).
    """

    def __init__(self, key_dtype, *, temp_dir=None):
        self.key_dtype = np.dtype(key_dtype)
        self.temp_dir = temp_dir
        self._runs = []          # (keys, counts) in memory, or (None, length) in files
        self._folder = None
        self.spilled_entries = 0

    def __len__(self) -> int:
        return len(self._runs)

    @property
    def n_spilled(self) -> int:
        """Number of runs written to files."""
        return sum(keys is None for keys, _ in self._runs)

    def add(self, keys, counts, *, spill: bool) -> None:
        """Add a run: ``keys`` sorted and distinct, ``counts`` their counts; ``spill``
        writes it to a file at once."""
        keys = np.asarray(keys, dtype=self.key_dtype)
        counts = np.asarray(counts, dtype=COUNT_TYPE)
        if len(keys) != len(counts):
            raise ValueError("keys and counts must have the same length")
        if len(keys) == 0:
            return
        self._runs.append((keys, counts))
        if spill:
            self._write(len(self._runs) - 1)

    def spill_all(self) -> None:
        """Write every run still in memory to its file."""
        for i, (keys, _) in enumerate(self._runs):
            if keys is not None:
                self._write(i)

    def _write(self, i):
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="wvlib-runs-", dir=self.temp_dir))
        keys, counts = self._runs[i]
        keys.tofile(self._folder / f"{i}.keys")
        counts.tofile(self._folder / f"{i}.counts")
        self.spilled_entries += len(keys)
        self._runs[i] = (None, len(keys))

    def _chunks(self, i, size):
        """The run ``i`` as (keys, counts) chunks of at most ``size`` entries."""
        keys, counts = self._runs[i]
        if keys is not None:
            for start in range(0, len(keys), size):
                yield keys[start:start + size], counts[start:start + size]
            return
        length = counts
        for start in range(0, length, size):
            k = min(size, length - start)
            yield (np.fromfile(self._folder / f"{i}.keys", dtype=self.key_dtype, count=k,
                               offset=start * self.key_dtype.itemsize),
                   np.fromfile(self._folder / f"{i}.counts", dtype=COUNT_TYPE, count=k,
                               offset=start * COUNT_TYPE.itemsize))

    def merged(self, chunk_entries: int = 1 << 20):
        """Yield ``(keys, counts)`` chunks: every distinct key of all runs once, in increasing
        order, with the sum of its counts (see the module docstring)."""
        if not self._runs:
            return
        if len(self._runs) == 1:
            yield from self._chunks(0, max(1, chunk_entries))
            return
        size = max(1, chunk_entries // len(self._runs))
        readers = [self._chunks(i, size) for i in range(len(self._runs))]
        heads = [next(reader, None) for reader in readers]
        while True:
            live = [i for i, head in enumerate(heads) if head is not None]
            if not live:
                return
            if len(live) == 1:                            # one run left: copy it out
                i = live[0]
                while heads[i] is not None:
                    yield heads[i]
                    heads[i] = next(readers[i], None)
                return
            threshold = min(heads[i][0][-1] for i in live)
            keys, counts = [], []
            for i in live:
                k, c = heads[i]
                cut = int(np.searchsorted(k, threshold, side="right"))
                keys.append(k[:cut])
                counts.append(c[:cut])
                heads[i] = (k[cut:], c[cut:]) if cut < len(k) else next(readers[i], None)
            keys = np.concatenate(keys)
            counts = np.concatenate(counts)
            order = np.argsort(keys, kind="stable")
            yield reduce_sorted(keys[order], counts[order])

    def close(self) -> None:
        """Remove the run files."""
        self._runs = []
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
