"""The Chinese quiz: ``quiz/`` with its sentences translated (``i18n/zh_CN/quiz.po``).

The top-level ``quiz/`` stays the one English source. Translated: the checks' sentences
(``quiz_messages.py``), the questions (titles, prompts, options' text, hints, the introduction and
the drill's hint in ``questions.py``), the docstrings and comments of ``answers.py`` and
``drill.py``, and ``README.md``; ``questions.md`` and ``key_hashes.json`` are then rendered from
the Chinese questions (a concept answer's hash binds its option's text). The code of the
questions, the options' claims and the marking logic are copied unchanged.
"""

import ast
import json
import tempfile
from pathlib import Path

from catvnoncat.i18n.strings import (_has_words, markdown_pieces, module_pieces, python_pieces,
                                     substitute)

__all__ = ["QUIZ_CATALOG_ENTRIES", "quiz_pieces", "translated_quiz_files"]

#: Keywords of ``Question(...)`` that hold text a student reads.
QUESTION_TEXT = ("title", "prompt", "hint")
#: Option constructors, and where each takes its text (position, keyword).
OPTION_TEXT = {"choice": 0, "error": 0, "shape": 1, "same_as": 1}
#: Module-level constants of ``questions.py`` a student reads.
QUESTIONS_CONSTANTS = ("TITLE", "INTRODUCTION", "DRILL_HINT")
#: The quiz's translated files, in catalog order.
TRANSLATED = ("README.md", "quiz_messages.py", "questions.py", "answers.py", "drill.py")


def _line_starts(data):
    starts = [0]
    for line in data.split(b"\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    return starts


def _string_piece(node, starts):
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _has_words(node.value):
        return (starts[node.lineno - 1] + node.col_offset,
                starts[node.end_lineno - 1] + node.end_col_offset, "string", node.value)
    return None


def _question_pieces(text):
    """``[(context, piece)]`` of ``questions.py``: ``Q4.title``, ``Q4.option.C``, ``TITLE``..."""
    starts = _line_starts(text.encode("utf-8"))
    tree = ast.parse(text)
    found = []

    def add(context, node):
        piece = _string_piece(node, starts)
        if piece is not None:
            found.append((context, piece))

    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and getattr(node.targets[0], "id", None) in QUESTIONS_CONSTANTS:
            add(node.targets[0].id, node.value)
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Question"):
            continue
        fields = {kw.arg: kw.value for kw in call.keywords}
        qid = fields["qid"].value
        for name in QUESTION_TEXT:
            if name in fields:
                add(f"{qid}.{name}", fields[name])
        options = fields.get("options")
        for letter, option in zip("ABCDEFGH", getattr(options, "elts", [])):
            name = getattr(option.func, "id", None) if isinstance(option, ast.Call) else None
            if name not in OPTION_TEXT:
                continue
            where = OPTION_TEXT[name]
            value = next((kw.value for kw in option.keywords if kw.arg == "text"), None)
            if value is None and len(option.args) > where:
                value = option.args[where]
            if value is not None:
                add(f"{qid}.option.{letter}", value)
    return found


def quiz_pieces(name, text):
    """``[(context, piece)]`` of one quiz file (contexts start with the file's name)."""
    if name == "README.md":
        return [(name, piece) for piece in markdown_pieces(text)]
    if name == "questions.py":
        return [(f"{name}:{context}", piece) for context, piece in _question_pieces(text)]
    if name == "quiz_messages.py":
        return [(f"{name}:{context}" if context != name else name, piece)
                for context, piece in module_pieces(text, name)]
    return [(name, piece) for piece in python_pieces(text)]


def _english_files():
    from catvnoncat.quiz_truth import QUIZ_DIR, quiz_files

    return QUIZ_DIR, quiz_files(QUIZ_DIR)


def QUIZ_CATALOG_ENTRIES():
    """``[(msgctxt, kind, msgid)]`` of the quiz's translated files, in catalog order."""
    _, files = _english_files()
    return [(context, kind, msgid) for name in TRANSLATED
            for context, (_, _, kind, msgid) in quiz_pieces(name, files[name].decode())]


def _triple_quoted(text):
    return '"""' + text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') + '"""'


def translated_quiz_files(found):
    """``{relative path: bytes}`` of the Chinese quiz, from ``found`` (the quiz catalog's
    finished translations, ``{(msgctxt, msgid): msgstr}``)."""
    from catvnoncat.quiz_key import KEY
    from catvnoncat.quiz_truth import write_generated_files

    _, files = _english_files()
    out = dict(files)
    for name in TRANSLATED:
        english = files[name].decode("utf-8")
        text = english
        data = english.encode("utf-8")
        for context, piece in sorted(quiz_pieces(name, english), key=lambda p: -p[1][0]):
            start, end, kind, msgid = piece
            chinese = found.get((context, msgid), msgid)
            if kind == "string" and data[start:end].startswith(b'"""'):
                # A module-level triple-quoted string: written back as one, not cut into lines.
                piece, chinese = (start, end, "literal", msgid), _triple_quoted(chinese)
            text = substitute(text, [piece], lambda kind, msgid, c=chinese: c)
        out[name] = text.encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="quiz-zh-") as scratch:
        for relative, data in out.items():
            path = Path(scratch) / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        markdown, hashes = write_generated_files(scratch, KEY)
        out["questions.md"] = Path(markdown).read_bytes()
        out["key_hashes.json"] = Path(hashes).read_bytes()
    json.loads(out["key_hashes.json"])  # written by the generator: valid JSON
    return out
