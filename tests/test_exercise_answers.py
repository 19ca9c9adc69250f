"""The questions of chapters 5–9 (and the derivations of chapters 2 and 4, chapter 4's judgement
and chapter 1's reading of the spectrum) tell right answers from wrong ones.

Each case replaces one function of the official solution by another answer — a planted mistake
(a missing weight, a sign, a choice made on the test pairs, a floating-point "exact" answer, a
checker that only looks at a few entries, ...) or a sound alternative (Pearson instead of
Spearman to select on dev, Bonferroni instead of Holm) — and runs the question's public and
hidden checks on it through a LocalKernel. A question earns its points only when all its core
checks pass (the rule at the top of wvlib/course/checks.py): a mistake must lose them, a sound
alternative must pass every check.
"""
from pathlib import Path

import nbformat
import pytest

from wvlib.course import checks as C

ROOT = Path(__file__).resolve().parent.parent
_CODE = {}


def solution_namespace(assignment):
    """A fresh namespace with the official solution's definitions (the code cells that do not
    end with a check call): the solution's functions look up the planted one there."""
    if assignment not in _CODE:
        nb = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
        _CODE[assignment] = [compile(cell.source, f"<{assignment}>", "exec")
                             for cell in nb.cells if cell.cell_type == "code"
                             and "check(" not in cell.source.split("\n")[-1]]
    namespace = {"__name__": "__main__"}
    for code in _CODE[assignment]:
        exec(code, namespace)
    return namespace


def judge(assignment, question, source, seed=0):
    """(earns points, every check passed, messages of the failed checks) for a planted answer,
    with the hidden tests' inputs drawn from ``seed`` (as the grader draws one per
    submission)."""
    namespace = solution_namespace(assignment)
    exec(compile(source, "<planted>", "exec"), namespace)
    public = [c for c in C.load_public_checks(assignment) if c.question == question]
    hidden = [c for c in C.load_check_file(ROOT / "solutions" / "hidden" / f"{assignment}.py")
              if c.question == question]
    kernel = C.LocalKernel(namespace, seed=seed)
    results = (C.run_checks(public, kernel) + C.run_checks(hidden, kernel, kind="hidden"))
    core = C.core_flags([(c, "public") for c in public] + [(c, "hidden") for c in hidden])
    earns = all(r.passed for r, is_core in zip(results, core) if is_core)
    failed = [f"{r.kind}: {r.description}: {r.message}" for r in results if not r.passed]
    return earns, not failed, failed


WRONG, SOUND = "wrong", "sound"

