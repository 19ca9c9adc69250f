"""The singular value decomposition by hand, exactly (chapter 2).

:func:`exact_svd` follows the textbook recipe with SymPy — eigenvalues of ``AᵀA``, an orthonormal
eigenvector basis ``V``, ``σᵢ = √λᵢ``, ``uᵢ = A vᵢ / σᵢ`` — keeps every intermediate step so that a
chapter can show them, and proves the result (``U Σ Vᵀ = A``, ``UᵀU = I``, ``VᵀV = I``) exactly,
with an algebraic-number certificate when the eigenvalues are roots of cubics or worse.
:func:`naive_svd_from_both_sides` shows the classic mistake of taking ``U`` from the eigenvectors
of ``AAᵀ`` on its own.

Of the library's numerical modules this is the only one that imports SymPy. The
floating-point SVDs are in :mod:`wvlib.linalg`, the checker of a learner's candidate SVD
in :mod:`wvlib.svdcheck`.

Sign convention (the same as :func:`wvlib.linalg.normalize_signs`): the entry of largest magnitude
of each *left* singular vector ``uᵢ`` is made positive, and ``vᵢ`` is flipped with it, so that
``U Σ Vᵀ`` does not change.
"""
from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import scipy.sparse as sp_sparse
import sympy as sp
from sympy.polys.matrices import DomainMatrix

from ._validate import check_choice

__all__ = ["ExactSVD", "exact_svd", "NaiveSVD", "naive_svd_from_both_sides"]

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
        raise ValueError(f"{name} has shape ({m}, {n}); exact_svd is meant for small "
                         f"matrices (at most {_MAX_EXACT_SIZE} rows and columns). Use "
                         f"wvlib.linalg.truncated_svd for floating point.")
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


