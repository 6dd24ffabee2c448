"""A submission is the student's regular files only (catvnoncat.repair.quarantine, issue 21).

One real ``nbgrader autograde`` run, and one ``catvnoncat grade --workers 2``, grade submissions holding symbolic links (to the instructor's
source notebook, to a classmate's notebook), a hard link to the source notebook, a named pipe
(which would hang ``shutil.copy``), a ``timestamp.txt`` that is binary or not a time (nbgrader
raised on it: the student was not graded) and honest classmates; ``nbgrader generate_feedback`` then
writes their feedback. Nothing but the students' own regular files may reach ``autograded/``
or ``feedback/``, each set-aside file is said in one line, and honest scores stay exact.
Fast tests check the size and count caps on real files.
"""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from catvnoncat import course, repair
from support import course_run
from catvnoncat.data import DATA_ENV, DATASETS_DIR
from catvnoncat.repair.quarantine import SubmissionQuarantine, set_aside_lines

NB = f"{course.NOTEBOOK_NAME}.ipynb"
A = course.ASSIGNMENT
#: A line of the honest classmate's notebook no other submission holds.
MARK = "# classmate-only-marker-5e1f"


def _course_of(path):
    return Path(path).parents[3]


def honest():
    nb = course.reference_submission()
    nb.cells[-1].source += f"\n{MARK}"
    return nb


def link_to_source(path):
    os.symlink(_course_of(path) / "source" / A / NB, path)


def link_to_classmate(path):
    os.symlink(Path("..", "..", "honest", A, NB), path)


def hard_link_to_source(path):
    os.link(_course_of(path) / "source" / A / NB, path)


def honest_with_fifo(path):
    nbformat.write(course.reference_submission(), path)
    os.mkfifo(path.parent / "notes.txt")


def renamed_beside_a_link(path):
    nbformat.write(course.reference_submission(), path.parent / "logistic_regression-Copy1.ipynb")
    link_to_source(path)


def binary_timestamp(path):
    nbformat.write(course.reference_submission(), path)
    (path.parent / "timestamp.txt").write_bytes(b"\xff\xfe2099\x00")


def timestamp_not_a_time(path):
    nbformat.write(course.reference_submission(), path)
    (path.parent / "timestamp.txt").write_text("handed in on time, honest", encoding="utf-8")


#: student -> (how the submission is written, total expected, file set aside or None)
CASES = {
    "honest": (honest(), 95, None),
    "link-to-source": (link_to_source, 0, NB),
    "link-to-classmate": (link_to_classmate, 0, NB),
    "hard-link": (hard_link_to_source, 0, NB),
    "fifo": (honest_with_fifo, 95, "notes.txt"),
    "renamed-and-link": (renamed_beside_a_link, 95, NB),
    # nbgrader raised on these (UnicodeDecodeError, "Invalid timestamp string"): not graded,
    # as if by a fault of ours; now graded without a submission time
    "binary-timestamp": (binary_timestamp, 95, "timestamp.txt"),
    "timestamp-not-a-time": (timestamp_not_a_time, 95, "timestamp.txt"),
}


@pytest.fixture(scope="module", params=["autograde", "engine"])
def graded(request, tmp_path_factory):
    """``(scores, course folder)`` after one grading of the class and its feedback: by
    ``nbgrader autograde``, and by ``catvnoncat grade --workers 2`` (whose coordinator sets
    aside before a worker grades a copy of the rest)."""
    workdir = tmp_path_factory.mktemp(f"quarantine-{request.param}")
    workers = 2 if request.param == "engine" else None
    scores = course_run.autograde({sid: sub for sid, (sub, _, _) in CASES.items()}, workdir,
                                  workers=workers)
    root = workdir / "course"
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env[course.GRADEBOOK_ENV] = f"sqlite:///{root / 'gradebook.db'}"
    env.setdefault(DATA_ENV, os.fspath(DATASETS_DIR))
    result = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", A, "--force"],
                            cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return scores, root


def _log(root):
    return (root / "nbgrader.log").read_text()[-4000:]


