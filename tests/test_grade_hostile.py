"""The grader against an adversarial student (issue 10): one test per finding.

Most attacks are graded in ONE batch (``--jobs 2``, sandbox on when bubblewrap works) by a
module-scoped fixture; a few findings are tested on the pieces directly (the plain-data decoder,
the naming of output folders) or with a batch of their own (time limits).
"""
import copy
import csv
import json
import math
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from wvlib.grading import batch as B
from wvlib.grading import grade as G
from wvlib.course.notebook import read_assignment
from memory import pss_of

from test_grade import (CH01, EXERCISE, FULL, GRADE_FLAGS, HIDDEN, ROOT, SOLUTION,
                        SOLUTIONS, edit_sources, feedback, grade, load, results_of, stamp,
                        with_cells, write_submission)

CH04 = "ch04_ppmi"
CH04_FULL = float(read_assignment(ROOT / "solutions" / f"{CH04}.ipynb").total_points)


def stamped(path):
    nb = load(path)
    nb.metadata.setdefault("wvlib", {})["assignment"] = path.stem
    return nb


def sandbox_works() -> bool:
    from wvlib.grading.sandbox import prepare_sandbox
    return prepare_sandbox([ROOT / "solutions"], [HIDDEN]).enabled


# --------------------------------------------------------------------------------------------
# Stubs: trivial bodies built from the solution (right shapes and types, wrong values)
# --------------------------------------------------------------------------------------------
DEGRADE = '''
import numpy as _np
def _degrade(value, kind):
    try:
        import sympy as _sp
    except ImportError:
        _sp = None
    if isinstance(value, tuple):
        return tuple(_degrade(v, kind) for v in value)
    if isinstance(value, dict):
        return {k: _degrade(v, kind) for k, v in value.items()}
    if isinstance(value, list):
        return list(range(len(value))) if kind == "range" else \\
            [_degrade(v, kind) for v in value]
    if _sp is not None and isinstance(value, _sp.MatrixBase):
        return _sp.zeros(*value.shape) if kind == "zeros" else \\
            _sp.Matrix(value.shape[0], value.shape[1], range(len(value)))
    if _sp is not None and isinstance(value, _sp.Basic):
        return _sp.Integer(0)
    if hasattr(value, "tocsr") and hasattr(value, "shape"):
        import scipy.sparse as _s
        return _s.csr_matrix(value.shape)
    if isinstance(value, _np.ndarray):
        return _np.zeros_like(value) if kind == "zeros" else \\
            _np.arange(value.size).reshape(value.shape).astype(value.dtype)
    if isinstance(value, (bool, _np.bool_)):
        return value
    if isinstance(value, str):
        return ""
    if isinstance(value, (int, _np.integer)):
        return 0
    if isinstance(value, (float, _np.floating)):
        return 0.0
    return value

def _stub(function, kind):
    def stub(*args, **kwargs):
        if kind == "raise":
            raise ValueError("invalid input")
        return _degrade(function(*args, **kwargs), kind)
    stub.__name__ = function.__name__
    return stub
'''


def stub_notebook(path, kind):
    """The solution of ``path`` with every graded function replaced by a trivial stub:
    ``raise`` (always raises ValueError), ``zeros`` (zeros of the right shape; invalid inputs
    still raise, as the solution does) or ``range`` (``list(range(n))`` / ``arange``)."""
    kit = G.load_kit(ROOT / "solutions", path.stem)
    nb = stamped(path)
    names = [n for q in kit.questions for n in kit.names[q.id]]
    wrap = "\n".join(f"{n} = _stub({n}, {kind!r})" for n in names)
    nb.cells.insert(1, nbformat.v4.new_code_cell(DEGRADE))
    # after the last question cell: every function is defined, stub them all at once
    last = max(i for i, c in enumerate(nb.cells)
               if c.cell_type == "code" and "#| question:" in c.source)
    nb.cells.insert(last + 1, nbformat.v4.new_code_cell(wrap))
    return nb


# --------------------------------------------------------------------------------------------
# The attacks
# --------------------------------------------------------------------------------------------
ESCAPE = f"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
print([l.strip() for l in open('/proc/self/status') if l.startswith(('CapEff', 'Uid'))])
for folder in ['/tmp', '/work', '/root', '/home', {str(HIDDEN.parent)!r}, {str(ROOT)!r}]:
    print('umount', folder, libc.umount2(folder.encode(), 2))
print('remount', libc.mount(None, b'/', None, 32 | 4096, None))
try:
    print('STOLEN', open({str(HIDDEN)!r}).read()[:300])
except OSError as exc:
    print('cannot read', exc)
try:
    open(ESCAPED, 'w').write('escaped')
    print('WROTE')
except OSError as exc:
    print('cannot write', exc)
"""

LEAK_WRAPPER = """
import os, numpy as _np
_original = cosine_similarity
_places = [os.path.join(os.path.dirname(os.environ.get('JUPYTER_RUNTIME_DIR', '/tmp')),
                        'leak.txt'), '/tmp/leak.txt', os.path.expanduser('~/leak.txt'),
           'leak.txt']
def cosine_similarity(x, y):
    if _np.size(x) > 5 and not _np.all(_np.asarray(x) == _np.round(x)):  # hidden inputs
        for place in _places:
            try:
                with open(place, 'a') as f:
                    f.write('LEAKED-HIDDEN-INPUT ' + repr(list(_np.ravel(x))[:5]) + '\\n')
            except OSError:
                pass
        os._exit(1)
    return _original(x, y)
"""
LEAK_REVEAL = """
import os, sys
for place in _places:
    if os.path.exists(place):
        text = open(place).read()
        print(text)
        print(text, file=sys.stderr)
        raise RuntimeError(text)
"""

IOPUB = """
kernel = get_ipython().kernel
kernel.session.send(kernel.iopub_socket, 'stream', content=['not', 'a', 'dict'],
                    parent=kernel.get_parent())
