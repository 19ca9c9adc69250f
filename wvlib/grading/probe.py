"""Plain-data messages between the grader and a student's kernel, and the probe that answers them.

The grader never runs a check inside a student's kernel. When a check asks for a value
(``k.call("cosine_similarity", x, y)``), the grader's :class:`~wvlib.grading.remote.RemoteKernel`

1. writes the request to a file in a folder it shares with the kernel — the arguments as
   *plain data*: a JSON tree for numbers, strings, lists and dicts, one ``.npy`` file per NumPy
   array (never a pickle);
2. runs one line in the kernel, ``__import__("wvlib.grading.probe", ...).serve(folder, name)``,
   which reads the request, calls the learner's function and writes the answer the same way;
3. reads the answer back with :func:`decode`, which trusts nothing: every node of the tree, every
   array header and every size is checked before anything is built.

The same :func:`encode` / :func:`decode` pair works in both directions. The probe runs in the
learner's kernel, so a learner can break it (monkeypatch ``json`` or ``numpy``, replace this
module). That can only spoil the values of the learner's own answers — which then fail their
checks — because the expected values and the comparisons live in the grader's process, and what
comes back is rebuilt there from plain data into fresh Python and NumPy objects.

Encoding (one JSON object per value, tag ``"t"``)::

    None / bool / int / float / complex / str     {"t": "int", "v": "12"}, {"t": "str", "v": "a"}
    list / tuple / set / frozenset                {"t": "list", "v": [...]}
    dict                                          {"t": "dict", "v": [[key, value], ...]}
    numpy array (numbers, booleans, text)         {"t": "ndarray", "file": "res-3-0.npy"}
    numpy scalar                                  {"t": "npscalar", "dtype": "float64", "v": ...}
    scipy.sparse matrix or array                  {"t": "sparse", "format": "csr", ...}
    wvlib KeyedVectors / Vocabulary / Corpus      {"t": "wvlib", "class": ..., "parts": ...}
    SymPy number, expression or matrix            {"t": "sympy", "v": <checks.sympy_to_data>}

Anything else (a learner's own class, a function, a generator) is *unserializable*.
"""
from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
import traceback

import numpy as np

# Pristine references. The grader imports this module in a fresh kernel before the learner's
# first cell runs, so a learner who later replaces ``builtins.isinstance``, ``numpy.save`` or
# ``json.dumps`` does not change what the probe uses (module globals shadow the builtins).
isinstance, callable, type, len, str, repr, id = isinstance, callable, type, len, str, repr, id
bool, int, float, complex, list, tuple, dict, set, frozenset = (bool, int, float, complex, list,
                                                               tuple, dict, set, frozenset)
getattr, hasattr, sorted = getattr, hasattr, sorted
_np_save, _np_contiguous, _json_dumps, _json_loads = (np.save, np.ascontiguousarray, json.dumps,
                                                      json.loads)
_ndarray, _generic = np.ndarray, np.generic

#: Limits on what :func:`decode` accepts (a larger answer is refused, not read).
MAX_JSON_BYTES = 64 * 2**20
MAX_ARRAY_BYTES = 256 * 2**20       # all arrays of one message together
MAX_CONVERSION_BYTES = 256 * 2**20  # estimated memory of rebuilding one sparse value
MAX_DEPTH = 40
MAX_NODES = 2_000_000
MAX_INT_DIGITS = 4000
MAX_MESSAGE_CHARS = 2000            # exception messages sent back to the grader
_ARRAY_KINDS = "biufcUS"            # booleans, integers, floats, complex numbers, text
_FILE_NAME = re.compile(r"^[a-z]+-\d+-\d+\.npy$")

#: wvlib classes that travel as their constructor arguments: (module, class) -> parts
_WVLIB_PARTS = {
    ("wvlib.vectors", "KeyedVectors"): lambda o: {"words": list(o.index_to_key),
                                                  "vectors": np.asarray(o.vectors)},
    ("wvlib.corpus", "Vocabulary"): lambda o: {"words": list(o.words),
                                               "counts": np.asarray(o.counts)},
    ("wvlib.corpus", "Corpus"): lambda o: {"name": str(o.name),
                                           "documents": [list(d) for d in o.documents],
                                           "titles": None if o.titles is None
                                           else list(o.titles)},
}


