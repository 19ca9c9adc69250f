"""The grader (wvlib.grading.grade, remote, probe, sandbox, gradescope) against correct, blank,
broken and hostile submissions.

The submissions are generated here, in temporary folders, from the chapter 1 exercise and
solution notebooks. Most of them are graded in ONE batch (``--jobs 2``) by a module-scoped
fixture, because every submission costs a fresh kernel; the tests then read the results.
"""
import copy
import csv
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from wvlib.cli import main as cli_main
from wvlib.course import checks as C
from wvlib.course.notebook import read_assignment
from wvlib.grading import batch as B
from wvlib.grading import grade as G
from wvlib.grading import probe as P
from wvlib.grading.sandbox import prepare_sandbox

from cheats import lookup_notebook, pasted_public_notebook
from cheats import stamped as stamped_as
from copies import VARIANTS
from copies import submissions as copy_submissions
from test_exercise_format import NOT_YET_CONVERTED

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
CH01 = "ch01_words_as_vectors"
SOLUTION = ROOT / "solutions" / f"{CH01}.ipynb"
EXERCISE = ROOT / "exercises" / f"{CH01}.ipynb"
HIDDEN = ROOT / "solutions" / "hidden" / f"{CH01}.py"
FULL = float(read_assignment(SOLUTION).total_points)   # points of the chapter 1 assignment
#: assignments whose public checks are in the format of issue 21 (stored values, hidden core)
CONVERTED = [p.stem for p in SOLUTIONS if p.stem not in NOT_YET_CONVERTED]
GRADE_FLAGS = ["--timeout-cell", "6", "--timeout-total", "300", "--memory", "2048"]


# --------------------------------------------------------------------------------------------
# Building submissions
# --------------------------------------------------------------------------------------------
def load(path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def with_cells(nb, *sources):
    """A copy of ``nb`` with code cells appended."""
    nb = copy.deepcopy(nb)
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def edit_sources(nb, edit):
    """A copy of ``nb`` whose code cells' sources are passed through ``edit``."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = edit(cell.source)
    return nb


def stamp(nb):
    """Solutions carry no assignment metadata; stamp it as `wvlib course assign` would."""
    nb = copy.deepcopy(nb)
    nb.metadata.setdefault("wvlib", {})["assignment"] = CH01
    return nb


def is_check_cell(cell):
    return cell.cell_type == "code" and cell.source.strip().startswith("check(")


SEARCH_AND_STEAL = f"""
import glob, json, os
roots = ['/work', '/root', '/home', '/tmp', '/autograder', {str(ROOT)!r}, os.path.expanduser('~')]
found = []
for root in roots:
    found += glob.glob(os.path.join(root, '**', 'hidden', '*.py'), recursive=True)
    found += glob.glob(os.path.join(root, '**', 'solutions', '*.ipynb'), recursive=True)
    found += glob.glob(os.path.join(root, '**', 'good*.ipynb'), recursive=True)
found += [p for p in [{str(SOLUTION)!r}, {str(HIDDEN)!r}] if os.path.exists(p)]
print('FOUND', sorted(set(found)))
for path in found:
    try:
        nb = json.load(open(path))
    except Exception:
        continue
    for cell in nb.get('cells', []):
        source = ''.join(cell.get('source', ''))
        if cell.get('cell_type') == 'code' and '#| question' in source:
            exec(source.replace('### BEGIN SOLUTION', '').replace('### END SOLUTION', ''))
"""

WRITE_RESULTS = """
import json, os
fake = json.dumps({"score": 1000, "tests": [], "extra_data": {"status": "ok"}})
for path in ['results.json', '../results.json',
             os.environ.get('WVLIB_FAKE_OUT', '/nonexistent') + '/results.json']:
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, 'w') as f:
            f.write(fake)
    except OSError as exc:
        print('could not write', path, exc)
