"""The quiz questions: the one place where they are written.

``questions.md`` is rendered from this file by the course's one regeneration command (named
in the course README's quiz section); the checks in
``test_quiz_answers.py`` read the questions from here too. NumPy questions carry the code that
the check runs; see ``marking.py`` for how the right option is found.
"""

from pathlib import Path

from marking import Question, choice, error, render_markdown, same_as, shape

TITLE = "Quiz: neurons, logistic regression, NumPy shapes and broadcasting"

INTRODUCTION = """
<!-- Rendered from quiz/questions.py by the course's regeneration command (see the course README): edit that file, not this one. -->

Write one letter per question in `quiz/answers.py` (for example `Q1 = "C"`), implement
`broadcast_shape` in `quiz/drill.py`, then run `pytest quiz` from the folder that holds `quiz/`. Each
question passes, or fails with a hint about the idea to revisit. In the NumPy questions, `np` is
`numpy` and `np.random.randn(...)` makes an array of the given shape.
"""

QUESTIONS = [
    Question(
        qid="Q1",
        title="What a neuron computes",
        prompt="In logistic regression seen as a neural network, what does the single neuron compute?",
        options=(
            choice("It applies an activation $g$ to each input, then sums them: $z = \\sum_i g(x_i)$"),
            choice("Only a linear function $z = w^T x + b$; the activation is not part of the neuron"),
            choice("A linear function $z = w^T x + b$, followed by an activation $a = g(z)$"),
            choice("The average of its inputs, $a = \\frac{1}{n_x} \\sum_i x_i$"),
        ),
        hint="revisit 'logistic regression as a neural network': follow x through the neuron "
        "to the prediction y-hat, one operation at a time.",
    ),
    Question(
        qid="Q2",
        title="The logistic loss",
        prompt="Which formula is the logistic loss of one example, with prediction "
        "$\\hat y = \\sigma(w^T x + b)$ and label $y \\in \\{0, 1\\}$?",
        options=(
            choice("$\\mathcal{L}(\\hat y, y) = \\frac{1}{2} (\\hat y - y)^2$"),
            choice("$\\mathcal{L}(\\hat y, y) = y \\log \\hat y + (1 - y) \\log (1 - \\hat y)$"),
            choice("$\\mathcal{L}(\\hat y, y) = \\max(0, 1 - y \\hat y)$"),
            choice("$\\mathcal{L}(\\hat y, y) = -\\big(y \\log \\hat y + (1 - y) \\log (1 - \\hat y)\\big)$"),
        ),
        hint="revisit the logistic regression cost function: the loss must be small when "
        "y-hat is close to y, large when it is far, and convex for gradient descent.",
    ),
    Question(
        qid="Q3",
        title="Loss versus cost",
        prompt="What is the difference between the loss $\\mathcal{L}$ and the cost $J$?",
        options=(
            choice("The loss is for one example; the cost $J(w, b)$ is the average loss over the "
                   "$m$ training examples"),
            choice("They are two names for the same number"),
            choice("The loss is for the training set, the cost for the test set"),
            choice("The cost is for one example; the loss is the average over the training set"),
        ),
        hint="revisit the logistic regression cost function: which of the two does gradient "
        "descent minimise, and how many examples does each one look at?",
    ),
    Question(
        qid="Q4",
        title="Adding a column to a matrix",
        setup="a = np.random.randn(2, 3)  # a.shape == (2, 3)\n"
        "b = np.random.randn(2, 1)  # b.shape == (2, 1)",
        asked="c = a + b",
        prompt="What is the shape of `c`?",
        options=(
            shape((2, 1)),
            shape((3, 2)),
            shape((2, 3)),
            error("An error: the shapes of `a` and `b` do not match"),
        ),
        hint="revisit broadcasting: compare the shapes dimension by dimension from the right; "
        "a dimension of size 1 is stretched to match the other one.",
    ),
    Question(
        qid="Q5",
        title="Element-wise product of mismatched shapes",
        setup="a = np.random.randn(4, 3)  # a.shape == (4, 3)\n"
        "b = np.random.randn(3, 2)  # b.shape == (3, 2)",
        asked="c = a * b",
        prompt="What is the shape of `c`?",
        options=(
            shape((4, 2)),
            error("An error: the sizes do not match, so `*` cannot combine them"),
            shape((4, 3)),
            shape((3, 3)),
        ),
        hint="revisit broadcasting and the difference between `*` (element-wise) and "
        "`np.dot` (matrix product); check each dimension from the right.",
    ),
    Question(
        qid="Q6",
        title="Shape of a matrix product",
        setup="a = np.random.randn(12288, 150)  # a.shape == (12288, 150)\n"
        "b = np.random.randn(150, 45)     # b.shape == (150, 45)",
        asked="c = np.dot(a, b)",
        prompt="What is the shape of `c`?",
        options=(
            shape((12288, 45)),
            shape((12288, 150)),
            shape((150, 150)),
            error("An error: `a` and `b` have different shapes"),
        ),
        hint="revisit matrix multiplication: which dimensions must agree in np.dot, and which "
        "ones survive into the result?",
    ),
    Question(
        qid="Q7",
        title="Vectorizing a double loop",
        setup="a = np.random.randn(3, 4)  # a.shape == (3, 4)\n"
        "b = np.random.randn(4, 1)  # b.shape == (4, 1); b[j, 0] is its j-th number",
        asked="c = np.zeros((3, 4))\n"
        "for i in range(3):\n"
        "    for j in range(4):\n"
        "        c[i, j] = a[i, j] + b[j, 0]",
        prompt="Which line computes the same `c` without any loop?",
        options=(
            same_as("a + b"),
            same_as("a + b.T"),
            same_as("a.T + b"),
            same_as("a + b[0]"),
        ),
        hint="revisit vectorization and broadcasting: write down the shapes of both operands, "
        "and ask which axis of `a` the index j runs along.",
    ),
    Question(
        qid="Q8",
        title="Broadcasting a column against a square matrix",
        setup="a = np.random.randn(3, 3)  # a.shape == (3, 3)\n"
        "b = np.random.randn(3, 1)  # b.shape == (3, 1)",
        asked="c = a * b",
        prompt="What happens? (Each option also names the expression it amounts to; "
        "`np.tile(b, (1, 3))` is `b` copied into 3 columns.)",
        options=(
            same_as("a @ np.tile(b, (1, 3))",
                    "Broadcasting copies `b` into 3 columns, then `*` is the matrix product of two "
                    "3×3 matrices, so `c.shape == (3, 3)`: `c = a @ np.tile(b, (1, 3))`"),
            same_as("a @ b",
                    "`*` multiplies the 3×3 matrix by the 3×1 vector, so `c.shape == (3, 1)`: "
                    "`c = a @ b`"),
            same_as("a * np.tile(b, (1, 3))",
                    "Broadcasting copies `b` into 3 columns, then `*` multiplies element by "
                    "element, so `c.shape == (3, 3)`: `c = a * np.tile(b, (1, 3))`"),
            error("An error: `*` cannot combine a (3, 3) and a (3, 1) array; you need `np.dot(a, b)`"),
        ),
        hint="revisit broadcasting and the difference between `*` and `np.dot`: which one does "
        "NumPy use for `*`, and what does a size-1 dimension do?",
    ),
    Question(
        qid="Q9",
        title="Flattening a batch of images",
        setup="m = 4  # number of images\n"
        "X = np.random.randn(m, 64, 64, 3)  # m images, 64 × 64 pixels, 3 colour channels",
        asked="X_flat = np.zeros((64 * 64 * 3, m))\n"
        "for i in range(m):\n"
        "    X_flat[:, i] = X[i].ravel()  # column i = image i, flattened",
        result="X_flat",
        prompt="The loop builds `X_flat` of shape `(64 * 64 * 3, m)`, one flattened image per "
        "column. Which line builds the same `X_flat` in one go?",
        options=(
            same_as("X.reshape(-1, m)"),
            same_as("X.reshape(m, -1)"),
            same_as("X.ravel()"),
            same_as("X.reshape(X.shape[0], -1).T"),
        ),
        hint="revisit reshaping the image data: reshape reads and writes the numbers in "
        "row-major order, so ask which axis has to come first for one image to stay together, "
        "and what a transpose changes.",
    ),
    Question(
        qid="Q10",
        title="Summing along an axis",
        setup="A = np.random.randn(3, 4)  # A.shape == (3, 4)",
        asked="c = A.sum(axis=0)",
        prompt="What does `A.sum(axis=0)` add up? (Each option names the loop it amounts to.)",
        options=(
            same_as("np.array([A[:, j].sum() for j in range(4)])",
                    "Each column: one total per column, `c[j] = A[:, j].sum()`"),
            same_as("np.array([A[i, :].sum() for i in range(3)])",
                    "Each row: one total per row, `c[i] = A[i, :].sum()`"),
            same_as("np.array(A.ravel().sum())",
                    "Every entry: a single number, `c = A.ravel().sum()`"),
            same_as("np.array(sum(A[k, k] for k in range(3)))",
                    "The diagonal: a single number, `c = sum(A[k, k] for k in range(3))`"),
        ),
        hint="revisit broadcasting and axis sums: the axis you name is the one that "
        "disappears from the shape.",
    ),
    Question(
        qid="Q11",
        title="Rank-1 arrays",
        setup="a = np.random.randn(5)  # a 'rank-1 array': a.shape == (5,)",
        asked="c = np.dot(a, a.T)  # meant: the 5 × 5 outer product",
        prompt="What is the shape of `c`? (This is why rank-1 arrays are risky.)",
        options=(
            shape((5, 5), "`c.shape == (5, 5)`: the outer product, as intended"),
            shape((5, 1), "`c.shape == (5, 1)`: a column vector"),
            shape((), "`c.shape == ()`: a single number, because `a.T` is the same (5,) array"),
            shape((1, 1), "`c.shape == (1, 1)`: a 1 × 1 matrix"),
        ),
        hint="revisit the note on Python/NumPy vectors: print `a.shape` and `a.T.shape`, and "
        "prefer shapes like (5, 1) or (1, 5) with an `assert` on the shape.",
    ),
    Question(
        qid="Q12",
        title="ReLU versus sigmoid",
        prompt="Why does gradient descent usually train faster with ReLU than with the sigmoid "
        "as the hidden activation?",
        options=(
            choice("ReLU's output lies between 0 and 1, so the activations never grow large"),
            choice("For large $|z|$ the sigmoid's slope is almost 0, so the gradient vanishes and "
                   "the steps become tiny; ReLU's slope is 1 for every $z > 0$"),
            choice("ReLU is smooth everywhere, while the sigmoid has a kink at $z = 0$"),
            choice("ReLU has no parameters to learn, while the sigmoid has two"),
        ),
        hint="revisit activation functions: sketch each one and its derivative, and ask what "
        "gradient descent does when the derivative is close to zero.",
    ),
]

#: Shown when ``broadcast_shape`` in drill.py disagrees with NumPy.
DRILL_HINT = (
    "revisit the broadcasting rules: line the two shapes up from the right; missing leading "
    "dimensions count as 1; two dimensions are compatible when they are equal or one of them "
    "is 1; anything else is an error (raise ValueError)."
)

MARKDOWN = Path(__file__).resolve().parent / "questions.md"


def markdown():
    """The text of ``questions.md``."""
    return render_markdown(TITLE, INTRODUCTION, QUESTIONS)
