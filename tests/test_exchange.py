"""The instructor's day and the students' hand-in, as the README says (issue 13, points 3, 6, 7).

One module-scoped run, in a copy of the course with its own exchange, gradebook and students:
every command of the README's instructor block runs in order (``source .venv/bin/activate``
first, ``jupyter lab`` started, used through the formgrader's web API and stopped by PID); between
``release_assignment`` and ``collect`` two students, each with their own HOME, run the README's
student commands (fetch_assignment, submit); after ``release_feedback`` they fetch_feedback.
Alice hands in the reference answers and gets her written answer graded in the formgrader, Bob
hands in the untouched notebook and his written answer is left waiting.
"""

import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from catvnoncat import course
from catvnoncat.quiz_key import KEY

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
VENV = Path(sys.executable).parent.parent
STUDENTS = ("alice", "bob")
COURSE_ID = "catvnoncat"


def section(title):
    """The README text under the heading starting with ``title``, up to the next heading of
    the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(title)}.*$", README, re.M)
    assert match, f"README has no section {title!r}"
    body = README[match.end():]
    end = re.search(rf"^#{{1,{len(match.group(1))}}} ", body, re.M)
    return body[:end.start()] if end else body


def commands(text):
    """The commands of the ``sh`` code blocks of ``text``, comments removed."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                found.append(line)
    return found


INSTRUCTOR = commands(section("With real submissions"))
STUDENT = commands(section("For students"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command, cwd, env, timeout=600, status=0):
    """Run one README line in bash, as typed in a shell where .venv was activated."""
    prefix = "source .venv/bin/activate && " if (Path(cwd) / ".venv").exists() else ""
    result = subprocess.run(["bash", "-c", prefix + command], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == status, \
        f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result


def base_env(tmp):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CATVNONCAT_", "PYTEST_", "VIRTUAL_ENV", "JUPYTER"))}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep)
                                  if not p.startswith(str(VENV)))
    env["CATVNONCAT_EXCHANGE"] = str(tmp / "exchange")
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def student_env(tmp, name):
    home = tmp / f"home-{name}"
    (home / ".jupyter").mkdir(parents=True, exist_ok=True)
    # The README: a non-default exchange is named in the student's own nbgrader config. (The
    # student id stands in for a separate OS account: every student here runs as one user.)
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        f"c.Exchange.root = {str(tmp / 'exchange')!r}\n"
        f"c.CourseDirectory.student_id = {name!r}\n")
    env = base_env(tmp)
    env.pop("CATVNONCAT_EXCHANGE")
    env.update(HOME=str(home), USER=name, LOGNAME=name,
               PATH=os.pathsep.join([str(VENV / "bin"), env["PATH"]]))
    return home, env


