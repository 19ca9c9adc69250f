"""The simplest training method, ``counts`` (chapter 1), and the entry point of every method.

``counts``: a word's vector is its row of raw co-occurrence counts, restricted to the ``dim``
most frequent context words.

Every training method (``wvlib train METHOD``) is declared in :mod:`wvlib.methods`, which names
the function that trains it; :func:`train` looks it up and calls it.
"""
from __future__ import annotations

import numpy as np

from .methods import METHODS, adapt_dim, validates


def train(method: str, corpus, *, verbose=None, **params):
    """Train word vectors with a registered method.

    Parameters
    ----------
    method : str
        A name of :data:`wvlib.methods.METHODS` (``"counts"``, ``"lsa"``, ``"ppmi-svd"``...).
    corpus : wvlib.corpus.Corpus or list of list of str
    verbose : bool or None
        Progress bars.
    **params
        The method's declared parameters; the others keep their defaults.

    Returns
    -------
    wvlib.vectors.KeyedVectors
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    declared = METHODS[method]
    declared.validate(params)                     # unknown names: TypeError naming them
    return declared.load()(corpus, verbose=verbose, **params)


_COUNTS = METHODS["counts"].params


@validates("counts")
def train_counts(corpus, *, dim=None, window=_COUNTS["window"].default,
                 min_count=_COUNTS["min_count"].default,
                 weighting=_COUNTS["weighting"].default,
                 symmetric=_COUNTS["symmetric"].default,
                 memory=_COUNTS["memory"].default, verbose=None):
    """Vectors = rows of the co-occurrence matrix over the ``dim`` most frequent contexts.

    Parameters
    ----------
    corpus : wvlib.corpus.Corpus or list of list of str
    dim : int or None, default None
        Number of context words (columns) kept, at most the vocabulary size; ``None``: 1000,
        or the vocabulary size when it is smaller.
    window : int, default 5
        Context window radius.
    min_count : int, default 5
        Words rarer than this are dropped.
    weighting : {"uniform", "harmonic"}, default "uniform"
        Weight of a co-occurrence at distance ``d``: 1 or ``1/d``.
    symmetric : bool, default True
        Count contexts on both sides; ``False``: only to the right.
    memory : int, default 1024
        Megabytes for counting (see :func:`wvlib.cooccurrence.count_cooccurrences`).
    verbose : bool or None
        Progress bars.

    Returns
    -------
    wvlib.vectors.KeyedVectors
    """
    from .cooccurrence import cooccurrence_matrix
    from .encoded import encode_corpus
    from .vectors import KeyedVectors
    corpus = encode_corpus(corpus, min_count=min_count)
    vocab = corpus.vocab
    dim = adapt_dim(dim, len(vocab), METHODS["counts"],
                    f"the vocabulary size with min_count={min_count}")
    counts = cooccurrence_matrix(corpus, vocab, window=window, symmetric=symmetric,
                                 weighting=weighting, memory=memory, verbose=verbose)
    # vocabulary ids are in frequency order, so the first dim columns are the top contexts
    return KeyedVectors(list(vocab.words),
                        np.asarray(counts[:, :dim].toarray(), dtype=np.float64))
