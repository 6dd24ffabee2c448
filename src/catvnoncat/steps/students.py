"""Students as the formgrader lists them: a name, and a submission time.

The formgrader shows a student as "last name, first name". ``nbgrader autograde`` (and
``catvnoncat grade``) create a student they have not seen, e.g. one collected from the exchange
on a JupyterHub, without either name, listed "None, None"; :func:`name_if_unnamed` gives such a
student their id as last name. Names an instructor entered (``nbgrader db student add``, the
formgrader's Manage Students) are never changed.

nbgrader reads a submission's time from ``timestamp.txt`` beside the notebook (``nbgrader
submit`` and ``collect`` write it); :func:`write_timestamp` writes one for submissions put into
``submitted/`` by code (the demo class, the tests), which the formgrader otherwise shows "None".
"""

from datetime import datetime, timezone
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["name_if_unnamed", "NameUnnamedStudents", "write_timestamp", "TIMESTAMP_FORMAT"]

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
    path = Path(folder) / "timestamp.txt"
    path.write_text(when.strftime(TIMESTAMP_FORMAT), encoding="utf-8")
    return path
