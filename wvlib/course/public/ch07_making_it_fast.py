"""Public checks for the chapter 7 exercises (negative sampling, Huffman codes, hierarchical
softmax).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
Expected values come from the library's NumPy reference (``wvlib.word2vec``). Huffman codes are
not unique (ties, and which child is 0), so a code is judged by its properties: one code per
word, binary, prefix-free, and of the optimal expected length.
"""
import heapq

import numpy as np

from wvlib.course.checks import CheckFailed, check, expect, expect_close, expect_equal, \
    expect_raises, expect_shape, expect_type
from wvlib.course.public.ch06_word2vec import as_grad_W, gradient_check, unpack
from wvlib.word2vec import hs_loss_and_grads, neg_sampling_loss_and_grads

W_OUT = np.array([[0.2, -0.1, 0.4],
                  [-0.3, 0.5, 0.1],
                  [0.6, 0.2, -0.2],
                  [0.0, -0.4, 0.3],
                  [0.1, 0.1, 0.1],
                  [-0.5, 0.3, 0.2]])
V_C = np.array([0.5, -1.0, 0.8])

# A hand-made tree over 4 words: inner nodes 0 (root), 1, 2; codes read from the root.
TREE_POINTS = [[0], [0, 1], [0, 1, 2], [0, 1, 2]]
TREE_CODES = [[0], [1, 0], [1, 1, 0], [1, 1, 1]]


# -- negative sampling -------------------------------------------------------------------------
def diagnose_neg(loss, grad_v, grad_W, v_c, o, negatives, W_out):
    exp_loss, exp_v, exp_W = neg_sampling_loss_and_grads(v_c, o, negatives, W_out)
    if np.isclose(loss, -exp_loss):
        return "the loss is -log sigma(u_o.v_c) - sum_k log sigma(-u_k.v_c), a positive number"
    if np.allclose(grad_v, -exp_v) and np.allclose(grad_W, -exp_W):
        return "both gradients have the wrong sign (d/dx -log sigma(x) = sigma(x) - 1 < 0)"
    if len(set(negatives)) < len(negatives):
        once = np.zeros_like(W_out)
        once[o] = exp_W[o]
        for n in set(negatives):
            if n != o:
                x = W_out[n] @ v_c
                once[n] = (1 / (1 + np.exp(-x))) * v_c
        if np.allclose(grad_W, once):
            return ("a negative drawn twice must count twice in grad_W_out: W[idx] += G "
                    "silently drops repeated rows; use np.add.at or a loop")
    return ""


def expect_neg(got, v_c, o, negatives, W_out, what):
    v_c, W_out = np.asarray(v_c, float), np.asarray(W_out, float)
    negatives = [int(n) for n in negatives]
    loss, grad_v, grad_W = unpack(got, 3, what, ["loss", "grad_v_c", "grad_W_out"])
    loss = expect_shape(loss, (), f"the loss of {what}")
    grad_v = expect_shape(grad_v, v_c.shape, f"grad_v_c of {what}")
    grad_W = as_grad_W(grad_W, W_out.shape, f"grad_W_out of {what}")
    exp_loss, exp_v, exp_W = neg_sampling_loss_and_grads(v_c, o, np.array(negatives), W_out)
    hint = diagnose_neg(loss, grad_v, grad_W, v_c, o, negatives, W_out)
    expect_close(loss, exp_loss, what=f"the loss of {what}",
                 hint=hint or "-log sigma(u_o.v_c) - sum over the negatives of "
                              "log sigma(-u_k.v_c)")
    expect_close(grad_v, exp_v, what=f"grad_v_c of {what}",
                 hint=hint or "(sigma(u_o.v_c) - 1) u_o + sum_k sigma(u_k.v_c) u_k")
    touched = {o, *negatives}
    untouched = [w for w in range(len(W_out)) if w not in touched]
    if untouched and np.any(grad_W[untouched] != 0):
        row = next(w for w in untouched if np.any(grad_W[w] != 0))
        raise CheckFailed(f"grad_W_out of {what}: row {row} should be zero — word {row} is "
                          f"neither the context word nor a negative sample")
    expect_close(grad_W, exp_W, what=f"grad_W_out of {what}",
                 hint=hint or "row o gets (sigma(u_o.v_c) - 1) v_c, row k of each negative "
                              "sigma(u_k.v_c) v_c")


@check("q1-neg-sampling", "shapes, loss and gradients with 3 distinct negatives")
def _(k):
    negs = np.array([0, 3, 5])
    expect_neg(k.call("neg_sampling_loss_and_grads", V_C.copy(), 2, negs, W_OUT.copy()),
               V_C, 2, negs, W_OUT, "neg_sampling_loss_and_grads(V_C, 2, [0, 3, 5], W_OUT)")


@check("q1-neg-sampling", "a negative drawn twice counts twice")
def _(k):
    negs = np.array([4, 1, 4])
    expect_neg(k.call("neg_sampling_loss_and_grads", V_C.copy(), 0, negs, W_OUT.copy()),
               V_C, 0, negs, W_OUT, "neg_sampling_loss_and_grads(V_C, 0, [4, 1, 4], W_OUT)")


