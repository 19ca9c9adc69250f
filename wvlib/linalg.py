"""The singular value decomposition (SVD), three ways.

Every embedding method in this course factorises a matrix ``A ≈ U Σ Vᵀ``. This module holds the
linear algebra behind it, from pencil-and-paper to twenty thousand rows:

1. **By hand, exactly** — :func:`exact_svd` follows the textbook recipe with SymPy (eigenvalues of
   ``AᵀA``, an orthonormal eigenvector basis ``V``, ``σᵢ = √λᵢ``, ``uᵢ = A vᵢ / σᵢ``) and keeps every
   intermediate step so a chapter can show them. :func:`naive_svd_from_both_sides` shows the classic
   mistake of taking ``U`` from the eigenvectors of ``AAᵀ`` on its own.
2. **Checking a candidate** — :func:`check_svd` tells a learner which property of their ``U, Σ, V``
   fails, and by how much.
3. **In floating point, at scale** — :func:`normalize_signs`, :func:`truncated_svd` (the randomized
   algorithm of Halko, Martinsson & Tropp 2011, or a LAPACK/ARPACK reference) and
   :func:`power_iteration`.
4. **Low-rank approximation** — :func:`low_rank_approximation`, :func:`approximation_error` and
   :func:`eckart_young_error` (the error the Eckart–Young theorem predicts from the singular values).

Sign convention used everywhere (the singular vectors are only defined up to a sign): the entry of
largest magnitude of each *left* singular vector ``uᵢ`` is made positive, and ``vᵢ`` is flipped with
it, so that ``U Σ Vᵀ`` does not change.
"""
from __future__ import annotations

import functools
import math
import numbers
import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import scipy.linalg
import scipy.sparse as sp_sparse
import scipy.sparse.linalg
import sympy as sp
from sympy.polys.matrices import DomainMatrix

from ._validate import (check_choice, check_float, check_matrix, check_positive_int,
                        check_random_state, check_vector)

__all__ = [
    "ExactSVD", "exact_svd", "NaiveSVD", "naive_svd_from_both_sides",
    "SVDReport", "check_svd",
    "normalize_signs", "truncated_svd", "power_iteration",
    "low_rank_approximation", "approximation_error", "eckart_young_error",
]

# ================================================================================================
# Part 1. The SVD by hand, exactly (SymPy)
# ================================================================================================
#
# The recipe for A (m × n):
#   1. G = AᵀA (n × n, symmetric, positive semi-definite).
#   2. Its eigenvalues λ₁ ≥ λ₂ ≥ … ≥ λₙ ≥ 0 (roots of the characteristic polynomial).
#   3. For each distinct eigenvalue an orthonormal basis of its eigenspace → the columns of V.
#   4. σᵢ = √λᵢ for the r = rank(A) positive eigenvalues and uᵢ = A vᵢ / σᵢ; then complete
#      u₁ … u_r to an orthonormal basis of ℝᵐ.
#   5. Σ is m × n with σ₁ … σ_r on its diagonal.
#   6. Check U Σ Vᵀ = A, UᵀU = I and VᵀV = I.
#
# Step 3 needs care when the characteristic polynomial has an irreducible factor of degree ≥ 3
# (e.g. λ³ − 43λ² + 497λ − 900): its three real roots cannot be written with real square and cube
# roots, and SymPy's radical formulas (with i inside) make solving (G − λI)v = 0 slow and fragile.
# So we compute the eigenvectors *once per irreducible factor f*, with λ = θ a symbol obeying
# f(θ) = 0 — arithmetic in the number field ℚ(θ), which SymPy provides exactly — and then put each
# root of f in for θ. Rational eigenvalues are the special case f = λ − c.

_LAMBDA = sp.Symbol("lambda")
_MAX_EXACT_SIZE = 10  # exact arithmetic grows quickly; this is a tool for small matrices
_DIGITS = 50          # precision used to *order* exact numbers and to double-check results


def _as_rational(value, name, position):
    """One matrix entry as a SymPy ``Rational``; only integers, fractions and integral floats."""
    where = f"{name}[{position[0]}, {position[1]}]"
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where} must be an integer or a fraction, got the boolean {value!r}")
    if isinstance(value, sp.Basic):
        if value.is_Rational:
            return value
        if value.is_Float and value == int(value):
            return sp.Integer(int(value))
        raise ValueError(f"exact_svd works with integer or rational matrices: {where} is {value}")
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Real):
        if math.isfinite(float(value)) and float(value).is_integer():
            return sp.Integer(int(value))
        raise ValueError(
            f"{name} has the non-integral float {float(value)!r} at entry {tuple(position)}; "
            f"an exact SVD needs integers or fractions. Write it as fractions.Fraction or "
            f"sympy.Rational (e.g. sympy.Rational(1, 2)) to say exactly which number you mean.")
    raise ValueError(f"{where} must be an integer or a fraction, got {value!r} "
                     f"({type(value).__name__})")


def _as_exact_matrix(A, name="A"):
    """``A`` (list of lists, NumPy array or SymPy ``Matrix``) as a SymPy ``Matrix`` of rationals."""
    if sp_sparse.issparse(A):
        raise TypeError(f"{name} must be a small dense matrix for exact arithmetic, got a "
                        f"scipy.sparse matrix; call .toarray() first")
    if isinstance(A, sp.MatrixBase):
        rows = A.tolist()
    else:
        try:
            arr = np.asarray(A, dtype=object)
        except Exception as exc:  # pragma: no cover - numpy raises for very odd input only
            raise ValueError(f"{name} must be a 2-D matrix: {exc}") from None
        if arr.ndim != 2:
            raise ValueError(f"{name} must be a 2-D matrix (a list of equally long rows, a NumPy "
                             f"array or a sympy.Matrix), got an array of shape {arr.shape}")
        rows = arr.tolist()
    m = len(rows)
    n = len(rows[0]) if m else 0
    if m == 0 or n == 0:
        raise ValueError(f"{name} must not be empty, got shape ({m}, {n})")
    if max(m, n) > _MAX_EXACT_SIZE:
        raise ValueError(f"{name} has shape ({m}, {n}); exact_svd is meant for small matrices (at "
                         f"most {_MAX_EXACT_SIZE} rows and columns). Use truncated_svd for "
                         f"floating point.")
    return sp.Matrix([[_as_rational(v, name, (i, j)) for j, v in enumerate(row)]
                      for i, row in enumerate(rows)])


