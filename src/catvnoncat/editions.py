"""One class, two editions: which assignments are editions of one another, and which one counts.

The course has one assignment per language edition (``logistic_regression`` and the generated
Chinese ``logistic_regression_zh``: same grade ids, points and test cells). Each student hands in
one edition; the class has one grade per student. nbgrader itself knows nothing of editions (two
assignments), so the course's own tools merge them: ``catvnoncat grade`` grades every edition
handed in, ``nbgrader export`` (:class:`catvnoncat.steps.export.GradesCsvExport`) and the report
(:func:`catvnoncat.report.read_class`) give each student one row, of the edition they count in.

The rule (:func:`counted_edition`): a student counts in the edition they handed in; one who
handed in both counts in the **later submission** (nbgrader's submission time, ``timestamp.txt``),
as nbgrader itself keeps only the latest hand-in of one assignment: the last thing a student
handed in is what they want graded, whichever language it is in. Equal or unknown times count the
first edition (the English). The report and ``grades.csv`` say which edition counted, and the
report names the students who handed in both.
"""

from pathlib import Path

from .facts import REPO_ROOT, assignments

__all__ = ["EDITION_SEPARATOR", "editions_of", "class_of", "classes", "default_class",
           "counted_edition", "handed_in", "merge_editions"]

#: An edition is named ``<assignment><separator><language>``: ``logistic_regression_zh``.
EDITION_SEPARATOR = "_"


def editions_of(assignment, known):
    """The editions of ``assignment``'s class among ``known`` assignment names, first one first.

    The first edition is the assignment every other is named after (``logistic_regression``);
    the others are ``<first>_<language>`` (two or five letters, e.g. ``zh``, ``zh_CN``), sorted.
    """
    known = set(known)
    first = assignment
    for name in sorted(known, key=len):
        if assignment.startswith(name + EDITION_SEPARATOR) and _is_language(
                assignment[len(name) + 1:]):
            first = name
            break
    others = sorted(name for name in known if name.startswith(first + EDITION_SEPARATOR)
                    and _is_language(name[len(first) + 1:]))
    return (first, *others)


def _is_language(tag):
    parts = tag.split("_")
    return (len(parts[0]) == 2 and parts[0].isalpha() and parts[0].islower()
            and (len(parts) == 1 or (len(parts) == 2 and len(parts[1]) == 2 and parts[1].isalpha())))


def class_of(assignment, course_dir=REPO_ROOT):
    """The editions of ``assignment``'s class in ``course_dir`` (its ``source/`` folders)."""
    return editions_of(assignment, assignments(course_dir) or [assignment])


def classes(names):
    """``{first edition: (editions...)}`` of every class among assignment ``names``."""
    found = {}
    for name in names:
        group = editions_of(name, names)
        found.setdefault(group[0], group)
    return found


def default_class(course_dir=REPO_ROOT):
    """The class meant when none is named: the first edition of the course's only class, else
    :data:`catvnoncat.facts.DEFAULT_ASSIGNMENT`."""
    from .facts import DEFAULT_ASSIGNMENT

    found = classes(assignments(course_dir))
    return next(iter(found)) if len(found) == 1 else DEFAULT_ASSIGNMENT


def counted_edition(times):
    """The edition a student counts in, from ``{edition: submission time or None}``.

    ``times`` holds only the editions the student handed in, in class order (first edition
    first). The latest time wins; equal or unknown times keep class order. None when empty.
    """
    if not times:
        return None
    order = list(times)
    known = [(when, -order.index(e), e) for e, when in times.items() if when is not None]
    return max(known)[2] if known else order[0]


def handed_in(course_dir, editions):
    """``{student id: {edition: submission time or None}}`` from ``submitted/`` (class order;
    a ``timestamp.txt`` that cannot be read counts as none)."""
    from .repair.quarantine import read_timestamp

    root = Path(course_dir) / "submitted"
    found = {}
    for edition in editions:
        for folder in sorted(root.glob(f"*/{edition}")):
            if folder.is_dir():
                found.setdefault(folder.parent.name, {})[edition] = read_timestamp(folder)
    return found


def merge_editions(per_edition):
    """One class's grades, one row per student, from each edition's grades.

    Each student's scores, failure messages, repairs and not-graded reason are those of the
    edition they count in (:func:`counted_edition` on the gradebook's submission times);
    ``editions`` says which, ``also_handed_in`` what else they handed in.

    Parameters
    ----------
    per_edition : dict
        ``{edition: catvnoncat.report.ClassGrades}`` in class order, first edition first.

    Returns
    -------
    catvnoncat.report.ClassGrades
        Named after the first edition.

    Raises
    ------
    LookupError
        Two editions have different graded parts or points.
    """
    first_name, first = next(iter(per_edition.items()))
    if len(per_edition) == 1:
        return first
    for edition, grades in per_edition.items():
        if grades.parts != first.parts:
            raise LookupError(f"{edition} and {first_name} have different graded parts or "
                              "points: they are not editions of one assignment (run `make i18n` "
                              "and `nbgrader generate_assignment` for both)")
    merged = type(first)(first_name, first.parts, students=sorted(
        {s for grades in per_edition.values() for s in grades.students}))
    for student in merged.students:
        mine = {e: g.timestamps.get(student) for e, g in per_edition.items()
                if student in g.students}
        counted = counted_edition(mine)
        source = per_edition[counted]
        merged.editions[student] = counted
        merged.timestamps[student] = source.timestamps.get(student)
        merged.names[student] = source.names.get(student, "")
        if len(mine) > 1:
            merged.also_handed_in[student] = [e for e in mine if e != counted]
        merged.scores.update({k: v for k, v in source.scores.items() if k[0] == student})
        merged.failures.update({k: v for k, v in source.failures.items() if k[0] == student})
        if student in source.not_graded:
            merged.not_graded[student] = source.not_graded[student]
        if student in source.repairs:
            merged.repairs[student] = source.repairs[student]
        if student in source.per_process_only:
            merged.per_process_only.add(student)
    return merged
