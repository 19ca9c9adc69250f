"""Tokens: how every corpus of the course is cut into words.

:func:`tokenize` lowercases the text and keeps maximal runs of Unicode letters and digits;
everything else (spaces, punctuation, apostrophes, hyphens, underscores) separates tokens. So
``"Don't panic!"`` becomes ``['don', 't', 'panic']`` and ``"word2vec-style"`` becomes
``['word2vec', 'style']``. This is cruder than a linguistic tokenizer, but it is fast, has no
dependencies and treats every corpus the same way.

It is a module of its own because both :mod:`wvlib.corpus` (text files) and
:mod:`wvlib.datasets` (the named corpora) tokenize, and :mod:`wvlib.corpus` loads the named
corpora from :mod:`wvlib.datasets`: with ``tokenize`` here, neither imports the other back.
"""
from __future__ import annotations

import re

__all__ = ["tokenize"]

# ``[^\W_]`` is "a word character that is not an underscore", i.e. a Unicode letter or digit.
_TOKEN_RE = re.compile(r"[^\W_]+")


def tokenize(text: str) -> list[str]:
    """Split ``text`` into lowercase tokens made of Unicode letters and digits.

    Every other character separates tokens, so apostrophes and hyphens inside words split them.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of str
        The tokens, in order.

    Examples
    --------
    >>> tokenize("Don't panic: word2vec is 10 years old!")
    ['don', 't', 'panic', 'word2vec', 'is', '10', 'years', 'old']
    >>> tokenize("Café au lait, über-cool")
    ['café', 'au', 'lait', 'über', 'cool']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _TOKEN_RE.findall(text.lower())
