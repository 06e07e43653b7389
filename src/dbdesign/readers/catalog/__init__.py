"""dbdesign.readers.catalog."""
