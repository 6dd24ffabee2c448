"""Vectorization: a point only for correct results computed without a loop over the examples.

1. The function's results on ``m = 2`` and ``m = 20`` examples must equal the reference's (the
   graded helpers it calls are lent, as in its own test), else vectorization is not judged.
2. The grader times it from outside the kernel (:mod:`.growth` states the rule): timing
   requests of ``calls`` calls each on fresh random inputs of the :data:`SHAPES`, the CPU of
   the sandbox's whole process tree counted by :meth:`.Prober.cpu_ns` from the moment a request
   is sent to the moment its answer is in; the same requests answered by the plain whole-array
   formulas in the grader's yardstick process (:mod:`.yardstick`). Every result of every call
   is checked (by digest, against the reference's), so a function that skips work or returns
   stale results gets no point. Prints are silenced during timed calls.

Nothing the kernel reports decides: not its source text (a loop can be rebound, compiled from a
string, hidden in ``functools.reduce``), not a line count (a tracer can be removed).
"""

import logging
import secrets

import numpy as np

from .. import reference
from ..probe import kernel as probe_kernel
from . import growth
from .compare import compare
from .functions import outcome_result, reference_result
from .prober import ProbeFailed, quiet
from .messages import reason_of, say
from .sentences import HINTS
from .specs import SPECS
from .verdict import Failure
from .yardstick import yardstick_cpu_ns

__all__ = ["judge_vectorized", "measure", "digests_match", "SIZES", "TIMING", "SHAPES",
           "NOT_JUDGED"]

LOG = logging.getLogger(__name__)

#: The failure of a vectorization cell whose function gives wrong results says this.
NOT_JUDGED = "so vectorization is not judged"

#: The two numbers of examples the results are checked on first.
SIZES = (2, 20)
#: The timing requests, each of ``calls`` calls: (features, examples) of the small one, of the
#: one with GROWTH times the examples (one feature keeps numpy's per-example work small next
#: to the interpreter's), and of the one with many times the features and few examples (a loop
#: over the features is a loop too, and with few examples per feature the interpreter's cost
#: per feature stands out from numpy's).
_PUBLIC = growth._PUBLIC
TIMING = {"calls": _PUBLIC["VECTORIZED_CALLS"]}
SHAPES = {"small": (1, _PUBLIC["VECTORIZED_SIZES"][0]),
          "examples": (1, _PUBLIC["VECTORIZED_SIZES"][1]),
          "features": (_PUBLIC["VECTORIZED_FEATURES"], _PUBLIC["VECTORIZED_FEATURES_EXAMPLES"])}
#: Relative tolerance of the digests (sums over up to 20000 numbers).
DIGEST_RTOL = 1e-6
#: Timings of the yardstick: the least of this many (it is cheap; the least is the least noisy).
REFERENCE_REPEATS = 3

_FORMS = {
    "propagate": "A = sigmoid(w.T @ X + b), dw = X @ (A - Y).T / m, db = np.sum(A - Y) / m",
    "predict": "A = sigmoid(w.T @ X + b), then (A > 0.5).astype(float)",
}


def _inputs(name, rng, m):
    from . import cases

    maker = {"propagate": cases.make_propagate_input, "predict": cases.make_predict_input}
    return maker[name](rng, 3, m)


def _check_results(name, prober, hidden, sources=()):
    """Raise a Failure unless ``name`` gives the reference's results on :data:`SIZES`
    (``sources``: the cells, read only to say which syntax error left ``name`` undefined)."""
    spec = SPECS[name]
    for m in SIZES:
        args = _inputs(name, hidden.rng(f"vectorized/{name}/{m}"), m)
        where = say("CHECK_CASE", call=spec.call, m=m)
        try:
            outcome = prober.call(name, args, lend=spec.helpers)
        except ProbeFailed as error:
            raise Failure(say("NO_USABLE_ANSWER", reason=reason_of(error)),
                          HINTS.NO_RESULT.format(name=name), where=where) from None
        expected = spec.unpack(reference_result(spec, args), None)
        if outcome.missing or outcome.not_callable:  # no function: say so, never "not right"
            outcome_result(outcome, name, where, sources)
        try:
            actual = spec.unpack(outcome_result(outcome, name, where), None)
            for quantity, value in expected.items():
                compare(quantity, actual[quantity], value)
        except Failure:
            raise Failure(say("NOT_RIGHT_NOT_JUDGED", where=where, name=name),
                          HINTS.CORRECT_FIRST.format(name=name)) from None


