"""The two things most tests and benchmarks do with nbgrader, written once.

* :func:`scratch_course` copies the course (``source/``, ``nbgrader_config.py``, the data as a
  symlink) into a scratch folder.
* :func:`run_nbgrader` runs ``nbgrader <args>`` in a subprocess with this venv's ``bin/`` first
  on PATH (nbgrader runs the ``alembic`` program installed next to it when it creates a gradebook).
* :func:`autograde` grades many submissions with both, serially, and returns the gradebook's
  scores: the tests' reference for what plain ``nbgrader autograde`` gives.

Benchmarks import it too (``sys.path`` gets ``tests/`` first).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from catvnoncat import course
from catvnoncat.facts import (CONFIG_NAME, DATA_ENV, DATASETS_DIR, DEFAULT_ASSIGNMENT,
                              GRADEBOOK_ENV, REPO_ROOT, assignments, course_config)

__all__ = ["VENV_BIN", "nbgrader_env", "run_nbgrader", "scratch_course", "autograde",
           "AutogradeError"]

#: The venv's ``bin/`` (nbgrader, alembic, jupyter).
VENV_BIN = Path(sys.executable).parent
#: What a scratch copy of ``source/`` leaves out.
COPY_IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")

# Student ids become folder names under submitted/; keep them portable.
_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# nbgrader's log line for a submission it could not grade.
_FAILED_STUDENT = re.compile(r"error processing assignment '[^']*' for student '([^']*)'")
# catvnoncat grade's summary line for a submission it could not grade.
_NOT_GRADED = re.compile(r"^  not graded: ([^:]+):", re.MULTILINE)


class AutogradeError(RuntimeError):
    """nbgrader itself failed (not a student's notebook); the message holds its log tail."""


def nbgrader_env(base=None, **extra):
    """``base`` (default: this process's environment) with the venv's ``bin/`` first on PATH
    (once), and ``extra`` set."""
    env = dict(os.environ if base is None else base)
    if env.get("PATH", "").split(os.pathsep)[0] != str(VENV_BIN):
        env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "")])
    env.update({k: os.fspath(v) for k, v in extra.items()})
    return env


def run_nbgrader(args, cwd, env=None, timeout=None, **extra_env):
    """``nbgrader <args>`` run in ``cwd``, output captured as text.

    Parameters
    ----------
    args : list of str
    cwd : path-like
        The course folder.
    env : dict, optional
        Environment (default: this process's); the venv's ``bin/`` is put first on its PATH and
        ``extra_env`` is added.
    timeout : float, optional
        Seconds before ``subprocess.TimeoutExpired``.
    """
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd,
                          env=nbgrader_env(env, **extra_env), capture_output=True, text=True,
                          timeout=timeout)


def scratch_course(root, assignment=None, data=True):
    """A course folder at ``root``: ``source/``, ``nbgrader_config.py`` and the data.

    Parameters
    ----------
    root : path-like
        Created; must not exist.
    assignment : str, optional
        Copy only ``source/<assignment>`` (default: every assignment).
    data : bool
        Link ``datasets/`` to this repository's (the kernels find the data through
        ``nbgrader_config.py``'s ``ROOT / "datasets"``, as in the repository).
    """
    root = Path(root)
    for name in [assignment] if assignment else assignments():
        shutil.copytree(REPO_ROOT / "source" / name, root / "source" / name, ignore=COPY_IGNORE)
    shutil.copy2(REPO_ROOT / CONFIG_NAME, root / CONFIG_NAME)
    if data:
        (root / "datasets").symlink_to(DATASETS_DIR, target_is_directory=True)
    return root


def _run_nbgrader(args, course_dir, env, log_path):
    """Run ``nbgrader <args>`` in ``course_dir``; append its output to ``log_path``."""
    result = run_nbgrader(args, course_dir, env)
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"$ nbgrader {' '.join(args)}  (exit {result.returncode})\n")
        log.write(result.stdout)
        log.write(result.stderr)
    if "Exception while loading config file" in result.stderr:
        # nbgrader only logs this and carries on with default settings (wrong course id,
        # gradebook, time limits): never report scores from such a run.
        raise AutogradeError(f"nbgrader could not load {CONFIG_NAME}; see {log_path}:\n"
                             f"{result.stderr[-3000:]}")
    return result


def _write_submission(path, submission):
    from catvnoncat.steps.students import write_timestamp

    path.parent.mkdir(parents=True, exist_ok=True)
    write_timestamp(path.parent)  # as `nbgrader submit` does
    if callable(submission):  # writes the folder itself (links, pipes, trees: tests of files)
        submission(path)
    elif isinstance(submission, bytes):
        path.write_bytes(submission)
    elif isinstance(submission, str):
        path.write_text(submission, encoding="utf-8")
    else:
        nbformat.write(submission, os.fspath(path))


