"""Grade one submitted notebook with the public checks and the hidden tests.

:func:`grade_submission` is called by a worker process of :mod:`wvlib.grading.batch` (which
also holds the command ``wvlib course grade``); the other modules of :mod:`wvlib.grading` are
its parts (the package docstring lists them).

For every submission the grader

1. reads the file leniently (nbformat 3 is converted; a file that is not a notebook gets a
   result all the same) and finds its assignment: ``--assignment``, else the id that
   ``wvlib course assign`` stamped in the metadata (``metadata.wvlib.assignment``), else the
   file name; a file name naming another assignment than the metadata is flagged
   (``assignment-mismatch`` in the status column and a note in the feedback);
2. runs its code cells, in the submission's order, in a **fresh kernel of its own** inside the
   sandbox of :mod:`wvlib.grading.sandbox` (errors do not stop later cells; time and memory are
   limited; a kernel that dies is restarted without the culprit cell — see
   :mod:`wvlib.grading.remote`). The modules the assignment forbids are absent from that
   sandbox. Cells that only call ``check(...)`` are skipped;
3. takes the questions, points and ``forbid`` lists from the **official** solution notebook
   (``solutions/<id>.ipynb``) — what the submission's cells say about points is ignored — and
   runs the official public checks and the hidden tests (``solutions/hidden/<id>.py``) in the
   worker, asking the kernel for values through a :class:`~wvlib.grading.remote.RemoteKernel`;
   from the first check on, nothing the learner's code produces is recorded;
4. gives a question ``points × (weight of the checks passed) / (weight of all its checks)`` if
   its core checks pass (hidden tests; the rule is at the top of :mod:`wvlib.course.checks`),
   else 0, and 0 if the answer uses a module the question forbids (``#| forbid: wvlib.vectors,
   scipy.stats``). The hidden tests draw their inputs from a seed computed here for each
   submission (:func:`submission_seed`: an HMAC of the file's bytes under the course's key,
   :func:`grading_secret`), so a rerun gives the same grade;
5. writes the reports (see :mod:`wvlib.grading.report`).

``timeout_total`` (``--timeout-total``) is the time of one submission, whatever happens:
every kernel start and restart, every cell, inspection and check (the notebook's cells may use
two thirds of it; the checks get the rest). A worker still busy ``WORKER_GRACE`` seconds later
is killed (see :mod:`wvlib.grading.batch`).
"""
from __future__ import annotations

import ast
import hashlib
import hmac
import importlib.util
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..course import checks as C
from .forbidden import defined_names, question_cells, static_forbidden_uses  # noqa: F401
from ..course.notebook import read_assignment
from .report import GRADER_VERSION, Outcome, _problem, _report  # noqa: F401

MAX_SUBMISSION_BYTES = 100 * 2**20
PROBLEM_STATUSES = ("not-a-notebook", "invalid-notebook", "unknown-assignment",
                    "assignment-error", "grader-error", "grading-limit")
#: share of --timeout-total the notebook's cells may use (the checks get the rest)
RUN_SHARE = 2 / 3


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
    key: bytes = b""           # the course's grading key (seeds the hidden inputs)

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)


#: The course's grading key, beside the hidden tests (never in the sandbox, never committed).
KEY_FILE = "grading.key"


