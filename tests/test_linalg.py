"""Tests for wvlib.linalg: floating-point SVDs, power iteration, Eckart–Young."""
from __future__ import annotations

import argparse
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sps

from wvlib.linalg import (approximation_error, eckart_young_error, low_rank_approximation,
                          normalize_signs, power_iteration, truncated_svd)

SEED_MATRIX = [[3, 1, 1], [-1, 3, 1]]


# ---- helpers ------------------------------------------------------------------------------------

def random_orthogonal(rng, n):
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return Q * np.sign(np.diag(R))


def decaying_matrix(rng, m, n, rate=0.7):
    """Dense m × n matrix with singular values rate**i (well separated)."""
    p = min(m, n)
    U = random_orthogonal(rng, m)[:, :p]
    V = random_orthogonal(rng, n)[:, :p]
    s = rate ** np.arange(p)
    return (U * s) @ V.T, s


def decaying_sparse(m, n, density, seed, exponent=1.0):
    """Sparse matrix with power-law row/column scales: a decaying spectrum, like co-occurrences."""
    R = sps.random(m, n, density=density, random_state=seed, format="csr")
    rows = sps.diags(1.0 / np.arange(1, m + 1) ** exponent)
    cols = sps.diags(1.0 / np.arange(1, n + 1) ** exponent)
    return (rows @ R @ cols).tocsr()


# ---- floating point: signs, truncated SVD, power iteration --------------------------------------

def test_normalize_signs():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((6, 4))
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    flip = np.array([1, -1, -1, 1])
    U2, Vt2 = normalize_signs(U * flip, Vt * flip[:, None])
    biggest = np.argmax(np.abs(U2), axis=0)
    assert np.all(U2[biggest, np.arange(4)] > 0)
    assert np.allclose((U2 * s) @ Vt2, A)
    U3, V3 = normalize_signs(U, V=Vt.T)
    assert np.allclose(U3, U2) and np.allclose(V3, Vt2.T)
    # ties up to rounding are broken by the first entry
    u = np.array([[-1.0, 1.0 + 1e-15]]).T / np.sqrt(2)
    assert normalize_signs(u, np.ones((1, 1)))[0][0, 0] > 0
    with pytest.raises(ValueError, match="Vt"):
        normalize_signs(U, Vt[:3])
    with pytest.raises(ValueError, match="exactly one"):
        normalize_signs(U)
    with pytest.raises(ValueError, match="V must have 4 columns"):
        normalize_signs(U, V=Vt.T[:, :3])


def test_truncated_svd_dense_randomized_matches_reference():
    rng = np.random.default_rng(1)
    A, s_true = decaying_matrix(rng, 120, 80)
    U, s, Vt = truncated_svd(A, 8)
    U_ref, s_ref, Vt_ref = truncated_svd(A, 8, method="reference")
    assert U.shape == (120, 8) and s.shape == (8,) and Vt.shape == (8, 80)
    assert np.allclose(s_ref, s_true[:8], rtol=1e-12)
    assert np.max(np.abs(s - s_ref) / s_ref) < 1e-6
    assert np.allclose(U, U_ref, atol=1e-6) and np.allclose(Vt, Vt_ref, atol=1e-6)
    assert np.allclose(U.T @ U, np.eye(8)) and np.allclose(Vt @ Vt.T, np.eye(8))
    # k = min(m, n) is allowed (dense), and the reference equals numpy.linalg.svd
    U, s, Vt = truncated_svd(A, 80, method="reference")
    assert np.allclose(s, np.linalg.svd(A, compute_uv=False))


def test_truncated_svd_sparse_randomized_matches_reference():
    A = decaying_sparse(500, 300, 0.05, seed=2)
    U, s, Vt = truncated_svd(A, 10)
    U_ref, s_ref, Vt_ref = truncated_svd(A, 10, method="reference")
    s_dense = np.linalg.svd(A.toarray(), compute_uv=False)[:10]   # test-only cross-check
    assert np.allclose(s_ref, s_dense, rtol=1e-10)
    assert np.max(np.abs(s - s_ref) / s_ref) < 1e-6
    # the subspaces agree: cosines of the principal angles are 1
    assert np.allclose(np.linalg.svd(U.T @ U_ref, compute_uv=False), 1, atol=1e-6)
    assert np.allclose(np.linalg.svd(Vt @ Vt_ref.T, compute_uv=False), 1, atol=1e-6)
    biggest = np.argmax(np.abs(U), axis=0)
    assert np.all(U[biggest, np.arange(10)] > 0)
    biggest = np.argmax(np.abs(U_ref), axis=0)
    assert np.all(U_ref[biggest, np.arange(10)] > 0)


