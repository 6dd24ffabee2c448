"""One sentence when a test cell cannot even start.

A test cell such as ``public_tests.dataset_shapes_test(m_train, m_test, num_px)`` looks up its
arguments before any test runs. When ``m_train`` was never set (its cell still says
``raise NotImplementedError()``, or was not run) or ``propagate`` was never defined (its cell
has a syntax error), Python stops in the test cell itself with a ``NameError``. ``public_tests``
calls :func:`install` when the notebook imports it: in a test cell, IPython then shows such a
``NameError`` as the sentence the grader gives, and when the cell meant to define the name did
not compile, that cell's syntax error with its line and a caret. Every other error, and any
error outside a test cell, is shown as usual.
"""

import linecache
import re

import hints

#: A test cell calls the visible tests' module by this name.
TEST_CALL = "public_tests."


def _inputs(shell):
    """``{execution count: source}`` of the cells run so far (IPython's history)."""
    raw = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None) or []
    return dict(enumerate(raw))


def _defining_cell(shell, name):
    """``(count, source, kind)`` of the latest cell run that defines ``name`` (``kind`` is
    ``"def"`` or ``"set"``), or None."""
    definition = re.compile(rf"^[ \t]*def[ \t]+{re.escape(name)}\b", re.M)
    assignment = re.compile(rf"^[ \t]*(?:[\w, \t]*,[ \t]*)?{re.escape(name)}[ \t]*(?:,[^=\n]*)?=(?!=)",
                            re.M)
    for count, source in sorted(_inputs(shell).items(), reverse=True):
        if definition.search(source):
            return count, source, "def"
        if assignment.search(source):
            return count, source, "set"
    return None


def _syntax_error(shell, source):
    """The SyntaxError raised when ``source`` is compiled as IPython would, or None."""
    try:
        compile(shell.transform_cell(source), "<cell>", "exec")
    except SyntaxError as error:
        return error
    except Exception:  # noqa: BLE001 - anything else: the cell compiles as far as we can tell
        return None
    return None


def message_lines(shell, name, test_source=""):
    """``(sentence, extra lines)`` for a test cell stopped because ``name`` is not defined.

    ``name`` is a graded function when a cell defines it with ``def`` or when the test cell
    is its test (``public_tests.propagate_test(propagate)``); else it is a value a data step sets.
    """
    tested = re.search(rf"{re.escape(TEST_CALL)}{re.escape(name)}(?:_vectorized)?_test\(",
                       test_source)
    found = _defining_cell(shell, name)
    if found is not None:
        count, source, kind = found
        error = _syntax_error(shell, source)
        if error is not None:
            sentence = hints.SYNTAX_ERROR.format(name=name, error=error.msg)
            where = hints.WHERE_CELL.format(count=count, line=error.lineno)
            lines = [hints.YOUR_LINE.format(where=where)]
            text = (error.text or "").rstrip("\n")
            if text.strip():
                indent = len(text) - len(text.lstrip())
                lines.append("    " + text.strip())
                if error.offset:
                    lines.append("    " + " " * max(error.offset - 1 - indent, 0) + "^")
            return sentence, lines
        tested = tested or kind == "def"
    if tested:
        return hints.NAME_NOT_DEFINED.format(name=name,
                                             advice=hints.NOT_DEFINED.format(name=name)), []
    return hints.NAME_NOT_DEFINED.format(name=name, advice=hints.NOT_SET.format(name=name)), []


def _test_cell_source(tb):
    """The source of the test cell whose own line raised the error (not a function it called),
    or ''."""
    last = tb
    while last.tb_next is not None:
        last = last.tb_next
    code = last.tb_frame.f_code
    if code.co_name != "<module>":
        return ""
    # IPython keeps each cell's source in linecache under the cell's file name.
    source = "".join(linecache.getlines(code.co_filename))
    return source if TEST_CALL in source else ""


def install(failure_class):
    """Show a test cell's NameError as one ``failure_class`` message (see the module docstring).

    Does nothing outside IPython. The handler never raises: on any problem of its own it shows
    the error as IPython would have.
    """
    try:
        shell = get_ipython()  # noqa: F821 - IPython's builtin
    except NameError:
        return

    def show(shell, etype, value, tb, tb_offset=None):
        try:
            missing = re.search(r"name '(\w+)' is not defined", str(value))
            test_source = _test_cell_source(tb) if missing else ""
            if test_source:
                sentence, extra = message_lines(shell, missing.group(1), test_source)
                failure = failure_class(sentence)
                lines = failure._render_traceback_() + extra
                # The cell's result names the failure too, as the reply to the frontend does
                # (nbgrader's Validate adds the reply's error again when the names differ).
                result = getattr(shell.displayhook, "exec_result", None)
                if result is not None and result.error_in_exec is value:
                    result.error_in_exec = failure
                    shown = failure_class
                else:
                    shown = etype
                shell._showtraceback(shown, failure, lines)
                return lines
        except Exception:  # noqa: BLE001 - never hide the student's error behind ours
            pass
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None

    shell.set_custom_exc((NameError,), show)
