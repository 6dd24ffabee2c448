"""Command line: ``python -m catvnoncat <command>`` (see ``--help``)."""

import argparse
import sys


def _fetch_data(args):
    from .data import FetchError, fetch_data

    try:
        fetch_data(dest_dir=args.dest, mirror=args.mirror)
    except FetchError as e:
        print(f"fetch-data failed: {e}", file=sys.stderr)
        return 1
    return 0


def _reference_run(args):
    from .data import load_prepared
    from .reference import accuracy, model

    X_train, Y_train, X_test, Y_test = load_prepared()
    d = model(X_train, Y_train, X_test, Y_test, num_iterations=args.iterations,
              learning_rate=args.learning_rate)
    print(f"Reference run: gradient descent from zeros, pixels / 255, "
          f"learning rate {args.learning_rate}, {args.iterations} iterations")
    print(f"{'iteration':>9}  cost")
    for i, cost in enumerate(d["costs"]):
        print(f"{i * 100:>9}  {cost:.6f}")
    print(f"train accuracy: {accuracy(d['Y_prediction_train'], Y_train)} %")
    print(f"test accuracy:  {accuracy(d['Y_prediction_test'], Y_test)} %")
    return 0


def _demo(args):
    from .demo import main

    return main(args.course_dir, jobs=args.jobs)


def _unknown_assignment(course_dir, name):
    """Why ``name`` is not an assignment of the course (its ``source/`` folders), naming the
    nearest one; None when it is one."""
    import difflib

    from .facts import assignments

    known = assignments(course_dir)
    if name in known or not known:
        return None
    nearest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    advice = (f"did you mean {nearest[0]}?" if nearest
              else f"the assignments are: {', '.join(known)}.")
    return f"{course_dir} has no assignment {name!r} (no folder source/{name}/): {advice}"


def _editions_to_grade(course_dir, named):
    """The assignments ``catvnoncat grade`` grades: ``named`` alone, else every edition of the
    course's class with a submission under ``submitted/`` (the first edition when none has)."""
    from .editions import class_of, default_class, handed_in

    if named:
        return [named]
    editions = class_of(default_class(course_dir), course_dir)
    found = handed_in(course_dir, editions)
    present = [e for e in editions if any(e in times for times in found.values())]
    return present or [editions[0]]


def _grade(args):
    import os
    from pathlib import Path

    from .editions import handed_in
    from .engine.executors import dask_executor, local_executor
    from .engine.run import EngineError, grade_class

    course_dir = Path(args.course_dir).resolve()
    if not (course_dir / "nbgrader_config.py").is_file():
        print(f"grade: {course_dir} has no nbgrader_config.py: run it from the course folder "
              "(as nbgrader) or pass --course-dir", file=sys.stderr)
        return 2
    unknown = args.assignment and _unknown_assignment(course_dir, args.assignment)
    if unknown:
        print(f"grade: {unknown}", file=sys.stderr)
        return 2
    editions = _editions_to_grade(course_dir, args.assignment)
    # --student with several editions: each student is graded in the editions they handed in.
    students = {e: args.student for e in editions}
    if args.student and len(editions) > 1:
        found = handed_in(course_dir, editions)
        nowhere = sorted(set(args.student) - set(found))
        if nowhere:
            print(f"grade: no submission of {' or '.join(editions)} for {', '.join(nowhere)} "
                  f"under {course_dir / 'submitted'}/<student id>/<assignment>/", file=sys.stderr)
            return 2
        students = {e: [s for s in args.student if e in found[s]] for e in editions}
    try:
        executor = (dask_executor(args.scheduler) if args.scheduler
                    else local_executor(args.workers or os.cpu_count() or 1, course_dir))
    except (OSError, TimeoutError) as e:
        print(f"grade: cannot reach the Dask scheduler {args.scheduler}: {e}", file=sys.stderr)
        return 2
    status = 0
    with executor:
        for edition in editions:
            if students[edition] == []:
                continue
            print(f"grading {edition} in {course_dir} on {executor.description}", flush=True)
            try:
                result = grade_class(course_dir, executor, edition, students=students[edition],
                                     force=args.force, time_limit=args.time_limit)
            except EngineError as e:
                print(f"grade: stopped: {e}", file=sys.stderr)
                return 2
            print(result.summary() if len(editions) == 1 else f"{edition}: {result.summary()}")
            status = max(status, result.exit_status)
    return status


def _report(args):
    from .editions import default_class
    from .report import run

    try:
        grades, (png, md) = run(args.course_dir, out_dir=args.out,
                                assignment=default_class(args.course_dir))
    except (FileNotFoundError, LookupError) as e:
        print(f"report failed: {e}", file=sys.stderr)
        return 1
    editions = sorted(set(grades.editions.values()))
    counted = f" (editions: {', '.join(editions)})" if len(editions) > 1 else ""
    print(f"{len(grades.students)} students of {grades.assignment}{counted}: wrote {png} and {md}")
    return 0


