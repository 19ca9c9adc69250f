"""Public checks for the chapter 6 exercises (word2vec with a full softmax).

The learner sees these; the grader runs them too, in its own process (see
wvlib.course.checks). They hold no solution: they check properties of an answer (shapes,
central differences of the learner's own loss, probabilities that sum to 1, error cases) and
compare with values stored when the exercises were written, for the notebook's examples
only. The instructor's hidden tests decide each question on inputs drawn at grading time.
"""
import numpy as np

from wvlib.course.checks import CheckFailed, check, expect, expect_close, expect_raises, \
    expect_shape, expect_type

EPS = 1e-5

# ---- stored values for the notebook's examples (computed when the exercises were written) ----
Q1_LOSS = 8.102848332006905
Q1_GRAD_CENTRE = [2.7531495188615835, -0.06429357321413895, -0.5684037624269932]
Q1_GRAD_OUT_ROW4 = [-1.6778953668015102, -1.2186370437294558, 0.90551691008391]
Q2_COUNTS = [[[1, 2, 2, 3], [0, 3, 3, 1], [2, 2, 1, 2], [3, 2, 2, 1]],
             [[3, 1, 1, 3], [1, 0, 2, 2], [0, 0, 1, 3], [1, 3, 1, 0]]]
Q2_EXPECTED = [[0.20833333333333334, 0.20833333333333334, 0.20833333333333334, 0.375],
               [0.05263157894736842, 0.3157894736842105, 0.42105263157894735,
                0.21052631578947367],
               [0.2222222222222222, 0.2222222222222222, 0.16666666666666666,
                0.3888888888888889],
               [0.3333333333333333, 0.3333333333333333, 0.23809523809523808,
                0.09523809523809523]]
Q3_PROBLEM = {"kind": "logistic",
              "X": np.array([[1.0, -0.5, 2.0], [0.3, 0.8, -1.0], [-1.2, 0.4, 0.5],
                             [0.7, 0.7, 0.7]]),
              "y": np.array([1.0, -1.0, 1.0, -1.0]), "lam": 0.5}
Q3_THETA = np.array([0.2, -0.4, 0.1])
Q3_GRADS = {"correct": [0.9106402703425193, 0.4090474677067652, -1.0252007433148818],
            "sign": [-0.7106402703425193, -0.8090474677067652, 1.1252007433148818],
            "penalty missing": [0.8106402703425193, 0.6090474677067652, -1.0752007433148818]}
Q4_LOSSES = [2.6330254583232104, 2.3975382503522686, 2.318527774346978]
Q5_DEV_RHO = [[0.251329, 0.422166], [0.193855, 0.545049]]     # [model, band]


def notebook_window():
    rng = np.random.default_rng(0)
    W_in, W_out = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    return [2, np.array([0, 4, 5, 4]), np.array([1, 1, 2, 3]), 3, W_in, W_out]


def unpack(got, n, what, names):
    expect_type(got, (tuple, list), what)
    expect(len(got) == n, f"{what} should return {n} values ({', '.join(names)}), got "
                          f"{len(got)}")
    return list(got)


def directional_check(k, name, args, slot, grad_slot, what, seed):
    """Central differences of the learner's own loss along random directions."""
    rng = np.random.default_rng(seed)
    base = unpack(k.call(name, *args), 3, f"{name}(...)", ["loss", "grad", "grad"])
    grad = expect_shape(base[grad_slot], np.shape(args[slot]), what)
    for trial in range(3):
        d = rng.normal(size=np.shape(args[slot]))
        values = []
        for sign in (1, -1):
            moved = list(args)
            moved[slot] = args[slot] + sign * EPS * d
            values.append(float(np.asarray(k.call(name, *moved)[0], dtype=float)))
        numeric = (values[0] - values[1]) / (2 * EPS)
        analytic = float(np.sum(grad * d))
        rel = abs(numeric - analytic) / max(1e-8, abs(numeric) + abs(analytic))
        if rel > 1e-6:
            sign = (" — the opposite sign: the gradient of -log y_hat is predicted minus "
                    "observed" if np.isclose(numeric, -analytic, rtol=1e-4) else "")
            raise CheckFailed(f"gradient check of {what} failed (direction {trial}): your "
                              f"loss changes at rate {numeric:.6g} (central differences), your "
                              f"gradient predicts {analytic:.6g}{sign}")


