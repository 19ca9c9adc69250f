"""wvlib.word2vec: gradient checks of every objective, Huffman tree, noise sampler,
subsampling, bad input; the compiled trainer against the NumPy reference."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from wvlib import word2vec as w2v
from wvlib.word2vec import kernels, reference

V, D, K = 7, 4, 3
EPS = 1e-6


def numerical_gradient(f, x):
    """Central differences of the scalar function f at x (float64), every coordinate."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + EPS
        plus = f(x)
        x[idx] = old - EPS
        minus = f(x)
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * EPS)
    return grad


def assert_gradient(analytic, numeric, what):
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    assert analytic.shape == numeric.shape, what
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    assert scale > 1e-8, f"{what}: the gradient is zero, the check would be vacuous"
    rel = np.linalg.norm(analytic - numeric) / scale
    assert rel < 1e-6, f"{what}: relative error {rel:.2e}"


@pytest.fixture
def rng():
    return np.random.default_rng(12)


def random_setup(rng, n_out=V):
    return rng.normal(size=D), rng.normal(size=(n_out, D))


# --------------------------------------------------------------------------------------
# single-example objectives
# --------------------------------------------------------------------------------------

def test_sigmoid_stable_and_correct():
    x = np.array([-800.0, -30.0, -1.0, 0.0, 2.0, 800.0])
    s = w2v.sigmoid(x)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s[1:5], 1 / (1 + np.exp(-x[1:5])), rtol=1e-14)
    assert s[0] == 0.0 and s[-1] == 1.0 and w2v.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(w2v.log_sigmoid(x[1:5]), np.log(s[1:5]), rtol=1e-12)
    assert w2v.log_sigmoid(-800.0) == -800.0


@pytest.mark.parametrize("trial", range(3))
def test_softmax_gradients(trial):
    rng = np.random.default_rng(trial)
    v, U = random_setup(rng)
    o = int(rng.integers(V))
    loss, g_v, g_U = w2v.softmax_loss_and_grads(v, o, U)
    scores = U @ v
    assert loss == pytest.approx(-scores[o] + np.log(np.exp(scores).sum()), rel=1e-12)
    f_v = lambda x: w2v.softmax_loss_and_grads(x, o, U)[0]  # noqa: E731
    f_U = lambda x: w2v.softmax_loss_and_grads(v, o, x)[0]  # noqa: E731
    assert_gradient(g_v, numerical_gradient(f_v, v), "softmax dJ/dv_c")
    assert_gradient(g_U, numerical_gradient(f_U, U), "softmax dJ/dW_out")


@pytest.mark.parametrize("trial", range(3))
def test_neg_sampling_gradients(trial):
    rng = np.random.default_rng(100 + trial)
    v, U = random_setup(rng)
    o = 2
    negatives = np.array([5, 0, 5, 2])      # repeated noise word, and one equal to o
    loss, g_v, g_U = w2v.neg_sampling_loss_and_grads(v, o, negatives, U)
    expected = -np.log(1 / (1 + np.exp(-U[o] @ v))) \
        - sum(np.log(1 / (1 + np.exp(U[k] @ v))) for k in negatives)
    assert loss == pytest.approx(expected, rel=1e-12)
    f_v = lambda x: w2v.neg_sampling_loss_and_grads(x, o, negatives, U)[0]  # noqa: E731
    f_U = lambda x: w2v.neg_sampling_loss_and_grads(v, o, negatives, x)[0]  # noqa: E731
    assert_gradient(g_v, numerical_gradient(f_v, v), "neg dJ/dv_c")
    assert_gradient(g_U, numerical_gradient(f_U, U), "neg dJ/dW_out")
    untouched = [w for w in range(V) if w not in (o, 0, 5)]
    assert np.all(g_U[untouched] == 0)


@pytest.mark.parametrize("trial", range(3))
def test_hs_gradients(trial):
    rng = np.random.default_rng(200 + trial)
    tree = w2v.build_huffman(rng.integers(1, 50, size=V))
    v, U = random_setup(rng, n_out=tree.n_inner)
    for w in range(V):
        pts, codes = tree.points[w], tree.codes[w]
        loss, g_v, g_U = w2v.hs_loss_and_grads(v, pts, codes, U)
        p_w = w2v.hs_probabilities(v, tree, U)[w]
        assert loss == pytest.approx(-np.log(p_w), rel=1e-10)
        f_v = lambda x: w2v.hs_loss_and_grads(x, pts, codes, U)[0]  # noqa: E731
        f_U = lambda x: w2v.hs_loss_and_grads(v, pts, codes, x)[0]  # noqa: E731
        assert_gradient(g_v, numerical_gradient(f_v, v), f"hs dJ/dv_c word {w}")
        assert_gradient(g_U, numerical_gradient(f_U, U), f"hs dJ/dW_out word {w}")


def test_hs_code_zero_means_sigmoid_of_plus_x():
    U = np.array([[1.0, 0.0]])
    v = np.array([2.0, 0.0])
    loss0 = w2v.hs_loss_and_grads(v, [0], [0], U)[0]
    loss1 = w2v.hs_loss_and_grads(v, [0], [1], U)[0]
    assert loss0 == pytest.approx(-np.log(w2v.sigmoid(2.0)))
    assert loss1 == pytest.approx(-np.log(w2v.sigmoid(-2.0)))


