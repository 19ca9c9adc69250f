"""Which assignment a notebook's cells come from, read from its content.

A submission says what it is in two ways a learner controls: its file name and the metadata
that ``wvlib course assign`` stamped (``metadata.wvlib.assignment``). Its code says it a third
way: the lines of the official exercise outside the solution blocks — the ``#| question:``
directives, the signatures and docstrings of the functions to write, the ``check(...)`` cells,
the set-up code — stay in a solved notebook. :func:`recognise` compares a notebook's code lines
with those of every assignment (lines shared by two assignments, and short ones, do not
count) and names the assignment whose lines it holds, if one clearly stands out.

The grader uses it to flag a notebook whose content disagrees with what it was graded as
(``content-mismatch``), and to grade a notebook whose name and metadata say nothing by its
content (a note in its feedback says so).
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..course.notebook import BEGIN, END

#: Lines shorter than this (after removing spaces) are too common to identify anything.
MIN_LINE = 12
#: A notebook is recognised as an assignment when it holds at least this share of that
#: assignment's identifying lines, and at least RATIO times the share of any other.
MIN_SHARE = 0.3
RATIO = 2.0
#: Only the first cells and lines count (a huge notebook costs no more).
MAX_CELLS, MAX_LINES_PER_CELL = 2000, 400


def _normal(line: str) -> str:
    return " ".join(line.split())


def _digest(line: str) -> str:
    return hashlib.sha1(line.encode("utf-8", "replace")).hexdigest()[:16]


def code_lines(sources) -> set[str]:
    """Digests of the normalised code lines of ``sources`` (long enough to count), outside
    solution blocks."""
    found = set()
    for source in list(sources)[:MAX_CELLS]:
        inside = False
        for line in source.splitlines()[:MAX_LINES_PER_CELL]:
            text = _normal(line)
            if text == BEGIN:
                inside = True
            elif text == END:
                inside = False
            elif not inside and len(text.replace(" ", "")) >= MIN_LINE:
                found.add(_digest(text))
    return found


@dataclass(frozen=True)
class Fingerprints:
    """The identifying lines of each assignment (digests)."""
    lines: dict

    def shares(self, sources) -> dict[str, float]:
        """For each assignment, the share of its identifying lines found in ``sources``."""
        seen = code_lines(sources)
        return {a: len(lines & seen) / len(lines) for a, lines in self.lines.items() if lines}


def _solution_sources(path: Path) -> list[str]:
    import nbformat
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


@functools.lru_cache(maxsize=8)
def _fingerprints(solutions: str, stamp: tuple) -> Fingerprints:
    per = {}
    for path in sorted(Path(solutions).glob("*.ipynb")):
        try:
            per[path.stem] = code_lines(_solution_sources(path))
        except Exception:  # noqa: BLE001 - an unreadable solution identifies nothing
            per[path.stem] = set()
    counts: dict[str, int] = {}
    for lines in per.values():
        for line in lines:
            counts[line] = counts.get(line, 0) + 1
    return Fingerprints({a: frozenset(x for x in lines if counts[x] == 1)
                         for a, lines in per.items()})


def fingerprints(solutions) -> Fingerprints:
    """The fingerprints of the official notebooks in ``solutions`` (read once per change)."""
    folder = Path(solutions)
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.ipynb")))
    return _fingerprints(str(folder), stamp)


def recognise(sources, prints: Fingerprints) -> str | None:
    """The assignment whose official code lines ``sources`` hold, or None when no assignment
    clearly stands out (see :data:`MIN_SHARE` and :data:`RATIO`)."""
    shares = sorted(prints.shares(sources).items(), key=lambda kv: -kv[1])
    if not shares or shares[0][1] < MIN_SHARE:
        return None
    if len(shares) > 1 and shares[0][1] < RATIO * shares[1][1]:
        return None
    return shares[0][0]
