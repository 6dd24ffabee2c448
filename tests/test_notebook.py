"""The assignment notebook: format, grading structure, visible tests, and a full execution.

Grade ids and points are read from the notebook metadata (the one place they are defined);
the expected values of the visible tests are checked against ``catvnoncat.reference``.
"""

import ast
import contextlib
import io
import re
import subprocess
import time
import warnings

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from catvnoncat import course, judge
from support import mutants
from catvnoncat import reference as ref
from catvnoncat.data import DATA_ENV, DATASETS_DIR, load_dataset

SOURCE = course.read_notebook(course.SOURCE_NOTEBOOK)
RELEASE = course.read_notebook(course.RELEASE_NOTEBOOK)
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
#: Cell ids a person chose ("sigmoid-solution"), not the random ones Jupyter makes up.
READABLE_ID = re.compile(r"^[a-z]+(-[a-z0-9]+)*$")


def load_public_tests():
    """The student-facing ``public_tests.py`` as a fresh module (as the notebook imports it)."""
    return course.student_module("public_tests.py")


pt = load_public_tests()


def nbgrader_cells(nb):
    """``{grade_id: cell}`` of every cell with nbgrader metadata."""
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def visible_part(test_cell):
    return re.sub(rf"{HIDDEN_BEGIN}.*?{HIDDEN_END}\n?", "", test_cell.source, flags=re.S)


# --- committed format ----------------------------------------------------------------------

@pytest.mark.parametrize("path", [course.SOURCE_NOTEBOOK, course.RELEASE_NOTEBOOK],
                         ids=["source", "release"])
def test_committed_notebook_is_clean_valid_nbformat(path):
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor >= 5) == (4, True)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.kernelspec.language == "python"
    for cell in nb.cells:
        assert READABLE_ID.match(cell.id), f"cell id {cell.id!r} is not a stable readable id"
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {cell.id} has outputs"
            assert cell.execution_count is None, f"cell {cell.id} has an execution count"
    assert len({c.id for c in nb.cells}) == len(nb.cells), "duplicate cell ids"


def test_release_keeps_the_source_cell_ids_and_order():
    assert [c.id for c in RELEASE.cells] == [c.id for c in SOURCE.cells]


# --- grading structure (the contract) ------------------------------------------------------

def test_points_sum_to_100_with_one_manual_answer():
    cells = course.grade_cells(SOURCE)
    graded = {gid: c for gid, c in cells.items() if c["kind"] != "solution"}
    manual = [gid for gid, c in graded.items() if c["kind"] == "manual"]
    assert sum(c["points"] for c in graded.values()) == 100
    assert len(manual) == 1
    assert nbgrader_cells(SOURCE)[manual[0]].cell_type == "markdown"
    assert all(c["points"] > 0 for c in graded.values())
    # The release carries the same points (nbgrader copies the metadata).
    assert course.grade_cells(RELEASE) == cells


def test_every_solution_has_tests_named_after_it_and_each_test_calls_its_check():
    cells = course.grade_cells(SOURCE)
    solutions = [gid for gid, c in cells.items() if c["kind"] == "solution"]
    tests = [gid for gid, c in cells.items() if c["kind"] == "test"]
    assert solutions and tests
    for name in solutions:
        assert f"test_{name}" in tests, f"no test cell test_{name}"
    by_id = nbgrader_cells(SOURCE)
    for test_id in tests:
        tested = test_id.removeprefix("test_")
        assert any(tested == s or tested.startswith(s + "_") for s in solutions), test_id
        cell = by_id[test_id]
        assert cell.metadata.nbgrader["locked"], f"{test_id} must be read-only"
        source = cell.source
        hidden = source[source.index(HIDDEN_BEGIN):source.index(HIDDEN_END)]
        # The grader judges the cell outside the kernel: its hidden part runs nothing there.
        assert test_id in judge.TEST_CELLS, f"{test_id} has no judge"
        code = [line for line in hidden.splitlines()[1:] if line.strip()]
        assert code and all(line.lstrip().startswith("#") for line in code), test_id
        assert "public_tests." in visible_part(cell), f"{test_id} has no visible test"
        assert cell.source.startswith(HIDDEN_BEGIN), f"{test_id}: hidden part first"
    assert "test_propagate_vectorized" in tests and "test_predict_vectorized" in tests


def test_solution_cells_use_markers_and_release_shows_the_nbgrader_stub():
    release = nbgrader_cells(RELEASE)
    for gid, cell in nbgrader_cells(SOURCE).items():
        meta = cell.metadata.nbgrader
        if not meta["solution"]:
            continue
        if cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source, gid
            assert "# YOUR CODE HERE\n" in release[gid].source, gid
            assert "raise NotImplementedError()" in release[gid].source, gid
        else:
            assert release[gid].source == "YOUR ANSWER HERE", gid


