"""Jobs on threads: the scheduler of the compiled trainers (word2vec, fastText, GloVe).

A trainer cuts its work into many small *jobs* (word2vec: runs of sentences of at most
10,000 words, as gensim's ``batch_words``; GloVe: slices of an epoch's shuffled pairs) —
many more jobs than threads. :func:`run_jobs` starts ``threads`` Python threads; each takes
the next job number from a shared counter, runs it, and takes the next, until none is left.
The job itself is a compiled kernel (``numba.njit(nogil=True)``) that releases the GIL, so
the threads really run at the same time on the shared parameters (Hogwild: no locks on the
matrices; Recht et al. 2011).

Why this shape (the design of issue 23):

* **Dynamic, not static.** A thread that draws a long job does not hold the others back:
  they keep taking jobs. Splitting each block of work into one part per thread and waiting
  for all parts (what numba's ``prange`` does, and what this library did before) makes the
  slowest part set the pace at every block: with 16 threads, that barrier cost skip-gram
  most of its speed-up.
* **No barrier until the end.** The queue runs through all the epochs (job ``i`` of epoch
  ``e`` is number ``e · n + i``), so threads never wait for each other except at the very
  end, for at most one job.
* **Shared progress, per-thread counters.** The one shared number is the count of work done
  (the sizes of the finished jobs), read under a lock when a job starts: word2vec's
  learning rate decays with it, as the C code's ``word_count_actual``. Everything a job
  reports (loss, predictions, words) goes to its thread's own row of a counter array:
  nothing else is written by two threads.
* **One thread is deterministic.** With ``threads=1`` the jobs run in order in the calling
  thread, and a job's random numbers come from its own seed (not from the thread that runs
  it), so the same seed gives the same result bit for bit.

The overhead is a lock and a call into numba per job: a few microseconds, against the
milliseconds of a 10,000-word job (``wvlib bench queue`` measures both, at each thread
count).
"""
from __future__ import annotations

import threading
import time

__all__ = ["job_size", "run_jobs", "JOBS_PER_THREAD"]

#: Jobs that each thread should find in a queue that ends with a barrier.
JOBS_PER_THREAD = 16


def job_size(n_units: int, threads: int, *, largest: int, smallest: int,
             per_thread: int = JOBS_PER_THREAD) -> int:
    """Units of work per job for a queue of ``n_units`` units that ends with a barrier.

    When the queue is empty, each thread finishes the job it holds while the others wait,
    so the last round of jobs runs at partial occupancy: ``m`` equal jobs on ``T`` threads
    take ``ceil(m / T)`` rounds for ``m / T`` rounds of work (GloVe's 2.5 M pairs of
    enwiki-sample in 38 jobs of 65,536 on 16 threads: 3 rounds for 2.4, a fifth of the
    threads' time spent waiting). Jobs are cut smaller (``largest`` at most, ``smallest``
    at least, so that a job's work still dwarfs what the queue costs) until every thread
    has ``per_thread`` of them: then the last round is at least ``per_thread / (per_thread
    + 1)`` full.
    """
    per_job = -(-int(n_units) // (int(per_thread) * max(1, int(threads))))
    return int(min(largest, max(smallest, per_job)))


def run_jobs(job, n_jobs: int, threads: int, *, sizes=None, report=None,
             report_every: float = 0.25) -> dict:
    """Run ``job(i, thread, done_before)`` for ``i = 0 .. n_jobs − 1`` on ``threads`` threads.

    Parameters
    ----------
    job : callable
        ``job(i, thread, done_before)``: job number, the running thread's number (0 ..
        threads − 1, for its counters) and the work done when the job started (the sum of
        ``sizes`` of the finished jobs). Jobs are started in increasing ``i``.
    n_jobs : int
    threads : int
        Threads to run; 1 runs every job in order in the calling thread.
    sizes : sequence of int, optional
        The amount of work of each job (default 1 each), for ``done_before`` and ``report``.
    report : callable, optional
        Called as ``report(done)`` from the calling thread about every ``report_every``
        seconds and at the end (a progress bar).

    Returns
    -------
    dict
        ``jobs`` (jobs run by each thread), ``busy`` (seconds each thread spent in jobs),
        ``seconds`` (wall time).

    Raises
    ------
    The first exception a job raised (the queue is then emptied, the running jobs end).
    """
    threads = max(1, min(int(threads), max(n_jobs, 1)))
    lock = threading.Lock()
    state = dict(next=0, done=0, error=None)
    jobs_run = [0] * threads
    busy = [0.0] * threads

    def size(i):
        return 1 if sizes is None else int(sizes[i])

    def worker(t):
        while True:
            with lock:
                i = state["next"]
                if i >= n_jobs or state["error"] is not None:
                    return
                state["next"] = i + 1
                done_before = state["done"]
            start = time.perf_counter()
            try:
                job(i, t, done_before)
            except BaseException as exc:         # stop the others, re-raise in the caller
                with lock:
                    state["error"] = state["error"] or exc
                return
            busy[t] += time.perf_counter() - start
            jobs_run[t] += 1
            with lock:
                state["done"] += size(i)

    start = time.perf_counter()
    if threads == 1:
        last = start
        for i in range(n_jobs):
            job_start = time.perf_counter()
            job(i, 0, state["done"])
            busy[0] += time.perf_counter() - job_start
            jobs_run[0] += 1
            state["done"] += size(i)
            if report is not None and time.perf_counter() - last >= report_every:
                report(state["done"])
                last = time.perf_counter()
    else:
        pool = [threading.Thread(target=worker, args=(t,), daemon=True,
                                 name=f"wvlib-job-{t}") for t in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            while thread.is_alive():
                thread.join(report_every)
                if report is not None:
                    report(state["done"])
        if state["error"] is not None:
            raise state["error"]
    if report is not None:
        report(state["done"])
    return dict(jobs=jobs_run, busy=busy, seconds=time.perf_counter() - start)