def _hub_setup(args):
    from .hub.deploy import main

    return main(args)


def _doctor(args):
    from .hub.doctor import main

    return main(args.course_dir)


def build_parser():
    parser = argparse.ArgumentParser(prog="catvnoncat", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("fetch-data", help="fetch the .h5 files from a mirror and verify sha256")
    p.add_argument("--mirror", help="folder or http(s) base URL (default: $CATVNONCAT_MIRROR, "
                                    "else the public origin in datasets/README.md)")
    p.add_argument("--dest", help="destination folder (default: datasets/)")
    p.set_defaults(func=_fetch_data)

    p = sub.add_parser("reference-run", help="train the reference model on the real data")
    p.add_argument("--iterations", type=int, default=2000)
    p.add_argument("--learning-rate", type=float, default=0.005)
    p.set_defaults(func=_reference_run)

    from .data import REPO_ROOT

    p = sub.add_parser("demo", help="the instructor's main job on a demo class: generate, "
                                    "autograde, feedback, export, report")
    p.add_argument("--course-dir", default=None, help="course folder to run in (default: "
                                                      "demo-course/, the demo's own)")
    p.add_argument("--jobs", type=int, help="students autograded at the same time "
                                            "(default: 2 on a machine with 2 cores or more)")
    p.set_defaults(func=_demo)

    from .engine.run import DEFAULT_TIME_LIMIT

    p = sub.add_parser("grade", help="autograde every submission under submitted/ in parallel "
                                     "(nbgrader's pipeline, the course config) into the gradebook")
    p.add_argument("assignment", nargs="?", help="default: every edition of the class handed in "
                                                 "(logistic_regression and its translations, "
                                                 "e.g. logistic_regression_zh)")
    p.add_argument("--student", nargs="+", metavar="ID", help="only these students")
    p.add_argument("--workers", type=int, help="submissions graded at the same time on this "
                                               "machine (default: its cores)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="grade on this Dask cluster instead of local processes")
    p.add_argument("--force", action="store_true", help="regrade submissions already graded")
    p.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
                   help=f"wall-clock limit per submission (default {DEFAULT_TIME_LIMIT:g})")
    p.add_argument("--course-dir", default=".", help="nbgrader course folder (default: the "
                                                     "current folder, as nbgrader)")
    p.set_defaults(func=_grade)

    p = sub.add_parser("report", help="pass rates, score distribution and common failures from "
                                      "the gradebook, as reports/<assignment>.png and .md")
    p.add_argument("--course-dir", default=REPO_ROOT, help="nbgrader course folder (default: "
                                                           "this repository)")
    p.add_argument("--out", help="output folder (default: <course-dir>/reports)")
    p.set_defaults(func=_report)

    from .hub import DEFAULT_EXCHANGE
    from .hub import deploy

    p = sub.add_parser("hub-setup", help="(as root) set the course up on a JupyterHub: student "
                                         "and instructor environments, exchange, private course "
                                         "folder (docs/hub.md)")
    p.add_argument("--course", required=True, help="the instructor's course folder (a checkout "
                                                    "of this repository in their home)")
    p.add_argument("--instructor", required=True, help="the instructor's user name")
    p.add_argument("--graders", default=deploy.DEFAULT_GRADERS,
                   help=f"group whose members get the instructors' environment (default "
                        f"{deploy.DEFAULT_GRADERS}; created if missing)")
    p.add_argument("--prefix", default=deploy.DEFAULT_PREFIX,
                   help=f"where the environments go (default {deploy.DEFAULT_PREFIX})")
    p.add_argument("--exchange", default=DEFAULT_EXCHANGE,
                   help=f"the hub-wide nbgrader exchange (default: nbgrader's, {DEFAULT_EXCHANGE})")
    p.add_argument("--python", default=deploy.DEFAULT_PYTHON,
                   help=f"a Python every user can run (default {deploy.DEFAULT_PYTHON})")
    p.add_argument("--source", help="course checkout to install catvnoncat from (default: this one)")
    p.add_argument("--jupyterhub", help="pip requirement for the servers' jupyterhub (default: "
                                        "the version installed here)")
    p.add_argument("--profile-snippet", default=deploy.PROFILE_SNIPPET,
                   help=f"where the login-shell PATH snippet goes (default {deploy.PROFILE_SNIPPET})")
    p.set_defaults(func=_hub_setup)

    p = sub.add_parser("doctor", help="(as the instructor) list what other users can read or "
                                      "write that they should not, with the command fixing each")
    p.add_argument("--course-dir", default=".", help="nbgrader course folder (default: the "
                                                     "current folder)")
    p.set_defaults(func=_doctor)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)
