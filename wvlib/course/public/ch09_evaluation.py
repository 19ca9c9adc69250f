"""Public checks for the chapter 9 exercises (evaluating embeddings).

The learner sees these; the grader runs them too, in its own process (see
wvlib.course.checks). They hold no solution: they compare with values stored when the
exercises were written, for the notebook's examples only, and check properties (a paired
variance of 0 for identical solvers, an interval that contains the difference, error cases).
The instructor's hidden tests decide each question on inputs drawn at grading time.
"""
import numpy as np

from wvlib.course.checks import as_sympy, check, expect, expect_close, expect_equal, \
    expect_raises, expect_type

# ---- stored values for the notebook's examples (computed when the exercises were written) ----
Q1_RANKS = {(30.0, 10.0, 20.0, 20.0, 5.0): [5.0, 2.0, 3.5, 3.5, 1.0]}
Q1_RHO = 0.6702887344438079          # spearman_rho(Q1_X, Q1_Y), scipy.stats.spearmanr
Q1_X = [1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 5.0]
Q1_Y = [2.0, 1.0, 4.0, 4.0, 3.0, 6.0, 7.0]
Q2_WORDS = ["man", "king", "woman", "queen", "apple"]
Q2_VECTORS = [[1.0, 0.1, 0.0], [1.0, 0.1, 1.0], [0.1, 1.0, 0.0], [0.1, 1.0, 1.0],
              [0.0, 0.0, -1.0]]
Q2_ANSWER = ["queen", "apple"]
Q3_REPORT = (0.07837837837837835, 0.03225161290322581, 0.1219250535524634)
Q3_QUESTION_LEVEL = (0.03375, 0.12702703)        # the same recipe resampling questions
Q4_EXAMPLE = ([1, 1, 0, 1, 0, 1, 1, 0], [1, 0, 0, 1, 0, 1, 0, 0])
Q4_EXPECTED = ((3, 128), (15, 256))               # (paired, unpaired) as fractions
Q4_UNBIASED = ((3, 112), (15, 224))               # dividing by n - 1 instead of n
Q5_CLAIMS = [0, 0, 1, 1]            # method 1: p = 1/32 alone, but not among four


# -- q1-spearman -------------------------------------------------------------------------------
@check("q1-spearman", "average_ranks on a small list with a tie (stored values)", weight=2)
def _(k):
    x = (30.0, 10.0, 20.0, 20.0, 5.0)
    got = k.call("average_ranks", list(x))
    expected = Q1_RANKS[x]
    hint = "tied values share the mean of the ranks they occupy; the smallest value has rank 1"
    arr = np.asarray(got, dtype=float) if not isinstance(got, str) else None
    if arr is not None and arr.shape == (5,):
        if np.allclose(arr, np.array(expected) - 1):
            hint = "ranks start at 1, not at 0"
        elif np.allclose(arr, [5, 2, 3, 4, 1]) or np.allclose(arr, [5, 2, 4, 3, 1]):
            hint = "tied values must get the SAME rank: the average of the ranks they occupy"
        elif np.allclose(arr, [5, 2, 3, 3, 1]):
            hint = "ties get the average of their ranks, not the smallest one"
        elif np.allclose(arr, np.argsort(x) + 1):
            hint = ("argsort gives the order of the items, not their ranks: the rank of item i "
                    "is its position in the sorted order")
    expect_close(got, expected, what="average_ranks([30, 10, 20, 20, 5])", hint=hint)


@check("q1-spearman", "spearman_rho on samples with ties (stored value)", weight=2)
def _(k):
    got = k.call("spearman_rho", Q1_X, Q1_Y)
    expect_type(got, (float, int, np.floating), "spearman_rho(x, y)")
    expect_close(got, Q1_RHO, what="spearman_rho(x, y) with ties",
                 hint="Spearman's rho is the Pearson correlation of the average ranks")


@check("q1-spearman", "lengths that differ raise ValueError")
def _(k):
    expect_raises(k, "spearman_rho", ([1.0, 2.0, 3.0], [1.0, 2.0]), ["ValueError"],
                  "spearman_rho of samples of lengths 3 and 2")


# -- q2-cosmul ---------------------------------------------------------------------------------
@check("q2-cosmul", "man : king :: woman : ? on the notebook's vectors (stored answer)",
       weight=2)
def _(k):
    got = k.call("three_cos_mul", np.array(Q2_VECTORS), list(Q2_WORDS), "man", "king", "woman",
                 2, 1e-3)
    expect_type(got, (list, tuple), "three_cos_mul(...)")
    got = [str(w) for w in got]
    hint = "score = cos'(w, a*) cos'(w, b) / (cos'(w, a) + eps) with cos' = (1 + cos) / 2"
    if set(got) & {"man", "king", "woman"}:
        hint = "never answer with one of the question words"
    expect_equal(got, Q2_ANSWER, "three_cos_mul(man, king, woman, topn=2)", hint=hint)


