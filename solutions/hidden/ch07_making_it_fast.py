"""Hidden tests for the chapter 7 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs drawn here go into the student's kernel, values come
back as plain data (SymPy answers as whitelisted expression trees), and the expected values
are computed here by the reference code below. Huffman codes are judged by their properties
(prefix-free, optimal total length), since ties make them non-unique. Random inputs come from
``hidden_rng(k, ...)``: drawn afresh for every submission, the same on a rerun.
``public_values()`` gives the values the public checks compare against.
"""
import heapq
from pathlib import Path

import numpy as np
import sympy
from scipy import stats

from wvlib.course.checks import CheckFailed, check, expect, expect_close, expect_raises, \
    expect_shape, expect_type, hidden_rng
from wvlib.course.exact import as_sympy
from wvlib.course.public import ch07_making_it_fast as public


def notebook_values(*names):
    """Variables of the official solution notebook, run without its check calls: the public
    checks use the notebook's own examples."""
    import contextlib
    import io

    import nbformat
    nb = nbformat.read(Path(__file__).resolve().parents[1] / "ch07_making_it_fast.ipynb",
                       as_version=4)
    namespace = {"__name__": "__main__", "display": lambda *values: None}
    for cell in nb.cells:
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines()
                               if not line.startswith("check("))
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, "<notebook>", "exec"), namespace)
    return [namespace[name] for name in names]


EPS = 1e-5


def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


def unpack(got, n, what, names):
    expect_type(got, (tuple, list), what)
    expect(len(got) == n, f"{what} should return {n} values ({', '.join(names)}), got "
                          f"{len(got)}")
    return list(got)


def hint_from(got, mistakes, rtol=1e-6, atol=1e-9):
    for wrong, hint in mistakes:
        if len(wrong) == len(got) and all(
                np.shape(g) == np.shape(w) and np.allclose(np.asarray(g, dtype=float), w,
                                                           rtol=rtol, atol=atol)
                for g, w in zip(got, wrong)):
            return hint
    return ""


def public_values():
    """The values the public checks compare against: on the public module's inputs and on the
    notebook's examples (which are stored too, so that the checks use the same numbers)."""
    w, C, smoothed, methods, epochs, seconds, budget, dev_gold, dev_scores = notebook_values(
        "w_example", "C_example", "smoothed_example", "methods", "epochs", "seconds_per_epoch",
        "budget", "dev_gold", "dev_scores")
    args = (w, public.CONTEXT, public.NEGATIVES, C, public.NOISE)
    loss, grad_w, grad_C = nce_reference(*args)
    ns = nce_reference(w, public.CONTEXT, public.NEGATIVES, C, np.full(6, 1 / 3))
    added = nce_reference(*args, shift_sign=-1.0)
    fancy = nce_reference(*args, scatter="fancy")
    directions = np.random.default_rng(7)
    skip = {}
    for key, kk, noise in (("example", 5, smoothed), ("uniform", 1, public.UNIFORM)):
        args = (public.SKIP_COUNTS, public.SKIP_ROWS, public.SKIP_COLS, kk, noise)
        skip[f"q3/{key}"] = skip_reference(*args)
        skip[f"q3/{key}-chapter"] = skip_reference(*args, rule="chapter")
    rho = rho_table(dev_gold, dev_scores)
    fits = np.outer(seconds, epochs) <= budget
    return {
        "q1/w": w, "q1/C": C, "q1/loss": loss, "q1/grad_w": grad_w, "q1/grad_C": grad_C,
        "q1/loss-negative-sampling": ns[0], "q1/loss-added-correction": added[0],
        "q1/grad_C-fancy-index": fancy[2],
        "q1/direction-w": directions.normal(size=w.shape),
        "q1/direction-C": directions.normal(size=C.shape),
        "q2/optimal-totals": [int(optimal_total_length(c)) for c in public.HUFFMAN_INPUTS],
        "q3/smoothed": np.asarray(smoothed, dtype=float), **skip,
        "q4/variance-3-1": variance_reference(3, 1), "q4/bias-3-1": bias_reference(3, 1),
        "q4/variance-2-5": variance_reference(2, 5), "q4/bias-2-5": bias_reference(2, 5),
        "q5/methods": list(methods), "q5/epochs": np.asarray(epochs),
        "q5/seconds_per_epoch": np.asarray(seconds), "q5/budget": float(budget),
        "q5/dev_gold": dev_gold, "q5/dev_scores": dev_scores, "q5/dev-rho": rho,
        "q5/best-within-budget": float(rho[fits].max()),
    }


