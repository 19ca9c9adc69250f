"""Public checks for the chapter 2 exercises (the SVD by hand).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
Exact answers arrive as SymPy objects (or as the whitelisted data tree the grader transports) and
always go through ``as_sympy`` before they are compared. The expected values are computed here
with ``wvlib.exact.exact_svd``; checks accept every valid choice of signs and eigenvector bases
by testing the defining properties (orthonormality, ``AᵀA vᵢ = λᵢ vᵢ``, ``uᵢ = A vᵢ / σᵢ``)
rather than one particular answer.

The helpers below (``exact_matrix``, ``exactly_zero``, …) are reused by the hidden tests.
"""
import functools

import numpy as np
import sympy

from wvlib.course.checks import as_sympy, check, expect, expect_close, expect_raises, \
    expect_type
from wvlib.exact import exact_svd
from wvlib.linalg import approximation_error

SEED = [[3, 1, 1], [-1, 3, 1]]
RANK1 = [[1, 2, 2], [2, 4, 4]]  # rank 1; AᵀA has the eigenvalue 0 twice

_X = sympy.Dummy("x")


# ---- reading and comparing exact answers ------------------------------------------------------

def _approx(value) -> str:
    """A short numerical rendering of an exact number, for messages."""
    try:
        number = complex(sympy.N(value, 12))
    except (TypeError, ValueError):
        return str(value)[:60]
    if abs(number.imag) < 1e-12:
        return f"{number.real:.6g}"
    return f"{number.real:.6g}{number.imag:+.6g}i"


def _show(value) -> str:
    text = sympy.sstr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    if isinstance(value, sympy.Basic) and not value.is_Integer:
        return f"{text} (≈ {_approx(value)})"
    return text


def exactly_zero(expr) -> bool:
    """Exact test ``expr == 0`` for a number built from integers, fractions and radicals.

    A 50-digit value decides a clearly non-zero number at once. A value that looks like zero is
    proved zero exactly: by expanding, by rationalising denominators (``radsimp``), and if those
    do not show it, by the minimal polynomial (which is ``x`` only for 0)."""
    if expr == 0:
        return True
    if abs(sympy.N(expr, 50)) > sympy.Float(10) ** -30:
        return False
    if sympy.expand(expr) == 0 or sympy.expand(sympy.radsimp(expr)) == 0:
        return True
    try:
        return sympy.minimal_polynomial(expr, _X) == _X
    except (NotImplementedError, ValueError):  # not algebraic: trust 50 digits
        return True


def exactly_equal(a, b) -> bool:
    return exactly_zero(a - b)


def _expect_exact_number(value, what):
    expect(isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixBase),
           f"{what} should be an exact SymPy number, got {type(value).__name__}")
    floats = value.atoms(sympy.Float)
    expect(not floats, f"{what} = {_show(value)} contains the floating-point number "
                       f"{next(iter(floats)) if floats else ''}; the answer must be exact: use "
                       f"sympy.sqrt, sympy.Rational and SymPy's own eigenvalues, never floats")
    expect(not value.free_symbols, f"{what} = {_show(value)} still contains the symbol(s) "
                                   f"{sorted(map(str, value.free_symbols))}; it should be a number")


def exact_matrix(value, what, shape, hint=""):
    """The answer as an exact SymPy matrix of the given shape, or a failure that says why."""
    M = as_sympy(value, what)
    expect(isinstance(M, sympy.MatrixBase),
           f"{what} should be a sympy.Matrix, got {type(value).__name__}")
    suffix = f" {hint}" if hint else ""
    expect(tuple(M.shape) == tuple(shape),
           f"{what} should have shape {tuple(shape)}, got {tuple(M.shape)}.{suffix}")
    for i in range(M.rows):
        for j in range(M.cols):
            _expect_exact_number(M[i, j], f"{what}[{i}, {j}]")
    return M


def exact_numbers(value, what, length, hint=""):
    """The answer as a list of ``length`` exact SymPy numbers (a list, tuple or column vector)."""
    if isinstance(value, sympy.MatrixBase):
        value = list(value)
    expect_type(value, (list, tuple), what)
    values = [as_sympy(v, f"{what}[{i}]") for i, v in enumerate(value)]
    suffix = f" {hint}" if hint else ""
    expect(len(values) == length, f"{what} should have {length} entries, got {len(values)}."
                                  f"{suffix}")
    for i, v in enumerate(values):
        _expect_exact_number(v, f"{what}[{i}]")
    return values


