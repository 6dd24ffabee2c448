"""The assignment as data: its notebooks and their graded cells.

Everything here reads the committed notebooks; points and grade ids are taken from the
nbgrader cell metadata (the one place they are defined), never retyped.

* :func:`read_notebook`, :func:`grade_cells`, :func:`solution_sources` inspect a notebook.
* :func:`make_submission` / :func:`reference_submission` build student submissions from the
  release notebook.

The paths below are the default assignment's (:data:`catvnoncat.facts.DEFAULT_ASSIGNMENT`); the
course's assignments are :func:`catvnoncat.facts.assignments` (the folders under ``source/``).
"""

import copy
import os
import re

import nbformat

from .facts import (CONFIG_NAME, DEFAULT_ASSIGNMENT, GRADEBOOK_ENV, REPO_ROOT,  # noqa: F401
                    STUDENT_HELPERS, course_config, nbgrader_meta, release_dir, source_dir,
                    student_module)

__all__ = [
    "ASSIGNMENT",
    "NOTEBOOK_NAME",
    "SOURCE_NOTEBOOK",
    "RELEASE_NOTEBOOK",
    "CONFIG_FILE",
    "STUDENT_HELPERS",
    "GRADEBOOK_ENV",
    "course_id",
    "read_notebook",
    "grade_cells",
    "solution_sources",
    "make_submission",
    "reference_submission",
]

#: The default nbgrader assignment (a folder under ``source/`` and ``release/``).
ASSIGNMENT = DEFAULT_ASSIGNMENT
#: Notebook name inside the assignment (without ``.ipynb``), as nbgrader's gradebook knows it.
NOTEBOOK_NAME = ASSIGNMENT
SOURCE_DIR = source_dir(ASSIGNMENT)
RELEASE_DIR = release_dir(ASSIGNMENT)
SOURCE_NOTEBOOK = SOURCE_DIR / f"{NOTEBOOK_NAME}.ipynb"
RELEASE_NOTEBOOK = RELEASE_DIR / f"{NOTEBOOK_NAME}.ipynb"
CONFIG_FILE = REPO_ROOT / CONFIG_NAME

# Whole lines holding an nbgrader solution marker (any comment style, any indentation).
_SOLUTION_MARKER = re.compile(r"^[ \t]*\S*[ \t]*(BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


def read_notebook(path):
    """Read a notebook file as nbformat version 4.

    Parameters
    ----------
    path : path-like
        An ``.ipynb`` file.

    Returns
    -------
    nbformat.NotebookNode
    """
    return nbformat.read(os.fspath(path), as_version=4)


def has_cell_ids(nb):
    """Whether ``nb``'s format has cell ids (nbformat 4.5 and later)."""
    return (nb.get("nbformat", 4), nb.get("nbformat_minor", 0)) >= (4, 5)


def unused_cell_id(nb, wanted):
    """``wanted`` made a valid cell id not yet used in ``nb`` (``wanted-2``, ``-3``... if taken)."""
    taken = {c.get("id") for c in nb.cells}
    base = re.sub(r"[^A-Za-z0-9_-]", "-", str(wanted or "cell"))[:56]
    new_id, n = base, 1
    while new_id in taken:
        n += 1
        new_id = f"{base}-{n}"
    return new_id


def grade_cells(nb):
    """The nbgrader cells of a notebook, from their metadata.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Source or release notebook.

    Returns
    -------
    dict
        ``{grade_id: {"points": float, "kind": kind}}`` in notebook order, where ``kind`` is
        ``"solution"`` (student code, no points), ``"test"`` (autograded test cell) or
        ``"manual"`` (answer cell graded by the instructor). Read-only cells are left out.
    """
    cells = {}
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if not (meta.get("grade") or meta.get("solution") or meta.get("task")):
            continue
        if meta.get("grade") and cell.cell_type == "code" and not meta.get("solution"):
            kind = "test"
        elif meta.get("grade") or meta.get("task"):
            kind = "manual"
        else:
            kind = "solution"
        points = float(meta.get("points", 0.0)) if kind != "solution" else 0.0
        cells[meta["grade_id"]] = {"points": points, "kind": kind}
    return cells


def solution_sources(source_nb):
    """The instructor's answers: every solution cell's text with the nbgrader markers removed.

    Parameters
    ----------
    source_nb : nbformat.NotebookNode
        The source notebook (with solutions).

    Returns
    -------
    dict
        ``{grade_id: source}`` for every cell students write in (code and free response).
    """
    return {
        nbgrader_meta(cell)["grade_id"]: _SOLUTION_MARKER.sub("", cell.source)
        for cell in source_nb.cells
        if nbgrader_meta(cell).get("solution")
    }


def make_submission(replacements=None, base=None):
    """A student submission: the release notebook with some answer cells rewritten.

    Parameters
    ----------
    replacements : dict, optional
        ``{grade_id: source}``; each named cell's source is replaced.
    base : nbformat.NotebookNode, optional
        Notebook to start from (not modified); defaults to the committed release notebook.

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    KeyError
        A grade id that no cell of ``base`` has.
    """
    nb = copy.deepcopy(base if base is not None else read_notebook(RELEASE_NOTEBOOK))
    by_id = {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if nbgrader_meta(c).get("grade_id")}
    for grade_id, source in (replacements or {}).items():
        if grade_id not in by_id:
            raise KeyError(f"no cell with grade_id {grade_id!r} in the notebook; "
                           f"known grade ids: {', '.join(by_id)}")
        by_id[grade_id].source = source
    return nb


def reference_submission():
    """The release notebook answered with the source notebook's solutions (full marks)."""
    return make_submission(solution_sources(read_notebook(SOURCE_NOTEBOOK)))


def course_id(course_dir=REPO_ROOT):
    """``CourseDirectory.course_id`` as ``nbgrader_config.py`` sets it (the one place it is defined)."""
    return course_config(course_dir).CourseDirectory.course_id
