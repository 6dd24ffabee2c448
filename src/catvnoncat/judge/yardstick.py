"""The yardstick of the vectorization rule: whole-array code, timed in a child of the grader.

The rule (:mod:`.growth`) compares the student's CPU growth with the growth of the plain
whole-array formulas of the hints, answering the very same timing request through the same
probe code (:func:`catvnoncat.probe.kernel.time_call`). They run in a child process of the
grader's own, started once, with single-threaded BLAS like the sandboxed kernels: in the
grading process OpenBLAS's worker threads spin between calls and other judges' threads run,
which made the grader's own CPU clock swing fivefold for the same work.
"""

import contextlib
import ctypes
import json
import os
import re
import subprocess
import sys
import threading

import numpy as np

__all__ = ["whole_array_propagate", "whole_array_predict", "YARDSTICKS", "Yardstick",
           "yardstick_cpu_ns", "start_yardstick", "one_blas_thread"]


def _whole_array_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def whole_array_propagate(w, b, X, Y):
    """propagate in the costliest whole-array style on both axes of growth.

    Per example, the numerically stable ``logaddexp`` form costs the most (three ``logaddexp``
    passes: measured 3 to 7 times the hint's ``exp`` and two ``log``); per feature, products
    broadcast and summed along an axis (``np.sum(w * X, axis=0)``) cost the most (4 to 6 times
    a matrix product). Measured against this one, every whole-array style stays near 1 or below,
    far from the 10 to 500 of a loop.
    """
    m = X.shape[1]
    Z = np.sum(w * X, axis=0, keepdims=True) + b
    A = np.exp(-np.logaddexp(0, -Z))
    cost = np.sum(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z)) / m
    return {"dw": np.sum(X * (A - Y), axis=1, keepdims=True) / m, "db": np.sum(A - Y) / m}, cost


def whole_array_predict(w, b, X):
    """predict in the costliest whole-array style: products broadcast and summed along an axis,
    probabilities clipped, labels set through two boolean masks."""
    A = np.clip(_whole_array_sigmoid(np.sum(w * X, axis=0, keepdims=True) + b), 0, 1)
    Y_prediction = np.zeros((1, X.shape[1]))
    Y_prediction[A > 0.5] = 1
    Y_prediction[A <= 0.5] = 0
    return Y_prediction


#: The code whose CPU growth is the yardstick: the costliest whole-array style of each function.
YARDSTICKS = {"propagate": whole_array_propagate, "predict": whole_array_predict}

#: The child's environment: one BLAS / OpenMP thread, as in the sandbox.
_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _serve():
    """The child's loop: one JSON request per line in, ``{"cpu_ns": least}`` per line out."""
    import time

    from ..probe import kernel as probe_kernel

    for line in sys.stdin:
        order = json.loads(line)
        request, name = order["request"], order["request"]["name"]
        best = None
        with np.errstate(all="ignore"):
            for _ in range(order["repeats"]):
                start = time.process_time_ns()
                probe_kernel.time_call(request, {name: YARDSTICKS[name]})
                spent = time.process_time_ns() - start
                best = spent if best is None else min(best, spent)
        sys.stdout.write(json.dumps({"cpu_ns": best}) + "\n")
        sys.stdout.flush()


class Yardstick:
    """The child process that times the yardstick (started on first use, one per grader)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._child = None

    def start(self):
        """Start the process now if it is not running (it then imports numpy and the probe code
        while the caller goes on): its first timing is not kept waiting for that."""
        with self._lock:
            self._started()

    def _started(self):
        if self._child is None or self._child.poll() is not None:
            self._child = subprocess.Popen(
                [sys.executable, "-c", "from catvnoncat.judge.yardstick import _serve; _serve()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env={**os.environ, **_ONE_THREAD}, text=True)
        return self._child

    def cpu_ns(self, request, repeats):
        """The least CPU time (ns) of ``repeats`` answers to ``request`` by the yardstick."""
        with self._lock:
            self._started()
            self._child.stdin.write(json.dumps({"request": request, "repeats": repeats}) + "\n")
            self._child.stdin.flush()
            line = self._child.stdout.readline()
        if not line:
            raise RuntimeError("the yardstick process stopped")
        return int(json.loads(line)["cpu_ns"])

    def close(self):
        with self._lock:
            if self._child is not None:
                self._child.stdin.close()
                self._child.wait(timeout=10)
                self._child = None


_YARDSTICK = Yardstick()


def yardstick_cpu_ns(request, repeats):
    """:meth:`Yardstick.cpu_ns` of this grader's yardstick process."""
    return _YARDSTICK.cpu_ns(request, repeats)


def start_yardstick():
    """:meth:`Yardstick.start` of this grader's yardstick process (no student code is near it:
    it only ever runs the yardstick formulas on the grader's own requests)."""
    _YARDSTICK.start()


def _openblas_threads():
    """(get, set) of the OpenBLAS this process loaded, or None (another BLAS, or none)."""
    try:
        with open("/proc/self/maps") as f:
            paths = sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", f.read())))
    except OSError:
        return None
    for path in paths:
        library = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""),
                               ("openblas", "64_"), ("openblas", "")):
            get = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
            put = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and put is not None:
                return get, put
    return None


@contextlib.contextmanager
def one_blas_thread():
    """One OpenBLAS thread meanwhile, as in a sandboxed kernel (for timings in this process)."""
    functions = _openblas_threads()
    if functions is None:
        yield
        return
    get, put = functions
    before = get()
    put(1)
    try:
        yield
    finally:
        put(before)
