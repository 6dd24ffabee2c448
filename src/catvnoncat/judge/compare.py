"""Comparing one quantity with the reference: named tolerances, shape first, then values.

Numbers are compared entry by entry: ``|actual - expected| <= ATOL + RTOL * |expected|`` with
``RTOL = 1e-6`` (six significant digits, far looser than the ~1e-15 by which two correct orders
of floating-point operations differ) and ``ATOL = 1e-10`` (only matters for entries that should
be ~0, e.g. ``sigmoid(-40) = 4e-18``, which the ``tanh`` form rounds to 0).
"""

import math

import numpy as np

from .. import reference
from .messages import say
from .sentences import HINTS
from .verdict import Failure

__all__ = ["RTOL", "ATOL", "matches", "compare", "shape_hint", "public_shape"]

#: Relative tolerance of every numeric comparison.
RTOL = 1e-6
#: Absolute tolerance, for entries whose expected value is ~0.
ATOL = 1e-10

#: Quantities that are lists (compared by length, then entries).
_LIST_QUANTITIES = ("costs",)


def matches(actual, expected):
    """Same shape and equal within tolerance (inf / nan equal to themselves, for candidates)."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and bool(
        np.allclose(actual, expected, rtol=RTOL, atol=ATOL, equal_nan=True))


def public_shape(shape, expected, sizes=()):
    """Whether a shape the student's code returned may be quoted in a message.

    A shape is the student's code's choice: one made of any numbers could carry values computed
    from a hidden input. It is quoted only when each of its sizes is public anyway: 0, 1, a size
    of the expected shape or their product, or one of the case's described ``sizes``.
    """
    allowed = {0, 1, math.prod(expected), *expected, *sizes}
    return len(shape) <= 4 and all(size in allowed for size in shape)


def compare(quantity, actual, expected, sizes=()):
    """Raise a failure describing how ``actual`` differs from ``expected`` (shape, then values).

    The message never quotes a value: ``actual`` and ``expected`` come from hidden inputs (see
    :mod:`.secret`). It says which quantity differs and, for a shape, the expected one (and the
    actual one when :func:`public_shape` allows it); ``sizes`` are the case's public sizes.
    """
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    if quantity in _LIST_QUANTITIES and a.shape != e.shape:
        raise Failure(say("COUNT_DIFFERS", q=quantity, expected=e.size,
                          more_or_fewer=say("MORE" if a.size > e.size else "FEWER")),
                       HINTS.COSTS_COUNT.format(q=quantity, every=reference.COST_EVERY,
                                                twice=2 * reference.COST_EVERY, n=e.size),
                       quantity, actual)
    if a.shape != e.shape:
        if public_shape(a.shape, e.shape, sizes):
            raise Failure(say("SHAPE_DIFFERS", q=quantity, actual=a.shape, expected=e.shape),
                          shape_hint(quantity, a.shape, e.shape), quantity, actual)
        raise Failure(say("OTHER_SHAPE", q=quantity, expected=e.shape),
                      HINTS.SHAPE.format(q=quantity, expected=e.shape), quantity, actual)
    if matches(a, e):
        return
    if a.ndim == 0:
        summary = say("VALUE_DIFFERS", q=quantity)
    else:
        summary = say("VALUES_DIFFER", q=quantity, shape=a.shape)
    raise Failure(summary, None, quantity, actual)


def shape_hint(quantity, actual, expected):
    if len(actual) == 1 and len(expected) == 2 and actual[0] == math.prod(expected):
        return HINTS.RANK_1.format(q=quantity, actual=actual, expected=expected)
    if len(actual) == 2 and actual == expected[::-1]:
        return HINTS.TRANSPOSED.format(q=quantity, actual=actual, expected=expected)
    if len(actual) == 0 and len(expected) > 0:
        return HINTS.ARRAY_NOT_NUMBER.format(q=quantity, expected=expected)
    return HINTS.SHAPE.format(q=quantity, expected=expected)