def test_truncated_svd_never_densifies_sparse_input():
    # a dense copy would need 80 GB; the randomized SVD only needs a few thin blocks
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 100_000, 500), rng.integers(0, 100_000, 500)
    A = sps.csr_matrix((rng.random(500) + 1, (rows, cols)), shape=(100_000, 100_000))
    U, s, Vt = truncated_svd(A, 2, n_oversamples=3, n_iter=1)
    assert U.shape == (100_000, 2) and Vt.shape == (2, 100_000)
    assert s[0] >= s[1] > 0


def test_truncated_svd_is_deterministic():
    A = decaying_sparse(200, 150, 0.1, seed=4, exponent=0.5)
    first = truncated_svd(A, 5, n_iter=1, seed=11)
    again = truncated_svd(A, 5, n_iter=1, seed=11)
    other = truncated_svd(A, 5, n_iter=1, seed=12)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[1], other[1])  # another test matrix Ω, slightly different
    generator = truncated_svd(A, 5, n_iter=1, seed=np.random.default_rng(11))
    assert all(np.array_equal(a, b) for a, b in zip(first, generator))
    ref1 = truncated_svd(A, 5, method="reference", seed=3)
    ref2 = truncated_svd(A, 5, method="reference", seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(ref1, ref2))


def test_truncated_svd_exact_is_lapack_on_the_dense_matrix():
    A = decaying_sparse(200, 60, 0.1, seed=5, exponent=0.3)
    U, s, Vt = truncated_svd(A, 60, method="exact")            # k = min(m, n) is allowed
    U_np, s_np, Vt_np = np.linalg.svd(A.toarray(), full_matrices=False)
    U_np, Vt_np = normalize_signs(U_np, Vt_np)
    assert np.allclose(s, s_np, rtol=1e-12)
    assert np.allclose(U, U_np, atol=1e-10) and np.allclose(Vt, Vt_np, atol=1e-10)
    # the randomized SVD is off in the tail of this slowly decaying spectrum; exact is not
    _, s_rand, _ = truncated_svd(A, 20, n_iter=1, seed=0)
    assert np.max(np.abs(s_rand - s[:20]) / s[:20]) > 1e-3


def test_truncated_svd_exact_refuses_a_huge_matrix():
    from wvlib.linalg import MAX_EXACT_ENTRIES
    A = sps.csr_matrix((20_000, 20_000))
    assert 20_000 ** 2 > MAX_EXACT_ENTRIES
    with pytest.raises(ValueError, match="method='exact' densifies A"):
        truncated_svd(A, 2, method="exact")


