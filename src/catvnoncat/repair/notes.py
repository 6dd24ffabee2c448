"""What a repair says, as data: a message id and its parameters, in the student's language.

Each repair (and each file set aside) is a :class:`Note`: a ``str`` holding its English words,
what the log, the instructor's report and the notebook's ``catvnoncat.repairs`` metadata keep,
and its :class:`~catvnoncat.judge.messages.Message` (``note.message``), which the note at the top
of the autograded notebook, so the feedback page, renders in the language of the edition handed
in (:func:`repair_catalog`; ``i18n/zh_CN/judge.po`` holds the Chinese of :data:`REPAIR_NOTES`).
"""

from ..judge.messages import Message, language_of, render, say, translated

__all__ = ["REPAIR_NOTES", "Note", "repair_catalog", "count_word", "ordinal_word", "listed"]

#: The repair sentences (message id -> English template), one place for each.
REPAIR_NOTES = {
    "REPAIR_NOTE_HEADING": "**Repaired before grading.** Your notebook could not be graded as it "
                           "was submitted; the grader repaired it first, without changing your "
                           "code:",
    # files set aside before grading (quarantine.py)
    "SET_ASIDE": "{path} was set aside and not graded: {why}",
    "WHY_SYMBOLIC_LINK": "it is a symbolic link, not a file (a submission is graded from its own "
                         "regular files only)",
    "WHY_NAMED_PIPE": "it is a named pipe (fifo), not a regular file",
    "WHY_SOCKET": "it is a socket, not a regular file",
    "WHY_DEVICE": "it is a device file, not a regular file",
    "WHY_SPECIAL_FILE": "it is not a regular file",
    "WHY_HARD_LINK": "it is a hard link to another file of the course, not a file of the "
                     "student's own",
    "WHY_FILE_TOO_LARGE": "it is larger than the {mb} MB allowed per file",
    "WHY_TOO_MANY_FILES": "the submission holds more than the {count} files and folders allowed",
    "WHY_TOTAL_TOO_LARGE": "the submission's files together exceed the {mb} MB allowed",
    "WHY_TOO_DEEP": "it is nested more than {depth} folders deep",
    "WHY_ODD_NAME": "its name holds control characters or is not valid text",
    "WHY_TIMESTAMP_UNREADABLE": "it cannot be read as a submission time, so your submission was "
                                "graded without one",
    "WHY_UNCHECKED": "the submission's files could not be checked, so none of them was graded",
    "MORE_ENTRIES": "{first} and {count} more files and folders",
    # the notebook graded (steps/repair.py, files.py)
    "GRADED_AS": "graded {original} as {notebook}",
    "RELEASE_IN_PLACE": "no {notebook} of your own was left to grade: the released notebook, "
                        "unanswered, was graded in its place",
    "BYTE_ORDER_MARK": "the file began with a byte-order mark (saved by a Windows editor): read "
                       "without it",
    # inside the notebook (notebook.py)
    "DUPLICATE_ONE_OTHER": "{count} cells had grade id {gid}: graded the {which} (cell {cell}); "
                           "the other is kept as a plain cell, not graded",
    "DUPLICATE_OTHERS": "{count} cells had grade id {gid}: graded the {which} (cell {cell}); the "
                        "others are kept as plain cells, not graded",
    "METADATA_RESTORED": "the nbgrader metadata of {count} cell{s} was missing or damaged: "
                         "restored from the release notebook for {names} (each found by its "
                         "position and content)",
    "METADATA_LOST": "{count} cell{s} with damaged nbgrader metadata matched no release cell "
                     "(cell{s} {cells}): kept as plain cells",
    "EMPTY_ENTRY_REMOVED": "removed an empty nbgrader entry from {count} cell{s} (nbgrader fails "
                           "on it)",
    "GRADE_CELL_PUT_BACK": "cell {gid} was missing: put back as released (cell {cell}), so that "
                           "the rest of the notebook could be graded",
    "ATTACHMENTS_DROPPED": "cell {gid} had been turned into a {cell_type} cell with attachments: "
                           "graded as a code cell, without the attachments",
    # words inside the sentences
    "LIST_AND": "{items} and {last}",
    "LIST_COMMA": "{first}, {rest}",
    "COUNT_2": "two",
    "COUNT_3": "three",
    "COUNT_4": "four",
    "COUNT_5": "five",
    "ORDINAL_1": "first",
    "ORDINAL_2": "second",
    "ORDINAL_3": "third",
    "ORDINAL_4": "fourth",
    "ORDINAL_5": "fifth",
    "ORDINAL_N": "number {n}",
}


class Note(str):
    """One repair sentence: ``str`` of its English words, and ``message``, its record.

    Parameters
    ----------
    message_id : str
        A key of :data:`REPAIR_NOTES`.
    **params
        The template's values: numbers, texts, or other Notes / Messages (rendered first, in
        the same language).
    """

    message: Message

    def __new__(cls, message_id, **params):
        message = say(message_id, **{name: getattr(value, "message", value)
                                     for name, value in params.items()})
        note = super().__new__(cls, render(message, REPAIR_NOTES))
        note.message = message
        return note


def repair_catalog(assignment=None):
    """The repair sentences a student of ``assignment`` reads (English where not translated)."""
    language = language_of(assignment)
    if language == "en":
        return REPAIR_NOTES
    return {**REPAIR_NOTES, **{k: v for k, v in translated(language).items() if k in REPAIR_NOTES}}


def count_word(n):
    """``2`` -> "two" (a Note up to five; the digits beyond)."""
    return Note(f"COUNT_{n}") if 2 <= n <= 5 else str(n)


def ordinal_word(index):
    """``0`` -> "first" (0-based ``index``)."""
    return Note(f"ORDINAL_{index + 1}") if index < 5 else Note("ORDINAL_N", n=index + 1)


def listed(items):
    """``["a", "b", "c"]`` -> "a, b and c" (one item: itself)."""
    items = [str(item) for item in items]
    if len(items) == 1:
        return items[0]
    head = items[-2]
    for item in reversed(items[:-2]):
        head = Note("LIST_COMMA", first=item, rest=head)
    return Note("LIST_AND", items=head, last=items[-1])
