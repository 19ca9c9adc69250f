"""wvlib.fasttext: n-grams and hashes against gensim and the reference code, gradient checks
of the subword model, the compiled trainer against the NumPy reference, vectors for unseen
words, the model file, the command line, bad input."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wvlib import fasttext as ft
from wvlib.fasttext import reference, subwords, trainer

EPS = 1e-6
# words with accents, other scripts, emoji, repeated n-grams and short words
WORDS = ["where", "her", "café", "naïve", "über", "Ångström", "façade", "日本語", "😀x",
         "banana", "a", "ab", "straße", "crème", "ﬁne", "мир"]


def numerical_gradient(f, x):
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
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    assert scale > 1e-8, f"{what}: the gradient is zero, the check would be vacuous"
    rel = np.linalg.norm(analytic - numeric) / scale
    assert rel < 1e-6, f"{what}: relative error {rel:.2e}"


# --------------------------------------------------------------------------------------
# n-grams and hashes
# --------------------------------------------------------------------------------------

def test_char_ngrams_of_the_paper_example():
    # Bojanowski et al. (2017), section 3.2: "where", n = 3
    assert ft.char_ngrams("where", 3, 3) == ["<wh", "whe", "her", "ere", "re>"]
    grams = ft.char_ngrams("where")                  # 3..6, by start then length
    assert grams[:4] == ["<wh", "<whe", "<wher", "<where"]
    assert "<where>" not in grams                    # 7 characters > maxn
    assert len(grams) == sum(7 - n + 1 for n in range(3, 7))
    # a short word: the whole <her> is one of its n-grams, and different from "her"
    assert ft.char_ngrams("her") == ["<he", "<her", "<her>", "her", "her>", "er>"]


def test_char_ngrams_characters_repeats_and_edges():
    assert ft.char_ngrams("café", 3, 3) == ["<ca", "caf", "afé", "fé>"]   # é is one char
    assert ft.char_ngrams("banana", 3, 3).count("ana") == 2               # repeats kept
    assert ft.char_ngrams("ab", 1, 1) == ["a", "b"]                        # no lone < >
    assert ft.char_ngrams("word", 3, 0) == [] and ft.char_ngrams("word", 0, 0) == []
    assert ft.char_ngrams("a", 5, 6) == []                                 # "<a>" is 3


def test_fnv1a_test_vectors_and_the_signed_byte_twist():
    # the FNV-1a 32-bit test vectors of its authors
    assert ft.fnv1a("") == 0x811C9DC5
    assert ft.fnv1a("a") == 0xE40C292C
    assert ft.fnv1a("foobar") == 0xBF9CF968
    assert ft.fnv1a(b"foobar", signed_bytes=False) == 0xBF9CF968
    # ASCII: both variants agree; non-ASCII bytes: the reference code's sign extension
    assert ft.fnv1a("hello") == ft.fnv1a("hello", signed_bytes=False)
    assert ft.fnv1a("é") != ft.fnv1a("é", signed_bytes=False)
    by_hand = 0x811C9DC5
    for b in "é".encode():
        by_hand = ((by_hand ^ (b | 0xFFFFFF00)) * 0x01000193) % 2**32
    assert ft.fnv1a("é") == by_hand


def test_buckets_equal_gensims():
    from gensim.models.fasttext import ft_ngram_hashes
    for word in WORDS:
        for minn, maxn, bucket in [(3, 6, 2_000_000), (1, 4, 1000), (2, 2, 7)]:
            expected = list(ft_ngram_hashes(word, minn, maxn, bucket))
            assert list(ft.ngram_buckets(word, minn, maxn, bucket)) == expected, word


def test_buckets_equal_the_reference_codes(tmp_path):
    fasttext = pytest.importorskip(
        "fasttext", reason="the reference code's wheel (fasttext-numpy2) is not installed")
    corpus = tmp_path / "words.txt"
    corpus.write_text("\n".join(" ".join(WORDS) for _ in range(3)) + "\n", encoding="utf-8")
    model = fasttext.train_unsupervised(str(corpus), model="skipgram", minCount=1, dim=4,
                                        epoch=1, bucket=100_003, minn=2, maxn=5, thread=1,
                                        verbose=0)
    n_words = len(model.words)
    for word in WORDS + ["unseenwordé", "Ölçü"]:
        grams, ids = model.get_subwords(word)
        ids = [int(i) for i in ids]
        if model.get_word_id(word) >= 0:              # the word's own row comes first
            assert ids[0] == model.get_word_id(word) and grams[0] == word
            grams, ids = grams[1:], ids[1:]
        assert list(grams) == ft.char_ngrams(word, 2, 5), word
        assert [i - n_words for i in ids] == list(ft.ngram_buckets(word, 2, 5, 100_003))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1,
                        max_size=9), min_size=1, max_size=6),
       st.integers(1, 4), st.integers(0, 4), st.integers(1, 50))
def test_compiled_buckets_equal_the_reference(words, minn, extra, bucket):
    maxn = minn + extra
    ptr, buckets = ft.vocabulary_buckets(words, minn, maxn, bucket)
    assert ptr.shape == (len(words) + 1,)
    for k, word in enumerate(words):
        assert list(buckets[ptr[k]:ptr[k + 1]]) == list(
            ft.ngram_buckets(word, minn, maxn, bucket))


def test_incidence_matrix_and_rows():
    words = ["banana", "band", "an"]
    bucket = 11                                       # small: collisions are certain
    G = ft.incidence_matrix(words, 3, 4, bucket)
    assert G.shape == (3, 3 + bucket)
    for k, w in enumerate(words):
        assert G[k, k] == 1
        assert G[k].sum() == 1 + len(ft.char_ngrams(w, 3, 4))
    ptr, rows, used = ft.subword_rows(words, 3, 4, bucket)
    assert np.all(np.diff(used) > 0) and set(used) <= set(range(bucket))
    Z = np.random.default_rng(0).normal(size=(3 + bucket, 2))
    Zc = np.vstack([Z[:3], Z[3 + used]])              # the compact rows
    for k in range(3):
        assert rows[ptr[k]] == k
        assert np.allclose(ft.subword_vector(rows[ptr[k]:ptr[k + 1]], Zc), (G @ Z)[k])


# --------------------------------------------------------------------------------------
# the NumPy reference: gradients
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("combine", ["sum", "mean"])
def test_subword_gradients_reach_every_row(combine):
    rng = np.random.default_rng(1)
    Z = rng.normal(scale=0.5, size=(9, 4))
    W_out = rng.normal(scale=0.5, size=(5, 4))
    rows = np.array([2, 5, 7, 5, 8])                  # row 5 twice (a collision)
    o, negatives = 1, np.array([3, 0, 3])             # noise word 3 twice
    loss, gZ, gW = ft.subword_loss_and_grads(rows, o, negatives, Z, W_out, combine)
    f = lambda Zx: ft.subword_loss_and_grads(rows, o, negatives, Zx, W_out, combine)[0]
    g = lambda Wx: ft.subword_loss_and_grads(rows, o, negatives, Z, Wx, combine)[0]
    assert_gradient(gZ, numerical_gradient(f, Z), f"grad_Z ({combine})")
    assert_gradient(gW, numerical_gradient(g, W_out), f"grad_W_out ({combine})")
    # every listed row gets the same gradient times its multiplicity, the others none
    assert set(np.flatnonzero(np.abs(gZ).sum(axis=1))) == {2, 5, 7, 8}
    assert np.allclose(gZ[5], 2 * gZ[2]) and np.allclose(gZ[7], gZ[8])
    # the mean of the rows of Z is the sum of the rows of Z / n
    other = "sum" if combine == "mean" else "mean"
    factor = 1 / len(rows) if combine == "mean" else len(rows)
    assert np.isclose(loss, ft.subword_loss_and_grads(rows, o, negatives, Z * factor,
                                                      W_out, other)[0])


def test_sgd_step_is_the_mean_models_step_times_n():
    rng = np.random.default_rng(2)
    Z = rng.normal(scale=0.3, size=(8, 3))
    W_out = rng.normal(scale=0.3, size=(6, 3))
    rows, o, negs, lr = np.array([1, 4, 4, 6]), 2, np.array([0, 5]), 0.1
    _, gZ, gW = ft.subword_loss_and_grads(rows, o, negs, Z, W_out, "mean")
    Z1, W1 = Z.copy(), W_out.copy()
    loss = ft.sgd_step(rows, o, negs, Z1, W1, lr)
    assert np.isclose(loss, ft.subword_loss_and_grads(rows, o, negs, Z, W_out, "mean")[0])
    assert np.allclose(Z1, Z - lr * len(rows) * gZ)
    assert np.allclose(W1, W_out - lr * gW)


def test_reference_bad_input():
    Z, W = np.zeros((4, 2)), np.zeros((3, 2))
    with pytest.raises(ValueError, match="rows must hold row ids in"):
        ft.subword_loss_and_grads([0, 4], 0, [1], Z, W)
    with pytest.raises(ValueError, match="rows must be a non-empty 1-D"):
        ft.subword_vector([], Z)
    with pytest.raises(ValueError, match="combine must be one of"):
        ft.subword_vector([0], Z, "max")
    with pytest.raises(ValueError, match="minn must be between 1 and maxn"):
        ft.char_ngrams("word", 5, 3)
    with pytest.raises(ValueError, match="bucket must be an integer"):
        ft.ngram_buckets("word", 3, 6, 0)
    with pytest.raises(ValueError, match="word must be a non-empty string"):
        ft.char_ngrams("", 3, 6)


# --------------------------------------------------------------------------------------
# the compiled kernel against the reference
# --------------------------------------------------------------------------------------

def test_centre_step_equals_the_reference_codes_updates():
    """One position with several context words: h computed once and the rows written once
    (compiled, float32) give what the reference code's per-pair updates give (float64)."""
    rng = np.random.default_rng(3)
    n_rows, V, dim = 10, 7, 6
    Z = rng.uniform(-0.5, 0.5, size=(n_rows, dim))
    W = rng.uniform(-0.5, 0.5, size=(V, dim))
    rows = np.array([1, 4, 8, 4, 9], dtype=np.int32)       # row 4 twice
    targets = np.array([2, 5, 0, 6], dtype=np.int64)
    negs = np.array([[0, 3], [1, 6], [4, 2], [3, 5]], dtype=np.int64)   # none = target
    alpha = 0.2
    Z_ref, W_ref = Z.copy(), W.copy()
    loss_ref = sum(ft.sgd_step(rows, t, n, Z_ref, W_ref, alpha)
                   for t, n in zip(targets, negs))
    scale = trainer._row_repeat_scale(np.array([0, len(rows)]), rows)[0]
    assert np.isclose(scale, (1 + 4 + 1 + 1) / 5)
    Z32, W32 = Z.astype(np.float32), W.astype(np.float32)
    h = np.zeros((1, dim), np.float32)
    work = np.zeros(dim, np.float32), np.zeros(dim, np.float32)
    loss = trainer.centre_step(Z32, W32, rows, 0, len(rows), np.float32(scale), targets,
                               len(targets), negs, np.float32(alpha), h, *work)
    assert np.isclose(loss, loss_ref, rtol=1e-5)
    assert np.allclose(Z32, Z_ref, atol=2e-6) and not np.allclose(Z32, Z, atol=1e-3)
    assert np.allclose(W32, W_ref, atol=2e-6)


