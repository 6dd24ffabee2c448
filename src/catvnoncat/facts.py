"""Facts several parts of the package share, at the bottom: it imports nothing of ours.

Where the course lives, the environment variables it reads, which assignments it has, how a cell
says its grade id, how ``nbgrader_config.py`` is read, and the sentences for a submission that
was not graded. Anything that needs one of these imports it from here; this module imports only
the standard library (and traitlets, inside :func:`course_config`).
"""

import importlib.util
import os
import sys
from pathlib import Path

__all__ = [
    "REPO_ROOT", "DATASETS_DIR", "CONFIG_NAME", "MIRROR_ENV", "DATA_ENV", "GRADEBOOK_ENV",
    "EXCHANGE_ENV", "COURSE_DIR_ENV", "SECRET_ENV", "SECRET_FILE", "DEFAULT_ASSIGNMENT", "STUDENT_HELPERS", "assignments",
    "default_assignment",
    "source_dir", "release_dir", "student_module", "nbgrader_meta", "grade_id", "is_test_cell",
    "course_config", "NO_AUTOGRADED_NOTEBOOK", "reason_from_log",
]

#: The course repository (the folder holding ``nbgrader_config.py``, ``source/``, ``release/``).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: The public data files (``.h5``), fetched, never committed.
DATASETS_DIR = REPO_ROOT / "datasets"
#: nbgrader's configuration file name, in the course folder.
CONFIG_NAME = "nbgrader_config.py"

#: Environment variable naming the data mirror: a folder, a file:// URL or an http(s) base URL.
MIRROR_ENV = "CATVNONCAT_MIRROR"
#: Environment variable naming the folder that holds the .h5 files (read by lr_utils too).
DATA_ENV = "CATVNONCAT_DATA"
#: Environment variable read by ``nbgrader_config.py`` for the gradebook URL.
GRADEBOOK_ENV = "CATVNONCAT_GRADEBOOK_URL"
#: Environment variable read by ``nbgrader_config.py`` for nbgrader's exchange folder.
EXCHANGE_ENV = "CATVNONCAT_EXCHANGE"
#: Environment variable naming the course folder a grading worker uses (default: its cwd).
COURSE_DIR_ENV = "CATVNONCAT_COURSE_DIR"

#: Environment variable holding the course secret the hidden inputs are drawn from (it wins over
#: :data:`SECRET_FILE`; set it on grading machines that have no copy of that file).
SECRET_ENV = "CATVNONCAT_SECRET"
#: The course secret's file in the course folder: git-ignored, in ``CourseDirectory.ignore``,
#: generated on first grading when neither it nor :data:`SECRET_ENV` is there.
SECRET_FILE = ".catvnoncat_secret"

#: The assignment used where one must be named and the course has several (the English edition).
DEFAULT_ASSIGNMENT = "logistic_regression"
#: The student-facing helper modules released beside the notebook (public_tests imports hints).
STUDENT_HELPERS = ("lr_utils.py", "public_tests.py", "hints.py", "cell_messages.py")


def assignments(course_dir=REPO_ROOT):
    """The course's assignments: the folders under ``source/`` that hold a notebook, sorted."""
    source = Path(course_dir) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))) \
        if source.is_dir() else []


def default_assignment(course_dir=REPO_ROOT):
    """The assignment meant when none is named: the course's only one, else
    :data:`DEFAULT_ASSIGNMENT`."""
    found = assignments(course_dir)
    return found[0] if len(found) == 1 else DEFAULT_ASSIGNMENT


def source_dir(assignment=DEFAULT_ASSIGNMENT, course_dir=REPO_ROOT):
    """``source/<assignment>`` of the course: the instructor's version, solutions included."""
    return Path(course_dir) / "source" / assignment


def release_dir(assignment=DEFAULT_ASSIGNMENT, course_dir=REPO_ROOT):
    """``release/<assignment>`` of the course: what students receive."""
    return Path(course_dir) / "release" / assignment


def student_module(filename, assignment=DEFAULT_ASSIGNMENT):
    """Load a student-facing helper of the assignment (``lr_utils.py``, ``public_tests.py``).

    A fresh module object each call, executed from ``source/``, exactly what students import.
    """
    folder = os.fspath(source_dir(assignment))
    spec = importlib.util.spec_from_file_location(f"_student_{Path(filename).stem}",
                                                  Path(folder) / filename)
    module = importlib.util.module_from_spec(spec)
    # The helpers import each other by plain name (public_tests imports hints), as in a notebook:
    # each load gets its own assignment's helpers (the English and the Chinese hints share the
    # name), and sys.modules is left as it was.
    plain = [Path(name).stem for name in STUDENT_HELPERS]
    shadowed = {name: sys.modules.pop(name) for name in plain if name in sys.modules}
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(folder)
        for name in plain:
            sys.modules.pop(name, None)
        sys.modules.update(shadowed)
    return module


def nbgrader_meta(cell):
    """A cell's ``nbgrader`` metadata (``{}`` when it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    """A cell's nbgrader grade id, else None."""
    return nbgrader_meta(cell).get("grade_id")


def is_test_cell(cell):
    """Whether a cell is an autograded test cell (a graded code cell that is not a solution)."""
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def course_config(course_dir=REPO_ROOT):
    """The traitlets config that ``nbgrader`` itself loads from ``<course_dir>/nbgrader_config.py``.

    Raises
    ------
    FileNotFoundError
        ``course_dir`` has no ``nbgrader_config.py``; the message says what to do.
    """
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = Path(course_dir)
    if not (course_dir / CONFIG_NAME).is_file():
        raise FileNotFoundError(
            f"{course_dir} has no nbgrader_config.py: run this from the course repository "
            "(the folder holding nbgrader_config.py) or pass --course-dir."
        )
    environ = dict(os.environ)  # the config sets variables meant for nbgrader's own process
    try:
        return PyFileConfigLoader(CONFIG_NAME, path=str(course_dir)).load_config()
    finally:
        os.environ.clear()
        os.environ.update(environ)


# -- why a submission was not graded (worked out by catvnoncat.repair.why_not_graded) ---------

#: A submission that reads as a notebook but has no autograded notebook (the report's reason).
NO_AUTOGRADED_NOTEBOOK = ("autograde failed for this submission (no autograded notebook): see the "
                          "`nbgrader autograde` log")
#: The longest reason kept from nbgrader's log.
LOG_REASON_CHARS = 300


def reason_from_log(log):
    """One line from an nbgrader log: the last exception it logged, else the log's last line."""
    exceptions = [line for line in log.splitlines()
                  if line and not line[0].isspace() and not line.startswith("[")
                  and ": " in line and not line.startswith("Traceback")]
    tail = [line for line in log.splitlines() if line.strip()][-1:] or ["nbgrader logged nothing"]
    return (exceptions[-1] if exceptions else tail[0])[:LOG_REASON_CHARS]