# -- q1-window-grads ---------------------------------------------------------------------------
@check("q1-window-grads", "the notebook's window: loss and gradients (stored values)")
def _(k):
    args = notebook_window()
    what = "window_loss_and_grads(2, [0, 4, 5, 4], [1, 1, 2, 3], 3, ...)"
    loss, g_in, g_out = unpack(k.call("window_loss_and_grads", *args), 3, what,
                               ["loss", "grad_W_in", "grad_W_out"])
    g_in = expect_shape(g_in, (6, 3), f"grad_W_in of {what}")
    g_out = expect_shape(g_out, (6, 3), f"grad_W_out of {what}")
    if np.any(np.delete(g_in, 2, axis=0) != 0):
        raise CheckFailed("grad_W_in: only row 2 (the centre word) enters the loss; the other "
                          "rows should be 0")
    hint = ("each context word counts with the probability that the drawn window reaches its "
            "distance")
    expect_close(loss, Q1_LOSS, what=f"the loss of {what}", hint=hint)
    expect_close(g_in[2], Q1_GRAD_CENTRE, what=f"row 2 of grad_W_in of {what}")
    expect_close(g_out[4], Q1_GRAD_OUT_ROW4, what=f"row 4 of grad_W_out of {what} (word 4 "
                                                  f"occurs twice)")


@check("q1-window-grads", "the gradients agree with central differences of your loss")
def _(k):
    args = notebook_window()
    directional_check(k, "window_loss_and_grads", args, 4, 1, "grad_W_in", seed=1)
    directional_check(k, "window_loss_and_grads", args, 5, 2, "grad_W_out", seed=2)


@check("q1-window-grads", "scores in the thousands do not overflow")
def _(k):
    args = notebook_window()
    args[4] = 1000 * args[4]
    loss = unpack(k.call("window_loss_and_grads", *args), 3, "window_loss_and_grads",
                  ["loss", "grad_W_in", "grad_W_out"])[0]
    expect(np.isfinite(float(np.asarray(loss, dtype=float))),
           "the loss is not finite for scores in the thousands: subtract the largest score "
           "before exponentiating (the softmax does not change)")


@check("q1-window-grads", "a distance outside 1..L raises ValueError")
def _(k):
    args = notebook_window()
    args[2] = np.array([1, 0, 2, 3])
    expect_raises(k, "window_loss_and_grads", tuple(args), ["ValueError"],
                  "window_loss_and_grads with a distance 0")


# -- q2-softmax-optimum ------------------------------------------------------------------------
@check("q2-softmax-optimum", "the notebook's example (stored values)")
def _(k):
    counts = np.array(Q2_COUNTS, dtype=float)
    got = expect_shape(k.call("optimal_predictions", counts), (4, 4),
                       "optimal_predictions(counts_example)")
    expect(np.all(got >= 0) and np.allclose(got.sum(axis=1), 1),
           "every row should be a probability distribution over the context words (>= 0, "
           "sum 1)")
    expect_close(got, Q2_EXPECTED, what="optimal_predictions(counts_example)",
                 hint="which loss does the corpus add up for centre word w, and which "
                      "distribution minimises it?")


@check("q2-softmax-optimum", "a context never seen with a centre word gets probability 0")
def _(k):
    counts = np.zeros((3, 3, 3))
    counts[0] = [[0, 2, 1], [1, 0, 0], [0, 1, 0]]
    counts[2] = [[0, 0, 4], [0, 0, 0], [0, 0, 1]]
    got = expect_shape(k.call("optimal_predictions", counts), (3, 3), "optimal_predictions")
    never = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 0]], dtype=bool)
    expect(np.all(got[never] == 0), "a word never seen in the window of a centre word should "
                                    "get probability 0 at the optimum")


# -- q3-gradient-check -------------------------------------------------------------------------
def expect_verdict(got, should_pass, what):
    expect(isinstance(got, (tuple, list)) and len(got) == 2,
           f"gradient_check should return a pair (ok, worst), got {str(got)[:80]}")
    expect(isinstance(got[0], (bool, np.bool_)), f"ok should be True or False, got "
                                                 f"{str(got[0])[:40]}")
    if should_pass:
        expect(bool(got[0]), f"your checker rejected {what}")
    else:
        expect(not bool(got[0]), f"your checker accepted {what}")


