"""Public checks for the chapter 5 exercises (GloVe).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
They hold inputs, properties (central differences of the learner's own loss, an identity the
answer must satisfy, error cases) and comparisons with values stored when the exercises were
made (``S``, see wvlib.course.stored) — no code that computes an answer. The points of a
question are decided by its hidden tests, on inputs drawn at grading time.
"""
import numpy as np

from wvlib.course.checks import call_unmodified, check, expect, expect_close, expect_raises, \
    expect_shape, expect_type
from wvlib.course.stored import stored

S = stored("ch05_glove")
H = 1e-5                      # the step of the central differences

# -- inputs (the stored values are computed on these) ------------------------------------------
# question 1: a repeated pair (1, 1), a pair (v, v), a word (4) in no pair
E_PUBLIC = np.array([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2], [0.2, 0.2], [0.7, -0.1]])
B_PUBLIC = np.array([0.1, -0.3, 0.2, 0.0, 0.5])
ROWS_PUBLIC = np.array([0, 1, 1, 2, 1, 3])
COLS_PUBLIC = np.array([1, 1, 3, 0, 1, 2])
X_PUBLIC = np.array([2.0, 30.0, 5.0, 0.5, 30.0, 8.0])
# question 2: two tables, word 3 in no pair
W_PUBLIC = np.array([[0.5, -0.2], [1.0, 0.3], [-0.4, 0.8], [0.2, 0.2]])
C_PUBLIC = np.array([[0.1, 0.6], [-0.7, 0.2], [0.3, -0.3], [0.9, 0.1]])
BT_PUBLIC = np.array([0.2, -0.5, 0.1, 0.4])
ROWS2 = np.array([0, 0, 1, 2, 2, 2])
COLS2 = np.array([1, 3, 0, 2, 1, 0])
X2 = np.array([3.0, 20.0, 1.5, 0.5, 12.0, 6.0])
# question 3
PARAM, GRAD, GRAD_SQ = np.array([1.0, -2.0, 0.5]), np.array([0.1, 3.0, -1.0]), \
    np.array([1.0, 1.0, 4.0])
# question 4
W4 = np.array([[1.0, 2.0], [0.0, -1.0], [0.5, 0.5]])
C4 = np.array([[0.3, 0.0], [-1.0, 1.0], [2.0, 0.1], [0.4, -0.6]])      # 4 contexts
COUNTS4 = np.array([[12.0, 40.0, 15.0, 90.0], [30.0, 11.0, 200.0, 14.0],
                    [18.0, 25.0, 60.0, 10.0]])


# -- q1-shared-grads ---------------------------------------------------------------------------
@check("q1-shared-grads", "loss and gradients of a small batch (with a repeated pair and a pair "
                          "(v, v))")
def _(k):
    got = k.call("shared_loss_and_grads", E_PUBLIC, B_PUBLIC, ROWS_PUBLIC, COLS_PUBLIC, X_PUBLIC,
                 10.0, 0.75)
    expect_type(got, (tuple, list), "shared_loss_and_grads(...)")
    expect(len(got) == 3, f"shared_loss_and_grads should return (loss, grad_E, grad_b), got "
                          f"{len(got)} values")
    expect_close(got[0], S["q1/loss"], what="the loss",
                 hint="J = sum_t f(x_t) (e_w . e_c + b_w + b_c - log x_t)^2, f capped at 1")
    mistakes = {"a row of E is also the context of the pairs where it is the second word: add "
                "the contributions of both roles": S["q1/grad_E-word-role-only"],
                "the derivative of e^2 is 2e: a factor 2 is missing": S["q1/grad_E-half"],
                "copies of a pair must all add up: G[idx] += block keeps only one of them; use "
                "np.add.at": S["q1/grad_E-fancy-index"]}
    expect_close(expect_shape(got[1], (5, 2), "grad_E"), S["q1/grad_E"], what="grad_E",
                 mistakes=mistakes, hint="where does a row e_v enter J? As the word of some "
                                         "pairs, as the context of others")
    expect_close(expect_shape(got[2], (5,), "grad_b"), S["q1/grad_b"], what="grad_b",
                 mistakes={"b_v enters a pair (v, v) twice": S["q1/grad_b-word-role-only"]})


