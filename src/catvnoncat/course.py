"""The assignment as data: its notebooks, its graded cells, and real nbgrader autograding.

Everything here reads the committed notebooks; points and grade ids are taken from the
nbgrader cell metadata (the one place they are defined), never retyped.

* :func:`read_notebook`, :func:`grade_cells`, :func:`solution_sources` inspect a notebook.
* :func:`make_submission` / :func:`reference_submission` build student submissions from the
  release notebook.
* :func:`autograde` grades many submissions with the real ``nbgrader`` command line in a
  throwaway copy of the course and returns the scores from its gradebook.
"""

import copy
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from .data import DATA_ENV, DATASETS_DIR, REPO_ROOT

__all__ = [
    "ASSIGNMENT",
    "NOTEBOOK_NAME",
    "SOURCE_NOTEBOOK",
    "RELEASE_NOTEBOOK",
    "CONFIG_FILE",
    "STUDENT_HELPERS",
    "GRADEBOOK_ENV",
    "course_id",
    "read_notebook",
    "grade_cells",
    "solution_sources",
    "make_submission",
    "reference_submission",
    "autograde",
    "AutogradeError",
]

#: nbgrader assignment name (a folder under ``source/`` and ``release/``).
ASSIGNMENT = "logistic_regression"
#: Notebook name inside the assignment (without ``.ipynb``), as nbgrader's gradebook knows it.
NOTEBOOK_NAME = "logistic_regression"
SOURCE_DIR = REPO_ROOT / "source" / ASSIGNMENT
RELEASE_DIR = REPO_ROOT / "release" / ASSIGNMENT
SOURCE_NOTEBOOK = SOURCE_DIR / f"{NOTEBOOK_NAME}.ipynb"
RELEASE_NOTEBOOK = RELEASE_DIR / f"{NOTEBOOK_NAME}.ipynb"
CONFIG_FILE = REPO_ROOT / "nbgrader_config.py"
#: The student-facing helper modules released beside the notebook (public_tests imports hints).
STUDENT_HELPERS = ("lr_utils.py", "public_tests.py", "hints.py", "cell_messages.py")
#: Environment variable read by ``nbgrader_config.py`` for the gradebook URL.
GRADEBOOK_ENV = "CATVNONCAT_GRADEBOOK_URL"



def student_module(filename):
    """Load a student-facing helper of the assignment (``lr_utils.py``, ``public_tests.py``).

    A fresh module object each call, executed from ``source/``, exactly what students import.
    """
    spec = importlib.util.spec_from_file_location(f"_student_{Path(filename).stem}",
                                                  SOURCE_DIR / filename)
    module = importlib.util.module_from_spec(spec)
    # The helpers import each other by plain name (public_tests imports hints), as in a notebook.
    sys.path.insert(0, os.fspath(SOURCE_DIR))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(os.fspath(SOURCE_DIR))
    return module


# Whole lines holding an nbgrader solution marker (any comment style, any indentation).
_SOLUTION_MARKER = re.compile(r"^[ \t]*\S*[ \t]*(BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
# Student ids become folder names under submitted/; keep them portable.
_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# nbgrader's log line for a submission it could not grade.
_FAILED_STUDENT = re.compile(r"error processing assignment '[^']*' for student '([^']*)'")


class AutogradeError(RuntimeError):
    """nbgrader itself failed (not a student's notebook); the message holds its log tail."""


def read_notebook(path):
    """Read a notebook file as nbformat version 4.

    Parameters
    ----------
    path : path-like
        An ``.ipynb`` file.

    Returns
    -------
    nbformat.NotebookNode
    """
    return nbformat.read(os.fspath(path), as_version=4)


def has_cell_ids(nb):
    """Whether ``nb``'s format has cell ids (nbformat 4.5 and later)."""
    return (nb.get("nbformat", 4), nb.get("nbformat_minor", 0)) >= (4, 5)


def unused_cell_id(nb, wanted):
    """``wanted`` made a valid cell id not yet used in ``nb`` (``wanted-2``, ``-3``... if taken)."""
    taken = {c.get("id") for c in nb.cells}
    base = re.sub(r"[^A-Za-z0-9_-]", "-", str(wanted or "cell"))[:56]
    new_id, n = base, 1
    while new_id in taken:
        n += 1
        new_id = f"{base}-{n}"
    return new_id


def _nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_cells(nb):
    """The nbgrader cells of a notebook, from their metadata.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Source or release notebook.

    Returns
    -------
    dict
        ``{grade_id: {"points": float, "kind": kind}}`` in notebook order, where ``kind`` is
        ``"solution"`` (student code, no points), ``"test"`` (autograded test cell) or
        ``"manual"`` (answer cell graded by the instructor). Read-only cells are left out.
    """
    cells = {}
    for cell in nb.cells:
        meta = _nbgrader_meta(cell)
        if not (meta.get("grade") or meta.get("solution") or meta.get("task")):
            continue
        if meta.get("grade") and cell.cell_type == "code" and not meta.get("solution"):
            kind = "test"
        elif meta.get("grade") or meta.get("task"):
            kind = "manual"
        else:
            kind = "solution"
        points = float(meta.get("points", 0.0)) if kind != "solution" else 0.0
        cells[meta["grade_id"]] = {"points": points, "kind": kind}
    return cells


def solution_sources(source_nb):
    """The instructor's answers: every solution cell's text with the nbgrader markers removed.

    Parameters
    ----------
    source_nb : nbformat.NotebookNode
        The source notebook (with solutions).

    Returns
    -------
    dict
        ``{grade_id: source}`` for every cell students write in (code and free response).
    """
    return {
        _nbgrader_meta(cell)["grade_id"]: _SOLUTION_MARKER.sub("", cell.source)
        for cell in source_nb.cells
        if _nbgrader_meta(cell).get("solution")
    }


def make_submission(replacements=None, base=None):
    """A student submission: the release notebook with some answer cells rewritten.

    Parameters
    ----------
    replacements : dict, optional
        ``{grade_id: source}``; each named cell's source is replaced.
    base : nbformat.NotebookNode, optional
        Notebook to start from (not modified); defaults to the committed release notebook.

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    KeyError
        A grade id that no cell of ``base`` has.
    """
    nb = copy.deepcopy(base if base is not None else read_notebook(RELEASE_NOTEBOOK))
    by_id = {_nbgrader_meta(c)["grade_id"]: c for c in nb.cells if _nbgrader_meta(c).get("grade_id")}
    for grade_id, source in (replacements or {}).items():
        if grade_id not in by_id:
            raise KeyError(f"no cell with grade_id {grade_id!r} in the notebook; "
                           f"known grade ids: {', '.join(by_id)}")
        by_id[grade_id].source = source
    return nb


def reference_submission():
    """The release notebook answered with the source notebook's solutions (full marks)."""
    return make_submission(solution_sources(read_notebook(SOURCE_NOTEBOOK)))


def course_id(course_dir=REPO_ROOT):
    """``CourseDirectory.course_id`` as ``nbgrader_config.py`` sets it (the one place it is defined)."""
    from traitlets.config.loader import PyFileConfigLoader

    environ = dict(os.environ)  # the config may set variables meant for nbgrader's own process
    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=os.fspath(course_dir)).load_config()
    finally:
        os.environ.clear()
        os.environ.update(environ)
    return config.CourseDirectory.course_id


