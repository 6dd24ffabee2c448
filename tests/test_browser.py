"""Issues 13 and 22 in a real browser (Debian's chromium driven by Playwright).

JupyterLab 4 with nbgrader's extensions runs on 127.0.0.1 in a student's folder (a copy of the
release, no course config, as a student has it) and is stopped by PID. The browser

1. opens the untouched release notebook, runs it, clicks **Validate** and reads the dialog: it
   names all eleven autograded parts and the written answer, each with one sentence (the data
   steps: "m_train is not defined. Set m_train in its cell ..."), each message fits the dialog;
   the same for the Chinese edition's untouched release (issue 23), in the same lab: its
   Chinese text shows, each unimplemented function is named in the Chinese hint sentence;
2. runs a notebook whose ``sigmoid`` uses ``math.exp``: the failing test cell shows the short
   wrapped message and the student's line, nothing of the test machinery;
3. opens a feedback page (nbgrader's feedback template, with this course's configuration) with
   the network blocked: the maths is typeset (MathML, no script), long verdicts wrap;
4. opens that feedback page inside JupyterLab, in its own HTML viewer, untrusted (as a student
   who fetched feedback double-clicks it): every formula is typeset there too.

Screenshots go to ``reports/browser/`` (git-ignored); look at them when something fails.
"""

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

from catvnoncat import course, facts
from catvnoncat.facts import release_dir
from catvnoncat.i18n import EDITION
from catvnoncat.steps import mathml

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make installs "
                                                          "it as root: apt-get install chromium)")]

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "reports" / "browser"
VENV_BIN = Path(sys.executable).parent
#: The notebook panel on show (the others are hidden tabs).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
MATH_SIGMOID = "import math\n\ndef sigmoid(z):\n    s = 1 / (1 + math.exp(-z))\n    return s\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_lab(root, home, tmp, **extra_env):
    """JupyterLab serving ``root`` for a student whose home is ``home``; stopped by PID."""
    port, token = free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CATVNONCAT_", "PYTEST_"))}
    env.update(HOME=str(home), CATVNONCAT_DATA=str(REPO / "datasets"),
               PATH=os.pathsep.join([str(VENV_BIN), env["PATH"]]), **extra_env)
    # On a busy machine JupyterLab may ask which kernel to start for a restored session (a
    # dialog that catches every click): it starts the preferred one, as a student would choose.
    settings = Path(home) / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / \
        "notebook-extension" / "tracker.jupyterlab-settings"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('{"autoStartDefaultKernel": true}', encoding="utf-8")
    log_path = tmp / f"lab-{port}.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--allow-root", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0",
         # A student's Jupyter has their Python kernel only (this venv also holds the
         # instructor's sandbox kernelspec, which a kernel-choice dialog would offer first).
         "--KernelSpecManager.allowed_kernelspecs=python3",
         f"--ServerApp.root_dir={root}"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, \
                    log_path.read_text()
                time.sleep(0.5)
        yield {"url": url, "token": token, "log": log_path}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab in a student's folder holding the untouched release and a math.exp variant."""
    tmp = tmp_path_factory.mktemp("browser")
    work, home = tmp / "work", tmp / "home"
    home.mkdir()
    folder = work / course.ASSIGNMENT
    shutil.copytree(course.RELEASE_NOTEBOOK.parent, folder)
    shutil.copytree(release_dir(EDITION), work / EDITION)  # the Chinese edition beside it
    # A short notebook: the packages cell, a sigmoid using math.exp, and sigmoid's test cell.
    nb = course.read_notebook(course.RELEASE_NOTEBOOK)
    nb.cells = [c for c in nb.cells if c.id == "packages" or c.metadata.get(
        "nbgrader", {}).get("grade_id") in ("sigmoid", "test_sigmoid")]
    assert len(nb.cells) == 3
    nb.cells[1].source = MATH_SIGMOID
    nbformat.write(nb, folder / "math_exp.ipynb")
    with running_lab(work, home, tmp) as server:
        yield {**server, "folder": folder, "tmp": tmp}


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            yield chromium
        finally:
            chromium.close()


