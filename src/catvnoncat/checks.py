"""Hidden tests of the logistic-regression assignment: one check per autograded test cell.

Each ``check_*`` function receives the student's objects (functions or arrays) from the notebook,
compares them with :mod:`catvnoncat.reference` on seeded hidden inputs the student never saw, and
either returns quietly or raises :class:`AssertionError` whose message is

1. what was called and what differed (expected vs actual, summarised: shapes, a few numbers,
   never a hidden input or a reference output in full), then
2. one plain sentence naming the probable mistake.

Fair equivalence (what is accepted)
-----------------------------------
* A *scalar* (``b``, ``db``, ``cost``, a cost in ``costs``) may be a Python ``float`` or ``int``,
  a numpy floating or integer scalar, or a 0-d ``ndarray``. An array of shape ``(1,)`` or
  ``(1, 1)`` is not a scalar.
* An *array* must be exactly ``numpy.ndarray`` (no ``np.matrix``, no subclass, no list) of the
  specified shape: ``w`` and ``dw`` are ``(n, 1)``, predictions are ``(1, m)``; a rank-1 array
  ``(n,)`` or a transposed one is rejected with a hint. Weights and gradients hold floats;
  predictions hold the numbers 0 and 1 (float or int dtype, not bool).
* ``costs`` is a ``list`` with one scalar per recorded iteration.
* Any way to compute the same numbers passes: ``@`` / ``np.dot`` / ``np.matmul``, loops or
  vectorized code, the textbook ``1 / (1 + np.exp(-z))`` or any stable sigmoid (``tanh`` form,
  ``np.where`` piecewise, ``logaddexp``). Overflow warnings are captured, never shown.

Types and shapes are checked *before* values, so an object that lies about equality (a custom
``__eq__``, an ndarray subclass) fails instead of comparing equal.

Tolerances
----------
Numbers are compared with :func:`numpy.allclose`: entry by entry
``|actual - expected| <= ATOL + RTOL * |expected|`` with ``RTOL = 1e-6`` (relative: six
significant digits, far looser than the ~1e-15 by which two correct orders of floating-point
operations differ) and ``ATOL = 1e-10`` (only matters for entries that should be ~0, e.g.
``sigmoid(-40) = 4e-18``, which the ``tanh`` form rounds to 0). Hidden inputs with large ``|z|``
(up to 1000) are used for ``sigmoid`` and ``predict``; the cost is only evaluated at moderate
``|z|`` (below ~10) so that a textbook ``log(A)`` never meets ``log(0)``.

Judging each function alone
---------------------------
While a student function runs, the other graded functions it calls through the notebook's
globals are replaced by the reference (``propagate`` sees the reference ``sigmoid``;
``optimize`` the reference ``propagate``; ``model`` the reference ``initialize_with_zeros``,
``optimize``, ``predict``), and the notebook's data globals are replaced by decoys during
``check_model``. Everything is restored afterwards, also on failure. One mistake therefore costs
points in one test cell only.

Vectorization (``check_propagate_vectorized``, ``check_predict_vectorized``) is judged apart and
deterministically: the function runs under :func:`sys.settrace` on ``m = 2`` and ``m = 20``
examples; when the number of lines of student code executed grows with ``m``, it loops over the
examples. Wall-clock time is never measured.

Nothing here writes to stderr: warnings, and anything the student's code prints, are captured.
"""

import contextlib
import copy
import functools
import inspect
import io
import math
import os
import sys
import traceback
import warnings

import numpy as np

from . import reference

__all__ = [
    "RTOL",
    "ATOL",
    "check_dataset_shapes",
    "check_flatten",
    "check_standardize",
    "check_sigmoid",
    "check_initialize_with_zeros",
    "check_propagate",
    "check_propagate_vectorized",
    "check_optimize",
    "check_predict",
    "check_predict_vectorized",
    "check_model",
    "TEST_CELLS",
]

#: Relative tolerance of every numeric comparison (see the module docstring).
RTOL = 1e-6
#: Absolute tolerance, for entries whose expected value is ~0.
ATOL = 1e-10

#: Names of the graded functions in the notebook, replaced by the reference while another
#: function is judged (so a mistake in one costs points only once).
REFERENCE_HELPERS = ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict")
#: Notebook globals holding the prepared data; ``check_model`` swaps them for decoys to catch a
#: ``model`` that reads them instead of its arguments.
DATA_GLOBALS = ("train_set_x", "train_set_y", "test_set_x", "test_set_y")

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_MISSING = object()


# ------------------------------------------------------------------------------------------------
# Failures and the decorator that turns them into a short AssertionError
# ------------------------------------------------------------------------------------------------
class _Failure(Exception):
    """A check failed: ``summary`` (what differed) and ``hint`` (the probable mistake)."""

    def __init__(self, summary, hint=None, quantity=None, actual=_MISSING):
        super().__init__(summary)
        self.summary = summary
        self.hint = hint
        self.quantity = quantity
        self.actual = actual

    def message(self):
        hint = self.hint or "Compare your code with the formula in the docstring, step by step."
        return f"{self.summary}\n{hint}"


def _check(function):
    """Run a check; turn an internal failure into an AssertionError with a clean traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            function(*args, **kwargs)
            return None
        except _Failure as failure:
            message = failure.message()
        # Raised outside the except block: the student sees the message, not our internals.
        raise AssertionError(message)

    return wrapper


# ------------------------------------------------------------------------------------------------
# Running student code: quietly, with the reference helpers patched in, arguments guarded
# ------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _quiet():
    """Capture warnings and anything printed; make numpy floating-point errors silent."""
    sink = io.StringIO()
    with warnings.catch_warnings(record=True), np.errstate(all="ignore"), \
            contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        warnings.simplefilter("always")
        yield sink


@contextlib.contextmanager
def _patched_globals(function, replacements):
    """Set ``function.__globals__[name] = value`` for the duration; always restore."""
    namespace = getattr(function, "__globals__", None)
    if namespace is None or not replacements:
        yield
        return
    saved = {name: namespace.get(name, _MISSING) for name in replacements}
    try:
        namespace.update(replacements)
        yield
    finally:
        for name, value in saved.items():
            if value is _MISSING:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def _reference_helpers(*names):
    return {name: getattr(reference, name) for name in names}


def _is_student_file(filename):
    """True for code outside the Python installation, numpy and this package (i.e. notebook code)."""
    if not filename or filename.startswith(("<frozen", "<__array_function__")):
        return False
    filename = os.path.abspath(filename) if not filename.startswith("<") else filename
    return not filename.startswith(_LIBRARY_PREFIXES)


def _library_prefixes():
    prefixes = {_PACKAGE_DIR, os.path.dirname(os.path.abspath(np.__file__))}
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        prefixes.add(os.path.abspath(prefix))
    return tuple(sorted(prefixes))


_LIBRARY_PREFIXES = _library_prefixes()


def _student_line(error):
    """`` (at: <line>)`` for the innermost line of student code in a traceback, else ''."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_student_file(f.filename)]
    if frames and frames[-1].line:
        return f" (at: {frames[-1].line.strip()})"
    return ""


