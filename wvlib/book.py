"""``wvlib book build``: the plain ``jupyter-book build`` with CI's strictness.

The book needs nothing but the Python environment (``pip install -r requirements.txt``) and its
Sphinx configuration: MathJax for offline math is copied into the site by ``wvlib.sphinxext``
(from the PyPI package ``django-static-mathjax``), so ``jupyter-book build .`` and this command
give the same site. This command only adds, around the very same ``jupyter-book build``:

1. clearing the notebook execution cache unless ``--cached`` (so every notebook runs from
   scratch — the cache looks at code cells only and misses a change in ``wvlib``);
2. strict mode (``-W -n --keep-going``): any warning fails the build (a failing cell always
   does, ``nb_execution_raise_on_error`` is set in ``_config.yml``);
3. one BLAS thread per notebook kernel.

It also holds :func:`glue`, which the chapters call to hand computed numbers to their text.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRICT = ["-W", "-n", "--keep-going"]


def jupyter_book_command() -> list[str]:
    """The ``jupyter-book`` command of this Python environment."""
    script = Path(sys.executable).with_name("jupyter-book")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from jupyter_book.cli.main import main; main()"]


def build_command(root: Path, output: Path, *, cached: bool = False) -> list[str]:
    """``jupyter-book build ROOT --path-output OUTPUT -W -n --keep-going [--all]``."""
    return (jupyter_book_command() + ["build", str(root), "--path-output", str(output),
                                      "--builder", "html"] + STRICT
            + ([] if cached else ["--all"]))


def build(root: Path = ROOT, *, output: Path | None = None, cached: bool = False,
          out=print) -> int:
    """Build the book; the site lands in ``<output>/_build/html`` (``output`` defaults to the
    repository root, as for a plain ``jupyter-book build .``). Returns the exit status."""
    root = Path(root)
    output = Path(output) if output else root
    if not cached:
        for name in (".jupyter_cache", "jupyter_execute", "html"):
            shutil.rmtree(output / "_build" / name, ignore_errors=True)
    cmd = build_command(root, output, cached=cached)
    out("$ jupyter-book " + " ".join(cmd[len(jupyter_book_command()):]))
    start = time.perf_counter()
    # (MPLBACKEND must stay unset: the inline backend is what puts figures into the pages.)
    # one BLAS thread per process: results do not depend on thread scheduling, and a loaded
    # 2-core machine does not slow to a crawl from oversubscription
    env = dict(os.environ, WVLIB_PROGRESS="0", PYDEVD_DISABLE_FILE_VALIDATION="1",
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("MPLBACKEND", None)
    status = subprocess.run(cmd, cwd=root, env=env).returncode
    elapsed = time.perf_counter() - start
    html = output / "_build" / "html"
    if status == 0:
        out(f"book built in {elapsed:.0f} s: open {html / 'index.html'}")
    else:
        reports = html / "reports"
        out(f"book build FAILED after {elapsed:.0f} s (exit {status}); notebook tracebacks are "
            f"in {reports}")
    return status


def add_arguments(parser):
    sub = parser.add_subparsers(dest="book_command", metavar="COMMAND", required=True)
    p = sub.add_parser("build", help="execute every notebook and build the HTML book (strict)")
    p.add_argument("--output", default=None,
                   help="output folder; the site lands in OUTPUT/_build/html (default: .)")
    p.add_argument("--cached", action="store_true",
                   help="reuse the notebook execution cache (for authors; CI never does)")


def run(args) -> int:
    return build(ROOT, output=args.output and Path(args.output), cached=args.cached)


def glue(name: str, value, display: bool = True) -> None:
    """Hand ``value`` to the page's text as ``{glue:}`name``` (myst-nb's ``glue``).

    In the book build this is myst-nb's ``glue``. Where myst-nb is not installed (a chapter
    opened in Colab from the book's launch button) there is no page to hand the value to: the
    value is only shown, if ``display``, so that the chapter runs the same.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show
            show(value)
        return
    myst_glue(name, value, display=display)
