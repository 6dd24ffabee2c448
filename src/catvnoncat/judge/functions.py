"""Judging one graded function: probe it on hidden inputs, compare, then diagnose a failure.

Deciding and explaining are separate: :func:`judge_function` decides pass or fail from the
comparisons alone; :func:`diagnose` only chooses the hint of a failure (a modelled mistake, a
hard-coded answer, global data read instead of arguments), using extra probes when it needs to.
"""

import builtins
import copy
import difflib
import functools
import inspect
import re
import sys

import numpy as np

from . import accept, mistakes, wire
from .compare import compare, matches
from .prober import ProbeFailed, quiet
from .messages import reason_of, say
from .sentences import HINTS
from .source import definitions, syntax_error_of, unfinished
from .sentences import literal_constants
from ..facts import source_dir
from .verdict import Failure

__all__ = ["judge_function", "reference_result", "outcome_result", "exception_hint", "in_sources",
           "public_sizes", "PUBLIC_ERRORS"]

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


#: Exception type names a message may quote: Python's and numpy's own (any other name is the
#: student's code's choice, and could spell a value computed from a hidden input).
PUBLIC_ERRORS = frozenset(
    [name for name, value in vars(builtins).items()
     if isinstance(value, type) and issubclass(value, BaseException)]
    + ["AxisError", "LinAlgError", "UFuncTypeError", "ComplexWarning", "TooHardError",
       "DTypePromotionError"])


def in_sources(text, sources):
    """Whether ``text`` (from the student's process) is written in the notebook's own cells.

    Text the kernel reports while it works on a hidden input may carry values computed from it;
    text the student wrote before grading (their source) cannot, so it may be quoted.
    """
    text = text.strip()
    return bool(text) and any(text in source for source in sources)


def exception_hint(name, error_type, text, sources=None):
    """The probable mistake behind an exception raised by the student's ``name``.

    With ``sources`` (a hidden input's exception), a name or key is quoted from ``text`` only
    when the notebook's own cells spell it (see :func:`in_sources`).
    """
    def quotable(word):
        return sources is None or in_sources(word, sources)

    if error_type == "NotImplementedError":
        return HINTS.NOT_IMPLEMENTED.format(name=name)
    if error_type == "NameError":
        missing = re.search(r"name '(\w+)' is not defined", text)
        module = missing.group(1) if missing else ""
        if (module in sys.stdlib_module_names or module in ("np", "numpy")) and quotable(module):
            return HINTS.MISSING_IMPORT.format(module="numpy as np" if module == "np" else module)
        return HINTS.NAME_ERROR
    if error_type == "TypeError" and any(words in text for words in (
            "only length-1", "only size-1", "only 0-dimensional", "only integer scalar")):
        return HINTS.MATH_ON_ARRAYS
    if error_type == "ValueError" and any(word in text for word in
                                          ("matmul", "aligned", "broadcast", "shape")):
        return HINTS.SHAPES_MISMATCH
    if error_type == "KeyError" and quotable(text.strip("'\"")):
        return HINTS.MISSING_KEY.format(key=text)
    return HINTS.READ_TRACEBACK.format(name=name)


_VISIBLE_NAMES = ("SIGMOID_CASES", "INITIALIZE_DIMS", "PROPAGATE_CASES", "OPTIMIZE_CASES",
                  "PREDICT_CASES", "MODEL_CASE")


@functools.cache
def visible_args(name):
    """The arguments of ``name``'s first visible example (the student-facing
    ``public_tests.py``, read from its syntax tree): public, so what the student's code says
    about them may be quoted."""
    found = literal_constants(source_dir() / "public_tests.py", _VISIBLE_NAMES)
    arr = np.array
    if name == "sigmoid":
        return (arr(found["SIGMOID_CASES"][0]["z"]),)
    if name == "initialize_with_zeros":
        return (found["INITIALIZE_DIMS"][0],)
    if name == "model":
        c = found["MODEL_CASE"]
        return (arr(c["X_train"]), arr(c["Y_train"]), arr(c["X_test"]), arr(c["Y_test"]),
                c["num_iterations"], c["learning_rate"], False)
    c = found[f"{name.upper()}_CASES"][0]
    args = (arr(c["w"]), c["b"], arr(c["X"]))
    if name == "predict":
        return args
    args += (arr(c["Y"]),)
    return args + ((c["num_iterations"], c["learning_rate"], False) if name == "optimize" else ())


