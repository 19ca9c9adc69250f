"""Hidden tests for the chapter 3 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs go into the student's kernel, values come back as
plain data, and the expected values are computed here with wvlib.lsa (the reference code) or,
for tie-breaking cases, with NumPy.
"""
import numpy as np
import scipy.sparse as sp

from wvlib.course.checks import check, expect, expect_close, expect_equal, expect_raises
from wvlib.lsa import LSA, tfidf

RNG_SEED = 20261124


def random_counts(rng, n_terms, n_docs, density=0.4):
    """A random count matrix with a term in every document, a term in none and an empty
    document, the corner cases of the idf."""
    C = rng.integers(1, 6, size=(n_terms, n_docs)) * (rng.random((n_terms, n_docs)) < density)
    C[0] = rng.integers(1, 4, size=n_docs)        # df = N
    C[1] = 0                                      # df = 0
    C[2:, -1] = 0                                 # last document holds only term 0
    return C


def random_documents(rng, n_docs=14, n_words=25):
    """Token lists with some topical structure (two halves of the vocabulary)."""
    words = [f"w{i}" for i in range(n_words)]
    docs = []
    for j in range(n_docs):
        half = words[: n_words // 2] if j % 2 else words[n_words // 2:]
        pool = half + words[:3]                   # a few words shared by all documents
        docs.append([str(w) for w in rng.choice(pool, size=int(rng.integers(6, 15)))])
    return docs


# -- q1-tfidf ---------------------------------------------------------------------------------
@check("q1-tfidf", "random count matrices against wvlib.lsa.tfidf", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED)
    for trial, (n_terms, n_docs) in enumerate([(6, 5), (20, 9), (40, 30)]):
        C = random_counts(rng, n_terms, n_docs)
        expect_close(k.call("tfidf_weights", C), tfidf(sp.csr_matrix(C)).toarray(),
                     what=f"tfidf_weights on a random {n_terms} x {n_docs} matrix (trial {trial})",
                     hint="check the rows with df = N and df = 0 and the empty document")


@check("q1-tfidf", "the LSA weighting of a small corpus")
def _(k):
    lsa = LSA(3, seed=0).fit(random_documents(np.random.default_rng(RNG_SEED + 1)))
    expect_close(k.call("tfidf_weights", lsa.counts_.toarray()), lsa.X_.toarray(),
                 what="tfidf_weights(counts of a 14-document corpus)")


@check("q1-tfidf", "a single document and float counts")
def _(k):
    C = np.array([[2.5], [0.0], [1.0]])
    expect_close(k.call("tfidf_weights", C), tfidf(C).toarray(),
                 what="tfidf_weights([[2.5], [0], [1]]) (N = 1)")


# -- q2-fold-in -------------------------------------------------------------------------------
@check("q2-fold-in", "queries folded into a fitted LSA model", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 2)
    docs = random_documents(rng)
    lsa = LSA(5, seed=0).fit(docs)
    queries = [["w0"], ["w3", "w20", "w20"], docs[4], docs[9][:3]]
    for query in queries:
        got = k.call("fold_in", lsa.weight_query(query), lsa.U_, lsa.s_)
        expect_close(got, lsa.fold_in(query), what=f"fold_in of the query {query[:5]} (k = 5)")


@check("q2-fold-in", "random orthonormal U_k and singular values")
def _(k):
    rng = np.random.default_rng(RNG_SEED + 3)
    for trial, (n, kk) in enumerate([(7, 1), (12, 4), (30, 10)]):
        U_k, _ = np.linalg.qr(rng.normal(size=(n, kk)))
        s_k = np.sort(rng.uniform(0.5, 20, size=kk))[::-1]
        q = rng.normal(size=n)
        expect_close(k.call("fold_in", q, U_k, s_k), (U_k.T @ q) / s_k,
                     what=f"fold_in with U_k of shape {U_k.shape} (trial {trial})")


@check("q2-fold-in", "a transposed U_k raises ValueError")
def _(k):
    U_k, _ = np.linalg.qr(np.random.default_rng(RNG_SEED + 4).normal(size=(6, 2)))
    expect_raises(k, "fold_in", (np.ones(6), U_k.T, np.ones(2)), ["ValueError"],
                  "fold_in(q of length 6, U_k of shape (2, 6), s_k)")


# -- q3-rank ----------------------------------------------------------------------------------
@check("q3-rank", "rankings of a fitted LSA model against wvlib.lsa", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 5)
    docs = random_documents(rng, n_docs=20)
    lsa = LSA(6, seed=0).fit(docs)
    for query, topn in [(["w1"], 5), (["w15", "w2"], 20), (docs[3][:4], 8)]:
        q_scaled = lsa.fold_in(query) * lsa.s_
        expected = [j for j, _ in lsa.rank_documents(query, topn=topn)]
        got = k.call("rank_documents", q_scaled, lsa.document_vectors(), topn)
        expect_equal(got, expected, f"rank_documents for the query {query} (topn={topn})")


def _reference_ranking(q, D, topn):
    lengths = np.linalg.norm(D, axis=1) * np.linalg.norm(q)
    scores = np.divide(D @ q, lengths, out=np.zeros(len(D)), where=lengths > 0)
    return [int(i) for i in np.argsort(-scores, kind="stable")[:topn]]


@check("q3-rank", "random coordinates with exact ties and zero rows", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 6)
    for trial in range(3):
        base = rng.normal(size=(8, 4))
        # copies scaled by powers of two have exactly the same cosine as their originals
        D = np.vstack([base, 2.0 * base[[5, 1]], 0.25 * base[[3]], np.zeros((2, 4))])
        order = rng.permutation(len(D))
        D = D[order]
        q = rng.normal(size=4)
        for topn in (3, len(D)):
            expect_equal(k.call("rank_documents", q, D, topn), _reference_ranking(q, D, topn),
                         f"rank_documents on {len(D)} documents with ties (trial {trial}, "
                         f"topn={topn})", hint="equal cosines: lower index first")


@check("q3-rank", "a zero query ranks every document equally")
def _(k):
    D = np.array([[1.0, 2.0], [0.0, 0.0], [-3.0, 1.0]])
    expect_equal(k.call("rank_documents", np.zeros(2), D, 3), [0, 1, 2],
                 "rank_documents(zero query, 3 documents, 3)",
                 hint="all cosines are 0, so the order is by index")


# -- q4-choose-k -------------------------------------------------------------------------------
DEV_PAIRS = [("cricket", "wicket"), ("refugees", "asylum"), ("fire", "blaze"),
             ("taliban", "afghanistan"), ("economy", "recession"), ("airline", "qantas"),
             ("gaza", "arafat"), ("hospital", "doctors"), ("troops", "soldiers"),
             ("test", "innings")]
TEST_PAIRS = [("batsman", "bowler"), ("fires", "firefighters"), ("israeli", "palestinian"),
              ("interest", "rates"), ("police", "arrested"), ("kandahar", "bin"),
              ("bank", "rates"), ("storm", "damage"), ("militants", "attacks")]


def _lsa_gaps(pairs):
    from wvlib.corpus import load_corpus
    from wvlib.course.public.ch03_lsa import CANDIDATE_KS, reference_pair_gap
    lee = load_corpus("lee")
    gaps = {}
    for kk in CANDIDATE_KS:
        kv = LSA(kk, min_count=3, seed=0).fit(lee).term_vectors()
        gaps[kk] = reference_pair_gap(list(kv.index_to_key), kv.vectors, pairs)
    return gaps


@check("q4-choose-k", "pair_gap on random vectors")
def _(k):
    from wvlib.course.public.ch03_lsa import expect_pair_gap
    rng = np.random.default_rng(RNG_SEED + 40)
    words = [f"w{i}" for i in range(30)]
    vectors = rng.normal(size=(30, 6))
    pairs = [(words[i], words[j]) for i, j in rng.choice(30, size=(9, 2), replace=False)]
    expect_pair_gap(k, words, vectors, pairs, "pair_gap(random vectors, 9 pairs)")


@check("q4-choose-k", "chosen_k is the best candidate on the development pairs", weight=2)
def _(k):
    dev = _lsa_gaps(DEV_PAIRS)
    best = max(dev, key=lambda kk: (dev[kk], -kk))
    got = int(k.get("chosen_k"))
    expect_equal(got, best, "chosen_k",
                 hint=f"on DEV_PAIRS the scores are "
                      f"{ {kk: round(float(v), 3) for kk, v in dev.items()} }")


@check("q4-choose-k", "the chosen k holds up on test pairs the choice never saw", weight=2)
def _(k):
    got = int(k.get("chosen_k"))
    test = _lsa_gaps(TEST_PAIRS)
    expect(got in test, f"chosen_k should be one of {sorted(test)}, got {got}")
    expect(test[got] > test[2] + 0.1 and test[got] > test[200],
           f"on the test pairs, k = {got} scores {test[got]:.3f}, no better than k = 2 "
           f"({test[2]:.3f}) or k = 200 ({test[200]:.3f}): choose the k that is best on "
           f"DEV_PAIRS")