class Lab:
    """``jupyter lab`` (the README's command) on 127.0.0.1, stopped by PID."""

    def __init__(self, command, cwd, env):
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        flags = (f" --no-browser --ip=127.0.0.1 --port={self.port} --allow-root"
                 f" --IdentityProvider.token={self.token} --ServerApp.port_retries=0")
        self.log = open(Path(cwd) / ".." / "lab.log", "w")
        self.process = subprocess.Popen(["bash", "-c", f"source .venv/bin/activate && exec "
                                         f"{command}{flags}"], cwd=cwd, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                self.get("/api/status")
                return
            except OSError:
                assert self.process.poll() is None, "jupyter lab exited"
                time.sleep(0.5)
        self.stop()
        raise AssertionError("jupyter lab did not start within 90 s")

    def request(self, path, method="GET", body=None):
        request = urllib.request.Request(self.url + path, method=method, data=body,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")

    def get(self, path):
        return self.request(path)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def gradebook(course_dir):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", course_id=COURSE_ID)


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exchange")
    course_dir = tmp / "course"
    shutil.copytree(course.SOURCE_DIR, course_dir / "source" / course.ASSIGNMENT,
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copy2(course.CONFIG_FILE, course_dir / course.CONFIG_FILE.name)
    (course_dir / ".venv").symlink_to(VENV)
    env = base_env(tmp)
    env["CATVNONCAT_DATA"] = str(REPO / "datasets")
    homes = {name: student_env(tmp, name) for name in STUDENTS}
    seen = {"timings": {}, "formgrader": {}}
    for command in INSTRUCTOR:
        start = time.perf_counter()
        if command.startswith("nbgrader collect"):
            students_hand_in(homes)
        if command == "jupyter lab":
            seen["formgrader"] = use_formgrader(command, course_dir, env)
        elif command.startswith("source "):
            run(command, course_dir, env)  # on its own it only proves the path is right
        else:
            run(command, course_dir, env, timeout=900)
        seen["timings"][command] = time.perf_counter() - start
    for name, (home, student) in homes.items():
        for line in STUDENT:
            if line.startswith("nbgrader fetch_feedback"):
                run(line, home, student)
    return {"tmp": tmp, "course": course_dir, "homes": homes, **seen}


def students_hand_in(homes):
    """The README's student commands, before the instructor collects."""
    for name, (home, env) in homes.items():
        for line in STUDENT:
            if line.startswith("nbgrader fetch_assignment"):
                run(line, home, env)
                # The quiz step (7) is done before handing in: the quiz is handed in too.
                for quiz in (q for q in STUDENT if q == "pytest quiz"):
                    folder = home / course.ASSIGNMENT
                    if name == "alice":  # Alice answers the quiz; Bob leaves it blank
                        (folder / "quiz" / "answers.py").write_text(QUIZ_ANSWERS)
                        (folder / "quiz" / "drill.py").write_text(QUIZ_DRILL)
                    result = run(quiz, folder, env, status=0 if name == "alice" else 1)
                    QUIZ_RUNS[name] = result.stdout
                notebook = home / course.ASSIGNMENT / f"{course.NOTEBOOK_NAME}.ipynb"
                assert notebook.is_file()
                if name == "alice":
                    nbformat.write(course.reference_submission(), notebook)
                else:  # Bob writes only his answer to the question graded by hand
                    nb = nbformat.read(notebook, as_version=4)
                    for cell in nb.cells:
                        if cell.metadata.get("nbgrader", {}).get("grade_id") == \
                                "learning_rate_question":
                            cell.source = "A smaller rate $\\alpha$ converges more slowly."
                    nbformat.write(nb, notebook)
            elif line.startswith("nbgrader submit"):
                run(line, home, env)


#: What ``pytest quiz`` printed in each student's fetched folder.
QUIZ_RUNS = {}
QUIZ_ANSWERS = "".join(f"{qid} = {letter!r}\n" for qid, letter in KEY.items())
QUIZ_DRILL = ("import numpy as np\n\n\ndef broadcast_shape(shape_a, shape_b):\n"
              "    return tuple(np.broadcast_shapes(shape_a, shape_b))\n")


def use_formgrader(command, course_dir, env):
    """Start the README's ``jupyter lab``, open the formgrader, grade Alice's written answer."""
    lab = Lab(command, course_dir, env)
    try:
        status, page = lab.get("/formgrader")
        with gradebook(course_dir) as gb:
            submitted = {name: gb.find_submission_notebook(course.NOTEBOOK_NAME, course.ASSIGNMENT,
                                                           name) for name in STUDENTS}
            notebook_ids = {name: nb.id for name, nb in submitted.items()}
            written = gb.find_grade("learning_rate_question", course.NOTEBOOK_NAME,
                                    course.ASSIGNMENT, "alice").id
        _, formgrade = lab.get(f"/formgrader/submissions/{notebook_ids['alice']}/")
        lab.request(f"/formgrader/api/grade/{written}", "PUT",
                    json.dumps({"manual_score": 5.0}).encode())
        return {"status": status, "page": page, "formgrade": formgrade}
    finally:
        lab.stop()


# --- the assertions --------------------------------------------------------------------------

def test_readme_instructor_block_is_the_whole_flow_and_names_no_missing_command():
    assert "nbgrader formgrader" not in README
    names = [c.split()[1] if c.startswith("nbgrader") else c.split()[0] for c in INSTRUCTOR]
    for step in ("generate_assignment", "release_assignment", "collect", "generate_feedback",
                 "release_feedback", "export", "jupyter"):
        assert step in names, step
    assert [c.split()[1] for c in STUDENT if c.startswith("nbgrader")] == [
        "fetch_assignment", "submit", "fetch_feedback"]
    assert "Nbgrader → Formgrader" in README and "Manage Assignments" in README


def test_readme_names_the_formgraders_left_menu_as_nbgrader_draws_it():
    """The left menu of the page Nbgrader -> Formgrader opens (nbgrader's own template)."""
    import nbgrader

    template = (Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" /
                "templates" / "manage_assignments.tpl").read_text(encoding="utf-8")
    menu = re.findall(r'<li role="presentation"[^>]*><a href="[^"]+">([^<]+)</a>', template)
    assert menu == ["Manage Assignments", "Manual Grading", "Manage Students"], menu
    formgrader = section("With real submissions")
    named = re.findall(r"\*([A-Z][\w ]+)\* \(left menu", formgrader)
    assert named and set(named) <= set(menu), named
    assert all(f"*{entry}*" in formgrader for entry in menu)
    assert "*Gradebook*" not in README
    demo = section("The main job")
    assert "are inside `demo-course/`" in demo


def test_readme_names_the_formgraders_left_menu_as_it_is(day):
    """The formgrader's left menu (nbgrader 0.9) has Manage Assignments, Manual Grading and
    Manage Students; the README walks through them and names no other entry."""
    page = day["formgrader"]["page"]
    formgrader = section("With real submissions")
    for entry in ("Manage Assignments", "Manual Grading", "Manage Students"):
        assert entry in page and f"*{entry}*" in formgrader, entry
    for named in re.findall(r"\*([A-Z][\w ]+)\* \(left menu", formgrader):
        assert named in page, named
    assert "*Gradebook*" not in README
    demo = section("The main job")
    assert "demo-course/" in demo and "are inside `demo-course/`" in demo


def test_students_fetch_from_the_exchange_and_collect_brings_both_submissions(day):
    for name in STUDENTS:
        submitted = day["course"] / "submitted" / name / course.ASSIGNMENT
        assert (submitted / f"{course.NOTEBOOK_NAME}.ipynb").is_file(), name
        assert (submitted / "timestamp.txt").is_file()
        assert not list(submitted.rglob("*.h5"))
    config = (REPO / "nbgrader_config.py").read_text(encoding="utf-8")
    # The exchange is set only when CATVNONCAT_EXCHANGE names one (else the hub-wide setting).
    assert 'c.Exchange.root = os.environ["CATVNONCAT_EXCHANGE"]' in config
    assert "/srv/nbgrader" not in config and "/srv/nbgrader" not in README
    for name in STUDENTS:  # collect left nothing open to other users (catvnoncat.hub.exchange)
        for path in (day["course"] / "submitted" / name).rglob("*"):
            assert path.stat().st_mode & 0o007 == 0, (path, oct(path.stat().st_mode))
    assert (day["tmp"] / "exchange" / COURSE_ID / "outbound" / course.ASSIGNMENT).is_dir()


def test_autograde_and_the_formgrader_give_alice_everything_and_leave_bob_waiting(day):
    with gradebook(day["course"]) as gb:
        alice = gb.find_submission(course.ASSIGNMENT, "alice")
        bob = gb.find_submission(course.ASSIGNMENT, "bob")
        assert (alice.score, alice.max_score) == (100.0, 100.0)
        assert bob.score == 0.0 and bob.needs_manual_grade
    assert day["formgrader"]["status"] == 200 and "Manage Assignments" in day["formgrader"]["page"]
    with open(day["course"] / "grades.csv", newline="") as f:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert rows == {"alice": 100.0, "bob": 0.0}


def test_formgrader_and_feedback_render_maths_without_network(day):
    pages = {"formgrade": day["formgrader"]["formgrade"]}
    for name, (home, _) in day["homes"].items():
        fetched = list((home / course.ASSIGNMENT / "feedback").rglob("*.html"))
        assert len(fetched) == 1, (name, fetched)
        pages[name] = fetched[0].read_text(encoding="utf-8")
    for name, page in pages.items():
        assert ("cdnjs" in page) is False, name  # (a bool: pytest would diff megabytes)
        assert not re.findall(r"<(?:script|link)[^>]+(?:src|href)=[\"']?(?:https?:)?//", page), name
        assert "white-space: pre-wrap" in page and "tex-svg" not in page, name
        assert name == "formgrade" or "<script" not in page, name  # a feedback page: no script
        assert page.count("<math ") >= 90, name  # typeset as MathML when the page was written
        # A page a student fetched is small: MathML, no 2 MB of inlined MathJax.
        assert len(page.encode()) < 1_000_000, (name, len(page.encode()))


def test_feedback_says_which_answers_wait_for_a_human_grader(day):
    bob = next((day["homes"]["bob"][0] / course.ASSIGNMENT / "feedback").rglob("*.html"))
    alice = next((day["homes"]["alice"][0] / course.ASSIGNMENT / "feedback").rglob("*.html"))
    bob_text, alice_text = bob.read_text(), alice.read_text()
    assert "Not graded yet" in bob_text and "learning_rate_question" in bob_text
    assert "Waiting for your instructor" in bob_text
    assert ("Not graded yet" in alice_text or "Waiting for your instructor" in alice_text) is False
    report = (day["course"] / "reports" / f"{course.ASSIGNMENT}.md").read_text()
    assert "Waiting for a human grader" in report and "(bob)" in report
    assert "nbgrader formgrader" not in report


def test_the_quiz_comes_with_the_fetched_assignment_and_stays_the_students(day):
    """Fetched through the exchange, the assignment holds the quiz: `pytest quiz` runs there
    (Alice: all right; Bob: nothing answered yet). Grading keeps each student's own quiz files
    (autograde would copy the blank ones of source/ over them), and the feedback a student
    fetches is the page alone."""
    assert "passed" in QUIZ_RUNS["alice"] and "failed" not in QUIZ_RUNS["alice"], QUIZ_RUNS
    assert QUIZ_RUNS["bob"].count("not answered yet") >= len(KEY), QUIZ_RUNS["bob"][-3000:]
    blank = (course.SOURCE_DIR / "quiz" / "answers.py").read_text()
    alice = day["course"] / "autograded" / "alice" / course.ASSIGNMENT / "quiz" / "answers.py"
    assert alice.read_text() == QUIZ_ANSWERS
    for path in (day["course"] / "feedback").rglob("answers.py"):
        assert ("alice" in path.parts) is (path.read_text() != blank), path
    for name, (home, _) in day["homes"].items():
        fetched = home / course.ASSIGNMENT / "feedback"
        assert {p.suffix for p in fetched.rglob("*") if p.is_file()} == {".html"}, name


def test_timings(day, capsys):
    with capsys.disabled():
        print("\n[exchange] " + ", ".join(f"{c.split('#')[0].strip()[:40]}: {t:.1f} s"
                                          for c, t in day["timings"].items()))
