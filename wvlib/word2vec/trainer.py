"""word2vec: skip-gram and CBOW; softmax, hierarchical softmax, negative sampling.

The module has two halves.

**NumPy reference** (float64, one example at a time, readable; chapters 6 and 7).
Notation as in the chapters: ``W_in`` (|V|×d) holds the input ("centre") vectors v,
``W_out`` the output ("context") vectors u; for hierarchical softmax ``W_out`` has |V|−1
rows, one per inner node of the Huffman tree. Every objective returns ``(loss,
gradients...)``:

* :func:`softmax_loss_and_grads` — the full softmax of Mikolov et al. (2013a);
* :func:`neg_sampling_loss_and_grads` — negative sampling (Mikolov et al. 2013b);
* :func:`hs_loss_and_grads` — hierarchical softmax over a Huffman tree (Morin & Bengio
  2005; Mikolov et al. 2013b), built by :func:`build_huffman`;
* :func:`skipgram_loss_and_grads`, :func:`cbow_loss_and_grads` — a whole window;
* :func:`noise_distribution`, :func:`sample_negatives`, :func:`keep_probability`,
  :func:`paper_keep_probability`, :func:`dynamic_window_weights` — the training details
  of the original C code;
* :func:`train_softmax_reference` — plain full-softmax SGD for small corpora.

**Compiled trainer** :class:`Word2Vec` (float32, numba, Hogwild threads), the same
algorithm as the original C code and gensim, fast enough for real corpora.
"""
from __future__ import annotations

import heapq
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from numba import prange

from .._jit import njit, set_threads
from ..methods import validates
from .._validate import check_choice, check_float, check_positive_int, check_random_state

__all__ = [
    "sigmoid", "log_sigmoid", "softmax_loss_and_grads", "neg_sampling_loss_and_grads",
    "hs_loss_and_grads", "skipgram_loss_and_grads", "cbow_loss_and_grads",
    "HuffmanTree",
    "build_huffman", "hs_probabilities", "noise_distribution", "sample_negatives",
    "keep_probability", "paper_keep_probability", "dynamic_window_weights",
    "train_softmax_reference", "SoftmaxModel", "Word2Vec",
]

OBJECTIVES = ("softmax", "neg", "hs")


# --------------------------------------------------------------------------------------
# small numerical helpers
# --------------------------------------------------------------------------------------

def sigmoid(x):
    """The logistic function σ(x) = 1 / (1 + e^{−x}), without overflow for large |x|.

    For x ≥ 0 it computes 1/(1 + e^{−x}); for x < 0 the equal form e^{x}/(1 + e^{x}), so
    that ``exp`` only ever sees non-positive arguments.

    Parameters
    ----------
    x : float or array_like

    Returns
    -------
    float or numpy.ndarray (float64)
    """
    x = np.asarray(x, dtype=np.float64)
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    return float(out) if out.ndim == 0 else out


def log_sigmoid(x):
    """log σ(x) = −log(1 + e^{−x}), computed stably with ``logaddexp``."""
    out = -np.logaddexp(0.0, -np.asarray(x, dtype=np.float64))
    return float(out) if np.ndim(out) == 0 else out


def _check_index(i, name, size):
    if isinstance(i, bool) or not isinstance(i, numbers.Integral):
        raise ValueError(f"{name} must be an integer word id, got {i!r}")
    if not 0 <= int(i) < size:
        raise ValueError(f"{name} must be a word id in [0, {size}), got {i}")
    return int(i)


def _check_indices(idx, name, size, *, ndim=1):
    arr = np.asarray(idx)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integer word ids, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array of word ids, got shape "
                         f"{arr.shape}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= size):
        raise ValueError(f"{name} must hold word ids in [0, {size}), got values in "
                         f"[{arr.min()}, {arr.max()}]")
    return arr


def _check_float_matrix(A, name):
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {A.shape}")
    return A


def _check_center_vector(v_c, W_out, name="v_c"):
    v_c = np.asarray(v_c, dtype=np.float64)
    if v_c.ndim != 1 or v_c.shape[0] != W_out.shape[1]:
        raise ValueError(f"{name} must be a vector of length d = {W_out.shape[1]} (the "
                         f"columns of W_out), got shape {v_c.shape}")
    return v_c


# --------------------------------------------------------------------------------------
# the three objectives for one (input vector, output word) example
# --------------------------------------------------------------------------------------

def softmax_loss_and_grads(v_c, o, W_out):
    r"""Cross-entropy of the full softmax, and its gradients.

    .. math::

        \hat y = \mathrm{softmax}(U v_c),\quad
        J = -\log \hat y_o = -u_o^\top v_c + \log \sum_w \exp(u_w^\top v_c),

        \frac{\partial J}{\partial v_c} = U^\top(\hat y - y),\qquad
        \frac{\partial J}{\partial U} = (\hat y - y)\, v_c^\top

    ("observed minus expected"), where y is the one-hot vector of ``o``.

    Parameters
    ----------
    v_c : array_like, shape (d,)
        Input vector of the centre word.
    o : int
        Id of the observed output word.
    W_out : array_like, shape (V, d)
        Output vectors u_w (rows).

    Returns
    -------
    loss : float
    grad_v_c : numpy.ndarray, shape (d,)
    grad_W_out : numpy.ndarray, shape (V, d)
    """
    W_out = _check_float_matrix(W_out, "W_out")
    v_c = _check_center_vector(v_c, W_out)
    o = _check_index(o, "o", W_out.shape[0])
    scores = W_out @ v_c
    top = scores.max()
    log_z = top + np.log(np.exp(scores - top).sum())
    y_hat = np.exp(scores - log_z)
    loss = float(log_z - scores[o])
    delta = y_hat
    delta[o] -= 1.0
    return loss, W_out.T @ delta, np.outer(delta, v_c)


