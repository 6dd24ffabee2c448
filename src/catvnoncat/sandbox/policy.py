"""What a grading kernel may do, and the bubblewrap command line that enforces it.

`SandboxPolicy` is plain data and `bwrap_argv` a pure function of it (no I/O), so the whole
command is unit-tested without starting anything. `check_bubblewrap` is the one function here
that runs a process: it starts a trivial sandbox to learn whether this machine can run one.

The command built by `bwrap_argv`, outermost first::

    [setpriv --pdeathsig=KILL sh -c '[ $PPID = GRADER ] || exit 70 ...']  # dies with its grader
    [unshare --mount ... sh -c 'mount --bind SRC STAGE ...; exec "$@"']   # root, private paths
    [setpriv --reuid U --regid U --clear-groups --pdeathsig=KILL sh ...]  # root: unprivileged uid
    prlimit --as --cpu --fsize --core [--nproc as root]                  # per-process limits
    bwrap --unshare-all ... --clearenv --setenv ...                       # namespaces, mounts
    sh -c 'cp -R submission/. work/; exec "$@"'                           # the scratch copy
    prlimit --nproc                                                       # the sandbox's own count
    python -m ipykernel_launcher -f CONNECTION_FILE

The process limit is set inside the sandbox's user namespace, where the kernel counts its own
processes and threads only (RLIMIT_NPROC is counted per user namespace): the grader's other
processes, and the other kernels of a parallel run under the same uid, neither take from it
nor add to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MB = 1024 * 1024

#: Top-level system paths that a Debian merged-/usr system has as symlinks into /usr.
MERGED_USR_LINKS: Mapping[str, str] = {
    "/bin": "usr/bin",
    "/sbin": "usr/sbin",
    "/lib": "usr/lib",
    "/lib64": "usr/lib64",
    "/lib32": "usr/lib32",
    "/libx32": "usr/libx32",
}

#: Files of /etc the kernel needs (dynamic loader, time zone, user names); the rest of /etc
#: (credentials in gitconfig, npmrc, package-manager config...) stays outside.
DEFAULT_ETC = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/hosts",
    "/etc/fonts",  # fontconfig: without it matplotlib writes an error to stderr
)

#: Host variables copied into the kernel when set; everything else is dropped.
DEFAULT_ENV_ALLOW = ("LANG", "LC_ALL", "LC_CTYPE", "TZ")

#: Variables the kernel always gets (PATH and CATVNONCAT_DATA are added by `kernel_env`).
DEFAULT_ENV_FIXED: tuple[tuple[str, str], ...] = (
    ("HOME", "/tmp/home"),
    ("TMPDIR", "/tmp"),
    ("MPLBACKEND", "module://matplotlib_inline.backend_inline"),
    ("MPLCONFIGDIR", "/tmp/home/.config/matplotlib"),
    ("OPENBLAS_NUM_THREADS", "1"),
    ("OMP_NUM_THREADS", "1"),
    ("MKL_NUM_THREADS", "1"),
    ("PYTHONNOUSERSITE", "1"),
    ("PYTHONDONTWRITEBYTECODE", "1"),
    # flock/fcntl locks fail in the sandbox (seccomp): h5py must not ask for one.
    ("HDF5_USE_FILE_LOCKING", "FALSE"),
)

# Inside the sandbox: one size-limited tmpfs at /tmp holds everything writable.
SCRATCH = "/tmp"
WORK_DIR = "/tmp/work"
SUBMISSION_MOUNT = "/run/submission"
DATA_MOUNT = "/run/datasets"

# Copy the submission into the scratch, then become the kernel. A file the sandbox uid cannot
# read is skipped (cp says so on stderr) rather than stopping the kernel.
_ENTER_SCRIPT = f'cp -R -p {SUBMISSION_MOUNT}/. {WORK_DIR}/; chmod -R u+w {WORK_DIR}; exec "$@"'

# The launch chain dies with the grader: each step keeps SIGKILL as its parent-death signal
# (setpriv sets it; exec keeps it; a uid change clears it, so the uid switch sets it again),
# and this check runs right after it is set, so a grader that died before is seen too: the
# shell's $PPID is then no longer the grader's pid. bwrap's --die-with-parent takes over.
_PARENT_CHECK_SCRIPT = '[ "$PPID" = "$0" ] || exit 70; exec "$@"'

# Open the seccomp filter on descriptor 3 for bwrap's --seccomp 3, then become bwrap.
_SECCOMP_OPEN_SCRIPT = 'exec 3<"$0" || exit 125; exec "$@"'

# Root only: bind paths the sandbox uid cannot reach (e.g. a Python under /root, mode 0700)
# onto stage folders it can, in a private mount namespace that dies with the kernel.
_STAGE_SCRIPT = (
    'while [ "$1" != -- ]; do mount --bind -o ro "$1" "$2" || exit 125; shift 2; done; '
    'shift; exec "$@"'
)


@dataclass(frozen=True)
class SandboxPolicy:
    """Limits and visibility of one sandboxed kernel.

    Parameters
    ----------
    memory_mb : int
        Address space of each process (RLIMIT_AS), in MiB.
    max_processes : int
        Processes and threads of the kernel (RLIMIT_NPROC, counted in its user namespace).
    cpu_seconds : int
        CPU time of each process (RLIMIT_CPU): SIGXCPU at the limit, SIGKILL one second later.
    max_file_mb : int
        Largest file a process may write (RLIMIT_FSIZE), in MiB.
    scratch_mb : int
        Size of the tmpfs at /tmp holding the working copy, HOME and every other write, in MiB.
    shm_mb : int
        Size of /dev/shm (POSIX shared memory, e.g. multiprocessing locks), in MiB.
    ro_binds : tuple of str
        Host paths bound read-only at the same path (the Python installation).
    masked : tuple of str
        Paths inside `ro_binds` hidden under an empty tmpfs (e.g. a non-editable catvnoncat).
    etc : tuple of str
        Files and folders of /etc bound read-only when present.
    env_allow : tuple of str
        Host variables passed on when set.
    env_fixed : tuple of (str, str)
        Variables always set in the kernel.
    uid : int or None
        Host uid (and gid) the kernel runs as; None keeps the current user.
    """

    memory_mb: int = 3072
    max_processes: int = 64
    cpu_seconds: int = 900
    max_file_mb: int = 256
    scratch_mb: int = 512
    shm_mb: int = 64
    ro_binds: tuple[str, ...] = ()
    masked: tuple[str, ...] = ()
    etc: tuple[str, ...] = DEFAULT_ETC
    env_allow: tuple[str, ...] = DEFAULT_ENV_ALLOW
    env_fixed: tuple[tuple[str, str], ...] = field(default=DEFAULT_ENV_FIXED)
    uid: int | None = None

    def prlimit_args(self) -> list[str]:
        """``prlimit`` options set before bwrap, soft and hard alike (no raising them back).

        The process count is limited here only for a uid of the kernel's own (as root): a
        user's count covers all of that user's processes, which the kernel must not share.
        """
        nproc = [f"--nproc={self.max_processes}"] if self.uid is not None else []
        return [
            f"--as={self.memory_mb * MB}",
            *nproc,
            # The hard limit one second later: SIGXCPU first, then SIGKILL for a kernel
            # that ignores it.
            f"--cpu={self.cpu_seconds}:{self.cpu_seconds + 1}",
            f"--fsize={self.max_file_mb * MB}",
            "--core=0",
        ]

    def inner_prlimit_args(self) -> list[str]:
        """``prlimit`` options set inside the user namespace: the kernel's own process count."""
        return [f"--nproc={self.max_processes}"]


