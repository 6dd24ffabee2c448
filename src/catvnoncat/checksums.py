"""One source for the data checksums: ``datasets/SHA256SUMS``.

The released ``lr_utils.py`` must verify the files it downloads without the course repository,
so it carries the sums as constants, between ``# BEGIN SHA256SUMS`` and ``# END SHA256SUMS``.
``python -m catvnoncat.checksums`` rewrites that block from ``datasets/SHA256SUMS`` (then run
``make release``); ``tests/test_student_day.py`` fails when the two disagree.
"""

import re

from catvnoncat.course import SOURCE_DIR
from catvnoncat.data import read_checksums

LR_UTILS = SOURCE_DIR / "lr_utils.py"
_BLOCK = re.compile(r"# BEGIN SHA256SUMS[^\n]*\n.*?# END SHA256SUMS\n", re.S)


def render(sums=None):
    """The block of constants, from ``datasets/SHA256SUMS`` unless ``sums`` is given."""
    sums = read_checksums() if sums is None else sums
    lines = ["# BEGIN SHA256SUMS (generated from the course's datasets/SHA256SUMS: do not edit "
             "by hand)", "SHA256 = {"]
    lines += [f'    "{name}": "{digest}",' for name, digest in sorted(sums.items())]
    lines += ["}", "# END SHA256SUMS", ""]
    return "\n".join(lines)


def main():
    text = LR_UTILS.read_text(encoding="utf-8")
    if not _BLOCK.search(text):
        raise SystemExit(f"{LR_UTILS} has no '# BEGIN SHA256SUMS' ... '# END SHA256SUMS' block")
    LR_UTILS.write_text(_BLOCK.sub(lambda _: render(), text), encoding="utf-8")
    print(f"{LR_UTILS}: SHA256 written from datasets/SHA256SUMS; now run `make release`.")


if __name__ == "__main__":
    main()
