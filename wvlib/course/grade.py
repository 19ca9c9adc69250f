"""Grade submitted notebooks with the public checks and the hidden tests.

    python -m wvlib course grade SUBMISSION_OR_DIR... --out OUTDIR [--assignment ID] [--jobs N]
        [--timeout-cell S] [--timeout-total S] [--memory MB] [--solutions DIR]

For every submission (a notebook, or any file given by name; folders are searched for
``*.ipynb``) the grader

1. reads the file leniently (nbformat 3 is converted; a file that is not a notebook gets a
   result all the same) and finds its assignment: ``--assignment``, else the id that
   ``wvlib course assign`` stamped in the metadata (``metadata.wvlib.assignment``), else the
   file name;
2. runs its code cells, in the submission's order, in a **fresh kernel of its own** inside the
   sandbox of :mod:`wvlib.course.sandbox` (errors do not stop later cells; time and memory are
   limited; a kernel that dies is restarted without the culprit cell — see
   :mod:`wvlib.course.remote`). Cells that only call ``check(...)`` are skipped;
3. takes the questions, points and ``forbid`` lists from the **official** solution notebook
   (``solutions/<id>.ipynb``) — what the submission's cells say about points is ignored — and
   runs the official public checks and the hidden tests (``solutions/hidden/<id>.py``) in the
   grader's own process, asking the kernel for values through a
   :class:`~wvlib.course.remote.RemoteKernel`;
4. gives a question ``points × (weight of the checks passed) / (weight of all its checks)``,
   and zero if the answer uses a module the question forbids (``#| forbid: wvlib.vectors``),
   found by reading the submission's question cell and by inspecting the function in the kernel;
5. writes ``OUTDIR/<name>/results.json`` (Gradescope's format), ``feedback.md`` (for the
   learner: hidden tests are described, never their inputs), ``details.json`` (for the
   instructor: every message, every cell's status) and ``executed.ipynb``; and, at the end,
   ``OUTDIR/gradebook.csv`` from all results in ``OUTDIR``.

A submission whose ``results.json`` was written by the same grader for the same file and the
same official material is skipped, so an interrupted batch resumes where it stopped. Grades are
deterministic. The exit status is 0 when every submission got a result (zero points included)
and non-zero only when the grader itself fails.
"""
from __future__ import annotations

import ast
import csv
import hashlib
import importlib.util
import io
import json
import os
import re
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import checks as C
from .notebook import cell_directives, read_assignment

GRADER_VERSION = "1"
MAX_SUBMISSION_BYTES = 100 * 2**20
PROBLEM_STATUSES = ("not-a-notebook", "invalid-notebook", "unknown-assignment",
                    "assignment-error", "grader-error")
# how serious an execution problem is, for the one-word status of a submission
_SEVERITY = ["ok", "cell-errors", "timeout", "kernel-died", "kernel-failed"]

# failure kinds of a check, in words a learner understands (used for hidden tests)
_KIND_WORDS = {
    "failed": "a wrong answer",
    "exception": "your code raised an error",
    "not-implemented": "not implemented yet",
    "undefined": "a name it needs is not defined",
    "timeout": "your code took too long",
    "dead": "the kernel died",
    "unserializable": "the answer could not be read back",
    "crashed": "the answer has the wrong type or shape",
    "forbidden": "uses a forbidden module",
}


# --------------------------------------------------------------------------------------------
# The official material of an assignment
# --------------------------------------------------------------------------------------------
@dataclass
class Kit:
    """Everything official about one assignment: questions, points, checks and their digest."""
    id: str
    title: str
    questions: list            # wvlib.course.notebook.Question, in order
    checks: list               # (Check, "public" | "hidden"), public first, in definition order
    names: dict                # question id -> names its official cell defines
    digest: str

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)


def official_files(solutions: Path, assignment_id: str) -> list[Path]:
    """The files whose content decides the grades of an assignment."""
    files = [solutions / f"{assignment_id}.ipynb", solutions / "hidden" / f"{assignment_id}.py",
             Path(C.__file__)]
    spec = importlib.util.find_spec(f"wvlib.course.public.{assignment_id}")
    if spec is not None and spec.origin:
        files.append(Path(spec.origin))
    return files


