"""Progress bars for long steps (parsing, counting, training).

A bar is shown only when standard error is a terminal, so notebooks, tests and CI logs stay
quiet. ``verbose=True`` forces a bar, ``verbose=False`` silences it, and the environment variable
``WVLIB_PROGRESS=1`` (or ``0``) does the same globally.
"""
from __future__ import annotations

import os
import sys


def progress_enabled(verbose=None) -> bool:
    """Decide whether to show a progress bar (see the module docstring)."""
    if verbose is not None:
        return bool(verbose)
    env = os.environ.get("WVLIB_PROGRESS")
    if env is not None:
        return env.strip().lower() not in ("", "0", "false", "no")
    try:
        return sys.stderr.isatty() and "ipykernel" not in sys.modules
    except (AttributeError, ValueError):
        return False


def progress(iterable=None, *, total=None, desc=None, unit="it", verbose=None):
    """Wrap ``iterable`` in a tqdm bar when progress is enabled; otherwise return a no-op wrapper
    with the same ``update``/``close``/context-manager interface."""
    if progress_enabled(verbose):
        from tqdm.auto import tqdm
        return tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)
    return _Quiet(iterable)


class _Quiet:
    def __init__(self, iterable):
        self._iterable = iterable

    def __iter__(self):
        return iter(self._iterable if self._iterable is not None else ())

    def update(self, n=1):
        pass

    def set_postfix_str(self, s):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
