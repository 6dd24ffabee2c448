"""Vectorization: a point only for correct results computed without a loop over the examples.

Three things must agree, none of them timing:

1. the function's results on ``m = 2`` and ``m = 20`` examples equal the reference's;
2. the grader parses the notebook's own source of the function (and of the notebook functions
   it calls, except the lent graded helpers) and finds no loop: no ``for``/``while``, no
   comprehension, no ``map``/``filter``/``np.vectorize``/``np.apply_along_axis``, no recursion;
3. the kernel counts the lines of notebook code executed for both sizes: vectorized code runs
   the same lines whatever ``m`` is.

A kernel can lie about (3) but not about (1) or (2), which the grader decides alone.
"""

import ast

from . import cases as hidden
from .compare import compare
from .functions import outcome_result, reference_result
from .prober import ProbeFailed
from .sentences import HINTS
from .source import definitions
from .specs import SPECS
from .verdict import Failure

__all__ = ["judge_vectorized", "loops_in_source", "SIZES", "NOT_JUDGED"]

#: The failure of a vectorization cell whose function gives wrong results says this.
NOT_JUDGED = "so vectorization is not judged"

#: The two numbers of examples compared.
SIZES = (2, 20)
_LOOPING_CALLS = frozenset({"map", "filter", "vectorize", "apply_along_axis", "fromiter",
                            "frompyfunc"})
_LOOP_NODES = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp,
               ast.GeneratorExp)
_FORMS = {
    "propagate": "A = sigmoid(w.T @ X + b), dw = X @ (A - Y).T / m, db = np.sum(A - Y) / m",
    "predict": "A = sigmoid(w.T @ X + b), then (A > 0.5).astype(float)",
}
_INPUTS = {
    "propagate": lambda rng, m: hidden.make_propagate_input(rng, 3, m),
    "predict": lambda rng, m: hidden.make_predict_input(rng, 3, m),
}


def _called_name(call):
    target = call.func
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else None


def loops_in_source(name, sources, lent=()):
    """Describe the first loop in ``name``'s notebook source and the functions it calls.

    Returns
    -------
    str or None
        e.g. ``"a for loop in propagate"``; None when there is no loop. ``"no def"`` when the
        notebook has no ``def name`` at all (the grader cannot read the code it would judge).
    """
    found = definitions(sources)
    if name not in found:
        return "no def"
    todo, seen = [name], set()
    while todo:
        current = todo.pop()
        seen.add(current)
        for node in ast.walk(found[current]):
            if isinstance(node, _LOOP_NODES):
                kind = {ast.For: "a for loop", ast.AsyncFor: "a for loop",
                        ast.While: "a while loop"}.get(type(node), "a comprehension")
                return f"{kind} in {current}"
            if isinstance(node, ast.Call):
                called = _called_name(node)
                if called in _LOOPING_CALLS:
                    return f"a call to {called} in {current}"
                if called == current:
                    return f"a recursive call in {current}"
                if called in found and called not in seen and called not in lent:
                    todo.append(called)
    return None


def judge_vectorized(name, prober, sources):
    """Raise a Failure unless ``name`` is correct and vectorized (see the module docstring)."""
    import numpy as np

    spec = SPECS[name]
    counts = []
    for m in SIZES:
        args = _INPUTS[name](np.random.default_rng(700 + m), m)
        where = f"{spec.call} on {m} examples"
        try:
            outcome = prober.call(name, args, lend=spec.helpers, trace=True)
        except ProbeFailed as error:
            raise Failure(f"{where}: no usable answer from your code ({error}).",
                          HINTS.NO_RESULT.format(name=name)) from None
        expected = spec.unpack(reference_result(spec, args), None)
        if outcome.missing or outcome.not_callable:  # no function: say so, never "not right"
            outcome_result(outcome, name, where)
        try:
            actual = spec.unpack(outcome_result(outcome, name, where), None)
            for quantity, value in expected.items():
                compare(quantity, actual[quantity], value)
        except Failure:
            raise Failure(f"{where}: the result is not right, {NOT_JUDGED} "
                          f"(see {name}'s own test above).",
                          HINTS.CORRECT_FIRST.format(name=name)) from None
        counts.append(outcome.lines)
    loop = loops_in_source(name, sources, lent=spec.helpers)
    if loop == "no def":
        raise Failure(f"the notebook has no `def {name}(...)` the grader can read.",
                      HINTS.NO_DEF.format(name=name))
    if loop is not None or None in counts or counts[0] != counts[1]:
        seen = (f"your code has {loop}" if loop else
                f"on m = {SIZES[0]} examples it ran {counts[0]} lines of your code, "
                f"on m = {SIZES[1]} examples {counts[1]}")
        raise Failure(f"{name} loops over the examples: {seen}.",
                      HINTS.LOOPS.format(name=name, form=_FORMS[name]))
    return ()
