"""Public checks for the chapter 6 exercises (word2vec with a full softmax).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
They hold inputs, properties (central differences of the learner's own loss, probabilities
that sum to 1, error cases) and comparisons with values stored when the exercises were made
(``S``, see wvlib.course.stored; the notebook's examples are stored there too) — no code that
computes an answer. The points of a question are decided by its hidden tests, on inputs drawn
at grading time.
"""
import numpy as np

from wvlib.course.checks import call_unmodified, check, expect, expect_close, expect_finite, \
    expect_raises, expect_shape, expect_type
from wvlib.course.stored import stored

S = stored("ch06_word2vec")
H = 1e-5                      # the step of the central differences

# -- inputs (the stored values are computed on these and on the notebook's examples) -----------
CENTER, CONTEXTS, DISTANCES, L = 2, np.array([0, 4, 5, 4]), np.array([1, 1, 2, 3]), 3
LOGISTIC = {"kind": "logistic",
            "X": np.array([[1.0, -0.5, 2.0], [0.3, 0.8, -1.0], [-1.2, 0.4, 0.5],
                           [0.7, 0.7, 0.7]]),
            "y": np.array([1.0, -1.0, 1.0, -1.0]), "lam": 0.5}
THETA = np.array([0.2, -0.4, 0.1])
UNSEEN = np.array([[0.0, 2.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 4.0]])
FREQ = np.array([900.0, 300.0, 120.0, 40.0, 10.0])


# -- q1-window-grads ---------------------------------------------------------------------------
@check("q1-window-grads", "the notebook's window: loss and gradients (stored values)")
def _(k):
    W_in, W_out = S["q1/W_in"], S["q1/W_out"]
    what = "window_loss_and_grads(2, [0, 4, 5, 4], [1, 1, 2, 3], 3, ...)"
    got = k.call("window_loss_and_grads", CENTER, CONTEXTS, DISTANCES, L, W_in, W_out)
    expect_type(got, (tuple, list), what)
    expect(len(got) == 3, f"{what} should return (loss, grad_W_in, grad_W_out), got {len(got)} "
                          f"values")
    mistakes = {"each context word counts with the probability that the drawn window reaches "
                "its distance, not 1": S["q1/loss-unweighted"],
                "the dynamic window's weights are not 1/l: a word at distance l is used when "
                "the drawn window b is at least l, b uniform on 1..L": S["q1/loss-harmonic"]}
    expect_close(got[0], S["q1/loss"], what=f"the loss of {what}", mistakes=mistakes)
    g_in = expect_shape(got[1], (6, 3), f"grad_W_in of {what}")
    expect_close(g_in[[0, 1, 3, 4, 5]], np.zeros((5, 3)), atol=0,
                 what="the rows of grad_W_in other than the centre word's (row 2)",
                 hint="only the centre word's input vector enters the loss")
    expect_close(g_in[2], S["q1/grad_in_row2"], what=f"row 2 of grad_W_in of {what}",
                 mistakes={"every context word's loss has its own normalizer: the predicted "
                           "term is y_hat times the total weight of the window":
                           S["q1/grad_in_row2-one-normalizer"]},
                 hint="predicted minus observed, with the weights of the window")
    expect_close(expect_shape(got[2], (6, 3), f"grad_W_out of {what}"), S["q1/grad_out"],
                 what=f"grad_W_out of {what} (word 4 occurs twice)")


@check("q1-window-grads", "the gradients agree with central differences of your own loss")
def _(k):
    W_in, W_out = S["q1/W_in"], S["q1/W_out"]
    got = k.call("window_loss_and_grads", CENTER, CONTEXTS, DISTANCES, L, W_in, W_out)
    expect_type(got, (tuple, list), "window_loss_and_grads(...)")
    for d_in, d_out in ((S["q1/direction-in"], 0 * W_out), (0 * W_in, S["q1/direction-out"])):
        plus = k.call("window_loss_and_grads", CENTER, CONTEXTS, DISTANCES, L, W_in + H * d_in,
                      W_out + H * d_out)[0]
        minus = k.call("window_loss_and_grads", CENTER, CONTEXTS, DISTANCES, L,
                       W_in - H * d_in, W_out - H * d_out)[0]
        predicted = (expect_shape(got[1], (6, 3), "grad_W_in") * d_in).sum() \
            + (expect_shape(got[2], (6, 3), "grad_W_out") * d_out).sum()
        expect_close(predicted, (float(plus) - float(minus)) / (2 * H), rtol=1e-5, atol=1e-7,
                     what="the change of your loss along a direction that your gradients "
                          "predict (central differences give the expected value)",
                     hint="the gradient of -log y_hat_c is predicted minus observed")


@check("q1-window-grads", "scores in the thousands do not overflow")
def _(k):
    got = k.call("window_loss_and_grads", CENTER, CONTEXTS, DISTANCES, L, 1000 * S["q1/W_in"],
                 S["q1/W_out"])
    expect_type(got, (tuple, list), "window_loss_and_grads(...)")
    expect_finite(got[0], "the loss for scores in the thousands",
                  hint="subtract the largest score before exponentiating (the softmax does "
                       "not change)")


@check("q1-window-grads", "a distance outside 1..L raises ValueError")
def _(k):
    expect_raises(k, "window_loss_and_grads", (CENTER, CONTEXTS, np.array([1, 0, 2, 3]), L,
                                               S["q1/W_in"], S["q1/W_out"]), ["ValueError"],
                  "window_loss_and_grads with a distance 0")


