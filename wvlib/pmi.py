"""Pointwise mutual information and PPMI-SVD word vectors.

This module turns a word-context count matrix into word vectors in two steps:

1. **Reweight** the counts by (shifted, positive) pointwise mutual information
   (Church & Hanks 1990)::

       PMI(w, c) = log  P(w, c) / ( P(w) P(c) )

   estimated from counts ``#(w, c)`` (rows ``w`` are words, columns ``c`` are contexts) with
   ``#(w) = sum_c #(w, c)`` (row sums), ``#(c) = sum_w #(w, c)`` (column sums) and the total
   ``D = sum_{w,c} #(w, c)``::

       P(w, c) = #(w, c) / D,      P(w) = #(w) / D,      P_alpha(c) = #(c)**alpha / sum_c' #(c')**alpha

   so that::

       PMI_alpha(w, c) = log( #(w, c) * sum_c' #(c')**alpha / ( #(w) * #(c)**alpha ) ).

   The exponent ``alpha`` is *context distribution smoothing* (Levy, Goldberg & Dagan 2015):
   with ``alpha < 1`` rare contexts get a slightly larger probability, which lowers their PMI
   and so reduces (does not remove) PMI's bias towards rare contexts (word2vec uses 0.75 for
   its negative samples). Subtracting ``log k`` is the *shift* of Levy & Goldberg (2014):
   skip-gram with ``k`` negative samples implicitly factorizes the matrix
   ``PMI(w, c) - log k``. Keeping only positive values gives (shifted) positive PMI,
   PPMI/SPPMI, which is sparse: unseen pairs have ``PMI = -inf`` and become 0. Clipping and
   the shift drop mostly pairs with *frequent* contexts, so they raise the share of rare
   contexts in what is left (slightly for clipping, more for each larger ``k``; chapter 4).

2. **Factorize** the PPMI matrix with a truncated SVD ``M ~ U_d S_d V_d^T`` and use the rows of
   ``W = U_d S_d**p`` as word vectors, where ``p`` ("eigenvalue weighting", LGD 2015 section 3.3)
   is usually 0.5 or 0 rather than the "textbook" 1. Optionally add the context vectors
   ``C = V_d S_d**p`` (``W + C``, LGD 2015).

:func:`train_ppmi_svd` runs the whole pipeline on a corpus (``wvlib train ppmi-svd``; its
parameters are declared in :mod:`wvlib.methods`).

References
----------
K. W. Church and P. Hanks (1990). Word association norms, mutual information, and lexicography.
O. Levy and Y. Goldberg (2014). Neural word embedding as implicit matrix factorization.
O. Levy, Y. Goldberg and I. Dagan (2015). Improving distributional similarity with lessons
learned from word embeddings.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._validate import check_choice, check_float, check_matrix, check_positive_int
from .methods import METHODS, adapt_dim, validates

# Defaults of the whole pipeline, chosen by measurement on the default corpus "enwiki-sample"
# with ``python -m wvlib.benchmarks.ppmi`` (see that module and the help texts below).
# Changing one setting at a time from these defaults (mean of 3 SVD seeds; 9,003 words with
# min_count 5; the defaults give WordSim-353 rho 0.526, SimLex-999 0.228, analogies 0.084):
#   window 2 / 5 / 8 / 15:    WordSim 0.25 / 0.45 / 0.51 / 0.53  (relatedness needs wide windows)
#   dim 50 / 200 / 300:       0.51 / 0.50 / 0.46        (465k tokens support few dimensions)
#   shift k 2 / 5 / 15:      : 0.51 / 0.47 / 0.44        (LGD 2015: shifting hurts SVD)
#   eig 0 / 1:                0.51 / 0.51               (eig 1: analogies 0.095)
#   alpha 0.5 / 1:            0.49 / 0.535              (alpha 1: analogies 0.069)
#   uniform weighting:        0.536 (SimLex 0.222, analogies 0.071); + dynamic window: 0.46
#   add_context:              0.531 (analogies 0.072)
# Speed: on a 2-core machine the whole `wvlib train ppmi-svd` process takes about 0.28x the
# time of gensim's skip-gram process on the same 350k-token file (`wvlib bench process`: median
# of 9 paired runs; 0.55x before the symmetric counting, LU power iterations and float32
# products, 0.37x before the sorted pair codes and the vectorized text writer);
# window 8 with dim 75 scores the same within noise (WordSim-353 0.517, SimLex-999 0.226,
# analogies 0.081) in less time.
# The declaration (types, bounds, defaults, help) is in wvlib/methods.py; the constants below
# are read from it, for the chapter and the benchmark.
_PARAMS = METHODS["ppmi-svd"].params
DEFAULT_DIM = _PARAMS["dim"].default
DEFAULT_WINDOW = _PARAMS["window"].default
DEFAULT_MIN_COUNT = _PARAMS["min_count"].default
DEFAULT_ALPHA = _PARAMS["alpha"].default
DEFAULT_SHIFT = _PARAMS["shift"].default
DEFAULT_EIG = _PARAMS["eig"].default
DEFAULT_WEIGHTING = _PARAMS["weighting"].default
DEFAULT_DYNAMIC_WINDOW = _PARAMS["dynamic_window"].default
DEFAULT_MEMORY = _PARAMS["memory"].default


# ---------------------------------------------------------------------------------------------
# 1. PMI
# ---------------------------------------------------------------------------------------------

def _check_counts(counts) -> sp.csr_matrix:
    """Validate a count matrix and return it as a CSR float64 matrix without explicit zeros."""
    counts = check_matrix(counts, "counts")  # dense -> ndarray, sparse -> csr (finite, non-empty)
    if not sp.issparse(counts):
        counts = sp.csr_matrix(counts)
    else:
        counts = counts.copy()          # never modify the caller's matrix
    counts.sum_duplicates()
    if counts.nnz and counts.data.min() < 0:
        raise ValueError("counts must be non-negative (co-occurrence counts), "
                         f"found a negative entry {counts.data.min():g}")
    counts.eliminate_zeros()            # an explicitly stored 0 is an unseen pair, not log(0)
    if counts.nnz == 0:
        raise ValueError("counts must not be all zero: PMI needs at least one observed pair")
    counts.sort_indices()
    return counts


def _check_alpha_shift(alpha, shift, positive):
    if not isinstance(positive, (bool, np.bool_)):
        raise ValueError(f"positive must be True or False, got {positive!r}")
    alpha = check_float(alpha, "alpha", low=0.0, high=1.0, low_open=True)
    if isinstance(shift, bool) or not isinstance(shift, (int, float, np.integer, np.floating)):
        raise ValueError(f"shift must be a real number k >= 1, got {shift!r}")
    if not np.isfinite(shift) or shift < 1:
        raise ValueError(f"shift must be a number k >= 1 (the number of negative samples; "
                         f"log k >= 0 is subtracted from PMI, k = 1 means no shift), got {shift}")
    return alpha, float(shift)


def pmi_matrix(counts, *, alpha: float = 1.0, shift: float = 1.0,
               positive: bool = True) -> sp.csr_matrix:
    """(Shifted, positive) PMI of a word-context count matrix, computed on the nonzeros only.

    Parameters
    ----------
    counts : scipy.sparse matrix or array-like, shape (n_words, n_contexts)
        Non-negative co-occurrence counts ``#(w, c)`` (rows = words, columns = contexts), e.g.
        the output of :func:`wvlib.cooccurrence.cooccurrence_matrix`. Weighted (fractional)
        counts are fine. A sparse matrix is never densified.
    alpha : float, default 1.0
        Context distribution smoothing exponent in ``(0, 1]``: ``P_alpha(c)`` is proportional to
        ``#(c)**alpha``. 1.0 is plain PMI; 0.75 is the value of LGD (2015).
    shift : float, default 1.0
        ``k >= 1``; ``log k`` is subtracted from every PMI value (shifted PMI). ``k`` plays the
        role of the number of negative samples in skip-gram; ``k = 1`` means no shift. Values
        below 1 would *add* to PMI, which has no such interpretation, so they are rejected.
    positive : bool, default True
        If True return ``max(PMI - log k, 0)`` (PPMI, or SPPMI when ``k > 1``) with the zeros
        removed from the sparse structure. If False return ``PMI - log k`` on the observed pairs.

    Returns
    -------
    scipy.sparse.csr_matrix, float64, same shape as ``counts``
        With ``positive=False`` the stored entries are exactly the observed pairs
        (``#(w, c) > 0``), some of which may be stored zeros or negative numbers. An entry that is
        *not stored* is an unseen pair: its true PMI is ``log 0 = -inf``, which a sparse matrix
        cannot hold, so it reads as 0 there. Use :func:`pmi_dense` to see the ``-inf`` values.

    Notes
    -----
    On the CSR arrays: entry ``t`` of ``data`` sits in row ``rows[t]`` and column
    ``indices[t]``, so with ``log_row = log #(w)``, ``log_col = log #(c)`` and
    ``log_Z = log sum_c' #(c')**alpha``::

        pmi[t] = log data[t] - log_row[rows[t]] - alpha * log_col[indices[t]] + log_Z - log k

    which costs O(nnz) time and memory.

    Examples
    --------
    >>> import numpy as np
    >>> counts = np.array([[2, 0], [1, 1]])
    >>> pmi_matrix(counts).toarray().round(3)       # log(2*4/(2*3)) = log(4/3)
    array([[0.288, 0.   ],
           [0.   , 0.693]])
    """
    counts = _check_counts(counts)
    alpha, shift = _check_alpha_shift(alpha, shift, positive)

    row_sums = np.asarray(counts.sum(axis=1)).ravel()          # #(w)
    col_sums = np.asarray(counts.sum(axis=0)).ravel()          # #(c)
    smoothed = col_sums ** alpha                               # #(c)**alpha (0 for unused c)
    log_Z = np.log(smoothed.sum())                             # log sum_c' #(c')**alpha
    with np.errstate(divide="ignore"):       # log 0 of an empty row or column is never read
        log_row, log_col = np.log(row_sums), alpha * np.log(col_sums)

    # Row index of every stored entry: row i owns data[indptr[i]:indptr[i+1]].
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    cols = counts.indices
    # pmi = log #(w,c) - log #(w) - alpha log #(c) + log Z - log k, in place (one array of nnz)
    pmi = np.log(counts.data)
    pmi -= log_row[rows]
    pmi -= log_col[cols]
    pmi += log_Z - np.log(shift)

    result = sp.csr_matrix((pmi, cols.copy(), counts.indptr.copy()), shape=counts.shape)
    if positive:
        np.maximum(result.data, 0.0, out=result.data)
        result.eliminate_zeros()
    return result


def ppmi_blocks(counts, *, alpha: float = 1.0, shift: float = 1.0):
    """:func:`pmi_matrix` with ``positive=True`` for a count matrix held in row blocks.

    Parameters
    ----------
    counts : wvlib.blocks.BlockMatrix
        Non-negative counts (its row and column sums are known without reading it again).
    alpha, shift
        As in :func:`pmi_matrix`.

    Returns
    -------
    wvlib.blocks.BlockMatrix of float32
        The PPMI entries (zeros removed), block for block, in files when the counts are:
        each entry is the float32 of the float64 value :func:`pmi_matrix` computes.
    """
    alpha, shift = _check_alpha_shift(alpha, shift, True)
    if counts.nnz == 0:
        raise ValueError("counts must not be all zero: PMI needs at least one observed pair")
    smoothed = counts.col_sums ** alpha
    log_Z = np.log(smoothed.sum())
    with np.errstate(divide="ignore"):
        log_row, log_col = np.log(counts.row_sums), alpha * np.log(counts.col_sums)
    constant = log_Z - np.log(shift)

    def ppmi(start, block):
        rows = np.repeat(np.arange(start, start + block.shape[0]), np.diff(block.indptr))
        pmi = np.log(block.data)
        pmi -= log_row[rows]
        pmi -= log_col[block.indices]
        pmi += constant
        np.maximum(pmi, 0.0, out=pmi)
        out = sp.csr_matrix((pmi.astype(np.float32), block.indices, block.indptr),
                            shape=block.shape)
        out.eliminate_zeros()
        return out

    return counts.transform(ppmi, dtype=np.float32)


def pmi_dense(counts, *, alpha: float = 1.0, shift: float = 1.0,
              positive: bool = True) -> np.ndarray:
    """Brute-force dense (shifted, positive) PMI: the reference for :func:`pmi_matrix`.

    Straight from the definition with probabilities and broadcasting; meant for small matrices
    (tests and the book). Parameters are those of :func:`pmi_matrix`.

    Returns
    -------
    numpy.ndarray, float64
        ``log P(w,c) - log P(w) - log P_alpha(c) - log k``; entries of unseen pairs are ``-inf``
        (``positive=False``) or 0 (``positive=True``).
    """
    C = check_matrix(counts, "counts")
    C = C.toarray() if sp.issparse(C) else np.array(C, dtype=np.float64)
    if C.min() < 0:
        raise ValueError("counts must be non-negative (co-occurrence counts)")
    if C.sum() == 0:
        raise ValueError("counts must not be all zero: PMI needs at least one observed pair")
    alpha, shift = _check_alpha_shift(alpha, shift, positive)

    D = C.sum()
    p_wc = C / D                                    # P(w, c)
    p_w = C.sum(axis=1) / D                         # P(w)
    c_alpha = C.sum(axis=0) ** alpha
    p_c = c_alpha / c_alpha.sum()                   # P_alpha(c)

    out = np.full(C.shape, -np.inf)
    seen = C > 0
    ratio = p_wc / (p_w[:, None] * p_c[None, :] + (~seen))   # "+ ~seen" avoids 0/0 on unseen
    out[seen] = np.log(ratio[seen]) - np.log(shift)
    if positive:
        out = np.maximum(out, 0.0)
    return out


# ---------------------------------------------------------------------------------------------
# 2. SVD of the PPMI matrix
# ---------------------------------------------------------------------------------------------

def vectors_from_svd(U, s, Vt=None, *, eig: float = 0.5,
                     add_context: bool = False) -> np.ndarray:
    """Word vectors ``W = U_d S_d**p`` (or ``W + C``) from an SVD that is already computed.

    The last step of :func:`ppmi_svd_embeddings`, on its own, so that one SVD can give the
    vectors of every eigenvalue weighting ``p`` and of ``W + C``.

    Parameters
    ----------
    U : array-like, shape (n_words, d)
        Left singular vectors (as returned by :func:`wvlib.linalg.truncated_svd`).
    s : array-like, shape (d,)
        Singular values, non-negative.
    Vt : array-like, shape (d, n_contexts), optional
        Right singular vectors, transposed; needed only for ``add_context=True``.
    eig : float in [0, 1], default 0.5
        Eigenvalue weighting ``p``.
    add_context : bool, default False
        Return ``W + C`` with ``C = V_d S_d**p`` (needs ``n_contexts == n_words``).

    Returns
    -------
    numpy.ndarray, shape (n_words, d)
    """
    U = np.asarray(U, dtype=float)
    s = np.asarray(s, dtype=float)
    if U.ndim != 2:
        raise ValueError(f"U must be a 2-D array (n_words x d), got {U.ndim} dimension(s)")
    if s.shape != (U.shape[1],):
        raise ValueError(f"s must be a 1-D array of the {U.shape[1]} singular values "
                         f"matching the columns of U, got shape {s.shape}")
    if np.any(s < 0) or not np.all(np.isfinite(s)):
        raise ValueError("s must hold finite, non-negative singular values")
    eig = check_float(eig, "eig", low=0.0, high=1.0)
    weights = s ** eig                    # S_d**p; note 0**0 == 1, so eig=0 gives U_d exactly
    vectors = U * weights
    if add_context:
        if Vt is None:
            raise ValueError("add_context=True needs Vt (the right singular vectors)")
        Vt = np.asarray(Vt, dtype=float)
        if Vt.shape != (U.shape[1], U.shape[0]):
            raise ValueError(f"add_context=True needs Vt of shape {(U.shape[1], U.shape[0])} "
                             f"(contexts = words), got {Vt.shape}")
        vectors = vectors + Vt.T * weights
    return vectors


def ppmi_svd_embeddings(counts, vocab_words, *, dim: int = 100, alpha: float = 0.75,
                        shift: float = 1.0, eig: float = 0.5, add_context: bool = False,
                        seed=0, method: str = "randomized", dtype=np.float64):
    """Word vectors from a truncated SVD of the (shifted) PPMI matrix.

    Parameters
    ----------
    counts : scipy.sparse matrix or array-like, shape (n_words, n_contexts)
        Word-context counts (see :func:`pmi_matrix`).
    vocab_words : sequence of str or wvlib.corpus.Vocabulary
        The word of each row of ``counts``.
    dim : int, default 100
        Number of singular vectors kept; at most the vocabulary size (and the number of
        contexts).
    alpha, shift : float
        Passed to :func:`pmi_matrix` with ``positive=True``.
    eig : float in [0, 1], default 0.5
        Eigenvalue weighting ``p``: word vectors are the rows of ``U_d S_d**p``. ``p = 1`` is the
        classic choice ``W = U_d S_d`` (so that ``W V_d^T`` is the best rank-d approximation),
        ``p = 0.5`` splits the singular values evenly between word and context vectors
        (``W C^T = U_d S_d V_d^T`` still holds, as for SGNS's two embedding matrices),
        ``p = 0`` uses the orthonormal ``U_d`` alone.
    add_context : bool, default False
        Return ``W + C`` with context vectors ``C = V_d S_d**p`` (needs a square matrix whose
        contexts are the words). For a symmetric PPMI matrix (``alpha = 1``, symmetric windows)
        ``v_i = +-u_i``, so ``W + C`` doubles the directions of positive eigenvalues and
        cancels those of negative ones.
    seed : int or numpy.random.Generator, default 0
        Seed of the randomized SVD.
    method : {"randomized", "reference", "exact"}, default "randomized"
        Passed to :func:`wvlib.linalg.truncated_svd`. The randomized SVD's trailing
        singular triplets are approximate and depend on ``seed``; to compare settings, use
        ``"reference"`` (ARPACK, exact up to rounding; chapter 4 does).
    dtype : {numpy.float64, numpy.float32}, default numpy.float64
        Precision of the randomized SVD's products (see :func:`wvlib.linalg.truncated_svd`).

    Returns
    -------
    wvlib.vectors.KeyedVectors
    """
    from .linalg import truncated_svd
    from .vectors import KeyedVectors

    words = list(getattr(vocab_words, "words", vocab_words))
    if not all(isinstance(w, str) for w in words):
        raise ValueError("vocab_words must be a sequence of strings (or a Vocabulary)")
    counts = check_matrix(counts, "counts")
    if counts.shape[0] != len(words):
        raise ValueError(f"vocab_words has {len(words)} words but counts has "
                         f"{counts.shape[0]} rows; they must match")
    dim = check_positive_int(dim, "dim")
    if dim > min(counts.shape):
        raise ValueError(f"dim must be at most the vocabulary size {len(words)} "
                         f"(and the number of contexts {counts.shape[1]}), got dim={dim}")
    eig = check_float(eig, "eig", low=0.0, high=1.0)
    if add_context and counts.shape[0] != counts.shape[1]:
        raise ValueError("add_context=True needs a square counts matrix (contexts = words), "
                         f"got shape {counts.shape}")
    check_choice(method, "method", ("randomized", "reference", "exact"))

    ppmi = pmi_matrix(counts, alpha=alpha, shift=shift, positive=True)
    U, s, Vt = truncated_svd(ppmi, dim, method=method, seed=seed, dtype=dtype)
    return KeyedVectors(words, vectors_from_svd(U, s, Vt, eig=eig, add_context=add_context),
                        copy=False)                          # a new array: no copy


# ---------------------------------------------------------------------------------------------
# 3. The whole pipeline
# ---------------------------------------------------------------------------------------------

@validates("ppmi-svd")
def train_ppmi_svd(corpus, *, dim=None, window: int = DEFAULT_WINDOW,
                   min_count: int = DEFAULT_MIN_COUNT, alpha: float = DEFAULT_ALPHA,
                   shift: float = DEFAULT_SHIFT, eig: float = DEFAULT_EIG,
                   add_context: bool = False, weighting: str = DEFAULT_WEIGHTING,
                   dynamic_window: bool = DEFAULT_DYNAMIC_WINDOW, max_vocab=None, seed: int = 0,
                   memory: int = DEFAULT_MEMORY, verbose=None):
    """Count, reweight by PPMI, factorize: word vectors from a corpus.

    The parameters are declared (types, bounds, defaults) in :mod:`wvlib.methods` and
    validated on every call.

    Parameters
    ----------
    corpus : wvlib.corpus.Corpus or list of list of str
        Tokenized documents.
    dim : int or None, default None
        Vector size (number of singular vectors), at most the vocabulary size; ``None``:
        ``DEFAULT_DIM`` (100), or the vocabulary size when it is smaller.
    window : int, default 10
        Context window radius for :func:`wvlib.cooccurrence.cooccurrence_matrix`.
    min_count : int, default 5
        Words rarer than this are dropped before windowing.
    alpha : float, default 0.75
        Context distribution smoothing (see :func:`pmi_matrix`).
    shift : float, default 1.0
        Shift ``k >= 1``: ``log k`` is subtracted from PMI.
    eig : float, default 0.5
        Eigenvalue weighting ``p`` (see :func:`ppmi_svd_embeddings`).
    add_context : bool, default False
        Return ``W + C`` instead of ``W``.
    weighting : {"uniform", "harmonic"}, default "harmonic"
        Weight of a co-occurrence at distance ``d``: 1 or ``1/d``.
    dynamic_window : bool, default False
        Sample each window size uniformly from 1..window, as word2vec does (needs ``seed``).
    max_vocab : int or None
        Keep at most this many most frequent words.
    seed : int, default 0
        Seed of the dynamic windows and of the randomized SVD.
    memory : int, default 1024
        Megabytes for counting the co-occurrences (see
        :func:`wvlib.cooccurrence.count_cooccurrences`). When the count matrix takes more
        than half of it, it stays in files, and so does its PPMI matrix: PPMI is computed a
        block of rows at a time and the randomized SVD reads the blocks for each product
        (:func:`ppmi_blocks`, :class:`wvlib.blocks.BlockMatrix`). The vectors are the same up
        to float32 rounding in the products.
    verbose : bool or None
        Progress bars (see :mod:`wvlib.progress`).

    Returns
    -------
    wvlib.vectors.KeyedVectors
    """
    from .cooccurrence import count_cooccurrences
    from .encoded import encode_corpus
    from .linalg import truncated_svd
    from .vectors import KeyedVectors

    corpus = encode_corpus(corpus, min_count=min_count, max_size=max_vocab)
    words = corpus.vocab.words
    # before the (slow) counting
    dim = adapt_dim(dim, len(words), METHODS["ppmi-svd"],
                    f"the vocabulary size (words with min_count={min_count})")
    counts = count_cooccurrences(corpus, window=window, symmetric=True, weighting=weighting,
                                 dynamic_window=dynamic_window, seed=seed, memory=memory,
                                 verbose=verbose)
    del corpus                                   # the ids are not needed any more
    # The vectors are written in float32 (word2vec format): products in float32 change them by
    # about 1e-6 relative and make the SVD about twice as fast.
    if not counts.spilled:
        with counts:
            matrix = counts.tocsr()
        return ppmi_svd_embeddings(matrix, words, dim=dim, alpha=alpha, shift=shift,
                                   eig=eig, add_context=add_context, seed=seed,
                                   dtype=np.float32)
    with counts:
        ppmi = ppmi_blocks(counts, alpha=alpha, shift=shift)
    with ppmi:
        U, s, Vt = truncated_svd(ppmi, dim, seed=seed, dtype=np.float32)
    return KeyedVectors(words, vectors_from_svd(U, s, Vt, eig=eig, add_context=add_context),
                        copy=False)
