"""Public checks for the chapter 8 exercises (one view: the SGNS optimum, weighted agreement,
KL-NMF, weighted low rank, choosing a matrix on dev and reporting on test).

The learner sees these; the grader runs them too, in its own process (see
wvlib.course.checks). They hold no solution: they check properties of an answer (the sign of
a shift, factors that stay non-negative, a divergence or loss that does not rise, error cases)
and compare with values stored when the exercises were written, for the notebook's examples
only. The instructor's hidden tests decide each question on inputs drawn at grading time.
"""
import numpy as np

from wvlib.course.checks import check, expect, expect_close, expect_raises, expect_shape, \
    expect_type

EXAMPLE = np.array([[10.0, 2.0, 0.0, 4.0],
                    [3.0, 8.0, 1.0, 0.0],
                    [0.0, 1.0, 6.0, 2.0]])

# ---- stored values for the notebook's examples (computed when the exercises were written) ----
Q1_EXPECTED = [-0.95750765372728, -0.7676785690923347, -0.42868972628504176,
               -1.2939059694263244]
Q2_EXPECTED = [0.7957890193097281, 0.7635784767980321, 0.7962108055237512]
Q2_OPTIMUM = [-0.95750765372728, -0.7676785690923347, -0.42868972628504176, -1.2939059694263244, -1.8737983856014353]   # k = 5, cells below
Q3_W = [[0.8512133223059596, 0.29167990264337584], [0.529252523276515, 0.7905914056054271],
        [0.5826244194055976, 0.44988161436888835], [0.6903275753107362, 0.7790203143044298],
        [0.7424753391687805, 0.6772640620031999], [0.5095744014797745, 0.4495985138034212]]
Q3_C = [[3.104363803000046, 1.5988738533543212], [1.6219277619499224, 2.2415262806019367],
        [6.0281814714514335, 1.895170263250775], [1.73567426762589, 3.9341948044270136],
        [1.1339593462999003, 7.139685399146379]]
Q3_FROBENIUS_C = [[2.8077310407271905, 1.4132957151591292],
                  [1.4724949579040953, 1.9131005032699497],
                  [5.017513987901144, 1.4042849837370694],
                  [1.7034888783699238, 3.6997180779082273],
                  [1.0762411189528172, 6.713261826241324]]
Q4_EXPECTED = [[0.2909428699817637, 1.706820689761418], [-0.1942115848325127, 0.5423415656820848],
               [0.14344589365803254, -0.05185288445375992],
               [0.1566728434671756, -0.032861274973909935],
               [0.6336577628631936, -0.3815922166895318]]
Q4_UNWEIGHTED = [[0.2801746678071523, 1.7871276110640255],
                 [-0.1103049707176113, 0.8826573222309647],
                 [-0.20835247281183478, -0.7548998277750593],
                 [-0.092963073568931, -0.29319345665396734],
                 [0.411296839115394, -0.8185807649814394]]
Q5_DEV_RHO = [0.277998, 0.360784, 0.273144, 0.316502, 0.258157, 0.430282, 0.428101, 0.554485,
              0.542246, 0.46511, 0.424953, 0.425226, 0.457559, 0.382185, 0.414584, 0.410432,
              0.499483, 0.503115, 0.38174, 0.385788, 0.411339, 0.40285, 0.271794, 0.462721,
              0.3956, 0.405408, 0.3532, 0.386588, 0.373912, 0.527465, 0.37541, 0.319628,
              0.379214, 0.485237, 0.377515, 0.416169]
Q5_TEST_BEST = 35                   # the best configuration on the test pairs
Q5_REPORT = (7, 0.4045812807881774, -0.11126499640597458, 0.15028277155405984)


def smoothed_noise():
    column = EXAMPLE.sum(axis=0)
    return column ** 0.75 / np.sum(column ** 0.75)


# -- q1-sgns-optimum ---------------------------------------------------------------------------
@check("q1-sgns-optimum", "four cells of the notebook's 3 x 4 matrix, k = 5, smoothed noise "
                          "(stored values)")
def _(k):
    rows, cols = np.array([0, 1, 2, 0]), np.array([0, 1, 2, 3])
    got = expect_shape(k.call("sgns_optimum", EXAMPLE.copy(), rows, cols, 5, smoothed_noise()),
                       (4,), "sgns_optimum(example, ..., k=5, smoothed)")
    hint = "A = #(w, c) positive pairs against B = k #(w) P_n(c) expected negatives"
    if np.allclose(got, np.array(Q1_EXPECTED) + np.log(5)):
        hint = "the k negatives of each pair shift the optimum by -log k"
    expect_close(got, Q1_EXPECTED, what="sgns_optimum(example, ..., k=5, smoothed)", hint=hint)


