"""The compiled fastText trainer: skip-gram with negative sampling on subword vectors.

:class:`FastText` trains the model of Bojanowski et al. (2017) as the reference code does
(``FastText::skipgram`` and ``Model::update``), in float32 with Hogwild threads, on the
compiled kernels of word2vec (:mod:`wvlib.word2vec`): the same negative-sampling step, the
same jobs of at most 10,000 words on one queue (:mod:`wvlib.jobs`), each with its own random
numbers, the same alias table of the noise distribution and the same subsampling. What fastText adds is the input side:

* every vocabulary word w has a list of rows of the input matrix Z: its own row, then one row
  per character n-gram (``minn``..``maxn`` characters of ``<w>``), the n-gram's bucket
  ``fnv1a(g) mod bucket`` (:mod:`.subwords`);
* at every position, the centre word's vector is the **mean** of its rows,
  h = (1/n) Σ_g z_g (the reference code's choice; the paper writes the sum, see
  :mod:`.reference`), and it predicts each context word of the dynamic window against
  ``negative`` noise words;
* the error −η ∂J/∂h of each prediction is added whole to every row of the list;
* a noise word equal to the word predicted is drawn again (:func:`draw_noise_except`), so
  every prediction has exactly ``negative`` noise words (word2vec's C code skips it).

Two things make it cheaper than the reference code, without changing what it computes:

**Only the used buckets get a row.** The buckets of the vocabulary's n-grams are renumbered
0..m−1 (m ≤ ``bucket``, and usually far fewer: a 9,000-word vocabulary uses about 10^5 of
the 2·10^6 buckets), so Z has |V| + m rows instead of |V| + ``bucket``. Collisions are those
of the full table (n-grams are hashed modulo ``bucket`` first); rows no vocabulary word uses
would never be read or written in training anyway. An unseen word's n-gram whose bucket has
no row counts as a zero row (:mod:`.keyedvectors`).

**h is computed once per position.** The reference code recomputes the mean of the n rows
for each of the up to 2·``window`` context words of a position, and writes the n rows after
each. Here h is summed once, moved after each prediction by exactly what the row updates
would have moved it (by s·e, where e is the error added to each listed row and s = Σ_g
m_g²/n for a row listed m_g times: 1 when no row repeats), and the summed error is added to
the rows once, at the end of the position. With one thread this is the same arithmetic as
the reference code's (the rows are read only through h in between; tested against
:func:`wvlib.fasttext.reference.sgd_step`); with several, the rows are shared Hogwild-style
as before.

Defaults are the reference code's: d = 100, window 5, 5 negatives drawn from U^{1/2} (the
reference code's exponent; word2vec uses 3/4), subsampling t = 10^−4, learning rate 0.05
decaying linearly to 0, 5 epochs, minimum count 5, n-grams of 3 to 6 characters,
2,000,000 buckets, input rows initialised uniformly in [−1/d, 1/d], context vectors at 0.
"""
from __future__ import annotations

import numbers
import time

import numpy as np

from .._jit import njit
from .._validate import check_float, check_positive_int
from ..methods import validates
from ..word2vec.kernels import draw_negative, lcg_below, lcg_next, neg_step, subsample
from ..word2vec.tables import alias_table, keep_probability
from ..word2vec.trainer import job_bounds, run_sentence_jobs
from .keyedvectors import FastTextKeyedVectors
from .subwords import check_ngram_range, vocabulary_buckets

__all__ = ["FastText", "subword_rows", "train_fasttext"]

MAX_SENTENCE_LENGTH = 10_000      # longer documents are cut into pieces, as gensim does
_ZERO = np.float32(0.0)