"""


def hostile_cases(out_dir: Path):
    """{name: (notebook or bytes, expected score, expected status or None)}."""
    ex, sol = load(EXERCISE), stamp(load(SOLUTION))
    write_results = WRITE_RESULTS.replace("os.environ.get('WVLIB_FAKE_OUT', '/nonexistent')",
                                          repr(str(out_dir / "ex_write_results")))
    reversed_sol = copy.deepcopy(sol)
    reversed_sol.cells = reversed_sol.cells[::-1]
    duplicated = copy.deepcopy(sol)
    duplicated.cells = [c for cell in sol.cells for c in (cell, copy.deepcopy(cell))]
    for i, cell in enumerate(duplicated.cells):
        cell.id = f"dup-{i}"
    no_checks = copy.deepcopy(sol)
    no_checks.cells = [c for c in sol.cells if c.cell_type == "code" and not is_check_cell(c)]
    greedy = edit_sources(sol, lambda s: s.replace("#| points: 2", "#| points: 200")
                          .replace("#| forbid: wvlib.vectors\n", "")
                          .replace('check("q1-cosine")', 'print("all good, 200 points")'))
    greedy_ex = edit_sources(ex, lambda s: s.replace("#| points: 3", "#| points: 300")
                             .replace('check("q2-cooccurrence")',
                                      'import wvlib.course.checks as c\n'
                                      'c.expect_close = lambda *a, **k: None'))
    forbidden = edit_sources(sol, lambda s: s.replace(
        "def cooccurrence_counts(sentences, vocabulary, window):",
        "from wvlib.cooccurrence import cooccurrence_matrix\n"
        "from wvlib.corpus import Vocabulary\n\n"
        "def cooccurrence_counts(sentences, vocabulary, window):\n"
        "    vocab = Vocabulary(list(vocabulary), np.ones(len(vocabulary), dtype=np.int64))\n"
        "    docs = [[w for w in s if w in vocab] for s in sentences]\n"
        "    return cooccurrence_matrix(docs, vocab, window=window).toarray()\n\n"
        "def _unused(sentences, vocabulary, window):"
    ).replace("def nearest_neighbors(M, words, query, k):",
              "def nearest_neighbors(M, words, query, k):\n"
              "    return _helper(M, words, query, k)\n\n"
              "def _helper(M, words, query, k):\n"
              "    _ = KV  # wvlib's KeyedVectors, imported in another cell"))
    forbidden.cells.insert(1, nbformat.v4.new_code_cell(
        "from wvlib.vectors import KeyedVectors as KV"))
    v3 = nbformat.writes(copy.deepcopy(sol), version=3)
    unknown = copy.deepcopy(ex)
    unknown.metadata["wvlib"]["assignment"] = "no_such_assignment"
    patch_numpy = ("import numpy as np\n"
                   "np.allclose = lambda *a, **k: True\n"
                   "np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)\n"
                   "np.array_equal = lambda *a, **k: True")
    patch_builtins = ("import builtins\n"
                      "builtins.abs = lambda x: 0\n"
                      "builtins.isinstance = lambda *a, **k: True")
    patch_checks = ("import wvlib.course.checks as c\n"
                    "for name in dir(c):\n"
                    "    if name.startswith('expect'):\n"
                    "        setattr(c, name, lambda *a, **k: None)\n"
                    "c.run_checks = lambda *a, **k: []")
    big_print = "print('x' * 100_000_000)"
    return {
        # unsolved exercise + attack: always zero
        "ex_syntax_error": (with_cells(ex, "def broken(:\n    pass"), 0.0, "cell-errors"),
        "ex_exception": (with_cells(ex, "raise RuntimeError('boom')"), 0.0, "cell-errors"),
        "ex_patch_numpy": (with_cells(ex, patch_numpy), 0.0, None),
        "ex_patch_builtins": (with_cells(ex, patch_builtins), 0.0, None),
        "ex_patch_checks": (with_cells(ex, patch_checks), 0.0, None),
        "ex_steal_solutions": (with_cells(ex, SEARCH_AND_STEAL), 0.0, None),
        "ex_write_results": (with_cells(ex, write_results), 0.0, None),
        "ex_big_print": (with_cells(ex, big_print), 0.0, None),
        "ex_edited_points": (greedy_ex, 0.0, None),
        "not_json": (b"\x00\x01 this is not a notebook \xff", 0.0, "not-a-notebook"),
        "json_not_notebook": (b'{"hello": "world"}', 0.0, "invalid-notebook"),
        "unknown_assignment": (unknown, 0.0, "unknown-assignment"),
        # a correct solution + an attack: the points of the right answers stay
        "sol_while_true": (with_cells(sol, "while True:\n    pass"), FULL, "timeout"),
        "sol_memory": (with_cells(sol, "import numpy as np\nx = np.ones(50 * 2**30 // 8)"),
                       FULL, "cell-errors"),
        "sol_sys_exit": (with_cells(sol, "import sys\nsys.exit()"), FULL, None),
        "sol_os_exit": (with_cells(sol, "import os\nos._exit(1)"), FULL, "kernel-died"),
        "sol_kill9": (with_cells(sol, "import os\nos.kill(os.getpid(), 9)"), FULL,
                      "kernel-died"),
        "sol_patch_numpy": (with_cells(sol, patch_numpy), FULL, None),
        "sol_patch_checks": (with_cells(sol, patch_checks), FULL, None),
        "sol_patch_builtins": (with_cells(sol, patch_builtins), FULL, None),
        "sol_write_results": (with_cells(sol, write_results), FULL, None),
        "sol_big_print": (with_cells(sol, big_print), FULL, None),
        "sol_huge_error": (with_cells(sol, "raise ValueError('z' * 50_000_000)"), FULL,
                           "kernel-died"),
        "sol_reordered": (reversed_sol, FULL, None),
        "sol_duplicated": (duplicated, FULL, None),
        "sol_no_check_cells": (no_checks, FULL, "ok"),
        "sol_edited_points": (greedy, FULL, None),
        "sol_forbidden": (forbidden, FULL - 5.0, None),     # q2 and q3 (3 + 2 points) lost
        "sol_nbformat3": (v3.encode(), FULL, None),
        "good": (sol, FULL, "ok"),
    }


#: attacks that only the sandbox stops (without it, they are documented limits)
NEEDS_SANDBOX = ("ex_steal_solutions", "ex_write_results", "sol_write_results")


def write_submission(folder: Path, name: str, content) -> Path:
    path = folder / f"{name}.ipynb"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        nbformat.write(content, path)
    return path


def grade(*argv) -> int:
    return cli_main(["course", "grade", *map(str, argv)])


def results_of(out: Path, name: str) -> dict:
    return json.loads((out / name / "results.json").read_text())


def sandboxed(hostile) -> bool:
    """Whether the batch ran in the bubblewrap sandbox (it says so in every result)."""
    return results_of(hostile["out"], "good")["sandbox"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Grade every hostile case, every solution and every exercise in one batch."""
    base = tmp_path_factory.mktemp("hostile")
    subs, out = base / "submissions", base / "out"
    subs.mkdir()
    cases = hostile_cases(out)
    for name, (content, _, _) in cases.items():
        write_submission(subs, name, content)
    for kind, paths in (("solutions", SOLUTIONS), ("exercises", EXERCISES)):
        (subs / kind).mkdir()
        for path in paths:
            nb = load(path)
            nb.metadata.setdefault("wvlib", {})["assignment"] = path.stem
            nbformat.write(nb, subs / kind / path.name)
    # issue 21: notebooks that look up the public examples or paste the public module, and
    # the copy report's independent answers and planted copies (tests/copies.py)
    (subs / "cheats").mkdir()
    for assignment in CONVERTED:
        nbformat.write(stamped_as(lookup_notebook(assignment), assignment),
                       subs / "cheats" / f"lookup__{assignment}.ipynb")
        nbformat.write(stamped_as(pasted_public_notebook(assignment), assignment),
                       subs / "cheats" / f"pasted__{assignment}.ipynb")
    (subs / "copies").mkdir()
    for name, nb in copy_submissions().items():
        if name.startswith(("variant", "copy-disguised", "copy-library")):
            nbformat.write(nb, subs / "copies" / f"{name}.ipynb")
    status = grade(subs, "--out", out, "--jobs", "2", *GRADE_FLAGS)
    return {"cases": cases, "out": out, "subs": subs, "status": status}


