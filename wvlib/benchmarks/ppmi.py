"""Benchmark: PPMI-SVD (counting, PPMI, SVD) against gensim's skip-gram on the same corpus.

    python -m wvlib.benchmarks.ppmi [--corpus enwiki-sample] [--min-count 5] [PPMI options]
    python -m wvlib bench ppmi ...                      (the same, through the CLI)

Each method runs in a fresh child process (``multiprocessing`` with the "spawn" start method),
so that its peak memory is its own: the child loads the corpus, notes its resident set size,
trains, and reports the growth of its peak resident set size (``resource.getrusage``'s
``ru_maxrss``) over that starting point. ``tracemalloc`` would miss gensim's C allocations.
Both sets of vectors are then scored by :mod:`wvlib.evaluate` in the same way: WordSim-353 and
SimLex-999 Spearman rho and Google analogy accuracy (3CosAdd, ``--restrict-vocab`` most
frequent words, with the share of questions covered).

Wall-clock times on a shared machine are noisy, so each method is trained ``--repeat`` times
(alternating between the methods, every run in a new process) and the fastest run is reported,
as ``timeit`` does; the quality figures come from the first run and the memory figures are the
largest over the runs. gensim's time is the whole ``Word2Vec(...)`` call (vocabulary + training).
The CPU time (all threads) of the fastest run is shown too: it is less sensitive to other
programs competing for the cores, and shows that gensim keeps its two worker threads busy.

The wvlib pipeline timed here is exactly :func:`wvlib.pmi.train_ppmi_svd`, split into its three
calls so that the table can show where the time goes.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time

from wvlib.benchmarks import run_in_child

GENSIM_SETTINGS = dict(sg=1, vector_size=100, window=5, negative=5, epochs=5, workers=2)


# ---------------------------------------------------------------------------------------------
# measuring one method in a child process
# ---------------------------------------------------------------------------------------------

def _peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (ru_maxrss is kB on Linux, B on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _current_rss_bytes() -> int:
    """Current resident set size (from /proc on Linux; else the peak so far, an upper bound)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return _peak_rss_bytes()


def _load_average() -> float:
    """The 1-minute load average (NaN where the platform has none)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return float("nan")


def _cpu_seconds() -> float:
    """User + system CPU time of this process, all threads together."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _train_ppmi(corpus, options, stages):
    from wvlib.cooccurrence import cooccurrence_matrix
    from wvlib.corpus import Vocabulary
    from wvlib.pmi import ppmi_svd_embeddings

    t0 = time.perf_counter()
    vocab = Vocabulary.build(corpus.documents, min_count=options["min_count"],
                             max_size=options["max_vocab"])
    t1 = time.perf_counter()
    counts = cooccurrence_matrix(corpus.documents, vocab, window=options["window"],
                                 symmetric=True, weighting=options["weighting"],
                                 dynamic_window=options["dynamic_window"], seed=options["seed"])
    t2 = time.perf_counter()
    kv = ppmi_svd_embeddings(counts, vocab.words, dim=options["dim"], alpha=options["alpha"],
                             shift=options["shift"], eig=options["eig"],
                             add_context=options["add_context"], seed=options["seed"])
    t3 = time.perf_counter()
    stages.update(vocabulary=t1 - t0, counting=t2 - t1, ppmi_svd=t3 - t2, nnz=counts.nnz)
    return kv


def _train_gensim(corpus, options, stages):
    from gensim.models import Word2Vec

    from wvlib.vectors import KeyedVectors

    model = Word2Vec(sentences=corpus.documents, min_count=options["min_count"],
                     seed=options["seed"], **GENSIM_SETTINGS)
    return KeyedVectors(list(model.wv.index_to_key), model.wv.vectors.astype("float64"))


