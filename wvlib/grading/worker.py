"""A grading worker: ``python -m wvlib.grading.worker`` (started by :mod:`wvlib.grading.batch`).

Reads JSON lines on its standard input — first the batch's setup (solutions folder, sandbox,
options), then one ``{"name", "path"}`` per submission — and answers each with one JSON line:
the submission's outcome (``results``, ``feedback``, ``details``, ``executed``) or
``{"error", "traceback"}`` if the grader itself failed. It limits its own address space
(``WVLIB_WORKER_MEMORY_MB``); the batch kills it when a submission takes too long.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import traceback
from pathlib import Path


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the batch that started it dies."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def main() -> int:
    memory = int(os.environ.get("WVLIB_WORKER_MEMORY_MB", "0"))
    if memory > 0:
        limit = memory * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _die_with_parent()
    from .batch import sandbox_from_data
    from .grade import Kits, Options, Submission, grade_submission
    # the answer channel is a private copy of fd 1; fd 1 itself (inherited by anything this
    # process starts, or written by C code) goes where stderr goes
    stdin = sys.stdin.buffer
    stdout = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    setup = json.loads(stdin.readline())
    kits = Kits(Path(setup["solutions"]))
    sandbox = sandbox_from_data(setup["sandbox"])
    options = Options(*setup["options"])
    for line in stdin:
        task = json.loads(line)
        sub = Submission(task["name"], Path(os.fsdecode(bytes.fromhex(task["path"]))))
        try:
            outcome = grade_submission(sub, kits, sandbox, options)
            answer = {"results": outcome.results, "feedback": outcome.feedback,
                      "details": outcome.details, "executed": outcome.executed}
        except MemoryError:      # over the worker's limit: the batch records it
            return 3
        except Exception as exc:  # noqa: BLE001 - a bug of the grader: report it
            answer = {"error": f"{type(exc).__name__}: {exc}",
                      "traceback": traceback.format_exc()}
        stdout.write(json.dumps(answer, ensure_ascii=True).encode("ascii") + b"\n")
        stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
