"""The command line, end to end, on small corpora (in-process calls of wvlib.cli.main and one
real subprocess for `python -m wvlib`)."""
import json
import subprocess
import sys

import numpy as np
import pytest

from wvlib.cli import main
from wvlib.vectors import KeyedVectors


def test_python_m_wvlib_help_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "wvlib", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for command in ("train", "evaluate", "neighbors", "corpus", "course", "bench", "book"):
        assert command in out


def test_readme_train_counts_on_toy_works_with_the_defaults(tmp_path, capsys):
    out = tmp_path / "toy.txt"
    assert main(["train", "counts", "--corpus", "toy", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "min_count 1, the default for the toy corpus" in err
    kv = KeyedVectors.load_word2vec_format(out)
    assert len(kv) > 30 and kv.vector_size == len(kv)       # dim capped at the vocabulary
    assert f"dim {len(kv)}: the default 1000 is more than the vocabulary size" in err


def test_corpus_command_reports_counts(capsys):
    assert main(["corpus", "toy", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["documents"] == 12 and info["tokens"] > 50 and info["vocabulary"] > 20


def test_train_counts_writes_word2vec_text_that_gensim_reads(tmp_path, capsys):
    out = tmp_path / "toy.txt"
    assert main(["train", "counts", "--corpus", "toy", "--out", str(out), "--dim", "10",
                 "--window", "2", "--min-count", "1"]) == 0
    kv = KeyedVectors.load_word2vec_format(out)
    assert kv.vector_size == 10 and "cat" in kv
    from gensim.models import KeyedVectors as GensimKV
    g = GensimKV.load_word2vec_format(str(out))
    assert np.allclose(g["cat"], kv["cat"])
    # counts of "the" around "cat" with window 2: the first column is the most frequent word
    assert kv["cat"][0] > 0


def test_train_rejects_bad_options(tmp_path, capsys):
    assert main(["train", "counts", "--corpus", "toy", "--out", str(tmp_path / "x.txt"),
                 "--dim", "0"]) == 2
    assert "--dim: dim must be an integer >= 1" in capsys.readouterr().err
    assert main(["train", "counts", "--corpus", "toy", "--out", str(tmp_path / "x.txt"),
                 "--dim", "100000", "--min-count", "1"]) == 2
    assert "dim" in capsys.readouterr().err
    assert main(["train", "counts", "--corpus", str(tmp_path / "missing.txt"),
                 "--out", str(tmp_path / "x.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err


def test_neighbors_and_evaluate_commands(tmp_path, capsys):
    out = tmp_path / "toy.txt"
    main(["train", "counts", "--corpus", "toy", "--out", str(out), "--dim", "20", "--window",
          "2", "--min-count", "1"])
    capsys.readouterr()
    assert main(["neighbors", str(out), "king", "--topn", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and "queen" in lines[0]
    assert main(["neighbors", str(out), "notaword"]) == 2
    assert "notaword" in capsys.readouterr().err
    assert main(["evaluate", str(out), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert set(results) >= {"wordsim353", "simlex999", "analogies"}


def test_course_assign_check_passes_on_the_repository(capsys):
    assert main(["course", "assign", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_corpus_command_counts_cooccurrences_on_request(capsys):
    assert main(["corpus", "toy", "--window", "2", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["window"] == 2 and info["nonzeros"] > 0 and info["count_seconds"] >= 0


_PROBE = """
import contextlib, io, json, sys
from wvlib.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
heavy = ("numpy", "scipy", "sympy", "numba", "gensim", "matplotlib", "jupyter_client",
         "nbformat", "zmq")
print(json.dumps({"help": out.getvalue(),
                  "heavy": sorted(m for m in heavy if m in sys.modules)}))
"""


from wvlib.methods import METHODS  # noqa: E402  (light: no NumPy)


@pytest.mark.parametrize("argv", [["--help"], ["train", "--help"], ["neighbors", "--help"],
                                  ["evaluate", "--help"], ["corpus", "--help"],
                                  ["course", "--help"], ["bench", "--help"]]
                         + [["train", name, "--help"] for name in sorted(METHODS)])
def test_help_imports_no_heavy_library(argv):
    """`wvlib --help` stays fast (aim: < 0.3 s for the whole process) because parsing imports
    neither NumPy nor SciPy, SymPy, numba or the grader; a command imports what it needs when
    it runs. (Asserted on sys.modules rather than on a time, which depends on the load.)"""
    result = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True,
                            text=True, check=True)
    probe = json.loads(result.stdout)
    assert probe["help"].startswith("usage: wvlib")
    assert probe["heavy"] == []


def test_train_method_help_lists_every_registered_method():
    from wvlib.methods import METHODS
    out = subprocess.run([sys.executable, "-m", "wvlib", "train", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for name, method in METHODS.items():
        assert name in out and method.help[:30] in " ".join(out.split())


def test_import_vectors_and_evaluate_do_not_import_sympy_or_scipy():
    code = ("import sys, wvlib.vectors, wvlib.evaluate; "
            "print(sorted(m for m in ('sympy', 'scipy', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_encoding_option_reads_a_corpus_that_is_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin1.txt"
    path.write_bytes("le café est très crème\nla crème du café\n".encode("latin-1"))
    assert main(["corpus", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert "latin1.txt" in err and "--encoding" in err
    assert main(["corpus", str(path), "--encoding", "latin-1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tokens"] == 9
    out = tmp_path / "v.txt"
    assert main(["train", "counts", "--corpus", str(path), "--encoding", "latin-1",
                 "--min-count", "1", "--window", "2", "--out", str(out)]) == 0
    assert "café" in KeyedVectors.load_word2vec_format(out)


def test_the_command_uses_one_blas_thread_unless_told_otherwise():
    code = ("import os, sys; from wvlib.cli import main; sys.argv = ['wvlib', 'corpus', 'toy'];"
            " main(sys.argv[1:]); print(os.environ['OPENBLAS_NUM_THREADS'])")
    import os
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout
    assert out.strip().endswith("1")
    env["OPENBLAS_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout
    assert out.strip().endswith("2")


@pytest.mark.parametrize("method", ["ppmi-svd", "glove", "counts", "nmf"])
def test_memory_option_is_validated_with_a_clear_error(tmp_path, capsys, method):
    out = str(tmp_path / "x.txt")
    assert main(["train", method, "--corpus", "toy", "--out", out, "--memory", "0"]) == 2
    assert "--memory: memory must be an integer >= 1, got 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", method, "--corpus", "toy", "--out", out, "--memory", "lots"])
    assert "argument --memory: invalid int value: 'lots'" in capsys.readouterr().err


def test_train_streams_a_text_file(tmp_path, capsys, monkeypatch):
    """A corpus file is read as a TextCorpus (never as lists of strings) and encoded once."""
    import wvlib.corpus
    import wvlib.encoded
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(doc) for doc in wvlib.corpus.load_corpus("lee")))
    seen = []
    original = wvlib.encoded.encode_corpus
    monkeypatch.setattr(wvlib.encoded, "encode_corpus",
                        lambda corpus, *a, **k: seen.append(type(corpus).__name__)
                        or original(corpus, *a, **k))
    monkeypatch.setattr(wvlib.corpus.Corpus, "__init__", None)       # never built
    assert main(["train", "ppmi-svd", "--corpus", str(path), "--out",
                 str(tmp_path / "v.txt"), "--dim", "20"]) == 0
    assert seen == ["TextCorpus"]
    tokens = sum(len(line.split()) for line in path.read_text().splitlines())
    assert f"from {tokens:,} tokens" in capsys.readouterr().out
