"""Public checks for the chapter 2 exercises (the SVD by hand).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
Exact answers arrive as SymPy objects (or as the whitelisted data tree the grader transports)
and are compared exactly (wvlib.course.exact) with values stored when the exercises were made
(``S``), or checked by their defining properties — orthonormal columns, ``AᵀA vᵢ = λᵢ vᵢ``,
``uᵢ = A vᵢ / σᵢ`` — so that every valid choice of signs and eigenvector bases is accepted.
The points are decided by the hidden tests, on matrices drawn at grading time.
"""
import numpy as np
import sympy

from wvlib.course.checks import check, expect, expect_close, expect_raises, expect_type
from wvlib.course.exact import as_sympy, exact_matrix, exact_numbers, exactly_equal, exactly_zero, \
    expect_exact_matrix_equal, expect_exact_number, expect_exact_values, \
    expect_orthonormal_eigenvectors, show
from wvlib.course.stored import stored

S = stored("ch02_svd_by_hand")

SEED = [[3, 1, 1], [-1, 3, 1]]
RANK1 = [[1, 2, 2], [2, 4, 4]]  # rank 1; AᵀA has the eigenvalue 0 twice
MATRICES = [("seed", "[[3, 1, 1], [-1, 3, 1]]", SEED),
            ("rank1", "[[1, 2, 2], [2, 4, 4]]", RANK1)]
TALL = [[4, 0, 1], [2, 3, -1], [0, 1, 5], [1, -2, 2]]
FAMILY = [(3, 1), (4, sympy.Rational(1, 2)), (2, 3)]      # (n, a) of A = 11ᵀ + a I_n
N, A_SYMBOL = sympy.symbols("n a")                         # plain symbols: they travel


# -- q1-gram-eigenvalues -----------------------------------------------------------------------
@check("q1-gram-eigenvalues", "the seed matrix [[3, 1, 1], [-1, 3, 1]] and the rank-1 matrix "
                              "[[1, 2, 2], [2, 4, 4]]: AᵀA and its eigenvalues")
def _(k):
    for key, name, A in MATRICES:
        n = len(A[0])
        got = k.call("gram_and_eigenvalues", A)
        what = f"gram_and_eigenvalues({name})"
        expect_type(got, (tuple, list), what)
        expect(len(got) == 2, f"{what} should return a pair (G, eigenvalues), got {len(got)} "
                              f"items")
        G = exact_matrix(got[0], f"G = {what}[0]", (n, n),
                         f"A is 2 × {n}, so AᵀA is {n} × {n} (AAᵀ would be 2 × 2).")
        expect_exact_matrix_equal(G, S[f"{key}/AtA"], "G",
                                  hint="G[i, j] is the dot product of columns i and j of A")
        values = exact_numbers(got[1], f"the eigenvalues {what}[1]", n,
                               hint=f"AᵀA is {n} × {n}: list all {n} eigenvalues, each as "
                                    f"often as its multiplicity says, zeros included.")
        expect_exact_values(values, S[f"{key}/eigenvalues"], "the eigenvalues")


# -- q2-right-vectors --------------------------------------------------------------------------
@check("q2-right-vectors", "the seed matrix: V is orthogonal and AᵀA V = V Λ")
def _(k):
    what = "right_singular_vectors([[3, 1, 1], [-1, 3, 1]])"
    V = exact_matrix(k.call("right_singular_vectors", SEED), what, (3, 3),
                     hint="V is n × n for A of shape 2 × 3: one column per eigenvalue of AᵀA.")
    expect_orthonormal_eigenvectors(S["seed/AtA"], V, S["seed/eigenvalues"], what)


@check("q2-right-vectors", "[[1, 2, 2], [2, 4, 4]]: an orthonormal basis for the repeated "
                           "eigenvalue 0")
def _(k):
    what = "right_singular_vectors([[1, 2, 2], [2, 4, 4]])"
    V = exact_matrix(k.call("right_singular_vectors", RANK1), what, (3, 3))
    expect_orthonormal_eigenvectors(S["rank1/AtA"], V, S["rank1/eigenvalues"], what)


# -- q3-left-from-right ------------------------------------------------------------------------
@check("q3-left-from-right", "the seed matrix and [[1, 2, 2], [2, 4, 4]]: σ, V_r and "
                             "uᵢ = A vᵢ / σᵢ")
