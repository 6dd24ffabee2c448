"""One class, two editions (issue 23, item 3): one grade per student in the report and grades.csv.

A synthetic course with two editions of one assignment, ``hw`` and its Chinese edition ``hw_zh``,
built through nbgrader's own ``Gradebook`` API (no notebook is executed): a student per edition,
two who handed in both (the later one counts, whichever it is), one who handed in neither. The
report is read from it and the real ``nbgrader export`` runs with the course's plugin, then with
stock nbgrader's for comparison. The real grading of both editions is in tests/test_demo.py.
"""

import csv
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.api import Gradebook

from catvnoncat import cli, editions, report

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

EN, ZH = "hw", "hw_zh"
PARTS = {"test_a": 5.0, "test_b": 10.0}
T0 = datetime(2026, 3, 1, 12, 0, 0)
#: student -> [(edition, hours after T0, {part: auto score})], in the order handed in.
HANDED_IN = {
    "en_only": [(EN, 0, {"test_a": 5.0, "test_b": 10.0})],
    "zh_only": [(ZH, 0, {"test_a": 5.0, "test_b": 0.0})],
    "switched_to_zh": [(EN, 0, {"test_a": 0.0, "test_b": 0.0}),
                       (ZH, 2, {"test_a": 5.0, "test_b": 10.0})],
    "switched_to_en": [(ZH, 0, {"test_a": 5.0, "test_b": 10.0}),
                       (EN, 3, {"test_a": 5.0, "test_b": 0.0})],
}
NAMES = {"zh_only": ("华", "李"), "switched_to_zh": ("静", "刘")}
#: What each student counts as: (edition, total).
COUNTED = {"en_only": (EN, 15.0), "zh_only": (ZH, 5.0), "switched_to_zh": (ZH, 15.0),
           "switched_to_en": (EN, 5.0)}


