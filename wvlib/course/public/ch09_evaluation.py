"""Public checks for the chapter 9 exercises (evaluating embeddings).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
They hold inputs, properties (a paired variance of 0 for identical solvers, error cases) and
comparisons with values stored when the exercises were made (``S``, see wvlib.course.stored;
the notebook's examples are stored there too) — no code that computes an answer. The points of
a question are decided by its hidden tests, on inputs drawn at grading time.
"""
import numpy as np

from wvlib.course.checks import check, expect, expect_close, expect_equal, expect_raises, \
    expect_type
from wvlib.course.exact import as_sympy, expect_exact_number
from wvlib.course.stored import stored

S = stored("ch09_evaluation")

# -- inputs (the stored values are computed on these and on the notebook's examples) -----------
RANKS_X = [30.0, 10.0, 20.0, 20.0, 5.0]
RHO_X = [1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 5.0]
RHO_Y = [2.0, 1.0, 4.0, 4.0, 3.0, 6.0, 7.0]
WORDS = ["man", "king", "woman", "queen", "apple"]
VECTORS = np.array([[1.0, 0.1, 0.0], [1.0, 0.1, 1.0], [0.1, 1.0, 0.0], [0.1, 1.0, 1.0],
                    [0.0, 0.0, -1.0]])
EPS = 1e-6                            # 3CosMul's epsilon in this course (chapter 9)
SOLVER_A = [1, 1, 0, 1, 0, 1, 1, 0]
SOLVER_B = [1, 0, 0, 1, 0, 1, 0, 0]


# -- q1-spearman -------------------------------------------------------------------------------
@check("q1-spearman", "average_ranks on a small list with a tie (stored values)", weight=2)
def _(k):
    expect_close(k.call("average_ranks", RANKS_X), S["q1/ranks"],
                 what="average_ranks([30, 10, 20, 20, 5])",
                 hint="tied values share the mean of the ranks they occupy; the smallest value "
                      "has rank 1",
                 mistakes={"ranks start at 1, not at 0": S["q1/ranks-from-0"],
                           "tied values must get the SAME rank: the average of the ranks they "
                           "occupy": S["q1/ranks-ordinal"],
                           "ties get the average of their ranks, not the smallest one":
                           S["q1/ranks-min"],
                           "argsort gives the order of the items, not their ranks: the rank of "
                           "item i is its position in the sorted order": S["q1/argsort"]})


@check("q1-spearman", "spearman_rho on samples with ties (stored value)", weight=2)
def _(k):
    got = k.call("spearman_rho", RHO_X, RHO_Y)
    expect_type(got, (float, int, np.floating), "spearman_rho(x, y)")
    expect_close(got, S["q1/rho"], what="spearman_rho(x, y) with ties",
                 hint="Spearman's rho is the Pearson correlation of the average ranks")


@check("q1-spearman", "lengths that differ raise ValueError")
def _(k):
    expect_raises(k, "spearman_rho", ([1.0, 2.0, 3.0], [1.0, 2.0]), ["ValueError"],
                  "spearman_rho of samples of lengths 3 and 2")


# -- q2-cosmul ---------------------------------------------------------------------------------
@check("q2-cosmul", "man : king :: woman : ? on the notebook's vectors (stored answer)",
       weight=2)
def _(k):
    got = k.call("three_cos_mul", VECTORS, WORDS, "man", "king", "woman", 2, EPS)
    expect_type(got, (list, tuple), "three_cos_mul(...)")
    expect_equal([str(w) for w in got], S["q2/answer"],
                 "three_cos_mul(man, king, woman, topn=2, eps=1e-6)",
                 hint="score = cos'(w, a*) cos'(w, b) / (cos'(w, a) + eps) with "
                      "cos' = (1 + cos) / 2, never one of the question words")


@check("q2-cosmul", "an unknown question word raises KeyError")
def _(k):
    expect_raises(k, "three_cos_mul", (np.eye(3), ["a", "b", "c"], "a", "b", "zzz", 1, EPS),
                  ["KeyError"], "three_cos_mul with the unknown word 'zzz'")


# -- q3-clustered-bootstrap --------------------------------------------------------------------
@check("q3-clustered-bootstrap", "the notebook's questions from 40 pairs (stored values)",
       weight=2)
def _(k):
    got = k.call("clustered_bootstrap", S["q3/solver_a"], S["q3/solver_b"], S["q3/clusters"],
                 1000, 0.95, 0)
    expect_type(got, (list, tuple), "clustered_bootstrap(...)")
    expect(len(got) == 3, f"clustered_bootstrap should return (difference, low, high), got "
                          f"{len(got)} values")
    expect_close(got[0], S["q3/report"][0], what="the difference",
                 hint="accuracy of A minus accuracy of B, on all questions")
    expect_close(list(got[1:]), S["q3/report"][1:], what="(low, high)",
                 hint="np.unique(clusters) in sorted order; index = rng.integers(G, "
                      "size=(n_boot, G)); a resample holds all the questions of each picked "
                      "cluster",
                 mistakes={"this interval resamples questions: resample the clusters":
                           S["q3/question-level"],
                           "low and high are swapped": S["q3/report"][:0:-1]})


@check("q3-clustered-bootstrap", "arrays of different lengths raise ValueError")
def _(k):
    expect_raises(k, "clustered_bootstrap", ([1, 0, 1], [1, 0, 1], [0, 1]), ["ValueError"],
                  "clustered_bootstrap with 3 answers and 2 cluster labels")


# -- q4-bootstrap-variances --------------------------------------------------------------------
@check("q4-bootstrap-variances", "the notebook's eight questions (stored values)")
def _(k):
    got = k.call("bootstrap_variances", SOLVER_A, SOLVER_B)
    expect_type(got, (list, tuple), "bootstrap_variances(example_a, example_b)")
    expect(len(got) == 2, f"bootstrap_variances should return (paired, unpaired), got "
                          f"{len(got)} values")
    for value, name in zip(got, ("paired", "unpaired")):
        value = as_sympy(value, f"the {name} variance")
        expect_exact_number(value, f"the {name} variance")
        hint = ""
        if value == S[f"q4/{name}-n-1"]:
            hint = (" Hint: a resample draws from the 8 answers themselves: their variance "
                    "divides by n, not n - 1")
        expect(value == S[f"q4/{name}"], f"the {name} variance = {value}, expected "
                                          f"{S[f'q4/{name}']}.{hint}")


@check("q4-bootstrap-variances", "identical solvers: the paired variance is 0")
def _(k):
    got = k.call("bootstrap_variances", SOLVER_A, SOLVER_A)
    expect_type(got, (list, tuple), "bootstrap_variances(a, a)")
    expect(as_sympy(got[0], "the paired variance") == 0,
           "two identical solvers differ on no resample: the paired variance is 0")


# -- q5-claims ---------------------------------------------------------------------------------
@check("q5-claims", "the notebook's four methods (stored claims)")
def _(k):
    got = k.call("claims", S["q5/correct_base"], S["q5/correct_methods"], 0.05)
    expect_type(got, (list, tuple), "claims(correct_base, correct_methods)")
    expect(len(got) == 4, f"claims should return one entry per method (4), got {len(got)}")
    got = [int(g) for g in got]
    expect(got[0] == 0, "method 0 answers exactly like the baseline: no claim is possible")
    expect_equal(got, S["q5/claims"], "claims(correct_base, correct_methods)",
                 hint="an exact McNemar test per method, and claims that keep the chance of "
                      "any false claim below alpha",
                 mistakes={"each test at level alpha: with four comparisons the chance of a "
                           "false claim somewhere is larger than alpha": S["q5/uncorrected"]})
