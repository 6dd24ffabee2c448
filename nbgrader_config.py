"""nbgrader configuration of the catvnoncat course (the repository root is the course directory).

Plain `nbgrader generate_assignment|autograde|generate_feedback|export logistic_regression`,
run from this folder (with .venv activated: nbgrader runs the `alembic` program next to it when
it creates the gradebook), use these settings; scripts pass no flags of their own.

What each fault in a submission gets (measured with nbgrader 0.9.6 by `make demo`):

- infinite loop: the cell is interrupted after `Execute.timeout` seconds and gets a
  CellTimeoutError output; a test cell with it scores 0, the next cells run normally.
- kernel death (os._exit, segfault, out of memory): stock nbgrader aborts that student's whole
  notebook (nbclient raises DeadKernelError, nbgrader deletes the autograded copy, every part
  keeps score 0); here `ExecuteKeepingEarlierCells` keeps the points of the cells that ran
  before the death and marks every later code cell as not run (score 0).
- a deleted test cell is put back from the gradebook (with its hidden tests) and run;
- an edited test cell (e.g. `assert True`) is restored from the gradebook (nbgrader's
  OverwriteCells: test cells are locked and their checksum is checked) and run as released;
- a notebook that is not valid JSON cannot be read: nbgrader logs the error, scores that
  student 0 and grades the others (the command then exits with status 1).
"""

import os
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

ROOT = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "catvnoncat"
c.CourseDirectory.root = str(ROOT)
# Gradebook: SQLite file in the course folder unless an instructor points elsewhere.
c.CourseDirectory.db_url = os.environ.get("CATVNONCAT_GRADEBOOK_URL", f"sqlite:///{ROOT / 'gradebook.db'}")

# Only the notebook and the student-facing helpers are released; never the data or caches.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.h5", "feedback"]

# Per-cell time limit while autograding. The slowest honest cell, the 2000-step training on the
# real data, takes about 1.5 s on an idle laptop and was measured at 5 s on 2 cores shared with
# other jobs (the learning-rate comparison is one 1500-step cell per rate for this reason); 20 s
# keeps a margin of 4 and bounds an infinite loop: the cell is interrupted (KeyboardInterrupt),
# recorded as a CellTimeoutError that scores 0, and the next cells run. A student whose
# `optimize` never returns costs 20 s per cell that trains (6 cells: about 2 minutes).
c.Execute.timeout = 20
c.Execute.interrupt_on_timeout = True
# After a cell's reply, nbclient waits this long for its last outputs; nbgrader raises when that
# runs out and then drops the whole submission. A kernel just interrupted on a busy machine was
# seen to need more than nbclient's default 4 s, so give it ample time.
c.Execute.iopub_timeout = 30

# A student who deleted a test cell gets it back, hidden tests included, from the gradebook.
# (An edited test cell is always restored: test cells are locked, OverwriteCells compares the
# checksum recorded by generate_assignment and puts the released source back.)
c.OverwriteCells.add_missing_cells = True

# Kernels run in autograded/<student>/logistic_regression/; lr_utils.load_dataset() would find
# ../../../datasets by walking up, but say it explicitly so a gradebook or course folder moved
# elsewhere still reads the course's data.
if "CATVNONCAT_DATA" not in os.environ and (ROOT / "datasets" / "train_catvnoncat.h5").is_file():
    os.environ["CATVNONCAT_DATA"] = str(ROOT / "datasets")


# One BLAS thread per grading kernel. Multi-threaded OpenBLAS on a machine that is busy (several
# kernels, other jobs) spins for cores it cannot get: measured on 2 shared cores, the notebook's
# 2000-step training cell took 38 s with the default threads and 5 s with one thread.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")


class ExecuteKeepingEarlierCells(Execute):
    """nbgrader's Execute, except that a dying kernel costs only the cells from the death on.

    Stock nbgrader lets nbclient's DeadKernelError abort the whole notebook, so a student whose
    kernel dies in the last exercise loses every point. Here the cell that killed the kernel
    gets an error output saying so, every later code cell gets a "not run" error output (both
    score 0, as nbgrader scores any error), and the cells that ran before keep their results.
    """

    def preprocess(self, nb, resources=None, km=None):
        self._died_in = None
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if self._died_in is None:
            try:
                return super().preprocess_cell(cell, resources, index)
            except DeadKernelError:
                self._died_in = index
                cell.outputs.append(_error("DeadKernelError", (
                    "The Python kernel died while running this cell (os._exit, a crash or out "
                    "of memory); the cells after it were not run.")))
                return cell, resources
        if cell.cell_type == "code" and cell.source.strip():
            cell.outputs = [_error("NotRun", (
                f"Not run: the kernel died earlier, in cell {self._died_in + 1} of the notebook.")),
            ]
        return cell, resources


def _error(name, message):
    return NotebookNode(output_type="error", ename=name, evalue=message,
                        traceback=[f"{name}: {message}"])


c.Autograde.autograde_preprocessors = [
    ExecuteKeepingEarlierCells if p is Execute else p
    for p in Autograde.class_traits()["autograde_preprocessors"].default()
]
