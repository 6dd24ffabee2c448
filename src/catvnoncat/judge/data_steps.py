"""The data-step cells (shapes, flattening, scaling), judged against the real dataset.

The grader loads the dataset itself and asks the kernel for each prepared array's type, dtype
and shape, then for its values at positions the grader picks (drawn from the course secret,
see :mod:`.secret`; different for each array) rather than trusting any digest the kernel could compute: a kernel can only return the
right values by holding the right array.
"""

import functools

import numpy as np

from .. import reference
from . import accept, wire
from .compare import matches
from .prober import ProbeFailed
from .messages import reason_of, say
from .sentences import HINTS
from .verdict import Failure

__all__ = ["judge_dataset_shapes", "judge_flatten", "judge_standardize", "SAMPLES"]

#: Values sampled from each prepared array (plus the first five pixels of the first picture).
SAMPLES = 64


@functools.lru_cache(maxsize=1)
def dataset_truth():
    """The real data and its correct preparation, computed once per grading process."""
    from ..data import load_dataset

    train_x_orig, _, test_x_orig, _, _ = load_dataset()
    truth = {}
    for part, orig in (("train", train_x_orig), ("test", test_x_orig)):
        flat = np.ascontiguousarray(reference.flatten(orig))
        truth[part] = {"orig": orig, "flatten": flat, "standardize": reference.standardize(flat)}
    return truth


def _positions(shape, salt, hidden):
    """Per-axis index lists: the first column's first five entries, then seeded random ones."""
    rng = hidden.rng(f"data/{salt}/{shape}")
    rows = [0, 1, 2, 3, 4] + rng.integers(0, shape[0], SAMPLES).tolist()
    cols = [0] * 5 + rng.integers(0, shape[1], SAMPLES).tolist()
    return [rows, cols]


def _look(prober, name, **kwargs):
    try:
        outcome = prober.look(name, **kwargs)
    except ProbeFailed as error:
        raise Failure(say("NO_NOTEBOOK_ANSWER", name=name, reason=reason_of(error)),
                      HINTS.NO_ANSWER) from None
    if outcome.missing:
        raise Failure(say("NOT_DEFINED_SUMMARY", name=name), HINTS.NOT_SET.format(name=name))
    return outcome


def _array_outcome(prober, name, kinds):
    """Look at ``name`` and check it is a numpy array of an accepted dtype (before any value)."""
    outcome = _look(prober, name)
    if outcome.value is not None or outcome.dtype == "other":
        # A global is sampled only when it is an array: anything else has no evidence to judge.
        value = outcome.value if outcome.value is not None else wire.Other(outcome.type)
        raise accept.not_an_array(value, name)
    fake = wire.Arr(outcome.type, np.zeros(0, dtype=np.dtype(outcome.dtype)))
    accept.array(fake, name, kinds)
    return outcome


def judge_dataset_shapes(prober):
    """``m_train``, ``m_test``, ``num_px``: integers read from the arrays' ``.shape``."""
    truth = dataset_truth()
    train_x, test_x = truth["train"]["orig"], truth["test"]["orig"]
    expected = {"m_train": train_x.shape[0], "m_test": test_x.shape[0], "num_px": train_x.shape[1]}
    got = {}
    for name in expected:
        outcome = _look(prober, name)
        value = outcome.value if outcome.value is not None else wire.Other(outcome.type)
        got[name] = accept.count(value, name)
    hints = {"m_train": HINTS.M_TRAIN, "m_test": HINTS.M_TEST, "num_px": HINTS.NUM_PX}
    for name, value in expected.items():
        if got[name] != value:
            hint = hints[name]
            if name != "m_test" and got[name] == expected["m_test"]:
                hint = HINTS.FROM_TEST_SET.format(name=name, hint=hints[name])
            elif name == "m_test" and got[name] == expected["m_train"]:
                hint = HINTS.FROM_TRAINING_SET.format(name=name, hint=hints[name])
            raise Failure(say("COUNT_WRONG", name=name, got=got[name], expected=value), hint)
    return ()


def _sets(first, second):
    truth = dataset_truth()
    return ((first, truth["train"], truth["test"]), (second, truth["test"], truth["train"]))


def _sampled(prober, name, shape, salt, hidden):
    at = _positions(shape, salt, hidden)
    samples = _look(prober, name, at=at).at
    if samples is None:
        raise Failure(say("NO_SAMPLES", name=name),
                      HINTS.NO_ANSWER)
    return at, samples


