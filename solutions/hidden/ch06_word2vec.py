"""Hidden tests for the chapter 6 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs (drawn here with fixed seeds, never shown to the
learner) go into the student's kernel, values come back as plain data, and the expected values
are computed here with the NumPy reference of ``wvlib.word2vec``. Gradient checks use central
differences of the student's *own* loss along random directions.
"""
import numpy as np

from wvlib.course.checks import check, expect, expect_close, expect_raises, expect_shape
from wvlib.course.public.ch06_word2vec import expect_sgd, expect_skipgram, expect_softmax, \
    gradient_check, toy_setup, unpack

RNG_SEED = 20261206


# -- q1-softmax --------------------------------------------------------------------------------
@check("q1-softmax", "random inputs of several sizes agree with the reference (1e-6)", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED)
    for trial, (V, d) in enumerate([(2, 1), (9, 4), (40, 7), (300, 12)]):
        W_out, v_c = rng.normal(size=(V, d)), rng.normal(size=d)
        o = int(rng.integers(V))
        expect_softmax(k.call("softmax_loss_and_grads", v_c, o, W_out), v_c, o, W_out,
                       f"softmax_loss_and_grads on a random {V} x {d} example (trial {trial})")


@check("q1-softmax", "gradient checks on unseen inputs", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 1)
    for V, d in [(6, 3), (25, 5)]:
        W_out, v_c = rng.normal(size=(V, d)), rng.normal(size=d)
        o = int(rng.integers(V))
        gradient_check(k, "softmax_loss_and_grads", [v_c, o, W_out], 0, 1,
                       f"grad_v_c ({V} words, d = {d})", rng=rng)
        gradient_check(k, "softmax_loss_and_grads", [v_c, o, W_out], 2, 2,
                       f"grad_W_out ({V} words, d = {d})", rng=rng)


@check("q1-softmax", "very large and very negative scores stay finite and exact")
def _(k):
    rng = np.random.default_rng(RNG_SEED + 2)
    W_out, v_c = rng.normal(size=(8, 3)), rng.normal(size=3)
    for scale in (5000.0, -5000.0):
        expect_softmax(k.call("softmax_loss_and_grads", scale * v_c, 3, W_out), scale * v_c,
                       3, W_out, f"softmax_loss_and_grads with v_c scaled by {scale:g}")


@check("q1-softmax", "a negative index raises ValueError")
def _(k):
    expect_raises(k, "softmax_loss_and_grads", (np.ones(2), -1, np.ones((3, 2))),
                  ["ValueError"], "softmax_loss_and_grads(v_c, -1, W_out)")


# -- q2-skipgram -------------------------------------------------------------------------------
@check("q2-skipgram", "random windows agree with the reference (1e-6)", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 3)
    for trial, (V, d, n) in enumerate([(5, 2, 1), (12, 4, 6), (50, 8, 10)]):
        W_in, W_out = rng.normal(size=(V, d)), rng.normal(size=(V, d))
        center = int(rng.integers(V))
        contexts = rng.integers(V, size=n)
        expect_skipgram(k.call("skipgram_loss_and_grads", center, contexts, W_in, W_out),
                        center, contexts, W_in, W_out,
                        f"skipgram_loss_and_grads on a random window (trial {trial})")


@check("q2-skipgram", "gradient check of the window loss")
def _(k):
    rng = np.random.default_rng(RNG_SEED + 4)
    W_in, W_out = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    args = [4, np.array([1, 6, 1, 0]), W_in, W_out]
    gradient_check(k, "skipgram_loss_and_grads", args, 2, 1, "grad_W_in", rng=rng)
    gradient_check(k, "skipgram_loss_and_grads", args, 3, 2, "grad_W_out", rng=rng)


# -- q3-sgd ------------------------------------------------------------------------------------
@check("q3-sgd", "another seed, learning rate and number of epochs", weight=2)
def _(k):
    pairs, W_in, W_out = toy_setup(seed=RNG_SEED % 1000, dim=5)
    what = "sgd_epochs(toy pairs, another init, lr=0.3, epochs=4)"
    got = unpack(k.call("sgd_epochs", pairs, W_in, W_out, 0.3, 4), 3, what,
                 ["W_in", "W_out", "losses"])
    losses = expect_shape(got[2], (4,), f"the losses of {what}")
    expect(losses[-1] < losses[0], f"{what}: the mean loss should go down, got "
                                   f"{np.round(losses, 4).tolist()}")
    expect_sgd(got, pairs, W_in, W_out, 0.3, 4, what)


@check("q3-sgd", "the order of the pairs matters: a shuffled list and a tiny vocabulary")
def _(k):
    rng = np.random.default_rng(RNG_SEED + 5)
    pairs = rng.integers(4, size=(30, 2))
    W_in, W_out = rng.normal(scale=0.3, size=(4, 3)), rng.normal(scale=0.3, size=(4, 3))
    expect_sgd(k.call("sgd_epochs", pairs, W_in, W_out, 0.2, 2), pairs, W_in, W_out, 0.2, 2,
               "sgd_epochs on 30 random pairs of a 4-word vocabulary")
