"""The vectorization rule: how a function's CPU time grows with the number of examples.

A loop over the examples in Python pays the interpreter for every example; whole-array code
pays numpy's compiled loops, ten to a hundred times less per example. So the judge measures,
with the CPU time the sandbox's cgroup accounts (every process and thread of the kernel, read
from outside; no tracer, no report from the kernel), what it costs the student's function to
handle 1000 times more examples, and compares that growth with the growth of the reference
implementation, measured by the grader in its own process through the same probe code:

    growth_student   = CPU(large) - min(CPU(small), small_cap)
    growth_reference = CPU_ref(large) - CPU_ref(small)
    ratio            = growth_student / growth_reference

Both requests make the same number of calls (each on its own ``w`` and ``b``, on fresh random
examples), so the fixed costs of a request and of a call cancel, and what is left is the cost
of the additional examples. ``ratio`` is about 1 for code written like the reference, 1 to 3
for any whole-array style, and 10 to 1000 for a loop over the examples, however it is
disguised: every process and thread counts, and the large results are checked.

Verdicts (the thresholds are :data:`VECTORIZED_BELOW` and :data:`LOOP_FROM`, 10x apart):

- ``ratio < VECTORIZED_BELOW``: vectorized;
- ``ratio >= LOOP_FROM``: loops over the examples, once a second measurement confirms it (the
  smaller of the two ratios decides: noise only adds CPU time);
- in between: measure again; still in between: the point goes to the student.

Measured (``benchmarks/bench_vectorized.py``): whole-array styles 0.5 to 2.6, loops over the
examples 9 (a comprehension over ``.tolist()``) to 250 (a ``for`` loop with numpy calls). No
CPU measure separates the cheapest loop from the slowest whole-array style by 10x (a Python
iteration costs some 20 ns, a numpy pass over one number 1 ns, and predict makes eight
passes), so most whole-array code lands in between and keeps its point there.

``small_cap`` keeps a function that burns CPU on small inputs (to flatten its growth) from
hiding the cost of its large ones: no more than :data:`SMALL_CAP_FACTOR` times the
reference's small request, plus :data:`REQUEST_ALLOWANCE_NS` for the kernel's own handling of
a request, is ever subtracted.
"""

from dataclasses import dataclass

__all__ = ["Measurement", "VECTORIZED", "LOOPS", "IN_BETWEEN", "classify", "ratio",
           "final_call", "VECTORIZED_BELOW", "LOOP_FROM", "SMALL_CAP_FACTOR",
           "REQUEST_ALLOWANCE_NS", "GROWTH"]

#: The large size has this many times the examples of the small one.
GROWTH = 1000
#: Below this ratio (student growth / reference growth): vectorized.
VECTORIZED_BELOW = 0.6
#: From this ratio on: a loop over the examples (10 x VECTORIZED_BELOW).
LOOP_FROM = 6.0
#: At most this many times the reference's small request is subtracted from the large one ...
SMALL_CAP_FACTOR = 4
#: ... plus this much for the kernel's own handling of a request (ipykernel, JSON, ZeroMQ).
REQUEST_ALLOWANCE_NS = 5_000_000

VECTORIZED, LOOPS, IN_BETWEEN = "vectorized", "loops", "in between"


@dataclass(frozen=True)
class Measurement:
    """CPU nanoseconds of one small and one large timing request, student and reference."""

    small: int
    large: int
    reference_small: int
    reference_large: int


def ratio(measurement):
    """The student's CPU growth over the reference's (see the module docstring), or None when
    the reference's growth was too small to measure."""
    reference_growth = measurement.reference_large - measurement.reference_small
    if reference_growth <= 0:
        return None
    cap = SMALL_CAP_FACTOR * measurement.reference_small + REQUEST_ALLOWANCE_NS
    growth = measurement.large - min(measurement.small, cap)
    return max(growth, 0) / reference_growth


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
