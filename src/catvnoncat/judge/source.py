"""The notebook's own source, read by the grader as text: parsed, never executed."""

import ast

__all__ = ["definitions", "parse_cell", "unfinished"]


def parse_cell(source):
    """A cell's source as a Python AST (IPython magics turned into calls), or None."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError, TypeError):
        return None


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
