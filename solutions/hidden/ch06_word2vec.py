"""Hidden tests for the chapter 6 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs drawn here go into the student's kernel, values come
back as plain data, and the expected values are computed here by the reference code below
(the softmax's weighted "predicted minus observed", whose derivation the question asks for).
Gradients are also checked by central differences of the student's *own* loss along random
directions. The gradient-check question gives the student's checker correct and buggy
gradients of three test losses and judges its verdicts. Random inputs come from
``hidden_rng(k, ...)``: drawn afresh for every submission, the same on a rerun.
``public_values()`` gives the values the public checks compare against.
"""
from pathlib import Path

import numpy as np
from scipy import stats

from wvlib.course.checks import CheckFailed, call_unmodified, check, expect, expect_close, \
    expect_raises, expect_shape, expect_type, hidden_rng
from wvlib.course.public import ch06_word2vec as public


def notebook_values(*names):
    """Variables of the official solution notebook, run without its check calls: the public
    checks use the notebook's own examples."""
    import contextlib
    import io

    import nbformat
    nb = nbformat.read(Path(__file__).resolve().parents[1] / "ch06_word2vec.ipynb", as_version=4)
    namespace = {"__name__": "__main__", "display": lambda *values: None}
    for cell in nb.cells:
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines()
                               if not line.startswith("check("))
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, "<notebook>", "exec"), namespace)
    return [namespace[name] for name in names]


EPS = 1e-5


# ---- references (instructor side) ------------------------------------------------------------
def reach(distances, L):
    """P(the dynamic window reaches distance l) = (L - l + 1) / L."""
    return (L - np.asarray(distances, dtype=float) + 1) / L


def window_reference(center, contexts, distances, L, W_in, W_out, weights=None):
    weights = reach(distances, L) if weights is None else np.asarray(weights, dtype=float)
    target = np.zeros(len(W_out))
    np.add.at(target, np.asarray(contexts, dtype=int), weights)
    w = W_in[center]
    scores = W_out @ w
    log_norm = scores.max() + np.log(np.exp(scores - scores.max()).sum())
    y_hat = np.exp(scores - log_norm)
    delta = weights.sum() * y_hat - target
    grad_in = np.zeros_like(W_in)
    grad_in[center] = W_out.T @ delta
    return float(weights.sum() * log_norm - target @ scores), grad_in, np.outer(delta, w)


def window_mistakes(center, contexts, distances, L, W_in, W_out):
    """(answer, hint) pairs for the usual wrong answers to question 1."""
    distances = np.asarray(distances, dtype=float)
    out = [(window_reference(center, contexts, distances, L, W_in, W_out,
                             np.ones(len(contexts))),
            "each context word counts with the probability that the drawn window reaches its "
            "distance, not 1"),
           (window_reference(center, contexts, distances, L, W_in, W_out, 1.0 / distances),
            "the dynamic window's weights are not 1/l: a word at distance l is used when the "
            "drawn window b is at least l, with b uniform on 1..L")]
    loss, g_in, g_out = window_reference(center, contexts, distances, L, W_in, W_out)
    out.append(((loss, -g_in, -g_out), "both gradients have the wrong sign: the gradient of "
                                       "-log y_hat is predicted minus observed"))
    weights = reach(distances, L)
    target = np.zeros(len(W_out))
    np.add.at(target, np.asarray(contexts, dtype=int), weights)
    w = W_in[center]
    scores = W_out @ w
    y_hat = np.exp(scores - scores.max())
    y_hat /= y_hat.sum()
    delta = y_hat - target
    g_in2 = np.zeros_like(W_in)
    g_in2[center] = W_out.T @ delta
    out.append(((loss, g_in2, np.outer(delta, w)),
                "every context word's loss has its own normalizer: the predicted term is "
                "y_hat times the total weight of the window, not y_hat once"))
    return out


def hint_from(got, mistakes, rtol=1e-6, atol=1e-9):
    for wrong, hint in mistakes:
        if len(wrong) == len(got) and all(
                np.shape(g) == np.shape(w) and np.allclose(np.asarray(g, dtype=float), w,
                                                           rtol=rtol, atol=atol)
                for g, w in zip(got, wrong)):
            return hint
    return ""


