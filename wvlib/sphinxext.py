"""A small Sphinx extension for the book (listed in ``_config.yml``), so that the plain
``jupyter-book build .`` gives the whole site, with nothing but ``requirements.txt`` installed.

1. **MathJax offline.** The pages load MathJax 3 from the site itself (``mathjax_path:
   mathjax/tex-chtml.js`` in ``_config.yml``), not from a CDN. The files come from the PyPI
   package ``django-static-mathjax`` (upstream ``mathjax-full`` 3.2.2: sources and the packaged
   ``es5/`` components; despite its name it needs no Django). When an HTML builder starts, this
   extension copies the few files the pages need into ``<outdir>/_static/mathjax``: the
   ``tex-chtml`` component, its web fonts, the TeX extensions that MathJax loads on demand, and
   MathJax's licence (about 2 MB of the package's 24 MB).
2. **Open an exercise in Colab or Binder.** A ``{download}`` link to a notebook in
   ``exercises/`` gets "open in Colab / Binder" links next to it, built from ``repository.url``,
   ``repository.branch`` and the ``launch_buttons`` settings of ``_config.yml`` (the same ones
   the theme's launch buttons use), so that a teacher's copy links to itself.
3. **Duplicate scripts.** With Sphinx 7, sphinx-thebe and sphinx-togglebutton register their
   inline configuration scripts twice (once with ``filename=None``, once with ``filename=""``,
   which Sphinx does not see as equal), so a page declares ``const THEBE_JS_URL`` twice and the
   browser reports a console error. Duplicate script entries are dropped from every page before
   it is written. (Found by the browser test in ``tests/test_site.py``.)
"""
from __future__ import annotations

import importlib.util
import posixpath
import shutil
from pathlib import Path

#: What the pages need, relative to MathJax's ``es5/`` folder.
MATHJAX_FILES = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions")
#: Where they land in the built site (``mathjax_path`` is relative to ``_static``).
MATHJAX_TARGET = "_static/mathjax"


def mathjax_source() -> Path:
    """The ``es5/`` folder of MathJax 3 installed by ``django-static-mathjax``."""
    spec = importlib.util.find_spec("mathjax")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        es5 = Path(folder) / "static" / "mathjax" / "es5"
        if (es5 / "tex-chtml.js").is_file():
            return es5
    from sphinx.errors import ExtensionError
    raise ExtensionError("MathJax 3 for offline math is missing: install the requirements "
                         "(pip install -r requirements.txt, which holds django-static-mathjax)")


def _same_file(a: Path, b: Path) -> bool:
    try:
        sa, sb = a.stat(), b.stat()
    except FileNotFoundError:
        return False
    return sa.st_size == sb.st_size and int(sa.st_mtime) == int(sb.st_mtime)


def copy_mathjax(outdir, source: Path | None = None) -> int:
    """Copy MathJax's needed files into ``<outdir>/_static/mathjax``; files already there and
    unchanged are left alone. Returns the number of files copied."""
    source = Path(source) if source else mathjax_source()
    target = Path(outdir) / MATHJAX_TARGET
    pairs = []
    for rel in MATHJAX_FILES:
        src = source / rel
        if src.is_dir():
            pairs += [(p, target / rel / p.relative_to(src)) for p in sorted(src.rglob("*"))
                      if p.is_file()]
        else:
            pairs.append((src, target / rel))
    licence = source.parent / "LICENSE"
    if licence.is_file():
        pairs.append((licence, target / "LICENSE"))
    copied = 0
    for src, dst in pairs:
        if _same_file(src, dst):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        copied += 1
    return copied


def _mathjax_on_builder_inited(app):
    if app.builder.format != "html":
        return
    copy_mathjax(app.outdir)


# -- code that fits the column -----------------------------------------------------------------
#: The course keeps code lines to 88 characters. In the book theme's article column at a
#: 1280-pixel-wide window (both sidebars shown: the narrowest full layout, 652 pixels of text)
#: 88 characters of the default 14-pixel monospace need 742 pixels; at 12 pixels they need 636.
#: The browser test checks that no code cell scrolls sideways at that width. Printed output
#: longer than the column wraps instead of hiding behind a scroll bar.
CODE_CSS = """\
/* wvlib.sphinxext: code cells hold 88-character lines without scrolling (see CODE_CSS) */
main div.cell_input pre, main div.highlight pre { font-size: 12px; }
main div.cell_output pre { white-space: pre-wrap; overflow-wrap: anywhere; }
"""
CSS_FILE = "wvlib.css"


def _css_on_builder_inited(app):
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / CSS_FILE).write_text(CODE_CSS, encoding="utf-8")
    app.add_css_file(CSS_FILE)


# -- exercise launch links -------------------------------------------------------------------
def exercise_launch_links(repository_url: str, branch: str, path: str, *,
                          binderhub_url: str = "", colab_url: str = "",
                          notebook_interface: str = "classic") -> list[tuple[str, str]]:
    """``[(label, url)]`` that open the notebook ``path`` (relative to the repository root) of
    a GitHub repository in Colab and Binder, in the form the book theme's launch buttons use."""
    url = (repository_url or "").strip().rstrip("/")
    if url.endswith(".git"):
        url = url[:-4]
    prefix = "https://github.com/"
    if not url.startswith(prefix) or url[len(prefix):].count("/") != 1:
        return []
    org, repo = url[len(prefix):].split("/")
    links = []
    if colab_url:
        links.append(("Colab",
                      f"{colab_url.strip('/')}/github/{org}/{repo}/blob/{branch}/{path}"))
    if binderhub_url:
        ui = "lab/tree" if notebook_interface == "jupyterlab" else "tree"
        links.append(("Binder", f"{binderhub_url.strip('/')}/v2/gh/{org}/{repo}/{branch}"
                                f"?urlpath={ui}/{path}"))
    return links


def _add_exercise_links(app, doctree, docname):
    from docutils import nodes
    from sphinx import addnodes

    options = app.config.html_theme_options or {}
    launch = options.get("launch_buttons") or {}
    branch = options.get("repository_branch") or "main"
    docdir = posixpath.dirname(docname)
    for node in list(doctree.findall(addnodes.download_reference)):
        target = posixpath.normpath(posixpath.join(docdir, node.get("reftarget", "")))
        if not (target.startswith("exercises/") and target.endswith(".ipynb")):
            continue
        links = exercise_launch_links(
            options.get("repository_url", ""), branch, target,
            binderhub_url=launch.get("binderhub_url", ""),
            colab_url=launch.get("colab_url", ""),
            notebook_interface=launch.get("notebook_interface", "classic"))
        if not links:
            continue
        extra = [nodes.Text(" (or open it in ")]
        for i, (label, url) in enumerate(links):
            if i:
                extra.append(nodes.Text(" or "))
            extra.append(nodes.reference("", label, refuri=url,
                                         classes=["wvlib-launch-exercise"]))
        extra.append(nodes.Text(")"))
        parent = node.parent
        index = parent.index(node)
        for offset, item in enumerate(extra, start=1):
            parent.insert(index + offset, item)


# -- duplicate scripts -----------------------------------------------------------------------
def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", None) or {}
        key = (getattr(script, "filename", script) or "", tuple(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique


def setup(app):
    app.connect("builder-inited", _mathjax_on_builder_inited)
    app.connect("builder-inited", _css_on_builder_inited)
    app.connect("doctree-resolved", _add_exercise_links)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