def neg_sampling_loss_and_grads(v_c, o, negatives, W_out):
    r"""Negative-sampling loss of one positive pair and k noise words; its gradients.

    .. math::

        J = -\log\sigma(u_o^\top v_c) - \sum_{k=1}^{K} \log\sigma(-u_{w_k}^\top v_c),

        \frac{\partial J}{\partial v_c} = (\sigma(u_o^\top v_c) - 1)\,u_o
            + \sum_k \sigma(u_{w_k}^\top v_c)\, u_{w_k},

        \frac{\partial J}{\partial u_o} \mathrel{+}= (\sigma(u_o^\top v_c) -
        1)\,v_c,\qquad \frac{\partial J}{\partial u_{w_k}} \mathrel{+}=
        \sigma(u_{w_k}^\top v_c)\,v_c.

    A noise word drawn twice counts twice, and the gradient rows of repeated words (or
    of a noise word equal to ``o``) are accumulated.

    Parameters
    ----------
    v_c : array_like, shape (d,)
    o : int
        Observed output word.
    negatives : array_like of int, shape (K,)
        Noise words w_1..w_K.
    W_out : array_like, shape (V, d)

    Returns
    -------
    loss : float
    grad_v_c : numpy.ndarray, shape (d,)
    grad_W_out : numpy.ndarray, shape (V, d)
        Non-zero only in the rows of ``o`` and of the noise words.
    """
    W_out = _check_float_matrix(W_out, "W_out")
    v_c = _check_center_vector(v_c, W_out)
    o = _check_index(o, "o", W_out.shape[0])
    negatives = _check_indices(negatives, "negatives", W_out.shape[0])
    rows = np.concatenate([[o], negatives])
    labels = np.zeros(rows.shape[0])
    labels[0] = 1.0
    scores = W_out[rows] @ v_c
    signs = 2.0 * labels - 1.0                 # +1 for the observed word, −1 for noise
    loss = float(-log_sigmoid(signs * scores).sum())
    g = sigmoid(scores) - labels        # dJ/dscore: σ(s) − 1 for o, σ(s) for noise
    grad_v_c = W_out[rows].T @ g
    grad_W_out = np.zeros_like(W_out)
    np.add.at(grad_W_out, rows, np.outer(g, v_c))   # few rows: add.at is fine here
    return loss, grad_v_c, grad_W_out


def hs_loss_and_grads(v_c, points, codes, W_out):
    r"""Hierarchical-softmax loss of one output word (its path in the tree); gradients.

    .. math::

        P(w \mid c) = \prod_j \sigma\big((1 - 2\,\mathrm{code}_j)\; u_{n_j}^\top
        v_c\big), \qquad J = -\log P(w\mid c),

    where n_j = ``points[j]`` are the inner nodes on the path from the root and code_j ∈
    {0, 1} the branch taken there (code 0 gives σ(+x), as in the C code whose label is 1
    − code). With s_j = 1 − 2 code_j and x_j = u_{n_j}ᵀv_c: ∂J/∂x_j = −s_j σ(−s_j x_j),
    so ∂J/∂v_c = Σ_j (∂J/∂x_j) u_{n_j} and ∂J/∂u_{n_j} = (∂J/∂x_j) v_c.

    Parameters
    ----------
    v_c : array_like, shape (d,)
    points : array_like of int, shape (L,)
        Inner-node ids on the word's path, root first.
    codes : array_like of {0, 1}, shape (L,)
    W_out : array_like, shape (V - 1, d)
        One row per inner node.

    Returns
    -------
    loss : float
    grad_v_c : numpy.ndarray, shape (d,)
    grad_W_out : numpy.ndarray, shape (V - 1, d)
    """
    W_out = _check_float_matrix(W_out, "W_out")
    v_c = _check_center_vector(v_c, W_out)
    points = _check_indices(points, "points", W_out.shape[0])
    codes = np.asarray(codes)
    if codes.shape != points.shape or (codes.size and not np.isin(codes, (0, 1)).all()):
        raise ValueError(f"codes must be 0/1 values, one per point "
                         f"({points.shape[0]}), got {codes!r}")
    signs = 1.0 - 2.0 * codes.astype(np.float64)
    x = W_out[points] @ v_c
    loss = float(-log_sigmoid(signs * x).sum())
    g = -signs * sigmoid(-signs * x)
    grad_v_c = W_out[points].T @ g
    grad_W_out = np.zeros_like(W_out)
    np.add.at(grad_W_out, points, np.outer(g, v_c))
    return loss, grad_v_c, grad_W_out


def _objective(v, target, W_out, objective, negatives_row, tree):
    if objective == "softmax":
        return softmax_loss_and_grads(v, target, W_out)
    if objective == "neg":
        return neg_sampling_loss_and_grads(v, target, negatives_row, W_out)
    return hs_loss_and_grads(v, tree.points[target], tree.codes[target], W_out)


def _check_window_args(objective, negatives, tree, n_targets, W_in, W_out):
    objective = check_choice(objective, "objective", OBJECTIVES)
    W_in = _check_float_matrix(W_in, "W_in")
    W_out = _check_float_matrix(W_out, "W_out")
    if W_in.shape[1] != W_out.shape[1]:
        raise ValueError(f"W_in and W_out must have the same number of columns, got "
                         f"{W_in.shape} and {W_out.shape}")
    if objective == "neg":
        if negatives is None:
            raise ValueError("negatives is required for objective='neg': an array of "
                             "shape (number of targets, k)")
        negatives = _check_indices(negatives, "negatives", W_out.shape[0], ndim=2)
        if negatives.shape[0] != n_targets:
            raise ValueError(f"negatives must have one row per target ({n_targets}), "
                             f"got shape {negatives.shape}")
    if objective == "hs":
        if not isinstance(tree, HuffmanTree):
            raise ValueError("tree must be a HuffmanTree (from build_huffman) for "
                             f"objective='hs', got {type(tree).__name__}")
        if W_out.shape[0] != tree.n_inner or W_in.shape[0] != tree.n_inner + 1:
            raise ValueError(f"for objective='hs' W_out must have one row per inner "
                             f"node ({tree.n_inner}) and W_in one per word "
                             f"({tree.n_inner + 1}), got {W_out.shape[0]} and "
                             f"{W_in.shape[0]}")
    elif W_in.shape[0] != W_out.shape[0]:
        raise ValueError(f"W_in and W_out must have the same number of rows, got "
                         f"{W_in.shape} and {W_out.shape}")
    return objective, negatives, W_in, W_out


