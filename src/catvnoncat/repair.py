"""Repair honest submissions that stock nbgrader cannot grade, before ``nbgrader autograde`` grades them.

Three steps, each set in ``nbgrader_config.py`` where nbgrader offers a hook for it, so that plain
``nbgrader autograde`` uses them:

* :func:`pre_convert_hook` (``c.Autograde.pre_convert_hook``, called by nbgrader for each
  student before their notebooks are converted): a **renamed notebook**
  (``logistic_regression-Copy1.ipynb``, ``logistic_regression (1).ipynb``) is graded as
  ``logistic_regression.ipynb``: the single notebook in the folder, or the one whose cells match
  the release best. It adds a symbolic link under the released name next to the student's file
  (the file itself is never changed) and puts it in the list nbgrader is about to grade.
* :class:`NotebookReader` (``c.Autograde.exporter_class``): nbgrader's notebook exporter, which
  also reads a file that starts with a byte-order mark (saved by Windows editors; stock
  nbformat says "not JSON").
* :class:`RepairSubmission` (first of ``c.Autograde.sanitize_preprocessors``): inside the
  notebook, on its JSON only (no code runs): duplicated grade ids (a copied cell keeps its
  nbgrader metadata), nbgrader metadata lost or damaged (an editor that drops cell metadata, a
  rebuilt notebook), cells with an empty ``nbgrader`` entry, a markdown cell with attachments
  turned back into code, and grade cells nbgrader itself cannot put back (it needs the cell
  before them).

A repair never changes what the student wrote, never moves code between cells and never gives
points: it only restores the release's nbgrader metadata on the cell it belongs to, and the
judged test cells then decide the points as for any submission. Each repair is one plain
sentence, in the student's feedback (a markdown cell at the top of the autograded notebook,
without nbgrader metadata) and in the autograded notebook's metadata
``catvnoncat.repairs`` (see :func:`repairs_of`). What cannot be repaired is said by
:func:`unrepairable_reason` (for the instructor's report); nbgrader scores it 0.
"""

import copy
import difflib
import html
import json
import os
import re
import ast
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = [
    "METADATA_KEY",
    "Reference",
    "load_reference",
    "repair_notebook",
    "record_repairs",
    "repairs_of",
    "match_count",
    "choose_notebook",
    "pre_convert_hook",
    "read_notebook_bytes",
    "NotebookReader",
    "RepairSubmission",
    "unrepairable_reason",
]

#: Notebook metadata key of this course; its ``repairs`` entry lists what was repaired.
METADATA_KEY = "catvnoncat"
#: The feedback cell's first words.
NOTE_TITLE = "**Repaired before grading.**"
#: What the resources of a conversion carry from the reader to :class:`RepairSubmission`.
_READ_REPAIRS = "catvnoncat_read_repairs"
_FLAGS = ("grade", "solution", "locked", "task")
_ORDINALS = ["first", "second", "third", "fourth", "fifth"]
_COUNTS = ["no", "one", "two", "three", "four", "five"]
_TEMPLATE_LINES = {"# YOUR CODE HERE", "raise NotImplementedError()", "YOUR ANSWER HERE"}


# -- the reference: what the release says each graded cell is ----------------------------------

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
            gid = _meta(cell).get("grade_id")
            if gid and gid not in self.graded:
                self.graded[gid] = index
        self.signatures = {gid: _signature(self.cells[i], (solutions or {}).get(gid))
                           for gid, i in self.graded.items()}

    def cell(self, gid):
        return self.cells[self.graded[gid]]

    def meta(self, gid):
        return _meta(self.cell(gid))


def load_reference(release_path, source_path=None):
    """A :class:`Reference` from the release notebook (and the source notebook, when given)."""
    release = nbformat.read(os.fspath(release_path), as_version=4)
    solutions = None
    if source_path is not None and Path(source_path).is_file():
        source = nbformat.read(os.fspath(source_path), as_version=4)
        solutions = {_meta(c)["grade_id"]: c.source for c in source.cells
                     if _meta(c).get("solution") and _meta(c).get("grade_id")}
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


def _meta(cell):
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def _lines(source):
    return [line.strip() for line in str(source).splitlines() if line.strip()]


