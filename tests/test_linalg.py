"""Tests for wvlib.linalg: exact SVD, the SVD checker, floating-point SVDs, Eckart–Young."""
from __future__ import annotations

import argparse
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sps
import sympy as sp

from wvlib.linalg import (ExactSVD, approximation_error, check_svd, eckart_young_error,
                          exact_svd, low_rank_approximation, naive_svd_from_both_sides,
                          normalize_signs, power_iteration, truncated_svd)

SEED_MATRIX = [[3, 1, 1], [-1, 3, 1]]


# ---- helpers (independent of the library's own verification) ---------------------------------

def exactly_zero(expr) -> bool:
    """Exact zero test for a number built from rationals and square roots."""
    expr = sp.sympify(expr)
    if expr == 0 or sp.expand(sp.radsimp(sp.expand(expr))) == 0:
        return True
    return sp.simplify(expr) == 0


def assert_exact_identities(svd):
    """U Σ Vᵀ == A, UᵀU == I, VᵀV == I: proved entry by entry when there are only square roots,
    else (CRootOf eigenvalues, see the module notes) checked to 40 digits."""
    m, n = svd.A.shape
    U, S, V = svd.U, svd.Sigma, svd.V
    if U.has(sp.CRootOf) or V.has(sp.CRootOf):
        roots = {r: r.evalf(60) for M in (U, S, V) for r in M.atoms(sp.CRootOf)}
        U, S, V = (M.xreplace(roots).evalf(50) for M in (U, S, V))
        for R in (U * S * V.T - svd.A, U.T * U - sp.eye(m), V.T * V - sp.eye(n)):
            assert max(abs(e) for e in R) < 1e-40
        assert all("certificate" in how for how in svd.verification.values())
    else:
        for R in (U * S * V.T - svd.A, U.T * U - sp.eye(m), V.T * V - sp.eye(n)):
            assert all(exactly_zero(e) for e in R), R


def to_float(M):
    return np.array(sp.Matrix(M).evalf(30).tolist(), dtype=float)


def random_orthogonal(rng, n):
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return Q * np.sign(np.diag(R))


def decaying_matrix(rng, m, n, rate=0.7):
    """Dense m × n matrix with singular values rate**i (well separated)."""
    p = min(m, n)
    U = random_orthogonal(rng, m)[:, :p]
    V = random_orthogonal(rng, n)[:, :p]
    s = rate ** np.arange(p)
    return (U * s) @ V.T, s


def decaying_sparse(m, n, density, seed, exponent=1.0):
    """Sparse matrix with power-law row/column scales: a decaying spectrum, like co-occurrences."""
    R = sps.random(m, n, density=density, random_state=seed, format="csr")
    rows = sps.diags(1.0 / np.arange(1, m + 1) ** exponent)
    cols = sps.diags(1.0 / np.arange(1, n + 1) ** exponent)
    return (rows @ R @ cols).tocsr()


# ---- exact SVD: the seed example ---------------------------------------------------------------

def test_seed_matrix_facts():
    svd = exact_svd(SEED_MATRIX)
    assert isinstance(svd, ExactSVD)
    A = sp.Matrix(SEED_MATRIX)
    assert svd.A == A
    assert svd.AAt == sp.Matrix([[11, 1], [1, 11]])
    assert svd.AtA == A.T * A
    assert svd.AAt.eigenvals() == {12: 1, 10: 1}
    assert svd.eigenvalues == [12, 10, 0]
    assert svd.singular_values == [sp.sqrt(12), sp.sqrt(10)]
    assert svd.rank == 2
    assert svd.Sigma == sp.Matrix([[sp.sqrt(12), 0, 0], [0, sp.sqrt(10), 0]])
    assert (svd.U * svd.Sigma * svd.V.T).applyfunc(sp.simplify) == A
    assert (svd.U.T * svd.U).applyfunc(sp.simplify) == sp.eye(2)
    assert (svd.V.T * svd.V).applyfunc(sp.simplify) == sp.eye(3)
    assert svd.verification == {"U Σ Vᵀ = A": "exact", "Uᵀ U = I": "exact",
                                "Vᵀ V = I": "exact"}
    # u_i = A v_i / σ_i, and the sign convention: largest |entry| of each u_i is positive
    for i in range(2):
        assert (A * svd.V[:, i] / svd.singular_values[i] - svd.U[:, i]).applyfunc(
            sp.simplify) == sp.zeros(2, 1)
    u = to_float(svd.U)
    assert np.all(u[np.argmax(np.abs(u) > np.abs(u).max(axis=0) - 1e-12, axis=0), [0, 1]] > 0)
    # the eigenvectors of step 3 and the readable account
    assert [value for value, _ in svd.eigenvectors] == [12, 10, 0]
    assert svd.eigenvectors[0][1] == sp.Matrix([1, 2, 1])
    text = svd.steps()
    assert "Step 6" in text and "A^\\top A" in text and r"\sqrt{10}" in text
    assert svd._repr_markdown_() == text
    assert "rank=2" in repr(svd)


