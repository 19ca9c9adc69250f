"""Course authoring and the learner's side of the exercises.

* :mod:`wvlib.course.notebook` reads the solution sources (questions, points, solution blocks);
* :mod:`wvlib.course.assign` generates ``exercises/`` from ``solutions/``;
* :mod:`wvlib.course.checks` defines checks (``check``, the ``expect_*`` helpers) and runs them
  in the learner's notebook (:class:`~wvlib.course.checks.Checker`); the grader runs the same
  checks in its own process;
* :mod:`wvlib.course.public` holds the public checks of each assignment; the hidden tests live
  with the instructor, in ``solutions/hidden/<assignment>.py``.

Grading a submission is not here: it is :mod:`wvlib.grading`, which imports this package and
is never imported by it.
"""
from .checks import Checker, CheckFailed  # noqa: F401
