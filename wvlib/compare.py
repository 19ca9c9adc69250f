"""One harness for all methods: train each on the same corpus and score them the same way.

    python -m wvlib compare --corpus enwiki-sample [--methods counts,lsa,ppmi-svd,...]
                            [--out results.json] [--figure quality_vs_time.png]

Every method is trained by the function that ``wvlib train METHOD`` calls (looked up in
:data:`wvlib.methods.METHODS`; there is no second implementation here), with

* the same vocabulary: one ``min_count`` for all (the declared per-corpus default unless
  given), so every method keeps the same words;
* the same window radius for every method that has one (LSA's context is the document);
* the same dimension ``dim`` for the factorizing methods, capped at what the data allows
  (the vocabulary size; for LSA also the number of documents). ``counts`` keeps its declared
  ``dim``: its "dimensions" are the most frequent context words, not a rank;
* per-method settings on top (``params={"glove": {"epochs": 10}}``, or ``--set
  glove.epochs=10`` on the command line), validated by the method's declaration.

Each trained model is scored by :mod:`wvlib.evaluate`: WordSim-353 and SimLex-999 (Spearman
ρ, pairs used and out of vocabulary) and the Google analogies with 3CosAdd and 3CosMul
(accuracy and coverage, among the ``restrict_vocab`` most frequent words).

What is measured, per method
    ``wall_seconds`` (``time.perf_counter``) and ``cpu_seconds`` (``time.process_time``: all
    threads of this process; on a machine shared with other programs it says more about the
    work than the wall time) of the training call alone: the corpus is loaded once, before,
    and the compiled methods (GloVe, skip-gram, CBOW, fastText) are first run once on the tiny ``toy``
    corpus, untimed, so that numba's one-off compilation (or loading of its cache) is not
    charged to whichever of them comes first (``warm_up_seconds`` in the results).
    ``peak_memory_mb``: the peak of the memory traced by :mod:`tracemalloc` during the call,
    over what was allocated when it started. tracemalloc is chosen because it can be reset
    between methods inside one process, and NumPy and SciPy report their array buffers to it,
    which is where these methods keep their matrices; ``resource.getrusage``'s ``ru_maxrss``
    is a high-water mark of the whole process that never goes down, so after the first
    method it would only show the methods that exceed every earlier one (the benchmarks in
    :mod:`wvlib.benchmarks` pay a fresh process per method for that). What tracemalloc does
    not see: BLAS/LAPACK work space and numba's own allocations (small here: the compiled
    loops work in arrays that NumPy allocated). Tracing every allocation slows down
    Python-heavy code (building a vocabulary) a little; the times include that.

The results are a JSON-ready dict (:func:`compare`), a text table (:func:`format_table`) and a
figure of quality against training time (:func:`plot_quality_vs_time`).
"""
from __future__ import annotations

import sys
import time

DEFAULT_METHODS = ("counts", "lsa", "ppmi-svd", "glove", "sgns", "cbow", "nmf", "fasttext")
DEFAULT_WINDOW = 5
DEFAULT_DIM = 100
# Settings that keep the whole comparison short enough for the book build (chapter 8):
# GloVe's 25 epochs are its declared default; 10 keep the harness quick. At the harness's
# window of 5, GloVe is weak on enwiki-sample whatever the epochs (WordSim-353 0.06 / 0.10 /
# 0.06 after 10 / 25 / 50 epochs, single runs); at its default window of 10 and 25 epochs it
# reaches about 0.2. Override with params={"glove": {"epochs": 25}} or --set glove.epochs=25.
DEFAULT_PARAMS = {"glove": {"epochs": 10}}
SCHEMA_VERSION = 1
# methods with numba-compiled loops: warmed up on the toy corpus before they are timed
_COMPILED = ("glove", "sgns", "cbow", "fasttext")

__all__ = ["compare", "format_table", "plot_quality_vs_time", "DEFAULT_METHODS"]