# ---- tiny helpers for exact numbers ------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _root_value(root):
    return root.evalf(_DIGITS + 10)


def _numeric(expr):
    """High-precision value of an exact real number (used only to *order* and double-check).

    ``CRootOf`` numbers are evaluated once each and substituted (much faster than letting SymPy
    refine them again inside every expression)."""
    expr = sp.sympify(expr)
    roots = expr.atoms(sp.CRootOf)
    if roots:
        expr = expr.xreplace({r: _root_value(r) for r in roots})
    return sp.N(expr, _DIGITS)


def _is_zero(expr) -> bool:
    """Exact test ``expr == 0`` for an algebraic number built from rationals and radicals.

    Rationalising denominators and expanding usually shows a zero; otherwise a high-precision
    evaluation settles the non-zero case, and a value that still looks like zero is decided
    exactly by its minimal polynomial (which is ``x`` only for 0).
    """
    expr = sp.sympify(expr)
    if expr == 0 or sp.expand(sp.radsimp(sp.expand(expr))) == 0:
        return True  # rationalising denominators and expanding usually shows a zero
    if abs(_numeric(expr)) > sp.Float(10) ** (-(_DIGITS // 2)):
        return False
    x = sp.Dummy("x")
    return sp.minimal_polynomial(expr, x) == x


def _nice_sqrt(expr):
    """``sqrt(expr)`` with nested square roots removed when SymPy can (√(4 + 2√3) = 1 + √3)."""
    root = sp.sqrt(expr)
    return sp.sqrtdenest(root) if root.has(sp.Pow) and not root.has(sp.CRootOf) else root


def _exact_sign(vector) -> int:
    """+1 or −1 so that the entry of largest magnitude of ``vector`` becomes positive.

    Exact ties (like (−1, 1)/√2) are broken by the first such entry.
    """
    values = [_numeric(e) for e in vector]
    largest = max(abs(v) for v in values)
    if largest == 0:
        return 1
    for v in values:
        if abs(v) >= largest * (1 - sp.Float(10) ** (-(_DIGITS // 2))):
            return -1 if v < 0 else 1
    return 1  # pragma: no cover - the loop always returns


# ---- eigenvalues and orthonormal eigenvectors of a symmetric rational matrix --------------------

@dataclass
class _Eigenspaces:
    """The eigenvectors of G for all the roots θ of one irreducible factor ``factor`` of the
    characteristic polynomial, computed once over the number field ``K = ℚ(θ)``."""

    factor: sp.Poly          # monic, irreducible over ℚ
    multiplicity: int        # how often each root is an eigenvalue
    K: object                # SymPy domain: QQ, or QQ<θ> for a factor of degree ≥ 2
    basis: list              # orthogonal (not normalised) eigenvectors, entries in K
    roots: list              # the roots of ``factor`` as SymPy numbers (the eigenvalues)


def _dot(x, y, K):
    total = K.zero
    for a, b in zip(x, y):
        total += a * b
    return total


def _coefficients(element, K):
    """The rational coefficients of an element of K (a polynomial in θ, highest power first)."""
    return [element] if K == sp.QQ else list(element.to_list())


def _primitive(vector, K):
    """Rescale ``vector`` by a positive rational so its coefficients are coprime integers:
    (−1/5, −2/5, 1) becomes (−1, −2, 5). Only the length changes, never the direction."""
    coeffs = [c for e in vector for c in _coefficients(e, K) if c != 0]
    lcm = math.lcm(*(int(c.denominator) for c in coeffs))
    gcd = math.gcd(*(int(c.numerator) for c in coeffs))
    scale = K.convert(sp.QQ(lcm, gcd))
    return [e * scale for e in vector]


def _at_root(element, K, root):
    """Substitute the actual root θ = ``root`` into an element of K, giving a SymPy number."""
    if K == sp.QQ:
        return K.to_sympy(element)
    coeffs = element.to_list()
    degree = len(coeffs) - 1
    return sp.expand(sum(sp.QQ.to_sympy(c) * root ** (degree - i) for i, c in enumerate(coeffs)))


def _roots_of(factor):
    """All (real) roots of an irreducible factor: rational, square-root radicals, or — for degree
    ≥ 3 — SymPy ``CRootOf`` objects (exact roots with no simpler real closed form)."""
    if factor.degree() == 1:
        a, b = factor.all_coeffs()
        return [-b / a]
    if factor.degree() == 2:
        return sorted(sp.roots(factor.as_expr(), _LAMBDA), key=_numeric)
    return [sp.CRootOf(factor, j) for j in range(factor.degree())]


def _eigenspaces(G):
    """Group the eigenvalues of the symmetric rational matrix ``G`` by irreducible factor of its
    characteristic polynomial and compute an orthogonal eigenvector basis for each group."""
    n = G.shape[0]
    charpoly = sp.Poly(G.charpoly(_LAMBDA).as_expr(), _LAMBDA)
    _, factors = charpoly.factor_list()
    G_rational = DomainMatrix.from_Matrix(G).convert_to(sp.QQ)
    groups = []
    for factor, multiplicity in factors:
        factor = factor.monic()
        if factor.degree() == 1:
            K = sp.QQ
            theta = sp.QQ.convert(-factor.all_coeffs()[1])
        else:
            generator = sp.CRootOf(factor, 0)
            K = sp.QQ.algebraic_field(generator)
            theta = K.from_sympy(generator)
        shifted = G_rational.convert_to(K) - DomainMatrix.eye(n, K) * theta
        null_basis = shifted.nullspace().to_list()  # solves (G − θI) w = 0 exactly in K
        if len(null_basis) != multiplicity:  # pragma: no cover - impossible for symmetric G
            raise RuntimeError("eigenspace dimension differs from the multiplicity")
        orthogonal = []  # Gram–Schmidt inside the eigenspace, without normalising (stays in K)
        for b in null_basis:
            w = list(b)
            for q in orthogonal:
                coef = _dot(w, q, K) / _dot(q, q, K)
                w = [wi - coef * qi for wi, qi in zip(w, q)]
            orthogonal.append(_primitive(w, K))
        groups.append(_Eigenspaces(factor, multiplicity, K, orthogonal, _roots_of(factor)))
    return groups


@dataclass
class _Eigenpair:
    value: object       # the eigenvalue λ (exact)
    w: sp.Matrix        # an eigenvector with "nice" entries (not normalised)
    v: sp.Matrix        # the same vector normalised to length 1


def _orthonormal_eigenpairs(G):
    """All eigenpairs of the symmetric rational ``G``, eigenvalues descending (with multiplicity),
    eigenvectors orthonormal. Returns ``(pairs, groups)``."""
    groups = _eigenspaces(G)
    pairs = []
    for group in groups:
        for root in group.roots:
            for w in group.basis:
                w_root = sp.Matrix([_at_root(e, group.K, root) for e in w])
                length = _nice_sqrt(_at_root(_dot(w, w, group.K), group.K, root))
                pairs.append(_Eigenpair(root, w_root, w_root / length))
    # Distinct roots of a square-free rational polynomial differ, so 50 digits order them safely.
    pairs.sort(key=lambda p: -_numeric(p.value))
    return pairs, groups


def _power_sums(factor, count):
    """p_k = sum of θᵏ over all roots θ of the monic ``factor``, k < count (Newton's identities)."""
    a = [sp.QQ.convert(c) for c in factor.all_coeffs()[1:]]  # f = θᵈ + a₁θᵈ⁻¹ + … + a_d
    d = factor.degree()
    p = [sp.QQ(d)]
    for k in range(1, count):
        total = sp.QQ(k) * a[k - 1] if k <= d else sp.QQ(0)
        total += sum((a[i - 1] * p[k - i] for i in range(1, min(k - 1, d) + 1)), sp.QQ(0))
        p.append(-total)
    return p


def _sum_over_roots(element, K, factor):
    """Σ element(θ) over all roots θ of ``factor`` — always rational (the field trace)."""
    if K == sp.QQ:
        return element
    coeffs = element.to_list()
    p = _power_sums(factor, len(coeffs))
    degree = len(coeffs) - 1
    return sum((c * p[degree - i] for i, c in enumerate(coeffs)), sp.QQ(0))


def _certify_eigenvectors(G, groups):
    """Exact proof that the eigenvectors are right and that V is orthogonal.

    (a) G w = θ w holds in K for every basis vector; (b) V Vᵀ = Σᵢ vᵢ vᵢᵀ = I, where the sum of the
    projectors w wᵀ / (wᵀw) over all conjugate roots of a factor is computed exactly as a field
    trace. Together they give VᵀV = I, and with uᵢ = A vᵢ/σᵢ also UᵀU = I and U Σ Vᵀ = A V Vᵀ = A.
    """
    n = G.shape[0]
    total = [[sp.QQ(0)] * n for _ in range(n)]
    for group in groups:
        K = group.K
        G_K = DomainMatrix.from_Matrix(G).convert_to(K).to_list()
        # θ: the rational root itself, or the generator of K (the root CRootOf(f, 0))
        theta = (K.convert(group.roots[0]) if K == sp.QQ
                 else K.from_sympy(sp.CRootOf(group.factor, 0)))
        for w in group.basis:
            for i in range(n):
                if _dot(G_K[i], w, K) != theta * w[i]:
                    return False
            inverse_norm = K.one / _dot(w, w, K)
            for i in range(n):
                for j in range(n):
                    total[i][j] += _sum_over_roots(w[i] * w[j] * inverse_norm, K, group.factor)
    return all(total[i][j] == (1 if i == j else 0) for i in range(n) for j in range(n))


def _complete_orthonormal_basis(A, rank):
    """Orthonormal vectors completing u₁ … u_r (which span the column space of A) to a basis of ℝᵐ.

    Gram–Schmidt on the standard basis vectors e₁, e₂, … against the existing columns: the part of
    eⱼ orthogonal to u₁ … u_r is eⱼ − Σᵢ uᵢ(uᵢᵀeⱼ) = (I − P) eⱼ, where P = Σᵢ uᵢuᵢᵀ is the projector
    onto the column space of A. P = B (BᵀB)⁻¹ Bᵀ for any basis B of that space, so it has
    *rational* entries and we compute it that way — exactly, and without square roots.
    """
    m = A.shape[0]
    if rank == 0:
        P = sp.zeros(m, m)
    else:
        B = sp.Matrix.hstack(*A.columnspace())
        P = B * (B.T * B).inv() * B.T
    new = []
    for j in range(m):
        if len(new) == m - rank:
            break
        w = (sp.eye(m) - P)[:, j]
        for q in new:
            w = w - (q.dot(w) / q.dot(q)) * q
        if any(e != 0 for e in w):
            new.append(w)
    return [w / sp.sqrt(w.dot(w)) for w in new]


@dataclass(repr=False)
class ExactSVD:
    """An exact SVD ``A = U Σ Vᵀ`` with the intermediate steps of the hand computation.

    Attributes
    ----------
    A, AtA, AAt : sympy.Matrix
        The input and the two Gram matrices ``AᵀA`` (n × n) and ``AAᵀ`` (m × m).
    eigenvalues : list
        Eigenvalues of ``AᵀA``, descending, each repeated by its multiplicity (n of them).
    singular_values : list
        ``σᵢ = √λᵢ`` for the ``rank`` positive eigenvalues.
    V, U, Sigma : sympy.Matrix
        n × n orthogonal, m × m orthogonal and m × n "diagonal" factors.
    rank : int
        Number of non-zero singular values.
    characteristic_polynomial : sympy expression
        ``det(λI − AᵀA)`` in factored form.
    eigenvectors : list of (eigenvalue, sympy.Matrix)
        The (orthogonalised, not yet normalised) eigenvector behind each column of ``V``.
    verification : dict
        How each identity was checked (see :func:`exact_svd`).
    """

    A: sp.Matrix
    AtA: sp.Matrix
    AAt: sp.Matrix
    eigenvalues: list
    singular_values: list
    V: sp.Matrix
    U: sp.Matrix
    Sigma: sp.Matrix
    rank: int
    characteristic_polynomial: object = None
    eigenvectors: list = field(default_factory=list)
    verification: dict = field(default_factory=dict)

    @property
    def S(self):
        """Alias for ``Sigma``."""
        return self.Sigma

    def reconstruct(self):
        """``U Σ Vᵀ`` with each entry simplified (equals ``A``)."""
        return (self.U * self.Sigma * self.V.T).applyfunc(sp.simplify)

    def __repr__(self):
        return (f"ExactSVD(shape={self.A.shape}, rank={self.rank}, "
                f"singular_values={self.singular_values})")

    def steps(self) -> str:
        """A step-by-step account of the computation as Markdown with LaTeX (shown in notebooks)."""
        L = sp.latex
        m, n = self.A.shape
        out = [f"**Exact SVD of the {m}×{n} matrix** $A = {L(self.A)}$", ""]
        out += ["**Step 1.** The Gram matrices:", "",
                f"$$A^\\top A = {L(self.AtA)}, \\qquad A A^\\top = {L(self.AAt)}.$$", ""]
        values = ", ".join(L(e) for e in self.eigenvalues)
        out += ["**Step 2.** Eigenvalues of $A^\\top A$ are the roots of its characteristic "
                "polynomial", "",
                f"$$\\det(\\lambda I - A^\\top A) = {L(self.characteristic_polynomial)},$$", "",
                f"so, in decreasing order with multiplicity, $\\lambda = {values}$."]
        if any(e.has(sp.CRootOf) for e in self.eigenvalues):
            out += ["(An irreducible cubic or higher factor has real roots with no simpler real "
                    "closed form; SymPy names them exactly as `CRootOf(polynomial, index)`, "
                    "numbered from the smallest.)"]
        out += ["", "**Step 3.** For each eigenvalue solve $(A^\\top A - \\lambda I)\\,w = 0$ "
                "(Gram–Schmidt inside a repeated eigenvalue's eigenspace), then normalise "
                "$v = w / \\lVert w \\rVert$:"]
        for i, (value, w) in enumerate(self.eigenvectors):
            out.append(f"- $\\lambda_{{{i + 1}}} = {L(value)}$: $w = {L(w.T)}^\\top$, "
                       f"$v_{{{i + 1}}} = {L(self.V[:, i].T)}^\\top$")
        out += ["", f"**Step 4.** The rank is $r = {self.rank}$. Singular values "
                "$\\sigma_i = \\sqrt{\\lambda_i}$ for the positive eigenvalues: "
                + (", ".join(f"$\\sigma_{{{i + 1}}} = {L(s)}$"
                             for i, s in enumerate(self.singular_values)) or "none")
                + ". Left singular vectors $u_i = A v_i / \\sigma_i$ (this keeps $u_i$ and $v_i$ "
                "paired; eigenvectors of $AA^\\top$ taken separately could have the wrong sign)"
                + (f", completed by Gram–Schmidt to an orthonormal basis of "
                   f"$\\mathbb{{R}}^{{{m}}}$" if self.rank < m else "") + ".",
                "Signs: the largest-magnitude entry of each $u_i$ is made positive, flipping "
                "$v_i$ with it.", ""]
        out += ["**Step 5.** The factors:", "",
                f"$$U = {L(self.U)}, \\quad \\Sigma = {L(self.Sigma)}, \\quad "
                f"V = {L(self.V)}.$$", ""]
        checks = "; ".join(f"{k}: {v}" for k, v in self.verification.items())
        out += [f"**Step 6.** Verified: {checks}."]
        return "\n".join(out)

    summary = steps

    def _repr_markdown_(self):
        return self.steps()


def _verify(A, U, Sigma, V, G, groups, literal):
    """Check U Σ Vᵀ = A, UᵀU = I and VᵀV = I; return a dict saying how. Raise if anything fails.

    ``literal=True`` proves every entry of the three residuals zero one by one (when no ``CRootOf``
    appears); otherwise the exact certificate is combined with a high-precision numerical check.
    """
    identities = {"U Σ Vᵀ = A": U * Sigma * V.T - A,
                  "Uᵀ U = I": U.T * U - sp.eye(U.shape[1]),
                  "Vᵀ V = I": V.T * V - sp.eye(V.shape[1])}
    if not _certify_eigenvectors(G, groups):  # pragma: no cover - would be a bug
        raise RuntimeError("exact_svd: the eigenvector certificate failed")
    verification = {}
    literal = literal and not (U.has(sp.CRootOf) or V.has(sp.CRootOf))
    if not literal:
        U_num, S_num, V_num = (M.applyfunc(_numeric) for M in (U, Sigma, V))
        numeric = {"U Σ Vᵀ = A": U_num * S_num * V_num.T - A,
                   "Uᵀ U = I": U_num.T * U_num - sp.eye(U.shape[1]),
                   "Vᵀ V = I": V_num.T * V_num - sp.eye(V.shape[1])}
    for name, residual in identities.items():
        if literal:
            ok = all(_is_zero(e) for e in residual)
            how = "exact"
        else:
            # Entries involving several conjugate CRootOf numbers take SymPy seconds each to
            # simplify; the certificate above proves the identity exactly, and we double-check
            # the actual matrices numerically.
            ok = all(abs(e) < sp.Float(10) ** (-(_DIGITS - 15)) for e in numeric[name])
            how = (f"exact (algebraic-number certificate: AᵀA w = λ w in ℚ(λ), and V Vᵀ = I summed "
                   f"exactly over conjugate roots); entries also agree to {_DIGITS - 15} digits")
        if not ok:  # pragma: no cover - would be a bug
            raise RuntimeError(f"exact_svd: the check {name} failed")
        verification[name] = how
    return verification


def exact_svd(A, *, canonical_signs=True, verify="exact") -> ExactSVD:
    """Compute the SVD of a small integer or rational matrix exactly, the way it is done by hand.

    Parameters
    ----------
    A : list of lists, numpy.ndarray or sympy.Matrix, shape (m, n)
        Integers or fractions (``fractions.Fraction``, ``sympy.Rational``); floats are accepted
        only when they are whole numbers. At most 10 rows and 10 columns.
    canonical_signs : bool, default True
        Make the largest-magnitude entry of each ``uᵢ`` positive, flipping ``vᵢ`` with it (for
        ``i > rank``, where ``σᵢ = 0`` does not tie ``uᵢ`` to ``vᵢ``, each is fixed on its own).
        ``False`` keeps the eigenvectors exactly as they come out of step 3.
    verify : {"exact", "certificate"}, default "exact"
        Step 6. Both are exact proofs. ``"exact"`` additionally shows, entry by entry, that
        ``U Σ Vᵀ − A``, ``UᵀU − I`` and ``VᵀV − I`` are zero (when the entries contain only square
        roots; this can take a second or two for irrational eigenvalues). ``"certificate"`` uses
        only the algebraic certificate described in the notes, plus a numerical double check.

    Returns
    -------
    ExactSVD
        ``U`` (m × m), ``Sigma`` (m × n), ``V`` (n × n) as SymPy matrices with
        ``U * Sigma * V.T == A`` exactly, plus the intermediate steps (``.steps()``).

    Notes
    -----
    Eigenvalues that are roots of an irreducible polynomial of degree ≥ 3 are returned as SymPy
    ``CRootOf`` objects (exact; evaluate with ``sympy.N``).

    The certificate: eigenvectors are computed once per irreducible factor f of the
    characteristic polynomial, in the number field ℚ(θ) with f(θ) = 0, where ``G w = θ w`` is
    checked exactly; and ``V Vᵀ = Σᵢ vᵢvᵢᵀ = I`` is checked exactly by summing ``w wᵀ / wᵀw`` over
    all roots of each f (a field trace, which is rational). Since ``uᵢ = A vᵢ / σᵢ``, this implies
    ``UᵀU = I`` and ``U Σ Vᵀ = A V Vᵀ = A``. When ``CRootOf`` numbers appear, the entry-by-entry
    proof is replaced by this certificate plus a 35-digit numerical check of the matrices, because
    simplifying sums of conjugate ``CRootOf`` expressions takes SymPy seconds per entry.
    ``result.verification`` records what was done.

    Examples
    --------
    >>> svd = exact_svd([[3, 1, 1], [-1, 3, 1]])
    >>> svd.singular_values
    [2*sqrt(3), sqrt(10)]
    >>> svd.U * svd.Sigma * svd.V.T
    Matrix([
    [ 3, 1, 1],
    [-1, 3, 1]])
    """
    A = _as_exact_matrix(A, "A")
    verify = check_choice(verify, "verify", ("exact", "certificate"))
    m, n = A.shape
    AtA, AAt = A.T * A, A * A.T

    pairs, groups = _orthonormal_eigenpairs(AtA)                         # steps 2 and 3
    eigenvalues = [p.value for p in pairs]
    rank = sum(1 for value in eigenvalues if value != 0)
    singular_values = [_nice_sqrt(value) for value in eigenvalues[:rank]]
    v_columns = [p.v for p in pairs]
    u_columns = [A * v_columns[i] / singular_values[i] for i in range(rank)]  # step 4
    u_columns += _complete_orthonormal_basis(A, rank)

    if canonical_signs:
        for i in range(m):
            sign = _exact_sign(u_columns[i])
            u_columns[i] = sign * u_columns[i]
            if i < rank:
                v_columns[i] = sign * v_columns[i]
        for i in range(rank, n):
            v_columns[i] = _exact_sign(v_columns[i]) * v_columns[i]

    U, V = sp.Matrix.hstack(*u_columns), sp.Matrix.hstack(*v_columns)
    Sigma = sp.zeros(m, n)                                                  # step 5
    for i, s in enumerate(singular_values):
        Sigma[i, i] = s
    verification = _verify(A, U, Sigma, V, AtA, groups, verify == "exact")                   # step 6
    charpoly = sp.factor(AtA.charpoly(_LAMBDA).as_expr())
    return ExactSVD(A=A, AtA=AtA, AAt=AAt, eigenvalues=eigenvalues,
                    singular_values=singular_values, V=V, U=U, Sigma=Sigma, rank=rank,
                    characteristic_polynomial=charpoly,
                    eigenvectors=[(p.value, p.w) for p in pairs], verification=verification)


@dataclass(repr=False)
class NaiveSVD:
    """Result of :func:`naive_svd_from_both_sides`: a *candidate* SVD that may be wrong.

    Attributes: ``A``, ``U`` (normalised eigenvectors of ``AAᵀ``), ``Sigma``, ``V`` (normalised
    eigenvectors of ``AᵀA``), ``product`` (``U Σ Vᵀ``, simplified), ``matches`` (whether it equals
    ``A`` exactly) and ``flipped`` (columns of ``U`` whose sign was flipped on request).
    """

    A: sp.Matrix
    U: sp.Matrix
    Sigma: sp.Matrix
    V: sp.Matrix
    product: sp.Matrix
    matches: bool
    flipped: tuple = ()

    def __repr__(self):
        return (f"NaiveSVD(shape={self.A.shape}, matches={self.matches}, "
                f"flipped={self.flipped})")


def naive_svd_from_both_sides(A, *, flip=()) -> NaiveSVD:
    """The tempting but wrong recipe: ``V`` from ``AᵀA`` and, *independently*, ``U`` from ``AAᵀ``.

    Both ``U`` and ``V`` are orthonormal eigenvector matrices and ``Σ`` is right, yet ``U Σ Vᵀ``
    need not equal ``A``: each eigenvector is only defined up to sign (up to a rotation for a
    repeated eigenvalue), and nothing ties the sign chosen for ``uᵢ`` to the one chosen for ``vᵢ``.
    The correct recipe, :func:`exact_svd`, sets ``uᵢ = A vᵢ / σᵢ``.

    Parameters
    ----------
    A : small integer/rational matrix (as for :func:`exact_svd`)
    flip : iterable of int, default ()
        Column indices (0-based) of ``U`` to multiply by −1 — an equally valid eigenvector of
        ``AAᵀ``. Use it to show the pitfall deterministically.

    Returns
    -------
    NaiveSVD

    Notes
    -----
    Whether the unflipped version happens to work depends on which eigenvectors SymPy returns.
    For the course's seed matrix ``[[3, 1, 1], [-1, 3, 1]]`` SymPy (1.14) returns eigenvectors
    whose signs happen to agree, so ``matches`` is ``True`` by luck; ``flip=(1,)`` (the equally
    valid eigenvector ``−u₂``) gives ``U Σ Vᵀ ≠ A``. For ``[[1, 2], [3, 4]]`` the signs already
    disagree without flipping.
    """
    A = _as_exact_matrix(A, "A")
    m, n = A.shape
    try:
        flip = tuple(sorted({int(i) for i in flip}))
    except (TypeError, ValueError):
        raise ValueError(f"flip must be an iterable of column indices, got {flip!r}") from None
    if any(i < 0 or i >= m for i in flip):
        raise ValueError(f"flip must contain column indices of U between 0 and {m - 1}, "
                         f"got {flip}")
    v_pairs, _ = _orthonormal_eigenpairs(A.T * A)
    u_pairs, _ = _orthonormal_eigenpairs(A * A.T)
    V = sp.Matrix.hstack(*(p.v for p in v_pairs))
    U = sp.Matrix.hstack(*((-p.v if i in flip else p.v) for i, p in enumerate(u_pairs)))
    Sigma = sp.zeros(m, n)
    for i, p in enumerate(v_pairs[:min(m, n)]):
        Sigma[i, i] = _nice_sqrt(p.value)
    product = U * Sigma * V.T
    matches = all(_is_zero(e) for e in product - A)
    if not product.has(sp.CRootOf):
        product = product.applyfunc(sp.simplify)
    return NaiveSVD(A=A, U=U, Sigma=Sigma, V=V, product=product, matches=matches, flipped=flip)


# ================================================================================================
# Part 2. Checking a candidate SVD
# ================================================================================================

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
    if isinstance(X, sp.MatrixBase):
        return True
    if isinstance(X, (list, tuple)):
        return all(_is_exact_object(x) for x in X)
    return isinstance(X, (sp.Basic, numbers.Integral, Fraction)) and not isinstance(X, bool)


def _to_sympy(X, name):
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
    try:
        if allow_vector and isinstance(X, (list, tuple)) and X \
                and not isinstance(X[0], (list, tuple)):
            X = [float(sp.N(x)) if isinstance(x, sp.Basic) else x for x in X]  # flat list
        elif isinstance(X, sp.MatrixBase) or (isinstance(X, (list, tuple))
                                              and _is_exact_object(X)):
            X = np.array(sp.Matrix(X).evalf(20).tolist(), dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must contain real numbers, got {X}") from None
    if allow_vector and np.ndim(X) == 1:
        return check_vector(X, name)
    return check_matrix(X, name, allow_sparse=False)


def _fmt(x) -> str:
    """A number for a message: exact SymPy numbers also show their value (√2 ≈ 1.414)."""
    if isinstance(x, sp.Basic) and not x.is_Float:
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
                    found.append((abs(complex(sp.N(e, 15))), i, j, e))
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
    error = gram - (sp.eye(k) if exact else np.eye(k))
    wrong = _nonzero_entries(error, exact, tol)
    kind = "is not orthogonal" if Q.shape[0] == k else "does not have orthonormal columns"
    diagonal = [t for t in wrong if t[1] == t[2]]
    off = [t for t in wrong if t[1] != t[2]]
    if diagonal:
        _, i, _, _ = diagonal[0]
        norm = sp.sqrt(gram[i, i]) if exact else math.sqrt(max(gram[i, i], 0.0))
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
            value = complex(sp.N(x, 30))
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
        S = sp.diag(*s) if exact else np.diag(s)
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


# ================================================================================================
# Part 3. Floating-point SVD
# ================================================================================================

def _largest_entry_signs(U):
    """±1 per column so that each column's largest-magnitude entry becomes positive.

    Entries within a relative 1e-9 of the largest count as tied, and the first of them decides,
    so that rounding noise cannot change the choice (e.g. for u = (−1, 1)/√2)."""
    magnitudes = np.abs(U)
    near_max = magnitudes >= magnitudes.max(axis=0, keepdims=True) * (1 - 1e-9)
    rows = np.argmax(near_max, axis=0)
    signs = np.sign(U[rows, np.arange(U.shape[1])])
    signs[signs == 0] = 1
    return signs


def normalize_signs(U, Vt=None, *, V=None):
    """Fix the sign ambiguity of singular vectors deterministically.

    For each ``i`` the entry of largest magnitude of the left singular vector ``uᵢ = U[:, i]`` is
    made positive and ``vᵢ`` is flipped with it, so ``U Σ Vᵀ`` is unchanged. (Ties up to rounding
    are broken by the first such entry.)

    Parameters
    ----------
    U : ndarray, shape (m, k)
    Vt : ndarray, shape (k, n), optional
        Right singular vectors as **rows** (what ``numpy.linalg.svd`` returns).
    V : ndarray, shape (n, k), keyword-only, optional
        Or give them as **columns** instead. Exactly one of ``Vt`` and ``V`` is required.

    Returns
    -------
    (U, Vt) or (U, V)
        New arrays, in the same layout as the input.
    """
    if (Vt is None) == (V is None):
        raise ValueError("normalize_signs needs exactly one of Vt (rows) or V= (columns)")
    U = check_matrix(U, "U", allow_sparse=False)
    k = U.shape[1]
    if V is not None:
        V = check_matrix(V, "V", allow_sparse=False)
        if V.shape[1] != k:
            raise ValueError(f"V must have {k} columns like U (shape {U.shape}), got shape "
                             f"{V.shape}")
        signs = _largest_entry_signs(U)
        return U * signs, V * signs
    Vt = check_matrix(Vt, "Vt", allow_sparse=False)
    if Vt.shape[0] != k:
        raise ValueError(f"Vt must have {k} rows like U has columns (U has shape {U.shape}), "
                         f"got shape {Vt.shape}; to pass V as columns use normalize_signs(U, V=V)")
    signs = _largest_entry_signs(U)
    return U * signs, Vt * signs[:, None]


def _orthonormalize(Y):
    """An orthonormal basis of the columns of ``Y`` (thin QR)."""
    Q, _ = scipy.linalg.qr(Y, mode="economic", overwrite_a=True, check_finite=False)
    return Q


def _randomized_svd(A, k, n_oversamples, n_iter, rng):
    """Halko, Martinsson & Tropp (2011): Algorithm 4.4 (randomized subspace iteration) + 5.1.

    Find an orthonormal Q (m × ℓ, ℓ = k + p) whose span captures the top of the range of A, then
    take the SVD of the small ℓ × n matrix B = QᵀA.
    """
    m, n = A.shape
    ell = min(k + n_oversamples, min(m, n))
    At = A.T.tocsr() if sp_sparse.issparse(A) else A.T    # Aᵀ as CSR: faster products
    Omega = rng.standard_normal((n, ell))                  # Gaussian test matrix
    Q = _orthonormalize(A @ Omega)                         # Y = A Ω, Q = qr(Y)
    for _ in range(n_iter):                                 # subspace (power) iteration:
        Q = _orthonormalize(At @ Q)                        #   re-orthonormalise after every
        Q = _orthonormalize(A @ Q)                         #   product so small directions survive
    # SVD of B = QᵀA (ℓ × n, short and wide). We take it through a QR of Bᵀ = AᵀQ = Q_B R, so
    # B = Rᵀ Q_Bᵀ and only the ℓ × ℓ matrix Rᵀ = Ũ Σ Wᵀ needs an SVD: B = Ũ Σ (Q_B W)ᵀ.
    # (Mathematically the same as svd(B); noticeably faster than LAPACK on the wide B.)
    Q_B, R = scipy.linalg.qr(np.asarray(At @ Q), mode="economic", overwrite_a=True,
                             check_finite=False)
    U_small, s, Wt = scipy.linalg.svd(R.T, check_finite=False)
    U = Q @ U_small[:, :k]
    Vt = Wt[:k] @ Q_B.T
    return U, s[:k], Vt


def _reference_svd(A, k, rng):
    if sp_sparse.issparse(A):
        v0 = rng.standard_normal(min(A.shape))
        U, s, Vt = scipy.sparse.linalg.svds(A, k=k, v0=v0)
        order = np.argsort(s)[::-1]
        return U[:, order], s[order], Vt[order]
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return U[:, :k], s[:k], Vt[:k]


def truncated_svd(A, k, *, method="randomized", n_oversamples=10, n_iter=4, seed=0):
    """The ``k`` largest singular values and vectors of a dense or sparse matrix.

    Parameters
    ----------
    A : ndarray or scipy.sparse matrix, shape (m, n)
        Sparse input is never converted to a dense matrix.
    k : int
        Number of singular triplets, ``1 ≤ k ≤ min(m, n)`` (``k < min(m, n)`` for
        ``method="reference"`` on sparse input, a limit of ARPACK).
    method : {"randomized", "reference"}
        ``"randomized"``: randomized subspace iteration (Halko, Martinsson & Tropp 2011,
        Algorithms 4.4 and 5.1) with a Gaussian test matrix of ``k + n_oversamples`` columns and
        ``n_iter`` power iterations, re-orthonormalised by QR after each product.
        ``"reference"``: ``numpy.linalg.svd`` for dense input, ``scipy.sparse.linalg.svds``
        (ARPACK, starting vector drawn from ``seed``) for sparse input.
    n_oversamples : int, default 10
        Extra random directions ``p`` (randomized only).
    n_iter : int, default 4
        Power iterations ``q`` (randomized only); more iterations, more accuracy when the
        singular values decay slowly.
    seed : None, int or numpy.random.Generator, default 0

    Returns
    -------
    U : ndarray, shape (m, k)
    s : ndarray, shape (k,)
        Singular values, descending.
    Vt : ndarray, shape (k, n)
        Signs normalised (see :func:`normalize_signs`).
    """
    method = check_choice(method, "method", ("randomized", "reference"))
    A = check_matrix(A, "A")
    m, n = A.shape
    k = check_positive_int(k, "k")
    if k > min(m, n):
        raise ValueError(f"k must be at most min(m, n) = {min(m, n)} for A of shape {A.shape}, "
                         f"got k={k}")
    if method == "reference" and sp_sparse.issparse(A) and k >= min(m, n):
        raise ValueError(f"k must be smaller than min(m, n) = {min(m, n)} for method='reference' "
                         f"on a sparse A of shape {A.shape} (scipy.sparse.linalg.svds / ARPACK "
                         f"needs k < min(m, n)), got k={k}; use method='randomized' or a dense A")
    n_oversamples = check_positive_int(n_oversamples, "n_oversamples", allow_zero=True)
    n_iter = check_positive_int(n_iter, "n_iter", allow_zero=True)
    rng = check_random_state(seed)
    if method == "randomized":
        U, s, Vt = _randomized_svd(A, k, n_oversamples, n_iter, rng)
    else:
        U, s, Vt = _reference_svd(A, k, rng)
    U, Vt = normalize_signs(U, Vt)
    return U, s, Vt


def power_iteration(A, *, n_iter=1000, tol=1e-10, seed=0):
    """The largest singular value and its singular vectors by power iteration (for teaching).

    Repeats ``v ← AᵀA v / ‖AᵀA v‖`` from a random start until ``v`` changes by less than ``tol``
    (Euclidean norm). Convergence is geometric with ratio ``(σ₂/σ₁)²``.

    Parameters
    ----------
    A : ndarray or scipy.sparse matrix, shape (m, n)
    n_iter : int, default 1000
        Maximum number of iterations (a ``RuntimeWarning`` is issued if it is reached).
    tol : float, default 1e-10
    seed : None, int or numpy.random.Generator, default 0

    Returns
    -------
    sigma : float
    u : ndarray, shape (m,)
        Its largest-magnitude entry is positive (the sign convention).
    v : ndarray, shape (n,)
        ``A v = sigma u``.
    """
    A = check_matrix(A, "A")
    n_iter = check_positive_int(n_iter, "n_iter")
    tol = check_float(tol, "tol", low=0)
    rng = check_random_state(seed)
    m, n = A.shape
    v = rng.standard_normal(n)
    v /= np.linalg.norm(v)
    for _ in range(n_iter):
        w = A.T @ (A @ v)
        norm = np.linalg.norm(w)
        if norm == 0:  # A v = 0: A is the zero matrix (or v was unlucky, which a Gaussian is not)
            u = np.zeros(m)
            u[0] = 1.0
            return 0.0, u, v
        w /= norm
        change = np.linalg.norm(w - v)
        v = w
        if change < tol:
            break
    else:
        warnings.warn(f"power_iteration did not converge in n_iter={n_iter} iterations "
                      f"(last change {change:.2e} > tol={tol:g}); σ₁ and σ₂ may be close",
                      RuntimeWarning, stacklevel=2)
    Av = A @ v
    sigma = float(np.linalg.norm(Av))
    u = Av / sigma
    sign = _largest_entry_signs(u[:, None])[0]
    return sigma, u * sign, v * sign


# ================================================================================================
# Part 4. Low-rank approximation (Eckart–Young)
# ================================================================================================

def _check_rank(k, limit, name="k"):
    k = check_positive_int(k, name, allow_zero=True)
    if k > limit:
        raise ValueError(f"{name} must be at most {limit} (the number of singular values), "
                         f"got {k}")
    return k


def low_rank_approximation(A, k):
    """The best rank-``k`` approximation ``A_k = U_k Σ_k V_kᵀ`` of a dense matrix.

    Parameters
    ----------
    A : array-like, shape (m, n) (dense)
    k : int, 0 ≤ k ≤ min(m, n) (``k = 0`` gives the zero matrix)

    Returns
    -------
    ndarray, shape (m, n)
    """
    A = check_matrix(A, "A", allow_sparse=False)
    k = _check_rank(k, min(A.shape))
    if k == 0:
        return np.zeros_like(A)
    U, s, Vt = truncated_svd(A, k, method="reference")
    return (U * s) @ Vt


def approximation_error(A, k, norm="fro"):
    """``‖A − A_k‖`` for the best rank-``k`` approximation, measured directly.

    Parameters
    ----------
    A : array-like, shape (m, n) (dense)
    k : int, 0 ≤ k ≤ min(m, n)
    norm : {"fro", "spectral"}
        Frobenius norm or spectral (operator 2-) norm.

    Returns
    -------
    float
        Equal (up to rounding) to ``eckart_young_error(s, k, norm)`` for the singular values
        ``s`` of ``A`` — the Eckart–Young theorem.
    """
    norm = check_choice(norm, "norm", ("fro", "spectral"))
    A = check_matrix(A, "A", allow_sparse=False)
    residual = A - low_rank_approximation(A, k)
    return float(np.linalg.norm(residual, "fro" if norm == "fro" else 2))


def eckart_young_error(s, k, norm="fro"):
    """The error of the best rank-``k`` approximation predicted from the singular values alone.

    Eckart–Young: ``‖A − A_k‖_F = √(σ_{k+1}² + … + σ_p²)`` and ``‖A − A_k‖₂ = σ_{k+1}``
    (0 when ``k`` equals the number of singular values).

    Parameters
    ----------
    s : array-like, shape (p,)
        *All* ``p = min(m, n)`` singular values of ``A``, non-negative and descending.
    k : int, 0 ≤ k ≤ p
    norm : {"fro", "spectral"}

    Returns
    -------
    float
    """
    norm = check_choice(norm, "norm", ("fro", "spectral"))
    s = check_vector(s, "s")
    if np.any(s < 0):
        raise ValueError("s must hold non-negative singular values")
    if np.any(np.diff(s) > 0):
        raise ValueError("s must be sorted in decreasing order")
    k = _check_rank(k, len(s))
    discarded = s[k:]
    if norm == "spectral":
        return float(discarded[0]) if len(discarded) else 0.0
    return float(np.sqrt(np.sum(discarded ** 2)))
