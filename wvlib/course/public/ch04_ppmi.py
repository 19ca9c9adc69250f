"""Public checks for the chapter 4 exercises (PMI, PPMI and SVD word embeddings).

The learner sees these; the grader runs them too, in its own process (see wvlib.course.checks).
They hold inputs, properties and comparisons with values stored when the exercises were made
(``S``): the expected matrices, and what the usual mistakes give on the same counts (log2, a
forgotten total, a smoothed row distribution, an added log k), so that the message can name
them. Question 2 is reached through two helpers the exercise notebook defines in a provided cell
(``ppmi_dense_view`` and ``ppmi_stored_entries``). Question 4 (a derivation) is checked here by
its form and its value at one point only; the hidden tests compare the expression exactly.
Question 5 (a judgement) runs on the notebook's example corpus, whose counts and dev pairs are
stored values too; the hidden tests draw new corpora and judge the choices on test pairs.
"""
import numpy as np
import sympy

from wvlib.course.checks import as_sympy, check, expect, expect_close, expect_equal, \
    expect_raises, expect_shape, expect_type
from wvlib.course.exact import expect_exact_number
from wvlib.course.stored import stored

S = stored("ch04_ppmi")

# A small count matrix (3 words x 4 contexts) with unseen pairs, an association below chance
# and no near-ties: no PMI value (alpha 1 or 0.75) is within 0.02 of 0, log 1.5 or log 2.
COUNTS = [[4.0, 0.0, 6.0, 1.0],
          [3.0, 1.0, 6.0, 0.0],
          [0.0, 5.0, 4.0, 2.0]]
ROWS = [i for i, row in enumerate(COUNTS) for value in row if value]
COLS = [j for row in COUNTS for j, value in enumerate(row) if value]
VALUES = [value for row in COUNTS for value in row if value]
INDEPENDENT = [[4.0, 1.0, 2.0], [8.0, 2.0, 4.0], [12.0, 3.0, 6.0]]   # an outer product
PPMI_CASES = [(1.0, 1.0, "alpha1"), (0.75, 1.0, "alpha075"), (0.75, 1.5, "alpha075-shift15")]
CONTEXT_COUNTS = [1.0, 16.0, 81.0]
SHIFT_CASES = [(2.0, 1.0), (2.0, 0.75), (1.0, 1.0)]
SENSE_SYMBOLS = sympy.symbols("p_1 p_2 n_1 n_2")        # plain symbols: they travel
SENSE_CASES = [(8, sympy.Rational(1, 2), 1, 9), (3, 3, 5, 7), (sympy.Rational(5, 2), 2, 4, 1)]


# -- q1-pmi ------------------------------------------------------------------------------------
@check("q1-pmi", "a 3 x 4 count matrix with unseen pairs")
def _(k):
    got = expect_shape(k.call("pmi_from_counts", np.array(COUNTS)), (3, 4),
                       "pmi_from_counts(COUNTS)")
    expect_close(got, S["q1/pmi"], what="pmi_from_counts(COUNTS)",
                 hint="PMI = log(#(w,c) * D / (#(w) * #(c))); unseen pairs (count 0) get "
                      "log 0 = -inf, and only they do",
                 mistakes={"use the natural logarithm (np.log), not log2": S["q1/pmi-log2"],
                           "you forgot the total D: PMI = log(#(w,c) * D / (#(w) * #(c)))":
                               S["q1/pmi-no-total"],
                           "the ratio is upside down: P(w,c) goes in the numerator":
                               S["q1/pmi-upside-down"],
                           "unseen pairs (count 0) get log 0 = -inf, not 0":
                               S["q1/pmi-zero-for-unseen"]})


@check("q1-pmi", "independent words and contexts have PMI 0")
def _(k):
    got = expect_shape(k.call("pmi_from_counts", np.array(INDEPENDENT)), (3, 3),
                       "pmi_from_counts(outer product)")
    expect_close(got, np.zeros((3, 3)), what="PMI of counts proportional to an outer product",
                 atol=1e-9, hint="if #(w,c) = #(w) #(c) / D then P(w,c) = P(w) P(c): "
                                 "PMI = log 1 = 0")


@check("q1-pmi", "negative counts raise ValueError")
def _(k):
    expect_raises(k, "pmi_from_counts", (np.array([[1.0, -1.0], [2.0, 3.0]]),), ["ValueError"],
                  "pmi_from_counts with a negative count",
                  hint="counts cannot be negative; say so in the message")