@pytest.mark.parametrize("student", list(CASES))
def test_scores(graded, student):
    scores, root = graded
    got = sum(v for gid, v in scores[student].items() if gid != "learning_rate_question")
    assert got == CASES[student][1], (student, scores[student], _log(root))


@pytest.mark.parametrize("student", list(CASES))
def test_only_regular_files_of_the_student_reach_autograded_and_feedback(graded, student):
    _, root = graded
    for top in ("autograded", "feedback"):
        folder = root / top / student / A
        assert folder.is_dir(), (top, student, _log(root))
        for path in folder.rglob("*"):
            st = os.lstat(path)
            assert path.is_dir() or (path.is_file() and not path.is_symlink()), path
            assert st.st_nlink == 1 or path.is_dir(), path
            if path.is_file() and student != "honest":
                text = path.read_bytes()
                assert b"BEGIN SOLUTION" not in text, path  # the instructor's source notebook
                assert MARK.encode() not in text, path  # the classmate's notebook
    kept = root / "submitted" / student / A
    assert all(p.is_file() and not p.is_symlink() for p in kept.rglob("*")), list(kept.rglob("*"))


@pytest.mark.parametrize("student", list(CASES))
def test_what_was_set_aside_is_said_in_the_notebook_and_the_feedback(graded, student):
    _, root = graded
    name = CASES[student][2]
    said = repair.repairs_of(root / "autograded" / student / A / NB)
    page = (root / "feedback" / student / A / f"{course.NOTEBOOK_NAME}.html").read_text()
    lines = [line for line in said if "was set aside" in line]
    if name is None:
        assert lines == [] and "was set aside" not in page
        return
    assert len(lines) == 1 and lines[0].startswith(f"{name} was set aside and not graded"), said
    assert lines[0].split(": ", 1)[1] in page.replace("&#x27;", "'")
    moved = root / "quarantine" / student / A / "files" / name
    assert os.path.lexists(moved)
    assert set_aside_lines(root, student, A) == lines


def test_the_link_is_kept_as_found_in_the_quarantine(graded):
    _, root = graded
    moved = root / "quarantine" / "link-to-source" / A / "files" / NB
    assert os.readlink(moved) == os.fspath(root / "source" / A / NB)
    assert (root / "source" / A / NB).is_file()  # the instructor's notebook itself untouched


def test_an_empty_submission_is_graded_as_the_unanswered_release(graded):
    _, root = graded
    said = repair.repairs_of(root / "autograded" / "link-to-source" / A / NB)
    assert any(line.startswith(f"no {NB} of your own was left to grade") for line in said), said


def test_the_renamed_notebook_is_graded_from_a_copy(graded, request):
    _, root = graded
    folder = root / "submitted" / "renamed-and-link" / A
    if request.node.callspec.params["graded"] == "autograde":  # a worker copies in its scratch
        assert (folder / NB).is_file() and not (folder / NB).is_symlink()
        assert (folder / NB).read_bytes() == (folder / "logistic_regression-Copy1.ipynb").read_bytes()
    else:  # ... and leaves the course's submitted folder as the coordinator left it
        assert not os.path.lexists(folder / NB)
    said = repair.repairs_of(root / "autograded" / "renamed-and-link" / A / NB)
    assert "graded logistic_regression-Copy1.ipynb as logistic_regression.ipynb" in said


# -- the caps, on real files --------------------------------------------------------------------

def _submission(tmp_path, sizes):
    folder = tmp_path / "submitted" / "s" / A
    folder.mkdir(parents=True)
    for name, size in sizes.items():
        (folder / name).write_bytes(b"x" * size)
    return folder


def test_a_file_over_the_size_cap_is_set_aside(tmp_path):
    folder = _submission(tmp_path, {NB: 10, "big.bin": 2_000_001, "small.csv": 100})
    found = SubmissionQuarantine(max_file_mb=2).set_aside(folder, tmp_path)
    assert [(f["path"], f["kind"]) for f in found] == [("big.bin", "too large")]
    assert sorted(p.name for p in folder.iterdir()) == sorted([NB, "small.csv"])
    assert (tmp_path / "quarantine" / "s" / A / "files" / "big.bin").stat().st_size == 2_000_001