def skipgram_loss_and_grads(center, contexts, W_in, W_out, objective="softmax",
                            negatives=None, tree=None):
    r"""Skip-gram loss of one window: the centre word predicts each context word.

    .. math::

        J = \sum_{o \in \text{contexts}} J_{\text{objective}}(v_{\text{center}}, o)

    Parameters
    ----------
    center : int
        Centre word id.
    contexts : array_like of int, shape (m,)
        The context words of the window.
    W_in : array_like, shape (V, d)
    W_out : array_like, shape (V, d), or (V − 1, d) for ``objective="hs"``
    objective : {"softmax", "neg", "hs"}
    negatives : array_like of int, shape (m, k), required for ``"neg"``
        Row i holds the noise words of context i.
    tree : HuffmanTree, required for ``"hs"``

    Returns
    -------
    loss : float
    grad_W_in : numpy.ndarray, shape (V, d)
        Non-zero only in the centre word's row.
    grad_W_out : numpy.ndarray, same shape as ``W_out``
    """
    contexts_arr = np.asarray(contexts)
    objective, negatives, W_in, W_out = _check_window_args(
        objective, negatives, tree, contexts_arr.shape[0] if contexts_arr.ndim else 0,
        W_in, W_out)
    center = _check_index(center, "center", W_in.shape[0])
    contexts = _check_indices(contexts, "contexts", W_in.shape[0])
    v = W_in[center]
    grad_W_in = np.zeros_like(W_in)
    grad_W_out = np.zeros_like(W_out)
    loss = 0.0
    if objective == "softmax" and contexts.size:
        # one softmax serves every context word of the window: ŷ is the same for all of
        # them
        scores = W_out @ v
        top = scores.max()
        log_z = top + np.log(np.exp(scores - top).sum())
        y_hat = np.exp(scores - log_z)
        loss = float(contexts.size * log_z - scores[contexts].sum())
        delta = contexts.size * y_hat - np.bincount(contexts, minlength=W_out.shape[0])
        grad_W_in[center] = W_out.T @ delta
        grad_W_out = np.outer(delta, v)
        return loss, grad_W_in, grad_W_out
    for i, o in enumerate(contexts):
        row = negatives[i] if objective == "neg" else None
        l_i, g_v, g_out = _objective(v, int(o), W_out, objective, row, tree)
        loss += l_i
        grad_W_in[center] += g_v
        grad_W_out += g_out
    return loss, grad_W_in, grad_W_out


def cbow_loss_and_grads(contexts, center, W_in, W_out, objective="softmax",
                        negatives=None, tree=None):
    r"""CBOW loss of one window: the mean context vector predicts the centre word.

    .. math::

        h = \frac{1}{m}\sum_{i=1}^{m} v_{c_i},\qquad J = J_{\text{objective}}(h,
        \text{center}), \qquad \frac{\partial J}{\partial v_{c_i}} =
        \frac{1}{m}\frac{\partial J}{\partial h}

    (a context word that occurs twice in the window receives the share twice). This is
    the true gradient. Note that the C code (and gensim, with ``cbow_mean=1``) adds the
    *whole* ∂J/∂h to every context row, a step m times larger on the input vectors;
    :class:`Word2Vec` does the same as they do.

    Parameters
    ----------
    contexts : array_like of int, shape (m,), m ≥ 1
    center : int
    W_in, W_out, objective, tree
        As in :func:`skipgram_loss_and_grads`.
    negatives : array_like of int, shape (1, k), required for ``"neg"``
        The noise words of the single prediction (a 1-D array of length k is accepted
        too).

    Returns
    -------
    loss : float
    grad_W_in : numpy.ndarray, shape (V, d)
        Non-zero only in the context rows.
    grad_W_out : numpy.ndarray, same shape as ``W_out``
    """
    if negatives is not None and np.ndim(negatives) == 1:
        negatives = np.asarray(negatives)[None, :]
    objective, negatives, W_in, W_out = _check_window_args(
        objective, negatives, tree, 1, W_in, W_out)
    contexts = _check_indices(contexts, "contexts", W_in.shape[0])
    if contexts.size == 0:
        raise ValueError("contexts must hold at least one word id for CBOW")
    center = _check_index(center, "center", W_in.shape[0])
    h = W_in[contexts].mean(axis=0)
    row = negatives[0] if objective == "neg" else None
    loss, g_h, grad_W_out = _objective(h, center, W_out, objective, row, tree)
    grad_W_in = np.zeros_like(W_in)
    np.add.at(grad_W_in, contexts, np.broadcast_to(g_h / contexts.size,
                                                   (contexts.size, g_h.size)))
    return loss, grad_W_in, grad_W_out


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


def hs_probabilities(v_c, tree, W_out) -> np.ndarray:
    """P(w | c) of hierarchical softmax for every word w (:func:`hs_loss_and_grads`).

    The probabilities sum to 1 for any ``v_c`` and ``W_out``: at every inner node the
    two branches share its probability as σ(x) + σ(−x) = 1.

    Returns
    -------
    numpy.ndarray, shape (V,)
    """
    if not isinstance(tree, HuffmanTree):
        raise ValueError(f"tree must be a HuffmanTree, got {type(tree).__name__}")
    W_out = _check_float_matrix(W_out, "W_out")
    if W_out.shape[0] != tree.n_inner:
        raise ValueError(f"W_out must have one row per inner node ({tree.n_inner}), "
                         f"got {W_out.shape[0]}")
    v_c = _check_center_vector(v_c, W_out)
    x = W_out @ v_c
    logp = np.array([log_sigmoid((1.0 - 2.0 * c) * x[p]).sum()
                     for c, p in zip(tree.codes, tree.points)])
    return np.exp(logp)


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


# --------------------------------------------------------------------------------------
# full-softmax SGD for small corpora (chapter 6)
# --------------------------------------------------------------------------------------