# -- q2-ppmi-sparse -----------------------------------------------------------------------------
@check("q2-ppmi-sparse", "plain, smoothed (alpha = 0.75) and shifted (k = 1.5) PPMI")
def _(k):
    for alpha, shift, key in PPMI_CASES:
        what = f"ppmi_sparse(COUNTS, alpha={alpha}, shift={shift}).toarray()"
        got = expect_shape(k.call("ppmi_dense_view", np.array(COUNTS), alpha, shift), (3, 4),
                           what)
        expect(not (got < 0).any(), f"{what} has negative entries: PPMI clips negative values "
                                    f"to 0, keep max(PMI - log k, 0)")
        expect_close(got, S[f"q2/{key}"], what=what,
                     hint="max(log(#(w,c) * sum_c' #(c')**alpha / (#(w) * #(c)**alpha)) - "
                          "log k, 0)",
                     mistakes={
                         "unseen pairs (count 0) must stay zero — their PMI is log 0 = -inf":
                             S[f"q2/{key}-unseen-filled"],
                         "did you smooth the row (word) distribution instead of the context "
                         "(column) distribution? P_alpha(c) uses the column sums #(c)":
                             S[f"q2/{key}-smoothed-rows"],
                         "normalize the smoothed counts #(c)**alpha by their own sum, not by D":
                             S[f"q2/{key}-normalized-by-D"],
                         "alpha seems to be ignored: P_alpha(c) is proportional to "
                         "#(c)**alpha": S[f"q2/{key}-alpha-ignored"],
                         "the shift seems to be ignored: subtract log(shift) before clipping":
                             S[f"q2/{key}-shift-ignored"],
                         "subtract log(k), not k": S[f"q2/{key}-minus-k"],
                         "subtract log(k) — you added it": S[f"q2/{key}-plus-log-k"]})


@check("q2-ppmi-sparse", "returns a CSR matrix storing only the positive entries")
def _(k):
    what = "ppmi_sparse(COUNTS, alpha=0.75, shift=1.5)"
    got = k.call("ppmi_stored_entries", np.array(ROWS), np.array(COLS), np.array(VALUES),
                 [3, 4], 0.75, 1.5)
    expect_type(got, (list, tuple), what)
    expect(len(got) == 5, f"{what} should be a list of 5 items (the helper ppmi_stored_entries "
                          f"was changed?)")
    is_sparse, fmt, rows, cols, values = got
    expect(is_sparse is True, f"ppmi_sparse should return a scipy.sparse matrix, got a {fmt}. "
                              f"Hint: build the result from the CSR arrays (data, indices, "
                              f"indptr), never with a dense array")
    expect_equal(fmt, "csr", "the format of the matrix returned by ppmi_sparse",
                 hint="return a CSR matrix (scipy.sparse.csr_matrix)")
    entries = sorted(zip(list(rows), list(cols), list(values)))
    expect(all(v != 0 for _, _, v in entries),
           f"{what}: the matrix stores {sum(v == 0 for _, _, v in entries)} explicit zero(s). "
           f"Hint: call .eliminate_zeros() after clipping")
    expected = S["q2/stored-alpha075-shift15"]          # [row, column, value], sorted
    got_positions = [(int(i), int(j)) for i, j, _ in entries]
    expected_positions = [(int(i), int(j)) for i, j, _ in expected]
    expect(got_positions == expected_positions,
           f"{what}: the stored entries should be exactly the {len(expected)} positive ones, "
           f"at {expected_positions}; got {got_positions}")
    expect_close([v for _, _, v in entries], [v for _, _, v in expected],
                 what=f"{what}: the stored values")


@check("q2-ppmi-sparse", "alpha outside (0, 1] or shift below 1 raise ValueError")
def _(k):
    for args, what in [((np.array(COUNTS), 0.0, 1.0), "alpha=0"),
                       ((np.array(COUNTS), 1.5, 1.0), "alpha=1.5"),
                       ((np.array(COUNTS), 1.0, 0.5), "shift=0.5")]:
        expect_raises(k, "ppmi_dense_view", args, ["ValueError"], f"ppmi_sparse(..., {what})")


# -- q3-smoothing-shift -----------------------------------------------------------------------
@check("q3-smoothing-shift", "smoothed_context_distribution on a small example")
def _(k):
    got = expect_shape(k.call("smoothed_context_distribution", np.array(CONTEXT_COUNTS), 0.75),
                       (3,), "smoothed_context_distribution([1, 16, 81], 0.75)")
    expect_close(got.sum(), 1.0, what="the sum of the probabilities",
                 hint="divide #(c)**alpha by the sum over all contexts of #(c')**alpha")
    expect_close(got, S["q3/smoothed-075"],
                 what="smoothed_context_distribution([1, 16, 81], 0.75)",
                 hint="1**0.75 = 1, 16**0.75 = 8, 81**0.75 = 27")
    expect_close(k.call("smoothed_context_distribution", np.array(CONTEXT_COUNTS), 1.0),
                 S["q3/smoothed-1"], what="smoothed_context_distribution([1, 16, 81], 1.0)",
                 hint="alpha = 1 is the plain relative frequency")


@check("q3-smoothing-shift", "smoothing raises the probability of rare contexts")
def _(k):
    counts = [1.0, 10.0, 1000.0, 0.0]
    got = expect_shape(k.call("smoothed_context_distribution", np.array(counts), 0.5), (4,),
                       "smoothed_context_distribution([1, 10, 1000, 0], 0.5)")
    expect(got[0] > 1 / 1011 and got[2] < 1000 / 1011,
           "with alpha < 1 the rarest context should get more probability than its relative "
           "frequency, and the most frequent one less")
    expect_close(got[3], 0.0, what="the probability of a context with count 0")