def test_files_past_the_count_and_total_caps_are_set_aside_notebooks_first(tmp_path):
    folder = _submission(tmp_path, {"a.txt": 10, "b.txt": 10, "c.txt": 10, NB: 10})
    found = SubmissionQuarantine(max_files=2).set_aside(folder, tmp_path)
    assert [f["path"] for f in found] == ["b.txt", "c.txt"]
    assert sorted(p.name for p in folder.iterdir()) == sorted([NB, "a.txt"])
    other = _submission(tmp_path / "t", {NB: 600_000, "a.bin": 600_000})
    found = SubmissionQuarantine(max_total_mb=1).set_aside(other, tmp_path / "t")
    assert [f["path"] for f in found] == ["a.bin"]


def test_a_linked_folder_is_set_aside_whole_and_never_entered(tmp_path):
    folder = _submission(tmp_path, {NB: 10})
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key").write_text("k")
    os.symlink(secret, folder / "data")
    found = SubmissionQuarantine().set_aside(folder, tmp_path)
    assert [(f["path"], f["kind"]) for f in found] == [("data", "symbolic link")]
    assert (secret / "key").read_text() == "k"


def test_a_new_submission_forgets_the_earlier_lines(tmp_path):
    folder = _submission(tmp_path, {NB: 10, "timestamp.txt": 0})
    (folder / "timestamp.txt").write_text("2026-12-01 10:00:00")
    os.symlink("/etc/passwd", folder / "p")
    SubmissionQuarantine().set_aside(folder, tmp_path)
    assert len(set_aside_lines(tmp_path, "s", A)) == 1
    SubmissionQuarantine().set_aside(folder, tmp_path)  # graded again: still said
    assert len(set_aside_lines(tmp_path, "s", A)) == 1
    (folder / "timestamp.txt").write_text("2026-12-02 10:00:00")
    SubmissionQuarantine().set_aside(folder, tmp_path)
    assert set_aside_lines(tmp_path, "s", A) == []


def test_an_unreadable_timestamp_is_set_aside_and_still_said_when_graded_again(tmp_path):
    folder = _submission(tmp_path, {NB: 10})
    (folder / "timestamp.txt").write_bytes(b"\xff\xfe2099\x00")
    found = SubmissionQuarantine().set_aside(folder, tmp_path)
    assert [(f["path"], f["kind"]) for f in found] == [("timestamp.txt", "unreadable timestamp")]
    assert sorted(p.name for p in folder.iterdir()) == [NB]
    lines = set_aside_lines(tmp_path, "s", A)
    assert lines == ["timestamp.txt was set aside and not graded: it cannot be read as a "
                     "submission time, so your submission was graded without one"]
    SubmissionQuarantine().set_aside(folder, tmp_path)  # graded again (--force): still said
    assert set_aside_lines(tmp_path, "s", A) == lines


# -- catvnoncat grade: the coordinator sets aside before it reads a submission ------------------

def test_the_engine_reads_only_the_students_regular_files(tmp_path):
    from catvnoncat.engine.run import _files

    folder = _submission(tmp_path, {})
    (folder / "timestamp.txt").write_text("2026-12-01 10:00:00")
    nbformat.write(course.reference_submission(), folder / "mine.ipynb")
    (tmp_path / "source" / A).mkdir(parents=True)
    (tmp_path / "source" / A / NB).write_text("solutions")
    os.symlink(tmp_path / "source" / A / NB, folder / NB)
    os.mkfifo(folder / "pipe")
    (folder / "sub").mkdir()
    os.symlink(tmp_path / "source", folder / "sub" / "linked")
    settings = SubmissionQuarantine()
    files = dict(_files(folder, [], lambda f: settings.set_aside(f, tmp_path)))
    assert sorted(files) == ["mine.ipynb", "timestamp.txt"]
    assert len(set_aside_lines(tmp_path, "s", A)) == 3
    reason = repair.unrepairable_reason(folder / NB)
    assert reason is None  # mine.ipynb is graded as the notebook
    os.unlink(folder / "mine.ipynb")
    reason = repair.unrepairable_reason(folder / NB)
    assert f"{NB} was set aside and not graded: it is a symbolic link" in reason, reason


# -- the Chinese edition: the note in the student's language ------------------------------------

