"""Messages as data: a message id and its parameters, rendered into words only where a person
reads them (a test cell's output, the feedback page, the instructor report).

A :class:`Message` is ``(id, params)``; a parameter is a number, a text, a tuple (a shape) or
another Message (rendered first). The words come from a catalog, a dict ``message id ->
template`` (``str.format`` syntax): :func:`english` is the course's own, the hint sentences of
the assignment's ``hints.py`` (read from its syntax tree by :mod:`.sentences`, the one place
each is defined) and :data:`SUMMARIES`, the judge's own sentences saying what was checked or
what differed. Another edition renders the same records with its own catalog (same ids).

A verdict's record (see :meth:`.verdict.Verdict.record`) holds Messages as JSON
(:meth:`Message.to_json`); :meth:`Message.from_json` reads them back, and nothing reads the
rendered words back.
"""

import ast
import functools
from dataclasses import dataclass

from ..facts import DEFAULT_ASSIGNMENT, source_dir

__all__ = ["Message", "say", "english", "render", "read_hints", "read_hints_of", "SUMMARIES",
           "reason_of", "language_of", "catalog_for", "translated"]


@dataclass(frozen=True)
class Message:
    """A message id and its parameters (sorted ``(name, value)`` pairs: hashable, comparable)."""

    id: str
    params: tuple = ()

    def format(self, **params):
        """This message with more parameters (``HINTS.SHAPE.format(q="dw", expected=(3, 1))``)."""
        merged = dict(self.params)
        merged.update(params)
        return Message(self.id, tuple(sorted(merged.items())))

    def render(self, catalog=None):
        """The message in words, from ``catalog`` (default: :func:`english`)."""
        return render(self, catalog)

    def __str__(self):
        return self.render()

    def __contains__(self, text):  # "... in verdict.hint" reads the English words
        return text in self.render()

    def to_json(self):
        return {"id": self.id, "params": {name: _to_json(value) for name, value in self.params}}

    @classmethod
    def from_json(cls, data):
        """A Message from :meth:`to_json`'s dict; ValueError when it is not one."""
        if not (isinstance(data, dict) and isinstance(data.get("id"), str)
                and isinstance(data.get("params", {}), dict)):
            raise ValueError("not a message record")
        return cls(data["id"], tuple(sorted((str(k), _from_json(v))
                                            for k, v in data.get("params", {}).items())))


def say(message_id, **params):
    """The message ``message_id`` with ``params``."""
    return Message(message_id, tuple(sorted(params.items())))


def _to_json(value):
    if isinstance(value, Message):
        return {"message": value.to_json()}
    if isinstance(value, tuple):
        return {"tuple": [_to_json(v) for v in value]}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return str(value)


def _from_json(value):
    if isinstance(value, dict) and "message" in value:
        return Message.from_json(value["message"])
    if isinstance(value, dict) and isinstance(value.get("tuple"), list):
        return tuple(_from_json(v) for v in value["tuple"])
    return value


class _Missing(dict):
    def __missing__(self, key):  # a template's parameter the message lacks: shown as is
        return "{" + key + "}"


def render(message, catalog=None):
    """The words of ``message`` (a Message, or plain text given as is) from ``catalog``."""
    if not isinstance(message, Message):
        return "" if message is None else str(message)
    catalog = english() if catalog is None else catalog
    template = catalog.get(message.id)
    if template is None:
        return message.id
    params = _Missing({name: render(value, catalog) if isinstance(value, Message) else value
                       for name, value in message.params})
    return template.format_map(params)


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


@functools.cache
def read_hints_of(assignment=DEFAULT_ASSIGNMENT):
    """The assignment's hint sentences by name (a catalog: message id -> template), read once."""
    return read_hints(source_dir(assignment) / "hints.py")


def english(assignment=None):
    """The English catalog: the assignment's hints (``hints.py``) and :data:`SUMMARIES`."""
    return {**read_hints_of(assignment or DEFAULT_ASSIGNMENT), **SUMMARIES}


def reason_of(error):
    """The Message an exception of the judge carries (its first argument), else its text."""
    first = error.args[0] if error.args else None
    return first if isinstance(first, Message) else say("TEXT", text=str(error))


#: The language of each edition, by the suffix of its assignment's name (gettext's names).
EDITION_LANGUAGES = {"_zh": "zh_CN"}


def language_of(assignment):
    """The language a student of ``assignment`` reads: ``"zh_CN"`` for ``*_zh``, else ``"en"``.

    The language follows the assignment handed in, never the grader's locale.
    """
    for suffix, language in EDITION_LANGUAGES.items():
        if assignment and assignment.endswith(suffix):
            return language
    return "en"