class Unserializable(TypeError):
    """A value that cannot travel as plain data (the message says which type)."""


class ProtocolError(ValueError):
    """A message that breaks the format or a limit (the message says how)."""


# --------------------------------------------------------------------------------------------
# Encoding: value -> JSON tree + .npy files
# --------------------------------------------------------------------------------------------
class _Encoder:
    def __init__(self, folder_fd: int, stem: str):
        self.folder_fd, self.stem, self.files, self.nodes = folder_fd, stem, [], 0

    def array_file(self, array: np.ndarray) -> str:
        if array.dtype.kind not in _ARRAY_KINDS or array.dtype.names is not None:
            raise Unserializable(f"a NumPy array of dtype {array.dtype} (only numbers, booleans "
                                 f"and text can be sent)")
        name = f"{self.stem}-{len(self.files)}.npy"
        with _create(self.folder_fd, name) as f:
            _np_save(f, _np_contiguous(array), allow_pickle=False)
        self.files.append(name)
        return name

    def tree(self, value, depth=0):
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise Unserializable("a structure nested too deeply or too large")
        sparse_kind = _sparse_format(value)
        if sparse_kind:
            m = value.tocsr()
            return {"t": "sparse", "format": sparse_kind, "shape": [int(n) for n in m.shape],
                    "array": type(value).__name__.endswith("_array"),
                    "data": self.array_file(np.asarray(m.data)),
                    "indices": self.array_file(np.asarray(m.indices, dtype=np.int64)),
                    "indptr": self.array_file(np.asarray(m.indptr, dtype=np.int64))}
        if isinstance(value, _ndarray):
            return {"t": "ndarray", "file": self.array_file(value)}
        if isinstance(value, _generic):
            if value.dtype.kind not in _ARRAY_KINDS:
                raise Unserializable(f"a NumPy scalar of dtype {value.dtype}")
            return {"t": "npscalar", "dtype": value.dtype.str,
                    "v": self.tree(value.item(), depth + 1)}
        if value is None:
            return {"t": "none"}
        if isinstance(value, bool):
            return {"t": "bool", "v": bool(value)}
        if isinstance(value, int):
            return {"t": "int", "v": str(int(value))}
        if isinstance(value, float):
            return {"t": "float", "v": repr(float(value))}
        if isinstance(value, complex):
            return {"t": "complex", "re": repr(value.real), "im": repr(value.imag)}
        if isinstance(value, str):
            return {"t": "str", "v": str(value)}
        for kind in (list, tuple, set, frozenset):
            if isinstance(value, kind):
                return {"t": kind.__name__, "v": [self.tree(x, depth + 1) for x in value]}
        if isinstance(value, dict):
            return {"t": "dict", "v": [[self.tree(k, depth + 1), self.tree(v, depth + 1)]
                                       for k, v in value.items()]}
        if (type(value).__module__ or "").startswith("sympy."):
            from wvlib.course.checks import sympy_to_data
            try:
                return {"t": "sympy", "v": sympy_to_data(value)}
            except (TypeError, ValueError, RecursionError) as exc:
                raise Unserializable(f"a SymPy {type(value).__name__} that cannot be sent "
                                     f"exactly ({str(exc)[:200]})") from None
        key = (type(value).__module__, type(value).__name__)
        if key == ("wvlib.course.checks", "KernelFunction"):   # a check's function, sent in
            return {"t": "function", "source": str(value.source), "name": str(value.name)}
        if key in _WVLIB_PARTS:
            return {"t": "wvlib", "class": ".".join(key),
                    "parts": self.tree(_WVLIB_PARTS[key](value), depth + 1)}
        raise Unserializable(f"a {type(value).__name__} (only numbers, strings, lists, tuples, "
                             f"dicts, sets, NumPy arrays, scipy.sparse matrices and wvlib's "
                             f"KeyedVectors, Vocabulary and Corpus can be sent)")