def _run_nbgrader(args, course_dir, env, log_path):
    """Run ``nbgrader <args>`` in ``course_dir``; append its output to ``log_path``."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    result = subprocess.run(cmd, cwd=course_dir, env=env, capture_output=True, text=True)
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"$ nbgrader {' '.join(args)}  (exit {result.returncode})\n")
        log.write(result.stdout)
        log.write(result.stderr)
    if "Exception while loading config file" in result.stderr:
        # nbgrader only logs this and carries on with default settings (wrong course id,
        # gradebook, time limits): never report scores from such a run.
        raise AutogradeError(f"nbgrader could not load {CONFIG_FILE.name}; see {log_path}:\n"
                             f"{result.stderr[-3000:]}")
    return result


def _write_submission(path, submission):
    from .students import write_timestamp

    path.parent.mkdir(parents=True, exist_ok=True)
    write_timestamp(path.parent)  # as `nbgrader submit` does
    if isinstance(submission, bytes):
        path.write_bytes(submission)
    elif isinstance(submission, str):
        path.write_text(submission, encoding="utf-8")
    else:
        nbformat.write(submission, os.fspath(path))


def autograde(submissions, workdir):
    """Grade submissions with the real ``nbgrader generate_assignment`` + ``autograde``.

    A fresh course directory is built under ``workdir`` (a copy of ``source/`` and
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
    course = Path(workdir).resolve() / "course"
    if course.exists():
        shutil.rmtree(course)
    shutil.copytree(SOURCE_DIR, course / "source" / ASSIGNMENT,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc"))
    shutil.copy2(CONFIG_FILE, course / CONFIG_FILE.name)
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    env = dict(os.environ)
    # nbgrader runs the `alembic` program installed next to it when it creates a gradebook.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env[GRADEBOOK_ENV] = db_url
    env.setdefault(DATA_ENV, os.fspath(DATASETS_DIR))
    log_path = course / "nbgrader.log"

    result = _run_nbgrader(["generate_assignment", ASSIGNMENT, "--force"], course, env, log_path)
    if result.returncode != 0:
        raise AutogradeError(f"nbgrader generate_assignment failed (exit {result.returncode}):\n"
                             f"{result.stderr[-3000:]}")
    for student_id, submission in submissions.items():
        _write_submission(course / "submitted" / student_id / ASSIGNMENT / f"{NOTEBOOK_NAME}.ipynb",
                          submission)
    # A submission nbgrader cannot grade (not a notebook, broken metadata) is logged as an error
    # for that student and makes the run exit non-zero; the other students are still graded.
    result = _run_nbgrader(["autograde", ASSIGNMENT, "--force"], course, env, log_path)
    failed = set(_FAILED_STUDENT.findall(result.stdout + result.stderr))
    if result.returncode != 0 and not failed:
        raise AutogradeError(f"nbgrader autograde failed (exit {result.returncode}):\n"
                             f"{result.stderr[-3000:]}")

    from nbgrader.api import Gradebook, MissingEntry

    source_nb = read_notebook(course / "source" / ASSIGNMENT / f"{NOTEBOOK_NAME}.ipynb")
    zeros = {gid: 0.0 for gid, cell in grade_cells(source_nb).items() if cell["kind"] != "solution"}
    scores = {}
    with Gradebook(db_url, course_id=course_id(course)) as gb:
        for student_id in submissions:
            scores[student_id] = dict(zeros)
            if student_id in failed:
                continue
            try:
                notebook = gb.find_submission_notebook(NOTEBOOK_NAME, ASSIGNMENT, student_id)
            except MissingEntry:
                continue
            for grade in notebook.grades:
                scores[student_id][grade.name] = float(grade.score)
    return scores
