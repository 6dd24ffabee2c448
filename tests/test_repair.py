"""Submissions stock nbgrader cannot read as they are, repaired before grading (catvnoncat.repair).

One real ``nbgrader autograde`` run (``support.course_run.autograde``, module fixture) grades every case as a
separate student: each harmed notebook must get the score of the clean reference submission
(every autograded test cell's points) and say what was repaired; each unharmed one must get the
same score and say nothing. Fast tests check the repair functions on notebooks in memory.
"""

import copy
import json
import os
import time

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from catvnoncat import course, repair
from catvnoncat.steps import repair as steps_repair
from support import course_run
from catvnoncat.data import DATA_ENV, DATASETS_DIR

NB = f"{course.NOTEBOOK_NAME}.ipynb"


# -- building the cases -------------------------------------------------------------------------

def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _index(nb, grade_id):
    return [_gid(c) for c in nb.cells].index(grade_id)


def clean():
    return course.reference_submission()


def release_template(grade_id):
    return course.read_notebook(course.RELEASE_NOTEBOOK).cells[
        _index(course.read_notebook(course.RELEASE_NOTEBOOK), grade_id)].source


def copied_cell():
    """JupyterLab copy/paste of the sigmoid solution cell: the copy keeps the nbgrader metadata."""
    nb = clean()
    i = _index(nb, "sigmoid")
    pasted = copy.deepcopy(nb.cells[i])
    pasted["id"] = "0d5c6f2e"
    nb.cells.insert(i + 1, pasted)
    return nb


def copied_cell_answer_in_copy():
    """The copy holds the answer; the original was left as released."""
    nb = copied_cell()
    nb.cells[_index(nb, "sigmoid")].source = release_template("sigmoid")
    return nb


def metadata_gone():
    """Saved by an editor that drops cell metadata: every cell's nbgrader entry missing."""
    nb = clean()
    for cell in nb.cells:
        cell.metadata = {}
    return nb


def rebuilt_without_ids():
    """Rebuilt as nbformat 4.4 (no cell ids) without any cell metadata."""
    nb = metadata_gone()
    nb.nbformat_minor = 4
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


def old_nbgrader_metadata():
    """nbgrader metadata without its schema version (stock nbgrader stops the whole class)."""
    nb = clean()
    for cell in nb.cells:
        cell.metadata.get("nbgrader", {}).pop("schema_version", None)
    return nb


def answer_cell_deleted():
    """The free-response answer cell deleted (nbgrader cannot put it back: KeyError)."""
    nb = clean()
    del nb.cells[_index(nb, "learning_rate_question")]
    return nb


def stray_metadata():
    """Ungraded cells with an nbgrader entry and no grade id (stock nbgrader: KeyError)."""
    nb = clean()
    nb.cells[6].metadata["nbgrader"] = {}
    nb.cells[25].metadata["nbgrader"] = {"grade": False, "solution": False, "locked": False,
                                         "grade_id": "cell-8a1b", "schema_version": 3}
    return nb


def with_bom():
    return b"\xef\xbb\xbf" + nbformat.writes(clean()).encode("utf-8")


def nbformat3():
    return nbformat.writes(nbformat.convert(clean(), 3))


def own_kernelspec():
    nb = clean()
    nb.metadata["kernelspec"] = {"display_name": "Python [conda env:dl]", "language": "python",
                                 "name": "conda-env-dl-py"}
    return nb


def colab():
    nb = clean()
    nb.nbformat_minor = 4
    nb.metadata = {"colab": {"provenance": [], "name": NB}, "kernelspec": {
        "name": "python3", "display_name": "Python 3"}, "language_info": {"name": "python"},
        "accelerator": "GPU"}
    for cell in nb.cells:
        cell.pop("id", None)
        cell.metadata["id"] = "x" + str(abs(hash(cell.source)) % 10**8)
    return nb


def huge_outputs(nb=None):
    nb = nb if nb is not None else clean()
    big = "0123456789" * 200_000  # 2 MB of stored output
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=big)]
            break
    return nb


def answers_in_new_cells():
    """The solution cells left as released; the answers written in new cells under them."""
    nb = course.make_submission()  # the release
    answers = course.solution_sources(course.read_notebook(course.SOURCE_NOTEBOOK))
    for grade_id, code in answers.items():
        i = _index(nb, grade_id)
        if nb.cells[i].cell_type == "code":
            nb.cells.insert(i + 1, nbformat.v4.new_code_cell(code))
        else:
            nb.cells[i].source = code
    return nb


