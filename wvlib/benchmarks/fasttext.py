"""Benchmark: wvlib's FastText against gensim's and the reference C++ code, same settings;
rare-word similarity against wvlib's skip-gram.

    python -m wvlib bench fasttext [--corpus enwiki-sample] [--seeds 3]
    python -m wvlib.benchmarks.fasttext ...          (the same, without the CLI)

**Speed and quality.** Three implementations of the same model, trained one after the other
in one process (the order rotates with the seed), on the same sentences (documents cut into
pieces of at most 10,000 tokens), with the reference code's default settings: d 100,
window 5, 5 negatives from U^{1/2}, subsampling 1e-4, learning rate 0.05 decaying to 0,
5 epochs, min count 5, n-grams of 3 to 6 characters, 2,000,000 buckets, 2 threads:

* ``wvlib``: :class:`wvlib.fasttext.FastText`;
* ``gensim``: ``gensim.models.FastText`` (sg=1, ns_exponent 0.5, min_alpha 0);
* ``C++``: Facebook's fastText, the reference code, from the PyPI wheel
  ``fasttext-numpy2`` (``fasttext.train_unsupervised``, skipgram), reading the sentences
  from a temporary text file, one per line (its Python wrapper takes no seed: every run
  uses the code's fixed seed, and its threads make runs differ anyway). The wheel is **not** a dependency of wvlib:
  when it cannot be imported the column is left out, with a note. (The reference code adds
  an end-of-line token ``</s>`` to its vocabulary; its vector is not evaluated.)

Figures (means over ``--seeds`` seeds): words/s = in-vocabulary tokens × epochs / time,
where the time is that of the whole training call (vocabulary, n-grams and training: the C++
code does all three in one call, so this is the fair figure) and, for wvlib and gensim,
also of the training loop alone; peak memory (growth of the resident set during the call,
sampled every 5 ms); WordSim-353 and SimLex-999 Spearman ρ over the pairs whose two words
are in the vocabulary (the same pairs for all three).

**Rare words.** wvlib's skip-gram with negative sampling
(:class:`wvlib.word2vec.Word2Vec`) and wvlib's FastText at equal settings: the settings
above, except the noise exponent 3/4 for both (word2vec's; its trainer has no other). The
WordSim-353 and SimLex-999 pairs are pooled and put in bins by the corpus count of the
pair's rarer word (``--bins``, default 1, 5, 20, 50: counts 1–4 are below the minimum
count, so only fastText has vectors for them). Per bin: the number of pairs, Spearman ρ of
each model (mean over seeds) and the difference, with a 95% paired bootstrap interval over
the pairs (each model's cosines averaged over the seeds).

The machine may be shared: only ratios within one run mean much.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

from wvlib.benchmarks.word2vec import _PeakRSS, _sentences

SETTINGS = dict(dim=100, window=5, negative=5, sample=1e-4, alpha=0.05, epochs=5,
                min_count=5, minn=3, maxn=6, bucket=2_000_000, threads=2)
LIBRARIES = ("wvlib", "gensim", "C++")
DEFAULT_BINS = (1, 5, 20, 50)


def cpp_available():
    """(True, "") when the reference code's wheel can be imported, else (False, why)."""
    try:
        import fasttext  # noqa: F401
    except ImportError as exc:
        return False, (f"the reference C++ code is not importable ({exc}); install the "
                       f"wheel with `pip install fasttext-numpy2` to add its column "
                       f"(it is not a dependency of wvlib)")
    return True, ""


def _run_wvlib(sentences, seed, opt, ns_exponent=0.5):
    from wvlib.fasttext import FastText
    model = FastText(dim=opt["dim"], minn=opt["minn"], maxn=opt["maxn"],
                     bucket=opt["bucket"], window=opt["window"],
                     min_count=opt["min_count"], negative=opt["negative"],
                     sample=opt["sample"], alpha=opt["alpha"], ns_exponent=ns_exponent,
                     epochs=opt["epochs"], seed=seed, threads=opt["threads"])
    with _PeakRSS() as mem:
        start = time.perf_counter()
        model.fit(sentences, verbose=False)
        wall = time.perf_counter() - start
    return model.wv, dict(train=model.train_seconds, wall=wall, memory=mem.peak_mb)


def _run_gensim(sentences, seed, opt):
    from gensim.models import FastText as GensimFastText

    from wvlib.vectors import KeyedVectors
    with _PeakRSS() as mem:
        start = time.perf_counter()
        model = GensimFastText(vector_size=opt["dim"], window=opt["window"], sg=1, hs=0,
                               negative=opt["negative"], ns_exponent=0.5,
                               sample=opt["sample"], alpha=opt["alpha"], min_alpha=0.0,
                               epochs=opt["epochs"], min_count=opt["min_count"],
                               min_n=opt["minn"], max_n=opt["maxn"], bucket=opt["bucket"],
                               workers=opt["threads"], seed=seed)
        model.build_vocab(sentences)
        t_train = time.perf_counter()
        model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
        end = time.perf_counter()
    kv = KeyedVectors(list(model.wv.index_to_key), model.wv.vectors)
    return kv, dict(train=end - t_train, wall=end - start, memory=mem.peak_mb)