def _zh_release_beside_a_link(path):
    """The untouched Chinese release, and a symbolic link to the instructor's source notebook."""
    from catvnoncat import facts
    from catvnoncat.i18n import EDITION

    nbformat.write(course.read_notebook(facts.release_dir(EDITION) / f"{EDITION}.ipynb"), path)
    os.symlink(_course_of(path) / "source" / EDITION / f"{EDITION}.ipynb", path.parent / "notes.ipynb")


@pytest.mark.slow
def test_a_chinese_submission_reads_its_set_aside_note_in_chinese(tmp_path):
    """A submission of the Chinese edition with a quarantined symbolic link: the note at the
    top of the autograded notebook, and so the feedback page, says it in Chinese (the message
    record rendered with the edition's catalog); the metadata keeps the English sentence for
    the instructor's report."""
    import html
    import re

    from catvnoncat import facts
    from catvnoncat.i18n import EDITION
    from catvnoncat.judge.messages import render
    from catvnoncat.repair.notes import repair_catalog

    course_run.autograde({"li": _zh_release_beside_a_link}, tmp_path, assignment=EDITION)
    root = tmp_path / "course"
    result = course_run.run_nbgrader(["generate_feedback", EDITION, "--force"], root, **{
        facts.GRADEBOOK_ENV: f"sqlite:///{root / 'gradebook.db'}"})
    assert result.returncode == 0, result.stderr[-3000:]
    [line] = set_aside_lines(root, "li", EDITION)
    assert line == ("notes.ipynb was set aside and not graded: it is a symbolic link, not a file "
                    "(a submission is graded from its own regular files only)")
    chinese = render(line.message, repair_catalog(EDITION))
    assert chinese.startswith("notes.ipynb 已被移出提交，没有评分：它是一个符号链接"), chinese
    autograded = course.read_notebook(root / "autograded" / "li" / EDITION / f"{EDITION}.ipynb")
    assert repair.repairs_of(autograded) == [line]  # the report's English
    note = autograded.cells[0].source
    assert note.startswith(repair_catalog(EDITION)["REPAIR_NOTE_HEADING"]) and "评分前" in note
    assert "was set aside" not in note and "Repaired before grading" not in note
    page = (root / "feedback" / "li" / EDITION / f"{EDITION}.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert chinese in text and "was set aside" not in text
    assert not (root / "autograded" / "li" / EDITION / "notes.ipynb").exists()


def test_the_engine_worker_receives_the_set_aside_lines_as_records(tmp_path):
    """The coordinator's record travels in the job, reasons as message records (so a Chinese
    edition's feedback says them in Chinese in ``catvnoncat grade`` too), and a folder left
    without a notebook gets stand-ins the pre-convert hook removes before anything reads them."""
    from catvnoncat.repair.quarantine import hand_over_record, remove_stand_ins, set_aside_record

    course_root = tmp_path / "course"
    folder = course_root / "submitted" / "s" / A
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2026-12-02 10:00:00")
    os.symlink(course_root / "source" / A / NB, folder / NB)
    SubmissionQuarantine().set_aside(folder, course_root)
    record = set_aside_record(course_root, "s", A)
    assert [e["path"] for e in record["set_aside"]] == [NB] and "reason" in record["set_aside"][0]

    scratch = tmp_path / "scratch"
    copy = scratch / "submitted" / "s" / A
    copy.mkdir(parents=True)
    (copy / "timestamp.txt").write_text("2026-12-02 10:00:00")
    release = tmp_path / "release"
    release.mkdir()
    (release / NB).write_text("{}")
    hand_over_record(scratch, copy, record, release)
    theirs, ours = set_aside_lines(scratch, "s", A), set_aside_lines(course_root, "s", A)
    assert theirs == ours and [n.message for n in theirs] == [n.message for n in ours]
    assert (copy / NB).read_text() == "{}"  # the stand-in nbgrader needs to call the hook
    notebooks = [os.fspath(copy / NB)]
    remove_stand_ins(notebooks, scratch)
    assert notebooks == [] and not os.path.lexists(copy / NB)
    assert set_aside_lines(scratch, "s", A) == ours  # the record itself stays
