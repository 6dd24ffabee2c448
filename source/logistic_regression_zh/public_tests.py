"""Visible tests of the logistic regression assignment.

Each ``*_test`` function calls your code on small fixed inputs and compares the result with
the expected values written out below (computed with a correct solution; the first case of each
function is the one published with this exercise). A failure raises ``VisibleTestFailure`` (an
``AssertionError``) saying what was expected, what your code returned and what the usual
mistake is, and, when your code raised an error, your line; a pass prints what was checked.

Nothing passes that was not checked: a function still holding ``raise NotImplementedError()``,
or one that relies on another function that does not pass its own visible test yet
(``propagate`` calls ``sigmoid``, ``optimize`` calls ``propagate``, ...), fails with one short
line saying what to fix first. (When your notebook is graded, the hidden tests judge every
function with correct versions of the others, so one mistake costs points in one place only.)

Passing these tests is necessary, not sufficient: the hidden tests use other inputs.
"""

import contextlib
import functools
import inspect
import io
import os
import re
import sys
import textwrap
import time
import traceback
import warnings

import numpy as np

import cell_messages
import hints

#: Two numbers agree when ``|got - expected| <= ATOL + RTOL * |expected|`` (the expected values
#: below are rounded to 8 decimals).
RTOL = 1e-6
ATOL = 1e-7

# ----------------------------------------------------------------------------------------------
# Expected values
# ----------------------------------------------------------------------------------------------
DATASET_SHAPES = {"m_train": 209, "m_test": 50, "num_px": 64}

FLATTEN_SHAPES = {"train_set_x_flatten": (12288, 209), "test_set_x_flatten": (12288, 50)}
#: The first five entries of the first column (the first picture's first pixels).
FLATTEN_FIRST_VALUES = {"train_set_x_flatten": [17, 31, 56, 22, 33],
                        "test_set_x_flatten": [158, 104, 83, 161, 106]}
STANDARDIZE_FIRST_VALUES = {
    "train_set_x": [0.06666667, 0.12156863, 0.21960784, 0.08627451, 0.12941176],
    "test_set_x": [0.61960784, 0.40784314, 0.3254902, 0.63137255, 0.41568627],
}

SIGMOID_CASES = [
    {"z": [0.0, 2.0], "expected": [0.5, 0.88079708]},
    {"z": [[-1.0, 0.0], [1.0, 3.0]], "expected": [[0.26894142, 0.5], [0.73105858, 0.95257413]]},
]

INITIALIZE_DIMS = [2, 5]

PROPAGATE_CASES = [
    {"w": [[1.0], [2.0]], "b": 2.0,
     "X": [[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]], "Y": [[1, 0, 1]],
     "dw": [[0.99845601], [2.39507239]], "db": 0.00145557813678, "cost": 5.801545319394553},
    {"w": [[0.5], [-1.0], [0.25]], "b": -0.5,
     "X": [[1.0, -2.0, 0.5, 3.0], [0.5, 1.5, -1.0, 2.0], [-1.0, 0.0, 2.0, 1.0]],
     "Y": [[1, 0, 0, 1]],
     "dw": [[-0.60572915], [-0.60102695], [0.38864993]], "db": -0.13340792,
     "cost": 0.95606461},
]

OPTIMIZE_CASES = [
    {"w": [[1.0], [2.0]], "b": 2.0,
     "X": [[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]], "Y": [[1, 0, 1]],
     "num_iterations": 100, "learning_rate": 0.009,
     "w_out": [[0.19033591], [0.12259159]], "b_out": 1.92535983008,
     "dw": [[0.67752042], [1.41625495]], "db": 0.219194504541,
     "costs": [5.80154532]},
    {"w": [[0.5], [-1.0], [0.25]], "b": -0.5,
     "X": [[1.0, -2.0, 0.5, 3.0], [0.5, 1.5, -1.0, 2.0], [-1.0, 0.0, 2.0, 1.0]],
     "Y": [[1, 0, 0, 1]],
     "num_iterations": 250, "learning_rate": 0.05,
     "w_out": [[1.75180091], [0.32350307], [-1.37436703]], "b_out": -0.49288013,
     "dw": [[-0.03408866], [-0.02103426], [0.04203357]], "db": 0.00441630,
     "costs": [0.95606461, 0.10729159, 0.05355165]},
]

