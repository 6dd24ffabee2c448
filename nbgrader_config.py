"""nbgrader configuration of the catvnoncat course (the repository root is the course directory).

Plain `nbgrader generate_assignment|autograde|generate_feedback|export logistic_regression`,
run from this folder (with .venv activated: nbgrader runs the `alembic` program next to it when
it creates the gradebook), use these settings; scripts pass no flags of their own.

What each fault in a submission gets (measured with nbgrader 0.9.6 by `make demo`):

- infinite loop: the cell is interrupted after `Execute.timeout` seconds and gets a
  CellTimeoutError output; a test cell with it scores 0, the next cells run normally.
- kernel death (os._exit, segfault, out of memory, a resource limit): stock nbgrader aborts that
  student's whole notebook (nbclient raises DeadKernelError, nbgrader deletes the autograded
  copy, every part keeps score 0); here `ExecuteWithJudge` keeps the points of the cells that
  ran before the death and marks every later code cell as not run (score 0). A cell that
  ignores the interrupt at its time limit gets its kernel stopped, with the same outcome.
- test cells are never run in the student's kernel: their verdict is reached by the grader
  (catvnoncat.judge) from probes the kernel answers with data; see README "Threat model".
- a deleted test cell is put back from the gradebook (with its hidden tests) and run;
- an edited test cell (e.g. `assert True`) is restored from the gradebook (nbgrader's
  OverwriteCells: test cells are locked and their checksum is checked) and run as released;
- a notebook that is not valid JSON cannot be read: nbgrader logs the error, scores that
  student 0 and grades the others (the command then exits with status 1).
"""

import os
from pathlib import Path

import nbgrader as _nbgrader

from catvnoncat.steps import mathml, pipelines
from catvnoncat.steps.export import GradesCsvExport
from catvnoncat.steps.feedback import TEMPLATES, page_lang, page_style, part_name, points, say_on_page
from catvnoncat.steps.formgrader import count_one_edition_per_class
from catvnoncat.steps.students import read_unreadable_timestamps_as_missing
from catvnoncat.steps.repair import NotebookReader, pre_convert_hook

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

ROOT = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "catvnoncat"
c.CourseDirectory.root = str(ROOT)
# Gradebook: SQLite file in the course folder unless an instructor points elsewhere.
c.CourseDirectory.db_url = os.environ.get("CATVNONCAT_GRADEBOOK_URL", f"sqlite:///{ROOT / 'gradebook.db'}")

# Only the notebook, the student-facing helpers and the quiz are released; never the data or
# caches (the quiz's pytest and hypothesis write theirs when a student runs it).
# The course secret the hidden inputs are drawn from (catvnoncat.judge.secret) never leaves the
# course folder either.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.h5", "feedback",
                            ".pytest_cache", ".hypothesis", ".catvnoncat_secret"]
# Autograde copies the source's files over each student's autograded folder (the helpers stay
# as released); the student's own quiz answers are kept there, not replaced by blank ones.
c.Autograde.exclude_overwriting = {name: ["quiz/answers.py", "quiz/drill.py"]
                                   for name in ("logistic_regression", "logistic_regression_zh")}

# Per-cell time limit while autograding. The slowest honest cell, the 2000-step training on the
# real data, takes about 1.5 s on an idle laptop and was measured at 5 s on 2 cores shared with
# other jobs (the learning-rate comparison is one 1500-step cell per rate for this reason); 20 s
# keeps a margin of 4 and bounds an infinite loop: the cell is interrupted (KeyboardInterrupt),
# recorded as a CellTimeoutError that scores 0, and the next cells run. A student whose
# `optimize` never returns costs 20 s per cell that trains (6 cells: about 2 minutes).
c.Execute.timeout = 20
c.Execute.interrupt_on_timeout = True
# After a cell's reply, nbclient waits this long for its last outputs; nbgrader raises when that
# runs out and then drops the whole submission. A kernel just interrupted on a busy machine was
# seen to need more than nbclient's default 4 s, so give it ample time.
c.Execute.iopub_timeout = 30
# A submission's own code in all: the notebook kernel's cells, then every judge child's replay of
# the cells before its test cell and its probes (an honest notebook: under a minute). Past it,
# what is left scores 0 with a line saying so: the student's time, never a grader error.
# `catvnoncat grade`'s own per-submission limit (900 s) is above it: that one stops our hangs.
c.ExecuteWithJudge.submission_seconds = 600

# A student who deleted a test cell gets it back, hidden tests included, from the gradebook.
# (An edited test cell is always restored: test cells are locked, OverwriteCells compares the
# checksum recorded by generate_assignment and puts the released source back.)
c.OverwriteCells.add_missing_cells = True

