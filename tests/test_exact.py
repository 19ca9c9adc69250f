"""Tests for wvlib.exact: the SVD by hand in exact arithmetic and its certificate."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sps
import sympy as sp

from wvlib.exact import ExactSVD, exact_svd, naive_svd_from_both_sides
from wvlib.linalg import normalize_signs
from wvlib.svdcheck import check_svd

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
    from wvlib.exact import _certify_eigenvectors, _eigenspaces
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


@pytest.mark.slow                              # minutes of SymPy
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
