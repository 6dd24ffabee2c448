"""The judge's own promises: fairness, isolation, silence, hidden inputs, messages.

The mutation catalog (tests/test_mutants.py) checks that every catalogued mistake is caught with
its hint; this file checks what the judge promises in its docstrings. Student code runs here in
this process through :class:`InProcessProber`, over the same JSON wire a kernel uses; expected
values come from catvnoncat.reference.
"""

import warnings

import numpy as np
import pytest

from catvnoncat import course, judge, reference
from support import mutants
from catvnoncat.judge import cases, compare, specs

#: The hidden inputs' key of this test session (its course secret is tests/conftest.py's).
HIDDEN = judge.HiddenKey.from_environment()
#: The visible propagate example (from the student-facing public_tests.py).
VISIBLE = mutants.public_tests().PROPAGATE_CASES[0]
PUBLIC_PROPAGATE_INPUT = (np.array(VISIBLE["w"]), VISIBLE["b"], np.array(VISIBLE["X"]),
                          np.array(VISIBLE["Y"]))


def notebook(solutions, dataset, **cells):
    """A namespace holding the notebook's solutions, with some cells replaced by ``cells``."""
    return mutants.solution_namespace(solutions, cells, dataset=dataset)


def verdict(test_id, namespace=None, sources=(), **functions):
    """The judge's verdict on a namespace (or on functions given by name)."""
    namespace = dict(namespace if namespace is not None else {"np": np}, **functions)
    sources = sources or namespace.get("__sources__", ())
    return judge.judge(test_id, judge.InProcessProber(namespace), sources)


def failure_message(test_id, **functions):
    result = verdict(test_id, **functions)
    assert not result.passed
    return result.message()


# ---------------------------------------------------------------------------------------------
# Silence: nothing on stderr, warnings captured
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
    assert outcomes == {test_id: None for test_id in judge.TEST_CELLS}
    assert escaped == []
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("name", ["propagate_forgets_divide_by_m", "sigmoid_math_exp",
                                  "model_uses_global_data", "optimize_costs_only_when_printing",
                                  pytest.param("propagate_loops_over_examples",
                                               marks=pytest.mark.slow),  # times a loop
                                  "model_keywords"])
def test_judging_writes_nothing_to_stdout_or_stderr(solutions, dataset, capfd, name):
    namespace = notebook(solutions, dataset, **mutants.by_name(name).replacements)
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        mutants.grade_directly(namespace)
    assert escaped == []
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
                                     np.float32, np.longdouble],
                         ids=["float", "np.float64", "0-d array", "0-d reshaped", "np.float32",
                              "np.longdouble"])
def test_scalars_of_every_accepted_type_pass(convert):
    result = verdict("test_propagate", propagate=propagate_returning(db_as=convert,
                                                                     cost_as=convert))
    assert result.passed, result.message()


@pytest.mark.parametrize("convert, shape", [
    (lambda x: np.array([x]), (1,)), (lambda x: np.array([[x]]), (1, 1)),
], ids=["(1,)", "(1, 1)"])
def test_a_size_1_array_for_a_scalar_keeps_its_points_with_a_note(convert, shape):
    """np.sum(dZ, axis=1, keepdims=True) / m: the same value, in an array of one number."""
    result = verdict("test_propagate", propagate=propagate_returning(db_as=convert,
                                                                     cost_as=convert))
    assert result.passed, result.message()
    assert len(result.notes) == 2  # one for db, one for cost
    assert f"db is an array of shape {shape}" in result.notes[0]
    assert "np.squeeze(db)" in result.notes[0]


def test_a_size_1_array_of_the_wrong_value_still_fails():
    message = failure_message("test_propagate",
                              propagate=propagate_returning(db_as=lambda x: np.array([[x + 1]])))
    assert "db differs from the expected value" in message


@pytest.mark.parametrize("convert, hint", [
    (lambda x: np.array([x, x]), "should be a scalar"),
    (lambda x: str(x), "should be a number"),
    (lambda x: x > 0, "Compare your code"),       # a boolean is judged by its value, 0 or 1
    (np.complex128, "should be a number"),
], ids=["(2,)", "str", "bool", "complex"])
def test_look_alike_scalars_fail(convert, hint):
    assert hint in failure_message("test_propagate", propagate=propagate_returning(db_as=convert))


def test_one_number_in_a_list_for_a_scalar_keeps_its_points_with_a_note():
    result = verdict("test_propagate", propagate=propagate_returning(db_as=lambda x: [x]))
    assert result.passed, result.message()
    assert "db is an array of shape (1,)" in result.notes[0]


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


class LyingFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


