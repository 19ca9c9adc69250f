"""Tests for wvlib.blocks: a matrix in row blocks, in memory or in files, behaves as its CSR."""
import numpy as np
import pytest
import scipy.sparse as sp

from wvlib.blocks import BlockMatrix


def _random_csr(rng, m=300, n=200, density=0.05):
    A = sp.random(m, n, density=density, random_state=np.random.RandomState(0), format="csr")
    A.data = rng.random(A.nnz) + 0.5
    A.sort_indices()
    return A


def _fill(B, A, rng, pieces=17):
    """Append A's entries to B in random-length pieces that cut rows in the middle."""
    coo = A.tocoo()
    cuts = np.sort(rng.choice(np.arange(1, A.nnz), pieces - 1, replace=False))
    for rows, cols, vals in zip(np.split(coo.row, cuts), np.split(coo.col, cuts),
                                np.split(coo.data, cuts)):
        B.append(rows.astype(np.int64), cols, vals)
    return B.finish()


@pytest.mark.parametrize("memory_bytes", [None, 2000])
def test_blocks_in_memory_or_in_files_are_the_matrix(tmp_path, memory_bytes):
    rng = np.random.default_rng(0)
    A = _random_csr(rng)
    A = sp.csr_matrix(A.multiply(np.arange(A.shape[0])[:, None] != 5))   # an empty row
    A.sort_indices()
    with BlockMatrix(A.shape, memory_bytes=memory_bytes, temp_dir=tmp_path) as B:
        B.block_entries = 100                 # many blocks
        _fill(B, A, rng)
        assert B.spilled == (memory_bytes is not None) and B.n_blocks > 3
        assert B.nnz == A.nnz
        C = B.tocsr()
        assert (C != A).nnz == 0 and C.has_canonical_format
        # no row is split between blocks, and they cover the rows in order
        starts = [start for start, _ in B.blocks()]
        assert starts == sorted(starts)
        np.testing.assert_allclose(B.row_sums, np.asarray(A.sum(axis=1)).ravel())
        np.testing.assert_allclose(B.col_sums, np.asarray(A.sum(axis=0)).ravel())
        X = rng.standard_normal((A.shape[1], 7))
        Y = rng.standard_normal((A.shape[0], 7))
        for threads in (1, 2):
            np.testing.assert_array_equal(B.matmat(X, threads=threads), A @ X)  # row by row
            np.testing.assert_allclose(B.rmatmat(Y, threads=threads), A.T @ Y, rtol=1e-12)
        T = B.transform(lambda start, block: block.multiply(2).tocsr(), dtype=np.float32)
        assert T.dtype == np.float32 and T.spilled == B.spilled
        np.testing.assert_allclose(T.tocsr().toarray(), 2 * A.toarray(), rtol=1e-6)
        T.close()
    assert not any(tmp_path.iterdir())


def test_rows_must_come_in_order():
    B = BlockMatrix((4, 4))
    B.block_entries = 1
    B.append(np.array([2, 3]), np.array([0, 0]), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="increasing order"):
        B.append(np.array([1]), np.array([0]), np.array([1.0]))
        B.finish()
    B.close()


def test_empty_and_single_block():
    B = BlockMatrix((3, 5)).finish()
    assert B.nnz == 0 and B.tocsr().shape == (3, 5) and B.tocsr().nnz == 0
    np.testing.assert_array_equal(B.matmat(np.ones((5, 2))), np.zeros((3, 2)))
    C = BlockMatrix((3, 5))
    C.append(np.array([1, 1]), np.array([0, 4]), np.array([2.0, 3.0]))
    np.testing.assert_array_equal(C.tocsr().toarray(), [[0] * 5, [2, 0, 0, 0, 3], [0] * 5])