kernel.session.send(kernel.iopub_socket, 'display_data', content='text',
                    parent=kernel.get_parent())
print('sent')
"""

CH04_HELPER = '''
def ppmi_dense_view(counts, alpha=1.0, shift=1.0):
    import wvlib.pmi as P
    return P.pmi_dense(np.asarray(counts, dtype=float), alpha=alpha, shift=shift,
                       positive=True)


def ppmi_stored_entries(rows, cols, values, shape, alpha=1.0, shift=1.0):
    import wvlib.pmi as P
    counts = scipy.sparse.csr_matrix((np.asarray(values, dtype=float), (rows, cols)),
                                     shape=tuple(shape))
    m = P.pmi_matrix(counts, alpha=alpha, shift=shift).tocoo()
    return [True, "csr", m.row.tolist(), m.col.tolist(), m.data.tolist()]
'''
CH04_ROUTES = {
    "def pmi_from_counts(counts):":
        "def pmi_from_counts(counts):\n"
        "    import importlib\n"
        "    m = importlib.import_module('wvlib.' + 'pm' + 'i')\n"
        "    return m.pmi_dense(np.asarray(counts, dtype=float), positive=False)\n\n"
        "def _old_pmi(counts):",
    "def smoothed_context_distribution(context_counts, alpha):":
        "exec('from wvlib import p' + 'mi as _m')\n"
        "def smoothed_context_distribution(context_counts, alpha):\n"
        "    return getattr(globals()['_m'], 'smoothed_context_distribution')("
        "context_counts, alpha)\n\n"
        "def _old_smoothed(context_counts, alpha):",
    "def pairs_removed_by_shift(counts, k, alpha=1.0):":
        "import wvlib.course.public.ch04_ppmi as _public\n"
        "def pairs_removed_by_shift(counts, k, alpha=1.0):\n"
        "    p = _public.pmi_dense(np.asarray(counts, dtype=float), alpha=alpha, "
        "positive=False)\n"
        "    return int(np.sum((p > 0) & (p <= np.log(k))))\n\n"
        "def _old_pairs(counts, k, alpha=1.0):",
    "def ppmi_sparse(counts, alpha=1.0, shift=1.0):":
        "def ppmi_sparse(counts, alpha=1.0, shift=1.0):\n"
        "    mod = __import__('wvlib', fromlist=['x'])\n"
        "    import sys\n"
        "    for name in list(sys.modules):\n"
        "        if name.startswith('wvlib') and hasattr(sys.modules[name], 'pmi_matrix'):\n"
        "            return sys.modules[name].pmi_matrix(counts, alpha=alpha, shift=shift)\n"
        "    return getattr(mod, 'p' + 'mi').pmi_matrix(counts, alpha=alpha, shift=shift)\n\n"
        "def _old_ppmi(counts, alpha=1.0, shift=1.0):",
}


def replace_cell(nb, starts_with, source):
    nb = copy.deepcopy(nb)
    hits = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(starts_with)]
    assert len(hits) == 1, starts_with
    hits[0].source = source
    return nb


def attack_cases(tmp: Path):
    """{name: (notebook or bytes, expected score or None, expected status or None)}."""
    ex, sol = load(EXERCISE), stamp(load(SOLUTION))
    ex04 = load(ROOT / "exercises" / f"{CH04}.ipynb")
    escape = ESCAPE.replace("ESCAPED", repr(str(tmp / "escaped.txt")))
    surrogate = edit_sources(sol, lambda s: s.replace(
        "def cosine_similarity(x, y):",
        "def cosine_similarity(x, y):\n    raise ValueError('\\udcff broken \\ud800')\n\n"
        "def _old(x, y):"))
    leak = with_cells(sol, LEAK_WRAPPER, "x = 1", LEAK_REVEAL)
    helper = replace_cell(ex04, "def ppmi_dense_view", CH04_HELPER)
    routes = ex04
    for old, new in CH04_ROUTES.items():
        routes = edit_sources(routes, lambda s, old=old, new=new: s.replace(old, new))
    mismatch = stamp(load(SOLUTION))       # stamped ch01, named after ch04
    cases = {
        "f1_escape": (with_cells(ex, escape), 0.0, None),
        "f2_surrogate": (surrogate, FULL - 2, None),
        "f4_leak": (leak, None, None),
        "f5_helper_cell": (helper, 0.0, None),
        "f5_routes": (routes, 0.0, None),
        "f5_solution": (stamped(ROOT / "solutions" / f"{CH04}.ipynb"), CH04_FULL, "ok"),
        "f7_iopub": (with_cells(sol, IOPUB), FULL, None),
        f"f11_{CH04}": (mismatch, None, None),
    }
    for path in SOLUTIONS:
        for kind in ("raise", "zeros", "range"):
            cases[f"f10_{kind}_{path.stem}"] = (stub_notebook(path, kind), 0.0, None)
    return cases


# --------------------------------------------------------------------------------------------
# Round two (issue 22): attacks on the other submissions, the batch, the disk and the class list
# --------------------------------------------------------------------------------------------
#: comm name of the memory hog's children, so that the test can watch them from the host
HOG = "wvlibhog22"

R2_ROOT = """
import os, threading
print('UID_MAP', open('/proc/self/uid_map').read().split())
for path in ['/etc/security/opasswd', '/etc/shadow', '/etc/gshadow']:
    try:
        print('LEAK' if open(path, 'rb').read(1) else 'EMPTY', path)
    except OSError:
        print('DENIED', path)
stop, threads = threading.Event(), []
try:
    for i in range(700):
        t = threading.Thread(target=stop.wait)
        t.start()
        threads.append(t)
except RuntimeError:
    pass
print('THREADS', len(threads))
stop.set()
for t in threads:
    t.join()
