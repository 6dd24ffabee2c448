"""The benchmarks' one way to run and time an ``nbgrader`` command in a course folder."""

import os
import subprocess
import sys
import time
from pathlib import Path


def nbgrader_env(**overrides):
    """This environment with the venv's bin first (nbgrader runs ``alembic`` from it).

    A value of None removes the variable.
    """
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def timed_nbgrader(root, *args, env=None):
    """Seconds ``nbgrader <args>`` took in ``root``; exits with its stderr when it fails."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root,
                            env=env or nbgrader_env(), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"nbgrader {' '.join(args)} failed in {root}:\n{result.stderr[-3000:]}")
    return time.perf_counter() - start