@check("q2-cosmul", "an unknown question word raises KeyError")
def _(k):
    expect_raises(k, "three_cos_mul", (np.eye(3), ["a", "b", "c"], "a", "b", "zzz", 1, 1e-3),
                  ["KeyError"], "three_cos_mul with the unknown word 'zzz'")


# -- q3-clustered-bootstrap --------------------------------------------------------------------
def notebook_clusters():
    simulation = np.random.default_rng(9)
    pair_of_question = np.repeat(np.arange(40), simulation.integers(2, 30, size=40))
    skill = simulation.normal(size=40)[pair_of_question]
    a = (simulation.random(len(skill)) < 1 / (1 + np.exp(-skill - 0.2))).astype(int)
    b = (simulation.random(len(skill)) < 1 / (1 + np.exp(-skill))).astype(int)
    return a, b, pair_of_question


@check("q3-clustered-bootstrap", "the notebook's 740 questions from 40 pairs (stored values)",
       weight=2)
def _(k):
    a, b, clusters = notebook_clusters()
    got = k.call("clustered_bootstrap", a, b, clusters, 1000, 0.95, 0)
    expect_type(got, (list, tuple), "clustered_bootstrap(...)")
    expect(len(got) == 3, f"clustered_bootstrap should return (difference, low, high), got "
                          f"{len(got)} values")
    expect_close(got[0], Q3_REPORT[0], what="the difference",
                 hint="accuracy of A minus accuracy of B, on all questions")
    interval = [float(np.asarray(g, dtype=float)) for g in got[1:]]
    hint = ("np.unique(clusters) in sorted order; index = rng.integers(G, size=(n_boot, G)); "
            "a resample holds all the questions of each picked cluster")
    if np.allclose(interval, Q3_QUESTION_LEVEL):
        hint = "this interval resamples questions: resample the clusters"
    elif np.allclose(interval, Q3_REPORT[:0:-1]):
        hint = "low and high are swapped"
    expect_close(interval, Q3_REPORT[1:], what="(low, high)", hint=hint)


@check("q3-clustered-bootstrap", "arrays of different lengths raise ValueError")
def _(k):
    expect_raises(k, "clustered_bootstrap", ([1, 0, 1], [1, 0, 1], [0, 1]), ["ValueError"],
                  "clustered_bootstrap with 3 answers and 2 cluster labels")


# -- q4-bootstrap-variances --------------------------------------------------------------------
def exact_number(value, what):
    import sympy
    value = as_sympy(value, what)
    expect(isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixBase)
           and not value.free_symbols, f"{what} should be an exact SymPy number, got "
                                       f"{type(value).__name__}")
    expect(not value.atoms(sympy.Float), f"{what} = {value} is a floating-point number; it "
                                         f"should be exact (sympy.Rational)")
    return value


@check("q4-bootstrap-variances", "the notebook's eight questions (stored values)")
def _(k):
    import sympy
    got = k.call("bootstrap_variances", *Q4_EXAMPLE)
    expect_type(got, (list, tuple), "bootstrap_variances(example_a, example_b)")
    expect(len(got) == 2, f"bootstrap_variances should return (paired, unpaired), got "
                          f"{len(got)} values")
    for value, exp, unbiased, name in zip(got, Q4_EXPECTED, Q4_UNBIASED,
                                          ("paired", "unpaired")):
        value = exact_number(value, f"the {name} variance")
        hint = ""
        if value == sympy.Rational(*unbiased):
            hint = (" Hint: a resample draws from the 8 answers themselves: their variance "
                    "divides by n, not n - 1")
        expect(value == sympy.Rational(*exp), f"the {name} variance = {value}, expected "
                                              f"{sympy.Rational(*exp)}.{hint}")


@check("q4-bootstrap-variances", "identical solvers: the paired variance is 0")
def _(k):
    a = [1, 0, 1, 1, 0]
    got = k.call("bootstrap_variances", a, list(a))
    expect_type(got, (list, tuple), "bootstrap_variances(a, a)")
    expect(exact_number(got[0], "the paired variance of a solver against itself") == 0,
           "two identical solvers differ on no resample: the paired variance is 0")


# -- q5-claims ---------------------------------------------------------------------------------
def notebook_claims():
    simulation = np.random.default_rng(10)
    truth = simulation.random(600) < 0.55
    base = (truth & (simulation.random(600) < 0.95)).astype(int)
    flip = np.array([0.0, 0.01, 0.05, 0.12])
    methods = np.array([np.where(simulation.random(600) < f, 1, base) for f in flip])
    return base, methods


@check("q5-claims", "the notebook's four methods (stored claims)")
def _(k):
    base, methods = notebook_claims()
    got = k.call("claims", base, methods, 0.05)
    expect_type(got, (list, tuple), "claims(correct_base, correct_methods)")
    expect(len(got) == 4, f"claims should return one entry per method (4), got {len(got)}")
    got = [int(np.asarray(g)) for g in got]
    expect(got[0] == 0, "method 0 answers exactly like the baseline: no claim is possible")
    expect_equal(got, Q5_CLAIMS, "claims(correct_base, correct_methods)",
                 hint="an exact McNemar test per method, and claims that keep the chance of "
                      "any false claim below alpha")