def start_session(lab, name, folder=course.ASSIGNMENT):
    """The notebook's kernel session, started through the server's REST API before the page
    opens it: JupyterLab then joins it instead of starting kernels itself, which on a busy
    machine it sometimes did twice or more, shutting each previous one down (seen in the lab
    log of failed runs, with the queued Run All lost)."""
    import json as json_module

    path = f"{folder}/{name}"
    body = json_module.dumps({"path": path, "name": name, "type": "notebook",
                              "kernel": {"name": "python3"}}).encode()
    request = urllib.request.Request(f"{lab['url']}/api/sessions", data=body, method="POST",
                                     headers={"Authorization": f"token {lab['token']}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json_module.load(response)["kernel"]["id"]


def open_notebook(browser, lab, name, folder=course.ASSIGNMENT, workspace=None):
    """The notebook ``folder/name`` on a new page, its kernel idle; in its own JupyterLab
    ``workspace`` when named (the lab then restores none of the tabs opened before)."""
    start_session(lab, name, folder)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(30_000)
    where = f"workspaces/{workspace}/tree" if workspace else "tree"
    page.goto(f"{lab['url']}/lab/{where}/{folder}/{name}?token={lab['token']}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached")
    # The kernel is up when the notebook's execution indicator says idle.
    page.wait_for_selector(f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           state="attached", timeout=45_000)
    return page


def accept_open_dialogs(page):
    """Accept a dialog JupyterLab may open on its own (e.g. the kernel choice, on a busy machine),
    which would otherwise catch every click; a screenshot shows which one it was."""
    for attempt in range(10):
        dialogs = page.locator(".jp-Dialog")
        if dialogs.count() == 0 or not any(d.is_visible() for d in dialogs.all()):
            return
        page.screenshot(path=str(SHOTS / f"unexpected-dialog-{attempt}.png"))
        top = dialogs.last  # JupyterLab may stack two (one kernel choice per session restored)
        accept = top.locator(".jp-mod-accept")
        if accept.count():
            accept.first.click(force=True)
        else:
            page.keyboard.press("Escape")
        page.wait_for_timeout(500)


PROMPTS = f"[...document.querySelectorAll('{PANEL} .jp-InputPrompt')].map(p => p.textContent)"


def click(page, locator, attempts=3):
    """Click ``locator`` once no JupyterLab dialog is in the way (one may open at any time on a
    busy machine: the kernel choice when JupyterLab replaced the notebook's first kernel)."""
    for attempt in range(attempts):
        accept_open_dialogs(page)
        try:
            locator.click(timeout=10_000)
            return
        except playwright_api.TimeoutError:
            if attempt == attempts - 1:
                raise


def click_run_all(page, attempts=3):
    """Run > Run All Cells; the menu again if a dialog closed it in between."""
    for attempt in range(attempts):
        try:
            click(page, page.locator("#jp-MainMenu").get_by_text("Run", exact=True), attempts=1)
            click(page, page.get_by_text("Run All Cells", exact=True), attempts=1)
            return
        except playwright_api.TimeoutError:
            page.keyboard.press("Escape")
            if attempt == attempts - 1:
                raise


def run_all_until(page, selector, *, within=120):
    """Run > Run All Cells, then wait until ``selector`` is in the page.

    Waiting, not timing. Run All is clicked again whenever nothing runs and ``selector`` is
    still missing: JupyterLab may open a dialog that takes the click, and on opening a notebook
    it sometimes starts two kernels and shuts the first down (seen in its log), taking the
    queued cells with it. On failure the message says what the page showed.
    """
    click_run_all(page)
    deadline = time.monotonic() + within
    last_click = time.monotonic()
    while page.locator(selector).count() == 0:
        status = page.locator(f"{PANEL} .jp-Notebook-ExecutionIndicator").first
        kernel = status.get_attribute("data-status") if status.count() else "?"
        if time.monotonic() > deadline:
            page.screenshot(path=str(SHOTS / "run-all-timeout.png"))
            raise AssertionError(
                f"no {selector} after {within} s of Run All; prompts {page.evaluate(PROMPTS)}, "
                f"kernel {kernel}, dialogs {page.locator('.jp-Dialog').all_inner_texts()}")
        accept_open_dialogs(page)
        running = any("[*]" in p for p in page.evaluate(PROMPTS))
        if not running and kernel in ("idle", "disconnected", "unknown", "?") \
                and time.monotonic() - last_click > 5:
            click_run_all(page)
            last_click = time.monotonic()
        page.wait_for_timeout(500)


def test_validate_names_every_autograded_part_in_the_dialog(browser, lab):
    page = open_notebook(browser, lab, f"{course.NOTEBOOK_NAME}.ipynb")
    run_all_until(page, f"{PANEL} .jp-OutputArea-output"
                        "[data-mime-type='application/vnd.jupyter.stderr']")
    click(page, page.locator(".validate-button").first)
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_text("Validation Results").wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "validate.png"), full_page=False)
    dialog.get_by_text("propagate is not implemented yet").first.scroll_into_view_if_needed()
    dialog.locator(".jp-Dialog-body").screenshot(path=str(SHOTS / "validate-dialog.png"))
    text = dialog.inner_text()
    tests = {c.metadata.nbgrader["grade_id"]: c.source.strip()
             for c in course.read_notebook(course.RELEASE_NOTEBOOK).cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}
    assert len(tests) == 11
    for gid, source in tests.items():
        assert source[:50] in text, (gid, text[:3000])
    for name in ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"):
        assert f"{name} is not implemented yet" in text, name
    assert "You did not provide a response." in text  # the written answer
    # The data steps the untouched notebook leaves undone: one sentence each, no traceback.
    flat_text = re.sub(r"\s+", " ", text)
    for name in ("m_train", "train_set_x_flatten", "train_set_x"):
        assert f"{name} is not defined. Set {name} in its cell" in flat_text, name
    assert "NameError" not in text and "Traceback" not in text
    dialog.get_by_text("m_train is not defined").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    dialog.locator(".jp-Dialog-body").screenshot(path=str(SHOTS / "validate-data-steps.png"))
    assert "NOT CHECKED" not in text and "public_tests.py" not in text
    # Every message fits the dialog: nothing cut off at the right edge.
    overflow = dialog.evaluate(
        "d => [...d.querySelectorAll('pre')].filter(p => p.scrollWidth > p.clientWidth + 2)"
        ".map(p => p.innerText.slice(0, 80))")
    assert overflow == []
    page.close()


