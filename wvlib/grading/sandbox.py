"""Where a student's kernel runs: a bubblewrap sandbox, resource limits and a clean environment.

Each submission gets a fresh kernel process started by :mod:`wvlib.grading.kernel`. This module
builds the command line that process runs under:

* **its own host user and group of processes** (:mod:`wvlib.grading.isolation`): as root, the
  kernel runs as a user id leased to its job alone — bubblewrap itself is started as that
  user, so the sandbox's user is never root outside — in a cgroup (or, without one, the user
  is the group) that limits the memory, processes and CPU of all its processes together;
* **resource limits** of each process, set by the launcher before anything of the learner's
  runs: address space (``RLIMIT_AS``, so that a huge allocation raises ``MemoryError``), the
  size of any file written (``RLIMIT_FSIZE``), no core dumps, the number of processes of the
  user (``RLIMIT_NPROC``);
* a **clean environment**: no variable of the grader's leaks in; ``HOME`` is private; NumPy's
  BLAS runs one thread; ``PYTHONHASHSEED=0`` so that set order, and with it the run, is
  reproducible;
* on Linux with `bubblewrap <https://github.com/containers/bubblewrap>`_ (``bwrap``), a
  **sandbox** built from nothing: an empty read-only root into which only the system folders
  (``/usr``, ``/etc``, the library links), the Python installation and the ``wvlib`` package
  are mounted, read-only, plus private size-limited ``/tmp``, working folder and home, and the
  one folder shared with the grader. Nothing else of the host exists inside — no home
  folders, no course repository, no solutions, no other submission, no output folder — so
  their names do not even appear in ``/proc/self/mountinfo``. All namespaces are unshared:
  no network at all (the grader talks to the kernel through Unix sockets in the shared
  folder, see :mod:`wvlib.grading.kernel`), no view of other processes; the kernel dies with
  the grader.

:func:`prepare_sandbox` runs a self-test before the sandbox is used: the kernel's Python must
start and import ``wvlib`` inside it, the secret files must be invisible, the network absent,
the user unprivileged on the host. When bubblewrap is missing or the self-test fails, grading
goes on **without** a sandbox and the grader says so loudly (see :attr:`Sandbox.reason`); a
root grader still runs the kernels as the leased user, with the same limits.
"""
from __future__ import annotations

import functools
import os
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import groups as G
from . import isolation as I
from .scratch import Scratch

#: Top-level system folders (or links to them) mounted read-only into the sandbox.
SYSTEM_FOLDERS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")
#: Files replaced by an empty file inside the sandbox (unreadable to the kernel's user
#: anyway; hidden all the same).
HIDDEN_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-",
                "/etc/security/opasswd")
