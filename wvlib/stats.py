"""Statistics for comparing embeddings honestly (chapters 7–9).

Two systems scored on the *same* items (word pairs, analogy questions) must be compared on those
items, pair by pair, and a setting chosen on some items must be reported on others. This module
holds the tools, all seeded:

Paired bootstrap (:func:`paired_bootstrap_ci`)
    Resample the items with replacement, recompute the statistic of both systems on the same
    resample (Spearman's rho against human scores, or a mean such as accuracy) and read an
    interval and a p-value off the resampled differences (Efron & Tibshirani 1993).

Resampling the independent unit (``clusters=``)
    Items are often not independent draws. The Google analogy questions are built by combining
    word pairs: 3,406 questions asked on our corpus come from about 200 pairs (``Athens Greece``
    appears in dozens of questions), and WordSim-353's 353 pairs share their 437 words. The
    bootstrap must resample what was sampled: the pairs, or the words (Davison & Hinkley 1997,
    section 3.8). Two forms are supported:

    * ``clusters`` of shape ``(n_items,)``: one label per item; whole clusters are resampled, and
      an item counts as often as its cluster was drawn;
    * ``clusters`` of shape ``(n_items, 2)``: each item is *built from two units* (a question
      from two word pairs, a word pair from two words); the units are resampled and an item
      counts ``m_1 * m_2`` times, where ``m_1`` and ``m_2`` are the numbers of times its two
      units were drawn: the data set is rebuilt from the resampled units, as it was built from
      the original ones (the "vertex bootstrap" of networks, Snijders & Borgatti 1999).

    Either way the statistic is recomputed on the resampled items with their multiplicities.

Multiple comparisons (:func:`holm`)
    Holm's (1979) step-down adjustment: with ``m`` comparisons, the ``i``-th smallest p-value is
    multiplied by ``m - i + 1`` (and the adjusted values made non-decreasing); every hypothesis
    whose adjusted p-value is at most ``level`` is rejected. The probability of rejecting any
    true null hypothesis stays at most ``level``, whatever the dependence between the tests.

Development and test items (:func:`split_pairs`, :func:`split_units`)
    Choose settings on the development part, report the chosen setting on the test part once.
    A test item must not be a development item in disguise: WordSim-353 lists "money bank" and
    "bank money"; a split keeps them on one side (and, with ``group_by="word"``, keeps every
    word on one side).

Choose on dev, compare on test (:func:`compare_tuned`)
    From per-setting scores already computed on both parts: each method picks its best setting
    on the development items, the chosen settings are compared on the test items with paired
    intervals, and Holm's adjustment is applied across the comparisons.

References
----------
B. Efron and R. J. Tibshirani (1993). An Introduction to the Bootstrap.
A. C. Davison and D. V. Hinkley (1997). Bootstrap Methods and their Application.
T. A. B. Snijders and S. P. Borgatti (1999). Non-parametric standard errors and tests for
network statistics. Connections 22(2).
S. Holm (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal
of Statistics 6(2).
"""
from __future__ import annotations

import os

import numpy as np

from ._validate import check_choice, check_float, check_positive_int, check_random_state

__all__ = [
    "paired_bootstrap_ci", "holm", "weighted_correlation",
    "word_pair_units", "analogy_units", "split_pairs", "split_units",
    "compare_tuned", "format_comparisons",
]

# Resamples per block when the multiplicities are formed (memory: block x n_items floats).
_BLOCK_CELLS = 2**21


# ---------------------------------------------------------------------------------------------
# statistics of weighted samples (an item with weight m counts as m copies of it)
# ---------------------------------------------------------------------------------------------

