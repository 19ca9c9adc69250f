"""GloVe: weighted least squares on log co-occurrence counts (Pennington et al. 2014).

GloVe learns, for every word ``i``, a *word* vector ``w_i`` and a *context* vector
``w~_i`` (two separate sets, ``W`` and ``Wt``) plus two scalar biases ``b_i`` and
``b~_i``, such that for every **observed** pair (``X_ij > 0``)::

    w_i . w~_j + b_i + b~_j  ~  log X_ij

where ``X`` is the (1/distance weighted) co-occurrence matrix of
:func:`wvlib.cooccurrence.cooccurrence_matrix` with ``weighting="harmonic"``. The loss
is the weighted sum of squared errors over the non-zeros only (eq. 8 of the paper)::

    J = sum_{ij: X_ij > 0}  f(X_ij) * (w_i . w~_j + b_i + b~_j - log X_ij) ** 2

    f(x) = min(1, (x / x_max) ** alpha),     x_max = 100 in the paper, alpha = 3/4

so rare pairs (noisy counts) weigh little and frequent pairs are capped at weight 1. The
word vectors returned by :meth:`GloVe.fit` are ``W + Wt`` (the paper's choice), or ``W``
alone.

The gradients, with ``e_ij = w_i . w~_j + b_i + b~_j - log X_ij``::

    dJ/dw_i   = sum_j 2 f(X_ij) e_ij w~_j        dJ/db_i  = sum_j 2 f(X_ij) e_ij
    dJ/dw~_j  = sum_i 2 f(X_ij) e_ij w_i         dJ/db~_j = sum_i 2 f(X_ij) e_ij

:func:`glove_loss_and_grads` computes ``J`` and all four gradients for a batch of pairs,
in NumPy (the reference, used by the tests' gradient checks).

Training is AdaGrad (Duchi et al. 2011) on one pair at a time, in a random order. With
``update="adagrad"`` (the default) every parameter ``theta`` keeps the sum ``G`` of its
squared gradients of ``J`` (started at 1) and moves by ``lr * g / sqrt(G)`` after
``G += g**2``; the pairs are shuffled again in every epoch. The original C code
(``glove.c`` of Stanford's GloVe) differs in four ways, and ``update="glove.c"`` follows it:

1. its gradient is that of ``0.5 * f * e**2``, i.e. ``f * e`` (half of ours);
2. it accumulates the squared *step*, ``G += (lr * g)**2``, not ``g**2``, so ``G`` grows
   ``1 / lr**2`` (400 for ``lr = 0.05``) times more slowly;
3. it divides by the ``G`` of *before* the update, then adds: ``theta -= lr * g /
   sqrt(G)``, then ``G += (lr * g)**2``;
4. it shuffles the pairs once (the ``shuffle`` tool) and visits them in that same order in
   every epoch.

Coordinates that receive large or frequent gradients (the vectors of frequent words) take
smaller steps; rare words keep larger steps. That loop cannot be vectorized (each update
reads the parameters the previous one wrote), so it is compiled with numba
(:mod:`wvlib._jit`). With ``threads > 1`` the threads update the shared parameters without
locks ("Hogwild", as the C code does): fast, and not reproducible. An epoch's shuffled
pairs are cut into jobs (:func:`job_pairs`: at most ``JOB_PAIRS`` pairs, and 16 jobs per
thread where the epoch is big enough) that the threads take from one queue
(:mod:`wvlib.jobs`: no thread waits for another until the epoch's last jobs), and the
epoch's random order is made by the threads too (:func:`parallel_permutation`). With
``threads=1`` and a seed, training is deterministic, and one compiled epoch equals
:func:`adagrad_epoch_reference` (a plain Python loop over the same pairs), for either
update.

References
----------
J. Pennington, R. Socher and C. D. Manning (2014). GloVe: Global vectors for word
representation. EMNLP.

J. Duchi, E. Hazan and Y. Singer (2011). Adaptive subgradient methods for online
learning and stochastic optimization. JMLR 12.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from ._jit import njit
from .jobs import job_size, run_jobs
from .permutation import parallel_permutation
from .methods import METHODS, validates
from ._validate import (check_choice, check_float, check_indices, check_matrix,
                        check_positive_int, check_random_state, check_vector)
from .progress import progress

__all__ = ["weighting_function", "glove_loss_and_grads", "adagrad_step", "glove_c_step",
           "adagrad_epoch_reference", "cooccurrence_pairs", "parallel_permutation", "GloVe",
           "train_glove"]

# Defaults of the trainer and of ``python -m wvlib train glove``: declared once in
# wvlib.methods (measured on enwiki-sample with ``python -m wvlib bench glove``).
DEFAULTS = METHODS["glove"].defaults()
DEFAULT_DIM = DEFAULTS["dim"]
DEFAULT_WINDOW = DEFAULTS["window"]
DEFAULT_MIN_COUNT = DEFAULTS["min_count"]
DEFAULT_X_MAX = DEFAULTS["x_max"]
DEFAULT_ALPHA = DEFAULTS["alpha"]
DEFAULT_EPOCHS = DEFAULTS["epochs"]
DEFAULT_LR = DEFAULTS["learning_rate"]
DEFAULT_THREADS = DEFAULTS["threads"]
DEFAULT_MEMORY = DEFAULTS["memory"]

# AdaGrad's accumulators start at 1 (as in the C code): the first steps are at most
# lr * |g|, and no division by zero can occur.
ADAGRAD_INITIAL = 1.0

# The two update rules of GloVe.fit: ours, and the original C code's (module docstring).
UPDATES = ("adagrad", "glove.c")


# --------------------------------------------------------------------------------------
# 1. The model in NumPy (the reference)
# --------------------------------------------------------------------------------------

def weighting_function(x, x_max: float = DEFAULT_X_MAX, alpha: float = DEFAULT_ALPHA,
                       cap: bool = True) -> np.ndarray:
    """GloVe's weight ``f(x) = min(1, (x / x_max) ** alpha)`` of a count ``x``.

    Parameters
    ----------
    x : array-like of float
        Co-occurrence counts, ``> 0``.
    x_max : float, default 10
        Counts at or above ``x_max`` get weight 1.
    alpha : float, default 0.75
        Exponent of the rising part.
    cap : bool, default True
        ``False`` drops the ``min(1, .)``: the uncapped ``(x / x_max) ** alpha`` of the
        common simplification, which lets frequent pairs dominate the loss.

    Examples
    --------
    >>> weighting_function([1.0, 10.0, 100.0], x_max=10, alpha=0.75).round(4)
    array([0.1778, 1.    , 1.    ])
    """
    x = np.asarray(x, dtype=np.float64)
    x_max = check_float(x_max, "x_max", low=0.0, low_open=True)
    alpha = check_float(alpha, "alpha", low=0.0)
    w = (x / x_max) ** alpha
    return np.minimum(w, 1.0) if cap else w


def glove_loss_and_grads(W, Wt, b, bt, rows, cols, x, x_max=DEFAULT_X_MAX,
                         alpha=DEFAULT_ALPHA, cap=True):
    """Loss and gradients of GloVe on a batch of observed pairs (vectorized NumPy).

    Parameters
    ----------
    W, Wt : ndarray, shape (V, d)
        Word vectors and context vectors.
    b, bt : ndarray, shape (V,)
        Word biases and context biases.
    rows, cols : array-like of int, shape (n,)
        The pairs ``(i, j)``: word ``rows[t]`` with context ``cols[t]``. A pair may
        repeat.
    x : array-like of float, shape (n,)
        Their co-occurrence counts ``X_ij > 0``.
    x_max, alpha, cap
        The weighting function (see :func:`weighting_function`).

    Returns
    -------
    loss : float
        ``J = sum_t f(x_t) (w_i . w~_j + b_i + b~_j - log x_t) ** 2``.
    grad_W, grad_Wt, grad_b, grad_bt : ndarray
        ``dJ/dW`` (V, d), ``dJ/dWt`` (V, d), ``dJ/db`` (V,), ``dJ/dbt`` (V,), in
        float64. Rows of words that appear in no pair are 0; repeated pairs add up.

    Notes
    -----
    The per-pair gradient blocks are scattered into the ``V x d`` tables with a sparse
    one-hot matrix product (``S.T @ G`` with ``S[t, rows[t]] = 1``), which adds repeated
    rows (unlike ``W[rows] += G``, which silently keeps only one of them) and is faster
    than ``np.add.at``.
    """
    W = check_matrix(W, "W", allow_sparse=False)
    Wt = check_matrix(Wt, "Wt", allow_sparse=False)
    V, d = W.shape
    if Wt.shape != (V, d):
        raise ValueError(f"Wt must have the shape of W {W.shape}, got {Wt.shape}")
    b = check_vector(b, "b", size=V)
    bt = check_vector(bt, "bt", size=V)
    rows = check_indices(rows, "rows", V)
    cols = check_indices(cols, "cols", V)
    x = np.asarray(x, dtype=np.float64)
    if x.shape != rows.shape or cols.shape != rows.shape:
        raise ValueError(f"rows, cols and x must have the same length, got "
                         f"{rows.shape[0]}, {cols.shape[0]} and {x.shape}")
    if x.size and not np.all(x > 0):
        raise ValueError("x must hold positive co-occurrence counts (the loss sums "
                         "over the observed pairs only: log 0 is undefined)")
    fx = weighting_function(x, x_max, alpha, cap)

    Wi, Wj = W[rows], Wt[cols]                                    # (n, d) each
    err = np.einsum("nd,nd->n", Wi, Wj) + b[rows] + bt[cols] - np.log(x)
    loss = float(np.sum(fx * err ** 2))
    g = 2.0 * fx * err                                            # dJ / d(prediction)

    n = rows.shape[0]
    to_rows = sp.csr_matrix((np.ones(n), (rows, np.arange(n))), shape=(V, n))
    to_cols = sp.csr_matrix((np.ones(n), (cols, np.arange(n))), shape=(V, n))
    grad_W = to_rows @ (g[:, None] * Wj)
    grad_Wt = to_cols @ (g[:, None] * Wi)
    grad_b = to_rows @ g
    grad_bt = to_cols @ g
    return loss, np.asarray(grad_W), np.asarray(grad_Wt), grad_b, grad_bt


def adagrad_step(param, grad, grad_sq, learning_rate):
    """One AdaGrad step, in place: ``G += g**2``, then ``param -= lr * g / sqrt(G)``.

    Parameters
    ----------
    param, grad, grad_sq : ndarray of the same shape
        Parameters, their gradient and the running sum of squared gradients ``G``
        (modified).
    learning_rate : float

    Returns
    -------
    param : ndarray
        The same array, updated.
    """
    grad_sq += grad * grad
    param -= learning_rate * grad / np.sqrt(grad_sq)
    return param


def glove_c_step(param, grad, grad_sq, learning_rate):
    """The update of the original C code (``glove.c``), in place.

    ``param -= lr * g / sqrt(G)`` with the ``G`` of before the step, then
    ``G += (lr * g)**2``. Here ``g`` is the gradient of ``0.5 * f * e**2`` (the C code's
    cost), half the gradient of :func:`glove_loss_and_grads`.

    Parameters
    ----------
    param, grad, grad_sq : ndarray of the same shape
        Parameters, their gradient (of the C code's cost) and the C code's accumulator
        ``G`` (modified).
    learning_rate : float

    Returns
    -------
    param : ndarray
        The same array, updated.
    """
    step = learning_rate * grad
    param -= step / np.sqrt(grad_sq)
    grad_sq += step * step
    return param


def adagrad_epoch_reference(params, grad_sq, rows, cols, x, order, *,
                            x_max=DEFAULT_X_MAX, alpha=DEFAULT_ALPHA,
                            learning_rate=DEFAULT_LR, cap=True, update="adagrad"):
    """One epoch of per-pair AdaGrad in plain NumPy: the reference of the compiled loop.

    For ``t`` in ``order``: compute the loss and gradients of the single pair
    ``(rows[t], cols[t], x[t])`` with :func:`glove_loss_and_grads`, then update the rows
    of ``W``, ``Wt``, ``b``, ``bt`` that it touches with :func:`adagrad_step`
    (``update="adagrad"``) or, with half the gradient, :func:`glove_c_step`
    (``update="glove.c"``). Slow (a Python loop): meant for tests on tiny problems.

    Parameters
    ----------
    params : tuple (W, Wt, b, bt) of ndarray
        Modified in place.
    grad_sq : tuple of ndarray
        AdaGrad accumulators of the same shapes, modified in place.
    rows, cols, x : ndarray
        The observed pairs.
    order : ndarray of int
        The order in which the pairs are visited.

    Returns
    -------
    float
        Sum over the epoch of each pair's loss *before* its update (what the compiled
        loop reports as the epoch's loss).
    """
    W, Wt, b, bt = params
    GW, GWt, Gb, Gbt = grad_sq
    update = check_choice(update, "update", UPDATES)
    step, scale = (adagrad_step, 1.0) if update == "adagrad" else (glove_c_step, 0.5)
    total = 0.0
    for t in order:
        i, j = int(rows[t]), int(cols[t])
        one = np.array([0])
        # A sub-problem with the two rows involved: word i is row 0, context j is row 0.
        loss, gW, gWt, gb, gbt = glove_loss_and_grads(
            W[i:i + 1], Wt[j:j + 1], b[i:i + 1], bt[j:j + 1], one, one, x[t:t + 1],
            x_max, alpha, cap)
        total += loss
        # the gradient of both rows comes from the values before this update
        W[i] = step(W[i].astype(np.float64), scale * gW[0], GW[i], learning_rate)
        Wt[j] = step(Wt[j].astype(np.float64), scale * gWt[0], GWt[j], learning_rate)
        b[i:i + 1] = step(b[i:i + 1].astype(np.float64), scale * gb, Gb[i:i + 1],
                          learning_rate)
        bt[j:j + 1] = step(bt[j:j + 1].astype(np.float64), scale * gbt, Gbt[j:j + 1],
                           learning_rate)
    return total


# --------------------------------------------------------------------------------------
# 2. The compiled training loop
# --------------------------------------------------------------------------------------

#: Pairs of one job at most and at least: about 20 ms and 1 ms of work at d = 100.
JOB_PAIRS, MIN_JOB_PAIRS = 65_536, 4_096


def job_pairs(n_pairs: int, threads: int) -> int:
    """Pairs per job for an epoch of ``n_pairs`` pairs on ``threads`` threads: JOB_PAIRS, or
    fewer (MIN_JOB_PAIRS at least) so that each thread finds 16 jobs in the epoch's queue,
    since the epoch ends by waiting for its last jobs (:func:`wvlib.jobs.job_size`). With
    one thread the pairs run in the epoch's order whatever the job size."""
    return job_size(n_pairs, threads, largest=JOB_PAIRS, smallest=MIN_JOB_PAIRS)


@njit
def _adagrad_pairs(W, Wt, b, bt, GW, GWt, Gb, Gbt, rows, cols, log_x, f_x, order, start,
                   stop, learning_rate, c_update):
    """AdaGrad on the pairs ``order[start:stop]``, one after the other, on shared
    parameters (the GIL is released: several threads run it at once). Returns the sum of
    the pairs' losses before their updates. ``c_update``: the C code's step (module
    docstring, points 1-3)."""
    d = W.shape[1]
    total = 0.0
    for s in range(start, stop):
        t = order[s]
        i = rows[t]
        j = cols[t]
        err = b[i] + bt[j] - log_x[t]
        for k in range(d):
            err += W[i, k] * Wt[j, k]
        total += f_x[t] * err * err
        if c_update:
            # glove.c: the step lr * f * e (gradient of 0.5 f e^2) over sqrt(old G),
            # then G += step^2
            g = learning_rate * f_x[t] * err
            for k in range(d):
                gw = g * Wt[j, k]
                gwt = g * W[i, k]
                W[i, k] -= gw / np.sqrt(GW[i, k])
                Wt[j, k] -= gwt / np.sqrt(GWt[j, k])
                GW[i, k] += gw * gw
                GWt[j, k] += gwt * gwt
            b[i] -= g / np.sqrt(Gb[i])
            bt[j] -= g / np.sqrt(Gbt[j])
            Gb[i] += g * g
            Gbt[j] += g * g
            continue
        g = np.float32(2.0) * f_x[t] * err          # dJ / d(prediction)
        for k in range(d):
            gw = g * Wt[j, k]
            gwt = g * W[i, k]
            GW[i, k] += gw * gw
            GWt[j, k] += gwt * gwt
            W[i, k] -= learning_rate * gw / np.sqrt(GW[i, k])
            Wt[j, k] -= learning_rate * gwt / np.sqrt(GWt[j, k])
        Gb[i] += g * g
        b[i] -= learning_rate * g / np.sqrt(Gb[i])
        Gbt[j] += g * g
        bt[j] -= learning_rate * g / np.sqrt(Gbt[j])
    return total


def _adagrad_epoch(W, Wt, b, bt, GW, GWt, Gb, Gbt, rows, cols, log_x, f_x, order,
                   learning_rate, threads, c_update=False):
    """One epoch of AdaGrad over ``order``: jobs of :func:`job_pairs` consecutive entries
    of ``order``, taken by ``threads`` threads from one queue (Hogwild). With one thread the
    pairs are visited exactly in the order of ``order``. Returns the sum of the pairs'
    losses before their updates (each thread adds to its own counter) and the schedule
    (:func:`wvlib.jobs.run_jobs`: jobs and busy seconds per thread, wall seconds)."""
    n = order.shape[0]
    size = job_pairs(n, threads)
    n_jobs = max(1, -(-n // size))
    losses = np.zeros(max(1, threads))

    def job(i, t, _):
        losses[t] += _adagrad_pairs(W, Wt, b, bt, GW, GWt, Gb, Gbt, rows, cols, log_x,
                                    f_x, order, i * size, min(n, (i + 1) * size),
                                    learning_rate, c_update)

    schedule = run_jobs(job, n_jobs, threads)
    return losses.sum(), dict(schedule, n_jobs=n_jobs, job_pairs=size)


# --------------------------------------------------------------------------------------
# 3. The estimator
# --------------------------------------------------------------------------------------

def _training_pairs(cooc, x_max, alpha, cap):
    """The observed pairs of ``cooc`` as the compiled loop reads them: ``rows``, ``cols``
    (int32), ``log_x`` and ``f_x`` (float32, computed from the float64 counts). A
    :class:`wvlib.blocks.BlockMatrix` is read a block at a time into arrays of exactly its
    size (16 bytes a pair), in the order of its rows, as a CSR matrix's pairs are."""
    from .blocks import BlockMatrix

    if not isinstance(cooc, BlockMatrix):
        rows, cols, x = cooccurrence_pairs(cooc)
        return (rows, cols, np.log(x).astype(np.float32),
                weighting_function(x, x_max, alpha, cap).astype(np.float32))
    if cooc.shape[0] != cooc.shape[1]:
        raise ValueError(f"cooc must be a square matrix, got shape {cooc.shape}")
    n = cooc.nnz
    rows, cols = np.empty(n, np.int32), np.empty(n, np.int32)
    log_x, f_x = np.empty(n, np.float32), np.empty(n, np.float32)
    at = 0
    for start, block in cooc.blocks():
        x = block.data.astype(np.float64)
        if x.size and x.min() <= 0:
            raise ValueError("cooc must hold positive co-occurrence counts in its entries")
        k = len(x)
        rows[at:at + k] = np.repeat(np.arange(start, start + block.shape[0]),
                                    np.diff(block.indptr))
        cols[at:at + k] = block.indices
        log_x[at:at + k] = np.log(x)
        f_x[at:at + k] = weighting_function(x, x_max, alpha, cap)
        at += k
    if n == 0:
        raise ValueError("cooc is empty: it has no positive co-occurrence count (GloVe "
                         "sums over the observed pairs only)")
    return rows, cols, log_x, f_x


def cooccurrence_pairs(cooc):
    """Validate a co-occurrence matrix; return its observed pairs ``(rows, cols, x)``.

    ``cooc`` must be a non-empty square matrix (dense or ``scipy.sparse``) of finite,
    non-negative counts with at least one positive entry. Zeros (stored or not) are not
    pairs.
    """
    if cooc is None:
        raise ValueError("cooc must be a square co-occurrence matrix, got None")
    M = check_matrix(cooc, "cooc", square=True)
    M = sp.coo_matrix(M)
    M.sum_duplicates()
    if M.nnz and M.data.min() < 0:
        raise ValueError(f"cooc must hold non-negative co-occurrence counts, found "
                         f"{M.data.min():g}")
    keep = M.data > 0
    if not keep.any():
        raise ValueError("cooc is empty: it has no positive co-occurrence count (GloVe "
                         "sums over the observed pairs only)")
    return (M.row[keep].astype(np.int32), M.col[keep].astype(np.int32),
            M.data[keep].astype(np.float64))


class GloVe:
    """GloVe word vectors trained by AdaGrad on the non-zeros of a co-occurrence matrix.

    Parameters
    ----------
    dim : int, default 100
        Vector size ``d``.
    x_max : float, default 10
        Counts at or above ``x_max`` get the full weight 1 (the paper uses 100 on
        billions of tokens; our harmonic counts on a small corpus are much smaller).
    alpha : float, default 0.75
        Exponent of the weighting function.
    epochs : int, default 25
        Passes over the shuffled non-zeros.
    learning_rate : float, default 0.05
        AdaGrad's initial step size (the C code's ``eta``).
    seed : int or None, default 0
        Seeds the initialization and the shuffles. With ``threads=1`` a seed makes
        training deterministic.
    threads : int, default 2
        Hogwild threads. ``threads > 1`` is not reproducible (and shuffles each epoch's
        order with :func:`parallel_permutation`).
    output : {"sum", "word"}, default "sum"
        ``W + Wt`` (the paper's output) or ``W`` only.
    shared_vectors : bool, default False
        Use one vector set and one bias vector for words and contexts (``Wt is W``): the
        common simplification, a *different model* (see chapter 5).
    cap : bool, default True
        ``False`` uses the uncapped weight ``(x / x_max) ** alpha``, another departure
        from the paper.
    update : {"adagrad", "glove.c"}, default "adagrad"
        ``"adagrad"``: AdaGrad on ``J``, the pairs reshuffled in every epoch.
        ``"glove.c"``: the original C code's update and one shuffle for all epochs (the
        four differences are listed in the module docstring; chapter 5 measures them).
    verbose : bool or None
        Progress bar with the loss (see :mod:`wvlib.progress`).

    Attributes
    ----------
    W_, Wt_, b_, bt_ : ndarray (float32)
        The trained parameters (``Wt_ is W_`` when ``shared_vectors``).
    grad_sq_ : list of ndarray
        AdaGrad's accumulators of ``W_, Wt_, b_, bt_`` (started at 1): sums of squared
        gradients, or of squared steps with ``update="glove.c"``.
    loss_history_ : list of float
        Per epoch, ``J``: the sum over pairs of the weighted squared error, each pair
        measured just before its update (the C code prints the same measurement of its
        cost ``0.5 * J``, divided by the number of pairs).
    epoch_seconds_ : list of float
        Wall time of each epoch (compiled loop and shuffle).
    epoch_cpu_seconds_ : list of float
        CPU time of this process (all threads) during each epoch: on a busy machine a
        better measure of the work than the wall time.
    schedule_ : list of dict
        Per epoch, how its jobs ran (:func:`wvlib.jobs.run_jobs`): ``n_jobs``,
        ``job_pairs``, ``jobs`` and ``busy`` (seconds in jobs) per thread, ``seconds``
        (the training's wall time, without the shuffle).
    n_pairs_ : int
        Number of non-zeros trained on.
    """

    def __init__(self, dim=DEFAULT_DIM, x_max=DEFAULT_X_MAX, alpha=DEFAULT_ALPHA,
                 epochs=DEFAULT_EPOCHS, learning_rate=DEFAULT_LR, seed=0,
                 threads=DEFAULT_THREADS, output="sum", shared_vectors=False, cap=True,
                 update="adagrad", verbose=None):
        self.dim = dim
        self.x_max = x_max
        self.alpha = alpha
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.seed = seed
        self.threads = threads
        self.output = output
        self.shared_vectors = shared_vectors
        self.cap = cap
        self.update = update
        self.verbose = verbose

    def _check_params(self):
        self.dim = check_positive_int(self.dim, "dim")
        self.x_max = check_float(self.x_max, "x_max", low=0.0, low_open=True)
        self.alpha = check_float(self.alpha, "alpha", low=0.0)
        self.epochs = check_positive_int(self.epochs, "epochs", allow_zero=True)
        self.learning_rate = check_float(self.learning_rate, "learning_rate", low=0.0,
                                         low_open=True)
        self.threads = check_positive_int(self.threads, "threads")
        check_choice(self.output, "output", ("sum", "word"))
        check_choice(self.update, "update", UPDATES)
        for name in ("shared_vectors", "cap"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False, got "
                                 f"{getattr(self, name)!r}")

    def fit(self, cooc, words=None, callback=None):
        """Train on a co-occurrence matrix and return the word vectors.

        Parameters
        ----------
        cooc : scipy.sparse matrix, array-like or wvlib.blocks.BlockMatrix, shape (V, V)
            Non-negative co-occurrence counts (words x contexts, same vocabulary), e.g.
            ``cooccurrence_matrix(docs, vocab, window=10, weighting="harmonic")``, or
            :func:`wvlib.cooccurrence.count_cooccurrences` of a corpus too big for one
            matrix (the same pairs in the same order: the same training).
        words : sequence of str or Vocabulary, optional
            The word of each row; default ``"0"``, ``"1"``, ...
        callback : callable, optional
            Called as ``callback(epoch, loss, self)`` after every epoch (``epoch`` from
            1); :meth:`keyed_vectors` gives the current vectors.

        Returns
        -------
        wvlib.vectors.KeyedVectors
        """
        self._check_params()
        rows, cols, log_x, f_x = _training_pairs(cooc, self.x_max, self.alpha, self.cap)
        V = cooc.shape[0]
        if words is None:
            words = [str(i) for i in range(V)]
        words = list(getattr(words, "words", words))
        if len(words) != V:
            raise ValueError(f"words has {len(words)} entries but cooc has {V} rows")
        rng = check_random_state(self.seed, "seed")
        self.words_ = words

        G = self._init_params(V, rng)
        threads = self.threads
        self.n_pairs_ = n = len(log_x)
        self.loss_history_, self.epoch_seconds_, self.epoch_cpu_seconds_ = [], [], []
        self.schedule_ = []
        c_update = self.update == "glove.c"
        order = None
        if c_update:                          # glove.c: one shuffle for every epoch
            order = self._permutation(n, threads, rng)
        with progress(total=self.epochs, desc="GloVe", unit="epoch",
                      verbose=self.verbose) as bar:
            for epoch in range(1, self.epochs + 1):
                start, cpu_start = time.perf_counter(), time.process_time()
                if not c_update:
                    order = None               # (free the last epoch's order first)
                    order = self._permutation(n, threads, rng)
                loss, schedule = _adagrad_epoch(self.W_, self.Wt_, self.b_, self.bt_, *G,
                                                rows, cols, log_x, f_x, order,
                                                np.float32(self.learning_rate), threads,
                                                c_update)
                self.schedule_.append(schedule)
                if not np.isfinite(loss):
                    raise RuntimeError(f"GloVe diverged in epoch {epoch} (loss "
                                       f"{loss}); "
                                       f"lower learning_rate (now "
                                       f"{self.learning_rate})")
                self.epoch_seconds_.append(time.perf_counter() - start)
                self.epoch_cpu_seconds_.append(time.process_time() - cpu_start)
                self.loss_history_.append(float(loss))
                bar.set_postfix_str(f"loss {loss:,.0f}")
                bar.update(1)
                if callback is not None:
                    callback(epoch, float(loss), self)
        return self.keyed_vectors()

    @staticmethod
    def _permutation(n, threads, rng):
        """An epoch's order: ``rng.permutation(n)`` in int32 with one thread (the same
        permutation, half the memory), :func:`parallel_permutation` with several."""
        if threads == 1:
            order = np.arange(n, dtype=np.int32)
            rng.shuffle(order)
            return order
        return parallel_permutation(n, threads, rng)

    def _init_params(self, V, rng):
        """Initialize ``W_, Wt_, b_, bt_`` from ``rng``; return AdaGrad's accumulators.

        The C code's initialization: uniform in ``[-0.5/d, 0.5/d)``, biases included.
        ``fit`` then draws each epoch's order as ``rng.permutation(n_pairs)`` (one order
        for all epochs with ``update="glove.c"``), so a test can replay it."""
        d = self.dim
        self.W_ = ((rng.random((V, d)) - 0.5) / d).astype(np.float32)
        self.b_ = ((rng.random(V) - 0.5) / d).astype(np.float32)
        if self.shared_vectors:
            self.Wt_, self.bt_ = self.W_, self.b_
        else:
            self.Wt_ = ((rng.random((V, d)) - 0.5) / d).astype(np.float32)
            self.bt_ = ((rng.random(V) - 0.5) / d).astype(np.float32)
        G = [np.full(a.shape, ADAGRAD_INITIAL, dtype=np.float32)
             for a in (self.W_, self.Wt_, self.b_, self.bt_)]
        if self.shared_vectors:
            G[1], G[3] = G[0], G[2]
        self.grad_sq_ = G
        return G

    def keyed_vectors(self, output=None):
        """The current word vectors: ``W + Wt`` (``output="sum"``) or ``W``
        (``"word"``)."""
        from .vectors import KeyedVectors

        output = check_choice(self.output if output is None else output, "output",
                              ("sum", "word"))
        if output == "sum" and not self.shared_vectors:
            vectors = self.W_ + self.Wt_
        else:
            vectors = self.W_.copy()
        return KeyedVectors(self.words_, vectors, copy=False)     # a new array: no copy

    def loss(self, cooc):
        """The exact loss ``J`` of the current parameters on ``cooc`` (NumPy)."""
        rows, cols, x = cooccurrence_pairs(cooc)
        return glove_loss_and_grads(self.W_, self.Wt_, self.b_, self.bt_, rows, cols, x,
                                    self.x_max, self.alpha, self.cap)[0]


@validates("glove")
def train_glove(corpus, *, dim=DEFAULT_DIM, window=DEFAULT_WINDOW,
                min_count=DEFAULT_MIN_COUNT, x_max=DEFAULT_X_MAX, alpha=DEFAULT_ALPHA,
                epochs=DEFAULT_EPOCHS, learning_rate=DEFAULT_LR,
                threads=DEFAULT_THREADS, output="sum", max_vocab=None, seed=0,
                memory=DEFAULT_MEMORY, verbose=None):
    """Count (1/distance weighting, symmetric window) and train GloVe on a corpus.

    Parameters are those of :class:`GloVe`, plus ``window`` and ``min_count`` (and
    ``max_vocab``) for the co-occurrence counts, and ``memory`` (megabytes) for counting
    them (:func:`wvlib.cooccurrence.count_cooccurrences`: beyond it, pairs are spilled to
    files and merged; the training then holds 20 bytes per non-zero); they are validated
    against the declaration ``wvlib.methods.METHODS["glove"]`` (which ``python -m wvlib
    train glove`` shows).

    Returns
    -------
    wvlib.vectors.KeyedVectors
    """
    from .cooccurrence import count_cooccurrences
    from .encoded import encode_corpus

    model = GloVe(dim=dim, x_max=x_max, alpha=alpha, epochs=epochs,
                  learning_rate=learning_rate, seed=seed, threads=threads,
                  output=output, verbose=verbose)
    model._check_params()                     # fail before the counting
    corpus = encode_corpus(corpus, min_count=min_count, max_size=max_vocab)
    words = corpus.vocab.words
    counts = count_cooccurrences(corpus, window=window, weighting="harmonic", memory=memory,
                                 verbose=verbose)
    del corpus
    with counts:
        return model.fit(counts, words)