#: The kernel's user inside the sandbox (outside it is the leased host user).
INSIDE_UID = 65534


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission.

    Parameters
    ----------
    memory_mb : int
        Memory of the submission, in MiB: the address space of each of its processes
        (``RLIMIT_AS``) and, where a cgroup (or the watchdog) can hold it, of all its
        processes and the files of its memory-backed folders together.
    file_mb : int
        Largest file the kernel may write, in MiB (``RLIMIT_FSIZE``).
    tmp_mb : int
        Size of each writable folder (``/tmp``, the working folder, ``HOME``, and the folder
        shared with the grader), in MiB; these are memory-backed ``tmpfs`` mounts.
    tasks : int
        Processes and threads of the submission's user (``RLIMIT_NPROC``, and the cgroup's
        ``pids.max``).
    cpus : float
        CPUs the submission may use at once (a cgroup's CPU quota).
    """
    memory_mb: int = 4096
    file_mb: int = 1024
    tmp_mb: int = 256
    tasks: int = 512
    cpus: float = 1.0

    def resources(self) -> G.Resources:
        return G.Resources(self.memory_mb, self.tasks, self.cpus)


@dataclass
class Sandbox:
    """How kernels are isolated. ``bwrap`` is None when they run without a sandbox, and
    ``reason`` then says why (it is printed in every report). ``uid`` is the host user id
    the kernels of this job run as (leased by the batch; None when the grader is not root),
    ``cgroups`` the batch's cgroup folders (see :mod:`wvlib.grading.groups`),
    ``group_prefix`` the prefix of this job's groups in them and ``scratch_parent`` the
    folder its kernels' scratch folders are made in."""
    bwrap: str | None
    secrets: tuple[Path, ...] = ()
    reason: str = ""
    limits: Limits = field(default_factory=Limits)
    sized_tmpfs: bool = True
    uid: int | None = None
    #: drop every capability and run as an unprivileged user inside (always, but for tests)
    drop_privileges: bool = True
    disable_userns: bool = False
    cgroups: G.Cgroups = field(default_factory=G.Cgroups)
    group_prefix: str = "w0"
    #: where kernels' scratch folders are made (the batch's own folder; None: the system's)
    scratch_parent: str | None = None
    _groups: int = 0

    @property
    def enabled(self) -> bool:
        return self.bwrap is not None

    def isolation(self) -> str:
        """How the submission's processes are held, in words."""
        user = (f"kernels run as host user {self.uid} (one per job)" if self.uid is not None
                else "kernels run as the grader's own user")
        return f"{user}; {self.cgroups.describe()}"

    def describe(self) -> str:
        if self.enabled:
            who = ("as an unprivileged user without capabilities, " if self.drop_privileges
                   else "")
            return (f"sandboxed with bubblewrap ({self.bwrap}): {who}read-only system, no "
                    f"network, nothing of the host but the system and Python; "
                    f"{self.isolation()}; memory limit {self.limits.memory_mb} MiB")
        return f"NOT SANDBOXED: {self.reason}; {self.isolation()}"

    def to_data(self) -> dict:
        lim = self.limits
        return {"bwrap": self.bwrap, "secrets": [str(p) for p in self.secrets],
                "reason": self.reason,
                "limits": [lim.memory_mb, lim.file_mb, lim.tmp_mb, lim.tasks, lim.cpus],
                "sized_tmpfs": self.sized_tmpfs, "uid": self.uid,
                "drop_privileges": self.drop_privileges,
                "disable_userns": self.disable_userns, "cgroups": self.cgroups.to_data(),
                "group_prefix": self.group_prefix, "scratch_parent": self.scratch_parent}

    @classmethod
    def from_data(cls, data: dict) -> "Sandbox":
        return cls(data["bwrap"], tuple(Path(p) for p in data["secrets"]), data["reason"],
                   Limits(*data["limits"]), data["sized_tmpfs"], data["uid"],
                   data["drop_privileges"], data["disable_userns"],
                   G.Cgroups.from_data(data["cgroups"]), data["group_prefix"],
                   data.get("scratch_parent"))

    def new_group(self) -> G.Group:
        """A fresh group of processes for one kernel (see :mod:`wvlib.grading.isolation`)."""
        self._groups += 1
        return G.Group.create(self.cgroups, f"{self.group_prefix}-k{self._groups}-"
                                            f"{os.getpid()}",
                              uid=self.uid, resources=self.limits.resources())

    def command(self, argv: list[str], scratch: Scratch, env: dict,
                blocked_modules=(), group: G.Group | None = None) -> list[str]:
        """The full command running ``argv`` (a Python command): the launcher (join
        ``group``, limits, become ``uid``), then the sandbox when there is one, then Python.
        ``blocked_modules`` (dotted ``wvlib`` module names) are absent from the sandbox: see
        :func:`module_view`."""
        limits = self.limits
        rlimits = [("RLIMIT_AS", limits.memory_mb * 2**20),
                   ("RLIMIT_FSIZE", limits.file_mb * 2**20), ("RLIMIT_CORE", 0)]
        if self.uid is not None or not I.is_root():
            rlimits.append(("RLIMIT_NPROC", limits.tasks if self.uid is not None
                            else _process_limit()))
        python = [sys.executable] + argv[1:]
        if self.enabled:
            inner = ([self.bwrap] + self._mounts(scratch) + self._view(scratch, blocked_modules)
                     + self._isolation(scratch, env) + python)
        else:
            inner = python
        reach = I.unreachable([str(p) for p in visible_paths()] + [self.bwrap or "/"],
                              self.uid, writable=[scratch.root])
        return I.launcher_command(inner, group=group, uid=self.uid, rlimits=rlimits,
                                  reach=reach)

    def _view(self, scratch: Scratch, blocked_modules) -> list[str]:
        """bubblewrap arguments that replace the blocked modules by stubs (see
        :func:`module_view`)."""
        args = []
        stubs = scratch.root / "stubs"
        for i, (target, text) in enumerate(module_view(blocked_modules)):
            if text is None:
                args += ["--ro-bind", "/dev/null", str(target)]
            else:
                if not stubs.is_dir():
                    stubs.mkdir()
                    scratch.give(stubs)
                stub = stubs / f"stub-{i}.py"
                stub.write_text(text, encoding="utf-8")
                scratch.give(stub)
                args += ["--ro-bind", str(stub), str(target)]
        return args

    # -- the bubblewrap command line ------------------------------------------------------------
    def _tmpfs(self, path, size_mb) -> list[str]:
        size = ["--size", str(size_mb * 2**20)] if self.sized_tmpfs else []
        return size + ["--tmpfs", str(path)]

    def _mounts(self, scratch: Scratch) -> list[str]:
        """An empty root; the system folders, Python and wvlib read-only; private /dev, /proc,
        /tmp; the kernel's own folders. Nothing else of the host."""
        args = []
        for top in SYSTEM_FOLDERS:
            if os.path.islink(top):
                args += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                args += ["--ro-bind", top, top]
        args += ["--dev", "/dev"] + self._tmpfs("/dev/shm", 64) + \
            ["--remount-ro", "/dev", "--proc", "/proc"]
        args += self._tmpfs("/tmp", self.limits.tmp_mb)
        for path in HIDDEN_FILES:
            if os.path.isfile(path):
                args += ["--ro-bind", "/dev/null", path]
        visible = visible_paths()
        for path in visible:
            args += ["--ro-bind", str(path), str(path)]
        # a secret inside a folder that was mounted back is hidden again: by an empty folder
        # over the first component below that folder (a name of the installation's, not one
        # of a submission's)
        covers = set()
        for secret in self.secrets:
            for v in visible:
                if secret != v and _inside(secret, v):
                    cover = v / secret.relative_to(v).parts[0]
                    if cover.is_dir():
                        covers.add(cover)
        for cover in sorted(covers):
            args += self._tmpfs(cover, 1)
        # the kernel's own folders: work and home are private (and size-limited), ipc is shared
        args += self._tmpfs(scratch.work, self.limits.tmp_mb)
        args += self._tmpfs(scratch.home, self.limits.tmp_mb)
        for notebook in sorted(scratch.work.glob("*.ipynb")):
            args += ["--ro-bind", str(notebook), str(notebook)]
        args += ["--bind", str(scratch.ipc), str(scratch.ipc)]
        args += ["--remount-ro", "/"]
        return args

    def _isolation(self, scratch: Scratch, env: dict) -> list[str]:
        args = ["--unshare-all", "--die-with-parent", "--new-session",
                "--chdir", str(scratch.work), "--clearenv"]
        if self.drop_privileges:
            # never root inside: a user namespace in which the kernel is an unprivileged user
            # (outside: the leased host user), without any capability (so no mount, no
            # umount), and no new user namespace in which it could get them back
            args += ["--unshare-user", "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID),
                     "--cap-drop", "ALL"]
            if self.disable_userns:
                args += ["--disable-userns"]
        for key, value in sorted(env.items()):
            args += ["--setenv", key, value]
        return args


def kill_process_group(process: subprocess.Popen) -> None:
    """Kill ``process`` and everything in its process group (it must have been started with
    ``start_new_session=True``): a kernel's helpers, the sandbox around it. Then reap it."""
    try:
        os.killpg(process.pid, 9)                          # SIGKILL
    except (ProcessLookupError, PermissionError):          # gone already / not ours any more
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _process_limit(margin: int = 256) -> int:
    """An ``RLIMIT_NPROC`` for a kernel run as the grader's own (non-root) user: the threads
    that user runs now plus ``margin`` (a fork bomb stops there). 0 (no limit) for root, whom
    the kernel exempts from this limit anyway."""
    uid = os.geteuid() if hasattr(os, "geteuid") else 0
    if uid == 0 or not os.path.isdir("/proc"):
        return 0
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if os.stat(entry.path).st_uid == uid:
                    count += len(os.listdir(os.path.join(entry.path, "task")))
            except OSError:
                continue
    return count + margin


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies below it."""
    return path == folder or folder in path.parents


def visible_paths() -> list[Path]:
    """What is mounted back (read-only) inside the sandbox: the Python installation(s), the
    site-packages folders, the ``wvlib`` package folder and wvlib's corpus cache."""
    import wvlib
    candidates = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                  os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))),
                  os.path.dirname(os.path.abspath(wvlib.__file__))}
    candidates |= set(site.getsitepackages())
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        candidates.add(site.getusersitepackages())
    cache = _wvlib_cache()
    if cache is not None:
        candidates.add(str(cache))
    paths = set()
    for c in candidates:
        if c and os.path.exists(c):
            paths.add(Path(os.path.realpath(c)))
            paths.add(Path(os.path.abspath(c)))
    # keep only the outermost of nested paths, in a stable order
    paths = sorted(paths, key=lambda p: (len(p.parts), str(p)))
    out = []
    for p in paths:
        if not any(_inside(p, q) for q in out) and str(p) != "/" and \
                not any(Path(s) == p for s in SYSTEM_FOLDERS):
            out.append(p)
    return out


