"""The copy report: ``wvlib course similarity GRADED/`` (instructors only; it never changes a score).

For every question of every assignment in a graded folder (``GRADED/<name>/details.json`` and
``executed.ipynb``, written by ``wvlib course grade``), the report compares each submission's
answer with

* **wvlib's own implementation of the same thing**: the functions the question names in
  ``#| reimplements:`` (else every function of the ``wvlib`` modules it forbids);
* **the public check module** of the assignment;
* **every other submission** of the batch,

and lists the pairs whose answers share more than a threshold, with the matching lines side by
side. It writes ``GRADED/similarity.csv`` (one row per pair above the threshold) and
``GRADED/similarity.html`` (a readable report, every piece of code HTML-escaped).

How answers are compared
------------------------
1. **The answer** of a question is the code of the submission's cells for that question (the
   cells tagged ``#| question: ID``, else those defining its names), with the functions they call
   that are defined elsewhere in the notebook (three levels deep).
2. **Normalized code**: the answer is parsed (IPython syntax turned into Python) and written out
   as a sequence of tokens, one per syntax-tree node: names the answer binds (variables,
   arguments, its own functions) become ``V``, numbers ``N``, strings ``S``; module aliases
   become the module (``np`` → ``numpy``); attribute names, builtins and operators stay.
   Comments, docstrings, formatting and names vanish. Inside each block, statements that do not
   depend on one another (neither writes a name the other reads or writes; a name passed to a call
   counts as written, unless the call is a builtin or a NumPy/math function that is not
   in-place) are put in a canonical order, so reordering them changes nothing.
3. **Fingerprints**, as MOSS does (Schleimer, Wilkerson & Aiken 2003, "Winnowing: local
   algorithms for document fingerprinting", SIGMOD): every run of ``K`` consecutive tokens is
   hashed, and in every window of ``W`` consecutive hashes the smallest is kept (the rightmost on
   ties). Any common run of at least ``W + K - 1`` tokens shares a fingerprint; runs shorter than
   ``K`` never do. The fingerprints of the blank exercise (the code every learner was given) are
   removed from every answer, as MOSS's base file.
4. **Scores**: for a pair (A, B), the share of A's fingerprints found in B and the share of B's
   found in A. Two submissions are flagged when both shares reach ``threshold``; a submission is
   flagged against the library or the public module when the share of the *submission's*
   fingerprints found there reaches it (the library's function may hold more than the answer).
   Answers with fewer than ``min_fingerprints`` fingerprints are too short to judge and never
   flagged.

What it is not: a proof of copying. Short answers, answers dictated by the question (the same
three NumPy calls) and answers written from the chapter's code can match; a copy rewritten
statement by statement does not. Read the pairs side by side before acting.
"""
from __future__ import annotations

import ast
import csv
import hashlib
import html
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from .forbidden import _python_source, defined_names, question_cells

#: token k-gram length and winnowing window (a common run of W + K - 1 = 19 tokens, about one
#: line of code, is always detected)
K, W = 12, 8
THRESHOLD = 0.6
MIN_FINGERPRINTS = 6


# --------------------------------------------------------------------------------------------
# Normalized code
# --------------------------------------------------------------------------------------------
def _bound_names(tree) -> tuple[set, dict]:
    """The names a piece of code binds itself, and its module aliases (``np`` → ``numpy``)."""
    bound, aliases = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.asname:
                    module = alias.name if isinstance(node, ast.Import) else \
                        f"{node.module}.{alias.name}"
                    aliases[alias.asname] = module
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound - set(aliases), aliases


def _strip_docstrings(tree) -> None:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass(lineno=body[0].lineno, col_offset=0)]


#: calls that do not modify the names passed to them: builtins, and the functions of these
#: numerical modules except their in-place ones
_PURE_BUILTINS = {"len", "range", "enumerate", "zip", "float", "int", "str", "bool", "list",
                  "tuple", "dict", "set", "frozenset", "sorted", "reversed", "min", "max",
                  "sum", "abs", "round", "isinstance", "map", "filter", "any", "all", "repr",
                  "print", "type", "hash", "iter"}
