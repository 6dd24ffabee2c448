"""The demo class through the real nbgrader cycle, and the course's nbgrader configuration.

The end-to-end test runs ``catvnoncat.demo.run`` (generate_assignment, the demo class, the
grading engine with two workers, generate_feedback, export, report) in a throwaway copy of the course and compares
the gradebook with what each demo student deserves: ``demo.expected_scores``, i.e. the points
from the notebook metadata and the failing cells declared next to each student in
``catvnoncat.demo.DEMO_CLASS`` (from the mutation catalog for the mistakes). It then re-runs the
pipeline on part of the class and checks that nothing changed and nothing was duplicated.
"""

import csv
import json
import sqlite3

import nbformat
import pytest
from nbgrader.api import Gradebook
from PIL import Image

from catvnoncat import course, demo, facts, report
from catvnoncat.facts import REPO_ROOT, course_config
from support import course_run

BY_ID = {s.id: s for s in demo.DEMO_CLASS}
# Re-run on these to check idempotence: a graded student (a quick one) and the skipped file.
RERUN = ["kernel_dies", "not_json"]
# What the demo must say about each faulty student (its status line names the fault).
WHY = {
    "infinite_loop": "interrupted after",
    "kernel_dies": "kernel died in test_predict",
    "not_json": "not valid JSON",
    "deleted_test": f"deleted test cell {demo.DELETED_TEST}",
    "assert_true": f"edited test cell {demo.EDITED_TEST}",
}


def _course_copy(tmp_path):
    """A fresh course folder: source/, nbgrader_config.py and the data (as a symlink)."""
    return course_run.scratch_course(tmp_path / "course")


def _gradebook_scores(root, edition=None):
    """``{student: {grade_id: score or None (waiting for a human)}}`` straight from nbgrader:
    of ``edition``, else of the edition each demo student counts in (the one they handed in
    last, ``DemoStudent.edition``)."""
    cfg = course_config(root).CourseDirectory
    scores = {}
    with Gradebook(cfg.db_url, cfg.course_id) as gb:
        for assignment in ([edition] if edition else demo.EDITIONS):
            for submission in gb.find_assignment(assignment).submissions:
                student_id = submission.student.id
                if edition is None and BY_ID[student_id].edition != assignment:
                    continue
                nb = gb.find_submission_notebook(assignment, assignment, student_id)
                scores[student_id] = {
                    g.name: None if (g.auto_score is None and g.manual_score is None) else g.score
                    for g in nb.grades}
    return scores


def _row_counts(root):
    with sqlite3.connect(root / "gradebook.db") as db:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("student", "submitted_assignment", "submitted_notebook", "grade",
                              "assignment", "notebook", "grade_cells")}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = _course_copy(tmp_path_factory.mktemp("demo"))
    grades, results, paths = demo.run(root, jobs=2)
    materials = demo.Materials(
        course.read_notebook(root / "release" / course.ASSIGNMENT / f"{course.NOTEBOOK_NAME}.ipynb"),
        course.solution_sources(course.read_notebook(
            root / "source" / course.ASSIGNMENT / f"{course.NOTEBOOK_NAME}.ipynb")))
    return root, grades, {r.student.id: r for r in results}, paths, materials


def test_every_demo_student_gets_exactly_what_it_deserves(demo_run):
    root, _, _, _, materials = demo_run
    scores = _gradebook_scores(root)
    assert sorted(scores) == sorted(BY_ID)
    for student in demo.DEMO_CLASS:
        assert scores[student.id] == demo.expected_scores(student, materials), student.id


def test_every_demo_submission_has_its_time_and_its_student_a_name(demo_run):
    """The formgrader lists each submission with its time (timestamp.txt, as `nbgrader submit`
    writes it), not "None", and each student by name."""
    root = demo_run[0]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course.course_id(root)) as gb:
        for edition in demo.EDITIONS:
            for submission in gb.find_assignment(edition).submissions:
                student = submission.student
                assert submission.timestamp is not None, student.id
                assert student.last_name and student.first_name is not None, student.id
    for student in demo.DEMO_CLASS:
        assert (root / "submitted" / student.id / student.edition / "timestamp.txt").is_file()