def _wvlib_folder() -> str:
    import wvlib
    return os.path.dirname(os.path.abspath(wvlib.__file__))


# --------------------------------------------------------------------------------------------
# A per-assignment view of the wvlib package
# --------------------------------------------------------------------------------------------
_STUB = ('"""Not available while this exercise is graded."""\n'
         'raise ModuleNotFoundError("{name} is not available in this exercise: the question '
         'asks you to write it yourself", name="{name}")\n')
_PUBLIC_STUB = ('"""Public checks are run by the grader, not in the graded notebook."""\n'
                'GRADING_STUB = True\n')


def _module_imports(path: Path, package: str) -> set[str]:
    """The wvlib modules a module imports at its top level (read from its source)."""
    import ast
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return set()
    found = set()
    for node in tree.body:
        nodes = [node]
        if isinstance(node, (ast.If, ast.Try)):
            nodes = list(ast.walk(node))
        for n in nodes:
            if isinstance(n, ast.Import):
                found |= {a.name for a in n.names}
            elif isinstance(n, ast.ImportFrom):
                base = n.module or ""
                if n.level:
                    parts = package.split(".")
                    parts = parts[:len(parts) - (n.level - 1)]
                    base = ".".join(parts + ([base] if base else []))
                found.add(base)
                found |= {f"{base}.{a.name}" for a in n.names}
    return {m for m in found if m == "wvlib" or m.startswith("wvlib.")}