# The grading kernel runs the student's code and nothing else: a sandboxed kernel (bubblewrap:
# no network, own PID namespace, read-only system, a scratch copy of the submission, no view of
# the course folder or of catvnoncat; limits below). Its kernelspec is installed with the package.
c.Execute.kernel_name = "catvnoncat-sandbox"
# The kernel reads the course's public data read-only; nothing else of the course is visible.
c.BubblewrapProvisioner.data_dir = os.environ.get("CATVNONCAT_DATA", str(ROOT / "datasets"))
# Per-process memory, processes and threads, CPU seconds over the kernel's life, largest file,
# and the size of its scratch folder. An honest notebook uses about 1 GB, 10 threads, 30 CPU s.
c.BubblewrapProvisioner.memory_mb = 3072
c.BubblewrapProvisioner.max_processes = 64
c.BubblewrapProvisioner.cpu_seconds = 900
c.BubblewrapProvisioner.max_file_mb = 256
c.BubblewrapProvisioner.scratch_mb = 512
# All of a sandbox's processes together (the notebook kernel's; the judge host's with every judge
# child it forks): memory, shared and in-memory files included; processes and threads; cores kept
# busy at once (catvnoncat.sandbox.groups: cgroup v1 groups of their own, as root; elsewhere the
# per-process limits above only, said on the console).
c.BubblewrapProvisioner.sandbox_memory_mb = 4096
c.BubblewrapProvisioner.sandbox_processes = 256
c.BubblewrapProvisioner.sandbox_cpus = 1.0
# Where bubblewrap cannot run, autograding stops with a message saying how to install it. An
# instructor who accepts unsandboxed grading (student code then runs with their rights) says so:
# c.BubblewrapProvisioner.allow_unsandboxed = True


# The grading pipeline: nbgrader's default steps with the course's documented changes
# (catvnoncat.steps.pipelines says each and why; a test compares them with nbgrader's defaults).
# - sanitize: repairs first (catvnoncat.repair), the outputs of cells that will not be re-run
#   kept, hidden tests restored without a warning;
# - autograde: the cells after the last test not re-run, test cells judged outside the kernel
#   (catvnoncat.judge; a dying or hung notebook kernel costs the later cells' outputs, not
#   their points), what student code displayed (HTML, JavaScript) sanitized before the
#   formgrader or feedback shows it;
# - feedback: answers awaiting a human grader named, each test cell's visible part and verdict
#   shown, never the hidden part nor a script or event handler written by a student.
c.Autograde.sanitize_preprocessors = pipelines.sanitize()
c.Autograde.autograde_preprocessors = pipelines.autograde()
c.GenerateFeedback.preprocessors = pipelines.feedback()
c.HTMLExporter.sanitize_html = True
# nbconvert's own steps are registered disabled unless told otherwise (a test checks that
# every step the course adds is enabled).
c.SanitizeHTML.enabled = True

# --- Repairs before grading (catvnoncat.repair) ---------------------------------------------
# Honest submissions stock nbgrader cannot read as they are: a renamed notebook
# (logistic_regression-Copy1.ipynb) is graded under its released name (pre-convert hook: a copy
# next to the student's file); a file with a byte-order mark is read (exporter); inside the
# notebook, before nbgrader's own checks, duplicated grade ids and lost or damaged nbgrader
# metadata are repaired from the release notebook (first sanitize step). Each repair is said in
# the autograded notebook (a markdown cell first, metadata catvnoncat.repairs); no code changes.
c.Autograde.pre_convert_hook = pre_convert_hook
c.Autograde.exporter_class = NotebookReader
# A submission is the student's regular files only: first in the pre-convert hook, symbolic
# links, hard links to course files, fifos, devices, sockets and files past these caps are moved
# to quarantine/<student>/<assignment>/ (never copied nor graded) and said in the feedback.
# The caps are sized for the engine too: its coordinator holds the files of the jobs in flight
# (2 per worker) and each worker sends the autograded copies back (an answered notebook with its
# plots takes about 1 MB).
c.SubmissionQuarantine.max_file_mb = 20
c.SubmissionQuarantine.max_files = 200
c.SubmissionQuarantine.max_total_mb = 40
c.SubmissionQuarantine.max_depth = 16  # folders nested; a deeper one is set aside whole

# --- Cells no grade depends on are not re-run (catvnoncat.steps.tail) ------------------------
# The code cells after the last autograded test (sections 5-7: training on the real data and
# plots) keep the student's own outputs, marked "not re-run during grading", instead of being
# executed: every test cell comes before them, so no grade changes.
# For a full re-run of every cell: c.TailNotRerun.enabled = False