def test_faults_are_explained_per_student(demo_run):
    _, _, results, _, _ = demo_run
    for student_id, why in WHY.items():
        assert any(why in note for note in results[student_id].notes), (student_id,
                                                                         results[student_id].notes)
    assert results["not_json"].skipped
    # Students without faults of the process ran to the end with nothing to report.
    for student_id in ("reference", "forgets_m", "probabilities", "seed_author",
                       *(s.id for s in demo.DEMO_CLASS if s.edition == demo.ZH)):
        assert results[student_id].notes == (), results[student_id].notes
        assert results[student_id].exit_code == 0


def test_outputs_table_csv_feedback_report(demo_run, capsys):
    root, grades, _, (png, md), materials = demo_run
    totals = {s.id: sum(v or 0.0 for v in demo.expected_scores(s, materials).values())
              for s in demo.DEMO_CLASS}
    with open(root / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # One row per student (stock nbgrader export: one per edition, 0 for the one not handed in),
    # of the edition they count in.
    exported = {row["student_id"]: float(row["score"]) for row in rows}
    assert len(rows) == len(exported) and exported == totals
    assert {row["student_id"]: row["edition"] for row in rows} == \
        {s.id: s.edition for s in demo.DEMO_CLASS}
    assert {row["assignment"] for row in rows} == {course.ASSIGNMENT}
    assert grades.editions == {s.id: s.edition for s in demo.DEMO_CLASS}
    assert grades.also_handed_in == {"zh_switched": [course.ASSIGNMENT]}

    table = report.format_table(grades)
    for line in table.splitlines():
        words = line.split()
        if words and words[0].rstrip("!") in totals:
            assert float(words[-1]) == totals[words[0].rstrip("!")]

    for student in demo.DEMO_CLASS:
        feedback = root / "feedback" / student.id / student.edition / f"{student.edition}.html"
        assert feedback.stat().st_size > 0, student.id
    assert "not valid JSON" in (root / "feedback" / "not_json" / course.ASSIGNMENT /
                                f"{course.NOTEBOOK_NAME}.html").read_text()
    with Image.open(png) as image:
        assert image.format == "PNG"
    text = md.read_text(encoding="utf-8")
    assert "## Most common failure messages" in text
    # The report names each student's edition, in Chinese names where they are Chinese.
    assert "## Editions" in text and "| zh_reference | 华 李 | logistic_regression_zh | - |" in text
    assert f"| zh_switched | 静 刘 | logistic_regression_zh | {course.ASSIGNMENT} |" in text
    zh_rows = [line for line in table.splitlines() if line.startswith("zh_")]
    assert len(zh_rows) == 4 and all(line.split()[1] == "zh" for line in zh_rows)


#: Each Chinese-edition demo student: their English classmate with the same answers, and the
#: typical mistakes (demo_mistakes.json) both carry.
SAME_ANSWERS = {
    "zh_reference": ("reference", ()),
    "zh_seed_author": ("seed_author", ("optimize_return_inside_loop", "predict_loops_over_examples")),
    "zh_forgets_m": ("forgets_m", ("propagate_forgets_divide_by_m",)),
    "zh_switched": ("probabilities", ("predict_returns_probabilities",)),
}


def test_the_same_answers_score_the_same_in_both_editions(demo_run):
    """The reference and the demo's typical mistakes (every entry of demo_mistakes.json), graded
    for real in each edition: the same points per part, the same mistake named (the verdict
    records' message ids, rendered in one language by the report)."""
    root = demo_run[0]
    english, chinese = _gradebook_scores(root, course.ASSIGNMENT), _gradebook_scores(root, demo.ZH)
    assert set(SAME_ANSWERS) == {s.id for s in demo.DEMO_CLASS if s.edition == demo.ZH}
    covered = set()
    for zh_id, (en_id, mistakes) in SAME_ANSWERS.items():
        assert chinese[zh_id] == english[en_id], (zh_id, en_id)
        said = {}
        for edition, student_id in ((demo.ZH, zh_id), (course.ASSIGNMENT, en_id)):
            nb = course.read_notebook(root / "autograded" / student_id / edition / f"{edition}.ipynb")
            said[edition] = report.failure_messages(nb)
        assert said[demo.ZH] == said[course.ASSIGNMENT], zh_id
        failing = {part for name in mistakes for part in demo.typical_mistakes()[name]["failing"]}
        assert set(said[demo.ZH]) == failing == BY_ID[zh_id].failing(None), zh_id
        covered.update(mistakes)
    assert covered == set(demo.typical_mistakes())
    # zh_switched's earlier English hand-in was graded too (the untouched release: 0), and
    # does not count.
    assert sum(v or 0 for v in english["zh_switched"].values()) == 0


def test_kernel_death_keeps_earlier_cells_and_marks_later_ones(demo_run):
    """predict calls os._exit: the judging kernel dies in test_predict; the later test cells are
    not judged, the cells before keep their points. No later cell of the notebook kernel calls
    predict before the tail, which is not re-run (steps.tail), so that kernel lives on."""
    from catvnoncat.steps import tail

    root = demo_run[0]
    nb = course.read_notebook(root / "autograded" / "kernel_dies" / course.ASSIGNMENT /
                              f"{course.NOTEBOOK_NAME}.ipynb")
    errors = [{o.ename for o in c.get("outputs", []) if o.output_type == "error"}
              for c in nb.cells]
    died = [i for i, names in enumerate(errors) if "DeadKernelError" in names]
    assert len(died) == 1
    judged = died[0]
    assert nb.cells[judged].metadata.nbgrader.grade_id == "test_predict"
    later_tests = [i for i in range(judged + 1, len(nb.cells))
                   if nb.cells[i].get("metadata", {}).get("nbgrader", {}).get("grade")
                   and nb.cells[i].cell_type == "code"]
    assert later_tests and all(errors[i] == {"NotRun"} for i in later_tests)
    assert not any("NotRun" in names for names in errors[:judged])
    assert all(nb.cells[i].outputs == [] or nb.cells[i].outputs[0].text == tail.NOT_RERUN_NOTE
               for i in tail.tail_cells(nb))


def test_rerun_is_idempotent(demo_run):
    root = demo_run[0]
    before_scores, before_rows = _gradebook_scores(root), _row_counts(root)
    demo.run(root, students=[BY_ID[s] for s in RERUN], jobs=2)
    assert _gradebook_scores(root) == before_scores
    assert _row_counts(root) == before_rows


# ------------------------------------------------------------------------------------------------
# Cheap checks: the configuration, the demo's own submissions, refusing to mix with real students
# ------------------------------------------------------------------------------------------------
def test_nbgrader_config_sets_the_grading_policy():
    cfg = course_config(REPO_ROOT)
    assert cfg.CourseDirectory.course_id
    assert cfg.Execute.timeout > 0 and cfg.Execute.interrupt_on_timeout
    assert cfg.OverwriteCells.add_missing_cells is True
    names = [p.__name__ for p in cfg.Autograde.autograde_preprocessors]
    assert names.count("ExecuteWithJudge") == 1 and "Execute" not in names
    assert names[names.index("ExecuteWithJudge") + 1:][:2] == ["CoalesceRunStreams",
                                                               "SanitizeHTML"]
    assert cfg.Execute.kernel_name == "catvnoncat-sandbox" and cfg.SanitizeHTML.enabled
    feedback = [p.__name__ for p in cfg.GenerateFeedback.preprocessors]
    assert "ClearHiddenTestsInFeedback" in feedback and "SanitizeHTML" in feedback


def test_gradebook_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(course.GRADEBOOK_ENV, "sqlite:////elsewhere/grades.db")
    assert course_config(REPO_ROOT).CourseDirectory.db_url == "sqlite:////elsewhere/grades.db"
    monkeypatch.delenv(course.GRADEBOOK_ENV)
    assert course_config(REPO_ROOT).CourseDirectory.db_url == \
        f"sqlite:///{REPO_ROOT / 'gradebook.db'}"


@pytest.fixture(scope="module")
def materials():
    return demo.Materials(course.read_notebook(course.RELEASE_NOTEBOOK),
                          course.solution_sources(course.read_notebook(course.SOURCE_NOTEBOOK)))


def _source(nb, grade_id):
    return next(c.source for c in nb.cells if facts.grade_id(c) == grade_id)


def test_demo_submissions_carry_their_fault(materials):
    built = {s.id: s.build(materials) for s in demo.DEMO_CLASS}
    with pytest.raises(json.JSONDecodeError):
        json.loads(built["not_json"])
    for student_id, nb in built.items():
        if student_id != "not_json":
            nbformat.validate(nb)
    assert demo.DELETED_TEST not in {facts.grade_id(c) for c in built["deleted_test"].cells}
    assert _source(built["assert_true"], demo.EDITED_TEST).strip() == "assert True"
    loop = _source(built["infinite_loop"], "optimize")
    assert "while i < num_iterations:" in loop and "i +=" not in loop
    assert "os._exit(0)" in _source(built["kernel_dies"], "predict")
    assert built["untouched"] == materials.release
    # Every demo notebook other than the broken file is the release with answer cells rewritten.
    released = [facts.grade_id(c) for c in materials.release.cells]
    for student_id in ("reference", "seed_author", "forgets_m", "probabilities", "infinite_loop",
                       "kernel_dies", "assert_true"):
        assert [facts.grade_id(c) for c in built[student_id].cells] == released


def test_expected_scores_use_the_notebook_points(materials):
    points = {g: c["points"] for g, c in course.grade_cells(materials.release).items()
              if c["kind"] != "solution"}
    reference = demo.expected_scores(BY_ID["reference"], materials)
    manual = [g for g, c in course.grade_cells(materials.release).items() if c["kind"] == "manual"]
    assert {g: v for g, v in reference.items() if g not in manual} == \
        {g: p for g, p in points.items() if g not in manual}
    assert all(reference[g] is None for g in manual)  # written, waits for a human grader
    assert sum(demo.expected_scores(BY_ID["untouched"], materials).values()) == 0


def test_demo_runs_in_its_own_git_ignored_course_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(course.GRADEBOOK_ENV, raising=False)
    assert demo.DEMO_COURSE == REPO_ROOT / "demo-course"
    folder = demo.prepare_demo_course(tmp_path / "demo-course")
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "nbgrader_config.py").read_bytes() == (REPO_ROOT / "nbgrader_config.py").read_bytes()
    assert (folder / "source" / course.ASSIGNMENT / f"{course.NOTEBOOK_NAME}.ipynb").is_file()
    assert (folder / "datasets").resolve() == (REPO_ROOT / "datasets").resolve()
    assert not (folder / "submitted").exists() and not (folder / "gradebook.db").exists()
    # Its gradebook is its own, whatever the instructor's shell says.
    assert course_config(folder).CourseDirectory.db_url == f"sqlite:///{folder / 'gradebook.db'}"


