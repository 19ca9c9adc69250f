"""Public checks for the chapter 4 exercises (PMI, PPMI and SVD word embeddings).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
Question 2 asks for a function that takes and returns ``scipy.sparse`` matrices; the checks
reach it through two helpers that the exercise notebook defines in a provided cell
(``ppmi_dense_view`` and ``ppmi_stored_entries``), so that only plain arrays and lists travel.
"""
import numpy as np

from wvlib.course.checks import CheckFailed, check, expect, expect_close, expect_equal, \
    expect_raises, expect_shape, expect_type
from wvlib.pmi import pmi_dense

# A small count matrix (3 words x 4 contexts) with unseen pairs, an association below chance
# and no near-ties: no PMI value (alpha 1 or 0.75) is within 0.02 of 0, log 1.5 or log 2.
COUNTS = np.array([[4.0, 0.0, 6.0, 1.0],
                   [3.0, 1.0, 6.0, 0.0],
                   [0.0, 5.0, 4.0, 2.0]])


# -- shared diagnostics (also used by the hidden tests) ----------------------------------------
def _log_ratio(C, row_totals, col_weights, col_norm):
    """log(#(w,c) * col_norm / (row_total * col_weight)) on the observed pairs, -inf elsewhere."""
    out = np.full(C.shape, -np.inf)
    seen = C > 0
    ratio = C * col_norm / (row_totals[:, None] * col_weights[None, :] + (~seen))
    out[seen] = np.log(ratio[seen])
    return out


def diagnose_pmi(got, C):
    """A hint for a wrong PMI matrix (question 1), or "" if no known mistake matches."""
    C = np.asarray(C, dtype=float)
    exp = pmi_dense(C, positive=False)
    seen = C > 0
    finite = np.isfinite(got)
    if finite.shape == seen.shape and np.array_equal(finite, seen):
        if np.allclose(got[seen], exp[seen] / np.log(2)):
            return "use the natural logarithm (np.log), not log2"
        if np.allclose(got[seen], exp[seen] - np.log(C.sum())):
            return "you forgot the total D: PMI = log(#(w,c) * D / (#(w) * #(c)))"
        if np.allclose(got[seen], -exp[seen]):
            return "the ratio is upside down: P(w,c) goes in the numerator"
    return ""


def diagnose_ppmi(got, C, alpha, shift):
    """A hint for a wrong (shifted, smoothed) PPMI matrix (question 2), or ""."""
    C = np.asarray(C, dtype=float)
    seen = C > 0
    if np.any(got[~seen] != 0):
        return "unseen pairs (count 0) must stay zero — their PMI is log 0 = -inf"
    if np.any(got < 0):
        return "PPMI clips negative values to 0: keep max(PMI - log k, 0)"
    rows, cols = C.sum(axis=1), C.sum(axis=0)
    clip = lambda m: np.maximum(m, 0.0)  # noqa: E731
    candidates = [
        (clip(pmi_dense(C.T, alpha=alpha, positive=False).T - np.log(shift)),
         "did you smooth the row (word) distribution instead of the context (column) "
         "distribution? P_alpha(c) uses the column sums #(c)"),
        (clip(_log_ratio(C, rows, cols ** alpha, C.sum()) - np.log(shift)),
         "normalize the smoothed counts #(c)**alpha by their own sum, not by D"),
        (clip(pmi_dense(C, positive=False) - np.log(shift)),
         "alpha seems to be ignored: P_alpha(c) is proportional to #(c)**alpha"),
        (clip(pmi_dense(C, alpha=alpha, positive=False)),
         "the shift seems to be ignored: subtract log(shift) before clipping"),
        (clip(pmi_dense(C, alpha=alpha, positive=False) - shift),
         "subtract log(k), not k"),
        (clip(pmi_dense(C, alpha=alpha, positive=False) + np.log(shift)),
         "subtract log(k) — you added it"),
        (pmi_dense(C, alpha=alpha, shift=shift, positive=True).T,
         "your matrix is the transpose of the expected one: rows are words, columns contexts"),
    ]
    for wrong, hint in candidates:
        if wrong.shape == got.shape and np.allclose(got, wrong):
            return hint
    return ""