_SPARSE_FORMATS = ("csr", "csc", "coo", "lil", "dok", "bsr", "dia")


def _sparse_format(value) -> str:
    """The format of a SciPy sparse matrix or array, recognised by its exact type (an object
    that only claims to be one, through ``__module__`` or a ``tocsr`` method, is not)."""
    sparse = sys.modules.get("scipy.sparse")
    if sparse is None:
        return ""
    for fmt in _SPARSE_FORMATS:
        for suffix in ("_matrix", "_array"):
            if type(value) is getattr(sparse, fmt + suffix, None):
                return fmt
    return ""


def encode(value, folder_fd: int, stem: str) -> tuple[dict, list[str]]:
    """Write ``value`` as plain data: return its JSON tree and the ``.npy`` files written in the
    folder open as ``folder_fd`` (named ``<stem>-<i>.npy``). Raises :class:`Unserializable`."""
    encoder = _Encoder(folder_fd, stem)
    try:
        return encoder.tree(value), encoder.files
    except RecursionError:
        raise Unserializable("a structure nested too deeply") from None


# --------------------------------------------------------------------------------------------
# Decoding: JSON tree + .npy files -> fresh values (every claim checked)
# --------------------------------------------------------------------------------------------
def _read_file(folder_fd: int, name: str, limit: int) -> bytes:
    """Read a regular file of at most ``limit`` bytes from the folder, never following links."""
    if not isinstance(name, str) or "/" in name or name in ("", ".", ".."):
        raise ProtocolError(f"bad file name {name!r}")
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0),
                     dir_fd=folder_fd)
    except OSError as exc:
        raise ProtocolError(f"cannot open {name}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ProtocolError(f"{name} is not a regular file")
        if info.st_size > limit:
            raise ProtocolError(f"{name} is too large ({info.st_size:,} bytes, limit "
                                f"{limit:,})")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise ProtocolError(f"{name} grew beyond {limit:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _parse_npy(raw: bytes, name: str) -> np.ndarray:
    """Build an array from the bytes of a ``.npy`` file after checking its header."""
    import io
    fp = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp, max_header_size=10000)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp, max_header_size=10000)
        else:
            raise ProtocolError(f"{name}: unknown .npy version {version}")
    except ProtocolError:
        raise
    except Exception as exc:  # a malformed header
        raise ProtocolError(f"{name}: bad .npy header ({type(exc).__name__})") from None
    if dtype.kind not in _ARRAY_KINDS or dtype.names is not None or dtype.hasobject:
        raise ProtocolError(f"{name}: dtype {dtype} is not allowed")
    if not all(isinstance(n, int) and n >= 0 for n in shape) or len(shape) > 32:
        raise ProtocolError(f"{name}: bad shape {shape!r}")
    count = math.prod(shape)
    body = raw[fp.tell():]
    if count * dtype.itemsize != len(body):
        raise ProtocolError(f"{name}: the header announces {count * dtype.itemsize:,} bytes, "
                            f"the file holds {len(body):,}")
    array = np.frombuffer(body, dtype=dtype, count=count).copy()
    return array.reshape(shape, order="F" if fortran else "C")


