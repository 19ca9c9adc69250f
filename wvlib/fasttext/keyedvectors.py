"""fastText vectors: a vector for every word, the model file, its loader.

:class:`FastTextKeyedVectors` is a :class:`wvlib.vectors.KeyedVectors` (the vocabulary
words and their vectors, in word2vec format with ``save_word2vec_format``) that also keeps
the rows of the n-gram buckets, so that ``kv[word]`` works for a word never seen in training:

* a vocabulary word: its vector, the mean of its own row and its n-grams' rows (what the
  reference code's ``getWordVector`` and gensim return);
* any other word: the mean of its n-grams' rows, as in the reference code — over all its
  n-grams, with a bucket that no training word used counting as a zero row (the reference
  code leaves such rows at their small random initial values; we do not store them);
* a word none of whose n-grams' buckets was used in training: ``KeyError``.

``word in kv`` stays true only for vocabulary words (as in :class:`KeyedVectors`);
:meth:`FastTextKeyedVectors.has_vector` says whether ``kv[word]`` works.

The model file (wvlib's own format)
    A NumPy ``.npz`` archive, read without pickle (``np.load(path, allow_pickle=False)``):

    ============== =========================== ==============================================
    array          shape, dtype                content
    ============== =========================== ==============================================
    ``format``     (), str                     ``"wvlib-fasttext"``
    ``version``    (), int64                   1
    ``words``      (|V|,), str                 the vocabulary, in row order
    ``vectors``    (|V|, d), float32           the word vectors (as in the word2vec file)
    ``minn``,      (), int64                   the n-gram lengths and the number of buckets
    ``maxn``,                                  the model was trained with
    ``bucket``
    ``ngram_buckets`` (m,), int64              the buckets some vocabulary word uses,
                                               sorted
    ``ngram_vectors`` (m, d), float32          their rows
    ============== =========================== ==============================================

    Only the m buckets in use are stored (the reference code's ``.bin`` stores all
    ``bucket`` rows: 800 MB for 2,000,000 buckets of 100 float32 numbers). Written by
    :meth:`FastTextKeyedVectors.save` (``wvlib train fasttext`` writes one next to the
    word2vec file), read by :func:`load_model`.
"""
from __future__ import annotations

import os

import numpy as np

from .._io import atomic_write
from ..vectors import KeyedVectors, _unit_rows, _word_list
from .._validate import check_positive_int
from .subwords import check_ngram_range, char_ngrams, ngram_buckets

__all__ = ["FastTextKeyedVectors", "load_model", "MODEL_FORMAT", "MODEL_VERSION"]

MODEL_FORMAT = "wvlib-fasttext"
MODEL_VERSION = 1


