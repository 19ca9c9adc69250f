"""The chapters, and the exercises, use the notation of book/notation.md.

notation.md ends with a table of *retired spellings* (the left column, one LaTeX spelling per
code span). Every one of them must be absent from the mathematics of every chapter: the
``$...$`` and ``$$...$$`` of the markdown cells, and the ``$...$`` of the strings in code cells
(axis labels, titles, legends). A spelling matches whatever the spaces and the braces around
single tokens (``\\mathbf v_c``, ``\\mathbf{v}_{c_j}``), but not inside a longer name
(``U_k`` does not match ``U_{kl}``, ``t = 10^`` does not match ``\\tau = 10^``).

Four retired uses cannot be told by spelling alone and are rules of this module: alpha named
as a learning rate, alpha as the exponent of GloVe's weighting (a formula with x_max), a
truncation called "rank k" (or n, or "rank-r"), and any k in the formulas of chapters 1-3,
which come before negative samples.

The exercises follow the same rules: the solution notebooks ``solutions/chNN_*.ipynb`` (the
single source of ``exercises/``, which ``wvlib course assign`` generates from them) are read
like the chapters, and the exercises of chapters 1-3 may not use k in their formulas either.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTATION = BOOK / "notation.md"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("ch[0-9][0-9]_*.ipynb"))

# ---------------------------------------------------------------------------------------------
# reading notation.md and the chapters

def _section(text: str, title: str) -> str:
    """The body of the ``## title`` section of a markdown text."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"notation.md has no section '## {title}'"
    return match.group(1)


def _table_rows(section: str) -> list[list[str]]:
    """The body rows of the markdown tables of a section, split into cells (``\\|`` kept as
    a pipe inside a cell, as GitHub-flavoured markdown does)."""
    rows = []
    for line in section.splitlines():
        line = line.strip()
        if not line.startswith("|") or re.fullmatch(r"\|[-| :]+\|", line):
            continue
        cells = [c.strip().replace("\\|", "|")
                 for c in re.split(r"(?<!\\)\|", line.strip("|"))]
        rows.append(cells)
    return [r for r in rows if r[0] not in ("symbol", "retired")]  # drop header rows


def retired_spellings(text: str | None = None) -> list[str]:
    """The code spans of the left column of notation.md's "Retired spellings" table."""
    text = NOTATION.read_text(encoding="utf-8") if text is None else text
    spans = []
    for row in _table_rows(_section(text, "Retired spellings")):
        spans += re.findall(r"`([^`]+)`", row[0])
    return spans


_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[A-Za-z]|\d|[^\s{}]")


def spelling_pattern(spelling: str) -> re.Pattern:
    """A regex for a LaTeX spelling that tolerates spaces and braces between its tokens.

    The first and last tokens must not continue a longer name: a first letter must not follow
    a letter or a backslash (``t`` is not found in ``\\tau``, ``f(w)`` not in
    ``\\mathrm{df}(w)``) unless that letter is a one-letter subscript (``V_k`` is found in
    ``\\Sigma_kV_k``); a first digit must not follow a digit or a point; a final letter or
    digit must not be followed by another one (``U_k`` is not found in ``U_{kl}``)."""
    tokens = _TOKEN.findall(spelling)
    assert tokens, spelling
    body = r"[\s{}]*".join(re.escape(t) for t in tokens)
    # a letter may follow a one-letter subscript or superscript (the V of \Sigma_kV_k)
    head = (r"(?:(?<![A-Za-z\\])|(?<=[_^][A-Za-z]))" if re.fullmatch(r"[A-Za-z]", tokens[0])
            else r"(?<![0-9.])" if tokens[0].isdigit() else "")
    tail = r"(?![A-Za-z0-9])" if re.fullmatch(r"[A-Za-z0-9]|\\[A-Za-z]+",
                                                tokens[-1]) else ""
    return re.compile(head + body + tail)


_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.S)
_CODE_SPAN = re.compile(r"```.*?```|`[^`\n]*`", re.S)


def math_of_markdown(source: str) -> list[str]:
    """The ``$...$`` and ``$$...$$`` contents of a markdown text, code spans left out."""
    source = _CODE_SPAN.sub(" ", source)
    return [a or b for a, b in _MATH.findall(source)]


def math_of_code(source: str) -> list[str]:
    """The ``$...$`` contents of the string literals of a code cell, line by line (a doubled
    backslash of a non-raw string read as one)."""
    found = []
    for line in source.splitlines():
        line = line.replace("\\\\", "\\")
        found += [b for _, b in _MATH.findall(line) if b]
    return found


def prose_of_markdown(source: str) -> str:
    """A markdown text without its code spans and blocks, lines joined."""
    return re.sub(r"\s+", " ", _CODE_SPAN.sub(" ", source))


