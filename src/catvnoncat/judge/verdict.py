"""A verdict on one autograded part, and the failure a judge raises on the way to it.

A verdict is data: the part (grade id), the outcome, the message ids and parameters of what was
checked or differed (``said``), of the probable mistake (``advice``) and of the notes. The
grader stores it as a record in the autograded notebook's cell metadata
(:data:`METADATA_KEY`, see :meth:`Verdict.record`), renders it into the test cell's output, and
the instructor report reads the records back (:meth:`Verdict.from_record`), never the words.
"""

from dataclasses import dataclass

from .messages import Message, render, say
from .sentences import HINTS

__all__ = ["Verdict", "Failure", "GENERIC_HINT", "METADATA_KEY", "RECORD_VERSION",
           "record_of"]

#: The hint when no probable mistake was recognised.
GENERIC_HINT = HINTS.GENERIC
#: Where a verdict's record lives: ``cell.metadata[METADATA_KEY]["verdict"]``.
METADATA_KEY = "catvnoncat"
#: The version of the record's layout.
RECORD_VERSION = 1
#: Outcomes a record may hold.
OUTCOMES = ("passed", "failed", "not judged")


def _message(value):
    """A Message for ``value`` (plain text from outside the judge is kept as a TEXT message)."""
    if value is None or isinstance(value, Message):
        return value
    return say("TEXT", text=str(value))


@dataclass(frozen=True)
class Verdict:
    """The judge's decision on one test cell: plain data (JSON-ready and picklable).

    Attributes
    ----------
    test_id : str
        The nbgrader grade id of the test cell.
    passed : bool
    said : Message
        What was checked (passed) or what differed (failed).
    advice : Message or None
        The probable mistake (None when passed).
    quantity : str or None
        The quantity that differed (``"dw"``, ``"costs"``, ...), when one did.
    notes : tuple of Message
        Informational lines shown with a pass or a failure.
    judged : bool
        False when the cell could not be judged (the kernel died before it, ...).
    """

    test_id: str
    passed: bool
    said: Message
    advice: Message | None = None
    quantity: str | None = None
    notes: tuple = ()
    judged: bool = True

    def __post_init__(self):
        object.__setattr__(self, "said", _message(self.said))
        object.__setattr__(self, "advice", _message(self.advice))
        object.__setattr__(self, "notes", tuple(_message(n) for n in self.notes))

    @property
    def summary(self):
        """``said`` in English words."""
        return render(self.said)

    @property
    def hint(self):
        """``advice`` in English words ('' when there is none)."""
        return render(self.advice) if self.advice is not None else ""

    @property
    def outcome(self):
        return "passed" if self.passed else "failed" if self.judged else "not judged"

    def message(self, catalog=None):
        """What the student reads: the summary, then the hint on its own line."""
        summary = render(self.said, catalog)
        return f"{summary}\n{render(self.advice, catalog)}" if self.advice else summary

    def note_lines(self, catalog=None):
        return [render(note, catalog) for note in self.notes]

    def record(self, points=None, max_points=None):
        """The verdict as a JSON-ready record: part, points, outcome, message ids, parameters."""
        return {"version": RECORD_VERSION, "part": self.test_id, "outcome": self.outcome,
                "points": points, "max_points": max_points,
                "message": self.said.to_json(),
                "hint": self.advice.to_json() if self.advice is not None else None,
                "quantity": self.quantity,
                "notes": [note.to_json() for note in self.notes]}

    @classmethod
    def from_record(cls, record):
        """The Verdict of :meth:`record`'s dict; ValueError when it is not one."""
        if not isinstance(record, dict) or record.get("outcome") not in OUTCOMES \
                or not isinstance(record.get("part"), str):
            raise ValueError("not a verdict record")
        hint = record.get("hint")
        return cls(record["part"], record["outcome"] == "passed",
                   Message.from_json(record.get("message")),
                   Message.from_json(hint) if hint is not None else None,
                   record.get("quantity"),
                   tuple(Message.from_json(n) for n in record.get("notes") or ()),
                   record["outcome"] != "not judged")

    def to_json(self):
        return self.record()


def record_of(cell):
    """The verdict record stored in a notebook cell's metadata, else None."""
    found = cell.get("metadata", {}).get(METADATA_KEY, {})
    return found.get("verdict") if isinstance(found, dict) else None


class Failure(Exception):
    """Raised inside a judge: what differed (``summary``, a Message), the probable mistake
    (``hint``), the ``quantity`` and its decoded ``actual`` value, and ``where`` (the case)."""

    def __init__(self, summary, hint=None, quantity=None, actual=None, where=None):
        summary = _message(summary)
        super().__init__(summary.id)
        self.summary = summary
        self.hint = hint
        self.quantity = quantity
        self.actual = actual
        self.where = where

    def verdict(self, test_id):
        said = self.summary if self.where is None else say("AT", where=self.where,
                                                           what=self.summary)
        return Verdict(test_id, False, said, self.hint or GENERIC_HINT, self.quantity)
