"""Where a student's kernel runs: a bubblewrap sandbox, resource limits and a clean environment.

Each submission gets a fresh kernel process started by :mod:`wvlib.grading.kernel`. This module
builds the command line that process runs under:

* **resource limits**, set by a short boot script before the kernel starts (so the learner's
  code cannot raise them again): address space (``RLIMIT_AS``, so that a huge allocation raises
  ``MemoryError`` instead of exhausting the machine), the size of any file written
  (``RLIMIT_FSIZE``), no core dumps and, unless the grader runs as root (whom Linux exempts),
  the number of processes (``RLIMIT_NPROC``, against fork bombs);
* a **clean environment**: no variable of the grader's leaks in; ``HOME`` is private; NumPy's
  BLAS runs one thread; ``PYTHONHASHSEED=0`` so that set order, and with it the run, is
  reproducible;
* on Linux with `bubblewrap <https://github.com/containers/bubblewrap>`_ (``bwrap``), a
  **sandbox**: the file system is mounted read-only; home, temporary and data folders
  (``/home``, ``/root``, ``/tmp``, ``/work``, ``/autograder``, ``/run`` …), the course repository,
  the solutions, the hidden tests, the other submissions and the grader's output folder are
  replaced by empty private folders; only the Python installation, the ``wvlib`` package (read
  only) and the submission's own scratch folders are mounted back. All namespaces are unshared:
  no network at all (the grader talks to the kernel through Unix sockets in a shared folder,
  see :mod:`wvlib.grading.kernel`), no view of other processes; the kernel dies with the grader.

:func:`prepare_sandbox` runs a self-test before the sandbox is used: the kernel's Python must
start and import ``wvlib`` inside it, the secret files must be invisible and the network must be
absent. When bubblewrap is missing or the self-test fails, grading goes on **without** a sandbox
and the grader says so loudly (see :attr:`Sandbox.reason`). A grader running as root then still
runs the kernels as the unprivileged user ``nobody`` if that user passes the same test (it cannot
read files only root may read — the Gradescope bundle makes the solutions so); otherwise kernels
run as the grader's own user, with nothing but the resource limits.
"""
from __future__ import annotations

import functools
import os
import shutil
import site
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

#: Folders that hold people's files, temporary files, services or grading material; each is
#: replaced by an empty private folder inside the sandbox (when it exists).
HIDDEN_FOLDERS = ("/home", "/root", "/tmp", "/var/tmp", "/run", "/mnt", "/media", "/srv", "/opt",
                  "/work", "/autograder", "/var/lib", "/var/log", "/var/mail", "/var/spool",
                  "/var/cache", "/var/backups", "/boot", "/etc/ssh", "/etc/ssl/private")
#: Files replaced by an empty file inside the sandbox.
HIDDEN_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-")
#: System folders that must never be hidden (hiding an ancestor of them breaks everything).
SYSTEM_FOLDERS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc")

# The kernel's first program: set the limits, then become the IPython kernel.
_BOOT = (
    "import os, resource, sys\n"
    "memory, file_size, processes = map(int, sys.argv[1:4])\n"
    "resource.setrlimit(resource.RLIMIT_AS, (memory, memory))\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "if processes:\n"
    "    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))\n"
    "os.execv(sys.executable, [sys.executable] + sys.argv[4:])\n"
)
#: The unprivileged user a root grader runs kernels as when bubblewrap is unavailable.
NOBODY = 65534


@dataclass(frozen=True)
class Limits:
    """Resource limits of one kernel.

    Parameters
    ----------
    memory_mb : int
        Address-space limit of the kernel process, in MiB (``RLIMIT_AS``).
    file_mb : int
        Largest file the kernel may write, in MiB (``RLIMIT_FSIZE``).
    tmp_mb : int
        Size of each private writable folder inside the sandbox (``/tmp``, the working folder,
        ``HOME``), in MiB; these are memory-backed ``tmpfs`` mounts.
    """
    memory_mb: int = 4096
    file_mb: int = 1024
    tmp_mb: int = 256


