"""Public checks for the chapter 7 exercises (NCE, Huffman codes, hierarchical softmax,
one cell of negative sampling, a time budget).

The learner sees these; the grader runs them too, in its own process (see
wvlib.course.checks). They hold no solution: they check properties of an answer (central
differences of the learner's own loss, prefix-free codes, probabilities that sum to 1, the
learner's own derivative vanishing at the learner's optimum, error cases) and compare with
values stored when the exercises were written, for the notebook's examples only. The
instructor's hidden tests decide each question on inputs drawn at grading time.
"""
import numpy as np

from wvlib.course.checks import CheckFailed, as_sympy, check, expect, expect_close, \
    expect_equal, expect_raises, expect_shape, expect_type

EPS = 1e-5

# ---- stored values for the notebook's examples (computed when the exercises were written) ----
Q1_LOSS = 3.5032292540771697
Q1_NEGATIVE_SAMPLING_LOSS = 1.5189166228017095      # the same example without the correction
Q1_GRAD_W = [-1.1683848439666444, -0.9752750504932862, -0.08571035765552652]
Q1_GRAD_C_ROW5 = [0.6128339521065286, 1.5520898763904187, -0.19136190956221555]
Q2_OPTIMAL_TOTAL = {(10, 6, 3, 2, 1): 43, (3, 5): 8, (4, 4, 4, 4, 4, 4, 4, 4): 96}
Q3_POINTS = [[0], [0, 1], [0, 1, 2], [0, 1, 2]]
Q3_SIGNS = [[1], [-1, 1], [-1, -1, 1], [-1, -1, -1]]
Q3_COUNTS = [[5, 1, 2, 2], [1, 3, 3, 1], [2, 2, 1, 7]]
Q3_EXPECTED = [[0.0, -1.3862943611198906, 0.0],
               [-1.9459101490553135, -0.2876820724517809, 1.0986122886681098],
               [-1.6094379124341003, -1.3862943611198906, -1.9459101490553135]]
Q5_DEV_RHO = [[0.15074, 0.145901, 0.347635, 0.438281, 0.376043],
              [0.064317, 0.155357, 0.115945, 0.328195, 0.428349],
              [0.128825, 0.269443, 0.325592, 0.331427, 0.360945],
              [0.159472, 0.185874, 0.276932, 0.230362, 0.360212]]


def unpack(got, n, what, names):
    expect_type(got, (tuple, list), what)
    expect(len(got) == n, f"{what} should return {n} values ({', '.join(names)}), got "
                          f"{len(got)}")
    return list(got)


def notebook_nce():
    rng = np.random.default_rng(0)
    C, w = rng.normal(size=(6, 3)), rng.normal(size=3)
    return [w, 2, np.array([0, 5, 5]), C, np.array([0.3, 0.25, 0.2, 0.1, 0.1, 0.05])]


def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


# -- q1-nce-grads ------------------------------------------------------------------------------
@check("q1-nce-grads", "the notebook's example, with a noise word drawn twice (stored values)")
def _(k):
    args = notebook_nce()
    what = "nce_loss_and_grads(w_example, 2, [0, 5, 5], C_example, noise_example)"
    loss, grad_w, grad_C = unpack(k.call("nce_loss_and_grads", *args), 3, what,
                                  ["loss", "grad_w", "grad_C"])
    loss = expect_shape(loss, (), f"the loss of {what}")
    hint = "Delta(c) = w.c - log(k P_n(c)), for the context word and for every noise word"
    if np.isclose(loss, Q1_NEGATIVE_SAMPLING_LOSS):
        hint = "this is the loss of negative sampling: NCE corrects every score by log(k P_n)"
    expect_close(loss, Q1_LOSS, what=f"the loss of {what}", hint=hint)
    expect_close(expect_shape(grad_w, (3,), f"grad_w of {what}"), Q1_GRAD_W,
                 what=f"grad_w of {what}")
    grad_C = expect_shape(grad_C, (6, 3), f"grad_C of {what}")
    for row in (1, 3, 4):
        if np.any(grad_C[row] != 0):
            raise CheckFailed(f"grad_C: row {row} should be 0 — word {row} is neither the "
                              f"context word nor a noise word")
    expect_close(grad_C[5], Q1_GRAD_C_ROW5, what=f"row 5 of grad_C (word 5 was drawn twice)",
                 hint="a noise word drawn twice counts twice: G[idx] += rows keeps one copy")


