"""Students as the formgrader lists them (issue 22, finding 4): a name and a submission time.

Fast checks of :mod:`catvnoncat.steps.students` on a real SQLite gradebook; the whole runs
(``test_engine``: nbgrader autograde and the engine; ``test_demo``: the demo class) check the
same in the gradebooks they fill.
"""

import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory

from catvnoncat.steps import pipelines
from catvnoncat.steps.students import NameUnnamedStudents, write_timestamp


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
