"""Answers for the copy report's tests: independently written correct answers (which must not be
flagged) and planted copies (which must be), for four questions of chapters 1, 3 and 4.

Each independent variant was written from the question's text, not from the solution: other
data structures, other NumPy calls, loops where the solution vectorizes. The planted copies are
made from the official solution (or from wvlib's source) the way a learner hides a copy:
variables renamed, independent statements reordered, comments added — and all three at once.
"""
from __future__ import annotations

import copy
import inspect
import re
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

# -- independent correct answers ------------------------------------------------------------------
VARIANTS = {
    ("ch01_words_as_vectors", "q1-cosine"): [
        '''
def cosine_similarity(x, y):
    a = [float(v) for v in x]
    b = [float(v) for v in y]
    if len(a) != len(b):
        raise ValueError("the two vectors differ in length")
    dot = sum(p * q for p, q in zip(a, b))
    length_a = sum(p * p for p in a) ** 0.5
    length_b = sum(q * q for q in b) ** 0.5
    if length_a == 0 or length_b == 0:
        raise ValueError("one of the vectors is zero")
    return dot / (length_a * length_b)
''',
        '''
def cosine_similarity(x, y):
    pair = np.vstack([np.ravel(x), np.ravel(y)]) if np.size(x) == np.size(y) else None
    if pair is None:
        raise ValueError("x and y need the same number of entries")
    lengths = np.sqrt(np.einsum("ij,ij->i", pair.astype(float), pair.astype(float)))
    if np.any(lengths == 0.0):
        raise ValueError("undefined for a zero vector")
    unit = pair / lengths[:, np.newaxis]
    return float(np.sum(unit[0] * unit[1]))
''']
    ,
    ("ch01_words_as_vectors", "q2-cooccurrence"): [
        '''
from collections import Counter


def cooccurrence_counts(sentences, vocabulary, window):
    position = {word: i for i, word in enumerate(vocabulary)}
    pairs = Counter()
    for sentence in sentences:
        kept = [w for w in sentence if w in position]
        for i, left in enumerate(kept):
            for right in kept[i + 1:i + 1 + window]:
                pairs[left, right] += 1
                pairs[right, left] += 1
    counts = np.zeros((len(vocabulary), len(vocabulary)))
    for (left, right), n in pairs.items():
        counts[position[left], position[right]] += n
    return counts
''',
        '''
def cooccurrence_counts(sentences, vocabulary, window):
    lookup = dict(zip(vocabulary, range(len(vocabulary))))
    size = len(vocabulary)
    table = np.zeros(size * size)
    for tokens in sentences:
        ids = np.array([lookup[t] for t in tokens if t in lookup], dtype=np.int64)
        for gap in range(1, window + 1):
            if gap >= len(ids):
                break
            np.add.at(table, ids[:-gap] * size + ids[gap:], 1.0)
            np.add.at(table, ids[gap:] * size + ids[:-gap], 1.0)
    return table.reshape(size, size)
''']
    ,
    ("ch03_lsa", "q1-tfidf"): [
        '''
def tfidf_weights(counts):
    table = np.asarray(counts, dtype=float)
    documents = table.shape[1]
    weights = np.empty_like(table)
    for term, row in enumerate(table):
        containing = sum(1 for value in row if value > 0)
        weights[term] = row * (np.log((documents + 1.0) / (containing + 1.0)) + 1.0)
    return weights
''',
        '''
def tfidf_weights(counts):
    n_docs = np.shape(counts)[1]
    df = (np.asarray(counts) != 0).sum(1)
    idf = 1.0 + np.log1p(n_docs) - np.log1p(df)
    return np.multiply(np.asarray(counts, dtype=np.float64), idf.reshape(-1, 1))
''']
    ,
    ("ch04_ppmi", "q1-pmi"): [
        '''
def pmi_from_counts(counts):
    n = np.array(counts, dtype=np.float64)
    if n.ndim != 2:
        raise ValueError("counts must be two-dimensional")
    if (n < 0).any():
        raise ValueError("negative counts are not counts")
    if not n.any():
        raise ValueError("no observed pair at all")
    total = n.sum()
    log_rows = np.log(n.sum(axis=1, keepdims=True))
    log_cols = np.log(n.sum(axis=0, keepdims=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.log(n) + np.log(total) - log_rows - log_cols
    return np.where(n > 0, values, -np.inf)        # an all-zero row must not give nan
''',
        '''
import math


def pmi_from_counts(counts):
    grid = [[float(v) for v in row] for row in np.asarray(counts)]
    if any(v < 0 for row in grid for v in row):
        raise ValueError("a count is negative")
    everything = sum(map(sum, grid))
    if everything == 0:
        raise ValueError("all counts are zero")
    row_sums = [sum(row) for row in grid]
    col_sums = [sum(col) for col in zip(*grid)]
    result = np.full((len(grid), len(col_sums)), -np.inf)
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            if v > 0:
                result[i, j] = math.log(v * everything / (row_sums[i] * col_sums[j]))
    return result
''']
}