# --------------------------------------------------------------------------------------
# the trainer
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lee():
    from wvlib.corpus import load_corpus
    return load_corpus("lee", verbose=False)


@pytest.fixture(scope="module")
def model(lee):
    return ft.FastText(dim=20, epochs=3, threads=1, seed=1, keep_context=True,
                       bucket=50_000).fit(lee, verbose=False)


def test_fit_deterministic_with_one_thread_and_the_loss_falls(lee, model):
    again = ft.FastText(dim=20, epochs=3, threads=1, seed=1, bucket=50_000).fit(lee)
    assert np.array_equal(model.wv.vectors, again.wv.vectors)
    assert model.loss_history[-1] < model.loss_history[0]
    assert len(trainer.train_job.signatures) == 1
    V = len(model.vocab)
    assert model.Z.shape == (V + model.n_buckets_used, 20)
    assert model.n_buckets_used < 50_000 and model.wv.ngram_buckets.size == \
        model.n_buckets_used


def test_vectors_are_means_of_rows_for_any_word(model):
    wv, V = model.wv, len(model.vocab)
    ptr, rows = model.sub_ptr, model.sub_rows
    k = model.vocab["police"]
    assert np.allclose(wv["police"], ft.subword_vector(rows[ptr[k]:ptr[k + 1]], model.Z,
                                                       "mean"), atol=1e-6)
    # an unseen word: the mean of its n-grams' rows, a bucket without a row counting 0
    word = "policemanship"
    assert word not in wv and wv.has_vector(word)
    buckets = ft.ngram_buckets(word, 3, 6, 50_000)
    pos = {b: V + j for j, b in enumerate(wv.ngram_buckets)}
    expected = sum(model.Z[pos[b]].astype(float) for b in buckets if b in pos) / \
        len(buckets)
    assert sum(b in pos for b in buckets) < len(buckets)   # some n-grams were never seen
    assert np.allclose(wv[word], expected, atol=1e-6)
    assert [g for g, known in wv.ngrams(word)] == ft.char_ngrams(word)


