"""The repository keeps its promises: README set-up commands, CI, no data or student work committed."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_setup_commands():
    """The commands of the first ```sh block under '## Set-up' in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set-up", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_readme_has_exactly_two_setup_commands():
    assert readme_setup_commands() == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command():
    lines = [l.strip() for l in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [l for l in lines if l and not l.startswith("#")]
    assert commands[-1] == readme_setup_commands()[1]
    assert "set -euo pipefail" in commands  # a failing test fails CI


def test_no_data_or_student_work_is_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert not [f for f in tracked if f.endswith(".h5")]
    assert not [f for f in tracked if f.startswith(("submitted/", "feedback/"))]
    assert [f for f in tracked if f.startswith("autograded/")] in ([], ["autograded/README.md"])
    assert "gradebook.db" not in tracked


def test_test_tools_are_an_extra_that_make_test_installs():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = " ".join(project["dependencies"])
    test_extra = " ".join(project["optional-dependencies"]["test"])
    for tool in ("pytest-xdist", "playwright"):
        assert tool not in runtime and tool in test_extra, tool
    # The students' quiz runs with pytest and hypothesis: they stay runtime dependencies.
    assert "pytest>=" in runtime and "hypothesis" in runtime
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-e '.[test]'" in makefile
    for target in ("test:", "test-fast:"):
        line = next(l for l in makefile.splitlines() if l.startswith(target))
        assert "$(TEST_STAMP)" in line, line
