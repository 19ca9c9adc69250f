"""The exercise format (issue 21): public checks carry no solution, hidden tests decide the core,
every question declares its kind, and the instructors' page lists every question.

The rules on the public check modules are read from their source (AST), so that they hold for
every module a chapter author adds:

1. a public module imports only the standard library, NumPy, SymPy, ``scipy.sparse`` and the
   course's check helpers (``wvlib.course.checks``, ``.stored``, ``.exact``) — no library
   module (``wvlib.pmi`` would hand the answer to anyone who reads the module), no other public
   module;
2. every function it defines is a check (decorated ``@check(...)``) and returns nothing; it
   defines no other function, no lambda and no class — so no function computes an answer;
3. the only calls into NumPy, SymPy or SciPy build inputs (``np.array``, ``np.zeros``,
   ``sympy.Matrix``, ...): an expected value comes from the stored values ``S[...]`` (computed by
   ``wvlib course assign`` from the hidden tests' reference code), never from a computation in
   the check.
"""
import ast
import sys
from pathlib import Path

import numpy as np
import pytest

from wvlib.course import checks as C
from wvlib.course.assign import public_values
from wvlib.course.notebook import KINDS, read_assignment
from wvlib.course.stored import DATA_DIR, StoredValueError, differences, stored

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "wvlib" / "course" / "public"
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
IDS = [p.stem for p in SOLUTIONS]

#: Public modules still in the old format (reference code inside): their chapters' exercises are
#: being rewritten (issue 21, chapters 5-9). The test below is a strict xfail for them: it fails
#: as soon as one is converted, so that its name is taken off this list.
NOT_YET_CONVERTED: set = set()

ALLOWED_IMPORTS = {"numpy", "sympy", "scipy.sparse", "wvlib.course.checks",
                   "wvlib.course.stored", "wvlib.course.exact"}
#: calls into numerical modules that build inputs (nothing else may be called on np / sympy)
CONSTRUCTORS = {"array", "asarray", "zeros", "ones", "eye", "full", "arange", "zeros_like",
                "ones_like", "float64", "int64", "bool_",          # numpy
                "Matrix", "Symbol", "symbols", "Rational", "Integer",  # sympy
                "csr_matrix", "coo_matrix", "csr_array", "coo_array"}  # scipy.sparse
NUMERICAL = {"np", "numpy", "sympy", "sp", "scipy", "sparse"}


def _import_ok(name: str) -> bool:
    top = name.split(".")[0]
    if top in sys.stdlib_module_names and top not in ("importlib", "runpy", "subprocess",
                                                        "os", "pathlib", "io", "builtins"):
        return True
    return any(name == a or name.startswith(a + ".") for a in ALLOWED_IMPORTS)


def _is_check_decorator(node) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "check")


