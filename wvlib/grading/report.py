"""The reports of a graded submission: ``results.json``, ``feedback.md``, ``details.json``,
``executed.ipynb`` and the batch's ``gradebook.csv``.

Everything a submission controls (its outputs, error messages, file names) is text that may hold
anything, lone surrogates included: :func:`clean` makes it safe before it is written, and every
write is atomic. Learner-visible files (``results.json``, ``feedback.md``) never quote the inputs
of hidden tests nor anything the learner's code produced after the first check ran.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

from .._io import atomic_write

GRADER_VERSION = "2"
# how serious an execution problem is, for the one-word status of a submission
_SEVERITY = ["ok", "cell-errors", "timeout", "kernel-died", "kernel-failed"]

# failure kinds of a check, in words a learner understands (used for hidden tests)
_KIND_WORDS = {
    "failed": "a wrong answer",
    "exception": "your code raised an error",
    "not-implemented": "not implemented yet",
    "undefined": "a name it needs is not defined",
    "timeout": "your code took too long",
    "dead": "the kernel died",
    "unserializable": "the answer could not be read back",
    "crashed": "the answer has the wrong type or shape",
    "forbidden": "uses a forbidden module",
}


@dataclass
class Outcome:
    """Everything written for one submission."""
    results: dict
    feedback: str
    details: dict
    executed: dict | None = None

    @property
    def status(self) -> str:
        return self.results["extra_data"]["status"]


def _problem(base: dict, status: str, message: str, start: float) -> Outcome:
    """The outcome of a submission that could not be graded: zero points, and why."""
    extra = dict(base, status=status, max_score=0.0, questions={}, events=[message], cells=[])
    summary = f"Score: 0. {message}"
    if not base["sandbox"]:
        summary = _NO_SANDBOX_WARNING + "\n" + summary
    results = {"score": 0.0, "execution_time": round(time.monotonic() - start, 2),
               "output": summary, "visibility": "visible", "stdout_visibility": "hidden",
               "sandbox": base["sandbox"], "tests": [], "extra_data": extra}
    feedback = f"# Feedback: {base['file']}\n\n**Score: 0**\n\n{message[:1].upper()}{message[1:]}\n"
    return Outcome(results, feedback, dict(extra, checks=[]))


_NO_SANDBOX_WARNING = ("WARNING: graded WITHOUT a sandbox — the submission's code could read "
                       "and write the grader's files.")


def _round(x: float) -> float:
    return round(float(x), 6)


#: Scores are multiples of 2**-20 point (about a millionth): such numbers add up exactly in
#: floating point, in any order, so the tests' ``max_score`` sum to exactly the points.
_UNIT = 2**20


def split_points(points: float, weights) -> list[float]:
    """``points`` shared in proportion to ``weights``, in multiples of ``2**-20`` point, so that
    the shares add up to exactly ``points`` (largest remainders), in any order of addition."""
    total = sum(weights)
    units = round(points * _UNIT)
    if not weights or total <= 0:
        return [0.0] * len(weights)
    exact = [units * w / total for w in weights]
    shares = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[:units - sum(shares)]:
        shares[i] += 1
    return [s / _UNIT for s in shares]


def clean(value):
    """``value`` with every string made safe to write as UTF-8 (lone surrogates, from a
    learner's message or a file name that is not UTF-8, become ``\\udcff`` escapes)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def gate_passed(results) -> bool:
    """Whether a question's points may be earned: all its core checks passed (see the rule at
    the top of :mod:`wvlib.course.checks`)."""
    core = [r for r in results if r.core]
    return bool(core) and all(r.passed for r in core)


def _report(base, kit, session, results, forbidden, start) -> Outcome:
    """Scores, results.json, feedback.md and details.json of an executed submission."""
    by_question = {q.id: [r for r in results if r.question == q.id] for q in kit.questions}
    tests, questions, checks_detail = [], {}, []
    for q in kit.questions:
        rs = by_question[q.id]
        reasons = forbidden.get(q.id, [])
        gate = gate_passed(rs)
        earned = 0.0
        for r, worth in zip(rs, split_points(q.points, [r.weight for r in rs])):
            counted = r.passed and not reasons and gate
            earned += worth if counted else 0.0
            if r.kind == "public":
                output = r.message if not r.passed else ""
            else:  # hidden: the description only, never the inputs or expected values
                output = ("" if r.passed else
                          f"Hidden test failed: {r.description} "
                          f"({_KIND_WORDS.get(r.error_kind, 'failed')}).")
            if r.passed and reasons:
                output = ("This check passed, but the question gets no points: its answer uses "
                          "a forbidden module.")
            elif r.passed and not gate:
                output = ("This check passed, but it counts only once the question's main "
                          "check passes.")
            tests.append({
                "name": f"{q.id}: {r.description}" + (" (hidden)" if r.kind == "hidden" else ""),
                "score": worth if counted else 0.0, "max_score": worth,
                "status": "passed" if counted else "failed", "output": output,
                "visibility": "visible" if r.kind == "public" else "after_published",
                "extra_data": {"question": q.id, "kind": r.kind, "weight": r.weight,
                               "error_kind": r.error_kind}})
            checks_detail.append({"question": q.id, "kind": r.kind,
                                  "description": r.description, "passed": r.passed,
                                  "weight": r.weight, "error_kind": r.error_kind,
                                  "core": r.core, "message": r.message})
        questions[q.id] = {"score": earned, "max_score": float(q.points),
                           "forbidden": reasons, "main_check_passed": gate}
    score = float(sum(v["score"] for v in questions.values()))
    cells = [{"index": run.index, "status": run.status, "ename": run.ename,
              "evalue": run.evalue[:500], "seconds": round(run.duration, 2),
              "output_truncated": run.truncated} for run in session.runs.values()]
    status = _execution_status(session)
    events = list(dict.fromkeys(session.events))
    extra = dict(base, status=status, max_score=float(kit.total_points), questions=questions,
                 events=events, cells=cells, grader_version=GRADER_VERSION)
    summary = _summary(kit, score, questions, session, status, base["sandbox"],
                       base.get("flag_notes", []))
    results = {"score": score, "execution_time": round(time.monotonic() - start, 2),
               "output": summary, "visibility": "visible", "stdout_visibility": "hidden",
               "sandbox": base["sandbox"], "tests": tests, "extra_data": extra}
    details = dict(extra, checks=checks_detail)
    return Outcome(results, _feedback(kit, base, score, results, session, forbidden),
                   details, _executed_notebook(session))


def _execution_status(session) -> str:
    worst = "ok"
    for run in session.runs.values():
        level = {"error": "cell-errors", "timeout": "timeout", "dead": "kernel-died"}.get(
            run.status, "ok")
        worst = max(worst, level, key=_SEVERITY.index)
    if any(e.startswith("the notebook's time limit") for e in session.events):
        worst = max(worst, "timeout", key=_SEVERITY.index)
    if session.starts > 1 or session.gave_up:
        worst = max(worst, "kernel-died", key=_SEVERITY.index)
    if any(e.startswith("the kernel could not start") for e in session.events):
        worst = "kernel-failed"
    return worst


def _summary(kit, score, questions, session, status, sandboxed, flags=()) -> str:
    lines = []
    if not sandboxed:
        lines.append(_NO_SANDBOX_WARNING)
    lines.append(f"{kit.title}: {score:g} / {kit.total_points:g} points.")
    for flag in flags:
        lines.append(f"Note: {flag}")
    for qid, q in questions.items():
        note = " (no points: uses a forbidden module)" if q["forbidden"] else ""
        lines.append(f"  {qid}: {q['score']:g} / {q['max_score']:g}{note}")
    if status != "ok":
        lines.append(f"Running the notebook: {status}.")
    return "\n".join(lines)


def _cell_label(run) -> str:
    first = next((x.strip() for x in run.source.splitlines() if x.strip()), "")
    return f"cell {run.index + 1} (`{first[:60]}`)" if first else f"cell {run.index + 1}"


def _feedback(kit, base, score, results, session, forbidden) -> str:
    """The learner's report, in Markdown."""
    out = [f"# Feedback: {kit.title}", "",
           f"Submission `{base['file']}` — **{score:g} / {kit.total_points:g} points**", ""]
    if not base["sandbox"]:
        out += [f"> {_NO_SANDBOX_WARNING}", ""]
    for note in base.get("flag_notes", []):
        out += [f"> **Note:** {note}", ""]
    out += ["## Running your notebook", ""]
    problems = []
    for run in session.runs.values():
        if run.status == "error":
            problems.append(f"- {_cell_label(run)} raised **{run.ename}**: "
                            f"{run.evalue[:300]}")
        elif run.status == "timeout":
            problems.append(f"- {_cell_label(run)} ran out of time and was stopped")
        elif run.status == "dead":
            problems.append(f"- {_cell_label(run)} made the kernel die; it was left out and "
                            f"the other cells were run again")
    problems += [f"- {e}" for e in dict.fromkeys(session.events)
                 if not e.startswith(("cell ", "the kernel died while running cell"))]
    ran = sum(1 for r in session.runs.values() if r.status != "skipped")
    out += problems or [f"All {ran} code cells ran without errors."]
    out.append("")
    tests = results["tests"]
    for q in kit.questions:
        info = results["extra_data"]["questions"][q.id]
        out += [f"## {q.id} — {info['score']:g} / {info['max_score']:g} points", ""]
        if forbidden.get(q.id):
            out += [f"**No points for this question:** your answer uses "
                    f"{', '.join(q.forbid)}, whose own implementation the exercise asks you "
                    f"to write yourself:", ""]
            out += [f"- {reason}" for reason in forbidden[q.id]] + [""]
        for t in tests:
            if t["extra_data"]["question"] != q.id:
                continue
            hidden = t["extra_data"]["kind"] == "hidden"
            description = t["name"].split(": ", 1)[1].removesuffix(" (hidden)")
            mark = "✔" if t["status"] == "passed" else "✘"
            label = f"hidden test: {description}" if hidden else description
            line = f"- {mark} {label}"
            if t["status"] != "passed":
                if hidden:
                    kind = t["extra_data"]["error_kind"]
                    line += (f" — {_KIND_WORDS.get(kind, 'failed')}" if kind else
                             " — passed, but not counted")
                elif t["output"]:
                    line += "  \n  " + t["output"].replace("\n", "\n  ")
            out.append(line)
        out.append("")
    return "\n".join(out)


def _executed_notebook(session) -> dict:
    """The code cells as run, with their (capped) outputs, as an nbformat 4 notebook."""
    cells = []
    for run in session.runs.values():
        cells.append({"cell_type": "code", "execution_count": None, "id": f"cell-{run.index}",
                      "metadata": {"wvlib_grade": {"status": run.status,
                                                   "seconds": round(run.duration, 2),
                                                   "output_truncated": run.truncated}},
                      "outputs": run.outputs, "source": run.source})
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3",
                                                        "display_name": "Python 3",
                                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def _safe_file_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip(".")
    return name if name.endswith(".ipynb") else (name or "submission") + ".ipynb"


# --------------------------------------------------------------------------------------------
# Writing results
# --------------------------------------------------------------------------------------------
def _write_atomic(path: Path, text: str) -> None:
    with atomic_write(path, "w", errors="backslashreplace") as f:
        f.write(text)


def write_outcome(out: Path, name: str, outcome: Outcome) -> None:
    """Write one submission's files; ``results.json`` last (its presence means "done")."""
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / "feedback.md", clean(outcome.feedback))
    _write_atomic(folder / "details.json", json.dumps(clean(outcome.details), indent=1,
                                                      ensure_ascii=False))
    if outcome.executed is not None:
        _write_atomic(folder / "executed.ipynb", json.dumps(clean(outcome.executed), indent=1,
                                                            ensure_ascii=False))
    _write_atomic(folder / "results.json", json.dumps(clean(outcome.results), indent=1,
                                                      ensure_ascii=False))


