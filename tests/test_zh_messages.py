"""Issue 23, items 4 and 6: everything our code writes for a student of the Chinese edition is
Chinese, in the language of the assignment handed in (never the grader's locale).

Checked on the records and catalogs directly (fast), then through one real ``nbgrader
autograde`` + ``generate_feedback`` of the Chinese edition (two students: the untouched release,
and a notebook whose propagate forgets 1/m) and one of the English edition (the same mistake).
"""

import html
import re
import shutil
import subprocess
import sys

import pytest

from catvnoncat import course, facts, judge
from catvnoncat.i18n import EDITION, ENGLISH, catalog
from catvnoncat.judge.messages import (SUMMARIES, catalog_for, english, language_of, render,
                                       say, translated)
from catvnoncat.judge.sentences import HINTS
from catvnoncat.judge.verdict import Verdict, record_of
from catvnoncat.quiz_key import KEY
from catvnoncat.repair import NOTE_TITLE, record_repairs, repairs_of
from catvnoncat.repair.notes import (REPAIR_NOTES, Note, count_word, listed, ordinal_word,
                                     repair_catalog)
from catvnoncat.steps import feedback
from support import course_run, mutants

CJK = re.compile(r"[\u4e00-\u9fff]")
#: The mistake both editions must name with the same message id.
MISTAKE = "propagate_forgets_divide_by_m"


def english_fragments():
    """The fixed words of every English sentence of our catalogs (hints, judge, feedback page,
    repair notes):
    the text between placeholders, where it holds three words or more. None may be left in what
    a student of the Chinese edition reads."""
    sentences = {**english(ENGLISH), **feedback.PAGE_WORDS, **REPAIR_NOTES}
    fragments = set()
    for template in sentences.values():
        for part in re.split(r"\{[^{}]*\}", template):
            part = part.strip(" .,:;()")
            if len(re.findall(r"[A-Za-z]+", part)) >= 3:
                fragments.add(part)
    return fragments


FRAGMENTS = english_fragments()


def english_left_in(text):
    return sorted(fragment for fragment in FRAGMENTS if fragment in text)


# --- the catalogs -------------------------------------------------------------------------

def test_the_language_follows_the_assignment_handed_in():
    assert language_of(EDITION) == "zh_CN" and language_of(ENGLISH) == "en"
    assert language_of(None) == "en"
    chinese, english_words = catalog_for(EDITION), catalog_for(ENGLISH)
    assert set(chinese) == set(english_words)
    assert english_words == english(ENGLISH)


def test_every_grader_sentence_and_page_word_has_its_chinese():
    judge_catalog = next(s for s in catalog.sources() if s.catalog.name == "judge.po")
    wanted = {context for context, _, _ in judge_catalog.entries()}
    assert len(wanted) > 100
    assert catalog.problems(judge_catalog) == []
    zh = translated("zh_CN")
    assert wanted <= set(zh)
    english_left = [mid for mid in wanted if not CJK.search(zh[mid])
                    and re.search("[A-Za-z]{2,}", re.sub(r"\{[^{}]*\}", "", zh[mid]))]
    assert english_left == []
    # Every judge sentence with words is in the catalog (none left out of make i18n's reach).
    assert {mid for mid, text in {**SUMMARIES, **feedback.PAGE_WORDS, **REPAIR_NOTES}.items()
            if re.sub(r"\{[^{}]*\}", "", text).strip()} == wanted


