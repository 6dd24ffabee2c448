"""Whole notebooks (the nine solution cells) in the styles real learners write.

Each family is one learner's complete, *correct* answer, in one style: the 2017 and 2021+
template versions (with their ``### START CODE HERE ###`` / ``# YOUR CODE STARTS HERE`` markers,
asserts and prints), keepdims, ``@``, comments in other languages, debug prints, own helpers and
conventions. The buggy learners of ``learners.py`` start from one family and rewrite one or two
cells, so every corpus entry is a whole notebook in one consistent style.

Written for this course's tests; not copied from any learner's repository.
"""

import textwrap


def _cells(**cells):
    return {gid: textwrap.dedent(code).strip("\n") + "\n" for gid, code in cells.items()}


# ------------------------------------------------------------------------------------------------
# 2017 template (Coursera "Logistic Regression with a Neural Network mindset", v1-v4)
# ------------------------------------------------------------------------------------------------
COURSERA_2017 = _cells(
    dataset_shapes='''
    ### START CODE HERE ### (≈ 3 lines of code)
    m_train = train_set_x_orig.shape[0]
    m_test = test_set_x_orig.shape[0]
    num_px = train_set_x_orig.shape[1]
    ### END CODE HERE ###

    print ("Number of training examples: m_train = " + str(m_train))
    print ("Number of testing examples: m_test = " + str(m_test))
    print ("Height/Width of each image: num_px = " + str(num_px))
    print ("Each image is of size: (" + str(num_px) + ", " + str(num_px) + ", 3)")
    print ("train_set_x shape: " + str(train_set_x_orig.shape))
    print ("train_set_y shape: " + str(train_set_y.shape))
    ''',
    flatten='''
    # Reshape the training and test examples

    ### START CODE HERE ### (≈ 2 lines of code)
    train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T
    test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T
    ### END CODE HERE ###

    print ("train_set_x_flatten shape: " + str(train_set_x_flatten.shape))
    print ("test_set_x_flatten shape: " + str(test_set_x_flatten.shape))
    print ("sanity check after reshaping: " + str(train_set_x_flatten[0:5,0]))
    ''',
    standardize='''
    train_set_x = train_set_x_flatten/255.
    test_set_x = test_set_x_flatten/255.
    ''',
    sigmoid='''
    # GRADED FUNCTION: sigmoid

    def sigmoid(z):
        """
        Compute the sigmoid of z

        Arguments:
        z -- A scalar or numpy array of any size.

        Return:
        s -- sigmoid(z)
        """

        ### START CODE HERE ### (≈ 1 line of code)
        s = 1 / (1 + np.exp(-z))
        ### END CODE HERE ###

        return s
    ''',
    initialize_with_zeros='''
    # GRADED FUNCTION: initialize_with_zeros

    def initialize_with_zeros(dim):
        """
        This function creates a vector of zeros of shape (dim, 1) for w and initializes b to 0.
        """

        ### START CODE HERE ### (≈ 1 line of code)
        w = np.zeros((dim, 1))
        b = 0
        ### END CODE HERE ###

        assert(w.shape == (dim, 1))
        assert(isinstance(b, float) or isinstance(b, int))

        return w, b
    ''',
    propagate='''
    # GRADED FUNCTION: propagate

    def propagate(w, b, X, Y):
        """
        Implement the cost function and its gradient for the propagation explained above
        """

        m = X.shape[1]

        # FORWARD PROPAGATION (FROM X TO COST)
        ### START CODE HERE ### (≈ 2 lines of code)
        A = sigmoid(np.dot(w.T, X) + b)                                  # compute activation
        cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))  # compute cost
        ### END CODE HERE ###

        # BACKWARD PROPAGATION (TO FIND GRAD)
        ### START CODE HERE ### (≈ 2 lines of code)
        dw = 1 / m * np.dot(X, (A - Y).T)
        db = 1 / m * np.sum(A - Y)
        ### END CODE HERE ###

        assert(dw.shape == w.shape)
        assert(db.dtype == float)
        cost = np.squeeze(cost)
        assert(cost.shape == ())

        grads = {"dw": dw,
                 "db": db}

        return grads, cost
    ''',
    optimize='''
    # GRADED FUNCTION: optimize

    def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost = False):
        """
        This function optimizes w and b by running a gradient descent algorithm
        """

        costs = []

        for i in range(num_iterations):

            # Cost and gradient calculation (≈ 1-4 lines of code)
            ### START CODE HERE ###
            grads, cost = propagate(w, b, X, Y)
            ### END CODE HERE ###

            # Retrieve derivatives from grads
            dw = grads["dw"]
            db = grads["db"]

            # update rule (≈ 2 lines of code)
            ### START CODE HERE ###
            w = w - learning_rate * dw
            b = b - learning_rate * db
            ### END CODE HERE ###

            # Record the costs
            if i % 100 == 0:
                costs.append(cost)

            # Print the cost every 100 training examples
            if print_cost and i % 100 == 0:
                print ("Cost after iteration %i: %f" %(i, cost))

        params = {"w": w,
                  "b": b}

        grads = {"dw": dw,
                 "db": db}

        return params, grads, costs
    ''',
    predict='''
    # GRADED FUNCTION: predict

    def predict(w, b, X):
        """
        Predict whether the label is 0 or 1 using learned logistic regression parameters (w, b)
        """

        m = X.shape[1]
        Y_prediction = np.zeros((1,m))
        w = w.reshape(X.shape[0], 1)

        # Compute vector "A" predicting the probabilities of a cat being present in the picture
        ### START CODE HERE ### (≈ 1 line of code)
        A = sigmoid(np.dot(w.T, X) + b)
        ### END CODE HERE ###

        ### START CODE HERE ### (≈ 4 lines of code)
        Y_prediction[0, :] = A[0, :] > 0.5
        ### END CODE HERE ###

        assert(Y_prediction.shape == (1, m))

        return Y_prediction
    ''',
    model='''
    # GRADED FUNCTION: model

    def model(X_train, Y_train, X_test, Y_test, num_iterations = 2000, learning_rate = 0.5, print_cost = False):
        """
        Builds the logistic regression model by calling the function you've implemented previously
        """

        ### START CODE HERE ###

        # initialize parameters with zeros (≈ 1 line of code)
        w, b = initialize_with_zeros(X_train.shape[0])

        # Gradient descent (≈ 1 line of code)
        parameters, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)

        # Retrieve parameters w and b from dictionary "parameters"
        w = parameters["w"]
        b = parameters["b"]

        # Predict test/train set examples (≈ 2 lines of code)
        Y_prediction_test = predict(w, b, X_test)
        Y_prediction_train = predict(w, b, X_train)

        ### END CODE HERE ###

        # Print train/test Errors
        print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
        print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))


        d = {"costs": costs,
             "Y_prediction_test": Y_prediction_test,
             "Y_prediction_train" : Y_prediction_train,
             "w" : w,
             "b" : b,
             "learning_rate" : learning_rate,
             "num_iterations": num_iterations}

        return d
    ''',
)

