"""What the quiz's checks say, in one place (the Chinese edition translates this file).

Placeholders in braces are filled in by ``marking.py`` and the checks: ``{qid}`` is a question
(``Q4``), ``{letter}`` your answer, ``{line}`` a line of your file.
"""

# Answers
NOT_ANSWERED = "not answered yet"
UNANSWERED = ("{qid}: {not_answered}. Read {qid} in quiz/questions.md and set {qid} = '<letter>' "
              "in quiz/answers.py.")
NOT_AN_OPTION = "{qid} = {answer} is not an option: write one letter, {choices}."
WRONG = "{qid}: '{letter}' is not right. Hint: {hint}"
ANSWERS_UNREADABLE = ("quiz/answers.py cannot be read ({problem}). Each line should look like  "
                      "Q1 = None  or  Q1 = \"C\"  -- fix it and run pytest quiz again.")
ANSWER_LINE_UNREADABLE = ("quiz/answers.py, line {line}: {qid} cannot be read ({problem}). Write "
                          "it as  {qid} = \"C\"  (one letter in quotes) and run pytest quiz again.")
ANSWER_NOT_A_LETTER = ("quiz/answers.py, line {line}: {qid} = {text} is not a letter in quotes. "
                       "Write it as  {qid} = \"C\"  and run pytest quiz again.")

# Full-width punctuation typed with a Chinese input method
FULL_WIDTH = ("quiz/{file}, line {line}: the full-width character {char} (typed with a Chinese "
              "input method) is not Python. Type the ASCII {ascii} instead: switch the input "
              "method to English, or turn off full-width punctuation.")

# The drill
DRILL_LABEL = "drill: {message}"
DRILL_NOT_ANSWERED = "{not_answered}. Implement broadcast_shape in quiz/drill.py."
DRILL_UNLOADABLE = "quiz/drill.py cannot be loaded ({problem}); fix it and run pytest quiz again."
DRILL_NOT_A_TUPLE = ("{call} returned {got}, a {kind}: return a tuple of ints, e.g. (2, 3), when "
                     "the shapes broadcast, and raise ValueError when they cannot (do not return "
                     "None).")
DRILL_RAISED = "raised {error}"
DRILL_RETURNED = "returned {got}"
DRILL_DISAGREES = ("{call} {did}, and NumPy disagrees (see for yourself: "
                   "np.broadcast_shapes({shape_a}, {shape_b})). Hint: {hint}")
DRILL_UNSTABLE = ("broadcast_shape behaved differently on the same shapes ({kind}); its result "
                  "must depend on its two arguments only.")
