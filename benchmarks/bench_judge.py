"""Benchmark: seconds per honest submission, judged outside a sandboxed kernel vs inside a plain one.

Two throwaway copies of the course grade the same batch of reference submissions with the real
``nbgrader autograde``, interleaved and repeated in one run:

- ``judged``: this course as configured: a bubblewrap-sandboxed kernel runs the student's
  cells, and each test cell is judged in the grading process from probes (ExecuteWithJudge);
- ``in-kernel``: the design this replaced: nbgrader's stock Execute in a plain ``python3``
  kernel, each test cell's hidden part running the same judge inside the student's kernel on
  its own globals (``catvnoncat.judge`` with an in-process prober).

It prints the medians per submission and their ratio (the issue's target: at most 1.1). Figures
only, no pass/fail: these machines are shared and noisy.

Usage: ``.venv/bin/python benchmarks/bench_judge.py [--students N] [--repeats N]``.
"""

import argparse
import os
import re
import statistics
import tempfile
from pathlib import Path

import nbformat

from catvnoncat import course
from catvnoncat.data import DATASETS_DIR, REPO_ROOT
from timed_nbgrader import nbgrader_env, scratch_course, timed_nbgrader

# The hidden inputs are drawn from a course secret (catvnoncat.judge.secret): a benchmark's own,
# inherited by the kernels and nbgrader runs it starts, unless one is set.
os.environ.setdefault("CATVNONCAT_SECRET", "benchmark-secret-not-a-course-secret")

ASSIGNMENT, NOTEBOOK = course.ASSIGNMENT, course.NOTEBOOK_NAME

#: The hidden part of each test cell in the in-kernel variant.
IN_KERNEL_TEST = """\
### BEGIN HIDDEN TESTS
from catvnoncat.judge import InProcessProber as _Prober, judge as _judge
_verdict = _judge({test_id!r}, _Prober(globals()), tuple(In))
assert _verdict.passed, _verdict.message()
### END HIDDEN TESTS
"""

#: Appended to the in-kernel variant's nbgrader_config.py: stock Execute, plain kernel.
IN_KERNEL_CONFIG = """
c.Execute.kernel_name = "python3"
c.Autograde.autograde_preprocessors = Autograde.class_traits()["autograde_preprocessors"].default()
"""


def _nbgrader(root, *args):
    # The data and one BLAS thread: what the sandbox gives its kernel, the same for the plain one.
    env = nbgrader_env(CATVNONCAT_DATA=str(DATASETS_DIR), OPENBLAS_NUM_THREADS="1",
                       OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return timed_nbgrader(root, *args, env=env)


def _course(tmp, name, in_kernel, students):
    root = scratch_course(Path(tmp) / name, data=False)
    config = (REPO_ROOT / "nbgrader_config.py").read_text("utf-8")
    source_path = root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    if in_kernel:
        config += IN_KERNEL_CONFIG
        nb = course.read_notebook(source_path)
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if "### BEGIN HIDDEN TESTS" in cell.get("source", ""):
                cell.source = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n",
                                     IN_KERNEL_TEST.format(test_id=grade_id), cell.source,
                                     flags=re.DOTALL)
        nbformat.write(nb, source_path)
    (root / "nbgrader_config.py").write_text(config, "utf-8")
    _nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    release = course.read_notebook(root / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    submission = course.make_submission(course.solution_sources(course.read_notebook(source_path)),
                                        base=release)
    for student in students:
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(submission, folder / f"{NOTEBOOK}.ipynb")
    return root


def _scores(root, students):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "catvnoncat") as gb:
        return sorted({gb.find_submission(ASSIGNMENT, s).score for s in students})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3, help="batch size (default 3)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    students = [f"student_{i + 1}" for i in range(args.students)]

    with tempfile.TemporaryDirectory(prefix="bench-judge-") as tmp:
        roots = {"judged": _course(tmp, "judged", False, students),
                 "in-kernel": _course(tmp, "in_kernel", True, students)}
        runs = {name: [] for name in roots}
        for _ in range(args.repeats):  # interleaved: drift on a shared machine hits both
            for name, root in roots.items():
                runs[name].append(_nbgrader(root, "autograde", ASSIGNMENT, "--force")
                                  / len(students))
        scores = {name: _scores(root, students) for name, root in roots.items()}

    med = {name: statistics.median(values) for name, values in runs.items()}
    print(f"Reference submission, batches of {len(students)}, {args.repeats} interleaved "
          f"repeats, {os.cpu_count()} cores (medians, seconds per submission)")
    for name, values in runs.items():
        print(f"  {name:10s} {med[name]:6.2f} s   runs {', '.join(f'{x:.2f}' for x in values)}"
              f"   scores {scores[name]}")
    print(f"  ratio judged / in-kernel: {med['judged'] / med['in-kernel']:.2f}")


if __name__ == "__main__":
    main()
