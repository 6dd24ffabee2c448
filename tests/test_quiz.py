"""The student quiz in quiz/: its key is right, every right answer passes, every wrong one fails.

The quiz is run the way a student runs it, ``python -m pytest quiz`` in a subprocess, on a temporary
copy whose ``answers.py`` / ``drill.py`` are filled in by the test. Each distinct run happens once
per session (cached); outcomes and messages are read from pytest's JUnit XML report. Every run uses
``-vv --tb=long -l`` (the most a student could ask pytest to print) so that the leak checks see
the worst case.

Expected values come from ``catvnoncat.quiz_key.KEY`` (the plaintext key) and from NumPy itself
(``np.broadcast_shapes`` for the drill, the questions' own code for the NumPy questions).
"""

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from catvnoncat.quiz_key import KEY
from catvnoncat.quiz_truth import QUIZ_DIR, concept_hashes, load_quiz, numpy_truths

QUIZ = load_quiz()
QUESTIONS = QUIZ.questions.QUESTIONS
MARKING = QUIZ.marking
BY_ID = {question.qid: question for question in QUESTIONS}
DRILL_TEST = "test_broadcast_shape_drill"

#: One run per wrong option of the question with the most options: run k answers every
#: question with its k-th wrong letter (cycling for questions with fewer options).
WRONG_ROUNDS = max(len(question.options) for question in QUESTIONS) - 1


def wrong_letters(question):
    return [letter for letter in question.letters if letter != KEY[question.qid]]


def wrong_answers(round_):
    return {q.qid: wrong_letters(q)[round_ % len(wrong_letters(q))] for q in QUESTIONS}


# --- drill implementations: the instructor's, and typical mistakes (never shipped) ----------

PAD = '''
def _padded(shape, ndim, left=True):
    ones = (1,) * (ndim - len(shape))
    return ones + tuple(shape) if left else tuple(shape) + ones
'''

CORRECT_DRILL = PAD + '''
def broadcast_shape(shape_a, shape_b):
    ndim = max(len(shape_a), len(shape_b))
    result = []
    for da, db in zip(_padded(shape_a, ndim), _padded(shape_b, ndim)):
        if da != db and 1 not in (da, db):
            raise ValueError(f"cannot broadcast {shape_a} with {shape_b}")
        result.append(db if da == 1 else da)
    return tuple(result)
'''

WRONG_DRILLS = {
    "no size-1 stretching": PAD + '''
def broadcast_shape(shape_a, shape_b):
    ndim = max(len(shape_a), len(shape_b))
    a, b = _padded(shape_a, ndim), _padded(shape_b, ndim)
    if a != b:
        raise ValueError("shapes differ")
    return a
''',
    "never raises ValueError": PAD + '''
def broadcast_shape(shape_a, shape_b):
    ndim = max(len(shape_a), len(shape_b))
    return tuple(max(da, db) for da, db in zip(_padded(shape_a, ndim), _padded(shape_b, ndim)))
''',
    "aligns shapes from the left": PAD + '''
def broadcast_shape(shape_a, shape_b):
    ndim = max(len(shape_a), len(shape_b))
    result = []
    for da, db in zip(_padded(shape_a, ndim, left=False), _padded(shape_b, ndim, left=False)):
        if da != db and 1 not in (da, db):
            raise ValueError("cannot broadcast")
        result.append(db if da == 1 else da)
    return tuple(result)
''',
    "returns a list": CORRECT_DRILL + '''
_tuple_version = broadcast_shape

def broadcast_shape(shape_a, shape_b):
    return list(_tuple_version(shape_a, shape_b))
''',
}


def drill_function(source):
    namespace = {}
    exec(source, namespace)
    return namespace["broadcast_shape"]


# --- running the quiz ---------------------------------------------------------------------

