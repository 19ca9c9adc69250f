"""Tests for wvlib.lsa: term-document counts and TF-IDF against brute force, the SVD
reconstruction, the fold-in identity, retrieval without shared words, and bad input."""
from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp

from wvlib.lsa import (LSA, inverse_document_frequency, term_document_matrix, tfidf,
                       train_lsa)

DOCS = [
    ["human", "machine", "interface", "for", "computer", "applications"],
    ["a", "survey", "of", "user", "opinion", "of", "computer", "system", "response", "time"],
    ["the", "eps", "user", "interface", "management", "system"],
    ["system", "and", "human", "system", "engineering", "testing", "of", "eps"],
    ["relation", "of", "user", "perceived", "response", "time", "to", "error", "measurement"],
    ["the", "generation", "of", "random", "binary", "unordered", "trees"],
    ["the", "intersection", "graph", "of", "paths", "in", "trees"],
    ["graph", "minors", "iv", "widths", "of", "trees", "and", "well", "quasi", "ordering"],
    ["graph", "minors", "a", "survey"],
]


def brute_tfidf(C, sublinear, smooth, norm):
    """TF-IDF with loops over a small dense terms x documents count matrix."""
    n_terms, n_docs = C.shape
    out = np.zeros_like(C, dtype=float)
    for t in range(n_terms):
        df = sum(1 for j in range(n_docs) if C[t, j] > 0)
        if smooth:
            idf = np.log((1 + n_docs) / (1 + df)) + 1
        else:
            idf = np.log(n_docs / df) if df else 0.0
        for j in range(n_docs):
            if C[t, j] > 0:
                tf = 1 + np.log(C[t, j]) if sublinear else C[t, j]
                out[t, j] = tf * idf
    if norm == "l2":
        for j in range(n_docs):
            length = np.sqrt(sum(out[t, j] ** 2 for t in range(n_terms)))
            if length > 0:
                out[:, j] /= length
    return out


# ------------------------------------------------------------------------------------------
# term-document matrix, tf-idf
# ------------------------------------------------------------------------------------------

def test_term_document_matrix_counts():
    from wvlib.corpus import Vocabulary
    vocab = Vocabulary.build(DOCS, min_count=2)
    X = term_document_matrix(DOCS, vocab)
    assert sp.issparse(X) and X.shape == (len(vocab), len(DOCS)) and X.dtype == np.float64
    for j, doc in enumerate(DOCS):
        counts = Counter(w for w in doc if w in vocab)
        for t, word in enumerate(vocab.words):
            assert X[t, j] == counts[word]


def test_term_document_matrix_empty_document():
    from wvlib.corpus import Vocabulary
    vocab = Vocabulary.build([["a", "b"]])
    X = term_document_matrix([["a", "a"], [], ["zzz"], ["b"]], vocab)
    np.testing.assert_array_equal(X.toarray(), [[2, 0, 0, 0], [0, 0, 0, 1]])


@pytest.mark.parametrize("sublinear", [False, True])
@pytest.mark.parametrize("smooth", [False, True])
@pytest.mark.parametrize("norm", [None, "l2"])
def test_tfidf_equals_brute_force(sublinear, smooth, norm):
    rng = np.random.default_rng(0)
    C = rng.integers(0, 4, size=(12, 7)) * (rng.random((12, 7)) < 0.4)
    C[3] = 0                         # a term in no document
    C[5] = 2                         # a term in every document
    C[:, 4] = 0                      # an empty document
    W = tfidf(sp.csr_matrix(C), sublinear_tf=sublinear, smooth_idf=smooth, norm=norm)
    assert sp.issparse(W)
    np.testing.assert_allclose(W.toarray(), brute_tfidf(C, sublinear, smooth, norm), atol=1e-12)
    np.testing.assert_allclose(tfidf(C, sublinear_tf=sublinear, smooth_idf=smooth,
                                     norm=norm).toarray(), W.toarray())