class FastTextKeyedVectors(KeyedVectors):
    """Word vectors with subword information: a vector for any word that shares an n-gram
    with the training vocabulary.

    Parameters
    ----------
    words : sequence of str
        The vocabulary.
    vectors : array_like, shape (len(words), d)
        Their vectors.
    ngram_buckets : array_like of int, shape (m,)
        The buckets with a trained row, distinct, in [0, bucket).
    ngram_vectors : array_like, shape (m, d)
        Those rows.
    minn, maxn, bucket : int
        The n-gram lengths and the number of buckets of the model.
    copy : bool, default True
        As for :class:`KeyedVectors` (``vectors`` and ``ngram_vectors``).
    """

    def __init__(self, words, vectors, ngram_buckets, ngram_vectors, *, minn, maxn, bucket,
                 copy=True):
        super().__init__(words, vectors, copy=copy)
        self.minn, self.maxn, self.bucket = check_ngram_range(minn, maxn, bucket)
        buckets = np.asarray(ngram_buckets)
        if buckets.ndim != 1 or (buckets.size and not np.issubdtype(buckets.dtype,
                                                                     np.integer)):
            raise ValueError(f"ngram_buckets must be a 1-D array of integers, got shape "
                             f"{buckets.shape} and dtype {buckets.dtype}")
        buckets = buckets.astype(np.int64)
        if buckets.size and (buckets.min() < 0 or buckets.max() >= self.bucket):
            raise ValueError(f"ngram_buckets must lie in [0, bucket={self.bucket})")
        order = np.argsort(buckets, kind="stable")
        if np.any(np.diff(buckets[order]) == 0):
            raise ValueError("ngram_buckets must be distinct")
        rows = np.asarray(ngram_vectors, dtype=self.vectors.dtype)
        if rows.shape != (buckets.size, self.vector_size):
            raise ValueError(f"ngram_vectors must have one row of {self.vector_size} "
                             f"numbers per bucket ({buckets.size}), got shape {rows.shape}")
        if not np.all(np.isfinite(rows)):
            raise ValueError("ngram_vectors must be finite")
        if np.any(order != np.arange(order.size)):
            rows = rows[order]                    # a copy, in bucket order
        elif copy and np.may_share_memory(rows, ngram_vectors):
            rows = rows.copy()
        rows = np.ascontiguousarray(rows)
        rows.flags.writeable = False
        sorted_buckets = buckets[order]
        sorted_buckets.flags.writeable = False
        self.ngram_buckets = sorted_buckets
        self.ngram_vectors = rows

    def __repr__(self) -> str:
        return (f"FastTextKeyedVectors({len(self)} words, {self.ngram_buckets.size} n-gram "
                f"buckets of {self.bucket}, n-grams {self.minn}-{self.maxn}, "
                f"vector_size={self.vector_size})")

    # -- vectors of any word --------------------------------------------------------------

    def _known_ngram_rows(self, word):
        """(positions in ngram_vectors of the n-grams of word that have a row, number of
        n-grams of word)."""
        buckets = ngram_buckets(word, self.minn, self.maxn, self.bucket) \
            if self.maxn else np.zeros(0, np.int64)
        pos = np.searchsorted(self.ngram_buckets, buckets)
        pos = np.minimum(pos, max(self.ngram_buckets.size - 1, 0))
        found = (self.ngram_buckets.size > 0) & (self.ngram_buckets[pos] == buckets) \
            if buckets.size else np.zeros(0, bool)
        return pos[found], buckets.size

    def has_vector(self, word) -> bool:
        """Whether ``self[word]`` gives a vector: a vocabulary word, or a word with at least
        one n-gram whose bucket has a row."""
        if not isinstance(word, str) or word == "":
            return False
        return word in self.key_to_index or self._known_ngram_rows(word)[0].size > 0

    def get_vector(self, word):
        """The vector of any word (see the module docstring); ``KeyError`` if it has none.

        Returns
        -------
        numpy.ndarray, shape (d,)
        """
        if not isinstance(word, str):
            raise TypeError(f"word must be a str, got {type(word).__name__}")
        index = self.key_to_index.get(word)
        if index is not None:
            return self.vectors[index]
        if word == "":
            raise KeyError("word '' has no vector: the empty string has no n-grams")
        rows, n = self._known_ngram_rows(word)
        if rows.size == 0:
            raise KeyError(f"word {word!r} is not in the vocabulary and none of its {n} "
                           f"n-grams ({self.minn} to {self.maxn} characters) was seen in "
                           f"training: it has no vector")
        vector = self.ngram_vectors[rows].astype(np.float64).sum(axis=0) / n
        return vector.astype(self.vectors.dtype)

    def __getitem__(self, word):
        """The vector of a word, seen in training or not (1-D), or of a list of words."""
        if isinstance(word, str):
            return self.get_vector(word)
        if isinstance(word, (list, tuple)):
            return np.array([self.get_vector(w) for w in word])
        raise TypeError(f"word must be a str or a list of str, got {type(word).__name__}")

    def ngrams(self, word):
        """The n-grams of ``word`` and whether each has a trained row (bucket in use).

        Returns
        -------
        list of (str, bool)
        """
        if not self.maxn:
            return []
        grams = char_ngrams(word, self.minn, self.maxn)
        buckets = ngram_buckets(word, self.minn, self.maxn, self.bucket)
        known = np.isin(buckets, self.ngram_buckets)
        return list(zip(grams, known.tolist()))

    # -- similarities with words outside the vocabulary --------------------------------------

    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of the vectors of two words, in the vocabulary or not."""
        a = self.get_vector(w1).astype(np.float64)
        b = self.get_vector(w2).astype(np.float64)
        na, nb = np.linalg.norm(a), np.linalg.norm(b)
        return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Nearest vocabulary words by cosine (3CosAdd), as :meth:`KeyedVectors.most_similar`,
        for query words in the vocabulary or not (an unseen word contributes its n-gram
        vector). Query words of the vocabulary are never returned."""
        positive = _word_list(positive, "positive")
        negative = _word_list(negative, "negative")
        if all(w in self.key_to_index for w in positive + negative):
            return super().most_similar(positive, negative, topn, restrict_vocab)
        topn = check_positive_int(topn, "topn")
        end = self._restricted_size(restrict_vocab)
        unit = self.get_normed_vectors()
        queries = np.array([self.get_vector(w) for w in positive + negative],
                           dtype=np.float64)
        weights = np.array([1.0] * len(positive) + [-1.0] * len(negative))
        mean = weights @ _unit_rows(queries) / len(queries)
        query = _unit_rows(mean[None, :])[0].astype(unit.dtype)
        exclude = [self.key_to_index[w] for w in positive + negative
                   if w in self.key_to_index]
        return self._best(unit[:end] @ query, exclude=exclude, topn=topn)

    # -- the model file ---------------------------------------------------------------------

    def save(self, path) -> None:
        """Write the model file (the ``.npz`` format of the module docstring).

        Parameters
        ----------
        path : str or os.PathLike
            ``.npz`` is not added: the file is written under exactly this name.
        """
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file path, got {type(path).__name__}")
        arrays = dict(format=np.array(MODEL_FORMAT), version=np.array(MODEL_VERSION),
                      words=np.array(self.index_to_key, dtype=str),
                      vectors=self.vectors.astype(np.float32),
                      minn=np.array(self.minn), maxn=np.array(self.maxn),
                      bucket=np.array(self.bucket),
                      ngram_buckets=self.ngram_buckets,
                      ngram_vectors=self.ngram_vectors.astype(np.float32))
        with atomic_write(path, "wb") as f:
            np.savez(f, **arrays)


