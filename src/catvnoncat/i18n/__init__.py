"""The Chinese edition of the course, generated from the one English source.

The English ``source/logistic_regression/`` is the only notebook anyone edits. Its sentences
(Markdown paragraphs; docstrings, comments and the strings printed or drawn by its code cells;
the hint sentences of ``hints.py``) are extracted into gettext catalogs under ``i18n/zh_CN/``,
translated there, and the Chinese edition ``source/logistic_regression_zh/`` is generated from
the English source and the catalogs (``python -m catvnoncat.i18n``, run by ``make i18n``).

A changed English sentence marks its translation fuzzy (gettext's flag, the old English kept as
``#| msgid``); :func:`catvnoncat.i18n.catalog.problems` names every fuzzy or missing translation,
and the test suite fails on any.
"""

from catvnoncat import facts

#: The language of the second edition (gettext's name for it).
LANGUAGE = "zh_CN"
#: The English assignment the edition is generated from.
ENGLISH = facts.DEFAULT_ASSIGNMENT
#: The generated assignment.
EDITION = f"{ENGLISH}_zh"
#: Where the catalogs live.
CATALOG_DIR = facts.REPO_ROOT / "i18n" / LANGUAGE
#: The glossary: English term, Chinese term, one pair a line.
GLOSSARY = CATALOG_DIR / "glossary.tsv"