@pytest.mark.parametrize("n_iter, n_oversamples", [(0, 10), (4, 10), (2, 3)])
def test_randomized_svd_makes_2t_plus_2_passes(monkeypatch, n_iter, n_oversamples):
    """The cost the book states: 2·n_iter + 2 products of A or Aᵀ with a block of
    k + n_oversamples vectors (and nothing else touches A)."""
    import wvlib.linalg as linalg
    blocks = []
    original = linalg._RowBlocks.__matmul__

    def counting(self, X):
        blocks.append(X.shape[1])
        return original(self, X)

    monkeypatch.setattr(linalg._RowBlocks, "__matmul__", counting)
    A = decaying_sparse(300, 200, 0.05, seed=6)
    truncated_svd(A, 7, n_iter=n_iter, n_oversamples=n_oversamples)
    assert blocks == [7 + n_oversamples] * (2 * n_iter + 2)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(k=0), ValueError, "k must be a positive integer"),
    (dict(k=2.0), ValueError, "k must be a positive integer"),
    (dict(k=31), ValueError, r"k must be at most min\(m, n\) = 30 for A of shape \(40, 30\)"),
    (dict(k=30, method="reference", sparse=True), ValueError,
     r"k must be smaller than min\(m, n\) = 30.*svds"),
    (dict(k=3, method="lanczos"), ValueError, "method must be one of"),
    (dict(k=31, method="exact"), ValueError, r"k must be at most min\(m, n\) = 30"),
    (dict(k=3, n_iter=-1), ValueError, "n_iter"),
    (dict(k=3, n_oversamples=1.5), ValueError, "n_oversamples"),
    (dict(k=3, seed="x"), ValueError, "seed"),
])
def test_truncated_svd_bad_input(kwargs, error, match):
    kwargs = dict(kwargs)
    A = np.random.default_rng(0).standard_normal((40, 30))
    if kwargs.pop("sparse", False):
        A = sps.csr_matrix(A)
    with pytest.raises(error, match=match):
        truncated_svd(A, **kwargs)


def test_truncated_svd_bad_matrix():
    with pytest.raises(ValueError, match="A contains NaN"):
        truncated_svd(np.array([[1.0, np.nan], [0.0, 1.0]]), 1)
    with pytest.raises(ValueError, match="A must be 2-D"):
        truncated_svd(np.ones(3), 1)


def test_truncated_svd_with_k_equal_min_dimension_randomized_is_exact():
    A = np.random.default_rng(5).standard_normal((12, 7))
    U, s, Vt = truncated_svd(A, 7, n_iter=0)
    assert np.allclose((U * s) @ Vt, A)


def test_power_iteration_matches_numpy():
    rng = np.random.default_rng(2)
    A, _ = decaying_matrix(rng, 50, 30, rate=0.8)
    sigma, u, v = power_iteration(A)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    U, Vt = normalize_signs(U, Vt)
    assert abs(sigma - s[0]) < 1e-10 * s[0]
    assert np.allclose(u, U[:, 0], atol=1e-6) and np.allclose(v, Vt[0], atol=1e-6)
    assert np.allclose(A @ v, sigma * u)
    # sparse input, and the same answer
    sigma_sp, u_sp, _ = power_iteration(sps.csr_matrix(A))
    assert abs(sigma_sp - sigma) < 1e-12 * sigma and np.allclose(u_sp, u)


def test_power_iteration_warns_and_handles_zero_matrix():
    A = np.diag([1.0, 0.999, 0.5])
    with pytest.warns(RuntimeWarning, match="n_iter=5"):
        power_iteration(A, n_iter=5)
    sigma, u, v = power_iteration(np.zeros((3, 2)))
    assert sigma == 0 and u.shape == (3,) and v.shape == (2,)
    with pytest.raises(ValueError, match="n_iter"):
        power_iteration(A, n_iter=0)
    with pytest.raises(ValueError, match="tol"):
        power_iteration(A, tol=-1.0)


# ---- low-rank approximation and Eckart–Young ----------------------------------------------------

def test_eckart_young():
    rng = np.random.default_rng(9)
    A = rng.standard_normal((15, 10))
    s = np.linalg.svd(A, compute_uv=False)
    for k in range(0, 11):
        A_k = low_rank_approximation(A, k)
        assert np.linalg.matrix_rank(A_k) == k
        for norm in ("fro", "spectral"):
            measured = approximation_error(A, k, norm=norm)
            predicted = eckart_young_error(s, k, norm=norm)
            assert measured == pytest.approx(predicted, rel=1e-9, abs=1e-9)
    assert eckart_young_error([3.0, 2.0, 1.0], 1) == pytest.approx(np.sqrt(5))
    assert eckart_young_error([3.0, 2.0, 1.0], 1, "spectral") == 2.0
    assert eckart_young_error([3.0, 2.0, 1.0], 3) == 0.0
    # no other rank-2 matrix does better than A_2 (a random competitor)
    competitor = rng.standard_normal((15, 2)) @ rng.standard_normal((2, 10))
    assert np.linalg.norm(A - competitor) > approximation_error(A, 2)