def expect_pmi(got, C, what):
    """Question 1: compare with the reference PMI, -inf pattern first, then values."""
    C = np.asarray(C, dtype=float)
    got = expect_shape(got, C.shape, what)
    exp = pmi_dense(C, positive=False)
    hint = diagnose_pmi(got, C)
    seen = C > 0
    wrong_inf = np.argwhere(np.isneginf(got) != ~seen)
    if len(wrong_inf):
        i, j = (int(x) for x in wrong_inf[0])
        raise CheckFailed(f"{what}: entry ({i}, {j}) has count {C[i, j]:g} and should be "
                          f"{'-inf' if C[i, j] == 0 else 'finite'}, got {got[i, j]:g}. "
                          f"Hint: unseen pairs (count 0) get log 0 = -inf, and only they do")
    expect_close(got, exp, what=what, hint=hint or "PMI = log(#(w,c) * D / (#(w) * #(c)))")


def expect_ppmi(got, C, alpha, shift, what):
    """Question 2: compare a dense view of the PPMI matrix with the reference."""
    C = np.asarray(C, dtype=float)
    got = expect_shape(got, C.shape, what)
    exp = pmi_dense(C, alpha=alpha, shift=shift, positive=True)
    hint = diagnose_ppmi(got, C, alpha, shift)
    expect_close(got, exp, what=what, hint=hint or "max(log(#(w,c) * sum_c' #(c')**alpha / "
                                                   "(#(w) * #(c)**alpha)) - log k, 0)")


def expect_stored_entries(got, C, alpha, shift, what):
    """Question 2: the answer is a sparse CSR matrix storing exactly the positive entries."""
    expect_type(got, (list, tuple), what)
    expect(len(got) == 5, f"{what} should be a list of 5 items (the helper ppmi_stored_entries "
                          f"was changed?)")
    is_sparse, fmt, rows, cols, values = got
    expect(is_sparse is True, f"ppmi_sparse should return a scipy.sparse matrix, got a {fmt}. "
                              f"Hint: build the result from the CSR arrays (data, indices, "
                              f"indptr), never with a dense array")
    expect_equal(fmt, "csr", "the format of the matrix returned by ppmi_sparse",
                 hint="return a CSR matrix (scipy.sparse.csr_matrix)")
    C = np.asarray(C, dtype=float)
    exp = pmi_dense(C, alpha=alpha, shift=shift, positive=True)
    rows, cols, values = (np.asarray(x) for x in (rows, cols, values))
    expect(np.all(values != 0), f"{what}: the matrix stores {int(np.sum(values == 0))} explicit "
                                f"zero(s). Hint: call .eliminate_zeros() after clipping")
    got_pos = set(zip(rows.tolist(), cols.tolist()))
    exp_pos = set(zip(*(x.tolist() for x in np.nonzero(exp))))
    missing, extra = sorted(exp_pos - got_pos), sorted(got_pos - exp_pos)
    expect(not missing and not extra,
           f"{what}: the stored entries should be exactly the {len(exp_pos)} positive ones; "
           + (f"missing e.g. {missing[0]}; " if missing else "")
           + (f"unexpected e.g. {extra[0]}" if extra else ""))
    order = np.lexsort((cols, rows))
    expect_close(values[order], exp[rows[order], cols[order]], what=f"{what}: the stored values")


# -- q1-pmi ------------------------------------------------------------------------------------
@check("q1-pmi", "a 3 x 4 count matrix with unseen pairs")
def _(k):
    expect_pmi(k.call("pmi_from_counts", COUNTS.copy()), COUNTS, "pmi_from_counts(COUNTS)")


@check("q1-pmi", "independent words and contexts have PMI 0")
def _(k):
    C = np.outer([1.0, 2.0, 3.0], [4.0, 1.0, 2.0])
    got = expect_shape(k.call("pmi_from_counts", C), C.shape, "pmi_from_counts(outer product)")
    expect_close(got, np.zeros(C.shape), what="PMI of counts proportional to an outer product",
                 atol=1e-9, hint="if #(w,c) = #(w) #(c) / D then P(w,c) = P(w) P(c): "
                                 "PMI = log 1 = 0")


