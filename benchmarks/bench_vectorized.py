"""Benchmark: the vectorization rule's ratios in a real sandboxed kernel, optionally under load.

For every style of ``tests/vectorization_styles.py`` (the six red-team loop disguises, the plain
loops, the whole-array styles) it defines the function in one sandboxed judging kernel and takes
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

from jupyter_core.utils import run_sync
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import vectorization_styles as styles  # noqa: E402

from catvnoncat import judge  # noqa: E402
from catvnoncat.sandbox import KERNEL_NAME, install_kernelspec  # noqa: E402


def start_hogs(seconds):
    """One busy process per core, each killed by ``timeout`` after ``seconds`` at the latest."""
    return [subprocess.Popen(["timeout", str(seconds), sys.executable, "-c", "while True: pass"])
            for _ in range(os.cpu_count() or 1)]


def stop(processes):
    for process in processes:
        process.kill()
        process.wait()


def start_kernel(folder):
    from jupyter_client.kernelspec import KernelSpecManager

    if KERNEL_NAME not in KernelSpecManager().find_kernel_specs():
        install_kernelspec()
    return run_sync(judge.KernelProber.start)(KERNEL_NAME, Config(), str(folder), timeout=120)


def define(prober, source):
    prober.finish_cell(prober.send_cell(styles.PRELUDE + source))


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
            prober = start_kernel(folder)
            print(f"CPU account: {prober.account.kind}; runs per style: {options.runs}; "
                  f"load: {'one busy process per core' if hogs else 'none added'}")
            print(f"{'expected':10s} {'function':9s} {'style':36s} {'verdicts':18s}"
                  f" {'examples axis min max':>17s} {'features axis min max':>17s} {'measurements':>4s}")
            try:
                for expected, table in (("loops", styles.LOOPS),
                                        ("vectorized", styles.WHOLE_ARRAY)):
                    for (name, label), source in table.items():
                        if options.only and options.only not in label:
                            continue
                        define(prober, source)
                        verdicts, ratios = grade(prober, name, options.runs)
                        called = {True: "vectorized", False: "loops"}
                        seen = "/".join(sorted({called[v] for v in verdicts}))
                        print(f"{expected:10s} {name:9s} {label:36s} {seen:18s}"
                              f" {_spread(ratios, 'examples')} {_spread(ratios, 'features')}"
                              f" {len(ratios):4d}", flush=True)
            finally:
                run_sync(prober.shutdown)()
    finally:
        stop(hogs)


if __name__ == "__main__":
    main()
