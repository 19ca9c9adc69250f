"""Hidden tests for the chapter 9 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs go into the student's kernel, values come back as plain
data, and the expected values are computed here (SciPy's rankdata/spearmanr, the library's
KeyedVectors.most_similar_cosmul and evaluate.paired_bootstrap_ci).
"""
import numpy as np
from scipy import stats

from wvlib.course.checks import check, expect_close, expect_equal, expect_raises
from wvlib.course.public.ch09_evaluation import expect_bootstrap, expect_cosmul, \
    expect_ranks, expect_rho
from wvlib.evaluate import paired_bootstrap_ci
from wvlib.vectors import KeyedVectors

RNG_SEED = 20261129


@check("q1-spearman", "ranks of random samples with many ties", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED)
    for n in (7, 50, 400):
        x = rng.integers(0, max(2, n // 5), size=n).astype(float)
        expect_ranks(k.call("average_ranks", x.copy()), x, f"average_ranks of {n} values")


@check("q1-spearman", "rho of random tied samples equals scipy.stats.spearmanr", weight=3)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 1)
    for n in (5, 60, 353):
        x = np.round(rng.normal(size=n), 1)
        y = np.round(x + rng.normal(size=n), 1)
        expect_rho(k.call("spearman_rho", x.copy(), y.copy()), x, y,
                   f"spearman_rho on {n} tied pairs")


@check("q1-spearman", "a constant sample gives nan; one item raises ValueError")
def _(k):
    got = k.call("spearman_rho", [1.0, 2.0, 3.0], [4.0, 4.0, 4.0])
    expect_equal(bool(np.isnan(float(got))), True, "spearman_rho with a constant sample is nan")
    expect_raises(k, "spearman_rho", ([1.0], [2.0]), ["ValueError"], "spearman_rho of 1 item")


@check("q2-cosmul", "random vocabularies against KeyedVectors.most_similar_cosmul", weight=3)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 2)
    for n, d in ((12, 3), (200, 20), (1000, 50)):
        words = [f"w{i}" for i in range(n)]
        vectors = rng.normal(size=(n, d))
        kv = KeyedVectors(words, vectors)
        a, b, c = (str(w) for w in rng.choice(words, 3, replace=False))
        topn = 5
        expected = [w for w, _ in kv.most_similar_cosmul(positive=[b, c], negative=[a],
                                                         topn=topn)]
        got = k.call("three_cos_mul", vectors.copy(), words, a, b, c, topn)
        expect_cosmul(got, vectors, words, a, b, c, topn,
                      f"three_cos_mul on {n} random {d}-dimensional vectors")
        expect_equal([str(w) for w in got], expected, "the same answer as most_similar_cosmul")


@check("q3-bootstrap", "random solvers, several levels and seeds, against the library",
       weight=3)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 3)
    for n, n_boot, level, seed in ((40, 500, 0.9, 3), (1000, 2000, 0.95, 11)):
        a = (rng.random(n) < 0.3).astype(float)
        b = (rng.random(n) < 0.35).astype(float)
        got = k.call("paired_bootstrap_accuracy", a.copy(), b.copy(), n_boot, level, seed)
        expect_bootstrap(got, a, b, n_boot, level, seed, f"paired_bootstrap_accuracy (n={n})")
        lib = paired_bootstrap_ci(a, b, n_boot=n_boot, level=level, seed=seed)
        expect_close(got[1:], [lib["low"], lib["high"]],
                     what="the interval of wvlib.evaluate.paired_bootstrap_ci")


@check("q3-bootstrap", "arrays of different lengths raise ValueError")
def _(k):
    expect_raises(k, "paired_bootstrap_accuracy", ([1, 0, 1], [1, 0]), ["ValueError"],
                  "paired_bootstrap_accuracy with lengths 3 and 2")
