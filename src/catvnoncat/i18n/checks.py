"""What a translation must keep from its English, and the glossary's terms.

Kept exactly: ``{placeholders}`` (and an f-string's ``{expressions}``), ``$formulas$``,
`` `code spans` ``, URLs and numbers; a docstring's ``name --`` line starts; a Python literal
stays the same kind of literal with the same expressions. Where the English uses a glossary
term, the Chinese uses the glossary's Chinese term.
"""

import ast
import csv
import re

import polib

from catvnoncat import facts
from catvnoncat.i18n import GLOSSARY
from catvnoncat.i18n.catalog import sources

__all__ = ["glossary", "kept_pieces", "entry_mismatches", "mismatches"]

_FORMULA = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
_CODE = re.compile(r"``[^`]+``|`[^`\n]+`")
_URL = re.compile(r"https?://[^\s)>\]]+")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
_ARGUMENT_LINE = re.compile(r"^(\w+) -- ", re.M)
#: Placeholders that only fill in English grammar ("does" / "do", "its" / "their", a plural
#: "s", a second one "s2"): a Chinese sentence needs none of them and may leave them out
#: (str.format ignores them).
GRAMMAR_PLACEHOLDERS = frozenset({"{does}", "{its}", "{s}", "{s2}", "{them}"})


def _placeholders(text):
    """The ``{...}`` fields of a sentence, balanced braces, ``{{`` / ``}}`` escapes aside."""
    found, depth, start = [], 0, None
    text = text.replace("{{", "").replace("}}", "")
    for i, char in enumerate(text):
        if char == "{":
            depth += 1
            if depth == 1:
                start = i
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                found.append(text[start:i + 1])
    return found


def kept_pieces(text, kind):
    """The pieces of an English text a translation must contain unchanged (with repeats)."""
    kept = _FORMULA.findall(text) + _CODE.findall(text) + _URL.findall(text)
    rest = _URL.sub(" ", _CODE.sub(" ", _FORMULA.sub(" ", text)))
    if kind in ("string", "literal", "docstring", "comment"):
        kept += _placeholders(rest)
        rest = re.sub(r"\{[^{}]*\}", " ", rest)
    kept += _NUMBER.findall(rest)
    if kind == "docstring":
        kept += [f"{name} -- " for name in _ARGUMENT_LINE.findall(text)]
    return kept


def glossary():
    """``[(English pattern, Chinese term, compiled pattern)]`` from the glossary file."""
    with GLOSSARY.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle, delimiter="\t")
                if row and not row[0].startswith("#")]
    return [(english, chinese, re.compile(rf"\b(?:{english})\b", re.I))
            for english, chinese, *_ in rows[1:]]


def _literal_shape(text):
    """An f-string's expressions, or None when ``text`` is not one Python string literal."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return []
    if not isinstance(node, ast.JoinedStr):
        return None
    # A sentence may put its expressions in another order: compared as a sorted list.
    return sorted(ast.dump(v) for v in node.values if isinstance(v, ast.FormattedValue))


def entry_mismatches(kind, english, chinese, terms=None):
    """What the translation ``chinese`` of ``english`` breaks, one phrase each (empty: none)."""
    found = []
    remaining = chinese
    for piece in kept_pieces(english, kind):
        if piece in GRAMMAR_PLACEHOLDERS:
            continue
        if piece in remaining:
            remaining = remaining.replace(piece, "\0", 1)
        else:
            found.append(f"{piece!r} not kept")
    if kind in ("string", "literal", "docstring", "comment"):
        english_fields = set(_placeholders(english))
        found += [f"{field!r} is no placeholder of the English" for field in
                  dict.fromkeys(_placeholders(_CODE.sub(" ", chinese)))
                  if field not in english_fields and field not in _CODE.findall(english)]
    if kind == "literal" and _literal_shape(chinese) != _literal_shape(english):
        found.append("not a Python string literal with the same {expressions}")
    words = _CODE.sub(" ", _FORMULA.sub(" ", english))
    for term, chinese_term, pattern in glossary() if terms is None else terms:
        if pattern.search(words) and not any(t in chinese for t in chinese_term.split("|")):
            found.append(f"glossary: {term!r} should read {chinese_term!r}")
    return found


def mismatches():
    """One line per finished translation of any catalog that breaks a rule of this module."""
    terms = glossary()
    lines = []
    for source in sources():
        if not source.catalog.exists():
            continue
        where = source.catalog.relative_to(facts.REPO_ROOT)
        kinds = {(c, m): k for c, k, m in source.entries()}
        for entry in polib.pofile(str(source.catalog)):
            if not entry.msgstr or entry.fuzzy or entry.obsolete:
                continue
            kind = kinds.get((entry.msgctxt, entry.msgid), "paragraph")
            for problem in entry_mismatches(kind, entry.msgid, entry.msgstr, terms):
                short = " ".join(entry.msgid.split())[:80]
                lines.append(f"{where}: [{entry.msgctxt}] {problem}: \"{short}\"")
    return lines