def _run_cpp(path, opt):
    import fasttext
    import numpy as np

    from wvlib.vectors import KeyedVectors
    with _PeakRSS() as mem:
        start = time.perf_counter()
        model = fasttext.train_unsupervised(
            path, model="skipgram", dim=opt["dim"], ws=opt["window"], neg=opt["negative"],
            t=opt["sample"], lr=opt["alpha"], epoch=opt["epochs"],
            minCount=opt["min_count"], minn=opt["minn"], maxn=opt["maxn"],
            bucket=opt["bucket"], thread=opt["threads"], verbose=0)
        wall = time.perf_counter() - start
    words = [w for w in model.words if w != "</s>"]
    kv = KeyedVectors(words, np.array([model.get_word_vector(w) for w in words]))
    return kv, dict(train=None, wall=wall, memory=mem.peak_mb)


def _run_sgns(sentences, seed, opt):
    from wvlib.word2vec import Word2Vec
    model = Word2Vec(sg=True, dim=opt["dim"], window=opt["window"],
                     negative=opt["negative"], sample=opt["sample"], alpha=opt["alpha"],
                     min_alpha=0.0, epochs=opt["epochs"], min_count=opt["min_count"],
                     seed=seed, threads=opt["threads"])
    return model.fit(sentences, verbose=False).wv


def _scores(kv, common):
    """ρ on the pairs whose two words all three libraries know."""
    from wvlib.evaluate import evaluate_word_pairs
    return {name: evaluate_word_pairs(kv, pairs)["spearman"]
            for name, pairs in common.items()}


def _rare_pairs(counts):
    """The pooled WordSim-353 and SimLex-999 pairs (lower-cased) whose words both occur,
    with the corpus count of the rarer word."""
    from wvlib.evaluate import load_word_pairs
    pairs, rarer = [], []
    for name in ("wordsim353", "simlex999"):
        for a, b, score in load_word_pairs(name):
            a, b = a.lower(), b.lower()
            f = min(counts.get(a, 0), counts.get(b, 0))
            if f > 0:
                pairs.append((a, b, score))
                rarer.append(f)
    return pairs, rarer


def _cosine(kv, a, b):
    """The cosine of a pair, or None when the vectors have no vector for one of the words
    (fastText has one for any word sharing an n-gram with the training vocabulary)."""
    known = kv.has_vector if hasattr(kv, "has_vector") else kv.__contains__
    return kv.similarity(a, b) if known(a) and known(b) else None


def benchmark(opt, out=print) -> dict:
    """Run the benchmark of the module docstring; return the raw figures."""
    import collections

    import numpy as np

    from wvlib.corpus import Vocabulary, load_corpus
    from wvlib.evaluate import load_word_pairs
    from wvlib.fasttext.trainer import warm_up

    corpus = load_corpus(opt["corpus"], max_documents=opt["max_documents"], verbose=False)
    sentences = _sentences(corpus)
    vocab = Vocabulary.build(sentences, min_count=opt["min_count"])
    opt["n_words"] = int(vocab.counts.sum())
    out(f"corpus {corpus.name}: {len(corpus):,} documents ({len(sentences):,} sentences), "
        f"{corpus.n_tokens:,} tokens, {len(vocab):,} words with count >= "
        f"{opt['min_count']} ({opt['n_words']:,} tokens)")
    start = time.perf_counter()
    warm_up(opt["dim"])
    opt["compile"] = time.perf_counter() - start
    libraries = [lib for lib in LIBRARIES if lib != "C++" or opt["cpp"]]
    # the same pairs for everyone: both words in the vocabulary (C++ has the same one)
    known = set(vocab.words)
    common = {name: [p for p in load_word_pairs(name)
                     if p[0].lower() in known and p[1].lower() in known]
              for name in ("wordsim353", "simlex999")}
    counts = collections.Counter(w for s in sentences for w in s)
    rare_pairs, rarer = _rare_pairs(counts)
    results = {lib: [] for lib in libraries}
    rare = {"sgns": [], "fasttext": []}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "corpus.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(" ".join(s) + "\n" for s in sentences)
        for seed in range(opt["seeds"]):
            order = libraries[seed % len(libraries):] + libraries[:seed % len(libraries)]
            for lib in order:
                if lib == "wvlib":
                    kv, fig = _run_wvlib(sentences, seed, opt)
                elif lib == "gensim":
                    kv, fig = _run_gensim(sentences, seed, opt)
                else:
                    kv, fig = _run_cpp(path, opt)
                fig["words_per_second"] = opt["n_words"] * opt["epochs"] / fig["wall"]
                fig["train_words_per_second"] = None if fig["train"] is None else \
                    opt["n_words"] * opt["epochs"] / fig["train"]
                fig.update(_scores(kv, common))
                results[lib].append(fig)
                out(f"  seed {seed} {lib:6}: {fig['words_per_second']:>9,.0f} words/s "
                    f"(whole call {fig['wall']:.2f} s), {fig['memory']:.0f} MB, "
                    f"WordSim {fig['wordsim353']:.3f}, SimLex {fig['simlex999']:.3f}")
            ft_kv, _ = _run_wvlib(sentences, seed, opt, ns_exponent=0.75)
            sg_kv = _run_sgns(sentences, seed, opt)
            rare["fasttext"].append([_cosine(ft_kv, a, b) for a, b, _ in rare_pairs])
            rare["sgns"].append([_cosine(sg_kv, a, b) for a, b, _ in rare_pairs])
            out(f"  seed {seed} rare words: skip-gram and fastText trained")
    return dict(results=results, rare=rare, rare_pairs=rare_pairs,
                rarer=np.array(rarer), common={k: len(v) for k, v in common.items()})


