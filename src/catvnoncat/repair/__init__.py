"""Repair honest submissions that stock nbgrader cannot grade, before ``nbgrader autograde`` grades them.

Three steps (in :mod:`catvnoncat.steps.repair`), each set in ``nbgrader_config.py`` where nbgrader
offers a hook for it, so that plain ``nbgrader autograde`` uses them; this package holds the
repairs themselves:

* :func:`pre_convert_hook` (``c.Autograde.pre_convert_hook``, called by nbgrader for each
  student before their notebooks are converted): first, whatever is not the student's own
  regular file (links, special files, files past the caps) is set aside (:mod:`.quarantine`).
  Then a **renamed notebook** (``logistic_regression-Copy1.ipynb``, ``logistic_regression
  (1).ipynb``) is graded as ``logistic_regression.ipynb``: the single notebook in the folder, or
  the one whose cells match the release best. It adds a copy under the released name next to
  the student's file (the file itself is never changed) and puts it in the list nbgrader is
  about to grade.
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
:func:`unrepairable_reason`; why a submission got no grade at all, by :func:`why_not_graded`
(for the grading engine and the instructor's report); nbgrader scores it 0.
"""

from . import quarantine
from .files import (choose_notebook, read_notebook_bytes, unreadable_reason, unrepairable_reason,
                    why_not_graded)
from .notebook import METADATA_KEY, NOTE_TITLE, match_count, record_repairs, repair_notebook, repairs_of
from .reference import Reference, load_reference

__all__ = [
    "METADATA_KEY",
    "NOTE_TITLE",
    "Reference",
    "load_reference",
    "repair_notebook",
    "record_repairs",
    "repairs_of",
    "match_count",
    "choose_notebook",
    "read_notebook_bytes",
    "unrepairable_reason",
    "unreadable_reason",
    "why_not_graded",
]
