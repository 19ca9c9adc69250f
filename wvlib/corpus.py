"""Corpora, tokens and vocabularies: the raw material of every chapter.

A *corpus* here is simply a list of documents, and a document is a list of lowercase tokens::

    >>> corpus = load_corpus("toy")
    >>> corpus.documents[0]
    ['the', 'cat', 'drinks', 'milk', 'in', 'the', 'kitchen']

:func:`load_corpus` reads a text file with one document per line, or a corpus known by name
(``"toy"``, ``"lee"``, ``"enwiki-sample"``, ``"text8"``: see :mod:`wvlib.datasets`, which also
downloads and caches them). :class:`Vocabulary` numbers the words.

Tokens
------
:func:`tokenize` (defined in :mod:`wvlib.tokens`, which the named corpora of
:mod:`wvlib.datasets` use too) lowercases the text and keeps maximal runs of Unicode letters
and digits; everything else (spaces, punctuation, apostrophes, hyphens, underscores) separates
tokens. So ``"Don't panic!"`` becomes ``['don', 't', 'panic']`` and ``"word2vec-style"``
becomes ``['word2vec', 'style']``.
"""
from __future__ import annotations

import codecs
import collections
import itertools
import operator
import os
import zipfile
from pathlib import Path

import numpy as np

from ._validate import check_float, check_optional_positive_int, check_positive_int
from .tokens import tokenize

__all__ = ["tokenize", "as_documents", "Corpus", "TextCorpus", "Vocabulary", "load_corpus"]


# ----------------------------------------------------------------------------------------------
# Documents
# ----------------------------------------------------------------------------------------------
def as_documents(documents, name: str = "documents") -> list:
    """Return ``documents`` (a :class:`Corpus` or an iterable of token lists) as a list of
    token sequences, checking that it is not empty and that no document is a plain string.

    Parameters
    ----------
    documents : Corpus or iterable of list of str
        The documents.
    name : str
        The argument name used in error messages.

    Returns
    -------
    list of list of str
    """
    if isinstance(documents, Corpus):
        documents = documents.documents
    if isinstance(documents, (str, bytes)):
        raise ValueError(f"{name} must be a list of token lists, got a single string; "
                         f"use [tokenize(text)] for one document")
    try:
        documents = list(documents)
    except TypeError:
        raise TypeError(f"{name} must be a Corpus or a list of token lists, "
                        f"got {type(documents).__name__}") from None
    if not documents:
        raise ValueError(f"{name} is empty: pass at least one document (a list of tokens)")
    for i, doc in enumerate(documents):
        if isinstance(doc, (str, bytes)):
            raise ValueError(f"{name}[{i}] is a string, but each document must be a list of "
                             f"tokens; split it first, e.g. with wvlib.corpus.tokenize")
        if not hasattr(doc, "__len__") or not hasattr(doc, "__iter__"):
            raise TypeError(f"{name}[{i}] must be a list of tokens, got {type(doc).__name__}")
    return documents


# ----------------------------------------------------------------------------------------------
# Corpus
# ----------------------------------------------------------------------------------------------
class Corpus:
    """A named list of documents, each a list of tokens.

    Parameters
    ----------
    name : str
        A short name shown in reprs and plots (``"lee"``, a file name, ...).
    documents : iterable of list of str
        The tokenized documents.
    titles : list of str, optional
        One title per document, when the corpus has them (``"enwiki-sample"`` does).

    Attributes
    ----------
    name : str
    documents : list of list of str
    titles : list of str or None

    Examples
    --------
    >>> corpus = Corpus("tiny", [["a", "b"], ["c"]])
    >>> len(corpus), corpus.n_tokens
    (2, 3)
    >>> corpus
    Corpus('tiny', 2 documents, 3 tokens)
    """

    def __init__(self, name: str, documents, titles=None):
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, got {type(name).__name__}")
        documents = as_documents(documents)
        self.name = name
        self.documents = [doc if isinstance(doc, list) else list(doc) for doc in documents]
        if titles is not None:
            titles = [str(t) for t in titles]
            if len(titles) != len(self.documents):
                raise ValueError(f"titles must have one entry per document "
                                 f"({len(self.documents)}), got {len(titles)}")
        self.titles = titles

    @property
    def n_tokens(self) -> int:
        """Total number of tokens in all documents."""
        return sum(map(len, self.documents))

    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self):
        return iter(self.documents)

    def __getitem__(self, i):
        return self.documents[i]

    def __repr__(self) -> str:
        return f"Corpus({self.name!r}, {len(self):,} documents, {self.n_tokens:,} tokens)"