def _defined(source):
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
    meta = _meta(cell)
    lines = _lines(cell.source)
    sig = {"type": cell.cell_type, "id": cell.get("id"), "text": "\n".join(lines),
           "comments": [], "calls": [], "functions": set(), "names": set()}
    if cell.cell_type != "code":
        return sig
    if meta.get("grade") and not meta.get("solution"):
        sig["calls"] = [line for line in lines if not line.startswith("#")][:2]
    elif meta.get("solution"):
        sig["comments"] = [line for line in lines if line.startswith("#")
                           and line not in _TEMPLATE_LINES]
        functions, names = _defined(cell.source)
        if solution is not None:
            more_functions, more_names = _defined(solution)
            functions |= more_functions
            names |= more_names
        sig["functions"], sig["names"] = functions, names - functions
    return sig


class _Features:
    """What :func:`_evidence` reads of a student's cell, computed once per cell."""

    def __init__(self, cell):
        self.cell = cell
        self.lines = _lines(cell.get("source", ""))
        self.line_set = set(self.lines)
        self.text = "\n".join(self.lines)
        self._defined = None

    @property
    def defined(self):
        if self._defined is None:
            self._defined = _defined(self.cell.get("source", ""))
        return self._defined


def _evidence(sig, cell):
    """``(score, why)``: how surely ``cell`` is the release cell of signature ``sig`` (0: no sign)."""
    features = cell if isinstance(cell, _Features) else _Features(cell)
    cell, lines, text = features.cell, features.line_set, features.text
    if not text:
        return 0, ""
    if sig["calls"]:
        if all(call in lines for call in sig["calls"]):
            return 100, f"its test call {sig['calls'][0]}"
        return 0, ""
    if sig["functions"] or sig["names"]:
        functions, names = features.defined
        if sig["functions"] & functions:
            name = sorted(sig["functions"] & functions)[0]
            return 100, f"its def {name}"
        comments = [c for c in sig["comments"] if c in lines]
        if comments:
            return 90, "the template's comment"
        if sig["names"] and sig["names"] <= names:
            return 80, f"the names it sets ({', '.join(sorted(sig['names']))})"
        return 0, ""
    if sig["comments"] and any(c in lines for c in sig["comments"]):
        return 90, "the template's comment"
    if not sig["text"]:
        return 0, ""
    if text == sig["text"]:
        return 100, "its text"
    if sig["type"] == "code" and cell.get("cell_type") == "markdown":
        return 0, ""
    if not (len(text) <= 1.5 * len(sig["text"]) and len(sig["text"]) <= 1.5 * len(text)):
        return 0, ""  # a ratio of 0.8 needs lengths within 1.5x (and spares huge cells)
    matcher = difflib.SequenceMatcher(None, sig["text"], text, autojunk=False)
    if matcher.quick_ratio() < 0.8:
        return 0, ""
    return (70, "its text") if matcher.ratio() >= 0.8 else (0, "")


# -- the repair of one notebook -----------------------------------------------------------------

def _metadata_ok(meta, ref_meta):
    """The cell's nbgrader entry says what the release says and nbgrader can read it."""
    if not isinstance(meta, dict) or meta.get("schema_version") != 3:
        return False
    allowed = {"schema_version", "grade", "locked", "solution", "task", "grade_id", "points",
               "checksum", "cell_type"}
    if set(meta) - allowed or not isinstance(meta.get("grade_id"), str):
        return False
    if any(not isinstance(meta.get(flag, False), bool)
           or meta.get(flag, False) != ref_meta.get(flag, False) for flag in _FLAGS):
        return False
    if ref_meta.get("grade"):
        points = meta.get("points")
        if isinstance(points, bool) or not isinstance(points, (int, float)):
            return False
        if float(points) != float(ref_meta.get("points", 0)):
            return False
    for key, kind in (("checksum", str), ("cell_type", str)):
        if key in meta and not isinstance(meta[key], kind):
            return False
    return True


def _nice_list(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _new_cell(nb, cell):
    """``cell`` made fit for ``nb``: a fresh cell id where the notebook's format has ids."""
    cell = copy.deepcopy(cell)
    if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) >= 5:
        taken = {c.get("id") for c in nb.cells}
        base = re.sub(r"[^A-Za-z0-9_-]", "-", str(cell.get("id") or "catvnoncat"))[:50]
        new_id, n = base, 1
        while new_id in taken:
            n += 1
            new_id = f"{base}-{n}"
        cell["id"] = new_id
    else:
        cell.pop("id", None)
    return cell


