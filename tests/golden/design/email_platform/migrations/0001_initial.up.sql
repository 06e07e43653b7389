SET check_function_bodies = false;
SET standard_conforming_strings = on;
SET search_path = public;

CREATE FUNCTION public.maintain_monthly_partitions(parent regclass, retention interval DEFAULT NULL::interval, ahead integer DEFAULT 3, as_of timestamp with time zone DEFAULT now()) RETURNS SETOF text
    LANGUAGE plpgsql
    SET lock_timeout TO '10s'
    SET search_path TO 'pg_catalog', 'pg_temp'
AS $body$
DECLARE
    nsp name;
    rel name;
    m timestamp := date_trunc('month', as_of AT TIME ZONE 'UTC');
    last_month timestamp := date_trunc('month', as_of AT TIME ZONE 'UTC')
        + make_interval(months => ahead);
    part record;
    pname text;
BEGIN
    SELECT n.nspname, c.relname INTO nsp, rel
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = parent AND c.relkind = 'p';
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not a partitioned table', parent;
    END IF;
    IF retention IS NOT NULL THEN
        m := date_trunc('month', (as_of - retention) AT TIME ZONE 'UTC');
    END IF;
    WHILE m <= last_month LOOP
        pname := left(rel, 55) || to_char(m, '"_"YYYY"_"MM');
        IF NOT EXISTS (SELECT FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
                        WHERE i.inhparent = parent AND c.relname = pname) THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           nsp, pname, parent, m::text || '+00',
                           (m + interval '1 month')::text || '+00');
            RETURN NEXT 'created ' || pname;
        END IF;
        m := m + interval '1 month';
    END LOOP;
    IF retention IS NULL THEN
        RETURN;
    END IF;
    FOR part IN
        SELECT c.oid::regclass AS child, c.relname,
               substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)') AS hi
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = parent
         ORDER BY 3
    LOOP
        CONTINUE WHEN part.hi IS NULL;  -- the DEFAULT partition, or MAXVALUE
        IF part.hi::timestamptz <= as_of - retention THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, part.child);
            EXECUTE format('DROP TABLE %s', part.child);
            RETURN NEXT 'dropped ' || part.relname;
        END IF;
    END LOOP;
END
$body$;
COMMENT ON FUNCTION public.maintain_monthly_partitions(regclass, interval, integer, timestamp with time zone) IS 'Monthly partitions of a table partitioned by range of a timestamp: creates those from the oldest month retention keeps to `ahead` months after `as_of`, detaches and drops those wholly past retention; returns what it did.';

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.set_updated_at() IS 'Sets updated_at on every UPDATE (the trg_*_set_updated_at triggers).';

CREATE FUNCTION public.trg_campaigns_status_moves_fn() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    IF OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'draft' AND NEW.status IN ('scheduled', 'cancelled')) OR (OLD.status = 'scheduled' AND NEW.status IN ('sending', 'draft', 'cancelled')) OR (OLD.status = 'sending' AND NEW.status IN ('sent'))) THEN
        RAISE EXCEPTION 'trg_campaigns_status_moves: % may not move from % to %', 'status', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.trg_campaigns_status_moves_fn() IS 'Refuses a move of campaigns.status that trg_campaigns_status_moves does not allow.';

CREATE TABLE public.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    plan text DEFAULT 'free' NOT NULL,
    monthly_send_limit integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_accounts PRIMARY KEY (id),
    CONSTRAINT uq_accounts_slug UNIQUE (slug),
    CONSTRAINT chk_accounts_monthly_send_limit CHECK (monthly_send_limit >= 0),
    CONSTRAINT chk_accounts_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120),
    CONSTRAINT chk_accounts_plan CHECK (plan IN ('free', 'growth', 'pro', 'enterprise')),
    CONSTRAINT chk_accounts_slug CHECK (char_length(slug) >= 1 AND char_length(slug) <= 60)
);
COMMENT ON TABLE public.accounts IS 'A customer of the platform (the tenant).';
COMMENT ON COLUMN public.accounts.monthly_send_limit IS 'E-mails the plan allows per calendar month.';

