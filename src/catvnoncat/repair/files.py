"""Reading a submitted file (also with a byte-order mark), choosing the notebook of a folder
whose released name is missing, and saying why a submission cannot be graded at all."""

import json
from pathlib import Path

import nbformat

from ..facts import NO_AUTOGRADED_NOTEBOOK, reason_from_log
from .notebook import match_count, nice_list, repair_notebook
from .notes import Note
from .reference import course_reference, load_reference, nbgrader_meta, stripped_lines

__all__ = ["read_notebook_bytes", "choose_notebook", "unrepairable_reason", "unreadable_reason",
           "why_not_graded"]


def read_notebook_bytes(raw):
    """``(notebook, repairs)`` from a file's bytes, also when it starts with a byte-order mark.

    Raises what nbformat raises for anything else that is not a notebook.
    """
    repairs = []
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                          (b"\xfe\xff", "utf-16-be")):
        if raw.startswith(bom):
            raw = raw[len(bom):].decode(encoding).encode("utf-8")
            repairs.append(Note("BYTE_ORDER_MARK"))
            break
    return nbformat.reads(raw.decode("utf-8"), as_version=4), repairs


def _answered(nb, reference):
    return sum(1 for c in nb.cells if nbgrader_meta(c).get("solution")
               and nbgrader_meta(c).get("grade_id") in reference.graded
               and stripped_lines(c.source) != stripped_lines(reference.cell(nbgrader_meta(c)["grade_id"]).source))


def choose_notebook(folder, name, reference=None, taken=()):
    """The notebook in ``folder`` to grade as ``<name>.ipynb`` when that file is missing.

    Returns
    -------
    (Path or None, str)
        The chosen file and a sentence saying why, or ``None`` and why none can be chosen.
        Only regular files directly in ``folder`` are considered (never a link), except the
        notebooks named in ``taken`` (the assignment's other notebooks).
    """
    folder = Path(folder)
    files = sorted(p for p in folder.glob("*.ipynb")
                   if p.is_file() and not p.is_symlink() and p.stem not in taken
                   and p.stem != name)
    if not files:
        return None, f"no {name}.ipynb in the submission, and no other notebook"
    readable, problems = [], []
    for path in files:
        try:
            nb, _ = read_notebook_bytes(path.read_bytes())
        except Exception as e:  # noqa: BLE001 - any reason a file is not a notebook
            problems.append(f"{path.name}: {type(e).__name__}")
            continue
        readable.append((path, nb))
    if not readable:
        return None, (f"no {name}.ipynb in the submission, and no other notebook can be read "
                      f"({'; '.join(problems)})")
    if len(files) == 1:
        return readable[0][0], f"the only notebook in the folder is {readable[0][0].name}"
    if reference is None:
        return None, (f"no {name}.ipynb in the submission, and several notebooks: "
                      f"{nice_list([p.name for p in files])}")
    scored = sorted(((match_count(nb, reference), _answered(nb, reference),
                      path.stat().st_mtime, path.name, path) for path, nb in readable),
                    reverse=True)
    best = scored[0]
    if best[0] == 0:
        return None, (f"no {name}.ipynb in the submission, and none of its notebooks "
                      f"({nice_list([p.name for p in files])}) holds the assignment's cells")
    others = [s[3] for s in scored[1:]]
    return best[4], (f"{best[4].name} matches the release best (of {best[4].name}, "
                     f"{nice_list(others)})")


