"""Word vectors with a gensim-like interface: lookup, cosine neighbours, analogies, file formats.

A :class:`KeyedVectors` object is just two things side by side: a list of words
(``index_to_key``) and a matrix with one row per word (``vectors``). Everything else is a few
lines of linear algebra on the rows, scaled to unit length.

Cosine similarity
    ``cos(x, y) = x . y / (||x|| ||y||)``. With the unit rows ``u_w = v_w / ||v_w||`` of
    :meth:`KeyedVectors.get_normed_vectors`, the cosines of every word with a query ``q`` are a
    single matrix-vector product ``U q``. Why cosine and not the Euclidean distance: the length
    of a word vector grows with the word's frequency (for count rows and for word2vec alike),
    and for unit vectors ``||x - y||**2 = 2 - 2 cos(x, y)``, so the two rank neighbours alike
    only after normalising. On raw vectors the Euclidean distance follows frequency more than
    meaning (chapter 1 measures it); every neighbour search here works on the unit rows.

Analogies: "a is to b as c is to ?" (``man : king :: woman : ?``)
    Mikolov et al. (2013) look for the word whose vector is closest to ``b - a + c``. Levy and
    Goldberg (2014) showed that, on unit vectors, this is the same as maximising a *sum* of
    cosines, and proposed a *product* instead:

    **3CosAdd** (:meth:`KeyedVectors.most_similar`)::

        d* = argmax_{d not in {a, b, c}}  cos(d, b) - cos(d, a) + cos(d, c)

    Implemented as gensim does it: the mean of the unit vectors weighted +1 (positive words)
    and -1 (negative words), ``m = (u_b + u_c - u_a) / 3``, is scaled to unit length and the
    score of word ``d`` is ``cos(d, m)``. Scaling ``m`` does not change the ranking, so the
    winner is the argmax of the sum of cosines above; the reported score is ``cos(d, m)``.

    **3CosMul** (:meth:`KeyedVectors.most_similar_cosmul`)::

        d* = argmax_{d not in {a, b, c}}  cos'(d, b) * cos'(d, c) / (cos'(d, a) + eps)

    where ``cos' = (1 + cos) / 2`` shifts cosines from [-1, 1] to [0, 1] (so that the product
    is meaningful) and ``eps = 1e-6`` avoids division by zero (gensim's value, used everywhere in
    wvlib, so that the answers are gensim's; Levy & Goldberg's paper used 0.001). With several positive or negative
    words, all positive ``cos'`` are multiplied in the numerator and all negative ones in the
    denominator. A product balances the three terms: in 3CosAdd one large cosine can dominate
    the sum.

In both cases the query words themselves are excluded from the answers (otherwise ``b`` or
``c`` would usually win).

File formats (the "word2vec format" of Mikolov's C tool, which gensim reads and writes)
    Both start with a text header line ``"<number of words> <vector size>\\n"``. Then one
    entry per word:

    * text: ``"word v1 v2 ... vd\\n"`` (values as decimal numbers, separated by spaces);
    * binary: ``b"word "`` (UTF-8) followed by ``d`` little-endian float32 numbers and ``b"\\n"``.

    Vectors loaded from a file are float32, like the file (and like gensim).

Precision
    ``vectors`` keeps float32 input as float32 (memory: a 3M x 300 matrix takes 3.6 GB) and
    stores everything else as float64. Similarities are computed in that dtype.
    ``vectors`` is read-only, so the cached unit vectors can never go stale; build a new
    ``KeyedVectors`` to change vectors.

References
----------
Mikolov, Yih, Zweig (2013), "Linguistic regularities in continuous space word representations".
Levy, Goldberg (2014), "Linguistic regularities in sparse and explicit word representations".
"""
from __future__ import annotations

import os
import warnings

import numpy as np

from ._io import format_float32_rows
from ._validate import check_choice, check_matrix, check_optional_positive_int, \
    check_positive_int, check_vector

# 3CosMul: added to the denominator so that it is never zero. gensim's value (its
# most_similar_cosmul), so that our answers are gensim's; Levy & Goldberg (2014) used 0.001.
# The one value of the whole course: the chapters and evaluate use this constant.
COSMUL_EPSILON = 1e-6
# Rows formatted at a time when writing (2,000 vectors of 100 numbers: about 15 MB of work).
_WRITE_ROWS = 2_000


