CREATE TABLE books (
    id integer NOT NULL,
    isbn text NOT NULL,
    title text NOT NULL,
    author text NOT NULL,
    published_year integer,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_books PRIMARY KEY (id),
    CONSTRAINT uq_books_isbn UNIQUE (isbn),
    CONSTRAINT chk_books_author CHECK (length(author) >= 1 AND length(author) <= 200),
    CONSTRAINT chk_books_isbn CHECK (isbn GLOB '97[89][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
    CONSTRAINT chk_books_isbn_check_digit CHECK (isbn IS NULL OR CASE WHEN isbn GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' THEN (CAST(substr(isbn, 1, 1) AS INTEGER) + 3 * CAST(substr(isbn, 2, 1) AS INTEGER) + CAST(substr(isbn, 3, 1) AS INTEGER) + 3 * CAST(substr(isbn, 4, 1) AS INTEGER) + CAST(substr(isbn, 5, 1) AS INTEGER) + 3 * CAST(substr(isbn, 6, 1) AS INTEGER) + CAST(substr(isbn, 7, 1) AS INTEGER) + 3 * CAST(substr(isbn, 8, 1) AS INTEGER) + CAST(substr(isbn, 9, 1) AS INTEGER) + 3 * CAST(substr(isbn, 10, 1) AS INTEGER) + CAST(substr(isbn, 11, 1) AS INTEGER) + 3 * CAST(substr(isbn, 12, 1) AS INTEGER) + CAST(substr(isbn, 13, 1) AS INTEGER)) % 10 = 0 ELSE 0 END),
    CONSTRAINT chk_books_published_year CHECK (published_year >= 1450 AND published_year <= 2100),
    CONSTRAINT chk_books_title CHECK (length(title) >= 1 AND length(title) <= 300)
);

CREATE TABLE branches (
    id integer NOT NULL,
    name text NOT NULL,
    address text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_branches PRIMARY KEY (id),
    CONSTRAINT uq_branches_name UNIQUE (name),
    CONSTRAINT chk_branches_address CHECK (length(address) >= 1 AND length(address) <= 250),
    CONSTRAINT chk_branches_name CHECK (length(name) >= 1 AND length(name) <= 120)
);

CREATE TABLE members (
    id integer NOT NULL,
    card_number text NOT NULL,
    email text,
    full_name text NOT NULL,
    max_loans integer NOT NULL DEFAULT 10,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_members PRIMARY KEY (id),
    CONSTRAINT uq_members_card_number UNIQUE (card_number),
    CONSTRAINT chk_members_card_number CHECK (length(card_number) >= 1 AND length(card_number) <= 16),
    CONSTRAINT chk_members_card_number_pattern CHECK (card_number GLOB 'C[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
    CONSTRAINT chk_members_email CHECK (length(email) <= 254 AND email LIKE '%_@_%._%' AND email = lower(email)),
    CONSTRAINT chk_members_full_name CHECK (length(full_name) >= 1 AND length(full_name) <= 150),
    CONSTRAINT chk_members_max_loans CHECK (max_loans >= 0 AND max_loans <= 50)
);

CREATE TABLE copies (
    id integer NOT NULL,
    branch_id integer NOT NULL,
    book_id integer NOT NULL,
    barcode text NOT NULL,
    acquired_on text NOT NULL,
    withdrawn_on text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_copies PRIMARY KEY (id),
    CONSTRAINT uq_copies_barcode UNIQUE (barcode),
    CONSTRAINT chk_copies_barcode CHECK (length(barcode) >= 1 AND length(barcode) <= 20),
    CONSTRAINT chk_copies_withdrawn_after_acquired CHECK (withdrawn_on >= acquired_on),
    CONSTRAINT fk_copies_book_id FOREIGN KEY (book_id) REFERENCES books (id) ON DELETE RESTRICT,
    CONSTRAINT fk_copies_branch_id FOREIGN KEY (branch_id) REFERENCES branches (id) ON DELETE RESTRICT
);

CREATE TABLE loans (
    id integer NOT NULL,
    copy_id integer NOT NULL,
    member_id integer NOT NULL,
    loaned_at text NOT NULL,
    due_at text NOT NULL,
    returned_at text,
    renewals integer NOT NULL DEFAULT 0,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_loans PRIMARY KEY (id),
    CONSTRAINT chk_loans_due_after_loan CHECK (due_at > loaned_at),
    CONSTRAINT chk_loans_renewals CHECK (renewals >= 0 AND renewals <= 5),
    CONSTRAINT chk_loans_returned_after_loan CHECK (returned_at >= loaned_at),
    CONSTRAINT fk_loans_copy_id FOREIGN KEY (copy_id) REFERENCES copies (id) ON DELETE RESTRICT,
    CONSTRAINT fk_loans_member_id FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE RESTRICT
);

CREATE VIRTUAL TABLE books_fts USING fts5(title, author, content='books', content_rowid='id');

CREATE INDEX idx_copies_book_id ON copies (book_id);

CREATE INDEX idx_copies_branch_id ON copies (branch_id);

CREATE INDEX idx_loans_copy_id_loaned_at ON loans (copy_id, loaned_at);

CREATE INDEX idx_loans_due_at ON loans (due_at);

CREATE INDEX idx_loans_member_id_loaned_at ON loans (member_id, loaned_at);

CREATE UNIQUE INDEX uq_loans_one_active_loan ON loans (copy_id) WHERE returned_at is null;

CREATE TRIGGER trg_books_fts_delete AFTER DELETE ON books
FOR EACH ROW
BEGIN
    INSERT INTO books_fts(books_fts, rowid, title, author) VALUES ('delete', OLD.id, OLD.title, OLD.author);
END;

CREATE TRIGGER trg_books_fts_insert AFTER INSERT ON books
FOR EACH ROW
BEGIN
    INSERT INTO books_fts(rowid, title, author) VALUES (NEW.id, NEW.title, NEW.author);
END;

CREATE TRIGGER trg_books_fts_update AFTER UPDATE OF id, title, author ON books
FOR EACH ROW
BEGIN
    INSERT INTO books_fts(books_fts, rowid, title, author) VALUES ('delete', OLD.id, OLD.title, OLD.author);
    INSERT INTO books_fts(rowid, title, author) VALUES (NEW.id, NEW.title, NEW.author);
END;

CREATE TRIGGER trg_books_set_updated_at AFTER UPDATE ON books
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE books SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_branches_set_updated_at AFTER UPDATE ON branches
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE branches SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_copies_set_updated_at AFTER UPDATE ON copies
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE copies SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_loans_five_active_loans_insert BEFORE INSERT ON loans
FOR EACH ROW
WHEN NEW.member_id IS NOT NULL AND (NEW.returned_at is null) AND (SELECT count(*) FROM loans AS o WHERE o.member_id = NEW.member_id AND (o.returned_at is null)) >= 5
BEGIN
    SELECT RAISE(ABORT, 'trg_loans_five_active_loans: at most 5 loans per member where returned_at is null');
END;

CREATE TRIGGER trg_loans_five_active_loans_update BEFORE UPDATE ON loans
FOR EACH ROW
WHEN NEW.member_id IS NOT NULL AND (NEW.returned_at is null) AND (SELECT count(*) FROM loans AS o WHERE o.member_id = NEW.member_id AND (o.returned_at is null) AND o.rowid <> OLD.rowid) >= 5
BEGIN
    SELECT RAISE(ABORT, 'trg_loans_five_active_loans: at most 5 loans per member where returned_at is null');
END;

CREATE TRIGGER trg_loans_set_updated_at AFTER UPDATE ON loans
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE loans SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_members_set_updated_at AFTER UPDATE ON members
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE members SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;