# --------------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------------
def test_batch_finishes_with_status_zero_and_a_result_for_everything(hostile):
    assert hostile["status"] == 0
    names = set(hostile["cases"]) | {f"solutions__{p.stem}" for p in SOLUTIONS} | \
        {f"exercises__{p.stem}" for p in EXERCISES}
    names |= {f"cheats__{kind}__{a}" for a in CONVERTED for kind in ("lookup", "pasted")}
    names |= {p.parent.name for p in hostile["out"].glob("copies__*/results.json")}
    graded = {p.parent.name for p in hostile["out"].glob("*/results.json")}
    assert graded == names
    for name in names:
        for file in ("results.json", "feedback.md", "details.json"):
            assert (hostile["out"] / name / file).is_file(), (name, file)


@pytest.mark.parametrize("case", sorted(hostile_cases(Path("/tmp")).keys()))
def test_hostile_case_gets_the_right_score(hostile, case):
    _, expected, status = hostile["cases"][case]
    if case in NEEDS_SANDBOX and not sandboxed(hostile):
        pytest.skip("without a sandbox a notebook can read the solutions and write into the "
                    "output folder (documented)")
    r = results_of(hostile["out"], case)
    assert r["score"] == pytest.approx(expected), (case, r["output"],
                                                   r["extra_data"]["events"])
    if status is not None:
        assert r["extra_data"]["status"] == status, (case, r["extra_data"]["events"])


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_every_solution_gets_full_marks(hostile, path):
    r = results_of(hostile["out"], f"solutions__{path.stem}")
    assert r["score"] == pytest.approx(r["extra_data"]["max_score"]) and r["score"] > 0, \
        [t for t in r["tests"] if t["status"] != "passed"]
    assert all(t["status"] == "passed" for t in r["tests"])


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_every_blank_exercise_gets_zero(hostile, path):
    r = results_of(hostile["out"], f"exercises__{path.stem}")
    assert r["score"] == 0 and r["extra_data"]["max_score"] > 0
    assert r["tests"] and all(t["status"] == "failed" for t in r["tests"])
    assert r["extra_data"]["status"] != "grader-error"


@pytest.mark.parametrize("kind", ["lookup", "pasted"])
@pytest.mark.parametrize("assignment", CONVERTED)
def test_public_lookup_and_pasted_public_module_score_zero(hostile, assignment, kind):
    """Issue 21: a notebook answering from a table of the public checks' inputs and outputs
    (or with the functions of the pasted public module) scores 0 on every question — while
    the lookup passes most public checks (it is a real lookup)."""
    r = results_of(hostile["out"], f"cheats__{kind}__{assignment}")
    assert r["extra_data"]["status"] != "grader-error"
    assert r["score"] == 0, r["output"]
    if kind == "lookup":
        public = [t for t in r["tests"] if t["extra_data"]["kind"] == "public"]
        passed = sum(t["output"].startswith("This check passed") for t in public)
        assert passed >= 0.6 * len(public), [t["output"][:80] for t in public]


@pytest.mark.parametrize("name", sorted(f"variant{i}__{a}__{q}" for (a, q), vs in
                                        VARIANTS.items() for i in range(1, len(vs) + 1)))
def test_independent_variants_earn_full_marks(hostile, name):
    """The copy report's independent answers are correct answers."""
    r = results_of(hostile["out"], f"copies__{name}")
    assert r["score"] == r["extra_data"]["max_score"], r["output"]


def test_copy_report_flags_planted_copies_and_no_independent_answer(hostile):
    """`wvlib course similarity` on the batch: each disguised copy (renamed, reordered,
    commented) is paired with the official solution, the pasted library function with wvlib;
    no pair joins two independent answers (official solution, variants) and none of them is
    paired with wvlib or the public checks."""
    from wvlib.grading.similarity import similarity_report
    pairs = similarity_report(hostile["out"], ROOT / "solutions")
    flagged = {(p.question, p.a.owner, p.b.owner) for p in pairs}
    flagged |= {(q, b, a) for q, a, b in flagged}
    for (assignment, question), variants in VARIANTS.items():
        official = f"solutions__{assignment}"
        copy_name = f"copies__copy-disguised__{assignment}__{question}"
        assert (question, copy_name, official) in flagged, (question, copy_name)
        independent = [official] + [f"copies__variant{i}__{assignment}__{question}"
                                    for i in range(1, len(variants) + 1)]
        for p in pairs:
            if p.assignment == assignment and p.question == question:
                involved = {p.a.owner, p.b.owner} & set(independent)
                assert not (len(involved) == 2 or (involved and p.kind != "submission")), \
                    (p.kind, p.a.owner, p.b.owner, p.share_a, p.share_b)
    assert any(p.kind == "library" and p.question == "q1-pmi" and
               p.a.owner == "copies__copy-library__ch04_ppmi__q1-pmi" for p in pairs)
    assert (hostile["out"] / "similarity.csv").is_file()
    assert (hostile["out"] / "similarity.html").is_file()


def test_results_json_follows_the_gradescope_format(hostile):
    for path in sorted(hostile["out"].glob("*/results.json")):
        if path.parent.name in NEEDS_SANDBOX and not sandboxed(hostile):
            continue
        r = json.loads(path.read_text())
        assert isinstance(r["score"], float) and isinstance(r["output"], str)
        assert isinstance(r["execution_time"], (int, float)) and isinstance(r["sandbox"], bool)
        assert isinstance(r["tests"], list)
        total = 0.0
        for t in r["tests"]:
            assert set(t) >= {"name", "score", "max_score", "status", "output", "visibility"}
            assert t["status"] in ("passed", "failed")
            assert t["visibility"] in ("visible", "after_published")
            assert 0 <= t["score"] <= t["max_score"] + 1e-9
            assert isinstance(t["name"], str) and isinstance(t["output"], str)
            total += t["score"]
        assert r["score"] == pytest.approx(total, abs=1e-4)
        assert r["score"] == pytest.approx(sum(q["score"] for q in
                                               r["extra_data"]["questions"].values()))


