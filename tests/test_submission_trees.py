"""Red team: submission folders whose *tree* is the attack (catvnoncat.repair.quarantine).

nbgrader only logs a ``pre_convert_hook`` that raises ("Pre-convert hook failed") and grades the
folder as it is. Before the quarantine failed closed, a folder ``a.ipynb/`` nested until the
quarantine's copy of a path was longer than PATH_MAX (or 1200 folders deep: RecursionError)
made the hook raise before it moved anything: a symbolic link to the instructor's source
notebook beside it then scored 95 of 95 from an empty submission, and the solutions reached
``autograded/`` (``nbgrader autograde``); ``catvnoncat grade``'s coordinator, which sets aside
for every student in one loop, crashed, leaving the whole class ungraded. A file named with
terminal escapes and newlines was printed as found on the grader's console (a cleared screen, a
forged ``[FAILED]`` line).

One real grading per mode of three students (an honest classmate, the deep tree beside the link,
the escape-named file beside an honest notebook); fast tests on the quarantine itself.
"""

import logging
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat
import pytest

from catvnoncat import course, repair
from catvnoncat.facts import DATA_ENV, DATASETS_DIR, GRADEBOOK_ENV
from catvnoncat.repair.quarantine import MAX_DEPTH, SubmissionQuarantine, set_aside_lines
from support import course_run

NB = f"{course.NOTEBOOK_NAME}.ipynb"
A = course.ASSIGNMENT
PATH_MAX = os.pathconf("/", "PC_PATH_MAX")
#: What a terminal does with it: clear the screen, home the cursor, a forged status line, a bell.
ESCAPE_NAME = "\x1b[2J\x1b[H\n[FAILED] honest 0 of 95\x07"


def _link_to_source(path):
    """The released name, a relative link to the instructor's notebook (an ``unzip`` makes it)."""
    path.symlink_to(Path("..", "..", "..", "source", A, NB))


def _too_long_for_the_quarantine(folder):
    """A link in ``folder/a.ipynb/...`` (listed before the notebook) whose folder is short enough
    to exist under ``submitted/`` and too long to be made under ``quarantine/.../files/``."""
    deep = folder / "a.ipynb"
    while len(os.fspath(deep)) + 201 < PATH_MAX - 7:
        deep = deep / ("d" * 200)
    deep = deep / ("e" * (PATH_MAX - 6 - len(os.fspath(deep)) - 1))
    deep.mkdir(parents=True)
    (deep / "x").symlink_to("/etc/hostname")
    return deep / "x"