@dataclass
class SoftmaxModel:
    """Result of :func:`train_softmax_reference`."""

    W_in: np.ndarray
    W_out: np.ndarray
    loss_history: list
    vocab: object
    model: str

    @property
    def wv(self):
        """The input vectors as :class:`wvlib.vectors.KeyedVectors`."""
        from ..vectors import KeyedVectors
        return KeyedVectors(list(self.vocab.words), self.W_in)


def _encode_corpus(corpus, vocab):
    from ..corpus import Vocabulary, as_documents
    documents = as_documents(corpus, "corpus")
    if not any(len(doc) for doc in documents):
        raise ValueError("corpus is empty: pass at least one non-empty document")
    if vocab is None:
        vocab = Vocabulary.build(documents, min_count=1)
    elif not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a wvlib.corpus.Vocabulary or None, got "
                        f"{type(vocab).__name__}")
    encoded = [ids.astype(np.int64) for ids in vocab.encode_documents(documents)]
    if not any(len(ids) for ids in encoded):
        raise ValueError("corpus has no token in the vocabulary")
    return vocab, encoded


def _check_vocab_vs(vocab_size, window=None, negative=None):
    if window is not None and vocab_size <= window:
        raise ValueError(f"window={window} is not smaller than the vocabulary "
                         f"({vocab_size} words): use a smaller window or a larger "
                         f"corpus / lower min_count")
    if negative is not None and vocab_size <= negative:
        raise ValueError(f"negative={negative} is not smaller than the vocabulary "
                         f"({vocab_size} words): use fewer negatives or a larger "
                         f"vocabulary")


def train_softmax_reference(corpus, vocab=None, *, dim=10, window=2, epochs=5, lr=0.05,
                            seed=0, model="skipgram"):
    """Train skip-gram or CBOW with the full softmax by plain SGD, one window at a time.

    Meant for small corpora (``toy``, ``lee``): every step costs O(|V|·d). No
    subsampling and a fixed window, so that the objective is exactly the sum over
    windows of :func:`skipgram_loss_and_grads` / :func:`cbow_loss_and_grads` with
    ``objective="softmax"``. Input vectors start uniform in [−0.5/d, 0.5/d], output
    vectors at zero (as in the C code).

    Parameters
    ----------
    corpus : Corpus or list of list of str
    vocab : Vocabulary, optional
        Built from the corpus with ``min_count=1`` if not given; other tokens are
        dropped.
    dim, window, epochs : int
    lr : float
        Constant learning rate.
    seed : int
    model : {"skipgram", "cbow"}

    Returns
    -------
    SoftmaxModel
        ``W_in``, ``W_out`` (float64), ``loss_history`` (mean loss per predicted word,
        one value per epoch; skip-gram predicts every context word, CBOW every centre
        word), ``vocab``, ``wv``.
    """
    model = check_choice(model, "model", ("skipgram", "cbow"))
    dim = check_positive_int(dim, "dim")
    window = check_positive_int(window, "window")
    epochs = check_positive_int(epochs, "epochs")
    lr = check_float(lr, "lr", low=0.0, low_open=True)
    rng = check_random_state(seed)
    vocab, encoded = _encode_corpus(corpus, vocab)
    V = len(vocab)
    _check_vocab_vs(V, window=window)
    W_in = (rng.random((V, dim)) - 0.5) / dim
    W_out = np.zeros((V, dim))
    history = []
    for _ in range(epochs):
        total, n_pred = 0.0, 0
        for ids in encoded:
            n = len(ids)
            for pos in range(n):
                lo, hi = max(0, pos - window), min(n, pos + window + 1)
                contexts = np.concatenate([ids[lo:pos], ids[pos + 1:hi]])
                if contexts.size == 0:
                    continue
                if model == "skipgram":
                    loss, g_in, g_out = skipgram_loss_and_grads(ids[pos], contexts,
                                                                W_in, W_out)
                    n_pred += contexts.size
                else:
                    loss, g_in, g_out = cbow_loss_and_grads(contexts, ids[pos],
                                                            W_in, W_out)
                    n_pred += 1
                total += loss
                W_in -= lr * g_in
                W_out -= lr * g_out
        history.append(total / max(n_pred, 1))
    return SoftmaxModel(W_in=W_in, W_out=W_out, loss_history=history, vocab=vocab,
                        model=model)


# ======================================================================================
# The compiled trainer
# ======================================================================================
#
# The kernel follows the original C code (and gensim) step by step:
#
# * skip-gram: for every position and every context word c inside the (dynamic) window,
#   the *input* vector of c is the one updated, and the centre word is the target (the C
#   code's ``l1 = last_word``); summed over a corpus this is the same set of (input,
#   output) pairs as "the centre predicts its contexts";
# * CBOW: h = mean of the context input vectors; the error ∂J/∂h (times −α) is added
#   *whole* to every context row, as the C code and gensim (``cbow_mean=1``) do;
# * subsampling with the C rule (:func:`keep_probability`), drawn anew in every epoch;
# * negative sampling from U^{3/4} with Walker's alias method (Walker 1977; Vose 1991):
#   two arrays of |V| entries, O(1) per draw and exact. The C code's unigram table (10^8
#   entries, 400 MB, quantized) and gensim's binary search in a cumulative table
#   (log2|V| unpredictable branches per draw: 40% of our skip-gram time when we used it)
#   are slower; a noise word equal to the target is skipped, as in the C code;
# * α decays linearly from ``alpha`` to ``min_alpha`` over all epochs;
# * random numbers: a linear congruential generator per thread, next = next·25214903917
#   + 11 (mod 2^64), as in the C code; we use its high bits (its low bits have short
#   periods).
#
# Sigmoid: read from a table with linear interpolation (8193 points over [−16, 16], 64
# kB with the loss table): σ to 2e-7 and the loss −log σ to 2e-6, so the compiled update
# still equals the float64 reference to float32 precision (tested). The C code and
# gensim use a 1000-entry table over [−6, 6] without interpolation (σ off by up to 3e-3)
# and skip or saturate outside it. Computing ``exp`` and ``log1p`` directly was exact
# too but cost 20% of the CBOW time and 25% of the skip-gram time in our measurements.

