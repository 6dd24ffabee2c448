"""README's "What a submission may use" table says the limits ``nbgrader_config.py`` sets."""

import re

from catvnoncat.course import REPO_ROOT
from catvnoncat.facts import course_config

#: Config sections whose every number is a limit on a submission, and single limits elsewhere.
LIMIT_SECTIONS = ("LimitOutputBytes", "SubmissionQuarantine")
LIMIT_TRAITS = {("Execute", "timeout"), ("ExecuteWithJudge", "submission_seconds")} | {
    ("BubblewrapProvisioner", name) for name in
    ("memory_mb", "max_processes", "cpu_seconds", "max_file_mb", "scratch_mb",
     "sandbox_memory_mb", "sandbox_processes", "sandbox_cpus")}


def _table():
    """``{(section, trait): (value, unit)}`` from the README table."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### What a submission may use", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("Resource", "---"):
            continue
        setting = re.fullmatch(r"`c\.(\w+)\.(\w+)`", cells[2])
        limit = re.fullmatch(r"([\d.]+)(?: (s|MB))?", cells[1])
        assert setting and limit, line
        rows[setting.groups()] = (float(limit.group(1)), limit.group(2))
    return rows


def test_the_table_matches_the_config():
    config = course_config(REPO_ROOT)
    table = _table()
    expected = set(LIMIT_TRAITS)
    for section in LIMIT_SECTIONS:
        expected |= {(section, name) for name, value in config[section].items()
                     if isinstance(value, (int, float))}
    assert set(table) == expected
    for (section, name), (value, unit) in table.items():
        assert float(config[section][name]) == value, (section, name)
        assert unit == ("MB" if name.endswith("_mb") else "s" if name in (
            "timeout", "cpu_seconds", "submission_seconds") else None), (section, name, unit)


def test_the_caps_reach_the_classes_that_enforce_them():
    from catvnoncat.steps.output_limits import LimitOutputBytes
    from catvnoncat.repair.quarantine import SubmissionQuarantine

    config = course_config(REPO_ROOT)
    enforcers = {"LimitOutputBytes": LimitOutputBytes(config=config),
                 "SubmissionQuarantine": SubmissionQuarantine(config=config)}
    for (section, name), (value, _) in _table().items():
        if section in enforcers:
            assert getattr(enforcers[section], name) == value, (section, name)
    steps = [s.__name__ for s in config.Autograde.autograde_preprocessors]
    assert steps.index("LimitOutputBytes") == steps.index("LimitOutput") + 1
    assert config.ExportApp.plugin_class.__name__ == "GradesCsvExport"
    assert config.AsyncKernelManager.client_class.endswith("BoundedKernelClient")