CREATE TABLE public.campaigns (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    account_id bigint NOT NULL,
    mailing_list_id bigint NOT NULL,
    name text NOT NULL,
    subject text NOT NULL,
    status text DEFAULT 'draft' NOT NULL,
    scheduled_at timestamp with time zone,
    sent_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_campaigns PRIMARY KEY (id, account_id),
    CONSTRAINT chk_campaigns_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120),
    CONSTRAINT chk_campaigns_status CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
    CONSTRAINT chk_campaigns_subject CHECK (char_length(subject) >= 1 AND char_length(subject) <= 200)
);
ALTER TABLE public.campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.campaigns FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.campaigns IS 'One e-mail sent to a mailing list.';

CREATE TABLE public.contacts (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    account_id bigint NOT NULL,
    email text NOT NULL,
    first_name text,
    status text DEFAULT 'subscribed' NOT NULL,
    source text NOT NULL,
    subscribed_at timestamp with time zone NOT NULL,
    unsubscribed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_contacts PRIMARY KEY (id, account_id),
    CONSTRAINT uq_contacts_account_id_email UNIQUE (account_id, email),
    CONSTRAINT chk_contacts_email CHECK (char_length(email) <= 254 AND email ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$'),
    CONSTRAINT chk_contacts_first_name CHECK (char_length(first_name) <= 80),
    CONSTRAINT chk_contacts_source CHECK (source IN ('signup_form', 'import', 'api')),
    CONSTRAINT chk_contacts_status CHECK (status IN ('subscribed', 'unsubscribed', 'bounced', 'complained')),
    CONSTRAINT chk_contacts_unsubscribed_after_subscribed CHECK (unsubscribed_at is null or unsubscribed_at >= subscribed_at)
);
ALTER TABLE public.contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.contacts FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.contacts IS 'A person an account may e-mail.';
COMMENT ON COLUMN public.contacts.email IS 'PII: personal data; encrypt at rest.';
COMMENT ON COLUMN public.contacts.first_name IS 'PII: personal data; encrypt at rest.';
COMMENT ON COLUMN public.contacts.unsubscribed_at IS 'Set when the contact stops receiving e-mail.';

CREATE TABLE public.deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    account_id bigint NOT NULL,
    campaign_id bigint NOT NULL,
    contact_id bigint NOT NULL,
    status text DEFAULT 'queued' NOT NULL,
    provider_message_id text,
    queued_at timestamp with time zone NOT NULL,
    sent_at timestamp with time zone,
    delivered_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_deliveries PRIMARY KEY (id, account_id),
    CONSTRAINT chk_deliveries_provider_message_id CHECK (char_length(provider_message_id) <= 100),
    CONSTRAINT chk_deliveries_status CHECK (status IN ('queued', 'sent', 'delivered', 'deferred', 'bounced', 'failed'))
);
ALTER TABLE public.deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.deliveries FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.deliveries IS 'One e-mail of a campaign to one contact, tracked until the provider reports its fate.';
COMMENT ON COLUMN public.deliveries.provider_message_id IS 'The sending provider''s id for the e-mail; its webhooks name it.';

