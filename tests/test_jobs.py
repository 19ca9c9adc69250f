"""Tests for wvlib.jobs: many jobs on few threads, taken dynamically from one queue."""
import threading

import pytest

from wvlib.jobs import run_jobs


def test_a_long_job_does_not_hold_the_other_thread_back():
    """Job 0 cannot finish before all 40 short jobs have: with a dynamic queue the second
    thread runs them while the first is in job 0; a static split (half the jobs to each
    thread, or one part per thread and a barrier) would wait forever (here: time out)."""
    n_short = 40
    all_short_done = threading.Event()
    done = []
    lock = threading.Lock()

    def job(i, thread, done_before):
        if i == 0:
            assert all_short_done.wait(timeout=60), "the short jobs never ran"
        else:
            with lock:
                done.append(i)
                if len(done) == n_short:
                    all_short_done.set()

    stats = run_jobs(job, n_short + 1, 2)
    assert sorted(stats["jobs"]) == [1, n_short]           # one thread: job 0 only
    assert sorted(done) == list(range(1, n_short + 1))


def test_every_job_runs_once_and_sees_the_work_done_before_it():
    seen = {}
    lock = threading.Lock()
    sizes = [3, 1, 4, 1, 5, 9, 2, 6] * 20

    def job(i, thread, done_before):
        with lock:
            seen[i] = (thread, done_before)

    reports = []
    stats = run_jobs(job, len(sizes), 3, sizes=sizes, report=reports.append)
    assert sorted(seen) == list(range(len(sizes)))
    assert sum(stats["jobs"]) == len(sizes) and len(stats["jobs"]) == 3
    assert reports[-1] == sum(sizes)                       # the final report: all done
    for i, (thread, before) in seen.items():
        assert 0 <= thread < 3 and 0 <= before <= sum(sizes) - sizes[i]
    # one thread: in order, in the calling thread, done_before the running sum
    order = []
    run_jobs(lambda i, t, before: order.append((i, t, before, threading.get_ident())),
             len(sizes), 1, sizes=sizes)
    assert [o[0] for o in order] == list(range(len(sizes)))
    assert [o[2] for o in order] == [sum(sizes[:i]) for i in range(len(sizes))]
    assert {o[3] for o in order} == {threading.get_ident()} and {o[1] for o in order} == {0}


def test_an_error_stops_the_queue_and_reaches_the_caller():
    ran = []

    def job(i, thread, done_before):
        ran.append(i)
        if i == 5:
            raise ValueError("job 5 failed")

    with pytest.raises(ValueError, match="job 5 failed"):
        run_jobs(job, 1000, 2)
    assert len(ran) < 1000
    with pytest.raises(ValueError, match="job 5 failed"):
        run_jobs(job, 10, 1)


def test_more_threads_than_jobs_and_no_jobs():
    ran = []
    stats = run_jobs(lambda i, t, b: ran.append(i), 2, 8)
    assert sorted(ran) == [0, 1] and len(stats["jobs"]) == 2
    assert run_jobs(lambda i, t, b: ran.append(i), 0, 4)["jobs"] == [0]


def test_queue_benchmark_times_empty_and_real_jobs(capsys):
    """`wvlib bench queue` on the Lee corpus: one row per thread count, every figure a
    positive number (timings are measured, not asserted)."""
    import argparse
    import re

    from wvlib.benchmarks import queue

    parser = argparse.ArgumentParser()
    queue.add_arguments(parser)
    assert queue.run(parser.parse_args(["--threads", "1,2", "--jobs", "50",
                                        "--corpus", "lee"])) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"^\| (\d+) \| ([\d.]+) µs \| ([\d.]+) µs \| ([\d,]+) \| ([\d,]+) \| "
                      r"([\d,]+) \|$", out, flags=re.M)
    assert [r[0] for r in rows] == ["1", "2"], out
    assert all(float(v) > 0 for r in rows for v in r[1:3]), out
    with pytest.raises(ValueError, match="--jobs"):
        queue.run(parser.parse_args(["--jobs", "0"]))
    with pytest.raises(ValueError, match="--threads"):
        queue.run(parser.parse_args(["--threads", "0"]))
