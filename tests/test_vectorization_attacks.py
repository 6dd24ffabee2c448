"""A loop over the examples that burns CPU on the small timing request only (found by the red team).

The growth rule (``catvnoncat.judge.growth``) subtracts the small request's CPU, capped, from the
large request's. The small request's shape (one feature, ``VECTORIZED_SIZES[0]`` examples) is
public (``public_tests.py``), so a function can spin ~3 ms per call on that shape only. Under the
former cap (4 x the yardstick's small + 15 ms, and a judge child's first request some 10 ms
dearer) it hid the cheapest loops (measured 2.7 - 2.9, vectorized, where its twin measured 4.5 -
7.4); with the untimed warm-up request and a cap of 2 x + 3 ms it measured 5.0 - 6.1 (a loop).
"""

import sys
from pathlib import Path

import pytest

from catvnoncat import judge
from catvnoncat.judge.child_prober import ChildProber
from catvnoncat.sandbox.policy import check_bubblewrap
from support.judge_host import start_judge_host

sys.path.insert(0, str(Path(__file__).parent))
import hostile  # noqa: E402
import vectorization_styles as styles  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
needs_bwrap = pytest.mark.skipif(check_bubblewrap() is not None, reason="no bubblewrap here")


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    judge_host = start_judge_host(tmp_path_factory.mktemp("submission"))
    yield judge_host
    judge_host.close()


def _verdict(host, source):
    prober = ChildProber(host.spawn(), timeout=120, grace=5)
    try:
        prober.run_cell(styles.PRELUDE + source, 120)
        return judge.judge("test_predict_vectorized", prober)
    finally:
        prober.close()


@pytest.mark.slow
@needs_bwrap
def test_a_loop_that_burns_cpu_on_the_small_request_only_is_still_a_loop(host):
    attack = hostile.by_name("vectorization_small_burn").cells["predict"]
    verdicts = [_verdict(host, attack).passed for _ in range(2)]
    print(f"[redteam] burning comprehension: vectorized in {sum(verdicts)} of 2 gradings")
    assert verdicts == [False, False], "the burn on the small timing request hid the loop"
