"""A kernel's group of processes: a cgroup (v2 or v1), or its host user.

One group per kernel, the first of these the machine offers (``WVLIB_GRADER_CGROUPS`` =
``auto`` | ``v2`` | ``v1`` | ``none`` forces one, for tests):

* ``v2`` — a cgroup in the unified hierarchy: ``memory.max`` for all its processes and their
  tmpfs files together, ``pids.max``, ``cpu.max`` (one CPU by default), CPU time from
  ``cpu.stat``, and ``cgroup.kill`` to end them all at once. Chosen automatically when the
  memory and pids controllers can be delegated to a new cgroup (as root on most systemd
  machines and CI runners).
* ``v1`` — the same with the legacy hierarchies (``memory``, ``pids``, ``cpu``, ``cpuacct``,
  ``freezer``): freeze, kill, thaw.
* ``none`` — no cgroup: the kernel's leased host user is the group
  (:mod:`wvlib.grading.isolation`). ``RLIMIT_NPROC`` bounds its processes, ``RLIMIT_AS``
  each one's memory, and the grader's watchdog (:meth:`Group.over_memory`, polled while any
  code of the submission runs) kills the group when the proportional set size of all its
  processes together passes the limit; CPU time is summed from ``/proc``.

A forced mode whose controllers are missing (``v2`` on a hybrid machine whose unified
hierarchy has no memory controller) still gives the group, its CPU time and its kill; the
limits it lacks fall back on those of ``none``.
"""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from .isolation import is_root, kill_uid, uid_pids

CGROUP_MODES = ("auto", "v2", "v1", "none")
_V1_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct", "freezer")
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# --------------------------------------------------------------------------------------------
# cgroups
# --------------------------------------------------------------------------------------------
def _cgroup_mounts() -> tuple[str | None, dict[str, str]]:
    """The cgroup v2 mount point and the v1 mount point of each controller (from this
    process's mountinfo, adjusted for the mounts' roots and this process's cgroups)."""
    own = {}
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for c in (controllers.split(",") if controllers else [""]):
                own[c] = path
    except OSError:
        return None, {}
    v2, v1 = None, {}
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None, {}
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        root, point, fstype, options = fields[3], fields[4], tail[0], tail[2].split(",")
        if fstype == "cgroup2" and "" in own:
            v2 = _join(point, root, own[""])
        elif fstype == "cgroup":
            for c in _V1_CONTROLLERS:
                if c in options and c in own:
                    v1[c] = _join(point, root, own[c])
    return v2, v1


def _join(point: str, root: str, path: str) -> str:
    """Where the cgroup ``path`` (relative to the hierarchy's root) is, given a mount of that
    hierarchy at ``point`` showing its subtree ``root``."""
    rel = os.path.relpath(path, root) if path.startswith(root) else "."
    return os.path.normpath(os.path.join(point, rel))


