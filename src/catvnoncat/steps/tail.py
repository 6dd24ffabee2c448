"""nbgrader steps: the cells after the last autograded test are not re-run while grading.

No grade depends on them: grades come only from grade cells, every autograded test cell comes
before them, and the judging kernel runs cells only up to the last test cell
(:class:`catvnoncat.steps.execute.ExecuteWithJudge`). In this course they are sections 5-7, which
train on the real data and plot: most of a notebook's run time.

* :class:`StashTailOutputs` (a sanitize step, before nbgrader's ``ClearOutput``) keeps the
  student's own outputs of every plain code cell in the cell's metadata, since ``ClearOutput``
  is about to clear them.
* :class:`KeepTailOutputs` (an autograde step, before the ``Execute`` step) finds the cells after
  the last autograded test cell in the notebook about to run (after repairs and restored test
  cells), tags them ``skip-execution`` (nbclient's ``skip_cells_with_tag``: not sent to the
  kernel), and gives them back the student's outputs, first a line saying they were not re-run.
  Every other stash is dropped. Those outputs then pass through the same later steps as any
  output (``SanitizeHTML``, ``LimitOutput``).

``c.TailNotRerun.enabled = False`` in ``nbgrader_config.py`` re-runs every cell, as stock
nbgrader does.
"""

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode

from ..judge.messages import SUMMARIES, catalog_for, render, say

__all__ = ["TailNotRerun", "StashTailOutputs", "KeepTailOutputs", "tail_cells", "NOT_RERUN_NOTE",
           "STASH_KEY"]

#: Cell metadata key holding a student's outputs between the sanitize and autograde passes.
STASH_KEY = "catvnoncat_student_outputs"
#: The first output line of a cell that was not re-run (in English; a student of another
#: edition reads it in the edition's words, see :class:`KeepTailOutputs`).
NOT_RERUN_NOTE = SUMMARIES["NOT_RERUN"] + "\n"
SKIP_TAG = "skip-execution"


def _is_test(cell):
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def _is_plain_code(cell):
    return cell.cell_type == "code" and not (utils.is_grade(cell) or utils.is_solution(cell)
                                             or utils.is_task(cell))


def tail_cells(nb):
    """Indices of the plain code cells after the last autograded test cell (none if no test)."""
    tests = [i for i, cell in enumerate(nb.cells) if _is_test(cell)]
    if not tests:
        return []
    return [i for i in range(tests[-1] + 1, len(nb.cells)) if _is_plain_code(nb.cells[i])]


class TailNotRerun(NbGraderPreprocessor):
    """Base of the two steps; ``c.TailNotRerun.enabled = False`` re-runs the whole notebook."""

    enabled = Bool(True, help="Keep the student's outputs of the cells after the last "
                              "autograded test instead of re-running them.").tag(config=True)

    def _drop_stashes(self, nb):
        for cell in nb.cells:
            cell.get("metadata", {}).pop(STASH_KEY, None)


class StashTailOutputs(TailNotRerun):
    """Sanitize step before ``ClearOutput``: keep each plain code cell's outputs in its metadata."""

    def preprocess(self, nb, resources):
        self._drop_stashes(nb)  # whatever a submission carries under this key is not trusted
        for cell in nb.cells:
            if _is_plain_code(cell) and cell.get("outputs"):
                cell.metadata[STASH_KEY] = {"outputs": cell.outputs,
                                            "execution_count": cell.get("execution_count")}
        return nb, resources


class KeepTailOutputs(TailNotRerun):
    """Autograde step before ``Execute``: tail cells are skipped and keep the student's outputs."""

    note = Unicode(NOT_RERUN_NOTE, help="First output of a cell that was not re-run.").tag(
        config=True)

    def preprocess(self, nb, resources):
        note = self.note
        if note == NOT_RERUN_NOTE:  # the default: in the words of the edition handed in
            assignment = (resources or {}).get("nbgrader", {}).get("assignment")
            note = render(say("NOT_RERUN"), catalog_for(assignment)) + "\n"
        for index in tail_cells(nb):
            cell = nb.cells[index]
            stash = cell.metadata.get(STASH_KEY) or {}
            tags = list(cell.metadata.get("tags", []))
            if SKIP_TAG not in tags:
                cell.metadata["tags"] = tags + [SKIP_TAG]
            kept = [NotebookNode(o) for o in stash.get("outputs", [])]
            # The note describes the outputs below it: a cell the student never ran shows none.
            cell.outputs = ([NotebookNode(output_type="stream", name="stdout", text=note),
                             *kept] if kept else [])
            cell.execution_count = stash.get("execution_count")
        self._drop_stashes(nb)
        return nb, resources