def _mean(runs, key):
    return statistics.fmean(r[key] for r in runs)


def rare_word_table(raw, bins, seed=0) -> list:
    """Per frequency bin: pairs, ρ of skip-gram and fastText (mean over seeds), difference
    and its 95% paired bootstrap interval (cosines averaged over seeds)."""
    import numpy as np
    from scipy import stats

    from wvlib.evaluate import paired_bootstrap_ci

    gold = np.array([s for _, _, s in raw["rare_pairs"]])
    rarer = raw["rarer"]
    edges = list(bins) + [np.inf]
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (rarer >= lo) & (rarer < hi)
        row = dict(low=lo, high=hi, n_pairs=int(in_bin.sum()))
        per_model = {}
        for model, runs in raw["rare"].items():
            cos = np.array([[np.nan if c is None else c for c in run] for run in runs])
            usable = in_bin & ~np.isnan(cos).any(axis=0)
            per_model[model] = (cos, usable)
            rhos = [stats.spearmanr(gold[usable], c[usable]).statistic for c in cos] \
                if usable.sum() >= 3 else [np.nan]
            row[model] = float(np.mean(rhos))
            row[model + "_pairs"] = int(usable.sum())
        both = per_model["sgns"][1] & per_model["fasttext"][1]
        if both.sum() >= 3:
            ci = paired_bootstrap_ci(per_model["fasttext"][0][:, both].mean(axis=0),
                                     per_model["sgns"][0][:, both].mean(axis=0),
                                     gold[both], seed=seed)
            row.update(difference=ci["difference"], ci_low=ci["low"], ci_high=ci["high"])
        rows.append(row)
    return rows


