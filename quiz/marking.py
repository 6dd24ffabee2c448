"""How the quiz is marked: the right answer comes from NumPy itself, or from a salted hash.

You do not need to read this file to take the quiz. It is here so that anyone can see how an
answer is judged:

- A *NumPy question* shows code (``setup`` then ``asked``). Every option makes a claim about
  what that code produces: a shape (:func:`shape`), an error (:func:`error`) or the same array
  as another expression (:func:`same_as`). The check runs the code with NumPy, runs each
  option's claim, and the right option is the one whose claim agrees with what NumPy did.
  Exactly one option must agree, otherwise the question itself is broken.
- A *concept question* (:func:`choice` options) is checked against ``key_hashes.json``, which
  holds ``sha256(salt | question id | letter | option text)`` of the right option. The hash
  keeps the letter out of sight; it is not a secret you could not find by trying every letter,
  and it does not need to be: this quiz is for you.

A failed check says what is wrong and which concept to revisit; it never names the right option.
"""

import ast
import dataclasses
import hashlib
import json
import re
import unicodedata
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np

import quiz_messages as words

LETTERS = "ABCDEFGH"

#: Seed of NumPy's global generator while a question's code runs, so every run sees the same
#: arrays (the code uses ``np.random.randn`` as in the lectures).
SEED = 0

QUIZ_DIR = Path(__file__).resolve().parent
KEY_HASHES = QUIZ_DIR / "key_hashes.json"

NOT_ANSWERED = words.NOT_ANSWERED

#: What NFKC leaves full-width, typed with a Chinese input method: read as ASCII.
FULL_WIDTH_TABLE = str.maketrans({"。": ".", "、": ",", "“": '"', "”": '"', "‘": "'", "’": "'"})
#: Around a letter: brackets, quotes and stops are not part of the answer (``（Ｃ）``, ``C。``).
AROUND_A_LETTER = " ()[]{}.,;:'\"`"


class QuizDefinitionError(Exception):
    """The quiz itself is inconsistent (a question's code fails, or not exactly one option is
    right). Only the quiz's author can fix this."""


@dataclasses.dataclass(frozen=True)
class Option:
    """One answer option.

    Attributes
    ----------
    text : str or None
        Markdown shown to the student; ``None`` means "derived from the claim".
    kind : {"choice", "shape", "error", "same_as"}
        What the option claims about the question's code (``"choice"``: nothing executable).
    claim : tuple or str or None
        The claimed shape (``"shape"``) or the Python expression (``"same_as"``).
    """

    text: str | None
    kind: str
    claim: tuple | str | None = None


def choice(text):
    """A concept option: plain text, checked against the salted hash of the right one."""
    return Option(text, "choice")


def shape(dims, text=None):
    """Claims that the asked code runs and its result has shape ``dims``."""
    return Option(text, "shape", tuple(dims))


def error(text):
    """Claims that the asked code raises an error (NumPy's ``ValueError`` for shapes that do
    not broadcast or do not align)."""
    return Option(text, "error")


def same_as(expression, text=None):
    """Claims that the asked code's result equals the value of ``expression`` (same shape,
    same numbers), evaluated on the same arrays."""
    return Option(text, "same_as", expression)


@dataclasses.dataclass
class Question:
    """One multiple-choice question.

    Attributes
    ----------
    qid : str
        ``"Q1"``, ``"Q2"``, ...: the name of the answer variable in ``answers.py``.
    title : str
        Short heading.
    prompt : str
        The question, in Markdown (shown after the code, if any).
    options : tuple of Option
        Shown as A, B, C, ... in this order.
    hint : str
        Shown with a wrong answer: the concept to revisit, never the answer.
    setup : str or None
        NumPy questions: code that creates the arrays (shown, then run with :data:`SEED`).
    asked : str or None
        NumPy questions: the code the question is about (shown after ``setup``).
    result : str
        NumPy questions: the variable of ``asked`` whose value is the outcome.
    """

    qid: str
    title: str
    prompt: str
    options: tuple
    hint: str
    setup: str | None = None
    asked: str | None = None
    result: str = "c"

    def __post_init__(self):
        kinds = {option.kind for option in self.options}
        if self.is_numpy == ("choice" in kinds):
            raise QuizDefinitionError(
                f"{self.qid}: a question with code ({self.asked is not None}) needs executable "
                f"options (shape / error / same_as), a concept question needs choice options"
            )
        if not 2 <= len(self.options) <= len(LETTERS):
            raise QuizDefinitionError(f"{self.qid}: needs 2 to {len(LETTERS)} options")
        self.options = tuple(
            dataclasses.replace(option, text=self._default_text(option))
            if option.text is None
            else option
            for option in self.options
        )

    def _default_text(self, option):
        if option.kind == "shape":
            return f"`{self.result}.shape == {option.claim}`"
        if option.kind == "same_as":
            return f"`{self.result} = {option.claim}`"
        raise QuizDefinitionError(f"{self.qid}: a {option.kind} option needs a text")

    @property
    def is_numpy(self):
        """True when the right option is found by running the question's code."""
        return self.asked is not None

    @property
    def letters(self):
        """The valid answers, e.g. ``"ABCD"``."""
        return LETTERS[: len(self.options)]

    @property
    def code(self):
        """The code shown to the student: ``setup`` then ``asked``."""
        return f"{self.setup.rstrip()}\n{self.asked.rstrip()}\n"


