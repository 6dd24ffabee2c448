"""The translatable pieces of a Markdown cell or a Python source, and putting translations back.

A *piece* is ``(start, end, kind, msgid)``: the bytes ``start:end`` of the UTF-8 source hold
the English ``msgid``. :func:`substitute` writes each piece's translation in its place, so
everything that is not a piece (code, formulas, test cells) stays byte for byte the English.

Kinds:

``paragraph``
    One Markdown paragraph (blocks between blank lines; display formulas alone are no piece).
``docstring``
    A module or function docstring, as :func:`inspect.cleandoc` gives it; written back indented
    like the English.
``comment``
    A comment's text after ``#`` (or ``#:``) and one space; nbgrader's markers are no piece.
``string``
    A plain string constant, by value (a hint sentence, a ``print`` argument, a plot label).
``literal``
    An f-string (or strings glued by implicit concatenation) as written in the source, quotes
    and prefix included, so its ``{expressions}`` stay visible; the translation must be the
    same kind of Python literal.
"""

import ast
import inspect
import io
import re
import tokenize

__all__ = ["markdown_pieces", "python_pieces", "module_pieces", "table_pieces", "substitute",
           "PLOT_TEXT_CALLS", "NBGRADER_MARKERS"]

#: Calls whose string arguments are text a person reads: printed lines, plot titles and labels.
PLOT_TEXT_CALLS = frozenset({"print", "title", "xlabel", "ylabel", "suptitle", "set_title",
                             "set_xlabel", "set_ylabel", "text"})
#: Keyword arguments holding text a person reads (a curve's legend label).
TEXT_KEYWORDS = frozenset({"label"})
#: Comments nbgrader reads: never translated.
NBGRADER_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS",
                    "### END HIDDEN TESTS", "# YOUR CODE HERE")
#: Display formulas, inline formulas, code spans and URLs: what a paragraph may hold besides words.
_NOT_WORDS = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|https?://\S+", re.S)
#: Room for a written-back string literal before it is wrapped.
LINE_WIDTH = 99


def _has_words(text):
    return re.search(r"[A-Za-z]{2,}", _NOT_WORDS.sub("", text)) is not None


def markdown_pieces(text):
    """The paragraphs of a Markdown cell that hold words (formulas alone are left as they are)."""
    data = text.encode("utf-8")
    pieces, start = [], 0
    for block in data.split(b"\n\n"):
        paragraph = block.decode("utf-8")
        if paragraph.strip() and _has_words(paragraph):
            pieces.append((start, start + len(block), "paragraph", paragraph))
        start += len(block) + 2
    return pieces


def _line_starts(data):
    starts = [0]
    for line in data.split(b"\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    return starts


def _parseable(source):
    """``source`` with IPython's ``%magic`` lines blanked (same length), and their line numbers."""
    lines, magics = [], set()
    for number, line in enumerate(source.split("\n"), 1):
        if line.lstrip().startswith(("%", "!")):
            magics.add(number)
            line = " " * len(line)
        lines.append(line)
    return "\n".join(lines), magics


def _call_name(node):
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) \
        else None


def _text_nodes(tree, strings):
    """The string nodes to translate: call arguments (``strings="calls"``; ``"plot"``: those of
    plot calls only, not ``print``'s) or the values of module-level assignments
    (``strings="assignments"``)."""
    if strings == "assignments":
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Constant, ast.JoinedStr)):
                yield node.value
        return
    calls = PLOT_TEXT_CALLS - {"print"} if strings == "plot" else PLOT_TEXT_CALLS
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in calls:
            yield from node.args
        if isinstance(node, ast.Call):
            yield from (kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS)


def _is_text(node):
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, ast.JoinedStr)


def python_pieces(source, strings="calls"):
    """The docstrings, comments and text strings of a Python source (a code cell or a module).

    ``strings`` says which strings are text: ``"calls"`` (arguments of ``print`` and of plot
    titles and labels, :data:`PLOT_TEXT_CALLS`) or ``"assignments"`` (module-level constants,
    as the sentences of ``hints.py``); ``"plot"``: the text a plot draws only (titles, labels,
    legend entries), without docstrings and comments.
    """
    data = source.encode("utf-8")
    starts = _line_starts(data)
    parseable, magics = _parseable(source)
    tree = ast.parse(parseable)

    def offset(line, byte_col):
        return starts[line - 1] + byte_col

    pieces = []
    documented = [] if strings == "plot" else [tree] + [
        n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    docstrings = set()
    for owner in documented:
        if owner.body and isinstance(owner.body[0], ast.Expr) and _is_text(owner.body[0].value) \
                and isinstance(owner.body[0].value, ast.Constant):
            node = owner.body[0].value
            docstrings.add(id(node))
            pieces.append((offset(node.lineno, node.col_offset),
                           offset(node.end_lineno, node.end_col_offset), "docstring",
                           inspect.cleandoc(node.value)))
    for node in _text_nodes(tree, strings):
        if not _is_text(node) or id(node) in docstrings:
            continue
        start, end = offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)
        if isinstance(node, ast.Constant):
            if _has_words(node.value):
                pieces.append((start, end, "string", node.value))
        else:
            literal = data[start:end].decode("utf-8")
            if _has_words("".join(v.value for v in node.values if isinstance(v, ast.Constant))):
                pieces.append((start, end, "literal", literal))
    if strings == "plot":
        return sorted(pieces)
    lines = source.split("\n")
    for token in tokenize.generate_tokens(io.StringIO(parseable).readline):
        if token.type != tokenize.COMMENT or token.start[0] in magics:
            continue
        text = token.string
        if text.startswith(NBGRADER_MARKERS) or not _has_words(text):
            continue
        prefix = re.match(r"#:?\s?", text).group(0)
        line = lines[token.start[0] - 1]
        start = offset(token.start[0], len(line[:token.start[1]].encode("utf-8")) + len(prefix))
        end = offset(token.end[0], len(line[:token.end[1]].encode("utf-8")))
        pieces.append((start, end, "comment", text[len(prefix):]))
    return sorted(pieces)