PREDICT_CASES = [
    {"w": [[0.1124579], [0.23106775]], "b": -0.3,
     "X": [[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]],
     "expected": [[1.0, 1.0, 0.0]]},
    {"w": [[1.0], [-2.0]], "b": -0.5,
     "X": [[0.5, -1.0, 2.0, 0.3, -0.2], [0.1, 0.4, 1.5, -0.6, -0.3]],
     "expected": [[0.0, 0.0, 0.0, 1.0, 0.0]]},
]

MODEL_CASE = {
    "X_train": [[1.0, -2.0, 0.5, 3.0], [2.0, 1.0, -1.0, 0.0]], "Y_train": [[1, 0, 0, 1]],
    "X_test": [[0.5, -1.0, 2.0], [1.0, 0.5, -2.0]], "Y_test": [[1, 0, 1]],
    "num_iterations": 150, "learning_rate": 0.1,
    "w": [[1.61020982], [1.42047321]], "b": -1.00904766,
    "costs": [0.69314718, 0.10546599],
    "Y_prediction_train": [[1.0, 0.0, 0.0, 1.0]], "Y_prediction_test": [[1.0, 0.0, 0.0]],
}

#: The vectorization self-check (a check for you, not the grade: the grader measures the CPU time
#: of your code from outside your kernel, with the same rule). Your function and whole-array code
#: of the costliest usual style (products broadcast and summed along an axis, the stable
#: logaddexp) are each called VECTORIZED_CALLS times on VECTORIZED_SIZES[0] and on
#: VECTORIZED_SIZES[1] examples of one feature, then on VECTORIZED_FEATURES_EXAMPLES examples of
#: VECTORIZED_FEATURES features (random inputs). What the larger inputs add to your code's CPU
#: time (time.thread_time: numpy's own worker threads do not count) is divided by what they add
#: to the whole-array code's: 1 or below for whole-array code, 4.5 to 500 for a loop over the
#: examples (or the features). From VECTORIZED_LOOP_FROM on, twice in a row, it is a loop.
VECTORIZED_SIZES = (20, 20000)
VECTORIZED_FEATURES = 20000
VECTORIZED_FEATURES_EXAMPLES = 5
VECTORIZED_CALLS = 20
VECTORIZED_LOOP_FROM = 3.0

#: The functions each graded function relies on (looked up where your function looks them up).
PREREQUISITES = {
    "propagate": ["sigmoid"],
    "optimize": ["propagate"],
    "predict": ["sigmoid"],
    "model": ["initialize_with_zeros", "optimize", "predict"],
}


# ----------------------------------------------------------------------------------------------
# How a failure is shown
# ----------------------------------------------------------------------------------------------
#: Failure messages are wrapped at this width, so they fit the notebook, the Validate dialog and
#: the feedback page without scrolling sideways.
WIDTH = 80

_OWN_FILES = {os.path.abspath(__file__), os.path.abspath(getattr(hints, "__file__", __file__))}
_LIBRARY_PREFIXES = tuple(sorted({os.path.abspath(p) for p in (
    sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
    os.path.dirname(os.path.abspath(np.__file__)))}))


def _is_notebook_file(filename):
    """True for your notebook's code: not Python, not numpy, not these tests.

    (The same rule as the grader's: the lines it quotes use it too.)"""
    if not filename or filename.startswith(("<frozen", "<__array_function__", "<catvnoncat")):
        return False
    if filename.startswith("<"):
        return True
    path = os.path.abspath(filename)
    return path not in _OWN_FILES and not path.startswith(_LIBRARY_PREFIXES)


def _where(frame_summary):
    """``Cell In[7], line 3, in sigmoid`` (IPython's own name for a cell), or the file name."""
    filename = frame_summary.filename
    try:
        kind, name = get_ipython().compile.format_code_name(filename)  # noqa: F821 - IPython
        filename = f"{kind} {name}"
    except Exception:  # noqa: BLE001 - outside IPython, or an older IPython
        filename = os.path.basename(filename)
    return hints.WHERE_FRAME.format(place=filename, line=frame_summary.lineno,
                                    function=frame_summary.name)


