"""Hidden tests for the chapter 8 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs drawn here go into the student's kernel, values come
back as plain data, and the expected values are computed here by the reference code below.
Random inputs come from ``hidden_rng(k, ...)``: drawn afresh for every submission, the same on
a rerun (other shapes, ranks, noise distributions, weights with zeros than the public
examples). ``public_values()`` gives the values the public checks compare against.
"""
from pathlib import Path

import numpy as np
from scipy import stats

from wvlib.course.checks import call_unmodified, check, expect, expect_close, expect_raises, \
    expect_shape, expect_type, hidden_rng
from wvlib.course.public import ch08_one_view as public


def notebook_values(*names):
    """Variables of the official solution notebook, run without its check calls: the public
    checks use the notebook's own examples."""
    import contextlib
    import io

    import nbformat
    nb = nbformat.read(Path(__file__).resolve().parents[1] / "ch08_one_view.ipynb",
                       as_version=4)
    namespace = {"__name__": "__main__", "display": lambda *values: None}
    for cell in nb.cells:
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines()
                               if not line.startswith("check("))
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, "<notebook>", "exec"), namespace)
    return [namespace[name] for name in names]


def hint_from(got, mistakes, rtol=1e-6, atol=1e-9):
    for wrong, hint in mistakes:
        if len(wrong) == len(got) and all(
                np.shape(g) == np.shape(w) and np.allclose(np.asarray(g, dtype=float), w,
                                                           rtol=rtol, atol=atol)
                for g, w in zip(got, wrong)):
            return hint
    return ""


def random_counts(rng, shape, density):
    """Integer counts with every row and column used."""
    C = np.where(rng.random(shape) < density, rng.integers(1, 40, size=shape), 0).astype(float)
    C[np.arange(shape[0]), rng.integers(shape[1], size=shape[0])] += 1
    C[rng.integers(shape[0], size=shape[1]), np.arange(shape[1])] += 1
    return C


def observed_cells(rng, C, n):
    rows, cols = np.nonzero(C)
    pick = rng.choice(len(rows), size=min(n, len(rows)), replace=False)
    return rows[pick], cols[pick]


def random_noise(rng, C, kind):
    column = C.sum(axis=0)
    if kind == "unigram":
        return column / column.sum()
    if kind == "smoothed":
        return column ** 0.75 / np.sum(column ** 0.75)
    if kind == "uniform":
        return np.full(len(column), 1.0 / len(column))
    return rng.dirichlet(np.ones(len(column)))


def public_values():
    """The values the public checks compare against: on the public module's inputs and on the
    notebook's examples (which are stored too, so that the checks use the same numbers)."""
    (smoothed, M3, W3, C3, M4, weights4, C4, configs, baseline, dev_gold, dev_scores,
     test_gold, test_scores) = notebook_values(
        "smoothed", "M_example", "W0", "C0", "M_target", "omega", "C_fixed", "configs",
        "baseline", "dev_gold", "dev_scores", "test_gold", "test_scores")
    C = public.EXAMPLE
    mistakes1 = [m[0] for m, _ in optimum_mistakes(C, public.ROWS1, public.COLS1, 5, smoothed)]
    agreements = agreement_reference(C, public.ROWS2, public.COLS2, public.DOTS2, 1, smoothed)
    wrong_curvature = agreement_reference(C, public.ROWS2, public.COLS2, public.DOTS2, 1,
                                          smoothed, "sum")[2]
    W_new, C_new = kl_reference(M3, W3, C3)
    (W_old_C, _), _ = kl_mistakes(M3, W3, C3)[0]
    (_, C_squared), _ = kl_mistakes(M3, W3, C3)[1]
    mistakes4 = [m[0] for m, _ in rows_mistakes(M4, weights4, C4, 0.1)]
    ex = {"baseline": baseline, "dev_gold": dev_gold, "dev_scores": dev_scores,
          "test_gold": test_gold, "test_scores": test_scores}
    dev = spearman_rows(dev_gold, dev_scores)
    chosen = int(np.argmax(dev))
    report = report_reference(ex, chosen)
    return {
        "q1/smoothed": smoothed,
        "q1/optimum": optimum_reference(C, public.ROWS1, public.COLS1, 5, smoothed),
        "q1/optimum-column-sums": mistakes1[0], "q1/optimum-no-shift": mistakes1[1],
        "q1/optimum-unigram": mistakes1[3], "q1/log10": np.full(4, np.log(10.0)),
        "q2/agreements": list(agreements), "q2/curvature-as-sum": wrong_curvature,
        "q2/exact-dots": optimum_reference(C, public.ROWS2[:5], public.COLS2[:5], 5, smoothed),
        "q3/M": M3, "q3/W": W3, "q3/C": C3, "q3/W_new": W_new, "q3/C_new": C_new,
        "q3/W_new-old-C": W_old_C, "q3/C_new-squared-error": C_squared,
        "q4/M": M4, "q4/weights": weights4, "q4/C": C4,
        "q4/W": rows_reference(M4, weights4, C4, 0.1), "q4/W-unweighted": mistakes4[0],
        "q4/W-double-penalty": mistakes4[2],
        "q5/configs": [list(c) for c in configs], "q5/baseline": int(baseline),
        "q5/dev_gold": dev_gold, "q5/dev_scores": dev_scores, "q5/test_gold": test_gold,
        "q5/test_scores": test_scores, "q5/dev-rho": dev,
        "q5/test-best": int(np.argmax(spearman_rows(test_gold, test_scores))),
        "q5/report": [chosen, *report],
        "q5/report-with-dev-rho": [float(dev[chosen]), report[1], report[2]],
    }