def test_hidden_tests_are_after_published_and_do_not_reveal_their_inputs(hostile):
    r = results_of(hostile["out"], "exercises__" + CH01)
    hidden = [t for t in r["tests"] if t["extra_data"]["kind"] == "hidden"]
    public = [t for t in r["tests"] if t["extra_data"]["kind"] == "public"]
    assert hidden and public
    assert all(t["visibility"] == "after_published" for t in hidden)
    assert all(t["visibility"] == "visible" for t in public)
    assert all(t["output"].startswith("Hidden test failed:") for t in hidden)
    feedback = (hostile["out"] / ("exercises__" + CH01) / "feedback.md").read_text()
    assert "hidden test: random vectors of random length and scale" in feedback
    assert "cosine_similarity([1, 2, 2], [2, 0, 0])" not in feedback  # a hidden input
    assert "`cosine_similarity` is not implemented yet" in feedback   # public messages shown


def test_partial_credit_is_points_times_passed_weight(hostile):
    r = results_of(hostile["out"], "sol_forbidden")
    qs = r["extra_data"]["questions"]
    assert qs["q1-cosine"]["score"] == 2 and not qs["q1-cosine"]["forbidden"]
    assert qs["q2-cooccurrence"]["score"] == 0 and qs["q3-neighbors"]["score"] == 0
    for t in r["tests"]:
        weights = [u["extra_data"]["weight"] for u in r["tests"]
                   if u["extra_data"]["question"] == t["extra_data"]["question"]]
        points = qs[t["extra_data"]["question"]]["max_score"]
        assert t["max_score"] == pytest.approx(points * t["extra_data"]["weight"] / sum(weights),
                                               abs=1e-6)


def test_forbidden_modules_are_found_statically_and_in_the_kernel(hostile):
    r = results_of(hostile["out"], "sol_forbidden")
    qs = r["extra_data"]["questions"]
    q2, q3 = " ".join(qs["q2-cooccurrence"]["forbidden"]), " ".join(qs["q3-neighbors"]["forbidden"])
    assert "imports cooccurrence_matrix from wvlib.cooccurrence" in q2       # read from the cell
    if sandboxed(hostile):   # wvlib.vectors is absent from the sandbox: the import failed
        assert qs["q3-neighbors"]["score"] == 0
    else:
        assert "`KV`, which comes from wvlib.vectors" in q3                  # seen in the kernel
        assert "nearest_neighbors → _helper" in q3                          # through a helper
    feedback = (hostile["out"] / "sol_forbidden" / "feedback.md").read_text()
    assert "No points for this question" in feedback and "wvlib.cooccurrence" in feedback


def test_edited_points_and_check_cells_are_ignored(hostile):
    for name in ("sol_edited_points", "ex_edited_points"):
        r = results_of(hostile["out"], name)
        assert r["extra_data"]["max_score"] == FULL
        assert r["extra_data"]["questions"]["q1-cosine"]["max_score"] == 2
    with open(hostile["out"] / "gradebook.csv", newline="") as f:
        rows = {row["name"]: row for row in csv.DictReader(f)}
    row = rows["sol_edited_points"]
    assert [row[c] for c in ("q1-cosine", "q2-cooccurrence", "q3-neighbors", "q4-spectrum",
                             "total", "max", "status")] == ["2", "3", "2", "2", f"{FULL:g}",
                                                            f"{FULL:g}", "ok"]
    assert list(rows) == sorted(rows)                          # one row each, sorted by name
    assert rows["not_json"]["total"] == "0" and rows["not_json"]["status"] == "not-a-notebook"


def test_the_sandbox_hides_solutions_other_submissions_and_the_output(hostile):
    if not sandboxed(hostile):
        pytest.skip("no working bubblewrap sandbox on this machine")
    r = results_of(hostile["out"], "ex_steal_solutions")
    executed = json.loads((hostile["out"] / "ex_steal_solutions" / "executed.ipynb").read_text())
    printed = "".join(o.get("text", "") for c in executed["cells"] for o in c["outputs"])
    assert "FOUND []" in printed
    assert r["score"] == 0


def test_files_written_by_a_submission_never_replace_results(hostile):
    out, subs = hostile["out"], hostile["subs"]
    if not sandboxed(hostile):
        pytest.skip("without a sandbox a notebook can write into the output folder")
    for name in ("ex_write_results", "sol_write_results"):
        r = results_of(out, name)
        assert r["score"] in (0.0, FULL) and "extra_data" in r and r["tests"]
    assert not (out / "results.json").exists() and not (subs / "results.json").exists()
    assert not (subs.parent / "results.json").exists()


def test_huge_output_is_capped(hostile):
    for name in ("ex_big_print", "sol_big_print", "sol_huge_error"):
        folder = hostile["out"] / name
        assert sum(f.stat().st_size for f in folder.iterdir()) < 5 * 2**20


def test_kernel_deaths_and_timeouts_are_recorded(hostile):
    out = hostile["out"]
    events = " ".join(results_of(out, "sol_os_exit")["extra_data"]["events"])
    assert "the kernel died while running cell" in events
    cells = results_of(out, "sol_while_true")["extra_data"]["cells"]
    assert cells[-1]["status"] == "timeout"
    cells = results_of(out, "sol_memory")["extra_data"]["cells"]
    assert cells[-1]["status"] == "error" and cells[-1]["ename"] == "MemoryError"
    feedback = (out / "sol_kill9" / "feedback.md").read_text()
    assert "made the kernel die" in feedback


def test_problem_files_explain_themselves(hostile):
    out = hostile["out"]
    assert "not valid JSON" in results_of(out, "not_json")["output"]
    assert "not a Jupyter notebook" in results_of(out, "json_not_notebook")["output"]
    assert "no_such_assignment" in results_of(out, "unknown_assignment")["output"]