class QuizRun:
    """One ``python -m pytest quiz`` run: per-test outcome and failure text, full output."""

    def __init__(self, junit_xml, stdout, stderr, returncode):
        self.stdout, self.stderr, self.returncode = stdout, stderr, returncode
        self.outcome, self.message = {}, {}
        for case in ET.parse(junit_xml).getroot().iter("testcase"):
            name = case.get("name")
            problem = next((child for child in case if child.tag in ("failure", "error",
                                                                     "skipped")), None)
            self.outcome[name] = {None: "passed", "failure": "failed", "error": "error",
                                  "skipped": "skipped"}[None if problem is None else problem.tag]
            self.message[name] = "" if problem is None else (
                (problem.get("message") or "") + "\n" + (problem.text or ""))

    def question(self, qid):
        return f"test_question[{qid}]"


#: In an ``answers`` mapping: remove that question's line from answers.py.
DELETE = object()


def fill_answers(text, answers):
    """``answers.py`` text with ``Qn = None`` replaced by ``Qn = <repr>``; a value of ``DELETE``
    removes the line. Fails when the shipped file lacks a ``Qn = None`` line."""
    for qid, value in answers.items():
        pattern = re.compile(rf"^{qid} = None$", re.M)
        assert len(pattern.findall(text)) == 1, f"answers.py needs one line '{qid} = None'"
        text = pattern.sub("" if value is DELETE else f"{qid} = {value!r}", text)
    return text


@pytest.fixture(scope="module")
def run_quiz(tmp_path_factory):
    """``run_quiz(name, answers=None, drill=None, answers_text=None, only=None)``: run the quiz
    on a fresh copy (cached by ``name``)."""
    cache = {}

    def run(name, answers=None, drill=None, answers_text=None, only=None):
        if name in cache:
            return cache[name]
        workdir = tmp_path_factory.mktemp(name)
        quiz = workdir / "quiz"
        shutil.copytree(QUIZ_DIR, quiz, ignore=shutil.ignore_patterns(
            "__pycache__", ".pytest_cache", ".hypothesis"))
        if answers is not None:
            path = quiz / "answers.py"
            path.write_text(fill_answers(path.read_text(encoding="utf-8"), answers))
        if answers_text is not None:
            (quiz / "answers.py").write_text(answers_text)
        if drill is not None:
            (quiz / "drill.py").write_text(drill)
        junit = workdir / "report.xml"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HYPOTHESIS"))}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        target = "quiz" if only is None else f"quiz/{only}"
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", target, "-vv", "--tb=long", "-l",
             "-p", "no:cacheprovider", f"--junitxml={junit}"],
            cwd=workdir, env=env, capture_output=True, text=True, timeout=300,
        )
        cache[name] = QuizRun(junit, proc.stdout, proc.stderr, proc.returncode)
        return cache[name]

    return run


# --- the runs (each one happens once per session) ----------------------------------------

MISTAKES = list(WRONG_DRILLS)

#: Answers that are not letters, one accepted spelling, and a deleted line.
INVALID_ANSWERS = {"Q1": "E", "Q2": 2, "Q3": f" {KEY['Q3'].lower()} ", "Q4": DELETE}


def wrong_round(run_quiz, round_):
    """Every question answered with its ``round_``-th wrong letter; the drill with a mistake."""
    return run_quiz(f"wrong{round_}", answers=wrong_answers(round_),
                    drill=WRONG_DRILLS[MISTAKES[round_ % len(MISTAKES)]])


def invalid_answers_run(run_quiz):
    return run_quiz("invalid", answers=INVALID_ANSWERS,
                    drill=WRONG_DRILLS[MISTAKES[WRONG_ROUNDS % len(MISTAKES)]])


def run_with_mistake(run_quiz, mistake):
    """A run whose drill.py makes ``mistake`` (the drills ride along the answer runs)."""
    index = MISTAKES.index(mistake)
    if index < WRONG_ROUNDS:
        return wrong_round(run_quiz, index)
    if index == WRONG_ROUNDS:
        return invalid_answers_run(run_quiz)
    return run_quiz(f"drill{index}", drill=WRONG_DRILLS[mistake], only="test_quiz_drill.py")


