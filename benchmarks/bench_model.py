"""Benchmark: the reference ``model`` against a plain textbook numpy loop, in one run.

Both train on the real data (12288 x 209, 2000 iterations, learning rate 0.005). The runs are
interleaved and repeated; the script prints each median and the ratio reference / textbook
(target: <= 1.0, i.e. the numerically stable reference costs nothing extra). Figures only: no
pass/fail, since these machines are shared and noisy.

Usage: ``make benchmark`` or ``.venv/bin/python benchmarks/bench_model.py [--repeats N]``.
"""

import argparse
import statistics
import time

import numpy as np

from catvnoncat.data import load_prepared
from catvnoncat.reference import model


def textbook_model(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate):
    """Logistic regression as most students write it: one loop, no stability tricks."""
    m = X_train.shape[1]
    w, b = np.zeros((X_train.shape[0], 1)), 0.0
    costs = []
    for i in range(num_iterations):
        A = 1 / (1 + np.exp(-(np.dot(w.T, X_train) + b)))
        cost = -np.sum(Y_train * np.log(A) + (1 - Y_train) * np.log(1 - A)) / m
        dw = np.dot(X_train, (A - Y_train).T) / m
        db = np.sum(A - Y_train) / m
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)

    def predict(X):
        return (1 / (1 + np.exp(-(np.dot(w.T, X) + b))) > 0.5).astype(float)

    return {"costs": costs, "Y_prediction_train": predict(X_train), "Y_prediction_test": predict(X_test)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=2000)
    args = parser.parse_args()

    data = load_prepared()
    runs = {"reference model": [], "textbook loop": []}
    fns = {"reference model": model, "textbook loop": textbook_model}
    results = {}
    for _ in range(args.repeats):
        for name, fn in fns.items():  # interleaved, so drift on a shared machine hits both
            start = time.perf_counter()
            results[name] = fn(*data, num_iterations=args.iterations, learning_rate=0.005)
            runs[name].append(time.perf_counter() - start)

    # Same maths, so the same predictions: a benchmark of two different answers would be moot.
    for key in ("Y_prediction_train", "Y_prediction_test"):
        assert np.array_equal(results["reference model"][key], results["textbook loop"][key])

    print(f"model on the real data: {data[0].shape[0]} x {data[0].shape[1]}, "
          f"{args.iterations} iterations, {args.repeats} interleaved repeats")
    for name, times in runs.items():
        print(f"  {name:<16} median {statistics.median(times):7.3f} s   "
              f"min {min(times):7.3f} s   max {max(times):7.3f} s")
    ratio = statistics.median(runs["reference model"]) / statistics.median(runs["textbook loop"])
    print(f"  ratio reference / textbook (median): {ratio:.3f}   (target <= 1.0)")


if __name__ == "__main__":
    main()
