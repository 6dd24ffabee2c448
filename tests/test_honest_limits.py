"""A limit an honest notebook reaches costs the cell that reached it, never a graded point.

One real ``nbgrader autograde`` run (sandboxed kernels, the judge host) of the reference
solution with one scratch cell of the student's own added:

- ``scratch_past_the_limit``: an experiment that runs past the cell time limit (``time.sleep``
  twice the limit), right after the optimize cell: every later test cell's judge child (five)
  runs it again and is interrupted again;
- ``scratch_while_true``: ``while True: pass`` left in a scratch cell before predict;
- ``scratch_flood_past_the_limit``: 600 MB of displays queued, then a sleep past the limit,
  between model and its test cell (one judge child replays it): the kernel answers the interrupt only once its output queue is flushed, and
  was stopped as if it had ignored it (the later parts lost);
- ``scratch_process_limit``: a cell that forks sleeping processes until the process limit
  refuses one, right after the sigmoid cell.

The cell time limit is set to 5 s for this run (the honest cells before the last test take
under a second each), so the run stays short; the rule is the same at 20 s. The same run holds
A run of its own grades ``time_waster``: the reference solution with four cells of 1.2 s each
after the standardize cell, which the notebook kernel and every judge child from
test_standardize's on replay; with a submission's code limited to 20 s in all
(``ExecuteWithJudge.submission_seconds``; the notebook kernel and the first three children take
about 14 s), the test cells left when that time is spent score 0 with a line saying so, and the
submission is graded (never "not graded": its time is its own). (It was graded in the run above
with nine such cells and 70 s, the time the scratch cells need: 45 s more of the suite.)
"""

import nbformat
import pytest

from catvnoncat import course
from support import course_run

LIMIT_S = 5
SUBMISSION_S = 20
pytestmark = pytest.mark.slow

SCRATCH = {
    "scratch_past_the_limit": ("optimize", f"import time\ntime.sleep({2 * LIMIT_S})\n"),
    "scratch_while_true": ("predict", "while True:\n    pass\n"),
    # 1500 displays of 400 kB queued faster than the kernel's output thread sends them, then
    # an experiment past the limit: the grader stops reading at its byte budget and interrupts;
    # the kernel answers only once its queue is flushed (ipykernel waits up to 10 s per stream)
    "scratch_flood_past_the_limit": ("model", (
        "from IPython.display import display\n"
        "for _ in range(1500):\n"
        "    display({'text/plain': 'f' * 400_000}, raw=True)\n"
        f"import time\ntime.sleep({2 * LIMIT_S})\n")),
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


def _time_waster():
    nb = course.reference_submission()
    index = next(i for i, cell in enumerate(nb.cells)
                 if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "standardize")
    for _ in range(4):
        nb.cells.insert(index + 1, nbformat.v4.new_code_cell("import time\ntime.sleep(1.2)\n"))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    submissions = {"honest": course.reference_submission()}
    submissions.update({name: _with_scratch_cell(*cell) for name, cell in SCRATCH.items()})
    workdir = tmp_path_factory.mktemp("honest_limits")
    scores = course_run.autograde(submissions, workdir,
                                  config_lines=f"\nc.Execute.timeout = {LIMIT_S}\n")
    return scores, workdir / "course"


@pytest.fixture(scope="module")
def time_wasted(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("time_waster")
    scores = course_run.autograde(
        {"time_waster": _time_waster()}, workdir,
        config_lines=f"\nc.Execute.timeout = {LIMIT_S}\n"
                     f"c.ExecuteWithJudge.submission_seconds = {SUBMISSION_S}\n")
    return scores, workdir / "course"


@pytest.fixture(scope="module")
def scores(graded):
    return graded[0]


@pytest.mark.parametrize("student", list(SCRATCH))
def test_a_scratch_cell_at_a_limit_costs_no_graded_point(scores, student):
    tests = {gid: s for gid, s in scores["honest"].items() if gid.startswith("test_")}
    assert sum(tests.values()) > 0
    assert {gid: scores[student][gid] for gid in tests} == tests


def test_a_submission_past_its_time_loses_the_cells_left_and_is_graded(scores, time_wasted):
    wasted, course_dir = time_wasted
    tests = [gid for gid in scores["honest"] if gid.startswith("test_")]
    lost = [gid for gid in tests if wasted["time_waster"][gid] < scores["honest"][gid]]
    assert lost and len(lost) < len(tests)  # graded: the cells judged in time kept their points
    nb = course.read_notebook(course_dir / "autograded" / "time_waster" / "logistic_regression"
                              / "logistic_regression.ipynb")
    said = [output.get("evalue", "") for cell in nb.cells for output in cell.get("outputs", [])
            if output.get("output_type") == "error"]
    assert any(f"used the {SUBMISSION_S} s a submission's code may take" in text for text in said)
