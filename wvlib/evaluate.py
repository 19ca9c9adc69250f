"""Intrinsic evaluation of word vectors: word similarity and word analogies.

Word similarity (WordSim-353, SimLex-999)
    Each line of a dataset holds two words and a human similarity score. We compute the cosine
    of the two word vectors and report the **Spearman** rank correlation (and Pearson's r)
    between cosines and human scores over the pairs whose two words are known. Pairs with an
    unknown word are skipped and counted (``n_oov``, ``oov_ratio`` in percent).

Word analogies (the Google set of Mikolov et al. 2013, 19,544 questions in 14 sections)
    Each question ``a b c d`` reads "``a`` is to ``b`` as ``c`` is to ``d``" (``Athens Greece
    Baghdad Iraq``). The model answers with the best word for 3CosAdd (``method="add"``) or
    3CosMul (``method="mul"``; see :mod:`wvlib.vectors`) among the ``restrict_vocab`` first
    (most frequent) words, never ``a``, ``b`` or ``c``. A question counts if the answer is
    ``d``. Questions with a word outside the first ``restrict_vocab`` words are *skipped*:
    ``coverage`` is the fraction of questions that were asked at all. Always read accuracy
    together with coverage.

The protocol is exactly gensim's (``KeyedVectors.evaluate_word_pairs`` and
``evaluate_word_analogies``), so the figures are the same on the same vectors:

* only the first ``restrict_vocab`` words of the vocabulary are used (for word pairs too);
* with ``case_insensitive=True`` words are compared in upper case, and a word with several
  case variants (``paris``, ``Paris``) takes the vector of the first one in the vocabulary;
* in the analogies, gensim looks at the 5 best candidates (query words excluded) and answers
  with the first one that is not a case variant of a query word (``Paris`` for the query word
  ``paris``); if all 5 are, the question is wrong.

Two caveats about "the same figures". (1) WordSim-353 and SimLex-999 list a few pairs twice
("money bank" and "bank money"). Their cosines are equal, so they tie in the Spearman ranks
here, while gensim's BLAS dot products can differ in the last bit (depending on memory
alignment), break the tie and move its Spearman by about 1e-5. (2) For float32 vectors gensim
computes in float32; we compute the word-pair cosines in float64 (correlations then differ by
about 1e-8) and the analogy scores in float32 with a different rounding (a near-tie, within
about 1e-7, can rarely be broken differently). On float64 vectors without repeated pairs the
figures are identical.

``method="mul"`` follows the same protocol with 3CosMul (gensim's ``evaluate_word_analogies``
has no such option; the result is what it gives when its ``most_similar`` is replaced by
``most_similar_cosmul`` on the first ``restrict_vocab`` words).

How :func:`evaluate_analogies` stays fast
    Instead of one nearest-neighbour search per question, it first computes the cosines of the
    few distinct query words with every candidate word, ``C = U_q @ U.T`` (905 x 30,000 for the
    Google set). Then 3CosAdd scores are sums of rows, ``C[b] + C[c] - C[a]`` (proportional to
    the cosines with the normalised mean of ``u_b + u_c - u_a``, so the same ranking), and
    3CosMul scores are products of rows of ``(1 + C) / 2``, for a block of questions at a time.
    The whole Google set takes a few seconds on 30,000 words.
"""
from __future__ import annotations

import os

import numpy as np

from ._validate import check_choice, check_positive_int
# the named datasets are files shipped with gensim's test data: no download needed
from .datasets import ANALOGY_DATASETS
from .datasets import check_word_pairs as _check_pairs
from .datasets import dataset_path as _dataset_file
from .datasets import read_word_pairs as _read_word_pairs
from .progress import progress
# moved to wvlib.stats; imported here so that ``from wvlib.evaluate import ...`` keeps working
from .stats import paired_bootstrap_ci, split_pairs  # noqa: F401
from .vectors import COSMUL_EPSILON, KeyedVectors, _unit_rows, top_k

# gensim reads the 5 best candidates of each analogy question (see the module docstring).
ANALOGY_CANDIDATES = 5

# Size (in entries) of one block of analogy scores, questions x candidate words: small enough
# to stay in the CPU cache (2 MB in float64).
_BLOCK_ENTRIES = 2**18


# ---------------------------------------------------------------------------------------------
# datasets
# ---------------------------------------------------------------------------------------------

