-- needs-extension: vector
-- the extension the embedded PostgreSQL 16 build has (pgvector): a column of its type
CREATE TABLE items (id integer PRIMARY KEY, title text);
