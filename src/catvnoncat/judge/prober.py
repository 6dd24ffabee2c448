"""Asking a student's code questions: the probe protocol, seen from the grading process.

A :class:`Prober` calls a student's function on the judge's arguments (``call``) or describes
one of the notebook's globals by samples (``look``). :class:`KernelProber` asks a real grading
kernel (the probe code of :mod:`catvnoncat.probe.kernel` is sent in as text, requests go in as
code, answers come back through the kernel's stdin ``input()`` channel as JSON);
:class:`InProcessProber` asks a namespace in this process (the instructor's tests and the
mutation catalog: trusted code only), through the same JSON encoding, so both see the same
observations.

While a function is judged, the graded functions it calls are lent: stubs in the kernel whose
results the grader computes with :mod:`catvnoncat.reference` (the reference code never enters
the kernel). Everything a kernel sends is validated by :mod:`.wire`; a malformed answer, a
timeout or a dead kernel becomes a :class:`ProbeFailed` that costs the part being judged.
"""

import base64
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
from ..probe import KERNEL_SOURCE
from ..probe import kernel as probe_kernel
from . import wire

__all__ = ["CallOutcome", "LookOutcome", "ProbeFailed", "KernelDied", "KernelUnresponsive", "Prober",
           "InProcessProber", "KernelProber", "LENDABLE"]

