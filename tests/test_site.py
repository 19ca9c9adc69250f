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
    """Every solution line of every solution notebook, long enough to be telling."""
    lines = set()
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for line in solution_lines(cell.source):
                if len(line.replace(" ", "")) >= min_length:
                    lines.add(line)
    return sorted(lines)


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


# -- the browser -------------------------------------------------------------------------------
def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def site_url(built_book):
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
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


def test_every_page_works_in_a_browser(built_book, site_url, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for rel in book_pages(built_book):
        page = browser.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        failed = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        outside = []
        page.route(re.compile(r"^(?!http://127\.0\.0\.1).*"),
                   lambda route: (outside.append(route.request.url), route.abort()))
        response = page.goto(urljoin(site_url, rel), wait_until="load")
        if response is None or response.status != 200:
            problems.append(f"{rel}: HTTP {response and response.status}")
            continue
        has_math = page.evaluate("document.querySelector('.math') !== null")
        if has_math:
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise"
                                   " && document.querySelector('mjx-container') !== null",
                                   timeout=30000)
            page.evaluate("MathJax.startup.promise")
        text = page.evaluate("document.querySelector('main') ? "
                             "document.querySelector('main').innerText : document.body.innerText")
        for raw in (r"\(", r"\)", "$$", r"\[", r"\begin{"):
            if raw in text:
                where = text.index(raw)
                problems.append(f"{rel}: untypeset math {raw!r} near {text[where-40:where+40]!r}")
                break
        images = page.evaluate("Array.from(document.querySelectorAll('main img'))"
                               ".map(i => [i.getAttribute('src'), i.complete && i.naturalWidth])")
        problems += [f"{rel}: image {src} did not load" for src, ok in images if not ok]
        links = page.evaluate("Array.from(document.querySelectorAll('a[href]'))"
                              ".map(a => a.href)")
        for href in sorted(set(links)):
            parsed = urlparse(href)
            if not href.startswith(site_url) or not parsed.path:
                continue
            target = built_book / parsed.path.lstrip("/")
            if parsed.path.endswith("/"):
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{rel}: broken internal link {href}")
        problems += [f"{rel}: console error: {e}" for e in errors]
        problems += [f"{rel}: failed request {u}" for u in failed if u.startswith(site_url)]
        problems += [f"{rel}: request outside the site (offline reading) {u}" for u in outside
                     if not u.startswith(("data:", "blob:"))]
        page.screenshot(path=str(ARTIFACTS / (rel.replace("/", "_") + ".png")), full_page=False)
        page.close()
    assert not problems, "\n".join(problems)
