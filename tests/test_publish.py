"""Publishing: the GitHub Pages workflow builds with the README's command and deploys with the
official Pages actions; the README tells a teacher how to publish a copy. (The built pages'
launch links and the sub-path browser test are in ``test_site.py``.)"""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def workflow():
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "the workflow is not a YAML mapping"
    # YAML 1.1 reads the key `on` as True
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(job):
    return workflow()["jobs"][job]["steps"]


def uses(job, action):
    found = [s for s in steps(job) if str(s.get("uses", "")).split("@")[0] == action]
    assert found, f"job {job!r} does not use {action}"
    return found[0]


def readme_build_command():
    """The command of the README's "install and build the book" block, without the venv path:
    what a user who already has the requirements types."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    lines = [line for b in blocks for line in b.splitlines()
             if "pip install" in line and "pytest" not in line]
    assert len(lines) == 1, "the README must give one install-and-build command"
    last = lines[0].split("&&")[-1].strip()
    return last.removeprefix(".venv/bin/")


def test_readme_builds_with_the_plain_jupyter_book_command():
    assert readme_build_command() == "jupyter-book build ."


def test_workflow_is_valid_yaml_and_runs_on_push_to_main():
    wf = workflow()
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"]["pages"] == "write" and wf["permissions"]["id-token"] == "write"
    assert set(wf["jobs"]) == {"build", "deploy"}


def test_workflow_installs_the_requirements_with_a_pip_cache():
    setup = uses("build", "actions/setup-python")
    assert setup["with"]["cache"] == "pip"
    runs = [s.get("run", "") for s in steps("build")]
    assert any(r.strip() == "pip install -r requirements.txt" for r in runs), runs


def test_workflow_builds_with_the_readmes_command_then_uploads_the_site():
    names = [s.get("run", "").strip() or str(s.get("uses", "")).split("@")[0]
             for s in steps("build")]
    command = readme_build_command()
    assert command in names, f"the workflow does not run the README's {command!r}: {names}"
    build_at = names.index(command)
    upload = uses("build", "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "_build/html"
    assert names.index("actions/upload-pages-artifact") > build_at
    assert names.index("actions/cache") < build_at, "restore the cache before building"


def test_execution_cache_is_keyed_on_the_library_so_a_failure_is_not_hidden():
    """The cache may only be reused with the same wvlib, requirements and Python: the key and
    every restore key hash them (jupyter-cache itself only sees notebook code)."""
    cache = uses("build", "actions/cache")
    assert cache["with"]["path"] == "_build/.jupyter_cache"
    key = cache["with"]["key"]
    restore = [k for k in str(cache["with"].get("restore-keys", "")).splitlines() if k.strip()]
    for k in [key] + restore:
        assert "wvlib/**" in k and "requirements.txt" in k and "PYTHON_VERSION" in k, k
    assert "book/**" in key and all(key.startswith(r.strip()) for r in restore)
    assert not cache.get("continue-on-error") and "save-always" not in cache["with"]


def test_deploy_job_uses_the_official_pages_action():
    wf = workflow()
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    uses("deploy", "actions/deploy-pages")


def test_readme_tells_a_teacher_how_to_publish_a_copy():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Publish your copy\n(.*?)(?=^## )", readme, flags=re.S | re.M)
    assert match, "README.md needs a section 'Publish your copy'"
    section = match.group(1)
    assert re.findall(r"^\d\. ", section, flags=re.M) == ["1. ", "2. ", "3. "]
    for needed in ("repository.url", "_config.yml", "GitHub Actions", ".github/workflows/book.yml",
                   "wvlib course assign", "USER.github.io/REPO"):
        assert needed in section, needed
