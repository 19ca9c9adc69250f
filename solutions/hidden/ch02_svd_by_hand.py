"""Hidden tests for the chapter 2 exercises — instructor only, never shown to learners.

They run in the grader's process: integer matrices go into the student's kernel as lists of rows,
exact answers come back as SymPy values (rebuilt with ``as_sympy``), and the expected values are
computed here with ``wvlib.exact.exact_svd`` and NumPy. As in the public checks, every valid
choice of signs and eigenvector bases is accepted.

The matrices are chosen so that every characteristic polynomial factors into pieces of degree at
most 2 (square roots, no cubic roots): random matrices with 2 rows or 2 columns, or products of
such matrices, and hand-picked ones.
"""
import numpy as np

from wvlib.course.checks import check, expect_close, expect_raises, expect_type
from wvlib.course.public.ch02_svd_by_hand import (_check_compact_svd, _check_gram_and_eigenvalues,
                                                  _check_right_singular_vectors,
                                                  expect_truncation_errors)

RNG_SEED = 20261124

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


def random_matrices(seed, count=4):
    """Small random integer matrices with 2 rows or 2 columns (or a product of two such)."""
    rng = np.random.default_rng(seed)
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
@check("q1-gram-eigenvalues", "irrational eigenvalues, wide, tall and rank-deficient matrices",
       weight=2)
def _(k):
    for name, A in IRRATIONAL + SHAPES:
        _check_gram_and_eigenvalues(k, A, name)


@check("q1-gram-eigenvalues", "repeated eigenvalues are listed with their multiplicity")
def _(k):
    for name, A in REPEATED:
        _check_gram_and_eigenvalues(k, A, name)


@check("q1-gram-eigenvalues", "random integer matrices")
def _(k):
    for name, A in random_matrices(RNG_SEED):
        _check_gram_and_eigenvalues(k, A, name)


# -- q2-right-vectors --------------------------------------------------------------------------
@check("q2-right-vectors", "repeated eigenvalues: any orthonormal basis of the eigenspace",
       weight=2)
def _(k):
    for name, A in REPEATED:
        _check_right_singular_vectors(k, A, name)


@check("q2-right-vectors", "irrational eigenvalues, wide, tall and rank-deficient matrices")
def _(k):
    for name, A in IRRATIONAL + SHAPES:
        _check_right_singular_vectors(k, A, name)


@check("q2-right-vectors", "random integer matrices")
def _(k):
    for name, A in random_matrices(RNG_SEED + 1):
        _check_right_singular_vectors(k, A, name)


# -- q3-left-from-right ------------------------------------------------------------------------
@check("q3-left-from-right", "rank-deficient matrices, a row and a column: only r columns",
       weight=2)
def _(k):
    for name, A in SHAPES + REPEATED[1:3]:
        _check_compact_svd(k, A, name)


@check("q3-left-from-right", "irrational singular values and repeated ones")
def _(k):
    for name, A in IRRATIONAL + REPEATED[3:]:
        _check_compact_svd(k, A, name)


@check("q3-left-from-right", "random integer matrices")
def _(k):
    for name, A in random_matrices(RNG_SEED + 2):
        _check_compact_svd(k, A, name)


# -- q4-eckart-young ---------------------------------------------------------------------------
@check("q4-eckart-young", "random matrices of several shapes: prediction = measured error",
       weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 3)
    for m, n in [(5, 3), (3, 6), (7, 7), (1, 4)]:
        A = rng.normal(size=(m, n)) * rng.uniform(0.1, 10)
        expect_truncation_errors(k, A, f"a random {m} × {n} matrix")


@check("q4-eckart-young", "k = 0 gives ‖A‖, k = p gives 0, plain lists work")
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
                     hint="nothing is discarded when k = len(s)")
    expect_close(k.call("truncation_error", [5.0, 5.0, 1.0], 1, "spectral"), 5.0,
                 what="truncation_error([5, 5, 1], 1, 'spectral')",
                 hint="a repeated singular value: σ₂ = σ₁ = 5")


@check("q4-eckart-young", "more invalid k and norm values raise ValueError")
def _(k):
    s = np.array([4.0, 1.0])
    for args in [(s, 3, "fro"), (s, 3, "spectral"), (s, -2, "spectral"), (s, 1, "max"),
                 (s, 0, "frobenius")]:
        expect_raises(k, "truncation_error", args, ["ValueError"],
                      f"truncation_error(s, {args[1]}, {args[2]!r}) with 2 singular values")
