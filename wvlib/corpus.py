"""Corpora, tokens and vocabularies: the raw material of every chapter.

A *corpus* here is simply a list of documents, and a document is a list of lowercase tokens::

    >>> corpus = load_corpus("toy")
    >>> corpus.documents[0]
    ['the', 'cat', 'drinks', 'milk', 'in', 'the', 'kitchen']

Four corpora are known by name (:func:`load_corpus`):

``"toy"``
    A dozen short English sentences written for this course (:data:`TOY_SENTENCES`). They are
    built so that distributional similarity is visible by eye: *cat* and *dog* appear in the same
    contexts, and so do *king* and *queen*, and *milk* and *water*. One document per sentence.
``"lee"``
    The Lee background corpus that ships with gensim (``lee_background.cor``): 300 short news
    articles from the Australian Broadcasting Corporation, one per line, about 60k tokens.
``"enwiki-sample"``
    The shortened English Wikipedia dump that ships with gensim
    (``enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2``): 106 full articles
    (Anarchism, Autism, Albedo, ...), about half a million tokens. The MediaWiki XML is parsed with
    the standard library and the wiki markup is stripped with a handful of regular expressions
    (:func:`strip_wiki_markup`). Parsing takes a few seconds, so the result is cached (see
    *Caching* below).
``"text8"``
    The first 10^8 bytes of a cleaned English Wikipedia dump, as used by the original word2vec
    demo: 17 million tokens on a single line. It is *not* shipped with any package, so it is
    downloaded once (about 31 MB) by :func:`fetch_text8` and kept in the cache directory. Because
    the text has no sentence or article boundaries, it is cut into pseudo-documents of
    :data:`TEXT8_DOCUMENT_LENGTH` = 10,000 tokens, as gensim's ``Text8Corpus`` does.

Any other string is taken as the path of a UTF-8 text file with one document per line.

Tokens
------
:func:`tokenize` lowercases the text and keeps maximal runs of Unicode letters and digits;
everything else (spaces, punctuation, apostrophes, hyphens, underscores) separates tokens. So
``"Don't panic!"`` becomes ``['don', 't', 'panic']`` and ``"word2vec-style"`` becomes
``['word2vec', 'style']``. This is cruder than a linguistic tokenizer, but it is fast, has no
dependencies and treats every corpus the same way.

Caching
-------
Parsed or downloaded corpora are kept in a cache directory: the ``cache_dir`` argument if given,
else the environment variable ``WVLIB_CACHE``, else ``~/.cache/wvlib``. Files are written to a
temporary name first and then renamed, so an interrupted run never leaves a half-written cache.
Deleting the directory is always safe.
"""
from __future__ import annotations

import bz2
import collections
import gzip
import hashlib
import html
import importlib.util
import itertools
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np

from ._validate import check_float, check_optional_positive_int, check_positive_int
from .progress import progress

__all__ = [
    "TOY_SENTENCES", "KNOWN_CORPORA", "TEXT8_URL", "TEXT8_ZIP_SIZE", "TEXT8_SIZE",
    "TEXT8_DOCUMENT_LENGTH", "tokenize", "as_documents", "Corpus", "Vocabulary", "load_corpus",
    "cache_directory", "strip_wiki_markup", "fetch_text8",
]

# ----------------------------------------------------------------------------------------------
# Tokens
# ----------------------------------------------------------------------------------------------
# ``[^\W_]`` is "a word character that is not an underscore", i.e. a Unicode letter or digit.
_TOKEN_RE = re.compile(r"[^\W_]+")


