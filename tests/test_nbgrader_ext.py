"""The course's nbgrader steps under plain `nbgrader autograde`, where the config changes them.

The graded class itself is covered by test_mutants_autograde.py, test_demo.py and
test_hostile.py; here: what happens when the sandbox cannot run.
"""

import nbformat
import pytest

from catvnoncat import course
from catvnoncat.facts import DATA_ENV, DATASETS_DIR, GRADEBOOK_ENV, REPO_ROOT
from support import course_run


def _nbgrader(root, *args):
    return course_run.run_nbgrader(args, root, timeout=600, **{
        GRADEBOOK_ENV: f"sqlite:///{root / 'gradebook.db'}", DATA_ENV: DATASETS_DIR})


@pytest.mark.slow
def test_without_a_sandbox_autograding_stops_and_says_how_to_install_it(tmp_path):
    root = course_run.scratch_course(tmp_path / "course", course.ASSIGNMENT, data=False)
    config = (REPO_ROOT / "nbgrader_config.py").read_text("utf-8")
    config += '\nc.BubblewrapProvisioner.bwrap_path = "/nonexistent/bwrap"\n'
    (root / "nbgrader_config.py").write_text(config, "utf-8")
    assert _nbgrader(root, "generate_assignment", course.ASSIGNMENT, "--force").returncode == 0
    for student in ("first", "second"):
        folder = root / "submitted" / student / course.ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(course.reference_submission(), folder / f"{course.NOTEBOOK_NAME}.ipynb")
    result = _nbgrader(root, "autograde", course.ASSIGNMENT, "--force")
    assert result.returncode != 0
    log = result.stdout + result.stderr
    assert "apt-get install bubblewrap" in log
    # It stopped at the first student instead of logging the same failure for each.
    assert "for student 'second'" not in log
    assert not (root / "autograded" / "second").exists()


# -- the pipelines: nbgrader's defaults plus the documented changes, nothing else --------------

def _names(steps):
    return [step.__name__ for step in steps]


def test_each_pipeline_is_nbgraders_default_with_the_documented_changes():
    from catvnoncat.steps import pipelines

    # nbgrader's defaults as this course was built on them: a new nbgrader that changes one
    # fails here, and whoever upgrades reviews the course's changes against it.
    assert _names(pipelines.default("sanitize")) == [
        "ClearOutput", "DeduplicateIds", "OverwriteKernelspec", "OverwriteCells", "CheckCellMetadata"]
    assert _names(pipelines.default("autograde")) == [
        "Execute", "IgnorePattern", "ClearMetadataPreprocessor", "LimitOutput", "SaveAutoGrades",
        "AssignLatePenalties", "CheckCellMetadata"]
    assert _names(pipelines.default("feedback")) == ["GetGrades", "CSSHTMLHeaderPreprocessor"]
    assert _names(pipelines.sanitize()) == [
        "RepairSubmission", "StashTailOutputs", "ClearOutput", "DeduplicateIds",
        "OverwriteKernelspec", "OverwriteCellsQuietly", "CheckCellMetadata"]
    assert _names(pipelines.autograde()) == [
        "KeepTailOutputs", "ExecuteWithJudge", "CoalesceRunStreams", "SanitizeHTML",
        "IgnorePattern",
        "ClearMetadataPreprocessor", "LimitOutput", "LimitOutputBytes", "SaveAutoGrades",
        "AssignLatePenalties", "CheckCellMetadata", "NameUnnamedStudents"]
    assert _names(pipelines.feedback()) == [
        "GetGrades", "PendingManualGrades", "ClearHiddenTestsInFeedback", "SanitizeHTML",
        "CSSHTMLHeaderPreprocessor"]


def test_every_step_the_course_adds_is_enabled_by_its_config():
    """nbconvert registers its own steps disabled: its CoalesceStreamsPreprocessor sat in the
    autograde pipeline and never ran (the engine's dask run of a print split in two then
    differed from the serial run's); the course's :class:`CoalesceRunStreams` is enabled."""
    from catvnoncat.facts import REPO_ROOT, course_config
    from catvnoncat.steps import pipelines

    config = course_config(REPO_ROOT)
    for name, changes in pipelines.CHANGES.items():
        added = {*changes.first, *changes.replace.values(),
                 *(s for v in changes.before.values() for s in v),
                 *(s for v in changes.after.values() for s in v)}
        for step in added:
            assert step(config=config).enabled, (name, step.__name__)


