"""Hidden tests for the chapter 2 exercises — instructor only, never shown to learners.

They run in the grader's process: integer matrices go into the student's kernel as lists of rows,
exact answers come back as SymPy values (rebuilt with ``as_sympy``), and the expected values are
computed here with ``wvlib.exact.exact_svd`` and NumPy. As in the public checks, every valid
choice of signs and eigenvector bases is accepted.

The matrices are chosen so that every characteristic polynomial factors into pieces of degree at
most 2 (square roots, no cubic roots): random matrices with 2 rows or 2 columns, or products of
such matrices (drawn for each submission with ``hidden_rng``), and hand-picked ones.
``public_values()`` gives what the public checks compare against.
"""
import functools

import numpy as np
import sympy

from wvlib.course.checks import check, expect, expect_close, expect_raises, expect_type, \
    hidden_rng
from wvlib.course.exact import as_sympy, exact_matrix, exact_numbers, exactly_equal, \
    exactly_zero, expect_exact_matrix_equal, expect_exact_number, expect_exact_values, \
    expect_orthonormal_eigenvectors, show
from wvlib.course.public import ch02_svd_by_hand as public
from wvlib.exact import exact_svd
from wvlib.linalg import approximation_error


# -- the reference -------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _reference(rows):
    return exact_svd([list(row) for row in rows], verify="certificate")


def reference_svd(A):
    """``exact_svd(A)`` (cached: the same matrices come back in several checks)."""
    return _reference(tuple(tuple(int(x) for x in row) for row in A))


def family_reference(n, a):
    """||A - A_1||_F / ||A||_F for A = 11ᵀ + a I_n: singular values n + a (once), a (n - 1
    times)."""
    n, a = sympy.sympify(n), sympy.sympify(a)
    return sympy.sqrt((n - 1) * a ** 2 / ((n + a) ** 2 + (n - 1) * a ** 2))


def family_mistakes(n, a):
    """{hint: the answer of the mistake}."""
    n, a = sympy.sympify(n), sympy.sympify(a)
    error2 = (n - 1) * a ** 2 / ((n + a) ** 2 + (n - 1) * a ** 2)
    return {"take the square root: the ratio of the norms, not of their squares": error2,
            "that is the share A_1 keeps; the question asks for what it loses":
            sympy.sqrt(1 - error2),
            "the largest singular value is n + a, not n: the n of 11ᵀ adds to the diagonal's a":
            sympy.sqrt((n - 1) * a ** 2 / (n ** 2 + (n - 1) * a ** 2)),
            "the Frobenius error sums every dropped singular value: a appears n - 1 times":
            sympy.sqrt(a ** 2 / ((n + a) ** 2 + (n - 1) * a ** 2)),
            "that is the spectral norm's sigma_2 / sigma_1; the question asks for the Frobenius "
            "norm": a / (n + a)}


def public_values():
    values = {}
    for key, _, A in public.MATRICES:
        ref = reference_svd(A)
        values[f"{key}/AtA"] = ref.AtA
        values[f"{key}/eigenvalues"] = list(ref.eigenvalues)
        values[f"{key}/singular_values"] = list(ref.singular_values)
    for key, A in [("seed", public.SEED), ("tall", public.TALL)]:
        A = np.asarray(A, dtype=float)
        s = np.linalg.svd(A, compute_uv=False)
        values[f"{key}/s"] = s
        for rank in range(len(s) + 1):
            values[f"{key}/error-fro-{rank}"] = approximation_error(A, rank, "fro")
            values[f"{key}/error-spectral-{rank}"] = approximation_error(A, rank, "spectral")
            values[f"{key}/error-fro-squared-{rank}"] = float(np.sum(s[rank:] ** 2))
            values[f"{key}/error-spectral-off-by-one-{rank}"] = float(s[rank - 1]) if rank \
                else 0.0
    values["q5/family"] = [family_reference(n, a) for n, a in public.FAMILY]
    mistakes = [family_mistakes(n, a) for n, a in public.FAMILY]
    values["q5/family-mistakes"] = {hint: [m[hint] for m in mistakes] for hint in mistakes[0]}
    return values


