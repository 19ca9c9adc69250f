"""Hidden tests for the chapter 9 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs drawn here go into the student's kernel, values come
back as plain data (exact answers as whitelisted SymPy trees), and the expected values are
computed here: SciPy's rankdata/spearmanr, 3CosMul with the library's constant (and the
library's KeyedVectors.most_similar_cosmul as a second opinion), the bootstraps and variances
by the reference code below, and the claims by exact McNemar tests with Holm's procedure on
designed data where every procedure that controls the family-wise error agrees. Random inputs
come from ``hidden_rng(k, ...)``: drawn afresh for every submission, the same on a rerun.
``public_values()`` gives the values the public checks compare against.
"""
from pathlib import Path

import numpy as np
import sympy
from scipy import stats

from wvlib.course.checks import check, expect, expect_close, expect_equal, expect_raises, \
    expect_type, hidden_rng
from wvlib.course.exact import as_sympy
from wvlib.course.public import ch09_evaluation as public
from wvlib.vectors import COSMUL_EPSILON, KeyedVectors


def notebook_values(*names):
    """Variables of the official solution notebook, run without its check calls: the public
    checks use the notebook's own examples."""
    import contextlib
    import io

    import nbformat
    nb = nbformat.read(Path(__file__).resolve().parents[1] / "ch09_evaluation.ipynb",
                       as_version=4)
    namespace = {"__name__": "__main__", "display": lambda *values: None}
    for cell in nb.cells:
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines()
                               if not line.startswith("check("))
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, "<notebook>", "exec"), namespace)
    return [namespace[name] for name in names]


def public_values():
    """The values the public checks compare against: on the public module's inputs and on the
    notebook's examples (which are stored too, so that the checks use the same numbers)."""
    solver_a, solver_b, clusters, correct_base, correct_methods = notebook_values(
        "solver_a", "solver_b", "pair_of_question", "correct_base", "correct_methods")
    x = np.array(public.RANKS_X)
    (paired, unpaired), (paired_n1, unpaired_n1) = variances_reference(public.SOLVER_A,
                                                                       public.SOLVER_B)
    tests = [mcnemar(correct_base, m) for m in correct_methods]
    return {
        "q1/ranks": stats.rankdata(x), "q1/ranks-from-0": stats.rankdata(x) - 1,
        "q1/ranks-ordinal": stats.rankdata(x, method="ordinal"),
        "q1/ranks-min": stats.rankdata(x, method="min"),
        "q1/argsort": (np.argsort(x) + 1).astype(float),
        "q1/rho": float(stats.spearmanr(public.RHO_X, public.RHO_Y).statistic),
        "q2/answer": cosmul_reference(public.VECTORS, public.WORDS, "man", "king", "woman", 2,
                                      public.EPS),
        "q3/solver_a": solver_a, "q3/solver_b": solver_b, "q3/clusters": clusters,
        "q3/report": list(clustered_reference(solver_a, solver_b, clusters, 1000, 0.95, 0)),
        "q3/question-level": question_level(solver_a, solver_b, 1000, 0.95, 0),
        "q4/paired": paired, "q4/unpaired": unpaired, "q4/paired-n-1": paired_n1,
        "q4/unpaired-n-1": unpaired_n1,
        "q5/correct_base": correct_base, "q5/correct_methods": correct_methods,
        "q5/claims": holm_claims(correct_base, correct_methods, 0.05),
        "q5/uncorrected": [sign if p <= 0.05 else 0 for p, sign in tests],
    }


# ---- q1-spearman ------------------------------------------------------------------------------
def expect_ranks(got, x, what):
    x = np.asarray(x, dtype=float)
    exp = stats.rankdata(x)
    arr = np.asarray(got, dtype=float) if not isinstance(got, str) else None
    hint = "tied values share the mean of the ranks they occupy; the smallest value has rank 1"
    if arr is not None and arr.shape == exp.shape:
        if np.allclose(arr, exp - 1):
            hint = "ranks start at 1, not at 0"
        elif np.allclose(arr, stats.rankdata(x, method="ordinal")):
            hint = "tied values must get the SAME rank: the average of the ranks they occupy"
        elif np.allclose(arr, stats.rankdata(x, method="min")):
            hint = "ties get the average of their ranks, not the smallest one"
    expect_close(got, exp, what=what, hint=hint)