CREATE TABLE public.engagement_events (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    account_id bigint NOT NULL,
    campaign_id bigint NOT NULL,
    contact_id bigint NOT NULL,
    kind text NOT NULL,
    url text,
    occurred_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_engagement_events PRIMARY KEY (id, occurred_at, account_id),
    CONSTRAINT chk_engagement_events_kind CHECK (kind IN ('open', 'click', 'unsubscribe', 'complaint')),
    CONSTRAINT chk_engagement_events_url CHECK (char_length(url) <= 2048 AND url ~ '^https?://')
) PARTITION BY RANGE (occurred_at);
ALTER TABLE public.engagement_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.engagement_events FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.engagement_events IS 'An open, click, unsubscribe or spam complaint by a contact on a campaign''s e-mail.';
COMMENT ON COLUMN public.engagement_events.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2024_11 PARTITION OF public.engagement_events FOR VALUES FROM ('2024-11-01 00:00:00+00') TO ('2024-12-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2024_11.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2024_12 PARTITION OF public.engagement_events FOR VALUES FROM ('2024-12-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2024_12.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_01 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2025-02-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_01.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_02 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-02-01 00:00:00+00') TO ('2025-03-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_02.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_03 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-03-01 00:00:00+00') TO ('2025-04-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_03.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_04 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-04-01 00:00:00+00') TO ('2025-05-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_04.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_05 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-05-01 00:00:00+00') TO ('2025-06-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_05.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_06 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-06-01 00:00:00+00') TO ('2025-07-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_06.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_07 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-07-01 00:00:00+00') TO ('2025-08-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_07.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_08 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-08-01 00:00:00+00') TO ('2025-09-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_08.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_09 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-09-01 00:00:00+00') TO ('2025-10-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_09.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_10 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-10-01 00:00:00+00') TO ('2025-11-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_10.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_11 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-11-01 00:00:00+00') TO ('2025-12-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_11.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2025_12 PARTITION OF public.engagement_events FOR VALUES FROM ('2025-12-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2025_12.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2026_01 PARTITION OF public.engagement_events FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2026_01.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2026_02 PARTITION OF public.engagement_events FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2026_02.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2026_03 PARTITION OF public.engagement_events FOR VALUES FROM ('2026-03-01 00:00:00+00') TO ('2026-04-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2026_03.url IS 'The link clicked (clicks only).';

CREATE TABLE public.engagement_events_2026_04 PARTITION OF public.engagement_events FOR VALUES FROM ('2026-04-01 00:00:00+00') TO ('2026-05-01 00:00:00+00');
COMMENT ON COLUMN public.engagement_events_2026_04.url IS 'The link clicked (clicks only).';

CREATE TABLE public.list_memberships (
    account_id bigint NOT NULL,
    contact_id bigint NOT NULL,
    mailing_list_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_list_memberships PRIMARY KEY (account_id, contact_id, mailing_list_id)
);
ALTER TABLE public.list_memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.list_memberships FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.list_memberships IS 'The lists a contact is on.';

CREATE TABLE public.mailing_lists (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    account_id bigint NOT NULL,
    name text NOT NULL,
    description text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_mailing_lists PRIMARY KEY (id, account_id),
    CONSTRAINT uq_mailing_lists_account_id_name UNIQUE (account_id, name),
    CONSTRAINT chk_mailing_lists_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120)
);
ALTER TABLE public.mailing_lists ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.mailing_lists FORCE ROW LEVEL SECURITY;
COMMENT ON TABLE public.mailing_lists IS 'A named audience of an account (newsletter, product updates ...).';

CREATE TABLE public.starter_templates (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    name text NOT NULL,
    category text NOT NULL,
    html text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_starter_templates PRIMARY KEY (id),
    CONSTRAINT chk_starter_templates_category CHECK (category IN ('newsletter', 'announcement', 'promotion', 'transactional')),
    CONSTRAINT chk_starter_templates_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120)
);
COMMENT ON TABLE public.starter_templates IS 'A ready-made e-mail design every account can start from (kept by the platform).';

CREATE INDEX idx_campaigns_account_id_created_at ON public.campaigns (account_id, created_at);

CREATE INDEX idx_campaigns_account_id_mailing_list_id ON public.campaigns (account_id, mailing_list_id);

CREATE INDEX idx_contacts_account_id_subscribed_at_id_subscribed ON public.contacts (account_id, subscribed_at, id) WHERE (status = 'subscribed');

CREATE INDEX idx_deliveries_account_id_campaign_id ON public.deliveries (account_id, campaign_id);

CREATE INDEX idx_deliveries_account_id_campaign_id_queued_at_queued ON public.deliveries (account_id, campaign_id, queued_at) WHERE (status = 'queued');

CREATE INDEX idx_deliveries_account_id_contact_id ON public.deliveries (account_id, contact_id);

CREATE INDEX idx_deliveries_account_id_provider_message_id ON public.deliveries (account_id, provider_message_id);

CREATE INDEX idx_engagement_events_account_id_campaign_id_occurred_at ON public.engagement_events (account_id, campaign_id, occurred_at) INCLUDE (kind);

