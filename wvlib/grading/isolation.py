"""What keeps one submission from touching another's processes and files: its own host user,
and the launcher that starts every kernel in its group, under its limits, as that user.

**Its own unprivileged host user.** A grader running as root leases one user id per job
(:func:`lease_uid`, from ``WVLIB_GRADER_UID_BASE``, default 1,900,000,000: ids no account
uses, held with a lock file so that two batches on one machine never share one). The kernel
runs as that uid on the host — bubblewrap itself is started as that uid, so the sandbox's user
is that uid outside, never root — so the kernel cannot read root's files and per-user limits
(``RLIMIT_NPROC``) count its processes alone. When the uid's job ends, every process of that
uid is killed with one ``kill(-1, SIGKILL)`` sent *as* that uid (atomic against fork bombs).

The other two parts of the isolation are :mod:`wvlib.grading.groups` (the kernel's processes
counted, limited and killed together: cgroup v2, v1, or the user) and
:mod:`wvlib.grading.scratch` (writable folders that cannot fill the disk). Whatever the
group, a cell's CPU time is what the submission's processes used (so a neighbour's load
cannot time out an honest cell), processes a cell leaves behind are killed when it ends, and
all of them when the kernel stops.

:data:`LAUNCHER` is the small program that starts every kernel: as root it joins the group,
makes the Python installation reachable for the kernel's uid (a private mount namespace),
sets the resource limits, becomes the uid, asks to die with the grader, and executes
bubblewrap (or the kernel itself).
"""
from __future__ import annotations

import fcntl
import json
import os
import signal
import stat
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

#: First of the user ids leased to kernels, and how many may be tried.
UID_BASE = int(os.environ.get("WVLIB_GRADER_UID_BASE", "1900000000"))
UID_COUNT = 512
#: Where the uid locks live (the first usable one: a folder of root's, private).
LOCK_FOLDERS = ("/run/wvlib-grader", os.path.join(tempfile.gettempdir(), "wvlib-grader-0"))


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# --------------------------------------------------------------------------------------------
# Host users
# --------------------------------------------------------------------------------------------
@dataclass
class UidLease:
    """A user id held by this process (until :meth:`release`) for one job's kernels."""
    uid: int
    fd: int

    def release(self) -> None:
        if self.fd >= 0:
            kill_uid(self.uid)
            os.close(self.fd)
            self.fd = -1


def _lock_folder() -> Path | None:
    """A folder only root can write, for the uid locks (None: no safe place)."""
    for candidate in LOCK_FOLDERS:
        try:
            os.makedirs(candidate, mode=0o700, exist_ok=True)
            info = os.lstat(candidate)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == 0 and not info.st_mode & 0o077:
            return Path(candidate)
    return None


def _uid_has_account(uid: int) -> bool:
    import pwd
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