def _(k):
    for key, name, A in MATRICES:
        r = len(S[f"{key}/singular_values"])
        what = f"compact_svd({name})"
        got = k.call("compact_svd", A)
        expect_type(got, (tuple, list), what)
        expect(len(got) == 3, f"{what} should return a triple (U_r, sigmas, V_r), got "
                              f"{len(got)} items")
        rank_hint = (f"A has rank r = {r} (the number of non-zero eigenvalues of AᵀA); keep "
                     f"only those.")
        sigmas = exact_numbers(got[1], f"the singular values {what}[1]", r, rank_hint)
        expect_exact_values(sigmas, S[f"{key}/singular_values"], "the singular values",
                            hint="σᵢ = √λᵢ for the non-zero eigenvalues λᵢ, largest first")
        V = exact_matrix(got[2], f"V_r = {what}[2]", (3, r), rank_hint)
        expect_orthonormal_eigenvectors(S[f"{key}/AtA"], V, S[f"{key}/eigenvalues"][:r], "V_r")
        U = exact_matrix(got[0], f"U_r = {what}[0]", (2, r), rank_hint)
        for i in range(r):
            expected = sympy.Matrix(A) * V[:, i] / sigmas[i]   # from the learner's own v and σ
            if all(exactly_zero(e) for e in U[:, i] - expected):
                continue
            expect(not all(exactly_zero(e) for e in U[:, i] + expected),
                   f"column {i} of U_r is −A v / σ for v = column {i} of your V_r and σ = "
                   f"sigmas[{i}]: the wrong sign, so U Σ Vᵀ ≠ A. Compute each column as "
                   f"A v / σ from your own v instead of taking an eigenvector of AAᵀ "
                   f"separately (its sign is an independent choice).")
            expect(False, f"column {i} of U_r is {show(list(U[:, i]))}, but A v / σ for v = "
                          f"column {i} of your V_r and σ = sigmas[{i}] is "
                          f"{show(list(expected))}")


# -- q4-eckart-young ---------------------------------------------------------------------------
@check("q4-eckart-young", "the seed matrix and a 4 × 3 matrix: errors for every d in both "
                          "norms")
def _(k):
    for key, name in [("seed", "the seed matrix"), ("tall", "a 4 × 3 matrix")]:
        s = S[f"{key}/s"]
        for rank in range(len(s) + 1):
            for norm in ("fro", "spectral"):
                got = k.call("truncation_error", s, rank, norm)
                what = f"truncation_error(s, {rank}, {norm!r}) for {name}"
                expect_type(got, (float, np.floating), what)
                expected = S[f"{key}/error-{norm}-{rank}"]
                expect_close(got, expected, what=what, rtol=1e-9, atol=1e-9 * max(1.0, s[0]),
                             hint=("Frobenius: the square root of the sum of the squared "
                                   "discarded singular values σ_{d+1}, …" if norm == "fro" else
                                   "spectral: the largest discarded singular value σ_{d+1}, "
                                   "or 0 when nothing is discarded"),
                             mistakes={"take the square root of the sum of squares":
                                       S[f"{key}/error-fro-squared-{rank}"],
                                       "the error is σ_{d+1}, the first singular value NOT "
                                       "kept (s[d] in Python), not σ_d":
                                       S[f"{key}/error-spectral-off-by-one-{rank}"]})


@check("q4-eckart-young", "d outside 0 … len(s) and an unknown norm raise ValueError")
def _(k):
    s = np.array([3.0, 2.0, 1.0])
    for args, what in [((s, 4, "fro"), "truncation_error(s, 4, 'fro') with 3 singular values"),
                       ((s, -1, "fro"), "truncation_error(s, -1, 'fro')"),
                       ((s, 1, "nuclear"), "truncation_error(s, 1, 'nuclear')")]:
        expect_raises(k, "truncation_error", args, ["ValueError"], what,
                      hint="check d and norm at the start of the function")


# -- q5-family-rank1 ---------------------------------------------------------------------------
@check("q5-family-rank1", "an expression of n and a only")
def _(k):
    what = "family_rank1_error(n, a)"
    got = as_sympy(k.call("family_rank1_error", N, A_SYMBOL), what)
    expect(hasattr(got, "free_symbols") and not hasattr(got, "shape"),
           f"{what} should be a SymPy expression, got {type(got).__name__}")
    names = {x.name for x in got.free_symbols}
    expect(names <= {"n", "a"}, f"{what} uses the symbol(s) {sorted(names - {'n', 'a'})}; "
                                f"write it with n and a only")


@check("q5-family-rank1", "n = 3, a = 1; n = 4, a = 1/2; n = 2, a = 3 (stored values)")
def _(k):
    for i, (n, a) in enumerate(FAMILY):
        what = f"family_rank1_error({n}, {a})"
        got = as_sympy(k.call("family_rank1_error", n, a), what)
        expect_exact_number(got, what)
        expected = S["q5/family"][i]
        hint = ("||A - A_1||_F^2 is the sum of the squared singular values after the first, "
                "and ||A||_F^2 the sum of all of them")
        for wrong_hint, wrong in S["q5/family-mistakes"].items():
            if exactly_equal(got, wrong[i]):
                hint = wrong_hint
        expect(exactly_equal(got, expected),
               f"{what} = {show(got)}, expected {show(expected)}. Hint: {hint}")