class KeyedVectors:
    """A vocabulary of words and one vector per word.

    Parameters
    ----------
    words : sequence of str
        The words, in order (usually by descending frequency). They must be unique, non-empty
        and contain no whitespace (the word2vec file formats separate fields by spaces).
    vectors : array-like of shape (len(words), d)
        Row ``i`` is the vector of ``words[i]``. float32 input stays float32; anything else is
        stored as float64. The array is copied and made read-only.
    copy : bool, default True
        ``False``: a C-contiguous float32 or float64 ``vectors`` array is kept as it is, not
        copied, and made read-only (for a trainer handing over its finished vectors, which then
        need no second copy in memory); other input is still converted.

    Attributes
    ----------
    index_to_key : list of str
        The words; ``index_to_key[i]`` is the word of row ``i``.
    key_to_index : dict of str to int
        The inverse mapping.
    vectors : numpy.ndarray of shape (n_words, vector_size)
        The (read-only) vectors.
    vector_size : int
        The dimension ``d``.

    Examples
    --------
    >>> kv = KeyedVectors(["cat", "dog", "car"], [[1.0, 0.1], [0.9, 0.2], [0.0, 1.0]])
    >>> kv.most_similar("cat", topn=1)
    [('dog', 0.99...)]
    """

    def __init__(self, words, vectors, *, copy: bool = True):
        if isinstance(words, str) or not hasattr(words, "__iter__"):
            raise TypeError(f"words must be a sequence of strings, got {type(words).__name__}")
        words = list(words)
        key_to_index = {}
        for i, word in enumerate(words):
            if not isinstance(word, str):
                raise TypeError(f"words must contain only strings, got {word!r} "
                                f"({type(word).__name__}) at position {i}")
            if word == "" or any(ch.isspace() for ch in word):
                raise ValueError(f"words must be non-empty and contain no whitespace, got "
                                 f"{word!r} at position {i}")
            if word in key_to_index:
                raise ValueError(f"words must be unique, {word!r} appears at positions "
                                 f"{key_to_index[word]} and {i}")
            key_to_index[word] = i

        dtype = np.float32 if getattr(vectors, "dtype", None) == np.float32 else np.float64
        checked = check_matrix(vectors, "vectors", allow_sparse=False, dtype=dtype)
        if checked.shape[0] != len(words):
            raise ValueError(f"vectors must have one row per word: got {checked.shape[0]} rows "
                             f"for {len(words)} words")
        if copy and np.may_share_memory(checked, vectors):
            checked = checked.copy()
        checked = np.ascontiguousarray(checked)
        checked.flags.writeable = False

        self.index_to_key = [str(w) for w in words]
        self.key_to_index = key_to_index
        self.vectors = checked
        self.vector_size = checked.shape[1]
        self._normed = None  # cache for get_normed_vectors()

    # -- lookup ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word) -> bool:
        return isinstance(word, str) and word in self.key_to_index

    def __iter__(self):
        return iter(self.index_to_key)

    def __repr__(self) -> str:
        return (f"KeyedVectors({len(self)} words, vector_size={self.vector_size}, "
                f"dtype={self.vectors.dtype})")

    def get_index(self, word: str) -> int:
        """Row index of ``word``.

        Raises
        ------
        KeyError
            If ``word`` is not in the vocabulary.
        """
        try:
            return self.key_to_index[word]
        except (KeyError, TypeError):
            raise KeyError(f"word {word!r} is not in the vocabulary") from None

    def __getitem__(self, word):
        """The vector of a word (1-D), or of a list of words (2-D, one row per word)."""
        if isinstance(word, str):
            return self.vectors[self.get_index(word)]
        if isinstance(word, (list, tuple)):
            return self.vectors[[self.get_index(w) for w in word]]
        raise TypeError(f"word must be a str or a list of str, got {type(word).__name__}")

    def get_normed_vectors(self) -> np.ndarray:
        """All vectors scaled to unit Euclidean length (rows of zeros stay zero).

        Returns
        -------
        numpy.ndarray of shape (n_words, vector_size)
            Read-only, same dtype as :attr:`vectors`; computed once and cached.
        """
        if self._normed is None:
            self._normed = _unit_rows(self.vectors)
            self._normed.flags.writeable = False
        return self._normed

    # -- similarities ---------------------------------------------------------------------

    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of the vectors of two words (0.0 if one of them is zero)."""
        unit = self.get_normed_vectors()
        return float(unit[self.get_index(w1)] @ unit[self.get_index(w2)])

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Nearest words by cosine to the combination of ``positive`` and ``negative`` (3CosAdd).

        The query is the mean of the unit vectors of the words, weighted +1 for the positive
        and -1 for the negative ones, scaled to unit length (see the module docstring).
        ``most_similar(positive=["king", "woman"], negative=["man"])`` solves the analogy
        ``man : king :: woman : ?``. The query words are never returned.

        Parameters
        ----------
        positive, negative : str or list of str, optional
            Words pulling towards / pushing away from the query. At least one word in all.
        topn : int, default 10
            Number of results.
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` words (the most frequent ones when the
            vocabulary is sorted by frequency).

        Returns
        -------
        list of (str, float)
            ``(word, cosine with the query)``, best first.
        """
        positive = _word_list(positive, "positive")
        negative = _word_list(negative, "negative")
        if not positive and not negative:
            raise ValueError("positive and negative are both empty; give at least one word")
        topn = check_positive_int(topn, "topn")
        end = self._restricted_size(restrict_vocab)
        indices = [self.get_index(w) for w in positive + negative]
        weights = np.array([1.0] * len(positive) + [-1.0] * len(negative))

        unit = self.get_normed_vectors()
        mean = weights @ unit[indices] / len(indices)
        query = _unit_rows(mean[None, :])[0].astype(unit.dtype)
        scores = unit[:end] @ query
        return self._best(scores, exclude=indices, topn=topn)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Nearest words with the multiplicative objective 3CosMul (Levy & Goldberg 2014).

        The score of word ``d`` is ``prod_p cos'(d, p) / (prod_n cos'(d, n) + 1e-6)`` over the
        positive words ``p`` and negative words ``n``, with ``cos' = (1 + cos) / 2`` in [0, 1].
        With one positive word the ranking is the same as :meth:`most_similar`.

        Parameters
        ----------
        positive : str or list of str
            At least one word.
        negative : str or list of str, optional
        topn : int, default 10
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` words.

        Returns
        -------
        list of (str, float)
            ``(word, 3CosMul score)``, best first; the query words are excluded.
        """
        positive = _word_list(positive, "positive")
        negative = _word_list(negative, "negative")
        if not positive:
            raise ValueError("positive must contain at least one word for 3CosMul")
        topn = check_positive_int(topn, "topn")
        end = self._restricted_size(restrict_vocab)
        pos = [self.get_index(w) for w in positive]
        neg = [self.get_index(w) for w in negative]

        unit = self.get_normed_vectors()
        candidates = unit[:end]
        numerator = np.ones(end, dtype=unit.dtype)
        for i in pos:
            numerator *= (1 + candidates @ unit[i]) / 2
        denominator = np.ones(end, dtype=unit.dtype)
        for i in neg:
            denominator *= (1 + candidates @ unit[i]) / 2
        scores = numerator / (denominator + COSMUL_EPSILON)
        return self._best(scores, exclude=pos + neg, topn=topn)

    def analogy(self, a: str, b: str, c: str, method: str = "add", topn: int = 1,
                restrict_vocab=None):
        """Solve "``a`` is to ``b`` as ``c`` is to ?" (``man : king :: woman : ?``).

        Same as ``most_similar(positive=[b, c], negative=[a])`` (``method="add"``, 3CosAdd) or
        ``most_similar_cosmul(...)`` (``method="mul"``, 3CosMul).

        Returns
        -------
        list of (str, float)
            The ``topn`` best answers, best first, never ``a``, ``b`` or ``c``.
        """
        check_choice(method, "method", ("add", "mul"))
        solve = self.most_similar if method == "add" else self.most_similar_cosmul
        return solve(positive=[b, c], negative=[a], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """Words whose vectors have the largest cosine with an arbitrary ``vector``.

        Returns
        -------
        list of (str, float)
            ``(word, cosine)``, best first. No word is excluded.
        """
        vector = check_vector(vector, "vector", size=self.vector_size)
        topn = check_positive_int(topn, "topn")
        end = self._restricted_size(restrict_vocab)
        unit = self.get_normed_vectors()
        query = _unit_rows(vector[None, :])[0].astype(unit.dtype)
        return self._best(unit[:end] @ query, exclude=[], topn=topn)

    def rank(self, w1: str, w2: str) -> int:
        """Rank of ``w2`` among the neighbours of ``w1``: 1 + the number of words (other than
        ``w1``) with a strictly larger cosine to ``w1`` than ``w2`` has."""
        i1, i2 = self.get_index(w1), self.get_index(w2)
        unit = self.get_normed_vectors()
        cosines = unit @ unit[i1]
        closer = cosines > cosines[i2]
        closer[i1] = False
        return int(closer.sum()) + 1

    def _restricted_size(self, restrict_vocab) -> int:
        restrict_vocab = check_optional_positive_int(restrict_vocab, "restrict_vocab")
        return len(self) if restrict_vocab is None else min(restrict_vocab, len(self))

    def _best(self, scores, exclude, topn):
        """The ``topn`` best (word, score) pairs of ``scores``, skipping rows in ``exclude``."""
        scores = np.array(scores, dtype=np.float64)
        excluded = [i for i in exclude if i < len(scores)]
        scores[excluded] = -np.inf
        best = top_k(scores, topn)
        return [(self.index_to_key[i], float(scores[i])) for i in best if scores[i] > -np.inf]

    # -- files ----------------------------------------------------------------------------

    def save_word2vec_format(self, path, binary: bool = False) -> None:
        """Write the vectors in the word2vec text or binary format (see the module docstring).

        Values are written as float32, the precision of the format: in text, in scientific
        notation with 9 significant digits (``-1.23456789e-02``), enough to read back exactly
        the same float32 numbers (see :func:`wvlib._io.format_float32_rows`).

        Parameters
        ----------
        path : str or os.PathLike
        binary : bool, default False
        """
        path = _check_path(path, "path")
        n, d = self.vectors.shape
        rows = self.vectors.astype("<f4", copy=False)
        # (the vectors are finite: the constructor checks it.) A block of rows at a time:
        # formatting a whole vocabulary at once took several times the vectors' memory.
        with open(path, "wb") as f:
            f.write(f"{n} {d}\n".encode("utf-8"))
            for start in range(0, n, _WRITE_ROWS):
                block = rows[start:start + _WRITE_ROWS]
                numbers = ([row.tobytes() for row in block] if binary
                           else format_float32_rows(block))
                f.writelines(word.encode("utf-8") + b" " + row + b"\n" for word, row
                             in zip(self.index_to_key[start:start + _WRITE_ROWS], numbers))

    @classmethod
    def load_word2vec_format(cls, path, binary: bool = False, limit=None) -> "KeyedVectors":
        """Read vectors in the word2vec text or binary format (see the module docstring).

        Parameters
        ----------
        path : str or os.PathLike
        binary : bool, default False
        limit : int, optional
            Read only the first ``limit`` words.

        Returns
        -------
        KeyedVectors
            float32 vectors, in file order. A repeated word keeps its first vector (with a
            warning), as in gensim.
        """
        path = _check_path(path, "path")
        limit = check_optional_positive_int(limit, "limit")
        with open(path, "rb") as f:
            header = f.readline()
            try:
                n, d = (int(x) for x in header.split())
            except ValueError:
                raise ValueError(f"{path}: the first line must be '<number of words> "
                                 f"<vector size>', got {header[:80]!r}") from None
            if limit is not None:
                n = min(n, limit)
            words = []
            vectors = np.empty((n, d), dtype=np.float32)
            for i in range(n):
                if binary:
                    word = _read_binary_word(f, path, i)
                    data = f.read(4 * d)
                    if len(data) < 4 * d:
                        raise ValueError(f"{path}: the file ends inside the vector of word "
                                         f"{i + 1} ({word!r}); the header announced more words")
                    vectors[i] = np.frombuffer(data, dtype="<f4")
                else:
                    word, values = _parse_text_line(f.readline(), path, i, d)
                    vectors[i] = values
                words.append(word)

        keep = _first_occurrences(words)
        if len(keep) < len(words):
            warnings.warn(f"{path}: {len(words) - len(keep)} repeated words ignored (the "
                          f"first vector of each word is kept)", stacklevel=2)
            words, vectors = [words[i] for i in keep], vectors[keep]
        return cls(words, vectors)

    # -- gensim ---------------------------------------------------------------------------

    @classmethod
    def from_gensim(cls, gensim_kv) -> "KeyedVectors":
        """Copy the words and vectors of a ``gensim.models.KeyedVectors`` (e.g. ``model.wv``)."""
        if not hasattr(gensim_kv, "index_to_key") or not hasattr(gensim_kv, "vectors"):
            raise TypeError(f"gensim_kv must be a gensim KeyedVectors, got "
                            f"{type(gensim_kv).__name__}")
        return cls(list(gensim_kv.index_to_key), gensim_kv.vectors)

    def to_gensim(self):
        """The same words and vectors (same dtype) as a ``gensim.models.KeyedVectors``."""
        from gensim.models import KeyedVectors as GensimKeyedVectors

        result = GensimKeyedVectors(self.vector_size, dtype=self.vectors.dtype)
        result.add_vectors(list(self.index_to_key), np.array(self.vectors))
        return result


# -- helpers ----------------------------------------------------------------------------------

def top_k(scores, k: int) -> np.ndarray:
    """Indices of the ``k`` largest entries along the last axis, best first.

    Works on a 1-D array or row by row on a 2-D array. ``np.argpartition`` finds the ``k``
    largest in linear time; only those are sorted (by score, then by index).
    """
    scores = np.asarray(scores)
    n = scores.shape[-1]
    k = min(k, n)
    top = np.argpartition(scores, n - k, axis=-1)[..., n - k:]
    top_scores = np.take_along_axis(scores, top, axis=-1)
    order = np.lexsort((top, -top_scores), axis=-1)
    return np.take_along_axis(top, order, axis=-1)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; rows of zeros stay zero (no division by zero, no NaN)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1).astype(matrix.dtype)


def _word_list(words, name: str) -> list:
    """``None`` -> [], a word -> [word], a list/tuple of words -> list."""
    if words is None:
        return []
    if isinstance(words, str):
        return [words]
    if isinstance(words, (list, tuple)) and all(isinstance(w, str) for w in words):
        return list(words)
    raise TypeError(f"{name} must be a word (str) or a list of words, got {words!r}")


def _check_path(path, name: str) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a file path (str or os.PathLike), got "
                        f"{type(path).__name__}")
    return os.fspath(path)


def _read_binary_word(f, path, i) -> str:
    """Read the bytes of a word up to the space that ends it (skipping a leading newline)."""
    chars = bytearray()
    while True:
        ch = f.read(1)
        if ch == b" ":
            break
        if ch == b"":
            raise ValueError(f"{path}: the file ends before word {i + 1}; the header announced "
                             f"more words")
        if ch == b"\n" and not chars:
            continue  # the newline after the previous vector
        chars += ch
    try:
        return chars.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: word {i + 1} is not valid UTF-8: {bytes(chars)!r}") from None


def _parse_text_line(line: bytes, path, i, d):
    """Split a text-format line ``word v1 ... vd`` into the word and a float32 vector."""
    if not line:
        raise ValueError(f"{path}: the file ends before word {i + 1}; the header announced "
                         f"more words")
    try:
        parts = line.decode("utf-8").split()
    except UnicodeDecodeError:
        raise ValueError(f"{path}: line {i + 2} is not valid UTF-8") from None
    if len(parts) != d + 1:
        raise ValueError(f"{path}: line {i + 2} should hold a word and {d} numbers, got "
                         f"{len(parts)} fields")
    try:
        values = np.array(parts[1:], dtype=np.float64).astype(np.float32)
    except ValueError:
        raise ValueError(f"{path}: line {i + 2} holds a value that is not a number") from None
    return parts[0], values


def _first_occurrences(words) -> list:
    """Positions of the first occurrence of each distinct word, in order."""
    seen = set()
    keep = []
    for i, word in enumerate(words):
        if word not in seen:
            seen.add(word)
            keep.append(i)
    return keep