class Outcome(NamedTuple):
    """What a piece of code did: raised a NumPy ``ValueError``, or produced ``value``."""

    raised: bool
    value: object = None


def _run(question, statements=None, expression=None):
    """Run ``setup`` then either ``statements`` (outcome: ``question.result``) or
    ``expression`` (outcome: its value), on freshly seeded arrays, silently."""
    namespace = {"np": np}
    saved_state = np.random.get_state()
    # Warnings are the question author's business, never the student's terminal.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            np.random.seed(SEED)
            try:
                exec(compile(question.setup, f"<{question.qid} setup>", "exec"), namespace)
            except Exception as exc:
                raise QuizDefinitionError(f"{question.qid}: the setup code fails: {exc!r}") from exc
            try:
                if expression is not None:
                    value = eval(compile(expression, f"<{question.qid} option>", "eval"), namespace)
                else:
                    exec(compile(statements, f"<{question.qid} asked>", "exec"), namespace)
                    value = namespace[question.result]
            except ValueError:
                # How NumPy reports shapes that do not broadcast or do not align.
                return Outcome(raised=True)
            except Exception as exc:
                raise QuizDefinitionError(
                    f"{question.qid}: code {expression or statements!r} fails with {exc!r}, "
                    "not with NumPy's ValueError"
                ) from exc
        finally:
            np.random.set_state(saved_state)
    return Outcome(raised=False, value=value)


def _same(first, second):
    """Two outcomes agree: both errors, or arrays of the same shape and (float-)equal values."""
    if first.raised or second.raised:
        return first.raised and second.raised
    return np.shape(first.value) == np.shape(second.value) and bool(
        np.allclose(first.value, second.value, rtol=1e-9, atol=1e-12)
    )


def claim_holds(question, option, actual):
    """Whether ``option``'s claim agrees with ``actual``, the outcome of the asked code."""
    if option.kind == "error":
        return actual.raised
    if option.kind == "shape":
        return not actual.raised and np.shape(actual.value) == option.claim
    if option.kind == "same_as":
        return _same(actual, _run(question, expression=option.claim))
    raise QuizDefinitionError(f"{question.qid}: a {option.kind} option cannot be executed")


def numpy_truth(question):
    """The letter of the one option whose claim agrees with what NumPy does.

    Raises
    ------
    QuizDefinitionError
        If no option or several options agree with NumPy.
    """
    actual = _run(question, statements=question.asked)
    agreeing = [
        letter
        for letter, option in zip(question.letters, question.options)
        if claim_holds(question, option, actual)
    ]
    if len(agreeing) != 1:
        raise QuizDefinitionError(
            f"{question.qid}: {len(agreeing)} options agree with NumPy; exactly one must"
        )
    return agreeing[0]


