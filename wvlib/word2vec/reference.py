"""The NumPy reference of word2vec: the objectives the chapters teach from (chapters 6, 7).

float64, one example at a time, readable. In the book's notation (book/notation.md) ``W_in``
(|𝒱|×d) is W, whose rows are the word ("input") vectors **w**, and ``W_out`` is C, whose rows
are the context ("output") vectors **c**; for hierarchical softmax ``W_out`` has |𝒱|−1 rows,
the vectors z_j of the inner nodes of the Huffman tree. The argument names are older than that
notation: ``v_c`` is the input vector **w** of the centre word and ``o`` the index of the
context word c to predict (the formulas below use the argument names). Every objective returns
``(loss, gradients...)``:

* :func:`softmax_loss_and_grads` — the full softmax of Mikolov et al. (2013a);
* :func:`neg_sampling_loss_and_grads` — negative sampling (Mikolov et al. 2013b);
* :func:`hs_loss_and_grads` — hierarchical softmax over a Huffman tree (Morin & Bengio
  2005; Mikolov et al. 2013b), built by :func:`wvlib.word2vec.tables.build_huffman`;
  :func:`hs_probabilities` gives P(w | c) for every word;
* :func:`skipgram_loss_and_grads`, :func:`cbow_loss_and_grads` — a whole window;
* :func:`train_softmax_reference` — plain full-softmax SGD for small corpora.

The compiled kernels (:mod:`wvlib.word2vec.kernels`) compute the same updates in float32; the
tests compare the two.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_float, check_positive_int, check_random_state
from .tables import HuffmanTree

__all__ = ["OBJECTIVES", "sigmoid", "log_sigmoid", "softmax_loss_and_grads",
           "neg_sampling_loss_and_grads", "hs_loss_and_grads", "hs_probabilities",
           "skipgram_loss_and_grads", "cbow_loss_and_grads", "train_softmax_reference",
           "SoftmaxModel"]

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

    (the gradient of the loss is "expected minus observed", ŷ − y), where y is the one-hot
    vector of ``o``.

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
