"""The instructor report on a small synthetic gradebook (no notebook is executed).

The gradebook, the autograded notebooks and the submitted files are built here through
nbgrader's own ``Gradebook`` API, so every expected figure below follows from the fixture.
"""

import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.api import Gradebook
from PIL import Image

from catvnoncat import report
from catvnoncat.judge.verdict import METADATA_KEY
from catvnoncat.sandbox.groups import PER_PROCESS_ONLY

# nbgrader's own add_submission triggers SQLAlchemy autoflush warnings; they are not ours.
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

ASSIGNMENT = "hw"
# Notebook order (the release notebook below) differs from creation and alphabetical order.
PARTS = {"test_b": 10.0, "test_a": 5.0, "answer": 5.0}
ORDER = ["test_b", "test_a", "answer"]
ASSERT_MSG = "expected dw of shape (2, 1), got (2, 2). Did you forget to transpose?"
# student -> {part: auto score}; the "answer" part is graded by hand (manual score below).
AUTO = {
    "s1": {"test_a": 5.0, "test_b": 10.0},
    "s2": {"test_a": 0.0, "test_b": 10.0},
    "s3": {"test_a": 0.0, "test_b": 0.0},
}
MANUAL = {"s1": 4.0}  # s2, s3: answer not graded yet
ERRORS = {  # student -> {part: outputs that made nbgrader give 0}
    "s2": {"test_a": [new_output("error", ename="AssertionError", evalue=ASSERT_MSG,
                                 traceback=["..."])]},
    "s3": {"test_a": [new_output("error", ename="AssertionError", evalue=ASSERT_MSG,
                                 traceback=["..."])],
           # What nbgrader leaves in a cell interrupted at the time limit.
           "test_b": [new_output("error", ename="KeyboardInterrupt", evalue="", traceback=["..."]),
                      new_output("error", ename="CellTimeoutError", evalue="", traceback=[
                          "\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"])]},
}


def _grade_cell(grade_id, outputs=()):
    cell = new_code_cell("pass", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": grade_id,
        "points": PARTS[grade_id], "schema_version": 3}})
    cell.outputs = list(outputs)
    return cell


def _answer_cell():
    return new_markdown_cell("my answer", metadata={"nbgrader": {
        "grade": True, "solution": True, "locked": False, "grade_id": "answer",
        "points": PARTS["answer"], "schema_version": 3}})


#: The student whose autograded notebook says its sandbox had per-process limits only.
PER_PROCESS_STUDENT = "s2"


def _write(path, nb):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("course")
    # nbgrader runs the `alembic` executable (next to this Python) when it creates a gradebook.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        db_url = _build_gradebook(tmp_path)
    _write_notebooks(tmp_path)
    return tmp_path, db_url


def _build_gradebook(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db_url, "synthetic") as gb:
        gb.add_assignment(ASSIGNMENT)
        gb.add_notebook(ASSIGNMENT, ASSIGNMENT)
        for name in sorted(PARTS):  # alphabetical: the report must not rely on it
            cell_type = "markdown" if name == "answer" else "code"
            gb.add_grade_cell(name, ASSIGNMENT, ASSIGNMENT, max_score=PARTS[name],
                              cell_type=cell_type)
        gb.add_solution_cell("answer", ASSIGNMENT, ASSIGNMENT)
        for student in [*AUTO, "s4"]:
            gb.add_student(student, first_name=student.upper(), last_name="Doe")
            gb.add_submission(ASSIGNMENT, student)
        for student, scores in AUTO.items():
            for part, score in scores.items():
                gb.find_grade(part, ASSIGNMENT, ASSIGNMENT, student).auto_score = score
        for student, score in MANUAL.items():
            gb.find_grade("answer", ASSIGNMENT, ASSIGNMENT, student).manual_score = score
        gb.db.commit()
    return db_url


