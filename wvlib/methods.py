"""Training methods: one declaration per method, read without importing NumPy.

Each training method (``wvlib train METHOD``) is declared once, here, in the style of
scikit-learn's ``_parameter_constraints``: a :class:`Method` names the function that trains
(``"wvlib.pmi:train_ppmi_svd"``) and lists its hyperparameters as :class:`Param` objects (type,
default, help, bounds or choices, per-corpus defaults). Everything else follows from it:

* the command line adds one option per parameter (``min_count`` -> ``--min-count``), shows the
  declared default in ``--help``, and rejects options a method does not declare (``wvlib train
  lsa --window 5`` is an argparse error);
* the training function is wrapped with :func:`validates`, which checks its keyword arguments
  against the declaration when it is called, from Python or from the command line alike (the
  command line only converts strings to numbers), and checks at import time that the
  function's signature defaults are the declared ones;
* :meth:`Method.defaults` gives the defaults for a named corpus (``min_count`` is 1 on the tiny
  ``toy`` corpus), and :func:`adapt_dim` caps a default ``dim`` at what the data allows and
  says so (:func:`note`).

This module imports only the standard library, so ``wvlib --help`` and ``wvlib train METHOD
--help`` stay fast: the method's module (NumPy, SciPy, numba...) is imported when it trains.

How to add a training method
----------------------------
1. Write the function in its module, keyword-only hyperparameters with the declared defaults,
   plus ``verbose=None``, returning :class:`wvlib.vectors.KeyedVectors`::

       from .methods import METHODS, validates
       DEFAULTS = METHODS["glove"].defaults()

       @validates("glove")
       def train_glove(corpus, *, dim=None, window=DEFAULTS["window"], ..., seed=0,
                       verbose=None):
           vocab = Vocabulary.build(corpus, min_count=min_count)
           dim = adapt_dim(dim, len(vocab), METHODS["glove"], "the vocabulary size")
           ...

   ``dim=None`` is how an adaptive parameter (``Param(..., adaptive="...")``) is written in
   the signature; the function resolves it with :func:`adapt_dim`. Import numba (``wvlib._jit``)
   inside the function or lazily, not at the top of a module that ``--help`` would import —
   nothing here imports your module before training starts, so a top-level import is fine
   too; just keep this file free of it.
2. Declare it below, in the section reserved for it: ``register(Method(name, "module:function",
   help, params={...}))``. Use the names already used for a concept: ``dim``, ``window``,
   ``min_count``, ``seed``, ``max_vocab``, ``weighting``, ``alpha`` (context distribution
   smoothing exponent), ``shift`` (the ``k`` of shifted PMI); for word2vec's number of
   negative samples use ``negative`` (gensim's name) and ``epochs``.
3. That is all: ``wvlib train NAME --help`` lists the options, ``tests/test_methods.py`` checks
   every registered method's declaration against its function.

Other sub-commands (a benchmark, a course command) are registered lazily in ``wvlib/cli.py``:
add ``"name": ("wvlib.module", "one-line help")`` to ``BENCHMARKS`` or ``COURSE_COMMANDS``;
the module supplies ``add_arguments(parser)`` and ``run(args)`` and is imported only when that
command (or its ``--help``) runs.
"""
from __future__ import annotations

import math
import numbers

__all__ = ["Param", "Method", "METHODS", "register", "validates", "adapt_dim", "note"]

_TYPES = {int: "an integer", float: "a real number", str: "a string", bool: "True or False"}