def expect_rho(got, x, y, what):
    expect_type(got, (float, int, np.floating), what)
    expect_close(got, stats.spearmanr(x, y).statistic, what=what,
                 hint="Spearman's rho is the Pearson correlation of the average ranks")


@check("q1-spearman", "ranks of random samples with many ties", weight=2, core=True)
def _(k):
    rng = hidden_rng(k, "q1-spearman/1")
    for n in (int(rng.integers(5, 10)), int(rng.integers(30, 80)), int(rng.integers(300, 500))):
        x = rng.integers(0, max(2, n // 5), size=n).astype(float)
        expect_ranks(k.call("average_ranks", x.copy()), x, f"average_ranks of {n} values")


@check("q1-spearman", "rho of random tied samples equals scipy.stats.spearmanr", weight=3,
       core=True)
def _(k):
    rng = hidden_rng(k, "q1-spearman/2")
    for n in (int(rng.integers(4, 8)), int(rng.integers(40, 80)), int(rng.integers(300, 400))):
        x = np.round(rng.normal(size=n), 1)
        y = np.round(x + rng.normal(size=n), 1)
        expect_rho(k.call("spearman_rho", x.copy(), y.copy()), x, y,
                   f"spearman_rho on {n} tied pairs")


@check("q1-spearman", "a constant sample gives nan; one item raises ValueError")
def _(k):
    got = k.call("spearman_rho", [1.0, 2.0, 3.0], [4.0, 4.0, 4.0])
    expect_equal(bool(np.isnan(float(got))), True, "spearman_rho with a constant sample is nan")
    expect_raises(k, "spearman_rho", ([1.0], [2.0]), ["ValueError"], "spearman_rho of 1 item")


# ---- q2-cosmul --------------------------------------------------------------------------------
def cosmul_reference(vectors, words, a, a_star, b, topn, eps):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    idx = {w: i for i, w in enumerate(words)}
    shifted = lambda w: (1 + unit @ unit[idx[w]]) / 2  # noqa: E731
    scores = shifted(a_star) * shifted(b) / (shifted(a) + eps)
    scores[[idx[a], idx[a_star], idx[b]]] = -np.inf
    return [words[i] for i in np.argsort(-scores, kind="stable")[:topn]]


def expect_cosmul(got, vectors, words, a, a_star, b, topn, eps, what):
    expected = cosmul_reference(vectors, words, a, a_star, b, topn, eps)
    expect_type(got, (list, tuple), what)
    got = [str(w) for w in got]
    hint = "score = cos'(w, a*) cos'(w, b) / (cos'(w, a) + eps) with cos' = (1 + cos) / 2"
    if set(got) & {a, a_star, b}:
        hint = "never answer with one of the question words a, a*, b"
    elif got == cosmul_reference(vectors, words, a_star, a, b, topn, eps):
        hint = "a is the word divided by: cos'(w, a) goes in the denominator"
    expect_equal(got, expected, what, hint=hint)


@check("q2-cosmul", "random vocabularies, with the course's epsilon, against "
                    "KeyedVectors.most_similar_cosmul", weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q2-cosmul/1")
    for n, d in ((int(rng.integers(8, 16)), int(rng.integers(2, 5))),
                 (int(rng.integers(150, 250)), int(rng.integers(10, 30))),
                 (int(rng.integers(800, 1200)), int(rng.integers(30, 60)))):
        words = [f"w{i}" for i in range(n)]
        vectors = rng.normal(size=(n, d))
        a, a_star, b = (str(w) for w in rng.choice(words, 3, replace=False))
        got = k.call("three_cos_mul", vectors.copy(), words, a, a_star, b, 5, COSMUL_EPSILON)
        expect_cosmul(got, vectors, words, a, a_star, b, 5, COSMUL_EPSILON,
                      f"three_cos_mul on {n} random {d}-dimensional vectors")
        library = [w for w, _ in KeyedVectors(words, vectors).most_similar_cosmul(
            positive=[a_star, b], negative=[a], topn=5)]
        expect_equal([str(w) for w in got], library, "the same answer as most_similar_cosmul")


@check("q2-cosmul", "epsilon matters when a candidate is opposite to a", core=True)
def _(k):
    words = ["a", "a_star", "b", "opposite", "near"]
    vectors = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0], [-1.0, 0.0], [0.3, 1.0]])
    for eps in (1e-6, 0.5):
        got = k.call("three_cos_mul", vectors.copy(), words, "a", "a_star", "b", 2, eps)
        expect_cosmul(got, vectors, words, "a", "a_star", "b", 2, eps,
                      f"three_cos_mul with eps = {eps}")


