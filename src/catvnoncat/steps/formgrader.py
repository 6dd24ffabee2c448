"""The formgrader's *Manage Students* page: one grade per student in a class of two editions.

The page shows each student's score over the gradebook's maximum, summed over every assignment
(``Gradebook.student_dicts``). With two editions of one assignment (:mod:`catvnoncat.editions`)
that doubles the maximum ("95 / 200") and adds the score of an edition that does not count. The
formgrader builds its ``NbGraderAPI`` itself on every request (no configurable class), after
reading ``nbgrader_config.py``; so the course's config calls :func:`count_one_edition_per_class`,
which wraps the API's two student methods: the editions a student does not count in
(:func:`catvnoncat.editions.counted_edition`, as in ``grades.csv``) leave their score and maximum.
Other assignments of the course are summed as nbgrader sums them.
"""

from nbgrader.api import MissingEntry

from ..editions import classes, counted_edition

__all__ = ["count_one_edition_per_class", "one_edition_per_class"]


def one_edition_per_class(gradebook, student):
    """``student`` (a formgrader student dict) with the editions it does not count in taken out
    of ``score`` and ``max_score``; unchanged in a course without editions."""
    by_name = {a.name: a for a in gradebook.assignments}
    for editions in classes(list(by_name)).values():
        if len(editions) < 2:
            continue
        handed_in = {}
        for name in editions:
            try:
                handed_in[name] = gradebook.find_submission(name, student["id"])
            except MissingEntry:
                pass
        counted = counted_edition({name: s.timestamp for name, s in handed_in.items()}) \
            or editions[0]
        for name in editions:
            if name == counted:
                continue
            student["max_score"] = (student.get("max_score") or 0.0) - by_name[name].max_score
            if name in handed_in:
                student["score"] = (student.get("score") or 0.0) - handed_in[name].score
    return student


def count_one_edition_per_class():
    """Make the formgrader's student list and student page count one edition per class
    (idempotent: ``nbgrader_config.py`` is read again on every formgrader request)."""
    from nbgrader.apps.api import NbGraderAPI

    if getattr(NbGraderAPI, "_catvnoncat_one_edition", False):
        return
    get_students, get_student = NbGraderAPI.get_students, NbGraderAPI.get_student

    def students_one_edition_each(self):
        students = get_students(self)
        with self.gradebook as gb:
            known = {s.id for s in gb.students}
            return [one_edition_per_class(gb, s) if s["id"] in known else s for s in students]

    def student_one_edition(self, student_id, submitted=None):
        student = get_student(self, student_id, submitted)
        if student is None:
            return None
        with self.gradebook as gb:
            try:
                gb.find_student(student_id)
            except MissingEntry:
                return student
            return one_edition_per_class(gb, student)

    students_one_edition_each.__doc__ = get_students.__doc__
    student_one_edition.__doc__ = get_student.__doc__
    NbGraderAPI.get_students, NbGraderAPI.get_student = students_one_edition_each, \
        student_one_edition
    NbGraderAPI._catvnoncat_one_edition = True
