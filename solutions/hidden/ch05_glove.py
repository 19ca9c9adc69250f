"""Hidden tests for the chapter 5 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs drawn here go into the student's kernel, values come
back as plain data, and the expected values are computed here by the reference code below
(the two-table loss by ``wvlib.glove``, whose gradients tests/test_glove.py checks against
central differences). Random inputs come from ``hidden_rng(k, ...)``: drawn afresh for every
submission, the same on a rerun. Gradients are also checked against central differences of the
student's *own* loss. ``public_values()`` gives the values the public checks compare against
(``wvlib course assign`` stores them).
"""
from pathlib import Path

import numpy as np
from scipy import stats

from wvlib.course.checks import CheckFailed, call_unmodified, check, expect, expect_close, \
    expect_raises, expect_shape, expect_type, hidden_rng
from wvlib.course.public import ch05_glove as public
from wvlib.glove import glove_loss_and_grads


def notebook_values(*names):
    """Variables of the official solution notebook, run without its check calls: the public
    checks use the notebook's own examples."""
    import contextlib
    import io

    import nbformat
    nb = nbformat.read(Path(__file__).resolve().parents[1] / "ch05_glove.ipynb", as_version=4)
    namespace = {"__name__": "__main__", "display": lambda *values: None}
    for cell in nb.cells:
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines()
                               if not line.startswith("check("))
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, "<notebook>", "exec"), namespace)
    return [namespace[name] for name in names]


# ---- references (instructor side) ------------------------------------------------------------
def weight(x, x_max, gamma):
    return np.minimum(1.0, (np.asarray(x, dtype=float) / x_max) ** gamma)


def shared_reference(E, b, rows, cols, x, x_max, gamma):
    """Loss and gradients of the one-table model (question 1)."""
    fx = weight(x, x_max, gamma)
    left, right = E[rows], E[cols]
    err = np.sum(left * right, axis=1) + b[rows] + b[cols] - np.log(x)
    slope = 2.0 * fx * err
    gE, gb = np.zeros_like(E), np.zeros_like(b)
    np.add.at(gE, rows, slope[:, None] * right)
    np.add.at(gE, cols, slope[:, None] * left)
    np.add.at(gb, rows, slope)
    np.add.at(gb, cols, slope)
    return float(np.sum(fx * err ** 2)), gE, gb


def shared_mistakes(E, b, rows, cols, x, x_max, gamma):
    """(answer, hint) for the usual wrong answers to question 1."""
    fx = weight(x, x_max, gamma)
    left, right = E[rows], E[cols]
    err = np.sum(left * right, axis=1) + b[rows] + b[cols] - np.log(x)
    slope = 2.0 * fx * err
    out = []
    gE, gb = np.zeros_like(E), np.zeros_like(b)
    np.add.at(gE, rows, slope[:, None] * right)
    np.add.at(gb, rows, slope)
    out.append(((gE, gb), "a row of E is also the *context* of the pairs where it is the "
                          "second word: add the contributions of both roles"))
    gE, gb = shared_reference(E, b, rows, cols, x, x_max, gamma)[1:]
    out.append(((gE / 2, gb / 2), "the derivative of e^2 is 2e: a factor 2 is missing"))
    gE2, gb2 = np.zeros_like(E), np.zeros_like(b)
    gE2[rows] += slope[:, None] * right
    gE2[cols] += slope[:, None] * left
    gb2[rows] += slope
    gb2[cols] += slope
    out.append(((gE2, gb2), "copies of a pair (or a word in several pairs) must all add "
                            "up: G[idx] += block keeps only one of them; use np.add.at"))
    return out


def best_biases_reference(W, C, bt, rows, cols, x, x_max, gamma):
    fx = weight(x, x_max, gamma)
    wanted = np.log(x) - np.sum(W[rows] * C[cols], axis=1) - bt[cols]
    num = np.bincount(rows, weights=fx * wanted, minlength=len(W))
    den = np.bincount(rows, weights=fx, minlength=len(W))
    out = np.zeros(len(W))
    out[den > 0] = num[den > 0] / den[den > 0]
    return out


