"""A sandbox's share of the machine: cgroup v1 groups for its memory, processes and CPU.

Per-process limits (``prlimit`` in :mod:`.policy`) bound each process, not a sandbox: twenty
in-memory files or six forked children each stay under their own limit while together they take
the machine. So every sandbox (the notebook kernel's; the judge host's, with all the judge
children it forks) is started inside groups of its own, one per hierarchy:

- ``memory``: ``memory.limit_in_bytes`` (and ``memory.memsw.limit_in_bytes``, so swap is no way
  round it) over every page its processes use, shared memory, tmpfs files and memfd included;
  past it the kernel's OOM killer stops a process of the group, never one outside;
- ``pids``: ``pids.max`` over its processes and threads together;
- ``cpu``: ``cpu.cfs_quota_us``: at most ``cpus`` cores at once, so 64 spinning processes of one
  submission cannot starve a classmate graded beside it.

The groups are made under the grader's own group of each hierarchy (``/proc/self/cgroup``),
never at a hierarchy's root, named ``catvnoncat-<grader pid>-<n>`` (unique per grading process,
and :func:`.cpuacct.remove_orphaned_groups` removes those of graders that died), and the sandbox
is placed in them before bubblewrap forks: the command is prefixed with a shell that writes its
own pid into each group and then ``exec`` s bubblewrap. :meth:`SandboxGroups.close` removes them.

Where they cannot be made (not root, cgroup v2 only), :func:`create` returns None and the caller
grades with the per-process limits only, saying so (:func:`per_process_only_warning`).
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from dataclasses import dataclass

__all__ = ["SandboxGroups", "own_group", "create", "per_process_only_warning",
           "sandboxes_without_groups", "PER_PROCESS_ONLY", "GROUP_PREFIX",
           "CONTROLLERS", "remove_orphaned_groups"]

#: Same prefix as :mod:`.cpuacct`'s groups (one clean-up for both).
GROUP_PREFIX = "catvnoncat-"
#: The hierarchies a sandbox gets a group in.
CONTROLLERS = ("memory", "pids", "cpu")
#: The CFS period the quota is a share of (the kernel's default).
CFS_PERIOD_US = 100_000
_numbers = itertools.count()
LOG = logging.getLogger(__name__)


def own_group(controller, mountinfo="/proc/self/mountinfo", cgroup="/proc/self/cgroup"):
    """The folder of this process's own cgroup v1 group of ``controller``, or None.

    Read from the mount table (where the hierarchy holding ``controller`` is mounted, alone or
    with others, e.g. ``cpu,cpuacct``) and ``/proc/self/cgroup`` (where in it this process is).
    """
    try:
        with open(cgroup) as f:
            lines = f.read().splitlines()
        with open(mountinfo) as f:
            mounts = f.read().splitlines()
    except OSError:
        return None
    inside = None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3 and controller in parts[1].split(","):
            inside = parts[2]
    if inside is None:
        return None
    for line in mounts:
        fields = line.split()
        if " - cgroup " not in line or len(fields) < 5:
            continue
        if controller in line.rsplit(" ", 1)[-1].split(","):
            root, mountpoint = fields[3], fields[4]
            relative = os.path.relpath(inside, root) if inside.startswith(root) else inside
            folder = os.path.normpath(os.path.join(mountpoint, relative.lstrip("/")))
            return folder if os.path.isdir(folder) else None
    return None


def _write(folder, name, value):
    with open(os.path.join(folder, name), "w") as f:
        f.write(str(value))


@dataclass
class SandboxGroups:
    """The groups of one sandbox, by controller (``{"memory": folder, ...}``)."""

    paths: dict
    memory_mb: int
    processes: int
    cpus: float

    def wrap(self, argv):
        """``argv`` started inside the groups: a shell joins them, then becomes ``argv``."""
        procs = [os.path.join(path, "cgroup.procs") for path in self.paths.values()]
        join = ('n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; '
                'n=$((n - 1)); done; exec "$@"')
        return ["/bin/sh", "-c", join, "catvnoncat-join", str(len(procs)), *procs, *argv]

    def _read(self, controller, name):
        try:
            with open(os.path.join(self.paths[controller], name)) as f:
                return f.read()
        except (KeyError, OSError):
            return ""

    def memory_peak_bytes(self):
        """The most memory the sandbox held at once (``memory.max_usage_in_bytes``), or None."""
        value = self._read("memory", "memory.max_usage_in_bytes").strip()
        return int(value) if value.isdigit() else None

    def limits_reached(self):
        """Which limits the sandbox ran into: ``{"memory": processes killed at it, "pids":
        forks refused}`` (the non-zero ones)."""
        reached = {}
        # The processes the OOM killer stopped in the group (memory.failcnt stays 0 on some
        # kernels even then).
        for line in self._read("memory", "memory.oom_control").splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit() and int(value):
                reached["memory"] = int(value)
        for line in self._read("pids", "pids.events").splitlines():
            key, _, value = line.partition(" ")
            if key == "max" and value.strip().isdigit() and int(value):
                reached["pids"] = int(value)
        return reached

    def pids(self):
        """Every process in any of the groups now."""
        found = set()
        for controller in self.paths:
            found |= {int(p) for p in self._read(controller, "cgroup.procs").split() if p.isdigit()}
        return found

    def close(self, timeout=5.0):
        """Kill what is left in the groups and remove them; True when all are gone."""
        deadline = time.monotonic() + timeout
        for pid in self.pids():
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        gone = True
        for path in self.paths.values():
            while os.path.isdir(path):
                try:
                    os.rmdir(path)
                except OSError:
                    if time.monotonic() > deadline:
                        gone = False
                        break
                    for pid in self.pids():
                        try:
                            os.kill(pid, 9)
                        except OSError:
                            pass
                    time.sleep(0.005)  # (killed processes take a few ms to leave)
        return gone


def create(memory_mb, processes, cpus):
    """New groups for one sandbox under the grader's own, with these limits; None where any of
    :data:`CONTROLLERS` cannot be written (a half-limited sandbox would promise too much)."""
    made = {}
    try:
        for controller in CONTROLLERS:
            parent = own_group(controller)
            if parent is None:
                raise OSError(f"no cgroup v1 {controller} hierarchy")
            remove_orphaned_groups(parent)
            path = os.path.join(parent, f"{GROUP_PREFIX}{os.getpid()}-g{next(_numbers)}")
            os.mkdir(path)
            made[controller] = path
        memory = made["memory"]
        _write(memory, "memory.limit_in_bytes", memory_mb * 2**20)
        if os.path.exists(os.path.join(memory, "memory.memsw.limit_in_bytes")):
            _write(memory, "memory.memsw.limit_in_bytes", memory_mb * 2**20)
        _write(made["pids"], "pids.max", processes)
        _write(made["cpu"], "cpu.cfs_period_us", CFS_PERIOD_US)
        _write(made["cpu"], "cpu.cfs_quota_us", max(1000, int(cpus * CFS_PERIOD_US)))
    except OSError as error:
        for path in made.values():
            try:
                os.rmdir(path)
            except OSError:
                pass
        LOG.debug("no cgroups for the sandbox: %s", error)
        return None
    return SandboxGroups(made, memory_mb, processes, cpus)


def remove_orphaned_groups(parent):
    """Remove the empty groups under ``parent`` of graders that died (their pid no longer runs;
    the pid is the first number after :data:`GROUP_PREFIX`); return their names."""
    removed = []
    if parent is None:
        return removed
    for name in os.listdir(parent):
        if not name.startswith(GROUP_PREFIX):
            continue
        owner = name[len(GROUP_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
            try:
                os.rmdir(os.path.join(parent, name))
                removed.append(name)
            except OSError:
                pass  # still has processes: kill_orphaned_sandboxes stops them first
    return removed


_warned = False
_without_groups = 0
#: What a graded notebook's metadata ``catvnoncat.limits`` says when a sandbox of its
#: submission had no groups; the class report lists those submissions.
PER_PROCESS_ONLY = "per-process only"


def sandboxes_without_groups():
    """How many sandboxes this process has started with per-process limits only (a grading
    step compares the count before and after a submission, to say so in its notebook)."""
    return _without_groups


def per_process_only_warning(log=None):
    """Say, once per grading process, that a sandbox got per-process limits only (each call
    counts one such sandbox: :func:`sandboxes_without_groups`)."""
    global _warned, _without_groups
    _without_groups += 1
    if _warned:
        return
    _warned = True
    (log or LOG).warning(
        "catvnoncat: no cgroup could be made for the grading sandboxes (the grader is not root, "
        "or this machine has cgroup v2 only): each sandbox is limited per process only, so a "
        "submission's processes together may use more memory, processes and CPU than the "
        "README's table says. Grade as root on a cgroup v1 machine for the full limits.")
