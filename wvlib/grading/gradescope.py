"""A Gradescope autograder bundle for one assignment.

    python -m wvlib course gradescope ASSIGNMENT --out autograder.zip [--solutions DIR]

The zip holds, at its root (Gradescope unpacks it into ``/autograder/source``):

``setup.sh``
    run once when Gradescope builds the image: installs Python, bubblewrap, the grading
    dependencies (``requirements.txt``) and ``wvlib`` itself from the source copied into
    ``wvlib-src/`` (``pyproject.toml``, ``README.md`` and the ``wvlib`` package — the library
    the learners' notebooks import, and the grader);
``run_autograder``
    run for each submission: copies the submitted ``*.ipynb`` files, runs the same grader as
    ``wvlib course grade`` on them and writes ``/autograder/results/results.json`` — also when
    nothing was submitted or the grader failed, so that Gradescope always shows a result;
``solutions/<id>.ipynb``, ``solutions/hidden/<id>.py`` and ``solutions/hidden/grading.key``
    the official questions, points and hidden tests of this assignment only, and the course's
    grading key (so that every run draws the same hidden inputs for the same file).

For testing, ``run_autograder`` takes its root from ``AUTOGRADER_ROOT`` (default
``/autograder``), its Python from ``WVLIB_PYTHON`` (default the one ``setup.sh`` installs) and
extra grader flags from ``WVLIB_GRADE_FLAGS``.
"""
from __future__ import annotations

import io
import json
import stat
import sys
import zipfile
from pathlib import Path

#: Requirements of the repository that grading does not need (the book, the tests).
_NOT_FOR_GRADING = ("-e", "jupyter-book", "sphinx", "pytest", "nbval", "hypothesis",
                    "playwright", "pyyaml")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope image setup for the wvlib autograder (assignment {assignment}).
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip bubblewrap >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q --upgrade pip
/autograder/venv/bin/pip install -q -r requirements.txt
/autograder/venv/bin/pip install -q ./wvlib-src
# the official material is for the grader's eyes only
chmod -R go-rwx solutions
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Grade one Gradescope submission of {assignment} with `wvlib course grade`.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{WVLIB_PYTHON:-$ROOT/venv/bin/python}}"
SOURCE="$(cd "$(dirname "$0")" && pwd)"
[ -d "$SOURCE/solutions" ] || SOURCE="$ROOT/source"
WORK="$(mktemp -d)"
mkdir -p "$ROOT/results" "$WORK/submission"
# the submitted notebooks (any folder depth), nothing else
find "$ROOT/submission" -type f -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' \\
  -exec cp {{}} "$WORK/submission/" \\;
# shellcheck disable=SC2086
"$PYTHON" -m wvlib course grade "$WORK/submission" --out "$WORK/graded" \\
  --assignment {assignment} --solutions "$SOURCE/solutions" --jobs 1 ${{WVLIB_GRADE_FLAGS:-}}
status=$?
"$PYTHON" -m wvlib.grading.gradescope collect "$WORK/graded" "$ROOT/results/results.json" \\
  {assignment} "$status"
rm -rf "$WORK"
"""


def requirements(repo: Path) -> str:
    """The grading requirements: the repository's, minus the book and test tools."""
    lines = []
    source = repo / "requirements.txt"
    text = source.read_text(encoding="utf-8") if source.is_file() else \
        "numpy\nscipy\nipykernel\nnbformat\njupyter_client\npyzmq\n"
    for line in text.splitlines():
        bare = line.strip()
        if not bare or bare.startswith("#"):
            continue
        if any(bare.lower().startswith(prefix) for prefix in _NOT_FOR_GRADING):
            continue
        lines.append(bare)
    for needed in ("ipykernel", "jupyter_client", "pyzmq", "nbformat"):
        if not any(line.lower().replace("-", "_").startswith(needed) for line in lines):
            lines.append(needed)
    return "\n".join(lines) + "\n"