def _write_notebooks(tmp_path):
    _write(tmp_path / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", new_notebook(cells=[
        _grade_cell("test_b"), _grade_cell("test_a"), _answer_cell()]))
    for student in AUTO:
        errors = ERRORS.get(student, {})
        cells = [_grade_cell(g, errors.get(g, [])) for g in ORDER[:2]]
        nb = new_notebook(cells=[*cells, _answer_cell()])
        if student == PER_PROCESS_STUDENT:  # graded where no cgroup could be made
            nb.metadata[METADATA_KEY] = {"limits": PER_PROCESS_ONLY}
        _write(tmp_path / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", nb)
    # s4's notebook was cut off while saving: nbgrader could not autograde it.
    broken = tmp_path / "submitted" / "s4" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text(json.dumps(new_notebook(cells=[_answer_cell()]))[:40])


@pytest.fixture(scope="module")
def grades(course):
    course_dir, db_url = course
    return report.read_class_grades(course_dir, ASSIGNMENT, db_url=db_url, course_id="synthetic")


def test_parts_follow_release_notebook_order_with_gradebook_points(grades):
    assert [p.name for p in grades.parts] == ORDER
    assert {p.name: p.max_score for p in grades.parts} == PARTS
    assert [p.name for p in grades.parts if p.manual] == ["answer"]
    assert grades.students == ["s1", "s2", "s3", "s4"]
    assert grades.names["s2"] == "S2 Doe"


def test_scores_totals_and_pass_rates(grades):
    assert grades.scores["s1", "answer"] == MANUAL["s1"]
    assert grades.scores["s2", "answer"] is None  # waiting for a human grader
    # s4 has a submission but was never autograded: nbgrader's score is 0, not "waiting".
    assert grades.scores["s4", "test_a"] == 0.0
    expected_totals = {s: sum(AUTO.get(s, {}).values()) + MANUAL.get(s, 0.0)
                       for s in ["s1", "s2", "s3", "s4"]}
    assert report.totals(grades) == expected_totals
    assert report.pass_rates(grades) == {"test_b": (2, 4), "test_a": (1, 4), "answer": (0, 1)}


def test_failure_messages_from_autograded_outputs(grades):
    assert grades.failures["s2", "test_a"] == f"AssertionError: {ASSERT_MSG}"
    assert grades.failures["s3", "test_b"] == report.TIMEOUT_MESSAGE
    assert ("s1", "test_a") not in grades.failures
    assert "not valid JSON" in grades.not_graded["s4"]
    # A submission that was not autograded counts once, not once per part.
    assert not any(student == "s4" for student, _ in grades.failures)

    ranked = report.common_failures(grades)
    assert ranked[0] == (f"AssertionError: {ASSERT_MSG}", "test_a", ["s2", "s3"])
    assert ranked[1:] == [
        (f"not autograded: {grades.not_graded['s4']}", report.WHOLE_NOTEBOOK, ["s4"]),
        (report.TIMEOUT_MESSAGE, "test_b", ["s3"]),
    ]


def test_stderr_output_counts_as_failure():
    nb = new_notebook(cells=[_grade_cell("test_a", [new_output(
        "stream", name="stderr", text="\nRuntimeWarning: overflow in exp\n")])])
    assert report.failure_messages(nb) == {"test_a": "wrote to stderr: RuntimeWarning: overflow in exp"}


def test_table_has_one_row_per_student_with_total(grades):
    table = report.format_table(grades)
    rows = {line.split()[0]: line.split() for line in table.splitlines()
            if line.split() and line.split()[0].rstrip("!") in grades.students}
    assert rows["s1"][1:] == ["10", "5", "4", "19"]
    assert rows["s2"][1:] == ["10", "0", "?", "10"]
    assert "s4!" in rows  # flagged: not autograded
    assert "2 test_a (5)" in table and "3 answer (5, by hand)" in table
    assert f"total/{sum(PARTS.values()):g}" in table


def test_write_report_png_and_markdown(grades, tmp_path):
    png, md = report.write_report(grades, tmp_path / "out")
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.size[0] > 500 and image.size[1] > 500
    text = md.read_text()
    assert "| test_a | 5 | 1/4 | 25 % |" in text
    assert "| answer (by hand) | 5 | 0/1 (3 waiting) | 0 % |" in text
    assert f"| 2 | test_a | AssertionError: {ASSERT_MSG} | s2, s3 |" in text
    assert re.search(r"\*\*s4\*\*: submitted notebook (\S+ )?is not valid JSON", text)
    assert "mean 7.2, median 5, min 0, max 19" in text  # totals 19, 10, 0, 0
    assert png.name in text


def test_a_submission_graded_with_per_process_limits_only_is_said_loudly(grades, tmp_path):
    assert grades.per_process_only == {PER_PROCESS_STUDENT}
    _png, md = report.write_report(grades, tmp_path / "out")
    assert re.search(rf"\*\*Graded with per-process limits only: 1 of 4 submissions\*\* "
                     rf"\({PER_PROCESS_STUDENT}\)", md.read_text())


def test_missing_gradebook_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="nbgrader generate_assignment"):
        report.read_class_grades(tmp_path, ASSIGNMENT, db_url=f"sqlite:///{tmp_path}/none.db",
                                 course_id="x")
