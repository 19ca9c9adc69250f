"""The shape of the house, read from the code: wvlib's import graph has no cycle, the layers
import one way only, no module grows past a size a reader can hold, and the README's
"Repository layout" names every file of the package.

The import graph is built from the AST of every module of ``wvlib``: ``import`` and
``from ... import`` statements anywhere in a module (at the top, inside functions, under
``if``/``try``), relative and absolute, plus ``importlib.import_module("...")`` and
``__import__("...")`` with a literal name. ``from package import name`` is an edge to the
submodule ``package.name`` when that is a module, else to the package. Importing
``a.b.c`` is an edge to ``a.b.c`` only, not to the ``__init__`` of ``a`` and ``a.b`` that
Python runs first: a package's ``__init__`` re-exporting its modules, which import each other
through relative imports, is not a cycle of design.

Layers, top to bottom (an import may only point down, or sideways within a layer):

=====================  ==================================================================
``wvlib.grading``      the grader (instructors): sandbox, kernels, probe, batch, reports
``wvlib.course``       exercise authoring and the learner's side: notebook format,
                       ``assign``, ``checks`` (``check``, ``expect_*``, ``Checker``),
                       ``public/`` (public checks)
tooling                the command line and what only it and the book run: ``cli``,
                       ``__main__``, ``train``, ``compare``, ``benchmarks``, ``book``,
                       ``sphinxext``
the library            every other module: the mathematics of the chapters, the training
                       methods' declarations (``methods``), data, I/O
=====================  ==================================================================

``wvlib.cli`` is the entry point: it dispatches to every layer, but only lazily (its
sub-command registry names the modules, imported when the command runs), never when it is
imported.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "wvlib"

#: A module may be longer than this only if its docstring says why it must be one file
#: (a sentence containing "one file").
MAX_LINES = 700
#: Modules over MAX_LINES that are being split elsewhere; each entry names the branch. The
#: lead removes an entry when that branch is merged.
BEING_SPLIT: dict = {}

#: What the public check modules (shipped to learners) may import: the checks they are
#: written with, other public check modules, the library (reference implementations that
#: compute expected values), NumPy, SciPy, SymPy and the standard library — never the
#: grader, never hidden tests.
PUBLIC_MAY_IMPORT_THIRD_PARTY = {"numpy", "scipy", "sympy"}


# --------------------------------------------------------------------------------------------
# The graph
# --------------------------------------------------------------------------------------------
def module_files() -> dict[str, Path]:
    """Dotted name -> file of every module of the wvlib package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["wvlib", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = module_files()


def _package_of(name: str) -> str:
    path = MODULES.get(name)
    return name if path is not None and path.name == "__init__.py" else name.rpartition(".")[0]


def _resolve(name: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = _package_of(name).split(".")
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _dynamic_import(node: ast.Call) -> str | None:
    """The literal module name of ``importlib.import_module("x")`` / ``__import__("x")``."""
    f = node.func
    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
    if name in ("import_module", "__import__") and node.args and \
            isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def imported_names(name: str, tree: ast.AST):
    """(imported module name, line, at top level?) for every import in a module."""
    top = {id(n) for n in _top_level_nodes(tree)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, id(node) in top
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if sub in MODULES else base), node.lineno, id(node) in top
        elif isinstance(node, ast.Call):
            target = _dynamic_import(node)
            if target:
                yield target, node.lineno, False


def _top_level_nodes(tree):
    """Statements run when the module is imported (not inside a function or class body)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With)) or \
                type(node).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody", "handlers"):
                stack += getattr(node, field, [])
        elif isinstance(node, ast.ExceptHandler):
            stack += node.body


def _in_wvlib(target: str) -> str | None:
    """The wvlib module an imported name refers to (the longest existing prefix)."""
    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in MODULES:
            return candidate
    return None


def build_graph():
    """module -> {imported wvlib module: [(line, top level?), ...]}, and module -> all imports
    (third-party and standard library included)."""
    graph, everything = {}, {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges, imports = {}, []
        for target, line, top in imported_names(name, tree):
            imports.append((target, line, top))
            mod = _in_wvlib(target) if target.split(".")[0] == "wvlib" else None
            if mod and mod != name:
                edges.setdefault(mod, []).append((line, top))
        graph[name], everything[name] = edges, imports
    return graph, everything


GRAPH, IMPORTS = build_graph()


def find_cycles(graph) -> list[list[str]]:
    """One cycle (as a closed path) for every strongly connected component that has one
    (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, comps, counter = {}, {}, set(), [], [], [0]

    def strongconnect(v):
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, children = work[-1]
            advanced = False
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return [_cycle_in(comp, graph) for comp in comps]


def _cycle_in(comp, graph) -> list[str]:
    """A closed path through the first module of a strongly connected component."""
    members, start = set(comp), comp[0]
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for w in sorted(graph.get(path[-1], ())):
            if w == start:
                return path + [start]
            if w in members and w not in seen:
                seen.add(w)
                paths.append(path + [w])
    return comp


def _describe(cycle, graph) -> str:
    steps = []
    for a, b in zip(cycle, cycle[1:]):
        lines = ", ".join(f"line {ln}{'' if top else ' (in a function)'}"
                          for ln, top in sorted(set(graph[a][b])))
        steps.append(f"  {a} -> {b}   ({MODULES[a].relative_to(ROOT)}: {lines})")
    return "\n".join(steps)


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------
def test_the_graph_reader_sees_every_kind_of_import():
    """The reader is itself tested: relative, absolute, function-level and dynamic imports
    all become edges, and a cycle through a function-level import is found."""
    source = ("from . import b\n"
              "def f():\n"
              "    from .c import x\n"
              "    import wvlib.d\n"
              "    importlib.import_module('wvlib.e')\n")
    found = list(imported_names("wvlib.a", ast.parse(source)))
    assert found == [("wvlib", 1, True), ("wvlib.c", 3, False), ("wvlib.d", 4, False),
                     ("wvlib.e", 5, False)]
    # ``from . import name`` is an edge to the submodule when it exists
    assert list(imported_names("wvlib.course.checks", ast.parse("from . import notebook"))) \
        == [("wvlib.course.notebook", 1, True)]
    cycle = find_cycles({"a": {"b": [(1, True)]}, "b": {"c": [(3, False)]},
                         "c": {"a": [(5, False)]}, "d": {"a": [(1, True)]}})
    assert cycle == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b": []}, "b": {}}) == []


def test_wvlib_has_no_import_cycle():
    """No cycle in wvlib's import graph, counting imports inside functions too: a cycle means
    two modules that cannot be understood (or moved) one without the other."""
    cycles = find_cycles(GRAPH)
    report = "\n\n".join(f"cycle {' -> '.join(c)}:\n{_describe(c, GRAPH)}" for c in cycles)
    print(f"{len(MODULES)} modules, {sum(len(e) for e in GRAPH.values())} import edges, "
          f"{len(cycles)} cycles")
    assert not cycles, "import cycles in wvlib:\n" + report


TOOLING = {"wvlib.cli", "wvlib.__main__", "wvlib.train", "wvlib.compare", "wvlib.book",
           "wvlib.sphinxext", "wvlib.benchmarks"}
RANK = {"library": 0, "tooling": 1, "course": 2, "grading": 3}


def _layer(name: str) -> str:
    def under(package):
        return name == package or name.startswith(package + ".")
    if under("wvlib.grading"):
        return "grading"
    if under("wvlib.course"):
        return "course"
    if any(under(t) for t in TOOLING):
        return "tooling"
    return "library"


def test_every_layer_has_modules():
    layers = {_layer(name) for name in MODULES}
    assert layers == set(RANK)


def test_imports_point_down_the_layers():
    """grading -> course -> tooling -> library: the learner's side (course, its public
    checks) never imports the grader, the library imports none of the layers above it; the
    entry point ``wvlib.cli`` reaches up only from inside functions (lazily)."""
    wrong = []
    for name, edges in GRAPH.items():
        for target, where in edges.items():
            if RANK[_layer(target)] <= RANK[_layer(name)]:
                continue
            if name == "wvlib.cli" and not any(top for _, top in where):
                continue
            wrong.append(f"{name} ({_layer(name)}) imports {target} ({_layer(target)}) at "
                         f"line {where[0][0]}")
    assert not wrong, "imports that point up a layer:\n" + "\n".join(wrong)


def test_only_the_cli_reaches_the_grader_and_only_when_a_command_runs():
    outside = {name for name, edges in GRAPH.items() if _layer(name) != "grading"
               and any(_layer(t) == "grading" for t in edges)}
    assert outside <= {"wvlib.cli"}, outside
    top_level = [(t, ln) for t, ln, top in IMPORTS["wvlib.cli"]
                 if top and t.startswith("wvlib.")]
    assert top_level == [], f"wvlib.cli imports wvlib modules at import time: {top_level}"
    tree = ast.parse(MODULES["wvlib.cli"].read_text(encoding="utf-8"))
    named = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
             and isinstance(n.value, str) and n.value.startswith("wvlib.grading")}
    assert named and all(n in MODULES for n in named), named   # the registry's modules exist
    code = ("import sys; from wvlib.cli import main\n"
            "try:\n    main(['course', '--help'])\nexcept SystemExit:\n    pass\n"
            "print([m for m in sys.modules if m.startswith('wvlib.grading')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.strip().splitlines()[-1]
    assert out == "[]"


def test_public_checks_import_only_checks_library_and_numerical_packages():
    """The public check modules ship to learners: they import ``wvlib.course.checks``, other
    public check modules, library modules (reference implementations), NumPy, SciPy, SymPy
    and the standard library — not the grader, not the CLI, not the course tooling."""
    stdlib = set(sys.stdlib_module_names)
    wrong = []
    for name in MODULES:
        if not name.startswith("wvlib.course.public."):
            continue
        for target, line, _ in IMPORTS[name]:
            top = target.split(".")[0]
            if top == "wvlib":
                mod = _in_wvlib(target) or "wvlib"
                ok = (mod in ("wvlib.course.checks", "wvlib.course.stored", "wvlib.course.exact")
                      or mod.startswith("wvlib.course.public")
                      or (_layer(mod) == "library" and mod != "wvlib"))
            else:
                ok = top in stdlib or top in PUBLIC_MAY_IMPORT_THIRD_PARTY
            if not ok:
                wrong.append(f"{name} line {line} imports {target}")
        # nothing that reaches for the instructor's material: no file is opened, no path to
        # solutions/ (the hidden tests import the public helpers, never the reverse)
        code = ast.parse(MODULES[name].read_text(encoding="utf-8"))
        strings = [n.value for n in ast.walk(code) if isinstance(n, ast.Constant)
                   and isinstance(n.value, str)]
        calls = {n.func.id for n in ast.walk(code) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Name)}
        assert not any("solutions" in s_ for s_ in strings), f"{name} names solutions/"
        assert not calls & {"open", "exec", "eval", "__import__"}, f"{name}: {calls}"
    assert not wrong, "\n".join(wrong)


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def test_no_module_is_longer_than_700_lines_unless_it_says_why():
    long = {}
    for name, path in MODULES.items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES and name not in BEING_SPLIT and "one file" not in _docstring(path):
            long[name] = n
    assert not long, (f"modules over {MAX_LINES} lines whose docstring does not say why they "
                      f"must be one file: {long}")


def test_the_being_split_list_holds_only_long_modules():
    """An entry whose module is short again (its split merged) must go."""
    for name in BEING_SPLIT:
        assert name in MODULES, f"{name} no longer exists: remove it from BEING_SPLIT"
        n = len(MODULES[name].read_text(encoding="utf-8").splitlines())
        assert n > MAX_LINES, f"{name} has {n} lines now: remove it from BEING_SPLIT"


# --------------------------------------------------------------------------------------------
# The README's layout matches the tree
# --------------------------------------------------------------------------------------------
def _layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Repository layout", 1)[1]
    return re.search(r"```\n(.*?)```", section, flags=re.S).group(1)


def _layout_names(block: str) -> set[str]:
    """File and folder names the layout block gives for wvlib (``word2vec/``, ``grade.py``)."""
    start = block.index("wvlib/")
    end = block.index("\ntests/")
    return set(re.findall(r"(?<![\w./-])([A-Za-z_]\w*(?:\.py|/))(?![\w/])", block[start:end]))


def test_readme_layout_names_every_module_and_nothing_else():
    names = _layout_names(_layout_block())
    on_disk = set()
    for path in PACKAGE.rglob("*"):
        if "__pycache__" in path.parts or path.name == "__init__.py":
            continue
        if path.is_dir():
            on_disk.add(path.name + "/")
        elif path.suffix == ".py":
            on_disk.add(path.name)
    public = {p.name for p in (PACKAGE / "course" / "public").glob("ch*.py")}
    missing = on_disk - names - public - {"__main__.py"}
    extra = names - on_disk - {"wvlib/"}
    assert not missing, f"files of wvlib the README's layout does not name: {sorted(missing)}"
    assert not extra, f"names in the README's layout that are not in wvlib: {sorted(extra)}"


@pytest.mark.parametrize("name", ["wvlib.course", "wvlib.course.checks", "wvlib.course.public"])
def test_the_learner_side_imports_without_the_grader(name):
    """Importing the learner's side loads nothing of the grader (nor its dependencies)."""
    code = (f"import sys, {name}\n"
            "print(sorted(m for m in sys.modules if m.startswith('wvlib.grading') "
            "or m.split('.')[0] in ('jupyter_client', 'zmq')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.strip()
    assert out == "[]"
