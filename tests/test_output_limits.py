"""The bytes of output a submission may leave in the grader and its files (issue 21, item 1).

Two real ``nbgrader autograde`` runs: an honest class of one (the baseline, graded once per test
session: :func:`support.grader_share.honest_baseline`), then that honest
classmate with correct notebooks that each add one scratch cell printing a 110 MB line,
twelve 100 MB stream messages, 25 MB in small lines, displaying one 6 MB message whose
metadata is two million empty dicts, replacing 500 small displays by 1.9 MB each, sending 500
error messages, opening widget comms with 95 MB of state, sending a badly signed reply or a
message whose type is terminal escapes, and the attackers of tests/test_grader_share.py (lent
helpers asked for work the grader must refuse, a flood from the judging side only). While
nbgrader runs, the grader's own processes are sampled (:mod:`support.grader_share`: peak
resident memory, CPU time); one of them loops on ``display(...)`` 100,000 times, stopped at
the cell's message limit. Then ``nbgrader generate_feedback``. The autograded notebooks and
feedback pages must stay under the configured caps plus a stated margin, the grader's peak
within 500 MB of the baseline's and its CPU time within the baseline's per student times the
class size plus 5 s per flooding or attacking student, every score exact (the scratch cell
costs nothing), and each flooding cell must say what was dropped. Fast tests check
:class:`LimitOutputBytes` on notebooks in memory.
"""

import nbformat
import pytest

from catvnoncat import course
from support.grader_share import (ATTACKERS, CPU_BOUND_S, MEMORY_BOUND_MB, class_with_attackers,
                                  generate_feedback, grade_sampled, honest_baseline)
from catvnoncat.steps.output_limits import LimitOutputBytes, output_bytes
from catvnoncat.facts import course_config

MB = 1_000_000
NB = f"{course.NOTEBOOK_NAME}.ipynb"
A = course.ASSIGNMENT
LIMITS = course_config(course.REPO_ROOT).LimitOutputBytes
#: Stated bounds: what the grader may hold above the honest baseline, and what a feedback page
#: may add to the honest one beyond the notebook cap (HTML escaping, the note, the template).
FEEDBACK_FACTOR = 3

SCRATCH = {
    "long-line": 'print("x" * 110_000_000)',
    "twelve-messages": ('import sys\nfor _ in range(12):\n'
                        '    sys.stdout.write("y" * 100_000_000)\n    sys.stdout.flush()'),
    "many-lines": 'for i in range(250_000):\n    print("z" * 99)',
    # 1000 messages of 1.9 MB, each under the message limit: each is checked and parsed before
    # it can be dropped (4.5 ms of the grader's CPU); read up to c.LimitOutputBytes.read_mb
    "big-messages": ('import sys\nfor _ in range(1000):\n'
                     '    sys.stdout.write("b" * 1_900_000)\n    sys.stdout.flush()'),
    # 6 MB on the wire, two million dicts once parsed
    "dict-bomb": ('from IPython.display import display\n'
                  'display({"text/plain": "x"}, raw=True, metadata={"m": [{}] * 2_000_000})'),
    # 500 small displays, each then replaced by 1.9 MB (update_display_data bypassed the caps:
    # the grader held 1.4 GB, an honest class 0.19 GB)
    "display-updates": ('from IPython.display import display, update_display\n'
                        'for i in range(500):\n'
                        '    display({"text/plain": ""}, raw=True, display_id=f"u{i}")\n'
                        'for i in range(500):\n'
                        '    update_display({"text/plain": "u" * 1_900_000}, raw=True, '
                        'display_id=f"u{i}")'),
    # 500 error messages sent from a cell (errors were always kept: 2000 of them made a 200 MB
    # notebook, the grader at 1.1 GB); the first error of a cell is kept, the others are
    # outputs as any (not more: on a loaded machine 2000 took the kernel past 180 s)
    "forged-errors": ('k = get_ipython().kernel\n'
                      'error = {"ename": "E" * 200, "evalue": "v" * 2000, "traceback": ["t" * 2000] * 50}\n'
                      'for i in range(500):\n'
                      '    k.session.send(k.iopub_socket, "error", error, parent=k.get_parent("shell"))'),
}
#: Scratch cells whose messages the grader drops without a note: a reply not signed with the
#: kernel's key; comm (widget) messages, whose
#: state nbclient kept unbounded and wrote into the notebook's metadata; one that names no
#: ``_model_module`` raised KeyError in the grader (the submission not graded, as if by our
#: fault), and an unknown target's name was logged as sent.
QUIET = {
    "widget-state": ('try:\n    from comm import create_comm\n'
                     'except ImportError:\n    from ipykernel.comm import Comm as create_comm\n'
                     'for i in range(50):\n'
                     '    create_comm(target_name="x\\x1b[2J", data={"state": {"v": "w" * 1_900_000}})\n'
                     'create_comm(target_name="jupyter.widget", data={"state": {}})'),
    # one execute_reply on the kernel's shell socket with a wrong signature: jupyter_client
    # raised "Invalid Signature" in nbclient, and the correct notebook was not graded at all
    "bad-signature": ('k = get_ipython().kernel\n'
                      'msg = k.session.msg("execute_reply", {"status": "ok", "execution_count": 1,'
                      ' "user_expressions": {}, "payload": []}, parent=k.get_parent("shell"))\n'
                      'frames = k.session.serialize(msg, k._parent_ident["shell"])\n'
                      'at = frames.index(b"<IDS|MSG>") + 1\n'
                      'frames[at] = b"0" * len(frames[at])\n'
                      'getattr(k.shell_stream, "socket", k.shell_stream).send_multipart(frames)\n'
                      'import time; time.sleep(1)\n'
                      'print("sent 1 badly signed reply")'),
    # a message type made of terminal escapes and a forged status line: nbclient logged it as
    # sent ("unhandled iopub msg: ..."), on the grader's console
    "escape-type": ('k = get_ipython().kernel\n'
                    'k.session.send(k.iopub_socket, chr(27) + "[2J" + chr(10) + "[FAILED] honest 0 '
                    'of 95", {}, parent=k.get_parent("shell"))'),
}


