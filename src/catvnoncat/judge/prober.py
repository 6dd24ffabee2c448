"""Asking a student's code questions: the probe protocol, seen from the grading process.

A :class:`Prober` calls a student's function on the judge's arguments (``call``) or describes
one of the notebook's globals by samples (``look``). :class:`~.child_prober.ChildProber` asks a
judge child (one sandboxed process per test cell, see :mod:`catvnoncat.sandbox.host`; the probe
code of :mod:`catvnoncat.probe.kernel` is sent in as text, answers come back as JSON frames);
:class:`InProcessProber` asks a namespace in this process (the instructor's tests and the
mutation catalog: trusted code only), through the same JSON encoding, so both see the same
observations.

While a function is judged, the graded functions it calls are lent: stubs in the child whose
results the grader computes with :mod:`catvnoncat.reference` (the reference code never enters
the kernel). Everything a kernel sends is validated by :mod:`.wire`; a malformed answer, a
timeout or a dead kernel becomes a :class:`ProbeFailed` that costs the part being judged.
"""

import contextlib
import dataclasses
import inspect
import io
import json
import time
import warnings
from dataclasses import dataclass

import numpy as np

from .. import reference
from ..probe import kernel as probe_kernel
from . import wire
from .messages import say

__all__ = ["CallOutcome", "LookOutcome", "ProbeFailed", "KernelDied", "KernelUnresponsive", "Prober",
           "InProcessProber", "LENDABLE"]