class Param:
    """One hyperparameter of a training method.

    Parameters
    ----------
    type : {int, float, str, bool}
    default : object
        The library default (``None`` allowed only with ``optional`` or ``adaptive``).
    help : str
        One sentence for ``--help`` (without the default: it is added from ``default``).
    low, high : number, optional
        Bounds (inclusive unless ``low_open``/``high_open``).
    choices : tuple of str, optional
        Allowed values of a ``str`` parameter.
    optional : bool
        ``None`` is a valid value ("no limit"); shown as ``optional_text`` in ``--help``.
    adaptive : str, optional
        The signature default is ``None``, meaning ``default`` capped at what the data allows,
        described by this text (``"the vocabulary size"``); see :func:`adapt_dim`.
    corpus_defaults : dict, optional
        Defaults for named corpora, e.g. ``{"toy": 1}`` for ``min_count``.
    """

    # a plain class, not a dataclass: importing dataclasses (and inspect) would cost
    # `wvlib --help` about 40 ms

    def __init__(self, type, default, help, *, low=None, high=None, low_open=False,
                 high_open=False, choices=None, optional=False, optional_text="no limit",
                 adaptive=None, corpus_defaults=None):
        self.type, self.default, self.help = type, default, help
        self.low, self.high, self.low_open, self.high_open = low, high, low_open, high_open
        self.choices = None if choices is None else tuple(choices)
        self.optional, self.optional_text, self.adaptive = optional, optional_text, adaptive
        self.corpus_defaults = dict(corpus_defaults or {})
        if self.type not in _TYPES:
            raise TypeError(f"Param type must be one of int, float, str, bool; got {self.type}")
        if self.type is str and not self.choices:
            raise TypeError("a str Param needs choices")

    # -- validation ---------------------------------------------------------------------

    def _bounds_text(self) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_open else '<='} {self.high:g}")
        return " and ".join(parts)

    def expected(self) -> str:
        """What a valid value is, in words (for error messages)."""
        if self.choices:
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        else:
            text = _TYPES[self.type]
            if self._bounds_text():
                text += " " + self._bounds_text()
        if self.optional:
            text += " or None"
        elif self.adaptive:
            text += " (or None: the default)"
        return text

    def validate(self, value, name: str):
        """Return ``value`` (converted to ``float`` for a float parameter) or raise
        ``ValueError`` naming ``name`` and what was expected."""
        if value is None and (self.optional or self.adaptive):
            return None
        bad = ValueError(f"{name} must be {self.expected()}, got {value!r}")
        if self.type is bool:
            if value is True or value is False or type(value).__name__ == "bool_":
                return bool(value)
            raise bad
        if self.type is str:
            if isinstance(value, str) and value in self.choices:
                return value
            raise bad
        if isinstance(value, bool) or not isinstance(
                value, numbers.Integral if self.type is int else numbers.Real):
            raise bad
        value = int(value) if self.type is int else float(value)
        if self.type is float and not math.isfinite(value):
            raise bad
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise bad
        if self.high is not None and (value > self.high
                                      or (self.high_open and value == self.high)):
            raise bad
        return value

    def default_text(self) -> str:
        """The default as ``--help`` shows it, with per-corpus defaults."""
        text = "off" if self.default is False else "on" if self.default is True else \
            self.optional_text if self.default is None else f"{self.default}"
        if self.adaptive:
            text += f", at most {self.adaptive}"
        for corpus, value in self.corpus_defaults.items():
            text += f"; {value} on {corpus}"
        return text


