"""``nbgrader export`` that never turns "not graded" or "missing" into 0.0 points.

Stock ``CsvExportPlugin`` writes ``score`` 0.0 for a student without a submission and the
gradebook's sum (0.0 when nothing was recorded) for a submission nbgrader or ``catvnoncat grade``
could not grade: an LMS import then stores a zero that is nobody's verdict. This plugin, set by
``c.ExportApp.plugin_class`` in ``nbgrader_config.py``, writes the same columns plus ``status``
(and ``edition``, below):

* ``graded``: the submission has an autograded folder (``autograded/<student>/<assignment>``);
  its score as stock nbgrader computes it;
* ``missing``: no submission; score, raw score and penalty left empty;
* ``not gradable: <why>``: no autograded folder, and the submitted notebook is one nobody can
  grade (not a notebook, no notebook of the assignment: :func:`catvnoncat.repair.
  unrepairable_reason`, as in the report): the student's own fault, scored as recorded (0);
* ``not graded: ...``: a submission without an autograded folder whose files could be graded (a
  grader error, a worker lost, grading stopped: nbgrader and ``catvnoncat grade`` both remove
  the autograded folder of a submission they could not grade, and leave earlier grades in the
  gradebook); score left empty.

A class with two editions (:mod:`catvnoncat.editions`: ``logistic_regression`` and
``logistic_regression_zh``) gets one row per student, not one per edition: stock nbgrader would
give every student a 0.0 row for the edition they did not hand in. The row's ``assignment`` is
the class (the first edition's name, the LMS column), ``edition`` the one the student counts in
(:func:`catvnoncat.editions.counted_edition`: the one handed in, the later if both), and its
timestamp, scores and status are that edition's; ``missing`` when the student handed in none.
Asking for any edition (``--assignment``) exports its class.
"""

import csv
import os

from ..editions import classes, counted_edition

from nbgrader.api import MissingEntry
from nbgrader.plugins import CsvExportPlugin

__all__ = ["GradesCsvExport", "submission_status"]

KEYS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
        "raw_score", "late_submission_penalty", "score", "max_score", "status", "edition"]

NOT_GRADED = ("not graded: a gradable submission without autograded notebook (a grader error or "
              "grading stopped; see catvnoncat grade's summary or nbgrader's log): grade it again")


def submission_status(submission, autograded_dir, submitted_dir):
    """``"graded"``, ``"not gradable: <why>"`` or :data:`NOT_GRADED` for a gradebook submission."""
    if os.path.isdir(autograded_dir):
        return "graded"
    from ..repair import unrepairable_reason

    for notebook in submission.notebooks:
        why = unrepairable_reason(os.path.join(submitted_dir, f"{notebook.name}.ipynb"))
        if why is not None:
            return f"not gradable: {why}"
    return NOT_GRADED


class GradesCsvExport(CsvExportPlugin):
    """CSV export with an empty score, and a ``status`` saying why, when there is no verdict."""

    def _folder(self, step, assignment, student):
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None:
            return os.path.join(step, student, assignment)
        return coursedir.format_path(getattr(coursedir, f"{step}_directory"), student, assignment)

    def export(self, gradebook):
        dest = self.to or "grades.csv"
        students = {str(s) for s in self.student}
        assignments = {str(a) for a in self.assignment}
        self.log.info("Exporting grades to %s", dest)
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, KEYS, lineterminator="\n")
            writer.writeheader()
            by_name = {a.name: a for a in gradebook.assignments}
            for editions in classes(list(by_name)).values():
                if assignments and not assignments & set(editions):
                    continue
                for student in gradebook.students:
                    if students and student.id not in students:
                        continue
                    writer.writerow(self._row(gradebook, [by_name[e] for e in editions], student))

    def _row(self, gradebook, editions, student):
        """One student's row of a class: the edition they count in, else ``missing``."""
        handed_in = {}
        for edition in editions:
            try:
                handed_in[edition.name] = gradebook.find_submission(edition.name, student.id)
            except MissingEntry:
                pass
        counted = counted_edition({name: s.timestamp for name, s in handed_in.items()})
        assignment = next((e for e in editions if e.name == counted), editions[0])
        row = {"assignment": editions[0].name, "duedate": assignment.duedate,
               "student_id": student.id, "last_name": student.last_name,
               "first_name": student.first_name, "email": student.email,
               "max_score": assignment.max_score, "timestamp": None, "raw_score": None,
               "late_submission_penalty": None, "score": None, "edition": counted}
        submission = handed_in.get(counted)
        if submission is None:
            row["status"] = "missing"
        else:
            row["timestamp"] = submission.timestamp
            row["status"] = submission_status(
                submission, self._folder("autograded", assignment.name, student.id),
                self._folder("submitted", assignment.name, student.id))
            if row["status"] != NOT_GRADED:
                penalty = submission.late_submission_penalty or 0.0
                row["raw_score"] = submission.score
                row["late_submission_penalty"] = penalty
                row["score"] = max(0.0, submission.score - penalty)
        return {key: "" if value is None else str(value) for key, value in row.items()}
