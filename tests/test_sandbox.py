"""The grading sandbox: the pure command line, then real sandboxed kernels under attack.

Integration tests share one kernel (module fixture) started the way nbclient starts it, with
the test's own environment holding secrets. Resource attacks rely on the sandbox limits and
are also bounded here by execute timeouts, so a regression fails a test, not the machine.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

import pytest
from traitlets.config import Config

from catvnoncat.sandbox import install_kernelspec
from catvnoncat.sandbox.policy import (
    DATA_MOUNT,
    MB,
    SCRATCH,
    SUBMISSION_MOUNT,
    WORK_DIR,
    SandboxPolicy,
    bwrap_argv,
    check_bubblewrap,
    kernel_env,
)

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "datasets"
KERNEL = "catvnoncat-sandbox"


# -- bwrap_argv: pure --------------------------------------------------------------------------


def _argv(policy=None, **kw):
    env = kernel_env(
        policy or SandboxPolicy(),
        {"LANG": "C.UTF-8", "JPY_PARENT_PID": "7", "CATVNONCAT_GRADEBOOK_URL": "sqlite:///x"},
        path="/venv/bin:/usr/bin:/bin",
        data_dir=DATA_MOUNT,
    )
    args = dict(
        scratch_source="/course/autograded/s1/a1",
        runtime_dir="/tmp/rt/ipc",
        connection_file="/tmp/rt/connection.json",
        env=env,
        data_dir="/course/datasets",
    )
    args.update(kw)
    policy = policy or SandboxPolicy(ro_binds=("/venv",))
    return bwrap_argv(policy, ["/venv/bin/python", "-m", "k"], **args)


def _pairs(argv, option):
    """(source, dest) of every `option SRC DEST` in argv."""
    return [(argv[i + 1], argv[i + 2]) for i, a in enumerate(argv) if a == option]


def test_namespaces_and_session_are_all_unshared():
    argv = _argv()
    bw = argv.index("bwrap")
    for flag in ("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                 "--new-session", "--clearenv"):
        assert flag in argv[bw:]
    assert "--share-net" not in argv
    remounted = [argv[i + 1] for i, a in enumerate(argv) if a == "--remount-ro"]
    assert {"/", "/dev"} <= set(remounted)  # bwrap's own tmpfs root and /dev: no writes


def test_scratch_is_a_size_limited_tmpfs_holding_the_work_dir():
    argv = _argv(SandboxPolicy(scratch_mb=100))
    i = argv.index("/tmp") - 1
    assert argv[i - 2 : i + 2] == ["--size", str(100 * MB), "--tmpfs", "/tmp"]
    tmpfs = [argv[i + 1] for i, a in enumerate(argv) if a == "--tmpfs"]
    assert tmpfs == ["/dev/shm", "/tmp"]  # each with its --size
    assert all(argv[argv.index(t) - 3] == "--size" for t in tmpfs)
    assert argv[argv.index("--chdir") + 1] == WORK_DIR
    assert WORK_DIR.startswith("/tmp/")


def test_only_the_submission_data_python_and_runtime_are_bound_from_outside_the_system():
    argv = _argv()
    ro = dict((d, s) for s, d in _pairs(argv, "--ro-bind"))
    assert ro[SUBMISSION_MOUNT] == "/course/autograded/s1/a1"
    assert ro[DATA_MOUNT] == "/course/datasets"
    assert ro["/venv"] == "/venv"
    assert ro["/tmp/rt/connection.json"] == "/tmp/rt/connection.json"
    assert _pairs(argv, "--bind") == [("/tmp/rt/ipc", "/tmp/rt/ipc")]  # the one writable bind
    sources = {s for s, _ in _pairs(argv, "--ro-bind") + _pairs(argv, "--ro-bind-try")}
    assert not any(s == "/course" or s.startswith("/course/src") for s in sources)
    assert not any(s in ("/", "/etc", "/root", "/home", "/work") for s in sources)


def test_environment_is_an_allow_list():
    argv = _argv()
    env = dict(_pairs(argv, "--setenv"))
    assert "JPY_PARENT_PID" not in env and "CATVNONCAT_GRADEBOOK_URL" not in env
    assert env["CATVNONCAT_DATA"] == DATA_MOUNT
    assert env["PATH"] == "/venv/bin:/usr/bin:/bin"
    assert env["LANG"] == "C.UTF-8"
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "1"
    assert env["HOME"].startswith("/tmp/") and env["MPLCONFIGDIR"].startswith("/tmp/")


def test_limits_are_set_by_prlimit_before_bwrap_and_the_process_count_inside():
    argv = _argv(SandboxPolicy(memory_mb=100, max_processes=7, cpu_seconds=9, max_file_mb=3))
    limits = argv[1 : argv.index("--")]
    assert argv[0] == "prlimit"
    assert limits == [f"--as={100 * MB}", "--cpu=9:10", f"--fsize={3 * MB}", "--core=0"]
    assert argv[argv.index("--") + 1] == "bwrap"
    # Inside the user namespace, right before the kernel: its own count, nobody else's.
    inner = argv.index("prlimit", 1)
    assert argv[inner:inner + 3] == ["prlimit", "--nproc=7", "--"]
    assert argv.index("bwrap") < argv.index("-c") < inner
    # As root the kernel's own uid is limited before bwrap too.
    root_argv = _argv(SandboxPolicy(max_processes=7, uid=123456))
    assert "--nproc=7" in root_argv[root_argv.index("prlimit"):root_argv.index("bwrap")]


def test_uid_switch_and_staging_only_when_asked():
    assert "setpriv" not in _argv() and "unshare" not in _argv()
    argv = _argv(SandboxPolicy(uid=123456, ro_binds=("/root/py",)),
                 staged={"/root/py": "/tmp/rt/stage0"})
    assert argv[:5] == ["unshare", "--mount", "--propagation", "private", "--"]
    i = argv.index("setpriv")
    assert argv[i + 1 : i + 4] == ["--reuid=123456", "--regid=123456", "--clear-groups"]
    assert argv.index("setpriv") < argv.index("prlimit") < argv.index("bwrap")
    assert ("/tmp/rt/stage0", "/root/py") in _pairs(argv, "--ro-bind")


def test_kernel_command_runs_last_in_the_scratch_copy():
    argv = _argv()
    assert argv[-3:] == ["/venv/bin/python", "-m", "k"]
    script = argv[argv.index("-c") + 1]
    assert f"{SUBMISSION_MOUNT}/." in script and 'exec "$@"' in script


def test_masked_paths_get_an_empty_tmpfs_and_policy_is_frozen():
    argv = _argv(SandboxPolicy(ro_binds=("/venv",), masked=("/venv/site/catvnoncat",)))
    assert "/venv/site/catvnoncat" in [argv[i + 1] for i, a in enumerate(argv) if a == "--tmpfs"]
    with pytest.raises(AttributeError):
        SandboxPolicy().memory_mb = 1  # type: ignore[misc]


def test_missing_bwrap_message_says_how_to_install():
    message = check_bubblewrap("/nonexistent/bwrap")
    assert message is not None and "apt-get install bubblewrap" in message


# -- real kernels ------------------------------------------------------------------------------

SANDBOX_PROBLEM = check_bubblewrap()
_bwrap_works = pytest.mark.skipif(SANDBOX_PROBLEM is not None, reason=str(SANDBOX_PROBLEM))


def needs_bwrap(test):
    """A test that starts sandboxed kernels: skipped without bubblewrap, and slow."""
    return pytest.mark.slow(_bwrap_works(test))


@pytest.fixture(scope="module")
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


class Kernel:
    """A started kernel and a blocking `run(code) -> (status, stdout, ename)`."""

    def __init__(self, loop, cwd, config=None):
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager

        if KERNEL not in KernelSpecManager().find_kernel_specs():
            install_kernelspec()  # an editable install does not place data-files
        self.loop = loop
        self.km = AsyncKernelManager(kernel_name=KERNEL, config=config or Config())
        loop.run_until_complete(self.km.start_kernel(cwd=str(cwd)))
        self.kc = self.km.client()
        self.kc.start_channels()
        loop.run_until_complete(self.kc.wait_for_ready(timeout=60))
        self.runtime_dir = self.km.provisioner.runtime_dir
        self.uid = self.km.provisioner.sandbox_uid

    def run(self, code, timeout=60):
        out, self.stderr = [], []

        def hook(msg):
            if msg["msg_type"] == "stream":
                (out if msg["content"]["name"] == "stdout" else self.stderr).append(
                    msg["content"]["text"]
                )

        reply = self.loop.run_until_complete(
            self.kc.execute_interactive(code, timeout=timeout, output_hook=hook)
        )
        content = reply["content"]
        return content["status"], "".join(out), content.get("ename")

    def value(self, code, timeout=60):
        """Run code whose last line prints one JSON document; return it."""
        status, out, ename = self.run(code, timeout)
        assert status == "ok", (ename, out)
        return json.loads(out.strip().splitlines()[-1])

    def alive(self):
        return self.loop.run_until_complete(self.km.is_alive())

    def shutdown(self):
        self.kc.stop_channels()
        self.loop.run_until_complete(self.km.shutdown_kernel(now=True))


def _submission(folder):
    """A submission folder like autograded/<student>/<assignment>/."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "release" / "logistic_regression", folder, dirs_exist_ok=True)
    return folder