@check("q1-nce-grads", "the gradients agree with central differences of your loss")
def _(k):
    args = notebook_nce()
    rng = np.random.default_rng(1)
    base = unpack(k.call("nce_loss_and_grads", *args), 3, "nce_loss_and_grads",
                  ["loss", "grad_w", "grad_C"])
    for slot, grad_slot, name in ((0, 1, "grad_w"), (3, 2, "grad_C")):
        grad = expect_shape(base[grad_slot], np.shape(args[slot]), name)
        d = rng.normal(size=np.shape(args[slot]))
        values = []
        for sign in (1, -1):
            moved = list(args)
            moved[slot] = args[slot] + sign * EPS * d
            values.append(float(np.asarray(k.call("nce_loss_and_grads", *moved)[0])))
        numeric = (values[0] - values[1]) / (2 * EPS)
        analytic = float(np.sum(grad * d))
        expect(abs(numeric - analytic) <= 1e-6 * max(1e-8, abs(numeric) + abs(analytic)),
               f"gradient check of {name} failed: your loss changes at rate {numeric:.6g} "
               f"(central differences), your gradient predicts {analytic:.6g}")


@check("q1-nce-grads", "dot products in the thousands do not overflow")
def _(k):
    args = notebook_nce()
    args[0] = 2000 * args[0]
    loss = unpack(k.call("nce_loss_and_grads", *args), 3, "nce_loss_and_grads",
                  ["loss", "grad_w", "grad_C"])[0]
    expect(np.isfinite(float(np.asarray(loss, dtype=float))),
           "the loss is not finite for dot products in the thousands: -log sigma(x) = "
           "np.logaddexp(0, -x)")


@check("q1-nce-grads", "no noise word raises ValueError")
def _(k):
    args = notebook_nce()
    args[2] = np.array([], dtype=int)
    expect_raises(k, "nce_loss_and_grads", tuple(args), ["ValueError"],
                  "nce_loss_and_grads with an empty negatives array")


# -- q2-huffman --------------------------------------------------------------------------------
def expect_huffman(got, counts, what):
    expect_type(got, (list, tuple), what)
    expect(len(got) == len(counts), f"{what} should hold one code per word ({len(counts)}), "
                                    f"got {len(got)}")
    for w, code in enumerate(got):
        expect(isinstance(code, str) and len(code) > 0 and set(code) <= {"0", "1"},
               f"{what}: the code of word {w} should be a non-empty string of '0' and '1', "
               f"got {str(code)[:40]!r}")
    for a in range(len(got)):
        for b in range(len(got)):
            if a != b and got[b].startswith(got[a]):
                raise CheckFailed(f"{what} is not prefix-free: the code of word {a} "
                                  f"({got[a]!r}) is a prefix of the code of word {b} "
                                  f"({got[b]!r})")
    total = sum(c * len(code) for c, code in zip(counts, got))
    best = Q2_OPTIMAL_TOTAL[tuple(counts)]
    if total != best:
        swapped = [(a, b) for a in range(len(counts)) for b in range(len(counts))
                   if counts[a] > counts[b] and len(got[a]) > len(got[b])]
        hint = (f" Hint: word {swapped[0][0]} (count {counts[swapped[0][0]]}) has a longer "
                f"code than word {swapped[0][1]} (count {counts[swapped[0][1]]})" if swapped
                else " Hint: always merge the two nodes of smallest total count")
        raise CheckFailed(f"{what} is prefix-free but not optimal: sum of count x code length "
                          f"= {total}, a Huffman code reaches {best}.{hint}")