def test_resume_skips_graded_submissions_and_regrades_changed_ones(hostile, tmp_path, capsys):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    write_submission(subs, "good", stamp(load(SOLUTION)))
    write_submission(subs, "blank", load(EXERCISE))
    assert grade(subs, "--out", out, *GRADE_FLAGS) == 0
    first = {n: (out / n / "results.json").read_text() for n in ("good", "blank")}
    capsys.readouterr()
    assert grade(subs, "--out", out, *GRADE_FLAGS) == 0
    text = capsys.readouterr().out
    assert text.count(": already graded (") == 2 and "graded 0 submission(s)" in text
    assert {n: (out / n / "results.json").read_text() for n in first} == first
    write_submission(subs, "blank", with_cells(load(EXERCISE), "x = 1"))
    assert grade(subs, "--out", out, *GRADE_FLAGS) == 0
    text = capsys.readouterr().out
    assert text.count(": already graded (") == 1 and "graded 1 submission(s)" in text
    # a rerun from scratch gives the same grades as the big batch
    for name, ref in (("good", "good"), ("blank", "exercises__" + CH01)):
        a, b = results_of(out, name), results_of(hostile["out"], ref)
        assert a["score"] == b["score"]
        assert [(t["name"], t["score"], t["status"], t["output"]) for t in a["tests"]] == \
               [(t["name"], t["score"], t["status"], t["output"]) for t in b["tests"]]
    gradebook = (out / "gradebook.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in gradebook[1:]] == ["blank", "good"]


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------
def test_bad_arguments_exit_non_zero(tmp_path, capsys):
    sub = write_submission(tmp_path, "s", load(EXERCISE))
    assert grade(sub, "--out", tmp_path / "o", "--jobs", "0") == 2
    assert "--jobs" in capsys.readouterr().err
    assert grade(sub, "--out", tmp_path / "o", "--assignment", "nope") == 2
    assert "--assignment" in capsys.readouterr().err
    assert grade(tmp_path / "missing.ipynb", "--out", tmp_path / "o") == 2
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert grade(sub, "--out", blocker / "out") == 2
    assert "--out" in capsys.readouterr().err


def test_without_sandbox_every_report_says_so_loudly(tmp_path, capsys):
    sub = write_submission(tmp_path, "s", stamp(load(SOLUTION)))
    assert grade(sub, "--out", tmp_path / "o", "--no-sandbox", *GRADE_FLAGS) == 0
    assert "WITHOUT a sandbox" in capsys.readouterr().err
    r = results_of(tmp_path / "o", "s")
    assert r["sandbox"] is False and "WITHOUT a sandbox" in r["output"]
    assert r["score"] == FULL
    assert "WITHOUT a sandbox" in (tmp_path / "o" / "s" / "feedback.md").read_text()


def test_missing_bubblewrap_means_no_sandbox_and_a_reason(monkeypatch, tmp_path):
    import wvlib.grading.sandbox as S
    monkeypatch.setattr(S, "find_bwrap", lambda: None)
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    sandbox = S.prepare_sandbox([tmp_path], [secret])
    assert not sandbox.enabled and "bubblewrap" in sandbox.reason
    assert sandbox.describe().startswith("NOT SANDBOXED")


def test_assignment_is_matched_by_metadata_then_file_name(tmp_path):
    known = [CH01, "ch02_other"]
    assert G.match_assignment({"assignment": CH01}, Path("x.ipynb"), known) == CH01
    assert G.match_assignment({}, Path(f"{CH01}.ipynb"), known) == CH01
    assert G.match_assignment({}, Path(f"alice_{CH01}_v2.ipynb"), known) == CH01
    assert G.match_assignment({"assignment": "zzz"}, Path("hw.ipynb"), known) is None
    assert G.match_assignment({}, Path("hw.ipynb"), known, forced=CH01) == CH01


def test_discover_names_are_unique_and_skip_the_output_folder(tmp_path):
    for who in ("alice", "bob"):
        (tmp_path / who).mkdir()
        (tmp_path / who / "hw.ipynb").write_text("{}")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "hw-checkpoint.ipynb").write_text("{}")
    (tmp_path / "out" / "x").mkdir(parents=True)
    (tmp_path / "out" / "x" / "executed.ipynb").write_text("{}")
    subs = B.discover([tmp_path], tmp_path / "out")
    assert [s.name for s in subs] == ["alice__hw", "bob__hw"]


# --------------------------------------------------------------------------------------------
# Pieces: forbidden-module scan, plain-data messages, the remote kernel
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("source, hit", [
    ("import wvlib.vectors\n", "imports wvlib.vectors"),
    ("import wvlib.vectors as v\n", "imports wvlib.vectors"),
    ("from wvlib.vectors import KeyedVectors\n", "imports KeyedVectors from wvlib.vectors"),
    ("from wvlib import vectors\n", "imports vectors from wvlib"),
    ("import wvlib\ndef f(x):\n    return wvlib.vectors.KeyedVectors\n", "uses wvlib.vectors"),
    ("import importlib\nm = importlib.import_module('wvlib.vectors')\n", "names the module"),
    ("%time import wvlib.vectors\n", "uses wvlib.vectors in"),
    ("exec('from wvlib.vectors import KeyedVectors')\n", "uses wvlib.vectors in"),
])
def test_static_scan_finds_forbidden_uses(source, hit):
    hits = G.static_forbidden_uses(source, ["wvlib.vectors"])
    assert any(hit in h for h in hits), hits


@pytest.mark.parametrize("source", [
    "import numpy as np\ndef f(x):\n    return np.linalg.norm(x)\n",
    "from wvlib.corpus import Vocabulary\n",
    "import wvlib.vectorsplus\n",
    "def f(x):\n    \"\"\"Unlike wvlib.vectors, this is mine.\"\"\"\n    return x\n",
    "def f(:\n",
])
def test_static_scan_accepts_other_modules(source):
    assert G.static_forbidden_uses(source, ["wvlib.vectors"]) == []