def subword_rows(words, minn=3, maxn=6, bucket=2_000_000):
    """The rows of the input matrix that make up each vocabulary word.

    Parameters
    ----------
    words : sequence of str
        The vocabulary, |V| words.
    minn, maxn, bucket : int

    Returns
    -------
    ptr : numpy.ndarray of int64, shape (|V| + 1,)
    rows : numpy.ndarray of int32
        Word k is the mean of the rows ``rows[ptr[k]:ptr[k + 1]]``: first k itself, then
        |V| + j for each of its n-grams, j being the n-gram's bucket renumbered among the
        buckets in use.
    used : numpy.ndarray of int64, shape (m,)
        The buckets in use, sorted: row |V| + j of the input matrix is bucket ``used[j]``.
    """
    ptr, buckets = vocabulary_buckets(words, minn, maxn, bucket)
    used, compact = np.unique(buckets, return_inverse=True)
    n = len(ptr) - 1
    out_ptr = ptr + np.arange(n + 1)
    rows = np.empty(int(out_ptr[-1]), dtype=np.int32)
    first = np.zeros(rows.size, dtype=bool)
    first[out_ptr[:-1]] = True
    rows[first] = np.arange(n)
    rows[~first] = n + compact.reshape(-1)
    return out_ptr, rows, used


def _row_repeat_scale(ptr, rows):
    """s = Σ_g m_g² / n per word (1 when no row repeats; see the module docstring)."""
    scale = np.ones(len(ptr) - 1, dtype=np.float32)
    for k in np.flatnonzero(np.diff(ptr) > 1):
        _, m = np.unique(rows[ptr[k]:ptr[k + 1]], return_counts=True)
        if m.max() > 1:
            scale[k] = np.float32((m.astype(np.float64) ** 2).sum() / (ptr[k + 1] - ptr[k]))
    return scale


# --------------------------------------------------------------------------------------
# the compiled kernels
# --------------------------------------------------------------------------------------

@njit(runtime=False, inline=True)
def draw_noise_except(alias_prob, alias_word, target, out, state):
    """Fill ``out`` with noise words none of which is ``target``: a draw equal to it is
    drawn again, as the reference code does (``NegativeSamplingLoss::getNegative``; the
    word2vec C code skips it instead, leaving one noise word fewer). Returns the new state
    of the generator."""
    for k in range(out.shape[0]):
        out[k], state = draw_negative(alias_prob, alias_word, state)
        while out[k] == target:
            out[k], state = draw_negative(alias_prob, alias_word, state)
    return state


@njit(runtime=False, inline=True)
def centre_step(Z, W_neg, rows, start, stop, scale, targets, n_targets, negs, alpha, h,
                neu1e, acc):
    """The predictions of one position: the centre word, the mean h of its rows
    ``rows[start:stop]``, predicts each of ``targets[:n_targets]`` against the noise words
    ``negs[i]`` (word2vec's :func:`neg_step`); the summed error goes to every row at the
    end. ``h`` is a (1, d) work array, ``neu1e`` and ``acc`` (d,) ones. Returns the loss."""
    dim = Z.shape[1]
    n = stop - start
    for j in range(dim):
        h[0, j] = _ZERO
        acc[j] = _ZERO
    for i in range(start, stop):
        r = rows[i]
        for j in range(dim):
            h[0, j] += Z[r, j]
    inv = np.float32(1.0) / np.float32(n)
    for j in range(dim):
        h[0, j] *= inv
    loss = _ZERO
    for t in range(n_targets):
        for j in range(dim):
            neu1e[j] = _ZERO
        loss += neg_step(h, 0, W_neg, targets[t], negs[t], alpha, neu1e)
        for j in range(dim):
            acc[j] += neu1e[j]
            h[0, j] += scale * neu1e[j]
    if n_targets > 0:
        for i in range(start, stop):
            r = rows[i]
            for j in range(dim):
                Z[r, j] += acc[j]
    return loss


