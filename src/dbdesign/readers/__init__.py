"""dbdesign.readers."""
