"""A student's day with the released folder alone (issue 13, points 1, 2 and 4).

- Validate (``nbgrader validate``, what JupyterLab's Validate button runs) on the untouched
  release names every unfinished graded part, once per cell, each with a short message;
- a failing visible test shows its message and the student's line, never the test machinery,
  wrapped to fit; a prerequisite that fails makes the later cells fail with one line naming it;
- the visible vectorization self-check reaches the grader's verdict, with the grader's numbers;
- ``lr_utils.load_dataset()`` in a lone assignment folder downloads, verifies and caches the data
  (local HTTP server on 127.0.0.1), and says what to do when the source is bad or unreachable.
"""

import contextlib
import hashlib
import http.server
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from catvnoncat import checksums, course, data
from support import mutants

RELEASE_DIR = course.RELEASE_NOTEBOOK.parent
NBGRADER = [sys.executable, "-m", "nbgrader"]
RELEASE = course.read_notebook(course.RELEASE_NOTEBOOK)
#: Validate's own width (nbgrader indents by 4 and cuts lines at 90 with "...").
MAX_LINE = 86


def autograded_test_cells(nb=RELEASE):
    """``{grade id: source}`` of the autograded test cells (eleven of them)."""
    return {c.metadata.nbgrader["grade_id"]: c.source.strip() for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


def copy_release(tmp_path):
    folder = tmp_path / course.ASSIGNMENT
    shutil.copytree(RELEASE_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def student_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CATVNONCAT_", "PYTEST_"))}
    env.update(HOME=str(tmp_path), CATVNONCAT_DATA=str(data.DATASETS_DIR),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    env.update(extra)
    return env


def validate_blocks(output):
    """``[(cell source, error text)]`` of each failed cell in ``nbgrader validate``'s output."""
    blocks = []
    for chunk in output.split("The following cell failed:")[1:]:
        source, _, error = chunk.partition("The error was:")
        error = error.split("=" * 20)[0]
        blocks.append((re.sub(r"\s+", " ", source).strip(), error.strip("\n")))
    return blocks


# --- point 1: Validate lists every unfinished part, once, briefly ---------------------------

@pytest.mark.slow
def test_validate_on_the_untouched_release_names_every_unfinished_graded_part_once(tmp_path):
    folder = copy_release(tmp_path)
    result = subprocess.run([*NBGRADER, "validate", f"{course.NOTEBOOK_NAME}.ipynb"], cwd=folder,
                            env=student_env(tmp_path), capture_output=True, text=True, timeout=300)
    output = result.stdout
    assert "VALIDATION FAILED ON 12 CELL(S)!" in output, output[-3000:]
    blocks = validate_blocks(output)
    sources = [source for source, _ in blocks]
    expected = [re.sub(r"\s+", " ", s) for s in autograded_test_cells().values()]
    for source in expected:  # nbgrader cuts long sources with "..."
        assert sum(source[:60] in s for s in sources) == 1, (source, sources)
    assert "YOUR ANSWER HERE" in sources  # the written answer
    assert len(blocks) == 12
    for source, error in blocks:
        lines = error.splitlines()
        assert 1 <= len([line for line in lines if line.strip()]) <= 6, (source, error)
        assert "public_tests.py" not in error and "NOT CHECKED" not in error, error
        assert all(len(line) <= 90 and not line.endswith("...") for line in lines
                   if "VisibleTestFailure" in error), error
    assert "NOT CHECKED" not in output and "all visible tests passed" not in output
    for gid in ("test_propagate", "test_optimize", "test_predict", "test_model"):
        error = dict(blocks)[re.sub(r"\s+", " ", autograded_test_cells()[gid])]
        assert "is not implemented yet" in error and error.count("VisibleTestFailure") == 1, error


# --- point 2: the message and the student's line, wrapped -----------------------------------

MATH_SIGMOID = ("import math\n\ndef sigmoid(z):\n    s = 1 / (1 + math.exp(-z))\n    return s\n")


def notebook_with(replacements, skip_data=True):
    """The release notebook with its solution cells filled from the source notebook, some of them
    replaced, and (``skip_data``) without the cells that need the data set."""
    solutions = mutants.notebook_solutions()
    nb = course.read_notebook(course.RELEASE_NOTEBOOK)
    kept = []
    data_cells = {"load_dataset", "dataset_shapes", "test_dataset_shapes", "flatten",
                  "test_flatten", "standardize", "test_standardize"}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code" or (skip_data and gid in data_cells):
            continue
        if gid is None and cell.id not in ("packages",) and "def accuracy" not in cell.source:
            continue
        if gid in replacements:
            cell.source = replacements[gid]
        elif cell.metadata.get("nbgrader", {}).get("solution") and gid in solutions:
            cell.source = solutions[gid]
        kept.append(cell)
    nb.cells = kept
    return nb


def run_in_kernel(nb, folder):
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute(
                       stderr=subprocess.DEVNULL)
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}


def error_of(cell):
    errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1, cell.outputs
    return errors[0]


def flat(text):
    return re.sub(r"\s+", " ", text)


@pytest.mark.slow
def test_failing_visible_tests_show_message_and_student_line_never_the_machinery(tmp_path):
    folder = copy_release(tmp_path)
    cells = run_in_kernel(notebook_with({"sigmoid": MATH_SIGMOID}), folder)
    hints = course.student_module("hints.py")
    error = error_of(cells["test_sigmoid"])
    shown = "\n".join(error.traceback)
    assert error.ename == "VisibleTestFailure"
    assert "public_tests" not in shown and "Traceback" not in shown and "\x1b[" not in shown
    assert len(error.traceback) <= 6, shown
    assert all(len(line) <= 80 for line in error.traceback), shown
    assert flat(hints.MATH_ON_ARRAYS) in flat(shown)
    assert "s = 1 / (1 + math.exp(-z))" in shown and "in sigmoid" in shown and "Cell In[" in shown
    # The functions that rely on sigmoid fail too, each with one line naming it.
    for gid in ("test_propagate", "test_propagate_vectorized", "test_optimize", "test_predict",
                "test_predict_vectorized", "test_model"):
        error = error_of(cells[gid])
        shown = flat(" ".join(error.traceback))
        assert error.ename == "VisibleTestFailure" and "is not checked yet" in shown, gid
        assert "Fix sigmoid first" in shown and shown.count("not checked yet") == 1, shown
        assert not any("all visible tests passed" in o.get("text", "") for o in cells[gid].outputs)
    # initialize_with_zeros does not rely on sigmoid: it passes.
    assert "all visible tests passed" in "".join(
        o.get("text", "") for o in cells["test_initialize_with_zeros"].outputs)


@pytest.mark.slow
def test_an_error_inside_the_test_machinery_is_one_short_message(tmp_path):
    folder = copy_release(tmp_path)
    no_db = ("def propagate(w, b, X, Y):\n    m = X.shape[1]\n    A = sigmoid(w.T @ X + b)\n"
             "    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m\n"
             "    return {'dw': X @ (A - Y).T / m}, cost\n")
    cells = run_in_kernel(notebook_with({"propagate": no_db}), folder)
    error = error_of(cells["test_propagate"])
    shown = flat(" ".join(error.traceback))
    assert "propagate's result has no key 'db'" in shown and len(error.traceback) <= 4, shown


# --- point 2: the visible vectorization self-check and the grader agree --------------------

LOOP_PROPAGATE = """
def propagate(w, b, X, Y):
    m = X.shape[1]
    dw, db, cost = np.zeros_like(w), 0.0, 0.0
    for i in range(m):
        a = sigmoid(w[:, 0] @ X[:, i] + b)
        cost -= (Y[0, i] * np.log(a) + (1 - Y[0, i]) * np.log(1 - a)) / m
        dw[:, 0] += (a - Y[0, i]) * X[:, i] / m
        db += (a - Y[0, i]) / m
    return {'dw': dw, 'db': db}, cost
"""
STUDENT_SIGMOID = "def sigmoid(z):\n    a = -z\n    return 1 / (1 + np.exp(a))\n"


@pytest.mark.parametrize("source", [pytest.param(LOOP_PROPAGATE, id="loop", marks=pytest.mark.slow),
                                    pytest.param(mutants.notebook_solutions()["propagate"],
                                                 id="vectorized")])
def test_visible_self_check_reaches_the_graders_verdict(source):
    from catvnoncat import judge
    from catvnoncat.judge import growth, vectorized

    pt = course.student_module("public_tests.py")
    namespace = {"np": np}
    exec(compile(STUDENT_SIGMOID, "<ipython-input-1>", "exec"), namespace)  # noqa: S102
    exec(compile(source, "<ipython-input-2>", "exec"), namespace)  # noqa: S102
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            pt.propagate_vectorized_test(namespace["propagate"])
        visible = True
    except AssertionError:
        visible = False
    grader = judge.judge("test_propagate_vectorized", judge.InProcessProber(namespace))
    assert visible == grader.passed == (source != LOOP_PROPAGATE), grader.message()
    # One rule, one set of numbers: the grader's come from the visible tests.
    assert growth.LOOP_FROM == pt.VECTORIZED_LOOP_FROM
    assert vectorized.SHAPES["examples"] == (1, pt.VECTORIZED_SIZES[1])
    assert growth.LOOP_FROM >= 10 * growth.VECTORIZED_BELOW


# --- point 4: the lone assignment folder fetches its data -----------------------------------

class _Server:
    """A local HTTP server on 127.0.0.1 serving ``folder``; counts the requests."""

    def __init__(self, folder):
        server = self
        self.requests = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(folder), **kwargs)

            def log_message(self, *args):
                server.requests.append(self.path)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def lone_lr_utils(folder):
    """``lr_utils`` imported from a copy of the released folder."""
    spec = importlib.util.spec_from_file_location("_lone_lr_utils", folder / "lr_utils.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def lone(tmp_path, monkeypatch):
    """A lone copy of the released folder, outside any course, as the working directory."""
    folder = copy_release(tmp_path / "home")
    monkeypatch.chdir(folder)
    for name in ("CATVNONCAT_DATA", "CATVNONCAT_MIRROR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CATVNONCAT_CACHE", str(tmp_path / "cache"))
    return lone_lr_utils(folder), tmp_path / "cache"


def test_checksums_in_lr_utils_are_generated_from_datasets_sha256sums():
    lr_utils = course.student_module("lr_utils.py")
    assert lr_utils.SHA256 == data.read_checksums(), \
        "run .venv/bin/python -m catvnoncat.checksums, then make release"
    assert checksums.render() in (course.SOURCE_DIR / "lr_utils.py").read_text(encoding="utf-8")
    assert lr_utils.DEFAULT_MIRROR == data.DEFAULT_MIRROR
    readme = (data.DATASETS_DIR / "README.md").read_text(encoding="utf-8")
    assert lr_utils.DEFAULT_MIRROR in readme
    released = (RELEASE_DIR / "lr_utils.py").read_text(encoding="utf-8")
    assert checksums.render() in released
    assert not list(RELEASE_DIR.rglob("*.h5"))


def test_lone_folder_downloads_verifies_and_caches_the_data(lone, monkeypatch):
    lr_utils, cache = lone
    with _Server(data.DATASETS_DIR) as server:
        monkeypatch.setenv("CATVNONCAT_MIRROR", server.url)
        train_x, train_y, test_x, test_y, classes = lr_utils.load_dataset()
        assert train_x.shape == (209, 64, 64, 3) and test_y.shape == (1, 50)
        assert sorted(server.requests) == ["/test_catvnoncat.h5", "/train_catvnoncat.h5"]
        lr_utils.load_dataset()  # the second time, from the cache
        assert len(server.requests) == 2
    for name, digest in data.read_checksums().items():
        assert hashlib.sha256((cache / name).read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in cache.iterdir()) == sorted(data.read_checksums())
    assert not list(Path.cwd().rglob("*.h5"))  # nothing in the folder that is handed in


def test_a_corrupted_source_is_refused_and_leaves_nothing(lone, monkeypatch, tmp_path):
    lr_utils, cache = lone
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in data.read_checksums():
        (bad / name).write_bytes((data.DATASETS_DIR / name).read_bytes()[:-100] + b"x" * 100)
    with _Server(bad) as server:
        monkeypatch.setenv("CATVNONCAT_MIRROR", server.url)
        with pytest.raises(lr_utils.DatasetError) as raised:
            lr_utils.load_dataset()
    message = str(raised.value)
    assert "is not the expected file" in message and "_catvnoncat.h5" in message
    assert server.url in message and "CATVNONCAT_MIRROR" in message
    assert list(cache.iterdir()) == []


@pytest.mark.parametrize("problem", ["unreachable", "missing"])
def test_an_unreachable_or_empty_source_says_what_to_do(lone, monkeypatch, tmp_path, problem):
    lr_utils, cache = lone
    empty = tmp_path / "empty"
    empty.mkdir()
    with _Server(empty) as server:
        url = server.url
        if problem == "missing":
            monkeypatch.setenv("CATVNONCAT_MIRROR", url)
            with pytest.raises(lr_utils.DatasetError, match="HTTP 404"):
                lr_utils.load_dataset()
    if problem == "unreachable":  # the server is gone: connection refused
        monkeypatch.setenv("CATVNONCAT_MIRROR", url)
        with pytest.raises(lr_utils.DatasetError, match="Could not download") as raised:
            lr_utils.load_dataset()
        assert "Check your network" in str(raised.value)
    assert not any(cache.iterdir()) if cache.exists() else True


@pytest.mark.slow
def test_a_notebook_in_a_lone_folder_loads_the_data_through_the_mirror(tmp_path):
    """The real thing: the released notebook's loading cell, run by a kernel in a lone folder."""
    folder = copy_release(tmp_path)
    nb = course.read_notebook(course.RELEASE_NOTEBOOK)
    nb.cells = [c for c in nb.cells if c.cell_type == "code" and (
        c.id == "packages" or c.metadata.get("nbgrader", {}).get("grade_id") == "load_dataset")]
    nb.cells.append(nbformat.v4.new_code_cell("print(train_set_x_orig.shape, test_set_y.shape)"))
    env_before = dict(os.environ)
    with _Server(data.DATASETS_DIR) as server:
        os.environ.pop("CATVNONCAT_DATA", None)
        os.environ.update(CATVNONCAT_MIRROR=server.url, CATVNONCAT_CACHE=str(tmp_path / "cache"))
        try:
            with contextlib.suppress(Exception):
                run_in_kernel(nb, folder)
        finally:
            os.environ.clear()
            os.environ.update(env_before)
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert "(209, 64, 64, 3) (1, 50)" in printed, nb.cells
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(data.read_checksums())


# --- issue 22: a test cell that cannot start says why in one sentence ------------------------

NO_COLON_PROPAGATE = "def propagate(w, b, X, Y)\n    m = X.shape[1]\n    return None\n"


def validate(folder, tmp_path):
    result = subprocess.run([*NBGRADER, "validate", f"{course.NOTEBOOK_NAME}.ipynb"], cwd=folder,
                            env=student_env(tmp_path), capture_output=True, text=True, timeout=300)
    return {gid: error for gid, source in autograded_test_cells().items()
            for block_source, error in validate_blocks(result.stdout)
            if re.sub(r"\s+", " ", source)[:60] in block_source}


def test_validate_gives_one_sentence_for_data_steps_syntax_errors_and_missing_functions(tmp_path):
    """The untouched data steps, a `def propagate` without its colon and an
    initialize_with_zeros renamed: Validate shows the grader's sentence, the student's line and
    a caret, never a NameError traceback."""
    folder = copy_release(tmp_path)
    nb = course.read_notebook(folder / f"{course.NOTEBOOK_NAME}.ipynb")
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "propagate":
            cell.source = NO_COLON_PROPAGATE
        if gid == "initialize_with_zeros":
            cell.source = "def initialize_with_zero(dim):\n    return np.zeros((dim, 1)), 0.0\n"
    nbformat.write(nb, folder / f"{course.NOTEBOOK_NAME}.ipynb")
    hints = course.student_module("hints.py")
    errors = validate(folder, tmp_path)
    assert not any("NameError" in error or "Traceback" in error for error in errors.values()), \
        errors
    for gid, name in (("test_dataset_shapes", "m_train"), ("test_flatten", "train_set_x_flatten"),
                      ("test_standardize", "train_set_x")):
        assert flat(f"{name} is not defined. {hints.NOT_SET.format(name=name)}") in \
            flat(errors[gid]), errors[gid]
        assert errors[gid].count("is not defined") == 1, errors[gid]  # once, not repeated
    for gid in ("test_propagate", "test_propagate_vectorized"):
        error = errors[gid]
        assert "propagate is not defined: its cell has a syntax error (expected ':')" in flat(error)
        lines = error.splitlines()
        at = next(i for i, line in enumerate(lines) if "def propagate(w, b, X, Y)" in line)
        assert "In your code (Cell In[" in lines[at - 1] and ", line 1)" in lines[at - 1]
        assert lines[at + 1].strip() == "^"
        assert lines[at + 1].index("^") == lines[at].index(")") + 1  # where the colon is missing
        assert "not right" not in error and error.count("is not defined") == 1, error
    name = "initialize_with_zeros"
    assert flat(f"{name} is not defined. {hints.NOT_DEFINED.format(name=name)}") in \
        flat(errors["test_initialize_with_zeros"])


def test_other_errors_in_a_test_cell_and_outside_one_are_shown_as_usual(tmp_path):
    folder = copy_release(tmp_path)
    nb = notebook_with({})
    nb.cells += [nbformat.v4.new_code_cell("undefined_thing + 1"),
                 nbformat.v4.new_code_cell("public_tests.sigmoid_test(sigmoid) + 1 / 0")]
    run_in_kernel(nb, folder)
    plain, test = nb.cells[-2], nb.cells[-1]
    assert error_of(plain).ename == "NameError"
    assert error_of(test).ename == "ZeroDivisionError"


# --- issue 22: the quiz in a fetched folder ----------------------------------------------------

def test_the_readme_quiz_step_works_in_a_fetched_assignment_folder(tmp_path):
    """README "For students" step 7, run as written in a copy of the released folder (what
    fetch_assignment gives): the quiz is there, unanswered; answered, it passes."""
    from catvnoncat.quiz_key import KEY

    readme = (course.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    step = readme[readme.index("7. **The quiz**"):readme.index("The Assignment List and these")]
    command = re.findall(r"```sh\n(.*?)\n\s*```", step, re.S)[0].strip()
    assert command == "pytest quiz" and "logistic_regression/` folder" in step
    folder = copy_release(tmp_path)
    env = student_env(tmp_path)
    fresh = subprocess.run(["bash", "-c", command], cwd=folder, env=env, capture_output=True,
                           text=True, timeout=300)
    assert fresh.returncode == 1 and "error" not in fresh.stdout.splitlines()[-1], fresh.stdout
    assert all(f"{qid}: not answered yet" in fresh.stdout for qid in KEY), fresh.stdout[-2000:]
    (folder / "quiz" / "answers.py").write_text(
        "".join(f"{qid} = {letter!r}\n" for qid, letter in KEY.items()))
    (folder / "quiz" / "drill.py").write_text(
        "import numpy as np\n\n\ndef broadcast_shape(shape_a, shape_b):\n"
        "    return tuple(np.broadcast_shapes(shape_a, shape_b))\n")
    answered = subprocess.run(["bash", "-c", command], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=300)
    assert answered.returncode == 0, answered.stdout[-3000:]
