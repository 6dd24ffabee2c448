"""The committed release: up to date with source/, free of solutions, and graded right by nbgrader.

The release is regenerated with the real ``nbgrader generate_assignment`` in a throwaway copy of
the course; grading uses the real ``nbgrader autograde`` through :func:`support.course_run.autograde`.
"""

import ast
import re

import pytest

from catvnoncat import course, facts
from catvnoncat.quiz_truth import quiz_files
from support import course_run

RELEASE_DIR = course.RELEASE_NOTEBOOK.parent
SOURCE = course.read_notebook(course.SOURCE_NOTEBOOK)


def release_files(folder):
    """``{relative path: bytes}`` of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", facts.assignments())
def test_generate_assignment_reproduces_the_committed_release(tmp_path, assignment):
    course_dir = course_run.scratch_course(tmp_path / "course", assignment, data=False)
    result = course_run.run_nbgrader(["generate_assignment", assignment, "--force"],
                                     course_dir, CATVNONCAT_GRADEBOOK_URL=f"sqlite:///{tmp_path / 'gradebook.db'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Exception while loading config file" not in result.stderr, result.stderr[-3000:]
    generated = release_files(course_dir / "release" / assignment)
    committed = release_files(facts.release_dir(assignment))
    assert sorted(generated) == sorted(committed)
    stale = [name for name in committed if generated[name] != committed[name]]
    assert stale == [], f"release/{assignment} is stale for {stale}: run `make release` and commit release/"


def solution_lines():
    """Every non-blank line between the solution markers of the source notebook."""
    lines = set()
    for cell in SOURCE.cells:
        for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
            lines |= {line.strip() for line in block.splitlines() if line.strip()}
    return lines


def test_release_holds_no_solution_no_hidden_test_and_no_catvnoncat_import():
    files = release_files(RELEASE_DIR)
    quiz = {f"quiz/{name}" for name in quiz_files()}
    assert set(files) == {"logistic_regression.ipynb", *course.STUDENT_HELPERS, *quiz}
    texts = {name: data.decode("utf-8") for name, data in files.items()}
    release_nb = course.read_notebook(course.RELEASE_NOTEBOOK)
    # Code only: the Markdown teaches the formulas (e.g. dZ = A - Y) on purpose.
    code_cells = [cell.source for cell in release_nb.cells if cell.cell_type == "code"]
    lines = solution_lines()
    assert len(lines) > 20
    for line in lines:
        assert not any(line in text for text in code_cells), f"solution line in release: {line}"
        for name in course.STUDENT_HELPERS:
            assert line not in texts[name], f"solution line in {name}: {line}"
    answers = course.solution_sources(SOURCE)
    for gid in points("manual"):
        assert answers[gid] not in texts["logistic_regression.ipynb"], gid
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "catvnoncat.judge"):
        assert not any(marker in text for text in texts.values()), marker
    # The quiz is released unanswered, without its key (the key stays in catvnoncat.quiz_key).
    assert "quiz_key" not in "".join(texts[name] for name in quiz)
    code = [c.source for c in release_nb.cells if c.cell_type == "code"]
    code += [texts[name] for name in course.STUDENT_HELPERS]
    for source in code:
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "catvnoncat" for n in names), names


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One real autograde run: the reference answers, the untouched release, and a file that is
    not a notebook (which must not stop the others from being graded)."""
    workdir = tmp_path_factory.mktemp("autograde")
    submissions = {
        "reference": course.reference_submission(),
        "untouched": course.read_notebook(course.RELEASE_NOTEBOOK),
        "not-a-notebook": b"{ this is not json",
    }
    scores = course_run.autograde(submissions, workdir)
    return scores, workdir / "course"


def points(kind):
    return {gid: c["points"] for gid, c in course.grade_cells(SOURCE).items() if c["kind"] == kind}


def test_reference_answers_get_every_autograded_point_and_await_manual_grading(graded):
    scores, course_dir = graded
    tests, manual = points("test"), points("manual")
    assert {gid: scores["reference"][gid] for gid in tests} == tests
    print(f"\n[autograde] reference submission: {sum(scores['reference'][g] for g in tests):g} "
          f"of {sum(tests.values()):g} autograded points; {sum(manual.values()):g} points await "
          f"the instructor")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}",
                   course_id=course.course_id(course_dir)) as gb:
        for gid in manual:
            grade = gb.find_grade(gid, course.NOTEBOOK_NAME, course.ASSIGNMENT, "reference")
            assert grade.needs_manual_grade and grade.manual_score is None
            assert scores["reference"][gid] == 0.0


def test_graded_reference_notebook_has_no_error_and_nothing_on_stderr(graded):
    _, course_dir = graded
    nb = course.read_notebook(course_dir / "autograded" / "reference" / course.ASSIGNMENT /
                              f"{course.NOTEBOOK_NAME}.ipynb")
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{cell.id}: {output.get('evalue')}"
            assert not (output.output_type == "stream" and output.name == "stderr"), cell.id


def test_untouched_release_scores_zero_everywhere_without_crashing_the_run(graded):
    scores, course_dir = graded
    graded_ids = {**points("test"), **points("manual")}
    assert scores["untouched"] == {gid: 0.0 for gid in graded_ids}
    assert (course_dir / "autograded" / "untouched" / course.ASSIGNMENT /
            f"{course.NOTEBOOK_NAME}.ipynb").is_file()


def test_a_file_that_is_not_a_notebook_scores_zero_and_others_are_still_graded(graded):
    scores, _ = graded
    assert set(scores) == {"reference", "untouched", "not-a-notebook"}
    assert set(scores["not-a-notebook"].values()) == {0.0}
    assert sum(scores["reference"].values()) > 0


def test_autograde_rejects_student_ids_that_are_not_folder_names(tmp_path):
    with pytest.raises(ValueError, match="becomes a folder name"):
        course_run.autograde({"../escape": b""}, tmp_path)