_PURE_MODULES = {"np", "numpy", "math", "sympy", "sp", "scipy"}
_IN_PLACE = {"at", "shuffle", "fill_diagonal", "copyto", "put", "place", "putmask", "sort",
             "resize"}


def _pure_call(func) -> bool:
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return False
    if not parts:
        return func.id in _PURE_BUILTINS
    return func.id in _PURE_MODULES and not set(parts) & _IN_PLACE


def _uses(node) -> tuple[set, set]:
    """Names a statement reads and names it may write (targets, receivers of method calls,
    names passed to calls other than pure ones)."""
    reads, writes = set(), set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            (writes if isinstance(sub.ctx, (ast.Store, ast.Del)) else reads).add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            writes.add(sub.name)
        elif isinstance(sub, ast.Call):
            if not _pure_call(sub.func):
                for arg in list(sub.args) + [kw.value for kw in sub.keywords]:
                    if isinstance(arg, ast.Name):
                        writes.add(arg.id)
            if isinstance(sub.func, ast.Attribute) and not _pure_call(sub.func):
                base = sub.func.value
                while isinstance(base, (ast.Attribute, ast.Subscript)):
                    base = base.value
                if isinstance(base, ast.Name):
                    writes.add(base.id)
        elif isinstance(sub, (ast.Subscript, ast.Attribute)) and \
                isinstance(getattr(sub, "ctx", None), ast.Store):
            base = sub.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):
                writes.add(base.id)
    return reads, writes


def _independent(a, b) -> bool:
    ra, wa = _uses(a)
    rb, wb = _uses(b)
    flow = {ast.Return, ast.Raise, ast.Break, ast.Continue, ast.Global, ast.Nonlocal,
            ast.Import, ast.ImportFrom, ast.Try, ast.With}
    if any(isinstance(sub, tuple(flow)) for n in (a, b) for sub in ast.walk(n)):
        return False
    return not (wa & (rb | wb) or wb & ra)


class _Tokens(ast.NodeVisitor):
    def __init__(self, bound, aliases):
        self.bound, self.aliases = bound, aliases
        self.tokens: list[tuple[str, int]] = []
        self.line = 1

    def emit(self, token):
        self.tokens.append((token, self.line))

    def generic_visit(self, node):
        line = getattr(node, "lineno", None)
        saved = self.line
        if line is not None:
            self.line = line
        if isinstance(node, (ast.Load, ast.Store, ast.Del)):
            return
        if isinstance(node, ast.Name):
            name = node.id
            self.emit("V" if name in self.bound else self.aliases.get(name, name))
        elif isinstance(node, ast.Constant):
            v = node.value
            self.emit("N" if isinstance(v, (int, float, complex)) and not isinstance(v, bool)
                      else "S" if isinstance(v, (str, bytes)) else repr(v))
        elif isinstance(node, ast.arg):
            self.emit("V")
        elif isinstance(node, ast.alias):
            self.emit(node.name)
        elif isinstance(node, ast.keyword):
            self.emit(f"{node.arg}=")
            self.visit(node.value)
        else:
            self.emit(type(node).__name__)
            if isinstance(node, ast.Attribute):
                self.visit(node.value)
                self.emit("." + node.attr)
            else:
                for child in self._children(node):
                    self.visit(child)
        self.line = saved

    def _children(self, node):
        for name, value in ast.iter_fields(node):
            if name in ("name", "attr", "id", "arg", "asname", "module", "type_comment"):
                continue
            if isinstance(value, list):
                if value and all(isinstance(v, ast.stmt) for v in value):
                    yield from self._ordered(value)
                else:
                    yield from (v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                yield value

    def _ordered(self, body):
        """The statements of a block in a canonical order that keeps every dependence."""
        key = {id(s): ast.dump(s, annotate_fields=False) for s in body}
        remaining = list(body)
        while remaining:
            ready = [s for i, s in enumerate(remaining)
                     if all(_independent(p, s) for p in remaining[:i])]
            first = min(ready, key=lambda s: key[id(s)])
            remaining.remove(first)
            yield first


def normalize(source: str) -> list[tuple[str, int]]:
    """The tokens of a piece of code (see the module docstring), each with its line; empty for
    code that does not parse."""
    try:
        tree = ast.parse(_python_source(source))
    except (SyntaxError, ValueError):
        return []
    _strip_docstrings(tree)
    bound, aliases = _bound_names(tree)
    visitor = _Tokens(bound, aliases)
    for statement in visitor._ordered(tree.body):
        visitor.visit(statement)
    return visitor.tokens


# --------------------------------------------------------------------------------------------
# Fingerprints (winnowing)
# --------------------------------------------------------------------------------------------
def _hash(gram) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(gram).encode(), digest_size=8).digest(),
                          "little")


