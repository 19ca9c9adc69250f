"""Tests for wvlib.datasets: enwiki-sample parsing, the cache, text8 (no network, ever)."""
import bz2
import collections
import gzip
import hashlib
import html
import http.server
import os
import random
import re
import socket
import threading
import zipfile
from functools import partial
from pathlib import Path

import pytest

import wvlib.datasets as datasets
from wvlib.corpus import load_corpus
from wvlib.datasets import (TEXT8_DOCUMENT_LENGTH, TEXT8_URL, cache_directory, fetch_text8,
                            parse_wiki_dump, strip_wiki_markup)


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


def test_strip_wiki_markup_keeps_a_less_than_sign_that_opens_no_tag():
    """What gensim's ``filter_wiki`` gets wrong for us (the module docstring): a ``<`` before
    a digit is not a tag, and the prose after it stays."""
    from gensim.corpora.wikicorpus import filter_wiki
    text = ("Nickel is found at the <10 ppm level. The substance is soluble in carbon "
            "disulfide.<br/>It is a colloid.")
    ours = " ".join(strip_wiki_markup(text).split())
    assert ours == ("Nickel is found at the <10 ppm level. The substance is soluble in carbon "
                    "disulfide. It is a colloid.")
    assert "soluble" not in filter_wiki(text)                  # gensim drops it


def test_the_figures_against_gensims_wikicorpus_in_the_docstring():
    """The counts the module docstring gives for ``gensim.corpora.wikicorpus`` against our
    parser, on the enwiki excerpt (same tokenizer after both)."""
    from gensim.corpora import wikicorpus
    from wvlib.tokens import tokenize
    path = datasets.gensim_test_file(datasets._ENWIKI_FILE)
    titles, ours = parse_wiki_dump(path)
    theirs, gensim_tokens, empty = {}, 0, 0
    with bz2.open(path, "rb") as f:
        for title, text, _ in wikicorpus.extract_pages(f, filter_namespaces=("0",)):
            if not text:
                empty += 1                                 # a page outside namespace 0
            elif not text.lstrip().lower().startswith("#redirect"):
                plain = wikicorpus.filter_wiki(text)
                theirs[title] = tokenize(plain)
                gensim_tokens += len(wikicorpus.tokenize(plain))
    assert sorted(theirs) == sorted(titles) and empty >= 1
    mine = dict(zip(titles, ours))
    counts = [collections.Counter(w for d in docs for w in d)
              for docs in (ours, [theirs[t] for t in titles])]
    assert [sum(c.values()) for c in counts] == [465_489, 486_041]
    assert [len(c) for c in counts] == [34_176, 36_769]
    assert [sum(n >= 5 for n in c.values()) for c in counts] == [9_003, 9_535]
    assert sum(mine[t] == theirs[t] for t in titles) == 21
    assert (len(mine["Asphalt"]), len(theirs["Asphalt"])) == (6_014, 1_043)
    production_design = "Academy Award for Best Production Design"
    assert (len(mine[production_design]), len(theirs[production_design])) == (147, 5_020)
    more = counts[1] - counts[0]
    assert (more["jpg"], more["file"], more["20px"]) == (83, 77, 55)
    assert gensim_tokens == 452_944                        # with gensim's own tokenize


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
    with bz2.open(datapath(datasets._ENWIKI_FILE), "rt", encoding="utf-8") as f:
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
    assert (cache / datasets._enwiki_cache_path(cache).name).is_file()
    assert f"v{datasets.ENWIKI_PARSER_VERSION}" in datasets._enwiki_cache_path(cache).name


def test_enwiki_second_load_uses_the_cache(enwiki_cache, monkeypatch):
    cache, first = enwiki_cache

    def no_parsing(*args, **kwargs):
        raise AssertionError("the dump was parsed again instead of read from the cache")

    monkeypatch.setattr(datasets, "parse_wiki_dump", no_parsing)
    second = load_corpus("enwiki-sample", cache_dir=cache)
    assert second.documents == first.documents and second.titles == first.titles
    assert load_corpus("enwiki-sample", cache_dir=cache, max_documents=5).documents == \
        first.documents[:5]
    # the cache is a gzip'ed text file: one article per line
    with gzip.open(datasets._enwiki_cache_path(cache), "rt", encoding="utf-8") as f:
        assert sum(1 for _ in f) == len(first)