@functools.cache
def translated(language, name="judge.po"):
    """``{message id: translated template}``: the finished translations (neither fuzzy nor
    empty) of the catalog ``i18n/<language>/<name>`` (``msgctxt`` is the message id)."""
    import polib

    from ..facts import REPO_ROOT

    path = REPO_ROOT / "i18n" / language / name
    if not path.exists():
        return {}
    return {e.msgctxt: e.msgstr for e in polib.pofile(str(path))
            if e.msgstr and not e.fuzzy and not e.obsolete and e.msgctxt}


def catalog_for(assignment=None):
    """The catalog a student of ``assignment`` reads: its own ``hints.py`` (the edition's, so
    the visible and hidden tests name a mistake in the same words) and the grader's sentences
    in the edition's language (:func:`translated`; English for a sentence not translated)."""
    assignment = assignment or DEFAULT_ASSIGNMENT
    try:
        hints = read_hints_of(assignment)
    except FileNotFoundError:  # an assignment this course does not know: the default's hints
        hints = read_hints_of(DEFAULT_ASSIGNMENT)
    language = language_of(assignment)
    own = SUMMARIES if language == "en" else {
        **SUMMARIES, **{k: v for k, v in translated(language).items() if k in SUMMARIES}}
    return {**hints, **own}


#: The judge's own sentences (what was checked, what differed), by message id.
SUMMARIES = {
    # the frame of every verdict
    "PASSED": "{test_id}: {what}",
    "FUNCTION_PASSED": "{name} passed every hidden test.",
    "AT": "{where}: {what}",
    "HIDDEN_CASE": "{call} on a hidden input with {description}",
    "CHECK_CASE": "{call} on {m} examples",
    # what a hidden input's description says (cases.py)
    "Z_OF_SHAPE": "z of shape {shape}",
    "Z_PYTHON_FLOAT": "a Python float z",
    "Z_NUMPY_FLOAT": "a numpy float z",
    "Z_INTEGERS_OF_SHAPE": "an integer array z of shape {shape}",
    "Z_LARGE_OF_SHAPE": "large |z| (up to {bound}), shape {shape}",
    "LARGE_Z_AND": "large |z| (up to {bound}), {then}",
    "FEATURES_EXAMPLES": "n = {n} feature{s}, m = {m} example{s2}",
    "FEATURES_TRAIN_TEST": "n = {n} feature{s}, {m_train} training and {m_test} test example{s2}",
    "TRAINING_CASE": "{sizes}, {iterations} iteration{s}, learning rate {learning_rate}",
    "TIMED_CASE": "{call} on {m} examples of {n} feature{s}",
    # passes of the cells that are not one function's
    "DATASET_SHAPES_PASSED": "m_train, m_test and num_px are right.",
    "FLATTEN_PASSED": "both sets are flattened right: one picture per column.",
    "STANDARDIZE_PASSED": "both sets are scaled right.",
    "VECTORIZED_PASSED": "{name} is vectorized (no loop over the examples).",
    # calls
    "NOT_DEFINED_SUMMARY": "{name} is not defined.",
    "NOT_A_FUNCTION_SUMMARY": "{name} is {what}, not a function.",
    "RAISED": "{name} raised {kind}{said}{at}",
    "RAISED_TEXT": ": {text}",
    "RAISED_TEXT_VISIBLE": " (on the visible example it says: {text})",
    "RAISED_TEXT_HIDDEN": " (its message is not shown: it may quote the hidden input; the "
                          "visible test shows it)",
    "RAISED_AT": " (at: {line})",
    "OWN_ERROR_TYPE": "an exception of its own type",
    "NO_USABLE_ANSWER": "no usable answer from your code ({reason}).",
    "NO_ANSWER_FROM_CODE": "{test_id}: your code did not answer ({reason}).",
    "RETURNED_NONE": "{name} returned None.",
    "NO_JUDGE_SUMMARY": "{test_id}: the grader has no judge for this cell.",
    "NOT_JUDGED_STOPPED": "Not judged: {why}.",
    "NOT_RUN_STOPPED": "Not run: {why} in cell {cell} of the notebook.",
    "NOT_JUDGED_AFTER": "Not judged: {why} in {test_id}.",
    "PARAMETERS_DIFFER": "def {name}({got}): the parameters differ from the template's.",
    "POSITIONAL_COUNT": "it takes {got} positional parameters, not {wanted}",
    "MISSING_MISSPELLED": "`{name}` is missing (misspelled `{close}`?)",
    "JOINED": "{first}; {rest}",
    "GLOBAL_NUM_PX": "the notebook's global num_px",
    "THE_CONSTANT": "the constant {value}",
    "ANOTHER_NUMBER_OF": "another number of",
    # comparisons
    "COUNT_DIFFERS": "{q} has {more_or_fewer} entries than the {expected} expected.",
    "MORE": "more",
    "FEWER": "fewer",
    "SHAPE_DIFFERS": "{q} has shape {actual}, expected {expected}.",
    "OTHER_SHAPE": "{q} has another shape than the expected {expected}.",
    "VALUE_DIFFERS": "{q} differs from the expected value.",
    "VALUES_DIFFER": "{q} has the right shape {shape}, but its values differ from the expected "
                     "ones.",
    "PROPAGATE_SWAPPED_SUMMARY": "propagate(w, b, X, Y) returned (cost, grads), expected "
                                 "(grads, cost).",
    # types of results (accept)
    "NOT_A_NUMBER_SUMMARY": "{label} is {what}, expected a single number.",
    "SCALAR_ARRAY_SUMMARY": "{label} is an array of shape {shape}, expected a single number.",
    "NOT_AN_ARRAY_SUMMARY": "{label} is {what}, expected a numpy array.",
    "RETURN_VALUES_SUMMARY": "{label} returned {what}, expected {length} values.",
    "NOT_A_DICT_SUMMARY": "{label} is {what}, expected a dict with keys {keys}.",
    "MISSING_KEYS_SUMMARY": "{label} has no key {keys}.",
    "NOT_A_LIST_SUMMARY": "{label} is {what}, expected a list.",
    "NOT_AN_INTEGER_SUMMARY": "{label} is {what}{shown}, expected an integer.",
    "DESCRIBE_SHAPE": "a {kind} of shape {shape}",
    "DESCRIBE_AXES": "a {kind} of {axes} axes",
    "DESCRIBE_1D": "a 1-d {kind}",
    "DESCRIBE_LENGTH": "a {kind} of length {length}",
    "DESCRIBE_LONG": "a long {kind}",
    "DESCRIBE": "a {kind}",
    "CUSTOM_TYPE": "custom type",
    # data steps
    "NO_NOTEBOOK_ANSWER": "{name}: no usable answer from your notebook ({reason}).",
    "NO_SAMPLES": "{name}: your notebook did not return the requested values.",
    "COUNT_WRONG": "{name} = {got}, expected {expected}.",
    "OTHER_SET_SUMMARY": "{label} holds the other set's pictures.",
    "COLUMNS_MIX": "{label} has the right shape {shape} but its columns mix pixels of several "
                   "pictures.",
    "FLATTEN_SCALED_SUMMARY": "{label} holds values scaled to [0, 1], expected the raw pixels "
                              "0-255.",
    "OTHER_VALUES": "{label} has the right shape {shape} but other values.",
    "RAW_PIXELS": "{label} has the raw pixel values 0-255, expected values in [0, 1].",
    "ZEROS_AND_ONES": "{label} has only the values 0 and 1.",
    "CENTRED_SUMMARY": "{label} has mean 0: it was centred, expected pixels scaled to [0, 1].",
    "SCALED_OTHERWISE": "{label} has the right shape but other values ({biggest}expected max "
                        "{expected:.4g}).",
    "BIGGEST": "max {value:.4g}, ",
    # vectorization
    "NOT_RIGHT_NOT_JUDGED": "{where}: the result is not right, so vectorization is not judged "
                            "(see {name}'s own test above).",
    "UNANSWERED_NOT_JUDGED": "{why}, so vectorization is not judged.",
    "TIMING_UNANSWERED": "{where}: no usable answer from your code ({reason})",
    "TIMING_RAISED": "{where}: your code raised an error",
    "TIMING_WRONG": "{where}: the results are not right",
    "LOOPS_SUMMARY": "{name} loops in Python: with {growth} times more examples, or "
                     "{features_growth} times more features, its CPU time grew at least "
                     "{loop_from:g} times as much as whole-array code's, twice.",
    # hints the judge gives that hints.py does not hold
    "MODEL_READS_DATA_GLOBALS": "model uses the notebook's global data (train_set_x, "
                                "train_set_y, ...) instead of its arguments X_train, Y_train, "
                                "X_test, Y_test.",
    "TEXT": "{text}",
    # why a probe gave no usable answer (the reason of NO_USABLE_ANSWER and its kin)
    "PROBE_NO_ANSWER_IN_TIME": "no answer within {seconds} s (interrupted)",
    "PROBE_ENDED_WITHOUT_ANSWER": "the child finished the probe without an answer",
    "PROBE_ANSWER_TOO_LARGE": "the child sent {detail}",
    "PROBE_ANSWER_MALFORMED": "the child's answer was not well-formed",
    "PROBE_ANSWER_UNSENDABLE": "the probe failed in the kernel (its result could not be sent)",
    "PROBE_FAILED_IN_KERNEL": "the probe failed in the kernel: {error}",
    "KERNEL_ANSWER_MALFORMED": "the kernel's answer was not well-formed ({detail})",
    "IGNORED_INTERRUPT_AFTER": "the code ignored the interrupt after {seconds} s",
    "JUDGE_CHILD_DIED": "the judge child died",
    "JUDGE_CHILD_BROKE_OFF": "the judge child broke off while running a cell",
    # why the cells from some point on were not run or judged (the {why} of NOT_RUN_STOPPED...)
    "STOPPED_IGNORED_INTERRUPT_IN_CELL": "your code ignored the interrupt in cell {cell}",
    "STOPPED_KERNEL_DIED_IN_CELL": "the kernel died in cell {cell}",
    "STOPPED_JUDGE_IGNORED_INTERRUPT": "the judging kernel ignored the interrupt",
    "STOPPED_KERNEL_DIED": "the kernel died",
    "STOPPED_KERNEL_STOPPED": "the kernel ignored the interrupt at the time limit and was stopped",
    # NOT_RUN_STOPPED names the cell: "Not run: {why} in cell {cell} of the notebook."
    "STOPPED_REPLY_FLOOD": "your code sent the grader more replies than a cell has",
    "STOPPED_OUT_OF_TIME": "your notebook used the {seconds} s a submission's code may take in "
                           "all",
    # what the grader writes into a cell's output when the kernel fails there
    "KERNEL_DIED_OUTPUT": "The Python kernel died while running this cell (os._exit, a crash, "
                          "out of memory or over a resource limit); the cells after it were not "
                          "run.",
    "CELL_TIMEOUT_OUTPUT": "This cell ran past the {seconds} s limit and ignored the interrupt, "
                           "so its kernel was stopped; the cells after it were not run.",
    "INTERRUPTED_WITHOUT_REPLY_OUTPUT": "This cell was interrupted (at its time limit or its "
                                        "output limit) and sent no reply; the cells after it "
                                        "were run.",
    "REPLY_DROPPED_OUTPUT": "This cell's reply to the grader was over the {mb} MB it accepts "
                            "(an error message that long?) and was dropped; the cells after it "
                            "were run.",
    "REPLY_FLOOD_OUTPUT": "This cell sent the grader frames on the kernel's reply channel (a "
                          "cell has one reply), so its kernel was stopped; the cells after it "
                          "were not run.",
    "NOT_RERUN": "[not re-run during grading: no grade depends on this cell; the output below is "
                 "the student's own]",
    # what the grader writes into a cell whose output went over a limit (output_limits)
    "OUTPUT_CELL_TRUNCATED": "[grader] Output truncated: this cell's output went over the {mb} MB "
                             "the grader keeps per cell; the rest was dropped.",
    "OUTPUT_NOTEBOOK_TRUNCATED": "[grader] Output truncated: the notebook's outputs went over the "
                                 "{mb} MB the grader keeps; the rest was dropped.",
    "OUTPUT_MESSAGE_DROPPED": "[grader] A message of this cell's output was over the {mb} MB the "
                              "grader accepts and was dropped.",
    "OUTPUT_BYTES_DROPPED": "({count} bytes)",
    "OUTPUT_CELL_MESSAGES": "[grader] This cell sent more than {count} output messages, the most "
                            "the grader reads from one cell: it was interrupted there, and the "
                            "rest of its output dropped. No grade depends on it.",
    "OUTPUT_NOTEBOOK_MESSAGES": "[grader] The notebook's cells sent more than {count} output "
                                "messages, the most the grader reads from a notebook: this cell "
                                "was interrupted, and the rest of its output dropped. No grade "
                                "depends on it.",
    "OUTPUT_NOTEBOOK_BYTES_READ": "[grader] The notebook's cells sent more than {mb} MB of "
                                  "output, the most the grader reads from a notebook: this cell "
                                  "was interrupted, and the rest of its output dropped. No grade "
                                  "depends on it.",
    "JUDGE_KERNEL_DIED_OUTPUT": "The judging kernel died while this cell was judged (os._exit, "
                                "a crash, out of memory or over a resource limit); the test "
                                "cells after it are not judged.",
}