@check("q2-cosmul", "an unknown question word raises KeyError")
def _(k):
    expect_raises(k, "three_cos_mul", (np.eye(3), ["x", "y", "z"], "x", "y", "nope", 1,
                                       COSMUL_EPSILON), ["KeyError"],
                  "three_cos_mul with the unknown word 'nope'")


# ---- q3-clustered-bootstrap -------------------------------------------------------------------
def clustered_reference(a, b, clusters, n_boot, level, seed):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    labels, which = np.unique(np.asarray(clusters), return_inverse=True)
    sums = np.bincount(which, weights=a - b, minlength=len(labels))
    sizes = np.bincount(which, minlength=len(labels)).astype(float)
    index = np.random.default_rng(seed).integers(len(labels), size=(n_boot, len(labels)))
    diffs = sums[index].sum(axis=1) / sizes[index].sum(axis=1)
    low, high = np.quantile(diffs, [(1 - level) / 2, (1 + level) / 2])
    return float(a.mean() - b.mean()), float(low), float(high)


def question_level(a, b, n_boot, level, seed):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    index = np.random.default_rng(seed).integers(len(a), size=(n_boot, len(a)))
    diffs = a[index].mean(axis=1) - b[index].mean(axis=1)
    return np.quantile(diffs, [(1 - level) / 2, (1 + level) / 2])


def clustered_data(rng, n_clusters, labels="int"):
    sizes = rng.integers(1, 40, size=n_clusters)
    cluster = np.repeat(np.arange(n_clusters), sizes)
    skill = rng.normal(size=n_clusters)[cluster]
    a = (rng.random(len(cluster)) < 1 / (1 + np.exp(-skill - 0.3))).astype(int)
    b = (rng.random(len(cluster)) < 1 / (1 + np.exp(-skill))).astype(int)
    order = rng.permutation(len(cluster))                  # questions in any order
    names = cluster[order]
    if labels == "str":
        names = np.array([f"pair-{c:03d}" for c in names])
    return a[order], b[order], names


def expect_clustered(got, a, b, clusters, n_boot, level, seed, what):
    expect_type(got, (list, tuple), what)
    expect(len(got) == 3, f"{what} should return (difference, low, high), got {len(got)} "
                          f"values")
    exp = clustered_reference(a, b, clusters, n_boot, level, seed)
    expect_close(got[0], exp[0], what=f"{what}: the difference",
                 hint="accuracy of A minus accuracy of B, on all questions")
    hint = ("np.unique(clusters) in sorted order; index = rng.integers(G, size=(n_boot, G)); a "
            "resample holds all the questions of each picked cluster")
    if np.allclose([float(g) for g in got[1:]], question_level(a, b, n_boot, level, seed)):
        hint = "this interval resamples questions: resample the clusters"
    expect_close([float(g) for g in got[1:]], exp[1:], what=f"{what}: (low, high)", rtol=1e-9,
                 hint=hint)