def best_biases_mistakes(W, C, bt, rows, cols, x, x_max, gamma):
    V = len(W)
    fx = weight(x, x_max, gamma)
    dots = np.sum(W[rows] * C[cols], axis=1)

    def mean(values, weights):
        num = np.bincount(rows, weights=weights * values, minlength=V)
        den = np.bincount(rows, weights=weights, minlength=V)
        out = np.zeros(V)
        out[den > 0] = num[den > 0] / den[den > 0]
        return out

    ones = np.ones_like(fx)
    return [
        (mean(np.log(x) - dots - bt[cols], ones),
         "the pairs do not count alike in J: each is weighted by f(x)"),
        (mean(np.log(x) - dots, fx), "the context bias b~_c is part of every prediction"),
        (mean(np.log(x) - bt[cols], fx), "the dot product w.c is part of every prediction"),
        (mean(x - dots - bt[cols], fx), "the model predicts log x, not x"),
    ]


def hint_from(got_arrays, mistakes):
    for wrong, hint in mistakes:
        wrong = wrong if isinstance(wrong, tuple) else (wrong,)
        if len(wrong) == len(got_arrays) and all(
                np.shape(g) == np.shape(w) and np.allclose(g, w, rtol=1e-6, atol=1e-9)
                for g, w in zip(got_arrays, wrong)):
            return hint
    return ""


def random_batch(rng, V, d, n, *, diagonal=True, unused=True, repeat=True):
    """A random one- or two-table problem: counts on both sides of x_max = 10, a pair
    (v, v), a repeated pair and a word in no pair."""
    used = V - 1 if unused else V
    rows, cols = rng.integers(used, size=n), rng.integers(used, size=n)
    x = rng.gamma(1.0, 8.0, size=n) + 0.2
    x[0] = 25.0
    if diagonal:
        cols[2] = rows[2]
    if repeat:
        rows[1], cols[1], x[1] = rows[0], cols[0], 4.0
    return rows, cols, x


# ---- q1-shared-grads --------------------------------------------------------------------------
def public_values():
    """The values the public checks compare against, on the public module's inputs."""
    E, b = public.E_PUBLIC, public.B_PUBLIC
    args1 = (E, b, public.ROWS_PUBLIC, public.COLS_PUBLIC, public.X_PUBLIC, 10.0, 0.75)
    loss, grad_E, grad_b = shared_reference(*args1)
    (word_E, word_b), _ = shared_mistakes(*args1)[0]
    (half_E, _), _ = shared_mistakes(*args1)[1]
    (fancy_E, _), _ = shared_mistakes(*args1)[2]
    directions = np.random.default_rng(5)
    args2 = (public.W_PUBLIC, public.C_PUBLIC, public.BT_PUBLIC, public.ROWS2, public.COLS2,
             public.X2, 10.0, 0.75)
    mistakes2 = [m for m, _ in best_biases_mistakes(*args2)]
    p, g, G = public.PARAM, public.GRAD, public.GRAD_SQ
    settings, train_loss, dev_gold, dev_scores = notebook_values("settings", "train_loss",
                                                                 "dev_gold", "dev_scores")
    return {
        "q1/loss": loss, "q1/grad_E": grad_E, "q1/grad_b": grad_b,
        "q1/grad_E-word-role-only": word_E, "q1/grad_b-word-role-only": word_b,
        "q1/grad_E-half": half_E, "q1/grad_E-fancy-index": fancy_E,
        "q1/direction-E": directions.normal(size=E.shape),
        "q1/direction-b": directions.normal(size=b.shape),
        "q2/biases": best_biases_reference(*args2),
        "q2/biases-unweighted": mistakes2[0], "q2/biases-without-bt": mistakes2[1],
        "q2/biases-of-x": mistakes2[3],
        "q2/one-pair": best_biases_reference(public.W_PUBLIC, public.C_PUBLIC, public.BT_PUBLIC,
                                             np.array([1]), np.array([2]), np.array([7.0]),
                                             10.0, 0.75),
        "q3/grad_sq": G + g ** 2, "q3/param": p - 0.05 * g / np.sqrt(G + g ** 2),
        "q3/param-old-G": p - 0.05 * g / np.sqrt(G),
        "q3/param-no-root": p - 0.05 * g / (G + g ** 2),
        "q4/sums": bias_sums_reference(public.W4, public.C4, public.COUNTS4),
        **{f"q4/sums-{name}": wrong for name, wrong in
           bias_sums_mistakes(public.W4, public.C4, public.COUNTS4).items()},
        "q4/sums-doubled": bias_sums_reference(public.W4, public.C4, 2 * public.COUNTS4),
        "q5/settings": [list(s) for s in settings], "q5/train_loss": np.asarray(train_loss),
        "q5/dev_gold": dev_gold, "q5/dev_scores": dev_scores,
        "q5/dev-rho": spearman_rows(dev_gold, dev_scores),
        "q5/order": np.random.default_rng(0).permutation(len(settings)),
    }


