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

A public check compares with a property (as above) or a stored value (``S["q1/example"]``, see
:mod:`wvlib.course.stored`), never with a value it computes; a hidden test computes its expected
values with the reference code, on inputs from :func:`hidden_rng`. ``mistakes={hint: value}``
(``expect_close``, ``expect_equal``) names a typical mistake when the answer matches it, and
:func:`call_unmodified` fails an answer that changes its arguments in place.

Scoring rule (how the grader turns checks into points)
------------------------------------------------------
A question earns ``points × (weight of its checks passed) / (weight of all its checks)`` —
**but only if all its core checks pass**; otherwise it earns 0, whatever else passed. So a stub
that only validates its input (``raise ValueError``), returns zeros of the right shape, or looks
up the public examples in a table, earns nothing.

* **Core checks are hidden tests**: they run on inputs the learner has not seen, drawn at
  grading time (:func:`hidden_rng`). By default the core check of a question is its **first
  hidden test** (the first ``@check`` of that question in ``solutions/hidden/<assignment>.py``):
  make it a substantive test on random inputs that no trivial or table-driven body passes.
* To choose otherwise, pass ``core=True`` to one or more hidden tests of the question; then
  exactly those are its core checks. A public check is never a core check (``core=True`` on
  one is an error when the grader loads the assignment), and a question without a hidden test
  cannot be graded.

The learner's notebook (``Checker``) shows every public check as before; the rule applies where
points are given, in the grader.

Seeds: the grader gives the kernel proxy a ``seed`` drawn for each submission (an HMAC of the
submission's bytes under the course's grading key, see :mod:`wvlib.grading.grade`), so the
inputs differ between learners and cannot be looked up, yet a rerun of the same file gives the
same inputs and the same grade. A hidden test draws from ``hidden_rng(k, "label")``; the label
makes the streams of two tests independent.
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

from .exact import (MAX_EXACT_DEPTH, MAX_EXACT_DIGITS, MAX_EXACT_LITERAL_DIGITS,  # noqa: F401
                    _build_sympy, as_sympy, data_to_sympy, exact_data_cost, sympy_to_data)