# --------------------------------------------------------------------------------------
# whole windows: skip-gram and CBOW, every objective
# --------------------------------------------------------------------------------------

def window_case(rng, objective, n_contexts):
    tree = w2v.build_huffman(rng.integers(1, 30, size=V)) if objective == "hs" else None
    W_in = rng.normal(size=(V, D))
    W_out = rng.normal(size=(tree.n_inner if tree else V, D))
    contexts = np.array([1, 4, 1, 6][:n_contexts])
    negatives = rng.integers(V, size=(n_contexts, K)) if objective == "neg" else None
    return tree, W_in, W_out, contexts, negatives


@pytest.mark.parametrize("objective", ["softmax", "neg", "hs"])
def test_skipgram_gradients(objective):
    rng = np.random.default_rng(7)
    tree, W_in, W_out, contexts, negatives = window_case(rng, objective, 4)
    center = 3

    def f(A, B):
        return w2v.skipgram_loss_and_grads(center, contexts, A, B, objective, negatives,
                                           tree)[0]
    loss, g_in, g_out = w2v.skipgram_loss_and_grads(center, contexts, W_in, W_out,
                                                    objective, negatives, tree)
    assert_gradient(g_in, numerical_gradient(lambda A: f(A, W_out), W_in),
                    "SG dJ/dW_in")
    assert_gradient(g_out, numerical_gradient(lambda B: f(W_in, B), W_out),
                    "SG dJ/dW_out")
    assert np.count_nonzero(np.abs(g_in).sum(axis=1)) == 1
    # the window loss is the sum of the single-example losses
    single = sum(reference._objective(W_in[center], int(o), W_out, objective,
                                None if negatives is None else negatives[i], tree)[0]
                 for i, o in enumerate(contexts))
    assert loss == pytest.approx(single, rel=1e-12)


@pytest.mark.parametrize("objective", ["softmax", "neg", "hs"])
def test_cbow_gradients(objective):
    rng = np.random.default_rng(8)
    tree, W_in, W_out, contexts, negatives = window_case(rng, objective, 4)
    center = 3

    def f(A, B):
        return w2v.cbow_loss_and_grads(contexts, center, A, B, objective, negatives[:1]
                                       if negatives is not None else None, tree)[0]
    neg = negatives[:1] if negatives is not None else None
    loss, g_in, g_out = w2v.cbow_loss_and_grads(contexts, center, W_in, W_out,
                                                objective, neg, tree)
    assert_gradient(g_in, numerical_gradient(lambda A: f(A, W_out), W_in),
                    "CBOW dJ/dW_in")
    assert_gradient(g_out, numerical_gradient(lambda B: f(W_in, B), W_out),
                    "CBOW dJ/dW_out")
    # word 1 appears twice in the window: twice the share of word 4
    np.testing.assert_allclose(g_in[1], 2 * g_in[4])


# --------------------------------------------------------------------------------------
# Huffman tree
# --------------------------------------------------------------------------------------

def independent_huffman_cost(weights):
    """Optimal expected code length by the merge-sum identity (no tree is built): the
    total cost of a Huffman code is the sum of the weights of all merged nodes."""
    w = sorted(float(x) for x in weights)
    cost = 0.0
    while len(w) > 1:
        a, b = w[0], w[1]
        w = sorted(w[2:] + [a + b])
        cost += a + b
    return cost / sum(weights)


def brute_force_optimal_length(weights):
    """Minimum expected length over all prefix codes: by Kraft's inequality a prefix
    code with lengths l_i exists iff sum 2^-l_i <= 1, so enumerate all length
    vectors."""
    n = len(weights)
    p = np.asarray(weights, dtype=np.float64) / np.sum(weights)
    best = np.inf
    for lengths in itertools.product(range(1, n), repeat=n):
        if sum(2.0 ** -l for l in lengths) <= 1.0 + 1e-12:
            best = min(best, float(p @ np.array(lengths)))
    return best


def assert_prefix_free(tree):
    words = ["".join(map(str, c)) for c in tree.codes]
    assert len(set(words)) == len(words)
    for a, b in itertools.permutations(words, 2):
        assert not b.startswith(a), f"code {a} is a prefix of {b}"


def test_huffman_structure():
    counts = np.array([50, 20, 15, 10, 3, 2])
    tree = w2v.build_huffman(counts)
    assert tree.n_inner == len(counts) - 1
    assert_prefix_free(tree)
    for codes, points in zip(tree.codes, tree.points):
        assert len(codes) == len(points) >= 1
        assert points[0] == tree.n_inner - 1          # root first
        assert len(set(points.tolist())) == len(points)
    lengths = tree.code_lengths()
    assert np.all(np.diff(lengths) >= 0)              # more frequent, not deeper
    assert sum(2.0 ** -lengths) == pytest.approx(1.0)  # full binary tree
    p = counts / counts.sum()
    entropy = -(p * np.log2(p)).sum()
    assert entropy <= tree.expected_length() < entropy + 1


