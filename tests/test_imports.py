"""The package's import graph has no circle (imports inside functions count too).

A circle hides which module is the lower one: moving a fact then means touching both. Facts that
several modules need live at the bottom, in :mod:`catvnoncat.facts`, which imports nothing of ours.
"""

import ast
from pathlib import Path

import catvnoncat

PACKAGE_DIR = Path(catvnoncat.__file__).parent


def _module_name(path):
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph():
    """``{module: {catvnoncat modules it imports}}`` from the source, every import statement."""
    modules = {_module_name(p): p for p in PACKAGE_DIR.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                # `from pkg import sub` imports the submodule when there is one.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def circles(graph):
    """Every strongly connected group of more than one module (Tarjan), sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(groups)


def test_the_graph_is_read():
    graph = import_graph()
    assert "catvnoncat.steps.execute" in graph
    assert "catvnoncat.judge" in graph["catvnoncat.steps.execute"]


def test_circles_are_found():
    assert circles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_circle_inside_catvnoncat():
    assert circles(import_graph()) == []


def test_facts_import_nothing_of_ours():
    assert import_graph()["catvnoncat.facts"] == set()


def test_the_judge_never_executes_the_hints_file():
    import subprocess
    import sys

    # A fresh interpreter: importing the judge reads the sentences but runs no file of source/.
    code = ("import sys\n"
            "ran = []\n"
            "sys.addaudithook(lambda event, args: event == 'exec' and "
            "args[0].co_filename.endswith('hints.py') and ran.append(args[0].co_filename))\n"
            "import catvnoncat.judge\n"
            "from catvnoncat.judge import sentences\n"
            "from catvnoncat.facts import student_module\n"
            "print(bool(ran), str(sentences.HINTS.GENERIC) == sentences.hints_module().GENERIC)\n"
            "student_module('hints.py')\n"
            "print(bool(ran))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # (the hook sees an executed hints.py: the last line, where the test runs it on purpose)
    assert out.stdout.split() == ["False", "True", "True"]


def test_the_hints_read_without_running_them_equal_the_hints_students_import():
    from catvnoncat.facts import student_module
    from catvnoncat.judge import sentences

    executed = {k: v for k, v in vars(student_module("hints.py")).items() if k.isupper()}
    assert vars(sentences.hints_module()) == executed


def test_a_hints_file_with_code_is_refused(tmp_path):
    import pytest

    from catvnoncat.judge.sentences import read_hints

    path = tmp_path / "hints.py"
    path.write_text('"""Hints."""\nOK = "fine"\nimport os\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 3"):
        read_hints(path)
