"""Hidden tests for the chapter 8 exercises — instructor only, never shown to learners.

They run in the grader's process: inputs go into the student's kernel, values come back as
plain data, and the expected values are computed here (wvlib.pmi for the shifted PMI, the
update rule of the public checks for NMF). Matrices and factors are drawn with fixed seeds and
are unlike the public examples (other shapes, ranks, sparsity, a zero column in W).
"""
import numpy as np

from wvlib.course.checks import check, expect, expect_raises
from wvlib.course.public.ch08_one_view import expect_agreement, expect_mu_step, \
    expect_shifted_pmi, frobenius_loss

RNG_SEED = 20260808


def random_counts(rng, shape, density):
    """Integer counts with every row and column used."""
    C = np.where(rng.random(shape) < density, rng.integers(1, 40, size=shape), 0).astype(float)
    C[np.arange(shape[0]), rng.integers(shape[1], size=shape[0])] += 1
    C[rng.integers(shape[0], size=shape[1]), np.arange(shape[1])] += 1
    return C


def observed_pairs(rng, C, n):
    rows, cols = np.nonzero(C)
    pick = rng.choice(len(rows), size=min(n, len(rows)), replace=False)
    return rows[pick], cols[pick]


# -- q1-shifted-pmi ------------------------------------------------------------------------------
@check("q1-shifted-pmi", "random count matrices, several k and alpha", weight=3)
def _(k):
    rng = np.random.default_rng(RNG_SEED)
    for trial, (shape, kk, alpha) in enumerate([((8, 11), 1.0, 1.0), ((20, 15), 5.0, 0.75),
                                                ((40, 60), 15.0, 0.5),
                                                ((12, 12), 2.5, 0.9)]):
        C = random_counts(rng, shape, 0.3)
        rows, cols = observed_pairs(rng, C, 25)
        expect_shifted_pmi(k.call("shifted_pmi", C.copy(), rows, cols, kk, alpha), C, rows,
                           cols, kk, alpha, f"shifted_pmi on a random {shape[0]} x {shape[1]} "
                                            f"matrix, k={kk:g}, alpha={alpha:g} (trial {trial})")


@check("q1-shifted-pmi", "alpha outside (0, 1] raises ValueError")
def _(k):
    C = np.array([[1.0, 2.0], [3.0, 4.0]])
    for alpha in (0.0, 1.5):
        expect_raises(k, "shifted_pmi", (C, np.array([0]), np.array([1]), 2, alpha),
                      ["ValueError"], f"shifted_pmi(..., alpha={alpha})")


# -- q2-agreement ---------------------------------------------------------------------------------
@check("q2-agreement", "noisy dot products on random matrices", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 1)
    for trial, (shape, kk, alpha, noise) in enumerate([((15, 20), 5.0, 0.75, 0.5),
                                                       ((30, 30), 1.0, 1.0, 2.0)]):
        C = random_counts(rng, shape, 0.4)
        rows, cols = observed_pairs(rng, C, 40)
        from wvlib.pmi import pmi_dense
        target = pmi_dense(C, alpha=alpha, shift=kk, positive=False)[rows, cols]
        dots = 0.8 * target + 0.3 + noise * rng.standard_normal(len(rows))
        got = k.call("pmi_agreement", C.copy(), rows, cols, dots, kk, alpha)
        expect_agreement(got, C, rows, cols, dots, kk, alpha,
                         f"pmi_agreement on a random matrix (trial {trial})")


# -- q3-nmf-step ----------------------------------------------------------------------------------
@check("q3-nmf-step", "unseen matrices: equal to the update, loss never increases", weight=3)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 2)
    for trial, (m, n, r) in enumerate([(9, 7, 3), (20, 30, 5), (5, 12, 1), (16, 16, 8)]):
        M = rng.random((m, n)) * (rng.random((m, n)) < 0.6) * 4.0   # sparse-ish, with zeros
        W, H = rng.random((m, r)), rng.random((r, n))
        if trial == 3:
            W[:, 2] = 0.0                          # a dead component stays dead
        expect_mu_step(k.call("nmf_mu_step", M, W, H), M, W, H,
                       f"nmf_mu_step on a random {m} x {n} matrix, rank {r} (trial {trial})")


@check("q3-nmf-step", "ten updates in a row decrease the loss monotonically", weight=2)
def _(k):
    rng = np.random.default_rng(RNG_SEED + 3)
    M = rng.random((12, 10)) @ rng.random((10, 10))
    W, H = rng.random((12, 4)), rng.random((4, 10))
    losses = [frobenius_loss(M, W, H)]
    for step in range(10):
        got = k.call("nmf_mu_step", M, W, H)
        expect(isinstance(got, (tuple, list)) and len(got) == 2,
               "nmf_mu_step should return (W_new, H_new)")
        W, H = np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float)
        expect(W.shape == (12, 4) and H.shape == (4, 10),
               f"after update {step + 1} the factors have shapes {W.shape}, {H.shape}")
        losses.append(frobenius_loss(M, W, H))
    increases = [i for i in range(10) if losses[i + 1] > losses[i] * (1 + 1e-9) + 1e-12]
    expect(not increases, f"the loss increased at update {increases[0] + 1 if increases else 0}"
                          f": {losses}")
    expect(losses[-1] < 0.9 * losses[0], f"ten updates should reduce the loss clearly, got "
                                         f"{losses[0]:.4g} -> {losses[-1]:.4g}")