# ------------------------------------------------------------------------------------------------
# 2021+ template (W2A2, "# YOUR CODE STARTS HERE", copy.deepcopy in optimize, no assert)
# ------------------------------------------------------------------------------------------------
COURSERA_2021 = _cells(
    dataset_shapes='''
    #(≈ 3 lines of code)
    # m_train =
    # m_test =
    # num_px =
    # YOUR CODE STARTS HERE
    m_train = train_set_x_orig.shape[0]
    m_test = test_set_x_orig.shape[0]
    num_px = train_set_x_orig.shape[1]

    # YOUR CODE ENDS HERE
    ''',
    flatten='''
    # Reshape the training and test examples
    #(≈ 2 lines of code)
    # train_set_x_flatten = ...
    # test_set_x_flatten = ...
    # YOUR CODE STARTS HERE
    train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T
    test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T

    # YOUR CODE ENDS HERE

    print ("train_set_x_flatten shape: " + str(train_set_x_flatten.shape))
    print ("test_set_x_flatten shape: " + str(test_set_x_flatten.shape))
    ''',
    standardize='''
    train_set_x = train_set_x_flatten / 255.
    test_set_x = test_set_x_flatten / 255.
    ''',
    sigmoid='''
    # GRADED FUNCTION: sigmoid

    def sigmoid(z):
        """
        Compute the sigmoid of z

        Arguments:
        z -- A scalar or numpy array of any size.

        Return:
        s -- sigmoid(z)
        """

        #(≈ 1 line of code)
        # s = ...
        # YOUR CODE STARTS HERE
        s = 1 / (1 + np.exp(-z))

        # YOUR CODE ENDS HERE

        return s
    ''',
    initialize_with_zeros='''
    # GRADED FUNCTION: initialize_with_zeros

    def initialize_with_zeros(dim):
        """
        This function creates a vector of zeros of shape (dim, 1) for w and initializes b to 0.
        """

        # (≈ 2 lines of code)
        # w = ...
        # b = ...
        # YOUR CODE STARTS HERE
        w = np.zeros((dim, 1))
        b = 0.0

        # YOUR CODE ENDS HERE

        return w, b
    ''',
    propagate='''
    # GRADED FUNCTION: propagate

    def propagate(w, b, X, Y):
        """
        Implement the cost function and its gradient for the propagation explained above
        """

        m = X.shape[1]

        # FORWARD PROPAGATION (FROM X TO COST)
        #(≈ 2 lines of code)
        # compute activation
        # A = ...
        # compute cost by using np.dot to perform multiplication.
        # And don't use loops for the sum.
        # cost = ...
        # YOUR CODE STARTS HERE
        A = sigmoid(np.dot(w.T, X) + b)
        cost = -1 / m * (np.dot(Y, np.log(A).T) + np.dot(1 - Y, np.log(1 - A).T))

        # YOUR CODE ENDS HERE

        # BACKWARD PROPAGATION (TO FIND GRAD)
        #(≈ 2 lines of code)
        # dw = ...
        # db = ...
        # YOUR CODE STARTS HERE
        dw = 1 / m * np.dot(X, (A - Y).T)
        db = 1 / m * np.sum(A - Y)

        # YOUR CODE ENDS HERE
        cost = np.squeeze(np.array(cost))


        grads = {"dw": dw,
                 "db": db}

        return grads, cost
    ''',
    optimize='''
    # GRADED FUNCTION: optimize

    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        """
        This function optimizes w and b by running a gradient descent algorithm
        """

        w = copy.deepcopy(w)
        b = copy.deepcopy(b)

        costs = []

        for i in range(num_iterations):
            # (≈ 1 lines of code)
            # Cost and gradient calculation
            # grads, cost = ...
            # YOUR CODE STARTS HERE
            grads, cost = propagate(w, b, X, Y)

            # YOUR CODE ENDS HERE

            # Retrieve derivatives from grads
            dw = grads["dw"]
            db = grads["db"]

            # update rule (≈ 2 lines of code)
            # w = ...
            # b = ...
            # YOUR CODE STARTS HERE
            w = w - learning_rate * dw
            b = b - learning_rate * db

            # YOUR CODE ENDS HERE

            # Record the costs
            if i % 100 == 0:
                costs.append(cost)

                # Print the cost every 100 training iterations
                if print_cost:
                    print ("Cost after iteration %i: %f" %(i, cost))

        params = {"w": w,
                  "b": b}

        grads = {"dw": dw,
                 "db": db}

        return params, grads, costs
    ''',
    predict='''
    # GRADED FUNCTION: predict

    def predict(w, b, X):
        """
        Predict whether the label is 0 or 1 using learned logistic regression parameters (w, b)
        """

        m = X.shape[1]
        Y_prediction = np.zeros((1, m))
        w = w.reshape(X.shape[0], 1)

        # Compute vector "A" predicting the probabilities of a cat being present in the picture
        #(≈ 1 line of code)
        # A = ...
        # YOUR CODE STARTS HERE
        A = sigmoid(np.dot(w.T, X) + b)

        # YOUR CODE ENDS HERE

        # no loop: the whole row at once
        Y_prediction = np.where(A > 0.5, 1, 0)

        return Y_prediction
    ''',
    model='''
    # GRADED FUNCTION: model

    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        """
        Builds the logistic regression model by calling the function you've implemented previously
        """
        # (≈ 1 line of code)
        # initialize parameters with zeros
        # w, b = ...

        #(≈ 1 line of code)
        # Gradient descent
        # params, grads, costs = ...

        # Retrieve parameters w and b from dictionary "params"
        # w = ...
        # b = ...

        # Predict test/train set examples (≈ 2 lines of code)
        # Y_prediction_test = ...
        # Y_prediction_train = ...

        # YOUR CODE STARTS HERE
        w, b = initialize_with_zeros(X_train.shape[0])
        params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
        w = params["w"]
        b = params["b"]
        Y_prediction_test = predict(w, b, X_test)
        Y_prediction_train = predict(w, b, X_train)

        # YOUR CODE ENDS HERE

        # Print train/test Errors
        if print_cost:
            print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
            print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))


        d = {"costs": costs,
             "Y_prediction_test": Y_prediction_test,
             "Y_prediction_train" : Y_prediction_train,
             "w" : w,
             "b" : b,
             "learning_rate" : learning_rate,
             "num_iterations": num_iterations}

        return d
    ''',
)