class _Decoder:
    def __init__(self, folder_fd: int, expected_files, functions: bool = False):
        self.folder_fd, self.functions = folder_fd, functions
        self.expected = set(expected_files) if expected_files is not None else None
        self.used, self.nodes, self.array_bytes = set(), 0, 0

    def array(self, name) -> np.ndarray:
        if not isinstance(name, str) or not _FILE_NAME.match(name):
            raise ProtocolError(f"bad array file name {name!r}")
        if self.expected is not None and name not in self.expected:
            raise ProtocolError(f"unexpected array file {name}")
        if name in self.used:
            raise ProtocolError(f"array file {name} used twice")
        self.used.add(name)
        raw = _read_file(self.folder_fd, name, MAX_ARRAY_BYTES - self.array_bytes)
        self.array_bytes += len(raw)
        return _parse_npy(raw, name)

    def value(self, node, depth=0):
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise ProtocolError("the value is nested too deeply or too large")
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise ProtocolError("a node without a type tag")
        t = node["t"]
        if t == "none":
            return None
        if t == "bool":
            return _typed(node.get("v"), bool)
        if t == "int":
            text = _typed(node.get("v"), str)
            if len(text) > MAX_INT_DIGITS or not re.fullmatch(r"-?\d+", text):
                raise ProtocolError("a malformed integer")
            return int(text)
        if t == "float":
            return _float(node.get("v"))
        if t == "complex":
            return complex(_float(node.get("re")), _float(node.get("im")))
        if t == "str":
            return _typed(node.get("v"), str)
        if t in ("list", "tuple", "set", "frozenset"):
            items = [self.value(x, depth + 1) for x in _typed(node.get("v"), list)]
            if t in ("set", "frozenset"):
                try:
                    return set(items) if t == "set" else frozenset(items)
                except TypeError:
                    raise ProtocolError("a set with unhashable items") from None
            return items if t == "list" else tuple(items)
        if t == "dict":
            out = {}
            for pair in _typed(node.get("v"), list):
                if not isinstance(pair, list) or len(pair) != 2:
                    raise ProtocolError("a malformed dict entry")
                key = self.value(pair[0], depth + 1)
                try:
                    out[key] = self.value(pair[1], depth + 1)
                except TypeError:
                    raise ProtocolError("a dict with an unhashable key") from None
            return out
        if t == "ndarray":
            return self.array(node.get("file"))
        if t == "npscalar":
            try:
                dtype = np.dtype(_typed(node.get("dtype"), str))
            except TypeError:
                raise ProtocolError("a bad scalar dtype") from None
            if dtype.kind not in _ARRAY_KINDS or dtype.names is not None:
                raise ProtocolError(f"scalar dtype {dtype} is not allowed")
            item = self.value(node.get("v"), depth + 1)
            if not isinstance(item, (bool, int, float, complex, str, bytes)):
                raise ProtocolError("a NumPy scalar holding a non-scalar")
            try:
                return np.array(item, dtype=dtype)[()]
            except (TypeError, ValueError, OverflowError):
                raise ProtocolError(f"{item!r:.50} is not a valid {dtype}") from None
        if t == "sparse":
            return self.sparse(node)
        if t == "wvlib":
            return self.wvlib_object(node, depth)
        if t == "sympy":
            return self.sympy_value(node.get("v"))
        if t == "function" and self.functions:     # only in the kernel, for a check's call
            from wvlib.course.checks import KernelFunction
            try:
                return KernelFunction(_typed(node.get("source"), str),
                                      _typed(node.get("name"), str)).build()
            except (SyntaxError, ValueError, TypeError) as exc:
                raise ProtocolError(f"a check function that does not build: {exc}") from None
        raise ProtocolError(f"unknown type tag {t!r:.40}")

    def sympy_value(self, data):
        """Rebuild an exact SymPy value with ``wvlib.course.checks.data_to_sympy`` (a whitelist
        of node types, never ``eval``), after bounding what could make SymPy compute forever."""
        from wvlib.course.checks import _build_sympy
        _check_sympy_tree(data)
        try:
            return _build_sympy(data)
        except (ValueError, TypeError, KeyError, IndexError, RecursionError,
                OverflowError) as exc:
            raise ProtocolError(f"a malformed exact value ({str(exc)[:100]})") from None

    def sparse(self, node):
        import scipy.sparse as sp
        fmt = _typed(node.get("format"), str)
        if fmt not in _SPARSE_FORMATS:
            raise ProtocolError(f"unknown sparse format {fmt!r:.20}")
        shape = _typed(node.get("shape"), list)
        if len(shape) != 2 or not all(isinstance(n, int) and 0 <= n < 2**40 for n in shape):
            raise ProtocolError("a bad sparse shape")
        data, indices, indptr = (self.array(node.get(k)) for k in ("data", "indices", "indptr"))
        if (data.ndim != 1 or indices.ndim != 1 or indptr.ndim != 1
                or indices.dtype.kind not in "iu" or indptr.dtype.kind not in "iu"
                or len(indptr) != shape[0] + 1 or len(indices) != len(data)
                or (len(indptr) and (indptr[0] != 0 or indptr[-1] != len(data)))
                or np.any(np.diff(indptr) < 0)
                or (len(indices) and (indices.min() < 0 or indices.max() >= shape[1]))):
            raise ProtocolError("an inconsistent sparse matrix")
        nnz, itemsize = len(data), max(data.dtype.itemsize, 1)
        if fmt == "dia":
            rows = np.repeat(np.arange(shape[0], dtype=np.int64), np.diff(indptr))
            n_diags = len(np.unique(indices.astype(np.int64) - rows)) if nnz else 0
            cost = n_diags * shape[1] * itemsize
        else:
            cost = {"csr": 0, "csc": (shape[1] + 1) * 8 + nnz * (8 + itemsize),
                    "coo": nnz * (16 + itemsize), "lil": shape[0] * 120 + nnz * 70,
                    "dok": nnz * 200, "bsr": (shape[0] + 1) * 8 + nnz * (8 + itemsize)}[fmt]
        if node.get("array") is True:
            cost *= 2
        if cost > MAX_CONVERSION_BYTES:
            raise ProtocolError(f"a {shape[0]:,} x {shape[1]:,} sparse matrix in format {fmt} "
                                f"would need about {cost / 2**20:,.0f} MiB to rebuild (limit "
                                f"{MAX_CONVERSION_BYTES // 2**20} MiB)")
        matrix = sp.csr_matrix((data, indices, indptr), shape=tuple(shape))
        matrix = matrix.tobsr(blocksize=(1, 1)) if fmt == "bsr" else matrix.asformat(fmt)
        if node.get("array") is True:
            matrix = getattr(sp, f"{fmt}_array")(matrix)
        return matrix

    def wvlib_object(self, node, depth):
        import importlib
        name = _typed(node.get("class"), str)
        key = tuple(name.rsplit(".", 1))
        if key not in _WVLIB_PARTS:
            raise ProtocolError(f"{name!r:.60} is not a class that can be sent")
        parts = self.value(node.get("parts"), depth + 1)
        if not isinstance(parts, dict) or not all(isinstance(k, str) for k in parts):
            raise ProtocolError(f"bad parts for {name}")
        cls = getattr(importlib.import_module(key[0]), key[1])
        try:
            return cls(**parts)
        except (TypeError, ValueError, KeyError) as exc:
            raise ProtocolError(f"could not rebuild a {key[1]}: {exc}") from None


