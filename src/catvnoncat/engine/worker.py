"""Grade one submission in a long-lived worker process, with nbgrader itself, and touch no gradebook.

:func:`grade_one` runs ``nbgrader autograde <assignment> --student <id>`` in-process
(nbgrader's ``AutogradeApp``, initialized with the course's own ``nbgrader_config.py`` exactly as
the command line does) in a private scratch course folder: the course's ``source/``,
``release/`` and ``nbgrader_config.py`` linked in, the student's files written to
``submitted/``, and a private SQLite gradebook holding only the assignment's definition from
the course gradebook. Every setting, step, repair, judge and sandbox of the course applies as
for a plain ``nbgrader autograde``; the worker then returns what that run recorded as a frozen
:class:`~catvnoncat.engine.jobs.StudentOutcome`. The process imports nbgrader once and grades
many submissions, one at a time.

The worker finds its course folder in ``$CATVNONCAT_COURSE_DIR`` (set by the local pool, or by
whoever starts a Dask worker), else its current folder, and refuses a job whose course
fingerprint differs from its own. The course secret the hidden inputs are drawn from is
``$CATVNONCAT_SECRET`` when set, else that folder's ``.catvnoncat_secret`` (linked into each
scratch course); a worker never creates one (a worker without it refuses every job: its
fingerprint differs from the coordinator's, which created the secret if there was none).
"""

import io
import logging
import multiprocessing.util
import os
import shutil
import socket
import tempfile
import threading
import time
import traceback
from pathlib import Path

from ..facts import COURSE_DIR_ENV, SECRET_ENV, SECRET_FILE, course_config
from ..repair.quarantine import hand_over_record
from .jobs import StudentOutcome, NotebookGrades, course_fingerprint

__all__ = ["grade_one", "quiet_worker", "COURSE_DIR_ENV", "execution_notes", "test_cell_changes"]

_GRADEBOOK_TEMPLATES = {}  # rows hash -> path of a scratch gradebook holding the assignment
_FINGERPRINTS = {}         # (course folder, assignment) -> fingerprint


def quiet_worker():
    """Ready a worker process: nbgrader finds ``alembic`` (installed next to this Python) when it
    creates a gradebook, and its own ORM use does not print SQLAlchemy autoflush warnings."""
    import sys
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    # Import nbgrader and the course's steps once per worker, not once per student.
    import nbgrader.apps.autogradeapp  # noqa: F401

    from ..steps import execute  # noqa: F401


def worker_course_dir():
    """The course folder this worker grades with."""
    return Path(os.environ.get(COURSE_DIR_ENV) or os.getcwd()).resolve()


def _worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


def _scratch_base():
    base = Path(tempfile.gettempdir()) / f"catvnoncat-grade-{os.getpid()}"
    if not base.is_dir():
        _remove_dead_workers_scratch(base.parent)
        base.mkdir()
        # Removed when this worker exits: multiprocessing's exit hook runs in pool and Dask
        # worker processes alike, where a plain atexit handler may not.
        multiprocessing.util.Finalize(None, shutil.rmtree, args=(base,),
                                      kwargs={"ignore_errors": True}, exitpriority=10)
    return base


