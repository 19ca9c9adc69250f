"""Public checks for the chapter 3 exercises (latent semantic analysis).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
They hold inputs, properties and comparisons with values stored when the exercises were made
(``S``): the expected answers, and the answers of the typical mistakes (another TF-IDF variant,
a forgotten division by the singular values, a dot product instead of a cosine), so that the
message can name them. The points are decided by the hidden tests, on inputs drawn at grading
time.
"""
import numpy as np

from wvlib.course.checks import call_unmodified, check, expect, expect_close, expect_equal, \
    expect_finite, expect_raises, expect_shape, expect_type
from wvlib.course.stored import stored

S = stored("ch03_lsa")

# A small terms x documents count matrix: N = 4 documents, df = (2, 4, 1).
COUNTS = [[2, 0, 1, 0],
          [1, 1, 1, 1],
          [0, 0, 3, 0]]
EDGE_COUNTS = [[5, 1, 2], [0, 0, 0], [0, 4, 0]]     # df = N, df = 0
U_SMALL = [[1.0, 0.0], [0.0, 0.6], [0.0, 0.8]]        # orthonormal columns
S_SMALL = [2.0, 0.5]
Q_SMALL = [1.0, 5.0, 10.0]                            # U_dᵀ q = (1, 11)
X_SMALL = [[2.0, 0.0, 1.0], [1.0, 3.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 2.0]]
RANK_D = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [10.0, 1.0]]
TIES_D = [[0.0, 1.0], [2.0, 0.0], [0.0, 0.0], [0.5, 0.0], [0.0, 3.0]]
GAP_WORDS = ["a", "b", "c", "d", "e", "f", "g", "h"]
GAP_VECTORS = [[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [0.1, 1.0], [1.0, 1.0], [1.0, -1.0],
               [2.0, 0.5], [-0.5, 1.0]]
GAP_PAIRS = [["a", "b"], ["c", "d"], ["e", "g"], ["f", "h"]]
CANDIDATE_DIMS = [2, 10, 25, 100, 200]


# -- q1-tfidf ---------------------------------------------------------------------------------
@check("q1-tfidf", "a hand-made 3 x 4 count matrix")
def _(k):
    got = expect_shape(call_unmodified(k, "tfidf_weights", np.array(COUNTS)), (3, 4),
                       "tfidf_weights(counts)")
    expect_close(got, S["q1/counts"], what="tfidf_weights(counts)",
                 hint="X[w, j] = counts[w, j] * (ln((1 + N)/(1 + df(w))) + 1), with N the "
                      "number of columns and df(w) the number of non-zero entries of row w",
                 mistakes={
                     "you used idf = ln(N/df) without smoothing; this exercise's variant is "
                     "ln((1 + N)/(1 + df)) + 1": S["q1/counts-unsmoothed"],
                     "you forgot the final + 1: idf = ln((1 + N)/(1 + df)) + 1":
                         S["q1/counts-no-plus-one"],
                     "you used ln(N/df) + 1 without the 1 + in the fraction":
                         S["q1/counts-no-smoothing-plus-one"],
                     "you used log10; the idf uses the natural logarithm (np.log)":
                         S["q1/counts-log10"],
                     "df(w) is the number of documents containing w (non-zero entries of row "
                     "w), not the total count of w": S["q1/counts-df-as-total"],
                     "it looks transposed: rows are terms and columns are documents, so N is "
                     "the number of COLUMNS and df(w) counts the non-zero entries of ROW w":
                         S["q1/counts-transposed"]})


@check("q1-tfidf", "a term in every document keeps its counts; a term in none stays zero")
def _(k):
    got = expect_shape(k.call("tfidf_weights", np.array(EDGE_COUNTS)), (3, 3),
                       "tfidf_weights([[5, 1, 2], [0, 0, 0], [0, 4, 0]])")
    expect_finite(got, "tfidf_weights([[5, 1, 2], [0, 0, 0], [0, 4, 0]])",
                  hint="a term that occurs in no document must not cause a division by zero")
    expect_close(got[0], EDGE_COUNTS[0], what="the row of a term found in every document",
                 hint="with df = N the idf is ln((1 + N)/(1 + N)) + 1 = 1")
    expect_close(got[1], [0, 0, 0], what="the row of a term found in no document")
    expect_close(got[2, 1], S["q1/edge-2-1"], what="X[2, 1] (count 4, df = 1, N = 3)",
                 hint="float weights: make sure integer counts are not truncated")


# -- q2-fold-in -------------------------------------------------------------------------------
@check("q2-fold-in", "a hand-made example (d = 2)")
def _(k):
    got = call_unmodified(k, "fold_in", np.array(Q_SMALL), np.array(U_SMALL),
                          np.array(S_SMALL))
    got = expect_shape(got, (2,), "fold_in(q, U_d, s_d) with U_d of shape (3, 2)")
    expect_close(got, S["q2/small"], what="fold_in(q, U_d, s_d)",
                 hint="q_hat = diag(1/s_d) U_d^T q: transpose U_d, then divide entry i by "
                      "s_d[i]",
                 mistakes={"fold_in returned U_d^T q: divide by the singular values s_d too":
                           S["q2/small-projection"],
                           "fold_in multiplied U_d^T q by Σ_d: the fold-in DIVIDES by the "
                           "singular values": S["q2/small-times-s"],
                           "fold_in divided by Σ_d twice (by s_d ** 2); divide once":
                           S["q2/small-over-s2"]})


@check("q2-fold-in", "folding in a training document gives its row of V_d")
def _(k):
    X = np.array(X_SMALL)
    U_d, s_d, Vt_d = S["q2/X-U2"], S["q2/X-s2"], S["q2/X-Vt2"]
    for j in range(X.shape[1]):
        got = k.call("fold_in", X[:, j], U_d, s_d)
        expect_close(got, Vt_d[:, j], what=f"fold_in(column {j} of X, U_d, s_d) with d = 2",
                     hint="since U_d^T X = Σ_d V_d^T, the answer is row j of V_d")


@check("q2-fold-in", "shapes that do not fit raise ValueError")
def _(k):
    expect_raises(k, "fold_in", (np.ones(4), np.array(U_SMALL), np.array(S_SMALL)),
                  ["ValueError"], "fold_in(q with 4 entries, U_d with 3 rows, s_d)",
                  hint="q needs one entry per row of U_d")
    expect_raises(k, "fold_in", (np.array(Q_SMALL), np.array(U_SMALL), np.ones(3)),
                  ["ValueError"], "fold_in(q, U_d with 2 columns, s_d with 3 entries)",
                  hint="s_d needs one entry per column of U_d")


# -- q3-rank ----------------------------------------------------------------------------------
@check("q3-rank", "a small example: cosine, best first")
def _(k):
    got = k.call("rank_documents", np.array([1.0, 0.0]), np.array(RANK_D), 3)
    expect_type(got, list, "rank_documents(q_hat, doc_coords, 3)")
    expect_equal(got, S["q3/small"], "rank_documents([1, 0], doc_coords, 3)",
                 hint="cosines are 1, 0, 0.707, 0.995",
                 mistakes={"rank_documents ranked by the dot product: document 3 is long, not "
                           "the most similar in direction; divide by the lengths (cosine)":
                           S["q3/small-by-dot"],
                           "rank_documents listed the worst documents first: best first, "
                           "i.e. descending cosine": S["q3/small-ascending"]})


@check("q3-rank", "ties go to the lower index; a zero row has cosine 0")
def _(k):
    got = k.call("rank_documents", np.array([3.0, 0.0]), np.array(TIES_D), 5)
    expect_type(got, list, "rank_documents(q_hat, doc_coords, 5)")
    expect_equal(got, S["q3/ties"], "rank_documents([3, 0], doc_coords, 5)",
                 hint="cosines are 0, 1, 0, 1, 0 (the zero row counts as 0); equal cosines are "
                      "ordered by lower index, e.g. with np.argsort(..., kind='stable')")


@check("q3-rank", "returns a list of Python ints, at most the number of documents")
def _(k):
    got = k.call("rank_documents", np.array([1.0, 1.0]),
                 np.array([[1.0, 2.0], [2.0, 1.0], [-1.0, 0.5]]), 10)
    expect_type(got, list, "rank_documents(q_hat, doc_coords, 10)")
    expect(all(isinstance(i, int) for i in got),
           f"the entries should be Python ints, got {[type(i).__name__ for i in got]}; "
           "convert with int(...)")
    expect(sorted(got) == [0, 1, 2] and got[-1] == 2,
           f"rank_documents([1, 1], 3 documents, topn=10) = {got}: with topn larger than the "
           f"number of documents, return all of them, best first")


# -- q4-choose-d -------------------------------------------------------------------------------
@check("q4-choose-d", "pair_gap on eight words in two dimensions")
def _(k):
    got = k.call("pair_gap_on", GAP_WORDS, np.array(GAP_VECTORS), GAP_PAIRS)
    expect_type(got, (float, np.floating), "pair_gap(words, vectors, 4 pairs)")
    expect_close(got, S["q4/gap"], what="pair_gap(words, vectors, 4 pairs)",
                 hint="mean cosine of the pairs, minus the mean cosine over "
                      "(pairs[i][0], pairs[(i + 3) % n][1])",
                 mistakes={"the sign is reversed: related pairs minus re-paired ones":
                           S["q4/gap-reversed"],
                           "use cosines, not dot products": S["q4/gap-dot"]})


@check("q4-choose-d", "fewer than 4 pairs raise ValueError")
def _(k):
    expect_raises(k, "pair_gap_on", (GAP_WORDS, np.array(GAP_VECTORS), GAP_PAIRS[:3]),
                  ["ValueError"], "pair_gap with 3 pairs")


@check("q4-choose-d", "chosen_d is one of the candidates")
def _(k):
    got = k.get("chosen_d")
    expect_type(got, (int, np.integer), "chosen_d")
    expect(int(got) in CANDIDATE_DIMS, f"chosen_d should be one of {CANDIDATE_DIMS}, got {got}")
