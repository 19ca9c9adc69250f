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
No Python loop runs over tokens. The in-vocabulary token ids of the corpus are one int32 array
(:class:`wvlib.encoded.EncodedCorpus`), with the offset where each document starts. For a
block of positions and every distance ``d = 1..window`` the pairs at that distance are just
two shifted slices (centres and contexts), kept where both positions are in the same
document. Each pair becomes one integer whose bits are, from high to low, the centre, the
context and ``d - 1`` (no distance bits when every pair weighs 1); a symmetric window adds
the pair the other way round too. The codes go into a buffer. A full buffer is sorted, which
puts equal pairs next to each other, and reduced to its distinct (centre, context) keys,
each with an exact integer count: the number of its pairs, or with the 1/d weighting the sum
of ``lcm(1..window) / d`` over its pairs, an integer too (2520 units for a count of 1 with
window 10). The value of an entry is that integer divided by ``lcm(1..window)``, rounded
once, so it does not depend on the order in which pairs were met. (Windows over 22 have a
least common multiple too large for this; their keys keep the distance bits and an entry is
the sum over ``d`` of its integer counts times ``1/d``, always in the order ``d = 1, 2, ...``.)
(For a vocabulary of up to 65,536 words the codes are 32-bit integers, which NumPy sorts
faster than the (row, column, weight) triples of a COO matrix are summed.)

**Larger than memory.** ``memory`` (megabytes) bounds the buffer. When a corpus has more
pairs than one buffer holds, each sorted and reduced buffer (a *run*) is written to a
temporary file and the runs are merged at the end (:mod:`wvlib.spill`): the merged counts
are exactly those of one big buffer, because they are integer sums. The counted matrix is
assembled row block by row block (:class:`wvlib.blocks.BlockMatrix`), in files too when it
is bigger than ``memory``; :func:`count_cooccurrences` returns it in that form (PPMI-SVD and
GloVe use it), :func:`cooccurrence_matrix` as one CSR matrix. This is the map-reduce of the
GloVe C code's ``cooccur -memory``: map = pairs of a block of positions, shuffle = sort,
reduce = sum per key; on a cluster the same step runs in Spark or Hadoop, keyed by the
(centre, context) pair.

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

import math

import numpy as np
import scipy.sparse as sp

from ._validate import check_choice, check_float, check_positive_int, check_random_state
from .blocks import BlockMatrix, release_free_memory
from .corpus import Vocabulary
from .encoded import EncodedCorpus
from .progress import progress
from .spill import SortedRuns, reduce_sorted

__all__ = ["cooccurrence_matrix", "count_cooccurrences", "context_window_weights",
           "DEFAULT_MEMORY_MB"]

WEIGHTINGS = ("uniform", "harmonic")

#: Default memory budget of the counting, in megabytes (see ``memory``).
DEFAULT_MEMORY_MB = 1024
# Positions handled per block (at most; a small memory budget makes blocks smaller), and a
# cap on the pairs a buffer holds (None: the memory budget decides). Tests lower both.
_CHUNK_POSITIONS = 2_000_000
_MAX_BUFFERED_PAIRS = None
# Bytes of memory per buffered pair: the 8-byte code and what sorting and reducing it needs
# at worst (a flag, a weight, the run's key, count and start position).
_BYTES_PER_PAIR = 40
# Windows up to this size count 1/d pairs in units of 1/lcm(1..window) (an int64 sum).
_MAX_EXACT_WINDOW = 22
# Draws of the dynamic window are made this many at a time (the same stream for a corpus
# shorter than this as one draw of all positions).
_DRAW_BLOCK = 1_000_000


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


