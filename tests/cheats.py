"""Notebooks that try to earn points without solving (issue 21), for the grading batches.

* :func:`lookup_notebook` — the exercise, with every function the public checks call replaced
  by a table of the public checks' inputs → outputs (taken from a run of the public checks on
  the official solution: what a learner learns by reading the public module and its messages),
  raising where the public checks expect an error, and returning 0.5 on any other input. Zero-
  argument answers (a letter, an expression) are not in the table: the public checks do not
  reveal them. Under the rule "hidden tests decide the core" it scores 0 on every question.
* :func:`pasted_public_notebook` — the exercise, with the whole public check module pasted into
  a cell and every graded function answering with the first function of that module that
  accepts its arguments (the attack of the review: ``reference_mu_step``, ``cosmul_reference``,
  ``bootstrap_reference``). A public module in the new format defines no such function.
"""
from __future__ import annotations

import base64
import builtins
import copy
import json
import re
from pathlib import Path

import nbformat

from wvlib.course import checks as C
from wvlib.course.stored import encode

ROOT = Path(__file__).resolve().parent.parent


def _key(args, kwargs) -> str:
    return json.dumps(encode([list(args), dict(kwargs)]), sort_keys=True)


class _Recorder:
    """A LocalKernel over the solution that records every call the public checks make."""

    def __init__(self, namespace):
        self.local = C.LocalKernel(namespace)
        self.seed = 0
        self.table: dict[str, list] = {}

    def has(self, name):
        return self.local.has(name)

    def get(self, name):
        return self.local.get(name)

    def _record(self, name, args, kwargs, outcome):
        if args or kwargs:            # zero-argument answers are not revealed by the checks
            self.table.setdefault(name, []).append([_key(args, kwargs), outcome])

    def call(self, name, *args, **kwargs):
        return self.call_inputs(name, *args, **kwargs)[0]

    def call_inputs(self, name, *args, **kwargs):
        try:
            value, a, k = self.local.call_inputs(name, *args, **kwargs)
        except C.KernelError as exc:
            raised = re.search(r"raised (\w+)", str(exc))
            if raised:
                self._record(name, args, kwargs, ["raise", raised.group(1)])
            raise
        try:
            self._record(name, args, kwargs, ["value", encode(value)])
        except TypeError:             # an answer that cannot be stored: leave it out
            pass
        return value, a, k


def _solution_namespace(assignment: str) -> dict:
    from test_course import solution_namespace
    return solution_namespace(ROOT / "solutions" / f"{assignment}.ipynb")


LOOKUP_CELL = '''
import base64 as _b64, builtins as _builtins, json as _json
from wvlib.course.stored import decode as _decode, encode as _encode
_TABLE = _json.loads(_b64.b64decode("{table}").decode())

def _lookup(_name):
    def answer(*args, **kwargs):
        try:
            key = _json.dumps(_encode([list(args), dict(kwargs)]), sort_keys=True)
        except TypeError:
            return 0.5
        for known, (kind, value) in _TABLE[_name]:
            if known == key:
                if kind == "raise":
                    raise getattr(_builtins, value, ValueError)("as the public check expects")
                return _decode(value)
        return 0.5
    answer.__name__ = _name
    return answer

for _name in _TABLE:
    globals()[_name] = _lookup(_name)
'''


def lookup_notebook(assignment: str) -> nbformat.NotebookNode:
    """The exercise of ``assignment`` answered by a table of the public examples."""
    recorder = _Recorder(_solution_namespace(assignment))
    C.run_checks(C.load_public_checks(assignment), recorder)
    table = base64.b64encode(json.dumps(recorder.table).encode()).decode()
    nb = nbformat.read(ROOT / "exercises" / f"{assignment}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(LOOKUP_CELL.format(table=table)))
    return nb


PASTED_CELL = '''
import inspect as _inspect
_PASTED = {{}}
exec(compile({source!r}, "public_checks", "exec"), _PASTED)
_HELPERS = [f for n, f in _PASTED.items() if callable(f) and not n.startswith("_")
            and getattr(f, "__module__", None) is None and _inspect.isfunction(f)]

def _pasted(_name):
    def answer(*args, **kwargs):
        for helper in _HELPERS:
            try:
                return helper(*args, **kwargs)
            except Exception:
                continue
        return 0.5
    answer.__name__ = _name
    return answer

for _name in {names!r}:
    globals()[_name] = _pasted(_name)
'''


def pasted_public_notebook(assignment: str) -> nbformat.NotebookNode:
    """The exercise of ``assignment`` answered with the functions of its public module."""
    from wvlib.grading.grade import load_kit
    kit = load_kit(ROOT / "solutions", assignment)
    names = [n for q in kit.questions for n in kit.names[q.id]]
    source = (ROOT / "wvlib" / "course" / "public" / f"{assignment}.py").read_text()
    nb = nbformat.read(ROOT / "exercises" / f"{assignment}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PASTED_CELL.format(source=source, names=names)))
    return copy.deepcopy(nb)


def stamped(nb, assignment):
    nb = copy.deepcopy(nb)
    nb.metadata.setdefault("wvlib", {})["assignment"] = assignment
    return nb


__all__ = ["lookup_notebook", "pasted_public_notebook", "stamped", "builtins"]