def without_drill_lines(output):
    """The output minus the drill's lines, whose shapes are the drill's, not a question's."""
    return "\n".join(line for line in output.splitlines() if "drill: " not in line)


# --- the key and the quiz's generated files -----------------------------------------------

def test_key_answers_every_question_with_a_valid_letter():
    assert list(KEY) == [question.qid for question in QUESTIONS]
    for question in QUESTIONS:
        assert KEY[question.qid] in question.letters, question.qid


def test_numpy_itself_gives_the_key_of_every_numpy_question():
    # numpy_truth runs each question's code and each option's claim; it raises unless exactly
    # one option agrees with NumPy.
    truths = numpy_truths(QUIZ)
    assert truths == {qid: letter for qid, letter in KEY.items() if BY_ID[qid].is_numpy}
    assert len(truths) >= 8  # the eight NumPy questions of the issue


def test_every_wrong_option_of_a_numpy_question_disagrees_with_numpy():
    for question in QUESTIONS:
        if not question.is_numpy:
            continue
        actual = MARKING._run(question, statements=question.asked)
        holds = [MARKING.claim_holds(question, option, actual) for option in question.options]
        assert holds == [letter == KEY[question.qid] for letter in question.letters], question.qid


def test_key_hashes_agree_with_the_plaintext_key():
    stored = json.loads((QUIZ_DIR / "key_hashes.json").read_text(encoding="utf-8"))
    assert stored["hashes"] == concept_hashes(QUIZ, stored["salt"]), (
        "quiz/key_hashes.json does not match the key or the options' text: check the key, then "
        "run  .venv/bin/python -m catvnoncat.quiz_truth")
    concept = [question for question in QUESTIONS if not question.is_numpy]
    assert set(stored["hashes"]) == {question.qid for question in concept}
    for question in concept:
        right = [letter for letter in question.letters
                 if MARKING.is_right(question, letter, (stored["salt"], stored["hashes"]))]
        assert right == [KEY[question.qid]], question.qid


def test_questions_markdown_is_rendered_from_questions_py():
    assert QUIZ.questions.MARKDOWN.read_text(encoding="utf-8") == QUIZ.questions.markdown(), (
        "quiz/questions.md is stale: run  .venv/bin/python -m catvnoncat.quiz_truth")


def test_questions_markdown_shows_every_option_and_the_code():
    text = QUIZ.questions.MARKDOWN.read_text(encoding="utf-8")
    for question in QUESTIONS:
        assert f"## {question.qid}. {question.title}" in text
        for letter, option in zip(question.letters, question.options):
            assert f"- **{letter}.** {option.text}" in text
        if question.is_numpy:
            assert question.asked in text


def test_quiz_folder_never_contains_or_imports_the_key():
    for path in QUIZ_DIR.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert "catvnoncat" not in path.read_text(encoding="utf-8"), path


# --- running the quiz as a student --------------------------------------------------------

def test_fresh_quiz_reports_every_question_not_answered(run_quiz):
    run = run_quiz("fresh")
    expected = {run.question(q.qid) for q in QUESTIONS} | {DRILL_TEST}
    assert set(run.outcome) == expected
    for name in expected:
        # Fails when quiz/answers.py or quiz/drill.py is not blank: they ship unanswered.
        assert run.outcome[name] == "failed", name
        assert "not answered yet" in run.message[name], name
    assert run.stderr == ""


def test_key_and_a_correct_drill_pass_everything(run_quiz):
    run = run_quiz("key", answers=KEY, drill=CORRECT_DRILL)
    assert run.outcome == {name: "passed" for name in run.outcome}
    assert len(run.outcome) == len(QUESTIONS) + 1
    assert run.returncode == 0 and run.stderr == ""


