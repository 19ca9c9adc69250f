"""Benchmarks run by ``python -m wvlib bench NAME`` (one module per benchmark)."""
import os


def run_in_child(function, *args, env=None):
    """Run ``function(*args)`` in a new "spawn" process (its own imports, JIT cache use and
    peak memory) with extra environment variables, which must be set before the child imports
    numpy (BLAS thread pools) or numba (its cache folder)."""
    import multiprocessing

    env = env or {}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(1) as pool:
            return pool.apply(function, args)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
