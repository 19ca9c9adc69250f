"""Public checks for the chapter 6 exercises (word2vec: skip-gram with a full softmax).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
Expected values come from the library's NumPy reference (``wvlib.word2vec``); the learner's
functions return tuples ``(loss, gradient, gradient)``, which travel back as plain data.
"""
import numpy as np

from wvlib.course.checks import CheckFailed, check, expect, expect_close, expect_raises, \
    expect_shape, expect_type
from wvlib.word2vec import softmax_loss_and_grads

# A small example: 5 output vectors in 3 dimensions, a centre vector, the observed word o = 2.
W_OUT = np.array([[0.2, -0.1, 0.4],
                  [-0.3, 0.5, 0.1],
                  [0.6, 0.2, -0.2],
                  [0.0, -0.4, 0.3],
                  [0.1, 0.1, 0.1]])
V_C = np.array([0.5, -1.0, 0.8])
O = 2
EPS = 1e-5


# -- shared diagnostics (also used by the hidden tests) ----------------------------------------
def unpack(got, n, what, names):
    """The learner's answer should be a tuple of ``n`` items; return them as a list."""
    expect_type(got, (tuple, list), what)
    expect(len(got) == n, f"{what} should return {n} values ({', '.join(names)}), "
                          f"got {len(got)}")
    return list(got)


def softmax_reference(v_c, o, W_out):
    loss, grad_v, grad_W = softmax_loss_and_grads(np.asarray(v_c, float), int(o),
                                                  np.asarray(W_out, float))
    return float(loss), grad_v, grad_W


def diagnose_softmax(loss, grad_v, grad_W, v_c, o, W_out):
    """A hint for a wrong softmax answer, or "" if no known mistake matches."""
    exp_loss, exp_v, exp_W = softmax_reference(v_c, o, W_out)
    scores = W_out @ v_c
    y_hat = np.exp(scores - scores.max())
    y_hat /= y_hat.sum()
    if np.isclose(loss, -exp_loss):
        return "the loss is -log P(o | c), a positive number: you returned +log P"
    if np.allclose(grad_v, -exp_v) and np.allclose(grad_W, -exp_W):
        return ("both gradients have the wrong sign: the gradient of -log P is "
                "(predicted - observed), y_hat - y, not y - y_hat")
    if np.allclose(grad_v, W_out.T @ y_hat):
        return "grad_v_c forgot the observed term: it is W_out^T (y_hat - y), not W_out^T y_hat"
    if np.allclose(grad_W, np.outer(y_hat, v_c)):
        return "grad_W_out forgot the observed term: (y_hat - y) v_c^T, subtract 1 in row o"
    if grad_W.shape == exp_W.T.shape and np.allclose(grad_W.T, exp_W):
        return "grad_W_out is transposed: it has the shape of W_out, (|V|, d)"
    return ""


def expect_softmax(got, v_c, o, W_out, what):
    """Compare (loss, grad_v_c, grad_W_out) with the reference, with hints."""
    v_c, W_out = np.asarray(v_c, float), np.asarray(W_out, float)
    loss, grad_v, grad_W = unpack(got, 3, what, ["loss", "grad_v_c", "grad_W_out"])
    loss = expect_shape(loss, (), f"the loss of {what}")
    grad_v = expect_shape(grad_v, v_c.shape, f"grad_v_c of {what}")
    grad_W = as_grad_W(grad_W, W_out.shape, f"grad_W_out of {what}")
    exp_loss, exp_v, exp_W = softmax_reference(v_c, o, W_out)
    hint = diagnose_softmax(loss, grad_v, grad_W, v_c, o, W_out)
    expect_close(loss, exp_loss, what=f"the loss of {what}",
                 hint=hint or "loss = -log softmax(W_out v_c)[o]")
    expect_close(grad_v, exp_v, what=f"grad_v_c of {what}",
                 hint=hint or "grad_v_c = W_out^T (y_hat - y)")
    expect_close(grad_W, exp_W, what=f"grad_W_out of {what}",
                 hint=hint or "grad_W_out = (y_hat - y) v_c^T")


def as_grad_W(got, shape, what):
    """A gradient with respect to a matrix must have that matrix's shape."""
    arr = np.asarray(got, dtype=float) if not isinstance(got, (str, bytes)) else None
    if arr is not None and arr.ndim == 2 and arr.shape == tuple(shape)[::-1] \
            and shape[0] != shape[1]:
        raise CheckFailed(f"{what} should have shape {tuple(shape)} (the shape of the matrix), "
                          f"got {arr.shape}: transposed?")
    return expect_shape(got, shape, what)


