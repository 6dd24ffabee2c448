"""The course's nbgrader pipelines: nbgrader's default lists with documented changes.

Each pipeline is nbgrader's default list of steps (read from nbgrader itself, so a new nbgrader's
own steps are kept) with the changes in :data:`CHANGES`: steps replaced by this course's
subclasses, steps put first, before or after one of nbgrader's. ``tests/test_nbgrader_ext.py``
checks each result against nbgrader's default list, so a new nbgrader cannot change a pipeline
silently.
"""

from dataclasses import dataclass, field

from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, Execute, GetGrades, LimitOutput,
                                    OverwriteCells)

from .execute import ClearHiddenTestsInFeedback, ExecuteWithJudge, OverwriteCellsQuietly
from .feedback import PendingManualGrades
from .output_limits import LimitOutputBytes
from .repair import RepairSubmission
from .streams import CoalesceRunStreams
from .students import NameUnnamedStudents
from .tail import KeepTailOutputs, StashTailOutputs

__all__ = ["Changes", "CHANGES", "apply", "default", "sanitize", "autograde", "feedback"]


@dataclass(frozen=True)
class Changes:
    """What a pipeline changes in nbgrader's default list of steps.

    Attributes
    ----------
    replace : dict
        ``{nbgrader step: our step}``, the same position.
    first : list
        Steps put before everything.
    before, after : dict
        ``{nbgrader step: [our steps]}`` put right before / after that step (or its replacement).
    """

    replace: dict = field(default_factory=dict)
    first: list = field(default_factory=list)
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)


#: The documented changes, by pipeline (see each function's docstring for why).
CHANGES = {
    "sanitize": Changes(replace={OverwriteCells: OverwriteCellsQuietly},
                        first=[RepairSubmission], before={ClearOutput: [StashTailOutputs]}),
    "autograde": Changes(replace={Execute: ExecuteWithJudge},
                         before={Execute: [KeepTailOutputs]},
                         after={Execute: [CoalesceRunStreams, SanitizeHTML],
                                LimitOutput: [LimitOutputBytes],
                                CheckCellMetadata: [NameUnnamedStudents]}),
    "feedback": Changes(after={GetGrades: [PendingManualGrades, ClearHiddenTestsInFeedback,
                                           SanitizeHTML]}),
}

#: Where nbgrader declares each pipeline's default list: ``(converter class, trait name)``.
DEFAULTS = {
    "sanitize": (Autograde, "sanitize_preprocessors"),
    "autograde": (Autograde, "autograde_preprocessors"),
    "feedback": (GenerateFeedback, "preprocessors"),
}


def default(name):
    """nbgrader's own default list of steps for the pipeline ``name``."""
    converter, trait = DEFAULTS[name]
    return list(converter.class_traits()[trait].default())


def apply(steps, changes):
    """``steps`` with ``changes`` (a :class:`Changes`) made.

    Raises
    ------
    ValueError
        A step that ``changes`` names is not in ``steps`` (nbgrader renamed or dropped it): the
        pipeline would silently lose one of the course's steps.
    """
    named = {*changes.replace, *changes.before, *changes.after}
    missing = [s.__name__ for s in named if s not in steps]
    if missing:
        raise ValueError(f"nbgrader's default pipeline {[s.__name__ for s in steps]} lacks "
                         f"{', '.join(missing)}: review catvnoncat.steps.pipelines.CHANGES")
    result = list(changes.first)
    for step in steps:
        result.extend(changes.before.get(step, ()))
        result.append(changes.replace.get(step, step))
        result.extend(changes.after.get(step, ()))
    return result


def sanitize():
    """``Autograde.sanitize_preprocessors``.

    * :class:`RepairSubmission` first: duplicated grade ids and lost nbgrader metadata are
      repaired from the release before nbgrader's own checks.
    * :class:`StashTailOutputs` before ``ClearOutput``: keeps the outputs of the cells that will
      not be re-run.
    * ``OverwriteCells`` -> :class:`OverwriteCellsQuietly`: released test cells lack their
      hidden part by design; restore it without a warning.
    """
    return apply(default("sanitize"), CHANGES["sanitize"])


def autograde():
    """``Autograde.autograde_preprocessors``.

    * :class:`KeepTailOutputs` before ``Execute``: cells after the last test are not re-run.
    * ``Execute`` -> :class:`ExecuteWithJudge`: test cells are judged outside the kernel; a
      notebook kernel that dies or hangs costs the later cells' outputs, not their points.
    * :class:`CoalesceRunStreams` after it: consecutive stream outputs of a cell that was run
      merged, so that how the kernel happened to split a print (``"... ms"`` then ``"\\n"``, on a
      loaded machine) changes nothing in the autograded notebook.
    * ``SanitizeHTML`` after them: what student code displayed (HTML, JavaScript) is sanitized before
      the formgrader or feedback shows it.
    * :class:`LimitOutputBytes` after ``LimitOutput`` (which counts lines): each cell's and the
      notebook's outputs cut to a byte budget, with a note.
    * :class:`NameUnnamedStudents` last: a student autograde creates without a name (collected
      from the exchange) is listed by their id in the formgrader, not "None, None".
    """
    return apply(default("autograde"), CHANGES["autograde"])


def feedback():
    """``GenerateFeedback.preprocessors``.

    After ``GetGrades``, in this order:

    * :class:`PendingManualGrades`: says which answers still wait for a human grader.
    * :class:`ClearHiddenTestsInFeedback`: each test cell's visible part and verdict, never the
      hidden part.
    * ``SanitizeHTML``: no script or event handler written by a student.
    """
    return apply(default("feedback"), CHANGES["feedback"])
