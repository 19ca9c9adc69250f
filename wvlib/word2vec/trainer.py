"""The word2vec trainer: :class:`Word2Vec` (skip-gram or CBOW; negative sampling and/or
hierarchical softmax) and the commands ``wvlib train sgns`` and ``wvlib train cbow``.

The same algorithm as the original C code and gensim, fast enough for real corpora: the
corpus is read once into an int32 array of word ids (:mod:`wvlib.encoded`; a file is streamed),
the vocabulary and the tables (:mod:`wvlib.word2vec.tables`) are built in NumPy, and the SGD
runs in the compiled kernels of :mod:`wvlib.word2vec.kernels`, whose updates equal the NumPy
reference (:mod:`wvlib.word2vec.reference`) to float32 precision (tested). The corpus is cut
into sentences of at most 10,000 words and those into jobs of at most 10,000 words
(:func:`sentence_starts`, :func:`job_bounds`), each with its own seed in each epoch; the
threads take the jobs of all epochs from one queue (:func:`wvlib.jobs.run_jobs`).
"""
from __future__ import annotations

import numbers
import time

import numpy as np

from .._validate import check_float, check_positive_int
from ..jobs import run_jobs
from ..methods import validates
from .kernels import JOB_WORDS, identity_rows, train_job, warm_up
from .reference import _check_vocab_vs
from .tables import alias_table, build_huffman, huffman_arrays, keep_probability

__all__ = ["Word2Vec", "train_sgns", "train_cbow"]

#: Longer documents are cut into pieces of this many words, as gensim does.
MAX_SENTENCE_LENGTH = 10_000


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def sentence_starts(offsets, max_length=MAX_SENTENCE_LENGTH):
    """Where each sentence starts in the id array of an EncodedCorpus: its documents cut into
    pieces of at most ``max_length`` words (empty documents give none); the last entry is
    the end of the ids."""
    offsets = np.asarray(offsets, dtype=np.int64)
    lengths = np.diff(offsets)
    pieces = (lengths + max_length - 1) // max_length
    doc = np.repeat(np.arange(len(lengths)), pieces)
    first = np.repeat(np.cumsum(pieces) - pieces, pieces)
    within = (np.arange(int(pieces.sum())) - first) * max_length
    return np.append(offsets[doc] + within, offsets[-1]).astype(np.int64)


def job_bounds(word_starts, job_words=JOB_WORDS):
    """Cut the sentences into jobs: runs of consecutive sentences of at most ``job_words``
    words together (a longer sentence is a job of its own). Returns the sentence numbers
    where the jobs start, and the number of sentences at the end."""
    word_starts = np.asarray(word_starts)
    n_sentences = len(word_starts) - 1
    bounds = [0]
    while bounds[-1] < n_sentences:
        first = bounds[-1]
        stop = int(np.searchsorted(word_starts, word_starts[first] + job_words,
                                   side="right")) - 1
        bounds.append(min(max(stop, first + 1), n_sentences))
    return np.array(bounds, dtype=np.int64)