def gradient_check(k, name, args, slot, grad_slot, what, *, rng, n_dirs=3, tol=1e-6):
    """Central differences of the learner's own loss along random directions.

    ``args[slot]`` is perturbed by ±EPS·d; the change of the loss (item 0 of the answer) must
    match the directional derivative <gradient, d> of item ``grad_slot`` (relative error <
    ``tol``).
    """
    base = unpack(k.call(name, *args), 3, f"{name}(...)", ["loss", "grad", "grad"])
    grad = expect_shape(base[grad_slot], np.shape(args[slot]), what)
    for trial in range(n_dirs):
        d = rng.normal(size=np.shape(args[slot]))
        plus, minus = list(args), list(args)
        plus[slot] = args[slot] + EPS * d
        minus[slot] = args[slot] - EPS * d
        f_plus = float(np.asarray(unpack(k.call(name, *plus), 3, f"{name}(...)",
                                         ["loss", "grad", "grad"])[0]))
        f_minus = float(np.asarray(unpack(k.call(name, *minus), 3, f"{name}(...)",
                                          ["loss", "grad", "grad"])[0]))
        numeric = (f_plus - f_minus) / (2 * EPS)
        analytic = float(np.sum(grad * d))
        rel = abs(numeric - analytic) / max(1e-8, abs(numeric) + abs(analytic))
        if rel > tol:
            sign = (" — the opposite sign: the loss is -log P and its gradient uses "
                    "y_hat - y (predicted minus observed)"
                    if np.isclose(numeric, -analytic, rtol=1e-4) else "")
            raise CheckFailed(f"gradient check of {what} failed (direction {trial}): the loss "
                              f"changes at rate {numeric:.6g} (central differences), your "
                              f"gradient predicts {analytic:.6g}; relative error {rel:.2g} > "
                              f"{tol:g}{sign}")


def sgd_reference(pairs, W_in, W_out, lr, epochs):
    """Plain SGD, one step per (centre, context) pair in the given order (question 3)."""
    W_in, W_out = np.array(W_in, dtype=float), np.array(W_out, dtype=float)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for c, o in np.asarray(pairs, dtype=int):
            loss, grad_v, grad_W = softmax_loss_and_grads(W_in[c], o, W_out)
            W_in[c] -= lr * grad_v
            W_out -= lr * grad_W
            total += loss
        losses.append(total / len(pairs))
    return W_in, W_out, np.array(losses)


def toy_setup(seed=0, dim=8, window=2):
    """The toy corpus's (centre, context) pairs and small random initial vectors."""
    from wvlib.corpus import Vocabulary, load_corpus
    corpus = load_corpus("toy")
    vocab = Vocabulary.build(corpus)
    pairs = []
    for ids in vocab.encode_documents(corpus):
        for i, c in enumerate(ids):
            for j in range(max(0, i - window), min(len(ids), i + window + 1)):
                if j != i:
                    pairs.append((int(c), int(ids[j])))
    rng = np.random.default_rng(seed)
    W_in = rng.uniform(-0.5, 0.5, size=(len(vocab), dim)) / dim
    W_out = rng.normal(scale=0.1, size=(len(vocab), dim))
    return np.array(pairs), W_in, W_out


def expect_sgd(got, pairs, W_in, W_out, lr, epochs, what):
    W_in1, W_out1, losses = unpack(got, 3, what, ["W_in", "W_out", "losses"])
    losses = expect_shape(losses, (epochs,), f"the losses returned by {what} (one per epoch)")
    W_in1 = expect_shape(W_in1, W_in.shape, f"W_in returned by {what}")
    W_out1 = expect_shape(W_out1, W_out.shape, f"W_out returned by {what}")
    exp_in, exp_out, exp_losses = sgd_reference(pairs, W_in, W_out, lr, epochs)
    expect_close(losses[0], exp_losses[0], what=f"the mean loss of epoch 1 of {what}",
                 hint="average, over the pairs of the epoch, the loss computed just before "
                      "each pair's update")
    expect_close(losses, exp_losses, what=f"the mean losses per epoch of {what}",
                 hint="one step per pair, in the given order: W_in[c] -= lr * grad_v_c, "
                      "W_out -= lr * grad_W_out, with both gradients computed before the "
                      "update")
    expect_close(W_in1, exp_in, what=f"W_in after {what}", rtol=1e-6, atol=1e-9)
    expect_close(W_out1, exp_out, what=f"W_out after {what}", rtol=1e-6, atol=1e-9)


# -- q1-softmax --------------------------------------------------------------------------------
@check("q1-softmax", "shapes, loss and gradients on a 5-word example")
def _(k):
    expect_softmax(k.call("softmax_loss_and_grads", V_C.copy(), O, W_OUT.copy()), V_C, O, W_OUT,
                   "softmax_loss_and_grads(V_C, 2, W_OUT)")


@check("q1-softmax", "all scores equal: the loss is log |V|")
def _(k):
    W = np.zeros((7, 3))
    got = unpack(k.call("softmax_loss_and_grads", V_C.copy(), 4, W), 3,
                 "softmax_loss_and_grads", ["loss", "grad_v_c", "grad_W_out"])
    expect_close(got[0], np.log(7), what="the loss with W_out = 0 and |V| = 7",
                 hint="every word has probability 1/7 when all scores are equal")


