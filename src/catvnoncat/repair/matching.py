"""Finding a release cell in a student's notebook: by its nbgrader entry when that is sound,
else by its content (the ``def`` it holds, the template's comments, the names it sets, its test
call, its text), its cell id and its place between cells already found."""

import difflib

from .reference import defined_names, nbgrader_meta, stripped_lines

__all__ = ["FLAGS", "CellFeatures", "cell_evidence", "metadata_ok", "match_lost"]


FLAGS = ("grade", "solution", "locked", "task")


class CellFeatures:
    """What :func:`cell_evidence` reads of a student's cell, computed once per cell."""

    def __init__(self, cell):
        self.cell = cell
        self.lines = stripped_lines(cell.get("source", ""))
        self.line_set = set(self.lines)
        self.text = "\n".join(self.lines)
        self._defined = None

    @property
    def defined(self):
        if self._defined is None:
            self._defined = defined_names(self.cell.get("source", ""))
        return self._defined


def cell_evidence(sig, cell):
    """``(score, why)``: how surely ``cell`` is the release cell of signature ``sig`` (0: no sign)."""
    features = cell if isinstance(cell, CellFeatures) else CellFeatures(cell)
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


def metadata_ok(meta, ref_meta):
    """The cell's nbgrader entry says what the release says and nbgrader can read it."""
    if not isinstance(meta, dict) or meta.get("schema_version") != 3:
        return False
    allowed = {"schema_version", "grade", "locked", "solution", "task", "grade_id", "points",
               "checksum", "cell_type"}
    if set(meta) - allowed or not isinstance(meta.get("grade_id"), str):
        return False
    if any(not isinstance(meta.get(flag, False), bool)
           or meta.get(flag, False) != ref_meta.get(flag, False) for flag in FLAGS):
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


def _landmarks(nb, reference, placed):
    """``{release index: notebook index}`` of the cells whose place is known: the graded
    cells already placed and the plain cells whose text appears once in both notebooks."""
    marks = {reference.graded[gid]: index for gid, index in placed.items()}
    texts = {}
    for index, cell in enumerate(reference.cells):
        if not nbgrader_meta(cell) and cell.source.strip():
            texts.setdefault(("\n".join(stripped_lines(cell.source)), cell.cell_type), []).append(index)
    seen = {}
    for index, cell in enumerate(nb.cells):
        if "nbgrader" in cell.get("metadata", {}):
            continue
        key = ("\n".join(stripped_lines(cell.get("source", ""))), cell.get("cell_type"))
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


def match_lost(nb, reference, placed, damaged, by_position=True):
    """``{grade_id: (cell index, why)}`` for the release cells not placed yet."""
    missing = [gid for gid in reference.graded if gid not in placed]
    if not missing:
        return {}
    marks = _landmarks(nb, reference, placed)
    landmark_cells = set(marks.values())
    free = [i for i, cell in enumerate(nb.cells)
            if "nbgrader" not in cell.get("metadata", {}) and i not in landmark_cells]
    features = {index: CellFeatures(nb.cells[index]) for index in free}
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
            score, why = cell_evidence(sig, features[index])
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