def _digest(folder):
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*")):
        h.update(str(f.relative_to(folder)).encode())
        if f.is_file():
            h.update(f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def secrets_in_env():
    """The grader's environment holds what must not reach a kernel."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CATVNONCAT_GRADEBOOK_URL", "postgresql://grader:secret@db/gradebook")
        mp.setenv("JPY_PARENT_PID", str(os.getpid()))
        mp.setenv("CATVNONCAT_DATA", str(DATA))
        yield


@pytest.fixture(scope="module")
def submission(tmp_path_factory):
    folder = _submission(tmp_path_factory.mktemp("autograded") / "student1" / "logistic_regression")
    return folder, _digest(folder)


@pytest.fixture(scope="module")
def kernel(loop, submission, secrets_in_env):
    k = Kernel(loop, submission[0])
    yield k
    k.shutdown()


@pytest.fixture(scope="module")
def other_kernel(loop, tmp_path_factory, secrets_in_env):
    """A second kernel, with a small CPU limit (its last test runs a busy loop)."""
    cfg = Config({"BubblewrapProvisioner": {"cpu_seconds": 3}})
    k = Kernel(loop, _submission(tmp_path_factory.mktemp("other")), cfg)
    yield k
    k.shutdown()



@needs_bwrap
def test_no_network(kernel):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    result = kernel.value(f"""
import socket, json
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3); r = "connected"
except OSError as e:
    r = type(e).__name__
