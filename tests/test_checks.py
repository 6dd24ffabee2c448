"""The hidden-test checks themselves: fairness, isolation, silence, hidden inputs, messages.

The mutation catalog (tests/test_mutants.py) checks that every catalogued mistake is caught
with its hint; this file checks the grader's own promises (catvnoncat.checks docstring).
Expected values come from catvnoncat.reference; the "student" functions below are small
variants written for each promise.
"""

import warnings

import numpy as np
import pytest

from catvnoncat import checks, mutants, reference

#: The visible propagate example (from the student-facing public_tests.py).
VISIBLE = mutants.public_tests().PROPAGATE_CASES[0]
PUBLIC_PROPAGATE_INPUT = (np.array(VISIBLE["w"]), VISIBLE["b"], np.array(VISIBLE["X"]),
                          np.array(VISIBLE["Y"]))


def notebook(solutions, dataset, **cells):
    """A namespace holding the notebook's solutions, with some cells replaced by ``cells``."""
    return mutants.solution_namespace(solutions, cells, dataset=dataset)


def failure_message(check, *args):
    with pytest.raises(AssertionError) as info:
        check(*args)
    return str(info.value)


# ---------------------------------------------------------------------------------------------
# Silence: nothing on stderr, warnings captured, at most one line on stdout
# ---------------------------------------------------------------------------------------------
TEXTBOOK = {
    "sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
    "predict": ("def predict(w, b, X):\n"
                "    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))\n"
                "    return (A > 0.5).astype(float)\n"),
}


def test_overflowing_textbook_sigmoid_passes_without_a_word_on_stderr(solutions, dataset, capfd):
    """1 / (1 + np.exp(-z)) overflows for z = -1000 (RuntimeWarning) but its result is right."""
    namespace = notebook(solutions, dataset, **TEXTBOOK)
    with np.errstate(over="raise"):  # make sure the overflow really happens in these inputs
        with pytest.raises(FloatingPointError):
            namespace["sigmoid"](np.array([-1000.0]))
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        outcomes = mutants.grade_directly(namespace)
    assert outcomes == {test_id: None for test_id in checks.TEST_CELLS}
    assert escaped == []
    captured = capfd.readouterr()
    assert captured.err == ""


@pytest.mark.parametrize("name", ["propagate_forgets_divide_by_m", "sigmoid_math_exp",
                                  "model_uses_global_data", "optimize_costs_only_when_printing",
                                  "propagate_loops_over_examples"])
def test_failing_checks_write_nothing_to_stderr(solutions, dataset, capfd, name):
    namespace = notebook(solutions, dataset, **mutants.by_name(name).replacements)
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        for test_id, (check, names) in checks.TEST_CELLS.items():
            try:
                check(*[namespace[n] for n in names])
            except AssertionError:
                pass
    assert escaped == []
    captured = capfd.readouterr()
    assert captured.err == ""
    assert captured.out.count("\n") <= 1


def test_student_prints_are_captured(solutions, dataset, capfd):
    """model_keywords prints inside model and passes print_cost on; the check shows none of it."""
    namespace = notebook(solutions, dataset, **mutants.by_name("model_keywords").replacements)
    checks.check_model(namespace["model"])
    checks.check_optimize(namespace["optimize"])
    assert capfd.readouterr() == ("", "")


# ---------------------------------------------------------------------------------------------
# Fair equivalence: accepted scalar types, rejected look-alikes
# ---------------------------------------------------------------------------------------------
def propagate_returning(db_as=None, dw_as=None, cost_as=None):
    """A correct propagate whose db / dw / cost are passed through a conversion."""
    def propagate(w, b, X, Y):
        grads, cost = reference.propagate(w, b, X, Y)
        db, dw = grads["db"], grads["dw"]
        return ({"dw": dw_as(dw) if dw_as else dw, "db": db_as(db) if db_as else db},
                cost_as(cost) if cost_as else cost)
    return propagate


@pytest.mark.parametrize("convert", [float, np.float64, np.array, lambda x: np.array(x).reshape(()),
                                     np.longdouble], ids=["float", "np.float64", "0-d array",
                                                          "0-d reshaped", "longdouble"])
def test_scalars_of_every_accepted_type_pass(convert):
    checks.check_propagate(propagate_returning(db_as=convert, cost_as=convert))


@pytest.mark.parametrize("convert, hint", [
    (lambda x: np.array([x]), "should be a scalar"),
    (lambda x: np.array([[x]]), "should be a scalar"),
    (lambda x: [x], "should be a number"),
    (lambda x: str(x), "should be a number"),
    (lambda x: x > 0, "should be a number"),
], ids=["(1,)", "(1, 1)", "list", "str", "bool"])
def test_look_alike_scalars_fail(convert, hint):
    message = failure_message(checks.check_propagate, propagate_returning(db_as=convert))
    assert hint in message


