"""The whole mutation catalog through the hidden checks, directly (no nbgrader).

Each mutant's code replaces the notebook's own solution cells (read from the source notebook
with course.solution_sources); the cells run in one shared namespace, as in a notebook, with the
real data; then every check of judge.TEST_CELLS runs. Exactly the mutant's ``failing`` cells
must fail, each with the mutant's hint; a correct variant must pass everything.
"""

import pytest

from catvnoncat import course, judge
from support import mutants

#: Solution cells, the test cells the demo and the issue need, and the catalog's minimum size.
MIN_WRONG, MIN_CORRECT = 30, 12
DEMO_MUTANTS = ("propagate_forgets_divide_by_m", "predict_returns_probabilities",
                "optimize_return_inside_loop", "predict_loops_over_examples")


def test_the_notebook_solutions_get_full_marks(solutions, dataset):
    namespace = mutants.solution_namespace(solutions, dataset=dataset)
    assert namespace["__cell_errors__"] == {}
    assert mutants.grade_directly(namespace) == {test_id: None for test_id in judge.TEST_CELLS}


@pytest.mark.parametrize("mutant", mutants.params())
def test_mutant_fails_exactly_its_cells_with_its_hint(solutions, dataset, mutant):
    namespace = mutants.solution_namespace(solutions, mutant.replacements, dataset=dataset)
    outcomes = mutants.grade_directly(namespace)
    failed = {test_id for test_id, message in outcomes.items() if message is not None}
    unexpected = {t: outcomes[t] for t in failed - mutant.failing}
    assert failed == mutant.failing, f"{mutant.name}: unexpected failures {unexpected}"
    for test_id in mutant.follow_on:
        assert judge.vectorized.NOT_JUDGED in outcomes[test_id], (mutant.name, outcomes[test_id])
    for test_id in mutant.failing - mutant.follow_on:
        assert mutant.hint in outcomes[test_id], (
            f"{mutant.name}: {test_id} says\n{outcomes[test_id]}\nexpected the hint {mutant.hint!r}")


def test_catalog_size_and_coverage(solutions):
    wrong = [m for m in mutants.MUTANTS if not m.correct]
    correct = [m for m in mutants.MUTANTS if m.correct]
    assert len(wrong) >= MIN_WRONG and len(correct) >= MIN_CORRECT
    # Every autograded test cell is the target of some mistake.
    nb = course.read_notebook(course.SOURCE_NOTEBOOK)
    tests = {gid for gid, cell in course.grade_cells(nb).items() if cell["kind"] == "test"}
    assert tests == set(judge.TEST_CELLS)
    assert set().union(*(m.failing for m in wrong)) == tests
    # Every graded function has correct-but-different variants.
    assert {gid for m in correct for gid in m.replacements} == set(solutions)


def test_catalog_is_well_formed(solutions):
    for mutant in mutants.MUTANTS:
        assert set(mutant.replacements) <= set(solutions), mutant.name
        assert mutant.failing <= set(judge.TEST_CELLS), mutant.name
        if mutant.correct:
            assert not mutant.failing and not mutant.hint, mutant.name
        else:
            assert mutant.failing and mutant.hint, mutant.name


def test_the_demo_finds_its_mutants_by_name():
    for name in DEMO_MUTANTS:
        assert mutants.by_name(name).name == name
    with pytest.raises(KeyError, match="known"):
        mutants.by_name("no_such_mutant")


def test_the_demos_typical_mistakes_are_the_catalogs():
    from catvnoncat import demo

    assert sorted(demo.typical_mistakes()) == sorted(DEMO_MUTANTS)
    for name, mistake in demo.typical_mistakes().items():
        mutant = mutants.by_name(name)
        assert mistake["replacements"] == mutant.replacements, name
        assert frozenset(mistake["failing"]) == mutant.failing, name
        assert mistake["description"] == mutant.description, name
