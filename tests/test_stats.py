"""Tests of wvlib.stats: paired and clustered bootstrap, Holm, dev/test splits, compare_tuned."""
import numpy as np
import pytest
from scipy import stats as sps

from wvlib import stats
from wvlib.stats import (analogy_units, compare_tuned, format_comparisons, holm,
                         paired_bootstrap_ci, split_pairs, split_units, weighted_correlation,
                         word_pair_units)


# --- weighted samples: the resampled statistic equals the statistic of the expanded sample ---

def _expanded(values, counts):
    return np.repeat(values, counts)


def test_weighted_midranks_and_pearson_equal_the_expanded_sample():
    rng = np.random.default_rng(0)
    values = np.round(rng.normal(size=40), 1)               # many ties
    other = values + rng.normal(size=40)
    weights = rng.integers(0, 4, size=(5, 40)).astype(float)
    ranks = stats._weighted_midranks(values, weights)
    for row in range(5):
        counts = weights[row].astype(int)
        expected = sps.rankdata(_expanded(values, counts))
        got = _expanded(ranks[row], counts)
        np.testing.assert_allclose(got, expected)
        r = stats._weighted_pearson(values, other, weights[row])
        assert r == pytest.approx(np.corrcoef(_expanded(values, counts),
                                              _expanded(other, counts))[0, 1])


def test_weighted_correlation():
    x, y, w = np.array([1.0, 2, 3, 4]), np.array([2.0, 1, 4, 3]), np.array([1, 0, 2, 3])
    expected = np.corrcoef(np.repeat(x, w), np.repeat(y, w))[0, 1]
    assert weighted_correlation(x, y, w) == pytest.approx(expected)
    assert weighted_correlation(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1])
    with pytest.raises(ValueError, match="weights must have one value per item"):
        weighted_correlation(x, y, [1, 2])
    with pytest.raises(ValueError, match="non-negative and not all zero"):
        weighted_correlation(x, y, [0, 0, 0, 0])
    with pytest.raises(ValueError, match="x and y must be 1-D arrays of the same length"):
        weighted_correlation(x, y[:3])


# --- the paired bootstrap -------------------------------------------------------------------

def test_item_bootstrap_equals_resampling_the_items_explicitly():
    """Without clusters the resamples are rng.integers(n, size=(n_boot, n)), as the chapter
    and the exercise describe; the weighted computation gives the same differences."""
    rng = np.random.default_rng(1)
    gold = rng.normal(size=50)
    a, b = gold + rng.normal(size=50), np.round(gold + 2 * rng.normal(size=50), 1)
    n_boot, level = 300, 0.9
    res = paired_bootstrap_ci(a, b, gold, n_boot=n_boot, level=level, seed=7)
    index = np.random.default_rng(7).integers(50, size=(n_boot, 50))
    diffs = [sps.spearmanr(a[i], gold[i]).statistic - sps.spearmanr(b[i], gold[i]).statistic
             for i in index]
    low, high = np.quantile(diffs, [0.05, 0.95])
    assert res["low"] == pytest.approx(low) and res["high"] == pytest.approx(high)
    assert res["se"] == pytest.approx(np.std(diffs))
    tail = min(np.sum(np.array(diffs) <= 0), np.sum(np.array(diffs) >= 0))
    assert res["p_value"] == pytest.approx(min(1, 2 * (1 + tail) / (n_boot + 1)))


def test_unit_bootstrap_rebuilds_the_items_from_the_drawn_units():
    """clusters of shape (n, 2): an item counts m1 * m2 times (the data set rebuilt from the
    resampled units), checked against an explicit rebuild."""
    rng = np.random.default_rng(2)
    units = np.array([(i, j) for i in range(6) for j in range(6) if i != j])
    a = rng.random(len(units)) < 0.6
    b = rng.random(len(units)) < 0.5
    n_boot = 200
    res = paired_bootstrap_ci(a, b, clusters=units, n_boot=n_boot, level=0.8, seed=3)
    draws = np.random.default_rng(3).integers(6, size=(n_boot, 6))
    diffs = []
    for drawn in draws:
        m = np.bincount(drawn, minlength=6)
        copies = m[units[:, 0]] * m[units[:, 1]]
        if copies.sum():
            diffs.append(np.repeat(a, copies).mean() - np.repeat(b, copies).mean())
    assert res["n_valid"] == len(diffs) and res["n_units"] == 6
    assert [res["low"], res["high"]] == pytest.approx(np.quantile(diffs, [0.1, 0.9]))


