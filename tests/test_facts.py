"""The bottom floor: facts shared across the package, named once."""

from catvnoncat import facts


def _course(tmp_path, *names):
    for name in names:
        (tmp_path / "source" / name).mkdir(parents=True)
        (tmp_path / "source" / name / f"{name}.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "source" / "notes").mkdir(parents=True, exist_ok=True)  # no notebook: no assignment
    return tmp_path


def test_assignments_are_the_source_folders_holding_a_notebook(tmp_path):
    course = _course(tmp_path, "logistic_regression_zh", "logistic_regression")
    assert facts.assignments(course) == ["logistic_regression", "logistic_regression_zh"]
    assert facts.assignments(tmp_path / "nowhere") == []
    assert facts.assignments() == ["logistic_regression", "logistic_regression_zh"]


def test_the_default_assignment_is_the_only_one_else_the_english_edition(tmp_path):
    assert facts.default_assignment(_course(tmp_path / "one", "other")) == "other"
    assert facts.default_assignment(_course(tmp_path / "two", "a", "b")) == "logistic_regression"
    assert facts.default_assignment(tmp_path / "none") == "logistic_regression"


def test_the_config_reads_the_environment_variables_named_here():
    config = (facts.REPO_ROOT / facts.CONFIG_NAME).read_text(encoding="utf-8")
    for name in (facts.GRADEBOOK_ENV, facts.DATA_ENV, facts.EXCHANGE_ENV):
        assert f'os.environ.get("{name}"' in config, name


def test_test_cells_and_grade_ids_from_metadata():
    test = {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "solution": False,
                                                           "grade_id": "test_sigmoid"}}}
    answer = {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "solution": True,
                                                             "grade_id": "sigmoid"}}}
    plain = {"cell_type": "code", "metadata": {}}
    assert [facts.is_test_cell(c) for c in (test, answer, plain)] == [True, False, False]
    assert [facts.grade_id(c) for c in (test, answer, plain)] == ["test_sigmoid", "sigmoid", None]


def test_the_reason_from_a_log_is_its_last_exception_else_its_last_line():
    log = ("[AutogradeApp | INFO] grading\nTraceback (most recent call last):\n"
           "  File x\nValueError: first\nKeyError: 'second'\n[AutogradeApp | ERROR] done\n")
    assert facts.reason_from_log(log) == "KeyError: 'second'"
    assert facts.reason_from_log("[INFO] only this\n") == "[INFO] only this"
    assert facts.reason_from_log("") == "nbgrader logged nothing"
