"""The Chinese edition: every sentence translated, nothing stale, the same assignment in Chinese.

The catalogs (``i18n/zh_CN/*.po``) hold a finished translation of every English sentence; the
generated ``source/logistic_regression_zh/`` and the catalogs are what ``make i18n`` writes;
the two editions have the same cells, grade ids, points and test cells, and code cells that
differ only in docstrings, comments and the text they print or draw.
"""

import ast
import dataclasses
import json
import shutil

import nbformat
import polib
import pytest
from nbgrader.utils import compute_checksum

from catvnoncat import facts
from catvnoncat.i18n import EDITION, ENGLISH, build, catalog, checks
from catvnoncat.i18n.strings import PLOT_TEXT_CALLS, TEXT_KEYWORDS

ENGLISH_NB = facts.source_dir(ENGLISH) / f"{ENGLISH}.ipynb"
CHINESE_NB = facts.source_dir(EDITION) / f"{EDITION}.ipynb"


def _read(path):
    return nbformat.read(path, as_version=4)


def test_every_english_sentence_has_a_finished_translation():
    sources = catalog.sources()
    counts = {s.catalog.name: len({(c, m) for c, _, m in s.entries()}) for s in sources}
    assert counts["hints.po"] > 100 and counts[f"{ENGLISH}.po"] > 100, counts
    problems = [line for source in sources for line in catalog.problems(source)]
    assert problems == [], "\n".join(problems)


def test_translations_keep_placeholders_code_numbers_urls_and_the_glossary_terms():
    problems = checks.mismatches()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("kind, english, chinese, wanted", [
    ("string", "{name} returned None.", "{nom} 返回了 None。", "'{name}' not kept"),
    ("string", "Use `np.zeros((dim, 1))`.", "用 `np.zeros((dim,1))`。", "'`np.zeros((dim, 1))`' not kept"),
    ("string", "about 100 times faster", "快大约一百倍", "'100' not kept"),
    ("paragraph", "[numpy](https://numpy.org) for arrays", "[numpy](https://numpy.cn) 处理数组",
     "'https://numpy.org' not kept"),
    ("paragraph", "Formula $a = \\sigma(z)$.", "公式 $a = sigma(z)$。", "not kept"),
    ("string", "The cost is wrong.", "成本算错了。", "glossary: 'cost' should read '代价'"),
    ("string", "Tune the learning rate.", "调一调步长。", "glossary: 'learning rates?'"),
    ("literal", 'f"cost {i}"', 'f"代价 {j}"', "not a Python string literal"),
    ("string", "Shape {q}.", "{q} 的形状是 {shape}。", "'{shape}' is no placeholder"),
    ("docstring", "Args:\nw -- weights", "参数：\nweights -- 权重", "'w -- ' not kept"),
])
def test_a_broken_translation_is_named(kind, english, chinese, wanted):
    found = checks.entry_mismatches(kind, english, chinese)
    assert any(wanted in problem for problem in found), found


def test_a_good_translation_passes_the_checks():
    assert checks.entry_mismatches(
        "literal", 'f"{wrong.size} of {n} pictures"', 'f"{n} 张图片中有 {wrong.size} 张"') == []
    assert checks.entry_mismatches("string", "{name} has {does} not {its} cost.",
                                   "{name} 的代价不对。") == []


def _temporary_source(tmp_path, english_text):
    """The hints catalog and an English hints.py (``english_text``) copied under ``tmp_path``."""
    hints, po = tmp_path / "hints.py", tmp_path / "hints.po"
    hints.write_text(english_text, encoding="utf-8")
    shutil.copy(catalog.sources()[1].catalog, po)
    return catalog.Source(str(hints), po)


def test_a_changed_english_sentence_turns_its_translation_fuzzy_and_fails_naming_it(tmp_path):
    english = (facts.source_dir(ENGLISH) / "hints.py").read_text(encoding="utf-8")
    old = "The denominator is 1 + np.exp(-z), with a plus sign."
    new = "The denominator is 1 + np.exp(-z): a plus sign, not a minus."
    assert old in english
    source = _temporary_source(tmp_path, english.replace(old, new)
                               + '\nBRAND_NEW = "A sentence nobody has translated yet."\n')
    assert catalog.update(source) == (1, 1)
    entry = polib.pofile(str(source.catalog)).find(new, msgctxt="SIGMOID_DENOMINATOR_SIGN")
    assert entry.fuzzy and entry.previous_msgid == old and "分母" in entry.msgstr
    problems = catalog.problems(source)
    assert len(problems) == 2, problems
    assert "[SIGMOID_DENOMINATOR_SIGN] fuzzy" in problems[0] and new in problems[0]
    assert str(source.catalog) in problems[0] and "hints.py" in problems[0]
    assert "[BRAND_NEW] untranslated" in problems[1]
    # The translator's fix: a new msgstr, the fuzzy flag removed.
    po = polib.pofile(str(source.catalog))
    fixed = po.find(new, msgctxt="SIGMOID_DENOMINATOR_SIGN")
    fixed.flags.remove("fuzzy")
    po.find("A sentence nobody has translated yet.", msgctxt="BRAND_NEW").msgstr = "还没人翻译的句子。"
    po.save()
    assert catalog.problems(source) == []


