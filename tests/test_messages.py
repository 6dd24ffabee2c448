"""Messages say what is true and what to do (issue 22, finding 5).

- ``make data`` (``catvnoncat fetch-data``) offline with no mirror set does not talk about a
  mirror variable as if it were set, and reports a corrupt copy already on disk as corrupt;
- the students' ``load_dataset()`` reports a corrupt cached file as corrupt, and says how to set
  the mirror inside a running notebook (``%env``);
- ``catvnoncat grade`` with a misspelled assignment names the nearest existing one.
"""

import shutil
import socket
import subprocess
import sys

import pytest

from catvnoncat import course, data

SUMS = data.read_checksums()
NAME = next(iter(SUMS))


def closed_port_url():
    """An http URL on 127.0.0.1 where nobody listens (offline, as far as a fetch can tell)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/datasets/"


@pytest.fixture
def offline_default(monkeypatch):
    """No CATVNONCAT_MIRROR, and the public origin unreachable."""
    monkeypatch.delenv(data.MIRROR_ENV, raising=False)
    monkeypatch.setattr(data, "DEFAULT_MIRROR", closed_port_url())
    return data.DEFAULT_MIRROR


def test_offline_fetch_with_no_mirror_set_does_not_pretend_one_is_set(offline_default, tmp_path):
    with pytest.raises(data.FetchError) as raised:
        data.fetch_data(dest_dir=tmp_path / "dest", log=lambda line: None)
    message = str(raised.value)
    assert f"{data.MIRROR_ENV}=" not in message.replace("CATVNONCAT_MIRROR=../", ""), message
    assert f"{data.MIRROR_ENV} is not set" in message and "public origin" in message, message
    assert offline_default in message  # the place it tried


def test_a_corrupt_copy_on_disk_is_reported_as_corrupt_when_offline(offline_default, tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / NAME).write_bytes(b"half a file")
    with pytest.raises(data.FetchError) as raised:
        data.fetch_data(dest_dir=dest, log=lambda line: None)
    message = str(raised.value)
    assert f"{dest / NAME} is corrupt" in message and SUMS[NAME] in message, message
    assert (dest / NAME).read_bytes() == b"half a file"


def test_a_mirror_that_is_set_is_named_with_its_value(monkeypatch, tmp_path):
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "no-such-mirror"))
    with pytest.raises(data.FetchError) as raised:
        data.fetch_data(dest_dir=tmp_path / "dest", log=lambda line: None)
    assert f"{data.MIRROR_ENV}='{tmp_path / 'no-such-mirror'}'" in str(raised.value)


@pytest.fixture
def lr_utils(tmp_path, monkeypatch):
    """The students' loader in a lone folder, with its cache in tmp and nothing set."""
    monkeypatch.chdir(tmp_path)
    for name in ("CATVNONCAT_DATA", data.MIRROR_ENV, "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CATVNONCAT_CACHE", str(tmp_path / "cache"))
    module = course.student_module("lr_utils.py")
    monkeypatch.setattr(module, "DEFAULT_MIRROR", closed_port_url())
    return module


def test_students_loader_reports_a_corrupt_cached_file_as_corrupt_offline(lr_utils, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in SUMS:
        shutil.copy(data.DATASETS_DIR / name, cache / name)
    (cache / NAME).write_bytes((data.DATASETS_DIR / NAME).read_bytes()[:1000])  # truncated
    with pytest.raises(lr_utils.DatasetError) as raised:
        lr_utils.load_dataset()
    message = str(raised.value)
    assert f"The cached copy {cache / NAME} is corrupt" in message, message
    assert "Could not download" in message  # and why no fresh copy came


def test_students_loader_says_how_to_set_the_mirror_inside_jupyter(lr_utils):
    with pytest.raises(lr_utils.DatasetError) as raised:
        lr_utils.load_dataset()
    message = str(raised.value)
    assert "%env CATVNONCAT_MIRROR=" in message and "load_dataset()" in message, message
    assert "CATVNONCAT_MIRROR is not set" in message, message


def test_grade_with_a_misspelled_assignment_names_the_nearest_one(tmp_path):
    shutil.copy(data.REPO_ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(course.SOURCE_DIR, tmp_path / "source" / course.ASSIGNMENT)
    result = subprocess.run([sys.executable, "-m", "catvnoncat", "grade", "logistic_regresion",
                             "--course-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result
    assert f"did you mean {course.ASSIGNMENT}?" in result.stderr, result.stderr
    assert "generate_assignment logistic_regresion" not in result.stderr
    assert not (tmp_path / "gradebook.db").exists()


def test_a_cell_that_stopped_the_notebook_is_named_once():
    """``NOT_RUN_STOPPED`` names the cell; a reason that named it too read "... in cell 44 in
    cell 44 of the notebook" (a reply flood), in both languages."""
    from catvnoncat.judge.messages import SUMMARIES, catalog_for, render, say

    # the reasons ExecuteWithJudge._stop gives (the judge's own, *_IN_CELL, go with NOT_JUDGED_*)
    for key in ["STOPPED_KERNEL_DIED", "STOPPED_REPLY_FLOOD", "STOPPED_KERNEL_STOPPED",
                "STOPPED_OUT_OF_TIME"]:
        assert key in SUMMARIES
        fields = {"cell": 44, "seconds": 600}
        why = say(key, **fields)
        for catalog in (None, catalog_for("logistic_regression_zh")):
            text = render(say("NOT_RUN_STOPPED", why=why, cell=44), catalog)
            assert text.count("44") == 1, (key, text)
