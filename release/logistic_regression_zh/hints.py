# 此文件由 `make i18n` 生成：英文原文 source/logistic_regression/hints.py，译文 i18n/zh_CN/hints.po。请改那两处，不要直接改这里。
"""指出错误的句子，集中放在这里。

你的可见测试（``public_tests.py``）和评分程序的隐藏测试说的都是这些句子，
所以同一个错误，无论在哪里发现，说法都一样。花括号里的占位符会被填上名字和数字
（``{name}`` 是函数名，``{q}`` 是不一致的那个量）。
"""

# ---------------------------------------------------------------------------------------------
# 适用于任何函数
# ---------------------------------------------------------------------------------------------
GENERIC = "请对照 docstring 里的公式，一步一步检查你的代码。"
NO_JUDGE = "请告诉老师：评分程序里没有这个测试单元格对应的隐藏测试。"
IGNORES_INTERRUPTS = "你的代码运行时间过长，或者不响应中断。"
REARRANGED_NOTE = ("注意：{labels} 的缩放是对的，但排列方式与预期的展平方式不同（见 test_flatten）。")
NOT_IMPLEMENTED = ("{name} 还没有实现：把 `raise NotImplementedError()` 换成你的代码。")
UNFINISHED = ("{name} 在写着 `pass` 的地方还没有实现：在那里补上缺少的代码（并用 `return` 返回结果）。")
RETURNS_NONE = ("{name} 返回了 None：是不是忘了在末尾写 `return`，或者函数体还有一部分没写（还是 "
                "`pass`）？")
MISSING_IMPORT = "没有导入 `{module}`：在最上面导入包的单元格里加上 `import {module}`。"
NAME_ERROR = ("你的代码用到了一个未定义的名字：检查拼写，并运行它上面的单元格（Kernel > Restart & "
              "Run All）。")
MATH_ON_ARRAYS = ("math 模块的函数只能处理单个数：请用 numpy 的版本（np.exp、np.log），"
                  "它们对整个数组逐元素计算。")
SHAPES_MISMATCH = ("数组的维度对不上：X 是 (n, m)，每列一个样本，w 是 (n, 1)，所以 w.T @ X 是 (1, "
                   "m)；把各个数组的 shape 打印出来，找到不匹配的地方。")
MISSING_KEY = "字典里没有键 {key}：对照 docstring 检查键名。"
READ_TRACEBACK = ("用可见测试的例子运行 {name}，读一读报错信息（traceback），找到出错的那一行。")
PARAMETERS = ("请保留模板里的参数名 def {name}({expected})：{problem}；其他代码按名字调用它，例如 "
              "`{example}`。")
HARD_CODED = ("{name} 对不同的输入返回相同的结果：你是不是把可见测试例子的期望输出直接写死了？"
              "请根据参数计算结果。")
CONSTANT_ZEROS = ("{name} 无论输入是什么都返回零：有一部分还没写（某个公式，或者循环体还是 `pass`）。")
SCALAR_ARRAY_NOTE = ("注意：{label} 是一个形状为 {shape}、只装了一个数的数组；可以接受，但 "
                     "docstring 要求的是一个普通的数：用 np.squeeze({label}) 或 float({label}) "
                     "就能得到（打印出来是 0.5，而不是 [[0.5]]）。")
SCALAR_NOT_ARRAY = ("{label} 应该是标量，而不是数组：用 np.sum 计算（不要加 axis / keepdims），"
                    "或者用 np.squeeze 把它变成一个数。")
NOT_A_NUMBER = "{label} 应该是一个数（float）。"
RANK_1 = ("{q} 是形状为 {actual} 的秩为 1 的数组（rank-1 array）；请保持 2-D（二维），形状为 "
          "{expected}（秩为 1 的数组行为出人意料，例如 .T 不起作用）。")