class Method:
    """A training method: the function that trains and its declared parameters.

    Parameters
    ----------
    name : str
        The command-line name (``wvlib train NAME``).
    target : str
        ``"module:function"``; the function takes the corpus, then the declared parameters as
        keyword arguments, plus ``verbose``, and returns :class:`wvlib.vectors.KeyedVectors`.
    help : str
        One line for ``wvlib train --help``.
    params : dict of str -> Param
    description : str
        Longer text for ``wvlib train NAME --help`` (how the defaults were chosen...).
    model_file : str, optional
        For a method whose vectors come with more than the word2vec file can hold (fastText's
        n-grams): what the model file is, for the help of ``wvlib train NAME --model``. The
        function then returns vectors with a ``save(path)`` method, and ``wvlib train``
        writes that file too.
    """

    def __init__(self, name, target, help, *, params, description="", model_file=None):
        self.name, self.target, self.help = name, target, help
        self.params, self.description = dict(params), description
        self.model_file = model_file

    def __repr__(self):
        return f"Method({self.name!r}, {self.target!r}, params={list(self.params)})"

    def load(self):
        """Import the module and return the training function."""
        import importlib
        module, function = self.target.split(":")
        return getattr(importlib.import_module(module), function)

    def defaults(self, corpus: str | None = None) -> dict:
        """The declared defaults, those of the named corpus where it has its own.

        Adaptive parameters get their declared default (the function caps it)."""
        return {name: p.corpus_defaults.get(corpus, p.default) if isinstance(corpus, str)
                else p.default for name, p in self.params.items()}

    def validate(self, values: dict) -> dict:
        """Validate declared parameters (a mapping name -> value); unknown names are a
        ``TypeError``, bad values a ``ValueError``. Returns the converted values."""
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            raise TypeError(f"{self.name} has no parameter {', '.join(unknown)}; its "
                            f"parameters are {', '.join(self.params)}")
        return {name: self.params[name].validate(value, name) for name, value in values.items()}


METHODS: dict = {}


def register(method: Method) -> Method:
    """Add a method to :data:`METHODS` (its name must be new)."""
    if method.name in METHODS:
        raise ValueError(f"training method {method.name!r} is already registered")
    METHODS[method.name] = method
    return method


def validates(name: str):
    """Decorator: validate the declared keyword arguments of a training function on every
    call (scikit-learn's ``validate_params``), and check at decoration time that the function
    has every declared parameter with the declared default (``None`` for adaptive ones)."""
    import functools
    import inspect

    method = METHODS[name]

    def decorate(function):
        signature = inspect.signature(function)
        for pname, param in method.params.items():
            if pname not in signature.parameters:
                raise TypeError(f"{function.__qualname__} lacks the declared parameter {pname}")
            expected = None if param.adaptive else param.default
            actual = signature.parameters[pname].default
            if actual != expected or type(actual) is not type(expected):
                raise TypeError(f"{function.__qualname__}: default of {pname} is {actual!r}, "
                                f"the declaration of {name!r} says {expected!r}")

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            for pname in method.params.keys() & bound.arguments.keys():
                bound.arguments[pname] = method.params[pname].validate(
                    bound.arguments[pname], pname)
            return function(*bound.args, **bound.kwargs)

        wrapper.method = method
        return wrapper

    return decorate


def note(message: str) -> None:
    """Tell the user about a choice made for them (shown by the command line on stderr;
    silent in a notebook unless logging is configured for ``"wvlib"``)."""
    import logging
    logging.getLogger("wvlib").info(message)


def adapt_dim(dim, limit: int, method: Method, limit_text: str, name: str = "dim") -> int:
    """Resolve an adaptive dimension.

    ``dim=None``: the declared default capped at ``limit`` (with a :func:`note` when capped);
    an explicit ``dim`` larger than ``limit`` is a ``ValueError`` naming ``limit_text``.
    """
    if dim is None:
        dim = method.params[name].default
        if dim > limit:
            note(f"{name} {limit}: the default {dim} is more than {limit_text} ({limit})")
            dim = limit
        return dim
    if dim > limit:
        raise ValueError(f"{name} must be at most {limit_text} ({limit}), got {name}={dim}")
    return dim


# ---------------------------------------------------------------------------------------------
# The declarations. Names shared across methods mean the same thing everywhere.
# ---------------------------------------------------------------------------------------------

_SMALL = {"toy": 1}          # min_count on the 12-sentence toy corpus: keep every word


def _min_count(default=5):
    return Param(int, default, "ignore words seen fewer times than this in the corpus", low=1,
                 corpus_defaults=_SMALL)


def _max_vocab():
    return Param(int, None, "keep at most this many most frequent words", low=1,
                 optional=True)


