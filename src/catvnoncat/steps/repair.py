"""The three places nbgrader runs the repairs, each set in ``nbgrader_config.py``: its
``pre_convert_hook``, its notebook exporter, and the first of its sanitizing preprocessors."""

import os
import shutil
from pathlib import Path

from nbconvert.exporters import NotebookExporter
from nbgrader.preprocessors import NbGraderPreprocessor

from ..repair.files import choose_notebook, read_notebook_bytes
from ..repair.notebook import record_repairs, repair_notebook
from ..repair.notes import Note
from ..repair.quarantine import (copied_from, record_copy, remove_stand_ins, set_aside_lines,
                                 set_aside_notebooks)
from ..repair.reference import course_reference, reference_from_gradebook

__all__ = ["pre_convert_hook", "NotebookReader", "RepairSubmission", "course_dirs"]


#: What the resources of a conversion carry from the reader to :class:`RepairSubmission`.
_READ_REPAIRS = "catvnoncat_read_repairs"


def course_dirs():
    """``(root, source, release, db_url)`` of the running nbgrader command (else the defaults)."""
    coursedir = None
    try:
        from nbgrader.apps.autogradeapp import AutogradeApp

        if AutogradeApp.initialized():
            coursedir = AutogradeApp.instance().coursedir
    except Exception:  # noqa: BLE001 - not inside nbgrader: the defaults below
        coursedir = None
    if coursedir is None:
        return Path.cwd(), "source", "release", None
    return Path(coursedir.root), coursedir.source_directory, coursedir.release_directory, \
        coursedir.db_url


def pre_convert_hook(assignment=None, student=None, notebooks=None, **_):
    """nbgrader's ``pre_convert_hook``: grade a renamed notebook under its released name.

    nbgrader calls it for each student folder with the list of notebooks it is about to grade
    (``notebooks``, absolute paths). First, whatever is not the student's own regular file is
    set aside (:mod:`.quarantine`). For each notebook of the assignment missing from the
    folder, the notebook chosen by :func:`choose_notebook` is copied under the released name,
    which is added to ``notebooks`` (nbgrader then grades it, and skips the renamed file as an
    unknown notebook). The student's file is left as it is. When the released notebook itself
    was set aside and nothing can replace it, its name stays in ``notebooks``:
    :class:`NotebookReader` grades the unanswered release in its place, which says why.
    """
    if not notebooks:
        return
    import logging

    log = logging.getLogger("catvnoncat.repair")
    root, source_dir, release_dir, _ = course_dirs()
    folders = {Path(n).parent for n in notebooks}
    remove_stand_ins(notebooks, root)  # catvnoncat grade's worker: what its coordinator set aside
    set_aside_notebooks(notebooks, root)
    for folder in sorted(folders):
        assignment_id = folder.name
        expected = {p.stem for p in (Path(root) / source_dir / assignment_id).glob("*.ipynb")}
        if not expected:
            expected = {p.stem for p in (Path(root) / release_dir / assignment_id).glob("*.ipynb")}
        present = {p.stem for p in folder.glob("*.ipynb")}
        for name in sorted(expected - present):
            reference = course_reference(root, source_dir, release_dir, assignment_id, name)
            chosen, why = choose_notebook(folder, name, reference, taken=expected)
            copy = folder / f"{name}.ipynb"
            if chosen is None:
                log.warning("%s: %s", folder, why)
                if set_aside_lines(root, folder.parent.name, folder.name):
                    # its notebook was set aside: NotebookReader says so
                    notebooks.append(os.fspath(copy))
                continue
            try:
                shutil.copyfile(chosen, copy)  # not a link: nbgrader copies what a link points to
                record_copy(root, copy, chosen)
            except OSError as e:
                log.warning("%s: cannot grade %s as %s (%s)", folder, chosen.name, copy.name, e)
                continue
            log.warning("%s: grading %s as %s (%s)", folder, chosen.name, copy.name, why)
            notebooks.append(os.fspath(copy))
    notebooks.sort()


class NotebookReader(NotebookExporter):
    """nbgrader's notebook exporter, which also reads a file with a byte-order mark."""

    def from_filename(self, filename, resources=None, **kw):
        if not os.path.lexists(filename):
            return self._release_in_place_of(filename, resources, **kw)
        with open(filename, "rb") as f:
            head = f.read(3)
        if not (head.startswith(b"\xef\xbb\xbf") or head[:2] in (b"\xff\xfe", b"\xfe\xff")):
            return super().from_filename(filename, resources, **kw)
        nb, repairs = read_notebook_bytes(Path(filename).read_bytes())
        resources = resources if resources is not None else {}
        metadata = resources.setdefault("metadata", {})
        path, base = os.path.split(filename)
        metadata["name"] = os.path.splitext(base)[0]
        metadata["path"] = path
        resources[_READ_REPAIRS] = repairs
        return self.from_notebook_node(nb, resources=resources, **kw)

    def _release_in_place_of(self, filename, resources=None, **kw):
        """The unanswered release notebook, for a submitted notebook that was set aside."""
        root, _, release_dir, _ = course_dirs()
        path = Path(filename)
        student, assignment = path.parent.parent.name, path.parent.name
        release = Path(root) / release_dir / assignment / path.name
        if not set_aside_lines(root, student, assignment) or not release.is_file():
            raise FileNotFoundError(filename)
        nb, _ = read_notebook_bytes(release.read_bytes())
        resources = resources if resources is not None else {}
        metadata = resources.setdefault("metadata", {})
        metadata["name"], metadata["path"] = path.stem, os.fspath(path.parent)
        resources[_READ_REPAIRS] = [Note("RELEASE_IN_PLACE", notebook=path.name)]
        return self.from_notebook_node(nb, resources=resources, **kw)


class RepairSubmission(NbGraderPreprocessor):
    """First step of ``autograde``'s sanitizing: :func:`repair_notebook` against the release,
    the renamed file and the reader's repairs said in the notebook (:func:`record_repairs`)."""

    def _course(self):
        converter = getattr(getattr(self, "parent", None), "parent", None)
        coursedir = getattr(converter, "coursedir", None)
        if coursedir is None:
            return course_dirs()
        return Path(coursedir.root), coursedir.source_directory, coursedir.release_directory, \
            coursedir.db_url

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        notebook, assignment = info.get("notebook"), info.get("assignment")
        repairs = list(resources.pop(_READ_REPAIRS, None) or [])
        folder = resources.get("metadata", {}).get("path")
        root, source_dir, release_dir, _ = self._course()
        if info.get("student") and assignment:
            repairs[:0] = set_aside_lines(root, info["student"], assignment, self.config)
        if folder and notebook:
            original = copied_from(root, Path(folder) / f"{notebook}.ipynb", self.config)
            if original is not None:
                repairs.append(Note("GRADED_AS", original=original, notebook=f"{notebook}.ipynb"))
        reference = None
        if notebook and assignment:
            reference = course_reference(root, source_dir, release_dir, assignment, notebook)
            if reference is None and info.get("db_url"):
                try:
                    reference = reference_from_gradebook(info["db_url"], notebook, assignment)
                except Exception as e:  # noqa: BLE001 - grade as nbgrader would
                    self.log.warning("No release notebook nor gradebook entry for %s (%s): "
                                     "not repaired", notebook, e)
        if reference is not None:
            repairs += repair_notebook(nb, reference)
        for line in repairs:
            self.log.warning("Repaired %s/%s: %s", info.get("student"), notebook, line)
        record_repairs(nb, repairs, assignment)
        return nb, resources