print(json.dumps(r))""")
    assert result != "connected"
    with pytest.raises(socket.timeout):
        listener.accept()
    listener.close()


@needs_bwrap
def test_catvnoncat_is_not_importable(kernel):
    status, _, ename = kernel.run("import catvnoncat")
    assert (status, ename) == ("error", "ModuleNotFoundError")


@needs_bwrap
def test_course_grader_and_other_kernels_are_unreadable(kernel, other_kernel):
    paths = [REPO / "README.md", REPO / "nbgrader_config.py", REPO / "gradebook.db",
             REPO / "src" / "catvnoncat" / "reference.py", Path("/work/shared/STYLE-EXAMPLES.md"),
             Path(other_kernel.runtime_dir) / "connection.json", Path.home() / ".bashrc"]
    readable = kernel.value(f"""
import json
ok = []
for p in {[str(p) for p in paths]!r}:
    try:
        open(p, "rb").read(1); ok.append(p)
    except OSError:
        pass
print(json.dumps(ok))""")
    assert readable == []


@needs_bwrap
def test_writes_outside_the_scratch_fail(kernel, submission):
    targets = ["/x", "/run/x", "/proc/x", "/dev/x", "/dev/pts/x", "/usr/x", "/etc/x",
               f"{sys.prefix}/x", f"{DATA_MOUNT}/x", f"{SUBMISSION_MOUNT}/x",
               f"{kernel.runtime_dir}/connection.json"]
    # A checkout under /tmp (a fresh clone there) lies inside the kernel's own scratch tmpfs,
    # where a write succeeds and stays in the sandbox: the host check below covers it.
    if not REPO.is_relative_to(SCRATCH):
        targets.append(str(REPO / "x"))
    if kernel.uid is not None:  # as root the ipc folder is locked once the sockets exist
        targets.append(f"{kernel.runtime_dir}/ipc/x")
    codes = kernel.value(f"""
