"""The synthetic corpus generator and ``wvlib bench scale`` (no assertion on speed: that is
measured, not tested)."""
import argparse
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from wvlib.benchmarks import scale, synthetic
from wvlib.corpus import TextCorpus, tokenize


def test_synthetic_corpus_is_deterministic_zipfian_and_streamed(tmp_path, monkeypatch):
    monkeypatch.setattr(synthetic, "_BLOCK_LINES", 3)          # several blocks of draws
    a, b, c = (tmp_path / name for name in ("a.txt", "b.txt", "c.txt"))
    info = synthetic.write_zipf_corpus(a, 20_005, types=500, line_tokens=1000)
    assert info["tokens"] == 20_005 and info["lines"] == 21
    synthetic.write_zipf_corpus(b, 20_005, types=500, line_tokens=1000)
    synthetic.write_zipf_corpus(c, 20_005, types=500, line_tokens=1000, seed=1)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    lines = a.read_text().splitlines()
    assert [len(line.split()) for line in lines] == [1000] * 20 + [5]
    assert all(tokenize(line) == line.split() for line in lines)    # words survive tokenize
    counts = {}
    for doc in TextCorpus(a):
        for w in doc:
            counts[w] = counts.get(w, 0) + 1
    # the most frequent words are the first ranks, at about their Zipf probability
    p = synthetic.zipf_probabilities(500, 1.05)
    for rank in range(3):
        word = synthetic.word_of_rank(rank)
        sd = np.sqrt(20_005 * p[rank] * (1 - p[rank]))
        assert abs(counts[word] - 20_005 * p[rank]) < 5 * sd
    assert len(counts) <= 500
    with pytest.raises(ValueError, match="tokens"):
        synthetic.write_zipf_corpus(a, 0)
    with pytest.raises(ValueError, match="exponent"):
        synthetic.write_zipf_corpus(a, 10, exponent=-1)


def test_words_of_ranks_are_distinct_letters():
    words = [synthetic.word_of_rank(r) for r in range(30_000)]
    assert len(set(words)) == 30_000 and all(w.isalpha() and w.islower() for w in words)
    assert words[:3] == ["a", "b", "c"] and words[26] == "aa"


def _args(**kwargs):
    parser = argparse.ArgumentParser()
    scale.add_arguments(parser)
    args = parser.parse_args([])
    vars(args).update(kwargs)
    return args


@pytest.mark.parametrize("kwargs, message", [
    (dict(methods="sgns,word2vec"), "--methods"), (dict(threads="1,x"), "--threads"),
    (dict(threads="0"), "--threads"), (dict(memory=0), "--memory"),
    (dict(tokens="", corpus=None), "--tokens or --corpus")])
def test_bad_options_name_the_option(kwargs, message):
    with pytest.raises(ValueError, match=message):
        scale.run(_args(**kwargs))


def test_one_child_run_reports_its_figures_and_the_table(tmp_path, capsys):
    assert scale.run(_args(tokens="3000", threads="1", methods="ppmi-svd", gensim=False,
                           workdir=str(tmp_path), out=str(tmp_path / "t.md"))) == 0
    table = capsys.readouterr().out
    row = re.search(r"\| zipf 0.003M \| ppmi-svd \| wvlib \| – \| – \| – \| – \| ([\d.]+) \| "
                    r"([\d.]+) \| ([\d.]+) \| ([\d,]+) \|", table)
    assert row, table
    assert float(row.group(2)) >= float(row.group(1))        # process >= its training
    assert 50 < float(row.group(4).replace(",", "")) < 4000  # a peak in MB
    assert (tmp_path / "t.md").read_text().strip() == table.strip()


def test_threaded_trainers_report_how_busy_their_threads_were(tmp_path, capsys):
    """The busy column: the threads' time in jobs over threads × training time."""
    assert scale.run(_args(tokens="40000", threads="2", methods="cbow,glove",
                           gensim=False, workdir=str(tmp_path))) == 0
    table = capsys.readouterr().out
    for method in ("cbow", "glove"):
        row = re.search(rf"\| zipf 0.04M \| {method} \| wvlib \| 2 \| [\d,]+ k [\w/-]+ \| "
                        r"1.00× \| (\d+) % \|", table)
        assert row, table
        assert 0 < int(row.group(1)) <= 100


def test_wvlib_path_runs_that_checkout_even_from_inside_another(tmp_path, monkeypatch,
                                                                capsys):
    """``python -c`` puts its working folder first on sys.path: a child started inside a
    checkout imported that checkout, whatever --wvlib-path said."""
    here = Path(scale.__file__).resolve().parents[2]
    other = tmp_path / "other"
    shutil.copytree(here / "wvlib", other / "wvlib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(here)
    work = tmp_path / "work"
    work.mkdir()
    assert scale.run(_args(tokens="3000", threads="1", methods="ppmi-svd", gensim=False,
                           workdir=str(work), wvlib_path=str(other))) == 0
    assert "| ppmi-svd | wvlib@other |" in capsys.readouterr().out
    # a child that cannot import the checkout it was given is an error, not a wrong row
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RuntimeError, match="ran the wvlib of"):
        scale.run_child("ppmi-svd", work / "zipf-3000.txt", 1, 1, 64, dict(os.environ),
                        empty)
