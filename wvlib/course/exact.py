"""Exact (SymPy) answers: how they travel as plain data, and how they are compared exactly.

* Transport: the grader moves values out of a student's kernel as plain data only. Exact answers
  (SymPy numbers, expressions, matrices) travel as a small JSON tree with a whitelist of node
  types (:func:`sympy_to_data`), and are rebuilt without ever calling ``eval``/``sympify`` on text
  that came from a submission (:func:`data_to_sympy`, bounded by :func:`exact_data_cost`).
* Comparison: :func:`exactly_zero` decides ``x == 0`` for numbers built from integers, fractions
  and radicals; the ``expect_exact_*`` helpers compare an exact answer with a stored one, or check
  a property (unit columns, eigenvectors of a given matrix, orthogonal eigenspaces) — for any valid
  choice of signs and bases. They are the exact counterparts of the ``expect_*`` helpers of
  :mod:`wvlib.course.checks`, which re-exports the transport functions.
"""
from __future__ import annotations

import math

import numpy as np

from .failures import CheckFailed

# The grader moves values out of a student's kernel as plain data only. Exact answers (SymPy
# numbers, expressions, matrices) travel as a small JSON tree with a whitelist of node types, and
# are rebuilt here without ever calling eval/sympify on text that came from a submission.
_SYMPY_MAX_NODES = 20_000


def sympy_to_data(value):
    """Encode a SymPy number, expression or matrix as a JSON-able tree."""
    import sympy
    if isinstance(value, sympy.MatrixBase):
        return {"matrix": [[sympy_to_data(x) for x in row] for row in value.tolist()]}
    value = sympy.sympify(value) if isinstance(value, (int, float)) else value
    if isinstance(value, sympy.Integer):
        return {"int": str(int(value))}
    if isinstance(value, sympy.Rational):
        return {"rational": [str(int(value.p)), str(int(value.q))]}
    if isinstance(value, sympy.Float):
        return {"float": float(value)}
    if isinstance(value, sympy.Symbol):
        return {"symbol": value.name}
    if value is sympy.pi:
        return {"const": "pi"}
    if value is sympy.E:
        return {"const": "E"}
    if value is sympy.I:
        return {"const": "I"}
    for op in ("Add", "Mul", "Pow"):
        if isinstance(value, getattr(sympy, op)):
            return {op.lower(): [sympy_to_data(a) for a in value.args]}
    raise TypeError(f"cannot transport a {type(value).__name__} ({value}) as exact data")


#: Limits on an encoded exact value, checked before anything is built: nodes, nesting depth,
#: digits of a literal, and an upper bound on the digits of any number SymPy would compute
#: while rebuilding it (``Pow(Pow(10, 7000), 7000)`` has small parts and 98 million digits).
MAX_EXACT_DEPTH = 100
MAX_EXACT_LITERAL_DIGITS = 1000
MAX_EXACT_DIGITS = 20_000