def _check_methods(methods):
    from .methods import METHODS
    if methods is None:
        return list(DEFAULT_METHODS)
    if isinstance(methods, str):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    if not isinstance(methods, (list, tuple)) or not methods:
        raise ValueError("methods must be a non-empty list of method names (or a "
                         f"comma-separated string), got {methods!r}")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"methods: unknown method {', '.join(map(repr, unknown))}; the "
                         f"methods are {', '.join(METHODS)}")
    if len(set(methods)) != len(methods):
        raise ValueError(f"methods must not repeat a method, got {methods}")
    return list(methods)


def _check_params(params, methods):
    from .methods import METHODS
    merged = {m: dict(DEFAULT_PARAMS.get(m, {})) for m in methods}
    if params is None:
        return merged
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict method -> {{parameter: value}}, got "
                        f"{type(params).__name__}")
    for method, values in params.items():
        if method not in METHODS:
            raise ValueError(f"params: unknown method {method!r}; the methods are "
                             f"{', '.join(METHODS)}")
        if not isinstance(values, dict):
            raise TypeError(f"params[{method!r}] must be a dict of parameters, got "
                            f"{type(values).__name__}")
        METHODS[method].validate(values)           # unknown names: TypeError naming them
        merged.setdefault(method, {}).update(values)
    return merged


def _settings_for(method, *, window, min_count, dim, seed, n_words, n_documents, extra):
    """The keyword arguments of one method's training function."""
    from .methods import METHODS
    declared = METHODS[method].params
    kwargs = {"min_count": min_count}
    if "window" in declared:
        kwargs["window"] = window
    if "seed" in declared:
        kwargs["seed"] = seed
    if "dim" in declared and method != "counts":
        limit = n_words if method != "lsa" else min(n_words, n_documents)
        kwargs["dim"] = min(dim, limit)
    kwargs.update(extra)
    return kwargs


def _warm_up(methods, params):
    """Run each compiled method once on the toy corpus (compiles or loads numba's cache)."""
    from .corpus import load_corpus
    from .methods import METHODS
    toy = load_corpus("toy")
    start = time.perf_counter()
    for method in methods:
        if method in _COMPILED:
            extra = {k: v for k, v in params.get(method, {}).items()
                     if k in ("threads", "hs", "negative")}
            if "negative" in extra:
                extra["negative"] = min(extra["negative"], 5)
            METHODS[method].load()(toy, min_count=1, dim=8, window=2, epochs=1,
                                   verbose=False, **extra)
    return time.perf_counter() - start


def _number(x):
    """A float for JSON: NaN (a correlation over fewer than 2 pairs) becomes None."""
    x = float(x)
    return None if x != x else x


def _word_pairs(kv, name):
    from .evaluate import evaluate_word_pairs
    r = evaluate_word_pairs(kv, name)
    return {"spearman": _number(r["spearman"]), "n_pairs": r["n_pairs"],
            "n_oov": r["n_oov"]}


def _analogies(kv, method, restrict_vocab):
    from .evaluate import evaluate_analogies
    r = evaluate_analogies(kv, restrict_vocab=restrict_vocab, method=method)
    return {"accuracy": r["accuracy"], "coverage": r["coverage"], "correct": r["correct"],
            "total": r["total"]}


def evaluate_vectors(kv, restrict_vocab=30000) -> dict:
    """The scores of the comparison for one set of vectors: WordSim-353, SimLex-999 and the
    Google analogies by 3CosAdd (``analogies_add``) and 3CosMul (``analogies_mul``)."""
    return {"wordsim353": _word_pairs(kv, "wordsim353"),
            "simlex999": _word_pairs(kv, "simlex999"),
            "analogies_add": _analogies(kv, "add", restrict_vocab),
            "analogies_mul": _analogies(kv, "mul", restrict_vocab)}


