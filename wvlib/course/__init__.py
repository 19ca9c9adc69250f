"""Course tooling: exercise generation, public checks and grading.

* :mod:`wvlib.course.notebook` reads the solution sources (questions, points, solution blocks);
* :mod:`wvlib.course.assign` generates ``exercises/`` from ``solutions/``;
* :mod:`wvlib.course.checks` defines checks, which run in the learner's notebook (public) and in
  the grader's process (public and hidden);
* :mod:`wvlib.course.public` holds the public checks of each assignment; the hidden tests live
  with the instructor, in ``solutions/hidden/<assignment>.py``.
"""
from .checks import Checker, CheckFailed  # noqa: F401
