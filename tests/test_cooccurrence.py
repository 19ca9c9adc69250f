"""Tests for wvlib.cooccurrence: the vectorized counts equal a plain double loop."""
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import wvlib.cooccurrence as cooc_module
from wvlib.cooccurrence import _effective_windows, context_window_weights, cooccurrence_matrix
from wvlib.corpus import Corpus, Vocabulary, load_corpus


def brute_force(documents, vocab, window, symmetric=True, weighting="uniform", reach=None):
    """The definition, one pair at a time.

    ``reach`` (optional) holds word2vec's per-position window draws for the in-vocabulary
    positions in corpus order: a pair at distance d counts for centre k iff d <= reach[k].
    """
    V = len(vocab)
    M = np.zeros((V, V))
    k0 = 0  # global index of the document's first in-vocabulary position
    for doc in documents:
        ids = [vocab.index[t] for t in doc if t in vocab.index]  # OOV removed first
        for i in range(len(ids)):
            for j in range(i + 1, min(i + window, len(ids) - 1) + 1):
                d = j - i
                weight = 1.0 if weighting == "uniform" else 1.0 / d
                if reach is None or d <= reach[k0 + i]:
                    M[ids[i], ids[j]] += weight
                if symmetric and (reach is None or d <= reach[k0 + j]):
                    M[ids[j], ids[i]] += weight
        k0 += len(ids)
    return M


documents_strategy = st.lists(st.lists(st.sampled_from("abcdefg"), max_size=12),
                              min_size=1, max_size=6)


def _vocab_or_skip(documents, min_count):
    try:
        return Vocabulary.build(documents, min_count=min_count)
    except ValueError:
        assume(False)


@settings(max_examples=200, deadline=None)
@given(documents=documents_strategy, window=st.integers(1, 4), symmetric=st.booleans(),
       weighting=st.sampled_from(["uniform", "harmonic"]), min_count=st.integers(1, 3))
def test_matches_brute_force(documents, window, symmetric, weighting, min_count):
    vocab = _vocab_or_skip(documents, min_count)
    M = cooccurrence_matrix(documents, vocab, window=window, symmetric=symmetric,
                            weighting=weighting)
    assert sp.isspmatrix_csr(M) and M.dtype == np.float64 and M.shape == (len(vocab),) * 2
    expected = brute_force(documents, vocab, window, symmetric, weighting)
    np.testing.assert_allclose(M.toarray(), expected, rtol=1e-12, atol=1e-12)
    if symmetric:
        assert (abs(M - M.T) > 1e-12).nnz == 0


@settings(max_examples=150, deadline=None)
@given(documents=documents_strategy, window=st.integers(1, 4), symmetric=st.booleans(),
       weighting=st.sampled_from(["uniform", "harmonic"]), min_count=st.integers(1, 2),
       seed=st.integers(0, 2**32 - 1))
def test_dynamic_window_matches_brute_force_with_the_same_draws(
        documents, window, symmetric, weighting, min_count, seed):
    vocab = _vocab_or_skip(documents, min_count)
    n_kept = sum(t in vocab.index for doc in documents for t in doc)
    reach = _effective_windows(n_kept, window, np.random.default_rng(seed))
    assert reach.min(initial=1) >= 1 and reach.max(initial=window) <= window
    M = cooccurrence_matrix(documents, vocab, window=window, symmetric=symmetric,
                            weighting=weighting, dynamic_window=True, seed=seed)
    expected = brute_force(documents, vocab, window, symmetric, weighting, reach=reach)
    np.testing.assert_allclose(M.toarray(), expected, rtol=1e-12, atol=1e-12)
    # a Generator is used as is, so the same state gives the same matrix
    M2 = cooccurrence_matrix(documents, vocab, window=window, symmetric=symmetric,
                             weighting=weighting, dynamic_window=True,
                             seed=np.random.default_rng(seed))
    assert (M != M2).nnz == 0


def _random_documents(rng, n_docs=8, alphabet=12, max_len=40):
    words = [f"w{i}" for i in range(alphabet)]
    return [list(rng.choice(words, size=rng.integers(0, max_len))) for _ in range(n_docs)]