NOT_DEFINED = ("请在 {name} 自己的单元格里定义它，并运行它上面的单元格（Kernel > Restart & Run All）。")
NOT_A_FUNCTION = "用 `def {name}(...)` 定义 {name}，然后运行它所在的单元格。"
SYNTAX_ERROR = ("{name} 没有定义：它所在的单元格有语法错误（{error}）。改正下面标出的那一行，"
                "再运行一次那个单元格。")
NOT_COMPILED = ("它所在的单元格有语法错误（{error}，在该单元格第 {line} 行）：改正那一行，"
                "再重新运行这个单元格（Kernel > Restart & Run All）。")
NO_RESULT = ("让 {name} 在时间限制内返回结果，不要改变 notebook 运行代码的方式。")
CORRECT_FIRST = "先让 {name} 算对；只有结果正确，向量化的分数才算数。"
NO_DEF = "在 {name} 的单元格里用 def 语句定义它。"
LOOPS = ("{name} 用 Python 循环逐个处理样本；请改用整个数组的运算（{form}），numpy "
         "会在编译好的代码里执行它们，在 12288 x 209 的训练集上通常快 100 倍，而且对任何 m 都适用。")
PLAIN_ARRAY = "请返回普通的 numpy 数组（np.ndarray），而不是 {kind}。"
ARRAY_NOT_SEQUENCE = "{label} 应该是 numpy 数组，而不是 {kind}：用 np.array 转换。"
NOT_AN_ARRAY = "{label} 应该是 numpy 数组。"
ARRAY_NOT_NUMBER = "{q} 应该是形状为 {expected} 的数组，而不是单个数。"
SHAPE = "{q} 的形状应该是 {expected}。"
RETURN_VALUES = ("函数最后用 `return` 返回 docstring 里列出的 {length} 个值。")
RETURN_DICT = "请返回一个字典：{{{keys}}}。"
KEY_NAMES = "键名必须和 docstring 里的完全一致：{keys}。"
COSTS_LIST = "先写 costs = []，然后每 100 次迭代把代价 append 进去。"
COSTS_COUNT = ("{q} 应该保存第 0、{every}、{twice}……次迭代的代价（这里共 {n} 个）。")
COUNT_FROM_SHAPE = "{label} 是一个计数：从 .shape 读出来，它给出的是整数。"
TRANSPOSED = ("{q} 好像转置了：形状是 {actual} 而不是 {expected}；检查乘积中哪一个因子应该加 .T。")

# ---------------------------------------------------------------------------------------------
# 数据处理步骤
# ---------------------------------------------------------------------------------------------
NOT_SET = "在 {name} 的单元格里给它赋值，并运行它上面的单元格（Kernel > Restart & Run All）。"
NO_ANSWER = "不要改变 notebook 运行代码的方式。"
M_TRAIN = "m_train 是训练图片的数量，即 train_set_x_orig.shape[0]。"
M_TEST = "m_test 是测试图片的数量，即 test_set_x_orig.shape[0]。"
NUM_PX = "num_px 是图片的高度（= 宽度），即 train_set_x_orig.shape[1]。"
FROM_TEST_SET = "{name} 来自测试集：{hint}"
FROM_TRAINING_SET = "{name} 来自训练集：{hint}"
OTHER_SET = "{label} 应该由 {orig} 得到。"
FLATTEN_TRANSPOSED = "每列一个样本：需要转置，X.reshape(X.shape[0], -1).T。"
FLATTEN_SHAPE = ("每一列应该装一张图片的 num_px * num_px * 3 个值：X.reshape(X.shape[0], -1).T。")
FLATTEN_MIXES = ("reshape(-1, m) 会把各张图片的像素混在一起；X.reshape(X.shape[0], -1).T "
                 "才能让每张图片的像素整齐地放在同一列。")