@pytest.mark.parametrize("round_", range(WRONG_ROUNDS))
def test_every_wrong_option_fails_with_the_questions_hint(run_quiz, round_):
    answers = wrong_answers(round_)
    run = wrong_round(run_quiz, round_)
    assert len(run.outcome) == len(QUESTIONS) + 1
    for question in QUESTIONS:
        name = run.question(question.qid)
        assert run.outcome[name] == "failed", name
        assert (f"{question.qid}: '{answers[question.qid]}' is not right. "
                f"Hint: {question.hint}") in run.message[name]
    assert run.stderr == ""


def test_the_wrong_rounds_try_every_wrong_option():
    tried = {(qid, letter) for r in range(WRONG_ROUNDS) for qid, letter in wrong_answers(r).items()}
    assert tried == {(q.qid, letter) for q in QUESTIONS for letter in wrong_letters(q)}


def forbidden_texts(question):
    """Strings that would give away the right option of ``question``."""
    right = question.options[question.letters.index(KEY[question.qid])]
    texts = [right.text]
    if right.kind == "same_as":
        texts.append(right.claim)
    if right.kind == "shape" and right.claim:
        texts.append(str(right.claim))
    return texts


@pytest.mark.parametrize("round_", range(WRONG_ROUNDS))
def test_failure_output_never_shows_the_right_option(run_quiz, round_):
    answers = wrong_answers(round_)
    run = wrong_round(run_quiz, round_)
    whole_output = without_drill_lines(run.stdout + run.stderr)
    for question in QUESTIONS:
        for text in forbidden_texts(question):
            assert text not in whole_output, (question.qid, text)
        message = run.message[run.question(question.qid)]
        # The only letter a failure names is the student's own.
        assert set(re.findall(r"'([A-H])'", message)) == {answers[question.qid]}, question.qid
        assert not re.search(r"(?i)answer is|should be|correct", message), question.qid


def test_answers_that_are_not_letters_are_explained(run_quiz):
    run = invalid_answers_run(run_quiz)
    letters = ", ".join(f"'{letter}'" for letter in BY_ID["Q1"].letters)
    assert f"Q1 = 'E' is not an option: write one letter, {letters}." in run.message[
        "test_question[Q1]"]
    assert "Q2 = 2 is not an option" in run.message["test_question[Q2]"]
    assert run.outcome["test_question[Q3]"] == "passed"  # spaces and lower case are fine
    assert "not answered yet" in run.message["test_question[Q4]"]  # line deleted
    assert run.stderr == ""


def _full_width(letter):
    return chr(ord(letter) - ord("A") + ord("Ａ"))


#: answers.py as a Chinese input method types it (issue 23, item 6): a typo costs one question.
TYPED_IN_CHINESE = (
    "Q1 = C\n"                                     # no quotes: not a letter in quotes
    "Q2 = \"B\n"                                   # an unclosed quote: its line only
    f"Q3 = “{KEY['Q3']}”\n"                        # curly quotes around the letter
    f"Q4 = \"（{_full_width(KEY['Q4'])}）\"\n"       # full-width letter in full-width brackets
    f"Q5 = \"{KEY['Q5']}。\"\n"                     # a Chinese full stop
    f"Q6 = ‘{_full_width(KEY['Q6'])}’\n"           # single curly quotes, full-width letter
)


def test_answers_typed_with_a_chinese_input_method_read_leniently_and_a_typo_costs_its_line(
        run_quiz):
    run = run_quiz("unreadable", answers_text=TYPED_IN_CHINESE, only="test_quiz_answers.py")
    assert "quiz/answers.py, line 1: Q1 = C is not a letter in quotes" in run.message[
        "test_question[Q1]"]
    assert "quiz/answers.py, line 2: Q2 cannot be read" in run.message["test_question[Q2]"]
    for qid in ("Q3", "Q4", "Q5", "Q6"):
        assert run.outcome[f"test_question[{qid}]"] == "passed", run.message.get(
            f"test_question[{qid}]")
    for qid in ("Q7", "Q8", "Q9", "Q10", "Q11", "Q12"):
        assert "not answered yet" in run.message[f"test_question[{qid}]"], qid
    assert "SyntaxError" not in run.stdout and "Traceback" not in run.stdout


