"""Run one real autograde (+ generate_feedback) of the hostile class, in its own process.

Usage: python run_autograde.py <submissions dir> <workdir> <result.json> [<workers>]

With ``<workers>``, the class is graded by ``catvnoncat grade --workers <workers>`` (the
course's engine) instead of ``nbgrader autograde``; the feedback step is the same.

tests/test_hostile.py starts this under outer resource limits and a timeout, so a regression
that lets an attack take down the grader does not take down the test run. This process is a
child subreaper: every process a kernel leaves behind (a double-forked daemon, forked
children) is re-parented here and listed in the result as a survivor, then killed.

Just before ``nbgrader autograde`` starts (after ``generate_assignment``), the course's
``source/``, ``nbgrader_config.py`` and ``submitted/`` are hashed and the gradebook is copied
to ``gradebook.before.db``, so the test can compare them with what is left afterwards.
"""

import ctypes
import hashlib
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import nbformat

from catvnoncat import course

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the test support
from support import course_run  # noqa: E402
from support.proc_tree import descendants  # noqa: E402

PR_SET_CHILD_SUBREAPER = 36


def tree_hashes(root):
    """``{relative path: sha256}`` of every file under ``root`` (a file: just itself)."""
    root = Path(root)
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    hashes = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            hashes[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_symlink():
            hashes[str(path.relative_to(root))] = "symlink:" + os.readlink(path)
    return hashes


def describe(pid):
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            "utf-8", "replace").strip()
    except OSError:
        cmdline = "?"
    return {"pid": pid, "cmdline": cmdline[:300]}


def _zombie(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def reap_survivors():
    """Live processes left behind (zombies are only reaped: they are not running anything)."""
    survivors = [describe(pid) for pid in descendants(os.getpid()) if not _zombie(pid)]
    for entry in survivors:
        try:
            os.kill(entry["pid"], signal.SIGKILL)
        except OSError:
            pass
    for pid in descendants(os.getpid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.time() + 5
    while time.time() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.05)
    return survivors


def main():
    submissions_dir, workdir, result_path = map(Path, sys.argv[1:4])
    # a fourth argument N: graded by `catvnoncat grade --workers N`, not `nbgrader autograde`
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else None
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    submissions = {path.stem: nbformat.read(os.fspath(path), as_version=4)
                   for path in sorted(submissions_dir.glob("*.ipynb"))}
    result = {"error": None, "before": {}, "times": {}}
    course_dir = Path(workdir).resolve() / "course"

    def snapshot(env):
        result["before"] = {
            "source": tree_hashes(course_dir / "source"),
            "config": tree_hashes(course_dir / "nbgrader_config.py"),
            "submitted": tree_hashes(course_dir / "submitted"),
        }
        shutil.copy2(course_dir / "gradebook.db", course_dir / "gradebook.before.db")
        result["env"] = {"PATH": env["PATH"], course.GRADEBOOK_ENV: env[course.GRADEBOOK_ENV]}
        result["autograde_started"] = time.time()

    original_nbgrader, original_engine = course_run._run_nbgrader, course_run._grade_with_engine

    def snapshot_then_run(args, cwd, env, log_path):
        if args[0] == "autograde":
            snapshot(env)
        return original_nbgrader(args, cwd, env, log_path)

    def snapshot_then_grade(root, env, log_path, assignment, workers):
        snapshot(env)
        return original_engine(root, env, log_path, assignment, workers)

    course_run._run_nbgrader = snapshot_then_run
    course_run._grade_with_engine = snapshot_then_grade
    start = time.time()
    try:
        result["scores"] = course_run.autograde(submissions, workdir, workers=workers)
    except Exception as error:  # noqa: BLE001 - reported, the test decides
        result["error"] = f"{type(error).__name__}: {str(error)[-3000:]}"
        result["scores"] = None
    result["autograde_seconds"] = time.time() - start
    # Per-student seconds: time between consecutive autograded notebooks being written.
    previous = result.get("autograde_started", start)
    for student in sorted(submissions):
        notebook = course_dir / "autograded" / student / course.ASSIGNMENT / \
            f"{course.NOTEBOOK_NAME}.ipynb"
        if notebook.is_file():
            written = notebook.stat().st_mtime
            result["times"][student] = round(written - previous, 1)
            previous = written
        else:
            result["times"][student] = None
    time.sleep(1.0)
    result["survivors_after_autograde"] = reap_survivors()

    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env[course.GRADEBOOK_ENV] = f"sqlite:///{course_dir / 'gradebook.db'}"
    start = time.time()
    try:
        feedback = course_run._run_nbgrader(["generate_feedback", course.ASSIGNMENT, "--force"],
                                        course_dir, env, course_dir / "nbgrader.log")
        result["feedback_exit"] = feedback.returncode
        result["feedback_stderr"] = feedback.stderr[-3000:]
    except Exception as error:  # noqa: BLE001
        result["feedback_exit"] = f"{type(error).__name__}: {error}"
    result["feedback_seconds"] = time.time() - start
    result["survivors_after_feedback"] = reap_survivors()
    Path(result_path).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
