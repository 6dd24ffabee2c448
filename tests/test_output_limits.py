"""The bytes of output a submission may leave in the grader and its files (issue 21, item 1).

Two real ``nbgrader autograde`` runs: an honest class of one (the baseline), then that honest
classmate with four correct notebooks that each add one scratch cell printing a 110 MB line,
twelve 100 MB stream messages, 25 MB in small lines, or displaying one 6 MB message whose
metadata is two million empty dicts. While nbgrader runs, its VmHWM (peak
resident memory, /proc/<pid>/status) is sampled. Then ``nbgrader generate_feedback``. The
autograded notebooks and feedback pages must stay under the configured caps plus a stated
margin, the grader's peak under the baseline plus a stated bound, every score exact (the scratch
cell costs nothing), and each flooding cell must say what was dropped. Fast tests check
:class:`LimitOutputBytes` on notebooks in memory.
"""

import os
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import nbformat
import pytest

from catvnoncat import course
from support import course_run
from catvnoncat.data import DATA_ENV, DATASETS_DIR
from catvnoncat.steps.output_limits import LimitOutputBytes, output_bytes
from catvnoncat.facts import course_config

MB = 1_000_000
NB = f"{course.NOTEBOOK_NAME}.ipynb"
A = course.ASSIGNMENT
LIMITS = course_config(course.REPO_ROOT).LimitOutputBytes
#: Stated bounds: what the grader may hold above the honest baseline, and what a feedback page
#: may add to the honest one beyond the notebook cap (HTML escaping, the note, the template).
GRADER_MARGIN_MB = 200
FEEDBACK_FACTOR = 3

SCRATCH = {
    "long-line": 'print("x" * 110_000_000)',
    "twelve-messages": ('import sys\nfor _ in range(12):\n'
                        '    sys.stdout.write("y" * 100_000_000)\n    sys.stdout.flush()'),
    "many-lines": 'for i in range(250_000):\n    print("z" * 99)',
    # 6 MB on the wire, two million dicts once parsed
    "dict-bomb": ('from IPython.display import display\n'
                  'display({"text/plain": "x"}, raw=True, metadata={"m": [{}] * 2_000_000})'),
}


def with_scratch_cell(source):
    nb = course.reference_submission()
    at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code") + 1
    nb.cells.insert(at, nbformat.v4.new_code_cell(source, id=course.unused_cell_id(nb, "scratch")))
    return nb


def _sampling_run(peaks):
    """``subprocess.run`` for ``course``: the same, recording each nbgrader command's VmHWM."""

    def run(cmd, **kwargs):
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, cwd=kwargs.get("cwd"), env=kwargs.get("env"))
        peak = [0]

        def sample():
            status = Path(f"/proc/{process.pid}/status")
            while process.poll() is None:
                try:
                    for line in status.read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            peak[0] = max(peak[0], int(line.split()[1]) * 1024)
                except (OSError, ValueError):
                    pass
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out, err = process.communicate()
        sampler.join()
        peaks.append((cmd[3], peak[0]))
        return subprocess.CompletedProcess(cmd, process.returncode, out, err)

    return types.SimpleNamespace(run=run)


def _autograde(submissions, workdir):
    peaks = []
    # A longer cell time limit: twelve 100 MB messages take a kernel about 30 s on a loaded
    # 2-core machine, and this test is about bytes, not time.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(course_run, "subprocess", _sampling_run(peaks))
        scores = course_run.autograde(submissions, workdir, config_lines="c.Execute.timeout = 180")
    return scores, workdir / "course", max(p for cmd, p in peaks if cmd == "autograde")


