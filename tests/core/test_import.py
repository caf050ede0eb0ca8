"""``import yarn_core`` must stay light: the lesson pages import it on every rerun, and torch
(or transformers) would add seconds to each."""

import subprocess
import sys

from tests.support import ROOT

REPO = ROOT


def test_import_yarn_core_does_not_import_torch():
    code = (
        "import sys, yarn_core\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'streamlit', 'plotly') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "assert callable(yarn_core.rope_from_hf_config) and 'yarn' in yarn_core.METHODS\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_public_names_exist():
    code = "import yarn_core\nmissing = [n for n in yarn_core.__all__ if not hasattr(yarn_core, n)]\nassert not missing, missing\n"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
