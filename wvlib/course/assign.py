"""Generate learner notebooks (``exercises/``) from the solution sources (``solutions/``).

``python -m wvlib course assign`` rewrites ``exercises/``; ``--check`` only compares and exits
non-zero when an exercise is missing, stale or has no source any more.

Each exercise starts with a guarded install cell, so that it also runs on Colab or Binder (or in
any fresh Python): when ``wvlib`` cannot be imported, ``%pip install`` installs it from the
course's repository; where it is installed (the course's own environment, Binder, the grader)
the cell does nothing. The repository is ``repository.url`` and ``repository.branch`` of the
book's ``_config.yml`` next to ``solutions/``, so a teacher's copy installs from itself.

The chapters (``book/*.ipynb``) get the same cell, for the book's Colab launch button: it is
their first code cell, tagged ``remove-cell`` (the page does not show it). ``assign`` puts it
there or brings it up to date, and ``--check`` reports a chapter whose cell is missing or stale.

Each chapter with an assignment (``book/08_one_view.ipynb`` ↔ ``solutions/ch08_one_view.ipynb``)
ends with its **exercise box**, also stamped from the solution notebook
(:func:`exercise_box_source`): the download link, each question's title, points and kind, and
the total, in a markdown cell of its own (id ``wvlib-exercises``). A hand-written box left in
the page is replaced, so that there is always exactly one; ``--check`` reports a box that is
missing or stale.

``assign`` also computes the **stored values** of the public checks (see
:mod:`wvlib.course.stored`): it runs ``public_values()`` of each assignment's hidden tests
(``solutions/hidden/<id>.py``, instructor side: the reference implementations applied to the
public inputs) and writes ``wvlib/course/public/data/<id>.json``; ``--check`` reports a data
file that is missing or whose values changed. And it writes the question table of
``book/instructors.md`` (:mod:`wvlib.course.catalog`).
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import textwrap
from pathlib import Path

import nbformat

from . import stored as S
from .notebook import BEGIN, KINDS, Assignment, ExerciseFormatError, read_assignment, \
    strip_solution

FORMAT_VERSION = 1


def source_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def read_repository(config_path) -> tuple[str, str] | None:
    """``(url, branch)`` from the ``repository`` section of a Jupyter Book ``_config.yml``;
    None when the file does not exist."""
    import yaml
    config_path = Path(config_path)
    if not config_path.is_file():
        return None
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    repo = config.get("repository") if isinstance(config, dict) else None
    url = repo.get("url") if isinstance(repo, dict) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ValueError(f"{config_path}: repository.url must be the http(s) address of the "
                         f"course's git repository, got {url!r}")
    branch = repo.get("branch") or "main"
    if not isinstance(branch, str) or not branch.strip() or any(c in branch for c in " \"'"):
        raise ValueError(f"{config_path}: repository.branch must be a branch name, "
                         f"got {branch!r}")
    return url.strip().rstrip("/"), branch.strip()


def install_cell_source(url: str, branch: str) -> str:
    """The guarded ``%pip install`` of the course library from its repository."""
    return (
        "# On Colab, Binder or a fresh Python: install the course library `wvlib` from the\n"
        "# course's repository. Where wvlib is already installed, this cell does nothing.\n"
        "import importlib\n"
        "import importlib.util\n"
        "\n"
        f'WVLIB_SOURCE = "git+{url}@{branch}"\n'
        'if importlib.util.find_spec("wvlib") is None:\n'
        '    %pip install --quiet "wvlib @ {WVLIB_SOURCE}"\n'
        "    importlib.invalidate_caches()"
    )


def make_exercise(assignment: Assignment,
                  repository: tuple[str, str] | None = None) -> nbformat.NotebookNode:
    """The learner's version: solutions stubbed, outputs cleared, metadata stamped; with
    ``repository=(url, branch)``, a guarded install cell first."""
    nb = copy.deepcopy(assignment.notebook)
    questions = {q.cell_index: q for q in assignment.questions}
    for i, cell in enumerate(nb.cells):
        cell.pop("id", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if BEGIN in cell.source:
                cell.source = strip_solution(cell.source, questions[i].id if i in questions
                                             else "")
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in ("tags",)}
    nb.metadata = {
        "kernelspec": assignment.notebook.metadata.get(
            "kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"}),
        "language_info": {"name": "python"},
        "wvlib": {
            "assignment": assignment.id,
            "title": assignment.title,
            "format": FORMAT_VERSION,
            "source_digest": source_digest(assignment.path),
            "questions": {q.id: q.points for q in assignment.questions},
        },
    }
    nb.nbformat, nb.nbformat_minor = 4, 5
    if repository is not None:
        nb.cells.insert(0, nbformat.v4.new_code_cell(install_cell_source(*repository)))
    for i, cell in enumerate(nb.cells):  # stable ids so regeneration is byte-identical
        cell["id"] = f"{assignment.id[:40]}-{i:03d}"
    return nb


CHAPTER_INSTALL_CELL_ID = "wvlib-install"


def stamp_chapter(nb, repository: tuple[str, str]) -> bool:
    """Make the guarded install cell the first code cell of a chapter notebook (id
    ``wvlib-install``, tagged ``remove-cell``), or bring it up to date. Returns True when
    ``nb`` changed."""
    source = install_cell_source(*repository)
    tags = ["remove-cell"]
    ids = [i for i, cell in enumerate(nb.cells) if cell.get("id") == CHAPTER_INSTALL_CELL_ID]
    first_code = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"),
                      len(nb.cells))
    if ids == [first_code]:
        cell = nb.cells[first_code]
        if cell.source == source and cell.metadata.get("tags") == tags:
            return False
        cell.source, cell.metadata["tags"] = source, tags
        return True
    for i in reversed(ids):                      # misplaced or repeated: start again
        del nb.cells[i]
    first_code = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"),
                      len(nb.cells))
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags})
    cell["id"] = CHAPTER_INSTALL_CELL_ID
    nb.cells.insert(first_code, cell)
    return True


EXERCISE_BOX_ID = "wvlib-exercises"
#: the cell metadata that marks the stamped exercise box (with its id)
EXERCISE_BOX_MARK = "exercise-box"
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")
_KIND_PHRASES = {"derivation": ("a", "derive a result on paper and enter it"),
                 "implementation": ("an", "write a function"),
                 "judgement": ("a", "choose, on data or from the chapter's numbers")}


def chapter_assignment(chapter: Path, assignments: dict):
    """The assignment of a chapter page: ``book/08_one_view.ipynb`` → ``ch08_one_view`` (the
    same name with ``ch`` in front), or None."""
    return assignments.get(f"ch{Path(chapter).stem}")


def _points(p: float) -> str:
    return f"{p:g} point" + ("" if p == 1 else "s")


def _wrap(text: str, width: int = 92, indent: str = "") -> str:
    """Wrap prose at spaces, never inside ``$math$`` or ```code``` spans."""
    protected = re.sub(r"(\$[^$]*\$|`[^`]*`)", lambda m: m.group(0).replace(" ", "\0"), text)
    lines = textwrap.wrap(protected, width=width, subsequent_indent=indent,
                          break_long_words=False, break_on_hyphens=False)
    return "\n".join(line.replace("\0", " ") for line in lines)


def exercise_box_source(assignment: Assignment) -> str:
    """The "Exercises" box at the end of a chapter page, from the solution notebook: the
    download link of the exercise (the book adds "open it in Colab or Binder" next to it), each
    question's title, points and kind, and the total."""
    questions = assignment.questions
    for q in questions:
        if not q.title:
            raise ExerciseFormatError(
                f"{assignment.path.name}: question {q.id!r} has no title for the chapter's "
                f"exercise box: introduce it with '## Question N — TITLE (P points)' or add "
                f"'#| title: TITLE'")
    n = len(questions)
    count = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
    name = assignment.path.name
    intro = (f"and work through its {count} graded question{'' if n == 1 else 's'} "
             f"({_points(assignment.total_points)}):")
    items = []
    for i, q in enumerate(questions, 1):
        title = q.title[0].upper() + q.title[1:] if q.title[0].islower() else q.title
        items.append(_wrap(f"{i}. **{title}** ({_points(q.points)}, {q.kind})", indent="   "))
    kinds = [kind for kind in KINDS if any(q.kind == kind for q in questions)]
    legend = "; ".join(f"{_KIND_PHRASES[kind][0]} *{kind}*"
                       f"{' asks you to' if i == 0 else ', to'} {_KIND_PHRASES[kind][1]}"
                       for i, kind in enumerate(kinds))
    closing = _wrap(f"{legend[0].upper() + legend[1:]}. Each answer has a `check(...)` cell "
                    f"that tells you at once what is right and what is not; the points are "
                    f"decided by hidden tests, on inputs you have not seen.")
    return "\n".join([
        "## Exercises", "",
        "```{exercise}", f":label: ex-{assignment.id.split('_', 1)[0]}", "",
        "Download the exercise notebook",
        f"{{download}}`{name} <../exercises/{name}>`",
        intro, "", *items, "", closing, "```"])