def official_digest(solutions: Path, assignment_id: str) -> str:
    h = hashlib.sha256(f"grader {GRADER_VERSION} {assignment_id}".encode())
    for path in official_files(solutions, assignment_id):
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
    return h.hexdigest()


def load_kit(solutions: Path, assignment_id: str) -> Kit:
    """Read the official solution, public checks and hidden tests of ``assignment_id``."""
    assignment = read_assignment(solutions / f"{assignment_id}.ipynb")
    public = C.load_public_checks(assignment_id)
    hidden_file = solutions / "hidden" / f"{assignment_id}.py"
    hidden = C.load_check_file(hidden_file) if hidden_file.is_file() else []
    known = {q.id for q in assignment.questions}
    entries = [(c, "public") for c in public if c.question in known] + \
              [(c, "hidden") for c in hidden if c.question in known]
    names = {q.id: defined_names(assignment.notebook.cells[q.cell_index].source)
             for q in assignment.questions}
    return Kit(assignment_id, assignment.title, assignment.questions, entries, names,
               official_digest(solutions, assignment_id))


class Kits:
    """The assignments in a solutions folder, loaded on first use (thread-safe)."""

    def __init__(self, solutions: Path):
        self.solutions = solutions
        self.ids = sorted(p.stem for p in solutions.glob("*.ipynb"))
        self._kits, self._errors = {}, {}
        self._lock = threading.Lock()

    def get(self, assignment_id: str) -> Kit:
        with self._lock:
            if assignment_id not in self._kits and assignment_id not in self._errors:
                try:
                    self._kits[assignment_id] = load_kit(self.solutions, assignment_id)
                except Exception as exc:  # a broken solution must not stop other assignments
                    self._errors[assignment_id] = f"{type(exc).__name__}: {exc}"
            if assignment_id in self._errors:
                raise RuntimeError(f"assignment {assignment_id!r} could not be loaded: "
                                   f"{self._errors[assignment_id]}")
            return self._kits[assignment_id]


# --------------------------------------------------------------------------------------------
# Reading a submission
# --------------------------------------------------------------------------------------------
class SubmissionProblem(Exception):
    """A submission that cannot be executed; ``status`` is one of PROBLEM_STATUSES."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status


def read_submission(data: bytes) -> tuple[list[str], dict]:
    """The code cells' sources and the ``wvlib`` metadata of a notebook file's bytes.

    Lenient: only what execution needs is required (a ``cells`` list of dicts with a
    ``cell_type`` and a ``source``); nbformat 3 and older are converted with nbformat.
    """
    if len(data) > MAX_SUBMISSION_BYTES:
        raise SubmissionProblem("invalid-notebook", f"the file is larger than "
                                f"{MAX_SUBMISSION_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
        nb = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SubmissionProblem("not-a-notebook", f"the file is not a notebook (not valid "
                                f"JSON: {str(exc)[:120]})") from None
    if not isinstance(nb, dict) or "nbformat" not in nb:
        raise SubmissionProblem("invalid-notebook", "the file is JSON but not a Jupyter "
                                "notebook (no 'nbformat' field)")
    if nb.get("nbformat") != 4:
        import nbformat
        try:
            nb = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds
            raise SubmissionProblem("invalid-notebook", f"the notebook (nbformat "
                                    f"{nb.get('nbformat')!r:.20}) could not be converted to "
                                    f"nbformat 4: {str(exc)[:200]}") from None
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise SubmissionProblem("invalid-notebook", "the notebook has no list of cells")
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            if isinstance(source, list):
                source = "".join(s for s in source if isinstance(s, str))
            sources.append(source if isinstance(source, str) else "")
    meta = nb.get("metadata", {})
    meta = meta.get("wvlib", {}) if isinstance(meta, dict) else {}
    return sources, meta if isinstance(meta, dict) else {}


def is_check_only(source: str) -> bool:
    """Whether a cell does nothing but call ``check(...)`` (such cells are not executed)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return bool(tree.body) and all(
        isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
        and isinstance(s.value.func, ast.Name) and s.value.func.id == "check"
        for s in tree.body)


