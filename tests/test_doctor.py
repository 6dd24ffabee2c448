"""``catvnoncat doctor`` and the permission steps of the hub set-up, on scratch folders (issue 19).

A course set up by hand as the README used to say (course folder 0755, exchange 1777 without
the course's folder, collected work 0777) is reported with one fix per finding; each fix
command, run, removes its finding. The real-hub test (tests/test_hub.py) checks the whole set-up.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

from catvnoncat.hub import EXCHANGE_COURSE_MODES, deploy, doctor
from catvnoncat.hub.exchange import make_private

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def open_folder():
    """A scratch folder every user can reach (pytest's tmp_path is not: /tmp/pytest-of-root is
    0700, and doctor tells a reachable folder from a protected one)."""
    folder = Path(tempfile.mkdtemp(prefix="catvnoncat-doctor-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def by_hand(folder):
    """A course and an exchange as the README's single-machine commands leave them."""
    course = folder / "course"
    (course / "source" / "logistic_regression").mkdir(parents=True)
    (course / "source" / "logistic_regression" / "logistic_regression.ipynb").write_text("{}")
    (course / "gradebook.db").write_text("")
    submission = course / "submitted" / "bob" / "logistic_regression"
    submission.mkdir(parents=True)
    (submission / "logistic_regression.ipynb").write_text("{}")
    submission.chmod(0o777)  # as nbgrader collect leaves it
    for path in [course, *course.rglob("*")]:
        if path.is_dir() and path != submission:
            path.chmod(0o755)
        elif path.is_file():
            path.chmod(0o644)
    exchange = folder / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    return course, exchange


def test_a_course_set_up_by_hand_is_reported_and_each_fix_removes_its_finding(open_folder):
    course, exchange = by_hand(open_folder)
    findings = doctor.check_course(course) + doctor.check_exchange(exchange, "catvnoncat")
    problems = {Path(f.path).relative_to(open_folder).as_posix(): f for f in findings
                if f.severity == "problem"}
    assert set(problems) == {"course", "course/gradebook.db", "course/source",
                             "course/submitted", "exchange/catvnoncat"}
    assert "0755" in problems["course"].what and "solutions" in problems["course"].what
    assert "write" in problems["course/submitted"].what
    assert "create it first" in problems["exchange/catvnoncat"].what
    # The fixes, run as given, leave no problem (a private course folder turns the readable
    # gradebook and source/ into notes; the writable submission stays a problem until fixed).
    for fix in (problems["course"].fix, problems["course/submitted"].fix,
                problems["exchange/catvnoncat"].fix):
        subprocess.run(fix, shell=True, check=True)
    modes = {p: p.stat().st_mode & 0o7777 for p in [exchange / "catvnoncat",
                                                    *(exchange / "catvnoncat").iterdir()]}
    assert modes == {(exchange / "catvnoncat" / sub if sub else exchange / "catvnoncat"): mode
                     for sub, mode in EXCHANGE_COURSE_MODES.items()}
    findings = doctor.check_course(course) + doctor.check_exchange(exchange, "catvnoncat")
    assert [f.severity for f in findings] == ["note", "note"], findings
    assert {Path(f.path).name for f in findings} == {"gradebook.db", "source"}


def test_the_exchange_is_checked_for_its_sticky_bit_owner_and_modes(open_folder):
    exchange = open_folder / "exchange"
    (exchange / "catvnoncat" / "inbound").mkdir(parents=True)
    exchange.chmod(0o777)
    (exchange / "catvnoncat" / "inbound").chmod(0o777)
    findings = doctor.check_exchange(exchange, "catvnoncat", user="someone-else")
    whats = " | ".join(f.what for f in findings)
    assert "no sticky bit" in whats and "owned by" in whats and "not by you (someone-else)" in whats
    missing = [f for f in findings if "missing" in f.what]  # outbound/, feedback/: one fix
    assert len(missing) == 1 and missing[0].fix.count("install -d") == 2
    own = doctor.check_exchange(exchange, "catvnoncat")
    assert any("mode 0777" in f.what and f.fix.startswith("chmod 2733") for f in own)
    assert doctor.check_exchange(open_folder / "none", "catvnoncat")[0].what.startswith(
        "the exchange does not exist")


def test_the_command_exits_1_with_the_fixes_and_0_once_closed(open_folder):
    course, _ = by_hand(open_folder)
    shutil.copy2(REPO / "nbgrader_config.py", course)
    command = [sys.executable, "-m", "catvnoncat", "doctor", "--course-dir", course]
    env = {**os.environ, "CATVNONCAT_EXCHANGE": str(open_folder / "exchange")}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"fix: chmod o-rwx {course}" in result.stdout
    assert f"exchange {open_folder / 'exchange'}" in result.stdout


def test_make_private_removes_what_others_and_the_group_could_write():
    folder = Path(tempfile.mkdtemp())
    try:
        (folder / "a" / "b").mkdir(parents=True)
        (folder / "a" / "b" / "f").write_text("x")
        for path, mode in ((folder / "a", 0o777), (folder / "a" / "b", 0o2775),
                           (folder / "a" / "b" / "f", 0o666)):
            path.chmod(mode)
        make_private(folder / "a")
        assert [oct(p.stat().st_mode & 0o7777) for p in
                (folder / "a", folder / "a" / "b", folder / "a" / "b" / "f")] == [
            "0o750", "0o2750", "0o640"]
    finally:
        shutil.rmtree(folder)


def test_the_students_fetch_keeps_the_fetched_assignment_theirs_alone(tmp_path):
    config_file = tmp_path / "nbgrader_config.py"
    config_file.write_text(deploy._ENV_NBGRADER_CONFIG.format(mark="# test", exchange="/x"))
    config = PyFileConfigLoader(config_file.name, path=str(tmp_path)).load_config()
    assert config.Exchange.root == "/x"
    fetch_class = config.ExchangeFactory.fetch_assignment
    released = tmp_path / "outbound"
    released.mkdir(mode=0o755)
    (released / "nb.ipynb").write_text("{}")
    (released / "nb.ipynb").chmod(0o644)
    fetch = fetch_class(coursedir=CourseDirectory(config=config), authenticator=None,
                        config=config)
    fetch.dest_path = str(tmp_path / "home" / "assignment")
    fetch.do_copy(str(released), fetch.dest_path)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "home").rglob("*")}
    assert modes == {"assignment": 0o700, "nb.ipynb": 0o600}


def test_the_student_environment_takes_its_bounds_from_pyproject_and_has_no_catvnoncat():
    wanted = deploy.requirements(REPO, deploy.STUDENT_PACKAGES)
    import tomllib

    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert all(requirement in dependencies for requirement in wanted), wanted
    assert not {"catvnoncat", "dask", "psycopg", "playwright"} & set(deploy.STUDENT_PACKAGES)
