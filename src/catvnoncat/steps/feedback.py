"""Feedback pages and formgrader views that work offline and say what is still to be graded.

- **Maths typeset without a script.** nbgrader's feedback and formgrade templates call
  nbconvert's ``mathjax()`` macro, which loads MathJax from a CDN: offline, or in JupyterLab's
  untrusted HTML viewer (where a student opens the feedback), the maths stays raw ``$...$``.
  ``nbgrader_config.py`` registers :func:`catvnoncat.steps.mathml.markdown2html`, which writes every
  formula as MathML when the page is generated (the browser renders it natively), and puts
  :data:`TEMPLATES` first on the template path. The feedback page (``feedback/index.html.j2``)
  gets :func:`page_style`, a ``<style>`` element, and no script at all; the formgrader's
  grading page, which has scripts of its own, gets ``base/mathjax.html.j2`` in place of the
  CDN loader: the same style and the MathJax-2 startup signal nbgrader's ``formgrade.js``
  waits for before it registers its keyboard shortcuts. No MathJax is installed or loaded.
- **Long lines wrap** in outputs (``white-space: pre-wrap``), so a failure message is never cut
  off at the right edge.
- **Answers waiting for a human grader** (:class:`PendingManualGrades`): generate_feedback puts a
  note at the top of the feedback and before each such answer, naming it and its points; the
  template (``feedback/index.html.j2``) shows them as waiting, not scored 0, and names each
  graded part in the contents list (:func:`part_name`).
"""

import html
from pathlib import Path

from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

#: Templates that come before nbgrader's and nbconvert's own.
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

#: Outputs wrap instead of scrolling sideways (failure messages, long arrays); MathML in display
#: mode gets room above and below, as a paragraph.
PAGE_CSS = """div.output_area pre, div.output_subarea pre, div.output_text pre, .jp-OutputArea pre {
  white-space: pre-wrap; word-wrap: break-word; overflow-wrap: anywhere;
}
math[display="block"] { display: block; margin: 0.6em 0; }"""


def page_style(_=None):
    """Jinja filter: the ``<style>`` element that replaces nbconvert's MathJax loader."""
    return f"<style>{PAGE_CSS}</style>"


def part_name(grade_id):
    """What a student calls a graded part: ``test_sigmoid`` -> ``sigmoid``,
    ``test_propagate_vectorized`` -> ``propagate, vectorized``."""
    name = grade_id.removeprefix("test_")
    if name.endswith("_vectorized"):
        name = name.removesuffix("_vectorized") + ", vectorized"
    return name


def points(value):
    """``10.0`` -> ``10``, ``2.5`` -> ``2.5`` (a score as a person writes it)."""
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return "0"


class PendingManualGrades(NbGraderPreprocessor):
    """Say in the feedback which answers still wait for a human grader (after GetGrades)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        pending = {}
        with Gradebook(info["db_url"]) as gradebook:
            try:
                notebook = gradebook.find_submission_notebook(
                    info["notebook"], info["assignment"], info["student"])
            except MissingEntry:
                return nb, resources
            for grade in notebook.grades:
                if grade.needs_manual_grade:
                    pending[grade.name] = grade.max_score
        resources["nbgrader"]["pending_manual_grades"] = pending
        if not pending:
            return nb, resources
        names = ", ".join(f"`{name}` ({points:g} points)" for name, points in pending.items())
        total = sum(pending.values())
        cells = [new_markdown_cell(
            f"**Not graded yet:** {len(pending)} answer{'s' * (len(pending) > 1)} "
            f"{'wait' if len(pending) > 1 else 'waits'} for your instructor, who grades "
            f"{'them' if len(pending) > 1 else 'it'} by hand: {html.escape(names)}. Until then "
            f"{'they show' if len(pending) > 1 else 'it shows'} as waiting, and the total above "
            f"does not include these {total:g} points.")]
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid in pending:
                cells.append(new_markdown_cell(
                    f"**Waiting for your instructor:** the answer below (`{gid}`, "
                    f"{pending[gid]:g} points) is graded by hand and has not been graded yet."))
            cells.append(cell)
        nb.cells = cells
        return nb, resources