def raw_solution_cell():
    nb = clean()
    cell = nb.cells[_index(nb, "sigmoid")]
    cell.cell_type = "raw"
    del cell["outputs"], cell["execution_count"]
    return nb


def scratch():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np\nnp.zeros(3)"),
                nbformat.v4.new_markdown_cell("my notes")]
    return nb


class Files(dict):
    """A submission made of several files: ``{file name: notebook or bytes or str}``."""


#: student id -> (submission, what the repair line says, or None for no repair)
CASES = {
    "copied-cell": (copied_cell(), "two cells had grade id sigmoid: graded the second"),
    "copied-cell-edited": (copied_cell_answer_in_copy(),
                           "two cells had grade id sigmoid: graded the second"),
    "metadata-gone": (metadata_gone(), "nbgrader metadata of 25 cells was missing"),
    "rebuilt-no-ids": (rebuilt_without_ids(), "nbgrader metadata of 25 cells was missing"),
    "old-metadata": (old_nbgrader_metadata(), "nbgrader metadata of 25 cells was missing or damaged"),
    "answer-deleted": (answer_cell_deleted(), "cell learning_rate_question was missing"),
    "stray-metadata": (stray_metadata(), "removed an empty nbgrader entry from 2 cells"),
    "copy1": (Files({"logistic_regression-Copy1.ipynb": clean()}),
              "graded logistic_regression-Copy1.ipynb as logistic_regression.ipynb"),
    "download": (Files({"logistic_regression (1).ipynb": clean(), "Untitled.ipynb": scratch()}),
                 "graded logistic_regression (1).ipynb as logistic_regression.ipynb"),
    "bom": (with_bom(), "byte-order mark"),
    "nbformat3": (nbformat3(), None),
    "colab": (colab(), None),
    "new-cells": (answers_in_new_cells(), None),
    "raw-cell": (raw_solution_cell(), None),
    # Three things that need no repair, in one submission (one notebook less to grade each):
    # the student's own kernelspec, 2 MB of stored outputs, a scratch notebook beside it.
    "kernelspec-outputs-scratch": (Files({NB: huge_outputs(own_kernelspec()),
                                          "scratch.ipynb": scratch()}), None),
}


# -- one real autograde run ---------------------------------------------------------------------

def _write_files(original):
    def write(path, submission):
        if not isinstance(submission, Files):
            return original(path, submission)
        for name, content in submission.items():
            original(path.parent / name, content)
    return write


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """``(scores, course folder, seconds)`` of one autograde run over every case."""
    workdir = tmp_path_factory.mktemp("repair")
    start = time.perf_counter()
    with pytest.MonkeyPatch.context() as mp:
        # course_run.autograde writes each submission as submitted/<id>/<assignment>/<NB>; a Files
        # submission is written under its own file names in that folder instead.
        mp.setattr(course_run, "_write_submission", _write_files(course_run._write_submission))
        scores = course_run.autograde({sid: sub for sid, (sub, _) in CASES.items()}, workdir)
    seconds = time.perf_counter() - start
    print(f"\nautograde of {len(CASES)} students: {seconds:.0f} s")
    return scores, workdir / "course", seconds


def _autograded(root, student):
    return root / "autograded" / student / course.ASSIGNMENT / NB


def full_marks():
    return {gid: cell["points"] for gid, cell in
            course.grade_cells(course.read_notebook(course.SOURCE_NOTEBOOK)).items()
            if cell["kind"] == "test"}


@pytest.mark.parametrize("student", list(CASES))
def test_every_case_gets_the_clean_score(graded, student):
    scores, root, _ = graded
    expected = full_marks()
    assert sum(expected.values()) == 95
    got = {gid: scores[student].get(gid) for gid in expected}
    assert got == expected, (student, (root / "nbgrader.log").read_text()[-3000:])


@pytest.mark.parametrize("student", list(CASES))
def test_the_repair_is_said_or_nothing_is(graded, student):
    _, root, _ = graded
    path = _autograded(root, student)
    said = repair.repairs_of(path)
    expected = CASES[student][1]
    nb = course.read_notebook(path)
    note = [c for c in nb.cells if repair.NOTE_TITLE in c.source]
    if expected is None:
        assert said == [] and note == []
        return
    assert any(expected in line for line in said), said
    # the student reads it first, in a plain markdown cell without nbgrader metadata
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "nbgrader" not in first.metadata
    assert repair.NOTE_TITLE in first.source and len(note) == 1


