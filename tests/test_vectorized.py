"""Vectorization judged from outside the kernel: the rule, the evidence, the disguises.

- the rule (:mod:`catvnoncat.judge.growth`) on numbers: thresholds 10x apart, a loop verdict
  only when two measurements show one, in between goes to the student, burning CPU on small
  inputs hides nothing;
- the evidence: timing answers are checked call by call (digests), the CPU account of a process
  tree counts its threads and forked children (cgroup, and the /proc fallback);
- every loop disguise of ``tests/vectorization_styles.py`` loses the point and every whole-array
  style keeps it: in this process, and (``slow``) in a real sandboxed kernel, where the verdict
  is also the same in 20 gradings with a busy process on every core.
"""

import contextlib
import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import vectorization_styles as styles
from catvnoncat import judge
from catvnoncat.judge import growth, vectorized
from catvnoncat.probe import kernel as probe_kernel
from catvnoncat.sandbox import cpuacct

MS = 1_000_000


def measurement(small, large, reference_small=1 * MS, reference_large=3 * MS):
    return growth.Measurement(small, large, reference_small, reference_large)


# --- the rule, on numbers ---------------------------------------------------------------------

def test_thresholds_are_ten_times_apart():
    assert growth.LOOP_FROM >= 10 * growth.VECTORIZED_BELOW > 0


def test_the_ratio_is_growth_over_the_yardsticks_growth():
    assert growth.ratio(measurement(2 * MS, 6 * MS)) == pytest.approx(2.0)
    assert growth.ratio(measurement(2 * MS, 2 * MS)) == 0.0
    assert growth.ratio(measurement(2 * MS, 6 * MS, 3 * MS, 3 * MS)) is None  # unmeasurable


def test_each_verdict_on_numbers():
    yardstick_growth = 2 * MS
    below, loop = growth.VECTORIZED_BELOW, growth.LOOP_FROM
    for growth_factor, call in ((0.9 * below, growth.VECTORIZED), (below, growth.IN_BETWEEN),
                                (0.99 * loop, growth.IN_BETWEEN), (loop, growth.LOOPS),
                                (250.0, growth.LOOPS)):
        value = growth.classify(measurement(1 * MS, 1 * MS + int(growth_factor * yardstick_growth)))
        assert value == call, growth_factor


def test_a_loop_verdict_needs_two_measurements_and_the_smaller_decides():
    assert growth.final_call([30.0]) == growth.IN_BETWEEN      # measure again
    assert growth.final_call([30.0, 25.0]) == growth.LOOPS
    assert growth.final_call([30.0, 2.0]) == growth.VECTORIZED  # a noisy first one
    loop = growth.LOOP_FROM
    assert growth.final_call([loop * 0.9, loop * 1.1]) == growth.VECTORIZED  # in between once
    assert growth.final_call([None, None]) == growth.VECTORIZED
    assert growth.final_call([0.3]) == growth.VECTORIZED


def test_burning_cpu_on_small_inputs_does_not_hide_a_loop():
    # A loop costing 100 ms more on large inputs, which burns 90 ms on small ones to flatten
    # its growth: only the yardstick's small request times 2 plus 3 ms is ever subtracted.
    honest = measurement(1 * MS, 101 * MS)
    burning = measurement(91 * MS, 191 * MS)
    assert growth.ratio(honest) == pytest.approx(50.0)
    assert growth.ratio(burning) >= growth.ratio(honest)
    assert growth.classify(burning) == growth.LOOPS


def test_a_coarse_clock_gives_the_doubt_to_the_student():
    # In the /proc fallback a reading may be a 10 ms tick off: a 30 ms growth, which would be
    # a loop on a 3 ms yardstick growth, is in between there.
    assert growth.classify(measurement(1 * MS, 31 * MS, 1 * MS, 4 * MS)) == growth.LOOPS
    coarse = growth.Measurement(1 * MS, 31 * MS, 1 * MS, 4 * MS, resolution=10 * MS)
    assert growth.classify(coarse) != growth.LOOPS


# --- the evidence: every result checked, every process counted --------------------------------

def _answer(name, function, n=1, m=50, calls=3, seed=7):
    request = {"op": "time_call", "name": name, "kind": name, "n": n, "m": m, "calls": calls,
               "seed": seed}
    return probe_kernel.time_call(request, {name: function})