def test_undoing_the_documented_changes_gives_back_nbgraders_defaults():
    from catvnoncat.steps import pipelines

    for name, build in [("sanitize", pipelines.sanitize), ("autograde", pipelines.autograde),
                        ("feedback", pipelines.feedback)]:
        changes = pipelines.CHANGES[name]
        added = {*changes.first, *(s for v in changes.before.values() for s in v),
                 *(s for v in changes.after.values() for s in v)}
        undo = {ours: theirs for theirs, ours in changes.replace.items()}
        assert [undo.get(s, s) for s in build() if s not in added] == pipelines.default(name), name


def test_a_default_pipeline_without_a_step_the_course_changes_is_refused():
    from catvnoncat.steps import pipelines

    without_execute = [s for s in pipelines.default("autograde") if s.__name__ != "Execute"]
    with pytest.raises(ValueError, match="lacks Execute"):
        pipelines.apply(without_execute, pipelines.CHANGES["autograde"])


def test_nbgrader_loads_the_pipelines_from_the_config_once_each():
    from traitlets.config.loader import PyFileConfigLoader

    from catvnoncat.steps import pipelines

    text = (REPO_ROOT / "nbgrader_config.py").read_text("utf-8")
    for trait in ["Autograde.sanitize_preprocessors", "Autograde.autograde_preprocessors",
                  "GenerateFeedback.preprocessors"]:
        assert text.count(f"c.{trait} =") == 1, trait
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
    assert config.Autograde.sanitize_preprocessors == pipelines.sanitize()
    assert config.Autograde.autograde_preprocessors == pipelines.autograde()
    assert config.GenerateFeedback.preprocessors == pipelines.feedback()


def test_a_print_split_in_two_messages_is_one_output_and_a_tail_cell_is_left_as_kept():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from catvnoncat.steps.streams import CoalesceRunStreams
    from catvnoncat.steps.tail import SKIP_TAG

    run = new_code_cell("print(t)", outputs=[
        new_output("stream", name="stdout", text="explicit loop: 40.40 ms"),
        new_output("stream", name="stdout", text="\nnp.dot: 0.34 ms\n")])
    kept = [new_output("stream", name="stdout", text="[not re-run]\n"),
            new_output("stream", name="stdout", text="the student's print\n")]
    tail = new_code_cell("model()", outputs=list(kept), metadata={"tags": [SKIP_TAG]})
    nb, _ = CoalesceRunStreams()(new_notebook(cells=[run, tail]), {})
    assert [o.text for o in nb.cells[0].outputs] == ["explicit loop: 40.40 ms\nnp.dot: 0.34 ms\n"]
    assert nb.cells[1].outputs == kept


def test_after_the_notebook_kernel_is_stopped_test_cells_are_still_judged_unless_out_of_time():
    """A stopped notebook kernel (died, ignored the interrupt, flooded its reply channel) costs
    the later cells' outputs, not their points: their test cells go to the judge children,
    which run the cells afresh. Once the submission's time is spent, they are not judged."""
    from nbformat.v4 import new_code_cell

    from catvnoncat import judge
    from catvnoncat.judge.messages import say
    from catvnoncat.judge.verdict import record_of
    from catvnoncat.steps.execute import ExecuteWithJudge

    test_id = next(iter(judge.TEST_CELLS))
    for judge_later, judged in ((True, True), (False, False)):
        step = ExecuteWithJudge()
        step._stopped, step._test_cells, step._catalog = (3, say("STOPPED_REPLY_FLOOD"),
                                                          judge_later), {}, None
        test_cell = new_code_cell("check()", metadata={"nbgrader": {
            "grade": True, "solution": False, "grade_id": test_id, "points": 5}})
        plain = new_code_cell("x = 1")
        step.preprocess_cell(test_cell, {}, 7)
        step.preprocess_cell(plain, {}, 6)
        assert (step._test_cells == {7: test_id}) is judged
        assert (record_of(test_cell) is None) is judged
        assert [o.ename for o in plain.outputs] == ["NotRun"]
