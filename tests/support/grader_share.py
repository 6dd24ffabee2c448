"""What a grading costs the grader itself, and the students who try to make it cost more.

:class:`GraderSampler` watches a grading command's process and its descendants in this PID
namespace (the grader's own: the command, its workers; a sandbox's processes live in a PID
namespace of their own and are bounded by its limits); :func:`grade_sampled` grades a class with
``course_run.autograde`` (either mode) and returns the scores and the sampler of the grading
command; :func:`honest_baseline` is the honest student graded alone, once per test session and
mode, which each class is compared with. :data:`ATTACKERS` ask the grader for work it must
refuse; the stated bounds are :data:`MEMORY_BOUND_MB` and :data:`CPU_BOUND_S`. Used by
tests/test_grader_share.py (the engine), tests/test_output_limits.py (plain ``nbgrader
autograde``), tests/test_message_floods.py (both) and tests/test_submission_trees.py (the engine).
"""

import fcntl
import json
import os
import subprocess
import threading
import time
import types
from pathlib import Path

import pytest

from catvnoncat import course
from catvnoncat.facts import DATA_ENV, DATASETS_DIR
from support import course_run, mutants
from support.proc_tree import descendants

__all__ = ["GraderSampler", "grade_sampled", "honest_baseline", "generate_feedback", "ATTACKERS",
           "class_with_attackers", "MEMORY_BOUND_MB", "CPU_BOUND_S"]

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _pid_namespace(pid):
    return os.readlink(f"/proc/{pid}/ns/pid")


class GraderSampler:
    """Samples the grader's own processes (``root``'s descendants in this PID namespace)."""

    def __init__(self, root):
        self.root, self.namespace = root, _pid_namespace(os.getpid())
        self.cpu, self.peak = {}, {}  # pid -> last CPU seconds seen, peak resident bytes
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        for pid in [self.root, *descendants(self.root)]:
            try:
                if _pid_namespace(pid) != self.namespace:
                    continue  # a sandbox's process: bounded by its own limits, not ours
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak[pid] = max(self.peak.get(pid, 0), int(line.split()[1]) * 1024)

    def _run(self):
        while not self.done.is_set():
            self._sample()
            time.sleep(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()

    @property
    def cpu_seconds(self):
        return sum(self.cpu.values())

    @property
    def peak_bytes(self):
        return max(self.peak.values(), default=0)


def grade_sampled(submissions, workdir, workers=None, config_lines=""):
    """Grade ``submissions`` with the mode's real command, sampling the grader's processes;
    returns the scores and the sampler of the grading command (autograde or grade)."""
    samplers = {}

    def run(cmd, **kwargs):
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, cwd=kwargs.get("cwd"), env=kwargs.get("env"))
        with GraderSampler(process.pid) as sampler:
            out, err = process.communicate()
        samplers[cmd[3]] = sampler  # [python, -m, nbgrader|catvnoncat, command, ...]
        return subprocess.CompletedProcess(cmd, process.returncode, out, err)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(course_run, "subprocess", types.SimpleNamespace(run=run))
        scores = course_run.autograde(submissions, workdir, workers=workers,
                                      config_lines=config_lines)
    return scores, samplers["grade" if workers else "autograde"]


def generate_feedback(root):
    """``nbgrader generate_feedback --force`` for the course graded in ``root``."""
    result = course_run.run_nbgrader(
        ["generate_feedback", course.ASSIGNMENT, "--force"], root, timeout=900,
        **{course.GRADEBOOK_ENV: f"sqlite:///{root / 'gradebook.db'}",
           DATA_ENV: os.environ.get(DATA_ENV, os.fspath(DATASETS_DIR))})
    assert result.returncode == 0, result.stderr[-3000:]


