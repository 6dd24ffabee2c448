"""The course on a real JupyterHub (issue 19): each person sees and changes only what is theirs.

One module-scoped run, as root: three real Unix users (an instructor and two students, names
unique per test worker, homes left 0755 as Debian's ``useradd -m`` makes them), ``catvnoncat
hub-setup`` applied to a scratch copy of the course in the instructor's home, a scratch exchange
and scratch environments; a real JupyterHub (DummyAuthenticator, LocalProcessSpawner, the
configurable-http-proxy from npm) on 127.0.0.1, started and stopped by PID. Each person works
through their own single-user server, as themselves: the instructor generates and releases in
the formgrader, the students fetch and submit through nbgrader's Assignment List API, the
instructor collects, grades (``catvnoncat grade``, sandboxed) and releases feedback on the
command line in the course folder, the students fetch their feedback. Then each of the eight
findings of the issue is checked gone, as the students: reading, writing, importing.
"""

import asyncio
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

from catvnoncat import course

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ASSIGNMENT = course.ASSIGNMENT
NOTEBOOK = f"{course.NOTEBOOK_NAME}.ipynb"
COURSE_ID = "catvnoncat"
TAG = f"{os.environ.get('PYTEST_XDIST_WORKER', 'gw')}-{os.getpid()}"
TEACHER, ALICE, BOB = (f"cvc{role}-{TAG}" for role in ("teach", "alice", "bob"))
GRADERS = f"cvcgrade-{TAG}"
PROFILE_SNIPPET = Path("/etc/profile.d/catvnoncat-hub.sh")
#: Where hub-setup puts the two environments: a scratch folder under /tmp (removed at the end;
#: each judge child mounts a fresh /tmp and must bind the instructors' environment again, which
#: once graded alice 0), or for repeated local runs a folder named by CATVNONCAT_HUB_TEST_PREFIX,
#: kept (hub-setup then only checks them).
ENVIRONMENTS = (Path(os.environ["CATVNONCAT_HUB_TEST_PREFIX"]).resolve()
                if os.environ.get("CATVNONCAT_HUB_TEST_PREFIX") else None)