# ------------------------------------------------------------------------------------------------
# keepdims everywhere: db and cost as (1, 1) arrays, an int bias, 1 * (A > 0.5)
# ------------------------------------------------------------------------------------------------
KEEPDIMS = _cells(
    dataset_shapes='''
    m_train = train_set_y.shape[1]
    m_test = test_set_y.shape[1]
    num_px = train_set_x_orig.shape[2]
    ''',
    flatten='''
    train_set_x_flatten = train_set_x_orig.reshape(m_train, -1).T
    test_set_x_flatten = test_set_x_orig.reshape(m_test, -1).T
    ''',
    standardize='''
    train_set_x = train_set_x_flatten / 255.0
    test_set_x = test_set_x_flatten / 255.0
    ''',
    sigmoid='''
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))
    ''',
    initialize_with_zeros='''
    def initialize_with_zeros(dim):
        w = np.zeros(shape=(dim, 1), dtype=np.float64)
        b = 0  # an int is fine, it becomes a float after the first update
        return w, b
    ''',
    propagate='''
    def propagate(w, b, X, Y):
        m = X.shape[1]
        Z = np.dot(w.T, X) + b
        A = sigmoid(Z)
        cost = (-1. / m) * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A), axis=1, keepdims=True)
        dZ = A - Y
        dw = (1. / m) * np.dot(X, dZ.T)
        db = (1. / m) * np.sum(dZ, axis=1, keepdims=True)
        grads = {"dw": dw, "db": db}
        return grads, cost
    ''',
    optimize='''
    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        costs = []
        for i in range(num_iterations):
            grads, cost = propagate(w, b, X, Y)
            w = w - learning_rate * grads["dw"]
            b = b - learning_rate * grads["db"]
            if i % 100 == 0:
                costs.append(cost)
                if print_cost:
                    print(f"Cost after iteration {i}: {np.squeeze(cost)}")
        return {"w": w, "b": b}, grads, costs
    ''',
    predict='''
    def predict(w, b, X):
        A = sigmoid(np.dot(w.T, X) + b)
        return 1 * (A > 0.5)
    ''',
    model='''
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        w, b = initialize_with_zeros(X_train.shape[0])
        params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
        w, b = params["w"], params["b"]
        Y_prediction_train = predict(w, b, X_train)
        Y_prediction_test = predict(w, b, X_test)
        return dict(costs=costs, Y_prediction_test=Y_prediction_test,
                    Y_prediction_train=Y_prediction_train, w=w, b=b,
                    learning_rate=learning_rate, num_iterations=num_iterations)
    ''',
)