def _grade_with_engine(root, env, log_path, assignment, workers):
    """``catvnoncat grade <assignment> --workers N --force`` in ``root``; the students it
    reports not graded (a grader error or an unreadable file), for :func:`autograde`."""
    args = [sys.executable, "-m", "catvnoncat", "grade", assignment, "--workers", str(workers),
            "--force", "--course-dir", os.fspath(root)]
    result = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True)
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"$ {' '.join(args[2:])}  (exit {result.returncode})\n")
        log.write(result.stdout)
        log.write(result.stderr)
    failed = set(_NOT_GRADED.findall(result.stdout))
    if result.returncode not in (0, 1) or (result.returncode and not failed):
        raise AutogradeError(f"catvnoncat grade failed (exit {result.returncode}):\n"
                             f"{(result.stdout + result.stderr)[-3000:]}")
    return failed


def autograde(submissions, workdir, assignment=DEFAULT_ASSIGNMENT, config_lines="", workers=None):
    """Grade submissions with the real ``nbgrader generate_assignment`` + ``autograde``.

    With ``workers``, the class is graded by ``catvnoncat grade --workers N`` instead (the
    course's engine, local workers, the real CLI in a subprocess), after the same preparation.

    A fresh course directory is built under ``workdir`` (a copy of ``source/<assignment>`` and
    ``nbgrader_config.py``, its own gradebook), every submission is written to
    ``submitted/<student_id>/``, and one ``nbgrader autograde`` run grades them all.
    The kernel finds the data through ``$CATVNONCAT_DATA`` (this repository's ``datasets/``
    unless already set). nbgrader's output is kept in ``workdir/course/nbgrader.log``.

    Parameters
    ----------
    submissions : dict
        ``{student_id: notebook}``; a notebook is an ``nbformat.NotebookNode`` or the raw
        file content (``bytes`` / ``str``), which may be anything a student could upload.
    workdir : path-like
        Scratch folder; its ``course/`` subfolder is replaced.
    assignment : str
    config_lines : str
        Settings appended to the scratch course's ``nbgrader_config.py`` (e.g. a longer time
        limit for a test about bytes, not time).
    workers : int, optional
        Grade with ``catvnoncat grade --workers workers`` rather than ``nbgrader autograde``.

    Returns
    -------
    dict
        ``{student_id: {grade_id: score}}`` for every graded cell (tests and the manual
        answer, whose score stays 0 until an instructor grades it). A submission nbgrader
        could not grade at all (e.g. not a notebook) scores 0 everywhere.

    Raises
    ------
    ValueError
        A student id that cannot be a folder name.
    AutogradeError
        nbgrader failed to generate the assignment or crashed outside any submission.
    """
    for student_id in submissions:
        if not _STUDENT_ID.match(student_id):
            raise ValueError(f"student id {student_id!r} must start with a letter or digit and "
                             f"hold only letters, digits, '_', '.', '-' (it becomes a folder name)")
    root = Path(workdir).resolve() / "course"
    if root.exists():
        shutil.rmtree(root)
    scratch_course(root, assignment, data=False)
    if config_lines:
        with open(root / CONFIG_NAME, "a") as config:
            config.write("\n" + config_lines + "\n")
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    env = nbgrader_env(**{GRADEBOOK_ENV: db_url})
    env.setdefault(DATA_ENV, os.fspath(DATASETS_DIR))
    log_path = root / "nbgrader.log"
    notebook = assignment  # the notebook is named as its assignment

    result = _run_nbgrader(["generate_assignment", assignment, "--force"], root, env, log_path)
    if result.returncode != 0:
        raise AutogradeError(f"nbgrader generate_assignment failed (exit {result.returncode}):\n"
                             f"{result.stderr[-3000:]}")
    for student_id, submission in submissions.items():
        _write_submission(root / "submitted" / student_id / assignment / f"{notebook}.ipynb",
                          submission)
    # A submission nbgrader cannot grade (not a notebook, broken metadata) is logged as an error
    # for that student and makes the run exit non-zero; the other students are still graded.
    if workers:
        failed = _grade_with_engine(root, env, log_path, assignment, workers)
    else:
        result = _run_nbgrader(["autograde", assignment, "--force"], root, env, log_path)
        failed = set(_FAILED_STUDENT.findall(result.stdout + result.stderr))
        if result.returncode != 0 and not failed:
            raise AutogradeError(f"nbgrader autograde failed (exit {result.returncode}):\n"
                                 f"{result.stderr[-3000:]}")

    from nbgrader.api import Gradebook, MissingEntry

    source_nb = course.read_notebook(root / "source" / assignment / f"{notebook}.ipynb")
    zeros = {gid: 0.0 for gid, cell in course.grade_cells(source_nb).items()
             if cell["kind"] != "solution"}
    scores = {}
    with Gradebook(db_url, course_id=course_config(root).CourseDirectory.course_id) as gb:
        for student_id in submissions:
            scores[student_id] = dict(zeros)
            if student_id in failed:
                continue
            try:
                graded = gb.find_submission_notebook(notebook, assignment, student_id)
            except MissingEntry:
                continue
            for grade in graded.grades:
                scores[student_id][grade.name] = float(grade.score)
    return scores
