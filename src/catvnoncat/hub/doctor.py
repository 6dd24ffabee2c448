"""``catvnoncat doctor``: what other users can read or write that they should not.

Run by the instructor (as the user who owns the course). Each finding names a path, says in one
sentence what a student could do with it, and gives the command that fixes it. A *problem* is
something another user can do now (read the course, the gradebook or the reference package,
write into a submission, own the exchange's course folder, start the grader's kernel); a *note*
is a permission that only a private parent folder keeps closed. The exit status is 1 when there
is a problem.
"""

import os
import pwd
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from . import EXCHANGE_COURSE_MODES

#: Folders of the course with every student's work or grades in them.
PRIVATE_TREES = ("source", "submitted", "autograded", "feedback")
#: Kernel folders every user's Jupyter looks in (a kernelspec there is offered to students).
SYSTEM_KERNEL_DIRS = ("/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels")


@dataclass(frozen=True)
class Finding:
    """One thing found: ``problem`` (others can do it now) or ``note`` (a parent protects it)."""

    severity: str
    path: str
    what: str
    fix: str


def reachable(path):
    """Whether every user can reach ``path``: "others" may search every folder above it."""
    path = Path(path).resolve()
    return all(os.stat(parent).st_mode & stat.S_IXOTH for parent in path.parents)


def _mode(path):
    return os.lstat(path).st_mode & 0o7777


def _others(path, bits=0o007):
    return not os.path.islink(path) and bool(_mode(path) & bits)


def check_course(course):
    """The course folder, its gradebook file and the folders holding solutions and students'
    work."""
    course = Path(course).resolve()
    findings = []
    if _others(course) and reachable(course):
        findings.append(Finding(
            "problem", str(course),
            f"every user can enter the course folder (mode {_mode(course):04o}): the solutions "
            f"in source/, the gradebook and every student's work are theirs to read",
            f"chmod o-rwx {course}"))
    open_course = _others(course, 0o001) and reachable(course)
    gradebook = course / "gradebook.db"
    if gradebook.exists() and _others(gradebook, 0o006):
        findings.append(_finding(gradebook, open_course, "every student's scores and comments",
                                 f"chmod o-rwx {gradebook}"))
    for name in PRIVATE_TREES:
        tree = course / name
        if tree.is_dir():
            findings.extend(_check_tree(tree, open_course))
    return findings


def _finding(path, open_parent, what, fix):
    severity = "problem" if open_parent else "note"
    if open_parent:
        return Finding(severity, str(path), f"other users can read {what}", fix)
    return Finding(severity, str(path), f"readable by others ({what}); only the private course "
                                        f"folder keeps them out", fix)


def _check_tree(tree, open_course):
    """One finding for a tree: writable by others anywhere is a problem wherever it is."""
    writable, readable = [], []
    for folder, _dirs, files in os.walk(tree):
        for path in [folder, *(os.path.join(folder, f) for f in files)]:
            if _others(path, 0o002):
                writable.append(path)
            elif _others(path, 0o004):
                readable.append(path)
    fix = f"chmod -R o-rwx {tree}"
    if writable:
        example = writable[0]
        return [Finding("problem", str(tree),
                        f"{_entries(len(writable))} other users can write into (e.g. {example}, "
                        f"mode {_mode(example):04o}): a classmate could replace or delete work "
                        f"before it is graded", fix)]
    if readable:
        return [_finding(tree, open_course and reachable(tree),
                         f"{_entries(len(readable))} of {tree.name}/", fix)]
    return []


def _entries(count):
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def check_exchange(root, course_id, user=None):
    """The exchange root and its course folder: owned by the instructor, with nbgrader's modes."""
    user = user or pwd.getpwuid(os.geteuid()).pw_name
    root = Path(root)
    course_folder = root / course_id
    if not root.is_dir():
        return [Finding("problem", str(root), "the exchange does not exist: students cannot "
                                              "fetch, and whoever creates it owns it",
                        f"sudo catvnoncat hub-setup ... (or as root: mkdir -p {root} && "
                        f"chmod 1777 {root})")]
    findings = []
    if _mode(root) & 0o002 and not _mode(root) & stat.S_ISVTX:
        findings.append(Finding("problem", str(root),
                                f"every user can rename or remove the exchange's course folders "
                                f"(mode {_mode(root):04o}, no sticky bit)",
                                f"sudo chmod 1777 {root}"))
    folders = {(course_folder / sub if sub else course_folder): mode
               for sub, mode in EXCHANGE_COURSE_MODES.items()}
    missing = [path for path in folders if not path.is_dir()]
    if missing and _mode(root) & 0o002:
        findings.append(Finding(
            "problem", str(missing[0]), "missing: any student may create it first and then "
            "block the release or put files where classmates fetch",
            " && ".join(f"install -d -m {folders[path]:04o} {path}" for path in missing)))
    for path, mode in folders.items():
        if path in missing:
            continue
        owner = pwd.getpwuid(os.stat(path).st_uid).pw_name
        if owner != user:
            findings.append(Finding(
                "problem", str(path), f"owned by {owner}, not by you ({user}): they can block "
                "the release or put files where students fetch",
                f"as root: look inside, rm -r {course_folder}, then catvnoncat hub-setup (or "
                f"nbgrader release_assignment)"))
        elif _mode(path) & 0o006 & ~mode:
            findings.append(Finding(
                "problem", str(path), f"mode {_mode(path):04o}: other users can list or change "
                f"what classmates handed in or were sent (nbgrader makes it {mode:04o})",
                f"chmod {mode:04o} {path}"))
    return findings


