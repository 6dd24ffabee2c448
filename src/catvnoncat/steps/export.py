"""``nbgrader export`` that never turns "not graded" or "missing" into 0.0 points.

Stock ``CsvExportPlugin`` writes ``score`` 0.0 for a student without a submission and the
gradebook's sum (0.0 when nothing was recorded) for a submission nbgrader or ``catvnoncat grade``
could not grade: an LMS import then stores a zero that is nobody's verdict. This plugin, set by
``c.ExportApp.plugin_class`` in ``nbgrader_config.py``, writes the same columns plus ``status``:

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
"""

import csv
import os

from nbgrader.api import MissingEntry
from nbgrader.plugins import CsvExportPlugin

__all__ = ["GradesCsvExport", "submission_status"]

KEYS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
        "raw_score", "late_submission_penalty", "score", "max_score", "status"]

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
            for assignment in gradebook.assignments:
                if assignments and assignment.name not in assignments:
                    continue
                for student in gradebook.students:
                    if students and student.id not in students:
                        continue
                    writer.writerow(self._row(gradebook, assignment, student))

    def _row(self, gradebook, assignment, student):
        row = {"assignment": assignment.name, "duedate": assignment.duedate,
               "student_id": student.id, "last_name": student.last_name,
               "first_name": student.first_name, "email": student.email,
               "max_score": assignment.max_score, "timestamp": None, "raw_score": None,
               "late_submission_penalty": None, "score": None}
        try:
            submission = gradebook.find_submission(assignment.name, student.id)
        except MissingEntry:
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
