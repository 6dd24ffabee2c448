"""What one submission can make the grader itself spend, in both grading modes (issue 21).

The grader runs outside every sandbox: a submission may cost it memory and CPU only within a
stated bound. One class is graded by plain ``nbgrader autograde`` and by ``catvnoncat grade
--workers 2``: an honest student (the reference solution), a student whose ``model`` asks the
grader's lent helpers for work it must refuse (a billion gradient steps, a 3e9-long vector,
6000 x 6000 arrays, arrays with a zero-size axis beside a large one), and one whose graded
function floods its output channel from the judging side only. Beside it, the honest student alone
is graded the same way (the baseline).

While each grading runs, every process of the grader's own (the grading command and its
workers: the runner's descendants in this PID namespace, so not a sandbox's processes) is
sampled from /proc: its peak resident memory (VmHWM) and its CPU time (utime + stime). The
stated bounds (:data:`MEMORY_BOUND_MB`, :data:`CPU_BOUND_S`): the grader's largest process
stays within 500 MB of the baseline's, and its CPU time within the baseline's per student
times the class size plus 5 s per attacker. Every score is exact: the attacker loses the part
its own code broke, the honest classmate nothing.
"""

import os
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from catvnoncat import course
from support import course_run, mutants

pytestmark = pytest.mark.slow

MB = 1_000_000
#: Stated bounds above the honest baseline (the issue's numbers).
MEMORY_BOUND_MB = 500
CPU_BOUND_S = 5.0
WORKERS = 2
CLK_TCK = os.sysconf("SC_CLK_TCK")

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


#: student id -> {solution cell: code}. Each asks the grader (through a lent helper) or the
#: judging side's output channel for far more than an honest submission does.
ATTACKERS = {
    "lent_helpers_asked_too_much": {"model": _model_asking(
        # a billion gradient steps, a 3e9-long vector, 6000 x 6000 arrays, zero-size axes
        "optimize(np.zeros((4, 1)), 0.0, np.ones((4, 3)), np.ones((1, 3)), num_iterations=10**9)",
        "initialize_with_zeros(3 * 10**9)",
        "propagate(np.ones((6000, 1)), 0.0, np.ones((6000, 6000)), np.ones((1, 6000)))",
        "propagate(np.ones((0, 1)), 0.0, np.ones((0, 7000)), np.ones((1, 7000)))",
        "predict(np.ones((7000, 1)), 0.0, np.ones((7000, 0)))",
        "propagate(np.ones((7000, 1)), 0.0, np.ones((7000, 0)), np.ones((1, 0)))")},
    # |z| > 500 only on the judge's inputs (its hidden sigmoid inputs reach |z| = 1000; training
    # on the standardized pictures stays far below), so only the judging side floods
    "judge_side_flood": {"sigmoid": (
        "import numpy as np, sys\n"
        "def sigmoid(z):\n"
        "    if np.max(np.abs(z), initial=0) > 500:\n"
        "        for _ in range(2):\n"
        "            sys.stdout.write('y' * 100_000_000)\n"
        "            sys.stdout.flush()\n"
        "    return 1 / (1 + np.exp(-z))\n")},
}
MODES = {"autograde": None, "engine": WORKERS}


def _pid_namespace(pid):
    return os.readlink(f"/proc/{pid}/ns/pid")


class GraderSampler:
    """Samples the grader's own processes (``root``'s descendants in this PID namespace)."""

    def __init__(self, root):
        self.root, self.namespace = root, _pid_namespace(os.getpid())
        self.cpu, self.peak = {}, {}  # pid -> last CPU seconds seen, peak resident bytes
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _descendants(self):
        children = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        found, frontier = [self.root], [self.root]
        while frontier:
            for child in children.get(frontier.pop(), []):
                found.append(child)
                frontier.append(child)
        return found

    def _sample(self):
        for pid in self._descendants():
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


def _grade(submissions, workdir, workers):
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
        scores = course_run.autograde(submissions, workdir, workers=workers)
    return scores, samplers["grade" if workers else "autograde"]


@pytest.fixture(scope="module", params=list(MODES))
def graded(request, tmp_path_factory):
    workers = MODES[request.param]
    honest = course.reference_submission()
    base_scores, baseline = _grade({"honest": honest}, tmp_path_factory.mktemp("alone"), workers)
    solutions = mutants.notebook_solutions()
    submissions = {"honest": honest}
    submissions.update({sid: course.make_submission({**solutions, **cells})
                        for sid, cells in ATTACKERS.items()})
    scores, grader = _grade(submissions, tmp_path_factory.mktemp("class"), workers)
    print(f"\n[grader share, {request.param}] baseline (honest alone): peak {baseline.peak_bytes / MB:.0f}"
          f" MB, CPU {baseline.cpu_seconds:.1f} s; class of {len(submissions)}: peak "
          f"{grader.peak_bytes / MB:.0f} MB, CPU {grader.cpu_seconds:.1f} s; totals "
          + ", ".join(f"{sid} {_total(s):.0f}" for sid, s in scores.items()))
    return {"mode": request.param, "scores": scores, "base_scores": base_scores,
            "baseline": baseline, "grader": grader, "size": len(submissions)}


def _total(scores):
    return sum(v for gid, v in scores.items() if gid != "learning_rate_question")


def test_the_grader_memory_stays_within_the_bound(graded):
    assert graded["grader"].peak_bytes <= graded["baseline"].peak_bytes + MEMORY_BOUND_MB * MB, (
        graded["mode"], graded["grader"].peak_bytes / MB, graded["baseline"].peak_bytes / MB)


def test_the_grader_cpu_stays_within_the_bound(graded):
    bound = graded["baseline"].cpu_seconds * graded["size"] + CPU_BOUND_S * len(ATTACKERS)
    assert graded["grader"].cpu_seconds <= bound, (graded["mode"], graded["grader"].cpu_seconds,
                                                   bound)


def test_the_honest_classmate_is_exact(graded):
    assert graded["scores"]["honest"] == graded["base_scores"]["honest"]
    assert _total(graded["scores"]["honest"]) == 95


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_an_attacker_keeps_what_its_own_code_earns(graded, attacker):
    """The refused lent calls are caught by the attacker's own ``model``, which then trains
    as the reference does: full marks, the grader having done none of the asked-for work.
    The flooding ``sigmoid`` is correct: its floods are dropped, its points kept."""
    assert graded["scores"][attacker] == graded["base_scores"]["honest"], (
        graded["mode"], {g: s for g, s in graded["scores"][attacker].items()
                         if s != graded["base_scores"]["honest"][g]})
