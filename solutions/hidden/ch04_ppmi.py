"""Hidden tests for the chapter 4 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs go into the student's kernel, values come back as
plain data, and the expected values are computed here with wvlib.pmi. Random count matrices are
drawn for each submission (``hidden_rng``) and redrawn while any PMI value lies within 1e-6 of a
threshold of the question (0 or log k), so that round-off cannot decide an answer.
Question 5 (a judgement) gets simulated corpora with a word-similarity benchmark
(:func:`ppmi_experiment`): the learner's procedure sees the counts and the dev pairs, and its
choices are scored by Spearman's rho on the test pairs, against choosing by the dev pairs.
``public_values()`` gives what the public checks compare against, mistakes included, and
question 5's example corpus.
"""
import numpy as np
import scipy.sparse as sp
import sympy
from scipy import stats

from wvlib.course.checks import CheckFailed, as_sympy, call_unmodified, check, expect, \
    expect_close, expect_equal, expect_raises, expect_shape, expect_type, hidden_rng
from wvlib.course.public import ch04_ppmi as public
from wvlib.pmi import pmi_dense, pmi_matrix

TIE = 1e-6


# -- references and the usual mistakes -----------------------------------------------------------
def _log_ratio(C, row_totals, col_weights, col_norm):
    """log(#(w,c) * col_norm / (row_total * col_weight)) on the observed pairs, -inf elsewhere."""
    out = np.full(C.shape, -np.inf)
    seen = C > 0
    ratio = C * col_norm / (row_totals[:, None] * col_weights[None, :] + (~seen))
    out[seen] = np.log(ratio[seen])
    return out


def ppmi_mistakes(C, alpha, shift):
    """What the usual mistakes give for ``ppmi_sparse(C, alpha, shift)``, dense."""
    C = np.asarray(C, dtype=float)
    clip = lambda m: np.maximum(m, 0.0)  # noqa: E731
    pmi = pmi_dense(C, alpha=alpha, positive=False)
    filled = clip(np.where(C > 0, pmi, 1.0) - np.log(shift))
    return {"unseen-filled": filled,
            "smoothed-rows": clip(pmi_dense(C.T, alpha=alpha, positive=False).T - np.log(shift)),
            "normalized-by-D": clip(_log_ratio(C, C.sum(axis=1), C.sum(axis=0) ** alpha,
                                               C.sum()) - np.log(shift)),
            "alpha-ignored": clip(pmi_dense(C, positive=False) - np.log(shift)),
            "shift-ignored": clip(pmi),
            "minus-k": clip(pmi - shift),
            "plus-log-k": clip(pmi + np.log(shift))}


def removed_by_shift(C, k, alpha, variant="reference"):
    p = pmi_dense(np.asarray(C, dtype=float), alpha=alpha, positive=False)
    if variant == "survivors":
        return int(np.sum(p > np.log(k)))
    if variant == "with-negatives":
        return int(np.sum(np.isfinite(p) & (p <= np.log(k))))
    return int(np.sum((p > 0) & (p <= np.log(k))))


def senses_reference(p1, p2, n1, n2):
    """exp(PMI) of two senses merged: #(w_i, c) = p_i n_i #(c) / D, the rows add, #(c) and D
    stay — the frequency-weighted mean of the senses' exp(PMI)."""
    p1, p2, n1, n2 = (sympy.sympify(v) for v in (p1, p2, n1, n2))
    return (p1 * n1 + p2 * n2) / (n1 + n2)


def senses_mistakes(p1, p2, n1, n2):
    """{hint: the answer of the mistake}."""
    p1, p2, n1, n2 = (sympy.sympify(v) for v in (p1, p2, n1, n2))
    return {"the senses do not weigh alike: a sense seen more often counts more":
            (p1 + p2) / 2,
            "the PMIs do not average: merging adds the counts, not the logarithms":
            p1 ** (n1 / (n1 + n2)) * p2 ** (n2 / (n1 + n2)),
            "merging adds the co-occurrences #(w, c) but also the row sums #(w)":
            p1 * n1 + p2 * n2,
            "the weight of a sense is its count n_i, not the other sense's":
            (p1 * n2 + p2 * n1) / (n1 + n2)}


