"""The house rules of ``yarn_core``, read from the code itself:

* ``import yarn_core`` stays light: the lesson pages import it on every rerun, and torch (or
  transformers) would add seconds to each;
* the core (everything but ``yarn_core/app``) never imports streamlit or plotly, and only
  ``yarn_core/lab`` imports torch;
* the app side (``yarn_core.app``) is imported only by ``app.py``, ``pages/`` and itself (and the tests).
"""

import ast
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def test_import_yarn_core_does_not_import_torch():
    code = (
        "import sys, yarn_core\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'streamlit', 'plotly') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "assert callable(yarn_core.rope_from_hf_config) and 'yarn' in yarn_core.METHODS\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_public_names_exist():
    code = (
        "import yarn_core\n"
        "missing = [n for n in yarn_core.__all__ if not hasattr(yarn_core, n)]\n"
        "assert not missing, missing\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Absolute module names a file imports (relative imports resolved against its package)."""
    package = path.relative_to(root).with_suffix("").parts[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def top_levels(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


CORE = sorted(p for p in (ROOT / "yarn_core").rglob("*.py") if "app" not in p.relative_to(ROOT).parts[1:2])


def test_the_core_never_imports_streamlit_or_plotly_and_only_the_lab_imports_torch():
    assert len(CORE) > 10, "the core's files were found"
    for path in CORE:
        imported = top_levels(imported_modules(path))
        assert not imported & {"streamlit", "plotly"}, f"{path.relative_to(ROOT)} imports the app's libraries"
        in_lab = path.relative_to(ROOT).parts[1] == "lab"
        assert in_lab or "torch" not in imported, (
            f"{path.relative_to(ROOT)} imports torch outside yarn_core/lab"
        )


def test_only_app_py_and_the_pages_import_the_app_side():
    importers = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in ("tests", ".git", "artifacts") or relative.parts[:2] == ("yarn_core", "app"):
            continue
        if any(
            name == "yarn_core.app" or name.startswith("yarn_core.app.") for name in imported_modules(path)
        ):
            importers.append(relative)
    assert importers, "app.py and the pages were scanned"
    assert all(p == Path("app.py") or p.parts[0] == "pages" for p in importers), importers


def test_the_rule_checker_resolves_relative_imports(tmp_path):
    """``from .scaling import RopeSetting`` in yarn_core/hf_config.py is yarn_core.scaling, and
    ``from ..app import x`` two packages down resolves to yarn_core.app: what the rules above read."""
    assert "yarn_core.scaling.RopeSetting" in imported_modules(ROOT / "yarn_core" / "hf_config.py")
    source = tmp_path / "yarn_core" / "lab" / "probe.py"
    source.parent.mkdir(parents=True)
    source.write_text("from ..app import lesson\nimport torch.nn\n")
    assert {"yarn_core.app", "yarn_core.app.lesson", "torch.nn"} <= imported_modules(source, tmp_path)