def _student_frame(error):
    """The innermost line of your notebook code in ``error``'s traceback, or None."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_notebook_file(f.filename)]
    return frames[-1] if frames else None


class VisibleTestFailure(AssertionError):
    """A visible test failed. In the notebook it shows the message and, when your code raised
    an error, your line; never the test machinery (IPython calls ``_render_traceback_``)."""

    def __init__(self, message, student_frame=None):
        super().__init__(message)
        self.student_frame = student_frame

    def _render_traceback_(self):
        lines = textwrap.wrap(f"{type(self).__name__}: {self}", WIDTH,
                              subsequent_indent="    ", break_on_hyphens=False)
        frame = self.student_frame
        if frame is not None:
            lines.extend(textwrap.wrap(hints.YOUR_LINE.format(where=_where(frame)), WIDTH))
            if frame.line:
                lines.append("    " + frame.line.strip()[:WIDTH])
        return lines


# A test cell whose arguments do not exist yet (a data step not done, a def that did not compile)
# says so in one sentence, as the grader does, instead of a NameError traceback.
cell_messages.install(VisibleTestFailure)


# ----------------------------------------------------------------------------------------------
# Comparison helpers
# ----------------------------------------------------------------------------------------------
def close(got, expected):
    """True when ``got`` has the shape of ``expected`` and agrees with it to RTOL / ATOL."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=RTOL, atol=ATOL))


def _show(value):
    """A short printable form of a value (arrays on one line, numbers as plain floats)."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return np.array2string(value, precision=8, separator=", ").replace("\n", "")
    if isinstance(value, (float, np.floating, np.ndarray)) and np.isrealobj(value):
        return repr(float(value))
    return repr(value)


def _fail(what, expected, got, hint):
    raise VisibleTestFailure(hints.EXPECTED_GOT.format(what=what, expected=_show(expected),
                                                         got=_show(got), hint=hint))


def _expect_close(what, got, expected, hint):
    if not close(got, expected):
        expected = np.asarray(expected, dtype=float)
        if np.shape(got) != expected.shape:
            _fail(hints.WHAT_SHAPE.format(what=what), expected.shape, np.shape(got), hint)
        _fail(what, expected, np.asarray(got), hint)


def _expect_shape(what, got, shape, hint):
    if not isinstance(got, np.ndarray):
        _fail(hints.WHAT_TYPE.format(what=what), hints.A_NUMPY_ARRAY, type(got).__name__, hint)
    if got.shape != tuple(shape):
        _fail(hints.WHAT_SHAPE.format(what=what), tuple(shape), got.shape, hint)


def _expect_number(what, got, hint):
    """A single real number: a Python or numpy scalar, a 0-d array, or (noted) one number in an
    array such as np.sum(..., keepdims=True) gives."""
    if isinstance(got, np.ndarray) and got.ndim > 0 and got.size == 1 and np.isrealobj(got):
        print(hints.SCALAR_ARRAY_NOTE.format(label=what, shape=got.shape))
        return
    if isinstance(got, (str, bytes)) or np.ndim(got) != 0 or not np.isrealobj(got):
        _fail(what, hints.A_SINGLE_NUMBER,
              hints.TYPE_OF_SHAPE.format(kind=type(got).__name__, shape=np.shape(got)), hint)


def _hint_for(name, error):
    """The sentence naming the probable mistake behind an error raised by your code, or ''."""
    text = str(error)
    if isinstance(error, NotImplementedError):
        return hints.NOT_IMPLEMENTED.format(name=name)
    if isinstance(error, NameError):
        missing = re.search(r"name '(\w+)' is not defined", text)
        module = missing.group(1) if missing else ""
        if module in sys.stdlib_module_names or module in ("np", "numpy"):
            return hints.MISSING_IMPORT.format(module="numpy as np" if module == "np" else module)
        return hints.NAME_ERROR
    if isinstance(error, TypeError) and any(words in text for words in (
            "only length-1", "only size-1", "only 0-dimensional", "only integer scalar")):
        return hints.MATH_ON_ARRAYS
    if isinstance(error, ValueError) and ("not aligned" in text or "could not be broadcast" in text
                                          or "mismatch in its core dimension" in text):
        return hints.SHAPES_MISMATCH
    if isinstance(error, KeyError):
        return hints.MISSING_KEY.format(key=text)
    return ""


def _check_parameters(function, keywords):
    """Your function must accept the template's keyword parameters (they are passed by name)."""
    name = getattr(function, "__name__", hints.YOUR_FUNCTION)
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    missing = [k for k in keywords if k not in parameters]
    if missing:
        problem = "; ".join(hints.KEYWORD_MISSING.format(keyword=k) for k in missing)
        raise VisibleTestFailure(hints.PARAMETERS.format(
            name=name, expected=", ".join(["...", *keywords]), problem=problem,
            example=f"{name}(..., {missing[0]}=...)"))


