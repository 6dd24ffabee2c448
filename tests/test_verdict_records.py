"""Verdicts as data (issue 20, item 7): records of message ids and parameters, rendered from a
catalog where a person reads them; the report reads the records, never the words."""

import json

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from catvnoncat import judge, report
from catvnoncat.judge import compare, messages
from catvnoncat.judge.messages import Message, say
from catvnoncat.judge.sentences import HINTS, hints_module
from catvnoncat.judge.verdict import METADATA_KEY, Failure, Verdict
from catvnoncat.steps.execute import record_verdict
from support import mutants


def message_ids(message):
    """Every message id in a message and its parameters."""
    found = {message.id}
    for _, value in message.params:
        if isinstance(value, Message):
            found |= message_ids(value)
    return found


@pytest.fixture(scope="module")
def catalog_verdicts(solutions, dataset):
    """The verdicts of every wrong mutant on its failing cells (vectorization cells left out:
    they time code), and of the correct notebook."""
    judged = [t for t in judge.TEST_CELLS if t not in judge.VECTORIZATION_CELLS.values()]
    found = []
    for mutant in [m for m in mutants.MUTANTS if not m.correct] + [mutants.MUTANTS[0]]:
        namespace = mutants.solution_namespace(solutions, mutant.replacements, dataset=dataset)
        prober = judge.InProcessProber(namespace)
        for test_id in sorted(mutant.failing & set(judged)) or judged:
            found.append(judge.judge(test_id, prober, namespace["__sources__"]))
    return found


def test_a_hint_is_a_message_id_with_parameters_rendered_to_todays_sentence():
    hint = HINTS.SHAPE.format(q="dw", expected=(3, 1))
    assert hint == Message("SHAPE", (("expected", (3, 1)), ("q", "dw")))
    assert hint.render() == hints_module().SHAPE.format(q="dw", expected=(3, 1))
    assert hint.render() == "dw should have shape (3, 1)."
    with pytest.raises(AttributeError, match="no sentence"):
        HINTS.NO_SUCH_SENTENCE


def test_rendering_a_record_gives_todays_sentence():
    where = say("HIDDEN_CASE", call="propagate(w, b, X, Y)",
                description="n = 3 features, m = 7 examples")
    with pytest.raises(Failure) as failed:
        compare.compare("dw", np.zeros((1, 3)), np.zeros((3, 1)), sizes=(3, 7))
    failed.value.where = where
    verdict = failed.value.verdict("test_propagate")
    stored = json.loads(json.dumps(verdict.record(0, 15)))
    assert stored["message"]["id"] == "AT" and stored["hint"]["id"] == "TRANSPOSED"
    assert Verdict.from_record(stored).message() == (
        "propagate(w, b, X, Y) on a hidden input with n = 3 features, m = 7 examples: dw has "
        "shape (1, 3), expected (3, 1).\n"
        + hints_module().TRANSPOSED.format(q="dw", actual=(1, 3), expected=(3, 1)))


def test_every_verdict_of_the_catalog_round_trips_through_its_record(catalog_verdicts):
    english = messages.english()
    assert len(catalog_verdicts) > 40
    for verdict in catalog_verdicts:
        record = json.loads(json.dumps(verdict.record(0, 10)))
        again = Verdict.from_record(record)
        assert again == verdict and again.message() == verdict.message()
        for message in (verdict.said, verdict.advice, *verdict.notes):
            if message is not None:
                assert message_ids(message) <= set(english), message  # every id has words


def test_another_catalog_renders_the_same_records(catalog_verdicts):
    """The Chinese edition renders the same records with its own catalog (same ids)."""
    tagged = {key: f"<{key}>" + template for key, template in messages.english().items()}
    for verdict in catalog_verdicts:
        other = verdict.message(tagged)
        assert other.startswith(f"<{verdict.said.id}>") and other != verdict.message()
        assert other.replace("<", "").count(">") >= 1


def _graded_cell(grade_id, points=5):
    return new_code_cell("# test", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": grade_id,
        "points": points, "schema_version": 3}})


def test_the_report_reads_the_records_not_the_words():
    failing = _graded_cell("test_propagate", 15)
    record_verdict(failing, Verdict("test_propagate", False, say(
        "AT", where=say("HIDDEN_CASE", call="propagate(w, b, X, Y)", description="m = 1"),
        what=say("VALUE_DIFFERS", q="db")), HINTS.DIVIDE_BY_M))
    passing = _graded_cell("test_sigmoid")
    record_verdict(passing, judge.Verdict("test_sigmoid", True, say(
        "PASSED", test_id="test_sigmoid", what=say("FUNCTION_PASSED", name="sigmoid"))))
    assert failing.metadata[METADATA_KEY]["verdict"]["points"] == 0
    assert passing.metadata[METADATA_KEY]["verdict"]["points"] == 5
    nb = new_notebook(cells=[failing, passing])
    before = report.failure_messages(nb)
    assert list(before) == ["test_propagate"]
    assert before["test_propagate"].startswith("HiddenTestFailed: " + str(HINTS.DIVIDE_BY_M)[:40])
    for cell in nb.cells:  # the words in the outputs change: the report does not
        for output in cell.outputs:
            output["evalue" if output.output_type == "error" else "text"] = "changed words"
    assert report.failure_messages(nb) == before
    tagged = {key: "[zh] " + template for key, template in messages.english().items()}
    assert report.failure_messages(nb, tagged)["test_propagate"].startswith(
        "HiddenTestFailed: [zh] ")
