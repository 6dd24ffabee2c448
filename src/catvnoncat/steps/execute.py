"""nbgrader steps of this course that take nbgrader's own steps' places (see :mod:`.pipelines`).

* :class:`ExecuteWithJudge` replaces nbgrader's ``Execute`` in ``autograde``: student cells run
  in the (sandboxed) kernel as usual, but an autograded test cell is never run there; its
  verdict is reached by :mod:`catvnoncat.judge` in this process from probes the kernel answers,
  and its output (a pass line, or an error naming the mistake) is written here. A notebook
  kernel that dies, hangs or floods the grader is stopped: the cells after it are not run
  there (their outputs say why), yet every test cell is still judged, each in a judge child
  that runs the cells before it afresh (where a cell that kills or hangs that child stops the
  judging). Only a submission whose time is spent has its later test cells not judged.
* :class:`OverwriteCellsQuietly` is nbgrader's ``OverwriteCells`` without the warning that fires
  on every test cell of every honest submission: released test cells lack their hidden part by
  design, so restoring it is expected, not a change made by the student.
* :class:`ClearHiddenTestsInFeedback` strips the hidden part of test cells from feedback (the
  student sees the visible test and the verdict), whatever a student wrote in their own cells.
"""

import asyncio
import os
import re
import time

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, Execute, OverwriteCells
from traitlets import Bool, Enum, Float

from .. import course, judge
from ..judge.messages import catalog_for, render, say
from ..judge.secret import course_key
from ..judge.verdict import METADATA_KEY
from ..judge.yardstick import start_yardstick
from ..judge.sentences import HINTS
from ..judge.session import JudgeSession, assignment_order
from ..sandbox import groups as sandbox_groups
from ..sandbox.policy import INSTALL_HINT
from .output_limits import CapOutputsWhileRunning, MessageLimitReached, ReplyDropped

__all__ = ["ExecuteWithJudge", "SandboxUnavailable", "OverwriteCellsQuietly", "ClearHiddenTestsInFeedback",
           "verdict_outputs", "record_verdict"]


#: A hidden test region, as generate_assignment removes it from the released notebook.
_HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?",
                           re.MULTILINE | re.DOTALL)


def _error(name, message):
    return NotebookNode(output_type="error", ename=name, evalue=message,
                        traceback=[f"{name}: {line}" if i == 0 else line
                                   for i, line in enumerate(message.splitlines())])


def verdict_outputs(verdict, catalog=None):
    """The outputs a judged test cell gets, in the words of ``catalog`` (default: English): a
    pass line (full points), an error (none), or NotRun for a cell that was not judged."""
    if not verdict.judged:
        return [_error("NotRun", verdict.message(catalog))]
    if verdict.passed:
        text = "\n".join([verdict.message(catalog), *verdict.note_lines(catalog)]) + "\n"
        return [NotebookNode(output_type="stream", name="stdout", text=text)]
    notes = [NotebookNode(output_type="stream", name="stdout", text=note + "\n")
             for note in verdict.note_lines(catalog)]
    return [*notes, _error("HiddenTestFailed", verdict.message(catalog))]


def record_verdict(cell, verdict, catalog=None):
    """Store ``verdict`` as a record in the test cell's metadata (points from its nbgrader
    metadata: all of them for a pass, none otherwise) and write its outputs in the words of
    ``catalog`` (the submitted edition's, :func:`~catvnoncat.judge.messages.catalog_for`)."""
    full = cell.metadata.get("nbgrader", {}).get("points")
    cell.metadata.setdefault(METADATA_KEY, {})["verdict"] = verdict.record(
        full if verdict.passed else 0, full)
    cell.outputs = verdict_outputs(verdict, catalog)


def _not_judged(test_id, message):
    return judge.Verdict(test_id, False, message, judged=False)