@check("q3-clustered-bootstrap", "random clustered data, several levels and seeds, labels "
                                 "that are numbers or text", weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q3-clustered-bootstrap/1")
    for n_clusters, n_boot, level, seed, labels in (
            (int(rng.integers(10, 20)), 500, 0.9, int(rng.integers(100)), "int"),
            (int(rng.integers(80, 160)), 2000, 0.95, int(rng.integers(100)), "str"),
            (int(rng.integers(400, 700)), 2000, 0.99, int(rng.integers(100)), "int")):
        a, b, clusters = clustered_data(rng, n_clusters, labels)
        got = k.call("clustered_bootstrap", a, b, clusters, n_boot, level, seed)
        expect_clustered(got, a, b, clusters, n_boot, level, seed,
                         f"clustered_bootstrap ({len(a)} questions, {n_clusters} clusters)")


@check("q3-clustered-bootstrap", "one question per cluster is the question-level bootstrap")
def _(k):
    rng = hidden_rng(k, "q3-clustered-bootstrap/2")
    a, b = rng.integers(0, 2, size=300), rng.integers(0, 2, size=300)
    got = k.call("clustered_bootstrap", a, b, np.arange(300), 1000, 0.95, 2)
    expect_clustered(got, a, b, np.arange(300), 1000, 0.95, 2,
                     "clustered_bootstrap with one question per cluster")


@check("q3-clustered-bootstrap", "arrays of different lengths raise ValueError")
def _(k):
    expect_raises(k, "clustered_bootstrap", ([1, 0, 1], [1, 0, 1], [0, 1]), ["ValueError"],
                  "clustered_bootstrap with 3 answers and 2 cluster labels")


# ---- q4-bootstrap-variances -------------------------------------------------------------------
def variances_reference(a, b):
    a = [sympy.Integer(int(x)) for x in a]
    b = [sympy.Integer(int(x)) for x in b]
    n = len(a)

    def spread(values, ddof=0):
        mean = sum(values) / n
        return sum((v - mean) ** 2 for v in values) / (n - ddof)

    d = [x - y for x, y in zip(a, b)]
    right = (spread(d) / n, (spread(a) + spread(b)) / n)
    unbiased = (spread(d, 1) / n, (spread(a, 1) + spread(b, 1)) / n)
    return right, unbiased


def exact_number(value, what):
    value = as_sympy(value, what)
    expect(isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixBase)
           and not value.free_symbols, f"{what} should be an exact SymPy number, got "
                                       f"{type(value).__name__}")
    expect(not value.atoms(sympy.Float), f"{what} = {value} is a floating-point number; it "
                                         f"should be exact (sympy.Rational)")
    return value


