"""The command line: ``python -m wvlib`` (or ``wvlib``).

    wvlib train METHOD --corpus NAME_OR_PATH --out FILE [method options]
                       (the options of each method are declared in wvlib/methods.py)
    wvlib evaluate FILE [--restrict-vocab N] [--json]
    wvlib neighbors FILE WORD [--topn N]
    wvlib corpus NAME_OR_PATH [--min-count N] [--window W] [--json] [--encoding E]
    wvlib course assign [--check] | grade ... | gradescope ... | similarity GRADED/
    wvlib bench svd|ppmi|glove|word2vec|fasttext|process|scale|queue [options]
    wvlib compare [--corpus NAME_OR_PATH]
    wvlib book build

Run any of them with ``--help`` for the details.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# Nothing heavy is imported here: a command imports what it needs when it runs, and the
# parser of a module command (course grade, bench, book) is built only when that command is
# chosen, so that `wvlib --help` answers in a fraction of a second.

BENCHMARKS = {
    "svd": ("wvlib.benchmarks.svd", "randomized truncated SVD against scipy.sparse.linalg.svds"),
    "ppmi": ("wvlib.benchmarks.ppmi", "PPMI-SVD against gensim's skip-gram, same corpus"),
    "word2vec": ("wvlib.benchmarks.word2vec",
                 "word2vec (skip-gram, CBOW) against gensim, same corpus and settings"),
    "glove": ("wvlib.benchmarks.glove", "GloVe next to PPMI-SVD on the same counts"),
    "fasttext": ("wvlib.benchmarks.fasttext",
                 "fastText against gensim and the C++ code; rare words against skip-gram"),
    "process": ("wvlib.benchmarks.process",
                "whole-process time of `wvlib train` against gensim's skip-gram, paired runs"),
    "scale": ("wvlib.benchmarks.scale",
              "words/s against threads and peak memory against corpus size, beside gensim"),
    "queue": ("wvlib.benchmarks.queue",
              "what the job queue costs per job against threads, beside a real job's work"),
}

COURSE_COMMANDS = {
    "grade": ("wvlib.grading.batch", "grade submitted notebooks with public and hidden tests"),
    "gradescope": ("wvlib.grading.gradescope", "build a Gradescope autograder bundle"),
    "similarity": ("wvlib.grading.similarity", "copy report of a graded batch: answers "
                   "compared with each other, with wvlib and with the public checks"),
}


class _LazySubParsers(argparse._SubParsersAction):
    """Sub-commands whose arguments are added only when the sub-command is chosen.

    ``add_lazy(name, fill, help=...)`` registers a parser for ``name`` and remembers ``fill``,
    a function of the parser that adds its arguments (and may import a module); ``fill`` runs
    when ``name`` is parsed, or for every sub-command when :func:`build_parser` is asked for
    the complete parser."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pending = {}

    def add_lazy(self, name, fill, **kwargs):
        kwargs.setdefault("description", kwargs.get("help"))
        parser = self.add_parser(name, **kwargs)
        self._pending[name] = (fill, parser)
        return parser

    def fill(self, name):
        if name in self._pending:
            fill, parser = self._pending.pop(name)
            fill(parser)

    def fill_all(self):
        for name in list(self._pending):
            self.fill(name)

    def __call__(self, parser, namespace, values, option_string=None):
        self.fill(values[0])
        super().__call__(parser, namespace, values, option_string)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    pass


def _module_command(module_name):
    """A ``fill`` function for a module that supplies ``add_arguments`` and ``run``."""
    def fill(parser):
        module = importlib.import_module(module_name)
        module.add_arguments(parser)
        parser.set_defaults(handler=module.run)
    return fill


def _add_module_commands(subparsers, registry):
    for name, (module_name, help_text) in registry.items():
        subparsers.add_lazy(name, _module_command(module_name), help=help_text)


def _add_verbosity(p):
    g = p.add_mutually_exclusive_group()
    g.add_argument("--verbose", dest="verbose", action="store_const", const=True, default=None,
                   help="always show progress bars")
    g.add_argument("--quiet", dest="verbose", action="store_const", const=False,
                   help="never show progress bars")