@pytest.mark.parametrize("counts", [[1, 1], [5, 1, 1], [4, 3, 2, 1], [10, 10, 10, 10],
                                    [40, 30, 20, 5, 3, 2], [1, 2, 4, 8, 16, 32]])
def test_huffman_optimal_against_brute_force(counts):
    tree = w2v.build_huffman(counts)
    p = np.asarray(counts) / np.sum(counts)
    assert tree.expected_length(p) == pytest.approx(brute_force_optimal_length(counts))
    assert tree.expected_length(p) == pytest.approx(independent_huffman_cost(counts))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 1000), min_size=2, max_size=6))
def test_huffman_optimal_random(counts):
    tree = w2v.build_huffman(counts)
    assert_prefix_free(tree)
    assert tree.expected_length() == pytest.approx(brute_force_optimal_length(counts))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 10**6), min_size=2, max_size=60))
def test_huffman_optimal_random_larger(counts):
    tree = w2v.build_huffman(counts)
    assert tree.expected_length() == pytest.approx(independent_huffman_cost(counts))


def test_hs_probabilities_sum_to_one():
    rng = np.random.default_rng(3)
    for n in (2, 3, 9, 40):
        tree = w2v.build_huffman(rng.integers(1, 100, size=n))
        for scale in (0.1, 3.0):
            v = scale * rng.normal(size=D)
            U = scale * rng.normal(size=(tree.n_inner, D))
            probs = w2v.hs_probabilities(v, tree, U)
            assert probs.shape == (n,) and np.all(probs > 0)
            assert probs.sum() == pytest.approx(1.0, abs=1e-12)


# --------------------------------------------------------------------------------------
# noise, subsampling, window
# --------------------------------------------------------------------------------------

def test_noise_distribution():
    counts = np.array([100, 10, 1, 0])
    p = w2v.noise_distribution(counts)
    expected = counts ** 0.75 / (counts ** 0.75).sum()
    np.testing.assert_allclose(p, expected)
    np.testing.assert_allclose(w2v.noise_distribution(counts, power=1.0), counts / 111)
    assert p[2] > counts[2] / counts.sum()       # rare words drawn more often than U


def test_noise_sampler_matches_u34_chi_squared():
    counts = np.array([500, 200, 90, 40, 20, 9, 5, 2])
    p = w2v.noise_distribution(counts)
    draws = w2v.sample_negatives(p, 200_000, np.random.default_rng(2013))
    observed = np.bincount(draws, minlength=len(counts))
    _, pvalue = stats.chisquare(observed, 200_000 * p)
    assert pvalue > 0.01
    # and the test has power: the unigram distribution is rejected by the same draws
    _, p_unigram = stats.chisquare(observed, 200_000 * counts / counts.sum())
    assert p_unigram < 1e-6


def test_sample_negatives_shape_and_seed():
    p = w2v.noise_distribution([5, 3, 1])
    a = w2v.sample_negatives(p, (4, 5), 1)
    assert a.shape == (4, 5) and a.dtype == np.int64
    np.testing.assert_array_equal(a, w2v.sample_negatives(p, (4, 5), 1))
    assert np.all(w2v.sample_negatives([0.0, 1.0, 0.0], 50, 0) == 1)


def test_keep_probability_formulas():
    counts = np.array([10_000, 1_000, 100, 10, 1])
    T, t = counts.sum(), 1e-3
    phi = counts / T
    np.testing.assert_allclose(w2v.keep_probability(counts, t),
                               np.minimum(1, np.sqrt(t / phi) + t / phi))
    np.testing.assert_allclose(w2v.paper_keep_probability(counts, t),
                               np.minimum(1, np.sqrt(t / phi)))
    c_rule = w2v.keep_probability(counts, t)
    assert np.all(c_rule >= w2v.paper_keep_probability(counts, t))
    assert np.all(w2v.keep_probability(counts, 0) == 1)


def test_subsampling_keeps_expected_fraction():
    counts = np.array([20_000, 5_000, 1_000, 200, 50])
    tokens = np.repeat(np.arange(len(counts)), counts)
    p = w2v.keep_probability(counts, 1e-3)
    rng = np.random.default_rng(5)
    kept = tokens[rng.random(tokens.size) < p[tokens]]
    expected = (counts * p).sum()
    sd = np.sqrt((counts * p * (1 - p)).sum())        # binomial: 4 standard deviations
    assert abs(kept.size - expected) < 4 * sd
    per_word = np.bincount(kept, minlength=len(counts))
    sd_word = np.sqrt(counts * p * (1 - p))
    assert np.all(np.abs(per_word - counts * p) <= 4 * sd_word + 1e-9)


def test_dynamic_window_weights_match_simulation():
    L = 5
    weights = w2v.dynamic_window_weights(L)
    np.testing.assert_allclose(weights, [1, 0.8, 0.6, 0.4, 0.2])
    b = np.random.default_rng(0).integers(1, L + 1, size=100_000)
    simulated = [(b >= ell).mean() for ell in range(1, L + 1)]
    np.testing.assert_allclose(simulated, weights, atol=0.01)


