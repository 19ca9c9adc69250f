"""Test tiers and scheduling for the whole suite (tests/, and the notebooks of book/ and
solutions/ that nbval collects). At the root so that pytest loads it whatever paths it is given:
``pytest -n 2 book/04_ppmi.ipynb`` keeps a notebook's cells on one worker too. The fixtures are
in tests/conftest.py."""
import pytest

# Test tiers: `pytest -m "not slow and not browser"` is the fast loop for contributors; plain
# `pytest` (the README's command, .ci/run) runs everything. Slow: every notebook collected by
# nbval, and every test that needs the built book or a grading batch (by fixture, so that new
# tests are tiered without a decorator); browser: the tests that drive Chromium.
SLOW_FIXTURES = {"built_book", "hostile", "attacks"}


def pytest_configure(config):
    """Under xdist (``-n 2``), send all the tests of a module to one worker (``--dist
    loadscope``) instead of xdist's default ``load``, so that a module-scoped fixture (a
    grading batch, a kernel) runs once, not once per worker. Set here rather than in addopts
    so that ``-p no:xdist`` still works; an explicit ``--dist`` other than ``load`` is kept."""
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadscope"


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.path.suffix == ".ipynb" or fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
