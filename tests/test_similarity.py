"""The copy report (wvlib.grading.similarity): normalized code, winnowed fingerprints, and the
report on a graded folder. Planted copies (renamed variables, reordered independent statements,
comments, all three, pasted library source) must be flagged; independently written correct
answers (tests/copies.py) must not — neither against each other, nor against the official
solution or wvlib. The grading batch of tests/test_grade.py grades the same answers (the
variants earn full marks) and runs the report on its output."""
import functools
import json
from pathlib import Path

import nbformat
import pytest

from copies import VARIANTS, pasted_library_pmi, planted_copies, solution_code
from wvlib.course.notebook import read_assignment
from wvlib.grading import similarity as S

ROOT = Path(__file__).resolve().parent.parent
KEYS = sorted(VARIANTS)


@functools.lru_cache(maxsize=None)
def _base(assignment):
    ex = nbformat.read(ROOT / "exercises" / f"{assignment}.ipynb", as_version=4)
    code = "\n\n".join(c.source for c in ex.cells if c.cell_type == "code")
    return frozenset(S.fingerprints(S.normalize(code)))


def _library(assignment, question, answer):
    q = read_assignment(ROOT / "solutions" / f"{assignment}.ipynb").question(question)
    docs = S.library_documents(q, _base(assignment))
    touched = [d for d in docs if set(d.prints) & set(answer.prints)]
    return S.Document.of("lib", "\n\n".join(d.text for d in touched), _base(assignment))


def test_normalized_code_ignores_names_literals_comments_and_layout():
    a = S.normalize("def f(x, y):\n    '''doc'''\n    total = x + 2 * y  # twice\n"
                    "    return total\n")
    b = S.normalize("def g(first,\n      second):\n    # a comment\n    s = first + 7 * second\n"
                    "\n    return s\n")
    assert [t for t, _ in a] == [t for t, _ in b]
    c = S.normalize("def f(x, y):\n    total = x - 2 * y\n    return total\n")
    assert [t for t, _ in a] != [t for t, _ in c]          # operators stay
    np1 = S.normalize("import numpy as np\ndef f(x):\n    return np.log(x)\n")
    np2 = S.normalize("import numpy as N\ndef f(x):\n    return N.log(x)\n")
    np3 = S.normalize("import numpy as np\ndef f(x):\n    return np.exp(x)\n")
    assert [t for t, _ in np1] == [t for t, _ in np2] != [t for t, _ in np3]


def test_only_independent_statements_are_reordered():
    swap_ok = ("def f(x, y):\n    a = np.asarray(x)\n    b = np.asarray(y)\n    return a @ b\n",
               "def f(x, y):\n    b = np.asarray(y)\n    a = np.asarray(x)\n    return a @ b\n")
    assert [t for t, _ in S.normalize(swap_ok[0])] == [t for t, _ in S.normalize(swap_ok[1])]
    dependent = ("def f(x):\n    a = x + 1\n    b = a * 2\n    return b\n",
                 "def f(x):\n    b = a * 2\n    a = x + 1\n    return b\n")
    assert [t for t, _ in S.normalize(dependent[0])] != \
        [t for t, _ in S.normalize(dependent[1])]
    mutation = ("def f(x):\n    m = []\n    m.append(x)\n    n = len(m)\n    return n\n",
                "def f(x):\n    m = []\n    n = len(m)\n    m.append(x)\n    return n\n")
    assert [t for t, _ in S.normalize(mutation[0])] != \
        [t for t, _ in S.normalize(mutation[1])]       # a method call writes its receiver


def test_winnowing_finds_every_long_common_run():
    """Winnowing's guarantee: a common run of W + K - 1 tokens shares a fingerprint."""
    import random
    rng = random.Random(0)
    vocabulary = [f"t{i}" for i in range(30)]
    shared = [(rng.choice(vocabulary), 0) for _ in range(S.W + S.K - 1)]
    for _ in range(20):
        a = [(rng.choice(vocabulary), 0) for _ in range(rng.randrange(0, 40))] + shared + \
            [(rng.choice(vocabulary), 0) for _ in range(rng.randrange(0, 40))]
        b = [(rng.choice(vocabulary), 0) for _ in range(rng.randrange(0, 40))] + shared
        assert set(S.fingerprints(a)) & set(S.fingerprints(b))
    assert S.fingerprints([("x", 1)] * (S.K - 1)) == {}


