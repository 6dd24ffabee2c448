"""Hidden inputs drawn from the course secret (issue 20, item 4): per secret, per student,
deterministic, with the generator's guarantees; no secret, no grading; no value in a message."""

import json
import logging
import subprocess

import numpy as np
import pytest

from catvnoncat import judge
from catvnoncat.facts import REPO_ROOT, SECRET_ENV, SECRET_FILE, course_config
from catvnoncat.judge import cases, compare, secret, verdict
from catvnoncat.judge.messages import Message
from support import mutants
from support.hidden_values import CASE_LISTS, hidden_values

#: Three course secrets the wrong-answer catalog must grade the same under.
SECRETS = ("first-course-secret-0123456789", "second-course-secret-abcdefghij",
           "third-course-secret-klmnopqrstuv")


def key(text, student=""):
    return judge.HiddenKey(text.encode(), student)


def arrays(case_list):
    return [np.asarray(a, dtype=float) for case in case_list for a in case.args
            if np.ndim(a) or isinstance(a, float)]


def same(first, second):
    return len(first) == len(second) and all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, second))


@pytest.mark.parametrize("name", CASE_LISTS)
def test_hidden_inputs_differ_between_secrets_and_students_and_repeat_for_one(name):
    make = CASE_LISTS[name]
    one = arrays(make(key(SECRETS[0])))
    assert same(one, arrays(make(key(SECRETS[0]))))             # grading again: the same
    if name != "initialize_with_zeros":                         # (its input is a size only)
        assert not same(one, arrays(make(key(SECRETS[1]))))     # another course
        assert not same(one, arrays(make(key(SECRETS[0], "alice"))))  # another student
    sizes = [[np.shape(a) for a in c.args] for c in make(key(SECRETS[0]))]
    assert sizes == [[np.shape(a) for a in c.args] for c in make(key(SECRETS[1], "bob"))]


def test_the_cache_key_holds_the_secret_but_not_its_text():
    first, second = cases.propagate_cases(key(SECRETS[0])), cases.propagate_cases(key(SECRETS[1]))
    assert first[0].key != second[0].key and first[0].sibling()[1] != second[0].sibling()[1]
    assert SECRETS[0] not in repr(first[0].key) and SECRETS[0] not in repr(key(SECRETS[0]))


@pytest.mark.parametrize("number", range(20))
def test_the_generator_keeps_its_guarantees_under_any_secret(number):
    hidden = key(f"random-course-secret-{number:04d}", f"student{number}")
    for make in (cases.propagate_cases, cases.predict_cases, cases.optimize_cases):
        sizes = {case.args[2].shape for case in make(hidden)}
        assert any(n == 1 for n, _ in sizes) and any(m == 1 for _, m in sizes)
        assert any(n != m for n, m in sizes)
    assert max(np.abs(c.args[0]).max() for c in cases.sigmoid_cases(hidden)) == 1000
    predict_z = [c.args[0].T @ c.args[2] + c.args[1] for c in cases.predict_cases(hidden)]
    assert 600 <= max(np.abs(z).max() for z in predict_z) <= 1000
    assert min(np.abs(z).min() for z in predict_z) >= cases.PREDICT_Z_MIN
    for case in cases.propagate_cases(hidden) + cases.optimize_cases(hidden):
        w, b, X, _ = case.args[:4]
        assert np.abs(w.T @ X + b).max() < cases.PROPAGATE_Z_MAX


