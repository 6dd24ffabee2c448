"""The quiz questions: the one place where they are written.

``questions.md`` is rendered from this file by the course's one regeneration command (named
in the course README's quiz section); the checks in
``test_quiz_answers.py`` read the questions from here too. NumPy questions carry the code that
the check runs; see ``marking.py`` for how the right option is found.
"""

from pathlib import Path

from marking import Question, choice, error, render_markdown, same_as, shape

TITLE = "小测验：神经元、逻辑回归、NumPy 的形状与广播"

INTRODUCTION = """
<!-- 由课程的生成命令从 quiz/questions.py 渲染而来（见课程 README）：请修改那个文件，不要改这里。 -->

每道题在 `quiz/answers.py` 里写一个字母（例如 `Q1 = "C"`），在 `quiz/drill.py` 里实现
`broadcast_shape`，然后在包含 `quiz/` 的文件夹里运行 `pytest quiz`。每道题要么通过，
要么失败并提示你该复习哪个知识点。在 NumPy 题里，`np` 就是 `numpy`，
`np.random.randn(...)` 生成给定形状的数组。
"""

QUESTIONS = [
    Question(
        qid="Q1",
        title="一个神经元算的是什么",
        prompt="把逻辑回归看作一个神经网络时，那唯一的神经元计算的是什么？",
        options=(
            choice("先对每个输入用激活函数 $g$，再求和：$z = \\sum_i g(x_i)$"),
            choice("只有一个线性函数 $z = w^T x + b$；激活不属于神经元"),
            choice("一个线性函数 $z = w^T x + b$，后面接一个激活 $a = g(z)$"),
            choice("输入的平均值，$a = \\frac{1}{n_x} \\sum_i x_i$"),
        ),
        hint="复习“把逻辑回归看作神经网络”：跟着 x 穿过这个神经元，一步一步算到预测值 y-hat。",
    ),
    Question(
        qid="Q2",
        title="逻辑回归的损失函数",
        prompt="预测值为 $\\hat y = \\sigma(w^T x + b)$、标签为 $y \\in \\{0, 1\\}$ 时，"
               "单个样本的逻辑回归损失是哪个公式？",
        options=(
            choice("$\\mathcal{L}(\\hat y, y) = \\frac{1}{2} (\\hat y - y)^2$"),
            choice("$\\mathcal{L}(\\hat y, y) = y \\log \\hat y + (1 - y) \\log (1 - \\hat y)$"),
            choice("$\\mathcal{L}(\\hat y, y) = \\max(0, 1 - y \\hat y)$"),
            choice("$\\mathcal{L}(\\hat y, y) = -\\big(y \\log \\hat y + (1 - y) \\log (1 - \\hat y)\\big)$"),
        ),
        hint="复习逻辑回归的代价函数：y-hat 接近 y 时损失要小，离得远时要大，而且要是凸函数，"
             "梯度下降才好用。",
    ),
    Question(
        qid="Q3",
        title="损失与代价",
        prompt="损失 $\\mathcal{L}$ 和代价 $J$ 有什么区别？",
        options=(
            choice("损失针对单个样本；代价 $J(w, b)$ 是 $m$ 个训练样本的损失的平均值"),
            choice("同一个数的两个名字"),
            choice("损失针对训练集，代价针对测试集"),
            choice("代价针对单个样本；损失是整个训练集上的平均值"),
        ),
        hint="复习逻辑回归的代价函数：梯度下降最小化的是两者中的哪一个？每一个各看多少个样本？",
    ),
    Question(
        qid="Q4",
        title="矩阵加上一列",
        setup="a = np.random.randn(2, 3)  # a.shape == (2, 3)\n"
        "b = np.random.randn(2, 1)  # b.shape == (2, 1)",
        asked="c = a + b",
        prompt="`c` 的形状是什么？",
        options=(
            shape((2, 1)),
            shape((3, 2)),
            shape((2, 3)),
            error("报错：`a` 和 `b` 的形状对不上"),
        ),
        hint="复习广播：从右往左逐个维度比较两个形状；长度为 1 的维度会被拉伸，去匹配另一个。",
    ),
    Question(
        qid="Q5",
        title="形状不匹配的逐元素乘法",
        setup="a = np.random.randn(4, 3)  # a.shape == (4, 3)\n"
        "b = np.random.randn(3, 2)  # b.shape == (3, 2)",
        asked="c = a * b",
        prompt="`c` 的形状是什么？",
        options=(
            shape((4, 2)),
            error("报错：长度对不上，所以 `*` 无法把它们组合起来"),
            shape((4, 3)),
            shape((3, 3)),
        ),
        hint="复习广播，以及 `*`（逐元素相乘）和 `np.dot`（矩阵乘法）的区别；从右往左检查每个维度。",
    ),
    Question(
        qid="Q6",
        title="矩阵乘积的形状",
        setup="a = np.random.randn(12288, 150)  # a.shape == (12288, 150)\n"
        "b = np.random.randn(150, 45)     # b.shape == (150, 45)",
        asked="c = np.dot(a, b)",
        prompt="`c` 的形状是什么？",
        options=(
            shape((12288, 45)),
            shape((12288, 150)),
            shape((150, 150)),
            error("报错：`a` 和 `b` 的形状不同"),
        ),
        hint="复习矩阵乘法：np.dot 要求哪两个维度相等？哪些维度会留在结果里？",
    ),
    Question(
        qid="Q7",
        title="把双重循环向量化",
        setup="a = np.random.randn(3, 4)  # a.shape == (3, 4)\n"
        "b = np.random.randn(4, 1)  # b.shape == (4, 1); b[j, 0] is its j-th number",
        asked="c = np.zeros((3, 4))\n"
        "for i in range(3):\n"
        "    for j in range(4):\n"
        "        c[i, j] = a[i, j] + b[j, 0]",
        prompt="哪一行不用任何循环就能算出同样的 `c`？",
        options=(
            same_as("a + b"),
            same_as("a + b.T"),
            same_as("a.T + b"),
            same_as("a + b[0]"),
        ),
        hint="复习向量化和广播：写下两个操作数的形状，想一想下标 j 沿着 `a` 的哪个轴走。",
    ),
    Question(
        qid="Q8",
        title="列向量与方阵的广播",
        setup="a = np.random.randn(3, 3)  # a.shape == (3, 3)\n"
        "b = np.random.randn(3, 1)  # b.shape == (3, 1)",
        asked="c = a * b",
        prompt="会发生什么？（每个选项都写出了它等价的表达式；`np.tile(b, (1, 3))` 就是把 `b` "
               "复制成 3 列。）",
        options=(
            same_as("a @ np.tile(b, (1, 3))",
                    "广播把 `b` 复制成 3 列，然后 `*` 做两个 3×3 矩阵的矩阵乘法，所以 `c.shape == "
                    "(3, 3)`：`c = a @ np.tile(b, (1, 3))`"),
            same_as("a @ b",
                    "`*` 用 3×3 矩阵乘以 3×1 向量，所以 `c.shape == (3, 1)`：`c = a @ b`"),
            same_as("a * np.tile(b, (1, 3))",
                    "广播把 `b` 复制成 3 列，然后 `*` 逐元素相乘，所以 `c.shape == (3, 3)`：`c = "
                    "a * np.tile(b, (1, 3))`"),
            error("报错：`*` 无法把 (3, 3) 和 (3, 1) 的数组组合起来；需要用 `np.dot(a, b)`"),
        ),
        hint="复习广播，以及 `*` 和 `np.dot` 的区别：NumPy 的 `*` 做的是哪一种？长度为 1 "
             "的维度会怎样？",
    ),
    Question(
        qid="Q9",
        title="把一批图片展平",
        setup="m = 4  # number of images\n"
        "X = np.random.randn(m, 64, 64, 3)  # m images, 64 × 64 pixels, 3 colour channels",
        asked="X_flat = np.zeros((64 * 64 * 3, m))\n"
        "for i in range(m):\n"
        "    X_flat[:, i] = X[i].ravel()  # column i = image i, flattened",
        result="X_flat",
        prompt="这个循环构造出形状为 `(64 * 64 * 3, m)` 的 `X_flat`，每一列是一张展平的图片。"
               "哪一行能一步构造出同样的 `X_flat`？",
        options=(
            same_as("X.reshape(-1, m)"),
            same_as("X.reshape(m, -1)"),
            same_as("X.ravel()"),
            same_as("X.reshape(X.shape[0], -1).T"),
        ),
        hint="复习图片数据的 reshape：reshape 按行优先的顺序读写数字，"
             "所以想一想哪个轴必须在最前面，一张图片的数字才不会被拆散，以及转置改变了什么。",
    ),
    Question(
        qid="Q10",
        title="沿一个轴求和",
        setup="A = np.random.randn(3, 4)  # A.shape == (3, 4)",
        asked="c = A.sum(axis=0)",
        prompt="`A.sum(axis=0)` 加的是什么？（每个选项都写出了它等价的循环。）",
        options=(
            same_as("np.array([A[:, j].sum() for j in range(4)])",
                    "每一列：每列一个总和，`c[j] = A[:, j].sum()`"),
            same_as("np.array([A[i, :].sum() for i in range(3)])",
                    "每一行：每行一个总和，`c[i] = A[i, :].sum()`"),
            same_as("np.array(A.ravel().sum())",
                    "所有元素：一个数，`c = A.ravel().sum()`"),
            same_as("np.array(sum(A[k, k] for k in range(3)))",
                    "对角线：一个数，`c = sum(A[k, k] for k in range(3))`"),
        ),
        hint="复习广播和按轴求和：你指定的那个轴，就是从形状里消失的那个。",
    ),
    Question(
        qid="Q11",
        title="秩为 1 的数组",
        setup="a = np.random.randn(5)  # a 'rank-1 array': a.shape == (5,)",
        asked="c = np.dot(a, a.T)  # meant: the 5 × 5 outer product",
        prompt="`c` 的形状是什么？（这就是秩为 1 的数组容易出错的原因。）",
        options=(
            shape((5, 5), "`c.shape == (5, 5)`：外积，正如本意"),
            shape((5, 1), "`c.shape == (5, 1)`：一个列向量"),
            shape((), "`c.shape == ()`：一个数，因为 `a.T` 还是同一个 (5,) 数组"),
            shape((1, 1), "`c.shape == (1, 1)`：一个 1 × 1 的矩阵"),
        ),
        hint="复习 Python/NumPy 向量的说明：打印 `a.shape` 和 `a.T.shape`，尽量使用 (5, 1) 或 (1, "
             "5) 这样的形状，并用 `assert` 检查形状。",
    ),
    Question(
        qid="Q12",
        title="ReLU 与 sigmoid",
        prompt="隐藏层的激活函数用 ReLU 时，梯度下降为什么通常比用 sigmoid 训练得快？",
        options=(
            choice("ReLU 的输出在 0 到 1 之间，所以激活值永远不会变大"),
            choice("当 $|z|$ 很大时，sigmoid 的斜率几乎为 0，梯度消失，每一步都变得很小；而 ReLU "
                   "在 $z > 0$ 时斜率都是 1"),
            choice("ReLU 处处光滑，而 sigmoid 在 $z = 0$ 处有个折点"),
            choice("ReLU 没有要学习的参数，而 sigmoid 有两个"),
        ),
        hint="复习激活函数：画出每个函数和它的导数，想一想导数接近 0 时梯度下降会怎样。",
    ),
]

#: Shown when ``broadcast_shape`` in drill.py disagrees with NumPy.
DRILL_HINT = (
    "复习广播规则：把两个形状从右边对齐；前面缺少的维度按 1 算；两个维度相等或其中一个是 1 "
    "时才兼容；其他情况都是错误（抛出 ValueError）。"
)

MARKDOWN = Path(__file__).resolve().parent / "questions.md"


def markdown():
    """The text of ``questions.md``."""
    return render_markdown(TITLE, INTRODUCTION, QUESTIONS)
