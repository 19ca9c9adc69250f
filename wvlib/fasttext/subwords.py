"""fastText's subwords: character n-grams with boundary markers, hashed into buckets.

A word is written between the boundary markers ``<`` and ``>`` (``where`` becomes
``<where>``), and its **character n-grams** are the substrings of ``minn`` to ``maxn``
characters of that string (3 to 6 by default), listed as the reference code lists them: by
start position, then by length. ``<where>`` has the 3-grams ``<wh whe her ere re>``, the
4-grams ``<whe wher here ere>``... and, being 7 characters long, no 7-gram: the whole
``<where>`` is an n-gram only for words of at most ``maxn − 2`` letters (``<her>``). The
word itself gets a row of its own besides (Bojanowski et al. 2017, section 3.2), which is
why the sequence ``<her>`` of the word *her* and the 3-gram ``her`` of *where* are different
things. An n-gram that occurs twice in a word (``ana`` in ``<banana>``) is listed twice, as
in the reference code.

Characters, not bytes: a multi-byte UTF-8 character (``é`` is two bytes) counts as one
character, as the reference code counts it (it skips UTF-8 continuation bytes, those of the
form ``10xxxxxx``).

Hashing
    There are far too many distinct n-grams to give each its own row, so each is **hashed**
    to one of ``bucket`` rows (2,000,000 in the reference code): row ``hash(g) mod bucket``,
    where ``hash`` is the 32-bit FNV-1a hash (Fowler, Noll, Vo) of the UTF-8 bytes of ``g``::

        h = 2166136261
        for each byte b:  h = (h XOR b) * 16777619   (mod 2^32)

    with one twist, kept here so that the buckets are those of fastText and gensim: the
    reference code (``Dictionary::hash`` in ``src/dictionary.cc``) XORs ``int8_t(b)``, a
    *signed* byte, sign-extended to 32 bits, so a byte ≥ 128 — every byte of a non-ASCII
    character — enters as ``b + 0xFFFFFF00``. For ASCII the result is textbook FNV-1a;
    :func:`fnv1a` with ``signed_bytes=False`` gives the textbook hash of any text. Different
    n-grams can share a bucket (a **collision**): their rows are then one and the same
    vector.

The functions here are the readable reference (:func:`char_ngrams`, :func:`fnv1a`,
:func:`ngram_buckets`) and the compiled version for a whole vocabulary
(:func:`vocabulary_buckets`, tested equal), plus the word-to-n-gram incidence matrix
(:func:`incidence_matrix`) of chapter 10.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._jit import njit

__all__ = ["BOW", "EOW", "FNV_OFFSET", "FNV_PRIME", "char_ngrams", "fnv1a", "ngram_buckets",
           "vocabulary_buckets", "incidence_matrix", "check_ngram_range"]

BOW, EOW = "<", ">"
FNV_OFFSET = 2166136261
FNV_PRIME = 16777619
_MASK32 = 0xFFFFFFFF


def check_ngram_range(minn, maxn, bucket=None):
    """Validate ``minn``, ``maxn`` (and ``bucket``); return them as ints.

    ``maxn = 0`` means no n-grams at all (a word is then only its own row, as in the
    reference code); otherwise ``1 <= minn <= maxn``."""
    for value, name in ((minn, "minn"), (maxn, "maxn")):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    minn, maxn = int(minn), int(maxn)
    if maxn > 0 and not 1 <= minn <= maxn:
        raise ValueError(f"minn must be between 1 and maxn ({maxn}), got {minn} (or set "
                         f"maxn=0 for no n-grams)")
    if bucket is None:
        return minn, maxn
    if isinstance(bucket, bool) or not isinstance(bucket, numbers.Integral) \
            or not 1 <= bucket <= 2 ** 31 - 1:
        raise ValueError(f"bucket must be an integer between 1 and 2**31 - 1, got {bucket!r}")
    return minn, maxn, int(bucket)


def _check_word(word, name="word"):
    if not isinstance(word, str) or word == "":
        raise ValueError(f"{name} must be a non-empty string, got {word!r}")
    return word


def char_ngrams(word, minn=3, maxn=6):
    """The character n-grams of ``<word>``, ``minn`` to ``maxn`` characters long.

    In the reference code's order (start position, then length), repeats included; a single
    boundary marker is never an n-gram (which matters only for ``minn = 1``).

    Parameters
    ----------
    word : str
    minn, maxn : int
        Shortest and longest n-gram, in characters; ``maxn = 0``: none.

    Returns
    -------
    list of str

    Examples
    --------
    >>> char_ngrams("where", 3, 3)
    ['<wh', 'whe', 'her', 'ere', 're>']
    """
    _check_word(word)
    minn, maxn = check_ngram_range(minn, maxn)
    if maxn == 0:
        return []
    text = BOW + word + EOW
    out = []
    for i in range(len(text)):
        for n in range(minn, maxn + 1):
            if i + n > len(text):
                break
            if n == 1 and (i == 0 or i == len(text) - 1):
                continue
            out.append(text[i:i + n])
    return out


def fnv1a(text, signed_bytes=True):
    """The 32-bit FNV-1a hash of the UTF-8 bytes of ``text``, as fastText computes it.

    Parameters
    ----------
    text : str or bytes
    signed_bytes : bool, default True
        XOR each byte as the reference code does, as a signed char sign-extended to 32
        bits (bytes ≥ 128 become ``b + 0xFFFFFF00``); ``False``: textbook FNV-1a. The two
        agree on ASCII text.

    Returns
    -------
    int in [0, 2**32)

    Examples
    --------
    >>> hex(fnv1a("a"))
    '0xe40c292c'
    """
    if isinstance(text, str):
        data = text.encode("utf-8")
    elif isinstance(text, (bytes, bytearray)):
        data = bytes(text)
    else:
        raise TypeError(f"text must be str or bytes, got {type(text).__name__}")
    h = FNV_OFFSET
    for b in data:
        if signed_bytes and b >= 128:
            b += 0xFFFFFF00
        h = ((h ^ b) * FNV_PRIME) & _MASK32
    return h


def ngram_buckets(word, minn=3, maxn=6, bucket=2_000_000):
    """The bucket of every n-gram of ``word``: ``fnv1a(g) mod bucket`` for each g of
    :func:`char_ngrams` (same order, repeats included).

    Returns
    -------
    numpy.ndarray of int64
    """
    minn, maxn, bucket = check_ngram_range(minn, maxn, bucket)
    return np.array([fnv1a(g) % bucket for g in char_ngrams(word, minn, maxn)],
                    dtype=np.int64)


# --------------------------------------------------------------------------------------
# the whole vocabulary at once (compiled; the same loop as the reference code's
# Dictionary::computeSubwords, on the UTF-8 bytes)
# --------------------------------------------------------------------------------------

@njit
def _hash_all(data, starts, minn, maxn, bucket, counts_only, out_ptr, out):
    """For word k, the bytes data[starts[k]:starts[k + 1]] (``<word>`` in UTF-8): count its
    n-grams into out_ptr[k + 1] (``counts_only``) or write their buckets to out from
    out_ptr[k]."""
    for k in range(starts.shape[0] - 1):
        lo, hi = starts[k], starts[k + 1]
        m = out_ptr[k]
        n_found = 0
        for i in range(lo, hi):
            if (data[i] & 0xC0) == 0x80:          # inside a character: not a start
                continue
            h = np.uint64(FNV_OFFSET)
            j = i
            n = 1
            while j < hi and n <= maxn:
                # append one character: its first byte and its continuation bytes
                while True:
                    b = np.uint64(data[j])
                    if b >= 128:
                        b += np.uint64(0xFFFFFF00)
                    h = ((h ^ b) * np.uint64(FNV_PRIME)) & np.uint64(_MASK32)
                    j += 1
                    if j >= hi or (data[j] & 0xC0) != 0x80:
                        break
                if n >= minn and not (n == 1 and (i == lo or j == hi)):
                    if not counts_only:
                        out[m] = np.int64(h % np.uint64(bucket))
                        m += 1
                    n_found += 1
                n += 1
        if counts_only:
            out_ptr[k + 1] = n_found


def vocabulary_buckets(words, minn=3, maxn=6, bucket=2_000_000):
    """The n-gram buckets of every word of a vocabulary, as a CSR-like pair of arrays.

    Equal to ``[ngram_buckets(w, minn, maxn, bucket) for w in words]`` (tested), computed
    in one compiled pass over the UTF-8 bytes.

    Parameters
    ----------
    words : sequence of str
    minn, maxn, bucket : int

    Returns
    -------
    ptr : numpy.ndarray of int64, shape (len(words) + 1,)
    buckets : numpy.ndarray of int64
        The buckets of word k are ``buckets[ptr[k]:ptr[k + 1]]``.
    """
    minn, maxn, bucket = check_ngram_range(minn, maxn, bucket)
    if isinstance(words, str) or not hasattr(words, "__iter__"):
        raise TypeError(f"words must be a sequence of strings, got {type(words).__name__}")
    encoded = [(BOW + _check_word(w, "words[i]") + EOW).encode("utf-8") for w in words]
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=starts[1:])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    if data.size == 0:
        data = np.zeros(1, np.uint8)
    ptr = np.zeros(len(encoded) + 1, dtype=np.int64)
    if maxn == 0 or not encoded:
        return ptr, np.zeros(0, np.int64)
    _hash_all(data, starts, minn, maxn, bucket, True, ptr, np.zeros(1, np.int64))
    np.cumsum(ptr, out=ptr)
    out = np.empty(int(ptr[-1]), dtype=np.int64)
    _hash_all(data, starts, minn, maxn, bucket, False, ptr, out)
    return ptr, out


def incidence_matrix(words, minn=3, maxn=6, bucket=2_000_000):
    """The word-to-row incidence matrix G of the subword model, |V| × (|V| + bucket).

    ``G[w, w] = 1`` (the word's own row) and ``G[w, |V| + b]`` is the number of n-grams of
    ``w`` hashed to bucket ``b``. The word vectors of the model (the paper's sum) are then
    ``W = G Z``, with Z the (|V| + bucket) × d matrix of rows; the reference code's mean is
    ``diag(1 / G 1) G Z``.

    Returns
    -------
    scipy.sparse.csr_matrix of float64
    """
    import scipy.sparse as sp

    ptr, buckets = vocabulary_buckets(words, minn, maxn, bucket)
    n = len(ptr) - 1
    rows = np.concatenate([np.arange(n), np.repeat(np.arange(n), np.diff(ptr))])
    cols = np.concatenate([np.arange(n), n + buckets])
    G = sp.coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n + bucket))
    return G.tocsr()                              # sums the repeats
