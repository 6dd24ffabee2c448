"""Grade a class: one loop over a ``concurrent.futures.Executor``, one gradebook writer.

:func:`grade_class` finds the submissions under ``submitted/``, skips those already graded
(unless ``force``), sends one :class:`~catvnoncat.engine.jobs.GradeJob` per submission to the
executor (local processes or Dask: :mod:`catvnoncat.engine.executors`), and writes each
:class:`~catvnoncat.engine.jobs.StudentOutcome` into the course gradebook and ``autograded/`` as
it arrives, with a progress bar and one status line per student. A job whose worker died is
sent again once; a worker that cannot grade at all (no sandbox, a different course) stops the
run. The result says who could not be graded and why.
"""

import fnmatch
import os
import stat
import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path

from .gradebook import GradebookWriter, assignment_rows, graded_students
from ..judge.secret import MissingSecret, read_secret
from ..repair.quarantine import read_timestamp
from .jobs import GradeJob, StudentOutcome, course_fingerprint
from .worker import grade_one

__all__ = ["grade_class", "ClassRun", "EngineError", "DEFAULT_TIME_LIMIT", "submissions",
           "status_line"]

#: Default wall-clock seconds per submission: the slowest honest notebook takes about 30 s on a
#: busy machine; a notebook whose every training cell hits the 20 s cell limit takes 2-3 min.
DEFAULT_TIME_LIMIT = 900.0
#: Jobs in flight per worker: enough to keep workers busy, few enough that a class of 100,000
#: is never held in memory at once.
JOBS_IN_FLIGHT_PER_WORKER = 2
#: Log files of each student's run, beside the autograded folders (ignored by nbgrader).
LOG_FOLDER = ".grade-logs"


class EngineError(RuntimeError):
    """Grading cannot go on (no sandbox, a worker with another course, a broken course folder)."""


@dataclass
class ClassRun:
    """What one ``grade`` run did.

    Attributes
    ----------
    outcomes : dict
        ``{student id: StudentOutcome}`` of every submission graded or attempted in this run.
    skipped : list of str
        Students already graded (no ``force``).
    seconds : float
        Wall time of the run.
    executor : str
        Where it ran.
    """

    outcomes: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    seconds: float = 0.0
    executor: str = ""

    @property
    def not_graded(self):
        """``{student id: why}`` for every submission that could not be graded."""
        return {s: o.error for s, o in self.outcomes.items() if not o.graded}

    @property
    def exit_status(self):
        return 1 if self.not_graded else 0

    def summary(self):
        graded = sum(o.graded for o in self.outcomes.values())
        lines = [f"{graded} graded, {len(self.not_graded)} not graded, {len(self.skipped)} "
                 f"already graded (skipped; --force to regrade) in {self.seconds:.0f} s on "
                 f"{self.executor}"]
        lines += [f"  not graded: {s}: {why}" for s, why in sorted(self.not_graded.items())]
        return "\n".join(lines)


def _course_settings(course_dir):
    from ..facts import course_config

    cfg = course_config(course_dir)
    ignore = list(cfg.CourseDirectory.get("ignore", [".ipynb_checkpoints", "*.pyc", "__pycache__"]))
    return cfg.CourseDirectory.db_url, cfg.CourseDirectory.course_id, ignore


def submissions(course_dir, assignment, students=None):
    """``{student id: folder}`` of the submissions under ``submitted/`` (all, or ``students``)."""
    root = Path(course_dir) / "submitted"
    found = {p.parent.name: p for p in sorted(root.glob(f"*/{assignment}")) if p.is_dir()}
    if students:
        missing = sorted(set(students) - set(found))
        if missing:
            raise EngineError(f"no submission of {assignment} for {', '.join(missing)} under "
                              f"{root}/<student id>/{assignment}/")
        found = {s: found[s] for s in students}
    return found


def _files(folder, ignore, set_aside=None):
    """``((relative path, bytes), ...)`` of a submission folder's regular files, without ignored
    files, never through a link; ``set_aside(folder)`` first moves out what is not the
    student's own (``catvnoncat.repair.quarantine``, as nbgrader's pre-convert hook does)."""
    if set_aside is not None:
        set_aside(folder)
    files = []
    found = (Path(top) / name for top, _, names in os.walk(folder) for name in names)
    for path in sorted(found):  # os.walk never enters a linked folder
        relative = path.relative_to(folder)
        if any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in ignore):
            continue
        if stat.S_ISREG(os.lstat(path).st_mode):
            files.append((os.fspath(relative), path.read_bytes()))
    return tuple(files)


def _already_graded(course_dir, assignment, student_id, in_gradebook):
    """nbgrader's rule (``init_destination``): an autograded folder exists, and the submission
    is not newer than it. A time that cannot be read counts as none, as for nbgrader with the
    course's config (:func:`~catvnoncat.steps.students.read_unreadable_timestamps_as_missing`)."""
    dest = Path(course_dir) / "autograded" / student_id / assignment
    if student_id not in in_gradebook or not dest.is_dir():
        return False
    new = read_timestamp(Path(course_dir) / "submitted" / student_id / assignment)
    old = read_timestamp(dest)
    return not (new is not None and old is not None and new > old)


