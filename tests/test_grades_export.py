"""``nbgrader export`` never writes 0.0 for a student who has no verdict (issue 21, item 4).

A real course: ``nbgrader autograde`` grades an honest student, a file that is not a notebook
and a second honest student whose regrade is then recorded as ``catvnoncat grade`` records a
grader error (its worker died twice: :class:`GradebookWriter` removes the autograded folder and
leaves the earlier grades); a fourth student is in the gradebook without a submission. Then the
real ``nbgrader export`` with the course's plugin, and stock nbgrader's for comparison.
"""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catvnoncat import course
from support import course_run
from catvnoncat.data import DATA_ENV, DATASETS_DIR
from catvnoncat.engine.gradebook import GradebookWriter
from catvnoncat.engine.jobs import StudentOutcome
from catvnoncat.steps.export import NOT_GRADED


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("export")
    honest = course.reference_submission()
    course_run.autograde({"honest": honest, "not-json": b"{not json", "lost": honest}, workdir)
    root = workdir / "course"
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    with GradebookWriter(db_url, course.course_id(root), root / "autograded",
                         course.ASSIGNMENT) as writer:
        writer.write(StudentOutcome("lost", False, error="its worker died twice while grading it"))
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env[course.GRADEBOOK_ENV] = db_url
    env.setdefault(DATA_ENV, os.fspath(DATASETS_DIR))

    def nbgrader(*args):
        result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]

    nbgrader("db", "student", "add", "absent")
    nbgrader("export")
    nbgrader("export", "--exporter=nbgrader.plugins.export.CsvExportPlugin", "--to=stock.csv")

    def rows(name):
        with open(root / name, newline="", encoding="utf-8") as f:
            return {row["student_id"]: row for row in csv.DictReader(f)}

    return rows("grades.csv"), rows("stock.csv")


def test_a_graded_student_keeps_the_stock_score(exported):
    ours, stock = exported
    assert ours["honest"]["status"] == "graded"
    assert float(ours["honest"]["score"]) == 95.0 == float(stock["honest"]["score"])


def test_a_missing_submission_has_no_score(exported):
    ours, stock = exported
    assert stock["absent"]["score"] == "0.0"  # what this plugin replaces
    assert ours["absent"]["score"] == "" and ours["absent"]["status"] == "missing"


def test_a_grader_error_has_no_score_not_the_earlier_one(exported):
    ours, stock = exported
    assert float(stock["lost"]["score"]) == 95.0  # stale: the grades of the earlier run
    assert ours["lost"]["score"] == "" and ours["lost"]["raw_score"] == ""
    assert ours["lost"]["status"] == NOT_GRADED


def test_a_file_that_is_not_a_notebook_is_the_students_zero(exported):
    ours, _ = exported
    assert ours["not-json"]["status"].startswith("not gradable: submitted notebook "
                                                 "logistic_regression.ipynb is not valid JSON")
    assert float(ours["not-json"]["score"]) == 0.0


def test_the_columns_are_stock_nbgraders_plus_status_and_edition(exported):
    """``edition``: the edition of the class each student counts in (catvnoncat.editions;
    tests/test_editions.py); here the course's only one generated, or empty when missing."""
    ours, stock = exported
    assert list(next(iter(ours.values()))) == list(next(iter(stock.values()))) + ["status",
                                                                                  "edition"]
    assert ours["honest"]["edition"] == course.ASSIGNMENT and ours["absent"]["edition"] == ""