@check("q1-pmi", "negative counts raise ValueError")
def _(k):
    expect_raises(k, "pmi_from_counts", (np.array([[1.0, -1.0], [2.0, 3.0]]),), ["ValueError"],
                  "pmi_from_counts with a negative count",
                  hint="counts cannot be negative; say so in the message")


# -- q2-ppmi-sparse -----------------------------------------------------------------------------
@check("q2-ppmi-sparse", "plain PPMI (alpha = 1, no shift)")
def _(k):
    expect_ppmi(k.call("ppmi_dense_view", COUNTS.copy()), COUNTS, 1.0, 1.0,
                "ppmi_sparse(COUNTS).toarray()")


@check("q2-ppmi-sparse", "context distribution smoothing (alpha = 0.75)")
def _(k):
    expect_ppmi(k.call("ppmi_dense_view", COUNTS.copy(), 0.75), COUNTS, 0.75, 1.0,
                "ppmi_sparse(COUNTS, alpha=0.75).toarray()")


@check("q2-ppmi-sparse", "shifted PPMI (alpha = 0.75, shift k = 1.5)")
def _(k):
    expect_ppmi(k.call("ppmi_dense_view", COUNTS.copy(), 0.75, 1.5), COUNTS, 0.75, 1.5,
                "ppmi_sparse(COUNTS, alpha=0.75, shift=1.5).toarray()")


@check("q2-ppmi-sparse", "returns a CSR matrix storing only the positive entries")
def _(k):
    rows, cols = np.nonzero(COUNTS)
    got = k.call("ppmi_stored_entries", rows, cols, COUNTS[rows, cols], list(COUNTS.shape),
                 0.75, 1.5)
    expect_stored_entries(got, COUNTS, 0.75, 1.5, "ppmi_sparse(COUNTS, alpha=0.75, shift=1.5)")


@check("q2-ppmi-sparse", "alpha outside (0, 1] or shift below 1 raise ValueError")
def _(k):
    for args, what in [((COUNTS.copy(), 0.0, 1.0), "alpha=0"),
                       ((COUNTS.copy(), 1.5, 1.0), "alpha=1.5"),
                       ((COUNTS.copy(), 1.0, 0.5), "shift=0.5")]:
        expect_raises(k, "ppmi_dense_view", args, ["ValueError"], f"ppmi_sparse(..., {what})")


# -- q3-smoothing-shift -----------------------------------------------------------------------
@check("q3-smoothing-shift", "smoothed_context_distribution on a small example")
def _(k):
    counts = np.array([1.0, 16.0, 81.0])
    got = expect_shape(k.call("smoothed_context_distribution", counts.copy(), 0.75), (3,),
                       "smoothed_context_distribution([1, 16, 81], 0.75)")
    expect_close(got.sum(), 1.0, what="the sum of the probabilities",
                 hint="divide #(c)**alpha by the sum over all contexts of #(c')**alpha")
    expect_close(got, np.array([1.0, 8.0, 27.0]) / 36,
                 what="smoothed_context_distribution([1, 16, 81], 0.75)",
                 hint="1**0.75 = 1, 16**0.75 = 8, 81**0.75 = 27")
    expect_close(k.call("smoothed_context_distribution", counts.copy(), 1.0), counts / 98,
                 what="smoothed_context_distribution([1, 16, 81], 1.0)",
                 hint="alpha = 1 is the plain relative frequency")


@check("q3-smoothing-shift", "smoothing raises the probability of rare contexts")
def _(k):
    counts = np.array([1.0, 10.0, 1000.0, 0.0])
    plain = counts / counts.sum()
    got = expect_shape(k.call("smoothed_context_distribution", counts.copy(), 0.5), (4,),
                       "smoothed_context_distribution([1, 10, 1000, 0], 0.5)")
    expect(got[0] > plain[0] and got[2] < plain[2],
           "with alpha < 1 the rarest context should get more probability than its relative "
           "frequency, and the most frequent one less")
    expect_close(got[3], 0.0, what="the probability of a context with count 0")