def test_the_chinese_edition_runs_and_validates_in_chinese(browser, lab):
    """The zh release, untouched, in the same lab: Run All, then Validate. The notebook shows
    its Chinese text; the dialog names every autograded part, each unimplemented function in
    the zh edition's own hint sentence (hints.NOT_IMPLEMENTED), with no traceback."""
    page = open_notebook(browser, lab, f"{EDITION}.ipynb", folder=EDITION, workspace="zh")
    run_all_until(page, f"{PANEL} .jp-OutputArea-output"
                        "[data-mime-type='application/vnd.jupyter.stderr']")
    notebook_text = page.locator(f"{PANEL} .jp-Notebook").inner_text()
    click(page, page.locator(f"{PANEL} .validate-button").first)
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_text("Validation Results").wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "validate-zh.png"), full_page=False)
    dialog.locator(".jp-Dialog-body").screenshot(path=str(SHOTS / "validate-zh-dialog.png"))
    text = dialog.inner_text()
    page.close()
    # JupyterLab renders only the cells in view (which ones depends on the scroll after Run All).
    assert any(term in notebook_text for term in ("逻辑回归", "学习率", "代价", "测试集")), \
        notebook_text[:500]
    release = course.read_notebook(release_dir(EDITION) / f"{EDITION}.ipynb")
    tests = {facts.grade_id(c): c.source.strip() for c in release.cells if facts.is_test_cell(c)}
    assert len(tests) == 11
    for gid, source in tests.items():
        assert source[:50] in text, (gid, text[:3000])
    hints = facts.student_module("hints.py", EDITION)
    flat = re.sub(r"\s+", "", text)
    for name in ("sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"):
        assert re.sub(r"\s+", "", hints.NOT_IMPLEMENTED.format(name=name)) in flat, name
    assert "You did not provide a response." in text  # nbgrader's own words (upstream English)
    assert "NameError" not in text and "Traceback" not in text


