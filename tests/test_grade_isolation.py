"""The isolation of a submission (issue 22): its own host user, its processes counted, limited
and killed together — by a cgroup v2, a cgroup v1, or, without cgroups, by its user — and
scratch space whose removal nothing can stop.

Each of the three ways of holding a group is forced in turn (``make_cgroups("v2" | "v1" |
"none")``), so all of them are exercised on a machine that has them; one the machine lacks is
skipped and says so. On a hybrid cgroup machine whose unified hierarchy has no memory or pids
controller, "v2" still holds the processes (``cgroup.kill``, ``cgroup.freeze``, ``cpu.stat``)
and its memory falls back on the watchdog of "none".
"""
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wvlib.grading import groups as G
from wvlib.grading import isolation as I
from wvlib.grading.scratch import remove_tree

from memory import pss_of

ROOT = Path(__file__).resolve().parent.parent
HIDDEN = ROOT / "solutions" / "hidden" / "ch01_words_as_vectors.py"
ROOT_ONLY = pytest.mark.skipif(not I.is_root(), reason="needs root (a grader on Gradescope or "
                                                       "CI runs as root)")


# --------------------------------------------------------------------------------------------
# Removing a scratch folder
# --------------------------------------------------------------------------------------------
def hostile_tree(top: Path, depth: int) -> Path:
    """A chain of ``depth`` folders (deeper than PATH_MAX allows to name at once when depth is
    large), with unwritable folders, unreadable files, names with odd bytes, a FIFO and a
    link to a folder outside that must survive."""
    outside = top.parent / f"{top.name}-outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    for i in range(depth):
        name = b"\xff\n odd" if i % 100 == 7 else b"dd"
        os.mkdir(name, dir_fd=fd)
        os.close(os.open(b"f\x01", os.O_WRONLY | os.O_CREAT, 0o000, dir_fd=fd))
        if i % 250 == 3:
            os.mkfifo(b"fifo", dir_fd=fd)
            os.symlink(str(outside).encode(), b"out", dir_fd=fd)
        down = os.open(name, os.O_RDONLY, dir_fd=fd)
        if i % 50 == 0:
            os.fchmod(fd, 0o500)
        os.close(fd)
        fd = down
    os.fchmod(fd, 0)
    os.close(fd)
    return outside


def test_remove_tree_any_depth_mode_and_name(tmp_path):
    top = tmp_path / "scratch"
    outside = hostile_tree(top, 2000)        # 2000 × 3 bytes: past PATH_MAX (4096)
    remove_tree(top)
    assert not top.exists()
    assert (outside / "keep.txt").read_text() == "keep"
    remove_tree(top)                         # nothing left: nothing to do


@ROOT_ONLY
def test_remove_tree_as_an_unprivileged_owner():
    """Without root, locked folders are opened up on the way (as their owner may)."""
    import shutil
    import tempfile
    lease = I.lease_uid()
    base = Path(tempfile.mkdtemp(prefix="wvlib-remove-", dir="/tmp"))
    try:
        os.chmod(base, 0o777)
        top = base / "scratch"
        code = (f"import os, sys, pathlib\nsys.path.insert(0, {str(ROOT)!r})\n"
                f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
                f"from test_grade_isolation import hostile_tree\n"
                f"from wvlib.grading.scratch import remove_tree\n"
                f"os.setgroups([]); os.setresgid({lease.uid}, {lease.uid}, {lease.uid})\n"
                f"os.setresuid({lease.uid}, {lease.uid}, {lease.uid})\n"
                f"hostile_tree(pathlib.Path({str(top)!r}), 1500)\n"
                f"remove_tree({str(top)!r})\nprint('GONE', os.path.exists({str(top)!r}))\n")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=300)
        assert "GONE False" in done.stdout, done.stdout + done.stderr
    finally:
        lease.release()
        shutil.rmtree(base)