def match_assignment(meta: dict, path: Path, known, forced=None) -> str | None:
    """The assignment of a submission: forced, else its metadata, else its file name."""
    if forced:
        return forced
    stamped = meta.get("assignment")
    if isinstance(stamped, str) and stamped in known:
        return stamped
    stem = path.stem
    if stem in known:
        return stem
    inside = [k for k in known if k in stem]
    return max(inside, key=len) if inside else None


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


# --------------------------------------------------------------------------------------------
# Grading one submission
# --------------------------------------------------------------------------------------------
@dataclass
class Options:
    timeout_cell: float = 60.0
    timeout_total: float = 600.0
    forced_assignment: str | None = None


@dataclass
class Submission:
    name: str      # folder name under OUTDIR
    path: Path


@dataclass
class Outcome:
    """Everything written for one submission."""
    results: dict
    feedback: str
    details: dict
    executed: dict | None = None

    @property
    def status(self) -> str:
        return self.results["extra_data"]["status"]


def grading_key(assignment_id, digest, sandbox) -> str:
    """What, besides the file, decides a result: grader, official material and limits."""
    limits = sandbox.limits
    material = json.dumps([GRADER_VERSION, assignment_id, digest, sandbox.enabled,
                           limits.memory_mb, limits.file_mb, limits.tmp_mb])
    return hashlib.sha256(material.encode()).hexdigest()


def grade_submission(sub: Submission, kits: Kits, sandbox, options: Options) -> Outcome:
    """Grade one submission; never raises for anything the submission does."""
    start = time.monotonic()
    base = {"submission": sub.name, "file": sub.path.name, "submission_sha256": "",
            "sandbox": sandbox.enabled, "sandbox_description": sandbox.describe()}
    try:
        data = sub.path.read_bytes()
    except OSError as exc:
        return _problem(base, "invalid-notebook", f"the file could not be read: {exc.strerror}",
                        start)
    base["submission_sha256"] = hashlib.sha256(data).hexdigest()
    try:
        sources, meta = read_submission(data)
    except SubmissionProblem as problem:
        return _problem(base, problem.status, str(problem), start)
    assignment_id = match_assignment(meta, sub.path, kits.ids, options.forced_assignment)
    if assignment_id is None:
        stamped = meta.get("assignment")
        why = (f"its metadata names {stamped!r}, which is not an assignment here"
               if isinstance(stamped, str) else "it carries no assignment metadata")
        return _problem(base, "unknown-assignment",
                        f"could not tell which assignment this is: {why}, and its file name "
                        f"matches none of {kits.ids}", start)
    try:
        kit = kits.get(assignment_id)
    except RuntimeError as exc:
        return _problem(dict(base, assignment=assignment_id), "assignment-error", str(exc),
                        start)
    base.update(assignment=assignment_id, title=kit.title,
                grading_key=grading_key(assignment_id, kit.digest, sandbox))
    return _run_and_check(base, sources, data, sub, kit, sandbox, options, start)


def _run_and_check(base, sources, data, sub, kit, sandbox, options, start) -> Outcome:
    from .remote import NotebookSession, RemoteKernel
    cells = [(i, s, is_check_only(s)) for i, s in enumerate(sources)]
    session = NotebookSession(cells, _safe_file_name(sub.path.name), data, sandbox,
                              timeout_cell=options.timeout_cell,
                              timeout_total=options.timeout_total)
    kernel = None
    try:
        session.run()
        kernel = _BudgetedKernel(RemoteKernel(session, call_timeout=options.timeout_cell),
                                 options.timeout_total)
        forbidden = {}
        for q in kit.questions:
            if q.forbid:
                forbidden[q.id] = _forbidden_findings(q, sources, kit.names[q.id], kernel)
        results = []
        for check, kind in kit.checks:
            results += C.run_checks([check], kernel, kind=kind)
    finally:
        if kernel is not None:
            kernel.remote.close()
        session.close()
    return _report(base, kit, session, results, forbidden, start)


