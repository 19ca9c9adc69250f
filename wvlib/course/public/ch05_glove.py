"""Public checks for the chapter 5 exercises (GloVe).

The learner sees these; the grader runs them too, in its own process (see
wvlib.course.checks). They hold no solution: they check properties of an answer (shapes,
central differences of the learner's own loss, identities the answer must satisfy, error
cases) and compare with values stored when the exercises were written, for the public inputs
only. The instructor's hidden tests decide each question on inputs drawn at grading time.
"""
import numpy as np

from wvlib.course.checks import CheckFailed, check, expect, expect_close, expect_raises, \
    expect_shape, expect_type

# the example of question 1 in the notebook, and a word (4) in no pair
E_PUBLIC = np.array([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2], [0.2, 0.2], [0.7, -0.1]])
B_PUBLIC = np.array([0.1, -0.3, 0.2, 0.0, 0.5])
ROWS_PUBLIC = np.array([0, 1, 1, 2, 1, 3])
COLS_PUBLIC = np.array([1, 1, 3, 0, 1, 2])
X_PUBLIC = np.array([2.0, 30.0, 5.0, 0.5, 30.0, 8.0])

# dev rho of each setting of the simulated grid search in the notebook (question 5), stored
# when the exercise was written
Q5_DEV_RHO = [0.351484, 0.292722, 0.501855, 0.408251, 0.386156, 0.41484, 0.54953, 0.492443,
              0.386284, 0.508081, 0.530621, 0.513863, 0.246519, 0.406729, 0.372139, 0.518002,
              0.26689, 0.305502, 0.302259, 0.327753]


def own_gradient_check(k, name, args, params, grad_slots, names, h=1e-5):
    """Central differences of the learner's own loss (item 0 of the answer) against the
    gradients it returns (items ``grad_slots``), for each parameter in ``params`` (indices
    into ``args``)."""
    got = k.call(name, *args)
    expect_type(got, (tuple, list), f"{name}(...)")
    for slot, grad_slot, label in zip(params, grad_slots, names):
        analytic = expect_shape(got[grad_slot], np.shape(args[slot]), label)
        numeric = np.zeros(np.shape(args[slot]))
        for idx in np.ndindex(numeric.shape):
            values = []
            for sign in (1, -1):
                moved = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a
                         for a in args]
                moved[slot][idx] += sign * h
                values.append(float(np.asarray(k.call(name, *moved)[0], dtype=float)))
            numeric[idx] = (values[0] - values[1]) / (2 * h)
        expect_close(analytic, numeric, what=f"{label} against central differences of your "
                                             f"own loss", rtol=1e-4, atol=1e-6,
                     hint="derive the gradient again: where does this row enter J?")


# -- q1-shared-grads ---------------------------------------------------------------------------
@check("q1-shared-grads", "the gradients agree with central differences of your loss "
                          "(with a repeated pair and a pair (v, v))")
def _(k):
    args = [E_PUBLIC.copy(), B_PUBLIC.copy(), ROWS_PUBLIC, COLS_PUBLIC, X_PUBLIC, 10.0, 0.75]
    own_gradient_check(k, "shared_loss_and_grads", args, [0, 1], [1, 2],
                       ["grad_E", "grad_b"])


@check("q1-shared-grads", "a word in no pair gets a zero gradient; the loss is a float")
def _(k):
    got = k.call("shared_loss_and_grads", E_PUBLIC.copy(), B_PUBLIC.copy(), ROWS_PUBLIC,
                 COLS_PUBLIC, X_PUBLIC, 10.0, 0.75)
    expect_type(got, (tuple, list), "shared_loss_and_grads(...)")
    expect(len(got) == 3, f"shared_loss_and_grads should return (loss, grad_E, grad_b), got "
                          f"{len(got)} values")
    expect_shape(got[0], (), "the loss")
    grad_E = expect_shape(got[1], E_PUBLIC.shape, "grad_E")
    grad_b = expect_shape(got[2], B_PUBLIC.shape, "grad_b")
    if np.any(grad_E[4] != 0) or grad_b[4] != 0:
        raise CheckFailed("word 4 is in no pair: its row of grad_E and its entry of grad_b "
                          "should be 0")
    expect(float(got[0]) > 0, "the loss is a weighted sum of squares: it should be positive "
                              "here")


