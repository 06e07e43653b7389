CREATE EXTENSION vector;
CREATE TABLE items (id integer PRIMARY KEY, title text, embedding vector(3));
CREATE INDEX items_embedding ON items USING ivfflat (embedding);
