"""Instructor-only package of the catvnoncat course: reference solution, grading checks, data, CLI.

Never copied into ``source/`` or ``release/``; hidden tests import it at grading time.
"""

__version__ = "0.1.0"