def test_a_failing_visible_test_shows_the_message_and_the_students_line(browser, lab):
    page = open_notebook(browser, lab, "math_exp.ipynb")
    # packages, sigmoid (math.exp), sigmoid's test: the test cell's output is the third cell's
    run_all_until(page, f"{PANEL} .jp-Notebook .jp-Cell:nth-child(3) .jp-OutputArea-output")
    page.screenshot(path=str(SHOTS / "math-exp-page.png"))
    cells = page.locator(f"{PANEL} .jp-Notebook .jp-Cell")
    wanted = [2]
    output = cells.nth(wanted[-1]).locator(".jp-OutputArea-output")
    output.first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    cells.nth(wanted[-1]).screenshot(path=str(SHOTS / "math-exp-failure.png"))
    text = output.first.inner_text()
    flat = re.sub(r"\s+", " ", text)
    assert "VisibleTestFailure" in flat and "math functions work on single numbers only" in flat
    assert "s = 1 / (1 + math.exp(-z))" in text and "in sigmoid" in flat
    assert "public_tests" not in text and "Traceback" not in text
    assert len(text.strip().splitlines()) <= 6
    wide = output.first.evaluate("o => o.scrollWidth > o.clientWidth + 2")
    assert not wide
    page.close()


def feedback_page():
    """A feedback page as generate_feedback writes it: sigmoid scored, propagate's verdict on a
    line longer than the page, the written answer waiting for the instructor."""
    from feedback_render import feedback_html

    nb = course.read_notebook(course.RELEASE_NOTEBOOK)
    long_line = ("the grader's verdict on a long line, " * 12).strip()
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_propagate":
            cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError",
                                                   evalue=long_line,
                                                   traceback=[f"AssertionError: {long_line}"])]
    formulas = sum(len(mathml.formulas(c.source)) for c in nb.cells if c.cell_type == "markdown")
    html = feedback_html(nb, scores={"test_sigmoid": 10}, pending={"learning_rate_question": 5})
    return html, formulas


#: Formulas the browser laid out: MathML elements with a size on the page.
TYPESET = ("d => [...d.querySelectorAll('math')].filter(m => { const r = m.getBoundingClientRect();"
           " return r.width > 0 && r.height > 0; }).length")
RAW_TEX = "d => d.body.innerText.match(/\\$[^$\\n]{1,40}\\$/g) || []"


def test_feedback_page_typesets_maths_offline(browser, lab):
    """nbgrader's feedback template with this course's configuration, the network blocked."""
    html, formulas = feedback_page()
    assert ("cdnjs" in html) is False  # (a bool: pytest would diff megabytes)
    page_file = lab["tmp"] / "feedback.html"
    page_file.write_text(html, encoding="utf-8")
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    blocked = []
    context.route(re.compile(r"^https?://"), lambda route: (blocked.append(route.request.url),
                                                           route.abort()))
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.wait_for_selector("math", state="attached", timeout=30_000)
    typeset = page.evaluate(f"() => ({TYPESET})(document)")
    raw = page.evaluate(f"() => ({RAW_TEX})(document)")
    page.locator("math[display='block']").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "feedback-maths.png"))
    verdict = page.locator("pre", has_text="the grader's verdict on a long line").first
    verdict.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "feedback-wrapped-verdict.png"))
    wraps = verdict.evaluate("p => p.scrollWidth <= p.clientWidth + 2 && "
                             "getComputedStyle(p).whiteSpace === 'pre-wrap'")
    context.close()
    assert wraps, "a long verdict is cut off at the right edge of the feedback page"
    assert typeset == formulas >= 90, (typeset, formulas)
    assert raw == [], raw[:10]
    assert blocked == [], blocked


