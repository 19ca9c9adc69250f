"""Hidden tests for the chapter 5 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs go into the student's kernel, values come back
as plain data, and the expected values are computed here with wvlib.glove (whose
gradients are checked against central differences in tests/test_glove.py). The gradient
questions are also checked *against the student's own loss* by central differences, on
inputs the student has not seen, so that a loss and gradients that agree with each other
but not with the reference are told apart from a gradient that is wrong for its loss.
"""
import numpy as np

from wvlib.course.checks import CheckFailed, check, expect, expect_close, expect_raises
from wvlib.course.public.ch05_glove import expect_loss_and_grads, small_problem
from wvlib.glove import weighting_function

RNG_SEED = 20261129


# -- q1-weight -------------------------------------------------------------------------
@check("q1-weight", "random counts, several x_max and alpha", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED)
    for x_max, alpha in [(100.0, 0.75), (3.0, 0.5), (1.0, 1.0), (7.5, 0.9)]:
        x = rng.gamma(1.0, 2 * x_max, size=30) + 0.01
        expect_close(k.call("glove_weight", x.copy(), x_max, alpha),
                     weighting_function(x, x_max, alpha),
                     what=f"glove_weight(random x, x_max={x_max}, alpha={alpha})")


@check("q1-weight", "a negative x_max raises ValueError")
def _(k):
    expect_raises(k, "glove_weight", (np.array([1.0, 2.0]), -5.0, 0.75), ["ValueError"],
                  "glove_weight(x, x_max=-5)")


# -- q2-loss-grads ---------------------------------------------------------------------
@check("q2-loss-grads", "random batches of several sizes, x_max and alpha", weight=3)
def _(k):
    for trial, (V, d, n, x_max, alpha) in enumerate([(7, 4, 20, 10.0, 0.75),
                                                      (12, 6, 60, 3.0, 0.5),
                                                      (30, 10, 200, 100.0, 1.0)]):
        args = small_problem(seed=RNG_SEED + trial, V=V, d=d, n=n)
        got = k.call("loss_and_grads", *[np.copy(a) for a in args], x_max, alpha)
        expect_loss_and_grads(got, args, x_max, alpha,
                              f"loss_and_grads on a random batch (trial {trial}, V={V}, "
                              f"d={d}, n={n})")


@check("q2-loss-grads", "every pair repeated several times", weight=1)
def _(k):
    W, Wt, b, bt, rows, cols, x = small_problem(seed=RNG_SEED + 10, V=6, d=3, n=5,
                                                repeat=False)
    args = (W, Wt, b, bt, np.tile(rows, 3), np.tile(cols, 3), np.tile(x, 3))
    got = k.call("loss_and_grads", *[np.copy(a) for a in args], 10.0, 0.75)
    expect_loss_and_grads(got, args, 10.0, 0.75, "loss_and_grads with every pair three times")


@check("q2-loss-grads", "gradients agree with central differences of the student's loss",
       weight=2)
def _(k):
    W, Wt, b, bt, rows, cols, x = small_problem(seed=RNG_SEED + 20, V=4, d=2, n=6)
    params = [W, Wt, b, bt]
    got = k.call("loss_and_grads", *[np.copy(a) for a in params], rows, cols, x, 10.0, 0.75)
    expect(isinstance(got, (tuple, list)) and len(got) == 5,
           "loss_and_grads should return (loss, grad_W, grad_Wt, grad_b, grad_bt)")
    h = 1e-5
    names = ("grad_W", "grad_Wt", "grad_b", "grad_bt")
    for p, name in enumerate(names):
        analytic = np.asarray(got[p + 1], dtype=float)
        if analytic.shape != params[p].shape:
            raise CheckFailed(f"{name} should have shape {params[p].shape}, got "
                              f"{analytic.shape}")
        numeric = np.zeros_like(params[p])
        for idx in np.ndindex(params[p].shape):
            plus = [q.copy() for q in params]
            minus = [q.copy() for q in params]
            plus[p][idx] += h
            minus[p][idx] -= h
            lp = k.call("loss_and_grads", *plus, rows, cols, x, 10.0, 0.75)[0]
            lm = k.call("loss_and_grads", *minus, rows, cols, x, 10.0, 0.75)[0]
            numeric[idx] = (float(lp) - float(lm)) / (2 * h)
        expect_close(analytic, numeric, what=f"{name} against central differences of your "
                                             f"loss", rtol=1e-4, atol=1e-6)


# -- q3-adagrad ------------------------------------------------------------------------
@check("q3-adagrad", "random matrices and several learning rates", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 30)
    for lr in (0.05, 0.5, 1.0):
        p, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)) * 3
        G = rng.random((4, 3)) * 5 + 1
        got = k.call("adagrad_update", p.copy(), g.copy(), G.copy(), lr)
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               "adagrad_update should return (new_param, new_grad_sq)")
        new_G = G + g ** 2
        expect_close(got[1], new_G, what=f"new_grad_sq (learning_rate={lr})")
        expect_close(got[0], p - lr * g / np.sqrt(new_G), what=f"new_param (learning_rate={lr})")


@check("q3-adagrad", "repeated steps shrink for a constant gradient")
def _(k):
    p, g, G = np.array([0.0]), np.array([2.0]), np.array([1.0])
    moves = []
    for _ in range(4):
        new_p, G = k.call("adagrad_update", p.copy(), g.copy(), np.asarray(G, dtype=float), 0.1)
        new_p = np.asarray(new_p, dtype=float)
        moves.append(float(p[0] - new_p[0]))
        p = new_p
    expected = [0.1 * 2 / np.sqrt(1 + 4 * (t + 1)) for t in range(4)]
    expect_close(np.array(moves), np.array(expected), what="the sizes of four steps with g = 2")


@check("q3-adagrad", "a negative learning rate raises ValueError")
def _(k):
    expect_raises(k, "adagrad_update", (np.ones(2), np.ones(2), np.ones(2), -0.1),
                  ["ValueError"], "adagrad_update(..., learning_rate=-0.1)")