def _check_sympy_tree(data) -> None:
    """Shape and cost limits of an encoded SymPy value (see
    :func:`wvlib.course.checks.exact_data_cost`), checked before anything is built."""
    from wvlib.course.checks import exact_data_cost
    try:
        exact_data_cost(data)
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise ProtocolError(f"an exact value that is malformed or too large "
                            f"({str(exc)[:160]})") from None


def _typed(value, kind):
    if type(value) is not kind:
        raise ProtocolError(f"expected a {kind.__name__} in the message")
    return value


def _float(text) -> float:
    text = _typed(text, str)
    if len(text) > 40:
        raise ProtocolError("a malformed float")
    try:
        return float(text)
    except ValueError:
        raise ProtocolError("a malformed float") from None


def decode(tree, folder_fd: int, files=None, *, functions: bool = False):
    """Rebuild a value from its JSON tree, reading arrays from the folder open as ``folder_fd``.

    ``files`` (optional) lists the array files the message may use. ``functions``: accept the
    functions a check sends (:class:`wvlib.course.checks.KernelFunction`) — in the kernel only;
    the grader never accepts one. Raises :class:`ProtocolError` on anything malformed or over a
    limit.
    """
    try:
        return _Decoder(folder_fd, files, functions).value(tree)
    except RecursionError:
        raise ProtocolError("the value is nested too deeply") from None


def read_message(folder_fd: int, name: str) -> dict:
    """Read and parse the JSON message ``name`` from the folder (size-limited, no links)."""
    raw = _read_file(folder_fd, name, MAX_JSON_BYTES)
    try:
        message = _json_loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError(f"{name} is not valid JSON") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"{name} does not hold a JSON object")
    return message


