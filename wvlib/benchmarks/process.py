"""Benchmark: the whole ``wvlib train`` process against the whole process of gensim's
skip-gram, in paired runs on the same text file: what a user waits for.

    python -m wvlib bench process [--corpus enwiki-sample] [--tokens 350000] [--pairs 9]

The corpus is written once as a text file, one document per line, tokens separated by spaces
(``--tokens N``: the first documents of the corpus up to at least N tokens; the default is the
350k-token file of issue 9). Then, ``--pairs`` times, alternating:

* ``python -m wvlib train ppmi-svd --corpus FILE --out wvlib.txt`` (or ``--method``), and
* ``python -c GENSIM_SCRIPT FILE gensim.txt``: read the file (``line.split()``), train
  ``Word2Vec(sg=1, vector_size=100, window=5, negative=5, epochs=5, workers=2, min_count=5,
  seed=0)``, write the vectors in word2vec text format, as a gensim user would.

Each is a new Python process, timed from start to exit (``time.perf_counter`` around the
child), so imports, reading, training and writing all count; CPU time (user + system, all
threads) and peak memory come from the child's resource usage (``os.wait4``). The ratio of each
pair is reported, then their median: running the two processes back to back makes a load
change on a shared machine hit both, and the median ignores the odd disturbed pair.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GENSIM_SCRIPT = """\
import sys
from gensim.models import Word2Vec
with open(sys.argv[1], encoding="utf-8") as f:
    sentences = [line.split() for line in f]
model = Word2Vec(sentences=sentences, sg=1, vector_size=100, window=5, negative=5, epochs=5,
                 workers=2, min_count=5, seed=0)
model.wv.save_word2vec_format(sys.argv[2])
"""


def write_corpus_file(corpus: str, path, tokens=None) -> tuple:
    """Write ``corpus`` (a name or a path) to ``path``, one document per line; with ``tokens``,
    only the first documents up to at least that many tokens. Returns (documents, tokens)."""
    from wvlib.corpus import load_corpus

    documents = load_corpus(corpus, verbose=False).documents
    n_documents = n_tokens = 0
    with open(path, "w", encoding="utf-8") as f:
        for doc in documents:
            if tokens is not None and n_tokens >= tokens:
                break
            f.write(" ".join(doc) + "\n")
            n_documents, n_tokens = n_documents + 1, n_tokens + len(doc)
    return n_documents, n_tokens


def time_process(command: list, env: dict) -> dict:
    """Run ``command`` to completion: wall seconds, CPU seconds (user + system) and peak
    resident memory (MB) of that process."""
    # stderr goes to a file, not a pipe: a pipe that nobody reads while we wait would stall a
    # child that writes much to it
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        # os.wait4 reaps the child and returns its own resource usage (not other children's)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            error = errors.read().decode(errors="replace")
            raise RuntimeError(f"{' '.join(command[:4])} ... failed with exit status "
                               f"{child.returncode}:\n{error[-2000:]}")
    rss_mb = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
    return dict(seconds=seconds, cpu_seconds=usage.ru_utime + usage.ru_stime, peak_mb=rss_mb)


def add_arguments(parser) -> None:
    """Options of ``python -m wvlib bench process``."""
    parser.add_argument("--corpus", default="enwiki-sample",
                        help="corpus name or path (default: %(default)s)")
    parser.add_argument("--tokens", type=int, default=350_000,
                        help="use the first documents up to at least N tokens; 0 = all "
                             "(default: %(default)s)")
    parser.add_argument("--pairs", type=int, default=9,
                        help="number of paired runs (default: %(default)s)")
    parser.add_argument("--method", default="ppmi-svd",
                        help="the wvlib training method (default: %(default)s)")
    parser.add_argument("--workdir", default=None,
                        help="folder for the corpus file and the vectors (default: a "
                             "temporary folder, removed afterwards)")


def run(args) -> int:
    """Run the paired benchmark and print one line per pair and the median ratio."""
    from wvlib.methods import METHODS

    if args.method not in METHODS:
        raise ValueError(f"--method must be one of {', '.join(METHODS)}, got {args.method!r}")
    for name in ("pairs", "tokens"):
        if getattr(args, name) < (1 if name == "pairs" else 0):
            raise ValueError(f"--{name} must be an integer >= {1 if name == 'pairs' else 0}, "
                             f"got {getattr(args, name)}")
    with tempfile.TemporaryDirectory(prefix="wvlib-bench-") as tmp:
        folder = Path(args.workdir or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        text = folder / "corpus.txt"
        n_documents, n_tokens = write_corpus_file(args.corpus, text, args.tokens or None)
        commands = {
            "wvlib": [sys.executable, "-m", "wvlib", "train", args.method, "--corpus",
                      str(text), "--out", str(folder / "wvlib.txt")],
            "gensim": [sys.executable, "-c", GENSIM_SCRIPT, str(text),
                       str(folder / "gensim.txt")],
        }
        env = dict(os.environ, WVLIB_PROGRESS="0")
        print(f"corpus file: {n_documents:,} documents, {n_tokens:,} tokens "
              f"({args.corpus}); {args.pairs} pairs, alternating, on {os.cpu_count()} cores")
        print(f"  wvlib:  python -m wvlib train {args.method} --corpus FILE --out wvlib.txt")
        print("  gensim: Word2Vec(sg=1, vector_size=100, window=5, negative=5, epochs=5, "
              "workers=2, min_count=5, seed=0) + save_word2vec_format")
        print(f"{'pair':>4}  {'wvlib s':>8} {'CPU s':>6} {'MB':>5}  "
              f"{'gensim s':>8} {'CPU s':>6} {'MB':>5}  {'ratio':>6}  load")
        ratios = []
        for i in range(args.pairs):
            a = time_process(commands["wvlib"], env)
            b = time_process(commands["gensim"], env)
            ratios.append(a["seconds"] / b["seconds"])
            print(f"{i + 1:>4}  {a['seconds']:8.2f} {a['cpu_seconds']:6.2f} {a['peak_mb']:5.0f}"
                  f"  {b['seconds']:8.2f} {b['cpu_seconds']:6.2f} {b['peak_mb']:5.0f}"
                  f"  {ratios[-1]:6.3f}  {os.getloadavg()[0]:.2f}", flush=True)
    print(f"time ratio wvlib / gensim: median {statistics.median(ratios):.3f} "
          f"(min {min(ratios):.3f}, max {max(ratios):.3f}, {len(ratios)} pairs)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wvlib.benchmarks.process",
                                     description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