def kernel_env(
    policy: SandboxPolicy, host_env: Mapping[str, str], *, path: str, data_dir: str | None
) -> dict[str, str]:
    """The kernel's whole environment: allow-listed host values, then the fixed ones.

    Parameters
    ----------
    policy : SandboxPolicy
    host_env : mapping
        The environment the kernel manager would have passed (never mutated).
    path : str
        PATH inside the sandbox.
    data_dir : str or None
        Where the datasets are mounted inside; sets ``CATVNONCAT_DATA`` when given.

    Returns
    -------
    dict
        Nothing else reaches the kernel: not ``JPY_PARENT_PID`` (ipykernel would exit, its
        parent being outside the PID namespace), not ``CATVNONCAT_GRADEBOOK_URL``.
    """
    env = {k: host_env[k] for k in policy.env_allow if k in host_env}
    env.update(policy.env_fixed)
    env["PATH"] = path
    if data_dir is not None:
        env["CATVNONCAT_DATA"] = data_dir
    return env


def bwrap_argv(
    policy: SandboxPolicy,
    kernel_cmd: Sequence[str],
    *,
    scratch_source: str,
    runtime_dir: str | None,
    connection_file: str | None,
    env: Mapping[str, str],
    data_dir: str | None = None,
    staged: Mapping[str, str] | None = None,
    host_links: Mapping[str, str] = MERGED_USR_LINKS,
    bwrap: str = "bwrap",
    prlimit: str = "prlimit",
    setpriv: str = "setpriv",
    unshare: str = "unshare",
    grader_pid: int | None = None,
    seccomp_file: str | None = None,
    nested_userns: bool = False,
) -> list[str]:
    """The full command that runs `kernel_cmd` inside the sandbox described by `policy`.

    Parameters
    ----------
    policy : SandboxPolicy
    kernel_cmd : sequence of str
        The kernel's own command (absolute paths, valid inside the sandbox).
    scratch_source : str
        Host folder whose files the kernel gets a writable copy of (its submission folder);
        bound read-only at ``/run/submission``, copied into ``/tmp/work``.
    runtime_dir : str or None
        Host folder for the kernel's ipc sockets, bound read-write at the same path (None: the
        judge host, which talks through its standard descriptors, binds nothing).
    connection_file : str or None
        Bound read-only at the same path.
    env : mapping
        The kernel's environment (see `kernel_env`); set with ``--clearenv`` + ``--setenv``.
    data_dir : str, optional
        Host folder of the datasets, bound read-only at ``/run/datasets``.
    staged : mapping, optional
        Host path -> stage folder: bwrap reads the source from the stage folder, where a
        private mount namespace (``unshare``) binds it first. Empty when nothing is private.
    host_links : mapping
        Top-level system paths that are symlinks on the host, e.g. ``{"/lib": "usr/lib"}``;
        other candidates in `MERGED_USR_LINKS` are bound read-only when present.
    bwrap, prlimit, setpriv, unshare : str
        Executables.
    grader_pid : int, optional
        The process that starts the command: every step before bwrap is killed when it dies,
        also when it dies before the step starts (a grader killed while a kernel starts).
    seccomp_file : str, optional
        A BPF program (`catvnoncat.sandbox.seccomp`) bwrap loads before the command starts:
        opened on descriptor 3 by a shell just before bwrap (``--seccomp 3``).
    nested_userns : bool
        Leave out ``--disable-userns``: the judge host makes a user namespace per judge child
        (each child forbids further ones itself, with a seccomp filter).

    Returns
    -------
    list of str
    """
    staged = dict(staged or {})

    def src(path: str) -> str:
        return staged.get(path, path)

    args = [
        bwrap,
        "--unshare-all",  # net, pid, ipc, uts, cgroup, user
        "--unshare-user",  # required, not just "try"
        *([] if nested_userns else ["--disable-userns"]),  # less kernel attack surface
        "--die-with-parent",
        "--new-session",  # no TIOCSTI into the grader's terminal
        # The kernel itself is pid 1: no init process of bwrap's in the sandbox, which runs
        # before the process limit is set inside and which the kernel could ptrace into a
        # fork bomb beyond it (red team). The whole sandbox ends with the kernel.
        "--as-pid-1",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for top in MERGED_USR_LINKS:
        if top in host_links:
            args += ["--symlink", host_links[top], top]
        else:
            args += ["--ro-bind-try", top, top]
    for path in policy.etc:
        args += ["--ro-bind-try", path, path]
    # /dev is a tmpfs too: read-only except a small /dev/shm (device nodes stay writable).
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--size", str(policy.shm_mb * MB), "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
    args += ["--size", str(policy.scratch_mb * MB), "--tmpfs", SCRATCH]
    args += ["--dir", WORK_DIR, "--dir", env.get("HOME", "/tmp/home")]
    for path in policy.ro_binds:
        args += ["--ro-bind", src(path), path]
    for path in policy.masked:
        args += ["--tmpfs", path, "--remount-ro", path]
    args += ["--ro-bind", src(scratch_source), SUBMISSION_MOUNT]
    if data_dir is not None:
        args += ["--ro-bind", src(data_dir), DATA_MOUNT]
    if runtime_dir is not None:
        args += ["--bind", runtime_dir, runtime_dir]
    if connection_file is not None:
        args += ["--ro-bind", connection_file, connection_file]
    if seccomp_file is not None:
        args += ["--seccomp", "3"]
    # bwrap's own root is an unlimited tmpfs: read-only, so /tmp is the only place to write.
    args += ["--remount-ro", "/"]
    args += ["--chdir", WORK_DIR, "--clearenv"]
    for key in sorted(env):
        args += ["--setenv", key, env[key]]
    args += ["--", "/bin/sh", "-c", _ENTER_SCRIPT, "sh",
             prlimit, *policy.inner_prlimit_args(), "--", *kernel_cmd]

    def guarded(command: list[str], *setpriv_options: str) -> list[str]:
        if grader_pid is None:
            return [setpriv, *setpriv_options, "--", *command] if setpriv_options else command
        return [setpriv, *setpriv_options, "--pdeathsig=KILL", "--",
                "/bin/sh", "-c", _PARENT_CHECK_SCRIPT, str(grader_pid), *command]

    if seccomp_file is not None:
        args = ["/bin/sh", "-c", _SECCOMP_OPEN_SCRIPT, seccomp_file, *args]
    limited = [prlimit, *policy.prlimit_args(), "--", *args]
    if policy.uid is not None:
        limited = guarded(limited, f"--reuid={policy.uid}", f"--regid={policy.uid}",
                          "--clear-groups")
    if staged:
        pairs = [p for host, stage in staged.items() for p in (host, stage)]
        limited = [
            unshare,
            "--mount",
            "--propagation",
            "private",
            "--",
            "/bin/sh",
            "-c",
            _STAGE_SCRIPT,
            "catvnoncat-stage",
            *pairs,
            "--",
            *limited,
        ]
    return guarded(limited)


def host_links(root: str = "/") -> dict[str, str]:
    """Which of `MERGED_USR_LINKS` are symlinks on this host, and their targets."""
    links = {}
    for top in MERGED_USR_LINKS:
        path = os.path.join(root, top.lstrip("/"))
        if os.path.islink(path):
            links[top] = os.readlink(path)
    return links


INSTALL_HINT = (
    "Install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: "
    "`dnf install bubblewrap`) and allow unprivileged user namespaces "
    "(`sysctl kernel.unprivileged_userns_clone=1` on older Debian, "
    "`sysctl user.max_user_namespaces=15000`, on Ubuntu 24.04 "
    "`sysctl kernel.apparmor_restrict_unprivileged_userns=0`; in Docker, run the container with "
    "`--security-opt seccomp=unconfined --security-opt apparmor=unconfined`). Only if you accept "
    "running student code unsandboxed, set `c.BubblewrapProvisioner.allow_unsandboxed = True`."
)


def check_bubblewrap(
    bwrap: str = "bwrap", *, uid: int | None = None, setpriv: str = "setpriv", timeout: float = 20
) -> str | None:
    """Start a trivial sandbox; None when it ran, else a paragraph saying what failed and why.

    Parameters
    ----------
    bwrap : str
        The bwrap executable (a name looked up on PATH, or a path).
    uid : int, optional
        Run the check as this uid through ``setpriv`` (as the kernels will run).
    setpriv : str
    timeout : float
        Seconds before the check counts as failed.
    """
    found = shutil.which(bwrap)
    if found is None:
        return f"The kernel sandbox needs bubblewrap, but `{bwrap}` was not found. {INSTALL_HINT}"
    cmd = [
        found,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for top, target in host_links().items():
        cmd += ["--symlink", target, top]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true"]
    if uid is not None:
        cmd = [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--", *cmd]
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"The kernel sandbox could not start `{found}`: {exc}. {INSTALL_HINT}"
    if done.returncode != 0:
        said = done.stderr.strip() or f"exit status {done.returncode}"
        return f"`{found}` cannot create a sandbox on this machine ({said}). {INSTALL_HINT}"
    return None
