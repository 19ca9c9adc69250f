"""Hidden tests for the chapter 1 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs go into the student's kernel, values come back as
plain data, and the expected values are computed here, with the reference implementations
below (and wvlib's own co-occurrence counts). Random inputs come from ``hidden_rng(k, ...)``:
drawn afresh for every submission, the same on a rerun. ``public_values()`` gives the values
the public checks compare against (``wvlib course assign`` stores them).
"""
import numpy as np

from wvlib.cooccurrence import cooccurrence_matrix
from wvlib.corpus import Vocabulary
from wvlib.course.checks import check, expect_close, expect_equal, expect_raises, hidden_rng
from wvlib.course.public import ch01_words_as_vectors as public


# -- reference implementations (and the usual mistakes, for the public hints) -------------------
def cosine_reference(x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def cooccurrence_reference(sentences, vocabulary, window, *, with_self=False, across=False):
    """Counts with wvlib.cooccurrence, rows and columns in the order of ``vocabulary``."""
    keep = set(vocabulary)
    docs = [[w for w in s if w in keep] for s in sentences]
    if across:
        docs = [[w for s in docs for w in s]]
    words = sorted(keep)
    vocab = Vocabulary(words, np.ones(len(words), dtype=np.int64))
    M = cooccurrence_matrix(docs, vocab, window=window).toarray().astype(float)
    order = [vocab[w] for w in vocabulary]
    M = M[np.ix_(order, order)]
    if with_self:
        for doc in docs:
            for w in doc:
                M[vocabulary.index(w), vocabulary.index(w)] += 1
    return M


def neighbors_reference(M, words, query, k, *, by_dot=False, keep_query=False):
    M = np.asarray(M, dtype=float)
    norms = np.linalg.norm(M, axis=1)
    unit = M if by_dot else M / np.where(norms == 0, 1.0, norms)[:, None]
    q = words.index(query)
    scores = unit @ unit[q]
    if not keep_query:
        scores[q] = -np.inf
    return [words[i] for i in np.argsort(-scores, kind="stable")[:k]]


def public_values():
    x, y = np.array(public.X), np.array(public.Y)
    return {
        "q1/example": cosine_reference(x, y),
        "q1/example-dot": float(x @ y),
        "q1/example-squared-norms": float(x @ y / (x @ x * (y @ y))),
        "q2/toy-window-1": cooccurrence_reference(public.TOY, public.TOY_VOCAB, 1),
        "q2/toy-window-1-with-self": cooccurrence_reference(public.TOY, public.TOY_VOCAB, 1,
                                                            with_self=True),
        "q2/toy-window-2": cooccurrence_reference(public.TOY, public.TOY_VOCAB, 2),
        "q2/toy-window-2-across-sentences": cooccurrence_reference(
            public.TOY, public.TOY_VOCAB, 2, across=True),
        "q3/small": neighbors_reference(public.NEIGHBOR_M, public.NEIGHBOR_WORDS, "cat", 2),
        "q3/small-with-query": neighbors_reference(public.NEIGHBOR_M, public.NEIGHBOR_WORDS,
                                                   "cat", 2, keep_query=True),
        "q3/long-vectors": neighbors_reference(public.LONG_M, public.LONG_WORDS, "q", 1),
        "q3/long-vectors-by-dot": neighbors_reference(public.LONG_M, public.LONG_WORDS, "q", 1,
                                                      by_dot=True),
    }


# -- q1-cosine ---------------------------------------------------------------------------------
@check("q1-cosine", "random vectors of random length and scale", weight=2)
def _(k):
    rng = hidden_rng(k, "q1-cosine/random")
    for trial in range(5):
        n = int(rng.integers(2, 80))
        x, y = rng.normal(size=n) * rng.uniform(0.01, 100), rng.normal(size=n)
        expect_close(k.call("cosine_similarity", x, y), cosine_reference(x, y),
                     what=f"cosine_similarity on random vectors (trial {trial})")


@check("q1-cosine", "integer input and vectors of different lengths")
def _(k):
    rng = hidden_rng(k, "q1-cosine/integers")
    x, y = rng.integers(-5, 6, size=7), rng.integers(1, 6, size=7)
    expect_close(k.call("cosine_similarity", x, y), cosine_reference(x, y),
                 what="cosine_similarity on integer vectors",
                 hint="integer arrays must work too")
    expect_raises(k, "cosine_similarity", (np.ones(2), np.ones(3)), ["ValueError"],
                  "cosine_similarity of vectors of lengths 2 and 3")


# -- q2-cooccurrence --------------------------------------------------------------------------
@check("q2-cooccurrence", "random corpora against the reference counts", weight=3)
def _(k):
    rng = hidden_rng(k, "q2-cooccurrence/random")
    alphabet = [f"w{i}" for i in range(int(rng.integers(5, 12)))]
    for trial in range(4):
        sentences = [[str(w) for w in rng.choice(alphabet, size=rng.integers(1, 12))]
                     for _ in range(rng.integers(1, 6))]
        window = int(rng.integers(1, 5))
        vocabulary = sorted({w for s in sentences for w in s})
        keep = [str(w) for w in rng.permutation(vocabulary)[: max(1, len(vocabulary) - 2)]]
        got = k.call("cooccurrence_counts", sentences, keep, window)
        expect_close(got, cooccurrence_reference(sentences, keep, window),
                     what=f"cooccurrence_counts on a random corpus (trial {trial}, "
                          f"window {window})")


@check("q2-cooccurrence", "vocabulary order defines the rows")
def _(k):
    got = k.call("cooccurrence_counts", [["x", "y", "y"]], ["y", "x"], 2)
    expect_close(got, [[2, 2], [2, 0]], what="cooccurrence_counts([['x','y','y']], ['y','x'], 2)")


# -- q3-neighbors -----------------------------------------------------------------------------
@check("q3-neighbors", "random embeddings against a reference ranking", weight=2)
def _(k):
    rng = hidden_rng(k, "q3-neighbors/random")
    for trial in range(3):
        n, d = int(rng.integers(10, 40)), int(rng.integers(2, 9))
        M = rng.normal(size=(n, d)) * rng.uniform(0.1, 10, size=(n, 1))
        words = [f"v{i}" for i in rng.permutation(n)]
        query = words[int(rng.integers(n))]
        topn = int(rng.integers(1, n))
        expect_equal(k.call("nearest_neighbors", M, words, query, topn),
                     neighbors_reference(M, words, query, topn),
                     f"nearest_neighbors on random vectors (trial {trial})")


@check("q3-neighbors", "zero rows do not break the ranking")
def _(k):
    M = np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 0.9], [-1.0, 0.0]])
    expect_equal(k.call("nearest_neighbors", M, ["a", "zero", "b", "c"], "a", 2), ["b", "zero"],
                 "nearest_neighbors with a zero row")


# -- q4-spectrum -------------------------------------------------------------------------------
@check("q4-spectrum", "the statement the chapter's numbers support", weight=3)
def _(k):
    got = k.call("q4_answer")
    expect_equal(str(got).strip().lower(), "b", "q4_answer()",
                 hint="a rank-300 matrix that keeps about 80% of the squared norm is far from "
                      "lossless, yet the benchmarks cannot tell its rows from the full rows",
                 mistakes={"the spectrum has a long flat tail: rank 300 keeps only about four "
                           "fifths of the squared norm, far from almost everything": "a",
                           "rank 5 is clearly worse than rank 300 on WordSim-353: a handful of "
                           "directions is not enough": "c",
                           "the intervals of the differences contain 0: the data show no "
                           "improvement, only no measurable difference": "d"})