# ---- q1-nce-grads -----------------------------------------------------------------------------
def nce_reference(w, context, negatives, C, noise, shift_sign=1.0, shift_negatives=True,
                  scatter="add"):
    k = len(negatives)
    d_pos = C[context] @ w - shift_sign * np.log(k * noise[context])
    d_neg = C[negatives] @ w - (shift_sign * np.log(k * noise[negatives]) if shift_negatives
                                else 0.0)
    loss = np.logaddexp(0.0, -d_pos) + np.logaddexp(0.0, d_neg).sum()
    g_pos, g_neg = sigmoid(d_pos) - 1, sigmoid(d_neg)
    grad_w = g_pos * C[context] + g_neg @ C[negatives]
    grad_C = np.zeros_like(C)
    grad_C[context] += g_pos * w
    if scatter == "add":
        np.add.at(grad_C, negatives, np.outer(g_neg, w))
    else:
        grad_C[negatives] += np.outer(g_neg, w)
    return float(loss), grad_w, grad_C


def nce_mistakes(w, context, negatives, C, noise):
    uniform = np.ones_like(noise) / (len(negatives) * 1.0)   # k P_n = 1: negative sampling
    return [(nce_reference(w, context, negatives, C, uniform),
             "this is negative sampling: NCE subtracts log(k P_n(c)) from every score"),
            (nce_reference(w, context, negatives, C, noise, shift_sign=-1.0),
             "the offset is subtracted: the score is w.c - log(k P_n(c))"),
            (nce_reference(w, context, negatives, C, noise, shift_negatives=False),
             "the noise words' scores are corrected too, each by its own log(k P_n)"),
            (nce_reference(w, context, negatives, C, noise, scatter="fancy"),
             "a noise word drawn twice counts twice in grad_C: G[idx] += rows keeps only one "
             "copy; use np.add.at")]


def expect_nce(got, w, context, negatives, C, noise, what):
    loss, grad_w, grad_C = unpack(got, 3, what, ["loss", "grad_w", "grad_C"])
    loss = expect_shape(loss, (), f"the loss of {what}")
    grad_w = expect_shape(grad_w, w.shape, f"grad_w of {what}")
    grad_C = expect_shape(grad_C, C.shape, f"grad_C of {what}")
    untouched = sorted(set(range(len(C))) - {int(context), *map(int, negatives)})
    if untouched and np.any(grad_C[untouched] != 0):
        row = next(r for r in untouched if np.any(grad_C[r] != 0))
        raise CheckFailed(f"grad_C of {what}: row {row} should be 0 — word {row} is neither "
                          f"the context word nor a noise word")
    expected = nce_reference(w, context, negatives, C, noise)
    hint = hint_from((loss, grad_w, grad_C), nce_mistakes(w, context, negatives, C, noise))
    expect_close(loss, expected[0], what=f"the loss of {what}", rtol=1e-7, hint=hint)
    expect_close(grad_w, expected[1], what=f"grad_w of {what}", rtol=1e-6, atol=1e-9,
                 hint=hint)
    expect_close(grad_C, expected[2], what=f"grad_C of {what}", rtol=1e-6, atol=1e-9,
                 hint=hint)


def random_nce(rng, V, d, k, scale=1.0):
    C, w = rng.normal(size=(V, d)), scale * rng.normal(size=d)
    noise = rng.dirichlet(np.ones(V))
    context = int(rng.integers(V))
    negatives = rng.choice(V, size=k, p=noise)
    return w, context, negatives, C, noise


