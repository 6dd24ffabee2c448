"""``catvnoncat hub-setup``: the course on a JupyterHub, set up by its administrator (as root).

Idempotent: each step checks what is there and changes only what differs, saying so. What it
makes (docs/hub.md says why each piece is there):

- ``<prefix>/student``: the students' environment (a venv of a Python every user can run): what
  the notebook, the visible tests and the quiz need, JupyterLab, JupyterHub's single-user server,
  nbgrader's student extensions; nbgrader's instructor-only extensions disabled; no catvnoncat.
- ``<prefix>/instructor`` (0750 root:<graders>): the instructors' environment ``env/`` with
  catvnoncat installed (editable) from a root-owned copy of the course checkout, the sandbox
  kernelspec in that environment only, the formgrader allowed inside JupyterLab (CSP).
- Both environments: the hub-wide exchange root (their ``etc/jupyter/nbgrader_config.py``), a
  private umask for what their servers create, and their ``bin/`` back on PATH in JupyterLab's
  terminals (``/etc/profile.d/catvnoncat-hub.sh``: login shells reset PATH).
- The exchange root (1777) and its course folder, owned by the instructor before any student
  could create it; the course folder owned by the instructor, group graders, nothing for others;
  the instructor's ``~/.jupyter/nbgrader_config.py`` naming the course (the hub starts servers
  in ``~``); ``<prefix>/jupyterhub_config.py`` for the hub to load (which environment a user's
  server runs from).
"""

import grp
import hashlib
import importlib.metadata
import os
import pwd
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import DEFAULT_EXCHANGE, EXCHANGE_COURSE_MODES

DEFAULT_PREFIX = "/opt/catvnoncat"
DEFAULT_GRADERS = "catvnoncat-graders"
#: Debian's own Python: every user can run it (a pyenv Python under /root cannot be).
DEFAULT_PYTHON = "/usr/bin/python3.11"
PROFILE_SNIPPET = "/etc/profile.d/catvnoncat-hub.sh"

#: What students run: the notebook (numpy, h5py, matplotlib, pillow), the visible tests and the
#: quiz (pytest, hypothesis), JupyterLab with nbgrader's student extensions. Version bounds come
#: from pyproject.toml.
STUDENT_PACKAGES = ("numpy", "h5py", "matplotlib", "pillow", "pytest", "hypothesis", "ipykernel",
                    "jupyterlab", "nbgrader")
#: nbgrader's instructor-only parts (nbgrader's installation guide names them so).
INSTRUCTOR_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                          "@jupyter/nbgrader:course-list")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader",
                                "nbgrader.server_extensions.course_list")
#: Not copied with the course checkout into the instructors' environment.
_NOT_PACKAGE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", ".pytest_cache", "node_modules", "demo-course",
    "submitted", "autograded", "feedback", "gradebook.db", "grades.csv", "reports")
_MARK = "# Written by catvnoncat hub-setup"


class SetupError(RuntimeError):
    """Something hub-setup cannot fix itself; the message says what to do."""


@dataclass(frozen=True)
class HubPlan:
    """What ``hub-setup`` sets up (every path absolute)."""

    course: Path            # the instructor's course folder (holds nbgrader_config.py)
    instructor: str         # the instructor's user name
    source: Path            # the course checkout catvnoncat is installed from
    prefix: Path = Path(DEFAULT_PREFIX)
    graders: str = DEFAULT_GRADERS
    exchange: Path = Path(DEFAULT_EXCHANGE)
    python: str = DEFAULT_PYTHON
    jupyterhub: str = ""    # pip requirement for jupyterhub; "" = the version this Python has
    profile_snippet: Path = Path(PROFILE_SNIPPET)

    @property
    def student_env(self):
        return self.prefix / "student"

    @property
    def instructor_root(self):
        return self.prefix / "instructor"

    @property
    def instructor_env(self):
        return self.instructor_root / "env"

    @property
    def package_copy(self):
        return self.instructor_root / "course-src"

    @property
    def hub_config(self):
        return self.prefix / "jupyterhub_config.py"


def jupyterhub_requirement(spec=""):
    """``spec``, else the jupyterhub version of this Python (the hub's and the single-user
    servers' versions should match), else any 5.x or 6.x."""
    if spec:
        return spec
    try:
        return f"jupyterhub=={importlib.metadata.version('jupyterhub')}"
    except importlib.metadata.PackageNotFoundError:
        return "jupyterhub>=5,<7"


