"""Every ```bash block of README.md runs, so that the README cannot drift from the code.

The blocks are extracted from the README itself; each command runs in a temporary folder
(``wvlib`` is ``python -m wvlib`` of this checkout), in the order of its block, so that a
command can use the file written by the one before (``evaluate ppmi.txt``). A command that
would take minutes, install packages or need material that a README reader has and a test does
not (a folder of submissions) is replaced by the command in ``SUBSTITUTES``, with the reason;
every other command runs exactly as written. A substitute whose command is no longer in the
README fails the test, so the table stays in step with the README.
"""
import os
import re
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# README command -> (replacement commands, why). "{root}" is the repository, "{tmp}" the
# temporary folder. Commands are lists of arguments; "check-requirements" is done in Python.
SUBSTITUTES = {
    "python3 -m venv .venv": (
        [["python", "-m", "venv", "--help"]],
        "creating a virtual environment is left to CI (.ci/run); the venv module must exist"),
    ".venv/bin/pip install -q -r requirements.txt": (
        [["check-requirements"]],
        "no installation in a test: every requirement of requirements.txt (and of the extras "
        "it names) must be satisfied by the installed packages"),
    ".venv/bin/jupyter-book build .": (
        [["python", "-c", "from jupyter_book.cli.main import main; main()", "build", "--help"]],
        "the full build takes minutes; the built_book fixture of tests/conftest.py runs exactly "
        "this command in a fresh copy of the repository (slow tests)"),
    ".venv/bin/python -m pytest": (
        [["python", "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
          "{root}/tests/test_methods.py"]],
        "the whole suite cannot run inside itself; its configuration (pyproject.toml addopts, "
        "markers, plugins) must load"),
    "wvlib course assign": (
        [["wvlib", "course", "assign", "--solutions", "{root}/solutions", "--exercises",
          "{tmp}/exercises"]],
        "run from the repository root it rewrites exercises/; here it writes a copy"),
    "wvlib course assign --check": (
        [["wvlib", "course", "assign", "--check", "--solutions", "{root}/solutions",
          "--exercises", "{root}/exercises"]],
        "read-only; the repository's folders instead of the temporary folder's"),
    "wvlib course grade submissions/ --out graded/": (
        [["make-submissions"], ["wvlib", "course", "grade", "submissions/", "--out", "graded/"]],
        "a reader brings the submissions: here one blank exercise notebook"),
    "wvlib course grade submissions/ --out graded/ --jobs 2": (
        [["make-submissions"],
         ["wvlib", "course", "grade", "submissions/", "--out", "graded2/", "--jobs", "2"]],
        "a reader brings the submissions: here one blank exercise notebook"),
    "wvlib bench svd": (
        [["wvlib", "bench", "svd", "--n", "2000", "--k", "20", "--top", "10"]],
        "the default 20,000 x 20,000 matrix with k = 300 takes minutes: a small one"),
    "wvlib bench ppmi": (
        [["wvlib", "bench", "ppmi", "--corpus", "lee", "--repeat", "1", "--dim", "20"]],
        "three paired runs on enwiki-sample take about a minute: one run on lee"),
    "wvlib train glove --corpus enwiki-sample --out glove.txt": (
        [["wvlib", "train", "glove", "--corpus", "lee", "--epochs", "2", "--out",
          "glove.txt"]],
        "25 epochs on enwiki-sample take a minute: two on lee (bench glove measures the rest)"),
    "wvlib bench glove": (
        [["wvlib", "bench", "glove", "--corpus", "lee", "--epochs", "2", "--dim", "20",
          "--no-jit"]],
        "25 epochs on enwiki-sample and a cold-JIT measurement take minutes: lee, 2 epochs"),
    "wvlib bench word2vec": (
        [["wvlib", "bench", "word2vec", "--corpus", "lee", "--seeds", "1", "--epochs", "1"]],
        "three seeds of wvlib and gensim on enwiki-sample take minutes: one seed on lee"),
    "wvlib train fasttext --corpus enwiki-sample --out ft.txt": (
        [["wvlib", "train", "fasttext", "--corpus", "lee", "--epochs", "2", "--out",
          "ft.txt"]],
        "5 epochs on enwiki-sample take about 10 s: two on lee (bench fasttext measures the "
        "rest); it writes ft.npz too, which the next command reads"),
    "wvlib bench fasttext": (
        [["wvlib", "bench", "fasttext", "--corpus", "lee", "--seeds", "1", "--epochs", "1",
          "--bucket", "100000"]],
        "three seeds of wvlib, gensim and the C++ code (when installed) on enwiki-sample "
        "take minutes: one seed on lee"),
    "wvlib bench process": (
        [["wvlib", "bench", "process", "--corpus", "lee", "--tokens", "3000", "--pairs", "1"]],
        "nine pairs of whole processes on 350k tokens take about 80 s: one pair on 3k tokens"),
    "wvlib bench scale": (
        [["wvlib", "bench", "scale", "--tokens", "20000", "--threads", "1,2", "--methods",
          "sgns,glove,ppmi-svd", "--no-gensim"]],
        "a million tokens, every method beside gensim, take a minute: 20,000 tokens"),
    "wvlib book build --cached": (
        [["wvlib", "book", "build", "--help"]],
        "a book build takes minutes; tests/test_book.py (marked slow) runs it"),
}


