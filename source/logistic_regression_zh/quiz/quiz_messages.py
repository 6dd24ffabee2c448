"""小测验的检查程序说的话，集中放在这里（中文版翻译的就是这个文件）。

花括号里的占位符由 ``marking.py`` 和检查程序填入：``{qid}`` 是题号
（``Q4``），``{letter}`` 是你的答案，``{line}`` 是你文件里的行号。
"""

# 答案
NOT_ANSWERED = "还没有作答"
UNANSWERED = ("{qid}：{not_answered}。请在 quiz/questions.md 里读 {qid}，然后在 quiz/answers.py "
              "里写上 {qid} = '<字母>'。")
NOT_AN_OPTION = "{qid} = {answer} 不是一个选项：请写一个字母，{choices}。"
WRONG = "{qid}：'{letter}' 不对。提示：{hint}"
ANSWERS_UNREADABLE = ("quiz/answers.py 读不了（{problem}）。每一行应当形如  Q1 = None  或  Q1 = "
                      "\"C\"  ——改好后再运行 pytest quiz。")
ANSWER_LINE_UNREADABLE = ("quiz/answers.py 第 {line} 行：{qid} 读不了（{problem}）。请写成  {qid} "
                          "= \"C\"  （引号里一个字母），再运行 pytest quiz。")
ANSWER_NOT_A_LETTER = ("quiz/answers.py 第 {line} 行：{qid} = {text} 不是引号里的一个字母。请写成 "
                       " {qid} = \"C\"  ，再运行 pytest quiz。")

# 用中文输入法打出的全角标点
FULL_WIDTH = ("quiz/{file} 第 {line} 行：全角字符 {char}（中文输入法打出来的）不是 Python 语法。"
              "请改成英文的 {ascii}：把输入法切换到英文，或者关掉全角标点。")

# 编程练习
DRILL_LABEL = "编程练习：{message}"
DRILL_NOT_ANSWERED = "{not_answered}。请在 quiz/drill.py 里实现 broadcast_shape。"
DRILL_UNLOADABLE = "quiz/drill.py 无法载入（{problem}）；改好后再运行 pytest quiz。"
DRILL_NOT_A_TUPLE = ("{call} 返回了 {got}，类型是 {kind}：两个形状能广播时，应返回由整数组成的 "
                     "tuple，例如 (2, 3)；不能广播时抛出 ValueError（不要返回 None）。")
DRILL_RAISED = "抛出了 {error}"
DRILL_RETURNED = "返回了 {got}"
DRILL_DISAGREES = ("{call} {did}，和 NumPy 的结果不一致（自己看看：np.broadcast_shapes({shape_a}, "
                   "{shape_b})）。提示：{hint}")
DRILL_UNSTABLE = ("broadcast_shape 对同样的形状给出了不同的结果（{kind}）；"
                  "它的结果只能取决于两个参数。")
