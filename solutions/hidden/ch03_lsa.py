"""Hidden tests for the chapter 3 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs go into the student's kernel, values come back as
plain data, and the expected values are computed here with wvlib.lsa (the reference code) or
NumPy. Random inputs come from ``hidden_rng``, drawn for each submission. Question 4 is judged
against the exact SVD (``np.linalg.svd``), the one the question tells the learner to use and the
chapter uses. ``public_values()`` gives what the public checks compare against.
"""
import functools

import numpy as np
import scipy.sparse as sp

from wvlib.course.checks import call_unmodified, check, expect, expect_close, expect_equal, \
    expect_raises, hidden_rng
from wvlib.course.public import ch03_lsa as public
from wvlib.lsa import LSA, tfidf


# -- reference implementations (and the usual mistakes, for the public hints) -------------------
def tfidf_variant(counts, variant="reference"):
    C = np.asarray(counts, dtype=float)
    n = C.shape[1]
    df = (C > 0).sum(axis=1)
    with np.errstate(divide="ignore"):
        idf = {"reference": np.log((1 + n) / (1 + df)) + 1,
               "unsmoothed": np.log(n / df),
               "no-plus-one": np.log((1 + n) / (1 + df)),
               "no-smoothing-plus-one": np.log(n / df) + 1,
               "log10": np.log10((1 + n) / (1 + df)) + 1,
               "df-as-total": np.log((1 + n) / (1 + C.sum(axis=1))) + 1}
    if variant == "transposed":
        return C * (np.log((1 + C.shape[0]) / (1 + (C > 0).sum(axis=0))) + 1)[None, :]
    return C * idf[variant][:, None]


def reference_ranking(q, D, topn, *, by="cosine"):
    q, D = np.asarray(q, dtype=float), np.asarray(D, dtype=float)
    if by == "dot":
        scores = D @ q
    else:
        lengths = np.linalg.norm(D, axis=1) * np.linalg.norm(q)
        scores = np.divide(D @ q, lengths, out=np.zeros(len(D)), where=lengths > 0)
    order = np.argsort(scores, kind="stable") if by == "ascending" else \
        np.argsort(-scores, kind="stable")
    return [int(i) for i in order[:topn]]


def reference_pair_gap(words, vectors, pairs, *, dot=False):
    """Mean cosine of the pairs minus that of the same words re-paired (i with i + 3)."""
    unit = np.asarray(vectors, dtype=float)
    if not dot:
        unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    row = {w: i for i, w in enumerate(words)}
    n = len(pairs)
    related = np.mean([unit[row[a]] @ unit[row[b]] for a, b in pairs])
    shuffled = np.mean([unit[row[a]] @ unit[row[pairs[(i + 3) % n][1]]]
                        for i, (a, _) in enumerate(pairs)])
    return float(related - shuffled)


def public_values():
    C = np.array(public.COUNTS)
    values = {f"q1/counts-{v}": tfidf_variant(C, v) for v in
              ("unsmoothed", "no-plus-one", "no-smoothing-plus-one", "log10", "df-as-total",
               "transposed")}
    values["q1/counts"] = tfidf(sp.csr_matrix(C.astype(float))).toarray()
    values["q1/edge-2-1"] = float(tfidf(sp.csr_matrix(np.array(public.EDGE_COUNTS, dtype=float)))
                                  .toarray()[2, 1])
    U, s, q = np.array(public.U_SMALL), np.array(public.S_SMALL), np.array(public.Q_SMALL)
    values.update({"q2/small": U.T @ q / s, "q2/small-projection": U.T @ q,
                   "q2/small-times-s": U.T @ q * s, "q2/small-over-s2": U.T @ q / s ** 2})
    U_X, s_X, Vt_X = np.linalg.svd(np.array(public.X_SMALL), full_matrices=False)
    values.update({"q2/X-U2": U_X[:, :2], "q2/X-s2": s_X[:2], "q2/X-Vt2": Vt_X[:2]})
    q = np.array([1.0, 0.0])
    values.update({"q3/small": reference_ranking(q, public.RANK_D, 3),
                   "q3/small-by-dot": reference_ranking(q, public.RANK_D, 3, by="dot"),
                   "q3/small-ascending": reference_ranking(q, public.RANK_D, 3,
                                                           by="ascending"),
                   "q3/ties": reference_ranking([3.0, 0.0], public.TIES_D, 5)})
    args = (public.GAP_WORDS, public.GAP_VECTORS, public.GAP_PAIRS)
    values.update({"q4/gap": reference_pair_gap(*args),
                   "q4/gap-reversed": -reference_pair_gap(*args),
                   "q4/gap-dot": reference_pair_gap(*args, dot=True)})
    return values


