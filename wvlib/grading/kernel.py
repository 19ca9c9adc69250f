"""One IPython kernel process for one submission, seen from the grader.

:class:`KernelProcess` starts an IPython kernel (in the sandbox of :mod:`wvlib.grading.sandbox`)
with a connection file that uses ZeroMQ's ``ipc`` transport — Unix sockets in the submission's
``ipc`` folder, the only folder the grader and the sandbox share, since the sandbox has no
network, not even loopback. :meth:`KernelProcess.execute` runs code with a time limit: on
time-out it asks the kernel to interrupt itself (an ``interrupt_request`` on the control
channel), and kills it if it does not stop. Output is kept up to a cap; larger ZeroMQ messages
are refused outright. :mod:`wvlib.grading.remote` runs a notebook's cells and the checks'
requests on top of it.
"""
from __future__ import annotations

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
        # take pristine references before any learner code runs (see wvlib.grading.probe)
        self.execute("__import__('wvlib.grading.probe')", timeout=60, silent=True)

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
