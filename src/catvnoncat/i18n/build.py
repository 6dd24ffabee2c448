"""Generate the Chinese edition ``source/logistic_regression_zh/`` from the English and the catalogs.

The notebook keeps every cell, id, metadata and test cell of the English; only the pieces of
:mod:`catvnoncat.i18n.strings` change. ``hints.py`` is the English module with its sentences
translated; ``lr_utils.py`` is the English module with its ``MESSAGES`` translated and its
``ENGLISH_PLOT_TEXT`` filled (:func:`plot_text_table`: each Chinese plot text of the notebook
and its English original, drawn where no Chinese font exists); the quiz is
:mod:`catvnoncat.i18n.quiz`'s Chinese quiz; the other student-side helpers are copied
unchanged. A piece without
a finished translation stays English (``python -m catvnoncat.i18n`` lists it and fails).
"""

import ast
import json
import re

from catvnoncat import facts
from catvnoncat.i18n import EDITION, ENGLISH
from catvnoncat.i18n.catalog import is_test_cell, module_pieces, sources, translations
from catvnoncat.i18n.quiz import translated_quiz_files
from catvnoncat.i18n.strings import markdown_pieces, python_pieces, substitute, table_pieces

__all__ = ["edition_files", "build", "plot_text_table"]

#: The first line of every generated Python file of the edition.
GENERATED_NOTE = ("# 此文件由 `make i18n` 生成：英文原文 source/{english}/{name}，译文 "
                  "i18n/zh_CN/{catalog}。请改那两处，不要直接改这里。\n")


def _translator(found, context):
    def translate(kind, msgid):
        return found.get((context, msgid), msgid)
    return translate


def notebook_text(source):
    """The Chinese notebook's JSON text, written as the English one is."""
    found = translations(source)
    nb = json.loads(source.read())
    for cell in nb["cells"]:
        english = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            pieces = markdown_pieces(english)
        elif is_test_cell(cell):
            continue
        else:
            pieces = python_pieces(english)
        text = substitute(english, pieces, _translator(found, cell["id"]))
        cell["source"] = text.splitlines(keepends=True)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def module_text(source):
    """The Chinese ``hints.py``: the English module with its sentences translated."""
    found = translations(source)
    english = source.read()
    text = english
    for context, piece in sorted(module_pieces(english, "hints.py"), key=lambda p: -p[1][0]):
        text = substitute(text, [piece], _translator(found, context))
    return GENERATED_NOTE.format(english=ENGLISH, name="hints.py",
                                 catalog=source.catalog.name) + text


def _literal_parts(literal):
    """A string literal as ``[text or (expression,)]``: its constant text and, for an
    f-string, each ``{field}`` (its expression, conversion and format, as :func:`ast.dump`)."""
    node = ast.parse(literal.strip(), mode="eval").body
    if isinstance(node, ast.Constant):
        return [node.value]
    return [v.value if isinstance(v, ast.Constant) else (ast.dump(v),) for v in node.values]


def _text_pair(kind, english, chinese):
    """``(pattern, English)`` of one plot text: the Chinese text as a regular expression (an
    f-string's fields as groups) and the English as its ``match.expand`` template; None when
    the English uses a field the Chinese has not."""
    if kind == "string":
        english_parts, chinese_parts = [english], [chinese]
    else:
        english_parts, chinese_parts = _literal_parts(english), _literal_parts(chinese)
    groups, pattern = {}, []
    for part in chinese_parts:
        if isinstance(part, str):
            pattern.append(re.escape(part))
        elif part in groups:
            pattern.append(f"(?P={groups[part]})")
        else:
            groups[part] = f"f{len(groups)}"
            pattern.append(f"(?P<{groups[part]}>.*?)")
    template = []
    for part in english_parts:
        if isinstance(part, str):
            template.append(part.replace("\\", "\\\\"))
        elif part in groups:
            template.append(f"\\g<{groups[part]}>")
        else:
            return None
    return "".join(pattern), "".join(template)


def plot_text_table(source):
    """``[(pattern, English)]``: every translated text the notebook's plots draw (titles,
    labels, legend entries: not ``print``'s), as ``lr_utils.ENGLISH_PLOT_TEXT`` holds them,
    longest fixed text first (the first pattern that matches a text wins)."""
    found = translations(source)
    table = {}
    for cell in json.loads(source.read())["cells"]:
        if cell["cell_type"] != "code" or is_test_cell(cell):
            continue
        for _, _, kind, english in python_pieces("".join(cell["source"]), strings="plot"):
            chinese = found.get((cell["id"], english))
            pair = chinese and _text_pair(kind, english, chinese)
            if pair:
                table.setdefault(pair[0], pair[1])
    # The most specific first: "学习率 = {x}" is tried before "学习率 {x}" (which it matches too).
    return sorted(table.items(), key=lambda pair: (-len(re.sub(r"\(\?P.*?\)", "", pair[0])), pair))


#: The English ``lr_utils.py``'s empty table, filled in the Chinese edition.
PLOT_TEXT_LINE = "ENGLISH_PLOT_TEXT = ()\n"


def lr_utils_text(source, notebook):
    """The Chinese ``lr_utils.py``: the English module with its ``MESSAGES`` translated and
    ``ENGLISH_PLOT_TEXT`` holding :func:`plot_text_table` of the notebook."""
    found = translations(source)
    english = source.read()
    text = english
    for key, piece in sorted(table_pieces(english, source.table), key=lambda p: -p[1][0]):
        text = substitute(text, [piece], _translator(found, key))
    if text.count(PLOT_TEXT_LINE) != 1:
        raise ValueError(f"{source.path} must hold the line {PLOT_TEXT_LINE.strip()!r} once "
                         "(the Chinese edition fills it)")
    rows = "".join(f"    ({pattern!r},\n     {english!r}),\n"
                   for pattern, english in plot_text_table(notebook))
    text = text.replace(PLOT_TEXT_LINE, f"ENGLISH_PLOT_TEXT = (\n{rows})\n")
    return GENERATED_NOTE.format(english=ENGLISH, name="lr_utils.py",
                                 catalog=source.catalog.name) + text


def edition_files():
    """``{path relative to the course: bytes}`` of every file of the generated edition."""
    english_dir = facts.source_dir(ENGLISH)
    notebook, hints, _, quiz, lr_utils = sources()
    files = {f"source/{EDITION}/{EDITION}.ipynb": notebook_text(notebook).encode("utf-8"),
             f"source/{EDITION}/hints.py": module_text(hints).encode("utf-8"),
             f"source/{EDITION}/lr_utils.py": lr_utils_text(lr_utils, notebook).encode("utf-8")}
    chinese_quiz = translated_quiz_files(translations(quiz))
    for path in sorted(english_dir.rglob("*")):
        relative = path.relative_to(english_dir).as_posix()
        if not path.is_file() or path.suffix == ".ipynb" or relative in ("hints.py", "lr_utils.py") \
                or "__pycache__" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        quiz_file = relative.removeprefix("quiz/")
        files[f"source/{EDITION}/{relative}"] = chinese_quiz[quiz_file] \
            if relative.startswith("quiz/") and quiz_file in chinese_quiz else path.read_bytes()
    return files


def build():
    """Write the edition under ``source/``, removing files the English no longer has."""
    files = edition_files()
    target = facts.source_dir(EDITION)
    if target.exists():
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(facts.REPO_ROOT).as_posix()
            if path.is_file() and relative not in files:
                path.unlink()
    for relative, data in files.items():
        path = facts.REPO_ROOT / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return sorted(files)