def unpack(got, n, what, names):
    expect_type(got, (tuple, list), what)
    expect(len(got) == n, f"{what} should return {n} values ({', '.join(names)}), got "
                          f"{len(got)}")
    return list(got)


def expect_window(got, center, contexts, distances, L, W_in, W_out, what):
    loss, g_in, g_out = unpack(got, 3, what, ["loss", "grad_W_in", "grad_W_out"])
    loss = expect_shape(loss, (), f"the loss of {what}")
    g_in = expect_shape(g_in, W_in.shape, f"grad_W_in of {what}")
    g_out = expect_shape(g_out, W_out.shape, f"grad_W_out of {what}")
    others = np.delete(np.arange(len(W_in)), center)
    if np.any(g_in[others] != 0):
        row = int(others[np.any(g_in[others] != 0, axis=1)][0])
        raise CheckFailed(f"grad_W_in of {what}: row {row} is not zero, but only the centre "
                          f"word's input vector (row {center}) enters the loss")
    expected = window_reference(center, contexts, distances, L, W_in, W_out)
    hint = hint_from((loss, g_in, g_out), window_mistakes(center, contexts, distances, L,
                                                          W_in, W_out))
    expect_close(loss, expected[0], what=f"the loss of {what}", rtol=1e-7, hint=hint)
    expect_close(g_in, expected[1], what=f"grad_W_in of {what}", rtol=1e-6, atol=1e-9,
                 hint=hint)
    expect_close(g_out, expected[2], what=f"grad_W_out of {what}", rtol=1e-6, atol=1e-9,
                 hint=hint)


def directional_check(k, name, args, slot, grad_slot, what, rng, n_dirs=3, tol=1e-6):
    """Central differences of the learner's own loss along random directions."""
    base = unpack(k.call(name, *args), 3, f"{name}(...)", ["loss", "grad", "grad"])
    grad = expect_shape(base[grad_slot], np.shape(args[slot]), what)
    for trial in range(n_dirs):
        d = rng.normal(size=np.shape(args[slot]))
        values = []
        for sign in (1, -1):
            moved = list(args)
            moved[slot] = args[slot] + sign * EPS * d
            values.append(float(np.asarray(k.call(name, *moved)[0], dtype=float)))
        numeric = (values[0] - values[1]) / (2 * EPS)
        analytic = float(np.sum(grad * d))
        rel = abs(numeric - analytic) / max(1e-8, abs(numeric) + abs(analytic))
        expect(rel <= tol, f"gradient check of {what} failed (direction {trial}): your loss "
                           f"changes at rate {numeric:.6g}, your gradient predicts "
                           f"{analytic:.6g}")


def public_values():
    """The values the public checks compare against: on the public module's inputs and on the
    notebook's examples (which are stored too, so that the checks use the same numbers)."""
    W_in, W_out, counts, triples, W_in0, W_out0, dev_gold, dev_scores, dev_rarest = \
        notebook_values("W_in_example", "W_out_example", "counts_example", "toy_triples",
                        "W_in0", "W_out0", "dev_gold", "dev_scores", "dev_rarest")
    window = (public.CENTER, public.CONTEXTS, public.DISTANCES, public.L, W_in, W_out)
    loss, grad_in, grad_out = window_reference(*window)
    mistakes = window_mistakes(*window)
    directions = np.random.default_rng(6)
    freq = public.FREQ
    subsampled = subsampled_mistakes(counts, freq, 1e-2)
    grads = logistic_grads(public.LOGISTIC, public.THETA)
    return {
        "q1/W_in": W_in, "q1/W_out": W_out, "q1/loss": loss, "q1/grad_in_row2": grad_in[2],
        "q1/grad_out": grad_out, "q1/loss-unweighted": mistakes[0][0][0],
        "q1/loss-harmonic": mistakes[1][0][0],
        "q1/grad_in_row2-one-normalizer": mistakes[3][0][1][2],
        "q1/direction-in": directions.normal(size=W_in.shape) * (np.arange(6) == 2)[:, None],
        "q1/direction-out": directions.normal(size=W_out.shape),
        "q2/counts": counts, "q2/predictions": subsampled_reference(counts, freq, 1e-2),
        **{f"q2/predictions-{name}": wrong for name, wrong in subsampled.items()},
        "q2/unseen": subsampled_reference(public.UNSEEN, freq[:3], 1e-2),
        "q2/unseen-kept": subsampled_reference(public.UNSEEN, freq[:3], 1.0),
        "q3/correct": grads["correct"], "q3/sign": grads["sign"],
        "q3/penalty-missing": grads["penalty missing"],
        "q4/triples": triples, "q4/W_in0": W_in0, "q4/W_out0": W_out0,
        "q4/losses": sgd_reference(triples, W_in0, W_out0, 0.5, 3, 2)[2],
        "q5/dev_gold": dev_gold, "q5/dev_scores": dev_scores, "q5/dev_rarest": dev_rarest,
        "q5/dev-rho": band_rhos(dev_gold, dev_scores, dev_rarest, 50),
    }