class AlwaysEqual:
    """An object that claims to equal everything."""

    shape = (3, 1)

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class LyingArray(np.ndarray):
    """An ndarray subclass whose comparisons are always true."""

    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)


@pytest.mark.parametrize("fake, hint", [
    (lambda dw: AlwaysEqual(), "should be a numpy array"),
    (lambda dw: (dw * 0).view(LyingArray), "plain numpy array"),
    (lambda dw: np.asmatrix(dw), "plain numpy array"),
    (lambda dw: dw.tolist(), "not a list"),
], ids=["custom __eq__", "ndarray subclass", "np.matrix", "list"])
def test_objects_that_lie_about_equality_fail(fake, hint):
    message = failure_message(checks.check_propagate, propagate_returning(dw_as=fake))
    assert hint in message


@pytest.mark.parametrize("product", ["w.T @ X", "np.dot(w.T, X)", "np.matmul(w.T, X)",
                                     "np.einsum('ij,ik->jk', w, X)"])
def test_any_matrix_product_passes(product):
    namespace = {"np": np, "sigmoid": reference.sigmoid}
    exec(f"def predict(w, b, X):\n    return (sigmoid({product} + b) > 0.5).astype(float)\n",
         namespace)
    checks.check_predict(namespace["predict"])
    checks.check_predict_vectorized(namespace["predict"])


def test_int_and_numpy_bias_from_initialize_pass():
    for b in (0, 0.0, np.float64(0), np.array(0.0), np.int64(0)):
        checks.check_initialize_with_zeros(lambda dim, b=b: (np.zeros((dim, 1)), b))


# ---------------------------------------------------------------------------------------------
# Judging each function alone, and restoring the notebook's globals
# ---------------------------------------------------------------------------------------------
def test_optimize_is_judged_with_the_reference_propagate(solutions, dataset):
    """A wrong propagate costs points in test_propagate only, not in test_optimize / test_model."""
    replacements = mutants.by_name("propagate_forgets_divide_by_m").replacements
    namespace = notebook(solutions, dataset, **replacements)
    outcomes = mutants.grade_directly(namespace, {"test_propagate", "test_optimize", "test_model"})
    assert outcomes["test_propagate"] is not None
    assert outcomes["test_optimize"] is None and outcomes["test_model"] is None


@pytest.mark.parametrize("test_id", ["test_propagate", "test_propagate_vectorized", "test_optimize",
                                     "test_predict", "test_predict_vectorized", "test_model"])
@pytest.mark.parametrize("student_raises", [False, True])
def test_globals_are_restored_even_on_failure(solutions, dataset, test_id, student_raises):
    namespace = notebook(solutions, dataset)
    check, names = checks.TEST_CELLS[test_id]
    if student_raises:
        exec(f"def {names[0]}(*args):\n    raise NotImplementedError()\n", namespace)
    namespace.pop("initialize_with_zeros")  # a name the check patches in must disappear again
    before = dict(namespace)
    try:
        check(*[namespace[n] for n in names])
        failed = False
    except AssertionError:
        failed = True
    assert failed == student_raises
    assert namespace.keys() == before.keys()
    for key, value in before.items():
        assert namespace[key] is value, key


def test_model_reading_global_data_gets_decoys_then_the_real_data_back(solutions, dataset):
    namespace = notebook(solutions, dataset, **mutants.by_name("model_uses_global_data").replacements)
    real = {name: namespace[name] for name in checks.DATA_GLOBALS}
    message = failure_message(checks.check_model, namespace["model"])
    assert "instead of its arguments" in message
    assert all(namespace[name] is value for name, value in real.items())


# ---------------------------------------------------------------------------------------------
# Hidden inputs: unseen, seeded, covering the awkward shapes and values
# ---------------------------------------------------------------------------------------------
def test_hidden_inputs_cover_m_1_and_n_1_and_differ_from_the_visible_ones():
    for cases in (checks._propagate_cases(), checks._predict_cases(), checks._optimize_cases()):
        sizes = {case.args[2].shape for case in cases}  # X is the third argument of each
        assert any(n == 1 for n, _ in sizes) and any(m == 1 for _, m in sizes)
    for case in checks._propagate_cases():
        assert not all(np.array_equal(np.asarray(a), np.asarray(v))
                       for a, v in zip(case.args, PUBLIC_PROPAGATE_INPUT)
                       if np.shape(a) == np.shape(v))


def test_hidden_inputs_are_deterministic():
    first = [c.args for c in checks._propagate_cases()]
    second = [c.args for c in checks._propagate_cases()]
    for a, b in zip(first, second):
        for x, y in zip(a, b):
            assert np.array_equal(x, y)