def measure(method: str, options: dict, evaluate: bool = True) -> dict:
    """Load the corpus, train one method and (if ``evaluate``) score it; meant to run in a
    fresh process."""
    from wvlib.corpus import load_corpus
    from wvlib.evaluate import evaluate_analogies, evaluate_word_pairs

    corpus = load_corpus(options["corpus"], max_documents=options["max_documents"],
                         verbose=False)
    rss_before = _current_rss_bytes()
    stages = {}
    cpu_start, start = _cpu_seconds(), time.perf_counter()
    kv = (_train_ppmi if method == "ppmi" else _train_gensim)(corpus, options, stages)
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    peak = _peak_rss_bytes()
    result = dict(method=method, seconds=seconds, cpu_seconds=cpu, stages=stages,
                  peak_mb=peak / 2**20, extra_mb=max(peak - rss_before, 0) / 2**20,
                  n_words=len(kv), dim=kv.vector_size,
                  n_documents=len(corpus), n_tokens=corpus.n_tokens)
    if evaluate:
        wordsim = evaluate_word_pairs(kv, "wordsim353")
        simlex = evaluate_word_pairs(kv, "simlex999")
        analogies = evaluate_analogies(kv, restrict_vocab=options["restrict_vocab"])
        result.update(wordsim=wordsim["spearman"], wordsim_pairs=wordsim["n_pairs"],
                      simlex=simlex["spearman"], simlex_pairs=simlex["n_pairs"],
                      analogy=analogies["accuracy"], analogy_coverage=analogies["coverage"])
    return result


BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _in_child(method: str, options: dict, evaluate: bool) -> dict:
    """Run :func:`measure` in a new "spawn" process (its own, fresh peak RSS). With
    ``options["blas_threads"]`` the child's BLAS thread pools are limited by environment
    variables, which must be set before the child imports numpy."""
    env = ({name: str(options["blas_threads"]) for name in BLAS_THREAD_VARIABLES}
           if options["blas_threads"] else {})
    return run_in_child(measure, method, options, evaluate, env=env)


# ---------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------

def add_arguments(parser) -> None:
    """Options of ``python -m wvlib bench ppmi``: corpus, the PPMI-SVD settings (defaults =
    those of :func:`wvlib.pmi.train_ppmi_svd`) and what to run."""
    from wvlib.cli import add_method_arguments
    from wvlib.methods import METHODS
    declared = METHODS["ppmi-svd"].params

    parser.add_argument("--corpus", default="enwiki-sample",
                        help="corpus name or path (default: %(default)s)")
    parser.add_argument("--max-documents", type=int, default=None,
                        help="use only the first N documents (default: all)")
    parser.add_argument("--min-count", type=int, default=5,
                        help="minimum word count, for both methods (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    parser.add_argument("--dim", type=int, default=declared["dim"].default,
                        help="PPMI-SVD dimension (default: %(default)s)")
    parser.add_argument("--window", type=int, default=declared["window"].default,
                        help="PPMI-SVD window radius (default: %(default)s; gensim always uses 5)")
    add_method_arguments(parser, METHODS["ppmi-svd"], skip=("dim", "window", "min_count", "seed"))
    parser.add_argument("--restrict-vocab", type=int, default=30000,
                        help="analogies: only the N most frequent words (default: %(default)s)")
    parser.add_argument("--only", choices=("ppmi", "gensim"), default=None,
                        help="run only one of the two methods (default: both)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="train each method this many times, alternating, each in a fresh "
                             "process, and report the fastest run; the quality figures come "
                             "from the first run (default: %(default)s)")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="limit the BLAS thread pools of both children to N threads; 0 "
                             "keeps the libraries' own choice (default: %(default)s: on a "
                             "busy 2-core machine multi-threaded OpenBLAS made the QR steps "
                             "of the SVD up to 100x slower; gensim's own worker threads are "
                             "not BLAS threads and are unaffected)")


