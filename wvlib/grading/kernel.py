"""One IPython kernel process for one submission, seen from the grader.

:class:`KernelProcess` starts an IPython kernel (in the sandbox of :mod:`wvlib.grading.sandbox`)
with a connection file that uses ZeroMQ's ``ipc`` transport — Unix sockets in the submission's
``ipc`` folder, the only folder the grader and the sandbox share, since the sandbox has no
network, not even loopback. The kernel's processes form one group
(:class:`wvlib.grading.isolation.Group`: a cgroup, or the kernel's own host user).

:meth:`KernelProcess.execute` runs code with a limit on the **CPU time of the whole group**
(so a neighbour's load cannot time out an honest cell) and a more generous wall-clock cap
(:func:`wall_limit`, for code that sleeps): on time-out it asks the kernel to interrupt itself
(an ``interrupt_request`` on the control channel), and kills it if it does not stop. Where no
cgroup holds the group's memory, the same loop is the watchdog that kills the group when its
processes together pass the memory limit. When the code has run, every process it left
behind is killed (:meth:`KernelProcess.sweep`). Output is kept up to a cap; larger ZeroMQ
messages are refused outright. :mod:`wvlib.grading.remote` runs a notebook's cells and the
checks' requests on top of it.
"""
from __future__ import annotations

import re
import secrets
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import zmq
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.connect import write_connection_file

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
#: Seconds to wait, after a cell's reply, for the rest of its output (the kernel's "idle"):
#: on a loaded machine it can come well after the reply.
IDLE_GRACE = 3.0
#: Wall-clock cap of code given ``t`` seconds of CPU time: WALL_FACTOR * t + WALL_EXTRA.
WALL_FACTOR, WALL_EXTRA = 3.0, 5.0


