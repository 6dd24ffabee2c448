"""Generate the Chinese edition ``source/logistic_regression_zh/`` from the English and the catalogs.

The notebook keeps every cell, id, metadata and test cell of the English; only the pieces of
:mod:`catvnoncat.i18n.strings` change. ``hints.py`` is the English module with its sentences
translated; the quiz is :mod:`catvnoncat.i18n.quiz`'s Chinese quiz; the other student-side
helpers are copied unchanged. A piece without
a finished translation stays English (``python -m catvnoncat.i18n`` lists it and fails).
"""

import json
import shutil

from catvnoncat import facts
from catvnoncat.i18n import EDITION, ENGLISH
from catvnoncat.i18n.catalog import is_test_cell, module_pieces, sources, translations
from catvnoncat.i18n.quiz import translated_quiz_files
from catvnoncat.i18n.strings import markdown_pieces, python_pieces, substitute

__all__ = ["edition_files", "build"]

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


def edition_files():
    """``{path relative to the course: bytes}`` of every file of the generated edition."""
    english_dir = facts.source_dir(ENGLISH)
    notebook, hints, _, quiz = sources()
    files = {f"source/{EDITION}/{EDITION}.ipynb": notebook_text(notebook).encode("utf-8"),
             f"source/{EDITION}/hints.py": module_text(hints).encode("utf-8")}
    chinese_quiz = translated_quiz_files(translations(quiz))
    for path in sorted(english_dir.rglob("*")):
        relative = path.relative_to(english_dir).as_posix()
        if not path.is_file() or path.suffix == ".ipynb" or relative == "hints.py" \
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