def _format(results: list, options: dict) -> str:
    by = {r["method"]: r for r in results}
    first = results[0]
    lines = [f"corpus {options['corpus']}: {first['n_documents']:,} documents, "
             f"{first['n_tokens']:,} tokens, min_count {options['min_count']}",
             f"PPMI-SVD: dim={options['dim']} window={options['window']} "
             f"alpha={options['alpha']} shift={options['shift']} eig={options['eig']} "
             f"weighting={options['weighting']} dynamic_window={options['dynamic_window']} "
             f"add_context={options['add_context']}",
             f"          BLAS threads: {options['blas_threads'] or 'library default'}",
             "gensim:   Word2Vec(" + ", ".join(f"{k}={v}" for k, v in GENSIM_SETTINGS.items())
             + ")", ""]
    names = {"ppmi": "wvlib PPMI-SVD", "gensim": "gensim SGNS"}
    cols = [m for m in ("ppmi", "gensim") if m in by]
    rows = [
        ("words x dim", lambda r: f"{r['n_words']:,} x {r['dim']}"),
        ("wall time (s), best", lambda r: f"{r['seconds']:.2f}"),
        ("CPU time of best (s)", lambda r: f"{r['cpu_seconds']:.2f}"),
        ("peak RSS growth (MB)", lambda r: f"{r['extra_mb']:.0f}"),
        ("peak RSS total (MB)", lambda r: f"{r['peak_mb']:.0f}"),
        ("WordSim-353 rho", lambda r: f"{r['wordsim']:.3f} ({r['wordsim_pairs']} pairs)"),
        ("SimLex-999 rho", lambda r: f"{r['simlex']:.3f} ({r['simlex_pairs']} pairs)"),
        ("analogy accuracy", lambda r: f"{r['analogy']:.3f} (coverage "
                                       f"{r['analogy_coverage']:.2f})"),
    ]
    width = 26
    lines.append(f"{'':22}" + "".join(f"{names[m]:>{width}}" for m in cols))
    for label, fmt in rows:
        lines.append(f"{label:22}" + "".join(f"{fmt(by[m]):>{width}}" for m in cols))
    lines.append("")
    for m in cols:
        lines.append(f"all runs of {names[m]} (s): "
                     + " ".join(f"{t:.2f}" for t in by[m]["all_seconds"]))
    if "ppmi" in by:
        st = by["ppmi"]["stages"]
        lines.append(f"PPMI-SVD stages: vocabulary {st['vocabulary']:.1f} s, counting "
                     f"{st['counting']:.1f} s ({st['nnz']:,} nonzeros), PPMI + SVD "
                     f"{st['ppmi_svd']:.1f} s")
    if len(cols) == 2:
        ratio = by["ppmi"]["seconds"] / by["gensim"]["seconds"]
        lines.append(f"time ratio PPMI-SVD / gensim = {ratio:.2f}")
    if "load" in options:
        lines.append(f"1-minute load average before / after: {options['load'][0]:.1f} / "
                     f"{options['load'][1]:.1f} on {os.cpu_count()} cores (this benchmark's own "
                     f"runs count too; other busy programs slow both methods down)")
    return "\n".join(lines)


def run(args) -> int:
    """Run the benchmark and print the table; returns the exit status."""
    from wvlib.methods import METHODS
    method = METHODS["ppmi-svd"]
    for name, value in method.defaults().items():     # options not given: declared default
        if getattr(args, name, None) is None:
            setattr(args, name, value)
    method.validate({name: getattr(args, name) for name in method.params})
    for name in ("min_count", "dim", "window", "repeat", "restrict_vocab", "blas_threads"):
        minimum = 0 if name == "blas_threads" else 1
        if getattr(args, name) < minimum:
            raise ValueError(f"--{name.replace('_', '-')} must be an integer >= {minimum}, "
                             f"got {getattr(args, name)}")
    options = dict(corpus=args.corpus, max_documents=args.max_documents,
                   min_count=args.min_count, seed=args.seed, dim=args.dim, window=args.window,
                   alpha=args.alpha, shift=args.shift, eig=args.eig, add_context=args.add_context,
                   weighting=args.weighting, dynamic_window=args.dynamic_window,
                   max_vocab=args.max_vocab, restrict_vocab=args.restrict_vocab,
                   blas_threads=args.blas_threads)
    methods = [args.only] if args.only else ["ppmi", "gensim"]
    runs = {method: [] for method in methods}
    load_before = _load_average()
    for r in range(args.repeat):
        for method in methods:                      # alternate, so load changes hit both
            print(f"run {r + 1}/{args.repeat}: {method} ...", file=sys.stderr, flush=True)
            runs[method].append(_in_child(method, options, evaluate=(r == 0)))
    options["load"] = (load_before, _load_average())
    results = []
    for method in methods:
        first, fastest = runs[method][0], min(runs[method], key=lambda x: x["seconds"])
        results.append(dict(first, seconds=fastest["seconds"], stages=fastest["stages"],
                            cpu_seconds=fastest["cpu_seconds"],
                            all_seconds=[x["seconds"] for x in runs[method]],
                            extra_mb=max(x["extra_mb"] for x in runs[method]),
                            peak_mb=max(x["peak_mb"] for x in runs[method])))
    print(_format(results, options))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wvlib.benchmarks.ppmi",
                                     description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
