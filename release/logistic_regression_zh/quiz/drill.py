"""Coding drill: NumPy's broadcasting rule, written by you.

Implement ``broadcast_shape`` below, then run ``pytest quiz``. The check compares your function
with NumPy on hundreds of random pairs of shapes, including 0-d shapes ``()``, sizes 0 and 1,
and pairs that cannot be broadcast. Write the rule yourself with plain Python: calling NumPy's
own ``np.broadcast_shapes`` would pass the check and teach you nothing.
"""


def broadcast_shape(shape_a, shape_b):
    """The shape of ``a + b`` for arrays ``a`` of shape ``shape_a`` and ``b`` of shape ``shape_b``.

    Parameters
    ----------
    shape_a, shape_b : tuple of int
        Array shapes, e.g. ``(2, 3)``, ``(3,)`` or ``()`` for a 0-d array.

    Returns
    -------
    tuple of int
        The broadcast shape, e.g. ``broadcast_shape((2, 1), (3,)) == (2, 3)``.

    Raises
    ------
    ValueError
        If the two shapes cannot be broadcast together, e.g. ``(2,)`` and ``(3,)``.
    """
    # YOUR CODE HERE
    raise NotImplementedError("broadcast_shape is not written yet")
