"""Which returned values are accepted, read from observations (never from live objects).

Points go by *values and shapes*, decoded by the grader from the raw numbers the kernel sent;
never by what the kernel says a value is. The type name, the container and the dtype of an
observation are the kernel's report (a kernel could call a list a ``numpy.ndarray``, or send
booleans as float bytes), so they only ever earn a note, never cost a point (issue 20):

* A *scalar* (``b``, ``db``, ``cost``, a cost in ``costs``) is one number: a Python or numpy
  scalar, a 0-d array. One number in an array or list of shape ``(1,)``, ``(1, 1)``
  (``np.sum(..., keepdims=True)``) is accepted with a note saying why a plain number is better.
* An *array* is any numeric values of the expected shape: an ``np.ndarray``, and, with a note,
  an ``np.matrix`` or another subclass, a (nested) list or tuple of numbers, booleans where the
  numbers 0 and 1 are asked for, integers where floats are. The shape rule stays: a rank-1
  ``(m,)`` is not a ``(1, m)`` (the shape is part of the decoded value).
* ``costs`` is one scalar per recorded iteration: a list, or (noted) a tuple or 1-d array.

An object that lies about equality never reaches a comparison: only decoded numbers do.
"""

import contextlib
import contextvars

import numpy as np

from .messages import say
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

#: Nesting of lists / tuples read as an array of numbers.
_MAX_NESTING = 6


def _kind(value):
    """The value's type name, when it is Python's or numpy's (see :func:`describe`)."""
    module, _, name = value.type.rpartition(".")
    if module in ("builtins", "numpy") or module.startswith("numpy."):
        return name
    return say("CUSTOM_TYPE")


def values_of(value, depth=0):
    """The numbers of an observation as an ndarray (grader-side), or None when it holds any
    non-number or is not rectangular (a ragged list, a dict, None, an object)."""
    if isinstance(value, Arr):
        return value.array
    if isinstance(value, Num):
        return np.asarray(value.value, dtype=np.dtype(value.dtype).newbyteorder("="))
    if isinstance(value, Seq) and value.items and depth < _MAX_NESTING:
        parts = [values_of(item, depth + 1) for item in value.items]
        if any(p is None for p in parts) or len({p.shape for p in parts}) != 1:
            return None
        return np.stack(parts)
    return None


#: Largest size :func:`describe` quotes (a shape or length is the student's code's choice:
#: made of arbitrary numbers it could spell a value computed from a hidden input).
QUOTED_SIZE_MAX = 30


def describe(value):
    """'a list of length 3', 'a ndarray of shape (2, 1)', 'a NoneType' ...

    Only Python's and numpy's type names are quoted (another class could be named after a
    hidden value), and only small shapes and lengths (at most two axes of at most
    :data:`QUOTED_SIZE_MAX`).
    """
    name = _kind(value)
    if isinstance(value, Arr):
        shape = value.array.shape
        if len(shape) <= 2 and all(size <= QUOTED_SIZE_MAX for size in shape):
            return say("DESCRIBE_SHAPE", kind=name, shape=shape)
        return say("DESCRIBE_AXES", kind=name, axes=len(shape)) if len(shape) != 1 \
            else say("DESCRIBE_1D", kind=name)
    if isinstance(value, Seq):
        if len(value.items) <= QUOTED_SIZE_MAX:
            return say("DESCRIBE_LENGTH", kind=name, length=len(value.items))
        return say("DESCRIBE_LONG", kind=name)
    return say("DESCRIBE", kind=name)


def scalar(value, label, note_label=None):
    """``value`` as a float when it holds exactly one number, else a Failure."""
    data = values_of(value)
    if data is None or data.dtype.kind not in "biuf":
        raise Failure(say("NOT_A_NUMBER_SUMMARY", label=label, what=describe(value)),
                      HINTS.NOT_A_NUMBER.format(label=label))
    if data.size == 1 and data.shape != ():
        _note(HINTS.SCALAR_ARRAY_NOTE.format(label=note_label or label, shape=data.shape))
    elif data.shape != ():
        raise Failure(say("SCALAR_ARRAY_SUMMARY", label=label, shape=data.shape),
                      HINTS.SCALAR_NOT_ARRAY.format(label=label), label,
                      data.astype(float))
    return float(data.reshape(()))


