"""Tests for wvlib.corpus: tokens, vocabularies and the corpus loaders (no network, ever)."""
import bz2
import collections
import gzip
import html
import os
import random
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wvlib.corpus as corpus_module
from wvlib.corpus import (TEXT8_DOCUMENT_LENGTH, TEXT8_URL, TOY_SENTENCES, Corpus, Vocabulary,
                          cache_directory, fetch_text8, load_corpus, parse_wiki_dump,
                          strip_wiki_markup, tokenize)


# ----------------------------------------------------------------------------------------------
# tokenize
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Don't panic!", ["don", "t", "panic"]),
    ("word2vec-style embeddings, 2013.", ["word2vec", "style", "embeddings", "2013"]),
    ("Café ÜBER naïve", ["café", "über", "naïve"]),
    ("snake_case and e-mail", ["snake", "case", "and", "e", "mail"]),
    ("Москва — столица", ["москва", "столица"]),
    ("", []),
    ("  ...  ", []),
])
def test_tokenize_examples(text, expected):
    assert tokenize(text) == expected


def _tokenize_by_hand(text):
    """Reference: runs of characters for which str.isalnum() holds, after lowercasing."""
    tokens, current = [], []
    for ch in text.lower():
        if ch.isalnum():
            current.append(ch)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_tokenize_matches_character_loop(text):
    assert tokenize(text) == _tokenize_by_hand(text)


def test_tokenize_rejects_non_strings():
    with pytest.raises(TypeError, match="text"):
        tokenize(["a", "b"])


# ----------------------------------------------------------------------------------------------
# Corpus
# ----------------------------------------------------------------------------------------------
def test_corpus_basics():
    c = Corpus("tiny", [["a", "b"], ("c",)], titles=["one", "two"])
    assert len(c) == 2 and c.n_tokens == 3
    assert list(c) == [["a", "b"], ["c"]]
    assert c[1] == ["c"] and c.titles == ["one", "two"]
    assert repr(c) == "Corpus('tiny', 2 documents, 3 tokens)"


def test_corpus_bad_input():
    with pytest.raises(ValueError, match="documents"):
        Corpus("x", [])
    with pytest.raises(ValueError, match="documents"):
        Corpus("x", ["a sentence, not tokens"])
    with pytest.raises(ValueError, match="titles"):
        Corpus("x", [["a"]], titles=["t1", "t2"])


# ----------------------------------------------------------------------------------------------
# Vocabulary
# ----------------------------------------------------------------------------------------------
DOCS = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat"], ["a", "cat"]]


def test_vocabulary_counts_and_order():
    vocab = Vocabulary.build(DOCS)
    expected = collections.Counter(t for d in DOCS for t in d)
    assert dict(zip(vocab.words, vocab.counts.tolist())) == expected
    # frequency descending, ties alphabetical
    assert vocab.words == ["the", "cat", "sat", "a", "dog", "mat", "on"]
    assert vocab.counts.dtype == np.int64
    assert vocab.index == {w: i for i, w in enumerate(vocab.words)}
    assert len(vocab) == 7 and "cat" in vocab and "cow" not in vocab
    assert vocab["sat"] == 2 and vocab.word(2) == "sat"
    assert list(vocab) == vocab.words


def test_vocabulary_does_not_depend_on_document_order():
    rng = random.Random(0)
    docs = [[rng.choice("abcdefghij") for _ in range(rng.randint(0, 20))] for _ in range(30)]
    shuffled = [list(d) for d in docs]
    rng.shuffle(shuffled)
    for d in shuffled:
        rng.shuffle(d)
    a, b = Vocabulary.build(docs), Vocabulary.build(shuffled)
    assert a.words == b.words and np.array_equal(a.counts, b.counts)


def test_vocabulary_min_count_and_max_size():
    vocab = Vocabulary.build(DOCS, min_count=2)
    assert vocab.words == ["the", "cat", "sat"]
    vocab = Vocabulary.build(DOCS, max_size=4)
    assert vocab.words == ["the", "cat", "sat", "a"]
    vocab = Vocabulary.build(DOCS, min_count=2, max_size=2)
    assert vocab.words == ["the", "cat"]


def test_vocabulary_accepts_a_corpus():
    assert Vocabulary.build(Corpus("c", DOCS)).words == Vocabulary.build(DOCS).words