@pytest.mark.parametrize("source", [
    "from wvlib.word2vec.kernels import neg_step\n",
    "from wvlib.word2vec.reference import neg_sampling_loss_and_grads\n",
    "import wvlib.word2vec.tables as t\n",
    "from wvlib.word2vec import reference\n",
    "import wvlib\ndef f(x):\n    return wvlib.word2vec.kernels.neg_step(x)\n",
    "import importlib\nm = importlib.import_module('wvlib.word2vec.trainer')\n",
])
def test_forbidding_a_package_forbids_its_modules_in_the_static_scan(source):
    """``forbid: wvlib.word2vec`` covers the package's modules (reference, tables, kernels,
    trainer), however they are named."""
    assert G.static_forbidden_uses(source, ["wvlib.word2vec"]) != []


def test_forbidding_a_package_forbids_its_modules_in_the_kernel_inspection():
    """The in-kernel inspection (run here, in-process) sees a function that uses a submodule
    of a forbidden package: by the object's module (``wvlib.word2vec.reference``), by a
    compiled kernel's module, or through the submodule itself."""
    namespace = {}
    exec("from wvlib.word2vec.reference import neg_sampling_loss_and_grads as ref\n"
         "from wvlib.word2vec import kernels\n"
         "def a(v, o, n, W):\n    return ref(v, o, n, W)\n"
         "def b(H):\n    return kernels.neg_step(H)\n"
         "def c(x):\n    return helper(x)\n"
         "def helper(x):\n    return kernels.sigmoid_and_loss(x)\n"
         "d = ref\n"
         "def mine(x):\n    return x\n", namespace)
    for name in ("a", "b", "c", "d"):
        found = P.forbidden_references(namespace, [name], ["wvlib.word2vec"])
        assert found and all("wvlib.word2vec" in f for f in found), (name, found)
    assert P.forbidden_references(namespace, ["mine"], ["wvlib.word2vec"]) == []


@pytest.mark.parametrize("source", [
    "import scipy.stats\n",
    "import scipy.stats as ss\n",
    "from scipy import stats\n",
    "from scipy.stats import spearmanr\n",
    "from scipy.stats._stats_py import pearsonr\n",
    "import scipy\ndef f(x, y):\n    return scipy.stats.spearmanr(x, y)\n",
    "import importlib\nm = importlib.import_module('scipy.stats')\n",
    "exec('from scipy.stats import rankdata')\n",
])
def test_any_module_can_be_forbidden_in_the_static_scan(source):
    """``forbid: scipy.stats`` (ch09 q1 says "do not call scipy.stats") is read like the wvlib
    modules; other parts of SciPy stay allowed."""
    assert G.static_forbidden_uses(source, ["scipy.stats"]) != []
    assert G.static_forbidden_uses("import scipy.linalg\nfrom scipy import sparse\n",
                                   ["scipy.stats"]) == []


def test_any_module_can_be_forbidden_in_the_kernel_inspection():
    """The in-kernel inspection finds scipy.stats reached as a module, a function, through the
    parent package or through a helper; an answer written with NumPy is not flagged."""
    namespace = {}
    exec("import numpy as np\nimport scipy\nimport scipy.stats\n"
         "from scipy.stats import spearmanr as sr\n"
         "def through_parent(x, y):\n    return scipy.stats.spearmanr(x, y)[0]\n"
         "def imported(x, y):\n    return sr(x, y)[0]\n"
         "def helper(x, y):\n    return sr(x, y)[0]\n"
         "def via_helper(x, y):\n    return helper(x, y)\n"
         "def mine(x, y):\n"
         "    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))\n"
         "    return float(np.corrcoef(rx, ry)[0, 1])\n"
         "def other_scipy(x):\n    return scipy.linalg.norm(x)\n", namespace)
    for name in ("through_parent", "imported", "via_helper"):
        found = P.forbidden_references(namespace, [name], ["scipy.stats"])
        assert found and all("scipy.stats" in f for f in found), (name, found)
    for name in ("mine", "other_scipy"):
        assert P.forbidden_references(namespace, [name], ["scipy.stats"]) == [], name


@pytest.mark.slow                              # grades two notebooks in fresh kernels
def test_a_forbidden_third_party_module_costs_the_question(tmp_path):
    """End to end: a course whose q1 forbids scipy.spatial gives q1 no points to an answer
    that calls scipy.spatial.distance.cosine, and full points to one written with NumPy."""
    sol = tmp_path / "solutions"
    (sol / "hidden").mkdir(parents=True)
    text = SOLUTION.read_text(encoding="utf-8").replace(
        "#| forbid: wvlib.vectors\\n\",\n    \"def cosine_similarity",
        "#| forbid: wvlib.vectors, scipy.spatial\\n\",\n    \"def cosine_similarity")
    assert "scipy.spatial" in text
    (sol / SOLUTION.name).write_text(text, encoding="utf-8")
    (sol / "hidden" / HIDDEN.name).write_bytes(HIDDEN.read_bytes())
    subs = tmp_path / "subs"
    subs.mkdir()
    good = stamp(load(SOLUTION))
    spatial = edit_sources(good, lambda s: s.replace(
        "def cosine_similarity(x, y):",
        "from scipy.spatial import distance\n\n"
        "def cosine_similarity(x, y):\n"
        "    if len(x) != len(y) or not np.any(x) or not np.any(y):\n"
        "        raise ValueError('no cosine')\n"
        "    return float(1 - distance.cosine(x, y))\n\n"
        "def _unused(x, y):"))
    write_submission(subs, "good", good)
    write_submission(subs, "spatial", spatial)
    assert grade(subs, "--out", tmp_path / "out", "--solutions", sol, *GRADE_FLAGS) == 0
    ok, bad = results_of(tmp_path / "out", "good"), results_of(tmp_path / "out", "spatial")
    assert ok["score"] == FULL
    q1 = bad["extra_data"]["questions"]["q1-cosine"]
    assert q1["score"] == 0 and any("scipy.spatial" in f for f in q1["forbidden"]), q1
    assert bad["score"] == FULL - 2


