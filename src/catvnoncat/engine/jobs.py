"""What travels between the coordinator and the grading workers: plain, frozen, picklable data.

A :class:`GradeJob` holds everything a worker needs to grade one submission (its files as
bytes, the assignment as the gradebook defines it, the course's fingerprint); a
:class:`StudentOutcome` holds everything the coordinator writes back (the autograded folder as
bytes, the grade and comment rows, notes, errors). Neither holds a path of the coordinator's
machine, so the same job runs in a local process or on a Dask worker elsewhere.
"""

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["GradeJob", "StudentOutcome", "NotebookGrades", "course_fingerprint",
           "FINGERPRINT_FILES"]

#: Course files whose content decides a grade: the source notebook and helpers, the release,
#: the grading policy. A worker whose copy differs refuses the job.
FINGERPRINT_FILES = ("nbgrader_config.py",)


def _fingerprinted(course_dir, assignment):
    course_dir = Path(course_dir)
    files = [course_dir / name for name in FINGERPRINT_FILES]
    for folder in ("source", "release"):
        root = course_dir / folder / assignment
        if root.is_dir():
            files += sorted(p for p in root.rglob("*") if p.is_file()
                            and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts)
    return files


def course_fingerprint(course_dir, assignment):
    """SHA-256 over the course files that decide a grade (names relative to the course folder)
    and over a digest of the course secret (:mod:`catvnoncat.judge.secret`).

    Parameters
    ----------
    course_dir : path-like
        The nbgrader course folder.
    assignment : str

    Returns
    -------
    str
        Hex digest; equal on two machines exactly when those files are equal.
    """
    from ..judge.secret import secret_digest

    digest = hashlib.sha256()
    # The course secret decides the hidden inputs: a worker with another secret (or none)
    # would grade differently. Only a digest of it enters the fingerprint.
    digest.update(f"secret:{secret_digest(course_dir)}\0".encode())
    for path in _fingerprinted(course_dir, assignment):
        digest.update(os.fspath(path.relative_to(course_dir)).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class GradeJob:
    """One submission to grade.

    Attributes
    ----------
    assignment, student_id : str
    files : tuple of (str, bytes)
        The student's submitted folder (``submitted/<student>/<assignment>/``): relative path
        and content of every file (notebooks, ``timestamp.txt``, anything else handed in).
    assignment_rows : tuple
        The assignment as the course gradebook defines it (see
        :func:`catvnoncat.engine.gradebook.assignment_rows`): the worker grades against a private
        gradebook holding exactly these rows.
    course_id : str
    fingerprint : str
        :func:`course_fingerprint` of the coordinator's course.
    time_limit : float
        Wall-clock seconds the whole submission may take.
    set_aside : dict
        What the coordinator set aside from the folder before reading it
        (:func:`catvnoncat.repair.quarantine.set_aside_record`; empty when nothing).
    """

    assignment: str
    student_id: str
    files: tuple
    assignment_rows: tuple
    course_id: str
    fingerprint: str
    time_limit: float = 900.0
    set_aside: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NotebookGrades:
    """What autograde recorded for one submitted notebook.

    Attributes
    ----------
    notebook : str
        Notebook name (without ``.ipynb``).
    grades : tuple of (str, float or None, bool)
        ``(grade id, auto_score, needs_manual_grade)`` per grade cell, as SaveAutoGrades (or, for a
        notebook not handed in, ``init_assignment``) left them.
    comments : tuple of (str, str or None)
        ``(grade id, auto_comment)`` per solution or task cell.
    late_submission_penalty : float or None
    submitted : bool
        False when the student handed in no file of that name (scored 0 by nbgrader).
    """

    notebook: str
    grades: tuple
    comments: tuple
    late_submission_penalty: object = None
    submitted: bool = True


@dataclass(frozen=True)
class StudentOutcome:
    """The result of grading one submission, ready for the one gradebook writer.

    Attributes
    ----------
    student_id : str
    graded : bool
        True when nbgrader converted every notebook (the grades are to be written).
    notebooks : tuple of NotebookGrades
    autograded_files : tuple of (str, bytes, int)
        ``autograded/<student>/<assignment>/``: relative path, content, permission bits.
    timestamp : str or None
        The submission time nbgrader read (``timestamp.txt``), ISO format.
    notes : tuple of str
        What happened, for the instructor (timeouts, kernel deaths, repairs, restored cells).
    error : str
        Why the submission could not be graded (empty when graded).
    seconds : float
        Wall time the worker spent.
    worker : str
        Which worker graded it (host and process id).
    fatal : bool
        The worker cannot grade anything (no sandbox, different course): stop the run.
    """

    student_id: str
    graded: bool
    notebooks: tuple = ()
    autograded_files: tuple = ()
    timestamp: object = None
    notes: tuple = ()
    error: str = ""
    seconds: float = 0.0
    worker: str = ""
    fatal: bool = False
    log: str = field(default="", repr=False)