# -- instructor-side comparisons -----------------------------------------------------------------
def shape_of(A):
    return len(A), len(A[0])


def check_gram_and_eigenvalues(k, A, name):
    m, n = shape_of(A)
    reference = reference_svd(A)
    got = k.call("gram_and_eigenvalues", A)
    what = f"gram_and_eigenvalues({name})"
    expect_type(got, (tuple, list), what)
    expect(len(got) == 2, f"{what} should return a pair (G, eigenvalues), got {len(got)} items")
    G = exact_matrix(got[0], f"G = {what}[0]", (n, n))
    expect_exact_matrix_equal(G, reference.AtA, "G")
    values = exact_numbers(got[1], f"the eigenvalues {what}[1]", n)
    expect_exact_values(values, reference.eigenvalues, "the eigenvalues")


def check_right_singular_vectors(k, A, name):
    m, n = shape_of(A)
    reference = reference_svd(A)
    what = f"right_singular_vectors({name})"
    V = exact_matrix(k.call("right_singular_vectors", A), what, (n, n))
    expect_orthonormal_eigenvectors(reference.AtA, V, reference.eigenvalues, what)


def check_compact_svd(k, A, name):
    m, n = shape_of(A)
    reference = reference_svd(A)
    r = reference.rank
    what = f"compact_svd({name})"
    got = k.call("compact_svd", A)
    expect_type(got, (tuple, list), what)
    expect(len(got) == 3, f"{what} should return a triple (U_r, sigmas, V_r)")
    sigmas = exact_numbers(got[1], f"the singular values {what}[1]", r)
    expect_exact_values(sigmas, reference.singular_values, "the singular values")
    V = exact_matrix(got[2], f"V_r = {what}[2]", (n, r))
    expect_orthonormal_eigenvectors(reference.AtA, V, reference.eigenvalues[:r], "V_r")
    U = exact_matrix(got[0], f"U_r = {what}[0]", (m, r))
    for i in range(r):
        expected = reference.A * V[:, i] / sigmas[i]
        expect(all(exactly_zero(e) for e in U[:, i] - expected),
               f"column {i} of U_r is {show(list(U[:, i]))}, but A v / σ is "
               f"{show(list(expected))}")


def check_truncation_errors(k, A, name):
    A = np.asarray(A, dtype=float)
    s = np.linalg.svd(A, compute_uv=False)
    for rank in range(len(s) + 1):
        for norm in ("fro", "spectral"):
            got = k.call("truncation_error", s, rank, norm)
            expect_type(got, (float, np.floating), f"truncation_error(s, {rank}, {norm!r})")
            expect_close(got, approximation_error(A, rank, norm),
                         what=f"truncation_error(s, {rank}, {norm!r}) for {name}",
                         rtol=1e-9, atol=1e-9 * max(1.0, s[0]))


# -- inputs ----------------------------------------------------------------------------------------
IRRATIONAL = [
    ("[[1, 1], [0, 1]]", [[1, 1], [0, 1]]),                                  # (3 ± √5)/2
    ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),                                  # 15 ± √221
    ("a wide 2 × 4 matrix", [[1, 0, 1, 0], [0, 1, 1, 1]]),                   # (5 ± √5)/2, 0, 0
    ("a rank-2 3 × 3 matrix", [[2, 1, 1], [1, 0, 1], [3, 1, 2]]),            # 11 ± 4√7, 0
]
REPEATED = [
    ("[[1, 1], [1, -1]] (AᵀA = 2I)", [[1, 1], [1, -1]]),
    ("the row [[1, 2, 2]] (eigenvalue 0 twice)", [[1, 2, 2]]),
    ("[[2, 0, 0], [0, 2, 0]]", [[2, 0, 0], [0, 2, 0]]),
    ("[[1, 2, -2], [2, -2, -1]] (eigenvalue 9 twice)", [[1, 2, -2], [2, -2, -1]]),
    ("a 3 × 4 matrix with eigenvalue 10 twice", [[0, -2, 1, 1], [0, -2, 1, -1], [0, 1, 2, 2]]),
]
SHAPES = [
    ("a tall 3 × 2 matrix", [[1, 2], [2, 1], [1, 1]]),
    ("the tall matrix [[2, 2], [1, 1], [1, -1]]", [[2, 2], [1, 1], [1, -1]]),
    ("the column [[1], [2], [2]]", [[1], [2], [2]]),
    ("a rank-1 3 × 2 matrix", [[1, 2], [2, 4], [3, 6]]),
    ("a 3 × 3 matrix with eigenvalues 2, 2, 1", [[1, 1, 0], [1, -1, 0], [0, 0, 1]]),
    ("a rank-2 3 × 3 matrix with eigenvalues 9, 1, 0", [[1, 1, 0], [0, 1, 1], [1, 2, 1]]),
]


