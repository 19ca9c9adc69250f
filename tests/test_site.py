"""The built site as a reader gets it: no solution leaks, and every page works in a real browser
(headless Chromium): math typeset offline, figures loaded, internal links resolving, no console
errors. Screenshots of every page are saved in ``test-artifacts/screenshots/``."""
import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbformat
import pytest

from wvlib.course.notebook import solution_lines

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
TEXT_SUFFIXES = {".html", ".txt", ".js", ".json", ".ipynb", ".md", ".py", ".inv", ".css"}


# -- solution leaks ----------------------------------------------------------------------------
def secret_lines(min_length=16):
    """Every solution line of every solution notebook, long enough to be telling, and not
    given to learners anyway: a line that the student versions in exercises/ also hold
    outside the solution blocks (``from scipy import stats`` in a setup cell) is no secret."""
    given = set()
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            given.update(line.strip() for line in cell.source.splitlines())
    lines = set()
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for line in solution_lines(cell.source):
                if len(line.replace(" ", "")) >= min_length and line.strip() not in given:
                    lines.add(line)
    return sorted(lines)


def test_secret_lines_are_the_solutions_not_what_learners_are_given():
    lines = secret_lines()
    assert len(lines) > 100
    assert "from scipy import stats" not in {line.strip() for line in lines}


def _html_unescape(text):
    import html
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def find_leaks(site: Path, lines):
    """(file, line) pairs where a solution line appears in the built site — in any file, as raw
    text or once HTML tags (syntax highlighting) are stripped."""
    leaks = []
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        texts = [raw, _html_unescape(raw)] if path.suffix == ".html" else [raw]
        for line in lines:
            if any(line in t for t in texts):
                leaks.append((str(path.relative_to(site)), line))
    return leaks


def test_there_are_solution_lines_to_look_for():
    assert len(secret_lines()) >= 5


def test_no_solution_leaks_into_the_built_site(built_book):
    leaks = find_leaks(built_book, secret_lines())
    assert not leaks, f"solution code found in the built site: {leaks[:5]}"


def test_leak_detector_finds_a_planted_solution_line(built_book, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_book, site)
    line = secret_lines()[0]
    page = next(site.glob("book/*.html"))
    html = page.read_text(encoding="utf-8")
    # as a highlighted code block would show it: tokens wrapped in spans
    planted = "".join(f'<span class="n">{ch}</span>' if ch.isalnum() else ch for ch in line)
    page.write_text(html.replace("</main>", f"<pre>{planted}</pre></main>", 1), encoding="utf-8")
    assert find_leaks(site, [line]) == [(str(page.relative_to(site)), line)]


def test_exercise_downloads_are_the_student_versions(built_book):
    downloads = list((built_book / "_downloads").rglob("*.ipynb"))
    assert downloads, "the chapters should link their exercise notebooks for download"
    for path in downloads:
        text = path.read_text(encoding="utf-8")
        assert "### BEGIN SOLUTION" not in text and "NotImplementedError" in text, path.name


# -- the browser, under a sub-path ------------------------------------------------------------
def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def repository_setting():
    """``(url, branch, launch_buttons)`` from ``_config.yml``: the one setting links follow."""
    import yaml
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repo = config["repository"]
    return repo["url"].rstrip("/"), repo.get("branch", "main"), config["launch_buttons"]


def site_prefix():
    """The sub-path GitHub Pages serves a project site from: ``/REPO/``."""
    return "/" + repository_setting()[0].rsplit("/", 1)[-1] + "/"


