"""你的小测验答案：把每个 None 换成一个字母，例如 Q1 = "C"。

题目在 quiz/questions.md 里。用 `pytest quiz` 检查答案（在包含 quiz/ 的文件夹里运行）；
答错的题会失败并给出提示，没作答的题会显示“还没有作答”。字母用中文输入法打成全角也没关系。
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
