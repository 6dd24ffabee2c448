"""Feedback pages and formgrader views that work offline and say what is still to be graded.

- **MathJax, served locally.** nbgrader's feedback and formgrade templates call nbconvert's
  ``mathjax()`` macro, which loads MathJax from a CDN: offline, the maths stays raw ``$...$``.
  ``nbgrader_config.py`` puts :data:`TEMPLATES` first on the template path; its
  ``base/mathjax.html.j2`` replaces that macro by :func:`mathjax_script`, which inlines MathJax 3
  (``tex-svg.js``, self-contained: SVG output needs no font files) from the PyPI package
  ``django-static-mathjax`` (a dependency). The page then renders maths with no network, wherever
  it is opened: a feedback file on the student's disk, the formgrader, the Assignment List.
- **Long lines wrap** in outputs (``white-space: pre-wrap``), so a failure message is never cut
  off at the right edge.
- **Answers waiting for a human grader** (:class:`PendingManualGrades`): generate_feedback puts a
  note at the top of the feedback and before each such answer, naming it and its points, so
  "Written response (Score: 0.0 / 5.0)" is not read as a grade.
"""

import functools
import html
import importlib.util
from pathlib import Path

from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

#: Templates that come before nbgrader's and nbconvert's own (only ``base/mathjax.html.j2``).
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

#: MathJax's TeX delimiters as Jupyter uses them ($...$ inline, $$...$$ display).
MATHJAX_CONFIG = """window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true},
  svg: {fontCache: 'global'},
  options: {ignoreHtmlClass: 'tex2jax_ignore', processHtmlClass: 'tex2jax_process'}
};"""

#: Outputs wrap instead of scrolling sideways (failure messages, long arrays).
WRAP_CSS = """div.output_area pre, div.output_subarea pre, div.output_text pre, .jp-OutputArea pre {
  white-space: pre-wrap; word-wrap: break-word; overflow-wrap: anywhere;
}"""


def mathjax_file():
    """Path of MathJax 3's self-contained ``tex-svg.js`` shipped by ``django-static-mathjax``."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("MathJax is not installed: pip install django-static-mathjax "
                           "(a dependency of this course: run make again)")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "static" / "mathjax" / "es5" / "tex-svg.js"
        if path.is_file():
            return path
    raise RuntimeError("the installed `mathjax` package has no static/mathjax/es5/tex-svg.js: "
                       "pip install --force-reinstall django-static-mathjax")


@functools.lru_cache(maxsize=1)
def _script():
    code = mathjax_file().read_text(encoding="utf-8").replace("</script", "<\\/script")
    return (f"<style>{WRAP_CSS}</style>\n<script>{MATHJAX_CONFIG}</script>\n"
            f"<script>{code}</script>")


def mathjax_script(_=None):
    """Jinja filter: the ``<style>`` and ``<script>`` elements of the local MathJax."""
    return _script()


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
            f"{'their' if len(pending) > 1 else 'its'} score shows 0, and the total above does "
            f"not include these {total:g} points.")]
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid in pending:
                cells.append(new_markdown_cell(
                    f"**Waiting for your instructor:** the answer below (`{gid}`, "
                    f"{pending[gid]:g} points) is graded by hand and has not been graded yet; "
                    f"its score of 0 is a placeholder."))
            cells.append(cell)
        nb.cells = cells
        return nb, resources