if os.geteuid() != 0:
    pytest.skip("the JupyterHub test creates Unix users: run it as root (the README's "
                "test command is run as root)", allow_module_level=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_user(user, command, env_bin=None, cwd=None, timeout=900):
    """``command`` (a shell line) run as ``user`` with a plain environment; ``env_bin`` first
    on PATH. Returns the CompletedProcess (never raises on failure)."""
    entry = pwd.getpwnam(user)
    path = f"{env_bin}:/usr/bin:/bin" if env_bin else "/usr/bin:/bin"
    return subprocess.run(
        ["runuser", "-u", user, "--", "env", "-i", f"HOME={entry.pw_dir}", f"USER={user}",
         f"LOGNAME={user}", f"PATH={path}", "LANG=C.UTF-8", "OPENBLAS_NUM_THREADS=1",
         "bash", "-c", command],
        cwd=cwd or entry.pw_dir, capture_output=True, text=True, timeout=timeout)


def must(result):
    assert result.returncode == 0, f"{result.args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


class Hub:
    """JupyterHub on 127.0.0.1 (from this repository's venv, as root), stopped by PID."""

    def __init__(self, workdir, hub_config, users):
        self.port, self.token = free_port(), secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.tokens = {}
        config = workdir / "jupyterhub_config.py"
        config.write_text(
            f"c = get_config()  # noqa: F821\n"
            f"load_subconfig({os.fspath(hub_config)!r})  # noqa: F821 (catvnoncat hub-setup)\n"
            f"c.JupyterHub.ip = '127.0.0.1'\nc.JupyterHub.port = {self.port}\n"
            f"c.JupyterHub.hub_ip = '127.0.0.1'\nc.JupyterHub.hub_port = {free_port()}\n"
            f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{free_port()}'\n"
            f"c.ConfigurableHTTPProxy.command = [{shutil.which('configurable-http-proxy')!r}]\n"
            f"c.JupyterHub.authenticator_class = 'dummy'\n"
            f"c.Authenticator.allowed_users = {set(users)!r}\n"
            f"c.JupyterHub.spawner_class = 'localprocess'\n"
            f"c.JupyterHub.db_url = 'sqlite:///{workdir}/jupyterhub.sqlite'\n"
            f"c.JupyterHub.cookie_secret_file = '{workdir}/cookie_secret'\n"
            f"c.ConfigurableHTTPProxy.pid_file = '{workdir}/proxy.pid'\n"
            f"c.JupyterHub.cleanup_servers = True\nc.JupyterHub.cleanup_proxy = True\n"
            f"c.Spawner.start_timeout = 180\nc.Spawner.http_timeout = 180\n"
            f"c.JupyterHub.services = [{{'name': 'cvc-test', 'api_token': {self.token!r}}}]\n"
            f"c.JupyterHub.load_roles = [{{'name': 'cvc-test', 'services': ['cvc-test'], "
            f"'scopes': ['admin:users', 'admin:servers', 'tokens', 'access:servers']}}]\n")
        self.log = open(workdir / "jupyterhub.log", "w")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTEST_", "CATVNONCAT_", "JUPYTER", "VIRTUAL_ENV"))}
        env["PATH"] = f"{VENV_BIN}:{env['PATH']}"
        self.process = subprocess.Popen([VENV_BIN / "jupyterhub", "-f", config], cwd=workdir,
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self._wait(lambda: self.api("/hub/api/")[0] == 200, 90, "JupyterHub did not start")

    def _wait(self, ready, seconds, message):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"JupyterHub exited: see {self.log.name}"
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"{message} within {seconds} s (see {self.log.name})")

    def request(self, path, token=None, method="GET", body=None, raw=False):
        """``(status, headers, body)``; ``body`` (a dict) is sent as JSON."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, method=method, data=data,
            headers={"Authorization": f"token {token or self.token}",
                     "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                status, headers, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            status, headers, content = e.code, e.headers, e.read()
        text = content.decode("utf-8", "replace")
        return status, headers, text if raw or not text else _json_or_text(text)

    def api(self, path, method="GET", body=None):
        status, _, content = self.request(path, method=method, body=body)
        return status, content

    def start_server(self, user):
        status, content = self.api(f"/hub/api/users/{user}/server", "POST")
        assert status in (201, 202), (status, content)
        self._wait(lambda: self.api(f"/hub/api/users/{user}")[1]["servers"][""]["ready"], 180,
                   f"the server of {user} did not start")
        status, content = self.api(f"/hub/api/users/{user}/tokens", "POST",
                                   {"note": "test_hub", "expires_in": 3600})
        assert status in (200, 201), (status, content)
        self.tokens[user] = content["token"]

    def server(self, user, path, method="GET", body=None, raw=False):
        """A request to ``user``'s own server, with ``user``'s own token."""
        return self.request(f"/user/{user}{path}", self.tokens[user], method, body, raw)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def _json_or_text(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def terminal_which(hub, user, names):
    """What ``command -v`` finds for ``names`` in a JupyterLab terminal of ``user`` (a login
    shell, as JupyterLab opens it), through the terminals API and its websocket."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    status, _, terminal = hub.server(user, "/api/terminals", "POST", {})
    assert status == 200, (status, terminal)
    out = Path(pwd.getpwnam(user).pw_dir) / ".which-in-terminal"
    url = (hub.url.replace("http", "ws") + f"/user/{user}/terminals/websocket/{terminal['name']}")

    async def type_line():
        ws = await websocket_connect(HTTPRequest(
            url, headers={"Authorization": f"token {hub.tokens[user]}"}))
        ws.write_message(json.dumps(
            ["stdin", f"command -v {' '.join(names)} > {out}.tmp; mv {out}.tmp {out}\r"]))
        deadline = time.monotonic() + 60
        while not out.exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.3)
        ws.close()

    asyncio.run(type_line())
    hub.server(user, f"/api/terminals/{terminal['name']}", "DELETE")
    return out.read_text().split() if out.exists() else []


def kill_user_processes(uids):
    """Stop every process left running as the test's users (by PID)."""
    for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
        try:
            if os.stat(f"/proc/{pid}").st_uid in uids:
                os.kill(pid, signal.SIGKILL)
        except (FileNotFoundError, ProcessLookupError):
            pass