def _ipykernel_flush_wait():
    """Seconds ipykernel may wait, flushing stdout then stderr, before it sends a reply."""
    try:
        from ipykernel.iostream import OutStream
        return 2 * float(OutStream.flush_timeout)
    except (ImportError, AttributeError, TypeError, ValueError):
        return 20.0


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

    First the notebook kernel runs the submission's cells, test cells skipped; its outputs are
    what the autograded notebook keeps, and it exits before the first probe, so it never sees
    a hidden input. Then each autograded test cell, in the assignment's order, is judged in a
    judge child of its own (:mod:`catvnoncat.judge.session`): a fresh process and scratch
    folder that runs the student's cells preceding that test cell and answers its probes, then
    dies. No later probe runs where an earlier one ran, so no lent answer or hidden input can
    be replayed or passed on.
    """

    probe_timeout = Float(
        None, allow_none=True,
        help="Seconds one probe of a student's function may take (default: Execute.timeout).",
    ).tag(config=True)

    interrupt_grace = Float(
        5.0, help="Seconds an interrupted kernel has to stop before it is killed.",
    ).tag(config=True)

    submission_seconds = Float(
        600.0,
        help="Wall seconds a submission's own code may take in all (the notebook kernel's cells, "
             "then every judge child's replay of the cells before its test cell and its probes). "
             "Past it, the cells not yet run or judged score 0 with a line saying so: the "
             "student's time, not a grader error. Keep it below `catvnoncat grade`'s "
             "per-submission limit (900 s), which stops our own hangs.",
    ).tag(config=True)

    shutdown_kernel = Enum(
        ["graceful", "immediate"], default_value="immediate",
        help="How the notebook kernel is stopped once its cells have run: killed at once "
             "(default), or asked to stop and given time to run its atexit hooks (nbclient's "
             "default). The grader wants nothing more from it, and the student's atexit hooks "
             "are not the grader's business; asked to stop, a sandboxed kernel sometimes "
             "outlived nbclient's 2.5 s wait before the kill (measured: 1 stop in 6).",
    ).tag(config=True)

    raise_on_iopub_timeout = Bool(
        False,
        help="Stop the notebook when a cell's outputs do not end within iopub_timeout after its "
             "reply (nbgrader: yes). No: the cell keeps the outputs read, and the next cells "
             "run. A cell that sends outputs faster than the grader reads them loses some on "
             "the way (libzmq drops them past its queue), the message that ends them too: "
             "a cell of 1999 quick displays had its kernel stopped, every later test cell 0.",
    ).tag(config=True)

    run_unjudged_tests_in_kernel = Bool(
        False,
        help="Run autograded test cells that have no judge in the kernel, as stock nbgrader "
             "does. Their result can then be forged by the student's code; off by default, "
             "such cells score 0 and the log names them.",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        for cell in nb.cells:  # a verdict record is the grader's: none comes from a submission
            cell.get("metadata", {}).pop(METADATA_KEY, None)
        self._stopped = None         # (cell index, why) once the notebook kernel is gone
        self._started_twice = False  # a failed kernel start is tried once more, not again
        self._test_cells = {}        # index -> grade id of the test cells judged afterwards
        self._deadline = time.monotonic() + self.submission_seconds  # the grader's clock
        unlimited_before = sandbox_groups.sandboxes_without_groups()
        nb.metadata.get(METADATA_KEY, {}).pop("limits", None)  # the grader's to say, not the file's
        submission_dir = (resources or {}).get("metadata", {}).get("path") or os.getcwd()
        # The words of the edition handed in (logistic_regression_zh: Chinese), whatever the
        # grader's locale; the records hold message ids, the outputs these words.
        self._catalog = catalog_for((resources or {}).get("nbgrader", {}).get("assignment"))
        session = JudgeSession(self.config, submission_dir, cell_timeout=self.timeout or 60,
                               probe_timeout=self.probe_timeout or self.timeout or 60,
                               grace=self.interrupt_grace, log=self.log,
                               startup_timeout=self.startup_timeout)
        test_ids = {_test_id(cell) for cell in nb.cells} - {None}
        try:
            if test_ids:
                session.start_in_background()
            if test_ids & set(judge.VECTORIZATION_CELLS.values()):
                start_yardstick()  # it imports while the notebook kernel runs, not on first use
            try:
                nb, resources = super().preprocess(nb, resources, km)
            except RuntimeError as error:
                if INSTALL_HINT not in str(error):
                    raise
                # No sandbox on this machine: stop the whole run (nbgrader would log the same
                # error for every student and go on), unless the config opts out of the sandbox.
                self.log.error("%s", error)
                raise SandboxUnavailable(str(error)) from None
            if km is None and getattr(self, "km", None) is not None:
                run_sync(self.km.shutdown_kernel)(now=True)  # gone before the first probe
            self._judge_test_cells(nb, resources, session)
        finally:
            session.close()
        if sandbox_groups.sandboxes_without_groups() > unlimited_before:
            # said in the report: this submission's processes were limited one by one only
            nb.metadata.setdefault(METADATA_KEY, {})["limits"] = sandbox_groups.PER_PROCESS_ONLY
        return nb, resources

    def _spent_sentence(self):
        return say("STOPPED_OUT_OF_TIME", seconds=f"{self.submission_seconds:g}")

    def _out_of_time(self):
        return self._spent_sentence() if time.monotonic() > self._deadline else None

    def preprocess_cell(self, cell, resources, index):
        if self._stopped is None and cell.cell_type == "code" and self._out_of_time():
            self._stop(index, self._out_of_time(), judge_later=False)
        if self._stopped is not None:
            test_id = _test_id(cell)
            if test_id in judge.TEST_CELLS and self._stopped[2]:
                # The notebook kernel's stop costs the outputs of the cells after it, not their
                # points: each test cell's judge child runs the cells before it afresh (a cell
                # that kills or hangs the kernel there too stops the judging there).
                self._test_cells[index] = test_id
                cell.outputs = []
                cell.execution_count = None
                return cell, resources
            if test_id is not None:
                record_verdict(cell, _not_judged(test_id, say(
                    "NOT_RUN_STOPPED", why=self._stopped[1], cell=self._stopped[0] + 1)),
                    self._catalog)
            elif cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [_error("NotRun", render(say(
                    "NOT_RUN_STOPPED", why=self._stopped[1], cell=self._stopped[0] + 1),
                    self._catalog))]
            return cell, resources
        test_id = _test_id(cell)
        if test_id is not None and (test_id in judge.TEST_CELLS
                                    or not self.run_unjudged_tests_in_kernel):
            self._test_cells[index] = test_id  # judged once the notebook kernel is gone
            cell.outputs = []
            cell.execution_count = None
            return cell, resources
        return self._run_in_notebook_kernel(cell, resources, index)

    def _run_in_notebook_kernel(self, cell, resources, index):
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stop(index, say("STOPPED_KERNEL_DIED"))
            cell.outputs.append(_error("DeadKernelError", render(say("KERNEL_DIED_OUTPUT"),
                                                                 self._catalog)))
        except ReplyDropped:
            # The cell's reply was over message_mb (an error message of megabytes): dropped,
            # the connection made again; the cell has ended, the next cells run.
            self._stale_output = True
            limit = self._output_limits().message_mb
            cell.outputs.append(_error("ReplyDropped", render(
                say("REPLY_DROPPED_OUTPUT", mb=f"{limit:g}"), self._catalog)))
        except MessageLimitReached:
            # Frames on the reply channel past the cell's budget: only a forged reply sends
            # them. The kernel is stopped, as one that ignores the interrupt.
            self._stop(index, say("STOPPED_REPLY_FLOOD"), kill=True)
            cell.outputs.append(_error("MessageLimitReached", render(
                say("REPLY_FLOOD_OUTPUT"), self._catalog)))
        except CellTimeoutError:
            # Still busy after the interrupt and the wait for its outputs: it ignores
            # interrupts. Stop it so that the notebook, and the class, go on.
            self._stop(index, say("STOPPED_KERNEL_STOPPED"), kill=True)
            cell.outputs.append(_error("CellTimeoutError", render(say(
                "CELL_TIMEOUT_OUTPUT", seconds=self.timeout), self._catalog)))
        return cell, resources

    # -- the notebook kernel's start: ours to get right, tried twice ---------------------------
    async def async_start_new_kernel(self, **kwargs):
        """Start the notebook kernel; a start that fails is tried once more on a fresh kernel.

        No student code has run yet, so the failure is the grader's (a sandbox that could not be
        set up, a kernel that died or never answered while starting): the submission is never
        charged for it. A second failure is raised, and nbgrader reports the submission as not
        graded (an error, no scores), as it does any exception of its own."""
        try:
            await super().async_start_new_kernel(**kwargs)
        except Exception as error:  # noqa: BLE001 - any start failure is ours; raised again below
            await self._before_second_start(error)
            await super().async_start_new_kernel(**kwargs)

    async def async_start_new_kernel_client(self):
        """Connect to the notebook kernel; a kernel that does not come up (nbclient has shut it
        down) is replaced once by a fresh one, as in :meth:`async_start_new_kernel`."""
        try:
            return await super().async_start_new_kernel_client()
        except Exception as error:  # noqa: BLE001
            await self._before_second_start(error)
            await super().async_start_new_kernel()
            return await super().async_start_new_kernel_client()

    # nbclient binds its sync names to its own coroutines at class creation: bind them again
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _before_second_start(self, error):
        if INSTALL_HINT in str(error) or self._started_twice:
            raise error  # no sandbox on this machine (a fresh kernel cannot help), or a 2nd time
        self._started_twice = True
        self.log.warning("The notebook kernel did not start (%s: %s); starting a fresh one.",
                         type(error).__name__, str(error)[:300])
        if self.km is not None and self.km.has_kernel:
            await self.km.shutdown_kernel(now=True)
        self.kc = None
        if self.km is None:  # nbclient's clean-up after a failed client drops its manager
            self.km = self.create_kernel_manager()

    async def _async_handle_timeout(self, timeout, cell=None):
        """Interrupt at the time limit, as nbclient does; a kernel that has not answered the
        interrupt ``interrupt_grace`` seconds later, plus the time ipykernel may take to flush
        its output first, is stopped now (nbclient would wait ``iopub_timeout`` first, then
        nbgrader would drop the whole submission).

        ipykernel flushes stdout and stderr before it sends a reply, waiting up to
        ``OutStream.flush_timeout`` (10 s) for each: a cell that queued a flood of output
        answered the interrupt late, and was stopped as if it had ignored it (the later cells
        and parts lost). An interrupt that lands in that flush, after the student's code has
        ended (a cell interrupted at its output limit just as it finished), is caught by
        ipykernel, which then sends no reply at all: after ``interrupt_grace`` the kernel is
        asked for its ``kernel_info``; answered, it has left the cell (it answers requests in
        order), so the cell ends as interrupted and the next cells run (:meth:`_left_the_cell`).
        """
        reply = await super()._async_handle_timeout(timeout, cell)
        if self.interrupt_on_timeout:
            now = time.monotonic()
            deadline = now + self.interrupt_grace + _ipykernel_flush_wait()
            probe_at, probe = now + self.interrupt_grace, None
            while probe is None and not await self.kc.shell_channel.msg_ready():
                if time.monotonic() > probe_at:
                    probe = self.kc.kernel_info()
                    break
                await asyncio.sleep(0.1)
            if probe is not None:
                return await self._left_the_cell(probe, deadline, timeout, cell)
        return reply

    async def _left_the_cell(self, probe, deadline, timeout, cell):
        """The cell's own reply, come late; or, once the kernel answers ``probe`` (it has left
        the cell without a reply), an error reply that ends the cell. A kernel still busy at
        ``deadline`` ignores the interrupt: :class:`CellTimeoutError`."""
        from queue import Empty

        while time.monotonic() < deadline:
            try:
                msg = await self.kc.shell_channel.get_msg(timeout=0.2)
            except Empty:
                continue
            parent = msg.get("parent_header", {}).get("msg_id")
            if parent == getattr(self, "_cell_msg_id", None):
                return msg  # nbclient takes it as the cell's reply
            if parent == probe:
                self.log.warning("The kernel left the interrupted cell without a reply; the "
                                 "next cells run")
                if cell is not None:
                    cell.outputs.append(_error("KeyboardInterrupt", render(
                        say("INTERRUPTED_WITHOUT_REPLY_OUTPUT"), self._catalog)))
                return {"content": {"status": "error", "ename": "KeyboardInterrupt",
                                    "evalue": "", "traceback": []}}
        raise CellTimeoutError.error_from_timeout_and_cell(
            "the kernel ignored the interrupt", timeout, cell)

    def _stop(self, index, why, kill=False, judge_later=True):
        # judge_later: the test cells after it are still judged (not when out of time)
        self._stopped = (index, why, judge_later)
        self.log.warning("%s (cell %d); the rest of this notebook is not run", render(why),
                         index + 1)
        if kill and self.km is not None:
            run_sync(self.km.shutdown_kernel)(now=True)

    # -- the judge: one child per test cell, in the assignment's order ---------------------------
    def _judge_test_cells(self, nb, resources, session):
        if not self._test_cells:
            return
        order = assignment_order(self.config, resources)
        hidden = self._hidden_key(resources)
        rank = {grade_id: i for i, (grade_id, _) in enumerate(order)}
        cells = sorted(self._test_cells.items(),
                       key=lambda item: (rank.get(item[1], len(rank)), item[0]))
        stopped = None  # (test id, why) once a child died or ignored an interrupt
        for index, test_id in cells:
            cell = nb.cells[index]
            cell.execution_count = None
            if test_id not in judge.TEST_CELLS:
                self.log.error("Test cell %s has no judge in catvnoncat.judge: it scores 0. "
                               "Add a judge, or set "
                               "ExecuteWithJudge.run_unjudged_tests_in_kernel.", test_id)
                record_verdict(cell, judge.Verdict(
                    test_id, False, say("NO_JUDGE_SUMMARY", test_id=test_id), HINTS.NO_JUDGE),
                    self._catalog)
                continue
            if stopped is None and self._out_of_time():
                stopped = (test_id, self._out_of_time())
            if stopped is not None:
                record_verdict(cell, _not_judged(test_id, say(
                    "NOT_JUDGED_AFTER", why=stopped[1], test_id=stopped[0])), self._catalog)
                continue
            judged = session.judge_cell(
                nb.cells, test_id, order,
                lambda prober, sources, test_id=test_id: judge.judge(test_id, prober,
                                                                     sources, hidden),
                deadline=self._deadline, out_of_time=self._spent_sentence())
            if judged.stopped is not None:
                stopped = (test_id, judged.stopped)
                self.log.warning("%s (%s): the test cells after it are not judged",
                                 render(judged.stopped), test_id)
            if judged.verdict is None:
                record_verdict(cell, _not_judged(test_id, say(
                    "NOT_JUDGED_STOPPED", why=judged.stopped)), self._catalog)
                continue
            verdict = judged.verdict
            self.log.debug("%s: %s", test_id, "passed" if verdict.passed else verdict.summary)
            record_verdict(cell, verdict, self._catalog)
            if judged.died:
                cell.outputs.append(_error("DeadKernelError", render(
                    say("JUDGE_KERNEL_DIED_OUTPUT"), self._catalog)))

    def _hidden_key(self, resources):
        """The key this submission's hidden inputs are drawn from: the course secret (created
        in the course folder on first grading, see :mod:`catvnoncat.judge.secret`) and the
        student's id, so each student gets other values of the same sizes."""
        from nbgrader.coursedir import CourseDirectory

        student = (resources or {}).get("nbgrader", {}).get("student") or ""
        return course_key(CourseDirectory(config=self.config).root, student)


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
