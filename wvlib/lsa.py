"""Latent semantic analysis (Deerwester, Dumais, Furnas, Landauer & Harshman 1990).

LSA is the oldest "embedding as matrix factorization" method. It starts from a *term-document*
matrix (one row per term, one column per document), weights it (here by TF-IDF) into ``X`` and
keeps the ``d`` largest singular triplets (the notation of book/notation.md: ``d`` is the rank
of the truncation, ``S_d`` stands for Σ_d)::

    X  ~  X_d = U_d S_d V_d^T

* the rows of ``U_d S_d`` are **term vectors** (terms that occur in similar documents are close),
* the rows of ``V_d S_d`` are **document vectors**,
* a new document or query ``q`` (a term column weighted with the *training* idf) is **folded
  in** as ``q_hat = S_d^{-1} U_d^T q``, the row it would get in ``V_d`` if it had been a
  training document: for a training column ``x_j`` this gives back row ``j`` of ``V_d``
  exactly, since ``U_d^T X = S_d V_d^T``.

Convention for comparisons (Deerwester et al. 1990, section 4): documents and folded-in queries
are compared by cosine **in the space scaled by S_d**, i.e. between the rows of ``V_d S_d``
(:meth:`LSA.document_vectors`) and ``S_d q_hat = U_d^T q``. Terms are compared between rows of
``U_d S_d``. Because cosine ignores length, the query's own length does not matter.

LSA does not centre the matrix: the SVD of the column-centred matrix would be a principal
component analysis of the documents, but centring fills in every zero of the sparse matrix,
and the first singular direction of the uncentred non-negative matrix (the common vocabulary)
is kept instead of being subtracted (chapter 3).

Reference
---------
S. Deerwester, S. T. Dumais, G. W. Furnas, T. K. Landauer and R. Harshman (1990). Indexing by
latent semantic analysis. Journal of the American Society for Information Science 41(6).
"""
from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from ._validate import (check_choice, check_matrix, check_optional_positive_int,
                        check_positive_int)
from .methods import METHODS, adapt_dim, validates

_PARAMS = METHODS["lsa"].params          # the declaration of `wvlib train lsa`
WEIGHTINGS = _PARAMS["weighting"].choices
NORMS = (None, "l2")
DEFAULT_DIM = _PARAMS["dim"].default


# ---------------------------------------------------------------------------------------------
# Term-document matrix and TF-IDF
# ---------------------------------------------------------------------------------------------

def term_document_matrix(documents, vocab) -> sp.csr_matrix:
    """Raw term counts: entry ``(t, j)`` is how often term ``t`` occurs in document ``j``.

    Parameters
    ----------
    documents : wvlib.corpus.Corpus or list of list of str
    vocab : wvlib.corpus.Vocabulary
        Terms (rows); out-of-vocabulary tokens are ignored.

    Returns
    -------
    scipy.sparse.csr_matrix, float64, shape (len(vocab), n_documents)
    """
    from .encoded import EncodedCorpus

    if not hasattr(vocab, "encode_documents"):
        raise TypeError(f"vocab must be a wvlib.corpus.Vocabulary, got {type(vocab).__name__}")
    encoded = EncodedCorpus.from_documents(documents, vocab)   # one int32 array of ids
    term = encoded.ids                                         # the term id of every token
    n_docs = len(encoded)
    doc = np.repeat(np.arange(n_docs), np.diff(encoded.offsets))  # its document
    ones = np.ones(len(term))
    # COO -> CSR adds up the duplicate (term, doc) pairs: that is the counting.
    X = sp.coo_matrix((ones, (term, doc)), shape=(len(vocab), n_docs))
    return X.tocsr()


def inverse_document_frequency(counts, *, smooth_idf: bool = True) -> np.ndarray:
    """IDF of every term (row) of a terms x documents count matrix.

    With ``N`` documents and ``df(t)`` the number of documents containing term ``t``:

    * ``smooth_idf=True``:  ``idf(t) = log((1 + N) / (1 + df(t))) + 1`` (as if one extra document
      contained every term; never zero, so a term in every document keeps weight 1);
    * ``smooth_idf=False``: ``idf(t) = log(N / df(t))`` (the textbook form; a term in every
      document gets weight 0). A term in no document gets 0.

    Natural logarithms.
    """
    X = check_matrix(counts, "counts")
    X = sp.csr_matrix(X)
    X.sum_duplicates()
    X.eliminate_zeros()
    n_docs = X.shape[1]
    df = np.diff(X.indptr).astype(np.float64)    # stored entries per row = documents with t
    if smooth_idf:
        return np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    idf = np.zeros_like(df)
    present = df > 0
    idf[present] = np.log(n_docs / df[present])
    return idf