def _placeholder(function):
    """A name your ``def`` assigns only ``None`` (the old template's ``A = None``), or ''."""
    import ast

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return ""

    def names(target):
        if isinstance(target, ast.Name):
            return [target.id]
        if isinstance(target, (ast.Tuple, ast.List)):
            return [n for item in target.elts for n in names(item)]
        return []

    only_none, assigned = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = [n for target in node.targets for n in names(target)]
            if isinstance(node.value, ast.Constant) and node.value.value is None:
                only_none += targets
            else:
                assigned.update(targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension)):
            assigned.update(names(node.target))
    left = [n for n in only_none if n not in assigned]
    return left[0] if left else ""


def _holds_none(result):
    items = result.values() if isinstance(result, dict) else result
    return result is None or (isinstance(result, (tuple, list, dict))
                              and any(item is None for item in items))


def _student_error(name, error, function=None):
    """A VisibleTestFailure for an error your code raised: its type and message, the likely
    mistake, and your line."""
    message = hints.RAISED.format(name=name, error=f"{type(error).__name__}: {error}")
    placeholder = _placeholder(function) if "NoneType" in str(error) else ""
    hint = (hints.TEMPLATE_NONE.format(name=name, var=placeholder) if placeholder
            else _hint_for(name, error))
    return VisibleTestFailure(f"{message} {hint}".strip(), _student_frame(error))