def test_seed_matrix_inputs_of_every_kind_give_the_same_svd():
    reference = exact_svd(SEED_MATRIX)
    for A in (np.array(SEED_MATRIX), np.array(SEED_MATRIX, dtype=float), sp.Matrix(SEED_MATRIX),
              [[Fraction(3), 1, 1], [-1, 3, sp.Integer(1)]]):
        svd = exact_svd(A)
        assert svd.U == reference.U and svd.V == reference.V and svd.Sigma == reference.Sigma


def test_canonical_signs_off_keeps_the_raw_eigenvectors():
    svd = exact_svd(SEED_MATRIX, canonical_signs=False)
    # step 3 for λ = 10 gives w = (−2, 1, 0); with canonical signs it is flipped (u₂ = (1, −1)/√2)
    assert svd.V[:, 1] == sp.Matrix([-2, 1, 0]) / sp.sqrt(5)
    assert exact_svd(SEED_MATRIX).V[:, 1] == sp.Matrix([2, -1, 0]) / sp.sqrt(5)
    assert_exact_identities(svd)


# ---- exact SVD: special and random matrices ----------------------------------------------------

@pytest.mark.parametrize("A, singular_values", [
    ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1, 1, 1]),                   # identity: λ = 1 thrice
    ([[1, 0], [0, 1], [0, 0]], [1, 1]),                                # tall, repeated
    ([[0, 0, 0], [0, 0, 0]], []),                                      # zero matrix
    ([[2, 0], [0, 2]], [2, 2]),
    ([[1, 1], [1, 1]], [2]),                                           # rank 1
    ([[5]], [5]),
    ([[-4]], [4]),
    ([[1, 2, 3, 4]], [sp.sqrt(30)]),                                   # wide row
    ([[1], [2], [2]], [3]),                                            # tall column
    ([[1, 2], [2, 4], [3, 6]], [sp.sqrt(70)]),                         # rank-deficient tall
    ([[1, 0, 0], [0, 1, 1], [0, 1, -1]], [sp.sqrt(2), sp.sqrt(2), 1]),  # repeated, non-trivial
    ([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]], [2, 2]),  # 2-dim eigenspace of 4
    ([[Fraction(1, 2), 0], [0, Fraction(-1, 3)]], [sp.Rational(1, 2), sp.Rational(1, 3)]),
])
def test_exact_svd_special_matrices(A, singular_values):
    svd = exact_svd(A)
    m, n = np.shape(np.array(A, dtype=object))
    assert svd.U.shape == (m, m) and svd.V.shape == (n, n) and svd.Sigma.shape == (m, n)
    assert [sp.nsimplify(s) for s in svd.singular_values] == singular_values
    assert svd.rank == len(singular_values)
    assert len(svd.eigenvalues) == n
    assert_exact_identities(svd)


def test_exact_svd_irrational_and_crootof_eigenvalues():
    # quadratic: λ = 15 ± √221, radicals
    svd = exact_svd([[1, 2], [3, 4]])
    assert not svd.V.has(sp.CRootOf)
    assert sp.simplify(svd.singular_values[0] ** 2 - (15 + sp.sqrt(221))) == 0
    assert_exact_identities(svd)
    # irreducible cubic λ³ − 43λ² + 497λ − 900: exact CRootOf eigenvalues
    A = [[0, 0, 2], [3, -3, -2], [2, 3, -2]]
    svd = exact_svd(A)
    lam = sp.Symbol("lambda")
    assert all(isinstance(e, sp.CRootOf) for e in svd.eigenvalues)
    assert all(e.poly.as_expr() == lam ** 3 - 43 * lam ** 2 + 497 * lam - 900
               for e in svd.eigenvalues)
    assert np.allclose([float(s) for s in svd.singular_values],
                       np.linalg.svd(np.array(A, float), compute_uv=False), rtol=1e-12)
    assert_exact_identities(svd)
    assert "CRootOf" in svd.steps()