def tfidf(counts, *, sublinear_tf: bool = False, smooth_idf: bool = True,
          norm=None) -> sp.csr_matrix:
    """TF-IDF weighting of a terms x documents count matrix (columns are documents).

    The exact variant::

        w(t, j) = tf(t, j) * idf(t)

    * ``tf(t, j)`` = the raw count, or ``1 + log(count)`` for ``count > 0`` (0 otherwise)
      when ``sublinear_tf=True``;
    * ``idf(t)`` as in :func:`inverse_document_frequency` (default: the smoothed
      ``log((1 + N) / (1 + df)) + 1``);
    * ``norm="l2"`` then divides every *document column* by its Euclidean length (empty
      columns stay zero); ``norm=None`` (default) leaves the lengths alone.

    Parameters
    ----------
    counts : scipy.sparse matrix or array-like, shape (n_terms, n_documents)
        Non-negative counts, e.g. from :func:`term_document_matrix`.
    sublinear_tf, smooth_idf : bool
    norm : {None, "l2"}

    Returns
    -------
    scipy.sparse.csr_matrix, float64, same shape
    """
    X = check_matrix(counts, "counts")
    X = sp.csr_matrix(X, copy=True)
    if X.nnz and X.data.min() < 0:
        raise ValueError("counts must be non-negative term counts")
    check_choice(norm, "norm", NORMS)
    X.sum_duplicates()
    X.eliminate_zeros()
    if sublinear_tf:
        X.data = 1.0 + np.log(X.data)
    idf = inverse_document_frequency(X, smooth_idf=smooth_idf)
    X = sp.diags(idf) @ X                               # scale row t by idf(t)
    if norm == "l2":
        X = _normalize_columns(X)
    return sp.csr_matrix(X)


def _normalize_columns(X) -> sp.csr_matrix:
    lengths = np.sqrt(np.asarray(X.multiply(X).sum(axis=0)).ravel())
    inverse = np.divide(1.0, lengths, out=np.zeros_like(lengths), where=lengths > 0)
    return sp.csr_matrix(X @ sp.diags(inverse))


# ---------------------------------------------------------------------------------------------
# LSA
# ---------------------------------------------------------------------------------------------