"""

R2_MEMORY = f"""
import ctypes, os, time, numpy as np
children = []
for i in range(4):
    pid = os.fork()
    if pid == 0:
        try:
            ctypes.CDLL(None).prctl(15, b'{HOG}', 0, 0, 0)
            block = np.ones(700 * 2**20 // 8)     # 4 x 700 MiB, each process far below
            time.sleep(20)                        # the limit of 2048 MiB
        finally:
            os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print('DONE')
"""

R2_SPIN = """
import os, subprocess, sys, time
SPINNERS = [subprocess.Popen([sys.executable, '-c', 'while True: pass'], start_new_session=True)
            for _ in range(12)]
pid = os.fork()
if pid == 0:          # a daemon: double fork, new session
    os.setsid()
    if os.fork() == 0:
        with open('/tmp/daemon.pid', 'w') as f:
            f.write(str(os.getpid()))
        while True:
            pass
    os._exit(0)
os.waitpid(pid, 0)
time.sleep(1)
print('STARTED', len(SPINNERS))
"""
R2_SPIN_CHECK = """
import os
alive = sum(p.poll() is None for p in SPINNERS)
try:
    os.kill(int(open('/tmp/daemon.pid').read()), 0)
    alive += 1
except (OSError, ValueError):
    pass
print('ALIVE', alive)
"""

R2_DISK = r"""
import os
ipc = os.path.dirname(os.environ['JUPYTER_RUNTIME_DIR'])
written, chunk = 0, b'x' * 2**24
try:
    for n in range(96):                          # 1.5 GiB in files of 16 MiB
        with open(os.path.join(ipc, f'fill-{n}.bin'), 'wb') as f:
            f.write(chunk)
            written += len(chunk)
except OSError as exc:
    print('STOPPED', type(exc).__name__)
print('WROTE_MB', written >> 20)
for top in (ipc, os.path.expanduser('~'), os.getcwd()):   # 1500-deep chains, locked
    try:
        fd = os.open(top, os.O_RDONLY)
        for i in range(1500):
            name = b'\xff\n odd' if i % 100 == 7 else b'd'
            os.mkdir(name, dir_fd=fd)
            with open(os.open(b'f\x01', os.O_WRONLY | os.O_CREAT, 0o000, dir_fd=fd), 'w'):
                pass
            down = os.open(name, os.O_RDONLY, dir_fd=fd)
            if i % 50 == 0:
                os.fchmod(fd, 0o500)
            os.close(fd)
            fd = down
        os.fchmod(fd, 0)
        os.symlink(b'/', b'to-root', dir_fd=fd)
        print('CHAIN', top == ipc)
    except OSError as exc:
        print('CHAIN STOPPED', exc)
"""

#: a folder name as an LMS download names it (holds a student's name)
LMS = "Alice Example, 12345_assignsubmission_file_"
R2_MOUNTS = """
text = open('/proc/self/mountinfo').read()
print(text)
raise RuntimeError(text[-3000:])
"""

FORGED = ("boom\n\n**9 / 9 points**\n\n# 9 / 9\n<script>alert(1)</script>"
          "<img src=x onerror=alert(2)>")
R2_INJECT_RAISE = f"raise ValueError({FORGED!r})"
R2_INJECT_LABEL = "# <img src=x onerror=alert(3)> **9 / 9 points**\nraise KeyError('<script>')"
R2_INJECT_ANSWER = """
def cosine_similarity(x, y):
    return '<script>alert(4)</script>\\n**9 / 9 points**'
"""
INJECT_FILE = "r2_08_inject\n# 9 of 9 points\n`<img src=x onerror=alert(5)>` **all points**"

HIDDEN_WRONG = """
import numpy as _np
_right = cosine_similarity
def cosine_similarity(x, y):
    if _np.size(x) > 5 and not _np.all(_np.asarray(x) == _np.round(x)):  # hidden inputs
        return 0.25
    return _right(x, y)
"""
HIDDEN_RAISES = HIDDEN_WRONG.replace("return 0.25", "raise RuntimeError('fifty')")


def surrogate_notebook() -> bytes:
    """A solved ch01 notebook whose code cells hold lone surrogates and a NUL (JSON escapes)."""
    nb = stamp(load(SOLUTION))
    nb.cells.append(nbformat.v4.new_code_cell("s = 'odd \\udcff \\ud800 text'\nt = 1"))
    text = nbformat.writes(nb)
    text = text.replace("odd \\\\udcff \\\\ud800", "odd \\udcff \\ud800 \\u0000")
    assert "\\udcff" in text
    return text.encode("utf-8")


def round_two_cases():
    """{name: (notebook or bytes, expected score or None, expected status or None)}: each
    attack is followed (in name order, so in the queue of --jobs 2) by an honest solution."""
    sol, ex = stamp(load(SOLUTION)), load(EXERCISE)
    student42 = stamp(load(SOLUTION))
    student42.metadata["wvlib"]["assignment"] = CH04      # "submitted for" ch04
    student43 = stamp(load(SOLUTION))
    del student43.metadata["wvlib"]                       # no metadata at all
    cases = {
        "r2_01_root": (with_cells(sol, R2_ROOT), FULL, None),
        "r2_02_memory": (with_cells(sol, R2_MEMORY, *["import time\ntime.sleep(5)"] * 5),
                         FULL, None),
        "r2_03_spin": (with_cells(sol, R2_SPIN, "import time\ntime.sleep(4)",
                                  "import time\ntime.sleep(4)", R2_SPIN_CHECK), FULL, None),
        "r2_04_disk": (with_cells(sol, R2_DISK), FULL, None),
        "r2_05_hidden_raises": (with_cells(sol, HIDDEN_RAISES), None, None),
        "r2_05_hidden_wrong": (with_cells(sol, HIDDEN_WRONG), None, None),
        "r2_07_mounts": (with_cells(ex, R2_MOUNTS), 0.0, None),
        "r2_08_inject": (with_cells(ex, R2_INJECT_RAISE, R2_INJECT_LABEL, R2_INJECT_ANSWER),
                         0.0, None),
        "r2_11_surrogate": (surrogate_notebook(), FULL, None),
        "student42": (student42, 0.0, None),
        "student43": (student43, FULL, None),
    }
    goods = {f"{name}z_good": (sol, FULL, "ok") for name in list(cases)
             if name.startswith("r2_")}
    return {**cases, **goods}


def _watch_hog(stop, peak):
    """Sample, from the host, the memory of the memory hog's children together."""
    while not stop.is_set():
        peak[0] = max(peak[0], pss_of(HOG) or 0)
        time.sleep(0.1)


@pytest.fixture(scope="module")
def attacks(tmp_path_factory):
    import threading
    base = tmp_path_factory.mktemp("attacks")
    subs, out, elsewhere = base / "submissions", base / "out", base / "elsewhere"
    scratch = base / "scratch"
    for folder in (subs, elsewhere, scratch):
        folder.mkdir()
    cases = attack_cases(base)
    second = round_two_cases()
    for name, (content, _, _) in {**cases, **second}.items():
        write_submission(subs, name, content)
    # round two, finding 8: a file name that forges Markdown
    os.rename(subs / "r2_08_inject.ipynb", subs / f"{INJECT_FILE}.ipynb")
    # round two, finding 7: another student's folder as an LMS download names it
    (subs / LMS).mkdir()
    nbformat.write(stamp(load(SOLUTION)), subs / LMS / "hw.ipynb")
    # finding 2: a file name that is not valid UTF-8 (from a Latin-1 zip)
    nbformat.write(stamp(load(SOLUTION)), os.fsdecode(bytes(subs) + b"/caf\xe9.ipynb"))
    # finding 11: a link to a solution outside the submissions folder
    nbformat.write(stamp(load(SOLUTION)), elsewhere / "solution.ipynb")
    os.symlink(elsewhere / "solution.ipynb", subs / "linked.ipynb")
    stop, peak = threading.Event(), [0]
    watcher = threading.Thread(target=_watch_hog, args=(stop, peak), daemon=True)
    watcher.start()
    old_tmp = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(scratch)       # the workers' scratch folders go here
    start = time.monotonic()
    try:
        status = grade(subs, "--out", out, "--jobs", "2", *GRADE_FLAGS)
    finally:
        if old_tmp is None:
            os.environ.pop("TMPDIR")
        else:
            os.environ["TMPDIR"] = old_tmp
        stop.set()
        watcher.join()
    return {"cases": cases, "second": second, "out": out, "base": base, "status": status,
            "seconds": time.monotonic() - start, "scratch": scratch, "subs": subs,
            "hog_peak": peak[0]}


def sandboxed(attacks) -> bool:
    return results_of(attacks["out"], "f7_iopub")["sandbox"]


def gradebook(out):
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        return {row["name"]: row for row in csv.DictReader(f)}


def printed(out, name) -> str:
    executed = json.loads((out / name / "executed.ipynb").read_text())
    return "".join(o.get("text", "") for c in executed["cells"] for o in c["outputs"])


# --------------------------------------------------------------------------------------------
# One test per finding
# --------------------------------------------------------------------------------------------
def test_scores_of_the_attacks(attacks):
    failures = []
    for name, (_, expected, status) in attacks["cases"].items():
        r = results_of(attacks["out"], name)
        if expected is not None and r["score"] != pytest.approx(expected):
            failures.append((name, r["score"], expected, r["output"]))
        if status is not None and r["extra_data"]["status"] != status:
            failures.append((name, r["extra_data"]["status"], status,
                             r["extra_data"]["events"]))
    assert not failures


def test_f1_root_in_the_sandbox_has_no_capabilities_and_cannot_unmount(attacks):
    if not sandboxed(attacks):
        pytest.skip("no working bubblewrap sandbox on this machine")
    text = printed(attacks["out"], "f1_escape")
    assert "CapEff:\\t0000000000000000" in text or "CapEff:\t0000000000000000" in text, text
    assert "Uid:\t0\t" not in text, text
    assert "STOLEN" not in text, text
    assert not (attacks["base"] / "escaped.txt").exists()   # written in its private /tmp
    r = results_of(attacks["out"], "f1_escape")
    assert r["score"] == 0


def test_f1_self_test_proves_the_sandbox(tmp_path):
    from wvlib.grading.sandbox import prepare_sandbox, self_test
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    sandbox = prepare_sandbox([tmp_path], [secret])
    if not sandbox.enabled:
        pytest.skip(f"no sandbox: {sandbox.reason}")
    report = {}
    assert self_test(sandbox, [secret], report=report) == ""
    assert report["capabilities"] == 0 and report["uid"] != 0
    assert report["umount"] == report["remount"] == report["unshare"] == "refused"
    assert report["no_new_privs"] == 1
    # a sandbox that keeps a user namespace's powers is refused (it could unshare one)...
    weak = copy.copy(sandbox)
    weak.drop_privileges = False
    assert self_test(weak, [secret]) != ""
    # ...and so is one whose user is root on the host, keeping root's capabilities
    if os.geteuid() == 0:
        rooted = copy.copy(weak)
        rooted.uid = None
        assert "capabilit" in self_test(rooted, [secret])


def test_f2_learner_text_and_file_names_never_stop_the_batch(attacks):
    out = attacks["out"]
    assert attacks["status"] == 0
    r = results_of(out, "f2_surrogate")
    assert r["extra_data"]["status"] != "grader-error"
    assert "q1-cosine" in feedback(out, "f2_surrogate")
    names = [p.name for p in out.iterdir() if p.is_dir()]
    latin = [n for n in names if n.startswith("caf")]
    assert len(latin) == 1 and results_of(out, latin[0])["score"] == FULL
    book = gradebook(out)
    assert set(book) == set(names)


def test_f4_nothing_after_the_hidden_probes_reaches_the_learner(attacks):
    folder = attacks["out"] / "f4_leak"
    for file in ("feedback.md", "results.json"):
        text = (folder / file).read_text(encoding="utf-8")
        assert "LEAKED-HIDDEN-INPUT" not in text, file
    r = results_of(attacks["out"], "f4_leak")
    assert r["extra_data"]["status"] != "grader-error"
    assert r["score"] < FULL        # the wrapper did meet the hidden inputs (and died there)


def test_f5_forbidden_module_is_absent_from_the_sandbox(attacks):
    if not sandboxed(attacks):
        pytest.skip("the module view needs the sandbox")
    for name in ("f5_helper_cell", "f5_routes"):
        r = results_of(attacks["out"], name)
        assert r["score"] == 0, (name, r["output"])
    assert results_of(attacks["out"], "f5_solution")["score"] == CH04_FULL


def test_f7_malformed_kernel_messages_are_ignored(attacks):
    r = results_of(attacks["out"], "f7_iopub")
    assert r["score"] == FULL and r["extra_data"]["status"] != "grader-error"


def test_f10_stubs_earn_nothing_on_every_assignment(attacks):
    out = attacks["out"]
    scores = {n: results_of(out, n)["score"] for n in attacks["cases"] if n.startswith("f10")}
    assert len(scores) == 3 * len(SOLUTIONS)
    assert all(s == 0 for s in scores.values()), {n: s for n, s in scores.items() if s}


def test_f11_identity_disagreement_is_flagged_and_links_are_not_followed(attacks):
    out = attacks["out"]
    row = gradebook(out)[f"f11_{CH04}"]
    assert "assignment-mismatch" in row["status"]
    text = feedback(out, f"f11_{CH04}")
    assert "assignment-mismatch" in text or "does not match" in text
    assert not (out / "linked").exists()
    assert "linked" not in gradebook(out)


def test_max_scores_sum_exactly_to_the_points(attacks):
    for path in attacks["out"].glob("*/results.json"):
        r = json.loads(path.read_text(encoding="utf-8"))
        if not r["tests"]:
            continue
        total = r["extra_data"]["max_score"]
        assert sum(t["max_score"] for t in r["tests"]) == total, path.parent.name
        assert math.fsum(t["max_score"] for t in r["tests"]) == total
        for q in r["extra_data"]["questions"].values():
            assert q["score"] <= q["max_score"]


# --------------------------------------------------------------------------------------------
# Round two (issue 22): one test per finding, on the same batch
# --------------------------------------------------------------------------------------------
def feedback_of(out, name, final=False) -> str:
    """The raw Markdown of a feedback file (learner text in it is escaped)."""
    file = "feedback-final.md" if final else "feedback.md"
    return (out / name / file).read_text(encoding="utf-8")


def details_of(out, name) -> dict:
    return json.loads((out / name / "details.json").read_text(encoding="utf-8"))


def only_folder(out, prefix) -> str:
    found = [p.name for p in out.iterdir() if p.is_dir() and p.name.startswith(prefix)
             and not p.name.endswith("z_good")]
    assert len(found) == 1, found
    return found[0]


def test_r2_honest_submissions_next_to_every_attack_keep_full_marks(attacks):
    """Judged by: each attack graded in the same batch (--jobs 2) as honest solutions; those
    keep full marks and status ok, the batch exits 0, every result and the gradebook exist."""
    out = attacks["out"]
    assert attacks["status"] == 0
    honest = [n for n in attacks["second"] if n.endswith("z_good")]
    honest.append("Alice_Example_12345_assignsubmission_file___hw")
    bad = {}
    for name in honest:
        r = results_of(out, name)
        if r["score"] != FULL or r["extra_data"]["status"] != "ok":
            bad[name] = (r["score"], r["extra_data"]["status"], r["extra_data"]["events"])
    assert not bad
    for name, (_, expected, status) in attacks["second"].items():
        if name == "r2_08_inject":                 # renamed: its file name forges Markdown
            name = only_folder(out, "r2_08_inject")
        r = results_of(out, name)
        assert r["extra_data"]["status"] != "grader-error", (name, r["extra_data"]["events"])
        if expected is not None:
            assert r["score"] == pytest.approx(expected), (name, r["output"])
    assert set(gradebook(out)) == {p.name for p in out.iterdir() if p.is_dir()}


def test_r2_f1_the_kernel_runs_as_an_unprivileged_host_user_of_its_own(attacks):
    """Root-only files stay closed and RLIMIT_NPROC holds (Linux exempts host root from it,
    which is how 700 threads started); each job's kernels run as a host user of their own,
    never 0 (the grader records it; inside nested user namespaces /proc/self/uid_map shows
    the parent namespace's ids, so the kernel itself cannot tell)."""
    text = printed(attacks["out"], "r2_01_root")
    assert "LEAK" not in text, text
    threads = int(next(line for line in text.splitlines() if line.startswith("THREADS"))
                  .split()[1])
    assert threads < 700
    if os.geteuid() != 0:
        pytest.skip("a grader that is not root cannot give kernels users of their own")
    uids = {details_of(attacks["out"], p.name)["isolation"]["uid"]
            for p in attacks["out"].iterdir() if (p / "details.json").is_file()
            and details_of(attacks["out"], p.name).get("isolation")}
    assert len(uids) == 2 and 0 not in uids and None not in uids   # one per job


def test_r2_f2_the_memory_limit_holds_for_all_processes_together(attacks):
    """Held by the cgroup's memory controller; where there is none (mode "none") by the
    watchdog, which samples every 0.1 s (the slack: what the children allocate in that time,
    see README "What does not hold")."""
    mode = details_of(attacks["out"], "r2_02_memory")["isolation"]["cgroup"]
    slack = 0 if mode != "none" else 1024
    assert attacks["hog_peak"] >= 512 * 2**20, attacks["hog_peak"] / 2**20   # it was seen
    assert attacks["hog_peak"] <= (2048 + slack) * 2**20, attacks["hog_peak"] / 2**20
    r = results_of(attacks["out"], "r2_02_memory")
    assert r["score"] == FULL


def test_r2_f3_processes_a_cell_starts_die_with_it(attacks):
    out = attacks["out"]
    text = printed(out, "r2_03_spin")
    assert "STARTED 12" in text and "ALIVE 0" in text, text
    events = " ".join(results_of(out, "r2_03_spin")["extra_data"]["events"])
    assert "left" in events and "running" in events, events
    from wvlib.grading.isolation import uid_pids
    for p in out.iterdir():
        iso = details_of(out, p.name).get("isolation") if (p / "details.json").is_file() \
            else None
        if iso and iso["uid"] is not None:
            assert uid_pids(iso["uid"]) == []


def test_r2_f4_scratch_cannot_fill_the_disk_and_its_cleanup_cannot_fail(attacks):
    out = attacks["out"]
    text = printed(out, "r2_04_disk")
    wrote = int(next(line for line in text.splitlines() if line.startswith("WROTE_MB"))
                .split()[1])
    if os.geteuid() == 0:      # without root the scratch is on disk (README: does not hold)
        assert wrote <= 300, text
    r = results_of(out, "r2_04_disk")
    assert r["score"] == FULL and r["extra_data"]["status"] != "grader-error"
    assert sorted(os.listdir(attacks["scratch"])) == []     # nothing left behind


def visible_part(r) -> tuple:
    tests = [(t["name"], t["score"], t["status"], t["output"]) for t in r["tests"]
             if t["visibility"] == "visible"]
    return r["output"], tests


def test_r2_f5_visible_output_does_not_depend_on_hidden_results(attacks):
    out = attacks["out"]
    good, wrong, raises = (results_of(out, n) for n in
                           ("r2_01_rootz_good", "r2_05_hidden_wrong", "r2_05_hidden_raises"))
    assert wrong["score"] < FULL and raises["score"] < FULL      # hidden tests did fail
    assert visible_part(good) == visible_part(wrong) == visible_part(raises)
    hidden = [[t["output"] for t in r["tests"] if t["visibility"] != "visible"]
              for r in (wrong, raises)]
    assert hidden[0] == hidden[1]                                # by description, not kind
    for r in (wrong, raises):
        for t in r["tests"]:
            if t["visibility"] != "visible":
                assert "error_kind" not in t.get("extra_data", {})
    lines = [[x for x in feedback_of(out, n, final=True).splitlines()
              if x.startswith("- ") and "hidden" in x.lower()]
             for n in ("r2_05_hidden_wrong", "r2_05_hidden_raises")]
    assert lines[0] == lines[1]
    public = [feedback_of(out, n).split("## q1", 1)[1] for n in
              ("r2_01_rootz_good", "r2_05_hidden_wrong", "r2_05_hidden_raises")]
    assert public[0] == public[1] == public[2]      # feedback.md: public results only


def test_r2_f7_no_path_of_another_submission_reaches_a_sandbox(attacks):
    out = attacks["out"]
    seen = printed(out, "r2_07_mounts") + feedback(out, "r2_07_mounts") + \
        json.dumps(results_of(out, "r2_07_mounts"))
    assert " - proc proc " in printed(out, "r2_07_mounts")        # it did read its mounts
    others = {LMS, "hw.ipynb", str(attacks["subs"])} | {
        f"{n}.ipynb" for n in list(attacks["cases"]) + list(attacks["second"])
        if n != "r2_07_mounts"}
    assert [o for o in others if o in seen] == []


def rendered(markdown: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").render(markdown)


def test_r2_f8_learner_text_cannot_forge_markdown_or_html(attacks):
    out = attacks["out"]
    name = only_folder(out, "r2_08_inject")
    r = results_of(out, name)
    pages = [rendered(feedback_of(out, name)), rendered(r["output"])] + \
        [rendered(t["output"]) for t in r["tests"] if t["visibility"] == "visible"]
    for html in pages:
        assert "<script" not in html and "<img" not in html, html
        assert "<strong>9 / 9 points</strong>" not in html and "<h1>9" not in html, html
        assert "<strong>all points</strong>" not in html
    assert pages[0].count("<h1>") == 1
    assert "onerror" in feedback_of(out, name)           # the text is there, escaped


def test_r2_f10_a_notebook_is_recognised_by_its_content(attacks):
    out = attacks["out"]
    book = gradebook(out)
    assert "content-mismatch" in book["student42"]["status"]
    assert book["student42"]["assignment"] == CH04
    assert CH01 in feedback(out, "student42")
    assert book["student43"]["assignment"] == CH01
    assert results_of(out, "student43")["score"] == FULL
    assert "content" in feedback(out, "student43")


def test_r2_f11_surrogates_in_cell_sources_give_a_result(attacks):
    r = results_of(attacks["out"], "r2_11_surrogate")
    assert r["extra_data"]["status"] == "cell-errors" and r["score"] == FULL


HUGE_CELLS = 200_000


@pytest.mark.slow
def test_r2_f9_a_huge_notebook_gets_a_bounded_report_in_bounded_memory(tmp_path):
    """200,000 code cells, 20 MB: the reports stay small and the grader's processes stay far
    below a gigabyte (the largest resident set of the whole process tree, measured by the
    kernel's rusage). The time is printed, as an illustration only."""
    nb = stamp(load(SOLUTION))
    padding = "#" * 90
    nb.cells += [{"cell_type": "code", "execution_count": None, "id": f"huge-{i}",
                  "metadata": {}, "outputs": [], "source": f"x = {i}  {padding}"}
                 for i in range(HUGE_CELLS)]
    path = tmp_path / "huge.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert path.stat().st_size > 20_000_000
    wrapper = ("import resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:])\n"
               "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "sys.exit(done.returncode)\n")
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "wvlib",
                           "course", "grade", str(path), "--out", str(tmp_path / "o"),
                           *GRADE_FLAGS], capture_output=True, text=True, timeout=1800,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    seconds = time.monotonic() - start
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    maxrss_mb = int(done.stdout.split("MAXRSS")[1].split()[0]) / 1024
    report_mb = sum(f.stat().st_size for f in (tmp_path / "o" / "huge").iterdir()) / 2**20
    print(f"huge notebook: {seconds:.0f} s, reports {report_mb:.2f} MB, largest process "
          f"{maxrss_mb:.0f} MB")
    r = results_of(tmp_path / "o", "huge")
    assert r["extra_data"]["status"] != "grader-error"
    assert report_mb < 5, report_mb
    assert maxrss_mb < 600, maxrss_mb
    assert "truncated" in json.dumps(r["extra_data"]) or "only the first" in json.dumps(
        r["extra_data"])


FILL_AND_SHOUT = [R2_DISK.split("for top in")[0]] + ["print('y' * 199_000)"] * 12


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root to mount small file systems")
def test_r2_f4_a_full_disk_fails_one_submission_alone(tmp_path):
    """Scratch space on a 64 MiB file system, results on a 1.5 MiB one: the notebook that
    writes 1.5 GiB and prints 2 MB gets a clear out-of-space result, the others are graded
    and the gradebook is written; the exit status is 0."""
    small_tmp, small_out, subs = tmp_path / "tmp", tmp_path / "out", tmp_path / "subs"
    for folder in (small_tmp, small_out, subs):
        folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(small_tmp)],
                   check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(small_out)],
                   check=True)
    old_tmp = os.environ.get("TMPDIR")
    try:
        write_submission(subs, "a1_fill", with_cells(stamp(load(SOLUTION)), *FILL_AND_SHOUT))
        for name in ("a2_good", "a3_good", "a4_good"):
            write_submission(subs, name, stamp(load(SOLUTION)))
        os.environ["TMPDIR"] = str(small_tmp)
        status = grade(subs, "--out", small_out, "--jobs", "2", *GRADE_FLAGS)
        assert status == 0
        for name in ("a2_good", "a3_good", "a4_good"):
            r = results_of(small_out, name)
            assert r["score"] == FULL and r["extra_data"]["status"] == "ok", r["output"]
        r = results_of(small_out, "a1_fill")
        assert r["extra_data"]["status"] == "out-of-space", r["extra_data"]["events"]
        assert "a1_fill" in (small_out / "gradebook.csv").read_text()
    finally:
        if old_tmp is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old_tmp
        for folder in (small_out, small_tmp):
            subprocess.run(["umount", "-l", str(folder)], check=False)