def test_feedback_opened_in_jupyterlab_shows_typeset_maths_untrusted(browser, lab):
    """The student's route: the fetched feedback file double-clicked in JupyterLab opens in its
    HTML viewer, untrusted (no script runs: the iframe's sandbox lacks allow-scripts). Every
    formula is typeset there, with no network beyond the lab itself."""
    html, formulas = feedback_page()
    folder = lab["folder"] / "feedback" / "2026-01-15 12:00:00.000000 UTC"
    folder.mkdir(parents=True)
    (folder / f"{course.NOTEBOOK_NAME}.html").write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside = []
    context.route(re.compile(r"^https?://"), lambda route: (
        route.continue_() if route.request.url.startswith(lab["url"])
        else (outside.append(route.request.url), route.abort())))
    page = context.new_page()
    page.set_default_timeout(30_000)
    path = f"{course.ASSIGNMENT}/feedback/{folder.name}/{course.NOTEBOOK_NAME}.html"
    page.goto(f"{lab['url']}/lab/tree/{urllib.parse.quote(path)}?token={lab['token']}")
    viewer = page.locator(".jp-HTMLViewer > iframe").first
    viewer.wait_for(state="attached", timeout=60_000)
    accept_open_dialogs(page)
    frame = page.frame_locator(".jp-HTMLViewer > iframe").first
    frame.locator("math").first.wait_for(state="attached", timeout=30_000)
    sandbox = viewer.get_attribute("sandbox") or ""
    frame.locator("math[display='block']").first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "jupyterlab-feedback-maths.png"))
    frame.locator("#toc").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "jupyterlab-feedback-contents.png"))
    typeset = frame.locator("body").evaluate(f"b => ({TYPESET})(b.ownerDocument)")
    raw = frame.locator("body").evaluate(f"b => ({RAW_TEX})(b.ownerDocument)")
    contents = re.sub(r"\s+", " ", frame.locator("#toc").inner_text())
    context.close()
    assert "allow-scripts" not in sandbox, sandbox  # untrusted, as a fetched file opens
    assert typeset == formulas >= 90, (typeset, formulas)
    assert raw == [], raw[:10]
    assert "sigmoid — 10 / 10" in contents and "waiting for your instructor" in contents, contents
    assert outside == [], outside


def instructor(course_dir, env, *args):
    """One nbgrader command of the README's instructor block, in the course folder."""
    result = subprocess.run([str(VENV_BIN / "nbgrader"), *args], cwd=course_dir, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-3000:])


def assignment_list(page, lab_url, token):
    """Nbgrader > Assignment List, on a fresh page of the lab."""
    page.goto(f"{lab_url}/lab?token={token}")
    page.wait_for_selector("#jp-MainMenu", timeout=60_000)
    accept_open_dialogs(page)
    click(page, page.locator("#jp-MainMenu").get_by_text("Nbgrader", exact=True))
    click(page, page.get_by_text("Assignment List", exact=True))
    page.locator("#released_assignments_list").wait_for(state="attached")