def wall_limit(cpu_seconds: float) -> float:
    """The wall-clock cap of code allowed ``cpu_seconds`` of CPU time (for code that waits:
    a ``sleep``, a lock, a pipe)."""
    return WALL_FACTOR * cpu_seconds + WALL_EXTRA


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
    it would not stop; ``limit`` says which limit: ``"cpu"`` or ``"wall"``) or ``"dead"`` (the
    kernel died or stopped answering; ``limit`` is ``"memory"`` when the watchdog or the OOM
    killer ended it). ``leftovers`` counts the processes the code left running (killed).
    """
    status: str
    limit: str = ""
    leftovers: int = 0
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
        self.group = None           # wvlib.grading.isolation.Group of the kernel's processes
        self.baseline: set = set()  # the group's processes once the kernel is up

    # -- life cycle -----------------------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> None:
        """Start the kernel and wait until it answers (raises :class:`KernelStartError`)."""
        for leftover in self.scratch.ipc.iterdir():     # an earlier kernel's files
            if re.match(r"^(kernel-[0-9a-f]{8}\.json|k[0-9a-f]{8}-\d+)$", leftover.name) and \
                    not leftover.is_dir():
                leftover.unlink(missing_ok=True)
        tag = secrets.token_hex(4)   # short names: a Unix socket's path has 107 bytes at most
        connection_file, _ = write_connection_file(
            str(self.scratch.ipc / f"kernel-{tag}.json"), transport="ipc",
            ip=str(self.scratch.ipc / f"k{tag}"), key=secrets.token_hex(16).encode())
        self.scratch.give(Path(connection_file))
        env = kernel_environment(self.scratch)
        argv = ["python", "-m", "ipykernel_launcher", "-f", connection_file,
                "--HistoryManager.enabled=False", "--IPKernelApp.capture_fd_output=False"]
        self.group = self.sandbox.new_group()
        command = self.sandbox.command(argv, self.scratch, env, self.blocked_modules,
                                       group=self.group)
        # the launcher joins the group, sets the limits, becomes the kernel's user and asks to
        # die with this process (after the change of user, which would clear that request)
        self.process = subprocess.Popen(
            command, env=env if not self.sandbox.enabled else {"PATH": env["PATH"]},
            cwd=self.scratch.work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.group.root_pid = self.process.pid
        self.group.contained = self.sandbox.enabled   # bubblewrap: its own process namespace
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
            # the reply proves the request channel; the output channel may not have finished
            # subscribing yet (a PUB socket drops what it sends before that), and the first
            # cell's output would be lost: ready once a message of the kernel's has come
            # through it too (the status messages around kernel_info), as jupyter_client does
            if self._answers_on_both_channels(msg_id, time.monotonic() + 1.0):
                break
        # take pristine references before any learner code runs (see wvlib.grading.probe)
        self.execute("__import__('wvlib.grading.probe')", timeout=60, silent=True)
        self.baseline = self.group.pids()

    def _answers_on_both_channels(self, msg_id, deadline) -> bool:
        """Whether the reply to ``msg_id`` and some output message both arrive by
        ``deadline``."""
        poller = zmq.Poller()
        shell, iopub = self.client.shell_channel.socket, self.client.iopub_channel.socket
        poller.register(shell, zmq.POLLIN)
        poller.register(iopub, zmq.POLLIN)
        replied = heard = False
        while not (replied and heard):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.alive:
                return False
            ready = dict(poller.poll(min(remaining, 0.1) * 1000))
            if iopub in ready:
                try:
                    self.client.get_iopub_msg(timeout=0)
                    heard = True
                except Exception:  # noqa: BLE001 - a malformed message, or none after all
                    pass
            if shell in ready:
                try:
                    reply = self.client.get_shell_msg(timeout=0)
                except Exception:  # noqa: BLE001
                    reply = None
                if _valid(reply) and reply["parent_header"].get("msg_id") == msg_id:
                    replied = True
        return True

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
        """Kill the kernel, the sandbox around it and every process of its group, and close
        the connection."""
        if self.process is not None and not self._killed:
            self._killed = True
            kill_process_group(self.process)   # helpers the kernel started die with it
            if self.group is not None:
                self.group.close()             # and so does everything else it started
        if self.client is not None:
            try:
                if self._monitor is not None:
                    self.client.shell_channel.socket.disable_monitor()
                    self._monitor.close(linger=0)
                self.client.stop_channels()
            except Exception:  # noqa: BLE001 - a client that never fully connected
                pass
            self._monitor = None
            self.client = None

    # -- running code ---------------------------------------------------------------------------
    def execute(self, code: str, timeout: float, *, wall: float | None = None,
                silent: bool = False) -> Execution:
        """Run ``code`` with a limit of ``timeout`` seconds of CPU time (of all the kernel's
        processes) and ``wall`` seconds of wall-clock time (default :func:`wall_limit`);
        collect its (capped) output unless ``silent``; kill what it leaves running."""
        start = time.monotonic()
        if not self.alive or self.client is None:
            return Execution("dead")
        wall = wall_limit(timeout) if wall is None else min(wall, wall_limit(timeout))
        try:
            msg_id = self.client.execute(code, silent=silent, store_history=not silent,
                                         allow_stdin=False, stop_on_error=False)
        except zmq.ZMQError:  # the kernel stopped reading its requests
            self.kill()
            return Execution("dead")
        record = Execution("ok")
        meter = _Meter(self.group, timeout)
        ooms = self.group.oom_kills() if self.group is not None else 0
        reply = self._wait_reply(msg_id, start + wall, record, meter)
        oomed = self.group is not None and self.group.oom_kills() > ooms  # before any kill
        if reply is None and meter.over_memory:
            self.kill()
            record.status, record.limit = "dead", "memory"
        elif reply is None and self.reply_lost:
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
            record.status, record.limit = "timeout", "cpu" if meter.over_cpu else "wall"
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
                self._drain_iopub(msg_id, record, time.monotonic() + IDLE_GRACE)
                # no "idle" after the reply: an oversized message broke the output channel
                self.output_lost = not record.idle
        if oomed and not record.limit:
            record.limit = "memory"          # a process of the group was OOM-killed
        if self.group is not None and self.alive:
            record.leftovers = self.sweep()
        record.duration = time.monotonic() - start
        return record

    def sweep(self) -> int:
        """Kill every process of the group that was not there when the kernel had started
        (what a cell left running: spinners, daemons, forked children); how many."""
        if self.group is None or not self.baseline:
            return 0
        return self.group.kill_others(self.baseline)

    def interrupt(self) -> None:
        """Ask the kernel to interrupt what it is running (SIGINT to itself)."""
        try:
            message = self.client.session.msg("interrupt_request", {})
            self.client.control_channel.send(message)
        except (zmq.ZMQError, AttributeError):
            pass

    def _wait_reply(self, msg_id, deadline, record: Execution | None = None, meter=None):
        """The shell reply to ``msg_id``, or None on time-out (``deadline``, or the CPU time
        or memory of ``meter``) or death; output goes to ``record`` meanwhile."""
        poller = zmq.Poller()
        shell, iopub = self.client.shell_channel.socket, self.client.iopub_channel.socket
        poller.register(shell, zmq.POLLIN)
        poller.register(iopub, zmq.POLLIN)
        poller.register(self._monitor, zmq.POLLIN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (meter is not None and meter.exceeded()):
                return None
            ready = dict(poller.poll(min(remaining, 0.1) * 1000))
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


class _Meter:
    """CPU time and memory of a kernel's group while code runs (see :meth:`execute`), read
    every ``EVERY`` seconds, the first time ``EVERY`` after the start: quick code costs no
    reading, and those first ``EVERY`` seconds count as one CPU's worth of time."""
    EVERY = 0.1   # seconds between two readings

    def __init__(self, group, cpu_limit: float):
        self.group, self.cpu_limit = group, cpu_limit
        self.start = None
        self.over_cpu = self.over_memory = False
        self.last = time.monotonic()

    def exceeded(self) -> bool:
        now = time.monotonic()
        if self.group is None or now - self.last < self.EVERY:
            return self.over_cpu or self.over_memory
        if self.start is None:       # the group's CPU time when the code had just started
            self.start = self.group.cpu_seconds() - (now - self.last)
        self.last = now
        self.over_cpu = self.group.cpu_seconds() - self.start > self.cpu_limit
        self.over_memory = self.group.over_memory()
        return self.over_cpu or self.over_memory


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