def _exception_hint(name, error):
    text = str(error)
    if isinstance(error, NotImplementedError):
        return f"{name} is not implemented yet: replace `raise NotImplementedError()` with your code."
    if isinstance(error, NameError):
        return ("A name used by your code is not defined: check its spelling, and run the cells "
                "above it (Kernel > Restart & Run All).")
    if isinstance(error, TypeError) and ("only length-1" in text or "only size-1" in text
                                         or "only 0-dimensional" in text
                                         or "only integer scalar" in text):
        return ("math functions work on single numbers only: use numpy's versions "
                "(np.exp, np.log), which work element-wise on whole arrays.")
    if isinstance(error, ValueError) and any(word in text for word in
                                             ("matmul", "aligned", "broadcast", "shape")):
        return ("The array shapes do not fit together: X is (n, m) with one example per column "
                "and w is (n, 1), so w.T @ X is (1, m); print the shapes to find the mismatch.")
    if isinstance(error, KeyError):
        return f"A dictionary has no key {text}: check the key names in the docstring."
    return f"Run {name} on the visible example and read the traceback to find the failing line."


def _call(function, name, args, where):
    """Call student code quietly; an exception becomes a failure naming it and the line."""
    if not callable(function):
        raise _Failure(f"{name} is a {type(function).__name__}, not a function.",
                       f"Define {name} with `def {name}(...)` and run its cell.")
    with _quiet():
        try:
            return function(*args)
        except Exception as error:  # noqa: BLE001 - any student error is reported, not re-raised
            summary = (f"{where}: {name} raised {type(error).__name__}: "
                       f"{_short(str(error))}{_student_line(error)}")
            hint = _exception_hint(name, error)
    raise _Failure(summary, hint)


def _short(text, limit=200):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _unchanged(before, after):
    """True when every array argument still equals its copy taken before the call."""
    for old, new in zip(before, after):
        if isinstance(old, np.ndarray):
            if not (isinstance(new, np.ndarray) and new.shape == old.shape
                    and np.array_equal(new, old)):
                return False
    return True


# ------------------------------------------------------------------------------------------------
# Type and shape validation (before any value is compared)
# ------------------------------------------------------------------------------------------------
def _is_exact_numpy_scalar(value):
    return (isinstance(value, (np.floating, np.integer))
            and type(value).__module__ == "numpy")


def _scalar(value, label):
    """``value`` as a float when it is a scalar (see the module docstring), else a failure."""
    if type(value) in (float, int) or _is_exact_numpy_scalar(value):
        return float(value)
    if type(value) is np.ndarray and value.dtype.kind in "fiu":
        if value.shape == ():
            return float(value)
        if value.size == 1:
            raise _Failure(f"{label} is an array of shape {value.shape}, expected a single number.",
                           f"{label} should be a scalar, not an array: compute it with np.sum "
                           f"(without axis / keepdims) or turn it into a number with np.squeeze.")
    raise _Failure(f"{label} is {_describe(value)}, expected a single number.",
                   f"{label} should be a number (a float).")


def _array(value, label, kinds="f"):
    """``value`` as a float ndarray when it is exactly an ndarray of a numeric dtype, else a failure."""
    if type(value) is not np.ndarray:
        if isinstance(value, np.ndarray):
            hint = f"Return a plain numpy array (np.ndarray), not a {type(value).__name__}."
        elif isinstance(value, (list, tuple)):
            hint = f"{label} should be a numpy array, not a {type(value).__name__}: use np.array."
        else:
            hint = f"{label} should be a numpy array."
        raise _Failure(f"{label} is {_describe(value)}, expected a numpy array.", hint)
    if value.dtype.kind == "b" and "b" not in kinds:
        raise _Failure(f"{label} holds booleans (True / False), expected the numbers 0 and 1.",
                       "Convert the booleans to numbers, e.g. with .astype(float).")
    if value.dtype.kind not in kinds:
        wanted = "floats" if kinds == "f" else "numbers"
        raise _Failure(f"{label} has dtype {value.dtype}, expected {wanted}.",
                       f"{label} should hold {wanted}; np.zeros gives float64 by default.")
    return value.astype(float, copy=False)


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"a {type(value).__name__} of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


def _sequence(value, label, length):
    if not isinstance(value, (tuple, list)) or len(value) != length:
        raise _Failure(f"{label} returned {_describe(value)}, expected {length} values.",
                       f"End the function with `return` followed by the {length} values "
                       f"named in its docstring.")
    return value


def _mapping(value, label, keys):
    if not isinstance(value, dict):
        raise _Failure(f"{label} is {_describe(value)}, expected a dict with keys "
                       f"{', '.join(map(repr, keys))}.",
                       f"Return a dictionary: {{{', '.join(f'{k!r}: ...' for k in keys)}}}.")
    missing = [k for k in keys if k not in value]
    if missing:
        raise _Failure(f"{label} has no key {', '.join(map(repr, missing))}.",
                       f"Use exactly the key names of the docstring: {', '.join(map(repr, keys))}.")
    return value


def _costs(value, label="costs"):
    if type(value) is not list:
        raise _Failure(f"{label} is {_describe(value)}, expected a list.",
                       "Start with costs = [] and append the cost every 100 iterations.")
    return np.array([_scalar(c, f"{label}[{i}]") for i, c in enumerate(value)], dtype=float)


# ------------------------------------------------------------------------------------------------
# Comparing one quantity
# ------------------------------------------------------------------------------------------------
#: Quantities that are lists (compared by length, then entries).
_LIST_QUANTITIES = ("costs",)


