"""Non-negative matrix factorization (NMF) for the "one view" chapter.

Given a non-negative matrix ``M`` (m x n) — here the PPMI matrix of chapter 4 — find
non-negative ``W`` (m x k) and ``H`` (k x n) that minimise the Frobenius loss::

    L(W, H) = 1/2 * || M - W H ||_F^2,      W >= 0, H >= 0.

Unlike the truncated SVD, whose dimensions mix signs, each NMF dimension can only *add*
evidence: a word's vector is a non-negative mixture of "parts" (Lee & Seung 1999), which is
why NMF dimensions are often readable as topics.

The factorization is not unique, not even its scale: for any diagonal ``D`` with positive
entries, ``(W D)(D^-1 H)`` is the same product with non-negative factors (and so is any
permutation of the dimensions). The values of one dimension have no unit of their own: the
order of the words within a dimension (:func:`top_words`) can be read, but values of
different dimensions are comparable only after a normalization.

Two algorithms, both monotone (the loss never increases from one iteration to the next):

``"mu"``: the multiplicative updates of Lee & Seung (2001)::

    H <- H * (W^T M) / (W^T W H)           W <- W * (M H^T) / (W H H^T)

    Each is the minimiser of an auxiliary function that touches the loss at the current point,
    so the loss cannot increase. Entries that reach zero stay at zero.

``"hals"``: hierarchical alternating least squares (Cichocki & Phan 2009), a block coordinate
    descent: one column of ``W`` (or row of ``H``) at a time is set to the exact non-negative
    minimiser with everything else fixed::

        W[:, j] <- max(0, W[:, j] + ((M H^T)[:, j] - W (H H^T)[:, j]) / (H H^T)[j, j])

    It converges in far fewer iterations than the multiplicative updates.

``M`` may be a SciPy sparse matrix: only ``M H^T`` and ``W^T M`` are formed, never ``W H``,
and the loss uses ``||M||^2 - 2 <W, M H^T> + <W^T W, H H^T>``.

References
----------
D. D. Lee and H. S. Seung (1999). Learning the parts of objects by non-negative matrix
factorization. Nature 401.
D. D. Lee and H. S. Seung (2001). Algorithms for non-negative matrix factorization. NIPS 13.
A. Cichocki and A.-H. Phan (2009). Fast local algorithms for large scale nonnegative matrix and
tensor factorizations. IEICE Trans. Fundamentals E92-A(3).
C. Boutsidis and E. Gallopoulos (2008). SVD based initialization: a head start for
nonnegative matrix factorization. Pattern Recognition 41(4).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .methods import METHODS, adapt_dim, validates
from ._validate import (check_choice, check_float, check_matrix, check_positive_int,
                        check_random_state)

_EPS = 1e-12  # keeps the multiplicative updates' denominators away from zero


@dataclass
class NMFResult:
    """The factors ``W`` (m x k) and ``H`` (k x n) and the loss after each iteration."""

    W: np.ndarray
    H: np.ndarray
    loss_history: list = field(default_factory=list)
    n_iter: int = 0
    converged: bool = False

    @property
    def loss(self) -> float:
        """Final value of ``1/2 ||M - W H||_F^2``."""
        return self.loss_history[-1]


def _check_nonnegative(M, name="M"):
    M = check_matrix(M, name)
    data = M.data if sp.issparse(M) else M
    if data.size and data.min() < 0:
        raise ValueError(f"{name} must be non-negative for NMF; its smallest entry is "
                         f"{data.min():.4g}")
    return M


def _squared_norm(M) -> float:
    data = M.data if sp.issparse(M) else M
    return float(np.dot(data.ravel(), data.ravel()))


def frobenius_loss(M, W, H) -> float:
    """``1/2 ||M - W H||_F^2`` without forming ``W H`` (works for sparse ``M``)."""
    M = check_matrix(M, "M")
    W = np.asarray(W, dtype=np.float64)
    H = np.asarray(H, dtype=np.float64)
    if W.ndim != 2 or H.ndim != 2 or W.shape[0] != M.shape[0] or H.shape[1] != M.shape[1] \
            or W.shape[1] != H.shape[0]:
        raise ValueError(f"W {W.shape} and H {H.shape} do not factor M of shape {M.shape}")
    return _loss(M, W, H, _squared_norm(M))


def _loss(M, W, H, norm_m: float) -> float:
    MHt = M @ H.T
    cross = float(np.sum(W * MHt))
    gram = float(np.sum((W.T @ W) * (H @ H.T)))
    return max(0.5 * (norm_m - 2.0 * cross + gram), 0.0)


def _initialize(M, k, init, rng):
    m, n = M.shape
    if init == "random":
        mean = (M.sum() / (m * n))
        scale = np.sqrt(max(mean, _EPS) / k)
        W = scale * rng.random((m, k))
        H = scale * rng.random((k, n))
        return W, H
    # NNDSVD (Boutsidis & Gallopoulos 2008): for each singular triplet keep the sign pattern
    # (positive or negative parts of u and v) with the larger product of norms.
    from .linalg import truncated_svd
    U, s, Vt = truncated_svd(M, k, seed=rng)
    W = np.zeros((m, k))
    H = np.zeros((k, n))
    W[:, 0] = np.sqrt(s[0]) * np.abs(U[:, 0])
    H[0, :] = np.sqrt(s[0]) * np.abs(Vt[0, :])
    for j in range(1, k):
        u, v = U[:, j], Vt[j, :]
        up, un = np.maximum(u, 0), np.maximum(-u, 0)
        vp, vn = np.maximum(v, 0), np.maximum(-v, 0)
        pos = np.linalg.norm(up) * np.linalg.norm(vp)
        neg = np.linalg.norm(un) * np.linalg.norm(vn)
        if pos >= neg:
            x, y, size = up, vp, pos
        else:
            x, y, size = un, vn, neg
        if size <= 0:
            continue
        factor = np.sqrt(s[j] * size)
        W[:, j] = factor * x / np.linalg.norm(x)
        H[j, :] = factor * y / np.linalg.norm(y)
    if init == "nndsvda":  # fill the zeros with the mean so that MU can move them
        mean = M.sum() / (m * n)
        W[W == 0] = mean
        H[H == 0] = mean
    return W, H


def _mu_step(M, W, H):
    H *= (W.T @ M if not sp.issparse(M) else (M.T @ W).T) / (W.T @ W @ H + _EPS)
    W *= (M @ H.T) / (W @ (H @ H.T) + _EPS)


def _hals_columns(A, P, Q):
    """Update the columns of ``A`` in place, one at a time: the exact non-negative minimiser of
    ``1/2 ||M - A B||^2`` in column ``j`` with ``P = M B^T`` and ``Q = B B^T``."""
    for j in range(A.shape[1]):
        if Q[j, j] <= 0:
            continue
        A[:, j] = np.maximum(A[:, j] + (P[:, j] - A @ Q[:, j]) / Q[j, j], 0.0)


def _hals_step(M, W, H):
    _hals_columns(W, M @ H.T, H @ H.T)
    Ht = H.T.copy()
    MtW = (M.T @ W) if sp.issparse(M) else M.T @ W
    _hals_columns(Ht, np.asarray(MtW), W.T @ W)
    H[...] = Ht.T


def nmf(M, k, *, method="hals", init="nndsvd", max_iter=200, tol=1e-4, seed=0) -> NMFResult:
    """Factorize a non-negative matrix ``M ~ W H`` with ``W, H >= 0``.

    Parameters
    ----------
    M : ndarray or scipy.sparse matrix, shape (m, n)
        Non-negative entries (e.g. a PPMI matrix).
    k : int
        Number of components, ``1 <= k <= min(m, n)``.
    method : {"hals", "mu"}, default "hals"
        Hierarchical alternating least squares or Lee & Seung's multiplicative updates.
    init : {"nndsvd", "nndsvda", "random"}, default "nndsvd"
        Starting point: NNDSVD from a truncated SVD (deterministic up to the SVD's seed),
        NNDSVD with zeros replaced by the mean of ``M`` (better for ``"mu"``, which cannot move
        an entry away from zero), or uniform random entries scaled to the mean of ``M``.
    max_iter : int, default 200
        Maximum number of iterations (one iteration updates ``W`` and ``H`` once).
    tol : float, default 1e-4
        Stop when the loss decreased by less than ``tol`` times the initial loss over the last
        iteration.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    NMFResult
        ``W``, ``H``, ``loss_history`` (the loss at the start and after every iteration),
        ``n_iter`` and ``converged``.
    """
    M = _check_nonnegative(M)
    k = check_positive_int(k, "k")
    if k > min(M.shape):
        raise ValueError(f"k must be at most min(m, n) = {min(M.shape)} for M of shape "
                         f"{M.shape}, got k={k}")
    method = check_choice(method, "method", ("hals", "mu"))
    init = check_choice(init, "init", ("nndsvd", "nndsvda", "random"))
    max_iter = check_positive_int(max_iter, "max_iter")
    tol = check_float(tol, "tol", low=0.0)
    rng = check_random_state(seed)

    W, H = _initialize(M, k, init, rng)
    norm_m = _squared_norm(M)
    history = [_loss(M, W, H, norm_m)]
    step = _hals_step if method == "hals" else _mu_step
    converged = False
    for _ in range(max_iter):
        step(M, W, H)
        history.append(_loss(M, W, H, norm_m))
        if history[-2] - history[-1] < tol * history[0]:
            converged = True
            break
    return NMFResult(W=W, H=H, loss_history=history, n_iter=len(history) - 1,
                     converged=converged)


def top_words(W, words, component: int, n: int = 10) -> list:
    """The ``n`` words with the largest weight in column ``component`` of ``W``.

    For an NMF ``W`` (non-negative), the words that make most of the dimension. The order does
    not depend on the dimension's scale, which NMF leaves free. For a factor with both signs
    (an SVD's ``U``), this reads only the positive pole: pass ``-U`` for the negative one.
    """
    W = np.asarray(W)
    words = list(getattr(words, "words", words))
    if W.ndim != 2 or W.shape[0] != len(words):
        raise ValueError(f"W must have one row per word ({len(words)}), got shape {W.shape}")
    component = check_positive_int(component, "component", allow_zero=True)
    if component >= W.shape[1]:
        raise ValueError(f"component must be below {W.shape[1]}, got {component}")
    n = check_positive_int(n, "n")
    order = np.argsort(-W[:, component], kind="stable")[:n]
    return [words[i] for i in order]


def nmf_embeddings(counts, vocab_words, *, dim=100, alpha=0.75, method="hals",
                   max_iter=100, tol=1e-4, seed=0):
    """Word vectors from an NMF of the PPMI matrix of ``counts`` (rows of ``W``).

    ``alpha`` is the context-distribution smoothing of :func:`wvlib.pmi.pmi_matrix`. Returns
    ``(KeyedVectors, NMFResult)``.
    """
    from .pmi import pmi_matrix
    from .vectors import KeyedVectors

    words = list(getattr(vocab_words, "words", vocab_words))
    counts = check_matrix(counts, "counts")
    if counts.shape[0] != len(words):
        raise ValueError(f"vocab_words has {len(words)} words but counts has "
                         f"{counts.shape[0]} rows; they must match")
    ppmi = pmi_matrix(counts, alpha=alpha, positive=True)
    result = nmf(ppmi, dim, method=method, max_iter=max_iter, tol=tol, seed=seed)
    return KeyedVectors(words, result.W), result


# ---------------------------------------------------------------------------------------------
# `wvlib train nmf` (declared in wvlib/methods.py)
# ---------------------------------------------------------------------------------------------

@validates("nmf")
def train_nmf(corpus, *, dim=None, window=10, min_count=5, alpha=0.75, solver="hals",
               max_iter=20, seed=0, memory=1024, verbose=None):
    """Count (symmetric window, 1/distance weights), PPMI, NMF: word vectors = rows of W.

    Parameters are declared in :mod:`wvlib.methods` (``wvlib train nmf --help``) and
    validated on every call; ``dim=None`` is 100 capped at the vocabulary size.

    Returns
    -------
    wvlib.vectors.KeyedVectors
    """
    from .cooccurrence import cooccurrence_matrix
    from .encoded import encode_corpus

    corpus = encode_corpus(corpus, min_count=min_count)      # int32 ids, one pass
    vocab = corpus.vocab
    dim = adapt_dim(dim, len(vocab), METHODS["nmf"],
                    f"the vocabulary size with min_count={min_count}")
    counts = cooccurrence_matrix(corpus, vocab, window=window, weighting="harmonic",
                                 memory=memory, verbose=verbose)
    kv, _ = nmf_embeddings(counts, vocab, dim=dim, alpha=alpha, method=solver,
                           max_iter=max_iter, tol=1e-4, seed=seed)
    return kv

