"""Stress benchmark: the demo class graded ``--runs`` times by the engine, ``--workers 2``.

Every run regrades the whole demo class, both editions (``catvnoncat grade --force`` with local
workers: ``logistic_regression`` then ``logistic_regression_zh`` on the same workers) on one
scratch course and compares each student's scores (in the edition they count in) with what the demo says they deserve
(:func:`catvnoncat.demo.expected_scores`). It prints, per run and in total, the submissions
that could not be graded for a reason other than the student's code (a grader error: the
submission is "not graded") and the ones graded with other scores than expected. Both should be
0. The demo's ``not_json`` student (a file that is not a notebook) is expected not graded and
is counted apart. Figures only, no pass/fail.

Usage: ``PATH=.venv/bin:$PATH .venv/bin/python benchmarks/bench_stress.py [--runs 30]``.
"""

import argparse
import collections
import os
import tempfile
import time
from pathlib import Path

from catvnoncat import course, demo
from catvnoncat.data import DATASETS_DIR
from catvnoncat.engine.executors import local_executor
from catvnoncat.engine.run import grade_class
from timed_nbgrader import nbgrader_env, scratch_course, timed_nbgrader

ASSIGNMENT = course.ASSIGNMENT
#: Demo students whose file nbgrader cannot read at all: "not graded" is their right outcome.
UNREADABLE = {"not_json"}


def _scores(outcome):
    return {grade_id: score for notebook in outcome.notebooks
            for grade_id, score, _manual in notebook.grades}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.pop(course.GRADEBOOK_ENV, None)
    os.environ.setdefault("CATVNONCAT_DATA", str(DATASETS_DIR))
    failures, wrong = collections.Counter(), collections.Counter()
    with tempfile.TemporaryDirectory(prefix="bench-stress-") as tmp:
        root = scratch_course(Path(tmp) / "course")
        for edition in demo.EDITIONS:
            timed_nbgrader(root, "generate_assignment", edition, "--force",
                           env=nbgrader_env(**{course.GRADEBOOK_ENV: None}))
        materials = demo.build_class(root)
        expected = {s.id: demo.expected_scores(s, materials) for s in demo.DEMO_CLASS}
        counted = {s.id: s.edition for s in demo.DEMO_CLASS}
        print(f"bench_stress: {os.cpu_count()} cores; grade --workers {args.workers}; "
              f"{len(demo.DEMO_CLASS)} demo students ({sum(e != ASSIGNMENT for e in counted.values())}"
              f" in {demo.ZH}); {args.runs} runs", flush=True)
        for number in range(1, args.runs + 1):
            start = time.perf_counter()
            outcomes, errors = {}, {}
            with local_executor(args.workers, root) as executor:
                for edition in demo.EDITIONS:
                    run = grade_class(root, executor, edition, force=True, progress=False,
                                      say=lambda _: None)
                    errors.update({f"{s} ({edition})": why for s, why in run.not_graded.items()
                                   if s not in UNREADABLE})
                    outcomes.update({s: o for s, o in run.outcomes.items() if counted[s] == edition})
            mismatched = {}
            for student, outcome in outcomes.items():
                if outcome.graded and student in expected:
                    got = _scores(outcome)
                    bad = {g: (got.get(g), want) for g, want in expected[student].items()
                           if want is not None and got.get(g) != want}
                    if bad:
                        mismatched[student] = bad
            failures.update(errors)
            wrong.update(mismatched)
            print(f"  run {number:2d}: {time.perf_counter() - start:6.1f} s; grader errors "
                  f"{len(errors)} {sorted(errors.items()) if errors else ''}; wrong scores "
                  f"{len(mismatched)} {mismatched if mismatched else ''}", flush=True)
    print(f"total over {args.runs} runs of {len(demo.DEMO_CLASS)} students: "
          f"{sum(failures.values())} gradings failed for a reason other than the student's code "
          f"({dict(failures) or 'none'}); {sum(wrong.values())} graded with other scores than "
          f"expected ({dict(wrong) or 'none'})")


if __name__ == "__main__":
    main()
