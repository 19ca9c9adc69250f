"""Checking a candidate SVD ``A = U Σ Vᵀ`` and explaining what is wrong with it.

:func:`check_svd` serves two kinds of candidates: the exact ones a learner builds with
SymPy in chapter 2 (compared exactly) and floating-point ones from NumPy (compared within
a tolerance). It lives in its own module, apart from both :mod:`wvlib.exact` and
:mod:`wvlib.linalg`, so that it imports SymPy *only* for an exact candidate: checking
floating-point arrays never loads SymPy.
"""
from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ._validate import check_float, check_matrix, check_vector

__all__ = ["SVDReport", "check_svd"]


def _sympy():
    """SymPy, imported on first use (only exact candidates need it)."""
    import sympy
    return sympy


def _loaded_sympy():
    """SymPy if something has imported it already, else ``None``: then no SymPy object exists,
    and there is no need to import SymPy just to find out that ``X`` is not one."""
    return sys.modules.get("sympy")


def _is_sympy(x, kind="Basic") -> bool:
    """Whether ``x`` is a SymPy object (``kind``: ``"Basic"`` or ``"MatrixBase"``)."""
    sp = _loaded_sympy()
    return sp is not None and isinstance(x, getattr(sp, kind))


def _is_zero(expr) -> bool:
    """Exact ``expr == 0`` (see :mod:`wvlib.exact`)."""
    from .exact import _is_zero as exact_is_zero
    return exact_is_zero(expr)

@dataclass(repr=False)
class SVDReport:
    """What :func:`check_svd` found.

    Attributes
    ----------
    failures : list of (str, str)
        ``(property, message)`` for every failed check, in the order checked. Properties:
        ``"shapes"``, ``"Sigma"``, ``"U"``, ``"V"``, ``"singular values"``, ``"reconstruction"``.
    checked : list of str
        The properties that were examined.
    exact : bool
        Whether exact (SymPy) arithmetic was used.
    """

    failures: list = field(default_factory=list)
    checked: list = field(default_factory=list)
    exact: bool = False

    @property
    def ok(self) -> bool:
        """``True`` when no check failed."""
        return not self.failures

    def __bool__(self):
        return self.ok

    def __str__(self):
        mode = "exact" if self.exact else "floating-point"
        if self.ok:
            return f"SVD check passed ({mode}): " + ", ".join(self.checked) + " all fine."
        lines = [f"SVD check found {len(self.failures)} problem(s) ({mode}):"]
        lines += [f"  - [{prop}] {message}" for prop, message in self.failures]
        return "\n".join(lines)

    def __repr__(self):
        return f"SVDReport(ok={self.ok}, failures={self.failures!r})"

    def raise_if_failed(self):
        """Raise ``ValueError`` with the full report if any check failed; else return ``self``."""
        if not self.ok:
            raise ValueError(str(self))
        return self


def _is_exact_object(X):
    """Whether ``X`` holds exact numbers only: a SymPy matrix or number, an integer, a
    ``Fraction``, or (nested) lists of them."""
    if _is_sympy(X, "MatrixBase"):
        return True
    if isinstance(X, (list, tuple)):
        return all(_is_exact_object(x) for x in X)
    return (_is_sympy(X) or isinstance(X, (numbers.Integral, Fraction))) \
        and not isinstance(X, bool)


def _to_sympy(X, name):
    sp = _sympy()
    if isinstance(X, sp.MatrixBase):
        return sp.Matrix(X)
    if isinstance(X, (list, tuple)) and X and not isinstance(X[0], (list, tuple)):
        return [sp.sympify(x) for x in X]  # a 1-D list of singular values
    try:
        return sp.Matrix(X)
    except Exception:
        raise ValueError(f"{name} must be a sympy.Matrix or a list of rows") from None