def _notebook():
    return new_notebook(cells=[new_code_cell("pass", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": part, "points": points,
        "schema_version": 3}}) for part, points in PARTS.items()])


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    import nbformat

    root = tmp_path_factory.mktemp("editions")
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    (root / "nbgrader_config.py").write_text(
        "from catvnoncat.steps.export import GradesCsvExport\n"
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'synthetic'\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        "c.ExportApp.plugin_class = GradesCsvExport\n", encoding="utf-8")
    for edition in (EN, ZH):
        for step in ("source", "release"):
            (root / step / edition).mkdir(parents=True)
            nbformat.write(_notebook(), root / step / edition / f"{edition}.ipynb")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    with pytest.MonkeyPatch.context() as mp:  # nbgrader runs alembic (next to this Python)
        mp.setenv("PATH", env["PATH"])
        with Gradebook(db_url, "synthetic") as gb:
            for edition in (EN, ZH):
                gb.add_assignment(edition)
                gb.add_notebook(edition, edition)
                for part, points in PARTS.items():
                    gb.add_grade_cell(part, edition, edition, max_score=points, cell_type="code")
            for student in [*HANDED_IN, "absent"]:
                first, last = NAMES.get(student, (student.upper(), "Doe"))
                gb.add_student(student, first_name=first, last_name=last)
            for student, hand_ins in HANDED_IN.items():
                for edition, hours, scores in hand_ins:
                    gb.add_submission(edition, student, timestamp=T0 + timedelta(hours=hours))
                    for part, score in scores.items():
                        gb.find_grade(part, edition, edition, student).auto_score = score
                    for step in ("submitted", "autograded"):
                        folder = root / step / student / edition
                        folder.mkdir(parents=True)
                        nbformat.write(_notebook(), folder / f"{edition}.ipynb")
                    (root / "submitted" / student / edition / "timestamp.txt").write_text(
                        (T0 + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
            gb.db.commit()
    return root, env


def test_editions_are_named_after_the_first():
    known = ["logistic_regression", "logistic_regression_zh", "logistic_regression_extra", "hw"]
    assert editions.editions_of("logistic_regression_zh", known) == \
        ("logistic_regression", "logistic_regression_zh")
    assert editions.editions_of("logistic_regression", known) == \
        ("logistic_regression", "logistic_regression_zh")
    assert editions.editions_of("hw", known) == ("hw",)
    assert editions.classes(known) == {
        "logistic_regression": ("logistic_regression", "logistic_regression_zh"),
        "logistic_regression_extra": ("logistic_regression_extra",), "hw": ("hw",)}
    # This course: the English assignment and its generated Chinese edition, one class.
    assert editions.class_of("logistic_regression") == \
        ("logistic_regression", "logistic_regression_zh")


def test_the_later_submission_counts_ties_keep_the_first_edition():
    assert editions.counted_edition({EN: T0}) == EN
    assert editions.counted_edition({ZH: T0}) == ZH
    assert editions.counted_edition({EN: T0, ZH: T0 + timedelta(seconds=1)}) == ZH
    assert editions.counted_edition({EN: T0 + timedelta(seconds=1), ZH: T0}) == EN
    assert editions.counted_edition({EN: T0, ZH: T0}) == EN
    assert editions.counted_edition({EN: None, ZH: T0}) == ZH
    assert editions.counted_edition({EN: None, ZH: None}) == EN
    assert editions.counted_edition({}) is None


def test_grade_takes_every_edition_handed_in(course):
    root, _ = course
    assert editions.default_class(root) == EN
    assert cli._editions_to_grade(root, None) == [EN, ZH]
    assert cli._editions_to_grade(root, ZH) == [ZH]
    assert editions.handed_in(root, (EN, ZH))["switched_to_zh"] == {
        EN: datetime(2026, 3, 1, 12), ZH: datetime(2026, 3, 1, 14)}


def test_the_report_has_one_row_per_student_and_names_the_edition(course, tmp_path):
    root, _ = course
    grades = report.read_class(root, EN)
    assert grades.students == sorted(HANDED_IN)
    assert grades.editions == {s: e for s, (e, _) in COUNTED.items()}
    assert report.totals(grades) == {s: t for s, (_, t) in COUNTED.items()}
    assert grades.also_handed_in == {"switched_to_zh": [EN], "switched_to_en": [ZH]}
    assert report.pass_rates(grades) == {"test_a": (4, 4), "test_b": (2, 4)}
    table = report.format_table(grades).splitlines()
    rows = {line.split()[0]: line.split() for line in table if line.split()[:1] and
            line.split()[0] in COUNTED}
    for student, (edition, total) in COUNTED.items():
        assert rows[student][1] == ("zh" if edition == ZH else "en"), rows[student]
        assert float(rows[student][-1]) == total
    assert any(line.startswith("edition: en = hw, zh = hw_zh") for line in table)
    png, md = report.write_report(grades, tmp_path)
    text = md.read_text(encoding="utf-8")
    assert "| zh_only | 华 李 | hw_zh | - |" in text
    assert "| switched_to_zh | 静 刘 | hw_zh | hw |" in text
    assert "| hw | 2 |" in text and "| hw_zh | 2 |" in text
    assert png.stat().st_size > 0


def test_a_class_of_one_edition_reports_as_before(course):
    root, _ = course
    grades = report.read_class_grades(root, ZH)
    assert report.edition_labels(grades) == {}
    assert "edition" not in report.format_table(grades).splitlines()[0]


def test_a_wide_student_id_keeps_the_columns_aligned():
    grades = report.ClassGrades(EN, [report.Part("test_a", 5.0)], students=["李华", "ab"],
                                scores={("李华", "test_a"): 5.0, ("ab", "test_a"): 0.0},
                                editions={"李华": ZH, "ab": EN})
    lines = report.format_table(grades).splitlines()
    widths = {report.display_width(line) for line in lines[:4]}
    assert len(widths) == 1, lines[:4]


def _export(root, env, *args, to):
    result = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--to={to}", *args],
                            cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    with open(root / to, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow  # runs nbgrader export three times
def test_export_gives_one_row_per_student_where_stock_gives_a_zero_per_edition(course):
    root, env = course
    rows = _export(root, env, to="grades.csv")
    assert len(rows) == len(HANDED_IN) + 1  # and the absent student
    by_id = {row["student_id"]: row for row in rows}
    assert {row["assignment"] for row in rows} == {EN}
    for student, (edition, total) in COUNTED.items():
        row = by_id[student]
        assert (row["edition"], float(row["score"]), row["status"]) == (edition, total, "graded")
        assert float(row["max_score"]) == sum(PARTS.values())
    assert by_id["switched_to_zh"]["timestamp"].startswith("2026-03-01 14:00")
    assert (by_id["absent"]["status"], by_id["absent"]["score"], by_id["absent"]["edition"]) == \
        ("missing", "", "")
    assert by_id["zh_only"]["first_name"] == "华"
    # Asking for one edition exports its class.
    assert [r["student_id"] for r in _export(root, env, f"--assignment=['{ZH}']",
                                             to="zh.csv")] == [r["student_id"] for r in rows]
    stock = _export(root, env, "--exporter=nbgrader.plugins.export.CsvExportPlugin",
                    to="stock.csv")
    assert len(stock) == 2 * len(rows)
    assert {(r["assignment"], float(r["score"])) for r in stock if r["student_id"] == "zh_only"} \
        == {(EN, 0.0), (ZH, 5.0)}


def test_grade_refuses_a_student_who_handed_in_no_edition(course, capsys):
    root, _ = course
    assert cli.main(["grade", "--course-dir", str(root), "--student", "zh_only", "absent"]) == 2
    assert "no submission of hw or hw_zh for absent" in capsys.readouterr().err


def test_chinese_student_text_is_drawn_in_the_report_without_missing_glyphs(tmp_path):
    """A failure message a Chinese-edition notebook left (a test cell without verdict record is
    read from its output) is drawn with a CJK font: matplotlib's missing-glyph warning is an
    error here."""
    import warnings

    message = "AssertionError: 期望 sigmoid 返回数组，而不是单个数"
    grades = report.ClassGrades(EN, [report.Part("test_a", 5.0)], students=["li"],
                                names={"li": "华 李"}, scores={("li", "test_a"): 0.0},
                                failures={("li", "test_a"): message}, editions={"li": ZH})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png, md = report.write_report(grades, tmp_path)
    assert message in md.read_text(encoding="utf-8") and png.stat().st_size > 0


def _formgrader_students(root, env, student=None):
    """What the formgrader's student API answers, as it builds it on a request: the course's
    ``nbgrader_config.py`` read by a real nbgrader app, then ``NbGraderAPI`` on its course."""
    code = (
        "import json, sys\n"
        "from nbgrader.apps import NbGraderApp\n"
        "from nbgrader.apps.api import NbGraderAPI\n"
        "from nbgrader.coursedir import CourseDirectory\n"
        "app = NbGraderApp(); app.load_config_file()\n"
        "api = NbGraderAPI(CourseDirectory(parent=app, root='.'), parent=app)\n"
        "one = sys.argv[1] if len(sys.argv) > 1 else None\n"
        "print(json.dumps(api.get_student(one) if one else api.get_students()))\n")
    result = subprocess.run([sys.executable, "-c", code, *([student] if student else [])],
                            cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_formgrader_shows_one_grade_per_student_over_one_editions_maximum(course):
    root, env = course
    config = root / "nbgrader_config.py"
    plain = config.read_text(encoding="utf-8")
    stock = {s["id"]: s for s in _formgrader_students(root, env)}
    assert stock["en_only"]["max_score"] == 2 * sum(PARTS.values())  # nbgrader's own sum
    assert stock["switched_to_en"]["score"] == 20.0  # both editions' scores added
    # The course's config, as the repository's nbgrader_config.py does:
    config.write_text(plain + "from catvnoncat.steps.formgrader import "
                      "count_one_edition_per_class\ncount_one_edition_per_class()\n",
                      encoding="utf-8")
    try:
        merged = {s["id"]: s for s in _formgrader_students(root, env)}
        one = _formgrader_students(root, env, "switched_to_zh")
    finally:
        config.write_text(plain, encoding="utf-8")
    assert set(merged) == set(stock)
    for student, (_, total) in COUNTED.items():
        assert (merged[student]["score"], merged[student]["max_score"]) == \
            (total, sum(PARTS.values())), student
    assert (merged["absent"]["score"], merged["absent"]["max_score"]) == (0.0, sum(PARTS.values()))
    assert (one["score"], one["max_score"]) == (15.0, sum(PARTS.values()))


def test_the_repositorys_config_makes_the_formgrader_count_one_edition():
    from catvnoncat.facts import REPO_ROOT

    code = ("from nbgrader.apps import NbGraderApp\nfrom nbgrader.apps.api import NbGraderAPI\n"
            "app = NbGraderApp(); app.load_config_file()\n"
            "print(getattr(NbGraderAPI, '_catvnoncat_one_edition', False))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "True"
