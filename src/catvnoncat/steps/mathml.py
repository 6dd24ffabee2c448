"""Maths typeset when a page is generated: TeX in Markdown becomes MathML, no script needed.

nbconvert leaves ``$...$`` in the HTML for MathJax, a script that JupyterLab's HTML viewer does
not run until the page is trusted, and that an offline page cannot load. MathML is rendered by
the browser itself (Chromium, Firefox, Safari), in the untrusted viewer too, and weighs a few
hundred bytes per formula instead of 2 MB of script per page.

``nbgrader_config.py`` registers :func:`markdown2html` as the HTML exporter's ``markdown2html``
filter: feedback pages and the formgrader's views of a notebook both use it.
"""

import html
import logging

from jinja2 import pass_context
from latex2mathml.converter import convert
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

__all__ = ["tex_to_mathml", "MathMLRenderer", "markdown2html", "formulas"]

log = logging.getLogger(__name__)


def tex_to_mathml(tex, display="inline"):
    """``<math>`` element for ``tex``; the TeX itself (escaped, in dollars) if it cannot be read.

    Parameters
    ----------
    tex : str
        The formula without its delimiters.
    display : {"inline", "block"}
    """
    # Sanitizing the Markdown (nbconvert's SanitizeHTML, before the page is written) escaped
    # &, < and > in the TeX: a matrix's & is TeX's column separator, not an HTML entity.
    tex = html.unescape(tex)
    try:
        return convert(tex.strip(), display=display)
    except Exception as error:  # noqa: BLE001 - a formula the converter cannot read stays TeX
        log.warning("formula left as TeX (%s): %s", error, tex)
        fence = "$$" if display == "block" else "$"
        return f"{fence}{html.escape(tex, quote=False)}{fence}"


class MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer with every formula written as MathML."""

    def block_math(self, body):
        return tex_to_mathml(body, "block")

    def inline_math(self, body):
        return tex_to_mathml(body, "inline")

    def latex_environment(self, name, body):
        return tex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")


@pass_context
def markdown2html(context, source):
    """Jinja filter replacing ``HTMLExporter.markdown2html``: the same HTML, maths as MathML."""
    cell = context.get("cell", {})
    path = context.get("resources", {}).get("metadata", {}).get("path", "")
    renderer = MathMLRenderer(escape=False, attachments=cell.get("attachments", {}), path=path)
    return MarkdownWithMath(renderer=renderer).render(source)


class _Recorder(IPythonRenderer):
    def __init__(self):
        super().__init__(escape=False)
        self.found = []

    def block_math(self, body):
        self.found.append((body, "block"))
        return ""

    def inline_math(self, body):
        self.found.append((body, "inline"))
        return ""

    def latex_environment(self, name, body):
        self.found.append((f"\\begin{{{name}}}{body}\\end{{{name}}}", "block"))
        return ""


def formulas(markdown):
    """``[(tex, display)]`` of every formula nbconvert finds in ``markdown``."""
    recorder = _Recorder()
    MarkdownWithMath(renderer=recorder).render(markdown)
    return recorder.found
