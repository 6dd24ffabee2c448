"""Feedback pages a student can read anywhere (issue 22, findings 1 and 4).

- every formula of the notebook is typeset as MathML when the page is generated: no script, so
  the page reads the same offline and in JupyterLab's untrusted HTML viewer;
- the contents list names each graded part with its points ("sigmoid — 10 / 10");
- an answer graded by hand that is not graded yet shows as waiting, never "Score: 0 / 5".

``tests/test_browser.py`` opens such a page in JupyterLab's own viewer and counts the formulas
the browser typeset.
"""

import html
import re

import pytest
from feedback_render import feedback_html

from catvnoncat import course, facts
from catvnoncat.steps import mathml

SOURCE = course.read_notebook(course.SOURCE_NOTEBOOK)
RELEASE = course.read_notebook(course.RELEASE_NOTEBOOK)


def notebook_formulas(nb):
    return [f for cell in nb.cells if cell.cell_type == "markdown"
            for f in mathml.formulas(cell.source)]


def tex_left_in(markup):
    """TeX a conversion left as it was: a ``\\command`` or a ``$`` in the text of the result
    (latex2mathml writes a command it does not know as ``<mi>\\foo</mi>``)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return "\\" in text or "$" in text or not markup.startswith("<math")


def test_a_formula_left_as_tex_is_caught():
    assert tex_left_in(mathml.tex_to_mathml(r"\foo{x} + 1"))  # an unknown command
    assert tex_left_in(mathml.tex_to_mathml(r"\frac{1}{"))  # unreadable: stays $...$
    assert not tex_left_in(mathml.tex_to_mathml(r"\sigma(w^T X + b) \in \mathbb{R}"))


#: Formulas as an author writes them, counted without nbconvert's parser: code left out, then
#: $$display$$, \begin{env}...\end{env}, and $inline$ (an escaped \$ is a dollar).
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_DELIMITED = (re.compile(r"\$\$.+?\$\$", re.S),
              re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S),
              re.compile(r"(?<!\\)\$[^$]+?(?<!\\)\$"))


def delimited_formulas(markdown):
    text, count = _CODE.sub("", markdown), 0
    for pattern in _DELIMITED:
        count += len(pattern.findall(text))
        text = pattern.sub("", text)
    return count


@pytest.mark.parametrize("assignment", facts.assignments())
def test_every_formula_of_the_notebook_becomes_mathml(assignment):
    """Every formula of the notebook (98 in both editions when this was written) is found and
    converted: none is missed by the parser (it would stay raw TeX in the page), none is left
    as TeX by the converter."""
    nb = course.read_notebook(facts.source_dir(assignment) / f"{assignment}.ipynb")
    found = notebook_formulas(nb)
    written = sum(delimited_formulas(c.source) for c in nb.cells if c.cell_type == "markdown")
    assert len(found) == written >= 90, (len(found), written)
    print(f"\n[{assignment}] {len(found)} formulas, each converted to MathML")
    left_as_tex = [tex for tex, display in found if tex_left_in(mathml.tex_to_mathml(tex, display))]
    assert left_as_tex == []


def test_a_matrix_survives_the_sanitizer():
    """SanitizeHTML escapes & in the Markdown before the page is written: TeX's column separator
    must not become the letters a, m, p."""
    tex = r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"
    escaped = mathml.tex_to_mathml(tex.replace("&", "&amp;"), "block")
    assert escaped == mathml.tex_to_mathml(tex, "block") and "<mi>a</mi>" not in escaped


def text_of(page):
    """The page's visible text (tags, styles and scripts left out)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_the_feedback_page_carries_its_maths_as_mathml_and_no_script():
    page = feedback_html(course.read_notebook(course.RELEASE_NOTEBOOK))
    expected = len(notebook_formulas(RELEASE))
    assert page.count("<math ") == expected, (page.count("<math "), expected)
    assert "<script" not in page and "MathJax" not in page
    raw = re.findall(r"\$[^$\n]{1,40}\$", text_of(page))
    assert raw == [], raw[:5]
    assert "<mi>a</mi><mi>m</mi><mi>p</mi>" not in page  # the sanitizer's &amp;, not TeX
    print(f"\n[feedback page] {len(page.encode()):,} bytes, {expected} formulas as MathML")


def test_the_contents_list_names_each_part_and_a_pending_answer_waits():
    page = feedback_html(course.read_notebook(course.RELEASE_NOTEBOOK),
                         scores={"test_sigmoid": 10, "test_propagate": 7.5},
                         pending={"learning_rate_question": 5})
    contents = re.sub(r"\s+", " ", text_of(page[page.index('id="toc"'):page.index("</ol>")]))
    assert "Test cell" not in contents and "Written response" not in contents
    assert "sigmoid — 10 / 10" in contents, contents
    assert "propagate — 7.5 / 15" in contents and "propagate, vectorized — 0 / 5" in contents
    assert ("learning_rate_question (written answer) — waiting for your instructor (5 points)"
            in contents), contents
    graded = [g for g, cell in course.grade_cells(RELEASE).items() if cell["points"]]
    assert len(re.findall(r" — ", contents)) == len(graded) == 12, contents
    text = re.sub(r"\s+", " ", text_of(page))
    assert "(Score: 17.5 / 100; 5 points wait for your instructor)" in text, text[:500]
    # the written answer's own heading: waiting, no score
    answer = text[text.index("Student's answer Waiting"):][:80]
    assert "Waiting for your instructor (5 points)" in answer and "Score" not in answer, answer


def test_the_formgraders_grading_page_has_mathml_and_the_startup_signal_formgrade_js_awaits():
    """The formgrader (Manual Grading) renders a submission with the same exporter settings:
    its maths is MathML too, nothing loads from a CDN, and the one script the course adds is the
    MathJax-2 startup signal nbgrader's formgrade.js waits for (tests/test_browser.py runs the
    page's scripts in chromium); the feedback page gets no such script."""
    from feedback_render import formgrade_html

    page = formgrade_html(course.read_notebook(course.RELEASE_NOTEBOOK), "http://127.0.0.1:1")
    assert page.count("<math ") == len(notebook_formulas(RELEASE))
    assert "cdnjs" not in page and "tex-svg" not in page and "MathJax.js" not in page
    assert "Startup: {signal: {Interest:" in page
    assert "Startup" not in feedback_html(course.read_notebook(course.RELEASE_NOTEBOOK))