def _add_encoding(p):
    p.add_argument("--encoding", default="utf-8",
                   help="encoding of a corpus text file (default: utf-8)")


def _option(name):
    return "--" + name.replace("_", "-")


def add_method_arguments(parser, method, *, skip=()):
    """Add one option per declared parameter of ``method`` (a :class:`wvlib.methods.Method`).

    The options only convert strings to numbers; their argparse default is ``None`` ("not
    given"), the declared default is shown in the help, and the value is validated by the
    training function. ``skip``: parameters the caller adds itself."""
    group = parser.add_argument_group(f"{method.name} options", description=method.description
                                      or None)
    for name, param in method.params.items():
        if name in skip:
            continue
        help_text = f"{param.help} (default: {param.default_text()})"
        if param.type is bool:
            flag = _option(name) if param.default is False else "--no-" + name.replace("_", "-")
            group.add_argument(flag, dest=name, action="store_const", default=None,
                               const=param.default is False, help=help_text)
        elif param.choices:
            group.add_argument(_option(name), dest=name, choices=param.choices, default=None,
                               help=help_text)
        else:
            group.add_argument(_option(name), dest=name, type=param.type, default=None,
                               metavar=name.upper(), help=help_text)


def _train_fill(method):
    def fill(p):
        p.add_argument("--corpus", required=True,
                       help="corpus name (toy, lee, enwiki-sample, text8) or path to a text "
                            "file with one document per line")
        p.add_argument("--out", required=True, help="output file (word2vec format)")
        p.add_argument("--binary", action="store_true", help="write the binary word2vec format")
        if method.model_file:
            p.add_argument("--model", default=None, help=method.model_file)
        p.add_argument("--max-documents", type=int, default=None,
                       help="use only the first N documents of the corpus")
        _add_encoding(p)
        _add_verbosity(p)
        add_method_arguments(p, method)
        p.set_defaults(handler=cmd_train, method=method.name)
    return fill


