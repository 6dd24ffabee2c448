"""Feedback pages a student can read anywhere (issue 22, findings 1 and 4).

- every formula of the notebook is typeset as MathML when the page is generated: no script, so
  the page reads the same offline and in JupyterLab's untrusted HTML viewer;
- the contents list names each graded part with its points ("sigmoid — 10 / 10");
- an answer graded by hand that is not graded yet shows as waiting, never "Score: 0 / 5".

``tests/test_browser.py`` opens such a page in JupyterLab's own viewer and counts the formulas
the browser typeset.
"""

import re

from feedback_render import feedback_html

from catvnoncat import course
from catvnoncat.steps import mathml

SOURCE = course.read_notebook(course.SOURCE_NOTEBOOK)
RELEASE = course.read_notebook(course.RELEASE_NOTEBOOK)


def notebook_formulas(nb):
    return [f for cell in nb.cells if cell.cell_type == "markdown"
            for f in mathml.formulas(cell.source)]


def test_every_formula_of_the_notebook_becomes_mathml():
    found = notebook_formulas(SOURCE)
    assert len(found) >= 98, len(found)  # 98 when this test was written
    left_as_tex = [tex for tex, display in found
                   if not mathml.tex_to_mathml(tex, display).startswith("<math")]
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