def _write(path, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _read(path) -> str:
    with open(path) as f:
        return f.read()


@dataclass
class Cgroups:
    """The cgroup folders of one batch (``mode`` "v2", "v1" or "none"): ``dirs`` maps
    ``"unified"`` (v2) or each v1 controller to a folder that kernels' groups are made in.
    ``features`` lists what is enforced there: ``memory``, ``pids``, ``cpu``, ``cpuacct``,
    ``freezer``/``freeze``, ``kill``."""
    mode: str = "none"
    dirs: dict = field(default_factory=dict)
    features: list = field(default_factory=list)
    reason: str = ""

    def to_data(self) -> dict:
        return {"mode": self.mode, "dirs": self.dirs, "features": self.features,
                "reason": self.reason}

    @classmethod
    def from_data(cls, data) -> "Cgroups":
        return cls(**data) if data else cls()

    def describe(self) -> str:
        if self.mode == "none":
            return f"no cgroup ({self.reason or 'none requested'}): per-user limits"
        return f"cgroup {self.mode} ({', '.join(self.features)})"

    def close(self) -> None:
        """Kill every process left in the batch's groups and remove the folders."""
        for key, folder in self._in_kill_order():
            _remove_cgroup_tree(Path(folder), self.mode, key)
        self.dirs = {}

    def _in_kill_order(self) -> list:
        """The folders, the one that can freeze (or kill) its groups first."""
        return sorted(self.dirs.items(), key=lambda kv: kv[0] not in ("unified", "freezer"))

    def share(self, jobs: int) -> None:
        """Give the batch's folder the CPU weight of ``jobs`` ordinary processes: the kernels
        in it must not share, together, the weight of one process against the machine's
        other work (a cgroup competes as one entity with its siblings)."""
        for key, file, value in (("cpu", "cpu.shares", 1024 * jobs),
                                 ("unified", "cpu.weight", min(100 * jobs, 10000))):
            path = Path(self.dirs.get(key, "/nonexistent")) / file
            if path.exists():
                try:
                    _write(path, str(value))
                except OSError:
                    pass

    def close_groups(self, prefix: str) -> None:
        """Kill and remove the groups whose names start with ``prefix`` (one job's, after its
        worker was killed)."""
        for key, folder in self._in_kill_order():
            for child in sorted(Path(folder).glob(f"{prefix}*")):
                if child.is_dir():
                    Group(self.mode, {key: str(child)}, features=self.features).close()

    def group_dirs(self, name: str) -> dict:
        return {k: str(Path(v) / name) for k, v in self.dirs.items()}


def make_cgroups(requested: str | None = None, tag: str = "") -> Cgroups:
    """The batch's cgroup folders, by ``requested`` mode (default ``WVLIB_GRADER_CGROUPS``,
    else ``auto``: v2 if its memory and pids controllers can be had, else v1, else none)."""
    requested = requested or os.environ.get("WVLIB_GRADER_CGROUPS", "auto")
    if requested not in CGROUP_MODES:
        raise ValueError(f"WVLIB_GRADER_CGROUPS must be one of {CGROUP_MODES}, got "
                         f"{requested!r}")
    if requested == "none":
        return Cgroups("none", reason="turned off (WVLIB_GRADER_CGROUPS=none)")
    if not is_root():
        return Cgroups("none", reason="the grader is not root")
    name = f"wvlib-grade-{os.getpid()}-{tag or os.urandom(3).hex()}"
    v2_mount, v1_mounts = _cgroup_mounts()
    problems = []
    if requested in ("auto", "v2") and v2_mount:
        made = _make_v2(v2_mount, name, strict=requested == "auto")
        if isinstance(made, Cgroups):
            return made
        problems.append(f"v2: {made}")
    if requested in ("auto", "v1") and v1_mounts:
        made = _make_v1(v1_mounts, name, strict=requested == "auto")
        if isinstance(made, Cgroups):
            return made
        problems.append(f"v1: {made}")
    if requested != "auto":
        raise RuntimeError(f"cgroup {requested} was asked for but cannot be used: "
                           f"{'; '.join(problems) or 'not mounted'}")
    return Cgroups("none", reason="; ".join(problems) or "no cgroup hierarchy is mounted")


def _make_v2(own: str, name: str, strict: bool):
    """A v2 folder for the batch under this process's cgroup or the hierarchy's root (where
    the controllers the parent already delegates reach it), delegating them to its
    children."""
    candidates = [own]
    root = own
    while os.path.ismount(root) is False and root != "/":
        root = os.path.dirname(root)
    if root not in candidates:
        candidates.append(root)
    last = "no writable cgroup"
    for parent in candidates:
        folder = Path(parent) / name
        try:       # the parent's delegation is used as it is (never changed for the system)
            folder.mkdir()
        except OSError as exc:
            last = f"{parent}: {exc.strerror}"
            continue
        have = _read(folder / "cgroup.controllers").split()
        for c in have:
            try:
                _write(folder / "cgroup.subtree_control", f"+{c}")
            except OSError:
                pass
        features = [c for c in ("memory", "pids", "cpu") if c in have]
        features += [f for f, file in (("kill", "cgroup.kill"), ("freeze", "cgroup.freeze"))
                     if (folder / file).exists()]
        if strict and not {"memory", "pids"} <= set(features):
            folder.rmdir()
            last = f"{parent}: the memory and pids controllers cannot be delegated"
            continue
        return Cgroups("v2", {"unified": str(folder)}, features)
    return last


def _make_v1(mounts: dict, name: str, strict: bool):
    if strict and not {"memory", "pids"} <= set(mounts):
        return "the memory or pids hierarchy is not mounted"
    dirs = {}
    for controller, parent in sorted(mounts.items()):
        folder = Path(parent) / name
        try:
            folder.mkdir()
        except OSError as exc:
            if strict and controller in ("memory", "pids"):
                for made in dirs.values():
                    os.rmdir(made)
                return f"{parent}: {exc.strerror}"
            continue
        dirs[controller] = str(folder)
    if not dirs:
        return "no controller folder could be made"
    return Cgroups("v1", dirs, sorted(dirs))


def _remove_cgroup_tree(folder: Path, mode: str, key: str) -> None:
    """Kill and remove every group below ``folder`` (the batch's folder for the controller
    ``key``), then ``folder``."""
    if not folder.is_dir():
        return
    for child in sorted(p for p in folder.iterdir() if p.is_dir()):
        Group(mode, {key: str(child)}, features=["kill", "freeze"]).close()
    for _ in range(50):
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)


