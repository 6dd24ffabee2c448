"""The sentences that name a mistake, in one place.

Your visible tests (``public_tests.py``) and the grader's hidden tests both say these sentences,
so the same mistake reads the same wherever it is found. Placeholders in braces are filled in
with names and numbers (``{name}`` is the function, ``{q}`` the quantity that differs).
"""

# ---------------------------------------------------------------------------------------------
# Any function
# ---------------------------------------------------------------------------------------------
GENERIC = "Compare your code with the formula in the docstring, step by step."
NO_JUDGE = "Tell your instructor: this test cell has no hidden test in the grader."
IGNORES_INTERRUPTS = "Your code runs too long or ignores interrupts."
REARRANGED_NOTE = ("Note: {labels} scaled correctly, but arranged differently from the expected "
                   "flattening (see test_flatten).")
NOT_IMPLEMENTED = ("{name} is not implemented yet: replace `raise NotImplementedError()` with "
                   "your code.")
UNFINISHED = ("{name} is not implemented yet where it says `pass`: write the missing code there "
              "(and `return` the result).")
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
SCALAR_ARRAY_NOTE = ("Note: {label} is an array of shape {shape} holding one number; accepted, "
                     "but the docstring asks for a plain number: np.squeeze({label}) or "
                     "float({label}) gives one (and prints as 0.5, not [[0.5]]).")
SCALAR_NOT_ARRAY = ("{label} should be a scalar, not an array: compute it with np.sum (without "
                    "axis / keepdims) or turn it into a number with np.squeeze.")
NOT_A_NUMBER = "{label} should be a number (a float)."
RANK_1 = ("{q} is a rank-1 array of shape {actual}; keep it 2-D with shape {expected} (rank-1 "
          "arrays behave unexpectedly, e.g. .T does nothing).")
NOT_DEFINED = ("Define {name} in its cell and run the cells above it (Kernel > Restart & Run "
               "All).")
NOT_A_FUNCTION = "Define {name} with `def {name}(...)` and run its cell."
SYNTAX_ERROR = ("{name} is not defined: its cell has a syntax error ({error}). Fix the line "
                "marked below, then run that cell again.")
NOT_COMPILED = ("Its cell has a syntax error ({error}, line {line} of the cell): fix that line, "
                "then run the cell again (Kernel > Restart & Run All).")
NO_RESULT = ("Make {name} return its result within the time limit, and do not change how the "
             "notebook runs code.")
CORRECT_FIRST = "Make {name} correct first; vectorization points go with correct results only."
NO_DEF = "Define {name} with a def statement in its cell."
LOOPS = ("{name} loops over the examples in Python; write it with whole-array operations "
         "({form}), which numpy runs in compiled code, typically 100 times faster on the "
         "12288 x 209 training set, for any m.")
PLAIN_ARRAY = "Return a plain numpy array (np.ndarray), not a {kind}."
ARRAY_NOT_SEQUENCE = "{label} should be a numpy array, not a {kind}: use np.array."
NOT_AN_ARRAY = "{label} should be a numpy array."
ARRAY_NOT_NUMBER = "{q} should be an array of shape {expected}, not a single number."
SHAPE = "{q} should have shape {expected}."
RETURN_VALUES = ("End the function with `return` followed by the {length} values named in its "
                 "docstring.")
RETURN_DICT = "Return a dictionary: {{{keys}}}."
KEY_NAMES = "Use exactly the key names of the docstring: {keys}."
COSTS_LIST = "Start with costs = [] and append the cost every 100 iterations."
COSTS_COUNT = ("{q} should hold the cost at iterations 0, {every}, {twice}, ... ({n} entries "
               "here).")
COUNT_FROM_SHAPE = "{label} counts something: read it from a .shape, which gives integers."
TRANSPOSED = ("{q} looks transposed: shape {actual} instead of {expected}; check which factor of "
              "the product gets the .T.")

# ---------------------------------------------------------------------------------------------
# Data steps
# ---------------------------------------------------------------------------------------------
NOT_SET = "Set {name} in its cell and run the cells above it (Kernel > Restart & Run All)."
NO_ANSWER = "Do not change how the notebook runs code."
M_TRAIN = "m_train is the number of training pictures, train_set_x_orig.shape[0]."
M_TEST = "m_test is the number of test pictures, test_set_x_orig.shape[0]."
NUM_PX = "num_px is the height (= width) of a picture, train_set_x_orig.shape[1]."
FROM_TEST_SET = "{name} came from the test set: {hint}"
FROM_TRAINING_SET = "{name} came from the training set: {hint}"
OTHER_SET = "{label} should be made from {orig}."
FLATTEN_TRANSPOSED = "One example per column: transpose, X.reshape(X.shape[0], -1).T."
FLATTEN_SHAPE = ("Each column should hold one picture's num_px * num_px * 3 values: "
                 "X.reshape(X.shape[0], -1).T.")
