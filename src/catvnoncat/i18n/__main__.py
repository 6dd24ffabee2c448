"""``python -m catvnoncat.i18n [update|build|check]`` (no argument: all three, as ``make i18n``).

``update`` refreshes the catalogs from the English source (changed sentences become fuzzy),
``build`` regenerates ``source/logistic_regression_zh/``, ``check`` lists every missing or fuzzy
translation and every broken placeholder, code span, number or glossary term, and exits 1 if any.
"""

import sys

from catvnoncat.i18n import build as build_module
from catvnoncat.i18n import catalog, checks


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    steps = argv or ["update", "build", "check"]
    unknown = [s for s in steps if s not in ("update", "build", "check")]
    if unknown:
        print(f"unknown step {unknown[0]!r}: use update, build or check (or nothing for all three)",
              file=sys.stderr)
        return 2
    status = 0
    for step in steps:
        if step == "update":
            for source in catalog.sources():
                new, fuzzy = catalog.update(source)
                total = len({(c, m) for c, _, m in source.entries()})
                print(f"{source.catalog.name}: {total} strings, {new} new, {fuzzy} newly fuzzy")
        elif step == "build":
            files = build_module.build()
            print(f"source/{build_module.EDITION}: {len(files)} files")
        else:
            lines = [line for source in catalog.sources() for line in catalog.problems(source)]
            lines += checks.mismatches()
            for line in lines:
                print(line)
            if lines:
                print(f"{len(lines)} translation problem(s): fix the catalogs under i18n/zh_CN/, "
                      "then run `make i18n` again.", file=sys.stderr)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
