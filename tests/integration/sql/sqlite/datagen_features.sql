-- Constraint kinds the data generator must respect on SQLite (tests/integration/test_datagen.py).
CREATE TABLE author (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE CHECK (email LIKE '%_@_%'),
  name VARCHAR(60) NOT NULL CHECK (length(name) BETWEEN 2 AND 60),
  mentor_id INTEGER REFERENCES author (id),
  born DATE CHECK (born >= '1900-01-01'),
  joined_at DATETIME NOT NULL,
  left_at DATETIME,
  CHECK (left_at IS NULL OR left_at > joined_at)
);
CREATE TABLE tag (
  code CHAR(3) NOT NULL PRIMARY KEY,
  label TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE book (
  id INTEGER PRIMARY KEY,
  isbn TEXT UNIQUE,
  author_id INTEGER NOT NULL REFERENCES author (id),
  title TEXT NOT NULL CHECK (title <> ''),
  price DECIMAL(8,2) NOT NULL CHECK (price > 0 AND price < 500),
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'retired')),
  pages INTEGER CHECK (pages BETWEEN 10 AND 2000),
  published BOOLEAN NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX book_title_author ON book (author_id, title) WHERE status <> 'retired';
CREATE TABLE book_tag (
  book_id INTEGER NOT NULL REFERENCES book (id) ON DELETE CASCADE,
  tag_code CHAR(3) NOT NULL REFERENCES tag (code),
  PRIMARY KEY (book_id, tag_code)
);
CREATE TABLE edition (
  book_id INTEGER NOT NULL,
  number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 20),
  printed_on DATE NOT NULL,
  PRIMARY KEY (book_id, number),
  FOREIGN KEY (book_id) REFERENCES book (id)
);
CREATE TABLE copy (
  id INTEGER PRIMARY KEY,
  book_id INTEGER NOT NULL,
  edition_number INTEGER NOT NULL,
  FOREIGN KEY (book_id, edition_number) REFERENCES edition (book_id, number)
);
-- a cycle: a shelf's first copy, a copy's shelf
CREATE TABLE shelf (id INTEGER PRIMARY KEY, first_copy_id INTEGER NOT NULL REFERENCES copy (id));
ALTER TABLE copy ADD COLUMN shelf_id INTEGER REFERENCES shelf (id);
