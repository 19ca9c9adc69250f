"""Hidden tests for the chapter 4 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs go into the student's kernel, values come back as
plain data, and the expected values are computed here with wvlib.pmi. Random count matrices are
drawn with fixed seeds and redrawn while any PMI value lies within 1e-6 of a threshold of the
question (0 or log k), so that round-off cannot decide an answer.
"""
import numpy as np
import scipy.sparse as sp

from wvlib.course.checks import check, expect, expect_close, expect_equal, expect_raises, \
    expect_type
from wvlib.course.public.ch04_ppmi import expect_pmi, expect_ppmi, expect_stored_entries
from wvlib.pmi import pmi_dense, pmi_matrix

RNG_SEED = 20261124
TIE = 1e-6


def random_counts(rng, shape, density, thresholds=(0.0,), alpha=1.0, zero_row=False):
    """A random integer count matrix without near-ties at the given PMI thresholds."""
    for _ in range(100):
        C = np.where(rng.random(shape) < density, rng.integers(1, 30, size=shape), 0)
        C = C.astype(float)
        if zero_row:
            C[rng.integers(shape[0])] = 0
        if C.sum() == 0:
            continue
        p = pmi_dense(C, alpha=alpha, positive=False)
        values = p[np.isfinite(p)]
        if all(np.min(np.abs(values - t)) > TIE for t in thresholds):
            return C
    raise RuntimeError("could not draw a count matrix without ties")


# -- q1-pmi ------------------------------------------------------------------------------------
@check("q1-pmi", "random rectangular count matrices", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED)
    for trial, shape in enumerate([(5, 8), (12, 7), (30, 30)]):
        C = random_counts(rng, shape, 0.4)
        expect_pmi(k.call("pmi_from_counts", C.copy()), C,
                   f"pmi_from_counts on a random {shape[0]} x {shape[1]} matrix (trial {trial})")


@check("q1-pmi", "an all-zero row and integer input")
def _(k):
    C = np.array([[2, 0, 1], [0, 0, 0], [1, 3, 0]])
    expect_pmi(k.call("pmi_from_counts", C.copy()), C, "pmi_from_counts with an all-zero row")


@check("q1-pmi", "all-zero counts raise ValueError")
def _(k):
    expect_raises(k, "pmi_from_counts", (np.zeros((3, 3)),), ["ValueError"],
                  "pmi_from_counts(zeros)")


# -- q2-ppmi-sparse -----------------------------------------------------------------------------
@check("q2-ppmi-sparse", "random sparse matrices, all alphas and shifts", weight=3)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 1)
    for trial, (shape, alpha, shift) in enumerate([((20, 30), 1.0, 1.0),
                                                   ((40, 25), 0.75, 1.0),
                                                   ((30, 30), 0.75, np.e),
                                                   ((25, 50), 0.5, np.sqrt(7.0)),
                                                   ((50, 40), 0.3, np.pi)]):
        C = random_counts(rng, shape, 0.2, thresholds=(0.0, np.log(shift)), alpha=alpha,
                          zero_row=trial == 2)
        got = k.call("ppmi_dense_view", C.copy(), alpha, shift)
        expect_ppmi(got, C, alpha, shift, f"ppmi_sparse on a random {shape[0]} x {shape[1]} "
                                          f"matrix, alpha={alpha:g}, shift={shift:.3g}")


@check("q2-ppmi-sparse", "stored entries of random matrices (no stored zeros)", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 2)
    for trial, (alpha, shift) in enumerate([(1.0, 1.0), (0.75, np.e)]):
        C = random_counts(rng, (35, 45), 0.15, thresholds=(0.0, np.log(shift)), alpha=alpha)
        rows, cols = np.nonzero(C)
        got = k.call("ppmi_stored_entries", rows, cols, C[rows, cols], list(C.shape), alpha,
                     shift)
        expect_stored_entries(got, C, alpha, shift,
                              f"ppmi_sparse on a random matrix (trial {trial})")


@check("q2-ppmi-sparse", "an explicitly stored zero in the input is an unseen pair")
def _(k):
    rows, cols = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 0, 2, 1])
    values = np.array([3.0, 0.0, 1.0, 2.0, 4.0])          # (0, 1) is stored, but zero
    C = sp.csr_matrix((values, (rows, cols)), shape=(3, 3)).toarray()
    got = k.call("ppmi_stored_entries", rows, cols, values, [3, 3], 1.0, 1.0)
    expect_stored_entries(got, C, 1.0, 1.0, "ppmi_sparse with an explicitly stored zero")


