"""The only grading code that runs inside a student's kernel: answer one probe.

The grader never imports this module into a kernel: it reads this file as text and sends it
in (see :mod:`catvnoncat.judge.prober`), so the kernel needs neither the instructor package nor
access to the course folder. It depends on the standard library and numpy only.

A probe is a small JSON request from the grader (``op`` = ``"call"``, ``"look"`` or
``"time_call"``: the vectorization judge times that one from outside the kernel). The answer
is JSON too: every value is *described* (exact type name, dtype, shape, raw little-endian bytes
in base64), never pickled. Arrays the grader passes as arguments are read-only (an in-place
change raises in the student's own code). Reference helpers the grader lends while a later
function is judged are stubs that ask the grader for each result through ``ask`` (in a kernel:
the stdin ``input()`` channel), bound as the student's own ``def`` binds its arguments; the
reference code itself never enters the kernel.

The kernel may rewrite all of this before it runs: the grader validates every answer as
untrusted data, so a kernel that lies can only lose its own points.
"""

import base64
import contextlib
import gc
import io
import json
import os
import sys
import traceback
import warnings

import numpy as np

#: Longest text (exception message, repr, source line) an answer carries.
TEXT_LIMIT = 300
#: Most items of a list, tuple or dict described (more become an "other").
ITEMS_LIMIT = 10_000
#: Deepest nesting described.
DEPTH_LIMIT = 8
#: Largest array described in full (in bytes); larger ones become an "other".
ARRAY_BYTES_LIMIT = 16 * 1024 * 1024
#: The dtypes sent as raw bytes (wider floats are sent as float64; anything else is an "other").
PLAIN_DTYPES = ("b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8")


def _plain(array):
    """``array`` little-endian in a plain dtype, or None when it has no such form."""
    if array.dtype.kind == "f" and array.dtype.itemsize > 8:
        array = array.astype(np.float64)
    array = array.astype(array.dtype.newbyteorder("<"), copy=False)
    return array if array.dtype.str[1:] in PLAIN_DTYPES else None


def _type_name(value):
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def _short(text):
    text = " ".join(str(text).split())
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT - 3] + "..."


def encode(value, depth=0):
    """Describe ``value`` as JSON-ready data: kind ``k``, exact type ``t``, and its content."""
    name = _type_name(value)
    if depth > DEPTH_LIMIT:
        return {"k": "other", "t": name, "repr": "(nested too deeply)"}
    if isinstance(value, np.ndarray):
        array = np.array(np.asarray(value), order="C")  # (ascontiguousarray makes 0-d 1-d)
        plain = _plain(array) if array.nbytes <= ARRAY_BYTES_LIMIT else None
        if plain is None:
            return {"k": "other", "t": name, "repr": f"array of dtype {array.dtype}, "
                                                     f"shape {array.shape}"}
        array = plain
        return {"k": "arr", "t": name, "dtype": array.dtype.str, "shape": list(array.shape),
                "data": base64.b64encode(array.tobytes()).decode("ascii")}
    if isinstance(value, (np.generic, bool, int, float)) and not isinstance(value, (str, bytes)):
        array = _plain(np.asarray(value))
        if array is not None and array.shape == ():
            return {"k": "num", "t": name, "dtype": array.dtype.str,
                    "data": base64.b64encode(array.tobytes()).decode("ascii")}
    if isinstance(value, (list, tuple)) and len(value) <= ITEMS_LIMIT:
        return {"k": "seq", "t": name, "items": [encode(v, depth + 1) for v in value]}
    if isinstance(value, dict) and len(value) <= ITEMS_LIMIT and all(
            isinstance(key, str) for key in value):
        return {"k": "map", "t": name,
                "items": [[_short(key), encode(v, depth + 1)] for key, v in value.items()]}
    if value is None:
        return {"k": "none", "t": name}
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ is described, not raised
        text = "(no repr)"
    return {"k": "other", "t": name, "repr": _short(text)}