MAX_EXP = 16.0                    # σ is 1 − 1e-7 there
SIGMOID_TABLE_SIZE = 8192         # table step 0.004
MAX_SENTENCE_LENGTH = 10_000      # longer documents are cut into pieces, as gensim does
_JOB_WORDS = 1_000_000            # words per kernel call (progress bar granularity)
_LCG_MUL = np.uint64(25214903917)
_LCG_ADD = np.uint64(11)

_SHIFT32 = np.uint64(32)
_SHIFT40 = np.uint64(40)
_INV24 = np.float32(1.0 / 16777216.0)
_LIMIT = np.float32(MAX_EXP)


def _tables(n=SIGMOID_TABLE_SIZE, limit=MAX_EXP):
    """σ(x) and softplus(−x) = −log σ(x) at n + 1 points spanning [−limit, limit]."""
    x = np.linspace(-limit, limit, n + 1)
    return (sigmoid(x).astype(np.float32), (-log_sigmoid(x)).astype(np.float32))


_SIGMOID, _NEG_LOG_SIGMOID = _tables()
_TABLE_SCALE = np.float32(SIGMOID_TABLE_SIZE / (2 * MAX_EXP))
_TABLE_LAST = SIGMOID_TABLE_SIZE - 1


@njit
def _sigmoid_and_loss(f):
    """σ(f) and −log σ(f), interpolated linearly in the tables (errors < 2e-7, 2e-6)."""
    fc = min(max(f, -_LIMIT), _LIMIT)
    x = (fc + _LIMIT) * _TABLE_SCALE
    i = min(np.int64(x), _TABLE_LAST)
    t = x - np.float32(i)
    s = _SIGMOID[i] + t * (_SIGMOID[i + 1] - _SIGMOID[i])
    loss = _NEG_LOG_SIGMOID[i] + t * (_NEG_LOG_SIGMOID[i + 1] - _NEG_LOG_SIGMOID[i])
    return s, loss + max(_ZERO, fc - f)      # −log σ(f) ≈ −f below −MAX_EXP
_ONE = np.float32(1.0)
_ZERO = np.float32(0.0)


@njit
def _lcg(state):
    return state * _LCG_MUL + _LCG_ADD


@njit
def _uniform(state):
    """A float32 in [0, 1) from the top 24 bits of the generator's state."""
    return np.float32(state >> _SHIFT40) * _INV24


@njit
def _below(state, n):
    """An integer in [0, n) from the top 32 bits of the state (a multiply and a shift,
    no division; Lemire 2019)."""
    return np.int64(((state >> _SHIFT32) * np.uint64(n)) >> _SHIFT32)


@njit
def _draw_negative(alias_prob, alias_word, state):
    """One draw from the noise distribution by the alias method: pick a column
    uniformly, keep it with its probability, else take its alias. Returns (word, new
    state)."""
    state = _lcg(state)
    column = _below(state, alias_prob.shape[0])
    state = _lcg(state)
    if _uniform(state) < alias_prob[column]:
        return column, state
    return np.int64(alias_word[column]), state


@njit
def _draw_negatives(alias_prob, alias_word, seed, n):
    """n noise words drawn by the kernel's own generator and sampler (for tests)."""
    out = np.empty(n, dtype=np.int64)
    state = np.uint64(seed)
    for i in range(n):
        out[i], state = _draw_negative(alias_prob, alias_word, state)
    return out


@njit
def _neg_step(H, r, W_out, target, negs, alpha, neu1e):
    """Negative sampling for input vector h = H[r] and output word target: update the
    output rows, accumulate −α·∂J/∂h into neu1e; return the loss. (Rows are addressed by
    index, not by slicing: a view would touch the shared array's reference count, an
    atomic operation that the threads would fight over; views halved CBOW's speed.)

    The output rows are updated one after the other, as in the C code: with distinct
    noise words this is exactly one SGD step on :func:`neg_sampling_loss_and_grads`; a
    noise word
    drawn twice sees its own first update the second time."""
    dim = H.shape[1]
    loss = _ZERO
    for d in range(negs.shape[0] + 1):
        if d == 0:
            t = target
            label = _ONE
        else:
            t = negs[d - 1]
            if t == target:
                continue
            label = _ZERO
        f = _ZERO
        for j in range(dim):
            f += H[r, j] * W_out[t, j]
        s, neg_log_s = _sigmoid_and_loss(f)
        g = (label - s) * alpha
        # −log σ(−f) = −log σ(f) + f
        loss += neg_log_s + (_ZERO if d == 0 else f)
        for j in range(dim):
            neu1e[j] += g * W_out[t, j]
        for j in range(dim):
            W_out[t, j] += g * H[r, j]
    return loss


@njit
def _hs_step(H, r, W_out, points, codes, code_len, word, alpha, neu1e):
    """Hierarchical softmax of ``word`` along its path, input h = H[r] (label 1 − code,
    as in the C code)."""
    dim = H.shape[1]
    loss = _ZERO
    for d in range(code_len[word]):
        n = points[word, d]
        code = codes[word, d]
        f = _ZERO
        for j in range(dim):
            f += H[r, j] * W_out[n, j]
        s, neg_log_s = _sigmoid_and_loss(f)
        g = (_ONE - np.float32(code) - s) * alpha
        loss += neg_log_s + (_ZERO if code == 0 else f)
        for j in range(dim):
            neu1e[j] += g * W_out[n, j]
        for j in range(dim):
            W_out[n, j] += g * H[r, j]
    return loss


@njit
def _sg_pair(W_in, W_neg, W_hs, inp, target, negs, points, codes, code_len, use_hs,
             use_neg, alpha, neu1e):
    """One skip-gram SGD step: the input vector of ``inp`` predicts ``target``."""
    dim = W_in.shape[1]
    for j in range(dim):
        neu1e[j] = _ZERO
    loss = _ZERO
    if use_hs:
        loss += _hs_step(W_in, inp, W_hs, points, codes, code_len, target, alpha, neu1e)
    if use_neg:
        loss += _neg_step(W_in, inp, W_neg, target, negs, alpha, neu1e)
    for j in range(dim):
        W_in[inp, j] += neu1e[j]
    return loss