def _root_name(node) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def violations(source: str) -> list[str]:
    """What in a public check module's source breaks the rules of this file's docstring."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += [f"line {line}: imports {a.name}" for a in node.names
                      if not _import_ok(a.name)]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            full = [f"{module}.{a.name}" for a in node.names]
            if node.level or not (_import_ok(module) or all(_import_ok(f) for f in full)):
                found.append(f"line {line}: imports from {module}")
        elif isinstance(node, (ast.Lambda, ast.ClassDef)):
            found.append(f"line {line}: defines a {type(node).__name__.lower()}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if _root_name(node.func) in NUMERICAL and node.func.attr not in CONSTRUCTORS:
                found.append(f"line {line}: calls {ast.unparse(node.func)} (compute expected "
                             f"values in public_values(), instructor side)")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("exec", "eval", "open", "__import__", "compile"):
            found.append(f"line {line}: calls {node.func.id}")
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            line = node.lineno
            if node not in tree.body or not any(_is_check_decorator(d)
                                                for d in node.decorator_list):
                found.append(f"line {line}: defines the function {node.name}, which is not a "
                             f"check (a helper could compute an answer for any input)")
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    found.append(f"line {inner.lineno}: returns a value")
                elif isinstance(inner, (ast.Yield, ast.YieldFrom)):
                    found.append(f"line {inner.lineno}: a check yields")
    return sorted(set(found), key=lambda s: int(s.split()[1].rstrip(":")))


MODULES = sorted(p for p in PUBLIC.glob("ch*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_public_modules_carry_no_solution(path, request):
    if path.stem in NOT_YET_CONVERTED:
        request.applymarker(pytest.mark.xfail(strict=True, reason="still in the old format"))
    found = violations(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}:\n" + "\n".join(found)


@pytest.mark.parametrize("source, words", [
    ("from wvlib.pmi import pmi_dense\n", "imports from wvlib.pmi"),
    ("import wvlib.lsa\n", "imports wvlib.lsa"),
    ("from wvlib.course.public.ch06_word2vec import gradient_check\n", "imports from"),
    ("from scipy import stats\n", "imports from scipy"),
    ("def reference_pair_gap(words, vectors, pairs):\n    return 0.0\n", "not a check"),
    ("@check('q', 'd')\ndef _(k):\n    return k.call('f')\n", "returns a value"),
    ("@check('q', 'd')\ndef _(k):\n    def helper(x):\n        pass\n", "helper"),
    ("@check('q', 'd')\ndef _(k):\n    f = lambda x: x\n", "lambda"),
    ("@check('q', 'd')\ndef _(k):\n    expect_close(k.call('f', X), np.linalg.norm(X), "
     "what='n')\n", "calls np.linalg.norm"),
    ("@check('q', 'd')\ndef _(k):\n    expect(np.allclose(M, M.T), 'sym')\n",
     "calls np.allclose"),
    ("S = sympy.sqrt(10)\n", "calls sympy.sqrt"),
    ("class Reference:\n    pass\n", "defines a classdef"),
])
def test_the_rules_catch_reference_code(source, words):
    """The old public modules' patterns (ch02's helpers, ch03's reference_pair_gap, ch04's
    wvlib.pmi import, ch09's scipy.stats) are each refused."""
    found = violations(source)
    assert any(words in f for f in found), found


def test_the_rules_accept_inputs_properties_and_stored_values():
    source = ("import numpy as np\n"
              "from wvlib.course.checks import check, expect_close, expect_symmetric\n"
              "from wvlib.course.stored import stored\n"
              "S = stored('x')\nX = np.array([[1.0, 2.0], [2.0, 1.0]])\n"
              "@check('q1', 'd')\ndef _(k):\n"
              "    M = expect_symmetric(k.call('f', X * 2), 'f')\n"
              "    expect_close(M.sum(), S['q1/sum'], what='sum')\n")
    assert violations(source) == []


# -- stored values -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_stored_values_match_the_hidden_reference_code(path):
    """What public_values() of the hidden tests computes now is what the data file holds
    (``wvlib course assign --check`` says the same for all assignments at once)."""
    values = public_values(ROOT / "solutions", path.stem)
    data = DATA_DIR / f"{path.stem}.json"
    if values is None:
        assert path.stem in NOT_YET_CONVERTED, f"{path.stem}: no public_values() in its hidden " \
                                               f"tests"
        return
    from wvlib.course.stored import loads
    assert data.is_file(), f"{data} is missing: run `wvlib course assign`"
    assert differences(loads(data.read_text(encoding="utf-8")), values) == []


def test_every_stored_key_a_public_module_reads_exists():
    """A public check that reads ``S["key"]`` finds the key (read from the module's source)."""
    for path in MODULES:
        if path.stem in NOT_YET_CONVERTED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        keys = {n.slice.value for n in ast.walk(tree) if isinstance(n, ast.Subscript)
                and isinstance(n.value, ast.Name) and n.value.id == "S"
                and isinstance(n.slice, ast.Constant)}
        assert keys, f"{path.name} reads no stored value"
        missing = keys - set(stored(path.stem))
        assert not missing, f"{path.name} reads stored values that do not exist: {missing}"


def test_every_data_file_belongs_to_an_assignment():
    assert {p.stem for p in DATA_DIR.glob("*.json")} <= set(IDS)


