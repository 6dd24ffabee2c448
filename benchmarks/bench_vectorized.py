"""Benchmark: the vectorization rule's ratios in a real sandboxed kernel, optionally under load.

For every style of ``tests/vectorization_styles.py`` (the six red-team loop disguises, the plain
loops, the whole-array styles) it defines the function in one sandboxed judging kernel and takes
``--runs`` gradings of its vectorization cell (``judge.judge``), printing the verdicts and the
ratios measured (min / max over the runs: student CPU growth over the yardstick's, see
:mod:`catvnoncat.judge.growth`). ``--hog`` runs one busy process per core meanwhile (started
here, stopped by pid, each bounded by ``timeout``). Figures only, no pass/fail.

Usage: ``.venv/bin/python benchmarks/bench_vectorized.py [--runs N] [--hog] [--only NAME]``.
"""

import argparse
import os
import re
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


def grade(prober, name, runs):
    """Verdicts and ratios of ``runs`` gradings of ``name``'s vectorization cell."""
    verdicts, ratios = [], []
    for _ in range(runs):
        verdict = judge.judge(f"test_{name}_vectorized", prober)
        verdicts.append(verdict.passed)
        text = " ".join([verdict.summary, *verdict.notes])
        ratios += [float(r) for r in re.findall(r"(\d+\.\d)(?= times as much| and | \(a loop)", text)]
    return verdicts, ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hog", action="store_true")
    parser.add_argument("--only", default="")
    options = parser.parse_args()
    hogs = start_hogs(3600) if options.hog else []
    try:
        with tempfile.TemporaryDirectory() as folder:
            prober = start_kernel(folder)
            print(f"CPU account: {prober.account.kind}; runs per style: {options.runs}; "
                  f"load: {'one busy process per core' if hogs else 'none added'}")
            try:
                for expected, table in (("loops", styles.LOOPS),
                                        ("vectorized", styles.WHOLE_ARRAY)):
                    for (name, label), source in table.items():
                        if options.only and options.only not in label:
                            continue
                        define(prober, source)
                        verdicts, ratios = grade(prober, name, options.runs)
                        called = {True: "vectorized", False: "loops"}
                        seen = sorted({called[v] for v in verdicts})
                        print(f"{expected:10s} {name:9s} {label:36s} verdicts {'/'.join(seen):18s}"
                              f" ratio min {min(ratios):8.2f} max {max(ratios):8.2f}"
                              f" ({len(ratios)} measurements)", flush=True)
            finally:
                run_sync(prober.shutdown)()
    finally:
        stop(hogs)


if __name__ == "__main__":
    main()