FLATTEN_MIXES = ("reshape(-1, m) mixes the pictures; X.reshape(X.shape[0], -1).T keeps each "
                 "picture's pixels together in one column.")
FLATTEN_SCALED = "Only flatten here: the division by 255 is the next step."
FLATTEN = "Flatten with X.reshape(X.shape[0], -1).T."
STANDARDIZE_SHAPE = "Standardize the flattened array: {label} = {label}_flatten / 255."
NOT_STANDARDIZED = "{label} was not standardized: divide the flattened array by 255."
INTEGER_DIVISION = "// is integer division: use / 255."
CENTRED = "For pictures, simply divide by 255 (the largest pixel value)."
DIVIDE_BY_255 = "Divide the flattened pixel values by 255, the largest pixel value."

# ---------------------------------------------------------------------------------------------
# Modelled mistakes (the grader recognises these results)
# ---------------------------------------------------------------------------------------------
SIGMOID_OF_MINUS_Z = ('The result is sigmoid(-z): the formula is 1 / (1 + np.exp(-z)), with'
                      ' a minus sign in the exponent.')
SIGMOID_PARENTHESES = ('Check the parentheses: the formula is 1 / (1 + np.exp(-z)), not 1 /'
                       ' 1 + np.exp(-z).')
SIGMOID_DENOMINATOR_SIGN = 'The denominator is 1 + np.exp(-z), with a plus sign.'
W_NOT_ZERO = 'w should start at zero: use np.zeros((dim, 1)).'
DIVIDED_BY_M_TWICE = '{q} is m times too small: did you divide by m twice?'
DIVIDED_BY_FEATURES = ('{q} was divided by the number of features: m is the number of '
                       'examples, X.shape[1].')
WRONG_SIGN = ('{q} has the wrong sign: check the minus signs (the gradient uses A - Y, the '
              'cost starts with -1/m).')
PROPAGATE_NO_BIAS = ('The result is what you get with b = 0: did you forget to add the '
                     'bias, A = sigmoid(w.T @ X + b)?')
LOGS_SWAPPED = ('The cost matches the formula with its two log terms swapped: Y goes with '
                'log(A), (1 - Y) with log(1 - A).')
ACTIVATION_OF_MINUS_Z = ('The result matches A = sigmoid(-(w.T @ X + b)): the activation is'
                         ' sigmoid(z), not sigmoid(-z).')
RETURN_INSIDE_LOOP = ('optimize stopped after the first iteration: is your return inside '
                      'the loop?')
WRONG_ITERATION_COUNT = ('optimize did not run num_iterations iterations: loop with for i '
                         'in range(num_iterations).')
LEARNING_RATE_IGNORED = ('The step size is not learning_rate: use it in the update, w = w -'
                         ' learning_rate * dw (and the same for b).')
GRADIENT_ASCENT = ('The parameters moved up the gradient: gradient descent subtracts, w = w'
                   ' - learning_rate * dw.')
B_NOT_UPDATED = ('b never changes: update it too, as w, one step against its gradient db '
                 'scaled by learning_rate.')
GRADS_AFTER_LOOP = ('grads should hold dw and db of the last iteration, computed before its'
                    ' update (do not call propagate again after the loop).')
COSTS_EMPTY = ('costs is empty: append the cost every 100 iterations whether or not '
               'print_cost is set.')
PREDICT_PROBABILITIES = ('predict returns the probabilities A; turn them into labels: 1 '
                         '(cat) where A > 0.5, else 0.')
PREDICT_INVERTED = ('The labels are inverted: predict 1 (cat) where A > 0.5 and 0 '
                    'elsewhere, with A = sigmoid(w.T @ X + b).')
PREDICT_NO_BIAS = ('The result is what you get with b = 0: did you forget the bias, A = '
                   'sigmoid(w.T @ X + b)?')
THRESHOLD_ON_Z = ('The threshold 0.5 applies to the probability A = sigmoid(z), not to z '
                  'itself.')
MODEL_TRAINED_ON_TEST = ('model trained on the test set: train on X_train, Y_train and use '
                         'the test set only for Y_prediction_test.')
PREDICTIONS_SWAPPED = 'Y_prediction_train and Y_prediction_test are swapped.'
MODEL_IGNORES_ITERATIONS = ('model ignores its num_iterations argument: pass it on to '
                            'optimize.')