def expect_shared(got, E, b, rows, cols, x, x_max, gamma, what):
    expect_type(got, (tuple, list), what)
    expect(len(got) == 3, f"{what} should return (loss, grad_E, grad_b), got {len(got)} "
                          f"values")
    loss, gE, gb = got
    loss = expect_shape(loss, (), f"the loss of {what}")
    gE = expect_shape(gE, E.shape, f"grad_E of {what}")
    gb = expect_shape(gb, b.shape, f"grad_b of {what}")
    exp_loss, exp_E, exp_b = shared_reference(E, b, rows, cols, x, x_max, gamma)
    hint = hint_from((gE, gb), shared_mistakes(E, b, rows, cols, x, x_max, gamma))
    expect_close(loss, exp_loss, what=f"the loss of {what}", rtol=1e-7,
                 hint="J = sum_t f(x_t) (e_w . e_c + b_w + b_c - log x_t)^2 with the capped "
                      "f")
    expect_close(gE, exp_E, what=f"grad_E of {what}", rtol=1e-6, atol=1e-9, hint=hint)
    expect_close(gb, exp_b, what=f"grad_b of {what}", rtol=1e-6, atol=1e-9, hint=hint)


@check("q1-shared-grads", "random batches of several sizes, x_max and gamma, with pairs "
                          "(v, v), repeated pairs and unused words", weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q1-shared-grads/1")
    for trial, (V, d, n, x_max, gamma) in enumerate([
            (int(rng.integers(4, 9)), int(rng.integers(1, 4)), int(rng.integers(8, 20)), 10.0,
             0.75),
            (int(rng.integers(10, 20)), int(rng.integers(3, 7)), int(rng.integers(50, 120)),
             float(rng.uniform(1, 5)), float(rng.uniform(0.4, 0.9))),
            (int(rng.integers(30, 60)), int(rng.integers(6, 12)), int(rng.integers(200, 400)),
             100.0, 1.0)]):
        E, b = rng.normal(size=(V, d)) * 0.5, rng.normal(size=V) * 0.3
        rows, cols, x = random_batch(rng, V, d, n)
        expect_shared(k.call("shared_loss_and_grads", E, b, rows, cols, x, x_max, gamma),
                      E, b, rows, cols, x, x_max, gamma,
                      f"shared_loss_and_grads on a random batch (trial {trial})")


@check("q1-shared-grads", "gradients agree with central differences of the student's loss",
       weight=2)
def _(k):
    rng = hidden_rng(k, "q1-shared-grads/2")
    E, b = rng.normal(size=(5, 2)) * 0.5, rng.normal(size=5) * 0.3
    rows, cols, x = random_batch(rng, 5, 2, 9)
    got = k.call("shared_loss_and_grads", E, b, rows, cols, x, 10.0, 0.75)
    expect(isinstance(got, (tuple, list)) and len(got) == 3,
           "shared_loss_and_grads should return (loss, grad_E, grad_b)")
    h = 1e-5
    for slot, (param, name) in enumerate([(E, "grad_E"), (b, "grad_b")]):
        analytic = expect_shape(got[slot + 1], param.shape, name)
        numeric = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            values = []
            for sign in (1, -1):
                moved = [E.copy(), b.copy()]
                moved[slot][idx] += sign * h
                out = k.call("shared_loss_and_grads", *moved, rows, cols, x, 10.0, 0.75)
                values.append(float(np.asarray(out[0], dtype=float)))
            numeric[idx] = (values[0] - values[1]) / (2 * h)
        expect_close(analytic, numeric, what=f"{name} against central differences of your "
                                             f"loss", rtol=1e-4, atol=1e-6)


@check("q1-shared-grads", "a batch made only of pairs (v, v)")
def _(k):
    rng = hidden_rng(k, "q1-shared-grads/3")
    E, b = rng.normal(size=(4, 3)), rng.normal(size=4)
    rows = np.array([0, 2, 2, 3])
    x = np.array([1.0, 12.0, 12.0, 3.0])
    expect_shared(k.call("shared_loss_and_grads", E, b, rows, rows.copy(), x, 10.0, 0.75),
                  E, b, rows, rows, x, 10.0, 0.75, "shared_loss_and_grads on pairs (v, v)")


@check("q1-shared-grads", "a negative x_max or a zero count raises ValueError")
def _(k):
    E, b = np.ones((3, 2)), np.zeros(3)
    rows, cols = np.array([0, 1]), np.array([1, 2])
    expect_raises(k, "shared_loss_and_grads", (E, b, rows, cols, np.array([1.0, 2.0]), -5.0),
                  ["ValueError"], "shared_loss_and_grads(..., x_max=-5)")
    expect_raises(k, "shared_loss_and_grads", (E, b, rows, cols, np.array([1.0, 0.0])),
                  ["ValueError"], "shared_loss_and_grads with a count of 0")


# ---- q2-best-biases ---------------------------------------------------------------------------
def expect_best_biases(got, args, x_max, gamma, what):
    W, C, bt, rows, cols, x = args
    got = expect_shape(got, (len(W),), what)
    expected = best_biases_reference(W, C, bt, rows, cols, x, x_max, gamma)
    hint = hint_from((got,), best_biases_mistakes(W, C, bt, rows, cols, x, x_max, gamma))
    expect_close(got, expected, what=what, rtol=1e-8, atol=1e-10,
                 hint=hint or "set dJ/db_w to zero: it is linear in b_w")


@check("q2-best-biases", "random problems of several sizes: the exact minimiser", weight=3,
       core=True)
def _(k):
    rng = hidden_rng(k, "q2-best-biases/1")
    for trial, (V, d, n, x_max, gamma) in enumerate([
            (int(rng.integers(4, 8)), int(rng.integers(1, 4)), int(rng.integers(6, 15)), 10.0,
             0.75),
            (int(rng.integers(15, 30)), int(rng.integers(3, 6)), int(rng.integers(80, 160)),
             float(rng.uniform(1, 5)), float(rng.uniform(0.4, 0.9))),
            (int(rng.integers(50, 80)), int(rng.integers(8, 12)), int(rng.integers(400, 600)),
             100.0, 0.9)]):
        W, C = rng.normal(size=(V, d)) * 0.5, rng.normal(size=(V, d)) * 0.5
        bt = rng.normal(size=V)
        rows, cols, x = random_batch(rng, V, d, n)
        args = (W, C, bt, rows, cols, x)
        expect_best_biases(k.call("best_word_biases", *args, x_max, gamma), args, x_max,
                           gamma, f"best_word_biases on a random problem (trial {trial})")


@check("q2-best-biases", "the answer is a stationary point of J, and moving any bias "
                         "raises J", weight=2)
def _(k):
    rng = hidden_rng(k, "q2-best-biases/2")
    V, d = 8, 3
    W, C = rng.normal(size=(V, d)), rng.normal(size=(V, d))
    bt = rng.normal(size=V)
    rows, cols, x = random_batch(rng, V, d, 30)
    got = expect_shape(k.call("best_word_biases", W, C, bt, rows, cols, x, 10.0, 0.75), (V,),
                       "best_word_biases(...)")
    loss, _, _, grad_b, _ = glove_loss_and_grads(W, C, got, bt, rows, cols, x, 10.0, 0.75)
    expect_close(grad_b, np.zeros(V), what="dJ/db at your biases", atol=1e-8,
                 hint="at the minimum every partial derivative dJ/db_w is zero")
    for w in range(V - 1):
        moved = got.copy()
        moved[w] += 1e-3
        expect(glove_loss_and_grads(W, C, moved, bt, rows, cols, x, 10.0, 0.75)[0] >= loss,
               f"moving b_{w} by 0.001 lowered J: your biases are not the minimiser")


@check("q2-best-biases", "a word in no pair gets bias 0, and a single pair is fitted "
                         "exactly")
def _(k):
    W, C = np.array([[1.0, 0.0], [0.5, 2.0], [0.0, 1.0]]), np.array([[0.2, 0.1], [1.0, -1.0],
                                                                      [0.3, 0.3]])
    bt = np.array([0.5, -0.25, 1.0])
    rows, cols, x = np.array([1]), np.array([2]), np.array([7.0])
    got = expect_shape(k.call("best_word_biases", W, C, bt, rows, cols, x, 10.0, 0.75), (3,),
                       "best_word_biases with one pair")
    expect_close(got, [0.0, np.log(7.0) - 0.75 - 1.0, 0.0], what="best_word_biases with one "
                 "pair (word 1, context 2, count 7)",
                 hint="one pair can be fitted exactly, and words 0 and 2 are in no pair")


# ---- q3-adagrad -------------------------------------------------------------------------------
@check("q3-adagrad", "random matrices and several learning rates", weight=2, core=True)
def _(k):
    rng = hidden_rng(k, "q3-adagrad/1")
    for lr in (0.05, 0.5, 1.0):
        p, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)) * 3
        G = rng.random((4, 3)) * 5 + 1
        got = call_unmodified(k, "adagrad_update", p, g, G, lr)
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               "adagrad_update should return (new_param, new_grad_sq)")
        new_G = G + g ** 2
        expect_close(got[1], new_G, what=f"new_grad_sq (learning_rate={lr})")
        hint = ""
        if np.allclose(np.asarray(got[0], dtype=float), p - lr * g / np.sqrt(G)):
            hint = "divide by the square root of the *updated* sum G + g**2"
        expect_close(got[0], p - lr * g / np.sqrt(new_G),
                     what=f"new_param (learning_rate={lr})", hint=hint)