@pytest.mark.parametrize("fake, hint", [
    (lambda dw: AlwaysEqual(), "should be a numpy array"),
    (lambda dw: (dw * 0).view(LyingArray), "Compare your code"),
    (lambda dw: dw.astype(object), "should be a numpy array"),
], ids=["custom __eq__", "ndarray subclass", "object array"])
def test_objects_that_lie_about_equality_fail(fake, hint):
    """Only decoded numbers are compared: a lying __eq__ never runs in the grader."""
    assert hint in failure_message("test_propagate", propagate=propagate_returning(dw_as=fake))


@pytest.mark.parametrize("represent, note", [
    (np.asmatrix, "dw is a matrix; accepted"),
    (lambda dw: dw.tolist(), "dw is a list; accepted"),
    (lambda dw: tuple(map(tuple, dw)), "dw is a tuple; accepted"),
    (lambda dw: dw.view(LyingArray), "dw is a custom type; accepted"),  # a name: not quoted
], ids=["np.matrix", "list", "tuple", "ndarray subclass"])
def test_right_values_in_another_representation_pass_with_a_note(represent, note):
    """Issue 20: a type name is the kernel's report, so it earns a note and costs nothing."""
    result = verdict("test_propagate", propagate=propagate_returning(dw_as=represent))
    assert result.passed, result.message()
    assert any(note in line for line in result.notes), result.notes


def test_right_values_in_another_representation_keep_the_shape_rule():
    """The shape is part of the decoded value: a rank-1 list is still rejected as rank-1."""
    message = failure_message("test_propagate",
                              propagate=propagate_returning(dw_as=lambda dw: dw[:, 0].tolist()))
    assert "rank-1" in message


def test_a_float_subclass_that_lies_fails():
    message = failure_message("test_propagate",
                              propagate=propagate_returning(db_as=lambda db: LyingFloat(db + 1)))
    assert "db differs from the expected value" in message


@pytest.mark.parametrize("product", ["w.T @ X", "np.dot(w.T, X)", "np.matmul(w.T, X)",
                                     "np.einsum('ij,ik->jk', w, X)"])
def test_any_matrix_product_passes(product):
    source = f"def predict(w, b, X):\n    return (sigmoid({product} + b) > 0.5).astype(float)\n"
    namespace = {"np": np, "sigmoid": reference.sigmoid}
    exec(source, namespace)
    for test_id in ("test_predict", "test_predict_vectorized"):
        result = verdict(test_id, namespace, sources=(source,))
        assert result.passed, result.message()


@pytest.mark.parametrize("b", [0, 0.0, np.float64(0), np.array(0.0), np.int64(0)])
def test_int_and_numpy_bias_from_initialize_pass(b):
    result = verdict("test_initialize_with_zeros",
                     initialize_with_zeros=lambda dim: (np.zeros((dim, 1)), b))
    assert result.passed, result.message()


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
    name = test_id.removeprefix("test_").removesuffix("_vectorized")
    if student_raises:
        exec(f"def {name}(*args):\n    raise NotImplementedError()\n", namespace)
    namespace.pop("initialize_with_zeros")  # a name the judge lends must disappear again
    before = dict(namespace)
    result = verdict(test_id, namespace)
    assert result.passed != student_raises, result.message()
    # The prober works on the namespace itself: everything it patched is back.
    result = judge.judge(test_id, judge.InProcessProber(namespace), namespace["__sources__"])
    assert namespace.keys() == before.keys()
    for key, value in before.items():
        assert namespace[key] is value, key


def test_model_reading_global_data_gets_decoys_then_the_real_data_back(solutions, dataset):
    namespace = notebook(solutions, dataset, **mutants.by_name("model_uses_global_data").replacements)
    real = {name: namespace[name] for name in specs.DATA_GLOBALS}
    result = judge.judge("test_model", judge.InProcessProber(namespace))
    assert "instead of its arguments" in result.message()
    assert all(namespace[name] is value for name, value in real.items())


def test_lent_helpers_are_stubs_not_the_reference_code(solutions, dataset):
    """While propagate is judged, its `sigmoid` is a stub asking the grader: no reference code."""
    seen = {}

    def propagate(w, b, X, Y):
        seen["sigmoid"] = sigmoid  # noqa: F821 - the lent helper, looked up as a notebook does
        return reference.propagate(w, b, X, Y)

    namespace = {"np": np, "propagate": propagate}
    propagate.__globals__["sigmoid"] = None
    try:
        assert verdict("test_propagate", namespace).passed
    finally:
        propagate.__globals__.pop("sigmoid")
    assert seen["sigmoid"].__module__ != reference.__name__
    assert seen["sigmoid"].__code__.co_filename != reference.__file__