def decode(node, read_only=False):
    """Rebuild a value sent by the grader (arguments, decoys, lent helpers' results).

    With ``read_only``, an array is a view of immutable ``bytes``: numpy refuses to write to it
    and refuses ``setflags(write=True)``, so code that changes it in place raises.
    """
    kind = node["k"]
    if kind == "arr":
        data = base64.b64decode(node["data"])
        array = np.frombuffer(data, dtype=np.dtype(node["dtype"])).reshape(node["shape"])
        return array if read_only else array.copy()
    if kind == "num":
        data = base64.b64decode(node["data"])
        scalar = np.frombuffer(data, dtype=np.dtype(node["dtype"]))[0]
        builtin = {"builtins.float": float, "builtins.int": int, "builtins.bool": bool}
        return builtin[node["t"]](scalar.item()) if node["t"] in builtin else scalar
    if kind == "seq":
        items = [decode(v) for v in node["items"]]
        return tuple(items) if node["t"] == "builtins.tuple" else items
    if kind == "map":
        return {key: decode(v) for key, v in node["items"]}
    if kind == "none":
        return None
    raise ValueError(f"cannot rebuild a {kind!r}")


# ------------------------------------------------------------------------------------------------
# Running student code: quietly, with lent helpers and decoy globals, optionally counting lines
# ------------------------------------------------------------------------------------------------
_LIBRARY_PREFIXES = tuple(sorted({os.path.abspath(p) for p in (
    sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
    os.path.dirname(os.path.abspath(np.__file__)))}))


#: This file, when imported in the grading process (in a kernel it is "<catvnoncat-probe>").
_OWN_FILE = globals().get("__file__", "<catvnoncat-probe>")


def _is_student_file(filename):
    """True for notebook code: not the Python installation, not numpy, not this probe."""
    if not filename or filename == _OWN_FILE or filename.startswith(
            ("<frozen", "<__array_function__", "<catvnoncat")):
        return False
    if filename.startswith("<"):
        return True
    return not os.path.abspath(filename).startswith(_LIBRARY_PREFIXES)


