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

from ..judge.messages import language_of, translated

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


#: The words of the feedback page (message id -> English template); ``i18n/zh_CN/judge.po``
#: holds their Chinese, used for a submission of the Chinese edition (see :func:`say_on_page`).
PAGE_WORDS = {
    "PAGE_HEADING": "{notebook} (Score: {score} / {max_score})",
    "PAGE_HEADING_PENDING": "{notebook} (Score: {score} / {max_score}; {pending} points wait for "
                            "your instructor)",
    "PAGE_WRITTEN_ANSWER": "(written answer)",
    "PAGE_PART_WAITING": "waiting for your instructor ({points} points)",
    "PAGE_COMMENT": "Comment",
    "PAGE_LATE_PENALTY": "Late submission penalty (Score: -{penalty})",
    "PAGE_CELL_WAITING": "Waiting for your instructor ({points} points)",
    "PAGE_CELL_SCORE": "Score: {score} / {points}",
    "PAGE_TOP": "(Top)",
    "PAGE_STUDENT_ANSWER": "Student's answer",
    "PAGE_STUDENT_TASK": "Student's task",
    "PAGE_GRADE_CELL": "Grade cell:",
    "PAGE_TASK": "Task:",
    "PAGE_COMMENTS": "Comments:",
    "PART_VECTORIZED": "{name}, vectorized",
    "PENDING_ONE": "**Not graded yet:** 1 answer waits for your instructor, who grades it by "
                   "hand: {names}. Until then it shows as waiting, and the total above does not "
                   "include these {total} points.",
    "PENDING_MANY": "**Not graded yet:** {count} answers wait for your instructor, who grades "
                    "them by hand: {names}. Until then they show as waiting, and the total above "
                    "does not include these {total} points.",
    "PENDING_NAME": "`{name}` ({points} points)",
    "PENDING_CELL": "**Waiting for your instructor:** the answer below (`{name}`, {points} "
                    "points) is graded by hand and has not been graded yet.",
}
#: The ``lang`` of the page, by the language of the edition handed in.
HTML_LANG = {"en": "en", "zh_CN": "zh-CN"}


def _words(assignment):
    """The page's words in the language of ``assignment`` (English where not translated)."""
    language = language_of(assignment)
    if language == "en":
        return PAGE_WORDS
    return {**PAGE_WORDS, **{k: v for k, v in translated(language).items() if k in PAGE_WORDS}}


def say_on_page(message_id, assignment=None, **params):
    """Jinja filter: the page's sentence ``message_id`` in the language of ``assignment``."""
    return _words(assignment)[message_id].format(**params)


def page_lang(assignment=None):
    """Jinja filter: the page's ``<html lang>`` for a submission of ``assignment``."""
    return HTML_LANG.get(language_of(assignment), "en")


def part_name(grade_id, assignment=None):
    """What a student calls a graded part: ``test_sigmoid`` -> ``sigmoid``,
    ``test_propagate_vectorized`` -> ``propagate, vectorized`` (in the edition's language)."""
    name = grade_id.removeprefix("test_")
    if name.endswith("_vectorized"):
        name = say_on_page("PART_VECTORIZED", assignment, name=name.removesuffix("_vectorized"))
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
        assignment = info.get("assignment")
        names = ", ".join(say_on_page("PENDING_NAME", assignment, name=name, points=f"{value:g}")
                          for name, value in pending.items())
        total = sum(pending.values())
        cells = [new_markdown_cell(say_on_page(
            "PENDING_MANY" if len(pending) > 1 else "PENDING_ONE", assignment,
            count=len(pending), names=html.escape(names), total=f"{total:g}"))]
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid in pending:
                cells.append(new_markdown_cell(say_on_page(
                    "PENDING_CELL", assignment, name=gid, points=f"{pending[gid]:g}")))
            cells.append(cell)
        nb.cells = cells
        return nb, resources