# --------------------------------------------------------------------------------------------
# One kernel's group of processes
# --------------------------------------------------------------------------------------------
@dataclass
class Resources:
    """What a submission may use in all: memory (MiB, processes and tmpfs files together),
    tasks (processes and threads) and CPUs."""
    memory_mb: int = 4096
    tasks: int = 512
    cpus: float = 1.0


class Group:
    """The processes of one kernel: a cgroup (``mode`` "v2"/"v1") or, with ``mode`` "none",
    every process of the leased ``uid`` (or, without one, the kernel's process tree)."""

    def __init__(self, mode: str, dirs: dict, *, uid: int | None = None, features=(),
                 resources: Resources | None = None):
        self.mode, self.dirs, self.uid = mode, dict(dirs), uid
        self.features = set(features)
        self.resources = resources or Resources()
        self.root_pid: int | None = None
        #: the descendants of ``root_pid`` are exactly the group (a sandbox's own process
        #: namespace, whose orphans its first process adopts): read them cheaply
        self.contained = False
        self._cpu_seen: dict = {}        # (pid, start time) -> CPU seconds (mode none)
        self._closed = False

    @classmethod
    def create(cls, cgroups: Cgroups, name: str, *, uid: int | None,
               resources: Resources) -> "Group":
        """A fresh group ``name`` in the batch's cgroups, with the limits written."""
        if cgroups.mode == "none":
            return cls("none", {}, uid=uid, resources=resources)
        dirs = cgroups.group_dirs(name)
        for folder in dirs.values():
            os.makedirs(folder, exist_ok=True)
        group = cls(cgroups.mode, dirs, uid=uid, features=cgroups.features,
                    resources=resources)
        group._set_limits()
        return group

    # -- limits ---------------------------------------------------------------------------------
    def _set_limits(self) -> None:
        r = self.resources
        memory, quota = r.memory_mb * 2**20, int(r.cpus * 100_000)
        if self.mode == "v2":
            d = Path(self.dirs["unified"])
            for file, value in (("memory.max", memory), ("memory.swap.max", 0),
                                ("pids.max", r.tasks), ("cpu.max", f"{quota} 100000")):
                if (d / file).exists():
                    _write(d / file, str(value))
        elif self.mode == "v1":
            for controller, file, value in (
                    ("memory", "memory.limit_in_bytes", memory),
                    ("memory", "memory.memsw.limit_in_bytes", memory),
                    ("pids", "pids.max", r.tasks),
                    ("cpu", "cpu.cfs_period_us", 100_000),
                    ("cpu", "cpu.cfs_quota_us", quota)):
                path = Path(self.dirs.get(controller, "/nonexistent")) / file
                if path.exists():
                    try:
                        _write(path, str(value))
                    except OSError:
                        if file != "memory.memsw.limit_in_bytes":  # no swap accounting
                            raise

    @property
    def enforces_memory(self) -> bool:
        return ("memory" in self.features and
                ("unified" in self.dirs or "memory" in self.dirs))

    def join_files(self) -> list[str]:
        """The files the launcher writes its pid into (empty without cgroups)."""
        return [str(Path(d) / "cgroup.procs") for d in self.dirs.values()]

    # -- reading --------------------------------------------------------------------------------
    def _procs_file(self) -> Path | None:
        for key in ("unified", "pids", "memory", "freezer", "cpuacct", "cpu"):
            if key in self.dirs:
                return Path(self.dirs[key]) / "cgroup.procs"
        return None

    def pids(self) -> set[int]:
        """The processes of the group now."""
        procs = self._procs_file()
        if procs is not None:
            try:
                return {int(x) for x in _read(procs).split()}
            except OSError:
                return set()
        if self.contained and self.root_pid:
            found = _descendants(self.root_pid)
            if found is not None:
                return found
        if self.uid is not None:
            return set(uid_pids(self.uid))
        return _tree(self.root_pid) if self.root_pid else set()

    def cpu_seconds(self) -> float:
        """CPU time used by the group's processes so far (never decreases)."""
        if "unified" in self.dirs:
            try:
                for line in _read(Path(self.dirs["unified"]) / "cpu.stat").splitlines():
                    if line.startswith("usage_usec"):
                        return int(line.split()[1]) / 1e6
            except (OSError, ValueError):
                pass
        if "cpuacct" in self.dirs:
            try:
                return int(_read(Path(self.dirs["cpuacct"]) / "cpuacct.usage")) / 1e9
            except (OSError, ValueError):
                pass
        for pid in self.pids():
            used = _proc_cpu(pid)
            if used is not None:
                key, seconds = used
                self._cpu_seen[key] = max(self._cpu_seen.get(key, 0.0), seconds)
        return sum(self._cpu_seen.values())

    def memory_bytes(self) -> int:
        """Memory of the group's processes now (proportional set sizes, mode "none")."""
        return sum(_proc_memory(pid) for pid in self.pids())

    def over_memory(self) -> bool:
        """Whether a group whose memory no cgroup limits has passed its limit (the watchdog);
        always False where the kernel enforces it."""
        if self.enforces_memory:
            return False
        return self.memory_bytes() > self.resources.memory_mb * 2**20

    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer ended in this group."""
        for path, key in ((Path(self.dirs.get("unified", "/x")) / "memory.events", "oom_kill"),
                          (Path(self.dirs.get("memory", "/x")) / "memory.oom_control",
                           "oom_kill")):
            try:
                for line in _read(path).splitlines():
                    if line.split()[0] == key:
                        return int(line.split()[1])
            except (OSError, ValueError, IndexError):
                continue
        return 0

    # -- killing --------------------------------------------------------------------------------
    def _freeze(self, frozen: bool) -> bool:
        if "unified" in self.dirs and "freeze" in self.features:
            folder = Path(self.dirs["unified"])
            try:
                _write(folder / "cgroup.freeze", "1" if frozen else "0")
            except OSError:
                return False
            for _ in range(100):
                if not frozen or "frozen 1" in _read(folder / "cgroup.events"):
                    return True
                time.sleep(0.01)
            return True
        if "freezer" in self.dirs:
            state = Path(self.dirs["freezer"]) / "freezer.state"
            try:
                _write(state, "FROZEN" if frozen else "THAWED")
                for _ in range(100):
                    if not frozen or _read(state).strip() == "FROZEN":
                        return True
                    time.sleep(0.01)
            except OSError:
                return False
            return True
        return False

    def kill_others(self, keep) -> int:
        """Kill the group's processes that are not in ``keep`` (what a cell left running) and
        wait until they are gone; returns how many were killed. Frozen meanwhile when the group
        can be frozen."""
        keep, killed = set(keep), set()
        if not self.pids() - keep:      # the usual case: nothing left behind, nothing to do
            return 0
        frozen = self._freeze(True) if self.mode != "none" else False
        try:
            for _ in range(20):
                others = self.pids() - keep - killed
                if not others:
                    break
                for pid in others:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        killed.add(pid)
                    except OSError:
                        pass
        finally:
            if frozen:
                self._freeze(False)
        for _ in range(100):            # until they are gone (reaped), at most 2 s
            if not any(os.path.exists(f"/proc/{pid}") for pid in killed):
                break
            time.sleep(0.02)
        return len(killed)

    def kill_all(self) -> None:
        """Kill every process of the group and wait until they are gone (a few seconds at
        most)."""
        if "unified" in self.dirs and "kill" in self.features:
            try:
                _write(Path(self.dirs["unified"]) / "cgroup.kill", "1")
            except OSError:
                pass
        elif self.mode == "none" and self.uid is not None:
            kill_uid(self.uid)
        frozen = self._freeze(True) if self.mode != "none" else False
        for _ in range(200):
            left = self.pids()
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if frozen:
                self._freeze(False)
                frozen = False
            time.sleep(0.02)
        if frozen:
            self._freeze(False)

    def close(self) -> None:
        """Kill everything and remove the group's folders."""
        if self._closed:
            return
        self._closed = True
        self.kill_all()
        for folder in self.dirs.values():
            for _ in range(100):
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:   # busy until the last task is reaped
                    time.sleep(0.02)


