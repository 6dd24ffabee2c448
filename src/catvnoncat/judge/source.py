"""The notebook's own source, read by the grader as text: parsed, never executed."""

import ast
import re

__all__ = ["definitions", "parse_cell", "unfinished", "syntax_error_of"]


#: Cell magics whose body is Python run in the notebook's namespace (its ``def``s are globals);
#: ``%%timeit`` runs its body inside a function, so its ``def``s are not.
_PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun"})
#: Cell magics inside cell magics (``%%capture`` then ``%%time``) read at most this deep.
_MAGIC_DEPTH = 4


def _cell_magic_body(statement):
    """The Python body of ``get_ipython().run_cell_magic('time', '', body)``, else None."""
    call = statement.value if isinstance(statement, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "run_cell_magic" and len(call.args) == 3
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args)):
        return None
    name, _, body = (a.value for a in call.args)
    return body if name in _PYTHON_CELL_MAGICS else None


def parse_cell(source, _depth=0):
    """A cell's source as a Python AST, or None.

    Text-only: IPython's ``TransformerManager`` turns magics into calls (``%timeit f(x)``
    becomes ``get_ipython().run_line_magic(...)``) and nothing is run. The body of a cell magic
    that runs Python in the notebook (``%%time``, ``%%capture``) is parsed in its place, so a
    graded cell starting with ``%%time`` still shows its ``def``.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError, TypeError):
        return None
    body = []
    for statement in tree.body:
        inner = _cell_magic_body(statement) if _depth < _MAGIC_DEPTH else None
        parsed = parse_cell(inner, _depth + 1) if inner is not None else None
        body.extend(parsed.body if parsed is not None else [statement])
    tree.body = body
    return tree


def definitions(sources):
    """The last ``def`` of each name in the cells, in order (a later cell redefines)."""
    found = {}
    for source in sources:
        tree = parse_cell(source)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[node.name] = node
    return found


def _only_placeholders(body):
    """True for a block that is only ``pass`` / ``...`` (after an optional docstring)."""
    statements = [node for node in body if not (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str))]
    return all(isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(
        node.value, ast.Constant) and node.value.value is Ellipsis) for node in statements)


def unfinished(name, sources):
    """True when the notebook's ``def name`` has a block left as ``pass`` (or ``...``)."""
    found = definitions(sources).get(name)
    if found is None:
        return False
    blocks = [getattr(node, field) for node in ast.walk(found)
              for field in ("body", "orelse") if isinstance(getattr(node, field, None), list)
              and getattr(node, field)]
    return any(_only_placeholders(block) for block in blocks)


def syntax_error_of(name, sources):
    """``(message, line)`` of the syntax error of the latest cell that writes ``def name``,
    when that cell does not compile (so ``name`` was never defined); else None.

    Text-only, as :func:`parse_cell`: the cell is transformed as IPython would and compiled,
    never run. ``line`` counts the cell's lines from 1, as the notebook shows them.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    written = re.compile(rf"^[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(name)}\b", re.M)
    for source in reversed(list(sources)):
        if not written.search(source):
            continue
        try:
            compile(TransformerManager().transform_cell(source), "<cell>", "exec",
                    dont_inherit=True)
        except SyntaxError as error:
            return error.msg, error.lineno
        except (ValueError, TypeError, RecursionError, MemoryError):
            return None
        return None
    return None
