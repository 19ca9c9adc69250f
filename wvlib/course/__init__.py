"""Course authoring and the learner's side of the exercises.

* :mod:`wvlib.course.notebook` reads the solution sources (questions, points, kinds, solution
  blocks);
* :mod:`wvlib.course.assign` generates ``exercises/`` from ``solutions/``, the public checks'
  stored values and the instructors' question table (:mod:`wvlib.course.catalog`);
* :mod:`wvlib.course.checks` defines checks (``check``, the ``expect_*`` helpers,
  ``hidden_rng``, ``call_unmodified``) and runs them in the learner's notebook
  (:class:`~wvlib.course.checks.Checker`); the grader runs the same checks in its own process;
  :mod:`wvlib.course.exact` moves and compares exact (SymPy) answers;
* :mod:`wvlib.course.public` holds the public checks of each assignment, and
  :mod:`wvlib.course.stored` the values they compare against; the hidden tests and the
  reference implementations live with the instructor, in ``solutions/hidden/<assignment>.py``.

The format of a question, in short (``book/instructors.md``, "Writing a question", says it
all): a header ``#| question: ID``, ``#| points: N``, ``#| kind: derivation | implementation |
judgement``, optionally ``#| forbid: MODULES`` and ``#| reimplements: FUNCTIONS``; public checks
that hold inputs, properties and stored values but no code computing an answer; hidden tests,
on inputs drawn per submission (``hidden_rng``), that decide whether the question earns points.

Grading a submission is not here: it is :mod:`wvlib.grading`, which imports this package and
is never imported by it.
"""
from .checks import Checker, CheckFailed  # noqa: F401
