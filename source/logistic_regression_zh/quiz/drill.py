"""编程练习：亲手写出 NumPy 的广播规则。

实现下面的 ``broadcast_shape``，然后运行 ``pytest quiz``。检查程序会在几百对随机形状上把你的函数
和 NumPy 比较，其中包括 0 维的形状 ``()``、长度为 0 和 1 的维度，以及无法广播的形状对。
请用普通的 Python 自己写出这条规则：直接调用 NumPy 的 ``np.broadcast_shapes`` 虽然能通过检查，
却什么也学不到。写代码时请把输入法切换到英文：全角的（、，在 Python 里是错误。
"""


def broadcast_shape(shape_a, shape_b):
    """形状为 ``shape_a`` 的数组 ``a`` 与形状为 ``shape_b`` 的数组 ``b`` 相加，``a + b`` 的形状。

    参数
    ----------
    shape_a, shape_b : tuple of int
        数组的形状，例如 ``(2, 3)``、``(3,)``，0 维数组则是 ``()``。

    返回
    -------
    tuple of int
        广播后的形状，例如 ``broadcast_shape((2, 1), (3,)) == (2, 3)``。

    异常
    ------
    ValueError
        两个形状无法广播时抛出，例如 ``(2,)`` 和 ``(3,)``。
    """
    # YOUR CODE HERE
    raise NotImplementedError("broadcast_shape is not written yet")
