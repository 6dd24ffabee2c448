"""Checks your answers in answers.py: `pytest quiz` from the folder that holds quiz/.

A failure message says "not answered yet", or gives a hint about the idea to revisit. It never
shows the right option: failures are raised with ``pytest.fail(..., pytrace=False)``, so there is
no traceback (and no local variable) to print.
"""

import importlib.util
from pathlib import Path

import pytest

from marking import load_key_hashes, verdict
from questions import QUESTIONS

ANSWERS = Path(__file__).resolve().parent / "answers.py"


def load_answers():
    """``(module, None)`` for ``answers.py`` loaded afresh, or ``(None, message)`` when it
    cannot be loaded (a typo: say where, without a traceback)."""
    spec = importlib.util.spec_from_file_location("quiz_student_answers", ANSWERS)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as problem:
        return None, (f"quiz/answers.py cannot be read ({type(problem).__name__}: {problem}). "
                      "Each line should look like  Q1 = None  or  Q1 = \"C\"  -- fix it and run "
                      "pytest quiz again.")
    return module, None


@pytest.fixture(scope="module")
def answers():
    module, problem = load_answers()
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    return module


@pytest.fixture(scope="module")
def key_hashes():
    return load_key_hashes()


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.qid for q in QUESTIONS])
def test_question(question, answers, key_hashes):
    message = verdict(question, getattr(answers, question.qid, None), key_hashes)
    if message is not None:
        pytest.fail(message, pytrace=False)