import json
codes = {{}}
for p in {targets!r}:
    try:
        with open(p, "w") as f: f.write("x")
        codes[p] = 0
    except OSError as e:
        codes[p] = e.errno
print(json.dumps(codes))""")
    allowed = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT}
    assert all(code in allowed for code in codes.values()), str(codes)
    assert not (REPO / "x").exists() and not Path(sys.prefix, "x").exists()


@needs_bwrap
def test_kernel_works_on_a_copy_of_its_folder(kernel, submission):
    folder, digest = submission
    seen = kernel.value("""
import os, json
names = sorted(os.listdir("."))
with open("lr_utils.py") as f: head = f.read(40)
open("lr_utils.py", "w").write("tampered"); os.remove("public_tests.py"); open("new", "w").close()
print(json.dumps([os.getcwd(), names, head]))""")
    assert seen[0] == WORK_DIR
    assert seen[1] == sorted(p.name for p in folder.iterdir())
    assert seen[2] == (folder / "lr_utils.py").read_text()[:40]
    assert _digest(folder) == digest


@needs_bwrap
def test_grader_is_out_of_reach_of_signals(kernel):
    result = kernel.value(f"""
import os, signal, json
r = {{"ppid": os.getppid()}}
for pid in ({os.getpid()}, {os.getppid()}, 1):
    try:
        os.kill(pid, signal.SIGKILL); r[str(pid)] = "sent"
    except OSError as e:
        r[str(pid)] = type(e).__name__
print(json.dumps(r))""")
    assert result["ppid"] in (0, 1)
    assert result[str(os.getpid())] == "ProcessLookupError" or os.getpid() <= 10
    assert kernel.run("1 + 1")[0] == "ok"  # pid 1 of the namespace ignores its children


@needs_bwrap
def test_secrets_in_the_grader_environment_do_not_reach_the_kernel(kernel):
    env = kernel.value("import os, json; print(json.dumps(dict(os.environ)))")
    assert "JPY_PARENT_PID" not in env and "CATVNONCAT_GRADEBOOK_URL" not in env
    assert env["CATVNONCAT_DATA"] == DATA_MOUNT
    assert not any("secret" in v for v in env.values())


@needs_bwrap
def test_no_open_file_descriptor_leads_outside(kernel):
    links = kernel.value("""