def test_unseen_words_neighbours_and_errors(model):
    wv = model.wv
    near = wv.most_similar("policemen", topn=5)
    assert len(near) == 5 and all(w in wv for w, _ in near)
    top = wv.similar_by_vector(wv["policemen"], topn=5)
    assert [w for w, _ in near] == [w for w, _ in top]
    # a vocabulary word in the query is excluded, as in KeyedVectors.most_similar
    mixed = wv.most_similar(positive=["policemen", "police"], topn=3)
    assert "police" not in [w for w, _ in mixed]
    assert np.isclose(wv.similarity("policemen", "police"),
                      np.dot(wv["policemen"], wv["police"])
                      / np.linalg.norm(wv["policemen"]) / np.linalg.norm(wv["police"]),
                      atol=1e-6)
    # a word none of whose n-grams has a row (with 50,000 buckets, a third in use, most
    # unseen words share a bucket with some training n-gram: take one that does not)
    lonely = next(w for w in ("Ж", "ЖЖ", "Ю", "ЮЮ", "Щ", "Ы", "Э", "ЭЭ")
                  if not np.isin(ft.ngram_buckets(w, 3, 6, 50_000), wv.ngram_buckets).any())
    assert not wv.has_vector(lonely)
    with pytest.raises(KeyError, match="none of its .* n-grams"):
        wv[lonely]
    with pytest.raises(KeyError, match="none of its"):
        wv.most_similar(lonely)