def lease_uid() -> UidLease | None:
    """Lease an unused user id (root only; None otherwise). Leftover processes of a previous
    holder of that id are killed first."""
    if not is_root():
        return None
    folder = _lock_folder()
    if folder is None:
        return None
    for uid in range(UID_BASE, UID_BASE + UID_COUNT):
        if _uid_has_account(uid):
            continue
        try:
            fd = os.open(folder / f"uid-{uid}.lock",
                         os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        kill_uid(uid)
        return UidLease(uid, fd)
    raise RuntimeError(f"no free user id for a kernel in {UID_BASE}..{UID_BASE + UID_COUNT}")


def uid_pids(uid: int) -> list[int]:
    """Live processes (zombies aside) whose real, effective or saved user id is ``uid`` (read
    from ``/proc``: a process cannot hide from this by making itself non-dumpable)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"State:") and line.split()[1] in (b"Z", b"X"):
                        break
                    if line.startswith(b"Uid:"):
                        if uid in [int(x) for x in line.split()[1:4]]:
                            found.append(int(entry.name))
                        break
        except (OSError, ValueError, IndexError):
            continue
    return found


def kill_uid(uid: int, rounds: int = 5) -> bool:
    """SIGKILL every process of ``uid``: ``kill(-1, SIGKILL)`` sent by a child process that
    becomes ``uid`` (the kernel delivers it to all of them at once, so a fork bomb cannot
    outrun it). True when none is left."""
    for _ in range(rounds):
        if not uid_pids(uid):
            return True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:   # pragma: no cover - the child
            try:
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)
            except BaseException:  # noqa: BLE001
                pass
            os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.02)
    return not uid_pids(uid)


# --------------------------------------------------------------------------------------------
# The launcher: from the grader's process to the kernel
# --------------------------------------------------------------------------------------------
LAUNCHER = r"""
import ctypes, json, os, resource, sys
spec = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
def fail(message):
    os.write(2, ("wvlib launcher: " + message + "\n").encode())
    os._exit(121)
for path in spec["join"]:
    try:
        with open(path, "w") as f:
            f.write(str(os.getpid()))
    except OSError as exc:
        fail("cannot join %s: %s" % (path, exc.strerror))
if spec["reach"] and libc.unshare(0x00020000) == 0 and \
        libc.mount(None, b"/", None, 0x4000 | 0x40000, None) == 0:
    for ancestor, paths in spec["reach"]:
        fds = {}
        for p, readonly in paths:
            try:
                fds[p] = (os.open(p, os.O_PATH | os.O_DIRECTORY), readonly)
            except OSError:
                pass
        if libc.mount(b"tmpfs", ancestor.encode(), b"tmpfs", 2 | 4,
                      b"mode=0755,size=1m") != 0:
            continue
        for p, (fd, readonly) in fds.items():
            try:
                os.makedirs(p, exist_ok=True)
            except OSError:
                continue
            libc.mount(("/proc/self/fd/%d" % fd).encode(), p.encode(), None, 4096 | 0x4000,
                       None)
            if readonly:
                libc.mount(None, p.encode(), None, 4096 | 32 | 1 | 0x4000, None)
            os.close(fd)
for name, value in spec["rlimits"]:
    resource.setrlimit(getattr(resource, name), (value, value))
uid = spec["uid"]
if uid is not None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
libc.prctl(1, 9)
if os.getppid() != spec["parent"]:
    os._exit(122)
os.execv(spec["argv"][0], spec["argv"])
"""


def unreachable(paths, uid: int | None, writable=()) -> list:
    """For a kernel running as ``uid``: the folders on the way to ``paths`` (read-only) and
    ``writable`` that only their owner may enter (``/root`` holding a pyenv Python, a private
    temporary folder), each with the paths below it that must stay reachable, as
    ``[ancestor, [[path, read_only], ...]]``. The launcher mounts a small tmpfs over each
    such folder in a mount namespace of its own and binds those paths back."""
    if uid is None:
        return []
    out: dict[str, dict] = {}
    wanted = {os.path.abspath(p): True for p in paths}
    wanted.update({os.path.abspath(p): False for p in writable})
    for path, readonly in sorted(wanted.items()):
        parts = Path(path).parts
        for i in range(2, len(parts)):
            ancestor = str(Path(*parts[:i]))
            try:
                info = os.stat(ancestor)
            except OSError:
                break
            if info.st_uid != uid and not info.st_mode & 0o001:
                out.setdefault(ancestor, {})[path] = readonly
                break
    # a path inside another kept path needs no bind of its own
    return [[a, [[p, ro] for p, ro in sorted(kept.items())
                 if not any(q != p and p.startswith(q + os.sep) for q in kept)]]
            for a, kept in sorted(out.items())]


def launcher_command(argv: list[str], *, group, uid: int | None,
                     rlimits: list, reach=()) -> list[str]:
    """The command that starts ``argv`` (bubblewrap, or the kernel) in ``group``, as ``uid``,
    under ``rlimits`` (``[("RLIMIT_AS", bytes), ...]``)."""
    spec = {"join": group.join_files() if group is not None else [], "uid": uid,
            "rlimits": [list(r) for r in rlimits], "reach": [list(r) for r in reach],
            "parent": os.getpid(), "argv": list(argv)}
    return [sys.executable, "-S", "-c", LAUNCHER, json.dumps(spec)]