def test_forbidding_a_package_removes_all_its_modules_from_the_sandbox():
    import wvlib
    from wvlib.grading.sandbox import module_view
    package = Path(wvlib.__file__).parent
    view = {str(p.relative_to(package)): text for p, text in module_view(["wvlib.word2vec"])
            if text is not None}
    for name in ("__init__", "reference", "tables", "kernels", "trainer"):
        assert "ModuleNotFoundError" in view[f"word2vec/{name}.py"], name
    assert "ModuleNotFoundError" not in view.get("glove.py", "")


def test_plain_data_round_trip(tmp_path):
    import scipy.sparse as sp
    from wvlib.corpus import Vocabulary
    from wvlib.vectors import KeyedVectors
    fd = P.open_folder(tmp_path)
    try:
        value = {"ints": [1, -2, 2**80], "floats": (1.5, float("nan"), float("inf")),
                 "text": "é", "none": None, "flag": True, 3: {1, 2}, (1, "a"): frozenset({3}),
                 "array": np.arange(6, dtype=np.int32).reshape(2, 3),
                 "fortran": np.asfortranarray(np.ones((2, 3))), "words": np.array(["a", "bc"]),
                 "scalar": np.float32(2.5), "bool": np.bool_(False), "complex": 1 + 2j,
                 "sparse": sp.csc_matrix(np.eye(3)),
                 "kv": KeyedVectors(["x", "y"], np.eye(2)),
                 "vocab": Vocabulary(["a", "b"], [3, 1])}
        tree, files = P.encode(value, fd, "res-1")
        P.write_message(fd, "res-1.json", {"value": tree, "files": files})
        message = P.read_message(fd, "res-1.json")
        back = P.decode(message["value"], fd, message["files"])
    finally:
        os.close(fd)
    assert back["ints"] == [1, -2, 2**80] and back["floats"][0] == 1.5
    assert np.isnan(back["floats"][1]) and back["floats"][2] == np.inf
    assert isinstance(back["floats"], tuple) and back[3] == {1, 2}
    assert back[(1, "a")] == frozenset({3}) and back["none"] is None and back["flag"] is True
    assert back["array"].dtype == np.int32 and np.array_equal(back["array"], value["array"])
    assert np.array_equal(back["fortran"], value["fortran"])
    assert back["words"].tolist() == ["a", "bc"]
    assert type(back["scalar"]) is np.float32 and type(back["bool"]) is np.bool_
    assert back["complex"] == 1 + 2j
    assert back["sparse"].format == "csc" and np.array_equal(back["sparse"].toarray(), np.eye(3))
    assert back["kv"].index_to_key == ["x", "y"] and np.array_equal(back["kv"].vectors, np.eye(2))
    assert back["vocab"].words == ["a", "b"] and back["vocab"].counts.tolist() == [3, 1]


def test_plain_data_refuses_objects_and_malicious_files(tmp_path):
    fd = P.open_folder(tmp_path)
    try:
        class Custom:
            pass
        with pytest.raises(P.Unserializable, match="Custom"):
            P.encode([Custom()], fd, "res-1")
        loop = []
        loop.append(loop)
        with pytest.raises(P.Unserializable):
            P.encode(loop, fd, "res-2")
        with pytest.raises(P.Unserializable, match="dtype object"):
            P.encode(np.array([None]), fd, "res-3")
        # a link to a secret file is never followed
        (tmp_path / "secret.txt").write_text("secret")
        os.symlink(tmp_path / "secret.txt", tmp_path / "res-4-0.npy")
        with pytest.raises(P.ProtocolError, match="cannot open"):
            P.decode({"t": "ndarray", "file": "res-4-0.npy"}, fd)
        # a header announcing a huge array is refused before anything is allocated
        header = {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
        with open(tmp_path / "res-5-0.npy", "wb") as f:
            np.lib.format.write_array_header_1_0(f, header)
            f.write(b"\0" * 64)
        with pytest.raises(P.ProtocolError, match="announces"):
            P.decode({"t": "ndarray", "file": "res-5-0.npy"}, fd)
        with open(tmp_path / "res-6-0.npy", "wb") as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "|O", "fortran_order": False, "shape": (1,)})
        with pytest.raises(P.ProtocolError, match="not allowed"):
            P.decode({"t": "ndarray", "file": "res-6-0.npy"}, fd)
        for bad in [{"t": "eval", "v": "1"}, {"t": "int", "v": "1e5"}, {"t": "list", "v": "x"},
                    {"t": "ndarray", "file": "../secret.txt"}, [1, 2], {"t": "float", "v": 1}]:
            with pytest.raises(P.ProtocolError):
                P.decode(bad, fd)
    finally:
        os.close(fd)


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """A RemoteKernel over a small notebook, next to a LocalKernel over the same code."""
    from wvlib.grading.remote import NotebookSession, RemoteKernel
    code = (
        "import numpy as np\n"
        "def ok(x, scale=1):\n    return np.asarray(x) * scale\n"
        "def raises(x):\n    raise ValueError(f'bad x: {x}')\n"
        "def stub(x):\n    raise NotImplementedError\n"
        "def loop():\n    while True:\n        pass\n"
        "def custom():\n    class Thing: pass\n    return Thing()\n"
        "def scalar():\n    return np.float64(0.5)\n"
        "def mutate(a):\n    a[:] = 0\n    return float(a.sum())\n"
        "def die():\n    import os\n    os._exit(3)\n"
        "def check_gradient(f, grad, x):\n"
        "    h = 1e-6\n"
        "    numeric = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h)\n"
        "                        for e in np.eye(len(x))])\n"
        "    return bool(np.allclose(numeric, grad(x), atol=1e-5))\n"
        "def give_function():\n    return ok\n"
        "value = {'a': [1, 2.5], 'b': 'text'}\n")
    sandbox = prepare_sandbox([ROOT / "solutions"], [HIDDEN])
    session = NotebookSession([(0, code, False)], "t.ipynb", b"{}", sandbox, timeout_cell=3,
                              timeout_total=60, scratch_parent=tmp_path_factory.mktemp("k"))
    session.run()
    namespace = {}
    exec(code, namespace)
    yield RemoteKernel(session, call_timeout=3), C.LocalKernel(namespace)
    session.close()


