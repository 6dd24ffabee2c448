"""`BubblewrapProvisioner`: jupyter_client starts every ``catvnoncat-sandbox`` kernel through it.

It is `LocalProvisioner` with three changes: before the connection file is written the kernel
is moved onto the ipc transport in a private runtime folder (an unshared network namespace has
no TCP to the grader); the kernel command is wrapped by `policy.bwrap_argv`; the environment is
replaced by an allow-list (`_finalize_env`). As root, each kernel also gets its own unused uid
so that RLIMIT_NPROC applies and counts that kernel alone.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import random
import shutil
import signal
import stat
import sys
import tempfile
import time
from pathlib import Path
from importlib.util import find_spec
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, Float, Integer, List, Unicode

from . import groups as _groups
from . import policy as _policy
from . import seccomp as _seccomp
from .stdio import KernelStdio


def _world_reachable(path: str, *, need_read: bool) -> bool:
    """Whether any uid can reach `path` (o+x on every ancestor) and, if asked, read it."""
    path = os.path.realpath(path)
    parts = path.split(os.sep)
    for i in range(2, len(parts)):
        if not os.stat(os.sep.join(parts[:i]) or os.sep).st_mode & stat.S_IXOTH:
            return False
    if not need_read:
        return True
    for folder, dirs, files in os.walk(path):
        if (os.stat(folder).st_mode & 0o005) != 0o005:
            return False
        for name in files:
            if not os.stat(os.path.join(folder, name)).st_mode & stat.S_IROTH:
                return False
    return True


#: Runtime folders of sandboxed kernels: ``<tmp>/catvnoncat-kernel-XXXXXXXX``.
RUNTIME_PREFIX = "catvnoncat-kernel-"


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _status(pid: int) -> dict[str, str]:
    try:
        with open(f"/proc/{pid}/status") as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except OSError:
        return {}


def _unused_uid(low: int, high: int) -> int:
    """A uid in [low, high) with no passwd entry and no running process."""
    busy = {_status(pid).get("Uid", "").split("\t")[0] for pid in _pids()}
    for _ in range(1000):
        uid = random.randrange(low, high)
        try:
            pwd.getpwuid(uid)
        except KeyError:
            if str(uid) not in busy:
                return uid
    raise RuntimeError(f"no free uid in [{low}, {high})")


class BubblewrapProvisioner(LocalProvisioner):
    """Run the kernel inside a bubblewrap sandbox (see `catvnoncat.sandbox.policy`)."""

    bwrap_path = Unicode("bwrap", help="The bwrap executable (name on PATH or path).").tag(
        config=True
    )
    allow_unsandboxed = Bool(
        False,
        help="When bwrap cannot run: start the plain kernel with a WARNING instead of failing.",
    ).tag(config=True)
    data_dir = Unicode(
        "",
        help="Host folder of the public datasets, bound read-only; the kernel's CATVNONCAT_DATA "
        "points at it. Empty: the grader's $CATVNONCAT_DATA, if set.",
    ).tag(config=True)
    memory_mb = Integer(3072, help="Address space per process (RLIMIT_AS), MiB.").tag(config=True)
    max_processes = Integer(64, help="Processes + threads of the kernel (RLIMIT_NPROC).").tag(
        config=True
    )
    cpu_seconds = Integer(900, help="CPU seconds per process (RLIMIT_CPU).").tag(config=True)
    sandbox_memory_mb = Integer(
        4096, help="Memory of all of a sandbox's processes together, shared and in-memory files "
        "included (cgroup memory.limit_in_bytes), MiB.").tag(config=True)
    sandbox_processes = Integer(
        256, help="Processes and threads of a sandbox together (cgroup pids.max).").tag(config=True)
    sandbox_cpus = Float(
        1.0, help="Cores a sandbox may keep busy at once (cgroup cpu.cfs_quota_us).").tag(config=True)
    max_file_mb = Integer(256, help="Largest file written (RLIMIT_FSIZE), MiB.").tag(config=True)
    scratch_mb = Integer(512, help="Size of the kernel's writable tmpfs, MiB.").tag(config=True)
    extra_ro_binds = List(
        Unicode(), help="More host paths bound read-only at the same path."
    ).tag(config=True)
    runtime_base = Unicode(
        "", help="Where per-kernel runtime folders are made (default: the temp folder)."
    ).tag(config=True)
    sandbox_uid_min = Integer(200_000, help="As root: lowest per-kernel uid.").tag(config=True)
    sandbox_uid_max = Integer(
        1_000_000_000, help="As root: per-kernel uids are below this."
    ).tag(config=True)

    runtime_dir: str | None = None  # per-kernel folder (connection file, ipc/)
    sandbox_uid: int | None = None
    sandboxed = False
    _env_plan: dict[str, str] | None = None

    # -- launch ------------------------------------------------------------------------------

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Prepare the runtime folder and transport, then wrap the kernel command in bwrap."""
        km = self.parent
        root = os.geteuid() == 0
        base = self.runtime_base or tempfile.gettempdir()
        await asyncio.to_thread(kill_orphaned_sandboxes, base)  # left by graders that died
        if self.sandbox_uid is None and root:
            self.sandbox_uid = _unused_uid(self.sandbox_uid_min, self.sandbox_uid_max)
        problem = await asyncio.to_thread(
            _policy.check_bubblewrap,
            self.bwrap_path,
            uid=self.sandbox_uid,
            setpriv=shutil.which("setpriv") or "setpriv",
        )
        data_dir = self.data_dir or os.environ.get("CATVNONCAT_DATA", "")
        if problem is not None:
            if not self.allow_unsandboxed:
                raise RuntimeError(problem)
            self.log.warning("Kernel %s is NOT sandboxed: %s", self.kernel_id, problem)
            self.sandboxed = False
            self._env_plan = _policy.kernel_env(
                self._policy(), os.environ, path=os.environ.get("PATH", os.defpath),
                data_dir=data_dir or None,
            )
            return await super().pre_launch(**kwargs)

        self.sandboxed = True
        pol = self._policy()
        self._env_plan = _policy.kernel_env(
            pol,
            kwargs.get("env", os.environ),
            path=f"{os.path.join(sys.prefix, 'bin')}:/usr/bin:/bin",
            data_dir=_policy.DATA_MOUNT if data_dir else None,
        )
        ipc = self._prepare_runtime_dir(km)
        kwargs = await super().pre_launch(**kwargs)  # writes the connection file, formats cmd
        conn = os.path.realpath(km.connection_file)
        if self.sandbox_uid is not None:
            # The kernel (uid U) reads its own key; the file is bound read-only, so no chmod.
            os.chown(conn, self.sandbox_uid, self.sandbox_uid)
            os.chmod(conn, 0o400)

        cwd = os.path.realpath(kwargs.get("cwd") or os.getcwd())
        staged: dict[str, str] = {}
        scratch = self._readable(cwd, "submission", staged)
        data = self._readable(os.path.realpath(data_dir), "datasets", staged) if data_dir else None
        prefixes = []
        for path in dict.fromkeys(
            os.path.realpath(p)
            for p in (sys.prefix, sys.exec_prefix, sys.base_prefix, *self.extra_ro_binds)
        ):
            if any(path == p or path.startswith(p + os.sep) for p in prefixes):
                continue
            prefixes.append(path)
            if root and not _world_reachable(path, need_read=False):
                staged[path] = self._stage_dir(len(staged))
        pol = _replace(pol, ro_binds=tuple(prefixes), masked=_installed_package_dirs(prefixes))

        kernel_cmd = list(kwargs["cmd"])
        if "ipykernel_launcher" in kernel_cmd:
            # Its parent is outside the PID namespace: parent_handle=1 means "no parent poller"
            # (--die-with-parent does that job) and no "Ctrl-C will not work" banner on stdout.
            kernel_cmd.append("--IPKernelApp.parent_handle=1")
            # History is SQLite, whose file locks the sandbox refuses (seccomp): off.
            kernel_cmd.append("--HistoryManager.enabled=False")
        kwargs["cmd"] = _policy.bwrap_argv(
            pol,
            kernel_cmd,
            scratch_source=scratch,
            runtime_dir=ipc,
            connection_file=conn,
            env=self._env_plan,
            data_dir=data,
            staged=staged,
            host_links=_policy.host_links(),
            bwrap=shutil.which(self.bwrap_path) or self.bwrap_path,
            prlimit=shutil.which("prlimit") or "prlimit",
            setpriv=shutil.which("setpriv") or "setpriv",
            unshare=shutil.which("unshare") or "unshare",
            grader_pid=os.getpid(),
            seccomp_file=self._write_seccomp_filter(),
        )
        kwargs["cmd"] = self._in_groups(kwargs["cmd"])
        kwargs["cwd"] = self.runtime_dir
        self.log.debug("Sandboxed kernel %s: %s", self.kernel_id, kwargs["cmd"])
        return kwargs

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        """Start the kernel with its stdout and stderr on a pipe of its own (`KernelStdio`),
        never the grader's; Popen's close_fds leaves it no other descriptor of the grader."""
        self._stdio = KernelStdio()
        kwargs["stdout"] = kwargs["stderr"] = self._stdio.write_fd
        try:
            info = await super().launch_kernel(cmd, **kwargs)
        except BaseException:
            self._stdio.failed()
            raise
        self._stdio.started()
        return info

    def _policy(self) -> _policy.SandboxPolicy:
        return _policy.SandboxPolicy(
            memory_mb=self.memory_mb,
            max_processes=self.max_processes,
            cpu_seconds=self.cpu_seconds,
            max_file_mb=self.max_file_mb,
            scratch_mb=self.scratch_mb,
            uid=self.sandbox_uid,
        )

    def _prepare_runtime_dir(self, km: Any) -> str:
        """Make (or on restart reopen) the runtime folder; point the kernel manager at it."""
        if self.runtime_dir is None:
            base = self.runtime_base or tempfile.gettempdir()
            self.runtime_dir = tempfile.mkdtemp(prefix=RUNTIME_PREFIX, dir=base)
            # Others may traverse (bwrap runs as the sandbox uid) but not list it.
            os.chmod(self.runtime_dir, 0o711 if self.sandbox_uid is not None else 0o700)
            os.mkdir(os.path.join(self.runtime_dir, "ipc"), 0o700)
            _write_grader_mark(self.runtime_dir)  # for kill_orphaned_sandboxes
            km.transport = "ipc"
            km.ip = os.path.join(self.runtime_dir, "ipc", "kernel")
            km.cache_ports = False  # ports are file-name suffixes here, nothing to cache
            km.connection_file = os.path.join(self.runtime_dir, "connection.json")
        ipc = os.path.join(self.runtime_dir, "ipc")
        if self.sandbox_uid is not None:
            # The kernel creates its sockets here; locked again once they exist (post_launch).
            os.chown(ipc, self.sandbox_uid, self.sandbox_uid)
            os.chmod(ipc, 0o700)
        return ipc

    def _write_seccomp_filter(self) -> str | None:
        """The no-file-locks filter in the runtime folder (readable by the sandbox uid)."""
        if not _seccomp.supported():
            self.log.warning("No seccomp filter for %s: file locks stay usable in the sandbox",
                             os.uname().machine)
            return None
        assert self.runtime_dir is not None
        return write_seccomp_filter(self.runtime_dir)

    def _stage_dir(self, index: int) -> str:
        assert self.runtime_dir is not None
        path = os.path.join(self.runtime_dir, f"stage{index}")
        os.makedirs(path, 0o755, exist_ok=True)
        os.chmod(path, 0o755)
        return path

    def _readable(self, path: str, name: str, staged: dict[str, str]) -> str:
        """`path`, or a world-readable copy of it in the runtime folder when the sandbox uid
        could not read it (e.g. dataset files written 0600 by root)."""
        if self.sandbox_uid is None or _world_reachable(path, need_read=True):
            return path
        assert self.runtime_dir is not None
        copy = os.path.join(self.runtime_dir, name)
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(path, copy, symlinks=True)
        for folder, _dirs, files in os.walk(copy):
            os.chmod(folder, 0o755)
            for f in files:
                if not os.path.islink(os.path.join(folder, f)):
                    os.chmod(os.path.join(folder, f), 0o644)
        return copy

    def _finalize_env(self, env: dict[str, str]) -> None:
        """Replace the environment by the allow-list computed in `pre_launch`."""
        super()._finalize_env(env)
        if self._env_plan is not None:
            env.clear()
            env.update(self._env_plan)

    async def post_launch(self, **kwargs: Any) -> None:
        """As root: once the kernel's sockets exist, make the ipc folder root-owned and 0555,
        so the kernel cannot fill the host disk through it. Done before start_kernel returns,
        hence before any student code can run."""
        await super().post_launch(**kwargs)
        if not self.sandboxed or self.sandbox_uid is None or self.runtime_dir is None:
            return
        ipc = os.path.join(self.runtime_dir, "ipc")
        info = self.connection_info
        keys = ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port")
        sockets = [f"{info['ip']}-{info[k]}" for k in keys]
        deadline = time.monotonic() + 60  # a kernel that died stops the wait
        while True:
            if all(os.path.exists(s) for s in sockets) or await self.poll() is not None:
                break
            if time.monotonic() > deadline:
                self.log.warning("Kernel %s: no sockets seen; ipc folder locked", self.kernel_id)
                break
            await asyncio.sleep(0.01)  # (the kernel's start waits on this: look often)
        os.chown(ipc, 0, 0)
        os.chmod(ipc, 0o555)

    # -- signals and cleanup ---------------------------------------------------------------

    async def send_signal(self, signum: int) -> None:
        """SIGINT goes to the kernel process itself: signalling bwrap's process group would
        kill the sandbox instead of interrupting the cell. Other signals as LocalProvisioner."""
        if self.sandboxed and signum == signal.SIGINT and self.process is not None:
            for pid in descendants(self.process.pid):
                if _is_kernel(pid, self.connection_info.get("ip", "")):
                    try:
                        os.kill(pid, signum)
                    except ProcessLookupError:
                        pass
                    return
            return
        await super().send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        """SIGKILL as LocalProvisioner does, then wait (up to 1 s, in 5 ms steps) until the
        process has exited: jupyter_client looks once right after the kill and, finding it
        still there, sleeps 0.1 s before looking again (every graded notebook's kernel is
        killed once its cells have run)."""
        await super().kill(restart=restart)
        process, deadline = self.process, time.monotonic() + 1.0
        while process is not None and process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.005)

    def _in_groups(self, argv: list[str]) -> list[str]:
        """``argv`` started inside cgroups of the sandbox's own (memory, processes, CPU of all
        its processes together: `catvnoncat.sandbox.groups`), or as is where none can be made
        (said once per grading process)."""
        old = getattr(self, "_groups", None)
        if old is not None:  # a restart: the dead kernel's groups go first
            old.close()
        self._groups = None
        if os.geteuid() == 0:
            self._groups = _groups.create(self.sandbox_memory_mb, self.sandbox_processes,
                                          self.sandbox_cpus)
        if self._groups is None:
            _groups.per_process_only_warning(self.log)
            return argv
        return self._groups.wrap(argv)

    async def cleanup(self, restart: bool = False) -> None:
        """Remove the runtime folder (connection file, ipc sockets, stage folders) and the
        sandbox's cgroups."""
        await super().cleanup(restart=restart)
        groups = getattr(self, "_groups", None)
        if groups is not None and not restart:
            reached = groups.limits_reached()
            if reached:
                self.log.debug("Kernel %s reached its sandbox limits: %s", self.kernel_id, reached)
            await asyncio.to_thread(groups.close)
            self._groups = None
        stdio = getattr(self, "_stdio", None)
        if stdio is not None and stdio.total:
            self.log.debug("Kernel %s: %s", self.kernel_id, stdio.summary())
        if not restart and self.runtime_dir is not None:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)
            self.runtime_dir = None

    async def get_provisioner_info(self) -> dict:
        info = await super().get_provisioner_info()
        info.update({"runtime_dir": self.runtime_dir, "sandbox_uid": self.sandbox_uid})
        return info


