"""wvlib.nmf: monotone loss, exact recovery of a non-negative low-rank matrix, KKT conditions,
sparse = dense, bad input."""
import numpy as np
import pytest
import scipy.sparse as sp

from wvlib.nmf import frobenius_loss, nmf, nmf_embeddings, top_words


def _low_rank(m=30, n=20, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((m, k)) @ rng.random((k, n))


def _sparse_nonnegative(m=40, n=35, density=0.2, seed=1):
    return sp.random(m, n, density=density, random_state=seed, format="csr") * 3.0


def test_loss_without_forming_product_equals_dense_loss():
    rng = np.random.default_rng(2)
    M = _sparse_nonnegative()
    W, H = rng.random((40, 4)), rng.random((4, 35))
    dense = 0.5 * np.sum((M.toarray() - W @ H) ** 2)
    assert frobenius_loss(M, W, H) == pytest.approx(dense, rel=1e-12)
    assert frobenius_loss(M.toarray(), W, H) == pytest.approx(dense, rel=1e-12)


@pytest.mark.parametrize("method, init", [("mu", "random"), ("mu", "nndsvda"),
                                          ("hals", "random"), ("hals", "nndsvda"),
                                          ("hals", "nndsvd")])
def test_loss_never_increases(method, init):
    M = _sparse_nonnegative()
    result = nmf(M, 5, method=method, init=init, max_iter=60, tol=0.0, seed=3)
    losses = np.array(result.loss_history)
    assert len(losses) == 61
    assert np.all(np.diff(losses) <= 1e-9 * losses[0]), np.diff(losses).max()
    assert losses[-1] < 0.9 * losses[0]
    assert (result.W >= 0).all() and (result.H >= 0).all()
    assert result.loss == pytest.approx(frobenius_loss(M, result.W, result.H))


def test_hals_recovers_an_exact_nonnegative_factorization():
    M = _low_rank()
    result = nmf(M, 3, method="hals", init="random", max_iter=2000, tol=1e-14, seed=0)
    relative = np.linalg.norm(M - result.W @ result.H) / np.linalg.norm(M)
    assert relative < 1e-3


def test_hals_reaches_a_kkt_point():
    """At a stationary point of the constrained problem: W >= 0, gradient >= 0 and
    W * gradient = 0 (complementary slackness), and the same for H."""
    M = _sparse_nonnegative(seed=5).toarray()
    result = nmf(M, 4, method="hals", max_iter=3000, tol=1e-15, seed=0)
    W, H = result.W, result.H
    grad_W = (W @ H - M) @ H.T
    grad_H = W.T @ (W @ H - M)
    scale = np.abs(M).max() ** 2
    assert grad_W.min() > -1e-4 * scale and grad_H.min() > -1e-4 * scale
    assert np.abs(W * grad_W).max() < 1e-4 * scale
    assert np.abs(H * grad_H).max() < 1e-4 * scale


def test_hals_beats_mu_at_equal_iterations():
    M = _sparse_nonnegative(seed=7)
    hals = nmf(M, 5, method="hals", init="nndsvda", max_iter=30, tol=0.0)
    mu = nmf(M, 5, method="mu", init="nndsvda", max_iter=30, tol=0.0)
    assert hals.loss < mu.loss


def test_nmf_is_never_better_than_the_svd():
    """Eckart-Young: the truncated SVD is the best rank-k approximation, so the non-negative
    one cannot have a smaller loss."""
    M = _sparse_nonnegative(seed=9).toarray()
    s = np.linalg.svd(M, compute_uv=False)
    best = 0.5 * np.sum(s[4:] ** 2)
    result = nmf(M, 4, max_iter=500, tol=1e-12)
    assert result.loss >= best - 1e-9
    assert result.loss < 1.5 * best


def test_sparse_and_dense_input_give_the_same_factors():
    M = _sparse_nonnegative(seed=11)
    a = nmf(M, 3, max_iter=20, tol=0.0, seed=1)
    b = nmf(M.toarray(), 3, max_iter=20, tol=0.0, seed=1)
    np.testing.assert_allclose(a.W, b.W, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.H, b.H, rtol=1e-8, atol=1e-10)


def test_deterministic_for_a_seed():
    M = _sparse_nonnegative(seed=12)
    a = nmf(M, 3, init="random", max_iter=10, seed=4)
    b = nmf(M, 3, init="random", max_iter=10, seed=4)
    assert np.array_equal(a.W, b.W) and np.array_equal(a.H, b.H)


def test_top_words_and_embeddings():
    words = [f"w{i}" for i in range(6)]
    W = np.array([[0, 1], [5, 0], [3, 0], [0, 2], [1, 0], [0, 7]], dtype=float)
    assert top_words(W, words, 0, n=2) == ["w1", "w2"]
    assert top_words(W, words, 1, n=3) == ["w5", "w3", "w0"]
    counts = sp.csr_matrix(np.random.default_rng(0).integers(0, 5, (6, 6)).astype(float))
    kv, result = nmf_embeddings(counts, words, dim=2, max_iter=20)
    assert len(kv) == 6 and kv.vector_size == 2
    assert (result.W >= 0).all()


@pytest.mark.parametrize("kwargs, message", [
    (dict(k=0), "k must be a positive integer"),
    (dict(k=50), "k must be at most"),
    (dict(k=2, method="svd"), "method must be one of"),
    (dict(k=2, init="zeros"), "init must be one of"),
    (dict(k=2, max_iter=0), "max_iter must be a positive integer"),
    (dict(k=2, tol=-1.0), "tol must be >="),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nmf(_low_rank(), **kwargs)


def test_negative_entries_are_refused():
    M = _low_rank()
    M[0, 0] = -1.0
    with pytest.raises(ValueError, match="M must be non-negative"):
        nmf(M, 2)
    with pytest.raises(ValueError, match="do not factor M"):
        frobenius_loss(np.ones((3, 3)), np.ones((3, 2)), np.ones((3, 3)))
