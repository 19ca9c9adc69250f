"""The static scan for forbidden modules: what a question's cells import or name.

Read from the submission's source, without running it (IPython syntax is turned into Python
first). It is one of three layers against a forbidden module; the others are the inspection of
the learner's functions in the kernel (:func:`wvlib.grading.probe.forbidden_references`) and, in
the sandbox, the absence of the module itself (:func:`wvlib.grading.sandbox.module_view`).
"""
from __future__ import annotations

import ast
import re

from ..course.notebook import cell_directives

# --------------------------------------------------------------------------------------------
# Forbidden modules
# --------------------------------------------------------------------------------------------
def _python_source(source: str) -> str:
    """Cell source with IPython syntax (magics, ``!cmd``) turned into Python."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - fall back on the raw text
        return source


def defined_names(source: str) -> list[str]:
    """Top-level names a cell defines (functions, classes, assigned variables)."""
    try:
        tree = ast.parse(_python_source(source))
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return list(dict.fromkeys(names))


def _dotted(node) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id] + parts[::-1])
    return ""


def static_forbidden_uses(source: str, modules) -> list[str]:
    """Where a cell imports or names a forbidden module (read from its source, no execution)."""
    def forbidden(name: str) -> str:
        return next((m for m in modules if name == m or name.startswith(m + ".")), "")

    try:
        tree = ast.parse(_python_source(source))
    except SyntaxError:
        return []
    hits = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if forbidden(alias.name):
                    hits.add((line, f"line {line} imports {alias.name}"))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if forbidden(node.module) or forbidden(full):
                    hits.add((line, f"line {line} imports {alias.name} from {node.module}"))
        elif isinstance(node, ast.Attribute):
            name = _dotted(node)
            if name and forbidden(name) and not isinstance(getattr(node, "ctx", None), ast.Del):
                hits.add((line, f"line {line} uses {forbidden(name)}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if forbidden(node.value.strip()):
                hits.add((line, f"line {line} names the module {node.value.strip()!r}"))
        elif isinstance(node, ast.Call) and _runs_code(node):
            # code in a string: exec("..."), a magic (%time import ...), __import__(...)
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    for m in modules:
                        if re.search(rf"(?<![\w.]){re.escape(m)}(?![\w])", arg.value):
                            hits.add((line, f"line {line} uses {m} in {arg.value[:60]!r}"))
    return [text for _, text in sorted(hits)]


def _runs_code(call: ast.Call) -> bool:
    """Whether a call runs code given as a string."""
    f = call.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
    return name in ("exec", "eval", "compile", "__import__", "import_module", "run_line_magic",
                    "run_cell_magic", "run_cell", "system")


def question_cells(sources: list[str], question, names) -> list[int]:
    """The submission's cells answering ``question``: those whose directives name it, else
    those defining one of its names."""
    tagged = [i for i, s in enumerate(sources) if cell_directives(s).get("question") == question]
    if tagged:
        return tagged
    return [i for i, s in enumerate(sources) if set(defined_names(s)) & set(names)]
