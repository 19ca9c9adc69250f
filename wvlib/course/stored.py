"""Stored values: what the public checks compare against, computed when the exercises are made.

A public check module (``wvlib/course/public/<assignment>.py``) holds inputs, property checks
and comparisons against **stored values** — never the code that computes an answer. The values
are computed instructor-side by ``wvlib course assign``: it loads the hidden tests
``solutions/hidden/<assignment>.py``, calls their ``public_values()`` (which runs the reference
implementations on the public inputs, and on the same inputs the usual mistakes, for the hints)
and writes the result to ``wvlib/course/public/data/<assignment>.json``, a file that ships with
wvlib. ``wvlib course assign --check`` fails when the file is missing or differs from what
``public_values()`` gives now (numbers compared to 1e-9 relative, so that another BLAS does not
make it stale).

In a public check module::

    from wvlib.course.checks import check, expect_close
    from wvlib.course.stored import stored

    S = stored("ch01_words_as_vectors")     # read on first use

    @check("q2-cooccurrence", "the toy example with window 1")
    def _(k):
        expect_close(k.call("cooccurrence_counts", TOY, VOCAB, 1), S["q2/toy-window-1"],
                     what="cooccurrence_counts(toy, vocab, 1)")

A value is a number, a string, a bool, None, a list or dict of values, a NumPy array (numbers or
booleans) or a SymPy number, expression or matrix. The file is plain JSON (arrays as nested lists
with their dtype, SymPy values as the whitelisted trees of :func:`wvlib.course.checks.sympy_to_data`),
so nothing is executed when it is read.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

#: Where the stored values of every assignment live (inside the installed package).
DATA_DIR = Path(__file__).resolve().parent / "public" / "data"
FORMAT = 1


class StoredValueError(KeyError):
    """A stored value that is missing; the message says how to make it."""

    def __str__(self) -> str:          # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------
def encode(value):
    """A JSON-able tree for ``value`` (see the module docstring for what may be stored)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        return x if math.isfinite(x) else {"float": repr(x)}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"cannot store an array of dtype {value.dtype}")
        flat = [encode(x) for x in value.ravel().tolist()]
        return {"array": flat, "shape": list(value.shape), "dtype": value.dtype.str}
    if isinstance(value, (list, tuple)):
        return [encode(x) for x in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("stored dicts need string keys")
        return {"dict": {k: encode(v) for k, v in value.items()}}
    if (type(value).__module__ or "").startswith("sympy"):
        from .exact import sympy_to_data
        return {"sympy": sympy_to_data(value)}
    raise TypeError(f"cannot store a {type(value).__name__}: use numbers, strings, lists, "
                    f"dicts with string keys, NumPy arrays or SymPy values")


def decode(tree):
    """The value :func:`encode` wrote (fresh objects: arrays are writable copies)."""
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if isinstance(tree, list):
        return [decode(x) for x in tree]
    if isinstance(tree, dict) and len(tree) >= 1:
        if "float" in tree:
            return float(tree["float"])
        if "array" in tree:
            items = [decode(x) for x in tree["array"]]
            return np.array(items, dtype=np.dtype(tree["dtype"])).reshape(tree["shape"])
        if "dict" in tree:
            return {k: decode(v) for k, v in tree["dict"].items()}
        if "sympy" in tree:
            from .exact import data_to_sympy
            return data_to_sympy(tree["sympy"])
    raise ValueError(f"not a stored value: {str(tree)[:80]}")


def dumps(values: Mapping, assignment: str) -> str:
    """The text of a data file (stable: sorted keys, one value per line)."""
    if not all(isinstance(k, str) for k in values):
        raise TypeError("public_values() must return a dict with string keys")
    body = {k: encode(values[k]) for k in sorted(values)}
    lines = [f'{{"format": {FORMAT}, "assignment": {json.dumps(assignment)}, "values": {{']
    items = [f"  {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in body.items()]
    return "\n".join(lines + [",\n".join(items), "}}"]) + "\n"


def loads(text: str) -> dict:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a stored-values file of this version of wvlib")
    return {k: decode(v) for k, v in data["values"].items()}


# --------------------------------------------------------------------------------------------
# Comparing (for `assign --check`: same keys, same kinds, numbers within 1e-9)
# --------------------------------------------------------------------------------------------
def same(a, b, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    """Whether two decoded values agree (numbers to ``rtol``; everything else exactly)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        if a.dtype.kind == "f":
            return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return math.isclose(a, b, rel_tol=rtol, abs_tol=atol) or (a != a and b != b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, rtol, atol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    try:                                     # SymPy: structurally equal
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def differences(old: Mapping, new: Mapping) -> list[str]:
    """The keys whose stored value is missing, extra or different."""
    out = [f"{k}: missing" for k in sorted(set(new) - set(old))]
    out += [f"{k}: no longer produced" for k in sorted(set(old) - set(new))]
    out += [f"{k}: changed" for k in sorted(set(old) & set(new)) if not same(old[k], new[k])]
    return out


# --------------------------------------------------------------------------------------------
# Reading, from a public check module
# --------------------------------------------------------------------------------------------
def data_file(assignment: str, data_dir: Path | None = None) -> Path:
    return Path(data_dir or DATA_DIR) / f"{assignment}.json"


class StoredValues(Mapping):
    """The stored values of one assignment, read from its data file on first use."""

    def __init__(self, assignment: str, data_dir: Path | None = None):
        self.assignment = assignment
        self.path = data_file(assignment, data_dir)
        self._values: dict | None = None

    def _load(self) -> dict:
        if self._values is None:
            if not self.path.is_file():
                raise StoredValueError(f"the stored values of {self.assignment} "
                                       f"({self.path}) are missing: run `wvlib course assign`")
            self._values = loads(self.path.read_text(encoding="utf-8"))
        return self._values

    def __getitem__(self, key: str):
        values = self._load()
        if key not in values:
            raise StoredValueError(f"no stored value {key!r} for {self.assignment}: run "
                                   f"`wvlib course assign` (public_values() of its hidden "
                                   f"tests must produce it)")
        return decode(encode(values[key]))   # a fresh copy: a check may not change the store

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def stored(assignment: str) -> StoredValues:
    """The stored values of ``assignment`` (see the module docstring)."""
    if not isinstance(assignment, str) or not assignment:
        raise ValueError(f"assignment must be an assignment id, got {assignment!r}")
    return StoredValues(assignment)
