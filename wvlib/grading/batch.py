"""Grading a batch of submissions, and the command ``wvlib course grade``.

    python -m wvlib course grade SUBMISSION_OR_DIR... --out OUTDIR [--assignment ID] [--jobs N]
        [--timeout-cell S] [--timeout-total S] [--memory MB] [--solutions DIR]

The same from Python::

    from wvlib.grading.batch import grade_batch
    report = grade_batch(["submissions/"], "graded/", jobs=2)
    print(report.graded, report.seconds, report.gradebook)

Each job owns a **worker process** (``python -m wvlib.grading.worker``) that grades one
submission at a time with :func:`wvlib.grading.grade.grade_submission` — it starts the
submission's kernel, and rebuilds and judges the values the kernel sends back. The worker runs
under a memory limit (``RLIMIT_AS``), and the batch kills it (with its kernels) when it is
still busy ``WORKER_GRACE`` seconds after the submission's ``timeout_total``: that submission
gets a ``grading-limit`` result with zero points, a new worker takes the next one, and no other
submission loses time or points. Reports are written here, in the batch's process.

A submission whose ``results.json`` was written by the same grader for the same file and the
same official material is skipped, so an interrupted batch resumes where it stopped. Grades are
deterministic. The exit status of the command is 0 when every submission got a result (zero
points included) and non-zero only when the grader itself fails.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import select
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import report as R
from .sandbox import kill_process_group
from .grade import Kits, Options, Submission, default_solutions, grading_key, \
    official_digest

#: Seconds a worker may stay busy beyond a submission's ``timeout_total`` before it is killed.
WORKER_GRACE = 30.0
#: Address space of a worker beyond the kernel's limit, in MiB (NumPy, SciPy, SymPy, ZeroMQ).
WORKER_EXTRA_MB = 2048

_NO_SANDBOX_WARNING = R._NO_SANDBOX_WARNING


@dataclass
class BatchReport:
    """What :func:`grade_batch` did."""
    graded: int
    skipped: int
    errors: int
    seconds: float
    gradebook: Path
    sandbox: str


def judge_limits(timeout_total: float, memory_mb: int = 4096) -> dict:
    """The limits of a worker for one submission: wall-clock seconds and address space."""
    return {"seconds": timeout_total + WORKER_GRACE,
            "memory_mb": max(memory_mb, 1024) + WORKER_EXTRA_MB}


# --------------------------------------------------------------------------------------------
# Finding submissions
# --------------------------------------------------------------------------------------------
def _walk(folder: Path):
    """The ``*.ipynb`` files below ``folder``, never through a symbolic link (a link could
    point out of the submissions folder, to a solution)."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if name.endswith(".ipynb") and not name.startswith(".") and \
                    not path.is_symlink() and path.is_file():
                yield path


def discover(paths, out: Path) -> list[Submission]:
    """Submissions named on the command line: files as given, folders searched for
    ``*.ipynb`` (hidden folders, checkpoints, symbolic links and the output folder excluded).

    Output names are unique by construction (case-insensitively too): a name is the file's path
    below its folder, made safe; names that collide get a suffix from their path's hash, then a
    counter, checked against every name already given."""
    found = []
    out = Path(out).resolve()
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            for f in _walk(p):
                if out == f.resolve().parent or out in f.resolve().parents:
                    continue
                found.append((str(f.relative_to(p).with_suffix("")).replace(os.sep, "__"), f))
        elif p.is_file():
            found.append((p.stem, p))
        else:
            raise FileNotFoundError(f"submission {arg!r} does not exist")
    groups: dict[str, list[Path]] = {}
    for raw, path in found:
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", raw).strip("._-") or "submission"
        if name.lower() in ("gradebook.csv", "gradebook"):
            name = "gradebook_"
        groups.setdefault(name, []).append(path)
    taken: set[str] = set()
    subs, pending = [], []
    for name in sorted(groups, key=lambda n: (n.lower(), n)):    # a name held by one file
        paths_ = sorted(set(x.resolve() for x in groups[name]), key=str)
        if len(paths_) == 1 and name.lower() not in taken:
            taken.add(name.lower())
            subs.append(Submission(name, groups[name][0]))
        else:
            pending += [(name, path) for path in paths_]
    for name, path in pending:                                   # then the colliding ones
        digest = hashlib.sha1(os.fsencode(str(path))).hexdigest()[:8]
        final, k = f"{name}-{digest}", 1
        while final.lower() in taken:
            k += 1
            final = f"{name}-{digest}-{k}"
        taken.add(final.lower())
        subs.append(Submission(final, path))
    return sorted(subs, key=lambda s: s.name)


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




