"""``nbgrader collect`` that leaves collected submissions private.

nbgrader's collect copies each submission with ``shutil.copytree``, which keeps the modes the
student's ``submit`` gave it in the exchange: the submission folder is 0777 (so that the
instructor can delete it from the exchange later). In the course folder that makes
``submitted/<student>/<assignment>/`` writable by every user who can reach it: a classmate could
replace a notebook before grading. `PrivateCollect` removes every permission of "others" (and
group write, unless the course is groupshared) from what it copied and from the folders it made.
``nbgrader_config.py`` selects it with ``c.ExchangeFactory.collect``; the formgrader's Collect
button goes through it too.
"""

import os

from nbgrader.exchange.default.collect import ExchangeCollect


def _strip(path, bits):
    """Clear ``bits`` from the mode of ``path`` (never follows a symbolic link)."""
    if not os.path.islink(path):
        mode = os.lstat(path).st_mode & 0o7777
        if mode & bits:
            os.chmod(path, mode & ~bits)


def make_private(path, *, group_write=False):
    """Remove the "others" permissions of ``path`` and of everything under it, and group write
    unless ``group_write``; symbolic links are left alone."""
    bits = 0o007 if group_write else 0o027
    _strip(path, bits)
    for folder, _dirs, files in os.walk(path):
        _strip(folder, bits)
        for name in files:
            _strip(os.path.join(folder, name), bits)


class PrivateCollect(ExchangeCollect):
    """nbgrader's `ExchangeCollect`; each copy (and ``submitted/<student>/``) is then private."""

    def do_copy(self, src, dest, log=None):
        super().do_copy(src, dest, log)
        group_write = bool(self.coursedir.groupshared)
        make_private(dest, group_write=group_write)
        student_folder = os.path.dirname(dest)  # submitted/<student>, then submitted/
        for folder in (student_folder, os.path.dirname(student_folder)):
            _strip(folder, 0o007 if group_write else 0o027)