def _quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _width(text):
    """Columns ``text`` takes in a monospaced editor (a CJK character takes two)."""
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


#: Where a long sentence may be cut: after a space or Chinese punctuation.
_BREAK_AFTER = " ，。：；、？！）"


def string_literal(text, column, multiline):
    """``text`` as a double-quoted Python literal starting at ``column``; when ``multiline``
    (the English literal spanned lines, inside parentheses), long text is cut into several
    literals, one a line, that Python glues back together."""
    whole = _quote(text)
    if not multiline or column + _width(whole) <= LINE_WIDTH:
        return whole
    width = max(LINE_WIDTH - column, 40)
    chunks, rest = [], text
    while _width(_quote(rest)) > width + 4:  # a last word or stop may overhang
        cut = 0
        for end in range(1, len(rest)):
            if _width(_quote(rest[:end])) > width:
                break
            if rest[end - 1] in _BREAK_AFTER:
                cut = end
        if not cut:
            cut = max(end - 1, 1)
        chunks.append(rest[:cut])
        rest = rest[cut:]
    chunks.append(rest)
    return ("\n" + " " * column).join(_quote(c) for c in chunks)


def _docstring(text, column, english):
    """``text`` laid out as the English docstring was: opening and closing quotes on lines of
    their own or not, continuation lines indented to ``column``."""
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    indent = " " * column
    lines = body.split("\n")
    opens_alone = english[3:4] == "\n"
    first = ["", *lines] if opens_alone else lines
    laid_out = [first[0]] + [f"{indent}{line}" if line else "" for line in first[1:]]
    if english[:-3].rstrip(" ").endswith("\n"):
        laid_out.append(indent)
    return '"""' + "\n".join(laid_out) + '"""'


def substitute(source, pieces, translate):
    """``source`` with each piece replaced by ``translate(kind, msgid)`` written in its place."""
    data = source.encode("utf-8")
    out, done = [], 0
    for start, end, kind, msgid in sorted(pieces):
        text = translate(kind, msgid)
        english = data[start:end].decode("utf-8")
        column = len(data[data.rfind(b"\n", 0, start) + 1:start].decode("utf-8"))
        if kind == "docstring":
            text = _docstring(text, column, english)
        elif kind == "string":
            text = string_literal(text, column, "\n" in english)
        out.append(data[done:start])
        out.append(text.encode("utf-8"))
        done = end
    out.append(data[done:])
    return b"".join(out).decode("utf-8")


def module_pieces(text, filename):
    """``[(msgctxt, piece)]`` of a module of sentences: each constant keyed by its name, the
    docstring and comments by the file name."""
    names = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            names[(node.value.lineno, node.value.col_offset)] = node.targets[0].id
    lines = text.encode("utf-8").split(b"\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    by_offset = {starts[line - 1] + col: name for (line, col), name in names.items()}
    return [(by_offset.get(piece[0], filename) if piece[2] == "string" else filename, piece)
            for piece in python_pieces(text, strings="assignments")]


def table_pieces(text, name):
    """``[(key, piece)]`` of the module-level dict ``name = {"KEY": "sentence", ...}`` of a
    Python source (a student-side module's messages): each sentence keyed by its key."""
    data = text.encode("utf-8")
    starts = _line_starts(data)
    found = []
    for node in ast.parse(text).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and getattr(node.targets[0], "id", None) == name and isinstance(node.value, ast.Dict)):
            continue
        for key, value in zip(node.value.keys, node.value.values):
            if isinstance(key, ast.Constant) and isinstance(value, ast.Constant) \
                    and isinstance(value.value, str) and _has_words(value.value):
                start = starts[value.lineno - 1] + value.col_offset
                end = starts[value.end_lineno - 1] + value.end_col_offset
                found.append((key.value, (start, end, "string", value.value)))
    return found
