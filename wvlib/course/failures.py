"""The two failures of a check, shared by :mod:`wvlib.course.checks` and
:mod:`wvlib.course.exact` (a module of its own, so that neither imports the other)."""


class CheckFailed(AssertionError):
    """A check found something wrong; the message says what, for the learner."""


class KernelError(Exception):
    """The learner's code could not produce a value (undefined name, exception, time-out).

    ``kind`` is one of ``"undefined"``, ``"not-implemented"``, ``"exception"``, ``"timeout"``,
    ``"dead"`` (the kernel died), ``"unserializable"``, ``"forbidden"``.
    """

    def __init__(self, message: str, kind: str = "exception"):
        super().__init__(message)
        self.kind = kind