def _session_folder(tmp_path_factory):
    """A folder of this test session shared by its pytest-xdist workers (their base temporary
    folders' parent), or this process's own base folder without xdist."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def honest_baseline(tmp_path_factory, workers=None, feedback=False):
    """The honest student (the reference solution) graded alone in the mode of ``workers``
    (:func:`grade_sampled`): ``(scores, figures, course_root)``, ``figures`` with the grading
    command's ``peak_bytes`` and ``cpu_seconds``.

    Graded once per test session and mode, whichever test process asks first (a file lock in
    the session's shared folder; the others wait and read its figures): four test modules
    compare their class with it, and each used to grade it again. Ask for it after grading the
    class: two workers asking at once, one waits for the other's grading. With ``feedback``,
    the baseline's feedback is generated too (once)."""
    mode = f"engine{workers}" if workers else "autograde"
    folder = _session_folder(tmp_path_factory) / f"honest-baseline-{mode}"
    folder.mkdir(exist_ok=True)
    record = folder / "figures.json"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.is_file():
            scores, sampler = grade_sampled({"honest": course.reference_submission()},
                                            folder / "work", workers=workers)
            record.write_text(json.dumps({"scores": scores, "peak_bytes": sampler.peak_bytes,
                                          "cpu_seconds": sampler.cpu_seconds}))
        root = folder / "work" / "course"
        if feedback and not (root / "feedback").is_dir():
            generate_feedback(root)
        figures = json.loads(record.read_text())
    return (figures.pop("scores"), types.SimpleNamespace(**figures), root)


#: Stated bounds above the honest baseline (the issue's numbers): the grader's largest process
#: within this many MB of the baseline's; its CPU time within the baseline's per student times
#: the class size plus this many seconds per attacking student.
MEMORY_BOUND_MB = 500
CPU_BOUND_S = 5.0


def _model_asking(*calls):
    """The reference ``model``, first asking the lent helpers for each of ``calls`` (its error
    caught: what is at stake is only the grader's refusal, the rest of the function is right)."""
    asks = "".join(f"    try:\n        {call}\n    except Exception:\n        pass\n"
                   for call in calls)
    return ("import numpy as np\n"
            "def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,"
            " print_cost=False):\n" + asks +
            "    w, b = initialize_with_zeros(X_train.shape[0])\n"
            "    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations,"
            " learning_rate, print_cost)\n"
            "    w, b = params['w'], params['b']\n"
            "    return {'costs': costs, 'Y_prediction_test': predict(w, b, X_test),\n"
            "            'Y_prediction_train': predict(w, b, X_train), 'w': w, 'b': b,\n"
            "            'learning_rate': learning_rate, 'num_iterations': num_iterations}\n")


#: Appended to the reference ``model`` cell: 100,000 outputs sent to the grader (the notebook
#: kernel's; a judge child discards its own). Read in full, they cost the grader some 40 s of
#: CPU; it reads 2000 (``c.LimitOutputBytes.cell_messages``) and interrupts the cell.
DISPLAY_FLOOD = ("\nfrom IPython.display import display\n"
                 "for _ in range(100_000):\n"
                 "    display({'text/plain': 'flood'}, raw=True)\n")

#: student id -> {solution cell: code, or a function of the reference cell's code}. Each asks
#: the grader (through a lent helper, or the output channel of the judging side or of the
#: notebook kernel) for far more than an honest submission does.
ATTACKERS = {
    "lent_helpers_asked_too_much": {"model": _model_asking(
        # a billion gradient steps, a 3e9-long vector, 6000 x 6000 arrays, zero-size axes
        "optimize(np.zeros((4, 1)), 0.0, np.ones((4, 3)), np.ones((1, 3)), num_iterations=10**9)",
        "initialize_with_zeros(3 * 10**9)",
        "propagate(np.ones((6000, 1)), 0.0, np.ones((6000, 6000)), np.ones((1, 6000)))",
        "propagate(np.ones((0, 1)), 0.0, np.ones((0, 7000)), np.ones((1, 7000)))",
        "predict(np.ones((7000, 1)), 0.0, np.ones((7000, 0)))",
        "propagate(np.ones((7000, 1)), 0.0, np.ones((7000, 0)), np.ones((1, 0)))")},
    # |z| > 500 only on sigmoid's own hidden inputs (they reach |z| = 1000; training on the
    # standardized pictures stays far below): only the judging side floods, 200 MB a time
    "judge_side_flood": {"sigmoid": (
        "import numpy as np, sys\n"
        "def sigmoid(z):\n"
        "    z = np.asarray(z)\n"
        "    if z.size < 50 and np.max(np.abs(z), initial=0) > 500:\n"
        "        for _ in range(2):\n"
        "            sys.stdout.write('y' * 100_000_000)\n"
        "            sys.stdout.flush()\n"
        "    return 1 / (1 + np.exp(-z))\n")},
    "display_flood": {"model": lambda source: source + DISPLAY_FLOOD},
}


def class_with_attackers():
    """The honest student and every attacker, as submissions."""
    solutions = mutants.notebook_solutions()
    submissions = {"honest": course.reference_submission()}
    for sid, cells in ATTACKERS.items():
        cells = {cell: code(solutions[cell]) if callable(code) else code
                 for cell, code in cells.items()}
        submissions[sid] = course.make_submission({**solutions, **cells})
    return submissions