class _BudgetedKernel:
    """A RemoteKernel with a time budget for the kernel's answers to all checks together (the
    time the checks themselves spend computing in the grader does not count); a function that
    timed out once is not called again (each further call fails at once, same message)."""

    def __init__(self, remote, budget: float):
        self.remote, self.budget = remote, budget
        self.timed_out: dict[str, str] = {}

    def _guard(self, name):
        if name in self.timed_out:
            raise C.KernelError(self.timed_out[name], "timeout")
        if self.budget <= 0:
            raise C.KernelError("the time allowed for checking this notebook ran out before "
                                f"`{name}` could be checked", "timeout")

    def _forward(self, method, name, *args, **kwargs):
        self._guard(name)
        start = time.monotonic()
        try:
            return getattr(self.remote, method)(name, *args, **kwargs)
        except C.KernelError as exc:
            if exc.kind == "timeout":
                self.timed_out[name] = str(exc)
            raise
        finally:
            self.budget -= time.monotonic() - start

    def has(self, name):
        return self._forward("has", name)

    def get(self, name):
        return self._forward("get", name)

    def call(self, name, *args, **kwargs):
        return self._forward("call", name, *args, **kwargs)

    def inspect(self, names, modules):
        self._guard(", ".join(names))
        return self.remote.inspect(names, modules)


def _forbidden_findings(question, sources, names, kernel) -> list[str]:
    """Reasons why a question's answer uses a forbidden module (empty: none found)."""
    findings = []
    for i in question_cells(sources, question.id, names):
        findings += [f"cell {i + 1}: {hit}" for hit in
                     static_forbidden_uses(sources[i], question.forbid)]
    if names:
        try:
            findings += kernel.inspect(names, question.forbid)
        except C.KernelError:
            pass  # a kernel that cannot answer fails the checks anyway
    return list(dict.fromkeys(findings))


def _problem(base: dict, status: str, message: str, start: float) -> Outcome:
    """The outcome of a submission that could not be graded: zero points, and why."""
    extra = dict(base, status=status, max_score=0.0, questions={}, events=[message], cells=[])
    summary = f"Score: 0. {message}"
    if not base["sandbox"]:
        summary = _NO_SANDBOX_WARNING + "\n" + summary
    results = {"score": 0.0, "execution_time": round(time.monotonic() - start, 2),
               "output": summary, "visibility": "visible", "stdout_visibility": "hidden",
               "sandbox": base["sandbox"], "tests": [], "extra_data": extra}
    feedback = f"# Feedback: {base['file']}\n\n**Score: 0**\n\n{message[:1].upper()}{message[1:]}\n"
    return Outcome(results, feedback, dict(extra, checks=[]))


_NO_SANDBOX_WARNING = ("WARNING: graded WITHOUT a sandbox — the submission's code could read "
                       "and write the grader's files.")


def _round(x: float) -> float:
    return round(float(x), 6)