def write_seccomp_filter(folder: str) -> str:
    """Write the no-file-locks BPF program into `folder`; return its path (mode 0444)."""
    path = os.path.join(folder, "seccomp.bpf")
    with open(path, "wb") as f:
        f.write(_seccomp.no_file_locks())
    os.chmod(path, 0o444)
    return path


def _replace(pol: _policy.SandboxPolicy, **changes: Any) -> _policy.SandboxPolicy:
    from dataclasses import replace

    return replace(pol, **changes)


def _installed_package_dirs(prefixes: list[str]) -> tuple[str, ...]:
    """catvnoncat's folder when it is installed (not editable) inside a bound prefix: masked,
    so student code cannot import the reference solution or the hidden checks."""
    spec = find_spec("catvnoncat")
    dirs = list(spec.submodule_search_locations or []) if spec else []
    return tuple(
        os.path.realpath(d)
        for d in dirs
        if any(os.path.realpath(d).startswith(p + os.sep) for p in prefixes)
    )


def _start_time(pid: int) -> str | None:
    """When `pid` started (clock ticks since boot), to tell it from a later process of that pid."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _grader_mark() -> str:
    return f"{os.getpid()} {_start_time(os.getpid())}"


def _write_grader_mark(runtime_dir: str) -> None:
    """Name this grader in its runtime folder, atomically: another worker's kernel start must
    never read a half-written mark and take a live grader's sandbox for an orphan."""
    partial = os.path.join(runtime_dir, ".grader.partial")
    with open(partial, "w") as f:
        f.write(_grader_mark())
    os.replace(partial, os.path.join(runtime_dir, "grader"))