def _call(function, *args, **kwargs):
    """Call student code; report its warnings on stdout (a grader scores stderr output as a failure)."""
    name = getattr(function, "__name__", hints.YOUR_CODE)
    _check_parameters(function, list(kwargs))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = function(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - your code's error, shown without the machinery
            raise _student_error(name, error, function) from None
    for w in caught:
        print(hints.WARNED.format(name=name, warning=f"{w.category.__name__}: {w.message}"))
    placeholder = _placeholder(function) if _holds_none(result) else ""
    if placeholder:
        raise VisibleTestFailure(hints.TEMPLATE_NONE.format(name=name, var=placeholder))
    if result is None:
        raise VisibleTestFailure(hints.RETURNS_NONE.format(name=name))
    return result


def _visible_test(name):
    """Decorator: any error of the test machinery on your result (a missing key, a value that
    cannot be unpacked) becomes one short VisibleTestFailure instead of a long traceback."""
    def decorate(test):
        @functools.wraps(test)
        def run(*args):
            try:
                return test(*args)
            except VisibleTestFailure:
                raise
            except KeyError as error:
                raise VisibleTestFailure(
                    hints.RESULT_NO_KEY.format(name=name, key=error) + " "
                    + hints.MISSING_KEY.format(key=error)) from None
            except Exception as error:  # noqa: BLE001 - about the result, not the machinery
                raise VisibleTestFailure(hints.RESULT_UNUSABLE.format(
                    name=name, error=f"{type(error).__name__}: {error}")) from None
        return run
    return decorate


def _passed(name, lines):
    for line in lines:
        print(f"  {line}")
    print(hints.ALL_PASSED.format(name=name))


def _array(values):
    return np.array(values, dtype=float)


def _quietly_passes(test, *args):
    """True when ``test(*args)`` raises nothing; its printout is discarded."""
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            test(*args)
        except Exception:  # noqa: BLE001 - any error of the student's code means "not yet"
            return False
    return True


def _still_a_template(function):
    """True when ``function`` still holds the template's ``raise NotImplementedError()``."""
    code = getattr(function, "__code__", None)
    return code is not None and "NotImplementedError" in code.co_names


def _unmet_prerequisites(name, function):
    """Chains ``[dependency, its dependency, ...]`` ending at a function that fails its tests."""
    namespace = getattr(function, "__globals__", {})
    unmet = []
    for dependency in PREREQUISITES.get(name, []):
        other = namespace.get(dependency)
        deeper = _unmet_prerequisites(dependency, other) if other is not None else []
        if deeper:
            unmet.extend([dependency, *chain] for chain in deeper)
        elif other is None or not _quietly_passes(_TESTS[dependency], other):
            unmet.append([dependency])
    return unmet


def _names(items):
    items = list(dict.fromkeys(items))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _check_ready(name, function):
    """Fail with one short line unless ``function`` is written and what it relies on passes.

    Nothing passes that was not checked: an unfinished function, or one whose prerequisite
    fails its own visible test, fails here (once per cell) instead of being tested."""
    if not callable(function):
        raise VisibleTestFailure(hints.NOT_A_FUNCTION.format(name=name))
    if _still_a_template(function):
        raise VisibleTestFailure(hints.NOT_IMPLEMENTED.format(name=name))
    unmet = _unmet_prerequisites(name, function)
    if unmet:
        relies = [" (through ".join(chain) + ")" * (len(chain) - 1) for chain in unmet]
        roots = [chain[-1] for chain in unmet]
        plural = len(unmet) > 1
        raise VisibleTestFailure(hints.NOT_CHECKED_YET.format(
            name=name, relies=_names(relies), does="do" if plural else "does",
            its="their" if plural else "its", fix=_names(roots)))


def _whole_array(name):
    """Whole-array work about the size of a vectorized ``name``'s (the yardstick; it is not a
    solution: its results mean nothing, only its CPU time counts)."""
    def sigmoid(z):
        return 0.5 + 0.5 * np.tanh(0.5 * z)

    def work(w, b, X, Y=None):
        # The costliest whole-array way: products broadcast and summed along an axis, and
        # for propagate the numerically stable logaddexp (its results mean nothing here).
        z = np.sum(w * X, axis=0, keepdims=True) + b
        if Y is None:
            a = np.clip(sigmoid(z), 0, 1)
            labels = np.zeros(a.shape)
            labels[a > 0.5] = 1
            labels[a <= 0.5] = 0
            return labels
        loss_1, loss_0 = np.logaddexp(0, -z), np.logaddexp(0, z)
        return (np.sum(X * np.exp(-loss_1), axis=1, keepdims=True),
                float(np.sum(Y * loss_1 + (1 - Y) * loss_0)))

    return sigmoid if name == "sigmoid" else work


@contextlib.contextmanager
def _one_blas_thread():
    """One OpenBLAS thread meanwhile, as when graded: OpenBLAS's idle worker threads spin and
    would add CPU time of their own to every matrix product."""
    import ctypes

    functions = None
    try:
        with open("/proc/self/maps") as f:
            paths = sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", f.read())))
        for path in paths:
            library = ctypes.CDLL(path)
            for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""),
                                   ("openblas", "64_"), ("openblas", "")):
                get = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
                put = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and put is not None and functions is None:
                    functions = get, put
    except OSError:
        functions = None  # not Linux, or no OpenBLAS: nothing to limit
    if functions is None:
        yield
        return
    get, put = functions
    before = get()
    put(1)
    try:
        yield
    finally:
        put(before)


def _cpu_time(function, n, m, with_labels):
    """CPU seconds of VECTORIZED_CALLS calls of ``function`` on random inputs of n x m."""
    rng = np.random.default_rng()
    X = rng.random((n, m)) * 4 - 2
    Y = (rng.random((1, m)) < 0.5).astype(float)
    calls = [(rng.normal(0, 0.8 / np.sqrt(n), (n, 1)), float(rng.normal(0, 0.5)))
             for _ in range(VECTORIZED_CALLS)]
    start = time.thread_time()
    for w, b in calls:
        function(w, b, X, Y) if with_labels else function(w, b, X)
    return time.thread_time() - start


def _growth_ratio(name, function):
    """Your function's CPU growth over the whole-array code's, per larger input (see above)."""
    small, examples = ((1, m) for m in VECTORIZED_SIZES)
    features = (VECTORIZED_FEATURES, VECTORIZED_FEATURES_EXAMPLES)
    ratios = []
    for large in (examples, features):
        times = {code: [_cpu_time(f, *shape, name == "propagate") for shape in (small, large)]
                 for code, f in (("yours", function), ("whole", _whole_array(name)))}
        whole = times["whole"][1] - times["whole"][0]
        ratios.append((times["yours"][1] - times["yours"][0]) / whole if whole > 0 else 0.0)
    return max(ratios)


