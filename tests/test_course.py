"""The exercise pipeline: parsing solution sources, generating exercises, public and hidden
checks (run here through a LocalKernel; the grader's remote kernel is tested with the grader)."""
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

from wvlib.course import checks as C
from wvlib.course.assign import assign, make_exercise
from wvlib.course.notebook import ExerciseFormatError, read_assignment, solution_lines, \
    strip_solution

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
IDS = [p.stem for p in SOLUTIONS]


def run_code_cells(nb, namespace):
    """Execute a notebook's code cells in ``namespace``; return the first exception or None."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            try:
                exec(compile(cell.source, "<cell>", "exec"), namespace)
            except Exception as exc:  # noqa: BLE001 - the caller inspects it
                return exc
    return None


def solution_namespace(path):
    namespace = {"__name__": "__main__"}
    nb = nbformat.read(path, as_version=4)
    code_only = nbformat.v4.new_notebook()
    code_only.cells = [c for c in nb.cells
                       if c.cell_type == "code" and "check(" not in c.source.split("\n")[-1]]
    exc = run_code_cells(code_only, namespace)
    assert exc is None, f"{path.name}: a solution cell raised {exc!r}"
    return namespace


def test_repository_has_solutions():
    assert SOLUTIONS, "solutions/ must hold at least one exercise notebook"


@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_solution_is_well_formed(path):
    a = read_assignment(path)
    assert a.questions and all(q.points > 0 for q in a.questions)
    public = C.load_public_checks(a.id)
    hidden = C.load_check_file(ROOT / "solutions" / "hidden" / f"{a.id}.py")
    for q in a.questions:
        assert any(c.question == q.id for c in public), f"{q.id} has no public check"
        assert any(c.question == q.id for c in hidden), f"{q.id} has no hidden test"
    known = {q.id for q in a.questions}
    assert {c.question for c in public + hidden} <= known, "a check names an unknown question"


@pytest.mark.slow                              # runs every solution notebook's code
@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_solutions_pass_public_and_hidden_checks(path):
    a = read_assignment(path)
    kernel = C.LocalKernel(solution_namespace(path))
    suites = C.load_public_checks(a.id) + C.load_check_file(
        ROOT / "solutions" / "hidden" / f"{a.id}.py")
    results = C.run_checks(suites, kernel)
    failed = [f"{r.question}: {r.description}: {r.message}" for r in results if not r.passed]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_blank_exercises_fail_every_check_with_not_implemented(path):
    a = read_assignment(path)
    nb = make_exercise(a)
    namespace = {"__name__": "__main__"}
    code_only = nbformat.v4.new_notebook()
    code_only.cells = [c for c in nb.cells if c.cell_type == "code"
                       and "#| question" in c.source]
    for cell in code_only.cells:  # defining stub functions must work; module-level stubs raise
        try:
            exec(compile(cell.source, "<cell>", "exec"), namespace)
        except NotImplementedError:
            pass
    setup = next(c for c in nb.cells if c.cell_type == "code")
    exec(compile(setup.source, "<cell>", "exec"), namespace)
    results = C.run_checks(C.load_public_checks(a.id), C.LocalKernel(namespace))
    assert results and not any(r.passed for r in results)
    assert all(r.error_kind in ("not-implemented", "undefined") for r in results), \
        [(r.description, r.message) for r in results if r.error_kind not in
         ("not-implemented", "undefined")]


@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_exercises_hold_no_solution_line(path):
    a = read_assignment(path)
    exercise = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
    text = "\n".join(cell.source for cell in exercise.cells)
    secret = [line for cell in a.notebook.cells for line in solution_lines(cell.source)
              if len(line) > 12]
    leaked = [line for line in secret if line in text]
    assert not leaked, f"solution lines in the exercise: {leaked[:3]}"


def test_exercises_are_up_to_date(capsys):
    status = assign(ROOT / "solutions", ROOT / "exercises", check=True)
    assert status == 0, capsys.readouterr().out


def test_assign_regenerates_and_check_detects_staleness(tmp_path, capsys):
    sol, ex = tmp_path / "solutions", tmp_path / "exercises"
    sol.mkdir()
    src = SOLUTIONS[0]
    (sol / src.name).write_bytes(src.read_bytes())
    assert assign(sol, ex, check=True) == 1 and "missing" in capsys.readouterr().out
    assert assign(sol, ex) == 0
    first = (ex / src.name).read_bytes()
    assert assign(sol, ex) == 0 and (ex / src.name).read_bytes() == first  # deterministic
    assert assign(sol, ex, check=True) == 0
    nb = nbformat.read(sol / src.name, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A new remark."))
    nbformat.write(nb, sol / src.name)
    assert assign(sol, ex, check=True) == 1 and "out of date" in capsys.readouterr().out
    (ex / "orphan.ipynb").write_text("{}")
    assert assign(sol, ex, check=True) == 1 and "no source" in capsys.readouterr().out
    assert assign(sol, ex) == 0 and not (ex / "orphan.ipynb").exists()
    meta = json.loads((ex / src.name).read_text())["metadata"]["wvlib"]
    assert meta["assignment"] == src.stem and meta["questions"]


def _run_in_ipython(source, monkeypatch, wvlib_missing):
    """Run a cell in a real IPython shell whose ``%pip`` only records its arguments."""
    import importlib.util
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    calls = []
    shell.register_magic_function(calls.append, "line", "pip")
    if wvlib_missing:
        real = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name, *a: None if name == "wvlib" else real(name, *a))
    result = shell.run_cell(source)
    monkeypatch.undo()
    assert result.success, result.error_in_exec or result.error_before_exec
    return calls


@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_exercises_start_with_a_guarded_install_from_repository_url(path, monkeypatch):
    """Colab/Binder: the first cell installs wvlib from repository.url (and branch) of
    _config.yml when it is missing, and does nothing where wvlib is importable."""
    import yaml
    repo = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    exercise = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
    first = exercise.cells[0]
    assert first.cell_type == "code" and "%pip install" in first.source
    assert _run_in_ipython(first.source, monkeypatch, wvlib_missing=False) == []
    calls = _run_in_ipython(first.source, monkeypatch, wvlib_missing=True)
    assert calls == [f'install --quiet "wvlib @ git+{repo["url"]}@{repo.get("branch", "main")}"']
    assert all(len(line) <= 88 for line in first.source.splitlines())


def test_install_cell_follows_the_books_repository_url(tmp_path, capsys):
    root = tmp_path / "copy"
    sol, ex = root / "solutions", root / "exercises"
    sol.mkdir(parents=True)
    src = SOLUTIONS[0]
    (sol / src.name).write_bytes(src.read_bytes())
    assert assign(sol, ex) == 0 and "no install cell" in capsys.readouterr().out
    assert "%pip" not in (ex / src.name).read_text()  # no _config.yml next to solutions/
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    url = "https://github.com/teacher-x/my-course"
    teacher = config.replace("https://github.com/wvlib-course/word-embeddings-course", url)
    assert teacher != config
    (root / "_config.yml").write_text(teacher, encoding="utf-8")
    assert assign(sol, ex, check=True) == 1 and "out of date" in capsys.readouterr().out
    assert assign(sol, ex) == 0
    first = nbformat.read(ex / src.name, as_version=4).cells[0].source
    assert f'"git+{url}@main"' in first and "wvlib-course" not in first
    (root / "_config.yml").write_text(teacher.replace("url: https", "url: ftp"))
    with pytest.raises(ValueError, match="repository.url"):
        assign(sol, ex)


CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapters_start_with_the_hidden_guarded_install(path, monkeypatch):
    """The book's Colab button opens a chapter's source notebook: its first code cell installs
    wvlib from repository.url when it is missing (hidden on the page, a no-op elsewhere)."""
    import yaml
    repo = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    chapter = nbformat.read(path, as_version=4)
    first = next(cell for cell in chapter.cells if cell.cell_type == "code")
    assert first.get("id") == "wvlib-install" and first.metadata.get("tags") == ["remove-cell"]
    assert _run_in_ipython(first.source, monkeypatch, wvlib_missing=False) == []
    calls = _run_in_ipython(first.source, monkeypatch, wvlib_missing=True)
    assert calls == [f'install --quiet "wvlib @ git+{repo["url"]}@{repo.get("branch", "main")}"']


# What a chapter may import: the standard library, wvlib and its dependencies (installed by
# the install cell), and what Colab's Python always has. myst-nb is not there: chapters use
# wvlib.book.glue, which falls back to showing the value.
COLAB_PREINSTALLED = {"matplotlib", "pandas", "IPython"}
WVLIB_DEPENDENCIES = {"numpy", "scipy", "sympy", "tqdm", "gensim", "numba", "pooch"}


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapters_import_only_what_the_install_cell_provides(path):
    import ast
    import sys
    allowed = set(sys.stdlib_module_names) | WVLIB_DEPENDENCIES | COLAB_PREINSTALLED | {"wvlib"}
    chapter = nbformat.read(path, as_version=4)
    imported = set()
    for cell in chapter.cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(line for line in cell.source.splitlines()
                         if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert imported - allowed == set(), f"{path.name} imports {sorted(imported - allowed)}"


def test_assign_stamps_and_checks_the_chapters_install_cells(tmp_path, capsys):
    from wvlib.course.assign import install_cell_source, stamp_chapter
    root = tmp_path / "copy"
    sol, ex, book = root / "solutions", root / "exercises", root / "book"
    sol.mkdir(parents=True)
    book.mkdir()
    (sol / SOLUTIONS[0].name).write_bytes(SOLUTIONS[0].read_bytes())
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    url = "https://github.com/teacher-x/my-course"
    (root / "_config.yml").write_text(
        config.replace("https://github.com/wvlib-course/word-embeddings-course", url))
    chapter = nbformat.v4.new_notebook()
    chapter.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(chapter, book / "01_demo.ipynb")
    assert assign(sol, ex, check=True) == 1
    assert "01_demo.ipynb: install cell missing" in capsys.readouterr().out
    assert assign(sol, ex) == 0
    stamped = nbformat.read(book / "01_demo.ipynb", as_version=4)
    assert [c.cell_type for c in stamped.cells] == ["markdown", "code", "code"]
    assert stamped.cells[1].source == install_cell_source(url, "main")
    text = (book / "01_demo.ipynb").read_text()
    assert assign(sol, ex, check=True) == 0
    assert assign(sol, ex) == 0 and (book / "01_demo.ipynb").read_text() == text  # idempotent
    # a moved or edited install cell is put back first and brought up to date
    stamped.cells = [stamped.cells[0], stamped.cells[2], stamped.cells[1]]
    stamped.cells[2].source = "old"
    assert stamp_chapter(stamped, (url, "main")) is True
    assert [c.source for c in stamped.cells[1:]] == [install_cell_source(url, "main"), "x = 1"]
    assert stamp_chapter(stamped, (url, "main")) is False


def test_glue_falls_back_to_showing_the_value_without_myst_nb(monkeypatch):
    import builtins

    import IPython.display

    from wvlib.book import glue
    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    real_import = builtins.__import__

    def no_myst_nb(name, *args, **kwargs):
        if name.startswith("myst_nb"):
            raise ImportError("no myst_nb here (as on Colab)")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_myst_nb)
    glue("answer", 42)
    glue("hidden", 7, display=False)
    assert shown == [42]


def test_strip_solution_keeps_indentation_and_compiles():
    src = "def f(x):\n    '''doc'''\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"
    out = strip_solution(src, "q1")
    assert "return 2 * x" not in out
    assert "    raise NotImplementedError" in out
    namespace = {}
    exec(out, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)


@pytest.mark.parametrize("bad, message", [
    ("### BEGIN SOLUTION\nx = 1\n", "without"),
    ("x = 1\n### END SOLUTION\n", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "nested"),
])
def test_strip_solution_rejects_unbalanced_markers(bad, message):
    with pytest.raises(ExerciseFormatError, match=message):
        strip_solution(bad)


def _notebook(tmp_path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    path = tmp_path / "demo.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("sources, message", [
    (["x = 1"], "no graded question"),
    (["#| question: q1\n### BEGIN SOLUTION\n### END SOLUTION"], "points"),
    (["#| question: q1\n#| points: 1\n#| kind: judgement\nx = 1"], "no '### BEGIN SOLUTION'"),
    (["#| question: Q 1\n#| points: 1\n### BEGIN SOLUTION\n### END SOLUTION"], "question id"),
    (["#| question: q1\n#| points: 1\n#| kind: derivation\n### BEGIN SOLUTION\n"
      "### END SOLUTION"] * 2, "repeated"),
    (["### BEGIN SOLUTION\n### END SOLUTION"], "outside a question"),
])
def test_malformed_sources_are_reported(tmp_path, sources, message):
    with pytest.raises(ExerciseFormatError, match=message):
        read_assignment(_notebook(tmp_path, *sources))


# -- the check helpers explain what is wrong ---------------------------------------------------
def test_expect_close_names_the_first_wrong_entry():
    with pytest.raises(C.CheckFailed, match=r"1 of 4 entries are wrong; first at index \(1, 0\)"):
        C.expect_close([[1, 2], [3.5, 4]], [[1, 2], [3, 4]], what="M")
    with pytest.raises(C.CheckFailed, match="shape"):
        C.expect_close([1, 2, 3], [1, 2], what="v")
    with pytest.raises(C.CheckFailed, match="wrong sign"):
        C.expect_close([-1.0, -2.0], [1.0, 2.0], what="v")
    with pytest.raises(C.CheckFailed, match="transpose"):
        C.expect_close([[1, 3], [2, 4]], [[1, 2], [3, 4]], what="M")
    with pytest.raises(C.CheckFailed, match="NaN"):
        C.expect_close([np.nan, 1.0], [1.0, 1.0], what="v")
    with pytest.raises(C.CheckFailed, match="numeric"):
        C.expect_close("abc", 1.0, what="x")
    C.expect_close([1.0, 2.0], [1.0, 2.0 + 1e-12], what="v")


def test_local_kernel_reports_learner_errors():
    def broken(x):
        return x / undefined_name  # noqa: F821

    def stub(x):
        raise NotImplementedError

    k = C.LocalKernel({"broken": broken, "stub": stub, "value": 3})
    with pytest.raises(C.KernelError, match="NameError") as info:
        k.call("broken", 1)
    assert info.value.kind == "exception"
    with pytest.raises(C.KernelError, match="not implemented") as info:
        k.call("stub", 1)
    assert info.value.kind == "not-implemented"
    with pytest.raises(C.KernelError, match="not defined") as info:
        k.call("missing")
    assert info.value.kind == "undefined"
    with pytest.raises(C.KernelError, match="should be a function"):
        k.call("value")


def test_local_kernel_protects_arguments_from_mutation():
    def mutate(a):
        a[:] = 0
        return a.sum()

    x = np.ones(3)
    C.LocalKernel({"mutate": mutate}).call("mutate", x)
    assert x.sum() == 3


def test_mistakes_name_the_mistake_the_answer_matches():
    with pytest.raises(C.CheckFailed, match="Hint: you added log k"):
        C.expect_close([1.0, 2.0], [0.0, 1.0], what="v",
                       mistakes={"you forgot it": [5.0, 5.0], "you added log k": [1.0, 2.0]},
                       hint="generic")
    with pytest.raises(C.CheckFailed, match="Hint: generic"):
        C.expect_close([9.0, 9.0], [0.0, 1.0], what="v", mistakes={"x": [1.0]},
                       hint="generic")
    with pytest.raises(C.CheckFailed, match="Hint: by dot product"):
        C.expect_equal(["big"], ["small"], "nn", mistakes={"by dot product": ["big"]})
    C.expect_close([0.0, 1.0], [0.0, 1.0], what="v", mistakes={"same": [0.0, 1.0]})


def test_property_helpers_explain_what_is_wrong():
    with pytest.raises(C.CheckFailed, match=r"entry \(0, 1\) is 2 and entry \(1, 0\) is 3"):
        C.expect_symmetric([[1, 2], [3, 1]], "M")
    with pytest.raises(C.CheckFailed, match="square"):
        C.expect_symmetric([[1, 2, 3]], "M")
    with pytest.raises(C.CheckFailed, match=r"NaN or infinity \(first at index \(1,\)\)"):
        C.expect_finite([1.0, np.inf], "v")
    with pytest.raises(C.CheckFailed, match="one of 'a', 'b'"):
        C.expect_one_of("c", ("a", "b"), "q")
    C.expect_one_of(" B ", ("a", "b"), "q")


def test_checker_prints_feedback_and_raises(capsys):
    namespace = {"cosine_similarity": lambda x, y: float(np.dot(x, y))}  # forgot to normalise
    check = C.Checker("ch01_words_as_vectors", namespace)
    with pytest.raises(C.CheckFailed, match="q1-cosine"):
        check("q1-cosine")
    out = capsys.readouterr().out
    assert "✘" in out and "expected 1" in out
    with pytest.raises(ValueError, match="question must be one of"):
        check("no-such-question")


def test_exact_values_travel_as_whitelisted_data():
    import sympy
    M = sympy.Matrix([[sympy.sqrt(12), sympy.Rational(-3, 7)],
                      [1 + sympy.sqrt(2) / 3, sympy.pi]])
    encoded = json.loads(json.dumps(C.sympy_to_data(M)))
    back = C.as_sympy({"__sympy__": encoded}, "M")
    assert back == M
    assert C.as_sympy(sympy.sqrt(10), "s") == sympy.sqrt(10)
    with pytest.raises(ValueError, match="unknown node"):
        C.data_to_sympy({"eval": "__import__('os').system('true')"})
    with pytest.raises(C.CheckFailed, match="floating-point"):
        C.as_sympy(3.4641, "sigma")
    deep = {"int": "1"}
    for _ in range(30000):
        deep = {"add": [deep, {"int": "1"}]}
    with pytest.raises((ValueError, RecursionError)):
        C.data_to_sympy(deep)


def test_expect_close_on_a_wrong_non_square_matrix_names_the_entry():
    with pytest.raises(C.CheckFailed, match="entries are wrong"):
        C.expect_close(np.ones((2, 3)), np.zeros((2, 3)), what="M")


# -- the chapters' exercise boxes (stamped by `wvlib course assign` from the solutions) --------
CHAPTERS_WITH_EXERCISES = [p for p in CHAPTERS if (ROOT / "solutions" / f"ch{p.stem}.ipynb")
                           .is_file()]


def test_every_chapter_has_an_assignment():
    assert [p.stem for p in CHAPTERS_WITH_EXERCISES] == [p.stem for p in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS_WITH_EXERCISES,
                         ids=[p.stem for p in CHAPTERS_WITH_EXERCISES])
def test_chapter_ends_with_one_exercise_box_that_follows_the_solution(path):
    """The box lists what the solution notebook holds: every question's title, points and
    kind, the total, and the download link of the exercise (the book adds the Colab and
    Binder links next to it); no hand-written box is left in the page."""
    from wvlib.course.assign import EXERCISE_BOX_ID
    a = read_assignment(ROOT / "solutions" / f"ch{path.stem}.ipynb")
    chapter = nbformat.read(path, as_version=4)
    boxes = [c for c in chapter.cells if "{exercise}" in c.source]
    assert len(boxes) == 1 and boxes[0] is chapter.cells[-1]
    box = chapter.cells[-1]
    assert box.get("id") == EXERCISE_BOX_ID and box.cell_type == "markdown"
    assert f"{{download}}`{a.id}.ipynb <../exercises/{a.id}.ipynb>`" in box.source
    assert (ROOT / "exercises" / f"{a.id}.ipynb").is_file()
    assert f"graded questions ({a.total_points:g} points)" in box.source
    items = [line for line in box.source.splitlines() if line[:1].isdigit()]
    assert len(items) == len(a.questions)
    for n, (item, q) in enumerate(zip(items, a.questions), 1):
        assert item.startswith(f"{n}. **") and q.title[1:] in item, (item, q.title)
        assert item.endswith(f"({q.points:g} point{'s' if q.points != 1 else ''}, {q.kind})")
    assert sum(c.source.count("## Exercises") for c in chapter.cells) == 1


def _chapter_with_old_box():
    """A chapter page in the old style: the box at the end of the summary cell."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Words as vectors"),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_markdown_cell(
                    "## Summary\n\n- a point.\n\n## Exercises\n\n```{exercise}\n"
                    ":label: ex-ch01\n\nDownload "
                    "{download}`ch01.ipynb <../exercises/ch01_words_as_vectors.ipynb>`"
                    "\nand work through its three questions:\n\n1. **Old** (2 points)\n```\n"),
                nbformat.v4.new_code_cell("y = 2", metadata={"tags": ["remove-cell"]})]
    return nb