def _weighted_midranks(values, weights):
    """Ranks of ``values`` in the sample where item ``i`` appears ``weights[r, i]`` times.

    ``values`` has shape (n,), ``weights`` shape (B, n); returns shape (B, n). Tied values share
    the mean of their ranks (``scipy.stats.rankdata(..., method="average")`` of the expanded
    sample); the rank of an item of weight 0 is computed but never used.
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new_value = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(new_value)
    group = np.cumsum(new_value) - 1                     # tie group of each sorted position
    totals = np.add.reduceat(weights[:, order], starts, axis=1)
    below = np.cumsum(totals, axis=1) - totals           # copies with a smaller value
    ranks = np.empty(weights.shape, dtype=np.float64)
    ranks[:, order] = (below + (totals + 1) / 2)[:, group]
    return ranks


def _weighted_pearson(x, y, weights):
    """Pearson correlation of x and y (shape (B, n) or (n,)) with row weights (B, n); NaN for a
    constant row or a row of total weight 0."""
    total = weights.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        dx = x - (weights * x).sum(axis=-1, keepdims=True) / total
        dy = y - (weights * y).sum(axis=-1, keepdims=True) / total
        return ((weights * dx * dy).sum(axis=-1)
                / np.sqrt((weights * dx * dx).sum(axis=-1) * (weights * dy * dy).sum(axis=-1)))


def _statistic(scores, gold, weights):
    """Spearman's rho of ``scores`` with ``gold`` (or the mean of ``scores`` when ``gold`` is
    None) in each weighted resample (rows of ``weights``)."""
    if gold is None:
        with np.errstate(invalid="ignore", divide="ignore"):
            return weights @ scores / weights.sum(axis=1)
    return _weighted_pearson(_weighted_midranks(scores, weights),
                             _weighted_midranks(gold, weights), weights)


def _difference(a, b, gold, weights):
    """The statistic of a minus that of b in each weighted resample."""
    if gold is None:
        return _statistic(a, None, weights) - _statistic(b, None, weights)
    gold_ranks = _weighted_midranks(gold, weights)
    return (_weighted_pearson(_weighted_midranks(a, weights), gold_ranks, weights)
            - _weighted_pearson(_weighted_midranks(b, weights), gold_ranks, weights))


def weighted_correlation(x, y, weights=None) -> float:
    """Pearson's correlation of ``x`` and ``y`` where item ``i`` has weight ``weights[i]``.

    With integer weights it is the correlation of the sample in which item ``i`` appears
    ``weights[i]`` times; chapter 8 weights pairs of words by how often they were seen, or by
    the curvature of their term in a loss.

    Parameters
    ----------
    x, y : array-like, shape (n,)
    weights : array-like, shape (n,), optional
        Non-negative, not all zero; all 1 by default.
    """
    x, y = _check_scores(x, y, "x", "y", minimum=2)
    if weights is None:
        weights = np.ones_like(x)
    weights = _check_same_length(weights, len(x), "weights", "x")
    if np.any(weights < 0) or not weights.sum() > 0:
        raise ValueError("weights must be non-negative and not all zero")
    return float(_weighted_pearson(x, y, weights))


# ---------------------------------------------------------------------------------------------
# paired bootstrap
# ---------------------------------------------------------------------------------------------

def _check_scores(a, b, name_a, name_b, minimum=3):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must be 1-D arrays of the same length, got "
                         f"shapes {a.shape} and {b.shape}")
    if len(a) < minimum:
        raise ValueError(f"{name_a} and {name_b} need at least {minimum} items, got {len(a)}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError(f"{name_a} and {name_b} must be finite")
    return a, b


def _check_same_length(values, n, name, other):
    values = np.asarray(values, dtype=float)
    if values.shape != (n,):
        raise ValueError(f"{name} must have one value per item of {other} ({n}), got shape "
                         f"{values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite")
    return values


def _check_clusters(clusters, n):
    """Clusters as integer codes: shape (n,) (one cluster per item) or (n, 2) (two units per
    item); returns (codes, number of clusters or units)."""
    labels = np.asarray(clusters)
    if labels.ndim not in (1, 2) or labels.shape[0] != n or (
            labels.ndim == 2 and labels.shape[1] != 2):
        raise ValueError(f"clusters must have shape ({n},) (one cluster label per item) or "
                         f"({n}, 2) (the two units each item is built from), got shape "
                         f"{labels.shape}")
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError("clusters must hold finite labels")
    unique, codes = np.unique(labels.ravel(), return_inverse=True)
    if len(unique) < 2:
        raise ValueError(f"clusters must name at least 2 clusters (or units) to resample, "
                         f"got {len(unique)}")
    return codes.reshape(labels.shape), len(unique)


def paired_bootstrap_ci(scores_a, scores_b, gold=None, *, clusters=None, n_boot: int = 2000,
                        level: float = 0.95, seed=0) -> dict:
    """Paired bootstrap interval and p-value for the difference between two systems.

    Both systems are scored on the *same* items (word pairs, analogy questions), so their
    scores are correlated and the standard errors of the two scores must not be combined as
    if they were independent. Instead, the items (or the clusters or units they come from) are
    resampled with replacement, and the difference of the statistic (system A minus system B)
    is recomputed on each resample, with the same resampled items for both systems.

    Parameters
    ----------
    scores_a, scores_b : array-like, shape (n_items,)
        Per-item outputs of the two systems: the cosines of the word pairs (with ``gold``), or
        per-question scores such as 0/1 correctness (without ``gold``).
    gold : array-like, shape (n_items,), optional
        Human scores of the items. Given: the statistic is Spearman's rho between a system's
        scores and ``gold``. Omitted: the statistic is the mean score (accuracy for 0/1).
    clusters : array-like, shape (n_items,) or (n_items, 2), optional
        What is resampled. Omitted: the items. Shape (n_items,): a cluster label per item; whole
        clusters are resampled. Shape (n_items, 2): the two units each item is built from
        (:func:`analogy_units`, :func:`word_pair_units`); units are resampled and an item counts
        once for each pair of drawn copies of its two units. See the module docstring.
    n_boot : int, default 2000
        Number of bootstrap resamples.
    level : float in (0, 1), default 0.95
        Coverage of the percentile interval.
    seed : int or numpy.random.Generator, default 0
        Seed of the resampling.

    Returns
    -------
    dict
        ``difference`` (the statistic of A minus that of B on all items), ``low`` and ``high``
        (the percentile interval of the resampled differences), ``se`` (their standard
        deviation), ``p_value``, ``n_items``, ``n_units`` (the number of things resampled:
        items, clusters or units), ``n_boot`` and ``n_valid`` (the resamples whose statistic is
        defined: a resample can hold a constant system or no item at all).

    Notes
    -----
    The p-value is that of the two-sided test of "no difference" obtained by inverting the
    percentile interval: twice the smaller of the shares of resampled differences at or below
    zero and at or above zero, with one added to both counts (so that a finite number of
    resamples never gives exactly 0), and at most 1::

        p = min(1, 2 * (1 + min(#{diff* <= 0}, #{diff* >= 0})) / (n_valid + 1))

    So ``p < 1 - level`` when the interval excludes zero, up to that one resample. With
    ``n_boot`` resamples the smallest possible p-value is ``2 / (n_boot + 1)``.
    """
    a, b = _check_scores(scores_a, scores_b, "scores_a", "scores_b")
    if gold is not None:
        gold = np.asarray(gold, dtype=float)
        if gold.shape != a.shape:
            raise ValueError(f"gold must have one score per item ({len(a)}), got shape "
                             f"{gold.shape}")
        if not np.all(np.isfinite(gold)):
            raise ValueError("scores_a, scores_b and gold must be finite")
    n_boot = check_positive_int(n_boot, "n_boot")
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")
    rng = check_random_state(seed)
    n = len(a)
    codes, n_units = (None, n) if clusters is None else _check_clusters(clusters, n)

    ones = np.ones((1, n))
    difference = float(_difference(a, b, gold, ones)[0])
    draws = rng.integers(n_units, size=(n_boot, n_units))
    diffs = np.empty(n_boot)
    block = max(1, _BLOCK_CELLS // max(n, n_units))
    for start in range(0, n_boot, block):
        chunk = draws[start:start + block]
        flat = chunk + n_units * np.arange(len(chunk))[:, None]
        drawn = np.bincount(flat.ravel(), minlength=chunk.size).reshape(chunk.shape)
        drawn = drawn.astype(np.float64)               # how often each unit was drawn
        if codes is None:
            weights = drawn
        elif codes.ndim == 1:
            weights = drawn[:, codes]
        else:
            weights = drawn[:, codes[:, 0]] * drawn[:, codes[:, 1]]
        diffs[start:start + len(chunk)] = _difference(a, b, gold, weights)
    valid = diffs[np.isfinite(diffs)]
    if len(valid) == 0:
        raise ValueError("the statistic is undefined on every resample (constant scores?)")
    low, high = np.quantile(valid, [(1 - level) / 2, (1 + level) / 2])
    tail = min(np.sum(valid <= 0), np.sum(valid >= 0))
    p_value = min(1.0, 2 * (1 + tail) / (len(valid) + 1))
    return dict(difference=difference, low=float(low), high=float(high),
                se=float(np.std(valid)), p_value=float(p_value), n_items=n, n_units=n_units,
                n_boot=n_boot, n_valid=int(len(valid)))


# ---------------------------------------------------------------------------------------------
# multiple comparisons
# ---------------------------------------------------------------------------------------------

def holm(pvalues, level: float = 0.05) -> dict:
    """Holm's step-down adjustment of several p-values (Holm 1979).

    Sort the ``m`` p-values, ``p_(1) <= ... <= p_(m)``; the adjusted value of the ``i``-th is
    ``max_{j <= i} min(1, (m - j + 1) p_(j))``. A hypothesis is rejected when its adjusted
    p-value is at most ``level``; the chance of rejecting at least one true null hypothesis is
    then at most ``level``, for any dependence between the tests.

    Parameters
    ----------
    pvalues : array-like, shape (m,)
        Numbers in [0, 1], in any order.
    level : float in (0, 1), default 0.05
        Family-wise error rate.

    Returns
    -------
    dict
        ``adjusted`` (array, in the order of ``pvalues``) and ``reject`` (boolean array).

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03])["adjusted"].round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1 or len(p) == 0:
        raise ValueError(f"pvalues must be a non-empty 1-D array, got shape {p.shape}")
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError("pvalues must be numbers in [0, 1] (no NaN)")
    level = check_float(level, "level", low=0.0, high=1.0, low_open=True, high_open=True)
    m = len(p)
    order = np.argsort(p, kind="stable")
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(stepped)
    return dict(adjusted=adjusted, reject=adjusted <= level)


# ---------------------------------------------------------------------------------------------
# units, and dev/test splits that keep them apart
# ---------------------------------------------------------------------------------------------

def _codes(keys):
    index = {}
    return np.array([index.setdefault(key, len(index)) for key in keys], dtype=np.int64)


def word_pair_units(pairs) -> np.ndarray:
    """The two words of each word pair, as integer codes (shape (n_pairs, 2)).

    Words are compared in upper case, as the evaluation does. For ``clusters=`` of
    :func:`paired_bootstrap_ci` (resample the words), or :func:`split_units`.
    """
    pairs = _pairs(pairs)
    codes = _codes(word.upper() for w1, w2, _ in pairs for word in (w1, w2))
    return codes.reshape(-1, 2)


def analogy_units(questions) -> np.ndarray:
    """The two word pairs each analogy question is built from, as integer codes.

    The question ``a b c d`` combines the pairs ``(a, b)`` and ``(c, d)`` of one relation; the
    Google set holds every ordered combination of two pairs of a section, so one pair appears in
    many questions (and in two sections when they share it). Pairs are compared in upper case.

    Parameters
    ----------
    questions : sequence of (str, str, str, str), or dict of section -> questions
        E.g. the ``questions`` of ``evaluate_analogies(..., per_question=True)``.

    Returns
    -------
    ndarray of int, shape (n_questions, 2)
    """
    if isinstance(questions, dict):
        questions = [q for section in questions.values() for q in section]
    keys = []
    for q in questions:
        if (not isinstance(q, (list, tuple)) or len(q) != 4
                or not all(isinstance(word, str) for word in q)):
            raise ValueError(f"questions must hold questions of 4 words, got {q!r}")
        keys += [(q[0].upper(), q[1].upper()), (q[2].upper(), q[3].upper())]
    if not keys:
        raise ValueError("questions must hold at least one question, got none")
    return _codes(keys).reshape(-1, 2)


def _pairs(pairs):
    from .datasets import check_word_pairs, read_word_pairs
    if isinstance(pairs, (str, os.PathLike)):
        pairs = read_word_pairs(pairs, "pairs")
    return check_word_pairs(pairs)


def _check_fraction(dev_fraction):
    if isinstance(dev_fraction, bool) or not isinstance(dev_fraction, (int, float)) \
            or not 0 < dev_fraction < 1:
        raise ValueError(f"dev_fraction must be a number in (0, 1), got {dev_fraction!r}")
    return float(dev_fraction)


def _components(units, n_units):
    """Connected components of the graph whose edges are the rows of ``units``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    graph = coo_matrix((np.ones(len(units)), (units[:, 0], units[:, 1])),
                       shape=(n_units, n_units))
    return connected_components(graph, directed=False)[1]


def split_pairs(pairs, dev_fraction=0.5, seed=0, *, group_by="pair"):
    """Split word pairs at random into a development and a test part.

    Choose hyperparameters on the development part and report the test part only once, for
    the chosen setting: a score that was maximised over settings on the same pairs is biased
    upwards.

    Parameters
    ----------
    pairs : str, os.PathLike or list of (str, str, float)
    dev_fraction : float in (0, 1), default 0.5
        Share of the pairs that go to the development part (as closely as the groups allow).
    seed : int, default 0
    group_by : {"pair", "word"}, default "pair"
        What must not be on both sides. ``"pair"``: the same two words (in either order, in any
        case) are one group, so a duplicated pair ("money bank", "bank money" in WordSim-353)
        cannot be tested after being tuned on. ``"word"``: pairs linked by a shared word, directly
        or through other pairs, are one group (a connected component of the graph of words), so
        no word of a test pair occurs in a development pair; this is the sound choice when the
        words, not the pairs, are taken as the sampled units (:func:`word_pair_units`). It
        fails when one component holds more than ``max(dev_fraction, 1 - dev_fraction)`` of the
        pairs.

    Returns
    -------
    (dev, test) : two lists of pairs, each in dataset order.

    Notes
    -----
    The groups are shuffled with ``seed`` and taken in turn: a group joins the development
    part if it fits in the ``round(dev_fraction * n)`` pairs still free there, otherwise the
    test part. With no repeated pair and ``group_by="pair"`` this is a uniformly random subset
    of exactly ``round(dev_fraction * n)`` pairs.
    """
    pairs = _pairs(pairs)
    dev_fraction = _check_fraction(dev_fraction)
    check_choice(group_by, "group_by", ("pair", "word"))
    rng = np.random.default_rng(check_positive_int(seed, "seed", allow_zero=True))
    n_dev = int(round(dev_fraction * len(pairs)))
    if n_dev == 0 or n_dev == len(pairs):
        raise ValueError(f"dev_fraction={dev_fraction} leaves one part of the {len(pairs)} "
                         f"pairs empty")
    if group_by == "pair":
        group = _codes(frozenset((w1.upper(), w2.upper())) for w1, w2, _ in pairs)
    else:
        units = word_pair_units(pairs)
        group = _components(units, units.max() + 1)[units[:, 0]]
    sizes = np.bincount(group)
    in_dev = np.zeros(len(sizes), dtype=bool)
    free = n_dev
    for g in rng.permutation(len(sizes)):
        if sizes[g] <= free:
            in_dev[g] = True
            free -= sizes[g]
    dev_mask = in_dev[group]
    if dev_mask.all() or not dev_mask.any():
        raise ValueError(f"group_by={group_by!r}: a group of {sizes.max()} of the {len(pairs)} "
                         f"pairs is too large to split them with dev_fraction={dev_fraction}")
    return ([p for p, d in zip(pairs, dev_mask) if d],
            [p for p, d in zip(pairs, dev_mask) if not d])


def split_units(units, dev_fraction=0.5, seed=0):
    """Split items built from units (:func:`analogy_units`) so that no unit is on both sides.

    Each unit goes to the development part with probability ``dev_fraction``; an item is a
    development item when all its units are, a test item when none of them is, and is left out
    otherwise. For the Google analogies this keeps every word pair on one side at the price of
    the questions that mix the two sides (about half of them with ``dev_fraction = 0.5``).

    Parameters
    ----------
    units : array-like of int, shape (n_items,) or (n_items, k)
    dev_fraction : float in (0, 1), default 0.5
    seed : int, default 0

    Returns
    -------
    (dev, test) : two boolean arrays of shape (n_items,), never both True.
    """
    units = np.asarray(units)
    if units.ndim == 1:
        units = units[:, None]
    if units.ndim != 2 or len(units) == 0 or units.dtype.kind not in "iu" or units.min() < 0:
        raise ValueError(f"units must be a non-empty array of non-negative integer codes, "
                         f"shape (n_items,) or (n_items, k), got shape {units.shape} and "
                         f"dtype {units.dtype}")
    dev_fraction = _check_fraction(dev_fraction)
    rng = np.random.default_rng(check_positive_int(seed, "seed", allow_zero=True))
    unit_in_dev = rng.random(units.max() + 1) < dev_fraction
    on_dev = unit_in_dev[units]
    dev, test = on_dev.all(axis=1), (~on_dev).all(axis=1)
    if not dev.any() or not test.any():
        raise ValueError(f"dev_fraction={dev_fraction} leaves one part of the {len(units)} "
                         f"items empty")
    return dev, test


# ---------------------------------------------------------------------------------------------
# choose on dev, compare on test
# ---------------------------------------------------------------------------------------------

def _part(scores, name, settings):
    if not isinstance(scores, dict):
        raise TypeError(f"{name} must be a dict setting -> per-item scores, got "
                        f"{type(scores).__name__}")
    missing = [s for s in settings if s not in scores]
    if missing:
        raise ValueError(f"{name} has no scores for the settings {missing}")
    arrays = {s: np.asarray(scores[s], dtype=float) for s in settings}
    lengths = {a.shape for a in arrays.values()}
    if len(lengths) != 1 or len(next(iter(lengths))) != 1:
        raise ValueError(f"{name} must hold 1-D arrays of one length (one score per item), got "
                         f"shapes {sorted(lengths)}")
    return arrays


def compare_tuned(dev, test, methods, comparisons, *, dev_gold=None, test_gold=None,
                  clusters=None, n_boot: int = 2000, level: float = 0.95, seed=0) -> dict:
    """Choose each method's setting on the development items, compare on the test items.

    Parameters
    ----------
    dev, test : dict of setting -> array-like of per-item scores
        Scores already computed for every setting, on the development and on the test items
        (cosines of word pairs with ``*_gold``; 0/1 correctness of questions without).
    methods : dict of method name -> list of settings
        The settings each method may choose from (a setting may belong to several methods).
    comparisons : list of (method_a, method_b)
        The differences to test, named before looking at the test items: a method against
        another, each at its own chosen setting.
    dev_gold, test_gold : array-like, optional
        Human scores of the items: the statistic is then Spearman's rho (else the mean).
    clusters : array-like, optional
        The test items' clusters or units, for :func:`paired_bootstrap_ci`.
    n_boot, level, seed
        For :func:`paired_bootstrap_ci`; Holm's adjustment (:func:`holm`) keeps the chance of
        any false "different" at ``1 - level``. Every comparison uses the same resamples.

    Returns
    -------
    dict
        ``chosen`` (method -> setting), ``dev`` and ``test`` (method -> statistic of the
        chosen setting), ``comparisons`` (one dict per comparison: ``a``, ``b`` and the
        results of :func:`paired_bootstrap_ci`, plus ``p_holm`` and ``reject``) and ``level``.
    """
    if not isinstance(methods, dict) or not methods:
        raise ValueError("methods must be a non-empty dict method -> list of settings")
    for name, settings in methods.items():
        if isinstance(settings, str) or not settings:
            raise ValueError(f"methods[{name!r}] must be a non-empty list of settings, got "
                             f"{settings!r}")
    if not isinstance(comparisons, (list, tuple)) or not comparisons:
        raise ValueError("comparisons must be a non-empty list of (method_a, method_b)")
    for pair in comparisons:
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2 or pair[0] == pair[1]
                or any(m not in methods for m in pair)):
            raise ValueError(f"comparisons must hold pairs of two different methods among "
                             f"{list(methods)}, got {pair!r}")
    settings = list(dict.fromkeys(s for group in methods.values() for s in group))
    dev, test = _part(dev, "dev", settings), _part(test, "test", settings)
    n_dev, n_test = len(dev[settings[0]]), len(test[settings[0]])
    dev_gold = None if dev_gold is None else _check_same_length(dev_gold, n_dev, "dev_gold",
                                                                "dev")
    test_gold = None if test_gold is None else _check_same_length(test_gold, n_test,
                                                                  "test_gold", "test")
    if (dev_gold is None) != (test_gold is None):
        raise ValueError("give both dev_gold and test_gold (Spearman's rho) or neither (mean)")

    def score(values, gold):
        return float(_statistic(values, gold, np.ones((1, len(values))))[0])

    dev_score = {s: score(dev[s], dev_gold) for s in settings}

    def rank(setting, group):     # the best dev score wins; ties: the first listed; NaN last
        value = dev_score[setting]
        return (value if np.isfinite(value) else -np.inf, -group.index(setting))

    chosen = {m: max(group, key=lambda s, g=group: rank(s, g)) for m, group in methods.items()}
    rows = []
    for a, b in comparisons:
        ci = paired_bootstrap_ci(test[chosen[a]], test[chosen[b]], test_gold,
                                 clusters=clusters, n_boot=n_boot, level=level, seed=seed)
        rows.append(dict(a=a, b=b, **ci))
    adjusted = holm([row["p_value"] for row in rows], level=1 - level)
    for row, p, reject in zip(rows, adjusted["adjusted"], adjusted["reject"]):
        row.update(p_holm=float(p), reject=bool(reject))
    return dict(chosen=chosen, dev={m: dev_score[s] for m, s in chosen.items()},
                test={m: score(test[s], test_gold) for m, s in chosen.items()},
                comparisons=rows, level=level)


def format_comparisons(result: dict, scale: float = 1.0, digits: int = 3) -> str:
    """The comparisons of :func:`compare_tuned` as a small text table.

    ``scale`` multiplies differences and intervals (100 for percentage points).
    """
    if not isinstance(result, dict) or "comparisons" not in result:
        raise TypeError("result must be the dict returned by compare_tuned")
    rows = [(f"{r['a']} − {r['b']}", f"{scale * r['difference']:+.{digits}f}",
             f"[{scale * r['low']:+.{digits}f}, {scale * r['high']:+.{digits}f}]",
             f"{r['p_value']:.3f}", f"{r['p_holm']:.3f}",
             "different" if r["reject"] else "not shown")
            for r in result["comparisons"]]
    header = ("comparison (test)", "diff", f"{100 * result['level']:.0f}% interval", "p",
              "p Holm", "verdict")
    widths = [max(len(str(x[i])) for x in rows + [header]) for i in range(len(header))]
    lines = ["  ".join(str(x[i]).ljust(widths[i]) if i == 0 else str(x[i]).rjust(widths[i])
                       for i in range(len(header))) for x in [header] + rows]
    return "\n".join(line.rstrip() for line in lines)
