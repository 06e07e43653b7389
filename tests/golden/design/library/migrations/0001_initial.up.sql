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

CREATE FUNCTION public.trg_loans_five_active_loans_fn() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    IF NEW.member_id IS NOT NULL AND (NEW.returned_at is null) THEN
        PERFORM 1 FROM public.members WHERE id = NEW.member_id FOR UPDATE;
        IF (SELECT count(*) FROM public.loans AS o WHERE o.member_id = NEW.member_id AND (o.returned_at is null) AND (TG_OP = 'INSERT' OR NOT (o.id = OLD.id))) >= 5 THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = 'trg_loans_five_active_loans: at most 5 loans per member where returned_at is null';
        END IF;
    END IF;
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.trg_loans_five_active_loans_fn() IS 'Refuses a child of loans past the bound of trg_loans_five_active_loans.';

CREATE TABLE public.books (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    isbn text NOT NULL,
    title text NOT NULL,
    author text NOT NULL,
    published_year smallint,
    search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(author, ''))) STORED,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_books PRIMARY KEY (id),
    CONSTRAINT uq_books_isbn UNIQUE (isbn),
    CONSTRAINT chk_books_author CHECK (char_length(author) >= 1 AND char_length(author) <= 200),
    CONSTRAINT chk_books_isbn CHECK (isbn ~ '^97[89][0-9]{10}$'),
    CONSTRAINT chk_books_isbn_check_digit CHECK (isbn IS NULL OR CASE WHEN isbn ~ '^[0-9]{13}$' THEN (substr(isbn, 1, 1)::integer + 3 * substr(isbn, 2, 1)::integer + substr(isbn, 3, 1)::integer + 3 * substr(isbn, 4, 1)::integer + substr(isbn, 5, 1)::integer + 3 * substr(isbn, 6, 1)::integer + substr(isbn, 7, 1)::integer + 3 * substr(isbn, 8, 1)::integer + substr(isbn, 9, 1)::integer + 3 * substr(isbn, 10, 1)::integer + substr(isbn, 11, 1)::integer + 3 * substr(isbn, 12, 1)::integer + substr(isbn, 13, 1)::integer) % 10 = 0 ELSE false END),
    CONSTRAINT chk_books_published_year CHECK (published_year >= 1450 AND published_year <= 2100),
    CONSTRAINT chk_books_title CHECK (char_length(title) >= 1 AND char_length(title) <= 300)
);
COMMENT ON TABLE public.books IS 'A title in the catalogue (one edition).';
COMMENT ON COLUMN public.books.isbn IS 'ISBN-13 without hyphens (its check digit checked).';

CREATE TABLE public.branches (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    name text NOT NULL,
    address text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_branches PRIMARY KEY (id),
    CONSTRAINT uq_branches_name UNIQUE (name),
    CONSTRAINT chk_branches_address CHECK (char_length(address) >= 1 AND char_length(address) <= 250),
    CONSTRAINT chk_branches_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120)
);
COMMENT ON TABLE public.branches IS 'A library building that holds copies.';

CREATE TABLE public.copies (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    branch_id bigint NOT NULL,
    book_id bigint NOT NULL,
    barcode text NOT NULL,
    acquired_on date NOT NULL,
    withdrawn_on date,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_copies PRIMARY KEY (id),
    CONSTRAINT uq_copies_barcode UNIQUE (barcode),
    CONSTRAINT chk_copies_barcode CHECK (char_length(barcode) >= 1 AND char_length(barcode) <= 20),
    CONSTRAINT chk_copies_withdrawn_after_acquired CHECK (withdrawn_on >= acquired_on)
);
COMMENT ON TABLE public.copies IS 'A physical copy of a book, held by a branch.';
COMMENT ON COLUMN public.copies.withdrawn_on IS 'When the copy left the collection.';