def with_scratch_cell(source):
    """The reference solution with a scratch cell just before ``model``'s cell: the notebook
    kernel runs it, and only the judge children of the tests after it replay it (each replay is
    bounded the same way; fewer of them keep this test short)."""
    nb = course.reference_submission()
    at = next(i for i, c in enumerate(nb.cells)
              if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "model")
    nb.cells.insert(at, nbformat.v4.new_code_cell(source, id=course.unused_cell_id(nb, "scratch")))
    return nb


def _autograde(submissions, workdir):
    # A longer cell time limit: twelve 100 MB messages take a kernel about 30 s on a loaded
    # 2-core machine, and this test is about bytes, not time.
    scores, grader = grade_sampled(submissions, workdir, config_lines="c.Execute.timeout = 180")
    return scores, workdir / "course", grader


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    submissions = {"honest": course.reference_submission()}
    submissions.update({sid: with_scratch_cell(src) for sid, src in {**SCRATCH, **QUIET}.items()})
    submissions.update(class_with_attackers())
    scores, root, grader = _autograde(submissions, tmp_path_factory.mktemp("flood"))
    generate_feedback(root)
    base_scores, baseline, base_root = honest_baseline(tmp_path_factory, feedback=True)
    sizes = {sid: ((root / "autograded" / sid / A / NB).stat().st_size,
                   (root / "feedback" / sid / A / f"{course.NOTEBOOK_NAME}.html").stat().st_size)
             for sid in submissions}
    base_sizes = ((base_root / "autograded" / "honest" / A / NB).stat().st_size,
                  (base_root / "feedback" / "honest" / A /
                   f"{course.NOTEBOOK_NAME}.html").stat().st_size)
    print(f"\ngrader peak (VmHWM): honest class {baseline.peak_bytes / MB:.0f} MB, with the floods "
          f"{grader.peak_bytes / MB:.0f} MB; grader CPU: honest {baseline.cpu_seconds:.1f} s, class "
          f"of {len(submissions)} {grader.cpu_seconds:.1f} s; autograded / feedback bytes: honest {base_sizes}, " +
          ", ".join(f"{sid} {size}" for sid, size in sizes.items()))
    return {"scores": scores, "root": root, "grader": grader, "baseline": baseline,
            "size": len(submissions),
            "sizes": sizes, "base_sizes": base_sizes, "base_scores": base_scores}


def _total(scores):
    return sum(v for gid, v in scores.items() if gid != "learning_rate_question")


