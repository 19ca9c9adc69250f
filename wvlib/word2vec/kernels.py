"""The compiled word2vec kernels (numba, float32, Hogwild threads).

Every function here is compiled with :func:`wvlib._jit.njit` (``cache=True``: compiled once per
machine) and may be called from other compiled code; the helpers are meant to be reused by
other trainers (:func:`sigmoid_and_loss`, the generator :func:`lcg_next` / :func:`lcg_uniform`
/ :func:`lcg_below`, :func:`draw_negative`, :func:`neg_step`, :func:`hs_step`).

Building blocks, bottom up:

* :func:`sigmoid_and_loss` — σ(f) and −log σ(f) from a table, linearly interpolated;
* :func:`lcg_next`, :func:`lcg_uniform`, :func:`lcg_below` — the per-job random numbers
  (a linear congruential generator, as in the C code; defined in :mod:`wvlib._lcg`, which
  GloVe shares): the state is a ``uint64`` that every caller threads through
  (``state = lcg_next(state)``);
* :func:`draw_negative` — one noise word from an alias table
  (:func:`wvlib.word2vec.tables.alias_table`); :func:`draw_negatives` — n of them (for tests);
* :func:`neg_step`, :func:`hs_step` — one SGD step of negative sampling / hierarchical softmax
  for an input vector ``H[r]``: they update the output rows and accumulate −η·∂J/∂h into a work
  vector;
* :func:`predict` — one prediction whose input vector is ``scale`` times the sum of a list of
  rows of ``W_in`` (CBOW: the context words with ``scale`` 1/m; fastText: a word's subword
  rows), each of which then receives the whole error, as in the C code;
  :func:`sg_step` — the one-row case without the copy, :func:`cbow_step` — CBOW's call;
* :func:`subsample` — the C code's subsampling of a sentence;
* :func:`train_job` — SGD over one *job*: a run of consecutive sentences of at most
  ``JOB_WORDS`` words, with its own seed. It allocates the job's work arrays and hands them
  to its loop, which runs without numba's runtime like all the building blocks above
  (:mod:`wvlib._jit`: reference counting on the shared matrices took a third of the time).
  The trainer's threads take jobs from a queue and run them at the same time on the shared
  matrices (Hogwild); the kernel releases the GIL.
  A word's input vector is the sum of its rows in ``W_in`` (a CSR map word → rows; for
  word2vec the identity, one row a word), so the same job loop trains fastText's subwords;
  :func:`warm_up` compiles it (or loads it from numba's cache) once per process.

The trainer that calls them is :class:`wvlib.word2vec.trainer.Word2Vec`.
"""
from __future__ import annotations

import numpy as np

from .._jit import njit
from .._lcg import lcg_below, lcg_next, lcg_uniform
from .reference import log_sigmoid, sigmoid

__all__ = ["MAX_EXP", "SIGMOID_TABLE_SIZE", "JOB_WORDS", "sigmoid_and_loss", "lcg_next",
           "lcg_uniform", "lcg_below", "draw_negative", "draw_negatives", "neg_step",
           "hs_step", "predict", "sg_step", "cbow_step", "subsample", "train_job",
           "identity_rows", "warm_up"]

# --------------------------------------------------------------------------------------
# The algorithm
# --------------------------------------------------------------------------------------
# The kernel follows the original C code (and gensim) step by step:
#
# * skip-gram: for every position and every context word c inside the (dynamic) window,
#   the *input* vector of c is the one updated, and the centre word is the target (the C
#   code's ``l1 = last_word``); summed over a corpus this is the same set of (input,
#   output) pairs as "the centre predicts its contexts";
# * CBOW: h = mean of the context input vectors; the error ∂J/∂h (times −α) is added
#   *whole* to every context row, as the C code and gensim (``cbow_mean=1``) do;
# * subsampling with the C rule (:func:`~wvlib.word2vec.tables.keep_probability`),
#   drawn anew in every epoch;
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
#: Words of a job (at most; a longer sentence is a job of its own): gensim's batch_words.
JOB_WORDS = 10_000
_LIMIT = np.float32(MAX_EXP)
_ONE = np.float32(1.0)
_ZERO = np.float32(0.0)


def _tables(n=SIGMOID_TABLE_SIZE, limit=MAX_EXP):
    """σ(x) and softplus(−x) = −log σ(x) at n + 1 points spanning [−limit, limit]."""
    x = np.linspace(-limit, limit, n + 1)
    return (sigmoid(x).astype(np.float32), (-log_sigmoid(x)).astype(np.float32))


_SIGMOID, _NEG_LOG_SIGMOID = _tables()
_TABLE_SCALE = np.float32(SIGMOID_TABLE_SIZE / (2 * MAX_EXP))
_TABLE_LAST = SIGMOID_TABLE_SIZE - 1


