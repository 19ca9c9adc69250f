"""The reports of a graded submission: ``results.json``, ``feedback.md``,
``feedback-final.md``, ``details.json``, ``executed.ipynb`` and the batch's ``gradebook.csv``.

Three rules hold for everything a learner may see (``results.json``'s visible parts, both
feedback files):

* **Hidden results stay hidden until they are published.** What is visible at once — the
  top-level ``output`` of ``results.json``, its ``visible`` tests, ``feedback.md`` — is computed
  from the public checks and from what happened before the first check ran, and nothing else:
  it is the same whether the hidden tests pass, fail or raise. The points, which depend on the
  hidden tests, are in the tests marked ``after_published`` and in ``feedback-final.md`` (to
  return when grades are published). A question whose core check is hidden (see the scoring
  rule in :mod:`wvlib.course.checks`) carries its points on its hidden tests only, so that its
  public tests' scores do not tell. A hidden test is reported by its description alone —
  never its inputs, nor how it failed (a wrong value, an exception, a time-out could each tell
  a bit of a hidden input).
* **Learner text is inert.** Everything a submission controls (outputs, error messages, file
  names, the first line of a cell, values quoted by a public check) goes through
  :func:`md`: one line, HTML characters as entities, Markdown syntax escaped — so it cannot
  forge a heading, a score or a tag; ``results.json`` says its outputs are Markdown.
* **Bounded.** A report holds at most ``MAX_REPORTED_CELLS`` cells, ``MAX_EVENTS`` events and
  capped texts, each cut with "… truncated"; lone surrogates become ``\udcff`` escapes
  (:func:`clean`); every write is atomic.
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

GRADER_VERSION = "3"
# how serious an execution problem is, for the one-word status of a submission
_SEVERITY = ["ok", "cell-errors", "timeout", "kernel-died", "kernel-failed"]
#: Bounds of a report (the rest is counted and cut with "… truncated").
MAX_REPORTED_CELLS = 300
MAX_EVENTS = 50
MAX_EVENT_CHARS = 500
MAX_MESSAGE_CHARS = 2000
MAX_EXECUTED_SOURCE = 2_000_000
MAX_CELL_SOURCE = 20_000
TRUNCATED = "… truncated"


@dataclass
class Outcome:
    """Everything written for one submission."""
    results: dict
    feedback: str
    details: dict
    executed: dict | None = None
    feedback_final: str | None = None

    @property
    def status(self) -> str:
        return self.results["extra_data"]["status"]


# --------------------------------------------------------------------------------------------
# Learner text
# --------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:=$])")


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with "… truncated" when it was longer."""
    return text if len(text) <= limit else text[:limit] + f" {TRUNCATED}"


