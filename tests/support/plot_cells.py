"""Run an edition's packages cell and plotting cells as written, on small stand-in data, and print
every text each plot draws (``python plot_cells.py <assignment>``; run by tests/test_i18n.py).

The cells run as in a notebook: from the assignment's source folder (so ``lr_utils`` is the
edition's own, imported after matplotlib by the packages cell), with the Agg backend and every
warning an error (matplotlib's ``Glyph ... missing from font(s)`` included). What the cells print
comes first on stdout; the last line is :data:`MARK` and the drawn texts as JSON: one list per
figure shown, the figure's visible texts in drawing order.
"""

import json
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

#: Starts the last line of stdout (the drawn texts follow it).
MARK = "@@drawn-texts@@"
#: The cells run after the packages cell: every cell of the notebook that draws text.
PLOT_CELLS = ("learning-curve", "misclassified", "learning-rates-plot", "own-picture")


def stand_in_data():
    """Small arrays in place of the dataset and the trained models (8 x 8 pictures)."""
    import numpy as np

    from catvnoncat import reference

    rng = np.random.default_rng(0)
    costs = list(np.linspace(0.69, 0.1, 20))
    return {
        "classes": np.array([b"non-cat", b"cat"]), "num_px": 8,
        "sigmoid": reference.sigmoid, "predict": reference.predict,
        "logistic_regression_model": {
            "costs": costs, "learning_rate": 0.005, "w": rng.normal(size=(8 * 8 * 3, 1)) / 100,
            "b": 0.0, "Y_prediction_test": np.array([[1.0, 0.0, 1.0, 1.0, 0.0]])},
        "test_set_y": np.array([[0, 0, 1, 0, 1]]),
        "test_set_x_orig": rng.integers(0, 255, (5, 8, 8, 3), dtype=np.uint8),
        "learning_rates": [0.01, 0.001],
        "models": {0.01: {"costs": costs}, 0.001: {"costs": costs}},
    }


def main(assignment):
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from catvnoncat import course, facts

    folder = facts.source_dir(assignment)
    nb = course.read_notebook(folder / f"{assignment}.ipynb")
    cells = {cell.id: cell.source for cell in nb.cells}
    drawn = []

    def show():
        figure = plt.gcf()
        figure.canvas.draw()
        drawn.append([t.get_text() for t in figure.findobj(Text)
                      if t.get_visible() and t.get_text()])
        plt.close(figure)

    plt.show = show
    sys.path.insert(0, str(folder))
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        packages = "\n".join(line for line in cells["packages"].split("\n")
                             if not line.lstrip().startswith("%"))
        exec(compile(packages, "packages", "exec"), namespace)
        namespace.update(stand_in_data())
        for cell in PLOT_CELLS:
            exec(compile(cells[cell], cell, "exec"), namespace)
    print(MARK + json.dumps(drawn, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
