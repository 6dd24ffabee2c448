"""The judge host: a fork server in its own sandbox that never runs student code itself.

Like :mod:`.kernel`, this file is read as text by the grader and sent into the sandbox (see
:mod:`catvnoncat.sandbox.host`): a tiny bootstrap (:data:`BOOTSTRAP`, the sandbox's command)
reads one init frame from its standard input holding this source, the probe source and the
settings, and executes it. Nothing in the sandbox imports catvnoncat.

The host imports numpy, matplotlib (Agg), h5py and IPython once, before any student code
exists, then serves the grader on its standard descriptors (stdin: requests, stdout: replies,
stderr: the grader's bounded log of the host's own errors). For each autograded test cell the
grader asks for a fresh **judge child**: the host forks; the child closes every descriptor but
its socket, makes its own user, mount, IPC and PID namespaces, mounts fresh tmpfs over /tmp
(the scratch folder, re-populated with the pristine submission; read-only trees the sandbox
bound inside it bound again) and /dev/shm, forks again to be pid 1 of its PID namespace,
drops its capabilities and forbids new user namespaces (seccomp), checks that it still sees
every folder the host imported from and can run an empty cell (else a setup error: the
grader's, never a score), then runs the cells the grader sends (an IPython InteractiveShell, outputs discarded) and
answers the probes with :func:`serve` of :mod:`.kernel`. The grader kills it with its whole PID
namespace afterwards: whatever a child learnt (hidden inputs, lent answers) dies with it.

Frames: one tag byte, a 4-byte big-endian length, the payload (JSON text).
Grader -> host: ``H`` a request to the host (``spawn``, ``end``), ``C`` a frame for the child.
Host -> grader: ``H`` the host's reply, ``C`` a frame from the child, ``E`` the child's channel
closed, ``X`` the child sent a frame over the size cap (the host killed it).
"""

#: The sandbox's command: ``python -I -c BOOTSTRAP``. Reads the init frame, runs the host.
BOOTSTRAP = r"""
import json, os, struct, sys
def _read(n):
    data = b""
    while len(data) < n:
        chunk = os.read(0, n - len(data))
        if not chunk:
            os._exit(3)
        data += chunk
    return data
_tag = _read(1)
_init = json.loads(_read(struct.unpack(">I", _read(4))[0]))
exec(compile(_init["host"], "<catvnoncat-judge-host>", "exec"),
     {"__name__": "catvnoncat_judge_host", "INIT": _init})
"""

# ------------------------------------------------------------------------------------------------
# Everything below runs inside the sandbox (``INIT`` is the init frame's dict).
# ------------------------------------------------------------------------------------------------
import base64
import ctypes
import io
import json
import os
import select
import shutil
import signal
import socket
import struct
import sys

HEADER = struct.Struct(">cI")
CHILD_HEADER = struct.Struct(">I")

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWUSER = 0x20000, 0x8000000, 0x20000000, 0x10000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 0x1000, 0x4000, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 1, 4, 22, 2


def _settings():
    return globals().get("INIT") or {}