MODEL_IGNORES_RATE = 'model ignores its learning_rate argument: pass it on to optimize.'
COSTS_EVERY_ITERATION = ("costs has one entry per iteration: record the cost only every {every} "
                         "iterations (if i % {every} == 0).")
COSTS_WRONG_ITERATIONS = ("costs were recorded at the wrong iterations: append the cost computed "
                          "at iterations 0, {every}, {twice}, ... (if i % {every} == 0).")

# ---------------------------------------------------------------------------------------------
# Function by function
# ---------------------------------------------------------------------------------------------
DIVIDE_BY_M = "{q} is m times too large: did you divide by m (the number of examples)?"
FIXED_DIM = ("w has a fixed number of rows: use the argument, np.zeros((dim, 1)), so it fits any "
             "dim.")
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

# ---------------------------------------------------------------------------------------------
# Visible tests only (public_tests.py)
# ---------------------------------------------------------------------------------------------
NOT_CHECKED_YET = ("{name} is not checked yet: it relies on {relies}, which {does} not pass "
                   "{its} own visible test yet (see the test cell above). Fix {fix} first, then "
                   "run this cell again.")
DATA_NOT_CHECKED_YET = ("{name} is not checked yet: it starts from {relies}, which {does} not "
                        "pass {its} visible test yet (see the test cell above). Fix {fix} first, "
                        "then run this cell again.")
RAISED = "{name} raised {error}."
RESULT_UNUSABLE = ("{name}'s result could not be checked ({error}): return what its docstring "
                   "describes.")
YOUR_LINE = "In your code ({where}):"

# ---------------------------------------------------------------------------------------------
# Notes and mistakes named on real learners' code (issue 20)
# ---------------------------------------------------------------------------------------------
IN_PLACE_NOTE = ("Note: {name} changed an argument in place (with -=, *= or an item assignment); "
                 "accepted, but copy first or compute new arrays, e.g. {example}, so the caller's "
                 "data stay intact.")
PLAIN_ARRAY_NOTE = ("Note: {label} is a {kind}; accepted (its values are right), but return a plain "
                    "numpy array (np.ndarray).")
ARRAY_NOT_SEQUENCE_NOTE = ("Note: {label} is a {kind}; accepted (its values are right), but the "
                           "docstring asks for a numpy array: use np.array.")
BOOLEANS_NOTE = ("Note: {label} holds booleans (True / False); accepted, but the docstring asks "
                 "for the numbers 0 and 1: convert them, e.g. with .astype(float).")
WRONG_DTYPE_NOTE = ("Note: {label} holds {dtype} values; accepted, but it should hold {wanted}; "
                    "np.zeros gives float64 by default.")
COSTS_LIST_NOTE = ("Note: {label} is a {kind}; accepted, but the docstring asks for a list: start "
                   "with costs = [] and append the cost every 100 iterations.")
COUNT_NOTE = ("Note: {label} is a {kind}; accepted (the number is right), but a count is an "
              "integer: read it from a .shape, which gives integers.")
MODEL_W_FIXED_SIZE = ("model sizes w with {what}, which fits only the 64 x 64 x 3 cat pictures: "
                      "size it from its argument, initialize_with_zeros(X_train.shape[0]).")
TEMPLATE_NONE = ("{name} still holds the template's placeholder `{var} = None`: replace None with "
                 "the computation of {var} (None has no .shape, no .T and no value).")
PROPAGATE_SWAPPED = ("propagate returns (cost, grads): the docstring's order is grads first, "
                     "`return grads, cost`.")
OPTIMIZE_UNPACKS_SWAPPED = ("optimize unpacks propagate's result as (cost, grads): propagate "
                            "returns grads first, then cost; unpack the two in that order.")
RANDOM_INIT = ("{name} starts w from random values: logistic regression starts from zeros, a "
               "(dim, 1) column of np.zeros and b = 0 (random starts are for networks with "
               "hidden layers).")
COST_MISPLACED_PARENTHESIS = ("The cost has a misplaced parenthesis: {detail}; the formula is "
                              "J = -(1/m) * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)).")
SQUARED_ERROR_COST = ("The cost is the squared error (A - Y)**2: logistic regression uses the "
                      "cross-entropy J = -(1/m) * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)), "
                      "whose gradients are dw = X @ (A - Y).T / m and db = np.sum(A - Y) / m.")