def _matches(actual, expected):
    """Same shape and equal within tolerance (inf / nan equal to themselves, for candidates)."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and bool(
        np.allclose(actual, expected, rtol=RTOL, atol=ATOL, equal_nan=True))


def _compare(quantity, actual, expected):
    """Raise a failure describing how ``actual`` differs from ``expected`` (shape, then values)."""
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    if quantity in _LIST_QUANTITIES and a.shape != e.shape:
        raise _Failure(f"{quantity} has {a.size} entries, expected {e.size}.",
                       f"{quantity} should hold the cost at iterations 0, {reference.COST_EVERY}, "
                       f"{2 * reference.COST_EVERY}, ... ({e.size} entries here).",
                       quantity, actual)
    if a.shape != e.shape:
        raise _Failure(f"{quantity} has shape {a.shape}, expected {e.shape}.",
                       _shape_hint(quantity, a.shape, e.shape), quantity, actual)
    if _matches(a, e):
        return
    if a.ndim == 0:
        summary = f"{quantity} = {float(a):.6g}, expected {float(e):.6g}."
    else:
        wrong = ~np.isclose(a, e, rtol=RTOL, atol=ATOL)
        first = tuple(int(i) for i in np.argwhere(wrong)[0])
        index = ", ".join(map(str, first))
        summary = (f"{quantity} has the right shape {a.shape}, but {int(wrong.sum())} of "
                   f"{a.size} entries differ from the expected values (e.g. {quantity}[{index}] "
                   f"= {a[first]:.6g}, expected {e[first]:.6g}).")
    raise _Failure(summary, None, quantity, actual)


def _shape_hint(quantity, actual, expected):
    if len(actual) == 1 and len(expected) == 2 and actual[0] == math.prod(expected):
        return (f"{quantity} is a rank-1 array of shape {actual}; keep it 2-D with shape "
                f"{expected} (rank-1 arrays behave unexpectedly, e.g. .T does nothing).")
    if len(actual) == 2 and actual == expected[::-1]:
        return (f"{quantity} looks transposed: shape {actual} instead of {expected}; "
                f"check which factor of the product gets the .T.")
    if len(actual) == 0 and len(expected) > 0:
        return f"{quantity} should be an array of shape {expected}, not a single number."
    return f"{quantity} should have shape {expected}."


# ------------------------------------------------------------------------------------------------
# The generic engine: cases, reference, candidate mistakes, constant-output probe
# ------------------------------------------------------------------------------------------------
class _Case:
    """One hidden input: positional ``args``, a description, and how to make a sibling input."""

    def __init__(self, make, seed, description, **sizes):
        self.make, self.seed, self.description, self.sizes = make, seed, description, sizes
        self.args = make(np.random.default_rng(seed), **sizes)
        self.key = (seed, tuple(sorted(sizes.items())))

    def sibling(self):
        """Another hidden input of the same sizes (different seed), and its cache key."""
        seed = self.seed + 7919
        return (self.make(np.random.default_rng(seed), **self.sizes),
                (seed, tuple(sorted(self.sizes.items()))))


class _Spec:
    """How to judge one graded function against the reference."""

    def __init__(self, name, call, reference_fn, unpack, candidates=(), helpers=(),
                 probe_constant=True, extra_diagnoses=(), globals_for_call=None,
                 new_arrays="z = -z instead of z *= -1"):
        self.name = name                      # e.g. "propagate"
        self.call = call                      # e.g. "propagate(w, b, X, Y)"
        self.reference_fn = reference_fn      # args -> result in the student's format
        self.unpack = unpack                  # (result, case) -> {quantity: value}
        self.candidates = candidates          # [(hint, args -> result)] modelling mistakes
        self.helpers = helpers                # graded names swapped for the reference
        self.probe_constant = probe_constant  # diagnose hard-coded outputs
        self.extra_diagnoses = extra_diagnoses  # [(spec, function, case, failure) -> hint|None]
        self.globals_for_call = globals_for_call or (lambda case: {})
        self.new_arrays = new_arrays          # example of the right way, for the in-place hint


def _reference_result(spec, args, key=None):
    """The reference's result on ``args``; memoized under ``key`` (hidden inputs are seeded)."""
    if key is not None and (spec.name, key) in _REFERENCE_CACHE:
        return _REFERENCE_CACHE[spec.name, key]
    with _quiet():
        result = spec.reference_fn(*copy.deepcopy(args))
    if key is not None:
        _REFERENCE_CACHE[spec.name, key] = result
    return result


#: Reference results by (function, case key); never handed to student code, so never mutated.
_REFERENCE_CACHE = {}


def _judge(spec, function, cases):
    """Compare ``function`` with the reference on every case; raise the first failure, diagnosed."""
    for case in cases:
        expected = spec.unpack(_reference_result(spec, case.args, case.key), case)
        args = copy.deepcopy(case.args)
        where = f"{spec.call} on a hidden input with {case.description}"
        patches = {**_reference_helpers(*spec.helpers), **spec.globals_for_call(case)}
        with _patched_globals(function, patches):
            result = _call(function, spec.name, args, where)
            try:
                actual = spec.unpack(result, case)
                for quantity, value in expected.items():
                    _compare(quantity, actual[quantity], value)
            except _Failure as failure:
                failure.summary = f"{where}: {failure.summary}"
                failure.hint = _diagnose(spec, function, case, result, failure) or failure.hint
                raise
        if not _unchanged(case.args, args):
            names = inspect.signature(spec.reference_fn).parameters
            changed = [n for n, old, new in zip(names, case.args, args)
                       if isinstance(old, np.ndarray) and not np.array_equal(old, new)]
            raise _Failure(f"{where}: the result is right, but {spec.name} changed its "
                           f"argument {' and '.join(changed)}.",
                           f"{spec.name} modified its input in place (with -=, *= or an item "
                           f"assignment); compute new arrays instead, e.g. {spec.new_arrays}, "
                           f"so the caller's data stay intact.")


def _diagnose(spec, function, case, result, failure):
    """The most specific hint for a failure: hard-coding, a modelled mistake, else None."""
    if spec.probe_constant and _gives_constant_output(spec, function, case, result):
        return (f"{spec.name} returns the same result for different inputs: did you hard-code "
                f"the visible example's expected output? Compute it from the arguments.")
    for diagnose in spec.extra_diagnoses:
        hint = diagnose(spec, function, case, failure)
        if hint:
            return hint
    if failure.quantity is None or failure.actual is _MISSING:
        return None
    expected = spec.unpack(_reference_result(spec, case.args, case.key), case)[failure.quantity]
    for hint, mistake in spec.candidates:
        try:
            with _quiet():
                modelled = spec.unpack(mistake(*copy.deepcopy(case.args)), case)[failure.quantity]
        except _Failure:
            continue
        if not _matches(modelled, expected) and _matches(failure.actual, modelled):
            return hint.format(q=failure.quantity)
    return None


