"""The hint sentences, from the student-facing ``hints.py`` the visible tests use too.

One source for every sentence that names a mistake: the assignment's ``hints.py`` (released to
students with ``public_tests.py``). The judge reads the instructor's copy in ``source/`` on first
use, and never executes it: ``hints.py`` holds only string constants, which are read from its
syntax tree (a file under ``source/`` is course material, not grader code).
"""

import ast
import functools
import types
from pathlib import Path

from ..facts import DEFAULT_ASSIGNMENT
from .messages import Message, read_hints, read_hints_of

__all__ = ["HINTS", "hints_module", "read_hints", "read_hints_of", "literal_constants"]


def literal_constants(path, names):
    """The values of the top-level ``NAME = <literal>`` assignments ``names`` of a Python file,
    read from its syntax tree without executing it (e.g. numbers the visible tests share).

    Raises
    ------
    KeyError
        A name that the file does not assign a literal to.
    """
    tree = ast.parse(Path(path).read_text(encoding="utf-8"), filename=str(path))
    found = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in names):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    missing = [name for name in names if name not in found]
    if missing:
        raise KeyError(f"{path} assigns no literal to {', '.join(missing)}")
    return found


def hints_module(assignment=DEFAULT_ASSIGNMENT):
    """The assignment's ``hints.py`` as a namespace of sentences, read once."""
    return types.SimpleNamespace(**read_hints_of(assignment))


class _Hints:
    """The hints as messages: ``HINTS.RETURNS_NONE.format(name=...)`` is the
    :class:`~.messages.Message` ``("RETURNS_NONE", {"name": ...})``; its words are rendered
    from a catalog where a person reads them. The names are checked against ``hints.py``
    (read on first access)."""

    __slots__ = ()

    def __getattr__(self, name):
        if name.startswith("_") or name not in read_hints_of():
            raise AttributeError(f"hints.py has no sentence {name}")
        return Message(name)

    def __dir__(self):
        return sorted(read_hints_of())


#: The assignment's hints, as messages (``HINTS.RETURNS_NONE.format(name=...)``, ...).
HINTS = _Hints()
