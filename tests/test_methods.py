"""The declarations of the training methods (wvlib.methods): every registered method's
function matches its declaration, values are validated from it, and the command line's
options come from it."""
import subprocess
import sys

import pytest

from wvlib.cli import build_parser, main
from wvlib.methods import METHODS, Param, adapt_dim


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_loads_and_its_function_validates_from_the_declaration(name):
    method = METHODS[name]
    function = method.load()                       # the decorator checked the signature
    assert function.method is method
    assert method.help and method.params
    for pname, param in method.params.items():
        assert param.help, f"{name}.{pname} has no help"
        if param.default is not None:
            assert param.validate(param.default, pname) == param.default


@pytest.mark.parametrize("name", sorted(METHODS))
def test_help_of_each_method_lists_exactly_its_declared_options(name):
    parser = build_parser()
    method_parser = parser._subparsers._group_actions[0].choices["train"] \
        ._subparsers._group_actions[0].choices[name]
    text = method_parser.format_help()
    options = {opt for action in method_parser._actions for opt in action.option_strings}
    for pname, param in method.params.items() if (method := METHODS[name]) else ():
        flag = ("--no-" if param.type is bool and param.default else "--") \
            + pname.replace("_", "-")
        assert flag in options
        assert f"default: {param.default_text()}" in " ".join(text.split())
    common = {"-h", "--help", "--corpus", "--out", "--binary", "--max-documents",
              "--encoding", "--verbose", "--quiet"}
    if method.model_file:                       # a method that also writes a model file
        assert "--model" in options
        common.add("--model")
    assert len(options - common) == len(method.params)


def test_param_validation_messages_name_the_parameter():
    p = Param(int, 5, "window", low=1)
    assert p.validate(3, "window") == 3
    for bad in (0, 2.5, True, "3", None):
        with pytest.raises(ValueError, match="window must be an integer >= 1"):
            p.validate(bad, "window")
    f = Param(float, 0.5, "eig", low=0.0, high=1.0)
    assert f.validate(1, "eig") == 1.0 and isinstance(f.validate(1, "eig"), float)
    for bad in (float("nan"), 1.5, -0.1, False):
        with pytest.raises(ValueError, match=r"eig must be a real number >= 0 and <= 1"):
            f.validate(bad, "eig")
    s = Param(str, "a", "choice", choices=("a", "b"))
    with pytest.raises(ValueError, match="w must be one of 'a', 'b'"):
        s.validate("c", "w")
    opt = Param(int, None, "limit", low=1, optional=True)
    assert opt.validate(None, "max_vocab") is None
    with pytest.raises(TypeError):
        Param(str, "a", "no choices")


def test_unknown_parameter_is_a_type_error():
    with pytest.raises(TypeError, match="lsa has no parameter window"):
        METHODS["lsa"].validate({"window": 5})


def test_per_corpus_defaults_and_adaptive_dim(caplog):
    method = METHODS["counts"]
    assert method.defaults()["min_count"] == 5
    assert method.defaults("toy")["min_count"] == 1
    assert method.defaults("lee")["min_count"] == 5
    with caplog.at_level("INFO", logger="wvlib"):
        assert adapt_dim(None, 40, method, "the vocabulary size") == 40
    assert "dim 40" in caplog.text and "1000" in caplog.text
    assert adapt_dim(None, 5000, method, "the vocabulary size") == 1000
    assert adapt_dim(7, 40, method, "the vocabulary size") == 7
    with pytest.raises(ValueError, match="dim must be at most the vocabulary size"):
        adapt_dim(41, 40, method, "the vocabulary size")


def test_an_option_the_method_does_not_declare_is_rejected(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "lsa", "--corpus", "toy", "--out", str(tmp_path / "x.txt"),
              "--window", "5"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--window" in err and "the options of lsa are" in err
    assert not (tmp_path / "x.txt").exists()
    with pytest.raises(SystemExit):
        main(["train", "counts", "--corpus", "toy", "--out", str(tmp_path / "x.txt"),
              "--seed", "1"])                       # counts is deterministic: no seed


def test_declarations_are_read_without_numpy():
    code = ("import sys, wvlib.methods, wvlib.cli; wvlib.cli.build_parser(complete=False); "
            "print(sorted(m for m in ('numpy', 'scipy', 'sympy', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