def test_a_missing_stored_value_says_how_to_make_it(tmp_path):
    from wvlib.course.stored import StoredValues
    with pytest.raises(StoredValueError, match="wvlib course assign"):
        StoredValues("nothing", tmp_path)["x"]


def test_stored_values_round_trip_and_compare_within_round_off(tmp_path):
    import sympy
    from wvlib.course.stored import dumps, loads, same
    values = {"a": np.arange(6.0).reshape(2, 3), "b": [1, "x", None, True], "c": 0.1,
              "d": {"k": np.array([True, False])}, "e": sympy.sqrt(2) / 3,
              "f": float("-inf"), "g": np.array([1, 2], dtype=np.int64)}
    back = loads(dumps(values, "demo"))
    assert differences(back, values) == []
    assert back["a"].dtype == np.float64 and back["g"].dtype == np.int64
    assert back["e"] == sympy.sqrt(2) / 3 and back["f"] == float("-inf")
    assert same(0.1, 0.1 + 1e-15) and not same(0.1, 0.1001)
    assert not same(np.array([1.0]), [1.0]) and not same(1, True)
    assert differences({"a": 1}, {"a": 2, "b": 3}) == ["b: missing", "a: changed"]
    with pytest.raises(TypeError, match="cannot store"):
        dumps({"x": object()}, "demo")


def test_assign_check_fails_when_the_stored_values_are_stale(tmp_path, capsys):
    from wvlib.course.assign import assign
    sol, ex, data = tmp_path / "solutions", tmp_path / "exercises", tmp_path / "data"
    (sol / "hidden").mkdir(parents=True)
    src = ROOT / "solutions" / "ch01_words_as_vectors.ipynb"
    (sol / src.name).write_bytes(src.read_bytes())
    hidden = ROOT / "solutions" / "hidden" / "ch01_words_as_vectors.py"
    (sol / "hidden" / hidden.name).write_text(hidden.read_text(encoding="utf-8"))
    assert assign(sol, ex, data_dir=data) == 0
    assert assign(sol, ex, check=True, data_dir=data) == 0
    text = (data / "ch01_words_as_vectors.json").read_text()
    (data / "ch01_words_as_vectors.json").write_text(text.replace('"q1/example": 0.9',
                                                                  '"q1/example": 0.8'))
    capsys.readouterr()
    assert assign(sol, ex, check=True, data_dir=data) == 1
    assert "q1/example: changed" in capsys.readouterr().out
    (data / "ch01_words_as_vectors.json").unlink()
    assert assign(sol, ex, check=True, data_dir=data) == 1
    assert "missing" in capsys.readouterr().out


# -- hidden tests decide the core ------------------------------------------------------------
@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_every_question_has_a_hidden_core_check_and_no_public_one(path):
    a = read_assignment(path)
    entries = [(c, "public") for c in C.load_public_checks(a.id)] + \
        [(c, "hidden") for c in C.load_check_file(ROOT / "solutions" / "hidden" / f"{a.id}.py")]
    flags = C.core_flags(entries)
    for q in a.questions:
        core = [kind for (c, kind), f in zip(entries, flags) if c.question == q.id and f]
        assert core and set(core) == {"hidden"}, (q.id, core)


def test_a_public_core_check_or_a_question_without_hidden_test_is_refused():
    public = C.Check("q1", "public", lambda k: None, core=True)
    hidden = C.Check("q1", "hidden", lambda k: None)
    with pytest.raises(ValueError, match="core checks must be hidden"):
        C.core_flags([(public, "public"), (hidden, "hidden")])
    with pytest.raises(ValueError, match="no hidden test"):
        C.core_flags([(C.Check("q2", "p", lambda k: None), "public")])
    assert C.core_flags([(C.Check("q1", "p", lambda k: None), "public"),
                         (hidden, "hidden")]) == [False, True]


