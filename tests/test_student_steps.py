"""README "For students", step by step: each step is run by a test (issue 22).

Where each step is run:

1. Get the assignment: the Assignment List's Fetch (``test_browser``: a student's day through
   the exchange), ``nbgrader fetch_assignment`` as the README writes it (``test_exchange``), the
   folder alone (``test_student_day``: every test there works in a copy of the release) and
   ``jupyter lab`` in ``release/logistic_regression/`` (``test_browser``'s lab).
2. The data: downloaded, checked and cached (``test_student_day``), a ``datasets/`` folder next
   to the notebook (``test_data``); here, in a notebook kernel: the default cache
   ``~/.cache/catvnoncat/``, and ``CATVNONCAT_MIRROR`` set inside the running notebook with the
   ``%env`` line the error message gives.
3. Work: a failing test cell's one message and the student's line (``test_student_day``,
   ``test_browser``).
4. Validate: ``test_student_day`` (nbgrader validate), ``test_browser`` (the button).
5. Hand in: Submit (``test_browser``), ``nbgrader submit`` (``test_exchange``).
6. Feedback: Fetch Feedback and the page in JupyterLab's untrusted viewer (``test_browser``),
   ``nbgrader fetch_feedback`` (``test_exchange``), offline in a browser (``test_browser``).
7. The quiz: ``pytest quiz`` in a fetched folder (``test_student_day``, ``test_exchange``).

The exchange paragraph (``c.Exchange.root`` in ``~/.jupyter/nbgrader_config.py``) is how
``test_exchange`` and ``test_browser`` configure their students.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from catvnoncat import course, data
from test_student_day import _Server

README = (course.REPO_ROOT / "README.md").read_text(encoding="utf-8")
STUDENTS = README[README.index("## For students"):README.index("## For instructors")]


def closed_port_url():
    """An http URL on 127.0.0.1 where nobody listens: the public origin, as seen offline."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/datasets/"


@pytest.mark.slow
def test_step_2_in_a_notebook_offline_then_the_percent_env_line_the_message_gives(tmp_path):
    """A lone assignment folder, nothing set, the public origin unreachable: load_dataset()
    fails saying how to set the mirror inside the notebook; the student runs that ``%env`` line
    with the folder's URL their instructor named, runs load_dataset() again, and the data comes,
    cached in ~/.cache/catvnoncat/ (README step 2), nothing added to the folder."""
    step = STUDENTS[STUDENTS.index("2. **The data**"):STUDENTS.index("3. **Work**")]
    assert "`~/.cache/catvnoncat/`" in step and "`CATVNONCAT_MIRROR`" in step
    folder, home = tmp_path / course.ASSIGNMENT, tmp_path / "home"
    shutil.copytree(course.RELEASE_NOTEBOOK.parent, folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CATVNONCAT_", "PYTEST_", "XDG_CACHE"))}
    env.update(HOME=str(home), PATH=os.pathsep.join([str(Path(sys.executable).parent),
                                                     env["PATH"]]))
    offline = nbformat.v4.new_code_cell(  # the public origin unreachable, as offline
        f"import lr_utils\nlr_utils.DEFAULT_MIRROR = {closed_port_url()!r}")
    load = nbformat.v4.new_code_cell(
        "from lr_utils import load_dataset\n"
        "train_set_x_orig, train_set_y, test_set_x_orig, test_set_y, classes = load_dataset()\n"
        "print(train_set_x_orig.shape, test_set_y.shape)")
    nb = nbformat.v4.new_notebook(cells=[offline, load])
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    with _Server(data.DATASETS_DIR) as server, client.setup_kernel(env=env,
                                                                   stderr=subprocess.DEVNULL):
        for index in range(2):
            client.execute_cell(nb.cells[index], index)
        errors = [o for o in nb.cells[1].outputs if o.output_type == "error"]
        assert [e.ename for e in errors] == ["DatasetError"], nb.cells[1].outputs
        message = errors[0].evalue
        assert "CATVNONCAT_MIRROR is not set" in message, message
        advice = re.search(r"`(%env CATVNONCAT_MIRROR=)<folder or URL>`", message)
        assert advice and "load_dataset() again" in message, message
        nb.cells += [nbformat.v4.new_code_cell(advice.group(1) + server.url),
                     nbformat.v4.new_code_cell(load.source)]
        for index in (2, 3):
            client.execute_cell(nb.cells[index], index)
    printed = "".join(o.get("text", "") for o in nb.cells[3].outputs)
    assert "(209, 64, 64, 3) (1, 50)" in printed, nb.cells[2:]
    assert sorted(server.requests) == ["/test_catvnoncat.h5", "/train_catvnoncat.h5"]
    cache = home / ".cache" / "catvnoncat"
    assert sorted(p.name for p in cache.iterdir()) == sorted(data.read_checksums())
    assert not list(folder.rglob("*.h5"))