@check("q2-huffman", "five words: a valid, optimal code")
def _(k):
    counts = [10, 6, 3, 2, 1]
    expect_huffman(k.call("huffman_codes", counts), counts, "huffman_codes([10, 6, 3, 2, 1])")


@check("q2-huffman", "two words get one bit each; eight equal counts get three")
def _(k):
    got = k.call("huffman_codes", [3, 5])
    expect_huffman(got, [3, 5], "huffman_codes([3, 5])")
    expect_equal(sorted(got), ["0", "1"], "sorted(huffman_codes([3, 5]))")
    got = k.call("huffman_codes", [4] * 8)
    expect_huffman(got, [4] * 8, "huffman_codes([4] * 8)")
    expect_equal(sorted(len(c) for c in got), [3] * 8, "the code lengths for 8 equal counts",
                 hint="a balanced tree: 8 words need 3 bits each")


@check("q2-huffman", "fewer than 2 words raises ValueError")
def _(k):
    expect_raises(k, "huffman_codes", ([7],), ["ValueError"], "huffman_codes([7])",
                  hint="a tree needs at least two leaves")


# -- q3-hs-optimum -----------------------------------------------------------------------------
@check("q3-hs-optimum", "the notebook's 4-word tree (stored values)")
def _(k):
    got = expect_shape(k.call("hs_optimal_scores", np.array(Q3_COUNTS, dtype=float),
                              Q3_POINTS, Q3_SIGNS), (3, 3),
                       "hs_optimal_scores(counts_example, tree_points, tree_signs)")
    expect_close(got, Q3_EXPECTED, what="hs_optimal_scores(counts_example, ...)",
                 hint="which terms of the loss involve z_n . w, and where is their sum "
                      "smallest?")


@check("q3-hs-optimum", "your scores turn into probabilities that follow the counts")
def _(k):
    counts = np.array(Q3_COUNTS, dtype=float)
    X = expect_shape(k.call("hs_optimal_scores", counts, Q3_POINTS, Q3_SIGNS), (3, 3),
                     "hs_optimal_scores")
    model = np.array([[np.prod(sigmoid(np.array(Q3_SIGNS[c]) * X[w, Q3_POINTS[c]]))
                       for c in range(4)] for w in range(3)])
    expect_close(model.sum(axis=1), np.ones(3), what="the sum over the 4 words of P(c | w)")
    expect_close(model, counts / counts.sum(axis=1, keepdims=True), rtol=1e-8,
                 what="P(c | w) from your scores", hint="at the optimum the model reproduces "
                                                        "the corpus's conditional frequencies")


# -- q4-cell-optimum ---------------------------------------------------------------------------
def exact(value, what):
    import sympy
    value = as_sympy(value, what)
    expect(isinstance(value, sympy.Basic) and not isinstance(value, sympy.MatrixBase),
           f"{what} should be a SymPy expression, got {type(value).__name__}")
    expect(not value.atoms(sympy.Float), f"{what} = {sympy.sstr(value)[:80]} contains a "
                                         f"floating-point number; write it exactly")
    return value


@check("q4-cell-optimum", "A = 3, B = 1: the optimum (stored values)")
def _(k):
    import sympy
    got = unpack(k.call("cell_optimum", sympy.Integer(3), sympy.Integer(1)), 2,
                 "cell_optimum(3, 1)", ["sigma(x*)", "J''(x*)"])
    s_star = exact(got[0], "sigma(x*) of cell_optimum(3, 1)")
    curvature = exact(got[1], "J''(x*) of cell_optimum(3, 1)")
    expect(sympy.simplify(s_star - sympy.Rational(3, 4)) == 0,
           f"sigma(x*) of cell_optimum(3, 1) = {s_star}, expected 3/4")
    expect(sympy.simplify(curvature - sympy.Rational(3, 4)) == 0,
           f"J''(x*) of cell_optimum(3, 1) = {curvature}, expected 3/4")