def format_table(raw, opt) -> str:
    """The table of means, the ratios and aims, and the rare-word table."""
    results = raw["results"]
    libs = list(results)
    lines = [f"settings: {', '.join(f'{k} {opt[k]}' for k in SETTINGS)}; mean of "
             f"{opt['seeds']} seeds; compile/load of the wvlib kernel before the runs: "
             f"{opt['compile']:.2f} s", ""]
    header = f"{'fastText skip-gram':<26}" + "".join(f"{lib:>12}" for lib in libs)
    ratios = [lib for lib in libs if lib != "wvlib"]
    header += "".join(f"{'wvlib/' + lib:>14}" for lib in ratios)
    lines.append(header)
    rows = [("words/s (whole call)", "words_per_second", "{:,.0f}"),
            ("words/s (training loop)", "train_words_per_second", "{:,.0f}"),
            ("whole call (s)", "wall", "{:.2f}"),
            ("peak memory (MB)", "memory", "{:.0f}"),
            ("WordSim-353 rho", "wordsim353", "{:.3f}"),
            ("SimLex-999 rho", "simlex999", "{:.3f}")]
    for label, key, fmt in rows:
        values = {lib: (None if results[lib][0][key] is None else _mean(results[lib], key))
                  for lib in libs}
        line = f"{label:<26}" + "".join(
            f"{'—' if values[lib] is None else fmt.format(values[lib]):>12}" for lib in libs)
        for lib in ratios:
            a, b = values["wvlib"], values[lib]
            if a is None or b is None:
                rel = "—"
            elif key in ("wordsim353", "simlex999"):
                rel = f"{a - b:+.3f}"
            else:
                rel = f"{a / b:.2f}x"
            line += f"{rel:>14}"
        lines.append(line)
    lines.append(f"(rho over the pairs whose words are in the vocabulary: WordSim-353 "
                 f"{raw['common']['wordsim353']}, SimLex-999 {raw['common']['simlex999']})")
    speed = {lib: _mean(results[lib], "words_per_second") for lib in libs}
    aims = [f"words/s vs gensim {speed['wvlib'] / speed['gensim']:.2f}x (aim >= 1): "
            f"{'met' if speed['wvlib'] >= speed['gensim'] else 'NOT met'}"]
    if "C++" in libs:
        ratio = speed["wvlib"] / speed["C++"]
        gap = max(abs(_mean(results["wvlib"], k) - _mean(results["C++"], k))
                  for k in ("wordsim353", "simlex999"))
        aims.append(f"vs C++ {ratio:.2f}x (aim >= 0.7): {'met' if ratio >= 0.7 else 'NOT met'}")
        aims.append(f"largest rho gap to C++ {gap:.3f} (aim <= 0.03): "
                    f"{'met' if gap <= 0.03 else 'NOT met'}")
    else:
        aims.append("C++ column left out: " + opt["cpp_note"])
    lines.append("aims: " + "; ".join(aims))
    lines += ["", "rare words: WordSim-353 + SimLex-999 pairs by the corpus count of the "
              "rarer word; wvlib skip-gram (SGNS) vs wvlib fastText, equal settings "
              "(noise exponent 0.75 for both)",
              f"{'count of rarer word':<22}{'pairs':>7}{'SGNS rho':>10}{'fastText':>10}"
              f"{'difference [95% CI]':>28}"]
    for row in rare_word_table(raw, opt["bins"]):
        label = f"{row['low']:g}-{row['high'] - 1:g}" if row["high"] < float("inf") \
            else f">= {row['low']:g}"
        sg = "—" if row["sgns_pairs"] < 3 else f"{row['sgns']:.3f}"
        ftx = "—" if row["fasttext_pairs"] < 3 else f"{row['fasttext']:.3f}"
        if "difference" in row:
            diff = f"{row['difference']:+.3f} [{row['ci_low']:+.3f}, {row['ci_high']:+.3f}]"
        elif row["sgns_pairs"] == 0 and row["fasttext_pairs"] > 0:
            diff = "(SGNS has no vectors)"
        else:
            diff = "(fewer than 3 pairs)"
        lines.append(f"{label:<22}{row['n_pairs']:>7}{sg:>10}{ftx:>10}{diff:>28}")
    try:
        lines.append("")
        lines.append(f"1-minute load average at the end: {os.getloadavg()[0]:.1f} on "
                     f"{os.cpu_count()} cores")
    except (AttributeError, OSError):
        pass
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------

def add_arguments(parser) -> None:
    """Options of ``python -m wvlib bench fasttext``."""
    parser.add_argument("--corpus", default="enwiki-sample",
                        help="corpus name or path (default: %(default)s)")
    parser.add_argument("--max-documents", type=int, default=None,
                        help="use only the first N documents (default: all)")
    parser.add_argument("--seeds", type=int, default=3,
                        help="train with seeds 0..N-1 and report means (default: "
                             "%(default)s)")
    for name, value in SETTINGS.items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(value), default=value,
                            help="for every library (default: %(default)s)")
    parser.add_argument("--bins", type=int, nargs="+", default=list(DEFAULT_BINS),
                        help="lower edges of the rare-word bins, counts of the rarer word "
                             "of a pair (default: %(default)s)")
    parser.add_argument("--no-cpp", action="store_true",
                        help="leave out the C++ reference code even if it is installed")


def run(args) -> int:
    """Run the benchmark and print the table; returns the exit status."""
    for name in ("seeds", "dim", "window", "negative", "epochs", "min_count", "minn",
                 "bucket", "threads"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be a positive integer, "
                             f"got {getattr(args, name)}")
    if args.maxn < 0 or args.sample < 0 or args.alpha <= 0:
        raise ValueError("--maxn and --sample must be >= 0 and --alpha > 0")
    if not args.bins or any(b < 1 for b in args.bins) or sorted(set(args.bins)) != args.bins:
        raise ValueError(f"--bins must be increasing positive counts, got {args.bins}")
    cpp, note = cpp_available()
    if args.no_cpp:
        cpp, note = False, "--no-cpp"
    opt = dict(corpus=args.corpus, max_documents=args.max_documents, seeds=args.seeds,
               bins=args.bins, cpp=cpp, cpp_note=note,
               **{name: getattr(args, name) for name in SETTINGS})
    if not cpp:
        print(f"note: C++ column left out: {note}", file=sys.stderr)
    raw = benchmark(opt, out=lambda s: print(s, file=sys.stderr, flush=True))
    print(format_table(raw, opt))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wvlib.benchmarks.fasttext",
                                     description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