# ---- q1-sgns-optimum --------------------------------------------------------------------------
def optimum_reference(C, rows, cols, k, noise):
    return np.log(C[rows, cols]) - np.log(k * C.sum(axis=1)[rows] * noise[cols])


def optimum_mistakes(C, rows, cols, k, noise):
    column = C.sum(axis=0)
    unigram = column / column.sum()
    by_column = np.log(C[rows, cols]) - np.log(k * column[cols] * noise[cols])
    return [((by_column,), "#(w) is the sum of row w (the word), not of column c"),
            ((optimum_reference(C, rows, cols, k, noise) + np.log(k),),
             "the k negatives of each pair shift the optimum by -log k"),
            ((optimum_reference(C, rows, cols, k, noise) + 2 * np.log(k),),
             "the shift is -log k: you added it"),
            ((optimum_reference(C, rows, cols, k, unigram),),
             "the negatives come from the given noise distribution, not from the unigram "
             "distribution of the contexts")]


def expect_optimum(got, C, rows, cols, k, noise, what):
    got = expect_shape(got, (len(rows),), what)
    hint = hint_from((got,), optimum_mistakes(C, rows, cols, k, noise))
    expect_close(got, optimum_reference(C, rows, cols, k, noise), what=what, rtol=1e-9,
                 atol=1e-12, hint=hint or "positive pairs #(w, c) against k #(w) P_n(c) "
                                          "expected negatives")


