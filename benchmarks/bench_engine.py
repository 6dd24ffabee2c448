"""Benchmark: ``catvnoncat grade --workers 2`` against serial ``nbgrader autograde``.

In one run, on copies of one course folder with the course's own ``nbgrader_config.py``:

1. a bare nbclient run of the full reference notebook (plain ``python3`` kernel, no sandbox, no
   judge, every cell): the unit of cost;
2. the same 20 submissions (a mix of right answers and typical mistakes from the demo class)
   graded by serial ``nbgrader autograde`` and by ``catvnoncat grade --workers 2``: the speedup,
   and each one's wall seconds per submission against the bare run;
3. ``grade --workers 2`` on 10 and 40 submissions: how the time grows with the class.

Figures are printed, nothing is asserted (machines differ). Usage::

    PATH=.venv/bin:$PATH .venv/bin/python benchmarks/bench_engine.py [--sizes 10 20 40]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from catvnoncat import course, demo
from catvnoncat.data import DATASETS_DIR
from catvnoncat.engine.executors import local_executor
from catvnoncat.engine.run import grade_class
from timed_nbgrader import nbgrader_env, scratch_course, timed_nbgrader

ASSIGNMENT = course.ASSIGNMENT
NOTEBOOK = course.NOTEBOOK_NAME
#: Demo students that make a realistic class (no infinite loop: it would measure the cell limit).
MIX = ["reference", "forgets_m", "probabilities", "seed_author", "reference", "untouched",
       "deleted_test", "assert_true", "reference", "kernel_dies"]


def _nbgrader(root, *args):
    return timed_nbgrader(root, *args, env=nbgrader_env(**{course.GRADEBOOK_ENV: None}))


def _course(folder, size):
    """A course folder, generated, with ``size`` submissions cycling through :data:`MIX`."""
    root = scratch_course(Path(folder) / f"course-{size}")
    _nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    materials = demo.Materials(
        course.read_notebook(root / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"),
        course.solution_sources(course.read_notebook(root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")))
    by_id = {s.id: s for s in demo.DEMO_CLASS}
    for n in range(size):
        folder = root / "submitted" / f"s{n:03d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(by_id[MIX[n % len(MIX)]].build(materials), folder / f"{NOTEBOOK}.ipynb")
    return root


def _bare_run(root):
    """nbclient on the full reference notebook, plain kernel, in a copy of the assignment folder."""
    folder = root.parent / "bare" / ASSIGNMENT
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(root / "source" / ASSIGNMENT, folder)
    nb = course.reference_submission()
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return time.perf_counter() - start


def _grade(root, workers):
    with local_executor(workers, root) as executor:
        run = grade_class(root, executor, ASSIGNMENT, force=True, progress=False,
                          say=lambda _: None)
    if run.not_graded:
        sys.exit(f"grade failed for {run.not_graded}")
    return run.seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", type=int, default=20, help="class graded both ways")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 40],
                        help="other class sizes graded by grade --workers 2")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.pop(course.GRADEBOOK_ENV, None)
    os.environ.setdefault("CATVNONCAT_DATA", str(DATASETS_DIR))
    print(f"bench_engine: {os.cpu_count()} cores; grade --workers {args.workers}; "
          f"classes cycle through {len(MIX)} demo students", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        compare = _course(tmp, args.compare)
        bare = min(_bare_run(compare) for _ in range(2))
        print(f"  bare nbclient, full reference notebook, plain kernel: {bare:6.1f} s", flush=True)
        serial_copy = Path(tmp) / "serial"
        shutil.copytree(compare, serial_copy, symlinks=True)
        serial = _nbgrader(serial_copy, "autograde", ASSIGNMENT, "--force")
        print(f"  serial nbgrader autograde, {args.compare} submissions: {serial:6.1f} s "
              f"({serial / args.compare:.2f} s per submission, "
              f"{serial / args.compare / bare:.2f} x bare)", flush=True)
        timings = {args.compare: _grade(compare, args.workers)}
        parallel = timings[args.compare]
        print(f"  grade --workers {args.workers}, {args.compare} submissions:       {parallel:6.1f} s "
              f"({parallel / args.compare:.2f} s per submission, "
              f"{parallel / args.compare / bare:.2f} x bare)", flush=True)
        print(f"  speedup grade / serial nbgrader: {serial / parallel:.2f} x", flush=True)
        for size in args.sizes:
            timings[size] = _grade(_course(tmp, size), args.workers)
            print(f"  grade --workers {args.workers}, {size} submissions: {timings[size]:6.1f} s "
                  f"({timings[size] / size:.2f} s per submission)", flush=True)
        sizes = sorted(timings)
        print("  growth: " + ", ".join(f"{n}: {timings[n]:.0f} s" for n in sizes)
              + f"; {sizes[-1]} / {sizes[0]} submissions took "
                f"{timings[sizes[-1]] / timings[sizes[0]]:.2f} x the time "
                f"(linear: {sizes[-1] / sizes[0]:.0f} x)")


if __name__ == "__main__":
    main()
