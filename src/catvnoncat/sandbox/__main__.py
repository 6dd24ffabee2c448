"""``python -m catvnoncat.sandbox install [PREFIX]`` installs the kernelspec; ``check`` runs
`check_bubblewrap`. An editable install (``pip install -e .``) does not install the wheel's
data-files, so ``make`` runs ``install`` after pip."""

from __future__ import annotations

import sys

from . import check_bubblewrap, install_kernelspec


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["install"] and len(args) <= 2:
        print(install_kernelspec(*args[1:]))
        return 0
    if args == ["check"]:
        problem = check_bubblewrap()
        print(problem or "bubblewrap works here")
        return 1 if problem else 0
    print("usage: python -m catvnoncat.sandbox install [PREFIX] | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
