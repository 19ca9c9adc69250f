"""The tables word2vec builds from word counts before training (chapters 6 and 7).

* :class:`HuffmanTree`, :func:`build_huffman` — the tree of hierarchical softmax (Huffman 1952;
  word2vec's ``CreateBinaryTree``), and :func:`huffman_arrays`, its paths as padded arrays for
  the compiled kernels;
* :func:`noise_distribution` — the noise distribution of negative sampling, U^{3/4};
  :func:`sample_negatives` draws from it in NumPy, :func:`alias_table` builds Walker's alias
  table that the compiled kernels draw from in O(1);
* :func:`keep_probability` (the C code's subsampling rule), :func:`paper_keep_probability` (the
  paper's);
* :func:`dynamic_window_weights` — the expected weight of each distance under the dynamic window.

Everything here is NumPy on the vocabulary (|V| entries), computed once per training run.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from .._validate import check_float, check_positive_int, check_random_state

__all__ = ["HuffmanTree", "build_huffman", "huffman_arrays", "noise_distribution",
           "sample_negatives", "alias_table", "keep_probability", "paper_keep_probability",
           "dynamic_window_weights"]


# --------------------------------------------------------------------------------------
# Huffman tree for hierarchical softmax
# --------------------------------------------------------------------------------------

@dataclass
class HuffmanTree:
    """A binary Huffman tree over a vocabulary, as used by hierarchical softmax.

    Leaves are the words 0..V−1; the V − 1 inner nodes have ids 0..V−2 in the order they
    were created, so the root is ``V − 2`` (as in the C code, where the root is the last
    node built).

    Attributes
    ----------
    codes : list of numpy.ndarray (int8)
        ``codes[w][j]`` is the branch (0 or 1) taken at the j-th node of word w's path.
    points : list of numpy.ndarray (int64)
        ``points[w][j]`` is the id of that inner node; ``points[w][0]`` is the root.
    n_inner : int
        Number of inner nodes, ``V − 1``.
    counts : numpy.ndarray
        The counts the tree was built from.
    parent, branch : numpy.ndarray
        For each of the 2V − 1 nodes (words first, then inner nodes at ``V + id``): its
        parent's inner-node id (−1 for the root) and the branch that leads to it (useful
        to draw the tree).
    """

    codes: list
    points: list
    n_inner: int
    counts: np.ndarray
    parent: np.ndarray = field(repr=False)
    branch: np.ndarray = field(repr=False)

    def code_lengths(self) -> np.ndarray:
        """Length of every word's code (its depth in the tree)."""
        return np.array([len(c) for c in self.codes], dtype=np.int64)

    def expected_length(self, probs=None) -> float:
        """Expected code length Σ_w p(w)·len(code_w) — the expected number of sigmoids
        per prediction. ``probs`` defaults to the relative counts of the words."""
        if probs is None:
            probs = self.counts / self.counts.sum()
        probs = np.asarray(probs, dtype=np.float64)
        if probs.shape != (len(self.codes),):
            raise ValueError(f"probs must have one entry per word ({len(self.codes)}), "
                             f"got shape {probs.shape}")
        return float(probs @ self.code_lengths())


def build_huffman(counts) -> HuffmanTree:
    """The Huffman tree of word counts (Huffman 1952; word2vec's ``CreateBinaryTree``).

    Repeatedly merge the two nodes of smallest count into a new inner node; the smaller
    of the two gets branch 0, the other branch 1. Frequent words end up near the root,
    so the expected code length is within one bit of the entropy of the unigram
    distribution. Ties are broken by node id (words before earlier inner nodes), so the
    tree is deterministic.

    Parameters
    ----------
    counts : array_like of int or float, shape (V,), V ≥ 2
        Non-negative word counts.

    Returns
    -------
    HuffmanTree
    """
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.shape[0] < 2:
        raise ValueError(f"counts must be a 1-D array of at least 2 word counts, got "
                         f"shape {counts.shape}")
    if not np.issubdtype(counts.dtype, np.number) or not np.all(np.isfinite(counts)) \
            or np.any(counts < 0):
        raise ValueError("counts must be finite non-negative numbers")
    V = counts.shape[0]
    n_nodes = 2 * V - 1
    parent = np.full(n_nodes, -1, dtype=np.int64)
    branch = np.zeros(n_nodes, dtype=np.int8)
    heap = [(float(c), node) for node, c in enumerate(counts)]
    heapq.heapify(heap)
    for inner in range(V - 1):
        c1, n1 = heapq.heappop(heap)
        c2, n2 = heapq.heappop(heap)
        parent[n1] = parent[n2] = inner
        branch[n1], branch[n2] = 0, 1
        heapq.heappush(heap, (c1 + c2, V + inner))
    codes, points = [], []
    for w in range(V):
        code, point = [], []
        node = w
        while parent[node] >= 0:
            code.append(branch[node])
            point.append(parent[node])
            node = V + parent[node]
        codes.append(np.array(code[::-1], dtype=np.int8))
        points.append(np.array(point[::-1], dtype=np.int64))
    return HuffmanTree(codes=codes, points=points, n_inner=V - 1,
                       counts=counts.astype(np.float64), parent=parent, branch=branch)


