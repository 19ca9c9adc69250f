"""A sparse matrix too big to hold: consecutive blocks of rows, in memory or in files.

Counting co-occurrences of a large corpus ends with a matrix of hundreds of millions of
non-zeros (12 bytes each in CSR form). :class:`BlockMatrix` holds such a matrix as a list of
CSR blocks of consecutive rows. While the blocks fit in ``memory_bytes`` they stay in
memory; the first block that would exceed it sends every block to a temporary folder, one
file per block, and from then on each block is read back only while it is used. (Files are
read with :func:`numpy.fromfile`, not memory-mapped: the pages of a mapped file count in the
process's resident set, those of a read do not.)

Everything the embedding methods do with the counts works block by block:

* the row and column sums (:attr:`BlockMatrix.row_sums`, :attr:`BlockMatrix.col_sums`),
  accumulated while the blocks are added;
* an entry-wise transformation into a new block matrix (:meth:`BlockMatrix.transform`:
  PPMI needs only the sums and the entry);
* the products ``A @ X`` and ``Aᵀ @ Y`` with dense matrices (:meth:`BlockMatrix.matmat`,
  :meth:`BlockMatrix.rmatmat`), which is all the randomized SVD of :mod:`wvlib.linalg`
  asks of a matrix; two threads work on alternate blocks (SciPy's products release the
  GIL);
* its non-zeros one block at a time (:meth:`BlockMatrix.blocks`), which GloVe trains on.

:meth:`BlockMatrix.tocsr` assembles one ``scipy.sparse.csr_matrix`` when it is wanted and fits.
"""
from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = ["BlockMatrix", "release_free_memory"]


