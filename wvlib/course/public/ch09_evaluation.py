"""Public checks for the chapter 9 exercises (evaluating embeddings).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
"""
import numpy as np
from scipy import stats

from wvlib.course.checks import check, expect, expect_close, expect_equal, expect_raises, \
    expect_type


def expect_ranks(got, x, what):
    """Question 1: ranks with ties averaged, with a hint for the usual mistakes."""
    x = np.asarray(x, dtype=float)
    exp = stats.rankdata(x)                     # 'average' method
    arr = np.asarray(got, dtype=float) if not isinstance(got, str) else None
    hint = "tied values share the mean of the ranks they occupy; the smallest value has rank 1"
    if arr is not None and arr.shape == exp.shape:
        if np.allclose(arr, exp - 1):
            hint = "ranks start at 1, not at 0"
        elif np.allclose(arr, stats.rankdata(x, method="ordinal")):
            hint = "tied values must get the SAME rank: the average of the ranks they occupy"
        elif np.allclose(arr, stats.rankdata(x, method="min")):
            hint = "ties get the average of their ranks, not the smallest one"
        elif np.allclose(arr, np.argsort(x) + 1):
            hint = ("argsort gives the order of the items, not their ranks: the rank of item i "
                    "is its position in the sorted order (argsort of argsort)")
    expect_close(got, exp, what=what, hint=hint)


def expect_rho(got, x, y, what):
    expect_type(got, (float, int, np.floating), what)
    expect_close(got, stats.spearmanr(x, y).statistic, what=what,
                 hint="Spearman's rho is the Pearson correlation of the average ranks")


def cosmul_reference(vectors, words, a, b, c, topn):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    idx = {w: i for i, w in enumerate(words)}
    s = lambda w: (1 + unit @ unit[idx[w]]) / 2  # noqa: E731
    scores = s(b) * s(c) / (s(a) + 1e-3)
    scores[[idx[a], idx[b], idx[c]]] = -np.inf
    return [words[i] for i in np.argsort(-scores, kind="stable")[:topn]]


def expect_cosmul(got, vectors, words, a, b, c, topn, what):
    exp = cosmul_reference(vectors, words, a, b, c, topn)
    expect_type(got, (list, tuple), what)
    got = [str(w) for w in got]
    hint = "score = cos'(d,b) * cos'(d,c) / (cos'(d,a) + 0.001) with cos' = (1 + cos) / 2"
    if set(got) & {a, b, c}:
        hint = "never answer with one of the query words a, b, c"
    elif len(got) == len(exp):
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        idx = {w: i for i, w in enumerate(words)}
        add = unit @ (unit[idx[b]] - unit[idx[a]] + unit[idx[c]])
        add[[idx[a], idx[b], idx[c]]] = -np.inf
        if got == [words[i] for i in np.argsort(-add, kind="stable")[:topn]]:
            hint = "this is the 3CosAdd answer; 3CosMul multiplies and divides"
    expect_equal(got, exp, what, hint=hint)


def bootstrap_reference(a, b, n_boot, level, seed):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    index = rng.integers(len(a), size=(n_boot, len(a)))
    diffs = a[index].mean(axis=1) - b[index].mean(axis=1)
    low, high = np.quantile(diffs, [(1 - level) / 2, (1 + level) / 2])
    return float(a.mean() - b.mean()), float(low), float(high)


def expect_bootstrap(got, a, b, n_boot, level, seed, what):
    exp = bootstrap_reference(a, b, n_boot, level, seed)
    expect_type(got, (list, tuple), what)
    expect(len(got) == 3, f"{what} should be a tuple (difference, low, high), got "
                          f"{len(got)} items")
    expect_close(got[0], exp[0], what=f"{what}: the difference",
                 hint="accuracy of A minus accuracy of B, on all questions")
    hint = ("draw index = rng.integers(n, size=(n_boot, n)) once, with rng = "
            "np.random.default_rng(seed), and use the same rows for A and B")
    if np.allclose(got[1:], exp[:0:-1]):
        hint = "low and high are swapped"
    expect_close(got[1:], exp[1:], what=f"{what}: (low, high)", hint=hint)


@check("q1-spearman", "average_ranks on a small list with a tie", weight=2)
def _(k):
    x = [30.0, 10.0, 20.0, 20.0, 5.0]
    expect_ranks(k.call("average_ranks", x), x, "average_ranks([30, 10, 20, 20, 5])")


@check("q1-spearman", "spearman_rho on samples with ties equals scipy's", weight=2)
def _(k):
    x = [1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 5.0]
    y = [2.0, 1.0, 4.0, 4.0, 3.0, 6.0, 7.0]
    expect_rho(k.call("spearman_rho", x, y), x, y, "spearman_rho(x, y) with ties")


@check("q1-spearman", "lengths that differ raise ValueError")
def _(k):
    expect_raises(k, "spearman_rho", ([1.0, 2.0, 3.0], [1.0, 2.0]), ["ValueError"],
                  "spearman_rho of samples of lengths 3 and 2")


@check("q2-cosmul", "the small example of the notebook", weight=2)
def _(k):
    words = ["man", "woman", "king", "queen", "apple"]
    vectors = np.array([[1.0, 0.1, 0.0], [0.1, 1.0, 0.0], [1.0, 0.1, 1.0],
                        [0.1, 1.0, 1.0], [0.0, 0.0, -1.0]])
    got = k.call("three_cos_mul", vectors, words, "man", "king", "woman", 2)
    expect_cosmul(got, vectors, words, "man", "king", "woman", 2,
                  "three_cos_mul(man, king, woman, topn=2)")


@check("q2-cosmul", "an unknown query word raises KeyError")
def _(k):
    expect_raises(k, "three_cos_mul", (np.eye(3), ["a", "b", "c"], "a", "b", "zzz"),
                  ["KeyError"], "three_cos_mul with the unknown word 'zzz'")


@check("q3-bootstrap", "the example of the notebook", weight=2)
def _(k):
    rng = np.random.default_rng(1)
    a = (rng.random(300) < 0.40).astype(float)
    b = np.where(rng.random(300) < 0.8, a, 1 - a)
    got = k.call("paired_bootstrap_accuracy", a, b, 1000, 0.95, 0)
    expect_bootstrap(got, a, b, 1000, 0.95, 0, "paired_bootstrap_accuracy(example)")