def _nest(folder, names):
    """Folders ``names`` one in another under ``folder``, made relative to each other's
    descriptor (``os.makedirs`` recurses, and the whole path may be longer than PATH_MAX)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in names:
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)


def deep_link(path):
    _link_to_source(path)
    _too_long_for_the_quarantine(path.parent)


def escape_named(path):
    nbformat.write(course.reference_submission(), path)
    (path.parent / ESCAPE_NAME).symlink_to("/etc/hostname")
    (path.parent / f"notes{ESCAPE_NAME}.txt").write_text("a regular file, oddly named")


CLASS = {"honest": (course.reference_submission(), 95),
         "deep-link": (deep_link, 0),
         "escape-named": (escape_named, 95)}


@pytest.fixture(scope="module", params=["autograde", "engine"])
def graded(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"trees-{request.param}")
    scores = course_run.autograde({s: sub for s, (sub, _) in CLASS.items()}, workdir,
                                  workers=2 if request.param == "engine" else None)
    return scores, workdir / "course"


@pytest.mark.slow  # real grading runs
@pytest.mark.parametrize("student", list(CLASS))
def test_scores(graded, student):
    scores, root = graded
    got = sum(v for gid, v in scores[student].items() if gid != "learning_rate_question")
    assert got == CLASS[student][1], (student, (root / "nbgrader.log").read_text()[-3000:])


@pytest.mark.slow  # real grading runs
def test_no_solution_reaches_autograded(graded):
    _, root = graded
    for path in (root / "autograded").rglob("*"):
        if path.is_file() and "honest" not in path.parts:
            assert b"BEGIN SOLUTION" not in path.read_bytes(), path


@pytest.mark.slow  # real grading runs
def test_the_grader_log_holds_no_control_character_from_a_name(graded):
    _, root = graded
    log = (root / "nbgrader.log").read_text(encoding="utf-8", errors="replace")
    assert "\x1b" not in log and "\x07" not in log
    assert "\n[FAILED] honest 0 of 95" not in log


@pytest.mark.slow  # real grading runs
def test_the_escape_named_files_are_said_printably(graded):
    _, root = graded
    said = [line for line in repair.repairs_of(root / "autograded" / "escape-named" / A / NB)
            if "was set aside" in line]
    assert len(said) == 2, said
    assert all(not any(unicodedata.category(c) == "Cc" for c in line) for line in said), said
    assert any(line.startswith(r"\x1b[2J\x1b[H\n[FAILED]") for line in said), said


# -- the quarantine alone, on real files ----------------------------------------------------

@pytest.fixture
def deep_tmp(tmp_path):
    """``tmp_path``, removed by ``rm -rf`` afterwards: pytest's own clean-up (``shutil.rmtree``)
    recurses, and fails on the trees 1200 folders deep these tests make."""
    yield tmp_path
    subprocess.run(["rm", "-rf", "--", os.fspath(tmp_path)], check=True)


def _submission(tmp_path):
    folder = tmp_path / "submitted" / "s" / A
    folder.mkdir(parents=True)
    _link_to_source(folder / NB)
    return folder


def test_a_tree_deeper_than_python_recursion_is_set_aside(deep_tmp):
    tmp_path = deep_tmp
    folder = _submission(tmp_path)
    _nest(folder, ["a.ipynb"] + ["a"] * 1200)
    found = SubmissionQuarantine().set_aside(folder, tmp_path)
    assert not os.path.lexists(folder / NB)
    assert ("a.ipynb/" + "/".join(["a"] * MAX_DEPTH), "too deep") in \
        [(f["path"], f["kind"]) for f in found]
    depth = max(len(p.relative_to(folder).parts) for p in folder.rglob("*"))
    assert depth == MAX_DEPTH


#: A quarantine folder that makes its paths about 1250 characters longer than the submission's.
LONG_QUARANTINE = "/".join(["q" * 250] * 5)


def _long_folders(folder, length):
    """Nested folders of up to 254 characters under ``folder/a.ipynb``, the innermost path
    ``length`` long (fewer than MAX_DEPTH folders); that path."""
    inner, names = Path(folder, "a.ipynb"), ["a.ipynb"]
    while len(os.fspath(inner)) < length:
        name = "d" * min(254, length - len(os.fspath(inner)) - 1)
        inner, names = inner / name, names + [name]
    assert len(os.fspath(inner)) == length and len(names) < MAX_DEPTH - 2
    _nest(folder, names)
    return inner


def test_a_path_too_long_for_the_quarantine_is_removed(tmp_path):
    folder = _submission(tmp_path)
    inner = _long_folders(folder, PATH_MAX - 1100)
    (inner / "x").symlink_to("/etc/hostname")
    found = SubmissionQuarantine(folder=LONG_QUARANTINE).set_aside(folder, tmp_path)
    assert not os.path.lexists(folder / NB) and not os.path.lexists(inner / "x")
    kinds = {f["path"]: f["kind"] for f in found}
    assert kinds[NB] == "symbolic link"
    assert kinds[os.fspath((inner / "x").relative_to(folder))] == \
        "symbolic link (removed: it could not be moved)"


def test_what_cannot_be_moved_nor_removed_sets_everything_aside(deep_tmp):
    """Past MAX_DEPTH, a folder whose quarantine path is too long, 1200 folders deep:
    ``shutil.rmtree`` recurses past Python's limit. Every entry of the folder is set aside."""
    tmp_path = deep_tmp
    folder = tmp_path / "submitted" / "s" / A
    folder.mkdir(parents=True)
    nbformat.write(course.reference_submission(), folder / NB)
    inner = _long_folders(folder, PATH_MAX - 1100)
    _nest(inner, ["a"] * 1200)
    found = SubmissionQuarantine(folder=LONG_QUARANTINE).set_aside(folder, tmp_path)
    assert sorted(os.listdir(folder)) == []
    assert {f["path"]: f["kind"] for f in found} == {"a.ipynb": "unchecked", NB: "unchecked"}
    lines = set_aside_lines(tmp_path, "s", A, _config(LONG_QUARANTINE))
    assert len(lines) == 2 and all(line.endswith("none of them was graded") for line in lines)