class TextCorpus:
    """A corpus read from its text file one document at a time, every time it is iterated.

    What :func:`load_corpus` returns with ``stream=True`` for a file: iterating yields the
    token lists of the non-blank lines (or text8's pseudo-documents), and nothing of the
    corpus stays in memory. The training methods encode it in one pass into an int32 array of
    word ids (:func:`wvlib.encoded.encode_corpus`); a function that needs the documents as
    lists gets them from :func:`as_documents`.

    Parameters
    ----------
    path : str or os.PathLike
        A text file with one document per line, or text8 (``text8=True``).
    encoding : str, default "utf-8"
    text8 : bool, default False
        Read the file as text8: one line cut into 10,000-token documents.
    max_documents : int, optional
        Stop after this many documents.
    name : str, optional
        Default: the file name.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "two.txt")
    >>> _ = open(path, "w").write("A cat.\\n\\nThe dog!\\n")
    >>> corpus = TextCorpus(path)
    >>> list(corpus), corpus.n_tokens
    ([['a', 'cat'], ['the', 'dog']], 4)
    """

    def __init__(self, path, encoding: str = "utf-8", *, text8: bool = False,
                 max_documents=None, name=None):
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"path={str(path)!r} is not an existing file")
        self.path = path
        self.encoding = _check_encoding(encoding)
        self.text8 = bool(text8)
        self.max_documents = check_optional_positive_int(max_documents, "max_documents")
        self.name = path.name if name is None else str(name)
        self.titles = None
        self._n_tokens = self._n_documents = None

    def __iter__(self):
        n_documents = n_tokens = 0
        for tokens in self._documents():
            if self.max_documents is not None and n_documents >= self.max_documents:
                break
            n_documents += 1
            n_tokens += len(tokens)
            yield tokens
        self._n_documents, self._n_tokens = n_documents, n_tokens

    def _documents(self):
        if self.text8:
            from .datasets import iter_text8
            yield from iter_text8(self.path)
            return
        try:
            with open(self.path, encoding=self.encoding) as f:
                for line in f:
                    tokens = tokenize(line)
                    if tokens:
                        yield tokens
        except UnicodeDecodeError:
            raise ValueError(_decode_error_message(self.path, self.encoding)) from None

    def _count(self):
        if self._n_tokens is None:
            for _ in self:
                pass

    @property
    def n_tokens(self) -> int:
        """Number of tokens (one pass over the file the first time)."""
        self._count()
        return self._n_tokens

    def __len__(self) -> int:
        self._count()
        return self._n_documents

    def __repr__(self) -> str:
        return f"TextCorpus({str(self.path)!r}{', text8' if self.text8 else ''})"