@check("q2-ppmi-sparse", "a 50,000 x 50,000 matrix with 300 entries is never densified",
       weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 3)
    n, nnz = 50_000, 300
    flat = rng.choice(n * n, size=nnz, replace=False)
    rows, cols = flat // n, flat % n
    values = rng.integers(1, 20, size=nnz).astype(float)
    got = k.call("ppmi_stored_entries", rows, cols, values, [n, n], 0.75, 2.0)
    expect_type(got, (list, tuple), "ppmi_stored_entries(...)")
    expect(len(got) == 5 and got[0] is True, "ppmi_sparse should return a scipy.sparse matrix")
    counts = sp.csr_matrix((values, (rows, cols)), shape=(n, n))
    expected = pmi_matrix(counts, alpha=0.75, shift=2.0).tocoo()
    got_rows, got_cols, got_values = (np.asarray(x) for x in got[2:])
    expect_equal(len(got_values), expected.nnz, "the number of stored entries",
                 hint="store only the positive values")
    order = np.lexsort((got_cols, got_rows))
    ref = np.lexsort((expected.col, expected.row))
    expect_equal(np.asarray(got_rows)[order], expected.row[ref].astype(np.int64),
                 "the rows of the stored entries")
    expect_equal(np.asarray(got_cols)[order], expected.col[ref].astype(np.int64),
                 "the columns of the stored entries")
    expect_close(got_values[order], expected.data[ref], what="the stored values")


@check("q2-ppmi-sparse", "a non-integer shift below 1 and alpha = 1.0001 raise ValueError")
def _(k):
    C = np.array([[1.0, 2.0], [3.0, 0.0]])
    for args, what in [((C.copy(), 1.0, 0.999), "shift=0.999"),
                       ((C.copy(), 1.0001, 1.0), "alpha=1.0001"),
                       ((C.copy(), -0.5, 2.0), "alpha=-0.5")]:
        expect_raises(k, "ppmi_dense_view", args, ["ValueError"], f"ppmi_sparse(..., {what})")


# -- q3-smoothing-shift -----------------------------------------------------------------------
@check("q3-smoothing-shift", "smoothed distribution of random context counts", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 4)
    for alpha in (1.0, 0.75, 0.5, 0.1):
        counts = rng.integers(0, 1000, size=40).astype(float)
        counts[3] = 0
        expected = counts ** alpha / np.sum(counts ** alpha)
        expect_close(k.call("smoothed_context_distribution", counts.copy(), alpha), expected,
                     what=f"smoothed_context_distribution(random counts, {alpha})")


@check("q3-smoothing-shift", "pairs_removed_by_shift on random matrices", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 5)
    for trial, (alpha, shift) in enumerate([(1.0, np.e), (0.75, np.sqrt(5.0)),
                                            (0.75, 7.5 + np.pi / 100)]):
        C = random_counts(rng, (30, 40), 0.25, thresholds=(0.0, np.log(shift)), alpha=alpha)
        ppmi = pmi_matrix(C, alpha=alpha).nnz
        sppmi = pmi_matrix(C, alpha=alpha, shift=shift).nnz
        got = k.call("pairs_removed_by_shift", C.copy(), shift, alpha)
        expect_type(got, (int, np.integer), "pairs_removed_by_shift(...)")
        expect_equal(int(got), ppmi - sppmi,
                     f"pairs_removed_by_shift on a random matrix (trial {trial}, k={shift:.3g}, "
                     f"alpha={alpha})", hint="count the pairs with 0 < PMI_alpha <= log k")


@check("q3-smoothing-shift", "alpha above 1 raises ValueError")
def _(k):
    expect_raises(k, "smoothed_context_distribution", (np.array([1.0, 2.0]), 1.5),
                  ["ValueError"], "smoothed_context_distribution(..., alpha=1.5)")


# -- q4-sgns-optimum ---------------------------------------------------------------------------
@check("q4-sgns-optimum", "log of the answer is PMI - log k on a count table", weight=2)
def _(k):
    import sympy
    from wvlib.course.checks import as_sympy
    from wvlib.course.public.ch04_ppmi import SGNS_SYMBOLS, expect_sgns_optimum
    got = k.call("sgns_optimum")
    expect_sgns_optimum(got, "sgns_optimum()")
    expr = as_sympy(got, "sgns_optimum()")
    C = np.array([[4.0, 0.0, 6.0, 1.0], [3.0, 1.0, 6.0, 0.0], [0.0, 5.0, 4.0, 2.0]])
    pmi = pmi_dense(C, positive=False)
    for (i, j), shift in [((0, 0), 5), ((2, 1), 15), ((1, 2), 1)]:
        values = dict(zip(SGNS_SYMBOLS, [C[i, j], C[i].sum(), C[:, j].sum(), C.sum(), shift]))
        number = float(expr.subs({s: values[s.name] for s in expr.free_symbols}))
        expect_close(np.log(number), pmi[i, j] - np.log(shift),
                     what=f"log of sgns_optimum() for the pair ({i}, {j}), k = {shift}")


# -- q5-rare-contexts --------------------------------------------------------------------------
@check("q5-rare-contexts", "the modification that reduces the rare-context share", weight=3,
       core=True)
def _(k):
    got = k.call("q5_answer")
    expect_equal(str(got).strip().lower(), "smoothing", "q5_answer()",
                 hint="clipping keeps the high PMI of rare pairs, the shift removes mostly "
                      "frequent-context pairs; only smoothing lowers rare contexts")
