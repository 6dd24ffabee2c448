"""nbgrader steps of this course that take nbgrader's own steps' places (see :mod:`.pipelines`).

* :class:`ExecuteWithJudge` replaces nbgrader's ``Execute`` in ``autograde``: student cells run
  in the (sandboxed) kernel as usual, but an autograded test cell is never run there; its
  verdict is reached by :mod:`catvnoncat.judge` in this process from probes the kernel answers,
  and its output (a pass line, or an error naming the mistake) is written here. A dying or
  hung kernel costs the cells from that point on, never the earlier ones.
* :class:`OverwriteCellsQuietly` is nbgrader's ``OverwriteCells`` without the warning that fires
  on every test cell of every honest submission: released test cells lack their hidden part by
  design, so restoring it is expected, not a change made by the student.
* :class:`ClearHiddenTestsInFeedback` strips the hidden part of test cells from feedback (the
  student sees the visible test and the verdict), whatever a student wrote in their own cells.
"""

import asyncio
import re
import time

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, Execute, OverwriteCells
from traitlets import Bool, Float

from .. import course, judge
from ..judge.sentences import HINTS
from ..sandbox.policy import INSTALL_HINT
from .output_limits import CapOutputsWhileRunning

__all__ = ["ExecuteWithJudge", "SandboxUnavailable", "OverwriteCellsQuietly", "ClearHiddenTestsInFeedback",
           "verdict_outputs"]


#: A hidden test region, as generate_assignment removes it from the released notebook.
_HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?",
                           re.MULTILINE | re.DOTALL)


def _error(name, message):
    return NotebookNode(output_type="error", ename=name, evalue=message,
                        traceback=[f"{name}: {line}" if i == 0 else line
                                   for i, line in enumerate(message.splitlines())])


def verdict_outputs(verdict):
    """The outputs a judged test cell gets: a pass line (full points) or an error (none)."""
    if verdict.passed:
        text = "\n".join([verdict.summary, *verdict.notes]) + "\n"
        return [NotebookNode(output_type="stream", name="stdout", text=text)]
    notes = [NotebookNode(output_type="stream", name="stdout", text=note + "\n")
             for note in verdict.notes]
    return [*notes, _error("HiddenTestFailed", verdict.message())]


class SandboxUnavailable(BaseException):
    """Grading kernels cannot be sandboxed here: autograding stops (not one student's fault).

    A BaseException on purpose: nbgrader catches ``Exception`` per student and would grade every
    student with a sandbox error; this stops the command at the first one instead.
    """


def _test_id(cell):
    """The grade id of an autograded test cell, else None."""
    if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
        return cell.metadata["nbgrader"].get("grade_id")
    return None