def _numeric(value):
    return complex(sympy.N(value, 30)).real


def expect_exact_matrix_equal(got, expected, what, hint=""):
    """Entry-by-entry exact comparison of two matrices of the same shape."""
    suffix = f" Hint: {hint}" if hint else ""
    for i in range(expected.rows):
        for j in range(expected.cols):
            expect(exactly_equal(got[i, j], expected[i, j]),
                   f"{what}[{i}, {j}] = {_show(got[i, j])}, expected "
                   f"{_show(expected[i, j])}.{suffix}")


def expect_exact_values(got, expected, what, hint=""):
    """Compare two lists of exact numbers entry by entry, explaining order mistakes."""
    suffix = f" Hint: {hint}" if hint else ""
    got_num = [_numeric(v) for v in got]
    if any(b > a + 1e-12 for a, b in zip(got_num, got_num[1:])):
        expect(False, f"{what} are not in decreasing order: {[_show(v) for v in got]}. Sort "
                      f"them from the largest to the smallest.{suffix}")
    for i, (g, e) in enumerate(zip(got, expected)):
        if not exactly_equal(g, e):
            expect(False, f"{what}[{i}] = {_show(g)}, expected {_show(e)}.{suffix}")


def expect_unit_columns(Q, what):
    """Every column of ``Q`` has length 1, exactly."""
    for i in range(Q.cols):
        squared = sum((e ** 2 for e in Q[:, i]), sympy.Integer(0))
        if not exactly_equal(squared, 1):
            expect(False, f"column {i} of {what} has length {_approx(sympy.sqrt(squared))}, "
                          f"not 1: divide each eigenvector by its norm (v = w / ‖w‖)")


def _direction(column):
    """``column`` divided by its first clearly non-zero entry: the same direction, and a common
    normalising factor cancels, which keeps the exact tests below fast. ``None`` for 0."""
    for entry in column:
        if abs(sympy.N(entry, 30)) > 1e-20:
            return column / entry
    return None


def _is_eigenvector(G, direction, value):
    return all(exactly_zero(e) for e in G * direction - value * direction)


def expect_eigenvector_columns(G, Q, eigenvalues, what):
    """Column ``i`` of ``Q`` is an eigenvector of ``G`` for ``eigenvalues[i]`` (exactly)."""
    for i, value in enumerate(eigenvalues):
        direction = _direction(Q[:, i])
        expect(direction is not None, f"column {i} of {what} is the zero vector, which is never "
                                      f"an eigenvector")
        if _is_eigenvector(G, direction, value):
            continue
        others = [j for j, other in enumerate(eigenvalues)
                  if not exactly_equal(other, value) and _is_eigenvector(G, direction, other)]
        if others:
            expect(False, f"column {i} of {what} is an eigenvector of AᵀA for the eigenvalue "
                          f"{_show(eigenvalues[others[0]])}, but column {i} must belong to "
                          f"eigenvalues[{i}] = {_show(value)}: order the columns like the "
                          f"eigenvalues, from the largest to the smallest")
        expect(False, f"column {i} of {what} is not an eigenvector of AᵀA for the eigenvalue "
                      f"λ = {_show(value)}: (AᵀA − λI) v should be the zero vector")


def expect_orthogonal_eigenspaces(Q, eigenvalues, what):
    """Columns for the same (repeated) eigenvalue are orthogonal. (Eigenvectors of a symmetric
    matrix for different eigenvalues are orthogonal anyway, so with the checks above this makes
    the columns orthonormal.)"""
    for i in range(Q.cols):
        for j in range(i + 1, Q.cols):
            if exactly_equal(eigenvalues[i], eigenvalues[j]):
                dot = (Q[:, i].T * Q[:, j])[0, 0]
                if not exactly_zero(dot):
                    expect(False, f"columns {i} and {j} of {what} belong to the repeated "
                                  f"eigenvalue {_show(eigenvalues[i])} but are not orthogonal "
                                  f"(dot product {_show(dot)}): make the basis of each "
                                  f"eigenspace orthonormal with Gram–Schmidt "
                                  f"(sympy.GramSchmidt(vectors, True))")