@check("q1-neg-sampling", "gradient check (central differences) of your own loss")
def _(k):
    rng = np.random.default_rng(7)
    args = [V_C.copy(), 1, np.array([3, 0, 3, 5]), W_OUT.copy()]
    gradient_check(k, "neg_sampling_loss_and_grads", args, 0, 1, "grad_v_c", rng=rng)
    gradient_check(k, "neg_sampling_loss_and_grads", args, 3, 2, "grad_W_out", rng=rng)


@check("q1-neg-sampling", "large dot products do not overflow")
def _(k):
    negs = np.array([0, 3])
    got = k.call("neg_sampling_loss_and_grads", 2000 * V_C, 2, negs, W_OUT.copy())
    expect_neg(got, 2000 * V_C, 2, negs, W_OUT, "neg_sampling_loss_and_grads(2000 * V_C, ...)")


# -- Huffman codes ------------------------------------------------------------------------------
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
               f"{what}: the code of word {w} should be a non-empty string of '0' and '1', got "
               f"{code!r}")
    for a in range(len(got)):
        for b in range(len(got)):
            if a != b and got[b].startswith(got[a]):
                raise CheckFailed(f"{what} is not prefix-free: the code of word {a} ({got[a]!r})"
                                  f" is a prefix of the code of word {b} ({got[b]!r})")
    total = sum(c * len(code) for c, code in zip(counts, got))
    best = optimal_total_length(counts)
    if total != best:
        swapped = [(a, b) for a in range(len(counts)) for b in range(len(counts))
                   if counts[a] > counts[b] and len(got[a]) > len(got[b])]
        hint = (f" Hint: word {swapped[0][0]} (count {counts[swapped[0][0]]}) has a longer code "
                f"than word {swapped[0][1]} (count {counts[swapped[0][1]]}); always merge the "
                f"two nodes of smallest count" if swapped else
                " Hint: always merge the two nodes of smallest total count")
        raise CheckFailed(f"{what} is prefix-free but not optimal: sum of count x code length "
                          f"= {total}, a Huffman code reaches {best:g}.{hint}")


@check("q2-huffman", "five words: a valid, optimal code")
def _(k):
    counts = [10, 6, 3, 2, 1]
    expect_huffman(k.call("huffman_codes", counts), counts, "huffman_codes([10, 6, 3, 2, 1])")


@check("q2-huffman", "two words get one bit each")
def _(k):
    got = k.call("huffman_codes", [3, 5])
    expect_huffman(got, [3, 5], "huffman_codes([3, 5])")
    expect_equal(sorted(got), ["0", "1"], "sorted(huffman_codes([3, 5]))")


@check("q2-huffman", "equal counts: every code has the same length")
def _(k):
    got = k.call("huffman_codes", [4] * 8)
    expect_huffman(got, [4] * 8, "huffman_codes([4] * 8)")
    expect_equal(sorted(len(c) for c in got), [3] * 8, "the code lengths for 8 equal counts",
                 hint="a balanced tree: 8 words need 3 bits each")


@check("q2-huffman", "fewer than 2 words raises ValueError")
def _(k):
    expect_raises(k, "huffman_codes", ([7],), ["ValueError"], "huffman_codes([7])",
                  hint="a tree needs at least two leaves")


# -- path probability ---------------------------------------------------------------------------
def hs_probability(v_c, points, codes, W_out):
    """P(w | c) of a path, from the library's hierarchical-softmax loss."""
    loss = hs_loss_and_grads(np.asarray(v_c, float), np.asarray(points, dtype=np.int64),
                             np.asarray(codes, dtype=np.int64), np.asarray(W_out, float))[0]
    return float(np.exp(-loss))


def expect_path_probability(got, v_c, points, codes, W_out, what):
    expect_shape(got, (), what)
    expected = hs_probability(v_c, points, codes, W_out)
    flipped = hs_probability(v_c, points, 1 - np.asarray(codes), W_out)
    hint = ("your probability is the one of the mirrored path: code 0 takes sigma(+u.v), "
            "code 1 sigma(-u.v)" if np.isclose(float(got), flipped) and len(codes) else
            "the product over the path of sigma((1 - 2 code_j) u_{n_j}.v_c)")
    expect_close(got, expected, what=what, rtol=1e-6, atol=1e-12, hint=hint)


@check("q3-path-probability", "one path of the hand-made 4-word tree")
def _(k):
    W = W_OUT[:3].copy()
    expect_path_probability(k.call("path_probability", V_C.copy(), TREE_POINTS[2],
                                   TREE_CODES[2], W), V_C, TREE_POINTS[2], TREE_CODES[2], W,
                            "path_probability(V_C, [0, 1, 2], [1, 1, 0], W_out)")


@check("q3-path-probability", "the probabilities of all 4 words sum to 1")
def _(k):
    W = W_OUT[:3].copy()
    probs = [k.call("path_probability", V_C.copy(), p, c, W)
             for p, c in zip(TREE_POINTS, TREE_CODES)]
    total = float(np.sum(np.asarray(probs, dtype=float)))
    expect_close(total, 1.0, what="the sum over the 4 words of path_probability",
                 hint="at each inner node the two children get sigma(x) and sigma(-x), which "
                      "sum to 1")
    for w, (p, c) in enumerate(zip(TREE_POINTS, TREE_CODES)):
        expect_path_probability(probs[w], V_C, p, c, W, f"path_probability of word {w}")