@check("q1-sgns-optimum", "random count matrices, several k and noise distributions",
       weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q1-sgns-optimum/1")
    for trial, (shape, kk, kind) in enumerate([
            ((int(rng.integers(5, 10)), int(rng.integers(5, 12))), 1, "unigram"),
            ((int(rng.integers(15, 25)), int(rng.integers(10, 20))), 5, "smoothed"),
            ((int(rng.integers(30, 50)), int(rng.integers(40, 70))), 15, "uniform"),
            ((int(rng.integers(8, 15)),) * 2, int(rng.integers(2, 20)), "random")]):
        C = random_counts(rng, shape, 0.3)
        rows, cols = observed_cells(rng, C, 25)
        noise = random_noise(rng, C, kind)
        expect_optimum(k.call("sgns_optimum", C, rows, cols, kk, noise), C, rows, cols, kk,
                       noise, f"sgns_optimum on a random {shape[0]} x {shape[1]} matrix, "
                              f"k={kk}, {kind} noise (trial {trial})")


@check("q1-sgns-optimum", "an unseen cell, k < 1 or a context of noise probability 0 raise "
                          "ValueError")
def _(k):
    C = np.array([[1.0, 2.0, 0.0], [3.0, 4.0, 5.0]])
    noise = np.array([0.5, 0.5, 0.0])
    expect_raises(k, "sgns_optimum", (C, np.array([0]), np.array([2]), 2, noise),
                  ["ValueError"], "sgns_optimum of the unseen cell (0, 2)")
    expect_raises(k, "sgns_optimum", (C, np.array([1]), np.array([2]), 2, noise),
                  ["ValueError"], "sgns_optimum of a cell whose context has noise "
                                  "probability 0")
    expect_raises(k, "sgns_optimum", (C, np.array([1]), np.array([1]), 0, noise),
                  ["ValueError"], "sgns_optimum(..., k=0)")


# ---- q2-weighted-agreements -------------------------------------------------------------------
def weighted_r(x, y, weights):
    weights = weights / weights.sum()
    dx, dy = x - weights @ x, y - weights @ y
    return float(weights @ (dx * dy) / np.sqrt((weights @ dx ** 2) * (weights @ dy ** 2)))


def agreement_reference(C, rows, cols, dots, k, noise, curvature="product"):
    target = optimum_reference(C, rows, cols, k, noise)
    a = C[rows, cols]
    b = k * C.sum(axis=1)[rows] * noise[cols]
    weights = a * b / (a + b) if curvature == "product" else a + b
    return (weighted_r(dots, target, np.ones(len(dots))), weighted_r(dots, target, a),
            weighted_r(dots, target, weights))


@check("q2-weighted-agreements", "noisy dot products on random matrices", weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q2-weighted-agreements/1")
    for trial, (shape, kk, kind, noise_sd) in enumerate([((15, 20), 5, "smoothed", 0.5),
                                                        ((30, 30), 1, "unigram", 2.0),
                                                        ((25, 40), 10, "random", 1.0)]):
        C = random_counts(rng, shape, 0.4)
        rows, cols = observed_cells(rng, C, 60)
        noise = random_noise(rng, C, kind)
        target = optimum_reference(C, rows, cols, kk, noise)
        # the fit is good on frequent cells and poor on rare ones, as in the chapter
        dots = target + noise_sd * rng.normal(size=len(rows)) / np.sqrt(C[rows, cols])
        got = k.call("weighted_agreements", C, rows, cols, dots, kk, noise)
        what = f"weighted_agreements on a random matrix (trial {trial})"
        expect_type(got, (tuple, list), what)
        expect(len(got) == 3, f"{what} should return three correlations, got {len(got)}")
        got = [float(np.asarray(g, dtype=float)) for g in got]
        expected = agreement_reference(C, rows, cols, dots, kk, noise)
        wrong_curvature = agreement_reference(C, rows, cols, dots, kk, noise, "sum")[2]
        names = ("plain", "count-weighted", "curvature-weighted")
        for i, name in enumerate(names):
            hint = ""
            if i == 2 and np.isclose(got[2], wrong_curvature):
                hint = "J''(x*) is A B / (A + B), not A + B"
            elif i > 0 and np.isclose(got[i], expected[0]):
                hint = "the weights must change the means, variances and covariance"
            expect_close(got[i], expected[i], what=f"the {name} r of {what}", rtol=1e-7,
                         hint=hint)


@check("q2-weighted-agreements", "a single cell raises ValueError")
def _(k):
    C = np.array([[1.0, 2.0], [3.0, 4.0]])
    expect_raises(k, "weighted_agreements", (C, np.array([0]), np.array([1]), np.array([0.5]),
                                             2, np.array([0.5, 0.5])), ["ValueError"],
                  "weighted_agreements with one cell")


# ---- q3-kl-nmf-step ---------------------------------------------------------------------------
def kl_divergence(M, W, C):
    Y = W @ C.T
    return float(np.sum(M * np.log(M / Y) - M + Y))


def kl_reference(M, W, C, order="CW"):
    if order == "CW":
        C = C * ((M / (W @ C.T)).T @ W) / W.sum(axis=0)
        W = W * ((M / (W @ C.T)) @ C) / C.sum(axis=0)
    else:                                                  # W first, or W with the old C
        W_new = W * ((M / (W @ C.T)) @ C) / C.sum(axis=0)
        C = C * ((M / (W @ C.T)).T @ W) / W.sum(axis=0)
        W = W_new
    return W, C


def kl_mistakes(M, W, C):
    C_fro = C * (M.T @ W) / (C @ (W.T @ W))
    W_fro = W * (M @ C_fro) / (W @ (C_fro.T @ C_fro))
    return [(kl_reference(M, W, C, order="old"), "update W with the NEW C"),
            ((W_fro, C_fro), "these are the updates of the squared error: derive those of "
                             "the divergence")]


def expect_kl_step(got, M, W, C, what):
    expect_type(got, (tuple, list), what)
    expect(len(got) == 2, f"{what} should return (W_new, C_new), got {len(got)} values")
    W_new = expect_shape(got[0], W.shape, f"W_new of {what}")
    C_new = expect_shape(got[1], C.shape, f"C_new of {what}")
    expect(np.all(W_new >= 0) and np.all(C_new >= 0),
           f"{what}: the new factors have negative entries")
    expect(kl_divergence(M, W_new, C_new) <= kl_divergence(M, W, C) * (1 + 1e-9) + 1e-12,
           f"{what}: the divergence went up, from {kl_divergence(M, W, C):.6g} to "
           f"{kl_divergence(M, W_new, C_new):.6g}")
    hint = hint_from((W_new, C_new), kl_mistakes(M, W, C))
    W_exp, C_exp = kl_reference(M, W, C)
    expect_close(C_new, C_exp, what=f"C_new of {what}", rtol=1e-7, atol=1e-12, hint=hint)
    expect_close(W_new, W_exp, what=f"W_new of {what}", rtol=1e-7, atol=1e-12, hint=hint)


@check("q3-kl-nmf-step", "unseen count matrices and ranks: the exact update", weight=3,
       core=True)
def _(k):
    rng = hidden_rng(k, "q3-kl-nmf-step/1")
    for trial, (m, n, d) in enumerate([
            (int(rng.integers(6, 12)), int(rng.integers(5, 10)), int(rng.integers(2, 4))),
            (int(rng.integers(15, 25)), int(rng.integers(20, 35)), int(rng.integers(4, 7))),
            (int(rng.integers(3, 7)), int(rng.integers(8, 15)), 1),
            (16, 16, int(rng.integers(6, 10)))]):
        M = rng.poisson(rng.uniform(0.5, 6), size=(m, n)) + 0.1
        W, C = rng.random((m, d)) + 0.05, rng.random((n, d)) + 0.05
        expect_kl_step(k.call("kl_nmf_step", M, W, C), M, W, C,
                       f"kl_nmf_step on a random {m} x {n} matrix, d = {d} (trial {trial})")


@check("q3-kl-nmf-step", "ten updates in a row lower the divergence monotonically", weight=2)
def _(k):
    rng = hidden_rng(k, "q3-kl-nmf-step/2")
    M = rng.poisson(4.0, size=(12, 10)) + 0.2
    W, C = rng.random((12, 3)) + 0.1, rng.random((10, 3)) + 0.1
    values = [kl_divergence(M, W, C)]
    for step in range(10):
        got = k.call("kl_nmf_step", M, W, C)
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               "kl_nmf_step should return (W_new, C_new)")
        W, C = np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float)
        expect(W.shape == (12, 3) and C.shape == (10, 3),
               f"after update {step + 1} the factors have shapes {W.shape}, {C.shape}")
        values.append(kl_divergence(M, W, C))
    rises = [i for i in range(10) if values[i + 1] > values[i] * (1 + 1e-9) + 1e-12]
    expect(not rises, f"the divergence rose at update {rises[0] + 1 if rises else 0}")
    expect(values[-1] < 0.9 * values[0], f"ten updates should lower the divergence clearly, "
                                         f"got {values[0]:.4g} -> {values[-1]:.4g}")


