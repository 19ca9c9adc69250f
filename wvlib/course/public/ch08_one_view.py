"""Public checks for the chapter 8 exercises (one view: the SGNS optimum, weighted agreement,
KL-NMF, weighted low rank, choosing a matrix on dev and reporting it on test).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
They hold inputs, properties (a shift by log 10, factors that stay non-negative, inputs left
unchanged, error cases) and comparisons with values stored when the exercises were made
(``S``, see wvlib.course.stored; the notebook's examples are stored there too) — no code that
computes an answer. The points of a question are decided by its hidden tests, on inputs drawn
at grading time.
"""
import numpy as np

from wvlib.course.checks import call_unmodified, check, expect, expect_close, expect_raises, \
    expect_shape, expect_type
from wvlib.course.stored import stored

S = stored("ch08_one_view")

# -- inputs (the stored values are computed on these and on the notebook's examples) -----------
EXAMPLE = np.array([[10.0, 2.0, 0.0, 4.0],
                    [3.0, 8.0, 1.0, 0.0],
                    [0.0, 1.0, 6.0, 2.0]])
ROWS1, COLS1 = np.array([0, 1, 2, 0]), np.array([0, 1, 2, 3])
ROWS2, COLS2 = np.array([0, 1, 2, 0, 1, 2]), np.array([0, 1, 2, 3, 0, 3])
DOTS2 = np.array([0.9, 0.4, 0.6, -0.9, -1.6, -2.5])


# -- q1-sgns-optimum ---------------------------------------------------------------------------
@check("q1-sgns-optimum", "four cells of the notebook's 3 x 4 matrix, k = 5, smoothed noise "
                          "(stored values)")
def _(k):
    got = k.call("sgns_optimum", EXAMPLE, ROWS1, COLS1, 5, S["q1/smoothed"])
    expect_close(expect_shape(got, (4,), "sgns_optimum(example, ..., k=5, smoothed)"),
                 S["q1/optimum"], what="sgns_optimum(example, ..., k=5, smoothed)",
                 hint="A = #(w, c) positive pairs against B = k #(w) P_n(c) expected negatives",
                 mistakes={"the k negatives of each pair shift the optimum by -log k":
                           S["q1/optimum-no-shift"],
                           "the negatives come from the given noise distribution, not from the "
                           "unigram distribution of the contexts": S["q1/optimum-unigram"],
                           "#(w) is the sum of row w (the word), not of column c":
                           S["q1/optimum-column-sums"]})


@check("q1-sgns-optimum", "ten times more negatives move every optimum down by log 10")
def _(k):
    one = k.call("sgns_optimum", EXAMPLE, ROWS1, COLS1, 1, S["q1/smoothed"])
    ten = k.call("sgns_optimum", EXAMPLE, ROWS1, COLS1, 10, S["q1/smoothed"])
    expect_close(expect_shape(one, (4,), "sgns_optimum(..., k=1)")
                 - expect_shape(ten, (4,), "sgns_optimum(..., k=10)"), S["q1/log10"],
                 what="optimum(k=1) - optimum(k=10)",
                 hint="ten times more expected negatives: the optimum moves by log 10")


@check("q1-sgns-optimum", "an unseen cell raises ValueError")
def _(k):
    expect_raises(k, "sgns_optimum", (EXAMPLE, np.array([0]), np.array([2]), 5,
                                      S["q1/smoothed"]), ["ValueError"],
                  "sgns_optimum of the unseen cell (0, 2)")


# -- q2-weighted-agreements --------------------------------------------------------------------
@check("q2-weighted-agreements", "the notebook's six cells (stored values)")
def _(k):
    got = k.call("weighted_agreements", EXAMPLE, ROWS2, COLS2, DOTS2, 1, S["q1/smoothed"])
    expect_type(got, (tuple, list), "weighted_agreements(...)")
    expect(len(got) == 3, f"weighted_agreements should return three correlations, got "
                          f"{len(got)}")
    names = ("plain", "count-weighted", "curvature-weighted")
    for value, expected, name in zip(got, S["q2/agreements"], names):
        expect_close(value, expected, what=f"the {name} r", rtol=1e-7,
                     mistakes={"J''(x*) is A B / (A + B), not A + B":
                               S["q2/curvature-as-sum"]} if name == names[2] else None)


@check("q2-weighted-agreements", "dot products equal to the optimum agree perfectly, whatever "
                                 "the weights")
def _(k):
    got = k.call("weighted_agreements", EXAMPLE, ROWS2[:5], COLS2[:5], S["q2/exact-dots"], 5,
                 S["q1/smoothed"])
    expect_type(got, (tuple, list), "weighted_agreements(...)")
    expect_close(list(got), [1.0, 1.0, 1.0],
                 what="the three r of dot products equal to the optimum (k = 5)")


