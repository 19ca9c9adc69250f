r"""The subword model in NumPy (float64, one example at a time): forward, loss, gradients.

Bojanowski et al. (2017) keep skip-gram with negative sampling (chapter 7) and change one
thing: the vector of a word is built from pieces. With :math:`\mathcal G_w` the list of rows
of word w — its own row and the rows of its character n-grams (:mod:`.subwords`) — and
:math:`\mathbf z_g` the rows of a matrix Z ((|V| + bucket) × d), the paper scores a word
against a context c by

.. math::

    s(w, c) = \sum_{g \in \mathcal G_w} \mathbf z_g^\top \mathbf c,

that is, the word vector is the **sum** :math:`\mathbf w = \sum_{g} \mathbf z_g`, and the
loss of one (word, context) pair with k noise contexts is that of negative sampling,
:math:`J = -\log\sigma(\mathbf w^\top\mathbf c) - \sum_j \log\sigma(-\mathbf w^\top\mathbf
c_{n_j})`. By the chain rule the gradient reaches every row of the list with the same value,

.. math::

    \frac{\partial J}{\partial \mathbf z_g} = m_g\,\frac{\partial J}{\partial \mathbf w},

where :math:`m_g` is the number of times row g appears in the list (an n-gram that occurs
twice, or two n-grams hashed to the same bucket).

The reference code (``Model::computeHidden`` in ``src/model.cc``) and gensim use the
**mean** instead, :math:`\mathbf h = \frac1n \sum_{g} \mathbf z_g` with n the length of the
list, for training and for the word vectors they output (``getWordVector`` divides by the
number of rows too); the mean model's gradient is :math:`\frac{m_g}{n}\,\partial J/\partial
\mathbf h`. Their update, though, adds :math:`-\eta\,\partial J/\partial\mathbf h` *whole*
to every listed row (``Model::update``: the gradient is divided by n only for supervised
models) — an SGD step on the mean model with the step size :math:`n\eta` per row, which
moves h itself by :math:`-\eta\,\partial J/\partial\mathbf h` when the rows are distinct,
exactly as word2vec moves its input vector. :func:`sgd_step` is that update;
:class:`wvlib.fasttext.FastText` trains with it, as the reference code and gensim do. The
direction of a word vector (all that cosines see) is the same for sum and mean.

Functions: :func:`subword_vector` (forward), :func:`subword_loss_and_grads` (loss and exact
gradients of the sum or the mean model, checked by central differences in the tests),
:func:`sgd_step` (the reference code's update, in place).
"""
from __future__ import annotations

import numpy as np

from .._validate import check_choice, check_float

__all__ = ["subword_vector", "subword_loss_and_grads", "sgd_step", "COMBINE"]

COMBINE = ("sum", "mean")


def _check_rows(rows, Z, name="rows"):
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[0] == 0 or Z.shape[1] == 0:
        raise ValueError(f"Z must be a non-empty 2-D array (one row per word and bucket), "
                         f"got shape {Z.shape}")
    arr = np.asarray(rows)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of row ids of Z, got "
                         f"shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integer row ids, got dtype {arr.dtype}")
    if arr.min() < 0 or arr.max() >= Z.shape[0]:
        raise ValueError(f"{name} must hold row ids in [0, {Z.shape[0]}), got values in "
                         f"[{arr.min()}, {arr.max()}]")
    return arr.astype(np.int64), Z


def subword_vector(rows, Z, combine="sum"):
    """The vector of a word from its rows: their sum (the paper) or mean (the code).

    Parameters
    ----------
    rows : array_like of int, shape (n,)
        The word's row and its n-grams' rows in Z (repeats count twice).
    Z : array_like, shape (|V| + bucket, d)
    combine : {"sum", "mean"}

    Returns
    -------
    numpy.ndarray, shape (d,)
    """
    combine = check_choice(combine, "combine", COMBINE)
    rows, Z = _check_rows(rows, Z)
    h = Z[rows].sum(axis=0)
    return h / rows.size if combine == "mean" else h


def subword_loss_and_grads(rows, o, negatives, Z, W_out, combine="sum"):
    r"""Negative-sampling loss of one (word, context) pair through the subword vector.

    .. math::

        \mathbf h = \sum_{g \in \mathcal G_w} \mathbf z_g \;(\text{or the mean}),\quad
        J = -\log\sigma(\mathbf c_o^\top\mathbf h)
            - \sum_{j=1}^{k}\log\sigma(-\mathbf c_{n_j}^\top\mathbf h),\quad
        \frac{\partial J}{\partial \mathbf z_g} = m_g\,\frac{\partial J}{\partial
        \mathbf h}\;\Bigl(\text{or } \frac{m_g}{n}\frac{\partial J}{\partial\mathbf h}
        \Bigr),

    with :math:`\partial J/\partial \mathbf h` and the gradient of the context rows from
    :func:`wvlib.word2vec.neg_sampling_loss_and_grads`.

    Parameters
    ----------
    rows : array_like of int, shape (n,)
        The word's rows in Z (its own row and its n-grams' buckets).
    o : int
        The observed context word (a row of ``W_out``).
    negatives : array_like of int, shape (k,)
        Noise words.
    Z : array_like, shape (|V| + bucket, d)
        Word and n-gram rows.
    W_out : array_like, shape (|V|, d)
        Context vectors (the rows of C).
    combine : {"sum", "mean"}, default "sum"

    Returns
    -------
    loss : float
    grad_Z : numpy.ndarray, shape of Z
        Non-zero only in the listed rows.
    grad_W_out : numpy.ndarray, shape of W_out
    """
    from ..word2vec import neg_sampling_loss_and_grads

    h = subword_vector(rows, Z, combine)
    rows, Z = _check_rows(rows, Z)
    loss, grad_h, grad_W_out = neg_sampling_loss_and_grads(h, o, negatives, W_out)
    if combine == "mean":
        grad_h = grad_h / rows.size
    grad_Z = np.zeros_like(Z)
    np.add.at(grad_Z, rows, grad_h)               # every listed row, repeats add up
    return loss, grad_Z, grad_W_out


def sgd_step(rows, o, negatives, Z, W_out, lr):
    """One update of the reference code on one (word, context) pair, in place.

    h = mean of the listed rows; the context rows get ``-lr`` times their gradient; every
    listed row gets ``-lr ∂J/∂h``, undivided (see the module docstring).

    Parameters
    ----------
    rows, o, negatives : as in :func:`subword_loss_and_grads`
    Z, W_out : numpy.ndarray (float64), updated in place
    lr : float

    Returns
    -------
    float
        The loss before the step.
    """
    from ..word2vec import neg_sampling_loss_and_grads

    lr = check_float(lr, "lr", low=0.0, low_open=True)
    for A, name in ((Z, "Z"), (W_out, "W_out")):
        if not isinstance(A, np.ndarray) or A.dtype != np.float64:
            raise TypeError(f"{name} must be a float64 numpy array (updated in place)")
    h = subword_vector(rows, Z, "mean")
    rows, _ = _check_rows(rows, Z)
    loss, grad_h, grad_W_out = neg_sampling_loss_and_grads(h, o, negatives, W_out)
    np.add.at(Z, rows, -lr * grad_h)
    W_out -= lr * grad_W_out
    return loss