# --------------------------------------------------------------------------------------
# full-softmax reference trainer
# --------------------------------------------------------------------------------------

TOY = [["the", "king", "rules", "the", "land"],
       ["the", "queen", "rules", "the", "land"],
       ["a", "king", "and", "a", "queen"], ["the", "land", "is", "wide"]]


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_train_softmax_reference_lowers_loss(model):
    res = w2v.train_softmax_reference(TOY, dim=8, window=2, epochs=30, lr=0.1, seed=0,
                                      model=model)
    assert len(res.loss_history) == 30
    assert res.loss_history[-1] < 0.7 * res.loss_history[0]
    assert res.W_in.shape == (len(res.vocab), 8) and res.W_out.shape == res.W_in.shape
    again = w2v.train_softmax_reference(TOY, dim=8, window=2, epochs=30, lr=0.1, seed=0,
                                        model=model)
    np.testing.assert_array_equal(res.W_in, again.W_in)
    assert res.wv["king"].shape == (8,)


def test_train_softmax_reference_first_epoch_loss_is_log_v():
    # W_out starts at zero, so the first prediction costs exactly log |V|
    res = w2v.train_softmax_reference([["a", "b"]], dim=3, window=1, epochs=1, lr=1e-12)
    assert res.loss_history[0] == pytest.approx(np.log(2))


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, word", [
    (dict(corpus=[]), "corpus"),
    (dict(corpus=[[], []]), "corpus"),
    (dict(window=0), "window"),
    (dict(window=20), "window"),
    (dict(dim=0), "dim"),
    (dict(epochs=0), "epochs"),
    (dict(lr=-1.0), "lr"),
    (dict(model="glove"), "model"),
])
def test_train_softmax_reference_bad_input(kwargs, word):
    args = dict(corpus=TOY, dim=4, window=2, epochs=1)
    args.update(kwargs)
    corpus = args.pop("corpus")
    with pytest.raises(ValueError, match=word):
        w2v.train_softmax_reference(corpus, **args)


def test_objectives_bad_input():
    rng = np.random.default_rng(0)
    v, U = random_setup(rng)
    with pytest.raises(ValueError, match="o must be a word id"):
        w2v.softmax_loss_and_grads(v, V, U)
    with pytest.raises(ValueError, match="v_c"):
        w2v.softmax_loss_and_grads(v[:2], 0, U)
    with pytest.raises(ValueError, match="negatives"):
        w2v.neg_sampling_loss_and_grads(v, 0, [0, V + 1], U)
    with pytest.raises(ValueError, match="codes"):
        w2v.hs_loss_and_grads(v, [0, 1], [0, 2], U)
    with pytest.raises(ValueError, match="objective"):
        w2v.skipgram_loss_and_grads(0, [1], U, U, objective="nce")
    with pytest.raises(ValueError, match="negatives is required"):
        w2v.skipgram_loss_and_grads(0, [1], U, U, objective="neg")
    with pytest.raises(ValueError, match="tree"):
        w2v.cbow_loss_and_grads([1], 0, U, U, objective="hs")
    with pytest.raises(ValueError, match="contexts"):
        w2v.cbow_loss_and_grads([], 0, U, U)
    with pytest.raises(ValueError, match="counts"):
        w2v.build_huffman([3])
    with pytest.raises(ValueError, match="counts"):
        w2v.noise_distribution([0, 0])
    with pytest.raises(ValueError, match="sample"):
        w2v.keep_probability([3, 4], -1e-3)
    with pytest.raises(ValueError, match="window"):
        w2v.dynamic_window_weights(0)
    with pytest.raises(ValueError, match="power"):
        w2v.noise_distribution([3, 4], power=-1)


# --------------------------------------------------------------------------------------
# the compiled trainer
# --------------------------------------------------------------------------------------

def small_matrices(seed, n_in, n_out, d=6):
    rng = np.random.default_rng(seed)
    W_in = rng.normal(scale=0.5, size=(n_in, d)).astype(np.float32)
    W_out = rng.normal(scale=0.5, size=(n_out, d)).astype(np.float32)
    return W_in, W_out


NO_TREE = (np.zeros((1, 1), np.int32), np.zeros((1, 1), np.int8), np.zeros(1, np.int32))


