"""Instructor report: what the class got right and wrong, read from the nbgrader gradebook.

``python -m catvnoncat report`` reads the gradebook named by ``nbgrader_config.py`` (the same
database ``nbgrader autograde`` writes: ``$CATVNONCAT_GRADEBOOK_URL``, default ``gradebook.db`` in
the course folder) and the autograded notebooks under ``autograded/``, and writes to ``reports/``:

``<assignment>.png``
    per-part pass rates, distribution of the total scores, most common failure messages;
``<assignment>.md``
    the same figures as a short Markdown summary.

Scores come from the gradebook only. Failure messages come from the verdict records the grader
stored in each autograded test cell's metadata (message ids and parameters, rendered here: the
probable mistake, then what differed), and for a test cell without one from the error outputs
the kernel left. A student with a submission but no autograded notebook
(autograde failed for them, e.g. a notebook that is not valid JSON) is listed with the reason.
"""

import json
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import repair
from .editions import class_of, default_class, merge_editions
from .facts import DEFAULT_ASSIGNMENT, REPO_ROOT, course_config
from .judge.verdict import METADATA_KEY
from .sandbox.groups import PER_PROCESS_ONLY

__all__ = [
    "Part",
    "ClassGrades",
    "course_config",
    "read_class_grades",
    "read_class",
    "failure_messages",
    "totals",
    "pass_rates",
    "common_failures",
    "format_table",
    "write_report",
    "run",
]

#: Longest failure message kept (the checks' messages are one or two short sentences).
MESSAGE_CHARS = 240
#: How many distinct failure messages the report lists.
TOP_FAILURES = 8
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Part:
    """One graded part of the assignment (an nbgrader grade cell).

    Attributes
    ----------
    name : str
        The nbgrader ``grade_id``.
    max_score : float
        Points, from the gradebook (which copied them from the notebook metadata).
    manual : bool
        True for a part graded by hand (a free-response answer cell).
    """

    name: str
    max_score: float
    manual: bool = False


@dataclass
class ClassGrades:
    """Scores of every submission for every graded part, plus why points were lost.

    Attributes
    ----------
    assignment : str
    parts : list of Part
        In notebook order.
    students : list of str
        Student ids that have a submission, sorted.
    names : dict
        ``{student id: "First Last"}`` (empty string when the gradebook has no name).
    scores : dict
        ``{(student, part): points}``; ``None`` means "waiting for a human grader".
    failures : dict
        ``{(student, part): message}`` for parts that lost points, when a message is known.
    not_graded : dict
        ``{student: reason}`` for submissions with no autograded notebook.
    repairs : dict
        ``{student: [sentence, ...]}``: what was repaired before grading (catvnoncat.repair).
    per_process_only : set
        Students whose sandbox had per-process limits only (no cgroups where it was graded).
    timestamps : dict
        ``{student: submission time}`` from the gradebook (None when unknown).
    editions : dict
        ``{student: edition}``: the assignment each student counts in (:mod:`catvnoncat.editions`;
        every student's is ``assignment`` when the class has one edition).
    also_handed_in : dict
        ``{student: [edition, ...]}``: the other editions a student handed in, not counted.
    """

    assignment: str
    parts: list
    students: list
    names: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    failures: dict = field(default_factory=dict)
    not_graded: dict = field(default_factory=dict)
    repairs: dict = field(default_factory=dict)
    per_process_only: set = field(default_factory=set)
    timestamps: dict = field(default_factory=dict)
    editions: dict = field(default_factory=dict)
    also_handed_in: dict = field(default_factory=dict)

    @property
    def max_total(self):
        return sum(p.max_score for p in self.parts)


def _gradebook_settings(course_dir):
    """``(db_url, course_id)`` exactly as nbgrader sees them."""
    cfg = course_config(course_dir).CourseDirectory
    db_url = cfg.db_url if "db_url" in cfg else f"sqlite:///{Path(course_dir) / 'gradebook.db'}"
    course_id = cfg.course_id if "course_id" in cfg else ""
    return db_url, course_id


#: nbclient's error for a cell interrupted at the time limit, said plainly.
TIMEOUT_MESSAGE = ("CellTimeoutError: the cell did not finish within the per-cell time limit and "
                   "was interrupted (an infinite loop, or very slow code)")