def test_chunked_processing_gives_the_same_matrix(monkeypatch):
    rng = np.random.default_rng(1)
    docs = _random_documents(rng)
    vocab = Vocabulary.build(docs, min_count=3)
    full = {kw: cooccurrence_matrix(docs, vocab, window=4, dynamic_window=kw, seed=5)
            for kw in (False, True)}
    # tiny chunks and buffers: pairs straddle chunk boundaries and are flushed many times
    monkeypatch.setattr(cooc_module, "_CHUNK_POSITIONS", 3)
    monkeypatch.setattr(cooc_module, "_MAX_BUFFERED_PAIRS", 5)
    for kw in (False, True):
        chunked = cooccurrence_matrix(docs, vocab, window=4, dynamic_window=kw, seed=5)
        np.testing.assert_allclose(chunked.toarray(), full[kw].toarray())
    np.testing.assert_allclose(full[False].toarray(), brute_force(docs, vocab, 4))


def test_dynamic_window_expected_weights_per_distance():
    # 20,000 distinct words in one document: word i sits at position i (ids are alphabetical
    # because all counts tie), so M[i, i + d] is 1 exactly when centre i's window reaches d.
    n, window = 20_000, 5
    words = [f"w{i:05d}" for i in range(n)]
    vocab = Vocabulary.build([words])
    assert vocab.words == words
    for weighting in ("uniform", "harmonic"):
        M = cooccurrence_matrix([words], vocab, window=window, weighting=weighting,
                                dynamic_window=True, seed=3)
        expected = context_window_weights(window, weighting, dynamic_window=True)
        for d in range(1, window + 1):
            right = M.diagonal(d)   # centre i, context i + d
            left = M.diagonal(-d)   # centre i + d, context i
            p = expected[d - 1] * d if weighting == "harmonic" else expected[d - 1]
            tol = 5 * np.sqrt(p * (1 - p) / (n - d)) / (d if weighting == "harmonic" else 1)
            assert abs(right.mean() - expected[d - 1]) <= tol + 1e-12
            assert abs(left.mean() - expected[d - 1]) <= tol + 1e-12
        assert M.diagonal(window + 1).sum() == 0


def test_dynamic_window_mean_over_seeds_approaches_expectation():
    rng = np.random.default_rng(7)
    docs = _random_documents(rng, n_docs=5, alphabet=6, max_len=30)
    vocab = Vocabulary.build(docs)
    window, n_seeds = 4, 300
    # exact counts at each single distance d: M(window=d) - M(window=d-1)
    per_distance = []
    previous = np.zeros((len(vocab), len(vocab)))
    for d in range(1, window + 1):
        current = cooccurrence_matrix(docs, vocab, window=d).toarray()
        per_distance.append(current - previous)
        previous = current
    weights = context_window_weights(window, "uniform", dynamic_window=True)
    expected = sum(w * m for w, m in zip(weights, per_distance))

    samples = np.stack([cooccurrence_matrix(docs, vocab, window=window, dynamic_window=True,
                                            seed=s).toarray() for s in range(n_seeds)])
    mean, sd = samples.mean(axis=0), samples.std(axis=0)
    assert np.all(np.abs(mean - expected) <= 6 * sd / np.sqrt(n_seeds) + 1e-9)
    # and it really is random: different seeds give different matrices, and no longer symmetric
    assert np.any(samples[0] != samples[1])
    assert np.any(samples[0] != samples[0].T)


def test_context_window_weights():
    np.testing.assert_allclose(context_window_weights(3), [1, 1, 1])
    np.testing.assert_allclose(context_window_weights(3, "harmonic"), [1, 1 / 2, 1 / 3])
    np.testing.assert_allclose(context_window_weights(5, dynamic_window=True),
                               [1, 0.8, 0.6, 0.4, 0.2])
    np.testing.assert_allclose(context_window_weights(2, "harmonic", True), [1, 0.25])
    with pytest.raises(ValueError, match="window"):
        context_window_weights(0)
    with pytest.raises(ValueError, match="weighting"):
        context_window_weights(3, "gaussian")