def _student_line(error):
    """The innermost line of student code in ``error``'s traceback, or ''."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_student_file(f.filename)]
    return _short(frames[-1].line) if frames and frames[-1].line else ""


@contextlib.contextmanager
def _patched(namespace, replacements):
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    try:
        namespace.update(replacements)
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


@contextlib.contextmanager
def _quiet():
    sink = io.StringIO()
    with warnings.catch_warnings(), np.errstate(all="ignore"), \
            contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        yield sink


_ERRORS = {error.__name__: error for error in (
    ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, FloatingPointError,
    OverflowError, AttributeError)}


def _bind_as_written(original, args, kwargs):
    """``args`` and ``kwargs`` bound to the student's own ``def``, sent by position.

    The student's code calls its helpers with its own parameter names (``propagate(weights=w,
    bias=b, X=X, Y=Y)``); the grader knows only the template's order, so each argument goes by
    its position in the student's signature, the student's defaults filled in. A call that
    does not fit the student's ``def`` goes as it is, for the grader to bind to the template's
    names (``propagate(w=w, ...)`` fits the template): a helper's signature is judged in the
    helper's own cell, not again in its caller's.
    """
    import inspect

    try:
        signature = inspect.signature(inspect.unwrap(original))
    except (TypeError, ValueError):
        return args, kwargs
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values()):
        # A decorator's ``wrapper(*args, **kwargs)`` without functools.wraps: the one notebook
        # function it closes over is the def the student wrote.
        inner = [cell.cell_contents for cell in getattr(original, "__closure__", None) or ()
                 if inspect.isfunction(getattr(cell, "cell_contents", None))
                 and _is_student_file(cell.cell_contents.__code__.co_filename)]
        if len(inner) != 1:
            return args, kwargs
        return _bind_as_written(inner[0], args, kwargs)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return args, kwargs
    bound.apply_defaults()
    return list(bound.args), dict(bound.kwargs)


def _lent(name, ask, original=None):
    """A stand-in for a graded function: the grader computes each of its results."""

    def stub(*args, **kwargs):
        if callable(original):
            args, kwargs = _bind_as_written(original, args, kwargs)
        reply = ask({"op": "lend", "helper": name, "args": [encode(a) for a in args],
                     "kwargs": {k: encode(v) for k, v in kwargs.items()}})
        if "error" in reply:
            # The same kind of error the real function raises for such a call.
            raise _ERRORS.get(reply.get("type"), TypeError)(str(reply["error"]))
        return decode(reply["value"])

    stub.__name__ = stub.__qualname__ = name
    return stub


def _called_globals(function, user_ns):
    """The globals dicts where the function actually called looks its helpers up.

    The notebook's namespace, and the ``__globals__`` of ``function`` once unwrapped from its
    decorators (``functools.wraps``), or of the notebook functions a wrapper closes over: never
    a library's module, where a decorator's wrapper lives.
    """
    import inspect

    found, todo, seen = [user_ns], [function], set()
    while todo:
        current = todo.pop()
        if id(current) in seen or len(seen) > 50:
            continue
        seen.add(id(current))
        try:
            current = inspect.unwrap(current)
        except ValueError:
            pass
        code = getattr(current, "__code__", None)
        namespace = getattr(current, "__globals__", None)
        if code is not None and isinstance(namespace, dict) \
                and _is_student_file(code.co_filename) \
                and all(namespace is not known for known in found):
            found.append(namespace)
        wrapped = getattr(current, "func", None)  # functools.partial
        if callable(wrapped):
            todo.append(wrapped)
        for cell in getattr(current, "__closure__", None) or ():
            try:
                content = cell.cell_contents
            except ValueError:
                continue
            if callable(content) and not isinstance(content, type):
                todo.append(content)
    return found


def call(request, user_ns, ask):
    """Call the student's ``request["name"]`` on the grader's arguments; describe what happened."""
    name = request["name"]
    if name not in user_ns:
        return {"missing": True}
    function = user_ns[name]
    if not callable(function):
        return {"result": encode(function), "not_callable": True}
    # Arrays are handed over read-only unless the grader asks for writable copies (its second
    # try, after the student's code raised on a read-only argument).
    passed = [decode(a, read_only=not request.get("writable")) for a in request["args"]]
    namespaces = _called_globals(function, user_ns)
    replacements = {helper: _lent(helper, ask, user_ns.get(helper))
                    for helper in request.get("lend", ())}
    replacements.update({key: decode(v) for key, v in request.get("globals", {}).items()})
    answer = {}
    with _quiet() as printed, contextlib.ExitStack() as patches:
        for namespace in namespaces:
            patches.enter_context(_patched(namespace, replacements))
        try:
            result = function(*passed)
            answer["result"] = encode(result)
        except Exception as error:  # noqa: BLE001 - the student's error is what is judged
            answer["raised"] = {"type": type(error).__name__, "message": _short(error),
                                "line": _student_line(error)}
    answer["printed"] = len(printed.getvalue())
    return answer


# ------------------------------------------------------------------------------------------------
# Timing: the grader reads the CPU time of a whole "time_call" request from outside the kernel
# ------------------------------------------------------------------------------------------------
def _public_sigmoid(z):
    return 1 / (1 + np.exp(-z))


#: Helpers a timed function may be given in place of the notebook's own (public formulas, so
#: that a slow or looping sigmoid is not charged to propagate's or predict's vectorization).
TIMING_HELPERS = {"sigmoid": _public_sigmoid}
#: Most calls one timing request makes.
TIMING_CALLS_LIMIT = 1000


def _no_print(*args, **kwargs):
    return None


def timing_inputs(kind, seed, n, m, calls):
    """The arguments of each call of a timing request, generated from the grader's seed.

    The examples ``X`` (and labels ``Y``) are shared by the calls; each call gets its own
    ``w`` and ``b``, so no call's result is another's; ``w.T @ x`` stays near 1 for any ``n``
    (no saturated sigmoid). Also returns the digest weights.
    """
    rng = np.random.default_rng(seed)
    X = rng.random((n, m)) * 4.0 - 2.0
    Y = (rng.random((1, m)) < 0.5).astype(float)
    weights = rng.normal(0.0, 0.8 / np.sqrt(n), size=(calls, n, 1))  # |w.T x| about 1
    biases = rng.normal(0.0, 0.5, size=calls)
    shared = (X, Y) if kind == "propagate" else (X,)
    arguments = [(weights[i].copy(), float(biases[i]), *shared) for i in range(calls)]
    return arguments, rng.random(max(n, m))


def digest(value, weights, depth=0):
    """A result in a few numbers: each array of more than one number by its shape, its sum and
    its sum weighted by ``weights``; numbers as floats; dicts and sequences item by item."""
    if depth > 4:
        return {"other": "nested too deeply"}
    if isinstance(value, dict):
        return {"map": {_short(key)[:40]: digest(v, weights, depth + 1)
                        for key, v in list(value.items())[:20]}}
    if isinstance(value, (list, tuple)) and not any(isinstance(v, dict) for v in value):
        try:  # numbers in nested lists are an array, as the grader reads them (issue 20)
            value = np.asarray(value, dtype=np.float64)
        except (ValueError, TypeError):
            pass
    if isinstance(value, (list, tuple)) and len(value) <= 20:
        return {"seq": [digest(v, weights, depth + 1) for v in value]}
    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - described, not raised
        return {"other": _type_name(value)}
    if array.size == 1:
        number = float(array.reshape(()))
        return {"num": number if np.isfinite(number) else None}
    flat = array.ravel()
    if flat.size > weights.size:
        return {"other": "too large"}
    sums = [float(flat.sum()), float(flat @ weights[:flat.size])]
    return {"arr": list(array.shape), "sums": [s if np.isfinite(s) else None for s in sums]}


def time_call(request, user_ns):
    """Call ``request["name"]`` ``calls`` times on generated inputs and digest every result.

    Nothing here is trusted: the grader times the whole request from outside (the CPU of the
    sandbox's cgroup) and checks every digest against the reference's.
    """
    name = request["name"]
    function = user_ns.get(name)
    if not callable(function):
        return {"missing": True}
    calls = min(int(request["calls"]), TIMING_CALLS_LIMIT)
    arguments, weights = timing_inputs(request["kind"], int(request["seed"]), int(request["n"]),
                                       int(request["m"]), calls)
    namespace = getattr(function, "__globals__", None)
    replacements = {h: TIMING_HELPERS[h] for h in request.get("lend", ()) if h in TIMING_HELPERS}
    # A debugging print costs the same for any size, but formatting a small array costs as much
    # as a loop over it: prints are silenced, not timed (they go nowhere here anyway).
    replacements["print"] = _no_print
    digests, collecting = [], gc.isenabled()
    gc.disable()  # a full collection in the middle would add noise to the grader's timing
    with _quiet(), _patched(namespace if isinstance(namespace, dict) else {}, replacements):
        try:
            for args in arguments:
                digests.append(digest(function(*args), weights))
        except Exception as error:  # noqa: BLE001 - the student's error is what is judged
            return {"raised": {"type": type(error).__name__, "message": _short(error)}}
        finally:
            if collecting:
                gc.enable()
    return {"digests": digests}


def look(request, user_ns):
    """Describe the global ``request["name"]``: arrays by samples the grader chose."""
    name = request["name"]
    if name not in user_ns:
        return {"missing": True}
    value = user_ns[name]
    if not isinstance(value, np.ndarray):
        return {"value": encode(value)}
    array = np.asarray(value)
    answer = {"type": _type_name(value), "dtype": array.dtype.str, "shape": list(array.shape)}
    if array.dtype.kind not in "biuf":
        return answer
    with _quiet():
        if request.get("at") is not None and array.ndim == len(request["at"]):
            index = tuple(np.asarray(axis, dtype=np.intp) for axis in request["at"])
            answer["at"] = encode(np.asarray(array[index], dtype=float))
        if request.get("sorted_at") is not None:
            flat = np.sort(array, axis=None)
            answer["sorted_at"] = encode(np.asarray(flat[np.asarray(request["sorted_at"],
                                                                    dtype=np.intp)], dtype=float))
        if array.size:
            answer["stats"] = [float(array.min()), float(array.max()), float(array.mean())]
    return answer


def serve(request, user_ns, ask):
    """Answer one probe request (a dict) with a JSON-ready dict."""
    try:
        if request["op"] == "call":
            return call(request, user_ns, ask)
        if request["op"] == "look":
            return look(request, user_ns)
        if request["op"] == "time_call":
            return time_call(request, user_ns)
        return {"error": f"unknown op {request['op']!r}"}
    except Exception as error:  # noqa: BLE001 - reported to the grader as a failed probe
        return {"error": _short(f"{type(error).__name__}: {error}")}