def answer_hash(salt, question, letter):
    """``sha256(salt | qid | letter | option text)``: binding the text means that editing the
    right option's wording invalidates the stored hash instead of silently keeping it."""
    text = question.options[question.letters.index(letter)].text
    payload = "|".join([salt, question.qid, letter, text])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def load_key_hashes(path=KEY_HASHES):
    """``(salt, {qid: hash})`` from ``key_hashes.json``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data["salt"], data["hashes"]


def normalise(question, answer):
    """The student's answer as an upper-case letter, ``None`` when unanswered.

    The text is read as a Chinese input method may type it: NFKC-normalised (a full-width
    ``"Ｃ"`` or ``"（Ｃ）"`` counts as ``"C"``), then :data:`FULL_WIDTH_TABLE` for what NFKC
    leaves (``。、“”‘’``); brackets, quotes and stops around the letter, spaces and case are
    ignored (``"C。"``, ``"“C”"``).

    Raises
    ------
    ValueError
        With the same message for every answer that is not exactly one of the letters (a
        number, two letters, an unknown letter, an empty string): what to write instead.
    """
    if answer is None:
        return None
    if isinstance(answer, str):
        letter = lenient(answer).strip(AROUND_A_LETTER).upper()
        if len(letter) == 1 and letter in question.letters:
            return letter
    choices = ", ".join(f"'{letter}'" for letter in question.letters)
    raise ValueError(words.NOT_AN_OPTION.format(qid=question.qid, answer=repr(answer),
                                                choices=choices))


def lenient(text):
    """``text`` as ASCII where a Chinese input method typed full-width forms: NFKC, then
    :data:`FULL_WIDTH_TABLE`."""
    return unicodedata.normalize("NFKC", text).translate(FULL_WIDTH_TABLE)


def full_width_problem(source, file):
    """The one sentence saying which full-width character breaks ``source`` (a quiz file), on
    which line, and the ASCII to type instead; ``None`` when it compiles or fails otherwise."""
    try:
        compile(source, file, "exec")
    except SyntaxError as problem:
        lines = source.splitlines()
        text = lines[problem.lineno - 1] if problem.lineno and problem.lineno <= len(lines) else ""
        for char in text:
            ascii_form = lenient(char)
            if ascii_form != char and ascii_form.isascii():
                return words.FULL_WIDTH.format(file=file, line=problem.lineno, char=f"'{char}'",
                                               ascii=f"'{ascii_form}'")
    return None


def read_answers(path):
    """``(answers, problems)`` of ``answers.py``, read without importing it.

    ``answers`` maps each ``Qn`` to the value written (a letter, ``None``, a number);
    ``problems`` maps a ``Qn`` whose line cannot be read to the sentence saying so, or ``"*"``
    to one sentence for the whole file. Full-width punctuation is read as ASCII first
    (:func:`lenient`), so ``Q1 = “C”`` is ``"C"``, and a line that still does not parse costs
    only its own question, never the eleven others.
    """
    source = lenient(Path(path).read_text(encoding="utf-8"))
    answers, problems = {}, {}
    try:
        blocks = [(None, ast.parse(source))]
    except SyntaxError:
        blocks = []
        for number, line in enumerate(source.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                blocks.append((number, ast.parse(line.strip())))
            except SyntaxError as problem:
                found = re.match(r"\s*(Q\d+)\b", line)
                if found:
                    problems[found.group(1)] = words.ANSWER_LINE_UNREADABLE.format(
                        line=number, qid=found.group(1), problem=problem.msg)
        if not blocks and not problems:
            return {}, {"*": words.ANSWERS_UNREADABLE.format(problem="SyntaxError")}
    for number, tree in blocks:
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                continue
            qid = node.targets[0].id
            try:
                answers[qid] = ast.literal_eval(node.value)
            except ValueError:
                problems[qid] = words.ANSWER_NOT_A_LETTER.format(
                    line=number or node.lineno, qid=qid, text=ast.get_source_segment(
                        source if number is None else source.splitlines()[number - 1].strip(),
                        node.value))
    return answers, problems


def is_right(question, letter, key_hashes=None):
    """Whether ``letter`` is the right answer (NumPy decides, or the salted hash)."""
    if question.is_numpy:
        return letter == numpy_truth(question)
    salt, hashes = key_hashes if key_hashes is not None else load_key_hashes()
    if question.qid not in hashes:
        raise QuizDefinitionError(f"key_hashes.json has no entry for {question.qid}")
    return answer_hash(salt, question, letter) == hashes[question.qid]


def verdict(question, answer, key_hashes=None):
    """``None`` when ``answer`` is right, else the message to show (never the right option)."""
    if answer is None:
        return words.UNANSWERED.format(qid=question.qid, not_answered=NOT_ANSWERED)
    try:
        letter = normalise(question, answer)
    except ValueError as bad:
        return str(bad)
    if is_right(question, letter, key_hashes):
        return None
    return words.WRONG.format(qid=question.qid, letter=letter, hint=question.hint)


def render_markdown(title, introduction, questions):
    """The Markdown page of the quiz: every question with its code and lettered options."""
    lines = [f"# {title}", "", introduction.strip(), ""]
    for question in questions:
        lines += [f"## {question.qid}. {question.title}", ""]
        if question.is_numpy:
            lines += ["```python", question.code.rstrip(), "```", ""]
        lines += [question.prompt.strip(), ""]
        lines += [
            f"- **{letter}.** {option.text}"
            for letter, option in zip(question.letters, question.options)
        ]
        lines.append("")
    return "\n".join(lines)