def test_r2_f6_gradescope_takes_one_notebook_per_upload_never_the_best(tmp_path):
    from wvlib.grading.gradescope import collect
    graded = tmp_path / "graded"
    for i, name in enumerate(["a", "b", CH01, "d"]):
        (graded / name).mkdir(parents=True)
        result = {"score": float(i + 1), "output": f"graded {name}", "tests": [],
                  "extra_data": {"file": f"{name}.ipynb", "status": "ok"}}
        (graded / name / "results.json").write_text(json.dumps(result))
    out = tmp_path / "results.json"
    assert collect(graded, out, CH01, 0) == 0
    result = json.loads(out.read_text())
    assert result["score"] == 0
    assert "4 notebooks" in result["output"] and "one" in result["output"]


def test_r2_f9_the_worker_answer_is_read_in_chunks_and_bounded(monkeypatch):
    """The batch keeps the chunks of a worker's answer in a list and joins them once (no
    quadratic ``+=``): a 30 MB answer comes back whole; one over MAX_ANSWER_BYTES is refused
    and its worker killed."""
    code = ("import json, sys\nsys.stdin.readline()\nsys.stdin.readline()\n"
            "text = json.dumps({'x': 'y' * 30_000_000})\n"
            "for i in range(0, len(text), 65536):\n"
            "    sys.stdout.write(text[i:i + 65536])\n    sys.stdout.flush()\n"
            "sys.stdout.write('\\n')\nsys.stdout.flush()\nsys.stdin.readline()\n")
    sub = G.Submission("s", Path("s.ipynb"))
    for limit, expected in ((B.MAX_ANSWER_BYTES, 30_000_000), (2**20, None)):
        monkeypatch.setattr(B, "MAX_ANSWER_BYTES", limit)
        worker = object.__new__(B.Worker)
        worker.process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, start_new_session=True)
        worker.chunks, worker.size = [], 0
        worker._send({"setup": True})
        answer = worker.grade(sub, 120)
        if expected is None:
            assert answer is None and not worker.alive
        else:
            assert len(answer["x"]) == expected and worker.chunks == []
            worker.close()