def _report(base, kit: Kit, session, results, forbidden, start) -> Outcome:
    """Scores, results.json, feedback.md and details.json of an executed submission."""
    by_question = {q.id: [r for r in results if r.question == q.id] for q in kit.questions}
    tests, questions, checks_detail = [], {}, []
    for q in kit.questions:
        rs = by_question[q.id]
        total_weight = sum(r.weight for r in rs)
        reasons = forbidden.get(q.id, [])
        earned = 0.0
        for r in rs:
            worth = q.points * r.weight / total_weight if total_weight else 0.0
            counted = r.passed and not reasons
            earned += worth if counted else 0.0
            if r.kind == "public":
                output = r.message if not r.passed else ""
            else:  # hidden: the description only, never the inputs or expected values
                output = ("" if r.passed else
                          f"Hidden test failed: {r.description} "
                          f"({_KIND_WORDS.get(r.error_kind, 'failed')}).")
            if r.passed and reasons:
                output = ("This check passed, but the question gets no points: its answer uses "
                          "a forbidden module.")
            tests.append({
                "name": f"{q.id}: {r.description}" + (" (hidden)" if r.kind == "hidden" else ""),
                "score": _round(worth if counted else 0.0), "max_score": _round(worth),
                "status": "passed" if counted else "failed", "output": output,
                "visibility": "visible" if r.kind == "public" else "after_published",
                "extra_data": {"question": q.id, "kind": r.kind, "weight": r.weight,
                               "error_kind": r.error_kind}})
            checks_detail.append({"question": q.id, "kind": r.kind,
                                  "description": r.description, "passed": r.passed,
                                  "weight": r.weight, "error_kind": r.error_kind,
                                  "message": r.message})
        questions[q.id] = {"score": _round(earned), "max_score": _round(q.points),
                           "forbidden": reasons}
    score = _round(sum(v["score"] for v in questions.values()))
    cells = [{"index": run.index, "status": run.status, "ename": run.ename,
              "evalue": run.evalue[:500], "seconds": round(run.duration, 2),
              "output_truncated": run.truncated} for run in session.runs.values()]
    status = _execution_status(session)
    events = list(dict.fromkeys(session.events))
    extra = dict(base, status=status, max_score=_round(kit.total_points), questions=questions,
                 events=events, cells=cells, grader_version=GRADER_VERSION)
    summary = _summary(kit, score, questions, session, status, base["sandbox"])
    results = {"score": score, "execution_time": round(time.monotonic() - start, 2),
               "output": summary, "visibility": "visible", "stdout_visibility": "hidden",
               "sandbox": base["sandbox"], "tests": tests, "extra_data": extra}
    details = dict(extra, checks=checks_detail)
    return Outcome(results, _feedback(kit, base, score, results, session, forbidden),
                   details, _executed_notebook(session))


def _execution_status(session) -> str:
    worst = "ok"
    for run in session.runs.values():
        level = {"error": "cell-errors", "timeout": "timeout", "dead": "kernel-died"}.get(
            run.status, "ok")
        worst = max(worst, level, key=_SEVERITY.index)
    if any(e.startswith("the notebook's time limit") for e in session.events):
        worst = max(worst, "timeout", key=_SEVERITY.index)
    if session.starts > 1 or session.gave_up:
        worst = max(worst, "kernel-died", key=_SEVERITY.index)
    if any(e.startswith("the kernel could not start") for e in session.events):
        worst = "kernel-failed"
    return worst


def _summary(kit, score, questions, session, status, sandboxed) -> str:
    lines = []
    if not sandboxed:
        lines.append(_NO_SANDBOX_WARNING)
    lines.append(f"{kit.title}: {score:g} / {kit.total_points:g} points.")
    for qid, q in questions.items():
        note = " (no points: uses a forbidden module)" if q["forbidden"] else ""
        lines.append(f"  {qid}: {q['score']:g} / {q['max_score']:g}{note}")
    if status != "ok":
        lines.append(f"Running the notebook: {status}.")
    return "\n".join(lines)


def _cell_label(run) -> str:
    first = next((x.strip() for x in run.source.splitlines() if x.strip()), "")
    return f"cell {run.index + 1} (`{first[:60]}`)" if first else f"cell {run.index + 1}"