import os, json
links = []
for fd in os.listdir("/proc/self/fd"):
    try:
        if int(fd) > 2: links.append(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError: pass
print(json.dumps(links))""")
    # Beyond stdin/stdout/stderr (inherited from the grader, as for any kernel): sockets,
    # pipes, /dev and the kernel's own files only; no folder opened by the grader survives.
    # (ipykernel keeps duplicates of the stdout/stderr it inherited: the grader's own.)
    stdio = {os.readlink(f"/proc/self/fd/{fd}") for fd in (1, 2)}
    inside = ("/dev/", "/proc/", "/tmp/home/")
    assert not [x for x in links if x.startswith("/") and not x.startswith(inside)
                and x not in stdio]


@needs_bwrap
def test_sigint_from_the_provisioner_interrupts_the_cell_not_the_sandbox(kernel):
    kernel.kc.execute("import time; print('sleeping', flush=True); time.sleep(30)")
    # The signal goes once the cell runs (on a busy machine the kernel may take a while).
    deadline = time.monotonic() + 60
    while True:
        msg = kernel.loop.run_until_complete(kernel.kc.get_iopub_msg(timeout=60))
        if msg["msg_type"] == "stream" and "sleeping" in msg["content"]["text"]:
            break
        assert time.monotonic() < deadline, "the cell did not start"
    sent = time.monotonic()
    kernel.loop.run_until_complete(kernel.km.provisioner.send_signal(signal.SIGINT))
    # queued behind the interrupted cell, hence aborted by ipykernel's stop-on-error
    assert kernel.run("print(1)", timeout=40)[0] == "aborted"
    assert time.monotonic() - sent < 25  # the 30 s sleep was cut short
    assert kernel.run("print(1)")[0] == "ok" and kernel.alive()


@needs_bwrap
def test_honest_training_runs_under_the_limits(kernel):
    result = kernel.value("""
import os, json, time, h5py, numpy as np
import matplotlib.pyplot as plt
t = time.time()
with h5py.File(os.path.join(os.environ["CATVNONCAT_DATA"], "train_catvnoncat.h5"), "r") as f:
    X = np.array(f["train_set_x"]).reshape(209, -1).T / 255.0
    Y = np.array(f["train_set_y"]).reshape(1, -1)
w, b, costs = np.zeros((X.shape[0], 1)), 0.0, []
for i in range(200):
    A = 1 / (1 + np.exp(-(w.T @ X + b)))
    costs.append(float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))))
    w -= 0.005 * (X @ (A - Y).T) / 209
    b -= 0.005 * float(np.mean(A - Y))
plt.plot(costs); plt.show()
print(json.dumps([X.shape, costs[0], costs[-1], time.time() - t]))""")
    assert result[0] == [12288, 209]
    assert result[2] < result[1]
    assert kernel.stderr == []  # nbgrader scores a cell that writes to stderr 0 (fontconfig...)


@needs_bwrap
def test_memory_bomb_fails_inside_the_kernel(kernel):
    status, _, ename = kernel.run("import numpy as np; big = np.ones(6 * 2**30 // 8)")
    assert (status, ename) == ("error", "MemoryError")
    assert kernel.run("1")[0] == "ok"


@needs_bwrap
def test_fork_bomb_stops_at_max_processes(kernel):
    result = kernel.value("""
import os, json, time, signal
kids, refused = [], 0
for _ in range(300):
    try:
        pid = os.fork()
    except OSError:
        refused += 1
        continue
    if pid == 0:
        time.sleep(60); os._exit(0)
    kids.append(pid)
for pid in kids:
    os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0)
print(json.dumps([len(kids), refused]))""", timeout=60)
    assert result[0] < 64 and result[1] > 0


@needs_bwrap
def test_two_gigabyte_file_fails(kernel):
    result = kernel.value("""
import os, json
chunk, written, err = b"x" * (64 << 20), 0, None
try:
    with open("big", "wb") as f:
        for _ in range(32):
            f.write(chunk); f.flush(); written += len(chunk)
except OSError as e:
    err = e.errno
os.remove("big")
print(json.dumps([written, err]))""", timeout=60)
    assert result[1] in (errno.EFBIG, errno.ENOSPC)
    assert result[0] <= 512 * MB


@needs_bwrap
def test_busy_loop_is_stopped_by_the_cpu_limit(other_kernel):
    started = time.monotonic()
    other_kernel.kc.execute("while True: pass")  # no reply will come: the kernel is killed
    while other_kernel.alive() and time.monotonic() - started < 20:
        time.sleep(0.2)
    assert not other_kernel.alive()
    assert time.monotonic() - started < 10  # cpu_seconds=3, SIGKILL at 4 s
    # a restart (same runtime folder and uid, ipc folder reopened then locked again) works
    other_kernel.loop.run_until_complete(other_kernel.km.restart_kernel(now=True))
    other_kernel.loop.run_until_complete(other_kernel.kc.wait_for_ready(timeout=60))
    assert other_kernel.value("print(6 * 7)") == 42


def _survivors(uid, markers):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        real_uid = next(line.split()[1] for line in status.splitlines() if line.startswith("Uid:"))
        if (uid is not None and real_uid == str(uid)) or any(m in cmdline for m in markers):
            found.append((pid, cmdline))
    return found


@needs_bwrap
def test_shutdown_leaves_no_process_and_no_runtime_dir(loop, tmp_path, secrets_in_env):
    k = Kernel(loop, _submission(tmp_path / "s"))
    marker = "987654"
    k.value(f"""