def _keeper(nb, indices, ref_cell, locked):
    """Which of several cells sharing a grade id is graded (see :func:`repair_notebook`)."""
    released = "\n".join(_lines(ref_cell.source))
    if locked:
        preferred = [i for i in indices if "\n".join(_lines(nb.cells[i].source)) == released]
    else:
        preferred = [i for i in indices if "\n".join(_lines(nb.cells[i].source)) != released]
    return (preferred or indices)[-1]


def repair_notebook(nb, reference, put_back=True):
    """Repair ``nb`` in place so that nbgrader can grade it; return one sentence per repair.

    * Several cells with the same grade id (a copied cell keeps its metadata): the copy whose
      source differs from the release is graded (for a locked cell: the one that equals it),
      else the later one; the others become plain cells (their ``nbgrader`` entry removed,
      their code kept and run as any other cell).
    * A graded or read-only release cell with no valid cell in ``nb`` (metadata lost, damaged,
      or an unknown grade id): the student's cell that holds it is found by its content (the
      ``def`` it holds, the template's comment lines, the names it sets, the test call, the
      text of a read-only cell), its cell id and its position between the cells already
      placed; the release's ``nbgrader`` entry is restored on it.
    * An ``nbgrader`` entry that belongs to no release cell is removed (nbgrader fails on it).
    * A grade cell that is missing, and that nbgrader cannot put back itself (it inserts a
      missing grade cell after the grade or solution cell before it, which must be there), is
      put back as released.
    * A cell with attachments that must become a code cell loses the attachments (nbgrader
      would fail to convert it).

    ``put_back=False`` leaves missing grade cells missing (to count what a notebook holds).
    """
    repairs = []
    ref_ids = reference.graded
    # 1. sort every nbgrader entry: valid (anchored), damaged, or stray
    anchored, damaged, stray = {}, {}, 0
    for index, cell in enumerate(nb.cells):
        if "nbgrader" not in cell.get("metadata", {}):
            continue
        meta = cell.metadata["nbgrader"]
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if gid in ref_ids and _metadata_ok(meta, reference.meta(gid)):
            anchored.setdefault(gid, []).append(index)
            continue
        if gid in ref_ids:
            damaged[index] = gid
        elif isinstance(meta, dict) and not any(meta.get(flag) for flag in _FLAGS):
            stray += 1  # an entry for an ungraded cell (nbgrader's own tools leave these)
        else:
            damaged[index] = None
        del cell.metadata["nbgrader"]
    # 2. duplicated grade ids
    for gid, indices in anchored.items():
        if len(indices) < 2:
            continue
        keep = _keeper(nb, indices, reference.cell(gid), bool(reference.meta(gid).get("locked")))
        for index in indices:
            if index != keep:
                del nb.cells[index].metadata["nbgrader"]
        count = _COUNTS[len(indices)] if len(indices) < len(_COUNTS) else str(len(indices))
        which = indices.index(keep)
        which = _ORDINALS[which] if which < len(_ORDINALS) else f"number {which + 1}"
        repairs.append(f"{count} cells had grade id {gid}: graded the {which} (cell {keep + 1}); "
                       f"the other{'s are' if len(indices) > 2 else ' is'} kept as "
                       f"{'plain cells' if len(indices) > 2 else 'a plain cell'}, not graded")
        anchored[gid] = [keep]
    placed = {gid: indices[0] for gid, indices in anchored.items()}
    # 3. find the cells whose metadata was lost or damaged
    restored = {}
    for by_position in (False, True):  # what its content shows first, then what its place does
        found = _match_lost(nb, reference, placed, damaged, by_position)
        for gid, (index, why) in found.items():
            nb.cells[index].metadata["nbgrader"] = copy.deepcopy(reference.meta(gid))
            placed[gid] = index
        restored.update(found)
    if restored:
        names = [gid for gid, _ in sorted(restored.items(), key=lambda item: item[1][0])]
        repairs.append(f"the nbgrader metadata of {len(names)} cell{'s' if len(names) > 1 else ''} "
                       f"was missing or damaged: restored from the release notebook for "
                       f"{_nice_list(names)} (each found by its position and content)")
    lost = sorted(set(damaged) - {index for index, _ in restored.values()})
    if lost:
        repairs.append(f"{len(lost)} cell{'s' if len(lost) > 1 else ''} with damaged nbgrader "
                       f"metadata matched no release cell (cell{'s' if len(lost) > 1 else ''} "
                       f"{_nice_list([str(i + 1) for i in lost])}): kept as plain cells")
    if stray:
        repairs.append(f"removed an empty nbgrader entry from {stray} cell"
                       f"{'s' if stray > 1 else ''} (nbgrader fails on it)")
    # 4. grade cells nbgrader cannot put back
    if put_back:
        repairs += _put_back_grade_cells(nb, reference, placed)
    # 5. attachments on a cell that must become code
    for gid, index in placed.items():
        cell = nb.cells[index]
        if reference.cell(gid).cell_type == "code" and cell.cell_type != "code" \
                and "attachments" in cell:
            del cell["attachments"]
            repairs.append(f"cell {gid} had been turned into a {cell.cell_type} cell with "
                           f"attachments: graded as a code cell, without the attachments")
    return repairs