def test_exact_certificate_can_fail():
    """The algebraic certificate behind verify="certificate" really checks something."""
    from wvlib.linalg import _certify_eigenvectors, _eigenspaces
    A = sp.Matrix([[0, 0, 2], [3, -3, -2], [2, 3, -2]])   # irreducible cubic
    G = A.T * A
    groups = _eigenspaces(G)
    assert _certify_eigenvectors(G, groups)
    K = groups[0].K
    groups[0].basis[0] = [groups[0].basis[0][0] + K.one] + groups[0].basis[0][1:]
    assert not _certify_eigenvectors(G, groups)            # G w = λ w fails
    G = sp.eye(3)                                          # one eigenvalue, 3-dim eigenspace
    groups = _eigenspaces(G)
    assert _certify_eigenvectors(G, groups)
    Q = sp.QQ
    groups[0].basis = [[Q(1), Q(0), Q(0)], [Q(1), Q(1), Q(0)], [Q(0), Q(0), Q(1)]]
    assert not _certify_eigenvectors(G, groups)            # eigenvectors, but not orthogonal


def _random_integer_matrices(count, seed=20240601):
    """Shapes 1..4 × 1..4, entries −3..3; every third one made rank-deficient."""
    rng = np.random.default_rng(seed)
    for t in range(count):
        m, n = rng.integers(1, 5, size=2)
        A = rng.integers(-3, 4, size=(m, n))
        if t % 3 == 0 and n >= 2:
            A[:, -1] = A[:, 0] - A[:, 1 % n] * rng.integers(-1, 2)  # a dependent column
        yield A


@pytest.mark.parametrize("chunk", range(4))
def test_exact_svd_many_random_integer_matrices(chunk):
    # 60 matrices in 4 chunks. verify="certificate" skips the library's own entry-by-entry proof,
    # which assert_exact_identities repeats independently below (for speed).
    matrices = list(_random_integer_matrices(60))[chunk * 15:(chunk + 1) * 15]
    for A in matrices:
        svd = exact_svd(A, verify="certificate")
        m, n = A.shape
        s_float = [float(sp.N(s, 30)) for s in svd.singular_values]
        assert svd.rank == np.linalg.matrix_rank(A)
        assert all(s > 0 for s in s_float)
        assert s_float == sorted(s_float, reverse=True)
        eig = [float(sp.N(e, 30)) for e in svd.eigenvalues]
        assert eig == sorted(eig, reverse=True) and len(eig) == n
        assert np.allclose(s_float, np.linalg.svd(A, compute_uv=False)[:svd.rank], rtol=1e-10)
        assert_exact_identities(svd)


def test_exact_matches_numpy_after_sign_normalisation():
    rng = np.random.default_rng(7)
    compared = 0
    while compared < 6:
        m, n = rng.integers(2, 4, size=2)
        A = rng.integers(-3, 4, size=(m, n))
        s = np.linalg.svd(A, compute_uv=False)
        p = min(m, n)
        if s[-1] < 1e-8 or np.min(np.diff(-s)) < 1e-6:
            continue  # full rank with distinct singular values only
        svd = exact_svd(A, verify="certificate")
        U_e, V_e = to_float(svd.U)[:, :p], to_float(svd.V)[:, :p]
        U_n, s_n, Vt_n = np.linalg.svd(A.astype(float), full_matrices=False)
        U_e, Vt_e = normalize_signs(U_e, V_e.T)
        U_n, Vt_n = normalize_signs(U_n, Vt_n)
        assert np.allclose(U_e, U_n, atol=1e-10) and np.allclose(Vt_e, Vt_n, atol=1e-10)
        assert np.allclose([float(x) for x in svd.singular_values], s_n, rtol=1e-12)
        compared += 1


