"""Red team: a thread left flooding the notebook kernel's output channel (issue 21).

A scratch cell near the top of a correct notebook starts a thread that sends frames on the
kernel's output channel (iopub) for as long as the kernel lives, while every later cell runs:

- ``big_frame_thread``: frames of 1.9 MB (under ``c.LimitOutputBytes.message_mb``). The grader
  stopped reading at ``read_mb``, but libzmq kept queueing up to 1000 of them for it while it
  waited for the cell's reply: the grader at 1.8 GB (an honest class: 0.19 GB). And the cell
  that started the thread ended at once, into ipykernel's flush of its output (which waits for
  the flooded output thread): the grader's interrupt at the byte budget landed there, ipykernel
  caught it and sent no reply, and the kernel was stopped at the time limit "for ignoring the
  interrupt": every test cell after it scored 0 (0 of 95).
- ``small_frame_thread``: frames of 4 bytes, not messages. Once the notebook's message budget
  was spent, the grader dropped 50,000 stale frames before each later cell: 24 s of its CPU
  for one student (the stated bound: 5 s).

And, without a thread: ``quick_display_bursts``, four cells of 1999 displays each before the
sigmoid cell: the kernel sent them faster than the grader read them, libzmq dropped what
outran its queue, the status message that ends a cell with them; nbgrader waited 30 s
(``iopub_timeout``), then stopped the kernel: every test cell from sigmoid's on scored 0 (15
of 95, in 4 runs of 6).

And ``huge_error_reply``: a scratch cell before sigmoid's that raises an error of 3 MB (a
student's ``raise ValueError(str(big_list))``): ipykernel's reply carries the error, over
``message_mb``; libzmq dropped it and closed the reply channel for good, and the grader waited
for a reply that could not come: that submission's ``nbgrader autograde`` still hung after 10
minutes (stopped by hand; nbclient alone retries the time limit for ever).

And ``forged_reply_flood``: a scratch cell before model's whose thread sends replies, signed
with the kernel's key, on the kernel's reply channel. The grader stops reading past the cell's
budget and stops that kernel, as it must (only a forged reply sends more than one); but the
test cells after it were then not judged either: test_model scored 0 (80 of 95), where the
judge children, which run the cells afresh, judge it as any other.

One real grading per mode (``nbgrader autograde``, ``catvnoncat grade --workers 2``), each beside
an honest class of one (the session's baseline), the grader's processes sampled
(:mod:`support.grader_share`). Every score must be exact, the grader's peak within 500 MB of
the baseline's and its CPU within the baseline's per student times the class size plus 5 s
per attacking student.
"""

import nbformat
import pytest

from catvnoncat import course
from support.grader_share import CPU_BOUND_S, MEMORY_BOUND_MB, grade_sampled, honest_baseline

pytestmark = pytest.mark.slow  # real grading runs

MB = 1_000_000


def _thread_sending(frame):
    return ("import threading\n"
            "def _flood():\n"
            "    k = get_ipython().kernel\n"
            f"    frame = {frame}\n"
            "    while True:\n"
            "        k.iopub_socket.send_multipart([frame])\n"
            "threading.Thread(target=_flood, daemon=True).start()\n")


FLOODS = {
    "big_frame_thread": _thread_sending("b'j' * 1_900_000"),
    "small_frame_thread": _thread_sending("b'junk'"),
}


#: A thread sending replies signed with the kernel's key, to requests never made, on the
#: kernel's reply channel (shell) for as long as the kernel lives, while the cell waits 5 s
#: (under the time limit). (3000 replies sent at once were not enough: libzmq dropped those
#: past its queues, the cell's own reply among them in 1 run of 4, and the cell ended at its
#: time limit instead, on another path.)
FORGED_REPLIES = (
    'import threading, time\n'
    'def _forge():\n'
    '    k = get_ipython().kernel\n'
    '    sock = getattr(k.shell_stream, "socket", k.shell_stream)\n'
    '    content = {"status": "ok", "execution_count": 1, "user_expressions": {}, "payload": []}\n'
    '    i = 0\n'
    '    while True:\n'
    '        msg = k.session.msg("execute_reply", content, parent={"msg_id": f"forged{i}"})\n'
    '        sock.send_multipart(k.session.serialize(msg, k._parent_ident["shell"]))\n'
    '        i += 1\n'
    'threading.Thread(target=_forge, daemon=True).start()\n'
    'time.sleep(5)\n')


