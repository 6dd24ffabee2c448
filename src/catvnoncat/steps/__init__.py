"""Every nbgrader step the course adds, one module per concern, as nbgrader's own
``nbgrader/preprocessors/`` are; :mod:`.pipelines` assembles them into the lists
``nbgrader_config.py`` assigns.

* :mod:`.repair` - the pre-convert hook, the notebook reader and :class:`RepairSubmission`
  (submissions stock nbgrader cannot read; the repairs themselves are :mod:`catvnoncat.repair`).
* :mod:`.tail` - :class:`StashTailOutputs` and :class:`KeepTailOutputs` (cells after the last
  test are not re-run).
* :mod:`.execute` - :class:`ExecuteWithJudge` (test cells judged outside the kernel),
  :class:`OverwriteCellsQuietly` and :class:`ClearHiddenTestsInFeedback`.
* :mod:`.streams` - :class:`CoalesceRunStreams` (one stream output per run of prints).
* :mod:`.feedback` - offline MathJax, wrapped outputs and :class:`PendingManualGrades`.
* :mod:`.pipelines` - ``autograde()``, ``sanitize()`` and ``feedback()``: nbgrader's default
  lists with this course's documented substitutions and insertions.
"""
