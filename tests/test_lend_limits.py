"""Lent helpers run in the grader's own process: what a student's call may make it compute is bounded.

Found by the red team (before the caps of judge.prober.answer_lend):

``test_model`` lends the reference ``sigmoid``, ``initialize_with_zeros``, ``propagate``,
``optimize`` and ``predict`` (``judge.specs.REFERENCE_HELPERS``): the student's ``model`` calls
stubs, and the grader answers each call with ``judge.prober.answer_lend``, which runs the
reference function in the GRADING process on whatever arguments the stub sent, with no time
limit (the probe's 20 s deadline is only checked while the grader waits for a frame) and no
memory limit (the grader is outside every sandbox and cgroup).

- ``optimize(..., num_iterations=10**9)`` from the student's ``model``: the grader computes a
  billion gradient steps; ``judge.judge("test_model", ...)`` had not returned after 90 s (probe
  limit 20 s). Plain ``nbgrader autograde`` stops there for the rest of the class;
  ``catvnoncat grade``'s watchdog kills the submission's kernels, not the worker's own thread,
  so that worker stays busy for hours.
- ``initialize_with_zeros(dim)``: a 134-byte request makes the grader allocate ``8 * dim`` bytes
  and copy them (``probe.kernel.encode``'s ``np.array(...)``): 381 MB of peak RSS for
  ``dim = 5e7``; ``dim = 1e9`` asks for 7.45 GiB, ``3e9`` for more than this machine has.

Each case runs in a subprocess bounded from here (time, address space), never in this process.
"""

import subprocess
import sys
import textwrap

import pytest

from catvnoncat.sandbox.policy import check_bubblewrap

needs_bwrap = pytest.mark.skipif(check_bubblewrap() is not None, reason="no bubblewrap here")

#: The probe time limit the judge is given below, and how long the grader may take past it.
PROBE_TIMEOUT, SLACK = 20, 40

OPTIMIZE_FOREVER = textwrap.dedent('''
    import os, shutil, sys, tempfile, threading, time
    from pathlib import Path
    from traitlets.config import Config
    from catvnoncat import judge
    from catvnoncat.judge.child_prober import ChildProber
    from catvnoncat.sandbox.host import JudgeHost

    MODEL = """
    import numpy as np
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        w, b = initialize_with_zeros(X_train.shape[0])
        params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations=10**9,
                                        learning_rate=learning_rate)
        return {"costs": costs, "Y_prediction_test": predict(params["w"], params["b"], X_test),
                "Y_prediction_train": predict(params["w"], params["b"], X_train),
                "w": params["w"], "b": params["b"], "learning_rate": learning_rate,
                "num_iterations": num_iterations}
    """
    repo = Path(sys.argv[1])
    folder = tempfile.mkdtemp()
    for f in (repo / "release" / "logistic_regression").iterdir():
        if f.is_file():
            shutil.copy(f, Path(folder) / f.name)
    host = JudgeHost(Config({"BubblewrapProvisioner": {"data_dir": str(repo / "datasets")}}),
                     folder).start()
    def give_up():
        time.sleep(float(sys.argv[2]))
        os.write(2, b"STILL-JUDGING")
        host.close()
        os._exit(3)
    threading.Thread(target=give_up, daemon=True).start()
    prober = ChildProber(host.spawn(), timeout=float(sys.argv[3]), grace=5)
    prober.run_cell(MODEL, 30)
    verdict = judge.judge("test_model", prober)
    os.write(2, b"JUDGED")
    prober.close()
    host.close()
''')

ZEROS = textwrap.dedent('''
    import json, resource, sys
    from catvnoncat.judge.prober import answer_lend
    from catvnoncat.probe import kernel
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    question = {"helper": "initialize_with_zeros", "args": [kernel.encode(int(sys.argv[1]))],
                "kwargs": {}}
    answer_lend(json.loads(json.dumps(question)), {"initialize_with_zeros"})
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
''')


@pytest.mark.slow
@needs_bwrap
def test_a_lent_optimize_with_a_billion_iterations_does_not_hold_the_grader():
    from catvnoncat.facts import REPO_ROOT

    run = subprocess.run([sys.executable, "-c", OPTIMIZE_FOREVER, str(REPO_ROOT),
                          str(PROBE_TIMEOUT + SLACK), str(PROBE_TIMEOUT)],
                         capture_output=True, text=True, timeout=PROBE_TIMEOUT + SLACK + 120)
    print(f"[redteam] lent optimize(num_iterations=10**9): {run.stderr[-200:]!r}")
    assert "JUDGED" in run.stderr, (
        f"the grader was still computing the lent optimize {PROBE_TIMEOUT + SLACK} s into a "
        f"probe limited to {PROBE_TIMEOUT} s")


def test_a_lent_initialize_with_zeros_cannot_make_the_grader_allocate_what_it_asks():
    dim = 50_000_000  # 400 MB: the grader allocates and copies what a 134-byte request asks
    run = subprocess.run(["prlimit", f"--as={3 << 30}", sys.executable, "-c", ZEROS, str(dim)],
                         capture_output=True, text=True, timeout=120)
    grown_mb = int(run.stdout.strip() or -1)
    print(f"[redteam] lent initialize_with_zeros({dim}): grader peak RSS +{grown_mb} MB")
    assert 0 <= grown_mb < 64, (grown_mb, run.stderr[-500:])