@pytest.mark.parametrize("typed", ["Ａ", "（Ａ）", "A。", "“A”", "‘a’", " (A) ", "【A】"])
def test_a_letter_typed_full_width_is_that_letter(typed):
    question = QUESTIONS[0]
    if typed == "【A】":  # outside the table: said plainly, not guessed
        with pytest.raises(ValueError, match="is not an option"):
            MARKING.normalise(question, typed)
    else:
        assert MARKING.normalise(question, typed) == "A"


FULL_WIDTH_DRILL = CORRECT_DRILL.replace("zip(_padded(shape_a, ndim), _padded(shape_b, ndim))",
                                         "zip(_padded（shape_a, ndim), _padded(shape_b, ndim))")


def test_a_full_width_bracket_in_the_drill_is_named_once_with_its_line(run_quiz):
    assert "（" in FULL_WIDTH_DRILL
    line = FULL_WIDTH_DRILL.splitlines().index(
        next(l for l in FULL_WIDTH_DRILL.splitlines() if "（" in l)) + 1
    run = run_quiz("fullwidth", drill=FULL_WIDTH_DRILL, only="test_quiz_drill.py")
    message = run.message[DRILL_TEST]
    assert f"quiz/drill.py, line {line}: the full-width character '（'" in message, message
    assert "Type the ASCII '('" in message, message
    # Said once: no SyntaxError or traceback besides the sentence.
    assert "SyntaxError" not in run.stdout and "Traceback" not in run.stdout, run.stdout
    comma = CORRECT_DRILL.replace("max(len(shape_a), len(shape_b))",
                                  "max(len(shape_a)，len(shape_b))")
    assert "the full-width character '，'" in MARKING.full_width_problem(comma, "drill.py")
    assert "Type the ASCII ','" in MARKING.full_width_problem(comma, "drill.py")
    assert MARKING.full_width_problem(CORRECT_DRILL + "# 注释（可以）\n", "drill.py") is None


# --- the coding drill ---------------------------------------------------------------------

def test_correct_drill_agrees_with_numpy_on_the_classic_pairs():
    # Guards the instructor's implementation itself, so a passing "key" run means something.
    broadcast_shape = drill_function(CORRECT_DRILL)
    for pair in [((), ()), ((), (3,)), ((2, 1), (1, 3)), ((4, 3), (3,)), ((0,), (1,))]:
        assert broadcast_shape(*pair) == np.broadcast_shapes(*pair)
    for pair in [((0,), (2,)), ((3,), (4,)), ((2, 3), (3, 2))]:
        with pytest.raises(ValueError):
            broadcast_shape(*pair)


@pytest.mark.parametrize("mistake", WRONG_DRILLS)
def test_wrong_drill_fails_on_a_pair_where_it_really_disagrees_with_numpy(run_quiz, mistake):
    run = run_with_mistake(run_quiz, mistake)
    assert run.outcome[DRILL_TEST] == "failed"
    message = run.message[DRILL_TEST]
    shown = re.search(r"drill: broadcast_shape\((\(.*?\)), (\(.*?\))\) ", message)
    assert shown, message
    pair = tuple(ast.literal_eval(group) for group in shown.groups())
    wrong = drill_function(WRONG_DRILLS[mistake])
    try:
        did = wrong(*pair)
    except ValueError:
        did = ValueError
    try:
        numpy_says = np.broadcast_shapes(*pair)
    except ValueError:
        numpy_says = ValueError
    if isinstance(did, list):
        assert f"returned {did!r}, a list: return a tuple" in message
    else:
        assert did != numpy_says  # the shown pair is a genuine counterexample
        assert "and NumPy disagrees" in message and QUIZ.questions.DRILL_HINT in message
        if numpy_says is not ValueError:
            assert f"returned {numpy_says!r}" not in message  # NumPy's answer is not shown
    assert run.stderr == ""