#: The part name under which a submission that was not autograded at all is counted.
WHOLE_NOTEBOOK = "(whole notebook)"


def _error_text(output):
    """One line for an error output: ``Name: value`` (just ``Name`` when there is no value)."""
    if output.get("ename") == "CellTimeoutError":
        return TIMEOUT_MESSAGE
    lines = [" ".join(line.split()) for line in str(output.get("evalue", "")).splitlines()]
    lines = [line for line in lines if line]
    # The checks end with one sentence naming the probable mistake: put it first, so it survives
    # the cut to MESSAGE_CHARS and students who made the same mistake are counted together.
    value = f"{lines[-1]} ({' '.join(lines[:-1])})" if len(lines) > 1 else "".join(lines)
    return f"{output.get('ename', 'Error')}: {value}" if value else str(output.get("ename", "Error"))


def record_message(record, catalog=None):
    """One line for a verdict record that lost points: the hint first (so students with the
    same mistake are counted together after the cut to MESSAGE_CHARS), then what differed."""
    from .judge.messages import render
    from .judge.verdict import Verdict

    verdict = Verdict.from_record(record)
    kind = "HiddenTestFailed" if verdict.judged else "NotRun"  # as the cell's output says
    said = " ".join(render(verdict.said, catalog).split())
    if verdict.advice is None:
        return f"{kind}: {said}"
    return f"{kind}: {' '.join(render(verdict.advice, catalog).split())} ({said})"


def failure_messages(nb, catalog=None):
    """Why each autograded test cell of an executed notebook lost its points.

    A cell the grader judged holds its verdict as a record (:mod:`catvnoncat.judge.verdict`):
    its message is rendered from the record with ``catalog`` (default: English), never read
    back from the words in the cell's output. A test cell without a record (run in the kernel
    by stock nbgrader) is read from what the kernel left: its error, or its text on stderr.

    Parameters
    ----------
    nb : dict-like
        An autograded notebook (nbformat node or plain dict).
    catalog : dict, optional
        Message id -> template (see :func:`catvnoncat.judge.messages.english`).

    Returns
    -------
    dict
        ``{grade_id: message}`` for the grade cells that lost their points.
    """
    from .judge.verdict import record_of

    messages = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or cell.get("cell_type") != "code":
            continue
        record = record_of(cell)
        if record is not None:
            try:
                if record.get("outcome") != "passed":
                    messages[meta["grade_id"]] = record_message(record, catalog)[:MESSAGE_CHARS]
                continue
            except ValueError:
                pass  # not a record of ours: read the outputs, as for a kernel-run test
        outputs = cell.get("outputs", [])
        # An interrupted cell holds the KeyboardInterrupt and then nbclient's timeout error:
        # the timeout is the reason.
        errors = sorted((o for o in outputs if o.get("output_type") == "error"),
                        key=lambda o: o.get("ename") != "CellTimeoutError")
        stderr = [o for o in outputs
                  if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        if errors:
            text = _error_text(errors[0])
        elif stderr:
            first = next((s for s in str(stderr[0].get("text", "")).splitlines() if s.strip()), "")
            text = f"wrote to stderr: {first.strip()}"
        else:
            continue
        messages[meta["grade_id"]] = text[:MESSAGE_CHARS]
    return messages


def read_class_grades(course_dir=REPO_ROOT, assignment=DEFAULT_ASSIGNMENT, db_url=None, course_id=None,
                      catalog=None):
    """Read every submission's scores from the gradebook, and failure messages from ``autograded/``.

    Parameters
    ----------
    course_dir : path-like
        The nbgrader course folder (holds ``nbgrader_config.py``, ``submitted/``, ``autograded/``).
    assignment : str
    db_url, course_id : str, optional
        Override the values read from ``nbgrader_config.py``.
    catalog : dict, optional
        The words of the failure messages (message id -> template; default: English).

    Returns
    -------
    ClassGrades
    """
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    course_dir = Path(course_dir)
    if db_url is None or course_id is None:
        config_url, config_course = _gradebook_settings(course_dir)
        db_url = db_url or config_url
        course_id = config_course if course_id is None else course_id
    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).is_file():
        raise FileNotFoundError(
            f"No gradebook at {db_url}: run `nbgrader generate_assignment {assignment}` and "
            f"`nbgrader autograde {assignment}` first (or `make demo`)."
        )

    with Gradebook(db_url, course_id) as gb:
        try:
            found = gb.find_assignment(assignment)
        except MissingEntry:
            raise LookupError(
                f"The gradebook {db_url} has no assignment {assignment!r}: run "
                f"`nbgrader generate_assignment {assignment}` first."
            ) from None
        notebooks = [nb.name for nb in found.notebooks]
        parts = []
        for nb in found.notebooks:
            manual = {cell.name for cell in nb.solution_cells}
            position = _release_positions(course_dir, assignment, nb.name)
            cells = sorted(nb.grade_cells, key=lambda c: (position.get(c.name, len(position)), c.name))
            parts += [Part(c.name, float(c.max_score), c.name in manual) for c in cells]
        grades = ClassGrades(assignment, parts, students=[])
        by_hand = {p.name for p in parts if p.manual}
        for submission in found.submissions:
            student = submission.student
            grades.students.append(student.id)
            grades.timestamps[student.id] = submission.timestamp
            grades.editions[student.id] = assignment
            grades.names[student.id] = " ".join(
                n for n in (student.first_name, student.last_name) if n)
            for nb_sub in submission.notebooks:
                for grade in nb_sub.grades:
                    # Only a part graded by hand can be "waiting"; an autograded part with no
                    # score was never autograded and is worth 0, as nbgrader counts it.
                    waiting = (grade.name in by_hand and grade.manual_score is None
                               and grade.auto_score is None)
                    grades.scores[student.id, grade.name] = None if waiting else float(grade.score)
    grades.students.sort()

    for student in grades.students:
        for notebook in notebooks:
            graded = course_dir / "autograded" / student / assignment / f"{notebook}.ipynb"
            if graded.is_file():
                executed = nbformat.read(graded, as_version=4)
                for part, message in failure_messages(executed, catalog).items():
                    grades.failures[student, part] = message
                if executed.metadata.get(METADATA_KEY, {}).get("limits") == PER_PROCESS_ONLY:
                    grades.per_process_only.add(student)
                said = repair.repairs_of(executed)
                if said:
                    grades.repairs[student] = said
                continue
            submitted = course_dir / "submitted" / student / assignment / f"{notebook}.ipynb"
            grades.not_graded[student] = repair.why_not_graded([submitted])
    return grades