def _feedback(root):
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env[course.GRADEBOOK_ENV] = f"sqlite:///{root / 'gradebook.db'}"
    env.setdefault(DATA_ENV, os.fspath(DATASETS_DIR))
    result = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", A, "--force"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base_scores, base_root, base_peak = _autograde(
        {"honest": course.reference_submission()}, tmp_path_factory.mktemp("baseline"))
    _feedback(base_root)
    submissions = {"honest": course.reference_submission()}
    submissions.update({sid: with_scratch_cell(src) for sid, src in SCRATCH.items()})
    scores, root, peak = _autograde(submissions, tmp_path_factory.mktemp("flood"))
    _feedback(root)
    sizes = {sid: ((root / "autograded" / sid / A / NB).stat().st_size,
                   (root / "feedback" / sid / A / f"{course.NOTEBOOK_NAME}.html").stat().st_size)
             for sid in submissions}
    base_sizes = ((base_root / "autograded" / "honest" / A / NB).stat().st_size,
                  (base_root / "feedback" / "honest" / A /
                   f"{course.NOTEBOOK_NAME}.html").stat().st_size)
    print(f"\ngrader peak (VmHWM): honest class {base_peak / MB:.0f} MB, with the floods "
          f"{peak / MB:.0f} MB; autograded / feedback bytes: honest {base_sizes}, " +
          ", ".join(f"{sid} {size}" for sid, size in sizes.items()))
    return {"scores": scores, "root": root, "peak": peak, "base_peak": base_peak,
            "sizes": sizes, "base_sizes": base_sizes, "base_scores": base_scores}


def _total(scores):
    return sum(v for gid, v in scores.items() if gid != "learning_rate_question")


@pytest.mark.parametrize("student", ["honest", *SCRATCH])
def test_every_score_is_exact(runs, student):
    assert _total(runs["scores"][student]) == 95, (
        student, runs["scores"][student], (runs["root"] / "nbgrader.log").read_text()[-3000:])
    assert runs["scores"]["honest"] == runs["base_scores"]["honest"]


@pytest.mark.parametrize("student", SCRATCH)
def test_files_stay_under_the_caps(runs, student):
    notebook, page = runs["sizes"][student]
    base_notebook, base_page = runs["base_sizes"]
    assert notebook <= base_notebook + LIMITS.cell_mb * MB + 10_000, notebook
    assert page <= base_page + FEEDBACK_FACTOR * LIMITS.cell_mb * MB, page


@pytest.mark.parametrize("student", SCRATCH)
def test_the_flooding_cell_says_what_was_dropped(runs, student):
    nb = nbformat.read(runs["root"] / "autograded" / student / A / NB, as_version=4)
    cell = next(c for c in nb.cells if c.get("id", "").startswith("scratch"))
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                   for o in cell.outputs)
    assert "[grader]" in text and "dropped" in text, text[-500:]


def test_the_grader_holds_a_bounded_share(runs):
    assert runs["peak"] <= runs["base_peak"] + GRADER_MARGIN_MB * MB, (runs["peak"],
                                                                       runs["base_peak"])


# -- LimitOutputBytes in memory -----------------------------------------------------------------

def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=outputs) for outputs in cells]
    return nb


def _stream(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def test_a_cell_keeps_its_first_bytes_and_a_note():
    nb = _nb([_stream("a" * 3000), _stream("b" * 3000)])
    nb, _ = LimitOutputBytes(cell_mb=0.004).preprocess(nb, {})
    outputs = nb.cells[0].outputs
    kept = sum(output_bytes(o) for o in outputs[:-1])
    assert 3000 < kept <= 4000
    assert "this cell's output went over the 0.004 MB" in outputs[-1].data["text/plain"]


def test_the_notebook_budget_spans_cells_and_errors_are_always_kept():
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="e" * 100_000,
                                   traceback=["t" * 100] * 10_000)
    nb = _nb([_stream("a" * 4000)], [_stream("b" * 4000), error])
    nb, _ = LimitOutputBytes(cell_mb=0.005, notebook_mb=0.006).preprocess(nb, {})
    second = nb.cells[1].outputs
    assert [o.output_type for o in second] == ["stream", "error", "display_data"]
    assert len(second[0].text) < 2000
    assert "notebook's outputs went over" in second[-1].data["text/plain"]
    assert second[1].ename == "ValueError" and output_bytes(second[1]) < 20_000


def test_an_honest_notebook_is_not_touched():
    nb = _nb([_stream("loss 0.69\n" * 100)], [nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBOR" * 10_000})])
    before = nbformat.writes(nb)
    nb, _ = LimitOutputBytes(cell_mb=1, notebook_mb=5).preprocess(nb, {})
    assert nbformat.writes(nb) == before
