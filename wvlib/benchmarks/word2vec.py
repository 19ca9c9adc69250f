"""Benchmark: wvlib's compiled Word2Vec against gensim's, same corpus and settings.

    python -m wvlib bench word2vec [--corpus enwiki-sample] [--seeds 3]
                                   [--models sg cbow]
    python -m wvlib.benchmarks.word2vec ...          (the same, without the CLI)

Everything runs in one process, one training at a time, alternating between the two
libraries (wvlib first for even seeds, gensim first for odd ones) so that a change in
the machine's load hits both. Both get the same sentences: the corpus's documents cut
into pieces of at most 10,000 tokens (gensim ignores the words of a longer sentence
beyond that), and the same settings (dim 100, window 5, negative 5, sample 1e-3, 5
epochs, min count 5, 2 threads / workers, the same initial learning rate, linearly
decaying to 1e-4).

Figures, as means over ``--seeds`` seeds:

* words/s: in-vocabulary corpus tokens × epochs / training time (the same word count for
  both; subsampled words count, as in gensim's "raw words" and the C code's progress);
* training time: gensim's ``train()`` call; wvlib's training loop (the kernel is
  compiled, or loaded from numba's cache, before the first run; its cost is shown
  apart);
* wall time: vocabulary + training (``build_vocab`` + ``train``; ``Word2Vec(...).fit``);
* peak memory: the largest growth of the resident set size during the run over its value
  just before, sampled every 5 ms by a thread (``tracemalloc`` would miss gensim's and
  numba's own allocations; a fresh process per run would pay the JIT again);
* quality: WordSim-353 and SimLex-999 Spearman ρ, Google analogies 3CosAdd accuracy over
  the ``--restrict-vocab`` most frequent words (:mod:`wvlib.evaluate`).

The machine may be shared: only the ratio of the two libraries within one run means
much.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import threading
import time

SETTINGS = dict(dim=100, window=5, negative=5, sample=1e-3, epochs=5, min_count=5,
                threads=2)
SENTENCE_LENGTH = 10_000


def _return_free_memory():
    """Give memory freed by earlier runs back to the system (glibc ``malloc_trim``), so
    that a run's growth of the resident set is its own, not hidden by reused memory."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class _PeakRSS:
    """Context manager: the peak growth of the resident set while it is open (MB)."""

    def __init__(self, interval=0.005):
        self.interval = interval
        self.peak_mb = 0.0

    @staticmethod
    def _rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _watch(self):
        while not self._stop.is_set():
            self._peak = max(self._peak, self._rss())
            self._stop.wait(self.interval)

    def __enter__(self):
        gc.collect()
        _return_free_memory()
        self._start = self._peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._peak = max(self._peak, self._rss())
        self.peak_mb = (self._peak - self._start) / 2 ** 20
        return False


def _sentences(corpus):
    return [doc[i:i + SENTENCE_LENGTH] for doc in corpus.documents
            for i in range(0, len(doc), SENTENCE_LENGTH) if doc]


def _run_wvlib(sentences, sg, seed, opt):
    from wvlib.word2vec import Word2Vec
    model = Word2Vec(sg=sg, dim=opt["dim"], window=opt["window"],
                     negative=opt["negative"], sample=opt["sample"],
                     epochs=opt["epochs"], min_count=opt["min_count"],
                     threads=opt["threads"], alpha=opt["alpha"][sg], seed=seed)
    with _PeakRSS() as mem:
        start = time.perf_counter()
        model.fit(sentences, verbose=False)
        wall = time.perf_counter() - start
    return model.wv, dict(train=model.train_seconds, wall=wall, memory=mem.peak_mb,
                          loss=model.loss_history[-1])


def _run_gensim(sentences, sg, seed, opt):
    from gensim.models import Word2Vec as GensimWord2Vec

    from wvlib.vectors import KeyedVectors
    with _PeakRSS() as mem:
        start = time.perf_counter()
        model = GensimWord2Vec(vector_size=opt["dim"], window=opt["window"],
                               negative=opt["negative"], hs=0, sample=opt["sample"],
                               epochs=opt["epochs"], min_count=opt["min_count"],
                               workers=opt["threads"], sg=int(sg),
                               alpha=opt["alpha"][sg], min_alpha=1e-4, seed=seed)
        model.build_vocab(sentences)
        t_train = time.perf_counter()
        model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
        end = time.perf_counter()
    kv = KeyedVectors(list(model.wv.index_to_key), model.wv.vectors)
    return kv, dict(train=end - t_train, wall=end - start, memory=mem.peak_mb,
                    loss=None)


def _evaluate(kv, restrict_vocab):
    from wvlib.evaluate import evaluate_analogies, evaluate_word_pairs
    return dict(wordsim=evaluate_word_pairs(kv, "wordsim353")["spearman"],
                simlex=evaluate_word_pairs(kv, "simlex999")["spearman"],
                analogy=evaluate_analogies(kv, restrict_vocab=restrict_vocab)[
                    "accuracy"])