@njit
def train_job(tokens, starts, first, stop, Z, W_neg, sub_ptr, sub_rows, sub_scale, keep,
              alias_prob, alias_word, negative, window, alpha0, min_alpha, words_before,
              total_words, seed):
    """Hogwild SGD over the sentences ``first .. stop − 1`` (one job of the queue of
    :func:`wvlib.jobs.run_jobs`), on shared matrices. The learning rate decays with the
    words done: those of the jobs finished before this one started (``words_before``) plus
    this job's, over ``total_words``; random numbers come from the generator seeded with
    ``seed`` (one per job, whichever thread runs it). Returns the sum of the losses, the
    number of predictions and the words of the job."""
    dim = Z.shape[1]
    longest = 1
    for s in range(first, stop):
        longest = max(longest, starts[s + 1] - starts[s])
    sen = np.empty(longest, dtype=np.int32)
    h = np.zeros((1, dim), dtype=np.float32)
    neu1e = np.zeros(dim, dtype=np.float32)
    acc = np.zeros(dim, dtype=np.float32)
    negs = np.empty((2 * window, negative), dtype=np.int64)
    targets = np.empty(2 * window, dtype=np.int64)
    return _run_job(tokens, starts, first, stop, Z, W_neg, sub_ptr, sub_rows, sub_scale, keep,
                    alias_prob, alias_word, negative, window, alpha0, min_alpha,
                    words_before, total_words, seed, sen, h, neu1e, acc, negs, targets)


@njit(runtime=False)
def _run_job(tokens, starts, first, stop, Z, W_neg, sub_ptr, sub_rows, sub_scale, keep,
             alias_prob, alias_word, negative, window, alpha0, min_alpha, words_before,
             total_words, seed, sen, h, neu1e, acc, negs, targets):
    """:func:`train_job`'s loop, without numba's runtime (:mod:`wvlib._jit`); its work
    arrays come from :func:`train_job`."""
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
            m = 0
            for c in range(max(0, pos - window + b), min(n, pos + window - b + 1)):
                if c == pos:
                    continue
                targets[m] = sen[c]
                state = draw_noise_except(alias_prob, alias_word, targets[m], negs[m], state)
                m += 1
            loss += centre_step(Z, W_neg, sub_rows, sub_ptr[word], sub_ptr[word + 1],
                                sub_scale[word], targets, m, negs, alpha, h, neu1e, acc)
            n_pred += m
    return loss, n_pred, done


def warm_up(dim):
    """Compile (or load from numba's cache) the training kernel with the argument types
    of a real call, on empty input: the one-off JIT cost of a process."""
    f32 = np.zeros((1, dim), dtype=np.float32)
    train_job(np.zeros(1, np.int32), np.zeros(2, np.int64), np.int64(0), np.int64(0), f32,
              f32, np.zeros(2, np.int64), np.zeros(1, np.int32), np.ones(1, np.float32),
              np.ones(1, np.float32), np.ones(1, np.float32), np.zeros(1, np.int32), 1, 1,
              np.float32(0.05), np.float32(0.0), 0, 1, np.uint64(1))


# --------------------------------------------------------------------------------------
# the trainer
# --------------------------------------------------------------------------------------

def _encode(vocab, documents):
    """All documents as one int32 array of word ids (unknown tokens dropped) and the start
    of every sentence, documents cut at MAX_SENTENCE_LENGTH words."""
    pieces, lengths = [], []
    for doc in vocab.encode_documents(documents):
        for i in range(0, len(doc), MAX_SENTENCE_LENGTH):
            pieces.append(doc[i:i + MAX_SENTENCE_LENGTH])
            lengths.append(len(pieces[-1]))
    tokens = np.concatenate(pieces).astype(np.int32) if pieces else np.zeros(0, np.int32)
    return tokens, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