@check("q1-shared-grads", "x_max <= 0 or a count <= 0 raises ValueError")
def _(k):
    expect_raises(k, "shared_loss_and_grads", (E_PUBLIC.copy(), B_PUBLIC.copy(), ROWS_PUBLIC,
                                               COLS_PUBLIC, X_PUBLIC, 0.0), ["ValueError"],
                  "shared_loss_and_grads(..., x_max=0)")
    bad = X_PUBLIC.copy()
    bad[2] = -1.0
    expect_raises(k, "shared_loss_and_grads", (E_PUBLIC.copy(), B_PUBLIC.copy(), ROWS_PUBLIC,
                                               COLS_PUBLIC, bad), ["ValueError"],
                  "shared_loss_and_grads with a negative count")


# -- q2-best-biases ----------------------------------------------------------------------------
@check("q2-best-biases", "one pair is fitted exactly; a word in no pair gets bias 0")
def _(k):
    W = np.array([[1.0, 0.0], [0.5, 2.0], [0.0, 1.0]])
    C = np.array([[0.2, 0.1], [1.0, -1.0], [0.3, 0.3]])
    bt = np.array([0.5, -0.25, 1.0])
    got = expect_shape(k.call("best_word_biases", W, C, bt, np.array([1]), np.array([2]),
                              np.array([7.0]), 10.0, 0.75), (3,),
                       "best_word_biases with the single pair (1, 2), count 7")
    # with one pair, the best b_1 makes the prediction exact: w_1.c_2 + b_1 + bt_2 = log 7
    expect_close(got, [0.0, np.log(7.0) - 0.75 - 1.0, 0.0],
                 what="best_word_biases with the single pair (1, 2), count 7",
                 hint="with one pair the prediction can be exact; words 0 and 2 are in no "
                      "pair")


@check("q2-best-biases", "the answer depends on each word's own pairs only")
def _(k):
    rng = np.random.default_rng(3)
    W, C, bt = rng.normal(size=(5, 2)), rng.normal(size=(5, 2)), rng.normal(size=5)
    rows, cols = np.array([0, 0, 1, 2, 2, 2]), np.array([1, 3, 0, 2, 4, 1])
    x = np.array([3.0, 20.0, 1.5, 0.5, 12.0, 6.0])
    both = expect_shape(k.call("best_word_biases", W, C, bt, rows, cols, x, 10.0, 0.75),
                        (5,), "best_word_biases(...)")
    only0 = expect_shape(k.call("best_word_biases", W, C, bt, rows[:2], cols[:2], x[:2],
                                10.0, 0.75), (5,), "best_word_biases on word 0's pairs")
    expect_close(only0[0], both[0], what="b_0 computed from word 0's pairs alone",
                 hint="J splits into one term per word bias: b_0 only meets the pairs of "
                      "word 0")
    expect(both[3] == 0 and both[4] == 0, "words 3 and 4 are the word of no pair: bias 0")


# -- q3-adagrad --------------------------------------------------------------------------------
@check("q3-adagrad", "one step on a vector (stored values)")
def _(k):
    p, g = np.array([1.0, -2.0, 0.5]), np.array([0.1, 3.0, -1.0])
    G = np.array([1.0, 1.0, 4.0])
    got = k.call("adagrad_update", p.copy(), g.copy(), G.copy(), 0.05)
    expect_type(got, (tuple, list), "adagrad_update(...)")
    expect(len(got) == 2, "adagrad_update should return (new_param, new_grad_sq)")
    expect_close(expect_shape(got[1], (3,), "new_grad_sq"), [1.01, 10.0, 5.0],
                 what="new_grad_sq", hint="G' = G + g**2")
    new_param = expect_shape(got[0], (3,), "new_param")
    hint = "theta' = theta - lr * g / sqrt(G'), with the updated G'"
    if np.allclose(new_param, [0.995, -2.15, 0.525]):
        hint = "divide by the square root of the *updated* sum G + g**2"
    elif np.allclose(new_param, [0.995049504950495, -2.015, 0.51]):
        hint = "divide by the square root of G', not by G' itself"
    expect_close(new_param, [0.99502481404895, -2.047434164902526, 0.5223606797749979],
                 what="new_param", hint=hint)