def status_line(outcome, max_points):
    """``[graded] id  total/max (s)`` and the notes or the error, indented below."""
    mark = "graded" if outcome.graded else "FAILED"
    total = sum(score or 0.0 for nb in outcome.notebooks for _, score, _ in nb.grades)
    score = f"{total:>5g}/{max_points:g}" if outcome.graded else f"{'-':>5}/{max_points:g}"
    lines = [f"[{mark:^6}] {outcome.student_id:<16} {score}  ({outcome.seconds:.0f} s)"]
    lines += [f"{'':9}{note}" for note in outcome.notes]
    if outcome.error:
        lines.append(f"{'':9}not graded: {outcome.error}")
    return "\n".join(lines)


def _progress(total, enabled):
    from tqdm import tqdm

    # disable=None: a bar in a terminal, nothing in a log file.
    return tqdm(total=total, desc="grade", unit="submission", file=sys.stdout,
                dynamic_ncols=True, disable=None if enabled else True)


def _max_points(rows):
    return sum(float(dict(row).get("max_score") or 0.0)
               for table, table_rows in rows if table == "grade_cells" for row in table_rows)


def grade_class(course_dir, executor, assignment, students=None, force=False,
                time_limit=DEFAULT_TIME_LIMIT, progress=True, say=print):
    """Grade every submission of ``assignment`` into the course gradebook and ``autograded/``.

    Parameters
    ----------
    course_dir : path-like
        The nbgrader course folder.
    executor : GradingExecutor
        From :func:`~catvnoncat.engine.executors.local_executor` or ``dask_executor``.
    assignment : str
    students : list of str, optional
        Only these students (default: every folder under ``submitted/``).
    force : bool
        Regrade submissions already graded.
    time_limit : float
        Wall-clock seconds per submission.
    progress : bool
        Show a progress bar (in a terminal).
    say : callable
        Where status lines go.

    Returns
    -------
    ClassRun

    Raises
    ------
    EngineError
        A worker cannot grade at all; the submissions written so far stay written.
    """
    start = time.perf_counter()
    course_dir = Path(course_dir).resolve()
    db_url, course_id, ignore = _course_settings(course_dir)
    try:
        rows = assignment_rows(db_url, course_id, assignment)
    except LookupError as error:
        raise EngineError(str(error)) from None
    try:  # the first grading creates the course secret; workers only read it
        read_secret(course_dir, create=True)
    except MissingSecret as error:
        raise EngineError(str(error)) from None
    fingerprint = course_fingerprint(course_dir, assignment)
    found = submissions(course_dir, assignment, students)
    in_gradebook = graded_students(db_url, course_id, assignment)
    result = ClassRun(executor=executor.description)
    todo = []
    for student_id in found:
        if not force and _already_graded(course_dir, assignment, student_id, in_gradebook):
            result.skipped.append(student_id)
        else:
            todo.append(student_id)
    max_points = _max_points(rows)
    logs = course_dir / "autograded" / LOG_FOLDER

    from ..repair.quarantine import printable, quarantine_settings, set_aside_record
    from ..report import course_config

    config = course_config(course_dir)
    quarantine = quarantine_settings(config)

    def set_aside(folder):
        quarantine.set_aside(folder, course_dir)

    def job(student_id):
        files = _files(found[student_id], ignore, set_aside)
        set_aside_now = set_aside_record(course_dir, student_id, assignment, config)
        return GradeJob(assignment, student_id, files, rows, course_id, fingerprint,
                        float(time_limit), set_aside_now)

    bar = _progress(len(todo), progress)
    write = bar.write if not bar.disable else say

    def finish(student_id, outcome):
        writer.write(outcome)
        logs.mkdir(parents=True, exist_ok=True)
        (logs / f"{student_id}.log").write_text(outcome.log, encoding="utf-8")
        result.outcomes[student_id] = outcome
        write(status_line(outcome, max_points))
        bar.update(1)
    attempts = {s: 0 for s in todo}
    pending, running = list(reversed(todo)), {}
    window = max(1, executor.workers * JOBS_IN_FLIGHT_PER_WORKER)
    with GradebookWriter(db_url, course_id, course_dir / "autograded", assignment) as writer:
        try:
            while pending or running:
                while pending and len(running) < window:
                    student_id = pending.pop()
                    attempts[student_id] += 1
                    try:
                        student_job = job(student_id)
                    except Exception as error:  # noqa: BLE001 - one submission, not the class
                        finish(student_id, StudentOutcome(student_id, False, error=(
                            f"its files could not be read: {type(error).__name__}: "
                            f"{printable(str(error)[:300])}")))
                        continue
                    running[executor.submit(grade_one, student_job)] = student_id
                if not running:
                    continue
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in done:
                    student_id = running.pop(future)
                    try:
                        outcome = future.result()
                    except executor.lost_worker_errors as error:
                        executor.renew()
                        if attempts[student_id] < 2:
                            pending.append(student_id)
                            continue
                        outcome = StudentOutcome(student_id, False, error=(
                            f"its worker died twice while grading it ({type(error).__name__})"))
                    except Exception as error:  # noqa: BLE001 - the engine's own failure
                        outcome = StudentOutcome(student_id, False, error=(
                            f"grading failed outside nbgrader: {type(error).__name__}: {error}"))
                    if outcome.fatal:
                        raise EngineError(outcome.error)
                    finish(student_id, outcome)
        finally:
            bar.close()
            for future in running:
                future.cancel()
    result.seconds = time.perf_counter() - start
    return result