def huffman_arrays(tree):
    """The paths of a :class:`HuffmanTree` as arrays, for the compiled kernels.

    Returns
    -------
    points : numpy.ndarray of int32, shape (V, max code length)
        ``points[w, j]`` is the j-th inner node on word w's path (padded with 0).
    codes : numpy.ndarray of int8, same shape
        The branches taken (padded with 0).
    lengths : numpy.ndarray of int32, shape (V,)
        The length of each word's code.
    """
    if not isinstance(tree, HuffmanTree):
        raise ValueError(f"tree must be a HuffmanTree (from build_huffman), got "
                         f"{type(tree).__name__}")
    lengths = tree.code_lengths().astype(np.int32)
    width = int(lengths.max())
    points = np.zeros((len(tree.codes), width), dtype=np.int32)
    codes = np.zeros((len(tree.codes), width), dtype=np.int8)
    for w, (c, p) in enumerate(zip(tree.codes, tree.points)):
        points[w, :len(p)] = p
        codes[w, :len(c)] = c
    return points, codes, lengths


# --------------------------------------------------------------------------------------
# noise distribution, subsampling, dynamic window
# --------------------------------------------------------------------------------------

def _check_counts(counts, name="counts"):
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of word counts, got "
                         f"shape {counts.shape}")
    if not np.issubdtype(counts.dtype, np.number) or not np.all(np.isfinite(counts)) \
            or np.any(counts < 0):
        raise ValueError(f"{name} must be finite non-negative numbers")
    if counts.sum() <= 0:
        raise ValueError(f"{name} must not be all zero")
    return counts.astype(np.float64)


def noise_distribution(counts, power=0.75) -> np.ndarray:
    r"""The noise distribution of negative sampling, P_n(w) = U(w)^{power} / Z.

    With ``power=0.75`` (Mikolov et al. 2013b) rare words are drawn more often than
    their frequency, frequent ones less; ``power=1`` is the unigram distribution U,
    ``0`` uniform.
    """
    counts = _check_counts(counts)
    power = check_float(power, "power", low=0.0)
    weights = counts ** power
    return weights / weights.sum()


def sample_negatives(probs, size, rng=None) -> np.ndarray:
    """Draw noise words (with replacement) from the distribution ``probs``.

    Parameters
    ----------
    probs : array_like, shape (V,)
        Probabilities (e.g. from :func:`noise_distribution`).
    size : int or tuple of int
        Shape of the result, e.g. ``(n_contexts, k)``.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray of int64
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 1 or probs.size == 0 or np.any(probs < 0) \
            or not np.isclose(probs.sum(), 1.0):
        raise ValueError("probs must be a 1-D probability vector (non-negative, "
                         "summing to 1)")
    rng = check_random_state(rng, "rng")
    # inverse-CDF sampling: the same idea as the C code's unigram table, without
    # quantization
    cdf = np.cumsum(probs)
    cdf /= cdf[-1]
    u = rng.random(size)
    draws = np.searchsorted(cdf, u, side="right")
    return np.minimum(draws, probs.size - 1).astype(np.int64)


def alias_table(counts, power=0.75):
    """Walker's alias table of the noise distribution U^{power} (Vose's construction).

    Column i (chosen with probability 1/|V|) yields word i with probability ``prob[i]``
    and word ``alias[i]`` otherwise; every word then has exactly its noise probability.

    Returns
    -------
    prob : numpy.ndarray of float32, alias : numpy.ndarray of int32
    """
    p = noise_distribution(counts, power)
    n = p.size
    scaled = p * n
    prob = np.ones(n)
    alias = np.arange(n)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s_, l_ = small.pop(), large.pop()
        prob[s_], alias[s_] = scaled[s_], l_
        scaled[l_] -= 1.0 - scaled[s_]
        (small if scaled[l_] < 1.0 else large).append(l_)
    for i in small + large:          # numerically 1
        prob[i], alias[i] = 1.0, i
    return prob.astype(np.float32), alias.astype(np.int32)


def keep_probability(counts, sample) -> np.ndarray:
    r"""Probability of keeping each occurrence of a word: the C code's subsampling rule.

    With f the word's count, T the total number of tokens and t = ``sample``::

        p_keep = (sqrt(f / (t·T)) + 1) · (t·T) / f,   clipped to 1

    i.e. p_keep = √(t/φ) + t/φ with φ = f/T the word's frequency. Words with φ below
    about 2.6 t are always kept. ``sample=0`` keeps everything. Compare
    :func:`paper_keep_probability`, the rule of the paper.
    """
    counts = _check_counts(counts)
    sample = check_float(sample, "sample", low=0.0)
    if sample == 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    with np.errstate(divide="ignore"):
        p = (np.sqrt(counts / threshold) + 1.0) * threshold / counts
    return np.where(counts > 0, np.minimum(p, 1.0), 1.0)


def paper_keep_probability(counts, sample) -> np.ndarray:
    r"""The keep probability of Mikolov et al. (2013b): each occurrence of w is
    *discarded* with probability 1 − √(t/φ(w)), so p_keep = min(1, √(t·T/f)).
    ``sample=0`` keeps everything."""
    counts = _check_counts(counts)
    sample = check_float(sample, "sample", low=0.0)
    if sample == 0:
        return np.ones_like(counts)
    with np.errstate(divide="ignore"):
        p = np.sqrt(sample * counts.sum() / counts)
    return np.where(counts > 0, np.minimum(p, 1.0), 1.0)


def dynamic_window_weights(window) -> np.ndarray:
    """Expected weight of a context at distance ℓ = 1..L, word2vec's dynamic window.

    The C code draws, at every position, an effective window b uniformly from 1..L; a
    word at distance ℓ is used iff b ≥ ℓ, which happens with probability (L − ℓ + 1)/L.

    Returns
    -------
    numpy.ndarray, shape (L,)
        ``[1, (L−1)/L, ..., 1/L]``.
    """
    window = check_positive_int(window, "window")
    distances = np.arange(1, window + 1)
    return (window - distances + 1) / window
