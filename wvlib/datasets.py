"""The data sets of the course: named corpora, the evaluation files, and where they are kept.

:func:`wvlib.corpus.load_corpus` reads any text file; this module knows the corpora that have a
name, and the word-similarity and analogy files of :mod:`wvlib.evaluate`.

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
    (:func:`strip_wiki_markup`). Parsing takes a few seconds, so the result is cached. Why not
    gensim's ``gensim.corpora.wikicorpus`` (``extract_pages``, ``filter_wiki``): see
    "Why our own wiki parser" below.
``"text8"``
    The first 10^8 bytes of a cleaned English Wikipedia dump, as used by the original word2vec
    demo: 17 million tokens on a single line. It is *not* shipped with any package, so
    :func:`fetch_text8` downloads it once (about 31 MB) with `pooch <https://www.fatiando.org/
    pooch/>`_, checks its SHA-256 and unzips it into the cache. Because the text has no sentence
    or article boundaries, it is cut into pseudo-documents of :data:`TEXT8_DOCUMENT_LENGTH` =
    10,000 tokens, as gensim's ``Text8Corpus`` does.

Evaluation files (:data:`WORD_PAIR_DATASETS`, :data:`ANALOGY_DATASETS`): WordSim-353, SimLex-999
and the Google analogy questions, the copies in gensim's test data (:func:`gensim_test_file`).

Why our own wiki parser
-----------------------
gensim (a dependency) ships ``gensim.corpora.wikicorpus``. Measured on this excerpt (gensim
4.4.0, the same :func:`wvlib.tokens.tokenize` after each), its ``filter_wiki`` gives 486,041
tokens where :func:`strip_wiki_markup` gives 465,489 (+4.4 %), 36,769 word types instead of
34,176, 9,535 with count ≥ 5 instead of 9,003; only 21 of the 106 articles come out with the
same tokens. The difference is not noise we could accept, because the chapters' figures
depend on the tokens:

* it **deletes prose**: a ``<`` that does not open a tag is taken for one, and everything up
  to the next ``>`` goes — in *Asphalt*, "Nickel and vanadium are found in the <10 ppm level,
  ..." loses 5,000 of the article's 6,000 tokens (ours keeps them; tested);
* it **keeps what is not prose**: the cells of wiki tables (the winners' lists of *Academy Award
  for Best Production Design*: 5,020 tokens where ours keeps the 147 of the text) and the
  remains of image links (``jpg`` 83 times, ``file`` 77, ``20px`` 55 more than ours);
* ``extract_pages`` also yields pages outside the main namespace (with an empty text).

gensim's own ``tokenize`` (tokens of 2 to 15 characters) changes the tokens again (452,944).
Ours is also faster here: 0.5 s against 1.1 s for ``extract_pages`` + ``filter_wiki`` (best of
three runs on one core; an illustration, not asserted). ``tests/test_datasets.py`` recomputes
every count above.

Caching
-------
Parsed or downloaded corpora are kept in a cache directory (:func:`cache_directory`): the
``cache_dir`` argument if given, else the environment variable ``WVLIB_CACHE``, else
``~/.cache/wvlib``. Files are written under a temporary name first and then renamed, so an
interrupted run never leaves a half-written file. Deleting the directory is always safe.
"""
from __future__ import annotations

import bz2
import gzip
import html
import importlib.util
import os
import re
import shutil
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from ._io import atomic_write
from .tokens import tokenize
from .progress import progress, progress_enabled

__all__ = [
    "TOY_SENTENCES", "KNOWN_CORPORA", "WORD_PAIR_DATASETS", "ANALOGY_DATASETS",
    "cache_directory", "gensim_test_file", "load_named_corpus",
    "strip_wiki_markup", "parse_wiki_dump", "fetch_text8", "read_text8", "iter_text8",
    "TEXT8_URL", "TEXT8_SHA256", "TEXT8_DOCUMENT_LENGTH",
]

# ----------------------------------------------------------------------------------------------
# Names and files
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

#: Word-similarity files shipped with gensim's test data: name -> file name.
WORD_PAIR_DATASETS = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
#: Analogy files shipped with gensim's test data: name -> file name.
ANALOGY_DATASETS = {"google": "questions-words.txt"}


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


def gensim_test_file(filename: str) -> Path:
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



def load_named_corpus(name: str, *, cache_dir=None, max_documents=None, verbose=None):
    """Titles (or ``None``) and tokenized documents of a corpus of :data:`KNOWN_CORPORA`.

    Called by :func:`wvlib.corpus.load_corpus`, which validates the arguments.
    """
    if name == "toy":
        return None, [tokenize(s) for s in TOY_SENTENCES]
    if name == "lee":
        with open(gensim_test_file(_LEE_FILE), encoding="utf-8") as f:
            return None, [tokens for tokens in map(tokenize, f) if tokens]
    if name == "enwiki-sample":
        return _load_enwiki_sample(cache_dir, verbose)
    if name == "text8":
        return None, read_text8(fetch_text8(cache_dir=cache_dir, verbose=verbose),
                                max_documents, verbose)
    raise ValueError(f"name must be one of {', '.join(map(repr, KNOWN_CORPORA))}, "
                     f"got {name!r}")


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

    titles, documents = parse_wiki_dump(gensim_test_file(_ENWIKI_FILE), verbose=verbose)
    payload = "".join(f"{t.replace(chr(9), ' ').replace(chr(10), ' ')}\t{' '.join(d)}\n"
                      for t, d in zip(titles, documents)).encode("utf-8")
    try:
        with atomic_write(cache) as f:
            f.write(gzip.compress(payload, compresslevel=6))
    except OSError as exc:  # a read-only home, a full disk: carry on without a cache
        warnings.warn(f"could not cache the parsed enwiki-sample at {cache}: {exc}; "
                      f"set WVLIB_CACHE or pass cache_dir to a writable directory",
                      stacklevel=3)
    return titles, documents