@pytest.fixture(scope="module")
def site_url(built_book):
    """``http://127.0.0.1:PORT/REPO/``: the built site served under a sub-path, as GitHub
    Pages serves ``https://USER.github.io/REPO/``; anything outside the sub-path is a 404."""
    prefix = site_prefix()

    class SubPathHandler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            if not urlparse(path).path.startswith(prefix):
                return str(built_book / "__outside_the_sub_path__")
            return super().translate_path(path[len(prefix) - 1:])

        def log_message(self, *args):
            pass

    handler = functools.partial(SubPathHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("WVLIB_REQUIRE_BROWSER"):
            pytest.fail("WVLIB_REQUIRE_BROWSER is set but Chromium is not installed")
        pytest.skip("headless Chromium not found: install it (Debian: apt-get install chromium) "
                    "to run the browser test")
    from playwright.sync_api import sync_playwright
    import tempfile
    profile = tempfile.mkdtemp(prefix="wvlib-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
            viewport={"width": 1280, "height": 900})
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def book_pages(built_book):
    import yaml
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]] + [c["file"] for part in toc.get("parts", [])
                             for c in part.get("chapters", [])]
    return [f"{name}.html" for name in names]


def open_offline(browser, url, problems, label):
    """Open ``url`` with every request off this machine blocked; collect console errors,
    failed requests and HTTP errors into ``problems``. Returns the page (or None)."""
    page = browser.new_page()
    errors, failed, outside, bad = [], [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    page.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"),
               lambda route: (outside.append(route.request.url), route.abort()))
    response = page.goto(url, wait_until="load")

    def report():
        problems.extend(f"{label}: console error: {e}" for e in errors)
        problems.extend(f"{label}: failed request {u}" for u in failed
                        if u.startswith("http://127.0.0.1"))
        problems.extend(f"{label}: HTTP {b}" for b in bad)
        problems.extend(f"{label}: request outside the site (offline reading) {u}"
                        for u in outside if not u.startswith(("data:", "blob:")))

    page.report = report
    if response is None or response.status != 200:
        problems.append(f"{label}: HTTP {response and response.status}")
    return page


def check_math(page, rel, problems):
    """Math is typeset by MathJax: every math element holds a MathJax container, no MathJax
    error, and no raw TeX delimiter is left in the text."""
    count = page.evaluate("document.querySelectorAll('main .math').length")
    if count:
        page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise"
                               " && document.querySelector('mjx-container') !== null",
                               timeout=30000)
        page.evaluate("MathJax.startup.promise")
        untypeset = page.evaluate("Array.from(document.querySelectorAll('main .math'))"
                                  ".filter(e => !e.querySelector('mjx-container')).length")
        if untypeset:
            problems.append(f"{rel}: {untypeset} of {count} math elements not typeset")
        merrors = page.evaluate("document.querySelectorAll('mjx-merror, [data-mjx-error]')"
                                ".length")
        if merrors:
            problems.append(f"{rel}: {merrors} MathJax errors (undefined macro or bad TeX)")
    text = page.evaluate("document.querySelector('main') ? "
                         "document.querySelector('main').innerText : document.body.innerText")
    for raw in (r"\(", r"\)", "$$", r"\[", r"\begin{"):
        if raw in text:
            where = text.index(raw)
            problems.append(f"{rel}: untypeset math {raw!r} near {text[where-40:where+40]!r}")
            break
    return count


def check_links(page, rel, site_url, built_book, problems):
    """Every link into the site stays under the sub-path and points at a file that exists."""
    origin = site_url[:site_url.index("/", len("http://"))]
    links = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    for href in sorted(set(links)):
        parsed = urlparse(href)
        if not href.startswith(origin) or not parsed.path:
            continue
        if not href.startswith(site_url):
            problems.append(f"{rel}: link escapes the sub-path {urlparse(site_url).path}: {href}")
            continue
        target = built_book / parsed.path[len(urlparse(site_url).path):]
        if parsed.path.endswith("/"):
            target = target / "index.html"
        if not target.exists():
            problems.append(f"{rel}: broken internal link {href}")


def check_code_fits(page, rel, problems):
    """No code cell scrolls sideways at the browser's 1280-pixel width (code lines are at most
    88 characters; wvlib.sphinxext sizes the code font so that they fit)."""
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('main div.cell_input pre'))"
        ".filter(p => p.scrollWidth > p.clientWidth + 1)"
        ".map(p => p.innerText.split('\\n').reduce((a, b) => b.length > a.length ? b : a))")
    problems += [f"{rel}: a code cell scrolls sideways, its longest line: {line!r}"
                 for line in wide]


