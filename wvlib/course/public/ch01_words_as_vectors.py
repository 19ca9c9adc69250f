"""Public checks for the chapter 1 exercises (words as vectors).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
They hold inputs, properties and comparisons with values stored when the exercises were made
(``S``, see wvlib.course.stored) — no code that computes an answer. The points of a question
are decided by its hidden tests, on inputs drawn at grading time.
"""
import numpy as np

from wvlib.course.checks import check, expect, expect_close, expect_equal, expect_raises, \
    expect_shape, expect_symmetric, expect_type
from wvlib.course.stored import stored

S = stored("ch01_words_as_vectors")

# -- inputs (the stored values are computed on these) ------------------------------------------
X = [3.0, 1.0, 2.0]
Y = [1.0, 0.0, 1.0]
TOY = [["the", "cat", "drinks", "milk"], ["the", "dog", "drinks", "water"]]
TOY_VOCAB = ["the", "cat", "dog", "drinks", "milk", "water"]
NEIGHBOR_M = [[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.6, 0.4]]
NEIGHBOR_WORDS = ["cat", "dog", "car", "pet"]
LONG_M = [[1.0, 0.0], [100.0, 60.0], [0.5, 0.01]]
LONG_WORDS = ["q", "big", "small"]


# -- q1-cosine ---------------------------------------------------------------------------------
@check("q1-cosine", "a worked example: x = [3, 1, 2], y = [1, 0, 1]")
def _(k):
    got = k.call("cosine_similarity", np.array(X), np.array(Y))
    expect_close(got, S["q1/example"], what=f"cosine_similarity({X}, {Y})",
                 hint="divide the dot product by both lengths",
                 mistakes={"that is the dot product: divide it by both lengths":
                           S["q1/example-dot"],
                           "divide by the product of the lengths, not of the squared "
                           "lengths": S["q1/example-squared-norms"]})


@check("q1-cosine", "parallel, orthogonal and opposite vectors give 1, 0 and -1")
def _(k):
    for x, y, expected, name in [([1.0, 2.0], [2.0, 4.0], 1.0, "parallel"),
                                 ([1.0, 0.0], [0.0, 3.0], 0.0, "orthogonal"),
                                 ([1.0, -1.0], [-2.0, 2.0], -1.0, "opposite")]:
        got = k.call("cosine_similarity", np.array(x), np.array(y))
        expect_close(got, expected, what=f"cosine_similarity({x}, {y}) ({name} vectors)",
                     hint="divide the dot product by both lengths")


@check("q1-cosine", "returns a float and does not depend on the vectors' lengths")
def _(k):
    x, y = np.array(X), np.array(Y)
    got = k.call("cosine_similarity", x, y)
    expect_type(got, (float, np.floating), "cosine_similarity(x, y)")
    expect_close(k.call("cosine_similarity", 10 * x, y), got,
                 what="cosine_similarity(10 x, y)", hint="cosine is scale-invariant")
    expect_close(k.call("cosine_similarity", y, x), got, what="cosine_similarity(y, x)",
                 hint="the cosine is symmetric")


@check("q1-cosine", "a zero vector raises ValueError")
def _(k):
    expect_raises(k, "cosine_similarity", (np.zeros(3), np.ones(3)), ["ValueError"],
                  "cosine_similarity(zeros, ones)", hint="the cosine is undefined there")


# -- q2-cooccurrence --------------------------------------------------------------------------
@check("q2-cooccurrence", "the toy example with window 1")
def _(k):
    got = k.call("cooccurrence_counts", TOY, TOY_VOCAB, 1)
    M = expect_shape(got, (6, 6), "cooccurrence_counts(toy, vocab, 1)")
    expect_symmetric(M, "cooccurrence_counts(toy, vocab, 1)",
                     hint="a pair seen from either word is counted in both M[i, j] and "
                          "M[j, i]")
    expect_close(M, S["q2/toy-window-1"], what="cooccurrence_counts(toy, vocab, 1)",
                 hint="count, for each occurrence of word i, the words at distance 1 to "
                      "its left and right",
                 mistakes={"a word is counted as its own neighbour: skip the centre "
                           "position": S["q2/toy-window-1-with-self"]})


@check("q2-cooccurrence", "the toy example with window 2")
def _(k):
    got = k.call("cooccurrence_counts", TOY, TOY_VOCAB, 2)
    expect_close(got, S["q2/toy-window-2"], what="cooccurrence_counts(toy, vocab, 2)",
                 mistakes={"windows crossed the sentence boundary: count each sentence on "
                           "its own": S["q2/toy-window-2-across-sentences"]})


@check("q2-cooccurrence", "out-of-vocabulary words are removed before windowing")
def _(k):
    got = k.call("cooccurrence_counts", [["a", "zzz", "b"]], ["a", "b"], 1)
    M = expect_shape(got, (2, 2), "cooccurrence_counts([['a', 'zzz', 'b']], ['a', 'b'], 1)")
    expect_close(M, [[0, 1], [1, 0]], what="the matrix for ['a', 'zzz', 'b']",
                 hint="drop 'zzz' first: 'a' and 'b' then stand next to each other")


@check("q2-cooccurrence", "windows do not cross sentences")
def _(k):
    got = k.call("cooccurrence_counts", [["a"], ["b"]], ["a", "b"], 3)
    expect_close(got, np.zeros((2, 2)), what="cooccurrence_counts([['a'], ['b']], ..., 3)")


# -- q3-neighbors -----------------------------------------------------------------------------
@check("q3-neighbors", "a small example")
def _(k):
    got = k.call("nearest_neighbors", np.array(NEIGHBOR_M), NEIGHBOR_WORDS, "cat", 2)
    expect_type(got, list, "nearest_neighbors(...)")
    expect_equal(got, S["q3/small"], "nearest_neighbors(M, words, 'cat', 2)",
                 hint="sort by cosine, highest first, and leave out the query itself",
                 mistakes={"the query itself is not one of its neighbours":
                           S["q3/small-with-query"]})


@check("q3-neighbors", "cosine, not dot product")
def _(k):
    got = k.call("nearest_neighbors", np.array(LONG_M), LONG_WORDS, "q", 1)
    expect_equal(got, S["q3/long-vectors"], "nearest_neighbors(..., 'q', 1)",
                 mistakes={"a long vector has a large dot product but not a large cosine: "
                           "divide by the lengths": S["q3/long-vectors-by-dot"]})


@check("q3-neighbors", "an unknown query raises KeyError")
def _(k):
    expect_raises(k, "nearest_neighbors", (np.eye(2), ["a", "b"], "c", 1), ["KeyError"],
                  "nearest_neighbors(..., 'c', 1)")


# -- q4-spectrum -------------------------------------------------------------------------------
@check("q4-spectrum", "the answer is one of the letters a, b, c, d")
def _(k):
    got = k.call("q4_answer")
    expect_type(got, str, "q4_answer()")
    expect(got.strip().lower() in ("a", "b", "c", "d"),
           f"q4_answer() should return one of 'a', 'b', 'c', 'd', got {got!r}")