def _coverage(n_reps, make, level=0.9, n_boot=400, clustered=False):
    """Share of simulated data sets whose interval covers the true difference (0.3), and the
    share whose p-value is below 1 - level."""
    covered = rejected = 0
    for rep in range(n_reps):
        a, b, clusters = make(np.random.default_rng(1000 + rep))
        res = paired_bootstrap_ci(a, b, clusters=clusters if clustered else None,
                                  n_boot=n_boot, level=level, seed=rep)
        covered += res["low"] <= 0.3 <= res["high"]
        rejected += res["p_value"] < 1 - level
    return covered / n_reps, rejected / n_reps


def _independent_items(rng, n=120):
    shared = rng.normal(size=n)                  # item difficulty, shared by both systems
    a = 0.3 + shared + rng.normal(size=n)
    b = shared + rng.normal(size=n)
    return a, b, None


def _clustered_items(rng, n_clusters=40, size=8):
    effect = np.repeat(rng.normal(size=n_clusters), size)   # a cluster moves A - B
    shared = rng.normal(size=n_clusters * size)
    a = 0.3 + shared + effect + 0.5 * rng.normal(size=n_clusters * size)
    b = shared + 0.5 * rng.normal(size=n_clusters * size)
    return a, b, np.repeat(np.arange(n_clusters), size)


def test_bootstrap_interval_covers_the_known_difference():
    coverage, _ = _coverage(300, _independent_items)
    assert 0.85 <= coverage <= 0.95, coverage      # nominal 0.90; 300 runs: sd 0.017


def test_clustered_bootstrap_covers_where_the_item_bootstrap_does_not():
    clustered, _ = _coverage(200, _clustered_items, clustered=True)
    items, _ = _coverage(200, _clustered_items)
    assert 0.82 <= clustered <= 0.96, clustered    # nominal 0.90 (40 clusters)
    assert items < 0.6, items                      # the item bootstrap is far too narrow


def test_p_value_is_calibrated_under_the_null():
    def null(rng, n=100):
        shared = rng.normal(size=n)
        return shared + rng.normal(size=n), shared + rng.normal(size=n), None
    _, rejected = _coverage(300, null)
    assert 0.05 <= rejected <= 0.16, rejected      # nominal 0.10


def test_clustered_bootstrap_is_wider_when_items_are_duplicated_within_clusters():
    rng = np.random.default_rng(4)
    a0, b0 = rng.normal(size=100), rng.normal(size=100)
    a, b = np.repeat(a0, 5), np.repeat(b0, 5)              # every item five times
    clusters = np.repeat(np.arange(100), 5)
    base = paired_bootstrap_ci(a0, b0, n_boot=2000, seed=0)
    items = paired_bootstrap_ci(a, b, n_boot=2000, seed=0)
    by_cluster = paired_bootstrap_ci(a, b, clusters=clusters, n_boot=2000, seed=0)
    assert by_cluster["n_units"] == 100 and items["n_units"] == 500
    assert by_cluster["se"] > 2 * items["se"]              # sqrt(5) = 2.24 in theory
    assert by_cluster["se"] == pytest.approx(base["se"], rel=0.1)
    assert by_cluster["difference"] == pytest.approx(items["difference"])


def test_a_system_against_itself_and_the_p_value_of_a_clear_difference():
    rng = np.random.default_rng(5)
    gold = rng.normal(size=200)
    good, bad = gold + 0.3 * rng.normal(size=200), rng.normal(size=200)
    same = paired_bootstrap_ci(good, good, gold, n_boot=200, seed=0)
    assert same["difference"] == same["low"] == same["high"] == 0.0 and same["p_value"] == 1.0
    clear = paired_bootstrap_ci(good, bad, gold, n_boot=999, seed=0)
    assert clear["p_value"] == pytest.approx(2 / 1000) and clear["low"] > 0.5


@pytest.mark.parametrize("kwargs, match", [
    (dict(clusters=[0, 0, 1]), r"clusters must have shape \(4,\)"),
    (dict(clusters=[[0, 1, 2]] * 4), r"\(4, 2\)"),
    (dict(clusters=[1, 1, 1, 1]), "at least 2 clusters"),
    (dict(clusters=[0.0, np.nan, 1.0, 1.0]), "finite labels"),
    (dict(level=0), "level must be a number in"),
    (dict(n_boot=-5), "n_boot must be a positive integer"),
    (dict(seed="zero"), "seed must be None, a non-negative integer"),
    (dict(gold=[1, 2, 3]), "gold must have one score per item"),
])
def test_paired_bootstrap_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        paired_bootstrap_ci([1.0, 2, 3, 4], [2.0, 1, 4, 3], **kwargs)


def test_paired_bootstrap_undefined_everywhere():
    with pytest.raises(ValueError, match="undefined on every resample"):
        paired_bootstrap_ci([1.0, 1, 1], [1.0, 1, 1], [1.0, 2, 3], n_boot=10)