def read_class(course_dir=REPO_ROOT, assignment=None, catalog=None):
    """The class's grades, one row per student, from every edition of ``assignment`` in the
    gradebook (:mod:`catvnoncat.editions`: each student in the edition they count in).

    An edition not in the gradebook (never generated) is left out; the first edition must be
    there (else LookupError, as :func:`read_class_grades`).
    """
    editions = class_of(assignment or default_class(course_dir), course_dir)
    per_edition = {}
    for edition in editions:
        try:
            per_edition[edition] = read_class_grades(course_dir, edition, catalog=catalog)
        except LookupError:
            if edition == editions[0]:
                raise
    return merge_editions(per_edition)


def _release_positions(course_dir, assignment, notebook):
    """``{grade_id: index}`` in the release notebook: the gradebook does not store cell order."""
    release = Path(course_dir) / "release" / assignment / f"{notebook}.ipynb"
    if not release.is_file():
        return {}
    cells = json.loads(release.read_text(encoding="utf-8")).get("cells", [])
    ids = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in cells]
    return {gid: i for i, gid in enumerate(ids) if gid}


def totals(grades):
    """``{student: points}``, parts waiting for a human grader counting 0."""
    return {s: sum(grades.scores.get((s, p.name)) or 0.0 for p in grades.parts)
            for s in grades.students}


def waiting(grades, part):
    """How many submissions wait for a human grader on ``part``."""
    return sum(grades.scores.get((s, part.name), 0.0) is None for s in grades.students)


def pass_rates(grades):
    """Per part: ``(students with full points, students graded)``; ungraded manual parts excluded."""
    rates = {}
    for part in grades.parts:
        scored = [grades.scores.get((s, part.name)) for s in grades.students]
        scored = [x for x in scored if x is not None]
        rates[part.name] = (sum(x >= part.max_score for x in scored), len(scored))
    return rates