@njit(runtime=False, inline=True)
def sigmoid_and_loss(f):
    """σ(f) and −log σ(f), interpolated linearly in the tables (errors < 2e-7, 2e-6)."""
    fc = min(max(f, -_LIMIT), _LIMIT)
    x = (fc + _LIMIT) * _TABLE_SCALE
    i = min(np.int64(x), _TABLE_LAST)
    t = x - np.float32(i)
    s = _SIGMOID[i] + t * (_SIGMOID[i + 1] - _SIGMOID[i])
    loss = _NEG_LOG_SIGMOID[i] + t * (_NEG_LOG_SIGMOID[i + 1] - _NEG_LOG_SIGMOID[i])
    return s, loss + max(_ZERO, fc - f)      # −log σ(f) ≈ −f below −MAX_EXP


@njit(runtime=False, inline=True)
def draw_negative(alias_prob, alias_word, state):
    """One draw from the noise distribution by the alias method: pick a column
    uniformly, keep it with its probability, else take its alias. Returns (word, new
    state)."""
    state = lcg_next(state)
    column = lcg_below(state, alias_prob.shape[0])
    state = lcg_next(state)
    if lcg_uniform(state) < alias_prob[column]:
        return column, state
    return np.int64(alias_word[column]), state


@njit
def draw_negatives(alias_prob, alias_word, seed, n):
    """n noise words drawn by the kernel's own generator and sampler (for tests)."""
    out = np.empty(n, dtype=np.int64)
    state = np.uint64(seed)
    for i in range(n):
        out[i], state = draw_negative(alias_prob, alias_word, state)
    return out


@njit(runtime=False, inline=True)
def neg_step(H, r, W_out, target, negs, alpha, neu1e):
    """One SGD step of negative sampling for the input vector h = ``H[r]``.

    Parameters: ``H`` (n×d float32) holds h in row ``r``; ``W_out`` (|V|×d float32) the
    output vectors, updated in place; ``target`` the observed output word; ``negs`` (int64)
    the noise words (one equal to ``target`` is skipped, as in the C code); ``alpha`` the
    learning rate; ``neu1e`` (d float32) a work vector to which −α·∂J/∂h is *added* (the
    caller zeroes it and applies it to its input rows). Returns the loss
    −log σ(u_target·h) − Σ log σ(−u_neg·h).

    The output rows are updated one after the other, as in the C code: with distinct
    noise words this is exactly one SGD step on
    :func:`~wvlib.word2vec.reference.neg_sampling_loss_and_grads`; a noise word drawn twice
    sees its own first update the second time. (Compiled without numba's runtime and
    inlined, see :mod:`wvlib._jit`: no reference is counted when it is called. The error
    and the update share one loop over the row: numba cannot tell the compiler that the
    arrays do not overlap, and two loops cost 15-25% of the speed.)"""
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
        s, neg_log_s = sigmoid_and_loss(f)
        g = (label - s) * alpha
        # −log σ(−f) = −log σ(f) + f
        loss += neg_log_s + (_ZERO if d == 0 else f)
        for j in range(dim):
            u = W_out[t, j]
            neu1e[j] += g * u
            W_out[t, j] = u + g * H[r, j]
    return loss


@njit(runtime=False, inline=True)
def hs_step(H, r, W_out, points, codes, code_len, word, alpha, neu1e):
    """One SGD step of hierarchical softmax for ``word``, input vector h = ``H[r]``.

    ``W_out`` ((|V|−1)×d float32) holds the inner-node vectors, updated in place;
    ``points``, ``codes``, ``code_len`` are the paths of
    :func:`~wvlib.word2vec.tables.huffman_arrays`; at each node of the path the label is
    1 − code, as in the C code. −α·∂J/∂h is added to ``neu1e``, as in :func:`neg_step`.
    Returns the loss (as :func:`~wvlib.word2vec.reference.hs_loss_and_grads`)."""
    dim = H.shape[1]
    loss = _ZERO
    for d in range(code_len[word]):
        n = points[word, d]
        code = codes[word, d]
        f = _ZERO
        for j in range(dim):
            f += H[r, j] * W_out[n, j]
        s, neg_log_s = sigmoid_and_loss(f)
        g = (_ONE - np.float32(code) - s) * alpha
        loss += neg_log_s + (_ZERO if code == 0 else f)
        for j in range(dim):
            u = W_out[n, j]
            neu1e[j] += g * u
            W_out[n, j] = u + g * H[r, j]
    return loss