FLATTEN_SCALED = "这里只做展平：除以 255 是下一步的事。"
FLATTEN = "用 X.reshape(X.shape[0], -1).T 展平。"
STANDARDIZE_SHAPE = "对展平后的数组做标准化：{label} = {label}_flatten / 255。"
NOT_STANDARDIZED = "{label} 没有标准化：把展平后的数组除以 255。"
INTEGER_DIVISION = "// 是整数除法：请用 / 255。"
CENTRED = "对图片来说，只要除以 255（像素的最大值）就够了。"
DIVIDE_BY_255 = "把展平后的像素值除以 255，也就是像素的最大值。"

# ---------------------------------------------------------------------------------------------
# 评分程序能认出的典型错误
# ---------------------------------------------------------------------------------------------
SIGMOID_OF_MINUS_Z = ("结果是 sigmoid(-z)：公式是 1 / (1 + np.exp(-z))，指数里有个负号。")
SIGMOID_PARENTHESES = ("检查括号：公式是 1 / (1 + np.exp(-z))，而不是 1 / 1 + np.exp(-z)。")
SIGMOID_DENOMINATOR_SIGN = "分母是 1 + np.exp(-z)，中间是加号。"
W_NOT_ZERO = "w 的初始值应该是零：用 np.zeros((dim, 1))。"
DIVIDED_BY_M_TWICE = "{q} 小了 m 倍：是不是除了两次 m？"
DIVIDED_BY_FEATURES = ("{q} 除以的是特征数：m 是样本数，即 X.shape[1]。")
WRONG_SIGN = ("{q} 的符号反了：检查负号（梯度里用的是 A - Y，代价以 -1/m 开头）。")
PROPAGATE_NO_BIAS = ("结果和 b = 0 时一样：是不是忘了加偏置，A = sigmoid(w.T @ X + b)？")
LOGS_SWAPPED = ("代价与把两个 log 项对调后的公式一致：Y 搭配 log(A)，(1 - Y) 搭配 log(1 - A)。")
ACTIVATION_OF_MINUS_Z = ("结果与 A = sigmoid(-(w.T @ X + b)) 一致：激活值是 sigmoid(z)，不是 "
                         "sigmoid(-z)。")
RETURN_INSIDE_LOOP = ("optimize 在第一次迭代后就停了：你的 return 是不是写在循环里面了？")
WRONG_ITERATION_COUNT = ("optimize 没有迭代 num_iterations 次：用 for i in range(num_iterations) "
                         "循环。")
LEARNING_RATE_IGNORED = ("步长不是 learning_rate：更新时要用它，w = w - learning_rate * dw（b "
                         "也一样）。")
GRADIENT_ASCENT = ("参数沿着梯度往上走了：梯度下降是减法，w = w - learning_rate * dw。")
B_NOT_UPDATED = ("b 一直没变：它也要像 w 一样更新，沿着它的梯度 db 的反方向走一步，步长乘以 "
                 "learning_rate。")
GRADS_AFTER_LOOP = ("grads 应该保存最后一次迭代的 dw 和 db，"
                    "也就是在该次更新之前算出的那组（循环结束后不要再调用 propagate）。")
COSTS_EMPTY = ("costs 是空的：无论 print_cost 是否设置，都要每 100 次迭代记录一次代价。")
PREDICT_PROBABILITIES = ("predict 返回的是概率 A；要把它们变成标签：A > 0.5 的位置为 1（猫），"
                         "否则为 0。")
PREDICT_INVERTED = ("标签反了：A > 0.5 的位置预测为 1（猫），其余为 0，其中 A = sigmoid(w.T @ X + b)。")
PREDICT_NO_BIAS = ("结果和 b = 0 时一样：是不是忘了偏置，A = sigmoid(w.T @ X + b)？")
THRESHOLD_ON_Z = ("阈值 0.5 是用在概率 A = sigmoid(z) 上的，而不是直接用在 z 上。")
MODEL_TRAINED_ON_TEST = ("model 是在测试集上训练的：应该用 X_train、Y_train 训练，"
                         "测试集只用来计算 Y_prediction_test。")