def _vectorized_test(name, function):
    """A self-check of vectorization: your code's CPU growth against whole-array code's."""
    namespace = getattr(function, "__globals__", {})
    # Like the grader, whole-array versions of the functions it relies on stand in meanwhile.
    saved = {d: namespace[d] for d in PREREQUISITES.get(name, []) if d in namespace}
    ratios = []
    try:
        namespace.update({d: _whole_array(d) for d in saved})
        with warnings.catch_warnings(), np.errstate(all="ignore"), _one_blas_thread(), \
                contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            for _ in range(2):
                try:
                    ratios.append(_growth_ratio(name, function))
                except Exception as error:  # noqa: BLE001 - your code's error, shown plainly
                    raise _student_error(name, error) from None
                if ratios[-1] < 2 * VECTORIZED_LOOP_FROM:
                    break
    finally:
        namespace.update(saved)
    growth = {"examples": VECTORIZED_SIZES[1] // VECTORIZED_SIZES[0],
              "features": VECTORIZED_FEATURES, "ratio": f"{min(ratios):.0f}"}
    # Your kernel is a noisier place to measure than the grader's: the self-check calls a loop
    # only at twice the grader's threshold, so it never fails code the grader passes.
    if min(ratios) >= 2 * VECTORIZED_LOOP_FROM:
        raise VisibleTestFailure(
            hints.SELF_CHECK_LOOPS.format(name=name, **growth) + " "
            + hints.LOOPS.format(name=name, form=_FORMS[name]))
    _passed(hints.VECTORIZED_SELF_CHECK.format(name=name), [
        hints.SELF_CHECK_PASSED.format(loop_from=f"{VECTORIZED_LOOP_FROM:g}", **growth)])


_FORMS = {
    "propagate": "A = sigmoid(w.T @ X + b), dw = X @ (A - Y).T / m, db = np.sum(A - Y) / m",
    "predict": "A = sigmoid(w.T @ X + b), then (A > 0.5).astype(float)",
}


# ----------------------------------------------------------------------------------------------
# Data steps
# ----------------------------------------------------------------------------------------------
@_visible_test("dataset_shapes")
def dataset_shapes_test(m_train, m_test, num_px):
    """``m_train``, ``m_test``, ``num_px`` are integers with the values of this dataset."""
    got = {"m_train": m_train, "m_test": m_test, "num_px": num_px}
    for name, expected in DATASET_SHAPES.items():
        value = got[name]
        if not isinstance(value, (int, np.integer)) or value != expected:
            _fail(name, expected, value,
                  hints.SHAPES_FROM_DATA)
    _passed("dataset_shapes", [f"{name} = {got[name]}" for name in DATASET_SHAPES])


def _flatten_hint(name):
    return hints.FLATTEN_WHOLE_PICTURE.format(name=name)


@_visible_test("flatten")
def flatten_test(train_set_x_flatten, test_set_x_flatten):
    """Flattened sets: one picture per column, pixels in their original order."""
    got = {"train_set_x_flatten": train_set_x_flatten, "test_set_x_flatten": test_set_x_flatten}
    for name, value in got.items():
        _expect_shape(name, value, FLATTEN_SHAPES[name], _flatten_hint(name))
        first = value[:5, 0]
        if not np.array_equal(first, FLATTEN_FIRST_VALUES[name]):
            _fail(f"{name}[0:5, 0]", np.array(FLATTEN_FIRST_VALUES[name]), first, _flatten_hint(name))
    _passed("flatten", [f"{name}.shape = {value.shape}, {name}[0:5, 0] = {value[:5, 0]}"
                        for name, value in got.items()])


