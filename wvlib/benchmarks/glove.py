"""Benchmark: GloVe (wvlib.glove) next to PPMI-SVD, on the same co-occurrence counts.

    python -m wvlib.benchmarks.glove [--corpus enwiki-sample] [--epochs 25] ...
    python -m wvlib bench glove ...               (the same, through the CLI)

Both methods start from the same matrix: a symmetric window of ``--window`` words with
the 1/distance ("harmonic") weighting of GloVe, over the words seen ``--min-count``
times. Each method runs in a fresh child process ("spawn"), so that its peak memory is
its own (growth of ``ru_maxrss`` over the resident set after loading the corpus, as in
:mod:`wvlib.benchmarks.ppmi`). Reported:

* co-occurrence counting time and the number of non-zeros (the pairs GloVe trains on);
* GloVe: seconds per epoch (median, fastest and slowest), CPU seconds per epoch,
  non-zeros per second, total training time; PPMI-SVD: the time of PPMI + truncated SVD;
* peak memory, WordSim-353 and SimLex-999 Spearman rho, Google analogy accuracy
  (3CosAdd, ``--restrict-vocab`` most frequent words);
* the JIT cost: the first call of the compiled loop in a process whose numba cache
  folder is empty (cold: compiling) and in one where the cache is filled (warm: loading
  machine code).

The reference figures of the original C code (Stanford GloVe, same settings, same
machine type) are printed under the table. On a machine shared with other programs
wall-clock times vary a lot; the CPU time and the 1-minute load average are printed so
that a reader can judge.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from wvlib.benchmarks import run_in_child
from wvlib.benchmarks.ppmi import (BLAS_THREAD_VARIABLES, _cpu_seconds,
                                   _current_rss_bytes, _load_average, _peak_rss_bytes)

C_REFERENCE = dict(nnz=2_501_177, seconds_per_epoch=3.4, wordsim=0.22, simlex=0.11)


def _counts(options):
    from wvlib.cooccurrence import cooccurrence_matrix
    from wvlib.corpus import Vocabulary, load_corpus

    corpus = load_corpus(options["corpus"], max_documents=options["max_documents"],
                         verbose=False)
    rss_before = _current_rss_bytes()
    start = time.perf_counter()
    vocab = Vocabulary.build(corpus.documents, min_count=options["min_count"])
    counts = cooccurrence_matrix(corpus.documents, vocab, window=options["window"],
                                 weighting="harmonic")
    return corpus, vocab, counts, time.perf_counter() - start, rss_before


def measure(method: str, options: dict) -> dict:
    """Count, train one method and score it; meant to run in a fresh process."""
    from wvlib.evaluate import evaluate_analogies, evaluate_word_pairs

    corpus, vocab, counts, count_seconds, rss_before = _counts(options)
    result = dict(method=method, count_seconds=count_seconds, nnz=int(counts.nnz),
                  n_words=len(vocab), n_tokens=corpus.n_tokens, n_documents=len(corpus))
    cpu_start, start = _cpu_seconds(), time.perf_counter()
    if method == "glove":
        from wvlib.glove import GloVe
        model = GloVe(dim=options["dim"], x_max=options["x_max"],
                      alpha=options["alpha"], epochs=options["epochs"],
                      learning_rate=options["learning_rate"], seed=options["seed"],
                      threads=options["threads"], verbose=False)
        kv = model.fit(counts, vocab.words)
        epochs = sorted(model.epoch_seconds_)
        cpu = sorted(model.epoch_cpu_seconds_)
        result.update(epoch_median=epochs[len(epochs) // 2], epoch_min=epochs[0],
                      epoch_max=epochs[-1], final_loss=model.loss_history_[-1],
                      epoch_cpu_median=cpu[len(cpu) // 2])
    else:
        from wvlib.pmi import ppmi_svd_embeddings
        kv = ppmi_svd_embeddings(counts, vocab.words, dim=options["dim"], alpha=0.75,
                                 eig=0.5, seed=options["seed"])
    result.update(seconds=time.perf_counter() - start,
                  cpu_seconds=_cpu_seconds() - cpu_start)
    peak = _peak_rss_bytes()
    result.update(peak_mb=peak / 2**20, extra_mb=max(peak - rss_before, 0) / 2**20)
    wordsim = evaluate_word_pairs(kv, "wordsim353")
    simlex = evaluate_word_pairs(kv, "simlex999")
    analogies = evaluate_analogies(kv, restrict_vocab=options["restrict_vocab"])
    result.update(wordsim=wordsim["spearman"], simlex=simlex["spearman"],
                  analogy=analogies["accuracy"], analogy_coverage=analogies["coverage"])
    return result


def measure_jit() -> dict:
    """Time the first GloVe fit of this process on a tiny matrix (compiling or loading
    from the cache), and a second one (already in memory)."""
    import numpy as np

    start = time.perf_counter()
    from wvlib.glove import GloVe
    imported = time.perf_counter() - start
    X = np.arange(1.0, 17.0).reshape(4, 4)
    times, cpu = [], []
    for _ in range(2):
        start, cpu_start = time.perf_counter(), time.process_time()
        GloVe(dim=4, epochs=1, threads=1, verbose=False).fit(X)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    return dict(import_seconds=imported, first_seconds=times[0],
                second_seconds=times[1], first_cpu_seconds=cpu[0])


# --------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------

def add_arguments(parser) -> None:
    """Options of ``python -m wvlib bench glove`` (GloVe defaults: those declared for
    ``wvlib train glove``)."""
    from wvlib.methods import METHODS
    declared = METHODS["glove"].defaults()

    parser.add_argument("--corpus", default="enwiki-sample",
                        help="corpus name or path (default: %(default)s)")
    parser.add_argument("--max-documents", type=int, default=None,
                        help="use only the first N documents (default: all)")
    parser.add_argument("--min-count", type=int, default=declared["min_count"],
                        help="minimum word count (default: %(default)s)")
    parser.add_argument("--window", type=int, default=declared["window"],
                        help="window radius, 1/distance weighting, for both methods "
                             "(default: %(default)s)")
    parser.add_argument("--dim", type=int, default=declared["dim"],
                        help="dimension of both methods (default: %(default)s)")
    parser.add_argument("--x-max", type=float, default=declared["x_max"],
                        help="GloVe's x_max (default: %(default)s)")
    parser.add_argument("--alpha", type=float, default=declared["alpha"],
                        help="GloVe's weighting exponent (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=declared["epochs"],
                        help="GloVe epochs (default: %(default)s)")
    parser.add_argument("--learning-rate", type=float,
                        default=declared["learning_rate"],
                        help="GloVe's AdaGrad step size (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=declared["threads"],
                        help="GloVe's Hogwild threads (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed (default: %(default)s)")
    parser.add_argument("--restrict-vocab", type=int, default=30000,
                        help="analogies: only the N most frequent words "
                             "(default: %(default)s)")
    parser.add_argument("--only", choices=("glove", "ppmi"), default=None,
                        help="run only one of the two methods (default: both)")
    parser.add_argument("--no-jit", action="store_true",
                        help="skip the cold/warm JIT measurement")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads of the children (default: %(default)s, see "
                             "bench ppmi; 0 keeps the library default)")


def _format(results: dict, jit: dict | None, options: dict) -> str:
    first = next(iter(results.values()))
    lines = [f"corpus {options['corpus']}: {first['n_documents']:,} documents, "
             f"{first['n_tokens']:,} tokens; {first['n_words']:,} words with count >= "
             f"{options['min_count']}; window {options['window']} (1/distance), dim "
             f"{options['dim']}",
             f"co-occurrence matrix: {first['nnz']:,} non-zeros, counted in "
             f"{first['count_seconds']:.2f} s",
             f"GloVe: x_max={options['x_max']} alpha={options['alpha']} epochs="
             f"{options['epochs']} learning_rate={options['learning_rate']} threads="
             f"{options['threads']} seed={options['seed']}", ""]
    names = {"glove": "wvlib GloVe", "ppmi": "wvlib PPMI-SVD"}
    na = "-"
    rows = [
        ("seconds per epoch, median",
         lambda r: f"{r['epoch_median']:.2f}" if "epoch_median" in r else na),
        ("seconds per epoch, min-max",
         lambda r: f"{r['epoch_min']:.2f}-{r['epoch_max']:.2f}" if "epoch_min" in r
         else na),
        ("CPU seconds per epoch", lambda r: f"{r['epoch_cpu_median']:.2f}"
         if "epoch_cpu_median" in r else na),
        ("non-zeros per second", lambda r: f"{r['nnz'] / r['epoch_median'] / 1e6:.2f} M"
         if "epoch_median" in r else na),
        ("training time (s)", lambda r: f"{r['seconds']:.1f}"),
        ("CPU time (s)", lambda r: f"{r['cpu_seconds']:.1f}"),
        ("peak RSS growth (MB)", lambda r: f"{r['extra_mb']:.0f}"),
        ("peak RSS total (MB)", lambda r: f"{r['peak_mb']:.0f}"),
        ("WordSim-353 rho", lambda r: f"{r['wordsim']:.3f}"),
        ("SimLex-999 rho", lambda r: f"{r['simlex']:.3f}"),
        ("analogy accuracy", lambda r: f"{r['analogy']:.3f} "
                                       f"(cov. {r['analogy_coverage']:.2f})"),
    ]
    width = 22
    cols = list(results)
    lines.append(f"{'':28}" + "".join(f"{names[m]:>{width}}" for m in cols)
                 + f"{'C GloVe (reference)':>{width}}")
    c_rate = C_REFERENCE["nnz"] / C_REFERENCE["seconds_per_epoch"] / 1e6
    ref = {"seconds per epoch, median": f"{C_REFERENCE['seconds_per_epoch']}",
           "non-zeros per second": f"{c_rate:.2f} M",
           "WordSim-353 rho": f"~{C_REFERENCE['wordsim']}",
           "SimLex-999 rho": f"~{C_REFERENCE['simlex']}"}
    for label, fmt in rows:
        cells = "".join(f"{fmt(results[m]):>{width}}" for m in cols)
        lines.append(f"{label:28}" + cells + f"{ref.get(label, ''):>{width}}")
    if jit:
        lines += ["", f"JIT, first fit in a new process: cold cache "
                      f"{jit['cold']['first_seconds']:.1f} s (compiling; CPU "
                      f"{jit['cold']['first_cpu_seconds']:.1f} s), warm cache "
                      f"{jit['warm']['first_seconds']:.2f} s (loading); "
                      f"second fit {jit['warm']['second_seconds'] * 1000:.0f} ms; "
                      f"import wvlib.glove {jit['warm']['import_seconds']:.2f} s"]
    lines.append(f"1-minute load average before / after: {options['load'][0]:.1f} / "
                 f"{options['load'][1]:.1f} on {os.cpu_count()} cores (other programs "
                 f"slow the wall-clock times down)")
    return "\n".join(lines)


def run(args) -> int:
    """Run the benchmark and print the table; returns the exit status."""
    from wvlib.methods import METHODS
    METHODS["glove"].validate(dict(
        dim=args.dim, window=args.window, min_count=args.min_count, x_max=args.x_max,
        alpha=args.alpha, epochs=args.epochs, learning_rate=args.learning_rate,
        threads=args.threads, seed=args.seed))
    if args.restrict_vocab < 1 or args.blas_threads < 0:
        raise ValueError("--restrict-vocab must be >= 1 and --blas-threads >= 0")
    options = dict(corpus=args.corpus, max_documents=args.max_documents,
                   min_count=args.min_count, window=args.window, dim=args.dim,
                   x_max=args.x_max, alpha=args.alpha, epochs=args.epochs,
                   learning_rate=args.learning_rate, threads=args.threads,
                   seed=args.seed, restrict_vocab=args.restrict_vocab)
    env = ({name: str(args.blas_threads) for name in BLAS_THREAD_VARIABLES}
           if args.blas_threads else {})
    load_before = _load_average()
    jit = None
    if not args.no_jit:
        print("JIT: cold and warm cache ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as empty:
            cold = run_in_child(measure_jit, env=dict(env, NUMBA_CACHE_DIR=empty))
        run_in_child(measure_jit, env=env)             # fills the ordinary cache if needed
        jit = dict(cold=cold, warm=run_in_child(measure_jit, env=env))
    results = {}
    for method in [args.only] if args.only else ["glove", "ppmi"]:
        print(f"{method} ...", file=sys.stderr, flush=True)
        results[method] = run_in_child(measure, method, options, env=env)
    options["load"] = (load_before, _load_average())
    print(_format(results, jit, options))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wvlib.benchmarks.glove",
                                     description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
