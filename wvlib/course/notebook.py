"""Reading exercise sources: questions, points and solution blocks in ``solutions/*.ipynb``.

Conventions (see the README, "Writing an exercise"):

* The notebook's metadata may carry a title: ``metadata["wvlib"]["title"]``. The assignment id is
  the file's stem (``solutions/ch01_words_as_vectors.ipynb`` → ``ch01_words_as_vectors``).
* A graded question is a code cell that starts with directive comments::

      #| question: q1-cosine
      #| points: 2
      #| kind: implementation
      #| forbid: wvlib.vectors, scipy.stats
      #| reimplements: wvlib.vectors.KeyedVectors.similarity

  ``question`` (an id: lowercase letters, digits, ``-``, ``_``), ``points`` (positive) and
  ``kind`` are required. ``kind`` is one of :data:`KINDS`: ``derivation`` (the learner derives a
  result — a SymPy expression, a number only the derivation gives), ``implementation`` (the
  learner writes a function that the hidden tests run on unseen inputs) or ``judgement`` (the
  learner chooses — a hyperparameter, a method, a statement — from data or from the chapter).
  ``forbid`` (optional) lists the modules — any importable module, ``scipy.stats`` as well as
  ``wvlib.pmi`` — whose use earns the question no points. ``reimplements`` (optional) lists the
  library functions (dotted names) the answer reimplements: the copy report
  (``wvlib course similarity``) compares each answer with their source; without it, with every
  function of the ``forbid`` modules of ``wvlib``.

* Each question has a short **title**, shown in the chapter's exercise box (stamped by
  ``wvlib course assign``): the markdown heading that introduces it,
  ``## Question N — TITLE (P points)`` (the last heading between the previous question cell and
  this one), or a ``#| title: TITLE`` line, which takes precedence. The heading is checked:
  ``N`` must be the question's position and ``P`` its ``#| points:``.

* Solution code sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines (the nbgrader
  convention). In the learner's version the block becomes a stub that raises
  ``NotImplementedError``, indented like the block it replaces.
* Public check cells call ``check("q1-cosine")``; they are kept as they are.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_DIRECTIVE = re.compile(r"^#\|\s*([a-z_-]+)\s*:\s*(.*?)\s*$")
_QUESTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
#: ``## Question 3 — a title (2 points)``: the heading a question's title is read from
_HEADING = re.compile(r"^##\s+Question\s+(\d+)\s*[—–-]+\s*(.+?)\s*"
                      r"\((\d+(?:\.\d+)?)\s+points?\)\s*$")
_TITLE_MAX = 100
#: The kinds of question (``#| kind: ...``), in the order the instructors' table lists them.
KINDS = ("derivation", "implementation", "judgement")


class ExerciseFormatError(ValueError):
    """A solution notebook breaks the conventions above; the message says where."""


@dataclass
class Question:
    id: str
    points: float
    cell_index: int
    forbid: list[str] = field(default_factory=list)  # modules the answer may not use
    kind: str = "implementation"                       # one of KINDS
    reimplements: list[str] = field(default_factory=list)  # library functions it redoes
    title: str = ""                                    # short title (heading or #| title:)


@dataclass
class Assignment:
    id: str
    path: Path
    title: str
    questions: list[Question]
    notebook: nbformat.NotebookNode

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(f"question {qid!r} is not in assignment {self.id!r}")


def cell_directives(source: str) -> dict[str, str]:
    """The ``#| key: value`` lines at the top of a cell (a key given on several lines has
    its values joined by ", ", so that a long ``reimplements`` list can be split)."""
    out = {}
    for line in source.splitlines():
        m = _DIRECTIVE.match(line.strip())
        if not m:
            break
        key, value = m.group(1), m.group(2)
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def read_assignment(path) -> Assignment:
    """Parse a solution notebook; raise :class:`ExerciseFormatError` on a malformed one."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.get("wvlib", {})
    questions, seen = [], set()
    heading = None                    # the last question heading since the previous question
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            first = cell.source.strip().split("\n", 1)[0] if cell.source.strip() else ""
            if first.startswith("## Question"):
                heading = (i, _HEADING.match(first.strip()), first.strip())
            continue
        if cell.cell_type != "code":
            continue
        d = cell_directives(cell.source)
        if "question" not in d:
            if BEGIN in cell.source:
                raise ExerciseFormatError(f"{path.name}, cell {i}: a solution block outside a "
                                          f"question cell (add '#| question: ID')")
            continue
        qid = d["question"]
        if not _QUESTION_ID.match(qid):
            raise ExerciseFormatError(f"{path.name}, cell {i}: question id {qid!r} must be "
                                      f"lowercase letters, digits, '-' or '_'")
        if qid in seen:
            raise ExerciseFormatError(f"{path.name}, cell {i}: question id {qid!r} repeated")
        seen.add(qid)
        try:
            points = float(d.get("points", ""))
        except ValueError:
            raise ExerciseFormatError(f"{path.name}, cell {i}: question {qid!r} needs "
                                      f"'#| points: N' with a number") from None
        if points <= 0:
            raise ExerciseFormatError(f"{path.name}, cell {i}: points must be positive")
        if BEGIN not in cell.source:
            raise ExerciseFormatError(f"{path.name}, cell {i}: question {qid!r} has no "
                                      f"'{BEGIN}' block")
        kind = d.get("kind", "")
        if kind not in KINDS:
            raise ExerciseFormatError(f"{path.name}, cell {i}: question {qid!r} needs "
                                      f"'#| kind: K' with K one of {', '.join(KINDS)}, got "
                                      f"{kind!r}")
        forbid = _dotted_list(d.get("forbid", ""), path, i, "forbid", "module")
        reimplements = _dotted_list(d.get("reimplements", ""), path, i, "reimplements",
                                    "function")
        title = _question_title(d, heading, len(questions) + 1, points, qid, path, i)
        heading = None
        questions.append(Question(qid, points, i, forbid, kind, reimplements, title))
    if not questions:
        raise ExerciseFormatError(f"{path.name}: no graded question (cells with "
                                  f"'#| question: ID' and '#| points: N')")
    return Assignment(path.stem, path, meta.get("title", path.stem), questions, nb)