# -- planted copies of the official solutions --------------------------------------------------------
RENAMES = {
    ("ch01_words_as_vectors", "q1-cosine"): {"nx": "length_one", "ny": "length_two"},
    ("ch01_words_as_vectors", "q2-cooccurrence"): {"index": "where", "M": "table",
                                                   "sentence": "line", "ids": "kept",
                                                   "pos": "i", "centre": "middle",
                                                   "other": "j"},
    ("ch03_lsa", "q1-tfidf"): {"tf": "weights", "n_documents": "how_many",
                               "documents_with_term": "df", "smoothed_idf": "idf"},
    ("ch04_ppmi", "q1-pmi"): {"table": "grid", "grand_total": "everything",
                              "chance": "expected", "answer": "out", "nonzero": "seen"},
}
#: two independent statements of each solution, swapped in the "reordered" copy
SWAPS = {
    ("ch01_words_as_vectors", "q1-cosine"): ("    x = np.asarray(x, dtype=float)\n",
                                             "    y = np.asarray(y, dtype=float)\n"),
    ("ch01_words_as_vectors", "q2-cooccurrence"): (
        "    index = {w: i for i, w in enumerate(vocabulary)}\n",
        "    M = np.zeros((len(vocabulary), len(vocabulary)))\n"),
    ("ch03_lsa", "q1-tfidf"): ("    n_documents = tf.shape[1]\n",
                               "    documents_with_term = np.count_nonzero(tf > 0, axis=1)\n"),
    ("ch04_ppmi", "q1-pmi"): (
        "    answer = np.full(table.shape, -np.inf)\n",
        "    nonzero = table > 0\n"),
}


def question_cell(nb, question):
    cells = [c for c in nb.cells if c.cell_type == "code" and
             f"#| question: {question}\n" in c.source + "\n"]
    assert len(cells) == 1, question
    return cells[0]


def solution_code(assignment, question) -> str:
    nb = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
    return question_cell(nb, question).source


def _rename(code, names):
    for old, new in names.items():
        code = re.sub(rf"\b{re.escape(old)}\b", new, code)
    return code


def _swap(code, pair):
    a, b = pair
    if pair[0] not in code or pair[1] not in code:
        # the second statement depends on the first in this solution: only independent
        # statements may be swapped (checked by the tests through the grades)
        raise AssertionError(f"cannot swap {pair}")
    return code.replace(a, "\0").replace(b, a).replace("\0", b)


def _comment(code):
    lines = []
    for n, line in enumerate(code.splitlines()):
        indent = line[: len(line) - len(line.lstrip())]
        if n % 2 and line.strip() and not line.strip().startswith(("#", "@", ")", "]", "}")):
            lines.append(f"{indent}# step {n}: my own reasoning goes here")
        lines.append(line)
    return "\n".join(lines).replace('"""', '"""My version. ', 1)


