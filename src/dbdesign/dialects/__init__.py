"""dbdesign.dialects."""