#: The {detail} of COST_MISPLACED_PARENTHESIS, one per modelled misplacement.
COST_DETAIL_ONE_MINUS_Y = "1 - Y without its parentheses subtracts Y * np.log(1 - A) from 1"
COST_DETAIL_SUM_CLOSED_EARLY = "the sum closes after (1 - Y), so np.log(1 - A) multiplies the sum"
COST_DETAIL_M_TIMES_SUM = "-1 / (m * np.sum(...)) divides by the sum instead of multiplying by it"
COST_DETAIL_LOG_ONE = "np.log(1) - A is not np.log(1 - A)"

# ---------------------------------------------------------------------------------------------
# The visible tests' framing and per-exercise hints (public_tests.py)
# ---------------------------------------------------------------------------------------------
EXPECTED_GOT = "{what}: expected {expected}, got {got}. {hint}"
ALL_PASSED = "{name}: all visible tests passed."
WARNED = "note: {name} warned: {warning}"
RESULT_NO_KEY = "{name}'s result has no key {key}."
SHAPES_FROM_DATA = ("Read it from the .shape of train_set_x_orig / test_set_x_orig, which is "
                    "(number of pictures, height, width, 3).")
FLATTEN_WHOLE_PICTURE = ("Each column of {name} must be one whole picture: reshape to (m, -1) so "
                         "every row is one image, then transpose. reshape(-1, m) gives the right "
                         "shape but mixes pixels of different pictures.")
STANDARDIZE_HINT = "Divide the flattened pixel values (0 to 255) by 255."
SIGMOID_HINT = ("Compute 1 / (1 + exp(-z)) element-wise with np.exp (not math.exp), keeping the "
                "shape of z.")
INITIALIZE_HINT = ("w must be a column of zeros of shape (dim, 1) (np.zeros takes the shape as a "
                   "tuple), and b the number 0.")
DIVIDED_BY_M_HINT = "Did you divide by m = X.shape[1]?"
DW_HINT = "dw = X (A - Y)^T / m has the shape of w, (n_x, 1)."
DB_NUMBER_HINT = "db = sum(A - Y) / m is a single number."
DB_HINT = "db = sum(A - Y) / m."
COST_NUMBER_HINT = "The cost is a single number; np.squeeze removes extra axes."
COST_HINT = "J = -(1/m) sum(Y log(A) + (1 - Y) log(1 - A)) with A = sigmoid(w^T X + b)."
OPTIMIZE_HINT = ("In each iteration, call propagate on the current w and b, then move w and b "
                 "against their gradients, scaled by learning_rate.")
LAST_GRADIENTS_HINT = "Return the gradients computed in the last iteration."
COSTS_RECORD_HINT = "Record the cost of iterations 0, 100, 200, ... (one value per 100 iterations)."
PREDICT_HINT = ("Predict 1 where sigmoid(w^T x + b) > 0.5 and 0 elsewhere; return labels of shape "
                "(1, m), not probabilities.")
MODEL_HINT = ("Initialize with zeros, run optimize on the training set with the given "
              "num_iterations and learning_rate, then predict on both sets with the learned w "
              "and b.")
MODEL_RETURN_HINT = "Return the dictionary d built at the end of model."

# ---------------------------------------------------------------------------------------------
# The words around a message: where your line is, what was compared (issue 23: every word the
# visible tests print comes from this file, so the Chinese edition prints none in English)
# ---------------------------------------------------------------------------------------------
WHERE_CELL = "Cell In[{count}], line {line}"
WHERE_FRAME = "{place}, line {line}, in {function}"
NAME_NOT_DEFINED = "{name} is not defined. {advice}"
WHAT_SHAPE = "{what} shape"
WHAT_TYPE = "{what} type"
A_NUMPY_ARRAY = "a numpy array"
A_SINGLE_NUMBER = "a single number"
TYPE_OF_SHAPE = "{kind} of shape {shape}"
RANGE_OF = "range of {name}"
VALUES_IN_UNIT_RANGE = "values in [0, 1]"
KEYWORD_MISSING = "`{keyword}` is missing"
VECTORIZED_SELF_CHECK = "{name} (vectorized, self-check)"
SELF_CHECK_LOOPS = ("{name} loops in Python: with {examples} times more examples, or {features} "
                    "times more features, its CPU time grew about {ratio} times as much as "
                    "whole-array code's, twice (a self-check in your kernel).")
SELF_CHECK_PASSED = ("with {examples} times more examples, or {features} times more features, its "
                     "CPU time grew about {ratio} times as much as whole-array code's (a loop: "
                     "{loop_from} or more; the grader measures it again from outside)")
W_FOR_DIM = "w for dim = {dim}"
ZEROS = "zeros"
VARIED_VALUES = "varied values"
FLOATS = "floats"
YOUR_FUNCTION = "your function"
YOUR_CODE = "your code"