def unrepairable_reason(path, reference=None):
    """Why the submission at ``path`` cannot be graded even after the repairs, or ``None``.

    Parameters
    ----------
    path : path-like
        Where nbgrader expects the notebook: ``submitted/<student>/<assignment>/<name>.ipynb``
        (a renamed notebook in that folder is found as :func:`pre_convert_hook` finds it).
    reference : Reference, optional
        Default: the course's release notebook of that name (``release/`` next to
        ``submitted/``), else the committed one.
    """
    path = Path(path)
    if reference is None:
        try:
            root = path.parents[3]
            reference = course_reference(root, "source", "release", path.parent.name, path.stem)
        except IndexError:
            reference = None
        if reference is None:
            from ..course import RELEASE_NOTEBOOK, SOURCE_NOTEBOOK
            reference = load_reference(RELEASE_NOTEBOOK, SOURCE_NOTEBOOK)
    if not path.is_file():
        if not path.parent.is_dir():
            return f"no submitted notebook at {path}"
        chosen, why = choose_notebook(path.parent, path.stem, reference)
        if chosen is None:
            return "; ".join([why, *_set_aside(path)])
        path = chosen
    try:
        raw = path.read_bytes()
    except OSError as e:
        return f"submitted notebook {path.name} cannot be read ({e.strerror})"
    try:
        json.loads(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
    except json.JSONDecodeError as e:
        return f"submitted notebook {path.name} is not valid JSON ({e.msg}: line {e.lineno}, column {e.colno})"
    except UnicodeDecodeError as e:
        return f"submitted notebook {path.name} is not UTF-8 text ({e.reason} at byte {e.start})"
    try:
        nb, _ = read_notebook_bytes(raw)
    except Exception as e:  # noqa: BLE001 - nbformat raises several types
        return f"submitted file {path.name} is JSON but not a notebook ({type(e).__name__}: {e})"[:240]
    from nbgrader.nbgraderformat import MetadataValidator

    if match_count(nb, reference) == 0:
        return f"{path.name} holds none of the assignment's cells"
    repair_notebook(nb, reference)
    try:
        MetadataValidator().validate_nb(nb)
    except Exception as e:  # noqa: BLE001 - jsonschema and schema-version errors
        return f"its nbgrader metadata cannot be repaired ({type(e).__name__}: {str(e).splitlines()[0]})"[:240]
    return None


#: Longest reason kept from an exception message (the report's table cell).
REASON_CHARS = 240


def unreadable_reason(path):
    """Why a submitted notebook cannot be read as it is, or ``None`` if it reads as a notebook.

    Unlike :func:`unrepairable_reason`, no repair is tried: the file at ``path`` itself.
    """
    path = Path(path)
    if not path.is_file():
        return f"no submitted notebook at {path}"
    try:
        json.loads(path.read_bytes())
    except json.JSONDecodeError as e:
        return f"submitted notebook is not valid JSON ({e.msg}: line {e.lineno}, column {e.colno})"
    except UnicodeDecodeError as e:
        return f"submitted notebook is not UTF-8 text ({e.reason} at byte {e.start})"
    try:
        nbformat.read(path, as_version=4)
    except Exception as e:  # nbformat raises several types for JSON that is not a notebook
        return f"submitted file is JSON but not a notebook ({type(e).__name__}: {e})"[
            :REASON_CHARS]
    return None


def why_not_graded(paths, log=None):
    """Why a submission got no autograded notebook: the one place this is worked out.

    Parameters
    ----------
    paths : iterable of path-like
        Where nbgrader expects the submitted notebooks
        (``submitted/<student>/<assignment>/<released name>.ipynb``).
    log : str, optional
        nbgrader's log of the attempt (the grading engine has it; the report does not).

    Returns
    -------
    str
        The first file that cannot be graded even after the repairs, and why; else, with a
        ``log``, the last exception nbgrader logged; else the first file that does not read as a
        notebook as it is; else :data:`catvnoncat.facts.NO_AUTOGRADED_NOTEBOOK`.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        reason = unrepairable_reason(path)
        if reason is not None:
            return reason
    if log is not None:
        return reason_from_log(log)
    for path in paths:
        reason = unreadable_reason(path)
        if reason is not None:
            return reason
    return NO_AUTOGRADED_NOTEBOOK


def _set_aside(path):
    """What the quarantine took from the folder of ``path`` (see :mod:`.quarantine`)."""
    from .quarantine import set_aside_lines

    try:
        root = path.parents[3]
    except IndexError:
        return []
    return set_aside_lines(root, path.parent.parent.name, path.parent.name)
