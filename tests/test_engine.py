"""The grading engine against serial ``nbgrader autograde``, on a Dask cluster, on PostgreSQL.

One small mixed class (a full answer, a typical mistake, a kernel that dies, a file that is not
JSON) is prepared once; serial ``nbgrader autograde`` grades one copy of it, ``catvnoncat grade``
with two local workers another, and the assertions share those two runs. A real Dask scheduler
with two worker processes and a real PostgreSQL server (started as the ``postgres`` user on a
free loopback port) each grade two of the students; every server is stopped by its PID.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from catvnoncat import course, demo, report
from catvnoncat.data import REPO_ROOT
from catvnoncat.engine import gradebook as engine_gradebook
from catvnoncat.steps import tail
from catvnoncat.engine.executors import dask_executor, local_executor
from catvnoncat.engine.jobs import GradeJob, course_fingerprint
from catvnoncat.engine.run import grade_class
from catvnoncat.engine.worker import grade_one
from catvnoncat.facts import COURSE_DIR_ENV, course_config
from support import course_run

ASSIGNMENT = course.ASSIGNMENT
NOTEBOOK = course.NOTEBOOK_NAME
MIXED_CLASS = ["reference", "forgets_m", "kernel_dies", "not_json"]
SMALL_CLASS = ["reference", "forgets_m"]
BIN = course_run.VENV_BIN


def _env(**extra):
    return course_run.nbgrader_env(**extra)  # nbgrader runs alembic from the venv's bin/


def _nbgrader(root, *args, **env):
    return course_run.run_nbgrader(args, root, **env)


def _prepared_course(tmp_path, students=MIXED_CLASS, **env):
    """A course folder with the assignment generated and ``students`` submitted."""
    root = course_run.scratch_course(tmp_path / "course")
    result = _nbgrader(root, "generate_assignment", ASSIGNMENT, "--force", **env)
    assert result.returncode == 0, result.stderr[-2000:]
    materials = demo.Materials(
        course.read_notebook(root / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"),
        course.solution_sources(course.read_notebook(root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")))
    by_id = {s.id: s for s in demo.DEMO_CLASS}
    for student_id in students:
        folder = root / "submitted" / student_id / ASSIGNMENT
        folder.mkdir(parents=True)
        content = by_id[student_id].build(materials)
        path = folder / f"{NOTEBOOK}.ipynb"
        path.write_bytes(content) if isinstance(content, bytes) else nbformat.write(content, path)
        (folder / "timestamp.txt").write_text("2026-01-15 12:00:00.000000 UTC\n")
    return root


def _copy(root, dest):
    shutil.copytree(root, dest, symlinks=True)
    return dest


def gradebook_rows(db_url, course_id):
    """Everything autograde records, keyed by student and cell name (row ids are random)."""
    rows = {}
    with Gradebook(db_url, course_id) as gb:
        for submission in gb.find_assignment(ASSIGNMENT).submissions:
            student = submission.student.id
            rows[(student, "timestamp")] = submission.timestamp
            for nb in submission.notebooks:
                rows[(student, nb.name, "late penalty")] = nb.late_submission_penalty
                for g in nb.grades:
                    rows[(student, g.name)] = (g.auto_score, g.manual_score, g.needs_manual_grade,
                                               g.extra_credit)
                for c in nb.comments:
                    rows[(student, c.name, "comment")] = (c.auto_comment, c.manual_comment)
    return rows


def _sqlite_rows(root):
    return gradebook_rows(f"sqlite:///{root / 'gradebook.db'}", course.course_id(root))


# What differs between two runs of the same notebook, even two serial ones: nbclient's
# wall-clock timing metadata and the timings the vectorization demo cell prints.
_TIMINGS = re.compile(r" *\d+(\.\d+)?(?= ms)|(?<=about )\d+(?= times)")  # (with the padding)


def _comparable(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        cell["metadata"].pop("execution", None)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = _TIMINGS.sub("#", "".join(output["text"]))
    return nb


def _autograded(root, students):
    files = {}
    for student in students:
        folder = root / "autograded" / student / ASSIGNMENT
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_dir():  # (the quiz/ folder released with the notebook)
                continue
            key = (student, str(path.relative_to(folder)), path.stat().st_mode & 0o777)
            files[key] = _comparable(path) if path.suffix == ".ipynb" else path.read_bytes()
    return files


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The mixed class graded twice: serial ``nbgrader autograde``, then ``grade --workers 2``."""
    base = _prepared_course(tmp_path_factory.mktemp("engine"))
    serial = _copy(base, base.parent / "serial")
    started = time.perf_counter()
    result = _nbgrader(serial, "autograde", ASSIGNMENT)
    serial_seconds = time.perf_counter() - started
    assert result.returncode == 1  # the file that is not JSON
    parallel = _copy(base, base.parent / "parallel")
    with local_executor(2, parallel) as executor:
        run = grade_class(parallel, executor, ASSIGNMENT, progress=False, say=lambda _: None)
    print(f"serial nbgrader autograde: {serial_seconds:.0f} s; grade --workers 2: {run.seconds:.0f} s")
    return base, serial, parallel, run


