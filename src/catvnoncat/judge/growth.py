"""The vectorization rule: how a function's CPU time grows with the size of its input.

A loop over the examples (or the features) in Python pays the interpreter for every one of
them; whole-array code pays numpy's compiled loops, ten to a hundred times less. So the judge
measures, with the CPU time the sandbox's cgroup accounts (every process and thread of the
kernel, read from outside; no tracer, no report from the kernel), what it costs the student's
function to handle :data:`GROWTH` times more examples, and :data:`GROWTH` times more features,
and compares each growth with the growth of the yardstick (the costliest usual whole-array
style, :mod:`.yardstick`, timed by the grader in a child process of its own, same requests, same
probe code):

    growth_student   = CPU(large) - min(CPU(small), small_cap)
    growth_yardstick = CPU_yardstick(large) - CPU_yardstick(small)
    ratio            = growth_student / growth_yardstick

All requests make the same number of calls (each call on its own ``w`` and ``b``, every
request on fresh random examples), so the fixed costs of a request and of a call cancel, and
what is left is the cost of the additional examples or features. A measurement's ratio is the
larger of the two axes'.

Verdicts (the thresholds are :data:`VECTORIZED_BELOW` and :data:`LOOP_FROM`, 10x apart):

- ``ratio < VECTORIZED_BELOW``: vectorized;
- ``ratio >= LOOP_FROM``: a loop, once a second measurement confirms it (the smaller of the two
  ratios decides: noise only adds CPU time);
- in between: measure again; still in between: the point goes to the student. (The judge
  skips that second measurement: with the smaller ratio deciding, it cannot make a loop.)

Measured (``benchmarks/bench_vectorized.py``, real sandboxed kernels, one run): whole-array
styles 0.0 to 1.04; loops 5.1 (a comprehension over one row of probabilities) to 88 (a ``for``
loop making numpy calls per example), the red team's six disguises 5.4 to 37, loops over the
features 12 to 20. The yardstick is the costliest whole-array style, not the hint's, because the
hint's formulas left too little room: the stable ``logaddexp`` propagate measured 5 to 7 times
their growth, as much as the cheapest loops. A loop costs a Python iteration per element
(some 20 ns at the very least); whole-array code, numpy's compiled passes: no CPU measure
separates the cheapest loop from the costliest whole-array style by 10x, so the doubt goes to the
student (in between, the point is hers).

``small_cap`` keeps a function that burns CPU on small inputs (to flatten its growth) from
hiding the cost of its large ones: no more than :data:`SMALL_CAP_FACTOR` times the yardstick's
small request, plus :data:`REQUEST_ALLOWANCE_NS` for the kernel's own handling of a request,
is ever subtracted. The first request a judge child answers costs it some 10 ms more (pages
touched for the first time): the judge makes one untimed request first (:func:`.vectorized.
measure`), so the small requests it times cost an honest function about 1 ms (the yardstick's:
0.4 to 0.8 ms), and the cap (about 4 ms) leaves a red team's CPU burnt on the small request
alone too little room to hide a loop (it hid the cheapest loops under the former 4 x + 15 ms).
"""

from dataclasses import dataclass

from ..facts import source_dir
from .sentences import literal_constants

__all__ = ["Measurement", "VECTORIZED", "LOOPS", "IN_BETWEEN", "classify", "ratio",
           "final_call", "VECTORIZED_BELOW", "LOOP_FROM", "SMALL_CAP_FACTOR",
           "REQUEST_ALLOWANCE_NS", "GROWTH", "FEATURES_GROWTH"]

#: The rule's numbers, from the visible tests' self-check (one place for each), read from the
#: syntax tree of ``public_tests.py`` (course material: never executed by the grader).
_PUBLIC = literal_constants(source_dir() / "public_tests.py",
                            ("VECTORIZED_SIZES", "VECTORIZED_LOOP_FROM", "VECTORIZED_CALLS",
                             "VECTORIZED_FEATURES", "VECTORIZED_FEATURES_EXAMPLES"))
#: The large requests have this many times the examples (or the features) of the small one.
GROWTH = _PUBLIC["VECTORIZED_SIZES"][1] // _PUBLIC["VECTORIZED_SIZES"][0]
#: The features request has this many times the features of the small one (which has one).
FEATURES_GROWTH = _PUBLIC["VECTORIZED_FEATURES"]
#: From this ratio on: a loop.
LOOP_FROM = _PUBLIC["VECTORIZED_LOOP_FROM"]
#: Below this ratio: vectorized (LOOP_FROM / 10).
VECTORIZED_BELOW = LOOP_FROM / 10
#: At most this many times the reference's small request is subtracted from the large one ...
SMALL_CAP_FACTOR = 2
#: ... plus this much for the kernel's own handling of a request (ipykernel, JSON, ZeroMQ).
REQUEST_ALLOWANCE_NS = 3_000_000

VECTORIZED, LOOPS, IN_BETWEEN = "vectorized", "loops", "in between"


@dataclass(frozen=True)
class Measurement:
    """CPU nanoseconds of one small and one large timing request, student and yardstick
    (``reference_*``)."""

    small: int
    large: int
    reference_small: int
    reference_large: int
    #: How far off one reading of the student's CPU may be (a clock tick in the /proc fallback).
    resolution: int = 0


def ratio(measurement):
    """The student's CPU growth over the yardstick's (see the module docstring), or None when
    the yardstick's growth was too small to measure."""
    reference_growth = measurement.reference_large - measurement.reference_small
    if reference_growth <= 0:
        return None
    cap = SMALL_CAP_FACTOR * measurement.reference_small + REQUEST_ALLOWANCE_NS
    growth = measurement.large - min(measurement.small, cap)
    # Four readings make a growth: the doubt of each goes to the student.
    return max(growth - 4 * measurement.resolution, 0) / reference_growth


def classify(measurement):
    """:data:`VECTORIZED`, :data:`LOOPS` or :data:`IN_BETWEEN` for one measurement."""
    value = ratio(measurement)
    if value is None:
        return IN_BETWEEN
    if value >= LOOP_FROM:
        return LOOPS
    return VECTORIZED if value < VECTORIZED_BELOW else IN_BETWEEN


def final_call(ratios):
    """The verdict from the ratios of successive measurements of one function (at most two).

    A first ratio below :data:`VECTORIZED_BELOW` decides alone. Otherwise the function is
    measured again and the smaller ratio decides (CPU noise only ever adds time, so a loop
    verdict needs two measurements that both show one); in between, or unmeasurable:
    :data:`VECTORIZED`, the student keeps the point when the evidence is not clear.
    """
    measured = [r for r in ratios if r is not None]
    if not measured:
        return VECTORIZED
    if min(measured) >= LOOP_FROM and len(ratios) >= 2:
        return LOOPS
    if min(measured) >= LOOP_FROM:
        return IN_BETWEEN  # not confirmed yet: measure again
    return VECTORIZED