def tokenize(text: str) -> list[str]:
    """Split ``text`` into lowercase tokens made of Unicode letters and digits.

    Every other character separates tokens, so apostrophes and hyphens inside words split them.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of str
        The tokens, in order.

    Examples
    --------
    >>> tokenize("Don't panic: word2vec is 10 years old!")
    ['don', 't', 'panic', 'word2vec', 'is', '10', 'years', 'old']
    >>> tokenize("Café au lait, über-cool")
    ['café', 'au', 'lait', 'über', 'cool']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _TOKEN_RE.findall(text.lower())


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
        documents = as_documents(documents)
        min_count = check_positive_int(min_count, "min_count")
        max_size = check_optional_positive_int(max_size, "max_size")
        # Counter.update runs in C over the chained token stream: no Python loop per token.
        counter = collections.Counter(itertools.chain.from_iterable(documents))
        if not counter:
            raise ValueError("documents contain no tokens: pass at least one non-empty document")
        items = sorted(counter.items(), key=lambda wc: (-wc[1], wc[0]))
        kept = [(w, c) for w, c in items if c >= min_count]
        if not kept:
            raise ValueError(f"min_count={min_count} leaves no words: the most frequent word "
                             f"occurs {items[0][1]} times; lower min_count")
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
# The toy corpus
# ----------------------------------------------------------------------------------------------
#: Sentences of the ``"toy"`` corpus: pairs of words (cat/dog, king/queen, milk/water,
#: kitchen/garden, sofa/rug) share their contexts, so their co-occurrence rows are alike.
TOY_SENTENCES = (
    "The cat drinks milk in the kitchen.",
    "The dog drinks water in the kitchen.",
    "A small cat chases a mouse in the garden.",
    "A small dog chases a ball in the garden.",
    "The cat sleeps on the warm sofa.",
    "The dog sleeps on the warm rug.",
    "The king rules the kingdom from the castle.",
    "The queen rules the kingdom from the castle.",
    "The wise king speaks to the people.",
    "The wise queen speaks to the people.",
    "Children drink milk and water every day.",
    "The people love the king and the queen.",
)

KNOWN_CORPORA = ("toy", "lee", "enwiki-sample", "text8")

_LEE_FILE = "lee_background.cor"
_ENWIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def load_corpus(name_or_path, *, cache_dir=None, max_documents=None, verbose=None) -> Corpus:
    """Load a corpus by name, or read one from a text file.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        ``"toy"``, ``"lee"``, ``"enwiki-sample"``, ``"text8"`` (see the module docstring), or the
        path of a UTF-8 text file with one document per line (blank lines are skipped). A path
        whose file name is ``text8`` or ``text8.zip`` is read as text8 (10,000-token
        pseudo-documents), and so is any zip file (it must contain a member ``text8``). Known
        names win over files of the same name.
    cache_dir : str or os.PathLike, optional
        Where parsed/downloaded corpora are kept (default: ``$WVLIB_CACHE`` or ``~/.cache/wvlib``).
    max_documents : int, optional
        Keep only the first ``max_documents`` documents.
    verbose : bool, optional
        Show progress bars (default: only in a terminal).

    Returns
    -------
    Corpus

    Examples
    --------
    >>> load_corpus("toy")
    Corpus('toy', 12 documents, 91 tokens)
    """
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(f"name_or_path must be a corpus name or a path, "
                        f"got {type(name_or_path).__name__}")
    max_documents = check_optional_positive_int(max_documents, "max_documents")

    titles = None
    if name_or_path == "toy":
        name, documents = "toy", [tokenize(s) for s in TOY_SENTENCES]
    elif name_or_path == "lee":
        name, documents = "lee", _read_lines(_gensim_test_file(_LEE_FILE))
    elif name_or_path == "enwiki-sample":
        name = "enwiki-sample"
        titles, documents = _load_enwiki_sample(cache_dir, verbose)
    elif name_or_path == "text8":
        name = "text8"
        text8 = fetch_text8(cache_dir=cache_dir, verbose=verbose)
        documents = _read_text8(text8, max_documents, verbose)
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise FileNotFoundError(
                f"name_or_path={str(name_or_path)!r} is neither a known corpus "
                f"({', '.join(repr(n) for n in KNOWN_CORPORA)}) nor an existing file")
        name = path.name
        if path.name in ("text8", "text8.zip") or zipfile.is_zipfile(path):
            text8 = fetch_text8(cache_dir=cache_dir, path=path, verbose=verbose)
            documents = _read_text8(text8, max_documents, verbose)
        else:
            documents = _read_lines(path)

    if max_documents is not None:
        documents = documents[:max_documents]
        titles = titles[:max_documents] if titles is not None else None
    if not documents or not any(documents):
        raise ValueError(f"corpus {str(name_or_path)!r} has no tokens")
    return Corpus(name, documents, titles=titles)


def _read_lines(path: Path) -> list:
    """One document per non-blank line of a UTF-8 file, tokenized."""
    with open(path, encoding="utf-8") as f:
        return [tokens for tokens in map(tokenize, f) if tokens]


def _gensim_test_file(filename: str) -> Path:
    """Path of a data file shipped in ``gensim/test/test_data`` (found without importing gensim,
    which takes a second or two)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"this corpus ships with gensim, which is not installed: "
                           f"run `pip install gensim` (needed for {filename})")
    path = Path(list(spec.submodule_search_locations)[0]) / "test" / "test_data" / filename
    if not path.is_file():
        raise RuntimeError(f"gensim is installed but its test data file {path} is missing; "
                           f"reinstall gensim (`pip install --force-reinstall gensim`)")
    return path