def test_a_repair_note_is_one_record_in_each_editions_words():
    """A repair is a Note: its English words (the log, the report) and its record, which the
    note at the top of an autograded notebook renders in the edition's language."""
    import nbformat

    duplicate = Note("DUPLICATE_OTHERS", count=count_word(3), gid="sigmoid",
                     which=ordinal_word(2), cell=9)
    set_aside = Note("SET_ASIDE", path="big.bin", why=Note("WHY_FILE_TOO_LARGE", mb="64"))
    assert duplicate == ("three cells had grade id sigmoid: graded the third (cell 9); the others "
                         "are kept as plain cells, not graded")
    assert render(duplicate.message, repair_catalog(EDITION)) == \
        "有三个单元格的 grade id 都是 sigmoid：评分用的是第三个（第 9 个单元格）；其余的保留为普通单元格，不评分"
    restored = Note("METADATA_RESTORED", count=3, s="s", names=listed(["a", "b", "c"]))
    assert restored.endswith("for a, b and c (each found by its position and content)")
    assert "为 a、b 和 c 恢复" in render(restored.message, repair_catalog(EDITION))
    assert render(set_aside.message, repair_catalog(EDITION)) == \
        "big.bin 已被移出提交，没有评分：它超过了单个文件允许的 64 MB"
    notebooks = {}
    for assignment in (EDITION, ENGLISH):
        nb = nbformat.v4.new_notebook()
        record_repairs(nb, [duplicate, set_aside], assignment)
        notebooks[assignment] = nb
    zh_note, en_note = (notebooks[a].cells[0].source for a in (EDITION, ENGLISH))
    assert zh_note.startswith("**评分前先做了修复。**") and "big.bin 已被移出提交" in zh_note
    assert english_left_in(zh_note) == [] and "was set aside" not in zh_note
    assert en_note.startswith(NOTE_TITLE) and "big.bin was set aside and not graded" in en_note
    assert repairs_of(notebooks[EDITION]) == repairs_of(notebooks[ENGLISH]) == \
        [duplicate, set_aside]  # the report reads English whatever the edition


def test_the_same_record_reads_chinese_for_the_chinese_edition():
    verdict = Verdict("test_propagate", False, say(
        "AT", where=say("HIDDEN_CASE", call="propagate(w, b, X, Y)", description="m = 3"),
        what=say("VALUES_DIFFER", q="dw", shape=(2, 1))), HINTS.DIVIDE_BY_M)
    chinese = verdict.message(catalog_for(EDITION))
    assert "dw 的形状 (2, 1) 是对的" in chinese and english_left_in(chinese) == [], chinese
    assert "dw has the right shape (2, 1)" in verdict.message(catalog_for(ENGLISH))
    # Probe failures and stop reasons are messages too, rendered in the reader's language.
    stopped = Verdict("test_model", False, say("NOT_RUN_STOPPED", why=say(
        "STOPPED_OUT_OF_TIME", seconds="600"), cell=7), judged=False)
    assert stopped.message(catalog_for(EDITION)) == \
        "未运行：你的 notebook 已经用完了一份作业的代码总共能用的 600 秒，发生在 notebook 的第 7 个单元格。"
    reason = judge.prober.ProbeFailed(say("PROBE_NO_ANSWER_IN_TIME", seconds="20"))
    assert str(reason) == "no answer within 20 s (interrupted)"
    assert render(say("NO_USABLE_ANSWER", reason=judge.messages.reason_of(reason)),
                  catalog_for(EDITION)) == "你的代码没有给出可用的结果（20 秒内没有结果（已中断））。"


def test_the_feedback_page_words_follow_the_edition():
    assert feedback.say_on_page("PAGE_CELL_SCORE", EDITION, score="5", points="10") == \
        "得分：5 / 10"
    assert feedback.say_on_page("PAGE_CELL_SCORE", ENGLISH, score="5", points="10") == \
        "Score: 5 / 10"
    assert feedback.part_name("test_propagate_vectorized", EDITION) == "propagate（向量化）"
    assert feedback.part_name("test_propagate_vectorized") == "propagate, vectorized"
    assert feedback.page_lang(EDITION) == "zh-CN" and feedback.page_lang(ENGLISH) == "en"