def _add(z: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # reproducible zips
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    z.writestr(info, data)


def build_bundle(assignment: str, out: Path, solutions: Path, repo: Path) -> list[str]:
    """Write the zip; return the names it holds."""
    from ..course.notebook import read_assignment
    notebook = solutions / f"{assignment}.ipynb"
    hidden = solutions / "hidden" / f"{assignment}.py"
    if not notebook.is_file():
        known = sorted(p.stem for p in solutions.glob("*.ipynb"))
        raise ValueError(f"assignment must name a notebook in {str(solutions)!r}, got "
                         f"{assignment!r} (known: {known})")
    read_assignment(notebook)  # fails early on a malformed source
    package = Path(__file__).resolve().parents[1]
    files = {"setup.sh": (SETUP_SH.format(assignment=assignment).encode(), True),
             "run_autograder": (RUN_AUTOGRADER.format(assignment=assignment).encode(), True),
             "requirements.txt": (requirements(repo).encode(), False),
             f"solutions/{assignment}.ipynb": (notebook.read_bytes(), False)}
    if hidden.is_file():
        files[f"solutions/hidden/{assignment}.py"] = (hidden.read_bytes(), False)
    from .grade import KEY_FILE, grading_secret
    grading_secret(solutions)       # the course's key: every run on Gradescope draws alike
    files[f"solutions/hidden/{KEY_FILE}"] = ((solutions / "hidden" / KEY_FILE).read_bytes(),
                                             False)
    for name in ("pyproject.toml", "README.md"):
        if (repo / name).is_file():
            files[f"wvlib-src/{name}"] = ((repo / name).read_bytes(), False)
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[f"wvlib-src/wvlib/{path.relative_to(package).as_posix()}"] = \
                (path.read_bytes(), False)
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name in sorted(files):
            data, executable = files[name]
            _add(z, name, data, executable)
    out.write_bytes(buffer.getvalue())
    return sorted(files)


def collect(graded: Path, results_file: Path, assignment: str, status: int) -> int:
    """Copy the result of the submitted notebook to Gradescope's ``results.json``.

    Several notebooks: the one named after the assignment, else the best score (said in the
    output). None, or a grader failure: a zero result that says why.
    """
    found = []
    for path in sorted(graded.glob("*/results.json")) if graded.is_dir() else []:
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    if not found:
        why = ("no .ipynb file was found in the submission" if status == 0 else
               f"the autograder failed (exit status {status}); please tell your instructor")
        result = {"score": 0.0, "output": f"Score: 0. {why}.", "tests": [],
                  "visibility": "visible", "stdout_visibility": "hidden"}
    else:
        named = [r for r in found if r.get("extra_data", {}).get("file", "").startswith(
            assignment)]
        result = (named or sorted(found, key=lambda r: -r.get("score", 0)))[0]
        if len(found) > 1:
            files = ", ".join(r.get("extra_data", {}).get("file", "?") for r in found)
            result["output"] = (f"Several notebooks were submitted ({files}); graded: "
                                f"{result.get('extra_data', {}).get('file', '?')}.\n"
                                + result.get("output", ""))
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(result.get("output", ""))
    return 0


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------
def add_arguments(parser) -> None:
    parser.add_argument("assignment", help="assignment id (a solutions/<id>.ipynb)")
    parser.add_argument("--out", required=True, help="zip file to write")
    parser.add_argument("--solutions", default=None,
                        help="folder of the solution notebooks (default: ./solutions, else "
                             "the one next to the wvlib package)")


def run(args) -> int:
    from .grade import default_solutions
    solutions = Path(args.solutions) if args.solutions else default_solutions()
    if not solutions.is_dir():
        raise ValueError(f"--solutions {str(solutions)!r} is not a folder")
    repo = solutions.resolve().parent
    if not (repo / "pyproject.toml").is_file():
        repo = Path(__file__).resolve().parents[2]
    out = Path(args.out)
    names = build_bundle(args.assignment, out, solutions, repo)
    print(f"wrote {out} ({len(names)} files): upload it as the autograder of "
          f"{args.assignment} on Gradescope")
    return 0


def _main(argv) -> int:
    """``python -m wvlib.grading.gradescope collect GRADED RESULTS ASSIGNMENT STATUS``
    (used by ``run_autograder``)."""
    if len(argv) != 5 or argv[0] != "collect":
        print(_main.__doc__, file=sys.stderr)
        return 2
    return collect(Path(argv[1]), Path(argv[2]), argv[3], int(argv[4]))


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))

