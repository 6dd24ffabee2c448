"""The reference a submission is repaired against: what the release says each graded cell is,
and what identifies that cell in a student's notebook whatever its metadata."""

import ast
import os
import re
from pathlib import Path

import nbformat

__all__ = ["Reference", "load_reference", "reference_from_gradebook", "course_reference",
           "nbgrader_meta", "stripped_lines", "defined_names", "TEMPLATE_LINES"]


TEMPLATE_LINES = {"# YOUR CODE HERE", "raise NotImplementedError()", "YOUR ANSWER HERE"}


class Reference:
    """The release notebook's cells (the order and the nbgrader metadata to restore).

    Parameters
    ----------
    release : nbformat.NotebookNode
        The released notebook (or one rebuilt from the gradebook).
    solutions : dict, optional
        ``{grade_id: source}`` of the instructor's solutions: the names a data-step cell
        assigns are then recognised in a student's cell without the template comment.
    """

    def __init__(self, release, solutions=None):
        self.cells = list(release.cells)
        self.graded = {}  # grade_id -> index in self.cells, release order
        for index, cell in enumerate(self.cells):
            gid = nbgrader_meta(cell).get("grade_id")
            if gid and gid not in self.graded:
                self.graded[gid] = index
        self.signatures = {gid: _signature(self.cells[i], (solutions or {}).get(gid))
                           for gid, i in self.graded.items()}

    def cell(self, gid):
        return self.cells[self.graded[gid]]

    def meta(self, gid):
        return nbgrader_meta(self.cell(gid))


def load_reference(release_path, source_path=None):
    """A :class:`Reference` from the release notebook (and the source notebook, when given)."""
    release = nbformat.read(os.fspath(release_path), as_version=4)
    solutions = None
    if source_path is not None and Path(source_path).is_file():
        source = nbformat.read(os.fspath(source_path), as_version=4)
        solutions = {nbgrader_meta(c)["grade_id"]: c.source for c in source.cells
                     if nbgrader_meta(c).get("solution") and nbgrader_meta(c).get("grade_id")}
    return Reference(release, solutions)


def reference_from_gradebook(db_url, notebook, assignment):
    """A :class:`Reference` rebuilt from the gradebook, when the release notebook is gone."""
    from nbgrader.api import Gradebook

    cells = []
    with Gradebook(db_url) as gb:
        nb = gb.find_notebook(notebook, assignment)
        grades = {c.name: c.max_score for c in nb.grade_cells}
        solutions = {c.name for c in nb.solution_cells}
        for src in nb.source_cells:
            meta = {"grade": src.name in grades, "grade_id": src.name, "locked": bool(src.locked),
                    "schema_version": 3, "solution": src.name in solutions, "task": False,
                    "cell_type": src.cell_type, "checksum": src.checksum}
            if src.name in grades:
                meta["points"] = float(grades[src.name])
            cell = (nbformat.v4.new_code_cell if src.cell_type == "code"
                    else nbformat.v4.new_markdown_cell)(src.source)
            cell.metadata["nbgrader"] = meta
            cells.append(cell)
    return Reference(nbformat.v4.new_notebook(cells=cells))


def course_reference(root, source_dir, release_dir, assignment, notebook):
    """The :class:`Reference` of a course folder's notebook, or None without its release."""
    release = Path(root) / release_dir / assignment / f"{notebook}.ipynb"
    source = Path(root) / source_dir / assignment / f"{notebook}.ipynb"
    if release.is_file():
        return load_reference(release, source)
    return None


def nbgrader_meta(cell):
    """A cell's ``nbgrader`` entry, or ``{}`` when it has none or it is not a dict."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def stripped_lines(source):
    """The non-blank lines of a cell, stripped (how cells are compared)."""
    return [line.strip() for line in str(source).splitlines() if line.strip()]


def defined_names(source):
    """``(functions, names)`` a cell defines at top level (regexes when it does not parse)."""
    try:
        if len(str(source)) > 200_000:
            raise ValueError("too long to parse here")  # a huge cell: the regexes suffice
        tree = ast.parse(str(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        functions = set(re.findall(r"^def\s+([A-Za-z_]\w*)\s*\(", str(source), re.MULTILINE))
        names = set(re.findall(r"^([A-Za-z_]\w*)\s*=(?!=)", str(source), re.MULTILINE))
        return functions, names
    functions, names = set(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.add(sub.id)
    return functions, names


def _signature(cell, solution=None):
    """What identifies a release cell in a student's notebook whatever its metadata."""
    meta = nbgrader_meta(cell)
    lines = stripped_lines(cell.source)
    sig = {"type": cell.cell_type, "id": cell.get("id"), "text": "\n".join(lines),
           "comments": [], "calls": [], "functions": set(), "names": set()}
    if cell.cell_type != "code":
        return sig
    if meta.get("grade") and not meta.get("solution"):
        sig["calls"] = [line for line in lines if not line.startswith("#")][:2]
    elif meta.get("solution"):
        sig["comments"] = [line for line in lines if line.startswith("#")
                           and line not in TEMPLATE_LINES]
        functions, names = defined_names(cell.source)
        if solution is not None:
            more_functions, more_names = defined_names(solution)
            functions |= more_functions
            names |= more_names
        sig["functions"], sig["names"] = functions, names - functions
    return sig