#: Longest exception text quoted from the visible example (the message stays two short lines).
VISIBLE_TEXT_CHARS = 90


def _shortened(text):
    text = " ".join(text.split())
    return text if len(text) <= VISIBLE_TEXT_CHARS else text[:VISIBLE_TEXT_CHARS - 3] + "..."


class _Visible:
    """The visible example in a case's place (for the decoy globals of ``model``)."""

    def __init__(self, args):
        self.args = args


def visible_raise(prober, spec):
    """What the student's function raises on its visible example (a ``Raised``), else None.

    Asked before any hidden input reaches the process that answers (the judge child of this
    test cell): what it says then cannot carry a hidden value, not even one kept from an
    earlier call, so it may be quoted.
    """
    args = visible_args(spec.name)
    try:
        outcome = prober.call(spec.name, args, lend=spec.helpers,
                              globals_=spec.globals_for_call(_Visible(args)))
    except ProbeFailed as error:
        # No usable answer even on the public example (it ran past the time limit, the child
        # died, the answer was malformed): that is the part's failure, said as such. (Probing
        # on after an interrupted call found the child answering the next probe with nothing.)
        raise Failure(say("NO_USABLE_ANSWER", reason=reason_of(error)),
                      HINTS.NO_RESULT.format(name=spec.name)) from None
    return outcome.raised


def outcome_result(outcome, name, where, sources=None, visible=None):
    """The result observation of a call, or the Failure saying why there is none.

    ``sources`` given (a call on a hidden input): the exception's type is quoted when it is
    Python's or numpy's own, its message and line only when the notebook's cells spell them
    (:func:`in_sources`) or as the same code raised them on the visible example (``visible``,
    see :func:`visible_raise`); otherwise the student reads them by running the visible test.
    """
    if outcome.missing:
        broken = syntax_error_of(name, sources or ())
        raise Failure(say("NOT_DEFINED_SUMMARY", name=name),
                      HINTS.NOT_COMPILED.format(name=name, error=broken[0], line=broken[1])
                      if broken else HINTS.NOT_DEFINED.format(name=name))
    if outcome.not_callable:
        raise Failure(say("NOT_A_FUNCTION_SUMMARY", name=name,
                          what=accept.describe(outcome.result)),
                      HINTS.NOT_A_FUNCTION.format(name=name))
    if outcome.raised is not None:
        raised = outcome.raised
        if sources is None:
            at = say("RAISED_AT", line=raised.line) if raised.line else ""
            raise Failure(say("RAISED", name=name, kind=raised.type,
                              said=say("RAISED_TEXT", text=raised.message), at=at),
                          exception_hint(name, raised.type, raised.message), where=where)
        kind = raised.type if raised.type in PUBLIC_ERRORS or in_sources(raised.type, sources) \
            else say("OWN_ERROR_TYPE")
        if in_sources(raised.message, sources):
            said = say("RAISED_TEXT", text=raised.message)
        elif visible is not None and visible.message:
            said = say("RAISED_TEXT_VISIBLE", text=_shortened(visible.message))
        else:
            said = say("RAISED_TEXT_HIDDEN")
        line = raised.line if in_sources(raised.line, sources) else (
            visible.line if visible is not None and in_sources(visible.line, sources) else "")
        at = say("RAISED_AT", line=line) if line else ""
        hint = (exception_hint(name, visible.type, visible.message) if visible is not None
                else exception_hint(name, raised.type, raised.message, sources))
        raise Failure(say("RAISED", name=name, kind=kind, said=said, at=at), hint, where=where)
    return outcome.result


def _probe(prober, spec, args, case, globals_=None):
    patches = spec.globals_for_call(case) if globals_ is None else globals_
    return prober.call(spec.name, args, lend=spec.helpers, globals_=patches)