def _config(folder):
    from traitlets.config import Config

    config = Config()
    config.SubmissionQuarantine.folder = folder
    return config


def test_names_with_control_characters_are_set_aside_and_logged_escaped(tmp_path, caplog):
    folder = tmp_path / "submitted" / "s" / A
    folder.mkdir(parents=True)
    nbformat.write(course.reference_submission(), folder / NB)
    (folder / f"x{ESCAPE_NAME}.txt").write_text("x")
    (folder / "honest name ﾒﾓ.txt").write_text("x")
    quarantine = SubmissionQuarantine()
    with caplog.at_level(logging.WARNING):
        found = quarantine.set_aside(folder, tmp_path)
    assert [(f["path"], f["kind"]) for f in found] == [(f"x{ESCAPE_NAME}.txt", "odd name")]
    assert sorted(os.listdir(folder)) == sorted([NB, "honest name ﾒﾓ.txt"])
    assert "\x1b" not in caplog.text and r"\x1b[2J" in caplog.text


@pytest.mark.slow  # real grading runs
@pytest.mark.parametrize("mode", ["autograde", "engine"])
def test_a_binary_timestamp_on_a_regrade_counts_as_none_and_stops_no_one(tmp_path, mode):
    """A grading without ``--force`` reads each submission's ``timestamp.txt`` to skip what is
    already graded, before any hook of the course runs. A binary one (the student's own file,
    in a zip) raised UnicodeDecodeError: in ``catvnoncat grade``'s coordinator, the whole class
    was left ungraded; in ``nbgrader autograde``, that student was "not graded", as if by a
    fault of ours. Now it counts as no time, in both modes alike: by nbgrader's rule for a
    submission without a time, the graded one is kept (skipped, a warning says why), and the
    classmate whose submission is newer is graded again. So are times dateutil raised on with
    an exception nobody caught: seconds of 30 digits (``decimal.InvalidOperation``), a time
    zone key going up a folder (a ``FutureWarning`` made an error)."""
    workers = 2 if mode == "engine" else None
    odd_times = {"binary-time": b"\xff\xfe2099\x00", "decimal-time": b"9" * 30 + b"M",
                 "zone-up-time": b"2099-01-01 00:00:00 ../../../etc/localtime"}
    # the unanswered release: what is at stake is which submission is graded again, and it
    # grades in a third of the reference's time
    unanswered = course.read_notebook(course.RELEASE_NOTEBOOK)
    course_run.autograde({sid: unanswered for sid in ("classmate", *odd_times)}, tmp_path,
                         workers=workers)
    root = tmp_path / "course"
    for sid, text in odd_times.items():
        (root / "submitted" / sid / A / "timestamp.txt").write_bytes(text)
    (root / "submitted" / "classmate" / A / "timestamp.txt").write_text("2099-01-01 00:00:00 UTC")
    graded_before = {sid: (root / "autograded" / sid / A / NB).stat().st_mtime_ns
                     for sid in ("classmate", *odd_times)}
    env = course_run.nbgrader_env(**{GRADEBOOK_ENV: f"sqlite:///{root / 'gradebook.db'}"})
    env.setdefault(DATA_ENV, os.fspath(DATASETS_DIR))
    command = (["catvnoncat", "grade", A, "--workers", "2", "--course-dir", os.fspath(root)]
               if workers else ["nbgrader", "autograde", A])
    result = subprocess.run([sys.executable, "-m", *command], cwd=root, env=env,
                            capture_output=True, text=True, timeout=600)
    said = result.stdout + result.stderr
    assert "Traceback" not in said, said[-3000:]
    assert result.returncode == 0, said[-3000:]
    again = {sid: (root / "autograded" / sid / A / NB).stat().st_mtime_ns != when
             for sid, when in graded_before.items()}
    assert again == {"classmate": True, **{sid: False for sid in odd_times}}, said[-3000:]
    if not workers:
        assert "cannot be read as a submission time (it is not UTF-8 text)" in said, said[-3000:]


