"""The notebook's own source, read by the grader as text: parsed, never executed."""

import ast

__all__ = ["definitions", "parse_cell"]


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