def test_compiled_sg_neg_step_equals_reference():
    W_in, W_out = small_matrices(0, V, V)
    inp, target, negs = 2, 5, np.array([1, 6, 3], dtype=np.int64)
    alpha = np.float32(0.1)
    A, B = W_in.copy(), W_out.copy()
    unused = np.zeros((1, W_in.shape[1]), np.float32)
    loss = kernels.sg_step(A, B, unused, inp, target, negs, *NO_TREE, False, True, alpha,
                           np.zeros(W_in.shape[1], np.float32))
    ref_loss, g_in, g_out = w2v.skipgram_loss_and_grads(
        inp, [target], W_in.astype(np.float64), W_out.astype(np.float64), "neg",
        negatives=negs[None, :])
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    np.testing.assert_allclose(A, W_in - alpha * g_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(B, W_out - alpha * g_out, rtol=1e-5, atol=1e-6)
    assert not np.allclose(A, W_in) and not np.allclose(B, W_out)


def test_compiled_cbow_neg_step_equals_reference_times_window():
    W_in, W_out = small_matrices(1, V, V)
    ctx = np.array([1, 4, 1, 6], dtype=np.int64)
    target, negs = 3, np.array([0, 2, 5], dtype=np.int64)   # distinct, see neg_step
    alpha = np.float32(0.05)
    A, B = W_in.copy(), W_out.copy()
    d = W_in.shape[1]
    unused = np.zeros((1, d), np.float32)
    loss = kernels.cbow_step(A, B, unused, ctx, len(ctx), target, negs, *NO_TREE, False,
                             True, alpha, np.zeros((1, d), np.float32),
                             np.zeros(d, np.float32))
    ref_loss, g_in, g_out = w2v.cbow_loss_and_grads(
        ctx, target, W_in.astype(np.float64), W_out.astype(np.float64), "neg",
        negatives=negs)
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    # as in the C code, every context row receives the whole error: m times the gradient
    np.testing.assert_allclose(A, W_in - alpha * len(ctx) * g_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(B, W_out - alpha * g_out, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("sg", [True, False])
def test_compiled_hs_step_equals_reference(sg):
    counts = np.array([30, 20, 11, 9, 5, 3, 1])
    tree = w2v.build_huffman(counts)
    points, codes, lengths = w2v.huffman_arrays(tree)
    W_in, W_hs = small_matrices(2, V, tree.n_inner)
    alpha = np.float32(0.1)
    A, B = W_in.copy(), W_hs.copy()
    d = W_in.shape[1]
    unused = np.zeros((1, d), np.float32)
    no_negs = np.zeros(0, np.int64)
    target = 6                                            # the deepest word
    if sg:
        loss = kernels.sg_step(A, unused, B, 1, target, no_negs, points, codes, lengths,
                               True, False, alpha, np.zeros(d, np.float32))
        ref = w2v.skipgram_loss_and_grads(1, [target], W_in.astype(np.float64),
                                          W_hs.astype(np.float64), "hs", tree=tree)
        scale = 1
    else:
        ctx = np.array([0, 2], dtype=np.int64)
        loss = kernels.cbow_step(A, unused, B, ctx, 2, target, no_negs, points, codes,
                                 lengths, True, False, alpha, np.zeros((1, d), np.float32),
                                 np.zeros(d, np.float32))
        ref = w2v.cbow_loss_and_grads(ctx, target, W_in.astype(np.float64),
                                      W_hs.astype(np.float64), "hs", tree=tree)
        scale = 2
    ref_loss, g_in, g_out = ref
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    np.testing.assert_allclose(A, W_in - alpha * scale * g_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(B, W_hs - alpha * g_out, rtol=1e-5, atol=1e-6)


def test_kernel_noise_sampler_matches_u34():
    counts = np.array([500, 200, 90, 40, 20, 9, 5, 2])
    prob, alias = w2v.alias_table(counts)
    draws = kernels.draw_negatives(prob, alias, 2013, 200_000)
    observed = np.bincount(draws, minlength=len(counts))
    p = w2v.noise_distribution(counts)
    assert stats.chisquare(observed, 200_000 * p).pvalue > 0.01
    assert stats.chisquare(observed, 200_000 * counts / counts.sum()).pvalue < 1e-6


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=50)
       .filter(lambda c: sum(c) > 0))
def test_alias_table_is_exact(counts):
    prob, alias = w2v.alias_table(counts)
    n = len(counts)
    assert np.all((prob >= 0) & (prob <= 1)) and np.all((alias >= 0) & (alias < n))
    mass = prob.astype(np.float64).copy()
    np.add.at(mass, alias, 1.0 - prob)
    np.testing.assert_allclose(mass / n, w2v.noise_distribution(counts), atol=1e-6)


def test_kernel_subsampling_keeps_expected_fraction():
    counts = np.array([40_000, 10_000, 2_000, 400, 50])
    tokens = np.random.default_rng(0).permutation(
        np.repeat(np.arange(len(counts), dtype=np.int32), counts))
    keep = w2v.keep_probability(counts, 1e-3).astype(np.float32)
    out = np.empty_like(tokens)
    n, _ = kernels.subsample(tokens, 0, tokens.size, keep, np.uint64(7), out)
    kept = np.bincount(out[:n], minlength=len(counts))
    expected = counts * keep
    sd = np.sqrt(counts * keep * (1 - keep))
    assert np.all(np.abs(kept - expected) <= 4 * sd + 1e-9), (kept, expected)
    assert kept[-1] == counts[-1]                          # rare words always kept


LEE = None


def lee():
    global LEE
    if LEE is None:
        from wvlib.corpus import load_corpus
        LEE = load_corpus("lee")
    return LEE


@pytest.mark.parametrize("sg, hs, negative", [(True, False, 5), (False, False, 5),
                                              (True, True, 0), (False, True, 3)])
def test_word2vec_trains_and_is_deterministic_with_one_thread(sg, hs, negative):
    kwargs = dict(sg=sg, hs=hs, negative=negative, dim=20, epochs=3, seed=3, threads=1,
                  keep_context=True)
    a = w2v.Word2Vec(**kwargs).fit(lee())
    b = w2v.Word2Vec(**kwargs).fit(lee())
    np.testing.assert_array_equal(a.W_in, b.W_in)
    np.testing.assert_array_equal(a.W_out, b.W_out)
    assert a.W_in.dtype == np.float32 and a.W_in.shape == (len(a.vocab), 20)
    assert a.W_out.shape[0] == (len(a.vocab) if negative else len(a.vocab) - 1)
    assert len(a.loss_history) == 3 and a.loss_history[-1] < a.loss_history[0]
    assert a.words_per_second > 0 and a.train_seconds > 0
    c = w2v.Word2Vec(**dict(kwargs, seed=4)).fit(lee())
    assert not np.array_equal(a.W_in, c.W_in)
    # one compiled specialization serves every configuration: compiled once per process
    assert len(kernels.train_job.signatures) == 1


def test_word2vec_two_threads_learns_similarities():
    model = w2v.Word2Vec(dim=50, epochs=10, seed=0, threads=2, min_count=3).fit(lee())
    assert model.W_out is None                          # keep_context=False
    kv = model.wv
    # frequent topical pairs end up closer than random pairs
    rng = np.random.default_rng(0)
    near = kv.similarity("police", "officers")
    random_pairs = [kv.similarity(kv.index_to_key[i], kv.index_to_key[j])
                    for i, j in rng.integers(0, 300, size=(50, 2)) if i != j]
    assert near > np.mean(random_pairs) + 0.1


def test_word2vec_vectors_load_in_gensim(tmp_path):
    from gensim.models import KeyedVectors as GensimKV
    model = w2v.Word2Vec(dim=16, epochs=1, threads=1).fit(lee())
    for binary in (False, True):
        path = tmp_path / f"v{int(binary)}.txt"
        model.wv.save_word2vec_format(path, binary=binary)
        g = GensimKV.load_word2vec_format(str(path), binary=binary)
        assert g.index_to_key == list(model.vocab.words)
        np.testing.assert_allclose(g.vectors, model.W_in, rtol=1e-6, atol=1e-7)
    # one copy of the vectors in memory: W_in is wv.vectors (read-only)
    assert model.W_in is model.wv.vectors and not model.W_in.flags.writeable


@pytest.mark.parametrize("corpus, kwargs, words", [
    ([], {}, ["corpus"]),
    ([[], []], {}, ["corpus"]),
    ([["a", "b", "c", "a"]], dict(window=5, min_count=1), ["window"]),
    ([["a", "b", "c", "d", "e", "a"]], dict(window=2, negative=6, min_count=1),
     ["negative"]),
    (TOY, dict(window=0), ["window"]),
    (TOY, dict(negative=-1), ["negative"]),
    (TOY, dict(hs=False, negative=0), ["hs", "negative"]),
    (TOY, dict(sg="yes"), ["sg"]),
    (TOY, dict(alpha=-0.1), ["alpha"]),
    (TOY, dict(threads=0), ["threads"]),
    (TOY, dict(sample=-1.0), ["sample"]),
    (TOY, dict(min_count=100), ["min_count"]),
])
def test_word2vec_bad_input(corpus, kwargs, words):
    args = dict(min_count=1, window=2, negative=2, dim=4, epochs=1, threads=1)
    args.update(kwargs)
    with pytest.raises(ValueError) as info:
        w2v.Word2Vec(**args).fit(corpus)
    for word in words:
        assert word in str(info.value)


def test_kernel_sigmoid_table_accuracy():
    x = np.concatenate([np.linspace(-30, 30, 20_001), [-16.0, 16.0, 0.0]])
    x = x.astype(np.float32)
    s, loss = np.array([kernels.sigmoid_and_loss(v) for v in x]).T
    np.testing.assert_allclose(s, w2v.sigmoid(x.astype(np.float64)), atol=3e-7)
    exact = -w2v.log_sigmoid(x.astype(np.float64))
    np.testing.assert_allclose(loss, exact, rtol=1e-5, atol=3e-6)


# --------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, extra", [("sgns", []),
                                           ("cbow", ["--hs", "--negative", "0"])])
