"""The command line: ``python -m wvlib`` (or ``wvlib``).

    wvlib train METHOD --corpus NAME_OR_PATH --out FILE [--dim D] [--window W] [--min-count N]
                       [--seed S] [method options]
    wvlib evaluate FILE [--restrict-vocab N] [--json]
    wvlib neighbors FILE WORD [--topn N]
    wvlib corpus NAME_OR_PATH [--min-count N] [--json]
    wvlib course assign [--check] | grade ... | gradescope ...
    wvlib bench svd|ppmi [options]
    wvlib book build

Run any of them with ``--help`` for the details.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import time

from .train import METHODS

BENCHMARKS = {
    "svd": ("wvlib.benchmarks.svd", "randomized truncated SVD against scipy.sparse.linalg.svds"),
    "ppmi": ("wvlib.benchmarks.ppmi", "PPMI-SVD against gensim's skip-gram, same corpus"),
}

COURSE_COMMANDS = {
    "grade": ("wvlib.course.grade", "grade submitted notebooks with public and hidden tests"),
    "gradescope": ("wvlib.course.gradescope", "build a Gradescope autograder bundle"),
}


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show a default only when there is one and the help text does not already state it."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.default is None or action.default is False or \
                action.default == argparse.SUPPRESS or "default" in text.lower():
            return text
        return super()._get_help_string(action)


def _import(module_name):
    return importlib.import_module(module_name)


def _add_module_commands(subparsers, registry):
    """Add one sub-command per ``name: (module, help)``; the module supplies its own
    ``add_arguments(parser)`` and ``run(args)``."""
    for name, (module_name, help_text) in registry.items():
        module = _import(module_name)
        p = subparsers.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(handler=module.run)


def _add_verbosity(p):
    g = p.add_mutually_exclusive_group()
    g.add_argument("--verbose", dest="verbose", action="store_const", const=True, default=None,
                   help="always show progress bars")
    g.add_argument("--quiet", dest="verbose", action="store_const", const=False,
                   help="never show progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wvlib", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    # train -----------------------------------------------------------------------------
    p_train = sub.add_parser("train", help="train word vectors and write word2vec text format")
    methods = p_train.add_subparsers(dest="method", metavar="METHOD", required=True)
    for name, (module_name, help_text) in METHODS.items():
        p = methods.add_parser(name, help=help_text, description=help_text,
                               formatter_class=_HelpFormatter)
        p.add_argument("--corpus", required=True,
                       help="corpus name (toy, lee, enwiki-sample, text8) or path to a UTF-8 "
                            "text file with one document per line")
        p.add_argument("--out", required=True, help="output file (word2vec format)")
        module = _import(module_name)
        defaults = getattr(module, "TRAIN_DEFAULTS", {})
        p.add_argument("--dim", type=int, default=defaults.get("dim"),
                       help="vector dimension")
        p.add_argument("--window", type=int, default=defaults.get("window"),
                       help="context window: words at most this far apart co-occur")
        p.add_argument("--min-count", type=int, default=defaults.get("min_count"),
                       help="ignore words seen fewer times than this")
        p.add_argument("--seed", type=int, default=0, help="random seed")
        p.add_argument("--binary", action="store_true", help="write the binary word2vec format")
        p.add_argument("--max-documents", type=int, default=None,
                       help="use only the first N documents of the corpus")
        _add_verbosity(p)
        module.add_train_arguments(p)
        p.set_defaults(handler=cmd_train, method_module=module_name)

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
    p.add_argument("file")
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
    _add_verbosity(p)
    p.set_defaults(handler=cmd_corpus)

    # course ----------------------------------------------------------------------------
    p_course = sub.add_parser("course", help="exercise generation and grading")
    course = p_course.add_subparsers(dest="course_command", metavar="COMMAND", required=True)
    p = course.add_parser("assign", help="generate exercises/ from solutions/")
    p.add_argument("--check", action="store_true",
                   help="only verify that exercises/ is up to date (exit 1 if stale)")
    p.add_argument("--solutions", default="solutions")
    p.add_argument("--exercises", default="exercises")
    p.set_defaults(handler=cmd_assign)
    _add_module_commands(course, COURSE_COMMANDS)

    # bench -----------------------------------------------------------------------------
    p_bench = sub.add_parser("bench", help="benchmarks against the reference implementations")
    bench = p_bench.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)
    _add_module_commands(bench, BENCHMARKS)

    # book ------------------------------------------------------------------------------
    _add_module_commands(sub, {"book": ("wvlib.book", "build the Jupyter Book")})
    return parser


def _load_vectors(path, binary):
    from .vectors import KeyedVectors
    return KeyedVectors.load_word2vec_format(path, binary=binary)


def cmd_train(args) -> int:
    from .corpus import load_corpus
    for name in ("dim", "window", "min_count", "max_documents"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be a positive integer, "
                             f"got {value}")
    start = time.perf_counter()
    corpus = load_corpus(args.corpus, max_documents=args.max_documents, verbose=args.verbose)
    kv = _import(args.method_module).train_from_args(corpus, args)
    kv.save_word2vec_format(args.out, binary=args.binary)
    print(f"{args.method}: {len(kv)} words × {kv.vector_size} dimensions from "
          f"{corpus.n_tokens:,} tokens in {time.perf_counter() - start:.1f} s → {args.out}")
    return 0


def cmd_evaluate(args) -> int:
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
    from .corpus import Vocabulary, load_corpus
    start = time.perf_counter()
    corpus = load_corpus(args.corpus, verbose=args.verbose)
    load_seconds = time.perf_counter() - start
    vocab = Vocabulary.build(corpus, min_count=args.min_count)
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


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (ValueError, KeyError, TypeError, FileNotFoundError, RuntimeError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"wvlib {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
