"""Red team: every attack of tests/hostile.py as a student of one real `nbgrader autograde` run.

The class: ``a_honest_correct`` (the reference solution, graded first), one student
``m_<attack>`` per attack, and ``z_honest_bug`` (the mutant propagate_forgets_divide_by_m,
graded last). One autograde + generate_feedback run (tests/hostile/run_autograde.py, in a
subprocess under outer resource limits and a timeout) is shared by every assertion.

Run as root (as CI does), the sandbox gives each kernel a uid of its own. Most instructors grade
as themselves, where the kernel has the grader's uid and only the namespaces and mounts stand
between it and the course: so the attacks on the operating system run a second time with the
grader unprivileged (uid 1000 in a user namespace of its own, no capability on the host).
The judge's attacks that carriers between students or two gradings side by side could help
(oracles and their honest twins, forged facts, hidden-input carriers, the vectorization CPU
burn) run through ``catvnoncat grade --workers 2``, the engine, instead; ``kill_all`` in all
three.
"""

import hashlib
import html
import html.parser
import json
import os
import resource
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from catvnoncat import course, demo
from catvnoncat.judge.verdict import METADATA_KEY
from catvnoncat.sandbox.groups import PER_PROCESS_ONLY
from support import mutants

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402

HONEST_CORRECT = "a_honest_correct"
HONEST_BUG = "z_honest_bug"
BUG_MUTANT = "propagate_forgets_divide_by_m"
RUNNER = Path(__file__).parent / "hostile" / "run_autograde.py"
#: Outer safety limits of the whole run (the project's own limits must act first).
OUTER_TIMEOUT = 2400  # 47 students, 11 judge children each, on 2 shared cores
OUTER_AS = 12 << 30
OUTER_FSIZE = 3 << 30


#: Who runs the grader: as invoked, and (when that is root) unprivileged, for the attacks whose
#: containment depends on who the grader is (files, processes, signals, network). The
#: unprivileged grader is root's uid mapped to 1000 in a user namespace: it owns the course as
#: an instructor does, without any capability on the host. (Not ``resources``: Linux never
#: applies a process-count limit to root's processes, namespaced or not, so this grader cannot
#: show it; test_sandbox.py checks the process budget with a real unprivileged user.)
IDENTITIES = {}
if os.geteuid() == 0:
    IDENTITIES["unprivileged"] = [a for a in hostile.ATTACKS if a.name in {
        "gradebook_sql", "gradebook_trigger", "gradebook_daemon", "file_writes", "kill_all",
        "kill_parent", "read_secrets", "network", "busy_loop_honest"}]
#: The judge's attacks once more through the course's engine (``catvnoncat grade --workers 2``):
#: two students' sandboxes at a time share /tmp's neighbours, /dev/shm's and the read-only
#: files, so the caches and carriers that a serial grader never puts side by side meet here.
ENGINE_WORKERS = 2
IDENTITIES["engine"] = [a for a in hostile.ATTACKS if a.name in {
    *(attack.name for attack in hostile.ORACLE_ATTACKS), "forge_io", "inplace_hidden",
    "lying_objects", "leak_hidden_inputs", "leak_via_exception", "kill_all",
    "vectorization_settrace", "vectorization_forged_lines", "vectorization_small_burn",
    "vectorization_small_burn_twin"}]
#: Every other attack as invoked (plain ``nbgrader autograde``). The engine's judge attacks are
#: not graded there too: the judge is the same code in both modes, and the engine grades them
#: one after another on each worker as well as two side by side, so a carrier left for the
#: next student is tried there as in a serial run (the class as invoked was 49 students, 290 s
#: of the suite's 20 minutes). kill_all runs in both: what it can reach depends on the mode.
IDENTITIES = {"as_invoked": [a for a in hostile.ATTACKS
                             if a.name == "kill_all" or a not in IDENTITIES["engine"]],
              **IDENTITIES}
