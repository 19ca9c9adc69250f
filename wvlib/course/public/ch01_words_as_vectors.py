"""Public checks for the chapter 1 exercises (words as vectors).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
"""
import numpy as np

from wvlib.course.checks import check, expect, expect_close, expect_equal, expect_raises, \
    expect_shape, expect_type


# -- q1-cosine ---------------------------------------------------------------------------------
@check("q1-cosine", "parallel, orthogonal and opposite vectors")
def _(k):
    for x, y, expected, name in [([1.0, 2.0], [2.0, 4.0], 1.0, "parallel"),
                                 ([1.0, 0.0], [0.0, 3.0], 0.0, "orthogonal"),
                                 ([1.0, -1.0], [-2.0, 2.0], -1.0, "opposite")]:
        got = k.call("cosine_similarity", np.array(x), np.array(y))
        expect_close(got, expected, what=f"cosine_similarity({x}, {y}) ({name} vectors)",
                     hint="divide the dot product by both lengths")


@check("q1-cosine", "returns a float and does not depend on the vectors' lengths")
def _(k):
    x, y = np.array([3.0, 1.0, 2.0]), np.array([1.0, 0.0, 1.0])
    got = k.call("cosine_similarity", x, y)
    expect_type(got, (float, np.floating), "cosine_similarity(x, y)")
    expect_close(k.call("cosine_similarity", 10 * x, y), got,
                 what="cosine_similarity(10 x, y)", hint="cosine is scale-invariant")


@check("q1-cosine", "a zero vector raises ValueError")
def _(k):
    expect_raises(k, "cosine_similarity", (np.zeros(3), np.ones(3)), ["ValueError"],
                  "cosine_similarity(zeros, ones)", hint="the cosine is undefined there")


# -- q2-cooccurrence --------------------------------------------------------------------------
TOY = [["the", "cat", "drinks", "milk"], ["the", "dog", "drinks", "water"]]
TOY_VOCAB = ["the", "cat", "dog", "drinks", "milk", "water"]


@check("q2-cooccurrence", "the toy example with window 1")
def _(k):
    got = k.call("cooccurrence_counts", TOY, TOY_VOCAB, 1)
    M = expect_shape(got, (6, 6), "cooccurrence_counts(toy, vocab, 1)")
    expect_close(M[TOY_VOCAB.index("cat"), TOY_VOCAB.index("the")], 1,
                 what="M['cat', 'the']", hint="'the' is right next to 'cat' once")
    expect_close(M[TOY_VOCAB.index("drinks"), TOY_VOCAB.index("milk")], 1,
                 what="M['drinks', 'milk']")
    expect_close(M[TOY_VOCAB.index("cat"), TOY_VOCAB.index("milk")], 0,
                 what="M['cat', 'milk']", hint="'milk' is 2 positions from 'cat'")
    expect(np.allclose(M, M.T), "the matrix should be symmetric: a pair seen from either word "
                                "is counted in both M[i, j] and M[j, i]")
    expect_close(M.sum(), 12, what="the total count (window 1)",
                 hint="each sentence of 4 words has 3 neighbouring pairs, counted both ways")


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
    M = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.6, 0.4]])
    words = ["cat", "dog", "car", "pet"]
    got = k.call("nearest_neighbors", M, words, "cat", 2)
    expect_type(got, list, "nearest_neighbors(...)")
    expect_equal(got, ["dog", "pet"], "nearest_neighbors(M, words, 'cat', 2)",
                 hint="sort by cosine, highest first, and leave out the query itself")


@check("q3-neighbors", "cosine, not dot product")
def _(k):
    M = np.array([[1.0, 0.0], [100.0, 60.0], [0.5, 0.01]])
    got = k.call("nearest_neighbors", M, ["q", "big", "small"], "q", 1)
    expect_equal(got, ["small"], "nearest_neighbors(..., 'q', 1)",
                 hint="a long vector has a large dot product but not a large cosine")


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