def test_vocabulary_encode():
    vocab = Vocabulary.build(DOCS, min_count=2)
    ids = vocab.encode(["the", "zebra", "cat", "sat", "on"])
    assert ids.dtype == np.int32 and ids.tolist() == [0, 1, 2]
    assert vocab.encode([]).tolist() == []
    encoded = vocab.encode_documents(DOCS)
    assert [e.tolist() for e in encoded] == [[0, 1, 2, 0], [0, 2], [1]]
    assert all(e.dtype == np.int32 for e in encoded)
    with pytest.raises(ValueError, match="tokens"):
        vocab.encode("the cat")


def test_unigram_distribution():
    vocab = Vocabulary.build(DOCS)
    counts = vocab.counts.astype(float)
    np.testing.assert_allclose(vocab.unigram_distribution(), counts / counts.sum())
    p = vocab.unigram_distribution(0.75)
    np.testing.assert_allclose(p, counts ** 0.75 / (counts ** 0.75).sum())
    assert p.sum() == pytest.approx(1.0)
    # a power below 1 flattens the distribution: the most frequent word loses mass
    assert p[0] < vocab.unigram_distribution()[0]
    np.testing.assert_allclose(vocab.unigram_distribution(0), np.full(len(vocab), 1 / len(vocab)))


def test_vocabulary_errors_name_the_argument():
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary.build(DOCS, min_count=0)
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary.build(DOCS, min_count=1.5)
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary.build(DOCS, min_count=100)
    with pytest.raises(ValueError, match="max_size"):
        Vocabulary.build(DOCS, max_size=0)
    with pytest.raises(ValueError, match="documents"):
        Vocabulary.build([])
    with pytest.raises(ValueError, match="documents"):
        Vocabulary.build([[], []])
    with pytest.raises(ValueError, match="documents"):
        Vocabulary.build(["the cat sat"])
    vocab = Vocabulary.build(DOCS)
    with pytest.raises(KeyError, match=r"word 'unknown' is not in the vocabulary \(size 7\)"):
        vocab["unknown"]
    with pytest.raises(ValueError, match="power"):
        vocab.unigram_distribution(-1)
    with pytest.raises(ValueError, match="power"):
        vocab.unigram_distribution("0.75")
    with pytest.raises(ValueError, match="i must be"):
        vocab.word(7)
    with pytest.raises(ValueError, match="distinct"):
        Vocabulary(["a", "a"], [1, 2])
    with pytest.raises(ValueError, match="counts"):
        Vocabulary(["a", "b"], [1])


# ----------------------------------------------------------------------------------------------
# Named corpora: toy, lee
# ----------------------------------------------------------------------------------------------
def test_toy_corpus():
    toy = load_corpus("toy")
    assert toy.name == "toy" and 8 <= len(toy) <= 15
    assert toy.documents == [tokenize(s) for s in TOY_SENTENCES]
    vocab = Vocabulary.build(toy)
    for word in ["cat", "dog", "king", "queen", "milk", "water"]:
        assert vocab.counts[vocab[word]] >= 2, word
    assert load_corpus("toy", max_documents=3).documents == toy.documents[:3]