def _is_box(cell) -> bool:
    return cell.get("id") == EXERCISE_BOX_ID or \
        cell.get("metadata", {}).get("wvlib") == EXERCISE_BOX_MARK


def strip_old_box(text: str) -> str:
    """``text`` without a hand-written exercise box: an ``{exercise}`` block (back-tick or colon
    fence) that links a notebook in ``exercises/``, and the ``## Exercises`` heading before it."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        opening = re.match(r"^(`{3,}|:{3,})\{exercise\}", lines[i].strip())
        if opening:
            fence = opening.group(1)
            j = i + 1
            while j < len(lines) and not (set(lines[j].strip()) == {fence[0]}
                                          and len(lines[j].strip()) >= len(fence)):
                j += 1
            if any("exercises/" in line for line in lines[i:j + 1]):
                while out and not out[-1].strip():
                    out.pop()
                if out and re.match(r"^#{1,6}\s+Exercises?\s*$", out[-1].strip()):
                    out.pop()
                while out and not out[-1].strip():
                    out.pop()
                i = j + 1
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out).rstrip() if out != lines else text


def stamp_exercise_box(nb, assignment: Assignment) -> bool:
    """Make the chapter's exercise box (:func:`exercise_box_source`) its last cell (a markdown
    cell with id ``wvlib-exercises`` and ``metadata.wvlib = "exercise-box"``), or bring it up to
    date; a hand-written box left in another cell is removed (and its cell, if nothing else is
    in it). Returns True when ``nb`` changed."""
    source = exercise_box_source(assignment)
    cells = []
    for cell in nb.cells:
        if _is_box(cell):
            continue
        if cell.cell_type == "markdown":
            text = strip_old_box(cell.source)
            if not text.strip() or re.fullmatch(r"#{1,6}\s+Exercises?\s*", text.strip()):
                continue
            if text != cell.source:
                cell = copy.deepcopy(cell)
                cell.source = text
        cells.append(cell)
    last = nb.cells[-1] if nb.cells else None
    if last is not None and _is_box(last) and last.source == source and \
            last.get("id") == EXERCISE_BOX_ID and \
            last.metadata.get("wvlib") == EXERCISE_BOX_MARK and \
            len(cells) == len(nb.cells) - 1 and \
            all(a is b for a, b in zip(cells, nb.cells)):
        return False
    box = nbformat.v4.new_markdown_cell(source, metadata={"wvlib": EXERCISE_BOX_MARK})
    box["id"] = EXERCISE_BOX_ID
    nb.cells = cells + [box]
    return True


def stamp_chapters(book_dir: Path, repository, *, check: bool, out=print,
                   assignments: dict | None = None) -> list[str]:
    """On every ``book_dir/*.ipynb``: :func:`stamp_chapter` (when ``repository`` is given) and,
    for a chapter with an assignment (:func:`chapter_assignment`), :func:`stamp_exercise_box`.
    With ``check`` only list the chapters that would change. Returns the problems found
    (``check``) or an empty list."""
    problems = []
    for path in sorted(Path(book_dir).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        changed = []
        if repository is not None and stamp_chapter(nb, repository):
            changed.append("install cell")
        assignment = chapter_assignment(path, assignments or {})
        if assignment is not None and stamp_exercise_box(nb, assignment):
            changed.append("exercise box")
        if not changed:
            continue
        if check:
            problems += [f"{path}: {what} missing or out of date" for what in changed]
        else:
            path.write_text(serialize(nb), encoding="utf-8")
            out(f"wrote {path} ({', '.join(changed)})")
    return problems


def serialize(nb) -> str:
    return nbformat.writes(nb) + ("" if nbformat.writes(nb).endswith("\n") else "\n")


def find_sources(solutions_dir: Path) -> list[Path]:
    return sorted(p for p in Path(solutions_dir).glob("*.ipynb"))


def public_values(solutions_dir: Path, assignment_id: str) -> dict | None:
    """What ``public_values()`` of the assignment's hidden tests returns (the stored values of
    its public checks), or None when there is no hidden file or no such function."""
    from .checks import load_check_module
    hidden = Path(solutions_dir) / "hidden" / f"{assignment_id}.py"
    if not hidden.is_file():
        return None
    module, _ = load_check_module(hidden)
    function = getattr(module, "public_values", None)
    if function is None:
        return None
    values = function()
    if not isinstance(values, dict):
        raise TypeError(f"{hidden}: public_values() must return a dict, got "
                        f"{type(values).__name__}")
    return values


def store_values(solutions_dir: Path, assignment_id: str, data_dir=None, *, check: bool,
                 out=print) -> list[str]:
    """Write (or, with ``check``, compare) the stored values of one assignment; return the
    problems found."""
    values = public_values(solutions_dir, assignment_id)
    if values is None:
        return []
    target = S.data_file(assignment_id, data_dir)
    text = S.dumps(values, assignment_id)
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if check:
        if current is None:
            return [f"{target}: missing"]
        try:
            changed = S.differences(S.loads(current), S.loads(text))
        except (ValueError, KeyError, TypeError) as exc:
            return [f"{target}: unreadable ({exc})"]
        return [f"{target}: {', '.join(changed[:5])}"] if changed else []
    if current is not None and not S.differences(S.loads(current), S.loads(text)):
        return []                     # equal within round-off: keep the file as it is
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    out(f"wrote {target}")
    return []


def assign(solutions_dir="solutions", exercises_dir="exercises", *, check=False,
           config=None, out=print, data_dir=None) -> int:
    """Regenerate (or, with ``check``, verify) every exercise and the public checks' stored
    values. Returns an exit status.

    ``config`` is the book's ``_config.yml`` whose ``repository.url`` the install cell uses
    (default: the one next to ``solutions_dir``; without it, exercises get no install cell).
    ``data_dir``: where the stored values go (default: ``wvlib/course/public/data``)."""
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    config = Path(config) if config else solutions_dir.resolve().parent / "_config.yml"
    repository = read_repository(config)
    if repository is None and not check:
        out(f"note: no {config}, so the exercises get no install cell for Colab/Binder")
    if not solutions_dir.is_dir():
        raise ValueError(f"solutions_dir {str(solutions_dir)!r} is not a directory")
    sources = find_sources(solutions_dir)
    if not sources:
        raise ValueError(f"solutions_dir {str(solutions_dir)!r} holds no .ipynb files")
    expected, assignments = {}, {}
    for path in sources:
        assignment = assignments[path.stem] = read_assignment(path)
        expected[exercises_dir / path.name] = serialize(make_exercise(assignment, repository))
    problems = []
    existing = set(exercises_dir.glob("*.ipynb")) if exercises_dir.is_dir() else set()
    for target, text in expected.items():
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if check:
            problems.append(f"{target}: {'missing' if current is None else 'out of date'}")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            out(f"wrote {target}")
    for orphan in sorted(existing - set(expected)):
        if check:
            problems.append(f"{orphan}: no source in {solutions_dir}")
        else:
            orphan.unlink()
            out(f"removed {orphan} (no source)")
    for path in sources:
        problems += store_values(solutions_dir, path.stem, data_dir, check=check, out=out)
    book_dir = config.parent / "book"
    if book_dir.is_dir():
        problems += stamp_chapters(book_dir, repository, check=check, out=out,
                                   assignments=assignments)
    from .catalog import stamp_table
    problems += stamp_table(book_dir / "instructors.md", solutions_dir, check=check, out=out)
    if check:
        if problems:
            out("exercises/, the public checks' stored values or the chapters' install cells "
                "or exercise boxes are stale — run `python -m wvlib course assign`:\n  "
                + "\n  ".join(problems))
            return 1
        out(f"exercises/ is up to date ({len(expected)} notebooks), and so are the stored "
            f"values of the public checks and the chapters' install cells and exercise boxes")
    return 0


def exercise_metadata(nb) -> dict:
    """The ``wvlib`` metadata stamped into an exercise notebook (empty dict if none)."""
    meta = nb.get("metadata", {}).get("wvlib", {})
    return json.loads(json.dumps(meta)) if isinstance(meta, dict) else {}
