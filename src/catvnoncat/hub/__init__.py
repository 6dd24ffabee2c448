"""The course on a JupyterHub: each person sees and changes only what is theirs (issue 19).

``deploy`` is ``catvnoncat hub-setup`` (run as root by the hub's administrator: a student
environment without this package, an instructor environment only graders can read, the exchange,
the course folder, the configs); ``doctor`` is ``catvnoncat doctor`` (run by the instructor: what
others can read or write that they should not); ``exchange`` is the nbgrader collect step that
keeps collected submissions private. docs/hub.md says how they fit together.
"""

#: nbgrader 0.9's default ``Exchange.root`` (the hub-wide exchange unless the admin names another).
DEFAULT_EXCHANGE = "/usr/local/share/nbgrader/exchange"

#: The exchange's course folder and its sub-folders with the modes nbgrader's own
#: ``release_assignment`` / ``release_feedback`` create them with: everyone may list the course and
#: fetch from ``outbound``; ``inbound`` takes submissions nobody else can list (setgid: they get the
#: instructor's group); ``feedback`` is reached by the file names only a student's own submission
#: gives.
EXCHANGE_COURSE_MODES = {"": 0o755, "outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}
