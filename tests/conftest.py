"""Shared fixtures. The book is built once per test session, with the plain command every
Jupyter Book user, CI template and hosting service runs — ``jupyter-book build .`` in a copy of
the repository as a fresh clone has it, executing every notebook — and every test of the built
site uses that build.

Why the plain command rather than ``wvlib book build``: the wrapper runs the very same
``jupyter-book build`` (``wvlib.book.build_command``; only ``-W -n --keep-going --all`` and an
emptied execution cache are added, none of which changes the site), so testing the plain build
covers both, and a second full build would double the slowest step of the suite. Strictness is
kept: the fixture fails on any warning in the build log, as ``-W`` would (``nitpicky`` is set in
``_config.yml``); the wrapper itself is tested on a one-page book in ``test_book.py``."""
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_LOG = ROOT / "test-artifacts" / "plain-build.log"

# Notebook kernels started by nbval inherit this environment: one BLAS thread per process keeps
# results independent of thread scheduling and avoids oversubscribing a 2-core machine.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("WVLIB_PROGRESS", "0")

_IGNORED = ("_build", ".venv", "venv", ".git", "test-artifacts", "__pycache__",
            ".pytest_cache", ".hypothesis", ".ipynb_checkpoints", "*.egg-info")


def copy_repository(root: Path, target: Path) -> Path:
    """Copy what a fresh clone of ``root`` holds (tracked and not-ignored files) to ``target``."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                                 "--exclude-standard"], cwd=root, check=True,
                                capture_output=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        shutil.copytree(root, target, ignore=shutil.ignore_patterns(*_IGNORED),
                        dirs_exist_ok=True)
        return target
    for rel in filter(None, listed):
        src = root / rel
        if src.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / rel)
    return target


def build_warnings(log: str) -> list[str]:
    """The warning and error lines of a Sphinx / Jupyter Book build log."""
    return [line for line in log.splitlines()
            if re.search(r"\b(WARNING|ERROR|SEVERE|CRITICAL)\b:", line)]


# The test tiers (slow, browser) and the xdist scheduling are set in ../conftest.py.


def _session_folder(tmp_path_factory) -> Path:
    """A folder shared by the whole test run: under xdist (``-n 2``) every worker has a
    base temporary folder of its own, and their parent is the run's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _build_book(folder: Path) -> dict:
    """Run ``jupyter-book build .`` in a fresh copy under ``folder``; the outcome as data."""
    from wvlib.book import jupyter_book_command
    clone = copy_repository(ROOT, folder / "clone")
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("MPLBACKEND", None)  # the inline backend is what puts figures into the pages
    command = jupyter_book_command() + ["build", "."]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    log = done.stdout + done.stderr
    BUILD_LOG.parent.mkdir(parents=True, exist_ok=True)
    BUILD_LOG.write_text(f"$ jupyter-book build .   (exit {done.returncode}, {elapsed:.0f} s)\n"
                         + log, encoding="utf-8")
    html = clone / "_build" / "html"
    warnings = build_warnings(log)
    failure = ""
    if done.returncode != 0 or warnings:
        reports = sorted((html / "reports").glob("**/*.log")) if html.exists() else []
        details = "\n".join(p.read_text(errors="replace")[-3000:] for p in reports[:3])
        failure = (f"`jupyter-book build .` failed (exit {done.returncode}, "
                   f"{len(warnings)} warnings; log in {BUILD_LOG}):\n"
                   + "\n".join(warnings[:20]) + "\n" + log[-3000:] + details)
    return {"html": str(html), "failure": failure}


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """Path to the ``_build/html`` folder of ``jupyter-book build .`` run in a fresh copy.

    The book is built once per test run: under xdist the first worker that needs it builds it
    while holding a lock, and the others wait for it and use the same pages (or fail with the
    same message). Authors iterating on the site tests may set ``WVLIB_TEST_BUILT_BOOK`` to
    the ``html`` folder of a build they just made to skip rebuilding; CI never sets it."""
    import fcntl
    import json
    reuse = os.environ.get("WVLIB_TEST_BUILT_BOOK")
    if reuse and not os.environ.get("CI"):
        return Path(reuse)
    folder = _session_folder(tmp_path_factory) / "book"
    folder.mkdir(exist_ok=True)
    outcome_file = folder / "outcome.json"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if outcome_file.exists():
            outcome = json.loads(outcome_file.read_text(encoding="utf-8"))
        else:
            outcome = _build_book(folder)
            outcome_file.write_text(json.dumps(outcome), encoding="utf-8")
    if outcome["failure"]:
        pytest.fail(outcome["failure"])
    return Path(outcome["html"])


@pytest.fixture(autouse=True)
def _quiet_progress(monkeypatch):
    monkeypatch.setenv("WVLIB_PROGRESS", "0")