def _descendants(root: int) -> set[int] | None:
    """``root`` and its descendants, read from the ``children`` files of their threads (only
    the tree is read, not all of ``/proc``); None where the kernel has no such files."""
    found, frontier = set(), [root]
    while frontier:
        pid = frontier.pop()
        if pid in found:
            continue
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        found.add(pid)
        for tid in tasks:
            try:
                frontier += [int(x) for x in _read(f"/proc/{pid}/task/{tid}/children").split()]
            except FileNotFoundError:
                if pid == root and tid == str(root):
                    return None     # no CONFIG_PROC_CHILDREN: read all of /proc instead
            except (OSError, ValueError):
                continue
    return found


def _tree(root: int) -> set[int]:
    """``root`` and its descendants (by parent pid, read from ``/proc``)."""
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = _read(f"/proc/{entry.name}/stat").rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = set(), {root} if root in parents else set()
    while frontier:
        found |= frontier
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
    return found


def _proc_cpu(pid: int):
    """((pid, start time), CPU seconds of the process and its reaped children) or None."""
    try:
        fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()
        ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
        return (pid, int(fields[19])), ticks / _CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


def _proc_memory(pid: int) -> int:
    """Proportional set size of a process in bytes (its resident size when unknown)."""
    for file, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{file}", "rb") as f:
                for line in f:
                    if line.startswith(key.encode()):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue
    return 0