@check("q3-adagrad", "learning_rate <= 0 raises ValueError")
def _(k):
    expect_raises(k, "adagrad_update", (np.ones(2), np.ones(2), np.ones(2), 0.0),
                  ["ValueError"], "adagrad_update(..., learning_rate=0)")


# -- q4-absorb-biases --------------------------------------------------------------------------
@check("q4-absorb-biases", "W2 C2^T reproduces every prediction of a small model")
def _(k):
    W = np.array([[1.0, 2.0], [0.0, -1.0], [0.5, 0.5]])
    C = np.array([[0.3, 0.0], [-1.0, 1.0], [2.0, 0.1]])
    b, bt = np.array([0.4, -1.2, 2.0]), np.array([1.5, 0.0, -0.7])
    got = k.call("absorb_biases", W, C, b, bt)
    expect_type(got, (tuple, list), "absorb_biases(...)")
    expect(len(got) == 2, f"absorb_biases should return a pair (W2, C2), got {len(got)} "
                          f"values")
    W2 = expect_shape(got[0], (3, 4), "W2")
    C2 = expect_shape(got[1], (3, 4), "C2")
    predictions = W @ C.T + b[:, None] + bt[None, :]
    expect_close(W2 @ C2.T, predictions, what="W2 C2^T", rtol=1e-10, atol=1e-10,
                 hint="one extra coordinate should contribute b_w to every pair (w, c), the "
                      "other b~_c")


def notebook_experiment():
    """The simulated grid search of question 5, as the notebook draws it."""
    settings = [(x_max, epochs) for x_max in (1, 3, 10, 30, 100) for epochs in (5, 10, 25, 50)]
    simulation = np.random.default_rng(5)
    quality = [0.55 - 0.03 * (np.log(x_max / 8)) ** 2 - 0.04 * (np.log(epochs / 25)) ** 2
               for x_max, epochs in settings]
    train_loss = np.array([0.08 * x_max ** -0.3 + 0.5 / epochs for x_max, epochs in settings])
    dev_gold = simulation.uniform(0, 10, size=150)
    standard = (dev_gold - dev_gold.mean()) / dev_gold.std()
    shared_noise = simulation.normal(size=150)
    dev_scores = np.array([q * standard + np.sqrt(1 - q ** 2)
                           * (0.6 * shared_noise + 0.8 * simulation.normal(size=150))
                           for q in quality])
    return {"settings": settings, "train_loss": train_loss, "dev_gold": dev_gold,
            "dev_scores": dev_scores}


# -- q5-choose-setting -------------------------------------------------------------------------
@check("q5-choose-setting", "on the notebook's experiment the chosen setting is among the "
                            "best on the dev pairs")
def _(k):
    ex = notebook_experiment()
    got = k.call("choose_setting", ex["settings"], ex["train_loss"], ex["dev_gold"],
                 ex["dev_scores"])
    expect(isinstance(got, (int, np.integer)) and not isinstance(got, bool)
           and 0 <= int(got) < 20, f"choose_setting should return an index from 0 to 19, "
                                   f"got {str(got)[:60]}")
    best = max(Q5_DEV_RHO)
    expect(Q5_DEV_RHO[int(got)] >= best - 0.02,
           f"the setting you chose has dev rho {Q5_DEV_RHO[int(got)]:.3f}, the best setting "
           f"{best:.3f}: choose by how well the settings' scores follow the human ratings on "
           f"the dev pairs")


@check("q5-choose-setting", "the choice follows the data, not the order of the settings")
def _(k):
    ex = notebook_experiment()
    order = np.random.default_rng(0).permutation(20)
    first = k.call("choose_setting", ex["settings"], ex["train_loss"], ex["dev_gold"],
                   ex["dev_scores"])
    second = k.call("choose_setting", [ex["settings"][i] for i in order],
                    ex["train_loss"][order], ex["dev_gold"], ex["dev_scores"][order])
    expect(isinstance(first, (int, np.integer)) and isinstance(second, (int, np.integer)),
           "choose_setting should return an int")
    expect(int(order[int(second)]) == int(first),
           "choose_setting chose another setting when the same settings came in another "
           "order")