# --- Holm -----------------------------------------------------------------------------------

def test_holm_against_a_hand_computed_example():
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> 0.06
    result = holm([0.01, 0.04, 0.03, 0.005], level=0.05)
    np.testing.assert_allclose(result["adjusted"], [0.03, 0.06, 0.06, 0.02])
    assert result["reject"].tolist() == [True, False, False, True]
    # capped at 1; one p-value is left as it is
    np.testing.assert_allclose(holm([0.6, 0.7])["adjusted"], [1.0, 1.0])
    assert holm([0.02])["adjusted"].tolist() == [0.02]
    # Holm rejects at least what Bonferroni rejects
    p = np.array([0.001, 0.012, 0.013, 0.2, 0.04])
    assert np.all(holm(p)["reject"] >= (p * len(p) <= 0.05))


@pytest.mark.parametrize("pvalues, level, match", [
    ([], 0.05, "non-empty 1-D"),
    ([[0.1, 0.2]], 0.05, "non-empty 1-D"),
    ([0.1, 1.5], 0.05, r"numbers in \[0, 1\]"),
    ([0.1, np.nan], 0.05, r"numbers in \[0, 1\]"),
    ([0.1], 1.0, "level must be < 1"),
])
def test_holm_bad_input(pvalues, level, match):
    with pytest.raises(ValueError, match=match):
        holm(pvalues, level=level)


# --- units and splits -----------------------------------------------------------------------

PAIRS = [("money", "bank", 8.5), ("Bank", "money", 8.1), ("cash", "money", 9.1),
         ("tiger", "cat", 7.4), ("cat", "dog", 7.0), ("sun", "moon", 6.0),
         ("money", "cash", 9.0), ("car", "road", 5.0), ("road", "map", 4.0),
         ("king", "queen", 8.0), ("cup", "coffee", 6.6), ("bread", "butter", 6.2)]


def test_word_pair_units_and_analogy_units():
    units = word_pair_units(PAIRS[:3])
    assert units.tolist() == [[0, 1], [1, 0], [2, 0]]        # case-insensitive
    questions = {"capitals": [("Athens", "Greece", "Rome", "Italy"),
                              ("rome", "italy", "athens", "greece")],
                 "world": [("Athens", "Greece", "Paris", "France")]}
    assert analogy_units(questions).tolist() == [[0, 1], [1, 0], [0, 2]]
    with pytest.raises(ValueError, match="questions of 4 words"):
        analogy_units([("a", "b", "c")])


@pytest.mark.parametrize("seed", range(20))
def test_split_keeps_repeated_pairs_on_one_side(seed):
    dev, test = split_pairs(PAIRS, 0.5, seed=seed)
    key = lambda p: frozenset((p[0].upper(), p[1].upper()))      # noqa: E731
    assert not {key(p) for p in dev} & {key(p) for p in test}
    assert sorted(dev + test) == sorted(PAIRS)


@pytest.mark.parametrize("seed", range(20))
def test_split_by_word_keeps_every_word_on_one_side(seed):
    dev, test = split_pairs(PAIRS, 0.5, seed=seed, group_by="word")
    words = lambda part: {w.upper() for p in part for w in p[:2]}  # noqa: E731
    assert not words(dev) & words(test)
    assert sorted(dev + test) == sorted(PAIRS)


def test_split_without_repeats_is_a_seeded_subset_of_the_exact_size():
    pairs = [(f"a{i}", f"b{i}", float(i)) for i in range(101)]
    dev, test = split_pairs(pairs, 0.3, seed=4)
    assert len(dev) == 30 and len(test) == 71
    mask = np.zeros(101, dtype=bool)
    mask[np.random.default_rng(4).permutation(101)[:30]] = True   # the documented draw
    assert dev == [p for p, m in zip(pairs, mask) if m]


def test_split_errors():
    with pytest.raises(ValueError, match="group_by must be one of"):
        split_pairs(PAIRS, group_by="words")
    with pytest.raises(ValueError, match="dev_fraction must be a number in"):
        split_pairs(PAIRS, 0)
    chain = [(f"w{i}", f"w{i + 1}", 1.0) for i in range(10)]      # one component
    with pytest.raises(ValueError, match="too large to split"):
        split_pairs(chain, 0.5, group_by="word")


def test_split_units_leaves_no_unit_on_both_sides():
    units = np.array([(i, j) for i in range(20) for j in range(20) if i != j])
    dev, test = split_units(units, 0.5, seed=1)
    assert not np.any(dev & test)
    assert not set(units[dev].ravel()) & set(units[test].ravel())
    mixed = ~dev & ~test
    assert mixed.any() and np.all(np.isin(units[mixed], units[dev]).any(axis=1))
    with pytest.raises(ValueError, match="integer codes"):
        split_units(np.array([[0.5, 1.0]]))
    with pytest.raises(ValueError, match="one part of the"):
        split_units(np.array([[0, 1]]), 0.5, seed=0)