def grading_secret(solutions: Path) -> bytes:
    """The course's grading key, ``<solutions>/hidden/grading.key``: 32 random bytes (hex),
    created on first use with mode 0600. It seeds the hidden tests' inputs
    (:func:`submission_seed`): keep it with the hidden tests, and keep it to regrade alike."""
    path = Path(solutions) / "hidden" / KEY_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{os.urandom(4).hex()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(os.urandom(32).hex() + "\n")
        try:
            os.link(tmp, path)          # published whole, or not at all if another was first
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 32 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(f"{path} is not a grading key (64 hexadecimal digits); delete it to "
                         f"make a new one (grades drawn with the old key will change)")
    return bytes.fromhex(text)


def submission_seed(key: bytes, assignment_id: str, submission_sha256: str) -> int:
    """The seed of a submission's hidden inputs: an HMAC-SHA256 of its assignment and bytes
    under the course's key — unpredictable without the key, the same on every rerun."""
    mac = hmac.new(key, f"{assignment_id}\0{submission_sha256}".encode(), hashlib.sha256)
    return int.from_bytes(mac.digest()[:8], "little")


def official_files(solutions: Path, assignment_id: str) -> list[Path]:
    """The files whose content decides the grades of an assignment."""
    from ..course.stored import data_file
    files = [solutions / f"{assignment_id}.ipynb", solutions / "hidden" / f"{assignment_id}.py",
             solutions / "hidden" / KEY_FILE, Path(C.__file__), data_file(assignment_id)]
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
    C.core_flags(entries)      # a public core check or a question without hidden test: error
    return Kit(assignment_id, assignment.title, assignment.questions, entries, names,
               official_digest(solutions, assignment_id), grading_secret(solutions))


class Kits:
    """The assignments in a solutions folder, loaded on first use (thread-safe)."""

    def __init__(self, solutions: Path):
        self.solutions = solutions
        self.ids = sorted(p.stem for p in solutions.glob("*.ipynb"))
        if self.ids:
            grading_secret(solutions)    # before any digest is taken: it is part of them
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
    return name_assignment(path, known)


def name_assignment(path: Path, known) -> str | None:
    """The assignment a file name points to (its stem, or the longest id inside it), or None."""
    stem = path.stem
    if stem in known:
        return stem
    inside = [k for k in known if k in stem]
    return max(inside, key=len) if inside else None


def identity_flags(meta: dict, path: Path, known, graded_as: str) -> list[str]:
    """Notes on a submission whose file name, metadata and graded assignment disagree."""
    stamped = meta.get("assignment")
    stamped = stamped if isinstance(stamped, str) and stamped in known else None
    named = name_assignment(path, known)
    notes = []
    if named and stamped and named != stamped:
        notes.append(f"assignment-mismatch: the file name says {named} but the notebook's "
                     f"metadata says {stamped}; it was graded as {graded_as}")
    elif stamped and stamped != graded_as:
        notes.append(f"assignment-mismatch: the notebook's metadata says {stamped}; it was "
                     f"graded as {graded_as}")
    return notes


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


def grading_key(assignment_id, digest, sandbox) -> str:
    """What, besides the file, decides a result: grader, official material and limits."""
    limits = sandbox.limits
    material = json.dumps([GRADER_VERSION, assignment_id, digest, sandbox.enabled,
                           limits.memory_mb, limits.file_mb, limits.tmp_mb])
    return hashlib.sha256(material.encode()).hexdigest()


def read_file(path: Path) -> bytes:
    """The bytes of a submission, never read through a symbolic link."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        return f.read(MAX_SUBMISSION_BYTES + 1)


def grade_submission(sub: Submission, kits: Kits, sandbox, options: Options) -> Outcome:
    """Grade one submission; never raises for anything the submission does."""
    start = time.monotonic()
    base = {"submission": sub.name, "file": sub.path.name, "submission_sha256": "",
            "sandbox": sandbox.enabled, "sandbox_description": sandbox.describe()}
    try:
        data = read_file(sub.path)
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
    notes = identity_flags(meta, sub.path, kits.ids, assignment_id)
    base.update(assignment=assignment_id, title=kit.title,
                grading_key=grading_key(assignment_id, kit.digest, sandbox),
                flags=[n.split(":")[0] for n in notes], flag_notes=notes)
    return _run_and_check(base, sources, data, sub, kit, sandbox, options, start)


def _run_and_check(base, sources, data, sub, kit, sandbox, options, start) -> Outcome:
    from .remote import NotebookSession, RemoteKernel
    from .report import _safe_file_name
    cells = [(i, s, is_check_only(s)) for i, s in enumerate(sources)]
    blocked = sorted({m for q in kit.questions for m in q.forbid})
    session = NotebookSession(cells, _safe_file_name(sub.path.name), data, sandbox,
                              timeout_cell=options.timeout_cell,
                              timeout_total=options.timeout_total,
                              deadline=start + options.timeout_total, blocked_modules=blocked)
    kernel = None
    try:
        session.run(deadline=start + RUN_SHARE * options.timeout_total)
        session.seal()   # from here on, nothing the learner's code produces is recorded
        seed = submission_seed(kit.key, kit.id, base["submission_sha256"])
        kernel = _BudgetedKernel(RemoteKernel(session, call_timeout=options.timeout_cell), seed)
        forbidden = {}
        for q in kit.questions:
            if q.forbid:
                forbidden[q.id] = _forbidden_findings(q, sources, kit.names[q.id], kernel)
        results = []
        for (check, kind), core in zip(kit.checks, C.core_flags(kit.checks)):
            for r in C.run_checks([check], kernel, kind=kind):
                r.core = core
                results.append(r)
    finally:
        if kernel is not None:
            kernel.remote.close()
        session.close()
    return _report(base, kit, session, results, forbidden, start)


class _BudgetedKernel:
    """A RemoteKernel under the submission's deadline (the session's): a function that timed
    out once is not called again (each further call fails at once, same message)."""

    def __init__(self, remote, seed: int = 0):
        self.remote = remote
        self.seed = seed            # the hidden tests' inputs (checks.hidden_rng)
        self.timed_out: dict[str, str] = {}

    def _guard(self, name):
        if name in self.timed_out:
            raise C.KernelError(self.timed_out[name], "timeout")
        if time.monotonic() >= self.remote.session.deadline:
            raise C.KernelError("the time allowed for checking this notebook ran out before "
                                f"`{name}` could be checked", "timeout")

    def _forward(self, method, name, *args, **kwargs):
        self._guard(name)
        try:
            return getattr(self.remote, method)(name, *args, **kwargs)
        except C.KernelError as exc:
            if exc.kind == "timeout":
                self.timed_out[name] = str(exc)
            raise

    def has(self, name):
        return self._forward("has", name)

    def get(self, name):
        return self._forward("get", name)

    def call(self, name, *args, **kwargs):
        return self._forward("call", name, *args, **kwargs)

    def call_inputs(self, name, *args, **kwargs):
        return self._forward("call_inputs", name, *args, **kwargs)

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


def default_solutions() -> Path:
    """``./solutions`` if it exists, else the ``solutions/`` folder next to the package."""
    here = Path("solutions")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "solutions"