def exact_data_cost(data) -> int:
    """Check the shape of an encoded exact value (see :func:`sympy_to_data`) and bound its cost.

    Returns an upper bound on the number of digits of the largest number SymPy could compute
    when rebuilding it; raises ``ValueError`` for anything malformed or over a limit (see
    ``MAX_EXACT_*``). Runs in time proportional to the size of ``data``; builds nothing."""
    budget = [_SYMPY_MAX_NODES]

    def integer(text):
        if not isinstance(text, str) or not 0 < len(text.lstrip("-")) <= \
                MAX_EXACT_LITERAL_DIGITS or not text.lstrip("-").isdigit() or \
                not text.lstrip("-").isascii():
            raise ValueError("a malformed exact integer")
        return len(text.lstrip("-"))

    def magnitude(node):
        """An upper bound on |value| of a plain number node (None if not a plain number)."""
        (kind, arg), = node.items()
        if kind == "int":
            return abs(int(arg))
        if kind == "rational":
            return abs(int(arg[0]))
        return None

    def digits(node, depth):
        budget[0] -= 1
        if budget[0] < 0 or depth > MAX_EXACT_DEPTH:
            raise ValueError("exact answer too large")
        if not isinstance(node, dict) or len(node) != 1:
            raise ValueError(f"not an encoded exact value: {str(node)[:80]}")
        (kind, arg), = node.items()
        if kind == "int":
            return integer(arg)
        if kind == "rational":
            if not isinstance(arg, list) or len(arg) != 2:
                raise ValueError("a malformed exact fraction")
            if arg[1].lstrip("-") == "0" if isinstance(arg[1], str) else False:
                raise ValueError("a fraction with denominator 0")
            return integer(arg[0]) + integer(arg[1])
        if kind == "float":
            if type(arg) not in (float, int) or not math.isfinite(arg):
                raise ValueError("a malformed exact float")
            return 20
        if kind == "symbol":
            if not isinstance(arg, str) or not 0 < len(arg) <= 50:
                raise ValueError("a malformed symbol")
            return 1
        if kind == "const":
            if arg not in ("pi", "E", "I"):
                raise ValueError("an unknown constant")
            return 1
        if kind == "matrix":
            if not isinstance(arg, list) or not all(isinstance(r, list) for r in arg) or \
                    len({len(r) for r in arg}) > 1:
                raise ValueError("a malformed exact matrix")
            return max([digits(x, depth + 1) for r in arg for x in r] or [1])
        if kind in ("add", "mul", "pow"):
            if not isinstance(arg, list) or not arg:
                raise ValueError("a malformed exact expression")
            parts = [digits(a, depth + 1) for a in arg]
            if kind == "add":
                cost = max(parts) + len(parts)
            elif kind == "mul":
                cost = sum(parts)
            else:
                if len(arg) != 2:
                    raise ValueError("pow takes two arguments")
                exponent = magnitude(arg[1])
                if exponent is None:        # an expression: |e| < 10 ** digits(e)
                    exponent = 10 ** min(parts[1], 12)
                cost = parts[0] * max(exponent, 1)
            if cost > MAX_EXACT_DIGITS:
                raise ValueError(f"exact answer too large (a number of up to {cost:,} digits "
                                 f"would be computed; the limit is {MAX_EXACT_DIGITS:,})")
            return cost
        raise ValueError(f"unknown node {str(kind)[:20]!r} in an encoded exact value")

    return digits(data, 0)


def data_to_sympy(data):
    """Rebuild what :func:`sympy_to_data` encoded; refuse anything else, and anything whose
    rebuilding could be expensive, before building it (:func:`exact_data_cost`)."""
    exact_data_cost(data)
    return _build_sympy(data)


def _build_sympy(data):
    import sympy
    (kind, arg), = data.items()
    if kind == "matrix":
        rows = [[_build_sympy(x) for x in row] for row in arg]
        return sympy.Matrix(rows) if rows and rows[0] else sympy.zeros(len(rows), 0)
    if kind == "int":
        return sympy.Integer(int(arg))
    if kind == "rational":
        return sympy.Rational(int(arg[0]), int(arg[1]))
    if kind == "float":
        return sympy.Float(float(arg))
    if kind == "symbol":
        return sympy.Symbol(arg)
    if kind == "const":
        return {"pi": sympy.pi, "E": sympy.E, "I": sympy.I}[arg]
    args = [_build_sympy(a) for a in arg]
    if kind == "pow":
        return sympy.Pow(*args)
    return (sympy.Add if kind == "add" else sympy.Mul)(*args)


def as_sympy(value, what: str):
    """An exact answer as a SymPy object: SymPy values pass through (learner's notebook), encoded
    trees from the grader are rebuilt, plain numbers and nested lists are converted."""
    import sympy
    if isinstance(value, (sympy.Basic, sympy.MatrixBase)):
        return value
    if isinstance(value, dict) and "__sympy__" in value:
        try:
            return data_to_sympy(value["__sympy__"])
        except (ValueError, TypeError, KeyError) as exc:
            raise CheckFailed(f"{what} could not be read as an exact value: {exc}") from None
    if isinstance(value, bool):
        raise CheckFailed(f"{what} should be an exact number or matrix, got a bool")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            return sympy.Matrix(value) if np.ndim(value) == 2 else [as_sympy(v, what)
                                                                    for v in value]
        except Exception:
            raise CheckFailed(f"{what} should be a SymPy Matrix or a list, got "
                              f"{str(value)[:100]}") from None
    if isinstance(value, float):
        raise CheckFailed(f"{what} = {value} is a floating-point number; the answer should be "
                          f"exact (use sympy.sqrt, sympy.Rational, ...)")
    raise CheckFailed(f"{what} should be an exact SymPy value, got {type(value).__name__}")