def expect_orthonormal_eigenvectors(G, Q, eigenvalues, what):
    """``Q`` has orthonormal columns and column ``i`` is an eigenvector of ``G`` for
    ``eigenvalues[i]`` — for any choice of signs and of bases inside repeated eigenspaces."""
    expect_unit_columns(Q, what)
    expect_eigenvector_columns(G, Q, eigenvalues, what)
    expect_orthogonal_eigenspaces(Q, eigenvalues, what)


@functools.lru_cache(maxsize=None)
def _reference(rows):
    return exact_svd([list(row) for row in rows], verify="certificate")


def reference_svd(A):
    """``exact_svd(A)`` (cached: the same matrices come back in several checks)."""
    return _reference(tuple(tuple(int(x) for x in row) for row in A))


def shape_of(A):
    return len(A), len(A[0])


# -- q1-gram-eigenvalues -----------------------------------------------------------------------
def _check_gram_and_eigenvalues(k, A, name):
    m, n = shape_of(A)
    reference = reference_svd(A)
    got = k.call("gram_and_eigenvalues", A)
    what = f"gram_and_eigenvalues({name})"
    expect_type(got, (tuple, list), what)
    expect(len(got) == 2, f"{what} should return a pair (G, eigenvalues), got {len(got)} items")
    hint = ""
    if n != m:
        hint = (f"A is {m} × {n}, so AᵀA is {n} × {n} (AAᵀ would be {m} × {m}).")
    G = exact_matrix(got[0], f"G = {what}[0]", (n, n), hint)
    expect_exact_matrix_equal(G, reference.AtA, "G", hint="G[i, j] is the dot product of "
                                                         "columns i and j of A")
    values = exact_numbers(got[1], f"the eigenvalues {what}[1]", n,
                           hint=f"AᵀA is {n} × {n}: list all {n} eigenvalues, each as often as "
                                f"its multiplicity says, zeros included.")
    expect_exact_values(values, reference.eigenvalues, "the eigenvalues")


@check("q1-gram-eigenvalues", "the seed matrix [[3, 1, 1], [-1, 3, 1]]: AᵀA and 12, 10, 0")
def _(k):
    _check_gram_and_eigenvalues(k, SEED, "[[3, 1, 1], [-1, 3, 1]]")


@check("q1-gram-eigenvalues", "the rank-1 matrix [[1, 2, 2], [2, 4, 4]]: 45, 0, 0")
def _(k):
    _check_gram_and_eigenvalues(k, RANK1, "[[1, 2, 2], [2, 4, 4]]")


# -- q2-right-vectors --------------------------------------------------------------------------
def _check_right_singular_vectors(k, A, name):
    m, n = shape_of(A)
    reference = reference_svd(A)
    what = f"right_singular_vectors({name})"
    V = exact_matrix(k.call("right_singular_vectors", A), what, (n, n),
                     hint=f"V is n × n for A of shape {m} × {n}: one column per eigenvalue of AᵀA.")
    expect_orthonormal_eigenvectors(reference.AtA, V, reference.eigenvalues, what)


@check("q2-right-vectors", "the seed matrix: V is orthogonal and AᵀA V = V Λ")
def _(k):
    _check_right_singular_vectors(k, SEED, "[[3, 1, 1], [-1, 3, 1]]")


@check("q2-right-vectors", "[[1, 2, 2], [2, 4, 4]]: an orthonormal basis for the repeated eigenvalue 0")
def _(k):
    _check_right_singular_vectors(k, RANK1, "[[1, 2, 2], [2, 4, 4]]")