def _wvlib_modules() -> dict[str, Path]:
    """Dotted name -> source file of every module of the installed wvlib package."""
    root = Path(_wvlib_folder())
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = ["wvlib"] + list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def module_view(blocked_modules) -> list[tuple[Path, str | None]]:
    """See :func:`_module_view`; the package is read once per set of modules, the compiled
    copies are looked for at each call (the grader's own imports may write them later)."""
    view = []
    for path, text in _module_view(tuple(sorted(set(blocked_modules)))):
        view.append((path, text))
        cache = path.parent / "__pycache__"
        view += [(cache / f"{path.stem}.{tag}.pyc", None) for tag in _pyc_tags()
                 if (cache / f"{path.stem}.{tag}.pyc").is_file()]
    return view


@functools.lru_cache(maxsize=32)
def _module_view(blocked_modules: tuple) -> tuple:
    """What the sandbox replaces so that the ``blocked_modules`` cannot be reached.

    Returns ``(file, text)`` pairs: ``text`` is a stub mounted over the file, ``None`` means
    an empty file (``/dev/null``). Blocked are: each forbidden module (its source raises
    ``ModuleNotFoundError`` on import, its compiled ``__pycache__`` files are empty), every wvlib
    module that imports one of them at its top level, directly or through another (a re-export
    is a route too), and the public check modules (they import reference implementations; the
    grader runs them in its own process, so the notebook's ``check`` becomes a no-op).
    """
    blocked = {m for m in blocked_modules if m.startswith("wvlib.")}
    if not blocked:
        return ()
    modules = _wvlib_modules()
    imports = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imports[name] = _module_imports(path, package)

    def hits(name):
        return any(name == b or name.startswith(b + ".") for b in blocked)

    closed = {m for m in modules if hits(m)}
    changed = True
    while changed:
        changed = False
        for name in modules:
            if name not in closed and name not in ("wvlib", "wvlib.course", "wvlib.grading") and \
                    any(hits(m) or m in closed for m in imports[name]):
                closed.add(name)
                changed = True
    view = []
    for name in sorted(modules):
        path = modules[name]
        if name.startswith("wvlib.course.public."):
            view.append((path, _PUBLIC_STUB))
        elif name in closed:
            view.append((path, _STUB.format(name=name)))
    return tuple(view)