@pytest.mark.parametrize("A, match", [
    ([[0.5, 1]], r"A has the non-integral float 0\.5 at entry \(0, 0\)"),
    (np.array([[1.0, 2.5]]), "A has the non-integral float 2.5"),
    ([[1, 2], [3]], "A must be a 2-D matrix"),
    ([1, 2, 3], "A must be a 2-D matrix"),
    ([[]], "A must not be empty"),
    ([["a"]], r"A\[0, 0\] must be an integer or a fraction"),
    (sp.Matrix([[sp.sqrt(2)]]), "A.*sqrt"),
    (np.ones((11, 2), dtype=int), "A has shape"),
    ([[True, False]], r"A\[0, 0\] must be an integer"),
])
def test_exact_svd_rejects_bad_input(A, match):
    with pytest.raises(ValueError, match=match):
        exact_svd(A)


def test_exact_svd_rejects_sparse_and_bad_options():
    with pytest.raises(TypeError, match="A must be a small dense matrix"):
        exact_svd(sps.eye(2))
    with pytest.raises(ValueError, match="verify"):
        exact_svd([[1]], verify="maybe")


# ---- the sign pitfall --------------------------------------------------------------------------

def test_naive_svd_from_both_sides_shows_the_sign_pitfall():
    A = sp.Matrix(SEED_MATRIX)
    # SymPy's eigenvectors of AAᵀ happen to have matching signs for the seed matrix ...
    lucky = naive_svd_from_both_sides(SEED_MATRIX)
    assert lucky.matches and lucky.product == A
    assert (lucky.U.T * lucky.U).applyfunc(sp.simplify) == sp.eye(2)
    # ... but −u₂ is an equally valid unit eigenvector of AAᵀ, and then U Σ Vᵀ ≠ A
    flipped = naive_svd_from_both_sides(SEED_MATRIX, flip=[1])
    assert not flipped.matches and flipped.flipped == (1,)
    assert flipped.product != A
    assert flipped.product == A - 2 * sp.sqrt(10) * lucky.U[:, 1] * lucky.V[:, 1].T
    assert (flipped.U.T * flipped.U).applyfunc(sp.simplify) == sp.eye(2)  # still orthonormal
    assert not check_svd(A, flipped.U, flipped.Sigma, flipped.V).ok
    # for [[1, 2], [3, 4]] SymPy's own choice already disagrees
    assert not naive_svd_from_both_sides([[1, 2], [3, 4]]).matches
    with pytest.raises(ValueError, match="flip"):
        naive_svd_from_both_sides(SEED_MATRIX, flip=[2])
    with pytest.raises(ValueError, match="flip"):
        naive_svd_from_both_sides(SEED_MATRIX, flip=3)


# ---- check_svd ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_svd():
    return exact_svd(SEED_MATRIX)


def properties(report):
    return [prop for prop, _ in report.failures]


def test_check_svd_passes_correct_exact_svds(seed_svd):
    A = SEED_MATRIX
    for S, V in ((seed_svd.Sigma, seed_svd.V),
                 (seed_svd.singular_values, seed_svd.V[:, :2]),
                 (sp.diag(*seed_svd.singular_values), seed_svd.V[:, :2])):
        report = check_svd(A, seed_svd.U, S, V)
        assert report.ok and bool(report) and report.exact, str(report)
        assert report.failures == []
        assert report.raise_if_failed() is report
        assert "passed" in str(report)


def test_check_svd_passes_correct_float_svds():
    rng = np.random.default_rng(3)
    for shape in [(5, 3), (3, 5), (4, 4)]:
        A = rng.standard_normal(shape)
        U, s, Vt = np.linalg.svd(A)
        S = np.zeros(shape)
        S[:len(s), :len(s)] = np.diag(s)
        assert check_svd(A, U, S, Vt.T).ok
        Ut, st, Vtt = np.linalg.svd(A, full_matrices=False)
        report = check_svd(A, Ut, st, Vtt.T)
        assert report.ok and not report.exact
        assert check_svd(A, Ut, np.diag(st), Vtt.T).ok
        assert check_svd(A, Ut[:, :2], st[:2], Vtt[:2].T).failures[0][0] == "reconstruction"