def md(text, limit: int = 300) -> str:
    """Learner text made inert for Markdown, on one line: control characters (newlines
    included) become spaces, ``&``, ``<`` and ``>`` HTML entities, and every character that
    Markdown gives a meaning (emphasis, code, headings, links, lists, tables) is
    backslash-escaped. Renders as the text itself, never as markup."""
    text = clean(text if isinstance(text, str) else str(text))
    text = cut("".join(c if c.isprintable() else " " for c in text), limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_lines(text, indent: str = "  ", limit: int = MAX_MESSAGE_CHARS) -> str:
    """Several lines of learner-influenced text (a public check's message), each made inert by
    :func:`md`, joined by hard line breaks for a list item."""
    text = cut(clean(text if isinstance(text, str) else str(text)), limit)
    lines = [md(line, limit) for line in text.splitlines()[:40]]
    return ("  \n" + indent).join(line for line in lines if line.strip())


def _problem(base: dict, status: str, message: str, start: float) -> Outcome:
    """The outcome of a submission that could not be graded: zero points, and why."""
    extra = dict(base, status=status, max_score=0.0, questions={}, events=[message], cells=[])
    summary = f"Score: 0. {md(message, 1000)}"
    if not base["sandbox"]:
        summary = _NO_SANDBOX_WARNING + "  \n" + summary
    results = {"score": 0.0, "execution_time": round(time.monotonic() - start, 2),
               "output": summary, "output_format": "md", "test_output_format": "md",
               "visibility": "visible", "stdout_visibility": "hidden",
               "sandbox": base["sandbox"], "tests": [], "extra_data": extra}
    message = md(message, 1000)
    feedback = (f"# Feedback: {md(base['file'])}\n\n**Score: 0**\n\n"
                f"{message[:1].upper()}{message[1:]}\n")
    return Outcome(results, feedback, dict(extra, checks=[]), None, feedback)


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


# --------------------------------------------------------------------------------------------
# An executed submission
# --------------------------------------------------------------------------------------------
def _question_tests(q, rs, reasons) -> tuple[list[dict], float, bool]:
    """The Gradescope tests of one question, its points earned, and its gate. Points sit on
    the tests whose results they depend on: every test's share of the question's points if
    its core checks are public; on its hidden tests alone if a core check is hidden."""
    gate = gate_passed(rs)
    hidden_core = any(r.core and r.kind == "hidden" for r in rs)
    public_gate = all(r.passed for r in rs if r.core and r.kind == "public")
    weights = [r.weight for r in rs]
    if not hidden_core:
        worths = split_points(q.points, weights)
        scores = [w if (r.passed and gate and not reasons) else 0.0 for r, w in zip(rs, worths)]
    else:
        hidden = [i for i, r in enumerate(rs) if r.kind == "hidden"]
        worths = [0.0] * len(rs)
        for i, w in zip(hidden, split_points(q.points, [weights[i] for i in hidden])):
            worths[i] = w
        total_weight = sum(weights)
        earned = q.points * sum(r.weight for r in rs if r.passed) / total_weight \
            if gate and not reasons else 0.0
        scores = [0.0] * len(rs)
        for i, share in zip(hidden, split_points(earned, [worths[i] for i in hidden])):
            scores[i] = min(share, worths[i])
    tests = []
    for r, worth, score in zip(rs, worths, scores):
        if r.kind == "public":
            counted = r.passed and not reasons and (public_gate or hidden_core)
            output = md_lines(r.message) if not r.passed else ""
            if r.passed and reasons:
                output = ("This check passed, but the question gets no points: its answer "
                          "uses a forbidden module.")
            elif r.passed and not public_gate and not hidden_core:
                output = ("This check passed, but it counts only once the question's main "
                          "check passes.")
            status = "passed" if counted else "failed"
        else:  # hidden: the description only, never the inputs, nor how it failed
            status = "passed" if (r.passed and gate and not reasons) else "failed"
            output = "" if status == "passed" else f"Hidden test failed: {md(r.description)}."
        test = {"name": f"{q.id}: {r.description}" + (" (hidden)" if r.kind == "hidden"
                                                      else ""),
                "score": score, "max_score": worth, "status": status, "output": output,
                "output_format": "md",
                "visibility": "visible" if r.kind == "public" else "after_published",
                "extra_data": {"question": q.id, "kind": r.kind, "weight": r.weight}}
        if r.kind == "public":
            test["extra_data"]["error_kind"] = r.error_kind
        tests.append(test)
    return tests, float(sum(scores)), gate


def _report(base, kit, session, results, forbidden, start) -> Outcome:
    """Scores, results.json, feedback.md, feedback-final.md and details.json of an executed
    submission."""
    by_question = {q.id: [r for r in results if r.question == q.id] for q in kit.questions}
    tests, questions, checks_detail = [], {}, []
    for q in kit.questions:
        rs = by_question[q.id]
        reasons = forbidden.get(q.id, [])
        q_tests, earned, gate = _question_tests(q, rs, reasons)
        tests += q_tests
        for r in rs:
            checks_detail.append({"question": q.id, "kind": r.kind,
                                  "description": r.description, "passed": r.passed,
                                  "weight": r.weight, "error_kind": r.error_kind,
                                  "core": r.core, "message": cut(r.message, 5000)})
        questions[q.id] = {"score": earned, "max_score": float(q.points),
                           "forbidden": reasons, "main_check_passed": gate}
    score = float(sum(v["score"] for v in questions.values()))
    runs = list(session.runs.values())
    cells = [{"index": run.index, "status": run.status, "ename": cut(run.ename, 200),
              "evalue": cut(run.evalue, 500), "seconds": round(run.duration, 2),
              "output_truncated": run.truncated} for run in runs[:MAX_REPORTED_CELLS]]
    status = _execution_status(session)
    events = _bounded(list(dict.fromkeys(session.events)))
    extra = dict(base, status=status, max_score=float(kit.total_points), questions=questions,
                 events=events, cells=cells, grader_version=GRADER_VERSION)
    if len(runs) > MAX_REPORTED_CELLS:
        extra["cells_truncated"] = len(runs) - MAX_REPORTED_CELLS
    summary = _summary(kit, tests, forbidden, session, base)
    results = {"score": score, "execution_time": round(time.monotonic() - start, 2),
               "output": summary, "output_format": "md", "test_output_format": "md",
               "test_name_format": "text", "visibility": "visible",
               "stdout_visibility": "hidden", "sandbox": base["sandbox"], "tests": tests,
               "extra_data": extra}
    details = dict(extra, checks=checks_detail, isolation=getattr(session, "isolation", {}))
    return Outcome(results, _feedback(kit, base, results, session, forbidden, final=False),
                   details, _executed_notebook(session),
                   _feedback(kit, base, results, session, forbidden, final=True))


def _bounded(events: list[str]) -> list[str]:
    kept = [cut(e, MAX_EVENT_CHARS) for e in events[:MAX_EVENTS]]
    if len(events) > MAX_EVENTS:
        kept.append(f"{TRUNCATED}: {len(events) - MAX_EVENTS} more events")
    return kept


def _execution_status(session, public: bool = False) -> str:
    """The one-word status of a run; ``public``: from what happened before the first check
    (what a learner may see at once)."""
    events = session.events
    starts, gave_up = session.starts, session.gave_up
    if public and session.public_events is not None:
        events, starts, gave_up = (session.public_events, session.public_starts,
                                   session.public_gave_up)
    worst = "ok"
    for run in session.runs.values():
        level = {"error": "cell-errors", "timeout": "timeout", "dead": "kernel-died"}.get(
            run.status, "ok")
        worst = max(worst, level, key=_SEVERITY.index)
    if any(e.startswith("the notebook's time limit") for e in events):
        worst = max(worst, "timeout", key=_SEVERITY.index)
    if starts > 1 or gave_up:
        worst = max(worst, "kernel-died", key=_SEVERITY.index)
    if any(e.startswith("the kernel could not start") for e in events):
        worst = "kernel-failed"
    return worst


def _public_counts(tests, qid) -> tuple[int, int]:
    mine = [t for t in tests if t["extra_data"]["question"] == qid
            and t["visibility"] == "visible"]
    return sum(t["status"] == "passed" for t in mine), len(mine)


def _summary(kit, tests, forbidden, session, base) -> str:
    """The top-level ``output`` of results.json: visible at once, so public results only."""
    lines = []
    if not base["sandbox"]:
        lines.append(_NO_SANDBOX_WARNING)
    hidden = sum(t["visibility"] != "visible" for t in tests)
    lines.append(f"**{md(kit.title)}** — public checks below; the score"
                 + (f" and {hidden} hidden tests appear when grades are published."
                    if hidden else " is the sum of the tests."))
    for note in base.get("flag_notes", []):
        lines.append(f"Note: {md(note, 600)}")
    for q in kit.questions:
        passed, total = _public_counts(tests, q.id)
        note = " — no points: the answer uses a forbidden module" if forbidden.get(q.id) else ""
        lines.append(f"- {md(q.id)}: {passed} of {total} public checks passed{note}")
    status = _execution_status(session, public=True)
    if status != "ok":
        lines.append(f"Running the notebook: {status}.")
    return "  \n".join(lines)


def _cell_label(run) -> str:
    first = next((x.strip() for x in run.source.splitlines() if x.strip()), "")
    return f"cell {run.index + 1} ({md(first, 60)})" if first else f"cell {run.index + 1}"


def _run_problems(session, final: bool) -> list[str]:
    problems = []
    for run in list(session.runs.values()):
        if len(problems) >= 30:
            problems.append(f"- {TRUNCATED}: more cells had problems")
            break
        if run.status == "error":
            problems.append(f"- {_cell_label(run)} raised **{md(run.ename, 100)}**: "
                            f"{md(run.evalue, 300)}")
        elif run.status == "timeout":
            problems.append(f"- {_cell_label(run)} ran out of time and was stopped")
        elif run.status == "dead":
            problems.append(f"- {_cell_label(run)} made the kernel die; it was left out and "
                            f"the other cells were run again")
    events = session.events if final or session.public_events is None else \
        session.public_events
    problems += [f"- {md(e, MAX_EVENT_CHARS)}" for e in _bounded(list(dict.fromkeys(events)))
                 if not e.startswith(("cell ", "the kernel died while running cell"))]
    return problems


def _feedback(kit, base, results, session, forbidden, *, final: bool) -> str:
    """The learner's report, in Markdown: ``final=False`` gives ``feedback.md`` (public checks
    only, nothing that depends on a hidden test: safe to show at once); ``final=True`` gives
    ``feedback-final.md`` (points, hidden tests by description: once grades are published)."""
    score = results["score"]
    out = [f"# Feedback: {md(kit.title)}", ""]
    if final:
        out += [f"Submission `{md(base['file'])}` — "
                f"**{score:g} / {kit.total_points:g} points**", ""]
    else:
        hidden = sum(t["visibility"] != "visible" for t in results["tests"])
        out += [f"Submission {md(base['file'])} — public checks only; the points"
                + (f" and {hidden} hidden tests come with the published grades"
                   if hidden else " come with the published grades") + ".", ""]
    if not base["sandbox"]:
        out += [f"> {_NO_SANDBOX_WARNING}", ""]
    for note in base.get("flag_notes", []):
        out += [f"> **Note:** {md(note, 600)}", ""]
    out += ["## Running your notebook", ""]
    problems = _run_problems(session, final)
    ran = sum(1 for r in session.runs.values() if r.status != "skipped")
    out += problems or [f"All {ran} code cells ran without errors."]
    out.append("")
    tests = results["tests"]
    for q in kit.questions:
        info = results["extra_data"]["questions"][q.id]
        if final:
            out += [f"## {md(q.id)} — {info['score']:g} / {info['max_score']:g} points", ""]
        else:
            passed, total = _public_counts(tests, q.id)
            out += [f"## {md(q.id)} — {passed} of {total} public checks passed", ""]
        if forbidden.get(q.id):
            out += [f"**No points for this question:** your answer uses "
                    f"{md(', '.join(q.forbid))}, whose own implementation the exercise asks "
                    f"you to write yourself:", ""]
            out += [f"- {md(reason)}" for reason in forbidden[q.id]] + [""]
        for t in tests:
            if t["extra_data"]["question"] != q.id:
                continue
            hidden = t["extra_data"]["kind"] == "hidden"
            if hidden and not final:
                continue
            description = md(t["name"].split(": ", 1)[1].removesuffix(" (hidden)"))
            mark = "✔" if t["status"] == "passed" else "✘"
            line = f"- {mark} {'hidden test: ' if hidden else ''}{description}"
            if t["status"] != "passed" and not hidden and t["output"]:
                line += "  \n  " + t["output"]
            out.append(line)
        if not final and any(t["extra_data"]["question"] == q.id and
                             t["extra_data"]["kind"] == "hidden" for t in tests):
            out.append("- hidden tests: their results come with the published grades")
        out.append("")
    return "\n".join(out)


def _executed_notebook(session) -> dict:
    """The code cells as run, with their (capped) outputs, as an nbformat 4 notebook; at most
    ``MAX_REPORTED_CELLS`` cells and ``MAX_EXECUTED_SOURCE`` characters of source."""
    cells, budget = [], MAX_EXECUTED_SOURCE
    runs = list(session.runs.values())
    for run in runs[:MAX_REPORTED_CELLS]:
        source = cut(run.source, min(MAX_CELL_SOURCE, max(budget, 0)))
        budget -= len(source)
        cells.append({"cell_type": "code", "execution_count": None, "id": f"cell-{run.index}",
                      "metadata": {"wvlib_grade": {"status": run.status,
                                                   "seconds": round(run.duration, 2),
                                                   "output_truncated": run.truncated}},
                      "outputs": run.outputs, "source": source})
    if len(runs) > MAX_REPORTED_CELLS:
        cells.append({"cell_type": "markdown", "id": "truncated", "metadata": {},
                      "source": f"{TRUNCATED}: {len(runs) - MAX_REPORTED_CELLS} more code "
                                f"cells are not shown"})
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
    _write_atomic(folder / "feedback-final.md", clean(outcome.feedback_final
                                                      if outcome.feedback_final is not None
                                                      else outcome.feedback))
    _write_atomic(folder / "details.json", json.dumps(clean(outcome.details), indent=1,
                                                      ensure_ascii=False))
    if outcome.executed is not None:
        _write_atomic(folder / "executed.ipynb", json.dumps(clean(outcome.executed), indent=1,
                                                            ensure_ascii=False))
    _write_atomic(folder / "results.json", json.dumps(clean(outcome.results), indent=1,
                                                      ensure_ascii=False))


#: The files of one submission's result, ``results.json`` last.
OUTCOME_FILES = ("feedback.md", "feedback-final.md", "details.json", "executed.ipynb",
                 "results.json")


def write_outcome_safely(out: Path, name: str, outcome: Outcome) -> Outcome | None:
    """Write one submission's files; if that fails (a full disk), delete what was written of
    them and write a short ``results.json`` that says so instead — status ``out-of-space``
    (a rerun grades the submission again) or ``grader-error``. Returns what was written, or
    None when not even that could be written."""
    import errno
    try:
        write_outcome(out, name, outcome)
        return outcome
    except Exception as exc:  # noqa: BLE001 - whatever it is, this submission gets a result
        problem = exc
    for file in OUTCOME_FILES:
        try:
            (out / name / file).unlink()
        except OSError:
            pass
    extra = outcome.results.get("extra_data", {})
    base = {key: extra.get(key, "") for key in ("submission", "file", "submission_sha256",
                                                 "sandbox", "sandbox_description")}
    base["sandbox"] = bool(base["sandbox"])
    full = isinstance(problem, OSError) and problem.errno in (errno.ENOSPC, errno.EDQUOT,
                                                               errno.EFBIG)
    if full:
        short = _problem(base, "out-of-space",
                         "its reports could not be written: the output folder's disk is full "
                         f"({problem.strerror}); free some space and run the batch again, "
                         "which grades this submission again", time.monotonic())
    else:
        short = _problem(base, "grader-error", f"its results could not be written: "
                                               f"{type(problem).__name__}", time.monotonic())
    try:
        write_outcome(out, name, short)
        return short
    except Exception:  # noqa: BLE001 - counted by the batch: its exit status says so
        return None


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