def _seed():
    return Param(int, 0, "random seed", low=0)


def _memory():
    return Param(int, 1024, "megabytes for counting co-occurrences: more pairs than fit are "
                            "sorted in runs, spilled to temporary files ($TMPDIR) and merged, "
                            "with the same counts; the counted matrix goes to files too when "
                            "it takes more than half of it", low=1)


# counts (chapter 1) ----------------------------------------------------------------------------
register(Method(
    "counts", "wvlib.train:train_counts",
    "raw co-occurrence counts with the DIM most frequent contexts",
    params={
        "dim": Param(int, 1000, "vector dimension: the DIM most frequent context words",
                     low=1, adaptive="the vocabulary size"),
        "window": Param(int, 5, "context window: words at most this far apart co-occur",
                        low=1),
        "min_count": _min_count(),
        "weighting": Param(str, "uniform", "weight of a context at distance d: 1 or 1/d",
                           choices=("uniform", "harmonic")),
        "symmetric": Param(bool, True, "count contexts on both sides (--no-symmetric: only "
                                       "to the right of the word)"),
        "memory": _memory(),
    }))

# lsa (chapter 3) -------------------------------------------------------------------------------
register(Method(
    "lsa", "wvlib.lsa:train_lsa",
    "LSA: truncated SVD of the TF-IDF term-document matrix",
    description="Term vectors are the rows of U_dim S_dim. The context of a word is its "
                "whole document (a line of a text file, an article), so there is no window.",
    params={
        "dim": Param(int, 100, "number of latent dimensions", low=1,
                     adaptive="the number of terms and of documents"),
        "min_count": _min_count(),
        "weighting": Param(str, "tfidf", "term weighting of the term-document matrix (tfidf: "
                                         "count x log((1+N)/(1+df)) + 1)",
                           choices=("tfidf", "log_tfidf", "count")),
        "norm": Param(str, "none", "L2-normalise every document column after weighting "
                                   "(none, as in Deerwester et al.)", choices=("none", "l2")),
        "max_vocab": _max_vocab(),
        "seed": _seed(),
    }))

# ppmi-svd (chapter 4) --------------------------------------------------------------------------
# Defaults chosen by measurement on enwiki-sample with `wvlib bench ppmi` (see wvlib/pmi.py).
register(Method(
    "ppmi-svd", "wvlib.pmi:train_ppmi_svd",
    "truncated SVD of the (shifted, smoothed) PPMI matrix",
    description="Defaults chosen for quality on enwiki-sample, where they give WordSim-353 "
                "rho 0.526 (mean of 3 SVD seeds); the figures in the help are the rho with "
                "that one setting changed. For speed, --window 8 --dim 75 scores the same "
                "within noise (0.517) in 2/3 of the time.",
    params={
        "dim": Param(int, 100, "vector dimension (300 gave 0.46: 465k tokens support few "
                               "dimensions; use more on bigger corpora)", low=1,
                     adaptive="the vocabulary size"),
        "window": Param(int, 10, "context window radius (5 gave 0.45: relatedness needs "
                                 "wide windows)", low=1),
        "min_count": _min_count(),
        "alpha": Param(float, 0.75, "context distribution smoothing exponent, P(c) ~ "
                                    "#(c)^alpha: it removes PMI's bias towards rare contexts "
                                    "(0.5 gave 0.49; 1 tied, 0.535, but lost analogies)",
                       low=0.0, high=1.0, low_open=True),
        "shift": Param(float, 1.0, "shift k: log k is subtracted from PMI, as SGNS with k "
                                   "negative samples does implicitly (1: no shift; 2, 5, 15 "
                                   "gave 0.51, 0.47, 0.44)", low=1.0),
        "eig": Param(float, 0.5, "eigenvalue weighting p, word vectors = U S^p (0 and 1 gave "
                                 "0.51; 1 is better on analogies)", low=0.0, high=1.0),
        "add_context": Param(bool, False, "use W + C (word plus context vectors) instead of W "
                                          "(tied, 0.531, with fewer analogies)"),
        "weighting": Param(str, "harmonic", "weight of a co-occurrence at distance d: 1 or "
                                            "1/d (uniform tied, 0.536, but lost analogies)",
                           choices=("uniform", "harmonic")),
        "dynamic_window": Param(bool, False, "sample each window size uniformly from "
                                             "1..window like word2vec (with uniform "
                                             "weighting it gave 0.46)"),
        "max_vocab": _max_vocab(),
        "memory": _memory(),
        "seed": _seed(),
    }))

