"""``wvlib book build``: build the Jupyter Book the way CI and the README do.

Steps:

1. make MathJax available offline: install the ``mathjax`` package from the npm registry once
   (cached in ``~/.cache/wvlib/npm``) and copy the few files the pages need into
   ``book/_static/mathjax`` (git-ignored), which the built site serves — no CDN;
2. clear the notebook execution cache unless ``--cached`` (so every notebook runs from scratch);
3. run ``jupyter-book build`` in strict mode (``-W -n --keep-going``): any warning or failing cell
   fails the build.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

MATHJAX_VERSION = "3.2.2"
ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    return Path(os.environ.get("WVLIB_CACHE", Path.home() / ".cache" / "wvlib"))


def ensure_mathjax(root: Path = ROOT, *, out=print) -> Path:
    """Install MathJax from npm (once) and copy it into ``book/_static/mathjax``."""
    target = root / "book" / "_static" / "mathjax"
    if (target / "tex-chtml.js").exists():
        return target
    prefix = cache_dir() / "npm" / f"mathjax-{MATHJAX_VERSION}"
    package = prefix / "node_modules" / "mathjax" / "es5"
    if not (package / "tex-chtml.js").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed once to install MathJax for offline math "
                               "(apt-get install npm, or install Node.js); then rerun")
        out(f"installing mathjax@{MATHJAX_VERSION} from the npm registry into {prefix}")
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                        "--loglevel=error", f"mathjax@{MATHJAX_VERSION}"], check=True)
    tmp = target.with_name("mathjax.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copy2(package / "tex-chtml.js", tmp / "tex-chtml.js")
    # the CHTML output loads its fonts relative to the script; extensions are loaded on demand
    shutil.copytree(package / "output" / "chtml" / "fonts" / "woff-v2",
                    tmp / "output" / "chtml" / "fonts" / "woff-v2")
    shutil.copytree(package / "input" / "tex" / "extensions", tmp / "input" / "tex" / "extensions")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return target


def build(root: Path = ROOT, *, output: Path | None = None, cached: bool = False,
          out=print) -> int:
    """Build the book; the site lands in ``<output>/_build/html`` (``output`` defaults to the
    repository root, as for a plain ``jupyter-book build .``). Returns the exit status."""
    root = Path(root)
    output = Path(output) if output else root
    ensure_mathjax(root, out=out)
    if not cached:
        for name in (".jupyter_cache", "jupyter_execute", "html"):
            shutil.rmtree(output / "_build" / name, ignore_errors=True)
    cmd = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build",
           str(root), "--path-output", str(output), "--builder", "html", "-W", "-n",
           "--keep-going"] + ([] if cached else ["--all"])
    out("$ jupyter-book " + " ".join(cmd[3:]))
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