def random_matrices(rng, count=4):
    """Small random integer matrices with 2 rows or 2 columns (or a product of two such)."""
    shapes = [(2, 3), (3, 2), (2, 4), "product"]
    out = []
    while len(out) < count:
        shape = shapes[len(out) % len(shapes)]
        if shape == "product":
            A = rng.integers(-2, 3, size=(3, 2)) @ rng.integers(-2, 3, size=(2, 3))
        else:
            A = rng.integers(-3, 4, size=shape)
        if np.any(A):
            out.append((f"the random matrix {A.tolist()}", A.tolist()))
    return out


# -- q1-gram-eigenvalues -----------------------------------------------------------------------
@check("q1-gram-eigenvalues", "random integer matrices", weight=2)
def _(k):
    for name, A in random_matrices(hidden_rng(k, "q1/random")):
        check_gram_and_eigenvalues(k, A, name)


@check("q1-gram-eigenvalues", "irrational eigenvalues, wide, tall and rank-deficient matrices")
def _(k):
    for name, A in IRRATIONAL + SHAPES:
        check_gram_and_eigenvalues(k, A, name)


@check("q1-gram-eigenvalues", "repeated eigenvalues are listed with their multiplicity")
def _(k):
    for name, A in REPEATED:
        check_gram_and_eigenvalues(k, A, name)


# -- q2-right-vectors --------------------------------------------------------------------------
@check("q2-right-vectors", "random integer matrices", weight=2)
def _(k):
    for name, A in random_matrices(hidden_rng(k, "q2/random")):
        check_right_singular_vectors(k, A, name)


@check("q2-right-vectors", "repeated eigenvalues: any orthonormal basis of the eigenspace",
       weight=2)
def _(k):
    for name, A in REPEATED:
        check_right_singular_vectors(k, A, name)


@check("q2-right-vectors", "irrational eigenvalues, wide, tall and rank-deficient matrices")
def _(k):
    for name, A in IRRATIONAL + SHAPES:
        check_right_singular_vectors(k, A, name)


# -- q3-left-from-right ------------------------------------------------------------------------
@check("q3-left-from-right", "random integer matrices", weight=2)
def _(k):
    for name, A in random_matrices(hidden_rng(k, "q3/random")):
        check_compact_svd(k, A, name)


@check("q3-left-from-right", "rank-deficient matrices, a row and a column: only r columns",
       weight=2)
def _(k):
    for name, A in SHAPES + REPEATED[1:3]:
        check_compact_svd(k, A, name)


@check("q3-left-from-right", "irrational singular values and repeated ones")
def _(k):
    for name, A in IRRATIONAL + REPEATED[3:]:
        check_compact_svd(k, A, name)


# -- q4-eckart-young ---------------------------------------------------------------------------
@check("q4-eckart-young", "random matrices of random shapes: prediction = measured error",
       weight=2)
def _(k):
    rng = hidden_rng(k, "q4/random")
    for _ in range(4):
        m, n = (int(x) for x in rng.integers(1, 8, size=2))
        A = rng.normal(size=(m, n)) * rng.uniform(0.1, 10)
        check_truncation_errors(k, A, f"a random {m} × {n} matrix")


