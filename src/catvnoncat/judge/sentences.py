"""The hint sentences, from the student-facing ``hints.py`` the visible tests use too.

One source for every sentence that names a mistake: the assignment's ``hints.py`` (released to
students with ``public_tests.py``). The judge reads the instructor's copy in ``source/``.
"""

from ..course import student_module

#: The assignment's hints module (``HINTS.RETURNS_NONE.format(name=...)``, ...).
HINTS = student_module("hints.py")
