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

from ..facts import DEFAULT_ASSIGNMENT, source_dir

__all__ = ["HINTS", "hints_module", "read_hints", "literal_constants"]


def read_hints(path):
    """The ``NAME = "sentence"`` constants of a hints file, without executing it.

    Raises
    ------
    ValueError
        A top-level assignment whose value is not a plain string (the file must hold sentences
        only); the message names the line.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    sentences = {}
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            raise ValueError(f"{path}, line {node.lineno}: hints.py holds only NAME = \"sentence\" "
                             "constants (the grader reads them without running the file)")
        sentences[node.targets[0].id] = node.value.value
    return sentences


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


@functools.cache
def hints_module(assignment=DEFAULT_ASSIGNMENT):
    """The assignment's ``hints.py`` as a namespace, read once, when a sentence is first needed."""
    return types.SimpleNamespace(**read_hints(source_dir(assignment) / "hints.py"))


class _Hints:
    """The hints' names (``HINTS.RETURNS_NONE.format(name=...)``, ...), read on first access."""

    __slots__ = ()

    def __getattr__(self, name):
        return getattr(hints_module(), name)

    def __dir__(self):
        return dir(hints_module())


#: The assignment's hints (``HINTS.RETURNS_NONE.format(name=...)``, ...).
HINTS = _Hints()