def test_large_z_reaches_sigmoid_and_predict_but_not_the_cost():
    sigmoid_inputs = [np.abs(c.args[0]).max() for c in checks._sigmoid_cases()]
    assert max(sigmoid_inputs) >= 745  # exp(745) overflows in float64
    predict_z = [c.args[0].T @ c.args[2] + c.args[1] for c in checks._predict_cases()]
    assert max(np.abs(z).max() for z in predict_z) > 500
    # No z so close to 0 that "> 0.5" and ">= 0.5" would legitimately disagree.
    assert min(np.abs(z).min() for z in predict_z) > 1e-3
    for case in checks._propagate_cases() + checks._optimize_cases():
        w, b, X, _ = case.args[:4]
        assert np.abs(w.T @ X + b).max() < 15  # textbook log(1 - A) stays finite and accurate


def test_tolerances_are_relative_and_documented():
    assert checks.RTOL == 1e-6 and checks.ATOL <= 1e-9
    assert "RTOL = 1e-6" in checks.__doc__ and "ATOL = 1e-10" in checks.__doc__
    scale = 1e6  # values far from 1 are judged relative to their size
    checks._compare("x", np.array([scale * (1 + 5e-7)]), np.array([scale]))
    with pytest.raises(checks._Failure):
        checks._compare("x", np.array([scale * (1 + 5e-6)]), np.array([scale]))


def test_hard_coded_visible_output_fails_with_its_hint():
    dw, db, cost = VISIBLE["dw"], VISIBLE["db"], VISIBLE["cost"]
    hard_coded = lambda w, b, X, Y: ({"dw": np.array(dw), "db": db}, cost)  # noqa: E731
    # It does pass on the visible input itself ...
    grads, c = hard_coded(*PUBLIC_PROPAGATE_INPUT)
    expected_grads, expected_cost = reference.propagate(*PUBLIC_PROPAGATE_INPUT)
    assert np.allclose(grads["dw"], expected_grads["dw"]) and np.isclose(c, expected_cost)
    # ... and fails the hidden ones.
    assert "hard-code" in failure_message(checks.check_propagate, hard_coded)


# ---------------------------------------------------------------------------------------------
# Vectorization judged apart, deterministically
# ---------------------------------------------------------------------------------------------
def test_a_correct_loop_keeps_its_correctness_points_and_learns_why_to_vectorize(solutions, dataset):
    namespace = notebook(solutions, dataset,
                         **mutants.by_name("predict_loops_over_examples").replacements)
    checks.check_predict(namespace["predict"])
    message = failure_message(checks.check_predict_vectorized, namespace["predict"])
    assert "loops over the examples" in message and "faster" in message
    # Deterministic: the same count of executed lines every time.
    assert failure_message(checks.check_predict_vectorized, namespace["predict"]) == message


def test_vectorized_check_only_judges_loops():
    """A wrong but vectorized propagate keeps the vectorization points; a stub does not."""
    def wrong_but_vectorized(w, b, X, Y):
        return {"dw": X @ X.T[:, :1], "db": 0.0}, 1.0

    checks.check_propagate_vectorized(wrong_but_vectorized)

    def stub(w, b, X, Y):
        raise NotImplementedError()

    assert "not implemented yet" in failure_message(checks.check_propagate_vectorized, stub)


# ---------------------------------------------------------------------------------------------
# Messages: expected vs actual, then one sentence; no hidden input or reference output in full
# ---------------------------------------------------------------------------------------------
def test_every_failure_message_is_a_summary_and_one_hint(solutions, dataset):
    for mutant in mutants.MUTANTS:
        if mutant.correct:
            continue
        outcomes = mutants.grade_directly(notebook(solutions, dataset, **mutant.replacements),
                                          mutant.failing)
        for test_id in mutant.failing:
            summary, hint = outcomes[test_id].split("\n")
            assert len(summary) < 450 and len(hint) < 300, (mutant.name, outcomes[test_id])
            assert "[[" not in outcomes[test_id] and "array(" not in outcomes[test_id]


def test_messages_do_not_quote_the_hidden_inputs():
    def wrong(w, b, X, Y):
        grads, cost = reference.propagate(w, b, X, Y)
        return {"dw": grads["dw"] * 3, "db": grads["db"]}, cost

    message = failure_message(checks.check_propagate, wrong)
    for case in checks._propagate_cases():
        for arg in case.args:
            for value in np.ravel(arg)[:20]:
                if isinstance(value, float) and abs(value) > 1e-3 and value not in (0.0, 1.0):
                    assert f"{value:.6g}" not in message