@_visible_test("standardize")
def standardize_test(train_set_x, test_set_x, train_set_x_flatten, test_set_x_flatten):
    """Standardized sets: the flattened pixels divided by 255, so every value is in [0, 1]."""
    if not _quietly_passes(flatten_test, train_set_x_flatten, test_set_x_flatten):
        raise VisibleTestFailure(hints.DATA_NOT_CHECKED_YET.format(
            name="standardize", relies="train_set_x_flatten and test_set_x_flatten", does="do",
            its="their", fix="them"))
    got = {"train_set_x": train_set_x, "test_set_x": test_set_x}
    hint = hints.STANDARDIZE_HINT
    for name, value in got.items():
        _expect_shape(name, value, FLATTEN_SHAPES[f"{name}_flatten"], hint)
        _expect_close(f"{name}[0:5, 0]", value[:5, 0], STANDARDIZE_FIRST_VALUES[name], hint)
        if value.min() < 0 or value.max() > 1:
            _fail(hints.RANGE_OF.format(name=name), hints.VALUES_IN_UNIT_RANGE,
                  f"[{value.min()}, {value.max()}]", hint)
    _passed("standardize", [f"{name}[0:5, 0] = {_show(value[:5, 0])}" for name, value in got.items()])


# ----------------------------------------------------------------------------------------------
# Graded functions
# ----------------------------------------------------------------------------------------------
@_visible_test("sigmoid")
def sigmoid_test(sigmoid):
    """``sigmoid`` applied element-wise on arrays of any shape."""
    _check_ready("sigmoid", sigmoid)
    lines = []
    for case in SIGMOID_CASES:
        z = _array(case["z"])
        got = _call(sigmoid, z)
        _expect_close(f"sigmoid({_show(z)})", got, case["expected"],
                      hints.SIGMOID_HINT)
        lines.append(f"sigmoid({_show(z)}) = {_show(np.asarray(got))}")
    _passed("sigmoid", lines)


@_visible_test("initialize_with_zeros")
def initialize_with_zeros_test(initialize_with_zeros):
    """``w`` is a zero column of shape (dim, 1), ``b`` the number zero."""
    hint = hints.INITIALIZE_HINT
    _check_ready("initialize_with_zeros", initialize_with_zeros)
    lines = []
    for dim in INITIALIZE_DIMS:
        w, b = _call(initialize_with_zeros, dim)
        _expect_shape(hints.W_FOR_DIM.format(dim=dim), w, (dim, 1), hint)
        if not np.issubdtype(w.dtype, np.floating):
            print(hints.WRONG_DTYPE_NOTE.format(label="w", dtype=w.dtype, wanted=hints.FLOATS))
        if w.size > 1 and np.ptp(np.asarray(w, dtype=float)) > 0:
            _fail(hints.W_FOR_DIM.format(dim=dim), hints.ZEROS, hints.VARIED_VALUES,
                  hints.RANDOM_INIT.format(name="initialize_with_zeros"))
        _expect_close(hints.W_FOR_DIM.format(dim=dim), w, np.zeros((dim, 1)), hint)
        _expect_number("b", b, hint)
        if b != 0:
            _fail("b", 0.0, b, hint)
        lines.append(f"initialize_with_zeros({dim}) = ({_show(w)}, {_show(b)})")
    _passed("initialize_with_zeros", lines)


@_visible_test("propagate")
def propagate_test(propagate):
    """Gradients and cost on small fixed examples."""
    _check_ready("propagate", propagate)
    m_hint = hints.DIVIDED_BY_M_HINT
    lines = []
    for case in PROPAGATE_CASES:
        w, b, X, Y = _array(case["w"]), case["b"], _array(case["X"]), _array(case["Y"])
        grads, cost = _call(propagate, w, b, X, Y)
        if isinstance(cost, dict) and not isinstance(grads, dict):
            raise VisibleTestFailure(hints.PROPAGATE_SWAPPED)
        _expect_close("dw", grads["dw"], case["dw"],
                      hints.DW_HINT + " " + m_hint)
        _expect_number("db", grads["db"], hints.DB_NUMBER_HINT)
        _expect_close("db", np.squeeze(grads["db"]), case["db"], hints.DB_HINT + " " + m_hint)
        _expect_number("cost", cost, hints.COST_NUMBER_HINT)
        _expect_close("cost", np.squeeze(cost), case["cost"],
                      hints.COST_HINT + " " + m_hint)
        lines.append(f"m = {X.shape[1]}: dw = {_show(grads['dw'])}, db = {_show(grads['db'])}, "
                     f"cost = {_show(cost)}")
    _passed("propagate", lines)


@_visible_test("propagate")
def propagate_vectorized_test(propagate):
    """``propagate``'s CPU time grows with the examples like whole-array code's (self-check)."""
    _check_ready("propagate", propagate)
    _vectorized_test("propagate", propagate)


