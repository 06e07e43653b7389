SET check_function_bodies = false;
SET standard_conforming_strings = on;
SET search_path = public;

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.set_updated_at() IS 'Sets updated_at on every UPDATE (the trg_*_set_updated_at triggers).';

CREATE FUNCTION public.trg_journal_entries_status_moves_fn() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    IF OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'draft' AND NEW.status IN ('posted', 'voided')) OR (OLD.status = 'posted' AND NEW.status IN ('reversed'))) THEN
        RAISE EXCEPTION 'trg_journal_entries_status_moves: % may not move from % to %', 'status', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.trg_journal_entries_status_moves_fn() IS 'Refuses a move of journal_entries.status that trg_journal_entries_status_moves does not allow.';

CREATE FUNCTION public.trg_journal_lines_balanced_entry_fn() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
DECLARE
    _parent bigint;
    _n bigint;
    _total numeric;
BEGIN
    IF TG_OP <> 'DELETE' AND NEW.entry_id IS NOT NULL THEN
        _parent := NEW.entry_id;
        SELECT count(*), coalesce(sum(o.amount), 0) INTO _n, _total
          FROM public.journal_lines AS o WHERE o.entry_id = _parent;
        IF _n > 0 AND _total <> 0 THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = 'trg_journal_lines_balanced_entry: amount sums to 0 per entry',
                DETAIL = format('entry_id %s: its rows sum to %s, not 0', _parent, _total);
        END IF;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.entry_id IS NOT NULL AND (TG_OP = 'DELETE' OR OLD.entry_id IS DISTINCT FROM NEW.entry_id) THEN
        _parent := OLD.entry_id;
        SELECT count(*), coalesce(sum(o.amount), 0) INTO _n, _total
          FROM public.journal_lines AS o WHERE o.entry_id = _parent;
        IF _n > 0 AND _total <> 0 THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = 'trg_journal_lines_balanced_entry: amount sums to 0 per entry',
                DETAIL = format('entry_id %s: its rows sum to %s, not 0', _parent, _total);
        END IF;
    END IF;
    RETURN NULL;
END;
$body$;
COMMENT ON FUNCTION public.trg_journal_lines_balanced_entry_fn() IS 'Refuses, at COMMIT, the journal_lines of one entry that break trg_journal_lines_balanced_entry.';

CREATE FUNCTION public.trg_journal_lines_thirty_lines_fn() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    IF NEW.entry_id IS NOT NULL THEN
        PERFORM 1 FROM public.journal_entries WHERE id = NEW.entry_id FOR UPDATE;
        IF (SELECT count(*) FROM public.journal_lines AS o WHERE o.entry_id = NEW.entry_id AND (TG_OP = 'INSERT' OR NOT (o.id = OLD.id))) >= 30 THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = 'trg_journal_lines_thirty_lines: at most 30 journal_lines per journal_entry';
        END IF;
    END IF;
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.trg_journal_lines_thirty_lines_fn() IS 'Refuses a child of journal_lines past the bound of trg_journal_lines_thirty_lines.';

CREATE TABLE public.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    currency text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_accounts PRIMARY KEY (id),
    CONSTRAINT uq_accounts_code UNIQUE (code),
    CONSTRAINT chk_accounts_code CHECK (char_length(code) >= 1 AND char_length(code) <= 4),
    CONSTRAINT chk_accounts_code_pattern CHECK (code ~ '^([1-9][0-9]{3})$'),
    CONSTRAINT chk_accounts_currency CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT chk_accounts_kind CHECK (kind IN ('asset', 'liability', 'equity', 'income', 'expense')),
    CONSTRAINT chk_accounts_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120)
);
COMMENT ON TABLE public.accounts IS 'An account of the chart of accounts.';
COMMENT ON COLUMN public.accounts.code IS 'The account''s number in the chart: four digits, the first its class.';
COMMENT ON COLUMN public.accounts.kind IS 'Where the account''s balance is reported.';
COMMENT ON COLUMN public.accounts.currency IS 'The currency the account is kept in.';