@check("q1-nce-grads", "random examples of several sizes, noise distributions and k",
       weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q1-nce-grads/1")
    for trial, (V, d, kk) in enumerate([
            (int(rng.integers(3, 6)), int(rng.integers(1, 4)), 1),
            (int(rng.integers(15, 30)), int(rng.integers(3, 8)), int(rng.integers(3, 8))),
            (int(rng.integers(100, 300)), int(rng.integers(10, 20)), int(rng.integers(10, 20)))]):
        w, context, negatives, C, noise = random_nce(rng, V, d, kk)
        negatives[0] = context                       # the context drawn as noise
        if kk > 2:
            negatives[2] = negatives[1]              # a noise word drawn twice
        expect_nce(k.call("nce_loss_and_grads", w, context, negatives, C, noise), w, context,
                   negatives, C, noise, f"nce_loss_and_grads on a random example (trial "
                                        f"{trial})")


@check("q1-nce-grads", "gradient checks of the student's own loss along random directions",
       weight=2)
def _(k):
    rng = hidden_rng(k, "q1-nce-grads/2")
    w, context, negatives, C, noise = random_nce(rng, 9, 4, 5)
    args = [w, context, negatives, C, noise]
    base = unpack(k.call("nce_loss_and_grads", *args), 3, "nce_loss_and_grads",
                  ["loss", "grad_w", "grad_C"])
    for slot, grad_slot, name in ((0, 1, "grad_w"), (3, 2, "grad_C")):
        grad = expect_shape(base[grad_slot], np.shape(args[slot]), name)
        for trial in range(3):
            d = rng.normal(size=np.shape(args[slot]))
            values = []
            for sign in (1, -1):
                moved = list(args)
                moved[slot] = args[slot] + sign * EPS * d
                values.append(float(np.asarray(k.call("nce_loss_and_grads", *moved)[0])))
            numeric = (values[0] - values[1]) / (2 * EPS)
            analytic = float(np.sum(grad * d))
            expect(abs(numeric - analytic) <= 1e-6 * max(1e-8, abs(numeric) + abs(analytic)),
                   f"gradient check of {name} failed: your loss changes at rate {numeric:.6g}, "
                   f"your gradient predicts {analytic:.6g}")


@check("q1-nce-grads", "dot products in the thousands stay finite and exact")
def _(k):
    rng = hidden_rng(k, "q1-nce-grads/3")
    for scale in (3000.0, -3000.0):
        w, context, negatives, C, noise = random_nce(rng, 6, 3, 3, scale)
        expect_nce(k.call("nce_loss_and_grads", w, context, negatives, C, noise), w, context,
                   negatives, C, noise, f"nce_loss_and_grads with w scaled by {scale:g}")


@check("q1-nce-grads", "no noise word, or a word of noise probability 0, raises ValueError")
def _(k):
    C, w = np.ones((4, 2)), np.ones(2)
    noise = np.array([0.5, 0.5, 0.0, 0.0])
    expect_raises(k, "nce_loss_and_grads", (w, 0, np.array([], dtype=int), C, noise),
                  ["ValueError"], "nce_loss_and_grads with no noise word")
    expect_raises(k, "nce_loss_and_grads", (w, 0, np.array([1, 3]), C, noise), ["ValueError"],
                  "nce_loss_and_grads with a noise word of probability 0")


# ---- q2-huffman -------------------------------------------------------------------------------
def optimal_total_length(counts):
    """sum_w count(w) * len(code(w)) of a Huffman code: the sum of the merged weights."""
    heap = [float(c) for c in counts]
    heapq.heapify(heap)
    total = 0.0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        total += merged
        heapq.heappush(heap, merged)
    return total


def expect_huffman(got, counts, what):
    counts = [int(c) for c in counts]
    expect_type(got, (list, tuple), what)
    expect(len(got) == len(counts), f"{what} should hold one code per word ({len(counts)}), "
                                    f"got {len(got)}")
    for w, code in enumerate(got):
        expect(isinstance(code, str) and len(code) > 0 and set(code) <= {"0", "1"},
               f"{what}: the code of word {w} should be a non-empty string of '0' and '1', "
               f"got {str(code)[:40]!r}")
    ordered = sorted(range(len(got)), key=lambda w: got[w])
    for a, b in zip(ordered, ordered[1:]):                # a prefix sorts right before
        if got[b].startswith(got[a]):
            raise CheckFailed(f"{what} is not prefix-free: the code of word {a} ({got[a]!r}) "
                              f"is a prefix of the code of word {b} ({got[b]!r})")
    total = sum(c * len(code) for c, code in zip(counts, got))
    best = optimal_total_length(counts)
    expect(total == best, f"{what} is prefix-free but not optimal: sum of count x code length "
                          f"= {total}, a Huffman code reaches {best:g}. Hint: always merge the "
                          f"two nodes of smallest total count")


@check("q2-huffman", "random Zipf-like counts of 3 to 300 words are coded optimally", weight=2,
       core=True)
def _(k):
    rng = hidden_rng(k, "q2-huffman/1")
    for n in (3, 7, 19, 60, 300):
        counts = [int(c) for c in rng.zipf(1.6, size=n).clip(1, 10_000)]
        expect_huffman(k.call("huffman_codes", counts), counts,
                       f"huffman_codes on {n} random counts")


@check("q2-huffman", "counts in a NumPy array, and an empty list raises ValueError")
def _(k):
    counts = np.array([1, 1, 2, 3, 5, 8, 13, 21])
    expect_huffman(k.call("huffman_codes", counts), counts, "huffman_codes(Fibonacci counts)")
    expect_raises(k, "huffman_codes", ([],), ["ValueError"], "huffman_codes([])")


# ---- q3-skip-optimum --------------------------------------------------------------------------
def skip_reference(counts, rows, cols, k, noise, rule="skip"):
    """x* of the cells when the trainer skips a noise word equal to the pair's context: c is
    drawn as noise for w in the k draws of each real pair (w, c') with c' != c (``rule=
    "chapter"``: in the draws of every real pair of w, as the chapter counts)."""
    counts, noise = np.asarray(counts, dtype=float), np.asarray(noise, dtype=float)
    real = counts[rows, cols]
    row_sums = counts.sum(axis=1)[rows]
    pairs = row_sums - real if rule == "skip" else row_sums
    return np.log(real) - np.log(k * noise[cols] * pairs)


def skip_mistakes(counts, rows, cols, k, noise):
    return [((skip_reference(counts, rows, cols, k, noise, "chapter"),),
             "that is the chapter's optimum, with k #(w) P_n(c) noise draws: the trainer skips "
             "the draws of c made for the real pairs (w, c) themselves"),
            ((-skip_reference(counts, rows, cols, k, noise),),
             "the sign is reversed: more real pairs make x* larger")]


def random_skip_problem(rng, n_words, n_contexts):
    counts = rng.poisson(rng.uniform(0.5, 6.0), size=(n_words, n_contexts)).astype(float)
    for w in range(n_words):                  # every word has two contexts at least
        counts[w, rng.choice(n_contexts, size=2, replace=False)] += 1
    rows, cols = np.nonzero(counts)
    keep = counts.sum(axis=1)[rows] > counts[rows, cols]   # finite optimum
    rows, cols = rows[keep], cols[keep]
    order = rng.permutation(len(rows))[:max(3, len(rows) // 2)]
    return counts, rows[order], cols[order], rng.dirichlet(np.ones(n_contexts))


@check("q3-skip-optimum", "random count matrices, noise distributions and k", weight=3,
       core=True)
def _(k):
    rng = hidden_rng(k, "q3-skip-optimum/1")
    for n_words, n_contexts in [(int(rng.integers(2, 4)), int(rng.integers(2, 4))),
                                (int(rng.integers(5, 12)), int(rng.integers(5, 12))),
                                (int(rng.integers(30, 60)), int(rng.integers(30, 80)))]:
        counts, rows, cols, noise = random_skip_problem(rng, n_words, n_contexts)
        kk = int(rng.integers(1, 16))
        what = f"trainer_optimum ({n_words} x {n_contexts} counts, {len(rows)} cells, k = {kk})"
        got = expect_shape(k.call("trainer_optimum", counts, rows, cols, kk, noise),
                           (len(rows),), what)
        hint = hint_from((got,), skip_mistakes(counts, rows, cols, kk, noise))
        expect_close(got, skip_reference(counts, rows, cols, kk, noise), what=what,
                     rtol=1e-9, atol=1e-12,
                     hint=hint or "which real pairs of w can have c drawn as noise?")


@check("q3-skip-optimum", "a word with a dominant context: the skip matters most there")
def _(k):
    rng = hidden_rng(k, "q3-skip-optimum/2")
    big = float(rng.integers(200, 1000))
    counts = np.array([[big, 1.0, 2.0], [3.0, 4.0, 5.0]])
    noise = rng.dirichlet(np.ones(3))
    rows, cols = np.array([0, 0, 1]), np.array([0, 1, 2])
    got = expect_shape(k.call("trainer_optimum", counts, rows, cols, 5, noise), (3,),
                       "trainer_optimum")
    expect_close(got, skip_reference(counts, rows, cols, 5, noise), rtol=1e-9, atol=1e-12,
                 what=f"trainer_optimum for a word seen {big:g} times with one context and 3 "
                      f"times with the others",
                 hint=hint_from((got,), skip_mistakes(counts, rows, cols, 5, noise)))


@check("q3-skip-optimum", "cells without a finite optimum, k < 1 and zero noise raise "
                          "ValueError, also among finite cells")
def _(k):
    rng = hidden_rng(k, "q3-skip-optimum/3")
    counts, rows, cols, noise = random_skip_problem(rng, 6, 7)
    alone = np.zeros((1, 7))
    alone[0, 3] = float(rng.integers(1, 9))            # every pair of the word has context 3
    counts = np.vstack([counts, alone])
    expect_raises(k, "trainer_optimum", (counts, np.append(rows, 6), np.append(cols, 3), 5,
                                         noise), ["ValueError"],
                  "trainer_optimum with a cell that holds every real pair of its word")
    empty = int(np.flatnonzero(counts[6] == 0)[0])
    expect_raises(k, "trainer_optimum", (counts, np.append(rows, 6), np.append(cols, empty),
                                         5, noise), ["ValueError"],
                  "trainer_optimum with a cell never observed")
    expect_raises(k, "trainer_optimum", (counts, rows, cols, 0, noise), ["ValueError"],
                  "trainer_optimum with k = 0")


# ---- q4-target-noise --------------------------------------------------------------------------
def exact(value, what):
    value = as_sympy(value, what)
    expect(isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixBase),
           f"{what} should be a SymPy expression, got {type(value).__name__}")
    floats = value.atoms(sympy.Float)
    expect(not floats, f"{what} = {sympy.sstr(value)[:80]} contains a floating-point number; "
                       f"write it exactly (sympy.Rational, or integers)")
    return value


def expect_equivalent(got, expected, what, hint="", mistakes=()):
    got = exact(got, what)
    if sympy.cancel(sympy.together(got - expected)) != 0:
        for wrong, wrong_hint in mistakes:
            if sympy.cancel(sympy.together(got - wrong)) == 0:
                hint = wrong_hint
        raise CheckFailed(f"{what} = {sympy.sstr(got)[:120]} is not the right expression"
                          + (f". Hint: {hint}" if hint else ""))


def variance_reference(a, b):
    a, b = sympy.sympify(a), sympy.sympify(b)
    return 1 / a + 1 / b


def bias_reference(a, b):
    a, b = sympy.sympify(a), sympy.sympify(b)
    return 1 / (2 * b) - 1 / (2 * a)


def variance_mistakes(a, b):
    return [(1 / a, "the noise draws are counts too: their variance adds"),
            (a + b, "the delta method divides Var Â by (E Â)^2 = A^2"),
            (1 / a - 1 / b, "variances of independent terms add, also for a difference")]


def bias_mistakes(a, b):
    return [(1 / b - 1 / a, "the second-order term carries a factor 1/2"),
            (1 / (2 * a) - 1 / (2 * b), "the sign is reversed: log is concave, so "
                                        "E log Â < log E Â"),
            (-1 / (2 * a), "B̂ is a count too: its bias enters, with the opposite sign"),
            (-1 / (2 * a) - 1 / (2 * b), "the bias of log B̂ is subtracted, not added")]


@check("q4-target-noise", "the variance and the bias as expressions of new symbols", weight=3,
       core=True)
def _(k):
    rng = hidden_rng(k, "q4-target-noise/names")
    names = ["n_pos", "n_neg", "alpha_", "beta_", "u", "p", "q", "r", "m1", "m2"]
    a, b = sympy.symbols([str(x) for x in rng.choice(names, 2, replace=False)])
    expect_equivalent(k.call("target_variance", a, b), variance_reference(a, b),
                      f"target_variance({a}, {b})", hint="Var log Â for a Poisson count Â of "
                                                          "mean A, to first order",
                      mistakes=variance_mistakes(a, b))
    expect_equivalent(k.call("target_bias", a, b), bias_reference(a, b),
                      f"target_bias({a}, {b})", hint="g''(A) Var Â / 2 for g = log and a "
                                                      "Poisson Â of mean A",
                      mistakes=bias_mistakes(a, b))


@check("q4-target-noise", "exact fractions in, exact fractions out")
def _(k):
    rng = hidden_rng(k, "q4-target-noise/fractions")
    for _ in range(3):
        A = sympy.Rational(int(rng.integers(1, 500)), int(rng.integers(1, 7)))
        B = sympy.Rational(int(rng.integers(1, 500)), int(rng.integers(1, 7)))
        variance = exact(k.call("target_variance", A, B), f"target_variance({A}, {B})")
        bias = exact(k.call("target_bias", A, B), f"target_bias({A}, {B})")
        expect(variance == variance_reference(A, B), f"target_variance({A}, {B}) = {variance}, "
                                                     f"expected another exact value")
        expect(bias == bias_reference(A, B), f"target_bias({A}, {B}) = {bias}, expected "
                                             f"another exact value")


# ---- q5-choose-within-budget ------------------------------------------------------------------
EPOCHS = np.array([1, 2, 5, 10, 20])


def budget_experiment(rng, n_dev=200, n_test=4000):
    """Four simulated models: a quality that rises with the epochs at a model's own speed (and
    may fall again after a peak), a cost per epoch, and a budget that rules out the longest
    runs of the slow models."""
    ceiling = rng.uniform(0.3, 0.6, size=4)
    speed = rng.uniform(1.0, 8.0, size=4)
    seconds = np.array([rng.uniform(6, 12), rng.uniform(5, 10), rng.uniform(1.5, 4),
                        rng.uniform(1, 3)])
    budget = float(rng.uniform(0.15, 0.6) * seconds.max() * EPOCHS.max())
    decline = rng.uniform(0.0, 0.015, size=4)           # some models overfit after a peak
    quality = ceiling[:, None] * (1 - np.exp(-EPOCHS[None, :] / speed[:, None])) \
        - decline[:, None] * EPOCHS[None, :]
    quality = np.clip(quality, 0.02, 0.95)
    order = rng.permutation(4)
    quality, seconds = quality[order], seconds[order]
    n = n_dev + n_test
    gold = rng.uniform(0, 10, size=n)
    z = (gold - gold.mean()) / gold.std()
    common = rng.normal(size=n)
    scores = np.array([[q * z + np.sqrt(1 - q * q) * (0.6 * common + 0.8 * rng.normal(size=n))
                        for q in row] for row in quality])
    names = ["skip-gram HS", "skip-gram NS", "CBOW HS", "CBOW NS"]
    return {"methods": [names[i] for i in order], "seconds": seconds, "budget": budget,
            "dev_gold": gold[:n_dev], "dev_scores": scores[:, :, :n_dev],
            "test_gold": gold[n_dev:], "test_scores": scores[:, :, n_dev:]}


def rho_table(gold, scores):
    return np.array([[stats.spearmanr(gold, s).statistic for s in row] for row in scores])


@check("q5-choose-within-budget", "new simulated experiments: the choices fit the budget and "
                                  "do well on the test pairs", weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q5-choose-within-budget/1")
    short, ref_short = [], []
    for _ in range(8):
        ex = budget_experiment(rng)
        got = k.call("choose_within_budget", ex["methods"], EPOCHS, ex["seconds"],
                     ex["budget"], ex["dev_gold"], ex["dev_scores"])
        expect(isinstance(got, (tuple, list)) and len(got) == 2
               and all(isinstance(i, (int, np.integer)) for i in got)
               and 0 <= int(got[0]) < 4 and 0 <= int(got[1]) < len(EPOCHS),
               f"choose_within_budget should return a pair (m, e) of indices, got "
               f"{str(got)[:80]}")
        m, e = int(got[0]), int(got[1])
        cost = ex["seconds"][m] * EPOCHS[e]
        expect(cost <= ex["budget"], f"{ex['methods'][m]} for {EPOCHS[e]} epochs takes "
                                     f"{cost:.0f} s, over the budget of {ex['budget']:.0f} s")
        feasible = np.outer(ex["seconds"], EPOCHS) <= ex["budget"]
        test = np.where(feasible, rho_table(ex["test_gold"], ex["test_scores"]), -np.inf)
        dev = np.where(feasible, rho_table(ex["dev_gold"], ex["dev_scores"]), -np.inf)
        short.append(test.max() - test[m, e])
        ref_short.append(test.max() - test[np.unravel_index(np.argmax(dev), dev.shape)])
    expect(np.mean(short) <= np.mean(ref_short) + 0.02,
           f"on 8 new experiments your choices are on average {np.mean(short):.3f} below the "
           f"best run that fits the budget, in test rho; choosing by the dev pairs loses only "
           f"{np.mean(ref_short):.3f}")