def _feedback(kit, base, score, results, session, forbidden) -> str:
    """The learner's report, in Markdown."""
    out = [f"# Feedback: {kit.title}", "",
           f"Submission `{base['file']}` — **{score:g} / {kit.total_points:g} points**", ""]
    if not base["sandbox"]:
        out += [f"> {_NO_SANDBOX_WARNING}", ""]
    out += ["## Running your notebook", ""]
    problems = []
    for run in session.runs.values():
        if run.status == "error":
            problems.append(f"- {_cell_label(run)} raised **{run.ename}**: "
                            f"{run.evalue[:300]}")
        elif run.status == "timeout":
            problems.append(f"- {_cell_label(run)} ran out of time and was stopped")
        elif run.status == "dead":
            problems.append(f"- {_cell_label(run)} made the kernel die; it was left out and "
                            f"the other cells were run again")
    problems += [f"- {e}" for e in dict.fromkeys(session.events)
                 if not e.startswith(("cell ", "the kernel died while running cell"))]
    ran = sum(1 for r in session.runs.values() if r.status != "skipped")
    out += problems or [f"All {ran} code cells ran without errors."]
    out.append("")
    tests = results["tests"]
    for q in kit.questions:
        info = results["extra_data"]["questions"][q.id]
        out += [f"## {q.id} — {info['score']:g} / {info['max_score']:g} points", ""]
        if forbidden.get(q.id):
            out += [f"**No points for this question:** your answer uses "
                    f"{', '.join(q.forbid)}, whose own implementation the exercise asks you "
                    f"to write yourself:", ""]
            out += [f"- {reason}" for reason in forbidden[q.id]] + [""]
        for t in tests:
            if t["extra_data"]["question"] != q.id:
                continue
            hidden = t["extra_data"]["kind"] == "hidden"
            description = t["name"].split(": ", 1)[1].removesuffix(" (hidden)")
            mark = "✔" if t["status"] == "passed" else "✘"
            label = f"hidden test: {description}" if hidden else description
            line = f"- {mark} {label}"
            if t["status"] != "passed":
                if hidden:
                    kind = t["extra_data"]["error_kind"]
                    line += (f" — {_KIND_WORDS.get(kind, 'failed')}" if kind else
                             " — passed, but not counted")
                elif t["output"]:
                    line += "  \n  " + t["output"].replace("\n", "\n  ")
            out.append(line)
        out.append("")
    return "\n".join(out)


def _executed_notebook(session) -> dict:
    """The code cells as run, with their (capped) outputs, as an nbformat 4 notebook."""
    cells = []
    for run in session.runs.values():
        cells.append({"cell_type": "code", "execution_count": None, "id": f"cell-{run.index}",
                      "metadata": {"wvlib_grade": {"status": run.status,
                                                   "seconds": round(run.duration, 2),
                                                   "output_truncated": run.truncated}},
                      "outputs": run.outputs, "source": run.source})
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3",
                                                        "display_name": "Python 3",
                                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def _safe_file_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip(".")
    return name if name.endswith(".ipynb") else (name or "submission") + ".ipynb"


# --------------------------------------------------------------------------------------------
# Writing results
# --------------------------------------------------------------------------------------------
def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_outcome(out: Path, name: str, outcome: Outcome) -> None:
    """Write one submission's files; ``results.json`` last (its presence means "done")."""
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / "feedback.md", outcome.feedback)
    _write_atomic(folder / "details.json", json.dumps(outcome.details, indent=1,
                                                      ensure_ascii=False))
    if outcome.executed is not None:
        _write_atomic(folder / "executed.ipynb", json.dumps(outcome.executed, indent=1,
                                                            ensure_ascii=False))
    _write_atomic(folder / "results.json", json.dumps(outcome.results, indent=1,
                                                      ensure_ascii=False))


def already_graded(out: Path, sub: Submission, kits: Kits, sandbox, options) -> dict | None:
    """The existing results of a submission if they are still valid (resume), else None."""
    path = out / sub.name / "results.json"
    if not path.is_file():
        return None
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        extra = old["extra_data"]
        data = sub.path.read_bytes()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if extra.get("submission_sha256") != hashlib.sha256(data).hexdigest() or \
            extra.get("status") == "grader-error" or extra.get("sandbox") != sandbox.enabled:
        return None
    assignment = extra.get("assignment")
    if assignment is None:   # a problem outcome: valid while the file is the same
        return old if extra.get("status") in ("not-a-notebook", "invalid-notebook") else None
    if options.forced_assignment and options.forced_assignment != assignment:
        return None
    try:
        digest = official_digest(kits.solutions, assignment)
    except OSError:
        return None
    return old if extra.get("grading_key") == grading_key(assignment, digest, sandbox) else None


