"""The grader: everything that judges a submission (instructors only; the security boundary).

Learners never need this package: their notebooks import :mod:`wvlib.course` (the ``check``
cells) and the library. The grader imports :mod:`wvlib.course` (the notebook format, the checks)
and the library, never the other way round (``tests/test_architecture.py``).

* :mod:`wvlib.grading.batch` — ``wvlib course grade``: finds the submissions, resumes an
  interrupted batch, grades each in a worker process (:mod:`wvlib.grading.worker`) under a time
  and memory limit, writes the gradebook;
* :mod:`wvlib.grading.grade` — one submission: the official material of its assignment
  (questions, points, public checks, hidden tests), its run, its checks, its score;
* :mod:`wvlib.grading.sandbox` — bubblewrap around each kernel: read-only system, no network,
  no solutions, forbidden modules absent (:func:`~wvlib.grading.sandbox.module_view`);
* :mod:`wvlib.grading.kernel` — one kernel process (start, execute with limits, restart);
* :mod:`wvlib.grading.remote` — a notebook's cells run in that kernel
  (:class:`~wvlib.grading.remote.NotebookSession`) and the proxy ``k`` the checks ask for
  values (:class:`~wvlib.grading.remote.RemoteKernel`);
* :mod:`wvlib.grading.probe` — the plain-data messages (JSON and ``.npy``, never pickle) and
  the one module the grader imports **inside** the student's kernel, to answer those requests;
* :mod:`wvlib.grading.forbidden` — the static scan of a question's cells for forbidden modules;
* :mod:`wvlib.grading.report` — ``results.json``, ``feedback.md``, ``details.json``,
  ``executed.ipynb``, ``gradebook.csv``;
* :mod:`wvlib.grading.gradescope` — ``wvlib course gradescope``: an autograder bundle;
* :mod:`wvlib.grading.similarity` — ``wvlib course similarity``: the copy report of a graded
  batch (answers against each other, wvlib and the public checks; scores unchanged).

What a student's kernel may see: the Python installation and the ``wvlib`` package, read-only
(with the modules its assignment forbids, and the public check modules, replaced by stubs);
never ``solutions/``, the hidden tests, other submissions or the grader's output folder.
"""
