"""Judging one submission's test cells, each in a fresh judge child, in the assignment's order.

:class:`JudgeSession` owns the submission's judge host (started on first use, after the
notebook kernel has exited) and gives each autograded test cell its own child: the child runs
the student's cells that precede the test cell in the assignment's order
(:func:`~.child_prober.prefix_cells`), then answers that cell's probes, then is killed. A failure
of our own machinery (the host cannot start, dies, breaks the protocol) is retried once on a
fresh host; if it fails again, :class:`JudgeMachineryError` is raised for the submission, which
nbgrader then records as an error, not as scores.
"""

import os
import time
from dataclasses import dataclass

from .. import course
from ..sandbox import host as _host
from .child_prober import CellInterrupted, ChildProber, prefix_cells
from .prober import KernelDied, KernelUnresponsive, ProbeFailed

__all__ = ["JudgeSession", "JudgeMachineryError", "Judged", "assignment_order"]


class JudgeMachineryError(RuntimeError):
    """The grader's own judging machinery failed twice for this submission (not the student's
    doing): the submission is reported as an error, never as a zero."""


@dataclass
class Judged:
    """What happened to one test cell: a verdict, or why it could not be judged."""

    verdict: object = None        # a judge.Verdict
    stopped: object = None        # a Message: the child died / ignored an interrupt (why)
    died: bool = False            # the child died while the cell was judged


def assignment_order(config=None, resources=None):
    """The source notebook's graded cells, in its order: ``[(grade_id, "solution"|"test")]``.

    Read from the course's ``source/<assignment>/<notebook>.ipynb`` (nbgrader's
    ``CourseDirectory`` of ``config``); the repository's own source notebook when that is not
    found (e.g. grading outside a course folder).
    """
    path = None
    info = (resources or {}).get("nbgrader", {})
    if config is not None and info.get("assignment") and info.get("notebook"):
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=config)
        candidate = os.path.join(coursedir.format_path(coursedir.source_directory, ".",
                                                       info["assignment"]),
                                 f"{info['notebook']}.ipynb")
        if os.path.isfile(candidate):
            path = candidate
    nb = course.read_notebook(path or course.SOURCE_NOTEBOOK)
    order = []
    for cell in nb.cells:
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = nbgrader.get("grade_id")
        if grade_id is None or cell.cell_type != "code":
            continue
        if nbgrader.get("solution"):
            order.append((grade_id, "solution"))
        elif nbgrader.get("grade"):
            order.append((grade_id, "test"))
    return order


class JudgeSession:
    """The judge host of one submission and the judging of its test cells.

    Parameters
    ----------
    config : traitlets.config.Config
    submission_dir : str
        The folder the notebook kernel ran in (each child gets a pristine copy of it).
    cell_timeout, probe_timeout, grace : float
        Seconds per student cell, per probe, and after an interrupt.
    log : logging.Logger
    """

    def __init__(self, config, submission_dir, cell_timeout, probe_timeout, grace, log,
                 startup_timeout=60.0):
        self.config, self.submission_dir = config, submission_dir
        self.cell_timeout, self.probe_timeout, self.grace = cell_timeout, probe_timeout, grace
        self.log, self.startup_timeout = log, startup_timeout
        self.host = None
        self._launching = None   # a host launched early, not yet known to be ready

    def start_in_background(self):
        """Launch the host while the notebook kernel runs: the host imports its libraries and
        runs no student code, so nothing passes between the two (the first child is forked
        only once the notebook kernel has exited). A failure here is met again at first use."""
        host = _host.JudgeHost(self.config, self.submission_dir,
                               startup_timeout=self.startup_timeout, log=self.log)
        try:
            self._launching = host.launch()
        except Exception as error:  # noqa: BLE001 - tried again, and reported, at first use
            host.close()
            self.log.debug("The judge host could not be launched early: %s", error)

    def close(self):
        for host in (self._launching, self.host):
            if host is not None:
                host.close()
        self._launching = self.host = None

    def _started_host(self):
        if self.host is None and self._launching is not None:
            host, self._launching = self._launching, None
            try:
                self.host = host.wait_ready()
            except BaseException:
                host.close()
                raise
        if self.host is None:
            host = _host.JudgeHost(self.config, self.submission_dir,
                                   startup_timeout=self.startup_timeout, log=self.log)
            try:
                self.host = host.start()
            except BaseException:
                host.close()
                raise
        return self.host

    def judge_cell(self, cells, test_id, order, judge_fn, deadline=None, out_of_time=""):
        """Judge ``test_id`` in a fresh child: :class:`Judged`.

        ``judge_fn(prober, sources)`` returns the Verdict (``catvnoncat.judge.judge``).
        ``deadline`` (``time.monotonic()``): past it, no student cell is replayed and the cell
        is not judged, ``out_of_time`` says why (the submission's own time is spent: its
        student's doing, not a grader error, so no retry either).
        """
        for attempt in (1, 2):
            try:
                return self._judge_once(cells, test_id, order, judge_fn, deadline, out_of_time)
            except (_host.HostFailed, OSError) as error:
                if deadline is not None and time.monotonic() > deadline:
                    self.close()
                    return Judged(stopped=out_of_time)
                self.log.warning("Judge host failure in %s (attempt %d): %s", test_id, attempt,
                                 error)
                self.close()
                if attempt == 2:
                    raise JudgeMachineryError(
                        f"the grader's judge could not judge {test_id} ({error}); this "
                        f"submission was not graded: grade it again, and report the error "
                        f"if it persists") from None

    def _judge_once(self, cells, test_id, order, judge_fn, deadline=None, out_of_time=""):
        from .messages import reason_of, say
        from .sentences import HINTS
        from .verdict import Verdict

        host = self._started_host()
        child = host.spawn(timeout=self.startup_timeout)
        prober = ChildProber(child, timeout=self.probe_timeout, grace=self.grace)
        sources = []
        try:
            for index in prefix_cells(cells, test_id, order):
                if deadline is not None and time.monotonic() > deadline:
                    return Judged(stopped=out_of_time)
                sources.append(cells[index].source)
                try:
                    prober.run_cell(cells[index].source, self.cell_timeout)
                except CellInterrupted:
                    continue  # as in the notebook kernel: that cell's error, the next one runs
                except KernelUnresponsive:
                    return Judged(stopped=say("STOPPED_IGNORED_INTERRUPT_IN_CELL", cell=index + 1))
                except KernelDied:
                    return Judged(stopped=say("STOPPED_KERNEL_DIED_IN_CELL", cell=index + 1))
                except ProbeFailed as error:
                    verdict = Verdict(test_id, False, say("NO_ANSWER_FROM_CODE", test_id=test_id,
                                                          reason=reason_of(error)),
                                      HINTS.NO_RESULT.format(name=test_id.removeprefix("test_")))
                    return Judged(verdict=verdict)
            try:
                verdict = judge_fn(prober, tuple(sources))
            except KernelUnresponsive as error:
                verdict = Verdict(test_id, False, say("NO_ANSWER_FROM_CODE", test_id=test_id,
                                                      reason=reason_of(error)),
                                  HINTS.IGNORES_INTERRUPTS)
                return Judged(verdict=verdict, stopped=say("STOPPED_JUDGE_IGNORED_INTERRUPT"))
            if child.died:
                return Judged(verdict=verdict, stopped=say("STOPPED_KERNEL_DIED"), died=True)
            return Judged(verdict=verdict)
        finally:
            prober.close()