def _before(grade_id, *sources):
    """The reference solution with a cell of each of ``sources`` before ``grade_id``'s."""
    nb = course.reference_submission()
    at = next(i for i, c in enumerate(nb.cells)
              if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)
    for n, source in enumerate(sources):
        nb.cells.insert(at, nbformat.v4.new_code_cell(source,
                                                      id=course.unused_cell_id(nb, f"s{n}")))
    return nb


def _quick_display_bursts():
    burst = ("from IPython.display import display\n"
             "for _ in range(1999):\n"
             "    display({'text/plain': 'n'}, raw=True)\n")
    return _before("sigmoid", *[burst] * 4)


def _with_thread_at_the_top(source):
    """The reference solution with ``source`` in a cell after its first code cell: every
    later cell runs while the thread floods."""
    nb = course.reference_submission()
    at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code") + 1
    nb.cells.insert(at, nbformat.v4.new_code_cell(source, id=course.unused_cell_id(nb, "scratch")))
    return nb


@pytest.fixture(scope="module", params=["autograde", "engine"])
def graded(request, tmp_path_factory):
    workers = 2 if request.param == "engine" else None
    submissions = {"honest": course.reference_submission()}
    submissions.update({sid: _with_thread_at_the_top(src) for sid, src in FLOODS.items()})
    submissions["quick_display_bursts"] = _quick_display_bursts()
    submissions["huge_error_reply"] = _before("sigmoid", 'raise ValueError("x" * 3_000_000)')
    submissions["forged_reply_flood"] = _before("model", FORGED_REPLIES)
    work = tmp_path_factory.mktemp("floods")
    scores, grader = grade_sampled(submissions, work, workers=workers)
    root = work / "course"
    _, baseline, _ = honest_baseline(tmp_path_factory, workers)
    print(f"\n{request.param}: grader peak {baseline.peak_bytes / MB:.0f} MB honest, "
          f"{grader.peak_bytes / MB:.0f} MB with the floods; CPU {baseline.cpu_seconds:.1f} s "
          f"honest, {grader.cpu_seconds:.1f} s for {len(submissions)} students")
    return scores, baseline, grader, len(submissions), root


def test_a_flooding_thread_costs_no_graded_point(graded):
    scores = graded[0]
    totals = {sid: sum(v for gid, v in s.items() if gid != "learning_rate_question")
              for sid, s in scores.items()}
    assert totals == {sid: 95 for sid in scores}, scores


def test_a_flooding_thread_costs_the_grader_a_bounded_share(graded):
    _, baseline, grader, size, _ = graded
    assert grader.peak_bytes <= baseline.peak_bytes + MEMORY_BOUND_MB * MB, (
        grader.peak_bytes / MB, baseline.peak_bytes / MB)
    assert grader.cpu_seconds <= baseline.cpu_seconds * size + CPU_BOUND_S * (size - 1), (
        grader.cpu_seconds, baseline.cpu_seconds)


def test_a_forged_reply_flood_stops_the_notebook_kernel_but_not_the_judging(graded):
    """The flooding cell says why its kernel was stopped; model's cell, after it, was not run
    there (its output says why), and test_model was still judged: passed, full points."""
    root = graded[4]
    nb = nbformat.read(root / "autograded" / "forged_reply_flood" / course.ASSIGNMENT /
                       f"{course.NOTEBOOK_NAME}.ipynb", as_version=4)
    grade_ids = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells]
    at = grade_ids.index("model")
    errors = [[o.get("ename") for o in c.get("outputs", []) if o.get("output_type") == "error"]
              for c in nb.cells]
    assert errors[at - 1] == ["MessageLimitReached"], nb.cells[at - 1].outputs
    assert errors[at] == ["NotRun"], nb.cells[at].outputs
    test_model = nb.cells[grade_ids.index("test_model")]
    assert not errors[grade_ids.index("test_model")], test_model.outputs
    assert test_model.metadata["catvnoncat"]["verdict"]["points"] == 15, test_model.metadata
