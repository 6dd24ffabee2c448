"""CPU time of a judge child and everything it starts, read from outside its sandbox.

Used by :meth:`catvnoncat.judge.child_prober.ChildProber.cpu_ns`; nothing here asks the child.
"""

import itertools
import os
import time

from .provisioner import descendants

__all__ = ["CpuAccount"]

_counter = itertools.count()


def _stat_cpu_ns(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    ticks = sum(int(v) for v in fields[11:15])   # utime, stime, cutime, cstime
    return ticks * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


class CpuAccount:
    """CPU time of one judge child and everything it starts, read from outside the sandbox.

    A cgroup v1 ``cpuacct`` group of its own under the grader's (``/proc/self/cgroup``), named
    per grader pid and child, when that hierarchy is writable (root); else the sum of
    ``/proc/PID/stat`` times over the child's process tree (children it reaped included, those
    it did not reap and that exited are lost: a lower bound).
    """

    def __init__(self, pid):
        self.pid = pid
        self.group = None
        base = _cpuacct_dir()
        if base is not None:
            group = os.path.join(base, f"catvnoncat-judge-{os.getpid()}-{next(_counter)}")
            try:
                os.mkdir(group)
                with open(os.path.join(group, "cgroup.procs"), "w") as f:
                    f.write(str(pid))
                self.group = group
            except OSError:
                self._remove(group)

    def ns(self):
        if self.group is not None:
            try:
                with open(os.path.join(self.group, "cpuacct.usage")) as f:
                    return int(f.read())
            except (OSError, ValueError):
                pass
        return sum(_stat_cpu_ns(p) for p in [self.pid, *descendants(self.pid)])

    def close(self):
        if self.group is not None:
            self._remove(self.group)
            self.group = None

    @staticmethod
    def _remove(group):
        for _ in range(50):
            try:
                os.rmdir(group)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)  # its last tasks are still exiting


def _cpuacct_dir():
    """The grader's own cpuacct cgroup folder when it is writable, else None."""
    try:
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "cpuacct" in controllers.split(","):
            for mount in ("/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu,cpuacct"):
                folder = os.path.join(mount, path.lstrip("/"))
                if os.path.isdir(folder) and os.access(folder, os.W_OK):
                    return folder
    return None
