"""Public checks for the chapter 3 exercises (latent semantic analysis).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
Each check first looks for the typical mistakes (a different TF-IDF variant, a forgotten division
by the singular values, a dot product instead of a cosine) so that the message can name them.
"""
import numpy as np

from wvlib.course.checks import check, expect, expect_close, expect_equal, expect_raises, \
    expect_shape, expect_type

# A small terms x documents count matrix: N = 4 documents, df = (2, 4, 1).
COUNTS = np.array([[2, 0, 1, 0],
                   [1, 1, 1, 1],
                   [0, 0, 3, 0]])


def _weights(counts, idf):
    return np.asarray(counts, dtype=float) * np.asarray(idf, dtype=float)[:, None]


def _tfidf_variants(counts):
    """The expected weights and the usual wrong variants, each with what went wrong."""
    C = np.asarray(counts, dtype=float)
    n = C.shape[1]
    df = (C > 0).sum(axis=1)
    with np.errstate(divide="ignore"):
        expected = _weights(C, np.log((1 + n) / (1 + df)) + 1)
        wrong = [
            (_weights(C, np.log(n / df)),
             "you used idf = ln(N/df) without smoothing; this exercise's variant is "
             "ln((1 + N)/(1 + df)) + 1"),
            (_weights(C, np.log((1 + n) / (1 + df))),
             "you forgot the final + 1: idf = ln((1 + N)/(1 + df)) + 1"),
            (_weights(C, np.log(n / df) + 1),
             "you used ln(N/df) + 1 without the 1 + in the fraction: "
             "idf = ln((1 + N)/(1 + df)) + 1"),
            (_weights(C, np.log10((1 + n) / (1 + df)) + 1),
             "you used log10; the idf uses the natural logarithm (np.log)"),
            (_weights(C, np.log((1 + n) / (1 + C.sum(axis=1))) + 1),
             "df(t) is the number of documents containing t (non-zero entries of row t), "
             "not the total count of t"),
            (C * (np.log((1 + C.shape[0]) / (1 + (C > 0).sum(axis=0))) + 1)[None, :],
             "it looks transposed: rows are terms and columns are documents, so N is the "
             "number of COLUMNS and df(t) counts the non-zero entries of ROW t"),
        ]
    return expected, wrong


# -- q1-tfidf ---------------------------------------------------------------------------------
@check("q1-tfidf", "a hand-made 3 x 4 count matrix")
def _(k):
    got = expect_shape(k.call("tfidf_weights", COUNTS), COUNTS.shape, "tfidf_weights(counts)")
    expected, wrong = _tfidf_variants(COUNTS)
    if not np.allclose(got, expected):
        for variant, message in wrong:
            expect(not np.allclose(got, variant, equal_nan=True),
                   f"tfidf_weights(counts) is off: {message}.")
    expect_close(got, expected, what="tfidf_weights(counts)",
                 hint="W[t, j] = counts[t, j] * (ln((1 + N)/(1 + df(t))) + 1), with N the "
                      "number of columns and df(t) the number of non-zero entries of row t")


@check("q1-tfidf", "a term in every document keeps its counts; a term in none stays zero")
def _(k):
    counts = np.array([[5, 1, 2], [0, 0, 0], [0, 4, 0]])
    got = expect_shape(k.call("tfidf_weights", counts), counts.shape,
                       "tfidf_weights([[5, 1, 2], [0, 0, 0], [0, 4, 0]])")
    expect(np.all(np.isfinite(got)), "the result contains nan or inf: a term that occurs in no "
                                     "document must not cause a division by zero")
    expect_close(got[0], [5, 1, 2], what="the row of a term found in every document",
                 hint="with df = N the idf is ln((1 + N)/(1 + N)) + 1 = 1")
    expect_close(got[1], [0, 0, 0], what="the row of a term found in no document")
    expect_close(got[2, 1], 4 * (np.log(4 / 2) + 1), what="W[2, 1] (count 4, df = 1, N = 3)",
                 hint="float weights: make sure integer counts are not truncated")


# -- q2-fold-in -------------------------------------------------------------------------------
U_SMALL = np.array([[1.0, 0.0], [0.0, 0.6], [0.0, 0.8]])   # orthonormal columns
S_SMALL = np.array([2.0, 0.5])
Q_SMALL = np.array([1.0, 5.0, 10.0])                         # U^T q = (1, 11)


@check("q2-fold-in", "a hand-made example (k = 2)")
def _(k):
    got = k.call("fold_in", Q_SMALL, U_SMALL, S_SMALL)
    got = expect_shape(got, (2,), "fold_in(q, U_k, s_k) with U_k of shape (3, 2)")
    projection = U_SMALL.T @ Q_SMALL
    expect(not np.allclose(got, projection),
           f"fold_in returned U_k^T q = {projection}: divide by the singular values s_k too")
    expect(not np.allclose(got, projection * S_SMALL),
           "fold_in multiplied U_k^T q by Σ_k: the fold-in DIVIDES by the singular values")
    expect(not np.allclose(got, projection / S_SMALL ** 2),
           "fold_in divided by Σ_k twice (by s_k ** 2); divide once")
    expect_close(got, projection / S_SMALL, what="fold_in(q, U_k, s_k)",
                 hint="q_hat = diag(1/s_k) U_k^T q: transpose U_k, then divide entry i by s_k[i]")