def public_values():
    C = np.array(public.COUNTS)
    pmi = pmi_dense(C, positive=False)
    values = {"q1/pmi": pmi, "q1/pmi-log2": np.where(C > 0, pmi / np.log(2), -np.inf),
              "q1/pmi-no-total": np.where(C > 0, pmi - np.log(C.sum()), -np.inf),
              "q1/pmi-upside-down": np.where(C > 0, -pmi, -np.inf),
              "q1/pmi-zero-for-unseen": np.where(C > 0, pmi, 0.0)}
    for alpha, shift, key in public.PPMI_CASES:
        values[f"q2/{key}"] = pmi_dense(C, alpha=alpha, shift=shift, positive=True)
        for mistake, wrong in ppmi_mistakes(C, alpha, shift).items():
            values[f"q2/{key}-{mistake}"] = wrong
    stored = pmi_matrix(sp.csr_matrix(C), alpha=0.75, shift=1.5).tocoo()
    values["q2/stored-alpha075-shift15"] = sorted(
        [int(i), int(j), float(v)] for i, j, v in zip(stored.row, stored.col, stored.data))
    counts = np.array(public.CONTEXT_COUNTS)
    values["q3/smoothed-075"] = counts ** 0.75 / np.sum(counts ** 0.75)
    values["q3/smoothed-1"] = counts / counts.sum()
    for k_shift, alpha in public.SHIFT_CASES:
        key = f"q3/removed-{k_shift}-{alpha}"
        values[key] = removed_by_shift(C, k_shift, alpha)
        for variant in ("survivors", "with-negatives"):
            values[f"{key}-{variant}"] = removed_by_shift(C, k_shift, alpha, variant)
    values["q4/cases"] = [senses_reference(*case) for case in public.SENSE_CASES]
    mistakes = [senses_mistakes(*case) for case in public.SENSE_CASES]
    values["q4/mistakes"] = {hint: [m[hint] for m in mistakes] for hint in mistakes[0]}
    values.update(example_values())
    return values


#: the notebook's corpus for question 5: smaller than the hidden ones (it ships with wvlib), and
#: one on which dropping the smoothing is clearly best
EXAMPLE_SEED = 33


def example_values():
    """Question 5's example (a simulated corpus and the dev half of its benchmark, loaded by
    the notebook), each setting's dev rho, and the choices of two usual mistakes."""
    ex = ppmi_experiment(np.random.default_rng(EXAMPLE_SEED), n_words=100, n_contexts=200,
                         n_dev=500, n_test=0)
    settings = [list(s) for s in SETTINGS]
    rho = setting_rhos(ex["counts"], SETTINGS, ex["dev_pairs"], ex["dev_gold"])
    nan_rho = [stats.spearmanr(ex["dev_gold"], nan_cosines(ex["counts"], setting,
                                                          ex["dev_pairs"])).statistic
               for setting in SETTINGS]
    return {"q5/counts": ex["counts"].astype(np.int64), "q5/settings": settings,
            "q5/dev_pairs": ex["dev_pairs"].astype(np.int64), "q5/dev_gold": ex["dev_gold"],
            "q5/dev-rho": rho, "q5/order": np.random.default_rng(0).permutation(len(SETTINGS)),
            "q5/choice-nan-cosines": int(np.argmax(nan_rho)),
            "q5/choice-default": SETTINGS.index((0.75, 1.0))}


# -- instructor-side comparisons -----------------------------------------------------------------
def expect_pmi(got, C, what):
    C = np.asarray(C, dtype=float)
    got = expect_shape(got, C.shape, what)
    seen = C > 0
    wrong_inf = np.argwhere(np.isneginf(got) != ~seen)
    if len(wrong_inf):
        i, j = (int(x) for x in wrong_inf[0])
        raise CheckFailed(f"{what}: entry ({i}, {j}) has count {C[i, j]:g} and should be "
                          f"{'-inf' if C[i, j] == 0 else 'finite'}, got {got[i, j]:g}")
    expect_close(got, pmi_dense(C, positive=False), what=what)