# ------------------------------------------------------------------------------------------------
# axis=1 without keepdims: db and cost of shape (1,), np.around for the labels
# ------------------------------------------------------------------------------------------------
AXIS1 = _cells(
    dataset_shapes='''
    m_train = train_set_x_orig.shape[0]
    m_test = test_set_x_orig.shape[0]
    num_px = train_set_x_orig.shape[1]
    print(m_train, m_test, num_px)
    ''',
    flatten='''
    train_set_x_flatten = train_set_x_orig.reshape(m_train, num_px * num_px * 3).T
    test_set_x_flatten = test_set_x_orig.reshape(m_test, num_px * num_px * 3).T
    ''',
    standardize='''
    train_set_x = train_set_x_flatten / 255
    test_set_x = test_set_x_flatten / 255
    ''',
    sigmoid='''
    def sigmoid(z):
        s = 1 / (1 + np.exp(-z))
        return s
    ''',
    initialize_with_zeros='''
    def initialize_with_zeros(dim):
        w = np.zeros([dim, 1])
        b = 0.
        return w, b
    ''',
    propagate='''
    def propagate(w, b, X, Y):
        m = X.shape[1]
        A = sigmoid(np.dot(w.T, X) + b)
        cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A), axis=1) / m
        dZ = A - Y
        dw = np.dot(X, dZ.T) / m
        db = np.sum(dZ, axis=1) / m
        return {"dw": dw, "db": db}, cost
    ''',
    optimize='''
    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        costs = []
        for i in range(num_iterations):
            grads, cost = propagate(w, b, X, Y)
            dw = grads["dw"]
            db = grads["db"]
            w = w - learning_rate * dw
            b = b - learning_rate * db
            if i % 100 == 0:
                costs.append(cost)
            if print_cost and i % 100 == 0:
                print("Cost after iteration %i: %s" % (i, cost))
        params = {"w": w, "b": b}
        grads = {"dw": dw, "db": db}
        return params, grads, costs
    ''',
    predict='''
    def predict(w, b, X):
        A = sigmoid(np.dot(w.T, X) + b)
        Y_prediction = np.around(A)
        return Y_prediction
    ''',
    model='''
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        w, b = initialize_with_zeros(X_train.shape[0])
        params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
        w = params["w"]
        b = params["b"]
        Y_prediction_test = predict(w, b, X_test)
        Y_prediction_train = predict(w, b, X_train)
        d = {"costs": costs, "Y_prediction_test": Y_prediction_test,
             "Y_prediction_train": Y_prediction_train, "w": w, "b": b,
             "learning_rate": learning_rate, "num_iterations": num_iterations}
        return d
    ''',
)

# ------------------------------------------------------------------------------------------------
# Modern Python: @, np.mean, type hints, f-strings, >= 0.5 as ints, w.copy() then b -=
# ------------------------------------------------------------------------------------------------
MATMUL = _cells(
    dataset_shapes='''
    m_train, num_px = train_set_x_orig.shape[:2]
    m_test = len(test_set_x_orig)
    ''',
    flatten='''
    train_set_x_flatten = train_set_x_orig.reshape(len(train_set_x_orig), -1).T
    test_set_x_flatten = test_set_x_orig.reshape(len(test_set_x_orig), -1).T
    ''',
    standardize='''
    train_set_x = train_set_x_flatten.astype(float) / 255
    test_set_x = test_set_x_flatten.astype(float) / 255
    ''',
    sigmoid='''
    def sigmoid(z: np.ndarray) -> np.ndarray:
        """Logistic function, element-wise."""
        return 1 / (1 + np.exp(-z))
    ''',
    initialize_with_zeros='''
    def initialize_with_zeros(dim: int) -> tuple[np.ndarray, float]:
        return np.zeros((dim, 1)), 0.0
    ''',
    propagate='''
    def propagate(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray):
        m = X.shape[1]
        A = sigmoid(w.T @ X + b)
        cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
        dZ = A - Y
        grads = {"dw": X @ dZ.T / m, "db": dZ.mean()}
        return grads, float(cost)
    ''',
    optimize='''
    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        w = w.copy()
        costs: list[float] = []
        for it in range(num_iterations):
            grads, cost = propagate(w, b, X, Y)
            if it % 100 == 0:
                costs.append(cost)
                if print_cost:
                    print(f"Cost after iteration {it}: {cost:.6f}")
            w = w - learning_rate * grads["dw"]
            b -= learning_rate * grads["db"]
        return {"w": w, "b": b}, grads, costs
    ''',
    predict='''
    def predict(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
        return (sigmoid(w.T @ X + b) >= 0.5).astype(int)
    ''',
    model='''
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        w, b = initialize_with_zeros(X_train.shape[0])
        params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations=num_iterations,
                                        learning_rate=learning_rate, print_cost=print_cost)
        w, b = params["w"], params["b"]
        Y_prediction_train = predict(w, b, X_train)
        Y_prediction_test = predict(w, b, X_test)
        if print_cost:
            print(f"train accuracy: {100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100:.1f} %")
            print(f"test accuracy: {100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100:.1f} %")
        return {"costs": costs, "Y_prediction_test": Y_prediction_test,
                "Y_prediction_train": Y_prediction_train, "w": w, "b": b,
                "learning_rate": learning_rate, "num_iterations": num_iterations}
    ''',
)