@check("q3-kl-nmf-step", "a negative entry or shapes that do not fit raise ValueError")
def _(k):
    M = np.ones((3, 4))
    expect_raises(k, "kl_nmf_step", (M, -np.ones((3, 2)), np.ones((4, 2))), ["ValueError"],
                  "kl_nmf_step with a negative W")
    expect_raises(k, "kl_nmf_step", (M, np.ones((3, 2)), np.ones((3, 2))), ["ValueError"],
                  "kl_nmf_step with C of the wrong shape")


# ---- q4-weighted-rows -------------------------------------------------------------------------
def rows_reference(M, weights, C, lam):
    d = C.shape[1]
    return np.array([np.linalg.solve(C.T @ (weights[w][:, None] * C) + lam * np.eye(d),
                                     C.T @ (weights[w] * M[w])) for w in range(len(M))])


def rows_mistakes(M, weights, C, lam):
    d = C.shape[1]
    return [((rows_reference(M, np.ones_like(weights), C, lam),),
             "every cell counts with its own weight Omega_wc"),
            ((np.array([np.linalg.lstsq(C.T @ (weights[w][:, None] * C),
                                        C.T @ (weights[w] * M[w]), rcond=None)[0]
                        for w in range(len(M))]),),
             "the penalty lam ||W||^2 adds lam to the diagonal of each row's system"),
            ((np.array([np.linalg.solve(C.T @ (weights[w][:, None] * C) + 2 * lam * np.eye(d),
                                        C.T @ (weights[w] * M[w])) for w in range(len(M))]),),
             "the derivative of lam ||w||^2 is 2 lam w, and that of the squares 2 C^T ...: "
             "the 2s cancel")]