def test_check_svd_swapped_columns(seed_svd):
    V = seed_svd.V[:, [1, 0, 2]]
    report = check_svd(SEED_MATRIX, seed_svd.U, seed_svd.Sigma, V)
    assert properties(report) == ["reconstruction"]
    assert "do not belong together" in report.failures[0][1]
    assert "U Σ Vᵀ does not reproduce A" in report.failures[0][1]


def test_check_svd_unnormalised_v(seed_svd):
    W = sp.Matrix.hstack(*(w for _, w in seed_svd.eigenvectors))  # eigenvectors, not normalised
    report = check_svd(SEED_MATRIX, seed_svd.U, seed_svd.Sigma, W)
    assert properties(report) == ["V", "reconstruction"]
    message = report.failures[0][1]
    assert message.startswith("V is not orthogonal: column V[:, 2] has norm sqrt(30) ≈ 5.477 "
                              "(expected 1)")
    assert "Did you normalise the eigenvectors?" in message
    # the same in floating point, with the example's wording
    A = np.array(SEED_MATRIX, float)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    V = Vt.T.copy()
    V[:, 1] *= np.sqrt(2)
    report = check_svd(A, U, s, V)
    assert report.failures[0] == ("V", "V does not have orthonormal columns: column V[:, 1] has "
                                       "norm 1.414 (expected 1). Did you normalise the "
                                       "eigenvectors?")


def test_check_svd_non_orthogonal_columns():
    A = np.array(SEED_MATRIX, float)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    U_bad = U.copy()
    U_bad[:, 1] = (U[:, 0] + U[:, 1]) / np.sqrt(2)  # unit length, but not orthogonal to u₀
    report = check_svd(A, U_bad, s, Vt.T)
    assert properties(report) == ["U", "reconstruction"]
    assert "columns U[:, 0] and U[:, 1] have dot product 0.7071 (expected 0)" in \
        report.failures[0][1]


def test_check_svd_negative_singular_value():
    A = np.array(SEED_MATRIX, float)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    s_bad, U_bad = s.copy(), U.copy()
    s_bad[1], U_bad[:, 1] = -s[1], -U[:, 1]   # U Σ Vᵀ is still A
    report = check_svd(A, U_bad, s_bad, Vt.T)
    assert properties(report) == ["singular values"]
    assert report.failures[0][1].startswith("s[1] = -3.162 is negative")
    # exact version
    svd = exact_svd(SEED_MATRIX)
    U_ex = svd.U.copy()
    U_ex[:, 1] = -U_ex[:, 1]
    report = check_svd(SEED_MATRIX, U_ex, [svd.singular_values[0], -svd.singular_values[1]],
                       svd.V[:, :2])
    assert properties(report) == ["singular values"]
    assert "s[1] = -sqrt(10) ≈ -3.162 is negative" in report.failures[0][1]


def test_check_svd_wrong_order():
    A = np.array(SEED_MATRIX, float)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    report = check_svd(A, U[:, ::-1], s[::-1], Vt[::-1].T)  # consistent, but ascending
    assert properties(report) == ["singular values"]
    assert "s[1] = 3.464 is larger than s[0] = 3.162" in report.failures[0][1]


def test_check_svd_wrong_shapes():
    A = np.array(SEED_MATRIX, float)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    report = check_svd(A, U, s, Vt)  # Vt instead of V
    assert properties(report) == ["shapes", "V", "V", "reconstruction"]  # norms and dot products
    assert report.failures[0][1] == ("V has shape (2, 3) but should be (3, 2) because there are "
                                     "k = 2 singular values. Did you pass Vᵀ instead of V?")
    report = check_svd(A, U, np.zeros((2, 4)), Vt.T)
    assert properties(report)[0] == "shapes" and "Sigma has shape (2, 4)" in str(report)
    U_full, s_full, Vt_full = np.linalg.svd(A)
    S = np.zeros((2, 3))
    S[[0, 1], [0, 1]] = s_full
    report = check_svd(A, U_full, S, Vt_full[:2].T)
    assert "V has shape (3, 2) but should be (3, 3) because Sigma is the full (2, 3) matrix" in \
        report.failures[0][1]


