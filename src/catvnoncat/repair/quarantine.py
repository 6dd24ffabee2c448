"""A submission is the student's regular files only: everything else is set aside before grading.

``nbgrader autograde`` copies a submission's other files with ``shutil.copy`` (which follows
symbolic links and opens whatever it finds) right after the ``pre_convert_hook``, and grades any
``*.ipynb`` it finds, link or not. An ``unzip`` of a learning platform's download can create
symbolic links; a link to the instructor's source notebook would be graded as the student's
(95 of 95 from an empty submission) and its solutions copied into the feedback folder; a named
pipe hangs the copy. So the hook first moves out of ``submitted/<student>/<assignment>/``, into
``<course>/<SubmissionQuarantine.folder>/<student>/<assignment>/files/``:

* symbolic links, devices, named pipes (fifos) and sockets;
* hard links to another file of the course (link count above 1 and the same inode as a file of
  the course folder outside this submission);
* files over ``max_file_mb``, and the files past ``max_files`` or past ``max_total_mb``;
* a ``timestamp.txt`` nbgrader cannot read as a time (binary, not a date): the submission is
  then graded as one without a submission time, as nbgrader grades one without the file.

What was set aside, and why, is written to ``record.json`` beside ``files/``; the sanitizing
step (:class:`~catvnoncat.repair.RepairSubmission`) reads it and says each line in the feedback
and in the autograded notebook's ``catvnoncat.repairs`` (so in the report). The record also holds
the copies the hook made for renamed notebooks (:func:`record_copy`, :func:`copied_from`).
"""

import hashlib
import json
import os
import stat
import unicodedata
import warnings
from pathlib import Path

from traitlets import Float, Integer, Unicode
from traitlets.config import LoggingConfigurable

from ..judge.messages import Message
from .notes import Note

__all__ = ["SubmissionQuarantine", "quarantine_settings", "set_aside_lines", "record_copy",
           "copied_from", "set_aside_notebooks", "set_aside_record", "hand_over_record",
           "remove_stand_ins", "TIMESTAMP_FILE", "read_timestamp", "timestamp_problem"]

RECORD = "record.json"
#: Folders of a submission deeper than this are set aside whole (the default of
#: ``SubmissionQuarantine.max_depth``: no notebook needs more, and nbgrader's own walks recurse).
MAX_DEPTH = 16
#: Entries of a submission set aside said one by one (in the log, the record, the feedback);
#: the rest in one line.
LISTED = 20
_STAND_INS = "stand_ins"
_FILES = "files"
TIMESTAMP_FILE = _TIMESTAMP = "timestamp.txt"
#: Longest ``timestamp.txt`` read, bytes (nbgrader's own are 32).
_TIMESTAMP_BYTES = 200


