"""Public checks for the chapter 5 exercises (GloVe: weight, loss, gradients, AdaGrad).

The learner sees these; the grader runs them too, in its own process (see
wvlib.course.checks). The expected values come from wvlib.glove, whose gradients are
tested against central differences (tests/test_glove.py).
"""
import numpy as np

from wvlib.course.checks import (CheckFailed, check, expect, expect_close,
                                 expect_raises, expect_shape, expect_type)
from wvlib.glove import glove_loss_and_grads, weighting_function

NAMES = ("loss", "grad_W", "grad_Wt", "grad_b", "grad_bt")


def small_problem(seed=0, V=5, d=3, n=8, repeat=True):
    """Random parameters and a batch of pairs, counts on both sides of x_max = 10."""
    rng = np.random.default_rng(seed)
    W, Wt = rng.normal(size=(V, d)) * 0.5, rng.normal(size=(V, d)) * 0.5
    b, bt = rng.normal(size=V) * 0.2, rng.normal(size=V) * 0.2
    # word V - 1 is in no pair
    rows, cols = rng.integers(V - 1, size=n), rng.integers(V - 1, size=n)
    x = rng.gamma(1.0, 8.0, size=n) + 0.2
    x[0] = 25.0                                                 # above x_max
    if repeat:                                                  # a repeated pair
        rows[1], cols[1], x[1] = rows[0], cols[0], 4.0
    return W, Wt, b, bt, rows, cols, x


def diagnose_grads(got, expected, args, x_max, alpha):
    """A hint for wrong gradients of question 2, or ""."""
    W, Wt, b, bt, rows, cols, x = args
    loss, gW, gWt, gb, gbt = got
    exp_loss = expected[0]
    if np.isclose(loss, exp_loss / 2):
        return "J has no factor 1/2: J = sum_t f(x_t) e_t^2, so dJ/de = 2 f e"
    if np.allclose(gb, expected[3] / 2):
        return "the gradients miss the factor 2 of d(e^2)/de = 2e"
    if np.allclose(gW, expected[2]) and np.allclose(gWt, expected[1]):
        return ("grad_W and grad_Wt are swapped: dJ/dw_i involves the context vectors "
                "w~_k")
    repeated = (len(set(rows.tolist())) < len(rows)
                or len(set(cols.tolist())) < len(cols))
    if repeated and not np.allclose(gb, expected[3]):
        return ("a pair or word that appears several times must add up all its "
                "contributions: W[rows] += ... keeps only one, use np.add.at")
    return ""


def expect_loss_and_grads(got, args, x_max, alpha, what):
    """Compare (loss, grad_W, grad_Wt, grad_b, grad_bt) with the reference."""
    expect_type(got, (tuple, list), what)
    expect(len(got) == 5, f"{what} should return 5 values (loss, grad_W, grad_Wt, "
                          f"grad_b, grad_bt), got {len(got)}")
    W, Wt, b, bt, rows, cols, x = args
    expected = glove_loss_and_grads(W, Wt, b, bt, rows, cols, x, x_max, alpha)
    arrays = [expect_shape(g, np.shape(e), f"{what}: {name}")
              for g, e, name in zip(got, expected, NAMES)]
    hint = diagnose_grads(arrays, expected, args, x_max, alpha)
    if np.isclose(arrays[0], expected[0] / 2) or not np.isclose(arrays[0], expected[0]):
        expect_close(arrays[0], expected[0], what=f"{what}: loss",
                     hint=hint or "J = sum_t f(x_t) (w_i.w~_k + b_i + b~_k - "
                                  "log x_t)^2")
    for g, e, name in zip(arrays[1:], expected[1:], NAMES[1:]):
        expect_close(g, e, what=f"{what}: {name}", rtol=1e-6, atol=1e-9,
                     hint=hint or "dJ/dw_i = sum 2 f e w~_k, dJ/dw~_k = sum 2 f e w_i, "
                                  "dJ/db_i = dJ/db~_k = sum 2 f e")


# -- q1-weight -------------------------------------------------------------------------
@check("q1-weight", "f(x) below, at and above x_max")
def _(k):
    x = np.array([0.5, 1.0, 5.0, 10.0, 50.0])
    got = expect_shape(k.call("glove_weight", x.copy(), 10.0, 0.75), x.shape,
                       "glove_weight([0.5, 1, 5, 10, 50], 10, 0.75)")
    hint = "f(x) = min(1, (x / x_max) ** alpha)"
    if np.allclose(got, (x / 10.0) ** 0.75):
        hint = "cap the weight at 1: counts at or above x_max get weight 1"
    elif np.allclose(got, np.minimum(1, x / 10.0)):
        hint = "raise x / x_max to the power alpha"
    expect_close(got, weighting_function(x, 10.0, 0.75),
                 what="glove_weight(x, 10, 0.75)", hint=hint)


@check("q1-weight", "x_max <= 0 raises ValueError")
def _(k):
    expect_raises(k, "glove_weight", (np.array([1.0]), 0.0, 0.75), ["ValueError"],
                  "glove_weight(x, x_max=0)")


# -- q2-loss-grads ---------------------------------------------------------------------
@check("q2-loss-grads", "loss and gradients of a small batch (with a repeated pair)")
def _(k):
    args = small_problem(seed=1)
    got = k.call("loss_and_grads", *[np.copy(a) for a in args], 10.0, 0.75)
    expect_loss_and_grads(got, args, 10.0, 0.75, "loss_and_grads(small batch)")


@check("q2-loss-grads", "a word in no pair gets a zero gradient")
def _(k):
    args = small_problem(seed=2)
    got = k.call("loss_and_grads", *[np.copy(a) for a in args], 10.0, 0.75)
    expect_type(got, (tuple, list), "loss_and_grads(...)")
    expect(len(got) == 5, "loss_and_grads should return 5 values")
    for g, name in zip(got[1:], NAMES[1:]):
        g = np.asarray(g, dtype=float)
        if g.ndim and g.shape[0] == 5 and np.any(g[4] != 0):
            raise CheckFailed(f"{name}: word 4 is in no pair, its gradient should be 0")


# -- q3-adagrad ------------------------------------------------------------------------
@check("q3-adagrad", "one step on a vector")
def _(k):
    p, g = np.array([1.0, -2.0, 0.5]), np.array([0.1, 3.0, -1.0])
    G = np.array([1.0, 1.0, 4.0])
    got = k.call("adagrad_update", p.copy(), g.copy(), G.copy(), 0.05)
    expect_type(got, (tuple, list), "adagrad_update(...)")
    expect(len(got) == 2, "adagrad_update should return (new_param, new_grad_sq)")
    new_G = G + g ** 2
    expect_close(expect_shape(got[1], (3,), "new_grad_sq"), new_G, what="new_grad_sq",
                 hint="G' = G + g**2")
    hint = "theta' = theta - lr * g / sqrt(G'), with the updated G'"
    if np.allclose(got[0], p - 0.05 * g / np.sqrt(G)):
        hint = "divide by the square root of the *updated* sum G + g**2"
    elif np.allclose(got[0], p - 0.05 * g / new_G):
        hint = "divide by the square root of G', not by G' itself"
    expect_close(expect_shape(got[0], (3,), "new_param"), p - 0.05 * g / np.sqrt(new_G),
                 what="new_param", hint=hint)


@check("q3-adagrad", "learning_rate <= 0 raises ValueError")
def _(k):
    expect_raises(k, "adagrad_update", (np.ones(2), np.ones(2), np.ones(2), 0.0),
                  ["ValueError"], "adagrad_update(..., learning_rate=0)")