def bash_blocks(text):
    """The commands of every ```bash block: comments dropped, ``&&`` chains split."""
    blocks = []
    for body in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        commands = []
        for line in body.splitlines():
            line = line.split(" #")[0].strip() if not line.lstrip().startswith("#") else ""
            commands += [part.strip() for part in line.split("&&") if part.strip()]
        blocks.append(commands)
    return blocks


BLOCKS = bash_blocks(README.read_text(encoding="utf-8"))


def test_readme_has_the_blocks_this_test_expects():
    commands = [c for block in BLOCKS for c in block]
    assert len(BLOCKS) >= 4 and len(commands) >= 15
    stale = [c for c in SUBSTITUTES if c not in commands]
    assert not stale, f"substitutes for commands no longer in the README: {stale}"
    for command in commands:                           # runnable as written, or substituted
        assert "[" not in command or command in SUBSTITUTES, command


def _requirement_lines():
    """requirements.txt, with ``-e .[extras]`` expanded into the project's dependencies and
    those extras (recursively) from pyproject.toml."""
    import tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines, extras = [], []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-e"):
            target = line.split()[-1]
            assert target.startswith("."), line                  # this repository
            lines += project["dependencies"]
            extras += re.findall(r"\[(.*)\]", target)[0].split(",") if "[" in target else []
        elif line:
            lines.append(line)
    while extras:
        extra = extras.pop().strip()
        for item in project["optional-dependencies"][extra]:
            if item.startswith(project["name"] + "["):
                extras += item[len(project["name"]) + 1:-1].split(",")
            else:
                lines.append(item)
    return lines


def test_requirements_install_the_extras_and_the_core_is_what_the_library_imports():
    lines = " ".join(_requirement_lines())
    for package in ("jupyter_client", "pyzmq", "ipykernel", "nbclient", "jupyter-book",
                    "pytest", "gensim", "numba"):
        assert package in lines
    import tomllib
    core = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not any(name in " ".join(core) for name in ("nbformat", "ipykernel", "matplotlib",
                                                         "jupyter", "pytest"))


def _check_requirements():
    from packaging.requirements import Requirement
    missing = []
    for line in _requirement_lines():
        requirement = Requirement(line)
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            missing.append(line)
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            missing.append(f"{line} (installed {version})")
    assert not missing, f"requirements.txt is not satisfied: {missing}"


def _make_submissions(tmp):
    folder = tmp / "submissions"
    folder.mkdir(exist_ok=True)
    source = ROOT / "exercises" / "ch01_words_as_vectors.ipynb"
    (folder / "student_a.ipynb").write_bytes(source.read_bytes())


def _run(argv, tmp):
    argv = [a.replace("{root}", str(ROOT)).replace("{tmp}", str(tmp)) for a in argv]
    if argv == ["check-requirements"]:
        return _check_requirements()
    if argv == ["make-submissions"]:
        return _make_submissions(tmp)
    if argv[0] in ("wvlib", ".venv/bin/wvlib"):
        argv = [sys.executable, "-m", "wvlib"] + argv[1:]
    elif argv[0] in ("python", "python3", ".venv/bin/python"):
        argv = [sys.executable] + argv[1:]
    elif argv[0] in ("jupyter-book", ".venv/bin/jupyter-book"):
        argv = [str(Path(sys.executable).parent / "jupyter-book")] + argv[1:]
    env = dict(os.environ, PYTHONPATH=str(ROOT), WVLIB_PROGRESS="0")
    result = subprocess.run(argv, cwd=tmp, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, (f"{shlex.join(argv)} exited with {result.returncode}:\n"
                                    f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index, tmp_path):
    for command in BLOCKS[index]:
        if command in SUBSTITUTES:
            for argv in SUBSTITUTES[command][0]:
                _run(argv, tmp_path)
        else:
            _run(shlex.split(command), tmp_path)
    if any(c.startswith("wvlib train ppmi-svd") for c in BLOCKS[index]):
        assert (tmp_path / "ppmi.txt").stat().st_size > 1_000_000
    if any(c.startswith("wvlib course grade") for c in BLOCKS[index]):
        graded = [p for p in tmp_path.glob("graded*/gradebook.csv")]
        assert graded and all("student_a" in p.read_text() for p in graded)


def test_readme_train_counts_on_toy_runs_as_written(tmp_path):
    """The command of issue 9 (fast, so outside the slow tier too)."""
    command = "wvlib train counts --corpus toy --out toy.txt"
    assert command in [c for block in BLOCKS for c in block]
    _run(shlex.split(command), tmp_path)
    assert (tmp_path / "toy.txt").read_text().split()[0].isdigit()