@check("q3-adagrad", "repeated steps shrink for a constant gradient")
def _(k):
    p, g, G = np.array([0.0]), np.array([2.0]), np.array([1.0])
    moves = []
    for _ in range(4):
        new_p, G = k.call("adagrad_update", p.copy(), g.copy(), np.asarray(G, dtype=float),
                          0.1)
        new_p = np.asarray(new_p, dtype=float)
        moves.append(float(p[0] - new_p[0]))
        p = new_p
    expected = [0.1 * 2 / np.sqrt(1 + 4 * (t + 1)) for t in range(4)]
    expect_close(np.array(moves), np.array(expected), what="the sizes of four steps with g = 2")


@check("q3-adagrad", "a negative learning rate raises ValueError")
def _(k):
    expect_raises(k, "adagrad_update", (np.ones(2), np.ones(2), np.ones(2), -0.1),
                  ["ValueError"], "adagrad_update(..., learning_rate=-0.1)")


# ---- q4-bias-sums -----------------------------------------------------------------------------
def bias_sums_reference(W, C, counts):
    """b_w + bt_c at the minimum: the additive (two-way) fit of R = log counts - W C^T, that is
    row mean + column mean - overall mean of R."""
    R = np.log(np.asarray(counts, dtype=float)) - np.asarray(W) @ np.asarray(C).T
    return R.mean(axis=1, keepdims=True) + R.mean(axis=0, keepdims=True) - R.mean()


