"""Shared fixtures. The book is built once per test session (from scratch, strict), into a
temporary folder, and every test of the built site uses that build."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Notebook kernels started by nbval inherit this environment: one BLAS thread per process keeps
# results independent of thread scheduling and avoids oversubscribing a 2-core machine.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("WVLIB_PROGRESS", "0")


# Test tiers: `pytest -m "not slow and not browser"` is the fast loop for contributors; plain
# `pytest` (the README's command, .ci/run) runs everything. Slow: every notebook collected by
# nbval, and every test that needs the built book or a grading batch (by fixture, so that new
# tests are tiered without a decorator); browser: the tests that drive Chromium.
SLOW_FIXTURES = {"built_book", "hostile"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.path.suffix == ".ipynb" or fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """Path to the ``html`` folder of a fresh, strict build of the book.

    Authors iterating on the site tests may set ``WVLIB_TEST_BUILT_BOOK`` to the ``html`` folder
    of a build they just made (``wvlib book build``) to skip rebuilding; CI never sets it."""
    from wvlib.book import build
    reuse = os.environ.get("WVLIB_TEST_BUILT_BOOK")
    if reuse and not os.environ.get("CI"):
        return Path(reuse)
    output = tmp_path_factory.mktemp("book")
    lines = []
    status = build(ROOT, output=output, out=lines.append)
    html = output / "_build" / "html"
    if status != 0:
        reports = sorted((html / "reports").glob("**/*.err.log")) if html.exists() else []
        details = "\n".join(p.read_text(errors="replace")[-3000:] for p in reports[:3])
        pytest.fail(f"the book build failed (exit {status}):\n" + "\n".join(lines) + details)
    return html


@pytest.fixture(autouse=True)
def _quiet_progress(monkeypatch):
    monkeypatch.setenv("WVLIB_PROGRESS", "0")
