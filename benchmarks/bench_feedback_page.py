"""Benchmark: the size of a student's feedback page, maths as MathML against MathJax.

The page is the reference submission's, written as ``nbgrader generate_feedback`` writes it with
the course's configuration (``tests/feedback_render.py``). It is compared with the same page
written with nbconvert's own Markdown filter (formulas left as TeX, for a script to typeset) and

- nbconvert's stock loader, MathJax 2 from a CDN: small, but no maths offline, nor in
  JupyterLab's untrusted HTML viewer, which runs no script;
- the course's page before MathML: MathJax 3's self-contained ``tex-svg.js`` inlined (offline,
  yet still a script the untrusted viewer does not run). MathJax is no dependency any more:
  ``--tex-svg`` names ``tex-svg.js`` or a folder holding it (e.g. the unpacked wheel of
  ``django-static-mathjax``); without it that line is left out.

Sizes in bytes, raw and gzip-compressed. Figures only, no pass/fail.

Usage: ``.venv/bin/python benchmarks/bench_feedback_page.py [--tex-svg PATH]``.
"""

import argparse
import gzip
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from feedback_render import feedback_html  # noqa: E402

from catvnoncat import course  # noqa: E402

#: The page's own style element, where nbconvert's mathjax() macro stood.
STYLE = re.compile(r"<style>[^<]*white-space: pre-wrap[^<]*</style>")
CDN_LOADER = ('<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js'
              '?config=TeX-AMS-MML_HTMLorMML-full,Safe"></script>')


def sizes(text):
    data = text.encode("utf-8")
    return len(data), len(gzip.compress(data, compresslevel=9))


def tex_svg(path):
    if path.is_dir():
        found = sorted(path.rglob("tex-svg.js"), key=lambda p: "es5" not in p.parts)
        if not found:
            raise SystemExit(f"no tex-svg.js below {path}")
        path = found[0]
    return path.read_text(encoding="utf-8").replace("</script", "<\\/script")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tex-svg", type=Path, help="MathJax 3's tex-svg.js, or a folder below "
                                                     "which it is")
    args = parser.parse_args(argv)
    scores = {gid: cell["points"] for gid, cell in course.grade_cells(
        course.reference_submission()).items() if gid != "learning_rate_question"}
    pending = {"learning_rate_question": 5}
    now = feedback_html(course.reference_submission(), scores=scores, pending=pending)
    tex = feedback_html(course.reference_submission(), scores=scores, pending=pending, tex=True)
    rows = [("MathML (now): no script", now),
            ("TeX + MathJax 2 from a CDN (nbconvert's stock page)",
             STYLE.sub(lambda m: m.group(0) + CDN_LOADER, tex))]
    if args.tex_svg:
        script = tex_svg(args.tex_svg)
        rows.append(("TeX + MathJax 3 tex-svg.js inlined (before MathML)",
                     STYLE.sub(lambda m: f"{m.group(0)}\n<script>{script}</script>", tex)))
    formulas = re.findall(r"<math .*?</math>", now, re.S)
    print(f"feedback page of the reference submission, {len(formulas)} formulas")
    print(f"{'page':54} {'bytes':>10} {'gzip':>9}")
    for label, page in rows:
        raw, packed = sizes(page)
        print(f"{label:54} {raw:>10,} {packed:>9,}")
    markup = sum(len(m.encode()) for m in formulas)
    print(f"the formulas' MathML: {markup:,} bytes, {markup / len(formulas):.0f} per formula; "
          f"the page with TeX instead: {len(tex.encode()):,} bytes")
    if not args.tex_svg:
        print("(the page before MathML: give --tex-svg, e.g. the unpacked wheel of "
              "django-static-mathjax)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
