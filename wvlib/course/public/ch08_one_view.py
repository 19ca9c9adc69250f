"""Public checks for the chapter 8 exercises (one view: shifted PMI, NMF updates).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
The expected values come from wvlib.pmi (shifted PMI) and from the update rule written out
below (Lee & Seung 2001).
"""
import numpy as np

from wvlib.course.checks import CheckFailed, check, expect, expect_close, expect_raises, \
    expect_shape, expect_type
from wvlib.pmi import pmi_dense

# 3 words x 4 contexts, every row and column used; the pairs below are all observed.
COUNTS = np.array([[10.0, 2.0, 0.0, 4.0],
                   [3.0, 8.0, 1.0, 0.0],
                   [0.0, 1.0, 6.0, 2.0]])
ROWS = np.array([0, 1, 2, 0, 1, 2])
COLS = np.array([0, 1, 2, 3, 0, 3])
EPS = 1e-12


# -- shared references and diagnostics (also used by the hidden tests) --------------------------
def expected_shifted_pmi(C, rows, cols, k, alpha):
    """PMI_alpha(w, c) - log k of the given pairs, from wvlib.pmi."""
    return pmi_dense(C, alpha=alpha, shift=k, positive=False)[rows, cols]


def diagnose_shifted_pmi(got, C, rows, cols, k, alpha):
    """A hint for wrong shifted PMI values (question 1), or "" if no known mistake matches."""
    C = np.asarray(C, dtype=float)
    full = pmi_dense(C, alpha=alpha, positive=False)[rows, cols]
    candidates = [
        (full, "the shift is missing: subtract log k"),
        (full - k, "subtract log k, not k"),
        (full + np.log(k), "subtract log k — you added it"),
        (pmi_dense(C, positive=False)[rows, cols] - np.log(k),
         "alpha seems to be ignored: the context probability is #(c)**alpha / "
         "sum_c' #(c')**alpha"),
        (pmi_dense(C.T, alpha=alpha, positive=False).T[rows, cols] - np.log(k),
         "you smoothed the word (row) sums; alpha applies to the context (column) sums"),
    ]
    sub = C[rows, cols]
    if alpha == 1.0 and len(set(rows.tolist())) > 1:
        # marginals over the given pairs only
        local = np.zeros_like(C)
        local[rows, cols] = sub
        with np.errstate(divide="ignore"):
            candidates.append((pmi_dense(local, positive=False)[rows, cols] - np.log(k),
                               "the marginals #(w), #(c) and the total are sums over the "
                               "whole count matrix, not only over the given pairs"))
    for wrong, hint in candidates:
        if wrong.shape == got.shape and np.allclose(got, wrong):
            return hint
    return ""


def expect_shifted_pmi(got, C, rows, cols, k, alpha, what):
    got = expect_shape(got, (len(rows),), what)
    exp = expected_shifted_pmi(np.asarray(C, dtype=float), rows, cols, k, alpha)
    hint = diagnose_shifted_pmi(got, C, rows, cols, k, alpha)
    expect_close(got, exp, what=what, hint=hint or "log(#(w,c) * sum_c' #(c')**alpha / "
                                                   "(#(w) * #(c)**alpha)) - log k")


def expect_agreement(got, C, rows, cols, dots, k, alpha, what):
    expect_type(got, (tuple, list), what)
    expect(len(got) == 2, f"{what} should be a tuple (r, rmse) of two numbers, got "
                          f"{len(got)} item(s)")
    target = expected_shifted_pmi(np.asarray(C, dtype=float), rows, cols, k, alpha)
    r = float(np.corrcoef(dots, target)[0, 1])
    rmse = float(np.sqrt(np.mean((dots - target) ** 2)))
    got_r, got_rmse = (float(np.asarray(x)) for x in got)
    hint = ""
    if np.isclose(got_r, rmse) and np.isclose(got_rmse, r):
        hint = "the order is (r, rmse): correlation first"
    elif np.isclose(got_rmse, rmse ** 2):
        hint = "take the square root of the mean squared residual"
    elif np.isclose(got_rmse, np.sqrt(np.sum((dots - target) ** 2))):
        hint = "the *mean* of the squared residuals, then the square root"
    expect_close(got_r, r, what=f"{what}: r", hint=hint or "Pearson's r of dots and the "
                                                           "shifted PMI (np.corrcoef)")
    expect_close(got_rmse, rmse, what=f"{what}: rmse", hint=hint or "sqrt(mean((dots - "
                                                                    "shifted PMI)**2))")


