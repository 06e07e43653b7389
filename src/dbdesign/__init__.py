"""dbdesign: a database design toolkit."""

__version__ = "0.1.0"