#: The graded functions that may be lent to a kernel, by name.
LENDABLE = {name: getattr(reference, name) for name in
            ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict")}
#: Most lent-helper calls one probe may make (an honest optimize makes one per iteration).
MAX_LEND_CALLS = 50_000
#: A lent helper runs in the grader's own process, outside every sandbox, on arguments the
#: student's code chose: what one call may cost is checked before it runs (:func:`lend_work`:
#: array elements handled, times optimize's iterations; the judge's own probes ask at most
#: some 10**6 of one call), ...
MAX_LEND_WORK = 2 * 10**8
#: ... what all lent calls of one probe may cost together, ...
MAX_PROBE_LEND_WORK = 10**9
#: ... and the largest ``dim`` a lent initialize_with_zeros is asked for (the real data has
#: 12288 features; a 134-byte request for 5e7 once grew the grader by 380 MB).
MAX_LEND_DIM = 2 * 10**6
#: What numpy says when code writes to a read-only array (an argument changed in place).
_READ_ONLY_WORDS = ("read-only", "WRITEABLE", "does not own its data")


class ProbeFailed(Exception):
    """The kernel gave no usable answer (malformed, none at all, or too late)."""


class KernelDied(ProbeFailed):
    """The judging kernel died (os._exit, a crash, a resource limit)."""


class KernelUnresponsive(Exception):
    """The kernel ignored an interrupt after a probe's time limit: it must be stopped.

    Not a :class:`ProbeFailed`: no judge may turn it into a mere failure and go on probing.
    """


@dataclass(frozen=True)
class Raised:
    type: str
    message: str
    line: str


@dataclass(frozen=True)
class CallOutcome:
    """What happened when the student's function was called (all of it validated data)."""

    missing: bool = False
    not_callable: bool = False
    result: object = None          # a wire observation
    raised: Raised | None = None
    lent_calls: tuple = ()         # (helper, {parameter: value}) as the grader served them
    writable_copies: bool = False  # answered on the second try, with writable arguments


@dataclass(frozen=True)
class LookOutcome:
    """A notebook global: in full (``value``) or, for an array, its type, dtype, shape, samples."""

    missing: bool = False
    value: object = None           # a wire observation, for a non-array
    type: str = ""
    dtype: str = ""
    shape: tuple = ()
    at: np.ndarray | None = None
    sorted_at: np.ndarray | None = None
    stats: tuple | None = None


@contextlib.contextmanager
def quiet():
    """Run reference code without a word on stdout or stderr (grading kernels score stderr 0)."""
    sink = io.StringIO()
    with warnings.catch_warnings(), np.errstate(all="ignore"), \
            contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        yield


def _plain(observation):
    """An observation turned back into a plain value, to pass to a reference helper."""
    if isinstance(observation, wire.Arr):
        return observation.array.copy()
    if isinstance(observation, wire.Num):
        return {"builtins.int": int, "builtins.bool": bool}.get(observation.type, float)(
            observation.value)
    if isinstance(observation, wire.Seq):
        items = [_plain(i) for i in observation.items]
        return tuple(items) if observation.type == "builtins.tuple" else items
    if isinstance(observation, wire.Map):
        return {k: _plain(v) for k, v in observation.items.items()}
    if isinstance(observation, wire.Other) and observation.type == "builtins.NoneType":
        return None
    raise wire.BadAnswer(f"a lent helper cannot take a {observation.type}")


def lend_work(name, arguments):
    """What a lent call of ``name`` with these bound ``arguments`` costs the grader: array
    elements handled (``dim`` for initialize_with_zeros), times the iterations of optimize."""
    def count(value):
        return float(value) if isinstance(value, (int, float)) and value == value else 0.0

    if name == "initialize_with_zeros":
        return max(count(arguments.get("dim")), 0.0)
    size = sum(np.size(v) for v in arguments.values() if isinstance(v, np.ndarray))
    if name == "optimize":
        return max(size, 1) * max(count(arguments.get("num_iterations")), 1.0)
    return float(size)


def answer_lend(message, allowed, log=None, spent=None):
    """The grader's reply to a lent helper's call: the reference result, or an error.

    Each valid call is appended to ``log`` as ``(helper, {parameter: value})``, defaults filled
    in, for the diagnosis (e.g. ``model`` passing a fixed ``num_iterations`` to ``optimize``).
    ``spent`` (a one-item list, per probe) adds up :func:`lend_work`; a call past
    :data:`MAX_LEND_WORK`, :data:`MAX_LEND_DIM` or, with the probe's earlier calls,
    :data:`MAX_PROBE_LEND_WORK` is refused before it runs: the student's code gets an error,
    the grader does no work.
    """
    try:
        name = message["helper"]
        if name not in allowed:
            return {"error": f"{str(name)[:40]} is not available here"}
        args = [_plain(wire.decode(a)) for a in message["args"]]
        kwargs = {str(k): _plain(wire.decode(v)) for k, v in message["kwargs"].items()}
        function = LENDABLE[name]
        bound = inspect.signature(function).bind(*args, **kwargs)
        bound.apply_defaults()
    except (wire.BadAnswer, KeyError, TypeError, AttributeError) as error:
        return {"error": wire.clean_text(f"{type(error).__name__}: {error}")}
    if log is not None and len(log) < MAX_LEND_CALLS:
        log.append((name, dict(bound.arguments)))
    work = lend_work(name, bound.arguments)
    total = (spent[0] if spent else 0.0) + work
    if (work > MAX_LEND_WORK or total > MAX_PROBE_LEND_WORK
            or (name == "initialize_with_zeros" and work > MAX_LEND_DIM)):
        return {"error": f"{name} was asked for more work than the grader computes for one "
                         f"call (arrays this large or this many iterations)",
                "type": "ValueError"}
    if spent is not None:
        spent[0] = total
    try:
        with quiet():
            return {"value": wire.encode(function(*args, **kwargs))}
    except Exception as error:  # noqa: BLE001 - e.g. a shape mismatch in the student's call
        return {"error": wire.clean_text(str(error)), "type": type(error).__name__}


def _call_outcome(answer):
    if not isinstance(answer, dict):
        raise wire.BadAnswer("the answer is not an object")
    if "error" in answer:  # its text is not quoted: the call was on a hidden input
        raise ProbeFailed(say("PROBE_ANSWER_UNSENDABLE"))
    if answer.get("missing") is True:
        return CallOutcome(missing=True)
    if answer.get("not_callable") is True:
        return CallOutcome(not_callable=True, result=wire.decode(answer["result"]))
    if "raised" in answer:
        raised = answer["raised"]
        if not isinstance(raised, dict):
            raise wire.BadAnswer("malformed exception")
        return CallOutcome(raised=Raised(wire.clean_text(raised.get("type", ""), 80),
                                         wire.clean_text(raised.get("message", "")),
                                         wire.clean_text(raised.get("line", ""))))
    if "result" not in answer:
        raise wire.BadAnswer("no result")
    return CallOutcome(result=wire.decode(answer["result"]))


def raised_on_read_only(outcome):
    """True when the student's code failed writing to a read-only argument (in place)."""
    raised = outcome.raised
    return raised is not None and raised.type == "ValueError" and any(
        words in raised.message for words in _READ_ONLY_WORDS)


def _samples(node):
    observation = wire.decode(node)
    if not (isinstance(observation, wire.Arr) and observation.array.dtype.kind == "f"):
        raise wire.BadAnswer("malformed samples")
    return observation.array


def _look_outcome(answer, at=None, sorted_at=None):
    if not isinstance(answer, dict):
        raise wire.BadAnswer("the answer is not an object")
    if "error" in answer:
        raise ProbeFailed(say("PROBE_FAILED_IN_KERNEL",
                              error=wire.clean_text(str(answer['error']))))
    if answer.get("missing") is True:
        return LookOutcome(missing=True)
    if "value" in answer:
        return LookOutcome(value=wire.decode(answer["value"]))
    shape = wire._shape(answer)
    dtype = answer.get("dtype")
    if dtype not in wire.ALLOWED_DTYPES:
        return LookOutcome(type=wire._type_name({"t": answer.get("type", "")}), dtype="other",
                           shape=shape)
    stats = answer.get("stats")
    if stats is not None and not (isinstance(stats, list) and len(stats) == 3
                                  and all(isinstance(v, (int, float)) for v in stats)):
        raise wire.BadAnswer("malformed statistics")
    samples = _samples(answer["at"]) if "at" in answer else None
    ranks = _samples(answer["sorted_at"]) if "sorted_at" in answer else None
    if samples is not None and at is not None and samples.shape != (len(at[0]),):
        raise wire.BadAnswer("wrong number of samples")
    if ranks is not None and sorted_at is not None and ranks.shape != (len(sorted_at),):
        raise wire.BadAnswer("wrong number of sorted samples")
    return LookOutcome(type=wire._type_name({"t": answer.get("type", "")}), dtype=dtype,
                       shape=shape, at=samples, sorted_at=ranks,
                       stats=tuple(float(v) for v in stats) if stats else None)


class Prober:
    """Ask the student's code: subclasses implement :meth:`exchange` (request -> answer dict)."""

    def exchange(self, request, lend):  # pragma: no cover - interface
        raise NotImplementedError

    def cpu_ns(self):  # pragma: no cover - interface
        """CPU nanoseconds used so far by the code being probed (see ``ChildProber.cpu_ns``)."""
        raise NotImplementedError

    def call(self, name, args, *, lend=(), globals_=None):
        """Call the notebook's ``name`` on ``args`` (lent helpers and decoy globals patched in).

        Array arguments arrive read-only, so an in-place change raises in the student's own
        code; then the call is made again on writable copies and the outcome says so
        (``writable_copies``). Whether an argument was changed is never asked of the kernel: an
        in-place change costs nothing, it earns a note.
        """
        outcome = self._call_once(name, args, lend, globals_, writable=False)
        if raised_on_read_only(outcome):
            outcome = dataclasses.replace(
                self._call_once(name, args, lend, globals_, writable=True),
                writable_copies=True)
        return outcome

    def _call_once(self, name, args, lend, globals_, writable):
        request = {"op": "call", "name": name, "args": [wire.encode(a) for a in args],
                   "lend": list(lend), "writable": writable,
                   "globals": {k: wire.encode(v) for k, v in (globals_ or {}).items()}}
        self.lend_log = []
        try:
            outcome = _call_outcome(self.exchange(request, frozenset(lend)))
            return dataclasses.replace(outcome, lent_calls=tuple(self.lend_log))
        except (wire.BadAnswer, KeyError, TypeError) as error:
            raise ProbeFailed(say("KERNEL_ANSWER_MALFORMED", detail=str(error))) from None

    def cpu_ns(self):  # pragma: no cover - interface
        """CPU nanoseconds used so far by whatever answers the probes (read from outside it)."""
        raise NotImplementedError

    def cpu_resolution_ns(self):
        """How many nanoseconds one :meth:`cpu_ns` reading may be off by."""
        return 0

    def _ready(self):
        """Make the next :meth:`exchange` a pure request/answer (e.g. install the probe code)."""

    def time_call(self, name, kind, *, n, m, calls, seed, lend=()):
        """One timing request (see :func:`catvnoncat.probe.kernel.time_call`), timed from outside.

        Returns
        -------
        answer : object
            The kernel's answer, not yet validated.
        cpu_ns : int
            CPU nanoseconds the answering processes used from the moment the request was sent
            to the moment the answer was in.
        """
        request = {"op": "time_call", "name": name, "kind": kind, "n": n, "m": m, "calls": calls,
                   "seed": seed, "lend": list(lend)}
        self.lend_log = []
        self._ready()
        before = self.cpu_ns()
        answer = self.exchange(request, frozenset())
        return answer, self.cpu_ns() - before

    def look(self, name, *, at=None, sorted_at=None):
        """Describe the notebook's global ``name``; arrays by their values at ``at`` (per-axis
        index lists) and at ranks ``sorted_at`` of their sorted values."""
        request = {"op": "look", "name": name, "at": at, "sorted_at": sorted_at}
        try:
            return _look_outcome(self.exchange(request, frozenset()), at, sorted_at)
        except (wire.BadAnswer, KeyError, TypeError) as error:
            raise ProbeFailed(say("KERNEL_ANSWER_MALFORMED", detail=str(error))) from None


class InProcessProber(Prober):
    """Probe a namespace in this process (instructor tests: trusted code), over the same JSON."""

    def __init__(self, namespace):
        self.namespace = namespace

    def cpu_ns(self):
        """This thread's CPU time: the namespace answers on it (timing requests run with one
        BLAS thread, as in a sandboxed kernel; see :meth:`time_call`)."""
        return time.thread_time_ns()

    def time_call(self, *args, **kwargs):
        """:meth:`Prober.time_call` with one OpenBLAS thread, as in a sandboxed kernel: here
        OpenBLAS's worker threads would make whole-array code look ten times slower."""
        from .yardstick import one_blas_thread

        with one_blas_thread():
            return super().time_call(*args, **kwargs)

    def exchange(self, request, lend):
        request = json.loads(json.dumps(request))
        spent = [0.0]

        def ask(message):
            return json.loads(json.dumps(answer_lend(json.loads(json.dumps(message)), lend,
                                                     self.lend_log, spent)))

        return wire.parse_json(json.dumps(probe_kernel.serve(request, self.namespace, ask)))
