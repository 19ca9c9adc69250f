"""Tests for wvlib.pmi: PMI on sparse matrices against a dense brute force, PPMI-SVD vectors
against an independent numpy SVD, and the training pipeline / CLI hooks."""
import argparse
import time

import numpy as np
import pytest
import scipy.sparse as sp

from wvlib.pmi import pmi_dense, pmi_matrix, ppmi_svd_embeddings, train_ppmi_svd


def random_counts(n_rows, n_cols, density, seed):
    rng = np.random.default_rng(seed)
    C = sp.random(n_rows, n_cols, density=density, format="csr", random_state=seed,
                  data_rvs=lambda n: rng.integers(1, 20, n).astype(float))
    return C


def loop_pmi(C, alpha, shift):
    """PMI with explicit Python loops over a small dense count matrix (another reference)."""
    C = np.asarray(C, dtype=float)
    n, m = C.shape
    D = C.sum()
    row = [sum(C[i, j] for j in range(m)) for i in range(n)]
    col = [sum(C[i, j] for i in range(n)) for j in range(m)]
    Z = sum(c ** alpha for c in col)
    out = np.full((n, m), -np.inf)
    for i in range(n):
        for j in range(m):
            if C[i, j] > 0:
                p_wc, p_w, p_c = C[i, j] / D, row[i] / D, col[j] ** alpha / Z
                out[i, j] = np.log(p_wc / (p_w * p_c)) - np.log(shift)
    return out


# ------------------------------------------------------------------------------------------
# pmi_matrix / pmi_dense
# ------------------------------------------------------------------------------------------

def test_hand_computed_toy_example():
    # row sums (2, 2), column sums (3, 1), D = 4
    counts = np.array([[2, 0], [1, 1]])
    M = pmi_matrix(counts, positive=False)
    assert M[0, 0] == pytest.approx(np.log(2 * 4 / (2 * 3)))      # log 4/3
    assert M[1, 0] == pytest.approx(np.log(1 * 4 / (2 * 3)))      # log 2/3 < 0
    assert M[1, 1] == pytest.approx(np.log(1 * 4 / (2 * 1)))      # log 2
    assert M.nnz == 3 and (0, 1) not in set(zip(*M.nonzero()))    # unseen pair not stored

    P = pmi_matrix(counts)                                          # PPMI drops log 2/3
    np.testing.assert_allclose(P.toarray(), [[np.log(4 / 3), 0], [0, np.log(2)]])
    assert P.nnz == 2

    # alpha = 0.5: P_alpha(c) = sqrt(#c) / (sqrt 3 + 1)
    Z = np.sqrt(3) + 1
    M = pmi_matrix(counts, alpha=0.5, positive=False)
    assert M[0, 0] == pytest.approx(np.log(2 * Z / (2 * np.sqrt(3))))
    assert M[1, 1] == pytest.approx(np.log(1 * Z / (2 * 1)))

    # shift k = 2 subtracts log 2: PMI(1, 1) becomes 0 and disappears from the PPMI matrix
    S = pmi_matrix(counts, shift=2)
    assert S.nnz == 0 or S[1, 1] == 0
    assert pmi_matrix(counts, shift=2, positive=False)[1, 1] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("alpha", [1.0, 0.75, 0.5, 0.1])
@pytest.mark.parametrize("shift", [1.0, 2.0, 5.0, 15])
@pytest.mark.parametrize("positive", [True, False])
def test_sparse_equals_dense_brute_force(alpha, shift, positive):
    C = random_counts(40, 55, 0.15, seed=int(alpha * 100 + shift))
    M = pmi_matrix(C, alpha=alpha, shift=shift, positive=positive)
    R = pmi_dense(C, alpha=alpha, shift=shift, positive=positive)
    assert sp.issparse(M) and M.format == "csr" and M.dtype == np.float64
    seen = C.toarray() > 0
    np.testing.assert_allclose(M.toarray()[seen], R[seen], rtol=1e-12, atol=1e-12)
    assert np.all(M.toarray()[~seen] == 0)                 # unseen pairs stay zero
    if positive:
        assert np.all(M.data > 0)                          # zeros eliminated
        assert np.all(R[~seen] == 0)
    else:
        # the structure is exactly the observed pairs; their true value is -inf
        assert set(zip(*M.nonzero())) <= set(zip(*C.nonzero()))
        assert M.nnz == C.nnz
        assert np.all(np.isneginf(R[~seen]))