CASES = [
    # -- chapter 1 ---------------------------------------------------------------------------
    ("ch01_words_as_vectors", "q4-spectrum", WRONG, "truncation improves similarity", """
def q4_answer():
    return "d"
"""),
    # -- chapter 2 ---------------------------------------------------------------------------
    ("ch02_svd_by_hand", "q5-family-rank1", WRONG, "the ratio of the squares", """
def family_rank1_error(n, a):
    n, a = sympy.sympify(n), sympy.sympify(a)
    return (n - 1) * a ** 2 / ((n + a) ** 2 + (n - 1) * a ** 2)
"""),
    ("ch02_svd_by_hand", "q5-family-rank1", WRONG, "the largest singular value taken as n", """
def family_rank1_error(n, a):
    n, a = sympy.sympify(n), sympy.sympify(a)
    return sympy.sqrt((n - 1) * a ** 2 / (n ** 2 + (n - 1) * a ** 2))
"""),
    ("ch02_svd_by_hand", "q5-family-rank1", WRONG, "the SVD of n = 3 only", """
def family_rank1_error(n, a):
    A = sympy.ones(3, 3) + sympy.sympify(a) * sympy.eye(3)
    values = sorted(A.eigenvals(multiple=True), key=lambda v: -sympy.N(v))
    return sympy.sqrt(sum(v ** 2 for v in values[1:]) / sum(v ** 2 for v in values))
"""),
    ("ch02_svd_by_hand", "q5-family-rank1", SOUND, "the norms expanded", """
def family_rank1_error(n, a):
    n, a = sympy.sympify(n), sympy.sympify(a)
    return a * sympy.sqrt(n - 1) / sympy.sqrt(n ** 2 + 2 * n * a + n * a ** 2)
"""),
    # -- chapter 4 ---------------------------------------------------------------------------
    ("ch04_ppmi", "q4-two-senses", WRONG, "the plain mean of the two", """
def two_senses(p1, p2, n1, n2):
    return (sympy.sympify(p1) + sympy.sympify(p2)) / 2
"""),
    ("ch04_ppmi", "q4-two-senses", WRONG, "the PMIs averaged by frequency", """
def two_senses(p1, p2, n1, n2):
    p1, p2, n1, n2 = (sympy.sympify(v) for v in (p1, p2, n1, n2))
    return sympy.exp((n1 * sympy.log(p1) + n2 * sympy.log(p2)) / (n1 + n2))
"""),
    ("ch04_ppmi", "q4-two-senses", SOUND, "p2 plus the first sense's share of the gap", """
def two_senses(p1, p2, n1, n2):
    p1, p2, n1, n2 = (sympy.sympify(v) for v in (p1, p2, n1, n2))
    return p2 + (p1 - p2) * n1 / (n1 + n2)
"""),
    ("ch04_ppmi", "q5-choose-smoothing-shift", WRONG, "the library's default, whatever the data",
     """
def choose_ppmi_setting(counts, settings, dev_pairs, dev_gold):
    return [[float(a), float(k)] for a, k in settings].index([0.75, 1.0])
"""),
    ("ch04_ppmi", "q5-choose-smoothing-shift", WRONG, "the lowest share of rare contexts", """
def choose_ppmi_setting(counts, settings, dev_pairs, dev_gold):
    csr = scipy.sparse.csr_matrix(np.asarray(counts, dtype=float))
    column_sums = np.asarray(csr.sum(axis=0)).ravel()
    rare = column_sums <= np.quantile(column_sums, 0.25)
    shares = [np.mean(rare[ppmi_sparse(csr, alpha=a, shift=k).indices]) for a, k in settings]
    return int(np.argmin(shares))
"""),
    ("ch04_ppmi", "q5-choose-smoothing-shift", WRONG, "NaN cosines for the emptied rows", """
def choose_ppmi_setting(counts, settings, dev_pairs, dev_gold):
    from scipy import stats
    csr = scipy.sparse.csr_matrix(np.asarray(counts, dtype=float))
    first, second = np.asarray(dev_pairs).T
    rhos = []
    for alpha, shift in settings:
        rows = ppmi_sparse(csr, alpha=alpha, shift=shift).toarray()
        with np.errstate(invalid="ignore"):
            unit = rows / np.linalg.norm(rows, axis=1)[:, None]
        rhos.append(stats.spearmanr(dev_gold, np.sum(unit[first] * unit[second], 1)).statistic)
    return int(np.argmax(rhos))
"""),
    ("ch04_ppmi", "q5-choose-smoothing-shift", WRONG, "alpha dropped: only the shift varies", """
def choose_ppmi_setting(counts, settings, dev_pairs, dev_gold):
    from scipy import stats
    csr = scipy.sparse.csr_matrix(np.asarray(counts, dtype=float))
    first, second = np.asarray(dev_pairs).T
    rhos = []
    for alpha, shift in settings:
        rows = ppmi_sparse(csr, shift=shift).toarray()
        norms = np.linalg.norm(rows, axis=1)
        unit = rows / np.where(norms > 0, norms, 1.0)[:, None]
        rhos.append(stats.spearmanr(dev_gold, np.sum(unit[first] * unit[second], 1)).statistic)
    return int(np.argmax(rhos))
"""),
    ("ch04_ppmi", "q5-choose-smoothing-shift", SOUND, "Pearson's r on dev", """
def choose_ppmi_setting(counts, settings, dev_pairs, dev_gold):
    csr = scipy.sparse.csr_matrix(np.asarray(counts, dtype=float))
    first, second = np.asarray(dev_pairs).T
    rs = []
    for alpha, shift in settings:
        rows = ppmi_sparse(csr, alpha=alpha, shift=shift).toarray()
        norms = np.linalg.norm(rows, axis=1)
        unit = rows / np.where(norms > 0, norms, 1.0)[:, None]
        rs.append(np.corrcoef(dev_gold, np.sum(unit[first] * unit[second], 1))[0, 1])
    return int(np.argmax(rs))
"""),
    ("ch04_ppmi", "q5-choose-smoothing-shift", SOUND, "dense PPMI by hand, ranks by hand", """
def choose_ppmi_setting(counts, settings, dev_pairs, dev_gold):
    from scipy.stats import rankdata
    table = np.asarray(counts, dtype=float)
    first, second = np.asarray(dev_pairs).T
    best, choice = -2.0, None
    for s, (alpha, shift) in enumerate(settings):
        weights = table.sum(axis=0) ** alpha
        with np.errstate(divide="ignore"):
            pmi = np.log(table * weights.sum()) - np.log(np.outer(table.sum(axis=1), weights))
        rows = np.maximum(pmi - np.log(shift), 0)
        norms = np.sqrt((rows ** 2).sum(axis=1))
        norms[norms == 0] = 1
        cosines = (rows[first] * rows[second]).sum(axis=1) / (norms[first] * norms[second])
        rho = np.corrcoef(rankdata(dev_gold), rankdata(cosines))[0, 1]   # Spearman
        if rho > best:
            best, choice = rho, s
    return choice
"""),
    # -- chapter 5 ---------------------------------------------------------------------------
    ("ch05_glove", "q1-shared-grads", WRONG, "a row of E only in its word role", """
def shared_loss_and_grads(E, b, rows, cols, x, x_max=10.0, gamma=0.75):
    E, b, x = np.asarray(E, float), np.asarray(b, float), np.asarray(x, float)
    if not x_max > 0 or np.any(x <= 0):
        raise ValueError("bad input")
    f = np.minimum(1, (x / x_max) ** gamma)
    e = np.sum(E[rows] * E[cols], 1) + b[rows] + b[cols] - np.log(x)
    gE, gb = np.zeros_like(E), np.zeros_like(b)
    np.add.at(gE, rows, (2 * f * e)[:, None] * E[cols])
    np.add.at(gb, rows, 2 * f * e)
    return float(np.sum(f * e ** 2)), gE, gb
"""),
    ("ch05_glove", "q1-shared-grads", WRONG, "repeated rows dropped by fancy indexing", """
def shared_loss_and_grads(E, b, rows, cols, x, x_max=10.0, gamma=0.75):
    E, b, x = np.asarray(E, float), np.asarray(b, float), np.asarray(x, float)
    if not x_max > 0 or np.any(x <= 0):
        raise ValueError("bad input")
    f = np.minimum(1, (x / x_max) ** gamma)
    e = np.sum(E[rows] * E[cols], 1) + b[rows] + b[cols] - np.log(x)
    s = 2 * f * e
    gE, gb = np.zeros_like(E), np.zeros_like(b)
    gE[rows] += s[:, None] * E[cols]
    gE[cols] += s[:, None] * E[rows]
    gb[rows] += s
    gb[cols] += s
    return float(np.sum(f * e ** 2)), gE, gb
"""),
    ("ch05_glove", "q2-best-biases", WRONG, "the weights f(x) forgotten", """
def best_word_biases(W, C, bt, rows, cols, x, x_max=10.0, gamma=0.75):
    t = np.log(x) - np.sum(W[rows] * C[cols], 1) - bt[cols]
    num = np.bincount(rows, weights=t, minlength=len(W))
    den = np.bincount(rows, minlength=len(W))
    out = np.zeros(len(W))
    out[den > 0] = num[den > 0] / den[den > 0]
    return out
"""),
    ("ch05_glove", "q2-best-biases", SOUND, "a weighted least-squares solver per word", """
def best_word_biases(W, C, bt, rows, cols, x, x_max=10.0, gamma=0.75):
    f = np.minimum(1.0, (np.asarray(x, float) / x_max) ** gamma)
    t = np.log(x) - np.sum(W[rows] * C[cols], 1) - bt[cols]
    out = np.zeros(len(W))
    for w in np.unique(rows):
        mine = rows == w
        A = np.sqrt(f[mine])[:, None]
        out[w] = np.linalg.lstsq(A, np.sqrt(f[mine]) * t[mine], rcond=None)[0][0]
    return out
"""),
    ("ch05_glove", "q3-adagrad", WRONG, "divides by the old sum of squares", """
def adagrad_update(param, grad, grad_sq, learning_rate):
    if not learning_rate > 0:
        raise ValueError("learning_rate must be positive")
    return param - learning_rate * grad / np.sqrt(grad_sq), grad_sq + grad ** 2
"""),
    ("ch05_glove", "q4-bias-sums", WRONG, "the context biases left at 0", """
def best_bias_sums(W, C, counts):
    counts = np.asarray(counts, float)
    if np.any(counts <= 0):
        raise ValueError("a pair never observed")
    R = np.log(counts) - np.asarray(W) @ np.asarray(C).T
    return np.repeat(R.mean(axis=1, keepdims=True), R.shape[1], axis=1)
"""),
    ("ch05_glove", "q4-bias-sums", WRONG, "the overall mean counted twice", """
def best_bias_sums(W, C, counts):
    counts = np.asarray(counts, float)
    if np.any(counts <= 0):
        raise ValueError("a pair never observed")
    R = np.log(counts) - np.asarray(W) @ np.asarray(C).T
    return R.mean(axis=1, keepdims=True) + R.mean(axis=0, keepdims=True)
"""),
    ("ch05_glove", "q4-bias-sums", SOUND, "least squares on the biases, then summed", """
def best_bias_sums(W, C, counts):
    counts = np.asarray(counts, float)
    if np.any(counts <= 0):
        raise ValueError("a pair never observed")
    m, n = counts.shape
    R = np.log(counts) - np.asarray(W) @ np.asarray(C).T
    design = np.hstack([np.kron(np.eye(m), np.ones((n, 1))), np.kron(np.ones((m, 1)),
                                                                     np.eye(n))])
    biases = np.linalg.lstsq(design, R.ravel(), rcond=None)[0]   # one of many minimisers
    return biases[:m, None] + biases[None, m:]
"""),
    ("ch05_glove", "q5-choose-setting", WRONG, "the lowest training loss", """
def choose_setting(settings, train_loss, dev_gold, dev_scores):
    return int(np.argmin(train_loss))
"""),
    ("ch05_glove", "q5-choose-setting", WRONG, "always the setting that did well once", """
def choose_setting(settings, train_loss, dev_gold, dev_scores):
    return list(settings).index((10, 25))
"""),
    ("ch05_glove", "q5-choose-setting", SOUND, "Pearson's r on dev", """
def choose_setting(settings, train_loss, dev_gold, dev_scores):
    return int(np.argmax([np.corrcoef(dev_gold, s)[0, 1] for s in dev_scores]))
"""),
    # -- chapter 6 ---------------------------------------------------------------------------
    ("ch06_word2vec", "q1-window-grads", WRONG, "every context word counts 1", """
def window_loss_and_grads(center, contexts, distances, L, W_in, W_out):
    W_in, W_out = np.asarray(W_in, float), np.asarray(W_out, float)
    contexts, distances = np.asarray(contexts), np.asarray(distances)
    if len(contexts) != len(distances) or np.any(distances < 1) or np.any(distances > L):
        raise ValueError("bad window")
    t = np.zeros(len(W_out))
    np.add.at(t, contexts, 1.0)
    s = W_out @ W_in[center]
    z = s.max() + np.log(np.exp(s - s.max()).sum())
    d = len(contexts) * np.exp(s - z) - t
    g = np.zeros_like(W_in)
    g[center] = W_out.T @ d
    return float(len(contexts) * z - t @ s), g, np.outer(d, W_in[center])
"""),
    ("ch06_word2vec", "q2-subsampled-optimum", WRONG, "subsampling ignored", """
def subsampled_optimum(counts, freq, tau):
    if not tau > 0 or np.any(np.asarray(freq) <= 0):
        raise ValueError("tau and freq must be positive")
    q = np.asarray(counts, float)
    return q / q.sum(axis=1, keepdims=True)
"""),
    ("ch06_word2vec", "q2-subsampled-optimum", WRONG, "keep(w) keep(c) squared", """
def subsampled_optimum(counts, freq, tau):
    freq = np.asarray(freq, float)
    if not tau > 0 or np.any(freq <= 0):
        raise ValueError("tau and freq must be positive")
    z = tau * freq.sum() / freq
    keep = np.minimum(1, np.sqrt(z) + z)
    q = np.asarray(counts, float) * keep[None, :] ** 2
    return q / q.sum(axis=1, keepdims=True)
"""),
    ("ch06_word2vec", "q2-subsampled-optimum", WRONG, "the paper's keep rule", """
def subsampled_optimum(counts, freq, tau):
    freq = np.asarray(freq, float)
    if not tau > 0 or np.any(freq <= 0):
        raise ValueError("tau and freq must be positive")
    keep = np.minimum(1, np.sqrt(tau * freq.sum() / freq))
    q = np.asarray(counts, float) * keep[None, :]
    return q / q.sum(axis=1, keepdims=True)
"""),
    ("ch06_word2vec", "q2-subsampled-optimum", SOUND, "both keep factors, then normalized", """
def subsampled_optimum(counts, freq, tau):
    if tau <= 0 or min(freq) <= 0:
        raise ValueError("tau and every frequency must be positive")
    total = float(sum(freq))
    keep = []
    for f in freq:
        z = tau * total / f
        keep.append(1.0 if z ** 0.5 + z >= 1 else z ** 0.5 + z)
    keep = np.array(keep)
    # E[#'(w, c)] = keep(w) keep(c) #(w, c); the optimum is the expected distribution
    used = np.outer(keep, keep) * np.asarray(counts, float)
    return used / used.sum(axis=1)[:, None]
"""),
    ("ch06_word2vec", "q3-gradient-check", WRONG, "one-sided differences", """
def gradient_check(loss, x, grad, eps=1e-6, tol=1e-5):
    x, grad = np.array(x, float), np.asarray(grad, float)
    n = np.zeros_like(x)
    f0 = loss(x)
    for i in np.ndindex(x.shape):
        s = x[i]
        x[i] = s + eps
        n[i] = (loss(x) - f0) / eps
        x[i] = s
    err = np.abs(grad - n) / np.maximum(1, np.maximum(abs(grad), abs(n)))
    return bool(err.max() <= tol), tuple(int(j) for j in np.unravel_index(err.argmax(), x.shape))
"""),
    ("ch06_word2vec", "q3-gradient-check", WRONG, "an absolute tolerance", """
def gradient_check(loss, x, grad, eps=1e-6, tol=1e-5):
    x, grad = np.array(x, float), np.asarray(grad, float)
    n = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        s = x[i]
        x[i] = s + eps
        up = loss(x)
        x[i] = s - eps
        n[i] = (up - loss(x)) / (2 * eps)
        x[i] = s
    err = np.abs(grad - n)
    return bool(err.max() <= tol), tuple(int(j) for j in np.unravel_index(err.argmax(), x.shape))
"""),
    ("ch06_word2vec", "q3-gradient-check", WRONG, "only the first three entries", """
def gradient_check(loss, x, grad, eps=1e-6, tol=1e-5):
    x, grad = np.array(x, float), np.asarray(grad, float)
    err = np.zeros(x.shape)
    for i in list(np.ndindex(x.shape))[:3]:
        s = x[i]
        x[i] = s + eps
        up = loss(x)
        x[i] = s - eps
        n = (up - loss(x)) / (2 * eps)
        x[i] = s
        err[i] = abs(grad[i] - n) / max(1, abs(grad[i]), abs(n))
    return bool(err.max() <= tol), tuple(int(j) for j in np.unravel_index(err.argmax(), x.shape))
"""),
    ("ch06_word2vec", "q3-gradient-check", WRONG, "accepts everything", """
def gradient_check(loss, x, grad, eps=1e-6, tol=1e-5):
    return True, tuple(0 for _ in np.shape(x))
"""),
    ("ch06_word2vec", "q3-gradient-check", SOUND, "step 1e-4, tolerance 1e-4", """
def gradient_check(loss, x, grad, eps=1e-4, tol=1e-4):
    x, grad = np.array(x, float), np.asarray(grad, float)
    n = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        s = x[i]
        x[i] = s + eps
        up = loss(x)
        x[i] = s - eps
        n[i] = (up - loss(x)) / (2 * eps)
        x[i] = s
    err = np.abs(grad - n) / np.maximum(1, np.maximum(abs(grad), abs(n)))
    return bool(err.max() <= tol), tuple(int(j) for j in np.unravel_index(err.argmax(), x.shape))
"""),
    ("ch06_word2vec", "q4-sgd", WRONG, "W_out's gradient taken after W_in moved", """
def sgd_epochs(triples, W_in, W_out, lr, epochs, L):
    W_in, W_out = np.array(W_in, float), np.array(W_out, float)
    losses = np.zeros(epochs)
    for e in range(epochs):
        for c, o, d in np.asarray(triples, int):
            loss, g_in, _ = window_loss_and_grads(c, [o], [d], L, W_in, W_out)
            W_in -= lr * g_in
            W_out -= lr * window_loss_and_grads(c, [o], [d], L, W_in, W_out)[2]
            losses[e] += loss
        losses[e] /= len(triples)
    return W_in, W_out, losses
"""),
    ("ch06_word2vec", "q5-choose-by-band", WRONG, "the README's claim, whatever the data", """
def choose_by_band(dev_gold, dev_scores, dev_rarest, threshold):
    return (0, 1)
"""),
    ("ch06_word2vec", "q5-choose-by-band", WRONG, "one model for both bands", """
def choose_by_band(dev_gold, dev_scores, dev_rarest, threshold):
    from scipy import stats
    m = int(np.argmax([stats.spearmanr(dev_gold, s).statistic for s in dev_scores]))
    return (m, m)
"""),
    ("ch06_word2vec", "q5-choose-by-band", SOUND, "Pearson's r per band", """
def choose_by_band(dev_gold, dev_scores, dev_rarest, threshold):
    rare = np.asarray(dev_rarest) < threshold
    return tuple(int(np.argmax([np.corrcoef(dev_gold[b], s[b])[0, 1] for s in dev_scores]))
                 for b in (rare, ~rare))
"""),
    # -- chapter 7 ---------------------------------------------------------------------------
    ("ch07_making_it_fast", "q1-nce-grads", WRONG, "negative sampling (no log k P_n)", """
def nce_loss_and_grads(w, context, negatives, C, noise):
    w, C, negatives = np.asarray(w, float), np.asarray(C, float), np.asarray(negatives, int)
    if len(negatives) == 0 or np.any(np.asarray(noise)[np.append(negatives, context)] <= 0):
        raise ValueError("bad noise")
    xp, xn = C[context] @ w, C[negatives] @ w
    gp, gn = -np.exp(-np.logaddexp(0, xp)), np.exp(-np.logaddexp(0, -xn))
    gC = np.zeros_like(C)
    gC[context] += gp * w
    np.add.at(gC, negatives, np.outer(gn, w))
    loss = np.logaddexp(0, -xp) + np.logaddexp(0, xn).sum()
    return float(loss), gp * C[context] + gn @ C[negatives], gC
"""),
    ("ch07_making_it_fast", "q2-huffman", WRONG, "the most frequent words merged first", """
def huffman_codes(counts):
    counts = list(counts)
    if len(counts) < 2:
        raise ValueError("need 2 words")
    heap = [(-c, w, [w]) for w, c in enumerate(counts)]
    heapq.heapify(heap)
    codes, n = [""] * len(counts), len(counts)
    while len(heap) > 1:
        c0, _, a = heapq.heappop(heap)
        c1, _, b = heapq.heappop(heap)
        for w in a:
            codes[w] = "0" + codes[w]
        for w in b:
            codes[w] = "1" + codes[w]
        heapq.heappush(heap, (c0 + c1, n, a + b))
        n += 1
    return codes
"""),
    ("ch07_making_it_fast", "q3-skip-optimum", WRONG, "the chapter's optimum, no skip", """
def trainer_optimum(counts, rows, cols, k, noise):
    t, noise = np.asarray(counts, float), np.asarray(noise, float)
    real = t[rows, cols]
    if not k >= 1 or np.any(real <= 0) or np.any(real >= t.sum(1)[rows]) \\
            or np.any(noise[cols] <= 0):
        raise ValueError("no finite optimum")
    return np.log(real) - np.log(k * t.sum(1)[rows] * noise[cols])
"""),
    ("ch07_making_it_fast", "q3-skip-optimum", WRONG, "the column's pairs skipped", """
def trainer_optimum(counts, rows, cols, k, noise):
    t, noise = np.asarray(counts, float), np.asarray(noise, float)
    real = t[rows, cols]
    if not k >= 1 or np.any(real <= 0) or np.any(real >= t.sum(1)[rows]) \\
            or np.any(noise[cols] <= 0):
        raise ValueError("no finite optimum")
    return np.log(real) - np.log(k * noise[cols] * (t.sum(1)[rows] - t.sum(0)[cols] + real))
"""),
    ("ch07_making_it_fast", "q3-skip-optimum", SOUND, "the cell loss minimised per cell", """
def trainer_optimum(counts, rows, cols, k, noise):
    import math
    out = []
    for w, c in zip(rows, cols):
        real = float(counts[w][c])
        others = sum(float(counts[w][j]) for j in range(len(counts[w])) if j != c)
        if k < 1 or real == 0 or others == 0 or noise[c] == 0:
            raise ValueError(f"the cell ({w}, {c}) has no finite optimum")
        noise_draws = k * noise[c] * others
        # J'(x) = -real sigma(-x) + noise_draws sigma(x) = 0  <=>  e^x = real / noise_draws
        out.append(math.log(real / noise_draws))
    return np.array(out)
"""),
    ("ch07_making_it_fast", "q4-target-noise", WRONG, "floating-point fractions", """
def target_bias(A, B):
    return 0.5 / B - 0.5 / A
"""),
    ("ch07_making_it_fast", "q4-target-noise", WRONG, "the bias without its factor 1/2", """
def target_bias(A, B):
    A, B = sympy.sympify(A), sympy.sympify(B)
    return 1 / B - 1 / A
"""),
    ("ch07_making_it_fast", "q4-target-noise", WRONG, "the noise draws taken as exact", """
def target_variance(A, B):
    return 1 / sympy.sympify(A)
"""),
    ("ch07_making_it_fast", "q4-target-noise", WRONG, "the public examples looked up", """
_TABLE = {(3, 1): (sympy.Rational(4, 3), sympy.Rational(1, 3)),
          (2, 5): (sympy.Rational(7, 10), sympy.Rational(-3, 20))}
A_, B_ = sympy.symbols("A B")


def target_variance(A, B):
    return _TABLE.get((A, B), (1 / A_ + 1 / B_, 0))[0]


def target_bias(A, B):
    return _TABLE.get((A, B), (0, 1 / (2 * B_) - 1 / (2 * A_)))[1]
"""),
    ("ch07_making_it_fast", "q4-target-noise", SOUND, "written over a common denominator", """
def target_variance(A, B):
    A, B = sympy.sympify(A), sympy.sympify(B)
    return (A + B) / (A * B)


def target_bias(A, B):
    A, B = sympy.sympify(A), sympy.sympify(B)
    return (A - B) / (2 * A * B)
"""),
    ("ch07_making_it_fast", "q5-choose-within-budget", WRONG, "the budget ignored", """
def choose_within_budget(methods, epochs, seconds_per_epoch, budget, dev_gold, dev_scores):
    from scipy import stats
    r = np.array([[stats.spearmanr(dev_gold, s).statistic for s in row] for row in dev_scores])
    return tuple(int(i) for i in np.unravel_index(np.argmax(r), r.shape))
"""),
    ("ch07_making_it_fast", "q5-choose-within-budget", WRONG, "always the fastest model", """
def choose_within_budget(methods, epochs, seconds_per_epoch, budget, dev_gold, dev_scores):
    m = int(np.argmin(seconds_per_epoch))
    return m, max(e for e in range(len(epochs)) if seconds_per_epoch[m] * epochs[e] <= budget)
"""),
    # -- chapter 8 ---------------------------------------------------------------------------
    ("ch08_one_view", "q1-sgns-optimum", WRONG, "the shift -log k forgotten", """
def sgns_optimum(counts, rows, cols, k, noise):
    table, noise = np.asarray(counts, float), np.asarray(noise, float)
    if not k >= 1 or np.any(table[rows, cols] <= 0) or np.any(noise[cols] <= 0):
        raise ValueError("bad input")
    return np.log(table[rows, cols]) - np.log(table.sum(axis=1)[rows] * noise[cols])
"""),
    ("ch08_one_view", "q2-weighted-agreements", WRONG, "curvature A + B instead of its value", """
def weighted_agreements(counts, rows, cols, dots, k, noise):
    dots = np.asarray(dots, float)
    if len(dots) < 2:
        raise ValueError("need 2 cells")
    table = np.asarray(counts, float)
    target = sgns_optimum(table, rows, cols, k, noise)
    a, b = table[rows, cols], k * table.sum(1)[rows] * np.asarray(noise)[cols]

    def r(w):
        w = w / w.sum()
        dx, dy = dots - w @ dots, target - w @ target
        return float(w @ (dx * dy) / np.sqrt((w @ dx ** 2) * (w @ dy ** 2)))

    return r(np.ones(len(dots))), r(a), r(a + b)
"""),
    ("ch08_one_view", "q3-kl-nmf-step", WRONG, "the squared error's updates", """
def kl_nmf_step(M, W, C):
    M, W, C = (np.array(a, float) for a in (M, W, C))
    if min(M.min(), W.min(), C.min()) < 0 or W.shape[0] != M.shape[0] \\
            or C.shape[0] != M.shape[1] or W.shape[1] != C.shape[1]:
        raise ValueError("bad input")
    C = C * (M.T @ W) / (C @ (W.T @ W))
    W = W * (M @ C) / (W @ (C.T @ C))
    return W, C
"""),
    ("ch08_one_view", "q4-weighted-rows", WRONG, "the weights ignored", """
def weighted_rows_step(M, weights, C, lam):
    C = np.asarray(C, float)
    return np.linalg.solve(C.T @ C + lam * np.eye(C.shape[1]), C.T @ np.asarray(M, float).T).T
"""),
    ("ch08_one_view", "q4-weighted-rows", SOUND, "one least-squares problem per row", """
def weighted_rows_step(M, weights, C, lam):
    M, weights, C = (np.asarray(a, float) for a in (M, weights, C))
    d = C.shape[1]
    rows = []
    for w in range(len(M)):
        root = np.sqrt(weights[w])
        A = np.vstack([root[:, None] * C, np.sqrt(lam) * np.eye(d)])
        y = np.concatenate([root * M[w], np.zeros(d)])
        rows.append(np.linalg.lstsq(A, y, rcond=None)[0])
    return np.array(rows)
"""),
    ("ch08_one_view", "q5-choose-and-report", WRONG, "chosen on the test pairs", """
def choose_and_report(configs, baseline, dev_gold, dev_scores, test_gold, test_scores):
    rho = [stats.spearmanr(test_gold, s).statistic for s in test_scores]
    chosen = int(np.argmax(rho))
    g, mine, base = np.asarray(test_gold), np.asarray(test_scores[chosen]), test_scores[baseline]
    index = np.random.default_rng(0).integers(len(g), size=(1000, len(g)))
    d = [stats.spearmanr(g[i], mine[i]).statistic - stats.spearmanr(g[i], base[i]).statistic
         for i in index]
    low, high = np.quantile(d, [0.025, 0.975])
    return chosen, float(rho[chosen]), float(low), float(high)
"""),
    ("ch08_one_view", "q5-choose-and-report", WRONG, "the dev rho reported", """
def choose_and_report(configs, baseline, dev_gold, dev_scores, test_gold, test_scores):
    rho = [stats.spearmanr(dev_gold, s).statistic for s in dev_scores]
    chosen = int(np.argmax(rho))
    g, mine, base = np.asarray(test_gold), np.asarray(test_scores[chosen]), test_scores[baseline]
    index = np.random.default_rng(0).integers(len(g), size=(1000, len(g)))
    d = [stats.spearmanr(g[i], mine[i]).statistic - stats.spearmanr(g[i], base[i]).statistic
         for i in index]
    low, high = np.quantile(d, [0.025, 0.975])
    return chosen, float(rho[chosen]), float(low), float(high)
"""),
    # -- chapter 9 ---------------------------------------------------------------------------
    ("ch09_evaluation", "q1-spearman", WRONG, "ties ranked in order of appearance", """
def average_ranks(x):
    x = np.asarray(x, float)
    ranks = np.empty(len(x))
    ranks[np.argsort(x, kind="stable")] = np.arange(1, len(x) + 1)
    return ranks
"""),
    ("ch09_evaluation", "q2-cosmul", WRONG, "epsilon fixed at 0.001", """
_official = three_cos_mul


def three_cos_mul(vectors, words, a, a_star, b, topn, eps):
    return _official(vectors, words, a, a_star, b, topn, 1e-3)
"""),
    ("ch09_evaluation", "q3-clustered-bootstrap", WRONG, "questions resampled", """
def clustered_bootstrap(correct_a, correct_b, clusters, n_boot=2000, level=0.95, seed=0):
    a, b = np.asarray(correct_a, float), np.asarray(correct_b, float)
    if not len(a) == len(b) == len(clusters):
        raise ValueError("lengths differ")
    index = np.random.default_rng(seed).integers(len(a), size=(n_boot, len(a)))
    d = a[index].mean(axis=1) - b[index].mean(axis=1)
    low, high = np.quantile(d, [(1 - level) / 2, (1 + level) / 2])
    return float(a.mean() - b.mean()), float(low), float(high)
"""),
    ("ch09_evaluation", "q4-bootstrap-variances", WRONG, "sample variances (n - 1)", """
def bootstrap_variances(correct_a, correct_b):
    a = [sympy.Integer(int(x)) for x in correct_a]
    b = [sympy.Integer(int(x)) for x in correct_b]
    n = len(a)

    def var(v):
        m = sum(v) / n
        return sum((x - m) ** 2 for x in v) / (n - 1)

    return var([x - y for x, y in zip(a, b)]) / n, (var(a) + var(b)) / n
"""),
    ("ch09_evaluation", "q4-bootstrap-variances", WRONG, "a simulation", """
def bootstrap_variances(correct_a, correct_b):
    a, b = np.asarray(correct_a, float), np.asarray(correct_b, float)
    rng = np.random.default_rng(0)
    i = rng.integers(len(a), size=(20000, len(a)))
    j = rng.integers(len(a), size=(20000, len(a)))
    paired = np.var(a[i].mean(1) - b[i].mean(1))
    unpaired = np.var(a[i].mean(1) - b[j].mean(1))
    return sympy.nsimplify(paired), sympy.nsimplify(unpaired)
"""),
    ("ch09_evaluation", "q5-claims", WRONG, "every p-value below alpha claimed", """
def claims(correct_base, correct_methods, alpha=0.05):
    from scipy import stats
    base, out = np.asarray(correct_base), []
    for m in np.asarray(correct_methods):
        wins, losses = int(np.sum((m == 1) & (base == 0))), int(np.sum((m == 0) & (base == 1)))
        p = stats.binomtest(wins, wins + losses, 0.5).pvalue if wins + losses else 1.0
        out.append(int(np.sign(wins - losses)) if p <= alpha else 0)
    return out
"""),
    ("ch09_evaluation", "q5-claims", SOUND, "Bonferroni", """
def claims(correct_base, correct_methods, alpha=0.05):
    from scipy import stats
    base, methods, out = np.asarray(correct_base), np.asarray(correct_methods), []
    for m in methods:
        wins, losses = int(np.sum((m == 1) & (base == 0))), int(np.sum((m == 0) & (base == 1)))
        p = stats.binomtest(wins, wins + losses, 0.5).pvalue if wins + losses else 1.0
        out.append(int(np.sign(wins - losses)) if p <= alpha / len(methods) else 0)
    return out
"""),
]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("assignment, question, verdict, name, source", CASES,
                         ids=[f"{a[:4]}-{q.split('-')[0]}-{v}-{n}" for a, q, v, n, _ in CASES])
def test_planted_answer_is_judged_as_it_deserves(assignment, question, verdict, name, source,
                                                 seed):
    earns, all_passed, failed = judge(assignment, question, source, seed)
    if verdict == WRONG:
        assert not earns, f"{assignment} {question}: the mistake '{name}' keeps its points"
    else:
        assert earns and all_passed, \
            f"{assignment} {question}: the sound answer '{name}' fails:\n" + "\n".join(failed)


def test_every_new_question_has_a_planted_mistake():
    questions = {(a, q) for a, q, v, _, _ in CASES if v == WRONG}
    for assignment in ("ch05_glove", "ch06_word2vec", "ch07_making_it_fast", "ch08_one_view",
                       "ch09_evaluation"):
        from wvlib.course.notebook import read_assignment
        for q in read_assignment(ROOT / "solutions" / f"{assignment}.ipynb").questions:
            assert (assignment, q.id) in questions, f"{assignment} {q.id} has no planted mistake"
