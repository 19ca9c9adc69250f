"""Tests for wvlib.vectors: KeyedVectors against brute-force NumPy and against gensim."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from gensim.models import KeyedVectors as GensimKV

from wvlib.vectors import KeyedVectors, top_k

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning")

WORDS = [f"w{i}" for i in range(300)]


@pytest.fixture(scope="module")
def random_kv():
    rng = np.random.default_rng(42)
    return KeyedVectors(WORDS, rng.standard_normal((len(WORDS), 20)))


def brute_unit(V):
    V = np.asarray(V, dtype=np.float64)
    out = np.zeros_like(V)
    for i, row in enumerate(V):
        n = np.sqrt(np.sum(row ** 2))
        if n > 0:
            out[i] = row / n
    return out


def brute_most_similar(V, words, positive, negative, topn, restrict=None, mul=False):
    """Straightforward reference: score every word, drop the query words, sort."""
    U = brute_unit(V)
    idx = {w: i for i, w in enumerate(words)}
    n = len(words) if restrict is None else min(restrict, len(words))
    scores = []
    for j in range(n):
        if words[j] in positive or words[j] in negative:
            continue
        if mul:
            num = np.prod([(1 + U[j] @ U[idx[p]]) / 2 for p in positive])
            den = np.prod([(1 + U[j] @ U[idx[q]]) / 2 for q in negative]) if negative else 1.0
            s = num / (den + 1e-6)
        else:
            mean = (sum(U[idx[p]] for p in positive) - sum((U[idx[q]] for q in negative),
                                                           np.zeros(V.shape[1])))
            mean = mean / (len(positive) + len(negative))
            mean = mean / np.linalg.norm(mean)
            s = U[j] @ mean
        scores.append((words[j], s))
    scores.sort(key=lambda t: -t[1])
    return scores[:topn]


def assert_same_results(got, expected, atol):
    assert [w for w, _ in got] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=atol)


# -- construction and lookup --------------------------------------------------------------------

def test_basics():
    V = np.arange(12, dtype=float).reshape(4, 3)
    kv = KeyedVectors(["a", "b", "c", "d"], V)
    assert kv.index_to_key == ["a", "b", "c", "d"]
    assert kv.key_to_index == {"a": 0, "b": 1, "c": 2, "d": 3}
    assert kv.vector_size == 3 and len(kv) == 4
    assert "c" in kv and "z" not in kv and 3 not in kv
    assert kv.get_index("c") == 2
    np.testing.assert_array_equal(kv["b"], [3.0, 4.0, 5.0])
    np.testing.assert_array_equal(kv[["d", "a"]], V[[3, 0]])
    assert list(kv) == ["a", "b", "c", "d"]
    assert "4 words" in repr(kv)


def test_unknown_word_messages():
    kv = KeyedVectors(["a"], [[1.0, 2.0]])
    with pytest.raises(KeyError, match="word 'x' is not in the vocabulary"):
        kv["x"]
    with pytest.raises(KeyError, match="word 'x' is not in the vocabulary"):
        kv.get_index("x")
    with pytest.raises(KeyError, match="'y'"):
        kv[["a", "y"]]
    with pytest.raises(TypeError, match="word"):
        kv[0]


@pytest.mark.parametrize("words, vectors, error, match", [
    (["a", "a"], np.ones((2, 2)), ValueError, "words must be unique"),
    (["a", "b c"], np.ones((2, 2)), ValueError, "words"),
    (["a", ""], np.ones((2, 2)), ValueError, "words"),
    (["a", 3], np.ones((2, 2)), TypeError, "words"),
    ("ab", np.ones((2, 2)), TypeError, "words"),
    (["a", "b"], np.ones((3, 2)), ValueError, "vectors"),
    (["a", "b"], np.ones(2), ValueError, "vectors"),
    (["a", "b"], [[1.0, np.nan], [0.0, 1.0]], ValueError, "vectors"),
    (["a", "b"], [["x", "y"], ["z", "t"]], ValueError, "vectors"),
    ([], np.ones((0, 2)), ValueError, "vectors"),
])
def test_bad_input_names_the_argument(words, vectors, error, match):
    with pytest.raises(error, match=match):
        KeyedVectors(words, vectors)


def test_dtype_copy_and_read_only():
    V32 = np.ones((2, 3), dtype=np.float32)
    kv = KeyedVectors(["a", "b"], V32)
    assert kv.vectors.dtype == np.float32
    assert KeyedVectors(["a", "b"], np.ones((2, 3), dtype=int)).vectors.dtype == np.float64
    V32[0, 0] = 5.0  # the caller's array is copied
    assert kv.vectors[0, 0] == 1.0
    with pytest.raises(ValueError):
        kv.vectors[0, 0] = 2.0


def test_copy_false_hands_the_array_over():
    V32 = np.ones((2, 3), dtype=np.float32)
    kv = KeyedVectors(["a", "b"], V32, copy=False)
    assert np.shares_memory(kv.vectors, V32) and not V32.flags.writeable
    with pytest.raises(ValueError):
        V32[0, 0] = 2.0                       # the trainer cannot change it behind kv's back
    ints = np.ones((2, 3), dtype=int)         # what needs converting is still converted
    kv = KeyedVectors(["a", "b"], ints, copy=False)
    assert kv.vectors.dtype == np.float64 and ints.flags.writeable


def test_normed_vectors_against_brute_force_and_zero_rows():
    V = np.array([[3.0, 4.0], [0.0, 0.0], [-1.0, 1.0]])
    kv = KeyedVectors(["a", "b", "c"], V)
    U = kv.get_normed_vectors()
    np.testing.assert_allclose(U, brute_unit(V), atol=1e-15)
    assert np.all(np.isfinite(U))
    np.testing.assert_array_equal(U[1], [0.0, 0.0])
    np.testing.assert_allclose(np.linalg.norm(U[[0, 2]], axis=1), 1.0)
    assert kv.similarity("a", "b") == 0.0
    np.testing.assert_allclose(kv.similarity("a", "c"), (4 - 3) / (5 * np.sqrt(2)), atol=1e-15)


def test_similarity_against_gensim(random_kv):
    g = random_kv.to_gensim()
    for w1, w2 in [("w0", "w1"), ("w5", "w17"), ("w3", "w3")]:
        np.testing.assert_allclose(random_kv.similarity(w1, w2), g.similarity(w1, w2), atol=1e-12)


def test_top_k_rows_and_ties():
    scores = np.array([[0.1, 0.9, 0.5, 0.9, -1.0], [3.0, 2.0, 1.0, 0.0, -1.0]])
    np.testing.assert_array_equal(top_k(scores, 3), [[1, 3, 2], [0, 1, 2]])
    np.testing.assert_array_equal(top_k(scores[0], 10), [1, 3, 2, 0, 4])


# -- most_similar (3CosAdd) and most_similar_cosmul (3CosMul) -----------------------------------

QUERIES = [
    dict(positive="w1", negative=None),
    dict(positive=["w1", "w2"], negative=["w3"]),
    dict(positive=["w10", "w20", "w30"], negative=["w40", "w50"]),
    dict(positive=None, negative=["w7"]),
]


@pytest.mark.parametrize("query", QUERIES)
def test_most_similar_against_brute_force_and_gensim(random_kv, query):
    got = random_kv.most_similar(**query, topn=10)
    pos = [query["positive"]] if isinstance(query["positive"], str) else query["positive"] or []
    neg = query["negative"] or []
    assert_same_results(got, brute_most_similar(random_kv.vectors, WORDS, pos, neg, 10),
                        atol=1e-12)
    # gensim casts its query vector to float32, hence the tolerance
    assert_same_results(got, random_kv.to_gensim().most_similar(**query, topn=10), atol=1e-5)
    assert not {w for w, _ in got} & set(pos + neg)


def test_most_similar_restrict_vocab(random_kv):
    got = random_kv.most_similar(["w1", "w150"], ["w2"], topn=5, restrict_vocab=100)
    assert all(random_kv.get_index(w) < 100 for w, _ in got)
    assert_same_results(got, brute_most_similar(random_kv.vectors, WORDS, ["w1", "w150"], ["w2"],
                                                5, restrict=100), atol=1e-12)
    expected = random_kv.to_gensim().most_similar(["w1", "w150"], ["w2"], topn=5,
                                                  restrict_vocab=100)
    assert_same_results(got, expected, atol=1e-5)


def test_most_similar_float32_against_gensim():
    rng = np.random.default_rng(7)
    kv = KeyedVectors(WORDS, rng.standard_normal((len(WORDS), 16)).astype(np.float32))
    got = kv.most_similar(["w4", "w9"], ["w11"], topn=10)
    assert_same_results(got, kv.to_gensim().most_similar(["w4", "w9"], ["w11"], topn=10),
                        atol=1e-5)


@pytest.mark.parametrize("query", [q for q in QUERIES if q["positive"]])
def test_cosmul_against_brute_force_and_gensim(random_kv, query):
    got = random_kv.most_similar_cosmul(**query, topn=10)
    pos = [query["positive"]] if isinstance(query["positive"], str) else query["positive"]
    neg = query["negative"] or []
    assert_same_results(got, brute_most_similar(random_kv.vectors, WORDS, pos, neg, 10,
                                                mul=True), atol=1e-12)
    expected = random_kv.to_gensim().most_similar_cosmul(**query, topn=10)
    assert_same_results(got, expected, atol=1e-12)


def test_cosmul_restrict_vocab_against_gensim_on_the_first_words(random_kv):
    got = random_kv.most_similar_cosmul(["w3", "w4"], ["w5"], topn=8, restrict_vocab=120)
    first = KeyedVectors(WORDS[:120], random_kv.vectors[:120]).to_gensim()
    assert_same_results(got, first.most_similar_cosmul(["w3", "w4"], ["w5"], topn=8), atol=1e-12)


def test_cosmul_single_word_ranks_like_cosine(random_kv):
    assert ([w for w, _ in random_kv.most_similar_cosmul("w8", topn=15)]
            == [w for w, _ in random_kv.most_similar("w8", topn=15)])


def test_analogy_is_most_similar_with_b_c_minus_a(random_kv):
    assert (random_kv.analogy("w1", "w2", "w3", topn=4)
            == random_kv.most_similar(positive=["w2", "w3"], negative=["w1"], topn=4))
    assert (random_kv.analogy("w1", "w2", "w3", method="mul", topn=4)
            == random_kv.most_similar_cosmul(positive=["w2", "w3"], negative=["w1"], topn=4))
    assert len(random_kv.analogy("w1", "w2", "w3")) == 1


def test_analogy_recovers_a_planted_offset():
    rng = np.random.default_rng(0)
    words = ["man", "king", "woman", "queen"] + [f"x{i}" for i in range(50)]
    V = rng.standard_normal((len(words), 50))
    royalty = rng.standard_normal(50)
    V[1] = V[0] + royalty                  # king = man + royalty
    V[3] = V[2] + royalty                  # queen = woman + royalty
    kv = KeyedVectors(words, V)
    assert kv.analogy("man", "king", "woman")[0][0] == "queen"
    assert kv.analogy("man", "king", "woman", method="mul")[0][0] == "queen"


def test_small_vocabulary_returns_fewer_results():
    kv = KeyedVectors(["a", "b", "c"], np.eye(3))
    assert [w for w, _ in kv.most_similar("a", topn=10)] == ["b", "c"]
    assert kv.most_similar(["a", "b", "c"], topn=3) == []


def test_most_similar_bad_input(random_kv):
    with pytest.raises(ValueError, match="positive and negative"):
        random_kv.most_similar()
    with pytest.raises(ValueError, match="positive"):
        random_kv.most_similar_cosmul(negative=["w1"])
    with pytest.raises(ValueError, match="topn"):
        random_kv.most_similar("w1", topn=0)
    with pytest.raises(ValueError, match="topn"):
        random_kv.most_similar_cosmul("w1", topn=2.5)
    with pytest.raises(ValueError, match="restrict_vocab"):
        random_kv.most_similar("w1", restrict_vocab=0)
    with pytest.raises(TypeError, match="negative"):
        random_kv.most_similar("w1", negative=[3])
    with pytest.raises(KeyError, match="nope"):
        random_kv.most_similar(["w1", "nope"])
    with pytest.raises(ValueError, match="method"):
        random_kv.analogy("w1", "w2", "w3", method="sub")


def test_rank_against_gensim_and_brute_force(random_kv):
    g = random_kv.to_gensim()
    U = brute_unit(random_kv.vectors)
    for w1, w2 in [("w0", "w1"), ("w10", "w200"), ("w5", "w6")]:
        i, j = WORDS.index(w1), WORDS.index(w2)
        brute = 1 + sum(1 for k in range(len(WORDS)) if k != i and U[k] @ U[i] > U[j] @ U[i])
        assert random_kv.rank(w1, w2) == brute == g.rank(w1, w2)
    best = random_kv.most_similar("w0", topn=1)[0][0]
    assert random_kv.rank("w0", best) == 1


def test_similar_by_vector(random_kv):
    v = random_kv["w3"] + random_kv["w4"]
    got = random_kv.similar_by_vector(v, topn=5)
    U = brute_unit(random_kv.vectors)
    brute = sorted(((w, U[i] @ v / np.linalg.norm(v)) for i, w in enumerate(WORDS)),
                   key=lambda t: -t[1])[:5]
    assert_same_results(got, brute, atol=1e-12)
    with pytest.raises(ValueError, match="vector"):
        random_kv.similar_by_vector(np.ones(3))


# -- files and gensim ---------------------------------------------------------------------------

UNICODE_WORDS = ["the", "café", "naïve", "東京", "straße", "Ωμέγα", "emoji🙂", "a'b-c"]


@pytest.fixture(scope="module")
def unicode_kv():
    rng = np.random.default_rng(3)
    return KeyedVectors(UNICODE_WORDS, rng.standard_normal((len(UNICODE_WORDS), 7)))


@pytest.mark.parametrize("binary", [False, True])
def test_file_written_by_wvlib_loads_in_gensim(tmp_path, unicode_kv, binary):
    path = tmp_path / ("v.bin" if binary else "v.txt")
    unicode_kv.save_word2vec_format(path, binary=binary)
    g = GensimKV.load_word2vec_format(str(path), binary=binary)
    assert g.index_to_key == UNICODE_WORDS
    np.testing.assert_allclose(g.vectors, unicode_kv.vectors, rtol=1e-6, atol=1e-7)
    # and back into wvlib: exactly the float32 numbers of the file
    back = KeyedVectors.load_word2vec_format(path, binary=binary)
    assert back.index_to_key == UNICODE_WORDS and back.vectors.dtype == np.float32
    np.testing.assert_array_equal(back.vectors, unicode_kv.vectors.astype(np.float32))
    np.testing.assert_array_equal(back.vectors, g.vectors)


@pytest.mark.parametrize("binary", [False, True])
def test_file_written_by_gensim_loads_in_wvlib(tmp_path, unicode_kv, binary):
    path = tmp_path / ("g.bin" if binary else "g.txt")
    g = unicode_kv.to_gensim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g.save_word2vec_format(str(path), binary=binary)
    kv = KeyedVectors.load_word2vec_format(path, binary=binary)
    assert kv.index_to_key == UNICODE_WORDS
    np.testing.assert_array_equal(kv.vectors, GensimKV.load_word2vec_format(
        str(path), binary=binary).vectors)
    np.testing.assert_allclose(kv.vectors, unicode_kv.vectors, rtol=1e-6, atol=1e-7)


def test_text_format_is_the_documented_one(tmp_path):
    kv = KeyedVectors(["a", "bé"], np.array([[0.5, -2.0], [1.25, 0.0]]))
    kv.save_word2vec_format(tmp_path / "v.txt")
    lines = (tmp_path / "v.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "2 2"
    assert lines[1] == "a 5.00000000e-01 -2.00000000e+00"
    assert lines[2] == "bé 1.25000000e+00 0.00000000e+00"
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    data = (tmp_path / "v.bin").read_bytes()
    expected = (b"2 2\n" + b"a " + np.array([0.5, -2.0], "<f4").tobytes() + b"\n"
                + "bé ".encode() + np.array([1.25, 0.0], "<f4").tobytes() + b"\n")
    assert data == expected


@pytest.mark.parametrize("binary", [False, True])
def test_limit(tmp_path, unicode_kv, binary):
    path = tmp_path / "v"
    unicode_kv.save_word2vec_format(path, binary=binary)
    kv = KeyedVectors.load_word2vec_format(path, binary=binary, limit=3)
    assert kv.index_to_key == UNICODE_WORDS[:3]
    g = GensimKV.load_word2vec_format(str(path), binary=binary, limit=3)
    np.testing.assert_array_equal(kv.vectors, g.vectors)
    with pytest.raises(ValueError, match="limit"):
        KeyedVectors.load_word2vec_format(path, binary=binary, limit=0)


def test_repeated_words_in_a_file_keep_the_first_vector_like_gensim(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("3 2\na 1 2\nb 3 4\na 5 6\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="repeated"):
        kv = KeyedVectors.load_word2vec_format(path)
    g = GensimKV.load_word2vec_format(str(path))
    assert kv.index_to_key == ["a", "b"] and set(g.key_to_index) == {"a", "b"}
    for word in kv:
        np.testing.assert_array_equal(kv[word], g[word])
    np.testing.assert_array_equal(kv["a"], [1, 2])


@pytest.mark.parametrize("content, binary, match", [
    (b"not a header\n", False, "first line"),
    (b"2 3\na 1 2 3\n", False, "ends before word 2"),
    (b"1 3\na 1 2\n", False, "line 2"),
    (b"1 2\na 1 x\n", False, "not a number"),
    (b"1 2\na " + np.ones(1, "<f4").tobytes(), True, "ends inside the vector"),
    (b"2 1\na " + np.ones(1, "<f4").tobytes(), True, "ends before word 2"),
    (b"1 1\n\xff\xfe " + np.ones(1, "<f4").tobytes(), True, "UTF-8"),
])
def test_damaged_files(tmp_path, content, binary, match):
    path = tmp_path / "bad"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        KeyedVectors.load_word2vec_format(path, binary=binary)


def test_path_argument_is_checked(unicode_kv):
    with pytest.raises(TypeError, match="path"):
        unicode_kv.save_word2vec_format(3)
    with pytest.raises(FileNotFoundError):
        KeyedVectors.load_word2vec_format("/nonexistent/vectors.txt")


def test_gensim_conversion_round_trip(random_kv):
    g = random_kv.to_gensim()
    assert g.index_to_key == WORDS and g.vectors.dtype == np.float64
    np.testing.assert_array_equal(g.vectors, random_kv.vectors)
    back = KeyedVectors.from_gensim(g)
    assert back.index_to_key == WORDS
    np.testing.assert_array_equal(back.vectors, random_kv.vectors)
    with pytest.raises(TypeError, match="gensim_kv"):
        KeyedVectors.from_gensim([1, 2])


# -- the fast text formatter ----------------------------------------------------------------

def _parse_rows(lines):
    return np.array([[np.float32(float(v)) for v in line.split(b" ")] for line in lines],
                    dtype=np.float32)


def _special_float32_values():
    f32 = np.finfo(np.float32)
    powers = 10.0 ** np.arange(-45, 39)
    candidates = np.concatenate([
        [0.0, -0.0, f32.max, -f32.max, f32.tiny, f32.smallest_subnormal, 1.0, -1.0],
        powers, np.nextafter(powers.astype(np.float32), np.float32(0)),
        np.nextafter(powers.astype(np.float32), np.float32(np.inf)),
        [9.99999999e8, 999999.95, 0.123456785, 1e-39, 3e-45]])
    with np.errstate(over="ignore"):
        values = candidates.astype(np.float32)
    return values[np.isfinite(values)]


def test_format_float32_rows_reads_back_exactly_and_matches_percent_e():
    from wvlib._io import format_float32_rows
    rng = np.random.default_rng(0)
    random = (rng.standard_normal(60_000) * np.exp(rng.uniform(-80, 80, 60_000)))
    with np.errstate(over="ignore"):
        random = random.astype(np.float32)
    random = random[np.isfinite(random)]
    values = np.concatenate([_special_float32_values(), random])
    values = values[: len(values) // 10 * 10].reshape(-1, 10)
    lines = format_float32_rows(values)
    assert len(lines) == len(values)
    back = _parse_rows(lines)
    np.testing.assert_array_equal(back, values)                 # exact float32 round trip
    np.testing.assert_array_equal(np.signbit(back), np.signbit(values))
    texts = b" ".join(lines).split(b" ")
    expected = [b"%.8e" % float(v) for v in values.ravel()]      # correctly rounded
    same = np.mean([a == b for a, b in zip(texts, expected)])
    assert same > 0.9999, f"only {same:.5f} of the numbers are written as '%.8e' writes them"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(width=32, allow_nan=False, allow_infinity=False),
                min_size=1, max_size=30))
def test_format_float32_rows_round_trips_any_float32(numbers):
    from wvlib._io import format_float32_rows
    values = np.array([numbers], dtype=np.float32)
    (line,) = format_float32_rows(values)
    np.testing.assert_array_equal(_parse_rows([line]), values)
    assert all(len(t) == 14 + t.startswith(b"-") for t in line.split(b" "))


def test_format_float32_rows_rejects_what_it_cannot_write():
    from wvlib._io import format_float32_rows
    with pytest.raises(ValueError, match="finite"):
        format_float32_rows(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="2-D"):
        format_float32_rows(np.ones(3))
    assert format_float32_rows(np.zeros((2, 0))) == [b"", b""]



def test_writing_in_blocks_of_rows_gives_the_same_file(tmp_path, monkeypatch):
    import wvlib.vectors as vectors_module
    rng = np.random.default_rng(0)
    kv = KeyedVectors([f"w{i}" for i in range(25)], rng.normal(size=(25, 4)))
    for binary in (False, True):
        kv.save_word2vec_format(tmp_path / "whole", binary=binary)
        monkeypatch.setattr(vectors_module, "_WRITE_ROWS", 7)
        kv.save_word2vec_format(tmp_path / "blocks", binary=binary)
        monkeypatch.undo()
        assert (tmp_path / "whole").read_bytes() == (tmp_path / "blocks").read_bytes()
