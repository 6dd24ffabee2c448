"""Judging one graded function: probe it on hidden inputs, compare, then diagnose a failure.

Deciding and explaining are separate: :func:`judge_function` decides pass or fail from the
comparisons alone; :func:`diagnose` only chooses the hint of a failure (a modelled mistake, a
hard-coded answer, global data read instead of arguments), using extra probes when it needs to.
"""

import copy
import inspect

import numpy as np

from . import accept, wire
from .compare import compare, matches
from .prober import ProbeFailed, quiet
from .verdict import Failure

__all__ = ["judge_function", "reference_result", "outcome_result", "exception_hint"]

#: Reference results by (function, case key): computed once per grading process.
_REFERENCE_CACHE = {}


def reference_result(spec, args, key=None):
    """The observation of the reference's result on ``args`` (memoized under ``key``)."""
    if key is not None and (spec.name, key) in _REFERENCE_CACHE:
        return _REFERENCE_CACHE[spec.name, key]
    with quiet():
        result = wire.observe(spec.reference_fn(*copy.deepcopy(args)))
    if key is not None:
        _REFERENCE_CACHE[spec.name, key] = result
    return result


def exception_hint(name, error_type, text):
    """The probable mistake behind an exception raised by the student's ``name``."""
    if error_type == "NotImplementedError":
        return f"{name} is not implemented yet: replace `raise NotImplementedError()` with your code."
    if error_type == "NameError":
        return ("A name used by your code is not defined: check its spelling, and run the cells "
                "above it (Kernel > Restart & Run All).")
    if error_type == "TypeError" and any(words in text for words in (
            "only length-1", "only size-1", "only 0-dimensional", "only integer scalar")):
        return ("math functions work on single numbers only: use numpy's versions "
                "(np.exp, np.log), which work element-wise on whole arrays.")
    if error_type == "ValueError" and any(word in text for word in
                                          ("matmul", "aligned", "broadcast", "shape")):
        return ("The array shapes do not fit together: X is (n, m) with one example per column "
                "and w is (n, 1), so w.T @ X is (1, m); print the shapes to find the mismatch.")
    if error_type == "KeyError":
        return f"A dictionary has no key {text}: check the key names in the docstring."
    return f"Run {name} on the visible example and read the traceback to find the failing line."


def outcome_result(outcome, name, where):
    """The result observation of a call, or the Failure saying why there is none."""
    if outcome.missing:
        raise Failure(f"{name} is not defined.",
                      f"Define {name} in its cell and run the cells above it "
                      f"(Kernel > Restart & Run All).")
    if outcome.not_callable:
        raise Failure(f"{name} is {accept.describe(outcome.result)}, not a function.",
                      f"Define {name} with `def {name}(...)` and run its cell.")
    if outcome.raised is not None:
        raised = outcome.raised
        at = f" (at: {raised.line})" if raised.line else ""
        raise Failure(f"{where}: {name} raised {raised.type}: {raised.message}{at}",
                      exception_hint(name, raised.type, raised.message))
    return outcome.result


def _probe(prober, spec, args, case, globals_=None):
    patches = spec.globals_for_call(case) if globals_ is None else globals_
    return prober.call(spec.name, args, lend=spec.helpers, globals_=patches)


def judge_function(spec, prober, cases):
    """Compare the student's function with the reference on every case; raise the first Failure."""
    for case in cases:
        expected = spec.unpack(reference_result(spec, case.args, case.key), case)
        where = f"{spec.call} on a hidden input with {case.description}"
        try:
            outcome = _probe(prober, spec, case.args, case)
        except ProbeFailed as error:
            raise Failure(f"{where}: no usable answer from your code ({error}).",
                          f"Make {spec.name} return its result within the time limit, and do "
                          f"not change how the notebook runs code.") from None
        result = outcome_result(outcome, spec.name, where)
        try:
            actual = spec.unpack(result, case)
            for quantity, value in expected.items():
                compare(quantity, actual[quantity], value)
        except Failure as failure:
            failure.summary = f"{where}: {failure.summary}"
            failure.hint = diagnose(spec, prober, case, result, failure) or failure.hint
            raise
        _check_arguments_unchanged(spec, case, outcome, where)


def _check_arguments_unchanged(spec, case, outcome, where):
    names = list(inspect.signature(spec.reference_fn).parameters)
    changed = []
    for index, old in enumerate(case.args):
        if not isinstance(old, np.ndarray):
            continue
        new = outcome.args_after[index] if index < len(outcome.args_after) else None
        if not (isinstance(new, wire.Arr) and new.array.shape == old.shape
                and np.array_equal(new.array, old)):
            changed.append(names[index])
    if changed:
        raise Failure(f"{where}: the result is right, but {spec.name} changed its argument "
                      f"{' and '.join(changed)}.",
                      f"{spec.name} modified its input in place (with -=, *= or an item "
                      f"assignment); compute new arrays instead, e.g. {spec.new_arrays}, "
                      f"so the caller's data stay intact.")


def diagnose(spec, prober, case, result, failure):
    """The most specific hint for a failure: hard-coding, a modelled mistake, else None."""
    try:
        if spec.probe_constant and _gives_constant_output(spec, prober, case, result):
            return (f"{spec.name} returns the same result for different inputs: did you hard-code "
                    f"the visible example's expected output? Compute it from the arguments.")
        if spec.diagnose_data_globals and _reads_data_globals(spec, prober, case):
            return ("model uses the notebook's global data (train_set_x, train_set_y, ...) "
                    "instead of its arguments X_train, Y_train, X_test, Y_test.")
    except ProbeFailed:
        pass
    if failure.quantity is None or failure.actual is None:
        return None
    expected = spec.unpack(reference_result(spec, case.args, case.key), case)[failure.quantity]
    for hint, mistake in spec.candidates:
        try:
            with quiet():
                modelled = spec.unpack(wire.observe(mistake(*copy.deepcopy(case.args))),
                                       case)[failure.quantity]
        except Failure:
            continue
        if not matches(modelled, expected) and matches(failure.actual, modelled):
            return hint.format(q=failure.quantity)
    return None


def _gives_constant_output(spec, prober, case, result):
    sibling, sibling_key = case.sibling()
    if wire.fingerprint(reference_result(spec, sibling, sibling_key)) == wire.fingerprint(
            reference_result(spec, case.args, case.key)):
        return False
    other = _probe(prober, spec, sibling, case)
    return other.result is not None and wire.fingerprint(other.result) == wire.fingerprint(result)


def _reads_data_globals(spec, prober, case):
    """True when the result changes with the notebook's data globals (it ignores its args)."""
    results = []
    for seed in (911, 912):
        outcome = _probe(prober, spec, case.args, case, globals_=spec.globals_for_call(case, seed))
        if outcome.result is None:
            return False
        results.append(wire.fingerprint(outcome.result))
    return results[0] != results[1]