# ---- q1-window-grads --------------------------------------------------------------------------
@check("q1-window-grads", "random windows of several sizes, with repeated context words",
       weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q1-window-grads/1")
    for trial, (V, d, n, L) in enumerate([
            (int(rng.integers(3, 6)), int(rng.integers(1, 3)), 1, 1),
            (int(rng.integers(8, 16)), int(rng.integers(2, 6)), int(rng.integers(3, 8)),
             int(rng.integers(2, 6))),
            (int(rng.integers(40, 80)), int(rng.integers(5, 10)), int(rng.integers(10, 20)),
             int(rng.integers(5, 11)))]):
        W_in, W_out = rng.normal(size=(V, d)), rng.normal(size=(V, d))
        center = int(rng.integers(V))
        contexts = rng.integers(V, size=n)
        distances = rng.integers(1, L + 1, size=n)
        if n > 2:
            contexts[1] = contexts[0]
        expect_window(k.call("window_loss_and_grads", center, contexts, distances, L, W_in,
                             W_out), center, contexts, distances, L, W_in, W_out,
                      f"window_loss_and_grads on a random window (trial {trial})")


@check("q1-window-grads", "gradient checks of the student's own loss", weight=2)
def _(k):
    rng = hidden_rng(k, "q1-window-grads/2")
    W_in, W_out = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    args = [4, np.array([1, 6, 1, 0]), np.array([1, 2, 3, 3]), 3, W_in, W_out]
    directional_check(k, "window_loss_and_grads", args, 4, 1, "grad_W_in", rng)
    directional_check(k, "window_loss_and_grads", args, 5, 2, "grad_W_out", rng)


@check("q1-window-grads", "scores in the thousands stay finite and exact")
def _(k):
    rng = hidden_rng(k, "q1-window-grads/3")
    W_in, W_out = 400 * rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    for sign in (1.0, -1.0):
        args = (3, np.array([2, 5]), np.array([1, 2]), 2, sign * W_in, W_out)
        expect_window(k.call("window_loss_and_grads", *args), *args,
                      f"window_loss_and_grads with scores of order {sign * 1000:g}")


@check("q1-window-grads", "a distance beyond L or lengths that differ raise ValueError")
def _(k):
    W = np.ones((4, 2))
    expect_raises(k, "window_loss_and_grads", (0, np.array([1, 2]), np.array([1, 4]), 3, W, W),
                  ["ValueError"], "window_loss_and_grads with a distance 4 > L = 3")
    expect_raises(k, "window_loss_and_grads", (0, np.array([1, 2]), np.array([1]), 3, W, W),
                  ["ValueError"], "window_loss_and_grads with 2 contexts and 1 distance")


# ---- q2-subsampled-optimum -------------------------------------------------------------------
def keep_probability(freq, tau, rule="C"):
    z = tau * np.sum(freq) / np.asarray(freq, dtype=float)
    return np.minimum(1.0, np.sqrt(z) + z if rule == "C" else np.sqrt(z))


def subsampled_reference(counts, freq, tau):
    """Row w: keep(c) #(w, c), normalized — a pair is used when both tokens are kept, and
    keep(w) cancels in the normalization."""
    expected = np.asarray(counts, dtype=float) * keep_probability(freq, tau)[None, :]
    return expected / expected.sum(axis=1, keepdims=True)


def subsampled_mistakes(counts, freq, tau):
    """{name: the answer of a usual mistake} on the same inputs."""
    counts = np.asarray(counts, dtype=float)
    keep = keep_probability(freq, tau)
    with np.errstate(invalid="ignore", divide="ignore"):        # a column may be all zeros
        out = {"plain": counts / counts.sum(axis=1, keepdims=True),
               "paper-rule": counts * keep_probability(freq, tau, "paper")[None, :],
               "discard": counts * (1 - keep)[None, :],
               "squared": counts * keep[None, :] ** 2,
               "columns": counts * keep[None, :]}
        for name in ("paper-rule", "discard", "squared"):
            out[name] = out[name] / out[name].sum(axis=1, keepdims=True)
        out["columns"] = out["columns"] / out["columns"].sum(axis=0, keepdims=True)
    return out


_SUBSAMPLED_HINTS = {
    "plain": "that is the optimum without subsampling",
    "paper-rule": "use the C code's keep probability sqrt(x) + x, not the paper's sqrt(x)",
    "discard": "weigh by the probability to keep the context word, not to discard it",
    "squared": "the centre word and the context word are two tokens: each is kept once",
    "columns": "row w is a distribution over the context words c: normalize each row"}


def random_subsampling(rng, V, density=0.5):
    counts = np.where(rng.random((V, V)) < density, rng.integers(1, 30, size=(V, V)),
                      0).astype(float)
    counts[np.arange(V), rng.integers(V, size=V)] += 1          # every word is a centre
    freq = np.sort(rng.zipf(1.5, size=V).clip(1, 10**6).astype(float))[::-1]
    top = freq[min(2, V - 1)]
    tau = float(rng.uniform(0.2, 0.9) * top / (2.618 * freq.sum()))   # some words subsampled
    return counts, freq, tau


@check("q2-subsampled-optimum", "random counts, Zipf frequencies and thresholds", weight=3,
       core=True)
def _(k):
    rng = hidden_rng(k, "q2-subsampled-optimum/1")
    for V in (int(rng.integers(2, 5)), int(rng.integers(6, 12)), int(rng.integers(30, 60))):
        counts, freq, tau = random_subsampling(rng, V)
        what = f"subsampled_optimum ({V} words, tau = {tau:.3g})"
        got = expect_shape(k.call("subsampled_optimum", counts, freq, tau), (V, V), what)
        wrong = subsampled_mistakes(counts, freq, tau)
        hint = hint_from((got,), [((answer,), _SUBSAMPLED_HINTS[name])
                                  for name, answer in wrong.items()])
        expect_close(got, subsampled_reference(counts, freq, tau), rtol=1e-9, atol=1e-12,
                     what=what, hint=hint or "the expected number of times the pair (w, c) "
                                             "is still used, then Gibbs' inequality")


@check("q2-subsampled-optimum", "the answer minimises the expected loss: no other "
                                "distribution does better")
def _(k):
    rng = hidden_rng(k, "q2-subsampled-optimum/2")
    counts, freq, tau = random_subsampling(rng, 7)
    got = expect_shape(k.call("subsampled_optimum", counts, freq, tau), (7, 7),
                       "subsampled_optimum")
    expect(np.all(got >= 0) and np.allclose(got.sum(axis=1), 1),
           "every row of subsampled_optimum should be a probability distribution")
    keep = keep_probability(freq, tau)
    expected = counts * np.outer(keep, keep)          # the expected counts of the pairs used
    with np.errstate(divide="ignore"):
        mine = -np.sum(expected * np.where(expected > 0, np.log(np.maximum(got, 1e-300)),
                                           0.0))
    for _ in range(20):
        other = got * np.exp(0.05 * rng.normal(size=got.shape))
        other /= other.sum(axis=1, keepdims=True)
        theirs = -np.sum(expected * np.where(expected > 0, np.log(np.maximum(other, 1e-300)),
                                             0.0))
        expect(mine <= theirs + 1e-12, "a small change of your distributions lowered the "
                                        "expected loss: they are not the minimum")


@check("q2-subsampled-optimum", "a negative tau raises ValueError; a word kept always is "
                                "weighted 1")
def _(k):
    rng = hidden_rng(k, "q2-subsampled-optimum/3")
    counts, freq, tau = random_subsampling(rng, 5)
    expect_raises(k, "subsampled_optimum", (counts, freq, -tau), ["ValueError"],
                  "subsampled_optimum with a negative tau")
    got = expect_shape(k.call("subsampled_optimum", counts, freq, 10.0), (5, 5),
                       "subsampled_optimum with tau = 10")
    expect_close(got, counts / counts.sum(axis=1, keepdims=True), rtol=1e-9, atol=1e-12,
                 what="subsampled_optimum with tau = 10 (every token is kept)")


# ---- q3-gradient-check ------------------------------------------------------------------------
def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


def logistic_problem(rng, n, d, scale, lam):
    X = scale * rng.normal(size=(n, d))
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    return {"kind": "logistic", "X": X, "y": y, "lam": float(lam)}


def logistic_grads(p, theta):
    X, y, lam = p["X"], p["y"], p["lam"]
    margin = y * (X @ theta)
    data = -X.T @ (y * sigmoid(-margin))
    last = data.copy()                   # the last coordinate read from the previous column
    last[-1] = -X[:, -2] @ (y * sigmoid(-margin))
    return {"correct": data + lam * theta,
            "sign": -data + lam * theta,
            "sigmoid of the wrong sign": -X.T @ (y * sigmoid(margin)) + lam * theta,
            "penalty twice": data + 2 * lam * theta,
            "penalty missing": data,
            "last index off by one": last + lam * theta}


def lowrank_problem(rng, m, n, r, zero_rows=0):
    weights = rng.random((m, n)) * (rng.random((m, n)) < 0.7)
    weights[:zero_rows] = 0.0                     # rows with no weight: gradient exactly 0
    return {"kind": "weighted-lowrank", "M": rng.normal(size=(m, n)), "weights": weights,
            "C": rng.normal(size=(n, r))}


def lowrank_grads(p, W):
    M, weights, C = p["M"], p["weights"], p["C"]
    residual = M - W @ C.T
    return {"correct": -2 * (weights * residual) @ C,
            "factor 2 missing": -(weights * residual) @ C,
            "weights transposed": -2 * (weights.T * residual) @ C
            if weights.shape[0] == weights.shape[1] else None,
            "wrong index": -2 * (weights * residual) @ np.roll(C, 1, axis=0),
            "weights missing": -2 * residual @ C}


def rows_problem(rng, V, d):
    """Rows 0 .. V - 3 looked up once each, in a random order, and row V - 3 once more; the
    last two rows never: a bug about repeated rows shows only in row V - 3, far from the first
    entries."""
    index = np.append(rng.permutation(V - 2), V - 3)
    return {"kind": "rows", "index": index, "targets": rng.normal(size=(len(index), d))}


def rows_grads(p, E):
    index, targets = p["index"], p["targets"]
    diff = E[index] - targets
    block = 2 * diff / (1 + np.sum(diff ** 2, axis=1))[:, None]
    correct = np.zeros_like(E)
    np.add.at(correct, index, block)
    dropped = np.zeros_like(E)
    dropped[index] += block                       # the bug of G[idx] += block
    shifted = np.zeros_like(E)
    np.add.at(shifted, index + 1, block)
    return {"correct": correct, "repeats dropped": dropped, "off by one": shifted,
            "factor 2 missing": correct / 2}


CORRECT_OF = {"logistic": logistic_grads, "weighted-lowrank": lowrank_grads,
              "rows": rows_grads}


def clearly_wrong(claimed, truth):
    """The entries where a buggy gradient is off by more than 1e-3 of max(1, |g|)."""
    return np.abs(np.asarray(claimed) - truth) > 1e-3 * np.maximum(1, np.abs(truth))


def gradient_cases(rng):
    """(problem, x, claimed gradient, name) for correct and buggy gradients. A bug that happens
    to change the gradient by less than 5 % of max(1, |g|) in every entry on the drawn input is
    left out: no checker is expected to catch it."""
    cases = []
    for n, d, scale, lam in [(int(rng.integers(20, 40)), int(rng.integers(4, 8)), 1.0, 0.5),
                             (int(rng.integers(30, 50)), int(rng.integers(4, 7)), 6.0, 2.0)]:
        p = logistic_problem(rng, n, d, scale, lam)
        theta = rng.normal(size=d)
        cases += [(p, theta, g, f"logistic/{name}")
                  for name, g in logistic_grads(p, theta).items()]
    for m, n, r, zero in [(5, 5, 2, 1), (int(rng.integers(4, 8)), int(rng.integers(3, 6)), 3, 0)]:
        p = lowrank_problem(rng, m, n, r, zero)
        W = rng.normal(size=(m, r))
        cases += [(p, W, g, f"weighted-lowrank/{name}")
                  for name, g in lowrank_grads(p, W).items() if g is not None]
    V = int(rng.integers(6, 10))
    p = rows_problem(rng, V, 3)
    E = rng.normal(size=(V, 3))
    cases += [(p, E, g, f"rows/{name}") for name, g in rows_grads(p, E).items()]
    kept = []
    for problem, x, claimed, name in cases:
        truth = CORRECT_OF[problem["kind"]](problem, x)["correct"]
        if name.endswith("/correct") or np.any(np.abs(claimed - truth)
                                               > 0.05 * np.maximum(1, np.abs(truth))):
            kept.append((problem, x, claimed, name))
    cases = kept
    # two correct gradients that a careless checker rejects: at the minimum of a stiff
    # quadratic (one-sided differences are off by eps * curvature / 2 there), and on a loss
    # of order 1e5 (rounding makes the differences off by about 1e-5 in absolute terms)
    p = lowrank_problem(rng, 4, 6, 2)
    p["weights"] = 40 + 20 * rng.random((4, 6))
    W = weighted_least_squares(p)
    cases.append((p, W, lowrank_grads(p, W)["correct"], "weighted-lowrank (stiff)/correct"))
    p = lowrank_problem(rng, 5, 5, 2)
    p["M"] = 300 * p["M"]
    p["weights"] = 0.5 + rng.random((5, 5))
    W = 100 * rng.normal(size=(5, 2))
    while np.abs(lowrank_grads(p, W)["correct"]).min() < 300:   # every entry large
        W = 100 * rng.normal(size=(5, 2))
    cases.append((p, W, lowrank_grads(p, W)["correct"], "weighted-lowrank (large)/correct"))
    return cases


def weighted_least_squares(p):
    """The W that minimises the weighted-lowrank test loss (each row solves its own normal
    equations), where the gradient vanishes."""
    M, weights, C = p["M"], p["weights"], p["C"]
    return np.array([np.linalg.solve(C.T @ (weights[i][:, None] * C), C.T @ (weights[i] * M[i]))
                     for i in range(len(M))])


@check("q3-gradient-check", "correct gradients of unseen test losses are accepted, and "
                            "gradients with a wrong sign, factor, index or term are rejected "
                            "at a wrong entry", weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q3-gradient-check/1")
    for problem, x, claimed, name in gradient_cases(rng):
        got = k.call("judge_gradient_check", problem, x, claimed)
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               f"gradient_check should return a pair (ok, worst), got {str(got)[:80]}")
        ok, worst = got
        expect(isinstance(ok, (bool, np.bool_)), f"ok should be True or False, got "
                                                 f"{str(ok)[:40]}")
        if name.endswith("/correct"):
            expect(bool(ok), f"your checker rejected a correct gradient ({name.split('/')[0]}"
                             f" test loss, x of shape {np.shape(x)})")
            continue
        expect(not bool(ok), f"your checker accepted a wrong gradient ({name})")
        wrong = clearly_wrong(claimed, CORRECT_OF[problem["kind"]](problem, x)["correct"])
        index = tuple(int(i) for i in np.atleast_1d(np.asarray(worst, dtype=int)))
        expect(len(index) == np.ndim(x) and all(0 <= i < s for i, s in zip(index, np.shape(x)))
               and bool(wrong[index]),
               f"your checker rejected a wrong gradient ({name}) but pointed at entry {index}, "
               f"which is right; worst should be the entry where the disagreement is largest")


@check("q3-gradient-check", "a correct gradient with large entries and exact zeros is "
                            "accepted")
def _(k):
    rng = hidden_rng(k, "q3-gradient-check/2")
    p = logistic_problem(rng, 60, 3, 20.0, 30.0)
    theta = 3 * rng.normal(size=3)
    got = k.call("judge_gradient_check", p, theta, logistic_grads(p, theta)["correct"])
    expect(isinstance(got, (tuple, list)) and len(got) == 2 and bool(got[0]),
           "your checker rejected a correct gradient with entries in the hundreds: judge each "
           "entry relative to its size, and use central (not one-sided) differences")
    p = lowrank_problem(rng, 4, 4, 2, zero_rows=4)
    W = rng.normal(size=(4, 2))
    got = k.call("judge_gradient_check", p, W, np.zeros((4, 2)))
    expect(isinstance(got, (tuple, list)) and len(got) == 2 and bool(got[0]),
           "your checker rejected a gradient that is exactly zero (a loss that does not "
           "depend on x): 0 against 0 is a perfect match")


# ---- q4-sgd -----------------------------------------------------------------------------------
def sgd_reference(triples, W_in, W_out, lr, epochs, L):
    W_in, W_out = np.array(W_in, dtype=float), np.array(W_out, dtype=float)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for center, context, distance in np.asarray(triples, dtype=int):
            loss, g_in, g_out = window_reference(center, [context], [distance], L, W_in, W_out)
            W_in -= lr * g_in
            W_out -= lr * g_out
            total += loss
        losses.append(total / len(triples))
    return W_in, W_out, np.array(losses)


def expect_sgd(got, triples, W_in, W_out, lr, epochs, L, what):
    W1, W2, losses = unpack(got, 3, what, ["W_in", "W_out", "losses"])
    losses = expect_shape(losses, (epochs,), f"the losses of {what} (one per epoch)")
    W1 = expect_shape(W1, W_in.shape, f"W_in returned by {what}")
    W2 = expect_shape(W2, W_out.shape, f"W_out returned by {what}")
    exp_in, exp_out, exp_losses = sgd_reference(triples, W_in, W_out, lr, epochs, L)
    hint = "one step per triple, in order; both gradients before either update"
    expect_close(losses, exp_losses, what=f"the mean losses of {what}", rtol=1e-7, hint=hint)
    expect_close(W1, exp_in, what=f"W_in after {what}", rtol=1e-6, atol=1e-9, hint=hint)
    expect_close(W2, exp_out, what=f"W_out after {what}", rtol=1e-6, atol=1e-9, hint=hint)


def toy_triples(window=2):
    from wvlib.corpus import Vocabulary, load_corpus
    corpus = load_corpus("toy")
    vocab = Vocabulary.build(corpus)
    triples = []
    for ids in vocab.encode_documents(corpus):
        for i, center in enumerate(ids):
            for j in range(max(0, i - window), min(len(ids), i + window + 1)):
                if j != i:
                    triples.append((int(center), int(ids[j]), abs(i - j)))
    return np.array(triples), len(vocab)


@check("q4-sgd", "the toy corpus with another initialisation, learning rate, window and "
                 "number of epochs", weight=2, core=True)
def _(k):
    triples, V = toy_triples(window=3)
    rng = hidden_rng(k, "q4-sgd/1")
    W_in, W_out = rng.uniform(-0.1, 0.1, size=(V, 5)), rng.normal(scale=0.1, size=(V, 5))
    what = "sgd_epochs(toy triples with L = 3, another init, lr=0.3, epochs=2)"
    got = call_unmodified(k, "sgd_epochs", triples, W_in, W_out, 0.3, 2, 3, what=what)
    expect_sgd(got, triples, W_in, W_out, 0.3, 2, 3, what)


@check("q4-sgd", "the order of the triples matters: a shuffled list, a tiny vocabulary")
def _(k):
    rng = hidden_rng(k, "q4-sgd/2")
    triples = np.column_stack([rng.integers(4, size=30), rng.integers(4, size=30),
                               rng.integers(1, 4, size=30)])
    W_in, W_out = rng.normal(scale=0.3, size=(4, 3)), rng.normal(scale=0.3, size=(4, 3))
    expect_sgd(k.call("sgd_epochs", triples, W_in, W_out, 0.2, 2, 3), triples, W_in, W_out,
               0.2, 2, 3, "sgd_epochs on 30 random triples of a 4-word vocabulary")


# ---- q5-choose-by-band ------------------------------------------------------------------------
def band_experiment(rng, n_dev=300, n_test=6000, threshold=50):
    """A simulated comparison of two models whose quality differs by frequency band; which
    model is better in which band changes from draw to draw."""
    n = n_dev + n_test
    rarest = np.round(np.exp(rng.uniform(np.log(5), np.log(5000), size=n)))
    rare = rarest < threshold
    # quality[model, band] (band 0 rare, 1 frequent): in each band one model is clearly
    # better, and most draws reverse the order between the bands
    quality = np.empty((2, 2))
    better = rng.integers(2)
    for band in (0, 1):
        low = rng.uniform(0.15, 0.4)
        quality[:, band] = low
        quality[better, band] = low + rng.uniform(0.1, 0.25)
        if rng.random() < 0.7:
            better = 1 - better
    gold = rng.uniform(0, 10, size=n)
    z = (gold - gold.mean()) / gold.std()
    common = rng.normal(size=n)
    scores = np.array([np.where(rare, q[0], q[1]) * z
                       + np.sqrt(1 - np.where(rare, q[0], q[1]) ** 2)
                       * (0.6 * common + 0.8 * rng.normal(size=n)) for q in quality])
    return {"threshold": threshold, "dev_gold": gold[:n_dev], "dev_scores": scores[:, :n_dev],
            "dev_rarest": rarest[:n_dev], "test_gold": gold[n_dev:],
            "test_scores": scores[:, n_dev:], "test_rarest": rarest[n_dev:]}


def band_rhos(gold, scores, rarest, threshold):
    rare = rarest < threshold
    return np.array([[stats.spearmanr(gold[band], s[band]).statistic for band in (rare, ~rare)]
                     for s in scores])                   # [model, band]


@check("q5-choose-by-band", "new simulated experiments: the chosen models do well on each "
                            "band of the test pairs", weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q5-choose-by-band/1")
    short, ref_short = [], []
    for _ in range(10):
        ex = band_experiment(rng)
        got = k.call("choose_by_band", ex["dev_gold"], ex["dev_scores"], ex["dev_rarest"],
                     ex["threshold"])
        expect(isinstance(got, (tuple, list)) and len(got) == 2
               and all(isinstance(m, (int, np.integer)) and int(m) in (0, 1) for m in got),
               f"choose_by_band should return a pair of model indices (0 or 1), got "
               f"{str(got)[:80]}")
        test = band_rhos(ex["test_gold"], ex["test_scores"], ex["test_rarest"],
                         ex["threshold"])
        dev = band_rhos(ex["dev_gold"], ex["dev_scores"], ex["dev_rarest"], ex["threshold"])
        for band in (0, 1):
            short.append(test[:, band].max() - test[int(got[band]), band])
            ref_short.append(test[:, band].max() - test[int(np.argmax(dev[:, band])), band])
    expect(np.mean(short) <= np.mean(ref_short) + 0.02,
           f"on 10 new experiments the models you chose are on average {np.mean(short):.3f} "
           f"below the better model of their band in test rho; choosing by the dev pairs of "
           f"each band loses only {np.mean(ref_short):.3f}")