import os, subprocess, json, time
subprocess.Popen(["setsid", "sleep", "{marker}"], start_new_session=True)
if os.fork() == 0:          # a double-forked daemon
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{marker}1"])
    os._exit(0)
for _ in range(3):
    if os.fork() == 0:
        time.sleep(1000); os._exit(0)
time.sleep(0.5)
print(json.dumps(1))""")
    assert _survivors(k.uid, [marker, k.runtime_dir])
    runtime_dir = k.runtime_dir
    k.shutdown()
    deadline = time.monotonic() + 5
    while _survivors(k.uid, [marker, runtime_dir]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _survivors(k.uid, [marker, runtime_dir]) == []
    assert not os.path.exists(runtime_dir)


@needs_bwrap
def test_missing_bwrap_fails_the_start_with_the_install_message(loop, tmp_path):
    from jupyter_client.manager import AsyncKernelManager

    cfg = Config({"BubblewrapProvisioner": {"bwrap_path": "/nonexistent/bwrap"}})
    km = AsyncKernelManager(kernel_name=KERNEL, config=cfg)
    with pytest.raises(RuntimeError, match="apt-get install bubblewrap"):
        loop.run_until_complete(km.start_kernel(cwd=str(tmp_path)))


@needs_bwrap
def test_allow_unsandboxed_starts_a_plain_kernel_with_a_warning(loop, tmp_path, caplog):
    from jupyter_client.manager import AsyncKernelManager

    cfg = Config({"BubblewrapProvisioner": {"bwrap_path": "/nonexistent/bwrap",
                                            "allow_unsandboxed": True}})
    km = AsyncKernelManager(kernel_name=KERNEL, config=cfg)
    km.log = logging.getLogger("test_sandbox.unsandboxed")
    with caplog.at_level(logging.WARNING, logger="test_sandbox.unsandboxed"):
        loop.run_until_complete(km.start_kernel(cwd=str(tmp_path)))
    try:
        assert "NOT sandboxed" in caplog.text
    finally:
        loop.run_until_complete(km.shutdown_kernel(now=True))


@needs_bwrap
def test_nbgrader_execute_configures_the_sandbox_and_interrupts_by_message(tmp_path):
    """nbgrader's Execute (nbclient, AsyncKernelManager) passes its config to the provisioner;
    a cell over the time limit is interrupted and the kernel goes on (a SIGINT to bwrap's
    process group would have killed the sandbox)."""
    import nbformat
    from nbgrader.preprocessors import Execute

    cells = ["import os; s = os.statvfs('/tmp'); print(s.f_blocks * s.f_frsize >> 20)",
             "while True: pass", "print('after')"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    cfg = Config({"Execute": {"kernel_name": KERNEL, "timeout": 2, "interrupt_on_timeout": True},
                  "BubblewrapProvisioner": {"scratch_mb": 48}})
    nb, _ = Execute(config=cfg).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert nb.cells[0].outputs[0]["text"].strip() == "48"
    assert nb.cells[1].outputs[0]["ename"] == "KeyboardInterrupt"
    assert nb.cells[2].outputs[0]["text"] == "after\n"


# -- bare sandboxes (bwrap_argv without a Jupyter kernel) -----------------------------------------

#: The system's Python: readable by any user (unlike a venv whose Python lives in /root).
SYSTEM_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def _bare_sandbox_argv(policy, command, folder, **options):
    """The real sandbox command around ``command``, with ``folder`` (made readable by any
    user) as submission and runtime folder."""
    from catvnoncat.sandbox.policy import host_links

    os.chmod(folder, 0o777)
    Path(folder, "connection.json").write_text("{}")
    os.chmod(Path(folder, "connection.json"), 0o644)
    env = kernel_env(policy, {}, path="/usr/bin:/bin", data_dir=None)
    return bwrap_argv(policy, command, scratch_source=folder, runtime_dir=folder,
                      connection_file=f"{folder}/connection.json", env=env,
                      host_links=host_links(), bwrap=shutil.which("bwrap"),
                      prlimit=shutil.which("prlimit"), setpriv=shutil.which("setpriv"),
                      **options)


# -- the process budget of a non-root grader ---------------------------------------------------

FORK_ALL = """
import os, sys, time
count = 0
while True:
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    count += 1
    if count >= 500:
        break
