"""The migration planner's steps, one module each (see :mod:`dbdesign.diff.compare`, whose
``plan`` is the entry point)."""