def requirements(source, names):
    """The requirement strings of pyproject.toml's dependencies (and its extras) named ``names``
    (one place for version bounds), in the order of ``names``."""
    with open(Path(source) / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    dependencies = [*project["dependencies"],
                    *(r for extra in project.get("optional-dependencies", {}).values() for r in extra)]
    by_name = {}
    for requirement in dependencies:
        name = requirement.split(";")[0]
        for stop in "<>=!~[ ":
            name = name.split(stop)[0]
        by_name[name.lower()] = requirement
    return [by_name.get(name, name) for name in names]


# --- small idempotent actions -------------------------------------------------------------------

def _say(message):
    print(f"hub-setup: {message}", flush=True)


def _run(argv, **kwargs):
    result = subprocess.run([os.fspath(a) for a in argv], capture_output=True, text=True, **kwargs)
    if result.returncode:
        raise SetupError(f"{' '.join(map(os.fspath, argv))} failed:\n{result.stdout[-3000:]}"
                         f"{result.stderr[-3000:]}")
    return result.stdout


def _ensure_mode(path, mode, uid=None, gid=None):
    st = os.lstat(path)
    if (uid is not None and st.st_uid != uid) or (gid is not None and st.st_gid != gid):
        os.chown(path, -1 if uid is None else uid, -1 if gid is None else gid)
        _say(f"{path}: owner set")
    if st.st_mode & 0o7777 != mode:
        os.chmod(path, mode)  # after chown, which clears setgid
        _say(f"{path}: mode {mode:04o}")
    elif uid is not None or gid is not None:
        os.chmod(path, mode)


def _write(path, text, mode=0o644, uid=None, gid=None):
    path = Path(path)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        _say(f"wrote {path}")
    _ensure_mode(path, mode, uid, gid)


def _venv(env, python):
    if not (env / "bin" / "python").exists():
        if not os.access(python, os.X_OK):
            raise SetupError(f"{python} is not there: pass --python with a Python 3.11 or newer "
                             "that every user can run (Debian: apt-get install python3-venv)")
        _run([python, "-m", "venv", env])
        _say(f"created the environment {env}")


def _pip_install(env, args, key=""):
    """``pip install args`` into ``env``, skipped when the same arguments (and ``key``: what
    else decides the result) were installed last."""
    stamp = env / ".catvnoncat-installed"
    wanted = "\n".join([*map(os.fspath, args), key]) + "\n"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    _say(f"installing into {env}: {' '.join(map(os.fspath, args))}")
    _run([env / "bin" / "python", "-m", "pip", "install", "--quiet", "--root-user-action=ignore",
          "--disable-pip-version-check", *args])
    stamp.write_text(wanted)


def _group_id(name):
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _run(["groupadd", "--system", name])
        _say(f"created the group {name}")
        return grp.getgrnam(name).gr_gid


def _add_to_group(user, group):
    if user not in grp.getgrnam(group).gr_mem:
        _run(["usermod", "--append", "--groups", group, user])
        _say(f"added {user} to {group}")


#: Each environment's nbgrader config. The private fetch is defined here, not imported: the
#: students' environment has no catvnoncat.
_ENV_NBGRADER_CONFIG = '''{mark}.
import os

from nbgrader.exchange.default.fetch_assignment import ExchangeFetchAssignment

c = get_config()  # noqa: F821

# The hub-wide exchange (the course's nbgrader_config.py keeps it unless CATVNONCAT_EXCHANGE is
# set).
c.Exchange.root = {exchange!r}


class PrivateFetch(ExchangeFetchAssignment):
    """nbgrader's fetch copies the released modes (0755 folders, 0644 files) into ~: the fetched
    assignment (and so the student's answers and feedback) is made the student's alone, also in
    a home folder other users can enter."""

    def do_copy(self, src, dest):
        super().do_copy(src, dest)
        for folder, _dirs, files in os.walk(dest):
            for path in [folder, *(os.path.join(folder, f) for f in files)]:
                if not os.path.islink(path):
                    os.chmod(path, os.stat(path).st_mode & 0o7700)


c.ExchangeFactory.fetch_assignment = PrivateFetch
'''


# --- the steps ----------------------------------------------------------------------------------

def _env_configs(env, plan, umask, extra_server=""):
    """The config files of one environment: the exchange, the umask, PATH in terminals."""
    _write(env / "etc" / "jupyter" / "nbgrader_config.py", _ENV_NBGRADER_CONFIG.format(
        mark=_MARK, exchange=os.fspath(plan.exchange)))
    _write(env / "etc" / "jupyter" / "jupyter_server_config.py",
           f"{_MARK}.\nimport os\nimport sys\n\nc = get_config()  # noqa: F821\n"
           f"# What this server and its terminals create (fetched assignments, feedback, grades)\n"
           f"# is not readable by other users, whatever the mode of the home folder.\n"
           f"os.umask(0o{umask:03o})\n"
           f"# JupyterLab terminals are login shells and /etc/profile resets PATH: "
           f"{plan.profile_snippet}\n# puts this environment's bin/ back in front.\n"
           f"os.environ['CATVNONCAT_ENV_BIN'] = os.path.join(sys.prefix, 'bin')\n{extra_server}")


def student_environment(plan):
    """The students' environment: no catvnoncat, no instructor menus."""
    env = plan.student_env
    _venv(env, plan.python)
    _ensure_mode(env, 0o755)
    _pip_install(env, [*requirements(plan.source, STUDENT_PACKAGES),
                       jupyterhub_requirement(plan.jupyterhub)])
    jupyter = env / "bin" / "jupyter"
    for plugin in INSTRUCTOR_LAB_PLUGINS:
        _run([jupyter, "labextension", "disable", "--level=sys_prefix", plugin], env=_clean_env(env))
    for extension in INSTRUCTOR_SERVER_EXTENSIONS:
        _run([jupyter, "server", "extension", "disable", "--sys-prefix", extension],
             env=_clean_env(env))
    _env_configs(env, plan, umask=0o077)
    probe = subprocess.run([env / "bin" / "python", "-c", "import catvnoncat"],
                           capture_output=True, env=_clean_env(env), cwd="/")
    if probe.returncode == 0:
        raise SetupError(f"catvnoncat is importable in the students' environment {env}: "
                         f"remove it ({env}/bin/pip uninstall catvnoncat)")
    _say(f"students' environment ready: {env}")


def instructor_environment(plan, graders_gid):
    """The instructors' environment, readable by root and the graders group only."""
    root = plan.instructor_root
    root.mkdir(parents=True, exist_ok=True)
    _ensure_mode(root, 0o750, uid=0, gid=graders_gid)
    env = plan.instructor_env
    _venv(env, plan.python)
    # A root-owned copy: the package reads source/ (hint sentences) and datasets/ beside it, so
    # it is installed editable from this copy; students cannot traverse <prefix>/instructor.
    digest = _tree_digest(plan.source)
    marker = plan.package_copy / ".catvnoncat-source"
    if not marker.exists() or marker.read_text() != digest:
        shutil.rmtree(plan.package_copy, ignore_errors=True)
        shutil.copytree(plan.source, plan.package_copy, ignore=_NOT_PACKAGE, symlinks=True)
        marker.write_text(digest)
        _say(f"copied {plan.source} to {plan.package_copy}")
    pyproject = hashlib.sha256((plan.package_copy / "pyproject.toml").read_bytes()).hexdigest()
    _pip_install(env, ["--editable", plan.package_copy, jupyterhub_requirement(plan.jupyterhub)],
                 key=f"pyproject.toml {pyproject}")  # new dependencies: install again
    # An editable install skips pyproject's data-files: the sandbox kernelspec goes into this
    # environment only (never a system-wide or a student's kernel path).
    _run([env / "bin" / "python", "-m", "catvnoncat.sandbox", "install", env], env=_clean_env(env))
    _env_configs(env, plan, umask=0o027, extra_server=(
        "# The formgrader is a frame inside JupyterLab: JupyterHub's single-user server sends\n"
        "# frame-ancestors 'none' unless told otherwise.\n"
        "c.ServerApp.tornado_settings = {'headers': "
        "{'Content-Security-Policy': \"frame-ancestors 'self'\"}}\n"))
    _say(f"instructors' environment ready: {env} (group {plan.graders})")


def _tree_digest(source):
    """A digest of the files catvnoncat is installed from (changes trigger a new copy)."""
    digest = hashlib.sha256()
    for folder in ("src", "source"):
        for path in sorted((Path(source) / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(os.fspath(path.relative_to(source)).encode())
                digest.update(path.read_bytes())
    digest.update((Path(source) / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def _clean_env(env):
    """The environment variables of a command run with ``env``'s tools."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("JUPYTER", "VIRTUAL_ENV", "PYTHON", "CATVNONCAT_"))}
    keep["PATH"] = f"{env}/bin:/usr/local/bin:/usr/bin:/bin"
    return keep


def exchange(plan, course_id, user):
    """The exchange root (1777: anyone may create a course folder, nobody may remove another's)
    and this course's folder, created for the instructor with nbgrader's modes."""
    plan.exchange.mkdir(parents=True, exist_ok=True)
    _ensure_mode(plan.exchange, 0o1777)
    course_folder = plan.exchange / course_id
    for sub, mode in EXCHANGE_COURSE_MODES.items():
        path = course_folder / sub if sub else course_folder
        if path.exists():
            owner = pwd.getpwuid(path.stat().st_uid).pw_name
            if owner != user.pw_name:
                raise SetupError(
                    f"{path} belongs to {owner}, not to the instructor {user.pw_name}: it was "
                    f"created before the first release (a student who owns it can block the "
                    f"release or put files where classmates fetch). Look inside, remove it "
                    f"(rm -r {path}) and run hub-setup again.")
        else:
            path.mkdir()
            os.chown(path, user.pw_uid, user.pw_gid)
            _say(f"created {path} for {user.pw_name}")
        _ensure_mode(path, mode)


def course_folder(plan, user, graders_gid):
    """The course folder: the instructor's, readable by the graders group, nothing for others.
    The setgid bit gives what is created inside the graders group."""
    for folder, dirs, files in os.walk(plan.course):
        for name in [folder, *(os.path.join(folder, f) for f in files)]:
            st = os.lstat(name)
            if os.path.islink(name):
                continue
            if (st.st_uid, st.st_gid) != (user.pw_uid, graders_gid):
                os.chown(name, user.pw_uid, graders_gid)
            if st.st_mode & 0o027:
                os.chmod(name, st.st_mode & 0o7777 & ~0o027)
    _ensure_mode(plan.course, 0o2750)
    home = Path(user.pw_dir).resolve()
    if home not in plan.course.resolve().parents:
        _say(f"warning: {plan.course} is not under {home}: the formgrader only finds a course "
             f"inside the folder the hub starts the server in (the home folder)")
    _say(f"course folder {plan.course}: {user.pw_name}:{plan.graders} 2750, nothing for others")


def instructor_config(plan, user):
    """The instructor's ``~/.jupyter/nbgrader_config.py``: the hub starts Jupyter in ``~``, so
    the formgrader learns the course root (and the course's settings) here."""
    path = Path(user.pw_dir) / ".jupyter" / "nbgrader_config.py"
    text = (f"{_MARK}: the course of this instructor (the hub starts Jupyter in ~).\n"
            f"from pathlib import Path\n\nc = get_config()  # noqa: F821\n"
            f"COURSE = {os.fspath(plan.course)!r}\n"
            f"c.CourseDirectory.root = COURSE\n"
            f"# The course's own settings (grading, gradebook); nbgrader reads them itself when\n"
            f"# run in the course folder.\n"
            f"if Path.cwd().resolve() != Path(COURSE).resolve():\n"
            f"    load_subconfig('nbgrader_config.py', path=COURSE)  # noqa: F821\n")
    if path.exists() and not path.read_text(encoding="utf-8").startswith(_MARK):
        _say(f"{path} exists and was not written by hub-setup: left alone. It needs:\n{text}")
        return
    jupyter_dir = path.parent
    if not jupyter_dir.exists():
        jupyter_dir.mkdir()
        os.chown(jupyter_dir, user.pw_uid, user.pw_gid)
    _write(path, text, mode=0o600, uid=user.pw_uid, gid=user.pw_gid)


def profile_snippet(plan):
    """``/etc/profile.d`` snippet: a JupyterLab terminal keeps its server's environment on PATH."""
    _write(plan.profile_snippet,
           f"{_MARK} (catvnoncat docs/hub.md).\n"
           "# JupyterLab terminals are login shells: /etc/profile has just reset PATH. Put back\n"
           "# the bin folder of the environment the Jupyter server runs from.\n"
           'if [ -n "${CATVNONCAT_ENV_BIN:-}" ]; then\n'
           '  case ":$PATH:" in\n'
           '    *":$CATVNONCAT_ENV_BIN:"*) ;;\n'
           '    *) PATH="$CATVNONCAT_ENV_BIN:$PATH"; export PATH ;;\n'
           "  esac\nfi\n")


def hub_config(plan):
    """``<prefix>/jupyterhub_config.py``: graders' servers run from the instructors' environment,
    everyone else's from the students'. The hub's own config loads it (docs/hub.md)."""
    _write(plan.hub_config,
           f'"""{_MARK.lstrip("# ")}. In the hub\'s jupyterhub_config.py:\n'
           f'load_subconfig({os.fspath(plan.hub_config)!r})\n"""\nimport grp\n\n'
           f"c = get_config()  # noqa: F821\n"
           f"STUDENT_ENV = {os.fspath(plan.student_env)!r}\n"
           f"INSTRUCTOR_ENV = {os.fspath(plan.instructor_env)!r}\n"
           f"GRADERS = {plan.graders!r}\n\n\n"
           "def catvnoncat_environment(spawner):\n"
           '    """Members of the graders group get the instructors\' environment."""\n'
           "    grader = spawner.user.name in grp.getgrnam(GRADERS).gr_mem\n"
           "    env = INSTRUCTOR_ENV if grader else STUDENT_ENV\n"
           "    spawner.cmd = [env + '/bin/jupyterhub-singleuser']\n"
           "    spawner.environment['PATH'] = env + '/bin:/usr/local/bin:/usr/bin:/bin'\n\n\n"
           "c.Spawner.pre_spawn_hook = catvnoncat_environment\n"
           "c.Spawner.default_url = '/lab'\n")


def setup(plan):
    """Every step, in order. Raises `SetupError` with what to do when a step cannot proceed."""
    from ..course import course_id

    if os.geteuid() != 0:
        raise SetupError("hub-setup creates environments, a group and folders owned by other "
                         "users: run it as root (sudo catvnoncat hub-setup ...)")
    if not (plan.course / "nbgrader_config.py").is_file():
        raise SetupError(f"{plan.course} has no nbgrader_config.py: --course names the "
                         "instructor's course folder (a checkout of this repository)")
    try:
        user = pwd.getpwnam(plan.instructor)
    except KeyError:
        raise SetupError(f"no user {plan.instructor!r}: create the instructor's account first "
                         f"(useradd -m {plan.instructor})") from None
    os.umask(0o022)  # the students' environment must be readable by all
    graders_gid = _group_id(plan.graders)
    _add_to_group(plan.instructor, plan.graders)
    plan.prefix.mkdir(parents=True, exist_ok=True)
    student_environment(plan)
    instructor_environment(plan, graders_gid)
    course = course_id(plan.course)
    exchange(plan, course, user)
    course_folder(plan, user, graders_gid)
    instructor_config(plan, user)
    profile_snippet(plan)
    hub_config(plan)
    _say(f"done. Next: load_subconfig({os.fspath(plan.hub_config)!r}) in the hub's "
         f"jupyterhub_config.py, restart the hub; then, as {plan.instructor}: "
         f"{plan.instructor_env}/bin/catvnoncat doctor --course-dir {plan.course}")
    return 0


def main(args):
    """``catvnoncat hub-setup`` (arguments parsed by catvnoncat.cli)."""
    from ..data import REPO_ROOT

    plan = HubPlan(course=Path(args.course).resolve(), instructor=args.instructor,
                   source=Path(args.source or REPO_ROOT).resolve(),
                   prefix=Path(args.prefix).resolve(), graders=args.graders,
                   exchange=Path(args.exchange).resolve(), python=args.python,
                   jupyterhub=args.jupyterhub or "",
                   profile_snippet=Path(args.profile_snippet))
    try:
        return setup(plan)
    except SetupError as e:
        print(f"hub-setup: stopped: {e}", file=sys.stderr)
        return 2
