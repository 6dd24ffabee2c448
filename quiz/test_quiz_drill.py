"""Checks your ``broadcast_shape`` in drill.py against NumPy: `pytest quiz`.

Hypothesis generates hundreds of pairs of shapes (0-d, sizes 0 and 1, compatible and not) and
compares your result with ``np.broadcast_shapes``. The run is deterministic (``derandomize``),
has no time limit per example, and stores nothing on disk. A failure shows one pair of shapes on
which your function and NumPy disagree (a classic case if one fails, else the simplest random
pair hypothesis finds), what your function did, and a hint; it does not show NumPy's result:
ask NumPy yourself.
"""

import importlib.util
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import quiz_messages as words
from marking import NOT_ANSWERED, full_width_problem
from questions import DRILL_HINT

DRILL = Path(__file__).resolve().parent / "drill.py"

# Hypothesis keeps a cache folder (.hypothesis/) in the working directory even without an example
# database: point it at a temporary folder removed at exit, so the check writes nothing where
# you run it.
_SCRATCH = tempfile.TemporaryDirectory(prefix="quiz-hypothesis-")
set_hypothesis_home_dir(_SCRATCH.name)

#: How many random pairs of shapes the check tries.
EXAMPLES = 400

#: Any shape of 1 to 4 dimensions with small sizes: often not broadcastable with another one
#: (0-d shapes come from BROADCASTABLE_PAIR and the explicit examples).
ANY_SHAPE = st.lists(st.integers(0, 4), min_size=1, max_size=4).map(tuple)

#: Pairs that do broadcast (NumPy's own generator of them).
BROADCASTABLE_PAIR = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                   min_side=0, max_side=3).map(
    lambda shapes: shapes.input_shapes)

SHAPE_PAIRS = st.one_of(st.tuples(ANY_SHAPE, ANY_SHAPE), BROADCASTABLE_PAIR)


class Disagreement(Exception):
    """``broadcast_shape`` and NumPy disagree on one pair of shapes (message: what to show)."""


def load_broadcast_shape():
    """``broadcast_shape`` from drill.py, loaded afresh."""
    spec = importlib.util.spec_from_file_location("quiz_student_drill", DRILL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.broadcast_shape


def numpy_outcome(shape_a, shape_b):
    """NumPy's broadcast shape, or ``ValueError`` (the class) when the shapes do not broadcast."""
    try:
        return np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        return ValueError


def compare_with_numpy(broadcast_shape, shape_a, shape_b):
    """Raise :class:`Disagreement` unless ``broadcast_shape`` behaves as NumPy on this pair."""
    call = f"broadcast_shape({shape_a}, {shape_b})"
    expected = numpy_outcome(shape_a, shape_b)
    try:
        got = broadcast_shape(shape_a, shape_b)
    except ValueError as raised:
        if expected is ValueError:
            return
        did = words.DRILL_RAISED.format(error=f"ValueError({raised})")
    except Exception as raised:
        did = words.DRILL_RAISED.format(error=f"{type(raised).__name__}({raised})")
    else:
        if not isinstance(got, tuple):
            raise Disagreement(words.DRILL_NOT_A_TUPLE.format(call=call, got=repr(got),
                                                              kind=type(got).__name__))
        if got == expected:
            return
        did = words.DRILL_RETURNED.format(got=repr(got))
    raise Disagreement(words.DRILL_DISAGREES.format(call=call, did=did, shape_a=shape_a,
                                                    shape_b=shape_b, hint=DRILL_HINT))


def find_disagreement(broadcast_shape):
    """The message for a pair of shapes on which ``broadcast_shape`` and NumPy disagree, or
    ``None`` when they agree on every pair tried."""

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              report_multiple_bugs=False, suppress_health_check=list(HealthCheck))
    @given(SHAPE_PAIRS)
    # The classic cases always run: 0-d, size 1 on either side, size 0, incompatible.
    @example(((), ()))
    @example(((), (3,)))
    @example(((2, 1), (1, 3)))
    @example(((4, 3), (3,)))
    @example(((0,), (1,)))
    @example(((0,), (2,)))
    @example(((3,), (4,)))
    @example(((2, 3), (3, 2)))
    def agrees_on(pair):
        compare_with_numpy(broadcast_shape, *pair)

    try:
        agrees_on()
    except Disagreement as disagreement:
        return str(disagreement)
    except Exception as other:  # e.g. hypothesis' Flaky: the same pair gave two answers
        return words.DRILL_UNSTABLE.format(kind=type(other).__name__)
    return None


def drill_message():
    """What is wrong with drill.py, or ``None`` when ``broadcast_shape`` agrees with NumPy."""
    full_width = full_width_problem(DRILL.read_text(encoding="utf-8"), "drill.py")
    if full_width is not None:  # a Chinese input method's （ or ， : said once, with its line
        return full_width
    try:
        broadcast_shape = load_broadcast_shape()
    except Exception as problem:
        return words.DRILL_UNLOADABLE.format(problem=f"{type(problem).__name__}: {problem}")
    try:
        broadcast_shape((2, 1), (3,))
    except NotImplementedError:
        return words.DRILL_NOT_ANSWERED.format(not_answered=NOT_ANSWERED)
    except Exception:
        pass  # judged by find_disagreement, with the same message as any other pair
    return find_disagreement(broadcast_shape)


def test_broadcast_shape_drill():
    # pytest.fail outside any except block: no chained traceback in the output.
    message = drill_message()
    if message is not None:
        pytest.fail(words.DRILL_LABEL.format(message=message), pytrace=False)