def _create(folder_fd: int, name: str):
    """Open a new file for writing in the folder, replacing (never following) what was there."""
    try:
        os.unlink(name, dir_fd=folder_fd)
    except FileNotFoundError:
        pass
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644,
                 dir_fd=folder_fd)
    return os.fdopen(fd, "wb")


def write_message(folder_fd: int, name: str, message: dict) -> None:
    """Write a JSON message atomically (temporary name, then rename) in the folder."""
    tmp = f".{name}.part"
    with _create(folder_fd, tmp) as f:
        f.write(_json_dumps(message, allow_nan=False).encode("utf-8"))
    os.replace(tmp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)


def open_folder(path) -> int:
    """Open a folder for the functions above (no symbolic link accepted)."""
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)


# --------------------------------------------------------------------------------------------
# The probe: runs inside the learner's kernel
# --------------------------------------------------------------------------------------------
def serve(folder: str, request_id: str, namespace: dict | None = None) -> None:
    """Answer request ``req-<id>.json`` in ``folder`` with ``res-<id>.json`` (+ arrays).

    Called by the grader inside the learner's kernel; ``namespace`` defaults to the caller's
    globals (the notebook's namespace). Operations: ``has``, ``get``, ``call`` (with
    ``"return_args": true``, the answer is ``[value, args, kwargs]``, the arguments as the call
    left them) and ``inspect`` (see :func:`forbidden_references`).
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    folder_fd = open_folder(folder)
    try:
        try:
            request = read_message(folder_fd, f"req-{request_id}.json")
            answer = _answer(request, namespace, folder_fd)
        except ProtocolError as exc:
            answer = {"status": "protocol", "message": str(exc)[:MAX_MESSAGE_CHARS]}
        stem = f"res-{request_id}"
        if answer.get("status") == "ok":
            try:
                answer["value"], answer["files"] = encode(answer.pop("value"), folder_fd, stem)
                _json_dumps(answer, allow_nan=False)
            except (Unserializable, ValueError) as exc:
                answer = {"status": "unserializable", "message": str(exc)[:MAX_MESSAGE_CHARS]}
        write_message(folder_fd, f"{stem}.json", answer)
    finally:
        os.close(folder_fd)


def _answer(request: dict, namespace: dict, folder_fd: int) -> dict:
    op, name = request.get("op"), request.get("name")
    if op == "inspect":
        names = [n for n in request.get("names", []) if isinstance(n, str)]
        modules = [m for m in request.get("modules", []) if isinstance(m, str)]
        return {"status": "ok", "value": forbidden_references(namespace, names, modules)}
    if not isinstance(name, str):
        raise ProtocolError("a request without a name")
    if op == "has":
        return {"status": "ok", "value": name in namespace}
    if name not in namespace:
        return {"status": "undefined"}
    target = namespace[name]
    if op == "get":
        return {"status": "ok", "value": target}
    if op != "call":
        raise ProtocolError(f"unknown operation {op!r:.20}")
    if not callable(target):
        return {"status": "not-callable", "type": type(target).__name__}
    args = decode(request.get("args"), folder_fd, request.get("files"), functions=True)
    kwargs = decode(request.get("kwargs"), folder_fd, request.get("files"), functions=True)
    if not isinstance(args, tuple) or not isinstance(kwargs, dict):
        raise ProtocolError("arguments must be a tuple and a dict")
    try:
        value = target(*args, **kwargs)
        if request.get("return_args") is True:
            # the arguments as they are after the call: the grader compares them with what it
            # sent (checks.call_unmodified) — the judgement is not made here
            plain = lambda v: None if type(v).__name__ == "function" else v  # noqa: E731
            value = [value, [plain(a) for a in args],
                     {key: plain(v) for key, v in kwargs.items()}]
        return {"status": "ok", "value": value}
    except NotImplementedError:
        return {"status": "not-implemented"}
    except KeyboardInterrupt:
        return {"status": "interrupted"}
    except BaseException as exc:  # the learner's code failed (SystemExit included)
        frames = traceback.extract_tb(exc.__traceback__)
        where = [frames[-1].name, frames[-1].lineno] if len(frames) > 1 else None
        return {"status": "raised", "type": type(exc).__name__,
                "message": _safe_str(exc)[:MAX_MESSAGE_CHARS], "where": where}


def _safe_str(exc) -> str:
    try:
        return str(exc)
    except Exception:  # a learner's exception whose __str__ fails
        return f"<{type(exc).__name__} with an unprintable message>"


def forbidden_references(namespace: dict, names, modules) -> list[str]:
    """Which of ``names`` in ``namespace`` refer to a forbidden module (or anything defined in
    one), directly or through the learner's own helper functions.

    Looks at: the object's ``__module__``; for a function (or class methods), the global names
    its code uses (``co_names``, nested code included) and the objects they are bound to, its
    closure cells and default values; the learner's own functions are followed a few levels
    deep. Returns one sentence per finding. This is a heuristic run in the learner's kernel:
    see the limits in the grading documentation.
    """
    def forbidden(obj) -> str:
        try:
            mod = (obj.__name__ if type(obj).__name__ == "module"
                   else getattr(obj, "__module__", ""))
        except Exception:  # an object whose attributes cannot be read
            return ""
        mod = mod if isinstance(mod, str) else ""
        for m in modules:
            if mod == m or mod.startswith(m + "."):
                return m
        return ""

    def code_names(code, seen):
        names_used = set(code.co_names)
        for const in code.co_consts:
            if hasattr(const, "co_names") and id(const) not in seen:
                seen.add(id(const))
                names_used |= code_names(const, seen)
        return names_used

    findings, visited = [], set()

    def visit(label, obj, depth):
        if id(obj) in visited or depth > 4 or len(findings) >= 20:
            return
        visited.add(id(obj))
        hit = forbidden(obj)
        if hit:
            findings.append(f"`{label}` is {hit}'s own code ({getattr(obj, '__module__', '')}."
                            f"{getattr(obj, '__qualname__', getattr(obj, '__name__', ''))})")
            return
        functions = []
        if isinstance(obj, type):
            functions = [v for v in vars(obj).values() if hasattr(v, "__code__")]
        elif hasattr(obj, "__code__") and hasattr(obj, "__globals__"):
            functions = [obj]
        wrapped = getattr(obj, "__wrapped__", None)
        if wrapped is not None:
            visit(label, wrapped, depth + 1)
        for fn in functions:
            g = fn.__globals__
            used = code_names(fn.__code__, set())
            for n in sorted(used):
                if n in g:
                    target = g[n]
                    hit = forbidden(target)
                    if hit:
                        findings.append(f"`{label}` uses `{n}`, which comes from {hit}")
                    elif type(target).__name__ == "module":
                        # a parent package (``scipy``, ``wvlib``) reached through: the next
                        # part of a forbidden module's name among the names the code uses
                        parent = getattr(target, "__name__", "")
                        parent = parent if isinstance(parent, str) else ""
                        for m in modules:
                            if parent and m.startswith(parent + "."):
                                sub = m[len(parent) + 1:].split(".")[0]
                                if sub in used:
                                    findings.append(f"`{label}` uses `{n}.{sub}` ({m})")
                    elif getattr(target, "__module__", None) == fn.__module__:
                        visit(f"{label} → {n}", target, depth + 1)
            cells = [c.cell_contents for c in (fn.__closure__ or ()) if _has_contents(c)]
            for value in cells + list(fn.__defaults__ or ()) + list(
                    (fn.__kwdefaults__ or {}).values()):
                hit = forbidden(value)
                if hit:
                    findings.append(f"`{label}` holds a reference to {hit}")
                elif hasattr(value, "__code__"):
                    visit(f"{label} → {getattr(value, '__name__', '?')}", value, depth + 1)

    for name in names:
        if name in namespace:
            visit(name, namespace[name], 0)
    return sorted(set(findings))[:20]


def _has_contents(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True
