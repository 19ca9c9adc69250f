"""A corpus as one int32 array of word ids: what every training method works on.

A corpus held as Python lists of strings costs about 60 bytes a token (a pointer, and a
string object per token: ``tokenize`` creates a new one every time); 17 million tokens take
more than a gigabyte before training starts. :func:`encode_corpus` reads the documents once,
in one pass — from a :class:`wvlib.corpus.TextCorpus` line by line, so the text is never held
— and keeps

* the :class:`wvlib.corpus.Vocabulary` (the same words, counts and order as
  :meth:`Vocabulary.build <wvlib.corpus.Vocabulary.build>` gives), and
* the in-vocabulary tokens as one int32 array of word ids, with the offset where each
  document starts (out-of-vocabulary tokens removed, as every method here removes them
  before windowing): 4 bytes a token.

How the one pass works: a word gets a *provisional* id the first time it is seen (a
``defaultdict`` whose default is the next integer, so the lookup stays in C), each document
becomes an int32 array of provisional ids, and ``np.bincount`` of them gives the counts.
Once the pass is over the vocabulary is known; a table maps provisional ids to final ids
(or to -1 for the words below ``min_count``) and the provisional arrays are rewritten, block
by block, into the final array, each block freed as soon as it is copied. Peak memory is
about 4 bytes for every token read, plus the distinct words.

>>> from wvlib.corpus import Vocabulary
>>> docs = [["a", "rose", "is", "a", "rose"], ["is", "it"]]
>>> encoded = encode_corpus(docs, min_count=2)
>>> encoded.vocab.words, encoded.ids.tolist(), encoded.offsets.tolist()
(['a', 'is', 'rose'], [0, 2, 1, 0, 2, 1], [0, 5, 6])
>>> encoded.vocab.words == Vocabulary.build(docs, min_count=2).words
True
"""
from __future__ import annotations

import collections
import itertools

import numpy as np

from ._validate import check_optional_positive_int, check_positive_int
from .corpus import TextCorpus, Vocabulary, as_documents

__all__ = ["EncodedCorpus", "encode_corpus"]

_BLOCK_TOKENS = 1 << 20          # provisional ids are gathered in blocks of about this size


class EncodedCorpus:
    """Documents as word ids: ``ids[offsets[i]:offsets[i + 1]]`` is document ``i``.

    Attributes
    ----------
    vocab : wvlib.corpus.Vocabulary
    ids : numpy.ndarray of int32
        The in-vocabulary tokens of all documents, in order.
    offsets : numpy.ndarray of int64, shape (n_documents + 1,)
    n_tokens : int
        Tokens read, out-of-vocabulary ones included.
    name : str
    """

    def __init__(self, vocab, ids, offsets, n_tokens=None, name="documents"):
        if not isinstance(vocab, Vocabulary):
            raise TypeError(f"vocab must be a wvlib.corpus.Vocabulary, got "
                            f"{type(vocab).__name__}")
        ids = np.ascontiguousarray(ids, dtype=np.int32)
        offsets = np.asarray(offsets, dtype=np.int64)
        if offsets.ndim != 1 or len(offsets) < 1 or offsets[0] != 0 \
                or offsets[-1] != len(ids) or np.any(np.diff(offsets) < 0):
            raise ValueError("offsets must rise from 0 to len(ids)")
        if len(ids) and (ids.min() < 0 or ids.max() >= len(vocab)):
            raise ValueError(f"ids must be word ids in [0, {len(vocab)})")
        self.vocab, self.ids, self.offsets = vocab, ids, offsets
        self.n_tokens = len(ids) if n_tokens is None else int(n_tokens)
        self.name = name

    @classmethod
    def from_documents(cls, documents, vocab) -> "EncodedCorpus":
        """Encode token lists (or a Corpus, or a TextCorpus) with a given vocabulary."""
        if isinstance(documents, EncodedCorpus):
            if documents.vocab.words != vocab.words:
                raise ValueError("documents is an EncodedCorpus with another vocabulary "
                                 "than vocab")
            return documents
        if not isinstance(documents, TextCorpus):
            documents = as_documents(documents)
        pieces, lengths, n_tokens = [], [0], 0
        for doc in documents:
            pieces.append(vocab.encode(doc))
            lengths.append(len(pieces[-1]))
            n_tokens += len(doc)
        ids = np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
        return cls(vocab, ids, np.cumsum(lengths), n_tokens,
                   getattr(documents, "name", "documents"))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __iter__(self):
        """The documents as int32 arrays (views of :attr:`ids`)."""
        for i in range(len(self)):
            yield self.ids[self.offsets[i]:self.offsets[i + 1]]

    def __repr__(self) -> str:
        return (f"EncodedCorpus({self.name!r}, {len(self):,} documents, {len(self.ids):,} "
                f"in-vocabulary tokens of {self.n_tokens:,}, {len(self.vocab):,} words)")