def _measure(function, corpus, kwargs):
    import gc
    import tracemalloc

    gc.collect()
    started_tracing = not tracemalloc.is_tracing()
    if started_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        kv = function(corpus, verbose=False, **kwargs)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        if started_tracing:
            tracemalloc.stop()
    return kv, wall, cpu, max(peak, 0) / 2**20


def compare(corpus, methods=None, *, window=DEFAULT_WINDOW, min_count=None, dim=DEFAULT_DIM,
            params=None, restrict_vocab=30000, seed=0, progress=True, stream=None) -> dict:
    """Train every method on the same corpus and settings, time it and score it.

    Parameters
    ----------
    corpus : str, os.PathLike, wvlib.corpus.Corpus or list of list of str
        A corpus name or a text file for :func:`wvlib.corpus.load_corpus`, or documents.
    methods : list of str or str, optional
        Names of :data:`wvlib.methods.METHODS` (or ``"a,b,c"``); default
        :data:`DEFAULT_METHODS`, all eight.
    window : int, default 5
        Context window radius of every method that has one.
    min_count : int, optional
        Minimum word count of every method; default: the declared one for the corpus (5, or
        1 on ``toy``).
    dim : int, default 100
        Dimension of every factorizing method (capped at what the data allows).
    params : dict, optional
        Per-method settings, ``{"glove": {"epochs": 25}}``, on top of
        :data:`DEFAULT_PARAMS`; validated against each method's declaration.
    restrict_vocab : int, default 30000
        Analogies: answer among (and ask within) the most frequent words.
    seed : int, default 0
        Seed of every method that has one.
    progress : bool, default True
        Print one line per method (on ``stream``, default standard error) as it finishes.
    stream : file-like, optional

    Returns
    -------
    dict
        ``schema``, ``corpus``, ``n_documents``, ``n_tokens``, ``n_words``, ``settings``
        (``window``, ``min_count``, ``dim``, ``restrict_vocab``, ``seed``), ``params``
        (method -> the keyword arguments its training function got), ``results`` (one dict
        per method, in order: ``method``, ``n_words``, ``dim``, ``wall_seconds``,
        ``cpu_seconds``, ``peak_memory_mb`` and the scores of :func:`evaluate_vectors`) and
        ``warm_up_seconds`` (compiling or loading the compiled loops, untimed otherwise) and
        ``total_seconds`` (wall time of the whole comparison, evaluation included). A
        correlation that is undefined (fewer than 2 pairs known) is ``None``.
    """
    import os

    from ._validate import check_positive_int
    from .corpus import Corpus, Vocabulary, as_documents, load_corpus
    from .methods import METHODS

    start = time.perf_counter()
    methods = _check_methods(methods)
    params = _check_params(params, methods)
    window = check_positive_int(window, "window")
    dim = check_positive_int(dim, "dim")
    restrict_vocab = check_positive_int(restrict_vocab, "restrict_vocab")
    seed = check_positive_int(seed, "seed", allow_zero=True)
    stream = sys.stderr if stream is None else stream
    if isinstance(corpus, (str, os.PathLike)):
        name = str(corpus)
        corpus = load_corpus(corpus, verbose=False)
    elif isinstance(corpus, Corpus):
        name = corpus.name
    else:
        name = "documents"
        corpus = Corpus(name, as_documents(corpus, "corpus"))
    if min_count is None:
        min_count = METHODS["counts"].defaults(name)["min_count"]
    min_count = check_positive_int(min_count, "min_count")
    n_words = len(Vocabulary.build(corpus, min_count=min_count))
    if n_words < 2:
        raise ValueError(f"min_count={min_count} leaves {n_words} word(s) in the corpus "
                         f"{name!r}: the comparison needs at least 2")

    out = {"schema": SCHEMA_VERSION, "corpus": name, "n_documents": len(corpus),
           "n_tokens": corpus.n_tokens, "n_words": n_words,
           "settings": {"window": window, "min_count": min_count, "dim": dim,
                        "restrict_vocab": restrict_vocab, "seed": seed},
           "params": {}, "results": []}
    out["warm_up_seconds"] = _warm_up(methods, params)
    for i, method in enumerate(methods, 1):
        kwargs = _settings_for(method, window=window, min_count=min_count, dim=dim, seed=seed,
                               n_words=n_words, n_documents=len(corpus),
                               extra=params.get(method, {}))
        out["params"][method] = kwargs
        kv, wall, cpu, peak = _measure(METHODS[method].load(), corpus, kwargs)
        row = {"method": method, "n_words": len(kv), "dim": kv.vector_size,
               "wall_seconds": wall, "cpu_seconds": cpu, "peak_memory_mb": peak}
        row.update(evaluate_vectors(kv, restrict_vocab))
        out["results"].append(row)
        if progress:
            print(f"[{i}/{len(methods)}] {method:<8} {wall:6.1f} s (CPU {cpu:5.1f} s), "
                  f"{peak:6.0f} MB | WordSim-353 {_rho(row, 'wordsim353'):.3f}, "
                  f"SimLex-999 {_rho(row, 'simlex999'):.3f}, analogies "
                  f"{100 * row['analogies_add']['accuracy']:.1f}% "
                  f"(coverage {100 * row['analogies_add']['coverage']:.0f}%)",
                  file=stream, flush=True)
    out["total_seconds"] = time.perf_counter() - start
    return out


