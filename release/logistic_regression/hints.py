"""The sentences that name a mistake, in one place.

Your visible tests (``public_tests.py``) and the grader's hidden tests both say these sentences,
so the same mistake reads the same wherever it is found. Placeholders in braces are filled in
with names and numbers (``{name}`` is the function, ``{q}`` the quantity that differs).
"""

# ---------------------------------------------------------------------------------------------
# Any function
# ---------------------------------------------------------------------------------------------
NOT_IMPLEMENTED = ("{name} is not implemented yet: replace `raise NotImplementedError()` with "
                   "your code.")
RETURNS_NONE = ("{name} returned None: did you forget `return` at the end, or is part of its "
                "body still missing (`pass`)?")
MISSING_IMPORT = "`{module}` is not imported: add `import {module}` to the packages cell at the top."
NAME_ERROR = ("A name used by your code is not defined: check its spelling, and run the cells "
              "above it (Kernel > Restart & Run All).")
MATH_ON_ARRAYS = ("math functions work on single numbers only: use numpy's versions (np.exp, "
                  "np.log), which work element-wise on whole arrays.")
SHAPES_MISMATCH = ("The array shapes do not fit together: X is (n, m) with one example per "
                   "column and w is (n, 1), so w.T @ X is (1, m); print the shapes to find the "
                   "mismatch.")
MISSING_KEY = "A dictionary has no key {key}: check the key names in the docstring."
READ_TRACEBACK = ("Run {name} on the visible example and read the traceback to find the failing "
                  "line.")
PARAMETERS = ("Keep the template's parameter names, def {name}({expected}): {problem}; "
              "other code calls it by name, e.g. `{example}`.")
HARD_CODED = ("{name} returns the same result for different inputs: did you hard-code the "
              "visible example's expected output? Compute it from the arguments.")
CONSTANT_ZEROS = ("{name} returns zeros whatever its input: part of it is still missing (a "
                  "formula, or a loop body left as `pass`).")
IN_PLACE = ("{name} modified its input in place (with -=, *= or an item assignment); compute new "
            "arrays instead, e.g. {example}, so the caller's data stay intact.")
SCALAR_ARRAY_NOTE = ("Note: {label} is an array of shape {shape} holding one number; accepted, "
                     "but the docstring asks for a plain number: np.squeeze({label}) or "
                     "float({label}) gives one (and prints as 0.5, not [[0.5]]).")
SCALAR_NOT_ARRAY = ("{label} should be a scalar, not an array: compute it with np.sum (without "
                    "axis / keepdims) or turn it into a number with np.squeeze.")
NOT_A_NUMBER = "{label} should be a number (a float)."
RANK_1 = ("{q} is a rank-1 array of shape {actual}; keep it 2-D with shape {expected} (rank-1 "
          "arrays behave unexpectedly, e.g. .T does nothing).")
TRANSPOSED = ("{q} looks transposed: shape {actual} instead of {expected}; check which factor of "
              "the product gets the .T.")

# ---------------------------------------------------------------------------------------------
# Function by function
# ---------------------------------------------------------------------------------------------
DIVIDE_BY_M = "{q} is m times too large: did you divide by m (the number of examples)?"
MODEL_FEATURES = ("model sizes w for {dim} features, but X_train has {n} (its number of rows): "
                  "use initialize_with_zeros(X_train.shape[0]), not a fixed number or the "
                  "number of examples.")
MODEL_ARGUMENTS_IGNORED = ("model ignores its {names} argument{s}: pass {them} on to optimize "
                           "instead of fixed values.")
PREDICT_NO_SIGMOID_NO_BIAS = ("predict thresholds w.T @ X itself: compute A = sigmoid(w.T @ X + b) "
                              "(the sigmoid and the bias b are both missing), then compare A "
                              "with 0.5.")
COST_SIGN_AND_PARENTHESES = ("The cost has the wrong sign and misplaced parentheses: "
                             "J = -(1/m) * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)), "
                             "the minus and the sum covering both log terms.")
COST_PARENTHESES = ("The cost's sum covers only the first log term: J = -(1/m) * np.sum(Y * "
                    "np.log(A) + (1 - Y) * np.log(1 - A)), one sum over both terms.")