def _landmarks(nb, reference, placed):
    """``{release index: notebook index}`` of the cells whose place is known: the graded
    cells already placed and the plain cells whose text appears once in both notebooks."""
    marks = {reference.graded[gid]: index for gid, index in placed.items()}
    texts = {}
    for index, cell in enumerate(reference.cells):
        if not _meta(cell) and cell.source.strip():
            texts.setdefault(("\n".join(_lines(cell.source)), cell.cell_type), []).append(index)
    seen = {}
    for index, cell in enumerate(nb.cells):
        if "nbgrader" in cell.get("metadata", {}):
            continue
        key = ("\n".join(_lines(cell.get("source", ""))), cell.get("cell_type"))
        seen.setdefault(key, []).append(index)
    for key, ref_indices in texts.items():
        if len(ref_indices) == 1 and len(seen.get(key, [])) == 1:
            marks[ref_indices[0]] = seen[key][0]
    # keep only landmarks in increasing order on both sides (a moved cell gives no position)
    ordered, last = {}, -1
    for ref_index in sorted(marks):
        if marks[ref_index] > last:
            ordered[ref_index] = last = marks[ref_index]
    return ordered


def _match_lost(nb, reference, placed, damaged, by_position=True):
    """``{grade_id: (cell index, why)}`` for the release cells not placed yet."""
    missing = [gid for gid in reference.graded if gid not in placed]
    if not missing:
        return {}
    marks = _landmarks(nb, reference, placed)
    landmark_cells = set(marks.values())
    free = [i for i, cell in enumerate(nb.cells)
            if "nbgrader" not in cell.get("metadata", {}) and i not in landmark_cells]
    features = {index: _Features(nb.cells[index]) for index in free}
    candidates = []
    for gid in missing:
        ref_index = reference.graded[gid]
        ref_cell = reference.cells[ref_index]
        sig = reference.signatures[gid]
        before = max((m for r, m in marks.items() if r < ref_index), default=-1)
        after = min((m for r, m in marks.items() if r > ref_index), default=len(nb.cells))
        prev_mark = marks.get(ref_index - 1)
        next_mark = marks.get(ref_index + 1)
        for index in free:
            cell = nb.cells[index]
            score, why = _evidence(sig, features[index])
            if damaged.get(index) == gid:
                score, why = score + 100, why or "its grade id"
            if ref_cell.get("id") and cell.get("id") == ref_cell.get("id"):
                score, why = score + 60, why or "its cell id"
            compatible = (cell.get("cell_type") == ref_cell.cell_type
                          or cell.get("cell_type") == "raw")
            if before < index < after:
                score += 20
                if compatible and index in (None if prev_mark is None else prev_mark + 1,
                                            None if next_mark is None else next_mark - 1):
                    score, why = score + 40, why or "its position"
            elif damaged.get(index) != gid and (score < 100 or reference.meta(gid).get("grade")):
                # out of place: only a cell that still names its grade id; a grade cell is
                # judged where it stands, so it is never taken from elsewhere by its content
                continue
            if not by_position and why == "its position":
                continue
            if score >= 60 and (compatible or score >= 100):
                candidates.append((score, -abs(index - before), gid, index, why))
    result, used = {}, set()
    for score, _, gid, index, why in sorted(candidates, reverse=True):
        if gid not in result and index not in used:
            result[gid] = (index, why)
            used.add(index)
    return result