def _note_representation(value, data, label, kinds):
    """Notes on how right values are represented (never a failure: see the module docstring)."""
    if isinstance(value, Seq):
        _note(HINTS.ARRAY_NOT_SEQUENCE_NOTE.format(label=label, kind=_kind(value)))
    elif isinstance(value, Arr) and value.type != "numpy.ndarray":
        _note(HINTS.PLAIN_ARRAY_NOTE.format(label=label, kind=_kind(value)))
    if data.dtype.kind == "b" and "b" not in kinds:
        _note(HINTS.BOOLEANS_NOTE.format(label=label))
    elif data.dtype.kind not in kinds and data.dtype.kind != "b":
        _note(HINTS.WRONG_DTYPE_NOTE.format(label=label, dtype=str(data.dtype),
                                            wanted="floats" if kinds == "f" else "numbers"))


def not_an_array(value, label):
    """The Failure for a value that holds no array of numbers (None, a dict, a ragged list...)."""
    if isinstance(value, Arr):
        hint = HINTS.PLAIN_ARRAY.format(kind=_kind(value))
    elif isinstance(value, Seq):
        hint = HINTS.ARRAY_NOT_SEQUENCE.format(label=label, kind=_kind(value))
    else:
        hint = HINTS.NOT_AN_ARRAY.format(label=label)
    return Failure(say("NOT_AN_ARRAY_SUMMARY", label=label, what=describe(value)), hint)


def array(value, label, kinds="f"):
    """``value``'s numbers as a float ndarray of their own shape (shape is checked later)."""
    data = None if isinstance(value, Num) else values_of(value)
    if data is None or data.dtype.kind not in "biuf":
        raise not_an_array(value, label)
    _note_representation(value, data, label, kinds)
    return data.astype(float, copy=False)


def sequence(value, label, length):
    """The items of a returned tuple or list of ``length`` values."""
    if not (isinstance(value, Seq) and len(value.items) == length):
        raise Failure(say("RETURN_VALUES_SUMMARY", label=label, what=describe(value),
                          length=length),
                      HINTS.RETURN_VALUES.format(length=length))
    return value.items


def mapping(value, label, keys):
    """The items of a returned dict that has every key in ``keys``."""
    if not isinstance(value, Map):
        raise Failure(say("NOT_A_DICT_SUMMARY", label=label, what=describe(value),
                          keys=", ".join(map(repr, keys))),
                      HINTS.RETURN_DICT.format(keys=", ".join(f"{k!r}: ..." for k in keys)))
    missing = [k for k in keys if k not in value.items]
    if missing:
        raise Failure(say("MISSING_KEYS_SUMMARY", label=label, keys=", ".join(map(repr, missing))),
                      HINTS.KEY_NAMES.format(keys=", ".join(map(repr, keys))))
    return value.items


def costs(value, label="costs"):
    """The recorded costs as a float array: a list of scalars (noted: a tuple, a 1-d array)."""
    if isinstance(value, Seq):
        if value.type != "builtins.list":
            _note(HINTS.COSTS_LIST_NOTE.format(label=label, kind=_kind(value)))
        return np.array([scalar(c, f"{label}[{i}]", f"{label}[i]")
                         for i, c in enumerate(value.items)], dtype=float)
    if isinstance(value, Arr) and value.array.ndim == 1 and value.array.dtype.kind in "iuf":
        _note(HINTS.COSTS_LIST_NOTE.format(label=label, kind=_kind(value)))
        return value.array.astype(float)
    raise Failure(say("NOT_A_LIST_SUMMARY", label=label, what=describe(value)), HINTS.COSTS_LIST)


def count(value, label):
    """An integer count (``m_train``, ``num_px``): one whole number (noted when not an int)."""
    data = values_of(value)
    if data is not None and data.shape == () and data.dtype.kind in "iuf" \
            and float(data) == int(float(data)):
        if data.dtype.kind == "f":
            _note(HINTS.COUNT_NOTE.format(label=label, kind=_kind(value)))
        return int(float(data))
    shown = f" ({value.value:.6g})" if isinstance(value, Num) else (
        f" ({value.text[:40]})" if isinstance(value, Other) and value.text else "")
    raise Failure(say("NOT_AN_INTEGER_SUMMARY", label=label, what=describe(value), shown=shown),
                  HINTS.COUNT_FROM_SHAPE.format(label=label))