def run_sentence_jobs(train, word_starts, bounds, epochs, threads, *, desc, verbose=None):
    """Train on the jobs ``bounds`` (:func:`job_bounds`) for ``epochs`` epochs: the jobs of all
    epochs on one queue of ``threads`` threads (:func:`wvlib.jobs.run_jobs`), a progress bar
    with the mean loss and the speed, per-thread counters. ``train(j, epoch, done_before,
    total)`` runs job ``j`` of ``epoch`` (``done_before``: the words of the jobs finished when
    it started; ``total``: the words of all epochs) and returns its loss, predictions and
    words. Shared by the word2vec and fastText trainers.

    Returns
    -------
    dict
        ``train_seconds``, ``words_per_second``, ``loss_history`` (mean loss per prediction,
        per epoch), ``thread_counters`` (threads × epochs × (loss, predictions, words)) and
        ``schedule`` (number of jobs per epoch, jobs run and busy seconds per thread).
    """
    from ..progress import progress

    n_jobs = len(bounds) - 1
    job_words = np.diff(np.asarray(word_starts)[bounds])
    total = int(word_starts[-1]) * epochs
    counters = np.zeros((threads, epochs, 3))      # loss, predictions, words

    def job(g, t, done_before):
        epoch, j = divmod(g, n_jobs)
        counters[t, epoch] += train(j, epoch, done_before, total)

    bar = progress(total=total, desc=desc, unit="word", verbose=verbose)
    shown = [0]

    def report(done):
        bar.update(done - shown[0])
        shown[0] = done
        sums = counters.sum(axis=(0, 1))
        speed = done / max(time.perf_counter() - start, 1e-9)
        bar.set_postfix_str(f"loss {sums[0] / max(sums[1], 1):.4f}, {speed:,.0f} words/s")

    start = time.perf_counter()
    try:
        schedule = run_jobs(job, n_jobs * epochs, threads, sizes=np.tile(job_words, epochs),
                            report=report)
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    return dict(train_seconds=seconds, words_per_second=total / max(seconds, 1e-9),
                loss_history=[float(loss / max(n, 1)) for loss, n, _ in counters.sum(axis=0)],
                thread_counters=counters,
                schedule=dict(n_jobs=n_jobs, jobs=schedule["jobs"], busy=schedule["busy"]))


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
        one uniformly from 1..window (see :func:`~wvlib.word2vec.tables.dynamic_window_weights`).
    min_count : int, default 5
        Words seen fewer times are dropped before training.
    sample : float, default 1e-3
        Subsampling threshold t of :func:`~wvlib.word2vec.tables.keep_probability` (0: no subsampling).
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
        They take jobs of at most 10,000 words from one queue (:mod:`wvlib.jobs`), so a
        thread never waits for another until the last job.
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
    thread_counters : numpy.ndarray, shape (threads, epochs, 3)
        What each thread did in each epoch: the sum of its predictions' losses, the number
        of predictions, the words of its jobs (their sums over threads make
        ``loss_history`` and the words of the corpus).
    schedule : dict
        ``n_jobs`` (per epoch), ``jobs`` and ``busy`` (jobs run and seconds spent in them,
        per thread) of :func:`wvlib.jobs.run_jobs`.

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
        corpus : Corpus, TextCorpus, EncodedCorpus or list of list of str
            Read once into an int32 array of word ids (:func:`wvlib.encoded.encode_corpus`);
            a :class:`~wvlib.corpus.TextCorpus` is streamed from its file.
        verbose : bool, optional
            Progress bar with words/s and the running loss (default: when stderr is a
            terminal; see :mod:`wvlib.progress`).

        Returns
        -------
        self
        """
        from ..corpus import TextCorpus, as_documents
        from ..encoded import EncodedCorpus, encode_corpus
        from ..vectors import KeyedVectors

        prm = self._checked_params()
        if not isinstance(corpus, (TextCorpus, EncodedCorpus)):
            corpus = as_documents(corpus, "corpus")
            if not any(len(doc) for doc in corpus):
                raise ValueError("corpus is empty: pass at least one non-empty document")
        corpus = encode_corpus(corpus, min_count=prm["min_count"])
        vocab = corpus.vocab
        V, dim = len(vocab), prm["dim"]
        _check_vocab_vs(V, window=prm["window"], negative=prm["negative"] or None)
        tokens = corpus.ids
        word_starts = sentence_starts(corpus.offsets)
        del corpus
        n_words = int(word_starts[-1])
        if n_words == 0:
            raise ValueError("corpus has no token in the vocabulary")
        keep = keep_probability(vocab.counts, prm["sample"]).astype(np.float32)
        alias_prob, alias_word = alias_table(vocab.counts)
        tree = build_huffman(vocab.counts) if prm["hs"] else None
        if tree is not None:
            points, codes, code_len = huffman_arrays(tree)
        else:
            points = np.zeros((1, 1), np.int32)
            codes = np.zeros((1, 1), np.int8)
            code_len = np.zeros(1, np.int32)

        rng = np.random.default_rng(prm["seed"])
        W_in = ((rng.random((V, dim), dtype=np.float32) - np.float32(0.5))
                / np.float32(dim))
        W_neg = np.zeros((V if prm["negative"] else 1, dim), dtype=np.float32)
        W_hs = np.zeros((V - 1 if prm["hs"] else 1, dim), dtype=np.float32)
        row_ptr, row_ids = identity_rows(V)            # a word2vec word is one row

        # jobs of at most JOB_WORDS words, each with its own seed in every epoch
        bounds = job_bounds(word_starts)
        n_jobs, epochs = len(bounds) - 1, prm["epochs"]
        seeds = rng.integers(1, 2 ** 63, size=(epochs, n_jobs),
                             dtype=np.int64).astype(np.uint64)

        start = time.perf_counter()
        warm_up(dim)
        self.compile_seconds = time.perf_counter() - start

        args = (W_in, row_ptr, row_ids, 1, W_neg, W_hs, keep, alias_prob, alias_word,
                points, codes, code_len, prm["sg"], prm["hs"], prm["negative"],
                prm["window"], prm["alpha"], prm["min_alpha"])

        def train(j, epoch, done_before, total):
            return train_job(tokens, word_starts, bounds[j], bounds[j + 1], *args,
                             done_before, total, seeds[epoch, j])

        result = run_sentence_jobs(train, word_starts, bounds, epochs, prm["threads"],
                                   desc="word2vec " + ("sg" if prm["sg"] else "cbow"),
                                   verbose=verbose)
        for name, value in result.items():
            setattr(self, name, value)
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

    def __repr__(self) -> str:
        kind = "skip-gram" if self.sg else "CBOW"
        obj = " + ".join(([f"negative={self.negative}"] if self.negative else [])
                         + (["hs"] if self.hs else []))
        return f"Word2Vec({kind}, {obj}, dim={self.dim}, window={self.window})"


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
