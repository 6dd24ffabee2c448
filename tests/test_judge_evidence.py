"""Issue 20, items 2 and 5: the judge decides on evidence it controls, and judges honest code as
written.

* Arguments reach the student's function read-only (decoded from immutable bytes): an in-place
  change raises in the student's own code, the judge tries again on writable copies, and right
  results pass with a note. Nothing the kernel reports about the arguments after the call is
  read (a kernel could forge it), so an in-place change costs nothing.
* Lent helpers bind their arguments as the student's own ``def`` does (its parameter names, its
  defaults); they are patched where the function actually called looks them up (decorators);
  a graded cell that starts with ``%%time`` still shows its ``def``.
"""

import functools
import json
import textwrap
import types

import numpy as np
import pytest

from catvnoncat import judge, reference
from catvnoncat.judge import prober as prober_module
from catvnoncat.judge.source import definitions
from catvnoncat.probe import kernel as probe_kernel


def verdict(test_id, namespace, sources=()):
    namespace.setdefault("np", np)  # the same dict: it is the functions' globals, as in a kernel
    return judge.judge(test_id, judge.InProcessProber(namespace), sources)


def run(source, **names):
    """A namespace holding ``source`` executed as a notebook cell, with ``names`` and numpy."""
    namespace = {"np": np, "__name__": "__main__", **names}
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)  # noqa: S102 - test code
    return namespace


# ---------------------------------------------------------------------------------------------
# Read-only arguments
# ---------------------------------------------------------------------------------------------
def test_arguments_arrive_read_only_and_cannot_be_made_writable():
    node = json.loads(json.dumps(probe_kernel.encode(np.arange(6.0).reshape(2, 3))))
    array = probe_kernel.decode(node, read_only=True)
    assert not array.flags.writeable
    with pytest.raises(ValueError):
        array.setflags(write=True)
    with pytest.raises(ValueError, match="read-only"):
        array[0, 0] = 1.0
    assert probe_kernel.decode(node).flags.writeable  # lent helpers' results stay writable


def test_the_first_call_gets_read_only_arrays():
    seen = []

    def sigmoid(z):
        seen.append(np.asarray(z).flags.writeable if isinstance(z, np.ndarray) else None)
        return reference.sigmoid(z)

    assert verdict("test_sigmoid", {"sigmoid": sigmoid}).passed
    assert False in seen and True not in seen


def test_an_in_place_optimize_passes_with_a_note():
    namespace = run("""
        def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
            costs = []
            for i in range(num_iterations):
                grads, cost = propagate(w, b, X, Y)
                w -= learning_rate * grads["dw"]
                b -= learning_rate * grads["db"]
                if i % 100 == 0:
                    costs.append(cost)
            return {"w": w, "b": b}, grads, costs
        """)
    result = verdict("test_optimize", namespace)
    assert result.passed, result.message()
    assert any("changed an argument in place" in note and "w = w - learning_rate * dw" in note
               for note in result.notes), result.notes


def test_an_in_place_change_that_also_gives_wrong_results_still_fails():
    namespace = run("""
        def sigmoid(z):
            if isinstance(z, np.ndarray):
                z *= -1                     # in place, and the formula then uses -z again
                return 1 / (1 + np.exp(-z))
            return 1 / (1 + np.exp(z))
        """)
    result = verdict("test_sigmoid", namespace)
    assert not result.passed
    assert "sigmoid(-z)" in result.hint


def test_a_forged_report_of_the_arguments_changes_nothing():
    """A kernel that adds args_after (or anything else) to its answer is not believed."""

    class Forging(judge.InProcessProber):
        def exchange(self, request, lend):
            answer = super().exchange(request, lend)
            if isinstance(answer, dict) and "result" in answer:
                answer["args_after"] = [{"k": "none", "t": "builtins.NoneType"}] * 7
            return answer

    namespace = {"np": np, "sigmoid": reference.sigmoid}
    result = judge.judge("test_sigmoid", Forging(namespace), ())
    assert result.passed and not result.notes


def test_a_read_only_error_is_the_only_reason_for_a_second_try():
    calls = []

    def sigmoid(z):
        calls.append(1)
        raise ValueError("something else went wrong")

    assert not verdict("test_sigmoid", {"sigmoid": sigmoid}).passed
    assert len(calls) == 1


# ---------------------------------------------------------------------------------------------
# Lent helpers bound as the student's code calls them
# ---------------------------------------------------------------------------------------------
OWN_NAMES = """
def propagate(weights, bias, X, Y):
    m = X.shape[1]
    A = sigmoid(weights.T @ X + bias)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    return {"dw": X @ (A - Y).T / m, "db": np.sum(A - Y) / m}, cost

def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(weights=w, bias=b, X=X, Y=Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs
"""


def test_a_helper_called_by_its_own_parameter_names_is_lent():
    namespace = run(OWN_NAMES, sigmoid=reference.sigmoid)
    for test_id in ("test_propagate", "test_optimize"):
        result = verdict(test_id, namespace)
        assert result.passed, result.message()


def test_model_calling_optimize_with_keywords_in_another_order_and_own_defaults():
    namespace = run("""
        def optimize(weights, bias, data, labels, iterations=100, rate=0.009, verbose=False):
            raise AssertionError("lent: never called")

        def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                  print_cost=False):
            w, b = initialize_with_zeros(X_train.shape[0])
            params, grads, costs = optimize(rate=learning_rate, iterations=num_iterations,
                                            labels=Y_train, data=X_train, weights=w, bias=b)
            w, b = params["w"], params["b"]
            return {"costs": costs, "w": w, "b": b,
                    "Y_prediction_test": predict(w, b, X_test),
                    "Y_prediction_train": predict(w, b, X_train),
                    "learning_rate": learning_rate, "num_iterations": num_iterations}
        """)
    result = verdict("test_model", namespace)
    assert result.passed, result.message()