class FastText:
    """fastText's skip-gram with subword vectors (Bojanowski et al. 2017), trained by
    Hogwild SGD in compiled float32 code, following the reference code.

    Parameters
    ----------
    dim : int, default 100
    minn, maxn : int, default 3 and 6
        Lengths of the character n-grams of ``<word>``; ``maxn=0``: no n-grams (then a
        word is its own row only, and the model is skip-gram with negative sampling).
    bucket : int, default 2,000,000
        Number of hash buckets for the n-grams (only those in use get a row).
    window : int, default 5
        Maximum distance; at each position the window is drawn uniformly from 1..window.
    min_count : int, default 5
    negative : int, default 5
        Noise words per prediction.
    sample : float, default 1e-4
        Subsampling threshold t (:func:`wvlib.word2vec.keep_probability`; 0: off).
    alpha : float, default 0.05
        Initial learning rate η, decaying linearly to ``min_alpha`` over all epochs.
    min_alpha : float, default 0.0
    ns_exponent : float, default 0.5
        Noise distribution P_n(w) ∝ #(w)^ns_exponent (0.5 in the reference code, 0.75 in
        word2vec).
    epochs : int, default 5
    seed : int, default 0
        Seeds the initial vectors and every job's random numbers; with ``threads=1``
        training is deterministic.
    threads : int, default 2
    keep_context : bool, default False
        Keep the context vectors ``W_out`` and the input rows ``Z`` after training.

    Attributes
    ----------
    wv : wvlib.fasttext.FastTextKeyedVectors
        Set by :meth:`fit`, as all attributes below. ``wv[word]`` for any word;
        ``word in wv`` only for the vocabulary.
    vocab : wvlib.corpus.Vocabulary
    sub_ptr, sub_rows : numpy.ndarray
        The rows of each word (:func:`subword_rows`); ``n_buckets_used`` = m.
    Z, W_out : numpy.ndarray (float32) or None
        The input rows (|V| + m) × d and the context vectors |V| × d (``keep_context``).
    loss_history : list of float
        Mean loss per prediction in each epoch.
    words_per_second, train_seconds, compile_seconds : float
        As for :class:`wvlib.word2vec.Word2Vec`.
    """

    def __init__(self, dim=100, minn=3, maxn=6, bucket=2_000_000, window=5, min_count=5,
                 negative=5, sample=1e-4, alpha=0.05, min_alpha=0.0, ns_exponent=0.5,
                 epochs=5, seed=0, threads=2, keep_context=False):
        self.dim, self.minn, self.maxn, self.bucket = dim, minn, maxn, bucket
        self.window, self.min_count, self.negative = window, min_count, negative
        self.sample, self.alpha, self.min_alpha = sample, alpha, min_alpha
        self.ns_exponent, self.epochs, self.seed = ns_exponent, epochs, seed
        self.threads, self.keep_context = threads, keep_context

    def _checked_params(self):
        minn, maxn, bucket = check_ngram_range(self.minn, self.maxn, self.bucket)
        alpha = check_float(self.alpha, "alpha", low=0.0, low_open=True)
        min_alpha = check_float(self.min_alpha, "min_alpha", low=0.0)
        if min_alpha > alpha:
            raise ValueError(f"min_alpha must be at most alpha ({alpha}), got {min_alpha}")
        seed = self.seed
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        if not isinstance(self.keep_context, (bool, np.bool_)):
            raise ValueError(f"keep_context must be True or False, got "
                             f"{self.keep_context!r}")
        return dict(dim=check_positive_int(self.dim, "dim"), minn=minn, maxn=maxn,
                    bucket=bucket, window=check_positive_int(self.window, "window"),
                    min_count=check_positive_int(self.min_count, "min_count"),
                    negative=check_positive_int(self.negative, "negative"),
                    sample=check_float(self.sample, "sample", low=0.0), alpha=alpha,
                    min_alpha=min_alpha,
                    ns_exponent=check_float(self.ns_exponent, "ns_exponent", low=0.0),
                    epochs=check_positive_int(self.epochs, "epochs"), seed=int(seed),
                    threads=check_positive_int(self.threads, "threads"),
                    keep_context=bool(self.keep_context))

    def fit(self, corpus, verbose=None):
        """Build the vocabulary and the n-gram rows of ``corpus`` and train.

        Parameters
        ----------
        corpus : wvlib.corpus.Corpus or list of list of str
        verbose : bool, optional
            Progress bar (default: when stderr is a terminal).

        Returns
        -------
        self
        """
        from ..corpus import Vocabulary, as_documents

        prm = self._checked_params()
        documents = as_documents(corpus, "corpus")
        if not any(len(doc) for doc in documents):
            raise ValueError("corpus is empty: pass at least one non-empty document")
        vocab = Vocabulary.build(documents, min_count=prm["min_count"])
        V, dim = len(vocab), prm["dim"]
        if V <= prm["negative"] or V <= 1:
            raise ValueError(f"negative={prm['negative']} is not smaller than the vocabulary "
                             f"({V} words): use fewer negatives, a larger corpus or a lower "
                             f"min_count")
        tokens, word_starts = _encode(vocab, documents)

        sub_ptr, sub_rows, used = subword_rows(vocab.words, prm["minn"], prm["maxn"],
                                               prm["bucket"])
        sub_scale = _row_repeat_scale(sub_ptr, sub_rows)
        keep = keep_probability(vocab.counts, prm["sample"]).astype(np.float32)
        alias_prob, alias_word = alias_table(vocab.counts, prm["ns_exponent"])

        rng = np.random.default_rng(prm["seed"])
        bound = np.float32(1.0 / dim)
        Z = rng.uniform(-bound, bound, size=(V + used.size, dim)).astype(np.float32)
        W_neg = np.zeros((V, dim), dtype=np.float32)
        threads = prm["threads"]

        # jobs of at most JOB_WORDS words, each with its own seed in every epoch, taken by
        # the threads from one queue that runs through all epochs (wvlib.jobs)
        bounds = job_bounds(word_starts)
        n_jobs, epochs = len(bounds) - 1, prm["epochs"]
        seeds = rng.integers(1, 2 ** 63, size=(epochs, n_jobs),
                             dtype=np.int64).astype(np.uint64)

        start = time.perf_counter()
        warm_up(dim)
        self.compile_seconds = time.perf_counter() - start

        alpha0, min_alpha = np.float32(prm["alpha"]), np.float32(prm["min_alpha"])

        def train(j, epoch, done_before, total):
            return train_job(tokens, word_starts, bounds[j], bounds[j + 1], Z, W_neg, sub_ptr,
                             sub_rows, sub_scale, keep, alias_prob, alias_word,
                             prm["negative"], prm["window"], alpha0, min_alpha, done_before,
                             total, seeds[epoch, j])

        result = run_sentence_jobs(train, word_starts, bounds, epochs, threads,
                                   desc="fastText", verbose=verbose)
        for name, value in result.items():
            setattr(self, name, value)
        self.vocab = vocab
        self.sub_ptr, self.sub_rows = sub_ptr, sub_rows
        self.n_buckets_used = int(used.size)
        self.wv = FastTextKeyedVectors(list(vocab.words), _mean_rows(sub_ptr, sub_rows, Z),
                                       used, Z[V:], minn=prm["minn"], maxn=prm["maxn"],
                                       bucket=prm["bucket"], copy=False)
        self.Z = Z if prm["keep_context"] else None
        self.W_out = W_neg if prm["keep_context"] else None
        return self

    def __repr__(self) -> str:
        return (f"FastText(dim={self.dim}, minn={self.minn}, maxn={self.maxn}, "
                f"bucket={self.bucket}, window={self.window}, negative={self.negative})")