@check("q3-gradient-check", "the correct gradient of a small logistic loss is accepted")
def _(k):
    got = k.call("judge_gradient_check", Q3_PROBLEM, Q3_THETA, np.array(Q3_GRADS["correct"]))
    expect_verdict(got, True, "the correct gradient of the logistic test loss")


@check("q3-gradient-check", "a gradient with the wrong sign, and one missing the penalty "
                            "term, are rejected")
def _(k):
    for name in ("sign", "penalty missing"):
        got = k.call("judge_gradient_check", Q3_PROBLEM, Q3_THETA, np.array(Q3_GRADS[name]))
        expect_verdict(got, False, f"a wrong gradient ({name})")
    worst = np.atleast_1d(np.asarray(got[1], dtype=int))
    expect(worst.tolist() == [1], f"without the penalty term the gradient is most wrong in "
                                  f"entry (1,); your checker pointed at {tuple(worst)}")


# -- q4-sgd ------------------------------------------------------------------------------------
def toy_setup():
    from wvlib.corpus import Vocabulary, load_corpus
    corpus = load_corpus("toy")
    vocab = Vocabulary.build(corpus)
    triples = []
    for ids in vocab.encode_documents(corpus):
        for i, center in enumerate(ids):
            for j in range(max(0, i - 2), min(len(ids), i + 3)):
                if j != i:
                    triples.append((int(center), int(ids[j]), abs(i - j)))
    rng = np.random.default_rng(0)
    W_in = rng.uniform(-0.5, 0.5, size=(len(vocab), 8)) / 8
    W_out = rng.normal(scale=0.1, size=(len(vocab), 8))
    return np.array(triples), W_in, W_out


@check("q4-sgd", "three epochs on the toy corpus lower the loss as stored")
def _(k):
    triples, W_in, W_out = toy_setup()
    what = "sgd_epochs(toy_triples, W_in0, W_out0, lr=0.5, epochs=3, L=2)"
    got = unpack(k.call("sgd_epochs", triples, W_in, W_out, 0.5, 3, 2), 3, what,
                 ["W_in", "W_out", "losses"])
    losses = expect_shape(got[2], (3,), f"the losses returned by {what} (one per epoch)")
    expect(np.all(np.diff(losses) < 0), f"the mean loss per epoch should go down, got "
                                        f"{np.round(losses, 4).tolist()}. Hint: step against "
                                        f"the gradient (parameters -= lr * gradient)")
    expect_shape(got[0], W_in.shape, f"W_in returned by {what}")
    expect_shape(got[1], W_out.shape, f"W_out returned by {what}")
    expect_close(losses, Q4_LOSSES, what=f"the mean losses of {what}", rtol=1e-7,
                 hint="one step per triple in the given order, each loss taken just before "
                      "its step")


# -- q5-choose-by-band -------------------------------------------------------------------------
def notebook_bands():
    simulation = np.random.default_rng(6)
    dev_rarest = np.round(np.exp(simulation.uniform(np.log(5), np.log(5000), size=300)))
    dev_gold = simulation.uniform(0, 10, size=300)
    standard = (dev_gold - dev_gold.mean()) / dev_gold.std()
    rare = dev_rarest < 50
    quality = {0: np.where(rare, 0.30, 0.45), 1: np.where(rare, 0.22, 0.50)}
    shared_noise = simulation.normal(size=300)
    dev_scores = np.array([quality[m] * standard + np.sqrt(1 - quality[m] ** 2)
                           * (0.6 * shared_noise + 0.8 * simulation.normal(size=300))
                           for m in (0, 1)])
    return dev_gold, dev_scores, dev_rarest


@check("q5-choose-by-band", "on the notebook's experiment each band gets a model that is "
                            "among the best on its dev pairs")
def _(k):
    gold, scores, rarest = notebook_bands()
    got = k.call("choose_by_band", gold, scores, rarest, 50)
    expect(isinstance(got, (tuple, list)) and len(got) == 2
           and all(isinstance(m, (int, np.integer)) and int(m) in (0, 1) for m in got),
           f"choose_by_band should return a pair of model indices (0 or 1), got "
           f"{str(got)[:80]}")
    for band, name in ((0, "rare"), (1, "frequent")):
        best = max(row[band] for row in Q5_DEV_RHO)
        mine = Q5_DEV_RHO[int(got[band])][band]
        expect(mine >= best - 0.02, f"for the {name} pairs you chose model {int(got[band])}, "
                                    f"whose dev rho on them is {mine:.3f}; the other model "
                                    f"reaches {best:.3f}")