def weighted_loss(M, weights, C, lam, W):
    return float(np.sum(weights * (M - W @ C.T) ** 2) + lam * np.sum(W ** 2))


@check("q4-weighted-rows", "random problems, weights with zeros, several ranks and penalties",
       weight=3, core=True)
def _(k):
    rng = hidden_rng(k, "q4-weighted-rows/1")
    for trial, (m, n, d, lam) in enumerate([
            (int(rng.integers(3, 6)), int(rng.integers(2, 5)), 1, 0.5),
            (int(rng.integers(10, 20)), int(rng.integers(8, 14)), int(rng.integers(2, 5)),
             float(rng.uniform(0.05, 0.5))),
            (int(rng.integers(30, 50)), int(rng.integers(20, 30)), int(rng.integers(5, 8)),
             float(rng.uniform(1, 3)))]):
        M = rng.normal(size=(m, n))
        weights = rng.random((m, n)) * (rng.random((m, n)) < 0.6)
        weights[0] = 0.0                                    # a row with no weight at all
        C = rng.normal(size=(n, d))
        what = f"weighted_rows_step on a random {m} x {n} problem, d = {d} (trial {trial})"
        got = expect_shape(k.call("weighted_rows_step", M, weights, C, lam), (m, d), what)
        hint = hint_from((got,), rows_mistakes(M, weights, C, lam))
        expect_close(got, rows_reference(M, weights, C, lam), what=what, rtol=1e-8,
                     atol=1e-10, hint=hint or "set the gradient of J with respect to each row "
                                              "w to zero: a d x d linear system per row")


@check("q4-weighted-rows", "no other W does better: random moves raise the loss")
def _(k):
    rng = hidden_rng(k, "q4-weighted-rows/2")
    M, weights = rng.normal(size=(8, 6)), rng.random((8, 6))
    C = rng.normal(size=(6, 2))
    W = expect_shape(k.call("weighted_rows_step", M, weights, C, 0.3), (8, 2),
                     "weighted_rows_step")
    best = weighted_loss(M, weights, C, 0.3, W)
    for _ in range(20):
        expect(weighted_loss(M, weights, C, 0.3, W + 1e-3 * rng.normal(size=W.shape)) >= best,
               "a small move of your W lowered the weighted loss: it is not the minimiser")


# ---- q5-choose-and-report ---------------------------------------------------------------------
CONFIGS = [(matrix, alpha, p, vectors) for matrix in ("PMI", "PPMI", "SPPMI k=5")
           for alpha in (1.0, 0.75) for p in (0.0, 0.5, 1.0) for vectors in ("W", "W+C")]


