"""Public checks for the chapter 7 exercises (NCE, Huffman codes, what the trainer's negative
sampling factorizes, how noisy one cell's target is, a time budget).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
They hold inputs, properties (central differences of the learner's own loss, prefix-free codes,
error cases) and
comparisons with values stored when the exercises were made (``S``, see wvlib.course.stored;
the notebook's examples are stored there too) — no code that computes an answer. The points of
a question are decided by its hidden tests, on inputs drawn at grading time.
"""
import numpy as np
import sympy

from wvlib.course.checks import check, expect, expect_close, expect_equal, expect_finite, \
    expect_raises, expect_shape, expect_type
from wvlib.course.exact import as_sympy, expect_exact_number
from wvlib.course.stored import stored

S = stored("ch07_making_it_fast")
H = 1e-5                      # the step of the central differences

# -- inputs (the stored values are computed on these and on the notebook's examples) -----------
CONTEXT, NEGATIVES = 2, np.array([0, 5, 5])
NOISE = np.array([0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
HUFFMAN_INPUTS = ([10, 6, 3, 2, 1], [3, 5], [4] * 8)
SKIP_COUNTS = np.array([[5.0, 1.0, 2.0, 2.0], [1.0, 3.0, 3.0, 1.0], [2.0, 2.0, 1.0, 7.0]])
SKIP_ROWS, SKIP_COLS = np.array([0, 1, 2, 2]), np.array([0, 1, 3, 2])
UNIFORM = np.array([0.25, 0.25, 0.25, 0.25])
A, B = sympy.symbols("A B")        # plain symbols: they travel to the kernel and back


# -- q1-nce-grads ------------------------------------------------------------------------------
@check("q1-nce-grads", "the notebook's example, with a noise word drawn twice (stored values)")
def _(k):
    what = "nce_loss_and_grads(w_example, 2, [0, 5, 5], C_example, noise_example)"
    got = k.call("nce_loss_and_grads", S["q1/w"], CONTEXT, NEGATIVES, S["q1/C"], NOISE)
    expect_type(got, (tuple, list), what)
    expect(len(got) == 3, f"{what} should return (loss, grad_w, grad_C), got {len(got)} values")
    expect_close(got[0], S["q1/loss"], what=f"the loss of {what}",
                 hint="the score of a word c is w.c - delta(c), delta(c) = log(k P_n(c)), for the "
                      "context word and for every noise word",
                 mistakes={"this is the loss of negative sampling: NCE corrects every score by "
                           "log(k P_n)": S["q1/loss-negative-sampling"],
                           "the offset is subtracted: the score is w.c - log(k P_n(c))":
                           S["q1/loss-added-correction"]})
    expect_close(expect_shape(got[1], (3,), f"grad_w of {what}"), S["q1/grad_w"],
                 what=f"grad_w of {what}")
    grad_C = expect_shape(got[2], (6, 3), f"grad_C of {what}")
    expect_close(grad_C[[1, 3, 4]], np.zeros((3, 3)), atol=0,
                 what="rows 1, 3 and 4 of grad_C (words that are neither the context word nor "
                      "a noise word)")
    expect_close(grad_C, S["q1/grad_C"], what=f"grad_C of {what} (word 5 was drawn twice)",
                 mistakes={"a noise word drawn twice counts twice: G[idx] += rows keeps one "
                           "copy; use np.add.at": S["q1/grad_C-fancy-index"]})


@check("q1-nce-grads", "the gradients agree with central differences of your own loss")
def _(k):
    w, C = S["q1/w"], S["q1/C"]
    got = k.call("nce_loss_and_grads", w, CONTEXT, NEGATIVES, C, NOISE)
    expect_type(got, (tuple, list), "nce_loss_and_grads(...)")
    for d_w, d_C in ((S["q1/direction-w"], 0 * C), (0 * w, S["q1/direction-C"])):
        plus = k.call("nce_loss_and_grads", w + H * d_w, CONTEXT, NEGATIVES, C + H * d_C,
                      NOISE)[0]
        minus = k.call("nce_loss_and_grads", w - H * d_w, CONTEXT, NEGATIVES, C - H * d_C,
                       NOISE)[0]
        predicted = (expect_shape(got[1], (3,), "grad_w") * d_w).sum() \
            + (expect_shape(got[2], (6, 3), "grad_C") * d_C).sum()
        expect_close(predicted, (float(plus) - float(minus)) / (2 * H), rtol=1e-5, atol=1e-7,
                     what="the change of your loss along a direction that your gradients "
                          "predict (central differences give the expected value)",
                     hint="d/dx [-log sigma(x)] = sigma(x) - 1")


@check("q1-nce-grads", "dot products in the thousands do not overflow")
def _(k):
    got = k.call("nce_loss_and_grads", 2000 * S["q1/w"], CONTEXT, NEGATIVES, S["q1/C"], NOISE)
    expect_type(got, (tuple, list), "nce_loss_and_grads(...)")
    expect_finite(got[0], "the loss for dot products in the thousands",
                  hint="-log sigma(x) = np.logaddexp(0, -x)")


@check("q1-nce-grads", "no noise word raises ValueError")
def _(k):
    expect_raises(k, "nce_loss_and_grads", (S["q1/w"], CONTEXT, np.array([], dtype=int),
                                            S["q1/C"], NOISE), ["ValueError"],
                  "nce_loss_and_grads with an empty negatives array")


# -- q2-huffman --------------------------------------------------------------------------------
@check("q2-huffman", "three vocabularies: a prefix-free code of the optimal total length")
def _(k):
    for counts, best in zip(HUFFMAN_INPUTS, S["q2/optimal-totals"]):
        what = f"huffman_codes({counts})"
        got = k.call("huffman_codes", counts)
        expect_type(got, (list, tuple), what)
        expect(len(got) == len(counts), f"{what} should hold one code per word "
                                        f"({len(counts)}), got {len(got)}")
        expect(all(isinstance(c, str) and c and set(c) <= {"0", "1"} for c in got),
               f"{what}: every code should be a non-empty string of '0' and '1', got {got}")
        for a in range(len(got)):
            for b in range(len(got)):
                expect(a == b or not got[b].startswith(got[a]),
                       f"{what} is not prefix-free: the code of word {a} ({got[a]!r}) is a "
                       f"prefix of the code of word {b} ({got[b]!r})")
        total = sum(c * len(code) for c, code in zip(counts, got))
        expect(total == best, f"{what} is prefix-free but not optimal: sum of count x code "
                              f"length = {total}, a Huffman code reaches {best}. Hint: always "
                              f"merge the two nodes of smallest total count")


@check("q2-huffman", "fewer than 2 words raises ValueError")
def _(k):
    expect_raises(k, "huffman_codes", ([7],), ["ValueError"], "huffman_codes([7])",
                  hint="a tree needs at least two leaves")


# -- q3-skip-optimum ---------------------------------------------------------------------------
@check("q3-skip-optimum", "the notebook's example, and the same cells with k = 1 and uniform "
                          "noise (stored values)")
def _(k):
    for kk, noise, key in ((5, S["q3/smoothed"], "example"), (1, UNIFORM, "uniform")):
        what = f"trainer_optimum(counts_example, [0, 1, 2, 2], [0, 1, 3, 2], {kk}, ...)"
        got = k.call("trainer_optimum", SKIP_COUNTS, SKIP_ROWS, SKIP_COLS, kk, noise)
        expect_close(expect_shape(got, (4,), what), S[f"q3/{key}"], what=what,
                     hint="count the noise draws of c for w that the trainer really makes",
                     mistakes={"that is the chapter's optimum, with k #(w) P_n(c) noise draws: "
                               "the trainer skips some of them": S[f"q3/{key}-chapter"]})


@check("q3-skip-optimum", "cells without a finite optimum, k < 1 and zero noise raise "
                          "ValueError")
def _(k):
    counts = np.array([[4.0, 0.0, 2.0], [0.0, 3.0, 0.0]])
    noise = np.array([0.5, 0.3, 0.2])
    for rows, cols, kk, p, what in (
            ([0], [1], 5, noise, "a cell never observed"),
            ([1], [1], 5, noise, "a cell that holds every real pair of its word"),
            ([0], [0], 0.5, noise, "k = 0.5"),
            ([0], [2], 5, np.array([0.5, 0.5, 0.0]), "a context of noise probability 0")):
        expect_raises(k, "trainer_optimum", (counts, np.array(rows), np.array(cols), kk, p),
                      ["ValueError"], f"trainer_optimum on {what}")


# -- q4-target-noise ---------------------------------------------------------------------------
@check("q4-target-noise", "A = 3, B = 1 and A = 2, B = 5 (stored values)")
def _(k):
    for a, b in ((3, 1), (2, 5)):
        for name, key in (("target_variance", "variance"), ("target_bias", "bias")):
            got = as_sympy(k.call(name, sympy.Integer(a), sympy.Integer(b)),
                           f"{name}({a}, {b})")
            expect_exact_number(got, f"{name}({a}, {b})")
            expect(got == S[f"q4/{key}-{a}-{b}"], f"{name}({a}, {b}) = {got}, expected "
                                                  f"{S[f'q4/{key}-{a}-{b}']}")


@check("q4-target-noise", "the answers are expressions of A and B only")
def _(k):
    for name in ("target_variance", "target_bias"):
        got = as_sympy(k.call(name, A, B), f"{name}(A, B)")
        expect({str(x) for x in got.free_symbols} <= {"A", "B"},
               f"{name}(A, B) = {got} should be written with A and B only (no Â, no B̂)")


# -- q5-choose-within-budget -------------------------------------------------------------------
@check("q5-choose-within-budget", "on the notebook's experiment the choice fits the budget and "
                                  "is among the best runs that do on the dev pairs")
def _(k):
    seconds, epochs, budget = S["q5/seconds_per_epoch"], S["q5/epochs"], S["q5/budget"]
    got = k.call("choose_within_budget", S["q5/methods"], epochs, seconds, budget,
                 S["q5/dev_gold"], S["q5/dev_scores"])
    expect(isinstance(got, (tuple, list)) and len(got) == 2
           and all(isinstance(i, (int, np.integer)) for i in got)
           and 0 <= int(got[0]) < 4 and 0 <= int(got[1]) < 5,
           f"choose_within_budget should return a pair (m, e) of indices, got {str(got)[:80]}")
    m, e = int(got[0]), int(got[1])
    expect(seconds[m] * epochs[e] <= budget,
           f"{S['q5/methods'][m]} for {epochs[e]} epochs takes {seconds[m] * epochs[e]:.0f} s, "
           f"over the budget of {budget:.0f} s")
    expect(S["q5/dev-rho"][m][e] >= S["q5/best-within-budget"] - 0.02,
           f"your run has dev rho {S['q5/dev-rho'][m][e]:.3f}; the best run within the budget "
           f"reaches {S['q5/best-within-budget']:.3f}")