class ExecuteWithJudge(CapOutputsWhileRunning, Execute):
    """nbgrader's Execute, with test cells judged outside the kernel (see the module docstring).

    Two sandboxed kernels per notebook: the notebook kernel runs every cell and its outputs are
    what the autograded notebook keeps; the judging kernel runs the same cells up to the last
    test cell, outputs dropped, and answers the judge's probes. The notebook kernel never sees
    a hidden input, so no later cell can print one into the notebook or the feedback.
    """

    probe_timeout = Float(
        None, allow_none=True,
        help="Seconds one probe of a student's function may take (default: Execute.timeout).",
    ).tag(config=True)

    interrupt_grace = Float(
        5.0, help="Seconds an interrupted kernel has to stop before it is killed.",
    ).tag(config=True)

    run_unjudged_tests_in_kernel = Bool(
        False,
        help="Run autograded test cells that have no judge in the kernel, as stock nbgrader "
             "does. Their result can then be forged by the student's code; off by default, "
             "such cells score 0 and the log names them.",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._stopped = None         # (cell index, why) once the notebook kernel is gone
        self._judge_stopped = None   # (where, why) once the judging kernel is gone
        self._judging = None         # the judging kernel's KernelProber, started lazily
        self._sources = []           # code cells run so far, for the vectorization judges
        self._last_test = max((i for i, c in enumerate(nb.cells) if _test_id(c)), default=-1)
        self._judge_kernel_name = self.kernel_name or nb.metadata.get(
            "kernelspec", {}).get("name", "python3")
        self._judge_cwd = (resources or {}).get("metadata", {}).get("path")
        try:
            return super().preprocess(nb, resources, km)
        except RuntimeError as error:
            if INSTALL_HINT not in str(error):
                raise
            # No sandbox on this machine: stop the whole run (nbgrader would log the same error
            # for every student and go on), unless the config opts out of the sandbox.
            self.log.error("%s", error)
            raise SandboxUnavailable(str(error)) from None
        finally:
            if self._judging is not None:
                run_sync(self._judging.shutdown)()
                self._judging = None

    def preprocess_cell(self, cell, resources, index):
        if self._stopped is not None:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [_error("NotRun", f"Not run: {self._stopped[1]} in cell "
                                                 f"{self._stopped[0] + 1} of the notebook.")]
            return cell, resources
        test_id = _test_id(cell)
        if test_id is not None and (test_id in judge.TEST_CELLS
                                    or not self.run_unjudged_tests_in_kernel):
            return self._judge_cell(cell, resources, index, test_id)
        pending = None
        if cell.cell_type == "code" and cell.source.strip():
            self._sources.append(cell.source)
            if index < self._last_test and self._judging_kernel() is not None:
                pending = self._judging.send_cell(cell.source)  # runs beside the notebook's
        try:
            return self._run_in_notebook_kernel(cell, resources, index)
        finally:
            if pending is not None:
                self._finish_judging_cell(pending, index)

    def _run_in_notebook_kernel(self, cell, resources, index):
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stop(index, "the kernel died")
            cell.outputs.append(_error("DeadKernelError", (
                "The Python kernel died while running this cell (os._exit, a crash, out of "
                "memory or over a resource limit); the cells after it were not run.")))
        except CellTimeoutError:
            # Still busy after the interrupt and the wait for its outputs: it ignores
            # interrupts. Stop it so that the notebook, and the class, go on.
            self._stop(index, "the kernel ignored the interrupt at the time limit and was "
                              "stopped", kill=True)
            cell.outputs.append(_error("CellTimeoutError", (
                f"This cell ran past the {self.timeout} s limit and ignored the interrupt, so "
                f"its kernel was stopped; the cells after it were not run.")))
        return cell, resources

    async def _async_handle_timeout(self, timeout, cell=None):
        """Interrupt at the time limit, as nbclient does; a kernel that has not answered the
        interrupt ``interrupt_grace`` seconds later is stopped now (nbclient would wait
        ``iopub_timeout`` first, then nbgrader would drop the whole submission)."""
        reply = await super()._async_handle_timeout(timeout, cell)
        if self.interrupt_on_timeout:
            deadline = time.monotonic() + self.interrupt_grace
            while not await self.kc.shell_channel.msg_ready():
                if time.monotonic() > deadline:
                    raise CellTimeoutError.error_from_timeout_and_cell(
                        "the kernel ignored the interrupt", timeout, cell)
                await asyncio.sleep(0.1)
        return reply

    def _stop(self, index, why, kill=False):
        self._stopped = (index, why)
        self.log.warning("%s (cell %d); the rest of this notebook is not run", why, index + 1)
        if kill and self.km is not None:
            run_sync(self.km.shutdown_kernel)(now=True)

    # -- the judging kernel ---------------------------------------------------------------------
    def _judging_kernel(self):
        """The judging kernel's prober, started on first use; None once it is gone."""
        if self._judging is None and self._judge_stopped is None:
            try:
                self._judging = run_sync(judge.KernelProber.start)(
                    self._judge_kernel_name, self.config, self._judge_cwd, self.extra_arguments,
                    self.startup_timeout, timeout=self.probe_timeout or self.timeout or 60,
                    grace=self.interrupt_grace)
            except Exception as error:  # noqa: BLE001 - recorded; the tests then score 0
                self._stop_judging("the start", f"the judging kernel could not start ({error})")
        return self._judging

    def _stop_judging(self, where, why):
        self._judge_stopped = (where, why)
        self.log.warning("%s (%s): the test cells after it are not judged", why, where)
        if self._judging is not None:
            run_sync(self._judging.shutdown)()
            self._judging = None

    def _finish_judging_cell(self, msg_id, index):
        try:
            self._judging.finish_cell(msg_id)
        except judge.prober.KernelUnresponsive:
            self._stop_judging(f"cell {index + 1}", "the judging kernel ignored the interrupt")
        except judge.ProbeFailed:
            self._stop_judging(f"cell {index + 1}", "the judging kernel died")

    def _judge_cell(self, cell, resources, index, test_id):
        extra = []
        if test_id not in judge.TEST_CELLS:
            self.log.error("Test cell %s has no judge in catvnoncat.judge: it scores 0. Add a "
                           "judge, or set ExecuteWithJudge.run_unjudged_tests_in_kernel.", test_id)
            verdict = judge.Verdict(test_id, False, f"{test_id}: the grader has no judge for "
                                                    f"this cell.", HINTS.NO_JUDGE)
        elif self._judging_kernel() is None:
            where, why = self._judge_stopped
            cell.outputs = [_error("NotRun", f"Not judged: {why} in {where}.")]
            cell.execution_count = None
            return cell, resources
        else:
            try:
                verdict = judge.judge(test_id, self._judging, tuple(self._sources))
            except judge.prober.KernelUnresponsive as error:
                self._stop_judging(test_id, "the judging kernel ignored the interrupt")
                verdict = judge.Verdict(test_id, False, f"{test_id}: your code did not answer "
                                                        f"({error}).",
                                        HINTS.IGNORES_INTERRUPTS)
            if self._judging is not None and not self._judging.alive():
                self._stop_judging(test_id, "the kernel died")
                extra = [_error("DeadKernelError", (
                    "The judging kernel died while this cell was judged (os._exit, a crash, out "
                    "of memory or over a resource limit); the test cells after it are not "
                    "judged."))]
        self.log.debug("%s: %s", test_id, "passed" if verdict.passed else verdict.summary)
        cell.outputs = verdict_outputs(verdict) + extra
        cell.execution_count = None
        return cell, resources


class OverwriteCellsQuietly(OverwriteCells):
    """OverwriteCells that does not warn when a test cell only lacks its hidden tests, and
    gives a test cell it puts back (the student deleted it) a cell id, as nbformat 4.5 wants:
    without one, every later step's validation warns on the grader's stderr."""

    def add_missing_grade_cells(self, nb, resources):
        nb, resources = super().add_missing_grade_cells(nb, resources)
        if course.has_cell_ids(nb):
            for cell in nb.cells:
                if "id" not in cell:
                    cell["id"] = course.unused_cell_id(nb, _test_id(cell))
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        self._submitted = cell.source if _test_id(cell) is not None else None
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._submitted is not None:
            source = self.gradebook.find_source_cell(name, self.notebook_id,
                                                     self.assignment_id).source
            if _HIDDEN_TESTS.sub("", source).strip() == self._submitted.strip():
                # The released cell never had its hidden tests: restoring them is the design.
                self.log.debug("Test cell %s: hidden tests restored from the gradebook", name)
                return
        super().report_change(name, attr, old, new)


class ClearHiddenTestsInFeedback(ClearHiddenTests):
    """Remove hidden test regions from feedback, also from cells that are not test cells."""

    enforce_metadata = Bool(False).tag(config=True)