def _gives_constant_output(spec, function, case, result):
    sibling, sibling_key = case.sibling()
    if _fingerprint(_reference_result(spec, sibling, sibling_key)) == _fingerprint(
            _reference_result(spec, case.args, case.key)):
        return False
    patches = {**_reference_helpers(*spec.helpers), **spec.globals_for_call(case)}
    with _patched_globals(function, patches), _quiet():
        try:
            other = function(*copy.deepcopy(sibling))
        except Exception:  # noqa: BLE001 - a crash on the sibling input is not a constant output
            return False
    return _fingerprint(other) == _fingerprint(result)


def _fingerprint(value):
    """A hashable summary of a (nested) result, for 'same output?' comparisons."""
    if isinstance(value, np.ndarray):
        return ("array", value.shape, str(value.dtype), value.tobytes())
    if isinstance(value, dict):
        return ("dict", tuple((repr(k), _fingerprint(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(_fingerprint(v) for v in value))
    try:
        return ("number", float(value))
    except (TypeError, ValueError):
        return ("other", repr(value))


# ------------------------------------------------------------------------------------------------
# Hidden inputs
# ------------------------------------------------------------------------------------------------
def _describe_sizes(n=None, m=None, **_):
    parts = []
    if n is not None:
        parts.append(f"n = {n} feature{'s' if n != 1 else ''}")
    if m is not None:
        parts.append(f"m = {m} example{'s' if m != 1 else ''}")
    return ", ".join(parts)


def _labels(rng, m):
    """0 / 1 labels with both classes present when m > 1."""
    Y = rng.integers(0, 2, size=(1, m))
    if m > 1:
        Y[0, 0], Y[0, -1] = 0, 1
    return Y


def _bias(rng, kind):
    """A bias of the several accepted scalar types."""
    value = float(np.round(rng.normal(0, 0.5), 3))
    return {"float": value, "int": int(round(value * 2)), "numpy": np.float64(value)}[kind]


def _make_propagate_input(rng, n, m, b_kind="float", y_float=False):
    w = rng.normal(0, 0.6, size=(n, 1))
    X = rng.normal(0, 1.2, size=(n, m))
    Y = _labels(rng, m)
    return w, _bias(rng, b_kind), X, (Y.astype(float) if y_float else Y)


# ------------------------------------------------------------------------------------------------
# sigmoid
# ------------------------------------------------------------------------------------------------
def _make_sigmoid_input(rng, shape, kind):
    if kind == "python":
        return (float(np.round(rng.normal(0, 3), 4)),)
    if kind == "numpy":
        return (np.float64(np.round(rng.normal(0, 3), 4)),)
    if kind == "int":
        return (rng.integers(-6, 7, size=shape),)
    if kind == "saturating":
        z = rng.choice([-1, 1], size=shape) * rng.uniform(30, 1000, size=shape)
        z.flat[:4] = [-1000.0, 745.5, -710.0, 40.0]
        return (z,)
    return (rng.normal(0, 4, size=shape),)


def _sigmoid_cases():
    make = _make_sigmoid_input
    return [
        _Case(make, 101, "z of shape (3, 4)", shape=(3, 4), kind="normal"),
        _Case(make, 102, "a Python float z", shape=(), kind="python"),
        _Case(make, 103, "a numpy float z", shape=(), kind="numpy"),
        _Case(make, 104, "z of shape (5,)", shape=(5,), kind="normal"),
        _Case(make, 105, "an integer array z of shape (1, 7)", shape=(1, 7), kind="int"),
        _Case(make, 106, "z of shape (1, 1)", shape=(1, 1), kind="normal"),
        _Case(make, 107, "z of shape (2, 3, 4)", shape=(2, 3, 4), kind="normal"),
        _Case(make, 108, "large |z| (up to 1000), shape (2, 6)", shape=(2, 6), kind="saturating"),
    ]


def _unpack_sigmoid(result, case):
    (z,) = case.args
    if np.ndim(z) == 0:
        return {"sigmoid(z)": _scalar(result, "sigmoid(z)")}
    return {"sigmoid(z)": _array(result, "sigmoid(z)")}


_SIGMOID = _Spec(
    "sigmoid", "sigmoid(z)", reference.sigmoid, _unpack_sigmoid,
    candidates=[
        ("The result is sigmoid(-z): the formula is 1 / (1 + np.exp(-z)), with a minus sign "
         "in the exponent.", lambda z: reference.sigmoid(-np.asarray(z, dtype=float))),
        ("Check the parentheses: the formula is 1 / (1 + np.exp(-z)), not 1 / 1 + np.exp(-z).",
         lambda z: 1 + np.exp(-np.asarray(z, dtype=float))),
        ("The denominator is 1 + np.exp(-z), with a plus sign.",
         lambda z: 1 / (1 - np.exp(-np.asarray(z, dtype=float)))),
    ],
)


@_check
def check_sigmoid(sigmoid):
    """Hidden test of ``sigmoid``: scalars, arrays of several shapes and dtypes, large ``|z|``."""
    _judge(_SIGMOID, sigmoid, _sigmoid_cases())


# ------------------------------------------------------------------------------------------------
# initialize_with_zeros
# ------------------------------------------------------------------------------------------------
def _unpack_initialize(result, case):
    w, b = _sequence(result, "initialize_with_zeros(dim)", 2)
    return {"w": _array(w, "w"), "b": _scalar(b, "b")}


_INITIALIZE = _Spec(
    "initialize_with_zeros", "initialize_with_zeros(dim)", reference.initialize_with_zeros,
    _unpack_initialize, probe_constant=False,
    candidates=[("w should start at zero: use np.zeros((dim, 1)).",
                 lambda dim: (np.ones((dim, 1)), 0.0))],
)


@_check
def check_initialize_with_zeros(initialize_with_zeros):
    """Hidden test of ``initialize_with_zeros``: several ``dim``; ``b`` may be any scalar zero."""
    cases = [_Case(lambda rng, dim: (dim,), 200 + dim, f"dim = {dim}", dim=dim)
             for dim in (3, 1, 12288)]
    _judge(_INITIALIZE, initialize_with_zeros, cases)


# ------------------------------------------------------------------------------------------------
# propagate
# ------------------------------------------------------------------------------------------------
def _unpack_propagate(result, case):
    grads, cost = _sequence(result, "propagate(w, b, X, Y)", 2)
    grads = _mapping(grads, "grads", ("dw", "db"))
    return {"dw": _array(grads["dw"], "dw"), "db": _scalar(grads["db"], "db"),
            "cost": _scalar(cost, "cost")}


def _propagate_formula(w, b, X, Y, flip_z=False, swap_logs=False, use_bias=True):
    """The propagate formulas with one of the classic mistakes switched on."""
    m = X.shape[1]
    Z = w.T @ X + (b if use_bias else 0.0)
    if flip_z:
        Z = -Z
    A = reference.sigmoid(Z)
    log_a, log_1ma = -np.logaddexp(0, -Z), -np.logaddexp(0, Z)
    if swap_logs:
        log_a, log_1ma = log_1ma, log_a
    cost = -np.sum(Y * log_a + (1 - Y) * log_1ma) / m
    dZ = A - Y
    return {"dw": X @ dZ.T / m, "db": np.sum(dZ) / m}, cost


def _scaled_propagate(factor):
    def mistake(w, b, X, Y):
        grads, cost = reference.propagate(w, b, X, Y)
        k = factor(X)
        return {"dw": grads["dw"] * k, "db": grads["db"] * k}, cost * k
    return mistake


_PROPAGATE = _Spec(
    "propagate", "propagate(w, b, X, Y)", reference.propagate, _unpack_propagate,
    helpers=("sigmoid",),
    candidates=[
        ("{q} is m times too large: did you divide by m (the number of examples)?",
         _scaled_propagate(lambda X: X.shape[1])),
        ("{q} is m times too small: did you divide by m twice?",
         _scaled_propagate(lambda X: 1 / X.shape[1])),
        ("{q} was divided by the number of features: m is the number of examples, X.shape[1].",
         _scaled_propagate(lambda X: X.shape[1] / X.shape[0])),
        ("{q} has the wrong sign: check the minus signs (the gradient uses A - Y, the cost "
         "starts with -1/m).", _scaled_propagate(lambda X: -1)),
        ("The result is what you get with b = 0: did you forget to add the bias, "
         "A = sigmoid(w.T @ X + b)?", lambda w, b, X, Y: _propagate_formula(w, b, X, Y,
                                                                             use_bias=False)),
        ("The cost matches the formula with its two log terms swapped: Y goes with log(A), "
         "(1 - Y) with log(1 - A).",
         lambda w, b, X, Y: _propagate_formula(w, b, X, Y, swap_logs=True)),
        ("The result matches A = sigmoid(-(w.T @ X + b)): the activation is sigmoid(z), "
         "not sigmoid(-z).", lambda w, b, X, Y: _propagate_formula(w, b, X, Y, flip_z=True)),
    ],
)


def _propagate_cases():
    make = _make_propagate_input
    return [
        _Case(make, 301, "n = 3 features, m = 7 examples", n=3, m=7),
        _Case(make, 302, "n = 1 feature, m = 1 example", n=1, m=1),
        _Case(make, 303, "n = 4 features, m = 1 example", n=4, m=1, b_kind="int"),
        _Case(make, 304, "n = 1 feature, m = 6 examples", n=1, m=6, b_kind="numpy"),
        _Case(make, 305, "n = 6 features, m = 25 examples", n=6, m=25, y_float=True),
        _Case(make, 306, "n = 2 features, m = 3 examples", n=2, m=3),
    ]


@_check
def check_propagate(propagate):
    """Hidden test of ``propagate`` (with the reference ``sigmoid``): several shapes and bias types."""
    _judge(_PROPAGATE, propagate, _propagate_cases())


# ------------------------------------------------------------------------------------------------
# optimize
# ------------------------------------------------------------------------------------------------
def _make_optimize_input(rng, n, m, num_iterations, learning_rate, b_kind="float"):
    w, b, X, Y = _make_propagate_input(rng, n, m, b_kind)
    return w, b, X, Y, num_iterations, learning_rate, False


def _optimize_variant(w, b, X, Y, num_iterations, learning_rate, print_cost=False, *,
                      iterations=None, rate=None, update_b=True, grads_after_loop=False,
                      record=lambda i: i % reference.COST_EVERY == 0, cost_after_update=False):
    """Gradient descent with one of the classic mistakes switched on (reference propagate)."""
    iterations = num_iterations if iterations is None else iterations
    rate = learning_rate if rate is None else rate
    costs, dw, db = [], np.zeros_like(w, dtype=float), 0.0
    for i in range(iterations):
        grads, cost = reference.propagate(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
        w = w - rate * dw
        if update_b:
            b = b - rate * db
        if record(i):
            costs.append(reference.propagate(w, b, X, Y)[1] if cost_after_update else cost)
    if grads_after_loop:
        grads, _ = reference.propagate(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
    return {"w": w, "b": b}, {"dw": dw, "db": db}, costs


def _optimize_mistake(**mistake):
    return lambda *args: _optimize_variant(*args, **mistake)


def _unpack_optimize(result, case):
    params, grads, costs = _sequence(result, "optimize(...)", 3)
    params = _mapping(params, "params", ("w", "b"))
    grads = _mapping(grads, "grads", ("dw", "db"))
    return {"w": _array(params["w"], "w"), "b": _scalar(params["b"], "b"),
            "dw": _array(grads["dw"], "dw"), "db": _scalar(grads["db"], "db"),
            "costs": _costs(costs)}


_WRONG_ITERATIONS = (f"costs were recorded at the wrong iterations: append the cost computed at "
                     f"iterations 0, {reference.COST_EVERY}, {2 * reference.COST_EVERY}, ... "
                     f"(if i % {reference.COST_EVERY} == 0).")
_OPTIMIZE = _Spec(
    "optimize", "optimize(w, b, X, Y, num_iterations, learning_rate)",
    reference.optimize, _unpack_optimize, helpers=("sigmoid", "propagate"),
    new_arrays="w = w - learning_rate * dw instead of w -= learning_rate * dw",
    candidates=[
        ("optimize stopped after the first iteration: is your return inside the loop?",
         _optimize_mistake(iterations=1)),
        ("optimize did not run num_iterations iterations: loop with "
         "for i in range(num_iterations).", _optimize_mistake(iterations=100)),
        ("optimize did not run num_iterations iterations: loop with "
         "for i in range(num_iterations).", _optimize_mistake(iterations=2000)),
        ("The step size is not learning_rate: use it in the update, "
         "w = w - learning_rate * dw (and the same for b).", _optimize_mistake(rate=0.009)),
        ("The step size is not learning_rate: use it in the update, "
         "w = w - learning_rate * dw (and the same for b).", _optimize_mistake(rate=1.0)),
        ("The parameters moved up the gradient: gradient descent subtracts, "
         "w = w - learning_rate * dw.",
         lambda *args: _optimize_variant(*args, rate=-args[5])),
        ("b never changes: update it too, b = b - learning_rate * db.",
         _optimize_mistake(update_b=False)),
        ("grads should hold dw and db of the last iteration, computed before its update "
         "(do not call propagate again after the loop).", _optimize_mistake(grads_after_loop=True)),
        (f"costs has one entry per iteration: record the cost only every "
         f"{reference.COST_EVERY} iterations (if i % {reference.COST_EVERY} == 0).",
         _optimize_mistake(record=lambda i: True)),
        ("costs is empty: append the cost every 100 iterations whether or not print_cost is set.",
         _optimize_mistake(record=lambda i: False)),
        (_WRONG_ITERATIONS, _optimize_mistake(record=lambda i: i % reference.COST_EVERY
                                              == reference.COST_EVERY - 1)),
        (_WRONG_ITERATIONS, _optimize_mistake(record=lambda i: i % reference.COST_EVERY == 0
                                              and i > 0)),
        (_WRONG_ITERATIONS, _optimize_mistake(cost_after_update=True)),
    ],
)


def _optimize_cases():
    make = _make_optimize_input
    return [
        _Case(make, 401, "n = 3 features, m = 8 examples, 201 iterations, learning rate 0.05",
              n=3, m=8, num_iterations=201, learning_rate=0.05),
        _Case(make, 402, "n = 1 feature, m = 1 example, 101 iterations, learning rate 0.3",
              n=1, m=1, num_iterations=101, learning_rate=0.3),
        _Case(make, 403, "n = 5 features, m = 12 examples, 100 iterations, learning rate 0.01",
              n=5, m=12, num_iterations=100, learning_rate=0.01, b_kind="int"),
        _Case(make, 404, "n = 2 features, m = 4 examples, 1 iteration, learning rate 0.2",
              n=2, m=4, num_iterations=1, learning_rate=0.2, b_kind="numpy"),
    ]


@_check
def check_optimize(optimize):
    """Hidden test of ``optimize`` (with the reference ``propagate``): parameters, grads, costs."""
    _judge(_OPTIMIZE, optimize, _optimize_cases())


# ------------------------------------------------------------------------------------------------
# predict
# ------------------------------------------------------------------------------------------------
def _make_predict_input(rng, n, m, scale=1.0):
    w = rng.normal(0, 0.6, size=(n, 1)) * scale
    X = rng.normal(0, 1.2, size=(n, m))
    b = _bias(rng, "float") * scale
    return w, float(b), X


def _unpack_predict(result, case):
    return {"Y_prediction": _array(result, "Y_prediction", kinds="fiu")}


_PREDICT = _Spec(
    "predict", "predict(w, b, X)", reference.predict, _unpack_predict, helpers=("sigmoid",),
    candidates=[
        ("predict returns the probabilities A; turn them into labels: 1 (cat) where A > 0.5, "
         "else 0.", lambda w, b, X: reference.sigmoid(w.T @ X + b)),
        ("The labels are inverted: predict 1 (cat) where A > 0.5 and 0 elsewhere, with "
         "A = sigmoid(w.T @ X + b).", lambda w, b, X: 1.0 - reference.predict(w, b, X)),
        ("The result is what you get with b = 0: did you forget the bias, "
         "A = sigmoid(w.T @ X + b)?", lambda w, b, X: reference.predict(w, 0.0, X)),
        ("The threshold 0.5 applies to the probability A = sigmoid(z), not to z itself.",
         lambda w, b, X: (w.T @ X + b > 0.5).astype(float)),
    ],
)


def _predict_cases():
    make = _make_predict_input
    return [
        _Case(make, 501, "n = 3 features, m = 10 examples", n=3, m=10),
        _Case(make, 502, "n = 1 feature, m = 1 example", n=1, m=1),
        _Case(make, 503, "n = 4 features, m = 1 example", n=4, m=1),
        _Case(make, 504, "n = 1 feature, m = 6 examples", n=1, m=6),
        _Case(make, 505, "large |z| (up to ~1000), n = 2 features, m = 20 examples",
              n=2, m=20, scale=400.0),
    ]


@_check
def check_predict(predict):
    """Hidden test of ``predict`` (with the reference ``sigmoid``): labels 0 / 1 of shape (1, m)."""
    _judge(_PREDICT, predict, _predict_cases())


# ------------------------------------------------------------------------------------------------
# model
# ------------------------------------------------------------------------------------------------
def _make_model_input(rng, n, m_train, m_test, num_iterations, learning_rate):
    true_w = rng.normal(0, 1.0, size=(n, 1))

    def sample(m):
        X = rng.normal(0, 1.0, size=(n, m))
        Y = (true_w.T @ X + rng.normal(0, 0.7, size=(1, m)) > 0).astype(int)
        return X, Y

    X_train, Y_train = sample(m_train)
    X_test, Y_test = sample(m_test)
    return X_train, Y_train, X_test, Y_test, num_iterations, learning_rate, False


def _model_variant(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate,
                   print_cost=False, *, train_on_test=False, iterations=None, rate=None,
                   swap_predictions=False):
    """The reference model with one of the classic mistakes switched on."""
    X_fit, Y_fit = (X_test, Y_test) if train_on_test else (X_train, Y_train)
    d = reference.model(X_fit, Y_fit, X_fit, Y_fit,
                        num_iterations if iterations is None else iterations,
                        learning_rate if rate is None else rate)
    d["Y_prediction_train"] = reference.predict(d["w"], d["b"], X_train)
    d["Y_prediction_test"] = reference.predict(d["w"], d["b"], X_test)
    if swap_predictions:
        d["Y_prediction_train"], d["Y_prediction_test"] = (d["Y_prediction_test"],
                                                           d["Y_prediction_train"])
    d["learning_rate"], d["num_iterations"] = learning_rate, num_iterations
    return d


def _model_mistake(**mistake):
    return lambda *args: _model_variant(*args, **mistake)


_MODEL_KEYS = ("costs", "w", "b", "Y_prediction_train", "Y_prediction_test", "learning_rate",
               "num_iterations")


def _unpack_model(result, case):
    d = _mapping(result, "d", _MODEL_KEYS)
    return {
        "costs": _costs(d["costs"], "d['costs']"),
        "w": _array(d["w"], "d['w']"),
        "b": _scalar(d["b"], "d['b']"),
        "Y_prediction_train": _array(d["Y_prediction_train"], "d['Y_prediction_train']", "fiu"),
        "Y_prediction_test": _array(d["Y_prediction_test"], "d['Y_prediction_test']", "fiu"),
        "learning_rate": _scalar(d["learning_rate"], "d['learning_rate']"),
        "num_iterations": _scalar(d["num_iterations"], "d['num_iterations']"),
    }


def _decoy_data(case, seed=911):
    """Stand-ins for the notebook's data globals, shaped like this case's arrays."""
    rng = np.random.default_rng(seed)
    X_train, Y_train, X_test, Y_test = case.args[:4]
    return {"train_set_x": rng.normal(size=X_train.shape),
            "train_set_y": rng.integers(0, 2, size=Y_train.shape),
            "test_set_x": rng.normal(size=X_test.shape),
            "test_set_y": rng.integers(0, 2, size=Y_test.shape)}


def _reads_data_globals(spec, function, case, failure):
    """Hint when model's output changes with the notebook's data globals (it ignores its args)."""
    outputs = []
    for seed in (911, 912):
        patches = {**_reference_helpers(*spec.helpers), **_decoy_data(case, seed)}
        with _patched_globals(function, patches), _quiet():
            try:
                outputs.append(_fingerprint(function(*copy.deepcopy(case.args))))
            except Exception:  # noqa: BLE001 - a crash here says nothing about globals
                return None
    if outputs[0] != outputs[1]:
        return ("model uses the notebook's global data (train_set_x, train_set_y, ...) instead "
                "of its arguments X_train, Y_train, X_test, Y_test.")
    return None


_MODEL = _Spec(
    "model", "model(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate)",
    reference.model, _unpack_model, helpers=REFERENCE_HELPERS,
    globals_for_call=_decoy_data, extra_diagnoses=(_reads_data_globals,),
    candidates=[
        ("model trained on the test set: train on X_train, Y_train and use the test set only "
         "for Y_prediction_test.", _model_mistake(train_on_test=True)),
        ("Y_prediction_train and Y_prediction_test are swapped.",
         _model_mistake(swap_predictions=True)),
        ("model ignores its num_iterations argument: pass it on to optimize.",
         _model_mistake(iterations=2000)),
        ("model ignores its num_iterations argument: pass it on to optimize.",
         _model_mistake(iterations=100)),
        ("model ignores its learning_rate argument: pass it on to optimize.",
         _model_mistake(rate=0.5)),
        ("model ignores its learning_rate argument: pass it on to optimize.",
         _model_mistake(rate=0.009)),
    ],
)


def _model_cases():
    make = _make_model_input
    return [
        _Case(make, 601, "n = 4 features, 40 training and 15 test examples, 150 iterations, "
              "learning rate 0.05", n=4, m_train=40, m_test=15, num_iterations=150,
              learning_rate=0.05),
        _Case(make, 602, "n = 1 feature, 9 training and 1 test example, 120 iterations, "
              "learning rate 0.3", n=1, m_train=9, m_test=1, num_iterations=120,
              learning_rate=0.3),
    ]


@_check
def check_model(model):
    """Hidden test of ``model`` (with the reference helpers and decoy data globals)."""
    _judge(_MODEL, model, _model_cases())


# ------------------------------------------------------------------------------------------------
# Vectorization: does the number of executed lines of student code grow with m?
# ------------------------------------------------------------------------------------------------
def _lines_executed(function, args, patches):
    """Count line events in student code (not numpy, not the stdlib, not this package)."""
    count = 0

    def trace_lines(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return trace_lines

    def trace_calls(frame, event, arg):
        nonlocal count
        if event == "call" and _is_student_file(frame.f_code.co_filename):
            count += 1
            return trace_lines
        return None

    error = None
    previous = sys.gettrace()
    with _patched_globals(function, patches), _quiet():
        sys.settrace(trace_calls)
        try:
            function(*args)
        except Exception as exc:  # noqa: BLE001 - correctness is judged by the other test
            error = exc
        finally:
            sys.settrace(previous)
    return count, error


def _check_vectorized(name, function, make, helpers, vectorized_form):
    if not callable(function):
        raise _Failure(f"{name} is a {type(function).__name__}, not a function.",
                       f"Define {name} with `def {name}(...)` and run its cell.")
    small, large = 2, 20
    patches = _reference_helpers(*helpers)
    counts = []
    for m in (small, large):
        count, error = _lines_executed(function, make(np.random.default_rng(700 + m), m), patches)
        if isinstance(error, NotImplementedError):
            raise _Failure(f"{name} raised NotImplementedError.",
                           f"{name} is not implemented yet: replace `raise NotImplementedError()` "
                           f"with your code.")
        counts.append(count)
    if counts[1] > counts[0]:
        raise _Failure(
            f"{name} loops over the examples: on m = {small} examples it ran {counts[0]} lines of "
            f"your code, on m = {large} examples {counts[1]}.",
            f"{name} loops over the examples in Python; write it with whole-array operations "
            f"({vectorized_form}), which numpy runs in compiled code, typically 100 times faster "
            f"on the 12288 x 209 training set, for any m.")


@_check
def check_propagate_vectorized(propagate):
    """Hidden test: ``propagate`` must not loop over the examples (correctness is graded apart)."""
    _check_vectorized("propagate", propagate,
                      lambda rng, m: _make_propagate_input(rng, 3, m), ("sigmoid",),
                      "A = sigmoid(w.T @ X + b), dw = X @ (A - Y).T / m, db = np.sum(A - Y) / m")


@_check
def check_predict_vectorized(predict):
    """Hidden test: ``predict`` must not loop over the examples (correctness is graded apart)."""
    _check_vectorized("predict", predict,
                      lambda rng, m: _make_predict_input(rng, 3, m), ("sigmoid",),
                      "A = sigmoid(w.T @ X + b), then (A > 0.5).astype(float)")


# ------------------------------------------------------------------------------------------------
# Data steps: the truth comes from the real dataset
# ------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _dataset():
    """The real data and its correct preparation, computed once per kernel."""
    from .data import load_dataset

    train_x_orig, train_y, test_x_orig, test_y, _ = load_dataset()
    truth = {}
    for part, orig in (("train", train_x_orig), ("test", test_x_orig)):
        flat = np.ascontiguousarray(reference.flatten(orig))
        truth[part] = {"orig": orig, "flatten": flat, "standardize": reference.standardize(flat)}
    return truth


def _count(value, label):
    if type(value) is int or (isinstance(value, np.integer) and _is_exact_numpy_scalar(value)):
        return int(value)
    if type(value) is np.ndarray and value.shape == () and value.dtype.kind in "iu":
        return int(value)
    raise _Failure(f"{label} is {_describe(value)} ({value!r:.40}), expected an integer.",
                   f"{label} counts something: read it from a .shape, which gives integers.")


@_check
def check_dataset_shapes(m_train, m_test, num_px):
    """Hidden test of the dataset shapes: integers read from the arrays' ``.shape``."""
    train_x, test_x = _dataset()["train"]["orig"], _dataset()["test"]["orig"]
    truth = {"m_train": train_x.shape[0], "m_test": test_x.shape[0], "num_px": train_x.shape[1]}
    got = {"m_train": _count(m_train, "m_train"), "m_test": _count(m_test, "m_test"),
           "num_px": _count(num_px, "num_px")}
    hints = {
        "m_train": "m_train is the number of training pictures, train_set_x_orig.shape[0].",
        "m_test": "m_test is the number of test pictures, test_set_x_orig.shape[0].",
        "num_px": "num_px is the height (= width) of a picture, train_set_x_orig.shape[1].",
    }
    for name, expected in truth.items():
        if got[name] != expected:
            hint = hints[name]
            if name != "m_test" and got[name] == truth["m_test"]:
                hint = f"{name} came from the test set: {hints[name]}"
            elif name == "m_test" and got[name] == truth["m_train"]:
                hint = f"m_test came from the training set: {hints[name]}"
            raise _Failure(f"{name} = {got[name]}, expected {expected}.", hint)


def _flatten_failure(label, value, truth, other):
    """Diagnose a wrong flattened array ``value``; ``truth`` / ``other``: this set's and the other's."""
    orig, expected = truth["orig"], truth["flatten"]
    if np.array_equal(value, other["flatten"]):
        return _Failure(f"{label} holds the other set's pictures.",
                        f"{label} should be made from {label.replace('_flatten', '_orig')}.")
    if value.shape == expected.shape[::-1]:
        return _Failure(f"{label} has shape {value.shape}, expected {expected.shape}.",
                        "One example per column: transpose, X.reshape(X.shape[0], -1).T.")
    if value.shape != expected.shape:
        return _Failure(f"{label} has shape {value.shape}, expected {expected.shape}.",
                        "Each column should hold one picture's num_px * num_px * 3 values: "
                        "X.reshape(X.shape[0], -1).T.")
    if np.array_equal(value, orig.reshape(-1, orig.shape[0])):
        return _Failure(f"{label} has the right shape {value.shape} but its columns mix pixels of "
                        f"several pictures.",
                        "reshape(-1, m) mixes the pictures; X.reshape(X.shape[0], -1).T keeps "
                        "each picture's pixels together in one column.")
    if _matches(value, truth["standardize"]):
        return _Failure(f"{label} holds values scaled to [0, 1], expected the raw pixels 0-255.",
                        "Only flatten here: the division by 255 is the next step.")
    return _Failure(f"{label} has the right shape {value.shape} but other values.",
                    "Flatten with X.reshape(X.shape[0], -1).T.")


def _sets(first, second):
    """The (label, value, truth, other truth) of the training and the test set."""
    truth = _dataset()
    return ((first[0], first[1], truth["train"], truth["test"]),
            (second[0], second[1], truth["test"], truth["train"]))


@_check
def check_flatten(train_set_x_flatten, test_set_x_flatten):
    """Hidden test of the flattening: one picture per column, pixels in the original order."""
    for label, value, truth, other in _sets(("train_set_x_flatten", train_set_x_flatten),
                                            ("test_set_x_flatten", test_set_x_flatten)):
        array = _array(value, label, kinds="fiu")
        if not np.array_equal(array, truth["flatten"]):
            raise _flatten_failure(label, array, truth, other)


@_check
def check_standardize(train_set_x, test_set_x):
    """Hidden test of the scaling to [0, 1] (a flattening mistake is graded by test_flatten only)."""
    rearranged = []
    for label, value, truth, _ in _sets(("train_set_x", train_set_x), ("test_set_x", test_set_x)):
        expected = truth["standardize"]
        if type(value) is np.ndarray and value.dtype.kind in "iu":
            raise _standardize_failure(label, value.astype(float), truth)
        array = _array(value, label)
        if array.shape == expected.shape and (np.array_equal(array, expected)
                                              or _matches(array, expected)):
            continue
        if array.size == expected.size and _matches(np.sort(array, axis=None),
                                                     np.sort(expected, axis=None)):
            rearranged.append(label)  # scaled right; the arrangement is test_flatten's business
            continue
        raise _standardize_failure(label, array, truth)
    if rearranged:
        print(f"Note: {' and '.join(rearranged)} scaled correctly, but arranged differently from "
              f"the expected flattening (see test_flatten).")


def _standardize_failure(label, array, truth):
    flat, expected = truth["flatten"].astype(float), truth["standardize"]
    where = f"{label} has "
    if array.shape != expected.shape:
        return _Failure(f"{where}shape {array.shape}, expected {expected.shape}.",
                        f"Standardize the flattened array: {label} = {label}_flatten / 255.")
    if _matches(array, flat):
        return _Failure(f"{where}the raw pixel values 0-255, expected values in [0, 1].",
                        f"{label} was not standardized: divide the flattened array by 255.")
    if _matches(array, flat // 255):
        return _Failure(f"{where}only the values 0 and 1.",
                        "// is integer division: use / 255.")
    if abs(float(array.mean())) < 1e-6:
        return _Failure(f"{where}mean 0: it was centred, expected pixels scaled to [0, 1].",
                        "For pictures, simply divide by 255 (the largest pixel value).")
    return _Failure(f"{where}the right shape but other values (max {float(array.max()):.4g}, "
                    f"expected max {float(expected.max()):.4g}).",
                    "Divide the flattened pixel values by 255, the largest pixel value.")


#: Autograded test cell -> (check, names of the notebook globals it is called with).
TEST_CELLS = {
    "test_dataset_shapes": (check_dataset_shapes, ("m_train", "m_test", "num_px")),
    "test_flatten": (check_flatten, ("train_set_x_flatten", "test_set_x_flatten")),
    "test_standardize": (check_standardize, ("train_set_x", "test_set_x")),
    "test_sigmoid": (check_sigmoid, ("sigmoid",)),
    "test_initialize_with_zeros": (check_initialize_with_zeros, ("initialize_with_zeros",)),
    "test_propagate": (check_propagate, ("propagate",)),
    "test_propagate_vectorized": (check_propagate_vectorized, ("propagate",)),
    "test_optimize": (check_optimize, ("optimize",)),
    "test_predict": (check_predict, ("predict",)),
    "test_predict_vectorized": (check_predict_vectorized, ("predict",)),
    "test_model": (check_model, ("model",)),
}