def test_enwiki_parser_version_invalidates_cache(enwiki_cache, tmp_path, monkeypatch):
    _, first = enwiki_cache
    # a cache written by the current parser version ...
    stale = datasets._enwiki_cache_path(tmp_path)
    stale.write_bytes(gzip.compress(b"Stale\tstale tokens\n"))
    assert load_corpus("enwiki-sample", cache_dir=tmp_path).documents == [["stale", "tokens"]]
    # ... is ignored once the parser version changes: the dump is parsed again
    calls = []
    real = datasets.parse_wiki_dump
    monkeypatch.setattr(datasets, "parse_wiki_dump",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(datasets, "ENWIKI_PARSER_VERSION",
                        datasets.ENWIKI_PARSER_VERSION + 1)
    assert datasets._enwiki_cache_path(tmp_path) != stale
    again = load_corpus("enwiki-sample", cache_dir=tmp_path)
    assert calls == [1]
    assert again.documents == first.documents
    assert datasets._enwiki_cache_path(tmp_path).is_file()
    assert not list(tmp_path.glob("*.part"))



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



def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def http_server(tmp_path):
    """A web server on 127.0.0.1 serving tmp_path/served; yields (folder, base URL, requests)."""
    folder = tmp_path / "served"
    folder.mkdir()
    seen = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # one call per request: count them, print nothing
            seen.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def _closed_port_url():
    """A URL on 127.0.0.1 where nothing listens: the connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/text8.zip"


def test_text8_constants():
    assert re.fullmatch(r"[0-9a-f]{64}", datasets.TEXT8_SHA256)
    assert TEXT8_URL.endswith("/text8.zip")


def test_text8_from_local_zip(fake_text8, tmp_path):
    archive, tokens, text = fake_text8
    cache = tmp_path / "cache"
    path = fetch_text8(cache_dir=cache, path=archive)
    assert path == cache / "text8" and path.read_text() == text
    assert _cache_files(cache) == ["text8"]  # the scratch folder of the unzip is gone
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
        monkeypatch.setattr(datasets, "_TEXT8_BLOCK_CHARS", block)
        docs = datasets.read_text8(path)
        assert sum(docs, []) == tokens, block
        assert datasets.read_text8(path, max_documents=1) == docs[:1]


def test_text8_download_with_pooch(fake_text8, tmp_path, http_server):
    archive, tokens, text = fake_text8
    folder, base, seen = http_server
    os.replace(archive, folder / "text8.zip")
    cache = tmp_path / "cache"
    path = fetch_text8(cache_dir=cache, url=f"{base}/text8.zip",
                       sha256=_sha256(folder / "text8.zip"))
    assert seen == ["/text8.zip"]
    assert path == cache / "text8" and path.read_text() == text
    assert _cache_files(cache) == ["text8", "text8.zip"]
    assert _sha256(cache / "text8.zip") == _sha256(folder / "text8.zip")
    # now cached: no download is attempted, even from a URL where nothing listens
    assert fetch_text8(cache_dir=cache, url=_closed_port_url()) == path
    c = load_corpus("text8", cache_dir=cache)
    assert c.name == "text8" and sum(c.documents, []) == tokens
    assert seen == ["/text8.zip"]


def test_text8_download_with_the_wrong_hash_is_refused(fake_text8, tmp_path, http_server):
    archive, _, _ = fake_text8
    folder, base, seen = http_server
    os.replace(archive, folder / "text8.zip")
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="was refused") as info:
        fetch_text8(cache_dir=cache, url=f"{base}/text8.zip", sha256="0" * 64)
    assert "0" * 64 in str(info.value)  # pooch's message says which hash was expected
    assert seen == ["/text8.zip"]
    assert _cache_files(cache) == []  # nothing (half-)downloaded left behind
    with pytest.raises(RuntimeError, match="could not download"):  # a 404
        fetch_text8(cache_dir=cache, url=f"{base}/missing.zip")
    assert _cache_files(cache) == []


def test_text8_offline_message(tmp_path, monkeypatch):
    import requests

    def offline(*args, **kwargs):
        raise requests.exceptions.ConnectionError("Temporary failure in name resolution")

    cache = tmp_path / "cache"
    calls = [lambda: fetch_text8(cache_dir=cache, url=_closed_port_url()),
             lambda: load_corpus("text8", cache_dir=cache)]  # the real URL: requests.get is
    monkeypatch.setattr(requests, "get", offline)             # patched, no network is used
    for call in calls:
        with pytest.raises(RuntimeError, match="could not download the text8 corpus") as info:
            call()
        message = str(info.value)
        assert "offline" in message
        assert "--corpus /path/to/text8.zip" in message
        assert str(cache / "text8.zip") in message
        assert "WVLIB_CACHE" in message
        assert _cache_files(cache) == []
    assert TEXT8_URL in message


def test_text8_zip_put_in_the_cache_by_hand(fake_text8, tmp_path):
    archive, _, text = fake_text8
    cache = tmp_path / "cache"
    cache.mkdir()
    digest = _sha256(archive)
    os.replace(archive, cache / "text8.zip")  # as if the user put the zip there by hand
    # pooch finds a file with the right hash: nothing is downloaded, it is only unzipped
    path = fetch_text8(cache_dir=cache, url=_closed_port_url(), sha256=digest)
    assert path.read_text() == text


def test_text8_interrupted_unzip_is_redone(fake_text8, tmp_path):
    archive, _, text = fake_text8
    cache = tmp_path / "cache"
    scratch = cache / ".text8.unzip"
    scratch.mkdir(parents=True)
    (scratch / "text8").write_text(text[:100])  # what a killed unzip leaves
    digest = _sha256(archive)
    os.replace(archive, cache / "text8.zip")
    path = fetch_text8(cache_dir=cache, url=_closed_port_url(), sha256=digest)
    assert path.read_text() == text
    assert _cache_files(cache) == ["text8", "text8.zip"]


def test_text8_errors(tmp_path):
    bad = tmp_path / "text8.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("something-else.txt", "x")
    with pytest.raises(ValueError, match="no member 'text8'"):
        fetch_text8(cache_dir=tmp_path / "cache", path=bad)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bad.read_bytes()[:-30])
    with pytest.raises(ValueError, match="not a valid zip file"):
        datasets._unzip_text8(broken, tmp_path / "cache" / "text8")
    with pytest.raises(FileNotFoundError, match="path"):
        fetch_text8(cache_dir=tmp_path / "cache", path=tmp_path / "missing.zip")
    with pytest.raises(ValueError, match="sha256"):
        fetch_text8(cache_dir=tmp_path / "cache", sha256="abc")
    with pytest.raises(TypeError, match="url"):
        fetch_text8(cache_dir=tmp_path / "cache", url=None)
    assert _cache_files(tmp_path / "cache") == []