def benchmark(opt, out=print) -> dict:
    """Run the benchmark described in the module docstring; return the raw figures
    ``{model: {library: [per-seed dicts]}}``."""
    from wvlib.corpus import Vocabulary, load_corpus
    from wvlib.word2vec.kernels import warm_up

    corpus = load_corpus(opt["corpus"], max_documents=opt["max_documents"],
                         verbose=False)
    sentences = _sentences(corpus)
    vocab = Vocabulary.build(sentences, min_count=opt["min_count"])
    opt["n_words"] = int(vocab.counts.sum())
    out(f"corpus {corpus.name}: {len(corpus):,} documents "
        f"({len(sentences):,} sentences of at most {SENTENCE_LENGTH:,} tokens), "
        f"{corpus.n_tokens:,} tokens, "
        f"{len(vocab):,} words with count >= {opt['min_count']} "
        f"({opt['n_words']:,} tokens)")
    start = time.perf_counter()
    warm_up(opt["dim"])
    opt["compile"] = time.perf_counter() - start
    results = {}
    runners = {"wvlib": _run_wvlib, "gensim": _run_gensim}
    for model in opt["models"]:
        sg = model == "sg"
        results[model] = {"wvlib": [], "gensim": []}
        for seed in range(opt["seeds"]):
            order = ["wvlib", "gensim"] if seed % 2 == 0 else ["gensim", "wvlib"]
            for lib in order:
                kv, fig = runners[lib](sentences, sg, seed, opt)
                fig["words_per_second"] = opt["n_words"] * opt["epochs"] / fig["train"]
                fig.update(_evaluate(kv, opt["restrict_vocab"]))
                results[model][lib].append(fig)
                out(f"  {model} seed {seed} {lib:6}: "
                    f"{fig['words_per_second']:>9,.0f} words/s, "
                    f"train {fig['train']:.2f} s, WordSim {fig['wordsim']:.3f}, "
                    f"SimLex {fig['simlex']:.3f}, analogies {fig['analogy']:.3f}")
    return results


def _mean(runs, key):
    return statistics.fmean(r[key] for r in runs)


def format_table(results, opt) -> str:
    """The table of means, one block per model, with the ratios the issue asks about."""
    rows = [("words/s", "words_per_second", "{:,.0f}"),
            ("training time (s)", "train", "{:.2f}"),
            ("wall time (s)", "wall", "{:.2f}"),
            ("peak memory (MB)", "memory", "{:.0f}"),
            ("WordSim-353 rho", "wordsim", "{:.3f}"),
            ("SimLex-999 rho", "simlex", "{:.3f}"),
            ("analogies (3CosAdd)", "analogy", "{:.3f}")]
    lines = [f"settings: {', '.join(f'{k} {opt[k]}' for k in SETTINGS)}, alpha "
             f"{opt['alpha'][True]} (sg) / {opt['alpha'][False]} (cbow); mean of "
             f"{opt['seeds']} seeds; compile/load of the wvlib kernel before the runs: "
             f"{opt['compile']:.2f} s", ""]
    names = {"sg": "skip-gram", "cbow": "CBOW"}
    aims = {"sg": 0.7, "cbow": 0.5}
    for model, libs in results.items():
        w, g = libs["wvlib"], libs["gensim"]
        lines.append(f"{names[model]:<22}{'wvlib':>12}{'gensim':>12}"
                     f"{'wvlib/gensim':>14}")
        for label, key, fmt in rows:
            a, b = _mean(w, key), _mean(g, key)
            ratio_row = key in ("words_per_second", "train", "wall", "memory")
            rel = f"{a / b:.2f}x" if ratio_row else f"{a - b:+.3f}"
            lines.append(f"{label:<22}{fmt.format(a):>12}{fmt.format(b):>12}{rel:>14}")
        ratio = _mean(w, "words_per_second") / _mean(g, "words_per_second")
        gap = max(abs(_mean(w, k) - _mean(g, k)) for k in ("wordsim", "simlex"))
        lines.append(f"aims: words/s ratio {ratio:.2f} (aim >= {aims[model]}, goal "
                     f"1.0): "
                     f"{'met' if ratio >= aims[model] else 'NOT met'}; largest rho gap "
                     f"{gap:.3f} (aim <= 0.03): {'met' if gap <= 0.03 else 'NOT met'}")
        lines.append("")
    try:
        load = os.getloadavg()[0]
        lines.append(f"1-minute load average at the end: {load:.1f} on "
                     f"{os.cpu_count()} cores")
    except (AttributeError, OSError):
        pass
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------

def add_arguments(parser) -> None:
    """Options of ``python -m wvlib bench word2vec``."""
    parser.add_argument("--corpus", default="enwiki-sample",
                        help="corpus name or path (default: %(default)s)")
    parser.add_argument("--max-documents", type=int, default=None,
                        help="use only the first N documents (default: all)")
    parser.add_argument("--models", nargs="+", choices=("sg", "cbow"),
                        default=["sg", "cbow"],
                        help="skip-gram and/or CBOW (default: both)")
    parser.add_argument("--seeds", type=int, default=3,
                        help="train each model with seeds 0..N-1 and report means "
                             "(default: %(default)s)")
    for name, value in SETTINGS.items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(value),
                            default=value,
                            help="for both libraries (default: %(default)s)")
    parser.add_argument("--restrict-vocab", type=int, default=30000,
                        help="analogies: only the N most frequent words "
                             "(default: %(default)s)")


def run(args) -> int:
    """Run the benchmark and print the table; returns the exit status."""
    for name in ("seeds", "dim", "window", "epochs", "min_count", "threads",
                 "restrict_vocab"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be a positive integer, "
                             f"got {getattr(args, name)}")
    for name in ("negative", "sample"):
        if getattr(args, name) < 0:
            raise ValueError(f"--{name} must be >= 0, got {getattr(args, name)}")
    from wvlib.methods import METHODS
    opt = dict(corpus=args.corpus, max_documents=args.max_documents, models=args.models,
               seeds=args.seeds, restrict_vocab=args.restrict_vocab,
               alpha={True: METHODS["sgns"].params["alpha"].default,
                      False: METHODS["cbow"].params["alpha"].default},
               **{name: getattr(args, name) for name in SETTINGS})
    results = benchmark(opt, out=lambda s: print(s, file=sys.stderr, flush=True))
    print(format_table(results, opt))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wvlib.benchmarks.word2vec",
                                     description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
