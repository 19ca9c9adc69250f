"""The synthetic corpus generator and ``wvlib bench scale`` (no assertion on speed: that is
measured, not tested)."""
import argparse
import os
import re
import shutil
import subprocess
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


_FAKE_C = r'''#!{python}
import sys, time
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
assert args["-cbow"] in ("0", "1") and args["-threads"] == "2" and args["-iter"] == "3"
print("Starting training using file " + args["-train"])
print("Vocab size: 1234")
print("Words in train file: 100000", flush=True)
for share in (0.1, 0.3, 0.5, 0.7, 0.9):
    time.sleep(0.1)
    sys.stdout.write("\rAlpha: 0.020000  Progress: %.2f%%  Words/thread/sec: 1.00k  "
                     % (100 * share))
    sys.stdout.flush()
open(args["-output"], "wb").write(b"vectors")
'''


def test_c_word2vec_rows_measure_the_wall_clock_between_progress_lines(tmp_path, capsys):
    """The C code's rate: words between its first and last progress lines over the
    seconds between them (a stand-in binary prints its output format: 0.8 of 3 × 100,000
    words in 4 pauses of at least 0.1 s)."""
    import sys
    fake = tmp_path / "word2vec"
    fake.write_text(_FAKE_C.replace("{python}", sys.executable))
    fake.chmod(0o755)
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("a b c\n")
    r = scale.run_c_word2vec(fake, "cbow", corpus, 2, 3, dict(os.environ))
    assert r["vocabulary"] == 1234
    assert 0 < r["rate"] <= 0.8 * 3 * 100_000 / 0.4              # pauses only lengthen
    assert r["train_seconds"] == pytest.approx(3 * 100_000 / r["rate"])
    assert r["wall_seconds"] >= 0.5 and r["peak_mb"] > 0
    assert not list(tmp_path.glob("c-*.bin"))                 # its vectors are removed
    # through the command line: rows labelled C word2vec, and a clear error for a bad path
    work = tmp_path / "work"
    work.mkdir()
    assert scale.run(_args(tokens="3000", threads="2", epochs=3, methods="cbow",
                           gensim=False, workdir=str(work), c_word2vec=str(fake))) == 0
    assert re.search(r"\| zipf 0.003M \| cbow \| C word2vec \| 2 \| [\d,]+ k words/s \| "
                     r"1.00× \| – \|", capsys.readouterr().out)
    with pytest.raises(ValueError, match="--c-word2vec"):
        scale.run(_args(tokens="3000", methods="sgns", c_word2vec=str(tmp_path / "no")))
    broken = tmp_path / "broken"
    broken.write_text(f"#!{sys.executable}\nimport sys\nprint('cannot open'); sys.exit(1)\n")
    broken.chmod(0o755)
    with pytest.raises(RuntimeError, match="cannot open"):
        scale.run_c_word2vec(broken, "sgns", corpus, 2, 3, dict(os.environ))


def test_the_c_code_is_built_only_from_the_archive_it_expects(tmp_path, monkeypatch):
    """cword2vec takes one member out of a checked archive and compiles it; any other
    archive, or none, is refused before anything is extracted (no network here: a stand-in
    archive whose digest the test declares)."""
    import io
    import tarfile

    from wvlib.benchmarks import cword2vec

    sdist = tmp_path / "word2vec-0.9.4.tar.gz"
    source = b'#include <stdio.h>\nint main(void) { puts("WORD VECTOR stand-in"); return 0; }\n'
    with tarfile.open(sdist, "w:gz") as archive:
        info = tarfile.TarInfo(cword2vec.MEMBER)
        info.size = len(source)
        archive.addfile(info, io.BytesIO(source))
    with pytest.raises(ValueError, match="sdist=.*SHA-256"):
        cword2vec.build(tmp_path / "out", sdist)
    assert not (tmp_path / "out" / "word2vec.c").exists()
    with pytest.raises(FileNotFoundError, match="sdist="):
        cword2vec.build(tmp_path / "out", tmp_path / "missing.tar.gz")
    with pytest.raises(RuntimeError, match="compiler="):
        cword2vec.build(tmp_path / "out", sdist, compiler="no-such-cc")
    if shutil.which("gcc") is None:
        pytest.skip("no gcc to compile the stand-in")
    monkeypatch.setattr(cword2vec, "SDIST_SHA256", cword2vec.sha256_of(sdist))
    binary = cword2vec.build(tmp_path / "out", sdist)
    assert subprocess.run([binary], capture_output=True, text=True,
                          check=True).stdout == "WORD VECTOR stand-in\n"