# --------------------------------------------------------------------------------------------
# Workers
# --------------------------------------------------------------------------------------------
def sandbox_to_data(sandbox) -> dict:
    return {"bwrap": sandbox.bwrap, "secrets": [str(p) for p in sandbox.secrets],
            "reason": sandbox.reason, "limits": [sandbox.limits.memory_mb,
                                                  sandbox.limits.file_mb, sandbox.limits.tmp_mb],
            "sized_tmpfs": sandbox.sized_tmpfs, "run_as": sandbox.run_as,
            "drop_privileges": sandbox.drop_privileges, "disable_userns": sandbox.disable_userns}


def sandbox_from_data(data: dict):
    from .sandbox import Limits, Sandbox
    return Sandbox(data["bwrap"], tuple(Path(p) for p in data["secrets"]), data["reason"],
                   Limits(*data["limits"]), data["sized_tmpfs"], data["run_as"],
                   data["drop_privileges"], data["disable_userns"])


class Worker:
    """A ``python -m wvlib.grading.worker`` process grading one submission at a time."""

    def __init__(self, setup: dict, memory_mb: int):
        env = dict(os.environ, WVLIB_WORKER_MEMORY_MB=str(memory_mb))
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join([root] + [x for x in
                                                      env.get("PYTHONPATH", "").split(os.pathsep)
                                                      if x])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wvlib.grading.worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True, env=env)
        self.buffer = b""
        self._send(setup)

    def _send(self, message: dict) -> None:
        self.process.stdin.write(json.dumps(message).encode("ascii") + b"\n")
        self.process.stdin.flush()

    def grade(self, sub: Submission, seconds: float):
        """The outcome of ``sub`` as a dict, or None if the worker died or ran out of time
        (it is then killed)."""
        try:
            self._send({"name": sub.name, "path": os.fsencode(str(sub.path)).hex()})
        except OSError:
            self.kill()
            return None
        deadline = time.monotonic() + seconds
        fd = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                return None
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    self.kill()
                    return None
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            self.kill()
            return None

    def kill(self) -> None:
        """Kill the worker and everything it started (the sandboxed kernels die with it)."""
        kill_process_group(self.process)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


def _limit_outcome(sub: Submission, sandbox, seconds: float, memory_mb: int, t0: float):
    base = {"submission": sub.name, "file": os.fsdecode(sub.path.name),
            "submission_sha256": _sha256(sub.path), "sandbox": sandbox.enabled,
            "sandbox_description": sandbox.describe()}
    return R._problem(base, "grading-limit",
                      f"grading this submission needed more than {seconds:g} s or "
                      f"{memory_mb} MiB of memory in the grader (its answers are too costly to "
                      f"check, or its kernel would not stop); it was stopped and gets no "
                      f"points", t0)


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _grader_error(sub, sandbox, message: str, t0: float, trace: str = ""):
    base = {"submission": sub.name, "file": os.fsdecode(sub.path.name),
            "submission_sha256": "", "sandbox": sandbox.enabled,
            "sandbox_description": sandbox.describe()}
    outcome = R._problem(base, "grader-error", f"the grader failed: {message}", t0)
    outcome.details["traceback"] = trace
    return outcome