def _check_results(results):
    if not isinstance(results, dict) or not isinstance(results.get("results"), list):
        raise TypeError("results must be the dict returned by wvlib.compare.compare")
    return results["results"]


def _rho(r, key):
    value = r[key]["spearman"]
    return float("nan") if value is None else value


def format_table(results) -> str:
    """A text table of :func:`compare`'s results, one line per method."""
    rows = _check_results(results)
    header = (f"{'method':<9} {'dim':>4} {'wall s':>7} {'CPU s':>7} {'MB':>6} "
              f"{'WS-353':>7} {'SL-999':>7} {'3CosAdd':>8} {'3CosMul':>8} {'cover':>6}")
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r['method']:<9} {r['dim']:>4} {r['wall_seconds']:>7.1f} "
                     f"{r['cpu_seconds']:>7.1f} {r['peak_memory_mb']:>6.0f} "
                     f"{_rho(r, 'wordsim353'):>7.3f} {_rho(r, 'simlex999'):>7.3f} "
                     f"{100 * r['analogies_add']['accuracy']:>7.1f}% "
                     f"{100 * r['analogies_mul']['accuracy']:>7.1f}% "
                     f"{100 * r['analogies_add']['coverage']:>5.0f}%")
    s = results.get("settings", {})
    lines.append(f"{results.get('corpus')}: {results.get('n_tokens', 0):,} tokens, "
                 f"{results.get('n_words', 0):,} words (min count {s.get('min_count')}), "
                 f"window {s.get('window')}; analogies among the first "
                 f"{s.get('restrict_vocab', 0):,} words")
    return "\n".join(lines)


