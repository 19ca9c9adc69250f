"""Tests for wvlib.spill: merging sorted runs (in memory or in files) sums every key exactly."""
import numpy as np
import pytest

from wvlib.spill import SortedRuns, reduce_sorted


def _expected(runs):
    keys = np.concatenate([k for k, _ in runs])
    counts = np.concatenate([c for _, c in runs])
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, weights=counts).astype(np.int64)


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_merge_of_runs_equals_one_reduction(tmp_path, dtype, chunk):
    rng = np.random.default_rng(chunk)
    runs = []
    for size in (0, 1, 50, 300, 301, 5):
        keys = np.unique(rng.integers(0, 2**31 if dtype is np.uint32 else 2**40, size)
                         .astype(dtype))
        if size == 300:
            keys = keys[keys % 2 == 0]                # runs overlap partly
        runs.append((keys, rng.integers(1, 10**12, len(keys))))
    with SortedRuns(dtype, temp_dir=tmp_path) as sr:
        for i, (k, c) in enumerate(runs):
            sr.add(k, c, spill=i % 2 == 0)           # some in files, some in memory
        assert sr.n_spilled >= 2 and any(tmp_path.iterdir())
        parts = list(sr.merged(chunk))
        keys = np.concatenate([k for k, _ in parts])
        counts = np.concatenate([c for _, c in parts])
    assert not any(tmp_path.iterdir())
    want_keys, want_counts = _expected(runs)
    assert keys.dtype == dtype and np.array_equal(keys, want_keys)
    assert np.array_equal(counts, want_counts)


def test_reduce_sorted():
    keys, counts = reduce_sorted(np.array([1, 1, 4, 9, 9, 9], dtype=np.uint32))
    assert keys.tolist() == [1, 4, 9] and counts.tolist() == [2, 1, 3]
    keys, counts = reduce_sorted(np.array([2, 2, 5], dtype=np.uint64), np.array([3, 4, 5]))
    assert keys.tolist() == [2, 5] and counts.tolist() == [7, 5]
    keys, counts = reduce_sorted(np.zeros(0, np.uint32))
    assert len(keys) == 0 and len(counts) == 0
