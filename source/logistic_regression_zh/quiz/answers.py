"""Your quiz answers: replace each None by one letter, for example Q1 = "C".

The questions are in quiz/questions.md. Check your answers with `pytest quiz` (from the
folder that holds quiz/); a wrong answer fails with a hint, an unanswered one says "not answered yet".
"""

Q1 = None
Q2 = None
Q3 = None
Q4 = None
Q5 = None
Q6 = None
Q7 = None
Q8 = None
Q9 = None
Q10 = None
Q11 = None
Q12 = None
