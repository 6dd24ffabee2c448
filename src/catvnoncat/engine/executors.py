"""Where grading jobs run: a local process pool or a Dask cluster, behind one Executor interface.

Both are ``concurrent.futures.Executor`` objects (Dask's through ``Client.get_executor()``), so
the engine loop (:mod:`catvnoncat.engine.run`) submits jobs and reads results the same way for
both. What differs is said here, as data: how to start the executor, which exceptions mean "the
worker process died under this job", and how to replace a broken executor.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ..facts import COURSE_DIR_ENV
from .worker import quiet_worker

__all__ = ["GradingExecutor", "local_executor", "dask_executor"]


def _use_course_dir(course_dir):
    """Pool initializer: every local worker grades with the coordinator's course folder."""
    os.environ[COURSE_DIR_ENV] = course_dir
    quiet_worker()


class GradingExecutor:
    """A ``concurrent.futures.Executor`` plus what the engine needs to survive a lost worker.

    Parameters
    ----------
    start : callable
        ``start() -> Executor``; called again by :meth:`renew` when the executor broke.
    description : str
        For the status line ("2 local worker processes", "Dask scheduler tcp://...").
    workers : int
        How many submissions are graded at the same time.
    lost_worker_errors : tuple of type
        Exceptions a future raises when the process grading it died.
    close : callable, optional
        Called after the executor shut down (e.g. closing the Dask client).
    """

    def __init__(self, start, description, workers, lost_worker_errors, close=None):
        self._start = start
        self.description = description
        self.workers = workers
        self.lost_worker_errors = lost_worker_errors
        self._close = close
        self.executor = start()

    def submit(self, fn, *args):
        return self.executor.submit(fn, *args)

    def renew(self):
        """Replace an executor that can no longer take jobs (a local pool whose worker died)."""
        if isinstance(self.executor, ProcessPoolExecutor) and _is_broken(self.executor):
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._start()

    def shutdown(self):
        self.executor.shutdown(wait=True)  # the engine cancelled what it no longer waits for
        if self._close is not None:
            self._close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()


def _is_broken(pool):
    """Whether a ``ProcessPoolExecutor`` lost a worker: its ``submit`` then raises
    ``BrokenProcessPool`` (the public sign; every waiting future of that pool failed with it)."""
    try:
        pool.submit(int).cancel()  # a no-op job, withdrawn at once when it has not started
    except BrokenProcessPool:
        return True
    return False


def local_executor(workers, course_dir):
    """``workers`` long-lived local processes (spawned: nothing of the coordinator is inherited)."""
    workers = max(1, int(workers))
    context = multiprocessing.get_context("spawn")

    def start():
        return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                   initializer=_use_course_dir, initargs=(os.fspath(course_dir),))

    return GradingExecutor(start, f"{workers} local worker process{'es' if workers > 1 else ''}",
                           workers, (BrokenProcessPool,))


def dask_executor(address):
    """The Dask cluster whose scheduler is at ``address`` (``tcp://host:port``).

    Its workers are started from a checkout of the course at the same commit (``dask worker
    tcp://host:port --nthreads 1``, from the course folder or with ``$CATVNONCAT_COURSE_DIR``);
    each grades one submission at a time.
    """
    from distributed import Client, KilledWorker

    client = Client(address, timeout=30)
    workers = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
    return GradingExecutor(lambda: client.get_executor(pure=False),
                           f"Dask scheduler {address} ({workers} worker threads)",
                           max(1, workers), (KilledWorker,), close=client.close)