def _pyc_tags() -> list[str]:
    tag = sys.implementation.cache_tag
    return [tag, f"{tag}.opt-1", f"{tag}.opt-2"]


def _wvlib_cache() -> Path | None:
    try:
        from wvlib.datasets import cache_directory
        path = cache_directory()
    except Exception:  # the corpus module is optional for grading
        return None
    return path if path.is_dir() else None


def kernel_environment(scratch: Scratch) -> dict:
    """The environment of a kernel: nothing of the grader's, one BLAS thread, a private home."""
    venv_bin = os.path.dirname(os.path.abspath(sys.executable))
    env = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch.home),
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(scratch.home / ".matplotlib"),
        "IPYTHONDIR": str(scratch.home / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(scratch.home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(scratch.home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(scratch.ipc / "runtime"),
        "WVLIB_PROGRESS": "0",
        # the grader's own wvlib (the only part of its folder mounted in the sandbox)
        "PYTHONPATH": os.path.dirname(_wvlib_folder()),
    }
    cache = _wvlib_cache()
    env["WVLIB_CACHE"] = str(cache) if cache is not None else str(scratch.home / "wvlib-cache")
    return env


# --------------------------------------------------------------------------------------------
# Choosing and testing the sandbox
# --------------------------------------------------------------------------------------------
_SELF_TEST = r"""
import ctypes, errno, json, os, socket, sys
report = {}
try:
    import numpy, wvlib.course.checks, wvlib.grading.probe
    report["imports"] = True
except Exception as exc:
    report["imports"] = f"{type(exc).__name__}: {exc}"
report["visible"] = [p for p in json.loads(sys.argv[1]) if os.path.exists(p)]
report["interfaces"] = sorted(name for _, name in socket.if_nameindex())
status = {}
for line in open("/proc/self/status"):
    key, _, value = line.partition(":")
    status[key] = value.strip()
report["capabilities"] = int(status.get("CapEff", "1"), 16) | int(status.get("CapPrm", "1"), 16)
report["no_new_privs"] = int(status.get("NoNewPrivs", "0"))
report["uid"] = os.getuid()
libc = ctypes.CDLL(None, use_errno=True)
# the attacks of an escape: unmount what hides the host, remount / writable, a new namespace
refused = lambda status: "refused" if status != 0 else "succeeded"
report["umount"] = refused(libc.umount2(b"/tmp", 2))
report["remount"] = refused(libc.mount(None, b"/", None, 32 | 4096, None))
report["unshare"] = refused(libc.unshare(0x10000000 | 0x00020000))
try:
    with open(os.path.join(sys.argv[2], "self-test.txt"), "w") as f:
        f.write("ok")
    report["ipc"] = True
except OSError as exc:
    report["ipc"] = str(exc)
print("WVLIB-SELF-TEST " + json.dumps(report))
"""


def find_bwrap() -> str | None:
    """The path of ``bwrap`` (on Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    return shutil.which("bwrap")


_PROCESS: dict = {}


def process_isolation() -> tuple[int | None, G.Cgroups]:
    """A user id and cgroup folders for kernels started by this process outside a batch (a
    script, a test): leased on first use, released when the process exits."""
    if not _PROCESS:
        import atexit
        lease = I.lease_uid()
        cgroups = G.make_cgroups()
        _PROCESS.update(lease=lease, cgroups=cgroups)

        def release():
            cgroups.close()
            if lease is not None:
                lease.release()
        atexit.register(release)
    lease = _PROCESS["lease"]
    return (lease.uid if lease is not None else None), _PROCESS["cgroups"]


def prepare_sandbox(secrets, canaries, *, limits: Limits | None = None,
                    use_sandbox: bool = True, uid="process", cgroups=None) -> Sandbox:
    """Choose how to run kernels: in bubblewrap if it is present and passes a self-test.

    Parameters
    ----------
    secrets : iterable of path
        Files and folders that must be invisible to the kernel (solutions, hidden tests, the
        output folder, the submissions, the repository).
    canaries : iterable of path
        Existing secret files the self-test tries to see (it must fail to).
    limits : Limits, optional
        Resource limits (default :class:`Limits`).
    use_sandbox : bool
        False to run without a sandbox on purpose (reported like any other reason).
    uid : int or None, optional
        The host user the kernels run as (the batch leases one per job); by default one
        leased for this process (see :func:`process_isolation`), None when not root.
    cgroups : wvlib.grading.isolation.Cgroups, optional
        The cgroup folders to make kernels' groups in (default: this process's).
    """
    limits = limits or Limits()
    secrets = tuple(sorted({Path(os.path.abspath(p)) for p in secrets}))
    if uid == "process" or cgroups is None:
        own_uid, own_cgroups = process_isolation()
        uid = own_uid if uid == "process" else uid
        cgroups = own_cgroups if cgroups is None else cgroups
    if not use_sandbox:
        return _without_bwrap(secrets, canaries, limits,
                              "the sandbox was turned off (--no-sandbox)", uid, cgroups)
    bwrap = find_bwrap()
    if bwrap is None:
        where = "this is not Linux" if not sys.platform.startswith("linux") else \
            "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
        return _without_bwrap(secrets, canaries, limits, where, uid, cgroups)
    help_text = _bwrap_help(bwrap)
    sandbox = Sandbox(bwrap, secrets, "", limits, "--size" in help_text, uid,
                      disable_userns="--disable-userns" in help_text, cgroups=cgroups)
    problem = self_test(sandbox, canaries)
    if problem:
        return _without_bwrap(secrets, canaries, limits,
                              f"bubblewrap failed its self-test: {problem}", uid, cgroups)
    return sandbox


def _without_bwrap(secrets, canaries, limits, reason: str, uid, cgroups) -> Sandbox:
    """No sandbox: a root grader still runs the kernels as the leased user, with the same
    limits (unless Python cannot start as that user: then as itself, said in the reason)."""
    box = Sandbox(None, secrets, reason, limits, uid=uid, cgroups=cgroups)
    if uid is None:
        return box
    report: dict = {}
    problem = self_test(box, canaries, report)
    if report.get("imports") is not True:
        box.uid = None
        box.reason += (f"; the kernels run as the grader's own user, since Python cannot run "
                       f"as user {uid} ({problem})")
    elif report.get("visible"):
        box.reason += (f"; the kernels run as user {uid}, who can read "
                       f"{len(report['visible'])} of the secret files")
    return box


def _bwrap_help(bwrap: str) -> str:
    try:
        done = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout + done.stderr


def self_test(sandbox: Sandbox, canaries, report: dict | None = None) -> str:
    """Run a short program in the sandbox; return "" if it behaves, else what went wrong.

    Inside bubblewrap the program must: import wvlib, see none of the ``canaries``, have no
    network interface but loopback, hold **no capability** (``CapEff`` and ``CapPrm`` of
    ``/proc/self/status`` are 0), run as a user other than root — on the host too, where it
    must be the leased user (the owner of the file it writes in the shared folder: inside
    nested user namespaces ``/proc/self/uid_map`` cannot tell) — with ``no_new_privs``, and
    fail to unmount ``/tmp``, to remount ``/`` writable and to create a new user namespace.
    ``report`` (optional dict) receives what the program saw."""
    import json
    scratch = Scratch.create(owner=sandbox.uid, size_mb=16)
    group = sandbox.new_group()
    try:
        env = kernel_environment(scratch)
        argv = [sys.executable, "-c", _SELF_TEST, json.dumps([str(c) for c in canaries]),
                str(scratch.ipc)]
        try:
            done = subprocess.run(sandbox.command(argv, scratch, env, group=group),
                                  capture_output=True, text=True, timeout=120,
                                  stdin=subprocess.DEVNULL, cwd=scratch.root,
                                  env=env if not sandbox.enabled else {"PATH": env["PATH"]})
        except (OSError, subprocess.SubprocessError) as exc:
            return f"could not start the test program ({exc})"
        line = next((x for x in done.stdout.splitlines() if x.startswith("WVLIB-SELF-TEST ")),
                    None)
        if line is None:
            return (f"exit status {done.returncode}: "
                    f"{(done.stderr or done.stdout).strip()[-300:] or 'no output'}")
        seen = json.loads(line.split(" ", 1)[1])
        if report is not None:
            report.update(seen)
        else:
            report = seen
        if report["imports"] is not True:
            return f"wvlib cannot be imported inside it ({report['imports']})"
        if report["visible"]:
            return f"secret files are visible inside it: {report['visible'][:3]}"
        written = scratch.ipc / "self-test.txt"
        host_uid = written.stat().st_uid if written.is_file() else None
        if report is not None:
            report["host_uid"] = host_uid
        if sandbox.uid is not None and host_uid != sandbox.uid:
            return (f"the code inside runs as host user {host_uid}, not as the leased user "
                    f"{sandbox.uid}")
        if sandbox.enabled and any(name != "lo" for name in report["interfaces"]):
            return f"it has network interfaces {report['interfaces']}"
        if sandbox.enabled:
            if report["capabilities"]:
                return (f"the code inside keeps capabilities "
                        f"({report['capabilities']:#x}): it could unmount what hides the host")
            if report["uid"] == 0 or report["no_new_privs"] != 1:
                return "the code inside runs as root or may gain privileges"
            if I.is_root() and host_uid == 0:
                return "the code inside is root on the host"
            for attack in ("umount", "remount", "unshare"):
                if report[attack] != "refused":
                    return f"the code inside could {attack} ({report[attack]})"
        if report["ipc"] is not True or not (scratch.ipc / "self-test.txt").is_file():
            return f"the shared folder is not writable ({report['ipc']})"
        return ""
    finally:
        group.close()
        scratch.remove()
