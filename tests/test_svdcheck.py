"""Tests for wvlib.svdcheck: what check_svd says about right and wrong candidate SVDs."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from wvlib.exact import exact_svd
from wvlib.svdcheck import check_svd

SEED_MATRIX = [[3, 1, 1], [-1, 3, 1]]


def to_float(M):
    return np.array(sp.Matrix(M).evalf(30).tolist(), dtype=float)


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


def _sympy_modules_after(code):
    script = ("import sys\n" + code +
              "\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'sympy'))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return done.stdout.strip().splitlines()


def test_float_candidates_are_checked_without_sympy():
    lines = _sympy_modules_after(
        "import numpy as np\n"
        "from fractions import Fraction\n"
        "from wvlib.svdcheck import check_svd\n"
        "A = np.array([[3., 1, 1], [-1, 3, 1]])\n"
        "U, s, Vt = np.linalg.svd(A, full_matrices=False)\n"
        "assert check_svd(A, U, s, Vt.T).ok\n"
        "report = check_svd(A, U, -s, Vt.T)\n"
        "assert [p for p, _ in report.failures] == ['singular values', 'singular values',\n"
        "                                           'reconstruction']\n"
        "assert check_svd(A, [[1, 0], [0, 1]], [Fraction(1, 2), 0], Vt.T[:, :2]).failures\n"
        "print(report)")
    assert lines[-1] == "[]", lines
    assert "is negative" in "\n".join(lines)


def test_exact_candidates_load_sympy_when_needed():
    lines = _sympy_modules_after(
        "from wvlib.svdcheck import check_svd\n"
        "report = check_svd([[2, 0], [0, 1]], [[1, 0], [0, 1]], [2, 1], [[1, 0], [0, 1]])\n"
        "assert report.ok and report.exact, report")
    assert "sympy" in lines[-1]