def test_remote_kernel_returns_plain_values(remote):
    k, local = remote
    got = k.call("ok", np.array([1.0, 2.0]), scale=3)
    assert isinstance(got, np.ndarray) and got.tolist() == [3.0, 6.0]
    assert k.get("value") == {"a": [1, 2.5], "b": "text"}
    assert type(k.call("scalar")) is np.float64
    assert k.has("ok") and not k.has("missing")
    x = np.ones(3)
    assert k.call("mutate", x) == 0.0 and x.sum() == 3


def test_checks_can_hand_functions_to_the_learners_code(remote):
    """KernelFunction: a gradient check must catch a planted bug — the check sends the loss
    and a correct or a buggy gradient into the kernel as source; no function comes back."""
    k, local = remote
    loss = C.KernelFunction("def loss(x):\n    return float(np.sum(x ** 3))\n", "loss")
    right = C.KernelFunction("def grad(x):\n    return 3 * x ** 2\n", "grad")
    buggy = C.KernelFunction("def grad(x):\n    return 2 * x ** 2\n", "grad")
    x = np.array([0.5, -1.0, 2.0])
    for kernel in (k, local):
        assert kernel.call("check_gradient", loss, right, x) is True
        assert kernel.call("check_gradient", loss, buggy, x) is False
        assert C.call_unmodified(kernel, "check_gradient", loss, right, x) is True
    with pytest.raises(C.KernelError, match="cannot be sent back") as info:
        k.call("give_function")
    assert info.value.kind == "unserializable"
    fd = P.open_folder(ROOT)
    try:
        with pytest.raises(P.ProtocolError, match="unknown type tag"):   # never in the grader
            P.decode({"t": "function", "source": "def f():\n    pass\n", "name": "f"}, fd)
    finally:
        os.close(fd)
    with pytest.raises(ValueError, match="function name"):
        C.KernelFunction("x = 1", "not a name")


def test_call_unmodified_judges_the_arguments_the_kernel_sends_back(remote):
    """"Does not modify its inputs" is judged in the grader: the kernel returns the arguments
    as the call left them, and they are compared here with what was sent (issue 21: a
    learner-defined helper cannot vouch for it)."""
    import scipy.sparse as sp
    k, local = remote
    for kernel in (k, local):
        x = np.ones(3)
        with pytest.raises(C.CheckFailed, match="changed its argument 1 in place"):
            C.call_unmodified(kernel, "mutate", x)
        assert x.sum() == 3                          # the caller's copy is untouched
        got = C.call_unmodified(kernel, "ok", np.array([1.0, 2.0]), scale=2)
        assert got.tolist() == [2.0, 4.0]
        value, args, kwargs = kernel.call_inputs("ok", sp.csr_matrix(np.eye(2)), scale=3)
        assert C.same_value(args[0], sp.csr_matrix(np.eye(2))) and kwargs == {"scale": 3}
    assert not C.same_value(np.zeros(2), np.zeros(3)) and C.same_value([np.nan], [np.nan])


@pytest.mark.parametrize("name, args", [("raises", (1,)), ("stub", (1,)), ("missing", ()),
                                        ("value", ())])
def test_remote_kernel_errors_match_the_local_kernel(remote, name, args):
    k, local = remote
    with pytest.raises(C.KernelError) as remote_error:
        k.call(name, *args)
    with pytest.raises(C.KernelError) as local_error:
        local.call(name, *args)
    assert remote_error.value.kind == local_error.value.kind
    r, l_ = str(remote_error.value), str(local_error.value)
    assert r.split(" (in ")[0] == l_.split(" (in ")[0], (r, l_)


def test_remote_kernel_works_with_expect_raises(remote):
    k, _ = remote
    C.expect_raises(k, "raises", (1,), ["ValueError"], "raises(1)")
    with pytest.raises(C.KernelError):
        C.expect_raises(k, "stub", (1,), ["ValueError"], "stub(1)")


def test_remote_kernel_timeout_unserializable_and_dead(remote):
    k, _ = remote
    with pytest.raises(C.KernelError, match="did not finish within 3 s") as info:
        k.call("loop")
    assert info.value.kind == "timeout"
    assert k.call("ok", [1]).tolist() == [1]          # the interrupted kernel still answers
    with pytest.raises(C.KernelError, match="plain data: it is a Thing") as info:
        k.call("custom")
    assert info.value.kind == "unserializable"
    with pytest.raises(C.KernelError, match="died") as info:
        k.call("die")
    assert info.value.kind == "dead"
    assert k.call("ok", [2]).tolist() == [2]          # restarted and replayed


# --------------------------------------------------------------------------------------------
# Gradescope
# --------------------------------------------------------------------------------------------
@pytest.mark.slow                              # grades a notebook in a fresh kernel
def test_gradescope_bundle_grades_the_solution(tmp_path):
    bundle = tmp_path / "autograder.zip"
    assert cli_main(["course", "gradescope", CH01, "--out", str(bundle)]) == 0
    root = tmp_path / "autograder"
    source = root / "source"
    with zipfile.ZipFile(bundle) as z:
        names = z.namelist()
        z.extractall(source)
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= set(names)
    assert f"solutions/{CH01}.ipynb" in names and f"solutions/hidden/{CH01}.py" in names
    assert "solutions/hidden/grading.key" in names         # the same hidden inputs every run
    assert f"wvlib-src/wvlib/course/public/data/{CH01}.json" in names
    assert "wvlib-src/wvlib/grading/grade.py" in names and "wvlib-src/pyproject.toml" in names
    assert not any("solutions/" in n and CH01 not in n and n.endswith(".ipynb") for n in names)
    (root / "submission").mkdir(parents=True)
    nbformat.write(load(SOLUTION), root / "submission" / "my work.ipynb")
    run_autograder = source / "run_autograder"
    run_autograder.chmod(run_autograder.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), WVLIB_PYTHON=sys.executable,
               WVLIB_GRADE_FLAGS=" ".join(GRADE_FLAGS))
    done = subprocess.run([str(run_autograder)], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == FULL, results["output"]
    assert all(t["status"] == "passed" for t in results["tests"])