# --------------------------------------------------------------------------------------------
# Exact comparisons
# --------------------------------------------------------------------------------------------
def _expect(condition, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _approx(value) -> str:
    """A short numerical rendering of an exact number, for messages."""
    import sympy
    try:
        number = complex(sympy.N(value, 12))
    except (TypeError, ValueError):
        return str(value)[:60]
    if abs(number.imag) < 1e-12:
        return f"{number.real:.6g}"
    return f"{number.real:.6g}{number.imag:+.6g}i"


def show(value) -> str:
    """An exact value for a message: its text (shortened) and, if not an integer, ≈ its value."""
    import sympy
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
    import sympy
    if expr == 0:
        return True
    if abs(sympy.N(expr, 50)) > sympy.Float(10) ** -30:
        return False
    if sympy.expand(expr) == 0 or sympy.expand(sympy.radsimp(expr)) == 0:
        return True
    x = sympy.Dummy("x")
    try:
        return sympy.minimal_polynomial(expr, x) == x
    except (NotImplementedError, ValueError):  # not algebraic: trust 50 digits
        return True


def exactly_equal(a, b) -> bool:
    return exactly_zero(a - b)


def expect_exact_number(value, what: str) -> None:
    """An exact SymPy number: no float inside, no free symbol."""
    import sympy
    _expect(isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixBase),
            f"{what} should be an exact SymPy number, got {type(value).__name__}")
    floats = value.atoms(sympy.Float)
    _expect(not floats, f"{what} = {show(value)} contains the floating-point number "
                        f"{next(iter(floats)) if floats else ''}; the answer must be exact: use "
                        f"sympy.sqrt, sympy.Rational and SymPy's own eigenvalues, never floats")
    _expect(not value.free_symbols, f"{what} = {show(value)} still contains the symbol(s) "
                                    f"{sorted(map(str, value.free_symbols))}; it should be a "
                                    f"number")


def exact_matrix(value, what: str, shape, hint: str = ""):
    """The answer as an exact SymPy matrix of the given shape, or a failure that says why."""
    import sympy
    M = as_sympy(value, what)
    _expect(isinstance(M, sympy.MatrixBase),
            f"{what} should be a sympy.Matrix, got {type(value).__name__}")
    suffix = f" {hint}" if hint else ""
    _expect(tuple(M.shape) == tuple(shape),
            f"{what} should have shape {tuple(shape)}, got {tuple(M.shape)}.{suffix}")
    for i in range(M.rows):
        for j in range(M.cols):
            expect_exact_number(M[i, j], f"{what}[{i}, {j}]")
    return M


def exact_numbers(value, what: str, length: int, hint: str = "") -> list:
    """The answer as a list of ``length`` exact SymPy numbers (a list, tuple or column)."""
    import sympy
    if isinstance(value, sympy.MatrixBase):
        value = list(value)
    _expect(isinstance(value, (list, tuple)),
            f"{what} should be a list or tuple, got {type(value).__name__}")
    values = [as_sympy(v, f"{what}[{i}]") for i, v in enumerate(value)]
    suffix = f" {hint}" if hint else ""
    _expect(len(values) == length, f"{what} should have {length} entries, got {len(values)}."
                                   f"{suffix}")
    for i, v in enumerate(values):
        expect_exact_number(v, f"{what}[{i}]")
    return values


def _numeric(value) -> float:
    import sympy
    return complex(sympy.N(value, 30)).real


def expect_exact_matrix_equal(got, expected, what: str, hint: str = "") -> None:
    """Entry-by-entry exact comparison of two matrices of the same shape."""
    suffix = f" Hint: {hint}" if hint else ""
    for i in range(expected.rows):
        for j in range(expected.cols):
            _expect(exactly_equal(got[i, j], expected[i, j]),
                    f"{what}[{i}, {j}] = {show(got[i, j])}, expected "
                    f"{show(expected[i, j])}.{suffix}")