def expect_ppmi(got, C, alpha, shift, what):
    C = np.asarray(C, dtype=float)
    got = expect_shape(got, C.shape, what)
    expect_close(got, pmi_dense(C, alpha=alpha, shift=shift, positive=True), what=what)


def expect_sparse_ppmi(got, counts, alpha, shift, what):
    """A CSR matrix storing exactly the positive entries of the reference, no zeros."""
    expect(sp.issparse(got), f"{what} should be a scipy.sparse matrix, got "
                             f"{type(got).__name__}")
    expect_equal(got.format, "csr", f"the format of {what}")
    expect(np.all(got.data != 0), f"{what} stores explicit zeros")
    expected = pmi_matrix(counts, alpha=alpha, shift=shift)
    g, e = got.tocoo(), expected.tocoo()
    got_entries = sorted(zip(g.row.tolist(), g.col.tolist(), g.data.tolist()))
    expected_entries = sorted(zip(e.row.tolist(), e.col.tolist(), e.data.tolist()))
    expect_equal([x[:2] for x in got_entries], [x[:2] for x in expected_entries],
                 f"the positions of the stored entries of {what}")
    expect_close([x[2] for x in got_entries], [x[2] for x in expected_entries],
                 what=f"the stored values of {what}")


def random_counts(rng, shape, density, thresholds=(0.0,), alpha=1.0, zero_row=False):
    """A random integer count matrix without near-ties at the given PMI thresholds."""
    for _ in range(100):
        C = np.where(rng.random(shape) < density, rng.integers(1, 30, size=shape), 0)
        C = C.astype(float)
        if zero_row:
            C[rng.integers(shape[0])] = 0
        if C.sum() == 0:
            continue
        p = pmi_dense(C, alpha=alpha, positive=False)
        values = p[np.isfinite(p)]
        if all(np.min(np.abs(values - t)) > TIE for t in thresholds):
            return C
    raise RuntimeError("could not draw a count matrix without ties")


def random_shape(rng, low=3, high=40):
    return tuple(int(x) for x in rng.integers(low, high, size=2))


# -- q1-pmi ------------------------------------------------------------------------------------
@check("q1-pmi", "random rectangular count matrices", weight=2)
def _(k):
    rng = hidden_rng(k, "q1/random")
    for trial in range(3):
        shape = random_shape(rng)
        C = random_counts(rng, shape, rng.uniform(0.2, 0.6))
        expect_pmi(k.call("pmi_from_counts", C), C,
                   f"pmi_from_counts on a random {shape[0]} x {shape[1]} matrix (trial {trial})")


@check("q1-pmi", "an all-zero row, integer input; the counts are not modified")
def _(k):
    rng = hidden_rng(k, "q1/zero-row")
    C = random_counts(rng, random_shape(rng, 3, 10), 0.5, zero_row=True).astype(np.int64)
    expect_pmi(call_unmodified(k, "pmi_from_counts", C), C,
               "pmi_from_counts with an all-zero row")


@check("q1-pmi", "all-zero counts raise ValueError")
def _(k):
    expect_raises(k, "pmi_from_counts", (np.zeros((3, 3)),), ["ValueError"],
                  "pmi_from_counts(zeros)")


# -- q2-ppmi-sparse -----------------------------------------------------------------------------
@check("q2-ppmi-sparse", "random sparse matrices, random alphas and shifts", weight=3)
def _(k):
    rng = hidden_rng(k, "q2/random")
    for trial in range(4):
        shape = random_shape(rng, 5, 50)
        alpha = float(rng.choice([1.0, 0.75, rng.uniform(0.1, 1.0)]))
        shift = float(rng.choice([1.0, rng.uniform(1.0, 20.0)]))
        C = random_counts(rng, shape, 0.2, thresholds=(0.0, np.log(shift)), alpha=alpha,
                          zero_row=trial == 2)
        got = k.call("ppmi_dense_view", C, alpha, shift)
        expect_ppmi(got, C, alpha, shift, f"ppmi_sparse on a random {shape[0]} x {shape[1]} "
                                          f"matrix, alpha={alpha:.3g}, shift={shift:.3g}")


