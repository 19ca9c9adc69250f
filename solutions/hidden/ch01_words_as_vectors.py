"""Hidden tests for the chapter 1 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs go into the student's kernel, values come back as
plain data, and the expected values are computed here, with wvlib's reference code.
"""
import numpy as np

from wvlib.cooccurrence import cooccurrence_matrix
from wvlib.corpus import Vocabulary
from wvlib.course.checks import check, expect_close, expect_equal, expect_raises

RNG_SEED = 20261123


@check("q1-cosine", "random vectors in 50 dimensions", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED)
    for trial in range(5):
        x, y = rng.normal(size=50), rng.normal(size=50)
        expected = x @ y / np.linalg.norm(x) / np.linalg.norm(y)
        expect_close(k.call("cosine_similarity", x, y), expected,
                     what=f"cosine_similarity on random vectors (trial {trial})")


@check("q1-cosine", "integer input and vectors of different lengths")
def _(k):
    expect_close(k.call("cosine_similarity", np.array([1, 2, 2]), np.array([2, 0, 0])), 1 / 3,
                 what="cosine_similarity([1, 2, 2], [2, 0, 0])",
                 hint="integer arrays must work too")
    expect_raises(k, "cosine_similarity", (np.ones(2), np.ones(3)), ["ValueError"],
                  "cosine_similarity of vectors of lengths 2 and 3")


@check("q2-cooccurrence", "random corpora against the reference counts", weight=3)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 1)
    alphabet = [f"w{i}" for i in range(8)]
    for trial in range(4):
        sentences = [list(rng.choice(alphabet, size=rng.integers(1, 12)))
                     for _ in range(rng.integers(1, 6))]
        sentences = [[str(w) for w in s] for s in sentences]
        window = int(rng.integers(1, 5))
        vocabulary = sorted({w for s in sentences for w in s})
        keep = vocabulary[: max(1, len(vocabulary) - 2)]  # two words become out-of-vocabulary
        got = k.call("cooccurrence_counts", sentences, keep, window)
        vocab = Vocabulary.build(sentences)
        ref = cooccurrence_matrix([[w for w in s if w in keep] for s in sentences], vocab,
                                  window=window).toarray()
        order = [vocab[w] for w in keep]
        expect_close(got, ref[np.ix_(order, order)],
                     what=f"cooccurrence_counts on a random corpus (trial {trial}, "
                          f"window {window})")


@check("q2-cooccurrence", "vocabulary order defines the rows")
def _(k):
    got = k.call("cooccurrence_counts", [["x", "y", "y"]], ["y", "x"], 2)
    expect_close(got, [[2, 2], [2, 0]], what="cooccurrence_counts([['x','y','y']], ['y','x'], 2)")


@check("q3-neighbors", "random embeddings against a reference ranking", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 2)
    for trial in range(3):
        M = rng.normal(size=(30, 6))
        words = [f"v{i}" for i in range(30)]
        query = words[int(rng.integers(30))]
        unit = M / np.linalg.norm(M, axis=1, keepdims=True)
        scores = unit @ unit[words.index(query)]
        scores[words.index(query)] = -np.inf
        expected = [words[i] for i in np.argsort(-scores)[:5]]
        expect_equal(k.call("nearest_neighbors", M, words, query, 5), expected,
                     f"nearest_neighbors on random vectors (trial {trial})")


@check("q3-neighbors", "zero rows do not break the ranking")
def _(k):
    M = np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 0.9], [-1.0, 0.0]])
    expect_equal(k.call("nearest_neighbors", M, ["a", "zero", "b", "c"], "a", 2), ["b", "zero"],
                 "nearest_neighbors with a zero row")


@check("q4-spectrum", "the statement the chapter's numbers support", weight=3,
       core=True)
def _(k):
    got = k.call("q4_answer")
    expect_equal(str(got).strip().lower(), "b", "q4_answer()",
                 hint="a rank-300 matrix that keeps about 80% of the squared norm is far from "
                      "lossless, yet it is at least as good for similarity: what was dropped "
                      "was mostly noise")
