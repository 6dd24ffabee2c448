"""Students as the formgrader lists them: a name, and a submission time.

The formgrader shows a student as "last name, first name". ``nbgrader autograde`` (and
``catvnoncat grade``) create a student they have not seen, e.g. one collected from the exchange
on a JupyterHub, without either name, listed "None, None"; :func:`name_if_unnamed` gives such a
student their id as last name. Names an instructor entered (``nbgrader db student add``, the
formgrader's Manage Students) are never changed.

nbgrader reads a submission's time from ``timestamp.txt`` beside the notebook (``nbgrader
submit`` and ``collect`` write it); :func:`write_timestamp` writes one for submissions put into
``submitted/`` by code (the demo class, the tests), which the formgrader otherwise shows "None".

The file is the student's (a zip of a learning platform holds it):
:func:`~catvnoncat.repair.quarantine.read_timestamp` reads it without trusting it, and
:func:`~catvnoncat.repair.quarantine.timestamp_problem` says what is wrong with one it cannot
read. nbgrader itself read a
binary one with ``open().read()`` and raised, in ``autograde``'s first step, before the course's
``pre_convert_hook``: the student was "not graded", as if by a fault of ours; a named pipe there
would hang it. :func:`read_unreadable_timestamps_as_missing` (called in ``nbgrader_config.py``)
makes nbgrader read such a file as no file, as the engine does; the quarantine then sets it
aside and the feedback says so.
"""

import functools
import os
import warnings
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from ..repair.quarantine import TIMESTAMP_FILE, printable, timestamp_problem

__all__ = ["name_if_unnamed", "NameUnnamedStudents", "write_timestamp", "TIMESTAMP_FORMAT",
           "read_unreadable_timestamps_as_missing"]

#: nbgrader's own format for ``timestamp.txt`` (``nbgrader submit`` writes it so).
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


def name_if_unnamed(gradebook, student_id):
    """Give ``student_id`` its id as last name when the gradebook knows no name for it."""
    try:
        student = gradebook.find_student(student_id)
    except MissingEntry:
        return
    if not student.last_name and not student.first_name:
        gradebook.update_or_create_student(student_id, last_name=student_id, first_name="")


class NameUnnamedStudents(NbGraderPreprocessor):
    """Autograde step: the student being graded gets a name if the gradebook has none."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            name_if_unnamed(gradebook, info["student"])
        return nb, resources


def write_timestamp(folder, when=None):
    """Write ``folder/timestamp.txt`` as ``nbgrader submit`` does (``when``: now, in UTC)."""
    when = when or datetime.now(timezone.utc)
    path = Path(folder) / TIMESTAMP_FILE
    path.write_text(when.strftime(TIMESTAMP_FORMAT), encoding="utf-8")
    return path


def read_unreadable_timestamps_as_missing():
    """Make nbgrader's ``CourseDirectory.get_existing_timestamp`` read a ``timestamp.txt`` it
    cannot read as no file (with a warning naming it), instead of raising for the student.

    nbgrader's own reading is kept for every readable file. Called once in
    ``nbgrader_config.py``; calling it again changes nothing."""
    from nbgrader.coursedir import CourseDirectory

    original = CourseDirectory.get_existing_timestamp
    if getattr(original, "_catvnoncat_reads_safely", False):
        return

    @functools.wraps(original)
    def get_existing_timestamp(self, dest_path):
        problem = timestamp_problem(dest_path)
        if problem is not None:
            self.log.warning("%s: cannot be read as a submission time (%s); read as no "
                             "timestamp", printable(os.path.join(dest_path, TIMESTAMP_FILE)),
                             problem)
            return None
        with warnings.catch_warnings():  # dateutil's, about the student's text: checked above
            warnings.simplefilter("ignore")
            return original(self, dest_path)

    get_existing_timestamp._catvnoncat_reads_safely = True
    CourseDirectory.get_existing_timestamp = get_existing_timestamp