def test_check_svd_sign_flip_of_one_u_column(seed_svd):
    U = seed_svd.U.copy()
    U[:, 1] = -U[:, 1]
    report = check_svd(SEED_MATRIX, U, seed_svd.Sigma, seed_svd.V)
    assert properties(report) == ["reconstruction"]
    expected = 2 * np.abs(to_float(seed_svd.Sigma)[1, 1] * np.outer(to_float(seed_svd.U[:, 1]),
                                                                     to_float(seed_svd.V[:, 1])))
    i, j = np.unravel_index(np.argmax(expected), expected.shape)
    message = report.failures[0][1]
    assert f"the largest error is {expected.max():.4g} at entry ({i}, {j})" in message
    assert "uᵢ = A vᵢ / σᵢ" in message
    with pytest.raises(ValueError, match="reconstruction"):
        report.raise_if_failed()
    assert not report and "1 problem" in str(report)
    # floating point: same diagnosis
    A = np.array(SEED_MATRIX, float)
    Uf, s, Vt = np.linalg.svd(A, full_matrices=False)
    Uf[:, 0] *= -1
    assert properties(check_svd(A, Uf, s, Vt.T)) == ["reconstruction"]


def test_check_svd_sigma_not_diagonal_and_several_failures_at_once():
    A = np.array(SEED_MATRIX, float)
    U, s, Vt = np.linalg.svd(A)
    S = np.zeros((2, 3))
    S[0, 0], S[1, 1], S[0, 1] = s[0], s[1], 0.5
    report = check_svd(A, U, S, Vt.T * 2)
    assert properties(report) == ["Sigma", "V", "reconstruction"]
    assert report.failures[0][1] == "Sigma must be diagonal, but Sigma[0, 1] = 0.5"


def test_check_svd_tolerance_and_bad_input():
    A = np.array(SEED_MATRIX, float)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    noisy = U + 1e-6
    assert not check_svd(A, noisy, s, Vt.T).ok
    assert check_svd(A, noisy, s, Vt.T, tol=1e-4).ok
    with pytest.raises(ValueError, match="tol"):
        check_svd(A, U, s, Vt.T, tol=-1)
    with pytest.raises(ValueError, match="U"):
        check_svd(A, [[np.nan, 0], [0, 1]], s, Vt.T)


# ---- floating point: signs, truncated SVD, power iteration --------------------------------------

def test_normalize_signs():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((6, 4))
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    flip = np.array([1, -1, -1, 1])
    U2, Vt2 = normalize_signs(U * flip, Vt * flip[:, None])
    biggest = np.argmax(np.abs(U2), axis=0)
    assert np.all(U2[biggest, np.arange(4)] > 0)
    assert np.allclose((U2 * s) @ Vt2, A)
    U3, V3 = normalize_signs(U, V=Vt.T)
    assert np.allclose(U3, U2) and np.allclose(V3, Vt2.T)
    # ties up to rounding are broken by the first entry
    u = np.array([[-1.0, 1.0 + 1e-15]]).T / np.sqrt(2)
    assert normalize_signs(u, np.ones((1, 1)))[0][0, 0] > 0
    with pytest.raises(ValueError, match="Vt"):
        normalize_signs(U, Vt[:3])
    with pytest.raises(ValueError, match="exactly one"):
        normalize_signs(U)
    with pytest.raises(ValueError, match="V must have 4 columns"):
        normalize_signs(U, V=Vt.T[:, :3])


def test_truncated_svd_dense_randomized_matches_reference():
    rng = np.random.default_rng(1)
    A, s_true = decaying_matrix(rng, 120, 80)
    U, s, Vt = truncated_svd(A, 8)
    U_ref, s_ref, Vt_ref = truncated_svd(A, 8, method="reference")
    assert U.shape == (120, 8) and s.shape == (8,) and Vt.shape == (8, 80)
    assert np.allclose(s_ref, s_true[:8], rtol=1e-12)
    assert np.max(np.abs(s - s_ref) / s_ref) < 1e-6
    assert np.allclose(U, U_ref, atol=1e-6) and np.allclose(Vt, Vt_ref, atol=1e-6)
    assert np.allclose(U.T @ U, np.eye(8)) and np.allclose(Vt @ Vt.T, np.eye(8))
    # k = min(m, n) is allowed (dense), and the reference equals numpy.linalg.svd
    U, s, Vt = truncated_svd(A, 80, method="reference")
    assert np.allclose(s, np.linalg.svd(A, compute_uv=False))


