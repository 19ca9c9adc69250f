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
from pathlib import Path

import nbformat

from . import stored as S
from .notebook import BEGIN, Assignment, read_assignment, strip_solution

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


def stamp_chapters(book_dir: Path, repository, *, check: bool, out=print) -> list[str]:
    """:func:`stamp_chapter` on every ``book_dir/*.ipynb``; with ``check`` only list the
    chapters that would change. Returns the problems found (``check``) or an empty list."""
    problems = []
    for path in sorted(Path(book_dir).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if not stamp_chapter(nb, repository):
            continue
        if check:
            problems.append(f"{path}: install cell missing or out of date")
        else:
            path.write_text(serialize(nb), encoding="utf-8")
            out(f"wrote {path} (install cell)")
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
    expected = {}
    for path in sources:
        assignment = read_assignment(path)
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
    if repository is not None and book_dir.is_dir():
        problems += stamp_chapters(book_dir, repository, check=check, out=out)
    from .catalog import stamp_table
    problems += stamp_table(book_dir / "instructors.md", solutions_dir, check=check, out=out)
    if check:
        if problems:
            out("exercises/, the public checks' stored values or the chapters' install cells "
                "are stale — run `python -m wvlib course assign`:\n  " + "\n  ".join(problems))
            return 1
        out(f"exercises/ is up to date ({len(expected)} notebooks), and so are the stored "
            f"values of the public checks and the chapters' install cells")
    return 0


def exercise_metadata(nb) -> dict:
    """The ``wvlib`` metadata stamped into an exercise notebook (empty dict if none)."""
    meta = nb.get("metadata", {}).get("wvlib", {})
    return json.loads(json.dumps(meta)) if isinstance(meta, dict) else {}