def test_the_environment_wins_then_the_file_then_a_generated_one(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(secret.MissingSecret, match=SECRET_FILE):
        secret.read_secret(tmp_path)                      # a worker never creates one
    with pytest.raises(secret.MissingSecret, match=SECRET_ENV):
        judge.judge("test_sigmoid", judge.InProcessProber({}))  # no public fallback
    with caplog.at_level(logging.WARNING, logger="catvnoncat.judge.secret"):
        made = secret.read_secret(tmp_path, create=True)  # first grading
    assert "generated" in caplog.text and str(tmp_path / SECRET_FILE) in caplog.text
    assert len(made) == 64 and (tmp_path / SECRET_FILE).stat().st_mode & 0o077 == 0
    assert secret.read_secret(tmp_path, create=True) == made  # kept, not made again
    monkeypatch.setenv(SECRET_ENV, SECRETS[1])
    assert secret.read_secret(tmp_path) == SECRETS[1].encode()
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(secret.MissingSecret, match="shorter"):
        secret.read_secret(tmp_path)


def test_the_secret_file_never_reaches_git_a_release_or_a_feedback():
    ignored = subprocess.run(["git", "check-ignore", "-q", SECRET_FILE], cwd=REPO_ROOT)
    assert ignored.returncode == 0
    assert SECRET_FILE in course_config(REPO_ROOT).CourseDirectory.ignore


def test_the_course_fingerprint_changes_with_the_secret(tmp_path, monkeypatch):
    from catvnoncat.engine.jobs import course_fingerprint

    (tmp_path / "nbgrader_config.py").write_text("")
    monkeypatch.setenv(SECRET_ENV, SECRETS[0])
    first = course_fingerprint(tmp_path, "a")
    monkeypatch.setenv(SECRET_ENV, SECRETS[1])
    assert course_fingerprint(tmp_path, "a") != first
    monkeypatch.delenv(SECRET_ENV)
    assert course_fingerprint(tmp_path, "a") != first


@pytest.mark.slow  # grades the whole catalog three times (70 s)
def test_the_catalog_grades_the_same_under_three_secrets(solutions, dataset):
    """Every mistake of the catalog fails exactly its cells, with its hint, whatever the secret.

    The vectorization cells are left out here: their verdict comes from CPU growth on fresh
    random inputs, whatever the secret (tests/test_mutants.py grades them under the session's
    secret); the result check they start with compares as each function's own test does.
    """
    judged = [t for t in judge.TEST_CELLS if t not in judge.VECTORIZATION_CELLS.values()]
    differences = []
    for mutant in mutants.MUTANTS:
        namespace = mutants.solution_namespace(solutions, mutant.replacements, dataset=dataset)
        for text in SECRETS:
            outcomes = mutants.grade_directly(namespace, judged, key(text, "student"))
            failed = {t for t, message in outcomes.items() if message is not None}
            wanted = mutant.failing - set(judge.VECTORIZATION_CELLS.values())
            hint_missing = [t for t in wanted - mutant.follow_on
                            if outcomes.get(t) is None or mutant.hint not in outcomes[t]]
            if failed != wanted or hint_missing:
                differences.append((mutant.name, text, sorted(failed ^ wanted), hint_missing))
    assert differences == [], differences


@pytest.mark.slow  # grades the whole catalog (17 s)
def test_the_message_builder_never_receives_a_hidden_value(solutions, dataset, monkeypatch):
    """Every failure the judge builds over the whole catalog: no hidden input's value, and no
    value of the reference's results on it, is in its messages' parameters or words."""
    hidden = key(SECRETS[2], "carol")
    built = []
    original = verdict.Failure.__init__

    def recording(self, *args, **kwargs):
        original(self, *args, **kwargs)
        # the message records (ids and parameters, as stored) and their English words
        for message in (self.summary, self.hint, self.where):
            if isinstance(message, Message):
                built.extend([json.dumps(message.to_json()), message.render()])

    monkeypatch.setattr(verdict.Failure, "__init__", recording)
    judged = [t for t in judge.TEST_CELLS if t not in judge.VECTORIZATION_CELLS.values()]
    for mutant in mutants.MUTANTS:
        if not mutant.correct:
            namespace = mutants.solution_namespace(solutions, mutant.replacements,
                                                   dataset=dataset)
            mutants.grade_directly(namespace, judged, hidden)
    assert len(built) > 50
    forms = hidden_values(hidden)
    assert len(forms) > 300
    text = "\n".join(built)
    assert sorted(form for form in forms if form in text) == []


def test_a_message_quotes_no_shape_a_value_could_be_spelled_in():
    with pytest.raises(verdict.Failure) as spelled:
        compare.compare("dw", np.zeros((731, 1)), np.zeros((3, 1)), sizes=(3, 7))
    assert "731" not in spelled.value.summary and "(3, 1)" in spelled.value.summary
    with pytest.raises(verdict.Failure) as public:
        compare.compare("dw", np.zeros((1, 3)), np.zeros((3, 1)), sizes=(3, 7))
    assert "(1, 3)" in public.value.summary


#: Student code that tries to carry a hidden input out in its failure message, by channel.
LEAKS = {
    "exception echoing its argument": "def sigmoid(z):\n    raise ValueError(repr(z))\n",
    "exception class named after the input": (
        "def sigmoid(z):\n"
        "    name = 'E' + repr(float(np.ravel(z)[0])).replace('.', '_').replace('-', 'm')\n"
        "    raise type(name, (Exception,), {})('x')\n"),
    "a NameError naming the input": (
        "def sigmoid(z):\n"
        "    raise NameError(\"name 'v\" + repr(float(np.ravel(z)[0])).replace('.', '_')"
        ".replace('-', 'm') + \"' is not defined\")\n"),
    "a KeyError keyed by the input": "def sigmoid(z):\n    raise KeyError(repr(z))\n",
    "a shape spelling the input": (
        "def sigmoid(z):\n"
        "    return np.zeros((int(abs(float(np.ravel(z)[0])) * 1000) + 2, 1))\n"),
    "a list as long as the input says": (
        "def sigmoid(z):\n    return [0.5] * (int(abs(float(np.ravel(z)[0])) * 1000) + 40)\n"),
    "an exception quoting an input kept from an earlier call": (
        "def sigmoid(z):\n"
        "    global kept\n"
        "    kept = globals().get('kept') or repr(z)\n"
        "    raise ValueError(kept)\n"),
    "an identity-like mistake": "def sigmoid(z):\n    return z\n",
    "a sigmoid that can be inverted": "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n",
}


@pytest.mark.parametrize("source", LEAKS.values(), ids=list(LEAKS))
def test_student_code_cannot_carry_a_hidden_input_into_its_message(source):
    hidden = key(SECRETS[0], "mallory")
    namespace = {"np": np}
    exec(source, namespace)  # noqa: S102 - test data
    result = judge.judge("test_sigmoid", judge.InProcessProber(namespace), (source,), hidden)
    assert not result.passed
    text = result.message() + "\n" + json.dumps(result.record())
    numbers = [float(v) for case in cases.sigmoid_cases(hidden) for v in np.ravel(case.args[0])
               if float(v) not in (-1000.0, 745.5, -710.0, 40.0) and float(v) != int(v)]
    spelled = {form for v in numbers
               for form in (f"{v:.6g}", repr(v), repr(v).replace(".", "_"), f"{abs(v) * 1000:.0f}")
               if len(form.lstrip("-0._")) >= 3}
    assert sorted(form for form in spelled if form in text) == []


def test_an_exception_is_quoted_as_the_code_raises_it_on_the_visible_example():
    source = "def sigmoid(z):\n    raise ValueError('cannot take ' + repr(z))\n"
    namespace = {"np": np}
    exec(source, namespace)  # noqa: S102 - test data
    result = judge.judge("test_sigmoid", judge.InProcessProber(namespace), (source,),
                         key(SECRETS[0]))
    assert "raised ValueError (on the visible example it says: cannot take array([0., 2.]))" \
        in result.summary, result.summary