def random_counts(rng, n_terms, n_docs, density=0.4):
    """A random count matrix with a term in every document, a term in none and an empty
    document, the corner cases of the idf."""
    C = rng.integers(1, 6, size=(n_terms, n_docs)) * (rng.random((n_terms, n_docs)) < density)
    C[0] = rng.integers(1, 4, size=n_docs)        # df = N
    C[1] = 0                                      # df = 0
    C[2:, -1] = 0                                 # last document holds only term 0
    return C[rng.permutation(n_terms)]


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
    rng = hidden_rng(k, "q1/random")
    for trial in range(3):
        n_terms, n_docs = (int(x) for x in rng.integers(3, 40, size=2))
        C = random_counts(rng, n_terms, n_docs)
        expect_close(k.call("tfidf_weights", C), tfidf(sp.csr_matrix(C)).toarray(),
                     what=f"tfidf_weights on a random {n_terms} x {n_docs} matrix "
                          f"(trial {trial})",
                     hint="check the rows with df = N and df = 0 and the empty document")


@check("q1-tfidf", "the LSA weighting of a small corpus; the counts are not modified")
def _(k):
    lsa = LSA(3, seed=0).fit(random_documents(hidden_rng(k, "q1/corpus")))
    expect_close(call_unmodified(k, "tfidf_weights", lsa.counts_.toarray()), lsa.X_.toarray(),
                 what="tfidf_weights(counts of a 14-document corpus)")


@check("q1-tfidf", "a single document and float counts")
def _(k):
    C = np.array([[2.5], [0.0], [1.0]])
    expect_close(k.call("tfidf_weights", C), tfidf(C).toarray(),
                 what="tfidf_weights([[2.5], [0], [1]]) (N = 1)")


# -- q2-fold-in -------------------------------------------------------------------------------
@check("q2-fold-in", "random orthonormal U_d and singular values", weight=2)
def _(k):
    rng = hidden_rng(k, "q2/random")
    for trial in range(3):
        n = int(rng.integers(3, 40))
        d = int(rng.integers(1, n))
        U_d, _ = np.linalg.qr(rng.normal(size=(n, d)))
        s_d = np.sort(rng.uniform(0.5, 20, size=d))[::-1]
        q = rng.normal(size=n)
        expect_close(call_unmodified(k, "fold_in", q, U_d, s_d), (U_d.T @ q) / s_d,
                     what=f"fold_in with U_d of shape {U_d.shape} (trial {trial})")


@check("q2-fold-in", "queries folded into a fitted LSA model")
def _(k):
    rng = hidden_rng(k, "q2/lsa")
    docs = random_documents(rng)
    lsa = LSA(5, seed=0).fit(docs)
    queries = [["w0"], ["w3", "w20", "w20"], docs[4], docs[9][:3]]
    for query in queries:
        got = k.call("fold_in", lsa.weight_query(query), lsa.U_, lsa.s_)
        expect_close(got, lsa.fold_in(query), what=f"fold_in of the query {query[:5]} (d = 5)")


@check("q2-fold-in", "a transposed U_d raises ValueError")
def _(k):
    U_d, _ = np.linalg.qr(hidden_rng(k, "q2/transposed").normal(size=(6, 2)))
    expect_raises(k, "fold_in", (np.ones(6), U_d.T, np.ones(2)), ["ValueError"],
                  "fold_in(q of length 6, U_d of shape (2, 6), s_d)")


# -- q3-rank ----------------------------------------------------------------------------------
@check("q3-rank", "random coordinates with exact ties and zero rows", weight=2)
def _(k):
    rng = hidden_rng(k, "q3/random")
    for trial in range(3):
        d = int(rng.integers(2, 8))
        base = rng.normal(size=(int(rng.integers(5, 15)), d))
        # copies scaled by powers of two have exactly the same cosine as their originals
        D = np.vstack([base, 2.0 * base[[0, 1]], 0.25 * base[[2]], np.zeros((2, d))])
        D = D[rng.permutation(len(D))]
        q = rng.normal(size=d)
        for topn in (3, len(D)):
            expect_equal(k.call("rank_documents", q, D, topn), reference_ranking(q, D, topn),
                         f"rank_documents on {len(D)} documents with ties (trial {trial}, "
                         f"topn={topn})", hint="equal cosines: lower index first")