def reference_mu_step(M, W, H):
    """One multiplicative update of Lee & Seung (2001): H first, then W with the new H."""
    H = H * (W.T @ M) / (W.T @ W @ H + EPS)
    W = W * (M @ H.T) / (W @ (H @ H.T) + EPS)
    return W, H


def frobenius_loss(M, W, H):
    return 0.5 * float(np.sum((M - W @ H) ** 2))


def expect_mu_step(got, M, W, H, what):
    """Question 3: a (W, H) pair equal to one update, and a loss that did not increase."""
    expect_type(got, (tuple, list), what)
    expect(len(got) == 2, f"{what} should return a tuple (W_new, H_new), got {len(got)} "
                          f"item(s)")
    W_new = expect_shape(got[0], W.shape, f"{what}: W_new")
    H_new = expect_shape(got[1], H.shape, f"{what}: H_new")
    expect(np.all(W_new >= 0) and np.all(H_new >= 0),
           f"{what}: the new factors have negative entries; multiplicative updates keep "
           f"them non-negative (every factor of the product is >= 0)")
    before, after = frobenius_loss(M, W, H), frobenius_loss(M, W_new, H_new)
    W_exp, H_exp = reference_mu_step(M, W, H)
    hint = ""
    W_old_h, H_only = W * (M @ H.T) / (W @ (H @ H.T) + EPS), H_exp
    if np.allclose(W_new, W_old_h) and np.allclose(H_new, H_only):
        hint = "update W with the NEW H (compute H first, then use it for W)"
    elif np.allclose(H_new, H) and np.allclose(W_new, W_old_h):
        hint = "H was not updated: update H, then W"
    elif np.allclose(W_new, W) and np.allclose(H_new, H_exp):
        hint = "W was not updated: after H, update W with M H^T / (W H H^T)"
    expect(after <= before * (1 + 1e-9) + 1e-12,
           f"{what}: the loss went up from {before:.6g} to {after:.6g}; one multiplicative "
           f"update never increases it" + (f". Hint: {hint}" if hint else ""))
    expect_close(H_new, H_exp, what=f"{what}: H_new",
                 hint=hint or "H * (W^T M) / (W^T W H + 1e-12)")
    expect_close(W_new, W_exp, what=f"{what}: W_new",
                 hint=hint or "W * (M H_new^T) / (W H_new H_new^T + 1e-12)")


# -- q1-shifted-pmi ------------------------------------------------------------------------------
@check("q1-shifted-pmi", "six pairs of a 3 x 4 count matrix, k = 5 (alpha = 1)")
def _(k):
    expect_shifted_pmi(k.call("shifted_pmi", COUNTS.copy(), ROWS, COLS, 5), COUNTS, ROWS,
                       COLS, 5.0, 1.0, "shifted_pmi(COUNTS, ROWS, COLS, k=5)")


@check("q1-shifted-pmi", "context distribution smoothing, alpha = 0.75, k = 1")
def _(k):
    expect_shifted_pmi(k.call("shifted_pmi", COUNTS.copy(), ROWS, COLS, 1, 0.75), COUNTS,
                       ROWS, COLS, 1.0, 0.75, "shifted_pmi(COUNTS, ROWS, COLS, k=1, "
                                              "alpha=0.75)")


