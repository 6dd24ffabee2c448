"""Which returned values are accepted, read from observations (never from live objects).

* A *scalar* (``b``, ``db``, ``cost``, a cost in ``costs``) may be a Python ``float`` or ``int``,
  a numpy floating or integer scalar, or a 0-d ``ndarray``. An array holding one number (shape
  ``(1,)``, ``(1, 1)``: ``np.sum(..., keepdims=True)``) is accepted with a note saying why a plain
  number is better: the value is the same.
* An *array* must be exactly ``numpy.ndarray`` (no ``np.matrix``, no subclass, no list) of a
  numeric dtype; booleans only where allowed.
* ``costs`` is a ``list`` with one scalar per recorded iteration.

The type names come from the kernel's description of the value, so an object that lies about
equality, or an ndarray subclass, is rejected by name before any value is compared.
"""

import contextlib
import contextvars

from .sentences import HINTS
from .verdict import Failure
from .wire import Arr, Map, Num, Other, Seq

__all__ = ["scalar", "array", "sequence", "mapping", "costs", "count", "describe", "noting"]

_NOTES = contextvars.ContextVar("catvnoncat_accept_notes", default=None)


@contextlib.contextmanager
def noting():
    """Collect the informational notes of the values accepted inside the block (a list)."""
    notes = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def _note(text):
    notes = _NOTES.get()
    if notes is not None and text not in notes:
        notes.append(text)

_SCALAR_TYPES = frozenset({"builtins.float", "builtins.int"} | {
    f"numpy.{name}" for name in ("float16", "float32", "float64", "int8", "int16", "int32",
                                 "int64", "uint8", "uint16", "uint32", "uint64", "longdouble")})
_INTEGER_TYPES = frozenset(t for t in _SCALAR_TYPES if "int" in t)
# (numpy.longdouble arrives as float64: six significant digits is all a comparison needs.)


def describe(value):
    """'a list of length 3', 'a ndarray of shape (2, 1)', 'a NoneType' ..."""
    name = value.type.rsplit(".", 1)[-1]
    if isinstance(value, Arr):
        return f"a {name} of shape {value.array.shape}"
    if isinstance(value, Seq):
        return f"a {name} of length {len(value.items)}"
    return f"a {name}"


def scalar(value, label, note_label=None):
    """``value`` as a float when it is an accepted scalar, else a Failure."""
    if isinstance(value, Num) and value.type in _SCALAR_TYPES:
        return float(value.value)
    if isinstance(value, Arr) and value.type == "numpy.ndarray" and value.array.dtype.kind in "fiu":
        if value.array.shape == ():
            return float(value.array)
        if value.array.size == 1:
            _note(HINTS.SCALAR_ARRAY_NOTE.format(label=note_label or label,
                                                 shape=value.array.shape))
            return float(value.array.reshape(()))
        raise Failure(f"{label} is an array of shape {value.array.shape}, expected a single "
                      f"number.", HINTS.SCALAR_NOT_ARRAY.format(label=label), label,
                      value.array.astype(float))
    raise Failure(f"{label} is {describe(value)}, expected a single number.",
                  HINTS.NOT_A_NUMBER.format(label=label))


def array(value, label, kinds="f"):
    """``value``'s values as a float ndarray when it is exactly an ndarray of a numeric dtype."""
    if not (isinstance(value, Arr) and value.type == "numpy.ndarray"):
        if isinstance(value, Arr):
            hint = HINTS.PLAIN_ARRAY.format(kind=value.type.rsplit(".", 1)[-1])
        elif isinstance(value, Seq):
            hint = HINTS.ARRAY_NOT_SEQUENCE.format(label=label, kind=value.type.rsplit(".", 1)[-1])
        else:
            hint = HINTS.NOT_AN_ARRAY.format(label=label)
        raise Failure(f"{label} is {describe(value)}, expected a numpy array.", hint)
    data = value.array
    if data.dtype.kind == "b" and "b" not in kinds:
        raise Failure(f"{label} holds booleans (True / False), expected the numbers 0 and 1.",
                      HINTS.BOOLEANS)
    if data.dtype.kind not in kinds:
        wanted = "floats" if kinds == "f" else "numbers"
        raise Failure(f"{label} has dtype {data.dtype}, expected {wanted}.",
                      HINTS.WRONG_DTYPE.format(label=label, wanted=wanted))
    return data.astype(float, copy=False)


def sequence(value, label, length):
    """The items of a returned tuple or list of ``length`` values."""
    if not (isinstance(value, Seq) and value.type in ("builtins.tuple", "builtins.list")
            and len(value.items) == length):
        raise Failure(f"{label} returned {describe(value)}, expected {length} values.",
                      HINTS.RETURN_VALUES.format(length=length))
    return value.items


def mapping(value, label, keys):
    """The items of a returned dict that has every key in ``keys``."""
    if not (isinstance(value, Map) and value.type == "builtins.dict"):
        raise Failure(f"{label} is {describe(value)}, expected a dict with keys "
                      f"{', '.join(map(repr, keys))}.",
                      HINTS.RETURN_DICT.format(keys=", ".join(f"{k!r}: ..." for k in keys)))
    missing = [k for k in keys if k not in value.items]
    if missing:
        raise Failure(f"{label} has no key {', '.join(map(repr, missing))}.",
                      HINTS.KEY_NAMES.format(keys=", ".join(map(repr, keys))))
    return value.items


def costs(value, label="costs"):
    """The recorded costs as a float array (a list of scalars)."""
    import numpy as np

    if not (isinstance(value, Seq) and value.type == "builtins.list"):
        raise Failure(f"{label} is {describe(value)}, expected a list.",
                      HINTS.COSTS_LIST)
    return np.array([scalar(c, f"{label}[{i}]", f"{label}[i]") for i, c in enumerate(value.items)],
                    dtype=float)


def count(value, label):
    """An integer count (``m_train``, ``num_px``): a Python or numpy integer, or a 0-d int array."""
    if isinstance(value, Num) and value.type in _INTEGER_TYPES:
        return int(value.value)
    if isinstance(value, Arr) and value.type == "numpy.ndarray" and value.array.shape == () \
            and value.array.dtype.kind in "iu":
        return int(value.array)
    shown = f" ({value.value:.6g})" if isinstance(value, Num) else (
        f" ({value.text[:40]})" if isinstance(value, Other) and value.text else "")
    raise Failure(f"{label} is {describe(value)}{shown}, expected an integer.",
                  HINTS.COUNT_FROM_SHAPE.format(label=label))