# -- the host ------------------------------------------------------------------------------------
def _prepare():
    """Imports done once, before any student code exists (the children inherit them)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import numpy  # noqa: F401
    # What the notebook's first cells make every child import or build, done here once: some
    # 40 ms of each child's replay (standard library and installed packages only).
    for name in ("h5py", "PIL.Image", "matplotlib_inline.backend_inline", "urllib.request",
                 "tempfile", "IPython.core.magics.pylab"):
        try:
            __import__(name)
        except ImportError:
            pass
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        # (a first Axes with an image: tick, text and image machinery set up once)
        figure, axes = plt.subplots()
        axes.imshow(numpy.zeros((2, 2, 3)))
        axes.axis("off")
        plt.close(figure)
    except ImportError:
        pass
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class JudgeShell(InteractiveShell):
        """Outputs are discarded in a judge child: figures are never drawn (Agg), and
        ``%matplotlib ...`` / ``%gui`` succeed without switching anything."""

        def enable_gui(self, gui=None):
            return None

        def enable_matplotlib(self, gui=None):
            return "agg", "module://matplotlib_inline.backend_inline"

        def enable_pylab(self, gui=None, import_all=True, welcome_message=False):
            return self.enable_matplotlib(gui)

    config = Config()
    config.HistoryManager.enabled = False
    config.HistoryManager.hist_file = ":memory:"
    config.InteractiveShell.colors = "NoColor"
    config.InteractiveShell.autocall = 0
    shell = JudgeShell.instance(config=config)
    # The first traceback IPython formats imports its formatting machinery: do it here.
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = _Discard()
    try:
        raise ValueError("warm-up")
    except ValueError:
        shell.showtraceback()
    finally:
        sys.stdout, sys.stderr = saved
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            delattr(sys, name)
    # So does the first cell it runs (e.g. IPython.core.logger): also here, once.
    _check_shell(shell, "in the judge host")
    return shell


def _check_shell(shell, where):
    """Run an empty cell; an error there is our machinery's, never a student's."""
    result = shell.run_cell("pass", store_history=False, silent=True)
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        raise RuntimeError(f"the judge's shell cannot run a cell {where}: "
                           f"{type(error).__name__}: {error}")


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _send_grader(tag, payload):
    _write_all(1, HEADER.pack(tag, len(payload)) + payload)


class Host:
    """The fork server: one child at a time, frames relayed both ways with a size cap."""

    def __init__(self, settings, shell):
        self.settings, self.shell = settings, shell
        self.cap = int(settings["frame_cap"])
        self.child_pid, self.sock = None, None
        self.from_grader = b""
        self.from_child = b""
        self.to_child = b""

    def run(self):
        _send_grader(b"H", json.dumps({"ready": True, "pid": os.getpid()}).encode())
        while True:
            readers = [0] + ([self.sock] if self.sock is not None else [])
            writers = [self.sock] if self.sock is not None and self.to_child else []
            readable, writable, _ = select.select(readers, writers, [])
            if 0 in readable:
                chunk = os.read(0, 1 << 20)
                if not chunk:
                    self._end_child()
                    return
                self.from_grader += chunk
                self._grader_frames()
            if self.sock is not None and self.sock in writable:
                try:
                    sent = self.sock.send(self.to_child[:1 << 20])
                    self.to_child = self.to_child[sent:]
                except OSError:
                    self.to_child = b""
            if self.sock is not None and self.sock in readable:
                self._child_frames()

    def _grader_frames(self):
        while len(self.from_grader) >= HEADER.size:
            tag, size = HEADER.unpack_from(self.from_grader)
            if len(self.from_grader) < HEADER.size + size:
                return
            payload = self.from_grader[HEADER.size:HEADER.size + size]
            self.from_grader = self.from_grader[HEADER.size + size:]
            if tag == b"C":
                if self.sock is not None:
                    self.to_child += CHILD_HEADER.pack(size) + payload
            elif tag == b"H":
                request = json.loads(payload)
                if request["op"] == "spawn":
                    self._end_child()
                    self._spawn()
                    _send_grader(b"H", json.dumps({"spawned": self.child_pid}).encode())
                elif request["op"] == "end":
                    self._end_child()
                    _send_grader(b"H", b'{"ended": true}')

    def _child_frames(self):
        try:
            chunk = self.sock.recv(1 << 20)
        except OSError:
            chunk = b""
        if not chunk:
            self._close_child()
            _send_grader(b"E", b"{}")
            return
        self.from_child += chunk
        while len(self.from_child) >= CHILD_HEADER.size:
            (size,) = CHILD_HEADER.unpack_from(self.from_child)
            if size > self.cap:
                self._end_child()
                _send_grader(b"X", json.dumps({"size": size}).encode())
                return
            if len(self.from_child) < CHILD_HEADER.size + size:
                return
            payload = self.from_child[CHILD_HEADER.size:CHILD_HEADER.size + size]
            self.from_child = self.from_child[CHILD_HEADER.size + size:]
            _send_grader(b"C", payload)

    def _spawn(self):
        host_end, child_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                host_end.close()
                status = child_main(child_end, self.settings, self.shell)
            except BaseException as error:  # noqa: BLE001 - our setup failed: say why
                try:
                    _send(child_end, {"setup_error": f"{type(error).__name__}: {error}"[:500]})
                except BaseException:  # noqa: BLE001
                    pass
            finally:
                os._exit(status)
        child_end.close()
        self.child_pid, self.sock = pid, host_end
        self.from_child = self.to_child = b""

    def _close_child(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _end_child(self):
        """Kill the child (its PID namespace dies with its pid 1) and reap it."""
        self._close_child()
        if self.child_pid is not None:
            try:
                os.kill(self.child_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.child_pid = None
        # Its namespace's processes, killed with their pid 1, are re-parented here: reap all.
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
        self.from_child = self.to_child = b""


def host_main():
    settings = _settings()
    libc = ctypes.CDLL(None, use_errno=True)
    # Not dumpable: a child (same uid, another user namespace) cannot open /proc/HOST/mem.
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a stray interrupt is for children only
    shell = _prepare()
    settings["import_paths"] = [path for path in sys.path if path and os.path.isdir(path)]
    # Compiled once here, run in each child (which gets its own copy of everything it runs).
    settings["probe_code"] = compile(settings["probe"], "<catvnoncat-probe>", "exec")
    Host(settings, shell).run()


# -- a judge child ----------------------------------------------------------------------------
class _Discard(io.TextIOBase):
    """Where a child's prints go: nowhere (nothing reaches the grader's descriptors)."""

    def writable(self):
        return True

    def write(self, text):
        return len(text)


def _check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _isolate(settings, libc):
    """New namespaces and fresh scratch mounts; True when isolated (False: unsandboxed mode)."""
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID) != 0:
        if settings.get("require_isolation", True):
            _check(-1, "unshare")
        return False
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                       ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)
    _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    # Read-only trees the sandbox bound inside the scratch (a Python environment under /tmp):
    # held open now, bound again over the fresh tmpfs below, else every module not imported
    # yet would be gone for the student's cells.
    kept = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY))
            for path in settings.get("kept_in_scratch", ())]
    for path, size in ((settings["scratch"], settings["scratch_mb"]),
                       ("/dev/shm", settings["shm_mb"])):
        options = f"size={int(size) * 1024 * 1024},mode=0755".encode()
        _check(libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options),
               f"mount tmpfs {path}")
    for path, fd in kept:
        os.makedirs(path, mode=0o755, exist_ok=True)
        _check(libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND | MS_REC,
                          None), f"mount --rbind {path}")
        os.close(fd)
        if not os.statvfs(path).f_flag & os.ST_RDONLY:  # (locked read-only: never expected)
            raise OSError(f"{path} is writable after binding it again")
    work, home = settings["work_dir"], settings["home"]
    os.makedirs(work, exist_ok=True)
    os.makedirs(home, exist_ok=True)
    _copy_regular(settings["submission"], work)
    return True


def _copy_regular(source, target):
    """Copy folders, regular files and symlinks (as links), writable by the owner; skip what
    cannot be read and any other kind of file (a fifo would block the copy), as ``cp -R`` skips
    what it cannot copy."""
    import stat

    for folder, dirs, files in os.walk(source):
        into = os.path.join(target, os.path.relpath(folder, source))
        os.makedirs(into, exist_ok=True)
        for name in [*dirs, *files]:
            path, copy = os.path.join(folder, name), os.path.join(into, name)
            try:
                mode = os.lstat(path).st_mode
                if stat.S_ISLNK(mode):
                    os.symlink(os.readlink(path), copy)
                elif stat.S_ISREG(mode):
                    shutil.copyfile(path, copy, follow_symlinks=False)
                    os.chmod(copy, stat.S_IMODE(mode) | 0o200)
            except OSError:
                continue


def _restrict(settings, libc):
    """Pid 1 of the child's namespace: own /proc, no capabilities, no new user namespace."""
    libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV, None)  # refused under bwrap
    # (its /proc has read-only binds on top); the host's pid then shows, but is not dumpable.

    class CapHeader(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class CapData(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header, data = CapHeader(0x20080522, 0), (CapData * 2)()
    _check(libc.capset(ctypes.byref(header), data), "capset")
    program = base64.b64decode(settings["child_filter"])
    if program:
        class SockFprog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

        fprog = SockFprog(len(program) // 8, program)
        _check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
               "seccomp")


def _recv_exactly(sock, size):
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _receive(sock):
    (size,) = CHILD_HEADER.unpack(_recv_exactly(sock, CHILD_HEADER.size))
    return json.loads(_recv_exactly(sock, size))


def _send(sock, message):
    payload = json.dumps(message).encode()
    sock.sendall(CHILD_HEADER.pack(len(payload)) + payload)


def child_main(sock, settings, shell):
    """The forked child: isolate, then become pid 1 and serve. Returns an exit status."""
    os.setsid()  # kill(0, ...) from student code reaches its own group, not the host
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    keep = sock.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # (the host is not; /proc/self/uid_map needs it)
    _receive(sock)  # "start": sent once the grader has this process in its accounting group
    isolated = _isolate(settings, libc)
    if isolated:
        pid = os.fork()
        if pid != 0:
            sock.close()
            _, status = os.waitpid(pid, 0)
            return os.waitstatus_to_exitcode(status) & 0xFF
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if isolated:
        _restrict(settings, libc)
    # What the host could import from, and every tree the sandbox bound, must still be there
    # after isolation: a folder hidden by the fresh scratch would fail every student cell, as
    # if the student's code did.
    for path in [*settings.get("import_paths", ()), *settings.get("read_only_trees", ())]:
        if not os.path.isdir(path):
            raise RuntimeError(f"{path} (bound in the judge's sandbox) is not visible in the "
                               f"judge child")
    _check_shell(shell, "in a judge child")
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(settings["work_dir"] if isolated else settings["submission"])
    sys.path.insert(0, "")
    sys.stdout = sys.stderr = _Discard()
    probe = {"__name__": "catvnoncat_probe"}
    exec(settings["probe_code"], probe)
    _send(sock, {"started": True, "isolated": isolated})
    serve_child(sock, shell, probe["serve"])
    return 0


def serve_child(sock, shell, serve):
    """Run cells and answer probes until the grader closes the channel."""
    while True:
        try:
            message = _receive(sock)
        except EOFError:
            return
        except KeyboardInterrupt:
            continue  # an interrupt that came late, between requests
        try:
            if message.get("op") == "cell":
                shell.run_cell(message["source"], store_history=False, silent=False)
                reply = {"ran": True}
            elif message.get("op") == "probe":
                def ask(question):
                    _send(sock, {"ask": question})
                    return _receive(sock)

                reply = {"answer": serve(message["request"], shell.user_ns, ask)}
            else:
                reply = {"error": "unknown op"}
        except EOFError:
            return
        except BaseException as error:  # noqa: BLE001 - KeyboardInterrupt, SystemExit, ...
            reply = {"answer": {"error": f"{type(error).__name__}"}}
        sys.stdout = sys.stderr = _Discard()
        try:
            _send(sock, reply)
        except (OSError, KeyboardInterrupt):
            return


if _settings():
    host_main()