def expect_exact_values(got, expected, what: str, hint: str = "") -> None:
    """Compare two lists of exact numbers entry by entry, explaining order mistakes."""
    suffix = f" Hint: {hint}" if hint else ""
    got_num = [_numeric(v) for v in got]
    if any(b > a + 1e-12 for a, b in zip(got_num, got_num[1:])):
        _expect(False, f"{what} are not in decreasing order: {[show(v) for v in got]}. Sort "
                       f"them from the largest to the smallest.{suffix}")
    for i, (g, e) in enumerate(zip(got, expected)):
        if not exactly_equal(g, e):
            _expect(False, f"{what}[{i}] = {show(g)}, expected {show(e)}.{suffix}")


def expect_unit_columns(Q, what: str) -> None:
    """Every column of ``Q`` has length 1, exactly."""
    import sympy
    for i in range(Q.cols):
        squared = sum((e ** 2 for e in Q[:, i]), sympy.Integer(0))
        if not exactly_equal(squared, 1):
            _expect(False, f"column {i} of {what} has length {_approx(sympy.sqrt(squared))}, "
                           f"not 1: divide each eigenvector by its norm (v = w / ‖w‖)")


def _direction(column):
    """``column`` divided by its first clearly non-zero entry: the same direction, and a common
    normalising factor cancels, which keeps the exact tests below fast. ``None`` for 0."""
    import sympy
    for entry in column:
        if abs(sympy.N(entry, 30)) > 1e-20:
            return column / entry
    return None


def _is_eigenvector(G, direction, value) -> bool:
    return all(exactly_zero(e) for e in G * direction - value * direction)


def expect_eigenvector_columns(G, Q, eigenvalues, what: str) -> None:
    """Column ``i`` of ``Q`` is an eigenvector of ``G`` for ``eigenvalues[i]`` (exactly)."""
    for i, value in enumerate(eigenvalues):
        direction = _direction(Q[:, i])
        _expect(direction is not None, f"column {i} of {what} is the zero vector, which is "
                                       f"never an eigenvector")
        if _is_eigenvector(G, direction, value):
            continue
        others = [j for j, other in enumerate(eigenvalues)
                  if not exactly_equal(other, value) and _is_eigenvector(G, direction, other)]
        if others:
            _expect(False, f"column {i} of {what} is an eigenvector of AᵀA for the eigenvalue "
                           f"{show(eigenvalues[others[0]])}, but column {i} must belong to "
                           f"eigenvalues[{i}] = {show(value)}: order the columns like the "
                           f"eigenvalues, from the largest to the smallest")
        _expect(False, f"column {i} of {what} is not an eigenvector of AᵀA for the eigenvalue "
                       f"λ = {show(value)}: (AᵀA − λI) v should be the zero vector")


def expect_orthogonal_eigenspaces(Q, eigenvalues, what: str) -> None:
    """Columns for the same (repeated) eigenvalue are orthogonal. (Eigenvectors of a symmetric
    matrix for different eigenvalues are orthogonal anyway, so with the checks above this makes
    the columns orthonormal.)"""
    for i in range(Q.cols):
        for j in range(i + 1, Q.cols):
            if exactly_equal(eigenvalues[i], eigenvalues[j]):
                dot = (Q[:, i].T * Q[:, j])[0, 0]
                if not exactly_zero(dot):
                    _expect(False, f"columns {i} and {j} of {what} belong to the repeated "
                                   f"eigenvalue {show(eigenvalues[i])} but are not orthogonal "
                                   f"(dot product {show(dot)}): make the basis of each "
                                   f"eigenspace orthonormal with Gram–Schmidt "
                                   f"(sympy.GramSchmidt(vectors, True))")


def expect_orthonormal_eigenvectors(G, Q, eigenvalues, what: str) -> None:
    """``Q`` has orthonormal columns and column ``i`` is an eigenvector of ``G`` for
    ``eigenvalues[i]`` — for any choice of signs and of bases inside repeated eigenspaces."""
    expect_unit_columns(Q, what)
    expect_eigenvector_columns(G, Q, eigenvalues, what)
    expect_orthogonal_eigenspaces(Q, eigenvalues, what)