@pytest.fixture(scope="module")
def hub_course():
    started = time.perf_counter()
    timings = {}
    scratch = Path(tempfile.mkdtemp(prefix=f"catvnoncat-hub-{TAG}-"))
    scratch.chmod(0o755)  # students reach the exchange inside it
    snippet_was_there = PROFILE_SNIPPET.exists()
    created_users, hub = [], None
    try:
        for user in (TEACHER, ALICE, BOB):
            must(subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", user],
                                capture_output=True, text=True))
            created_users.append(user)
            Path(pwd.getpwnam(user).pw_dir).chmod(0o755)  # as Debian's useradd -m leaves homes
        course_dir = Path(pwd.getpwnam(TEACHER).pw_dir) / "catvnoncat"
        for name in ("source", "datasets"):
            shutil.copytree(REPO / name, course_dir / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        shutil.copy2(REPO / "nbgrader_config.py", course_dir)
        prefix, exchange = ENVIRONMENTS or scratch / "opt", scratch / "exchange"
        t = time.perf_counter()
        setup = subprocess.run(
            [sys.executable, "-m", "catvnoncat", "hub-setup", "--course", course_dir,
             "--instructor", TEACHER, "--graders", GRADERS, "--prefix", prefix,
             "--exchange", exchange, "--source", REPO, "--profile-snippet", PROFILE_SNIPPET],
            capture_output=True, text=True, timeout=1800)
        must(setup)
        timings["hub-setup"] = time.perf_counter() - t
        t = time.perf_counter()
        rerun = must(subprocess.run(setup.args, capture_output=True, text=True, timeout=600))
        timings["hub-setup again"] = time.perf_counter() - t

        t = time.perf_counter()
        hub = Hub(scratch, prefix / "jupyterhub_config.py", (TEACHER, ALICE, BOB))
        for user in (TEACHER, ALICE, BOB):
            hub.start_server(user)
        timings["hub and 3 servers"] = time.perf_counter() - t
        seen = {"rerun": rerun.stdout, "prefix": prefix, "exchange": exchange,
                "course": course_dir, "hub": hub, "timings": timings}
        t = time.perf_counter()
        run_the_course(seen)
        timings["course cycle"] = time.perf_counter() - t
        yield seen
    finally:
        if hub is not None:
            hub.stop()
        uids = set()
        for user in created_users:
            uids.add(pwd.getpwnam(user).pw_uid)
        kill_user_processes(uids)
        for user in created_users:
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        subprocess.run(["groupdel", GRADERS], capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
        if not snippet_was_there:
            PROFILE_SNIPPET.unlink(missing_ok=True)
        print(f"\n[hub] {time.perf_counter() - started:.0f} s in all: "
              + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))


def run_the_course(seen):
    """Release, hand in, collect, grade, feedback; and a student's attempt to block the release."""
    hub, course_dir, exchange = seen["hub"], seen["course"], seen["exchange"]
    instructor_bin = seen["prefix"] / "instructor" / "env" / "bin"
    # Finding 3: before the first release Bob tries to take the exchange's course folder.
    seen["bob takes outbound"] = as_user(
        BOB, f"mkdir -p {exchange}/{COURSE_ID}/outbound && "
             f"mkdir {exchange}/{COURSE_ID}/outbound/{ASSIGNMENT}")
    seen["bob moves the course folder"] = as_user(
        BOB, f"mv {exchange}/{COURSE_ID} {exchange}/old && mkdir {exchange}/{COURSE_ID}")
    # The instructor, in the formgrader of their own server (started in ~ by the hub).
    for action in ("assign", "release"):
        status, _, result = hub.server(TEACHER, f"/formgrader/api/assignment/{ASSIGNMENT}/{action}",
                                       "POST", {})
        assert status == 200 and result["success"], (action, result)
    # The students, through the Assignment List API of their own servers.
    for student in (ALICE, BOB):
        status, _, listed = hub.server(student, f"/assignments?course_id={COURSE_ID}")
        assert status == 200 and listed["success"], listed
        seen[f"{student} listed"] = listed["value"]
        form = {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT}
        status, _, fetched = hub.server(student, "/assignments/fetch", "POST", form)
        assert status == 200 and fetched["success"], fetched
        if student == ALICE:  # Alice saves the reference answers, as JupyterLab would
            content = json.loads(nbformat.writes(course.reference_submission()))
            status, _, saved = hub.server(ALICE, f"/api/contents/{ASSIGNMENT}/{NOTEBOOK}", "PUT",
                                          {"type": "notebook", "format": "json",
                                           "content": content})
            assert status == 200, saved
        status, _, submitted = hub.server(student, "/assignments/submit", "POST", form)
        assert status == 200 and submitted["success"], submitted
    # The instructor's command line, in the course folder, with the instructors' environment.
    for command in (f"nbgrader collect {ASSIGNMENT}", f"catvnoncat grade {ASSIGNMENT}",
                    f"nbgrader generate_feedback {ASSIGNMENT}",
                    f"nbgrader release_feedback {ASSIGNMENT}"):
        seen[command.split()[1]] = must(as_user(TEACHER, command, instructor_bin, cwd=course_dir))
    for student in (ALICE, BOB):
        status, _, fetched = hub.server(student, "/assignments/fetch_feedback", "POST",
                                        {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT})
        assert status == 200 and fetched["success"], fetched
    seen["doctor"] = as_user(TEACHER, "catvnoncat doctor", instructor_bin, cwd=course_dir)


def gradebook(course_dir):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", course_id=COURSE_ID)


def denied(result):
    """The command failed because a permission was refused (not for another reason)."""
    return result.returncode != 0 and ("Permission denied" in result.stderr
                                       or "Operation not permitted" in result.stderr)


# --- the whole cycle works ----------------------------------------------------------------------

def test_hub_setup_is_idempotent(hub_course):
    assert "installing" not in hub_course["rerun"] and "created" not in hub_course["rerun"]
    assert "wrote" not in hub_course["rerun"], hub_course["rerun"]


def test_release_hand_in_grading_and_feedback_through_each_persons_own_server(hub_course):
    for student in (ALICE, BOB):
        listed = hub_course[f"{student} listed"]
        assert [(a["course_id"], a["assignment_id"]) for a in listed] == [(COURSE_ID, ASSIGNMENT)]
    with gradebook(hub_course["course"]) as gb:
        alice = gb.find_submission(ASSIGNMENT, ALICE)
        bob = gb.find_submission(ASSIGNMENT, BOB)
        notebook = gb.find_submission_notebook(course.NOTEBOOK_NAME, ASSIGNMENT, ALICE)
        autograded_points = sum(g.max_score for g in notebook.grades if g.auto_score is not None)
        assert autograded_points > 0 and alice.score == autograded_points, (
            hub_course["grade"].stdout, [(g.name, g.score) for g in notebook.grades])
        assert bob.score == 0.0 and alice.needs_manual_grade
    for student in (ALICE, BOB):
        feedback = list((Path(pwd.getpwnam(student).pw_dir) / ASSIGNMENT / "feedback").rglob(
            "*.html"))
        assert len(feedback) == 1, (student, feedback)
    assert "error" not in hub_course["grade"].stdout.lower(), hub_course["grade"].stdout


def test_finding_6_the_formgrader_loads_inside_the_instructors_jupyterlab(hub_course):
    hub = hub_course["hub"]
    status, headers, page = hub.server(TEACHER, "/formgrader", raw=True)
    assert status == 200 and "Manage Assignments" in page
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert "'none'" not in headers["Content-Security-Policy"]
    status, _, assignments = hub.server(TEACHER, "/formgrader/api/assignments")
    assert status == 200
    # Both editions are assignments of the course; the two students handed in the English one.
    listed = {a["name"]: a["num_submissions"] for a in assignments}
    assert listed[ASSIGNMENT] == 2 and sum(listed.values()) == 2, listed


# --- each finding of issue 19 is gone -----------------------------------------------------------

def test_finding_1_a_student_reads_neither_the_course_nor_a_classmates_work(hub_course):
    course_dir = hub_course["course"]
    bob_home = Path(pwd.getpwnam(BOB).pw_dir)
    for path in (course_dir, course_dir / "gradebook.db",
                 course_dir / "source" / ASSIGNMENT / NOTEBOOK,
                 course_dir / "submitted" / BOB / ASSIGNMENT / NOTEBOOK,
                 course_dir / "autograded" / BOB / ASSIGNMENT / NOTEBOOK,
                 course_dir / "feedback" / BOB / ASSIGNMENT,
                 bob_home / ASSIGNMENT / NOTEBOOK, bob_home / ASSIGNMENT / "feedback"):
        assert path.exists(), path  # (root sees it: the test reads what is there)
        attempt = as_user(ALICE, f"ls -l '{path}' && cat '{path}'/* '{path}' 2>&1 | head -c 100")
        assert denied(attempt), (path, attempt.stdout, attempt.stderr)
    assert oct(Path(pwd.getpwnam(BOB).pw_dir).stat().st_mode & 0o777) == "0o755"


def test_finding_2_collected_work_is_nobody_elses_to_change(hub_course):
    submitted = hub_course["course"] / "submitted"
    for path in [submitted, *submitted.rglob("*")]:
        assert path.stat().st_mode & 0o007 == 0, (path, oct(path.stat().st_mode))
    attempt = as_user(ALICE, f"touch '{submitted}/{BOB}/{ASSIGNMENT}/{NOTEBOOK}'")
    assert denied(attempt), attempt.stderr


def test_finding_3_a_student_can_neither_block_nor_poison_the_release(hub_course):
    exchange = hub_course["exchange"]
    assert denied(hub_course["bob takes outbound"]), hub_course["bob takes outbound"].stderr
    assert denied(hub_course["bob moves the course folder"])
    teacher = pwd.getpwnam(TEACHER).pw_uid
    for path in [exchange / COURSE_ID, *(exchange / COURSE_ID).iterdir(),
                 *(exchange / COURSE_ID / "outbound").rglob("*")]:
        assert path.stat().st_uid == teacher, path
    assert sorted(p.name for p in exchange.iterdir()) == [COURSE_ID]


def test_finding_4_the_instructor_package_is_not_the_students(hub_course):
    student_python = hub_course["prefix"] / "student" / "bin" / "python"
    attempt = as_user(ALICE, f"{student_python} -c 'import catvnoncat.reference'")
    assert attempt.returncode == 1 and "No module named 'catvnoncat'" in attempt.stderr
    attempt = as_user(ALICE, f"ls {hub_course['prefix'] / 'instructor'}")
    assert denied(attempt)
    teacher = as_user(TEACHER, "python -c 'import catvnoncat.reference'",
                      hub_course["prefix"] / "instructor" / "env" / "bin")
    assert teacher.returncode == 0, teacher.stderr


def test_finding_5_students_are_offered_neither_the_sandbox_kernel_nor_the_formgrader(hub_course):
    hub = hub_course["hub"]
    for student in (ALICE, BOB):
        _, _, specs = hub.server(student, "/api/kernelspecs")
        assert set(specs["kernelspecs"]) == {"python3"}
        status, _, _ = hub.server(student, "/formgrader", raw=True)
        assert status == 404
        status, _, _ = hub.server(student, "/formgrader/api/assignments", raw=True)
        assert status == 404
        _, _, lab = hub.server(student, "/lab", raw=True)
        page_config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', lab,
                                           re.S).group(1))
        for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                       "@jupyter/nbgrader:course-list"):
            assert plugin in page_config["disabledExtensions"], plugin
        for plugin in ("@jupyter/nbgrader:assignment-list",
                       "@jupyter/nbgrader:validate-assignment"):
            assert plugin not in page_config["disabledExtensions"]
    _, _, specs = hub.server(TEACHER, "/api/kernelspecs")
    assert "catvnoncat-sandbox" in specs["kernelspecs"]