def bias_sums_mistakes(W, C, counts):
    R = np.log(np.asarray(counts, dtype=float)) - np.asarray(W) @ np.asarray(C).T
    logs = np.log(np.asarray(counts, dtype=float))
    ones = np.ones_like(R)
    return {"row-means": R.mean(axis=1, keepdims=True) * ones,
            "no-grand-mean": R.mean(axis=1, keepdims=True) + R.mean(axis=0, keepdims=True),
            "without-vectors": logs.mean(axis=1, keepdims=True)
            + logs.mean(axis=0, keepdims=True) - logs.mean()}


_BIAS_SUM_HINTS = {
    "row-means": "the context biases are free too: b~_c is not 0",
    "no-grand-mean": "row and column means both hold the overall mean: subtract it once",
    "without-vectors": "the biases fit what the vectors leave: log #(w, c) - w.c"}


def random_block(rng, n_words, n_contexts, d):
    W, C = rng.normal(size=(n_words, d)), rng.normal(size=(n_contexts, d))
    counts = np.exp(rng.uniform(np.log(10.0), np.log(5000.0), size=(n_words, n_contexts)))
    return W, C, counts


@check("q4-bias-sums", "random blocks of several shapes", weight=2, core=True)
def _(k):
    rng = hidden_rng(k, "q4-bias-sums/1")
    for n_words, n_contexts, d in [(1, int(rng.integers(2, 5)), 1),
                                   (int(rng.integers(2, 6)), 1, 2),
                                   (int(rng.integers(5, 12)), int(rng.integers(5, 12)),
                                    int(rng.integers(2, 5))),
                                   (int(rng.integers(30, 60)), int(rng.integers(20, 50)),
                                    int(rng.integers(5, 15)))]:
        W, C, counts = random_block(rng, n_words, n_contexts, d)
        what = f"best_bias_sums on a random {n_words} x {n_contexts} block (d = {d})"
        got = expect_shape(k.call("best_bias_sums", W, C, counts), counts.shape, what)
        hint = hint_from((got,), [((wrong,), _BIAS_SUM_HINTS[name]) for name, wrong in
                                  bias_sums_mistakes(W, C, counts).items()])
        expect_close(got, bias_sums_reference(W, C, counts), what=what, rtol=1e-9,
                     atol=1e-10, hint=hint)