def test_truncated_svd_sparse_randomized_matches_reference():
    A = decaying_sparse(500, 300, 0.05, seed=2)
    U, s, Vt = truncated_svd(A, 10)
    U_ref, s_ref, Vt_ref = truncated_svd(A, 10, method="reference")
    s_dense = np.linalg.svd(A.toarray(), compute_uv=False)[:10]   # test-only cross-check
    assert np.allclose(s_ref, s_dense, rtol=1e-10)
    assert np.max(np.abs(s - s_ref) / s_ref) < 1e-6
    # the subspaces agree: cosines of the principal angles are 1
    assert np.allclose(np.linalg.svd(U.T @ U_ref, compute_uv=False), 1, atol=1e-6)
    assert np.allclose(np.linalg.svd(Vt @ Vt_ref.T, compute_uv=False), 1, atol=1e-6)
    biggest = np.argmax(np.abs(U), axis=0)
    assert np.all(U[biggest, np.arange(10)] > 0)
    biggest = np.argmax(np.abs(U_ref), axis=0)
    assert np.all(U_ref[biggest, np.arange(10)] > 0)


def test_truncated_svd_never_densifies_sparse_input():
    # a dense copy would need 80 GB; the randomized SVD only needs a few thin blocks
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(0, 100_000, 500), rng.integers(0, 100_000, 500)
    A = sps.csr_matrix((rng.random(500) + 1, (rows, cols)), shape=(100_000, 100_000))
    U, s, Vt = truncated_svd(A, 2, n_oversamples=3, n_iter=1)
    assert U.shape == (100_000, 2) and Vt.shape == (2, 100_000)
    assert s[0] >= s[1] > 0


def test_truncated_svd_is_deterministic():
    A = decaying_sparse(200, 150, 0.1, seed=4, exponent=0.5)
    first = truncated_svd(A, 5, n_iter=1, seed=11)
    again = truncated_svd(A, 5, n_iter=1, seed=11)
    other = truncated_svd(A, 5, n_iter=1, seed=12)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[1], other[1])  # another test matrix Ω, slightly different
    generator = truncated_svd(A, 5, n_iter=1, seed=np.random.default_rng(11))
    assert all(np.array_equal(a, b) for a, b in zip(first, generator))
    ref1 = truncated_svd(A, 5, method="reference", seed=3)
    ref2 = truncated_svd(A, 5, method="reference", seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(ref1, ref2))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(k=0), ValueError, "k must be a positive integer"),
    (dict(k=2.0), ValueError, "k must be a positive integer"),
    (dict(k=31), ValueError, r"k must be at most min\(m, n\) = 30 for A of shape \(40, 30\)"),
    (dict(k=30, method="reference", sparse=True), ValueError,
     r"k must be smaller than min\(m, n\) = 30.*svds"),
    (dict(k=3, method="lanczos"), ValueError, "method must be one of"),
    (dict(k=3, n_iter=-1), ValueError, "n_iter"),
    (dict(k=3, n_oversamples=1.5), ValueError, "n_oversamples"),
    (dict(k=3, seed="x"), ValueError, "seed"),
])
def test_truncated_svd_bad_input(kwargs, error, match):
    kwargs = dict(kwargs)
    A = np.random.default_rng(0).standard_normal((40, 30))
    if kwargs.pop("sparse", False):
        A = sps.csr_matrix(A)
    with pytest.raises(error, match=match):
        truncated_svd(A, **kwargs)


def test_truncated_svd_bad_matrix():
    with pytest.raises(ValueError, match="A contains NaN"):
        truncated_svd(np.array([[1.0, np.nan], [0.0, 1.0]]), 1)
    with pytest.raises(ValueError, match="A must be 2-D"):
        truncated_svd(np.ones(3), 1)


def test_truncated_svd_with_k_equal_min_dimension_randomized_is_exact():
    A = np.random.default_rng(5).standard_normal((12, 7))
    U, s, Vt = truncated_svd(A, 7, n_iter=0)
    assert np.allclose((U * s) @ Vt, A)