class SubmissionQuarantine(LoggingConfigurable):
    """Where set-aside files go and how large a submission may be (``nbgrader_config.py``)."""

    folder = Unicode("quarantine", help="Folder of the course (relative to its root) that "
                     "receives what is set aside: <folder>/<student>/<assignment>/.").tag(config=True)
    max_file_mb = Float(20.0, help="Largest file of a submission, MB; larger ones are set "
                        "aside.").tag(config=True)
    max_files = Integer(200, help="Most files (and folders) of a submission; the ones past it "
                        "are set aside.").tag(config=True)
    max_depth = Integer(MAX_DEPTH, help="Most folders nested in a submission; a folder deeper "
                        "is set aside whole, never entered.").tag(config=True)
    max_total_mb = Float(40.0, help="Most bytes of a submission's files together, MB; the "
                         "files past it are set aside.").tag(config=True)

    def place(self, root, student, assignment):
        """The quarantine folder of one submission."""
        return Path(root) / self.folder / student / assignment

    def set_aside(self, submission, root):
        """Move everything but the student's own regular files out of ``submission``.

        Fails closed: if the folder cannot be inspected or a file cannot be moved nor removed
        (a path too long for the quarantine, a tree too odd for the walk), everything in it
        is set aside, so that nothing unchecked is graded or copied by nbgrader (whose
        ``pre_convert_hook`` failures are only logged, and grading goes on).

        Parameters
        ----------
        submission : path-like
            ``<root>/submitted/<student>/<assignment>``.
        root : path-like
            The course folder.

        Returns
        -------
        list of dict
            What this call set aside: ``{"path", "kind", "why", "reason"}`` (path relative to
            the folder; ``why`` in English, ``reason`` its message record).
        """
        submission = Path(submission)
        place = self.place(root, submission.parent.name, submission.name)
        record = _load_record(place)
        timestamp = _read_timestamp(submission)
        stale = bool(record) and record.get("timestamp") != timestamp
        if stale or not record:  # a new submission: earlier lines are not about it
            record = {"timestamp": timestamp, "set_aside": [], "copies": {}}
        try:
            found = self._inspect(submission, Path(root))
            for number, entry in enumerate(found):
                self._move(submission, place, entry, say=number < LISTED)
        except Exception as error:  # noqa: BLE001 - fail closed (see above)
            found = self._everything(submission, place, error)
        found = _summarized(found)
        if len(found) > LISTED:
            self.log.warning("%s: set aside %s", printable(submission), _path(found[-1]))
        if any(entry["path"] == _TIMESTAMP for entry in found):
            record["timestamp"] = None  # as the next grading of this submission reads it
        if found or stale:
            record["set_aside"] = record.get("set_aside", []) + found
            _save_record(place, record)
        return found

    def _move(self, submission, place, entry, say=True):
        """Move one entry of ``_inspect`` to the quarantine (or remove it); raises only when
        neither works."""
        source = submission / entry["path"]
        if not os.path.lexists(source):  # inside a folder already moved
            return
        try:
            target = _free_name(place / _FILES / entry["path"])
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(source, target)  # moves a link or a special file itself, never opens it
        except OSError:
            _remove(source)
            if os.path.lexists(source):
                raise
            entry["kind"] += " (removed: it could not be moved)"
        if say:
            self.log.warning("%s: set aside %s: %s", printable(submission),
                             printable(entry["path"]), entry["why"])

    def _everything(self, submission, place, error):
        """Set aside every entry of ``submission`` but its timestamp (the fail-closed path)."""
        self.log.error("%s: its files could not be checked (%s: %s); all are set aside",
                       printable(submission), type(error).__name__, printable(str(error)[:200]))
        found = []
        try:
            names = sorted(os.listdir(submission))
        except OSError:
            names = []
        for name in names:
            if name == _TIMESTAMP:
                continue
            why = Note("WHY_UNCHECKED")
            entry = {"path": name, "kind": "unchecked", "why": str(why),
                     "reason": why.message.to_json()}
            try:
                target = _free_name(place / _FILES / name)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(submission / name, target)
            except OSError:
                _remove(submission / name)
                entry["kind"] += " (removed: it could not be moved)"
            found.append(entry)
        return found

    def _inspect(self, submission, root):
        """What to set aside, in the order found (sorted walk, notebooks first)."""
        found, kept, total = [], 0, 0
        course_inodes = None
        for path, st in _walk(submission, self.max_depth):
            relative = os.fspath(path.relative_to(submission))
            why = _special(st)
            if why is None and len(path.relative_to(submission).parts) > self.max_depth:
                why = ("too deep", Note("WHY_TOO_DEEP", depth=self.max_depth))
            if why is None and _odd_name(path.name):
                why = ("odd name", Note("WHY_ODD_NAME"))
            if why is None and relative == _TIMESTAMP and timestamp_problem(submission):
                # nbgrader would raise on it (the student "not graded"): graded without a time
                why = ("unreadable timestamp", Note("WHY_TIMESTAMP_UNREADABLE"))
            if why is None and stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                if course_inodes is None:
                    course_inodes = _inodes(root, skip=submission)
                if (st.st_dev, st.st_ino) in course_inodes:
                    why = ("hard link", Note("WHY_HARD_LINK"))
            if why is None and stat.S_ISREG(st.st_mode) and st.st_size > self.max_file_mb * 1e6:
                why = ("too large", Note("WHY_FILE_TOO_LARGE", mb=f"{self.max_file_mb:g}"))
            if why is None:
                kept += 1
                if kept > self.max_files:
                    why = ("too many", Note("WHY_TOO_MANY_FILES", count=self.max_files))
                elif stat.S_ISREG(st.st_mode):
                    total += st.st_size
                    if total > self.max_total_mb * 1e6:
                        why = ("too large", Note("WHY_TOTAL_TOO_LARGE",
                                                 mb=f"{self.max_total_mb:g}"))
                        total -= st.st_size
            if why is not None:
                found.append({"path": relative, "kind": why[0], "why": str(why[1]),
                              "reason": why[1].message.to_json()})
        return found


