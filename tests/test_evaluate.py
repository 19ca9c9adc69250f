"""Tests for wvlib.evaluate: the figures must be gensim's on the same vectors.

The vectors are built from the words of the datasets themselves (seeded, fixed order), with
words left out (OOV), case variants (``paris`` / ``PARIS``) placed before or after the original
word, and a ``restrict_vocab`` smaller than the vocabulary, so that every rule of the protocol is
exercised. For the analogies, the vectors carry a planted structure (``d = c + r_section +
noise``) so that accuracy is far from 0.
"""
import numpy as np
import pytest
from gensim.test.utils import datapath

from wvlib.evaluate import evaluate_all, evaluate_analogies, evaluate_word_pairs, \
    format_report, load_analogies, load_word_pairs
from wvlib.vectors import KeyedVectors

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning")

PAIR_FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}


def add_case_variants(vec, rng, n, dim, noise):
    """Give ``n`` words a case variant whose vector is close to (noise small) or far from the
    original's."""
    for word in rng.choice(sorted(vec), n, replace=False):
        variant = word.upper() if word.islower() else word.lower()
        if variant not in vec:
            vec[variant] = vec[word] + noise * rng.standard_normal(dim)


def shuffled_kv(vec, rng):
    words = sorted(vec)
    rng.shuffle(words)
    return KeyedVectors(words, np.array([vec[w] for w in words]))


@pytest.fixture(scope="module")
def pair_kv():
    """Random vectors for 90% of the word-pair words, case variants, 500 extra words."""
    rng = np.random.default_rng(1)
    dim = 20
    words = sorted({w for name in PAIR_FILES for a, b, _ in load_word_pairs(name) for w in (a, b)})
    vec = {w: rng.standard_normal(dim) for w in words if rng.random() < 0.9}
    add_case_variants(vec, rng, 150, dim, noise=1.0)
    vec.update({f"extra{i}": rng.standard_normal(dim) for i in range(500)})
    return shuffled_kv(vec, rng)


@pytest.fixture(scope="module")
def analogy_kv():
    """Planted analogies: within a section, the second word of a pair is the first plus a
    section offset plus noise; close case variants (the dangerous kind: they compete with the
    answer); some words missing; extra random words."""
    rng = np.random.default_rng(2)
    dim = 40
    vec = {}
    for questions in load_analogies("google").values():
        offset = rng.standard_normal(dim)
        for question in questions:
            for x, y in (question[:2], question[2:]):
                if x not in vec:
                    vec[x] = rng.standard_normal(dim)
                if y not in vec:
                    vec[y] = vec[x] + offset + 0.9 * rng.standard_normal(dim)
    for word in rng.choice(sorted(vec), 40, replace=False):
        del vec[word]
    add_case_variants(vec, rng, 120, dim, noise=0.15)
    vec.update({f"extra{i}": rng.standard_normal(dim) for i in range(1500)})
    return shuffled_kv(vec, rng)


# -- datasets -----------------------------------------------------------------------------------

def test_load_word_pairs_shipped_datasets():
    wordsim = load_word_pairs("wordsim353")
    simlex = load_word_pairs("simlex999")
    assert len(wordsim) == 353 and len(simlex) == 999
    assert wordsim[0] == ("love", "sex", 6.77)
    assert simlex[0] == ("old", "new", 1.58)
    assert all(isinstance(s, float) for _, _, s in wordsim + simlex)


