"""A student's notebook running in a kernel of its own, seen from the grader.

Two layers, on top of one kernel process (:class:`wvlib.grading.kernel.KernelProcess`: an
IPython kernel in the sandbox, code executed with a time limit, output capped):

:class:`NotebookSession`
    executes a notebook's code cells in order, errors allowed, with a per-cell and a
    whole-notebook time limit. When the kernel dies (``os._exit``, ``kill -9``, ``exit()``) or
    hangs beyond rescue, the session starts a new kernel and replays the cells that behaved,
    leaving out the culprits — so one hostile cell cannot cost the points of the others. It
    gives up after a few kernel starts.

:class:`RemoteKernel`
    the kernel proxy the checks use (same interface and error messages as
    :class:`wvlib.course.checks.LocalKernel`): each ``k.call`` / ``k.get`` / ``k.has`` becomes a
    plain-data request answered by :func:`wvlib.grading.probe.serve` inside the kernel, under a
    time limit, and the answer is rebuilt and checked in the grader's process.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import zmq

from . import probe
from ..course.checks import KernelError, not_callable_error, not_implemented_error, raised_error, \
    undefined_error
from .kernel import MAX_IOPUB_MESSAGE, MAX_SHELL_MESSAGE, KernelProcess, KernelStartError
from .sandbox import Sandbox, Scratch

#: How many times a notebook's kernel may be started (the first start included).
MAX_KERNEL_STARTS = 4


# --------------------------------------------------------------------------------------------
# A notebook in a kernel, with recovery
# --------------------------------------------------------------------------------------------
@dataclass
class CellRun:
    """The outcome of one code cell: ``status`` is ``"ok"``, ``"error"``, ``"timeout"``,
    ``"dead"`` (the kernel died while it ran), ``"skipped"`` (a bare ``check(...)`` cell) or
    ``"not-run"`` (the notebook's time ran out first)."""
    index: int
    source: str
    status: str = "not-run"
    ename: str = ""
    evalue: str = ""
    outputs: list = field(default_factory=list)
    truncated: bool = False
    duration: float = 0.0


class NotebookSession:
    """Run a notebook's code cells in a fresh kernel and keep a kernel alive for the checks.

    Parameters
    ----------
    cells : list of (int, str, bool)
        ``(index, source, skip)`` for each code cell, in the submission's order.
    notebook_name, notebook_bytes : str, bytes
        The copy of the submission placed in the kernel's working folder.
    sandbox : Sandbox
        How to isolate the kernel.
    timeout_cell, timeout_total : float
        Time limits in seconds for one cell and for the whole notebook.
    scratch_parent : path, optional
        Where to create the scratch folder (default: the system's temporary folder).
    deadline : float, optional
        A ``time.monotonic()`` instant after which no kernel is started and no cell runs, across
        every restart (the submission's whole time budget); default: ``timeout_total`` from now.
    blocked_modules : sequence of str
        Modules absent from the kernel's sandbox (see :func:`wvlib.grading.sandbox.module_view`).

    Once :meth:`seal` is called (the grader does it before the first check), nothing the
    learner's code produces is recorded any more: replays after a restart run silently, the
    kernel's last words are not quoted, and every start begins with empty scratch folders (no
    file written by one kernel survives into the next).
    """

    def __init__(self, cells, notebook_name: str, notebook_bytes: bytes, sandbox: Sandbox, *,
                 timeout_cell: float = 60.0, timeout_total: float = 600.0, scratch_parent=None,
                 deadline: float | None = None, blocked_modules=()):
        self.cells = cells
        self.sandbox = sandbox
        self.timeout_cell, self.timeout_total = timeout_cell, timeout_total
        self.deadline = deadline if deadline is not None else time.monotonic() + timeout_total
        self.blocked_modules = tuple(blocked_modules)
        self.sealed = False
        self.notebook_name, self.notebook_bytes = notebook_name, notebook_bytes
        self.scratch = Scratch.create(scratch_parent, owner=sandbox.run_as)
        self._place_notebook()
        self.runs = {i: CellRun(i, src, "skipped" if skip else "not-run")
                     for i, src, skip in cells}
        self.excluded: set[int] = set()      # cells never to run again (they hung or killed)
        self.events: list[str] = []          # what happened, for the reports
        self.starts = 0
        self.kernel: KernelProcess | None = None
        self.gave_up = ""

    def _place_notebook(self) -> None:
        path = self.scratch.work / self.notebook_name
        path.write_bytes(self.notebook_bytes)
        self.scratch.give(path, self.sandbox.run_as)

    def _wipe(self) -> None:
        """Empty the scratch folders before a new kernel starts (files of the old one go)."""
        import shutil
        for folder in (self.scratch.work, self.scratch.home, self.scratch.ipc):
            for entry in list(folder.iterdir()):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        self._place_notebook()

    def seal(self) -> None:
        """From now on, record nothing the learner's code produces (see the class docstring)."""
        self.sealed = True

    # -- the notebook ---------------------------------------------------------------------------
    def run(self, deadline: float | None = None) -> None:
        """Execute every code cell (see the class docstring) until ``deadline`` (default: the
        session's); never raises for the learner's code."""
        deadline = min(deadline or self.deadline, self.deadline)
        while self._start_kernel(deadline):
            if self._run_cells(deadline):
                return

    def _run_cells(self, deadline: float) -> bool:
        """Run the cells in the current kernel; False if it died and a replay is needed."""
        for index, source, skip in self.cells:
            if skip or index in self.excluded:
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.events.append(f"the notebook's time limit ({self.timeout_total:g} s) was "
                                   f"reached before cell {index}; the remaining cells did not "
                                   f"run")
                return True
            limit = min(self.timeout_cell, remaining)
            ex = self.kernel.execute(source, limit, silent=self.sealed)
            if self.sealed:   # a replay for the checks: its output is never shown
                if ex.status == "timeout" or not self.kernel.alive:
                    self.excluded.add(index)
                    if not self.kernel.alive:
                        self.events.append(f"the kernel died while cell {index} was run "
                                           f"again for the checks")
                        return False
                continue
            run = self.runs[index]
            run.status, run.ename, run.evalue = ex.status, ex.ename, ex.evalue
            run.outputs, run.truncated, run.duration = ex.outputs, ex.truncated, ex.duration
            if self.kernel.output_lost and not getattr(self.kernel, "_lost_reported", False):
                self.kernel._lost_reported = True
                run.truncated = True
                self.events.append(f"cell {index} printed more than "
                                   f"{MAX_IOPUB_MESSAGE // 2**20} MB at once: that output, and "
                                   f"the output of the cells after it, was not recorded")
            if ex.status == "timeout":
                self.excluded.add(index)
                if limit < self.timeout_cell:
                    self.events.append(f"cell {index} was stopped by the notebook's time limit "
                                       f"({self.timeout_total:g} s)")
                else:
                    self.events.append(f"cell {index} ran longer than {self.timeout_cell:g} s "
                                       f"and was stopped")
            if not self.kernel.alive:
                self.excluded.add(index)
                if ex.status != "timeout":
                    run.status = "dead"
                    if self.kernel.reply_too_large:
                        self.events.append(f"the kernel was stopped while running cell {index}:"
                                           f" its reply was larger than "
                                           f"{MAX_SHELL_MESSAGE // 2**20} MB")
                    else:
                        self.events.append(f"the kernel died while running cell {index}"
                                           + self._last_words())
                return False
        return True

    def _last_words(self) -> str:
        """The kernel's last error line on its own stderr, if any (e.g. a fatal error)."""
        if self.sealed:
            return ""
        lines = (self.kernel.stderr_tail if self.kernel else "").splitlines()
        errors = [x.strip() for x in lines if "rror" in x or "Fatal" in x or "Killed" in x]
        return f" ({errors[-1][:200]})" if errors else ""

    def _start_kernel(self, deadline: float | None = None) -> bool:
        """Start a (new) kernel if the limit of starts and the time allow; False if not."""
        deadline = self.deadline if deadline is None else deadline
        if self.kernel is not None:
            self.kernel.kill()
            self.kernel = None
        if time.monotonic() >= deadline - 1.0:
            if deadline >= self.deadline:
                self.gave_up = "the time allowed for this notebook ran out"
                self.events.append(self.gave_up)
            return False
        if self.starts >= MAX_KERNEL_STARTS:
            self.gave_up = (f"the kernel died or hung {self.starts} times; "
                            f"grading stopped asking it questions")
            self.events.append(self.gave_up)
            return False
        if self.starts:
            self.events.append("a new kernel was started and the cells that behaved were run "
                               "again (without the cells that hung or killed the kernel)")
        if self.starts:
            self._wipe()
        self.starts += 1
        for attempt in (1, 2):  # one more try after a passing fault of the machine
            kernel = KernelProcess(self.scratch, self.sandbox, self.blocked_modules)
            try:
                kernel.start(timeout=max(1.0, min(60.0, deadline - time.monotonic())))
            except (KernelStartError, zmq.ZMQError, OSError) as exc:
                kernel.kill()
                if attempt == 2:
                    self.events.append(f"the kernel could not start: {exc}")
                    return False
            else:
                self.kernel = kernel
                return True

    # -- a kernel for the checks ----------------------------------------------------------------
    def live_kernel(self) -> KernelProcess | None:
        """The kernel, restarted and replayed if it died since (None once that is impossible)."""
        if self.kernel is not None and self.kernel.alive:
            return self.kernel
        if self.gave_up:
            return None
        self.events.append("the kernel died while the checks were asking it questions")
        while self._start_kernel(self.deadline):
            if self._run_cells(self.deadline):
                return self.kernel
        return None

    def close(self) -> None:
        """Kill the kernel and delete the scratch folder."""
        if self.kernel is not None:
            self.kernel.kill()
            self.kernel = None
        self.scratch.remove()


# --------------------------------------------------------------------------------------------
# The checks' kernel proxy
# --------------------------------------------------------------------------------------------
class RemoteKernel:
    """Kernel proxy forwarding a check's requests into a student's kernel (plain data only).

    Same interface as :class:`wvlib.course.checks.LocalKernel` — ``has(name)``, ``get(name)``,
    ``call(name, *args, **kwargs)`` — and the same :class:`~wvlib.course.checks.KernelError`
    messages, plus the kinds ``"timeout"``, ``"dead"`` and ``"unserializable"``.

    Parameters
    ----------
    session : NotebookSession
        The notebook whose kernel answers (restarted by the session if it died).
    call_timeout : float
        Time limit of one request, in seconds.
    """

    def __init__(self, session: NotebookSession, call_timeout: float = 60.0):
        self.session, self.call_timeout = session, call_timeout
        self.folder = session.scratch.ipc
        self.folder_fd = probe.open_folder(self.folder)
        self.counter = 0

    def close(self) -> None:
        if self.folder_fd is not None:
            os.close(self.folder_fd)
            self.folder_fd = None

    # -- the LocalKernel interface --------------------------------------------------------------
    def has(self, name: str) -> bool:
        value = self._request("has", name)
        if not isinstance(value, bool):
            raise KernelError(f"the kernel gave a malformed answer about `{name}`",
                              "unserializable")
        return value

    def get(self, name: str):
        return self._request("get", name)

    def call(self, name: str, *args, **kwargs):
        return self._request("call", name, args=args, kwargs=kwargs)

    def call_inputs(self, name: str, *args, **kwargs):
        """``(value, args, kwargs)``: the answer and the arguments as the call left them, read
        back as plain data (see :func:`wvlib.course.checks.call_unmodified`)."""
        answer = self._request("call", name, args=args, kwargs=kwargs, return_args=True)
        if (not isinstance(answer, list) or len(answer) != 3
                or not isinstance(answer[1], list) or not isinstance(answer[2], dict)):
            raise KernelError(f"the kernel gave a malformed answer about `{name}`",
                              "unserializable")
        return answer[0], answer[1], answer[2]

    def inspect(self, names, modules) -> list[str]:
        """Findings of :func:`wvlib.grading.probe.forbidden_references` for ``names``."""
        value = self._request("inspect", ", ".join(names), names=list(names),
                              modules=list(modules))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise KernelError("the kernel gave a malformed answer", "unserializable")
        return [v[:300] for v in value[:20]]

    # -- one request ----------------------------------------------------------------------------
    def _request(self, op: str, name: str, *, args=(), kwargs=None, **extra):
        kernel = self.session.live_kernel()
        if kernel is None:
            raise KernelError(f"the kernel running your notebook died "
                              f"({self.session.gave_up or 'it could not be restarted'}), so "
                              f"`{name}` could not be checked", "dead")
        self.counter += 1
        n = self.counter
        request = {"op": op, "name": name, **extra}
        written = []
        try:
            if op == "call":
                try:
                    tree, written = probe.encode((tuple(args), dict(kwargs or {})),
                                                 self.folder_fd, f"arg-{n}")
                except probe.Unserializable as exc:  # a check passing an unsupported value
                    raise TypeError(f"a check argument cannot be sent to the kernel: "
                                    f"{exc}") from None
                request.update(args=tree["v"][0], kwargs=tree["v"][1], files=list(written))
            probe.write_message(self.folder_fd, f"req-{n}.json", request)
            written.append(f"req-{n}.json")
            code = (f"__import__('wvlib.grading.probe', fromlist=['serve'])"
                    f".serve({str(self.folder)!r}, '{n}')")
            limit = min(self.call_timeout, self.session.deadline - time.monotonic())
            if limit <= 0:
                raise KernelError("the time allowed for checking this notebook ran out before "
                                  f"`{name}` could be checked", "timeout")
            ex = kernel.execute(code, limit, silent=True)
            if ex.status == "timeout":
                raise KernelError(f"calling `{name}` did not finish within "
                                  f"{self.call_timeout:g} s (the time limit)" if op == "call"
                                  else f"asking for `{name}` took longer than "
                                       f"{self.call_timeout:g} s", "timeout")
            if ex.status == "dead" or not kernel.alive:
                raise KernelError(f"the kernel running your notebook died while `{name}` was "
                                  f"being {'called' if op == 'call' else 'read'}", "dead")
            try:
                answer = probe.read_message(self.folder_fd, f"res-{n}.json")
            except probe.ProtocolError as exc:
                what = f" ({ex.ename}: {ex.evalue[:200]})" if ex.status == "error" else ""
                raise KernelError(f"your kernel did not answer the grader's question about "
                                  f"`{name}`{what}; did the notebook replace parts of Python, "
                                  f"NumPy or wvlib? ({exc})", "unserializable") from None
            return self._interpret(answer, op, name, n)
        finally:
            self._clean(n, written)

    def _interpret(self, answer: dict, op: str, name: str, n: int):
        status = answer.get("status")
        if status == "ok":
            files = answer.get("files", [])
            if not isinstance(files, list) or not all(
                    isinstance(f, str) and f.startswith(f"res-{n}-") for f in files):
                raise KernelError(f"the answer about `{name}` is malformed", "unserializable")
            try:
                return probe.decode(answer.get("value"), self.folder_fd, files)
            except probe.ProtocolError as exc:
                raise KernelError(f"the value of `{name}` could not be read back from your "
                                  f"kernel: {exc}", "unserializable") from None
        if status == "undefined":
            raise undefined_error(name)
        if status == "not-callable":
            raise not_callable_error(name, _short(answer.get('type'), 100))
        if status == "not-implemented":
            raise not_implemented_error(name)
        if status == "raised":
            where = answer.get("where")
            suffix = ""
            if (isinstance(where, list) and len(where) == 2 and isinstance(where[0], str)
                    and type(where[1]) is int):
                suffix = f" (in {where[0][:100]}, line {where[1]})"
            raise raised_error(name, _short(answer.get('type'), 100),
                               _short(answer.get('message'), probe.MAX_MESSAGE_CHARS), suffix)
        if status == "interrupted":
            raise KernelError(f"calling `{name}` did not finish within {self.call_timeout:g} s "
                              f"(the time limit)", "timeout")
        if status == "unserializable":
            raise KernelError(f"the value of `{name}` cannot be sent back from your kernel as "
                              f"plain data: it is "
                              f"{_short(answer.get('message'), probe.MAX_MESSAGE_CHARS)}",
                              "unserializable")
        raise KernelError(f"the grader's question about `{name}` failed in your kernel: "
                          f"{_short(answer.get('message'), 300)}", "unserializable")

    def _clean(self, n: int, names) -> None:
        """Delete the request's and the answer's files."""
        for entry in list(names) + [f"res-{n}.json"]:
            try:
                os.unlink(entry, dir_fd=self.folder_fd)
            except OSError:
                pass
        for entry in os.listdir(self.folder_fd):
            if entry.startswith(f"res-{n}-"):
                try:
                    os.unlink(entry, dir_fd=self.folder_fd)
                except OSError:
                    pass


def _short(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else "?"