def build_parser(*, complete: bool = True) -> argparse.ArgumentParser:
    """The ``wvlib`` parser. With ``complete=False`` the arguments of each sub-command are
    added only when it is parsed (what :func:`main` does, so that a command imports only what
    it needs); ``complete=True`` builds everything (imports every command's module)."""
    from .methods import METHODS

    parser = argparse.ArgumentParser(prog="wvlib", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.register("action", "parsers", _LazySubParsers)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    lazies = [sub]

    # train -----------------------------------------------------------------------------
    p_train = sub.add_parser("train", help="train word vectors and write word2vec text format",
                             description="train word vectors and write word2vec text format")
    p_train.register("action", "parsers", _LazySubParsers)
    methods = p_train.add_subparsers(dest="method", metavar="METHOD", required=True)
    lazies.append(methods)
    for name, method in METHODS.items():
        methods.add_lazy(name, _train_fill(method), help=method.help,
                         formatter_class=_HelpFormatter)

    # evaluate --------------------------------------------------------------------------
    p = sub.add_parser("evaluate", help="WordSim-353, SimLex-999 and Google analogies")
    p.add_argument("file", help="vectors in word2vec format")
    p.add_argument("--binary", action="store_true", help="the file is in binary format")
    p.add_argument("--restrict-vocab", type=int, default=30000,
                   help="analogies: only the N most frequent words (default: 30000, as in the "
                        "literature)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=cmd_evaluate)

    # neighbors -------------------------------------------------------------------------
    p = sub.add_parser("neighbors", help="nearest neighbours of a word by cosine")
    p.add_argument("file", help="vectors in word2vec format, or a fastText model file (.npz: "
                                "any word, seen in training or not)")
    p.add_argument("word")
    p.add_argument("--topn", type=int, default=10)
    p.add_argument("--binary", action="store_true")
    p.set_defaults(handler=cmd_neighbors)

    # corpus ----------------------------------------------------------------------------
    p = sub.add_parser("corpus", help="documents, tokens and vocabulary size of a corpus")
    p.add_argument("corpus", help="toy, lee, enwiki-sample, text8 or a path")
    p.add_argument("--min-count", type=int, default=1)
    p.add_argument("--window", type=int, default=None,
                   help="also count co-occurrences with this window and report the time")
    p.add_argument("--json", action="store_true")
    _add_encoding(p)
    _add_verbosity(p)
    p.set_defaults(handler=cmd_corpus)

    # course ----------------------------------------------------------------------------
    p_course = sub.add_parser("course", help="exercise generation and grading")
    p_course.register("action", "parsers", _LazySubParsers)
    course = p_course.add_subparsers(dest="course_command", metavar="COMMAND", required=True)
    lazies.append(course)
    p = course.add_parser("assign", help="generate exercises/ from solutions/ (and the "
                          "install cell of the chapters in book/)")
    p.add_argument("--check", action="store_true",
                   help="only verify that exercises/ is up to date (exit 1 if stale)")
    p.add_argument("--solutions", default="solutions")
    p.add_argument("--exercises", default="exercises")
    p.set_defaults(handler=cmd_assign)
    _add_module_commands(course, COURSE_COMMANDS)

    # bench -----------------------------------------------------------------------------
    p_bench = sub.add_parser("bench", help="benchmarks against the reference implementations")
    p_bench.register("action", "parsers", _LazySubParsers)
    bench = p_bench.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)
    lazies.append(bench)
    _add_module_commands(bench, BENCHMARKS)

    # book ------------------------------------------------------------------------------
    _add_module_commands(sub, {"book": ("wvlib.book", "build the Jupyter Book")})
    _add_module_commands(sub, {"compare": ("wvlib.compare", "train every method on one corpus and compare quality, time and memory")})
    if complete:
        for action in lazies:
            action.fill_all()
    return parser


def _load_vectors(path, binary):
    """A word2vec file, or a fastText model file (``.npz``: vectors for unseen words too)."""
    if str(path).endswith(".npz"):
        from .fasttext import load_model
        return load_model(path)
    from .vectors import KeyedVectors
    return KeyedVectors.load_word2vec_format(path, binary=binary)


def _load_corpus(args, **kwargs):
    """The corpus of ``--corpus``; a text file (or text8) is streamed (a TextCorpus: read a
    line at a time by the training method, never held as Python strings)."""
    from .corpus import load_corpus
    return load_corpus(args.corpus, encoding=args.encoding, verbose=args.verbose,
                       stream=True, **kwargs)


def cmd_train(args) -> int:
    import time

    from .methods import METHODS
    method = METHODS[args.method]
    if args.max_documents is not None and args.max_documents < 1:
        raise ValueError(f"--max-documents must be a positive integer, got {args.max_documents}")
    given = {name: getattr(args, name) for name in method.params
             if getattr(args, name) is not None}
    params = method.defaults(args.corpus)
    for name, value in params.items():
        if name not in given and value != method.params[name].default:
            print(f"{args.method}: {name} {value}, the default for the {args.corpus} corpus",
                  file=sys.stderr)
    params = {name: value for name, value in params.items()
              if not method.params[name].adaptive}          # adaptive: the function decides
    params.update(given)
    start = time.perf_counter()
    corpus = _load_corpus(args, max_documents=args.max_documents)
    kv = method.load()(corpus, verbose=args.verbose, **params)
    kv.save_word2vec_format(args.out, binary=args.binary)
    print(f"{args.method}: {len(kv)} words × {kv.vector_size} dimensions from "
          f"{corpus.n_tokens:,} tokens in {time.perf_counter() - start:.1f} s → {args.out}")
    if method.model_file:
        model_path = args.model or _model_path(args.out)
        kv.save(model_path)
        print(f"{args.method}: model (vectors for unseen words too) → {model_path}")
    return 0


def _model_path(out):
    """``vectors.txt`` -> ``vectors.npz`` (``vectors`` -> ``vectors.npz``)."""
    import os
    root, ext = os.path.splitext(out)
    return (root if ext != ".npz" else out) + ".npz"


def cmd_evaluate(args) -> int:
    import json

    from .evaluate import evaluate_all, format_report
    kv = _load_vectors(args.file, args.binary)
    results = evaluate_all(kv, restrict_vocab=args.restrict_vocab)
    if args.json:
        print(json.dumps(results, indent=2, default=float))
    else:
        print(format_report(results))
    return 0


def cmd_neighbors(args) -> int:
    kv = _load_vectors(args.file, args.binary)
    for word, score in kv.most_similar(args.word, topn=args.topn):
        print(f"{score:8.4f}  {word}")
    return 0


def cmd_corpus(args) -> int:
    import json
    import time

    from .encoded import encode_corpus
    start = time.perf_counter()
    corpus = encode_corpus(_load_corpus(args), min_count=args.min_count)
    load_seconds = time.perf_counter() - start
    vocab = corpus.vocab
    info = {"corpus": corpus.name, "documents": len(corpus), "tokens": corpus.n_tokens,
            "min_count": args.min_count, "vocabulary": len(vocab),
            "load_seconds": round(load_seconds, 3)}
    if args.window is not None:
        from .cooccurrence import cooccurrence_matrix
        start = time.perf_counter()
        counts = cooccurrence_matrix(corpus, vocab, window=args.window, verbose=args.verbose)
        info.update(window=args.window, nonzeros=int(counts.nnz),
                    count_seconds=round(time.perf_counter() - start, 3))
    if args.json:
        print(json.dumps(info))
    else:
        print(f"{info['corpus']}: {info['documents']:,} documents, {info['tokens']:,} tokens, "
              f"{info['vocabulary']:,} word types with count >= {args.min_count} "
              f"(loaded in {load_seconds:.2f} s)")
        if args.window is not None:
            print(f"co-occurrences, window {args.window}: {info['nonzeros']:,} non-zero entries "
                  f"counted in {info['count_seconds']:.2f} s")
    return 0


def cmd_assign(args) -> int:
    from .course.assign import assign
    return assign(args.solutions, args.exercises, check=args.check)


class _NoteHandler:
    """Print the library's notes (:func:`wvlib.methods.note`) on stderr while a command runs."""

    def __init__(self, command):
        import logging
        self.logger = logging.getLogger("wvlib")
        self.handler = logging.StreamHandler(sys.stderr)
        self.handler.setFormatter(logging.Formatter(f"wvlib {command}: %(message)s"))

    def __enter__(self):
        self.level = self.logger.level
        self.logger.setLevel("INFO")
        self.logger.addHandler(self.handler)

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)