@check("q2-ppmi-sparse", "called on a CSR matrix: a CSR result without stored zeros, the counts "
                         "not modified", weight=2)
def _(k):
    rng = hidden_rng(k, "q2/direct")
    for trial in range(2):
        alpha, shift = [(1.0, 1.0), (0.75, float(rng.uniform(1.5, 10.0)))][trial]
        C = random_counts(rng, random_shape(rng, 10, 50), 0.15,
                          thresholds=(0.0, np.log(shift)), alpha=alpha)
        counts = sp.csr_matrix(C)
        got = call_unmodified(k, "ppmi_sparse", counts, alpha, shift,
                              what=f"ppmi_sparse(counts, {alpha:g}, {shift:.3g})")
        expect_sparse_ppmi(got, counts, alpha, shift, f"ppmi_sparse on a random CSR matrix "
                                                       f"(trial {trial})")


@check("q2-ppmi-sparse", "an explicitly stored zero in the input is an unseen pair")
def _(k):
    rows, cols = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 0, 2, 1])
    values = np.array([3.0, 0.0, 1.0, 2.0, 4.0])          # (0, 1) is stored, but zero
    counts = sp.csr_matrix((values, (rows, cols)), shape=(3, 3))
    got = k.call("ppmi_stored_entries", rows, cols, values, [3, 3], 1.0, 1.0)
    expect_type(got, (list, tuple), "ppmi_stored_entries(...)")
    expect(len(got) == 5 and got[0] is True, "ppmi_sparse should return a scipy.sparse matrix")
    r, c, v = (np.asarray(x) for x in got[2:])
    expect(np.all(v != 0), "the result stores explicit zeros")
    expect_sparse_ppmi(sp.csr_matrix((v, (r, c)), shape=(3, 3)), counts, 1.0, 1.0,
                       "ppmi_sparse with an explicitly stored zero")


@check("q2-ppmi-sparse", "a 50,000 x 50,000 matrix with 300 entries is never densified",
       weight=2)
def _(k):
    rng = hidden_rng(k, "q2/huge")
    n, nnz = 50_000, 300
    flat = rng.choice(n * n, size=nnz, replace=False)
    rows, cols = flat // n, flat % n
    values = rng.integers(1, 20, size=nnz).astype(float)
    got = k.call("ppmi_stored_entries", rows, cols, values, [n, n], 0.75, 2.0)
    expect_type(got, (list, tuple), "ppmi_stored_entries(...)")
    expect(len(got) == 5 and got[0] is True, "ppmi_sparse should return a scipy.sparse matrix")
    r, c, v = (np.asarray(x) for x in got[2:])
    expect(len(v) == 0 or np.all(v != 0), "the result stores explicit zeros")
    expect_sparse_ppmi(sp.csr_matrix((v, (r, c)), shape=(n, n)),
                       sp.csr_matrix((values, (rows, cols)), shape=(n, n)), 0.75, 2.0,
                       "ppmi_sparse on a 50,000 x 50,000 matrix")


@check("q2-ppmi-sparse", "a non-integer shift below 1 and alpha = 1.0001 raise ValueError")
def _(k):
    C = np.array([[1.0, 2.0], [3.0, 0.0]])
    for args, what in [((C.copy(), 1.0, 0.999), "shift=0.999"),
                       ((C.copy(), 1.0001, 1.0), "alpha=1.0001"),
                       ((C.copy(), -0.5, 2.0), "alpha=-0.5")]:
        expect_raises(k, "ppmi_dense_view", args, ["ValueError"], f"ppmi_sparse(..., {what})")


