"""What the predictive methods factorize, and weighted low-rank approximation (chapter 8).

Skip-gram with negative sampling (SGNS)
    Summed over the corpus, the terms of the loss that involve the dot product
    ``x = w · c`` of one word-context cell are (Levy & Goldberg 2014)::

        J_wc(x) = n_pos * log(1 + exp(-x)) + n_neg * log(1 + exp(x))
        n_pos = #(w, c)                  (the pair, observed)
        n_neg = k * #(w) * P_n(c)        (the pair, drawn as noise)

    so ``J_wc'(x) = -n_pos * sigma(-x) + n_neg * sigma(x)`` vanishes at::

        x* = log(n_pos / n_neg) = PMI_alpha(w, c) - log k,

    and the curvature there, ``J_wc''(x*) = (n_pos + n_neg) sigma(x*) sigma(-x*)``, is::

        omega_wc = n_pos * n_neg / (n_pos + n_neg).

    Near its optimum the loss is ``J_wc(x*) + omega_wc / 2 * (x - x*)**2``: SGNS is, to second
    order, a *weighted* least-squares factorization of the shifted PMI matrix with weights
    ``omega_wc`` (:func:`sgns_cells`). An unobserved cell (``n_pos = 0``) has only the noise
    term, minimised at ``x = -inf``. Here ``#(w)`` and ``#(c)`` are the row and column sums of
    the count matrix and ``P_n(c) = #(c)**alpha / sum_c' #(c')**alpha``; word2vec draws its
    noise from ``freq(c)**(3/4)``, the corpus counts, which the column sums of a symmetric
    window count are proportional to (up to the edges of documents).

Hierarchical softmax (HS)
    The model's probability of a context ``c`` is a product of sigmoids along the path of
    ``c`` in a Huffman tree, ``sigma(+w · z_n)`` for the branch labelled 0 at inner node ``n``
    and ``sigma(-w · z_n)`` for branch 1 (word2vec's label is ``1 - code``). Summed over the
    corpus, the terms of one cell (word ``w``, inner node ``n``) are those of SGNS with
    ``n_pos = #(w, n, 0)`` and ``n_neg = #(w, n, 1)``: how often a context of ``w`` lies below
    branch 0 and below branch 1 of ``n``. So HS factorizes a fixed matrix too — words x inner
    nodes, with entries ``log(#(w, n, 0) / #(w, n, 1))`` (:func:`hs_cells`), a matrix that
    depends on the tree; cells that ``w``'s contexts never reach are not in the loss.

Weighted low-rank approximation (:func:`weighted_low_rank`)
    ``min over W, C of 1/2 * sum_ij omega_ij (M_ij - (W C^T)_ij)**2``. With all weights
    equal, the truncated SVD solves it (Eckart–Young). With unequal weights there is in
    general no closed form, and the problem can have local minima (Srebro & Jaakkola 2003);
    we minimise it with L-BFGS from a given start.

References
----------
O. Levy and Y. Goldberg (2014). Neural word embedding as implicit matrix factorization.
N. Srebro and T. Jaakkola (2003). Weighted low-rank approximations. ICML.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_matrix, check_positive_int, check_random_state

__all__ = ["sgns_cells", "sgns_cell_loss", "hs_cells", "weighted_low_rank"]


def sgns_cells(counts, k: float = 5, alpha: float = 0.75) -> dict:
    """SGNS's per-cell counts, optimum and curvature for every observed pair.

    Parameters
    ----------
    counts : scipy.sparse matrix or array-like, shape (n_words, n_contexts)
        Co-occurrence counts ``#(w, c)`` as SGNS sees them (the dynamic window's average).
    k : float >= 1, default 5
        Number of negative samples.
    alpha : float in (0, 1], default 0.75
        Smoothing of the noise distribution.

    Returns
    -------
    dict of arrays, one entry per observed pair in CSR order (the order of
    ``wvlib.pmi.pmi_matrix(counts, ...).tocoo()``)
        ``rows``, ``cols``; ``n_pos`` (``#(w, c)``), ``n_neg`` (``k #(w) P_n(c)``),
        ``target`` (``log(n_pos / n_neg) = PMI_alpha - log k``) and ``curvature``
        (``omega = n_pos n_neg / (n_pos + n_neg)``).
    """
    from .pmi import _check_alpha_shift, _check_counts

    counts = _check_counts(counts)
    alpha, k = _check_alpha_shift(alpha, k, True)
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    cols = counts.indices.copy()
    row_sums = np.asarray(counts.sum(axis=1)).ravel()
    smoothed = np.asarray(counts.sum(axis=0)).ravel() ** alpha
    n_pos = counts.data.copy()
    n_neg = k * row_sums[rows] * smoothed[cols] / smoothed.sum()
    return dict(rows=rows, cols=cols, n_pos=n_pos, n_neg=n_neg,
                target=np.log(n_pos) - np.log(n_neg),
                curvature=n_pos * n_neg / (n_pos + n_neg))


def sgns_cell_loss(x, n_pos, n_neg):
    """``n_pos log(1 + e^-x) + n_neg log(1 + e^x)``: the SGNS loss of cells with dot product
    ``x`` (arrays broadcast; computed without overflow)."""
    x = np.asarray(x, dtype=float)
    return n_pos * np.logaddexp(0.0, -x) + n_neg * np.logaddexp(0.0, x)


def hs_cells(counts, tree, rows) -> dict:
    """Hierarchical softmax's words x inner nodes matrix, for some words.

    Parameters
    ----------
    counts : scipy.sparse matrix or array-like, shape (n_words, n_words)
        Co-occurrence counts: row ``w`` counts the contexts of word ``w``.
    tree : wvlib.word2vec.HuffmanTree
        The tree of the model (``model.tree``): ``points[c]`` and ``codes[c]`` are the inner
        nodes on the path of ``c`` and the branches taken there.
    rows : array-like of int
        The words (rows of ``counts``) wanted.

    Returns
    -------
    dict of dense arrays, shape (len(rows), tree.n_inner)
        ``n0``, ``n1``: how often a context of the word lies below branch 0 / branch 1 of the
        node; ``target``: ``log(n0 / n1)`` where both are positive, NaN elsewhere;
        ``curvature``: ``n0 n1 / (n0 + n1)`` (0 where one of them is 0).
    """
    import scipy.sparse as sp

    counts = check_matrix(counts, "counts", copy_sparse=False)
    if not all(hasattr(tree, name) for name in ("points", "codes", "n_inner")):
        raise TypeError(f"tree must be a HuffmanTree (wvlib.word2vec.build_huffman), got "
                        f"{type(tree).__name__}")
    n_words = len(tree.points)
    if counts.shape != (n_words, n_words):
        raise ValueError(f"counts must be {n_words} x {n_words} (one row and column per word "
                         f"of the tree), got shape {counts.shape}")
    rows = np.asarray(rows)
    if rows.ndim != 1 or rows.dtype.kind not in "iu" or len(rows) == 0 \
            or rows.min() < 0 or rows.max() >= n_words:
        raise ValueError(f"rows must be a non-empty 1-D array of word indices in "
                         f"[0, {n_words}), got {rows!r}")
    lengths = np.array([len(p) for p in tree.points])
    word = np.repeat(np.arange(n_words), lengths)
    node = np.concatenate(tree.points)
    code = np.concatenate(tree.codes)
    shape = (n_words, tree.n_inner)
    below = {b: sp.csr_matrix(((code == b).astype(float), (word, node)), shape=shape)
             for b in (0, 1)}
    selected = sp.csr_matrix(counts[rows])
    n0, n1 = ((selected @ below[b]).toarray() for b in (0, 1))
    both = (n0 > 0) & (n1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        target = np.where(both, np.log(n0) - np.log(n1), np.nan)
        curvature = np.where(both, n0 * n1 / (n0 + n1), 0.0)
    return dict(n0=n0, n1=n1, target=target, curvature=curvature)


def _weighted_loss_and_grads(M, weights, W, C):
    """``J = 1/2 sum omega (W C^T - M)**2`` and its gradients with respect to W and C."""
    residual = W @ C.T - M
    weighted = weights * residual
    return 0.5 * float(np.sum(weighted * residual)), weighted @ C, weighted.T @ W


def weighted_low_rank(M, weights, d, *, init="svd", max_iter: int = 100, seed=0) -> dict:
    """A rank-``d`` approximation ``W C^T`` of ``M`` that minimises a weighted squared error.

    ``J(W, C) = 1/2 * sum_ij weights_ij * (M_ij - (W C^T)_ij)**2``, minimised over
    ``W`` (m x d) and ``C`` (n x d) by L-BFGS (``scipy.optimize.minimize``). There is no
    closed form for unequal weights (Srebro & Jaakkola 2003); from ``init="svd"``, the
    Eckart–Young answer ``U_d Sigma_d V_d^T`` (split as ``W = U_d Sigma_d^(1/2)``,
    ``C = V_d Sigma_d^(1/2)``), every iteration lowers ``J``.

    Parameters
    ----------
    M : array-like, shape (m, n) (dense)
    weights : array-like, shape (m, n)
        Non-negative, not all zero; a cell of weight 0 does not count.
    d : int, 1 <= d <= min(m, n)
    init : {"svd", "random"}, default "svd"
        Start from the truncated SVD of ``M``, or from small random factors (``seed``).
    max_iter : int, default 100
        L-BFGS iterations.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    dict
        ``W``, ``C``; ``loss_history`` (``J`` at the start and after every iteration);
        ``n_iter``.
    """
    from scipy.optimize import minimize

    M = check_matrix(M, "M", allow_sparse=False)
    weights = check_matrix(weights, "weights", allow_sparse=False)
    if weights.shape != M.shape:
        raise ValueError(f"weights must have the shape of M {M.shape}, got {weights.shape}")
    if np.any(weights < 0) or not weights.sum() > 0:
        raise ValueError("weights must be non-negative and not all zero")
    d = check_positive_int(d, "d")
    if d > min(M.shape):
        raise ValueError(f"d must be at most min(m, n) = {min(M.shape)}, got {d}")
    if init not in ("svd", "random"):
        raise ValueError(f"init must be 'svd' or 'random', got {init!r}")
    max_iter = check_positive_int(max_iter, "max_iter")
    m, n = M.shape
    if init == "svd":
        U, s, Vt = np.linalg.svd(M, full_matrices=False)
        root = np.sqrt(s[:d])
        W0, C0 = U[:, :d] * root, Vt[:d].T * root
    else:
        rng = check_random_state(seed)
        scale = np.sqrt(np.abs(M).mean() / d) + 1e-3
        W0, C0 = scale * rng.standard_normal((m, d)), scale * rng.standard_normal((n, d))

    def unpack(x):
        return x[:m * d].reshape(m, d), x[m * d:].reshape(n, d)

    last = {}                                 # the last point evaluated, and its loss

    def objective(x):
        J, gW, gC = _weighted_loss_and_grads(M, weights, *unpack(x))
        last.update(x=x.copy(), J=J)
        return J, np.concatenate([gW.ravel(), gC.ravel()])

    def record(xk):                           # after each iteration: the loss at its point
        history.append(last["J"] if np.array_equal(xk, last["x"]) else objective(xk)[0])

    x0 = np.concatenate([W0.ravel(), C0.ravel()])
    history = [objective(x0)[0]]

    result = minimize(objective, x0, jac=True, method="L-BFGS-B",
                      options=dict(maxiter=max_iter), callback=record)
    W, C = unpack(result.x)
    return dict(W=W, C=C, loss_history=history, n_iter=int(result.nit))