def _to_float(X, name, *, allow_vector=False):
    """A float matrix (or, with ``allow_vector``, a 1-D vector) from NumPy/SymPy/list input."""
    sp = _loaded_sympy()  # None: the input holds no SymPy object
    try:
        if allow_vector and isinstance(X, (list, tuple)) and X \
                and not isinstance(X[0], (list, tuple)):
            X = [float(sp.N(x)) if _is_sympy(x) else                     # flat list
                 float(x) if isinstance(x, Fraction) else x for x in X]
        elif _is_sympy(X, "MatrixBase") or (isinstance(X, (list, tuple))
                                            and _is_exact_object(X)):
            if sp is None:  # integers and fractions only
                X = np.array(X, dtype=float)
            else:
                X = np.array(sp.Matrix(X).evalf(20).tolist(), dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must contain real numbers, got {X}") from None
    if allow_vector and np.ndim(X) == 1:
        return check_vector(X, name)
    return check_matrix(X, name, allow_sparse=False)


def _fmt(x) -> str:
    """A number for a message: exact SymPy numbers also show their value (√2 ≈ 1.414)."""
    if _is_sympy(x) and not x.is_Float:
        sp = _loaded_sympy()
        text = sp.sstr(x)
        value = complex(sp.N(x, 15))
        if x.is_Integer or value.imag != 0:
            return text
        return f"{text} ≈ {value.real:.4g}"
    return f"{float(x):.4g}"


def _nonzero_entries(M, exact, tol):
    """``[(|value|, i, j, value)]`` for the entries of ``M`` that are not zero, largest first."""
    found = []
    rows, cols = M.shape
    for i in range(rows):
        for j in range(cols):
            e = M[i, j]
            if exact:
                if not _is_zero(e):
                    found.append((abs(complex(_sympy().N(e, 15))), i, j, e))
            elif abs(e) > tol:
                found.append((abs(float(e)), i, j, e))
    return sorted(found, key=lambda t: -t[0])


def _interpret_sigma(S, m, n, exact):
    """Return ``(form, values, problem)``: form "full", "diagonal" or "vector", the singular values
    on the diagonal, and a message if ``S`` has an impossible shape or non-zero off-diagonals."""
    if isinstance(S, list) or (not exact and np.ndim(S) == 1):
        return "vector", list(S), None
    rows, cols = S.shape
    if (rows, cols) == (m, n):
        form = "full"
    elif rows == cols:
        form = "diagonal"
    else:
        return None, None, (
            f"Sigma has shape ({rows}, {cols}); expected the full ({m}, {n}) Σ, a square "
            f"diagonal k × k matrix, or a 1-D vector of singular values")
    values = [S[i, i] for i in range(min(rows, cols))]
    off = [(i, j) for i in range(rows) for j in range(cols) if i != j
           and (not _is_zero(S[i, j]) if exact else S[i, j] != 0)]
    problem = None
    if off:
        i, j = off[0]
        problem = (f"Sigma must be diagonal, but Sigma[{i}, {j}] = {_fmt(S[i, j])}"
                   + (f" (and {len(off) - 1} more off-diagonal entries)" if len(off) > 1 else ""))
    return form, values, problem


def _check_orthonormal_columns(Q, name, exact, tol, failures):
    k = Q.shape[1]
    gram = Q.T * Q if exact else Q.T @ Q
    error = gram - (_sympy().eye(k) if exact else np.eye(k))
    wrong = _nonzero_entries(error, exact, tol)
    kind = "is not orthogonal" if Q.shape[0] == k else "does not have orthonormal columns"
    diagonal = [t for t in wrong if t[1] == t[2]]
    off = [t for t in wrong if t[1] != t[2]]
    if diagonal:
        _, i, _, _ = diagonal[0]
        norm = _sympy().sqrt(gram[i, i]) if exact else math.sqrt(max(gram[i, i], 0.0))
        more = f" ({len(diagonal) - 1} other column(s) too)" if len(diagonal) > 1 else ""
        failures.append((name, f"{name} {kind}: column {name}[:, {i}] has norm {_fmt(norm)} "
                               f"(expected 1){more}. Did you normalise the eigenvectors?"))
    if off:
        _, i, j, value = off[0]
        i, j = min(i, j), max(i, j)
        failures.append((name, f"{name} {kind}: columns {name}[:, {i}] and {name}[:, {j}] have "
                               f"dot product {_fmt(value)} (expected 0). Eigenvectors of different "
                               f"eigenvalues are orthogonal automatically; inside a repeated "
                               f"eigenvalue's eigenspace use Gram–Schmidt."))


def _check_singular_values(s, exact, tol, failures):
    if exact:
        numeric = []
        for i, x in enumerate(s):
            value = complex(_sympy().N(x, 30))
            if x.is_real is False or abs(value.imag) > 1e-20:
                failures.append(("singular values", f"s[{i}] = {_fmt(x)} is not a real number"))
                return
            numeric.append(value.real)
    else:
        numeric = [float(x) for x in s]
    scale = max([1.0] + [abs(x) for x in numeric])
    negative = [i for i, x in enumerate(numeric) if x < 0 and not (exact and _is_zero(s[i]))
                and (exact or x < -tol * scale)]
    if negative:
        i = negative[0]
        more = f" (and {len(negative) - 1} more)" if len(negative) > 1 else ""
        failures.append(("singular values",
                         f"s[{i}] = {_fmt(s[i])} is negative{more}; singular values are square "
                         f"roots of eigenvalues, so they are ≥ 0. Flip the sign of the matching "
                         f"column of U (or V) instead."))
    for i in range(len(s) - 1):
        bigger = numeric[i + 1] > numeric[i] + (0 if exact else tol * scale)
        if bigger and not (exact and _is_zero(s[i + 1] - s[i])):
            failures.append(("singular values",
                             f"the singular values are not in decreasing order: s[{i + 1}] = "
                             f"{_fmt(s[i + 1])} is larger than s[{i}] = {_fmt(s[i])}. Sort them "
                             f"in decreasing order and reorder the columns of U and V with them."))
            break


def check_svd(A, U, S, V, *, tol=1e-9) -> SVDReport:
    """Check a candidate SVD ``A = U Σ Vᵀ`` and explain every property that fails.

    Parameters
    ----------
    A : array-like or sympy.Matrix, shape (m, n)
    U : array-like or sympy.Matrix
        Left singular vectors as columns: m × m with the full Σ, else m × k.
    S : array-like or sympy.Matrix
        Either the full m × n Σ, a square k × k diagonal matrix, or a 1-D vector of the k singular
        values (a thin/compact SVD: ``U`` is m × k and ``V`` is n × k).
    V : array-like or sympy.Matrix
        Right singular vectors as **columns** (pass ``V``, not ``Vᵀ``).
    tol : float, default 1e-9
        Floating point only: largest accepted entry of ``UᵀU − I`` and ``VᵀV − I``; the
        reconstruction error may be ``tol · max(1, max|A|)``. Exact candidates (all of ``U``,
        ``S``, ``V`` SymPy objects or integers, ``A`` integer/rational) are compared exactly.

    Returns
    -------
    SVDReport
        ``.ok``, ``.failures`` (property, message), ``str(report)``, ``report.raise_if_failed()``.

    Notes
    -----
    The checks, in order: shapes consistent (and Σ diagonal); ``U`` has orthonormal columns; so
    does ``V``; singular values real, non-negative and descending; ``U Σ Vᵀ`` reproduces ``A``.
    Every failure is recorded, not only the first.
    """
    tol = check_float(tol, "tol", low=0)
    exact = all(_is_exact_object(X) for X in (U, S, V))
    if exact:
        from .exact import _as_exact_matrix  # imports SymPy: only for exact candidates
        try:
            A = _as_exact_matrix(A, "A")
        except ValueError:
            exact = False  # a float A: compare in floating point
    if exact:
        U, S, V = _to_sympy(U, "U"), _to_sympy(S, "S"), _to_sympy(V, "V")
    else:
        A = _to_float(A, "A")
        U, V = _to_float(U, "U"), _to_float(V, "V")
        S = _to_float(S, "S", allow_vector=True)
    m, n = A.shape
    report = SVDReport(exact=exact)
    failures = report.failures

    # 1. shapes
    report.checked.append("shapes")
    form, s, problem = _interpret_sigma(S, m, n, exact)
    shapes_fit = form is not None
    if form is not None:
        k = len(s)
        expected_U = (m, m) if form == "full" else (m, k)
        expected_V = (n, n) if form == "full" else (n, k)
        why = (f"because Sigma is the full ({m}, {n}) matrix" if form == "full" else
               f"because there are k = {k} singular values")
        if k > min(m, n):
            failures.append(("shapes", f"there are {k} singular values but A is {m} × {n}, which "
                                       f"has at most min(m, n) = {min(m, n)}"))
            shapes_fit = False
        for name, Q, expected in (("U", U, expected_U), ("V", V, expected_V)):
            if tuple(Q.shape) != expected:
                hint = ""
                if name == "V" and tuple(Q.shape) == expected[::-1]:
                    hint = " Did you pass Vᵀ instead of V?"
                failures.append(("shapes", f"{name} has shape {tuple(Q.shape)} but should be "
                                           f"{expected} {why}.{hint}"))
                shapes_fit = False
    else:
        failures.append(("shapes", problem))
    if problem is not None and form is not None:
        report.checked.append("Sigma")
        failures.append(("Sigma", problem))

    # 2.–3. orthonormal columns
    for name, Q in (("U", U), ("V", V)):
        report.checked.append(name)
        _check_orthonormal_columns(Q, name, exact, tol, failures)

    # 4. singular values
    if s is not None:
        report.checked.append("singular values")
        _check_singular_values(s, exact, tol, failures)

    # 5. reconstruction
    report.checked.append("reconstruction")
    if not shapes_fit:
        failures.append(("reconstruction", "U Σ Vᵀ could not be formed because the shapes do not "
                                           "fit (see above)"))
        return report
    if form == "vector":
        S = _sympy().diag(*s) if exact else np.diag(s)
    product = U * S * V.T if exact else U @ S @ V.T
    scale = 1.0 if exact else max(1.0, float(np.abs(A).max()))
    wrong = _nonzero_entries(product - A, exact, tol * scale)
    if wrong:
        error, i, j, _ = wrong[0]
        hint = ""
        if not any(prop in ("Sigma", "U", "V", "singular values") for prop, _ in failures):
            hint = (" U and V are orthonormal and Σ looks fine, so the columns probably do not "
                    "belong together: compute uᵢ = A vᵢ / σᵢ instead of taking U from the "
                    "eigenvectors of AAᵀ separately (their signs are arbitrary), and keep U, Σ and "
                    "V in the same order.")
        failures.append(("reconstruction",
                         f"U Σ Vᵀ does not reproduce A: the largest error is {error:.4g} at entry "
                         f"({i}, {j}) (U Σ Vᵀ has {_fmt(product[i, j])}, A has "
                         f"{_fmt(A[i, j])}){f'; {len(wrong)} entries differ' if exact else ''}."
                         + hint))
    return report