@njit(runtime=False, inline=True)
def sg_step(W_in, W_neg, W_hs, inp, target, negs, points, codes, code_len, use_hs,
            use_neg, alpha, neu1e):
    """One skip-gram SGD step: the input vector of ``inp`` predicts ``target``."""
    dim = W_in.shape[1]
    for j in range(dim):
        neu1e[j] = _ZERO
    loss = _ZERO
    if use_hs:
        loss += hs_step(W_in, inp, W_hs, points, codes, code_len, target, alpha, neu1e)
    if use_neg:
        loss += neg_step(W_in, inp, W_neg, target, negs, alpha, neu1e)
    for j in range(dim):
        W_in[inp, j] += neu1e[j]
    return loss


@njit(runtime=False, inline=True)
def predict(W_in, rows, n_rows, scale, W_neg, W_hs, target, negs, points, codes, code_len,
            use_hs, use_neg, alpha, neu1, neu1e):
    """One SGD step for an input vector made of several rows of ``W_in``.

    h = ``scale`` · Σ_i W_in[rows[i]] (i < ``n_rows``) predicts ``target`` by hierarchical
    softmax and/or negative sampling (:func:`hs_step`, :func:`neg_step`); then −α·∂J/∂h is
    added *whole* to every one of the rows, as the C code does for CBOW's context words and
    fastText for a word's subwords (a row listed twice receives it twice). ``neu1`` is a
    (1, d) work array for h, ``neu1e`` a (d,) one for the error. Returns the loss."""
    dim = W_in.shape[1]
    for j in range(dim):
        neu1[0, j] = _ZERO
        neu1e[j] = _ZERO
    for i in range(n_rows):
        c = rows[i]
        for j in range(dim):
            neu1[0, j] += W_in[c, j]
    for j in range(dim):
        neu1[0, j] *= scale
    loss = _ZERO
    if use_hs:
        loss += hs_step(neu1, 0, W_hs, points, codes, code_len, target, alpha, neu1e)
    if use_neg:
        loss += neg_step(neu1, 0, W_neg, target, negs, alpha, neu1e)
    for i in range(n_rows):
        c = rows[i]
        for j in range(dim):
            W_in[c, j] += neu1e[j]
    return loss


@njit(runtime=False, inline=True)
def cbow_step(W_in, W_neg, W_hs, ctx, n_ctx, target, negs, points, codes, code_len,
              use_hs, use_neg, alpha, neu1, neu1e):
    """One CBOW SGD step: the mean of the n_ctx context vectors predicts ``target``
    (:func:`predict` with scale 1/n_ctx). ``neu1`` is a (1, d) work array for that mean."""
    return predict(W_in, ctx, n_ctx, _ONE / np.float32(n_ctx), W_neg, W_hs, target, negs,
                   points, codes, code_len, use_hs, use_neg, alpha, neu1, neu1e)


@njit(runtime=False, inline=True)
def subsample(tokens, start, stop, keep, state, out):
    """Copy tokens[start:stop] into out, dropping each word w with prob. 1 − keep[w]."""
    n = 0
    for i in range(start, stop):
        w = tokens[i]
        if keep[w] < _ONE:
            state = lcg_next(state)
            if lcg_uniform(state) >= keep[w]:
                continue
        out[n] = w
        n += 1
    return n, state


@njit
def train_job(tokens, starts, first, stop, W_in, row_ptr, row_ids, widest, W_neg, W_hs,
              keep, alias_prob, alias_word, points, codes, code_len, sg, use_hs, negative,
              window, alpha0, min_alpha, words_before, total_words, seed):
    """SGD over the sentences ``first .. stop − 1`` (one job), on shared matrices.

    ``tokens[starts[s]:starts[s + 1]]`` is sentence ``s`` (word ids). The input vector of
    word ``w`` is the sum of the rows ``row_ids[row_ptr[w]:row_ptr[w + 1]]`` of ``W_in``,
    averaged (:func:`predict`); word2vec's map is :func:`identity_rows`; ``widest`` is the
    most rows a word has. For every position
    of a subsampled sentence a window ``b`` is drawn; skip-gram predicts the position's word
    from each context word's input (:func:`sg_step` for one row), CBOW from the mean of all
    context rows. The learning rate decays linearly with the words done: those of the jobs
    finished before this one started (``words_before``, the trainer's shared count) plus this
    job's, over ``total_words``. Random numbers come from the generator seeded with ``seed``
    (one seed per job, whichever thread runs it).

    Returns
    -------
    loss : float
        Sum of the predictions' losses.
    predictions, words : int
        Number of predictions; words of the job (before subsampling).
    """
    dim = W_in.shape[1]
    longest = 1
    for s in range(first, stop):
        longest = max(longest, starts[s + 1] - starts[s])
    sen = np.empty(longest, dtype=np.int32)
    neu1 = np.zeros((1, dim), dtype=np.float32)
    neu1e = np.zeros(dim, dtype=np.float32)
    negs = np.empty(negative, dtype=np.int64)
    ctx = np.empty(2 * window * widest, dtype=np.int64)
    return _run_job(tokens, starts, first, stop, W_in, row_ptr, row_ids, W_neg, W_hs, keep,
                    alias_prob, alias_word, points, codes, code_len, sg, use_hs, negative,
                    window, alpha0, min_alpha, words_before, total_words, seed, sen, neu1,
                    neu1e, negs, ctx)