@check("q3-smoothing-shift", "pairs_removed_by_shift on the 3 x 4 example")
def _(k):
    for k_shift, alpha in SHIFT_CASES:
        what = f"pairs_removed_by_shift(COUNTS, {k_shift}, {alpha})"
        got = k.call("pairs_removed_by_shift", np.array(COUNTS), k_shift, alpha)
        expect_type(got, (int, np.integer), what)
        key = f"q3/removed-{k_shift}-{alpha}"
        expect_equal(int(got), S[key], what,
                     hint="count the pairs with 0 < PMI <= log k: PPMI keeps them, the shift "
                          "drops them",
                     mistakes={"you counted the pairs that survive the shift, not those it "
                               "removes": S[f"{key}-survivors"],
                               "pairs with PMI <= 0 are already 0 in PPMI: the shift does not "
                               "remove them": S[f"{key}-with-negatives"]})


@check("q3-smoothing-shift", "invalid alpha raises ValueError")
def _(k):
    expect_raises(k, "smoothed_context_distribution", (np.array([1.0, 2.0]), 0.0),
                  ["ValueError"], "smoothed_context_distribution(..., alpha=0)")


# -- q4-two-senses ----------------------------------------------------------------------------
@check("q4-two-senses", "an expression of p_1, p_2, n_1, n_2 only")
def _(k):
    what = "two_senses(p_1, p_2, n_1, n_2)"
    got = as_sympy(k.call("two_senses", *SENSE_SYMBOLS), what)
    expect(hasattr(got, "free_symbols") and not hasattr(got, "shape"),
           f"{what} should be a SymPy expression, got {type(got).__name__}")
    names = {s.name for s in got.free_symbols}
    expect(names <= {"p_1", "p_2", "n_1", "n_2"},
           f"{what} uses the symbol(s) {sorted(names - {'p_1', 'p_2', 'n_1', 'n_2'})}; write "
           f"it with its four arguments only (#(c) and D cancel)")


@check("q4-two-senses", "three exact cases (stored values)")
def _(k):
    for i, case in enumerate(SENSE_CASES):
        what = f"two_senses({', '.join(str(v) for v in case)})"
        got = as_sympy(k.call("two_senses", *case), what)
        expect_exact_number(got, what)
        expected = S["q4/cases"][i]
        for hint, wrong in S["q4/mistakes"].items():
            expect(got == expected or got != wrong[i], f"{what} = {got}, expected {expected}. "
                                                       f"Hint: {hint}")
        expect(got == expected, f"{what} = {got}, expected {expected}. Hint: which counts of "
                                f"the PMI change when two words become one, and which do not?")


# -- q5-choose-smoothing-shift -----------------------------------------------------------------
@check("q5-choose-smoothing-shift", "on the notebook's corpus the chosen setting is among the "
                                    "best on the dev pairs")
def _(k):
    settings, rho = S["q5/settings"], S["q5/dev-rho"]
    got = k.call("choose_ppmi_setting", S["q5/counts"], settings, S["q5/dev_pairs"],
                 S["q5/dev_gold"])
    expect(isinstance(got, (int, np.integer)) and not isinstance(got, (bool, np.bool_))
           and 0 <= int(got) < len(settings),
           f"choose_ppmi_setting should return the index of a setting, an int from 0 to "
           f"{len(settings) - 1}, got {str(got)[:60]}")
    got = int(got)
    alpha, shift = settings[got]
    hint = "score each setting as the benchmark does: Spearman's rho between the ratings of " \
           "the dev pairs and the cosines of their PPMI rows"
    if got == S["q5/choice-nan-cosines"]:
        hint = "a row that the shift empties has no direction: 0/0 makes its cosines NaN, " \
               "Spearman's rho NaN, and np.argmax picks the first NaN. Give those pairs " \
               "cosine 0"
    elif got == S["q5/choice-default"]:
        hint = "alpha = 0.75 and k = 1 are the library's defaults (and LGD's advice), not what " \
               "the dev pairs of this corpus prefer"
    expect(rho[got] >= max(rho) - 0.02,
           f"the setting you chose (alpha = {alpha:g}, k = {shift:g}) has dev rho "
           f"{rho[got]:.3f}, the best setting {max(rho):.3f}. Hint: {hint}")


@check("q5-choose-smoothing-shift", "the choice follows the data, not the order of the "
                                    "settings")
def _(k):
    settings, order = S["q5/settings"], S["q5/order"]
    again = [settings[i] for i in order]
    first = k.call("choose_ppmi_setting", S["q5/counts"], settings, S["q5/dev_pairs"],
                   S["q5/dev_gold"])
    second = k.call("choose_ppmi_setting", S["q5/counts"], again, S["q5/dev_pairs"],
                    S["q5/dev_gold"])
    expect(isinstance(first, (int, np.integer)) and isinstance(second, (int, np.integer)),
           "choose_ppmi_setting should return an int")
    expect(again[int(second)] == settings[int(first)],
           "choose_ppmi_setting chose another setting when the same settings came in another "
           "order")
