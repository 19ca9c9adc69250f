"""Public checks of each assignment, one module per assignment id (see wvlib.course.checks)."""