# --------------------------------------------------------------------------------------------
# Host users
# --------------------------------------------------------------------------------------------
@ROOT_ONLY
def test_leased_users_are_distinct_unprivileged_and_killed_together():
    a, b = I.lease_uid(), I.lease_uid()
    try:
        assert a.uid != b.uid and 0 not in (a.uid, b.uid)
        sleepers = [subprocess.Popen(["sleep", "600"], user=a.uid, group=a.uid,
                                     extra_groups=[], start_new_session=True)
                    for _ in range(3)]
        assert len(I.uid_pids(a.uid)) == 3 and I.uid_pids(b.uid) == []
        assert I.kill_uid(a.uid)
        assert all(p.wait(timeout=10) == -9 for p in sleepers)
    finally:
        a.release()
        b.release()


# --------------------------------------------------------------------------------------------
# The three ways of holding a submission's processes
# --------------------------------------------------------------------------------------------
MODES = ["v2", "v1", "none"]

SPIN = """
import os, subprocess, sys, time
SPINNERS = [subprocess.Popen([sys.executable, '-c', 'while True: pass'], start_new_session=True)
            for _ in range(4)]
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        with open('/tmp/daemon.pid', 'w') as f:
            f.write(str(os.getpid()))
        while True:
            pass
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(0.5)
"""
SPIN_CHECK = """
alive = sum(p.poll() is None for p in SPINNERS)
try:
    os.kill(int(open('/tmp/daemon.pid').read()), 0)
    alive += 1
except (OSError, ValueError):
    pass
print('ALIVE', alive)
"""
HOG = "wvlibhogiso"
MEMORY = f"""
import ctypes, os, time, numpy as np
children = []
for i in range(3):
    pid = os.fork()
    if pid == 0:
        try:
            ctypes.CDLL(None).prctl(15, b'{HOG}', 0, 0, 0)
            blocks = []
            for step in range(18):               # 900 MiB, 50 MiB at a time
                blocks.append(np.ones(50 * 2**20 // 8))
                time.sleep(0.02)
            time.sleep(3)
        finally:
            os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print('SURVIVED')
"""


@pytest.fixture(scope="module", params=MODES)
def held(request, tmp_path_factory):
    """A notebook run in a kernel whose group is held by one mode, with what was seen."""
    import threading
    from wvlib.grading.remote import NotebookSession
    from wvlib.grading.sandbox import Limits, prepare_sandbox
    if not I.is_root():
        pytest.skip("leased users and cgroups need root")
    try:
        cgroups = G.make_cgroups(request.param)
    except RuntimeError as exc:
        pytest.skip(f"cgroup {request.param} is not available here: {exc}")
    lease = I.lease_uid()
    # the memory hog first: where it takes the kernel with it, nothing is replayed
    cells = [MEMORY, "print('AFTER')", SPIN, SPIN_CHECK,
             "import time\ntime.sleep(8)\nprint('SLEPT')", "while True:\n    pass",
             "import os\nprint('UID', os.getuid())"]
    peak, stop = [0], threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], pss_of(HOG) or 0)
            time.sleep(0.05)
    try:
        box = prepare_sandbox([ROOT / "solutions"], [HIDDEN], uid=lease.uid,
                              cgroups=cgroups, limits=Limits(memory_mb=2048))
        session = NotebookSession([(i, c, False) for i, c in enumerate(cells)], "t.ipynb",
                                  b"{}", box, timeout_cell=6, timeout_total=180,
                                  scratch_parent=tmp_path_factory.mktemp("held"))
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            session.run()
        finally:
            stop.set()
            watcher.join()
        left = I.uid_pids(lease.uid)
        session.close()
        after_close = I.uid_pids(lease.uid)
        printed = {r.index: "".join(o.get("text", "") for o in r.outputs)
                   for r in session.runs.values()}
        return {"mode": request.param, "box": box, "session": session, "printed": printed,
                "peak": peak[0], "left_while_open": left, "left": after_close,
                "uid": lease.uid, "cgroups": cgroups}
    finally:
        cgroups.close()
        lease.release()


def test_the_sandbox_runs_as_the_leased_user(held):
    assert held["box"].enabled and held["box"].cgroups.mode == held["mode"]
    assert held["session"].isolation == {"uid": held["uid"], "cgroup": held["mode"]}
    assert "UID 65534" in held["printed"][6]     # inside: nobody; outside: the leased uid


