CREATE TABLE accounts (
    id integer NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    "plan" text NOT NULL DEFAULT 'free',
    monthly_send_limit integer NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_accounts PRIMARY KEY (id),
    CONSTRAINT uq_accounts_slug UNIQUE (slug),
    CONSTRAINT chk_accounts_monthly_send_limit CHECK (monthly_send_limit >= 0),
    CONSTRAINT chk_accounts_name CHECK (length(name) >= 1 AND length(name) <= 120),
    CONSTRAINT chk_accounts_plan CHECK (plan IN ('free', 'growth', 'pro', 'enterprise')),
    CONSTRAINT chk_accounts_slug CHECK (length(slug) >= 1 AND length(slug) <= 60)
);

CREATE TABLE starter_templates (
    id integer NOT NULL,
    name text NOT NULL,
    category text NOT NULL,
    html text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_starter_templates PRIMARY KEY (id),
    CONSTRAINT chk_starter_templates_category CHECK (category IN ('newsletter', 'announcement', 'promotion', 'transactional')),
    CONSTRAINT chk_starter_templates_name CHECK (length(name) >= 1 AND length(name) <= 120)
);

CREATE TABLE contacts (
    id integer NOT NULL,
    account_id integer NOT NULL,
    email text NOT NULL,
    first_name text,
    status text NOT NULL DEFAULT 'subscribed',
    source text NOT NULL,
    subscribed_at text NOT NULL,
    unsubscribed_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_contacts PRIMARY KEY (id),
    CONSTRAINT uq_contacts_account_id_email UNIQUE (account_id, email),
    CONSTRAINT uq_contacts_account_id_id UNIQUE (account_id, id),
    CONSTRAINT chk_contacts_email CHECK (length(email) <= 254 AND email LIKE '%_@_%._%' AND email = lower(email)),
    CONSTRAINT chk_contacts_first_name CHECK (length(first_name) <= 80),
    CONSTRAINT chk_contacts_source CHECK (source IN ('signup_form', 'import', 'api')),
    CONSTRAINT chk_contacts_status CHECK (status IN ('subscribed', 'unsubscribed', 'bounced', 'complained')),
    CONSTRAINT chk_contacts_unsubscribed_after_subscribed CHECK (unsubscribed_at is null or unsubscribed_at >= subscribed_at),
    CONSTRAINT fk_contacts_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE RESTRICT
);

CREATE TABLE mailing_lists (
    id integer NOT NULL,
    account_id integer NOT NULL,
    name text NOT NULL,
    description text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_mailing_lists PRIMARY KEY (id),
    CONSTRAINT uq_mailing_lists_account_id_id UNIQUE (account_id, id),
    CONSTRAINT uq_mailing_lists_account_id_name UNIQUE (account_id, name),
    CONSTRAINT chk_mailing_lists_name CHECK (length(name) >= 1 AND length(name) <= 120),
    CONSTRAINT fk_mailing_lists_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE RESTRICT
);

CREATE TABLE campaigns (
    id integer NOT NULL,
    account_id integer NOT NULL,
    mailing_list_id integer NOT NULL,
    name text NOT NULL,
    subject text NOT NULL,
    status text NOT NULL DEFAULT 'draft',
    scheduled_at text,
    sent_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_campaigns PRIMARY KEY (id),
    CONSTRAINT uq_campaigns_account_id_id UNIQUE (account_id, id),
    CONSTRAINT chk_campaigns_name CHECK (length(name) >= 1 AND length(name) <= 120),
    CONSTRAINT chk_campaigns_status CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
    CONSTRAINT chk_campaigns_subject CHECK (length(subject) >= 1 AND length(subject) <= 200),
    CONSTRAINT fk_campaigns_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE RESTRICT,
    CONSTRAINT fk_campaigns_mailing_list_id FOREIGN KEY (account_id, mailing_list_id) REFERENCES mailing_lists (account_id, id) ON DELETE RESTRICT
);

CREATE TABLE list_memberships (
    account_id integer NOT NULL,
    contact_id integer NOT NULL,
    mailing_list_id integer NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_list_memberships PRIMARY KEY (account_id, contact_id, mailing_list_id),
    CONSTRAINT fk_list_memberships_contact_id FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE,
    CONSTRAINT fk_list_memberships_mailing_list_id FOREIGN KEY (account_id, mailing_list_id) REFERENCES mailing_lists (account_id, id) ON DELETE CASCADE
);