# ------------------------------------------------------------------------------------------------
# Spanish comments and names, an own helper (activacion) shared by propagate and predict
# ------------------------------------------------------------------------------------------------
SPANISH = _cells(
    dataset_shapes='''
    # número de ejemplos de entrenamiento y de prueba, y tamaño de cada imagen
    m_train = train_set_x_orig.shape[0]
    m_test = test_set_x_orig.shape[0]
    num_px = train_set_x_orig.shape[1]
    print("Número de ejemplos de entrenamiento:", m_train)
    ''',
    flatten='''
    # aplanar: cada imagen se convierte en una columna
    train_set_x_flatten = np.reshape(train_set_x_orig, (m_train, -1)).T
    test_set_x_flatten = np.reshape(test_set_x_orig, (m_test, -1)).T
    ''',
    standardize='''
    # normalizar los píxeles entre 0 y 1
    train_set_x = train_set_x_flatten / 255.
    test_set_x = test_set_x_flatten / 255.
    ''',
    sigmoid='''
    def sigmoid(z):
        # función logística
        s = 1 / (1 + np.exp(-z))
        return s
    ''',
    initialize_with_zeros='''
    def initialize_with_zeros(dim):
        # pesos en cero y sesgo en cero
        w = np.zeros((dim, 1))
        b = 0.0
        return w, b
    ''',
    propagate='''
    def activacion(w, b, X):
        """Calcula A = sigmoid(w^T X + b) para todos los ejemplos a la vez."""
        return sigmoid(np.dot(w.T, X) + b)


    def propagate(w, b, X, Y):
        m = X.shape[1]  # número de ejemplos
        # propagación hacia adelante
        A = activacion(w, b, X)
        costo = -(1 / m) * np.sum(np.multiply(Y, np.log(A)) + np.multiply(1 - Y, np.log(1 - A)))
        # propagación hacia atrás
        dw = (1 / m) * np.dot(X, (A - Y).T)
        db = (1 / m) * np.sum(A - Y)
        grads = {"dw": dw, "db": db}
        return grads, np.squeeze(costo)
    ''',
    optimize='''
    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        costes = []  # lista de costes cada 100 iteraciones
        for i in range(num_iterations):
            grads, coste = propagate(w, b, X, Y)
            dw = grads["dw"]
            db = grads["db"]
            # regla de actualización
            w = w - learning_rate * dw
            b = b - learning_rate * db
            if i % 100 == 0:
                costes.append(coste)
                if print_cost:
                    print("Coste tras la iteración %i: %f" % (i, coste))
        params = {"w": w, "b": b}
        grads = {"dw": dw, "db": db}
        return params, grads, costes
    ''',
    predict='''
    def predict(w, b, X):
        # probabilidades y luego etiquetas 0/1
        A = activacion(w, b, X)
        Y_prediction = (A > 0.5).astype(int)
        return Y_prediction
    ''',
    model='''
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        # inicializar, entrenar y predecir
        w, b = initialize_with_zeros(X_train.shape[0])
        parametros, grads, costes = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
        w = parametros["w"]
        b = parametros["b"]
        Y_prediction_test = predict(w, b, X_test)
        Y_prediction_train = predict(w, b, X_train)
        if print_cost:
            print("precisión en entrenamiento: {} %".format(accuracy(Y_prediction_train, Y_train)))
            print("precisión en prueba: {} %".format(accuracy(Y_prediction_test, Y_test)))
        d = {"costs": costes, "Y_prediction_test": Y_prediction_test,
             "Y_prediction_train": Y_prediction_train, "w": w, "b": b,
             "learning_rate": learning_rate, "num_iterations": num_iterations}
        return d
    ''',
)

