"""A notebook kernel that fails to start is the grader's fault, never the student's (issue 21).

Two real ``nbgrader autograde`` runs of the reference solution, each with a kernelspec of the
test's own (on ``JUPYTER_PATH``) that exits before starting Python, as a sandbox that could not
be set up or a kernel that died while starting does:

- ``once``: the first start fails, the next ones work (a marker file outside the kernel). The
  grader starts a fresh kernel and the submission keeps every point, the log says why.
- ``always``: every start fails. After the one retry the submission is not graded: no score
  stored in the gradebook (not a 0), the course's CSV export leaves its score empty.

The kernels of these kernelspecs are not sandboxed (``allow_unsandboxed`` is not needed: they do
not use the sandbox's provisioner); only the notebook kernel is theirs, the judge is unchanged.
"""

import csv
import json
import os
import sys

import pytest

from catvnoncat import course
from catvnoncat.steps.export import NOT_GRADED
from support import course_run

pytestmark = pytest.mark.slow

SCRIPT = {
    # fails the first time only: the marker outlives the kernel that made it
    "once": 'if [ -e "$MARK" ]; then exec "$PY" -m ipykernel_launcher -f "$0"; fi; '
            'touch "$MARK"; exit 3',
    "always": 'echo "cannot start" >&2; exit 3',
}


def _kernelspec(root, name, script, mark):
    folder = root / "kernels" / name
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps({
        "argv": ["/bin/sh", "-c", script, "{connection_file}"],
        "display_name": f"fails to start ({name})", "language": "python",
        "env": {"MARK": os.fspath(mark), "PY": sys.executable}}))


def _grade_with_kernel(case, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"start_{case}")
    name = f"catvnoncat-test-start-{case}"
    _kernelspec(base / "jupyter", name, SCRIPT[case], base / "started-once")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", os.fspath(base / "jupyter"))
        scores = course_run.autograde({"alice": course.reference_submission()}, base / "work",
                                      config_lines=f'c.Execute.kernel_name = "{name}"')
    root = base / "work" / "course"
    return {"scores": scores, "root": root, "log": (root / "nbgrader.log").read_text()}


@pytest.fixture(scope="module")
def fails_once(tmp_path_factory):
    return _grade_with_kernel("once", tmp_path_factory)


@pytest.fixture(scope="module")
def fails_always(tmp_path_factory):
    return _grade_with_kernel("always", tmp_path_factory)


def _stored_grades(root):
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}",
                   course.course_config(root).CourseDirectory.course_id) as gb:
        try:
            graded = gb.find_submission_notebook(course.NOTEBOOK_NAME, course.ASSIGNMENT, "alice")
        except MissingEntry:
            return {}
        return {g.name: g.auto_score for g in graded.grades}


def test_a_kernel_that_fails_to_start_once_costs_nothing(fails_once):
    graded = fails_once
    assert "starting a fresh one" in graded["log"], graded["log"][-3000:]
    total = sum(v for gid, v in graded["scores"]["alice"].items()
                if gid != "learning_rate_question")
    assert total == 95, graded["scores"]


def test_a_kernel_that_never_starts_leaves_the_student_not_graded_not_zero(fails_always):
    graded = fails_always
    assert graded["log"].count("starting a fresh one") == 1, graded["log"][-3000:]
    assert not (graded["root"] / "autograded" / "alice" / course.ASSIGNMENT).exists()
    assert all(score is None for score in _stored_grades(graded["root"]).values())
    env = course_run.nbgrader_env(**{course.GRADEBOOK_ENV:
                                     f"sqlite:///{graded['root'] / 'gradebook.db'}"})
    result = course_run.run_nbgrader(["export"], graded["root"], env)
    assert result.returncode == 0, result.stderr[-2000:]
    with open(graded["root"] / "grades.csv", newline="", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["student_id"] == "alice")
    assert row["score"] == "" and row["status"] == NOT_GRADED, row