def _files_at_the_caps(path):
    """A correct notebook beside files just under the course's caps (``c.SubmissionQuarantine``
    in nbgrader_config.py: per file and per submission), so nothing is set aside."""
    from catvnoncat.facts import course_config

    caps = course_config().SubmissionQuarantine
    nbformat.write(course.reference_submission(), path)
    room = caps.max_total_mb * 1e6 - path.stat().st_size - 100_000
    size, i = int(caps.max_file_mb * 1e6) - 1000, 0
    while room > 1000:
        (path.parent / f"data{i}.bin").write_bytes(os.urandom(int(min(size, room))))
        room -= min(size, room)
        i += 1


@pytest.mark.slow  # real grading runs
def test_submissions_at_the_file_caps_cost_the_engine_a_bounded_share(tmp_path, tmp_path_factory):
    from support.grader_share import MEMORY_BOUND_MB, grade_sampled, honest_baseline

    scores, grader = grade_sampled({"honest": course.reference_submission(),
                                    "at-caps-1": _files_at_the_caps,
                                    "at-caps-2": _files_at_the_caps},
                                   tmp_path / "class", workers=2)
    _, baseline, _ = honest_baseline(tmp_path_factory, workers=2)
    print(f"\nengine peak per process: honest class {baseline.peak_bytes / 2**20:.0f} MiB, "
          f"with two submissions at the file caps {grader.peak_bytes / 2**20:.0f} MiB")
    assert all(sum(s.values()) == 95 for s in scores.values()), scores
    assert grader.peak_bytes <= baseline.peak_bytes + MEMORY_BOUND_MB * 1_000_000, (
        grader.peak_bytes / 2**20, baseline.peak_bytes / 2**20)


def test_many_files_are_set_aside_in_a_bounded_number_of_lines(tmp_path, caplog):
    """100,000 empty files made 100,000 lines in the grader's log, the record, the feedback
    and the autograded notebook's metadata (a 23 MB notebook, a 33 MB log): the first
    ``LISTED`` are said one by one, the rest in one line."""
    from catvnoncat.repair.quarantine import LISTED

    folder = tmp_path / "submitted" / "s" / A
    (folder / "x").mkdir(parents=True)
    nbformat.write(course.reference_submission(), folder / NB)
    for i in range(3000):
        (folder / "x" / f"f{i:05d}").touch()
    quarantine = SubmissionQuarantine()
    with caplog.at_level(logging.WARNING):
        found = quarantine.set_aside(folder, tmp_path)
    kept = sum(1 for _ in folder.rglob("*"))
    assert kept == quarantine.max_files
    assert len(found) == LISTED + 1 and len(caplog.records) == LISTED + 1
    lines = set_aside_lines(tmp_path, "s", A)
    assert len(lines) == LISTED + 1
    past = 3000 - (quarantine.max_files - 2)  # the notebook and x/ are counted too
    assert lines[-1].startswith(f"x/f{3000 - past + LISTED:05d} and "
                                f"{past - LISTED - 1:,} more files and folders was set aside")
    moved = tmp_path / "quarantine" / "s" / A / "files" / "x"
    assert sum(1 for _ in moved.iterdir()) == past