# --- choose on dev, compare on test -----------------------------------------------------------

def _tuning_data(seed=0, n=300):
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=2 * n)
    noise = {"x1": 0.3, "x2": 0.6, "y1": 1.5, "y2": 1.4, "z1": 0.3}
    scores = {s: truth + sd * rng.normal(size=2 * n) for s, sd in noise.items()}
    dev = {s: v[:n] for s, v in scores.items()}
    test = {s: v[n:] for s, v in scores.items()}
    return dev, test, truth[:n], truth[n:]


def test_compare_tuned_chooses_on_dev_and_corrects_across_comparisons():
    dev, test, dev_gold, test_gold = _tuning_data()
    methods = {"X": ["x1", "x2"], "Y": ["y1", "y2"], "Z": ["z1"]}
    result = compare_tuned(dev, test, methods, [("X", "Y"), ("X", "Z")], dev_gold=dev_gold,
                           test_gold=test_gold, n_boot=500, seed=0)
    dev_rho = {s: sps.spearmanr(v, dev_gold).statistic for s, v in dev.items()}
    assert result["chosen"]["X"] == max(["x1", "x2"], key=dev_rho.get) == "x1"
    assert result["chosen"]["Y"] == max(["y1", "y2"], key=dev_rho.get)
    assert result["test"]["X"] == pytest.approx(
        sps.spearmanr(test["x1"], test_gold).statistic)
    xy, xz = result["comparisons"]
    assert (xy["a"], xy["b"]) == ("X", "Y") and xy["reject"] and xy["low"] > 0
    assert not xz["reject"]                     # x1 and z1: the same noise level
    adjusted = holm([xy["p_value"], xz["p_value"]], 0.05)["adjusted"]
    assert [xy["p_holm"], xz["p_holm"]] == pytest.approx(adjusted)
    assert xy == {**paired_bootstrap_ci(test["x1"], test[result["chosen"]["Y"]], test_gold,
                                        n_boot=500, seed=0),
                  "a": "X", "b": "Y", "p_holm": xy["p_holm"], "reject": True}
    table = format_comparisons(result)
    assert "X − Y" in table and "different" in table and "not shown" in table


def test_compare_tuned_means_and_ties():
    dev = {"s1": [1, 0, 1, 0], "s2": [1, 0, 1, 0], "s3": [0, 0, 0, 1]}
    test = {"s1": [1, 1, 1, 0, 1], "s2": [0, 0, 1, 0, 0], "s3": [0, 0, 0, 0, 1]}
    result = compare_tuned(dev, test, {"A": ["s2", "s1"], "B": ["s3"]}, [("A", "B")],
                           n_boot=100)
    assert result["chosen"] == {"A": "s2", "B": "s3"}       # a tie: the first listed
    assert result["dev"]["A"] == 0.5 and result["test"]["A"] == pytest.approx(0.2)


@pytest.mark.parametrize("change, match", [
    (dict(methods={}), "methods must be a non-empty dict"),
    (dict(methods={"A": "s1", "B": ["s2"]}), r"methods\['A'\] must be a non-empty list"),
    (dict(comparisons=[("A", "A")]), "pairs of two different methods"),
    (dict(comparisons=[("A", "C")]), "pairs of two different methods"),
    (dict(comparisons=[]), "comparisons must be a non-empty list"),
    (dict(dev={"s1": [1, 0, 1]}), r"dev has no scores for the settings \['s2'\]"),
    (dict(test={"s1": [1, 0, 1], "s2": [1, 0]}), "one length"),
    (dict(dev="scores"), "dev must be a dict"),
    (dict(dev_gold=[1.0, 2.0, 3.0]), "give both dev_gold and test_gold"),
    (dict(dev_gold=[1.0, 2.0], test_gold=[1.0, 2.0, 3.0]), "dev_gold must have one value"),
])
def test_compare_tuned_bad_input(change, match):
    kwargs = dict(dev={"s1": [1, 0, 1], "s2": [0, 0, 1]}, test={"s1": [1, 0, 1],
                  "s2": [0, 1, 1]}, methods={"A": ["s1"], "B": ["s2"]},
                  comparisons=[("A", "B")])
    kwargs.update(change)
    with pytest.raises((ValueError, TypeError), match=match):
        compare_tuned(n_boot=10, **kwargs)


def test_evaluate_still_exports_the_moved_functions():
    from wvlib import evaluate
    assert evaluate.paired_bootstrap_ci is paired_bootstrap_ci
    assert evaluate.split_pairs is split_pairs