def test_cli_train_writes_vectors_gensim_reads(tmp_path, capsys, method, extra):
    from gensim.models import KeyedVectors as GensimKV

    from wvlib.cli import main
    out = tmp_path / f"{method}.txt"
    status = main(["train", method, "--corpus", "lee", "--out", str(out), "--dim", "16",
                   "--epochs", "1", "--threads", "1", "--sample", "1e-4",
                   "--alpha", "0.03"]
                  + extra)
    assert status == 0
    g = GensimKV.load_word2vec_format(str(out))
    assert g.vector_size == 16 and len(g) > 1000
    assert f"{method}: {len(g)} words" in capsys.readouterr().out


def test_cli_train_reports_missing_objective(tmp_path, capsys):
    from wvlib.cli import main
    status = main(["train", "sgns", "--corpus", "toy", "--out", str(tmp_path / "v.txt"),
                   "--negative", "0"])
    assert status == 2
    err = capsys.readouterr().err
    assert "hs" in err and "negative" in err


def test_bench_word2vec_prints_the_table(capsys):
    from wvlib.cli import main
    status = main(["bench", "word2vec", "--max-documents", "3", "--seeds", "1",
                   "--epochs", "1", "--models", "cbow", "--threads", "1",
                   "--min-count", "2"])
    assert status == 0
    table = capsys.readouterr().out
    for row in ("words/s", "wall time (s)", "peak memory (MB)", "WordSim-353 rho",
                "SimLex-999 rho", "analogies (3CosAdd)", "aims: words/s ratio"):
        assert row in table