CREATE TABLE public.journal_entries (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    description text NOT NULL,
    status text DEFAULT 'draft' NOT NULL,
    posted_at timestamp with time zone,
    currency text NOT NULL,
    source text NOT NULL,
    external_ref text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_journal_entries PRIMARY KEY (id),
    CONSTRAINT chk_journal_entries_currency CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT chk_journal_entries_description CHECK (char_length(description) >= 1 AND char_length(description) <= 250),
    CONSTRAINT chk_journal_entries_external_ref CHECK (char_length(external_ref) <= 64),
    CONSTRAINT chk_journal_entries_posted_has_time CHECK (status = 'draft' or posted_at is not null),
    CONSTRAINT chk_journal_entries_source CHECK (source IN ('manual', 'invoicing', 'payroll', 'bank_feed')),
    CONSTRAINT chk_journal_entries_status CHECK (status IN ('draft', 'posted', 'voided', 'reversed'))
);
COMMENT ON TABLE public.journal_entries IS 'A business event recorded as balanced movements between accounts.';
COMMENT ON COLUMN public.journal_entries.posted_at IS 'When the entry was posted; empty while a draft.';
COMMENT ON COLUMN public.journal_entries.currency IS 'The currency of the entry''s amounts.';
COMMENT ON COLUMN public.journal_entries.external_ref IS 'The sending system''s reference (a bank transaction id).';

CREATE TABLE public.journal_lines (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    account_id bigint NOT NULL,
    entry_id bigint NOT NULL,
    amount numeric(15,2) NOT NULL,
    memo text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_journal_lines PRIMARY KEY (id),
    CONSTRAINT chk_journal_lines_memo CHECK (char_length(memo) <= 200),
    CONSTRAINT chk_journal_lines_nonzero_amount CHECK (amount <> 0)
);
COMMENT ON TABLE public.journal_lines IS 'One movement of an entry (a posting) on one account; positive debits, negative credits.';
COMMENT ON COLUMN public.journal_lines.amount IS 'Signed: a debit is positive, a credit negative, in the entry''s currency.';

CREATE INDEX idx_journal_entries_posted_at_posted ON public.journal_entries (posted_at) WHERE (status = 'posted');

CREATE INDEX idx_journal_entries_source_external_ref ON public.journal_entries (source, external_ref);

CREATE INDEX idx_journal_lines_account_id_created_at ON public.journal_lines (account_id, created_at);

CREATE INDEX idx_journal_lines_entry_id ON public.journal_lines (entry_id);

CREATE UNIQUE INDEX uq_journal_entries_one_import ON public.journal_entries (source, external_ref) WHERE (status <> 'voided');

ALTER TABLE public.journal_lines ADD CONSTRAINT fk_journal_lines_account_id FOREIGN KEY (account_id) REFERENCES public.accounts (id) ON DELETE RESTRICT;

ALTER TABLE public.journal_lines ADD CONSTRAINT fk_journal_lines_entry_id FOREIGN KEY (entry_id) REFERENCES public.journal_entries (id) ON DELETE CASCADE;

CREATE TRIGGER trg_accounts_set_updated_at BEFORE UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_journal_entries_set_updated_at BEFORE UPDATE ON public.journal_entries FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_journal_entries_status_moves BEFORE UPDATE ON public.journal_entries FOR EACH ROW EXECUTE FUNCTION public.trg_journal_entries_status_moves_fn();

CREATE CONSTRAINT TRIGGER trg_journal_lines_balanced_entry AFTER DELETE OR INSERT OR UPDATE OF amount, entry_id ON public.journal_lines DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.trg_journal_lines_balanced_entry_fn();

CREATE TRIGGER trg_journal_lines_set_updated_at BEFORE UPDATE ON public.journal_lines FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_journal_lines_thirty_lines BEFORE INSERT OR UPDATE ON public.journal_lines FOR EACH ROW EXECUTE FUNCTION public.trg_journal_lines_thirty_lines_fn();
