"""A judge host (the grader's sandboxed fork server) on a copy of the release, for tests and
benchmarks: one place for what four test modules and a benchmark each wrote out."""

import shutil
from pathlib import Path

from traitlets.config import Config

from catvnoncat.facts import DATASETS_DIR, REPO_ROOT
from catvnoncat.sandbox.host import FRAME_CAP, JudgeHost


def start_judge_host(folder, frame_cap=FRAME_CAP, **provisioner):
    """Copy the English release's files into ``folder`` and start a judge host on it.

    ``provisioner``: more ``BubblewrapProvisioner`` settings (e.g. ``sandbox_memory_mb``).
    """
    for f in (REPO_ROOT / "release" / "logistic_regression").iterdir():
        if f.is_file():
            shutil.copy(f, Path(folder) / f.name)
    config = Config({"BubblewrapProvisioner": {"data_dir": str(DATASETS_DIR), **provisioner}})
    return JudgeHost(config, str(folder), frame_cap=frame_cap).start()
