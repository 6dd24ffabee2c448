"""Part of the mutation catalog through the real `nbgrader autograde` (one run, five students).

Each "student" is the release notebook answered with the source solutions, with the cells of a
few catalogued mutants replaced (catvnoncat.course.make_submission). Mutants share a notebook
only when none of them could cause a failure in a cell another one already fails (checked by
test_groups_cannot_hide_a_cascade), so each zero is attributable to one mutant. One student
holds one correct-but-different variant of every solution cell and must get full marks.

Checked: the scores in the gradebook; the message of each failing cell in the autograded
notebook (the mutant's hint); the feedback HTML (the same message; no hidden input, no reference
code). The run takes one to a few minutes depending on the machine; its time is printed.
"""

import html
import re
import time

import pytest

from catvnoncat import course, judge, report
from catvnoncat.judge.verdict import record_of
from support import course_run, mutants
from support.hidden_values import hidden_values

#: student id -> the mutants in that student's notebook.
WRONG_GROUPS = {
    "wrong-model-standardize": ("model_trains_on_test_set", "standardize_integer_division"),
    "wrong-sigmoid-shapes": ("sigmoid_of_minus_z", "shapes_m_train_from_height"),
    "wrong-propagate-predict-initialize-flatten": (
        "propagate_forgets_divide_by_m", "predict_returns_probabilities", "initialize_row",
        "flatten_mixes_images"),
    "wrong-optimize-predict-loop": ("optimize_return_inside_loop", "predict_loops_over_examples"),
}
CORRECT_STUDENT = "correct-variants"
# Not initialize_rank1 above: a rank-1 w broadcasts into a 12288 x 12288 matrix during the
# notebook's training, whose four ungraded cells then wait out the 20 s limit (80 s per run).
# Not standardize_float32: correct, but float32 pixels against float64 weights make every
# training step copy X, and the notebook's four training cells then hit the 20 s cell limit
# (ungraded cells, so no points lost, but 80 s of waiting). tests/test_mutants.py covers it.
CORRECT_VARIANTS = ("shapes_with_len", "flatten_explicit_size", "standardize_times_reciprocal",
                    "sigmoid_tanh", "initialize_int_b", "propagate_dot_squeeze",
                    "optimize_deepcopy_inplace", "predict_where_int", "model_keywords")
#: Which data cells use which (the function cells' dependencies come from public_tests).
DATA_PREREQUISITES = {"flatten": ["dataset_shapes"], "standardize": ["flatten"]}


def public_tests_module():
    return course.student_module("public_tests.py")


def cells_testing(grade_id):
    return {t for t in judge.TEST_CELLS if t in (f"test_{grade_id}", f"test_{grade_id}_vectorized")}


def downstream_test_cells(grade_id):
    """Test cells whose outcome may depend on the solution cell ``grade_id``."""
    prerequisites = {**public_tests_module().PREREQUISITES, **DATA_PREREQUISITES}
    reached, frontier = set(), {grade_id}
    while frontier:
        reached |= frontier
        frontier = {cell for cell, needs in prerequisites.items()
                    if set(needs) & reached} - reached
    return set().union(*(cells_testing(cell) for cell in reached))


def test_groups_cannot_hide_a_cascade():
    for student, names in WRONG_GROUPS.items():
        group = [mutants.by_name(name) for name in names]
        replaced = [gid for m in group for gid in m.replacements]
        assert len(replaced) == len(set(replaced)), student
        for mutant in group:
            reach = set().union(*(downstream_test_cells(gid) for gid in mutant.replacements))
            others = set().union(*(m.failing for m in group if m is not mutant))
            assert not reach & others, (student, mutant.name, reach & others)


def test_the_subset_is_representative():
    wrong = [mutants.by_name(name) for names in WRONG_GROUPS.values() for name in names]
    assert len(wrong) >= 8
    functions = {"sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"}
    assert functions <= {gid for m in wrong for gid in m.replacements}
    correct = [mutants.by_name(name) for name in CORRECT_VARIANTS]
    assert all(m.correct for m in correct)
    assert sorted(gid for m in correct for gid in m.replacements) == sorted(
        mutants.notebook_solutions())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One autograde run of all students, then nbgrader generate_feedback."""
    base = course.reference_submission()

    def answered(names):
        cells = {gid: code for name in names
                 for gid, code in mutants.by_name(name).replacements.items()}
        return course.make_submission(cells, base=base)

    submissions = {student: answered(names) for student, names in WRONG_GROUPS.items()}
    submissions[CORRECT_STUDENT] = answered(CORRECT_VARIANTS)
    workdir = tmp_path_factory.mktemp("mutants_autograde")
    start = time.perf_counter()
    scores = course_run.autograde(submissions, workdir)
    autograde_seconds = time.perf_counter() - start
    course_dir = workdir / "course"
    feedback = course_run.run_nbgrader(["generate_feedback", course.ASSIGNMENT, "--force"],
                                       course_dir, **{course.GRADEBOOK_ENV:
                                                      f"sqlite:///{course_dir / 'gradebook.db'}"})
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    print(f"\n[mutants autograde] {len(submissions)} notebooks autograded in "
          f"{autograde_seconds:.0f} s, feedback in {time.perf_counter() - start - autograde_seconds:.0f} s")
    return scores, course_dir


def points():
    cells = course.grade_cells(course.read_notebook(course.SOURCE_NOTEBOOK))
    return {gid: cell["points"] for gid, cell in cells.items() if cell["kind"] == "test"}


def expected_failing(student):
    if student == CORRECT_STUDENT:
        return set()
    return set().union(*(mutants.by_name(name).failing for name in WRONG_GROUPS[student]))


@pytest.mark.parametrize("student", [*WRONG_GROUPS, CORRECT_STUDENT])
def test_scores_in_the_gradebook(graded, student):
    scores, _ = graded
    for test_id, full in points().items():
        expected = 0.0 if test_id in expected_failing(student) else full
        assert scores[student][test_id] == expected, (student, test_id)


def error_messages(course_dir, student):
    """``{test grade id: error text}`` of the autograded notebook's failing test cells."""
    nb = course.read_notebook(course_dir / "autograded" / student / course.ASSIGNMENT /
                              f"{course.NOTEBOOK_NAME}.ipynb")
    messages = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        for output in cell.get("outputs", []):
            if grade_id in judge.TEST_CELLS and output.output_type == "error":
                messages[grade_id] = f"{output.ename}: {output.evalue}"
    return messages