def test_refuses_to_mix_with_real_submissions(tmp_path):
    (tmp_path / "submitted" / "alice" / course.ASSIGNMENT).mkdir(parents=True)
    with pytest.raises(demo.DemoError, match="alice.*fresh clone"):
        demo._check_no_real_students(tmp_path, {s.id for s in demo.DEMO_CLASS})


def test_chinese_edition_students_hand_in_the_chinese_release():
    """The zh demo students' notebooks are the zh release (Chinese text, same grade ids) with
    the same answer cells as their English classmates'."""
    zh = demo.edition_materials(REPO_ROOT, demo.ZH)
    en = demo.edition_materials(REPO_ROOT, course.ASSIGNMENT)
    released = [facts.grade_id(c) for c in zh.release.cells]
    assert released == [facts.grade_id(c) for c in en.release.cells]
    for zh_id, (en_id, mistakes) in SAME_ANSWERS.items():
        zh_nb, en_nb = BY_ID[zh_id].build(zh), BY_ID[en_id].build(en)
        assert [facts.grade_id(c) for c in zh_nb.cells] == released
        assert "逻辑回归" in "".join(c.source for c in zh_nb.cells if c.cell_type == "markdown")
        zh_answers, en_answers = ({facts.grade_id(c): c.source for c in nb.cells
                                   if facts.nbgrader_meta(c).get("solution") and c.cell_type == "code"}
                                  for nb in (zh_nb, en_nb))
        # The mistakes are the same code; the other answers are each edition's own solution
        # (the zh one with its Chinese docstrings and comments).
        wrong = {gid for name in mistakes for gid in demo.typical_mistakes()[name]["replacements"]}
        assert {g: zh_answers[g] for g in wrong} == {g: en_answers[g] for g in wrong}
        assert {g: a for g, a in zh_answers.items() if g not in wrong} == \
            {g: a for g, a in zh.solutions.items() if g in zh_answers and g not in wrong}
    assert BY_ID["zh_switched"].earlier[0] == course.ASSIGNMENT
