"""Checks for graded exercises: one definition, run in two places.

A *check* is a small function of a **kernel proxy** ``k``. It asks the kernel for values —
``k.call("cosine_similarity", x, y)`` calls the learner's function on inputs chosen by the check,
``k.get("rank_onehot")`` reads a variable — and then judges those values with the ``expect_*``
helpers below, which explain what is wrong instead of a bare ``assert``.

The same check runs

* in the learner's notebook, where ``k`` is a :class:`LocalKernel` wrapping the notebook's
  ``globals()`` (the public checks, for instant feedback), and
* in the grader's own process, where ``k`` forwards each request into the student's kernel and
  brings back plain data only (JSON / ``.npy``). The comparison then happens outside the student's
  reach: nothing a submission defines can patch the ``expect_*`` helpers or read the expected
  values. Hidden tests (``solutions/hidden/<assignment>.py``) are only ever run this way.

Writing a check::

    from wvlib.course.checks import check, expect_close

    @check("q1-cosine", "orthogonal vectors have cosine 0")
    def _(k):
        got = k.call("cosine_similarity", np.array([1.0, 0.0]), np.array([0.0, 1.0]))
        expect_close(got, 0.0, what="cosine_similarity([1, 0], [0, 1])",
                     hint="the dot product of orthogonal vectors is 0")

Scoring rule (how the grader turns checks into points)
------------------------------------------------------
A question earns ``points × (weight of its checks passed) / (weight of all its checks)`` —
**but only if all its core checks pass**; otherwise it earns 0, whatever else passed. So a stub
that only validates its input (``raise ValueError``), or returns zeros of the right shape, or
``list(range(n))``, earns nothing from the error-case or shape checks alone.

* By default the **core check of a question is its first public check** (the first ``@check``
  of that question in ``wvlib/course/public/<assignment>.py``): make it a substantive example
  with a known answer that no trivial body passes.
* To choose otherwise, pass ``core=True`` to one or more checks of the question (public or
  hidden); then exactly those are its core checks.

The learner's notebook (``Checker``) shows every public check as before; the rule applies where
points are given, in the grader.
"""
from __future__ import annotations

import copy
import importlib
import importlib.util
import math
import sys
import traceback
from dataclasses import dataclass
from typing import Callable

import numpy as np


# --------------------------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------------------------
class CheckFailed(AssertionError):
    """A check found something wrong; the message says what, for the learner."""


class KernelError(Exception):
    """The learner's code could not produce a value (undefined name, exception, time-out).

    ``kind`` is one of ``"undefined"``, ``"not-implemented"``, ``"exception"``, ``"timeout"``,
    ``"dead"`` (the kernel died), ``"unserializable"``, ``"forbidden"``.
    """

    def __init__(self, message: str, kind: str = "exception"):
        super().__init__(message)
        self.kind = kind


# The learner-facing errors, worded once for both kernels (LocalKernel here, RemoteKernel in
# the grader): `expect_raises` recognises an expected exception by the words "raised <Type>".
def undefined_error(name: str) -> KernelError:
    return KernelError(f"`{name}` is not defined. Did you run the cell that defines it?",
                       "undefined")


def not_callable_error(name: str, type_name: str) -> KernelError:
    return KernelError(f"`{name}` should be a function, but it is a {type_name}", "exception")


def not_implemented_error(name: str) -> KernelError:
    return KernelError(f"`{name}` is not implemented yet (it raised NotImplementedError): "
                       f"replace the stub with your code", "not-implemented")