def _close(wanted, value):
    if wanted is None or value is None or type(value) not in (int, float):
        return False
    return abs(value - wanted) <= DIGEST_RTOL * max(1.0, abs(wanted))


def _sums(node, depth=0):
    """Every number of a digest, in order."""
    if depth > 6 or not isinstance(node, dict):
        return [None]
    if "map" in node and isinstance(node["map"], dict):
        return [s for k in sorted(node["map"]) for s in _sums(node["map"][k], depth + 1)]
    if "seq" in node and isinstance(node["seq"], list):
        return [s for v in node["seq"] for s in _sums(v, depth + 1)]
    if "num" in node:
        return [node["num"]]
    if "arr" in node and isinstance(node.get("sums"), list):
        return list(node["sums"])
    return [None]


def _sums_close(expected, actual):
    wanted, got = _sums(expected), _sums(actual)
    return len(wanted) == len(got) and all(_close(w, a) for w, a in zip(wanted, got))


def digests_match(expected, answer, calls):
    """Whether a timing answer carries the reference's digest for each of the ``calls``."""
    digests = answer.get("digests") if isinstance(answer, dict) else None
    if not isinstance(digests, list) or len(digests) != calls:
        return False
    for wanted, got in zip(expected, digests):
        if not (isinstance(got, dict) and _shape_key(wanted) == _shape_key(got)
                and _sums_close(wanted, got)):
            return False
    return True


def _shape_key(node, depth=0):
    """A digest's structure and array shapes, without its numbers (compared exactly)."""
    if depth > 6 or not isinstance(node, dict):
        return ("bad",)
    if isinstance(node.get("map"), dict):
        return ("map", tuple((k, _shape_key(node["map"][k], depth + 1))
                             for k in sorted(node["map"])))
    if isinstance(node.get("seq"), list):
        return ("seq", tuple(_shape_key(v, depth + 1) for v in node["seq"]))
    if "num" in node:
        return ("num",)
    if isinstance(node.get("arr"), list):
        return ("arr", tuple(node["arr"]))
    return ("bad",)


def _request(name, n, m, seed, lend=()):
    return {"op": "time_call", "name": name, "kind": name, "n": n, "m": m,
            "calls": TIMING["calls"], "seed": seed, "lend": list(lend)}


def _reference_run(name, n, m, seed):
    """The reference's digests for a timing request (computed here), and the least CPU time
    the yardstick took to answer the same request (in the grader's yardstick process)."""
    request = _request(name, n, m, seed)
    with quiet():
        expected = probe_kernel.time_call(request, {name: getattr(reference, name)})["digests"]
    return expected, yardstick_cpu_ns(request, REFERENCE_REPEATS)


class _Unanswered(Exception):
    def __init__(self, summary, spent):
        super().__init__(summary.id)
        self.summary, self.spent = summary, spent


