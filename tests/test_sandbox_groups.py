"""A sandbox's processes together stay within its memory, process and CPU share (cgroup v1).

Real sandboxes: a judge host with small limits (256 MB, 48 processes and threads, a fifth of a
core), children running hostile cells, the groups read from outside.
"""

import os
from pathlib import Path

import pytest
from traitlets.config import Config

from catvnoncat.judge.child_prober import ChildProber
from catvnoncat.judge.prober import KernelDied, KernelUnresponsive
from catvnoncat.sandbox import groups
from catvnoncat.sandbox.policy import check_bubblewrap
from support.judge_host import start_judge_host

REPO = Path(__file__).resolve().parents[1]
LIMITS = {"sandbox_memory_mb": 256, "sandbox_processes": 48, "sandbox_cpus": 0.2}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(check_bubblewrap() is not None, reason="no bubblewrap here"),
]


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    judge_host = start_judge_host(tmp_path_factory.mktemp("submission"), frame_cap=1 << 20,
                                  **LIMITS)
    yield judge_host
    judge_host.close()


def _child(host):
    return ChildProber(host.spawn(), timeout=30, grace=2)


def _run(host, source, timeout=30):
    """Run ``source`` in a fresh child; the exception it ended with, or None."""
    child = _child(host)
    try:
        child.run_cell(source, timeout)
        return None
    except (KernelDied, KernelUnresponsive) as error:
        return error
    finally:
        child.close()


def _read(path, name):
    with open(os.path.join(path, name)) as f:
        return f.read()


def test_the_host_and_its_children_are_in_the_sandboxs_groups_with_its_limits(host):
    paths = host.groups.paths
    assert set(paths) == set(groups.CONTROLLERS)
    for controller, path in paths.items():
        # Under the grader's own group, never at the hierarchy's root.
        assert os.path.dirname(path) == groups.own_group(controller)
        assert os.path.basename(path).startswith(f"{groups.GROUP_PREFIX}{os.getpid()}-")
        assert host.host_pid in {int(p) for p in _read(path, "cgroup.procs").split()}
    assert int(_read(paths["memory"], "memory.limit_in_bytes")) == 256 * 2**20
    assert int(_read(paths["pids"], "pids.max")) == 48
    assert int(_read(paths["cpu"], "cpu.cfs_quota_us")) == int(0.2 * groups.CFS_PERIOD_US)


def test_in_memory_files_cannot_take_more_than_the_sandboxs_memory(host):
    # Twenty 32 MB memfd files: 640 MB, each process's own address space stays small.
    error = _run(host, "import os\nfiles = []\nfor i in range(20):\n"
                       "    fd = os.memfd_create(f'f{i}')\n"
                       "    for _ in range(32):\n        os.write(fd, b'x' * 2**20)\n"
                       "    files.append(fd)\n")
    assert error is not None  # the child was stopped at the limit
    assert host.groups.memory_peak_bytes() <= 256 * 2**20
    assert "memory" in host.groups.limits_reached()
    assert _run(host, "x = 1") is None  # the next child runs as usual


def test_forks_and_threads_together_stop_at_the_process_limit(host):
    # Threads are counted with processes: 30 forks of 2 threads each would be 90.
    source = ("import os, threading, time\n"
              "def sleeper():\n    time.sleep(30)\n"
              "made = 0\n"
              "for _ in range(30):\n"
              "    try:\n"
              "        if os.fork() == 0:\n"
              "            for _ in range(2):\n"
              "                threading.Thread(target=sleeper, daemon=True).start()\n"
              "            time.sleep(30)\n"
              "            os._exit(0)\n"
              "        made += 1\n"
              "    except OSError:\n        break\n"
              "time.sleep(1)\n")
    _run(host, source, timeout=5)
    assert host.groups.limits_reached().get("pids", 0) > 0
    assert _run(host, "x = 1") is None


def test_spinning_processes_are_held_to_the_cpu_share(host):
    # Four busy processes for a second: with a fifth of a core the group is throttled (a count
    # the kernel keeps, not a time measured here).
    before = _read(host.groups.paths["cpu"], "cpu.stat")
    _run(host, "import os, time\n"
               "for _ in range(4):\n"
               "    if os.fork() == 0:\n"
               "        end = time.monotonic() + 1\n"
               "        while time.monotonic() < end: pass\n"
               "        os._exit(0)\n"
               "for _ in range(4):\n    os.wait()\n")
    throttled = {k: int(v) for k, v in (line.split() for line in
                                        _read(host.groups.paths["cpu"], "cpu.stat").splitlines())}
    was = {k: int(v) for k, v in (line.split() for line in before.splitlines())}
    assert throttled["nr_throttled"] > was["nr_throttled"]


def test_closing_the_host_removes_its_groups(tmp_path):
    judge_host = start_judge_host(tmp_path, **LIMITS)
    paths = dict(judge_host.groups.paths)
    assert all(os.path.isdir(p) for p in paths.values())
    judge_host.close()
    assert not any(os.path.exists(p) for p in paths.values())


def test_the_notebook_kernel_is_in_groups_of_its_own_and_they_go_with_it(tmp_path):
    import asyncio

    from test_sandbox import Kernel, _submission

    loop = asyncio.new_event_loop()
    config = Config({"BubblewrapProvisioner": {"data_dir": str(REPO / "datasets"), **LIMITS}})
    kernel = Kernel(loop, _submission(tmp_path / "alice" / "logistic_regression"), config)
    try:
        paths = dict(kernel.km.provisioner._groups.paths)
        pid = kernel.km.provisioner.pid
        assert int(_read(paths["memory"], "memory.limit_in_bytes")) == 256 * 2**20
        for path in paths.values():
            assert pid in {int(p) for p in _read(path, "cgroup.procs").split()}
        try:  # the kernel is stopped at the limit: no reply comes
            kernel.run("import os\nfiles = []\nfor i in range(20):\n"
                       "    fd = os.memfd_create(f'f{i}')\n"
                       "    for _ in range(32):\n"
                       "        os.write(fd, b'x' * 2**20)\n"
                       "    files.append(fd)\n", timeout=15)
        except TimeoutError:
            pass
        assert not kernel.alive()
        assert "memory" in kernel.km.provisioner._groups.limits_reached()
        assert int(_read(paths["memory"], "memory.max_usage_in_bytes")) <= 256 * 2**20
    finally:
        kernel.shutdown()
        loop.close()
    assert not any(os.path.exists(p) for p in paths.values())
