"""Benchmark: the vectorization rule's ratios in a real sandboxed kernel, optionally under load.

For every style of ``tests/vectorization_styles.py`` (the six red-team loop disguises, the plain
loops, the whole-array styles) it defines the function in a judge child (as the grader does) and takes
``--runs`` gradings of its vectorization cell (``judge.judge``), printing the verdicts and the
ratios measured on each axis of growth (min / max over all measurements: student CPU growth over
the yardstick's, see :mod:`catvnoncat.judge.growth`). ``--hog`` runs one busy process per core
meanwhile (started here, stopped by pid, each bounded by ``timeout`` to --hog-seconds). Figures
only, no pass/fail.

Usage: ``.venv/bin/python benchmarks/bench_vectorized.py [--runs N] [--hog] [--only NAME]``.
"""

import argparse
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import vectorization_styles as styles  # noqa: E402

from catvnoncat import judge  # noqa: E402

# The hidden inputs are drawn from a course secret (catvnoncat.judge.secret): a benchmark's own,
# inherited by the kernels and nbgrader runs it starts, unless one is set.
os.environ.setdefault("CATVNONCAT_SECRET", "benchmark-secret-not-a-course-secret")


def start_hogs(seconds):
    """One busy process per core, each stopping by itself after ``seconds`` at the latest."""
    # Bounded by themselves and stopped by pid (killing a `timeout` wrapper would leave its
    # busy child running).
    code = f"import time\nend = time.monotonic() + {int(seconds)}\nwhile time.monotonic() < end: pass"
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(os.cpu_count() or 1)]


def stop(processes):
    for process in processes:
        process.kill()
        process.wait()


def start_host(folder):
    """The grader's sandboxed fork server, on a copy of the release (as the grader runs it)."""
    from support.judge_host import start_judge_host

    return start_judge_host(folder)


def child_with(host, source):
    """A fresh judge child that ran ``source`` as a student's cell."""
    from catvnoncat.judge.child_prober import ChildProber

    prober = ChildProber(host.spawn(), timeout=120, grace=5)
    prober.run_cell(styles.PRELUDE + source, 120)
    return prober


class _Ratios(logging.Handler):
    """Collects the ratios the judge logs (``catvnoncat.judge.vectorized``)."""

    def __init__(self):
        super().__init__()
        self.ratios = []

    def emit(self, record):
        by_axis = record.args[1] if isinstance(record.args, tuple) else {}
        self.ratios.append({axis: r for axis, r in by_axis.items() if r is not None})


def grade(prober, name, runs):
    """Verdicts and ratios (by axis) of ``runs`` gradings of ``name``'s vectorization cell."""
    handler = _Ratios()
    log = logging.getLogger("catvnoncat.judge.vectorized")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        verdicts = [judge.judge(f"test_{name}_vectorized", prober).passed for _ in range(runs)]
    finally:
        log.removeHandler(handler)
    return verdicts, handler.ratios


def _spread(ratios, axis):
    values = [r[axis] for r in ratios if axis in r]
    return f"{min(values):8.2f} {max(values):8.2f}" if values else f"{'-':>8s} {'-':>8s}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hog", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--hog-seconds", type=int, default=1800)
    options = parser.parse_args()
    hogs = start_hogs(options.hog_seconds) if options.hog else []
    try:
        with tempfile.TemporaryDirectory() as folder:
            host = start_host(folder)
            probe = child_with(host, "")
            kind = probe.child.cpu.kind
            probe.close()
            print(f"CPU account: {kind}; runs per style: {options.runs}; "
                  f"load: {'one busy process per core' if hogs else 'none added'}")
            print(f"{'expected':10s} {'function':9s} {'style':36s} {'verdicts':18s}"
                  f" {'examples axis min max':>17s} {'features axis min max':>17s} {'measurements':>4s}")
            try:
                for expected, table in (("loops", styles.LOOPS),
                                        ("vectorized", styles.WHOLE_ARRAY)):
                    for (name, label), source in table.items():
                        if options.only and options.only not in label:
                            continue
                        prober = child_with(host, source)
                        try:
                            verdicts, ratios = grade(prober, name, options.runs)
                        finally:
                            prober.close()
                        called = {True: "vectorized", False: "loops"}
                        seen = "/".join(sorted({called[v] for v in verdicts}))
                        print(f"{expected:10s} {name:9s} {label:36s} {seen:18s}"
                              f" {_spread(ratios, 'examples')} {_spread(ratios, 'features')}"
                              f" {len(ratios):4d}", flush=True)
            finally:
                host.close()
    finally:
        stop(hogs)


if __name__ == "__main__":
    main()
