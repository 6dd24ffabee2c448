"""The kernel's standard output and error: a pipe the grader drains and discards.

A kernel that inherited the grader's stdout and stderr could write into the grading log (20 MB
seen) and print forged result lines on the instructor's console. Its descriptors 1 and 2 are
instead the write end of a pipe of its own; a daemon thread of the grader reads it to the end
(so a kernel never blocks on a full pipe), keeps the first :attr:`KernelStdio.kept_bytes` for
the debug log (escaped, never as lines of their own) and discards the rest.
"""

from __future__ import annotations

import os
import threading

__all__ = ["KernelStdio"]


class KernelStdio:
    """One kernel's stdout/stderr pipe.

    Parameters
    ----------
    kept_bytes : int
        How much of what the kernel writes is kept for the debug log; the rest is read and
        dropped.

    Attributes
    ----------
    write_fd : int or None
        Give it to the kernel's ``Popen`` as ``stdout`` and ``stderr``; closed in the grader by
        :meth:`started`.
    """

    def __init__(self, kept_bytes: int = 64 * 1024) -> None:
        self.kept_bytes = kept_bytes
        self._read_fd, self.write_fd = os.pipe()
        self.head = bytearray()
        self.total = 0
        self._thread: threading.Thread | None = None

    def started(self) -> None:
        """The kernel holds the write end now: close the grader's copy and start draining."""
        if self.write_fd is not None:
            os.close(self.write_fd)
            self.write_fd = None
        self._thread = threading.Thread(target=self._drain, name="kernel-stdio", daemon=True)
        self._thread.start()

    def failed(self) -> None:
        """The kernel did not start: close both ends."""
        for fd in (self.write_fd, self._read_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.write_fd = self._read_fd = None

    def _drain(self) -> None:
        fd = self._read_fd
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return
                self.total += len(chunk)
                room = self.kept_bytes - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
        except OSError:
            return
        finally:
            try:
                os.close(fd)
            except OSError:
                pass

    def wait(self, timeout: float | None = None) -> None:
        """Wait until the kernel and all its processes have closed the pipe."""
        if self._thread is not None:
            self._thread.join(timeout)

    def summary(self) -> str:
        """One line for the debug log: how much was written and the start of it, escaped."""
        head = bytes(self.head[:400]).decode("utf-8", "replace").encode("unicode_escape")
        return f"{self.total} bytes written to stdout/stderr, discarded (start: {head.decode()!s})"