def fingerprints(tokens, k: int = K, w: int = W) -> dict[int, list[int]]:
    """Winnowed fingerprints of a token list: ``{hash: [positions of its k-gram]}``."""
    words = [t for t, _ in tokens]
    hashes = [_hash(words[i:i + k]) for i in range(len(words) - k + 1)]
    chosen: dict[int, list[int]] = {}
    last = -1
    for start in range(max(len(hashes) - w + 1, 1 if hashes else 0)):
        window = hashes[start:start + w]
        low = min(window)
        pos = start + max(i for i, h in enumerate(window) if h == low)
        if pos != last:
            chosen.setdefault(hashes[pos], []).append(pos)
            last = pos
    return chosen


@dataclass
class Document:
    """One piece of code compared: an answer, a library function or a public module."""
    owner: str
    text: str
    tokens: list = field(default_factory=list)
    prints: dict = field(default_factory=dict)

    @classmethod
    def of(cls, owner: str, text: str, base=frozenset()) -> "Document":
        tokens = normalize(text)
        prints = {h: p for h, p in fingerprints(tokens).items() if h not in base}
        return cls(owner, text, tokens, prints)

    def lines_of(self, hashes) -> set[int]:
        """The lines covered by the k-grams of the given fingerprints."""
        lines = set()
        for h in hashes:
            for pos in self.prints.get(h, []):
                lines |= {line for _, line in self.tokens[pos:pos + K]}
        return lines


def share(a: Document, b: Document) -> float:
    """The share of ``a``'s fingerprints found in ``b``."""
    return len(set(a.prints) & set(b.prints)) / len(a.prints) if a.prints else 0.0


# --------------------------------------------------------------------------------------------
# Answers from a graded folder
# --------------------------------------------------------------------------------------------
def _called_names(tree) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and
            isinstance(n.ctx, ast.Load)}


def answer_text(sources: list[str], question, names) -> str:
    """The code of a submission's answer to ``question`` (see the module docstring)."""
    cells = question_cells(sources, question, names)
    parts, seen = [], set()
    for i in cells:
        parts.append(sources[i])
    definitions = {}
    for source in sources:
        try:
            tree = ast.parse(_python_source(source))
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                definitions[node.name] = ast.get_source_segment(_python_source(source), node)
    for _ in range(3):
        try:
            used = _called_names(ast.parse(_python_source("\n\n".join(parts))))
        except (SyntaxError, ValueError):
            break
        defined_here = set(defined_names("\n\n".join(parts)))
        extra = [n for n in sorted(used) if n in definitions and n not in defined_here
                 and n not in seen]
        if not extra:
            break
        for n in extra:
            seen.add(n)
            parts.append(definitions[n])
    return "\n\n".join(p.rstrip() for p in parts if p and p.strip()) + "\n"


def library_documents(question, base=frozenset()) -> list[Document]:
    """wvlib's own implementation of what ``question`` asks for."""
    import importlib
    import inspect
    import textwrap
    docs = []
    targets = list(question.reimplements)
    if not targets:
        for module_name in question.forbid:
            if not module_name.startswith("wvlib."):
                continue
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for name, obj in sorted(vars(module).items()):
                if inspect.isfunction(obj) and obj.__module__ == module.__name__:
                    targets.append(f"{module_name}.{name}")
    for target in targets:
        obj = resolve(target)
        try:
            source = textwrap.dedent(inspect.getsource(obj))
        except (TypeError, OSError):
            continue
        docs.append(Document.of(f"wvlib: {target}", source, base))
    return docs