def raised_error(name: str, type_name: str, message: str, where: str = "") -> KernelError:
    return KernelError(f"calling `{name}` raised {type_name}: {message}{where}", "exception")


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One check: the question it belongs to, a short description, its weight and function."""
    question: str
    description: str
    function: Callable
    weight: float = 1.0
    module: str = ""
    core: bool | None = None


_REGISTRY: dict[str, list[Check]] = {}


def check(question: str, description: str, *, weight: float = 1.0, core: bool | None = None):
    """Decorator registering a check for ``question`` in its module's suite.

    ``core=True`` makes it one of the question's core checks (see the scoring rule at the top
    of this module); by default the first public check of a question is its core check."""
    if not isinstance(question, str) or not question:
        raise ValueError(f"question must be a non-empty string, got {question!r}")
    if not (isinstance(weight, (int, float)) and weight > 0):
        raise ValueError(f"weight must be a positive number, got {weight!r}")
    if core not in (None, True, False):
        raise ValueError(f"core must be True, False or None, got {core!r}")

    def register(function):
        entry = Check(question, description, function, float(weight), function.__module__,
                      core)
        _REGISTRY.setdefault(function.__module__, []).append(entry)
        return function

    return register


def core_flags(entries) -> list[bool]:
    """Which of ``entries`` (``(Check, "public" | "hidden")`` pairs, public first) are core
    checks of their question, by the scoring rule at the top of this module."""
    flags = []
    for check_, kind in entries:
        same = [(c, k) for c, k in entries if c.question == check_.question]
        if any(c.core for c, _ in same):
            flags.append(bool(check_.core))
        else:
            first = next((c for c, k in same if k == "public"), same[0][0])
            flags.append(first is check_)
    return flags


def checks_of_module(module_name: str) -> list[Check]:
    """The checks registered by an (already imported) module, in definition order."""
    return list(_REGISTRY.get(module_name, []))


def load_public_checks(assignment: str) -> list[Check]:
    """Import ``wvlib.course.public.<assignment>`` and return its checks."""
    name = f"wvlib.course.public.{assignment}"
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise ValueError(f"assignment {assignment!r} has no public checks "
                             f"(no module {name})") from None
        raise
    return checks_of_module(name)


def load_check_file(path) -> list[Check]:
    """Load checks from a Python file (hidden tests) under a private module name."""
    import hashlib
    from pathlib import Path
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"check file {str(path)!r} does not exist")
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    module_name = f"_wvlib_checks_{path.stem}_{digest}"
    _REGISTRY.pop(module_name, None)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(module_name, None)
    return checks_of_module(module_name)


# --------------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------------
class LocalKernel:
    """Kernel proxy over a namespace (a notebook's ``globals()``).

    Arguments are deep-copied before each call, so a learner's function that modifies its input
    in place cannot change what the check compares against.
    """

    def __init__(self, namespace: dict):
        if not isinstance(namespace, dict):
            raise TypeError(f"namespace must be a dict such as globals(), got "
                            f"{type(namespace).__name__}")
        self.namespace = namespace

    def _lookup(self, name: str):
        if name not in self.namespace:
            raise undefined_error(name)
        return self.namespace[name]

    def has(self, name: str) -> bool:
        return name in self.namespace

    def get(self, name: str):
        value = self._lookup(name)
        return copy.deepcopy(value)

    def call(self, name: str, *args, **kwargs):
        function = self._lookup(name)
        if not callable(function):
            raise not_callable_error(name, type(function).__name__)
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        try:
            return function(*args, **kwargs)
        except NotImplementedError:
            raise not_implemented_error(name) from None
        except Exception as exc:  # the learner's code failed: report it, don't crash the check
            raise raised_error(name, type(exc).__name__, str(exc), _last_frame(exc)) from None


def _last_frame(exc) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" (in {last.name}, line {last.lineno})"


# --------------------------------------------------------------------------------------------
# Running checks
# --------------------------------------------------------------------------------------------
@dataclass
class CheckResult:
    question: str
    description: str
    passed: bool
    message: str = ""
    weight: float = 1.0
    kind: str = "public"          # "public" or "hidden"
    error_kind: str = ""          # KernelError kind, "failed" or "crashed"
    core: bool = False            # a core check of its question (see the scoring rule)


def run_checks(checks, kernel, *, question=None, kind="public") -> list[CheckResult]:
    """Run ``checks`` (optionally only those of ``question``) against ``kernel``."""
    results = []
    for entry in checks:
        if question is not None and entry.question != question:
            continue
        try:
            entry.function(kernel)
        except CheckFailed as exc:
            results.append(CheckResult(entry.question, entry.description, False, str(exc),
                                       entry.weight, kind, "failed"))
        except KernelError as exc:
            results.append(CheckResult(entry.question, entry.description, False, str(exc),
                                       entry.weight, kind, exc.kind))
        except Exception as exc:  # a value of the wrong type can break a comparison
            results.append(CheckResult(entry.question, entry.description, False,
                                       f"the check could not use your answer: "
                                       f"{type(exc).__name__}: {exc}", entry.weight, kind,
                                       "crashed"))
        else:
            results.append(CheckResult(entry.question, entry.description, True, "",
                                       entry.weight, kind))
    return results


class Checker:
    """The object a learner's notebook calls: ``check = Checker("ch01_words_as_vectors",
    globals())`` once, then ``check("q1-cosine")`` after each answer.

    It prints one line per check and raises :class:`CheckFailed` if any failed, so that
    "Run all" stops at the first question that needs work.
    """

    def __init__(self, assignment: str, namespace: dict):
        self.assignment = assignment
        self.checks = load_public_checks(assignment)
        self.kernel = LocalKernel(namespace)
        # in the grader's sandbox the public checks are a stub: the grader runs them itself
        module = sys.modules.get(f"wvlib.course.public.{assignment}")
        self.grading = bool(getattr(module, "GRADING_STUB", False))

    @property
    def questions(self) -> list[str]:
        return list(dict.fromkeys(c.question for c in self.checks))

    def __call__(self, question: str) -> None:
        if self.grading:
            print(f"{question}: checked by the grader")
            return
        if question not in self.questions:
            raise ValueError(f"question must be one of {self.questions}, got {question!r}")
        results = run_checks(self.checks, self.kernel, question=question)
        passed = sum(r.passed for r in results)
        lines = []
        for r in results:
            mark = "✔" if r.passed else "✘"
            line = f"  {mark} {r.description}"
            if not r.passed:
                line += "\n      " + r.message.replace("\n", "\n      ")
            lines.append(line)
        header = f"{question}: {passed} of {len(results)} public checks passed"
        print(header + "\n" + "\n".join(lines))
        if passed < len(results):
            first = next(r for r in results if not r.passed)
            raise CheckFailed(f"{question}: {len(results) - passed} check(s) failed — first: "
                              f"{first.description}: {first.message}")


# --------------------------------------------------------------------------------------------
# Expectations: compare and explain
# --------------------------------------------------------------------------------------------
def _fmt(x, limit=6):
    arr = np.asarray(x)
    if arr.ndim == 0:
        return f"{arr.item():.6g}" if np.issubdtype(arr.dtype, np.number) else repr(arr.item())
    with np.printoptions(precision=4, suppress=True, threshold=limit, edgeitems=3):
        return np.array2string(arr, separator=", ")


def as_array(got, what: str) -> np.ndarray:
    """Turn an answer into a float array or fail with a message naming ``what``."""
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should be numeric, got {type(got).__name__}: "
                          f"{str(got)[:200]}") from None
    return arr


def expect(condition: bool, message: str) -> None:
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def expect_type(got, types, what: str) -> None:
    if not isinstance(got, types):
        names = (" or ".join(t.__name__ for t in types) if isinstance(types, tuple)
                 else types.__name__)
        raise CheckFailed(f"{what} should be a {names}, got {type(got).__name__}")


def expect_shape(got, shape, what: str) -> np.ndarray:
    """Check the shape of an array answer; returns it as a float array."""
    arr = as_array(got, what)
    if arr.shape != tuple(shape):
        raise CheckFailed(f"{what} should have shape {tuple(shape)}, got {arr.shape}")
    return arr


def expect_close(got, expected, what: str, *, rtol=1e-6, atol=1e-8, hint: str = "") -> None:
    """Check a number or array against the expected one, naming the first wrong entry."""
    exp = np.asarray(expected, dtype=float)
    arr = as_array(got, what)
    suffix = f" Hint: {hint}" if hint else ""
    if arr.shape != exp.shape:
        raise CheckFailed(f"{what} should have shape {exp.shape}, got {arr.shape}.{suffix}")
    if not np.all(np.isfinite(arr)) and np.all(np.isfinite(exp)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0]) if arr.ndim else ()
        raise CheckFailed(f"{what} contains NaN or infinity (first at index {bad}).{suffix}")
    ok = np.isclose(arr, exp, rtol=rtol, atol=atol, equal_nan=True)
    if np.all(ok):
        return
    if arr.ndim == 0:
        raise CheckFailed(f"{what} = {_fmt(arr)}, expected {_fmt(exp)}.{suffix}")
    idx = tuple(int(i) for i in np.argwhere(~ok)[0])
    n_bad = int((~ok).sum())
    if np.allclose(arr, -exp, rtol=rtol, atol=atol):
        suffix = " (every entry has the wrong sign)" + suffix
    elif arr.ndim == 2 and arr.T.shape == exp.shape and np.allclose(arr.T, exp, rtol=rtol,
                                                                     atol=atol):
        suffix = " (your answer is the transpose of the expected one)" + suffix
    raise CheckFailed(f"{what}: {n_bad} of {arr.size} entries are wrong; first at index {idx}: "
                      f"got {_fmt(arr[idx])}, expected {_fmt(exp[idx])}.{suffix}")


def expect_equal(got, expected, what: str, *, hint: str = "") -> None:
    """Exact equality for integers, strings, lists of words and the like."""
    suffix = f" Hint: {hint}" if hint else ""
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        g, e = np.asarray(got), np.asarray(expected)
        if g.shape != e.shape or not np.array_equal(g, e):
            raise CheckFailed(f"{what} = {_fmt(g)}, expected {_fmt(e)}.{suffix}")
        return
    try:
        same = got == expected
        same = bool(same)
    except Exception:
        same = False
    if not same:
        raise CheckFailed(f"{what} = {str(got)[:200]!s}, expected {expected!s}.{suffix}")


def expect_raises(kernel, name: str, args, exception_names, what: str, *, hint: str = "") -> None:
    """Check that calling ``name(*args)`` raises one of ``exception_names`` (strings like
    ``"ValueError"``)."""
    try:
        kernel.call(name, *args)
    except KernelError as exc:
        if exc.kind == "exception" and any(f"raised {e}" in str(exc) for e in exception_names):
            return
        raise
    names = " or ".join(exception_names)
    raise CheckFailed(f"{what} should raise {names}, but it returned normally."
                      + (f" Hint: {hint}" if hint else ""))


# --------------------------------------------------------------------------------------------
# Exact (SymPy) answers as plain data
# --------------------------------------------------------------------------------------------
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