# -- q3-left-from-right ------------------------------------------------------------------------
def _check_compact_svd(k, A, name):
    m, n = shape_of(A)
    reference = reference_svd(A)
    r = reference.rank
    A_exact = reference.A
    what = f"compact_svd({name})"
    got = k.call("compact_svd", A)
    expect_type(got, (tuple, list), what)
    expect(len(got) == 3, f"{what} should return a triple (U_r, sigmas, V_r), got {len(got)} "
                          f"items")
    rank_hint = (f"A has rank r = {r} (the number of non-zero eigenvalues of AᵀA); keep only "
                 f"those.")
    sigmas = exact_numbers(got[1], f"the singular values {what}[1]", r, rank_hint)
    expect_exact_values(sigmas, reference.singular_values, "the singular values",
                        hint="σᵢ = √λᵢ for the non-zero eigenvalues λᵢ, largest first")
    V = exact_matrix(got[2], f"V_r = {what}[2]", (n, r), rank_hint)
    expect_orthonormal_eigenvectors(reference.AtA, V, reference.eigenvalues[:r], "V_r")
    U = exact_matrix(got[0], f"U_r = {what}[0]", (m, r), rank_hint)
    for i in range(r):
        # σᵢ has been checked exactly above; dividing by the learner's own way of writing it
        # keeps this exact comparison fast
        expected = A_exact * V[:, i] / sigmas[i]
        if all(exactly_zero(e) for e in U[:, i] - expected):
            continue
        if all(exactly_zero(e) for e in U[:, i] + expected):
            expect(False, f"column {i} of U_r is −A v / σ for v = column {i} of your V_r and "
                          f"σ = sigmas[{i}]: the wrong sign, so U Σ Vᵀ ≠ A. Compute each column "
                          f"as A v / σ from your own v instead of taking an eigenvector of AAᵀ "
                          f"separately (its sign is an independent choice).")
        expect(False, f"column {i} of U_r is {_show(list(U[:, i]))}, but A v / σ for v = column "
                      f"{i} of your V_r and σ = sigmas[{i}] is {_show(list(expected))}")


@check("q3-left-from-right", "the seed matrix: σ = 2√3, √10 and uᵢ = A vᵢ / σᵢ")
def _(k):
    _check_compact_svd(k, SEED, "[[3, 1, 1], [-1, 3, 1]]")


@check("q3-left-from-right", "[[1, 2, 2], [2, 4, 4]]: rank 1, so one column each")
def _(k):
    _check_compact_svd(k, RANK1, "[[1, 2, 2], [2, 4, 4]]")


# -- q4-eckart-young ---------------------------------------------------------------------------
def expect_truncation_errors(k, A, name):
    """``truncation_error(s, k, norm)`` equals the measured ‖A − A_k‖ for every k and norm."""
    A = np.asarray(A, dtype=float)
    s = np.linalg.svd(A, compute_uv=False)
    for rank in range(len(s) + 1):
        for norm in ("fro", "spectral"):
            got = k.call("truncation_error", s, rank, norm)
            expect_type(got, (float, np.floating), f"truncation_error(s, {rank}, {norm!r})")
            expect_close(got, approximation_error(A, rank, norm),
                         what=f"truncation_error(s, {rank}, {norm!r}) for {name}",
                         rtol=1e-9, atol=1e-9 * max(1.0, s[0]),
                         hint=("Frobenius: the square root of the sum of the squared discarded "
                               "singular values σ_{k+1}, …" if norm == "fro" else
                               "spectral: the largest discarded singular value σ_{k+1}, or 0 "
                               "when nothing is discarded"))


@check("q4-eckart-young", "the seed matrix: errors for k = 0, 1, 2 in both norms")
def _(k):
    expect_truncation_errors(k, SEED, "the seed matrix")


@check("q4-eckart-young", "a 4 × 3 matrix: the prediction equals the measured ‖A − A_k‖")
def _(k):
    expect_truncation_errors(k, [[4, 0, 1], [2, 3, -1], [0, 1, 5], [1, -2, 2]], "a 4 × 3 matrix")


@check("q4-eckart-young", "k outside 0 … len(s) and an unknown norm raise ValueError")
def _(k):
    s = np.array([3.0, 2.0, 1.0])
    for args, what in [((s, 4, "fro"), "truncation_error(s, 4, 'fro') with 3 singular values"),
                       ((s, -1, "fro"), "truncation_error(s, -1, 'fro')"),
                       ((s, 1, "nuclear"), "truncation_error(s, 1, 'nuclear')")]:
        expect_raises(k, "truncation_error", args, ["ValueError"], what,
                      hint="check k and norm at the start of the function")
