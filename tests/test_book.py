"""The built book: every chapter in the table of contents becomes a page, with its figures."""
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


def test_every_toc_entry_exists():
    for name in toc_files():
        matches = list(ROOT.glob(name + ".*"))
        assert matches, f"_toc.yml names {name}, which has no .md or .ipynb file"


HIDDEN_TAGS = {"remove-cell", "remove-input"}


@pytest.mark.parametrize("path", sorted((ROOT / "book").glob("*.ipynb")),
                         ids=lambda p: p.stem)
def test_visible_code_lines_fit_the_page(path):
    """The code a reader sees (cells not tagged to be removed) keeps lines to 88 characters;
    the browser test checks that they fit the column without a sideways scroll."""
    import unicodedata

    import nbformat
    long = []
    for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code" or HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            continue
        for line in cell.source.splitlines():
            columns = sum(not unicodedata.combining(ch) for ch in line)   # w̃ is one column
            if columns > 88:
                long.append(f"cell {i}: {columns} columns: {line}")
    assert not long, "\n".join(long)


def test_book_builds_with_every_page_and_figure(built_book):
    assert (built_book / "index.html").exists()
    for name in toc_files():
        page = built_book / f"{name}.html"
        assert page.exists(), f"{page} was not built"
        html = page.read_text(encoding="utf-8")
        for src in re.findall(r'<img[^>]+src="([^"]+)"', html):
            if src.startswith(("http:", "https:", "data:")):
                continue
            assert (page.parent / src).resolve().exists(), f"{name}: missing image {src}"


def test_chapters_with_code_have_rendered_figures(built_book):
    for name in toc_files():
        source = next(ROOT.glob(name + ".*"))
        if source.suffix == ".ipynb" and "plt." in source.read_text(encoding="utf-8"):
            html = (built_book / f"{name}.html").read_text(encoding="utf-8")
            assert re.search(r'<img[^>]+src="[^"]+\.(png|svg)"', html), \
                f"{name} draws figures but the page has none"


def test_pages_show_plain_numbers_not_numpy_scalar_reprs(built_book):
    """NumPy 2 prints a scalar in a list or tuple as ``np.float64(0.5)``: pages show numbers."""
    found = {page.name: re.findall(r"np\.(?:float|int)\d+\([^)]*\)", page.read_text("utf-8"))
             for page in (built_book / "book").glob("*.html")}
    assert not {name: hits[:3] for name, hits in found.items() if hits}


def test_build_has_no_execution_reports(built_book):
    reports = built_book / "reports"
    logs = list(reports.glob("**/*.log")) if reports.exists() else []
    assert not logs, f"notebook errors: {[p.name for p in logs]}"


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    commands = [line for b in blocks for line in b.splitlines()
                if line and not line.startswith("#") and "pip install" in line]
    assert len(commands) == 2, "the README must give exactly two set-up commands"
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in ci.replace("\\\n", ""), ".ci/run must run the README's test command"


@pytest.mark.slow                              # two small book builds
@pytest.mark.parametrize("code, fails", [("raise RuntimeError('this cell fails')", True),
                                         ("print(1 + 1)", False)])
def test_a_failing_cell_fails_the_build(tmp_path, code, fails):
    """The book's own configuration turns an exception in any notebook cell into a failed build
    (and the same one-page book with a working cell builds)."""
    import nbformat
    from wvlib.book import build
    (tmp_path / "book").mkdir()
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    (tmp_path / "_config.yml").write_text(config)
    (tmp_path / "book" / "references.bib").write_text(
        (ROOT / "book" / "references.bib").read_text(encoding="utf-8"))
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/broken\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Broken"),
                nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "book" / "broken.ipynb")
    lines = []
    status = build(tmp_path, out=lines.append)
    assert (status != 0) == fails, lines
    assert any("FAILED" in line for line in lines) == fails


