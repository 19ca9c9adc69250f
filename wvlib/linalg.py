"""The singular value decomposition in floating point, at scale (chapters 2–4).

Every embedding method in this course factorises a matrix ``A ≈ U Σ Vᵀ``. This module holds the
numerical part:

1. **Floating-point SVD** — :func:`normalize_signs`, :func:`truncated_svd` (the
   randomized algorithm of Halko, Martinsson & Tropp 2011, or a LAPACK/ARPACK
   reference) and :func:`power_iteration`.
2. **Low-rank approximation** — :func:`low_rank_approximation`,
   :func:`approximation_error` and :func:`eckart_young_error` (the error the
   Eckart–Young theorem predicts from the singular values).

The SVD by hand, in exact arithmetic, is in :mod:`wvlib.exact` (the only module that
needs SymPy); the checker of a candidate ``U, Σ, V`` is in :mod:`wvlib.svdcheck`. This
module does not import SymPy.

Sign convention used everywhere (the singular vectors are only defined up to a sign):
the entry of largest magnitude of each *left* singular vector ``uᵢ`` is made positive,
and ``vᵢ`` is flipped with it, so that ``U Σ Vᵀ`` does not change.
"""
from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.linalg
import scipy.sparse as sp_sparse
import scipy.sparse.linalg

from ._validate import (check_choice, check_float, check_matrix, check_positive_int,
                        check_random_state, check_vector)
from .blocks import BlockMatrix

__all__ = [
    "normalize_signs", "truncated_svd", "power_iteration",
    "low_rank_approximation", "approximation_error", "eckart_young_error",
]

# ================================================================================================
# Part 1. Floating-point SVD
# ================================================================================================

def _largest_entry_signs(U):
    """±1 per column so that each column's largest-magnitude entry becomes positive.

    Entries within a relative 1e-9 of the largest count as tied, and the first of them decides,
    so that rounding noise cannot change the choice (e.g. for u = (−1, 1)/√2)."""
    magnitudes = np.abs(U)
    near_max = magnitudes >= magnitudes.max(axis=0, keepdims=True) * (1 - 1e-9)
    rows = np.argmax(near_max, axis=0)
    signs = np.sign(U[rows, np.arange(U.shape[1])])
    signs[signs == 0] = 1
    return signs


def normalize_signs(U, Vt=None, *, V=None):
    """Fix the sign ambiguity of singular vectors deterministically.

    For each ``i`` the entry of largest magnitude of the left singular vector ``uᵢ = U[:, i]`` is
    made positive and ``vᵢ`` is flipped with it, so ``U Σ Vᵀ`` is unchanged. (Ties up to rounding
    are broken by the first such entry.)

    Parameters
    ----------
    U : ndarray, shape (m, k)
    Vt : ndarray, shape (k, n), optional
        Right singular vectors as **rows** (what ``numpy.linalg.svd`` returns).
    V : ndarray, shape (n, k), keyword-only, optional
        Or give them as **columns** instead. Exactly one of ``Vt`` and ``V`` is required.

    Returns
    -------
    (U, Vt) or (U, V)
        New arrays, in the same layout as the input.
    """
    if (Vt is None) == (V is None):
        raise ValueError("normalize_signs needs exactly one of Vt (rows) or V= (columns)")
    U = check_matrix(U, "U", allow_sparse=False)
    k = U.shape[1]
    if V is not None:
        V = check_matrix(V, "V", allow_sparse=False)
        if V.shape[1] != k:
            raise ValueError(f"V must have {k} columns like U (shape {U.shape}), got shape "
                             f"{V.shape}")
        signs = _largest_entry_signs(U)
        return U * signs, V * signs
    Vt = check_matrix(Vt, "Vt", allow_sparse=False)
    if Vt.shape[0] != k:
        raise ValueError(f"Vt must have {k} rows like U has columns (U has shape {U.shape}), "
                         f"got shape {Vt.shape}; to pass V as columns use normalize_signs(U, V=V)")
    signs = _largest_entry_signs(U)
    return U * signs, Vt * signs[:, None]