from .failures import CheckFailed, KernelError  # noqa: F401 - part of this module's interface


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
    checks of their question, by the scoring rule at the top of this module.

    Raises ``ValueError`` for a public check marked ``core=True`` and for a question that has
    no hidden test (it would have no core check)."""
    flags = []
    for check_, kind in entries:
        if kind == "public" and check_.core:
            raise ValueError(f"{check_.question}: the public check {check_.description!r} is "
                             f"marked core=True; core checks must be hidden tests")
        same = [c for c, k in entries if c.question == check_.question and k == "hidden"]
        if not same:
            raise ValueError(f"question {check_.question!r} has no hidden test, so no core "
                             f"check: add one to solutions/hidden/")
        if any(c.core for c in same):
            flags.append(kind == "hidden" and bool(check_.core))
        else:
            flags.append(same[0] is check_)
    return flags


def hidden_rng(kernel, label: str) -> np.random.Generator:
    """The random generator of one hidden test: seeded by the kernel's ``seed`` (drawn per
    submission by the grader; 0 on a :class:`LocalKernel` unless given) and ``label``."""
    import hashlib
    if not isinstance(label, str) or not label:
        raise ValueError(f"label must be a non-empty string, got {label!r}")
    seed = getattr(kernel, "seed", 0)
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"the kernel's seed must be a non-negative int, got {seed!r}")
    words = hashlib.sha256(label.encode("utf-8")).digest()[:8]
    return np.random.default_rng([seed, int.from_bytes(words, "little")])


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


def load_check_module(path):
    """Load a Python file of checks (hidden tests) under a private module name; return the
    module and its checks."""
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
    return module, checks_of_module(module_name)


def load_check_file(path) -> list[Check]:
    """Load checks from a Python file (hidden tests) under a private module name."""
    return load_check_module(path)[1]


# --------------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KernelFunction:
    """A function a check hands to the learner's function, given as source code: the grader
    sends the source into the kernel, where it becomes a function (NumPy is ``np`` there).

    For questions whose answer takes a function — a gradient check that must catch a planted
    bug: ``k.call("gradient_check", KernelFunction(LOSS, "loss"), KernelFunction(BUGGY,
    "grad"), x)``. Only checks send functions; a function never comes back (an answer that is
    one is refused as unserializable). The learner's code can read the function it is given
    (its code object), as it could read any argument."""
    source: str
    name: str

    def __post_init__(self):
        if not (isinstance(self.source, str) and isinstance(self.name, str)
                and self.name.isidentifier()):
            raise ValueError(f"KernelFunction needs source code and a function name, got "
                             f"{self.name!r}")

    def build(self):
        """The function, defined in a fresh namespace that holds ``np`` and ``math``."""
        namespace = {"np": np, "math": math}
        exec(compile(self.source, f"<check function {self.name}>", "exec"), namespace)
        function = namespace.get(self.name)
        if not callable(function):
            raise ValueError(f"the source of KernelFunction {self.name!r} does not define it")
        return function


def _built(value):
    return value.build() if isinstance(value, KernelFunction) else value


class LocalKernel:
    """Kernel proxy over a namespace (a notebook's ``globals()``).

    Arguments are deep-copied before each call, so a learner's function that modifies its input
    in place cannot change what the check compares against (:meth:`call_inputs` returns the
    copies as they are after the call). ``seed`` feeds :func:`hidden_rng`.
    """

    def __init__(self, namespace: dict, seed: int = 0):
        if not isinstance(namespace, dict):
            raise TypeError(f"namespace must be a dict such as globals(), got "
                            f"{type(namespace).__name__}")
        if not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        self.namespace = namespace
        self.seed = seed

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
        return self.call_inputs(name, *args, **kwargs)[0]

    def call_inputs(self, name: str, *args, **kwargs):
        """``(value, args, kwargs)``: the answer and the (copied) arguments after the call."""
        function = self._lookup(name)
        if not callable(function):
            raise not_callable_error(name, type(function).__name__)
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        args = tuple(_built(a) for a in args)
        kwargs = {key: _built(v) for key, v in kwargs.items()}
        try:
            return function(*args, **kwargs), list(args), kwargs
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


def _mistake(got, mistakes, close) -> str:
    """The hint of the first of ``mistakes`` (``{hint: wrong value}``) that ``got`` matches."""
    for hint, wrong in (mistakes or {}).items():
        try:
            if close(got, wrong):
                return hint
        except Exception:  # noqa: BLE001 - a value of another shape or type: not this mistake
            continue
    return ""


def expect_close(got, expected, what: str, *, rtol=1e-6, atol=1e-8, hint: str = "",
                 mistakes=None) -> None:
    """Check a number or array against the expected one, naming the first wrong entry.

    ``mistakes`` (optional) maps a hint to the value a typical mistake gives on these inputs
    (stored when the exercises are generated): when ``got`` matches one, that hint is shown."""
    exp = np.asarray(expected, dtype=float)
    arr = as_array(got, what)
    if not (arr.shape == exp.shape and np.allclose(arr, exp, rtol=rtol, atol=atol,
                                                   equal_nan=True)):
        hint = _mistake(arr, mistakes, lambda a, w: np.shape(a) == np.shape(w) and np.allclose(
            a, np.asarray(w, dtype=float), rtol=rtol, atol=atol, equal_nan=True)) or hint
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


def expect_equal(got, expected, what: str, *, hint: str = "", mistakes=None) -> None:
    """Exact equality for integers, strings, lists of words and the like (``mistakes`` as in
    :func:`expect_close`)."""
    hint = _mistake(got, mistakes, lambda a, w: np.array_equal(np.asarray(a), np.asarray(w))
                    if isinstance(a, np.ndarray) or isinstance(w, np.ndarray)
                    else bool(a == w)) or hint
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


def expect_one_of(got, options, what: str, *, hint: str = "") -> None:
    """``got`` is one of ``options`` (strings compared without case and surrounding spaces)."""
    norm = (lambda x: x.strip().lower() if isinstance(x, str) else x)  # noqa: E731
    try:
        ok = norm(got) in [norm(o) for o in options]
    except TypeError:
        ok = False
    if not ok:
        raise CheckFailed(f"{what} should be one of {', '.join(map(repr, options))}, got "
                          f"{str(got)[:100]!r}." + (f" Hint: {hint}" if hint else ""))


def expect_symmetric(got, what: str, *, atol=1e-9, hint: str = "") -> np.ndarray:
    """A square matrix equal to its transpose; returns it as a float array."""
    arr = as_array(got, what)
    expect(arr.ndim == 2 and arr.shape[0] == arr.shape[1],
           f"{what} should be a square matrix, got shape {arr.shape}")
    bad = np.argwhere(~np.isclose(arr, arr.T, atol=atol))
    if len(bad):
        i, j = (int(x) for x in bad[0])
        raise CheckFailed(f"{what} should be symmetric, but entry ({i}, {j}) is "
                          f"{_fmt(arr[i, j])} and entry ({j}, {i}) is {_fmt(arr[j, i])}."
                          + (f" Hint: {hint}" if hint else ""))
    return arr


def expect_finite(got, what: str, *, hint: str = "") -> np.ndarray:
    """A numeric answer without NaN or infinity; returns it as a float array."""
    arr = as_array(got, what)
    bad = np.argwhere(~np.isfinite(arr)) if arr.ndim else ([()] if not np.isfinite(arr) else [])
    if len(bad):
        where = f" (first at index {tuple(int(i) for i in bad[0])})" if arr.ndim else ""
        raise CheckFailed(f"{what} contains NaN or infinity{where}."
                          + (f" Hint: {hint}" if hint else ""))
    return arr


def same_value(a, b) -> bool:
    """Whether two plain values are equal: arrays by shape, dtype kind and entries (NaN equal
    to NaN), sparse matrices by shape and entries, containers entry by entry."""
    if _sparse(a) or _sparse(b):
        if not (_sparse(a) and _sparse(b)) or a.shape != b.shape:
            return False
        diff = (a.tocsr().astype(float) - b.tocsr().astype(float))
        return bool(diff.nnz == 0 or not np.any(diff.data))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        if a.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:  # noqa: BLE001
        return False


def _sparse(x) -> bool:
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and sparse.issparse(x)


def call_unmodified(kernel, name: str, *args, what: str = "", **kwargs):
    """Call ``name(*args, **kwargs)`` in the kernel and fail if the call changed one of its
    arguments in place; return the answer.

    The comparison happens here, in the checker's process: the kernel sends back the arguments
    as they are after the call (as plain data, in the grader), and they are compared with what
    was sent. No function of the learner's notebook takes part in the judgement."""
    value, args_after, kwargs_after = kernel.call_inputs(name, *args, **kwargs)
    label = what or f"`{name}`"
    for i, (before, after) in enumerate(zip(args, args_after)):
        if isinstance(before, KernelFunction):       # a function is not data
            continue
        if not same_value(before, after):
            raise CheckFailed(f"{label} changed its argument {i + 1} in place: a function "
                              f"must not modify its inputs (work on a copy, e.g. "
                              f"np.array(x, dtype=float), or build a new array)")
    for key, before in kwargs.items():
        if not isinstance(before, KernelFunction) and \
                not same_value(before, kwargs_after.get(key)):
            raise CheckFailed(f"{label} changed its argument `{key}` in place: a function must "
                              f"not modify its inputs")
    return value