@njit
def _cbow_step(W_in, W_neg, W_hs, ctx, n_ctx, target, negs, points, codes, code_len,
               use_hs, use_neg, alpha, neu1, neu1e):
    """One CBOW SGD step: the mean of the n_ctx context vectors predicts ``target``.
    ``neu1`` is a (1, d) work array for that mean."""
    dim = W_in.shape[1]
    for j in range(dim):
        neu1[0, j] = _ZERO
        neu1e[j] = _ZERO
    for i in range(n_ctx):
        c = ctx[i]
        for j in range(dim):
            neu1[0, j] += W_in[c, j]
    inv = _ONE / np.float32(n_ctx)
    for j in range(dim):
        neu1[0, j] *= inv
    loss = _ZERO
    if use_hs:
        loss += _hs_step(neu1, 0, W_hs, points, codes, code_len, target, alpha, neu1e)
    if use_neg:
        loss += _neg_step(neu1, 0, W_neg, target, negs, alpha, neu1e)
    for i in range(n_ctx):
        c = ctx[i]
        for j in range(dim):
            W_in[c, j] += neu1e[j]
    return loss


@njit
def _subsample(tokens, start, stop, keep, state, out):
    """Copy tokens[start:stop] into out, dropping each word w with prob. 1 − keep[w]."""
    n = 0
    for i in range(start, stop):
        w = tokens[i]
        if keep[w] < _ONE:
            state = _lcg(state)
            if _uniform(state) >= keep[w]:
                continue
        out[n] = w
        n += 1
    return n, state


@njit(parallel=True)
def _train_job(tokens, starts, part_bounds, W_in, W_neg, W_hs, keep, alias_prob,
               alias_word, points,
              codes, code_len, sg, use_hs, negative, window, alpha0, min_alpha,
              words_before, total_words, seeds, losses, predictions):
    """Hogwild SGD over sentences: part p (one per thread) trains on the sentences
    part_bounds[p] .. part_bounds[p + 1] − 1, all parts at once on shared matrices."""
    n_parts = part_bounds.shape[0] - 1
    dim = W_in.shape[1]
    for p in prange(n_parts):
        state = seeds[p]
        longest = 1
        for s in range(part_bounds[p], part_bounds[p + 1]):
            longest = max(longest, starts[s + 1] - starts[s])
        sen = np.empty(longest, dtype=np.int32)
        neu1 = np.zeros((1, dim), dtype=np.float32)
        neu1e = np.zeros(dim, dtype=np.float32)
        negs = np.empty(negative, dtype=np.int64)
        ctx = np.empty(2 * window, dtype=np.int64)
        loss = 0.0
        n_pred = 0
        done = 0
        for s in range(part_bounds[p], part_bounds[p + 1]):
            progress = min(1.0, (words_before + done * n_parts) / total_words)
            alpha = np.float32(max(min_alpha, alpha0 - (alpha0 - min_alpha) * progress))
            n, state = _subsample(tokens, starts[s], starts[s + 1], keep, state, sen)
            done += starts[s + 1] - starts[s]
            for pos in range(n):
                word = sen[pos]
                state = _lcg(state)
                b = _below(state, window)
                lo = max(0, pos - window + b)
                hi = min(n, pos + window - b + 1)
                if sg:
                    for c in range(lo, hi):
                        if c == pos:
                            continue
                        for k in range(negative):
                            negs[k], state = _draw_negative(alias_prob, alias_word,
                                                            state)
                        loss += _sg_pair(W_in, W_neg, W_hs, sen[c], word, negs, points,
                                        codes, code_len, use_hs, negative > 0, alpha,
                                        neu1e)
                        n_pred += 1
                else:
                    m = 0
                    for c in range(lo, hi):
                        if c != pos:
                            ctx[m] = sen[c]
                            m += 1
                    if m == 0:
                        continue
                    for k in range(negative):
                        negs[k], state = _draw_negative(alias_prob, alias_word, state)
                    loss += _cbow_step(W_in, W_neg, W_hs, ctx, m, word, negs, points,
                                      codes, code_len, use_hs, negative > 0, alpha,
                                      neu1, neu1e)
                    n_pred += 1
        losses[p] = loss
        predictions[p] = n_pred
        seeds[p] = state



# --------------------------------------------------------------------------------------
# the trainer
# --------------------------------------------------------------------------------------

def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _alias_table(counts, power=0.75):
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


def _huffman_arrays(tree):
    """The tree's points and codes as padded 2-D arrays plus the code lengths."""
    lengths = tree.code_lengths().astype(np.int32)
    width = int(lengths.max())
    points = np.zeros((len(tree.codes), width), dtype=np.int32)
    codes = np.zeros((len(tree.codes), width), dtype=np.int8)
    for w, (c, p) in enumerate(zip(tree.codes, tree.points)):
        points[w, :len(p)] = p
        codes[w, :len(c)] = c
    return points, codes, lengths


def _split_by_words(word_starts, lo, hi, n):
    """Split sentences lo..hi−1 into n consecutive runs of about equal numbers of words;
    return the n + 1 boundaries."""
    span = word_starts[hi] - word_starts[lo]
    targets = word_starts[lo] + span * np.arange(1, n) / n
    inner = np.searchsorted(word_starts[lo:hi + 1], targets) + lo
    return np.concatenate([[lo], np.clip(inner, lo, hi), [hi]]).astype(np.int64)