def chapter_texts(path: Path) -> tuple[list[str], str]:
    """All the mathematics of a chapter, and its prose."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    math, prose = [], []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            math += math_of_markdown(source)
            prose.append(prose_of_markdown(source))
        elif cell["cell_type"] == "code":
            math += math_of_code(source)
    return math, "\n".join(prose)


# ---------------------------------------------------------------------------------------------
# the rules that are not spellings

_LEARNING_RATE = re.compile(r"\\alpha.{0,60}learning rate|learning rate.{0,60}\\alpha",
                            re.I | re.S)
_RANK_SYMBOL = re.compile(r"rank[- ]\$\s*[kn]\s*\$|rank-\$\s*r\s*\$")
_GLOVE_ALPHA = re.compile(r"x_\{?\\max\}?[^$]{0,40}?\^\s*\{?\\alpha")
_ANY_K = re.compile(r"(?<![A-Za-z\\])k(?![A-Za-z])")


def chapter_number(path: Path) -> int | None:
    """The chapter a notebook belongs to: ``book/02_svd_by_hand.ipynb`` and its exercise
    ``solutions/ch02_svd_by_hand.ipynb`` are both chapter 2; None for any other name."""
    match = re.match(r"(?:ch)?(\d\d)_", path.stem)
    return int(match.group(1)) if match else None


def violations(path: Path) -> list[str]:
    """Every retired spelling and use in one chapter (or its exercise notebook), as readable
    messages."""
    math, prose = chapter_texts(path)
    found = []
    for spelling in retired_spellings():
        pattern = spelling_pattern(spelling)
        hits = sorted({m for m in math if pattern.search(m)})
        if hits:
            found.append(f"retired {spelling!r} in: " + " | ".join(h[:70] for h in hits[:3]))
    for match in _LEARNING_RATE.finditer(prose):
        found.append(f"alpha as a learning rate: ...{match.group(0)[:90]}...")
    for m in math:
        if _GLOVE_ALPHA.search(m):
            found.append(f"alpha as GloVe's exponent (it is gamma): {m[:70]}")
    for match in _RANK_SYMBOL.finditer(prose):
        found.append(f"truncation rank not d: ...{match.group(0)}...")
    if chapter_number(path) in (1, 2, 3):
        hits = sorted({m for m in math if _ANY_K.search(m)})
        if hits:
            found.append("k before negative samples: " + " | ".join(h[:70] for h in hits[:3]))
    return found


# ---------------------------------------------------------------------------------------------
# the tests

@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_uses_the_notation(path):
    found = violations(path)
    assert not found, f"{path.name} does not follow book/notation.md:\n" + "\n".join(found)


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_exercise_uses_the_notation(path):
    """The text and formulas of an exercise (its solution notebook, from which exercises/ is
    generated) follow notation.md like its chapter."""
    found = violations(path)
    assert not found, f"solutions/{path.name} does not follow book/notation.md:\n" + \
        "\n".join(found)


def test_the_chapters_are_found():
    assert [p.stem[:2] for p in CHAPTERS] == [f"{i:02d}" for i in range(1, 11)]


def test_the_exercises_are_found():
    """Every chapter with an exercise notebook is read, and the exercises of chapters 1-3 get
    the no-k rule."""
    numbers = [chapter_number(p) for p in SOLUTIONS]
    assert numbers[:9] == list(range(1, 10)) and numbers == sorted(set(numbers))
    assert chapter_number(Path("solutions/ch02_svd_by_hand.ipynb")) == 2
    assert chapter_number(Path("book/03_lsa.ipynb")) == 3
    assert chapter_number(Path("book/notation.md")) is None


def test_retired_list_is_read():
    spellings = retired_spellings()
    assert len(spellings) >= 40
    for expected in (r"\vec", r"\mathbf{v}_c", r"\mathbf{u}_o", r"\tilde{\mathbf{w}}",
                     "A_k", "U_k", r"\alpha_0", "|V|"):
        assert expected in spellings, expected


def test_each_symbol_has_one_meaning():
    """No symbol is listed in two rows of notation.md's tables (one symbol, one meaning)."""
    text = NOTATION.read_text(encoding="utf-8")
    body = text[:text.index("## Retired spellings")]
    seen: dict[str, str] = {}
    for row in _table_rows(body):
        for math in re.findall(r"\$([^$]+)\$", row[0]):
            for symbol in _split_top_level(math):
                assert symbol not in seen, (symbol, seen.get(symbol), row[1])
                seen[symbol] = row[1]
    assert len(seen) > 60


def _split_top_level(math: str) -> list[str]:
    """Split ``a, \\lambda`` at commas outside brackets: ``A[i, j]`` stays whole."""
    parts, depth, current = [], 0, ""
    for ch in math:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return [p for p in parts if p and p != r"\dots"]