@check("q1-shared-grads", "the gradients agree with central differences of your own loss")
def _(k):
    got = k.call("shared_loss_and_grads", E_PUBLIC, B_PUBLIC, ROWS_PUBLIC, COLS_PUBLIC, X_PUBLIC,
                 10.0, 0.75)
    expect_type(got, (tuple, list), "shared_loss_and_grads(...)")
    for direction_E, direction_b in ((S["q1/direction-E"], 0 * B_PUBLIC),
                                     (0 * E_PUBLIC, S["q1/direction-b"])):
        plus = k.call("shared_loss_and_grads", E_PUBLIC + H * direction_E,
                      B_PUBLIC + H * direction_b, ROWS_PUBLIC, COLS_PUBLIC, X_PUBLIC)[0]
        minus = k.call("shared_loss_and_grads", E_PUBLIC - H * direction_E,
                       B_PUBLIC - H * direction_b, ROWS_PUBLIC, COLS_PUBLIC, X_PUBLIC)[0]
        predicted = (expect_shape(got[1], (5, 2), "grad_E") * direction_E).sum() \
            + (expect_shape(got[2], (5,), "grad_b") * direction_b).sum()
        expect_close(predicted, (float(plus) - float(minus)) / (2 * H), rtol=1e-5, atol=1e-7,
                     what="the change of your loss along a direction that your gradients "
                          "predict (central differences give the expected value)",
                     hint="derive the gradient again: where does each parameter enter J?")


@check("q1-shared-grads", "a word in no pair gets a zero gradient")
def _(k):
    got = k.call("shared_loss_and_grads", E_PUBLIC, B_PUBLIC, ROWS_PUBLIC, COLS_PUBLIC, X_PUBLIC)
    expect_type(got, (tuple, list), "shared_loss_and_grads(...)")
    expect_close(expect_shape(got[1], (5, 2), "grad_E")[4], [0.0, 0.0], atol=0,
                 what="row 4 of grad_E (word 4 is in no pair)")
    expect_close(expect_shape(got[2], (5,), "grad_b")[4], 0.0, atol=0,
                 what="entry 4 of grad_b (word 4 is in no pair)")


@check("q1-shared-grads", "x_max <= 0 or a count <= 0 raises ValueError")
def _(k):
    expect_raises(k, "shared_loss_and_grads", (E_PUBLIC, B_PUBLIC, ROWS_PUBLIC, COLS_PUBLIC,
                                               X_PUBLIC, 0.0), ["ValueError"],
                  "shared_loss_and_grads(..., x_max=0)")
    expect_raises(k, "shared_loss_and_grads", (E_PUBLIC, B_PUBLIC, ROWS_PUBLIC, COLS_PUBLIC,
                                               X_PUBLIC * np.array([1, 1, -1, 1, 1, 1])),
                  ["ValueError"], "shared_loss_and_grads with a negative count")


# -- q2-best-biases ----------------------------------------------------------------------------
@check("q2-best-biases", "a small problem (stored values)")
def _(k):
    got = k.call("best_word_biases", W_PUBLIC, C_PUBLIC, BT_PUBLIC, ROWS2, COLS2, X2, 10.0, 0.75)
    expect_close(expect_shape(got, (4,), "best_word_biases(...)"), S["q2/biases"],
                 what="best_word_biases(...)", hint="J is a quadratic function of each b_w: "
                                                    "set its derivative to zero",
                 mistakes={"the pairs do not count alike in J: each is weighted by f(x)":
                           S["q2/biases-unweighted"],
                           "the context bias b~_c is part of every prediction":
                           S["q2/biases-without-bt"],
                           "the model predicts log x, not x": S["q2/biases-of-x"]})


@check("q2-best-biases", "one pair is fitted exactly; a word in no pair gets bias 0")
def _(k):
    got = k.call("best_word_biases", W_PUBLIC, C_PUBLIC, BT_PUBLIC, np.array([1]),
                 np.array([2]), np.array([7.0]), 10.0, 0.75)
    expect_close(expect_shape(got, (4,), "best_word_biases with one pair"),
                 S["q2/one-pair"], what="best_word_biases with the single pair (1, 2), count 7",
                 hint="with one pair the prediction can be exact; the other words are in no "
                      "pair")


