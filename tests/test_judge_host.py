"""The judge host and its children: isolation between probes, limits, the prefix rule.

Real sandboxes (bubblewrap) are started: one judge host per module, a child per test.
"""

import os
import shutil
import struct
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from catvnoncat import course
from catvnoncat.judge.child_prober import CellInterrupted, ChildProber, prefix_cells
from catvnoncat.judge.prober import InProcessProber, KernelDied, KernelUnresponsive, ProbeFailed
from catvnoncat.judge.session import assignment_order
from catvnoncat.sandbox import seccomp
from catvnoncat.sandbox.host import JudgeHost, descendants
from catvnoncat.sandbox.policy import SandboxPolicy, bwrap_argv, check_bubblewrap, host_links, \
    kernel_env

REPO = Path(__file__).resolve().parents[1]
needs_bwrap = pytest.mark.skipif(check_bubblewrap() is not None, reason="no bubblewrap here")


# -- the prefix rule ---------------------------------------------------------------------------
def _ids(cells, indices):
    return [cells[i].metadata.get("nbgrader", {}).get("grade_id", cells[i].get("id"))
            for i in indices]


@pytest.fixture(scope="module")
def source_cells():
    return course.read_notebook(course.SOURCE_NOTEBOOK).cells


def _runs(cell):
    nbgrader = cell.metadata.get("nbgrader", {})
    return (cell.cell_type == "code" and cell.source.strip()
            and not (nbgrader.get("grade") and not nbgrader.get("solution")))


def test_in_place_test_cells_run_exactly_the_cells_before_them(source_cells):
    order = assignment_order()
    for index, cell in enumerate(source_cells):
        test_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if dict(order).get(test_id) != "test":
            continue
        expected = [i for i in range(index) if _runs(source_cells[i])]
        assert prefix_cells(source_cells, test_id, order) == expected, test_id