def common_failures(grades, top=TOP_FAILURES):
    """The most frequent failure messages, most frequent first.

    A submission that was not autograded at all counts once, under the part
    :data:`WHOLE_NOTEBOOK`, with the reason.

    Returns
    -------
    list of (message, part, students)
        ``students`` is the sorted list of student ids that got this message for this part.
    """
    who = defaultdict(list)
    for (student, part), message in grades.failures.items():
        who[message, part].append(student)
    for student, reason in grades.not_graded.items():
        who[f"not autograded: {reason}", WHOLE_NOTEBOOK].append(student)
    ranked = sorted(who.items(), key=lambda item: (-len(item[1]), item[0][1], item[0][0]))
    return [(message, part, sorted(students)) for (message, part), students in ranked[:top]]


def _points(x):
    return "?" if x is None else f"{x:g}"


def format_table(grades):
    """Plain-text table: one row per student, one column per graded part, then the total.

    Columns are numbered (the part names are long); a legend under the table names them.
    ``?`` marks a part waiting for a human grader, ``!`` a student whose notebook was not
    autograded at all.
    """
    numbers = [str(i) for i in range(1, len(grades.parts) + 1)]
    id_width = max([len("student")] + [display_width(s) + 1 for s in grades.students])
    labels = edition_labels(grades)  # a class of several editions: the one each counts in
    edition_width = max([len("edition"), *(len(x) for x in labels.values())]) + 2 if labels else 0
    col = max(4, max(len(n) for n in numbers) + 1)
    total_label = f"total/{grades.max_total:g}"
    header = "student".ljust(id_width) + ("  " + "edition".ljust(edition_width - 2) if labels else "")
    header += "".join(n.rjust(col) for n in numbers)
    header += total_label.rjust(len(total_label) + 2)
    lines = [header, "-" * len(header)]
    sums = totals(grades)
    for s in grades.students:
        row = s + ("!" if s in grades.not_graded else "")
        row += " " * (id_width - display_width(row))
        if labels:
            row += "  " + labels[grades.editions[s]].ljust(edition_width - 2)
        row += "".join(_points(grades.scores.get((s, p.name))).rjust(col) for p in grades.parts)
        row += f"{sums[s]:g}".rjust(len(total_label) + 2)
        lines.append(row)
    lines.append("-" * len(header))
    legend = [f"{n:>2} {p.name} ({p.max_score:g}{', by hand' if p.manual else ''})"
              for n, p in zip(numbers, grades.parts)]
    half = (len(legend) + 1) // 2
    left_width = max(len(x) for x in legend[:half]) + 3
    for i in range(half):
        right = legend[half + i] if half + i < len(legend) else ""
        lines.append((legend[i].ljust(left_width) + right).rstrip())
    if any(v is None for v in grades.scores.values()):
        lines.append("? = waiting for a human grader (JupyterLab: Nbgrader > Formgrader > "
                     "Gradebook)")
    if labels:
        lines.append("edition: " + ", ".join(f"{label} = {e}" for e, label in sorted(
            labels.items())) + " (the one each student counts in: the one handed in, the later "
            "if both)")
    if grades.not_graded:
        lines.append("! = not autograded: " + "; ".join(
            f"{s}: {why}" for s, why in sorted(grades.not_graded.items())))
    return "\n".join(lines)


