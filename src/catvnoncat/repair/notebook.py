"""The repair of one notebook (:func:`repair_notebook`), and saying what was repaired: a
markdown cell first in the notebook and the metadata ``catvnoncat.repairs``."""

import copy
import html
import json
import re
from pathlib import Path

import nbformat

from ..course import has_cell_ids, unused_cell_id
from ..judge.messages import Message, render
from .matching import FLAGS, match_lost, metadata_ok
from .notes import Note, count_word, listed, ordinal_word, repair_catalog
from .reference import nbgrader_meta, stripped_lines

__all__ = ["METADATA_KEY", "NOTE_TITLE", "repair_notebook", "record_repairs", "repairs_of",
           "match_count", "nice_list"]


#: Notebook metadata key of this course; its ``repairs`` entry lists what was repaired.
METADATA_KEY = "catvnoncat"
#: The feedback cell's first words (in an English edition).
NOTE_TITLE = "**Repaired before grading.**"


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
        if gid in ref_ids and metadata_ok(meta, reference.meta(gid)):
            anchored.setdefault(gid, []).append(index)
            continue
        if gid in ref_ids:
            damaged[index] = gid
        elif isinstance(meta, dict) and not any(meta.get(flag) for flag in FLAGS):
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
        repairs.append(Note("DUPLICATE_OTHERS" if len(indices) > 2 else "DUPLICATE_ONE_OTHER",
                            count=count_word(len(indices)), gid=gid,
                            which=ordinal_word(indices.index(keep)), cell=keep + 1))
        anchored[gid] = [keep]
    placed = {gid: indices[0] for gid, indices in anchored.items()}
    # 3. find the cells whose metadata was lost or damaged
    restored = {}
    for by_position in (False, True):  # what its content shows first, then what its place does
        found = match_lost(nb, reference, placed, damaged, by_position)
        for gid, (index, why) in found.items():
            nb.cells[index].metadata["nbgrader"] = copy.deepcopy(reference.meta(gid))
            placed[gid] = index
        restored.update(found)
    if restored:
        names = [gid for gid, _ in sorted(restored.items(), key=lambda item: item[1][0])]
        repairs.append(Note("METADATA_RESTORED", count=len(names), s=_plural(names),
                            names=listed(names)))
    lost = sorted(set(damaged) - {index for index, _ in restored.values()})
    if lost:
        repairs.append(Note("METADATA_LOST", count=len(lost), s=_plural(lost),
                            cells=listed([i + 1 for i in lost])))
    if stray:
        repairs.append(Note("EMPTY_ENTRY_REMOVED", count=stray, s=_plural(range(stray))))
    # 4. grade cells nbgrader cannot put back
    if put_back:
        repairs += _put_back_grade_cells(nb, reference, placed)
    # 5. attachments on a cell that must become code
    for gid, index in placed.items():
        cell = nb.cells[index]
        if reference.cell(gid).cell_type == "code" and cell.cell_type != "code" \
                and "attachments" in cell:
            del cell["attachments"]
            repairs.append(Note("ATTACHMENTS_DROPPED", gid=gid, cell_type=cell.cell_type))
    return repairs


def _keeper(nb, indices, ref_cell, locked):
    """Which of several cells sharing a grade id is graded (see :func:`repair_notebook`)."""
    released = "\n".join(stripped_lines(ref_cell.source))
    if locked:
        preferred = [i for i in indices if "\n".join(stripped_lines(nb.cells[i].source)) == released]
    else:
        preferred = [i for i in indices if "\n".join(stripped_lines(nb.cells[i].source)) != released]
    return (preferred or indices)[-1]


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
        repairs.append(Note("GRADE_CELL_PUT_BACK", gid=gid, cell=at + 1))
    return repairs


def _new_cell(nb, cell):
    """``cell`` made fit for ``nb``: a fresh cell id where the notebook's format has ids."""
    cell = copy.deepcopy(cell)
    if has_cell_ids(nb):
        cell["id"] = unused_cell_id(nb, cell.get("id") or "catvnoncat")
    else:
        cell.pop("id", None)
    return cell


def _plural(items):
    """English's plural "s" for a count of ``items`` (a Chinese sentence has no use for it)."""
    return "s" if len(items) > 1 else ""


def nice_list(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _md_escape(text):
    text = html.escape(str(text), quote=False)
    return re.sub(r"([\\`*_\[\]{}#|!~])", r"\\\1", text)


def _note_words(english, record, catalog):
    """A repair line in ``catalog``'s words: from its message record, else its English as is."""
    try:
        return render(Message.from_json(record), catalog)
    except ValueError:  # a plain sentence (no record)
        return english


def record_repairs(nb, repairs, assignment=None):
    """Write ``repairs`` into ``nb``: metadata ``catvnoncat.repairs`` (the English sentences)
    and ``catvnoncat.repair_notes`` (each one's message record, or None for plain text), and a
    markdown cell first, in the language of ``assignment`` (the edition handed in)."""
    if not repairs:
        return nb
    store = nb.metadata.setdefault(METADATA_KEY, {})
    before = list(store.get("repairs", []))
    records = list(store.get("repair_notes", []))
    records = (records + [None] * len(before))[:len(before)]
    store["repairs"] = before + [str(line) for line in repairs]
    store["repair_notes"] = records + [line.message.to_json() if isinstance(line, Note) else None
                                       for line in repairs]
    catalog = repair_catalog(assignment)
    lines = [_note_words(english, record, catalog)
             for english, record in zip(store["repairs"], store["repair_notes"])]
    text = (catalog["REPAIR_NOTE_HEADING"] + "\n\n"
            + "\n".join(f"- {_md_escape(line)}" for line in lines) + "\n")
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


def match_count(nb, reference):
    """How many of the release's graded and read-only cells ``nb`` holds (by metadata or content)."""
    trial = copy.deepcopy(nb)
    repair_notebook(trial, reference, put_back=False)
    return sum(1 for c in trial.cells if nbgrader_meta(c).get("grade_id") in reference.graded)
