"""wvlib.compare: every method through its `wvlib train` function, one JSON schema, bad input."""
import json

import pytest

from wvlib.cli import main
from wvlib.compare import DEFAULT_METHODS, compare, format_table, plot_quality_vs_time
from wvlib.methods import METHODS

# A small text corpus: 300 lines over a 40-word vocabulary with two topics, so that every
# method has something to learn and the word-similarity datasets find a few known pairs.
_TOPICS = [["king", "queen", "prince", "royal", "crown", "throne", "palace", "man", "woman"],
           ["car", "train", "road", "bus", "travel", "drive", "station", "street", "city"]]


def _lines(n=300, seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    fillers = ["the", "a", "of", "and", "in", "to", "is", "was"]
    lines = []
    for i in range(n):
        words = _TOPICS[i % 2]
        lines.append(" ".join(rng.choice(words if rng.random() < 0.7 else fillers)
                              for _ in range(12)))
    return lines


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "small.txt"
    path.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    return path


FAST = {"glove": {"epochs": 3, "threads": 1}, "sgns": {"epochs": 2, "threads": 1},
        "cbow": {"epochs": 2, "threads": 1}, "nmf": {"max_iter": 5},
        "fasttext": {"epochs": 2, "threads": 1, "bucket": 10_000}}


@pytest.fixture(scope="module")
def results(text_file):
    return compare(str(text_file), dim=8, min_count=2, params=FAST, progress=False)


def test_all_methods_by_default_and_the_same_vocabulary(results):
    assert [r["method"] for r in results["results"]] == list(DEFAULT_METHODS)
    assert set(DEFAULT_METHODS) <= set(METHODS)
    from collections import Counter
    counts = Counter(w for line in _lines() for w in line.split())
    n_words = sum(c >= 2 for c in counts.values())
    assert results["n_words"] == n_words and results["n_tokens"] == sum(counts.values())
    for r in results["results"]:
        assert r["n_words"] == n_words, r["method"]


def test_settings_reach_the_training_functions(results):
    params = results["params"]
    for method in ("counts", "ppmi-svd", "glove", "sgns", "cbow", "nmf", "fasttext"):
        assert params[method]["window"] == 5 and params[method]["min_count"] == 2
    assert "window" not in params["lsa"]
    for method in ("lsa", "ppmi-svd", "glove", "sgns", "cbow", "nmf", "fasttext"):
        assert params[method]["dim"] == 8
    assert params["glove"]["epochs"] == 3 and params["nmf"]["max_iter"] == 5
    assert params["fasttext"]["bucket"] == 10_000 and params["fasttext"]["seed"] == 0
    dims = {r["method"]: r["dim"] for r in results["results"]}
    assert dims["sgns"] == dims["nmf"] == dims["ppmi-svd"] == dims["fasttext"] == 8
    assert dims["counts"] == results["n_words"]  # counts: all contexts (capped at V)


def test_json_schema(results, tmp_path):
    text = json.dumps(results)                   # plain JSON (no NaN, no numpy types)
    assert "NaN" not in text
    loaded = json.loads(text)
    assert loaded["schema"] == 1
    assert set(loaded) >= {"corpus", "n_documents", "n_tokens", "n_words", "settings",
                           "params", "results", "warm_up_seconds", "total_seconds"}
    assert set(loaded["settings"]) == {"window", "min_count", "dim", "restrict_vocab", "seed"}
    for r in loaded["results"]:
        assert set(r) == {"method", "n_words", "dim", "wall_seconds", "cpu_seconds",
                          "peak_memory_mb", "wordsim353", "simlex999", "analogies_add",
                          "analogies_mul"}
        assert r["wall_seconds"] > 0 and r["cpu_seconds"] >= 0 and r["peak_memory_mb"] >= 0
        for key in ("wordsim353", "simlex999"):
            assert set(r[key]) == {"spearman", "n_pairs", "n_oov"}
            assert r[key]["spearman"] is None or -1 <= r[key]["spearman"] <= 1
        for key in ("analogies_add", "analogies_mul"):
            assert set(r[key]) == {"accuracy", "coverage", "correct", "total"}
            assert 0 <= r[key]["accuracy"] <= 1 and 0 <= r[key]["coverage"] <= 1
    assert max(r["peak_memory_mb"] for r in loaded["results"]) > 0   # tracemalloc saw them


def test_table_and_figure(results):
    import matplotlib
    matplotlib.use("Agg")
    table = format_table(results)
    for method in DEFAULT_METHODS:
        assert method in table
    ax = plot_quality_vs_time(results)
    assert len(ax.collections) == 2 and ax.get_xscale() == "log"
    assert {t.get_text() for t in ax.texts} == set(DEFAULT_METHODS)


def test_toy_corpus_through_the_command_line(tmp_path, capsys):
    out = tmp_path / "results.json"
    figure = tmp_path / "figure.png"
    assert main(["compare", "--corpus", "toy", "--methods", "counts,ppmi-svd,sgns,fasttext",
                 "--set", "sgns.epochs=1", "--set", "sgns.threads=1", "--dim", "5",
                 "--set", "fasttext.bucket=1000", "--set", "fasttext.negative=3",
                 "--out", str(out), "--figure", str(figure)]) == 0
    captured = capsys.readouterr()
    assert "[1/4] counts" in captured.err and "[4/4] fasttext" in captured.err
    assert "ppmi-svd" in captured.out and "WS-353" in captured.out
    data = json.loads(out.read_text())
    assert [r["method"] for r in data["results"]] == ["counts", "ppmi-svd", "sgns",
                                                     "fasttext"]
    assert data["params"]["fasttext"]["bucket"] == 1000
    assert data["settings"]["min_count"] == 1          # the toy corpus's declared default
    assert data["params"]["sgns"]["epochs"] == 1
    assert figure.stat().st_size > 1000


@pytest.mark.parametrize("argv, message", [
    (["--methods", "counts,word3vec"], "unknown method 'word3vec'"),
    (["--methods", "counts,counts"], "must not repeat"),
    (["--set", "glove.epoch=3"], "glove has no parameter 'epoch'"),
    (["--set", "glove.epochs=three"], "epochs must be an integer"),
    (["--set", "glove.epochs=0"], "epochs must be an integer >= 1"),
    (["--set", "epochs=3"], "METHOD.PARAM=VALUE"),
    (["--window", "0"], "window must be a positive integer"),
])
def test_bad_input_is_a_clear_error(argv, message, capsys):
    assert main(["compare", "--corpus", "toy", *argv]) == 2
    assert message in capsys.readouterr().err


def test_bad_input_from_python():
    with pytest.raises(ValueError, match="unknown method 'svd'"):
        compare("toy", ["svd"])
    with pytest.raises(TypeError, match="lsa has no parameter window"):
        compare("toy", ["lsa"], params={"lsa": {"window": 3}})
    with pytest.raises(ValueError, match="min_count=5 leaves no words"):
        compare([["a", "b"]], ["counts"], min_count=5)