def display_width(text):
    """Columns ``text`` takes in a terminal (a CJK character takes two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def edition_labels(grades):
    """``{edition: short label}`` (``en``, ``zh``) when the students count in several editions
    of the class, else ``{}``."""
    used = sorted(set(grades.editions.values()))
    if len(used) < 2 and not grades.also_handed_in:
        return {}
    first = grades.assignment
    return {e: e[len(first) + 1:] if e.startswith(first + "_") else "en"
            for e in {*used, *(x for v in grades.also_handed_in.values() for x in v)}}


def _wrap(text, width):
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines


def _plot(grades, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Failure messages may be Chinese (the zh edition): the first installed CJK font after the
    # default, chosen as the zh notebook's own plots choose it (lr_utils.use_cjk_fonts).
    from .facts import student_module

    student_module("lr_utils.py").use_cjk_fonts()

    rates = pass_rates(grades)
    sums = totals(grades)
    failures = common_failures(grades)
    fig, (ax_rate, ax_dist, ax_fail) = plt.subplots(
        3, 1, figsize=(12, 15), gridspec_kw={"height_ratios": [len(grades.parts) + 2, 5,
                                                              max(3, 1.6 * len(failures) + 1)]})
    counted = Counter(grades.editions.values())
    by_edition = (" (" + ", ".join(f"{n} in {e}" for e, n in sorted(counted.items())) + ")"
                  if len(counted) > 1 else "")
    fig.suptitle(f"{grades.assignment}: {len(grades.students)} "
                 f"{'students' if by_edition else 'submissions'}{by_edition}",
                 fontsize=14)

    labels = [f"{p.name} ({p.max_score:g})" for p in grades.parts]
    percent = [100 * ok / n if n else 0.0 for ok, n in (rates[p.name] for p in grades.parts)]
    y = range(len(labels))
    ax_rate.barh(y, percent, color="tab:green")
    ax_rate.set_yticks(list(y), labels)
    ax_rate.invert_yaxis()
    ax_rate.set_xlim(0, 100)
    ax_rate.set_xlabel("students with full points (%)")
    ax_rate.set_title("Pass rate per graded part")
    for i, (p, pct) in enumerate(zip(grades.parts, percent)):
        ok, n = rates[p.name]
        label = f"{ok}/{n}" + (f"  ({waiting(grades, p)} waiting for a grader)"
                               if waiting(grades, p) else "")
        ax_rate.text(min(pct, 70) + 1, i, label, va="center")

    values = [sums[s] for s in grades.students]
    bins = [i * grades.max_total / 10 for i in range(11)]
    ax_dist.hist(values, bins=bins, color="tab:blue", edgecolor="white")
    ax_dist.set_xlim(0, grades.max_total)
    ax_dist.set_xlabel(f"total score (out of {grades.max_total:g}; parts not yet graded by hand "
                       "count 0)")
    ax_dist.set_ylabel("students")
    ax_dist.set_title("Score distribution")
    ax_dist.yaxis.get_major_locator().set_params(integer=True)

    ax_fail.set_title("Most common failure messages (students)")
    if failures:
        most = max(len(who) for _, _, who in failures)
        y = range(len(failures))
        ax_fail.barh(y, [len(who) for _, _, who in failures], color="tab:red", height=0.6)
        ax_fail.set_xlim(0, most * 4.2)  # bars in the first quarter, the messages beside them
        ax_fail.set_ylim(len(failures) - 0.5, -0.5)
        ax_fail.set_yticks([])
        ax_fail.set_xticks(range(most + 1))
        for i, (message, part, who) in enumerate(failures):
            text = "\n".join(_wrap(f"{len(who)} x [{part}] {message}", 120)[:3])
            ax_fail.text(len(who) + most * 0.05, i, text, va="center", fontsize=8)
        ax_fail.spines[["top", "right"]].set_visible(False)
    else:
        ax_fail.axis("off")
        ax_fail.text(0.5, 0.5, "no failures", ha="center", va="center")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _markdown(grades, png_name):
    rates = pass_rates(grades)
    sums = totals(grades)
    values = sorted(sums.values())
    lines = [f"# {grades.assignment}: class report", ""]
    if not values:
        return "\n".join(lines + ["No submissions in the gradebook yet.", ""])
    lines += [
        f"{len(grades.students)} submissions; total score out of {grades.max_total:g} "
        f"(parts not yet graded by hand count 0): mean {statistics.mean(values):.1f}, "
        f"median {statistics.median(values):g}, min {values[0]:g}, max {values[-1]:g}.",
        "",
        f"![pass rates, score distribution and failures]({png_name})",
        "",
    ]
    if grades.per_process_only:
        lines += [
            f"**Graded with per-process limits only: {len(grades.per_process_only)} of "
            f"{len(grades.students)} submissions** ({', '.join(sorted(grades.per_process_only))})."
            " Their sandboxes had no cgroups (the grader was not root, or the machine has "
            "cgroup v2 only): a submission's processes together could use more memory, "
            "processes and CPU than the README's table says. Grade again as root on a cgroup v1 "
            "machine for the full limits.",
            "",
        ]
    lines += [
        "## Pass rate per graded part",
        "",
        "| part | points | full points | pass rate |",
        "|---|---:|---:|---:|",
    ]
    for p in grades.parts:
        ok, n = rates[p.name]
        rate = f"{100 * ok / n:.0f} %" if n else "not graded yet"
        left = f" ({waiting(grades, p)} waiting)" if waiting(grades, p) else ""
        lines.append(f"| {p.name}{' (by hand)' if p.manual else ''} | {p.max_score:g} | "
                     f"{ok}/{n}{left} | {rate} |")
    lines += ["", "## Score distribution", "", "| total score | students |", "|---|---:|"]
    step = grades.max_total / 10
    counts = Counter(min(int(v // step), 9) if step else 0 for v in values)
    for i in range(10):
        lines.append(f"| {i * step:g}–{(i + 1) * step:g}{'' if i == 9 else ' (excl.)'} | "
                     f"{counts.get(i, 0)} |")
    lines += ["", "## Most common failure messages", ""]
    failures = common_failures(grades)
    if failures:
        lines += ["| students | part | message | who |", "|---:|---|---|---|"]
        for message, part, who in failures:
            cell = message.replace("|", "\\|")
            lines.append(f"| {len(who)} | {part} | {cell} | {', '.join(who)} |")
    else:
        lines.append("None: every autograded part got full points.")
    lines += _editions_markdown(grades)
    if grades.not_graded:
        lines += ["", "## Not autograded", ""]
        lines += [f"- **{s}**: {why}" for s, why in sorted(grades.not_graded.items())]
    if grades.repairs:
        lines += ["", "## Repaired before grading", ""]
        lines += [f"- **{s}**: {'; '.join(r)}" for s, r in sorted(grades.repairs.items())]
    pending = [p for p in grades.parts if waiting(grades, p)]
    if pending:
        lines += ["", "## Waiting for a human grader", ""]
        for p in pending:
            who = [s for s in grades.students if grades.scores.get((s, p.name), 0.0) is None]
            lines.append(f"- {p.name}: {waiting(grades, p)} answers ({', '.join(who)})")
        lines += ["", "Grade them in the formgrader (`jupyter lab` in the course folder, then "
                  "Nbgrader > Formgrader > Gradebook), then run `nbgrader generate_feedback` "
                  "and this report again. Until then these students' feedback says the answer "
                  "waits for a human grader."]
    lines += ["", "## Scores", "", "```", format_table(grades), "```", ""]
    return "\n".join(lines)


def _editions_markdown(grades):
    """The editions section: who counts in which edition, and who handed in both."""
    labels = edition_labels(grades)
    if not labels:
        return []
    counted = Counter(grades.editions.values())
    lines = ["", "## Editions", "",
             "Each student counts in the edition they handed in; a student who handed in more "
             "than one counts in the later submission (the last thing handed in is what they "
             "want graded, as nbgrader keeps the latest hand-in of one assignment).", "",
             "| edition | students |", "|---|---:|"]
    lines += [f"| {e} | {n} |" for e, n in sorted(counted.items())]
    lines += ["", "| student | name | edition counted | also handed in |", "|---|---|---|---|"]
    for s in grades.students:
        also = ", ".join(grades.also_handed_in.get(s, [])) or "-"
        name = grades.names.get(s, "").replace("|", "\\|")
        lines.append(f"| {s} | {name} | {grades.editions[s]} | {also} |")
    return lines


def write_report(grades, out_dir):
    """Write ``<assignment>.png`` and ``<assignment>.md`` into ``out_dir``; return both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / f"{grades.assignment}.png"
    md = out_dir / f"{grades.assignment}.md"
    _plot(grades, png)
    md.write_text(_markdown(grades, png.name), encoding="utf-8")
    return png, md


def run(course_dir=REPO_ROOT, out_dir=None, assignment=DEFAULT_ASSIGNMENT):
    """Read the gradebook of ``course_dir`` and write the report (default: ``<course_dir>/reports``).

    ``assignment`` names the class: every edition of it in the gradebook is read, each student
    counted once (:func:`read_class`)."""
    grades = read_class(course_dir, assignment)
    return grades, write_report(grades, Path(course_dir) / "reports" if out_dir is None else out_dir)
