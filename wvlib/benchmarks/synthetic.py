"""A synthetic corpus for measuring scale: independent Zipf-distributed words, written to a
text file without ever holding the corpus in memory.

    python -m wvlib.benchmarks.synthetic OUT --tokens 17000000 [--types 250000]
                                             [--exponent 1.05] [--line-tokens 10000]

Nothing larger than ``enwiki-sample`` can be downloaded here, so the memory and speed of the
trainers on corpora of tens of millions of tokens are measured on text made up for the
purpose: ``tokens`` words drawn independently with ``P(rank r) ∝ r^-exponent`` over
``types`` word types (a truncated Zipf law; natural text has an exponent near 1), written
``line_tokens`` to a line (one document per line, as ``wvlib train --corpus FILE`` reads
it). The defaults are those of issue 23's memory table: 250,000 types, exponent 1.05, lines
of 10,000 tokens, where 17 M tokens leave about 195,000 words with ``min_count`` 5.

The text has the vocabulary and the document lengths of a real corpus but no meaning:
words co-occur by chance (``#(w, c) ≈ D P(w) P(c)``), so the vectors trained on it are
noise. It is for memory and words per second, never for quality. Since every pair of
frequent words co-occurs somewhere, its co-occurrence matrix has *more* non-zeros than a
natural corpus of the same size, which makes it a pessimistic test of counting.

The word of rank ``r`` (0 is the most frequent) is ``r + 1`` written in bijective base 26
with the letters a..z (``a``, ``b``, ..., ``z``, ``aa``, ``ab``, ...), so it survives
:func:`wvlib.corpus.tokenize` unchanged and frequent words are short, as in real text.
The file is a function of the arguments and ``seed`` only: the same call writes the same
bytes on every machine (NumPy's PCG64 generator, drawn in blocks of a fixed size).
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

__all__ = ["zipf_probabilities", "word_of_rank", "write_zipf_corpus"]

DEFAULTS = dict(types=250_000, exponent=1.05, line_tokens=10_000, seed=0)
_BLOCK_LINES = 100          # lines drawn at a time (1 M tokens with the default length)


def zipf_probabilities(types: int, exponent: float) -> np.ndarray:
    """``P(rank r) = r^-exponent / sum_k k^-exponent`` for ``r = 1..types`` (float64)."""
    ranks = np.arange(1, types + 1, dtype=np.float64)
    weights = ranks ** -float(exponent)
    return weights / weights.sum()


def word_of_rank(rank: int) -> str:
    """The word written for rank ``rank`` (0-based): ``rank + 1`` in bijective base 26.

    >>> [word_of_rank(r) for r in (0, 1, 25, 26, 27, 701, 702)]
    ['a', 'b', 'z', 'aa', 'ab', 'zz', 'aaa']
    """
    n, letters = rank + 1, []
    while n > 0:
        n, digit = divmod(n - 1, 26)
        letters.append(chr(ord("a") + digit))
    return "".join(reversed(letters))


def write_zipf_corpus(path, tokens: int, *, types: int = DEFAULTS["types"],
                      exponent: float = DEFAULTS["exponent"],
                      line_tokens: int = DEFAULTS["line_tokens"],
                      seed: int = DEFAULTS["seed"]) -> dict:
    """Write ``tokens`` Zipf-distributed words to ``path``, ``line_tokens`` per line.

    Memory: the ``types`` words and their cumulative probabilities, and one block of
    ``100 × line_tokens`` draws; never the corpus.

    Parameters
    ----------
    path : str or os.PathLike
        The text file to write (replaced if it exists).
    tokens : int
        Number of tokens; the last line holds the remainder.
    types : int, default 250,000
        Number of word types (ranks).
    exponent : float, default 1.05
        The Zipf exponent ``s`` of ``P(r) ∝ r^-s``.
    line_tokens : int, default 10,000
        Tokens per line (document).
    seed : int, default 0

    Returns
    -------
    dict
        ``tokens``, ``lines``, ``bytes`` written and ``distinct`` (types that occur).
    """
    for name, value in (("tokens", tokens), ("types", types), ("line_tokens", line_tokens)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not np.isfinite(exponent) or exponent <= 0:
        raise ValueError(f"exponent must be a positive number, got {exponent!r}")
    cdf = np.cumsum(zipf_probabilities(types, exponent))
    cdf[-1] = 1.0
    words = np.array([word_of_rank(r) for r in range(types)], dtype=object)
    rng = np.random.default_rng(seed)
    seen = np.zeros(types, dtype=bool)
    written = lines = 0
    path = Path(path)
    with open(path, "w", encoding="ascii", newline="\n") as f:
        while written < tokens:
            n = min(tokens - written, _BLOCK_LINES * line_tokens)
            ranks = np.searchsorted(cdf, rng.random(n), side="right")
            np.minimum(ranks, types - 1, out=ranks)
            seen[ranks] = True
            block = words[ranks]
            for start in range(0, n, line_tokens):
                f.write(" ".join(block[start:start + line_tokens].tolist()))
                f.write("\n")
                lines += 1
            written += n
    return dict(tokens=written, lines=lines, bytes=os.path.getsize(path),
                distinct=int(seen.sum()))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wvlib.benchmarks.synthetic",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the text file to write")
    parser.add_argument("--tokens", type=float, required=True,
                        help="number of tokens (1.7e7 is accepted)")
    for name, value in DEFAULTS.items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(value), default=value,
                            help="(default: %(default)s)")
    args = parser.parse_args(argv)
    if args.tokens != int(args.tokens):
        parser.error(f"--tokens must be a whole number, got {args.tokens}")
    info = write_zipf_corpus(args.out, int(args.tokens), types=args.types,
                             exponent=args.exponent, line_tokens=args.line_tokens,
                             seed=args.seed)
    print(f"{args.out}: {info['tokens']:,} tokens in {info['lines']:,} lines, "
          f"{info['distinct']:,} distinct words, {info['bytes'] / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