def plot_quality_vs_time(results, ax=None, time_key="cpu_seconds"):
    """Scatter WordSim-353 and SimLex-999 ρ of each method against its training time.

    Parameters
    ----------
    results : dict
        What :func:`compare` returned.
    ax : matplotlib Axes, optional
    time_key : {"cpu_seconds", "wall_seconds"}, default "cpu_seconds"

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from ._validate import check_choice
    rows = _check_results(results)
    time_key = check_choice(time_key, "time_key", ("cpu_seconds", "wall_seconds"))
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    times = [max(r[time_key], 1e-3) for r in rows]
    for key, label, marker in (("wordsim353", "WordSim-353", "o"),
                               ("simlex999", "SimLex-999", "s")):
        ax.scatter(times, [_rho(r, key) for r in rows], marker=marker, label=label)
    for t, r in zip(times, rows):
        ax.annotate(r["method"], (t, _rho(r, "wordsim353")), fontsize=8,
                    xytext=(4, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel(("CPU" if time_key == "cpu_seconds" else "wall") + " time of training (s)")
    ax.set_ylabel("Spearman ρ")
    ax.set_title(f"quality against time, {results.get('corpus')}")
    ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)
    return ax


# ---------------------------------------------------------------------------------------------
# the command line: wvlib compare
# ---------------------------------------------------------------------------------------------

def _parse_set(items):
    """``["glove.epochs=10", "sgns.negative=15"]`` -> ``{"glove": {"epochs": 10}, ...}``,
    values converted by the declared type."""
    from .methods import METHODS
    params = {}
    for item in items or ():
        target, sep, text = item.partition("=")
        method, dot, name = target.partition(".")
        if not sep or not dot:
            raise ValueError(f"--set must look like METHOD.PARAM=VALUE, got {item!r}")
        if method not in METHODS:
            raise ValueError(f"--set {item}: unknown method {method!r}; the methods are "
                             f"{', '.join(METHODS)}")
        declared = METHODS[method].params.get(name)
        if declared is None:
            raise ValueError(f"--set {item}: {method} has no parameter {name!r}; its "
                             f"parameters are {', '.join(METHODS[method].params)}")
        if declared.type is bool:
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError(f"--set {item}: {name} must be true or false")
            value = text.lower() in ("true", "1")
        elif declared.type is str:
            value = text
        else:
            try:
                value = declared.type(text)
            except ValueError:
                raise ValueError(f"--set {item}: {name} must be {declared.expected()}, "
                                 f"got {text!r}") from None
        params.setdefault(method, {})[name] = value
    return params


def add_arguments(parser) -> None:
    """Options of ``wvlib compare``."""
    parser.add_argument("--corpus", required=True,
                        help="corpus name (toy, lee, enwiki-sample, text8) or a text file "
                             "with one document per line")
    parser.add_argument("--methods", default=",".join(DEFAULT_METHODS),
                        help="comma-separated methods (default: %(default)s)")
    parser.add_argument("--window", type=int, default=DEFAULT_WINDOW,
                        help="window radius of every method that has one "
                             "(default: %(default)s)")
    parser.add_argument("--min-count", type=int, default=None,
                        help="minimum word count of every method (default: 5; 1 on toy)")
    parser.add_argument("--dim", type=int, default=DEFAULT_DIM,
                        help="dimension of the factorizing methods (default: %(default)s)")
    parser.add_argument("--set", action="append", default=[], metavar="METHOD.PARAM=VALUE",
                        help="a setting of one method, e.g. glove.epochs=25 (repeatable; "
                             "default: glove.epochs=10)")
    parser.add_argument("--restrict-vocab", type=int, default=30000,
                        help="analogies among the N most frequent words (default: "
                             "%(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every method")
    parser.add_argument("--out", default=None, help="write the results as JSON to this file")
    parser.add_argument("--figure", default=None,
                        help="save the figure of quality against time (PNG, SVG...)")
    parser.add_argument("--quiet", action="store_true", help="no line per method")


def run(args) -> int:
    """``wvlib compare``: train, score, print the table, write JSON and the figure."""
    import json

    results = compare(args.corpus, args.methods, window=args.window,
                      min_count=args.min_count, dim=args.dim, params=_parse_set(args.set),
                      restrict_vocab=args.restrict_vocab, seed=args.seed,
                      progress=not args.quiet)
    print(format_table(results))
    print(f"total {results['total_seconds']:.1f} s (training and evaluation)")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
        print(f"results → {args.out}")
    if args.figure:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        ax = plot_quality_vs_time(results)
        ax.figure.tight_layout()
        ax.figure.savefig(args.figure, dpi=100)
        plt.close(ax.figure)
        print(f"figure → {args.figure}")
    return 0