# -- the plain `jupyter-book build .` ------------------------------------------------------------
def _tiny_book(tmp_path, repository_url):
    """A two-page book with the course's _config.yml (repository.url replaced): a Markdown page
    with math and a notebook page that links an exercise for download."""
    import nbformat
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["repository"]["url"] = repository_url
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n"
                                       "  - file: book/chapter\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "references.bib").write_text(
        (ROOT / "book" / "references.bib").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "book" / "intro.md").write_text(
        "# Intro\n\nInline $x^\\top y$ and display\n\n$$\\boldsymbol{A} = U\\Sigma V^\\top$$\n")
    (tmp_path / "exercises").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "exercises" / "ch99_tiny.ipynb")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        "# Chapter\n\nDownload the exercise notebook "
        "{download}`ch99_tiny.ipynb <../exercises/ch99_tiny.ipynb>`\nand solve it.")]
    nb.cells[0].id = "chapter-0"  # the same source every time
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "book" / "chapter.ipynb")
    return tmp_path


@pytest.mark.slow  # a (one-page) book build
def test_plain_jupyter_book_build_serves_mathjax_and_links_from_repository_url(tmp_path):
    """`jupyter-book build .` alone (no wrapper, no npm) puts MathJax 3 and its fonts into the
    site, and every launch link follows repository.url."""
    import subprocess
    from wvlib.book import jupyter_book_command
    book = _tiny_book(tmp_path, "https://github.com/teacher-x/my-course")
    done = subprocess.run(jupyter_book_command() + ["build", "."], cwd=book,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    site = book / "_build" / "html"
    mathjax = site / "_static" / "mathjax"
    script = (mathjax / "tex-chtml.js").read_text(encoding="utf-8")
    assert 'VERSION="3.' in script
    assert (mathjax / "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff").stat().st_size
    assert (mathjax / "input/tex/extensions/boldsymbol.js").exists()
    intro = (site / "book" / "intro.html").read_text(encoding="utf-8")
    assert re.search(r'<script[^>]+src="\.\./_static/mathjax/tex-chtml\.js', intro), \
        "the page must load MathJax from the site"
    assert "cdn.jsdelivr" not in intro and "mathjax@" not in intro
    chapter = (site / "book" / "chapter.html").read_text(encoding="utf-8")
    path = "book/chapter.ipynb"
    assert f"https://mybinder.org/v2/gh/teacher-x/my-course/main?urlpath=tree/{path}" in chapter
    assert (f"https://colab.research.google.com/github/teacher-x/my-course/blob/main/{path}"
            in chapter)
    exercise = "exercises/ch99_tiny.ipynb"
    assert (f'href="https://colab.research.google.com/github/teacher-x/my-course/blob/main/'
            f'{exercise}"' in chapter)
    assert (f'href="https://mybinder.org/v2/gh/teacher-x/my-course/main?urlpath=tree/'
            f'{exercise}"' in chapter)
    assert "wvlib-course" not in chapter, "a link still points at the original repository"


@pytest.mark.slow  # a (one-page) book build
def test_wvlib_book_build_gives_the_same_site_as_the_plain_build(tmp_path):
    """`wvlib book build` only adds strictness and a fresh execution around the same
    `jupyter-book build`: same files, same pages, MathJax included — no npm step."""
    import filecmp
    import subprocess
    from wvlib.book import build, jupyter_book_command
    plain = _tiny_book(tmp_path / "plain", "https://github.com/teacher-x/my-course")
    done = subprocess.run(jupyter_book_command() + ["build", "."], cwd=plain,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    wrapped = _tiny_book(tmp_path / "wrapped", "https://github.com/teacher-x/my-course")
    lines = []
    assert build(wrapped, out=lines.append) == 0, lines
    a, b = plain / "_build" / "html", wrapped / "_build" / "html"

    def files(site):
        return {str(p.relative_to(site)) for p in site.rglob("*")
                if p.is_file() and ".doctrees" not in p.parts}

    assert files(a) == files(b)
    assert "_static/mathjax/tex-chtml.js" in files(a)
    pages = sorted(f for f in files(a) if f.endswith((".html", ".js", ".ipynb", ".woff")))
    _, mismatch, errors = filecmp.cmpfiles(a, b, pages, shallow=False)
    assert not mismatch and not errors, mismatch + errors