@_visible_test("optimize")
def optimize_test(optimize):
    """Gradient descent on small fixed examples (uses your ``propagate``)."""
    _check_ready("optimize", optimize)
    hint = hints.OPTIMIZE_HINT
    last_hint = hints.LAST_GRADIENTS_HINT + " "
    lines = []
    for case in OPTIMIZE_CASES:
        w, b, X, Y = _array(case["w"]), case["b"], _array(case["X"]), _array(case["Y"])
        w_before = w.copy()
        params, grads, costs = _call(optimize, w, b, X, Y, num_iterations=case["num_iterations"],
                                     learning_rate=case["learning_rate"])
        _expect_close("params['w']", params["w"], case["w_out"], hint)
        _expect_number("params['b']", params["b"], hint)
        _expect_close("params['b']", np.squeeze(params["b"]), case["b_out"], hint)
        _expect_close("grads['dw']", grads["dw"], case["dw"], last_hint + hint)
        _expect_number("grads['db']", grads["db"], hint)
        _expect_close("grads['db']", np.squeeze(grads["db"]), case["db"], last_hint + hint)
        _expect_close("costs", [np.squeeze(c) for c in costs], case["costs"],
                      hints.COSTS_RECORD_HINT)
        if not np.array_equal(w, w_before):
            print(hints.IN_PLACE_NOTE.format(name="optimize",
                                             example="w = w.copy() before the loop"))
        lines.append(f"{case['num_iterations']} iterations: w = {_show(params['w'])}, "
                     f"b = {_show(params['b'])}, costs = {_show(np.array(costs, dtype=float))}")
    _passed("optimize", lines)


@_visible_test("predict")
def predict_test(predict):
    """Labels 0 / 1 on small fixed examples."""
    _check_ready("predict", predict)
    hint = hints.PREDICT_HINT
    lines = []
    for case in PREDICT_CASES:
        got = _call(predict, _array(case["w"]), case["b"], _array(case["X"]))
        _expect_shape("predictions", np.asarray(got), np.shape(case["expected"]), hint)
        _expect_close("predictions", got, case["expected"], hint)
        lines.append(f"predict(w, b, X) = {_show(np.asarray(got, dtype=float))}")
    _passed("predict", lines)


@_visible_test("predict")
def predict_vectorized_test(predict):
    """``predict``'s CPU time grows with the examples like whole-array code's (self-check)."""
    _check_ready("predict", predict)
    _vectorized_test("predict", predict)


@_visible_test("model")
def model_test(model):
    """Training from zeros on a tiny data set (uses your other functions)."""
    _check_ready("model", model)
    case = MODEL_CASE
    d = _call(model, _array(case["X_train"]), _array(case["Y_train"]), _array(case["X_test"]),
              _array(case["Y_test"]), num_iterations=case["num_iterations"],
              learning_rate=case["learning_rate"])
    hint = hints.MODEL_HINT
    expected_keys = {"costs", "Y_prediction_test", "Y_prediction_train", "w", "b",
                     "learning_rate", "num_iterations"}
    if not isinstance(d, dict) or not expected_keys <= set(d):
        _fail("model(...) keys", sorted(expected_keys), sorted(d) if isinstance(d, dict) else d,
              hints.MODEL_RETURN_HINT)
    for key in ("w", "b", "costs", "Y_prediction_train", "Y_prediction_test"):
        got = [np.squeeze(c) for c in d[key]] if key == "costs" else d[key]
        if key == "b":
            _expect_number("d['b']", got, hint)
            got = np.squeeze(got)
        _expect_close(f"d['{key}']", got, case[key], hint)
    _passed("model", [f"w = {_show(d['w'])}", f"b = {_show(d['b'])}",
                      f"costs = {_show(np.array(d['costs'], dtype=float))}",
                      f"Y_prediction_train = {_show(np.asarray(d['Y_prediction_train']))}",
                      f"Y_prediction_test = {_show(np.asarray(d['Y_prediction_test']))}"])


#: The visible test of each function, used to decide whether a prerequisite is met.
_TESTS = {
    "sigmoid": sigmoid_test,
    "initialize_with_zeros": initialize_with_zeros_test,
    "propagate": propagate_test,
    "optimize": optimize_test,
    "predict": predict_test,
}
