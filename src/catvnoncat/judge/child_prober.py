"""Probing a judge child (:mod:`catvnoncat.sandbox.host`): one test cell's own process.

:class:`ChildProber` runs the student's cells that precede one test cell (assignment order, see
:func:`prefix_cells`) in a fresh judge child, then answers that cell's probes there with the
probe protocol of :mod:`.prober` (call / look / lent helpers, answers validated by :mod:`.wire`). Lent answers and hidden inputs reach that child only; it is killed with its
whole PID namespace when the cell is judged (:meth:`ChildProber.close`).
"""

import time

from ..sandbox import host as _host
from . import wire
from .messages import say
from .prober import MAX_LEND_CALLS, KernelDied, KernelUnresponsive, ProbeFailed, Prober, answer_lend

__all__ = ["ChildProber", "prefix_cells", "CellInterrupted"]


class CellInterrupted(Exception):
    """A student cell ran past the cell time limit and was interrupted (it then stopped)."""


class ChildProber(Prober):
    """Probe one judge child.

    Parameters
    ----------
    child : catvnoncat.sandbox.host.Child
        A started judge child.
    timeout : float
        Seconds one probe may take (lent-helper round trips included).
    grace : float
        Seconds an interrupted child has to answer before it is killed.
    """

    def __init__(self, child, timeout=20.0, grace=5.0):
        self.child, self.timeout, self.grace = child, timeout, grace
        self.lend_log = []

    def cpu_ns(self):
        """CPU nanoseconds used so far by this judge child and every process it started.

        Read from outside the sandbox, never reported by the child: its own cgroup v1
        ``cpuacct`` group (created under the grader's, as root), else the sum of
        ``/proc/PID/stat`` user + system times (children reaped included) over the child's
        process tree, found by the grader from the judge host's pid. Monotonic while the child
        lives; compare two readings around a probe for the CPU time that probe cost. Processes
        that exited unreaped are not counted in the fallback (a lower bound there).
        """
        return self.child.cpu_ns()

    def cpu_resolution_ns(self):
        """How far one :meth:`cpu_ns` reading may be off (a clock tick with the /proc fallback)."""
        return self.child.cpu.resolution_ns

    def alive(self):
        return not self.child.ended

    def close(self):
        self.child.close()

    def run_cell(self, source, timeout):
        """Run one student cell (outputs discarded). Raises :class:`CellInterrupted` when it
        ran past ``timeout`` seconds and stopped at the interrupt, ``KernelUnresponsive`` when
        it ignored it (the child is then killed), ``KernelDied`` when the child died."""
        self._send({"op": "cell", "source": source})
        reply = self._wait(timeout, lend=frozenset())
        if reply.get("ran") is not True:
            raise KernelDied(say("JUDGE_CHILD_BROKE_OFF"))

    def exchange(self, request, lend):
        self._send({"op": "probe", "request": request})
        try:
            reply = self._wait(self.timeout, lend)
        except CellInterrupted:
            raise ProbeFailed(say("PROBE_NO_ANSWER_IN_TIME",
                                   seconds=f"{self.timeout:.0f}")) from None
        if "answer" not in reply:
            raise ProbeFailed(say("PROBE_ENDED_WITHOUT_ANSWER"))
        return reply["answer"]

    def _send(self, message):
        try:
            self.child.send(message)
        except _host.ChildDied:
            raise KernelDied(say("JUDGE_CHILD_DIED")) from None

    def _wait(self, timeout, lend):
        """The child's reply, serving its lent-helper questions; deadlines from here."""
        deadline = time.monotonic() + timeout
        interrupted, lend_calls, lend_spent = False, 0, [0.0]
        while True:
            try:
                # (past the deadline, frames still queued are not read: a flood cannot hold on)
                message = self.child.receive(deadline) if time.monotonic() < deadline else None
            except _host.ChildDied:
                raise KernelDied(say("JUDGE_CHILD_DIED")) from None
            except _host.FrameTooLarge as error:
                raise ProbeFailed(say("PROBE_ANSWER_TOO_LARGE", detail=str(error))) from None
            if message is not None:
                message = _parsed(message)
            if message is None:
                if interrupted:
                    self.child.close()
                    raise KernelUnresponsive(say("IGNORED_INTERRUPT_AFTER",
                                                 seconds=f"{timeout:.0f}"))
                self.child.interrupt()
                interrupted, deadline = True, time.monotonic() + self.grace
                continue
            if isinstance(message.get("ask"), dict):
                if lend_calls < MAX_LEND_CALLS:
                    lend_calls += 1
                    reply = answer_lend(message["ask"], lend, self.lend_log, lend_spent)
                else:
                    reply = {"error": "too many calls"}
                self._send(reply)
                continue
            if interrupted:
                raise CellInterrupted()
            if message.get("malformed"):
                raise ProbeFailed(say("PROBE_ANSWER_MALFORMED"))
            return message


def _parsed(text):
    """A child's frame read with :mod:`.wire`'s limits: a dict, or ``{"malformed": True}``."""
    try:
        parsed = wire.parse_json(text)
    except wire.BadAnswer:
        return {"malformed": True}
    return parsed if isinstance(parsed, dict) else {"malformed": True}


# ------------------------------------------------------------------------------------------------
# Which of the submission's cells a test cell's child runs
# ------------------------------------------------------------------------------------------------
def prefix_cells(cells, test_id, order):
    """Indices of the submission's cells a judge child runs before judging ``test_id``.

    Cells are judged in the ASSIGNMENT's order, whatever order the submission has them in
    (nbgrader restores a test cell's content, not its place). With ``order`` the source
    notebook's graded cells as ``(grade_id, kind)`` pairs, kind ``"solution"`` or ``"test"``:

    - ``next`` is the first solution cell after ``test_id`` in ``order`` that the submission
      has; ``prev`` the last one before it.
    - The test cell is *in place* when it comes, in the submission, after ``prev`` (if any) and
      before ``next`` (if any). Then the child runs the cells before it: exactly the state it
      sees in a plain run of the notebook.
    - Otherwise (moved), the child runs the cells before ``next`` (all cells if there is no
      ``next``): every solution cell the assignment puts before the test, none after.

    Only code cells that run in the notebook kernel are counted: not test cells, not cells
    tagged ``skip-execution`` (the tail, see :mod:`catvnoncat.steps.tail`), not empty ones.

    Parameters
    ----------
    cells : list of NotebookNode
    test_id : str
    order : sequence of (str, str)

    Returns
    -------
    list of int
    """
    position = {}
    for index, cell in enumerate(cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            position.setdefault(grade_id, index)
    ids = [grade_id for grade_id, _ in order]
    at = ids.index(test_id) if test_id in ids else len(ids)
    solutions_before = [g for g, kind in order[:at] if kind == "solution" and g in position]
    solutions_after = [g for g, kind in order[at + 1:] if kind == "solution" and g in position]
    end = position[solutions_after[0]] if solutions_after else len(cells)
    start = position[solutions_before[-1]] if solutions_before else -1
    own = position.get(test_id)
    if own is not None and start < own < end:
        end = own
    return [i for i in range(end) if _runs(cells[i])]


def _runs(cell):
    if cell.cell_type != "code" or not cell.source.strip():
        return False
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    if nbgrader.get("grade") and not nbgrader.get("solution"):
        return False
    return "skip-execution" not in cell.get("metadata", {}).get("tags", [])