@check("q1-softmax", "gradient check (central differences) of your own loss")
def _(k):
    rng = np.random.default_rng(6)
    gradient_check(k, "softmax_loss_and_grads", [V_C.copy(), O, W_OUT.copy()], 0, 1,
                   "grad_v_c", rng=rng)
    gradient_check(k, "softmax_loss_and_grads", [V_C.copy(), O, W_OUT.copy()], 2, 2,
                   "grad_W_out", rng=rng)


@check("q1-softmax", "large scores do not overflow")
def _(k):
    got = unpack(k.call("softmax_loss_and_grads", 3000 * V_C, O, W_OUT.copy()), 3,
                 "softmax_loss_and_grads", ["loss", "grad_v_c", "grad_W_out"])
    exp = softmax_reference(3000 * V_C, O, W_OUT)
    expect_close(got[0], exp[0], what="the loss with scores in the thousands",
                 hint="exp(1000) overflows: subtract the largest score before exponentiating "
                      "(softmax does not change when all scores move by the same amount)")


@check("q1-softmax", "an index o outside the vocabulary raises ValueError")
def _(k):
    expect_raises(k, "softmax_loss_and_grads", (V_C.copy(), 5, W_OUT.copy()), ["ValueError"],
                  "softmax_loss_and_grads(V_C, 5, W_OUT) with only 5 words (0..4)")


# -- q2-skipgram -------------------------------------------------------------------------------
def expect_skipgram(got, center, contexts, W_in, W_out, what):
    loss, g_in, g_out = unpack(got, 3, what, ["loss", "grad_W_in", "grad_W_out"])
    loss = expect_shape(loss, (), f"the loss of {what}")
    g_in = as_grad_W(g_in, W_in.shape, f"grad_W_in of {what}")
    g_out = as_grad_W(g_out, W_out.shape, f"grad_W_out of {what}")
    others = np.delete(np.arange(len(W_in)), center)
    if np.any(g_in[others] != 0):
        row = int(others[np.any(g_in[others] != 0, axis=1)][0])
        raise CheckFailed(f"grad_W_in of {what}: row {row} is not zero, but only the centre "
                          f"word's input vector (row {center}) enters the loss")
    exp_loss, exp_v, exp_W = 0.0, np.zeros(W_in.shape[1]), np.zeros(W_out.shape)
    for o in contexts:
        lo, gv, gW = softmax_loss_and_grads(W_in[center], int(o), W_out)
        exp_loss, exp_v, exp_W = exp_loss + lo, exp_v + gv, exp_W + gW
    hint = ""
    if np.isclose(loss, exp_loss / len(contexts)):
        hint = "sum the losses of the context words, do not average them"
    elif len(set(contexts)) < len(contexts):
        uniq = 0.0
        for o in set(int(x) for x in contexts):
            uniq += softmax_loss_and_grads(W_in[center], o, W_out)[0]
        if np.isclose(loss, uniq):
            hint = "a context word seen twice in the window counts twice"
    expect_close(loss, exp_loss, what=f"the loss of {what}",
                 hint=hint or "the sum over the window of -log P(o | c)")
    expect_close(g_in[center], exp_v, what=f"row {center} of grad_W_in of {what}",
                 hint=hint or "the sum over the window of the softmax grad_v_c")
    expect_close(g_out, exp_W, what=f"grad_W_out of {what}",
                 hint=hint or "the sum over the window of the softmax grad_W_out")


@check("q2-skipgram", "a window of 4 context words")
def _(k):
    rng = np.random.default_rng(2)
    W_in, W_out = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    contexts = np.array([0, 4, 5, 1])
    expect_skipgram(k.call("skipgram_loss_and_grads", 2, contexts, W_in, W_out), 2, contexts,
                    W_in, W_out, "skipgram_loss_and_grads(2, [0, 4, 5, 1], W_in, W_out)")


@check("q2-skipgram", "a context word that occurs twice counts twice")
def _(k):
    rng = np.random.default_rng(3)
    W_in, W_out = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    contexts = np.array([3, 1, 3])
    expect_skipgram(k.call("skipgram_loss_and_grads", 0, contexts, W_in, W_out), 0, contexts,
                    W_in, W_out, "skipgram_loss_and_grads(0, [3, 1, 3], W_in, W_out)")


# -- q3-sgd ------------------------------------------------------------------------------------
@check("q3-sgd", "three epochs on the toy corpus lower the loss, as the reference does")
def _(k):
    pairs, W_in, W_out = toy_setup()
    what = "sgd_epochs(pairs, W_in, W_out, lr=0.5, epochs=3)"
    got = unpack(k.call("sgd_epochs", pairs, W_in.copy(), W_out.copy(), 0.5, 3), 3, what,
                 ["W_in", "W_out", "losses"])
    losses = expect_shape(got[2], (3,), f"the losses returned by {what} (one per epoch)")
    expect(np.all(np.diff(losses) < 0), f"the mean loss per epoch should go down, got "
                                        f"{np.round(losses, 4).tolist()}. Hint: step against the "
                                        f"gradient (parameters -= lr * gradient)")
    expect_sgd(got, pairs, W_in, W_out, 0.5, 3, what)