@pytest.mark.parametrize("student", WRONG_GROUPS)
def test_the_autograded_notebook_names_each_mistake(graded, student):
    """The message a student reads under a failing cell is the hidden check's diagnosis."""
    _, course_dir = graded
    messages = error_messages(course_dir, student)
    assert set(messages) == expected_failing(student)
    for name in WRONG_GROUPS[student]:
        mutant = mutants.by_name(name)
        for test_id in mutant.failing:
            assert messages[test_id].startswith("HiddenTestFailed: "), messages[test_id]
            wanted = (judge.vectorized.NOT_JUDGED if test_id in mutant.follow_on
                      else mutant.hint)
            assert wanted in messages[test_id], (name, test_id, messages[test_id])


def feedback_text(course_dir, student):
    page = (course_dir / "feedback" / student / course.ASSIGNMENT /
            f"{course.NOTEBOOK_NAME}.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.mark.parametrize("student", WRONG_GROUPS)
def test_the_feedback_shows_the_message_and_nothing_hidden(graded, student):
    _, course_dir = graded
    text = feedback_text(course_dir, student)
    for name in WRONG_GROUPS[student]:
        assert mutants.by_name(name).hint in text, name
    # Neither the grader's inputs, nor the reference code, nor the hidden part of a test cell.
    # (The course's name is public, e.g. in the data files' names; its package is not.)
    hidden = ("make_propagate_input", "Case(make", "import catvnoncat", "from catvnoncat",
              "catvnoncat.judge", "reference.propagate", "logaddexp(0.0", "Evaluated as",
              "BEGIN HIDDEN TESTS")
    first_hidden_x = judge.cases.propagate_cases(hidden_key(student))[0].args[2]
    hidden += tuple(f"{value:.6g}" for value in first_hidden_x.ravel()[:10])
    # Collected first: a failing `in` on a page of megabytes would make pytest diff it for hours.
    assert [needle for needle in hidden if needle in text] == []


def hidden_key(student):
    """The key a student's hidden inputs were drawn from: the session's course secret (inherited
    by nbgrader from tests/conftest.py) and the student's id."""
    return judge.HiddenKey.from_environment(student)


def autograded_notebook(course_dir, student):
    return course.read_notebook(course_dir / "autograded" / student / course.ASSIGNMENT /
                                f"{course.NOTEBOOK_NAME}.ipynb")


def test_no_feedback_page_holds_a_value_of_any_hidden_input(graded):
    """Issue 20: every student's hidden inputs (and the reference's results on them), as repr
    and as 6 significant digits, searched in every feedback page of the class."""
    _, course_dir = graded
    # The page's words and numbers: its style sheets hold numbers too (line-height:1.3333333).
    pages = {student: re.sub(r"(?s)<style.*?</style>", "", (
        course_dir / "feedback" / student / course.ASSIGNMENT /
        f"{course.NOTEBOOK_NAME}.html").read_text(encoding="utf-8"))
        for student in [*WRONG_GROUPS, CORRECT_STUDENT]}
    pages = {student: html.unescape(re.sub(r"<[^>]+>", " ", page))
             for student, page in pages.items()}
    for owner in pages:
        forms = hidden_values(hidden_key(owner))
        assert len(forms) > 300
        found = {(owner, student): sorted(
                     form for form in forms
                     if re.search(rf"(?<![\d.]){re.escape(form)}(?![\d])", pages[student]))
                 for student in pages}
        assert {where: seen for where, seen in found.items() if seen} == {}


@pytest.mark.parametrize("student", [*WRONG_GROUPS, CORRECT_STUDENT])
def test_every_test_cell_holds_its_verdict_record(graded, student):
    """Issue 20, item 7: the verdict is stored as data in the autograded notebook, pass or fail,
    with the points the gradebook holds."""
    scores, course_dir = graded
    records = {}
    for cell in autograded_notebook(course_dir, student).cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in judge.TEST_CELLS:
            records[grade_id] = record_of(cell)
    assert set(records) == set(judge.TEST_CELLS) and None not in records.values()
    for test_id, record in records.items():
        assert record["part"] == test_id and isinstance(record["message"]["id"], str)
        assert record["points"] == scores[student][test_id], test_id
        assert (record["outcome"] == "passed") == (test_id not in expected_failing(student))
        assert (record["hint"] is None) == (record["outcome"] == "passed")


@pytest.mark.parametrize("student", WRONG_GROUPS)
def test_the_report_renders_each_mistake_from_the_records(graded, student):
    _, course_dir = graded
    nb = autograded_notebook(course_dir, student)
    messages = report.failure_messages(nb)
    assert set(messages) == expected_failing(student)
    for cell in nb.cells:  # the words in the outputs are not what the report reads
        cell["outputs"] = []
    assert report.failure_messages(nb) == messages