def test_own_parameter_names_are_read_through_the_helpers_decorator():
    """propagate(weights=..., ...) where the student's propagate carries a wrapper(*args,
    **kwargs) decorator without functools.wraps: the names come from the def it wraps."""
    namespace = run("""
        def timed(function):
            def wrapper(*args, **kwargs):
                return function(*args, **kwargs)
            return wrapper
        """ + textwrap.indent(OWN_NAMES.replace("def propagate(", "@timed\ndef propagate("),
                              "        "),
        sigmoid=reference.sigmoid)
    result = verdict("test_optimize", namespace)
    assert result.passed, result.message()


def test_a_helper_called_by_the_templates_names_is_lent_whatever_its_own_names():
    """The helper's renamed parameters are its own cell's business: a caller using the
    template's names (propagate(w=w, b=b, ...)) is not charged for them."""
    namespace = run(OWN_NAMES.replace("propagate(weights=w, bias=b, X=X, Y=Y)",
                                      "propagate(w=w, b=b, X=X, Y=Y)"),
                    sigmoid=reference.sigmoid)
    result = verdict("test_optimize", namespace)
    assert result.passed, result.message()


def test_a_helper_call_that_fits_no_signature_still_fails():
    namespace = run(OWN_NAMES.replace("propagate(weights=w, bias=b, X=X, Y=Y)",
                                      "propagate(w, b, X=X)"),
                    sigmoid=reference.sigmoid)
    result = verdict("test_optimize", namespace)
    assert not result.passed and "TypeError" in result.summary


# ---------------------------------------------------------------------------------------------
# Decorators: lent helpers patched where the called function looks them up
# ---------------------------------------------------------------------------------------------
LIBRARY = '''
import functools

def logged(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)
    return wrapper

def bare(function):
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)
    return wrapper
'''

WRONG_SIGMOID_DECORATED_PROPAGATE = """
def sigmoid(z):
    return 1 / (1 + np.exp(z))          # wrong: sigmoid(-z), charged in test_sigmoid only

@{decorator}
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    return {{"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}}, cost
"""


@pytest.fixture()
def library():
    """A decorator module outside the notebook, as an installed library would be."""
    module = types.ModuleType("course_tools")
    exec(compile(LIBRARY, "/usr/lib/python3/dist-packages/course_tools.py", "exec"),  # noqa: S102
         module.__dict__)
    return module


@pytest.mark.parametrize("decorator", ["course_tools.logged", "course_tools.bare"])
def test_a_wrong_sigmoid_is_charged_once_under_a_decorated_propagate(library, decorator):
    namespace = run(WRONG_SIGMOID_DECORATED_PROPAGATE.format(decorator=decorator),
                    course_tools=library)
    assert "sigmoid(-z)" in verdict("test_sigmoid", namespace).hint
    result = verdict("test_propagate", namespace)
    assert result.passed, result.message()


def test_a_wrapper_without_globals_gets_its_helpers_lent():
    """functools.partial (C code, no __globals__): the function it wraps is patched."""
    namespace = run(WRONG_SIGMOID_DECORATED_PROPAGATE.replace("@{decorator}\n", "")
                    .replace("{{", "{").replace("}}", "}")
                    .replace("def propagate(", "def _propagate(")
                    + "propagate = functools.partial(_propagate)\n", functools=functools)
    result = verdict("test_propagate", namespace)
    assert result.passed, result.message()


def test_lent_helpers_are_not_left_in_a_library_module(library):
    namespace = run(WRONG_SIGMOID_DECORATED_PROPAGATE.format(decorator="course_tools.logged"),
                    course_tools=library)
    before = dict(library.__dict__)
    verdict("test_propagate", namespace)
    assert library.__dict__.keys() == before.keys()
    assert namespace["sigmoid"](np.array([0.0])) == pytest.approx(0.5)  # the student's, restored


# ---------------------------------------------------------------------------------------------
# Cell magics in graded cells
# ---------------------------------------------------------------------------------------------
PROPAGATE = """\
def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    return {"dw": X @ (A - Y).T / m, "db": np.sum(A - Y) / m}, cost
"""


@pytest.mark.parametrize("cell", [
    "%%time\n" + PROPAGATE,
    "%%capture captured\n%%time\n" + PROPAGATE,
    PROPAGATE + "%timeit propagate(np.zeros((3, 1)), 0.0, np.ones((3, 5)), np.ones((1, 5)))\n",
    "%load_ext autoreload\n" + PROPAGATE + "!echo done\n",
], ids=["%%time", "%%capture + %%time", "%timeit line", "line magic + shell"])
def test_a_graded_cell_with_magics_shows_its_def(cell):
    assert "propagate" in definitions([cell])
    namespace = run(PROPAGATE, sigmoid=reference.sigmoid)
    result = verdict("test_propagate_vectorized", namespace, sources=(cell,))
    assert result.passed, result.message()


def test_a_def_inside_timeit_is_not_a_global():
    """%%timeit runs its body inside a function: its def defines nothing in the notebook."""
    assert "propagate" not in definitions(["%%timeit\n" + PROPAGATE])
