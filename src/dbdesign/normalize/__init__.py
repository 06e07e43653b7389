"""Expression normalisers, one module per dialect named after it (``postgres``, ``mysql``,
``sqlite``); each registers itself with the model when imported, and the model imports the one
of an expression's dialect the first time it compares one. Importing this package loads none of
them (the MySQL one loads sqlglot: a SQLite or PostgreSQL run does not pay for it)."""