# --- Gradebook on PostgreSQL ------------------------------------------------------------------
# CATVNONCAT_GRADEBOOK_URL=postgresql://user@host:port/db uses psycopg 3 (a dependency), also
# with SQLAlchemy versions whose default PostgreSQL driver is psycopg2.
if c.CourseDirectory.db_url.startswith("postgresql://"):
    c.CourseDirectory.db_url = "postgresql+psycopg://" + c.CourseDirectory.db_url[len("postgresql://"):]

# --- Hand-out and hand-in, offline maths, answers awaiting a human grader (issue 13) ---------
# nbgrader's exchange (release_assignment, fetch_assignment, submit, collect, release_feedback,
# fetch_feedback) lives in one folder shared by instructor and students. It is set here only when
# CATVNONCAT_EXCHANGE names one (students then set the same c.Exchange.root); otherwise the
# hub-wide setting stands (catvnoncat hub-setup writes it into each environment's config), else
# nbgrader's default /usr/local/share/nbgrader/exchange: the formgrader (started in ~) and the
# command line (in this folder) use the same exchange. README: "The exchange"; docs/hub.md.
if os.environ.get("CATVNONCAT_EXCHANGE"):
    c.Exchange.root = os.environ["CATVNONCAT_EXCHANGE"]
# nbgrader's collect leaves submitted/<student>/<assignment>/ mode 0777 (as submit made it in the
# exchange): this collect then removes every permission of other users (catvnoncat.hub.exchange).
c.ExchangeFactory.collect = "catvnoncat.hub.exchange.PrivateCollect"

# Feedback pages and the formgrader render maths without network or MathJax: formulas become
# MathML when the page is generated (catvnoncat.steps.mathml), readable in JupyterLab's untrusted
# HTML viewer; our feedback/index.html.j2 has no script at all, names each graded part and shows
# answers awaiting a human grader as waiting; our base/mathjax.html.j2 replaces nbconvert's CDN
# MathJax loader in the formgrader's grading page by the page's style (outputs wrap instead of
# being cut off) and the startup signal its formgrade.js waits for (catvnoncat.steps.feedback).
c.HTMLExporter.extra_template_basedirs = [
    str(TEMPLATES),
    str(Path(_nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates")]
c.HTMLExporter.filters = {"markdown2html": mathml.markdown2html,
                          "catvnoncat_page_style": page_style, "catvnoncat_part": part_name,
                          "catvnoncat_points": points, "catvnoncat_say": say_on_page,
                          "catvnoncat_lang": page_lang}

# --- No verdict is never 0 points in grades.csv (catvnoncat.steps.export) ---------------------
# `nbgrader export` leaves the score empty for a missing submission and for one that could not be
# graded through no fault of the student's, and says which in a `status` column. A class of two
# editions (logistic_regression, logistic_regression_zh) gets one row per student, of the edition
# they count in (the one handed in; the later if both), named in an `edition` column.
c.ExportApp.plugin_class = GradesCsvExport
# The formgrader's Manage Students page likewise counts one edition per student, not the sum of
# both editions over twice the maximum (catvnoncat.steps.formgrader).
count_one_edition_per_class()
# A submission's timestamp.txt is the student's file: one nbgrader cannot read (binary, not a
# time, a link or a pipe) is read as none, set aside by the quarantine, and said in the feedback;
# nbgrader raised on it before any hook ran, and the student was "not graded" as if by our fault.
read_unreadable_timestamps_as_missing()

# --- Bytes of output kept (catvnoncat.steps.output_limits) ------------------------------------
# The notebook kernel's outputs are counted as they arrive (a message over message_mb is dropped
# by zmq before it is read); past a cell's or the notebook's budget they are dropped with a note
# in the cell, and the executed notebook is cut to the same budgets (LimitOutputBytes, right
# after nbgrader's LimitOutput, which counts lines). An honest notebook's outputs take about 25 kB.
c.LimitOutputBytes.cell_mb = 1
c.LimitOutputBytes.notebook_mb = 5
c.LimitOutputBytes.message_mb = 2
# Messages read from the notebook kernel (each costs the grader about 0.4 ms, most of it nbformat
# validating the output): past a cell's or the notebook's count, the cell's output is no longer
# read, it gets a note, and the kernel is interrupted. An honest notebook sends about 200.
c.LimitOutputBytes.cell_messages = 2000
c.LimitOutputBytes.notebook_messages = 5000
# Bytes read on the notebook kernel's output channel in all (each message is checked and parsed
# before it can be dropped: 1.9 MB ones cost about 4.5 ms each); an honest notebook sends < 1 MB.
c.LimitOutputBytes.read_mb = 200
# Display ids (update_display): nbclient walks their outputs on every update and clear_output.
c.LimitOutputBytes.display_id_outputs = 8
c.LimitOutputBytes.display_ids = 1000
c.AsyncKernelManager.client_class = "catvnoncat.steps.output_limits.BoundedKernelClient"