def _student_run(name, prober, n, m, seed, expected):
    """CPU time of the student's answer to a timing request; _Unanswered if it is unusable."""
    spec = SPECS[name]
    where = say("TIMED_CASE", call=spec.call, m=m, n=n, s="s" * (n > 1))
    before = prober.cpu_ns()
    try:
        answer, spent = prober.time_call(name, name, n=n, m=m, calls=TIMING["calls"], seed=seed,
                                         lend=spec.helpers)
    except ProbeFailed as error:
        raise _Unanswered(say("TIMING_UNANSWERED", where=where, reason=reason_of(error)),
                          prober.cpu_ns() - before) from None
    if isinstance(answer, dict) and isinstance(answer.get("raised"), dict):
        raise _Unanswered(say("TIMING_RAISED", where=where), spent)
    if not digests_match(expected, answer, TIMING["calls"]):
        raise _Unanswered(say("TIMING_WRONG", where=where), spent)
    return spent


def _warm_up(name, prober):
    """One small timing request, not timed: a judge child's first request costs it some 10 ms
    of first-time work, which would otherwise count as the small request's cost (and widen
    what :func:`.growth.ratio` subtracts)."""
    n, m = SHAPES["small"]
    try:
        prober.time_call(name, name, n=n, m=m, calls=TIMING["calls"],
                         seed=secrets.randbits(62), lend=SPECS[name].helpers)
    except ProbeFailed:
        pass  # the timed requests say what is wrong


def measure(name, prober):
    """One :class:`.growth.Measurement` of ``name`` per axis of growth, by axis.

    Fresh random inputs, unknown in advance: the small request, then the request with
    :data:`.growth.GROWTH` times the examples, then the one with that many times the features.

    Raises
    ------
    Failure
        When the student's code gives no usable, right answer to a timing request, unless the
        CPU it spent on a large one already shows a loop.
    """
    cpu, measurements = {}, {}
    _warm_up(name, prober)
    for size, (n, m) in SHAPES.items():
        seed = secrets.randbits(62)
        expected, cpu[f"reference_{size}"] = _reference_run(name, n, m, seed)
        try:
            cpu[size] = _student_run(name, prober, n, m, seed, expected)
        except _Unanswered as unanswered:
            if size != "small":
                partial = growth.Measurement(cpu["small"], unanswered.spent,
                                             cpu["reference_small"], cpu[f"reference_{size}"],
                                             prober.cpu_resolution_ns())
                if growth.classify(partial) == growth.LOOPS:
                    return {**measurements, size: partial}
            raise Failure(say("UNANSWERED_NOT_JUDGED", why=unanswered.summary),
                          HINTS.CORRECT_FIRST.format(name=name)) from None
        if size != "small":
            measurements[size] = growth.Measurement(cpu["small"], cpu[size], cpu["reference_small"],
                                                    cpu[f"reference_{size}"],
                                                    prober.cpu_resolution_ns())
    return measurements


def judge_vectorized(name, prober, sources=(), hidden=None):
    """Raise a Failure unless ``name`` is correct and vectorized (see the module docstring).

    ``hidden`` (a :class:`~.secret.HiddenKey`) draws the inputs the results are checked on;
    the timing requests' inputs are fresh random ones. ``sources`` is read only to say which
    syntax error left a function undefined: the verdict comes from CPU time, not from the code's
    text. The ratios measured go to the grader's log (``catvnoncat.judge.vectorized``), not to
    the student: the message is the same whatever the figures of one run.
    """
    _check_results(name, prober, hidden, sources)
    ratios = []
    for _ in range(2):
        by_axis = {axis: growth.ratio(m) for axis, m in measure(name, prober).items()}
        LOG.info("%s: CPU growth over the yardstick's, by axis: %s", name, by_axis)
        measured = [r for r in by_axis.values() if r is not None]
        ratios.append(max(measured) if measured else None)
        if ratios[-1] is None or ratios[-1] < growth.LOOP_FROM:
            break  # vectorized, or in between: a second measurement could not make it a loop
    if growth.final_call(ratios) == growth.LOOPS:
        raise Failure(say("LOOPS_SUMMARY", name=name, growth=growth.GROWTH,
                          features_growth=growth.FEATURES_GROWTH, loop_from=growth.LOOP_FROM),
                      HINTS.LOOPS.format(name=name, form=_FORMS[name]))
    return ()