def _effective_windows(n_positions: int, window: int, rng: np.random.Generator) -> np.ndarray:
    """word2vec's dynamic window: one draw ``b ~ Uniform{1..window}`` per (in-vocabulary) token
    position, in corpus order, drawn ``_DRAW_BLOCK`` at a time and kept in the smallest
    integer type. :func:`cooccurrence_matrix` draws exactly these, so a test can replay
    them."""
    kind = np.uint8 if window < 256 else np.uint16 if window < 65536 else np.int64
    out = np.empty(n_positions, dtype=kind)
    for start in range(0, n_positions, _DRAW_BLOCK):
        stop = min(start + _DRAW_BLOCK, n_positions)
        out[start:stop] = rng.integers(1, window + 1, size=stop - start)
    return out


def _check_memory(memory) -> float:
    return check_float(memory, "memory", low=0.0, low_open=True)


def cooccurrence_matrix(documents, vocab, *, window=5, symmetric=True, weighting="uniform",
                        dynamic_window=False, seed=None, memory=DEFAULT_MEMORY_MB,
                        temp_dir=None, verbose=None) -> sp.csr_matrix:
    """Count how often each context word occurs near each centre word.

    Parameters
    ----------
    documents : Corpus, TextCorpus, EncodedCorpus or list of list of str
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
    memory : float, default 1024
        Megabytes for the pairs being counted: beyond, sorted runs are spilled to files in
        ``temp_dir`` and merged (module docstring). The counts are the same for any value.
    temp_dir : str, optional
        Folder for those files (default: the system's temporary folder, ``$TMPDIR``).
    verbose : bool, optional
        Show a progress bar.

    Returns
    -------
    scipy.sparse.csr_matrix of float64, shape (V, V)
        ``M[w, c]`` = weighted count of context ``c`` around centre ``w``, in canonical form
        (sorted column indices, no duplicates, no stored zeros).

    See Also
    --------
    context_window_weights : the expected weight per distance.
    count_cooccurrences : the same counts as a :class:`wvlib.blocks.BlockMatrix`.
    """
    with count_cooccurrences(documents, vocab, window=window, symmetric=symmetric,
                             weighting=weighting, dynamic_window=dynamic_window, seed=seed,
                             memory=memory, temp_dir=temp_dir, verbose=verbose) as counts:
        return counts.tocsr()


def count_cooccurrences(documents, vocab=None, *, window=5, symmetric=True,
                        weighting="uniform", dynamic_window=False, seed=None,
                        memory=DEFAULT_MEMORY_MB, temp_dir=None,
                        verbose=None) -> BlockMatrix:
    """:func:`cooccurrence_matrix` as a :class:`wvlib.blocks.BlockMatrix`, which stays in files
    when it is bigger than half of ``memory`` megabytes (close it, or use ``with``, to remove
    them). Its attribute ``counting`` says what happened: ``pairs`` counted, ``buffer_pairs``
    (the buffer's capacity), ``runs``, ``spilled_runs`` and ``spilled_entries``.

    ``vocab`` may be omitted when ``documents`` is an :class:`wvlib.encoded.EncodedCorpus`
    (its vocabulary is used); the other parameters are those of :func:`cooccurrence_matrix`.
    """
    if vocab is None and isinstance(documents, EncodedCorpus):
        vocab = documents.vocab
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a wvlib.corpus.Vocabulary (build one with "
                        f"Vocabulary.build(documents)), got {type(vocab).__name__}")
    window = check_positive_int(window, "window")
    symmetric = _check_bool(symmetric, "symmetric")
    weighting = check_choice(weighting, "weighting", WEIGHTINGS)
    dynamic_window = _check_bool(dynamic_window, "dynamic_window")
    rng = check_random_state(seed, "seed")
    budget = int(_check_memory(memory) * 2**20)
    corpus = EncodedCorpus.from_documents(documents, vocab)
    n = len(corpus.ids)
    most = sum(max(0, n - d) for d in range(1, window + 1)) * (2 if symmetric else 1)
    counter = _PairCounter(len(vocab), window, weighting, budget, temp_dir, most)
    try:
        _count_pairs(corpus, window, symmetric,
                     _effective_windows(len(corpus.ids), window, rng) if dynamic_window
                     else None, counter, budget, verbose)
        return counter.result()
    finally:
        counter.close()


