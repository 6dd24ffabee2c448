"""The judge: verdicts on a student's notebook, reached in the grading process.

Nothing here runs in the student's kernel and nothing from the kernel is imported, unpickled or
eval'ed: the judge asks the kernel questions through a :class:`~.prober.Prober` (call this
function on these seeded hidden inputs; show me these entries of that array), reads the answers
as data (:mod:`.wire`), compares them with :mod:`catvnoncat.reference` (:mod:`.compare`, type
rules in :mod:`.accept`) and, for a failure, names the probable mistake (:mod:`.functions`).

Each autograded test cell of the notebook has one judge, by grade id (:data:`TEST_CELLS`).
Each function is judged alone: the graded functions it calls are lent by the grader while it
runs (:data:`.specs.REFERENCE_HELPERS`), so one mistake costs points in one cell only.
"""

from . import cases, data_steps
from .functions import judge_function
from .child_prober import ChildProber
from .prober import InProcessProber, ProbeFailed
from .secret import HiddenKey, MissingSecret
from .specs import SPECS
from .vectorized import judge_vectorized
from .messages import Message, say
from .verdict import Failure, Verdict

__all__ = ["judge", "TEST_CELLS", "VECTORIZATION_CELLS", "Verdict", "InProcessProber", "ChildProber", "ProbeFailed",
           "HiddenKey", "MissingSecret"]


def _function(name, make_cases):
    def judge_cell(prober, sources, hidden):
        return judge_function(SPECS[name], prober, make_cases(hidden), sources)
    return judge_cell


def _vectorized(name):
    return lambda prober, sources, hidden: judge_vectorized(name, prober, sources, hidden)


#: Autograded test cell -> its judge ``(prober, sources, hidden key) -> notes``; raises Failure.
TEST_CELLS = {
    "test_dataset_shapes": lambda prober, sources, hidden: data_steps.judge_dataset_shapes(prober),
    "test_flatten": lambda prober, sources, hidden: data_steps.judge_flatten(prober, hidden),
    "test_standardize": lambda prober, sources, hidden: data_steps.judge_standardize(prober,
                                                                                      hidden),
    "test_sigmoid": _function("sigmoid", cases.sigmoid_cases),
    "test_initialize_with_zeros": _function("initialize_with_zeros", cases.initialize_cases),
    "test_propagate": _function("propagate", cases.propagate_cases),
    "test_propagate_vectorized": _vectorized("propagate"),
    "test_optimize": _function("optimize", cases.optimize_cases),
    "test_predict": _function("predict", cases.predict_cases),
    "test_predict_vectorized": _vectorized("predict"),
    "test_model": _function("model", cases.model_cases),
}

#: Function test cell -> the vectorization cell that needs its function's results to be right.
VECTORIZATION_CELLS = {"test_propagate": "test_propagate_vectorized",
                       "test_predict": "test_predict_vectorized"}

#: What a passing cell says (a message; the other cells say FUNCTION_PASSED).
_PASSED = {
    "test_dataset_shapes": say("DATASET_SHAPES_PASSED"),
    "test_flatten": say("FLATTEN_PASSED"),
    "test_standardize": say("STANDARDIZE_PASSED"),
    "test_propagate_vectorized": say("VECTORIZED_PASSED", name="propagate"),
    "test_predict_vectorized": say("VECTORIZED_PASSED", name="predict"),
}


def judge(test_id, prober, sources=(), hidden=None):
    """The verdict on one autograded test cell.

    Parameters
    ----------
    test_id : str
        A key of :data:`TEST_CELLS`.
    prober : Prober
        How to ask the student's notebook (a grading kernel, or a namespace in tests).
    sources : sequence of str
        The notebook's code cells above the test cell, as submitted (read by the vectorization
        judges; never executed by the grader).
    hidden : HiddenKey, optional
        Where the hidden inputs are drawn from (the course secret and the student's id, see
        :mod:`.secret`); default: ``$CATVNONCAT_SECRET`` for no particular student. There is no
        public default: without a secret this raises :class:`~.secret.MissingSecret`.

    Returns
    -------
    Verdict
    """
    if hidden is None:
        hidden = HiddenKey.from_environment()
    try:
        notes = TEST_CELLS[test_id](prober, sources, hidden)
    except Failure as failure:
        return failure.verdict(test_id)
    name = test_id.removeprefix("test_")
    summary = _PASSED.get(test_id, say("FUNCTION_PASSED", name=name))
    return Verdict(test_id, True, say("PASSED", test_id=test_id, what=summary),
                   notes=tuple(notes))