# glove (chapter 5): register here ---------------------------------------------------------------
# Defaults measured on enwiki-sample with `wvlib bench glove` (see wvlib/glove.py).
register(Method(
    "glove", "wvlib.glove:train_glove",
    "GloVe: weighted least squares on log co-occurrence counts, trained by AdaGrad",
    description="Counts with a symmetric 1/distance-weighted window, then AdaGrad over the "
                "shuffled non-zeros (compiled with numba; Hogwild threads). Defaults measured "
                "on enwiki-sample (window 10, min count 5, d 100, 2 threads, 25 epochs): about "
                "1 s per epoch, WordSim-353 rho about 0.2, SimLex-999 about 0.1, like the "
                "original C code; PPMI-SVD does much better on a corpus this small (chapter "
                "5). --threads 1 with a seed is reproducible.",
    params={
        "dim": Param(int, 100, "vector dimension", low=1),
        "window": Param(int, 10, "context window radius (pairs weighted 1/distance)", low=1),
        "min_count": _min_count(),
        "x_max": Param(float, 10.0, "counts at or above x_max get the full weight 1 in "
                                    "f(x) = min(1, (x/x_max)^alpha) (100 in the paper, for "
                                    "billions of tokens; 100 gave WordSim-353 0.10 here)",
                       low=0.0, low_open=True),
        "alpha": Param(float, 0.75, "exponent of GloVe's weighting function f (not context "
                                    "smoothing)", low=0.0),
        "epochs": Param(int, 25, "passes over the non-zeros", low=1),
        "learning_rate": Param(float, 0.05, "AdaGrad's step size (the C code's eta)",
                               low=0.0, low_open=True),
        "threads": Param(int, 2, "Hogwild threads (1: reproducible with a seed)", low=1),
        "output": Param(str, "sum", "word vectors: W + W~ (sum, the paper's) or W (word)",
                        choices=("sum", "word")),
        "max_vocab": _max_vocab(),
        "memory": _memory(),
        "seed": _seed(),
    }))


# sgns, cbow (chapters 6-7): register here -------------------------------------------------------


def _word2vec_params(alpha):
    return {
        "dim": Param(int, 100, "vector dimension", low=1),
        "window": Param(int, 5, "maximum context distance (the window actually used is "
                                "drawn from 1..WINDOW at every position)", low=1),
        "min_count": _min_count(),
        "negative": Param(int, 5, "noise words per prediction (0: no negative sampling; "
                                  "then --hs)", low=0),
        "hs": Param(bool, False, "hierarchical softmax over a Huffman tree"),
        "sample": Param(float, 1e-3, "subsampling threshold t of frequent words (0: off)",
                        low=0.0),
        "epochs": Param(int, 5, "passes over the corpus", low=1),
        "alpha": Param(float, alpha, "initial learning rate, decaying linearly to 1e-4",
                       low=0.0, low_open=True),
        "threads": Param(int, 2, "Hogwild threads", low=1),
        "seed": _seed(),
    }


_W2V_DESCRIPTION = ("The original word2vec algorithm (Mikolov et al. 2013), compiled with "
                    "numba: dynamic window, subsampling of frequent words, negative sampling "
                    "from U^(3/4) and/or hierarchical softmax, linearly decaying learning "
                    "rate, lock-free threads. One thread and a seed give identical vectors.")