CREATE TABLE deliveries (
    id integer NOT NULL,
    account_id integer NOT NULL,
    campaign_id integer NOT NULL,
    contact_id integer NOT NULL,
    status text NOT NULL DEFAULT 'queued',
    provider_message_id text,
    queued_at text NOT NULL,
    sent_at text,
    delivered_at text,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_deliveries PRIMARY KEY (id),
    CONSTRAINT chk_deliveries_provider_message_id CHECK (length(provider_message_id) <= 100),
    CONSTRAINT chk_deliveries_status CHECK (status IN ('queued', 'sent', 'delivered', 'deferred', 'bounced', 'failed')),
    CONSTRAINT fk_deliveries_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE RESTRICT,
    CONSTRAINT fk_deliveries_campaign_id FOREIGN KEY (account_id, campaign_id) REFERENCES campaigns (account_id, id) ON DELETE CASCADE,
    CONSTRAINT fk_deliveries_contact_id FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);

CREATE TABLE engagement_events (
    id integer NOT NULL,
    account_id integer NOT NULL,
    campaign_id integer NOT NULL,
    contact_id integer NOT NULL,
    kind text NOT NULL,
    url text,
    occurred_at text NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT pk_engagement_events PRIMARY KEY (id),
    CONSTRAINT chk_engagement_events_kind CHECK (kind IN ('open', 'click', 'unsubscribe', 'complaint')),
    CONSTRAINT chk_engagement_events_url CHECK (length(url) <= 2048 AND (url LIKE 'http://%' OR url LIKE 'https://%')),
    CONSTRAINT fk_engagement_events_account_id FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE RESTRICT,
    CONSTRAINT fk_engagement_events_campaign_id FOREIGN KEY (account_id, campaign_id) REFERENCES campaigns (account_id, id) ON DELETE CASCADE,
    CONSTRAINT fk_engagement_events_contact_id FOREIGN KEY (account_id, contact_id) REFERENCES contacts (account_id, id) ON DELETE CASCADE
);

CREATE INDEX idx_starter_templates_category_name ON starter_templates (category, name);

CREATE INDEX idx_contacts_account_id_subscribed_at_id_subscribed ON contacts (account_id, subscribed_at, id) WHERE status = 'subscribed';

CREATE INDEX idx_campaigns_account_id_created_at ON campaigns (account_id, created_at);

CREATE INDEX idx_campaigns_account_id_mailing_list_id ON campaigns (account_id, mailing_list_id);

CREATE INDEX idx_list_memberships_account_id_mailing_list_id ON list_memberships (account_id, mailing_list_id);

CREATE INDEX idx_deliveries_account_id_campaign_id ON deliveries (account_id, campaign_id);

CREATE INDEX idx_deliveries_account_id_campaign_id_queued_at_queued ON deliveries (account_id, campaign_id, queued_at) WHERE status = 'queued';

CREATE INDEX idx_deliveries_account_id_contact_id ON deliveries (account_id, contact_id);

CREATE INDEX idx_deliveries_account_id_provider_message_id ON deliveries (account_id, provider_message_id);

CREATE INDEX idx_engagement_events_account_id_campaign_id_occurred_at ON engagement_events (account_id, campaign_id, occurred_at);

CREATE INDEX idx_engagement_events_account_id_contact_id_occurred_at ON engagement_events (account_id, contact_id, occurred_at);

CREATE TRIGGER trg_accounts_set_updated_at AFTER UPDATE ON accounts
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE accounts SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_campaigns_set_updated_at AFTER UPDATE ON campaigns
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE campaigns SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_campaigns_status_moves BEFORE UPDATE ON campaigns
FOR EACH ROW
WHEN OLD.status IS NOT NULL AND NEW.status IS NOT NULL AND NEW.status <> OLD.status AND NOT ((OLD.status = 'draft' AND NEW.status IN ('scheduled', 'cancelled')) OR (OLD.status = 'scheduled' AND NEW.status IN ('sending', 'draft', 'cancelled')) OR (OLD.status = 'sending' AND NEW.status IN ('sent')))
BEGIN
    SELECT RAISE(ABORT, 'trg_campaigns_status_moves: status moves only draft -> scheduled | cancelled; scheduled -> sending | draft | cancelled; sending ');
END;

CREATE TRIGGER trg_contacts_set_updated_at AFTER UPDATE ON contacts
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE contacts SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_deliveries_set_updated_at AFTER UPDATE ON deliveries
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE deliveries SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_mailing_lists_set_updated_at AFTER UPDATE ON mailing_lists
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE mailing_lists SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER trg_starter_templates_set_updated_at AFTER UPDATE ON starter_templates
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE starter_templates SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;
END;