def test_the_catalogs_and_the_generated_edition_are_what_make_i18n_writes(tmp_path):
    for source in catalog.sources():
        copy = tmp_path / source.catalog.name
        shutil.copy(source.catalog, copy)
        catalog.update(dataclasses.replace(source, catalog=copy))
        assert copy.read_bytes() == source.catalog.read_bytes(), \
            f"{source.catalog.name} is stale: run `make i18n` and commit i18n/"
    wanted = build.edition_files()
    folder = facts.source_dir(EDITION)
    present = {p.relative_to(facts.REPO_ROOT).as_posix() for p in folder.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts
               and ".hypothesis" not in p.parts}
    assert present == set(wanted)
    stale = [name for name, data in wanted.items() if (facts.REPO_ROOT / name).read_bytes() != data]
    assert stale == [], f"{stale} stale: run `make i18n` and commit source/{EDITION}"


class _TextSetAside(ast.NodeTransformer):
    """Blank what a translation may change: docstrings and the text printed or drawn."""

    def _blank(self, node):
        if isinstance(node, ast.JoinedStr):
            # An f-string keeps its expressions (a sentence may put them in another order).
            fields = [v for v in node.values if isinstance(v, ast.FormattedValue)]
            return ast.Tuple(elts=sorted(fields, key=ast.dump), ctx=ast.Load())
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return ast.Constant("")
        return node

    def _undocument(self, node):
        self.generic_visit(node)
        if node.body and isinstance(node.body[0], ast.Expr):
            node.body[0].value = self._blank(node.body[0].value)
        return node

    visit_Module = visit_FunctionDef = visit_ClassDef = _undocument

    def visit_Call(self, node):
        self.generic_visit(node)
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name in PLOT_TEXT_CALLS:
            node.args = [self._blank(arg) for arg in node.args]
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS:
                keyword.value = self._blank(keyword.value)
        return node


def _shape(source):
    """The syntax tree of a code cell with its translatable text set aside (magics blanked)."""
    code = "\n".join("" if line.lstrip().startswith("%") else line for line in source.split("\n"))
    return ast.dump(_TextSetAside().visit(ast.parse(code)))


@pytest.mark.parametrize("folder", ["source", "release"])
def test_the_editions_are_the_same_assignment(folder):
    english = _read(facts.REPO_ROOT / folder / ENGLISH / f"{ENGLISH}.ipynb")
    chinese = _read(facts.REPO_ROOT / folder / EDITION / f"{EDITION}.ipynb")
    assert [c.id for c in chinese.cells] == [c.id for c in english.cells]
    assert [c.cell_type for c in chinese.cells] == [c.cell_type for c in english.cells]
    assert chinese.metadata == english.metadata
    tests = translated = 0
    for en, zh in zip(english.cells, chinese.cells):
        meta = en.metadata.get("nbgrader", {})
        # Grade ids, points, locks: all of nbgrader's metadata but a translated cell's checksum.
        unchecked = {**zh.metadata, "nbgrader": {**zh.metadata.get("nbgrader", {}), "checksum": 0}}
        assert unchecked == {**en.metadata, "nbgrader": {**meta, "checksum": 0}}, en.id
        if en.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            assert zh.metadata == en.metadata, en.id
            tests += 1
            assert zh.source.encode() == en.source.encode(), f"test cell {en.id} differs"
            assert compute_checksum(zh) == compute_checksum(en)
            if folder == "release":
                assert meta["checksum"] == compute_checksum(zh)
        elif en.cell_type == "code":
            assert _shape(zh.source) == _shape(en.source), f"code cell {en.id} differs"
        translated += zh.source != en.source
    # Every Markdown cell and every code cell with words in it: 47 of 64 cells (the release's
    # manual answer cell says YOUR ANSWER HERE in both editions).
    assert tests == 11 and translated == (47 if folder == "source" else 46), (tests, translated)