def load_word_pairs(name_or_path) -> list:
    """Read a word-similarity dataset.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        ``"wordsim353"`` or ``"simlex999"`` (the copies shipped with gensim), or the path of a
        UTF-8 file with lines ``word1<TAB>word2<TAB>score``; lines starting with ``#`` are
        comments, blank lines are ignored.

    Returns
    -------
    list of (str, str, float)
        The pairs in file order.
    """
    return _read_word_pairs(name_or_path, "name_or_path")


def load_analogies(name_or_path="google") -> dict:
    """Read an analogy dataset.

    Parameters
    ----------
    name_or_path : str or os.PathLike, default "google"
        ``"google"`` (gensim's copy of ``questions-words.txt``) or the path of a file in that
        format: a line ``: section-name`` starts a section, then each line holds 4 words
        ``a b c d`` separated by whitespace.

    Returns
    -------
    dict of str to list of (str, str, str, str)
        Section name -> questions, both in file order.
    """
    return _read_analogies(name_or_path, "name_or_path")




def _read_analogies(name_or_path, argname: str) -> dict:
    path = _dataset_file(name_or_path, ANALOGY_DATASETS, argname)
    sections = {}
    questions = None
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if line.startswith(": "):
                questions = sections.setdefault(line[2:].strip(), [])
                continue
            words = line.split()
            if not words:
                continue
            if questions is None:
                raise ValueError(f"{argname}: line {line_no} of {path} comes before the first "
                                 f"': section' line")
            if len(words) != 4:
                raise ValueError(f"{argname}: line {line_no} of {path} should hold 4 words, "
                                 f"got {line.rstrip()!r}")
            questions.append(tuple(words))
    return sections


# ---------------------------------------------------------------------------------------------
# the vocabulary the evaluation may use
# ---------------------------------------------------------------------------------------------

def _as_keyed_vectors(kv) -> KeyedVectors:
    if isinstance(kv, KeyedVectors):
        return kv
    if hasattr(kv, "index_to_key") and hasattr(kv, "vectors"):  # a gensim KeyedVectors
        return KeyedVectors.from_gensim(kv)
    raise TypeError(f"kv must be a wvlib.vectors.KeyedVectors, got {type(kv).__name__}")


def _restricted_lookup(kv: KeyedVectors, restrict_vocab: int, case_insensitive: bool) -> dict:
    """Map each (upper-cased) word among the first ``restrict_vocab`` words to its row.

    With ``case_insensitive`` several words can share a key (``paris``, ``Paris`` -> ``PARIS``):
    the first one in the vocabulary (the most frequent one) wins.
    """
    lookup = {}
    for row, word in enumerate(kv.index_to_key[:restrict_vocab]):
        key = word.upper() if case_insensitive else word
        lookup.setdefault(key, row)
    return lookup


# ---------------------------------------------------------------------------------------------
# word similarity
# ---------------------------------------------------------------------------------------------

def evaluate_word_pairs(kv, pairs="wordsim353", restrict_vocab=300000,
                        case_insensitive=True) -> dict:
    """Correlation between the cosines of word pairs and human similarity scores.

    Parameters
    ----------
    kv : KeyedVectors
        The vectors (a gensim ``KeyedVectors`` is accepted too).
    pairs : str, os.PathLike or list of (str, str, float), default "wordsim353"
        A dataset for :func:`load_word_pairs` or the pairs themselves.
    restrict_vocab : int, default 300000
        Use only the first ``restrict_vocab`` words of ``kv`` (gensim's default).
    case_insensitive : bool, default True
        Compare words in upper case (see the module docstring).

    Returns
    -------
    dict
        ``spearman`` and ``pearson`` (correlations over the pairs used; NaN if fewer than 2),
        ``n_pairs`` (pairs used), ``n_oov`` (pairs skipped because a word is unknown),
        ``oov_ratio`` (``n_oov`` as a percentage of all pairs, as gensim reports it).

    Notes
    -----
    The figures are gensim's ``evaluate_word_pairs`` (see the module docstring for the rare
    exceptions), except that gensim raises an error when no pair is usable.
    """
    from scipy import stats

    kv = _as_keyed_vectors(kv)
    restrict_vocab = check_positive_int(restrict_vocab, "restrict_vocab")
    if isinstance(pairs, (str, os.PathLike)):
        pairs = _read_word_pairs(pairs, "pairs")
    pairs = _check_pairs(pairs)

    per_pair = pair_cosines(kv, pairs, restrict_vocab, case_insensitive)
    gold, cosines = per_pair["gold"], per_pair["cosines"]
    n_pairs, n_oov = len(gold), per_pair["n_oov"]
    if n_pairs >= 2:
        spearman = float(stats.spearmanr(gold, cosines).statistic)
        pearson = float(stats.pearsonr(gold, cosines).statistic)
    else:
        spearman = pearson = float("nan")
    return dict(spearman=spearman, pearson=pearson, n_pairs=n_pairs, n_oov=n_oov,
                oov_ratio=100.0 * n_oov / len(pairs))



