"""The course secret the hidden inputs are drawn from, and the key it makes for one student.

The hidden inputs' code is public (this repository); their values are not: every random draw of
:mod:`.cases` (and the grader-chosen sample positions of :mod:`.data_steps`) comes from a
:class:`HiddenKey`, a SHA-256 of the course secret, the student's id and the draw's label. The
same secret and student give the same inputs (grading again gives the same grades); another
secret, or another student, gives other values of the same sizes.

Where the secret comes from (:func:`read_secret`), first found wins:

1. ``$CATVNONCAT_SECRET`` (:data:`~catvnoncat.facts.SECRET_ENV`): for Dask workers on machines
   without the course folder's secret file, for CI, for tests;
2. ``<course folder>/.catvnoncat_secret`` (:data:`~catvnoncat.facts.SECRET_FILE`): git-ignored
   and in ``CourseDirectory.ignore``, so it never reaches a commit, a release or a feedback;
3. none: the first grading (``nbgrader autograde``, ``catvnoncat grade``, ``make demo``)
   generates one into the course folder and logs where (a warning, on the grader's log); a
   read that may not create (a grading worker) raises :class:`MissingSecret`. There is no public
   fallback: without a secret nothing is graded.

The secret never enters a student's process: it is read by the grading process, which draws
the inputs; sandboxed kernels get a cleared environment and no view of the course folder.
"""

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..facts import SECRET_ENV, SECRET_FILE

__all__ = ["HiddenKey", "MissingSecret", "read_secret", "secret_digest", "course_key",
           "MIN_SECRET_CHARS"]

LOG = logging.getLogger(__name__)

#: The shortest secret accepted (a generated one has 64 hex digits).
MIN_SECRET_CHARS = 16
_DOMAIN = b"catvnoncat hidden inputs v1\0"


class MissingSecret(RuntimeError):
    """No course secret where one is needed (and this caller may not create one)."""


@dataclass(frozen=True)
class HiddenKey:
    """Where the hidden inputs of one grading come from: the course secret and a student id.

    Attributes
    ----------
    secret : bytes
        Never shown (not in ``repr``).
    student : str
        nbgrader's student id ('' when grading outside nbgrader: the same inputs for everyone).
    """

    secret: bytes = field(repr=False)
    student: str = ""

    def __post_init__(self):
        if len(self.secret) < MIN_SECRET_CHARS:
            raise ValueError(f"a course secret has at least {MIN_SECRET_CHARS} characters")

    def words(self, label):
        """Eight 32-bit words drawn from (secret, student, ``label``): a seed for numpy."""
        digest = hashlib.sha256(_DOMAIN + self.secret + b"\0" + self.student.encode() + b"\0"
                                + str(label).encode()).digest()
        return [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 32, 4)]

    def rng(self, label):
        """A numpy generator for the draw named ``label`` (e.g. ``"propagate/1"``)."""
        return np.random.default_rng(self.words(label))

    @property
    def tag(self):
        """A short public name of this key, for cache keys and logs (reveals nothing of it)."""
        return hashlib.sha256(b"tag\0" + self.secret + b"\0" + self.student.encode()).hexdigest()[:16]

    @classmethod
    def from_environment(cls, student=""):
        """The key of ``$CATVNONCAT_SECRET``; :class:`MissingSecret` when it is not set."""
        value = os.environ.get(SECRET_ENV, "").strip()
        if not value:
            raise MissingSecret(
                f"no course secret: the hidden inputs are drawn from it. Set ${SECRET_ENV}, or "
                f"grade in a course folder (nbgrader autograde creates {SECRET_FILE} there)")
        return cls(_checked(value, SECRET_ENV).encode(), student)


def _checked(value, where):
    if len(value) < MIN_SECRET_CHARS:
        raise MissingSecret(f"the course secret in {where} is shorter than {MIN_SECRET_CHARS} "
                            "characters: use a long random one, e.g. `python -c \"import "
                            "secrets; print(secrets.token_hex(32))\"`")
    return value


def read_secret(course_dir, create=False):
    """The course secret (bytes): ``$CATVNONCAT_SECRET``, else the course folder's file.

    Parameters
    ----------
    course_dir : path-like
    create : bool
        Generate the file when there is no secret at all (first grading), and log it.

    Raises
    ------
    MissingSecret
        No secret, and ``create`` is false; or a secret shorter than :data:`MIN_SECRET_CHARS`.
    """
    value = os.environ.get(SECRET_ENV, "").strip()
    if value:
        return _checked(value, f"${SECRET_ENV}").encode()
    path = Path(course_dir) / SECRET_FILE
    if not path.is_file() and create:
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another grading process made it first: use theirs
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(secrets.token_hex(32) + "\n")
            LOG.warning("No course secret was set: generated %s (the hidden inputs are drawn "
                        "from it). Keep it: grading again with another secret changes the "
                        "hidden inputs. Copy it to every grading machine's course folder, or "
                        "set $%s there.", path, SECRET_ENV)
    if not path.is_file():
        raise MissingSecret(
            f"no course secret in {path} and ${SECRET_ENV} is not set: the hidden inputs are "
            f"drawn from it. Copy the coordinator's {SECRET_FILE} into this course folder, or "
            f"set ${SECRET_ENV} (the same value on every grading machine)")
    return _checked(path.read_text(encoding="utf-8").strip(), str(path)).encode()


def secret_digest(course_dir):
    """A digest of the course secret in effect (for the course fingerprint), None when none."""
    try:
        secret = read_secret(course_dir)
    except MissingSecret:
        return None
    return hashlib.sha256(b"fingerprint\0" + secret).hexdigest()


def course_key(course_dir, student="", create=True):
    """The :class:`HiddenKey` of ``student`` in the course at ``course_dir``."""
    return HiddenKey(read_secret(course_dir, create=create), student or "")