# -- q3-kl-nmf-step ----------------------------------------------------------------------------
@check("q3-kl-nmf-step", "one update on the notebook's matrix (stored values); the inputs are "
                         "left unchanged")
def _(k):
    M, W, C = S["q3/M"], S["q3/W"], S["q3/C"]
    got = call_unmodified(k, "kl_nmf_step", M, W, C)
    expect_type(got, (tuple, list), "kl_nmf_step(...)")
    expect(len(got) == 2, f"kl_nmf_step should return (W_new, C_new), got {len(got)} values")
    W_new = expect_shape(got[0], (6, 2), "W_new")
    C_new = expect_shape(got[1], (5, 2), "C_new")
    expect(W_new.min() >= 0 and C_new.min() >= 0,
           "the new factors have negative entries; a multiplicative update keeps them >= 0")
    expect_close(C_new, S["q3/C_new"], what="C_new",
                 hint="the ratio of the negative to the positive part of dD/dC, entry by entry",
                 mistakes={"these are the updates of the squared error: derive those of the "
                           "divergence": S["q3/C_new-squared-error"]})
    expect_close(W_new, S["q3/W_new"], what="W_new", hint="update W with the new C",
                 mistakes={"update W with the NEW C": S["q3/W_new-old-C"]})


@check("q3-kl-nmf-step", "a negative entry raises ValueError")
def _(k):
    expect_raises(k, "kl_nmf_step", (-S["q3/M"], S["q3/W"], S["q3/C"]), ["ValueError"],
                  "kl_nmf_step with a negative M")


# -- q4-weighted-rows --------------------------------------------------------------------------
@check("q4-weighted-rows", "the notebook's problem (stored values)")
def _(k):
    got = k.call("weighted_rows_step", S["q4/M"], S["q4/weights"], S["q4/C"], 0.1)
    expect_close(expect_shape(got, (5, 2), "weighted_rows_step(M_target, omega, C_fixed, 0.1)"),
                 S["q4/W"], what="weighted_rows_step(M_target, omega, C_fixed, 0.1)",
                 hint="set the gradient of J with respect to each row w to zero",
                 mistakes={"every cell counts with its own weight omega_wc":
                           S["q4/W-unweighted"],
                           "the derivative of lam ||w||^2 is 2 lam w, that of the squares "
                           "-2 C^T ...: the 2s cancel": S["q4/W-double-penalty"]})


@check("q4-weighted-rows", "a row with no weight at all is pulled to zero by the penalty")
def _(k):
    weights = S["q4/weights"] * np.array([[1.0], [1.0], [0.0], [1.0], [1.0]])
    got = k.call("weighted_rows_step", S["q4/M"], weights, S["q4/C"], 0.1)
    expect_close(expect_shape(got, (5, 2), "weighted_rows_step with row 2 unweighted")[2],
                 [0.0, 0.0], atol=1e-12, what="row 2 of weighted_rows_step with row 2 unweighted",
                 hint="with no weighted cell, only the penalty lam ||w||^2 is left")


# -- q5-choose-and-report ----------------------------------------------------------------------
@check("q5-choose-and-report", "the notebook's experiment: a choice the dev pairs support, and "
                               "the report of the stored values")
def _(k):
    got = k.call("choose_and_report", S["q5/configs"], S["q5/baseline"], S["q5/dev_gold"],
                 S["q5/dev_scores"], S["q5/test_gold"], S["q5/test_scores"])
    expect(isinstance(got, (tuple, list)) and len(got) == 4,
           f"choose_and_report should return (chosen, rho, low, high), got {str(got)[:80]}")
    expect(isinstance(got[0], (int, np.integer)) and 0 <= int(got[0]) < 36,
           f"chosen should be a configuration index from 0 to 35, got {str(got[0])[:40]}")
    chosen, dev_rho = int(got[0]), S["q5/dev-rho"]
    expect(chosen != S["q5/test-best"], "you chose the configuration that is best on the test "
                                        "pairs: then its test rho is no longer an honest "
                                        "estimate")
    expect(dev_rho[chosen] >= max(dev_rho) - 0.01,
           f"your configuration has dev rho {dev_rho[chosen]:.3f}, the best one "
           f"{max(dev_rho):.3f}")
    if chosen == S["q5/report"][0]:
        expect_close(list(got[1:]), S["q5/report"][1:], what="(rho, low, high)", rtol=1e-9,
                     hint="the test rho of the chosen configuration, and the percentile "
                          "interval of the resampled differences, with the recipe of the "
                          "question",
                     mistakes={"that is the chosen configuration's dev rho, biased upwards by "
                               "the choice: report its rho on the held-out pairs":
                               S["q5/report-with-dev-rho"]})
