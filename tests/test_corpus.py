"""Tests for wvlib.corpus: tokens, vocabularies, load_corpus and file encodings."""
import collections
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wvlib.corpus import Corpus, Vocabulary, load_corpus, tokenize
from wvlib.datasets import TOY_SENTENCES


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



# ----------------------------------------------------------------------------------------------
# File encodings
# ----------------------------------------------------------------------------------------------
def test_a_file_that_is_not_utf8_names_line_and_byte_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    text = "first line\nsecond line\nun café crème\n"
    path.write_bytes(text.encode("latin-1"))
    offset = len("first line\nsecond line\nun caf".encode("latin-1"))
    assert path.read_bytes()[offset] == 0xE9  # é in Latin-1, invalid in UTF-8 here
    with pytest.raises(ValueError) as info:
        load_corpus(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 3 " in message
    assert f"byte offset {offset} " in message
    assert "(byte 6 of the line)" in message
    assert "e9" in message
    # the first of utf-8, cp1252, latin-1 that decodes the whole file is suggested
    assert "encoding='cp1252'" in message and "--encoding cp1252" in message
    expected = [["first", "line"], ["second", "line"], ["un", "café", "crème"]]
    assert load_corpus(path, encoding="cp1252").documents == expected
    assert load_corpus(path, encoding="latin-1").documents == expected
    path.write_bytes(path.read_bytes() + b"\x81\n")  # not cp1252 either: latin-1 reads any byte
    with pytest.raises(ValueError, match="--encoding latin-1"):
        load_corpus(path)


def test_encoding_other_than_utf8(tmp_path):
    path = tmp_path / "cp1252.txt"
    path.write_bytes("naïve “quotes” and € signs\n".encode("cp1252"))
    assert load_corpus(path, encoding="cp1252").documents == [
        ["naïve", "quotes", "and", "signs"]]
    # read as UTF-8 the same bytes fail on the first line, at the ï
    with pytest.raises(ValueError, match=r"line 1 .*byte offset 2 .*valid cp1252"):
        load_corpus(path)
    utf8 = tmp_path / "utf8.txt"
    utf8.write_text("ok\nnaïve\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2 is not valid ascii: byte offset 5 .*is c3 "
                                         r".*valid utf-8.*encoding='utf-8'"):
        load_corpus(utf8, encoding="ascii")


def test_encoding_argument_is_checked(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("a b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="encoding must be the name of a text encoding"):
        load_corpus(path, encoding="no-such-codec")
    with pytest.raises(TypeError, match="encoding"):
        load_corpus(path, encoding=8)
    with pytest.raises(ValueError, match="encoding"):
        load_corpus("toy", encoding="no-such-codec")