print(count, flush=True)
time.sleep(60)
"""


@needs_bwrap
def test_each_kernel_of_a_non_root_grader_has_its_own_process_budget():
    """RLIMIT_NPROC counts every process of a uid, so a limit set before bwrap would be shared
    with the grader's other processes and the other kernels of a parallel run (one kernel's
    fork bomb would starve its neighbour's threads). Set inside the user namespace, it counts
    the kernel's own processes: with 30 other processes of the user running and a first
    kernel holding all the processes it could fork, a second kernel still forks as many."""
    import pwd
    import subprocess
    import tempfile

    python = SYSTEM_PYTHON
    as_user = []
    if os.geteuid() == 0:  # as root: an ordinary user, as an instructor grades
        nobody = pwd.getpwnam("nobody")
        as_user = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}",
                   "--clear-groups", "--"]
    policy = SandboxPolicy(max_processes=20)
    folders = []

    def sandbox(code):
        folder = tempfile.mkdtemp(prefix="catvnoncat-nproc-")
        folders.append(folder)
        argv = _bare_sandbox_argv(policy, [python, "-c", code], folder)
        return subprocess.Popen([*as_user, *argv], stdout=subprocess.PIPE, text=True,
                                start_new_session=True)

    others = subprocess.Popen([*as_user, "/bin/sh", "-c", "for i in $(seq 30); do sleep 60 & "
                               "done; wait"], start_new_session=True)
    processes = [others]
    try:
        time.sleep(1)
        first = sandbox(FORK_ALL)
        processes.append(first)
        held_by_first = int(first.stdout.readline())
        second = sandbox(FORK_ALL)
        processes.append(second)
        forked_by_second = int(second.stdout.readline())
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            process.wait()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"[nproc] limit 20, 30 other processes of the user: the first sandbox holds "
          f"{held_by_first}, the second forks {forked_by_second}")
    assert 15 <= held_by_first < 20, held_by_first  # the budget, less the sandbox's own
    assert forked_by_second == held_by_first


# -- a grader that dies while a kernel starts --------------------------------------------------

def test_launch_chain_checks_its_grader_before_anything_else():
    argv = _argv(grader_pid=4242)
    assert argv[:3] == ["setpriv", "--pdeathsig=KILL", "--"]
    assert argv[3:5] == ["/bin/sh", "-c"] and argv[6] == "4242" and argv[7] == "prlimit"
    # As root the uid switch clears the parent-death signal: it is set and checked again.
    root = _argv(SandboxPolicy(uid=123456), grader_pid=4242)
    switch = root.index("--reuid=123456")
    assert "--pdeathsig=KILL" in root[switch:root.index("prlimit")]
    assert root.count("4242") == 2


@needs_bwrap
def test_no_sandbox_outlives_a_grader_killed_while_it_starts(tmp_path):
    """The grader SIGKILLed right after it started the command (as a worker killed while a
    kernel starts): nothing of the sandbox may run on, orphaned. Before the guard, bwrap set
    its parent-death signal only once it ran, after its grader was already gone."""
    import subprocess
    import tempfile

    policy = SandboxPolicy(uid=_free_test_uid()) if os.geteuid() == 0 else SandboxPolicy()
    survivors = []
    for attempt in range(5):
        folder = tempfile.mkdtemp(prefix="catvnoncat-orphan-")
        script = tmp_path / f"grader{attempt}.py"
        script.write_text(
            "import json, os, signal, subprocess, sys\n"
            "argv = json.loads(sys.argv[1])\n"
            "pid = os.getpid()\n"
            "argv = [str(pid) if a == 'GRADER_PID' else a for a in argv]\n"
            "subprocess.Popen(argv)\n"
            "os.kill(pid, signal.SIGKILL)\n")
        argv = _bare_sandbox_argv(policy, [SYSTEM_PYTHON, "-c", "import time; time.sleep(30)"],
                                  folder, grader_pid="GRADER_PID")
        subprocess.run([sys.executable, str(script), json.dumps(argv)])
        time.sleep(2)
        survivors += [p for p in _processes_naming(folder)]
        for pid in survivors:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)
    assert survivors == []


def _processes_naming(text):
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            pass
    return found


def _free_test_uid():
    import pwd
    import random

    while True:
        uid = random.randrange(300_000, 900_000)
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid


def test_a_kernel_start_kills_the_sandboxes_of_graders_that_died(tmp_path):
    """What bwrap cannot cover (a grader killed within milliseconds of a kernel start, before
    bwrap ties the sandbox to its launcher) the next kernel start clears: the processes
    serving the runtime folder of a grader that is gone, and the folder."""
    import subprocess

    from catvnoncat.sandbox.provisioner import (RUNTIME_PREFIX, _grader_mark,
                                                kill_orphaned_sandboxes)

    gone = subprocess.run(["/bin/sh", "-c", 'echo "$$ $(cut -d" " -f22 /proc/$$/stat)"'],
                          capture_output=True, text=True).stdout.strip()
    orphaned, alive = tmp_path / f"{RUNTIME_PREFIX}gone", tmp_path / f"{RUNTIME_PREFIX}alive"
    for folder, mark in ((orphaned, gone), (alive, _grader_mark())):
        folder.mkdir()
        (folder / "grader").write_text(mark)
    # Stand-ins for a sandbox's processes: their command lines name their runtime folder.
    left = subprocess.Popen(["/bin/sh", "-c", "sleep 60; : $0", str(orphaned / "ipc")])
    kept = subprocess.Popen(["/bin/sh", "-c", "sleep 60; : $0", str(alive / "ipc")])
    try:
        time.sleep(0.3)
        killed = kill_orphaned_sandboxes(str(tmp_path))
        # Gone (its child is killed first: the shell may even finish before its own SIGKILL).
        left.wait(timeout=10)
        assert left.pid in killed
        assert kept.poll() is None and kept.pid not in killed
        assert not orphaned.exists() and alive.exists()
    finally:
        for process in (left, kept):
            process.kill()
            process.wait()


def test_a_kernel_start_never_takes_a_live_graders_folder_being_made_for_an_orphan(tmp_path):
    """Two grading workers start kernels side by side: one names its grader in a new runtime
    folder while the other's kernel start looks for orphans. The mark is written atomically,
    so the looker never reads a half-written mark and removes a live grader's folder (with two
    workers, the demo class once lost a student to "Invalid Signature" this way)."""
    import threading

    from catvnoncat.sandbox.provisioner import (RUNTIME_PREFIX, _write_grader_mark,
                                                kill_orphaned_sandboxes)

    made, stop = [], threading.Event()

    def make_folders():
        for i in range(400):
            folder = tmp_path / f"{RUNTIME_PREFIX}{i:04d}"
            folder.mkdir()
            _write_grader_mark(str(folder))
            made.append(folder)
        stop.set()

    maker = threading.Thread(target=make_folders)
    maker.start()
    while not stop.is_set():
        kill_orphaned_sandboxes(str(tmp_path))
    maker.join()
    removed = [folder.name for folder in made if not folder.exists()]
    assert len(made) == 400 and removed == []