def _cosine_rows(M: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Cosine between each row of ``M`` and ``x``; 0 where a vector has zero length."""
    norms = np.linalg.norm(M, axis=1) * np.linalg.norm(x)
    return np.divide(M @ x, norms, out=np.zeros(M.shape[0]), where=norms > 0)


class LSA:
    """Latent semantic analysis: truncated SVD of a weighted term-document matrix.

    Parameters
    ----------
    dim : int, default 100
        Number of latent dimensions ``d``; at most ``min(n_terms, n_documents)``.
    weighting : {"tfidf", "log_tfidf", "count"}, default "tfidf"
        ``"tfidf"``: raw count x smoothed idf (see :func:`tfidf`); ``"log_tfidf"``:
        ``(1 + log count)`` x smoothed idf; ``"count"``: raw counts.
    norm : {None, "l2"}, default None
        Optional L2 normalisation of every document column after weighting (queries are
        normalised the same way when folded in).
    min_count : int, default 1
        Terms occurring fewer times in the whole collection are dropped.
    max_vocab : int or None
        Keep at most this many most frequent terms.
    seed : int or numpy.random.Generator, default 0
        Seed of the randomized SVD.
    method : {"randomized", "reference", "exact"}, default "randomized"
        Passed to :func:`wvlib.linalg.truncated_svd`. ``"exact"`` (LAPACK on the densified
        matrix) suits a small collection: the randomized SVD's trailing singular triplets are
        approximate and depend on ``seed``.

    Attributes (after :meth:`fit`)
    ------------------------------
    vocab_ : wvlib.corpus.Vocabulary
    counts_ : csr_matrix, raw term-document counts;   X_ : csr_matrix, weighted matrix
    idf_ : ndarray or None (None for ``weighting="count"``)
    U_ : ndarray (n_terms, dim);  s_ : (dim,), descending;  Vt_ : (dim, n_documents)

    Examples
    --------
    >>> docs = [["cat", "purrs"], ["dog", "barks"], ["cat", "dog", "pets"]]
    >>> lsa = LSA(dim=2).fit(docs)
    >>> lsa.U_.shape, lsa.Vt_.shape
    ((5, 2), (2, 3))
    """

    def __init__(self, dim: int = DEFAULT_DIM, *, weighting: str = "tfidf", norm=None,
                 min_count: int = 1, max_vocab=None, seed=0, method: str = "randomized"):
        self.dim = check_positive_int(dim, "dim")
        self.weighting = check_choice(weighting, "weighting", WEIGHTINGS)
        self.norm = check_choice(norm, "norm", NORMS)
        self.min_count = check_positive_int(min_count, "min_count")
        self.max_vocab = check_optional_positive_int(max_vocab, "max_vocab")
        self.seed = seed
        self.method = check_choice(method, "method", ("randomized", "reference", "exact"))

    # -- fitting --------------------------------------------------------------------------

    def fit(self, documents) -> "LSA":
        """Build the vocabulary, the weighted term-document matrix and its truncated SVD.

        Parameters
        ----------
        documents : wvlib.corpus.Corpus or list of list of str

        Returns
        -------
        self
        """
        from .encoded import EncodedCorpus, encode_corpus
        from .linalg import truncated_svd

        if isinstance(documents, EncodedCorpus):     # its vocabulary and ids as they are
            docs = documents
        else:
            docs = encode_corpus(documents, min_count=self.min_count, max_size=self.max_vocab)
        vocab = docs.vocab
        limit = min(len(vocab), len(docs))
        if self.dim > limit:
            raise ValueError(f"dim must be at most min(number of terms, number of documents) "
                             f"= min({len(vocab)}, {len(docs)}) = {limit}, got "
                             f"dim={self.dim}; lower dim or min_count")

        counts = term_document_matrix(docs, vocab)
        if self.weighting == "count":
            idf = None
            X = counts.copy()
        else:
            idf = inverse_document_frequency(counts, smooth_idf=True)
            X = tfidf(counts, sublinear_tf=(self.weighting == "log_tfidf"), smooth_idf=True)
        if self.norm == "l2":
            X = _normalize_columns(X)

        U, s, Vt = truncated_svd(X, self.dim, method=self.method, seed=self.seed)
        if s[-1] <= 1e-10 * s[0]:
            warnings.warn(f"the weighted term-document matrix has rank < dim={self.dim}; the "
                          "smallest singular values are ~0 and are ignored when folding in",
                          stacklevel=2)
        self.vocab_, self.counts_, self.idf_, self.X_ = vocab, counts, idf, X
        self.U_, self.s_, self.Vt_ = U, s, Vt
        return self

    def _check_fitted(self):
        if not hasattr(self, "U_"):
            raise ValueError("this LSA model is not fitted yet; call .fit(documents) first")

    # -- vectors --------------------------------------------------------------------------

    def term_vectors(self, scale: bool = True):
        """Term vectors as :class:`wvlib.vectors.KeyedVectors`: rows of ``U_d S_d``
        (or of ``U_d`` with ``scale=False``)."""
        from .vectors import KeyedVectors

        self._check_fitted()
        vectors = self.U_ * self.s_ if scale else self.U_.copy()
        return KeyedVectors(list(self.vocab_.words), vectors)

    def document_vectors(self) -> np.ndarray:
        """Document vectors, shape (n_documents, d): the rows of ``V_d S_d``."""
        self._check_fitted()
        return self.Vt_.T * self.s_

    # -- queries --------------------------------------------------------------------------

    def weight_query(self, query_tokens) -> np.ndarray:
        """The query's term column ``q``, weighted like the training documents (tf x the
        training collection's idf, then the same ``norm``). Unknown words are ignored."""
        self._check_fitted()
        if isinstance(query_tokens, str):
            raise ValueError("query_tokens must be a list of tokens, got a str; "
                             "tokenize it first (wvlib.corpus.tokenize)")
        tokens = list(query_tokens)
        ids = self.vocab_.encode(tokens)
        if len(ids) == 0:
            raise ValueError(f"query_tokens has no word in the vocabulary: {tokens[:10]!r}")
        q = np.bincount(ids, minlength=len(self.vocab_)).astype(np.float64)
        if self.weighting == "log_tfidf":
            q[q > 0] = 1.0 + np.log(q[q > 0])
        if self.idf_ is not None:
            q *= self.idf_
        if self.norm == "l2":
            q /= np.linalg.norm(q)
        return q

    def fold_in(self, query_tokens) -> np.ndarray:
        """Fold a query (or new document) into the latent space: ``q_hat = S_d^{-1} U_d^T q``.

        ``q_hat`` lives in the coordinates of the rows of ``V_d``: folding in a training
        document gives back its row of ``V_d`` (= ``Vt_[:, j]``), since ``U_d^T X = S_d
        V_d^T``. Dimensions with a zero singular value get coordinate 0.

        Raises
        ------
        ValueError
            If no query token is in the vocabulary.
        """
        q = self.weight_query(query_tokens)
        projection = self.U_.T @ q                                  # U_d^T q  (= S_d q_hat)
        return np.divide(projection, self.s_, out=np.zeros_like(projection),
                         where=self.s_ > 1e-10 * self.s_[0])

    def rank_documents(self, query_tokens, topn=10) -> list:
        """Training documents ranked by similarity to a query.

        Cosine between ``S_d q_hat`` and the rows of ``V_d S_d`` (Deerwester's scaled space;
        see the module docstring).

        Returns
        -------
        list of (document index, cosine), best first, at most ``topn`` (``None``: all)
        """
        topn = check_optional_positive_int(topn, "topn")
        q_scaled = self.fold_in(query_tokens) * self.s_
        scores = _cosine_rows(self.document_vectors(), q_scaled)
        order = np.argsort(-scores, kind="stable")[:topn]
        return [(int(j), float(scores[j])) for j in order]

    def _check_document(self, i, name):
        i = check_positive_int(i, name, allow_zero=True)
        n_docs = self.Vt_.shape[1]
        if i >= n_docs:
            raise ValueError(f"{name} must be a document index below {n_docs}, got {i}")
        return i

    def document_similarity(self, i: int, j: int) -> float:
        """Cosine between training documents ``i`` and ``j`` (rows of ``V_d S_d``)."""
        self._check_fitted()
        i, j = self._check_document(i, "i"), self._check_document(j, "j")
        D = self.document_vectors()
        return float(_cosine_rows(D[[i]], D[j])[0])

    def term_similarity(self, w1: str, w2: str) -> float:
        """Cosine between the vectors of two terms (rows of ``U_d S_d``); KeyError for an
        unknown term."""
        self._check_fitted()
        a, b = self.vocab_[w1], self.vocab_[w2]
        T = self.U_ * self.s_
        return float(_cosine_rows(T[[a]], T[b])[0])


# ---------------------------------------------------------------------------------------------
# The training method (wvlib train lsa)
# ---------------------------------------------------------------------------------------------

@validates("lsa")
def train_lsa(corpus, *, dim=None, min_count: int = _PARAMS["min_count"].default,
              weighting: str = _PARAMS["weighting"].default, norm: str = "none",
              max_vocab=None, seed: int = 0, verbose=None):
    """LSA term vectors (rows of ``U_d S_d``) of the corpus documents (lines or articles).

    Parameters
    ----------
    corpus : wvlib.corpus.Corpus or list of list of str
    dim : int or None, default None
        Number of latent dimensions; ``None``: ``DEFAULT_DIM`` (100), or
        ``min(n_terms, n_documents)`` when that is smaller (a small corpus has few documents).
    min_count : int, default 5
    weighting : {"tfidf", "log_tfidf", "count"}, default "tfidf"
    norm : {"none", "l2"}, default "none"
    max_vocab : int or None
    seed : int, default 0
    verbose : bool or None
        Unused (LSA has no long loop); accepted like every training method.

    Returns
    -------
    wvlib.vectors.KeyedVectors
    """
    from .encoded import encode_corpus

    documents = encode_corpus(corpus, min_count=min_count, max_size=max_vocab)
    n_terms = len(documents.vocab)
    if dim is None:
        dim = adapt_dim(None, min(n_terms, len(documents)), METHODS["lsa"],
                        f"min(number of terms, number of documents) = min({n_terms}, "
                        f"{len(documents)})")
    model = LSA(dim, weighting=weighting, norm=None if norm == "none" else norm,
                min_count=min_count, max_vocab=max_vocab, seed=seed)
    return model.fit(documents).term_vectors(scale=True)