PREDICTIONS_SWAPPED = "Y_prediction_train 和 Y_prediction_test 弄反了。"
MODEL_IGNORES_ITERATIONS = ("model 忽略了参数 num_iterations：要把它传给 optimize。")
MODEL_IGNORES_RATE = "model 忽略了参数 learning_rate：要把它传给 optimize。"
COSTS_EVERY_ITERATION = ("costs 每次迭代都记了一个值：只需每 {every} 次迭代记录一次代价（if i % "
                         "{every} == 0）。")
COSTS_WRONG_ITERATIONS = ("记录代价的迭代次数不对：应该在第 0、{every}、"
                          "{twice}……次迭代时把算出的代价 append 进去（if i % {every} == 0）。")

# ---------------------------------------------------------------------------------------------
# 逐个函数
# ---------------------------------------------------------------------------------------------
DIVIDE_BY_M = "{q} 大了 m 倍：是不是忘了除以 m（样本数）？"
FIXED_DIM = ("w 的行数是写死的：请用参数，np.zeros((dim, 1))，这样任何 dim 都适用。")
MODEL_FEATURES = ("model 按 {dim} 个特征来设定 w 的大小，但 X_train 有 {n} 个特征（即它的行数）："
                  "请用 initialize_with_zeros(X_train.shape[0])，不要用固定的数，也不要用样本数。")
MODEL_ARGUMENTS_IGNORED = ("model 忽略了参数 {names}：把它们传给 optimize，不要用固定的值。")
PREDICT_NO_SIGMOID_NO_BIAS = ("predict 直接对 w.T @ X 取阈值：应先计算 A = sigmoid(w.T @ X + "
                              "b)（sigmoid 和偏置 b 都漏了），再把 A 与 0.5 比较。")
COST_SIGN_AND_PARENTHESES = ("代价的符号错了，括号也放错了：J = -(1/m) * np.sum(Y * np.log(A) + "
                             "(1 - Y) * np.log(1 - A))，负号和求和都要涵盖两个 log 项。")
COST_PARENTHESES = ("代价里的求和只涵盖了第一个 log 项：J = -(1/m) * np.sum(Y * np.log(A) + (1 - "
                    "Y) * np.log(1 - A))，一个求和涵盖两项。")

# ---------------------------------------------------------------------------------------------
# 只用于可见测试（public_tests.py）
# ---------------------------------------------------------------------------------------------
NOT_CHECKED_YET = ("{name} 暂时不检查：它依赖的 {relies} "
                   "还没有通过自己的可见测试（见上面的测试单元格）。请先改好 {fix}，再运行这个单元格。")
DATA_NOT_CHECKED_YET = ("{name} 暂时不检查：它的出发点 {relies} "
                        "还没有通过可见测试（见上面的测试单元格）。请先改好 {fix}，再运行这个单元格。")
RAISED = "{name} 抛出了 {error}。"
RESULT_UNUSABLE = ("无法检查 {name} 的结果（{error}）：请按 docstring 的描述返回结果。")
YOUR_LINE = "在你的代码中（{where}）："

# ---------------------------------------------------------------------------------------------
# 在真实学习者的代码里发现的注意事项和错误（issue 20）
# ---------------------------------------------------------------------------------------------
IN_PLACE_NOTE = ("注意：{name} 原地修改了一个参数（用了 -=、*= 或元素赋值）；可以接受，"
                 "但最好先复制，或者计算新的数组，例如 {example}，这样调用者的数据不会被改动。")
PLAIN_ARRAY_NOTE = ("注意：{label} 是 {kind}；可以接受（数值是对的），但请返回普通的 numpy "
                    "数组（np.ndarray）。")
ARRAY_NOT_SEQUENCE_NOTE = ("注意：{label} 是 {kind}；可以接受（数值是对的），但 docstring "
                           "要求的是 numpy 数组：用 np.array 转换。")