def test_small_example_by_hand():
    docs = [["a", "b", "c", "a"]]
    vocab = Vocabulary.build(docs)  # a=0, b=1, c=2
    M = cooccurrence_matrix(docs, vocab, window=2, weighting="harmonic").toarray()
    # pairs: (a,b) d1, (a,c) d2, (b,c) d1, (b,a) d2, (c,a) d1
    np.testing.assert_allclose(M, [[0, 1.5, 1.5],
                                   [1.5, 0, 1],
                                   [1.5, 1, 0]])
    directed = cooccurrence_matrix(docs, vocab, window=2, symmetric=False).toarray()
    np.testing.assert_allclose(directed, [[0, 1, 1],
                                          [1, 0, 1],
                                          [1, 0, 0]])


def test_directed_plus_transpose_is_symmetric():
    rng = np.random.default_rng(2)
    docs = _random_documents(rng)
    vocab = Vocabulary.build(docs)
    directed = cooccurrence_matrix(docs, vocab, window=3, symmetric=False)
    symmetric = cooccurrence_matrix(docs, vocab, window=3)
    np.testing.assert_allclose((directed + directed.T).toarray(), symmetric.toarray())
    assert (directed != directed.T).nnz > 0


def test_windows_never_cross_documents():
    vocab = Vocabulary.build([["a", "b", "c", "d"]])
    split = cooccurrence_matrix([["a", "b"], ["c", "d"]], vocab, window=3).toarray()
    joined = cooccurrence_matrix([["a", "b", "c", "d"]], vocab, window=3).toarray()
    a, b, c, d = (vocab[w] for w in "abcd")
    assert split[b, c] == 0 and split[a, d] == 0 and split[a, b] == 1 and split[c, d] == 1
    assert joined[b, c] == 1 and joined[a, d] == 1


def test_out_of_vocabulary_tokens_are_removed_before_windowing():
    docs = [["a", "rare", "b"], ["a", "b"]]
    vocab = Vocabulary.build(docs, min_count=2)
    assert "rare" not in vocab
    M = cooccurrence_matrix(docs, vocab, window=1).toarray()
    assert M[vocab["a"], vocab["b"]] == 2  # "rare" did not take the window slot


def test_window_larger_than_any_document():
    rng = np.random.default_rng(4)
    docs = _random_documents(rng, max_len=10)
    vocab = Vocabulary.build(docs)
    longest = max(len(d) for d in docs)
    big = cooccurrence_matrix(docs, vocab, window=50)
    np.testing.assert_allclose(big.toarray(), brute_force(docs, vocab, 50))
    np.testing.assert_allclose(big.toarray(),
                               cooccurrence_matrix(docs, vocab, window=longest).toarray())
    tiny = cooccurrence_matrix([["a"]], Vocabulary.build([["a"]]), window=3)
    assert tiny.shape == (1, 1) and tiny.nnz == 0


def test_corpus_input_and_toy_similarities():
    toy = load_corpus("toy")
    vocab = Vocabulary.build(toy)
    M = cooccurrence_matrix(toy, vocab, window=2)
    np.testing.assert_allclose(M.toarray(), cooccurrence_matrix(toy.documents, vocab,
                                                                window=2).toarray())
    X = M.toarray()
    X /= np.linalg.norm(X, axis=1, keepdims=True)

    def cos(u, v):
        return X[vocab[u]] @ X[vocab[v]]

    # the toy corpus is built so that these pairs share contexts
    assert cos("cat", "dog") > cos("cat", "king")
    assert cos("king", "queen") > cos("king", "dog")
    assert cos("milk", "water") > cos("milk", "castle")


def test_bad_inputs_name_the_argument():
    docs = [["a", "b", "c"]]
    vocab = Vocabulary.build(docs)
    with pytest.raises(ValueError, match="window"):
        cooccurrence_matrix(docs, vocab, window=0)
    with pytest.raises(ValueError, match="window"):
        cooccurrence_matrix(docs, vocab, window=2.5)
    with pytest.raises(ValueError, match="weighting"):
        cooccurrence_matrix(docs, vocab, weighting="gaussian")
    with pytest.raises(ValueError, match="symmetric"):
        cooccurrence_matrix(docs, vocab, symmetric="yes")
    with pytest.raises(ValueError, match="dynamic_window"):
        cooccurrence_matrix(docs, vocab, dynamic_window=1)
    with pytest.raises(ValueError, match="seed"):
        cooccurrence_matrix(docs, vocab, dynamic_window=True, seed=-1)
    with pytest.raises(ValueError, match="documents"):
        cooccurrence_matrix([], vocab)
    with pytest.raises(ValueError, match="documents"):
        cooccurrence_matrix(["a b c"], vocab)
    with pytest.raises(TypeError, match="vocab"):
        cooccurrence_matrix(docs, ["a", "b", "c"])
    with pytest.raises(TypeError, match="vocab"):
        cooccurrence_matrix(docs, Corpus("c", docs))


