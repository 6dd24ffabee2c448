"""Fixtures shared by the test modules: the real data and the notebook's own solutions."""

import pytest

from support import mutants
from catvnoncat.data import load_dataset


@pytest.fixture(scope="session")
def dataset():
    """The raw arrays as students load them (``lr_utils.load_dataset``)."""
    return load_dataset()


@pytest.fixture(scope="session")
def solutions():
    """``{grade_id: code}`` of the source notebook's solution cells."""
    return mutants.notebook_solutions()
