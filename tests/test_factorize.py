"""Tests of wvlib.factorize: SGNS's and hierarchical softmax's per-cell losses, optima and
curvatures, and weighted low-rank approximation."""
import numpy as np
import pytest
import scipy.sparse as sp

from wvlib.factorize import (_weighted_loss_and_grads, hs_cells, sgns_cell_loss, sgns_cells,
                             weighted_low_rank)
from wvlib.pmi import pmi_matrix


def _counts(n=12, seed=0):
    rng = np.random.default_rng(seed)
    dense = rng.poisson(2.0, size=(n, n)) * (rng.random((n, n)) < 0.6)
    dense = dense + dense.T + np.diag(np.ones(n))          # symmetric, every row used
    return dense.astype(float)


def test_sgns_target_is_shifted_pmi_and_the_optimum_of_the_cell_loss():
    counts = _counts()
    cells = sgns_cells(sp.csr_matrix(counts), k=5, alpha=0.75)
    spmi = pmi_matrix(counts, alpha=0.75, shift=5, positive=False).tocoo()
    np.testing.assert_allclose(cells["target"], spmi.data, atol=1e-12)
    assert np.array_equal(cells["rows"], spmi.row) and np.array_equal(cells["cols"], spmi.col)
    # central differences: J'(x*) = 0 and J''(x*) = omega
    x, p, q, h = cells["target"], cells["n_pos"], cells["n_neg"], 1e-4
    first = (sgns_cell_loss(x + h, p, q) - sgns_cell_loss(x - h, p, q)) / (2 * h)
    second = (sgns_cell_loss(x + h, p, q) - 2 * sgns_cell_loss(x, p, q)
              + sgns_cell_loss(x - h, p, q)) / h ** 2
    np.testing.assert_allclose(first, 0, atol=1e-6 * p.max())
    np.testing.assert_allclose(second, cells["curvature"], rtol=1e-4)


def test_sgns_cell_losses_sum_to_the_expected_negative_sampling_loss():
    """Sum over pairs of #(w,c) [-log s(w.c) + k E_{c'~P_n} -log s(-w.c')] equals the sum over
    all cells of sgns_cell_loss(w.c, #(w,c), k #(w) P_n(c)), unobserved cells included."""
    counts, k = _counts(8, seed=1), 3
    rng = np.random.default_rng(2)
    W, C = rng.normal(size=(8, 4)), rng.normal(size=(8, 4))
    X = W @ C.T
    pn = counts.sum(0) ** 0.75 / (counts.sum(0) ** 0.75).sum()
    log_sig = lambda z: -np.logaddexp(0, -z)                   # noqa: E731
    direct = sum(counts[w, c] * (-log_sig(X[w, c]) - k * pn @ log_sig(-X[w]))
                 for w in range(8) for c in range(8))
    n_neg = k * counts.sum(1)[:, None] * pn[None, :]
    assert sgns_cell_loss(X, counts, n_neg).sum() == pytest.approx(direct, rel=1e-12)
    cells = sgns_cells(counts, k=k)
    np.testing.assert_allclose(cells["n_neg"], n_neg[cells["rows"], cells["cols"]])


def test_hs_cells_count_the_branches_and_carry_the_whole_loss():
    from wvlib.word2vec import build_huffman, hs_loss_and_grads
    counts = _counts(10, seed=3)
    tree = build_huffman(counts.sum(1))
    rows = np.arange(10)
    cells = hs_cells(sp.csr_matrix(counts), tree, rows)
    n0 = np.zeros((10, tree.n_inner))
    n1 = np.zeros((10, tree.n_inner))
    for w in range(10):
        for c in range(10):
            for node, code in zip(tree.points[c], tree.codes[c]):
                (n0 if code == 0 else n1)[w, node] += counts[w, c]
    np.testing.assert_allclose(cells["n0"], n0)
    np.testing.assert_allclose(cells["n1"], n1)
    # the corpus loss of HS is the sum of the per-cell logistic losses over (word, node)
    rng = np.random.default_rng(4)
    W, Z = rng.normal(size=(10, 3)), rng.normal(size=(tree.n_inner, 3))
    direct = sum(counts[w, c] * hs_loss_and_grads(W[w], tree.points[c], tree.codes[c], Z)[0]
                 for w in range(10) for c in range(10))
    assert sgns_cell_loss(W @ Z.T, n0, n1).sum() == pytest.approx(direct, rel=1e-12)
    both = (n0 > 0) & (n1 > 0)
    np.testing.assert_allclose(cells["target"][both], np.log(n0[both] / n1[both]))
    assert np.isnan(cells["target"][~both]).all() and (cells["curvature"][~both] == 0).all()
    only = hs_cells(counts, tree, np.array([3, 7]))
    np.testing.assert_allclose(only["n0"], n0[[3, 7]])


