"""Tests of wvlib.glove: gradients, loss, the compiled AdaGrad loop against its NumPy reference,
bad input, and files that gensim reads."""
import numpy as np
import pytest
import scipy.sparse as sp

from wvlib import glove
from wvlib.jobs import JOBS_PER_THREAD
from wvlib.glove import (GloVe, adagrad_epoch_reference, adagrad_step, cooccurrence_pairs,
                         glove_c_step, glove_loss_and_grads, weighting_function)


def random_problem(V=7, d=4, density=0.6, seed=0):
    """Random parameters and a random co-occurrence matrix with counts on both sides of x_max."""
    rng = np.random.default_rng(seed)
    X = np.where(rng.random((V, V)) < density, rng.gamma(1.0, 8.0, size=(V, V)) + 0.1, 0.0)
    X[0, 1] = 25.0                                   # certainly above x_max = 10
    W, Wt = rng.normal(size=(V, d)) * 0.3, rng.normal(size=(V, d)) * 0.3
    b, bt = rng.normal(size=V) * 0.1, rng.normal(size=V) * 0.1
    rows, cols = np.nonzero(X)
    return W, Wt, b, bt, rows, cols, X[rows, cols], X


def brute_force_loss(W, Wt, b, bt, X, x_max, alpha, cap=True):
    total = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            if X[i, j] > 0:
                f = (X[i, j] / x_max) ** alpha
                if cap:
                    f = min(1.0, f)
                total += f * (W[i] @ Wt[j] + b[i] + bt[j] - np.log(X[i, j])) ** 2
    return total


def test_weighting_function_values():
    f = weighting_function(np.array([0.5, 5.0, 10.0, 40.0]), x_max=10, alpha=0.75)
    assert np.allclose(f, [0.05 ** 0.75, 0.5 ** 0.75, 1.0, 1.0])
    uncapped = weighting_function(np.array([40.0]), x_max=10, alpha=0.75, cap=False)
    assert np.isclose(uncapped[0], 4 ** 0.75)


@pytest.mark.parametrize("cap", [True, False])
def test_loss_equals_brute_force_double_loop(cap):
    W, Wt, b, bt, rows, cols, x, X = random_problem(seed=1)
    loss = glove_loss_and_grads(W, Wt, b, bt, rows, cols, x, x_max=10, alpha=0.75, cap=cap)[0]
    assert np.isclose(loss, brute_force_loss(W, Wt, b, bt, X, 10, 0.75, cap), rtol=1e-12)


@pytest.mark.parametrize("seed, cap", [(2, True), (3, True), (4, False)])
def test_gradients_match_central_differences(seed, cap):
    W, Wt, b, bt, rows, cols, x, _ = random_problem(seed=seed)
    # a repeated pair checks that the scatter adds repeated rows
    rows, cols, x = np.append(rows, rows[0]), np.append(cols, cols[0]), np.append(x, 3.0)
    params = [W, Wt, b, bt]
    _, *grads = glove_loss_and_grads(*params, rows, cols, x, x_max=10, alpha=0.75, cap=cap)

    def loss_of(ps):
        return glove_loss_and_grads(*ps, rows, cols, x, x_max=10, alpha=0.75, cap=cap)[0]

    h = 1e-6
    for p, (param, grad) in enumerate(zip(params, grads)):
        assert grad.shape == param.shape
        numeric = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            plus = [q.copy() for q in params]
            minus = [q.copy() for q in params]
            plus[p][idx] += h
            minus[p][idx] -= h
            numeric[idx] = (loss_of(plus) - loss_of(minus)) / (2 * h)
        rel = np.linalg.norm(grad - numeric) / max(np.linalg.norm(grad + numeric), 1e-12)
        assert rel < 1e-6, (p, rel)
        assert np.linalg.norm(grad) > 1e-3          # not a trivially zero gradient


def test_unused_words_get_zero_gradient():
    W, Wt, b, bt, rows, cols, x, _ = random_problem(seed=5)
    keep = (rows != 3) & (cols != 3)
    _, gW, gWt, gb, gbt = glove_loss_and_grads(W, Wt, b, bt, rows[keep], cols[keep], x[keep])
    assert not gW[3].any() and not gWt[3].any() and gb[3] == 0 and gbt[3] == 0


