"""Hidden tests for the chapter 7 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs drawn here with fixed seeds go into the student's
kernel, values come back as plain data, and the expected values are computed here with the
NumPy reference of ``wvlib.word2vec`` (Huffman trees with ``build_huffman``). Gradient checks
use central differences of the student's own loss along random directions.
"""
import numpy as np

from wvlib.course.checks import check, expect_close, expect_raises
from wvlib.course.public.ch06_word2vec import gradient_check
from wvlib.course.public.ch07_making_it_fast import expect_huffman, expect_neg, \
    expect_path_probability
from wvlib.word2vec import build_huffman

RNG_SEED = 20261207


# -- q1-neg-sampling ---------------------------------------------------------------------------
@check("q1-neg-sampling", "random inputs agree with the reference (1e-6)", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED)
    for trial, (V, d, n_neg) in enumerate([(3, 2, 1), (20, 5, 5), (200, 16, 15)]):
        W_out, v_c = rng.normal(size=(V, d)), rng.normal(size=d)
        o = int(rng.integers(V))
        negatives = rng.integers(V, size=n_neg)
        expect_neg(k.call("neg_sampling_loss_and_grads", v_c, o, negatives, W_out), v_c, o,
                   negatives, W_out, f"neg_sampling_loss_and_grads on a random example "
                                     f"(trial {trial})")


@check("q1-neg-sampling", "gradient checks on unseen inputs, the context word among the "
                          "negatives", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 1)
    W_out, v_c = rng.normal(size=(9, 4)), rng.normal(size=4)
    args = [v_c, 6, np.array([6, 2, 2, 8, 0]), W_out]
    gradient_check(k, "neg_sampling_loss_and_grads", args, 0, 1, "grad_v_c", rng=rng)
    gradient_check(k, "neg_sampling_loss_and_grads", args, 3, 2, "grad_W_out", rng=rng)
    expect_neg(k.call("neg_sampling_loss_and_grads", *args), *args,
               "neg_sampling_loss_and_grads when the context word is also drawn as a negative")


@check("q1-neg-sampling", "huge positive and negative dot products stay finite")
def _(k):
    rng = np.random.default_rng(RNG_SEED + 2)
    W_out, v_c = rng.normal(size=(6, 3)), rng.normal(size=3)
    for scale in (4000.0, -4000.0):
        expect_neg(k.call("neg_sampling_loss_and_grads", scale * v_c, 1, np.array([2, 4]),
                          W_out), scale * v_c, 1, [2, 4], W_out,
                   f"neg_sampling_loss_and_grads with v_c scaled by {scale:g}")


# -- q2-huffman --------------------------------------------------------------------------------
@check("q2-huffman", "random Zipf-like counts of 3 to 60 words are coded optimally", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 3)
    for n in (3, 7, 19, 60):
        counts = [int(c) for c in rng.zipf(1.6, size=n).clip(1, 10_000)]
        expect_huffman(k.call("huffman_codes", counts), counts,
                       f"huffman_codes on {n} random counts")


@check("q2-huffman", "counts in a NumPy array, and an empty list raises ValueError")
def _(k):
    counts = np.array([1, 1, 2, 3, 5, 8, 13, 21])
    expect_huffman(k.call("huffman_codes", counts), counts, "huffman_codes(Fibonacci counts)")
    expect_raises(k, "huffman_codes", ([],), ["ValueError"], "huffman_codes([])")


# -- q3-path-probability -----------------------------------------------------------------------
@check("q3-path-probability", "every path of Huffman trees of random vocabularies", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 4)
    for V, d in [(2, 3), (9, 4), (25, 6)]:
        tree = build_huffman(rng.integers(1, 50, size=V))
        W_out, v_c = rng.normal(size=(tree.n_inner, d)), rng.normal(size=d)
        total = 0.0
        for w in range(V):
            points = [int(p) for p in tree.points[w]]
            codes = [int(c) for c in tree.codes[w]]
            got = k.call("path_probability", v_c, points, codes, W_out)
            expect_path_probability(got, v_c, points, codes, W_out,
                                    f"path_probability of word {w} of a {V}-word tree")
            total += float(got)
        expect_close(total, 1.0, what=f"the sum of the path probabilities over {V} words")


@check("q3-path-probability", "NumPy arrays as points and codes, large dot products")
def _(k):
    rng = np.random.default_rng(RNG_SEED + 5)
    W_out, v_c = rng.normal(size=(5, 3)), 300 * rng.normal(size=3)
    points, codes = np.array([0, 2, 4]), np.array([1, 0, 1], dtype=np.int8)
    expect_path_probability(k.call("path_probability", v_c, points, codes, W_out), v_c,
                            points, codes, W_out, "path_probability with large dot products")