@check("q4-cell-optimum", "your J' vanishes at your optimum, and your J'' is positive there")
def _(k):
    import sympy
    A, B, s = sympy.symbols("A B s")    # plain symbols: they travel to the kernel and back
    first, second = unpack(k.call("cell_derivatives", A, B, s), 2, "cell_derivatives",
                           ["J'", "J''"])
    first, second = exact(first, "J'(x)"), exact(second, "J''(x)")
    names = {str(x) for x in first.free_symbols | second.free_symbols}
    expect(names <= {"A", "B", "s"}, f"write J' and J'' with A, B and s only (yours use "
                                     f"{sorted(names)})")
    s_star, curvature = unpack(k.call("cell_optimum", A, B), 2, "cell_optimum",
                               ["sigma(x*)", "J''(x*)"])
    s_star = exact(s_star, "sigma(x*)")
    expect(sympy.simplify(first.subs(s, s_star)) == 0,
           f"your J'(x) = {sympy.sstr(first)[:60]} is not zero at your sigma(x*) = "
           f"{sympy.sstr(s_star)[:60]}")
    expect(sympy.simplify(second.subs(s, s_star) - exact(curvature, "J''(x*)")) == 0,
           "your J''(x*) is not your J''(x) at your sigma(x*)")
    value = second.subs({A: 2, B: 5, s: sympy.Rational(1, 3)})
    expect(value.is_positive, f"J''(x) should be positive (J is convex); yours is {value} at "
                              f"A = 2, B = 5, s = 1/3")


# -- q5-choose-within-budget -------------------------------------------------------------------
def notebook_budget():
    epochs = np.array([1, 2, 5, 10, 20])
    seconds_per_epoch = np.array([9.0, 7.0, 2.5, 2.0])
    simulation = np.random.default_rng(7)
    ceiling, speed = np.array([0.48, 0.47, 0.38, 0.36]), np.array([3.0, 6.0, 2.0, 4.0])
    quality = ceiling[:, None] * (1 - np.exp(-epochs[None, :] / speed[:, None]))
    dev_gold = simulation.uniform(0, 10, size=200)
    standard = (dev_gold - dev_gold.mean()) / dev_gold.std()
    shared_noise = simulation.normal(size=200)
    dev_scores = np.array([[q * standard + np.sqrt(1 - q ** 2)
                            * (0.6 * shared_noise + 0.8 * simulation.normal(size=200))
                            for q in row] for row in quality])
    methods = ["skip-gram HS", "skip-gram NS", "CBOW HS", "CBOW NS"]
    return methods, epochs, seconds_per_epoch, 60.0, dev_gold, dev_scores


@check("q5-choose-within-budget", "on the notebook's experiment the choice fits the budget "
                                  "and is among the best runs that do on the dev pairs")
def _(k):
    methods, epochs, seconds, budget, gold, scores = notebook_budget()
    got = k.call("choose_within_budget", methods, epochs, seconds, budget, gold, scores)
    expect(isinstance(got, (tuple, list)) and len(got) == 2
           and all(isinstance(i, (int, np.integer)) for i in got)
           and 0 <= int(got[0]) < 4 and 0 <= int(got[1]) < 5,
           f"choose_within_budget should return a pair (m, e) of indices, got {str(got)[:80]}")
    m, e = int(got[0]), int(got[1])
    expect(seconds[m] * epochs[e] <= budget,
           f"{methods[m]} for {epochs[e]} epochs takes {seconds[m] * epochs[e]:.0f} s, over "
           f"the budget of {budget:.0f} s")
    fits = [Q5_DEV_RHO[i][j] for i in range(4) for j in range(5)
            if seconds[i] * epochs[j] <= budget]
    expect(Q5_DEV_RHO[m][e] >= max(fits) - 0.02,
           f"your run has dev rho {Q5_DEV_RHO[m][e]:.3f}; the best run within the budget "
           f"reaches {max(fits):.3f}")