def test_adagrad_step():
    p, g, G = np.array([1.0, -2.0]), np.array([0.5, 2.0]), np.array([1.0, 1.0])
    adagrad_step(p, g, G, 0.1)
    assert np.allclose(G, [1.25, 5.0])
    assert np.allclose(p, [1.0 - 0.1 * 0.5 / np.sqrt(1.25), -2.0 - 0.1 * 2.0 / np.sqrt(5.0)])


def test_glove_c_step_divides_by_the_old_accumulator_then_adds_the_squared_step():
    p, g, G = np.array([1.0, -2.0]), np.array([0.5, 2.0]), np.array([1.0, 4.0])
    glove_c_step(p, g, G, 0.1)
    assert np.allclose(p, [1.0 - 0.1 * 0.5 / 1.0, -2.0 - 0.1 * 2.0 / 2.0])
    assert np.allclose(G, [1.0 + 0.05 ** 2, 4.0 + 0.2 ** 2])


def test_reference_epoch_with_the_c_update_is_the_c_codes_loop():
    """The NumPy reference with update="glove.c" against a literal transcription of
    glove.c's inner loop (half gradient, step over sqrt of the old G, G += step**2)."""
    W, Wt, b, bt, rows, cols, x, _ = random_problem(V=5, d=3, seed=12)
    order = np.random.default_rng(3).permutation(len(x))
    params = [a.copy() for a in (W, Wt, b, bt)]
    G = [np.ones_like(a) for a in params]
    adagrad_epoch_reference(params, G, rows, cols, x, order, x_max=10, alpha=0.75,
                            learning_rate=0.05, update="glove.c")
    cW, cWt, cb, cbt = (a.copy() for a in (W, Wt, b, bt))
    gW, gWt, gb, gbt = (np.ones_like(a) for a in (W, Wt, b, bt))
    eta = 0.05
    for t in order:
        i, j = rows[t], cols[t]
        diff = cW[i] @ cWt[j] + cb[i] + cbt[j] - np.log(x[t])
        fdiff = diff if x[t] > 10 else (x[t] / 10) ** 0.75 * diff
        fdiff *= eta
        temp1, temp2 = fdiff * cWt[j], fdiff * cW[i]
        cW[i] -= temp1 / np.sqrt(gW[i])
        cWt[j] -= temp2 / np.sqrt(gWt[j])
        gW[i] += temp1 ** 2
        gWt[j] += temp2 ** 2
        cb[i] -= fdiff / np.sqrt(gb[i])
        cbt[j] -= fdiff / np.sqrt(gbt[j])
        gb[i] += fdiff ** 2
        gbt[j] += fdiff ** 2
    for mine, theirs in zip(params + G, [cW, cWt, cb, cbt, gW, gWt, gb, gbt]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)
    assert not np.allclose(params[0], W)


def _tiny_float32_problem(seed=6):
    W, Wt, b, bt, rows, cols, x, X = random_problem(V=6, d=5, seed=seed)
    params32 = [a.astype(np.float32) for a in (W, Wt, b, bt)]
    G32 = [np.full(a.shape, 1.0, dtype=np.float32) for a in params32]
    return params32, G32, rows.astype(np.int32), cols.astype(np.int32), x, X


def test_compiled_epoch_equals_numpy_reference():
    params32, G32, rows, cols, x, _ = _tiny_float32_problem()
    params64 = [a.astype(np.float64) for a in params32]
    G64 = [a.astype(np.float64) for a in G32]
    order = np.random.default_rng(7).permutation(len(x)).astype(np.int32)
    for _ in range(3):                                       # three epochs, same order
        ref_loss = adagrad_epoch_reference(params64, G64, rows, cols, x, order, x_max=10,
                                           alpha=0.75, learning_rate=0.05)
        fx = weighting_function(x, 10, 0.75).astype(np.float32)
        loss, _ = glove._adagrad_epoch(*params32, *G32, rows, cols,
                                       np.log(x).astype(np.float32), fx, order,
                                       np.float32(0.05), 1)
        assert np.isclose(loss, ref_loss, rtol=1e-5)
        for a32, a64 in zip(params32 + G32, params64 + G64):
            np.testing.assert_allclose(a32, a64, rtol=1e-5, atol=1e-6)
    # the parameters did move
    assert not np.allclose(params64[0], _tiny_float32_problem()[0][0], atol=1e-3)