# --------------------------------------------------------------------------------------------
# Findings tested on the pieces
# --------------------------------------------------------------------------------------------
def run_isolated(code: str, seconds: float = 60, memory_mb: int = 3000):
    """Run ``code`` in a fresh Python with a memory limit; (return code, output, seconds)."""
    prelude = ("import resource\nresource.setrlimit(resource.RLIMIT_AS, "
               f"({memory_mb * 2**20}, {memory_mb * 2**20}))\n")
    start = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                              capture_output=True, text=True, timeout=seconds,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)))
    except subprocess.TimeoutExpired:
        return None, "timeout", time.monotonic() - start
    return done.returncode, done.stdout + done.stderr, time.monotonic() - start


TOWER = {"pow": [{"pow": [{"int": "10"}, {"int": "7000"}]}, {"int": "7000"}]}


def test_f3_exact_values_are_bounded_before_they_are_built():
    code, output, seconds = run_isolated(f"""
        import os, tempfile
        from wvlib.grading import probe as P
        from wvlib.course import checks as C
        tower = {TOWER!r}
        fd = P.open_folder(tempfile.mkdtemp())
        try:
            P.decode({{"t": "sympy", "v": tower}}, fd)
            print("DECODED")
        except P.ProtocolError as exc:
            print("REFUSED", exc)
        try:
            C.as_sympy({{"__sympy__": tower}}, "x")
            print("REBUILT")
        except C.CheckFailed as exc:
            print("REFUSED", exc)
        mul = {{"mul": [{{"pow": [{{"int": "99"}}, {{"int": "9000"}}]}}] * 50}}
        try:
            C.data_to_sympy(mul)
            print("REBUILT")
        except ValueError as exc:
            print("REFUSED", exc)
        """, seconds=30)
    assert output.count("REFUSED") == 3, output
    assert seconds < 20