#: The graded functions that may be lent to a kernel, by name.
LENDABLE = {name: getattr(reference, name) for name in
            ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict")}
#: Most lent-helper calls one probe may make (an honest optimize makes one per iteration).
MAX_LEND_CALLS = 50_000


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
    lines: int | None = None
    args_after: tuple = ()
    lent_calls: tuple = ()         # (helper, {parameter: value}) as the grader served them


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


def answer_lend(message, allowed, log=None):
    """The grader's reply to a lent helper's call: the reference result, or an error.

    Each valid call is appended to ``log`` as ``(helper, {parameter: value})``, defaults filled
    in, for the diagnosis (e.g. ``model`` passing a fixed ``num_iterations`` to ``optimize``).
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
    try:
        with quiet():
            return {"value": wire.encode(function(*args, **kwargs))}
    except Exception as error:  # noqa: BLE001 - e.g. a shape mismatch in the student's call
        return {"error": wire.clean_text(str(error)), "type": type(error).__name__}


def _call_outcome(answer):
    if not isinstance(answer, dict):
        raise wire.BadAnswer("the answer is not an object")
    if "error" in answer:
        raise ProbeFailed(f"the probe failed in the kernel: {wire.clean_text(str(answer['error']))}")
    if answer.get("missing") is True:
        return CallOutcome(missing=True)
    if answer.get("not_callable") is True:
        return CallOutcome(not_callable=True, result=wire.decode(answer["result"]))
    lines = answer.get("lines")
    if lines is not None and not (type(lines) is int and 0 <= lines < 10**12):
        raise wire.BadAnswer("malformed line count")
    after = answer.get("args_after", [])
    if not isinstance(after, list):
        raise wire.BadAnswer("malformed arguments")
    args_after = tuple(None if a is None else wire.decode(a) for a in after)
    if "raised" in answer:
        raised = answer["raised"]
        if not isinstance(raised, dict):
            raise wire.BadAnswer("malformed exception")
        return CallOutcome(raised=Raised(wire.clean_text(raised.get("type", ""), 80),
                                         wire.clean_text(raised.get("message", "")),
                                         wire.clean_text(raised.get("line", ""))),
                           lines=lines, args_after=args_after)
    if "result" not in answer:
        raise wire.BadAnswer("no result")
    return CallOutcome(result=wire.decode(answer["result"]), lines=lines, args_after=args_after)


def _samples(node):
    observation = wire.decode(node)
    if not (isinstance(observation, wire.Arr) and observation.array.dtype.kind == "f"):
        raise wire.BadAnswer("malformed samples")
    return observation.array


def _look_outcome(answer, at=None, sorted_at=None):
    if not isinstance(answer, dict):
        raise wire.BadAnswer("the answer is not an object")
    if "error" in answer:
        raise ProbeFailed(f"the probe failed in the kernel: {wire.clean_text(str(answer['error']))}")
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

    def call(self, name, args, *, lend=(), globals_=None, trace=False):
        """Call the notebook's ``name`` on ``args`` (lent helpers and decoy globals patched in)."""
        request = {"op": "call", "name": name, "args": [wire.encode(a) for a in args],
                   "lend": list(lend), "trace": trace,
                   "globals": {k: wire.encode(v) for k, v in (globals_ or {}).items()}}
        self.lend_log = []
        try:
            outcome = _call_outcome(self.exchange(request, frozenset(lend)))
            return dataclasses.replace(outcome, lent_calls=tuple(self.lend_log))
        except (wire.BadAnswer, KeyError, TypeError) as error:
            raise ProbeFailed(f"the kernel's answer was not well-formed ({error})") from None

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
            raise ProbeFailed(f"the kernel's answer was not well-formed ({error})") from None


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

        def ask(message):
            return json.loads(json.dumps(answer_lend(json.loads(json.dumps(message)), lend,
                                                     self.lend_log)))

        return wire.parse_json(json.dumps(probe_kernel.serve(request, self.namespace, ask)))


_INSTALL = """\
def __catvnoncat_install__(source):
    namespace = {{"__name__": "catvnoncat_probe"}}
    exec(compile(source, "<catvnoncat-probe>", "exec"), namespace)
    return namespace["answer_in_kernel"]
__catvnoncat_probe__ = __catvnoncat_install__({source!r})
del __catvnoncat_install__
"""


class KernelProber(Prober):
    """Probe a kernel of its own: the judging kernel, which runs the student's cells too.

    The judging kernel runs the notebook's cells up to its last test cell (their outputs are
    dropped) and answers the probes. It is not the kernel whose outputs end up in the
    autograded notebook, so nothing a student's code sees during a probe (the hidden inputs)
    can be printed into the notebook or the feedback by a later cell.

    Parameters
    ----------
    manager : jupyter_client.manager.AsyncKernelManager
        A started kernel's manager (interrupts and shuts it down).
    client : jupyter_client.asynchronous.AsyncKernelClient
        Its client, channels started.
    timeout : float
        Seconds one probe or one cell may take (lent-helper round trips included).
    grace : float
        Seconds an interrupted kernel has to answer before it is declared unresponsive.
    """

    def __init__(self, manager, client, timeout=20.0, grace=5.0, account=None):
        self.manager, self.client = manager, client
        self.timeout, self.grace = timeout, grace
        self.account = account
        self._installed = False
        self._sent = {}

    @classmethod
    async def start(cls, kernel_name, config, cwd, extra_arguments=(), startup_timeout=60,
                    **kwargs):
        """Start a kernel like nbclient does (same kernelspec, config and folder)."""
        from jupyter_client.manager import AsyncKernelManager

        manager = AsyncKernelManager(kernel_name=kernel_name, config=config)
        await manager.start_kernel(extra_arguments=list(extra_arguments), cwd=cwd)
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=startup_timeout)
        except RuntimeError:
            await cls(manager, client).shutdown()
            raise
        # Before any student code runs: the sandbox's processes get a CPU account of their own.
        return cls(manager, client, account=_account(manager), **kwargs)

    async def shutdown(self):
        """Stop the kernel and its sandbox, whatever state it is in; remove its CPU account."""
        self.client.stop_channels()
        try:
            await self.manager.shutdown_kernel(now=True)
        except RuntimeError:
            pass  # already dead
        await self.manager.cleanup_resources()
        if self.account is not None:
            self.account.close()

    def cpu_ns(self):
        """CPU nanoseconds used by the kernel's whole sandbox (every process and thread in it),
        read by the grader from the sandbox's cgroup (or, where none can be made, /proc)."""
        if self.account is None:
            self.account = _account(self.manager)
        return self.account.cpu_ns()

    def cpu_resolution_ns(self):
        if self.account is None:
            self.account = _account(self.manager)
        return self.account.resolution_ns

    def _ready(self):
        from jupyter_core.utils import run_sync

        if not self._installed:
            install = _INSTALL.format(source=KERNEL_SOURCE.read_text("utf-8"))
            run_sync(self._wait)(self._send(install), frozenset(), expect="ok")
            self._installed = True

    def alive(self):
        from jupyter_core.utils import run_sync

        return run_sync(self.client.is_alive)()

    def send_cell(self, source):
        """Start running a notebook cell (its outputs are not kept); see :meth:`finish_cell`."""
        msg_id = self.client.execute(source, silent=False, store_history=True,
                                     allow_stdin=False, stop_on_error=False)
        self._sent[msg_id] = time.monotonic()
        return msg_id

    def finish_cell(self, msg_id):
        """Wait for a cell sent with :meth:`send_cell` (its error, if any, is the student's)."""
        from jupyter_core.utils import run_sync

        run_sync(self._wait)(msg_id, frozenset(), expect=None)

    def exchange(self, request, lend):
        from jupyter_core.utils import run_sync

        self._ready()
        encoded = base64.b64encode(json.dumps(request).encode()).decode("ascii")
        return run_sync(self._wait)(self._send(f"__catvnoncat_probe__({encoded!r})"), lend,
                                    expect="answer")

    def _send(self, code):
        msg_id = self.client.execute(code, silent=True, store_history=False, allow_stdin=True,
                                     stop_on_error=False)
        self._sent[msg_id] = time.monotonic()
        return msg_id

    async def _wait(self, msg_id, lend, expect):
        """Serve the request's ``input()`` calls until its reply; ``expect``: "answer", "ok"."""
        client = self.client
        deadline = self._sent.pop(msg_id) + self.timeout
        answer, lend_calls, interrupted = None, 0, False
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if interrupted:
                    raise KernelUnresponsive(
                        f"the kernel ignored the interrupt after {self.timeout:.0f} s")
                await self.manager.interrupt_kernel()
                interrupted, deadline = True, time.monotonic() + self.grace
                continue
            if not await client.is_alive():
                raise KernelDied("the kernel died")
            if await client.stdin_channel.msg_ready():
                message = await client.stdin_channel.get_msg(timeout=0)
                if message["parent_header"].get("msg_id") != msg_id:
                    continue
                reply, answer, lend_calls = self._on_input(message, lend, answer, lend_calls)
                client.input(reply)
                continue
            if await client.shell_channel.msg_ready():
                message = await client.shell_channel.get_msg(timeout=0)
                if message["parent_header"].get("msg_id") != msg_id:
                    continue
                if interrupted:
                    raise ProbeFailed(f"no answer within {self.timeout:.0f} s (interrupted)")
                if expect == "answer" and answer is None:
                    raise ProbeFailed("the kernel finished the probe without an answer")
                if expect == "ok" and message["content"].get("status") != "ok":
                    raise ProbeFailed("the probe code could not be installed in the kernel")
                return answer
            await _wait_any((client.stdin_channel, client.shell_channel), min(remaining, 1.0))

    def _on_input(self, message, lend, answer, lend_calls):
        """Handle one ``input()`` request of the probe; returns (reply, answer, lend calls)."""
        try:
            request = wire.parse_json(message["content"].get("prompt", ""))
        except wire.BadAnswer:
            return json.dumps({"error": "not a probe message"}), answer, lend_calls
        if isinstance(request, dict) and "answer" in request and answer is None:
            return "", request["answer"], lend_calls
        if isinstance(request, dict) and isinstance(request.get("ask"), dict) \
                and lend_calls < MAX_LEND_CALLS:
            return (json.dumps(answer_lend(request["ask"], lend, getattr(self, "lend_log", None))),
                    answer, lend_calls + 1)
        return json.dumps({"error": "not a probe message"}), answer, lend_calls


def _account(manager):
    """A CPU account for the process tree the kernel manager started (the sandbox's launcher,
    found by the grader from its own child process, never from the kernel's word)."""
    from ..sandbox.cpuacct import account_for

    return account_for(manager.provisioner.pid)


async def _wait_any(channels, timeout):
    """Wait until one of the channels has a message, or ``timeout`` seconds."""
    import zmq
    import zmq.asyncio

    poller = zmq.asyncio.Poller()
    for channel in channels:
        poller.register(channel.socket, zmq.POLLIN)
    await poller.poll(timeout * 1000)
