"""The gettext catalogs: English pieces in, translations kept across English edits, checks.

One catalog per English file: ``i18n/zh_CN/<notebook>.po`` keys each paragraph or code string
by its cell id (``msgctxt``), ``i18n/zh_CN/hints.po`` keys each hint sentence by its constant's
name. :func:`update` rewrites a catalog from the English source as ``msgmerge`` would: an
unchanged sentence keeps its translation; a changed one keeps the old translation marked
``fuzzy`` with the old English as ``#| msgid``; a new one starts untranslated.
"""

import ast
import difflib
import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import polib

from catvnoncat import facts
from catvnoncat.i18n import CATALOG_DIR, ENGLISH, LANGUAGE
from catvnoncat.i18n.quiz import QUIZ_CATALOG_ENTRIES
from catvnoncat.i18n.strings import markdown_pieces, module_pieces, python_pieces, table_pieces

__all__ = ["Source", "SentenceTables", "MessageTable", "sources", "update", "translations", "problems",
           "GRADER_TABLES"]

#: What each kind of piece asks of its translator (the catalog's ``#.`` comment).
KIND_NOTES = {
    "paragraph": "Markdown paragraph: keep $formulas$, `code`, URLs and numbers exactly.",
    "docstring": "docstring: keep each `name --` at the start of its line.",
    "comment": "code comment.",
    "string": "printed or plotted text; keep every {placeholder} exactly.",
    "literal": "a Python string literal (f-string): translate its words, keep it valid Python "
               "and every {expression} exactly.",
}
#: Similarity above which a changed English sentence keeps its old translation, marked fuzzy.
FUZZY_RATIO = 0.4


@dataclass(frozen=True)
class Source:
    """One English file with its catalog: ``path`` relative to the course folder."""

    path: str
    catalog: Path

    def read(self):
        return (facts.REPO_ROOT / self.path).read_text(encoding="utf-8")

    def entries(self):
        """``[(msgctxt, kind, msgid)]`` of the English file, in reading order."""
        text = self.read()
        if self.path.endswith(".ipynb"):
            found = []
            for cell in json.loads(text)["cells"]:
                source = "".join(cell["source"])
                if cell["cell_type"] == "markdown":
                    pieces = markdown_pieces(source)
                elif is_test_cell(cell):
                    continue
                else:
                    pieces = python_pieces(source)
                found += [(cell["id"], kind, msgid) for _, _, kind, msgid in pieces]
            return found
        return [(context, kind, msgid) for context, (_, _, kind, msgid)
                in module_pieces(text, Path(self.path).name)]


#: The grader's own sentences (message id -> English template), in our package: what the judge
#: says in a test cell's output, the words of the feedback page, and what a repair says.
GRADER_TABLES = ("catvnoncat.judge.messages:SUMMARIES", "catvnoncat.steps.feedback:PAGE_WORDS",
                 "catvnoncat.repair.notes:REPAIR_NOTES")


@dataclass(frozen=True)
class SentenceTables(Source):
    """Sentences kept in dicts of our own package (``module:NAME``), keyed by message id: the
    id is the entry's ``msgctxt``, so a catalog for another edition renders the same records.
    A template of placeholders alone (``"{text}"``) is no entry; one with punctuation is
    (``"{where}: {what}"``: a Chinese sentence takes a full-width colon)."""

    tables: tuple = GRADER_TABLES

    def read(self):
        return ""

    def entries(self):
        found = []
        for reference in self.tables:
            module, name = reference.split(":")
            for message_id, text in getattr(importlib.import_module(module), name).items():
                if re.sub(r"\{[^{}]*\}", "", text).strip():
                    found.append((message_id, "string", text))
        return found


@dataclass(frozen=True)
class MessageTable(Source):
    """A student-side module whose sentences are the values of one dict (``lr_utils.py``'s
    ``MESSAGES``), keyed by message id (the ``msgctxt``)."""

    table: str = "MESSAGES"

    def entries(self):
        return [(key, kind, msgid) for key, (_, _, kind, msgid) in table_pieces(self.read(), self.table)]