def test_a_cell_not_re_run_says_so_in_the_editions_words():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from catvnoncat.steps import tail

    def graded(assignment):
        test = new_code_cell("check()", metadata={"nbgrader": {
            "grade": True, "solution": False, "grade_id": "test_x", "points": 1}})
        last = new_code_cell("print(1)", metadata={tail.STASH_KEY: {
            "outputs": [new_output("stream", name="stdout", text="1\n")], "execution_count": 3}})
        nb, _ = tail.KeepTailOutputs().preprocess(new_notebook(cells=[test, last]),
                                                  {"nbgrader": {"assignment": assignment}})
        return nb.cells[1].outputs[0].text

    assert graded(ENGLISH) == tail.NOT_RERUN_NOTE
    assert graded(EDITION).startswith("[评分时没有重新运行") and english_left_in(graded(EDITION)) == []


def test_the_chinese_visible_tests_frame_their_messages_in_chinese():
    """What public_tests.py and cell_messages.py add around a hint (where your line is, what
    was compared) comes from the edition's hints.py."""
    for name in ("public_tests.py", "cell_messages.py"):
        code = (facts.source_dir(ENGLISH) / name).read_text(encoding="utf-8")
        for words in ("line {", "is not defined. {", "times more examples", "a numpy array",
                      "a single number", "w for dim", "range of"):
            assert words not in code, (name, words)
    zh_hints = (facts.source_dir(EDITION) / "hints.py").read_text(encoding="utf-8")
    for chinese in ("单元格 In[{count}]，第 {line} 行", "{name} 没有定义。{advice}",
                    "{place}，第 {line} 行，在 {function} 中"):
        assert chinese in zh_hints


# --- the Chinese quiz -----------------------------------------------------------------------

def _run_quiz(tmp_path, answers=None, drill=None):
    folder = tmp_path / "quiz"
    shutil.copytree(facts.source_dir(EDITION) / "quiz", folder)
    if answers is not None:
        (folder / "answers.py").write_text(answers, encoding="utf-8")
    if drill is not None:
        (folder / "drill.py").write_text(drill, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pytest", "quiz", "-q", "-p", "no:cacheprovider",
                          "-p", "no:randomly"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    return run.stdout + run.stderr


def test_the_chinese_quiz_speaks_chinese_and_its_key_still_passes(tmp_path):
    fresh = _run_quiz(tmp_path / "fresh")
    assert "Q1：还没有作答。请在 quiz/questions.md 里读 Q1" in fresh, fresh[-2000:]
    assert "not answered yet" not in fresh
    # The key, typed with a Chinese input method: full-width letters, curly quotes, a stop.
    full = {qid: chr(ord(letter) - ord("A") + ord("Ａ")) for qid, letter in KEY.items()}
    typed = "".join(f"{qid} = “{full[qid]}。”\n" for qid in KEY)
    keyed = _run_quiz(tmp_path / "key", answers=typed)
    assert re.search(r"\b1 failed, 12 passed\b", keyed), keyed[-2000:]  # the drill is unanswered
    assert "编程练习：还没有作答" in keyed
    broken = _run_quiz(tmp_path / "drill", drill="def broadcast_shape(a, b):\n"
                                                  "    return max（a, b)\n")
    assert "quiz/drill.py 第 2 行：全角字符 '（'" in broken and "请改成英文的 '('" in broken, \
        broken[-2000:]


def test_the_chinese_quiz_questions_are_chinese():
    text = (facts.source_dir(EDITION) / "quiz" / "questions.md").read_text(encoding="utf-8")
    assert text.startswith("# 小测验：") and "## Q12. ReLU 与 sigmoid" in text
    english_quiz = (facts.REPO_ROOT / "quiz" / "questions.md").read_text(encoding="utf-8")
    # The code of a question is the English one, byte for byte.
    for block in re.findall(r"```python\n.*?```", english_quiz, re.S):
        assert block in text


# --- one real grading of each edition -------------------------------------------------------

def _answered(assignment, replacements):
    source = course.read_notebook(facts.source_dir(assignment) / f"{assignment}.ipynb")
    release = course.read_notebook(facts.release_dir(assignment) / f"{assignment}.ipynb")
    cells = {**mutants.notebook_solutions(source), **replacements}
    return course.make_submission(cells, base=release)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """``{edition: course folder}`` after autograde and generate_feedback: the Chinese edition
    with the untouched release and the mistake, the English edition with the mistake."""
    mistake = mutants.by_name(MISTAKE).replacements
    runs = {EDITION: {"untouched": course.read_notebook(
                facts.release_dir(EDITION) / f"{EDITION}.ipynb"),
                      "mistake": _answered(EDITION, mistake)},
            ENGLISH: {"mistake": _answered(ENGLISH, mistake)}}
    folders = {}
    for assignment, submissions in runs.items():
        workdir = tmp_path_factory.mktemp(f"zh_messages_{assignment}")
        course_run.autograde(submissions, workdir, assignment=assignment)
        folder = workdir / "course"
        result = course_run.run_nbgrader(["generate_feedback", assignment, "--force"], folder, **{
            facts.GRADEBOOK_ENV: f"sqlite:///{folder / 'gradebook.db'}"})
        assert result.returncode == 0, result.stderr[-3000:]
        folders[assignment] = folder
    return folders


def _autograded(folder, assignment, student):
    return course.read_notebook(folder / "autograded" / student / assignment / f"{assignment}.ipynb")


def _test_cells(nb):
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in nb.cells
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in judge.TEST_CELLS}


