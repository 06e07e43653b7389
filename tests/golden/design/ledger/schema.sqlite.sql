CREATE TABLE accounts (
    id integer NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    currency text NOT NULL,
    is_active integer NOT NULL DEFAULT 1,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_accounts PRIMARY KEY (id),
    CONSTRAINT uq_accounts_code UNIQUE (code),
    CONSTRAINT chk_accounts_code CHECK (length(code) >= 1 AND length(code) <= 4),
    CONSTRAINT chk_accounts_code_pattern CHECK (code GLOB '[1-9][0-9][0-9][0-9]'),
    CONSTRAINT chk_accounts_currency CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    CONSTRAINT chk_accounts_is_active CHECK (is_active IN (0, 1)),
    CONSTRAINT chk_accounts_kind CHECK (kind IN ('asset', 'liability', 'equity', 'income', 'expense')),
    CONSTRAINT chk_accounts_name CHECK (length(name) >= 1 AND length(name) <= 120)
);

CREATE TABLE journal_entries (
    id integer NOT NULL,
    description text NOT NULL,
    status text NOT NULL DEFAULT 'draft',
    posted_at text,
    currency text NOT NULL,
    source text NOT NULL,
    external_ref text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_journal_entries PRIMARY KEY (id),
    CONSTRAINT chk_journal_entries_currency CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
    CONSTRAINT chk_journal_entries_description CHECK (length(description) >= 1 AND length(description) <= 250),
    CONSTRAINT chk_journal_entries_external_ref CHECK (length(external_ref) <= 64),
    CONSTRAINT chk_journal_entries_posted_has_time CHECK (status = 'draft' or posted_at is not null),
    CONSTRAINT chk_journal_entries_source CHECK (source IN ('manual', 'invoicing', 'payroll', 'bank_feed')),
    CONSTRAINT chk_journal_entries_status CHECK (status IN ('draft', 'posted', 'voided', 'reversed'))
);

CREATE TABLE journal_lines (
    id integer NOT NULL,
    account_id integer NOT NULL,
    entry_id integer NOT NULL,
    amount numeric(15,2) NOT NULL,
    memo text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_journal_lines PRIMARY KEY (id),
    CONSTRAINT chk_journal_lines_memo CHECK (length(memo) <= 200),
    CONSTRAINT chk_journal_lines_nonzero_amount CHECK (amount <> 0),
    CONSTRAINT fk_journal_lines_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE RESTRICT,
    CONSTRAINT fk_journal_lines_entry_id FOREIGN KEY (entry_id) REFERENCES journal_entries (id) ON DELETE CASCADE
);

CREATE INDEX idx_journal_entries_posted_at_posted ON journal_entries (posted_at) WHERE status = 'posted';

CREATE INDEX idx_journal_entries_source_external_ref ON journal_entries (source, external_ref);

CREATE UNIQUE INDEX uq_journal_entries_one_import ON journal_entries (source, external_ref) WHERE status <> 'voided';

CREATE INDEX idx_journal_lines_account_id_created_at ON journal_lines (account_id, created_at);

CREATE INDEX idx_journal_lines_entry_id ON journal_lines (entry_id);

CREATE TRIGGER trg_accounts_set_updated_at AFTER UPDATE ON accounts
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE accounts SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_journal_entries_set_updated_at AFTER UPDATE ON journal_entries
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE journal_entries SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_journal_entries_status_moves BEFORE UPDATE ON journal_entries
FOR EACH ROW
WHEN OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'draft' AND NEW.status IN ('posted', 'voided')) OR (OLD.status = 'posted' AND NEW.status IN ('reversed')))
BEGIN
    SELECT RAISE(ABORT, 'trg_journal_entries_status_moves: status moves only draft -> posted | voided; posted -> reversed');
END;

CREATE TRIGGER trg_journal_lines_set_updated_at AFTER UPDATE ON journal_lines
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE journal_lines SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_journal_lines_thirty_lines_insert BEFORE INSERT ON journal_lines
FOR EACH ROW
WHEN NEW.entry_id IS NOT NULL AND (SELECT count(*) FROM journal_lines AS o WHERE o.entry_id = NEW.entry_id) >= 30
BEGIN
    SELECT RAISE(ABORT, 'trg_journal_lines_thirty_lines: at most 30 journal_lines per journal_entry');
END;

CREATE TRIGGER trg_journal_lines_thirty_lines_update BEFORE UPDATE ON journal_lines
FOR EACH ROW
WHEN NEW.entry_id IS NOT NULL AND (SELECT count(*) FROM journal_lines AS o WHERE o.entry_id = NEW.entry_id AND o.rowid <> OLD.rowid) >= 30
BEGIN
    SELECT RAISE(ABORT, 'trg_journal_lines_thirty_lines: at most 30 journal_lines per journal_entry');
END;
