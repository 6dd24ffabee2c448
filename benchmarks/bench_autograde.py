"""Benchmark: seconds per submission of ``nbgrader autograde`` against a bare nbclient run.

In a throwaway copy of the course (source/, nbgrader_config.py, the data), the reference
submission is autograded three ways, interleaved and repeated in the same run:

- ``nbgrader autograde logistic_regression --force`` over a batch of identical submissions
  (seconds per submission = batch time / batch size): what an instructor runs by hand;
- ``nbgrader autograde ... --force --student <id>``, one call per submission: what ``make demo``
  runs (one process start per student, so one student's crash can never stop the others);
- nbclient executing the same notebook nbgrader executes (the autograded notebook, hidden tests
  included, outputs cleared) with the same per-cell timeout and the same one-BLAS-thread kernel.

It prints each median and the ratios autograde / nbclient. Figures only, no pass/fail: these
machines are shared and noisy.

Usage: ``.venv/bin/python benchmarks/bench_autograde.py [--students N] [--repeats N]``.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from catvnoncat import course
from catvnoncat.data import DATASETS_DIR
from catvnoncat.facts import course_config
from timed_nbgrader import scratch_course, timed_nbgrader

ASSIGNMENT, NOTEBOOK = course.ASSIGNMENT, course.NOTEBOOK_NAME


_nbgrader = timed_nbgrader


def _course(tmp):
    return scratch_course(Path(tmp) / "course")


def _submit(root, student_ids):
    release = course.read_notebook(root / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    source = course.read_notebook(root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    submission = course.make_submission(course.solution_sources(source), base=release)
    for student_id in student_ids:
        folder = root / "submitted" / student_id / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(submission, folder / f"{NOTEBOOK}.ipynb")


def _graded_notebook(root, student_id):
    return root / "autograded" / student_id / ASSIGNMENT / f"{NOTEBOOK}.ipynb"


def _bare_run(root, template, timeout):
    """nbclient on the notebook nbgrader executed, in a folder laid out like autograded/<id>/."""
    folder = root / "bare" / "student" / ASSIGNMENT
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(template.parent, folder)
    for path in folder.rglob("*"):
        path.chmod(0o644)
    nb = course.read_notebook(folder / template.name)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            # The full notebook: grading tagged its tail "not re-run" (skip-execution).
            tags = cell.metadata.get("tags", [])
            cell.metadata["tags"] = [t for t in tags if t != "skip-execution"]
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    seconds = time.perf_counter() - start
    failed = [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
              if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
              and any(o.output_type == "error" for o in cell.get("outputs", []))]
    if failed:
        sys.exit(f"the bare run of the reference failed {failed}: not a fair comparison")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2, help="batch size (default 2)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        root = _course(tmp)
        config = course_config(root)
        timeout = config.Execute.timeout
        # The kernels nbgrader starts get these from nbgrader_config.py; give the bare run the
        # same (the data folder and one BLAS thread), so only the grading machinery differs.
        os.environ.setdefault("CATVNONCAT_DATA", str(DATASETS_DIR))
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")

        generate = _nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
        batch = [f"batch_{i + 1}" for i in range(args.students)]
        _submit(root, [*batch, "single"])
        cfg = config.CourseDirectory

        runs = {"batch": [], "single": [], "bare": []}
        for _ in range(args.repeats):  # interleaved, so drift on a shared machine hits all three
            seconds = _nbgrader(root, "autograde", ASSIGNMENT, "--force",
                                "--CourseDirectory.student_id_exclude=single")
            runs["batch"].append(seconds / len(batch))
            runs["single"].append(_nbgrader(root, "autograde", ASSIGNMENT, "--force",
                                            "--student", "single"))
            runs["bare"].append(_bare_run(root, _graded_notebook(root, "single"), timeout))

        from nbgrader.api import Gradebook

        with Gradebook(cfg.db_url, cfg.course_id) as gb:
            scores = {s: gb.find_submission(ASSIGNMENT, s).score for s in [*batch, "single"]}

    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"Reference submission, {args.repeats} interleaved repeats, per-cell timeout {timeout} s, "
          f"{os.cpu_count()} cores (medians)")
    print(f"  nbgrader generate_assignment (once):                   {generate:6.1f} s")
    print(f"  nbgrader autograde, batch of {len(batch)}, per submission:        "
          f"{med['batch']:6.1f} s   runs {', '.join(f'{x:.1f}' for x in runs['batch'])}")
    print(f"  nbgrader autograde --student, one call per submission: {med['single']:6.1f} s   "
          f"runs {', '.join(f'{x:.1f}' for x in runs['single'])}")
    print(f"  bare nbclient, same notebook (hidden tests included):  {med['bare']:6.1f} s   "
          f"runs {', '.join(f'{x:.1f}' for x in runs['bare'])}")
    print(f"  ratio autograde / nbclient: batch {med['batch'] / med['bare']:.2f}, "
          f"per student {med['single'] / med['bare']:.2f}")
    print(f"  scores (reference = full marks on the autograded parts): "
          f"{sorted(set(scores.values()))}")


if __name__ == "__main__":
    main()
