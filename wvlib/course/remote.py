"""A student's notebook running in a kernel of its own, seen from the grader.

Three layers, from the bottom up:

:class:`KernelProcess`
    one IPython kernel, started (in the sandbox of :mod:`wvlib.course.sandbox`) with a connection
    file that uses ZeroMQ's ``ipc`` transport — Unix sockets in the submission's ``ipc`` folder,
    the only folder the grader and the sandbox share, since the sandbox has no network, not even
    loopback. :meth:`KernelProcess.execute` runs code with a time limit: on time-out it asks the
    kernel to interrupt itself (an ``interrupt_request`` on the control channel), and kills it if
    it does not stop. Output is kept up to a cap; larger ZeroMQ messages are refused outright.

:class:`NotebookSession`
    executes a notebook's code cells in order, errors allowed, with a per-cell and a
    whole-notebook time limit. When the kernel dies (``os._exit``, ``kill -9``, ``exit()``) or
    hangs beyond rescue, the session starts a new kernel and replays the cells that behaved,
    leaving out the culprits — so one hostile cell cannot cost the points of the others. It
    gives up after a few kernel starts.

:class:`RemoteKernel`
    the kernel proxy the checks use (same interface and error messages as
    :class:`wvlib.course.checks.LocalKernel`): each ``k.call`` / ``k.get`` / ``k.has`` becomes a
    plain-data request answered by :func:`wvlib.course.probe.serve` inside the kernel, under a
    time limit, and the answer is rebuilt and checked in the grader's process.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import zmq
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from . import probe
from .checks import KernelError, not_callable_error, not_implemented_error, raised_error, \
    undefined_error
from .sandbox import Sandbox, Scratch, kernel_environment, kill_process_group

#: Largest ZeroMQ message accepted from a kernel on the output channel (bigger: dropped) and on
#: the reply channel (bigger: the request is treated as hung).
MAX_IOPUB_MESSAGE = 8 * 2**20
MAX_SHELL_MESSAGE = 64 * 2**20
#: Output kept per cell and per notebook (the rest is counted, not stored).
MAX_CELL_OUTPUT = 200_000
MAX_NOTEBOOK_OUTPUT = 2_000_000
#: How long an interrupted kernel may take to stop before it is killed, in seconds.
INTERRUPT_GRACE = 5.0
#: How many times a notebook's kernel may be started (the first start included).
MAX_KERNEL_STARTS = 4


class _Client(BlockingKernelClient):
    """A kernel client whose sockets refuse oversized messages and never block on send."""

    def _create_connected_socket(self, channel, identity=None):
        socket = self.context.socket({"iopub": zmq.SUB, "hb": zmq.REQ}.get(channel, zmq.DEALER))
        socket.linger = 0
        if identity:
            socket.identity = identity
        if channel == "iopub":
            socket.setsockopt(zmq.MAXMSGSIZE, MAX_IOPUB_MESSAGE)
            socket.setsockopt(zmq.RCVHWM, 200)
        elif channel in ("shell", "control"):
            socket.setsockopt(zmq.MAXMSGSIZE, MAX_SHELL_MESSAGE)
            socket.setsockopt(zmq.SNDTIMEO, 5000)
        socket.connect(self._make_url(channel))
        return socket


class KernelStartError(RuntimeError):
    """The kernel process did not start or did not answer in time."""


@dataclass
class Execution:
    """What happened when a piece of code ran in the kernel.

    ``status`` is ``"ok"``, ``"error"`` (it raised), ``"timeout"`` (interrupted, or killed if
    it would not stop) or ``"dead"`` (the kernel died or stopped answering).
    """
    status: str
    ename: str = ""
    evalue: str = ""
    traceback: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    output_chars: int = 0
    truncated: bool = False
    duration: float = 0.0
    idle: bool = False


class KernelProcess:
    """One IPython kernel for one notebook, in its scratch folder (see module docstring)."""

    def __init__(self, scratch: Scratch, sandbox: Sandbox, blocked_modules=()):
        self.scratch, self.sandbox = scratch, sandbox
        self.blocked_modules = tuple(blocked_modules)
        self.process = None
        self.client = None
        self._stderr = bytearray()
        self.output_budget = MAX_NOTEBOOK_OUTPUT
        self.output_lost = False    # the output channel dropped an oversized message
        self.reply_lost = False     # the reply channel closed
        self.reply_too_large = False  # ... because a reply was too large
        self._monitor = None
        self._killed = False

    # -- life cycle -----------------------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> None:
        """Start the kernel and wait until it answers (raises :class:`KernelStartError`)."""
        for leftover in self.scratch.ipc.glob("kernel-*"):
            leftover.unlink(missing_ok=True)
        tag = secrets.token_hex(4)
        connection_file, _ = write_connection_file(
            str(self.scratch.ipc / f"kernel-{tag}.json"), transport="ipc",
            ip=str(self.scratch.ipc / f"kernel-{tag}"), key=secrets.token_hex(16).encode())
        self.scratch.give(Path(connection_file), self.sandbox.run_as)
        env = kernel_environment(self.scratch)
        argv = ["python", "-m", "ipykernel_launcher", "-f", connection_file,
                "--HistoryManager.enabled=False", "--IPKernelApp.capture_fd_output=False"]
        command = self.sandbox.command(argv, self.scratch, env, self.blocked_modules)
        self.process = subprocess.Popen(
            command, env=env if not self.sandbox.enabled else {"PATH": env["PATH"]},
            cwd=self.scratch.work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
            **self.sandbox.popen_user())
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.client = _Client(connection_file=connection_file, context=zmq.Context.instance())
        self.client.load_connection_file()
        self.client.start_channels()
        # the reply channel disconnects on an oversized reply: watch for it, not to wait in vain
        self._monitor = self.client.shell_channel.socket.get_monitor_socket(
            zmq.EVENT_DISCONNECTED, addr=f"inproc://wvlib-monitor-{secrets.token_hex(8)}")
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive:
                raise KernelStartError(f"the kernel exited during start-up: "
                                       f"{self.stderr_tail or 'no message'}")
            if time.monotonic() > deadline:
                self.kill()
                raise KernelStartError(f"the kernel did not answer within {timeout:g} s")
            try:
                msg_id = self.client.kernel_info()
            except zmq.ZMQError:
                time.sleep(0.2)
                continue
            if self._wait_reply(msg_id, time.monotonic() + 1.0) is not None:
                break
        # take pristine references before any learner code runs (see wvlib.course.probe)
        self.execute("__import__('wvlib.course.probe')", timeout=60, silent=True)

    def _drain_stderr(self) -> None:
        """Keep the last 8 kB of the kernel's own stdout/stderr (where a fatal error shows)."""
        stream = self.process.stdout
        while True:
            chunk = stream.read1(4096)
            if not chunk:
                break
            self._stderr = (self._stderr + chunk)[-8192:]

    @property
    def stderr_tail(self) -> str:
        return bytes(self._stderr).decode("utf-8", "replace").strip()[-1000:]

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """Kill the kernel (and the sandbox around it) and close the connection."""
        if self.process is not None and not self._killed:
            self._killed = True
            kill_process_group(self.process)   # helpers the kernel started die with it
        if self.client is not None:
            if self._monitor is not None:
                self.client.shell_channel.socket.disable_monitor()
                self._monitor.close(linger=0)
                self._monitor = None
            self.client.stop_channels()
            self.client = None

    # -- running code ---------------------------------------------------------------------------
    def execute(self, code: str, timeout: float, *, silent: bool = False) -> Execution:
        """Run ``code`` with a time limit; collect its (capped) output unless ``silent``."""
        start = time.monotonic()
        if not self.alive or self.client is None:
            return Execution("dead")
        try:
            msg_id = self.client.execute(code, silent=silent, store_history=not silent,
                                         allow_stdin=False, stop_on_error=False)
        except zmq.ZMQError:  # the kernel stopped reading its requests
            self.kill()
            return Execution("dead")
        record = Execution("ok")
        reply = self._wait_reply(msg_id, start + timeout, record)
        if reply is None and self.reply_lost:
            # the reply channel closed: the kernel died, or its reply was larger than
            # MAX_SHELL_MESSAGE and the channel is gone — then it is stopped (and restarted
            # without this code)
            try:
                self.process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                self.reply_too_large = True
            self.kill()
            record.status = "dead"
        elif reply is None and self.alive:
            self.interrupt()
            reply = self._wait_reply(msg_id, time.monotonic() + INTERRUPT_GRACE, record)
            record.status = "timeout"
            if reply is None:
                self.kill()
        elif reply is None:
            record.status = "dead"
        if reply is not None:
            content = reply["content"]
            if record.status != "timeout" and content.get("status") != "ok":
                record.status = "error"
            record.ename = _text(content.get("ename", ""), 200)
            record.evalue = _text(content.get("evalue", ""), 2000)
            record.traceback = [_text(line, 5000) for line in content.get("traceback", [])[:50]
                                if isinstance(line, str)]
            if not silent and not record.idle and not self.output_lost:
                self._drain_iopub(msg_id, record, time.monotonic() + 0.5)
                # no "idle" after the reply: an oversized message broke the output channel
                self.output_lost = not record.idle
        record.duration = time.monotonic() - start
        return record

    def interrupt(self) -> None:
        """Ask the kernel to interrupt what it is running (SIGINT to itself)."""
        try:
            message = self.client.session.msg("interrupt_request", {})
            self.client.control_channel.send(message)
        except (zmq.ZMQError, AttributeError):
            pass

    def _wait_reply(self, msg_id, deadline, record: Execution | None = None):
        """The shell reply to ``msg_id``, or None on time-out or death; output goes to
        ``record`` meanwhile."""
        poller = zmq.Poller()
        shell, iopub = self.client.shell_channel.socket, self.client.iopub_channel.socket
        poller.register(shell, zmq.POLLIN)
        poller.register(iopub, zmq.POLLIN)
        poller.register(self._monitor, zmq.POLLIN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready = dict(poller.poll(min(remaining, 0.25) * 1000))
            if self._monitor in ready:
                self._monitor.recv_multipart()
                self.reply_lost = True
                return None
            if iopub in ready:
                self._read_iopub(msg_id, record)
            if shell in ready:
                try:
                    reply = self.client.get_shell_msg(timeout=0)
                except Exception:  # noqa: BLE001 - a malformed or unsigned message
                    reply = None
                if _valid(reply) and reply["parent_header"].get("msg_id") == msg_id:
                    return reply
            if not ready and not self.alive:
                return None

    def _drain_iopub(self, msg_id, record, deadline) -> None:
        """Read the output that may still follow the reply, until the kernel is idle."""
        while time.monotonic() < deadline and not record.idle:
            self._read_iopub(msg_id, record, wait=0.05)

    def _read_iopub(self, msg_id, record, wait: float = 0.0) -> None:
        """Read the waiting output messages into ``record`` (``record.idle`` once the request
        is finished)."""
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=wait)
            except Exception:  # noqa: BLE001 - empty queue, or a malformed message
                return
            wait = 0.0
            if record is None or not _valid(msg) or \
                    msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg.get("msg_type"), msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                record.idle = True
            elif kind in ("stream", "execute_result", "display_data", "error"):
                self._keep_output(record, kind, content)

    def _keep_output(self, record: Execution, kind: str, content: dict) -> None:
        """Store an output in nbformat's shape, within the cell's and the notebook's caps."""
        if kind == "stream":
            text = content.get("text", "")
            output = {"output_type": "stream", "name": str(content.get("name", "stdout"))[:10],
                      "text": text if isinstance(text, str) else ""}
            size = len(output["text"])
        elif kind == "error":
            output = {"output_type": "error", "ename": _text(content.get("ename", ""), 200),
                      "evalue": _text(content.get("evalue", ""), 2000),
                      "traceback": [_text(t, 5000) for t in content.get("traceback", [])[:50]
                                    if isinstance(t, str)]}
            size = len(output["evalue"]) + sum(map(len, output["traceback"]))
        else:
            data = content.get("data", {})
            data = {k: v for k, v in data.items() if k in ("text/plain", "image/png")
                    and isinstance(v, str)} if isinstance(data, dict) else {}
            output = {"output_type": kind, "data": data, "metadata": {}}
            if kind == "execute_result":
                output["execution_count"] = None
            size = sum(len(v) for v in data.values())
        record.output_chars += size
        room = min(MAX_CELL_OUTPUT - sum(_size(o) for o in record.outputs), self.output_budget)
        if size > room:
            record.truncated = True
            if kind != "stream" or room <= 0:
                return
            output["text"] = output["text"][:room]
            size = room
        self.output_budget -= size
        if kind == "stream" and record.outputs and record.outputs[-1].get("name") == \
                output["name"] and record.outputs[-1]["output_type"] == "stream":
            record.outputs[-1]["text"] += output["text"]
        else:
            record.outputs.append(output)


def _die_with_parent() -> None:
    """In the kernel's process, before it starts: die when the grader's worker dies."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, 9)   # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


def _valid(msg) -> bool:
    """Whether a message from the kernel has the shape the grader reads (anything else is
    ignored: the kernel is the learner's)."""
    return (isinstance(msg, dict) and isinstance(msg.get("parent_header"), dict)
            and isinstance(msg.get("content"), dict) and isinstance(msg.get("msg_type"), str))


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _size(output: dict) -> int:
    if output["output_type"] == "stream":
        return len(output["text"])
    if output["output_type"] == "error":
        return len(output["evalue"]) + sum(map(len, output["traceback"]))
    return sum(len(v) for v in output["data"].values())


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
        Modules absent from the kernel's sandbox (see :func:`wvlib.course.sandbox.module_view`).

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

    def inspect(self, names, modules) -> list[str]:
        """Findings of :func:`wvlib.course.probe.forbidden_references` for ``names``."""
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
            code = (f"__import__('wvlib.course.probe', fromlist=['serve'])"
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