@pytest.mark.parametrize("key", KEYS, ids=[f"{a}-{q}" for a, q in KEYS])
def test_planted_copies_are_flagged(key):
    assignment, question = key
    base = _base(assignment)
    original = S.Document.of("solution", solution_code(assignment, question), base)
    assert len(original.prints) >= S.MIN_FINGERPRINTS
    for kind, code in planted_copies(assignment, question).items():
        copy = S.Document.of(kind, code, base)
        assert min(S.share(copy, original), S.share(original, copy)) >= S.THRESHOLD, kind


@pytest.mark.parametrize("key", KEYS, ids=[f"{a}-{q}" for a, q in KEYS])
def test_independent_answers_are_not_flagged(key):
    assignment, question = key
    base = _base(assignment)
    docs = [S.Document.of("solution", solution_code(assignment, question), base)] + \
        [S.Document.of(f"variant{i}", v, base) for i, v in enumerate(VARIANTS[key], 1)]
    for i, a in enumerate(docs):
        assert len(a.prints) >= S.MIN_FINGERPRINTS, a.owner      # long enough to be judged
        for b in docs[i + 1:]:
            assert min(S.share(a, b), S.share(b, a)) < S.THRESHOLD, (a.owner, b.owner)
        assert S.share(a, _library(assignment, question, a)) < S.THRESHOLD, a.owner


def test_pasted_library_source_is_flagged():
    pasted = S.Document.of("pasted", pasted_library_pmi(), _base("ch04_ppmi"))
    assert S.share(pasted, _library("ch04_ppmi", "q1-pmi", pasted)) >= S.THRESHOLD


def test_the_answer_brings_its_helpers_from_other_cells():
    sources = ["import numpy as np\n", "def helper(v):\n    return v * 2\n",
               "#| question: q1\ndef f(x):\n    return helper(x) + unrelated\n",
               "def unrelated_function():\n    pass\n"]
    text = S.answer_text(sources, "q1", ["f"])
    assert "def helper" in text and "def f" in text and "unrelated_function" not in text


def _fake_graded(folder: Path, name: str, assignment: str, code_cells):
    """What `wvlib course grade` leaves for one submission, as far as the report reads it."""
    (folder / name).mkdir(parents=True)
    (folder / name / "details.json").write_text(json.dumps({"assignment": assignment}))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in code_cells]
    (folder / name / "executed.ipynb").write_text(nbformat.writes(nb))


def test_report_on_a_graded_folder_flags_copies_and_escapes_code(tmp_path, capsys):
    """A folder with the solution, a disguised copy, two independent variants and a pasted
    library function (ch04 q1): the CSV holds exactly the copy pairs, the HTML escapes code."""
    from wvlib.cli import main
    assignment, question = "ch04_ppmi", "q1-pmi"
    nb = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    q_index = next(i for i, c in enumerate(cells) if f"#| question: {question}\n" in c)

    def submission(code):
        return cells[:q_index] + [code] + cells[q_index + 1:]

    graded = tmp_path / "graded"
    _fake_graded(graded, "alice", assignment, cells)
    _fake_graded(graded, "bob", assignment,
                 submission(planted_copies(assignment, question)["disguised"]
                            + "\n# </pre><script>alert(1)</script>\n"))
    for i, variant in enumerate(VARIANTS[(assignment, question)], 1):
        _fake_graded(graded, f"carol{i}", assignment, submission(variant))
    _fake_graded(graded, "dave", assignment, submission(pasted_library_pmi()))
    assert main(["course", "similarity", str(graded)]) == 0
    assert "pair(s)" in capsys.readouterr().out
    with open(graded / "similarity.csv", newline="") as f:
        import csv
        rows = [r for r in csv.DictReader(f) if r["question"] == question]
    pairs = {(r["kind"], r["a"], r["b"].split(":")[0]) for r in rows}
    assert ("submission", "alice", "bob") in pairs
    assert any(kind == "library" and a == "dave" for kind, a, _ in pairs)
    flagged = {r["a"] for r in rows} | {r["b"] for r in rows}
    assert not {"carol1", "carol2"} & flagged, rows
    text = (graded / "similarity.html").read_text()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
    assert main(["course", "similarity", str(tmp_path / "missing")]) == 2
    assert "graded" in capsys.readouterr().err


