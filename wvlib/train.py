"""Training methods for ``python -m wvlib train METHOD``.

Each method lives in the module that implements it and exposes two functions:
``add_train_arguments(parser)`` (its own options) and ``train_from_args(corpus, args)``
(returns :class:`wvlib.vectors.KeyedVectors`). ``METHODS`` maps the command-line name to that
module; the common options (``--dim --window --min-count --seed``) are added by the CLI.

The simplest method, ``counts``, is defined here: a word's vector is its row of raw
co-occurrence counts, restricted to the ``dim`` most frequent context words (chapter 1).
"""
from __future__ import annotations

import numpy as np

METHODS = {
    "counts": ("wvlib.train", "raw co-occurrence counts with the DIM most frequent contexts"),
    "lsa": ("wvlib.lsa", "LSA: truncated SVD of the TF-IDF term-document matrix"),
    "ppmi-svd": ("wvlib.pmi", "truncated SVD of the (shifted, smoothed) PPMI matrix"),
}


TRAIN_DEFAULTS = {"dim": 1000, "window": 5, "min_count": 5}


def add_train_arguments(parser):
    parser.add_argument("--weighting", choices=["uniform", "harmonic"], default="uniform",
                        help="weight of a context at distance d: 1 or 1/d (default: uniform)")
    parser.add_argument("--directed", action="store_true",
                        help="count only contexts to the right of the word")


def train_counts(corpus, *, dim=1000, window=5, min_count=5, weighting="uniform",
                 symmetric=True, verbose=None):
    """Vectors = rows of the co-occurrence matrix over the ``dim`` most frequent contexts."""
    from .corpus import Vocabulary
    from .cooccurrence import cooccurrence_matrix
    from .vectors import KeyedVectors
    from ._validate import check_positive_int
    dim = check_positive_int(dim, "dim")
    vocab = Vocabulary.build(corpus, min_count=min_count)
    if dim > len(vocab):
        raise ValueError(f"dim must be at most the vocabulary size ({len(vocab)} words with "
                         f"min_count={min_count}), got {dim}")
    counts = cooccurrence_matrix(corpus, vocab, window=window, symmetric=symmetric,
                                 weighting=weighting, verbose=verbose)
    # vocabulary ids are in frequency order, so the first dim columns are the top contexts
    return KeyedVectors(list(vocab.words), np.asarray(counts[:, :dim].toarray(), dtype=np.float64))


def train_from_args(corpus, args):
    return train_counts(corpus, dim=args.dim or TRAIN_DEFAULTS["dim"],
                        window=args.window or TRAIN_DEFAULTS["window"],
                        min_count=args.min_count or TRAIN_DEFAULTS["min_count"],
                        weighting=args.weighting, symmetric=not args.directed,
                        verbose=args.verbose)