@check("q1-sgns-optimum", "more negatives push every optimum down by the same amount")
def _(k):
    rows, cols = np.array([0, 1, 2]), np.array([3, 0, 1])
    one = expect_shape(k.call("sgns_optimum", EXAMPLE.copy(), rows, cols, 1, smoothed_noise()),
                       (3,), "sgns_optimum(..., k=1)")
    ten = expect_shape(k.call("sgns_optimum", EXAMPLE.copy(), rows, cols, 10,
                              smoothed_noise()), (3,), "sgns_optimum(..., k=10)")
    expect_close(one - ten, np.full(3, np.log(10.0)), what="optimum(k=1) - optimum(k=10)",
                 hint="ten times more negatives: the optimum moves by log 10")


@check("q1-sgns-optimum", "an unseen cell raises ValueError")
def _(k):
    expect_raises(k, "sgns_optimum", (EXAMPLE.copy(), np.array([0]), np.array([2]), 5,
                                      smoothed_noise()), ["ValueError"],
                  "sgns_optimum of the unseen cell (0, 2)")


# -- q2-weighted-agreements --------------------------------------------------------------------
@check("q2-weighted-agreements", "the notebook's six cells (stored values)")
def _(k):
    rows, cols = np.array([0, 1, 2, 0, 1, 2]), np.array([0, 1, 2, 3, 0, 3])
    dots = np.array([0.9, 0.4, 0.6, -0.9, -1.6, -2.5])
    got = k.call("weighted_agreements", EXAMPLE.copy(), rows, cols, dots, 1, smoothed_noise())
    expect_type(got, (tuple, list), "weighted_agreements(...)")
    expect(len(got) == 3, f"weighted_agreements should return three correlations, got "
                          f"{len(got)}")
    for i, name in enumerate(("plain", "count-weighted", "curvature-weighted")):
        expect_close(float(np.asarray(got[i], dtype=float)), Q2_EXPECTED[i],
                     what=f"the {name} r", rtol=1e-7)


@check("q2-weighted-agreements", "dot products equal to the optimum agree perfectly, whatever "
                                 "the weights")
def _(k):
    rows, cols = np.array([0, 1, 2, 0, 1]), np.array([0, 1, 2, 3, 0])
    exact = np.array(Q2_OPTIMUM)
    got = k.call("weighted_agreements", EXAMPLE.copy(), rows, cols, exact, 5, smoothed_noise())
    expect_type(got, (tuple, list), "weighted_agreements(...)")
    expect_close([float(np.asarray(g, dtype=float)) for g in got], [1.0, 1.0, 1.0],
                 what="the three r of dot products equal to the optimum")


# -- q3-kl-nmf-step ----------------------------------------------------------------------------
def notebook_kl():
    rng = np.random.default_rng(0)
    M = rng.poisson(3.0, size=(6, 5)) + 0.5
    return M, rng.random((6, 2)) + 0.1, rng.random((5, 2)) + 0.1


def kl_divergence(M, W, C):
    Y = W @ C.T
    return float(np.sum(M * np.log(M / Y) - M + Y))


@check("q3-kl-nmf-step", "one update on the notebook's matrix (stored values)")
def _(k):
    M, W, C = notebook_kl()
    got = k.call("kl_nmf_step", M, W, C)
    expect_type(got, (tuple, list), "kl_nmf_step(...)")
    expect(len(got) == 2, f"kl_nmf_step should return (W_new, C_new), got {len(got)} values")
    W_new = expect_shape(got[0], (6, 2), "W_new")
    C_new = expect_shape(got[1], (5, 2), "C_new")
    expect(np.all(W_new >= 0) and np.all(C_new >= 0),
           "the new factors have negative entries; a multiplicative update keeps them >= 0")
    expect(kl_divergence(M, W_new, C_new) <= kl_divergence(M, W, C),
           f"the divergence went up from {kl_divergence(M, W, C):.6g} to "
           f"{kl_divergence(M, W_new, C_new):.6g}")
    hint = ("the ratio of the negative to the positive part of dD/dC, entry by entry")
    if np.allclose(C_new, Q3_FROBENIUS_C):
        hint = "these are the updates of the squared error: derive those of the divergence"
    expect_close(C_new, Q3_C, what="C_new", hint=hint)
    expect_close(W_new, Q3_W, what="W_new", hint="update W with the new C")