# -- q3-smoothing-shift -----------------------------------------------------------------------
@check("q3-smoothing-shift", "smoothed distribution of random context counts", weight=2)
def _(k):
    rng = hidden_rng(k, "q3/smoothed")
    for alpha in (1.0, 0.75, float(rng.uniform(0.05, 1.0))):
        counts = rng.integers(0, 1000, size=int(rng.integers(5, 60))).astype(float)
        counts[int(rng.integers(len(counts)))] = 0
        expected = counts ** alpha / np.sum(counts ** alpha)
        expect_close(k.call("smoothed_context_distribution", counts, alpha), expected,
                     what=f"smoothed_context_distribution(random counts, {alpha:.3g})")


@check("q3-smoothing-shift", "pairs_removed_by_shift on random matrices", weight=2)
def _(k):
    rng = hidden_rng(k, "q3/removed")
    for trial in range(3):
        alpha = float(rng.choice([1.0, 0.75]))
        shift = float(rng.uniform(1.5, 12.0))
        C = random_counts(rng, random_shape(rng, 10, 45), 0.25,
                          thresholds=(0.0, np.log(shift)), alpha=alpha)
        got = k.call("pairs_removed_by_shift", C, shift, alpha)
        expect_type(got, (int, np.integer), "pairs_removed_by_shift(...)")
        expected = pmi_matrix(C, alpha=alpha).nnz - pmi_matrix(C, alpha=alpha, shift=shift).nnz
        expect_equal(int(got), expected,
                     f"pairs_removed_by_shift on a random matrix (trial {trial}, "
                     f"k={shift:.3g}, alpha={alpha})")


@check("q3-smoothing-shift", "alpha above 1 raises ValueError")
def _(k):
    expect_raises(k, "smoothed_context_distribution", (np.array([1.0, 2.0]), 1.5),
                  ["ValueError"], "smoothed_context_distribution(..., alpha=1.5)")


# -- q4-two-senses ----------------------------------------------------------------------------
def _exact_answer(got, what):
    got = as_sympy(got, what)
    expect(isinstance(got, sympy.Expr), f"{what} should be a SymPy expression")
    expect(not got.atoms(sympy.Float), f"{what} = {sympy.sstr(got)[:80]} contains a "
                                       f"floating-point number; write it exactly")
    return got


@check("q4-two-senses", "the expression, with symbols of new names", weight=2, core=True)
def _(k):
    rng = hidden_rng(k, "q4-two-senses/names")
    names = ["a", "b", "u", "v", "m", "q", "r", "s", "t_1", "t_2", "e_1", "e_2"]
    p1, p2, n1, n2 = sympy.symbols([str(x) for x in rng.choice(names, 4, replace=False)])
    what = f"two_senses({p1}, {p2}, {n1}, {n2})"
    got = _exact_answer(k.call("two_senses", p1, p2, n1, n2), what)
    if sympy.cancel(sympy.together(got - senses_reference(p1, p2, n1, n2))) != 0:
        hint = next((h for h, wrong in senses_mistakes(p1, p2, n1, n2).items()
                     if sympy.simplify(got - wrong) == 0), "")
        raise CheckFailed(f"{what} = {sympy.sstr(got)[:120]} is not the right expression"
                          + (f". Hint: {hint}" if hint else ""))


@check("q4-two-senses", "random exact fractions, and the PMI of merged rows of random count "
                        "tables")
def _(k):
    rng = hidden_rng(k, "q4-two-senses/counts")
    for _ in range(3):
        C = random_counts(rng, (5, 6), 0.9) + 1          # every pair seen
        i, j = (int(x) for x in rng.choice(5, 2, replace=False))
        c = int(rng.integers(6))
        D, col = sympy.Integer(int(C.sum())), sympy.Integer(int(C[:, c].sum()))
        n = [sympy.Integer(int(C[r].sum())) for r in (i, j)]
        p = [sympy.Integer(int(C[r, c])) * D / (n[m] * col) for m, r in enumerate((i, j))]
        merged = sympy.Integer(int(C[i, c] + C[j, c])) * D / ((n[0] + n[1]) * col)
        what = f"two_senses({p[0]}, {p[1]}, {n[0]}, {n[1]})"
        got = _exact_answer(k.call("two_senses", p[0], p[1], n[0], n[1]), what)
        expect(got == merged, f"{what} = {got}, but merging rows {i} and {j} of a count table "
                              f"gives exp(PMI) = {merged}")