# --- issue 13: one wording for invalid answers, NFKC, the drill's None, nothing written -----

#: A full-width right letter, two letters, a number: the same treatment for every invalid answer.
ISSUE13_ANSWERS = {"Q1": chr(ord(KEY["Q1"]) - ord("A") + ord("Ａ")), "Q10": "AB", "Q11": 3,
                   "Q12": ""}

NONE_DRILL = PAD + '''
def broadcast_shape(shape_a, shape_b):
    ndim = max(len(shape_a), len(shape_b))
    a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    result = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            return None
        result.append(y if x == 1 else x)
    return tuple(result)
'''


def test_full_width_letter_counts_and_every_invalid_answer_reads_the_same(run_quiz):
    run = run_quiz("issue13", answers=ISSUE13_ANSWERS, drill=NONE_DRILL)
    assert run.outcome["test_question[Q1]"] == "passed"  # NFKC: full-width Ｃ is C
    for qid in ("Q10", "Q11", "Q12"):
        letters = ", ".join(f"'{letter}'" for letter in BY_ID[qid].letters)
        expected = f"{qid} = {ISSUE13_ANSWERS[qid]!r} is not an option: write one letter, {letters}."
        assert expected in run.message[f"test_question[{qid}]"], qid
        assert "not right" not in run.message[f"test_question[{qid}]"], qid


def test_drill_returning_none_is_told_to_raise_value_error(run_quiz):
    message = run_quiz("issue13").message[DRILL_TEST]
    assert "returned None" in message and "raise ValueError" in message, message


def test_running_the_quiz_writes_nothing_into_the_folder_it_runs_from(run_quiz, tmp_path):
    run_quiz("issue13")
    workdir = next(p for p in tmp_path.parent.glob("issue13*") if p.is_dir())
    written = sorted(p.relative_to(workdir).as_posix() for p in workdir.rglob("*")
                     if ".hypothesis" in p.parts or p.name == ".pytest_cache")
    assert written == []


def test_one_regeneration_command_everywhere():
    """The instructor's README and quiz_truth name one command; the student's quiz names none
    (it never mentions the instructor package)."""
    command = ".venv/bin/python -m catvnoncat.quiz_truth"
    readme = (QUIZ_DIR.parent / "README.md").read_text(encoding="utf-8")
    truth = (QUIZ_DIR.parent / "src" / "catvnoncat" / "quiz_truth.py").read_text(encoding="utf-8")
    assert command in readme and command.removeprefix(".venv/bin/") in truth
    for path in (QUIZ_DIR / "questions.md", QUIZ_DIR / "questions.py", QUIZ_DIR / "README.md",
                 QUIZ_DIR.parent / "README.md"):
        text = path.read_text(encoding="utf-8")
        assert "python quiz/questions.py" not in text, path


def test_the_assignment_releases_an_up_to_date_copy_of_the_quiz():
    """quiz/ is the one to edit; source/<assignment>/quiz/ (released with the notebook, so
    students who fetch the assignment have it) is its copy, and release/ holds the same."""
    from catvnoncat import course
    from catvnoncat.quiz_truth import ASSIGNMENT_QUIZ_DIR, quiz_files

    top = quiz_files(QUIZ_DIR)
    assert ASSIGNMENT_QUIZ_DIR == course.SOURCE_DIR / "quiz"
    assert quiz_files(ASSIGNMENT_QUIZ_DIR) == top, \
        "the assignment's quiz is stale: run .venv/bin/python -m catvnoncat.quiz_truth, then make release"
    assert quiz_files(course.RELEASE_DIR / "quiz") == top, "run make release"