@check("q4-bootstrap-variances", "random solvers on 5 to 400 questions: the exact variances",
       weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q4-bootstrap-variances/1")
    for n, agreement in ((int(rng.integers(4, 9)), 0.5), (int(rng.integers(20, 60)), 0.8),
                         (int(rng.integers(300, 500)), 0.9)):
        a = rng.integers(0, 2, size=n)
        b = np.where(rng.random(n) < agreement, a, 1 - a)
        got = k.call("bootstrap_variances", [int(x) for x in a], [int(x) for x in b])
        what = f"bootstrap_variances on {n} questions"
        expect_type(got, (list, tuple), what)
        expect(len(got) == 2, f"{what} should return (paired, unpaired), got {len(got)} values")
        (paired, unpaired), (paired_n1, unpaired_n1) = variances_reference(a, b)
        for value, exp, exp_n1, name in ((got[0], paired, paired_n1, "paired"),
                                         (got[1], unpaired, unpaired_n1, "unpaired")):
            value = exact_number(value, f"the {name} variance of {what}")
            hint = ""
            if value == exp_n1:
                hint = ("a resample draws from the n answers themselves, whose variance "
                        "divides by n, not n - 1")
            elif value == exp * n:
                hint = "that is the variance of one draw: the mean of n draws varies less"
            expect(value == exp, f"the {name} variance of {what} = {value}, expected another "
                                 f"exact value" + (f". Hint: {hint}" if hint else ""))


@check("q4-bootstrap-variances", "pairing helps exactly when the solvers agree: identical "
                                 "solvers give a paired variance of 0")
def _(k):
    a = [1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1]
    got = k.call("bootstrap_variances", a, list(a))
    expect(isinstance(got, (list, tuple)) and len(got) == 2,
           "bootstrap_variances should return (paired, unpaired)")
    expect(exact_number(got[0], "the paired variance") == 0,
           "two identical solvers differ on no resample: the paired variance is 0")
    expect(exact_number(got[1], "the unpaired variance") == sympy.Rational(2 * 7 * 4, 11 ** 3),
           "the unpaired variance of two identical solvers is twice that of one accuracy")


# ---- q5-claims --------------------------------------------------------------------------------
def mcnemar(base, method):
    wins = int(np.sum((method == 1) & (base == 0)))
    losses = int(np.sum((method == 0) & (base == 1)))
    p = stats.binomtest(wins, wins + losses, 0.5).pvalue if wins + losses else 1.0
    return p, int(np.sign(wins - losses))


def holm_claims(base, methods, alpha):
    tests = [mcnemar(base, m) for m in methods]
    result = [0] * len(methods)
    for step, m in enumerate(np.argsort([p for p, _ in tests], kind="stable")):
        if tests[m][0] > alpha / (len(methods) - step):
            break
        result[m] = tests[m][1]
    return result


def designed_test(rng, discordances, n=1200):
    """A baseline and one method per (wins, losses): the method differs from the baseline on
    exactly that many questions, in those directions."""
    base = (rng.random(n) < 0.6).astype(int)
    methods = []
    for wins, losses in discordances:
        method = base.copy()
        wrong, right = np.flatnonzero(base == 0), np.flatnonzero(base == 1)
        method[rng.choice(wrong, size=wins, replace=False)] = 1
        method[rng.choice(right, size=losses, replace=False)] = 0
        methods.append(method)
    order = rng.permutation(len(methods))
    return base, np.array(methods)[order]


# exact two-sided binomial p-values of these (wins, losses): (39, 21) and (21, 39) 0.027,
# (50, 30) and (30, 50) 0.033, (61, 39) 0.035, (62, 88) 0.041; (80, 20), (15, 75) and
# (100, 40) below 1e-6; (40, 42), (33, 30) and (30, 33) above 0.8. In each design Holm,
# Bonferroni, Sidak and Hochberg make the same claims; uncorrected tests claim more in the
# second and third.
DESIGNS = [
    [(80, 20), (15, 75), (40, 42), (33, 30), (100, 40)],
    [(39, 21), (50, 30), (30, 50), (61, 39), (62, 88), (40, 42), (33, 30)],
    [(80, 20), (39, 21), (21, 39), (50, 30), (61, 39), (40, 42), (30, 33)],
]


@check("q5-claims", "new tests: the claims the data support, and no claim the family-wise "
                    "error rate forbids", weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q5-claims/1")
    for trial, design in enumerate(DESIGNS):
        base, methods = designed_test(rng, design)
        got = k.call("claims", base, methods, 0.05)
        what = f"claims on a new test with {len(methods)} methods (trial {trial})"
        expect_type(got, (list, tuple), what)
        got = [int(np.asarray(g)) for g in got]
        expected = holm_claims(base, methods, 0.05)
        naive = [sign if p <= 0.05 else 0 for p, sign in (mcnemar(base, m) for m in methods)]
        hint = ""
        if got == naive and naive != expected:
            hint = ("with several comparisons, p <= alpha for each one lets the chance of at "
                    "least one false claim grow with their number")
        elif [abs(g) for g in got] == [abs(e) for e in expected]:
            hint = "the sign says whether the method is better (1) or worse (-1)"
        expect_equal(got, expected, what, hint=hint)


@check("q5-claims", "a method that never disagrees with the baseline gets no claim")
def _(k):
    rng = hidden_rng(k, "q5-claims/2")
    base, methods = designed_test(rng, [(0, 0), (90, 10)])
    got = k.call("claims", base, methods, 0.05)
    expect_type(got, (list, tuple), "claims(...)")
    expect_equal([int(np.asarray(g)) for g in got], holm_claims(base, methods, 0.05),
                 "claims with a method identical to the baseline")