def release_free_memory() -> None:
    """Hand the memory freed so far back to the operating system (glibc's ``malloc_trim``;
    nothing elsewhere). Arrays of less than 32 MB come from the C heap, which keeps freed
    pieces for reuse: after a phase that made many of them (a merge, a block-by-block
    transformation) the resident set would otherwise stay at the phase's peak."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):        # not glibc
        pass


class BlockMatrix:
    """A sparse ``m × n`` matrix stored as CSR blocks of consecutive rows.

    Parameters
    ----------
    shape : (int, int)
    dtype : numpy dtype, default float64
        Of the stored values.
    memory_bytes : int or None
        Blocks stay in memory while their arrays take at most this many bytes; beyond, all
        are written to files in a temporary folder. ``None``: always in memory.
    temp_dir : str or None
        Where the temporary folder is made (default: the system's, ``$TMPDIR``).

    Notes
    -----
    Entries are added with :meth:`append` in row-major order (rows increasing, columns
    increasing within a row, no duplicates). A call may end in the middle of a row: the
    entries of the last row are held back until a later call (or :meth:`finish`) shows that
    the row is complete, so that no row is ever split between two blocks. Call
    :meth:`close` (or use ``with``) to remove the files.
    """

    def __init__(self, shape, dtype=np.float64, *, memory_bytes=None, temp_dir=None):
        self.shape = (int(shape[0]), int(shape[1]))
        self.dtype = np.dtype(dtype)
        self.memory_bytes = None if memory_bytes is None else int(memory_bytes)
        self._limit = np.inf if memory_bytes is None else self.memory_bytes
        self.temp_dir = temp_dir
        self.nnz = 0
        self.row_sums = np.zeros(self.shape[0])
        self.col_sums = np.zeros(self.shape[1])
        self._blocks = []           # [row_start, row_stop, nnz, (indptr, indices, data) | None]
        self._bytes_in_memory = 0
        self._folder = None
        self._held = None           # entries of the last, possibly incomplete, row
        self._pending, self._pending_size = [], 0     # complete rows not yet in a block
        # a block gathers at least this many entries (fewer, larger files)
        self.block_entries = int(min(1 << 22, max(1 << 14, self._limit // 96)))
        self._next_row = 0
        self._finished = False

    # -- building ------------------------------------------------------------------------
    def append(self, rows, cols, values) -> None:
        """Add entries in row-major order, continuing after those already added."""
        if self._finished:
            raise RuntimeError("this BlockMatrix is finished: no entries can be added")
        rows = np.asarray(rows)
        if len(rows) == 0:
            return
        if rows[0] < self._next_row or np.any(rows[1:] < rows[:-1]):
            raise ValueError(f"rows must come in increasing order: got row {rows.min()} "
                             f"after row {self._next_row}")
        self._next_row = int(rows[-1])
        if self._held is not None:
            rows = np.concatenate([self._held[0], rows])
            cols = np.concatenate([self._held[1], cols])
            values = np.concatenate([self._held[2], values])
            self._held = None
        last = np.searchsorted(rows, rows[-1])           # where the last row starts
        if last < len(rows):
            self._held = (rows[last:], cols[last:], values[last:])
        if last > 0:
            self._pending.append((rows[:last], cols[:last], values[:last]))
            self._pending_size += last
            if self._pending_size >= self.block_entries:
                self._flush_pending()

    def _flush_pending(self):
        if self._pending:
            parts = list(zip(*self._pending))
            self._pending, self._pending_size = [], 0
            self._add_block(*(np.concatenate(p) for p in parts))

    def finish(self) -> "BlockMatrix":
        """Add the entries held back (the last row); no entry can be added afterwards."""
        if not self._finished:
            if self._held is not None:
                self._pending.append(self._held)
                self._held = None
            self._flush_pending()
            self._finished = True
        return self

    def add_csr(self, block, row_start: int) -> None:
        """Add a CSR block whose first row is ``row_start`` (rows after the last ones)."""
        block = sp.csr_matrix(block)
        rows = np.repeat(np.arange(row_start, row_start + block.shape[0]),
                         np.diff(block.indptr))
        self.append(rows, block.indices, block.data)

    def _add_block(self, rows, cols, values):
        start, stop = int(rows[0]), int(rows[-1]) + 1
        if stop > self.shape[0]:
            raise ValueError(f"rows must be in [0, {self.shape[0]}), got row {stop - 1}")
        local = np.arange(start, stop + 1, dtype=rows.dtype)
        indptr = np.searchsorted(rows, local).astype(np.int64)
        values = np.asarray(values, dtype=self.dtype)
        cols = np.asarray(cols, dtype=np.int32)
        self.row_sums[start:stop] += np.bincount(rows - start, weights=values,
                                                 minlength=stop - start)
        self.col_sums += np.bincount(cols, weights=values, minlength=self.shape[1])
        self.nnz += len(values)
        arrays = (indptr, cols, values)
        size = sum(a.nbytes for a in arrays)
        self._blocks.append([start, stop, len(values), arrays])
        self._bytes_in_memory += size
        if self._bytes_in_memory > self._limit or self._folder is not None:
            self._spill()                     # once in files, every block goes to a file

    def _spill(self):
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="wvlib-blocks-", dir=self.temp_dir))
        for i, block in enumerate(self._blocks):
            if block[3] is not None:
                indptr, indices, data = block[3]
                with open(self._folder / f"{i}.block", "wb") as f:  # one file a block
                    for array in (indptr, data, indices):          # (aligned in this order)
                        f.write(array.tobytes())
                block[3] = None
        self._bytes_in_memory = 0

    # -- reading -------------------------------------------------------------------------
    @property
    def spilled(self) -> bool:
        """Whether the blocks are in files."""
        return self._folder is not None

    @property
    def n_blocks(self) -> int:
        return len(self._blocks)

    def _load(self, i):
        start, stop, nnz, arrays = self._blocks[i]
        if arrays is None:
            raw = np.fromfile(self._folder / f"{i}.block", dtype=np.uint8)
            at = 8 * (stop - start + 1)
            indptr = raw[:at].view(np.int64)
            data = raw[at:at + nnz * self.dtype.itemsize].view(self.dtype)
            indices = raw[at + nnz * self.dtype.itemsize:].view(np.int32)
            arrays = (indptr, indices, data)
        indptr, indices, data = arrays
        return start, sp.csr_matrix((data, indices, indptr), shape=(stop - start, self.shape[1]))

    def blocks(self):
        """Yield ``(row_start, block)`` for every block, ``block`` a CSR matrix of the rows
        ``row_start .. row_start + block.shape[0] - 1``."""
        self.finish()
        for i in range(len(self._blocks)):
            yield self._load(i)

    def tocsr(self) -> sp.csr_matrix:
        """The whole matrix as one CSR matrix (float64 values if stored so)."""
        self.finish()
        m, n = self.shape
        indptr = np.zeros(m + 1, dtype=np.int64)
        index_type = np.int32 if self.nnz < 2**31 else np.int64
        indices = np.empty(self.nnz, dtype=index_type)
        data = np.empty(self.nnz, dtype=self.dtype)
        at = 0
        for start, block in self.blocks():
            k = block.nnz
            indices[at:at + k] = block.indices
            data[at:at + k] = block.data
            indptr[start + 1:start + block.shape[0] + 1] = at + block.indptr[1:]
            at += k
        np.maximum.accumulate(indptr, out=indptr)       # rows of no block are empty
        if index_type is np.int32:
            indptr = indptr.astype(np.int32)
        return sp.csr_matrix((data, indices, indptr), shape=self.shape)

    def transform(self, function, dtype=None) -> "BlockMatrix":
        """A new block matrix of ``function(row_start, block)`` for every block (a CSR matrix
        of the same shape, zeros removed or not), with the same memory rule."""
        out = BlockMatrix(self.shape, self.dtype if dtype is None else dtype,
                          memory_bytes=self.memory_bytes, temp_dir=self.temp_dir)
        for start, block in self.blocks():
            out.add_csr(function(start, block), start)
        release_free_memory()
        return out.finish()

    def matmat(self, X, threads: int = 2) -> np.ndarray:
        """``A @ X`` for a dense ``X`` of shape ``(n, k)``."""
        self.finish()
        X = np.asarray(X)
        out = np.zeros((self.shape[0], X.shape[1]), dtype=np.result_type(self.dtype, X))

        def work(i):
            start, block = self._load(i)
            out[start:start + block.shape[0]] = block @ X

        self._run(work, threads)
        return out

    def rmatmat(self, Y, threads: int = 2) -> np.ndarray:
        """``Aᵀ @ Y`` for a dense ``Y`` of shape ``(m, k)``: the blocks' ``Bᵀ Y_B`` summed
        (each thread sums its own blocks, then the two sums are added)."""
        self.finish()
        Y = np.asarray(Y)
        dtype = np.result_type(self.dtype, Y)
        n_threads = max(1, min(threads, len(self._blocks)))
        parts = [np.zeros((self.shape[1], Y.shape[1]), dtype=dtype) for _ in range(n_threads)]

        def work(t):
            for i in range(t, len(self._blocks), n_threads):
                start, block = self._load(i)
                parts[t] += block.T @ Y[start:start + block.shape[0]]

        if n_threads == 1:
            work(0)
        else:
            with ThreadPoolExecutor(n_threads) as pool:
                list(pool.map(work, range(n_threads)))
        for part in parts[1:]:
            parts[0] += part
        return parts[0]

    def _run(self, work, threads):
        if threads <= 1 or len(self._blocks) <= 1:
            for i in range(len(self._blocks)):
                work(i)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(work, range(len(self._blocks))))

    # -- housekeeping --------------------------------------------------------------------
    def close(self) -> None:
        """Remove the files (the matrix is empty afterwards)."""
        self._blocks = []
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            if getattr(self, "_folder", None) is not None:
                self.close()
        except Exception:       # pragma: no cover - interpreter shutdown
            pass

    def __repr__(self) -> str:
        where = f"in files under {self._folder}" if self.spilled else "in memory"
        return (f"BlockMatrix({self.shape[0]:,} × {self.shape[1]:,}, {self.nnz:,} non-zeros "
                f"in {len(self._blocks)} blocks {where})")