# ------------------------------------------------------------------------------------------------
# Chinese comments, np.multiply / np.squeeze, np.where with floats
# ------------------------------------------------------------------------------------------------
CHINESE = _cells(
    dataset_shapes='''
    # 训练集和测试集的样本数量，以及图片的高度/宽度
    m_train = train_set_x_orig.shape[0]
    m_test = test_set_x_orig.shape[0]
    num_px = train_set_x_orig.shape[1]
    ''',
    flatten='''
    # 把每张图片展开成一列
    train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T
    test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T
    print("训练集降维后的维度： " + str(train_set_x_flatten.shape))
    ''',
    standardize='''
    # 标准化：除以 255
    train_set_x = train_set_x_flatten / 255
    test_set_x = test_set_x_flatten / 255
    ''',
    sigmoid='''
    def sigmoid(z):
        """
        参数：z - 任何大小的标量或 numpy 数组
        返回：s - sigmoid(z)
        """
        s = 1 / (1 + np.exp(-z))
        return s
    ''',
    initialize_with_zeros='''
    def initialize_with_zeros(dim):
        """创建一个维度为 (dim, 1) 的 0 向量，并将 b 初始化为 0"""
        w = np.zeros(shape=(dim, 1))
        b = 0
        # 断言来确保数据是正确的
        assert(w.shape == (dim, 1))
        assert(isinstance(b, float) or isinstance(b, int))
        return (w, b)
    ''',
    propagate='''
    def propagate(w, b, X, Y):
        m = X.shape[1]
        # 正向传播
        A = sigmoid(np.dot(w.T, X) + b)  # 计算激活值
        cost = (-1 / m) * np.sum(Y * np.log(A) + (1 - Y) * (np.log(1 - A)))  # 计算成本
        # 反向传播
        dw = (1 / m) * np.dot(X, (A - Y).T)
        db = (1 / m) * np.sum(A - Y)
        # 使用断言确保我的数据是正确的
        assert(dw.shape == w.shape)
        cost = np.squeeze(cost)
        assert(cost.shape == ())
        # 创建一个字典，把 dw 和 db 保存起来
        grads = {"dw": dw, "db": db}
        return (grads, cost)
    ''',
    optimize='''
    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        costs = []
        for i in range(num_iterations):
            grads, cost = propagate(w, b, X, Y)
            dw = grads["dw"]
            db = grads["db"]
            w = w - learning_rate * dw
            b = b - learning_rate * db
            # 记录成本
            if i % 100 == 0:
                costs.append(cost)
            # 打印成本数据
            if (print_cost) and (i % 100 == 0):
                print("迭代的次数: %i ， 误差值： %f" % (i, cost))
        params = {"w": w, "b": b}
        grads = {"dw": dw, "db": db}
        return (params, grads, costs)
    ''',
    predict='''
    def predict(w, b, X):
        m = X.shape[1]  # 图片的数量
        w = w.reshape(X.shape[0], 1)
        # 计预测猫在图片中出现的概率
        A = sigmoid(np.dot(w.T, X) + b)
        Y_prediction = np.where(A > 0.5, 1., 0.)
        # 使用断言
        assert(Y_prediction.shape == (1, m))
        return Y_prediction
    ''',
    model='''
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        w, b = initialize_with_zeros(X_train.shape[0])
        parameters, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
        # 从字典“参数”中检索参数 w 和 b
        w, b = parameters["w"], parameters["b"]
        # 预测测试/训练集的例子
        Y_prediction_test = predict(w, b, X_test)
        Y_prediction_train = predict(w, b, X_train)
        # 打印训练后的准确性
        if print_cost:
            print("训练集准确性：", format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100), "%")
            print("测试集准确性：", format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100), "%")
        d = {
            "costs": costs,
            "Y_prediction_test": Y_prediction_test,
            "Y_prediction_train": Y_prediction_train,
            "w": w,
            "b": b,
            "learning_rate": learning_rate,
            "num_iterations": num_iterations}
        return d
    ''',
)

# ------------------------------------------------------------------------------------------------
# Debug prints everywhere (shapes, values, every 100 iterations whatever print_cost says)
# ------------------------------------------------------------------------------------------------
DEBUG_PRINTS = _cells(
    dataset_shapes='''
    print(train_set_x_orig.shape, test_set_x_orig.shape)
    m_train = train_set_x_orig.shape[0]
    m_test = test_set_x_orig.shape[0]
    num_px = train_set_x_orig.shape[1]
    print("m_train", m_train, "m_test", m_test, "num_px", num_px)
    ''',
    flatten='''
    train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], -1).T
    test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], -1).T
    print("DEBUG flatten", train_set_x_flatten.shape, test_set_x_flatten.shape)
    print(train_set_x_flatten[:5, 0])
    ''',
    standardize='''
    train_set_x = train_set_x_flatten / 255.
    test_set_x = test_set_x_flatten / 255.
    print("DEBUG min/max", train_set_x.min(), train_set_x.max())
    ''',
    sigmoid='''
    def sigmoid(z):
        s = 1 / (1 + np.exp(-z))
        #print("sigmoid in", z, "out", s)
        return s

    print(sigmoid(np.array([0, 2])))
    ''',
    initialize_with_zeros='''
    def initialize_with_zeros(dim):
        w = np.zeros((dim, 1))
        b = 0.
        print("DEBUG init", w.shape, b)
        return w, b
    ''',
    propagate='''
    def propagate(w, b, X, Y):
        m = X.shape[1]
        print("DEBUG shapes w", w.shape, "X", X.shape, "Y", Y.shape)
        A = sigmoid(np.dot(w.T, X) + b)
        print("DEBUG A", A.shape)
        cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
        dw = 1 / m * np.dot(X, (A - Y).T)
        db = 1 / m * np.sum(A - Y)
        print("DEBUG dw", dw.shape, "db", db, "cost", cost)
        grads = {"dw": dw, "db": db}
        return grads, cost
    ''',
    optimize='''
    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        costs = []
        for i in range(num_iterations):
            grads, cost = propagate(w, b, X, Y)
            dw = grads["dw"]
            db = grads["db"]
            w = w - learning_rate * dw
            b = b - learning_rate * db
            if i % 100 == 0:
                costs.append(cost)
                print("iteration", i, "cost", cost)   # always, easier to debug
        print("DEBUG final b", b)
        return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
    ''',
    predict='''
    def predict(w, b, X):
        m = X.shape[1]
        A = sigmoid(np.dot(w.T, X) + b)
        print("DEBUG A", A)
        Y_prediction = (A > 0.5).astype(float)
        print("DEBUG predictions", Y_prediction, Y_prediction.shape, m)
        return Y_prediction
    ''',
    model='''
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        print("DEBUG model", X_train.shape, Y_train.shape, X_test.shape, Y_test.shape)
        w, b = initialize_with_zeros(X_train.shape[0])
        params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
        w = params["w"]
        b = params["b"]
        print("DEBUG learned b", b)
        Y_prediction_test = predict(w, b, X_test)
        Y_prediction_train = predict(w, b, X_train)
        print("train accuracy:", accuracy(Y_prediction_train, Y_train))
        print("test accuracy:", accuracy(Y_prediction_test, Y_test))
        return {"costs": costs, "Y_prediction_test": Y_prediction_test,
                "Y_prediction_train": Y_prediction_train, "w": w, "b": b,
                "learning_rate": learning_rate, "num_iterations": num_iterations}
    ''',
)