def judge_flatten(prober, hidden):
    """One picture per column, the pixels in their original order."""
    for salt, (label, truth, other) in enumerate(_sets("train_set_x_flatten",
                                                       "test_set_x_flatten")):
        outcome = _array_outcome(prober, label, "fiu")
        expected = truth["flatten"]
        if outcome.shape == other["flatten"].shape != expected.shape:
            at, samples = _sampled(prober, label, outcome.shape, salt, hidden)
            if np.array_equal(samples, other["flatten"][tuple(at)]):
                raise Failure(say("OTHER_SET_SUMMARY", label=label),
                              HINTS.OTHER_SET.format(label=label,
                                                     orig=label.replace("_flatten", "_orig")))
        if outcome.shape == expected.shape[::-1]:
            raise Failure(say("SHAPE_DIFFERS", q=label, actual=outcome.shape,
                              expected=expected.shape), HINTS.FLATTEN_TRANSPOSED)
        if outcome.shape != expected.shape:
            raise Failure(say("SHAPE_DIFFERS", q=label, actual=outcome.shape,
                              expected=expected.shape), HINTS.FLATTEN_SHAPE)
        at, samples = _sampled(prober, label, expected.shape, salt, hidden)
        index = tuple(at)
        if np.array_equal(samples, expected[index]):
            continue
        orig = truth["orig"]
        if np.array_equal(samples, orig.reshape(-1, orig.shape[0])[index]):
            raise Failure(say("COLUMNS_MIX", label=label, shape=outcome.shape),
                          HINTS.FLATTEN_MIXES)
        if matches(samples, truth["standardize"][index]):
            raise Failure(say("FLATTEN_SCALED_SUMMARY", label=label),
                          HINTS.FLATTEN_SCALED)
        raise Failure(say("OTHER_VALUES", label=label, shape=outcome.shape),
                      HINTS.FLATTEN)
    return ()


def judge_standardize(prober, hidden):
    """The flattened pixels scaled to [0, 1]; a flattening mistake is test_flatten's business."""
    rearranged = []
    for salt, (label, truth, _) in enumerate(_sets("train_set_x", "test_set_x")):
        outcome = _array_outcome(prober, label, "fiu")
        expected = truth["standardize"]
        if outcome.shape == expected.shape:
            at, samples = _sampled(prober, label, expected.shape, 10 + salt, hidden)
            if outcome.dtype[1] == "f" and matches(samples, expected[tuple(at)]):
                continue
        if outcome.dtype[1] == "f" and np.prod(outcome.shape) == expected.size:
            ranks = _ranks(expected.size, salt, hidden)
            sorted_samples = _look(prober, label, sorted_at=ranks).sorted_at
            if sorted_samples is not None and matches(sorted_samples,
                                                      np.sort(expected, axis=None)[ranks]):
                rearranged.append(label)
                continue
        raise _standardize_failure(prober, label, outcome, truth, 10 + salt, hidden)
    if rearranged:
        return (HINTS.REARRANGED_NOTE.format(labels=" and ".join(rearranged)),)
    return ()


def _ranks(size, salt, hidden):
    rng = hidden.rng(f"data/ranks/{salt}/{size}")
    return [0, size - 1] + rng.integers(0, size, SAMPLES).tolist()


def _standardize_failure(prober, label, outcome, truth, salt, hidden):
    flat, expected = truth["flatten"].astype(float), truth["standardize"]
    if outcome.shape != expected.shape:
        return Failure(say("SHAPE_DIFFERS", q=label, actual=outcome.shape,
                           expected=expected.shape),
                       HINTS.STANDARDIZE_SHAPE.format(label=label))
    at, samples = _sampled(prober, label, expected.shape, salt, hidden)
    index = tuple(at)
    if matches(samples, flat[index]):
        return Failure(say("RAW_PIXELS", label=label),
                       HINTS.NOT_STANDARDIZED.format(label=label))
    if matches(samples, (flat // 255)[index]):
        return Failure(say("ZEROS_AND_ONES", label=label), HINTS.INTEGER_DIVISION)
    stats = _look(prober, label).stats
    if stats is not None and abs(stats[2]) < 1e-6:
        return Failure(say("CENTRED_SUMMARY", label=label),
                       HINTS.CENTRED)
    biggest = say("BIGGEST", value=float(stats[1])) if stats is not None else ""
    return Failure(say("SCALED_OTHERWISE", label=label, biggest=biggest,
                       expected=float(expected.max())),
                   HINTS.DIVIDE_BY_255)