def test_f3_a_worker_over_its_limit_is_killed_and_the_next_submission_is_graded(tmp_path):
    """Values are judged in a worker process; one that runs past its limit is killed with its
    kernel, and a fresh worker grades the next submission as if nothing happened."""
    from wvlib.grading.sandbox import prepare_sandbox
    sub = G.Submission("good", write_submission(tmp_path, "good", stamp(load(SOLUTION))))
    box = prepare_sandbox([ROOT / "solutions"], [HIDDEN])
    setup = {"solutions": str(ROOT / "solutions"), "sandbox": B.sandbox_to_data(box),
             "options": [6, 60, None]}
    worker = B.Worker(setup, 4096)
    assert worker.grade(sub, seconds=0.05) is None   # too little to start a kernel
    assert not worker.alive
    worker = B.Worker(setup, 4096)
    data = worker.grade(sub, seconds=120)
    worker.close()
    assert data["results"]["score"] == FULL


def test_f6_fake_sparse_matrices_are_refused_before_any_conversion(tmp_path):
    code, output, seconds = run_isolated(f"""
        import numpy as np
        from wvlib.grading import probe as P
        fd = P.open_folder({str(tmp_path)!r})
        n = 30_000_000
        np.save({str(tmp_path / 'res-1-0.npy')!r}, np.ones(1))
        np.save({str(tmp_path / 'res-1-1.npy')!r}, np.zeros(1, dtype=np.int64))
        indptr = np.ones(n + 1, dtype=np.int64)
        indptr[0] = 0
        np.save({str(tmp_path / 'res-1-2.npy')!r}, indptr)
        node = {{"t": "sparse", "format": "lil", "shape": [n, 1], "array": False,
                "data": "res-1-0.npy", "indices": "res-1-1.npy", "indptr": "res-1-2.npy"}}
        try:
            P.decode(node, fd)
            print("BUILT")
        except P.ProtocolError as exc:
            print("REFUSED", exc)
        class Fake:
            format = "csr"
            shape = (n, 1)
            def tocsr(self):
                raise AssertionError("converted")
        Fake.__module__ = "scipy.sparse._fake"
        try:
            P.encode(Fake(), fd, "res-2")
            print("ENCODED")
        except P.Unserializable as exc:
            print("REFUSED", exc)
        """, seconds=60, memory_mb=2500)
    assert output.count("REFUSED") == 2, output