# -- q5-choose-smoothing-shift ------------------------------------------------------------------
#: the settings (alpha, shift) a learner chooses from; every experiment shuffles them
SETTINGS = [(alpha, shift) for alpha in (1.0, 0.75, 0.5) for shift in (1.0, 2.0, 5.0)]
N_EXPERIMENTS = 15
#: how much more test rho the learner's choices may lose, on average, than choosing by dev rho
MARGIN = 0.02


def _topics(rng, n, n_topics, concentration):
    """One unit vector of topic weights per row (Dirichlet: sparse for a small
    concentration)."""
    Z = rng.dirichlet(np.full(n_topics, concentration), size=n)
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def ppmi_experiment(rng, n_words=150, n_contexts=300, n_dev=800, n_test=3000):
    """One simulated corpus and word-similarity benchmark, split into dev and test pairs.

    Word and context frequencies are Zipfian. A word's association with one of the
    ``split`` most frequent contexts follows one set of topics, its association with a rarer
    context another, and the benchmark rates the word pairs by a mix of the two that leans to
    one side (``share`` near 0 or near 1); part of the co-occurrences is background (chance);
    the corpus size varies over a factor of 30. So whether smoothing, which raises the PMI of
    frequent contexts, helps or hurts differs from draw to draw. Redrawn while some setting
    gives the dev or the test pairs no ranking at all (every cosine equal)."""
    while True:
        zipf = rng.uniform(0.9, 1.1)
        split = int(rng.integers(20, 120))
        concentration = float(np.exp(rng.uniform(np.log(0.05), np.log(0.5))))
        strength, background = rng.uniform(2.0, 4.0), rng.uniform(0.0, 0.6)
        size = float(np.exp(rng.uniform(np.log(3e4), np.log(1e6))))
        share = float(rng.beta(0.4, 0.4))
        p_word = (np.arange(n_words) + 3.0) ** -zipf
        p_context = (np.arange(n_contexts) + 3.0) ** -zipf
        words_a, words_b = (_topics(rng, n_words, 10, concentration) for _ in range(2))
        contexts_a, contexts_b = (_topics(rng, n_contexts, 10, concentration)
                                  for _ in range(2))
        frequent = np.arange(n_contexts) < split
        affinity = np.where(frequent[None, :], words_a @ contexts_a.T, words_b @ contexts_b.T)
        joint = np.outer(p_word, p_context) * np.exp(strength * affinity)
        joint = (1 - background) * joint / joint.sum() \
            + background * np.outer(p_word, p_context) / (p_word.sum() * p_context.sum())
        counts = rng.poisson(size * joint)
        first, second = np.triu_indices(n_words, 1)
        pick = rng.choice(len(first), n_dev + n_test, replace=False)
        pairs = np.stack([first[pick], second[pick]], axis=1)
        gold = share * np.sum(words_a[pairs[:, 0]] * words_a[pairs[:, 1]], axis=1) \
            + (1 - share) * np.sum(words_b[pairs[:, 0]] * words_b[pairs[:, 1]], axis=1) \
            + rng.normal(scale=0.1, size=len(pairs))
        experiment = {"counts": counts, "dev_pairs": pairs[:n_dev], "dev_gold": gold[:n_dev],
                      "test_pairs": pairs[n_dev:], "test_gold": gold[n_dev:]}
        cosines = [setting_cosines(counts, s, pairs) for s in SETTINGS]
        if all(np.ptp(c[:n_dev]) > 0 and (n_test == 0 or np.ptp(c[n_dev:]) > 0)
               for c in cosines):
            return experiment


