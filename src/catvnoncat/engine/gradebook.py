"""The course gradebook: read the assignment's definition for the workers, write their outcomes.

Only the coordinator calls :class:`GradebookWriter`: workers grade against a private SQLite
gradebook built from :func:`assignment_rows` and return their rows in a
:class:`~catvnoncat.engine.jobs.StudentOutcome`. The writer then does, in the course gradebook
(SQLite or PostgreSQL, whatever ``CourseDirectory.db_url`` names), exactly the writes ``nbgrader
autograde`` does for one student: create the student and the submission (with its timestamp),
set each grade's ``auto_score`` and ``needs_manual_grade`` (SaveAutoGrades' rule, against the
manual score already in the course gradebook), each comment's ``auto_comment``, each notebook's
late penalty; and it replaces ``autograded/<student>/<assignment>/``.
"""

import os
import shutil
import tempfile
import warnings
from datetime import datetime
from pathlib import Path

from ..steps.students import name_if_unnamed

__all__ = ["assignment_rows", "create_scratch_gradebook", "GradebookWriter", "graded_students"]

#: Tables that define an assignment, in insertion order (foreign keys first).
_DEFINITION_TABLES = ("assignment", "notebook", "base_cell", "grade_cells", "solution_cells",
                      "task_cells", "source_cell")


def _quiet():
    """nbgrader's own ORM use trips SQLAlchemy autoflush warnings."""
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("ignore")
    return context


def assignment_rows(db_url, course_id, assignment):
    """The rows that define ``assignment`` in a gradebook, as plain tuples.

    Parameters
    ----------
    db_url, course_id, assignment : str

    Returns
    -------
    tuple of (str, tuple of tuple of (str, object))
        ``(table, rows)`` per table of :data:`_DEFINITION_TABLES`; each row is its
        ``(column, value)`` pairs. Picklable, to be shipped with every job.

    Raises
    ------
    LookupError
        The gradebook has no such assignment (run ``nbgrader generate_assignment`` first).
    """
    from nbgrader.api import Base
    from sqlalchemy import create_engine, select

    engine = create_engine(db_url)
    tables = Base.metadata.tables
    try:
        with engine.connect() as db:
            found = db.execute(select(tables["assignment"]).where(
                tables["assignment"].c.name == assignment,
                tables["assignment"].c.course_id == course_id)).mappings().all()
            if not found:
                raise LookupError(f"the gradebook {db_url} has no assignment {assignment!r} of "
                                  f"course {course_id!r}: run `nbgrader generate_assignment "
                                  f"{assignment}` first")
            ids = {"assignment": [found[0]["id"]]}
            notebooks = db.execute(select(tables["notebook"]).where(
                tables["notebook"].c.assignment_id.in_(ids["assignment"]))).mappings().all()
            ids["notebook"] = [row["id"] for row in notebooks]
            result = [("assignment", found), ("notebook", notebooks)]
            cells = db.execute(select(tables["base_cell"]).where(
                tables["base_cell"].c.notebook_id.in_(ids["notebook"]))).mappings().all()
            result.append(("base_cell", cells))
            cell_ids = [row["id"] for row in cells]
            for name in ("grade_cells", "solution_cells", "task_cells"):
                result.append((name, db.execute(select(tables[name]).where(
                    tables[name].c.id.in_(cell_ids))).mappings().all()))
            result.append(("source_cell", db.execute(select(tables["source_cell"]).where(
                tables["source_cell"].c.notebook_id.in_(ids["notebook"]))).mappings().all()))
    finally:
        engine.dispose()
    return tuple((table, tuple(tuple(sorted(dict(row).items())) for row in rows))
                 for table, rows in result)