def resolve(dotted: str):
    """The object a dotted name points to (``wvlib.vectors.KeyedVectors.similarity``)."""
    import importlib
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"cannot import {dotted!r}")


def _code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            out.append("".join(source) if isinstance(source, list) else str(source))
    return out


@dataclass
class Pair:
    assignment: str
    question: str
    a: Document
    b: Document
    share_a: float
    share_b: float
    kind: str          # "submission", "library" or "public"


def compare_batch(graded: Path, solutions: Path, *, threshold: float = THRESHOLD,
                  min_fingerprints: int = MIN_FINGERPRINTS) -> list[Pair]:
    """Every pair above ``threshold`` in a graded folder (see the module docstring)."""
    from ..course.notebook import read_assignment
    by_assignment: dict[str, list[tuple[str, list[str]]]] = {}
    for details in sorted(Path(graded).glob("*/details.json")):
        executed = details.parent / "executed.ipynb"
        try:
            assignment = json.loads(details.read_text(encoding="utf-8")).get("assignment")
        except (OSError, ValueError):
            continue
        if isinstance(assignment, str) and executed.is_file():
            by_assignment.setdefault(assignment, []).append(
                (details.parent.name, _code_cells(executed)))
    pairs = []
    for assignment, submissions in sorted(by_assignment.items()):
        source = Path(solutions) / f"{assignment}.ipynb"
        if not source.is_file():
            continue
        official = read_assignment(source)
        exercise = Path(solutions).resolve().parent / "exercises" / source.name
        base_text = "\n\n".join(_code_cells(exercise)) if exercise.is_file() else ""
        public = Path(__file__).resolve().parents[1] / "course" / "public" / \
            f"{assignment}.py"
        for q in official.questions:
            names = defined_names(official.notebook.cells[q.cell_index].source)
            base = frozenset(fingerprints(normalize(base_text))) if base_text else frozenset()
            answers = [Document.of(name, answer_text(cells, q.id, names), base)
                       for name, cells in submissions]
            answers = [a for a in answers if len(a.prints) >= min_fingerprints]
            library = library_documents(q, base)
            refs = [Document.of(f"public: {public.name}", public.read_text(encoding="utf-8"),
                                base)] if public.is_file() else []
            for a in answers:
                # the library functions the answer shares code with, together: a pasted
                # function may bring its helpers along
                touched = [d for d in library if set(d.prints) & set(a.prints)]
                if touched:
                    lib = Document.of("wvlib: " + ", ".join(d.owner[7:] for d in touched),
                                      "\n\n".join(d.text.rstrip() for d in touched) + "\n",
                                      base)
                    if share(a, lib) >= threshold:
                        pairs.append(Pair(assignment, q.id, a, lib, share(a, lib),
                                          share(lib, a), "library"))
                for ref in refs:
                    if share(a, ref) >= threshold:
                        pairs.append(Pair(assignment, q.id, a, ref, share(a, ref),
                                          share(ref, a), "public"))
            for i, a in enumerate(answers):
                for b in answers[i + 1:]:
                    sa, sb = share(a, b), share(b, a)
                    if min(sa, sb) >= threshold:
                        pairs.append(Pair(assignment, q.id, a, b, sa, sb, "submission"))
    return sorted(pairs, key=lambda p: (p.assignment, p.question, -min(p.share_a, p.share_b)
                                        if p.kind == "submission" else -p.share_a))


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------
def write_csv(pairs, path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["assignment", "question", "kind", "a", "b", "share_of_a_in_b",
                     "share_of_b_in_a", "common_fingerprints"])
    for p in pairs:
        writer.writerow([p.assignment, p.question, p.kind, p.a.owner, p.b.owner,
                         f"{p.share_a:.3f}", f"{p.share_b:.3f}",
                         len(set(p.a.prints) & set(p.b.prints))])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _side(doc: Document, lines: set[int]) -> str:
    rows = []
    for n, line in enumerate(doc.text.splitlines(), 1):
        text = html.escape(line) or "&nbsp;"
        rows.append(f'<span class="{"hit" if n in lines else ""}">{n:3d}  {text}</span>')
    return "\n".join(rows)