@check("q2-fold-in", "folding in a training document gives its row of V_k")
def _(k):
    X = np.array([[2.0, 0.0, 1.0], [1.0, 3.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 2.0]])
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    for j in range(X.shape[1]):
        got = k.call("fold_in", X[:, j], U[:, :2], s[:2])
        expect_close(got, Vt[:2, j], what=f"fold_in(column {j} of X, U_k, s_k) with k = 2",
                     hint="since U_k^T X = Σ_k V_k^T, the answer is row j of V_k")


@check("q2-fold-in", "shapes that do not fit raise ValueError")
def _(k):
    expect_raises(k, "fold_in", (np.ones(4), U_SMALL, S_SMALL), ["ValueError"],
                  "fold_in(q with 4 entries, U_k with 3 rows, s_k)",
                  hint="q needs one entry per row of U_k")
    expect_raises(k, "fold_in", (Q_SMALL, U_SMALL, np.ones(3)), ["ValueError"],
                  "fold_in(q, U_k with 2 columns, s_k with 3 entries)",
                  hint="s_k needs one entry per column of U_k")


# -- q3-rank ----------------------------------------------------------------------------------
@check("q3-rank", "a small example: cosine, best first")
def _(k):
    D = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [10.0, 1.0]])
    got = k.call("rank_documents", np.array([1.0, 0.0]), D, 3)
    expect_type(got, list, "rank_documents(q_hat, doc_coords, 3)")
    expect(got != [3, 0, 2], "rank_documents ranked by the dot product: document 3 is long, "
                             "not the most similar in direction; divide by the lengths (cosine)")
    expect(got != [1, 2, 3], "rank_documents listed the worst documents first: best first, "
                             "i.e. descending cosine")
    expect_equal(got, [0, 3, 2], "rank_documents([1, 0], doc_coords, 3)",
                 hint="cosines are 1, 0, 0.707, 0.995")


@check("q3-rank", "ties go to the lower index; a zero row has cosine 0")
def _(k):
    D = np.array([[0.0, 1.0], [2.0, 0.0], [0.0, 0.0], [0.5, 0.0], [0.0, 3.0]])
    got = k.call("rank_documents", np.array([3.0, 0.0]), D, 5)
    expect_type(got, list, "rank_documents(q_hat, doc_coords, 5)")
    expect_equal(got, [1, 3, 0, 2, 4], "rank_documents([3, 0], doc_coords, 5)",
                 hint="cosines are 0, 1, 0, 1, 0 (the zero row counts as 0); equal cosines are "
                      "ordered by lower index, e.g. with np.argsort(..., kind='stable')")


@check("q3-rank", "returns a list of Python ints, at most the number of documents")
def _(k):
    D = np.array([[1.0, 2.0], [2.0, 1.0], [-1.0, 0.5]])
    got = k.call("rank_documents", np.array([1.0, 1.0]), D, 10)
    expect_type(got, list, "rank_documents(q_hat, doc_coords, 10)")
    expect(all(isinstance(i, int) for i in got),
           f"the entries should be Python ints, got {[type(i).__name__ for i in got]}; "
           "convert with int(...)")
    expect_equal(got, [0, 1, 2], "rank_documents([1, 1], 3 documents, topn=10)",
                 hint="with topn larger than the number of documents, return all of them")


# -- q4-choose-k -------------------------------------------------------------------------------
CANDIDATE_KS = [2, 10, 25, 100, 200]


def reference_pair_gap(words, vectors, pairs):
    """Mean cosine of the pairs minus that of the same words re-paired (i with i + 3)."""
    unit = np.asarray(vectors, dtype=float)
    unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    row = {w: i for i, w in enumerate(words)}
    cos = lambda a, b: float(unit[row[a]] @ unit[row[b]])  # noqa: E731
    n = len(pairs)
    return (np.mean([cos(a, b) for a, b in pairs])
            - np.mean([cos(a, pairs[(i + 3) % n][1]) for i, (a, _) in enumerate(pairs)]))


def expect_pair_gap(k, words, vectors, pairs, what):
    got = k.call("pair_gap_on", list(words), np.asarray(vectors, dtype=float),
                 [list(p) for p in pairs])
    expect_type(got, (float, np.floating), what)
    expected = reference_pair_gap(words, vectors, pairs)
    hint = ("mean cosine of the pairs, minus the mean cosine over "
            "(pairs[i][0], pairs[(i + 3) % n][1])")
    if np.isclose(got, -expected):
        hint = "the sign is reversed: related pairs minus re-paired ones"
    expect_close(got, expected, what=what, hint=hint)


@check("q4-choose-k", "pair_gap on eight words in two dimensions")
def _(k):
    words = ["a", "b", "c", "d", "e", "f", "g", "h"]
    vectors = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [0.1, 1.0], [1.0, 1.0],
                        [1.0, -1.0], [2.0, 0.5], [-0.5, 1.0]])
    pairs = [("a", "b"), ("c", "d"), ("e", "g"), ("f", "h")]
    expect_pair_gap(k, words, vectors, pairs, "pair_gap(words, vectors, 4 pairs)")


@check("q4-choose-k", "chosen_k is one of the candidates")
def _(k):
    got = k.get("chosen_k")
    expect_type(got, (int, np.integer), "chosen_k")
    expect(int(got) in CANDIDATE_KS, f"chosen_k should be one of {CANDIDATE_KS}, got {got}")
