"""A limit an honest notebook reaches costs the cell that reached it, never a graded point.

One real ``nbgrader autograde`` run (sandboxed kernels, the judge host) of the reference
solution with one scratch cell of the student's own added:

- ``scratch_past_the_limit``: an experiment that runs past the cell time limit (``time.sleep``
  twice the limit), right after the sigmoid cell: every later test cell's judge child runs it
  again and is interrupted again;
- ``scratch_while_true``: ``while True: pass`` left in a scratch cell before predict;
- ``scratch_process_limit``: a cell that forks sleeping processes until the process limit
  refuses one, right after the sigmoid cell.

The cell time limit is set to 5 s for this run (the honest cells before the last test take
under a second each), so the run stays short; the rule is the same at 20 s.
"""

import nbformat
import pytest

from catvnoncat import course
from support import course_run

LIMIT_S = 5
pytestmark = pytest.mark.slow

SCRATCH = {
    "scratch_past_the_limit": ("sigmoid", f"import time\ntime.sleep({2 * LIMIT_S})\n"),
    "scratch_while_true": ("predict", "while True:\n    pass\n"),
    "scratch_process_limit": ("sigmoid", (
        "import os, time\nchildren = 0\n"
        "for _ in range(300):\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError as error:\n"
        "        print('fork refused after', children, 'processes:', error)\n"
        "        break\n"
        "    if pid == 0:\n"
        "        time.sleep(60)\n"
        "        os._exit(0)\n"
        "    children += 1\n")),
}


def _with_scratch_cell(after, source):
    nb = course.reference_submission()
    index = next(i for i, cell in enumerate(nb.cells)
                 if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == after)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return nb


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    submissions = {"honest": course.reference_submission()}
    submissions.update({name: _with_scratch_cell(*cell) for name, cell in SCRATCH.items()})
    return course_run.autograde(submissions, tmp_path_factory.mktemp("honest_limits"),
                                config_lines=f"\nc.Execute.timeout = {LIMIT_S}\n")


@pytest.mark.parametrize("student", list(SCRATCH))
def test_a_scratch_cell_at_a_limit_costs_no_graded_point(scores, student):
    tests = {gid: s for gid, s in scores["honest"].items() if gid.startswith("test_")}
    assert sum(tests.values()) > 0
    assert {gid: scores[student][gid] for gid in tests} == tests