# ------------------------------------------------------------------------------------------------
# In-place updates on a copy (np.copy), accuracy helper, 2019-style "### START CODE HERE ###"
# with German comments
# ------------------------------------------------------------------------------------------------
GERMAN_INPLACE = _cells(
    dataset_shapes='''
    ### START CODE HERE ### (≈ 3 lines of code)
    m_train = train_set_x_orig.shape[0]   # Anzahl Trainingsbilder
    m_test = test_set_x_orig.shape[0]     # Anzahl Testbilder
    num_px = train_set_x_orig.shape[1]    # Höhe = Breite eines Bildes
    ### END CODE HERE ###
    ''',
    flatten='''
    ### START CODE HERE ### (≈ 2 lines of code)
    # jedes Bild wird zu einer Spalte
    train_set_x_flatten = train_set_x_orig.reshape(train_set_x_orig.shape[0], num_px * num_px * 3).T
    test_set_x_flatten = test_set_x_orig.reshape(test_set_x_orig.shape[0], num_px * num_px * 3).T
    ### END CODE HERE ###
    ''',
    standardize='''
    # Pixelwerte auf [0, 1] skalieren
    train_set_x = train_set_x_flatten / 255.
    test_set_x = test_set_x_flatten / 255.
    ''',
    sigmoid='''
    def sigmoid(z):
        ### START CODE HERE ### (≈ 1 line of code)
        s = 1. / (1. + np.exp(-z))  # logistische Funktion
        ### END CODE HERE ###
        return s
    ''',
    initialize_with_zeros='''
    def initialize_with_zeros(dim):
        ### START CODE HERE ### (≈ 1 line of code)
        w = np.zeros((dim, 1), dtype=float)
        b = 0.
        ### END CODE HERE ###
        assert(w.shape == (dim, 1))
        return w, b
    ''',
    propagate='''
    def propagate(w, b, X, Y):
        m = X.shape[1]
        # Vorwärts: Aktivierung und Kosten
        A = sigmoid(np.dot(w.T, X) + b)
        cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
        # Rückwärts: Gradienten
        dZ = A - Y
        dw = np.dot(X, dZ.T) / m
        db = np.sum(dZ) / m
        cost = np.squeeze(cost)
        return {"dw": dw, "db": db}, cost
    ''',
    optimize='''
    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        w = np.copy(w)  # Kopie, damit das w des Aufrufers unverändert bleibt
        costs = []
        for i in range(num_iterations):
            grads, cost = propagate(w, b, X, Y)
            dw = grads["dw"]
            db = grads["db"]
            # Aktualisierung an Ort und Stelle
            w -= learning_rate * dw
            b -= learning_rate * db
            if i % 100 == 0:
                costs.append(cost)
                if print_cost:
                    print("Kosten nach Iteration %i: %f" % (i, cost))
        return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
    ''',
    predict='''
    def predict(w, b, X):
        m = X.shape[1]
        w = w.reshape(X.shape[0], 1)
        A = sigmoid(np.dot(w.T, X) + b)
        ### START CODE HERE ### (≈ 4 lines of code)
        Y_prediction = 1. * (A > 0.5)  # Schwelle 0.5
        ### END CODE HERE ###
        assert(Y_prediction.shape == (1, m))
        return Y_prediction
    ''',
    model='''
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        ### START CODE HERE ###
        w, b = initialize_with_zeros(X_train.shape[0])
        parameters, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
        w = parameters["w"]
        b = parameters["b"]
        Y_prediction_test = predict(w, b, X_test)
        Y_prediction_train = predict(w, b, X_train)
        ### END CODE HERE ###
        if print_cost:
            print("Trainingsgenauigkeit: {} %".format(accuracy(Y_prediction_train, Y_train)))
            print("Testgenauigkeit: {} %".format(accuracy(Y_prediction_test, Y_test)))
        d = {"costs": costs, "Y_prediction_test": Y_prediction_test,
             "Y_prediction_train": Y_prediction_train, "w": w, "b": b,
             "learning_rate": learning_rate, "num_iterations": num_iterations}
        return d
    ''',
)

