"""Processes below a given one, read from /proc (for tests that watch what a grading started)."""

from pathlib import Path

__all__ = ["descendants"]


def descendants(root):
    """PIDs of every process whose parent chain leads to ``root`` (not ``root`` itself).

    Parameters
    ----------
    root : int
        A PID of this PID namespace.

    Returns
    -------
    list of int
        Children first, then their children, depth first; a process that exits while /proc is
        read is left out.
    """
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, frontier = [], [root]
    while frontier:
        for child in children.get(frontier.pop(), []):
            found.append(child)
            frontier.append(child)
    return found
