"""A small Sphinx extension for the book (listed in ``_config.yml``).

With Sphinx 7, sphinx-thebe and sphinx-togglebutton register their inline configuration
scripts twice (once with ``filename=None``, once with ``filename=""``, which Sphinx does not see
as equal), so a page declares ``const THEBE_JS_URL`` twice and the browser reports a console
error. This extension drops duplicate script entries from every page before it is written. (Found by the browser test in ``tests/test_site.py``.)
"""


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
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