# ----------------------------------------------------------------------------------------------
# Vocabulary
# ----------------------------------------------------------------------------------------------
class Vocabulary:
    """A bijection between words and integer ids ``0 .. V-1``, with each word's count.

    Build one from documents with :meth:`Vocabulary.build`; the constructor takes the words and
    counts as they are (in the given order).

    Parameters
    ----------
    words : list of str
        Distinct words; ``words[i]`` gets id ``i``.
    counts : array-like of int
        Non-negative corpus frequency of each word.

    Attributes
    ----------
    words : list of str
        Words by id (for :meth:`build`: most frequent first, ties in alphabetical order).
    counts : numpy.ndarray of int64
        ``counts[i]`` is the number of occurrences of ``words[i]``.
    index : dict
        Word -> id.

    Examples
    --------
    >>> vocab = Vocabulary.build([["a", "rose", "is", "a", "rose"], ["is", "it"]])
    >>> vocab.words
    ['a', 'is', 'rose', 'it']
    >>> vocab.counts.tolist()
    [2, 2, 2, 1]
    >>> vocab["rose"], vocab.word(3)
    (2, 'it')
    >>> vocab.encode(["a", "red", "rose"]).tolist()
    [0, 2]
    """

    def __init__(self, words, counts):
        words = list(words)
        for w in words:
            if not isinstance(w, str):
                raise TypeError(f"words must all be str, got {w!r} ({type(w).__name__})")
        counts = np.asarray(counts)
        if counts.ndim != 1 or counts.shape[0] != len(words):
            raise ValueError(f"counts must be a 1-D array with one entry per word "
                             f"({len(words)}), got shape {counts.shape}")
        if counts.size and not np.issubdtype(counts.dtype, np.integer):
            raise ValueError(f"counts must be integers, got dtype {counts.dtype}")
        if np.any(counts < 0):
            raise ValueError("counts must be non-negative")
        index = {w: i for i, w in enumerate(words)}
        if len(index) != len(words):
            dupes = [w for w, c in collections.Counter(words).items() if c > 1][:5]
            raise ValueError(f"words must be distinct; repeated: {dupes}")
        self.words = words
        self.counts = counts.astype(np.int64)
        self.index = index

    @classmethod
    def build(cls, documents, min_count: int = 1, max_size=None) -> "Vocabulary":
        """Count the tokens of ``documents`` and keep the frequent ones.

        Parameters
        ----------
        documents : Corpus or iterable of list of str
            Tokenized documents.
        min_count : int, default 1
            Drop words that occur fewer than ``min_count`` times.
        max_size : int or None, default None
            Keep at most this many words (the most frequent ones; ties broken alphabetically).

        Returns
        -------
        Vocabulary
            Words sorted by decreasing count, ties in alphabetical order, so the result does not
            depend on the order of the documents.
        """
        if not isinstance(documents, TextCorpus):      # a TextCorpus is read as a stream
            documents = as_documents(documents)
        min_count = check_positive_int(min_count, "min_count")
        max_size = check_optional_positive_int(max_size, "max_size")
        # Counter.update runs in C over the chained token stream: no Python loop per token.
        counter = collections.Counter(itertools.chain.from_iterable(documents))
        if not counter:
            raise ValueError("documents contain no tokens: pass at least one non-empty document")
        # Drop the rare words first (most of them), then sort what is left: alphabetically,
        # then (stably) by decreasing count.
        kept = sorted((w, c) for w, c in counter.items() if c >= min_count)
        if not kept:
            raise ValueError(f"min_count={min_count} leaves no words: the most frequent word "
                             f"occurs {max(counter.values())} times; lower min_count")
        kept.sort(key=operator.itemgetter(1), reverse=True)   # reverse=True keeps ties in order
        if max_size is not None:
            kept = kept[:max_size]
        words = [w for w, _ in kept]
        counts = np.array([c for _, c in kept], dtype=np.int64)
        return cls(words, counts)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word) -> bool:
        return word in self.index

    def __iter__(self):
        return iter(self.words)

    def __getitem__(self, word) -> int:
        try:
            return self.index[word]
        except (KeyError, TypeError):
            raise KeyError(f"word {word!r} is not in the vocabulary (size {len(self)})") from None

    def word(self, i) -> str:
        """The word with id ``i``."""
        i = check_positive_int(i, "i", allow_zero=True)
        if i >= len(self):
            raise ValueError(f"i must be a word id in [0, {len(self)}), got {i}")
        return self.words[i]

    def encode(self, tokens) -> np.ndarray:
        """Map ``tokens`` to ids, dropping out-of-vocabulary tokens.

        Parameters
        ----------
        tokens : sequence of str

        Returns
        -------
        numpy.ndarray of int32
        """
        if isinstance(tokens, str):
            raise ValueError("tokens must be a list of tokens, got a single string; "
                             "use tokenize(text) first")
        tokens = tokens if hasattr(tokens, "__len__") else list(tokens)
        # One dict lookup per token (map runs in C); unknown tokens become -1 and are dropped.
        ids = np.fromiter(map(self.index.get, tokens, itertools.repeat(-1)),
                          dtype=np.int64, count=len(tokens))
        return ids[ids >= 0].astype(np.int32)

    def encode_documents(self, documents) -> list:
        """:meth:`encode` every document of ``documents`` (a Corpus or list of token lists)."""
        documents = as_documents(documents)
        return [self.encode(doc) for doc in documents]

    def unigram_distribution(self, power: float = 1.0) -> np.ndarray:
        """The unigram distribution ``counts**power / sum(counts**power)``.

        Parameters
        ----------
        power : float, default 1.0
            ``1.0`` gives relative frequencies; word2vec draws negative samples with ``0.75``,
            which flattens the distribution (rare words are drawn more often); ``0`` is uniform.

        Returns
        -------
        numpy.ndarray of float64, shape (V,)
            Probabilities summing to 1.
        """
        power = check_float(power, "power", low=0.0)
        weights = self.counts.astype(np.float64) ** power
        total = weights.sum()
        if total <= 0:
            raise ValueError("the vocabulary's counts are all zero: no distribution to normalise")
        return weights / total

    def __repr__(self) -> str:
        head = ", ".join(self.words[:5]) + (", ..." if len(self) > 5 else "")
        return f"Vocabulary({len(self):,} words: {head})"