def test_solution_sources_are_the_cells_without_markers():
    sources = course.solution_sources(SOURCE)
    for gid, code in sources.items():
        assert "SOLUTION" not in code, gid
    assert "def propagate(w, b, X, Y):" in sources["propagate"]
    namespace = {"np": np}
    exec(sources["sigmoid"], namespace)  # noqa: S102 - our own notebook's code
    assert namespace["sigmoid"](0) == 0.5


def test_make_submission_replaces_only_the_named_cells_and_rejects_unknown_ids():
    nb = course.make_submission({"sigmoid": "def sigmoid(z):\n    return z\n"})
    by_id = nbgrader_cells(nb)
    assert by_id["sigmoid"].source == "def sigmoid(z):\n    return z\n"
    assert by_id["propagate"].source == nbgrader_cells(RELEASE)["propagate"].source
    assert nbgrader_cells(RELEASE)["sigmoid"].source != by_id["sigmoid"].source  # a copy
    with pytest.raises(KeyError, match="no cell with grade_id 'sigmoidd'"):
        course.make_submission({"sigmoidd": "pass"})


def test_reference_submission_answers_every_solution_cell():
    nb = course.reference_submission()
    by_id = nbgrader_cells(nb)
    for gid, code in course.solution_sources(SOURCE).items():
        assert by_id[gid].source == code


def test_notebook_code_never_imports_catvnoncat_outside_hidden_tests():
    for cell in SOURCE.cells:
        if cell.cell_type != "code":
            continue
        code = re.sub(rf"{HIDDEN_BEGIN}.*?{HIDDEN_END}", "", cell.source, flags=re.S)
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("%"))
        for node in ast.walk(ast.parse(code)):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "catvnoncat" for n in names), cell.id


# --- visible tests: literals, verdicts, messages -------------------------------------------

def test_visible_expected_values_are_those_of_the_reference_solution():
    """Every literal in public_tests.py, recomputed with catvnoncat.reference on the real data."""
    train_x, train_y, test_x, test_y, _ = load_dataset()
    assert pt.DATASET_SHAPES == {"m_train": train_x.shape[0], "m_test": test_x.shape[0],
                                 "num_px": train_x.shape[1]}
    flat = {"train_set_x_flatten": ref.flatten(train_x), "test_set_x_flatten": ref.flatten(test_x)}
    for name, value in flat.items():
        assert pt.FLATTEN_SHAPES[name] == value.shape
        assert pt.FLATTEN_FIRST_VALUES[name] == value[:5, 0].tolist()
        assert pt.close(ref.standardize(value)[:5, 0],
                        pt.STANDARDIZE_FIRST_VALUES[name.removesuffix("_flatten")])
    for case in pt.SIGMOID_CASES:
        assert pt.close(ref.sigmoid(np.array(case["z"])), case["expected"])
    for case in pt.PROPAGATE_CASES:
        grads, cost = ref.propagate(np.array(case["w"]), case["b"], np.array(case["X"]),
                                    np.array(case["Y"]))
        assert pt.close(grads["dw"], case["dw"]) and pt.close(grads["db"], case["db"])
        assert pt.close(cost, case["cost"])
    for case in pt.OPTIMIZE_CASES:
        params, grads, costs = ref.optimize(np.array(case["w"]), case["b"], np.array(case["X"]),
                                            np.array(case["Y"]), case["num_iterations"],
                                            case["learning_rate"])
        assert pt.close(params["w"], case["w_out"]) and pt.close(params["b"], case["b_out"])
        assert pt.close(grads["dw"], case["dw"]) and pt.close(grads["db"], case["db"])
        assert pt.close(costs, case["costs"])
    for case in pt.PREDICT_CASES:
        assert pt.close(ref.predict(np.array(case["w"]), case["b"], np.array(case["X"])),
                        case["expected"])
    case = pt.MODEL_CASE
    d = ref.model(*(np.array(case[k]) for k in ("X_train", "Y_train", "X_test", "Y_test")),
                  num_iterations=case["num_iterations"], learning_rate=case["learning_rate"])
    for key in ("w", "b", "costs", "Y_prediction_train", "Y_prediction_test"):
        assert pt.close(d[key], case[key]), key


def test_the_classic_published_values_are_kept():
    """The first cases are the values published with the exercise (deeplearning.ai, week 2)."""
    assert pt.SIGMOID_CASES[0] == {"z": [0.0, 2.0], "expected": [0.5, 0.88079708]}
    assert pt.PROPAGATE_CASES[0]["cost"] == 5.801545319394553
    assert pt.OPTIMIZE_CASES[0]["b_out"] == 1.92535983008
    assert pt.PREDICT_CASES[0]["expected"] == [[1.0, 1.0, 0.0]]