# ---------------------------------------------------------------------------------------------
# Hidden inputs: unseen, seeded, covering the awkward shapes and values
# ---------------------------------------------------------------------------------------------
def test_hidden_inputs_cover_m_1_and_n_1_and_differ_from_the_visible_ones():
    for made in (cases.propagate_cases(HIDDEN), cases.predict_cases(HIDDEN), cases.optimize_cases(HIDDEN)):
        sizes = {case.args[2].shape for case in made}  # X is the third argument of each
        assert any(n == 1 for n, _ in sizes) and any(m == 1 for _, m in sizes)
    for case in cases.propagate_cases(HIDDEN):
        assert not all(np.array_equal(np.asarray(a), np.asarray(v))
                       for a, v in zip(case.args, PUBLIC_PROPAGATE_INPUT)
                       if np.shape(a) == np.shape(v))


def test_hidden_inputs_are_deterministic():
    for a, b in zip(cases.propagate_cases(HIDDEN), cases.propagate_cases(HIDDEN)):
        for x, y in zip(a.args, b.args):
            assert np.array_equal(x, y)


def test_large_z_reaches_sigmoid_and_predict_but_not_the_cost():
    sigmoid_inputs = [np.abs(c.args[0]).max() for c in cases.sigmoid_cases(HIDDEN)]
    assert max(sigmoid_inputs) >= 745  # exp(745) overflows in float64
    predict_z = [c.args[0].T @ c.args[2] + c.args[1] for c in cases.predict_cases(HIDDEN)]
    assert max(np.abs(z).max() for z in predict_z) > 500
    # No z so close to 0 that "> 0.5" and ">= 0.5" would legitimately disagree.
    assert min(np.abs(z).min() for z in predict_z) > 1e-3
    for case in cases.propagate_cases(HIDDEN) + cases.optimize_cases(HIDDEN):
        w, b, X, _ = case.args[:4]
        assert np.abs(w.T @ X + b).max() < 15  # textbook log(1 - A) stays finite and accurate


def test_tolerances_are_relative_and_documented():
    assert compare.RTOL == 1e-6 and compare.ATOL <= 1e-9
    assert "RTOL = 1e-6" in compare.__doc__ and "ATOL = 1e-10" in compare.__doc__
    scale = 1e6  # values far from 1 are judged relative to their size
    compare.compare("x", np.array([scale * (1 + 5e-7)]), np.array([scale]))
    with pytest.raises(judge.verdict.Failure):
        compare.compare("x", np.array([scale * (1 + 5e-6)]), np.array([scale]))


def test_hard_coded_visible_output_fails_with_its_hint():
    dw, db, cost = VISIBLE["dw"], VISIBLE["db"], VISIBLE["cost"]
    hard_coded = lambda w, b, X, Y: ({"dw": np.array(dw), "db": db}, cost)  # noqa: E731
    # It does pass on the visible input itself ...
    grads, c = hard_coded(*PUBLIC_PROPAGATE_INPUT)
    expected_grads, expected_cost = reference.propagate(*PUBLIC_PROPAGATE_INPUT)
    assert np.allclose(grads["dw"], expected_grads["dw"]) and np.isclose(c, expected_cost)
    # ... and fails the hidden ones.
    assert "hard-code" in failure_message("test_propagate", propagate=hard_coded)


# ---------------------------------------------------------------------------------------------
# Vectorization: correct results first, then CPU growth (tests/test_vectorized.py for the rule)
# ---------------------------------------------------------------------------------------------
def test_a_correct_loop_keeps_its_correctness_points_and_learns_why_to_vectorize(solutions, dataset):
    namespace = notebook(solutions, dataset,
                         **mutants.by_name("predict_loops_over_examples").replacements)
    assert verdict("test_predict", namespace).passed
    message = verdict("test_predict_vectorized", namespace).message()
    assert "loops over the examples" in message and "faster" in message
    # Deterministic: the same verdict every time.
    assert verdict("test_predict_vectorized", namespace).message() == message


@pytest.mark.parametrize("body", [
    "return None",
    "return {'dw': np.zeros_like(w), 'db': 0.0}, 0.0",
    "raise NotImplementedError()",
], ids=["None", "zeros", "stub"])
def test_no_vectorization_point_without_correct_results(body):
    source = f"def propagate(w, b, X, Y):\n    {body}\n"
    namespace = {"np": np}
    exec(source, namespace)
    result = verdict("test_propagate_vectorized", namespace, sources=(source,))
    assert not result.passed


def test_vectorization_is_judged_on_what_the_code_does_not_on_a_def():
    # A lambda, or a graded cell that starts with %%time, has no def the grader could read:
    # nothing is read any more, so such code keeps its point.
    namespace = {"np": np, "predict": lambda w, b, X: reference.predict(w, b, X)}
    result = verdict("test_predict_vectorized", namespace, sources=("predict = ...\n",))
    assert result.passed, result.message()


