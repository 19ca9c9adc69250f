"""Benchmark: what the job queue itself costs, against threads (:mod:`wvlib.jobs`).

    python -m wvlib bench queue [--threads 1,2] [--jobs 20000] [--corpus enwiki-sample]

The threads of a trainer take jobs from one queue: a lock, then a call into the compiled
kernel, whose arguments Python converts while holding the GIL. Those steps run one thread
at a time, so they bound how many jobs per second any number of threads can start. This
benchmark times them alone: word2vec's and GloVe's kernels called on *empty* jobs (no
sentence, no pair; the same arguments and types as a real call) through
:func:`wvlib.jobs.run_jobs`, as the trainers call them — microseconds per job at each
thread count. Beside it, the work of a real job, measured with one thread on ``--corpus``
(one epoch; busy seconds per job of the trainer's schedule): skip-gram and CBOW jobs of
10,000 words, GloVe jobs as :func:`wvlib.glove.job_pairs` cuts them for that thread count.
Their ratio is how many threads the queue could keep busy before it became the bottleneck.

No assertion is made on these times (a benchmark, not a test); every figure comes from
this run.
"""
from __future__ import annotations

import time

import numpy as np


def empty_jobs(threads, n_jobs, kernel):
    """Seconds per job of ``n_jobs`` empty jobs of ``kernel`` ("word2vec" or "glove") on
    ``threads`` threads, through :func:`wvlib.jobs.run_jobs` (best of 3 runs)."""
    from wvlib.glove import _adagrad_pairs
    from wvlib.jobs import run_jobs
    from wvlib.word2vec.kernels import empty_job_args, train_job

    counters = np.zeros((threads, 3))
    if kernel == "word2vec":
        args = empty_job_args(100)

        def job(i, t, done_before):
            counters[t] += train_job(*args)
    else:
        f32 = np.zeros((1, 100), np.float32)
        v32 = np.ones(1, np.float32)
        i32 = np.zeros(1, np.int32)
        args = (f32, f32.copy(), v32, v32.copy(), f32.copy(), f32.copy(), v32.copy(),
                v32.copy(), i32, i32, v32.copy(), v32.copy(), i32, 0, 0, np.float32(0.05),
                False)

        def job(i, t, done_before):
            counters[t, 0] += _adagrad_pairs(*args)
    job(0, 0, 0)                                              # compile or load
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        run_jobs(job, n_jobs, threads)
        best = min(best, (time.perf_counter() - start) / n_jobs)
    return best


def real_jobs(corpus_name, threads_list):
    """Seconds of one real job with one thread: skip-gram, CBOW (one epoch of
    ``corpus_name``) and GloVe (window 10; its jobs as cut for each thread count)."""
    from wvlib.cooccurrence import count_cooccurrences
    from wvlib.corpus import load_corpus
    from wvlib.encoded import encode_corpus
    from wvlib.glove import GloVe, job_pairs
    from wvlib.word2vec import Word2Vec

    corpus = encode_corpus(load_corpus(corpus_name), min_count=5)
    out = {}
    for name, sg in (("skip-gram", True), ("CBOW", False)):
        model = Word2Vec(sg=sg, epochs=1, threads=1, seed=0).fit(corpus, verbose=False)
        out[name] = sum(model.schedule["busy"]) / sum(model.schedule["jobs"])
    counts = count_cooccurrences(corpus, window=10, weighting="harmonic")
    model = GloVe(epochs=1, threads=1, seed=0, verbose=False)
    model.fit(counts)
    per_pair = sum(model.schedule_[0]["busy"]) / model.n_pairs_
    for threads in threads_list:
        out[f"GloVe {threads}"] = per_pair * job_pairs(model.n_pairs_, threads)
    return out, model.n_pairs_


def add_arguments(parser) -> None:
    """Options of ``python -m wvlib bench queue``."""
    parser.add_argument("--threads", default="1,2",
                        help="thread counts, comma-separated (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=20_000,
                        help="empty jobs per measurement (default: %(default)s)")
    parser.add_argument("--corpus", default="enwiki-sample",
                        help="corpus of the real jobs (default: %(default)s)")


def run(args) -> int:
    """Measure and print the table."""
    import os

    from wvlib.benchmarks.scale import _parse_list
    threads_list = _parse_list(args.threads, int, "threads")
    if min(threads_list) < 1:
        raise ValueError(f"--threads must be positive, got {args.threads!r}")
    if args.jobs < 1:
        raise ValueError(f"--jobs must be a positive integer, got {args.jobs}")
    real, n_pairs = real_jobs(args.corpus, threads_list)
    print(f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}; real jobs: one thread, "
          f"{args.corpus}, one epoch: skip-gram {1e3 * real['skip-gram']:.2f} ms, CBOW "
          f"{1e3 * real['CBOW']:.2f} ms per 10,000-word job; GloVe {n_pairs:,} pairs\n")
    print("| threads | empty word2vec job | empty GloVe job | skip-gram job / empty | "
          "CBOW job / empty | GloVe job / empty |\n|---|---|---|---|---|---|")
    for threads in threads_list:
        w2v = empty_jobs(threads, args.jobs, "word2vec")
        glove = empty_jobs(threads, args.jobs, "glove")
        print(f"| {threads} | {1e6 * w2v:.1f} µs | {1e6 * glove:.1f} µs | "
              f"{real['skip-gram'] / w2v:,.0f} | {real['CBOW'] / w2v:,.0f} | "
              f"{real[f'GloVe {threads}'] / glove:,.0f} |", flush=True)
    return 0


def main(argv=None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m wvlib.benchmarks.queue",
                                     description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
