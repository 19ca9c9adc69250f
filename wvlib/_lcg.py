"""The random numbers of the compiled trainers: a linear congruential generator, as in the
original word2vec C code (next = next · 25214903917 + 11 mod 2^64).

Every compiled kernel that needs random numbers threads a ``uint64`` state through these
functions (``state = lcg_next(state)``), so that a job's numbers depend only on its seed:
with one thread and a seed, a training is reproducible. The high bits are used (the low
bits of such a generator have short periods). word2vec's kernels (subsampling, windows,
negative draws) and GloVe's parallel shuffle share them; they live apart from both so that
neither trainer imports the other.
"""
from __future__ import annotations

import numpy as np

from ._jit import njit

__all__ = ["lcg_next", "lcg_uniform", "lcg_below"]

_LCG_MUL = np.uint64(25214903917)
_LCG_ADD = np.uint64(11)
_SHIFT32 = np.uint64(32)
_SHIFT40 = np.uint64(40)
_INV24 = np.float32(1.0 / 16777216.0)


@njit
def lcg_next(state):
    """The generator's next state (a ``uint64``): state·25214903917 + 11 mod 2^64."""
    return state * _LCG_MUL + _LCG_ADD


@njit
def lcg_uniform(state):
    """A float32 in [0, 1) from the top 24 bits of the generator's state."""
    return np.float32(state >> _SHIFT40) * _INV24


@njit
def lcg_below(state, n):
    """An integer in [0, n) from the top 32 bits of the state (a multiply and a shift,
    no division; Lemire 2019)."""
    return np.int64(((state >> _SHIFT32) * np.uint64(n)) >> _SHIFT32)
