"""Word–context co-occurrence counts: the matrix that every count-based embedding factorizes.

For a vocabulary of ``V`` words, :func:`cooccurrence_matrix` returns the sparse ``V × V`` matrix
``M`` with

    ``M[w, c]`` = (weighted) number of times context word ``c`` occurs within ``window`` tokens of
    an occurrence of centre word ``w``.

Rows are centre words, columns are context words. The choices that distinguish real systems are
all parameters:

``symmetric=True`` (default)
    Contexts on both sides count, so every pair of tokens at distance ``d <= window`` adds to
    ``M[w, c]`` *and* ``M[c, w]``: ``M`` is symmetric. ``symmetric=False`` ("directed") counts only
    contexts to the *right* of the centre word, so ``M[w, c]`` is "c follows w".
``weighting="harmonic"``
    A pair at distance ``d`` adds ``1/d`` instead of ``1``, as GloVe does: near neighbours matter
    more.
``dynamic_window=True``
    word2vec's trick: every centre position draws its own window ``b`` uniformly from
    ``1..window`` and only sees contexts at distance ``d <= b``. On average a pair at distance
    ``d`` then counts ``(window - d + 1) / window`` times (:func:`context_window_weights`), so
    this is a random version of a linearly decaying weighting. Since the pair (i, j) counts for
    centre ``i`` with ``i``'s draw and for centre ``j`` with ``j``'s draw, the matrix is in general
    *not* symmetric even when ``symmetric=True``.

As in word2vec, out-of-vocabulary tokens are removed *before* windowing (so a rare word does not
use up a slot of the window), and windows never cross document boundaries.

How it is computed
------------------
No Python loop runs over tokens. All in-vocabulary token ids are concatenated into one array
``ids``, next to an array ``doc`` that says which document each position belongs to. For every
distance ``d = 1..window`` the pairs at that distance are just two shifted slices,
``ids[:-d]`` (centres) and ``ids[d:]`` (contexts), kept where ``doc[:-d] == doc[d:]``. Each
pair becomes one integer whose bits are, from high to low, the centre, the context and
``d - 1`` (no distance bits when every pair weighs 1). One sort of the codes of all distances
puts equal pairs next to each other, row by row and column by column: a run of equal pairs is
one entry of the matrix, its value the sum of its pairs' weights, and the sorted runs are
already the CSR layout. (For a vocabulary of up to 65,536 words the codes are 32-bit integers,
and NumPy sorts those several times faster than SciPy sums the (row, column, weight) triples of
a COO matrix.) Long corpora are processed in chunks of positions so that memory stays bounded.

>>> from wvlib.corpus import Vocabulary
>>> docs = [["a", "b", "c"], ["c", "a", "c"]]
>>> vocab = Vocabulary.build(docs)
>>> vocab.words
['c', 'a', 'b']
>>> cooccurrence_matrix(docs, vocab, window=1).toarray()
array([[0., 2., 1.],
       [2., 0., 1.],
       [1., 1., 0.]])
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._validate import check_choice, check_positive_int, check_random_state
from .corpus import Vocabulary, as_documents
from .progress import progress

__all__ = ["cooccurrence_matrix", "context_window_weights"]

WEIGHTINGS = ("uniform", "harmonic")

# Positions handled per chunk, and how many (centre, context) pairs may wait in memory before
# they are summed into the result. Small enough for text8 (17M tokens) on a laptop.
_CHUNK_POSITIONS = 2_000_000
_MAX_BUFFERED_PAIRS = 20_000_000


def context_window_weights(window: int = 5, weighting: str = "uniform",
                           dynamic_window: bool = False) -> np.ndarray:
    """Expected weight that a (centre, context) pair at distance ``d`` adds to ``M``.

    Parameters
    ----------
    window : int
        Maximum distance.
    weighting : {"uniform", "harmonic"}
        1 or 1/d per pair.
    dynamic_window : bool
        With word2vec's dynamic window the pair is seen only if the centre's random window
        ``b ~ Uniform{1..window}`` reaches it, which happens with probability
        ``(window - d + 1) / window``.

    Returns
    -------
    numpy.ndarray, shape (window,)
        Entry ``d - 1`` is the expected weight at distance ``d``.

    Examples
    --------
    >>> context_window_weights(4, "uniform", dynamic_window=True)
    array([1.  , 0.75, 0.5 , 0.25])
    >>> context_window_weights(4, "harmonic")
    array([1.        , 0.5       , 0.33333333, 0.25      ])
    """
    window = check_positive_int(window, "window")
    weighting = check_choice(weighting, "weighting", WEIGHTINGS)
    dynamic_window = _check_bool(dynamic_window, "dynamic_window")
    d = np.arange(1, window + 1, dtype=np.float64)
    weights = np.ones(window) if weighting == "uniform" else 1.0 / d
    if dynamic_window:
        weights = weights * (window - d + 1) / window
    return weights


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _flatten(documents, vocab: Vocabulary):
    """Concatenate the in-vocabulary ids of all documents.

    Returns
    -------
    ids : ndarray of int32
        Token ids, document after document, out-of-vocabulary tokens removed.
    doc : ndarray of int64
        ``doc[k]`` is the index of the document that position ``k`` belongs to.
    """
    encoded = vocab.encode_documents(documents)
    lengths = [len(e) for e in encoded]
    ids = np.concatenate(encoded) if encoded else np.zeros(0, dtype=np.int32)
    doc = np.repeat(np.arange(len(encoded), dtype=np.int64), lengths)
    return ids, doc


def _effective_windows(n_positions: int, window: int, rng: np.random.Generator) -> np.ndarray:
    """word2vec's dynamic window: one draw ``b ~ Uniform{1..window}`` per (in-vocabulary) token
    position, in corpus order. :func:`cooccurrence_matrix` draws exactly these, so a test can
    replay them."""
    return rng.integers(1, window + 1, size=n_positions)


def cooccurrence_matrix(documents, vocab, *, window=5, symmetric=True, weighting="uniform",
                        dynamic_window=False, seed=None, verbose=None) -> sp.csr_matrix:
    """Count how often each context word occurs near each centre word.

    Parameters
    ----------
    documents : Corpus or list of list of str
        Tokenized documents. Windows do not cross document boundaries.
    vocab : Vocabulary
        Words to count; other tokens are removed before windowing.
    window : int, default 5
        Maximum distance between centre and context.
    symmetric : bool, default True
        Count contexts on both sides (``M`` symmetric unless ``dynamic_window``); ``False``
        counts only contexts to the right of the centre ("directed").
    weighting : {"uniform", "harmonic"}, default "uniform"
        A pair at distance ``d`` adds 1, or ``1/d`` (GloVe).
    dynamic_window : bool, default False
        word2vec's dynamic window: each centre position draws ``b`` uniformly from
        ``1..window`` and counts only contexts at distance ``d <= b``. The draws are made per
        in-vocabulary position, in corpus order.
    seed : int, numpy.random.Generator or None
        Randomness for ``dynamic_window`` (ignored otherwise).
    verbose : bool, optional
        Show a progress bar.

    Returns
    -------
    scipy.sparse.csr_matrix of float64, shape (V, V)
        ``M[w, c]`` = weighted count of context ``c`` around centre ``w``.

    See Also
    --------
    context_window_weights : the expected weight per distance.
    """
    documents = as_documents(documents)
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a wvlib.corpus.Vocabulary (build one with "
                        f"Vocabulary.build(documents)), got {type(vocab).__name__}")
    window = check_positive_int(window, "window")
    symmetric = _check_bool(symmetric, "symmetric")
    weighting = check_choice(weighting, "weighting", WEIGHTINGS)
    dynamic_window = _check_bool(dynamic_window, "dynamic_window")
    rng = check_random_state(seed, "seed")

    V = len(vocab)
    ids, doc = _flatten(documents, vocab)
    n = len(ids)
    reach = _effective_windows(n, window, rng) if dynamic_window else None
    # The distance is part of a pair's code (in its low bits) only when it changes the weight.
    distance_bits = (window - 1).bit_length() if weighting == "harmonic" else 0
    word_bits = max(V - 1, 1).bit_length()
    code_type = np.uint32 if 2 * word_bits + distance_bits <= 32 else np.uint64

    total = None
    codes, n_buffered = [], 0

    def pair_codes(centre, context, d):
        code = centre.astype(code_type)
        code <<= word_bits
        code |= context.astype(code_type)
        if distance_bits:
            code <<= distance_bits
            code |= d - 1
        return code

    def flush():
        nonlocal total, codes, n_buffered
        if codes:
            counts = _sum_pair_codes(np.concatenate(codes), V, word_bits, distance_bits,
                                     weighting)
            total = counts if total is None else total + counts
        codes, n_buffered = [], 0

    starts = range(0, max(n, 1), _CHUNK_POSITIONS)
    with progress(total=len(starts) * window, desc="co-occurrence", unit="distance",
                  verbose=verbose) as bar:
        for start in starts:
            stop = min(start + _CHUNK_POSITIONS, n)
            for d in range(1, window + 1):
                # Pairs (i, i + d) for the centres i in [start, stop) whose partner exists.
                left = slice(start, max(start, min(stop, n - d)))
                right = slice(left.start + d, left.stop + d)
                same_doc = doc[left] == doc[right]
                centre, context = ids[left][same_doc], ids[right][same_doc]

                # The left token as centre, the right token as context ...
                if reach is None:
                    codes.append(pair_codes(centre, context, d))
                else:
                    keep = reach[left][same_doc] >= d
                    codes.append(pair_codes(centre[keep], context[keep], d))
                n_buffered += len(codes[-1])
                if symmetric and reach is not None:
                    # ... and the right token as centre, with its own dynamic window. (With a
                    # fixed window the reverse pairs are added at the end as the transpose.)
                    keep = reach[right][same_doc] >= d
                    codes.append(pair_codes(context[keep], centre[keep], d))
                    n_buffered += len(codes[-1])
                if n_buffered >= _MAX_BUFFERED_PAIRS:
                    flush()
                bar.update(1)
    flush()
    if total is None:                       # no pair at all (every document has one token)
        total = sp.csr_matrix((V, V), dtype=np.float64)
    if symmetric and reach is None:
        # every pair seen from the right is also seen from the left with the same weight, so
        # the symmetric matrix is R + Rᵀ: half the pairs to sort than counting both directions
        total = (total + total.T).tocsr()
    total.sum_duplicates()
    return total


def _sum_pair_codes(codes, V: int, word_bits: int, distance_bits: int,
                    weighting: str) -> sp.csr_matrix:
    """The ``V × V`` CSR matrix of the pairs encoded in ``codes``: bits ``centre | context |
    d - 1`` (see the module docstring).

    After sorting, each run of equal ``code >> distance_bits`` is one (row, column) entry whose
    value is the sum of its pairs' weights; the runs come in row-major order, so the entries are
    the CSR arrays directly (column indices sorted, no duplicates)."""
    if len(codes) == 0:
        return sp.csr_matrix((V, V), dtype=np.float64)
    codes.sort()
    one = codes.dtype.type
    keys = codes >> one(distance_bits) if distance_bits else codes    # centre | context
    first = np.empty(len(keys), dtype=bool)              # where a run of equal pairs starts
    first[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    run_starts = np.flatnonzero(first)
    if distance_bits == 0:                               # every pair weighs 1: a run's length
        values = np.diff(np.append(run_starts, len(keys))).astype(np.float64)
    else:                                                # pair weight 1/d, summed over the run
        weights = context_window_weights(1 << distance_bits, weighting)
        values = np.add.reduceat(weights[codes & one((1 << distance_bits) - 1)], run_starts)
    pairs = keys[run_starts]
    rows = pairs >> one(word_bits)                       # sorted, so rows start by searching
    cols = (pairs & one((1 << word_bits) - 1)).astype(np.int32)
    indptr = np.searchsorted(rows, np.arange(V + 1, dtype=rows.dtype))
    return sp.csr_matrix((values, cols, indptr), shape=(V, V))