def run_visible_tests(replacements, dataset):
    """Run every test cell's visible part on the source solutions with some cells replaced.

    Returns ``{test grade id: (passed, printed text)}``; nothing may reach stderr.
    """
    namespace = mutants.solution_namespace(mutants.notebook_solutions(SOURCE), replacements,
                                           dataset=dataset)
    namespace["public_tests"] = load_public_tests()
    outcomes = {}
    for gid, cell in nbgrader_cells(SOURCE).items():
        if cell.metadata.nbgrader["grade"] and cell.cell_type == "code":
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    exec(visible_part(cell), namespace)  # noqa: S102 - our own notebook's code
                    passed = True
                except Exception as error:  # noqa: BLE001 - the failure is the result
                    passed = False
                    out.write(f"{type(error).__name__}: {error}")
            assert err.getvalue() == "", f"{gid} wrote to stderr: {err.getvalue()}"
            outcomes[gid] = (passed, out.getvalue())
    return outcomes


def test_visible_tests_pass_on_the_source_solutions(dataset):
    outcomes = run_visible_tests({}, dataset)
    for gid, (passed, text) in outcomes.items():
        assert passed, f"{gid}: {text}"
        assert "all visible tests passed." in text and "NOT CHECKED" not in text, gid


@pytest.mark.parametrize("mutant", mutants.params())
def test_visible_tests_never_fail_a_cell_the_hidden_tests_pass(mutant, dataset):
    """One mistake costs one test cell: a visible test must not fail a cell the catalog says
    passes (a correct variant, or a function that only relies on the mutated one)."""
    outcomes = run_visible_tests(mutant.replacements, dataset)
    # A visible test whose prerequisite fails says so in one line and fails (nothing passes
    # unchecked): not a wrong verdict on the cell itself.
    wrongly_failed = {gid: text for gid, (passed, text) in outcomes.items()
                      if not passed and gid not in mutant.failing
                      and "is not checked yet" not in text}
    assert wrongly_failed == {}


@pytest.mark.parametrize("cells, test_id, message", [
    ({"sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"},
     "test_sigmoid", "got [0.5       , 0.11920292]. Compute 1 / (1 + exp(-z))"),
    ({"flatten": "train_set_x_flatten = train_set_x_orig.reshape(-1, train_set_x_orig.shape[0])\n"
                 "test_set_x_flatten = test_set_x_orig.reshape(-1, test_set_x_orig.shape[0])\n"},
     "test_flatten", "reshape(-1, m) gives the right shape but mixes"),
    ({"propagate": "def propagate(w, b, X, Y):\n"
                   "    A = sigmoid(w.T @ X + b)\n"
                   "    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))\n"
                   "    return {'dw': X @ (A - Y).T, 'db': np.sum(A - Y)}, cost\n"},
     "test_propagate", "Did you divide by m = X.shape[1]?"),
    pytest.param({"propagate": "def propagate(w, b, X, Y):\n"
                   "    m = X.shape[1]\n"
                   "    dw, db, cost = np.zeros_like(w), 0.0, 0.0\n"
                   "    for i in range(m):\n"
                   "        a = sigmoid(w[:, 0] @ X[:, i] + b)\n"
                   "        cost -= (Y[0, i] * np.log(a) + (1 - Y[0, i]) * np.log(1 - a)) / m\n"
                   "        dw[:, 0] += (a - Y[0, i]) * X[:, i] / m\n"
                   "        db += (a - Y[0, i]) / m\n"
                   "    return {'dw': dw, 'db': db}, cost\n"},
     "test_propagate_vectorized", "propagate loops over the examples",
                 marks=pytest.mark.slow),  # times a loop
    ({"predict": "def predict(w, b, X):\n    return sigmoid(w.T @ X + b)\n"},
     "test_predict", "not probabilities"),
    ({"initialize_with_zeros": "def initialize_with_zeros(dim):\n    return np.zeros(dim), 0.0\n"},
     "test_initialize_with_zeros", "w for dim = 2 shape: expected (2, 1), got (2,)"),
])
def test_visible_failures_say_expected_got_and_the_likely_mistake(cells, test_id, message, dataset):
    passed, text = run_visible_tests(cells, dataset)[test_id]
    assert not passed
    assert "VisibleTestFailure" in text
    # A value says what was expected and what came; the vectorization self-check says how its CPU
    # time grew (issue 20: measured, no line counts).
    assert ("expected" in text and "got" in text) or "CPU time grew" in text
    assert message in text