def write_gradebook(out: Path) -> Path:
    """``OUTDIR/gradebook.csv`` from every ``OUTDIR/*/results.json``, sorted by name."""
    rows = []
    for path in sorted(out.glob("*/results.json")):
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
            extra = results["extra_data"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        rows.append((path.parent.name, extra.get("assignment") or "", extra))
    columns = []                # (assignment, question) in first-seen order
    for _, assignment, extra in rows:
        for qid in extra.get("questions", {}):
            if (assignment, qid) not in columns:
                columns.append((assignment, qid))
    plain = [q for _, q in columns]
    header = [q if plain.count(q) == 1 else f"{a}:{q}" for a, q in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "assignment"] + header + ["total", "max", "status"])
    for name, assignment, extra in rows:
        qs = extra.get("questions", {})
        cells = [f"{qs[q]['score']:g}" if a == assignment and q in qs else ""
                 for a, q in columns]
        total = sum(v["score"] for v in qs.values())
        writer.writerow([name, assignment] + cells +
                        [f"{total:g}", f"{extra.get('max_score', 0):g}", extra.get("status", "")])
    path = out / "gradebook.csv"
    _write_atomic(path, buffer.getvalue())
    return path


# --------------------------------------------------------------------------------------------
# Finding submissions
# --------------------------------------------------------------------------------------------
def discover(paths, out: Path) -> list[Submission]:
    """Submissions named on the command line: files as given, folders searched for
    ``*.ipynb`` (hidden folders, checkpoints and the output folder excluded). Names are unique
    and safe as folder names."""
    found = []
    out = out.resolve()
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            for f in sorted(p.rglob("*.ipynb")):
                rel = f.relative_to(p)
                if any(part.startswith(".") for part in rel.parts) or \
                        out in f.resolve().parents or not f.is_file():
                    continue
                found.append((str(rel.with_suffix("")).replace(os.sep, "__"), f))
        elif p.is_file():
            found.append((p.stem, p))
        else:
            raise FileNotFoundError(f"submission {arg!r} does not exist")
    names, subs = {}, []
    for raw, path in found:
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", raw).strip("._") or "submission"
        if name == "gradebook.csv":
            name = "gradebook"
        names.setdefault(name, []).append(path)
    for name, paths_ in sorted(names.items()):
        unique = sorted(set(x.resolve() for x in paths_))
        for path in unique:
            final = name if len(unique) == 1 else \
                f"{name}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
            subs.append(Submission(final, path))
    return sorted(subs, key=lambda s: s.name)


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------
def add_arguments(parser) -> None:
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION_OR_DIR",
                        help="notebooks to grade, or folders holding them (searched for "
                             "*.ipynb)")
    parser.add_argument("--out", required=True, help="output folder (created if needed)")
    parser.add_argument("--assignment", default=None,
                        help="grade every submission as this assignment (default: from each "
                             "notebook's metadata, else its file name)")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    parser.add_argument("--timeout-cell", type=float, default=60.0,
                        help="seconds allowed per cell and per call of a checked function "
                             "(default 60)")
    parser.add_argument("--timeout-total", type=float, default=600.0,
                        help="seconds allowed for running a whole notebook, and again for "
                             "checking it (default 600)")
    parser.add_argument("--memory", type=int, default=4096,
                        help="memory (address space) limit of each kernel in MiB (default 4096)")
    parser.add_argument("--solutions", default=None,
                        help="folder of the solution notebooks, with hidden/ (default: "
                             "./solutions, else the one next to the wvlib package)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run kernels without bubblewrap (reported in every result)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def default_solutions() -> Path:
    here = Path("solutions")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "solutions"


def run(args) -> int:
    """Grade a batch (see the module docstring); returns the exit status."""
    from .sandbox import Limits, prepare_sandbox
    for flag, value in (("--jobs", args.jobs), ("--memory", args.memory)):
        if value < 1:
            raise ValueError(f"{flag} must be a positive integer, got {value}")
    for flag, value in (("--timeout-cell", args.timeout_cell),
                        ("--timeout-total", args.timeout_total)):
        if not value > 0:
            raise ValueError(f"{flag} must be a positive number of seconds, got {value}")
    if args.memory < 1024:
        raise ValueError(f"--memory must be at least 1024 MiB (a kernel with NumPy and SciPy "
                         f"needs about 800 MiB of address space), got {args.memory}")
    solutions = Path(args.solutions) if args.solutions else default_solutions()
    if not solutions.is_dir():
        raise ValueError(f"--solutions {str(solutions)!r} is not a folder")
    kits = Kits(solutions.resolve())
    if not kits.ids:
        raise ValueError(f"--solutions {str(solutions)!r} holds no solution notebooks")
    if args.assignment is not None and args.assignment not in kits.ids:
        raise ValueError(f"--assignment must be one of {kits.ids}, got {args.assignment!r}")
    out = Path(args.out)
    subs = discover(args.submissions, out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            os.chmod(out, 0o700)  # results hold hidden-test messages: for the grader only
        probe_file = out / ".wvlib-canary"
        probe_file.write_text("secret")
    except OSError as exc:
        raise ValueError(f"--out {str(out)!r} is not a writable folder ({exc.strerror})") \
            from None
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    try:
        secrets = [solutions, solutions / "hidden", out, Path.cwd(),
                   solutions.resolve().parent] + [s.path.parent for s in subs]
        canaries = [probe_file] + sorted(solutions.glob("*.ipynb"))[:3] + \
            sorted((solutions / "hidden").glob("*.py"))[:3] + [s.path for s in subs[:1]]
        sandbox = prepare_sandbox(secrets, canaries,
                                  limits=Limits(memory_mb=args.memory),
                                  use_sandbox=not args.no_sandbox)
    finally:
        probe_file.unlink(missing_ok=True)
    if not sandbox.enabled:
        print(f"\n{'!' * 78}\n!! {_NO_SANDBOX_WARNING}\n!! reason: {sandbox.reason}\n"
              f"{'!' * 78}\n", file=sys.stderr, flush=True)
    else:
        say(f"sandbox: {sandbox.describe()}")
    options = Options(args.timeout_cell, args.timeout_total, args.assignment)
    say(f"grading {len(subs)} submission(s) with {args.jobs} job(s) → {out}")
    start = time.monotonic()
    counts = {"graded": 0, "skipped": 0, "errors": 0}
    lock = threading.Lock()

    def work(index_sub):
        index, sub = index_sub
        t0 = time.monotonic()
        old = already_graded(out, sub, kits, sandbox, options)
        if old is not None:
            with lock:
                counts["skipped"] += 1
            say(f"[{index}/{len(subs)}] {sub.name}: already graded "
                f"({old['score']:g}/{old['extra_data'].get('max_score', 0):g})")
            return
        try:
            outcome = grade_submission(sub, kits, sandbox, options)
        except Exception as exc:  # a bug of the grader: record it, go on with the batch
            outcome = _problem({"submission": sub.name, "file": sub.path.name,
                                "submission_sha256": "", "sandbox": sandbox.enabled,
                                "sandbox_description": sandbox.describe()},
                               "grader-error", f"the grader failed: {type(exc).__name__}: "
                                               f"{exc}", t0)
            outcome.details["traceback"] = traceback.format_exc()
        write_outcome(out, sub.name, outcome)
        with lock:
            counts["graded"] += 1
            counts["errors"] += outcome.status == "grader-error"
        r = outcome.results
        say(f"[{index}/{len(subs)}] {sub.name}: {r['score']:g}/"
            f"{r['extra_data']['max_score']:g} ({outcome.status}) in "
            f"{time.monotonic() - t0:.1f} s")

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(work, enumerate(subs, 1)))
    gradebook = write_gradebook(out)
    elapsed = time.monotonic() - start
    rate = counts["graded"] / elapsed * 60 if counts["graded"] and elapsed > 0 else 0.0
    print(f"graded {counts['graded']} submission(s), {counts['skipped']} already graded, in "
          f"{elapsed:.1f} s ({rate:.1f}/min); gradebook: {gradebook}; sandbox: "
          f"{'on' if sandbox.enabled else 'OFF (' + sandbox.reason + ')'}"
          + (f"; {counts['errors']} GRADER ERROR(S), see details.json" if counts["errors"]
             else ""), flush=True)
    return 1 if counts["errors"] else 0
