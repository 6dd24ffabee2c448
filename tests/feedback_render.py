"""A feedback page as ``nbgrader generate_feedback`` writes it, without a gradebook.

The course's exporter configuration (``nbgrader_config.py``: templates, filters, sanitizing) and
the steps of ``GenerateFeedback`` that touch the page's text (hidden tests cleared, HTML
sanitized); the scores are written into the cells' metadata as ``GetGrades`` would.
"""

from pathlib import Path

import nbgrader as nbgrader_package
from nbconvert import HTMLExporter
from nbconvert.preprocessors.sanitize import SanitizeHTML
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from catvnoncat import course
from catvnoncat.steps.execute import ClearHiddenTestsInFeedback

REPO = Path(__file__).resolve().parents[1]


def feedback_html(nb, scores=None, pending=None, tex=False):
    """The feedback page of ``nb``: every autograded part scored ``scores.get(grade id, 0)``,
    the answers in ``pending`` (``{grade id: points}``) waiting for a human grader. With
    ``tex``, nbconvert's own Markdown filter writes the page (formulas left as TeX, as before
    the course wrote MathML: benchmarks/bench_feedback_page.py)."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    exporter_config = Config()
    exporter_config.HTMLExporter = config.HTMLExporter
    if tex:
        exporter_config.HTMLExporter.filters = {
            name: f for name, f in config.HTMLExporter.filters.items() if name != "markdown2html"}
    exporter_config.HTMLExporter.template_name = "feedback"
    exporter_config.HTMLExporter.extra_template_paths = [str(
        Path(nbgrader_package.__file__).parent / "server_extensions" / "formgrader" / "static" /
        "node_modules" / "bootstrap" / "dist" / "css")]
    exporter_config.SanitizeHTML.enabled = True
    scores = scores or {}
    total = 0.0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta.update(score=float(scores.get(meta["grade_id"], 0.0)), points=meta["points"])
            total += meta["score"]
    resources = {"nbgrader": {"notebook": course.NOTEBOOK_NAME, "score": total,
                              "max_score": 100.0, "late_penalty": 0,
                              "pending_manual_grades": dict(pending or {})}}
    for step in (ClearHiddenTestsInFeedback, SanitizeHTML):
        nb, resources = step(config=exporter_config).preprocess(nb, resources)
    html, _ = HTMLExporter(config=exporter_config).from_notebook_node(nb, resources=resources)
    return html


def formgrade_html(nb, base_url):
    """The formgrader's page of one submission (Manual Grading), rendered as nbgrader's
    SubmissionHandler renders it: the formgrader's exporter (template ``formgrade``, nbgrader's
    own templates after the course's) with the course's ``HTMLExporter`` settings, and the
    handler's resources. Its scripts load from ``base_url``/formgrader/static/."""
    from nbgrader.server_extensions.formgrader import handlers

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    exporter_config = Config()
    exporter_config.HTMLExporter = config.HTMLExporter
    exporter_config.HTMLExporter.template_name = "formgrade"
    exporter_config.HTMLExporter.extra_template_basedirs = [
        *config.HTMLExporter.extra_template_basedirs, handlers.template_path]
    resources = {"assignment_id": course.ASSIGNMENT, "notebook_id": course.NOTEBOOK_NAME,
                 "submission_id": "0123456789abcdef", "index": 0, "total": 1,
                 "base_url": base_url, "student": "carol", "last_name": "carol",
                 "first_name": "", "notebook_path": f"/autograded/carol/{course.ASSIGNMENT}"}
    html, _ = HTMLExporter(config=exporter_config).from_notebook_node(nb, resources=resources)
    return html