def test_lee_corpus():
    from gensim.test.utils import datapath
    lee = load_corpus("lee")
    assert lee.name == "lee" and len(lee) == 300
    with open(datapath("lee_background.cor"), encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    assert lee.documents == [tokenize(line) for line in lines]
    assert lee.documents[0][:4] == ["hundreds", "of", "people", "have"]
    assert 50_000 < lee.n_tokens < 80_000


# ----------------------------------------------------------------------------------------------
# enwiki-sample
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("wikitext, expected", [
    ("a <!-- hidden\ncomment --> b", "a b"),
    ("x<ref name=a>{{cite web|url=http://x.org}}</ref> y<ref name=a/> z", "x y z"),
    ("a {{outer|{{inner|{{deep}}}}|p=1}} b", "a b"),
    ("a\n{| class=wikitable\n|-\n| cell || {| nested\n| x\n|}\n|}\nb", "a b"),
    ("see [[Albert Einstein|Einstein]] and [[physics]]s", "see Einstein and physicss"),
    ("[[File:Cat.jpg|thumb|A [[cat]] on a [[mat|rug]]]]Text", "Text"),
    ("[[Image:x.png|left]]a[[Category:Animals]]b[[category:x|y]]", "ab"),
    ("[http://example.org the site] and [https://x.y] and http://bare.url/path here",
     "the site and and here"),
    ("'''Bold''' and ''italic''", "Bold and italic"),
    ("== History ==\ntext\n=== Early ===", "History text Early"),
    ("a<br/>b <small>c</small> <math>x^2</math> d", "a b c d"),
    ("__NOTOC__fish &amp; chips", "fish & chips"),
])
def test_strip_wiki_markup(wikitext, expected):
    # compared up to whitespace: the stripper may leave a space where markup was
    assert " ".join(strip_wiki_markup(wikitext).split()) == expected


TINY_DUMP = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10">
  <siteinfo><sitename>Wikipedia</sitename></siteinfo>
  <page><title>Redirected</title><ns>0</ns><id>1</id><redirect title="Cats" />
    <revision><id>5</id><text xml:space="preserve">#REDIRECT [[Cats]]</text></revision></page>
  <page><title>Cats</title><ns>0</ns><id>2</id>
    <revision><id>6</id><text xml:space="preserve">'''Cats''' are [[mammal|mammals]].{{Infobox|x={{y}}}}
&lt;ref&gt;{{cite}}&lt;/ref&gt;</text></revision></page>
  <page><title>Talk:Cats</title><ns>1</ns><id>3</id>
    <revision><id>7</id><text xml:space="preserve">Talk about cats</text></revision></page>
  <page><title>Dogs</title><ns>0</ns><id>4</id>
    <revision><id>8</id><text xml:space="preserve">Dogs bark.</text></revision></page>
</mediawiki>"""


def test_parse_wiki_dump_keeps_only_articles(tmp_path):
    dump = tmp_path / "tiny.xml.bz2"
    dump.write_bytes(bz2.compress(TINY_DUMP.encode("utf-8")))
    titles, documents = parse_wiki_dump(dump)
    assert titles == ["Cats", "Dogs"]
    assert documents == [["cats", "are", "mammals"], ["dogs", "bark"]]


@pytest.fixture(scope="session")
def enwiki_cache(tmp_path_factory):
    """A fresh cache directory with enwiki-sample parsed once (shared by the tests below)."""
    cache = tmp_path_factory.mktemp("wvlib-cache")
    corpus = load_corpus("enwiki-sample", cache_dir=cache)
    return cache, corpus


def _enwiki_titles_by_regex():
    """Reference list of article titles: main-namespace pages that are not redirects."""
    from gensim.test.utils import datapath
    with bz2.open(datapath(corpus_module._ENWIKI_FILE), "rt", encoding="utf-8") as f:
        xml = f.read()
    titles = []
    for page in re.findall(r"<page>(.*?)</page>", xml, flags=re.DOTALL):
        if "<ns>0</ns>" in page and "<redirect" not in page:
            titles.append(re.search(r"<title>(.*?)</title>", page).group(1))
    return titles


def test_enwiki_sample(enwiki_cache):
    cache, enwiki = enwiki_cache
    assert enwiki.name == "enwiki-sample"
    assert enwiki.n_tokens >= 400_000
    assert 100 <= len(enwiki) <= 110
    assert enwiki.titles == [html.unescape(t) for t in _enwiki_titles_by_regex()]
    assert enwiki.titles[0] == "Anarchism"
    counts = collections.Counter(t for d in enwiki for t in d)
    # markup left-overs that would mean the stripping failed
    for junk in ["ref", "nbsp", "http", "https", "wikitable", "colspan", "px", "cite"]:
        assert counts[junk] <= 2, junk
    assert counts["the"] > 20_000
    assert (cache / corpus_module._enwiki_cache_path(cache).name).is_file()
    assert f"v{corpus_module.ENWIKI_PARSER_VERSION}" in corpus_module._enwiki_cache_path(cache).name


def test_enwiki_second_load_uses_the_cache(enwiki_cache, monkeypatch):
    cache, first = enwiki_cache

    def no_parsing(*args, **kwargs):
        raise AssertionError("the dump was parsed again instead of read from the cache")

    monkeypatch.setattr(corpus_module, "parse_wiki_dump", no_parsing)
    second = load_corpus("enwiki-sample", cache_dir=cache)
    assert second.documents == first.documents and second.titles == first.titles
    assert load_corpus("enwiki-sample", cache_dir=cache, max_documents=5).documents == \
        first.documents[:5]
    # the cache is a gzip'ed text file: one article per line
    with gzip.open(corpus_module._enwiki_cache_path(cache), "rt", encoding="utf-8") as f:
        assert sum(1 for _ in f) == len(first)


def test_enwiki_parser_version_invalidates_cache(enwiki_cache, tmp_path, monkeypatch):
    _, first = enwiki_cache
    # a cache written by the current parser version ...
    stale = corpus_module._enwiki_cache_path(tmp_path)
    stale.write_bytes(gzip.compress(b"Stale\tstale tokens\n"))
    assert load_corpus("enwiki-sample", cache_dir=tmp_path).documents == [["stale", "tokens"]]
    # ... is ignored once the parser version changes: the dump is parsed again
    calls = []
    real = corpus_module.parse_wiki_dump
    monkeypatch.setattr(corpus_module, "parse_wiki_dump",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(corpus_module, "ENWIKI_PARSER_VERSION",
                        corpus_module.ENWIKI_PARSER_VERSION + 1)
    assert corpus_module._enwiki_cache_path(tmp_path) != stale
    again = load_corpus("enwiki-sample", cache_dir=tmp_path)
    assert calls == [1]
    assert again.documents == first.documents
    assert corpus_module._enwiki_cache_path(tmp_path).is_file()
    assert not list(tmp_path.glob("*.part"))


# ----------------------------------------------------------------------------------------------
# Files on disk
# ----------------------------------------------------------------------------------------------
def test_load_corpus_from_file(tmp_path):
    path = tmp_path / "my corpus.txt"
    path.write_text("The first line.\n\n   \nSecond line, über-cool!\nthird\n", encoding="utf-8")
    c = load_corpus(path)
    assert c.name == "my corpus.txt"
    assert c.documents == [["the", "first", "line"], ["second", "line", "über", "cool"],
                           ["third"]]
    assert load_corpus(str(path), max_documents=2).documents == c.documents[:2]


def test_load_corpus_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="name_or_path") as info:
        load_corpus(tmp_path / "missing.txt")
    for name in ["toy", "lee", "enwiki-sample", "text8"]:
        assert name in str(info.value)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n ... \n", encoding="utf-8")
    with pytest.raises(ValueError, match="corpus .* has no tokens"):
        load_corpus(empty)
    with pytest.raises(ValueError, match="max_documents"):
        load_corpus("toy", max_documents=0)
    with pytest.raises(TypeError, match="name_or_path"):
        load_corpus(42)


def test_cache_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("WVLIB_CACHE", str(tmp_path / "env"))
    assert cache_directory(tmp_path / "arg") == tmp_path / "arg"
    assert cache_directory() == tmp_path / "env"
    monkeypatch.delenv("WVLIB_CACHE")
    assert cache_directory() == Path.home() / ".cache" / "wvlib"


# ----------------------------------------------------------------------------------------------
# text8 (never downloaded: a tiny fake text8.zip stands in for the real one)
# ----------------------------------------------------------------------------------------------
N_FAKE_TOKENS = 2 * TEXT8_DOCUMENT_LENGTH + 503


@pytest.fixture
def fake_text8(tmp_path):
    rng = random.Random(8)
    words = ["anarchism", "originated", "as", "a", "term", "of", "abuse", "first", "used"]
    tokens = [rng.choice(words) for _ in range(N_FAKE_TOKENS)]
    text = " " + " ".join(tokens)  # the real text8 also starts with a space and has no newline
    archive = tmp_path / "download" / "text8.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("text8", text)
    return archive, tokens, text


def _cache_files(cache):
    return sorted(p.name for p in Path(cache).iterdir()) if Path(cache).exists() else []


def test_text8_from_local_zip(fake_text8, tmp_path):
    archive, tokens, text = fake_text8
    cache = tmp_path / "cache"
    path = fetch_text8(cache_dir=cache, path=archive)
    assert path == cache / "text8" and path.read_text() == text
    # a path named text8.zip is read as text8: 10,000-token pseudo-documents
    c = load_corpus(archive, cache_dir=cache)
    assert [len(d) for d in c] == [10_000, 10_000, 503]
    assert sum(c.documents, []) == tokens
    assert load_corpus(archive, cache_dir=cache, max_documents=2).documents == c.documents[:2]
    # and so is the unzipped file, and a zip of any name
    assert load_corpus(path).documents == c.documents
    renamed = tmp_path / "text8 (1).zip"
    renamed.write_bytes(archive.read_bytes())
    assert load_corpus(renamed, cache_dir=cache).documents == c.documents


def test_text8_block_boundaries(fake_text8, tmp_path, monkeypatch):
    archive, tokens, _ = fake_text8
    path = fetch_text8(cache_dir=tmp_path / "cache", path=archive)
    for block in [5, 13, 4096]:  # 5 and 13 cut tokens in two; some blocks hold no space
        monkeypatch.setattr(corpus_module, "_TEXT8_BLOCK_CHARS", block)
        docs = corpus_module._read_text8(path)
        assert sum(docs, []) == tokens, block
        assert corpus_module._read_text8(path, max_documents=1) == docs[:1]


def test_text8_download_from_file_url(fake_text8, tmp_path):
    archive, tokens, text = fake_text8
    cache = tmp_path / "cache"
    size = archive.stat().st_size
    path = fetch_text8(cache_dir=cache, url=archive.as_uri(), expected_size=size)
    assert path == cache / "text8" and path.read_text() == text
    assert _cache_files(cache) == ["text8", "text8.zip"]
    # now cached: no download is attempted, even from a URL that does not exist
    assert fetch_text8(cache_dir=cache, url=(tmp_path / "nope.zip").as_uri()) == path
    c = load_corpus("text8", cache_dir=cache)
    assert c.name == "text8" and sum(c.documents, []) == tokens


def test_text8_download_checks_size_and_checksum(fake_text8, tmp_path):
    import hashlib
    archive, _, _ = fake_text8
    size = archive.stat().st_size
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="expected_size") as info:
        fetch_text8(cache_dir=cache, url=archive.as_uri(), expected_size=size + 1)
    assert f"{size:,} bytes" in str(info.value)
    assert _cache_files(cache) == []  # nothing half-downloaded left behind
    with pytest.raises(RuntimeError, match="SHA-256"):
        fetch_text8(cache_dir=cache, url=archive.as_uri(), expected_size=size, sha256="0" * 64)
    assert _cache_files(cache) == []
    good = hashlib.sha256(archive.read_bytes()).hexdigest()
    fetch_text8(cache_dir=cache, url=archive.as_uri(), expected_size=size, sha256=good)
    assert _cache_files(cache) == ["text8", "text8.zip"]


def test_text8_offline_message(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    cache = tmp_path / "cache"
    for call in (lambda: fetch_text8(cache_dir=cache),
                 lambda: load_corpus("text8", cache_dir=cache)):
        with pytest.raises(RuntimeError) as info:
            call()
        message = str(info.value)
        assert TEXT8_URL in message
        assert "--corpus /path/to/text8" in message
        assert str(cache / "text8.zip") in message
        assert "WVLIB_CACHE" in message
        assert _cache_files(cache) == []


def test_text8_cached_zip_is_unpacked(fake_text8, tmp_path):
    archive, _, text = fake_text8
    cache = tmp_path / "cache"
    cache.mkdir()
    os.replace(archive, cache / "text8.zip")  # as if the user put the zip there by hand
    assert fetch_text8(cache_dir=cache, url=(tmp_path / "unused.zip").as_uri()).read_text() == text


def test_text8_errors(tmp_path):
    bad = tmp_path / "text8.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("something-else.txt", "x")
    with pytest.raises(ValueError, match="no member 'text8'"):
        fetch_text8(cache_dir=tmp_path / "cache", path=bad)
    with pytest.raises(FileNotFoundError, match="path"):
        fetch_text8(cache_dir=tmp_path / "cache", path=tmp_path / "missing.zip")
    with pytest.raises(ValueError, match="expected_size"):
        fetch_text8(cache_dir=tmp_path / "cache", expected_size=-3)
    with pytest.raises(ValueError, match="sha256"):
        fetch_text8(cache_dir=tmp_path / "cache", sha256="abc")
    assert _cache_files(tmp_path / "cache") == []
