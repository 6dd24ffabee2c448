"""Naming mistakes that real learners make and a modelled result cannot show (issue 20, item 6).

Each function here only chooses a hint for a failure already decided by the comparisons; none
decides a point. They read the notebook's own source (parsed as text, see :mod:`.source`), the
calls the student's code made to the lent helpers (served by the grader), and the grader-decoded
result:

* a template placeholder ``A = None`` left in the function (then an AttributeError on
  ``None.shape``, or a None in the result);
* ``model`` sizing ``w`` from the notebook's global ``num_px`` or the constant 12288;
* ``optimize`` unpacking ``cost, grads = propagate(...)`` (the order of a swapped propagate);
* random instead of zero initialization.
"""

import ast

import numpy as np

from . import wire
from .messages import say
from .sentences import HINTS
from .source import definitions

__all__ = ["placeholders", "fixed_feature_count", "unpacks_propagate_swapped", "source_hint",
           "random_start", "result_hint", "model_start_hint"]

#: The feature count of the course's pictures, 64 x 64 x 3.
PICTURE_FEATURES = 12288
_COST_WORDS = ("cost", "loss", "代价", "成本", "损失")
_GRAD_WORDS = ("grad", "梯度")


def _names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for item in target.elts for name in _names(item)]
    return []


def placeholders(function):
    """Names a ``def`` assigns only ``None`` (the 2017 template's ``A = None`` left in place)."""
    only_none, assigned = [], set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            names = [name for target in node.targets for name in _names(target)]
            if isinstance(node.value, ast.Constant) and node.value.value is None:
                only_none += [name for name in names if name not in only_none]
            else:
                assigned.update(names)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension)):
            assigned.update(_names(node.target))
        elif isinstance(node, ast.NamedExpr):
            assigned.update(_names(node.target))
    return [name for name in only_none if name not in assigned]


def _holds_none(observation, depth=0):
    if isinstance(observation, wire.Other):
        return observation.type == "builtins.NoneType"
    items = (observation.items.values() if isinstance(observation, wire.Map)
             else observation.items if isinstance(observation, wire.Seq) else ())
    return depth < 4 and any(_holds_none(item, depth + 1) for item in items)


def _constant(node):
    """The value of a constant integer expression (``64 * 64 * 3``), else None."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        left, right = _constant(node.left), _constant(node.right)
        return left * right if left is not None and right is not None else None
    return None


def fixed_feature_count(function):
    """'the notebook's global num_px' or 'the constant 12288' when the ``def`` uses one."""
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id == "num_px" and isinstance(node.ctx, ast.Load):
            return say("GLOBAL_NUM_PX")
    for node in ast.walk(function):
        if _constant(node) == PICTURE_FEATURES:
            return say("THE_CONSTANT", value=PICTURE_FEATURES)
    return None


def _looks_like(name, words):
    name = name.lower()
    return name == "j" if words is _COST_WORDS and len(name) == 1 else any(
        word in name for word in words)


def unpacks_propagate_swapped(function):
    """True when the ``def`` writes ``cost, grads = propagate(...)``."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "propagate":
            for target in node.targets:
                names = _names(target)
                if len(names) == 2 and (_looks_like(names[0], _COST_WORDS)
                                        or _looks_like(names[1], _GRAD_WORDS)):
                    return True
    return False


def source_hint(spec, outcome, sources):
    """A hint read from the function's own ``def`` for its failure, else None."""
    function = definitions(sources).get(spec.name)
    if function is None:
        return None
    raised = outcome.raised
    if spec.name == "optimize" and unpacks_propagate_swapped(function):
        return HINTS.OPTIMIZE_UNPACKS_SWAPPED
    about_none = (raised is not None and "NoneType" in raised.message) or (
        raised is None and outcome.result is not None and _holds_none(outcome.result))
    names = placeholders(function) if about_none else []
    if names:
        in_line = [n for n in names if raised is not None and n in raised.line]
        return HINTS.TEMPLATE_NONE.format(name=spec.name, var=(in_line or names)[0])
    return None


def random_start(w):
    """True for a ``w`` of varied values (random), as opposed to zeros or one repeated value."""
    w = np.asarray(w, dtype=float)
    return w.size > 1 and bool(np.all(np.isfinite(w))) and float(np.ptp(w)) > 0


def result_hint(spec, failure):
    """A hint read from the grader-decoded failing quantity, else None."""
    if spec.name == "initialize_with_zeros" and failure.quantity == "w" \
            and failure.actual is not None and random_start(failure.actual):
        return HINTS.RANDOM_INIT.format(name=spec.name)
    return None


def model_start_hint(case, outcome, sources):
    """``model``: w sized from num_px / 12288, or started random (from its lent calls and source)."""
    X_train = case.args[0]
    n = X_train.shape[0]
    wrong_size = None
    for helper, bound in getattr(outcome, "lent_calls", ()):
        if helper == "initialize_with_zeros" and bound.get("dim") != n:
            wrong_size = bound.get("dim")
        elif helper in ("optimize", "propagate", "predict") and "w" in bound:
            rows = np.shape(bound["w"])[:1]
            if rows != (n,):
                wrong_size = rows[0] if rows else 0
            elif helper == "optimize" and random_start(bound["w"]):
                return HINTS.RANDOM_INIT.format(name="model")
        if wrong_size is not None:
            break
    raised = outcome.raised
    shapes = raised is not None and raised.type == "ValueError" and any(
        word in raised.message for word in ("matmul", "aligned", "broadcast", "shape"))
    function = definitions(sources).get("model")
    what = fixed_feature_count(function) if function is not None else None
    if what is not None and (wrong_size is not None or shapes):
        return HINTS.MODEL_W_FIXED_SIZE.format(what=what)
    if wrong_size is not None:  # quoted only when public (the student's code chose it)
        public = wrong_size in (0, 1, PICTURE_FEATURES, *X_train.shape, *case.args[2].shape)
        return HINTS.MODEL_FEATURES.format(dim=wrong_size if public else say("ANOTHER_NUMBER_OF"),
                                           n=n)
    return None