CREATE INDEX idx_engagement_events_account_id_contact_id_occurred_at ON public.engagement_events (account_id, contact_id, occurred_at);

CREATE INDEX idx_list_memberships_account_id_mailing_list_id ON public.list_memberships (account_id, mailing_list_id);

CREATE INDEX idx_starter_templates_category_name ON public.starter_templates (category, name);

ALTER TABLE public.campaigns ADD CONSTRAINT fk_campaigns_account_id FOREIGN KEY (account_id) REFERENCES public.accounts (id) ON DELETE RESTRICT;

ALTER TABLE public.campaigns ADD CONSTRAINT fk_campaigns_mailing_list_id FOREIGN KEY (account_id, mailing_list_id) REFERENCES public.mailing_lists (account_id, id) ON DELETE RESTRICT;

ALTER TABLE public.contacts ADD CONSTRAINT fk_contacts_account_id FOREIGN KEY (account_id) REFERENCES public.accounts (id) ON DELETE RESTRICT;

ALTER TABLE public.deliveries ADD CONSTRAINT fk_deliveries_account_id FOREIGN KEY (account_id) REFERENCES public.accounts (id) ON DELETE RESTRICT;

ALTER TABLE public.deliveries ADD CONSTRAINT fk_deliveries_campaign_id FOREIGN KEY (account_id, campaign_id) REFERENCES public.campaigns (account_id, id) ON DELETE CASCADE;

ALTER TABLE public.deliveries ADD CONSTRAINT fk_deliveries_contact_id FOREIGN KEY (account_id, contact_id) REFERENCES public.contacts (account_id, id) ON DELETE CASCADE;

ALTER TABLE public.engagement_events ADD CONSTRAINT fk_engagement_events_account_id FOREIGN KEY (account_id) REFERENCES public.accounts (id) ON DELETE RESTRICT;

ALTER TABLE public.engagement_events ADD CONSTRAINT fk_engagement_events_campaign_id FOREIGN KEY (account_id, campaign_id) REFERENCES public.campaigns (account_id, id) ON DELETE CASCADE;

ALTER TABLE public.engagement_events ADD CONSTRAINT fk_engagement_events_contact_id FOREIGN KEY (account_id, contact_id) REFERENCES public.contacts (account_id, id) ON DELETE CASCADE;

ALTER TABLE public.list_memberships ADD CONSTRAINT fk_list_memberships_contact_id FOREIGN KEY (account_id, contact_id) REFERENCES public.contacts (account_id, id) ON DELETE CASCADE;

ALTER TABLE public.list_memberships ADD CONSTRAINT fk_list_memberships_mailing_list_id FOREIGN KEY (account_id, mailing_list_id) REFERENCES public.mailing_lists (account_id, id) ON DELETE CASCADE;

ALTER TABLE public.mailing_lists ADD CONSTRAINT fk_mailing_lists_account_id FOREIGN KEY (account_id) REFERENCES public.accounts (id) ON DELETE RESTRICT;

CREATE TRIGGER trg_accounts_set_updated_at BEFORE UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_campaigns_set_updated_at BEFORE UPDATE ON public.campaigns FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_campaigns_status_moves BEFORE UPDATE ON public.campaigns FOR EACH ROW EXECUTE FUNCTION public.trg_campaigns_status_moves_fn();

CREATE TRIGGER trg_contacts_set_updated_at BEFORE UPDATE ON public.contacts FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_deliveries_set_updated_at BEFORE UPDATE ON public.deliveries FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_mailing_lists_set_updated_at BEFORE UPDATE ON public.mailing_lists FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_starter_templates_set_updated_at BEFORE UPDATE ON public.starter_templates FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE POLICY tenant_isolation ON public.campaigns USING (account_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.contacts USING (account_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.deliveries USING (account_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.engagement_events USING (account_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.list_memberships USING (account_id = (current_setting('app.tenant_id'))::bigint);

CREATE POLICY tenant_isolation ON public.mailing_lists USING (account_id = (current_setting('app.tenant_id'))::bigint);