# -- q3-adagrad --------------------------------------------------------------------------------
@check("q3-adagrad", "one step on a vector (stored values); the inputs are left unchanged")
def _(k):
    got = call_unmodified(k, "adagrad_update", PARAM, GRAD, GRAD_SQ, 0.05)
    expect_type(got, (tuple, list), "adagrad_update(...)")
    expect(len(got) == 2, "adagrad_update should return (new_param, new_grad_sq)")
    expect_close(expect_shape(got[1], (3,), "new_grad_sq"), S["q3/grad_sq"], what="new_grad_sq",
                 hint="G' = G + g**2")
    expect_close(expect_shape(got[0], (3,), "new_param"), S["q3/param"], what="new_param",
                 hint="theta' = theta - lr * g / sqrt(G'), with the updated G'",
                 mistakes={"divide by the square root of the *updated* sum G + g**2":
                           S["q3/param-old-G"],
                           "divide by the square root of G', not by G' itself":
                           S["q3/param-no-root"]})


@check("q3-adagrad", "learning_rate <= 0 raises ValueError")
def _(k):
    expect_raises(k, "adagrad_update", (PARAM, GRAD, GRAD_SQ, 0.0), ["ValueError"],
                  "adagrad_update(..., learning_rate=0)")


# -- q4-bias-sums ------------------------------------------------------------------------------
@check("q4-bias-sums", "a block of 3 words and 4 contexts (stored values)")
def _(k):
    what = "best_bias_sums(W, C, counts) on a 3 x 4 block"
    got = expect_shape(call_unmodified(k, "best_bias_sums", W4, C4, COUNTS4, what=what),
                       (3, 4), what)
    expect_close(got, S["q4/sums"], what=what, rtol=1e-9, atol=1e-12,
                 hint="set dJ/db_w and dJ/db~_c to zero, and average",
                 mistakes={"the context biases are free too: b~_c is not 0":
                           S["q4/sums-row-means"],
                           "row and column means both hold the overall mean: subtract it once":
                           S["q4/sums-no-grand-mean"],
                           "the biases fit what the vectors leave: log #(w, c) - w.c":
                           S["q4/sums-without-vectors"]})


@check("q4-bias-sums", "doubling every count adds log 2 to every sum (stored values)")
def _(k):
    got = k.call("best_bias_sums", W4, C4, COUNTS4 * 2.0)
    expect_close(expect_shape(got, (3, 4), "best_bias_sums(W, C, 2 * counts)"),
                 S["q4/sums-doubled"], what="best_bias_sums(W, C, 2 * counts)", rtol=1e-9,
                 atol=1e-12)


@check("q4-bias-sums", "a count of 0 raises ValueError")
def _(k):
    zero = np.array([[3.0, 0.0], [2.0, 5.0]])
    expect_raises(k, "best_bias_sums", (np.ones((2, 1)), np.ones((2, 1)), zero),
                  ["ValueError"], "best_bias_sums with a pair never observed")


# -- q5-choose-setting -------------------------------------------------------------------------
@check("q5-choose-setting", "on the notebook's experiment the chosen setting is among the best "
                            "on the dev pairs")
def _(k):
    got = k.call("choose_setting", S["q5/settings"], S["q5/train_loss"], S["q5/dev_gold"],
                 S["q5/dev_scores"])
    expect(isinstance(got, (int, np.integer)) and not isinstance(got, bool)
           and 0 <= int(got) < 20, f"choose_setting should return an index from 0 to 19, "
                                   f"got {str(got)[:60]}")
    rho = S["q5/dev-rho"]
    expect(rho[int(got)] >= max(rho) - 0.02,
           f"the setting you chose has dev rho {rho[int(got)]:.3f}, the best setting "
           f"{max(rho):.3f}: choose by how well the settings' scores follow the human ratings "
           f"on the dev pairs")


@check("q5-choose-setting", "the choice follows the data, not the order of the settings")
def _(k):
    order = S["q5/order"]
    first = k.call("choose_setting", S["q5/settings"], S["q5/train_loss"], S["q5/dev_gold"],
                   S["q5/dev_scores"])
    second = k.call("choose_setting", [S["q5/settings"][i] for i in order],
                    S["q5/train_loss"][order], S["q5/dev_gold"], S["q5/dev_scores"][order])
    expect(isinstance(first, (int, np.integer)) and isinstance(second, (int, np.integer)),
           "choose_setting should return an int")
    expect(int(order[int(second)]) == int(first),
           "choose_setting chose another setting when the same settings came in another order")
