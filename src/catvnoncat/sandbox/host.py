"""The grader's side of the judge host (:mod:`catvnoncat.probe.host`): start it, talk to it.

:class:`JudgeHost` starts one sandboxed fork server per submission, with the notebook kernel's
own `SandboxPolicy` (same bwrap command line, limits, allow-listed environment, read-only
datasets, seccomp filter), except that its user namespace may nest: each judge child makes its
own namespaces. The host's standard descriptors are three pipes of the grader's, never the
grader's own stdout / stderr. :meth:`JudgeHost.spawn` gives a :class:`Child`: one judge child,
its frames, its time limits (enforced here, from outside: SIGINT at the limit, SIGKILL after a
grace period) and its CPU accounting (:func:`~.cpuacct.account_for`).

Nothing a child sends is believed: frames are size-capped by the host, decoded here as JSON
and validated by the judge (:mod:`catvnoncat.judge.wire`). The pids signalled and accounted are
found by walking /proc from the host's pid, never taken from a child's word.
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

from . import groups as _groups
from . import policy as _policy
from . import seccomp as _seccomp
from .cpuacct import account_for
from .provisioner import (RUNTIME_PREFIX, BubblewrapProvisioner, _grader_mark,
                          _installed_package_dirs, _replace, _unused_uid, _world_reachable,
                          descendants, kill_orphaned_sandboxes, write_seccomp_filter)
from ..probe import KERNEL_SOURCE

__all__ = ["JudgeHost", "Child", "HostFailed", "ChildDied", "FrameTooLarge",
           "FRAME_CAP"]

HOST_SOURCE = Path(__file__).resolve().parent.parent / "probe" / "host.py"
#: Largest frame a child may send (bigger: that probe fails, the host kills the child).
FRAME_CAP = 32 * 1024 * 1024
_HEADER = struct.Struct(">cI")
_STDERR_KEPT = 4096


class HostFailed(RuntimeError):
    """Our own machinery failed (the host did not start, died, or broke the protocol)."""


class ChildDied(Exception):
    """The judge child is gone (the student's code ended it, or a resource limit did)."""


class FrameTooLarge(Exception):
    """The child sent a frame over :data:`FRAME_CAP`; the host killed it."""


def _children(pid):
    """Live (non-zombie) direct children of ``pid``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(name))
    return found


def _frame(tag, payload):
    return _HEADER.pack(tag, len(payload)) + payload


class JudgeHost:
    """One sandboxed judge host (a fork server) for one submission.

    Parameters
    ----------
    config : traitlets.config.Config
        The grader's config: ``BubblewrapProvisioner`` settings apply to the host as to kernels.
    submission_dir : str
        The submission's folder: each child gets a fresh writable copy of it.
    startup_timeout : float
    log : logging.Logger, optional
    frame_cap : int
        Largest frame a child may send, in bytes.
    """

    def __init__(self, config, submission_dir, startup_timeout=60.0, log=None,
                 frame_cap=FRAME_CAP):
        self.frame_cap = frame_cap
        self.settings = BubblewrapProvisioner(config=config)
        self.submission_dir = os.path.realpath(submission_dir)
        self.startup_timeout = startup_timeout
        self.log = log
        self.process = None
        self.host_pid = None
        self.runtime_dir = None
        self.sandboxed = False
        self.groups = None  # the sandbox's cgroups (memory, processes, CPU), when made
        self.read_only_trees = []   # host paths the sandbox binds read-only (Python...)
        self.kept_in_scratch = []   # those of them inside the sandbox's /tmp
        self._buffer = b""
        self._stderr = deque(maxlen=64)
        self.child = None

    # -- start and stop ---------------------------------------------------------------------
    def start(self):
        """Launch the host and wait until it is ready; returns self."""
        self.launch()
        return self.wait_ready()

    def launch(self):
        """Start the host's sandbox and send it its code; it then imports its libraries while
        the caller goes on (see :meth:`wait_ready`). Call from the thread that will outlive the
        host: its launch chain dies with that thread (parent-death signal)."""
        settings = self.settings
        base = settings.runtime_base or tempfile.gettempdir()
        kill_orphaned_sandboxes(base)
        root = os.geteuid() == 0
        settings.sandbox_uid = (_unused_uid(settings.sandbox_uid_min, settings.sandbox_uid_max)
                                if root else None)
        self.runtime_dir = tempfile.mkdtemp(prefix=RUNTIME_PREFIX, dir=base)
        os.chmod(self.runtime_dir, 0o711 if root else 0o700)
        with open(os.path.join(self.runtime_dir, "grader"), "w") as f:
            f.write(_grader_mark())
        settings.runtime_dir = self.runtime_dir
        problem = _policy.check_bubblewrap(settings.bwrap_path, uid=settings.sandbox_uid,
                                           setpriv=shutil.which("setpriv") or "setpriv")
        data_dir = settings.data_dir or os.environ.get("CATVNONCAT_DATA", "")
        command = [sys.executable, "-I", "-c", _bootstrap()]
        if problem is None:
            self.sandboxed = True
            argv, env = self._sandboxed_command(command, data_dir)
        elif settings.allow_unsandboxed:
            if self.log:
                self.log.warning("The judge host is NOT sandboxed: %s", problem)
            argv = command
            env = _policy.kernel_env(settings._policy(), os.environ,
                                     path=os.environ.get("PATH", os.defpath),
                                     data_dir=data_dir or None)
        else:
            self.close()
            raise RuntimeError(problem)
        if self.sandboxed:
            argv = self._in_groups(argv)
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, cwd=self.runtime_dir, close_fds=True, start_new_session=True)
        os.set_blocking(self.process.stdout.fileno(), False)
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        policy = settings._policy()
        init = {
            "host": HOST_SOURCE.read_text("utf-8"),
            "probe": KERNEL_SOURCE.read_text("utf-8"),
            "child_filter": base64.b64encode(
                _seccomp.no_user_namespaces() if _seccomp.supported() else b"").decode(),
            "frame_cap": self.frame_cap,
            "scratch": _policy.SCRATCH,
            "scratch_mb": policy.scratch_mb,
            "shm_mb": policy.shm_mb,
            "work_dir": _policy.WORK_DIR,
            "home": dict(_policy.DEFAULT_ENV_FIXED)["HOME"],
            "submission": _policy.SUBMISSION_MOUNT if self.sandboxed else self.submission_dir,
            "require_isolation": self.sandboxed,
            "read_only_trees": self.read_only_trees,
            "kept_in_scratch": self.kept_in_scratch,
        }
        self._write(b"I", json.dumps(init).encode())
        self._launched = time.monotonic()
        return self

    def _in_groups(self, argv):
        """The host and every judge child it forks share one set of cgroups: their memory,
        processes and CPU together are the submission's (`catvnoncat.sandbox.groups`)."""
        settings = self.settings
        self.groups = (_groups.create(settings.sandbox_memory_mb, settings.sandbox_processes,
                                      settings.sandbox_cpus) if os.geteuid() == 0 else None)
        if self.groups is None:
            _groups.per_process_only_warning(self.log)
            return argv
        return self.groups.wrap(argv)

    def wait_ready(self):
        """Wait for the launched host's ready message; returns self."""
        reply = self._read_host_reply(self._launched + self.startup_timeout)
        if not reply.get("ready"):
            raise HostFailed(f"the judge host did not start: {reply}")
        self.host_pid = self._find_host_pid()
        # At the sandbox's memory limit the kernel's OOM killer picks a process of the group:
        # a judge child (see Child), never the host that forks the next one.
        _oom_score_adj(self.host_pid, -900)
        return self

    def _sandboxed_command(self, command, data_dir):
        settings = self.settings
        pol = settings._policy()
        env = _policy.kernel_env(pol, os.environ,
                                 path=f"{os.path.join(sys.prefix, 'bin')}:/usr/bin:/bin",
                                 data_dir=_policy.DATA_MOUNT if data_dir else None)
        env["MPLBACKEND"] = "Agg"
        staged = {}
        scratch = settings._readable(self.submission_dir, "submission", staged)
        data = (settings._readable(os.path.realpath(data_dir), "datasets", staged)
                if data_dir else None)
        prefixes = []
        for path in dict.fromkeys(os.path.realpath(p) for p in (
                sys.prefix, sys.exec_prefix, sys.base_prefix, *settings.extra_ro_binds)):
            if any(path == p or path.startswith(p + os.sep) for p in prefixes):
                continue
            prefixes.append(path)
            if os.geteuid() == 0 and not _world_reachable(path, need_read=False):
                staged[path] = settings._stage_dir(len(staged))
        pol = _replace(pol, ro_binds=tuple(prefixes), masked=_installed_package_dirs(prefixes))
        # Each child mounts a fresh scratch over /tmp: what is bound inside it, it binds again.
        self.read_only_trees = prefixes
        self.kept_in_scratch = [p for p in prefixes if p.startswith(_policy.SCRATCH + os.sep)]
        seccomp_file = write_seccomp_filter(self.runtime_dir) if _seccomp.supported() else None
        argv = _policy.bwrap_argv(
            pol, command, scratch_source=scratch, runtime_dir=None, connection_file=None,
            env=env, data_dir=data, staged=staged, host_links=_policy.host_links(),
            bwrap=shutil.which(settings.bwrap_path) or settings.bwrap_path,
            prlimit=shutil.which("prlimit") or "prlimit",
            setpriv=shutil.which("setpriv") or "setpriv",
            unshare=shutil.which("unshare") or "unshare",
            grader_pid=os.getpid(), seccomp_file=seccomp_file, nested_userns=True)
        return argv, {"PATH": os.environ.get("PATH", os.defpath)}

    def _find_host_pid(self):
        """The host's python process: the launch chain's descendant running the bootstrap."""
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if argv[1:3] == [b"-I", b"-c"] and argv[3].startswith(b"# catvnoncat-judge-host"):
                return pid  # (bwrap's argv holds the same words further on)
        raise HostFailed("the judge host's process was not found")

    def close(self):
        """Stop the host, its children and its sandbox; remove the runtime folder."""
        if self.child is not None:
            self.child.close()
        if self.process is not None:
            for pid in [*reversed(descendants(self.process.pid)), self.process.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
            self.process = None
        if getattr(self, "groups", None) is not None:
            self.groups.close()
            self.groups = None
        if self.runtime_dir is not None:
            shutil.rmtree(self.runtime_dir, ignore_errors=True)
            self.runtime_dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- frames -----------------------------------------------------------------------------
    def _drain_stderr(self):
        stream = self.process.stderr
        while True:
            chunk = stream.read1(4096) if hasattr(stream, "read1") else stream.read(4096)
            if not chunk:
                return
            self._stderr.append(chunk[-_STDERR_KEPT:])

    def stderr_tail(self):
        return b"".join(self._stderr)[-_STDERR_KEPT:].decode("utf-8", "replace")

    def _write(self, tag, payload):
        try:
            self.process.stdin.write(_frame(tag, payload))
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as error:
            raise HostFailed(f"the judge host is gone ({error}); {self.stderr_tail()}") from None

    def read_frame(self, deadline):
        """The next frame ``(tag, payload)``, or None at ``deadline`` (monotonic seconds)."""
        fd = self.process.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while True:
                if len(self._buffer) >= _HEADER.size:
                    tag, size = _HEADER.unpack_from(self._buffer)
                    if size > self.frame_cap + 1024:
                        raise HostFailed("the judge host sent an oversized frame")
                    end = _HEADER.size + size
                    if len(self._buffer) >= end:
                        payload = self._buffer[_HEADER.size:end]
                        self._buffer = self._buffer[end:]
                        return tag, payload
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                if not selector.select(min(remaining, 1.0)):
                    continue
                try:
                    chunk = os.read(fd, 1 << 20)
                except BlockingIOError:
                    continue
                if not chunk:
                    raise HostFailed(f"the judge host died; {self.stderr_tail()}")
                self._buffer += chunk

    def _read_host_reply(self, deadline):
        while True:
            frame = self.read_frame(deadline)
            if frame is None:
                raise HostFailed(f"the judge host did not answer; {self.stderr_tail()}")
            tag, payload = frame
            if tag == b"H":
                return json.loads(payload)
            # (a late frame of a child already ended: dropped)

    # -- children ---------------------------------------------------------------------------
    def spawn(self, timeout=30.0):
        """A fresh judge child, started and accounted; see :class:`Child`."""
        if self.child is not None:
            self.child.close()
        self._write(b"H", b'{"op": "spawn"}')
        deadline = time.monotonic() + timeout
        if "spawned" not in self._read_host_reply(deadline):
            raise HostFailed("the judge host did not fork a child")
        children = _children(self.host_pid)
        if len(children) != 1:
            raise HostFailed(f"the judge host has {len(children)} children, not 1")
        child = Child(self, children[0])
        self.child = child
        child.send({"op": "start"})
        while True:
            frame = self.read_frame(deadline)
            if frame is None:
                child.close()
                raise HostFailed("the judge child did not start")
            tag, payload = frame
            message = json.loads(payload) if tag == b"C" else {}
            if message.get("started") is True:
                child.isolated = bool(message.get("isolated"))
                return child
            if "setup_error" in message:
                child.close()
                raise HostFailed(f"the judge child could not start: {message['setup_error']}")
            if tag in (b"E", b"X"):
                child.close()
                raise HostFailed(f"the judge child died while starting; {self.stderr_tail()}")

    def end_child(self):
        self._write(b"H", b'{"op": "end"}')
        self._read_host_reply(time.monotonic() + 30)


class Child:
    """One judge child: send it frames, read its frames under deadlines, account its CPU.

    Its pids (the forked process and, once started, its PID namespace's pid 1) come from /proc,
    as the host's descendants.
    """

    def __init__(self, host, pid):
        self.host, self.pid = host, pid
        # Before the child runs any student code. Where cpu and cpuacct share a hierarchy, the
        # account is made inside the sandbox's cpu group, so that moving the child into it
        # does not take the child out of the sandbox's CPU quota.
        _oom_score_adj(pid, 1000)  # first to go at the memory limit; inherited by its forks
        groups = host.groups
        shared = (groups is not None and "cpu" in groups.paths
                  and _groups.own_group("cpu") == _groups.own_group("cpuacct"))
        self.cpu = account_for(pid, parent=groups.paths["cpu"] if shared else None)
        self.ended = False   # no more frames: died, killed over a frame cap, or closed
        self.died = False    # its channel closed while it was being judged
        self.isolated = False

    def send(self, message):
        if self.ended:
            raise ChildDied("the judge child is gone")
        self.host._write(b"C", json.dumps(message).encode())

    def receive(self, deadline):
        """The child's next frame as text (untrusted: the caller validates it), or None at the
        deadline."""
        if self.ended:
            raise ChildDied("the judge child is gone")
        frame = self.host.read_frame(deadline)
        if frame is None:
            return None
        tag, payload = frame
        if tag == b"E":
            self.ended = self.died = True
            raise ChildDied("the judge child died")
        if tag == b"X":
            self.ended = True
            raise FrameTooLarge(f"an answer over {self.host.frame_cap} bytes")
        if tag != b"C":
            raise HostFailed(f"unexpected frame {tag!r} from the judge host")
        return payload.decode("utf-8", "replace")

    def interrupt(self):
        """SIGINT to the process that runs student code (pid 1 of the child's namespace)."""
        for pid in _children(self.pid):
            try:
                os.kill(pid, signal.SIGINT)
            except OSError:
                pass

    def cpu_ns(self):
        return self.cpu.cpu_ns()

    def close(self):
        """Kill the child with its PID namespace; wait until none of its processes is left."""
        if self.host.child is self:
            self.host.child = None
        for pid in [*reversed(descendants(self.pid)), self.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.ended = True
        if self.host.process is not None and self.host.process.poll() is None:
            try:
                self.host.end_child()
            except HostFailed:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
                descendants(self.pid) or (self.host.host_pid and descendants(self.host.host_pid))):
            time.sleep(0.01)
        self.cpu.close()


def _oom_score_adj(pid, value):
    """Set ``pid``'s OOM score adjustment from outside (the grader's right; a child cannot
    lower its own)."""
    try:
        with open(f"/proc/{pid}/oom_score_adj", "w") as f:
            f.write(str(value))
    except OSError:
        pass  # gone meanwhile, or not ours to change (unprivileged grader): the default stays


def _bootstrap():
    from ..probe.host import BOOTSTRAP

    return "# catvnoncat-judge-host\n" + BOOTSTRAP