def test_a_student_fetches_works_validates_submits_and_reads_typeset_feedback(browser, tmp_path):
    """The student's day through the exchange, every student step in JupyterLab: Fetch in the
    Assignment List, the work (the reference answers, written into the fetched notebook),
    Validate, Submit, and after the instructor's grading, Fetch Feedback and the feedback page
    opened in JupyterLab's HTML viewer, untrusted, its maths typeset."""
    course_dir, exchange, home = tmp_path / "course", tmp_path / "exchange", tmp_path / "home"
    shutil.copytree(course.SOURCE_DIR, course_dir / "source" / course.ASSIGNMENT,
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copy2(course.CONFIG_FILE, course_dir / course.CONFIG_FILE.name)
    exchange.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CATVNONCAT_", "PYTEST_"))}
    env.update(PATH=os.pathsep.join([str(VENV_BIN), env["PATH"]]),
               CATVNONCAT_EXCHANGE=str(exchange), CATVNONCAT_DATA=str(REPO / "datasets"))
    instructor(course_dir, env, "generate_assignment", course.ASSIGNMENT, "--force")
    instructor(course_dir, env, "release_assignment", course.ASSIGNMENT, "--force")
    (home / ".jupyter").mkdir(parents=True)
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        f"c.Exchange.root = {str(exchange)!r}\nc.CourseDirectory.student_id = 'carol'\n")
    with running_lab(home, home, tmp_path) as lab_server:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(30_000)
        assignment_list(page, lab_server["url"], lab_server["token"])
        released = page.locator("#released_assignments_list")
        click(page, released.get_by_role("button", name="Fetch"))
        fetched = page.locator("#fetched_assignments_list")
        fetched.get_by_text(course.ASSIGNMENT).first.wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / "assignment-list-fetched.png"))
        folder = home / course.ASSIGNMENT
        assert (folder / "quiz" / "questions.md").is_file()  # the quiz came with it
        # The work: the reference answers in the fetched notebook.
        nbformat.write(course.reference_submission(), folder / f"{course.NOTEBOOK_NAME}.ipynb")
        lab = {"url": lab_server["url"], "token": lab_server["token"]}
        work = open_notebook(browser, lab, f"{course.NOTEBOOK_NAME}.ipynb")
        click(work, work.locator(".validate-button").first)
        dialog = work.locator(".jp-Dialog")
        dialog.get_by_text("Validation Results").wait_for(timeout=300_000)
        work.wait_for_timeout(500)
        validated = dialog.inner_text()
        work.screenshot(path=str(SHOTS / "validate-success.png"))
        accept_open_dialogs(work)  # Ok
        work.close()
        assert "Success! Your notebook passes all the tests." in validated, validated[:2000]
        assignment_list(page, lab_server["url"], lab_server["token"])
        click(page, page.locator("#fetched_assignments_list").get_by_role("button",
                                                                         name="Submit"))
        submitted = page.locator("#submitted_assignments_list")
        submitted.get_by_text(course.ASSIGNMENT).first.wait_for(timeout=60_000)
        # The instructor's part, as the README says.
        for args in (("collect", course.ASSIGNMENT), ("autograde", course.ASSIGNMENT),
                     ("generate_feedback", course.ASSIGNMENT),
                     ("release_feedback", course.ASSIGNMENT)):
            instructor(course_dir, env, *args)
        assignment_list(page, lab_server["url"], lab_server["token"])
        click(page, page.locator("#submitted_assignments_list").get_by_role(
            "button", name="Fetch Feedback"))
        deadline = time.monotonic() + 60
        while not list((folder / "feedback").rglob("*.html")):
            assert time.monotonic() < deadline, "no feedback fetched"
            page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "assignment-list-feedback.png"))
        html_file = next((folder / "feedback").rglob("*.html"))
        relative = html_file.relative_to(home).as_posix()
        page.goto(f"{lab_server['url']}/lab/tree/{urllib.parse.quote(relative)}"
                  f"?token={lab_server['token']}")
        viewer = page.locator(".jp-HTMLViewer > iframe").first
        viewer.wait_for(state="attached", timeout=60_000)
        accept_open_dialogs(page)
        frame = page.frame_locator(".jp-HTMLViewer > iframe").first
        frame.locator("#toc").wait_for(state="attached")
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "student-feedback-in-jupyterlab.png"))
        sandbox = viewer.get_attribute("sandbox") or ""
        typeset = frame.locator("body").evaluate(f"b => ({TYPESET})(b.ownerDocument)")
        contents = re.sub(r"\s+", " ", frame.locator("#toc").inner_text())
        page.close()
    formulas = sum(len(mathml.formulas(c.source)) for c in course.reference_submission().cells
                   if c.cell_type == "markdown")  # the notebook handed in, written answer included
    assert "allow-scripts" not in sandbox, sandbox
    assert typeset == formulas >= 90, (typeset, formulas)
    assert "sigmoid — 10 / 10" in contents and "model — 15 / 15" in contents, contents
    assert "learning_rate_question (written answer) — waiting for your instructor" in contents


@contextlib.contextmanager
def served(folder):
    """A static HTTP server for ``folder`` on 127.0.0.1, in a thread of this process."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_formgraders_grading_page_starts_its_script_without_mathjax(browser, tmp_path):
    """Manual Grading's page of a submission: the course's exporter writes its maths as MathML
    and loads no MathJax, yet nbgrader 0.9's formgrade.js waits for MathJax 2's startup signal
    before it selects the first score box and registers its keyboard shortcuts. The page's own
    scripts (nbgrader's static files, served here as the formgrader serves them; its grade API
    is not, the page's only other requests) run to the end: no script error, the keyboard
    shortcuts registered, the maths typeset."""
    import nbgrader.server_extensions.formgrader as formgrader
    from feedback_render import formgrade_html

    (tmp_path / "formgrader").mkdir()
    (tmp_path / "formgrader" / "static").symlink_to(Path(formgrader.__file__).parent / "static")
    nb = course.reference_submission()
    errors = []
    with served(tmp_path) as url:
        (tmp_path / "formgrade.html").write_text(formgrade_html(nb, url), encoding="utf-8")
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/formgrade.html")
        page.wait_for_load_state("load")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "formgrader-grading-page.png"))
        shortcuts = page.evaluate("() => formgrader.keyboard_manager ? "
                                  "Object.keys(formgrader.keyboard_manager.handlers).length : 0")
        typeset = page.evaluate(f"() => ({TYPESET})(document)")
        page.close()
    assert errors == [], errors
    assert shortcuts > 0, shortcuts
    assert typeset >= 90, typeset