# -- q2-subsampled-optimum --------------------------------------------------------------------
@check("q2-subsampled-optimum", "the notebook's example, tau = 1e-2 (stored values)")
def _(k):
    got = k.call("subsampled_optimum", S["q2/counts"], FREQ, 1e-2)
    what = "subsampled_optimum(counts_example, freq_example, 1e-2)"
    expect_close(expect_shape(got, (5, 5), what), S["q2/predictions"], what=what,
                 hint="how often, on average, is the pair (w, c) still used after the "
                      "discards, and which distribution minimises the expected loss of w?",
                 mistakes={"that is the optimum without subsampling":
                           S["q2/predictions-plain"],
                           "use the C code's keep probability sqrt(x) + x, not the paper's "
                           "sqrt(x)": S["q2/predictions-paper-rule"],
                           "a discarded context word is not used: weigh by the probability to "
                           "keep it, not to discard it": S["q2/predictions-discard"],
                           "row w is a distribution over the context words c: normalize each "
                           "row": S["q2/predictions-columns"]})


@check("q2-subsampled-optimum", "a context never seen with a centre word gets probability 0; "
                                "a large tau keeps every token")
def _(k):
    got = k.call("subsampled_optimum", UNSEEN, FREQ[:3], 1e-2)
    expect_close(expect_shape(got, (3, 3), "subsampled_optimum"), S["q2/unseen"],
                 what="subsampled_optimum with unseen pairs",
                 hint="a word never seen in the window of w gets probability 0 at the optimum")
    got = k.call("subsampled_optimum", UNSEEN, FREQ[:3], 1.0)
    expect_close(expect_shape(got, (3, 3), "subsampled_optimum"), S["q2/unseen-kept"],
                 what="subsampled_optimum with tau = 1 (no token is discarded)")


@check("q2-subsampled-optimum", "tau = 0 or a count of 0 in freq raises ValueError")
def _(k):
    expect_raises(k, "subsampled_optimum", (UNSEEN, FREQ[:3], 0.0), ["ValueError"],
                  "subsampled_optimum with tau = 0")
    expect_raises(k, "subsampled_optimum", (UNSEEN, np.array([5.0, 0.0, 3.0]), 1e-2),
                  ["ValueError"], "subsampled_optimum with a word of frequency 0")


# -- q3-gradient-check -------------------------------------------------------------------------
@check("q3-gradient-check", "the correct gradient of a small logistic loss is accepted")
def _(k):
    got = k.call("judge_gradient_check", LOGISTIC, THETA, S["q3/correct"])
    expect(isinstance(got, (tuple, list)) and len(got) == 2,
           f"gradient_check should return a pair (ok, worst), got {str(got)[:80]}")
    expect(got[0] is True or got[0] is np.True_,
           f"your checker rejected the correct gradient of the logistic test loss (ok = "
           f"{str(got[0])[:40]})")


@check("q3-gradient-check", "a gradient with the wrong sign, and one missing the penalty term, "
                            "are rejected at a wrong entry")
def _(k):
    for name, worst in (("sign", None), ("penalty-missing", [1])):
        got = k.call("judge_gradient_check", LOGISTIC, THETA, S[f"q3/{name}"])
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               f"gradient_check should return a pair (ok, worst), got {str(got)[:80]}")
        expect(got[0] is False or got[0] is np.False_,
               f"your checker accepted a wrong gradient ({name}; ok = {str(got[0])[:40]})")
        if worst is not None:
            expect(list(np.array(got[1]).reshape(-1)) == worst,
                   f"without the penalty term the gradient is most wrong in entry (1,); your "
                   f"checker pointed at {got[1]}")


# -- q4-sgd ------------------------------------------------------------------------------------
@check("q4-sgd", "three epochs on the toy corpus lower the loss as stored; the inputs are left "
                 "unchanged")
def _(k):
    what = "sgd_epochs(toy_triples, W_in0, W_out0, lr=0.5, epochs=3, L=2)"
    got = call_unmodified(k, "sgd_epochs", S["q4/triples"], S["q4/W_in0"], S["q4/W_out0"], 0.5,
                          3, 2, what=what)
    expect_type(got, (tuple, list), what)
    expect(len(got) == 3, f"{what} should return (W_in, W_out, losses), got {len(got)} values")
    losses = expect_shape(got[2], (3,), f"the losses returned by {what} (one per epoch)")
    expect(losses[1] < losses[0] and losses[2] < losses[1],
           f"the mean loss per epoch should go down, got {losses}. Hint: step against the "
           f"gradient (parameters -= lr * gradient)")
    expect_shape(got[0], S["q4/W_in0"].shape, f"W_in returned by {what}")
    expect_shape(got[1], S["q4/W_out0"].shape, f"W_out returned by {what}")
    expect_close(losses, S["q4/losses"], what=f"the mean losses of {what}", rtol=1e-7,
                 hint="one step per triple in the given order, each loss taken just before its "
                      "step, both gradients before either update")


# -- q5-choose-by-band -------------------------------------------------------------------------
@check("q5-choose-by-band", "on the notebook's experiment each band gets a model that is among "
                            "the best on its dev pairs")
def _(k):
    got = k.call("choose_by_band", S["q5/dev_gold"], S["q5/dev_scores"], S["q5/dev_rarest"], 50)
    expect(isinstance(got, (tuple, list)) and len(got) == 2
           and all(isinstance(m, (int, np.integer)) and int(m) in (0, 1) for m in got),
           f"choose_by_band should return a pair of model indices (0 or 1), got "
           f"{str(got)[:80]}")
    rho = S["q5/dev-rho"]                                       # [model, band]
    for band, name in ((0, "rare"), (1, "frequent")):
        mine, best = rho[int(got[band])][band], max(rho[0][band], rho[1][band])
        expect(mine >= best - 0.02, f"for the {name} pairs you chose model {int(got[band])}, "
                                    f"whose dev rho on them is {mine:.3f}; the other model "
                                    f"reaches {best:.3f}")