def _mean_rows(ptr, rows, Z):
    """Every word's vector: the mean of its rows (a sparse row-averaging matrix times Z)."""
    import scipy.sparse as sp

    n = len(ptr) - 1
    counts = np.diff(ptr)
    weights = np.repeat(1.0 / counts, counts).astype(np.float32)
    A = sp.csr_matrix((weights, rows, ptr), shape=(n, Z.shape[0]))
    return np.ascontiguousarray(A @ Z, dtype=np.float32)


# --------------------------------------------------------------------------------------
# `wvlib train fasttext` (declared in wvlib/methods.py)
# --------------------------------------------------------------------------------------

@validates("fasttext")
def train_fasttext(corpus, *, dim=100, minn=3, maxn=6, bucket=2_000_000, window=5,
                   min_count=5, negative=5, sample=1e-4, epochs=5, alpha=0.05,
                   ns_exponent=0.5, threads=2, seed=0, verbose=None):
    """fastText vectors (``wvlib train fasttext``): :class:`FastText`.

    Returns
    -------
    wvlib.fasttext.FastTextKeyedVectors
        The vocabulary's vectors, plus what gives unseen words a vector (``wvlib train``
        writes both: the word2vec file and the model file).
    """
    model = FastText(dim=dim, minn=minn, maxn=maxn, bucket=bucket, window=window,
                     min_count=min_count, negative=negative, sample=sample, epochs=epochs,
                     alpha=alpha, ns_exponent=ns_exponent, threads=threads,
                     seed=seed).fit(corpus, verbose=verbose)
    return model.wv