def _moved(cells, grade_id, to):
    cells = list(cells)
    cell = next(c for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cells.remove(cell)
    cells.insert(to, cell)
    return cells


def test_a_moved_test_cell_runs_the_assignments_prefix(source_cells):
    from catvnoncat.steps.tail import tail_cells

    order = assignment_order()
    source_cells = [nbformat.from_dict(c) for c in source_cells]
    for index in tail_cells(nbformat.v4.new_notebook(cells=source_cells)):
        source_cells[index].metadata["tags"] = ["skip-execution"]  # as KeepTailOutputs does
    in_place = {t: _ids(source_cells, prefix_cells(source_cells, t, order))
                for t, kind in order if kind == "test"}

    def at(cells, grade_id):
        return next(i for i, c in enumerate(cells)
                    if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)

    # test_model first, test_sigmoid after the model cell, test_propagate right after sigmoid
    cells = _moved(source_cells, "test_model", 0)
    cells = _moved(cells, "test_sigmoid", at(cells, "model") + 1)
    cells = _moved(cells, "test_propagate", at(cells, "sigmoid") + 1)
    for test_id in ("test_model", "test_sigmoid", "test_propagate"):
        assert _ids(cells, prefix_cells(cells, test_id, order)) == in_place[test_id], test_id
    assert "model" in in_place["test_model"] and "propagate" not in in_place["test_sigmoid"]
    # Moved out of its place, a test runs every cell before the next solution cell.
    cells = _moved(source_cells, "test_predict", at(source_cells, "sigmoid") + 1)
    moved = _ids(cells, prefix_cells(cells, "test_predict", order))
    assert moved[-2:] == ["predict", "accuracy"] and "model" not in moved


def test_tail_and_test_cells_are_never_run_before_a_test(source_cells):
    order = assignment_order()
    cells = [nbformat.from_dict(c) for c in source_cells]
    last = len(cells) - 1
    while cells[last].cell_type != "code":
        last -= 1
    cells[last].metadata["tags"] = ["skip-execution"]
    chosen = prefix_cells(cells, "test_model", order)
    assert last not in chosen
    assert not any(cells[i].metadata.get("nbgrader", {}).get("grade")
                   and not cells[i].metadata["nbgrader"].get("solution") for i in chosen)


# -- seccomp -----------------------------------------------------------------------------------
def test_filters_are_bpf_programs_that_check_the_architecture():
    for program in (seccomp.no_file_locks(), seccomp.no_user_namespaces()):
        assert len(program) % 8 == 0 and 0 < len(program) // 8 < 4096
        code, _, _, k = struct.unpack_from("=HBBI", program, 0)
        assert (code, k) == (0x20, 4)  # first: load seccomp_data.arch
        arches = {struct.unpack_from("=HBBI", program, 8 * i)[3] for i in (1, 2)}
        assert arches == {0xC000003E, 0xC00000B7}


FLOCK = """
import errno, fcntl, os, json
f = open("/usr/bin/env", "rb")
result = {}
for name, call in (("flock", lambda: fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)),
                   ("lockf", lambda: fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB)),
                   ("ofd", lambda: fcntl.fcntl(f, 37, bytes(32))),
                   ("getfl", lambda: fcntl.fcntl(f, fcntl.F_GETFL))):
    try:
        call()
        result[name] = "ok"
    except OSError as error:
        result[name] = errno.errorcode[error.errno]
print(json.dumps(result))
"""


@needs_bwrap
def test_flock_on_a_read_only_system_file_fails_in_the_sandbox(tmp_path):
    from catvnoncat.sandbox.provisioner import write_seccomp_filter

    folder = tmp_path / "box"
    folder.mkdir()
    os.chmod(folder, 0o777)
    policy = SandboxPolicy()
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
    argv = bwrap_argv(policy, [python, "-c", FLOCK], scratch_source=str(folder), runtime_dir=None,
                      connection_file=None, env=kernel_env(policy, {}, path="/usr/bin:/bin",
                                                           data_dir=None),
                      host_links=host_links(), bwrap=shutil.which("bwrap"),
                      prlimit=shutil.which("prlimit"),
                      seccomp_file=write_seccomp_filter(str(folder)))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ('{"flock": "ENOLCK", "lockf": "ENOLCK", "ofd": "ENOLCK", '
                                   '"getfl": "ok"}')


# -- judge children ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def host(tmp_path_factory):
    from support.judge_host import start_judge_host

    judge_host = start_judge_host(tmp_path_factory.mktemp("submission"), frame_cap=1 << 20)
    yield judge_host
    judge_host.close()


def _child(host, timeout=10):
    return ChildProber(host.spawn(), timeout=timeout, grace=2)


def _value(prober, name):
    outcome = prober.look(name)
    assert not outcome.missing, name
    return outcome.value


def _plain(observation):
    from catvnoncat.judge.prober import _plain as plain

    if getattr(observation, "type", "") == "builtins.str":  # strings travel as their repr
        import ast
        import json

        return json.loads(ast.literal_eval(observation.text))
    return plain(observation)


LEAVE_TRACES = """
import os, glob, json
from multiprocessing import shared_memory
_shm = shared_memory.SharedMemory(name="oracle", create=True, size=64)
_shm.buf[:5] = b"trace"
open("/tmp/oracle.txt", "w").write("trace")
open("logistic_regression.ipynb", "a").write("trace")
open("/tmp/home/trace", "w").write("trace")
"""

LOOK_AROUND = """
import os, glob, hashlib, json
seen = json.dumps({
    "tmp": sorted(glob.glob("/tmp/*")),
    "shm": sorted(os.listdir("/dev/shm")),
    "home": sorted(os.listdir("/tmp/home")),
    "notebook": hashlib.sha256(open("logistic_regression.ipynb", "rb").read()).hexdigest(),
    "pid": os.getpid(),
})
"""


@needs_bwrap
def test_a_child_starts_with_a_pristine_scratch_folder_and_empty_tmp_and_shm(host):
    first = _child(host)
    try:
        first.run_cell(LOOK_AROUND, 10)
        before = _plain(_value(first, "seen"))
        first.run_cell(LEAVE_TRACES, 10)
        first.run_cell(LOOK_AROUND, 10)
        dirty = _plain(_value(first, "seen"))
    finally:
        first.close()
    assert "oracle" in dirty["shm"] and "/tmp/oracle.txt" in dirty["tmp"]
    assert dirty["notebook"] != before["notebook"]
    second = _child(host)
    try:
        second.run_cell(LOOK_AROUND, 10)
        after = _plain(_value(second, "seen"))
    finally:
        second.close()
    assert after == before
    assert after["tmp"] == ["/tmp/home", "/tmp/work"] and after["shm"] == []
    assert after["pid"] == 1


@needs_bwrap
def test_a_child_cannot_reach_the_host_or_the_grader(host, capfd):
    prober = _child(host)
    try:
        prober.run_cell("import os, signal\n"
                        "fds = sorted(int(f) for f in os.listdir('/proc/self/fd'))\n"
                        "os.write(1, b'CHILD-STDOUT'); os.write(2, b'CHILD-STDERR')\n"
                        "print('CHILD-PRINT')\n"
                        "try:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass\n", 10)
    except KernelDied:
        pass  # kill(-1) reached its own namespace: its pid 1 is gone
    finally:
        prober.close()
    out, err = capfd.readouterr()
    assert "CHILD-" not in out + err
    assert host.process.poll() is None
    probe = _child(host)
    try:
        probe.run_cell("import os\nfds = sorted(int(f) for f in os.listdir('/proc/self/fd'))", 10)
        fds = _plain(_value(probe, "fds"))
    finally:
        probe.close()
    assert len(fds) <= 5  # 0, 1, 2 (/dev/null), the channel, the listing itself


@needs_bwrap
def test_nothing_a_child_starts_outlives_it(host):
    prober = _child(host)
    prober.run_cell("import os, time\nfor _ in range(5):\n    if os.fork() == 0:\n"
                    "        os.setsid()\n        time.sleep(600)\n        os._exit(0)", 10)
    child_pid = prober.child.pid
    assert len(descendants(child_pid)) >= 6
    prober.close()
    assert descendants(child_pid) == [] and descendants(host.host_pid) == []


@needs_bwrap
def test_a_slow_cell_is_interrupted_and_the_next_one_runs(host):
    prober = _child(host)
    try:
        with pytest.raises(CellInterrupted):
            prober.run_cell("x = 0\nwhile True:\n    x += 1", 1)
        prober.run_cell("after = 42", 5)
        assert _plain(_value(prober, "after")) == 42
    finally:
        prober.close()


@needs_bwrap
def test_a_cell_that_ignores_interrupts_is_killed(host):
    prober = _child(host)
    start = time.monotonic()
    with pytest.raises(KernelUnresponsive):
        prober.run_cell("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                        "while True:\n    pass", 1)
    assert time.monotonic() - start < 10
    assert prober.child.ended
    prober.close()


@needs_bwrap
def test_an_answer_over_the_frame_cap_fails_that_probe(host):
    prober = _child(host)
    try:
        prober.run_cell("import numpy as np\nbig = [np.ones(1 << 14) for _ in range(20)]", 5)
        with pytest.raises(ProbeFailed):  # 20 arrays of 128 kB, in base64: over the 1 MB cap
            prober.look("big")
    finally:
        prober.close()
    assert host.process.poll() is None


@needs_bwrap
def test_cpu_ns_counts_the_childs_work_from_outside(host):
    prober = _child(host)
    try:
        before = prober.cpu_ns()
        prober.run_cell("import os\nif os.fork() == 0:\n    sum(range(3_000_000))\n"
                        "    os._exit(0)\nos.wait()\nsum(range(3_000_000))", 20)
        spent = prober.cpu_ns() - before
    finally:
        prober.close()
    assert spent > 50_000_000  # two loops of 3 million additions: well over 50 ms


def test_in_process_prober_cpu_ns_is_this_process_time():
    prober = InProcessProber({})
    before = prober.cpu_ns()
    sum(range(2_000_000))
    assert prober.cpu_ns() > before


# -- our own failures are never the student's ------------------------------------------------
class _Log:
    def __init__(self):
        self.lines = []

    def warning(self, *args):
        self.lines.append(args[0] % args[1:])

    debug = warning


def _session(host_folder, **options):
    from catvnoncat.judge.session import JudgeSession

    config = Config({"BubblewrapProvisioner": {"data_dir": str(REPO / "datasets")}})
    return JudgeSession(config, str(host_folder), cell_timeout=20, probe_timeout=20, grace=5,
                        log=_Log(), **options)


def _judge_sigmoid(cells, session):
    from catvnoncat import judge

    return session.judge_cell(cells, "test_sigmoid", assignment_order(),
                              lambda prober, sources: judge.judge("test_sigmoid", prober, sources))


@needs_bwrap
def test_a_host_that_dies_is_replaced_once_and_the_cell_is_judged(tmp_path):
    import signal

    for f in (REPO / "source" / "logistic_regression").iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    cells = course.reference_submission().cells
    session = _session(tmp_path)
    try:
        assert _judge_sigmoid(cells, session).verdict.passed
        first = session.host.host_pid
        os.kill(first, signal.SIGKILL)
        judged = _judge_sigmoid(cells, session)
        assert judged.verdict.passed and session.host.host_pid != first
        assert any("attempt 1" in line for line in session.log.lines)
    finally:
        session.close()


@needs_bwrap
def test_a_host_that_never_starts_is_an_error_of_the_grader_not_a_score(tmp_path):
    from catvnoncat.judge.session import JudgeMachineryError

    session = _session(tmp_path, startup_timeout=0.001)
    try:
        with pytest.raises(JudgeMachineryError, match="not graded"):
            _judge_sigmoid(course.reference_submission().cells, session)
    finally:
        session.close()


@needs_bwrap
def test_a_child_cannot_make_user_namespaces_or_keep_keys(host):
    prober = _child(host)
    try:
        prober.run_cell(
            "import ctypes, errno, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "libc.unshare(0x10000000)\nuserns = errno.errorcode[ctypes.get_errno()]\n"
            "import platform\nKEYCTL = {'x86_64': 250, 'aarch64': 219}[platform.machine()]\n"
            "libc.syscall(KEYCTL, 0, -4, 0)\nkeys = errno.errorcode[ctypes.get_errno()]\n"
            "import subprocess\nforked = subprocess.run(['/bin/true']).returncode\n"
            "result = [userns, keys, forked]", 10)
        result = _value(prober, "result")
    finally:
        prober.close()
    assert [getattr(item, "text", None) or _plain(item) for item in result.items] == \
        ["'EPERM'", "'EPERM'", 0]


# -- a tree bound inside /tmp (e.g. a Python environment under /tmp, as on the hub test) -------
KEPT_MODULE = "VALUE = 'from the kept tree'\n"


def _host_with_a_tree_in_tmp(tmp_path, host_class=JudgeHost):
    """A judge host whose sandbox binds a folder under /tmp (the scratch a child mounts anew)."""
    assert str(tmp_path).startswith("/tmp/"), tmp_path  # pytest's default base: the temp folder
    tree = tmp_path / "lib"
    tree.mkdir(parents=True)
    (tree / "kept_module.py").write_text(KEPT_MODULE)
    submission = tmp_path / "submission"
    submission.mkdir()
    config = Config({"BubblewrapProvisioner": {"extra_ro_binds": [str(tree)]}})
    return tree, host_class(config, str(submission)).start()


@needs_bwrap
def test_a_tree_bound_inside_tmp_is_there_read_only_in_every_child(tmp_path):
    import errno

    tree, judge_host = _host_with_a_tree_in_tmp(tmp_path)
    try:
        assert judge_host.kept_in_scratch == [str(tree)]
        for _ in range(2):  # each child binds it again over its own fresh /tmp
            prober = _child(judge_host)
            try:
                prober.run_cell(
                    f"import sys\nsys.path.insert(0, {str(tree)!r})\nimport kept_module\n"
                    f"import json\nvalue = json.dumps(kept_module.VALUE)\ntry:\n"
                    f"    open({str(tree / 'written')!r}, 'w')\n    refused = 0\n"
                    f"except OSError as error:\n    refused = error.errno\n", 10)
                assert _plain(_value(prober, "value")) == "from the kept tree"
                assert _plain(_value(prober, "refused")) == errno.EROFS
            finally:
                prober.close()
        assert not (tree / "written").exists()
    finally:
        judge_host.close()


class _HostThatLosesTheTree(JudgeHost):
    """Sends its children no tree to bind again: the way the judge host was before (issue 19)."""

    def _sandboxed_command(self, command, data_dir):
        argv = super()._sandboxed_command(command, data_dir)
        self.kept_in_scratch = []
        return argv


@needs_bwrap
def test_a_child_that_lost_a_bound_tree_is_a_grader_error_not_a_score(tmp_path):
    from catvnoncat.judge.session import JudgeMachineryError, JudgeSession
    from catvnoncat.sandbox.host import HostFailed

    tree, judge_host = _host_with_a_tree_in_tmp(tmp_path, _HostThatLosesTheTree)
    try:
        with pytest.raises(HostFailed, match=f"{tree} .* not visible in the judge child"):
            judge_host.spawn()
    finally:
        judge_host.close()

    attempts = []

    class LosingSession(JudgeSession):  # each attempt gets such a host
        def _started_host(self):
            if self.host is None:
                attempts.append(tmp_path / f"attempt{len(attempts) + 1}")
                self.host = _host_with_a_tree_in_tmp(attempts[-1], _HostThatLosesTheTree)[1]
            return self.host

    session = LosingSession(Config(), str(tmp_path), cell_timeout=20, probe_timeout=20, grace=5,
                            log=_Log())
    try:
        with pytest.raises(JudgeMachineryError, match="not graded"):
            _judge_sigmoid(course.reference_submission().cells, session)
    finally:
        session.close()
    assert len(attempts) == 2 and any("not visible" in line for line in session.log.lines)