def test_f8_output_names_are_unique_by_construction(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("a b", "a_b"):
        (subs / f"{name}.ipynb").write_text("{}")
    first = B.discover([subs], tmp_path / "out")
    for s in first:                       # a third file named like a disambiguated name
        if s.name != "a_b":
            (subs / f"{s.name}.ipynb").write_text("{}")
    subs_ = B.discover([subs], tmp_path / "out")
    names = [s.name for s in subs_]
    assert len(subs_) == len({s.path for s in subs_}) >= 3
    assert len(set(n.lower() for n in names)) == len(names), names


def test_f9_the_total_time_limit_holds_across_restarts(tmp_path):
    killer = ("import os, time\n_cos = cosine_similarity\n"
              "def cosine_similarity(x, y):\n    os._exit(1)\n")
    nb = with_cells(stamp(load(SOLUTION)), killer, "import time\ntime.sleep(3)")
    sub = write_submission(tmp_path, "slow", nb)
    start = time.monotonic()
    assert grade(sub, "--out", tmp_path / "o", "--timeout-cell", "5", "--timeout-total", "10",
                 "--memory", "2048") == 0
    elapsed = time.monotonic() - start
    r = results_of(tmp_path / "o", "slow")
    assert r["execution_time"] <= 10 + 3, r["extra_data"]["events"]
    assert elapsed < 10 + 20


def test_f5_module_view_covers_re_exports_and_compiled_copies():
    import py_compile
    from wvlib.grading.sandbox import module_view
    import wvlib
    package = Path(wvlib.__file__).parent
    view = {str(p.relative_to(package)): text for p, text in module_view(["wvlib.vectors"])}
    assert "ModuleNotFoundError" in view["vectors.py"]
    assert "ModuleNotFoundError" in view["evaluate.py"]        # imports wvlib.vectors
    assert "GRADING_STUB" in view["course/public/ch01_words_as_vectors.py"]
    assert "checks.py" not in " ".join(view) and "probe.py" not in " ".join(view)
    pyc = Path(py_compile.compile(str(package / "vectors.py"),
                                  cfile=str(package / "__pycache__" / (
                                      f"vectors.{sys.implementation.cache_tag}.pyc"))))
    try:
        hidden = [p for p, text in module_view(["wvlib.vectors"]) if text is None]
        assert pyc in hidden
    finally:
        pyc.unlink()


def test_grade_batch_is_the_python_api_under_the_command(tmp_path):
    from wvlib.grading.batch import grade_batch
    sub = write_submission(tmp_path, "blank", load(EXERCISE))
    report = grade_batch([sub], tmp_path / "out", timeout_cell=6, timeout_total=120,
                         memory_mb=2048, quiet=True)
    assert (report.graded, report.skipped, report.errors) == (1, 0, 0)
    assert report.gradebook.is_file() and results_of(tmp_path / "out", "blank")["score"] == 0
    with pytest.raises(ValueError, match="--jobs"):
        grade_batch([sub], tmp_path / "out", jobs=0)