# ----------------------------------------------------------------------------------------------
# Loading a corpus
# ----------------------------------------------------------------------------------------------
def load_corpus(name_or_path, *, encoding: str = "utf-8", cache_dir=None, max_documents=None,
                verbose=None, stream: bool = False):
    """Load a corpus by name, or read one from a text file.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        ``"toy"``, ``"lee"``, ``"enwiki-sample"``, ``"text8"`` (see :mod:`wvlib.datasets`), or
        the path of a text file with one document per line (blank lines are skipped). A path
        whose file name is ``text8`` or ``text8.zip`` is read as text8 (10,000-token
        pseudo-documents), and so is any zip file (it must contain a member ``text8``). Known
        names win over files of the same name.
    encoding : str, default "utf-8"
        Encoding of a text file (the named corpora know their own). A file that is not valid
        in it raises a ``ValueError`` naming the line and byte offset; ``"latin-1"`` accepts
        every byte.
    cache_dir : str or os.PathLike, optional
        Where parsed/downloaded corpora are kept (default: ``$WVLIB_CACHE`` or
        ``~/.cache/wvlib``).
    max_documents : int, optional
        Keep only the first ``max_documents`` documents.
    verbose : bool, optional
        Show progress bars (default: only in a terminal).
    stream : bool, default False
        For a text file or text8: return a :class:`TextCorpus`, which reads the file each
        time it is iterated, instead of holding every token as a Python string (about 60
        bytes a token). The command line does this; the small named corpora are loaded
        whole either way.

    Returns
    -------
    Corpus, or TextCorpus (``stream=True`` and a file or text8)

    Examples
    --------
    >>> load_corpus("toy")
    Corpus('toy', 12 documents, 91 tokens)
    """
    from . import datasets  # the named corpora, downloads and caches

    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(f"name_or_path must be a corpus name or a path, "
                        f"got {type(name_or_path).__name__}")
    max_documents = check_optional_positive_int(max_documents, "max_documents")
    encoding = _check_encoding(encoding)

    if stream and name_or_path == "text8":
        return TextCorpus(datasets.fetch_text8(cache_dir=cache_dir, verbose=verbose),
                          text8=True, max_documents=max_documents, name="text8")
    if isinstance(name_or_path, str) and name_or_path in datasets.KNOWN_CORPORA:
        name = name_or_path
        titles, documents = datasets.load_named_corpus(
            name, cache_dir=cache_dir, max_documents=max_documents, verbose=verbose)
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise FileNotFoundError(
                f"name_or_path={str(name_or_path)!r} is neither a known corpus "
                f"({', '.join(repr(n) for n in datasets.KNOWN_CORPORA)}) nor an existing file")
        name, titles = path.name, None
        is_text8 = path.name in ("text8", "text8.zip") or zipfile.is_zipfile(path)
        if stream:
            if is_text8:
                path = datasets.fetch_text8(cache_dir=cache_dir, path=path, verbose=verbose)
            return TextCorpus(path, encoding, text8=is_text8, max_documents=max_documents,
                              name=name)
        if is_text8:
            text8 = datasets.fetch_text8(cache_dir=cache_dir, path=path, verbose=verbose)
            documents = datasets.read_text8(text8, max_documents, verbose)
        else:
            documents = _read_lines(path, encoding)

    if max_documents is not None:
        documents = documents[:max_documents]
        titles = titles[:max_documents] if titles is not None else None
    if not documents or not any(documents):
        raise ValueError(f"corpus {str(name_or_path)!r} has no tokens")
    return Corpus(name, documents, titles=titles)


def _check_encoding(encoding) -> str:
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be the name of a text encoding such as 'utf-8', "
                        f"got {type(encoding).__name__}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"encoding must be the name of a text encoding such as 'utf-8' or "
                         f"'latin-1', got {encoding!r}") from None
    return encoding


def _read_lines(path: Path, encoding: str = "utf-8") -> list:
    """One document per non-blank line of a text file, tokenized."""
    try:
        with open(path, encoding=encoding) as f:
            return [tokens for tokens in map(tokenize, f) if tokens]
    except UnicodeDecodeError:
        raise ValueError(_decode_error_message(path, encoding)) from None


def _decode_error_message(path: Path, encoding: str) -> str:
    """Where ``path`` stops being valid ``encoding``: file, line, byte offset, the bytes."""
    data = path.read_bytes()  # only on the error path; decoding it whole gives the offset
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        offset, bad, reason = exc.start, data[exc.start:exc.end], exc.reason
    else:  # pragma: no cover - the streaming decoder failed, so the whole decode fails too
        return f"{path} is not valid {encoding}"
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1)
    other = next((e for e in ("utf-8", "cp1252", "latin-1")
                  if codecs.lookup(e).name != codecs.lookup(encoding).name
                  and _decodes(data, e)), "latin-1")
    return (f"{path}: line {line} is not valid {encoding}: byte offset {offset} in the file "
            f"(byte {column} of the line) is {bad.hex(' ')} ({reason}). The file may use "
            f"another encoding; the whole file is valid {other}, for example: pass "
            f"encoding={other!r} to load_corpus, or --encoding {other} on the command line.")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