def setting_cosines(counts, setting, pairs):
    """The cosines of the PPMI rows (smoothing alpha, shift k) of the given pairs; a row the
    shift empties has cosine 0 with every row."""
    alpha, shift = setting
    rows = pmi_dense(np.asarray(counts, dtype=float), alpha=alpha, shift=shift)
    norms = np.linalg.norm(rows, axis=1)
    unit = rows / np.where(norms > 0, norms, 1.0)[:, None]
    pairs = np.asarray(pairs)
    return np.sum(unit[pairs[:, 0]] * unit[pairs[:, 1]], axis=1)


def nan_cosines(counts, setting, pairs):
    """The usual mistake: cosines computed as 0/0 = NaN for the rows the shift empties."""
    rows = pmi_dense(np.asarray(counts, dtype=float), alpha=setting[0], shift=setting[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = rows / np.linalg.norm(rows, axis=1)[:, None]
    return np.sum(unit[pairs[:, 0]] * unit[pairs[:, 1]], axis=1)


def setting_rhos(counts, settings, pairs, gold):
    """Spearman's rho between the gold ratings and each setting's cosines."""
    return np.array([stats.spearmanr(gold, setting_cosines(counts, s, pairs)).statistic
                     for s in settings])


def shuffled_settings(rng):
    order = rng.permutation(len(SETTINGS))
    return [[SETTINGS[i][0], SETTINGS[i][1]] for i in order]


def expect_setting_index(got, settings, what):
    n = len(settings)
    expect(isinstance(got, (int, np.integer)) and not isinstance(got, (bool, np.bool_))
           and 0 <= int(got) < n,
           f"{what} should return the index of a setting, an int from 0 to {n - 1}, got "
           f"{str(got)[:60]}")
    return int(got)


@check("q5-choose-smoothing-shift", "new simulated corpora and benchmarks: the chosen settings "
                                    "do well on the test pairs", weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q5/experiments")
    short, reference_short, chosen = [], [], []
    for trial in range(N_EXPERIMENTS):
        ex = ppmi_experiment(rng)
        settings = shuffled_settings(rng)
        got = expect_setting_index(
            k.call("choose_ppmi_setting", ex["counts"], settings, ex["dev_pairs"],
                   ex["dev_gold"]), settings, f"choose_ppmi_setting (corpus {trial})")
        test = setting_rhos(ex["counts"], settings, ex["test_pairs"], ex["test_gold"])
        dev = setting_rhos(ex["counts"], settings, ex["dev_pairs"], ex["dev_gold"])
        short.append(test.max() - test[got])
        reference_short.append(test.max() - test[int(np.argmax(dev))])
        chosen.append(tuple(settings[got]))
    hint = ""
    if len(set(chosen)) == 1:
        hint = (f" Hint: you chose alpha = {chosen[0][0]:g}, k = {chosen[0][1]:g} on every "
                f"corpus; the best setting differs from one corpus (and benchmark) to another")
    expect(np.mean(short) <= np.mean(reference_short) + MARGIN,
           f"on {N_EXPERIMENTS} new corpora the settings you chose are on average "
           f"{np.mean(short):.3f} below the best setting in test rho; choosing by the dev "
           f"pairs loses only {np.mean(reference_short):.3f}.{hint}")


@check("q5-choose-smoothing-shift", "the choice follows the data, not the position of a "
                                    "setting; the counts are not modified")
def _(k):
    rng = hidden_rng(k, "q5/order")
    ex = ppmi_experiment(rng)
    settings = shuffled_settings(rng)
    first = expect_setting_index(
        call_unmodified(k, "choose_ppmi_setting", ex["counts"], settings, ex["dev_pairs"],
                        ex["dev_gold"]), settings, "choose_ppmi_setting")
    order = rng.permutation(len(settings))
    again = [settings[i] for i in order]
    second = expect_setting_index(
        k.call("choose_ppmi_setting", ex["counts"], again, ex["dev_pairs"], ex["dev_gold"]),
        again, "choose_ppmi_setting")
    expect(again[second] == settings[first],
           f"choose_ppmi_setting chose alpha = {settings[first][0]:g}, k = "
           f"{settings[first][1]:g}, then alpha = {again[second][0]:g}, k = "
           f"{again[second][1]:g} when the same settings came in another order")