def report_experiment(rng, n=350):
    """A simulated grid of configurations, split into dev and test halves, drawn again until
    the best configuration on the test pairs is clearly not the best on the dev pairs (so that
    choosing on the test pairs shows)."""
    while True:
        quality = np.clip(0.40 + 0.05 * rng.normal(size=len(CONFIGS)), 0.05, 0.9)
        gold = rng.uniform(0, 10, size=n)
        z = (gold - gold.mean()) / gold.std()
        common = rng.normal(size=n)
        scores = np.array([q * z + np.sqrt(1 - q * q) * (0.6 * common + 0.8 * rng.normal(size=n))
                           for q in quality])
        half = n // 2
        ex = {"baseline": int(rng.integers(len(CONFIGS))), "dev_gold": gold[:half],
              "dev_scores": scores[:, :half], "test_gold": gold[half:],
              "test_scores": scores[:, half:]}
        dev = spearman_rows(ex["dev_gold"], ex["dev_scores"])
        test = spearman_rows(ex["test_gold"], ex["test_scores"])
        if dev.max() - dev[np.argmax(test)] > 0.03:
            return ex


def spearman_rows(gold, scores):
    return np.array([stats.spearmanr(gold, s).statistic for s in scores])


def report_reference(ex, chosen):
    gold = ex["test_gold"]
    mine, base = ex["test_scores"][chosen], ex["test_scores"][ex["baseline"]]
    rng = np.random.default_rng(0)
    index = rng.integers(len(gold), size=(1000, len(gold)))
    differences = [stats.spearmanr(gold[i], mine[i]).statistic
                   - stats.spearmanr(gold[i], base[i]).statistic for i in index]
    low, high = np.quantile(differences, [0.025, 0.975])
    return float(stats.spearmanr(gold, mine).statistic), float(low), float(high)


@check("q5-choose-and-report", "new simulated experiments: the choice is made on the dev pairs "
                               "and reported on the test pairs", weight=4, core=True)
def _(k):
    rng = hidden_rng(k, "q5-choose-and-report/1")
    for trial in range(3):
        ex = report_experiment(rng)
        got = k.call("choose_and_report", CONFIGS, ex["baseline"], ex["dev_gold"],
                     ex["dev_scores"], ex["test_gold"], ex["test_scores"])
        what = f"choose_and_report on a new experiment (trial {trial})"
        expect(isinstance(got, (tuple, list)) and len(got) == 4,
               f"{what} should return (chosen, rho, low, high), got {str(got)[:80]}")
        chosen = got[0]
        expect(isinstance(chosen, (int, np.integer)) and 0 <= int(chosen) < len(CONFIGS),
               f"{what}: chosen should be a configuration index, got {str(chosen)[:40]}")
        chosen = int(chosen)
        dev = spearman_rows(ex["dev_gold"], ex["dev_scores"])
        test = spearman_rows(ex["test_gold"], ex["test_scores"])
        expect(chosen != int(np.argmax(test)) or dev[chosen] >= dev.max() - 0.01,
               f"{what}: you chose the configuration that is best on the test pairs; the "
               f"test pairs must not take part in the choice, or the reported rho is "
               f"optimistic")
        expect(dev[chosen] >= dev.max() - 0.01,
               f"{what}: your configuration has dev rho {dev[chosen]:.3f}, the best one "
               f"{dev.max():.3f}")
        rho, low, high = report_reference(ex, chosen)
        got_rho = float(np.asarray(got[1], dtype=float))
        hint = ("report the rho of the held-out (test) pairs: the dev rho of a configuration "
                "chosen on dev is biased upwards" if np.isclose(got_rho, dev[chosen]) else
                "Spearman's rho of the chosen configuration on the test pairs")
        expect_close(got_rho, rho, what=f"the rho of {what}", rtol=1e-9, hint=hint)
        expect_close([float(np.asarray(g, dtype=float)) for g in got[2:]], [low, high],
                     what=f"(low, high) of {what}", rtol=1e-9,
                     hint="resample the test pairs with the recipe of the question, the same "
                          "rows for both configurations")