# -- every question against wvlib: the solutions are not flagged, pasted library code is ------
from wvlib.course.notebook import read_assignment as _read  # noqa: E402
from wvlib.grading.forbidden import defined_names  # noqa: E402

ALL_QUESTIONS = [(p.stem, q) for p in sorted((ROOT / "solutions").glob("*.ipynb"))
                 for q in _read(p).questions]


@functools.lru_cache(maxsize=None)
def _solution_cells(assignment):
    nb = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
    return nb, [c.source for c in nb.cells if c.cell_type == "code"]


def _official_answer(assignment, q):
    nb, cells = _solution_cells(assignment)
    names = defined_names(nb.cells[q.cell_index].source)
    return S.Document.of("solution", S.answer_text(cells, q.id, names), _base(assignment))


def test_every_reimplements_name_is_a_library_function_with_source():
    import inspect
    named = [(a, q.id, t) for a, q in ALL_QUESTIONS for t in q.reimplements]
    assert len(named) >= 40
    for assignment, question, target in named:
        assert target.startswith("wvlib."), (assignment, question, target)
        assert inspect.getsource(S.resolve(target)), (assignment, question, target)


@pytest.mark.parametrize("assignment", sorted({a for a, _ in ALL_QUESTIONS}))
def test_no_official_solution_is_flagged_against_the_library(assignment):
    """The copy report on the solutions: every answer against wvlib's implementation of the
    same thing (the reimplements line, else the forbidden wvlib modules) stays below the
    threshold."""
    for a, q in ALL_QUESTIONS:
        if a != assignment:
            continue
        answer = _official_answer(assignment, q)
        assert S.share(answer, _library(assignment, q.id, answer)) < S.THRESHOLD, q.id


@pytest.mark.parametrize("assignment", sorted({a for a, q in ALL_QUESTIONS if q.reimplements}))
def test_pasted_library_functions_are_flagged(assignment):
    """For every question whose answer a wvlib function implements (derivations and
    implementations), the library source pasted in — renamed, commented, wrapped — is
    flagged; a library function too short to judge (fewer fingerprints than the report
    needs) is never flagged, as documented."""
    from copies import pasted_library
    flagged = 0
    for a, q in ALL_QUESTIONS:
        if a != assignment or not q.reimplements or q.kind == "judgement":
            continue
        pasted = S.Document.of("pasted", pasted_library(a, q.id), _base(a))
        if len(pasted.prints) < S.MIN_FINGERPRINTS:
            assert q.id == "q3-adagrad", q.id          # the one-line AdaGrad step
            continue
        assert S.share(pasted, _library(a, q.id, pasted)) >= S.THRESHOLD, q.id
        flagged += 1
    assert flagged, assignment


def test_report_flags_pasted_stats_and_factorize_code_and_not_the_solutions(tmp_path):
    """The report on a graded folder: chapters 8 and 9 solved as in solutions/, and once each
    with wvlib.stats' clustered bootstrap (ch09 q3) and wvlib.factorize's SGNS cells
    (ch08 q1) pasted in: exactly those two answers are paired with the library."""
    from copies import pasted_library, with_answer
    graded = tmp_path / "graded"
    for assignment, question in (("ch09_evaluation", "q3-clustered-bootstrap"),
                                 ("ch08_one_view", "q1-sgns-optimum")):
        nb = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
        _fake_graded(graded, f"honest-{assignment}", assignment,
                     [c.source for c in nb.cells if c.cell_type == "code"])
        pasted = with_answer(assignment, question, pasted_library(assignment, question))
        _fake_graded(graded, f"pasted-{assignment}", assignment,
                     [c.source for c in pasted.cells if c.cell_type == "code"])
    pairs = S.compare_batch(graded, ROOT / "solutions")
    library = {(p.a.owner, p.question) for p in pairs if p.kind == "library"}
    assert library == {("pasted-ch09_evaluation", "q3-clustered-bootstrap"),
                       ("pasted-ch08_one_view", "q1-sgns-optimum")}, library
    assert not [p for p in pairs if "honest" in p.a.owner and p.kind != "submission"]