@pytest.mark.parametrize("cells, test_id, message", [
    ({"propagate": "def propagate(w, b, X, Y):\n"
                   "    m = X.shape[1]\n"
                   "    A = sigmoid(w.T @ X + b)\n"
                   "    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m\n"
                   "    return cost, {'dw': X @ (A - Y).T / m, 'db': np.sum(A - Y) / m}\n"},
     "test_propagate", "grads first"),
    ({"initialize_with_zeros": "def initialize_with_zeros(dim):\n"
                               "    return np.random.randn(dim, 1) * 0.01, 0\n"},
     "test_initialize_with_zeros", "starts w from random values"),
    ({"initialize_with_zeros": "def initialize_with_zeros(dim):\n"
                               "    w = None\n    b = 0.0\n    return w, b\n"},
     "test_initialize_with_zeros", "placeholder `w = None`"),
    ({"predict": "def predict(w, b, X):\n    A = None\n    return (A > 0.5).astype(float)\n"},
     "test_predict", "placeholder `A = None`"),
], ids=["propagate (cost, grads)", "random w", "w = None returned", "A = None used"])
def test_visible_tests_name_the_mistakes_of_issue_20(cells, test_id, message, dataset):
    """The sentences of the hidden tests, where a visible test can see the mistake."""
    passed, text = run_visible_tests(cells, dataset)[test_id]
    assert not passed and message in text


def test_visible_optimize_notes_an_in_place_update_without_failing(dataset):
    in_place = mutants.by_name("optimize_updates_in_place").replacements
    passed, text = run_visible_tests(in_place, dataset)["test_optimize"]
    assert passed and "changed an argument in place" in text


def test_a_function_whose_prerequisite_fails_fails_with_one_line_naming_it(dataset):
    wrong_sigmoid = {"sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"}
    outcomes = run_visible_tests(wrong_sigmoid, dataset)
    assert not outcomes["test_sigmoid"][0]
    for gid in ("test_propagate", "test_propagate_vectorized", "test_optimize", "test_predict",
                "test_model"):
        passed, text = outcomes[gid]
        assert not passed and "is not checked yet" in text and "Fix sigmoid first" in text, gid
        assert text.count("not checked yet") == 1 and "\n" not in text, (gid, text)


def test_warnings_of_student_code_go_to_stdout_not_stderr(dataset):
    noisy = {"sigmoid": "import warnings\n"
                        "def sigmoid(z):\n"
                        "    warnings.warn('careful')\n"
                        "    return 1 / (1 + np.exp(-z))\n"}
    passed, text = run_visible_tests(noisy, dataset)["test_sigmoid"]  # asserts stderr is empty
    assert passed and "note: sigmoid warned: UserWarning: careful" in text


# --- the whole notebook --------------------------------------------------------------------

@pytest.mark.slow
def test_source_notebook_runs_top_to_bottom_without_error(tmp_path, monkeypatch, capsys):
    """Executed with nbclient in a copy of the assignment folder; the time is printed, not asserted."""
    for name in course.STUDENT_HELPERS:
        (tmp_path / name).write_bytes((course.SOURCE_DIR / name).read_bytes())
    monkeypatch.setenv(DATA_ENV, str(DATASETS_DIR))
    # One BLAS thread, as when grading: a busy machine otherwise slows training several-fold.
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    nb = course.read_notebook(course.SOURCE_NOTEBOOK)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jupyter_client's own deprecation chatter
        # The kernel process's own log (a TCP notice) is not the notebook's stderr: drop it.
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute(
                           stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n[notebook] source notebook executed top to bottom in {seconds:.1f} s")
    outputs = {cell.id: cell.outputs for cell in nb.cells if cell.cell_type == "code"}
    for cell_id, cell_outputs in outputs.items():
        for output in cell_outputs:
            assert output.output_type != "error", f"{cell_id}: {output.get('evalue')}"
            assert not (output.output_type == "stream" and output.name == "stderr"), \
                f"{cell_id} wrote to stderr: {output.text}"
    printed = {cell_id: "".join(o.get("text", "") for o in cell_outputs)
               for cell_id, cell_outputs in outputs.items()}
    for gid, cell in nbgrader_cells(SOURCE).items():
        if cell.metadata.nbgrader["grade"] and cell.cell_type == "code":
            assert "all visible tests passed." in printed[cell.id], gid
    assert "train accuracy: 99.04306220095694 %" in printed["train"]
    assert "test accuracy: 70.0 %" in printed["train"]
    assert any(o.output_type == "display_data" and "image/png" in o.data
               for o in outputs["learning-rates-plot"]), "the learning-rate plot was not drawn"
    assert "the model predicts a 'cat' picture" in printed["own-picture"]