def load_model(path) -> FastTextKeyedVectors:
    """Read a model file written by :meth:`FastTextKeyedVectors.save` (or ``wvlib train
    fasttext``).

    Returns
    -------
    FastTextKeyedVectors
        float32 vectors; ``kv[word]`` works for unseen words as in the trained model.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path, got {type(path).__name__}")
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{os.fspath(path)}: not a wvlib fastText model file (.npz): "
                         f"{exc}") from None
    with archive:
        names = set(archive.files)
        need = {"format", "version", "words", "vectors", "minn", "maxn", "bucket",
                "ngram_buckets", "ngram_vectors"}
        if not need <= names or str(archive["format"]) != MODEL_FORMAT:
            raise ValueError(f"{os.fspath(path)}: not a wvlib fastText model file (it "
                             f"should hold the arrays {', '.join(sorted(need))})")
        version = int(archive["version"])
        if version != MODEL_VERSION:
            raise ValueError(f"{os.fspath(path)}: model file version {version}; this wvlib "
                             f"reads version {MODEL_VERSION}")
        scalars = {name: int(archive[name]) for name in ("minn", "maxn", "bucket")}
        return FastTextKeyedVectors([str(w) for w in archive["words"]], archive["vectors"],
                                    archive["ngram_buckets"], archive["ngram_vectors"],
                                    copy=False, **scalars)