def check_package(course=None):
    """The instructor-only package (reference solution, hidden checks) and its sandbox
    kernelspec: where can other users read them?"""
    import catvnoncat

    findings = []
    package = Path(catvnoncat.__file__).resolve().parent
    if reachable(package) and _others(package, 0o004):
        findings.append(Finding(
            "problem", str(package), "every user can read the instructor-only package "
            "(import catvnoncat.reference: the reference solution)",
            f"install it where only graders can read: sudo catvnoncat hub-setup ... (or chmod "
            f"o-rwx {_folder_to_close(package, course)})"))
    findings.extend(_check_kernelspecs(course))
    return findings


def _folder_to_close(path, course=None):
    """The course folder when ``path`` is in it, else the highest folder above ``path`` that is
    not a system folder: closing it hides ``path``."""
    path = Path(path).resolve()
    if course is not None and Path(course).resolve() in path.parents:
        return Path(course).resolve()
    for parent in reversed(path.parents):
        if parent.stat().st_uid != 0 or parent == Path(sys.prefix).resolve():
            return parent
    return path


def _check_kernelspecs(course=None):
    from jupyter_client.kernelspec import KernelSpecManager

    from ..sandbox import KERNEL_NAME

    findings = []
    folders = {os.path.join(d, KERNEL_NAME) for d in SYSTEM_KERNEL_DIRS}
    folders.update(path for name, path in KernelSpecManager().find_kernel_specs().items()
                   if name == KERNEL_NAME)
    for folder in sorted(folders):
        if not os.path.isdir(folder):
            continue
        system = any(folder.startswith(d + os.sep) for d in SYSTEM_KERNEL_DIRS)
        if system or (reachable(folder) and _others(folder, 0o004)):
            what = ("every user's Jupyter offers the grader's sandbox kernel" if system else
                    "every user can read it: a Jupyter started from this environment offers "
                    "them the grader's sandbox kernel")
            findings.append(Finding(
                "problem", folder, f"{what} (it belongs in the instructors' environment only)",
                f"sudo rm -r {folder}" if system else
                f"chmod o-rwx {_folder_to_close(folder, course)}"))
    return findings


def load_config(course_dir):
    """The nbgrader config an instructor's ``nbgrader`` sees in ``course_dir``: the Jupyter
    config folders (lowest priority first), then the course's own file."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Config
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    config = Config()
    environ = dict(os.environ)  # config files may set variables meant for nbgrader's process
    cwd = os.getcwd()
    try:
        os.chdir(course_dir)
        for folder in [*reversed(jupyter_config_path()), os.fspath(course_dir)]:
            try:
                config.merge(PyFileConfigLoader("nbgrader_config.py", path=folder).load_config())
            except ConfigFileNotFound:
                pass
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)
    return config


def check(course_dir):
    """Every check, for the course in ``course_dir``: ``(findings, exchange root, course id)``."""
    from nbgrader.exchange.abc.exchange import Exchange

    course_dir = Path(course_dir).resolve()
    config = load_config(course_dir)
    root = config.Exchange.root if "root" in config.Exchange else Exchange.class_traits()[
        "root"].default()
    course_id = config.CourseDirectory.get("course_id", "")
    findings = check_course(course_dir)
    if course_id:
        findings += check_exchange(root, course_id)
    else:
        findings.append(Finding("problem", str(course_dir / "nbgrader_config.py"),
                                "no CourseDirectory.course_id: the exchange cannot be checked",
                                "set c.CourseDirectory.course_id in nbgrader_config.py"))
    findings += check_package(course_dir)
    return findings, root, course_id


def main(course_dir="."):
    """``catvnoncat doctor``: print the findings; 1 when there is a problem."""
    course_dir = Path(course_dir).resolve()
    if not (course_dir / "nbgrader_config.py").is_file():
        print(f"doctor: {course_dir} has no nbgrader_config.py: run it in the course folder or "
              "pass --course-dir", file=sys.stderr)
        return 2
    findings, root, course_id = check(course_dir)
    user = pwd.getpwuid(os.geteuid()).pw_name
    print(f"catvnoncat doctor: course {course_dir} ({course_id or 'no course id'}), exchange "
          f"{root}, as {user}")
    for finding in findings:
        print(f"{finding.severity.upper():8} {finding.path}\n         {finding.what}\n"
              f"         fix: {finding.fix}")
    problems = sum(f.severity == "problem" for f in findings)
    notes = len(findings) - problems
    print(f"{problems} problem{'s' * (problems != 1)}, {notes} note{'s' * (notes != 1)}"
          + ("" if findings else ": nobody else can read or change what is yours"))
    return 1 if problems else 0
