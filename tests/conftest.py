"""Fixtures shared by the test modules: the real data and the notebook's own solutions.

The ``slow`` marker (``make test-fast`` = ``pytest -m "not slow"`` leaves these tests out) goes
on every test that starts kernels, servers, browsers or nbgrader subprocesses (or trains the
model on the real data): by hand
(``@pytest.mark.slow``) on a test that does so itself, and here on every test that uses one of
:data:`SLOW_FIXTURES`, the fixtures that do.
"""

import os

import pytest

from support import mutants
from catvnoncat.data import load_dataset
from catvnoncat.facts import SECRET_ENV

#: The course secret of the test session (the hidden inputs are drawn from it, see
#: catvnoncat.judge.secret); set before any test, so the nbgrader runs the tests start inherit
#: it. Tests of the secret itself change it or remove it where they need to.
TEST_SECRET = "test-session-secret-not-a-course-secret"
os.environ.setdefault(SECRET_ENV, TEST_SECRET)

#: Fixtures that start kernels, servers, browsers or nbgrader runs (test module: fixtures).
SLOW_FIXTURES = {
    "test_browser": {"browser", "lab"},
    # in_process: judges 60 learners' own propagate and predict, timing each (30 s of CPU).
    "test_corpus": {"autograded", "in_process"},
    "test_demo": {"demo_run"},
    "test_engine": {"graded", "one_student_course", "postgres_url"},
    "test_exchange": {"day"},
    "test_grades_export": {"exported"},
    "test_kernel_stdio": {"loop"},
    "test_output_limits": {"runs"},
    "test_quarantine": {"graded"},
    "test_hostile": {"runs", "run"},
    "test_mutants_autograde": {"graded"},
    "test_quiz": {"run_quiz"},
    "test_release": {"graded"},
    "test_repair": {"graded"},
    "test_sandbox": {"kernel", "other_kernel", "loop"},
    "test_vectorized": {"host"},
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rpartition(".")[2]
        if SLOW_FIXTURES.get(module, set()) & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def dataset():
    """The raw arrays as students load them (``lr_utils.load_dataset``)."""
    return load_dataset()


@pytest.fixture(scope="session")
def solutions():
    """``{grade_id: code}`` of the source notebook's solution cells."""
    return mutants.notebook_solutions()