BOOLEANS_NOTE = ("注意：{label} 里装的是布尔值（True / False）；可以接受，但 docstring "
                 "要求的是数字 0 和 1：转换一下，例如用 .astype(float)。")
WRONG_DTYPE_NOTE = ("注意：{label} 的值是 {dtype} 类型；可以接受，但它应该是 {wanted}；np.zeros "
                    "默认给出 float64。")
COSTS_LIST_NOTE = ("注意：{label} 是 {kind}；可以接受，但 docstring 要求的是列表：先写 costs = "
                   "[]，然后每 100 次迭代把代价 append 进去。")
COUNT_NOTE = ("注意：{label} 是 {kind}；可以接受（数值是对的），但计数应该是整数：从 .shape "
              "读出来，它给出的是整数。")
MODEL_W_FIXED_SIZE = ("model 用 {what} 来设定 w 的大小，这只适合 64 x 64 x 3 的猫图片："
                      "请根据参数来设定，initialize_with_zeros(X_train.shape[0])。")
TEMPLATE_NONE = ("{name} 里还留着模板的占位语句 `{var} = None`：把 None 换成 {var} 的计算（None "
                 "没有 .shape，没有 .T，也没有值）。")
PROPAGATE_SWAPPED = ("propagate 返回的是 (cost, grads)，代价在前：docstring 规定的顺序是梯度 "
                     "grads 在前，`return grads, cost`。")
OPTIMIZE_UNPACKS_SWAPPED = ("optimize 把 propagate 的结果按 (cost, grads) 解包了：propagate "
                            "先返回梯度 grads，再返回代价 cost；请按这个顺序解包。")
RANDOM_INIT = ("{name} 用随机值初始化 w：逻辑回归从零开始，w 是 np.zeros 生成的 (dim, 1) 列向量，"
               "b = 0（随机初始化是给有隐藏层的网络用的）。")
COST_MISPLACED_PARENTHESIS = ("代价里有个括号放错了：{detail}；公式是 J = -(1/m) * np.sum(Y * "
                              "np.log(A) + (1 - Y) * np.log(1 - A))。")
SQUARED_ERROR_COST = ("这个代价是平方误差 (A - Y)**2：逻辑回归用的是交叉熵 J = -(1/m) * np.sum(Y "
                      "* np.log(A) + (1 - Y) * np.log(1 - A))，它的梯度是 dw = X @ (A - Y).T / m "
                      "和 db = np.sum(A - Y) / m。")
#: COST_MISPLACED_PARENTHESIS 的 {detail}，每种建模过的括号错位对应一句。
COST_DETAIL_ONE_MINUS_Y = "1 - Y 没加括号，结果是用 1 减去 Y * np.log(1 - A)"
COST_DETAIL_SUM_CLOSED_EARLY = "求和在 (1 - Y) 之后就结束了，于是 np.log(1 - A) 乘的是整个求和"
COST_DETAIL_M_TIMES_SUM = "-1 / (m * np.sum(...)) 是除以求和，而不是乘以求和"
COST_DETAIL_LOG_ONE = "np.log(1) - A 不等于 np.log(1 - A)"

# ---------------------------------------------------------------------------------------------
# 可见测试的提示框架和各练习的提示（public_tests.py）
# ---------------------------------------------------------------------------------------------
EXPECTED_GOT = "{what}：期望 {expected}，得到 {got}。{hint}"
ALL_PASSED = "{name}：可见测试全部通过。"
WARNED = "注意：{name} 发出了警告：{warning}"
RESULT_NO_KEY = "{name} 的结果里没有键 {key}。"
SHAPES_FROM_DATA = ("请从 train_set_x_orig / test_set_x_orig 的 .shape 读出来，它是 (图片数, 高, "
                    "宽, 3)。")
FLATTEN_WHOLE_PICTURE = ("{name} 的每一列必须是一整张图片：先 reshape 成 (m, -1)，"
                         "让每一行是一张图片，再转置。reshape(-1, m) 的形状虽然对，"
                         "却会把不同图片的像素混在一起。")