@check("q4-bias-sums", "the answer is b_w + b~_c for some biases, no other biases do better, "
                       "and the inputs are left unchanged")
def _(k):
    rng = hidden_rng(k, "q4-bias-sums/2")
    W, C, counts = random_block(rng, 7, 9, 3)
    got = expect_shape(call_unmodified(k, "best_bias_sums", W, C, counts,
                                       what="best_bias_sums"), counts.shape, "best_bias_sums")
    interaction = got - got[:, :1] - got[:1, :] + got[0, 0]
    expect(np.allclose(interaction, 0, atol=1e-9),
           "best_bias_sums should be of the form b_w + b~_c (a row term plus a column term)")
    R = np.log(counts) - W @ C.T
    mine = np.sum((R - got) ** 2)
    for _ in range(10):
        b, bt = rng.normal(size=7), rng.normal(size=9)
        other = bias_sums_reference(W, C, counts) + 0.1 * (b[:, None] + bt[None, :])
        expect(mine <= np.sum((R - other) ** 2) + 1e-9,
               "other biases give a smaller loss than yours: they are not the minimum")


# ---- q5-choose-setting ------------------------------------------------------------------------
GRID = [(x_max, epochs) for x_max in (1, 3, 10, 30, 100) for epochs in (5, 10, 25, 50)]


def simulated_scores(quality, n_pairs, rng, shared=0.6):
    """Human ratings and one row of model scores per setting: setting s's scores have
    correlation quality[s] with the (standardized) ratings, and the settings' errors share a
    common part, as models trained on one corpus do."""
    gold = rng.uniform(0, 10, size=n_pairs)
    z = (gold - gold.mean()) / gold.std()
    common = rng.normal(size=n_pairs)
    scores = np.array([q * z + np.sqrt(1 - q * q)
                       * (shared * common + np.sqrt(1 - shared ** 2) * rng.normal(size=n_pairs))
                       for q in quality])
    return gold, scores


