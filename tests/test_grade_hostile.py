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

from test_grade import (EXERCISE, FULL, GRADE_FLAGS, HIDDEN, ROOT, SOLUTION,
                        SOLUTIONS, edit_sources, grade, load, results_of, stamp, with_cells,
                        write_submission)

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
    if _np.size(x) == 50:
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


@pytest.fixture(scope="module")
def attacks(tmp_path_factory):
    base = tmp_path_factory.mktemp("attacks")
    subs, out, elsewhere = base / "submissions", base / "out", base / "elsewhere"
    for folder in (subs, elsewhere):
        folder.mkdir()
    cases = attack_cases(base)
    for name, (content, _, _) in cases.items():
        write_submission(subs, name, content)
    # finding 2: a file name that is not valid UTF-8 (from a Latin-1 zip)
    nbformat.write(stamp(load(SOLUTION)), os.fsdecode(bytes(subs) + b"/caf\xe9.ipynb"))
    # finding 11: a link to a solution outside the submissions folder
    nbformat.write(stamp(load(SOLUTION)), elsewhere / "solution.ipynb")
    os.symlink(elsewhere / "solution.ipynb", subs / "linked.ipynb")
    start = time.monotonic()
    status = grade(subs, "--out", out, "--jobs", "2", *GRADE_FLAGS)
    return {"cases": cases, "out": out, "base": base, "status": status,
            "seconds": time.monotonic() - start}


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
    # a sandbox that keeps root's capabilities is refused
    weak = copy.copy(sandbox)
    weak.drop_privileges = False
    if os.geteuid() == 0:
        assert "capabilit" in self_test(weak, [secret])


def test_f2_learner_text_and_file_names_never_stop_the_batch(attacks):
    out = attacks["out"]
    assert attacks["status"] == 0
    r = results_of(out, "f2_surrogate")
    assert r["extra_data"]["status"] != "grader-error"
    feedback = (out / "f2_surrogate" / "feedback.md").read_text(encoding="utf-8")
    assert "q1-cosine" in feedback
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
    feedback = (out / f"f11_{CH04}" / "feedback.md").read_text(encoding="utf-8")
    assert "assignment-mismatch" in feedback or "does not match" in feedback
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
    assert worker.grade(sub, seconds=1.0) is None          # far too little time
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