def test_grades_rows_and_notebooks_identical_to_serial_nbgrader(graded):
    _, serial, parallel, _ = graded
    serial_rows = _sqlite_rows(serial)
    assert serial_rows == _sqlite_rows(parallel)
    assert {key[0] for key in serial_rows} == set(MIXED_CLASS)
    assert _autograded(serial, MIXED_CLASS) == _autograded(parallel, MIXED_CLASS)
    assert (parallel / "autograded" / "reference" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()
    assert not (parallel / "autograded" / "not_json" / ASSIGNMENT).exists()


def test_students_autograde_created_are_listed_by_their_id_not_none(graded):
    """nbgrader autograde creates an unknown student with no name ("None, None" in the
    formgrader); each gets its id as last name (serial nbgrader: those it could read)."""
    _, serial, parallel, _ = graded
    for root, unnamed in ((serial, {"not_json"}), (parallel, set())):
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course.course_id(root)) as gb:
            names = {s.id: (s.last_name, s.first_name) for s in gb.students}
        assert set(names) == set(MIXED_CLASS)
        for student, name in names.items():
            if student not in unnamed:
                assert name == (student, ""), (root.name, student, name)


def test_summary_names_who_was_not_graded_and_why(graded):
    run = graded[3]
    assert set(run.outcomes) == set(MIXED_CLASS)
    assert run.not_graded.keys() == {"not_json"}
    assert "not valid JSON" in run.not_graded["not_json"]
    assert run.exit_status == 1
    assert "not graded: not_json" in run.summary()
    assert any("kernel died in test_predict" in n for n in run.outcomes["kernel_dies"].notes)
    assert run.outcomes["reference"].notes == ()


def test_second_run_skips_graded_submissions_and_changes_nothing(graded):
    _, _, parallel, _ = graded
    before = _sqlite_rows(parallel)
    with local_executor(1, parallel) as executor:
        again = grade_class(parallel, executor, ASSIGNMENT, progress=False, say=lambda _: None)
    # not_json has no autograded folder (as after nbgrader), so it is tried again.
    assert sorted(again.skipped) == sorted(set(MIXED_CLASS) - {"not_json"})
    assert set(again.outcomes) == {"not_json"}
    assert _sqlite_rows(parallel) == before


def test_a_worker_with_another_course_refuses_the_job(graded, monkeypatch):
    base = graded[0]
    job = GradeJob(ASSIGNMENT, "reference", (), (), "catvnoncat",
                   course_fingerprint(base, ASSIGNMENT))
    monkeypatch.setenv(COURSE_DIR_ENV, str(base))
    outcome = grade_one(replace(job, fingerprint="0" * 64))
    assert outcome.fatal and not outcome.graded and "differs" in outcome.error