@njit(runtime=False)
def _run_job(tokens, starts, first, stop, W_in, row_ptr, row_ids, W_neg, W_hs, keep,
             alias_prob, alias_word, points, codes, code_len, sg, use_hs, negative, window,
             alpha0, min_alpha, words_before, total_words, seed, sen, neu1, neu1e, negs, ctx):
    """:func:`train_job`'s loop, without numba's runtime (:mod:`wvlib._jit`): its work
    arrays ``sen`` (the longest sentence), ``neu1`` (1×d), ``neu1e`` (d), ``negs``
    (``negative``) and ``ctx`` (2·window·widest) come from :func:`train_job`."""
    state = seed
    loss = 0.0
    n_pred = 0
    done = 0
    for s in range(first, stop):
        progress = min(1.0, (words_before + done) / total_words)
        alpha = np.float32(max(min_alpha, alpha0 - (alpha0 - min_alpha) * progress))
        n, state = subsample(tokens, starts[s], starts[s + 1], keep, state, sen)
        done += starts[s + 1] - starts[s]
        for pos in range(n):
            word = sen[pos]
            state = lcg_next(state)
            b = lcg_below(state, window)
            lo = max(0, pos - window + b)
            hi = min(n, pos + window - b + 1)
            if sg:
                for c in range(lo, hi):
                    if c == pos:
                        continue
                    for k in range(negative):
                        negs[k], state = draw_negative(alias_prob, alias_word, state)
                    w = sen[c]
                    m = row_ptr[w + 1] - row_ptr[w]
                    if m == 1:
                        loss += sg_step(W_in, W_neg, W_hs, row_ids[row_ptr[w]], word,
                                        negs, points, codes, code_len, use_hs,
                                        negative > 0, alpha, neu1e)
                    else:
                        for i in range(m):
                            ctx[i] = row_ids[row_ptr[w] + i]
                        loss += predict(W_in, ctx, m, _ONE / np.float32(m), W_neg, W_hs,
                                        word, negs, points, codes, code_len, use_hs,
                                        negative > 0, alpha, neu1, neu1e)
                    n_pred += 1
            else:
                m = 0
                for c in range(lo, hi):
                    if c != pos:
                        w = sen[c]
                        for i in range(row_ptr[w], row_ptr[w + 1]):
                            ctx[m] = row_ids[i]
                            m += 1
                if m == 0:
                    continue
                for k in range(negative):
                    negs[k], state = draw_negative(alias_prob, alias_word, state)
                loss += cbow_step(W_in, W_neg, W_hs, ctx, m, word, negs, points, codes,
                                  code_len, use_hs, negative > 0, alpha, neu1, neu1e)
                n_pred += 1
    return loss, n_pred, done


def identity_rows(n_words):
    """word2vec's map word → rows of ``W_in`` for :func:`train_job`: word ``w`` is row
    ``w`` (``row_ptr = 0..V``, ``row_ids = 0..V−1``)."""
    return (np.arange(n_words + 1, dtype=np.int64), np.arange(n_words, dtype=np.int32))


def empty_job_args(dim):
    """Arguments of :func:`train_job` with the types of a real call and no sentence to
    train on (``first == stop``): for :func:`warm_up`, and for measuring what a job costs
    besides its work (``wvlib bench queue``)."""
    f32 = np.zeros((1, dim), dtype=np.float32)
    row_ptr, row_ids = identity_rows(1)
    return (np.zeros(1, np.int32), np.zeros(2, np.int64), 0, 0, f32, row_ptr, row_ids, 1,
            f32, f32, np.ones(1, np.float32), np.ones(1, np.float32),
            np.zeros(1, np.int32), np.zeros((1, 1), np.int32), np.zeros((1, 1), np.int8),
            np.zeros(1, np.int32), True, False, 0, 1, 0.025, 1e-4, 0, 1, np.uint64(1))


def warm_up(dim):
    """Compile (or load from numba's cache) the training kernel with the argument types
    of a real call, on empty input: this is the one-off JIT cost of a process."""
    train_job(*empty_job_args(dim))