def test_every_page_works_in_a_browser_under_a_sub_path(built_book, site_url, browser):
    """Every page of the table of contents, the index and the search page, served from
    ``/REPO/`` like a GitHub Pages project site, offline: it loads with no console error and no
    HTTP error, math is typeset, images load, internal links resolve under the sub-path, and no
    code cell needs a sideways scroll."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems, typeset = [], 0
    for rel in book_pages(built_book) + ["genindex.html", "search.html"]:
        page = open_offline(browser, urljoin(site_url, rel), problems, rel)
        typeset += check_math(page, rel, problems)
        images = page.evaluate("Array.from(document.querySelectorAll('main img'))"
                               ".map(i => [i.getAttribute('src'), i.complete && i.naturalWidth])")
        problems += [f"{rel}: image {src} did not load" for src, ok in images if not ok]
        check_links(page, rel, site_url, built_book, problems)
        check_code_fits(page, rel, problems)
        page.screenshot(path=str(ARTIFACTS / (rel.replace("/", "_") + ".png")), full_page=False)
        page.report()
        page.close()
    assert typeset > 20, "the book should have typeset math to look at"
    assert not problems, "\n".join(problems)


def test_site_root_redirects_to_the_first_page_under_the_sub_path(built_book, site_url, browser):
    problems = []
    page = open_offline(browser, site_url, problems, "index")
    first = book_pages(built_book)[0]
    page.wait_for_url(urljoin(site_url, first), timeout=10000)
    page.report()
    page.close()
    assert not problems, "\n".join(problems)


def test_search_finds_chapters_under_the_sub_path(built_book, site_url, browser):
    problems = []
    page = open_offline(browser, urljoin(site_url, "search.html?q=cosine"), problems, "search")
    page.wait_for_selector("#search-results ul.search li a", timeout=30000)
    hits = page.evaluate("Array.from(document.querySelectorAll('#search-results ul.search li a'))"
                         ".map(a => a.href)")
    page.report()
    page.close()
    assert not problems, "\n".join(problems)
    chapter = urljoin(site_url, "book/01_words_as_vectors.html")
    assert any(h.split("#")[0].split("?")[0] == chapter for h in hits), hits


# -- links built from repository.url -----------------------------------------------------------
def test_launch_and_download_links_follow_repository_url(built_book):
    """Each notebook chapter has Binder and Colab launch buttons and a download of its source,
    and each exercise link opens the exercise in Colab and Binder: all built from
    ``repository.url`` and ``repository.branch`` of ``_config.yml``."""
    url, branch, launch = repository_setting()
    org_repo = url.removeprefix("https://github.com/")
    binder = launch["binderhub_url"].rstrip("/")
    colab = launch["colab_url"].rstrip("/")
    chapters = [rel for rel in book_pages(built_book)
                if (ROOT / rel).with_suffix(".ipynb").exists()]
    assert chapters
    exercises = 0
    for rel in chapters:
        html = (built_book / rel).read_text(encoding="utf-8")
        source = str(Path(rel).with_suffix(".ipynb"))
        assert f"{binder}/v2/gh/{org_repo}/{branch}?urlpath=tree/{source}" in html, rel
        assert f"{colab}/github/{org_repo}/blob/{branch}/{source}" in html, rel
        download = f"_sources/{source}"
        assert download in html and (built_book / download).exists(), rel
        for exercise in re.findall(r"_downloads/\w+/(ch\d\d\w*\.ipynb)", html):
            path = f"exercises/{exercise}"
            assert f'href="{colab}/github/{org_repo}/blob/{branch}/{path}"' in html, rel
            assert f'href="{binder}/v2/gh/{org_repo}/{branch}?urlpath=tree/{path}"' in html, rel
            exercises += 1
        launched = set(re.findall(r"mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/", html)
                       + re.findall(r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/",
                                    html))
        assert launched == {org_repo}, f"{rel} launches {launched}, not {org_repo}"
    assert exercises, "no chapter links an exercise notebook"