def _remove_dead_workers_scratch(folder):
    """Scratch folders of workers that were killed (no exit hook ran): their pid is gone."""
    for stale in folder.glob("catvnoncat-grade-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(stale, ignore_errors=True)


def _template_gradebook(job):
    from .gradebook import create_scratch_gradebook

    key = hash((job.course_id, job.assignment_rows))
    if key not in _GRADEBOOK_TEMPLATES:
        path = _scratch_base() / f"template-{len(_GRADEBOOK_TEMPLATES)}.db"
        if path.exists():
            path.unlink()
        create_scratch_gradebook(path, job.course_id, job.assignment_rows)
        _GRADEBOOK_TEMPLATES[key] = path
    return _GRADEBOOK_TEMPLATES[key]


def _scratch_course(job, course_dir):
    """A private course folder for one submission; returns ``(root, db_url)``."""
    root = Path(tempfile.mkdtemp(prefix=f"{job.student_id}-", dir=_scratch_base()))
    for name in ("source", "release", "nbgrader_config.py", SECRET_FILE):
        if (course_dir / name).exists():
            (root / name).symlink_to(course_dir / name)
    folder = root / "submitted" / job.student_id / job.assignment
    folder.mkdir(parents=True)
    for relative, content in job.files:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    # what the coordinator set aside, said in the feedback as a plain autograde says it
    hand_over_record(root, folder, job.set_aside, root / "release" / job.assignment,
                     course_config(root))
    shutil.copyfile(_template_gradebook(job), root / "gradebook.db")
    return root, f"sqlite:///{root / 'gradebook.db'}"


def _cell_timeout(course_dir, cache={}):
    if course_dir not in cache:
        cache[course_dir] = float(course_config(course_dir).Execute.get("timeout", 30))
    return cache[course_dir]


class _Watchdog:
    """Kills this process's kernels when a submission runs past its wall-clock limit, and
    goes on killing what the grading starts again (a judge host replaced after the first
    kill) until the submission's job returns; then reaps what it killed."""

    def __init__(self, seconds):
        self.expired = False
        self._done = threading.Event()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def _kill_descendants(self):
        from ..sandbox.provisioner import descendants

        for pid in descendants(os.getpid()):
            try:
                os.kill(pid, 9)
            except OSError:
                pass

    def _expire(self):
        self.expired = True
        while not self._done.is_set():
            self._kill_descendants()
            self._done.wait(0.2)

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._timer.cancel()
        if self.expired:
            self._timer.join(timeout=5)
            self._kill_descendants()
            _reap_children()


def _reap_children():
    """Wait for this process's children that have exited (killed ones would stay zombies)."""
    from ..sandbox.provisioner import descendants

    for pid in descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                os.waitpid(pid, os.WNOHANG)
        except (OSError, IndexError, ChildProcessError):
            pass


def _run_autograde(root, db_url, job):
    """``nbgrader autograde <assignment> --student <id>`` in ``root``; returns (ok, log text)."""
    from nbgrader.apps.autogradeapp import AutogradeApp

    from ..steps.execute import SandboxUnavailable

    AutogradeApp.clear_instance()
    app = AutogradeApp.instance()
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    previous = os.getcwd()
    os.chdir(root)  # nbgrader reads nbgrader_config.py from the current folder
    ok = True
    try:
        app.initialize([job.assignment, "--student", job.student_id,
                        f"--CourseDirectory.root={root}", f"--CourseDirectory.db_url={db_url}",
                        f"--CourseDirectory.course_id={job.course_id}"])
        app.log.handlers = [handler]
        logging.getLogger("catvnoncat.repair").handlers = [handler]
        app.start()
    except SystemExit as exit_:  # nbgrader exits 1 when a submission failed
        ok = not exit_.code
    except SandboxUnavailable:
        raise
    except Exception:  # noqa: BLE001 - one student's failure is recorded, never raised
        ok = False
        captured.write(traceback.format_exc())
    finally:
        os.chdir(previous)
        AutogradeApp.clear_instance()
    return ok, captured.getvalue()


def _recorded(db_url, job, root):
    """The rows nbgrader wrote for this student in the scratch gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    notebooks, timestamp = [], None
    folder = root / "submitted" / job.student_id / job.assignment
    with Gradebook(db_url, job.course_id) as gb:
        try:
            submission = gb.find_submission(job.assignment, job.student_id)
        except MissingEntry:
            return (), None
        timestamp = submission.timestamp.isoformat() if submission.timestamp else None
        for nb in submission.notebooks:
            notebooks.append(NotebookGrades(
                nb.name,
                tuple(sorted((g.name, g.auto_score, bool(g.needs_manual_grade))
                             for g in nb.grades)),
                tuple(sorted((c.name, c.auto_comment) for c in nb.comments)),
                nb.late_submission_penalty,
                (folder / f"{nb.name}.ipynb").exists()))
    return tuple(sorted(notebooks, key=lambda n: n.notebook)), timestamp


def _autograded_files(root, job):
    folder = root / "autograded" / job.student_id / job.assignment
    if not folder.is_dir():
        return ()
    return tuple((os.fspath(p.relative_to(folder)), p.read_bytes(), p.stat().st_mode & 0o777)
                 for p in sorted(folder.rglob("*")) if p.is_file())


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def test_cell_changes(submitted, release):
    """Test cells a student deleted or edited (nbgrader puts both back from the gradebook)."""
    from .. import course

    tests = {g for g, cell in course.grade_cells(release).items() if cell["kind"] == "test"}
    released = {_grade_id(c): c.source for c in release.cells if _grade_id(c) in tests}
    handed_in = {_grade_id(c): c.get("source", "") for c in submitted.get("cells", [])
                 if _grade_id(c)}
    deleted = [g for g in released if g not in handed_in]
    edited = [g for g in released if g in handed_in and handed_in[g] != released[g]]
    return deleted, edited


def execution_notes(autograded_nb, timeout):
    """Timeouts and kernel deaths recorded in an autograded notebook, as sentences."""
    timeouts, died, not_run = [], None, 0
    for index, cell in enumerate(autograded_nb.cells):
        names = {o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"}
        first_line = cell.get("source", "").strip().splitlines()[:1] or [""]
        where = _grade_id(cell) or f"cell {index + 1} `{first_line[0][:40].strip()}...`"
        judged_timeout = any("(interrupted)" in str(o.get("evalue", ""))
                             for o in cell.get("outputs", []) if o.get("output_type") == "error")
        if "CellTimeoutError" in names or judged_timeout:  # in the notebook or under a probe
            timeouts.append(where)
        if "DeadKernelError" in names:
            died = died or where  # the first death: the judging kernel's, then the notebook's
        if "NotRun" in names:
            not_run += 1
    notes = []
    if timeouts:
        notes.append(f"interrupted after {timeout:g} s (infinite loop?) in {len(timeouts)} "
                     f"cell(s): {', '.join(timeouts)}")
    if died:
        notes.append(f"kernel died in {died}; the {not_run} code cell(s) after it were not run "
                     "(score 0), the cells before keep their points")
    return notes


def _read_notebook_text(text):
    """A notebook from its JSON text, without nbformat's warning for a notebook saved before
    cells had ids (nbformat 4.4: a student's editor, not something the instructor must act on)."""
    import warnings

    import nbformat
    from nbformat.validator import MissingIDFieldWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        return nbformat.reads(text, as_version=4)


def _notes(job, course_dir, files, timeout):
    """What the instructor should know about this submission (empty for a clean run)."""
    from .. import repair
    from ..course import read_notebook

    notes = []
    files = dict(files)
    for name in sorted(p for p in dict(job.files) if p.endswith(".ipynb")):
        release = course_dir / "release" / job.assignment / name
        if not release.is_file():
            continue
        try:
            submitted = _read_notebook_text(dict(job.files)[name].decode("utf-8-sig"))
        except Exception:  # noqa: BLE001 - unreadable: the error says so
            continue
        deleted, edited = test_cell_changes(submitted, read_notebook(release))
        if deleted:
            notes.append(f"deleted test cell {', '.join(deleted)}: put back by nbgrader and run")
        if edited:
            notes.append(f"edited test cell {', '.join(edited)}: restored by nbgrader and run")
    for relative, content in files.items():
        if relative.endswith(".ipynb"):
            nb = _read_notebook_text(content.decode("utf-8"))
            notes += execution_notes(nb, timeout)
            notes += [f"repaired: {line}" for line in repair.repairs_of(nb)]
    return notes


def _why_not_graded(log, root, job):
    """One line: the unreadable file, else the last exception nbgrader logged, else the log's end."""
    from ..repair import why_not_graded

    folder = root / "submitted" / job.student_id / job.assignment
    return why_not_graded([folder / released.name for released
                           in sorted((root / "release" / job.assignment).glob("*.ipynb"))], log)


def grade_one(job):
    """Grade one submission with the course's nbgrader pipeline; never writes a gradebook.

    Parameters
    ----------
    job : GradeJob

    Returns
    -------
    StudentOutcome
        ``graded`` is False, with ``error`` saying why, when nbgrader could not grade it, when
        it ran past ``job.time_limit`` (its kernels are then killed) or when this worker's
        course differs (``fatal``, as for a machine without the sandbox).
    """
    from ..steps.execute import SandboxUnavailable

    quiet_worker()
    start = time.perf_counter()
    course_dir = worker_course_dir()
    key = (course_dir, job.assignment)
    if key not in _FINGERPRINTS:
        _FINGERPRINTS[key] = course_fingerprint(course_dir, job.assignment)
    if _FINGERPRINTS[key] != job.fingerprint:
        return StudentOutcome(job.student_id, False, worker=_worker_name(), fatal=True, error=(
            f"worker {_worker_name()} grades with the course at {course_dir}, which differs from "
            "the coordinator's (source notebook, helpers, nbgrader_config.py or the course "
            "secret): start the worker from a checkout of the same commit, with the "
            f"coordinator's {SECRET_FILE} in its course folder or ${SECRET_ENV} set to it"))
    root, db_url = _scratch_course(job, course_dir)
    try:
        with _Watchdog(job.time_limit) as watchdog:
            try:
                ok, log = _run_autograde(root, db_url, job)
            except SandboxUnavailable as error:
                return StudentOutcome(job.student_id, False, worker=_worker_name(), fatal=True,
                                      error=str(error))
        seconds = time.perf_counter() - start
        if watchdog.expired:
            return StudentOutcome(job.student_id, False, seconds=seconds, worker=_worker_name(),
                                  log=log, error=f"ran past the {job.time_limit:g} s wall-clock "
                                                 "limit per submission; its kernels were stopped")
        notebooks, timestamp = _recorded(db_url, job, root)
        files = _autograded_files(root, job) if ok else ()
        notes = _notes(job, course_dir, {f[0]: f[1] for f in files}, _cell_timeout(course_dir)) \
            if ok else []
        return StudentOutcome(job.student_id, ok, notebooks, files, timestamp, tuple(notes),
                              "" if ok else _why_not_graded(log, root, job), seconds, _worker_name(), log=log)
    finally:
        shutil.rmtree(root, ignore_errors=True)