CREATE TABLE public.loans (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    copy_id bigint NOT NULL,
    member_id bigint NOT NULL,
    loaned_at timestamp with time zone NOT NULL,
    due_at timestamp with time zone NOT NULL,
    returned_at timestamp with time zone,
    renewals smallint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_loans PRIMARY KEY (id),
    CONSTRAINT chk_loans_due_after_loan CHECK (due_at > loaned_at),
    CONSTRAINT chk_loans_renewals CHECK (renewals >= 0 AND renewals <= 5),
    CONSTRAINT chk_loans_returned_after_loan CHECK (returned_at >= loaned_at)
);
COMMENT ON TABLE public.loans IS 'A copy lent to a member, from loaned_at until it is returned.';
COMMENT ON COLUMN public.loans.returned_at IS 'Empty while the copy is out.';

CREATE TABLE public.members (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    card_number text NOT NULL,
    email text,
    full_name text NOT NULL,
    max_loans smallint DEFAULT 10 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_members PRIMARY KEY (id),
    CONSTRAINT uq_members_card_number UNIQUE (card_number),
    CONSTRAINT chk_members_card_number CHECK (char_length(card_number) >= 1 AND char_length(card_number) <= 16),
    CONSTRAINT chk_members_card_number_pattern CHECK (card_number ~ '^(C[0-9]{8})$'),
    CONSTRAINT chk_members_email CHECK (char_length(email) <= 254 AND email ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$'),
    CONSTRAINT chk_members_full_name CHECK (char_length(full_name) >= 1 AND char_length(full_name) <= 150),
    CONSTRAINT chk_members_max_loans CHECK (max_loans >= 0 AND max_loans <= 50)
);
COMMENT ON TABLE public.members IS 'A person with a library card.';
COMMENT ON COLUMN public.members.card_number IS 'The card''s number: C and eight digits.';
COMMENT ON COLUMN public.members.email IS 'PII: personal data; encrypt at rest.';
COMMENT ON COLUMN public.members.full_name IS 'PII: personal data; encrypt at rest.';

CREATE INDEX idx_books_search_vector ON public.books USING gin (search_vector);

CREATE INDEX idx_copies_book_id ON public.copies (book_id);

CREATE INDEX idx_copies_branch_id ON public.copies (branch_id);

CREATE INDEX idx_loans_copy_id_loaned_at ON public.loans (copy_id, loaned_at);

CREATE INDEX idx_loans_due_at ON public.loans (due_at);

CREATE INDEX idx_loans_member_id_loaned_at ON public.loans (member_id, loaned_at);

CREATE UNIQUE INDEX uq_loans_one_active_loan ON public.loans (copy_id) WHERE (returned_at is null);

ALTER TABLE public.copies ADD CONSTRAINT fk_copies_book_id FOREIGN KEY (book_id) REFERENCES public.books (id) ON DELETE RESTRICT;

ALTER TABLE public.copies ADD CONSTRAINT fk_copies_branch_id FOREIGN KEY (branch_id) REFERENCES public.branches (id) ON DELETE RESTRICT;

ALTER TABLE public.loans ADD CONSTRAINT fk_loans_copy_id FOREIGN KEY (copy_id) REFERENCES public.copies (id) ON DELETE RESTRICT;

ALTER TABLE public.loans ADD CONSTRAINT fk_loans_member_id FOREIGN KEY (member_id) REFERENCES public.members (id) ON DELETE RESTRICT;

CREATE TRIGGER trg_books_set_updated_at BEFORE UPDATE ON public.books FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_branches_set_updated_at BEFORE UPDATE ON public.branches FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_copies_set_updated_at BEFORE UPDATE ON public.copies FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_loans_five_active_loans BEFORE INSERT OR UPDATE ON public.loans FOR EACH ROW EXECUTE FUNCTION public.trg_loans_five_active_loans_fn();

CREATE TRIGGER trg_loans_set_updated_at BEFORE UPDATE ON public.loans FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_members_set_updated_at BEFORE UPDATE ON public.members FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