def _summarized(found):
    """The first ``LISTED`` entries, and the rest in one line (100,000 empty files made
    100,000 lines in the log, the feedback and a 23 MB autograded notebook)."""
    if len(found) <= LISTED + 1:
        return found
    rest = found[LISTED:]
    return found[:LISTED] + [{**rest[0], "kind": "more", "more": len(rest) - 1}]


def _special(st):
    """``(kind, sentence)`` for anything that is not a regular file or a folder."""
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "symbolic link", Note("WHY_SYMBOLIC_LINK")
    if stat.S_ISFIFO(mode):
        return "named pipe", Note("WHY_NAMED_PIPE")
    if stat.S_ISSOCK(mode):
        return "socket", Note("WHY_SOCKET")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device", Note("WHY_DEVICE")
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "special file", Note("WHY_SPECIAL_FILE")
    return None


def _entries(folder):
    """``[(path, lstat)]`` of one folder, notebooks first."""
    entries = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return entries
    for name in names:
        path = folder / name
        try:
            entries.append((path, os.lstat(path)))
        except OSError:
            continue
    entries.sort(key=lambda e: (not e[0].name.endswith(".ipynb"), e[0].name))
    return entries


def _walk(folder, max_depth):
    """``(path, lstat)`` of everything under ``folder``, notebooks first, never through a link;
    depth first without recursion (a tree thousands of folders deep must not raise), never
    below ``max_depth`` (such a folder is set aside whole, its content goes with it)."""
    stack = [iter(_entries(folder))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        path, st = entry
        yield path, st
        if stat.S_ISDIR(st.st_mode) and len(stack) <= max_depth:
            stack.append(iter(_entries(path)))


def _odd_name(name):
    """A name that would write control characters (terminal escapes, forged lines) into the
    grader's console and logs, which nbgrader prints as found, or that is not valid UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept as surrogates
        return True
    return any(unicodedata.category(c) == "Cc" for c in name)


def printable(text):
    """``text`` with control and format characters written as escapes (for logs and notes)."""
    text = os.fspath(text)
    if not any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in text):
        return text
    return "".join(c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   if unicodedata.category(c) in ("Cc", "Cf", "Cs") else c for c in text)


def _inodes(root, skip):
    """``{(device, inode)}`` of the course's regular files, outside ``skip``."""
    seen = set()
    skip = os.fspath(skip)
    for folder, dirs, files in os.walk(root):  # topdown: a skipped folder is not entered
        if folder == skip or folder.startswith(skip + os.sep) or folder.count(os.sep) > 200:
            dirs[:] = []
            continue
        for name in files:
            try:
                st = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                seen.add((st.st_dev, st.st_ino))
    return seen


def _free_name(path):
    candidate, n = path, 1
    while os.path.lexists(candidate):
        candidate = path.with_name(f"{path.name}.{n}")
        n += 1
    return candidate


def _remove(path):
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            import shutil

            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


# -- the submission time: the student's file, read without trusting it ----------------------

def _timestamp(folder):
    """``(time in UTC or None, problem or None)`` of ``folder/timestamp.txt``: a regular file
    of at most 200 bytes, UTF-8, a time nbgrader can parse (its ``parse_utc``)."""
    path = Path(folder) / TIMESTAMP_FILE
    try:
        st = os.lstat(path)
    except OSError:
        return None, None
    if not stat.S_ISREG(st.st_mode):
        return None, "it is not a regular file"
    if st.st_size > _TIMESTAMP_BYTES:
        return None, f"it holds more than {_TIMESTAMP_BYTES} bytes"
    try:  # never through a link, never waiting on a pipe put there since
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as file:
            text = file.read(_TIMESTAMP_BYTES + 1).decode("utf-8").strip()
    except OSError as error:
        return None, f"it cannot be opened ({error.strerror})"
    except UnicodeDecodeError:
        return None, "it is not UTF-8 text"
    if not text:
        return None, None  # nbgrader reads an empty file as no time, with a warning
    if _names_a_file(text):
        return None, "its time zone names a file"
    from nbgrader.utils import parse_utc

    try:
        with warnings.catch_warnings():
            # dateutil's warnings about the student's text go to the grader's stderr, and one
            # (a time zone key outside its folder) is raised, as an error of its own class
            warnings.simplefilter("ignore")
            return parse_utc(text), None
    except Exception as error:  # noqa: BLE001 - the student's text: whatever dateutil raises
        # (decimal.InvalidOperation for "999...9M") is "not a time", never an error of ours
        return None, f"it is not a time ({type(error).__name__})"


def _names_a_file(text):
    """Whether nbgrader's ``parse_utc`` would read ``text``'s time zone (its third word) from
    a file outside the time zone folders: an absolute path, or a key going up with ``..``.
    dateutil reads such a file whole: a 19.5 MB one of the student's own (under the
    submission's file cap, named by ``/proc/self/cwd/submitted/...``) took the grader 680 MB
    and 2 s of CPU, each time the file was read."""
    parts = text.split(" ")
    if len(parts) != 3:
        return False  # dateutil's parser alone: it reads no file
    zone = parts[2].lstrip(":")
    return os.path.isabs(zone) or ".." in zone.replace("\\", "/").split("/")


def timestamp_problem(folder):
    """Why ``folder/timestamp.txt`` cannot be read as a submission time (a short English
    phrase, for the log), or ``None`` when it is readable, empty or absent."""
    return _timestamp(folder)[1]


def read_timestamp(folder):
    """The submission time of ``folder`` (its ``timestamp.txt``) as nbgrader reads it, in UTC;
    ``None`` when absent, empty or unreadable (:func:`timestamp_problem`)."""
    return _timestamp(folder)[0]


def _read_timestamp(folder):
    path = folder / _TIMESTAMP
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > 200:
        return None
    return path.read_text(encoding="utf-8", errors="replace").strip()


def _load_record(place):
    try:
        record = json.loads((place / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _save_record(place, record):
    place.mkdir(parents=True, exist_ok=True)
    temporary = place / f".{RECORD}.tmp"
    temporary.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(temporary, place / RECORD)


# -- the settings of the running nbgrader command, and what the grading steps read ------------

def quarantine_settings(config=None):
    """A :class:`SubmissionQuarantine` configured as the running nbgrader command is."""
    if config is None:
        try:
            from nbgrader.apps.autogradeapp import AutogradeApp

            if AutogradeApp.initialized():
                config = AutogradeApp.instance().config
        except Exception:  # noqa: BLE001 - not inside nbgrader: the defaults
            config = None
    return SubmissionQuarantine(config=config) if config is not None else SubmissionQuarantine()


def set_aside_notebooks(notebooks, root):
    """``pre_convert_hook`` step: set aside what is not the students' own in each folder of
    ``notebooks``; the notebooks set aside leave the list (in place). Returns the folders
    where something was set aside."""
    settings = quarantine_settings()
    touched = []
    for folder in sorted({Path(n).parent for n in notebooks}):
        if settings.set_aside(folder, root):
            touched.append(folder)
    notebooks[:] = [n for n in notebooks if os.path.lexists(n)]
    return touched


# -- catvnoncat grade: the coordinator sets aside, a worker grades a copy ----------------------

def set_aside_record(root, student, assignment, config=None):
    """What the coordinator set aside from one submission, as plain data a grading worker
    receives: ``{"timestamp", "set_aside"}`` (empty when nothing was set aside)."""
    record = _load_record(quarantine_settings(config).place(root, student, assignment))
    entries = [{"path": str(e["path"]), "kind": str(e.get("kind", "")), "why": str(e["why"]),
                **{key: e[key] for key in ("reason", "more") if key in e}}
               for e in record.get("set_aside", [])
               if isinstance(e, dict) and "path" in e and "why" in e]
    if not entries:
        return {}
    return {"timestamp": record.get("timestamp"), "set_aside": entries}


def hand_over_record(root, folder, record, release_folder, config=None):
    """A worker's scratch course receives what the coordinator set aside (``record``, from
    :func:`set_aside_record`), so its grading says the same lines as ``nbgrader autograde``.

    nbgrader grades a folder only when it finds a notebook in it, and calls the
    ``pre_convert_hook`` only then. When the coordinator set aside every notebook of the
    submission, the unanswered release notebooks of ``release_folder`` are written as stand-ins
    under their released names (and said in the record); the hook removes them first
    (:func:`remove_stand_ins`), then grades as it does in a plain ``autograde``.
    """
    if not record:
        return
    folder = Path(folder)
    place = quarantine_settings(config).place(root, folder.parent.name, folder.name)
    record = {"timestamp": record.get("timestamp"), "set_aside": list(record["set_aside"]),
              "copies": {}}
    if not any(folder.glob("*.ipynb")):
        stand_ins = record[_STAND_INS] = {}
        for release in sorted(Path(release_folder).glob("*.ipynb")):
            (folder / release.name).write_bytes(release.read_bytes())
            stand_ins[release.name] = _digest(folder / release.name)
    _save_record(place, record)


def remove_stand_ins(notebooks, root):
    """``pre_convert_hook`` step: remove the stand-ins :func:`hand_over_record` wrote (unchanged
    ones only) from their folders and from ``notebooks`` (in place)."""
    settings = quarantine_settings()
    for folder in sorted({Path(n).parent for n in notebooks}):
        place = settings.place(root, folder.parent.name, folder.name)
        record = _load_record(place)
        stand_ins = record.pop(_STAND_INS, None)
        if not isinstance(stand_ins, dict):
            continue
        for name, digest in stand_ins.items():
            path = folder / Path(str(name)).name
            if path.is_file() and not path.is_symlink() and _digest(path) == digest:
                path.unlink()
        _save_record(place, record)
    notebooks[:] = [n for n in notebooks if os.path.lexists(n)]


def _path(entry):
    """The entry's path, shown escaped; a summary entry says how many more it stands for."""
    path = printable(str(entry["path"]))
    more = entry.get("more")
    if isinstance(more, int) and not isinstance(more, bool):
        return Note("MORE_ENTRIES", first=path, count=f"{more:,}")
    return path


def _reason(entry):
    """Why an entry was set aside: its message record, else (an older record) its English."""
    try:
        return Message.from_json(entry.get("reason"))
    except ValueError:
        return str(entry["why"])


def set_aside_lines(root, student, assignment, config=None):
    """The sentences (:class:`~.notes.Note`) saying what was set aside from one submission
    (empty when nothing)."""
    place = quarantine_settings(config).place(root, student, assignment)
    return [Note("SET_ASIDE", path=_path(entry), why=_reason(entry))
            for entry in _load_record(place).get("set_aside", [])
            if isinstance(entry, dict) and "path" in entry and "why" in entry]


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def record_copy(root, copy, original):
    """Note that ``copy`` (``submitted/<student>/<assignment>/<released name>``) was copied by
    the hook from the student's renamed ``original``."""
    copy = Path(copy)
    settings = quarantine_settings()
    place = settings.place(root, copy.parent.parent.name, copy.parent.name)
    record = _load_record(place)
    record.setdefault("timestamp", _read_timestamp(copy.parent))
    record.setdefault("set_aside", [])
    record.setdefault("copies", {})[copy.name] = {"from": Path(original).name,
                                                  "sha256": _digest(copy)}
    _save_record(place, record)


def copied_from(root, path, config=None):
    """The renamed file ``path`` was copied from by the hook, or ``None`` (also when the file
    has changed since: a new submission under the released name)."""
    path = Path(path)
    place = quarantine_settings(config).place(root, path.parent.parent.name, path.parent.name)
    entry = _load_record(place).get("copies", {}).get(path.name)
    if not isinstance(entry, dict) or not path.is_file() or path.is_symlink():
        return None
    return entry.get("from") if entry.get("sha256") == _digest(path) else None
