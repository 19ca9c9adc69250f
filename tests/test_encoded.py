"""Tests for wvlib.encoded and the streamed TextCorpus: one pass gives the vocabulary and the
ids that Vocabulary.build and Vocabulary.encode give, and a file is never held as strings."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wvlib.encoded as encoded_module
from wvlib.corpus import Corpus, TextCorpus, Vocabulary, load_corpus
from wvlib.encoded import EncodedCorpus, encode_corpus

documents_strategy = st.lists(st.lists(st.sampled_from(["a", "b", "c", "dd", "é", "z9"]),
                                       max_size=15), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(documents=documents_strategy, min_count=st.integers(1, 4),
       max_size=st.sampled_from([None, 1, 3]), block=st.sampled_from([1, 4, 1 << 20]))
def test_one_pass_equals_build_then_encode(documents, min_count, max_size, block):
    try:
        vocab = Vocabulary.build(documents, min_count=min_count, max_size=max_size)
    except ValueError as exc:
        with pytest.raises(ValueError, match=str(exc).split(":")[0].split("=")[0]):
            encode_corpus(documents, min_count, max_size)
        return
    old = encoded_module._BLOCK_TOKENS
    encoded_module._BLOCK_TOKENS = block          # blocks of provisional ids of any size
    try:
        encoded = encode_corpus(documents, min_count, max_size)
    finally:
        encoded_module._BLOCK_TOKENS = old
    assert encoded.vocab.words == vocab.words
    assert np.array_equal(encoded.vocab.counts, vocab.counts)
    pieces = vocab.encode_documents(documents)
    assert encoded.ids.dtype == np.int32
    assert np.array_equal(encoded.ids, np.concatenate(pieces))
    assert np.diff(encoded.offsets).tolist() == [len(p) for p in pieces]
    assert [d.tolist() for d in encoded] == [p.tolist() for p in pieces]
    assert encoded.n_tokens == sum(map(len, documents))
    assert EncodedCorpus.from_documents(documents, vocab).ids.tolist() == encoded.ids.tolist()


def test_text_corpus_streams_the_file(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("The cat sat.\n\n  \nA dog; a CAT!\nrare\n", encoding="utf-8")
    corpus = load_corpus(path, stream=True)
    assert isinstance(corpus, TextCorpus)
    assert list(corpus) == [["the", "cat", "sat"], ["a", "dog", "a", "cat"], ["rare"]]
    assert list(corpus) == list(load_corpus(path).documents)     # re-iterable, same tokens
    assert corpus.n_tokens == 8 and len(corpus) == 3
    encoded = encode_corpus(corpus, min_count=2)
    assert encoded.vocab.words == ["a", "cat"] and encoded.ids.tolist() == [1, 0, 0, 1]
    assert encoded.offsets.tolist() == [0, 1, 4, 4] and encoded.n_tokens == 8
    assert Vocabulary.build(corpus).words == Vocabulary.build(list(corpus)).words
    assert list(TextCorpus(path, max_documents=2)) == list(corpus)[:2]


def test_text_corpus_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="path"):
        TextCorpus(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\xfe\n")
    with pytest.raises(ValueError, match="not valid utf-8"):
        list(TextCorpus(bad))
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(ValueError, match="no tokens"):
        encode_corpus(TextCorpus(empty))


def test_text8_streams_in_documents_of_10000_tokens(tmp_path, monkeypatch):
    import wvlib.datasets as datasets
    monkeypatch.setattr(datasets, "TEXT8_DOCUMENT_LENGTH", 4)
    monkeypatch.setattr(datasets, "_TEXT8_BLOCK_CHARS", 5)        # blocks cut tokens
    path = tmp_path / "text8"
    path.write_text(" anarchism originated as a term of abuse first used against")
    docs = list(TextCorpus(path, text8=True))
    assert docs == [["anarchism", "originated", "as", "a"], ["term", "of", "abuse", "first"],
                    ["used", "against"]]
    assert datasets.read_text8(path, max_documents=2) == docs[:2]


def test_encoded_corpus_checks_its_arrays():
    vocab = Vocabulary(["a", "b"], [1, 1])
    with pytest.raises(ValueError, match="offsets"):
        EncodedCorpus(vocab, [0, 1], [0, 1])
    with pytest.raises(ValueError, match="word ids"):
        EncodedCorpus(vocab, [0, 2], [0, 2])
    with pytest.raises(TypeError, match="vocab"):
        EncodedCorpus(["a"], [0], [0, 1])
    corpus = Corpus("c", [["a", "b"], ["b"]])
    other = encode_corpus([["x"]])
    with pytest.raises(ValueError, match="another vocabulary"):
        EncodedCorpus.from_documents(other, Vocabulary.build(corpus))
    assert encode_corpus(other) is other