register(Method(
    "sgns", "wvlib.word2vec.trainer:train_sgns",
    "word2vec skip-gram (negative sampling by default; --hs for hierarchical softmax)",
    description=_W2V_DESCRIPTION, params=_word2vec_params(0.025)))

register(Method(
    "cbow", "wvlib.word2vec.trainer:train_cbow",
    "word2vec CBOW: the mean of the context vectors predicts the word",
    description=_W2V_DESCRIPTION, params=_word2vec_params(0.05)))

# fasttext (chapter 10) ---------------------------------------------------------------------------
register(Method(
    "fasttext", "wvlib.fasttext:train_fasttext",
    "fastText: skip-gram on the sum of a word's vector and its character n-grams' vectors",
    description="Skip-gram with negative sampling in which a word is the mean of its own "
                "row and the rows of its character n-grams (MINN to MAXN characters of "
                "<word>, hashed into BUCKET rows with FNV-1a), as in the reference code "
                "of Bojanowski et al. (2017), compiled with numba on word2vec's kernels. "
                "Defaults are the reference code's. Writes the vocabulary's vectors in "
                "word2vec format (--out) and a model file (--model) from which words never "
                "seen in training get vectors (wvlib.fasttext.load_model).",
    model_file="the fastText model (.npz, wvlib's format): vectors for unseen words too; "
               "default: --out with the extension .npz",
    params={
        "dim": Param(int, 100, "vector dimension", low=1),
        "minn": Param(int, 3, "shortest character n-gram", low=1),
        "maxn": Param(int, 6, "longest character n-gram (0: no n-grams, plain skip-gram)",
                      low=0),
        "bucket": Param(int, 2_000_000, "hash buckets for the n-grams (only those in use "
                                        "take memory)", low=1, high=2**31 - 1),
        "window": Param(int, 5, "maximum context distance (the window actually used is "
                                "drawn from 1..WINDOW at every position)", low=1),
        "min_count": _min_count(),
        "negative": Param(int, 5, "noise words per prediction", low=1),
        "sample": Param(float, 1e-4, "subsampling threshold t of frequent words (0: off)",
                        low=0.0),
        "epochs": Param(int, 5, "passes over the corpus", low=1),
        "alpha": Param(float, 0.05, "initial learning rate, decaying linearly to 0",
                       low=0.0, low_open=True),
        "ns_exponent": Param(float, 0.5, "noise distribution ~ count^NS_EXPONENT (0.75 in "
                                         "word2vec)", low=0.0),
        "threads": Param(int, 2, "Hogwild threads", low=1),
        "seed": _seed(),
    }))

# nmf (chapter 8) --------------------------------------------------------------------------------
register(Method(
    "nmf", "wvlib.nmf:train_nmf",
    "NMF of the PPMI matrix: non-negative word vectors (HALS or multiplicative updates)",
    description="Counts with a symmetric 1/distance-weighted window, PPMI with context "
                "distribution smoothing, then W H ~ PPMI with W, H >= 0 (chapter 8); the "
                "word vectors are the rows of W. Started from NNDSVD; 20 HALS iterations on "
                "enwiki-sample take about 10 s of CPU time (WordSim-353 rho about 0.4).",
    params={
        "dim": Param(int, 100, "number of non-negative components", low=1,
                     adaptive="the vocabulary size"),
        "window": Param(int, 10, "context window radius (pairs weighted 1/distance)", low=1),
        "min_count": _min_count(),
        "alpha": Param(float, 0.75, "context distribution smoothing exponent of the PPMI",
                       low=0.0, high=1.0, low_open=True),
        "solver": Param(str, "hals", "hals (coordinate descent) or mu (Lee & Seung's "
                                     "multiplicative updates)", choices=("hals", "mu")),
        "max_iter": Param(int, 20, "maximum number of iterations", low=1),
        "memory": _memory(),
        "seed": _seed(),
    }))