# --------------------------------------------------------------------------------------
# the package: public names, reusable compiled helpers
# --------------------------------------------------------------------------------------
def test_the_package_exports_the_names_chapters_exercises_and_hidden_tests_use():
    """``wvlib.word2vec`` was one module: its public names still import from the package,
    and each is the object defined in the submodule that owns it."""
    from wvlib.word2vec import tables, trainer
    owners = {reference: ["sigmoid", "log_sigmoid", "softmax_loss_and_grads",
                          "neg_sampling_loss_and_grads", "hs_loss_and_grads",
                          "skipgram_loss_and_grads", "cbow_loss_and_grads",
                          "hs_probabilities", "train_softmax_reference", "SoftmaxModel"],
              tables: ["HuffmanTree", "build_huffman", "huffman_arrays", "noise_distribution",
                       "sample_negatives", "alias_table", "keep_probability",
                       "paper_keep_probability", "dynamic_window_weights"],
              trainer: ["Word2Vec", "train_sgns", "train_cbow"]}
    for module, names in owners.items():
        for name in names:
            assert getattr(w2v, name) is getattr(module, name), name
            assert name in w2v.__all__ and name in module.__all__, name
    assert sorted(w2v.__all__) == sorted(set(w2v.__all__))
    assert all(hasattr(w2v, name) for name in w2v.__all__)


def test_kernel_helpers_are_public_documented_and_cached():
    """The compiled helpers other trainers reuse are public, documented, and compiled with
    numba's on-disk cache (``cache=True``), so a process pays their JIT cost only once per
    machine."""
    for name in kernels.__all__:
        obj = getattr(kernels, name)
        assert obj.__doc__ and len(obj.__doc__.split()) >= 5, name
        if hasattr(obj, "py_func"):                       # a numba dispatcher
            assert type(obj._cache).__name__ != "NullCache", name
            assert obj.targetoptions.get("fastmath") and obj.targetoptions.get("nogil"), name
    assert {"sigmoid_and_loss", "lcg_next", "lcg_uniform", "lcg_below", "draw_negative",
            "neg_step", "hs_step", "train_job", "warm_up"} <= set(kernels.__all__)


def test_public_table_builders_reject_bad_input():
    with pytest.raises(ValueError, match="tree must be a HuffmanTree"):
        w2v.huffman_arrays([[0, 1]])
    with pytest.raises(ValueError, match="counts"):
        w2v.alias_table([])
    with pytest.raises(ValueError, match="power"):
        w2v.alias_table([1, 2, 3], power=-1)


# --------------------------------------------------------------------------------------
# jobs: bounded size, many more than threads, every word once per epoch
# --------------------------------------------------------------------------------------
def test_sentences_and_jobs_are_bounded_and_cover_the_corpus_once():
    from wvlib.word2vec import trainer
    rng = np.random.default_rng(3)
    lengths = np.concatenate([[0, 25_000, 1], rng.integers(0, 4000, 300), [10_000, 0]])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    starts = trainer.sentence_starts(offsets)
    pieces = np.diff(starts)
    assert starts[0] == 0 and starts[-1] == offsets[-1] and pieces.min() > 0
    assert pieces.max() <= trainer.MAX_SENTENCE_LENGTH
    assert set(offsets[:-1][lengths > 0]) <= set(starts)   # every document starts one
    # the 25,000-word document is cut as gensim cuts it: 10,000 + 10,000 + 5,000
    assert pieces[:3].tolist() == [10_000, 10_000, 5_000]
    bounds = trainer.job_bounds(starts)
    assert bounds[0] == 0 and bounds[-1] == len(starts) - 1
    assert np.all(np.diff(bounds) >= 1)                    # each sentence in one job
    words = np.diff(starts[bounds])
    single = np.diff(bounds) == 1
    assert np.all(words[~single] <= kernels.JOB_WORDS)     # at most a job's words, or one
    assert words.sum() == offsets[-1]                      # sentence alone
    assert len(bounds) - 1 > 60                            # many more jobs than threads