class Word2Vec:
    """word2vec (skip-gram or CBOW; negative sampling and/or hierarchical softmax),
    trained by Hogwild SGD in compiled float32 code, following the original C code.

    Parameters
    ----------
    sg : bool, default True
        Skip-gram (True) or CBOW (False).
    hs : bool, default False
        Hierarchical softmax over a Huffman tree of the word counts.
    negative : int, default 5
        Number of noise words per prediction (0: no negative sampling; then ``hs`` must
        be on).
    dim : int, default 100
    window : int, default 5
        Maximum distance; at each position the C code's dynamic window draws the actual
        one uniformly from 1..window (see :func:`dynamic_window_weights`).
    min_count : int, default 5
        Words seen fewer times are dropped before training.
    sample : float, default 1e-3
        Subsampling threshold t of :func:`keep_probability` (0: no subsampling).
    alpha : float, optional
        Initial learning rate; 0.025 for skip-gram, 0.05 for CBOW (the C code's
        defaults).
    min_alpha : float, default 1e-4
        α decays linearly to this value over all epochs.
    epochs : int, default 5
    seed : int, default 0
        Seeds the initial vectors and every thread's random number generator. With
        ``threads=1`` training is deterministic.
    threads : int, default 2
        Threads updating the shared matrices without locks (Hogwild; Recht et al. 2011).
    keep_context : bool, default False
        Keep the output ("context") vectors ``W_out`` after training.

    Attributes
    ----------
    wv : wvlib.vectors.KeyedVectors
        Set by :meth:`fit`, as all attributes below: the input vectors W_in, one per
        vocabulary word.
    W_in : numpy.ndarray (float32, |V|×d), read-only: the same array as ``wv.vectors``
    W_out : numpy.ndarray (float32) or None
        syn1neg (|V|×d) with negative sampling, else syn1 (|V|−1 × d) of hierarchical
        softmax; ``None`` unless ``keep_context``. With both objectives, ``W_out_hs``
        holds syn1.
    vocab : wvlib.corpus.Vocabulary
    tree : HuffmanTree or None
    loss_history : list of float
        Mean loss per prediction (per (input, target) pair) in each epoch.
    words_per_second, train_seconds : float
        Corpus words (before subsampling) processed per second of training; training
        time, without building the vocabulary and without compiling.
    compile_seconds : float
        Time to compile or load the kernel (only the first fit in a process pays it).

    Examples
    --------
    >>> from wvlib.corpus import load_corpus
    >>> model = Word2Vec(dim=50, threads=1).fit(load_corpus("lee"))  # doctest: +SKIP
    >>> model.wv.most_similar("police", topn=3)                      # doctest: +SKIP
    """

    def __init__(self, sg=True, hs=False, negative=5, dim=100, window=5, min_count=5,
                 sample=1e-3, alpha=None, min_alpha=1e-4, epochs=5, seed=0, threads=2,
                 keep_context=False):
        self.sg = sg
        self.hs = hs
        self.negative = negative
        self.dim = dim
        self.window = window
        self.min_count = min_count
        self.sample = sample
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.epochs = epochs
        self.seed = seed
        self.threads = threads
        self.keep_context = keep_context

    def _checked_params(self):
        sg = _check_bool(self.sg, "sg")
        hs = _check_bool(self.hs, "hs")
        negative = check_positive_int(self.negative, "negative", allow_zero=True)
        if not hs and negative == 0:
            raise ValueError("hs=False and negative=0 leave no objective: set hs=True "
                             "or negative to a positive number of noise words")
        alpha = (0.025 if sg else 0.05) if self.alpha is None else self.alpha
        alpha = check_float(alpha, "alpha", low=0.0, low_open=True)
        min_alpha = check_float(self.min_alpha, "min_alpha", low=0.0)
        if min_alpha > alpha:
            raise ValueError(f"min_alpha must be at most alpha ({alpha}), got "
                             f"{min_alpha}")
        seed = self.seed
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        return dict(sg=sg, hs=hs, negative=negative, alpha=alpha, min_alpha=min_alpha,
                    dim=check_positive_int(self.dim, "dim"),
                    window=check_positive_int(self.window, "window"),
                    min_count=check_positive_int(self.min_count, "min_count"),
                    sample=check_float(self.sample, "sample", low=0.0),
                    epochs=check_positive_int(self.epochs, "epochs"),
                    seed=int(seed), threads=check_positive_int(self.threads, "threads"),
                    keep_context=_check_bool(self.keep_context, "keep_context"))

    def fit(self, corpus, verbose=None):
        """Build the vocabulary of ``corpus`` and train.

        Parameters
        ----------
        corpus : wvlib.corpus.Corpus or list of list of str
        verbose : bool, optional
            Progress bar with words/s and the running loss (default: when stderr is a
            terminal; see :mod:`wvlib.progress`).

        Returns
        -------
        self
        """
        from ..corpus import Vocabulary, as_documents
        from ..progress import progress
        from ..vectors import KeyedVectors

        prm = self._checked_params()
        documents = as_documents(corpus, "corpus")
        if not any(len(doc) for doc in documents):
            raise ValueError("corpus is empty: pass at least one non-empty document")
        vocab = Vocabulary.build(documents, min_count=prm["min_count"])
        V, dim = len(vocab), prm["dim"]
        _check_vocab_vs(V, window=prm["window"], negative=prm["negative"] or None)

        tokens, word_starts = self._encode(vocab, documents)
        n_words = int(word_starts[-1])
        if n_words == 0:
            raise ValueError("corpus has no token in the vocabulary")
        keep = keep_probability(vocab.counts, prm["sample"]).astype(np.float32)
        alias_prob, alias_word = _alias_table(vocab.counts)
        tree = build_huffman(vocab.counts) if prm["hs"] else None
        if tree is not None:
            points, codes, code_len = _huffman_arrays(tree)
        else:
            points = np.zeros((1, 1), np.int32)
            codes = np.zeros((1, 1), np.int8)
            code_len = np.zeros(1, np.int32)

        rng = np.random.default_rng(prm["seed"])
        W_in = ((rng.random((V, dim), dtype=np.float32) - np.float32(0.5))
                / np.float32(dim))
        W_neg = np.zeros((V if prm["negative"] else 1, dim), dtype=np.float32)
        W_hs = np.zeros((V - 1 if prm["hs"] else 1, dim), dtype=np.float32)
        threads = set_threads(prm["threads"])

        # jobs of about _JOB_WORDS words, each cut into one part per thread
        n_sent = len(word_starts) - 1
        n_jobs = max(1, min(n_sent, int(np.ceil(n_words / _JOB_WORDS))))
        job_bounds = _split_by_words(word_starts, 0, n_sent, n_jobs)
        parts = [_split_by_words(word_starts, job_bounds[j], job_bounds[j + 1], threads)
                 for j in range(n_jobs)]
        seeds = rng.integers(1, 2 ** 63, size=(prm["epochs"], n_jobs, threads),
                             dtype=np.int64).astype(np.uint64)

        start = time.perf_counter()
        _warm_up(dim)
        self.compile_seconds = time.perf_counter() - start

        total = n_words * prm["epochs"]
        history = []
        bar = progress(total=total, desc="word2vec " + ("sg" if prm["sg"] else "cbow"),
                       unit="word", verbose=verbose)
        start = time.perf_counter()
        words_before = 0
        try:
            for epoch in range(prm["epochs"]):
                loss_sum, n_pred = 0.0, 0
                for j in range(n_jobs):
                    losses = np.zeros(threads)
                    preds = np.zeros(threads, dtype=np.int64)
                    _train_job(tokens, word_starts, parts[j], W_in, W_neg, W_hs, keep,
                               alias_prob, alias_word, points, codes, code_len,
                               prm["sg"], prm["hs"], prm["negative"], prm["window"],
                               prm["alpha"],
                               prm["min_alpha"], words_before, total,
                               seeds[epoch, j].copy(), losses, preds)
                    job_words = int(word_starts[job_bounds[j + 1]]
                                    - word_starts[job_bounds[j]])
                    words_before += job_words
                    loss_sum += losses.sum()
                    n_pred += int(preds.sum())
                    elapsed = time.perf_counter() - start
                    bar.update(job_words)
                    speed = words_before / max(elapsed, 1e-9)
                    bar.set_postfix_str(f"loss {loss_sum / max(n_pred, 1):.4f}, "
                                        f"{speed:,.0f} words/s")
                history.append(float(loss_sum / max(n_pred, 1)))
        finally:
            bar.close()
        self.train_seconds = time.perf_counter() - start
        self.words_per_second = total / max(self.train_seconds, 1e-9)
        self.loss_history = history
        self.vocab = vocab
        self.tree = tree
        self.W_out = None
        self.W_out_hs = None
        if prm["keep_context"]:
            self.W_out = W_neg if prm["negative"] else W_hs
            self.W_out_hs = W_hs if prm["hs"] else None
        # the vectors are handed over, not copied: W_in is wv.vectors (read-only from now on)
        self.wv = KeyedVectors(list(vocab.words), W_in, copy=False)
        self.W_in = self.wv.vectors
        return self

    @staticmethod
    def _encode(vocab, documents):
        """All documents as one int32 array of word ids (out-of-vocabulary tokens
        dropped) and the start offset of every sentence, documents cut at
        MAX_SENTENCE_LENGTH words."""
        pieces, lengths = [], []
        for doc in vocab.encode_documents(documents):
            for i in range(0, len(doc), MAX_SENTENCE_LENGTH):
                piece = doc[i:i + MAX_SENTENCE_LENGTH]
                pieces.append(piece)
                lengths.append(len(piece))
        tokens = np.concatenate(pieces).astype(np.int32) if pieces else \
            np.zeros(0, np.int32)
        word_starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return tokens, word_starts

    def __repr__(self) -> str:
        kind = "skip-gram" if self.sg else "CBOW"
        obj = " + ".join(([f"negative={self.negative}"] if self.negative else [])
                         + (["hs"] if self.hs else []))
        return f"Word2Vec({kind}, {obj}, dim={self.dim}, window={self.window})"