def test_finding_7_one_exchange_for_the_formgrader_the_command_line_and_the_students(hub_course):
    # Released by the formgrader (server in ~), collected and fed back on the command line (in
    # the course folder), fetched by students with no setting of their own: one folder.
    exchange = hub_course["exchange"]
    assert (exchange / COURSE_ID / "outbound" / ASSIGNMENT / NOTEBOOK).is_file()
    assert len(list((exchange / COURSE_ID / "feedback").iterdir())) == 2
    assert "Collecting submission" in hub_course["collect"].stderr
    for student in (ALICE, BOB):
        assert not (Path(pwd.getpwnam(student).pw_dir) / ".jupyter" / "nbgrader_config.py").exists()


def test_finding_8_command_lines_work_in_jupyterlab_terminals(hub_course):
    hub, prefix = hub_course["hub"], hub_course["prefix"]
    assert terminal_which(hub, ALICE, ["nbgrader", "pytest"]) == [
        str(prefix / "student" / "bin" / "nbgrader"), str(prefix / "student" / "bin" / "pytest")]
    assert terminal_which(hub, TEACHER, ["nbgrader", "catvnoncat"]) == [
        str(prefix / "instructor" / "env" / "bin" / "nbgrader"),
        str(prefix / "instructor" / "env" / "bin" / "catvnoncat")]
    student_python = (prefix / "student" / "bin" / "python").resolve()
    assert not str(student_python).startswith("/root")


def test_doctor_finds_nothing_on_the_hub_course(hub_course):
    doctor = hub_course["doctor"]
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "0 problems" in doctor.stdout


def test_timings(hub_course, capsys):
    with capsys.disabled():
        print("\n[hub] " + ", ".join(f"{k}: {v:.1f} s" for k, v in hub_course["timings"].items()))
