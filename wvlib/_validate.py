"""Input checks shared by every wvlib module.

Every public function validates its arguments at the boundary and raises an error that names the
argument and says what was expected, in the style of scikit-learn::

    >>> check_positive_int(0, "window")
    Traceback (most recent call last):
    ...
    ValueError: window must be a positive integer, got 0
"""
from __future__ import annotations

import numbers
import sys

import numpy as np


def _is_sparse(A) -> bool:
    """``scipy.sparse.issparse(A)`` without importing SciPy: a sparse matrix can only exist
    once ``scipy.sparse`` has been imported (so ``import wvlib.vectors`` stays light)."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and sparse.issparse(A)


def check_positive_int(value, name: str, *, allow_zero: bool = False) -> int:
    """Return ``value`` as an ``int`` if it is a positive (or, with ``allow_zero``, non-negative)
    integer; otherwise raise ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if value < 0 or (value == 0 and not allow_zero):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} integer, got {value}")
    return value


def check_optional_positive_int(value, name: str):
    """``None`` or a positive integer."""
    return None if value is None else check_positive_int(value, name)


def check_float(value, name: str, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """Return ``value`` as a finite ``float`` inside the given bounds, or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        op = ">" if low_open else ">="
        raise ValueError(f"{name} must be {op} {low}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        op = "<" if high_open else "<="
        raise ValueError(f"{name} must be {op} {high}, got {value}")
    return value


def check_choice(value, name: str, choices) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise raise ``ValueError`` listing them."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def check_matrix(A, name: str, *, allow_sparse: bool = True, square: bool = False,
                 dtype=np.float64, copy_sparse: bool = True):
    """Validate a 2-D numeric matrix (dense array-like or ``scipy.sparse``).

    Returns a float ``ndarray`` or a CSR matrix of ``dtype``. Raises ``ValueError`` for a wrong
    number of dimensions, an empty matrix, non-numeric or non-finite entries, and ``TypeError``
    for sparse input where only dense is accepted. A sparse result is a copy that the caller may
    modify, unless ``copy_sparse=False`` (for callers that only read it: then it may share its
    arrays with ``A``).
    """
    if _is_sparse(A):
        import scipy.sparse as sp
        if not allow_sparse:
            raise TypeError(f"{name} must be a dense array, got a scipy.sparse matrix; "
                            f"call .toarray() first")
        A = sp.csr_matrix(A)
        if not np.issubdtype(A.dtype, np.number) or np.issubdtype(A.dtype, np.complexfloating):
            raise ValueError(f"{name} must hold real numbers, got dtype {A.dtype}")
        A = A.astype(dtype, copy=copy_sparse)
        if not np.all(np.isfinite(A.data)):
            raise ValueError(f"{name} contains NaN or infinite entries")
    else:
        try:
            arr = np.asarray(A)
        except Exception as exc:  # ragged lists and the like
            raise ValueError(f"{name} must be a 2-D numeric array: {exc}") from None
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                       or arr.dtype == np.bool_):
            raise ValueError(f"{name} must be a 2-D numeric array, got dtype {arr.dtype}")
        if np.issubdtype(arr.dtype, np.complexfloating):
            raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}")
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-D, got an array of shape {arr.shape}")
        A = arr.astype(dtype, copy=False)
        if not np.all(np.isfinite(A)):
            raise ValueError(f"{name} contains NaN or infinite entries")
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"{name} must not be empty, got shape {A.shape}")
    if square and A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be square, got shape {A.shape}")
    return A


def check_vector(x, name: str, *, size=None, dtype=np.float64) -> np.ndarray:
    """Validate a 1-D finite numeric vector (optionally of a given ``size``)."""
    try:
        arr = np.asarray(x)
    except Exception as exc:
        raise ValueError(f"{name} must be a 1-D numeric array: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise ValueError(f"{name} must be a 1-D numeric array, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {arr.shape}")
    if size is not None and arr.shape[0] != size:
        raise ValueError(f"{name} must have length {size}, got {arr.shape[0]}")
    arr = arr.astype(dtype, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite entries")
    return arr


def check_indices(idx, name: str, size: int) -> np.ndarray:
    """Validate a 1-D array of integer indices into ``range(size)``; return it as int64."""
    idx = np.asarray(idx)
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D array of integer indices, got dtype "
                         f"{idx.dtype} and shape {idx.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise ValueError(f"{name} must hold indices in [0, {size}), got values from "
                         f"{idx.min()} to {idx.max()}")
    return idx.astype(np.int64)


def check_random_state(seed, name: str = "seed") -> np.random.Generator:
    """Turn ``seed`` (``None``, an int, or a ``Generator``) into a ``numpy.random.Generator``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"{name} must be None, a non-negative integer or a numpy Generator, "
                         f"got {seed!r}")
    return np.random.default_rng(int(seed))