def _put_back_grade_cells(nb, reference, placed):
    """Put back the missing grade cells whose previous release nbgrader cell is not a grade or
    solution cell present in ``nb`` (nbgrader's add_missing_cells fails there)."""
    repairs = []
    order = list(reference.graded)
    # the cells nbgrader's add_missing_grade_cells can insert after: grade or solution cells
    anchors = {g for g in placed
               if reference.meta(g).get("grade") or reference.meta(g).get("solution")}
    for position, gid in enumerate(order):
        meta = reference.meta(gid)
        if gid in placed or not meta.get("grade"):
            continue
        prev = order[position - 1] if position else None
        if prev is None or prev in anchors:
            anchors.add(gid)
            continue  # nbgrader puts it back itself, as for any deleted test cell
        earlier = [placed[g] for g in order[:position] if g in placed]
        at = max(earlier) + 1 if earlier else 0
        nb.cells.insert(at, _new_cell(nb, reference.cell(gid)))
        for g in placed:
            if placed[g] >= at:
                placed[g] += 1
        placed[gid] = at
        anchors.add(gid)
        repairs.append(f"cell {gid} was missing: put back as released (cell {at + 1}), so that the "
                       f"rest of the notebook could be graded")
    return repairs


# -- saying what was repaired -------------------------------------------------------------------

def _md_escape(text):
    text = html.escape(str(text), quote=False)
    return re.sub(r"([\\`*_\[\]{}#|!~])", r"\\\1", text)


def record_repairs(nb, repairs):
    """Write ``repairs`` into ``nb``: metadata ``catvnoncat.repairs`` and a markdown cell first."""
    if not repairs:
        return nb
    store = nb.metadata.setdefault(METADATA_KEY, {})
    store["repairs"] = list(store.get("repairs", [])) + list(repairs)
    text = (f"{NOTE_TITLE} Your notebook could not be graded as it was submitted; the grader "
            "repaired it first, without changing your code:\n\n"
            + "\n".join(f"- {_md_escape(line)}" for line in store["repairs"]) + "\n")
    note = nbformat.v4.new_markdown_cell(text, id="catvnoncat-repairs")
    note.metadata[METADATA_KEY] = {"repair_note": True}
    existing = [i for i, c in enumerate(nb.cells)
                if c.get("metadata", {}).get(METADATA_KEY, {}).get("repair_note")]
    if existing:
        nb.cells[existing[0]].source = text
    else:
        nb.cells.insert(0, _new_cell(nb, note))
    return nb


def repairs_of(notebook):
    """The repair sentences recorded in an autograded notebook (a path or a notebook)."""
    if not isinstance(notebook, dict):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    repairs = notebook.get("metadata", {}).get(METADATA_KEY, {}).get("repairs", [])
    return [str(line) for line in repairs] if isinstance(repairs, list) else []


# -- reading a file, choosing the notebook ------------------------------------------------------