def test_assign_stamps_the_exercise_box_and_replaces_a_hand_written_one(tmp_path, capsys):
    from wvlib.course.assign import exercise_box_source, stamp_exercise_box
    root = tmp_path / "copy"
    sol, ex, book = root / "solutions", root / "exercises", root / "book"
    sol.mkdir(parents=True)
    book.mkdir()
    source = ROOT / "solutions" / "ch01_words_as_vectors.ipynb"
    (sol / source.name).write_bytes(source.read_bytes())
    nbformat.write(_chapter_with_old_box(), book / "01_words_as_vectors.ipynb")
    assert assign(sol, ex, check=True) == 1
    assert "01_words_as_vectors.ipynb: exercise box missing" in capsys.readouterr().out
    assert assign(sol, ex) == 0
    page = book / "01_words_as_vectors.ipynb"
    stamped = nbformat.read(page, as_version=4)
    a = read_assignment(sol / source.name)
    assert [c.source for c in stamped.cells] == [
        "# Words as vectors", "x = 1", "## Summary\n\n- a point.", "y = 2",
        exercise_box_source(a)]
    text = page.read_text()
    assert assign(sol, ex, check=True) == 0
    assert assign(sol, ex) == 0 and page.read_text() == text            # idempotent
    # an old box put back (a merge), the stamped box edited or moved: one box, up to date
    old = _chapter_with_old_box().cells[2]
    stamped.cells.insert(1, old)
    stamped.cells[-1].source += "\nedited"
    stamped.cells.insert(0, stamped.cells.pop())
    assert stamp_exercise_box(stamped, a) is True
    assert [c.source for c in stamped.cells] == [
        "# Words as vectors", "## Summary\n\n- a point.", "x = 1", "## Summary\n\n- a point.",
        "y = 2", exercise_box_source(a)]
    assert stamp_exercise_box(stamped, a) is False
    # the box follows the solution: a question's points change, the box is stale
    nb = nbformat.read(sol / source.name, as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("#| points: 2\n#| kind: implementation\n#| reimp"
                                          "lements: wvlib.vectors.KeyedVectors.similarity",
                                          "#| points: 5\n#| kind: implementation\n#| reimp"
                                          "lements: wvlib.vectors.KeyedVectors.similarity")
        cell.source = cell.source.replace("cosine similarity (2 points)",
                                          "cosine similarity (5 points)")
    nbformat.write(nb, sol / source.name)
    assert read_assignment(sol / source.name).questions[0].points == 5
    capsys.readouterr()
    assert assign(sol, ex, check=True) == 1
    assert "exercise box missing or out of date" in capsys.readouterr().out
    assert assign(sol, ex) == 0
    assert "(5 points, implementation)" in nbformat.read(page, as_version=4).cells[-1].source


def test_a_page_without_a_solution_gets_no_box(tmp_path):
    from wvlib.course.assign import stamp_chapters
    nbformat.write(_chapter_with_old_box(), tmp_path / "07_other.ipynb")
    before = (tmp_path / "07_other.ipynb").read_text()
    assert stamp_chapters(tmp_path, None, check=True, assignments={}) == []
    assert stamp_chapters(tmp_path, None, check=False, assignments={}) == []
    assert (tmp_path / "07_other.ipynb").read_text() == before


def _titled(tmp_path, heading, header=""):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(heading + "\n\nWrite f."),
                nbformat.v4.new_code_cell(f"#| question: q1\n#| points: 2\n#| kind: derivation\n"
                                          f"{header}### BEGIN SOLUTION\n### END SOLUTION")]
    nbformat.write(nb, tmp_path / "demo.ipynb")
    return tmp_path / "demo.ipynb"