def planted_copies(assignment, question) -> dict[str, str]:
    """``{kind: cell source}``: renamed, reordered, commented, and all three."""
    code = solution_code(assignment, question)
    key = (assignment, question)
    renamed = _rename(code, RENAMES[key])
    reordered = _swap(code, SWAPS[key])
    commented = _comment(code)
    everything = _comment(_rename(_swap(code, SWAPS[key]), RENAMES[key]))
    return {"renamed": renamed, "reordered": reordered, "commented": commented,
            "disguised": everything}


def pasted_library_pmi() -> str:
    """ch04 q1 answered with wvlib.pmi.pmi_dense's source pasted (renamed, comments added)."""
    from wvlib import pmi
    helper = textwrap.dedent(inspect.getsource(pmi._check_alpha_shift))
    dense = textwrap.dedent(inspect.getsource(pmi.pmi_dense)).replace("def pmi_dense(",
                                                                      "def my_pmi(")
    code = solution_code("ch04_ppmi", "q1-pmi")
    header = "\n".join(line for line in code.splitlines() if line.startswith("#|"))
    return (f"{header}\nfrom wvlib._validate import check_float, check_matrix\n"
            f"import scipy.sparse as sp\n\n\n{helper}\n\n{dense}\n\n"
            "def pmi_from_counts(counts):\n"
            "    # my PMI, written for this exercise\n"
            "    return my_pmi(counts, positive=False)\n")


def with_answer(assignment, question, code) -> nbformat.NotebookNode:
    """The official solution notebook with one question cell replaced by ``code`` (its
    directive lines kept), stamped with the assignment."""
    nb = nbformat.read(ROOT / "solutions" / f"{assignment}.ipynb", as_version=4)
    cell = question_cell(nb, question)
    header = "\n".join(line for line in cell.source.splitlines() if line.startswith("#|"))
    cell.source = code if code.startswith("#|") else f"{header}\n{code.strip()}\n"
    nb = copy.deepcopy(nb)
    nb.metadata.setdefault("wvlib", {})["assignment"] = assignment
    return nb


def submissions() -> dict[str, nbformat.NotebookNode]:
    """Every variant and planted copy as a submission: ``{name: notebook}``. Names:
    ``variant<i>__<assignment>__<question>``, ``copy-<kind>__<assignment>__<question>`` and
    ``copy-library__ch04_ppmi__q1-pmi``."""
    out = {}
    for (assignment, question), variants in VARIANTS.items():
        for i, code in enumerate(variants, 1):
            out[f"variant{i}__{assignment}__{question}"] = with_answer(assignment, question,
                                                                      code)
        for kind, code in planted_copies(assignment, question).items():
            out[f"copy-{kind}__{assignment}__{question}"] = with_answer(assignment, question,
                                                                       code)
    out["copy-library__ch04_ppmi__q1-pmi"] = with_answer("ch04_ppmi", "q1-pmi",
                                                         pasted_library_pmi())
    return out


def pasted_library(assignment, question) -> str:
    """The question answered with the source of the wvlib functions it names in
    ``#| reimplements:`` pasted in (renamed, a comment added) and one-line wrappers with the
    names the question asks for: the shortcut the copy report must catch."""
    from wvlib.course.notebook import read_assignment
    from wvlib.grading.forbidden import defined_names
    from wvlib.grading.similarity import resolve
    a = read_assignment(ROOT / "solutions" / f"{assignment}.ipynb")
    q = a.question(question)
    parts = []
    for i, target in enumerate(q.reimplements):
        source = textwrap.dedent(inspect.getsource(resolve(target)))
        source = re.sub(r"^def (\w+)\(", rf"def pasted_{i}_\1(", source, count=1, flags=re.M)
        parts.append("# my own helper, written for this exercise\n" + source)
    names = defined_names(a.notebook.cells[q.cell_index].source)
    parts += [f"def {name}(*args, **kwargs):\n    return pasted_0(*args, **kwargs)\n"
              for name in names]
    return "\n\n".join(parts)