def create_scratch_gradebook(path, course_id, rows):
    """A new SQLite gradebook at ``path`` holding only the assignment ``rows`` define.

    Returns
    -------
    str
        Its database URL.
    """
    from nbgrader.api import Base, Gradebook
    from sqlalchemy import create_engine

    url = f"sqlite:///{path}"
    with Gradebook(url, course_id):  # creates the schema, the alembic stamp and the course row
        pass
    engine = create_engine(url)
    try:
        with engine.begin() as db:
            for table, table_rows in rows:
                if table_rows:
                    db.execute(Base.metadata.tables[table].insert(),
                               [dict(row) for row in table_rows])
    finally:
        engine.dispose()
    return url


def graded_students(db_url, course_id, assignment):
    """Student ids with a submission of ``assignment`` in the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            return {s.student.id for s in gb.find_assignment(assignment).submissions}
        except MissingEntry:
            return set()


class GradebookWriter:
    """The one process that writes grading outcomes into the course gradebook and ``autograded/``.

    Parameters
    ----------
    db_url, course_id : str
        The course gradebook, as ``nbgrader_config.py`` names it.
    autograded_dir : path-like
        The course's ``autograded/`` folder.
    assignment : str
    """

    def __init__(self, db_url, course_id, autograded_dir, assignment):
        from nbgrader.api import Gradebook

        self.assignment = assignment
        self.autograded_dir = Path(autograded_dir)
        self._gradebook = Gradebook(db_url, course_id)

    def close(self):
        self._gradebook.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def write(self, outcome):
        """Record ``outcome`` as ``nbgrader autograde`` records one student.

        A submission that could not be graded gets what nbgrader leaves for it: the student and
        the submission exist, earlier grades are untouched, the autograded folder is removed.
        """
        gb = self._gradebook
        context = _quiet()
        try:
            gb.update_or_create_student(outcome.student_id)
            name_if_unnamed(gb, outcome.student_id)
            if outcome.timestamp:
                gb.update_or_create_submission(self.assignment, outcome.student_id,
                                               timestamp=datetime.fromisoformat(outcome.timestamp))
            else:
                gb.update_or_create_submission(self.assignment, outcome.student_id)
            if outcome.graded:
                for notebook in outcome.notebooks:
                    self._write_notebook(notebook, outcome.student_id)
            gb.db.commit()
        except Exception:
            gb.db.rollback()
            raise
        finally:
            context.__exit__(None, None, None)
        self._replace_autograded(outcome)

    def _write_notebook(self, notebook, student_id):
        gb = self._gradebook
        submitted = gb.find_submission_notebook(notebook.notebook, self.assignment, student_id)
        grades = {g.name: g for g in submitted.grades}
        comments = {c.name: c for c in submitted.comments}
        for name, auto_score, needs_manual in notebook.grades:
            grade = grades[name]
            grade.auto_score = auto_score
            if notebook.submitted:  # SaveAutoGrades: a manual grade already given is reviewed
                needs_manual = grade.manual_score is not None or auto_score is None
            grade.needs_manual_grade = needs_manual
        for name, auto_comment in notebook.comments:
            comments[name].auto_comment = auto_comment
        if notebook.submitted:
            submitted.late_submission_penalty = notebook.late_submission_penalty

    def _replace_autograded(self, outcome):
        """Swap in the new autograded folder (written beside it, then renamed)."""
        final = self.autograded_dir / outcome.student_id / self.assignment
        if not outcome.graded:
            if final.exists():
                shutil.rmtree(final)
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.assignment}-", dir=final.parent))
        for relative, content, mode in outcome.autograded_files:
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            os.chmod(path, mode)
        os.chmod(staging, 0o755)
        if final.exists():
            shutil.rmtree(final)
        os.rename(staging, final)

    def record_zero(self, student_id):
        """Score every grade of a submission 0 (a file nbgrader cannot read; see ``make demo``)."""
        gb = self._gradebook
        context = _quiet()
        try:
            gb.update_or_create_submission(self.assignment, student_id)
            for notebook in gb.find_submission(self.assignment, student_id).notebooks:
                for grade in notebook.grades:
                    grade.auto_score = 0.0
                    grade.manual_score = None
                    grade.needs_manual_grade = False
            gb.db.commit()
        finally:
            context.__exit__(None, None, None)