def test_load_word_pairs_from_a_path(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("# a comment\n\ncat\tdog\t7.5\nbig\tlarge\t9\n", encoding="utf-8")
    assert load_word_pairs(path) == [("cat", "dog", 7.5), ("big", "large", 9.0)]
    path.write_text("cat\tdog\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        load_word_pairs(path)
    path.write_text("cat\tdog\tseven\n", encoding="utf-8")
    with pytest.raises(ValueError, match="name_or_path"):
        load_word_pairs(path)


def test_load_analogies_google():
    sections = load_analogies()
    assert len(sections) == 14
    assert list(sections)[0] == "capital-common-countries"
    assert list(sections)[-1] == "gram9-plural-verbs"
    assert sum(len(q) for q in sections.values()) == 19544
    assert sections["capital-common-countries"][0] == ("Athens", "Greece", "Baghdad", "Iraq")


def test_load_analogies_from_a_path(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text(": first\na b c d\n\ne f g h\n: second\ni j k l\n", encoding="utf-8")
    assert load_analogies(path) == {"first": [("a", "b", "c", "d"), ("e", "f", "g", "h")],
                                    "second": [("i", "j", "k", "l")]}
    path.write_text("a b c d\n", encoding="utf-8")
    with pytest.raises(ValueError, match="before the first"):
        load_analogies(path)
    path.write_text(": s\na b c\n", encoding="utf-8")
    with pytest.raises(ValueError, match="4 words"):
        load_analogies(path)


@pytest.mark.parametrize("function, argname", [(load_word_pairs, "name_or_path"),
                                               (load_analogies, "name_or_path")])
def test_unknown_dataset_names_the_argument(function, argname):
    with pytest.raises(ValueError, match=argname):
        function("no-such-dataset")
    with pytest.raises(ValueError, match=argname):
        function("/no/such/file.txt")


# -- word pairs ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pair_files_without_repeats(tmp_path_factory):
    """Copies of the datasets without their repeated pairs (WordSim-353 lists "money bank" and
    "bank money", ...). Their cosines are equal, a tie for Spearman that gensim's BLAS dot
    products may split in the last bit depending on memory alignment; see evaluate_word_pairs.
    """
    folder = tmp_path_factory.mktemp("pairs")
    paths = {}
    for name, filename in PAIR_FILES.items():
        seen, kept = set(), []
        with open(datapath(filename), encoding="utf-8") as f:
            for line in f:
                if not line.startswith("#"):
                    key = frozenset(w.upper() for w in line.split("\t")[:2])
                    if key in seen:
                        continue
                    seen.add(key)
                kept.append(line)
        assert len(kept) < sum(1 for _ in open(datapath(filename), encoding="utf-8"))
        paths[name] = folder / filename
        paths[name].write_text("".join(kept), encoding="utf-8")
    return paths


@pytest.mark.parametrize("name", list(PAIR_FILES))
@pytest.mark.parametrize("case_insensitive", [True, False])
def test_word_pairs_equal_gensim(pair_kv, pair_files_without_repeats, name, case_insensitive):
    restrict = int(0.85 * len(pair_kv))
    path = pair_files_without_repeats[name]
    ours = evaluate_word_pairs(pair_kv, path, restrict_vocab=restrict,
                               case_insensitive=case_insensitive)
    pearson, spearman, oov_ratio = pair_kv.to_gensim().evaluate_word_pairs(
        str(path), restrict_vocab=restrict, case_insensitive=case_insensitive)
    assert abs(ours["spearman"] - spearman.statistic) < 1e-9
    assert abs(ours["pearson"] - pearson[0]) < 1e-9
    assert abs(ours["oov_ratio"] - oov_ratio) < 1e-9
    n_total = len(load_word_pairs(path))
    assert ours["n_pairs"] + ours["n_oov"] == n_total
    assert 0 < ours["n_oov"] < n_total
    assert abs(ours["oov_ratio"] - 100 * ours["n_oov"] / n_total) < 1e-12


@pytest.mark.parametrize("name", list(PAIR_FILES))
def test_word_pairs_on_the_shipped_files_match_gensim(pair_kv, name):
    ours = evaluate_word_pairs(pair_kv, name, restrict_vocab=len(pair_kv) - 100)
    pearson, spearman, oov_ratio = pair_kv.to_gensim().evaluate_word_pairs(
        datapath(PAIR_FILES[name]), restrict_vocab=len(pair_kv) - 100)
    assert abs(ours["pearson"] - pearson[0]) < 1e-9
    assert abs(ours["oov_ratio"] - oov_ratio) < 1e-9
    assert abs(ours["spearman"] - spearman.statistic) < 1e-4  # only tied ranks may differ
    assert ours["n_pairs"] + ours["n_oov"] == (353 if name == "wordsim353" else 999)


def test_word_pairs_restrict_vocab_and_case_matter(pair_kv):
    """Guard against a test that cannot fail: the settings change the figures."""
    full = evaluate_word_pairs(pair_kv, "simlex999")
    restricted = evaluate_word_pairs(pair_kv, "simlex999", restrict_vocab=len(pair_kv) // 2)
    sensitive = evaluate_word_pairs(pair_kv, "simlex999", case_insensitive=False)
    assert restricted["n_oov"] > full["n_oov"]
    assert full["spearman"] != sensitive["spearman"]


def test_word_pairs_against_a_direct_computation():
    """Spearman = Pearson correlation of the ranks (ties averaged), computed by hand."""
    pairs = load_word_pairs("wordsim353")[:60]
    words = sorted({w for a, b, _ in pairs for w in (a, b)})
    rng = np.random.default_rng(5)
    V = rng.standard_normal((len(words), 30))
    kv = KeyedVectors(words, V)
    ours = evaluate_word_pairs(kv, pairs, case_insensitive=False)
    gold, cosines = [], []
    for a, b, score in pairs:
        u, v = kv[a], kv[b]
        gold.append(score)
        cosines.append(u @ v / np.sqrt((u @ u) * (v @ v)))
    # ranks, ties sharing the mean of their positions (there are ties among the human scores)
    gold_ranks = [np.mean(np.flatnonzero(np.sort(gold) == g)) for g in gold]
    cosine_ranks = [np.mean(np.flatnonzero(np.sort(cosines) == x)) for x in cosines]
    expected = np.corrcoef(gold_ranks, cosine_ranks)[0, 1]
    assert abs(ours["spearman"] - expected) < 1e-9
    assert abs(ours["pearson"] - np.corrcoef(gold, cosines)[0, 1]) < 1e-9
    assert ours["n_pairs"] == 60 and ours["n_oov"] == 0


def test_word_pairs_float32_vectors_close_to_gensim(pair_kv):
    kv32 = KeyedVectors(pair_kv.index_to_key, pair_kv.vectors.astype(np.float32))
    ours = evaluate_word_pairs(kv32, "wordsim353")
    pearson, spearman, _ = kv32.to_gensim().evaluate_word_pairs(datapath("wordsim353.tsv"))
    assert abs(ours["spearman"] - spearman.statistic) < 1e-4  # repeated pairs: see above
    assert abs(ours["pearson"] - pearson[0]) < 1e-6           # float32 vs float64 cosines


def test_word_pairs_accepts_gensim_vectors(pair_kv):
    assert evaluate_word_pairs(pair_kv.to_gensim()) == evaluate_word_pairs(pair_kv)


def test_word_pairs_bad_input(pair_kv):
    with pytest.raises(ValueError, match="pairs"):
        evaluate_word_pairs(pair_kv, "no-such-dataset")
    with pytest.raises(ValueError, match="pairs"):
        evaluate_word_pairs(pair_kv, [])
    with pytest.raises(ValueError, match="pairs"):
        evaluate_word_pairs(pair_kv, [("a", "b")])
    with pytest.raises(ValueError, match="restrict_vocab"):
        evaluate_word_pairs(pair_kv, restrict_vocab=0)
    with pytest.raises(TypeError, match="kv"):
        evaluate_word_pairs("vectors.txt")


def test_word_pairs_all_unknown_gives_nan():
    kv = KeyedVectors(["zzz", "yyy"], np.eye(2))
    result = evaluate_word_pairs(kv, "wordsim353")
    assert result["n_pairs"] == 0 and result["n_oov"] == 353 and result["oov_ratio"] == 100.0
    assert np.isnan(result["spearman"]) and np.isnan(result["pearson"])


# -- analogies ----------------------------------------------------------------------------------

def gensim_analogies(gensim_kv, restrict, case_insensitive=True, path=None):
    """gensim's figures: (correct, total) per section and in total."""
    score, sections = gensim_kv.evaluate_word_analogies(
        path or datapath("questions-words.txt"), restrict_vocab=restrict,
        case_insensitive=case_insensitive)
    return {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
            for s in sections}


def assert_same_as_gensim(ours, theirs):
    total = theirs.pop("Total accuracy")
    assert (ours["correct"], ours["total"]) == total
    assert {name: (s["correct"], s["total"]) for name, s in ours["sections"].items()} == theirs
    if ours["total"]:
        assert ours["accuracy"] == ours["correct"] / ours["total"]


@pytest.mark.parametrize("case_insensitive", [True, False])
def test_analogies_equal_gensim(analogy_kv, case_insensitive):
    restrict = 2000
    assert restrict < len(analogy_kv)
    ours = evaluate_analogies(analogy_kv, restrict_vocab=restrict,
                              case_insensitive=case_insensitive)
    assert_same_as_gensim(ours, gensim_analogies(analogy_kv.to_gensim(), restrict,
                                                 case_insensitive))
    assert 0.3 < ours["accuracy"] < 0.95           # the vectors carry signal, not too much
    assert ours["n_skipped"] > 0 and ours["total"] + ours["n_skipped"] == 19544
    assert ours["coverage"] == ours["total"] / 19544


def test_analogies_cosmul_equal_gensim_cosmul(analogy_kv):
    """gensim's evaluation has no 3CosMul: use its protocol with most_similar_cosmul on the
    first ``restrict`` words (its most_similar_cosmul ignores restrict_vocab)."""
    restrict = 2000
    ours = evaluate_analogies(analogy_kv, restrict_vocab=restrict, method="mul")
    first = KeyedVectors(analogy_kv.index_to_key[:restrict],
                         analogy_kv.vectors[:restrict]).to_gensim()
    first.most_similar = first.most_similar_cosmul
    assert_same_as_gensim(ours, gensim_analogies(first, restrict))
    assert ours["correct"] != evaluate_analogies(analogy_kv, restrict_vocab=restrict)["correct"]


def test_analogies_case_variant_rule_matters(analogy_kv, monkeypatch):
    """Without gensim's "skip case variants of the query words" rule the figures differ, so the
    equality tests above do test it."""
    import wvlib.evaluate as evaluate
    right = evaluate_analogies(analogy_kv, restrict_vocab=2000)
    monkeypatch.setattr(evaluate, "_predict_top5",
                        lambda scores, canonical, a, b, c: canonical[np.argmax(scores, axis=1)])
    naive = evaluate_analogies(analogy_kv, restrict_vocab=2000)
    assert naive["correct"] < right["correct"]


@pytest.mark.parametrize("n_variants", [4, 5])
def test_analogies_five_candidates_rule(tmp_path, n_variants):
    """gensim reads only the 5 best candidates: when they are all case variants of a query
    word, the question is wrong even though the right answer comes next."""
    rng = np.random.default_rng(0)
    variants = ["Woman", "WOMAN", "wOman", "woMan", "womAn"][:n_variants]
    words = ["man", "king", "woman", "queen"] + variants + [f"x{i}" for i in range(20)]
    V = rng.standard_normal((len(words), 30))
    V[1] = V[0] + 0.01 * rng.standard_normal(30)               # king ~ man: query ~ woman
    V[3] = V[2] + 0.3 * rng.standard_normal(30)                # queen: near woman
    for i in range(4, 4 + n_variants):
        V[i] = V[2] + 0.05 * rng.standard_normal(30)           # variants: nearer still
    kv = KeyedVectors(words, V)
    path = tmp_path / "q.txt"
    path.write_text(": royal\nman king woman queen\n", encoding="utf-8")
    ours = evaluate_analogies(kv, path, restrict_vocab=100)
    assert ours["correct"] == (1 if n_variants == 4 else 0)
    assert_same_as_gensim(ours, gensim_analogies(kv.to_gensim(), 100, path=str(path)))


def test_analogies_float32_vectors_agree_with_gensim(analogy_kv):
    """float32: both compute in float32 with different rounding; only a near-tie may differ."""
    kv32 = KeyedVectors(analogy_kv.index_to_key, analogy_kv.vectors.astype(np.float32))
    ours = evaluate_analogies(kv32, restrict_vocab=2000)
    correct, total = gensim_analogies(kv32.to_gensim(), 2000)["Total accuracy"]
    assert ours["total"] == total
    assert abs(ours["correct"] - correct) <= 2


def test_analogies_accepts_loaded_questions_and_gensim_vectors(analogy_kv):
    questions = {name: q[:40] for name, q in load_analogies().items()}
    ours = evaluate_analogies(analogy_kv, questions, restrict_vocab=2000)
    assert ours == evaluate_analogies(analogy_kv.to_gensim(), questions, restrict_vocab=2000)
    assert ours["total"] + ours["n_skipped"] == 14 * 40


def test_analogies_nothing_asked():
    kv = KeyedVectors(["zzz", "yyy"], np.eye(2))
    result = evaluate_analogies(kv)
    assert result["total"] == 0 and result["accuracy"] == 0.0 and result["coverage"] == 0.0
    assert result["n_skipped"] == 19544


def test_analogies_bad_input(analogy_kv):
    with pytest.raises(ValueError, match="analogies"):
        evaluate_analogies(analogy_kv, "no-such-dataset")
    with pytest.raises(ValueError, match="analogies"):
        evaluate_analogies(analogy_kv, {"s": [("a", "b", "c")]})
    with pytest.raises(ValueError, match="restrict_vocab"):
        evaluate_analogies(analogy_kv, restrict_vocab=-5)
    with pytest.raises(ValueError, match="method"):
        evaluate_analogies(analogy_kv, method="sum")


# -- everything at once ---------------------------------------------------------------------------

def test_evaluate_all_and_report(analogy_kv):
    results = evaluate_all(analogy_kv, restrict_vocab=2000)
    assert set(results) == {"wordsim353", "simlex999", "analogies"}
    assert results["analogies"] == evaluate_analogies(analogy_kv, restrict_vocab=2000)
    assert results["simlex999"] == evaluate_word_pairs(analogy_kv, "simlex999")
    report = format_report(results)
    a = results["analogies"]
    assert "WordSim-353" in report and "SimLex-999" in report
    assert f"{results['wordsim353']['spearman']:.3f}" in report
    assert f"{100 * a['accuracy']:.1f}%" in report and f"{100 * a['coverage']:.1f}%" in report
    assert "capital-world" in format_report(results, sections=True)
    with pytest.raises(TypeError, match="results"):
        format_report([1, 2])


def test_cli_evaluate(tmp_path, analogy_kv, capsys):
    from wvlib.cli import main
    path = tmp_path / "v.txt"
    analogy_kv.save_word2vec_format(path)
    assert main(["evaluate", str(path), "--restrict-vocab", "2000"]) == 0
    out = capsys.readouterr().out
    kv32 = KeyedVectors.load_word2vec_format(path)
    assert out.strip() == format_report(evaluate_all(kv32, restrict_vocab=2000)).strip()


# ---------------------------------------------------------------------------------------------
# paired bootstrap
# ---------------------------------------------------------------------------------------------

def test_paired_bootstrap_spearman_difference_and_interval():
    from scipy.stats import spearmanr
    from wvlib.evaluate import paired_bootstrap_ci
    rng = np.random.default_rng(5)
    gold = rng.normal(size=300)
    noise = rng.normal(size=300)
    good = gold + 0.5 * noise                 # A: close to gold
    bad = gold + 0.5 * noise + 1.5 * rng.normal(size=300)   # B: A plus more noise
    res = paired_bootstrap_ci(good, bad, gold, n_boot=500, seed=1)
    expected = spearmanr(good, gold).statistic - spearmanr(bad, gold).statistic
    assert np.isclose(res["difference"], expected)
    assert 0 < res["low"] < res["difference"] < res["high"]
    assert res["n_items"] == 300 and res["n_boot"] == 500
    # the same seed gives the same interval; a system against itself gives exactly 0
    assert paired_bootstrap_ci(good, bad, gold, n_boot=500, seed=1) == res
    same = paired_bootstrap_ci(good, good, gold, n_boot=200, seed=0)
    assert same["difference"] == same["low"] == same["high"] == 0.0


def test_paired_bootstrap_is_narrower_than_unpaired_for_correlated_systems():
    from wvlib.evaluate import paired_bootstrap_ci
    rng = np.random.default_rng(2)
    hard = rng.random(2000) < 0.5                      # questions both systems find hard
    a = (~hard & (rng.random(2000) < 0.9)).astype(float)
    b = a.copy()
    b[rng.choice(2000, 40, replace=False)] = 0        # B misses a few more
    res = paired_bootstrap_ci(a, b, n_boot=1000, seed=0)
    assert np.isclose(res["difference"], a.mean() - b.mean())
    unpaired_se = np.sqrt(a.var() / len(a) + b.var() / len(b))
    assert res["se"] < 0.5 * unpaired_se
    assert res["low"] > 0                              # paired: the difference is clear


@pytest.mark.parametrize("kwargs, match", [
    (dict(scores_a=[1, 2, 3], scores_b=[1, 2]), "same length"),
    (dict(scores_a=[1, 2], scores_b=[1, 2]), "at least 3"),
    (dict(scores_a=[1, 2, 3], scores_b=[1, 2, 3], gold=[1, 2]), "gold"),
    (dict(scores_a=[1, 2, np.nan], scores_b=[1, 2, 3]), "finite"),
    (dict(scores_a=[1, 2, 3], scores_b=[1, 2, 3], level=1.0), "level"),
    (dict(scores_a=[1, 2, 3], scores_b=[1, 2, 3], n_boot=0), "n_boot"),
])
def test_paired_bootstrap_bad_input(kwargs, match):
    from wvlib.evaluate import paired_bootstrap_ci
    with pytest.raises(ValueError, match=match):
        paired_bootstrap_ci(**kwargs)


def test_analogies_per_question_matches_the_totals():
    rng = np.random.default_rng(3)
    words = ["a", "b", "c", "d", "e", "f", "g", "h"]
    kv = KeyedVectors(words, rng.normal(size=(8, 4)))
    qs = {"s": [("a", "b", "c", "d"), ("e", "f", "g", "h"), ("a", "c", "e", "g")]}
    res = evaluate_analogies(kv, qs, per_question=True)
    assert res["is_correct"].dtype == bool and len(res["is_correct"]) == res["total"] == 3
    assert res["is_correct"].sum() == res["correct"]
    assert "is_correct" not in evaluate_analogies(kv, qs)


# --- chapter 9: per-pair cosines, dev/test split, hubness, projections -----------------------

def _random_kv(n=60, d=8, seed=0):
    from wvlib.vectors import KeyedVectors
    rng = np.random.default_rng(seed)
    return KeyedVectors([f"w{i}" for i in range(n)], rng.normal(size=(n, d)))


def test_pair_cosines_match_the_word_pair_evaluation():
    from scipy import stats
    from wvlib.evaluate import evaluate_word_pairs, pair_cosines
    kv = _random_kv()
    pairs = [(f"w{i}", f"w{(7 * i) % 60}", float(i % 11)) for i in range(1, 50)]
    pairs.append(("w1", "unknown", 3.0))
    per_pair = pair_cosines(kv, pairs)
    assert per_pair["n_oov"] == 1 and len(per_pair["pairs"]) == 49
    a, b = kv["w3"], kv["w21"]
    assert per_pair["cosines"][2] == pytest.approx(a @ b / np.linalg.norm(a)
                                                   / np.linalg.norm(b))
    rho = stats.spearmanr(per_pair["gold"], per_pair["cosines"]).statistic
    assert evaluate_word_pairs(kv, pairs)["spearman"] == pytest.approx(rho)


def test_split_pairs_is_a_seeded_partition():
    from wvlib.evaluate import split_pairs
    pairs = [(f"a{i}", f"b{i}", float(i)) for i in range(101)]
    dev, test = split_pairs(pairs, 0.3, seed=4)
    assert len(dev) == 30 and len(test) == 71
    assert sorted(dev + test) == sorted(pairs)
    assert dev == sorted(dev, key=pairs.index)           # dataset order kept
    assert split_pairs(pairs, 0.3, seed=4) == (dev, test)
    assert split_pairs(pairs, 0.3, seed=5)[0] != dev
    with pytest.raises(ValueError, match="dev_fraction must be a number in"):
        split_pairs(pairs, 1.0)


def test_k_occurrence_equals_brute_force_and_sums_to_n_times_k():
    from wvlib.evaluate import k_occurrence
    kv = _random_kv(n=50, d=3, seed=2)
    counts = k_occurrence(kv, k=4, block=7)
    unit = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
    brute = np.zeros(50, dtype=int)
    for i in range(50):
        sims = unit @ unit[i]
        sims[i] = -np.inf
        for j in np.argsort(-sims)[:4]:
            brute[j] += 1
    assert np.array_equal(counts, brute)
    assert counts.sum() == 50 * 4
    with pytest.raises(ValueError, match="k must be smaller"):
        k_occurrence(kv, k=50)


def test_pca_project_matches_numpy_and_is_sign_normalised():
    from wvlib.evaluate import pca_project
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 5)) * [5, 3, 1, 0.5, 0.1]
    coords, ratio = pca_project(X, k=2)
    Xc = X - X.mean(0)
    cov_eig = np.sort(np.linalg.eigvalsh(Xc.T @ Xc))[::-1]
    assert np.allclose(ratio, cov_eig[:2] / cov_eig.sum())
    assert np.allclose(np.sum(coords ** 2, axis=0), cov_eig[:2])
    assert np.all(coords[np.abs(coords).argmax(axis=0), [0, 1]] > 0)
    assert np.allclose(pca_project(-X, k=2)[0], coords)


def test_difference_direction_recovers_a_planted_direction():
    from wvlib.evaluate import difference_direction, project_on_direction
    from wvlib.vectors import KeyedVectors
    rng = np.random.default_rng(5)
    axis = np.zeros(10)
    axis[3] = 1.0
    words, vecs = [], []
    for i in range(6):
        base = rng.normal(size=10) * 0.2
        base[3] = 0
        words += [f"m{i}", f"f{i}"]
        vecs += [base + axis, base - axis]
    words += ["neutral"]
    vecs += [rng.normal(size=10) * 0.2 * (np.arange(10) != 3)]
    kv = KeyedVectors(words, np.array(vecs))
    direction = difference_direction(kv, [(f"m{i}", f"f{i}") for i in range(6)])
    assert abs(direction @ axis) > 0.99 and direction @ axis > 0
    proj = project_on_direction(kv, ["m0", "f0", "neutral"], direction)
    assert proj["m0"] > 0.5 > -0.5 > proj["f0"] and abs(proj["neutral"]) < 0.1
    with pytest.raises(KeyError, match="not in the vocabulary"):
        difference_direction(kv, [("m0", "nobody")])