def _grader_alive(mark: str) -> bool:
    pid, _, started = mark.partition(" ")
    return pid.isdigit() and _start_time(int(pid)) == started


def kill_orphaned_sandboxes(base: str) -> list[int]:
    """Kill the sandboxes left by graders that died; return the pids killed.

    bwrap makes its sandbox die with its launcher only once the sandbox is set up, so a grader
    killed within those few milliseconds of a kernel start leaves the sandbox running (red
    team: 4 of 40 launches killed 0-12 ms after starting). Each runtime folder under `base`
    names its grader (``grader``: pid and start time); every kernel start kills whatever
    still serves the folder of a grader that is gone, and removes the folder.
    """
    killed = []
    for folder in sorted(Path(base).glob(f"{RUNTIME_PREFIX}*")):
        try:
            mark = (folder / "grader").read_text()
        except OSError:
            continue  # not ours to judge (another user's), or being created
        if _grader_alive(mark):
            continue
        needle = os.fsencode(folder) + b"/"
        for pid in _pids():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    serves = needle in f.read()
            except OSError:
                continue
            if serves:
                for victim in [*reversed(descendants(pid)), pid]:
                    try:
                        os.kill(victim, signal.SIGKILL)
                        killed.append(victim)
                    except OSError:
                        pass  # gone already
        shutil.rmtree(folder, ignore_errors=True)
    return killed


def descendants(pid: int) -> list[int]:
    """All descendants of `pid`, deepest last."""
    children: dict[int, list[int]] = {}
    for p in _pids():
        try:
            with open(f"/proc/{p}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(p)
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(0), []):
            out.append(child)
            todo.append(child)
    return out


def _is_kernel(pid: int, ipc_ip: str) -> bool:
    """The ipykernel process: its argv names ipykernel, and it is not the bwrap wrapper."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    return b"ipykernel_launcher" in argv and b"--die-with-parent" not in argv