def test_the_feedback_says_what_was_repaired(graded):
    _, root, _ = graded
    env = course_run.nbgrader_env(**{course.GRADEBOOK_ENV: f"sqlite:///{root / 'gradebook.db'}"})
    env.setdefault(DATA_ENV, os.fspath(DATASETS_DIR))
    result = course_run.run_nbgrader(["generate_feedback", course.ASSIGNMENT, "--force",
                                      "--student", "copied-cell"], root, env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    page = (root / "feedback" / "copied-cell" / course.ASSIGNMENT /
            f"{course.NOTEBOOK_NAME}.html").read_text(encoding="utf-8")
    assert "Repaired before grading." in page
    assert "two cells had grade id sigmoid: graded the second" in page


def test_renamed_files_are_left_as_submitted(graded):
    _, root, _ = graded
    folder = root / "submitted" / "copy1" / course.ASSIGNMENT
    assert (folder / "logistic_regression-Copy1.ipynb").is_file()
    # graded from a copy under the released name (nbgrader copies what a link points to)
    assert not (folder / NB).is_symlink()
    assert (folder / NB).read_bytes() == (folder / "logistic_regression-Copy1.ipynb").read_bytes()
    scratch_folder = root / "submitted" / "kernelspec-outputs-scratch" / course.ASSIGNMENT
    assert not (scratch_folder / NB).is_symlink()


def test_no_repaired_submission_is_reported_unrepairable(graded):
    _, root, _ = graded
    for student in CASES:
        assert repair.unrepairable_reason(
            root / "submitted" / student / course.ASSIGNMENT / NB) is None, student


# -- the repair functions, in memory ------------------------------------------------------------

@pytest.fixture(scope="module")
def reference():
    return repair.load_reference(course.RELEASE_NOTEBOOK, course.SOURCE_NOTEBOOK)


def _ids(nb):
    return [_gid(c) for c in nb.cells]


def _valid(nb):
    MetadataValidator().validate_nb(nb)
    return True


def test_a_clean_notebook_is_not_touched(reference):
    nb = clean()
    before = copy.deepcopy(nb)
    assert repair.repair_notebook(nb, reference) == []
    assert nb == before


@pytest.mark.parametrize("build", [metadata_gone, rebuilt_without_ids, old_nbgrader_metadata])
def test_lost_metadata_goes_back_on_the_cell_it_belongs_to(reference, build):
    nb = build()
    sources = [c.source for c in nb.cells]
    lines = repair.repair_notebook(nb, reference)
    assert _ids(nb) == _ids(clean())
    assert [c.source for c in nb.cells] == sources  # nothing the student wrote changed
    assert len(lines) == 1 and "25 cells" in lines[0]
    assert _valid(nb)


def test_lost_metadata_found_by_content_when_cells_moved_or_deleted(reference):
    nb = metadata_gone()
    # no template comment in the data cells, a markdown cell deleted, scratch cells added
    for gid, code in {"dataset_shapes": "m_train = train_set_x_orig.shape[0]\n"
                                        "m_test = test_set_x_orig.shape[0]\n"
                                        "num_px = train_set_x_orig.shape[1]"}.items():
        nb.cells[_index(clean(), gid)].source = code
    del nb.cells[10]
    nb.cells.insert(20, nbformat.v4.new_code_cell("print(sigmoid(0))"))
    nb.cells.insert(3, nbformat.v4.new_code_cell("x = 1"))
    repair.repair_notebook(nb, reference)
    where = {g: nb.cells[i].source for i, g in enumerate(_ids(nb)) if g}
    assert set(where) == set(reference.graded)
    assert where["dataset_shapes"].startswith("m_train =")
    assert "def sigmoid" in where["sigmoid"]
    assert where["test_sigmoid"].strip() == "public_tests.sigmoid_test(sigmoid)"
    assert _valid(nb)


def test_deleted_solution_code_still_gets_its_metadata_and_no_code(reference):
    nb = metadata_gone()
    i = _index(clean(), "sigmoid")
    nb.cells[i].source = ""  # the student deleted their code; the cell stays empty
    repair.repair_notebook(nb, reference)
    assert "sigmoid" not in _ids(nb) or nb.cells[_ids(nb).index("sigmoid")].source == ""
    assert "test_sigmoid" in _ids(nb) and _valid(nb)


def test_copied_cell_keeps_the_edited_copy(reference):
    nb = copied_cell_answer_in_copy()
    lines = repair.repair_notebook(nb, reference)
    i = _index(clean(), "sigmoid")
    assert _gid(nb.cells[i]) is None and "nbgrader" not in nb.cells[i].metadata
    assert _gid(nb.cells[i + 1]) == "sigmoid"
    assert lines == ["two cells had grade id sigmoid: graded the second (cell 20); the other is "
                     "kept as a plain cell, not graded"]
    assert _valid(nb)


def test_copied_cell_edited_first_keeps_the_first(reference):
    nb = copied_cell()
    i = _index(clean(), "sigmoid")
    nb.cells[i + 1].source = release_template("sigmoid")  # the copy is the untouched one
    lines = repair.repair_notebook(nb, reference)
    assert _gid(nb.cells[i]) == "sigmoid" and _gid(nb.cells[i + 1]) is None
    assert "graded the first" in lines[0]


def test_copied_test_cell_keeps_the_released_one(reference):
    nb = clean()
    i = _index(nb, "test_sigmoid")
    pasted = copy.deepcopy(nb.cells[i])
    nb.cells[i].source = "assert True"
    nb.cells.insert(i + 1, pasted)
    repair.repair_notebook(nb, reference)
    assert _gid(nb.cells[i + 1]) == "test_sigmoid" and _gid(nb.cells[i]) is None


def test_deleted_cells_nbgrader_cannot_put_back(reference):
    nb = answer_cell_deleted()
    lines = repair.repair_notebook(nb, reference)
    assert _ids(nb) == _ids(clean())
    answer = nb.cells[_index(nb, "learning_rate_question")]
    assert answer.source == release_template("learning_rate_question")  # unanswered: 0 points
    assert lines and "learning_rate_question was missing" in lines[0]
    # a deleted test cell whose solution cell is there: left to nbgrader, as before
    nb = clean()
    del nb.cells[_index(nb, "test_sigmoid")]
    assert repair.repair_notebook(nb, reference) == []


def test_stray_and_unknown_metadata_removed(reference):
    nb = stray_metadata()
    lines = repair.repair_notebook(nb, reference)
    assert "nbgrader" not in nb.cells[6].metadata and "nbgrader" not in nb.cells[25].metadata
    assert lines == ["removed an empty nbgrader entry from 2 cells (nbgrader fails on it)"]


def test_damaged_flags_restored(reference):
    nb = clean()
    meta = nb.cells[_index(nb, "test_sigmoid")].metadata["nbgrader"]
    meta["points"] = "10"
    meta["extra"] = 1
    lines = repair.repair_notebook(nb, reference)
    assert nb.cells[_index(nb, "test_sigmoid")].metadata["nbgrader"] == \
        reference.meta("test_sigmoid")
    assert "for test_sigmoid" in lines[0] and _valid(nb)


def test_markdown_with_attachments_can_become_code_again(reference):
    nb = clean()
    cell = nb.cells[_index(nb, "sigmoid")]
    cell.cell_type = "markdown"
    del cell["outputs"], cell["execution_count"]
    cell["attachments"] = {"a.png": {"image/png": "iVBORw0KGgo="}}
    lines = repair.repair_notebook(nb, reference)
    assert "attachments" not in cell and "without the attachments" in lines[0]


def test_a_huge_cell_does_not_slow_the_repair(reference):
    nb = metadata_gone()
    nb.cells[6].source = "x = 1\n" * 300_000
    start = time.perf_counter()
    repair.repair_notebook(nb, reference)
    assert time.perf_counter() - start < 10
    assert _ids(nb) == _ids(clean())


def test_record_repairs_note_and_metadata():
    nb = clean()
    repair.record_repairs(nb, ["graded <b>x</b>.ipynb as logistic_regression.ipynb"])
    assert repair.repairs_of(nb) == ["graded <b>x</b>.ipynb as logistic_regression.ipynb"]
    assert nb.cells[0].cell_type == "markdown" and "<b>" not in nb.cells[0].source
    nbformat.validate(nb)
    colab_nb = colab()
    repair.record_repairs(colab_nb, ["x"])
    assert "id" not in colab_nb.cells[0]
    nbformat.validate(colab_nb)


def test_bom_is_read(reference):
    nb, lines = repair.read_notebook_bytes(with_bom())
    assert _ids(nb) == _ids(clean()) and "byte-order mark" in lines[0]


def _folder(tmp_path, files):
    folder = tmp_path / "submitted" / "s" / course.ASSIGNMENT
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            nbformat.write(content, folder / name)
    return folder


def test_choose_notebook(tmp_path, reference):
    folder = _folder(tmp_path, {"Untitled.ipynb": scratch(), "lr (2).ipynb": clean(),
                                "lr (1).ipynb": course.make_submission()})
    chosen, why = repair.choose_notebook(folder, course.NOTEBOOK_NAME, reference)
    assert chosen.name == "lr (2).ipynb", why  # as many cells as (1), more answers


def test_pre_convert_hook_copies_the_renamed_notebook(tmp_path, monkeypatch):
    root = tmp_path
    (root / "source" / course.ASSIGNMENT).mkdir(parents=True)
    (root / "source" / course.ASSIGNMENT / NB).write_text("{}")
    folder = _folder(tmp_path, {"logistic_regression-Copy1.ipynb": clean()})
    monkeypatch.chdir(root)
    notebooks = [str(folder / "logistic_regression-Copy1.ipynb")]
    steps_repair.pre_convert_hook(assignment=course.ASSIGNMENT, student="*", notebooks=notebooks)
    assert notebooks == sorted([str(folder / NB), str(folder / "logistic_regression-Copy1.ipynb")])
    assert not (folder / NB).is_symlink()
    assert (folder / NB).read_bytes() == (folder / "logistic_regression-Copy1.ipynb").read_bytes()
    assert repair.quarantine.copied_from(root, folder / NB) == "logistic_regression-Copy1.ipynb"
    (folder / NB).write_text("{}")  # a new submission under the released name: not a copy
    assert repair.quarantine.copied_from(root, folder / NB) is None


def test_unrepairable_reasons(tmp_path, reference):
    folder = _folder(tmp_path, {"notes.ipynb": b"{not json", "other.ipynb": b"{}"})
    reason = repair.unrepairable_reason(folder / NB, reference)
    assert reason.startswith("no logistic_regression.ipynb in the submission") and \
        "notes.ipynb" in reason
    (folder / NB).write_bytes(b'{"cells": [')
    assert "not valid JSON" in repair.unrepairable_reason(folder / NB, reference)
    nbformat.write(scratch(), folder / NB)
    assert "none of the assignment's cells" in repair.unrepairable_reason(folder / NB, reference)
    nbformat.write(metadata_gone(), folder / NB)
    assert repair.unrepairable_reason(folder / NB, reference) is None
    empty = _folder(tmp_path / "x", {})
    assert "no other notebook" in repair.unrepairable_reason(empty / NB, reference)


def test_symlinked_candidates_are_never_adopted(tmp_path, reference):
    other = _folder(tmp_path / "alice", {NB: clean()})
    folder = _folder(tmp_path, {})
    os.symlink(other / NB, folder / "mine.ipynb")
    chosen, _ = repair.choose_notebook(folder, course.NOTEBOOK_NAME, reference)
    assert chosen is None


def test_the_cases_are_what_they_say():
    # the harmed cases really are unreadable to stock nbgrader's steps, in memory
    assert len({_gid(c) for c in copied_cell().cells if _gid(c)}) < \
        len([c for c in copied_cell().cells if _gid(c)])
    assert not any("nbgrader" in c.metadata for c in metadata_gone().cells)
    assert json.loads(nbformat3())["nbformat"] == 3


def test_why_not_graded_is_the_file_then_the_log_then_the_report_sentence(tmp_path):
    from catvnoncat.facts import NO_AUTOGRADED_NOTEBOOK

    folder = tmp_path / "submitted" / "s1" / course.ASSIGNMENT
    folder.mkdir(parents=True)
    path = folder / f"{course.NOTEBOOK_NAME}.ipynb"
    path.write_text("{not json", encoding="utf-8")
    assert "not valid JSON" in repair.why_not_graded([path], log="ValueError: boom")
    nbformat.write(course.reference_submission(), path)
    assert repair.why_not_graded([path], log="[INFO] x\nValueError: boom\n") == "ValueError: boom"
    assert repair.why_not_graded([path]) == NO_AUTOGRADED_NOTEBOOK