@pytest.mark.parametrize("sg", [True, False])
def test_two_threads_train_every_word_once_per_epoch_with_per_thread_counters(sg):
    corpus = lee()
    model = w2v.Word2Vec(sg=sg, dim=16, epochs=2, threads=2, seed=1, sample=0)
    model.fit(corpus)
    n_words = int(model.vocab.counts.sum())
    counters = model.thread_counters
    assert counters.shape == (2, 2, 3)
    np.testing.assert_array_equal(counters[:, :, 2].sum(axis=0), [n_words, n_words])
    assert sum(model.schedule["jobs"]) == 2 * model.schedule["n_jobs"]
    assert 2 * model.schedule["n_jobs"] >= 4 * 2            # more jobs than threads
    losses = counters[:, :, 0].sum(axis=0) / counters[:, :, 1].sum(axis=0)
    np.testing.assert_allclose(model.loss_history, losses)
    # with sample=0 every position is a prediction in CBOW: one per word and epoch
    # (a position whose window holds no other word predicts nothing)
    if not sg:
        assert np.all(counters[:, :, 1].sum(axis=0) <= n_words)
        assert np.all(counters[:, :, 1].sum(axis=0) >= n_words - 2 * len(corpus))


def test_a_word_input_may_be_any_list_of_rows():
    """train_job reads a word's input rows from a CSR map (fastText's subwords); mapping
    every word to one row of a permuted matrix trains the permuted vectors, bit for bit."""
    rng = np.random.default_rng(0)
    V, d = 30, 8
    tokens = rng.integers(0, V, 400).astype(np.int32)
    starts = np.array([0, 150, 400], dtype=np.int64)
    counts = np.bincount(tokens, minlength=V)
    keep = np.ones(V, np.float32)
    prob, alias = w2v.alias_table(counts)
    no_tree = (np.zeros((1, 1), np.int32), np.zeros((1, 1), np.int8), np.zeros(1, np.int32))
    W0 = rng.normal(scale=0.1, size=(V, d)).astype(np.float32)
    perm = rng.permutation(V)
    permuted = np.empty_like(W0)
    permuted[perm] = W0                                   # word w's vector is in row perm[w]
    results = []
    for sg in (True, False):
        for row_ptr, row_ids, W in (
                (*kernels.identity_rows(V), W0.copy()),
                (np.arange(V + 1), perm.astype(np.int32), permuted.copy())):
            W_neg = np.zeros((V, d), np.float32)
            out = kernels.train_job(tokens, starts, 0, 2, W, row_ptr.astype(np.int64),
                                    row_ids, 1, W_neg, W_neg[:1], keep, prob, alias,
                                    *no_tree, sg, False, 3, 2, 0.05, 1e-4, 0, 800,
                                    np.uint64(9))
            results.append((W, W_neg, out))
        (A, A_neg, a), (B, B_neg, b) = results[-2:]
        np.testing.assert_array_equal(B[perm], A)
        np.testing.assert_array_equal(B_neg, A_neg)
        assert a == b and a[2] == 400
    # a word of two rows: its input is their mean, and both rows move
    row_ptr = np.array([0, 2] + list(range(3, V + 2)), dtype=np.int64)
    row_ids = np.concatenate([[0, V], np.arange(1, V)]).astype(np.int32)
    W = np.vstack([W0, rng.normal(scale=0.1, size=(1, d)).astype(np.float32)])
    before = W.copy()
    kernels.train_job(tokens, starts, 0, 2, W, row_ptr, row_ids, 2, np.zeros((V, d),
                      np.float32), np.zeros((1, d), np.float32), keep, prob, alias,
                      *no_tree, True, False, 3, 2, 0.05, 1e-4, 0, 800, np.uint64(9))
    assert not np.array_equal(W[0], before[0]) and not np.array_equal(W[V], before[V])


def test_a_streamed_file_trains_the_same_vectors_as_its_corpus_in_memory(tmp_path):
    from wvlib.corpus import TextCorpus, load_corpus
    from wvlib.encoded import encode_corpus
    path = tmp_path / "lee.txt"
    path.write_text("\n".join(" ".join(doc) for doc in lee().documents[:80]))
    kwargs = dict(dim=12, epochs=2, threads=1, seed=5, min_count=3)
    streamed = w2v.Word2Vec(**kwargs).fit(TextCorpus(path))
    in_memory = w2v.Word2Vec(**kwargs).fit(load_corpus(path))
    encoded = w2v.Word2Vec(**kwargs).fit(encode_corpus(load_corpus(path), min_count=3))
    assert streamed.vocab.words == in_memory.vocab.words
    np.testing.assert_array_equal(streamed.W_in, in_memory.W_in)
    np.testing.assert_array_equal(encoded.W_in, in_memory.W_in)


_NO_REFCOUNT = r'''
from wvlib.word2vec import kernels
from wvlib.fasttext import trainer
kernels.warm_up(8)
trainer.warm_up(8)
for name, f in (("word2vec", kernels._run_job), ("fastText", trainer._run_job)):
    asm = f.inspect_asm(f.signatures[0])
    assert len(asm) > 10_000, (name, asm[:200])       # compiled here, not read from a cache
    print(name, asm.count("NRT_incref"), asm.count("NRT_decref"))
'''


def test_the_job_loops_count_no_references(tmp_path):
    """The loop of a job and every building block it calls run without numba's runtime
    (wvlib._jit): compiled afresh, their machine code calls neither NRT_incref nor
    NRT_decref, which count references atomically on the matrices all threads share."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))    # inspectable: not cached
    out = subprocess.run([sys.executable, "-c", _NO_REFCOUNT], env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["word2vec", "0", "0", "fastText", "0", "0"], out.stdout
