"""Students as the formgrader lists them (issue 22, finding 4): a name and a submission time.

Fast checks of :mod:`catvnoncat.steps.students` on a real SQLite gradebook; the whole runs
(``test_engine``: nbgrader autograde and the engine; ``test_demo``: the demo class) check the
same in the gradebooks they fill.
"""

import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory

from catvnoncat.steps import pipelines
from catvnoncat.repair.quarantine import read_timestamp, timestamp_problem
from catvnoncat.steps.students import (NameUnnamedStudents, read_unreadable_timestamps_as_missing,
                                       write_timestamp)


def test_a_student_autograde_created_gets_their_id_and_a_named_one_keeps_the_name(tmp_path,
                                                                                monkeypatch):
    # nbgrader creates a gradebook with the alembic program next to its Python
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent),
                                                os.environ["PATH"]]))
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db_url) as gb:
        gb.update_or_create_student("dave")  # as autograde creates a student it has not seen
        gb.update_or_create_student("erin", last_name="Lovelace", first_name="Erin")
    step = NameUnnamedStudents()
    for student in ("dave", "erin", "frank"):  # frank: not in the gradebook, nothing to do
        step.preprocess(None, {"nbgrader": {"db_url": db_url, "student": student}})
    with Gradebook(db_url) as gb:
        names = {s.id: (s.last_name, s.first_name) for s in gb.students}
    assert names == {"dave": ("dave", ""), "erin": ("Lovelace", "Erin")}
    assert NameUnnamedStudents in pipelines.autograde()


def test_a_written_timestamp_is_read_by_nbgrader_as_the_submission_time(tmp_path):
    when = datetime(2026, 1, 15, 12, 30, 5, 250000, tzinfo=timezone.utc)
    write_timestamp(tmp_path, when)
    read = CourseDirectory().get_existing_timestamp(str(tmp_path))
    assert read == when.replace(tzinfo=None)  # nbgrader keeps UTC without its tzinfo


UNREADABLE = {  # how timestamp.txt is made -> what is said of it
    "binary": (lambda p: p.write_bytes(b"\xff\xfe2099\x00"), "it is not UTF-8 text"),
    "not a time": (lambda p: p.write_text("handed in on time"), "it is not a time"),
    "too long": (lambda p: p.write_text("2026-01-01 00:00:00 UTC" + " " * 300),
                 "it holds more than 200 bytes"),
    "named pipe": (os.mkfifo, "it is not a regular file"),
    "link": (lambda p: os.symlink("/dev/zero", p), "it is not a regular file"),
    "year 10**20": (lambda p: p.write_text("1" * 20 + "-01-01"), "it is not a time"),
    # dateutil raised decimal.InvalidOperation, and, for a zone key going up out of its
    # folder, a FutureWarning made an error: neither was caught (the student "not graded" by
    # nbgrader autograde; by catvnoncat grade, every file set aside as "could not be checked")
    "seconds too long": (lambda p: p.write_text("9" * 30 + "M"), "it is not a time"),
    "zone up a folder": (lambda p: p.write_text("2026-01-01 00:00:00 ../../../etc/localtime"),
                         "its time zone names a file"),
    # dateutil reads the named file whole: the student's own 19.5 MB TZif file (named through
    # /proc/self/cwd/submitted/...) took the grader 680 MB; never read
    "zone a path": (lambda p: p.write_text("2026-01-01 00:00:00 :/etc/localtime"),
                    "its time zone names a file"),
}


@pytest.mark.parametrize("kind", list(UNREADABLE))
def test_a_timestamp_that_cannot_be_read_says_why_and_reads_as_none(tmp_path, kind):
    make, why = UNREADABLE[kind]
    make(tmp_path / "timestamp.txt")
    assert timestamp_problem(tmp_path).startswith(why)
    assert read_timestamp(tmp_path) is None


def test_a_readable_empty_or_absent_timestamp_is_no_problem(tmp_path):
    assert (timestamp_problem(tmp_path), read_timestamp(tmp_path)) == (None, None)
    (tmp_path / "timestamp.txt").write_text("")
    assert (timestamp_problem(tmp_path), read_timestamp(tmp_path)) == (None, None)
    write_timestamp(tmp_path, datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc))
    assert (timestamp_problem(tmp_path), read_timestamp(tmp_path)) == (
        None, datetime(2026, 3, 1, 12, 30))


@pytest.mark.parametrize("kind", ["binary", "not a time", "named pipe", "seconds too long",
                                  "zone up a folder", "zone a path"])
def test_nbgrader_reads_an_unreadable_timestamp_as_none_with_the_course_config(tmp_path, kind,
                                                                             caplog):
    """Stock nbgrader raises on the first two (the student "not graded", as if by our fault)
    and blocks for ever on the pipe; with the call ``nbgrader_config.py`` makes, each is read
    as no time and a warning names it."""
    UNREADABLE[kind][0](tmp_path / "timestamp.txt")
    read_unreadable_timestamps_as_missing()
    read_unreadable_timestamps_as_missing()  # a second call changes nothing
    with caplog.at_level(logging.WARNING):
        assert CourseDirectory().get_existing_timestamp(os.fspath(tmp_path)) is None
    assert "cannot be read as a submission time" in caplog.text
    if kind != "named pipe":  # a readable one is read by nbgrader's own code, as before
        (tmp_path / "timestamp.txt").unlink()
        write_timestamp(tmp_path, datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc))
        assert CourseDirectory().get_existing_timestamp(os.fspath(tmp_path)) == datetime(
            2026, 3, 1, 12, 30)


def test_the_course_config_makes_the_call():
    """In a fresh process (this one may have made the call already): loading the course's
    ``nbgrader_config.py``, as nbgrader does, installs the safe reading."""
    import subprocess

    code = ("from catvnoncat.facts import course_config\n"
            "from nbgrader.coursedir import CourseDirectory as Stock\n"
            "before = getattr(Stock.get_existing_timestamp, '_catvnoncat_reads_safely', False)\n"
            "course_config()\n"
            "print(before, getattr(Stock.get_existing_timestamp, '_catvnoncat_reads_safely', "
            "False))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.split() == ["False", "True"], result.stdout + result.stderr