def _orthonormalize(Y):
    """An orthonormal basis of the columns of ``Y`` (thin QR)."""
    Q, _ = scipy.linalg.qr(Y, mode="economic", overwrite_a=True, check_finite=False)
    return Q


def _normalize_lu(Y):
    """A well-scaled basis of the columns of ``Y``: the permuted lower factor of ``Y = P L U``
    (partial pivoting). It spans the same subspace as ``Y``, as a QR basis would, for about a
    quarter of the cost of QR and forming Q; between power iterations only the subspace
    matters (the final basis is made orthonormal by QR). Scikit-learn's randomized SVD does
    the same."""
    L, _ = scipy.linalg.lu(Y, permute_l=True, overwrite_a=True, check_finite=False)
    return L


class _RowBlocks:
    """A CSR matrix cut into two blocks of rows whose products with a dense matrix run in
    two threads (SciPy's sparse product releases the GIL and is single-threaded). The blocks
    are views of the matrix's arrays, each with about half of the nonzeros, and each row is
    computed exactly as in ``A @ X``, so the result is bit for bit the same."""

    MIN_NNZ = 200_000                         # below this, threads cost more than they save

    def __init__(self, A, pool):
        import os
        self.A, self.pool, self.blocks = A, pool, None
        if sp_sparse.issparse(A) and A.nnz >= self.MIN_NNZ and (os.cpu_count() or 1) > 1:
            split = int(np.searchsorted(A.indptr, A.nnz // 2))     # a row near half the nnz
            self.blocks = (self._rows(A, 0, split), self._rows(A, split, A.shape[0]))

    @staticmethod
    def _rows(A, start, stop):
        """Rows ``start:stop`` of ``A`` sharing its arrays (``A[start:stop]`` copies them, and
        so does the constructor when a view holds less than half of its array)."""
        lo, hi = A.indptr[start], A.indptr[stop]
        block = sp_sparse.csr_matrix((stop - start, A.shape[1]), dtype=A.dtype)
        block.data, block.indices = A.data[lo:hi], A.indices[lo:hi]
        block.indptr = A.indptr[start:stop + 1] - lo
        return block

    def __matmul__(self, X):
        if self.blocks is None:
            return self.A @ X
        out = np.empty((self.A.shape[0], X.shape[1]), dtype=np.result_type(self.A.dtype, X))
        split = self.blocks[0].shape[0]
        rows = (slice(0, split), slice(split, None))        # where each block's product goes

        def product(i):
            out[rows[i]] = self.blocks[i] @ X

        list(self.pool.map(product, (0, 1)))
        return out


class _BlockProducts:
    """``A @ X`` (or ``Aᵀ @ X``) of a :class:`wvlib.blocks.BlockMatrix`, read a block of rows
    at a time (the matrix may be in files): all the randomized SVD asks of a matrix."""

    def __init__(self, A, transpose=False):
        self.A, self.transpose = A, transpose

    def __matmul__(self, X):
        X = np.asarray(X, dtype=self.A.dtype)
        return self.A.rmatmat(X) if self.transpose else self.A.matmat(X)


def _randomized_svd(A, k, n_oversamples, n_iter, rng, dtype=np.dtype(np.float64)):
    """Halko, Martinsson & Tropp (2011): Algorithm 4.4 (randomized subspace iteration) + 5.1.

    Find an orthonormal Q (m × ℓ, ℓ = k + n_oversamples) whose span captures the top of the
    range of A, then take the SVD of the small ℓ × n matrix B = QᵀA.
    """
    m, n = A.shape
    ell = min(k + n_oversamples, min(m, n))
    blocks = isinstance(A, BlockMatrix)
    if not blocks:
        A = A.astype(dtype, copy=False)                    # the products' precision
        At = A.T.tocsr() if sp_sparse.issparse(A) else A.T  # Aᵀ as CSR: faster products
    with ThreadPoolExecutor(2) as pool:                    # two threads for big sparse A
        if blocks:                                         # (the blocks use their own two)
            A, At = _BlockProducts(A), _BlockProducts(A, transpose=True)
        else:
            A, At = _RowBlocks(A, pool), _RowBlocks(At, pool)
        Omega = rng.standard_normal((n, ell)).astype(dtype, copy=False)  # Gaussian test matrix
        Y = A @ Omega                                      # Y = A Ω
        for _ in range(n_iter):                             # subspace (power) iteration:
            Y = A @ _normalize_lu(At @ _normalize_lu(Y))   #   renormalise after every product
        Q = _orthonormalize(Y)                             #   so small directions survive;
                                                           #   Q = qr(Y) at the end
        # SVD of B = QᵀA (ℓ × n, short and wide). We take it through a QR of Bᵀ = AᵀQ = Q_B R,
        # so B = Rᵀ Q_Bᵀ and only the ℓ × ℓ matrix Rᵀ = Ũ Σ Wᵀ needs an SVD: B = Ũ Σ (Q_B W)ᵀ.
        # (Mathematically the same as svd(B); noticeably faster than LAPACK on the wide B.)
        Bt = np.asarray(At @ Q, dtype=np.float64)
    Q_B, R = scipy.linalg.qr(Bt, mode="economic", overwrite_a=True, check_finite=False)
    U_small, s, Wt = scipy.linalg.svd(R.T, check_finite=False)
    U = Q.astype(np.float64) @ U_small[:, :k]
    Vt = Wt[:k] @ Q_B.T
    return U, s[:k], Vt


MAX_EXACT_ENTRIES = 10 ** 8          # method="exact" densifies: at most 800 MB of float64


def _exact_svd(A, k):
    """LAPACK's SVD of the dense matrix (a sparse ``A`` is densified): exact up to rounding."""
    dense = A.toarray() if sp_sparse.issparse(A) else np.asarray(A, dtype=np.float64)
    U, s, Vt = np.linalg.svd(dense, full_matrices=False)
    return U[:, :k], s[:k], Vt[:k]


def _reference_svd(A, k, rng):
    if sp_sparse.issparse(A):
        v0 = rng.standard_normal(min(A.shape))
        U, s, Vt = scipy.sparse.linalg.svds(A, k=k, v0=v0)
        order = np.argsort(s)[::-1]
        return U[:, order], s[order], Vt[order]
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return U[:, :k], s[:k], Vt[:k]


def truncated_svd(A, k, *, method="randomized", n_oversamples=10, n_iter=4, seed=0,
                  dtype=np.float64):
    """The ``k`` largest singular values and vectors of a dense or sparse matrix.

    Parameters
    ----------
    A : ndarray, scipy.sparse matrix or wvlib.blocks.BlockMatrix, shape (m, n)
        Sparse input is never converted to a dense matrix. A block matrix (one too big to
        hold, possibly in files) is only multiplied, a block of rows at a time, with the
        precision of its values.
    k : int
        Number of singular triplets, ``1 ≤ k ≤ min(m, n)`` (``k < min(m, n)`` for
        ``method="reference"`` on sparse input, a limit of ARPACK).
    method : {"randomized", "reference", "exact"}
        ``"randomized"``: randomized subspace iteration (Halko, Martinsson & Tropp 2011,
        Algorithms 4.4 and 5.1) with a Gaussian test matrix of ``k + n_oversamples`` columns and
        ``n_iter`` power iterations. Between power iterations the sketch is only renormalised,
        by the lower factor of an LU factorization (it spans the same subspace, at a fraction
        of the cost of QR); a QR makes the basis orthonormal at the end. An approximation:
        the trailing singular values of a slowly decaying spectrum come out too small, and
        the result depends on ``seed``.
        ``"reference"``: ``numpy.linalg.svd`` for dense input, ``scipy.sparse.linalg.svds``
        (ARPACK, starting vector drawn from ``seed``) for sparse input.
        ``"exact"``: ``numpy.linalg.svd`` (LAPACK) of the dense matrix, a sparse ``A``
        densified first: exact up to rounding, for matrices of at most ``MAX_EXACT_ENTRIES``
        (10⁸) entries, such as a term-document matrix of a few hundred documents.
    n_oversamples : int, default 10
        Extra random directions (randomized only): the sketch has ``k + n_oversamples``
        columns.
    n_iter : int, default 4
        Power iterations (randomized only); more iterations, more accuracy when the
        singular values decay slowly.
    seed : None, int or numpy.random.Generator, default 0
    dtype : {numpy.float64, numpy.float32}, default numpy.float64
        Precision of the randomized method's products with ``A`` and of its power iterations
        (the final small QR and SVD are always in float64). ``float32`` halves the memory
        traffic of the sparse products, about twice as fast on a large sparse ``A``, and
        changes the singular values by about 1e-7 relative: enough for word vectors, which are
        stored in float32 anyway.

    Returns
    -------
    U : ndarray, shape (m, k)
    s : ndarray, shape (k,)
        Singular values, descending.
    Vt : ndarray, shape (k, n)
        Signs normalised (see :func:`normalize_signs`).
    """
    method = check_choice(method, "method", ("randomized", "reference", "exact"))
    if isinstance(A, BlockMatrix):                        # a matrix too big to hold
        if method != "randomized":
            raise ValueError("a BlockMatrix A needs method='randomized' (products only)")
    else:
        A = check_matrix(A, "A", copy_sparse=False)       # only read
    m, n = A.shape
    if method == "exact" and m * n > MAX_EXACT_ENTRIES:
        raise ValueError(f"method='exact' densifies A, and A of shape {A.shape} has {m * n:,} "
                         f"entries, more than MAX_EXACT_ENTRIES = {MAX_EXACT_ENTRIES:,}; use "
                         f"method='randomized' or 'reference'")
    k = check_positive_int(k, "k")
    if k > min(m, n):
        raise ValueError(f"k must be at most min(m, n) = {min(m, n)} for A of shape {A.shape}, "
                         f"got k={k}")
    if method == "reference" and sp_sparse.issparse(A) and k >= min(m, n):
        raise ValueError(f"k must be smaller than min(m, n) = {min(m, n)} for method='reference' "
                         f"on a sparse A of shape {A.shape} (scipy.sparse.linalg.svds / ARPACK "
                         f"needs k < min(m, n)), got k={k}; use method='randomized' or a dense A")
    n_oversamples = check_positive_int(n_oversamples, "n_oversamples", allow_zero=True)
    n_iter = check_positive_int(n_iter, "n_iter", allow_zero=True)
    rng = check_random_state(seed)
    if np.dtype(dtype) not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype must be numpy.float64 or numpy.float32, got {dtype!r}")
    if method == "randomized":
        U, s, Vt = _randomized_svd(A, k, n_oversamples, n_iter, rng, np.dtype(dtype))
    elif method == "exact":
        U, s, Vt = _exact_svd(A, k)
    else:
        U, s, Vt = _reference_svd(A, k, rng)
    U, Vt = normalize_signs(U, Vt)
    return U, s, Vt


def power_iteration(A, *, n_iter=1000, tol=1e-10, seed=0):
    """The largest singular value and its singular vectors by power iteration (for teaching).

    Repeats ``v ← AᵀA v / ‖AᵀA v‖`` from a random start until ``v`` changes by less than ``tol``
    (Euclidean norm). Convergence is geometric with ratio ``(σ₂/σ₁)²``.

    Parameters
    ----------
    A : ndarray or scipy.sparse matrix, shape (m, n)
    n_iter : int, default 1000
        Maximum number of iterations (a ``RuntimeWarning`` is issued if it is reached).
    tol : float, default 1e-10
    seed : None, int or numpy.random.Generator, default 0

    Returns
    -------
    sigma : float
    u : ndarray, shape (m,)
        Its largest-magnitude entry is positive (the sign convention).
    v : ndarray, shape (n,)
        ``A v = sigma u``.
    """
    A = check_matrix(A, "A")
    n_iter = check_positive_int(n_iter, "n_iter")
    tol = check_float(tol, "tol", low=0)
    rng = check_random_state(seed)
    m, n = A.shape
    v = rng.standard_normal(n)
    v /= np.linalg.norm(v)
    for _ in range(n_iter):
        w = A.T @ (A @ v)
        norm = np.linalg.norm(w)
        if norm == 0:  # A v = 0: A is the zero matrix (or v was unlucky, which a Gaussian is not)
            u = np.zeros(m)
            u[0] = 1.0
            return 0.0, u, v
        w /= norm
        change = np.linalg.norm(w - v)
        v = w
        if change < tol:
            break
    else:
        warnings.warn(f"power_iteration did not converge in n_iter={n_iter} iterations "
                      f"(last change {change:.2e} > tol={tol:g}); σ₁ and σ₂ may be close",
                      RuntimeWarning, stacklevel=2)
    Av = A @ v
    sigma = float(np.linalg.norm(Av))
    u = Av / sigma
    sign = _largest_entry_signs(u[:, None])[0]
    return sigma, u * sign, v * sign


# ================================================================================================
# Part 2. Low-rank approximation (Eckart–Young)
# ================================================================================================

def _check_rank(k, limit, name="k"):
    k = check_positive_int(k, name, allow_zero=True)
    if k > limit:
        raise ValueError(f"{name} must be at most {limit} (the number of singular values), "
                         f"got {k}")
    return k


def low_rank_approximation(A, k):
    """The best rank-``k`` approximation ``A_k = U_k Σ_k V_kᵀ`` of a dense matrix.

    Parameters
    ----------
    A : array-like, shape (m, n) (dense)
    k : int, 0 ≤ k ≤ min(m, n) (``k = 0`` gives the zero matrix)

    Returns
    -------
    ndarray, shape (m, n)
    """
    A = check_matrix(A, "A", allow_sparse=False)
    k = _check_rank(k, min(A.shape))
    if k == 0:
        return np.zeros_like(A)
    U, s, Vt = truncated_svd(A, k, method="reference")
    return (U * s) @ Vt


def approximation_error(A, k, norm="fro"):
    """``‖A − A_k‖`` for the best rank-``k`` approximation, measured directly.

    Parameters
    ----------
    A : array-like, shape (m, n) (dense)
    k : int, 0 ≤ k ≤ min(m, n)
    norm : {"fro", "spectral"}
        Frobenius norm or spectral (operator 2-) norm.

    Returns
    -------
    float
        Equal (up to rounding) to ``eckart_young_error(s, k, norm)`` for the singular values
        ``s`` of ``A`` — the Eckart–Young theorem.
    """
    norm = check_choice(norm, "norm", ("fro", "spectral"))
    A = check_matrix(A, "A", allow_sparse=False)
    residual = A - low_rank_approximation(A, k)
    return float(np.linalg.norm(residual, "fro" if norm == "fro" else 2))


def eckart_young_error(s, k, norm="fro"):
    """The error of the best rank-``k`` approximation predicted from the singular values alone.

    Eckart–Young: ``‖A − A_k‖_F = √(σ_{k+1}² + … + σ_p²)`` and ``‖A − A_k‖₂ = σ_{k+1}``
    (0 when ``k`` equals the number of singular values).

    Parameters
    ----------
    s : array-like, shape (p,)
        *All* ``p = min(m, n)`` singular values of ``A``, non-negative and descending.
    k : int, 0 ≤ k ≤ p
    norm : {"fro", "spectral"}

    Returns
    -------
    float
    """
    norm = check_choice(norm, "norm", ("fro", "spectral"))
    s = check_vector(s, "s")
    if np.any(s < 0):
        raise ValueError("s must hold non-negative singular values")
    if np.any(np.diff(s) > 0):
        raise ValueError("s must be sorted in decreasing order")
    k = _check_rank(k, len(s))
    discarded = s[k:]
    if norm == "spectral":
        return float(discarded[0]) if len(discarded) else 0.0
    return float(np.sqrt(np.sum(discarded ** 2)))
