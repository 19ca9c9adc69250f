"""The whole-process benchmark (``wvlib bench process``): it runs the two real commands and
reports one ratio per pair and their median. (No assertion on speed: that is measured, not
tested.)"""
import argparse
import re
import subprocess
import sys

import pytest

from wvlib.benchmarks import process


@pytest.mark.slow
def test_paired_runs_report_each_pair_and_the_median(tmp_path):
    done = subprocess.run([sys.executable, "-m", "wvlib", "bench", "process", "--corpus", "lee",
                           "--tokens", "3000", "--pairs", "2", "--workdir", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    pairs = re.findall(r"^\s+(\d+)\s+([\d.]+)\s+[\d.]+\s+\d+\s+([\d.]+)\s+[\d.]+\s+\d+\s+"
                       r"([\d.]+)", done.stdout, flags=re.M)
    assert [p[0] for p in pairs] == ["1", "2"], done.stdout
    for _, wvlib_s, gensim_s, ratio in pairs:          # the ratio is of the two times shown
        assert float(ratio) == pytest.approx(float(wvlib_s) / float(gensim_s), abs=0.01)
    median = re.search(r"median ([\d.]+) \(min ([\d.]+), max ([\d.]+), 2 pairs\)", done.stdout)
    assert median, done.stdout
    ratios = sorted(float(p[3]) for p in pairs)
    assert float(median.group(1)) == pytest.approx(sum(ratios) / 2, abs=0.002)
    # both commands really wrote vectors, from the same file
    header = (tmp_path / "wvlib.txt").read_text().split("\n", 1)[0]
    assert re.fullmatch(r"\d+ \d+", header)
    assert (tmp_path / "gensim.txt").read_text().split("\n", 1)[0].split()[1] == "100"
    lines = (tmp_path / "corpus.txt").read_text().splitlines()
    assert sum(len(line.split()) for line in lines) >= 3000


def test_corpus_file_takes_whole_documents_up_to_the_token_budget(tmp_path):
    from wvlib.corpus import load_corpus
    documents = load_corpus("lee").documents
    n_docs, n_tokens = process.write_corpus_file("lee", tmp_path / "c.txt", tokens=2000)
    lines = (tmp_path / "c.txt").read_text(encoding="utf-8").splitlines()
    assert [line.split() for line in lines] == documents[:n_docs]
    assert n_tokens == sum(map(len, documents[:n_docs])) >= 2000
    assert n_tokens - len(documents[n_docs - 1]) < 2000          # not one document more


def test_a_failing_command_is_reported_with_its_error():
    with pytest.raises(RuntimeError, match="exit status 3"):
        process.time_process([sys.executable, "-c", "import sys; sys.exit(3)"], env=None)


def test_a_command_that_writes_much_to_stderr_does_not_stall():
    """More than a pipe's buffer (64 KiB) on stderr, then its error is still reported."""
    code = "import sys; sys.stderr.write('x' * 1_000_000 + 'the end'); sys.exit(2)"
    with pytest.raises(RuntimeError, match=r"exit status 2:\nx*the end"):
        process.time_process([sys.executable, "-c", code], env=None)
    timing = process.time_process([sys.executable, "-c", "import sys; sys.stderr.write('y' * "
                                   "1_000_000)"], env=None)
    assert timing["seconds"] > 0 and timing["peak_mb"] > 0


@pytest.mark.parametrize("argv, message", [
    (["--pairs", "0"], "--pairs must be an integer >= 1"),
    (["--method", "nope"], "--method must be one of"),
])
def test_bad_options_are_named(argv, message):
    parser = argparse.ArgumentParser()
    process.add_arguments(parser)
    with pytest.raises(ValueError, match=message):
        process.run(parser.parse_args(argv))
