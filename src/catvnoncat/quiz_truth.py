"""Instructor-side view of the student quiz in ``quiz/``: load it, derive its truths, refresh
its generated files.

``python -m catvnoncat.quiz_truth`` rewrites ``quiz/questions.md`` (from ``quiz/questions.py``)
and ``quiz/key_hashes.json`` (from :data:`catvnoncat.quiz_key.KEY`), keeping the existing salt,
then copies the quiz into the assignment (``source/<assignment>/quiz/``, :func:`copy_into_assignment`)
so that ``nbgrader generate_assignment`` releases it: students who fetch the assignment through
the exchange get it with the notebook. The top-level ``quiz/`` is the one to edit.
"""

import importlib
import json
import secrets
import shutil
import sys
import types
from pathlib import Path

from catvnoncat.quiz_key import KEY

#: The quiz shipped with the repository (``src/catvnoncat/`` -> repository root -> ``quiz/``).
QUIZ_DIR = Path(__file__).resolve().parents[2] / "quiz"

#: The quiz's copy inside the assignment, released with the notebook (generated: do not edit).
ASSIGNMENT_QUIZ_DIR = QUIZ_DIR.parent / "source" / "logistic_regression" / "quiz"

#: The quiz's own modules, imported by their plain names as pytest does inside ``quiz/``.
QUIZ_MODULES = ("quiz_messages", "marking", "questions")


def load_quiz(quiz_dir=QUIZ_DIR):
    """The quiz's ``marking`` and ``questions`` modules, imported from ``quiz_dir``.

    ``sys.path`` and ``sys.modules`` are restored afterwards, so the generic module names never
    leak into the caller's process and several copies of the quiz can be loaded side by side.

    Returns
    -------
    types.SimpleNamespace
        With attributes ``marking`` and ``questions`` (the modules) and ``dir`` (a Path).
    """
    quiz_dir = Path(quiz_dir).resolve()
    if not (quiz_dir / "questions.py").is_file():
        raise FileNotFoundError(f"{quiz_dir} has no questions.py: pass the quiz/ folder")
    shadowed = {name: sys.modules.pop(name) for name in QUIZ_MODULES if name in sys.modules}
    sys.path.insert(0, str(quiz_dir))
    try:
        modules = {name: importlib.import_module(name) for name in QUIZ_MODULES}
    finally:
        sys.path.remove(str(quiz_dir))
        for name in QUIZ_MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(shadowed)
    return types.SimpleNamespace(dir=quiz_dir, **modules)


def concept_hashes(quiz, salt, key=KEY):
    """``{qid: salted hash of the key's letter}`` for every concept question of ``quiz``."""
    return {
        question.qid: quiz.marking.answer_hash(salt, question, key[question.qid])
        for question in quiz.questions.QUESTIONS
        if not question.is_numpy
    }


def numpy_truths(quiz):
    """``{qid: letter}`` for every NumPy question, as NumPy itself decides."""
    return {
        question.qid: quiz.marking.numpy_truth(question)
        for question in quiz.questions.QUESTIONS
        if question.is_numpy
    }


def write_generated_files(quiz_dir=QUIZ_DIR, key=KEY):
    """Rewrite ``questions.md`` and ``key_hashes.json`` in ``quiz_dir``; return their paths."""
    quiz = load_quiz(quiz_dir)
    hashes_path = quiz.dir / "key_hashes.json"
    salt = (
        json.loads(hashes_path.read_text(encoding="utf-8"))["salt"]
        if hashes_path.is_file()
        else secrets.token_hex(16)
    )
    document = {"salt": salt, "hashes": concept_hashes(quiz, salt, key)}
    hashes_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    markdown_path = quiz.questions.MARKDOWN
    markdown_path.write_text(quiz.questions.markdown(), encoding="utf-8")
    return markdown_path, hashes_path


def quiz_files(quiz_dir=QUIZ_DIR):
    """``{relative path: bytes}`` of the quiz's own files (no caches)."""
    quiz_dir = Path(quiz_dir)
    return {p.relative_to(quiz_dir).as_posix(): p.read_bytes() for p in sorted(quiz_dir.rglob("*"))
            if p.is_file() and not {"__pycache__", ".pytest_cache", ".hypothesis"} & set(p.parts)}


def copy_into_assignment(quiz_dir=QUIZ_DIR, dest=ASSIGNMENT_QUIZ_DIR):
    """Make ``dest`` an exact copy of the quiz's files; return ``dest``."""
    if Path(dest).exists():
        shutil.rmtree(dest)
    for relative, content in quiz_files(quiz_dir).items():
        path = Path(dest) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return Path(dest)


if __name__ == "__main__":
    for path in write_generated_files():
        print(f"wrote {path}")
    print(f"copied the quiz to {copy_into_assignment()} (then: make release)")