def write_html(pairs, path: Path, graded: Path) -> None:
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>Copy report</title>",
           "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
           "width:100%}td{vertical-align:top;border:1px solid #ccc;padding:4px;width:50%}"
           "pre{margin:0;font-size:12px;white-space:pre-wrap}.hit{background:#ffe08a}"
           "</style></head><body>",
           f"<h1>Copy report for {html.escape(str(graded))}</h1>",
           f"<p>{len(pairs)} pair(s) at or above the threshold. Highlighted lines share "
           f"fingerprints (normalized code: names and literals abstracted, independent "
           f"statements in a canonical order; winnowing, Schleimer, Wilkerson &amp; Aiken "
           f"2003). A match is a reason to look, not a verdict; scores are unchanged.</p>"]
    for p in pairs:
        common = set(p.a.prints) & set(p.b.prints)
        out.append(f"<h2>{html.escape(p.assignment)} · {html.escape(p.question)} · "
                   f"{html.escape(p.kind)}</h2><p><b>{html.escape(p.a.owner)}</b>: "
                   f"{p.share_a:.0%} of its fingerprints in the other; "
                   f"<b>{html.escape(p.b.owner)}</b>: {p.share_b:.0%}</p>")
        out.append(f"<table><tr><td><pre>{_side(p.a, p.a.lines_of(common))}</pre></td>"
                   f"<td><pre>{_side(p.b, p.b.lines_of(common))}</pre></td></tr></table>")
    out.append("</body></html>")
    path.write_text("\n".join(out), encoding="utf-8")


def similarity_report(graded, solutions=None, *, threshold: float = THRESHOLD,
                      min_fingerprints: int = MIN_FINGERPRINTS) -> list[Pair]:
    """Write ``similarity.csv`` and ``similarity.html`` into ``graded``; return the pairs."""
    from .grade import default_solutions
    graded = Path(graded)
    if not graded.is_dir():
        raise ValueError(f"graded must be the output folder of `wvlib course grade`, got "
                         f"{str(graded)!r}")
    if not 0 < threshold <= 1:
        raise ValueError(f"--threshold must be in (0, 1], got {threshold}")
    if not (isinstance(min_fingerprints, int) and min_fingerprints >= 1):
        raise ValueError(f"--min-fingerprints must be a positive integer, got "
                         f"{min_fingerprints}")
    solutions = Path(solutions) if solutions else default_solutions()
    pairs = compare_batch(graded, solutions, threshold=threshold,
                          min_fingerprints=min_fingerprints)
    write_csv(pairs, graded / "similarity.csv")
    write_html(pairs, graded / "similarity.html", graded)
    return pairs


def add_arguments(parser) -> None:
    parser.description = ("Compare the answers of a graded batch with each other, with wvlib's "
                          "own implementation and with the public checks (winnowed "
                          "fingerprints of normalized code); write similarity.csv and "
                          "similarity.html into the folder. Scores are not changed.")
    parser.add_argument("graded", help="the --out folder of `wvlib course grade`")
    parser.add_argument("--solutions", default=None, help="default: ./solutions")
    parser.add_argument("--threshold", type=float, default=THRESHOLD,
                        help=f"share of fingerprints that flags a pair (default {THRESHOLD})")
    parser.add_argument("--min-fingerprints", type=int, default=MIN_FINGERPRINTS,
                        help="answers with fewer fingerprints are too short to judge "
                             f"(default {MIN_FINGERPRINTS})")


def run(args) -> int:
    try:
        pairs = similarity_report(args.graded, args.solutions, threshold=args.threshold,
                                  min_fingerprints=args.min_fingerprints)
    except ValueError as exc:
        import sys
        print(f"wvlib course similarity: {exc}", file=sys.stderr)
        return 2
    graded = Path(args.graded)
    print(f"{len(pairs)} pair(s) at or above {args.threshold:g}: {graded / 'similarity.csv'}, "
          f"{graded / 'similarity.html'}")
    return 0