@pytest.mark.parametrize("student", ["honest", *SCRATCH, *QUIET, *ATTACKERS])
def test_every_score_is_exact(runs, student):
    assert _total(runs["scores"][student]) == 95, (
        student, runs["scores"][student], (runs["root"] / "nbgrader.log").read_text()[-3000:])
    assert runs["scores"]["honest"] == runs["base_scores"]["honest"]


@pytest.mark.parametrize("student", [*SCRATCH, *QUIET])
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


def test_a_display_loop_is_stopped_at_the_message_limit_and_the_next_cells_run(runs):
    nb = nbformat.read(runs["root"] / "autograded" / "display_flood" / A / NB, as_version=4)
    at = next(i for i, c in enumerate(nb.cells)
              if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "model")
    shown = [o for o in nb.cells[at].outputs if o.get("output_type") == "display_data"]
    note = shown[-1]["data"]["text/plain"]
    assert note.startswith(f"[grader] This cell sent more than {LIMITS.cell_messages} output "
                           "messages"), note
    assert len(shown) <= LIMITS.cell_messages
    after = [c for c in nb.cells[at + 1:] if c.cell_type == "code" and c.get("outputs")]
    assert after and not any(o.get("ename") == "NotRun" for c in after for o in c.outputs)


def test_the_badly_signed_reply_was_sent_and_dropped(runs):
    nb = nbformat.read(runs["root"] / "autograded" / "bad-signature" / A / NB, as_version=4)
    cell = next(c for c in nb.cells if c.get("id", "").startswith("scratch"))
    assert [o.get("text") for o in cell.outputs] == ["sent 1 badly signed reply\n"], cell.outputs


def test_no_escape_sent_by_a_kernel_reaches_the_grader_log(runs):
    log = (runs["root"] / "nbgrader.log").read_text(encoding="utf-8", errors="replace")
    assert "\x1b" not in log and "\n[FAILED] honest 0 of 95" not in log


def test_the_grader_holds_a_bounded_share(runs):
    grader, baseline = runs["grader"], runs["baseline"]
    assert grader.peak_bytes <= baseline.peak_bytes + MEMORY_BOUND_MB * MB, (
        grader.peak_bytes / MB, baseline.peak_bytes / MB)
    bound = baseline.cpu_seconds * runs["size"] + CPU_BOUND_S * (runs["size"] - 1)
    assert grader.cpu_seconds <= bound, (grader.cpu_seconds, bound)


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


def test_only_the_first_error_of_a_cell_is_kept_past_the_budget():
    errors = [nbformat.v4.new_output("error", ename="E", evalue=str(i), traceback=["t" * 1000])
              for i in range(100)]
    nb = _nb([_stream("a" * 100), errors[0]], errors)
    nb, _ = LimitOutputBytes(cell_mb=0.005, notebook_mb=1).preprocess(nb, {})
    first, second = nb.cells[0].outputs, nb.cells[1].outputs
    assert [o.output_type for o in first] == ["stream", "error"]
    assert [o.evalue for o in second if o.output_type == "error"] == ["0", "1", "2", "3"]
    assert "this cell's output went over" in second[-1].data["text/plain"]


def test_an_honest_notebook_is_not_touched():
    nb = _nb([_stream("loss 0.69\n" * 100)], [nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBOR" * 10_000})])
    before = nbformat.writes(nb)
    nb, _ = LimitOutputBytes(cell_mb=1, notebook_mb=5).preprocess(nb, {})
    assert nbformat.writes(nb) == before


def test_the_notes_are_in_the_words_of_the_edition_handed_in():
    from catvnoncat.judge.messages import catalog_for
    from catvnoncat.steps.output_limits import truncation_note

    limits = LimitOutputBytes(config=course_config(course.REPO_ROOT))
    zh = catalog_for(f"{A}_zh")
    english = truncation_note(limits, 1234, messages="cell").data["text/plain"]
    chinese = truncation_note(limits, 1234, messages="cell", catalog=zh).data["text/plain"]
    assert english.startswith(f"[grader] This cell sent more than {limits.cell_messages} output "
                              "messages") and english.endswith(" (1,234 bytes)")
    assert chinese.startswith(f"[评分程序] 这个单元格发送了超过 {limits.cell_messages} 条输出消息")
    assert chinese.endswith("（1,234 字节）")