@check("q3-kl-nmf-step", "the inputs are left unchanged; a negative entry raises ValueError")
def _(k):
    M, W, C = notebook_kl()
    expect_raises(k, "kl_nmf_step", (-M, W, C), ["ValueError"], "kl_nmf_step with a negative M")


# -- q4-weighted-rows --------------------------------------------------------------------------
def notebook_rows():
    rng = np.random.default_rng(0)
    rng.poisson(3.0, size=(6, 5))
    rng.random((6, 2))
    rng.random((5, 2))
    M = rng.normal(size=(5, 4))
    omega = rng.random((5, 4)) * (rng.random((5, 4)) < 0.7)
    return M, omega, rng.normal(size=(4, 2))


@check("q4-weighted-rows", "the notebook's problem (stored values)")
def _(k):
    M, omega, C = notebook_rows()
    got = expect_shape(k.call("weighted_rows_step", M, omega, C, 0.1), (5, 2),
                       "weighted_rows_step(M_target, omega, C_fixed, 0.1)")
    hint = "set the gradient of J with respect to each row w to zero"
    if np.allclose(got, Q4_UNWEIGHTED):
        hint = "every cell counts with its own weight Omega_wc"
    expect_close(got, Q4_EXPECTED, what="weighted_rows_step(M_target, omega, C_fixed, 0.1)",
                 hint=hint)


@check("q4-weighted-rows", "a row with no weight at all is pulled to zero by the penalty")
def _(k):
    M, omega, C = notebook_rows()
    omega = omega.copy()
    omega[2] = 0.0
    got = expect_shape(k.call("weighted_rows_step", M, omega, C, 0.1), (5, 2),
                       "weighted_rows_step with row 2 unweighted")
    expect_close(got[2], np.zeros(2), what="row 2 of weighted_rows_step with row 2 unweighted",
                 atol=1e-12, hint="with no weighted cell, only the penalty lam ||w||^2 is left")


# -- q5-choose-and-report ----------------------------------------------------------------------
def notebook_report():
    configs = [(matrix, alpha, p, vectors) for matrix in ("PMI", "PPMI", "SPPMI k=5")
               for alpha in (1.0, 0.75) for p in (0.0, 0.5, 1.0) for vectors in ("W", "W+C")]
    simulation = np.random.default_rng(8)
    quality = np.clip(0.40 + 0.05 * simulation.normal(size=len(configs)), 0.05, 0.9)
    gold = simulation.uniform(0, 10, size=350)
    standard = (gold - gold.mean()) / gold.std()
    shared_noise = simulation.normal(size=350)
    scores = np.array([q * standard + np.sqrt(1 - q ** 2)
                       * (0.6 * shared_noise + 0.8 * simulation.normal(size=350))
                       for q in quality])
    return (configs, configs.index(("PPMI", 0.75, 0.5, "W")), gold[:175], scores[:, :175],
            gold[175:], scores[:, 175:])


@check("q5-choose-and-report", "the notebook's experiment: a choice the dev pairs support, "
                               "and the report of the stored values")
def _(k):
    got = k.call("choose_and_report", *notebook_report())
    expect(isinstance(got, (tuple, list)) and len(got) == 4,
           f"choose_and_report should return (chosen, rho, low, high), got {str(got)[:80]}")
    chosen = got[0]
    expect(isinstance(chosen, (int, np.integer)) and 0 <= int(chosen) < 36,
           f"chosen should be a configuration index from 0 to 35, got {str(chosen)[:40]}")
    chosen = int(chosen)
    expect(chosen != Q5_TEST_BEST, "you chose the configuration that is best on the test "
                                   "pairs: then its test rho is no longer an honest estimate")
    expect(Q5_DEV_RHO[chosen] >= max(Q5_DEV_RHO) - 0.01,
           f"your configuration has dev rho {Q5_DEV_RHO[chosen]:.3f}, the best one "
           f"{max(Q5_DEV_RHO):.3f}")
    if chosen == Q5_REPORT[0]:
        expect_close([float(np.asarray(g, dtype=float)) for g in got[1:]], Q5_REPORT[1:],
                     what="(rho, low, high)", rtol=1e-9,
                     hint="the test rho of the chosen configuration, and the percentile "
                          "interval of the resampled differences, with the recipe of the "
                          "question")