UNPRIVILEGED = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]
#: (identity, attack) for the tests about one attacker.
CASES = [pytest.param(who, attack, id=f"{who}-{attack.name}")
         for who, attacks in IDENTITIES.items() for attack in attacks]


def student(attack):
    return f"m_{attack.name}"


def points():
    cells = course.grade_cells(course.read_notebook(course.SOURCE_NOTEBOOK))
    return {gid: cell["points"] for gid, cell in cells.items() if cell["kind"] == "test"}


def build_submission(attack, token, port):
    def fill(code):
        return code.replace("__TOKEN__", token).replace("__PORT__", str(port))

    solutions = mutants.notebook_solutions() if attack.base == "reference" else {}
    cells = dict(solutions)
    for grade_id, code in attack.cells.items():
        if grade_id.endswith("_extra"):
            base_id = grade_id[:-len("_extra")]
            cells[base_id] = cells.get(base_id, "") + "\n" + fill(code)
        else:
            cells[grade_id] = fill(code)
    for name, statements in attack.first_statements.items():
        cells[name] = demo._with_statement_first(cells[name], name, statements)
    nb = course.make_submission(cells)
    for grade_id in attack.moved_to_end:
        cell = next(c for c in nb.cells
                    if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)
        nb.cells.remove(cell)
        last = max(i for i, c in enumerate(nb.cells)
                   if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") in hostile.TEST_CELLS)
        nb.cells.insert(last + 1, cell)
    return nb


def hash_tree(root, skip_pycache=False):
    root = Path(root)
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    hashes = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if "__pycache__" in path.parts:
            # compiled files come and go legitimately; a foreign name does not
            module = path.name.split(".")[0]
            if skip_pycache and (path.parent.parent / f"{module}.py").is_file():
                continue
        if path.is_file():
            hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def repo_state():
    package = Path(course.__file__).parent
    return {"source": hash_tree(course.SOURCE_DIR),
            "config": hash_tree(course.CONFIG_FILE),
            "package": hash_tree(package, skip_pycache=True)}


def marker_files(token):
    """Files the attacks name hostile_marker_<token>... anywhere they may have reached."""
    roots = [course.REPO_ROOT, course.REPO_ROOT / "source", Path(course.__file__).parent,
             Path("/tmp"), Path("/work/main"), Path("/work/main/src/catvnoncat")]
    roots += list(Path(sys.prefix).glob("lib/python*/site-packages"))
    found = set()
    for root in roots:
        for folder in [root, *_subfolders(root)]:
            try:
                names = os.listdir(folder)
            except OSError:  # gone since listed (another test's temporary folder), or closed
                continue
            found.update(folder / name for name in names
                         if token in name and "hostile_marker_" in name)
    return sorted(found)


def _subfolders(root):
    try:
        with os.scandir(root) as entries:
            return [Path(e.path) for e in entries if e.is_dir()]
    except OSError:
        return []


def token_processes(token):
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"HOSTILE_TOKEN={token}".encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            pass
    return [pid for pid in found if pid != os.getpid()]


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                data = conn.recv(100)
            except OSError:
                data = b""
            self.connections.append((addr, data))
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join(timeout=2)
        self.sock.close()


def _outer_limits():
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (OUTER_AS, OUTER_AS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTER_FSIZE, OUTER_FSIZE))


def notebook_scores(nb):
    """Scores as nbgrader's determine_grade computes them from an autograded notebook."""
    table = points()
    scores = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id not in table:
            continue
        failed = any(o.get("output_type") == "error" or
                     (o.get("output_type") == "stream" and o.get("name") == "stderr")
                     for o in cell.get("outputs", []))
        scores[grade_id] = 0.0 if failed else table[grade_id]
    return scores


