"""Checks your answers in answers.py: `pytest quiz` from the folder that holds quiz/.

A failure message says "not answered yet", or gives a hint about the idea to revisit. It never
shows the right option: failures are raised with ``pytest.fail(..., pytrace=False)``, so there is
no traceback (and no local variable) to print.
"""

from pathlib import Path

import pytest

from marking import load_key_hashes, read_answers, verdict
from questions import QUESTIONS

ANSWERS = Path(__file__).resolve().parent / "answers.py"


@pytest.fixture(scope="module")
def answers():
    """``(answers, problems)`` of answers.py, read without running it (see marking.read_answers):
    a typo costs its own question only."""
    return read_answers(ANSWERS)


@pytest.fixture(scope="module")
def key_hashes():
    return load_key_hashes()


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.qid for q in QUESTIONS])
def test_question(question, answers, key_hashes):
    values, problems = answers
    message = problems.get("*") or problems.get(question.qid)
    if message is None:
        message = verdict(question, values.get(question.qid), key_hashes)
    if message is not None:
        pytest.fail(message, pytrace=False)
