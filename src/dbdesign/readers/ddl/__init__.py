"""dbdesign.readers.ddl."""
