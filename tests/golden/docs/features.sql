-- A small schema that exercises what the docs show: two schemas, comments, an enum, a composite
-- foreign key, checks, an exclusion constraint (core gist only), partial and expression indexes, a trigger, a
-- policy, a partitioned table, a view, and type names Mermaid cannot parse as written.
CREATE SCHEMA billing;
COMMENT ON SCHEMA billing IS 'Money | invoices';

CREATE TYPE public.status AS ENUM ('active', 'closed', 'on hold');

CREATE TABLE public.account (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email character varying(320) NOT NULL UNIQUE,
    status public.status NOT NULL DEFAULT 'active',
    balance numeric(12,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    "display name" text,
    tags text[]
);
COMMENT ON TABLE public.account IS 'A customer account. Emails are unique | case-sensitive.';
COMMENT ON COLUMN public.account.email IS 'Login "email" address';
CREATE INDEX account_lower_email_idx ON public.account (lower(email));
CREATE INDEX account_open_idx ON public.account (created_at) WHERE status <> 'closed';

CREATE TABLE public.room (
    building text NOT NULL,
    number integer NOT NULL,
    PRIMARY KEY (building, number)
);

CREATE TABLE public.booking (
    id serial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES public.account (id) ON DELETE CASCADE,
    building text,
    room integer,
    during tstzrange NOT NULL,
    ticket text UNIQUE,
    FOREIGN KEY (building, room) REFERENCES public.room (building, number),
    EXCLUDE USING gist (during WITH &&)
);

CREATE TABLE billing.invoice (
    id bigserial,
    account_id bigint NOT NULL REFERENCES public.account (id),
    booking_id integer REFERENCES public.booking (id),
    amount numeric(12,2) NOT NULL,
    issued_on date NOT NULL DEFAULT CURRENT_DATE,
    CONSTRAINT invoice_amount_positive CHECK (amount > 0),
    PRIMARY KEY (id, issued_on)
) PARTITION BY RANGE (issued_on);
COMMENT ON TABLE billing.invoice IS 'Invoices, one partition per year';
CREATE TABLE billing.invoice_2025 PARTITION OF billing.invoice
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');

CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RETURN NEW;
END $$;
CREATE TRIGGER account_touch BEFORE UPDATE ON public.account
    FOR EACH ROW EXECUTE FUNCTION public.touch();

ALTER TABLE public.account ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_account ON public.account FOR SELECT TO PUBLIC
    USING (email = current_user);

CREATE VIEW public.open_accounts AS
    SELECT id, email FROM public.account WHERE status <> 'closed';
COMMENT ON VIEW public.open_accounts IS 'Accounts that are not closed';