@check("q4-eckart-young", "d = 0 gives ‖A‖, d = min(m, n) gives 0, plain lists work")
def _(k):
    A = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]])
    s = np.linalg.svd(A, compute_uv=False)
    expect_close(k.call("truncation_error", s.tolist(), 0, "fro"), np.linalg.norm(A),
                 what="truncation_error(s, 0, 'fro') with s a list",
                 hint="nothing is kept: the error is the Frobenius norm of A")
    expect_close(k.call("truncation_error", s, 0, "spectral"), s[0],
                 what="truncation_error(s, 0, 'spectral')")
    for norm in ("fro", "spectral"):
        got = k.call("truncation_error", s, len(s), norm)
        expect_type(got, (float, np.floating), f"truncation_error(s, {len(s)}, {norm!r})")
        expect_close(got, 0.0, what=f"truncation_error(s, {len(s)}, {norm!r})",
                     hint="nothing is discarded when d = len(s)")
    expect_close(k.call("truncation_error", [5.0, 5.0, 1.0], 1, "spectral"), 5.0,
                 what="truncation_error([5, 5, 1], 1, 'spectral')",
                 hint="a repeated singular value: σ₂ = σ₁ = 5")


@check("q4-eckart-young", "more invalid d and norm values raise ValueError")
def _(k):
    s = np.array([4.0, 1.0])
    for args in [(s, 3, "fro"), (s, 3, "spectral"), (s, -2, "spectral"), (s, 1, "max"),
                 (s, 0, "frobenius")]:
        expect_raises(k, "truncation_error", args, ["ValueError"],
                      f"truncation_error(s, {args[1]}, {args[2]!r}) with 2 singular values")


# -- q5-family-rank1 ---------------------------------------------------------------------------
def check_family(k, n, a):
    what = f"family_rank1_error({n}, {a})"
    got = as_sympy(k.call("family_rank1_error", n, a), what)
    expect_exact_number(got, what)
    expected = family_reference(n, a)
    hint = next((h for h, wrong in family_mistakes(n, a).items() if exactly_equal(got, wrong)),
                "")
    expect(exactly_equal(got, expected), f"{what} = {show(got)}, expected {show(expected)}"
                                         + (f". Hint: {hint}" if hint else ""))


@check("q5-family-rank1", "random n and a: integers and fractions; the expression in symbols "
                          "of new names", weight=2, core=True)
def _(k):
    rng = hidden_rng(k, "q5/family")
    for n in (2, int(rng.integers(3, 12)), int(rng.integers(20, 500))):
        check_family(k, n, sympy.Rational(int(rng.integers(1, 40)), int(rng.integers(1, 9))))
    names = ["m", "t", "x", "y", "c", "b", "size", "gap"]
    n, a = sympy.symbols([str(x) for x in rng.choice(names, 2, replace=False)])
    what = f"family_rank1_error({n}, {a})"
    got = as_sympy(k.call("family_rank1_error", n, a), what)
    expected = family_reference(n, a)
    expect(hasattr(got, "free_symbols") and {x.name for x in got.free_symbols} <= {n.name,
                                                                                 a.name},
           f"{what} should be an expression of {n} and {a} only")
    expect(sympy.cancel(sympy.together(got ** 2 - expected ** 2)) == 0,
           f"{what} = {sympy.sstr(got)[:120]} is not the right expression")
    point = {n: int(rng.integers(2, 50)), a: sympy.Rational(int(rng.integers(1, 30)), 7)}
    expect(exactly_equal(got.subs(point), expected.subs(point)),
           f"{what} has the wrong sign at {point}")


@check("q5-family-rank1", "agrees with the numerical SVD of 11ᵀ + a I_n", weight=1)
def _(k):
    rng = hidden_rng(k, "q5/numeric")
    for _ in range(3):
        n, a = int(rng.integers(2, 40)), sympy.Rational(int(rng.integers(1, 50)), 10)
        A = np.ones((n, n)) + float(a) * np.eye(n)
        s = np.linalg.svd(A, compute_uv=False)
        numeric = np.sqrt(np.sum(s[1:] ** 2) / np.sum(s ** 2))
        got = as_sympy(k.call("family_rank1_error", n, a), f"family_rank1_error({n}, {a})")
        expect_exact_number(got, f"family_rank1_error({n}, {a})")
        expect_close(float(got), numeric, rtol=1e-10, atol=1e-12,
                     what=f"family_rank1_error({n}, {a}) against the SVD of the {n} x {n} "
                          f"matrix")