def _output_text(cell):
    return "\n".join(o.get("evalue", "") if o.output_type == "error" else o.get("text", "")
                     for o in cell.get("outputs", []))


@pytest.mark.slow
def test_the_untouched_chinese_release_fails_every_part_in_chinese(graded):
    cells = _test_cells(_autograded(graded[EDITION], EDITION, "untouched"))
    assert set(cells) == set(judge.TEST_CELLS)
    for grade_id, cell in cells.items():
        record = record_of(cell)
        assert record["outcome"] != "passed" and record["points"] == 0, grade_id
        text = _output_text(cell)
        assert CJK.search(text), (grade_id, text)
        assert english_left_in(text) == [], (grade_id, text)


@pytest.mark.slow
def test_the_chinese_feedback_page_is_chinese(graded):
    page = (graded[EDITION] / "feedback" / "untouched" / EDITION / f"{EDITION}.html").read_text(
        encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    text = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"(?s)<style.*?</style>", "", page)))
    assert "得分：0 / " in text and "（回到顶部）" in text and "propagate（向量化）" in text
    assert "Score:" not in text and "(Top)" not in text
    assert english_left_in(text) == [], english_left_in(text)
    english_page = (graded[ENGLISH] / "feedback" / "mistake" / ENGLISH /
                    f"{ENGLISH}.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english_page and "Score:" in english_page


@pytest.mark.slow
def test_a_typical_mistake_is_named_with_one_message_id_in_each_editions_words(graded):
    mutant = mutants.by_name(MISTAKE)
    chinese = _test_cells(_autograded(graded[EDITION], EDITION, "mistake"))
    english_cells = _test_cells(_autograded(graded[ENGLISH], ENGLISH, "mistake"))
    for test_id in mutant.failing:
        zh_record, en_record = record_of(chinese[test_id]), record_of(english_cells[test_id])
        assert zh_record["points"] == en_record["points"] == 0
        assert zh_record["hint"] == en_record["hint"]  # the same message id and parameters
        hint = Verdict.from_record(en_record).advice
        if test_id not in mutant.follow_on:  # (a vectorization cell lost with it says so)
            assert mutant.hint in render(hint, catalog_for(ENGLISH))
        assert render(hint, catalog_for(ENGLISH)) in _output_text(english_cells[test_id])
        zh_words = render(hint, catalog_for(EDITION))
        assert CJK.search(zh_words) and zh_words in _output_text(chinese[test_id])
        assert english_left_in(_output_text(chinese[test_id])) == []
    for test_id in set(chinese) - mutant.failing:  # the other parts keep their points
        assert record_of(chinese[test_id])["outcome"] == "passed", test_id
        assert record_of(english_cells[test_id])["outcome"] == "passed", test_id