def test_question_titles_come_from_the_heading_or_a_title_line(tmp_path):
    from wvlib.course.assign import exercise_box_source
    a = read_assignment(_titled(tmp_path, "## Question 1 — the $k$-th thing (2 points)"))
    assert a.questions[0].title == "the $k$-th thing"
    assert "1. **The $k$-th thing** (2 points, derivation)" in exercise_box_source(a)
    a = read_assignment(_titled(tmp_path, "## Question 1 — long (2 points)",
                                "#| title: short\n"))
    assert a.questions[0].title == "short"
    a = read_assignment(_titled(tmp_path, "## Some other heading"))
    assert a.questions[0].title == ""
    with pytest.raises(ExerciseFormatError, match="no title"):
        exercise_box_source(a)


@pytest.mark.parametrize("heading, message", [
    ("## Question 2 — a title (2 points)", "is question 1"),
    ("## Question 1 — a title (3 points)", "has '#| points: 2'"),
    ("## Question 1: a title", "must read"),
])
def test_a_heading_that_disagrees_with_its_question_is_refused(tmp_path, heading, message):
    with pytest.raises(ExerciseFormatError, match=message):
        read_assignment(_titled(tmp_path, heading))


def test_every_official_question_has_a_title():
    for path in SOLUTIONS:
        for q in read_assignment(path).questions:
            assert q.title, (path.stem, q.id)