STANDARDIZE_HINT = "把展平后的像素值（0 到 255）除以 255。"
SIGMOID_HINT = ("用 np.exp（不是 math.exp）逐元素计算 1 / (1 + exp(-z))，并保持 z 的形状。")
INITIALIZE_HINT = ("w 必须是形状为 (dim, 1) 的全零列向量（np.zeros 以元组的形式接收形状），b "
                   "是数字 0。")
DIVIDED_BY_M_HINT = "你除以 m = X.shape[1] 了吗？"
DW_HINT = "dw = X (A - Y)^T / m，形状和 w 一样，是 (n_x, 1)。"
DB_NUMBER_HINT = "db = sum(A - Y) / m 是一个数。"
DB_HINT = "db = sum(A - Y) / m。"
COST_NUMBER_HINT = "代价是一个数；np.squeeze 可以去掉多余的维度。"
COST_HINT = "J = -(1/m) sum(Y log(A) + (1 - Y) log(1 - A))，其中 A = sigmoid(w^T X + b)。"
OPTIMIZE_HINT = ("每次迭代中，先对当前的 w 和 b 调用 propagate，再让 w 和 b 逆着各自的梯度走一步，"
                 "步长乘以 learning_rate。")
LAST_GRADIENTS_HINT = "返回最后一次迭代算出的梯度。"
COSTS_RECORD_HINT = "记录第 0、100、200……次迭代的代价（每 100 次迭代记一个值）。"
PREDICT_HINT = ("当 sigmoid(w^T x + b) > 0.5 时预测 1，否则为 0；返回形状为 (1, m) 的标签，"
                "而不是概率。")
MODEL_HINT = ("用零初始化，用给定的 num_iterations 和 learning_rate 在训练集上运行 optimize，"
              "再用学到的 w 和 b 在两个数据集上预测。")
MODEL_RETURN_HINT = "返回 model 最后构建的字典 d。"

# ---------------------------------------------------------------------------------------------
# 消息周围的字句：你的代码在哪一行、比较的是什么（issue 23：可见测试打印的每个字都来自
# 这个文件，所以中文版不会打印任何英文）
# ---------------------------------------------------------------------------------------------
WHERE_CELL = "单元格 In[{count}]，第 {line} 行"
WHERE_FRAME = "{place}，第 {line} 行，在 {function} 中"
NAME_NOT_DEFINED = "{name} 没有定义。{advice}"
WHAT_SHAPE = "{what} 的形状"
WHAT_TYPE = "{what} 的类型"
A_NUMPY_ARRAY = "numpy 数组"
A_SINGLE_NUMBER = "一个数"
TYPE_OF_SHAPE = "形状为 {shape} 的 {kind}"
RANGE_OF = "{name} 的取值范围"
VALUES_IN_UNIT_RANGE = "[0, 1] 之间的值"
KEYWORD_MISSING = "缺少参数 `{keyword}`"
VECTORIZED_SELF_CHECK = "{name}（向量化，自查）"
SELF_CHECK_LOOPS = ("{name} 在 Python 里写了循环：样本多 {examples} 倍或特征多 {features} 倍时，"
                    "它的 CPU 时间的增长约为整数组运算的 {ratio} 倍，"
                    "两次都是如此（这是在你的内核里做的自查）。")
SELF_CHECK_PASSED = ("样本多 {examples} 倍或特征多 {features} 倍时，它的 CPU "
                     "时间的增长约为整数组运算的 {ratio} 倍（达到 {loop_from} 倍或以上就算循环；"
                     "评分程序会在外部再测一次）")
W_FOR_DIM = "dim = {dim} 时的 w"
ZEROS = "全零"
VARIED_VALUES = "不全相同的值"
FLOATS = "浮点数"
YOUR_FUNCTION = "你的函数"
YOUR_CODE = "你的代码"