# ------------------------------------------------------------------------------------------------
# The cells after the last test are not re-run
# ------------------------------------------------------------------------------------------------
def test_no_grade_can_depend_on_a_tail_cell():
    """Why skipping the tail cannot change a grade: nbgrader scores grade cells only, every
    graded cell of the notebook comes before the tail, the tail holds no nbgrader cell, and the
    judge children (the only processes whose state reaches a verdict) never run a skipped cell."""
    nb = course.read_notebook(course.SOURCE_NOTEBOOK)
    tail_indices = tail.tail_cells(nb)
    assert tail_indices, "sections 5-7 train and plot after the last test"
    graded_code = [i for i, c in enumerate(nb.cells)
                   if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    assert max(graded_code) < min(tail_indices)
    assert all(not nb.cells[i].metadata.get("nbgrader") for i in tail_indices)
    # The manual answer after the tail is markdown: it is never executed either way.
    later = [c for c in nb.cells[min(tail_indices):] if c.metadata.get("nbgrader", {}).get("grade")]
    assert all(c.cell_type == "markdown" for c in later)
    import inspect

    from catvnoncat.judge import child_prober
    assert '"skip-execution" not in' in inspect.getsource(child_prober._runs)


def test_tail_cells_keep_the_students_outputs_marked_not_rerun(graded):
    _, _, parallel, _ = graded
    nb = course.read_notebook(parallel / "autograded" / "reference" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    for index in tail.tail_cells(nb):
        outputs = nb.cells[index].outputs
        assert outputs == [] or outputs[0].text == tail.NOT_RERUN_NOTE
        assert tail.STASH_KEY not in nb.cells[index].metadata
    assert all(tail.STASH_KEY not in c.metadata for c in nb.cells)


def test_stash_and_restore_keep_sanitizable_student_outputs():
    nb = course.read_notebook(course.RELEASE_NOTEBOOK)
    last = tail.tail_cells(nb)[-1]
    html = {"output_type": "display_data", "metadata": {},
            "data": {"text/html": "<script>alert(1)</script><b>cat</b>"}}
    nb.cells[last].outputs = [nbformat.from_dict(html)]
    nb.cells[0].metadata[tail.STASH_KEY] = {"outputs": ["forged"]}  # not trusted
    nb, _ = tail.StashTailOutputs().preprocess(nb, {})
    assert tail.STASH_KEY not in nb.cells[0].metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []  # ClearOutput
    nb, _ = tail.KeepTailOutputs().preprocess(nb, {})
    cell = nb.cells[last]
    assert "skip-execution" in cell.metadata.tags
    assert cell.outputs[1]["data"]["text/html"].startswith("<script>")  # SanitizeHTML comes later
    # A cell the student never ran has no output, so no note about "the output below" either.
    unrun = [i for i in tail.tail_cells(nb) if i != last]
    assert unrun and all(nb.cells[i].outputs == [] for i in unrun)
    from catvnoncat.facts import course_config

    steps = course_config(REPO_ROOT).Autograde.autograde_preprocessors
    names = [s.__name__ for s in steps]
    assert names.index("KeepTailOutputs") < names.index("ExecuteWithJudge") < names.index("SanitizeHTML")


# ------------------------------------------------------------------------------------------------
# Dask: a real scheduler and two worker processes on 127.0.0.1
# ------------------------------------------------------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        os.kill(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def _dask_cluster(course_dir, workers):
    """A Dask scheduler and ``workers`` worker processes (each under its nanny, which restarts
    it) on 127.0.0.1, started from ``course_dir`` as on another machine; yields the executor
    and the ``dask worker`` processes."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = _env(DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
    processes = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                                   "--port", str(port), "--no-dashboard"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(3)
        for _ in range(workers):
            processes.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--host", "127.0.0.1"], cwd=course_dir, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with dask_executor(address) as executor:
            deadline = time.time() + 60
            while len(executor.executor._client.scheduler_info()["workers"]) < workers:
                assert time.time() < deadline, "the Dask workers did not start"
                time.sleep(0.5)
            yield executor, processes[1:]
    finally:
        for process in reversed(processes):
            _stop(process)


def test_dask_cluster_grades_like_serial_nbgrader(graded, tmp_path):
    base, serial, _, _ = graded
    cluster = _copy(base, tmp_path / "dask")
    with _dask_cluster(cluster, 2) as (executor, _):
        run = grade_class(cluster, executor, ASSIGNMENT, students=SMALL_CLASS,
                          progress=False, say=lambda _: None)
    assert run.not_graded == {}
    workers = {o.worker for o in run.outcomes.values()}
    assert all(w.split(":")[-1].isdigit() for w in workers)
    expected = {k: v for k, v in _sqlite_rows(serial).items() if k[0] in SMALL_CLASS}
    assert _sqlite_rows(cluster) == expected
    assert _autograded(cluster, SMALL_CLASS) == _autograded(serial, SMALL_CLASS)


def test_dask_job_whose_worker_dies_is_sent_again(graded, tmp_path):
    """Dask reports KilledWorker for a task whose worker died (allowed-failures 0); the
    engine sends it once more, to the worker the nanny restarted."""
    import threading

    import psutil

    base, serial, _, _ = graded
    cluster = _copy(base, tmp_path / "dask")
    killed, stop = [], threading.Event()

    def kill_worker_under_a_kernel(nanny):
        while not killed and not stop.is_set():
            try:
                for worker in nanny.children():  # the worker process, grading
                    if any(c.name() == "bwrap" for c in worker.children(recursive=True)):
                        worker.kill()  # as the OOM killer would; the nanny starts a new one
                        killed.append(worker.pid)
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.05)

    with _dask_cluster(cluster, 1) as (executor, (launcher,)):
        threading.Thread(target=kill_worker_under_a_kernel, args=(psutil.Process(launcher.pid),),
                         daemon=True).start()
        try:
            run = grade_class(cluster, executor, ASSIGNMENT, students=["reference"],
                              progress=False, say=lambda _: None)
        finally:
            stop.set()
    assert len(killed) == 1
    assert run.not_graded == {}
    expected = {k: v for k, v in _sqlite_rows(serial).items() if k[0] == "reference"}
    assert _sqlite_rows(cluster) == expected


# ------------------------------------------------------------------------------------------------
# PostgreSQL: a real server, the whole cycle
# ------------------------------------------------------------------------------------------------
def _postgres_bin():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not found:
        pytest.skip("PostgreSQL is not installed (make test installs the Debian package "
                    "`postgresql` when run as root)")
    return found[-1].parent


@pytest.fixture
def postgres_url():
    """A throwaway PostgreSQL server on 127.0.0.1 (as the ``postgres`` user when run as root)."""
    bindir = _postgres_bin()
    data = Path(tempfile.mkdtemp(prefix="catvnoncat-pg-"))
    as_user = []
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
        as_user = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data / "db"), "-U", "grader",
                    "--auth=trust", "-E", "UTF8"], check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([*as_user, str(bindir / "postgres"), "-D", str(data / "db"),
                               "-h", "127.0.0.1", "-p", str(port), "-k", str(data)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import psycopg

        deadline = time.time() + 30
        while True:
            try:
                with psycopg.connect(f"postgresql://grader@127.0.0.1:{port}/postgres",
                                     autocommit=True) as db:
                    db.execute("CREATE DATABASE gradebook")
                break
            except psycopg.OperationalError:
                assert time.time() < deadline and server.poll() is None, "PostgreSQL did not start"
                time.sleep(0.3)
        yield f"postgresql://grader@127.0.0.1:{port}/gradebook"
    finally:
        _stop(server, signal.SIGINT)  # fast shutdown
        shutil.rmtree(data, ignore_errors=True)


def test_whole_cycle_on_postgresql(tmp_path, postgres_url, monkeypatch):
    monkeypatch.setenv(course.GRADEBOOK_ENV, postgres_url)
    root = _prepared_course(tmp_path, students=SMALL_CLASS, **{course.GRADEBOOK_ENV: postgres_url})
    cfg = course_config(root).CourseDirectory
    assert cfg.db_url.startswith("postgresql")
    with local_executor(2, root) as executor:
        run = grade_class(root, executor, ASSIGNMENT, progress=False, say=lambda _: None)
    assert run.not_graded == {}
    rows = gradebook_rows(cfg.db_url, cfg.course_id)
    assert rows[("reference", "test_model")][0] == 15.0
    assert rows[("forgets_m", "test_propagate")][0] == 0.0
    assert not (root / "gradebook.db").exists()
    for args in (["generate_feedback", ASSIGNMENT], ["export"]):
        result = _nbgrader(root, *args)
        assert result.returncode == 0, result.stderr[-2000:]
    assert (root / "feedback" / "forgets_m" / ASSIGNMENT / f"{NOTEBOOK}.html").is_file()
    assert "forgets_m" in (root / "grades.csv").read_text()
    grades, (png, md) = report.run(root, assignment=ASSIGNMENT)
    assert sorted(grades.students) == sorted(SMALL_CLASS) and png.is_file()
    # The formgrader reads the same database through nbgrader's API.
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = course_config(root)
    config.CourseDirectory.root = str(root)
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    submissions = {s["student"]: s for s in api.get_submissions(ASSIGNMENT)}
    assert submissions["reference"]["score"] == 95.0
    assert engine_gradebook.graded_students(cfg.db_url, cfg.course_id, ASSIGNMENT) == set(SMALL_CLASS)


# ------------------------------------------------------------------------------------------------
# A worker that dies under a job; a submission past its wall-clock limit
# ------------------------------------------------------------------------------------------------
def _kill_workers_while_grading(executor, kills, stop):
    """SIGKILL the local worker as soon as it has started a kernel, ``kills`` times (as the
    kernel OOM killer would); returns the list of pids killed, filled in as it goes."""
    import threading

    import psutil

    killed = []

    def watch():
        while len(killed) < kills and not stop.is_set():
            for pid in list(getattr(executor.executor, "_processes", None) or {}):
                try:
                    children = psutil.Process(pid).children(recursive=True)
                except psutil.NoSuchProcess:
                    continue
                if pid not in killed and any("bwrap" in c.name() for c in children):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.05)

    threading.Thread(target=watch, daemon=True).start()
    return killed


@pytest.fixture(scope="module")
def one_student_course(tmp_path_factory):
    return _prepared_course(tmp_path_factory.mktemp("one"), students=["reference"])


@pytest.mark.parametrize("kills", [1, 2])
def test_a_job_whose_worker_dies_is_retried_once_then_not_graded(one_student_course, tmp_path,
                                                                 kills):
    import threading

    import psutil

    root = _copy(one_student_course, tmp_path / "course")
    stop = threading.Event()
    with local_executor(1, root) as executor:
        killed = _kill_workers_while_grading(executor, kills, stop)
        try:
            run = grade_class(root, executor, ASSIGNMENT, progress=False, say=lambda _: None)
        finally:
            stop.set()
    assert len(killed) == kills
    for pid in killed:  # the kernels went with their worker
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    leftovers = [p for p in psutil.process_iter(["cmdline"])
                 if str(root) in " ".join(p.info["cmdline"] or [])]
    assert leftovers == []
    if kills == 1:
        assert run.not_graded == {}
        assert _sqlite_rows(root)[("reference", "test_model")][0] == 15.0
        # The killed worker ran no exit hook; the worker after it removed its scratch folder.
        assert not (Path(tempfile.gettempdir()) / f"catvnoncat-grade-{killed[0]}").exists()
    else:
        assert "its worker died twice" in run.not_graded["reference"]
        assert run.exit_status == 1
        assert not (root / "autograded" / "reference" / ASSIGNMENT).exists()
        # As after nbgrader's own failed autograde: the submission is listed, with no score.
        assert _sqlite_rows(root).get(("reference", "test_model"), (None,))[0] is None


def test_a_submission_past_its_wall_clock_limit_is_stopped_and_not_graded(one_student_course,
                                                                          tmp_path):
    import psutil

    root = _copy(one_student_course, tmp_path / "course")
    # One second: less than the kernel starts and the first probes take on any machine.
    with local_executor(1, root) as executor:
        run = grade_class(root, executor, ASSIGNMENT, time_limit=1.0, progress=False,
                          say=lambda _: None)
        workers = list(executor.executor._processes)
        kernels = [c for pid in workers for c in psutil.Process(pid).children(recursive=True)]
    assert "wall-clock limit" in run.not_graded["reference"], run.not_graded
    assert kernels == []  # stopped, while the worker lives on for the next student
    assert not (root / "autograded" / "reference" / ASSIGNMENT).exists()
    # As after nbgrader's own failed autograde: the submission is listed, with no score.
    assert _sqlite_rows(root).get(("reference", "test_model"), (None,))[0] is None


# ------------------------------------------------------------------------------------------------
# The command line, as an instructor runs it from the course folder
# ------------------------------------------------------------------------------------------------
def _grade_command(root, *args):
    return subprocess.run([sys.executable, "-m", "catvnoncat", "grade", *args], cwd=root,
                          env=_env(), capture_output=True, text=True)


@pytest.mark.slow
def test_grade_command_prints_a_line_per_student_a_summary_and_its_exit_status(tmp_path):
    root = _prepared_course(tmp_path, students=["reference", "deleted_test", "not_json"])
    first = _grade_command(root, "--workers", "2")
    assert first.returncode == 1, first.stderr[-2000:]
    out = first.stdout
    assert re.search(r"\[graded\] reference +95/100", out), out
    assert "deleted test cell" in out  # deleted_test: put back by nbgrader, said per student
    assert "[FAILED] not_json" in out and "not valid JSON" in out
    assert "2 graded, 1 not graded, 0 already graded" in out
    # Nothing but the progress bar on stderr: no warning, no traceback (a notebook nbgrader
    # put a cell back into has a cell without id, which nbformat would warn about).
    assert "Warning" not in first.stderr and "Traceback" not in first.stderr, first.stderr[-2000:]
    again = _grade_command(root, "--student", "reference")
    assert again.returncode == 0 and "0 graded, 0 not graded, 1 already graded" in again.stdout
    forced = _grade_command(root, "--student", "reference", "--force")
    assert forced.returncode == 0 and "1 graded, 0 not graded, 0 already graded" in forced.stdout
    elsewhere = _grade_command(tmp_path)
    assert elsewhere.returncode == 2 and "has no nbgrader_config.py" in elsewhere.stderr