@pytest.mark.parametrize("weighting, n_words, code_type", [
    ("uniform", 300, np.uint32), ("harmonic", 300, np.uint32),
    ("uniform", 70_000, np.uint64),        # 2 x 17 bits of word ids
    ("harmonic", 20_000, np.uint64),       # 2 x 15 bits + 4 bits of distance
])
def test_pair_codes_of_32_and_64_bits_count_the_same(monkeypatch, weighting, n_words,
                                                      code_type):
    """Pairs are counted as sorted integer codes (centre, context, distance bits); large
    vocabularies need 64-bit codes. Both are checked against counting pairs in a dict, and the
    result is canonical CSR (sorted column indices, no duplicates)."""
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(n_words)]
    tokens = np.concatenate([rng.permutation(n_words), rng.integers(0, n_words, n_words // 4)])
    cuts = np.sort(rng.choice(len(tokens), 150, replace=False))       # 151 documents
    docs = [[words[i] for i in part] for part in np.split(tokens, cuts) if len(part)]
    vocab = Vocabulary.build(docs)
    assert len(vocab) == n_words
    seen_types = []
    original = cooc_module._sum_pair_codes

    def spy(codes, *args):
        seen_types.append(codes.dtype)
        return original(codes, *args)

    monkeypatch.setattr(cooc_module, "_sum_pair_codes", spy)
    window = 10 if weighting == "harmonic" else 2        # (the distance bits need 10)
    M = cooccurrence_matrix(docs, vocab, window=window, weighting=weighting)
    assert seen_types == [np.dtype(code_type)]

    expected = {}
    for doc in docs:
        ids = [vocab.index[t] for t in doc]
        for i in range(len(ids)):
            for j in range(i + 1, min(i + window, len(ids) - 1) + 1):
                weight = 1.0 if weighting == "uniform" else 1.0 / (j - i)
                for pair in ((ids[i], ids[j]), (ids[j], ids[i])):
                    expected[pair] = expected.get(pair, 0.0) + weight
    assert M.has_canonical_format and M.dtype == np.float64
    coo = M.tocoo()
    got = dict(zip(zip(coo.row.tolist(), coo.col.tolist()), coo.data.tolist()))
    assert got.keys() == expected.keys()
    np.testing.assert_allclose([got[p] for p in expected], list(expected.values()),
                               rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Counting under a memory budget: spilled runs give exactly the in-memory counts
# ---------------------------------------------------------------------------------------------
def _zipf_documents(rng, n_words, n_tokens, n_docs=40):
    """Documents of every one of n_words words once, then n_tokens Zipf-like draws (a long
    tail: some pairs repeat, most do not), cut at random places."""
    words = np.array([f"w{i}" for i in range(n_words)])
    weights = 1.0 / np.arange(1, n_words + 1)
    tokens = np.concatenate([rng.permutation(n_words),
                             rng.choice(n_words, size=n_tokens, p=weights / weights.sum())])
    cuts = np.sort(rng.choice(np.arange(1, len(tokens)), n_docs - 1, replace=False))
    return [words[part].tolist() for part in np.split(tokens, cuts)]


def _budget_for_runs(n_pairs, runs):
    """The memory (MB) whose buffer holds about n_pairs / runs pairs."""
    return n_pairs / runs * cooc_module._BYTES_PER_PAIR / 2**20


def _identical(A, B):
    return (A.shape == B.shape and np.array_equal(A.indptr, B.indptr)
            and np.array_equal(A.indices, B.indices) and np.array_equal(A.data, B.data))


@pytest.mark.parametrize("weighting", ["uniform", "harmonic"])
@pytest.mark.parametrize("n_words, code_type", [(500, np.uint32), (70_000, np.uint64)])
@pytest.mark.parametrize("dynamic", [False, True])
def test_spilled_runs_give_exactly_the_in_memory_counts(tmp_path, weighting, n_words,
                                                        code_type, dynamic):
    rng = np.random.default_rng(n_words + dynamic)
    docs = _zipf_documents(rng, n_words, 20_000)
    vocab = Vocabulary.build(docs)
    window = 7
    kwargs = dict(window=window, weighting=weighting, dynamic_window=dynamic, seed=3)
    with cooc_module.count_cooccurrences(docs, vocab, **kwargs) as whole:
        info = whole.counting
        assert info["runs"] == 1 and info["spilled_runs"] == 0
        in_memory = whole.tocsr()
    assert cooc_module._PairCounter(len(vocab), window, weighting, 1, None).code_type \
        == code_type
    memory = _budget_for_runs(info["pairs"], 9)
    with cooc_module.count_cooccurrences(docs, vocab, memory=memory, temp_dir=tmp_path,
                                         **kwargs) as spilled:
        assert spilled.counting["spilled_runs"] >= 8, spilled.counting
        assert spilled.counting["pairs"] == info["pairs"]
        assert spilled.counting["spilled_entries"] > 0 and spilled.n_blocks > 1
        on_disk = spilled.tocsr()
    assert not any(tmp_path.iterdir())                      # the files are removed
    assert _identical(in_memory, on_disk)                   # bit for bit
    assert on_disk.has_canonical_format and on_disk.data.min() > 0
    if n_words == 500 and not dynamic:                      # and they are the right counts
        np.testing.assert_allclose(in_memory.toarray(),
                                   brute_force(docs, vocab, window, weighting=weighting),
                                   rtol=1e-13)


def test_harmonic_counts_are_integer_units_of_the_window_lcm():
    """With the 1/d weighting an entry is (integer units) / lcm(1..window), rounded once: the
    sum of 1/3 three times is exactly the float 1.0, not 0.999... ."""
    docs = [["a", "x", "x", "b"]] * 3              # (a, b) at distance 3, three times
    vocab = Vocabulary.build(docs)
    M = cooccurrence_matrix(docs, vocab, window=3, weighting="harmonic")
    assert M[vocab["a"], vocab["b"]] == 1.0
    # every value is k / 2520 for window 10 (lcm of 1..10), to the last bit
    rng = np.random.default_rng(5)
    docs = _zipf_documents(rng, 50, 3000, n_docs=5)
    M = cooccurrence_matrix(docs, Vocabulary.build(docs), window=10, weighting="harmonic")
    units = np.rint(M.data * 2520)
    assert np.array_equal(M.data, units / 2520)


def test_windows_over_22_count_per_distance_exactly_too(tmp_path):
    """lcm(1..23) does not fit the units' scheme: keys keep their distance bits, and the
    value is the sum over d of the integer counts times 1/d in the order d = 1, 2, ..."""
    rng = np.random.default_rng(11)
    docs = _zipf_documents(rng, 200, 4000, n_docs=8)
    vocab = Vocabulary.build(docs)
    window = 25
    assert window > cooc_module._MAX_EXACT_WINDOW
    M = cooccurrence_matrix(docs, vocab, window=window, weighting="harmonic")
    with cooc_module.count_cooccurrences(
            docs, vocab, window=window, weighting="harmonic", temp_dir=tmp_path,
            memory=_budget_for_runs(2 * 4000 * window, 7)) as spilled:
        assert spilled.counting["spilled_runs"] >= 6
        S = spilled.tocsr()
    assert _identical(M, S)
    np.testing.assert_allclose(M.toarray(), brute_force(docs, vocab, window,
                                                        weighting="harmonic"), rtol=1e-13)


def test_memory_must_be_positive():
    docs = [["a", "b"]]
    for bad in (0, -1, "1G", float("nan")):
        with pytest.raises(ValueError, match="memory"):
            cooccurrence_matrix(docs, Vocabulary.build(docs), memory=bad)
