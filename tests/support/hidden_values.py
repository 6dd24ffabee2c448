"""The hidden inputs of one key as the texts a page could show them in (issue 20, item 4)."""

import numpy as np

from catvnoncat.judge import cases
from catvnoncat.judge.functions import reference_result
from catvnoncat.judge.specs import SPECS

__all__ = ["CASE_LISTS", "hidden_values"]

CASE_LISTS = {"sigmoid": cases.sigmoid_cases, "initialize_with_zeros": cases.initialize_cases,
              "propagate": cases.propagate_cases, "optimize": cases.optimize_cases,
              "predict": cases.predict_cases, "model": cases.model_cases}


def hidden_values(hidden):
    """Every float of every hidden input and of the reference's results on it, as text."""
    forms = set()
    public = {-1000.0, 745.5, -710.0, 40.0}  # the fixed saturating entries (in cases.py)
    for name, make in CASE_LISTS.items():
        for case in make(hidden):
            observed = reference_result(SPECS[name], case.args, case.key)
            values = [np.ravel(np.asarray(a, dtype=float)) for a in case.args]
            values += [np.ravel(np.asarray(v, dtype=float)) for v in
                       SPECS[name].unpack(observed, case).values()]
            for value in np.concatenate(values):
                if value in public or value == int(value):
                    continue
                short = f"{value:.6g}"
                if len(short.lstrip("-0.")) >= 4:  # common short numbers: not evidence
                    forms.update({short, repr(float(value))})
    return forms
