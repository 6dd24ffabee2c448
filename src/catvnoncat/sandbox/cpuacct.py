"""CPU time of a sandboxed kernel's whole process tree, read from outside the sandbox.

The grader, not the kernel, says which processes are counted: it places the sandbox's host
processes in a cgroup v1 ``cpuacct`` group of their own (:class:`CgroupAccount`), created under
the grader's own cpuacct cgroup, before any student code runs. Every process and thread the
kernel starts later is born in the group, so work handed to a thread, a fork or a daemon is
counted too, and the sandbox (no /sys, its own cgroup namespace, an unprivileged uid) cannot
leave the group. The kernel reports nothing: the grader reads ``cpuacct.usage``.

Where cgroups are not writable (not root, cgroup v2 only), :class:`ProcTreeAccount` sums
``utime + stime + cutime + cstime`` of ``/proc/<pid>/stat`` over the sandbox's process tree, as
the grader sees it from the host. That misses the CPU of processes that exited without being
reaped inside the tree; :func:`account_for` says which of the two it gives (``kind``).
"""

from __future__ import annotations

import itertools
import os
import time

from . import groups as _groups
from .provisioner import descendants

__all__ = ["CgroupAccount", "ProcTreeAccount", "account_for", "cpuacct_root",
           "remove_orphaned_groups", "GROUP_PREFIX"]

#: Groups this module creates are named ``catvnoncat-<grader pid>-<n>``.
GROUP_PREFIX = _groups.GROUP_PREFIX
_numbers = itertools.count()
_TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def cpuacct_root(mountinfo="/proc/self/mountinfo", cgroup="/proc/self/cgroup"):
    """The folder of this process's own cgroup v1 ``cpuacct`` group, or None."""
    return _groups.own_group("cpuacct", mountinfo, cgroup)


class CgroupAccount:
    """A cpuacct group of its own for one process tree; :meth:`close` removes it.

    Parameters
    ----------
    path : str
        The group's folder (made by :meth:`create`).
    """

    kind = "cgroup"
    #: Nanoseconds one reading may be off by (cpuacct.usage counts nanoseconds).
    resolution_ns = 0

    def __init__(self, path):
        self.path = path

    @classmethod
    def create(cls, parent=None):
        """A new, empty group under ``parent`` (default: the grader's own); None if not allowed."""
        parent = parent or cpuacct_root()
        if parent is None:
            return None
        path = os.path.join(parent, f"{GROUP_PREFIX}{os.getpid()}-{next(_numbers)}")
        try:
            os.mkdir(path)
            with open(os.path.join(path, "cpuacct.usage")) as f:
                f.read()
        except OSError:
            return None
        return cls(path)

    def add_tree(self, pid):
        """Move ``pid`` and all its descendants into the group (threads go with their process).

        The root goes first, so a child forked meanwhile is born inside; the walk is repeated
        until it finds nobody left outside.
        """
        for _ in range(10):
            moved = 0
            for member in [pid, *descendants(pid)]:
                if member not in self.pids():
                    moved += self._move(member, self.path)
            if moved == 0:
                return
        raise OSError(f"the process tree of {pid} kept changing while it was moved")

    @staticmethod
    def _move(pid, folder):
        try:
            with open(os.path.join(folder, "cgroup.procs"), "w") as f:
                f.write(str(pid))
            return 1
        except ProcessLookupError:
            return 0  # gone meanwhile
        except OSError as error:
            if os.path.exists(f"/proc/{pid}"):
                raise error
            return 0

    def pids(self):
        """The processes in the group now."""
        try:
            with open(os.path.join(self.path, "cgroup.procs")) as f:
                return {int(line) for line in f if line.strip()}
        except OSError:
            return set()

    def cpu_ns(self):
        """CPU nanoseconds used by every process ever in the group (user and system)."""
        with open(os.path.join(self.path, "cpuacct.usage")) as f:
            return int(f.read())

    def close(self, timeout=5.0):
        """Move what is left to the parent group and remove the group (after the kernel died)."""
        parent = os.path.dirname(self.path)
        deadline = time.monotonic() + timeout
        while os.path.isdir(self.path):
            for pid in self.pids():
                try:
                    self._move(pid, parent)
                except OSError:
                    pass
            try:
                os.rmdir(self.path)
            except OSError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.005)
        return True


def _stat_times(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    # utime, stime, cutime, cstime are fields 14-17 of stat (11-14 after the ")").
    return sum(int(v) for v in fields[11:15])


class ProcTreeAccount:
    """The fallback: CPU ticks of ``/proc/<pid>/stat`` summed over a process tree.

    Coarse (clock ticks, 10 ms on most systems) and blind to processes that exited without
    being waited for inside the tree; used only where no cgroup can be made.
    """

    kind = "proc"
    #: One reading may be off by a clock tick (the kernel samples per tick).
    resolution_ns = _TICK_NS

    def __init__(self, pid):
        self.pid = pid

    def cpu_ns(self):
        return sum(_stat_times(p) for p in [self.pid, *descendants(self.pid)]) * _TICK_NS

    def close(self):
        return True


def account_for(pid, parent=None):
    """The CPU account of ``pid``'s process tree: a cgroup of its own if possible, else /proc.

    Returns
    -------
    CgroupAccount or ProcTreeAccount
        ``.kind`` says which (``"cgroup"`` or ``"proc"``).
    """
    remove_orphaned_groups(parent)
    group = CgroupAccount.create(parent)
    if group is not None:
        try:
            group.add_tree(pid)
            return group
        except OSError:
            group.close(timeout=0)
    return ProcTreeAccount(pid)


def remove_orphaned_groups(parent=None):
    """Remove the empty groups of graders that died under ``parent`` (default: this grader's
    own cpuacct group); return their names (:func:`.groups.remove_orphaned_groups`)."""
    return _groups.remove_orphaned_groups(parent or cpuacct_root())