# ---------------------------------------------------------------------------------------------
# analogies
# ---------------------------------------------------------------------------------------------

def evaluate_analogies(kv, analogies="google", restrict_vocab=30000, case_insensitive=True,
                       method="add", verbose=None, per_question=False) -> dict:
    """Accuracy on analogy questions "a is to b as c is to d".

    Parameters
    ----------
    kv : KeyedVectors
        The vectors (a gensim ``KeyedVectors`` is accepted too), sorted by frequency.
    analogies : str, os.PathLike or dict, default "google"
        A dataset for :func:`load_analogies`, or its result (section -> list of 4-tuples).
    restrict_vocab : int, default 30000
        Answer among (and ask only questions within) the first ``restrict_vocab`` words.
    case_insensitive : bool, default True
        Compare words in upper case (see the module docstring).
    method : {"add", "mul"}, default "add"
        3CosAdd or 3CosMul.
    verbose : bool, optional
        Progress bar (see :mod:`wvlib.progress`).
    per_question : bool, default False
        Also return ``is_correct``, a boolean array with one entry per question asked (in
        dataset order), and ``questions``, the questions asked, for paired comparisons
        (:func:`wvlib.stats.paired_bootstrap_ci`, with :func:`wvlib.stats.analogy_units`).

    Returns
    -------
    dict
        ``accuracy`` (correct / total, a fraction; 0.0 if no question was asked), ``correct``,
        ``total`` (questions asked), ``n_skipped`` (questions with a word outside the
        restricted vocabulary), ``coverage`` (total / (total + n_skipped), a fraction),
        ``method``, ``restrict_vocab`` and ``sections``: section name ->
        ``{"correct", "total", "accuracy"}``, in dataset order.
    """
    kv = _as_keyed_vectors(kv)
    restrict_vocab = check_positive_int(restrict_vocab, "restrict_vocab")
    check_choice(method, "method", ("add", "mul"))
    if isinstance(analogies, (str, os.PathLike)):
        analogies = _read_analogies(analogies, "analogies")
    analogies = _check_analogies(analogies)

    # 1. Encode every question as 4 rows of the restricted vocabulary; skip the others.
    lookup = _restricted_lookup(kv, restrict_vocab, case_insensitive)
    fold = str.upper if case_insensitive else str
    encoded, section_of, asked = [], [], []
    skipped = np.zeros(len(analogies), dtype=np.int64)
    for s, questions in enumerate(analogies.values()):
        for question in questions:
            rows = [lookup.get(fold(word)) for word in question]
            if None in rows:
                skipped[s] += 1
            else:
                encoded.append(rows)
                section_of.append(s)
                asked.append(question)
    questions = np.array(encoded, dtype=np.int64).reshape(-1, 4)
    section_of = np.array(section_of, dtype=np.int64)

    # 2. Cosines of every query word (a, b or c) with every candidate word, computed once:
    #    the Google set asks its 19,544 questions about only 905 distinct words.
    n_candidates = min(restrict_vocab, len(kv))
    unit = kv.get_normed_vectors()[:n_candidates]
    query_rows, position = np.unique(questions[:, :3], return_inverse=True)
    position = position.reshape(-1, 3)
    cosines = unit[query_rows] @ unit.T
    if method == "mul":
        cosines = (1 + cosines) / 2  # shifted to [0, 1]

    # The row that stands for each candidate word when words are compared: its own row, or
    # that of its first case variant (Paris -> paris). Questions about a word with other case
    # variants among the candidates need gensim's "5 best candidates" rule (_predict_top5);
    # all others simply take the best candidate.
    canonical = np.array([lookup[fold(word)] for word in kv.index_to_key[:n_candidates]],
                         dtype=np.int64)
    n_variants = np.bincount(canonical, minlength=n_candidates) - 1
    has_variants = n_variants[questions[:, :3]].sum(axis=1) > 0

    # 3. Answer block by block: the scores of all candidates for a block of questions.
    block = max(1, _BLOCK_ENTRIES // n_candidates)
    correct = np.zeros(len(questions), dtype=bool)
    starts = range(0, len(questions), block)
    for start in progress(starts, total=len(starts), desc="analogies", verbose=verbose):
        rows = slice(start, start + block)
        a, b, c, d = questions[rows].T
        pa, pb, pc = position[rows].T
        if method == "add":
            # U (u_b + u_c - u_a): a positive multiple of the cosines with the normalised
            # mean (u_b + u_c - u_a) / 3, so the same ranking
            scores = cosines[pb] + cosines[pc] - cosines[pa]
        else:
            scores = cosines[pb] * cosines[pc] / (cosines[pa] + COSMUL_EPSILON)
        scores[np.arange(len(a))[:, None], np.stack([a, b, c], axis=1)] = -np.inf  # excluded

        best = np.argmax(scores, axis=1)
        best_score = scores[np.arange(len(a)), best]
        predicted = np.where(best_score > -np.inf, canonical[best], -1)
        special = has_variants[rows]
        if special.any():
            predicted[special] = _predict_top5(scores[special], canonical, a[special],
                                               b[special], c[special])
        correct[rows] = predicted == d

    # 4. Count per section and in total.
    per_correct = np.bincount(section_of, weights=correct, minlength=len(analogies))
    per_total = np.bincount(section_of, minlength=len(analogies))
    sections = {name: _score(int(per_correct[s]), int(per_total[s]))
                for s, name in enumerate(analogies)}
    n_correct, total, n_skipped = int(correct.sum()), len(questions), int(skipped.sum())
    result = dict(**_score(n_correct, total), n_skipped=n_skipped,
                  coverage=total / (total + n_skipped) if total + n_skipped else 0.0,
                  method=method, restrict_vocab=restrict_vocab, sections=sections)
    if per_question:
        result.update(is_correct=correct.copy(), questions=asked)
    return result


def _predict_top5(scores, canonical, a, b, c):
    """gensim's answer for each row of ``scores``, as a canonical row (-1 for no answer).

    Among the 5 best candidates, the answer is the first that is not a case variant of a
    query word; if all of them are, gensim keeps the last one it looked at.
    """
    best = top_k(scores, ANALOGY_CANDIDATES)                    # (m, 5) best first
    valid = np.take_along_axis(scores, best, axis=1) > -np.inf  # fewer than 5 candidates?
    word = canonical[best]
    is_query = (word == a[:, None]) | (word == b[:, None]) | (word == c[:, None])
    acceptable = valid & ~is_query
    last_valid = valid.sum(axis=1) - 1
    position = np.where(acceptable.any(axis=1), acceptable.argmax(axis=1), last_valid)
    predicted = word[np.arange(len(word)), np.maximum(position, 0)]
    return np.where(last_valid >= 0, predicted, -1)


def _score(correct: int, total: int) -> dict:
    return dict(correct=correct, total=total, accuracy=correct / total if total else 0.0)


def _check_analogies(analogies) -> dict:
    if not isinstance(analogies, dict):
        raise TypeError(f"analogies must be a dataset name, a path or a dict section -> "
                        f"questions, got {type(analogies).__name__}")
    checked = {}
    for name, questions in analogies.items():
        checked[str(name)] = []
        for question in questions:
            if (not isinstance(question, (list, tuple)) or len(question) != 4
                    or not all(isinstance(word, str) for word in question)):
                raise ValueError(f"analogies must hold questions of 4 words, got {question!r} "
                                 f"in section {name!r}")
            checked[str(name)].append(tuple(question))
    return checked


# ---------------------------------------------------------------------------------------------
# everything at once
# ---------------------------------------------------------------------------------------------

def evaluate_all(kv, restrict_vocab=30000, verbose=None) -> dict:
    """WordSim-353, SimLex-999 and the Google analogies (3CosAdd), as printed by
    ``python -m wvlib evaluate``.

    Parameters
    ----------
    kv : KeyedVectors
    restrict_vocab : int, default 30000
        For the analogies (the word pairs use gensim's default, 300000).

    Returns
    -------
    dict
        ``{"wordsim353": ..., "simlex999": ..., "analogies": ...}`` with the results of
        :func:`evaluate_word_pairs` and :func:`evaluate_analogies`.
    """
    kv = _as_keyed_vectors(kv)
    restrict_vocab = check_positive_int(restrict_vocab, "restrict_vocab")
    return {"wordsim353": evaluate_word_pairs(kv, "wordsim353"),
            "simlex999": evaluate_word_pairs(kv, "simlex999"),
            "analogies": evaluate_analogies(kv, restrict_vocab=restrict_vocab,
                                            verbose=verbose)}


_TITLES = {"wordsim353": "WordSim-353", "simlex999": "SimLex-999"}


def format_report(results: dict, sections: bool = False) -> str:
    """A small text table of the results of :func:`evaluate_all`.

    Parameters
    ----------
    results : dict
        Keys ``"wordsim353"``, ``"simlex999"`` (word-pair results) and/or ``"analogies"``.
    sections : bool, default False
        Also list the accuracy of every analogy section.
    """
    if not isinstance(results, dict):
        raise TypeError(f"results must be the dict returned by evaluate_all, got "
                        f"{type(results).__name__}")
    lines = []
    pair_names = [name for name in results if name != "analogies"]
    if pair_names:
        lines.append(f"{'word similarity':<16} {'Spearman':>8} {'Pearson':>8} {'pairs':>6} "
                     f"{'OOV':>13}")
        for name in pair_names:
            r = results[name]
            oov = f"{r['n_oov']} ({r['oov_ratio']:.1f}%)"
            lines.append(f"{_TITLES.get(name, name):<16} {r['spearman']:>8.3f} "
                         f"{r['pearson']:>8.3f} {r['n_pairs']:>6} {oov:>13}")
    if "analogies" in results:
        r = results["analogies"]
        if lines:
            lines.append("")
        method = {"add": "3CosAdd", "mul": "3CosMul"}.get(r.get("method"), "?")
        among = f", first {r['restrict_vocab']:,} words" if "restrict_vocab" in r else ""
        lines.append(f"analogies ({method}{among})")
        lines.append(f"  accuracy {100 * r['accuracy']:5.1f}%  ({r['correct']:,} of "
                     f"{r['total']:,} questions)")
        lines.append(f"  coverage {100 * r['coverage']:5.1f}%  ({r['n_skipped']:,} questions "
                     f"skipped: a word outside the vocabulary)")
        if sections:
            for name, s in r["sections"].items():
                lines.append(f"    {name:<28} {100 * s['accuracy']:5.1f}%  "
                             f"({s['correct']:,} / {s['total']:,})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# honest comparisons and looking at the space (chapter 9)
# ---------------------------------------------------------------------------------------------

def pair_cosines(kv, pairs="wordsim353", restrict_vocab=300000, case_insensitive=True) -> dict:
    """The cosine of every usable word pair, next to its human score.

    The per-pair view behind :func:`evaluate_word_pairs` (same protocol), for paired
    comparisons of two models on the same pairs (:func:`wvlib.stats.paired_bootstrap_ci`).

    Returns
    -------
    dict
        ``pairs`` (the usable ``(word1, word2, score)`` triples, in dataset order), ``gold``
        and ``cosines`` (arrays, one entry per usable pair) and ``n_oov``.
    """
    kv = _as_keyed_vectors(kv)
    restrict_vocab = check_positive_int(restrict_vocab, "restrict_vocab")
    if isinstance(pairs, (str, os.PathLike)):
        pairs = _read_word_pairs(pairs, "pairs")
    pairs = _check_pairs(pairs)
    lookup = _restricted_lookup(kv, restrict_vocab, case_insensitive)
    fold = str.upper if case_insensitive else str
    used, rows1, rows2 = [], [], []
    for w1, w2, score in pairs:
        i, j = lookup.get(fold(w1)), lookup.get(fold(w2))
        if i is not None and j is not None:
            used.append((w1, w2, score))
            rows1.append(i)
            rows2.append(j)
    unit1 = _unit_rows(kv.vectors[rows1].astype(np.float64))
    unit2 = _unit_rows(kv.vectors[rows2].astype(np.float64))
    return dict(pairs=used, gold=np.array([s for _, _, s in used], dtype=np.float64),
                cosines=np.sum(unit1 * unit2, axis=1), n_oov=len(pairs) - len(used))


def k_occurrence(kv, k=10, restrict_vocab=None, block=1024) -> np.ndarray:
    """Hubness: how often each word is among the ``k`` nearest neighbours (cosine) of the
    other words (``N_k`` of Radovanović et al. 2010).

    In high dimensions a few "hub" words are the neighbour of very many words while most words
    are nobody's neighbour; the distribution of ``N_k`` is then strongly right-skewed (its mean
    is always ``k``).

    Returns
    -------
    ndarray of int, shape (n_words,)
        ``N_k`` of the first ``restrict_vocab`` words (all words by default).
    """
    kv = _as_keyed_vectors(kv)
    k = check_positive_int(k, "k")
    n = len(kv) if restrict_vocab is None else min(len(kv), check_positive_int(
        restrict_vocab, "restrict_vocab"))
    if k >= n:
        raise ValueError(f"k must be smaller than the number of words ({n}), got {k}")
    unit = _unit_rows(kv.vectors[:n].astype(np.float64))
    counts = np.zeros(n, dtype=np.int64)
    for start in range(0, n, block):
        sims = unit[start:start + block] @ unit.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = -np.inf          # a word is not its own neighbour
        neighbours = np.argpartition(-sims, k, axis=1)[:, :k]
        counts += np.bincount(neighbours.ravel(), minlength=n)
    return counts


def pca_project(vectors, k=2):
    """Coordinates of the rows of ``vectors`` on their ``k`` first principal components
    (centred; signs normalised so that the largest-magnitude coordinate of each component is
    positive). Returns ``(coordinates, explained_variance_ratio)``."""
    X = np.asarray(vectors, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"vectors must be a 2-D array with at least 2 rows, got shape "
                         f"{X.shape}")
    k = check_positive_int(k, "k")
    if k > min(X.shape):
        raise ValueError(f"k must be at most {min(X.shape)}, got {k}")
    X = X - X.mean(axis=0)
    U, s, _ = np.linalg.svd(X, full_matrices=False)
    coords = U[:, :k] * s[:k]
    signs = np.sign(coords[np.abs(coords).argmax(axis=0), np.arange(k)])
    signs[signs == 0] = 1
    return coords * signs, (s[:k] ** 2) / np.sum(s ** 2)


def difference_direction(kv, pairs) -> np.ndarray:
    """A unit direction from word pairs such as ``[("he", "she"), ("man", "woman")]``: the
    first principal direction of the differences of their unit vectors (Bolukbasi et al.
    2016), oriented so that the first word of each pair is, on average, on the positive side.
    """
    kv = _as_keyed_vectors(kv)
    if not pairs:
        raise ValueError("pairs must hold at least one (word, word) pair")
    missing = [w for pair in pairs for w in pair if w not in kv]
    if missing:
        raise KeyError(f"pairs: words not in the vocabulary: {missing}")
    diffs = []
    for a, b in pairs:
        va = kv[a] / np.linalg.norm(kv[a])
        vb = kv[b] / np.linalg.norm(kv[b])
        diffs.append(va - vb)
    D = np.array(diffs, dtype=np.float64)
    if len(D) == 1:
        direction = D[0]
    else:
        _, _, Vt = np.linalg.svd(D, full_matrices=False)  # uncentred: differences, not spread
        direction = Vt[0]
    if np.mean(D @ direction) < 0:
        direction = -direction
    return direction / np.linalg.norm(direction)


def project_on_direction(kv, words, direction) -> dict:
    """Cosine of each word's vector with ``direction``: ``{word: cosine}``."""
    kv = _as_keyed_vectors(kv)
    direction = np.asarray(direction, dtype=np.float64)
    if direction.shape != (kv.vector_size,):
        raise ValueError(f"direction must have shape ({kv.vector_size},), got "
                         f"{direction.shape}")
    direction = direction / np.linalg.norm(direction)
    out = {}
    for w in words:
        v = kv[w].astype(np.float64)
        out[w] = float(v @ direction / np.linalg.norm(v))
    return out
