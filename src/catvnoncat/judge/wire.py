"""What a kernel says, read as untrusted data: strict JSON decoding into grader-owned values.

A kernel answers a probe with JSON (see :mod:`catvnoncat.probe.kernel`). Nothing in it is
unpickled, eval'ed or imported: arrays are rebuilt from raw bytes with :func:`numpy.frombuffer`
for an allow-list of plain numeric dtypes, every size is bounded, and type names are kept as
strings to compare with (``"numpy.ndarray"``), never resolved. Anything malformed raises
:class:`BadAnswer`, which costs the student the part being judged and nothing else.
"""

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass

import numpy as np

from ..probe import kernel as _encoder

__all__ = ["BadAnswer", "Arr", "Num", "Seq", "Map", "Other", "Observation", "parse_json",
           "decode", "observe", "encode", "MAX_ANSWER_CHARS"]

#: Longest answer accepted from a kernel (characters of JSON).
MAX_ANSWER_CHARS = 64 * 1024 * 1024
#: Dtypes an array or number may have (little-endian or byte-order-free).
ALLOWED_DTYPES = frozenset(np.dtype(code).newbyteorder("<").str
                           for code in _encoder.PLAIN_DTYPES)
MAX_DIMS = 6
MAX_NODES = 200_000
_TYPE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.<>]{0,199}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x1b]")


class BadAnswer(ValueError):
    """A kernel's answer is not well-formed data of the expected form."""


@dataclass(frozen=True)
class Arr:
    """An array the kernel returned: its exact type name and a copy of its values."""

    type: str
    array: np.ndarray


@dataclass(frozen=True)
class Num:
    """A single number: exact type name (``builtins.float``, ``numpy.float64``, ...), dtype, value."""

    type: str
    dtype: str
    value: float


@dataclass(frozen=True)
class Seq:
    type: str
    items: tuple


@dataclass(frozen=True)
class Map:
    type: str
    items: dict


@dataclass(frozen=True)
class Other:
    """Anything else (None, a string, an object): its type name and a short, cleaned repr."""

    type: str
    text: str = ""


Observation = Arr | Num | Seq | Map | Other


def clean_text(text, limit=_encoder.TEXT_LIMIT):
    """A kernel's text made safe to show: a str, no control characters, bounded length."""
    if not isinstance(text, str):
        raise BadAnswer("expected text")
    text = _CONTROL.sub("", text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def parse_json(text):
    """``json.loads`` of a kernel's message with a size bound; BadAnswer on anything wrong."""
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS:
        raise BadAnswer("the answer is not text or is too long")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BadAnswer(f"the answer is not JSON ({type(error).__name__})") from None


def _field(node, key, kind):
    if not isinstance(node, dict) or key not in node or not isinstance(node[key], kind):
        raise BadAnswer(f"missing or malformed field {key!r}")
    return node[key]


def _type_name(node):
    name = _field(node, "t", str)
    if not _TYPE_NAME.match(name):
        raise BadAnswer("malformed type name")
    return name


def _bytes(node, dtype, shape):
    try:
        data = base64.b64decode(_field(node, "data", str), validate=True)
    except (binascii.Error, ValueError):
        raise BadAnswer("array data is not base64") from None
    if dtype not in ALLOWED_DTYPES:
        raise BadAnswer("an array's dtype is not a plain numeric dtype")
    dt = np.dtype(dtype)
    if len(data) != math.prod(shape) * dt.itemsize:
        raise BadAnswer("array data does not match its shape")
    return np.frombuffer(data, dtype=dt).reshape(shape).astype(dt.newbyteorder("="))


def _shape(node):
    shape = _field(node, "shape", list)
    if len(shape) > MAX_DIMS or not all(type(d) is int and 0 <= d <= 10**9 for d in shape):
        raise BadAnswer("malformed shape")
    return tuple(shape)


def decode(node, _budget=None):
    """Turn one JSON node of a kernel's answer into an :data:`Observation` (or raise BadAnswer)."""
    budget = _budget if _budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise BadAnswer("the answer holds too many values")
    kind = _field(node, "k", str)
    name = _type_name(node)
    if kind == "arr":
        dtype = _field(node, "dtype", str)
        return Arr(name, _bytes(node, dtype, _shape(node)))
    if kind == "num":
        dtype = _field(node, "dtype", str)
        value = _bytes(node, dtype, (1,))[0]
        return Num(name, dtype, value.item())
    if kind == "seq":
        items = _field(node, "items", list)
        return Seq(name, tuple(decode(item, budget) for item in items))
    if kind == "map":
        items = {}
        for pair in _field(node, "items", list):
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise BadAnswer("malformed mapping")
            items[clean_text(pair[0])] = decode(pair[1], budget)
        return Map(name, items)
    if kind == "none":
        return Other(name, "None")
    if kind == "other":
        return Other(name, clean_text(node.get("repr", "")))
    raise BadAnswer("an unknown kind of value")


def encode(value):
    """JSON-ready description of a grader-made value (hidden inputs, lent helpers' results)."""
    return _encoder.encode(value)


def observe(value):
    """The observation a kernel returning ``value`` would send (for the reference and tests)."""
    return decode(json.loads(json.dumps(_encoder.encode(value))))


def fingerprint(observation):
    """A hashable summary of an observation, for 'same output for other inputs?' questions."""
    if isinstance(observation, Arr):
        return ("arr", observation.type, observation.array.dtype.str, observation.array.shape,
                observation.array.tobytes())
    if isinstance(observation, Num):
        return ("num", observation.type, observation.value)
    if isinstance(observation, Seq):
        return ("seq", observation.type, tuple(fingerprint(i) for i in observation.items))
    if isinstance(observation, Map):
        return ("map", tuple((k, fingerprint(v)) for k, v in observation.items.items()))
    return ("other", observation.type, observation.text)