def cache_directory(cache_dir=None) -> Path:
    """The cache directory: ``cache_dir`` if given, else ``$WVLIB_CACHE``, else
    ``~/.cache/wvlib``. It is not created here."""
    if cache_dir is not None:
        if not isinstance(cache_dir, (str, os.PathLike)):
            raise TypeError(f"cache_dir must be a path, got {type(cache_dir).__name__}")
        return Path(cache_dir).expanduser()
    env = os.environ.get("WVLIB_CACHE", "").strip()
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "wvlib"


def _atomic_write(path: Path, write) -> None:
    """Call ``write(binary_file)`` on a temporary file next to ``path``, then rename it to
    ``path``; on any error the temporary file is removed and ``path`` is left untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a cache may be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ----------------------------------------------------------------------------------------------
# enwiki-sample: a MediaWiki XML dump
# ----------------------------------------------------------------------------------------------
#: Bump when :func:`strip_wiki_markup` or the dump parsing changes: it invalidates old caches.
ENWIKI_PARSER_VERSION = 1

_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# Tags whose *content* is not prose: formulas, galleries, code, timelines, ...
_NON_PROSE_RE = re.compile(
    r"<(math|gallery|timeline|source|syntaxhighlight|score|chem|hiero|imagemap|graph)\b[^>]*>"
    r".*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_REF_RE = re.compile(r"<ref\b[^>]*/>|<ref\b[^>]*>.*?</ref\s*>", re.DOTALL | re.IGNORECASE)
_TEMPLATE_RE = re.compile(r"\{\{[^{}]*\}\}")  # an innermost template: no braces inside
_TABLE_RE = re.compile(r"\{\|(?:(?!\{\|).)*?\|\}", re.DOTALL)  # an innermost table
_EXTERNAL_LINK_RE = re.compile(r"\[(?:https?:|ftp:)?//[^\s\[\]]*(?:\s+([^\[\]]*))?\]")
_INTERNAL_LINK_RE = re.compile(r"\[\[([^\[\]]*)\]\]")  # an innermost [[...]] link
_DROPPED_NAMESPACES = {"file", "image", "category", "media"}
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")
_QUOTES_RE = re.compile(r"'{2,}")
_HEADING_RE = re.compile(r"^(=+)\s*(.*?)\s*\1\s*$", re.MULTILINE)
_URL_RE = re.compile(r"(?:https?|ftp)://\S+")
_MAGIC_WORD_RE = re.compile(r"__[A-Z]+__")


def _substitute_until_stable(pattern: re.Pattern, repl, text: str) -> str:
    """Apply ``pattern.sub(repl, text)`` until nothing matches: this peels nested constructs
    (templates in templates, links in image captions) from the inside out."""
    while True:
        text, n = pattern.subn(repl, text)
        if n == 0:
            return text


def _link_text(match: re.Match) -> str:
    """``[[target|label]]`` -> label, ``[[target]]`` -> target; File:/Image:/Category: links
    vanish."""
    inner = match.group(1)
    target, _, label = inner.partition("|")
    namespace = target.split(":", 1)[0].strip().lower() if ":" in target else ""
    if namespace in _DROPPED_NAMESPACES:
        return ""
    if label:  # [[a|b|c]] (only in file links, dropped above) -> last part
        return label.rpartition("|")[2]
    return target


def strip_wiki_markup(wikitext: str) -> str:
    """Turn MediaWiki markup into plain text (good enough for counting words).

    Removes comments, ``<ref>`` footnotes, templates ``{{...}}`` (nested ones too), tables
    ``{|...|}``, file/image/category links, formulas and other non-prose tags, HTML tags,
    bold/italic quotes, heading markers, magic words and bare URLs; keeps the visible text of
    links (``[[a|b]]`` -> ``b``, ``[[a]]`` -> ``a``, ``[http://x.org text]`` -> ``text``) and
    decodes HTML entities.

    Parameters
    ----------
    wikitext : str

    Returns
    -------
    str

    Examples
    --------
    >>> strip_wiki_markup("'''Albedo''' {{IPA|[ælˈbiːdoʊ]}} is the [[reflection (physics)|"
    ...                   "reflectivity]] of a [[surface]].<ref>{{cite book|x=1}}</ref>")
    'Albedo  is the reflectivity of a surface. '
    """
    text = _COMMENT_RE.sub("", wikitext)
    text = _NON_PROSE_RE.sub(" ", text)
    text = _REF_RE.sub(" ", text)
    text = _substitute_until_stable(_TEMPLATE_RE, "", text)
    text = _substitute_until_stable(_TABLE_RE, " ", text)
    text = _EXTERNAL_LINK_RE.sub(lambda m: m.group(1) or "", text)
    text = _substitute_until_stable(_INTERNAL_LINK_RE, _link_text, text)
    text = _TAG_RE.sub(" ", text)
    text = _QUOTES_RE.sub("", text)
    text = _HEADING_RE.sub(r"\2", text)
    text = _URL_RE.sub(" ", text)
    text = _MAGIC_WORD_RE.sub(" ", text)
    return html.unescape(text)


def _local_name(tag: str) -> str:
    """``'{http://www.mediawiki.org/xml/export-0.10/}page'`` -> ``'page'``."""
    return tag.rpartition("}")[2]


def parse_wiki_dump(path, *, verbose=None):
    """Read the articles of a (bz2-compressed) MediaWiki XML dump.

    Only pages in the main namespace (``<ns>0</ns>``) that are not redirects are kept.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.xml.bz2`` (or plain ``.xml``) dump.
    verbose : bool, optional
        Show a progress bar over the compressed bytes.

    Returns
    -------
    titles : list of str
    documents : list of list of str
        The tokens of each article after :func:`strip_wiki_markup`.
    """
    path = Path(path)
    titles, documents = [], []
    with open(path, "rb") as raw, progress(total=path.stat().st_size, unit="B",
                                            desc=f"parse {path.name[:30]}",
                                            verbose=verbose) as bar:
        stream = bz2.open(raw) if path.suffix == ".bz2" else raw
        position = 0
        for _, elem in ET.iterparse(stream, events=("end",)):
            if _local_name(elem.tag) != "page":
                continue
            fields = {_local_name(child.tag): child for child in elem}
            revision = fields.get("revision")
            text_elem = None
            if revision is not None:
                text_elem = next((c for c in revision if _local_name(c.tag) == "text"), None)
            wikitext = (text_elem.text or "") if text_elem is not None else ""
            is_article = (fields.get("ns") is not None and fields["ns"].text == "0"
                          and "redirect" not in fields
                          and not wikitext.lstrip().lower().startswith("#redirect"))
            if is_article:
                titles.append(fields["title"].text or "")
                documents.append(tokenize(strip_wiki_markup(wikitext)))
            elem.clear()  # keep memory flat on big dumps
            bar.update(raw.tell() - position)
            position = raw.tell()
    return titles, documents


def _enwiki_cache_path(cache_dir) -> Path:
    return cache_directory(cache_dir) / f"enwiki-sample.parser-v{ENWIKI_PARSER_VERSION}.tsv.gz"


def _load_enwiki_sample(cache_dir, verbose):
    """Titles and documents of enwiki-sample, from the cache or parsed (and then cached).

    The cache holds one article per line: ``title<TAB>token token token ...``.
    """
    cache = _enwiki_cache_path(cache_dir)
    if cache.is_file():
        with gzip.open(cache, "rt", encoding="utf-8") as f:
            lines = f.read().split("\n")
        titles, documents = [], []
        for line in lines:
            if line:
                title, _, tokens = line.partition("\t")
                titles.append(title)
                documents.append(tokens.split())
        return titles, documents

    titles, documents = parse_wiki_dump(_gensim_test_file(_ENWIKI_FILE), verbose=verbose)
    payload = "".join(f"{t.replace(chr(9), ' ').replace(chr(10), ' ')}\t{' '.join(d)}\n"
                      for t, d in zip(titles, documents)).encode("utf-8")
    try:
        _atomic_write(cache, lambda f: f.write(gzip.compress(payload, compresslevel=6)))
    except OSError as exc:  # a read-only home, a full disk: carry on without a cache
        warnings.warn(f"could not cache the parsed enwiki-sample at {cache}: {exc}; "
                      f"set WVLIB_CACHE or pass cache_dir to a writable directory",
                      stacklevel=3)
    return titles, documents


# ----------------------------------------------------------------------------------------------
# text8: downloaded once, then read from the cache
# ----------------------------------------------------------------------------------------------
TEXT8_URL = "http://mattmahoney.net/dc/text8.zip"
#: Size in bytes of ``text8.zip`` (the figure TensorFlow's word2vec tutorial checks).
TEXT8_ZIP_SIZE = 31_344_016
#: Size in bytes of the unzipped ``text8`` file (by definition: the first 10^8 bytes).
TEXT8_SIZE = 100_000_000
#: text8 is one 17-million-token line; it is cut into pseudo-documents of this many tokens.
TEXT8_DOCUMENT_LENGTH = 10_000
_TEXT8_BLOCK_CHARS = 1 << 22  # read text8 4M characters at a time


def fetch_text8(cache_dir=None, url: str = TEXT8_URL, expected_size=TEXT8_ZIP_SIZE, path=None,
                *, sha256=None, verbose=None) -> Path:
    """Return the path of the unzipped ``text8`` file, downloading it once if needed.

    In order:

    1. ``path`` given: a ``text8`` text file is used as is; a zip is unpacked into the cache.
    2. ``<cache>/text8`` exists: use it (or unpack ``<cache>/text8.zip`` if only that exists).
    3. Download ``url`` with :mod:`urllib` into a temporary file in the cache, check its size
       (and SHA-256 if given), rename it to ``<cache>/text8.zip`` and unpack ``<cache>/text8``.
       Nothing is left in the cache if anything goes wrong.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        See :func:`cache_directory`.
    url : str
        Where to download from (``file://`` URLs work too).
    expected_size : int or None
        Size in bytes the download must have (``None``: do not check).
    path : str or os.PathLike, optional
        A local copy of ``text8`` or ``text8.zip``.
    sha256 : str, optional
        Hex SHA-256 digest the download must have.
    verbose : bool, optional
        Show a download progress bar.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    RuntimeError
        The download failed (offline?) or was incomplete; the message says how to provide the
        file by hand.
    """
    expected_size = check_optional_positive_int(expected_size, "expected_size")
    if sha256 is not None and not (isinstance(sha256, str)
                                   and re.fullmatch(r"[0-9a-fA-F]{64}", sha256)):
        raise ValueError(f"sha256 must be a hex SHA-256 digest (64 characters), got {sha256!r}")
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__}")
    cache = cache_directory(cache_dir)
    target = cache / "text8"

    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a path, got {type(path).__name__}")
        path = Path(path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"path={str(path)!r} does not exist: give the location of "
                                    f"text8 or text8.zip")
        if zipfile.is_zipfile(path):
            _unzip_text8(path, target)
            return target
        return path

    if target.is_file():
        return target
    archive = cache / "text8.zip"
    if archive.is_file():
        _unzip_text8(archive, target)
        return target

    cache.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache, prefix=".text8.zip.", suffix=".part")
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(url, timeout=60)
                with response, progress(total=expected_size, unit="B", desc="download text8",
                                        verbose=verbose) as bar:
                    while True:
                        block = response.read(1 << 20)
                        if not block:
                            break
                        out.write(block)
                        digest.update(block)
                        size += len(block)
                        bar.update(len(block))
            except (urllib.error.URLError, OSError) as exc:  # offline, refused, cut off, ...
                reason = getattr(exc, "reason", exc)
                raise RuntimeError(_text8_offline_message(url, reason, cache)) from exc
        if expected_size is not None and size != expected_size:
            raise RuntimeError(
                f"downloaded {url} but got {size:,} bytes instead of expected_size="
                f"{expected_size:,}: the download was cut short or the file has changed. "
                f"Nothing was saved in {cache}. Try again, or "
                + _text8_manual_instructions(url, cache))
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise RuntimeError(
                f"downloaded {url} but its SHA-256 is {digest.hexdigest()}, not sha256={sha256}. "
                f"Nothing was saved in {cache}.")
        os.chmod(tmp, 0o644)
        os.replace(tmp, archive)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _unzip_text8(archive, target)
    return target


def _text8_manual_instructions(url, cache: Path) -> str:
    return (f"download {url} by hand (a {TEXT8_ZIP_SIZE:,}-byte zip) and either pass its path "
            f"(`--corpus /path/to/text8.zip` on the command line, or "
            f"load_corpus('/path/to/text8') after unzipping), or put it at {cache / 'text8.zip'}, "
            f"or set the environment variable WVLIB_CACHE to a directory that contains text8.zip.")


def _text8_offline_message(url, reason, cache: Path) -> str:
    return (f"could not download the text8 corpus from {url} ({reason}); this machine may be "
            f"offline. To use text8, " + _text8_manual_instructions(url, cache))


def _unzip_text8(archive: Path, target: Path) -> None:
    """Extract the member ``text8`` of ``archive`` to ``target`` (atomically). The zip format's
    CRC check catches a corrupt archive."""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            if "text8" not in names:
                raise ValueError(f"{archive} has no member 'text8' (it has {names[:5]}); "
                                 f"is it the text8 corpus?")
            if target.is_file() and target.stat().st_size == zf.getinfo("text8").file_size:
                return  # unpacked before
            with zf.open("text8") as member:
                _atomic_write(target, lambda f: shutil.copyfileobj(member, f, 1 << 22))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{archive} is not a valid zip file ({exc}); delete it and retry") \
            from None


def _read_text8(path: Path, max_documents=None, verbose=None) -> list:
    """Split the single line of text8 into pseudo-documents of TEXT8_DOCUMENT_LENGTH tokens.

    text8 is already lowercase letters separated by single spaces, so a plain ``str.split`` is
    its tokenizer. The file is read in blocks, and reading stops once ``max_documents``
    documents are complete.
    """
    n = TEXT8_DOCUMENT_LENGTH
    documents, pending, carry = [], [], ""
    with open(path, encoding="utf-8") as f, progress(total=os.path.getsize(path), unit="B",
                                                     desc="read text8", verbose=verbose) as bar:
        while True:
            if max_documents is not None and len(documents) >= max_documents:
                return documents[:max_documents]
            block = f.read(_TEXT8_BLOCK_CHARS)
            if not block:
                break
            bar.update(len(block))
            # the text after the last space may be the start of a token cut by the block end
            head, _, carry = (carry + block).rpartition(" ")
            pending.extend(head.split())
            n_full = len(pending) // n
            documents.extend(pending[k * n:(k + 1) * n] for k in range(n_full))
            pending = pending[n_full * n:]
    pending.extend(carry.split())
    documents.extend(pending[k:k + n] for k in range(0, len(pending), n))
    return documents if max_documents is None else documents[:max_documents]