def judge_function(spec, prober, cases, sources=()):
    """Compare the student's function with the reference on every case.

    Returns the notes of accepted-but-unusual results; raises the first Failure, diagnosed.
    """
    check_parameters(spec, sources)
    early = visible_raise(prober, spec) if sources else None  # before any hidden input
    notes = []
    for case in cases:
        expected = spec.unpack(reference_result(spec, case.args, case.key), case)
        where = say("HIDDEN_CASE", call=spec.call, description=case.description)
        try:
            outcome = _probe(prober, spec, case.args, case)
        except ProbeFailed as error:
            raise Failure(say("NO_USABLE_ANSWER", reason=reason_of(error)),
                          HINTS.NO_RESULT.format(name=spec.name), where=where) from None
        visible = (early if early is not None and outcome.raised is not None
                   and early.type == outcome.raised.type else None)
        try:
            result = outcome_result(outcome, spec.name, where, sources, visible)
            if isinstance(result, wire.Other) and result.type == "builtins.NoneType":
                hint = HINTS.UNFINISHED if unfinished(spec.name, sources) else HINTS.RETURNS_NONE
                raise Failure(say("RETURNED_NONE", name=spec.name), hint.format(name=spec.name),
                              where=where)
            with accept.noting() as found:
                actual = spec.unpack(result, case)
            notes += [note for note in found if note not in notes]
            for quantity, value in expected.items():
                compare(quantity, actual[quantity], value, public_sizes(case))
        except Failure as failure:
            if failure.where is None:
                failure.where = where
            returned = outcome.result
            judged = (outcome.raised is None and returned is not None
                      and getattr(returned, "type", "") != "builtins.NoneType")
            failure.hint = (_diagnose_lent_calls(spec, case, outcome, sources)
                            or mistakes.source_hint(spec, outcome, sources)
                            or mistakes.result_hint(spec, failure)
                            or (diagnose(spec, prober, case, returned, failure) if judged
                                else None)
                            or failure.hint)
            if failure.hint == HINTS.CONSTANT_ZEROS.format(name=spec.name) \
                    and unfinished(spec.name, sources):
                failure.hint = HINTS.UNFINISHED.format(name=spec.name)
            raise
        if outcome.writable_copies:
            note = HINTS.IN_PLACE_NOTE.format(name=spec.name, example=spec.new_arrays)
            notes += [note] if note not in notes else []
    return tuple(notes)


def public_sizes(case):
    """The sizes a hidden input's description says (n, m, dim, a shape's axes, ...)."""
    sizes = []
    for value in case.sizes.values():
        values = value if isinstance(value, tuple) else (value,)
        sizes += [v for v in values if type(v) is int]
    return tuple(sizes)


def check_parameters(spec, sources):
    """The template's keyword parameters must keep their names (callers pass them by name).

    Read from the notebook's own ``def``; positional parameters may be renamed freely.
    """
    found = definitions(sources).get(spec.name)
    if found is None:
        return
    args = found.args
    got = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    has_kwargs = args.kwarg is not None
    template = inspect.signature(spec.reference_fn).parameters
    positional = [n for n, p in template.items() if p.default is inspect.Parameter.empty]
    problems = []
    if len(args.posonlyargs + args.args) < len(positional) and args.vararg is None:
        problems.append(say("POSITIONAL_COUNT", got=len(args.posonlyargs + args.args),
                            wanted=len(positional)))
    for name, parameter in template.items():
        if parameter.default is not inspect.Parameter.empty and name not in got \
                and not has_kwargs:
            close = difflib.get_close_matches(name, got, n=1)
            problems.append(say("MISSING_MISSPELLED", name=name, close=close[0]) if close
                            else HINTS.KEYWORD_MISSING.format(keyword=name))
    if problems:
        missing = [n for n, p in template.items()
                   if p.default is not inspect.Parameter.empty and n not in got]
        example = f"{spec.name}(..., {missing[0]}=...)" if missing else f"{spec.name}(...)"
        raise Failure(say("PARAMETERS_DIFFER", name=spec.name, got=", ".join(got)),
                      HINTS.PARAMETERS.format(name=spec.name, expected=", ".join(template),
                                              problem=_joined(problems), example=example))