def test_compiled_epoch_with_the_c_update_equals_numpy_reference():
    params32, G32, rows, cols, x, _ = _tiny_float32_problem(seed=9)
    params64 = [a.astype(np.float64) for a in params32]
    G64 = [a.astype(np.float64) for a in G32]
    order = np.random.default_rng(8).permutation(len(x)).astype(np.int32)
    fx = weighting_function(x, 10, 0.75).astype(np.float32)
    for _ in range(3):
        ref_loss = adagrad_epoch_reference(params64, G64, rows, cols, x, order, x_max=10,
                                           alpha=0.75, learning_rate=0.05,
                                           update="glove.c")
        loss, _ = glove._adagrad_epoch(*params32, *G32, rows, cols,
                                       np.log(x).astype(np.float32), fx, order,
                                       np.float32(0.05), 1, True)
        assert np.isclose(loss, ref_loss, rtol=1e-5)
        for a32, a64 in zip(params32 + G32, params64 + G64):
            np.testing.assert_allclose(a32, a64, rtol=1e-5, atol=1e-6)
    # the C code's accumulators grow by squared steps: far less than AdaGrad's
    plain = [a.astype(np.float64) for a in _tiny_float32_problem(seed=9)[1]]
    adagrad_epoch_reference([a.astype(np.float64) for a in _tiny_float32_problem(seed=9)[0]],
                            plain, rows, cols, x, order, x_max=10, alpha=0.75,
                            learning_rate=0.05)
    assert (G64[0] - 1).sum() < 0.01 * (plain[0] - 1).sum()


def test_fit_with_the_c_update_shuffles_once_and_replays_the_reference():
    X = _tiny_float32_problem(seed=8)[5]
    model = GloVe(dim=5, x_max=10, epochs=3, learning_rate=0.05, seed=11, threads=1,
                  update="glove.c")
    kv = model.fit(X)
    rng = np.random.default_rng(11)
    replay = GloVe(dim=5, seed=11)
    G = [a.astype(np.float64) for a in replay._init_params(X.shape[0], rng)]
    params = [a.astype(np.float64) for a in (replay.W_, replay.Wt_, replay.b_, replay.bt_)]
    rows, cols, x = cooccurrence_pairs(X)
    order = rng.permutation(len(x))                       # one order for all epochs
    losses = [adagrad_epoch_reference(params, G, rows, cols, x, order, x_max=10,
                                      alpha=0.75, learning_rate=0.05, update="glove.c")
              for _ in range(3)]
    np.testing.assert_allclose(model.loss_history_, losses, rtol=1e-5)
    np.testing.assert_allclose(kv.vectors, params[0] + params[1], rtol=1e-5, atol=1e-6)
    default = GloVe(dim=5, x_max=10, epochs=3, learning_rate=0.05, seed=11,
                    threads=1).fit(X)
    assert not np.allclose(default.vectors, kv.vectors, atol=1e-4)