def _count_pairs(corpus, window, symmetric, reach, counter, budget, verbose):
    """Feed the codes of every pair of ``corpus`` to ``counter``, a block of positions at a
    time (pairs (i, i + d) for the centres i of the block)."""
    ids, offsets = corpus.ids, corpus.offsets
    n = len(ids)
    chunk = min(_CHUNK_POSITIONS, max(4096, budget // 256))
    starts = range(0, max(n, 1), chunk)
    with progress(total=len(starts) * window, desc="co-occurrence", unit="distance",
                  verbose=verbose) as bar:
        for start in starts:
            stop = min(start + chunk, n)
            span = np.arange(start, min(stop + window, n))
            # room[k]: how many positions follow position start + k in its document
            room = offsets[np.searchsorted(offsets, span, side="right")] - span - 1
            for d in range(1, window + 1):
                m = max(0, min(stop, n - d) - start)       # centres with a partner at d
                same = room[:m] >= d
                left = ids[start:start + m][same]
                right = ids[start + d:start + d + m][same]
                if reach is None:
                    counter.add(left, right, d)            # left token as centre
                    if symmetric:
                        counter.add(right, left, d)        # and the right one
                else:
                    keep = reach[start:start + m][same] >= d
                    counter.add(left[keep], right[keep], d)
                    if symmetric:
                        keep = reach[start + d:start + d + m][same] >= d
                        counter.add(right[keep], left[keep], d)
                bar.update(1)


class _PairCounter:
    """The buffer of pair codes, its sorted runs and their merge into a BlockMatrix."""

    def __init__(self, V, window, weighting, budget, temp_dir, most_pairs=None):
        self.V, self.budget, self.temp_dir = V, budget, temp_dir
        self.word_bits = max(V - 1, 1).bit_length()
        harmonic = weighting == "harmonic"
        # the distance is part of a pair's code (its low bits) only when it changes the weight
        self.distance_bits = (window - 1).bit_length() if harmonic else 0
        width = 2 * self.word_bits + self.distance_bits
        self.code_type = np.dtype(np.uint32 if width <= 32 else np.uint64)
        # 1/d weighting: integer units lcm(1..window)/d per pair, or (windows over 22) keys
        # that keep the distance bits and integer counts per distance
        self.lcm = math.lcm(*range(1, window + 1)) if harmonic else 1
        self.per_distance = harmonic and window > _MAX_EXACT_WINDOW
        if harmonic and not self.per_distance:
            units = [self.lcm // d for d in range(1, (1 << self.distance_bits) + 1)]
            self.units = np.array(units, dtype=np.uint32)
        else:
            self.units = None
        self.lcm = 1 if self.per_distance else self.lcm
        capacity = max(16, budget // _BYTES_PER_PAIR)
        if _MAX_BUFFERED_PAIRS is not None:
            capacity = min(capacity, max(1, _MAX_BUFFERED_PAIRS))
        if most_pairs is not None:                 # no bigger than the corpus needs
            capacity = max(1, min(capacity, most_pairs))
        self.capacity = capacity
        self.buffer = None
        self.filled = self.n_pairs = 0
        self.runs = SortedRuns(self.code_type, temp_dir=temp_dir)

    def add(self, centre, context, d):
        """Append the codes of the pairs (centre[k], context[k]) at distance d."""
        at, n = 0, len(centre)
        while at < n:
            if self.buffer is None:
                self.buffer = np.empty(self.capacity, dtype=self.code_type)
            if self.filled == self.capacity:
                self._flush(spill=True)         # more pairs follow: this run goes to a file
            k = min(n - at, self.capacity - self.filled)
            out = self.buffer[self.filled:self.filled + k]
            out[:] = centre[at:at + k]
            out <<= self.code_type.type(self.word_bits)
            out |= context[at:at + k].astype(self.code_type)
            if self.distance_bits:
                out <<= self.code_type.type(self.distance_bits)
                out |= self.code_type.type(d - 1)
            self.filled += k
            self.n_pairs += k
            at += k

    def _flush(self, spill):
        if self.filled:
            keys, counts = _sum_pair_codes(self.buffer[:self.filled], self.distance_bits,
                                           self.units)
            self.filled = 0
            self.runs.add(keys, counts, spill=spill)

    def result(self) -> BlockMatrix:
        """Merge the runs; return the counts (values = integer sums / lcm)."""
        self._flush(spill=len(self.runs) > 0)
        self.buffer = None                     # free it before the merge
        # the merge's budget: half for the counted matrix (beyond, its blocks go to files),
        # a quarter for the rounds of the merge (about 80 bytes an entry at worst)
        matrix = BlockMatrix((self.V, self.V), np.float64, memory_bytes=self.budget // 2,
                             temp_dir=self.temp_dir)
        shift = self.distance_bits if self.per_distance else 0
        held = None
        chunk = max(1, self.budget // 4 // 80)
        for keys, counts in self.runs.merged(chunk):
            if shift:
                if held is not None:            # the distances of one key may straddle chunks
                    keys = np.concatenate([held[0], keys])
                    counts = np.concatenate([held[1], counts])
                cut = np.searchsorted(keys >> self.code_type.type(shift),
                                      keys[-1] >> self.code_type.type(shift))
                held = (keys[cut:], counts[cut:])
                keys, counts = keys[:cut], counts[:cut]
            self._append(matrix, keys, counts, shift)
        if held is not None:
            self._append(matrix, *held, shift)
        matrix.counting = dict(pairs=self.n_pairs, buffer_pairs=self.capacity,
                               runs=len(self.runs), spilled_runs=self.runs.n_spilled,
                               spilled_entries=self.runs.spilled_entries)
        matrix.finish()
        self.runs.close()
        release_free_memory()
        return matrix

    def _append(self, matrix, keys, counts, shift):
        if len(keys) == 0:
            return
        one = self.code_type.type
        if shift:
            values, keys = _sum_per_distance(keys, counts, shift)
        else:
            values = counts / float(self.lcm)
        rows = (keys >> one(self.word_bits)).astype(np.int64)
        cols = (keys & one((1 << self.word_bits) - 1)).astype(np.int32)
        matrix.append(rows, cols, values)

    def close(self):
        self.runs.close()


def _sum_pair_codes(codes, distance_bits: int, units):
    """Sort a buffer of pair codes in place and reduce it to a run: the distinct keys and
    their integer counts. Keys are ``centre | context`` with ``units`` (the count of a pair
    at distance d is ``units[d - 1]``), else the codes themselves (a count of 1 each)."""
    codes.sort()
    if units is None:
        return reduce_sorted(codes)
    one = codes.dtype.type
    weights = units[codes & one((1 << distance_bits) - 1)]
    codes >>= one(distance_bits)                 # centre | context, still sorted
    return reduce_sorted(codes, weights)


def _sum_per_distance(keys, counts, shift):
    """Entries ``centre | context | d - 1`` with integer counts -> one value per
    ``centre | context``: the sum of count / d, added in the order d = 1, 2, ... (so the
    value does not depend on how the entries were produced)."""
    one = keys.dtype.type
    pairs = keys >> one(shift)
    weights = 1.0 / (1.0 + (keys & one((1 << shift) - 1)).astype(np.float64))
    first = np.empty(len(pairs), dtype=bool)
    first[0] = True
    np.not_equal(pairs[1:], pairs[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    lengths = np.diff(np.append(starts, len(pairs)))
    values = np.zeros(len(starts))
    for k in range(int(lengths.max())):
        has = lengths > k
        at = starts[has] + k
        values[has] += counts[at] * weights[at]
    return values, pairs[starts]
