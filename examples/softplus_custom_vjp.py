"""A numerically stable softplus with its own reverse-mode rule (pullback.custom_vjp).

log(1 + exp(x)) overflows for large x, and so does its automatic derivative; the rule
below gives the derivative as the logistic function, written so it never overflows.

    python examples/softplus_custom_vjp.py
"""
import numpy as np

import pullback


@pullback.custom_vjp
def softplus(x):
    return np.logaddexp(0.0, x)


def softplus_fwd(x):
    return softplus(x), x                   # the value, and what the rule needs


def softplus_bwd(x, g):
    return (g * np.exp(-np.logaddexp(0.0, -x)),)     # g * sigmoid(x), never overflowing


softplus.defvjp(softplus_fwd, softplus_bwd)


def loss(w, x, y):
    return np.sum(softplus(x @ w) - y * (x @ w))     # logistic regression's loss


def data():
    x = np.array([[1.0, 2.0], [-3.0, 0.5], [800.0, -1.0]])    # 800: exp overflows
    return np.array([0.1, -0.2]), x, np.array([1.0, 0.0, 1.0])


if __name__ == "__main__":
    w, x, y = data()
    g = pullback.grad(loss)
    print("gradient:", g(w, x, y))
    print(pullback.source(g))
