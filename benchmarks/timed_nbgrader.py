"""The benchmarks' one way to run and time an ``nbgrader`` command in a course folder.

Built on the tests' helpers (``tests/support/course_run.py``): the scratch course and the
nbgrader runner are written once for both.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.course_run import run_nbgrader, scratch_course  # noqa: E402,F401 (benchmarks use both)
from support.course_run import nbgrader_env as _venv_env  # noqa: E402


def nbgrader_env(**overrides):
    """This environment with the venv's bin first (nbgrader runs ``alembic`` from it).

    A value of None removes the variable.
    """
    env = _venv_env(**{k: v for k, v in overrides.items() if v is not None})
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
    return env


def timed_nbgrader(root, *args, env=None):
    """Seconds ``nbgrader <args>`` took in ``root``; exits with its stderr when it fails."""
    start = time.perf_counter()
    result = run_nbgrader(args, root, env or nbgrader_env())
    if result.returncode != 0:
        sys.exit(f"nbgrader {' '.join(args)} failed in {root}:\n{result.stderr[-3000:]}")
    return time.perf_counter() - start