def _warm_up(dim):
    """Compile (or load from numba's cache) the training kernel with the argument types
    of a real call, on empty input: this is the one-off JIT cost of a process."""
    f32 = np.zeros((1, dim), dtype=np.float32)
    _train_job(np.zeros(1, np.int32), np.zeros(2, np.int64), np.zeros(2, np.int64), f32,
               f32, f32, np.ones(1, np.float32), np.ones(1, np.float32),
               np.zeros(1, np.int32),
               np.zeros((1, 1), np.int32), np.zeros((1, 1), np.int8),
               np.zeros(1, np.int32),
               True, False, 0, 1, 0.025, 1e-4, 0, 1, np.ones(1, np.uint64), np.zeros(1),
               np.zeros(1, np.int64))


# --------------------------------------------------------------------------------------
# `wvlib train sgns | cbow` (declared in wvlib/methods.py)
# --------------------------------------------------------------------------------------

def _train_cli(corpus, sg, verbose, **params):
    model = Word2Vec(sg=sg, **params).fit(corpus, verbose=verbose)
    return model.wv


@validates("sgns")
def train_sgns(corpus, *, dim=100, window=5, min_count=5, negative=5, hs=False,
               sample=1e-3, epochs=5, alpha=0.025, threads=2, seed=0, verbose=None):
    """Skip-gram vectors (``wvlib train sgns``): :class:`Word2Vec` with ``sg=True``.

    Returns
    -------
    wvlib.vectors.KeyedVectors
    """
    return _train_cli(corpus, True, verbose, dim=dim, window=window,
                      min_count=min_count, negative=negative, hs=hs, sample=sample,
                      epochs=epochs, alpha=alpha, threads=threads, seed=seed)


@validates("cbow")
def train_cbow(corpus, *, dim=100, window=5, min_count=5, negative=5, hs=False,
               sample=1e-3, epochs=5, alpha=0.05, threads=2, seed=0, verbose=None):
    """CBOW vectors (``wvlib train cbow``): :class:`Word2Vec` with ``sg=False``.

    Returns
    -------
    wvlib.vectors.KeyedVectors
    """
    return _train_cli(corpus, False, verbose, dim=dim, window=window,
                      min_count=min_count, negative=negative, hs=hs, sample=sample,
                      epochs=epochs, alpha=alpha, threads=threads, seed=seed)