def grade_hostile_class(identity, tmp_path_factory):
    """One autograde + feedback run of the class for ``identity``; returns what it left."""
    token = secrets.token_hex(6)
    listener = Listener()
    base = tmp_path_factory.mktemp(f"hostile_{token}")
    subs_dir = base / "submissions"
    subs_dir.mkdir()
    submissions = {HONEST_CORRECT: course.reference_submission()}
    bug = mutants.by_name(BUG_MUTANT)
    submissions[HONEST_BUG] = course.make_submission({**mutants.notebook_solutions(),
                                                      **bug.replacements})
    for attack in IDENTITIES[identity]:
        submissions[student(attack)] = build_submission(attack, token, listener.port)
    for name, nb in submissions.items():
        nbformat.write(nb, os.fspath(subs_dir / f"{name}.ipynb"))
    before = repo_state()
    env = dict(os.environ, HOSTILE_TOKEN=token)
    workdir = base / "work"
    result_path = base / "result.json"
    start = time.perf_counter()
    as_user = UNPRIVILEGED if identity == "unprivileged" else []
    engine = [str(ENGINE_WORKERS)] if identity == "engine" else []
    proc = subprocess.Popen([*as_user, sys.executable, str(RUNNER), str(subs_dir), str(workdir),
                             str(result_path), *engine], env=env, preexec_fn=_outer_limits,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = proc.communicate(timeout=OUTER_TIMEOUT)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        timed_out = True
    seconds = time.perf_counter() - start
    time.sleep(0.5)
    leftover = token_processes(token)
    for pid in leftover:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    listener.close()
    result = json.loads(result_path.read_text()) if result_path.is_file() else None
    state = {
        "identity": identity, "token": token, "listener": listener.connections, "result": result,
        "runner_output": output[-5000:], "runner_exit": proc.returncode, "timed_out": timed_out,
        "seconds": seconds, "leftover": leftover, "before": before, "after": repo_state(),
        "course": workdir / "course", "submissions": submissions,
        "markers": [str(p) for p in marker_files(token)],
    }
    print_table(state)
    return state


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``runs(identity)``: the class graded by that grader, once per module."""
    done = {}

    def get(identity):
        if identity not in done:
            done[identity] = grade_hostile_class(identity, tmp_path_factory)
        return done[identity]

    yield get
    for state in done.values():
        for path in marker_files(state["token"]):
            path.unlink(missing_ok=True)
        for big in (state["course"] / "autograded").glob(
                f"*/*/hostile_marker_{state['token']}_big"):
            big.unlink(missing_ok=True)


@pytest.fixture(params=list(IDENTITIES))
def run(request, runs):
    return runs(request.param)


def print_table(state):
    result = state["result"] or {}
    scores = result.get("scores") or {}
    table = points()
    short = {gid: gid.replace("test_", "")[:8] for gid in table}
    print(f"\n[hostile] grader {state['identity']}, runner exit {state['runner_exit']}, "
          f"timed out {state['timed_out']}, "
          f"{state['seconds']:.0f} s in all (autograde {result.get('autograde_seconds', 0):.0f} s, "
          f"feedback {result.get('feedback_seconds', 0):.0f} s)")
    if result.get("error"):
        print(f"[hostile] runner error: {result['error'][:2000]}")
    print(f"{'student':34s} " + " ".join(f"{s:>8s}" for s in short.values()) + "   total     s")
    for name in sorted(state["submissions"]):
        row = scores.get(name, {})
        total = sum(row.get(gid, 0.0) for gid in table)
        secs = (result.get("times") or {}).get(name)
        print(f"{name:34s} " + " ".join(f"{row.get(gid, float('nan')):8.0f}" for gid in table)
              + f"   {total:5.0f} {secs if secs is not None else '-':>5}")
    print(f"[hostile] listener connections: {state['listener']}")
    print(f"[hostile] marker files: {state['markers']}")
    print(f"[hostile] survivors: {result.get('survivors_after_autograde')} "
          f"{result.get('survivors_after_feedback')} leftover {state['leftover']}")
    wins = hostile_wins(state)
    for name, lines in sorted(wins.items()):
        print(f"[hostile] {name}: " + " | ".join(lines)[:600])


def autograded_notebook(state, name):
    path = (state["course"] / "autograded" / name / course.ASSIGNMENT /
            f"{course.NOTEBOOK_NAME}.ipynb")
    return course.read_notebook(path) if path.is_file() else None


def hostile_wins(state):
    wins = {}
    for name in state["submissions"]:
        nb = autograded_notebook(state, name)
        if nb is None:
            continue
        lines = []
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                text = output.get("text", "") if output.get("output_type") == "stream" else \
                    json.dumps(output.get("data", {}))
                lines += [line.strip()[:200] for line in str(text).splitlines()
                          if "HOSTILE-WIN" in line]
        if lines:
            wins[name] = lines
    return wins


def require_result(run):
    assert run["result"] is not None, (
        f"the autograde runner left no result (exit {run['runner_exit']}, timed out "
        f"{run['timed_out']}):\n{run['runner_output']}")
    assert run["result"]["scores"] is not None, run["result"]["error"]
    return run["result"]


# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who, attack", CASES)
def test_attacker_scores(runs, who, attack):
    run = runs(who)
    scores = require_result(run)["scores"][student(attack)]
    expected = {gid: (full if gid in attack.full else 0.0) for gid, full in points().items()}
    got = {gid: scores.get(gid) for gid in expected}
    assert got == expected, {gid: (got[gid], expected[gid]) for gid in expected
                             if got[gid] != expected[gid]}


TWINS = [pytest.param(who, attack, id=f"{who}-{attack.name}")
         for who, attacks in IDENTITIES.items() for attack in attacks if attack.twin_of]


@pytest.mark.parametrize("who, twin", TWINS)
def test_an_oracle_attacker_scores_no_more_than_its_honest_twin(runs, who, twin):
    """The same notebook with the attack cells removed, graded in the same run."""
    scores = require_result(runs(who))["scores"]
    attacker, honest = scores[student(hostile.by_name(twin.twin_of))], scores[student(twin)]
    gained = {gid: (attacker[gid], honest[gid]) for gid in points()
              if attacker[gid] > honest[gid]}
    assert not gained, gained


@pytest.mark.parametrize("who, attack", CASES)
def test_attack_had_no_effect(runs, who, attack):
    """No attack reports a side effect that worked (a secret read, a file written, ...)."""
    wins = hostile_wins(runs(who)).get(student(attack), [])
    assert not wins, wins


def test_every_attacker_was_recorded(run):
    result = require_result(run)
    con = sqlite3.connect(run["course"] / "gradebook.db")
    recorded = {row[0] for row in con.execute("SELECT student_id FROM submitted_assignment")}
    con.close()
    assert set(run["submissions"]) <= recorded, set(run["submissions"]) - recorded
    assert result["times"], result


def test_honest_students(run):
    scores = require_result(run)["scores"]
    table = points()
    assert scores[HONEST_CORRECT] == {**scores[HONEST_CORRECT], **table}
    assert sum(table.values()) == 95
    failing = mutants.by_name(BUG_MUTANT).failing
    expected = {gid: (0.0 if gid in failing else full) for gid, full in table.items()}
    assert {gid: scores[HONEST_BUG][gid] for gid in table} == expected


def _groups_can_be_made(identity):
    """Whether a grader of ``identity`` can make a sandbox's cgroups here (asked of the real
    hierarchy, as that grader: the uid-1000 namespace still owns root's files on the host)."""
    probe = ("from catvnoncat.sandbox import groups\n"
             "made = groups.create(64, 16, 0.5)\n"
             "print('yes' if made else 'no')\n"
             "made and made.close()\n")
    as_user = UNPRIVILEGED if identity == "unprivileged" else []
    out = subprocess.run([*as_user, sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() == "yes"


def test_the_notebooks_say_which_limits_their_sandboxes_had(run):
    """Where no cgroup can be made for a sandbox, every graded notebook says "per-process limits
    only" (the class report lists them); where each sandbox had its groups, none says so."""
    require_result(run)
    said = {name: (autograded_notebook(run, name).metadata.get(METADATA_KEY, {}).get("limits"))
            for name in run["submissions"] if autograded_notebook(run, name) is not None}
    expected = None if _groups_can_be_made(run["identity"]) else PER_PROCESS_ONLY
    assert said and all(value == expected for value in said.values()), (expected, said)


def test_gradebook_matches_the_autograded_notebooks(run):
    scores = require_result(run)["scores"]
    for name in run["submissions"]:
        nb = autograded_notebook(run, name)
        if nb is None:
            continue
        from_notebook = notebook_scores(nb)
        in_gradebook = {gid: scores[name][gid] for gid in from_notebook}
        assert in_gradebook == from_notebook, name


def test_gradebook_holds_only_what_nbgrader_wrote(run):
    require_result(run)
    course_dir = run["course"]
    before = sqlite3.connect(course_dir / "gradebook.before.db")
    after = sqlite3.connect(course_dir / "gradebook.db")
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    assert after.execute(schema).fetchall() == before.execute(schema).fetchall()
    cells = "SELECT * FROM source_cell ORDER BY id"
    assert after.execute(cells).fetchall() == before.execute(cells).fetchall()
    for table in ("grade_cells", "solution_cells", "task_cells", "base_cell", "notebook",
                  "assignment"):
        query = f"SELECT * FROM {table} ORDER BY id"
        assert after.execute(query).fetchall() == before.execute(query).fetchall(), table
    students = {row[0] for row in after.execute("SELECT id FROM student")}
    assert students == set(run["submissions"])
    extra = after.execute("SELECT COUNT(*) FROM grade WHERE extra_credit IS NOT NULL "
                          "OR manual_score IS NOT NULL").fetchone()[0]
    assert extra == 0


def test_files_unchanged(run):
    result = require_result(run)
    assert run["after"] == run["before"], "the repository's source/, config or package changed"
    course_dir = run["course"]
    assert result["before"]["source"] == hash_tree(course_dir / "source")
    assert result["before"]["config"] == hash_tree(course_dir / "nbgrader_config.py")
    assert result["before"]["submitted"] == hash_tree(course_dir / "submitted")
    assert run["markers"] == []


class _Scan(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.handlers, self.frames, self.urls = [], [], [], []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key.lower().startswith("on"):
                self.handlers.append(f"<{tag} {key}={value!r}>")
            if key.lower() in ("href", "src", "action", "formaction", "data") and value and \
                    value.strip().lower().startswith(("javascript:", "data:text/html")):
                self.urls.append(f"<{tag} {key}={value!r}>")
        if tag in ("iframe", "frame", "object", "embed"):
            self.frames.append(f"<{tag} {attrs}>")
        if tag == "script":
            self._in_script = [dict(attrs).get("src") or "", ""]

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script[1] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append(tuple(self._in_script))
            self._in_script = None


def feedback_pages(run):
    return {path.parts[-3]: path.read_text(encoding="utf-8", errors="replace")
            for path in (run["course"] / "feedback").glob(f"*/{course.ASSIGNMENT}/*.html")}


def _distinctive_lines(text, exclude):
    return {line.strip() for line in text.splitlines()
            if len(line.strip()) >= 30 and not line.strip().startswith(("#", '"', "'"))
            and line.strip() not in exclude}


def _hint_renderings():
    """Every hint sentence with its fields filled by the notebook's names, as one text.

    A hint may spell out a line an honest student also wrote (STANDARDIZE_SHAPE says
    "train_set_x = train_set_x_flatten / 255."): in a feedback page that is the judge talking,
    not a classmate's code leaking.
    """
    from string import Formatter

    from catvnoncat.judge.sentences import hints_module

    words = ("train_set_x", "test_set_x", "train_set_x_flatten", "test_set_x_flatten",
             "m_train", "m_test", "num_px", "sigmoid", "initialize_with_zeros", "propagate",
             "optimize", "predict", "model", "w", "b", "dw", "db", "cost", "costs")
    texts = []
    for template in vars(hints_module()).values():
        if not isinstance(template, str):
            continue
        parsed = list(Formatter().parse(template))
        for word in words if any(field is not None for _, field, _, _ in parsed) else ("",):
            texts.append("".join(literal + (word if field is not None else "")
                                 for literal, field, _, _ in parsed))
    return "\n".join(texts)


def test_feedback_is_clean(run):
    result = require_result(run)
    assert result.get("feedback_exit") == 0, result.get("feedback_stderr")
    pages = feedback_pages(run)
    assert set(pages) >= {HONEST_CORRECT, HONEST_BUG}
    scans = {}
    for name, page in pages.items():
        scan = _Scan()
        scan.feed(page)
        scans[name] = scan
    # the template's own scripts are in every page; a student's only in some
    common = set.intersection(*(set(s.scripts) for s in scans.values()))
    # (Template scripts, if any, are common to every page; attacks all say HOSTILE.)
    common = {s for s in common if "HOSTILE" not in s[1]}
    print("[hostile] template scripts:", [(src, body.strip()[:60]) for src, body in common])
    release_text = course.RELEASE_NOTEBOOK.read_text(encoding="utf-8")
    release_lines = {line.strip() for line in
                     "\n".join("".join(c.source) for c in course.read_notebook(
                         course.RELEASE_NOTEBOOK).cells).splitlines()}
    package = Path(course.__file__).parent
    secret_lines = set()
    for secret in ("reference.py", "checks.py", "judge/cases.py", "judge/specs.py"):
        if (package / secret).is_file():
            secret_lines |= _distinctive_lines((package / secret).read_text(), release_lines)
    hints_text = _hint_renderings()
    honest_code = {
        who: {line for line in _distinctive_lines(
            "\n".join(c.source for c in run["submissions"][who].cells), release_lines)
            if line not in hints_text}
        for who in (HONEST_CORRECT, HONEST_BUG)}
    problems = []
    for name, page in sorted(pages.items()):
        scan = scans[name]
        own = {line.strip() for c in run["submissions"][name].cells
               for line in c.source.splitlines()}
        for script in scan.scripts:
            if script not in common:
                problems.append(f"{name}: student script {script[0]!r} {script[1].strip()[:80]!r}")
        problems += [f"{name}: handler {h[:100]}" for h in scan.handlers]
        problems += [f"{name}: frame {f[:100]}" for f in scan.frames]
        problems += [f"{name}: url {u[:100]}" for u in scan.urls]
        text = html.unescape(page)
        for needle in ("BEGIN HIDDEN TESTS", "import catvnoncat", "from catvnoncat",
                       "catvnoncat.judge", "catvnoncat.reference", "HOSTILE-WIN"):
            if needle in text and needle not in "\n".join(own):
                problems.append(f"{name}: feedback holds {needle!r}")
        for line in secret_lines - own:
            if line in text:
                problems.append(f"{name}: feedback holds instructor code {line[:60]!r}")
                break
        for who, lines in honest_code.items():
            if who == name:
                continue
            leaked = [line for line in lines - own if line in text]
            if leaked:
                problems.append(f"{name}: feedback holds {who}'s code {leaked[0][:60]!r}")
    for problem in problems:
        print("[hostile]", problem)
    assert not problems, problems[:20]
    assert release_text


def test_no_kernel_process_survives(run):
    result = require_result(run)
    assert result["survivors_after_autograde"] == []
    assert result["survivors_after_feedback"] == []
    assert run["leftover"] == []


def test_listener_got_no_connection(run):
    assert run["listener"] == []


def test_runner_finished_in_time(run):
    assert not run["timed_out"]
    assert run["runner_exit"] == 0, run["runner_output"]