def test_the_shape_check_sees_a_changed_line_of_code():
    english = 'def f(x):\n    """Doc."""\n    print(f"x = {x}")\n    return x + 1\n'
    assert _shape(english.replace('"""Doc."""', '"""文档。"""').replace("x = ", "x 等于 ")) \
        == _shape(english)
    assert _shape(english.replace("x + 1", "x + 2")) != _shape(english)
    assert _shape(english.replace('{x}', '{x + 1}')) != _shape(english)


def test_the_chinese_visible_tests_name_a_mistake_in_chinese():
    public_tests = facts.student_module("public_tests.py", EDITION)
    zh_hints = facts.student_module("hints.py", EDITION)
    en_hints = facts.student_module("hints.py", ENGLISH)
    names = {n for n in dir(en_hints) if n.isupper()}
    assert {n for n in dir(zh_hints) if n.isupper()} == names
    import numpy as np

    def sigmoid(z):
        raise NotImplementedError()

    with pytest.raises(Exception) as failure:
        public_tests.sigmoid_test(sigmoid)
    assert zh_hints.NOT_IMPLEMENTED.format(name="sigmoid") in str(failure.value)
    assert "还没有实现" in str(failure.value)
    with pytest.raises(Exception) as failure:
        public_tests.sigmoid_test(lambda z: 1 / (1 + np.exp(z)))     # sigmoid(-z)
    assert "期望" in str(failure.value) and zh_hints.SIGMOID_HINT in str(failure.value)


def test_the_chinese_notebook_reads_chinese():
    text = json.loads(CHINESE_NB.read_text(encoding="utf-8"))
    markdown = "".join("".join(c["source"]) for c in text["cells"] if c["cell_type"] == "markdown")
    assert "逻辑回归" in markdown and "梯度下降" in markdown
    english_words = [w for w in ("you", "the ", "which") if w in markdown.replace("`", "")]
    assert len(markdown) > 5000 and english_words == [], english_words


def test_a_chinese_plot_text_is_matched_as_a_pattern_and_drawn_as_its_english():
    """``lr_utils.english_plot_text`` with the generated table: f-string values come back in
    the English's order, the more specific of two patterns wins, other text is left alone."""
    import re

    pattern, english = build._text_pair("literal", 'f"{wrong.size} of {n} pictures"',
                                        'f"{n} 张图片中有 {wrong.size} 张"')
    assert re.fullmatch(pattern, "50 张图片中有 17 张").expand(english) == "17 of 50 pictures"
    assert build._text_pair("literal", 'f"{a} and {b}"', 'f"{a} 和 {a}"') is None
    lr_utils = facts.student_module("lr_utils.py", EDITION)
    table = build.plot_text_table(catalog.sources()[0])
    assert list(lr_utils.ENGLISH_PLOT_TEXT) == table and len(table) >= 6
    assert lr_utils.english_plot_text("学习率 = 0.005") == "Learning rate = 0.005"
    assert lr_utils.english_plot_text("学习率 0.01") == "learning rate 0.01"
    assert lr_utils.english_plot_text("#3：预测为 cat\n实际是 non-cat") == \
        "#3: predicted cat\nactually non-cat"
    assert lr_utils.english_plot_text("我自己的标题") == "我自己的标题"
    assert facts.student_module("lr_utils.py", ENGLISH).ENGLISH_PLOT_TEXT == ()


def _drawn(assignment, fonts, config_dir):
    """``(stdout before the texts, drawn texts, stderr)`` of tests/support/plot_cells.py run for
    ``assignment`` in a new process: with the machine's fonts, or (``fonts="hidden"``) in a
    bubblewrap namespace where ``/usr/share/fonts`` is empty, so matplotlib (a font cache of its
    own in ``config_dir``) sees no Chinese font, and lr_utils finds none by path either."""
    import os
    import subprocess
    import sys

    from support.plot_cells import MARK

    command = [sys.executable, str(facts.REPO_ROOT / "tests" / "support" / "plot_cells.py"),
               assignment]
    if fonts == "hidden":
        command = ["bwrap", "--dev-bind", "/", "/", "--tmpfs", "/usr/share/fonts", *command]
    env = {**os.environ, "MPLCONFIGDIR": str(config_dir), "MPLBACKEND": "Agg",
           "PYTHONDONTWRITEBYTECODE": "1"}
    # A new font cache says so on stderr, once: build it first.
    subprocess.run(command[:-2] + ["-c", "import matplotlib.font_manager"], env=env,
                   capture_output=True, timeout=300, check=True)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    printed, _, texts = result.stdout.rpartition(MARK)
    return printed, json.loads(texts), result.stderr


def _chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