@dataclass
class Scratch:
    """The folders of one kernel: ``work`` (its working folder, holding a copy of the notebook),
    ``home`` and ``ipc`` (connection file, sockets and probe messages, shared with the grader)."""
    root: Path

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def ipc(self) -> Path:
        return self.root / "ipc"

    @classmethod
    def create(cls, parent=None, owner: int | None = None) -> "Scratch":
        """Make a fresh scratch folder (under ``parent`` or the system's temporary folder),
        owned by the user ``owner`` if given."""
        root = Path(tempfile.mkdtemp(prefix="wvlib-kernel-", dir=parent))
        scratch = cls(root)
        for folder in (scratch.work, scratch.home, scratch.ipc):
            folder.mkdir()
        if owner is not None:
            for folder in (root, scratch.work, scratch.home, scratch.ipc):
                os.chown(folder, owner, owner)
        return scratch

    def give(self, path: Path, owner: int | None) -> None:
        """Hand a file the grader wrote in the scratch folder over to the kernel's user."""
        if owner is not None:
            os.chown(path, owner, owner)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Sandbox:
    """How kernels are isolated. ``bwrap`` is None when they run without a sandbox, and
    ``reason`` then says why (it is printed in every report). ``run_as`` is the user id kernels
    run as when a root grader has no sandbox (a partial protection: that user cannot read files
    only root may read, such as ``chmod go-rwx`` solutions), or None."""
    bwrap: str | None
    secrets: tuple[Path, ...] = ()
    reason: str = ""
    limits: Limits = field(default_factory=Limits)
    sized_tmpfs: bool = True
    run_as: int | None = None
    #: drop every capability and run as an unprivileged user inside (always, but for tests)
    drop_privileges: bool = True
    disable_userns: bool = False

    @property
    def enabled(self) -> bool:
        return self.bwrap is not None

    def describe(self) -> str:
        if self.enabled:
            who = ("as an unprivileged user without capabilities, " if self.drop_privileges
                   else "")
            return (f"sandboxed with bubblewrap ({self.bwrap}): {who}read-only system, no "
                    f"network, solutions and other files hidden; memory limit "
                    f"{self.limits.memory_mb} MiB")
        if self.run_as is not None:
            return (f"NOT SANDBOXED: {self.reason}; kernels run as user {self.run_as}, which "
                    f"cannot read the solutions, but the network and the rest of the file "
                    f"system are not isolated")
        return f"NOT SANDBOXED: {self.reason}"

    def popen_user(self) -> dict:
        """Keyword arguments for :class:`subprocess.Popen` that switch to ``run_as``."""
        if self.run_as is None:
            return {}
        return {"user": self.run_as, "group": self.run_as, "extra_groups": []}

    def command(self, argv: list[str], scratch: Scratch, env: dict,
                blocked_modules=()) -> list[str]:
        """The full command running ``argv`` (a Python command) under the limits, and inside
        the sandbox when there is one. ``blocked_modules`` (dotted ``wvlib`` module names) are
        absent from the sandbox: see :func:`module_view`."""
        processes = 512 if self.run_as is not None else _process_limit()
        if self.enabled and self.drop_privileges:
            processes = 512   # RLIMIT_NPROC counts per user: the sandbox user is its own
        limited = [sys.executable, "-c", _BOOT, str(self.limits.memory_mb * 2**20),
                   str(self.limits.file_mb * 2**20), str(processes)] + argv[1:]
        if not self.enabled:
            return limited
        return ([self.bwrap] + self._mounts(scratch) + self._view(scratch, blocked_modules)
                + self._isolation(scratch, env) + limited)

    def _view(self, scratch: Scratch, blocked_modules) -> list[str]:
        """bubblewrap arguments that replace the blocked modules by stubs (see
        :func:`module_view`)."""
        args = []
        stubs = scratch.root / "stubs"
        for i, (target, text) in enumerate(module_view(blocked_modules)):
            if text is None:
                args += ["--ro-bind", "/dev/null", str(target)]
            else:
                stubs.mkdir(exist_ok=True)
                stub = stubs / f"stub-{i}.py"
                stub.write_text(text, encoding="utf-8")
                args += ["--ro-bind", str(stub), str(target)]
        return args

    # -- the bubblewrap command line ------------------------------------------------------------
    def _tmpfs(self, path, size_mb) -> list[str]:
        size = ["--size", str(size_mb * 2**20)] if self.sized_tmpfs else []
        return size + ["--tmpfs", str(path)]

    def _mounts(self, scratch: Scratch) -> list[str]:
        # a read-only system with its own /dev (read-only too, but for a small /dev/shm)
        args = ["--ro-bind", "/", "/", "--dev", "/dev"] + self._tmpfs("/dev/shm", 64) + \
            ["--remount-ro", "/dev", "--proc", "/proc"]
        visible = visible_paths()
        secrets = [p for p in self.secrets if _may_hide(p)]
        hidden = sorted(set(Path(p) for p in HIDDEN_FOLDERS if os.path.isdir(p))
                        | {p for p in secrets if p.is_dir()})
        for folder in hidden:  # empty; read-only at the end, but for /tmp
            args += self._tmpfs(folder, self.limits.tmp_mb if str(folder) == "/tmp" else 1)
        for path in sorted(set(HIDDEN_FILES) | {str(p) for p in secrets}):
            if os.path.isfile(path):
                args += ["--ro-bind", "/dev/null", path]
        for path in visible:
            args += ["--ro-bind", str(path), str(path)]
        # a secret inside a folder that was mounted back is hidden again
        for secret in secrets:
            if any(_inside(secret, v) and secret != v for v in visible) and secret.is_dir():
                args += self._tmpfs(secret, 1)
        # the kernel's own folders: work and home are private (and size-limited), ipc is shared
        args += self._tmpfs(scratch.work, self.limits.tmp_mb)
        args += self._tmpfs(scratch.home, self.limits.tmp_mb)
        for notebook in sorted(scratch.work.glob("*.ipynb")):
            args += ["--ro-bind", str(notebook), str(notebook)]
        args += ["--bind", str(scratch.ipc), str(scratch.ipc)]
        for folder in hidden:
            if str(folder) != "/tmp":
                args += ["--remount-ro", str(folder)]
        return args

    def _isolation(self, scratch: Scratch, env: dict) -> list[str]:
        args = ["--unshare-all", "--die-with-parent", "--new-session", "--chdir", str(scratch.work),
                "--clearenv"]
        if self.drop_privileges:
            # root outside must not be root inside: a user namespace in which the kernel is the
            # unprivileged NOBODY, without any capability (so no mount, no umount), and no new
            # user namespace in which it could get them back
            args += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY),
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