# the matcher itself: it must find the retired spellings however they are typed, and must not
# fire on the spellings that replace them

@pytest.mark.parametrize("spelling, text", [
    (r"\mathbf{v}_c", r"\partial J / \partial \mathbf v_{c_j}"),
    (r"\mathbf{v}_c", r"\mathbf{v}_{c}^\top"),
    (r"\mathbf{u}_o", r"\mathbf{u}_o^\top\mathbf{v}_c"),
    (r"\vec", r"\vec w \cdot \vec c"),
    (r"\tilde{\mathbf{w}}", r"\tilde{\mathbf w}_k"),
    ("U_k", r"U_k\Sigma_k"),
    ("V_k", r"\Sigma_k V_k^\top"),
    ("V_k", r"U_k\Sigma_kV_k^\top"),
    (r"\Sigma_k", r"\Sigma_{k}^{-1}"),
    (r"\sigma_{k+1}", r"\sigma_{k+1}^2 + \dots"),
    ("|V|", r"O(|V|\,d)"),
    (r"\alpha_0", r"\alpha = \alpha_0(1 - t)"),
    ("t = 10^", r"t = 10^{-3}"),
    ("2m", r"\frac{1}{2m}"),
    ("WH", r"M \approx W H"),
    (r"\cos(d,", r"\cos(d, b) - \cos(d, a)"),
])
def test_matcher_finds(spelling, text):
    assert spelling_pattern(spelling).search(text)


@pytest.mark.parametrize("spelling, text", [
    ("U_k", r"U_d\Sigma_d"),
    ("U_k", r"U_{kl}"),
    ("A_k", r"\mathcal{A}_{d}"),
    (r"\mathbf{v}_c", r"\mathbf{v}_1"),
    (r"\mathbf{u}_o", r"\mathbf{u}_i"),
    ("t = 10^", r"\tau = 10^{-3}"),
    ("2m", r"12m"),
    ("X_i", r"X_{ik}"),        # X_{ik} is its own entry
    ("|V|", r"\lvert\mathcal V\rvert"),
    ("1/d", r"0.5/d"),
    ("f(w)", r"\mathrm{df}(w)"),
])
def test_matcher_spares(spelling, text):
    assert not spelling_pattern(spelling).search(text)


def test_rules_fire_on_a_slipped_chapter(tmp_path):
    """A chapter that slips on each rule is caught, with a message naming the rule."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [
            "The learning rate $\\alpha$ decays. The best rank-$k$ approximation "
            "$A_k = U_k\\Sigma_kV_k^\\top$ of $|V|$ words, "
            "$f(x) = (x/x_{\\max})^\\alpha$."]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["ax.set_title(\"rows of $U_k\\\\Sigma_k$\")\n"]},
        {"cell_type": "markdown", "metadata": {}, "source": [
            "Write `fold_in(q, U_k, s_k)` (code spans are code, not notation)."]},
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "03_slipped.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    found = "\n".join(violations(path))
    for expected in ("'A_k'", "'U_k'", "'V_k'", "'\\\\Sigma_k'", "'|V|'",
                     "alpha as a learning rate", "truncation rank not d", "GloVe's exponent",
                     "k before negative samples"):
        assert expected in found, (expected, found)
    assert "fold_in" not in found
    math, _ = chapter_texts(path)
    assert r"U_k\Sigma_k" in math                     # the figure title's math is read


def test_rules_fire_on_a_slipped_exercise(tmp_path):
    """An exercise of chapter 2 that calls the truncation rank k is caught (the no-k rule of
    chapters 1-3 included); the same text in a chapter-4 exercise only breaks the spelling and
    rank rules."""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [
        "## Question 4\n", "The best rank-$k$ approximation has error "
        "$\\sigma_{k+1}$, and $\\log X - \\log Y$ is a target."]}]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    found = {}
    for name in ("ch02_slipped", "ch04_slipped"):
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps(notebook), encoding="utf-8")
        found[name] = "\n".join(violations(path))
    for expected in ("'\\\\sigma_{k+1}'", "'\\\\log X'", "truncation rank not d"):
        assert expected in found["ch02_slipped"] and expected in found["ch04_slipped"], \
            (expected, found)
    assert "k before negative samples" in found["ch02_slipped"]
    assert "k before negative samples" not in found["ch04_slipped"]


def test_a_clean_chapter_passes(tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [
        "With learning rate $\\eta$, the best rank-$d$ approximation "
        "$A_d = U_d\\Sigma_dV_d^\\top$ of $\\lvert\\mathcal V\\rvert$ words; "
        "smoothing $P_\\alpha(c) \\propto \\#(c)^\\alpha$, "
        "$f(x) = \\min(1, (x/x_{\\max})^\\gamma)$."]}]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "04_clean.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    assert violations(path) == []