def _name_the_option(args, message):
    """``dim must be ...`` -> ``--dim: dim must be ...`` for a training option."""
    if getattr(args, "command", None) == "train":
        from .methods import METHODS
        first = str(message).split(" ", 1)[0]
        if first in METHODS[args.method].params:
            return f"{_option(first)}: {message}"
    return message


def _one_blas_thread():
    """One OpenBLAS thread unless the user chose otherwise (set before NumPy loads, so only
    when ``wvlib`` runs as a command). OpenBLAS's idle threads spin: on a busy 2-core machine
    two of them made ``wvlib train ppmi-svd`` 3x slower in wall time and burned 4x the CPU,
    for no gain on its small QR factorizations; the sparse products of the randomized SVD,
    the expensive part, use two threads of their own (wvlib.linalg)."""
    if "numpy" not in sys.modules:
        import os
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv=None) -> int:
    _one_blas_thread()
    parser = build_parser(complete=False)
    args, extra = parser.parse_known_args(argv)
    if extra:
        if getattr(args, "command", None) == "train":
            from .methods import METHODS
            options = ", ".join(_option(name) for name in METHODS[args.method].params)
            parser.error(f"unrecognized arguments: {' '.join(extra)} (the options of "
                         f"{args.method} are {options}; see wvlib train {args.method} --help)")
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        with _NoteHandler(args.command):
            return int(args.handler(args) or 0)
    except (ValueError, KeyError, TypeError, FileNotFoundError, RuntimeError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"wvlib {args.command}: error: {_name_the_option(args, message)}",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