# ----------------------------------------------------------------------------------------------
# text8: downloaded once (with pooch), then read from the cache
# ----------------------------------------------------------------------------------------------
TEXT8_URL = "http://mattmahoney.net/dc/text8.zip"
#: SHA-256 of ``text8.zip``: a download with any other content is refused.
TEXT8_SHA256 = "a6640522afe85d1963ad56c05b0ede0a0c000dddc9671758a6cc09b7a38e5232"
#: Size in bytes of ``text8.zip`` (for the messages).
TEXT8_ZIP_SIZE = 31_344_016
#: Size in bytes of the unzipped ``text8`` file (by definition: the first 10^8 bytes).
TEXT8_SIZE = 100_000_000
#: text8 is one 17-million-token line; it is cut into pseudo-documents of this many tokens.
TEXT8_DOCUMENT_LENGTH = 10_000
_TEXT8_BLOCK_CHARS = 1 << 22  # read text8 4M characters at a time
_UNZIP_FOLDER = ".text8.unzip"  # in the cache; text8 moves to <cache>/text8 once complete


def fetch_text8(cache_dir=None, *, url: str = TEXT8_URL, sha256=TEXT8_SHA256, path=None,
                verbose=None) -> Path:
    """Return the path of the unzipped ``text8`` file, downloading it once if needed.

    In order:

    1. ``path`` given: a ``text8`` text file is used as is; from a zip, the member ``text8`` is
       unzipped into the cache.
    2. ``<cache>/text8`` exists: use it.
    3. :func:`pooch.retrieve` gets ``<cache>/text8.zip`` — downloaded from ``url`` unless a
       file with the right SHA-256 is already there (one put there by hand counts) — and its
       :class:`pooch.Unzip` processor unpacks the member ``text8``, which then moves to
       ``<cache>/text8``. A failed or corrupt download leaves nothing behind.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        See :func:`cache_directory`.
    url : str
        Where to download from (HTTP, HTTPS or FTP).
    sha256 : str or None
        Hex SHA-256 digest the zip must have (``None``: do not check).
    path : str or os.PathLike, optional
        A local copy of ``text8`` or ``text8.zip``.
    verbose : bool, optional
        Show a download progress bar.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    RuntimeError
        The download failed (offline?) or did not have the expected SHA-256; the message says
        how to provide the file by hand.
    """
    if sha256 is not None and not (isinstance(sha256, str)
                                   and re.fullmatch(r"[0-9a-fA-F]{64}", sha256)):
        raise ValueError(f"sha256 must be a hex SHA-256 digest (64 characters) or None, "
                         f"got {sha256!r}")
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
            return _unzip_text8(path, target)
        return path
    if target.is_file():
        return target

    import pooch
    import requests

    unzip = pooch.Unzip(members=["text8"], extract_dir=_UNZIP_FOLDER)
    _remove_folder(cache / _UNZIP_FOLDER)  # what an interrupted unzip left
    try:
        files = pooch.retrieve(url, known_hash=None if sha256 is None else f"sha256:{sha256}",
                               fname="text8.zip", path=cache, processor=unzip,
                               progressbar=progress_enabled(verbose))
    except requests.exceptions.RequestException as exc:  # offline, refused, cut off, ...
        raise RuntimeError(_text8_offline_message(url, exc, cache)) from exc
    except ValueError as exc:  # pooch: the SHA-256 differs (the download is deleted)
        raise RuntimeError(f"the text8 download from {url} was refused: {exc}. Nothing was "
                           f"saved in {cache}. Try again, or "
                           + _text8_manual_instructions(url, cache)) from exc
    except KeyError as exc:  # the zip has no member text8
        raise ValueError(f"{cache / 'text8.zip'} has no member 'text8'; is it the text8 "
                         f"corpus?") from exc
    os.replace(next(f for f in files if Path(f).name == "text8"), target)
    _remove_folder(cache / _UNZIP_FOLDER)
    return target


