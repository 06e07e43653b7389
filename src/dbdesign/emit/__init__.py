"""dbdesign.emit."""