@check("q3-rank", "rankings of a fitted LSA model against wvlib.lsa", weight=2)
def _(k):
    rng = hidden_rng(k, "q3/lsa")
    docs = random_documents(rng, n_docs=20)
    lsa = LSA(6, seed=0).fit(docs)
    for query, topn in [(["w1"], 5), (["w15", "w2"], 20), (docs[3][:4], 8)]:
        q_scaled = lsa.fold_in(query) * lsa.s_
        expected = [j for j, _ in lsa.rank_documents(query, topn=topn)]
        got = k.call("rank_documents", q_scaled, lsa.document_vectors(), topn)
        expect_equal(got, expected, f"rank_documents for the query {query} (topn={topn})")


@check("q3-rank", "a zero query ranks every document equally")
def _(k):
    D = np.array([[1.0, 2.0], [0.0, 0.0], [-3.0, 1.0]])
    expect_equal(k.call("rank_documents", np.zeros(2), D, 3), [0, 1, 2],
                 "rank_documents(zero query, 3 documents, 3)",
                 hint="all cosines are 0, so the order is by index")


# -- q4-choose-d -------------------------------------------------------------------------------
DEV_PAIRS = [("cricket", "wicket"), ("refugees", "asylum"), ("fire", "blaze"),
             ("taliban", "afghanistan"), ("economy", "recession"), ("airline", "qantas"),
             ("gaza", "arafat"), ("hospital", "doctors"), ("troops", "soldiers"),
             ("test", "innings")]
TEST_PAIRS = [("batsman", "bowler"), ("fires", "firefighters"), ("israeli", "palestinian"),
              ("interest", "rates"), ("police", "arrested"), ("kandahar", "bin"),
              ("bank", "rates"), ("storm", "damage"), ("militants", "attacks")]


@functools.lru_cache(maxsize=1)
def _lee_svd():
    """The exact SVD of the TF-IDF Lee matrix the exercise builds (terms seen 3 times)."""
    from wvlib.corpus import Vocabulary, load_corpus
    lee = load_corpus("lee")
    vocab = Vocabulary.build(lee, min_count=3)
    ids = vocab.encode_documents(lee)
    rows = np.concatenate(ids)
    cols = np.repeat(np.arange(len(lee)), [len(t) for t in ids])
    counts = sp.coo_matrix((np.ones(len(rows)), (rows, cols)),
                           shape=(len(vocab.words), len(lee))).tocsr()
    U, s, _ = np.linalg.svd(tfidf(counts).toarray(), full_matrices=False)
    return list(vocab.words), U, s


def lee_gaps(pairs):
    words, U, s = _lee_svd()
    return {d: reference_pair_gap(words, U[:, :d] * s[:d], pairs)
            for d in public.CANDIDATE_DIMS}


@check("q4-choose-d", "pair_gap on random vectors", weight=2, core=True)
def _(k):
    rng = hidden_rng(k, "q4/random")
    n = int(rng.integers(10, 40))
    words = [f"w{i}" for i in range(n)]
    vectors = rng.normal(size=(n, int(rng.integers(2, 10))))
    m = int(rng.integers(4, n // 2 + 1))            # distinct words: 2 m <= n
    pairs = [[words[i], words[j]] for i, j in rng.choice(n, size=(m, 2), replace=False)]
    expect_close(k.call("pair_gap_on", words, vectors, pairs),
                 reference_pair_gap(words, vectors, pairs),
                 what=f"pair_gap(random vectors, {len(pairs)} pairs)")


@check("q4-choose-d", "chosen_d is the best candidate on the development pairs (exact SVD)",
       weight=2, core=True)
def _(k):
    dev = lee_gaps(DEV_PAIRS)
    best = max(dev, key=lambda d: (dev[d], -d))
    got = int(k.get("chosen_d"))
    expect_equal(got, best, "chosen_d",
                 hint=f"on DEV_PAIRS the scores are "
                      f"{ {d: round(float(v), 3) for d, v in dev.items()} }")


@check("q4-choose-d", "the chosen d holds up on test pairs the choice never saw", weight=2)
def _(k):
    got = int(k.get("chosen_d"))
    test = lee_gaps(TEST_PAIRS)
    expect(got in test, f"chosen_d should be one of {sorted(test)}, got {got}")
    expect(test[got] > test[2] + 0.1 and test[got] > test[200],
           f"on the test pairs, d = {got} scores {test[got]:.3f}, no better than d = 2 "
           f"({test[2]:.3f}) or d = 200 ({test[200]:.3f}): choose the d that is best on "
           f"DEV_PAIRS")