@pytest.mark.parametrize("alpha,shift", [(1.0, 1.0), (0.75, 5.0), (0.3, 2.5)])
def test_dense_reference_equals_python_loops(alpha, shift):
    C = random_counts(7, 9, 0.4, seed=3).toarray()
    C[2] = 0                                                 # an empty row
    np.testing.assert_allclose(pmi_dense(C, alpha=alpha, shift=shift, positive=False),
                               loop_pmi(C, alpha, shift))


def test_independent_words_have_zero_pmi():
    # counts proportional to an outer product = words and contexts independent: PMI == 0
    counts = np.outer([1, 2, 3], [4, 1, 2, 5]).astype(float)
    M = pmi_matrix(counts, positive=False)
    np.testing.assert_allclose(M.toarray(), 0, atol=1e-12)
    assert M.nnz == counts.size                              # observed, so still stored
    assert np.all(pmi_matrix(counts).data < 1e-12)        # only round-off can survive


def test_dense_and_sparse_inputs_agree_and_input_untouched():
    C = random_counts(20, 20, 0.3, seed=1)
    C_copy = C.copy()
    a = pmi_matrix(C, alpha=0.75, shift=3)
    b = pmi_matrix(C.toarray(), alpha=0.75, shift=3)
    c = pmi_matrix(C.tocoo(), alpha=0.75, shift=3)
    np.testing.assert_allclose(a.toarray(), b.toarray())
    np.testing.assert_allclose(a.toarray(), c.toarray())
    assert (C != C_copy).nnz == 0


def test_explicit_zeros_and_duplicates_in_input():
    rows, cols = np.array([0, 0, 1, 1, 1]), np.array([0, 0, 1, 0, 1])
    data = np.array([1.0, 1.0, 0.0, 1.0, 1.0])      # (0,0) given twice; (1,1) = 0 + 1
    C = sp.coo_matrix((data, (rows, cols)), shape=(2, 2))
    explicit_zero = sp.csr_matrix((np.array([2.0, 0.0, 1.0, 1.0]), np.array([0, 1, 0, 1]),
                                   np.array([0, 2, 4])), shape=(2, 2))
    expected = pmi_dense(np.array([[2, 0], [1, 1]]), positive=False)
    M = pmi_matrix(C, positive=False)
    np.testing.assert_allclose(M.toarray()[[0, 1, 1], [0, 0, 1]], expected[[0, 1, 1], [0, 0, 1]])
    Z = pmi_matrix(explicit_zero, positive=False)       # a stored 0 is an unseen pair
    assert Z.nnz == 3 and np.all(np.isfinite(Z.data))


