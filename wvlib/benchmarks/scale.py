"""Benchmark: words per second against threads, and peak memory against corpus size.

    python -m wvlib bench scale [--tokens 1e6,4e6] [--threads 1,2] [--methods sgns,cbow,...]
                                [--corpus NAME_OR_FILE --repeat K] [--out TABLE.md]

Every run is a fresh Python process (its own imports, numba cache and resident set), timed
by this one: the wall time of the whole process, its CPU time and its peak resident set size
(``ru_maxrss`` from ``os.wait4``, what ``/usr/bin/time -v`` reports). The child prints one
line of JSON with the training's own figures:

* ``sgns``, ``cbow``: :class:`wvlib.word2vec.Word2Vec` on a streamed
  :class:`wvlib.corpus.TextCorpus`, and gensim's ``Word2Vec`` on ``LineSentence`` of the
  same file (lines of at most 10,000 words for both), same settings (dim 100, window 5,
  negative 5, sample 1e-3, min count 5, ``--epochs``, the same learning rates).
  *Words/s* = in-vocabulary tokens × epochs / training time (the training loop only:
  gensim's ``train()`` call, wvlib's ``train_seconds`` after the kernel is compiled or
  loaded);
* with ``--c-word2vec BINARY``, also the original word2vec C code for ``sgns`` and
  ``cbow`` (:mod:`wvlib.benchmarks.cword2vec` builds it; same settings, sentences of at most
  1,000 words as it cuts them): words/s on the wall clock between its first and last progress
  lines (:func:`run_c_word2vec`);
* ``glove``: counting under ``--memory`` MB, then :class:`wvlib.glove.GloVe` for
  ``--glove-epochs`` epochs (its kernels compiled or loaded before); the rate is
  *non-zeros/s* (pairs trained per second in the fastest epoch, its shuffle included);
* ``ppmi-svd``: ``wvlib train ppmi-svd`` with its defaults under ``--memory``; no thread
  setting (the SVD's products use two threads), so one run per corpus.

Corpora: ``--tokens`` writes synthetic Zipf corpora of those sizes
(:mod:`wvlib.benchmarks.synthetic`: 250,000 types, exponent 1.05, lines of 10,000 tokens)
into ``--workdir``; ``--corpus`` uses a named corpus or a file instead, written ``--repeat``
times one after the other (the issue's "enwiki-sample × 4"). The table has one row per
(method, library, corpus, threads), with the speed-up over one thread and, for wvlib's
threaded trainers, *busy*: the share of the threads' time spent inside jobs (the sum of
their busy seconds over threads × training time; GloVe: in its fastest epoch's training,
without the shuffle). Where the speed-up falls short of the thread count with *busy* near
100 %, no thread waited for work: each ran slower (memory, shared cache lines — or the
machine was busy: a thread the system does not run is still inside its job, so read *busy*
beside the load column); where *busy* drops, threads waited for work (the queue, the GIL,
an epoch's last job). On a machine that
other programs share, only ratios within one run mean much: the 1-minute load average is
printed with every row.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

W2V = dict(dim=100, window=5, negative=5, sample=1e-3, min_count=5)

_CHILD = r'''
import json, sys, time
method, path, threads, epochs, memory = sys.argv[1:6]
threads, epochs, memory = int(threads), int(epochs), int(memory)
out = {}

def corpus_of(path):
    try:
        from wvlib.corpus import TextCorpus        # streamed
        return TextCorpus(path)
    except ImportError:                          # a checkout of wvlib before TextCorpus
        from wvlib.corpus import load_corpus
        return load_corpus(path)

if method in ("sgns", "cbow"):
    from wvlib.word2vec import Word2Vec
    model = Word2Vec(sg=method == "sgns", dim=100, window=5, negative=5, sample=1e-3,
                     min_count=5, epochs=epochs, threads=threads, seed=0)
    model.fit(corpus_of(path), verbose=False)
    words = int(model.vocab.counts.sum())
    out = dict(train_seconds=model.train_seconds, rate=words * epochs / model.train_seconds,
               vocabulary=len(model.vocab), compile_seconds=model.compile_seconds)
    busy = getattr(model, "schedule", {}).get("busy")   # (a checkout before the job queue)
    if busy:
        out["busy"] = sum(busy) / (len(busy) * model.train_seconds)
elif method in ("gensim-sgns", "gensim-cbow"):
    import logging
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence
    sg = method == "gensim-sgns"
    model = Word2Vec(vector_size=100, window=5, negative=5, hs=0, sample=1e-3, min_count=5,
                     sg=int(sg), workers=threads, epochs=epochs, seed=0,
                     alpha=0.025 if sg else 0.05, min_alpha=1e-4)
    model.build_vocab(LineSentence(path))
    words = sum(model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key)
    start = time.perf_counter()
    model.train(LineSentence(path), total_examples=model.corpus_count, epochs=epochs)
    seconds = time.perf_counter() - start
    out = dict(train_seconds=seconds, rate=words * epochs / seconds,
               vocabulary=len(model.wv))
elif method == "glove":
    from wvlib.glove import GloVe
    start = time.perf_counter()
    try:
        from wvlib.cooccurrence import count_cooccurrences
        from wvlib.encoded import encode_corpus
    except ImportError:                          # a checkout before the counting budget
        from wvlib.cooccurrence import cooccurrence_matrix
        from wvlib.corpus import Vocabulary
        corpus = corpus_of(path)
        vocab = Vocabulary.build(corpus, min_count=5)
        counts = cooccurrence_matrix(corpus, vocab, window=10, weighting="harmonic")
        words = vocab.words
    else:
        corpus = encode_corpus(corpus_of(path), min_count=5)
        counts = count_cooccurrences(corpus, window=10, weighting="harmonic", memory=memory)
        words = corpus.vocab.words
    del corpus
    count_seconds = time.perf_counter() - start
    import numpy as np
    GloVe(epochs=1, threads=threads, dim=4).fit(np.eye(3) + 1)   # compile or load the kernels
    model = GloVe(epochs=epochs, threads=threads, seed=0)
    model.fit(counts, words)
    epoch = min(model.epoch_seconds_)
    out = dict(train_seconds=sum(model.epoch_seconds_), rate=model.n_pairs_ / epoch,
               count_seconds=count_seconds, vocabulary=len(words), nonzeros=model.n_pairs_)
    schedules = getattr(model, "schedule_", None)       # (a checkout before it)
    if schedules:
        fastest = schedules[model.epoch_seconds_.index(epoch)]
        out["busy"] = sum(fastest["busy"]) / (len(fastest["busy"]) * fastest["seconds"])
elif method == "ppmi-svd":
    from wvlib.corpus import TextCorpus
    from wvlib.pmi import train_ppmi_svd
    start = time.perf_counter()
    kv = train_ppmi_svd(TextCorpus(path), memory=memory)
    out = dict(train_seconds=time.perf_counter() - start, vocabulary=len(kv))
import wvlib
out["wvlib"] = wvlib.__file__                     # which checkout ran (checked by the parent)
print("RESULT " + json.dumps(out))
'''

RATE_UNIT = {"sgns": "words/s", "cbow": "words/s", "glove": "non-zeros/s",
             "ppmi-svd": ""}


def _parse_list(text, kind, name):
    try:
        values = [kind(float(v)) if kind is int else kind(v) for v in text.split(",") if v]
    except ValueError:
        raise ValueError(f"--{name} must be a comma-separated list, got {text!r}") from None
    if not values:
        raise ValueError(f"--{name} must not be empty")
    return values


def wvlib_root() -> Path:
    """The folder holding the ``wvlib`` package that this process runs."""
    import wvlib
    return Path(wvlib.__file__).resolve().parents[1]


def run_child(method, path, threads, epochs, memory, env, root=None) -> dict:
    """Run one training in a new process; its JSON figures plus wall, CPU and peak MB.

    The child imports wvlib from ``root`` (default: the checkout this process runs): it is
    put first on ``PYTHONPATH`` and the child starts in the corpus's folder, since ``python
    -c`` would put its working folder before ``PYTHONPATH`` (a ``--wvlib-path`` run in a
    checkout measured that checkout instead); the child reports the package it imported,
    and a wvlib training that ran another one is an error."""
    root = Path(root or wvlib_root()).resolve()
    env = dict(env, PYTHONPATH=os.pathsep.join(
        [str(root)] + [p for p in [env.get("PYTHONPATH")] if p]))
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", _CHILD, method, str(path),
                                  str(threads), str(epochs), str(memory)],
                                 env=env, stdout=output, stderr=errors,
                                 cwd=Path(path).parent)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise RuntimeError(f"{method} with {threads} threads failed:\n"
                               f"{errors.read().decode(errors='replace')[-3000:]}")
        output.seek(0)
        lines = [line for line in output.read().decode().splitlines()
                 if line.startswith("RESULT ")]
    result = json.loads(lines[-1][len("RESULT "):])
    ran = Path(result.pop("wvlib")).resolve()
    if not method.startswith("gensim") and root not in ran.parents:
        raise RuntimeError(f"{method}: the child ran the wvlib of {ran.parents[1]}, "
                           f"not that of {root}")
    result.update(wall_seconds=wall, cpu_seconds=usage.ru_utime + usage.ru_stime,
                  peak_mb=usage.ru_maxrss / 1024, load=os.getloadavg()[0])
    return result


def run_c_word2vec(binary, method, path, threads, epochs, env) -> dict:
    """Run the original word2vec C code (:mod:`wvlib.benchmarks.cword2vec`) as a child
    with the settings of the wvlib and gensim rows; its figures as :func:`run_child`'s.

    Its rate is measured on the wall clock from its own progress counter: the C code
    prints the share of ``iter × train_words`` done (all threads together) about every
    10,000 words a thread reads; the rate is the words between the first and the last of
    those lines over the seconds between them, read as they arrive — so that reading the
    vocabulary, filling the noise table and writing the vectors are not counted, as they
    are not for wvlib and gensim. (Its own "Words/thread/sec" divides by ``clock()``, the
    CPU time of all threads, not by the wall time.)"""
    import re
    sg = method == "sgns"
    out_file = Path(path).parent / f"c-{method}-{threads}.bin"
    command = [str(binary), "-train", str(path), "-output", str(out_file), "-binary", "1",
               "-cbow", "0" if sg else "1", "-size", str(W2V["dim"]),
               "-window", str(W2V["window"]), "-negative", str(W2V["negative"]), "-hs", "0",
               "-sample", str(W2V["sample"]), "-min-count", str(W2V["min_count"]),
               "-iter", str(epochs), "-threads", str(threads),
               "-alpha", "0.025" if sg else "0.05"]
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, cwd=Path(path).parent)
    text, marks = b"", []                  # marks: (seconds, share done) of each progress line
    progress = re.compile(rb"Progress: ([\d.]+)%")
    while True:
        chunk = os.read(child.stdout.fileno(), 1 << 16)
        if not chunk:
            break
        now = time.perf_counter()
        text += chunk
        marks += [(now, float(m) / 100) for m in progress.findall(chunk)]
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.stdout.close()
    out_file.unlink(missing_ok=True)
    output = text.decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the C word2vec ({binary}) failed:\n{output[-3000:]}")
    words = re.search(r"Words in train file: (\d+)", output)
    vocab = re.search(r"Vocab size: (\d+)", output)
    if words is None or vocab is None:
        raise RuntimeError(f"the C word2vec ({binary}) printed no vocabulary:\n"
                           f"{output[-3000:]}")
    total = int(words.group(1)) * epochs
    rate = train = None
    if len(marks) >= 2 and marks[-1][0] > marks[0][0] and marks[-1][1] > marks[0][1]:
        rate = (marks[-1][1] - marks[0][1]) * total / (marks[-1][0] - marks[0][0])
        train = total / rate
    return dict(train_seconds=train, rate=rate, vocabulary=int(vocab.group(1)),
                wall_seconds=wall, cpu_seconds=usage.ru_utime + usage.ru_stime,
                peak_mb=usage.ru_maxrss / 1024, load=os.getloadavg()[0])


def write_corpus(corpus, repeat, path) -> int:
    """A named corpus (or a file) written ``repeat`` times, one document a line."""
    from wvlib.corpus import load_corpus
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(repeat):
            for doc in load_corpus(corpus, stream=True):
                f.write(" ".join(doc) + "\n")
                n += len(doc)
    return n


def benchmark(opt, out=print) -> list:
    """Run every (corpus, method, library, threads) of ``opt``; return the rows."""
    from wvlib.benchmarks.synthetic import write_zipf_corpus

    workdir = Path(opt["workdir"])
    corpora = []
    if opt["corpus"]:
        path = workdir / "corpus.txt"
        tokens = write_corpus(opt["corpus"], opt["repeat"], path)
        corpora.append((f"{opt['corpus']} x{opt['repeat']}", tokens, path))
    for tokens in opt["tokens"]:
        path = workdir / f"zipf-{tokens}.txt"
        if not path.exists():
            write_zipf_corpus(path, tokens)
        corpora.append((f"zipf {tokens / 1e6:g}M", tokens, path))
    env = dict(os.environ, WVLIB_PROGRESS="0", OPENBLAS_NUM_THREADS="1")
    root = opt.get("wvlib_path")                 # another checkout of wvlib, for its children
    rows = []
    for name, tokens, path in corpora:
        for method in opt["methods"]:
            ours = f"wvlib@{Path(opt['wvlib_path']).name}" if opt.get("wvlib_path") \
                else "wvlib"
            word2vec = method in ("sgns", "cbow")
            libraries = [ours] + (["gensim"] if opt["gensim"] and word2vec else []) \
                + (["C word2vec"] if opt.get("c_word2vec") and word2vec else [])
            threads_list = [None] if method == "ppmi-svd" else opt["threads"]
            for library in libraries:
                child = f"gensim-{method}" if library == "gensim" else method
                epochs = opt["glove_epochs"] if method == "glove" else opt["epochs"]
                base = None
                for threads in threads_list:
                    if library == "C word2vec":
                        r = run_c_word2vec(opt["c_word2vec"], method, path, threads, epochs,
                                           env)
                    else:
                        r = run_child(child, path, threads or 1, epochs, opt["memory"], env,
                                      root)
                    base = base or r.get("rate")
                    row = dict(corpus=name, tokens=tokens, method=method, library=library,
                               threads=threads, epochs=epochs, **r)
                    row["speedup"] = r["rate"] / base if r.get("rate") else None
                    rows.append(row)
                    out(format_row(row))
    return rows


HEADER = ("| corpus | method | library | threads | rate | speed-up | busy | training s | "
          "process s | CPU s | peak MB | load |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|")


def format_row(row) -> str:
    rate = (f"{row['rate'] / 1e3:,.0f} k {RATE_UNIT[row['method']]}" if row.get("rate")
            else "–")
    speedup = f"{row['speedup']:.2f}×" if row.get("speedup") else "–"
    busy = f"{100 * row['busy']:.0f} %" if row.get("busy") else "–"
    return (f"| {row['corpus']} | {row['method']} | {row['library']} | "
            f"{row['threads'] or '–'} | {rate} | {speedup} | {busy} | "
            f"{row['train_seconds'] or float('nan'):.1f} | "
            f"{row['wall_seconds']:.1f} | {row['cpu_seconds']:.1f} | {row['peak_mb']:,.0f} | "
            f"{row['load']:.1f} |")


def format_table(rows, opt) -> str:
    lines = [f"settings: word2vec dim 100, window 5, negative 5, sample 1e-3, min count 5, "
             f"{opt['epochs']} epoch(s); GloVe window 10, {opt['glove_epochs']} epoch(s); "
             f"ppmi-svd defaults; --memory {opt['memory']} MB; {os.cpu_count()} cores", "",
             HEADER]
    lines += [format_row(row) for row in rows]
    return "\n".join(lines)


def add_arguments(parser) -> None:
    """Options of ``python -m wvlib bench scale``."""
    parser.add_argument("--tokens", default="1e6",
                        help="sizes of the synthetic Zipf corpora, comma-separated "
                             "(default: %(default)s; '' for none)")
    parser.add_argument("--corpus", default=None,
                        help="also a named corpus or a file (e.g. enwiki-sample)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="write --corpus this many times over (default: %(default)s)")
    parser.add_argument("--threads", default="1,2",
                        help="thread counts, comma-separated (default: %(default)s)")
    parser.add_argument("--methods", default="sgns,cbow,glove,ppmi-svd",
                        help="methods, comma-separated (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=1,
                        help="word2vec epochs (default: %(default)s)")
    parser.add_argument("--glove-epochs", type=int, default=2,
                        help="GloVe epochs (default: %(default)s)")
    parser.add_argument("--memory", type=int, default=1024,
                        help="--memory of the counting methods, MB (default: %(default)s)")
    parser.add_argument("--no-gensim", dest="gensim", action="store_false",
                        help="skip gensim (it is run when installed)")
    parser.add_argument("--workdir", default=None,
                        help="folder for the corpus files (default: a temporary folder, "
                             "removed afterwards)")
    parser.add_argument("--out", default=None, help="also write the table to this file")
    parser.add_argument("--c-word2vec", default=None, metavar="BINARY",
                        help="also run the original word2vec C code, this binary (built by "
                             "python -m wvlib.benchmarks.cword2vec), for sgns and cbow")
    parser.add_argument("--wvlib-path", default=None,
                        help="run the wvlib trainings with the wvlib package of this folder "
                             "(another checkout, e.g. before a change: put side by side)")


def run(args) -> int:
    """Run the benchmark and print the table."""
    import importlib.util
    methods = _parse_list(args.methods, str, "methods")
    unknown = sorted(set(methods) - set(RATE_UNIT))
    if unknown:
        raise ValueError(f"--methods must be among {', '.join(RATE_UNIT)}, got {unknown}")
    threads = _parse_list(args.threads, int, "threads")
    tokens = _parse_list(args.tokens, int, "tokens") if args.tokens else []
    if min(threads) < 1 or (tokens and min(tokens) < 1):
        raise ValueError("--threads and --tokens must be positive")
    for name in ("repeat", "epochs", "glove_epochs", "memory"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be a positive integer, got "
                             f"{getattr(args, name)}")
    if not tokens and not args.corpus:
        raise ValueError("give --tokens or --corpus")
    c_word2vec = getattr(args, "c_word2vec", None)
    if c_word2vec is not None:
        c_word2vec = Path(c_word2vec).resolve()
        if not (c_word2vec.is_file() and os.access(c_word2vec, os.X_OK)):
            raise ValueError(f"--c-word2vec must be an executable file, got {str(c_word2vec)!r}"
                             f" (build it with python -m wvlib.benchmarks.cword2vec)")
    opt = dict(methods=methods, threads=threads, tokens=tokens, corpus=args.corpus,
               repeat=args.repeat, epochs=args.epochs, glove_epochs=args.glove_epochs,
               memory=args.memory, wvlib_path=args.wvlib_path, c_word2vec=c_word2vec,
               gensim=args.gensim and importlib.util.find_spec("gensim") is not None)
    folder = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="wvlib-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        opt["workdir"] = folder
        print(HEADER, file=sys.stderr, flush=True)
        rows = benchmark(opt, out=lambda s: print(s, file=sys.stderr, flush=True))
    finally:
        if not args.workdir:
            shutil.rmtree(folder, ignore_errors=True)
    table = format_table(rows, opt)
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n", encoding="utf-8")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wvlib.benchmarks.scale",
                                     description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