def _question_title(directives, heading, number, points, qid, path, i) -> str:
    """The title of a question: ``#| title:``, else its ``## Question N — TITLE (P points)``
    heading, whose number and points must agree with the question; "" when it has neither."""
    if heading is not None:
        where, match, text = heading
        if match is None:
            raise ExerciseFormatError(
                f"{path.name}, cell {where}: a question heading must read '## Question N — "
                f"TITLE (P points)', got {text!r}")
        if int(match.group(1)) != number:
            raise ExerciseFormatError(
                f"{path.name}, cell {where}: the heading says question {match.group(1)}, but "
                f"{qid!r} (cell {i}) is question {number}")
        if float(match.group(3)) != points:
            raise ExerciseFormatError(
                f"{path.name}, cell {where}: the heading says {match.group(3)} points, but "
                f"{qid!r} (cell {i}) has '#| points: {points:g}'")
    if "title" in directives:
        title = directives["title"]
    elif heading is not None:
        title = heading[1].group(2)
    else:
        return ""
    if not title or len(title) > _TITLE_MAX:
        raise ExerciseFormatError(f"{path.name}, cell {i}: the title of {qid!r} must be 1 to "
                                  f"{_TITLE_MAX} characters, got {title!r}")
    return title


def _dotted_list(text: str, path: Path, i: int, key: str, what: str) -> list[str]:
    """A comma-separated list of dotted names (``wvlib.pmi, scipy.stats``)."""
    names = [s.strip() for s in text.split(",") if s.strip()]
    for name in names:
        if not _DOTTED.match(name):
            raise ExerciseFormatError(f"{path.name}, cell {i}: '#| {key}:' takes dotted "
                                      f"{what} names separated by commas, got {name!r}")
    return names


def strip_solution(source: str, question: str = "") -> str:
    """Replace every ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block by a stub."""
    lines = source.splitlines()
    out, inside, indent = [], False, ""
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ExerciseFormatError(f"nested '{BEGIN}' at line {n}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            what = f" for {question}" if question else ""
            out.append(f"{indent}# YOUR CODE HERE{what}")
            out.append(f"{indent}raise NotImplementedError(\"replace this line with your "
                       f"code\")")
        elif stripped == END:
            if not inside:
                raise ExerciseFormatError(f"'{END}' without '{BEGIN}' at line {n}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ExerciseFormatError(f"'{BEGIN}' without '{END}'")
    return "\n".join(out)


def solution_lines(source: str) -> list[str]:
    """The non-blank lines inside solution blocks (used by the leak test)."""
    lines, inside = [], False
    for line in source.splitlines():
        s = line.strip()
        if s == BEGIN:
            inside = True
        elif s == END:
            inside = False
        elif inside and s:
            lines.append(s)
    return lines