def test_processes_a_cell_starts_die_with_it(held):
    assert "ALIVE 0" in held["printed"][3], held["printed"]
    assert any("left 5 process(es) running" in e for e in held["session"].events), \
        held["session"].events
    assert held["left"] == []                   # and nothing survives the kernel


def test_cells_are_timed_by_the_cpu_time_of_their_processes(held):
    runs = held["session"].runs
    # 8 s asleep: longer than the cell's 6 s, but no CPU time; then a loop that burns it
    assert runs[4].status == "ok" and "SLEPT" in held["printed"][4]
    assert runs[5].status == "timeout"
    assert any("used more than 6 s of CPU time" in e for e in held["session"].events)


def test_the_memory_of_all_processes_together_is_limited(held):
    """Three children of 900 MiB each (2.7 GiB) under a limit of 2048 MiB for the whole
    submission (each process alone may have 2048 MiB): the children together stay within the
    limit where a cgroup's memory controller holds it; where the watchdog does (mode "none",
    or a "v2" without memory controller) it samples every 0.1 s and the children may pass the
    limit by what they allocate in that time (here the test's sum of resident sizes also
    counts the pages they share with the kernel). The limit is reported."""
    slack = 0 if "memory" in held["cgroups"].features else 512
    assert held["peak"] >= 512 * 2**20, held["peak"] / 2**20     # the hog was seen at work
    assert held["peak"] <= (2048 + slack) * 2**20, held["peak"] / 2**20
    assert any("memory limit (2048 MiB)" in e for e in held["session"].events), \
        held["session"].events
    runs = held["session"].runs
    assert "AFTER" in held["printed"][1], (   # the notebook went on
        [(i, r.status) for i, r in sorted(runs.items())], held["session"].events)


@ROOT_ONLY
def test_a_kernel_without_bubblewrap_still_runs_as_the_leased_user(tmp_path):
    """No sandbox (--no-sandbox, or bubblewrap missing): the kernel still runs as the leased
    host user, with the same limits, and reaches a Python installed under a private folder
    (/root/.pyenv, say) through the launcher's own mount namespace."""
    from wvlib.grading.sandbox import prepare_sandbox, self_test
    lease = I.lease_uid()
    cgroups = G.make_cgroups("none")
    try:
        box = prepare_sandbox([ROOT / "solutions"], [HIDDEN], use_sandbox=False,
                              uid=lease.uid, cgroups=cgroups)
        assert not box.enabled and box.uid == lease.uid, box.reason
        report = {}
        self_test(box, [], report)
        assert report["imports"] is True and report["host_uid"] == lease.uid
    finally:
        cgroups.close()
        lease.release()


def test_the_launcher_makes_private_folders_reachable_only_below_them():
    if not I.is_root():
        pytest.skip("root only")
    reach = I.unreachable(["/usr/lib", str(ROOT)], 1_900_000_999, writable=[])
    assert all(not a.startswith("/usr") for a, _ in reach)
    for ancestor, paths in reach:
        assert not os.stat(ancestor).st_mode & stat.S_IXOTH
        assert all(p.startswith(ancestor + "/") for p, _ in paths)


def test_cgroup_modes_are_checked():
    with pytest.raises(ValueError, match="WVLIB_GRADER_CGROUPS"):
        G.make_cgroups("v3")
    assert G.make_cgroups("none").mode == "none"
    assert json.loads(json.dumps(G.make_cgroups("none").to_data()))["mode"] == "none"


def test_every_test_the_readme_names_for_a_guarantee_exists():
    """The README's table "What holds, and where it is tested" names a test for each
    guarantee: every name must be a test of tests/ (parametrized ones by their base name)."""
    import re
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("**What holds, and where it is tested.**")[1]
    table = table.split("What does not hold")[0]
    named = set(re.findall(r"`(test_\w+)", table))
    defined = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
    assert len(named) >= 15 and not named - defined, sorted(named - defined)