def test_hidden_rng_depends_on_the_seed_and_the_label():
    a = C.hidden_rng(C.LocalKernel({}, seed=1), "x").random(3)
    assert np.array_equal(a, C.hidden_rng(C.LocalKernel({}, seed=1), "x").random(3))
    assert not np.array_equal(a, C.hidden_rng(C.LocalKernel({}, seed=2), "x").random(3))
    assert not np.array_equal(a, C.hidden_rng(C.LocalKernel({}, seed=1), "y").random(3))
    with pytest.raises(ValueError, match="label"):
        C.hidden_rng(C.LocalKernel({}), "")


def test_submission_seed_is_keyed_and_stable(tmp_path):
    from wvlib.grading.grade import grading_secret, submission_seed
    key = grading_secret(tmp_path)
    assert (tmp_path / "hidden" / "grading.key").stat().st_mode & 0o777 == 0o600
    assert grading_secret(tmp_path) == key and len(key) == 32
    seed = submission_seed(key, "ch01", "ab" * 32)
    assert seed == submission_seed(key, "ch01", "ab" * 32)
    assert seed != submission_seed(key, "ch01", "ac" * 32)
    assert seed != submission_seed(b"\0" * 32, "ch01", "ab" * 32)
    (tmp_path / "hidden" / "grading.key").write_text("not hex")
    with pytest.raises(ValueError, match="grading key"):
        grading_secret(tmp_path)


# -- kinds ---------------------------------------------------------------------------------------
def test_every_question_declares_a_valid_kind():
    for path in SOLUTIONS:
        for q in read_assignment(path).questions:
            assert q.kind in KINDS, (path.stem, q.id, q.kind)


def test_a_question_without_kind_is_refused(tmp_path):
    import nbformat
    from wvlib.course.notebook import ExerciseFormatError
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("#| question: q1\n#| points: 1\n"
                                          "### BEGIN SOLUTION\n### END SOLUTION")]
    nbformat.write(nb, tmp_path / "demo.ipynb")
    with pytest.raises(ExerciseFormatError, match="kind"):
        read_assignment(tmp_path / "demo.ipynb")
    nb.cells[0].source = nb.cells[0].source.replace("#| points: 1", "#| points: 1\n#| kind: "
                                                    "essay")
    nbformat.write(nb, tmp_path / "demo.ipynb")
    with pytest.raises(ExerciseFormatError, match="derivation, implementation, judgement"):
        read_assignment(tmp_path / "demo.ipynb")
    nb.cells[0].source = nb.cells[0].source.replace("essay", "derivation\n#| forbid: scipy/stats")
    nbformat.write(nb, tmp_path / "demo.ipynb")
    with pytest.raises(ExerciseFormatError, match="dotted module names"):
        read_assignment(tmp_path / "demo.ipynb")


def test_the_instructors_page_lists_every_question_with_its_kind():
    """book/instructors.md's question table is what `wvlib.course.catalog.question_table()`
    makes from the solutions (regenerate it with `wvlib course assign`)."""
    from wvlib.course.catalog import TABLE_BEGIN, TABLE_END, question_table
    page = (ROOT / "book" / "instructors.md").read_text(encoding="utf-8")
    assert TABLE_BEGIN in page and TABLE_END in page
    table = page.split(TABLE_BEGIN, 1)[1].split(TABLE_END, 1)[0].strip()
    assert table == question_table(ROOT / "solutions").strip()


def test_the_course_has_enough_questions_and_derivations_and_judgements_where_asked():
    """Issue 21: at least 45 questions in all, and in every chapter from 5 to 9 at least one
    derivation and one judgement (counted from the solution notebooks)."""
    kinds = {path.stem: [q.kind for q in read_assignment(path).questions] for path in SOLUTIONS}
    total = sum(len(k) for k in kinds.values())
    # The fastText chapter (chapter 10, written on another branch) brings 3 of the 45; until
    # its solution notebook is here, the 43 of chapters 1-9 are the floor.
    floor = 45 if any(name.startswith("ch10") for name in kinds) else 43
    assert total >= floor, f"{total} questions, at least {floor} expected"
    for n in range(5, 10):
        (name,) = [a for a in kinds if a.startswith(f"ch{n:02d}_")]
        assert kinds[name].count("derivation") >= 1, name
        assert kinds[name].count("judgement") >= 1, name