@pytest.mark.parametrize("call, match", [
    (lambda: eckart_young_error([1.0, 2.0], 1), "s must be sorted"),
    (lambda: eckart_young_error([2.0, -1.0], 1), "s must hold non-negative"),
    (lambda: eckart_young_error([2.0, 1.0], 3), "k must be at most 2"),
    (lambda: eckart_young_error([2.0, 1.0], 1, norm="nuc"), "norm must be one of"),
    (lambda: approximation_error(np.eye(3), 1, norm="l1"), "norm must be one of"),
    (lambda: low_rank_approximation(np.eye(3), 4), "k must be at most 3"),
    (lambda: low_rank_approximation(np.eye(3), -1), "k must be a non-negative integer"),
])
def test_low_rank_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_low_rank_approximation_rejects_sparse():
    with pytest.raises(TypeError, match="A must be a dense array"):
        low_rank_approximation(sps.eye(3), 1)


# ---- the benchmark runs (tiny size; not a timing test) ------------------------------------------

def test_benchmark_smoke(capsys):
    from wvlib.benchmarks import svd as bench
    parser = bench.add_arguments(argparse.ArgumentParser())
    args = parser.parse_args(["--n", "400", "--nnz", "8000", "--k", "20", "--top", "10"])
    assert bench.run(args) == 0
    out = capsys.readouterr().out
    assert "wvlib randomized" in out and "scipy svds" in out and "max relative error" in out
    A = bench.zipf_cooccurrence_matrix(300, 5000, seed=1)
    assert A.shape == (300, 300) and A.nnz >= 0.98 * 5000
    assert A.nnz == bench.zipf_cooccurrence_matrix(300, 5000, seed=1).nnz


# ---- the numerical path does not load SymPy ------------------------------------------------------

def test_numerical_modules_do_not_import_sympy():
    code = ("import sys\n"
            "import wvlib.linalg, wvlib.pmi, wvlib.lsa, wvlib.vectors\n"
            "import numpy as np\n"
            "from wvlib.linalg import truncated_svd, approximation_error\n"
            "A = np.random.default_rng(0).standard_normal((20, 10))\n"
            "truncated_svd(A, 3)\n"
            "approximation_error(A, 2)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sympy'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_two_thread_sparse_products_give_bit_for_bit_the_same_svd(monkeypatch):
    import scipy.sparse as sparse

    from wvlib import linalg
    A = sparse.random(300, 200, density=0.05, format="csr", random_state=3)
    monkeypatch.setattr(linalg._RowBlocks, "MIN_NNZ", 10**12)        # never split
    one = linalg.truncated_svd(A, 5, seed=1)
    monkeypatch.setattr(linalg._RowBlocks, "MIN_NNZ", 1)             # always split
    blocks = linalg._RowBlocks(A, pool=None).blocks
    assert blocks is not None
    # the blocks are views of A's arrays (no copy), with about half of the nonzeros each
    assert all(np.shares_memory(b.data, A.data) and np.shares_memory(b.indices, A.indices)
               for b in blocks)
    assert abs(blocks[0].nnz - blocks[1].nnz) <= 2 * np.diff(A.indptr).max()
    two = linalg.truncated_svd(A, 5, seed=1)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def test_single_precision_products_agree_with_double():
    """dtype=float32 (the PPMI pipeline's choice) changes the singular values only at float32's
    resolution, and the same subspace is found; bad dtypes are named."""
    import scipy.sparse as sp
    from wvlib.linalg import truncated_svd
    A = sp.random(400, 300, density=0.05, random_state=3, format="csr")
    U64, s64, Vt64 = truncated_svd(A, 10, seed=0)
    U32, s32, Vt32 = truncated_svd(A, 10, seed=0, dtype=np.float32)
    assert U32.dtype == np.float64 and s32.dtype == np.float64
    np.testing.assert_allclose(s32, s64, rtol=1e-5)
    np.testing.assert_allclose(np.abs(U32.T @ U64), np.eye(10), atol=1e-3)
    with pytest.raises(ValueError, match="dtype must be numpy.float64 or numpy.float32"):
        truncated_svd(A, 10, dtype=np.int64)