def _remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _unzip_text8(archive: Path, target: Path) -> Path:
    """Unzip the member ``text8`` of a local ``archive`` to ``target`` (with pooch's processor,
    into a scratch folder first, so ``target`` is never half-written)."""
    import pooch

    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            if "text8" not in names:
                raise ValueError(f"{archive} has no member 'text8' (it has {names[:5]}); "
                                 f"is it the text8 corpus?")
            size = zf.getinfo("text8").file_size
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{archive} is not a valid zip file ({exc})") from None
    if target.is_file() and target.stat().st_size == size:
        return target  # unpacked before
    scratch = target.parent / _UNZIP_FOLDER
    _remove_folder(scratch)
    scratch.parent.mkdir(parents=True, exist_ok=True)
    unzip = pooch.Unzip(members=["text8"], extract_dir=str(scratch.resolve()))
    files = unzip(str(archive), "download", None)
    os.replace(next(f for f in files if Path(f).name == "text8"), target)
    _remove_folder(scratch)
    return target


def _text8_manual_instructions(url, cache: Path) -> str:
    return (f"download {url} by hand (a {TEXT8_ZIP_SIZE:,}-byte zip) and either pass its path "
            f"(`--corpus /path/to/text8.zip` on the command line, or "
            f"load_corpus('/path/to/text8.zip')), or put it at {cache / 'text8.zip'}, "
            f"or set the environment variable WVLIB_CACHE to a directory that contains "
            f"text8.zip.")


def _text8_offline_message(url, reason, cache: Path) -> str:
    return (f"could not download the text8 corpus from {url} ({reason}); this machine may be "
            f"offline. To use text8, " + _text8_manual_instructions(url, cache))


def read_text8(path: Path, max_documents=None, verbose=None) -> list:
    """Split the single line of text8 into pseudo-documents of TEXT8_DOCUMENT_LENGTH tokens.

    text8 is already lowercase letters separated by single spaces, so a plain ``str.split`` is
    its tokenizer. The file is read in blocks, and reading stops once ``max_documents``
    documents are complete (:func:`iter_text8` yields them one at a time).
    """
    documents = []
    for doc in iter_text8(path, verbose=verbose):
        if max_documents is not None and len(documents) >= max_documents:
            break
        documents.append(doc)
    return documents


def iter_text8(path: Path, verbose=None):
    """Yield the pseudo-documents of text8 (lists of TEXT8_DOCUMENT_LENGTH tokens, the last
    one shorter) while reading the file a block at a time: the corpus is never held whole."""
    n = TEXT8_DOCUMENT_LENGTH
    pending, carry = [], ""
    with open(path, encoding="utf-8") as f, progress(total=os.path.getsize(path), unit="B",
                                                     desc="read text8", verbose=verbose) as bar:
        while True:
            block = f.read(_TEXT8_BLOCK_CHARS)
            if not block:
                break
            bar.update(len(block))
            # the text after the last space may be the start of a token cut by the block end
            head, _, carry = (carry + block).rpartition(" ")
            pending.extend(head.split())
            n_full = len(pending) // n
            for k in range(n_full):
                yield pending[k * n:(k + 1) * n]
            pending = pending[n_full * n:]
    pending.extend(carry.split())
    for k in range(0, len(pending), n):
        yield pending[k:k + n]


# ---------------------------------------------------------------------------------------------
# evaluation files: word pairs (the readers of wvlib.evaluate and wvlib.stats)
# ---------------------------------------------------------------------------------------------

def dataset_path(name_or_path, datasets: dict, argname: str) -> str:
    """The file of a named dataset (shipped with gensim) or an existing path."""
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(f"{argname} must be a dataset name or a file path, got "
                        f"{type(name_or_path).__name__}")
    if isinstance(name_or_path, str) and name_or_path in datasets:
        return os.fspath(gensim_test_file(datasets[name_or_path]))
    if os.path.isfile(name_or_path):
        return os.fspath(name_or_path)
    names = ", ".join(repr(name) for name in datasets)
    raise ValueError(f"{argname} must be one of {names} or the path of an existing file, "
                     f"got {name_or_path!r}")


def read_word_pairs(name_or_path, argname: str) -> list:
    """The (word1, word2, score) triples of a named word-pair dataset or of a file of
    tab-separated lines; ``argname`` names the argument in error messages."""
    path = dataset_path(name_or_path, WORD_PAIR_DATASETS, argname)
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\r\n").split("\t")
            try:
                if len(fields) != 3:
                    raise ValueError
                pairs.append((fields[0].strip(), fields[1].strip(), float(fields[2])))
            except ValueError:
                raise ValueError(f"{argname}: line {line_no} of {path} should be "
                                 f"'word1<TAB>word2<TAB>score', got {line.rstrip()!r}") from None
    return pairs


def check_word_pairs(pairs) -> list:
    """``pairs`` as a list of (str, str, float), or a clear error."""
    if not isinstance(pairs, (list, tuple)):
        raise TypeError(f"pairs must be a dataset name, a path or a list of (word1, word2, "
                        f"score), got {type(pairs).__name__}")
    if not pairs:
        raise ValueError("pairs must hold at least one (word1, word2, score) triple, got none")
    checked = []
    for item in pairs:
        if (not isinstance(item, (list, tuple)) or len(item) != 3
                or not isinstance(item[0], str) or not isinstance(item[1], str)):
            raise ValueError(f"pairs must hold (word1, word2, score) triples, got {item!r}")
        checked.append((item[0], item[1], float(item[2])))
    return checked