def test_hs_cells_bad_input():
    from wvlib.word2vec import build_huffman
    counts = _counts(6)
    tree = build_huffman(counts.sum(1))
    with pytest.raises(TypeError, match="tree must be a HuffmanTree"):
        hs_cells(counts, "tree", [0])
    with pytest.raises(ValueError, match="counts must be 6 x 6"):
        hs_cells(counts[:5], tree, [0])
    with pytest.raises(ValueError, match=r"rows must be a non-empty 1-D array .* \[0, 6\)"):
        hs_cells(counts, tree, [6])


def test_weighted_loss_gradients_against_central_differences():
    rng = np.random.default_rng(5)
    M, weights = rng.normal(size=(6, 5)), rng.random((6, 5))
    W, C = rng.normal(size=(6, 2)), rng.normal(size=(5, 2))
    _, gW, gC = _weighted_loss_and_grads(M, weights, W, C)
    h = 1e-6
    for grad, X in ((gW, W), (gC, C)):
        numeric = np.zeros_like(X)
        for idx in np.ndindex(*X.shape):
            X[idx] += h
            plus = _weighted_loss_and_grads(M, weights, W, C)[0]
            X[idx] -= 2 * h
            minus = _weighted_loss_and_grads(M, weights, W, C)[0]
            X[idx] += h
            numeric[idx] = (plus - minus) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_equal_weights_reach_eckart_young_and_unequal_weights_pick_another_matrix():
    rng = np.random.default_rng(6)
    M = rng.normal(size=(20, 15))
    s = np.linalg.svd(M, compute_uv=False)
    fit = weighted_low_rank(M, np.ones_like(M), 3, init="random", max_iter=500, seed=0)
    error = np.sum((M - fit["W"] @ fit["C"].T) ** 2)
    assert error == pytest.approx(np.sum(s[3:] ** 2), rel=1e-6)
    # diag(2, 1) at rank 1: Eckart-Young keeps the 2 (weighted error 10 when the other cell
    # weighs 10); that answer is a stationary point of the weighted loss, where L-BFGS from it
    # stays, while random starts reach 26/9 with another matrix
    M = np.diag([2.0, 1.0])
    weights = np.array([[1.0, 1.0], [1.0, 10.0]])
    stuck = weighted_low_rank(M, weights, 1, max_iter=200)
    assert stuck["loss_history"][-1] == pytest.approx(0.5 * 10)
    for seed in range(3):
        fit = weighted_low_rank(M, weights, 1, init="random", max_iter=200, seed=seed)
        X = fit["W"] @ fit["C"].T
        assert np.sum(weights * (M - X) ** 2) == pytest.approx(26 / 9, rel=1e-6)
        assert X[1, 1] == pytest.approx(8 / 9, rel=1e-4)


def test_weighted_low_rank_from_the_svd_never_goes_up():
    rng = np.random.default_rng(7)
    M = rng.normal(size=(30, 25))
    weights = rng.exponential(size=(30, 25)) * (rng.random((30, 25)) < 0.7)
    fit = weighted_low_rank(M, weights, 4, max_iter=50)
    history = np.array(fit["loss_history"])
    assert np.all(np.diff(history) <= 1e-12 * history[0]) and history[-1] < 0.8 * history[0]
    assert len(history) == fit["n_iter"] + 1


@pytest.mark.parametrize("kwargs, match", [
    (dict(weights=np.ones((2, 2))), r"weights must have the shape of M \(3, 3\)"),
    (dict(weights=-np.ones((3, 3))), "non-negative and not all zero"),
    (dict(d=4), r"d must be at most min\(m, n\) = 3"),
    (dict(d=0), "d must be a positive integer"),
    (dict(init="zeros"), "init must be 'svd' or 'random'"),
    (dict(max_iter=0), "max_iter must be a positive integer"),
])
def test_weighted_low_rank_bad_input(kwargs, match):
    args = dict(M=np.eye(3), weights=np.ones((3, 3)), d=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        weighted_low_rank(**args)