def write_gradebook(out: Path) -> Path:
    """``OUTDIR/gradebook.csv`` from every ``OUTDIR/*/results.json``, sorted by name."""
    rows = []
    for path in sorted(out.glob("*/results.json")):
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
            extra = results["extra_data"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not isinstance(extra, dict):
            continue
        rows.append((path.parent.name, extra.get("assignment") or "", extra))
    columns = []                # (assignment, question) in first-seen order
    for _, assignment, extra in rows:
        for qid in extra.get("questions", {}):
            if (assignment, qid) not in columns:
                columns.append((assignment, qid))
    plain = [q for _, q in columns]
    header = [q if plain.count(q) == 1 else f"{a}:{q}" for a, q in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "assignment"] + header + ["total", "max", "status"])
    for name, assignment, extra in rows:
        qs = extra.get("questions", {})
        cells = [f"{qs[q]['score']:g}" if a == assignment and q in qs else ""
                 for a, q in columns]
        total = sum(v["score"] for v in qs.values())
        status = "+".join([str(extra.get("status", ""))] + list(extra.get("flags", [])))
        writer.writerow(clean([name, assignment] + cells +
                              [f"{total:g}", f"{extra.get('max_score', 0):g}", status]))
    path = out / "gradebook.csv"
    _write_atomic(path, buffer.getvalue())
    return path
