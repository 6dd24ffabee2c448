"""A verdict on one autograded part, and the failure a judge raises on the way to it."""

from dataclasses import asdict, dataclass

from .sentences import HINTS

__all__ = ["Verdict", "Failure", "GENERIC_HINT"]

#: The hint when no probable mistake was recognised.
GENERIC_HINT = HINTS.GENERIC


@dataclass(frozen=True)
class Verdict:
    """The judge's decision on one test cell: plain data (JSON-ready and picklable).

    Attributes
    ----------
    test_id : str
        The nbgrader grade id of the test cell.
    passed : bool
    summary : str
        What was checked (passed) or what differed (failed).
    hint : str
        One plain sentence naming the probable mistake ('' when passed).
    quantity : str or None
        The quantity that differed (``"dw"``, ``"costs"``, ...), when one did.
    notes : tuple of str
        Informational lines shown with a pass or a failure.
    """

    test_id: str
    passed: bool
    summary: str
    hint: str = ""
    quantity: str | None = None
    notes: tuple = ()

    def message(self):
        """What the student reads: the summary, then the hint on its own line."""
        return f"{self.summary}\n{self.hint}" if self.hint else self.summary

    def to_json(self):
        return {**asdict(self), "notes": list(self.notes)}


class Failure(Exception):
    """Raised inside a judge: ``summary`` (what differed), ``hint``, ``quantity``, ``actual``."""

    def __init__(self, summary, hint=None, quantity=None, actual=None):
        super().__init__(summary)
        self.summary = summary
        self.hint = hint
        self.quantity = quantity
        self.actual = actual

    def verdict(self, test_id):
        return Verdict(test_id, False, self.summary, self.hint or GENERIC_HINT, self.quantity)