def read_notebook_bytes(raw):
    """``(notebook, repairs)`` from a file's bytes, also when it starts with a byte-order mark.

    Raises what nbformat raises for anything else that is not a notebook.
    """
    repairs = []
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                          (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            raw = raw[len(bom):].decode(encoding).encode("utf-8")
            repairs.append("the file began with a byte-order mark (saved by a Windows editor): "
                           "read without it")
            break
    return nbformat.reads(raw.decode("utf-8"), as_version=4), repairs


def match_count(nb, reference):
    """How many of the release's graded and read-only cells ``nb`` holds (by metadata or content)."""
    trial = copy.deepcopy(nb)
    repair_notebook(trial, reference, put_back=False)
    return sum(1 for c in trial.cells if _meta(c).get("grade_id") in reference.graded)


def _answered(nb, reference):
    return sum(1 for c in nb.cells if _meta(c).get("solution")
               and _meta(c).get("grade_id") in reference.graded
               and _lines(c.source) != _lines(reference.cell(_meta(c)["grade_id"]).source))


def choose_notebook(folder, name, reference=None, taken=()):
    """The notebook in ``folder`` to grade as ``<name>.ipynb`` when that file is missing.

    Returns
    -------
    (Path or None, str)
        The chosen file and a sentence saying why, or ``None`` and why none can be chosen.
        Only regular files directly in ``folder`` are considered (never a link), except the
        notebooks named in ``taken`` (the assignment's other notebooks).
    """
    folder = Path(folder)
    files = sorted(p for p in folder.glob("*.ipynb")
                   if p.is_file() and not p.is_symlink() and p.stem not in taken
                   and p.stem != name)
    if not files:
        return None, f"no {name}.ipynb in the submission, and no other notebook"
    readable, problems = [], []
    for path in files:
        try:
            nb, _ = read_notebook_bytes(path.read_bytes())
        except Exception as e:  # noqa: BLE001 - any reason a file is not a notebook
            problems.append(f"{path.name}: {type(e).__name__}")
            continue
        readable.append((path, nb))
    if not readable:
        return None, (f"no {name}.ipynb in the submission, and no other notebook can be read "
                      f"({'; '.join(problems)})")
    if len(files) == 1:
        return readable[0][0], f"the only notebook in the folder is {readable[0][0].name}"
    if reference is None:
        return None, (f"no {name}.ipynb in the submission, and several notebooks: "
                      f"{_nice_list([p.name for p in files])}")
    scored = sorted(((match_count(nb, reference), _answered(nb, reference),
                      path.stat().st_mtime, path.name, path) for path, nb in readable),
                    reverse=True)
    best = scored[0]
    if best[0] == 0:
        return None, (f"no {name}.ipynb in the submission, and none of its notebooks "
                      f"({_nice_list([p.name for p in files])}) holds the assignment's cells")
    others = [s[3] for s in scored[1:]]
    return best[4], (f"{best[4].name} matches the release best (of {best[4].name}, "
                     f"{_nice_list(others)})")


def _course_dirs():
    """``(root, source, release, db_url)`` of the running nbgrader command (else the defaults)."""
    coursedir = None
    try:
        from nbgrader.apps.autogradeapp import AutogradeApp

        if AutogradeApp.initialized():
            coursedir = AutogradeApp.instance().coursedir
    except Exception:  # noqa: BLE001 - not inside nbgrader: the defaults below
        coursedir = None
    if coursedir is None:
        return Path.cwd(), "source", "release", None
    return Path(coursedir.root), coursedir.source_directory, coursedir.release_directory, \
        coursedir.db_url


def _reference_for(root, source_dir, release_dir, assignment, notebook):
    release = Path(root) / release_dir / assignment / f"{notebook}.ipynb"
    source = Path(root) / source_dir / assignment / f"{notebook}.ipynb"
    if release.is_file():
        return load_reference(release, source)
    return None


def pre_convert_hook(assignment=None, student=None, notebooks=None, **_):
    """nbgrader's ``pre_convert_hook``: grade a renamed notebook under its released name.

    nbgrader calls it for each student folder with the list of notebooks it is about to grade
    (``notebooks``, absolute paths). For each notebook of the assignment missing from the
    folder, the notebook chosen by :func:`choose_notebook` gets a symbolic link under the
    released name, which is added to ``notebooks`` (nbgrader then grades it, and skips the
    renamed file as an unknown notebook). The student's file is left as it is.
    """
    if not notebooks:
        return
    import logging

    log = logging.getLogger("catvnoncat.repair")
    root, source_dir, release_dir, _ = _course_dirs()
    for folder in sorted({Path(n).parent for n in notebooks}):
        assignment_id = folder.name
        expected = {p.stem for p in (Path(root) / source_dir / assignment_id).glob("*.ipynb")}
        if not expected:
            expected = {p.stem for p in (Path(root) / release_dir / assignment_id).glob("*.ipynb")}
        present = {p.stem for p in folder.glob("*.ipynb")}
        for name in sorted(expected - present):
            reference = _reference_for(root, source_dir, release_dir, assignment_id, name)
            chosen, why = choose_notebook(folder, name, reference, taken=expected)
            if chosen is None:
                log.warning("%s: %s", folder, why)
                continue
            link = folder / f"{name}.ipynb"
            try:
                os.symlink(chosen.name, link)
            except OSError as e:
                log.warning("%s: cannot grade %s as %s (%s)", folder, chosen.name, link.name, e)
                continue
            log.warning("%s: grading %s as %s (%s)", folder, chosen.name, link.name, why)
            notebooks.append(os.fspath(link))
    notebooks.sort()


# -- the nbgrader steps -------------------------------------------------------------------------

class NotebookReader(NotebookExporter):
    """nbgrader's notebook exporter, which also reads a file with a byte-order mark."""

    def from_filename(self, filename, resources=None, **kw):
        with open(filename, "rb") as f:
            head = f.read(3)
        if not (head.startswith(b"\xef\xbb\xbf") or head[:2] in (b"\xff\xfe", b"\xfe\xff")):
            return super().from_filename(filename, resources, **kw)
        nb, repairs = read_notebook_bytes(Path(filename).read_bytes())
        resources = resources if resources is not None else {}
        metadata = resources.setdefault("metadata", {})
        path, base = os.path.split(filename)
        metadata["name"] = os.path.splitext(base)[0]
        metadata["path"] = path
        resources[_READ_REPAIRS] = repairs
        return self.from_notebook_node(nb, resources=resources, **kw)


class RepairSubmission(NbGraderPreprocessor):
    """First step of ``autograde``'s sanitizing: :func:`repair_notebook` against the release,
    the renamed file and the reader's repairs said in the notebook (:func:`record_repairs`)."""

    def _course(self):
        converter = getattr(getattr(self, "parent", None), "parent", None)
        coursedir = getattr(converter, "coursedir", None)
        if coursedir is None:
            return _course_dirs()
        return Path(coursedir.root), coursedir.source_directory, coursedir.release_directory, \
            coursedir.db_url

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        notebook, assignment = info.get("notebook"), info.get("assignment")
        repairs = list(resources.pop(_READ_REPAIRS, None) or [])
        folder = resources.get("metadata", {}).get("path")
        if folder and notebook:
            link = Path(folder) / f"{notebook}.ipynb"
            if link.is_symlink():
                target = os.readlink(link)
                if os.path.dirname(target) == "":
                    repairs.append(f"graded {target} as {link.name}")
        root, source_dir, release_dir, _ = self._course()
        reference = None
        if notebook and assignment:
            reference = _reference_for(root, source_dir, release_dir, assignment, notebook)
            if reference is None and info.get("db_url"):
                try:
                    reference = reference_from_gradebook(info["db_url"], notebook, assignment)
                except Exception as e:  # noqa: BLE001 - grade as nbgrader would
                    self.log.warning("No release notebook nor gradebook entry for %s (%s): "
                                     "not repaired", notebook, e)
        if reference is not None:
            repairs += repair_notebook(nb, reference)
        for line in repairs:
            self.log.warning("Repaired %s/%s: %s", info.get("student"), notebook, line)
        record_repairs(nb, repairs)
        return nb, resources


# -- for the instructor's report ----------------------------------------------------------------

def unrepairable_reason(path, reference=None):
    """Why the submission at ``path`` cannot be graded even after the repairs, or ``None``.

    Parameters
    ----------
    path : path-like
        Where nbgrader expects the notebook: ``submitted/<student>/<assignment>/<name>.ipynb``
        (a renamed notebook in that folder is found as :func:`pre_convert_hook` finds it).
    reference : Reference, optional
        Default: the course's release notebook of that name (``release/`` next to
        ``submitted/``), else the committed one.
    """
    path = Path(path)
    if reference is None:
        try:
            root = path.parents[3]
            reference = _reference_for(root, "source", "release", path.parent.name, path.stem)
        except IndexError:
            reference = None
        if reference is None:
            from .course import RELEASE_NOTEBOOK, SOURCE_NOTEBOOK
            reference = load_reference(RELEASE_NOTEBOOK, SOURCE_NOTEBOOK)
    if not path.is_file():
        if not path.parent.is_dir():
            return f"no submitted notebook at {path}"
        chosen, why = choose_notebook(path.parent, path.stem, reference)
        if chosen is None:
            return why
        path = chosen
    try:
        raw = path.read_bytes()
    except OSError as e:
        return f"submitted notebook {path.name} cannot be read ({e.strerror})"
    try:
        json.loads(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
    except json.JSONDecodeError as e:
        return f"submitted notebook {path.name} is not valid JSON ({e.msg}: line {e.lineno}, column {e.colno})"
    except UnicodeDecodeError as e:
        return f"submitted notebook {path.name} is not UTF-8 text ({e.reason} at byte {e.start})"
    try:
        nb, _ = read_notebook_bytes(raw)
    except Exception as e:  # noqa: BLE001 - nbformat raises several types
        return f"submitted file {path.name} is JSON but not a notebook ({type(e).__name__}: {e})"[:240]
    from nbgrader.nbgraderformat import MetadataValidator

    if match_count(nb, reference) == 0:
        return f"{path.name} holds none of the assignment's cells"
    repair_notebook(nb, reference)
    try:
        MetadataValidator().validate_nb(nb)
    except Exception as e:  # noqa: BLE001 - jsonschema and schema-version errors
        return f"its nbgrader metadata cannot be repaired ({type(e).__name__}: {str(e).splitlines()[0]})"[:240]
    return None