def _joined(problems):
    """Several problems as one message: ``first; second; ...`` (in the reader's punctuation)."""
    return problems[0] if len(problems) == 1 else say("JOINED", first=problems[0],
                                                      rest=_joined(problems[1:]))


def _diagnose_lent_calls(spec, case, outcome, sources=()):
    """A hint from how the student's ``model`` started and called the lent helpers, else None."""
    if spec.name != "model":
        return None
    start = mistakes.model_start_hint(case, outcome, sources)
    if start is not None:
        return start
    num_iterations, learning_rate = case.args[4], case.args[5]
    for helper, bound in getattr(outcome, "lent_calls", ()):
        if helper == "optimize":
            ignored = [name for name, value in (("num_iterations", num_iterations),
                                                ("learning_rate", learning_rate))
                       if bound.get(name) != value]
            if ignored:
                return HINTS.MODEL_ARGUMENTS_IGNORED.format(
                    names=" and ".join(ignored), s="s" if len(ignored) > 1 else "",
                    them="them" if len(ignored) > 1 else "it")
    return None


def diagnose(spec, prober, case, result, failure):
    """The most specific hint for a failure: hard-coding, a modelled mistake, else None."""
    try:
        if spec.probe_constant and _gives_constant_output(spec, prober, case, result):
            hint = HINTS.CONSTANT_ZEROS if _all_zero(result) else HINTS.HARD_CODED
            return hint.format(name=spec.name)
        if spec.diagnose_data_globals and _reads_data_globals(spec, prober, case):
            return say("MODEL_READS_DATA_GLOBALS")
    except ProbeFailed:
        pass
    if failure.quantity is None or failure.actual is None:
        return None
    found = _matching_candidates(spec, case.args, case.key, case, failure.quantity,
                                 failure.actual)
    for index in range(1, TELL_APART_DRAWS + 1):
        if len({hint for hint, _ in found}) < 2:
            break
        # Several modelled mistakes give this result on this input (e.g. a small bias): those
        # that also give the student's result on other inputs of the same sizes stay.
        sibling, sibling_key = case.sibling(index)
        try:
            other = _probe(prober, spec, sibling, case)
            actual = spec.unpack(other.result, case)[failure.quantity] \
                if other.raised is None and other.result is not None else None
        except (ProbeFailed, Failure):
            actual = None
        if actual is None:
            break
        names = {id(mistake) for _, mistake in _matching_candidates(
            spec, sibling, sibling_key, case, failure.quantity, actual)}
        found = [item for item in found if id(item[1]) in names] or found
    return found[0][0].format(q=failure.quantity) if found else None


#: Most extra inputs probed to tell apart modelled mistakes that give the same wrong result.
TELL_APART_DRAWS = 12


def _matching_candidates(spec, args, key, case, quantity, actual):
    """The candidates ``(hint, mistake)`` that differ from the reference on ``args`` and give
    ``actual`` there."""
    expected = spec.unpack(reference_result(spec, args, key), case)[quantity]
    found = []
    for hint, mistake in spec.candidates:
        try:
            with quiet():
                modelled = spec.unpack(wire.observe(mistake(*copy.deepcopy(args))),
                                       case)[quantity]
        except Failure as rejected:  # the mistake's result is rejected the same way?
            if rejected.quantity != quantity or rejected.actual is None:
                continue
            modelled = rejected.actual
        if matches(modelled, expected):
            continue
        got = actual
        if np.size(got) == np.size(modelled) and np.shape(got) != np.shape(modelled):
            got, modelled = np.ravel(got), np.ravel(modelled)  # e.g. a squeezed result
        if matches(got, modelled):
            found.append((hint, mistake))
    return found


def _all_zero(observation):
    """True when every number in the observation is 0 (and there is at least one array)."""
    if isinstance(observation, wire.Arr):
        return observation.array.size > 0 and not observation.array.any()
    if isinstance(observation, wire.Num):
        return observation.value == 0
    items = (observation.items.values() if isinstance(observation, wire.Map)
             else observation.items if isinstance(observation, wire.Seq) else None)
    if not items:
        return False
    return all(_all_zero(item) for item in items) and any(
        isinstance(item, (wire.Arr, wire.Seq, wire.Map)) for item in items)


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