@check("q1-shifted-pmi", "independent words and contexts: shifted PMI is -log k")
def _(k):
    C = np.outer([1.0, 2.0, 3.0], [4.0, 1.0, 2.0])
    rows, cols = np.array([0, 1, 2]), np.array([2, 0, 1])
    got = expect_shape(k.call("shifted_pmi", C, rows, cols, 15), (3,),
                       "shifted_pmi(outer product, k=15)")
    expect_close(got, np.full(3, -np.log(15.0)), what="shifted PMI of independent pairs",
                 hint="PMI of independent pairs is log 1 = 0, so the shifted PMI is -log k")


@check("q1-shifted-pmi", "an unseen pair or k < 1 raises ValueError")
def _(k):
    expect_raises(k, "shifted_pmi", (COUNTS.copy(), np.array([0]), np.array([2]), 5),
                  ["ValueError"], "shifted_pmi of the unseen pair (0, 2)",
                  hint="its count is 0, its PMI would be -inf")
    expect_raises(k, "shifted_pmi", (COUNTS.copy(), ROWS, COLS, 0.5), ["ValueError"],
                  "shifted_pmi(..., k=0.5)")


# -- q2-agreement ---------------------------------------------------------------------------------
@check("q2-agreement", "correlation and RMS residual of six dot products, k = 5")
def _(k):
    dots = np.array([0.3, 0.1, 1.2, -0.8, -1.1, -0.2])
    got = k.call("pmi_agreement", COUNTS.copy(), ROWS, COLS, dots, 5)
    expect_agreement(got, COUNTS, ROWS, COLS, dots, 5.0, 1.0,
                     "pmi_agreement(COUNTS, ROWS, COLS, dots, k=5)")


@check("q2-agreement", "dot products equal to the shifted PMI: r = 1, rmse = 0")
def _(k):
    exact = expected_shifted_pmi(COUNTS, ROWS, COLS, 5.0, 0.75)
    got = k.call("pmi_agreement", COUNTS.copy(), ROWS, COLS, exact, 5, 0.75)
    expect_type(got, (tuple, list), "pmi_agreement(...)")
    expect(len(got) == 2, "pmi_agreement should return a tuple (r, rmse)")
    expect_close(float(got[0]), 1.0, what="r for perfect dot products")
    expect_close(float(got[1]), 0.0, what="rmse for perfect dot products", atol=1e-9)


@check("q2-agreement", "a single pair raises ValueError")
def _(k):
    expect_raises(k, "pmi_agreement", (COUNTS.copy(), np.array([0]), np.array([0]),
                                       np.array([1.0]), 5), ["ValueError"],
                  "pmi_agreement with one pair", hint="a correlation needs at least 2 pairs")


# -- q3-nmf-step ----------------------------------------------------------------------------------
@check("q3-nmf-step", "one update on a random 6 x 5 matrix, rank 2")
def _(k):
    rng = np.random.default_rng(0)
    M, W, H = rng.random((6, 5)), rng.random((6, 2)), rng.random((2, 5))
    expect_mu_step(k.call("nmf_mu_step", M, W, H), M, W, H, "nmf_mu_step(M, W, H)")


@check("q3-nmf-step", "the inputs are not modified")
def _(k):
    rng = np.random.default_rng(1)
    M, W, H = rng.random((4, 4)), rng.random((4, 3)), rng.random((3, 4))
    got = k.call("nmf_mu_step_keeps_inputs", M, W, H)
    if got is not True:
        raise CheckFailed("nmf_mu_step changed the W or H it was given; compute new arrays "
                          "(H * ... creates one; H *= ... changes the caller's H)")


@check("q3-nmf-step", "a negative entry or shapes that do not fit raise ValueError")
def _(k):
    M = np.ones((3, 4))
    expect_raises(k, "nmf_mu_step", (-M, np.ones((3, 2)), np.ones((2, 4))), ["ValueError"],
                  "nmf_mu_step with a negative M")
    expect_raises(k, "nmf_mu_step", (M, np.ones((3, 2)), np.ones((3, 4))), ["ValueError"],
                  "nmf_mu_step with H of the wrong shape")