def test_no_densification_on_huge_sparse_matrix():
    n = 50_000
    rng = np.random.default_rng(0)
    nnz = 200_000
    C = sp.csr_matrix((rng.integers(1, 50, nnz).astype(float),
                       (rng.integers(0, n, nnz), rng.integers(0, n, nnz))), shape=(n, n))
    start = time.perf_counter()
    M = pmi_matrix(C, alpha=0.75, shift=2)
    elapsed = time.perf_counter() - start
    assert sp.issparse(M) and M.shape == (n, n)
    assert 0 < M.nnz <= C.nnz                             # a dense result would be 2.5e9 entries
    assert elapsed < 5.0                                   # a dense 50k x 50k would take ~20 GB
    # spot-check a few entries against the formula
    row, col = C.sum(axis=1).A1, C.sum(axis=0).A1
    Z = (col ** 0.75).sum()
    Cc = C.tocoo()
    for t in range(0, Cc.nnz, Cc.nnz // 7):
        i, j, x = Cc.row[t], Cc.col[t], C[Cc.row[t], Cc.col[t]]
        expected = max(np.log(x * Z / (row[i] * col[j] ** 0.75)) - np.log(2), 0)
        assert M[i, j] == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("bad", [
    np.array([[1.0, -1.0], [0.0, 2.0]]),       # negative
    np.zeros((3, 3)),                          # all zero
    sp.csr_matrix((3, 3)),                     # all zero, sparse
    np.array([1.0, 2.0]),                      # 1-D
    np.array([[1.0, np.nan], [1.0, 1.0]]),     # NaN
    np.zeros((0, 3)),                          # empty
])
def test_bad_counts_name_the_argument(bad):
    with pytest.raises(ValueError, match="counts"):
        pmi_matrix(bad)
    with pytest.raises(ValueError, match="counts"):
        pmi_dense(bad)


@pytest.mark.parametrize("alpha", [0.0, -0.5, 1.5, np.nan, "0.75"])
def test_bad_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        pmi_matrix(np.eye(3), alpha=alpha)


@pytest.mark.parametrize("shift", [0.5, 0, -1, np.inf, "5"])
def test_bad_shift(shift):
    with pytest.raises(ValueError, match="shift"):
        pmi_matrix(np.eye(3), shift=shift)


# ------------------------------------------------------------------------------------------
# ppmi_svd_embeddings
# ------------------------------------------------------------------------------------------

def numpy_ppmi_svd(counts, dim, alpha, shift, eig, add_context=False):
    """Independent computation: dense PPMI, numpy's full SVD, sign rule, U S^p (+ V S^p)."""
    M = pmi_dense(counts, alpha=alpha, shift=shift, positive=True)
    U, s, Vt = np.linalg.svd(M)
    U, s, V = U[:, :dim], s[:dim], Vt[:dim].T
    for i in range(dim):                        # largest-|entry| of u_i positive, v_i with it
        sign = np.sign(U[np.argmax(np.abs(U[:, i])), i])
        U[:, i] *= sign
        V[:, i] *= sign
    W = U * s ** eig
    return W + V * s ** eig if add_context else W


@pytest.fixture
def small_counts():
    C = random_counts(30, 30, 0.3, seed=7)
    return C + C.T                                  # symmetric, like window counts


@pytest.mark.parametrize("eig", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("add_context", [False, True])
def test_embeddings_equal_numpy_svd(small_counts, eig, add_context):
    words = [f"w{i}" for i in range(30)]
    kv = ppmi_svd_embeddings(small_counts, words, dim=6, alpha=0.75, shift=1.0, eig=eig,
                             add_context=add_context, method="reference")
    expected = numpy_ppmi_svd(small_counts.toarray(), 6, 0.75, 1.0, eig, add_context)
    assert list(kv.index_to_key) == words
    np.testing.assert_allclose(kv.vectors, expected, atol=1e-8)


def test_randomized_svd_embeddings_close_to_numpy(small_counts):
    words = [f"w{i}" for i in range(30)]
    kv = ppmi_svd_embeddings(small_counts, words, dim=5, alpha=1.0, shift=2.0, eig=0.5, seed=3)
    expected = numpy_ppmi_svd(small_counts.toarray(), 5, 1.0, 2.0, 0.5)
    # randomized subspace iteration (4 power iterations) is accurate to ~1e-3 here, not 1e-12
    np.testing.assert_allclose(kv.vectors, expected, atol=5e-3)


def test_exact_method_is_the_lapack_svd(small_counts):
    words = [str(i) for i in range(30)]
    exact = ppmi_svd_embeddings(small_counts, words, dim=5, method="exact")
    reference = ppmi_svd_embeddings(small_counts, words, dim=5, method="reference")
    np.testing.assert_allclose(exact.vectors, reference.vectors, atol=1e-8)
    with pytest.raises(ValueError, match="method must be one of"):
        ppmi_svd_embeddings(small_counts, words, dim=5, method="lanczos")


def test_eig_zero_gives_orthonormal_columns(small_counts):
    kv = ppmi_svd_embeddings(small_counts, [str(i) for i in range(30)], dim=4, eig=0.0)
    np.testing.assert_allclose(kv.vectors.T @ kv.vectors, np.eye(4), atol=1e-8)


def test_embeddings_accept_a_vocabulary():
    from wvlib.corpus import Vocabulary
    vocab = Vocabulary.build([["a", "b", "c", "a", "b", "a", "d"]])
    C = np.array([[0, 3, 1, 1], [3, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]], dtype=float)
    kv = ppmi_svd_embeddings(C, vocab, dim=2, method="reference")
    assert list(kv.index_to_key) == list(vocab.words)


def test_embeddings_bad_input(small_counts):
    words = [f"w{i}" for i in range(30)]
    with pytest.raises(ValueError, match=r"dim.*30|30.*dim"):
        ppmi_svd_embeddings(small_counts, words, dim=31)
    with pytest.raises(ValueError, match="dim"):
        ppmi_svd_embeddings(small_counts, words, dim=0)
    with pytest.raises(ValueError, match="vocab_words"):
        ppmi_svd_embeddings(small_counts, words[:-1], dim=3)
    with pytest.raises(ValueError, match="eig"):
        ppmi_svd_embeddings(small_counts, words, dim=3, eig=1.5)
    with pytest.raises(ValueError, match="shift"):
        ppmi_svd_embeddings(small_counts, words, dim=3, shift=0.5)
    with pytest.raises(ValueError, match="add_context"):
        ppmi_svd_embeddings(small_counts[:, :20], words, dim=3, add_context=True)


# ------------------------------------------------------------------------------------------
# the pipeline and the CLI hooks
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lee():
    from wvlib.corpus import load_corpus
    return load_corpus("lee")


def test_pipeline_equals_its_steps(lee):
    from wvlib.cooccurrence import cooccurrence_matrix
    from wvlib.corpus import Vocabulary
    kv = train_ppmi_svd(lee, dim=20, window=3, min_count=5, alpha=0.75, shift=2, eig=0.5,
                        weighting="harmonic")
    vocab = Vocabulary.build(lee.documents, min_count=5)
    counts = cooccurrence_matrix(lee.documents, vocab, window=3, weighting="harmonic")
    expected = ppmi_svd_embeddings(counts, vocab.words, dim=20, alpha=0.75, shift=2, eig=0.5,
                                   dtype=np.float32)       # the pipeline's precision
    assert list(kv.index_to_key) == list(vocab.words)
    np.testing.assert_allclose(kv.vectors, expected.vectors)
    # and single-precision products change the vectors only at float32's resolution
    double = ppmi_svd_embeddings(counts, vocab.words, dim=20, alpha=0.75, shift=2, eig=0.5)
    np.testing.assert_allclose(kv.vectors, double.vectors, rtol=0, atol=1e-4)


def test_pipeline_is_deterministic_and_bad_input(lee):
    a = train_ppmi_svd(lee, dim=10, min_count=10, seed=1)
    b = train_ppmi_svd(lee, dim=10, min_count=10, seed=1)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    with pytest.raises(ValueError, match="min_count"):
        train_ppmi_svd(lee, dim=10, min_count=0)
    with pytest.raises(ValueError, match="min_count"):
        train_ppmi_svd(lee, dim=10, min_count=10**9)
    with pytest.raises(ValueError, match="dim"):
        train_ppmi_svd(lee, dim=10**6, min_count=10)


def test_cli_options_come_from_the_declaration(lee, tmp_path, capsys):
    from wvlib.cli import main
    out = tmp_path / "v.txt"
    assert main(["train", "ppmi-svd", "--corpus", "lee", "--out", str(out), "--dim", "8",
                 "--shift", "2", "--eig", "0", "--max-vocab", "500"]) == 0
    from wvlib.vectors import KeyedVectors
    kv = KeyedVectors.load_word2vec_format(out)
    assert len(kv) == 500 and kv.vector_size == 8
    expected = train_ppmi_svd(lee, dim=8, shift=2, eig=0, max_vocab=500, seed=0)
    np.testing.assert_allclose(kv.vectors, expected.vectors, atol=1e-5)   # text format


def test_pipeline_validates_every_declared_parameter(lee):
    with pytest.raises(ValueError, match="shift must be a real number >= 1"):
        train_ppmi_svd(lee, dim=5, shift=0.5)
    with pytest.raises(ValueError, match="alpha"):
        train_ppmi_svd(lee, dim=5, alpha=0)
    with pytest.raises(ValueError, match="weighting must be one of 'uniform', 'harmonic'"):
        train_ppmi_svd(lee, dim=5, weighting="gaussian")
    with pytest.raises(ValueError, match="add_context must be True or False"):
        train_ppmi_svd(lee, dim=5, add_context="yes")
    with pytest.raises(TypeError, match="neg"):
        train_ppmi_svd(lee, dim=5, neg=2)                 # the old name is gone


def test_default_dim_adapts_to_a_small_vocabulary(caplog):
    docs = [["a", "b", "c", "a"], ["b", "c", "d", "a"]]
    with caplog.at_level("INFO", logger="wvlib"):
        kv = train_ppmi_svd(docs, min_count=1, window=2)
    assert kv.vector_size == 4 and "dim 4" in caplog.text
    with pytest.raises(ValueError, match="dim must be at most the vocabulary size"):
        train_ppmi_svd(docs, min_count=1, window=2, dim=5)


def test_bad_positive():
    with pytest.raises(ValueError, match="positive"):
        pmi_matrix(np.eye(3), positive="no")


def test_benchmark_measure_and_table():
    from wvlib.benchmarks import ppmi as bench
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    args = parser.parse_args(["--corpus", "lee", "--dim", "10", "--window", "2"])
    assert args.repeat == 3 and args.blas_threads == 1 and args.min_count == 5
    assert args.alpha is None and args.shift is None    # not given: the declared default
    options = dict(corpus="lee", max_documents=None, min_count=5, seed=0, dim=10, window=2,
                   alpha=0.75, shift=1.0, eig=0.5, add_context=False,
                   weighting="harmonic", dynamic_window=False, max_vocab=None,
                   restrict_vocab=30000, blas_threads=1)
    result = bench.measure("ppmi", options)             # in this process: no spawn in a test
    from wvlib.corpus import load_corpus
    expected = train_ppmi_svd(load_corpus("lee"), dim=10, window=2, min_count=5)
    assert result["n_words"] == len(expected) and result["dim"] == 10
    stages = result["stages"]
    assert stages["vocabulary"] + stages["counting"] + stages["ppmi_svd"] <= result["seconds"]
    assert -1 <= result["wordsim"] <= 1 and 0 <= result["analogy_coverage"] <= 1
    gensim_like = dict(result, method="gensim", seconds=2 * result["seconds"])
    for r in (result, gensim_like):
        r["all_seconds"] = [r["seconds"]]
    table = bench._format([result, gensim_like], options)
    assert "WordSim-353" in table and "time ratio PPMI-SVD / gensim = 0.50" in table
    args.repeat, args.alpha = 1, 2.0
    with pytest.raises(ValueError, match="alpha must be"):
        bench.run(args)
    args.alpha = None
    args.repeat = 0
    with pytest.raises(ValueError, match="repeat"):
        bench.run(args)


def test_vectors_from_svd_is_the_last_step_of_the_embeddings(small_counts):
    from wvlib.linalg import truncated_svd
    from wvlib.pmi import vectors_from_svd
    words = [f"w{i}" for i in range(30)]
    U, s, Vt = truncated_svd(pmi_matrix(small_counts, alpha=0.75), 6, seed=4)
    for eig in (0.0, 0.5, 1.0):
        for add_context in (False, True):
            kv = ppmi_svd_embeddings(small_counts, words, dim=6, alpha=0.75, eig=eig,
                                     add_context=add_context, seed=4)
            W = vectors_from_svd(U, s, Vt, eig=eig, add_context=add_context)
            np.testing.assert_allclose(W, kv.vectors, atol=1e-12)
    # against the formula itself, on numbers small enough to check by eye
    U2, s2, Vt2 = np.eye(3)[:, :2], np.array([4.0, 1.0]), np.eye(3)[:2] * -1
    np.testing.assert_allclose(vectors_from_svd(U2, s2, eig=0.5), U2 * [2.0, 1.0])
    np.testing.assert_allclose(vectors_from_svd(U2, s2, Vt2, eig=1.0, add_context=True),
                               np.zeros((3, 2)))


def test_vectors_from_svd_bad_input():
    from wvlib.pmi import vectors_from_svd
    U, s = np.eye(4)[:, :2], np.array([2.0, 1.0])
    with pytest.raises(ValueError, match="U must"):
        vectors_from_svd(np.ones(3), s)
    with pytest.raises(ValueError, match="s must"):
        vectors_from_svd(U, np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        vectors_from_svd(U, np.array([2.0, -1.0]))
    with pytest.raises(ValueError, match="eig"):
        vectors_from_svd(U, s, eig=2.0)
    with pytest.raises(ValueError, match="Vt"):
        vectors_from_svd(U, s, add_context=True)
    with pytest.raises(ValueError, match="Vt"):
        vectors_from_svd(U, s, np.ones((2, 3)), add_context=True)


# ------------------------------------------------------------------------------------------
# A count matrix too big to hold: PPMI and the SVD block by block
# ------------------------------------------------------------------------------------------

def _blocks_of(counts, memory_bytes, block_entries=500):
    from wvlib.blocks import BlockMatrix
    B = BlockMatrix(counts.shape, counts.dtype, memory_bytes=memory_bytes)
    B.block_entries = block_entries
    coo = counts.tocoo()
    for at in range(0, coo.nnz, block_entries):
        part = slice(at, at + block_entries)
        B.append(coo.row[part].astype(np.int64), coo.col[part], coo.data[part])
    return B.finish()


@pytest.mark.parametrize("alpha, shift", [(1.0, 1.0), (0.75, 5.0)])
def test_ppmi_blocks_equal_pmi_matrix(lee, alpha, shift):
    from wvlib.cooccurrence import cooccurrence_matrix
    from wvlib.corpus import Vocabulary
    from wvlib.pmi import ppmi_blocks
    vocab = Vocabulary.build(lee, min_count=5)
    counts = cooccurrence_matrix(lee, vocab, window=4, weighting="harmonic")
    with _blocks_of(counts, memory_bytes=20_000) as blocks:
        assert blocks.spilled and blocks.n_blocks > 10
        with ppmi_blocks(blocks, alpha=alpha, shift=shift) as ppmi:
            assert ppmi.spilled and ppmi.dtype == np.float32
            got = ppmi.tocsr()
    want = pmi_matrix(counts, alpha=alpha, shift=shift)
    assert np.array_equal(got.indptr, want.indptr)          # the same positive entries
    assert np.array_equal(got.indices, want.indices)
    np.testing.assert_allclose(got.data, want.data.astype(np.float32), rtol=2e-7)


def test_randomized_svd_of_a_block_matrix_equals_that_of_its_csr(lee):
    from wvlib.cooccurrence import cooccurrence_matrix
    from wvlib.corpus import Vocabulary
    from wvlib.linalg import truncated_svd
    vocab = Vocabulary.build(lee, min_count=5)
    ppmi = pmi_matrix(cooccurrence_matrix(lee, vocab, window=4), alpha=0.75)
    U, s, Vt = truncated_svd(ppmi, 20, seed=3, dtype=np.float32)
    f32 = sp.csr_matrix(ppmi, dtype=np.float32)
    with _blocks_of(f32, memory_bytes=10_000) as blocks:
        assert blocks.spilled and blocks.dtype == np.float32
        Ub, sb, Vtb = truncated_svd(blocks, 20, seed=3, dtype=np.float32)
    np.testing.assert_allclose(sb, s, rtol=1e-5)
    np.testing.assert_allclose(Ub[:, :10], U[:, :10], atol=1e-4)   # well-separated values
    with pytest.raises(ValueError, match="randomized"):
        truncated_svd(blocks, 5, method="reference")


def test_ppmi_svd_with_counts_in_files_equals_the_in_memory_pipeline(lee, monkeypatch):
    import wvlib.cooccurrence as cooc_module
    corpus = lee.documents[:120]
    seen = []
    original = cooc_module.count_cooccurrences

    def spy(*args, **kwargs):
        counts = original(*args, **kwargs)
        seen.append((counts.spilled, counts.counting["spilled_runs"]))
        return counts

    monkeypatch.setattr(cooc_module, "count_cooccurrences", spy)
    a = train_ppmi_svd(corpus, dim=20, min_count=2)
    b = train_ppmi_svd(corpus, dim=20, min_count=2, memory=1)
    assert seen[0] == (False, 0) and seen[1][0] and seen[1][1] > 5
    assert a.index_to_key == b.index_to_key
    np.testing.assert_allclose(b.vectors, a.vectors, atol=1e-4)


def test_a_streamed_file_gives_the_vectors_of_its_corpus_in_memory(lee, tmp_path):
    from wvlib.corpus import TextCorpus, load_corpus
    path = tmp_path / "lee.txt"
    path.write_text("\n".join(" ".join(doc) for doc in lee.documents))
    a = train_ppmi_svd(TextCorpus(path), dim=10)
    b = train_ppmi_svd(load_corpus(path), dim=10)
    assert a.index_to_key == b.index_to_key
    np.testing.assert_array_equal(a.vectors, b.vectors)