def test_idf_hand_values():
    C = np.array([[1, 1, 1, 1], [3, 0, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_allclose(inverse_document_frequency(C, smooth_idf=False),
                               [0.0, np.log(4), 0.0])
    np.testing.assert_allclose(inverse_document_frequency(C),
                               [1.0, np.log(5 / 2) + 1, np.log(5) + 1])


def test_tfidf_bad_input():
    with pytest.raises(ValueError, match="counts"):
        tfidf(np.array([[1, -1]]))
    with pytest.raises(ValueError, match="counts"):
        tfidf(np.array([1, 2]))
    with pytest.raises(ValueError, match="norm"):
        tfidf(np.eye(2), norm="l1")


# ------------------------------------------------------------------------------------------
# LSA
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("weighting", ["tfidf", "log_tfidf", "count"])
@pytest.mark.parametrize("norm", [None, "l2"])
@pytest.mark.parametrize("method", ["reference", "exact"])
def test_coordinates_reconstruct_truncated_matrix(weighting, norm, method):
    lsa = LSA(3, weighting=weighting, norm=norm, method=method).fit(DOCS)
    X = lsa.X_.toarray()
    U, s, Vt = np.linalg.svd(X)
    X3 = (U[:, :3] * s[:3]) @ Vt[:3]                       # best rank-3 approximation
    np.testing.assert_allclose(lsa.s_, s[:3])
    np.testing.assert_allclose(lsa.term_vectors().vectors @ lsa.Vt_, X3, atol=1e-10)
    np.testing.assert_allclose(lsa.U_ @ lsa.document_vectors().T, X3, atol=1e-10)
    np.testing.assert_allclose(lsa.term_vectors(scale=False).vectors, lsa.U_)
    # the weighted matrix is what the weighting says
    expected = {"count": lsa.counts_.toarray(),
                "tfidf": tfidf(lsa.counts_).toarray(),
                "log_tfidf": tfidf(lsa.counts_, sublinear_tf=True).toarray()}[weighting]
    if norm == "l2":
        expected = expected / np.linalg.norm(expected, axis=0)
    np.testing.assert_allclose(X, expected, atol=1e-12)


@pytest.mark.parametrize("weighting,norm,method", [("tfidf", None, "reference"),
                                                   ("log_tfidf", "l2", "reference"),
                                                   ("tfidf", None, "exact"),
                                                   ("count", None, "randomized"),
                                                   ("tfidf", "l2", "randomized")])
def test_fold_in_of_training_document_is_its_row_of_V(weighting, norm, method):
    lsa = LSA(4, weighting=weighting, norm=norm, method=method, seed=1).fit(DOCS)
    for j, doc in enumerate(DOCS):
        q_hat = lsa.fold_in(doc)
        np.testing.assert_allclose(q_hat, lsa.Vt_[:, j], atol=1e-8)
        # the weighted query column equals the training column
        np.testing.assert_allclose(lsa.weight_query(doc), lsa.X_[:, j].toarray().ravel())


def test_fold_in_ignores_unknown_words():
    lsa = LSA(3).fit(DOCS)
    np.testing.assert_allclose(lsa.fold_in(["graph", "trees", "unknownword"]),
                               lsa.fold_in(["graph", "trees"]))


def test_rank_documents_finds_document_without_shared_words():
    docs = [["car", "engine", "wheel", "road"],
            ["automobile", "engine", "wheel", "road"],
            ["flower", "petal", "garden", "bloom"],
            ["rose", "petal", "garden", "bloom"],
            ["engine", "road", "wheel"],
            ["garden", "petal", "bloom"]]
    lsa = LSA(2, seed=0).fit(docs)
    ranking = lsa.rank_documents(["car"], topn=None)
    assert len(ranking) == len(docs)
    top = [j for j, _ in ranking[:3]]
    assert set(top) == {0, 1, 4}                   # the vehicle documents
    score = dict(ranking)
    assert score[1] > 0.9                          # shares no word with the query
    assert score[2] < 0.1 and score[3] < 0.1
    # the scores are the cosines in the S-scaled space, computed by hand
    q = lsa.U_.T @ lsa.weight_query(["car"])
    D = lsa.Vt_.T * lsa.s_
    manual = D @ q / (np.linalg.norm(D, axis=1) * np.linalg.norm(q))
    np.testing.assert_allclose([score[j] for j in range(len(docs))], manual, atol=1e-12)
    assert [s for _, s in ranking] == sorted((s for _, s in ranking), reverse=True)
    assert len(lsa.rank_documents(["car"], topn=2)) == 2
    # similarities
    assert lsa.term_similarity("car", "automobile") > 0.9
    assert lsa.term_similarity("car", "rose") < 0.1
    assert lsa.document_similarity(0, 1) == pytest.approx(
        D[0] @ D[1] / (np.linalg.norm(D[0]) * np.linalg.norm(D[1])))
    assert lsa.document_similarity(2, 2) == pytest.approx(1.0)


def test_lsa_accepts_a_corpus_and_term_vectors():
    from wvlib.corpus import load_corpus
    corpus = load_corpus("lee")
    lsa = LSA(20, min_count=3, max_vocab=2000).fit(corpus)
    assert len(lsa.vocab_) <= 2000 and lsa.Vt_.shape == (20, len(corpus))
    kv = lsa.term_vectors()
    assert kv.vector_size == 20 and list(kv.index_to_key) == list(lsa.vocab_.words)
    w1, w2 = kv.index_to_key[5], kv.index_to_key[9]
    assert kv.similarity(w1, w2) == pytest.approx(lsa.term_similarity(w1, w2))
    assert np.all(np.diff(lsa.s_) <= 0)


def test_lsa_bad_input():
    with pytest.raises(ValueError, match="dim must be a positive integer"):
        LSA(0)
    with pytest.raises(ValueError, match="weighting"):
        LSA(2, weighting="bm25")
    with pytest.raises(ValueError, match="norm"):
        LSA(2, norm="l1")
    with pytest.raises(ValueError, match="fit"):
        LSA(2).fold_in(["graph"])
    with pytest.raises(ValueError, match="documents"):
        LSA(2).fit(["a raw string", "is not tokenized"])
    with pytest.raises(ValueError, match="documents"):
        LSA(2).fit([])
    with pytest.raises(ValueError, match=r"dim must be at most.*9"):
        LSA(10).fit(DOCS)
    lsa = LSA(2).fit(DOCS)
    with pytest.raises(ValueError, match="query"):
        lsa.fold_in(["nothing", "known"])
    with pytest.raises(ValueError, match="query_tokens"):
        lsa.rank_documents("graph minors")
    with pytest.raises(ValueError, match="topn"):
        lsa.rank_documents(["graph"], topn=0)
    with pytest.raises(ValueError, match="j"):
        lsa.document_similarity(0, 9)
    with pytest.raises(ValueError, match="i"):
        lsa.document_similarity(-1, 0)
    with pytest.raises(KeyError, match="unicorn"):
        lsa.term_similarity("graph", "unicorn")


def test_train_lsa_is_the_lsa_model_with_the_declared_options():
    from wvlib.corpus import load_corpus
    corpus = load_corpus("lee")
    kv = train_lsa(corpus, dim=12, weighting="log_tfidf", max_vocab=300)
    assert len(kv) == 300 and kv.vector_size == 12
    expected = LSA(12, weighting="log_tfidf", min_count=5, max_vocab=300).fit(corpus)
    np.testing.assert_allclose(kv.vectors, expected.term_vectors().vectors)
    with pytest.raises(ValueError, match="norm must be one of 'none', 'l2'"):
        train_lsa(corpus, norm=None)
    with pytest.raises(TypeError, match="window"):
        train_lsa(corpus, window=5)                     # LSA has no window


def test_default_dim_fits_a_small_corpus(caplog):
    from wvlib.corpus import load_corpus
    corpus = load_corpus("toy")                       # 12 documents < the default dim = 100
    with caplog.at_level("INFO", logger="wvlib"), pytest.warns(UserWarning, match="rank"):
        kv = train_lsa(corpus, min_count=1)
    assert kv.vector_size == len(corpus) and "dim 12" in caplog.text
    with pytest.raises(ValueError, match="dim must be at most"):
        train_lsa(corpus, min_count=1, dim=50)