def test_digests_check_every_call():
    from catvnoncat import reference

    expected = _answer("predict", reference.predict)["digests"]
    assert vectorized.digests_match(expected, _answer("predict", reference.predict), 3)
    calls = {"count": 0}

    def right_once(w, b, X):  # the first call right, the others a stale copy of it
        calls["count"] += 1
        if calls["count"] == 1:
            right_once.first = reference.predict(w, b, X)
        return right_once.first

    assert not vectorized.digests_match(expected, _answer("predict", right_once), 3)
    shifted = lambda w, b, X: np.roll(reference.predict(w, b, X), 1)  # noqa: E731
    assert not vectorized.digests_match(expected, _answer("predict", shifted), 3)
    for forged in (None, [], {"digests": expected[:2]}, {"digests": [{"arr": [1, 50]}] * 3},
                   {"digests": [{"map": {"x": {"seq": []}}}] * 3},
                   {"digests": [{"num": "1"}] * 3}, {"digests": "all right"}):
        assert not vectorized.digests_match(expected, forged, 3), forged


def test_a_wrong_timing_result_is_not_judged_and_says_so():
    namespace = styles.namespace(styles.WHOLE_ARRAY[("predict", "matmul")])
    right = namespace["predict"]
    # Right on the judge's small checks (m = 2 and 20), wrong on 1000 features.
    namespace["predict"] = lambda w, b, X: right(w, b, X) if X.shape[0] < 100 else right(w, b, X) * 0
    result = judge.judge("test_predict_vectorized", judge.InProcessProber(namespace))
    assert not result.passed and vectorized.NOT_JUDGED in result.summary


_TREE = """\
import os, threading, time
time.sleep(0.3)
def spin():
    end = time.thread_time() + 0.3
    while time.thread_time() < end:
        pass
worker = threading.Thread(target=spin)
worker.start()
child = os.fork()
if child == 0:
    spin()
    os._exit(0)
spin()
worker.join()
os.waitpid(child, 0)
"""


def _busy_tree():
    """A process that spends 0.3 s CPU itself, 0.3 s in a thread and 0.3 s in a forked child."""
    return subprocess.Popen([sys.executable, "-c", _TREE])


def _cgroups_writable():
    group = cpuacct.CgroupAccount.create()
    return group is not None and group.close()


NO_CGROUPS = "no writable cgroup v1 cpuacct hierarchy (not root)"


@pytest.mark.skipif(not _cgroups_writable(), reason=NO_CGROUPS)
def test_a_cgroup_counts_threads_and_forked_children_and_is_removed():
    process = _busy_tree()
    account = cpuacct.account_for(process.pid)
    assert account.kind == "cgroup"
    process.wait()
    assert account.cpu_ns() >= 0.85e9
    path = account.path
    assert account.close() and not os.path.exists(path)


def test_the_proc_fallback_counts_the_tree_it_sees():
    process = _busy_tree()
    account = cpuacct.ProcTreeAccount(process.pid)
    # Until the grader reaps it, an exited process still shows its own and its children's CPU.
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    spent = account.cpu_ns()
    process.wait()
    assert spent >= 0.85e9


@pytest.mark.skipif(not _cgroups_writable(), reason=NO_CGROUPS)
def test_orphaned_groups_of_dead_graders_are_removed():
    parent = cpuacct.cpuacct_root()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    os.mkdir(os.path.join(parent, f"{cpuacct.GROUP_PREFIX}{dead}-0"))
    assert f"{cpuacct.GROUP_PREFIX}{dead}-0" in cpuacct.remove_orphaned_groups(parent)


# --- the styles, in this process --------------------------------------------------------------

def _verdict(name, source, prober=None):
    prober = prober or judge.InProcessProber(styles.namespace(source))
    return judge.judge(f"test_{name}_vectorized", prober)


@pytest.mark.slow  # times each loop over 20000 examples in this process (seconds each)
@pytest.mark.parametrize("name, label", list(styles.LOOPS), ids=[l for _, l in styles.LOOPS])
def test_every_loop_disguise_loses_the_point(name, label):
    result = _verdict(name, styles.LOOPS[(name, label)])
    assert not result.passed and "loops in Python" in result.summary, result.message()


@pytest.mark.parametrize("name, label", list(styles.WHOLE_ARRAY),
                         ids=[l for _, l in styles.WHOLE_ARRAY])
