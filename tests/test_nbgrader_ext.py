"""The course's nbgrader steps under plain `nbgrader autograde`, where the config changes them.

The graded class itself is covered by test_mutants_autograde.py, test_demo.py and
test_hostile.py; here: what happens when the sandbox cannot run.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from catvnoncat import course
from catvnoncat.data import DATASETS_DIR, REPO_ROOT


def _nbgrader(root, *args):
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env[course.GRADEBOOK_ENV] = f"sqlite:///{root / 'gradebook.db'}"
    env["CATVNONCAT_DATA"] = str(DATASETS_DIR)
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)


def test_without_a_sandbox_autograding_stops_and_says_how_to_install_it(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(course.SOURCE_DIR, root / "source" / course.ASSIGNMENT)
    config = (REPO_ROOT / "nbgrader_config.py").read_text("utf-8")
    config += '\nc.BubblewrapProvisioner.bwrap_path = "/nonexistent/bwrap"\n'
    (root / "nbgrader_config.py").write_text(config, "utf-8")
    assert _nbgrader(root, "generate_assignment", course.ASSIGNMENT, "--force").returncode == 0
    for student in ("first", "second"):
        folder = root / "submitted" / student / course.ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(course.reference_submission(), folder / f"{course.NOTEBOOK_NAME}.ipynb")
    result = _nbgrader(root, "autograde", course.ASSIGNMENT, "--force")
    assert result.returncode != 0
    log = result.stdout + result.stderr
    assert "apt-get install bubblewrap" in log
    # It stopped at the first student instead of logging the same failure for each.
    assert "for student 'second'" not in log
    assert not (root / "autograded" / "second").exists()