def test_model_file_round_trip_and_gensim_reads_the_vectors(model, tmp_path):
    from gensim.models import KeyedVectors as GensimKV
    path = tmp_path / "model.npz"
    model.wv.save(path)
    loaded = ft.load_model(path)
    assert loaded.index_to_key == model.wv.index_to_key
    assert np.array_equal(loaded.vectors, model.wv.vectors)
    for word in ["policemanship", "goverment", "police"]:
        assert np.array_equal(loaded[word], model.wv[word]), word
    assert (loaded.minn, loaded.maxn, loaded.bucket) == (3, 6, 50_000)
    model.wv.save_word2vec_format(tmp_path / "v.txt")
    g = GensimKV.load_word2vec_format(str(tmp_path / "v.txt"))
    assert list(g.index_to_key) == model.wv.index_to_key
    assert np.allclose(g["police"], model.wv["police"])
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a wvlib fastText model file"):
        ft.load_model(tmp_path / "bad.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ValueError, match="not a wvlib fastText model file"):
        ft.load_model(tmp_path / "other.npz")


def test_no_ngrams_is_plain_skipgram(lee):
    m = ft.FastText(dim=10, epochs=1, threads=1, maxn=0).fit(lee)
    assert m.n_buckets_used == 0 and np.all(np.diff(m.sub_ptr) == 1)
    assert m.wv.ngram_buckets.size == 0
    with pytest.raises(KeyError, match="has no vector|none of its"):
        m.wv["policemanship"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(minn=4, maxn=3), "minn must be between 1 and maxn"),
    (dict(bucket=0), "bucket must be an integer"),
    (dict(negative=0), "negative must be a positive integer"),
    (dict(window=0), "window must be a positive integer"),
    (dict(alpha=0.0), "alpha must be"),
    (dict(ns_exponent=-1.0), "ns_exponent must be"),
    (dict(seed=-1), "seed must be a non-negative integer"),
    (dict(negative=100_000), "not smaller than the vocabulary"),
    (dict(min_count=10**6), "leaves no words"),
])
def test_trainer_bad_input(lee, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ft.FastText(epochs=1, **kwargs).fit(lee)


# --------------------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------------------

def test_cli_train_writes_vectors_gensim_reads_and_a_model(tmp_path, capsys):
    from gensim.models import KeyedVectors as GensimKV

    from wvlib.cli import main
    out = tmp_path / "ft.txt"
    args = ["train", "fasttext", "--corpus", "lee", "--out", str(out), "--dim", "12",
            "--epochs", "1", "--threads", "1", "--bucket", "20000", "--minn", "2",
            "--maxn", "5", "--seed", "4"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert str(tmp_path / "ft.npz") in printed
    g = GensimKV.load_word2vec_format(str(out))
    loaded = ft.load_model(tmp_path / "ft.npz")
    assert list(g.index_to_key) == loaded.index_to_key
    assert (loaded.minn, loaded.maxn, loaded.bucket) == (2, 5, 20000)
    # the same training from Python gives an unseen word the same vector as the file
    from wvlib.corpus import load_corpus
    kv = ft.train_fasttext(load_corpus("lee"), dim=12, epochs=1, threads=1, bucket=20000,
                           minn=2, maxn=5, seed=4)
    assert "goverment" not in kv
    assert np.array_equal(loaded["goverment"], kv["goverment"])
    # wvlib neighbors reads the model file and answers for an unseen word
    assert main(["neighbors", str(tmp_path / "ft.npz"), "goverment", "--topn", "3"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 3
    assert main(args[:-2] + ["--model", str(tmp_path / "m.npz")]) == 0
    assert (tmp_path / "m.npz").exists()


def test_cli_train_fasttext_bad_option(tmp_path, capsys):
    from wvlib.cli import main
    assert main(["train", "fasttext", "--corpus", "toy", "--out", str(tmp_path / "x.txt"),
                 "--minn", "0"]) == 2
    assert "--minn: minn must be" in capsys.readouterr().err


def test_method_declaration_matches():
    from wvlib.methods import METHODS
    method = METHODS["fasttext"]
    assert method.load() is ft.train_fasttext
    assert method.model_file and json.dumps(method.defaults())


def test_bench_fasttext_prints_the_table(capsys, monkeypatch):
    from wvlib.benchmarks import fasttext as bench
    from wvlib.cli import main
    args = ["bench", "fasttext", "--max-documents", "3", "--seeds", "1", "--epochs", "1",
            "--threads", "1", "--min-count", "2", "--bucket", "5000", "--dim", "10",
            "--bins", "1", "2", "20"]          # count 1: below the minimum count
    assert main(args + ["--no-cpp"]) == 0
    captured = capsys.readouterr()
    table = captured.out
    for row in ("words/s (whole call)", "words/s (training loop)", "peak memory (MB)",
                "WordSim-353 rho", "SimLex-999 rho", "aims: words/s vs gensim",
                "count of rarer word", "(SGNS has no vectors)"):
        assert row in table, row
    assert "C++ column left out: --no-cpp" in table and "gensim" in table
    # without the wheel the column is left out with a note, not an error
    monkeypatch.setattr(bench, "cpp_available",
                        lambda: (False, "not importable (test)"))
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "C++ column left out: not importable (test)" in captured.out
    assert "note: C++ column left out" in captured.err
    assert main(["bench", "fasttext", "--bins", "5", "1"]) == 2
    assert "--bins must be increasing" in capsys.readouterr().err


def test_noise_words_are_never_the_word_predicted_and_follow_the_rest_of_pn():
    """As the reference code (getNegative draws again): exactly `negative` noise words, drawn
    from P_n renormalized without the target."""
    from wvlib.word2vec.tables import alias_table
    prob, alias = alias_table(np.array([80, 15, 5]), 1.0)
    out = np.empty(30_000, dtype=np.int64)
    state = trainer.draw_noise_except(prob, alias, 0, out, np.uint64(11))
    assert state != np.uint64(11) and 0 not in out
    share = np.mean(out == 1)                  # 15 / (15 + 5)
    assert abs(share - 0.75) < 4 * np.sqrt(0.75 * 0.25 / out.size), share
    trainer.draw_noise_except(prob, alias, 1, out, np.uint64(12))
    assert 1 not in out and abs(np.mean(out == 0) - 80 / 85) < 0.01