# ---------------------------------------------------------------------------------------------
# Messages: expected vs actual, then one sentence; no hidden input or reference output in full
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mutant", mutants.params([m for m in mutants.MUTANTS if not m.correct]))
def test_every_failure_message_is_a_summary_and_one_hint(solutions, dataset, mutant):
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

    message = failure_message("test_propagate", propagate=wrong)
    for case in cases.propagate_cases(HIDDEN):
        for arg in case.args:
            for value in np.ravel(arg)[:20]:
                if isinstance(value, float) and abs(value) > 1e-3 and value not in (0.0, 1.0):
                    assert f"{value:.6g}" not in message


# ---------------------------------------------------------------------------------------------
# A kernel's answers are data: malformed or lying answers cost that part, nothing else
# ---------------------------------------------------------------------------------------------
class ScriptedKernel(judge.prober.Prober):
    """A 'kernel' that answers every probe with the same JSON-ready object."""

    def __init__(self, answer):
        self.answer = answer

    def exchange(self, request, lend):
        return self.answer


ARRAY = {"k": "arr", "t": "numpy.ndarray", "dtype": "<f8", "shape": [1],
         "data": "AAAAAAAA8D8="}


@pytest.mark.parametrize("answer", [
    None, [], "passed", {"result": None},
    {"result": {"k": "arr", "t": "numpy.ndarray", "dtype": "|O", "shape": [1],
                "data": "gASVAAAAAAAAAAA="}},
    {"result": {**ARRAY, "shape": [2]}},
    {"result": {**ARRAY, "data": "not base64!"}},
    {"result": {**ARRAY, "t": "os.system('x')"}},
    {"result": {**ARRAY, "shape": [-1]}},
    {"result": {"k": "seq", "t": "builtins.list", "items": [ARRAY] * 300_000}},
    {"error": "<script>alert(1)</script>"},
], ids=["none", "list", "text", "null result", "object dtype", "short data", "bad base64",
        "bad type name", "negative shape", "too many values", "error"])
def test_malformed_answers_fail_the_part_and_raise_nothing(answer):
    result = judge.judge("test_sigmoid", ScriptedKernel(answer))
    assert not result.passed
    assert "no usable answer" in result.summary


def test_a_kernel_claiming_success_without_values_gets_nothing():
    for test_id in judge.TEST_CELLS:
        for answer in ({"result": {"k": "other", "t": "builtins.str", "repr": "passed"}},
                       {"value": {"k": "num", "t": "builtins.bool", "dtype": "|b1",
                                  "data": "AQ=="}}):
            result = judge.judge(test_id, ScriptedKernel(answer), sources=(
                "def propagate(w, b, X, Y):\n    pass\ndef predict(w, b, X):\n    pass\n",))
            assert not result.passed, test_id


def test_answers_are_never_unpickled():
    import pickle

    node = {"k": "arr", "t": "numpy.ndarray", "dtype": "|O8", "shape": [],
            "data": __import__("base64").b64encode(pickle.dumps(object())).decode()}
    with pytest.raises(judge.wire.BadAnswer):
        judge.wire.decode(node)


@pytest.mark.parametrize("test_id", ["test_propagate_vectorized", "test_predict_vectorized"])
def test_a_function_that_does_not_exist_is_never_called_not_right(test_id):
    """A notebook whose def failed (a SyntaxError) has no function: the vectorization cell says
    so, as the function's own cell does, instead of "the result is not right"."""
    name = test_id.removeprefix("test_").removesuffix("_vectorized")
    result = verdict(test_id, {"np": np}, sources=(f"def {name}(w, b, X\n",))
    message = result.message()
    assert not result.passed
    assert f"{name} is not defined" in message and "not right" not in message, message


@pytest.mark.parametrize("test_id", ["test_propagate", "test_propagate_vectorized"])
def test_a_function_whose_cell_did_not_compile_is_told_its_syntax_error(test_id):
    """The grader says what the visible test says (cell_messages): the def's cell has a syntax
    error, which one and on which line of the cell (a magic line counts, as the notebook shows
    it); a cell that compiles but defines nothing still gets "Define propagate in its cell"."""
    hints = course.student_module("hints.py")
    broken = "%matplotlib inline\ndef propagate(w, b, X, Y)\n    return None\n"
    message = verdict(test_id, {"np": np}, sources=("import numpy as np", broken)).message()
    assert "propagate is not defined." in message, message
    assert hints.NOT_COMPILED.format(name="propagate", error="expected ':'", line=2) in message
    assert "not right" not in message
    compiles = "def propagate_(w, b, X, Y):\n    return None\n"
    message = verdict(test_id, {"np": np}, sources=(compiles,)).message()
    assert hints.NOT_DEFINED.format(name="propagate") in message and "syntax" not in message