def _may_hide(secret: Path) -> bool:
    """A secret can be hidden unless it is a system folder or one of their ancestors (hiding
    ``/`` or ``/usr`` would hide Python itself). Visible paths inside a hidden folder are
    mounted back after it is hidden, so hiding their ancestors is fine."""
    return not any(_inside(Path(p), secret) for p in SYSTEM_FOLDERS)


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


def prepare_sandbox(secrets, canaries, *, limits: Limits | None = None,
                    use_sandbox: bool = True) -> Sandbox:
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
    """
    limits = limits or Limits()
    secrets = tuple(sorted({Path(os.path.abspath(p)) for p in secrets}))
    if not use_sandbox:
        return Sandbox(None, secrets, "the sandbox was turned off (--no-sandbox)", limits)
    bwrap = find_bwrap()
    if bwrap is None:
        where = "this is not Linux" if not sys.platform.startswith("linux") else \
            "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
        return _without_bwrap(secrets, canaries, limits, where)
    help_text = _bwrap_help(bwrap)
    sandbox = Sandbox(bwrap, secrets, "", limits, "--size" in help_text,
                      disable_userns="--disable-userns" in help_text)
    problem = self_test(sandbox, canaries)
    if problem:
        return _without_bwrap(secrets, canaries, limits,
                              f"bubblewrap failed its self-test: {problem}")
    return sandbox


def _without_bwrap(secrets, canaries, limits, reason: str) -> Sandbox:
    """No sandbox: as root, try running kernels as an unprivileged user that cannot see the
    secrets (the self-test decides); otherwise run them as the grader's own user."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        other = Sandbox(None, secrets, reason, limits, run_as=NOBODY)
        if not self_test(other, canaries):
            return other
    return Sandbox(None, secrets, reason, limits)


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
    ``/proc/self/status`` are 0), run as a user other than root, with ``no_new_privs``, and
    fail to unmount ``/tmp``, to remount ``/`` writable and to create a new user namespace.
    ``report`` (optional dict) receives what the program saw."""
    import json
    scratch = Scratch.create(owner=sandbox.run_as)
    try:
        env = kernel_environment(scratch)
        argv = [sys.executable, "-c", _SELF_TEST, json.dumps([str(c) for c in canaries]),
                str(scratch.ipc)]
        try:
            done = subprocess.run(sandbox.command(argv, scratch, env), capture_output=True,
                                  text=True, timeout=120, stdin=subprocess.DEVNULL,
                                  cwd=scratch.root, env=env, **sandbox.popen_user())
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
        report = seen
        if report["imports"] is not True:
            return f"wvlib cannot be imported inside it ({report['imports']})"
        if report["visible"]:
            return f"secret files are visible inside it: {report['visible'][:3]}"
        if sandbox.enabled and any(name != "lo" for name in report["interfaces"]):
            return f"it has network interfaces {report['interfaces']}"
        if sandbox.enabled:
            if report["capabilities"]:
                return (f"the code inside keeps capabilities "
                        f"({report['capabilities']:#x}): it could unmount what hides the host")
            if report["uid"] == 0 or report["no_new_privs"] != 1:
                return "the code inside runs as root or may gain privileges"
            for attack in ("umount", "remount", "unshare"):
                if report[attack] != "refused":
                    return f"the code inside could {attack} ({report[attack]})"
        if report["ipc"] is not True or not (scratch.ipc / "self-test.txt").is_file():
            return f"the shared folder is not writable ({report['ipc']})"
        return ""
    finally:
        scratch.remove()