def encode_corpus(corpus, min_count: int = 1, max_size=None) -> EncodedCorpus:
    """Build the vocabulary of ``corpus`` and encode it, in one pass (module docstring).

    Parameters
    ----------
    corpus : Corpus, TextCorpus, EncodedCorpus or iterable of list of str
        An :class:`EncodedCorpus` is returned as it is (its vocabulary is kept:
        ``min_count`` and ``max_size`` do not apply to it).
    min_count, max_size
        As in :meth:`wvlib.corpus.Vocabulary.build`.

    Returns
    -------
    EncodedCorpus
        Its ``vocab`` equals ``Vocabulary.build(corpus, min_count, max_size)``.
    """
    min_count = check_positive_int(min_count, "min_count")
    max_size = check_optional_positive_int(max_size, "max_size")
    if isinstance(corpus, EncodedCorpus):
        return corpus
    name = getattr(corpus, "name", "documents")
    if not isinstance(corpus, TextCorpus):
        corpus = as_documents(corpus)
    table = collections.defaultdict(itertools.count().__next__)   # word -> provisional id
    lookup = table.__getitem__
    blocks, block_lengths = [], []          # provisional ids; document lengths per block
    pending, lengths, pending_size, n_tokens = [], [], 0, 0
    for doc in corpus:
        ids = np.fromiter(map(lookup, doc), dtype=np.int32, count=len(doc))
        pending.append(ids)
        lengths.append(len(ids))
        pending_size += len(ids)
        if pending_size >= _BLOCK_TOKENS:
            blocks.append(np.concatenate(pending))
            block_lengths.append(np.array(lengths, dtype=np.int64))
            pending, lengths, pending_size = [], [], 0
    if pending or not blocks:
        blocks.append(np.concatenate(pending) if pending else np.zeros(0, np.int32))
        block_lengths.append(np.array(lengths, dtype=np.int64))
    del pending, lengths
    n_tokens = sum(len(b) for b in blocks)
    words = list(table)
    del table, lookup
    if not words:
        raise ValueError("documents contain no tokens: pass at least one non-empty document")
    counts = np.zeros(len(words), dtype=np.int64)
    for block in blocks:
        counts += np.bincount(block, minlength=len(words))

    vocab, remap = _vocabulary(words, counts, min_count, max_size)
    kept_counts = vocab.counts
    ids = np.empty(int(kept_counts.sum()), dtype=np.int32)
    doc_lengths = []
    at = 0
    for b in range(len(blocks)):
        mapped = remap[blocks[b]]
        blocks[b] = None                       # free the provisional block
        keep = mapped >= 0
        kept = mapped[keep]
        ids[at:at + len(kept)] = kept
        at += len(kept)
        # kept tokens per document: differences of the running count at document ends
        running = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
        ends = np.cumsum(block_lengths[b])
        doc_lengths.append(np.diff(np.concatenate([[0], running[ends]])))
    offsets = np.concatenate([[0], np.cumsum(np.concatenate(doc_lengths))]).astype(np.int64)
    return EncodedCorpus(vocab, ids, offsets, n_tokens=n_tokens, name=name)


def _vocabulary(words, counts, min_count, max_size):
    """The Vocabulary that Vocabulary.build makes from these counts (decreasing count, ties
    alphabetical; ``min_count``, ``max_size``), and the map provisional id -> word id."""
    candidates = np.flatnonzero(counts >= min_count)
    if len(candidates) == 0:
        raise ValueError(f"min_count={min_count} leaves no words: the most frequent word "
                         f"occurs {counts.max()} times; lower min_count")
    alphabetical = sorted(candidates.tolist(), key=words.__getitem__)
    order = np.array(alphabetical, dtype=np.int64)
    order = order[np.argsort(-counts[order], kind="stable")]
    if max_size is not None:
        order = order[:max_size]
    remap = np.full(len(words), -1, dtype=np.int32)
    remap[order] = np.arange(len(order), dtype=np.int32)
    vocab = Vocabulary([words[i] for i in order.tolist()], counts[order])
    return vocab, remap