def test_power_iteration_matches_numpy():
    rng = np.random.default_rng(2)
    A, _ = decaying_matrix(rng, 50, 30, rate=0.8)
    sigma, u, v = power_iteration(A)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    U, Vt = normalize_signs(U, Vt)
    assert abs(sigma - s[0]) < 1e-10 * s[0]
    assert np.allclose(u, U[:, 0], atol=1e-6) and np.allclose(v, Vt[0], atol=1e-6)
    assert np.allclose(A @ v, sigma * u)
    # sparse input, and the same answer
    sigma_sp, u_sp, _ = power_iteration(sps.csr_matrix(A))
    assert abs(sigma_sp - sigma) < 1e-12 * sigma and np.allclose(u_sp, u)


def test_power_iteration_warns_and_handles_zero_matrix():
    A = np.diag([1.0, 0.999, 0.5])
    with pytest.warns(RuntimeWarning, match="n_iter=5"):
        power_iteration(A, n_iter=5)
    sigma, u, v = power_iteration(np.zeros((3, 2)))
    assert sigma == 0 and u.shape == (3,) and v.shape == (2,)
    with pytest.raises(ValueError, match="n_iter"):
        power_iteration(A, n_iter=0)
    with pytest.raises(ValueError, match="tol"):
        power_iteration(A, tol=-1.0)


# ---- low-rank approximation and Eckart–Young ----------------------------------------------------

def test_eckart_young():
    rng = np.random.default_rng(9)
    A = rng.standard_normal((15, 10))
    s = np.linalg.svd(A, compute_uv=False)
    for k in range(0, 11):
        A_k = low_rank_approximation(A, k)
        assert np.linalg.matrix_rank(A_k) == k
        for norm in ("fro", "spectral"):
            measured = approximation_error(A, k, norm=norm)
            predicted = eckart_young_error(s, k, norm=norm)
            assert measured == pytest.approx(predicted, rel=1e-9, abs=1e-9)
    assert eckart_young_error([3.0, 2.0, 1.0], 1) == pytest.approx(np.sqrt(5))
    assert eckart_young_error([3.0, 2.0, 1.0], 1, "spectral") == 2.0
    assert eckart_young_error([3.0, 2.0, 1.0], 3) == 0.0
    # no other rank-2 matrix does better than A_2 (a random competitor)
    competitor = rng.standard_normal((15, 2)) @ rng.standard_normal((2, 10))
    assert np.linalg.norm(A - competitor) > approximation_error(A, 2)


@pytest.mark.parametrize("call, match", [
    (lambda: eckart_young_error([1.0, 2.0], 1), "s must be sorted"),
    (lambda: eckart_young_error([2.0, -1.0], 1), "s must hold non-negative"),
    (lambda: eckart_young_error([2.0, 1.0], 3), "k must be at most 2"),
    (lambda: eckart_young_error([2.0, 1.0], 1, norm="nuc"), "norm must be one of"),
    (lambda: approximation_error(np.eye(3), 1, norm="l1"), "norm must be one of"),
    (lambda: low_rank_approximation(np.eye(3), 4), "k must be at most 3"),
    (lambda: low_rank_approximation(np.eye(3), -1), "k must be a non-negative integer"),
])
def test_low_rank_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_low_rank_approximation_rejects_sparse():
    with pytest.raises(TypeError, match="A must be a dense array"):
        low_rank_approximation(sps.eye(3), 1)


# ---- the benchmark runs (tiny size; not a timing test) ------------------------------------------

def test_benchmark_smoke(capsys):
    from wvlib.benchmarks import svd as bench
    parser = bench.add_arguments(argparse.ArgumentParser())
    args = parser.parse_args(["--n", "400", "--nnz", "8000", "--k", "20", "--top", "10"])
    assert bench.run(args) == 0
    out = capsys.readouterr().out
    assert "wvlib randomized" in out and "scipy svds" in out and "max relative error" in out
    A = bench.zipf_cooccurrence_matrix(300, 5000, seed=1)
    assert A.shape == (300, 300) and A.nnz >= 0.98 * 5000
    assert A.nnz == bench.zipf_cooccurrence_matrix(300, 5000, seed=1).nnz