def test_every_whole_array_style_keeps_the_point(name, label):
    result = _verdict(name, styles.WHOLE_ARRAY[(name, label)])
    assert result.passed, result.message()


# --- the styles, in a real sandboxed kernel ---------------------------------------------------

@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """A judge host (the grader's sandboxed fork server) for this module's judge children."""
    from support.judge_host import start_judge_host

    judge_host = start_judge_host(tmp_path_factory.mktemp("submission"))
    yield judge_host
    judge_host.close()


@contextlib.contextmanager
def _child_with(host, source):
    """A fresh judge child that ran ``source`` (as a student's cell), as the grader judges."""
    from catvnoncat.judge.child_prober import ChildProber

    prober = ChildProber(host.spawn(), timeout=120, grace=5)
    try:
        prober.run_cell(styles.PRELUDE + source, 120)
        yield prober
    finally:
        prober.close()


#: Attacks on the timing itself, by a student who read the judge: a loop run by a thread or
#: by a forked process, and a loop that burns CPU on small inputs to flatten its growth.
ATTACKS = {
    ("predict", "loop_in_a_thread"): (
        "import threading\n"
        "def predict(w, b, X):\n    box = []\n"
        "    worker = threading.Thread(target=lambda: box.append(_loop(w, b, X)))\n"
        "    worker.start()\n    worker.join()\n    return box[0]\n"
        "def _loop(w, b, X):\n    A = sigmoid(w.T @ X + b)\n"
        "    return np.array([[1.0 if a > 0.5 else 0.0 for a in A[0]]])\n"),
    ("predict", "loop_in_a_forked_process"): (
        "import os, pickle\n"
        "def predict(w, b, X):\n    A = sigmoid(w.T @ X + b)\n"
        "    read, write = os.pipe()\n    child = os.fork()\n"
        "    if child == 0:\n        try:\n"
        "            labels = np.array([[1.0 if a > 0.5 else 0.0 for a in A[0]]])\n"
        "            with os.fdopen(write, 'wb') as pipe:\n"
        "                pipe.write(pickle.dumps(labels))\n"
        "        finally:\n            os._exit(0)\n"
        "    os.close(write)\n    data = b''\n"
        "    while chunk := os.read(read, 1 << 20):\n        data += chunk\n"
        "    os.close(read)\n    os.waitpid(child, 0)\n    return pickle.loads(data)\n"),
    ("predict", "burns_cpu_on_small_inputs"): (
        "import time\n"
        "def predict(w, b, X):\n    if X.shape[1] < 1000:\n"
        "        end = time.process_time() + 0.002\n"
        "        while time.process_time() < end:\n            pass\n"
        "    A = sigmoid(w.T @ X + b)\n"
        "    return np.array([[1.0 if a > 0.5 else 0.0 for a in A[0]]])\n"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name, label", [*styles.LOOPS, *ATTACKS, *styles.WHOLE_ARRAY],
                         ids=[l for _, l in [*styles.LOOPS, *ATTACKS, *styles.WHOLE_ARRAY]])
def test_each_style_in_a_judge_child(host, name, label):
    source = {**styles.LOOPS, **ATTACKS, **styles.WHOLE_ARRAY}[(name, label)]
    with _child_with(host, source) as prober:
        result = _verdict(name, source, prober)
    assert result.passed == ((name, label) in styles.WHOLE_ARRAY), result.message()


@pytest.mark.slow
@pytest.mark.parametrize("name, label", [("predict", "comprehension"), ("predict", "many_steps")],
                         ids=["cheapest_loop", "slowest_whole_array"])
def test_twenty_gradings_under_load_agree(host, name, label):
    source = {**styles.LOOPS, **styles.WHOLE_ARRAY}[(name, label)]
    # Bounded by themselves (300 s) and killed by pid: no `timeout` wrapper whose kill would
    # leave the busy child running.
    hogs = [subprocess.Popen([sys.executable, "-c", "import time\nend = time.monotonic() + 300\n"
                              "while time.monotonic() < end: pass"])
            for _ in range(os.cpu_count() or 1)]
    try:
        with _child_with(host, source) as prober:
            verdicts = {_verdict(name, source, prober).passed for _ in range(20)}
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert verdicts == {(name, label) in styles.WHOLE_ARRAY}