# ------------------------------------------------------------------------------------------------
# French comments, own helpers (cout, gradients), while loop, list / dict() returns, keywords
# ------------------------------------------------------------------------------------------------
FRENCH_HELPERS = _cells(
    dataset_shapes='''
    # nombre d'exemples d'entraînement et de test, taille des images
    m_train = len(train_set_x_orig)
    m_test = len(test_set_x_orig)
    _, num_px, _, _ = train_set_x_orig.shape
    ''',
    flatten='''
    # aplatir : une image par colonne
    train_set_x_flatten = train_set_x_orig.reshape(m_train, -1).T
    test_set_x_flatten = test_set_x_orig.reshape(m_test, -1).T
    ''',
    standardize='''
    # normalisation des pixels
    train_set_x = np.divide(train_set_x_flatten, 255.)
    test_set_x = np.divide(test_set_x_flatten, 255.)
    ''',
    sigmoid='''
    def sigmoid(z):
        # fonction sigmoïde, élément par élément
        return 1 / (1 + np.exp(-z))
    ''',
    initialize_with_zeros='''
    def initialize_with_zeros(dim):
        # poids nuls (vecteur colonne) et biais nul
        return [np.zeros((dim, 1)), 0.0]
    ''',
    propagate='''
    def cout(A, Y):
        """Coût d'entropie croisée moyen."""
        m = Y.shape[1]
        return float(-(1 / m) * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


    def gradients(X, A, Y):
        """Gradients de la perte par rapport à w et b."""
        m = X.shape[1]
        dZ = A - Y
        return np.dot(X, dZ.T) / m, np.sum(dZ) / m


    def propagate(w, b, X, Y):
        A = sigmoid(np.dot(w.T, X) + b)  # propagation avant
        dw, db = gradients(X, A, Y)      # propagation arrière
        return dict(dw=dw, db=db), cout(A, Y)
    ''',
    optimize='''
    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        couts = []
        i = 0
        while i < num_iterations:
            grads, c = propagate(w, b, X, Y)
            if i % 100 == 0:
                couts.append(c)
                if print_cost:
                    print(f"Coût après l'itération {i} : {c:f}")
            # descente de gradient
            w, b = w - learning_rate * grads["dw"], b - learning_rate * grads["db"]
            i += 1
        return dict(w=w, b=b), dict(dw=grads["dw"], db=grads["db"]), couts
    ''',
    predict='''
    def predict(w, b, X):
        # probabilité d'être un chat, puis seuil à 0,5
        proba = sigmoid(np.dot(w.T, X) + b)
        return (proba > 0.5).astype(np.float64)
    ''',
    model='''
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        w, b = initialize_with_zeros(dim=X_train.shape[0])
        params, grads, couts = optimize(w, b, X_train, Y_train,
                                        num_iterations=num_iterations,
                                        learning_rate=learning_rate,
                                        print_cost=print_cost)
        d = {}
        d["w"], d["b"] = params["w"], params["b"]
        d["Y_prediction_train"] = predict(d["w"], d["b"], X_train)
        d["Y_prediction_test"] = predict(d["w"], d["b"], X_test)
        d["costs"] = couts
        d["learning_rate"] = learning_rate
        d["num_iterations"] = num_iterations
        return d
    ''',
)

# ------------------------------------------------------------------------------------------------
# Numerically careful: tanh sigmoid, einsum, log1p, a lambda-free but terse style
# ------------------------------------------------------------------------------------------------
EINSUM_TANH = _cells(
    dataset_shapes='''
    m_train, m_test = train_set_x_orig.shape[0], test_set_x_orig.shape[0]
    num_px = train_set_x_orig.shape[1]
    assert train_set_x_orig.shape[1] == train_set_x_orig.shape[2]
    ''',
    flatten='''
    train_set_x_flatten = train_set_x_orig.reshape(m_train, -1).transpose()
    test_set_x_flatten = test_set_x_orig.reshape(m_test, -1).transpose()
    ''',
    standardize='''
    train_set_x = train_set_x_flatten * (1 / 255)
    test_set_x = test_set_x_flatten * (1 / 255)
    ''',
    sigmoid='''
    def sigmoid(z):
        # tanh form: never overflows
        return 0.5 * (1 + np.tanh(0.5 * z))
    ''',
    initialize_with_zeros='''
    def initialize_with_zeros(dim):
        return np.zeros((dim, 1)), float(0)
    ''',
    propagate='''
    def propagate(w, b, X, Y):
        m = X.shape[1]
        A = sigmoid(np.einsum("ij,ik->jk", w, X) + b)
        cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log1p(-A)) / m
        dZ = A - Y
        dw = np.einsum("ik,jk->ij", X, dZ) / m
        db = dZ.sum() / m
        return {"dw": dw, "db": db}, cost
    ''',
    optimize='''
    def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        costs = []
        for i in range(num_iterations):
            grads, cost = propagate(w, b, X, Y)
            dw, db = grads["dw"], grads["db"]
            w, b = w - learning_rate * dw, b - learning_rate * db
            if not i % 100:
                costs.append(float(cost))
                print_cost and print(f"Cost after iteration {i}: {cost:f}")
        return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
    ''',
    predict='''
    def predict(w, b, X):
        return np.greater(sigmoid(np.einsum("ij,ik->jk", w, X) + b), 0.5).astype(float)
    ''',
    model='''
    def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
        w, b = initialize_with_zeros(X_train.shape[0])
        params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
        w, b = params["w"], params["b"]
        return {"costs": costs, "w": w, "b": b,
                "Y_prediction_test": predict(w, b, X_test),
                "Y_prediction_train": predict(w, b, X_train),
                "learning_rate": learning_rate, "num_iterations": num_iterations}
    ''',
)

#: Every family, by name (each one a correct learner of the corpus in its own right).
FAMILIES = {
    "coursera_2017": COURSERA_2017,
    "coursera_2021": COURSERA_2021,
    "keepdims": KEEPDIMS,
    "axis1": AXIS1,
    "matmul": MATMUL,
    "spanish": SPANISH,
    "chinese": CHINESE,
    "debug_prints": DEBUG_PRINTS,
    "german_inplace": GERMAN_INPLACE,
    "french_helpers": FRENCH_HELPERS,
    "einsum_tanh": EINSUM_TANH,
}