def is_test_cell(cell):
    """An nbgrader test cell (graded code): copied byte for byte, never translated."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution")


def sources():
    """The English files translated, with their catalogs."""
    notebook = f"source/{ENGLISH}/{ENGLISH}.ipynb"
    return [Source(notebook, CATALOG_DIR / f"{ENGLISH}.po"),
            Source(f"source/{ENGLISH}/hints.py", CATALOG_DIR / "hints.po"),
            SentenceTables("src/catvnoncat/judge/messages.py", CATALOG_DIR / "judge.po"),
            _quiz_source(),
            MessageTable(f"source/{ENGLISH}/lr_utils.py", CATALOG_DIR / "lr_utils.po")]


@dataclass(frozen=True)
class QuizSource(Source):
    """The quiz's translated files, one catalog (``msgctxt``: file and place)."""

    def read(self):
        return ""

    def entries(self):
        return QUIZ_CATALOG_ENTRIES()


def _quiz_source():
    return QuizSource("quiz", CATALOG_DIR / "quiz.po")


def _new_catalog(source):
    catalog = polib.POFile(wrapwidth=99)
    catalog.metadata = {
        "Project-Id-Version": "catvnoncat",
        "Language": LANGUAGE,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    catalog.header = (f"Chinese translation of {source.path}.\n"
                      "Regenerated by `make i18n` from the English: edit msgstr only.")
    return catalog


def update(source):
    """Rewrite ``source``'s catalog from its English file; return ``(new, fuzzy)`` counts."""
    old = polib.pofile(str(source.catalog)) if source.catalog.exists() else _new_catalog(source)
    kept = {(e.msgctxt, e.msgid): e for e in old if not e.obsolete}
    catalog = _new_catalog(source)
    wanted = source.entries()
    present = {(c, m) for c, _, m in wanted}
    leftovers = [e for key, e in kept.items() if key not in present and e.msgstr]
    new = fuzzy = 0
    seen = set()
    for context, kind, msgid in wanted:
        if (context, msgid) in seen:
            continue
        seen.add((context, msgid))
        entry = polib.POEntry(msgctxt=context, msgid=msgid, comment=KIND_NOTES[kind],
                              occurrences=[(source.path, context)])
        previous = kept.get((context, msgid))
        if previous is not None:
            entry.msgstr = previous.msgstr
            entry.flags = list(previous.flags)
            entry.previous_msgid = previous.previous_msgid
        else:
            same_place = [e for e in leftovers if e.msgctxt == context]
            best = max(same_place, default=None,
                       key=lambda e: difflib.SequenceMatcher(None, e.msgid, msgid).ratio())
            if best is not None and \
                    difflib.SequenceMatcher(None, best.msgid, msgid).ratio() >= FUZZY_RATIO:
                leftovers.remove(best)
                entry.msgstr = best.msgstr
                entry.flags = ["fuzzy"]
                entry.previous_msgid = best.msgid
                fuzzy += 1
            else:
                new += 1
        catalog.append(entry)
    source.catalog.parent.mkdir(parents=True, exist_ok=True)
    catalog.save(str(source.catalog))
    return new, fuzzy


def translations(source):
    """``{(msgctxt, msgid): msgstr}`` of the finished translations (neither fuzzy nor empty)."""
    if not source.catalog.exists():
        return {}
    return {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(source.catalog))
            if e.msgstr and not e.fuzzy and not e.obsolete}


def _shown(path):
    """``path`` relative to the course folder when it lies inside it."""
    path = Path(path)
    return path.relative_to(facts.REPO_ROOT) if path.is_relative_to(facts.REPO_ROOT) else path


def _short(text, width=90):
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def problems(source):
    """One line per English sentence of ``source`` without a finished translation: missing from
    the catalog (run ``make i18n``), untranslated, or fuzzy (its English changed)."""
    catalog = polib.pofile(str(source.catalog)) if source.catalog.exists() else []
    entries = {(e.msgctxt, e.msgid): e for e in catalog if not e.obsolete}
    where = _shown(source.catalog)
    lines = []
    for context, _, msgid in source.entries():
        entry = entries.get((context, msgid))
        if entry is None:
            state = "not in the catalog (run `make i18n`)"
        elif entry.fuzzy:
            state = "fuzzy (its English changed: update msgstr, then delete the `#, fuzzy` line)"
        elif not entry.msgstr:
            state = "untranslated"
        else:
            continue
        lines.append(f"{where}: {source.path} [{context}] {state}: \"{_short(msgid)}\"")
    return lines
