"""The quiz's answer key, in plain text. Instructor-only: never copied into ``quiz/``.

``quiz/`` checks a student's answer without this file: NumPy questions by running the code with
NumPy (``tests/test_quiz.py`` asserts that NumPy's answer equals the letter below), concept
questions against ``quiz/key_hashes.json``, the salted hashes of the letters below (rewrite it
with ``python -m catvnoncat.quiz_truth`` after editing a concept question or this key).
"""

#: Right letter of each question of ``quiz/questions.py``.
KEY = {
    "Q1": "C",  # concept: linear function, then activation
    "Q2": "D",  # concept: -(y log y-hat + (1 - y) log(1 - y-hat))
    "Q3": "A",  # concept: loss = one example, cost = average over the training set
    "Q4": "C",  # numpy: (2, 3) + (2, 1) -> (2, 3)
    "Q5": "B",  # numpy: (4, 3) * (3, 2) -> ValueError
    "Q6": "A",  # numpy: np.dot((12288, 150), (150, 45)) -> (12288, 45)
    "Q7": "B",  # numpy: the loop is a + b.T
    "Q8": "C",  # numpy: (3, 3) * (3, 1) broadcasts, element-wise, (3, 3)
    "Q9": "D",  # numpy: X.reshape(X.shape[0], -1).T
    "Q10": "A",  # numpy: axis=0 sums each column
    "Q11": "C",  # numpy: np.dot of a rank-1 array with its "transpose" is a number
    "Q12": "B",  # concept: the sigmoid's gradient vanishes for large |z|
}