def glove_experiment(rng, n_dev=200, n_test=4000):
    """One simulated grid search: the best x_max and epochs differ from draw to draw, the
    training loss falls with the epochs whatever the quality, and the settings come in a
    random order."""
    best_x, best_e = np.exp(rng.uniform(0, np.log(100))), np.exp(rng.uniform(np.log(5),
                                                                           np.log(50)))
    top, a, c = rng.uniform(0.45, 0.7), rng.uniform(0.05, 0.1), rng.uniform(0.06, 0.12)
    quality = np.clip([top - a * np.log(x / best_x) ** 2 - c * np.log(e / best_e) ** 2
                       for x, e in GRID], 0.02, 0.95)
    loss = np.array([0.08 * x ** -0.3 + 0.5 / e for x, e in GRID]) \
        * rng.uniform(0.9, 1.1, size=len(GRID))
    order = rng.permutation(len(GRID))
    gold, scores = simulated_scores(quality[order], n_dev + n_test, rng)
    return {"settings": [GRID[i] for i in order], "train_loss": loss[order],
            "dev_gold": gold[:n_dev], "dev_scores": scores[:, :n_dev],
            "test_gold": gold[n_dev:], "test_scores": scores[:, n_dev:]}


def spearman_rows(gold, scores):
    return np.array([stats.spearmanr(gold, row).statistic for row in scores])


def expect_good_choices(choices, experiments, what, margin):
    """Judge choices by the test rho of the chosen settings: their mean shortfall from the
    best setting may exceed that of the choice by dev rho by at most ``margin``."""
    short, ref_short = [], []
    for choice, ex in zip(choices, experiments):
        n = len(ex["test_scores"])
        expect(isinstance(choice, (int, np.integer)) and not isinstance(choice, bool)
               and 0 <= int(choice) < n,
               f"{what} should return a setting index, an int from 0 to {n - 1}, got "
               f"{str(choice)[:60]}")
        test = spearman_rows(ex["test_gold"], ex["test_scores"])
        dev = spearman_rows(ex["dev_gold"], ex["dev_scores"])
        short.append(test.max() - test[int(choice)])
        ref_short.append(test.max() - test[int(np.argmax(dev))])
    expect(np.mean(short) <= np.mean(ref_short) + margin,
           f"{what}: on {len(choices)} new experiments the settings you chose are on average "
           f"{np.mean(short):.3f} below the best setting in test rho; choosing by the dev data "
           f"loses only {np.mean(ref_short):.3f}")


@check("q5-choose-setting", "new simulated experiments: the chosen settings do well on the "
                            "test pairs", weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q5-choose-setting/1")
    experiments = [glove_experiment(rng) for _ in range(8)]
    choices = [k.call("choose_setting", ex["settings"], ex["train_loss"], ex["dev_gold"],
                      ex["dev_scores"]) for ex in experiments]
    expect_good_choices(choices, experiments, "choose_setting", margin=0.03)


@check("q5-choose-setting", "the choice follows the data, not the position of a setting")
def _(k):
    rng = hidden_rng(k, "q5-choose-setting/2")
    ex = glove_experiment(rng)
    first = k.call("choose_setting", ex["settings"], ex["train_loss"], ex["dev_gold"],
                   ex["dev_scores"])
    order = rng.permutation(len(GRID))
    second = k.call("choose_setting", [ex["settings"][i] for i in order],
                    ex["train_loss"][order], ex["dev_gold"], ex["dev_scores"][order])
    expect(isinstance(first, (int, np.integer)) and isinstance(second, (int, np.integer)),
           "choose_setting should return an int")
    expect(int(order[int(second)]) == int(first),
           "choose_setting chose another setting when the same settings came in another "
           "order")