@pytest.fixture(scope="module")
def english_drawn(tmp_path_factory):
    """The texts the English notebook's plots draw, on the same stand-in data."""
    return _drawn(ENGLISH, "hidden", tmp_path_factory.mktemp("mpl-english"))


def test_the_chinese_plots_draw_every_glyph_in_chinese_where_a_chinese_font_exists(
        english_drawn, tmp_path):
    """The zh notebook's plotting cells, run as written with missing-glyph warnings as errors:
    with the machine's Chinese font, titles, labels and legends are drawn in Chinese."""
    lr_utils = facts.student_module("lr_utils.py", EDITION)
    notice = lr_utils.MESSAGES["NO_CHINESE_FONT"]
    assert lr_utils.use_cjk_fonts() is not None, \
        "no Chinese font: install one (as root: apt-get install fonts-noto-cjk)"
    printed, figures, stderr = _drawn(EDITION, "installed", tmp_path)
    assert stderr == "" and "中文字体" not in printed and notice not in printed
    english = english_drawn[1]
    assert len(figures) == len(english) == 4
    words = [t for figure in figures for t in figure if _chinese(t)]
    assert {"代价", "迭代次数", "学习率 = 0.005", "学习率 0.01"} <= set(words), words
    # Only the translated texts differ from the English figures (ticks and numbers alike).
    assert [[t for t in f if not _chinese(t)] for f in figures] == \
        [[t for t, zh in zip(en, f) if not _chinese(zh)] for en, f in zip(english, figures)]


def test_without_a_chinese_font_the_chinese_plots_draw_their_english_originals(
        english_drawn, tmp_path):
    """No Chinese font anywhere (bubblewrap hides the machine's): every plot text the zh
    notebook draws is its English original, exactly as the English notebook draws it, no glyph
    is missing, nothing reaches stderr, and the student is told once, in Chinese, on stdout."""
    notice = facts.student_module("lr_utils.py", EDITION).MESSAGES["NO_CHINESE_FONT"]
    assert "没有找到中文字体" in notice and "fonts-noto-cjk" in notice
    printed, figures, stderr = _drawn(EDITION, "hidden", tmp_path)
    assert stderr == ""
    assert printed.count(notice) == 1 and printed.startswith(notice), printed[:300]
    english_printed, english, english_stderr = english_drawn
    assert english_stderr == "" and "Chinese font" not in english_printed
    assert figures == english
    assert "Learning rate = 0.005" in figures[0] and "learning rate 0.001" in figures[2]
    assert not any(_chinese(text) for figure in figures for text in figure)


def test_the_chinese_lr_utils_says_what_went_wrong_with_the_data_in_chinese(tmp_path, monkeypatch):
    """The zh edition's ``lr_utils`` (generated: its ``MESSAGES`` translated) raises its data
    errors in Chinese: a folder without the files, a mirror that does not exist."""
    import re

    zh, en = (facts.student_module("lr_utils.py", a) for a in (EDITION, ENGLISH))
    assert zh.MESSAGES.keys() == en.MESSAGES.keys()
    monkeypatch.delenv(zh.MIRROR_ENV, raising=False)
    with pytest.raises(zh.DatasetError) as missing:
        zh.load_dataset(tmp_path)
    with pytest.raises(zh.DatasetError) as unreachable:
        zh.download("train_catvnoncat.h5", tmp_path / "cache", mirror=str(tmp_path / "nowhere"))
    english_words = [part.strip() for sentence in en.MESSAGES.values()
                     for part in re.split(r"\{[^}]*\}", sentence) if len(part.strip()) > 8]
    for error, words in ((missing, " 不存在。"), (unreachable, "无法从 ")):
        text = str(error.value)
        assert words in text and "获取这两个文件的办法" in text, text
        assert [w for w in english_words if w in text] == [], text
    assert "没有设置 CATVNONCAT_MIRROR" in str(unreachable.value)


def test_the_chinese_release_holds_no_solution():
    import re

    source = _read(CHINESE_NB)
    release_dir = facts.release_dir(EDITION)
    released = _read(release_dir / f"{EDITION}.ipynb")
    lines = {line.strip() for cell in source.cells
             for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
             for line in block.splitlines() if line.strip()}
    assert len(lines) > 20
    code = "\n".join(c.source for c in released.cells if c.cell_type == "code")
    assert [line for line in lines if line in code] == []
    answer = next(c.source for c in source.cells if c.id == "learning-rate-question")
    texts = [p.read_text(encoding="utf-8") for p in release_dir.rglob("*") if p.is_file()]
    assert not any(answer in text for text in texts)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "catvnoncat.judge"):
        assert not any(marker in text for text in texts), marker