@check("q3-smoothing-shift", "pairs_removed_by_shift on the 3 x 4 example")
def _(k):
    for k_shift, alpha in [(2.0, 1.0), (2.0, 0.75), (1.0, 1.0)]:
        got = k.call("pairs_removed_by_shift", COUNTS.copy(), k_shift, alpha)
        expect_type(got, (int, np.integer), f"pairs_removed_by_shift(COUNTS, {k_shift}, "
                                            f"{alpha})")
        p = pmi_dense(COUNTS, alpha=alpha, positive=False)
        expected = int(np.sum((p > 0) & (p <= np.log(k_shift))))
        hint = ("count the pairs with 0 < PMI <= log k: PPMI keeps them, the shift drops them")
        if got == int(np.sum(p > np.log(k_shift))):
            hint = "you counted the pairs that survive the shift, not those it removes"
        elif got == int(np.sum(np.isfinite(p) & (p <= np.log(k_shift)))):
            hint = "pairs with PMI <= 0 are already 0 in PPMI: the shift does not remove them"
        expect_equal(int(got), expected, f"pairs_removed_by_shift(COUNTS, {k_shift}, {alpha})",
                     hint=hint)


@check("q3-smoothing-shift", "invalid alpha raises ValueError")
def _(k):
    expect_raises(k, "smoothed_context_distribution", (np.array([1.0, 2.0]), 0.0),
                  ["ValueError"], "smoothed_context_distribution(..., alpha=0)")


# -- q4-sgns-optimum ---------------------------------------------------------------------------
SGNS_SYMBOLS = ("n_wc", "n_w", "n_c", "D", "k")


def expect_sgns_optimum(got, what):
    """exp(x*) = n_wc D / (k n_w n_c), compared exactly (symbols matched by name)."""
    import sympy
    from wvlib.course.checks import as_sympy
    got = as_sympy(got, what)
    expect(isinstance(got, sympy.Expr), f"{what} should be a SymPy expression, got "
                                        f"{type(got).__name__}")
    names = {s.name for s in got.free_symbols}
    expect(names <= set(SGNS_SYMBOLS),
           f"{what} uses the symbol(s) {sorted(names - set(SGNS_SYMBOLS))}; only "
           f"{', '.join(SGNS_SYMBOLS)} may appear (did x stay in the answer?)")
    plain = {s: sympy.Symbol(s.name) for s in got.free_symbols}
    got = got.subs(plain)
    n_wc, n_w, n_c, D, k = (sympy.Symbol(name) for name in SGNS_SYMBOLS)
    expected = n_wc * D / (k * n_w * n_c)
    hint = "set f'(x) = 0, write y = exp(x) and solve for y"
    if sympy.cancel(got * expected - 1) == 0:
        hint = "your answer is upside down: exp(x*) grows with n_wc"
    elif sympy.cancel(got - expected * k) == 0:
        hint = "k is missing: the k negative samples push x* down by log k"
    elif sympy.cancel(got - sympy.log(expected)) == 0:
        hint = "that is x* itself; the question asks for exp(x*)"
    expect(sympy.cancel(got - expected) == 0,
           f"{what} = {sympy.sstr(got)} is not the optimum. Hint: {hint}")


@check("q4-sgns-optimum", "exp(x*) as an expression in n_wc, n_w, n_c, D, k")
def _(k):
    expect_sgns_optimum(k.call("sgns_optimum"), "sgns_optimum()")


# -- q5-rare-contexts --------------------------------------------------------------------------
@check("q5-rare-contexts", "the answer is one of clipping, smoothing, shifting")
def _(k):
    got = k.call("q5_answer")
    expect_type(got, str, "q5_answer()")
    expect(got.strip().lower() in ("clipping", "smoothing", "shifting"),
           f"q5_answer() should return 'clipping', 'smoothing' or 'shifting', got {got!r}")
