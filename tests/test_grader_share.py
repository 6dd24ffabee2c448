"""What one submission can make the grader itself spend (issue 21): the engine's side.

An honest student (the reference solution), a student whose ``model`` asks the grader's lent
helpers for work it must refuse (a billion gradient steps, a 3e9-long vector, 6000 x 6000
arrays, arrays with a zero-size axis beside a large one) and one whose graded function floods
its output channel from the judging side only, graded by ``catvnoncat grade --workers 2``;
beside them, the honest student alone graded the same way (the baseline). The same attackers
are in tests/test_output_limits.py's class, graded by plain ``nbgrader autograde``.

While each grading runs, every process of the grader's own is sampled from /proc
(:mod:`support.grader_share`): its peak resident memory (VmHWM) and its CPU time. The stated
bounds (:data:`MEMORY_BOUND_MB`, :data:`CPU_BOUND_S`): the grader's largest process stays within
500 MB of the baseline's, and its CPU time within the baseline's per student times the class
size plus 5 s per attacker. Every score is exact: the honest classmate and the attackers, whose
own code is right, lose nothing.
"""

import pytest

from support.grader_share import (ATTACKERS, CPU_BOUND_S, MEMORY_BOUND_MB, class_with_attackers,
                                  grade_sampled, honest_baseline)

pytestmark = pytest.mark.slow

MB = 1_000_000
WORKERS = 2


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    workers = WORKERS
    submissions = class_with_attackers()
    scores, grader = grade_sampled(submissions, tmp_path_factory.mktemp("class"), workers)
    base_scores, baseline, _ = honest_baseline(tmp_path_factory, workers)
    print(f"\n[grader share, engine --workers {workers}] baseline (honest alone): peak "
          f"{baseline.peak_bytes / MB:.0f} MB, CPU {baseline.cpu_seconds:.1f} s; class of {len(submissions)}: peak "
          f"{grader.peak_bytes / MB:.0f} MB, CPU {grader.cpu_seconds:.1f} s; totals "
          + ", ".join(f"{sid} {_total(s):.0f}" for sid, s in scores.items()))
    return {"mode": "engine", "scores": scores, "base_scores": base_scores,
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
