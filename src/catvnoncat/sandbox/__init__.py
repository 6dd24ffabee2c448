"""Grading kernels in a bubblewrap sandbox.

- `policy`: `SandboxPolicy` and the pure `bwrap_argv` that turns it into a command line;
  `check_bubblewrap` says whether this machine can run a sandbox.
- `provisioner`: `BubblewrapProvisioner`, the jupyter_client kernel provisioner named
  ``catvnoncat-sandbox`` (entry point in pyproject.toml) used by the kernelspec of the same name,
  installed into ``<prefix>/share/jupyter/kernels/catvnoncat-sandbox/`` by ``pip install``.
"""

from __future__ import annotations

import os
import shutil
import sys

from .policy import SandboxPolicy, bwrap_argv, check_bubblewrap

KERNEL_NAME = "catvnoncat-sandbox"
KERNELSPEC_DIR = os.path.join(os.path.dirname(__file__), "kernelspec")


def install_kernelspec(prefix: str = sys.prefix) -> str:
    """Copy the ``catvnoncat-sandbox`` kernelspec into ``<prefix>/share/jupyter/kernels/``.

    ``pip install`` already does this (data-files in pyproject.toml); this is for a prefix
    installed otherwise. Returns the folder written.
    """
    dest = os.path.join(prefix, "share", "jupyter", "kernels", KERNEL_NAME)
    os.makedirs(dest, exist_ok=True)
    shutil.copy(os.path.join(KERNELSPEC_DIR, "kernel.json"), os.path.join(dest, "kernel.json"))
    return dest


__all__ = [
    "KERNEL_NAME",
    "SandboxPolicy",
    "bwrap_argv",
    "check_bubblewrap",
    "install_kernelspec",
]