# --------------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------------
def grade_batch(submissions, out, *, assignment: str | None = None, jobs: int = 1,
                timeout_cell: float = 60.0, timeout_total: float = 600.0,
                memory_mb: int = 4096, solutions=None, sandbox: bool = True,
                quiet: bool = False) -> BatchReport:
    """Grade notebooks (files, or folders searched for ``*.ipynb``) into the folder ``out``.

    Parameters
    ----------
    submissions : sequence of path
        Notebooks, or folders holding them.
    out : path
        Output folder (created): one folder per submission and ``gradebook.csv``.
    assignment : str, optional
        Grade every submission as this assignment (default: from each notebook's metadata,
        else its file name).
    jobs : int
        Submissions graded in parallel (one worker process each).
    timeout_cell, timeout_total : float
        Seconds per cell (and per checked call), and per submission in all.
    memory_mb : int
        Address-space limit of each kernel, in MiB (at least 1024).
    solutions : path, optional
        Folder of the solution notebooks, with ``hidden/`` (default: ``./solutions``, else the
        one next to the wvlib package).
    sandbox : bool
        False to run kernels without bubblewrap (said in every report).
    quiet : bool
        No progress lines.

    Returns
    -------
    BatchReport
        Counts, time, the gradebook's path and the sandbox's description. Raises
        ``ValueError`` for bad arguments, ``FileNotFoundError`` for a missing submission.
    """
    from .sandbox import Limits, prepare_sandbox
    for flag, value in (("jobs", jobs), ("memory_mb", memory_mb)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"--{flag.replace('_mb', '').replace('_', '-')} must be a "
                             f"positive integer, got {value}")
    for flag, value in (("--timeout-cell", timeout_cell), ("--timeout-total", timeout_total)):
        if not value > 0:
            raise ValueError(f"{flag} must be a positive number of seconds, got {value}")
    if memory_mb < 1024:
        raise ValueError(f"--memory must be at least 1024 MiB (a kernel with NumPy and SciPy "
                         f"needs about 800 MiB of address space), got {memory_mb}")
    solutions = Path(solutions) if solutions else default_solutions()
    if not solutions.is_dir():
        raise ValueError(f"--solutions {str(solutions)!r} is not a folder")
    kits = Kits(solutions.resolve())
    if not kits.ids:
        raise ValueError(f"--solutions {str(solutions)!r} holds no solution notebooks")
    if assignment is not None and assignment not in kits.ids:
        raise ValueError(f"--assignment must be one of {kits.ids}, got {assignment!r}")
    out = Path(out)
    subs = discover(submissions, out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            os.chmod(out, 0o700)  # results hold hidden-test messages: for the grader only
        probe_file = out / ".wvlib-canary"
        probe_file.write_text("secret")
    except OSError as exc:
        raise ValueError(f"--out {str(out)!r} is not a writable folder ({exc.strerror})") \
            from None
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    try:
        secrets = [solutions, solutions / "hidden", out, Path.cwd(),
                   solutions.resolve().parent] + [s.path.parent for s in subs]
        canaries = [probe_file] + sorted(solutions.glob("*.ipynb"))[:3] + \
            sorted((solutions / "hidden").glob("*.py"))[:3] + [s.path for s in subs[:1]]
        box = prepare_sandbox(secrets, canaries, limits=Limits(memory_mb=memory_mb),
                              use_sandbox=sandbox)
    finally:
        probe_file.unlink(missing_ok=True)
    if not box.enabled:
        print(f"\n{'!' * 78}\n!! {_NO_SANDBOX_WARNING}\n!! reason: {box.reason}\n"
              f"{'!' * 78}\n", file=sys.stderr, flush=True)
    else:
        say(f"sandbox: {box.describe()}")
    options = Options(timeout_cell, timeout_total, assignment)
    limits = judge_limits(timeout_total, memory_mb)
    setup = {"solutions": str(solutions.resolve()), "sandbox": sandbox_to_data(box),
             "options": [timeout_cell, timeout_total, assignment]}
    say(f"grading {len(subs)} submission(s) with {jobs} job(s) → {out}")
    start = time.monotonic()
    counts = {"graded": 0, "skipped": 0, "errors": 0}
    lock = threading.Lock()
    queue = list(enumerate(subs, 1))

    def job():
        while True:
            with lock:
                if not queue:
                    return
                index, sub = queue.pop(0)
            _one(index, sub)

    workers: dict[int, Worker] = {}

    def _one(index, sub):
        t0 = time.monotonic()
        try:
            old = already_graded(out, sub, kits, box, options)
        except Exception:  # noqa: BLE001 - a damaged old result: grade again
            old = None
        if old is not None:
            with lock:
                counts["skipped"] += 1
            say(f"[{index}/{len(subs)}] {sub.name}: already graded "
                f"({old['score']:g}/{old['extra_data'].get('max_score', 0):g})")
            return
        me = threading.get_ident()
        try:
            worker = workers.get(me)
            if worker is None or not worker.alive:
                worker = workers[me] = Worker(setup, limits["memory_mb"])
            data = worker.grade(sub, limits["seconds"])
            if data is None:
                workers.pop(me, None)
                outcome = _limit_outcome(sub, box, limits["seconds"], limits["memory_mb"], t0)
            elif "error" in data:
                outcome = _grader_error(sub, box, data["error"], t0, data.get("traceback", ""))
            else:
                outcome = R.Outcome(data["results"], data["feedback"], data["details"],
                                    data.get("executed"))
        except Exception as exc:  # noqa: BLE001 - a bug of the grader: record it, go on
            outcome = _grader_error(sub, box, f"{type(exc).__name__}: {exc}", t0,
                                    traceback.format_exc())
        try:
            R.write_outcome(out, sub.name, outcome)
        except Exception as exc:  # noqa: BLE001 - even then, the submission gets a result
            outcome = _grader_error(sub, box, f"its results could not be written: "
                                              f"{type(exc).__name__}", t0,
                                    traceback.format_exc())
            R.write_outcome(out, sub.name, outcome)
        with lock:
            counts["graded"] += 1
            counts["errors"] += outcome.status == "grader-error"
        r = outcome.results
        say(R.clean(f"[{index}/{len(subs)}] {sub.name}: {r['score']:g}/"
                    f"{r['extra_data']['max_score']:g} ({outcome.status}) in "
                    f"{time.monotonic() - t0:.1f} s"))

    threads = [threading.Thread(target=job, daemon=True) for _ in range(min(jobs, len(subs)))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for w in list(workers.values()):
            w.close()
        gradebook = R.write_gradebook(out)
    elapsed = time.monotonic() - start
    rate = counts["graded"] / elapsed * 60 if counts["graded"] and elapsed > 0 else 0.0
    described = "on" if box.enabled else "OFF (" + box.reason + ")"
    print(f"graded {counts['graded']} submission(s), {counts['skipped']} already graded, in "
          f"{elapsed:.1f} s ({rate:.1f}/min); gradebook: {gradebook}; sandbox: {described}"
          + (f"; {counts['errors']} GRADER ERROR(S), see details.json" if counts["errors"]
             else ""), flush=True)
    return BatchReport(counts["graded"], counts["skipped"], counts["errors"], elapsed,
                       gradebook, described)


# --------------------------------------------------------------------------------------------
# The command: wvlib course grade
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
                        help="seconds allowed for one submission: running its notebook "
                             "(every kernel restart included, at most 2/3 of it) and checking "
                             "it (default 600)")
    parser.add_argument("--memory", type=int, default=4096,
                        help="memory (address space) limit of each kernel in MiB (default 4096)")
    parser.add_argument("--solutions", default=None,
                        help="folder of the solution notebooks, with hidden/ (default: "
                             "./solutions, else the one next to the wvlib package)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run kernels without bubblewrap (reported in every result)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def run(args) -> int:
    """Grade a batch (see the module docstring); returns the exit status."""
    report = grade_batch(args.submissions, args.out, assignment=args.assignment,
                         jobs=args.jobs, timeout_cell=args.timeout_cell,
                         timeout_total=args.timeout_total, memory_mb=args.memory,
                         solutions=args.solutions, sandbox=not args.no_sandbox,
                         quiet=args.quiet)
    return 1 if report.errors else 0