def test_fit_with_one_thread_replays_the_reference_and_is_deterministic():
    X = _tiny_float32_problem(seed=8)[5]
    model = GloVe(dim=5, x_max=10, epochs=2, learning_rate=0.05, seed=11, threads=1)
    kv = model.fit(X)
    # replay: same initialization and orders from the same seed, then the NumPy
    # reference
    rng = np.random.default_rng(11)
    replay = GloVe(dim=5, seed=11)
    G = replay._init_params(X.shape[0], rng)
    params = [a.astype(np.float64) for a in (replay.W_, replay.Wt_, replay.b_, replay.bt_)]
    G = [a.astype(np.float64) for a in G]
    rows, cols, x = cooccurrence_pairs(X)
    losses = [adagrad_epoch_reference(params, G, rows, cols, x, rng.permutation(len(x)),
                                      x_max=10, alpha=0.75, learning_rate=0.05)
              for _ in range(2)]
    np.testing.assert_allclose(model.loss_history_, losses, rtol=1e-5)
    np.testing.assert_allclose(model.W_, params[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(kv.vectors, params[0] + params[1], rtol=1e-5, atol=1e-6)
    again = GloVe(dim=5, x_max=10, epochs=2, learning_rate=0.05, seed=11, threads=1).fit(X)
    assert np.array_equal(again.vectors, kv.vectors)


def test_training_lowers_the_loss_and_outputs():
    X = _tiny_float32_problem(seed=9)[5] * 3
    words = [f"w{i}" for i in range(X.shape[0])]
    before = GloVe(dim=4, epochs=0, seed=1, threads=1)
    before.fit(X, words)
    model = GloVe(dim=4, epochs=200, seed=1, threads=1)
    kv = model.fit(sp.csr_matrix(X), words)
    assert model.loss(X) < 0.1 * before.loss(X)
    assert model.loss_history_[-1] < model.loss_history_[0]
    assert kv.index_to_key == words and kv.vectors.shape == (6, 4)
    assert np.allclose(model.keyed_vectors("word").vectors, model.W_)
    assert np.allclose(kv.vectors, model.W_ + model.Wt_)


def test_shared_vectors_variant_uses_one_table():
    X = _tiny_float32_problem(seed=10)[5]
    model = GloVe(dim=3, epochs=5, seed=0, threads=1, shared_vectors=True, cap=False)
    kv = model.fit(X)
    assert model.Wt_ is model.W_ and model.bt_ is model.b_
    assert np.allclose(kv.vectors, model.W_)
    assert np.all(np.isfinite(model.loss_history_))


def test_two_threads_train_too():
    X = _tiny_float32_problem(seed=12)[5] * 2
    model = GloVe(dim=4, epochs=50, seed=0, threads=2)
    model.fit(X)
    assert model.loss_history_[-1] < model.loss_history_[0]


@pytest.mark.parametrize("n_pairs", [1, 5_000, 100_000, 2_500_000, 85_000_000])
@pytest.mark.parametrize("threads", [1, 2, 4, 8, 16, 64])
def test_jobs_leave_every_thread_many_jobs_of_bounded_size(n_pairs, threads):
    """The epoch's barrier waits for at most one job per thread: with JOBS_PER_THREAD jobs
    each, the threads' last round is at least 16/17 full."""
    size = glove.job_pairs(n_pairs, threads)
    assert glove.MIN_JOB_PAIRS <= size <= glove.JOB_PAIRS
    n_jobs = -(-n_pairs // size)
    if n_pairs >= JOBS_PER_THREAD * threads * glove.MIN_JOB_PAIRS:
        assert n_jobs >= JOBS_PER_THREAD * threads
        occupancy = n_jobs / (threads * -(-n_jobs // threads))
        assert occupancy >= JOBS_PER_THREAD / (JOBS_PER_THREAD + 1)
    else:                                # a small epoch: jobs as small as allowed
        assert size == glove.MIN_JOB_PAIRS
    if n_pairs >= JOBS_PER_THREAD * threads * glove.JOB_PAIRS:
        assert size == glove.JOB_PAIRS       # a big epoch keeps the longest jobs


def test_an_epoch_on_threads_visits_every_pair_once(monkeypatch):
    """Cut into many more jobs than threads, an epoch still visits each pair exactly once:
    with a learning rate of 0 nothing moves, and the summed loss of 4 threads is that of
    one thread (and of the pairs' plain sum)."""
    monkeypatch.setattr(glove, "MIN_JOB_PAIRS", 3)
    rng = np.random.default_rng(5)
    V, d, n = 40, 6, 1_001
    rows = rng.integers(0, V, n).astype(np.int32)
    cols = rng.integers(0, V, n).astype(np.int32)
    x = rng.gamma(1.0, 8.0, n) + 1.0
    log_x, f_x = np.log(x).astype(np.float32), weighting_function(x).astype(np.float32)
    params = [rng.normal(size=(V, d)).astype(np.float32) * 0.3,
              rng.normal(size=(V, d)).astype(np.float32) * 0.3,
              rng.normal(size=V).astype(np.float32) * 0.1,
              rng.normal(size=V).astype(np.float32) * 0.1]
    G = [np.ones_like(a) for a in params]
    order = rng.permutation(n).astype(np.int32)
    err = (params[2][rows] + params[3][cols] - log_x
           + np.einsum("ij,ij->i", params[0][rows], params[1][cols]))
    expected = float(np.sum(f_x.astype(np.float64) * err.astype(np.float64) ** 2))
    for threads in (1, 4):
        loss, schedule = glove._adagrad_epoch(*params, *G, rows, cols, log_x, f_x, order,
                                              np.float32(0.0), threads)
        assert schedule["job_pairs"] == -(-n // (JOBS_PER_THREAD * threads))
        assert sum(schedule["jobs"]) == schedule["n_jobs"] == -(-n // schedule["job_pairs"])
        assert np.isclose(loss, expected, rtol=1e-5)


def test_fit_records_each_epochs_schedule():
    X = _tiny_float32_problem(seed=12)[5] * 2
    model = GloVe(dim=4, epochs=3, seed=0, threads=2)
    model.fit(X)
    assert len(model.schedule_) == 3
    for schedule in model.schedule_:
        assert sum(schedule["jobs"]) == schedule["n_jobs"] >= 1
        assert len(schedule["busy"]) == min(2, schedule["n_jobs"])
        assert schedule["seconds"] >= max(schedule["busy"])


def test_callback_sees_every_epoch():
    X = _tiny_float32_problem(seed=13)[5]
    seen = []
    GloVe(dim=3, epochs=4, threads=1).fit(X, callback=lambda e, loss, m: seen.append((e, loss)))
    assert [e for e, _ in seen] == [1, 2, 3, 4]


@pytest.mark.parametrize("cooc, kwargs, name", [
    (np.zeros((4, 4)), {}, "cooc"),
    (sp.csr_matrix((4, 4)), {}, "cooc"),
    (np.array([[1.0, -2.0], [3.0, 1.0]]), {}, "cooc"),
    (np.ones((2, 3)), {}, "cooc"),
    (np.ones((3, 3)), {"x_max": 0}, "x_max"),
    (np.ones((3, 3)), {"x_max": -1.0}, "x_max"),
    (np.ones((3, 3)), {"dim": 0}, "dim"),
    (np.ones((3, 3)), {"epochs": -1}, "epochs"),
    (np.ones((3, 3)), {"learning_rate": 0.0}, "learning_rate"),
    (np.ones((3, 3)), {"threads": 0}, "threads"),
    (np.ones((3, 3)), {"output": "both"}, "output"),
    (np.ones((3, 3)), {"update": "sgd"}, "update"),
])
def test_bad_input_names_the_argument(cooc, kwargs, name):
    with pytest.raises(ValueError, match=name):
        GloVe(**kwargs).fit(cooc)


def test_bad_words_and_pairs():
    with pytest.raises(ValueError, match="words"):
        GloVe(dim=2).fit(np.ones((3, 3)), ["a", "b"])
    W, Wt, b, bt, rows, cols, x, _ = random_problem()
    with pytest.raises(ValueError, match="x must hold positive"):
        glove_loss_and_grads(W, Wt, b, bt, rows, cols, np.zeros_like(x))
    with pytest.raises(ValueError, match="rows"):
        glove_loss_and_grads(W, Wt, b, bt, rows + 100, cols, x)
    with pytest.raises(ValueError, match="Wt"):
        glove_loss_and_grads(W, Wt[:, :2], b, bt, rows, cols, x)
    with pytest.raises(ValueError, match="^b contains NaN"):
        glove_loss_and_grads(W, Wt, np.where(b > 0, np.nan, b), bt, rows, cols, x)
    with pytest.raises(ValueError, match="^bt must have length"):
        glove_loss_and_grads(W, Wt, b, bt[:-1], rows, cols, x)
    with pytest.raises(ValueError, match="^W must be 2-D"):
        glove_loss_and_grads(W[0], Wt, b, bt, rows, cols, x)
    with pytest.raises(ValueError, match="x_max"):
        weighting_function([1.0], x_max=0)


def test_train_glove_vectors_load_in_gensim(tmp_path):
    from gensim.models import KeyedVectors as GensimKV

    rng = np.random.default_rng(0)
    vocabulary = [f"w{i}" for i in range(12)]
    docs = [[vocabulary[i] for i in rng.integers(0, 12, size=40)] for _ in range(30)]
    kv = glove.train_glove(docs, dim=6, window=3, min_count=1, epochs=5, threads=1)
    path = tmp_path / "glove.txt"
    kv.save_word2vec_format(path)
    loaded = GensimKV.load_word2vec_format(str(path), binary=False)
    assert loaded.index_to_key == kv.index_to_key
    np.testing.assert_allclose(loaded.vectors, kv.vectors, rtol=1e-5, atol=1e-6)


def test_cli_train_glove_writes_vectors_gensim_loads(tmp_path, capsys):
    from gensim.models import KeyedVectors as GensimKV

    from wvlib.cli import main

    out = tmp_path / "toy.txt"
    assert main(["train", "glove", "--corpus", "toy", "--out", str(out), "--dim", "8",
                 "--epochs", "3", "--threads", "1", "--quiet"]) == 0
    loaded = GensimKV.load_word2vec_format(str(out), binary=False)
    assert loaded.vector_size == 8 and len(loaded) > 10
    assert main(["train", "glove", "--corpus", "toy", "--out", str(tmp_path / "bad.txt"),
                 "--x-max", "0"]) == 2
    assert "x_max must be a real number > 0" in capsys.readouterr().err
    assert not (tmp_path / "bad.txt").exists()


def test_counts_in_files_train_exactly_as_the_matrix(tmp_path):
    """train_glove counts into a BlockMatrix; a spilled one (runs and blocks in files) gives
    the same pairs in the same order as the CSR matrix, so one thread trains the same
    vectors, bit for bit."""
    from wvlib.cooccurrence import cooccurrence_matrix, count_cooccurrences
    from wvlib.corpus import load_corpus
    from wvlib.encoded import encode_corpus
    corpus = encode_corpus(load_corpus("lee").documents[:60], min_count=2)
    counts = cooccurrence_matrix(corpus, corpus.vocab, window=5, weighting="harmonic")
    kwargs = dict(dim=8, epochs=2, seed=4, threads=1)
    want = GloVe(**kwargs).fit(counts, corpus.vocab.words)
    with count_cooccurrences(corpus, window=5, weighting="harmonic", memory=0.2,
                             temp_dir=tmp_path) as blocks:
        assert blocks.spilled and blocks.counting["spilled_runs"] > 3
        model = GloVe(**kwargs)
        got = model.fit(blocks, corpus.vocab.words)
    assert model.n_pairs_ == counts.nnz
    assert np.array_equal(got.vectors, want.vectors)
    assert glove.train_glove(corpus, **kwargs, memory=1).index_to_key == corpus.vocab.words


@pytest.mark.parametrize("n", [1, 7, 65_536, 200_003])
def test_parallel_permutation_is_a_permutation_and_the_same_on_any_threads(n):
    a = glove.parallel_permutation(n, 2, np.random.default_rng(3))
    b = glove.parallel_permutation(n, 1, np.random.default_rng(3))
    assert a.dtype == np.int32 and np.array_equal(np.sort(a), np.arange(n))
    assert np.array_equal(a, b)
    if n > 1000:
        assert not np.array_equal(a, glove.parallel_permutation(n, 2,
                                                                np.random.default_rng(4)))


def test_parallel_permutation_is_uniform():
    """Where index 0 lands, and which of two indices comes first, over 3,000 shuffles of a
    range cut into several buckets (the bucket size made small for the test)."""
    from scipy import stats
    from wvlib import permutation
    old = permutation._SHUFFLE_BUCKET
    permutation._SHUFFLE_BUCKET = 4
    try:
        rng = np.random.default_rng(0)
        n, runs = 12, 3000
        perms = np.array([glove.parallel_permutation(n, 2, rng) for _ in range(runs)])
    finally:
        permutation._SHUFFLE_BUCKET = old
    position_of_0 = np.argmax(perms == 0, axis=1)
    assert stats.chisquare(np.bincount(position_of_0, minlength=n)).pvalue > 1e-3
    first_is_5 = np.argmax(perms == 5, axis=1) < np.argmax(perms == 11, axis=1)
    assert abs(first_is_5.mean() - 0.5) < 4 * 0.5 / np.sqrt(runs)
